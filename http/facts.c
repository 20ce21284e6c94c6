/*
 * http/facts.c - a request head read once (see facts.h).
 *
 * Sections: Target, Connection, Reading.
 */
#define _POSIX_C_SOURCE 200809L

#include "facts.h"

#include <string.h>
#include <strings.h>

#include "expect.h"
#include "persist.h"

/* ---- Target ---- */

/*
 * RFC 9112 §3.2: which form the request-target has.  Origin-form starts
 * with "/", asterisk-form is "*" alone; anything else is tried as an
 * absolute URL (http_url_parse) and then as CONNECT's host:port
 * (http_authority_parse).  The two cannot both match: a URL has "//"
 * after its scheme, which no port is.
 */
static void read_target(const struct http_request *req, struct facts *f)
{
	const char *t = req->target;
	size_t n = req->target_len;

	f->url_err = HTTP_OK;
	if (n == 0) {
		f->target = FACTS_TARGET_OTHER;
		f->url_err = HTTP_E_TARGET;
	} else if (t[0] == '/') {
		f->target = FACTS_TARGET_ORIGIN;
	} else if (n == 1 && t[0] == '*') {
		f->target = FACTS_TARGET_ASTERISK;
	} else if ((f->url_err = http_url_parse(t, n, &f->url)) == HTTP_OK) {
		f->target = FACTS_TARGET_ABSOLUTE;
	} else if (http_authority_parse(t, n, &f->url) == HTTP_OK) {
		f->target = FACTS_TARGET_AUTHORITY;
		f->url_err = HTTP_OK;
	} else {
		f->target = FACTS_TARGET_OTHER;
	}
}

/* ---- Connection ---- */

/* True when e[0..elen) is name[0..len), case-insensitive (tokens and
 * field names are, RFC 9110 §5.1, §7.6.1).  Neither holds a NUL: the
 * message parser refuses one in names and values. */
static bool same_ci(const char *e, size_t elen, const char *name, size_t len)
{
	return elen == len && strncasecmp(e, name, len) == 0;
}

/* One Connection field line: its options, and the fields they name. */
static void read_connection_field(const struct http_header *c,
				  const struct http_header *hs, size_t n,
				  struct facts_connection *out)
{
	size_t pos = 0, elen = 0;
	const char *e = NULL;

	out->num_fields++;
	while (http_list_next(c->value, c->value_len, &pos, &e, &elen)) {
		out->num_options++;
		if (same_ci(e, elen, "close", 5))
			out->close = true;
		else if (same_ci(e, elen, "keep-alive", 10))
			out->keep_alive = true;
		for (size_t i = 0; i < n; i++)
			if (!out->named[i] &&
			    same_ci(e, elen, hs[i].name, hs[i].name_len))
				out->named[i] = true;
	}
}

void facts_read_connection(const struct http_header *hs, size_t n,
			   struct facts_connection *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n && i < HTTP_MAX_HEADERS; i++)
		if (same_ci(hs[i].name, hs[i].name_len, "Connection", 10))
			read_connection_field(&hs[i], hs, n, c);
}

/* ---- Reading ---- */

/*
 * RFC 9110 §7.6.2: Max-Forwards = 1*DIGIT.  -1 when the value is empty or
 * holds anything else, so that the caller passes it on untouched.
 */
static long max_forwards_value(const struct http_header *h)
{
	long v = 0;

	if (h->value_len == 0)
		return -1;
	for (size_t i = 0; i < h->value_len; i++) {
		if (h->value[i] < '0' || h->value[i] > '9')
			return -1;
		if (i < FACTS_MAX_FORWARDS_DIGITS)
			v = v * 10 + (h->value[i] - '0');
	}
	return v;
}

/* One Proxy-Authorization or Authorization field line. */
static void read_credentials(const struct http_header *h,
			     struct facts_credentials *c)
{
	enum auth_scheme s = auth_scheme_of(h->value, h->value_len);

	if (c->count++ == 0) {
		c->first = h;
		c->first_scheme = s;
	}
	c->schemes |= (unsigned)s;
}

/* The Expect field line h: is 100-continue listed, is anything else? */
static void read_expect(const struct http_header *h, bool *listed,
			struct facts *f)
{
	size_t pos = 0, elen = 0;
	const char *e = NULL;

	f->expect_count++;
	while (http_list_next(h->value, h->value_len, &pos, &e, &elen)) {
		if (same_ci(e, elen, "100-continue", 12))
			*listed = true;
		else
			f->expect_other = true;
	}
}

/* The fields facts_read() looks at, with their lengths, so that one
 * integer compare turns most field lines away. */
enum facts_field {
	FIELD_HOST,
	FIELD_CONNECTION,
	FIELD_EXPECT,
	FIELD_MAX_FORWARDS,
	FIELD_PROXY_AUTHORIZATION,
	FIELD_AUTHORIZATION,
	FIELD_OTHER
};

static const struct {
	const char *name;
	size_t len;
} fields[] = {
    [FIELD_HOST] = {"Host", 4},
    [FIELD_CONNECTION] = {"Connection", 10},
    [FIELD_EXPECT] = {"Expect", 6},
    [FIELD_MAX_FORWARDS] = {"Max-Forwards", 12},
    [FIELD_PROXY_AUTHORIZATION] = {"Proxy-Authorization", 19},
    [FIELD_AUTHORIZATION] = {"Authorization", 13},
};

/* Which of fields[] h is, or FIELD_OTHER. */
static enum facts_field field_of(const struct http_header *h)
{
	for (size_t k = 0; k < FIELD_OTHER; k++)
		if (same_ci(h->name, h->name_len, fields[k].name,
			    fields[k].len))
			return (enum facts_field)k;
	return FIELD_OTHER;
}

/* One field line of the request: note what it says. */
static void read_field(const struct http_request *req, size_t i,
		       bool *continue_listed, struct facts *f)
{
	const struct http_header *h = &req->headers[i];

	switch (field_of(h)) {
	case FIELD_HOST:
		if (f->host_count++ == 0)
			f->host = h;
		break;
	case FIELD_CONNECTION:
		read_connection_field(h, req->headers, req->num_headers,
				      &f->connection);
		break;
	case FIELD_EXPECT:
		read_expect(h, continue_listed, f);
		break;
	case FIELD_MAX_FORWARDS:
		if (f->max_forwards_count++ == 0)
			f->max_forwards = max_forwards_value(h);
		break;
	case FIELD_PROXY_AUTHORIZATION:
		read_credentials(h, &f->proxy_authorization);
		break;
	case FIELD_AUTHORIZATION:
		read_credentials(h, &f->authorization);
		break;
	case FIELD_OTHER:
		break;
	}
}

void facts_read(const struct http_request *req, struct facts *f)
{
	bool continue_listed = false;

	/* All but the URL, which is 8 KiB and written only when parsed. */
	memset(f, 0, offsetof(struct facts, url));
	memset(&f->url_err, 0, sizeof(*f) - offsetof(struct facts, url_err));
	f->req = req;
	f->minor_version = req->minor_version;
	f->max_forwards = -1;
	read_target(req, f);
	for (size_t i = 0; i < req->num_headers && i < HTTP_MAX_HEADERS; i++)
		read_field(req, i, &continue_listed, f);

	f->host_err =
	    http_host_rule(req->minor_version, f->host, f->host_count);
	f->keep_alive = persist_keep_alive_rule(
	    req->minor_version, f->connection.close, f->connection.keep_alive);
	f->expect_continue =
	    expect_continue_rule(req->minor_version, continue_listed);
	f->framing_err = http_request_framing(req, &f->body);
	f->close_after_early_answer = persist_early_answer_rule(
	    f->framing_err, &f->body, f->expect_continue);
}

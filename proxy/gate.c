/*
 * proxy/gate.c - the forward proxy's decision, as a pure function.
 *
 * proxy_decide() looks at one parsed request and says what to do with it,
 * in four steps (docs/proxy-decision.dot draws them):
 *
 *   1. Reading: is this a request a proxy can serve?  A forward proxy is
 *      sent absolute-form "GET http://host:port/path HTTP/1.1" (RFC 9112
 *      §3.2.2) or, for a tunnel, authority-form "CONNECT host:port"
 *      (§3.2.3).  Anything else: 400, lesson 02.
 *   2. Authenticating, "who are you?": http/guard.c reads
 *      Proxy-Authorization.  Unparsable: 400 (lesson 03).  Missing, wrong
 *      scheme, wrong password, stale or replayed nonce: 407 with one
 *      Proxy-Authenticate per offered scheme (RFC 9110 §15.5.8, §11.7.1).
 *   3. Authorising, "may you?": proxy/acl.c.  No: 403 and no challenge,
 *      since other credentials would not help (RFC 9110 §15.5.4), lesson 05.
 *   4. Forwarding: rewrite the head into origin-form, consume
 *      Proxy-Authorization (RFC 9110 §11.7.2), drop the hop-by-hop fields
 *      (§7.6.1), add Via (§7.6.3); or, for CONNECT, open a tunnel.
 *
 * No sockets, no clock, no printing: proxy/server.c and the REPL pass the
 * parsed request and the time, and act on the decision.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/facts.h"
#include "../http/text.h"

#define PROXY_SERVER_NAME "lab407-proxy"
#define PROXY_MAX_OFFER 64  /* "Digest, Basic, Bearer" */
#define PROXY_MAX_METHOD 64 /* bytes of a method we handle, incl. NUL */
#define PROXY_MAX_AUTHORITY (HTTP_MAX_HOST + 16) /* "[v6]:65535" */
#define PROXY_ALLOW_METHODS                                                    \
	"GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, CONNECT"

/* ---- Set-up ---- */

/* Nothing proved yet on a new connection. */
void proxy_conn_init(struct proxy_conn *c)
{
	ntlm_guard_init(&c->ntlm);
	negotiate_conn_init(&c->neg);
	c->neg_user[0] = '\0';
}

/* The connection is gone, and with it what it proved. */
void proxy_conn_free(struct proxy_conn *c)
{
	ntlm_guard_reset(&c->ntlm);
	negotiate_conn_free(&c->neg);
	c->neg_user[0] = '\0';
}

/* Nonce secret and nonce counts for Digest (http/guard.c). */
enum http_err proxy_state_init(struct proxy_state *st, unsigned nonce_lifetime)
{
	return guard_state_init(&st->guard, nonce_lifetime);
}

/* An empty decision; proxy_decision_free() releases d->out. */
void proxy_decision_init(struct proxy_decision *d)
{
	memset(d, 0, sizeof(*d));
	http_buf_init(&d->out, 0);
	d->action = PROXY_RESPOND;
	d->lesson = "02";
	d->auth_verdict = -1;
}

/* Release d->out; the decision may be initialised again. */
void proxy_decision_free(struct proxy_decision *d)
{
	http_buf_free(&d->out);
}

/* ---- Small helpers ---- */

/* Set d->why (truncated to PROXY_MAX_WHY if need be). */
static void set_why(struct proxy_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_why(struct proxy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

/* The request method is exactly m (methods are case-sensitive). */
static bool method_is(const struct http_request *req, const char *m)
{
	return req->method_len == strlen(m) &&
	       memcmp(req->method, m, req->method_len) == 0;
}

/* RFC 9112 §9.3, decided in http/persist.c when the request was read. */
static bool client_wants_close(const struct facts *f)
{
	return !f->keep_alive;
}

/* "host" or "host:port" (port left out when it is the scheme's default),
 * IPv6 literals in brackets: the Host value for the origin. */
static void authority(const struct http_url *u, char *out, size_t cap)
{
	bool v6 = strchr(u->host, ':') != NULL;
	unsigned def = strcmp(u->scheme, "https") == 0 ? 443 : 80;

	if (u->port == def)
		snprintf(out, cap, "%s%s%s", v6 ? "[" : "", u->host,
			 v6 ? "]" : "");
	else
		snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", u->host,
			 v6 ? "]" : "", u->port);
}

/* ---- The proxy's own responses ---- */

/*
 * A text response written by the proxy itself: `Server: lab407-proxy`
 * and no Via (the client tells the proxy's own answers from relayed ones
 * by that), `extra` header lines (may be NULL), Connection: close when
 * closing.  Appends to out.
 */
static bool own_response(struct http_buf *out, int status, bool close,
			 bool head_only, const char *extra, const char *body,
			 size_t body_len)
{
	struct http_buf h;
	bool ok;

	http_buf_init(&h, 0);
	http_buf_puts(&h, "Server: " PROXY_SERVER_NAME "\r\n");
	if (extra != NULL)
		http_buf_puts(&h, extra);
	if (close)
		http_buf_puts(&h, "Connection: close\r\n");
	if (h.failed) {
		ok = false;
	} else if (head_only) {
		/* RFC 9110 §9.3.2: HEAD gets the fields GET would, the
		 * Content-Length of the body included, and no body. */
		http_write_status_line(out, status);
		http_buf_puts(out, h.data);
		http_buf_puts(out,
			      "Content-Type: text/plain; charset=utf-8\r\n");
		http_write_header_uint(out, "Content-Length", body_len);
		http_buf_append(out, "\r\n", 2);
		ok = !out->failed;
	} else {
		ok = http_write_text_response(out, status, h.data, body,
					      body_len);
	}
	http_buf_free(&h);
	return ok;
}

/* Public wrapper for the shell's own errors (502, 503, 504, 408, ...). */
bool proxy_write_own(struct http_buf *out, int status, bool close,
		     const char *body)
{
	return own_response(out, status, close, false, NULL, body,
			    body ? strlen(body) : 0);
}

/*
 * Finish a RESPOND decision: write the response into d->out.  For HEAD
 * (head true) the body is left off but Content-Length kept (RFC 9110
 * §9.3.2).
 */
static void respond_as(struct proxy_decision *d, bool head, int status,
		       const char *extra, struct http_buf *body)
{
	d->action = PROXY_RESPOND;
	d->status = status;
	http_buf_reset(&d->out);
	if (body->failed || !own_response(&d->out, status, d->close, head,
					  extra, body->data, body->len)) {
		/* Cannot happen with our limits; still answer something. */
		http_buf_reset(&d->out);
		d->close = true;
		own_response(&d->out, 500, true, false, NULL, "", 0);
		d->status = 500;
	}
}

/* respond_as() for the request req. */
static void respond(struct proxy_decision *d, const struct facts *f, int status,
		    const char *extra, struct http_buf *body)
{
	/* An early answer leaves the body unread: the head says now
	 * whether the connection survives that (http/persist.c). */
	if (f->close_after_early_answer)
		d->close = true;
	respond_as(d, method_is(f->req, "HEAD"), status, extra, body);
}

/* 400 with a body saying what is wrong; the connection is closed, since
 * after a malformed request the framing cannot be trusted. */
static void bad_request(struct proxy_decision *d, const struct facts *f,
			const char *lesson, const char *what)
{
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_printf(&body, "400 Bad Request\nproxy: %s\n", what);
	d->close = true;
	d->lesson = lesson;
	set_why(d, "proxy: %s -> 400", what);
	respond(d, f, 400, NULL, &body);
	http_buf_free(&body);
}

/* ---- Reading the request ---- */

/* Lesson 01: a proxy needs absolute form; Lesson 07: CONNECT, host:port. */
/*
 * Where the request goes: CONNECT's authority-form, or the absolute-form
 * URL of anything else.  False after writing a 400 into d.
 */
static bool read_target(const struct facts *f, struct proxy_decision *d)
{
	const struct http_request *req = f->req;
	char what[300];

	if (req->method_len >= PROXY_MAX_METHOD) {
		bad_request(d, f, "01", "the method is too long");
		return false;
	}
	/* RFC 9112 §3.2: no Host in HTTP/1.1, two Hosts, or a bad one: 400.
	 * Its value is not used: the target names the host (§3.2.2). */
	if (f->host_err != HTTP_OK) {
		bad_request(d, f, "01", http_strerror(f->host_err));
		return false;
	}
	if (method_is(req, "CONNECT")) {
		/* RFC 9112 §3.2.3: CONNECT carries only "host:port". */
		if (f->target != FACTS_TARGET_AUTHORITY) {
			bad_request(d, f, "07",
				    "CONNECT needs authority-form host:port "
				    "(RFC 9112 §3.2.3)");
			return false;
		}
		return true;
	}
	if (f->target == FACTS_TARGET_ORIGIN) {
		bad_request(d, f, "01",
			    "origin-form target: a proxy needs absolute-form "
			    "(GET http://host:port/path), RFC 9112 §3.2.2");
		return false;
	}
	if (f->target != FACTS_TARGET_ABSOLUTE) {
		snprintf(what, sizeof(what),
			 "the request-target is not an http:// URL the proxy "
			 "understands: %s",
			 http_strerror(HTTP_E_URL));
		bad_request(d, f, "01", what);
		return false;
	}
	if (strcmp(f->url.scheme, "http") != 0) {
		bad_request(d, f, "07",
			    "https:// URLs go through a CONNECT tunnel, not "
			    "as a plain request to the proxy");
		return false;
	}
	return true;
}

/* ---- Authenticating ---- */

/* True when the client put credentials in Authorization, which is for the
 * origin, and sent no Proxy-Authorization (lesson 06). */
static bool creds_in_wrong_field(const struct facts *f)
{
	return f->proxy_authorization.count == 0 && f->authorization.count != 0;
}

/* Lesson 02: the 407 and its challenges; Lesson 04: stale=true, replays. */
/*
 * 407 with a challenge per offered scheme (RFC 9110 §15.5.8, §11.7.1).  A
 * stale Digest nonce gets stale=true so the client retries silently (RFC
 * 7616 §3.3); a bad Bearer token gets error="invalid_token" (RFC 6750
 * §3.1).  The why line says which of the cases it was; the body too,
 * except that every kind of bad credentials reads the same there.
 */
/*
 * Fast path for the commonest 407, a request with no credentials at all
 * to a proxy that offers no Digest (so no nonce in the challenge): the
 * answer then depends only on what is offered (schemes, realm) and on
 * whether the connection closes and the method is HEAD.  Each thread
 * keeps the four finished answers and copies one, instead of building
 * the challenge fields, the body and the head afresh: callgrind over
 * 2,000 such requests through bin/proxy, 50,400 -> 29,900 instructions a
 * request.  Per thread, so no lock; each entry remembers what it was
 * built from, so a different configuration builds its own.
 */
#define PROXY_QUICK_407_MAX 2048 /* a longer answer is not kept */

struct quick_407 {
	bool valid;
	bool proxy; /* the key: */
	size_t num_schemes;
	enum auth_scheme schemes[GUARD_MAX_SCHEMES];
	char realm[GUARD_MAX_REALM];
	char out[PROXY_QUICK_407_MAX]; /* the answer: */
	size_t len;
	char why[PROXY_MAX_WHY];
};

static _Thread_local struct quick_407 quick_407s[2][2]; /* [close][HEAD] */

/* The challenge carries no nonce: nothing offered is Digest. */
static bool nonce_free(const struct guard_config *g)
{
	for (size_t i = 0; i < g->num_schemes && i < GUARD_MAX_SCHEMES; i++)
		if (g->schemes[i] == AUTH_SCHEME_DIGEST)
			return false;
	return true;
}

static bool quick_407_matches(const struct quick_407 *q,
			      const struct guard_config *g)
{
	return q->valid && q->proxy == g->proxy &&
	       q->num_schemes == g->num_schemes &&
	       memcmp(q->schemes, g->schemes,
		      g->num_schemes * sizeof(g->schemes[0])) == 0 &&
	       strcmp(q->realm, g->realm) == 0;
}

/* Remember the answer challenge() just wrote into d. */
static void quick_407_keep(struct quick_407 *q, const struct guard_config *g,
			   const struct proxy_decision *d)
{
	q->valid = false;
	if (d->status != 407 || d->out.failed || d->out.len >= sizeof(q->out) ||
	    g->num_schemes > GUARD_MAX_SCHEMES)
		return;
	q->proxy = g->proxy;
	q->num_schemes = g->num_schemes;
	memcpy(q->schemes, g->schemes, g->num_schemes * sizeof(g->schemes[0]));
	snprintf(q->realm, sizeof(q->realm), "%s", g->realm);
	memcpy(q->out, d->out.data, d->out.len);
	q->len = d->out.len;
	snprintf(q->why, sizeof(q->why), "%s", d->why);
	q->valid = true;
}

static void challenge(const struct proxy_config *cfg, struct proxy_state *st,
		      const struct facts *f, const struct guard_result *r,
		      uint64_t now, struct proxy_decision *d)
{
	struct http_buf h, body;
	char offer[PROXY_MAX_OFFER];
	char what[GUARD_MAX_REASON + GUARD_MAX_USER + 64];
	bool stale = r->verdict == GUARD_STALE;
	const char *bearer_error = NULL;
	const char *scheme = auth_scheme_name(r->scheme);
	const char *said = NULL; /* for the body, when not `what` */
	struct quick_407 *q = NULL;

	if (r->verdict == GUARD_MISSING && nonce_free(&cfg->guard) &&
	    !creds_in_wrong_field(f)) {
		/* The same close rule as respond()'s. */
		bool close =
		    client_wants_close(f) || f->close_after_early_answer;

		q = &quick_407s[close][method_is(f->req, "HEAD")];
		if (quick_407_matches(q, &cfg->guard)) {
			d->lesson = "02";
			snprintf(d->why, sizeof(d->why), "%s", q->why);
			d->close = close;
			d->action = PROXY_RESPOND;
			d->status = 407;
			http_buf_reset(&d->out);
			http_buf_append(&d->out, q->out, q->len);
			return;
		}
	}

	if (r->verdict == GUARD_BAD && r->scheme == AUTH_SCHEME_BEARER)
		bearer_error = "invalid_token";
	guard_offered(&cfg->guard, offer, sizeof(offer));
	d->lesson = "02";
	switch (r->verdict) {
	case GUARD_MISSING:
		if (creds_in_wrong_field(f)) {
			snprintf(what, sizeof(what),
				 "Proxy-Authorization missing (credentials "
				 "were sent in Authorization, which is for the "
				 "origin, not the proxy)");
			d->lesson = "06";
		} else {
			snprintf(what, sizeof(what),
				 "Proxy-Authorization missing");
		}
		break;
	case GUARD_WRONG_SCHEME:
		snprintf(what, sizeof(what),
			 "wrong scheme: Proxy-Authorization uses a scheme "
			 "this proxy did not offer");
		break;
	case GUARD_STALE:
		snprintf(what, sizeof(what),
			 "stale Digest nonce for %s (the password was right, "
			 "%s)",
			 r->user[0] ? r->user : "the user",
			 r->field[0] != '\0' && strcmp(r->field, "nc") == 0
			     ? "but the nonce is no longer tracked"
			     : "the nonce expired");
		d->lesson = "04";
		break;
	case GUARD_REPLAY:
		snprintf(what, sizeof(what), "Digest nonce count replayed%s%s",
			 r->user[0] ? " by " : "", r->user);
		d->lesson = "04";
		break;
	default:
		snprintf(what, sizeof(what), "bad credentials%s%s%s%s: %s",
			 r->user[0] ? " for " : "", r->user,
			 scheme ? " with " : "", scheme ? scheme : "",
			 r->err == HTTP_E_BAD_USER ? "unknown user"
			 : r->reason[0]		   ? r->reason
						   : http_strerror(r->err));
		/* The wire says only this, the same for an unknown user and
		 * a wrong password, so no one can list the users; the real
		 * reason stays in d->why (-v, the log, the REPL). */
		said = "the credentials were not accepted";
		break;
	}

	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	if (!guard_write_challenges(&cfg->guard, &st->guard, now, stale,
				    bearer_error, &h))
		h.failed = true;
	http_buf_printf(&body,
			"407 Proxy Authentication Required\n"
			"proxy: %s.\n"
			"This proxy wants credentials in Proxy-Authorization "
			"before it forwards anything.\n"
			"Offered: %s\n",
			said ? said : what, offer);
	set_why(d, "proxy: %s -> 407%s, offering %s", what,
		stale ? " with stale=true" : "", offer);
	if (h.failed) {
		/* Only on an internal failure: no challenge to send. */
		http_buf_free(&h);
		http_buf_init(&h, 0);
		body.failed = true;
	}
	d->close = client_wants_close(f);
	respond(d, f, 407, h.data, &body);
	http_buf_free(&h);
	http_buf_free(&body);
	if (q != NULL)
		quick_407_keep(q, &cfg->guard, d);
}

/*
 * The request-target guard_check() holds a Digest uri against.  RFC 7616
 * §3.4.6 wants the uri to name the request's resource, and notes that
 * proxies change the request-target in transit; curl and others put only
 * the path ("/echo") in the uri of a request sent to a proxy in
 * absolute-form ("http://host:port/echo").  When the uri is exactly this
 * URL's path, check against a copy of the request whose target is that
 * path: still the same resource, and the response hash still covers the
 * uri the client used.  Anything else is left as sent.
 */
static const struct http_request *digest_target(const struct facts *f,
						const struct http_url *u,
						struct http_request *copy)
{
	const struct http_request *req = f->req;
	const struct http_header *h = f->proxy_authorization.first;
	struct auth_challenge c;
	char uri[HTTP_MAX_TARGET_BYTES + 1];

	if (h == NULL ||
	    f->proxy_authorization.first_scheme != AUTH_SCHEME_DIGEST ||
	    u->path_len == 0 ||
	    auth_parse_credentials(h->value, h->value_len, &c) != HTTP_OK ||
	    c.kind != AUTH_SCHEME_DIGEST ||
	    auth_get(&c, "uri", uri, sizeof(uri)) != HTTP_OK)
		return req;
	if (strlen(uri) != u->path_len ||
	    memcmp(uri, u->path, u->path_len) != 0)
		return req;
	*copy = *req;
	copy->target = u->path;
	copy->target_len = u->path_len;
	return copy;
}

/*
 * "Basic" followed by bytes outside the base64 alphabet: the auth grammar
 * already refuses them (not a token68), but what a student broke is the
 * base64, so the 400 says so too.
 */
static bool basic_not_base64(const struct facts *f)
{
	const struct http_header *h = f->proxy_authorization.first;
	const size_t after = sizeof("Basic") - 1;

	if (h == NULL ||
	    f->proxy_authorization.first_scheme != AUTH_SCHEME_BASIC)
		return false;
	for (size_t i = after; i < h->value_len; i++)
		if (h->value[i] != ' ' &&
		    !base64_is_char((unsigned char)h->value[i]))
			return true;
	return false;
}

/* Lesson 03: unreadable credentials are a 400, not a 407. */
/*
 * 400: Proxy-Authorization that does not parse (RFC 9110 §15.5.1).  This
 * is lab407's design choice, so that the answer names the fault: RFC 9110
 * §11.4 says a proxy SHOULD answer invalid proxy credentials with a 407,
 * and Squid and lessons/examples/min407.py do.
 */
static void refuse_malformed(const struct facts *f,
			     const struct guard_result *r,
			     struct proxy_decision *d)
{
	char what[GUARD_MAX_REASON + 128];
	int n;

	const char *why = r->reason[0] ? r->reason : http_strerror(r->err);
	const char *field = "Proxy-Authorization: ";

	/* The guard's reason often names the field already: say it once. */
	if (strncmp(why, field, strlen(field)) == 0)
		why += strlen(field);
	n = snprintf(what, sizeof(what), "Proxy-Authorization malformed: %s",
		     why);
	if (r->field[0] != '\0' && n > 0 && (size_t)n < sizeof(what))
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      " (field at fault: %s)", r->field);
	/* Say "base64" once: a guard that found bad base64 said so. */
	if (r->err != HTTP_E_BASE64 && basic_not_base64(f) && n > 0 &&
	    (size_t)n < sizeof(what))
		snprintf(what + n, sizeof(what) - (size_t)n,
			 "; the Basic credentials are not valid base64 "
			 "(RFC 7617 §2, RFC 4648 §4)");
	bad_request(d, f, "03", what);
}

/* ---- Authenticating a connection (NTLM, Negotiate) ---- */

/* Lesson 11: NTLM authenticates the connection, not the request. */

/* What conn_authenticate() did. */
enum conn_outcome {
	CONN_NOT_MINE, /* no connection-bound scheme here: use guard_check */
	CONN_PROVED,   /* the connection is authenticated: user is set */
	CONN_ANSWERED  /* d holds the response (407 or 400) */
};

/* True when the proxy offers scheme s. */
static bool offers(const struct proxy_config *cfg, enum auth_scheme s)
{
	for (size_t i = 0; i < cfg->guard.num_schemes; i++)
		if (cfg->guard.schemes[i] == s)
			return true;
	return false;
}

/* The first Proxy-Authorization field using scheme s, parsed into c. */
static bool find_credentials(const struct facts *f, enum auth_scheme s,
			     struct auth_challenge *c)
{
	const struct http_request *req = f->req;
	const struct http_header *h;
	size_t pos = 0;

	/* No field starts with s: nothing to parse (the common case). */
	if ((f->proxy_authorization.schemes & (unsigned)s) == 0)
		return false;
	while ((h = http_header_next(req->headers, req->num_headers,
				     "Proxy-Authorization", &pos)) != NULL)
		if (auth_parse_credentials(h->value, h->value_len, c) ==
			HTTP_OK &&
		    c->kind == s)
			return true;
	return false;
}

/*
 * 407 carrying our NTLM CHALLENGE (message 2 of 3) and nothing else: the
 * client must answer on this same connection, so it is kept open unless
 * the client itself asked to close (then the handshake cannot finish).
 */
static void ntlm_challenge(const struct facts *f,
			   const struct ntlm_guard_result *r,
			   struct proxy_decision *d)
{
	struct http_buf h, body;

	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	/* RFC 9110 §11.3 token68 form: "NTLM <base64>" */
	http_buf_printf(&h, "Proxy-Authenticate: NTLM %s\r\n", r->challenge);
	d->close = client_wants_close(f);
	http_buf_printf(&body,
			"407 Proxy Authentication Required\n"
			"proxy: NTLM handshake, message 2 of 3: the CHALLENGE "
			"is in Proxy-Authenticate.\n"
			"Answer with the AUTHENTICATE on this same "
			"connection%s.\n",
			d->close ? " (but the client asked to close it, so "
				   "the handshake cannot finish)"
				 : "");
	d->lesson = "11";
	d->auth_verdict = (int)GUARD_MISSING;
	set_why(d, "proxy: %s%s", r->reason,
		d->close ? "; the client asked to close, so it cannot "
			   "finish"
			 : "");
	respond(d, f, 407, h.data, &body);
	http_buf_free(&h);
	http_buf_free(&body);
}

static void refuse_malformed(const struct facts *f,
			     const struct guard_result *r,
			     struct proxy_decision *d);
static void challenge(const struct proxy_config *cfg, struct proxy_state *st,
		      const struct facts *f, const struct guard_result *r,
		      uint64_t now, struct proxy_decision *d);

/* Lesson 12: a Kerberos ticket instead of a password. */
/*
 * Negotiate (RFC 4559): hand the token to GSS-API.  Success proves the
 * client holds a ticket for this proxy's service principal; the final
 * token (mutual authentication) goes back on the relayed response, and
 * the connection is remembered as authenticated, as servers commonly do.
 */
static enum conn_outcome negotiate_step(const struct proxy_config *cfg,
					struct proxy_state *st,
					struct proxy_conn *conn,
					const struct facts *f,
					const struct auth_challenge *c,
					uint64_t now, struct proxy_decision *d)
{
	struct negotiate_result *nr = calloc(1, sizeof(*nr));
	struct guard_result g;
	enum conn_outcome out = CONN_ANSWERED;

	memset(&g, 0, sizeof(g));
	g.scheme = AUTH_SCHEME_NEGOTIATE;
	d->lesson = "12";
	if (nr == NULL) {
		g.verdict = GUARD_BAD;
		g.err = HTTP_E_NOMEM;
		challenge(cfg, st, f, &g, now, d);
		return CONN_ANSWERED;
	}
	conn->neg_user[0] = '\0';
	negotiate_accept(&conn->neg, c->token68,
			 c->token68 ? c->token68_len : 0, nr);
	g.err = nr->err;
	snprintf(g.user, sizeof(g.user), "%s", nr->user);
	snprintf(g.reason, sizeof(g.reason), "%s", nr->reason);
	switch (nr->verdict) {
	case NEGOTIATE_OK:
		snprintf(conn->neg_user, sizeof(conn->neg_user), "%s",
			 nr->user);
		snprintf(d->user, sizeof(d->user), "%s", nr->user);
		{
			size_t tl = strlen(nr->token);

			/* a token too long for the field is left off: the
			 * client then cannot check the proxy (lesson 12) */
			if (tl < sizeof(d->negotiate_reply))
				memcpy(d->negotiate_reply, nr->token, tl + 1);
		}
		d->auth_verdict = (int)GUARD_OK;
		out = CONN_PROVED;
		break;
	case NEGOTIATE_CONTINUE: {
		struct http_buf h, body;

		http_buf_init(&h, 0);
		http_buf_init(&body, 0);
		http_buf_printf(&h, "Proxy-Authenticate: Negotiate %s\r\n",
				nr->token);
		http_buf_puts(&body, "407 Proxy Authentication Required\n"
				     "proxy: Negotiate needs another leg on "
				     "this connection.\n");
		d->close = client_wants_close(f);
		d->auth_verdict = (int)GUARD_MISSING;
		set_why(d, "proxy: %s -> 407", nr->reason);
		respond(d, f, 407, h.data, &body);
		http_buf_free(&h);
		http_buf_free(&body);
		break;
	}
	case NEGOTIATE_REFUSED:
		g.verdict = GUARD_BAD;
		d->auth_verdict = (int)GUARD_BAD;
		challenge(cfg, st, f, &g, now, d);
		d->lesson = "12";
		break;
	case NEGOTIATE_MALFORMED:
	default:
		g.verdict = GUARD_MALFORMED;
		d->auth_verdict = (int)GUARD_MALFORMED;
		refuse_malformed(f, &g, d);
		d->lesson = "12";
		break;
	}
	OPENSSL_cleanse(nr, sizeof(*nr));
	free(nr);
	return out;
}

/*
 * Step 2 for a connection-bound scheme.  A connection whose NTLM
 * handshake is done is authenticated with no header at all; an NTLM
 * message advances the handshake (ntlm_guard_step); anything else is for
 * guard_check().
 */
static enum conn_outcome conn_authenticate(const struct proxy_config *cfg,
					   struct proxy_state *st,
					   struct proxy_conn *conn,
					   const struct facts *f, uint64_t now,
					   struct proxy_decision *d)
{
	struct auth_challenge c;
	struct ntlm_guard_result nr;
	struct guard_result g;

	if (conn == NULL)
		return CONN_NOT_MINE;
	if (offers(cfg, AUTH_SCHEME_NEGOTIATE) &&
	    find_credentials(f, AUTH_SCHEME_NEGOTIATE, &c))
		return negotiate_step(cfg, st, conn, f, &c, now, d);
	if (conn->neg_user[0] != '\0' &&
	    !find_credentials(f, AUTH_SCHEME_NTLM, &c)) {
		snprintf(d->user, sizeof(d->user), "%s", conn->neg_user);
		d->auth_verdict = (int)GUARD_OK;
		d->lesson = "12";
		return CONN_PROVED;
	}
	if (!offers(cfg, AUTH_SCHEME_NTLM))
		return CONN_NOT_MINE;
	if (!find_credentials(f, AUTH_SCHEME_NTLM, &c)) {
		if (conn->ntlm.phase == NTLM_GUARD_DONE) {
			snprintf(d->user, sizeof(d->user), "%s",
				 conn->ntlm.user);
			d->auth_verdict = (int)GUARD_OK;
			return CONN_PROVED;
		}
		/* A half-done handshake abandoned for another scheme. */
		if (conn->ntlm.phase == NTLM_GUARD_CHALLENGED)
			ntlm_guard_reset(&conn->ntlm);
		return CONN_NOT_MINE;
	}
	ntlm_guard_step(cfg->guard.users, &conn->ntlm, c.token68,
			c.token68 ? c.token68_len : 0, &nr);
	memset(&g, 0, sizeof(g));
	g.scheme = AUTH_SCHEME_NTLM;
	g.err = nr.err;
	snprintf(g.user, sizeof(g.user), "%s", nr.user);
	snprintf(g.reason, sizeof(g.reason), "%s", nr.reason);
	switch (nr.verdict) {
	case NTLM_GUARD_SEND_CHALLENGE:
		ntlm_challenge(f, &nr, d);
		return CONN_ANSWERED;
	case NTLM_GUARD_OK:
		snprintf(d->user, sizeof(d->user), "%s", conn->ntlm.user);
		d->auth_verdict = (int)GUARD_OK;
		return CONN_PROVED;
	case NTLM_GUARD_REFUSED:
		g.verdict = GUARD_BAD;
		d->auth_verdict = (int)GUARD_BAD;
		challenge(cfg, st, f, &g, now, d);
		d->lesson = "11";
		return CONN_ANSWERED;
	case NTLM_GUARD_MALFORMED:
	default:
		g.verdict = GUARD_MALFORMED;
		d->auth_verdict = (int)GUARD_MALFORMED;
		refuse_malformed(f, &g, d);
		d->lesson = "11";
		return CONN_ANSWERED;
	}
}

/* ---- Authorising ---- */

/* Lesson 05: authenticated but refused: 403 with no challenge. */
/*
 * 403: known user, refused by the ACL; no challenge (RFC 9110 §15.5.4).
 * `verdict` says which rule and, once resolved, which address.
 */
static void forbid(const char *method, bool head, const char *user,
		   const char *scheme, const char *host, unsigned port,
		   const char *verdict, struct proxy_decision *d)
{
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_printf(&body,
			"403 Forbidden\n"
			"proxy: %s%s%s%s may not %s %s:%u (ACL: %s).\n"
			"Other credentials were not asked for: there is no "
			"Proxy-Authenticate in a 403.\n",
			user, scheme ? " (authenticated with " : "",
			scheme ? scheme : "", scheme ? ")" : "", method, host,
			port, verdict);
	d->lesson = "05";
	set_why(d,
		"proxy: %s authenticated%s%s, but the ACL refuses %s "
		"%s:%u (%s) -> 403, no challenge",
		user, scheme ? " with " : "", scheme ? scheme : "", method,
		host, port, verdict);
	respond_as(d, head, 403, NULL, &body);
	http_buf_free(&body);
}

/* Lesson 05: the ACL decides on the address that will be connected to. */
/* Step 3b: the ACL on the resolved addresses; see gate.h. */
bool proxy_decide_address(const struct proxy_config *cfg, const char *method,
			  const struct sockaddr_storage *addrs, size_t n,
			  struct proxy_decision *d)
{
	struct acl_request ar;
	struct acl_verdict v;
	char verdict[HTTP_MAX_HOST + 512];
	const char *scheme = d->scheme;

	ar.user = d->user[0] != '\0' ? d->user : ACL_NO_USER;
	ar.method = method;
	ar.host = d->host;
	ar.port = d->port;
	ar.addrs = addrs;
	ar.naddrs = n;
	acl_check(cfg->acl, cfg->policy, &ar, &v);
	if (v.allow)
		return true;
	acl_verdict_describe(&v, cfg->policy, &ar, verdict, sizeof(verdict));
	/* The request body, if any, has not been read: close after. */
	d->close = true;
	forbid(method, strcmp(method, "HEAD") == 0, ar.user, scheme, d->host,
	       d->port, verdict, d);
	return false;
}

/* ---- Forwarding ---- */

/*
 * Fields that are not forwarded.  RFC 9110 §7.6.1: Connection, and the
 * fields known to need removal (Proxy-Connection, Keep-Alive, TE, Upgrade;
 * Transfer-Encoding too, but the body is relayed exactly as it arrived,
 * chunked stays chunked, so its framing field goes with it).  RFC 9110
 * §11.7.2: Proxy-Authorization is consumed by the proxy that expected it,
 * and lab407 never relays it; §11.7.1: Proxy-Authenticate is for the next
 * outbound client.  Trailer stays: it announces trailer fields of a body
 * that is relayed with them.
 */
static const char *const hop_by_hop[] = {
    "Connection", "Proxy-Connection",	 "Keep-Alive",	       "TE",
    "Upgrade",	  "Proxy-Authorization", "Proxy-Authenticate",
};

/* Lesson 06: what never crosses the proxy, Proxy-Authorization included. */
/*
 * True when field i of a message (fields hs[]) must not cross the proxy:
 * one of hop_by_hop[], or named in the message's Connection fields (c,
 * read by facts_read_connection()).  Content-Length and Transfer-Encoding
 * are kept even when Connection names them: the body is framed by them,
 * and a client that could strip them could desynchronise the next hop
 * (request smuggling).
 */
static bool is_hop_by_hop(const struct facts_connection *c,
			  const struct http_header *hs, size_t i)
{
	const struct http_header *h = &hs[i];

	for (size_t k = 0; k < sizeof(hop_by_hop) / sizeof(hop_by_hop[0]); k++)
		if (http_header_is(h, hop_by_hop[k]))
			return true;
	if (http_header_is(h, "Content-Length") ||
	    http_header_is(h, "Transfer-Encoding"))
		return false;
	return i < HTTP_MAX_HEADERS && c->named[i];
}

/*
 * Max-Forwards: 0 on OPTIONS or TRACE, so this proxy is the final
 * recipient and answers itself (RFC 9110 §7.6.2).  TRACE reflects the
 * request head (§9.3.8), leaving out the credentials fields, which must
 * never be echoed.
 */
static void answer_max_forwards(const struct facts *f, struct proxy_decision *d)
{
	const struct http_request *req = f->req;
	struct http_buf body, h;

	http_buf_init(&body, 0);
	http_buf_init(&h, 0);
	d->lesson = "06";
	d->close = client_wants_close(f) || f->close_after_early_answer;
	d->action = PROXY_RESPOND;
	d->status = 200;
	if (method_is(req, "OPTIONS")) {
		http_buf_puts(&h, "Allow: " PROXY_ALLOW_METHODS "\r\n");
		http_buf_puts(&body, "200 OK\nproxy: Max-Forwards is 0, so "
				     "the proxy answers OPTIONS itself.\n");
		respond(d, f, 200, h.data, &body);
	} else {
		http_buf_printf(&body, "%.*s %.*s HTTP/1.%d\r\n",
				(int)req->method_len, req->method,
				(int)req->target_len, req->target,
				req->minor_version);
		for (size_t i = 0; i < req->num_headers; i++) {
			const struct http_header *fl = &req->headers[i];

			if (http_header_is(fl, "Proxy-Authorization") ||
			    http_header_is(fl, "Authorization") ||
			    http_header_is(fl, "Cookie"))
				continue;
			http_buf_printf(&body, "%.*s: %.*s\r\n",
					(int)fl->name_len, fl->name,
					(int)fl->value_len, fl->value);
		}
		http_buf_puts(&body, "\r\n");
		http_buf_reset(&d->out);
		http_write_status_line(&d->out, 200);
		http_buf_puts(&d->out, "Server: " PROXY_SERVER_NAME "\r\n");
		if (d->close)
			http_buf_puts(&d->out, "Connection: close\r\n");
		http_buf_puts(&d->out, "Content-Type: message/http\r\n");
		http_buf_printf(&d->out, "Content-Length: %zu\r\n\r\n",
				body.len);
		http_buf_append(&d->out, body.data, body.len);
		if (body.failed || d->out.failed) {
			http_buf_reset(&d->out);
			d->close = true;
			own_response(&d->out, 500, true, false, NULL, "", 0);
			d->status = 500;
		}
	}
	set_why(d,
		"proxy: %.*s with Max-Forwards: 0 -> the proxy answers "
		"itself, 200 (RFC 9110 §7.6.2)",
		(int)req->method_len, req->method);
	http_buf_free(&body);
	http_buf_free(&h);
}

/* Lesson 01: absolute form in, origin form out, Via appended. */
/*
 * Rewrite the request head for the origin (RFC 9112 §3.2.2, RFC 9110
 * §7.6): origin-form request line, Host from the URL, hop-by-hop fields
 * and Proxy-Authorization dropped, Authorization and every other
 * end-to-end field kept in order, Max-Forwards decremented, our Via last.
 */
static bool rewrite_head(const struct facts *f, long mf, struct http_buf *out)
{
	const struct http_request *req = f->req;
	const struct http_url *u = &f->url;
	char host[PROXY_MAX_AUTHORITY];

	authority(u, host, sizeof(host));
	http_write_request_line(out, req->method, req->method_len, u->path,
				u->path_len);
	/* RFC 9112 §3.2.2: a proxy replaces Host with the URL's authority. */
	http_write_header(out, "Host", host, strlen(host));
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *fl = &req->headers[i];

		if (http_header_is(fl, "Host") ||
		    is_hop_by_hop(&f->connection, req->headers, i))
			continue;
		if (mf > 0 && http_header_is(fl, "Max-Forwards")) {
			http_write_header_uint(out, "Max-Forwards",
					       (unsigned long long)(mf - 1));
			continue;
		}
		http_write_field(out, fl->name, fl->name_len, fl->value,
				 fl->value_len);
	}
	/* RFC 9110 §7.6.3: each proxy appends its own Via entry. */
	http_buf_puts(out, "Via: 1.1 " PROXY_VIA_NAME "\r\n\r\n");
	return !out->failed;
}

/* ---- Deciding ---- */

/* Lesson 02: the whole 407 dance is decided here, step by step. */
/*
 * Decide what to do with one request; see the top of the file for the
 * steps.  d must have been set up with proxy_decision_init().
 */
void proxy_decide(const struct proxy_config *cfg, struct proxy_state *st,
		  const struct http_request *req, const void *body,
		  size_t body_len, uint64_t now, struct proxy_decision *d)
{
	proxy_decide_conn(cfg, st, NULL, req, body, body_len, now, d);
}

/* Lesson 11: the same decision, remembering what the connection proved. */
void proxy_decide_conn(const struct proxy_config *cfg, struct proxy_state *st,
		       struct proxy_conn *conn, const struct http_request *req,
		       const void *body, size_t body_len, uint64_t now,
		       struct proxy_decision *d)
{
	struct facts facts; /* req, read once (http/facts.c) */
	const struct facts *f = &facts;
	const struct http_url *u = &facts.url;
	struct http_request as_path; /* req with a path target (Digest) */
	struct guard_result r;
	struct acl_request ar;
	struct acl_verdict v;
	char method[PROXY_MAX_METHOD];
	char authn[GUARD_MAX_USER + 64];
	const char *scheme = NULL;
	const char *acl_user;
	bool open_proxy = cfg->guard.num_schemes == 0;
	enum conn_outcome co;
	long mf = -1;

	d->user[0] = '\0';
	d->scheme = NULL;
	d->info_header[0] = '\0';
	d->negotiate_reply[0] = '\0';
	d->close = false;
	d->lesson = "02";

	/* Step 1: reading. */
	facts_read(req, &facts);
	if (!read_target(f, d))
		return;
	text_copy(method, sizeof(method), req->method, req->method_len);
	text_set(d->host, sizeof(d->host), u->host);
	d->port = u->port;

	/* Step 2: who are you (RFC 9110 §11.7.2, Proxy-Authorization). */
	if (open_proxy) {
		acl_user = ACL_NO_USER;
		snprintf(authn, sizeof(authn),
			 "no authentication configured (--auth none)");
	} else if ((co = conn_authenticate(cfg, st, conn, f, now, d)) ==
		   CONN_ANSWERED) {
		return;
	} else if (co == CONN_PROVED) {
		scheme = strcmp(d->lesson, "12") == 0 ? "Negotiate" : "NTLM";
		d->scheme = scheme;
		acl_user = d->user;
		snprintf(authn, sizeof(authn),
			 "%s authenticated (%s, this connection)", d->user,
			 scheme);
	} else {
		const struct http_request *checked = req;

		if (!method_is(req, "CONNECT"))
			checked = digest_target(f, u, &as_path);
		guard_check(&cfg->guard, &st->guard, checked, body, body_len,
			    now, &r);
		d->auth_verdict = (int)r.verdict;
		if (r.verdict == GUARD_MALFORMED) {
			refuse_malformed(f, &r, d);
			return;
		}
		if (r.verdict != GUARD_OK) {
			challenge(cfg, st, f, &r, now, d);
			return;
		}
		text_set(d->user, sizeof(d->user), r.user);
		text_set(d->info_header, sizeof(d->info_header), r.info);
		scheme = auth_scheme_name(r.scheme);
		d->scheme = scheme;
		acl_user = d->user;
		snprintf(authn, sizeof(authn), "%s authenticated (%s)", d->user,
			 scheme ? scheme : "?");
	}

	/* Step 3: may you (proxy/acl.c; NULL ACL: everyone may).  Here only
	 * what needs no address; rules on addresses, the proxy's own
	 * address and the final word wait for the shell's
	 * proxy_decide_address(), on what it resolved. */
	ar.user = acl_user;
	ar.method = method;
	ar.host = u->host;
	ar.port = u->port;
	ar.addrs = NULL;
	ar.naddrs = 0;
	acl_check(cfg->acl, cfg->policy, &ar, &v);
	if (!v.allow) {
		char verdict[HTTP_MAX_HOST + 512];

		acl_verdict_describe(&v, cfg->policy, &ar, verdict,
				     sizeof(verdict));
		d->close = client_wants_close(f);
		forbid(method, method_is(req, "HEAD"), acl_user, scheme,
		       u->host, u->port, verdict, d);
		return;
	}

	/* Step 4a: CONNECT opens a tunnel (RFC 9110 §9.3.6). */
	d->close = client_wants_close(f);
	if (method_is(req, "CONNECT")) {
		d->action = PROXY_TUNNEL;
		d->status = 200;
		d->lesson = "07";
		http_buf_reset(&d->out);
		http_buf_puts(&d->out,
			      "HTTP/1.1 200 Connection established\r\n\r\n");
		set_why(d, "proxy: %s, ACL allows -> tunnel to %s:%u", authn,
			u->host, u->port);
		return;
	}

	/* Step 4b: Max-Forwards 0 makes this proxy the final recipient. */
	if (method_is(req, "OPTIONS") || method_is(req, "TRACE")) {
		mf = f->max_forwards;
		if (mf == 0) {
			answer_max_forwards(f, d);
			return;
		}
	}

	/* Step 4c: forward, rewritten. */
	http_buf_reset(&d->out);
	if (!rewrite_head(f, mf, &d->out)) {
		struct http_buf b;

		http_buf_init(&b, 0);
		http_buf_puts(&b, "500 Internal Server Error\nproxy: the "
				  "request head could not be rewritten\n");
		d->close = true;
		set_why(d, "proxy: the head could not be rewritten -> 500");
		respond(d, f, 500, NULL, &b);
		http_buf_free(&b);
		return;
	}
	d->action = PROXY_FORWARD;
	d->status = 0;
	d->lesson = "01";
	set_why(d, "proxy: %s, ACL allows -> forwarding to %s:%u", authn,
		u->host, u->port);
}

/* ---- Relaying the response ---- */

/* Lesson 06: the way back, with the origin's Proxy-Authenticate dropped. */
/*
 * Rewrite an origin's response head for the client: the origin's status
 * and reason, every end-to-end field, our Via (RFC 9110 §7.6.3).  Dropped:
 * hop-by-hop fields and those Connection names (§7.6.1), and
 * Proxy-Authenticate / Proxy-Authentication-Info, which only the next
 * hop may send (§11.7.1): an origin has no business challenging for the
 * proxy.  Transfer-Encoding stays: the body is relayed as it arrives.
 */
bool proxy_relay_head_to(const struct http_response *resp, const char *info,
			 const char *connection, bool dechunk,
			 struct http_buf *out)
{
	return proxy_relay_head_auth(resp, info, NULL, connection, dechunk,
				     out);
}

/* Lesson 12: the mutual-authentication token rides on the final answer. */
bool proxy_relay_head_auth(const struct http_response *resp, const char *info,
			   const char *negotiate, const char *connection,
			   bool dechunk, struct http_buf *out)
{
	struct facts_connection conn;

	facts_read_connection(resp->headers, resp->num_headers, &conn);
	http_buf_puts(out, "HTTP/1.1 ");
	http_buf_putu(out, (unsigned)resp->status);
	http_buf_append(out, " ", 1);
	http_buf_append(out, resp->reason, resp->reason_len);
	http_buf_append(out, "\r\n", 2);
	for (size_t i = 0; i < resp->num_headers; i++) {
		const struct http_header *f = &resp->headers[i];

		if (is_hop_by_hop(&conn, resp->headers, i) ||
		    http_header_is(f, "Proxy-Authentication-Info"))
			continue;
		/* The data alone follows, ended by the close. */
		if (dechunk && http_header_is(f, "Transfer-Encoding"))
			continue;
		http_write_field(out, f->name, f->name_len, f->value,
				 f->value_len);
	}
	http_buf_puts(out, "Via: 1.1 " PROXY_VIA_NAME "\r\n");
	if (info != NULL && info[0] != '\0')
		http_write_header(out, "Proxy-Authentication-Info", info,
				  strlen(info));
	if (negotiate != NULL && negotiate[0] != '\0')
		http_buf_printf(out, "Proxy-Authenticate: Negotiate %s\r\n",
				negotiate);
	if (connection != NULL)
		http_write_header(out, "Connection", connection,
				  strlen(connection));
	http_buf_puts(out, "\r\n");
	return !out->failed;
}

bool proxy_relay_head_ex(const struct http_response *resp, const char *info,
			 const char *connection, struct http_buf *out)
{
	return proxy_relay_head_to(resp, info, connection, false, out);
}

/* The REPL's form: no Proxy-Authentication-Info, no Connection. */
bool proxy_relay_head(const struct http_response *resp, struct http_buf *out)
{
	return proxy_relay_head_ex(resp, NULL, NULL, out);
}

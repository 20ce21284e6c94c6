/*
 * http/message.c - a strict HTTP/1.1 message parser.
 *
 * The parser is in the picohttpparser shape: it never allocates, it fills
 * pointer+length pairs that point into the caller's bytes, and it never
 * reads past buf+len.  Every line is first delimited (CRLF, with bare CR
 * and bare LF rejected), then checked against the grammar of RFC 9112.
 * A line that is not complete yet is checked as far as it goes, so
 * garbage is rejected early instead of waiting for more bytes.
 *
 * Sections: Characters, Lines, Request-line, Status-line, Field lines,
 * Parsing a head, Request line, Host, Body framing, Field blocks.  Looking
 * fields up is http/header.c; writing messages, http/write.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "message.h"

#include <stdarg.h>
#include <string.h>

#include "status.h"
#include "url.h"

/* RFC 9112 §2.2: a server SHOULD ignore at least one empty line before
 * the request-line; we allow a few, not an unbounded stream. */
#define HTTP_MAX_LEADING_EMPTY_LINES 4

/* Result of checking a piece that may be incomplete. */
#define MORE HTTP_E_PARTIAL

/* ---- Characters ---- */

/*
 * The class of every byte, looked up once instead of tested by ranges
 * and strchr() for each byte of every head (the parser's inner loops
 * were a tenth of bin/proxy's instructions a request, callgrind).
 *   CC_TCHAR: RFC 9110 §5.6.2, tchar = "!" / "#" / "$" / "%" / "&" / "'" /
 *     "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
 *   CC_FIELD: RFC 9110 §5.5, a byte of a field value: VCHAR, obs-text
 *     (0x80-0xff), SP or HTAB.
 * tests/unit/test_message.c checks the table against the grammar's
 * ranges for all 256 bytes.
 */
enum { CC_TCHAR = 1, CC_FIELD = 2 };

#define CC_T (CC_TCHAR | CC_FIELD) /* a tchar is also a VCHAR */
#define CC_F CC_FIELD
#define CC_TCHAR_PUNCT(c)                                                      \
	((c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' || (c) == '&' || \
	 (c) == '\'' || (c) == '*' || (c) == '+' || (c) == '-' ||              \
	 (c) == '.' || (c) == '^' || (c) == '_' || (c) == '`' || (c) == '|' || \
	 (c) == '~')
#define CC_OF(c)                                                               \
	((((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') ||          \
	  ((c) >= '0' && (c) <= '9') || CC_TCHAR_PUNCT(c))                     \
	     ? CC_T                                                            \
	 : ((c) == ' ' || (c) == '\t' || ((c) >= 0x21 && (c) != 0x7f)) ? CC_F  \
								       : 0)
/* Sixteen entries of a byte table, F of bytes r..r+15, and all 256. */
#define TABLE_ROW(F, r)                                                        \
	F(r + 0), F(r + 1), F(r + 2), F(r + 3), F(r + 4), F(r + 5), F(r + 6),  \
	    F(r + 7), F(r + 8), F(r + 9), F(r + 10), F(r + 11), F(r + 12),     \
	    F(r + 13), F(r + 14), F(r + 15)
#define TABLE_OF(F)                                                            \
	{                                                                      \
		TABLE_ROW(F, 0x00), TABLE_ROW(F, 0x10), TABLE_ROW(F, 0x20),    \
		    TABLE_ROW(F, 0x30), TABLE_ROW(F, 0x40),                    \
		    TABLE_ROW(F, 0x50), TABLE_ROW(F, 0x60),                    \
		    TABLE_ROW(F, 0x70), TABLE_ROW(F, 0x80),                    \
		    TABLE_ROW(F, 0x90), TABLE_ROW(F, 0xa0),                    \
		    TABLE_ROW(F, 0xb0), TABLE_ROW(F, 0xc0),                    \
		    TABLE_ROW(F, 0xd0), TABLE_ROW(F, 0xe0), TABLE_ROW(F, 0xf0) \
	}

static const unsigned char char_class[256] = TABLE_OF(CC_OF);

/* The lower-case form of each byte (ASCII letters only). */
/* (the cast: clang checks the arm not taken too, 0xff + 32 included) */
#define LC_OF(c)                                                               \
	((unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' : (c)))

static const unsigned char lower[256] = TABLE_OF(LC_OF);

bool http_is_tchar(int c)
{
	return c >= 0 && c < 256 && (char_class[c] & CC_TCHAR);
}

/* True when s[0..n) is a non-empty token. */
bool http_is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(char_class[(unsigned char)s[i]] & CC_TCHAR))
			return false;
	return true;
}

/* RFC 9110 §5.5: field-value = *field-content; field-vchar = VCHAR /
 * obs-text; SP and HTAB may appear inside. */
bool http_is_field_char(unsigned char c)
{
	return (char_class[c] & CC_FIELD) != 0;
}

bool http_is_field_value(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!http_is_field_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Optional whitespace (RFC 9110 §5.6.3): SP or HTAB. */
bool http_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII case-insensitive equality of a[0..n) and b[0..n). */
bool http_same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower[(unsigned char)a[i]] != lower[(unsigned char)b[i]])
			return false;
	return true;
}

/* ---- Lines ---- */

/*
 * Find the end of the line starting at p, bounded by end.  RFC 9112 §2.2:
 * lines end in CRLF; we reject a bare CR and a bare LF (a lenient
 * recipient may accept them, but two parsers that disagree on where a
 * line ends are how requests get smuggled).
 *
 * On HTTP_OK, *content_len is the line without CRLF and *line_len with it.
 * On MORE, *content_len is how many bytes of content are in so far.
 */
static enum http_err find_line(const char *p, const char *end,
			       size_t *content_len, size_t *line_len)
{
	/* The first CR or LF: memchr() for each, the LF only before the CR
	 * (both are a few instructions a 32 bytes). */
	const char *cr = memchr(p, '\r', (size_t)(end - p));
	const char *q = cr != NULL ? cr : end;
	const char *lf = memchr(p, '\n', (size_t)(q - p));

	if (lf != NULL)
		q = lf;
	*content_len = (size_t)(q - p);
	if (q == end)
		return MORE;
	if (*q == '\n')
		return HTTP_E_BARE_LF;
	if (q + 1 == end)
		return MORE;
	if (q[1] != '\n')
		return HTTP_E_BARE_CR;
	*line_len = *content_len + 2;
	return HTTP_OK;
}

/*
 * Check a version at p[0..n).  RFC 9112 §2.3: HTTP-version = HTTP-name
 * "/" DIGIT "." DIGIT, the name case-sensitive.  Only "HTTP/1.0" and
 * "HTTP/1.1" are spoken: a higher minor version ("HTTP/1.2") is read as
 * HTTP/1.1 (RFC 9110 §2.5: a recipient SHOULD process it as the highest
 * minor version it conforms to); a well-formed version with another major
 * digit ("HTTP/2.0") is HTTP_E_VERSION_UNSUPPORTED, which a server
 * answers with 505 (RFC 9110 §15.6.6); anything else is HTTP_E_VERSION.
 * A correct prefix of a still incomplete line is MORE.
 */
static enum http_err check_version(const char *p, size_t n, bool complete,
				   int *minor)
{
	static const char name[] = "HTTP/";
	const size_t nlen = sizeof name - 1;
	size_t k = n < nlen ? n : nlen;

	if (memcmp(p, name, k) != 0)
		return HTTP_E_VERSION;
	if (n > nlen && (p[nlen] < '0' || p[nlen] > '9'))
		return HTTP_E_VERSION;
	if (n > nlen + 1 && p[nlen + 1] != '.')
		return HTTP_E_VERSION;
	if (n > nlen + 2 && (p[nlen + 2] < '0' || p[nlen + 2] > '9'))
		return HTTP_E_VERSION;
	if (n > nlen + 3)
		return HTTP_E_VERSION;
	if (n < nlen + 3)
		return complete ? HTTP_E_VERSION : MORE;
	if (p[nlen] != '1')
		return HTTP_E_VERSION_UNSUPPORTED;
	*minor = p[nlen + 2] == '0' ? 0 : 1;
	return HTTP_OK;
}

/* ---- Request-line ---- */

/*
 * RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
 * p[0..n) is the line content; complete says whether its CRLF arrived.
 */
static enum http_err parse_request_line(const char *p, size_t n, bool complete,
					struct http_request *req)
{
	size_t i = 0;

	/* RFC 9110 §9.1: method = token. */
	while (i < n && (char_class[(unsigned char)p[i]] & CC_TCHAR))
		i++;
	if (i == n)
		return complete ? HTTP_E_METHOD : MORE;
	if (p[i] != ' ' || i == 0)
		return HTTP_E_METHOD;
	req->method = p;
	req->method_len = i;
	i++;

	/* RFC 9112 §3.2: the target has no whitespace or control bytes;
	 * we also refuse non-ASCII (it must be percent-encoded), and '#':
	 * none of the four forms has a fragment (§3.2, RFC 9110 §4.2.5). */
	size_t t0 = i;
	while (i < n && p[i] != ' ') {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c >= 0x7f || c == '#')
			return HTTP_E_TARGET;
		if (i - t0 >= HTTP_MAX_TARGET_BYTES)
			return HTTP_E_TARGET_TOO_LONG;
		i++;
	}
	if (i == n)
		return complete ? HTTP_E_TARGET : MORE;
	if (i == t0)
		return HTTP_E_TARGET;
	req->target = p + t0;
	req->target_len = i - t0;
	i++;

	return check_version(p + i, n - i, complete, &req->minor_version);
}

/* ---- Status-line ---- */

/*
 * RFC 9112 §4: status-line = HTTP-version SP status-code SP
 * [ reason-phrase ].  We also accept a line that ends right after the
 * code, which servers send and RFC 9112 §4 asks clients to tolerate
 * (the reason phrase carries no meaning).
 */
static enum http_err parse_status_line(const char *p, size_t n, bool complete,
				       struct http_response *resp)
{
	size_t i = 0;
	while (i < n && p[i] != ' ')
		i++;
	enum http_err e =
	    check_version(p, i, complete || i < n, &resp->minor_version);
	if (e != HTTP_OK)
		return e;
	if (i == n)
		return complete ? HTTP_E_STATUS : MORE;
	i++;

	/* status-code = 3DIGIT; the first digit is the class, 1..9. */
	int code = 0;
	for (int d = 0; d < 3; d++, i++) {
		if (i == n)
			return complete ? HTTP_E_STATUS : MORE;
		if (p[i] < '0' || p[i] > '9' || (d == 0 && p[i] == '0'))
			return HTTP_E_STATUS;
		code = code * 10 + (p[i] - '0');
	}
	resp->status = code;
	resp->reason = p + n;
	resp->reason_len = 0;
	if (i == n)
		return complete ? HTTP_OK : MORE;
	if (p[i] != ' ')
		return HTTP_E_STATUS;
	i++;

	/* reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
	for (size_t k = i; k < n; k++)
		if (!(char_class[(unsigned char)p[k]] & CC_FIELD))
			return HTTP_E_STATUS;
	resp->reason = p + i;
	resp->reason_len = n - i;
	return complete ? HTTP_OK : MORE;
}

/* ---- Field lines ---- */

/*
 * RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.
 * Fills h (value with OWS trimmed) when the line is complete.
 */
static enum http_err parse_field_line(const char *p, size_t n, bool complete,
				      struct http_header *h)
{
	size_t i = 0;

	/* RFC 9112 §5.2: obs-fold is a line starting with SP or HTAB. */
	if (n > 0 && http_is_ows(p[0]))
		return HTTP_E_OBS_FOLD;

	/* RFC 9110 §5.1: field-name = token. */
	while (i < n && (char_class[(unsigned char)p[i]] & CC_TCHAR))
		i++;
	if (i == n)
		return complete ? HTTP_E_HEADER_NAME : MORE;
	if (http_is_ows(p[i]) && i > 0)
		/* RFC 9112 §5.1: no whitespace between name and colon; a
		 * server MUST reject such a message with 400. */
		return HTTP_E_SPACE_BEFORE_COLON;
	if (p[i] != ':' || i == 0)
		return HTTP_E_HEADER_NAME;
	size_t name_len = i++;

	/* RFC 9110 §5.5: field values are VCHAR, obs-text, SP and HTAB;
	 * NUL, CR, LF and other controls are refused. */
	for (size_t k = i; k < n; k++)
		if (!(char_class[(unsigned char)p[k]] & CC_FIELD))
			return HTTP_E_HEADER_VALUE;
	if (!complete)
		return MORE;

	size_t v0 = i, v1 = n;
	while (v0 < v1 && http_is_ows(p[v0]))
		v0++;
	while (v1 > v0 && http_is_ows(p[v1 - 1]))
		v1--;
	h->name = p;
	h->name_len = name_len;
	h->value = p + v0;
	h->value_len = v1 - v0;
	return HTTP_OK;
}

/* ---- Parsing a head ---- */

/*
 * Parse the field lines from buf[pos..lim) into hs; on HTTP_OK *used is
 * the offset just past the blank line that ends the head.
 */
static enum http_err parse_fields(const char *buf, size_t pos, size_t lim,
				  struct http_header *hs, size_t *num,
				  size_t *used)
{
	const char *end = buf + lim;
	*num = 0;
	for (;;) {
		size_t clen = 0, llen = 0;
		enum http_err le = find_line(buf + pos, end, &clen, &llen);
		if (le == HTTP_OK && clen == 0) {
			*used = pos + llen;
			return HTTP_OK;
		}
		if (le != HTTP_OK && clen == 0)
			return le;
		struct http_header tmp;
		struct http_header *h =
		    *num < HTTP_MAX_HEADERS ? &hs[*num] : &tmp;
		enum http_err fe =
		    parse_field_line(buf + pos, clen, le == HTTP_OK, h);
		if (fe != HTTP_OK && fe != MORE)
			return fe;
		if (le != HTTP_OK)
			return le;
		if (fe == MORE)
			return MORE;
		if (*num == HTTP_MAX_HEADERS)
			return HTTP_E_TOO_MANY_HEADERS;
		(*num)++;
		pos += llen;
	}
}

/*
 * The length limit: a head is parsed within its first HTTP_MAX_HEAD_BYTES;
 * when it is still partial and the caller already holds that many bytes,
 * it can never complete (431, RFC 6585 §5).
 */
static long finish(enum http_err e, size_t used, size_t len, enum http_err *err)
{
	if (e == MORE && len >= HTTP_MAX_HEAD_BYTES)
		e = HTTP_E_HEAD_TOO_LARGE;
	*err = e;
	if (e == HTTP_OK)
		return (long)used;
	return e == MORE ? HTTP_PARSE_PARTIAL : HTTP_PARSE_ERROR;
}

/*
 * Lesson 01: the request line a proxy reads first.
 * Parse a request head from buf[0..len).  Returns bytes consumed through
 * the blank line, HTTP_PARSE_PARTIAL, or HTTP_PARSE_ERROR with *err set.
 * Pointers in req point into buf, which the caller keeps alive.
 */
long http_parse_request(const char *buf, size_t len, struct http_request *req,
			enum http_err *err)
{
	size_t lim = len < HTTP_MAX_HEAD_BYTES ? len : HTTP_MAX_HEAD_BYTES;
	const char *end = buf + lim;
	size_t pos = 0, clen = 0, llen = 0, used = 0;
	enum http_err e;

	req->method = req->target = NULL;
	req->method_len = req->target_len = 0;
	req->minor_version = 0;
	req->num_headers = 0;

	/* RFC 9112 §2.2: skip a few empty lines before the request-line. */
	for (int skipped = 0;; skipped++) {
		e = find_line(buf + pos, end, &clen, &llen);
		if (clen > 0 || e != HTTP_OK)
			break;
		if (skipped == HTTP_MAX_LEADING_EMPTY_LINES)
			return finish(HTTP_E_SYNTAX, 0, len, err);
		pos += llen;
	}
	if (e != HTTP_OK && clen == 0)
		return finish(e, 0, len, err);

	enum http_err se =
	    parse_request_line(buf + pos, clen, e == HTTP_OK, req);
	if (se != HTTP_OK && se != MORE)
		return finish(se, 0, len, err);
	if (e != HTTP_OK)
		return finish(e, 0, len, err);
	pos += llen;

	e = parse_fields(buf, pos, lim, req->headers, &req->num_headers, &used);
	return finish(e, used, len, err);
}

/* A field section with no start line before it; see message.h. */
long http_parse_fields(const char *buf, size_t len, struct http_header *hs,
		       size_t *num, enum http_err *err)
{
	size_t lim = len < HTTP_MAX_HEAD_BYTES ? len : HTTP_MAX_HEAD_BYTES;
	size_t used = 0;
	enum http_err e = parse_fields(buf, 0, lim, hs, num, &used);

	return finish(e, used, len, err);
}

/* The same for a response head; the status-line comes first at once. */
long http_parse_response(const char *buf, size_t len,
			 struct http_response *resp, enum http_err *err)
{
	size_t lim = len < HTTP_MAX_HEAD_BYTES ? len : HTTP_MAX_HEAD_BYTES;
	size_t clen = 0, llen = 0, used = 0;

	resp->minor_version = 0;
	resp->status = 0;
	resp->reason = NULL;
	resp->reason_len = 0;
	resp->num_headers = 0;

	enum http_err e = find_line(buf, buf + lim, &clen, &llen);
	if (e != HTTP_OK && clen == 0)
		return finish(e, 0, len, err);
	enum http_err se = parse_status_line(buf, clen, e == HTTP_OK, resp);
	if (se != HTTP_OK && se != MORE)
		return finish(se, 0, len, err);
	if (e != HTTP_OK)
		return finish(e, 0, len, err);

	e = parse_fields(buf, llen, lim, resp->headers, &resp->num_headers,
			 &used);
	return finish(e, used, len, err);
}

/* ---- Request line ---- */

/* The method is exactly m: methods are case-sensitive (RFC 9110 §9.1). */
bool http_request_method_is(const struct http_request *req, const char *m)
{
	size_t n = strlen(m);

	return req->method_len == n && memcmp(req->method, m, n) == 0;
}

/* ---- Host ---- */

/*
 * RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status
 * code to any HTTP/1.1 request message that lacks a Host header field and
 * to any request message that contains more than one Host header field
 * line or a Host header field with an invalid field value."  A list
 * ("Host: a, b") is one invalid value, not two hosts.
 */
enum http_err http_request_check_host(const struct http_request *req)
{
	size_t pos = 0;
	const struct http_header *h =
	    http_header_next(req->headers, req->num_headers, "Host", &pos);
	size_t count = h == NULL ? 0 : 1;

	if (h != NULL && http_header_next(req->headers, req->num_headers,
					  "Host", &pos) != NULL)
		count = 2;
	return http_host_rule(req->minor_version, h, count);
}

/* The rule itself, on what a reader found: the first Host field line (or
 * NULL) and how many there are. */
enum http_err http_host_rule(int minor_version, const struct http_header *host,
			     size_t count)
{
	struct http_url u;

	if (host == NULL)
		return minor_version == 0 ? HTTP_OK : HTTP_E_HOST_MISSING;
	if (count > 1)
		return HTTP_E_HOST_REPEATED;
	if (http_host_parse(host->value, host->value_len, &u) != HTTP_OK)
		return HTTP_E_HOST;
	return HTTP_OK;
}

/* ---- Body framing ---- */

/*
 * RFC 9110 §8.6: Content-Length = 1*DIGIT.  Every value of every field
 * (a list like "5, 5" counts as two) must be digits, fit in 64 bits and
 * agree (RFC 9112 §6.3 item 5).  *found says whether there was any.
 */
static enum http_err content_length(const struct http_header *hs, size_t n,
				    bool *found, uint64_t *out)
{
	*found = false;
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (!http_header_is(&hs[i], "Content-Length"))
			continue;
		const char *v = hs[i].value;
		size_t vn = hs[i].value_len, k = 0;
		for (;;) {
			while (k < vn && http_is_ows(v[k]))
				k++;
			uint64_t x = 0;
			size_t d0 = k;
			while (k < vn && v[k] >= '0' && v[k] <= '9') {
				unsigned digit = (unsigned)(v[k] - '0');
				if (x > (UINT64_MAX - digit) / 10)
					return HTTP_E_CL_INVALID;
				x = x * 10 + digit;
				k++;
			}
			if (k == d0)
				return HTTP_E_CL_INVALID;
			while (k < vn && http_is_ows(v[k]))
				k++;
			if (*found && x != *out)
				return HTTP_E_CL_CONFLICT;
			*found = true;
			*out = x;
			if (k == vn)
				break;
			if (v[k] != ',')
				return HTTP_E_CL_INVALID;
			k++;
		}
	}
	return HTTP_OK;
}

/*
 * RFC 9112 §6.1: Transfer-Encoding lists codings in the order applied;
 * chunked must be the last one and must appear once.  Sets *chunked when
 * the list ends in chunked, *present when there is any Transfer-Encoding.
 */
static enum http_err transfer_coding(const struct http_header *hs, size_t n,
				     bool *present, bool *chunked)
{
	size_t seen = 0;
	bool last_chunked = false;
	*present = false;
	for (size_t i = 0; i < n; i++) {
		if (!http_header_is(&hs[i], "Transfer-Encoding"))
			continue;
		*present = true;
		size_t pos = 0, elen = 0;
		const char *e = NULL;
		while (http_list_next(hs[i].value, hs[i].value_len, &pos, &e,
				      &elen)) {
			/* A coding already applied after chunked. */
			if (last_chunked)
				return HTTP_E_TE_UNSUPPORTED;
			last_chunked =
			    elen == 7 && http_same_ci(e, "chunked", 7);
			seen++;
		}
	}
	if (*present && seen == 0)
		return HTTP_E_TE_UNSUPPORTED;
	*chunked = last_chunked;
	return HTTP_OK;
}

/*
 * Framing of a request body, RFC 9112 §6.3 items 3-6 (and §6.1 for
 * HTTP/1.0): Content-Length with
 * Transfer-Encoding is refused (request smuggling), a transfer coding must
 * end in chunked, Content-Length must be valid, otherwise no body.
 */
enum http_err http_request_framing(const struct http_request *req,
				   struct http_body_info *out)
{
	bool te = false, chunked = false, cl = false;
	uint64_t length = 0;
	enum http_err e;

	out->framing = HTTP_BODY_NONE;
	out->length = 0;
	/* §6.1: an HTTP/1.0 message with Transfer-Encoding is treated as
	 * having faulty framing, whatever else it says: 400, then close. */
	if (req->minor_version == 0 &&
	    http_header_find(req->headers, req->num_headers,
			     "Transfer-Encoding") != NULL)
		return HTTP_E_TE_HTTP10;
	e = transfer_coding(req->headers, req->num_headers, &te, &chunked);
	if (e != HTTP_OK)
		return e;
	if (te && http_header_find(req->headers, req->num_headers,
				   "Content-Length") != NULL)
		return HTTP_E_CL_AND_TE;
	if (te) {
		/* §6.3 item 4: a request whose final coding is not chunked
		 * has no way to find its end: 400. */
		if (!chunked)
			return HTTP_E_TE_UNSUPPORTED;
		out->framing = HTTP_BODY_CHUNKED;
		return HTTP_OK;
	}
	e = content_length(req->headers, req->num_headers, &cl, &length);
	if (e != HTTP_OK)
		return e;
	if (cl) {
		out->framing = HTTP_BODY_LENGTH;
		out->length = length;
	}
	return HTTP_OK;
}

/*
 * Framing of a response to a request with `method`, RFC 9112 §6.3 items
 * 1-7: HEAD, 1xx, 204 and 304 have no body; a 2xx to CONNECT starts a
 * tunnel; otherwise chunked, Content-Length, or read until close.
 */
enum http_err http_response_framing(const struct http_response *resp,
				    const char *method, size_t method_len,
				    struct http_body_info *out)
{
	bool te = false, chunked = false, cl = false;
	uint64_t length = 0;
	enum http_err e;
	int s = resp->status;

	out->framing = HTTP_BODY_NONE;
	out->length = 0;
	if (method_len == 4 && memcmp(method, "HEAD", 4) == 0)
		return HTTP_OK;
	if ((s >= 100 && s < 200) || s == 204 || s == 304)
		return HTTP_OK;
	if (method_len == 7 && memcmp(method, "CONNECT", 7) == 0 && s >= 200 &&
	    s < 300)
		return HTTP_OK;

	e = transfer_coding(resp->headers, resp->num_headers, &te, &chunked);
	if (e != HTTP_OK)
		return e;
	if (te && http_header_find(resp->headers, resp->num_headers,
				   "Content-Length") != NULL)
		return HTTP_E_CL_AND_TE;
	if (te) {
		/* §6.3 item 4: for a response, a final coding other than
		 * chunked means the body ends when the connection closes. */
		out->framing =
		    chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_UNTIL_CLOSE;
		return HTTP_OK;
	}
	e = content_length(resp->headers, resp->num_headers, &cl, &length);
	if (e != HTTP_OK)
		return e;
	if (cl) {
		out->framing = HTTP_BODY_LENGTH;
		out->length = length;
	} else {
		out->framing = HTTP_BODY_UNTIL_CLOSE;
	}
	return HTTP_OK;
}

/* ---- Field blocks ---- */

/*
 * True when s is a run of complete "Name: value\r\n" lines: no bare CR or
 * LF, no empty line that would end the head early.
 */
bool http_is_field_block(const char *s)
{
	size_t n = strlen(s), pos = 0;
	while (pos < n) {
		size_t clen = 0, llen = 0;
		struct http_header h;
		if (find_line(s + pos, s + n, &clen, &llen) != HTTP_OK)
			return false;
		if (parse_field_line(s + pos, clen, true, &h) != HTTP_OK)
			return false;
		pos += llen;
	}
	return true;
}

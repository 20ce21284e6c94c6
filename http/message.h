/*
 * http/message.h - a strict HTTP/1.1 message parser and serializer.
 *
 * Parsing is in the picohttpparser shape: the caller owns the bytes, the
 * parser fills a struct of pointer+length pairs that point into them, and
 * returns how many bytes the head took, HTTP_PARSE_PARTIAL when the head
 * is not complete yet, or HTTP_PARSE_ERROR with an error code.  It never
 * allocates and never reads past buf+len.
 *
 * Strict means RFC 9112 as a security boundary reads it: no obs-fold, no
 * whitespace before a colon, no bare CR, no bare LF, no control characters
 * in values (each its own error code, so a 400 body can say which).
 *
 * Where the code is: http/message.c (parsing, header look-up, framing,
 * serializing); the chunked decoder is http/chunked.h, URLs http/url.h.
 */
#ifndef LAB407_HTTP_MESSAGE_H
#define LAB407_HTTP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define HTTP_MAX_HEADERS 100	   /* fields in one head */
#define HTTP_MAX_HEAD_BYTES 16384  /* whole header section: 431 past it */
#define HTTP_MAX_TARGET_BYTES 8192 /* request-target: 414 past it */

#define HTTP_PARSE_ERROR (-1L)
#define HTTP_PARSE_PARTIAL (-2L)

struct http_header {
	const char *name; /* points into the caller's buffer */
	size_t name_len;
	const char *value; /* leading and trailing OWS removed */
	size_t value_len;
};

struct http_request {
	const char *method;
	size_t method_len;
	const char *target; /* as sent: absolute-form, origin-form, ... */
	size_t target_len;
	int minor_version; /* 0 or 1 */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t num_headers;
};

struct http_response {
	int minor_version;
	int status; /* 100..999 */
	const char *reason;
	size_t reason_len;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t num_headers;
};

/*
 * Parse a request head from buf[0..len).  Returns bytes consumed (> 0)
 * through the blank line, HTTP_PARSE_PARTIAL, or HTTP_PARSE_ERROR with *err
 * set.  A partial head already longer than HTTP_MAX_HEAD_BYTES is an error
 * (HTTP_E_HEAD_TOO_LARGE) so a reader knows to stop waiting.
 */
long http_parse_request(const char *buf, size_t len, struct http_request *req,
			enum http_err *err);
/* The same for a response head. */
long http_parse_response(const char *buf, size_t len,
			 struct http_response *resp, enum http_err *err);
/*
 * A field section alone (field lines, then the empty line), with the same
 * rules as a head's: fills hs[0..HTTP_MAX_HEADERS) and *num; returns the
 * bytes consumed, HTTP_PARSE_PARTIAL or HTTP_PARSE_ERROR with *err.  For
 * field lines that come from elsewhere than a message (bin/client's -H).
 */
long http_parse_fields(const char *buf, size_t len, struct http_header *hs,
		       size_t *num, enum http_err *err);

/* ---- characters ---- */

/* RFC 9110 §5.6.2: c is a tchar (a byte allowed in a token). */
bool http_is_tchar(int c);
/* s[0..n) is a non-empty token (method, field name, auth-scheme). */
bool http_is_token(const char *s, size_t n);

/* ---- request line ---- */

/* The request's method is exactly m (case-sensitive, RFC 9110 §9.1). */
bool http_request_method_is(const struct http_request *req, const char *m);

/* ---- header look-up ---- */

/* ---- Host (RFC 9112 §3.2) ---- */

/*
 * The Host rule, for proxy and origin alike: HTTP_E_HOST_MISSING for an
 * HTTP/1.1 request without Host (HTTP/1.0 may omit it),
 * HTTP_E_HOST_REPEATED for more than one Host field line, HTTP_E_HOST for
 * a value that is not host[:port] (http_host_parse()); else HTTP_OK.
 * Each is a 400.  It checks the field only: with an absolute-form target
 * the target's authority is used and Host's value ignored (§3.2.2).
 */
enum http_err http_request_check_host(const struct http_request *req);
/* The same rule on what a reader already found: the first Host field line
 * (NULL when none) and how many Host field lines there are. */
enum http_err http_host_rule(int minor_version, const struct http_header *host,
			     size_t count);

/* ---- body framing (RFC 9112 §6) ---- */

enum http_framing {
	HTTP_BODY_NONE,	      /* no body */
	HTTP_BODY_LENGTH,     /* Content-Length bytes */
	HTTP_BODY_CHUNKED,    /* chunked transfer coding */
	HTTP_BODY_UNTIL_CLOSE /* response read until the connection closes */
};

struct http_body_info {
	enum http_framing framing;
	uint64_t length; /* for HTTP_BODY_LENGTH */
};

/*
 * Framing of a request body: rejects Content-Length with Transfer-Encoding,
 * differing duplicate Content-Length, a transfer coding other than a final
 * chunked (RFC 9112 §6.3 items 3-6), and any Transfer-Encoding in an
 * HTTP/1.0 request (HTTP_E_TE_HTTP10, §6.1).  Every error is a 400 after
 * which the connection closes.
 */
enum http_err http_request_framing(const struct http_request *req,
				   struct http_body_info *out);
/* Framing of a response to a request with `method` (HEAD, CONNECT, 1xx, 204,
 * 304). */
enum http_err http_response_framing(const struct http_response *resp,
				    const char *method, size_t method_len,
				    struct http_body_info *out);

/* ---- Characters, for the readers and writers beside this one ---- */

/* RFC 9110 §5.5: a byte a field value may hold (VCHAR, obs-text, SP, HTAB). */
bool http_is_field_char(unsigned char c);
/* True when every byte of s[0..n) is one (n may be 0). */
bool http_is_field_value(const char *s, size_t n);
/* RFC 9110 §5.6.3: OWS is SP or HTAB. */
bool http_is_ows(char c);
/* ASCII case-insensitive equality of a[0..n) and b[0..n). */
bool http_same_ci(const char *a, const char *b, size_t n);
/* True when s is a run of complete "Name: value\r\n" lines: no bare CR or
 * LF, no empty line that would end the head early. */
bool http_is_field_block(const char *s);

#endif

/* What http/header.c and http/write.c declare comes with this header:
 * every reader of a head looks fields up, and most write one. */
#include "header.h"
#include "write.h"

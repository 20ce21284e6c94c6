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

/* ---- header look-up ---- */

/* Case-insensitive compare of a field name with a C string. */
bool http_header_is(const struct http_header *h, const char *name);
/*
 * Find the next field called `name` at index >= *pos; on success returns
 * it and sets *pos past it, so a loop walks every occurrence.  NULL when
 * there is none.
 */
const struct http_header *http_header_next(const struct http_header *hs,
					   size_t n, const char *name,
					   size_t *pos);
/* First occurrence or NULL. */
const struct http_header *http_header_find(const struct http_header *hs,
					   size_t n, const char *name);
/* How many fields called `name`. */
size_t http_header_count(const struct http_header *hs, size_t n,
			 const char *name);
/*
 * True when any field called `name` lists `token` in its comma-separated
 * value (case-insensitive), e.g. ("Connection", "close").
 */
bool http_header_has_token(const struct http_header *hs, size_t n,
			   const char *name, const char *token);
/*
 * The list walker (RFC 9110 §5.6.1): the next element of the
 * comma-separated list v[0..n) at or after *pos, OWS trimmed, empty
 * elements skipped, as *elem (into v) and *elen; *pos moves past it.
 * False at the end.  Quotes are not special: use it on lists of tokens.
 */
bool http_list_next(const char *v, size_t n, size_t *pos, const char **elem,
		    size_t *elen);

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

/* ---- serializing ---- */

/* "METHOD target HTTP/1.1\r\n" */
bool http_write_request_line(struct http_buf *b, const char *method,
			     size_t method_len, const char *target,
			     size_t target_len);
/* "HTTP/1.1 407 Proxy Authentication Required\r\n" (reason from status table)
 */
bool http_write_status_line(struct http_buf *b, int status);
/* "Name: value\r\n"; refuses CR/LF/NUL in either. */
bool http_write_header(struct http_buf *b, const char *name, const char *value,
		       size_t value_len);
/* The same with a counted name (a field line copied from a parsed head). */
bool http_write_field(struct http_buf *b, const char *name, size_t name_len,
		      const char *value, size_t value_len);
/* "Name: 1234\r\n". */
bool http_write_header_uint(struct http_buf *b, const char *name,
			    unsigned long long v);
bool http_write_headerf(struct http_buf *b, const char *name, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
/*
 * A whole response with a text/plain body: status line, `extra` (already
 * formatted "Name: value\r\n" lines, may be NULL), Content-Type,
 * Content-Length, blank line, body.
 */
bool http_write_text_response(struct http_buf *b, int status, const char *extra,
			      const char *body, size_t body_len);

#endif

/*
 * http/write.c - writing messages: request and status lines, field lines
 * checked so that nothing can smuggle a CRLF in, and whole text/plain
 * responses.  Every write is bounded by the http_buf's limit; a refused
 * one marks the buffer failed, so a caller checks once at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include "write.h"

#include <stdarg.h>
#include <string.h>

#include "message.h"
#include "status.h"

/* Mark the buffer failed and say no: one check at the end catches it. */
static bool refuse(struct http_buf *b)
{
	b->failed = true;
	return false;
}

/* ---- Start lines ---- */

/*
 * "METHOD target HTTP/1.1\r\n".  The method must be a token and the
 * target free of whitespace and controls, or nothing is written.
 */
bool http_write_request_line(struct http_buf *b, const char *method,
			     size_t method_len, const char *target,
			     size_t target_len)
{
	if (!http_is_token(method, method_len) || target_len == 0 ||
	    target_len > HTTP_MAX_TARGET_BYTES ||
	    method_len > HTTP_MAX_TARGET_BYTES)
		return refuse(b);
	for (size_t i = 0; i < target_len; i++) {
		unsigned char c = (unsigned char)target[i];
		if (c <= 0x20 || c >= 0x7f)
			return refuse(b);
	}
	http_buf_append(b, method, method_len);
	http_buf_append(b, " ", 1);
	http_buf_append(b, target, target_len);
	return http_buf_puts(b, " HTTP/1.1\r\n");
}

/* "HTTP/1.1 407 Proxy Authentication Required\r\n" (reason from the table). */
bool http_write_status_line(struct http_buf *b, int status)
{
	if (status < 100 || status > 999)
		return refuse(b);
	http_buf_puts(b, "HTTP/1.1 ");
	http_buf_putu(b, (unsigned)status);
	http_buf_append(b, " ", 1);
	http_buf_puts(b, http_status_reason(status));
	return http_buf_append(b, "\r\n", 2);
}

/* ---- Field lines ---- */

/*
 * "Name: value\r\n".  The name must be a token and the value must hold no
 * CR, LF, NUL or other control (HTAB aside): a value that smuggled in a
 * CRLF would start a header of the attacker's choosing.  Copied piece by
 * piece, not through printf: a relayed request and its response write
 * every field line this way, and formatting them cost bin/proxy about
 * 6,500 of its 82,000 instructions a keep-alive request (callgrind).
 */
bool http_write_field(struct http_buf *b, const char *name, size_t name_len,
		      const char *value, size_t value_len)
{
	if (!http_is_token(name, name_len) || value_len > HTTP_MAX_HEAD_BYTES ||
	    !http_is_field_value(value, value_len))
		return refuse(b);
	http_buf_append(b, name, name_len);
	http_buf_append(b, ": ", 2);
	http_buf_append(b, value, value_len);
	return http_buf_append(b, "\r\n", 2);
}

bool http_write_header(struct http_buf *b, const char *name, const char *value,
		       size_t value_len)
{
	return http_write_field(b, name, strlen(name), value, value_len);
}

/* "Name: 1234\r\n". */
bool http_write_header_uint(struct http_buf *b, const char *name,
			    unsigned long long v)
{
	if (!http_is_token(name, strlen(name)))
		return refuse(b);
	http_buf_puts(b, name);
	http_buf_append(b, ": ", 2);
	http_buf_putu(b, v);
	return http_buf_append(b, "\r\n", 2);
}

/* A header whose value is printf-formatted; the same checks apply. */
bool http_write_headerf(struct http_buf *b, const char *name, const char *fmt,
			...)
{
	struct http_buf v;
	va_list ap;
	bool ok;

	http_buf_init(&v, HTTP_MAX_HEAD_BYTES);
	va_start(ap, fmt);
	ok = http_buf_vprintf(&v, fmt, ap);
	va_end(ap);
	ok = ok && http_write_header(b, name, v.data ? v.data : "", v.len);
	if (!ok)
		b->failed = true;
	http_buf_free(&v);
	return ok;
}

/* ---- Whole responses ---- */

/*
 * Lesson 09: a complete response with Content-Length, as a 407 must be.
 * A whole response with a text/plain body: status line, `extra` (complete
 * "Name: value\r\n" lines or NULL), Content-Type, Content-Length, blank
 * line, body.  False (buffer failed) when anything was refused.
 */
bool http_write_text_response(struct http_buf *b, int status, const char *extra,
			      const char *body, size_t body_len)
{
	if (extra != NULL && !http_is_field_block(extra))
		return refuse(b);
	http_write_status_line(b, status);
	if (extra != NULL)
		http_buf_puts(b, extra);
	http_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n");
	http_write_header_uint(b, "Content-Length", body_len);
	http_buf_append(b, "\r\n", 2);
	if (body_len > 0)
		http_buf_append(b, body, body_len);
	return !b->failed;
}

/*
 * http/write.h - writing messages, every write bounded and checked.
 */
#ifndef LAB407_HTTP_WRITE_H
#define LAB407_HTTP_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

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

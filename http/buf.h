/*
 * http/buf.h - a bounded, growable byte buffer for building messages.
 *
 * Every write is bounded: a buffer has a hard maximum, and a write that
 * would pass it fails (returns false) and marks the buffer failed, so a
 * caller may do many writes and check once at the end.
 *
 * A buffer may hold credentials (a request head with Proxy-Authorization,
 * a Basic value being built), so every byte it wrote is wiped with
 * explicit_bzero before its storage is freed, reused by reset or left
 * behind by growing or consuming (DESIGN.md: credentials are wiped after
 * use).
 */
#ifndef LAB407_HTTP_BUF_H
#define LAB407_HTTP_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define HTTP_BUF_DEFAULT_MAX (1u << 20) /* 1 MiB: messages we build */

struct http_buf {
	char *data;   /* owned; NUL-terminated after every write */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* hard limit on len */
	size_t dirty; /* data[0..dirty) may hold written bytes: what a wipe
			 clears (a high-water mark, never more than cap) */
	bool failed;  /* a write was refused (too big or out of memory) */
};

/* Start empty with a hard limit (0 means HTTP_BUF_DEFAULT_MAX). */
void http_buf_init(struct http_buf *b, size_t max);
/* Wipe and free the storage; the buffer may be initialised again. */
void http_buf_free(struct http_buf *b);
/* Empty the buffer, wipe what it held, keep the storage, clear `failed`. */
void http_buf_reset(struct http_buf *b);

/* Append n bytes from p.  False (and failed set) when refused. */
bool http_buf_append_slow(struct http_buf *b, const void *p, size_t n);
/*
 * Inline for the common case, the room already there: then an append is
 * a copy and two stores, and for a literal the copy is a store or two.
 * A relayed head is built from dozens of appends; out of line, each one
 * was a call into buf.c and reserve().  Inline (with a relayed value
 * checked by one call, http_is_field_value()), bin/proxy's keep-alive
 * request took 2,170 instructions fewer (callgrind).
 */
static inline bool http_buf_append(struct http_buf *b, const void *p, size_t n)
{
	/* len + n + 1 <= cap (cap > len whenever data is there) and
	 * len + n <= max; anything else takes the slow way, which refuses
	 * or grows. */
	if (b->failed || n >= b->cap - b->len || n > b->max - b->len)
		return http_buf_append_slow(b, p, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	if (b->len + 1 > b->dirty)
		b->dirty = b->len + 1;
	return true;
}

/* Append a C string, without its NUL. */
static inline bool http_buf_puts(struct http_buf *b, const char *s)
{
	return http_buf_append(b, s, strlen(s));
}

/* v in decimal. */
bool http_buf_putu(struct http_buf *b, unsigned long long v);
bool http_buf_printf(struct http_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool http_buf_vprintf(struct http_buf *b, const char *fmt, va_list ap);
/* Drop the first n bytes (used by I/O shells as a read queue); the bytes
 * left behind past the new end are wiped. */
void http_buf_consume(struct http_buf *b, size_t n);
/*
 * Replace b[off..off+len) with p[0..n), building the result in a new
 * buffer of the same limit (the old storage is wiped as it is freed).
 * False, with b unchanged, when the range is not inside b or the result
 * would pass the limit.
 */
bool http_buf_splice(struct http_buf *b, size_t off, size_t len, const void *p,
		     size_t n);

#endif

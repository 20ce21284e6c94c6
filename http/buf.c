/*
 * http/buf.c - a bounded, growable byte buffer.
 *
 * The buffer is always NUL-terminated, so a caller may hand data to a
 * string function; len never counts the NUL.  A write that would pass
 * `max` is refused whole and sets `failed`, so a chain of writes can be
 * checked once at the end.
 *
 * Wiping: the buffer keeps a high-water mark, `dirty`, of the bytes it has
 * ever written since its last wipe, and explicit_bzero clears exactly
 * those on free and reset, and in the old block when it grows (malloc,
 * copy, wipe, free: realloc would free the old block unwiped).  Wiping
 * the bytes written rather than the whole capacity keeps the cost that of
 * the writes themselves: a reset after a 300-byte request clears 300
 * bytes, not the 64 KiB the read queue may have grown to.  A consume
 * clears the tail its memmove leaves behind, so a consumed request's
 * Proxy-Authorization does not wait for the next reset.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "buf.h"

#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_CAP 256 /* first allocation */

/* ---- Life cycle ---- */

/* Start empty with a hard limit (0 means HTTP_BUF_DEFAULT_MAX). */
void http_buf_init(struct http_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : HTTP_BUF_DEFAULT_MAX;
	b->dirty = 0;
	b->failed = false;
}

/* Clear every byte written since the last wipe. */
static void wipe(struct http_buf *b)
{
	if (b->data != NULL && b->dirty > 0)
		explicit_bzero(b->data, b->dirty);
	b->dirty = 0;
}

/* Wipe and free the storage; the buffer may be initialised again. */
void http_buf_free(struct http_buf *b)
{
	wipe(b);
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

/* Empty the buffer, wipe what it held, keep the storage, clear `failed`. */
void http_buf_reset(struct http_buf *b)
{
	wipe(b);
	b->len = 0; /* data[0] is already the NUL: the wipe zeroed it */
	b->failed = false;
}

/* Note that data[0..end) now holds written bytes. */
static void mark(struct http_buf *b, size_t end)
{
	if (end > b->dirty)
		b->dirty = end;
}

/* ---- Growing ---- */

/*
 * Make room for n more bytes plus the NUL.  Refuses (and marks the buffer
 * failed) when len + n would pass max or memory runs out.
 */
static bool reserve(struct http_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n > b->max || b->len > b->max - n) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < need)
		cap = cap > (SIZE_MAX / 2) ? need : cap * 2;
	/* Not realloc: it would free the old block without wiping it. */
	char *p = malloc(cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	if (b->data != NULL) {
		memcpy(p, b->data, b->len + 1);
		wipe(b);
		free(b->data);
		b->dirty = b->len + 1;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* ---- Writing ---- */

/* http_buf_append() when there is no room yet, or it must refuse. */
bool http_buf_append_slow(struct http_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return false;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	mark(b, b->len + 1);
	return true;
}

/* Append v in decimal: a Content-Length without the cost of printf. */
bool http_buf_putu(struct http_buf *b, unsigned long long v)
{
	char d[TEXT_UINT_MAX];
	const char *p = text_uint(d, v);

	return http_buf_append(b, p, (size_t)(d + TEXT_UINT_MAX - p));
}

/* Append printf-formatted text; all or nothing. */
bool http_buf_vprintf(struct http_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->data != NULL ? b->cap - b->len : 0;
	va_list ap2;
	int n;

	if (b->failed)
		return false;
	/* Fast path: format straight into the room there is, and only when
	 * it does not fit, grow and format again.  Measuring first made
	 * every write format twice; a proxied request writes a dozen lines
	 * this way (callgrind: 7,000 of bin/proxy's 105,000 instructions a
	 * keep-alive request). */
	va_copy(ap2, ap);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (room > 0)
			b->data[b->len] = '\0';
		b->failed = true;
		return false;
	}
	if ((size_t)n < room && (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		mark(b, b->len + 1);
		return true;
	}
	if (room > 0) {
		/* Cut short: what was written is dirty; the text ends
		 * where it did. */
		mark(b, b->cap);
		b->data[b->len] = '\0';
	}
	if (!reserve(b, (size_t)n))
		return false;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	mark(b, b->len + 1);
	return true;
}

/* Append printf-formatted text; all or nothing. */
bool http_buf_printf(struct http_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = http_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return ok;
}

/* ---- Consuming ---- */

/* Drop the first n bytes (all of them when n >= len); wipe what the move
 * leaves behind past the new end. */
void http_buf_consume(struct http_buf *b, size_t n)
{
	size_t old = b->len;

	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->data) {
		/* data[len..old] held the consumed bytes' copies and the old
		 * NUL: clear them, which also terminates the new end. */
		explicit_bzero(b->data + b->len, old - b->len + 1);
	}
}

/* Replace a range: see buf.h. */
bool http_buf_splice(struct http_buf *b, size_t off, size_t len, const void *p,
		     size_t n)
{
	struct http_buf nb;

	if (off > b->len || len > b->len - off)
		return false;
	http_buf_init(&nb, b->max);
	http_buf_append(&nb, b->data, off);
	http_buf_append(&nb, p, n);
	http_buf_append(&nb, b->data + off + len, b->len - off - len);
	if (nb.failed) {
		http_buf_free(&nb);
		return false;
	}
	http_buf_free(b);
	*b = nb;
	return true;
}

/*
 * http/text.h - bounded copies of text into fixed-size arrays.
 *
 * What snprintf(dst, cap, "%.*s", n, s) does, without the cost of
 * parsing a format: the result is always NUL-terminated and cut to fit.
 * Decisions copy a handful of names (user, host, method) into their
 * result a request, and through printf that cost bin/proxy about 4,000
 * instructions a keep-alive request (callgrind).
 */
#ifndef LAB407_HTTP_TEXT_H
#define LAB407_HTTP_TEXT_H

#include <stddef.h>

/* s[0..n) into dst[0..cap), cut to cap - 1 bytes and NUL-terminated (cap
 * must be at least 1).  Returns the bytes copied. */
size_t text_copy(char *dst, size_t cap, const char *s, size_t n);
/* The C string s (NULL: the empty string), the same way. */
size_t text_set(char *dst, size_t cap, const char *s);
/* v in decimal, written to the end of d[0..TEXT_UINT_MAX): returns where
 * the digits start (they run to d + TEXT_UINT_MAX, no NUL). */
#define TEXT_UINT_MAX 20 /* 2^64 - 1 has 20 digits */
char *text_uint(char d[TEXT_UINT_MAX], unsigned long long v);
/* The C strings parts[0..] up to a NULL one, one after another into
 * dst[0..cap), cut to cap - 1 bytes and NUL-terminated (cap at least 1):
 * snprintf(dst, cap, "%s%s...") without a format.  Returns the bytes
 * written.  TEXT_JOIN(dst, cap, a, b, c) passes the list. */
size_t text_join(char *dst, size_t cap, const char *const *parts);
#define TEXT_JOIN(dst, cap, ...)                                               \
	text_join((dst), (cap), (const char *const[]){__VA_ARGS__, NULL})

#endif

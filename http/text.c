/*
 * http/text.c - bounded copies of text into fixed-size arrays.
 */
#define _POSIX_C_SOURCE 200809L

#include "text.h"
#include <string.h>

size_t text_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
	return n;
}

char *text_uint(char d[TEXT_UINT_MAX], unsigned long long v)
{
	char *p = d + TEXT_UINT_MAX;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

size_t text_set(char *dst, size_t cap, const char *s)
{
	return text_copy(dst, cap, s, s != NULL ? strnlen(s, cap) : 0);
}

size_t text_join(char *dst, size_t cap, const char *const *parts)
{
	size_t used = 0;

	for (; *parts != NULL && used < cap - 1; parts++)
		used += text_copy(dst + used, cap - used, *parts,
				  strnlen(*parts, cap - used));
	dst[used] = '\0';
	return used;
}

/*
 * tests/fuzz/fuzz.h - what every libFuzzer harness in tests/fuzz shares.
 *
 * Each harness copies the input into a heap block of exactly its size, so
 * AddressSanitizer reports a read one byte past the end, and checks a few
 * properties that must hold for every input; a failed property aborts,
 * and libFuzzer saves the input as a crash.  Built and run by `make fuzz`.
 */
#ifndef LAB407_TESTS_FUZZ_H
#define LAB407_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop loudly when a property fails; libFuzzer saves the input. */
static inline void fuzz_check(int ok)
{
	if (!ok)
		abort();
}

/* An exact-size copy (no NUL after it); free() it.  NULL: out of memory. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (p != NULL && size > 0)
		memcpy(p, data, size);
	return p;
}

/* A NUL-terminated copy, for parsers that take C strings; free() it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (p != NULL) {
		if (size > 0)
			memcpy(p, data, size);
		p[size] = '\0';
	}
	return p;
}

/* True when p[0..n) lies inside base[0..len). */
static inline int fuzz_inside(const char *base, size_t len, const char *p,
			      size_t n)
{
	return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

#endif

/*
 * tests/fuzz/fuzz_path.c - the normal form of a request path
 * (http/path.c, RFC 3986 §5.2.4, §6.2.2).  Whatever is accepted comes out
 * no longer than it went in, starts with '/', holds no "//" and no "." or
 * ".." segment in its path, no %2F, and is a fixed point: normalising it
 * again changes nothing.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>

#include "../../http/path.h"
#include "fuzz.h"

/* True when path[0..n) has a segment equal to the C string seg. */
static bool has_segment(const char *path, size_t n, const char *seg)
{
	size_t len = strlen(seg);

	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1;

		if (path[i] != '/')
			continue;
		while (j < n && path[j] != '/')
			j++;
		if (j - i - 1 == len && memcmp(path + i + 1, seg, len) == 0)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	char *out = malloc(size + 1), *again = malloc(size + 1);
	size_t n = 0, m = 0;
	bool above;

	if (buf == NULL || out == NULL || again == NULL)
		goto done;
	if (path_normalize(buf, size, out, size + 1, &n) == HTTP_OK) {
		const char *q = memchr(out, '?', n);
		size_t plen = q != NULL ? (size_t)(q - out) : n;

		fuzz_check(n <= size && strlen(out) == n && out[0] == '/');
		fuzz_check(has_segment(out, plen, ".") == false &&
			   has_segment(out, plen, "..") == false);
		for (size_t i = 0; i + 1 < plen; i++)
			fuzz_check(out[i] != '/' || out[i + 1] != '/');
		for (size_t i = 0; i + 2 < plen; i++)
			fuzz_check(out[i] != '%' || out[i + 1] != '2' ||
				   (out[i + 2] != 'F' && out[i + 2] != 'f'));
		fuzz_check(path_normalize(out, n, again, size + 1, &m) ==
			   HTTP_OK);
		fuzz_check(m == n && memcmp(again, out, n) == 0);
	} else {
		fuzz_check(n == 0 && out[0] == '\0');
	}
	/* remove_dot_segments alone, in place: never longer. */
	if (size > 0)
		memcpy(again, buf, size);
	fuzz_check(path_remove_dots(again, size, again, size + 1, &n, &above) ==
		       HTTP_OK &&
		   n <= size);
done:
	free(buf);
	free(out);
	free(again);
	return 0;
}

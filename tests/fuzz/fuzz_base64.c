/*
 * tests/fuzz/fuzz_base64.c - base64 (RFC 4648 §4) as Basic uses it:
 * whatever decodes encodes back to exactly the input (only canonical
 * encodings are accepted).
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/base64.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	size_t cap = base64_decoded_max(size) + 1;
	unsigned char *out = malloc(cap);
	char *again = malloc(size + 1);
	size_t n = 0, m = 0;

	if (buf != NULL && out != NULL && again != NULL &&
	    base64_decode(buf, size, out, cap, &n) == HTTP_OK) {
		fuzz_check(n <= base64_decoded_max(size));
		fuzz_check(base64_encode(out, n, again, size + 1, &m) ==
			   HTTP_OK);
		fuzz_check(m == size && memcmp(again, buf, size) == 0);
	}
	free(buf);
	free(out);
	free(again);
	return 0;
}

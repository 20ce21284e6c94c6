/*
 * tests/fuzz/fuzz_negotiate.c - negotiate_describe(), the bounded DER walk
 * through a SPNEGO/Kerberos token (http/negotiate.c), on hostile tokens.
 * The input is the decoded token; it is base64-encoded first, as it would
 * arrive after "Negotiate ".  Seeds: tests/fuzz/corpus/negotiate (tokens
 * captured from the test realm's KDC).  The description always fits its
 * buffer and is terminated.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/base64.h"
#include "../../http/negotiate.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char b64[NEGOTIATE_MAX_B64];
	char out[1024];
	size_t n = 0;

	if (size > NEGOTIATE_MAX_TOKEN ||
	    base64_encode(data, size, b64, sizeof(b64), &n) != HTTP_OK)
		return 0;
	negotiate_describe(b64, n, out, sizeof(out));
	fuzz_check(memchr(out, '\0', sizeof(out)) != NULL);
	return 0;
}

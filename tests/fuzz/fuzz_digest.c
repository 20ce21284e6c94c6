/*
 * tests/fuzz/fuzz_digest.c - Digest parameters (RFC 7616 §3.4): the
 * input follows "Digest " in a Proxy-Authorization field and goes through
 * the proxy's whole Digest check (fields, algorithm, qop, nc, nonce,
 * response).  "@NONCE@" in the input becomes a nonce the guard issued, so
 * the checks after the nonce are reached too (guard_fixture.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "guard_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guard_fixture f;
	struct guard_result res;
	size_t len = 0;
	char *v, *full;

	fixture_setup(&f, "digest");
	v = fixture_value(&f, data, size, &len);
	if (v == NULL)
		return 0;
	full = malloc(len + 7);
	if (full != NULL) {
		memcpy(full, "Digest ", 7);
		if (len > 0)
			memcpy(full + 7, v, len);
		fixture_check(&f, full, len + 7, &res);
		/* A guessed response hash never authenticates. */
		fuzz_check(res.verdict != GUARD_OK);
		free(full);
	}
	free(v);
	return 0;
}

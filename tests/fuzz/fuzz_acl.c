/*
 * tests/fuzz/fuzz_acl.c - the proxy's ACL file (proxy/acl.c, docs/acl.md):
 * what parses can be described and matched; what does not names a line.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../proxy/acl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acl a;
	char *buf = fuzz_copy(data, size);
	char err[512], text[512];
	size_t i;

	if (buf == NULL)
		return 0;
	err[0] = '\0';
	if (acl_parse(buf, size, "fuzz.acl", &a, err, sizeof(err)) == HTTP_OK) {
		fuzz_check(a.n <= ACL_MAX_RULES);
		for (i = 0; i < a.n; i++) {
			acl_describe(&a.v[i], text, sizeof(text));
			fuzz_check(memchr(text, '\0', sizeof(text)) != NULL);
		}
		acl_describe(NULL, text, sizeof(text));
	} else {
		fuzz_check(err[0] != '\0');
	}
	free(buf);
	return 0;
}

/*
 * tests/fuzz/fuzz_rules.c - the origin's rules file (origin/rules.c,
 * docs/rules.md): what parses matches paths; what does not names a line.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../origin/rules.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules r;
	static const char *const paths[] = {"/", "/private", "/admin",
					    "/admin/x?y", "/a/b/c"};
	char *buf = fuzz_copy(data, size);
	char err[512], text[512];
	size_t i;

	if (buf == NULL)
		return 0;
	err[0] = '\0';
	if (rules_parse(buf, size, "fuzz.rules", &r, err, sizeof(err)) ==
	    HTTP_OK) {
		fuzz_check(r.n <= RULES_MAX);
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			const struct rules_entry *e =
			    rules_match(&r, paths[i], strlen(paths[i]));

			if (e != NULL) {
				(void)rules_allows(e, "alice");
				(void)rules_allows(e, "");
				rules_describe(e, text, sizeof(text));
			}
		}
	} else {
		fuzz_check(err[0] != '\0');
	}
	free(buf);
	return 0;
}

/*
 * tests/fuzz/fuzz_credentials.c - a Proxy-Authorization / Authorization
 * field value (RFC 9110 §11.6.2, §11.7.2): the credentials grammar, Basic
 * decoding (RFC 7617 §2) and the whole server-side check for Basic and
 * Bearer (RFC 6750 §2.1) as bin/proxy runs it.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/basic.h"
#include "guard_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guard_fixture f;
	struct auth_challenge cred;
	struct guard_result res;
	char *buf = fuzz_copy(data, size);

	if (buf == NULL)
		return 0;
	fixture_setup(&f, "basic,bearer");
	if (auth_parse_credentials(buf, size, &cred) == HTTP_OK) {
		struct basic_creds bc;

		fuzz_check(cred.scheme_len > 0);
		fuzz_check(cred.token68 == NULL || cred.num_params == 0);
		if (cred.token68 != NULL)
			fuzz_check(fuzz_inside(buf, size, cred.token68,
					       cred.token68_len));
		if (cred.kind == AUTH_SCHEME_BASIC &&
		    basic_decode(&cred, &bc) == HTTP_OK) {
			fuzz_check(strlen(bc.user) == bc.user_len);
			fuzz_check(strlen(bc.pass) == bc.pass_len);
			fuzz_check(strchr(bc.user, ':') == NULL);
			basic_creds_wipe(&bc);
		}
	}
	fixture_check(&f, buf, size, &res);
	/* Only the lab's real passwords authenticate. */
	if (res.verdict == GUARD_OK)
		fuzz_check(strcmp(res.user, "alice") == 0 ||
			   strcmp(res.user, "bob") == 0 ||
			   strcmp(res.user, "mallory") == 0);
	free(buf);
	return 0;
}

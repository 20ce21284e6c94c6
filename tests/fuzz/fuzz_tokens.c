/*
 * tests/fuzz/fuzz_tokens.c - a Bearer tokens file: lines "TOKEN USER",
 * each token a b64token (RFC 6750 §2.1).  Loaded tokens can be checked.
 */
#define _GNU_SOURCE /* memfd_create */

#include "../../http/users.h"
#include "memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct users u;
	char path[64], err[512];
	int fd = memfile(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (users_defaults(&u, USERS_SIDE_PROXY) == HTTP_OK) {
		err[0] = '\0';
		if (users_load_tokens(path, &u, err, sizeof(err)) == HTTP_OK) {
			char who[256];

			fuzz_check(u.ntokens <= USERS_MAX);
			if (u.ntokens > 0)
				(void)users_check_token(&u, u.tokens[0], who,
							sizeof(who));
		} else {
			fuzz_check(err[0] != '\0');
		}
		users_free(&u);
	}
	close(fd);
	return 0;
}

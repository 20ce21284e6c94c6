/*
 * tests/fuzz/fuzz_users.c - a users file: plain user:password, Apache
 * htpasswd (bcrypt, SHA-crypt, {SHA}, $apr1$) or htdigest
 * (user:realm:HA1); the kind is detected per file (http/users.c).  What
 * loads can be asked about: a password check and a Digest HA1 for every
 * user, which must not crash whatever the entry held.
 */
#define _GNU_SOURCE /* memfd_create */

#include "../../http/users.h"
#include "memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct users u;
	char path[64], err[512];
	size_t i;
	int fd;

	/* A bcrypt or SHA-crypt line costs what its cost field says (up to
	 * minutes): keep inputs to a few lines. */
	if (size > 4096)
		return 0;
	fd = memfile(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	err[0] = '\0';
	if (users_load(path, &u, err, sizeof(err)) == HTTP_OK) {
		fuzz_check(u.n <= USERS_MAX);
		for (i = 0; i < u.n && i < 4; i++) {
			char ha1[DIGEST_HEX_MAX + 1];

			/* htpasswd hashes were each run once by the load */
			if (u.kind != USERS_HTPASSWD)
				(void)users_check_password(&u, u.v[i].user,
							   "x", 1);
			(void)users_digest_ha1(&u, u.v[i].user, "lab407 proxy",
					       DIGEST_MD5, ha1);
		}
		users_free(&u);
	} else {
		/* A refusal always says where and why. */
		fuzz_check(err[0] != '\0');
	}
	close(fd);
	return 0;
}

/*
 * tests/fuzz/fuzz_users.c - a users file: plain user:password, Apache
 * htpasswd (bcrypt, SHA-crypt, {SHA}, $apr1$) or htdigest
 * (user:realm:HA1); the kind is detected per file (http/users.c).  What
 * loads can be asked about: a password check and a Digest HA1 for every
 * user, which must not crash whatever the entry held.
 */
#define _GNU_SOURCE /* memfd_create */

#include <stdbool.h>

#include "../../http/users.h"
#include "memfile.h"

/*
 * A bcrypt or SHA-crypt line costs what its cost field says, and
 * http/users.c accepts any cost crypt(3) does (a finding of this harness,
 * reported: "$5$rounds=20000000$" takes over a minute to load, and as
 * long again at every request).  Inputs asking for more than a lab-sized
 * cost are skipped, so the fuzzer spends its time looking for other bugs.
 */
static bool costly(const uint8_t *d, size_t n)
{
	size_t i, k;

	for (i = 0; i + 4 < n; i++) {
		unsigned long v = 0;

		if (n - i >= 7 && memcmp(d + i, "rounds=", 7) == 0) {
			for (k = i + 7; k < n && d[k] >= '0' && d[k] <= '9' &&
					v < 100000000ul;
			     k++)
				v = v * 10 + (d[k] - '0');
			if (v > 50000)
				return true;
		}
		if (d[i] == '$' && d[i + 1] == '2' && d[i + 3] == '$' &&
		    d[i + 4] >= '1' && d[i + 4] <= '9')
			return true; /* bcrypt cost 10 or more */
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct users u;
	char path[64], err[512];
	size_t i;
	int fd;

	if (size > 4096 || costly(data, size))
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
				(void)users_check_password(&u, u.v[i].user, "x",
							   1);
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

/*
 * http/htpasswd.h - the hashes of an Apache htpasswd file: bcrypt and
 * SHA-crypt through crypt(3), {SHA} and $apr1$ (http/apr1.c).
 */
#ifndef LAB407_HTTP_HTPASSWD_H
#define LAB407_HTTP_HTPASSWD_H

#include <stdbool.h>
#include <stddef.h>

/* What kind of htpasswd hash a secret is. */
enum htpasswd_kind {
	HTPASSWD_NONE,	 /* not a hash: a plain password */
	HTPASSWD_CRYPT,	 /* $2y$, $2b$, $2a$ (bcrypt), $5$, $6$ (SHA-crypt) */
	HTPASSWD_SHA1,	 /* {SHA}base64(SHA-1(pw)) */
	HTPASSWD_APR1,	 /* $apr1$: Apache's MD5 crypt */
	HTPASSWD_UNKNOWN /* looks like $id$..., an id we do not know */
};

/* Which kind secret[0..n) is. */
enum htpasswd_kind htpasswd_kind(const char *s, size_t n);
/*
 * True when a crypt(3) hash's cost is within USERS_MAX_BCRYPT_COST and
 * USERS_MAX_SHA_ROUNDS (http/users.h); else why[cap] says which limit.
 */
bool htpasswd_cost_ok(const char *s, size_t n, char *err, size_t err_cap);
/*
 * The hash of pw[0..pwlen) under `setting` (a stored hash: its prefix
 * names the algorithm and carries salt and cost), NUL-terminated into
 * out[cap].  False when the algorithm fails or refuses the setting.
 */
bool htpasswd_hash(const char *pw, size_t pwlen, const char *setting, char *out,
		   size_t cap);
/*
 * The kind and cost of an htpasswd hash, as its prefix: "$2y$10$",
 * "$5$rounds=8000$", "$6$", "$apr1$", "{SHA}"; "" for anything else.
 */
void htpasswd_class(const char *secret, char *out, size_t cap);

#endif

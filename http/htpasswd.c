/*
 * http/htpasswd.c - the hashes of an Apache htpasswd file: telling them
 * apart, bounding their cost, computing them (see htpasswd.h).
 */
#define _GNU_SOURCE

#include "htpasswd.h"

#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apr1.h"
#include "base64.h"
#include "users.h"

/* ---- Recognising hashes ---- */

enum htpasswd_kind htpasswd_kind(const char *s, size_t n)
{
	static const char *const crypt_ids[] = {"$2y$", "$2b$", "$2a$", "$5$",
						"$6$"};
	size_t i;

	for (i = 0; i < sizeof(crypt_ids) / sizeof(crypt_ids[0]); i++)
		if (n > strlen(crypt_ids[i]) &&
		    strncmp(s, crypt_ids[i], strlen(crypt_ids[i])) == 0)
			return HTPASSWD_CRYPT;
	if (n > 5 && strncmp(s, "{SHA}", 5) == 0)
		return HTPASSWD_SHA1;
	if (n > strlen(APR1_MAGIC) &&
	    strncmp(s, APR1_MAGIC, strlen(APR1_MAGIC)) == 0)
		return HTPASSWD_APR1;
	/* "$" 1*( lowercase / digit ) "$": the modular crypt format. */
	if (n > 2 && s[0] == '$') {
		for (i = 1; i < n && (islower((unsigned char)s[i]) ||
				      isdigit((unsigned char)s[i]));
		     i++)
			;
		if (i > 1 && i < n && s[i] == '$')
			return HTPASSWD_UNKNOWN;
	}
	return HTPASSWD_NONE;
}

/*
 * A crypt(3) hash whose cost a server can afford to pay on every request
 * that names its user: each check of a wrong password costs as much as a
 * right one, so an unbounded cost in a users file is a denial of service
 * that anyone who knows the user name can trigger.  The limits are
 * lab407's choice (docs/guard.md), generous next to the defaults:
 * htpasswd -B uses bcrypt cost 5, crypt(3) SHA-crypt 5000 rounds.
 * True when within them; otherwise why[cap] says which limit.
 */
bool htpasswd_cost_ok(const char *s, size_t n, char *err, size_t err_cap)
{
	unsigned long v = 0;
	size_t i;

	if (n >= 7 && s[1] == '2' && s[3] == '$') {
		/* $2y$NN$: the cost is two decimal digits, 2^NN rounds */
		if (!isdigit((unsigned char)s[4]) ||
		    !isdigit((unsigned char)s[5]) || s[6] != '$') {
			snprintf(err, err_cap, "bcrypt cost is not two digits");
			return false;
		}
		v = (unsigned long)(s[4] - '0') * 10 +
		    (unsigned long)(s[5] - '0');
		if (v > USERS_MAX_BCRYPT_COST) {
			snprintf(err, err_cap,
				 "bcrypt cost %lu is over the limit of %u", v,
				 USERS_MAX_BCRYPT_COST);
			return false;
		}
		return true;
	}
	if (n > 10 && s[0] == '$' && (s[1] == '5' || s[1] == '6') &&
	    strncmp(s + 3, "rounds=", 7) == 0) {
		for (i = 10; i < n && isdigit((unsigned char)s[i]); i++) {
			v = v * 10 + (unsigned long)(s[i] - '0');
			if (v > USERS_MAX_SHA_ROUNDS)
				break;
		}
		if (v > USERS_MAX_SHA_ROUNDS) {
			snprintf(err, err_cap,
				 "SHA-crypt rounds over the limit of %u",
				 USERS_MAX_SHA_ROUNDS);
			return false;
		}
	}
	return true;
}

/*
 * Compute the hash of pw under an htpasswd `setting` (the stored hash,
 * whose prefix names the algorithm and carries the salt) into out.
 * False when the algorithm fails or refuses the setting.
 */
bool htpasswd_hash(const char *pw, size_t pwlen, const char *setting, char *out,
		   size_t cap)
{
	enum htpasswd_kind k = htpasswd_kind(setting, strlen(setting));
	bool ok = false;

	if (k == HTPASSWD_APR1) {
		char h[APR1_HASH_LEN + 1];

		ok = apr1_hash(pw, pwlen, setting, h) &&
		     (size_t)snprintf(out, cap, "%s", h) < cap;
		OPENSSL_cleanse(h, sizeof(h));
	} else if (k == HTPASSWD_SHA1) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		size_t n = 0;

		ok = cap > 5 &&
		     EVP_Digest(pw, pwlen, md, &mdlen, EVP_sha1(), NULL) &&
		     base64_encode(md, mdlen, out + 5, cap - 5, &n) == HTTP_OK;
		if (ok)
			memcpy(out, "{SHA}", 5);
		OPENSSL_cleanse(md, sizeof(md));
	} else if (k == HTPASSWD_CRYPT) {
		/* crypt(3) wants a C string: a password with a NUL byte
		 * cannot be the one that was hashed. */
		struct crypt_data *cd = calloc(1, sizeof(*cd));
		char *pz = malloc(pwlen + 1);
		const char *r;

		if (pz != NULL) {
			memcpy(pz, pw, pwlen);
			pz[pwlen] = '\0';
		}
		if (cd != NULL && pz != NULL && strlen(pz) == pwlen) {
			r = crypt_r(pz, setting, cd);
			ok = r != NULL && r[0] != '*' &&
			     (size_t)snprintf(out, cap, "%s", r) < cap;
		}
		if (cd != NULL)
			OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
		if (pz != NULL)
			OPENSSL_cleanse(pz, pwlen);
		free(pz);
	}
	if (!ok && cap > 0)
		out[0] = '\0';
	return ok;
}

/*
 * The kind and cost of an htpasswd hash, as the prefix that carries them
 * (the salt and hash after it are left out):
 *   $2y$10$          bcrypt, cost 10 ($2a$, $2b$ alike)
 *   $5$ $6$          SHA-crypt, default 5000 rounds
 *   $5$rounds=N$     SHA-crypt, N rounds ($6$ alike)
 *   $apr1$ {SHA}     no cost parameter
 * "" for a secret that is not one of these.
 */
void htpasswd_class(const char *secret, char *out, size_t cap)
{
	size_t n = strlen(secret), len = 0;
	const char *end;

	if (htpasswd_kind(secret, n) == HTPASSWD_APR1)
		len = strlen(APR1_MAGIC);
	else if (htpasswd_kind(secret, n) == HTPASSWD_SHA1)
		len = 5;
	else if (htpasswd_kind(secret, n) == HTPASSWD_CRYPT && secret[1] == '2')
		len = n >= 7 && secret[6] == '$' ? 7 : 0;
	else if (htpasswd_kind(secret, n) == HTPASSWD_CRYPT) {
		len = 3;
		if (strncmp(secret + 3, "rounds=", 7) == 0 &&
		    (end = strchr(secret + 10, '$')) != NULL)
			len = (size_t)(end - secret) + 1;
	}
	snprintf(out, cap, "%.*s", (int)len, secret);
}

/*
 * http/users.c - credential stores.
 *
 * Four sources, one struct: the compiled-in lab identities, a plain lab
 * file (`user:password`), an Apache htpasswd file (one-way hashes: bcrypt,
 * SHA-crypt, {SHA}, $apr1$) and an Apache htdigest file (`user:realm:HA1`).
 * Bearer tokens ride alongside (`token user` lines).
 *
 * What a store can serve follows from what it holds (lesson 04): Basic
 * needs something to check a password against, so plain and htpasswd
 * work; Digest needs HA1 = H(user:realm:password), so plain and htdigest
 * work, and an htpasswd hash cannot give it.
 *
 * Every comparison of a secret runs in constant time, and every copy of a
 * password is wiped with OPENSSL_cleanse before it is freed.
 *
 * The files are read by http/users_load.c; here, the store: built,
 * checked against, wiped.
 */
#define _GNU_SOURCE

#include "users.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "basic.h"
#include "bearer.h"
#include "confline.h"
#include "htpasswd.h"

/* ---- The lab defaults ---- */

/* The default lab (README.md): mallory exists only for the proxy, whose
 * ACL then refuses her (403). */
static const struct {
	const char *user;
	const char *pass;
	bool proxy_only;
} lab_users[] = {
    {"alice", "wonderland", false},
    {"bob", "builder", false},
    {"mallory", "letmein", true},
};

#define NUM_LAB_USERS (sizeof(lab_users) / sizeof(lab_users[0]))

/* ---- Building the store ---- */

/* Wipe and free one owned string. */
static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* A NUL-terminated copy of s[0..n), or NULL. */
static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Append an entry; takes copies.  realm may be NULL. */
enum http_err users_add_entry(struct users *u, const char *user, size_t ulen,
			      const char *secret, size_t slen,
			      const char *realm, size_t rlen)
{
	struct users_entry *v, *e;

	if (u->n >= USERS_MAX)
		return HTTP_E_CONFIG;
	v = realloc(u->v, (u->n + 1) * sizeof(*v));
	if (v == NULL)
		return HTTP_E_NOMEM;
	u->v = v;
	e = &v[u->n];
	e->user = dup_n(user, ulen);
	e->secret = dup_n(secret, slen);
	e->realm = realm != NULL ? dup_n(realm, rlen) : NULL;
	if (e->user == NULL || e->secret == NULL ||
	    (realm != NULL && e->realm == NULL)) {
		free(e->user);
		free_secret(e->secret);
		free(e->realm);
		return HTTP_E_NOMEM;
	}
	u->n++;
	return HTTP_OK;
}

/* Append a Bearer token for user; takes copies. */
enum http_err users_add_token(struct users *u, const char *tok, size_t tlen,
			      const char *user, size_t ulen)
{
	if (u->ntokens >= USERS_MAX)
		return HTTP_E_CONFIG;
	u->tokens[u->ntokens] = dup_n(tok, tlen);
	u->token_user[u->ntokens] = dup_n(user, ulen);
	if (u->tokens[u->ntokens] == NULL ||
	    u->token_user[u->ntokens] == NULL) {
		free_secret(u->tokens[u->ntokens]);
		free(u->token_user[u->ntokens]);
		return HTTP_E_NOMEM;
	}
	u->ntokens++;
	return HTTP_OK;
}

/* Wipe and free every token. */
void users_free_tokens(struct users *u)
{
	size_t i;

	for (i = 0; i < u->ntokens; i++) {
		free_secret(u->tokens[i]);
		free(u->token_user[i]);
		u->tokens[i] = NULL;
		u->token_user[i] = NULL;
	}
	u->ntokens = 0;
}

/* Free everything the store owns, wiping secrets; *u is empty after. */
void users_free(struct users *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].user);
		free_secret(u->v[i].secret);
		free(u->v[i].realm);
	}
	free(u->v);
	users_free_tokens(u);
	free_secret(u->dummy);
	memset(u, 0, sizeof(*u));
}

/*
 * Fill *u (not yet initialised) with the lab identities of one side and
 * a token "<user>-token" each.  Free with users_free().
 */
enum http_err users_defaults(struct users *u, enum users_side side)
{
	enum http_err e = HTTP_OK;
	char tok[64];
	size_t i;
	int n;

	memset(u, 0, sizeof(*u));
	u->kind = USERS_PLAIN;
	for (i = 0; i < NUM_LAB_USERS && e == HTTP_OK; i++) {
		const char *name = lab_users[i].user;

		if (lab_users[i].proxy_only && side != USERS_SIDE_PROXY)
			continue;
		e = users_add_entry(u, name, strlen(name), lab_users[i].pass,
				    strlen(lab_users[i].pass), NULL, 0);
		n = snprintf(tok, sizeof(tok), "%s-token", name);
		if (e == HTTP_OK && (n < 0 || (size_t)n >= sizeof(tok)))
			e = HTTP_E_NOSPACE;
		if (e == HTTP_OK)
			e = users_add_token(u, tok, (size_t)n, name,
					    strlen(name));
	}
	if (e == HTTP_OK)
		e = users_make_dummy(u);
	if (e != HTTP_OK)
		users_free(u);
	return e;
}

/*
 * Replace (or add) one plain user.  Only a plain store can take a
 * password (HTTP_E_CONFIG otherwise); the rules of RFC 7617 §2 apply.
 */
enum http_err users_set(struct users *u, const char *user, const char *pass)
{
	size_t i, ulen = strlen(user), plen = strlen(pass);
	char *p;

	if (u->kind != USERS_PLAIN)
		return HTTP_E_CONFIG;
	if (ulen == 0 || memchr(user, ':', ulen) != NULL)
		return HTTP_E_BASIC_USER_COLON;
	for (i = 0; i < ulen; i++)
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
			return HTTP_E_BASIC_CTL;
	for (i = 0; i < plen; i++)
		if ((unsigned char)pass[i] < 0x20 || pass[i] == 0x7f)
			return HTTP_E_BASIC_CTL;
	if (ulen > BASIC_MAX_USER || plen > BASIC_MAX_PASS)
		return HTTP_E_BASIC_TOO_LONG;
	for (i = 0; i < u->n; i++) {
		if (strcmp(u->v[i].user, user) != 0)
			continue;
		p = dup_n(pass, plen);
		if (p == NULL)
			return HTTP_E_NOMEM;
		free_secret(u->v[i].secret);
		u->v[i].secret = p;
		return HTTP_OK;
	}
	return users_add_entry(u, user, ulen, pass, plen, NULL, 0);
}

/* ---- The dummy entry: unknown users cost what known ones do ---- */

/* A random string of 2*n hex digits (n <= 32) into out. */
static bool random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0x0f];
	}
	out[2 * n] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return true;
}

/*
 * The htpasswd entry whose kind and cost are the most common in the file
 * (ties: the one met first).  The dummy is made from its setting: most
 * unknown-user guesses are then timed like most real users, whereas the
 * first entry could be the one odd bcrypt user in a file of $apr1$ ones,
 * and the slowest entry would make every unknown name stand out as slow.
 */
static const struct users_entry *typical_entry(const struct users *u)
{
	char(*cls)[32] = calloc(u->n, sizeof(*cls));
	size_t best = 0, best_count = 0;

	if (cls == NULL)
		return u->n > 0 ? &u->v[0] : NULL;
	for (size_t i = 0; i < u->n; i++)
		htpasswd_class(u->v[i].secret, cls[i], sizeof(cls[i]));
	for (size_t i = 0; i < u->n; i++) {
		size_t count = 0;

		for (size_t j = 0; j < u->n; j++)
			count += strcmp(cls[i], cls[j]) == 0;
		if (count > best_count) {
			best = i;
			best_count = count;
		}
	}
	free(cls);
	return u->n > 0 ? &u->v[best] : NULL;
}

/*
 * Make u->dummy, what an unknown user is checked against: plain, a random
 * password; htdigest, a random 64-hex HA1 (cut to 32 for MD5); htpasswd,
 * the hash of a random password under the typical entry's setting (the
 * same kind, cost and, harmlessly, salt), computed once here.
 */
enum http_err users_make_dummy(struct users *u)
{
	char pw[2 * 16 + 1], h[USERS_MAX_SECRET + 1];
	const struct users_entry *t;
	enum http_err e = HTTP_OK;

	free_secret(u->dummy);
	u->dummy = NULL;
	if (u->kind == USERS_HTDIGEST) {
		if (!random_hex(h, 32))
			return HTTP_E_CONFIG;
	} else if (!random_hex(pw, 16)) {
		return HTTP_E_CONFIG;
	} else if (u->kind == USERS_PLAIN) {
		snprintf(h, sizeof(h), "%s", pw);
	} else {
		t = typical_entry(u);
		if (t == NULL ||
		    !htpasswd_hash(pw, strlen(pw), t->secret, h, sizeof(h)))
			e = HTTP_E_CONFIG;
	}
	if (e == HTTP_OK) {
		u->dummy = dup_n(h, strlen(h));
		if (u->dummy == NULL)
			e = HTTP_E_NOMEM;
	}
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(h, sizeof(h));
	return e;
}

/* ---- Checking passwords ---- */

/* What an unknown user is checked against in a store made by hand
 * (no users_defaults or users_load): a secret no one can send. */
static const char dummy_fallback[] = "lab407-no-such-user";

/* The entry for user (any realm when realm is NULL), or NULL. */
static const struct users_entry *find(const struct users *u, const char *user,
				      const char *realm)
{
	size_t i;

	if (user == NULL)
		return NULL;
	for (i = 0; i < u->n; i++)
		if (strcmp(u->v[i].user, user) == 0 &&
		    (realm == NULL || u->v[i].realm == NULL ||
		     strcmp(u->v[i].realm, realm) == 0))
			return &u->v[i];
	return NULL;
}

/* The user's own secret, or the dummy for an unknown user; see users.h. */
const char *users_password_setting(const struct users *u, const char *user)
{
	const struct users_entry *e = find(u, user, NULL);

	if (e != NULL)
		return e->secret;
	if (u->dummy != NULL)
		return u->dummy;
	return u->kind == USERS_HTPASSWD && u->n > 0 ? u->v[0].secret
						     : dummy_fallback;
}

/*
 * Check a Basic password.  HTTP_OK, HTTP_E_BAD_USER or
 * HTTP_E_BAD_PASSWORD; HTTP_E_CONFIG for an htdigest store, which holds
 * no passwords.  Plain passwords compare in constant time (basic_equal);
 * hashes are recomputed with the stored salt and compared with
 * CRYPTO_memcmp.  An unknown user goes through the same steps against
 * the dummy entry, and is refused whatever the comparison said.
 */
enum http_err users_check_password(const struct users *u, const char *user,
				   const char *pass, size_t pass_len)
{
	const struct users_entry *e = find(u, user, NULL);
	const char *s = users_password_setting(u, user);
	char h[USERS_MAX_SECRET + 1];
	bool same = false;
	size_t n = strlen(s);

	if (u->kind == USERS_HTDIGEST)
		return HTTP_E_CONFIG;
	if (u->kind == USERS_PLAIN) {
		same = basic_equal(s, n, pass, pass_len);
	} else {
		same = htpasswd_hash(pass, pass_len, s, h, sizeof(h)) &&
		       strlen(h) == n && CRYPTO_memcmp(h, s, n) == 0;
		OPENSSL_cleanse(h, sizeof(h));
	}
	if (e == NULL)
		return HTTP_E_BAD_USER;
	return same ? HTTP_OK : HTTP_E_BAD_PASSWORD;
}

/* ---- Digest ---- */

/*
 * HA1 = H(user ":" realm ":" password) (RFC 7616 §3.4.2), lowercase hex.
 * Plain stores compute it; htdigest stores hold it for their realm (and
 * its length must fit the algorithm: 32 hex for MD5, 64 for SHA-256);
 * htpasswd hashes cannot give it: HTTP_E_CONFIG.
 */
enum http_err users_digest_ha1(const struct users *u, const char *user,
			       const char *realm, enum digest_alg alg,
			       char out[DIGEST_HEX_MAX + 1])
{
	const struct users_entry *e;
	const char *secret;
	char a1[3 * DIGEST_MAX_FIELD + USERS_MAX_SECRET];
	enum http_err err;
	int n;

	out[0] = '\0';
	if (u->kind == USERS_HTPASSWD)
		return HTTP_E_CONFIG;
	e = find(u, user, u->kind == USERS_HTDIGEST ? realm : NULL);
	/* An unknown user gets the dummy's HA1, made the same way. */
	secret = e != NULL	    ? e->secret
		 : u->dummy != NULL ? u->dummy
				    : dummy_fallback;
	if (u->kind == USERS_HTDIGEST) {
		size_t want = digest_hex_len(alg);

		if (e != NULL && strlen(secret) != want)
			return HTTP_E_CONFIG;
		snprintf(out, DIGEST_HEX_MAX + 1, "%.*s", (int)want, secret);
		err = HTTP_OK;
	} else {
		n = snprintf(a1, sizeof(a1), "%s:%s:%s", user ? user : "",
			     realm, secret);
		if (n < 0 || (size_t)n >= sizeof(a1))
			err = HTTP_E_NOSPACE;
		else
			err = digest_hash_hex(alg, a1, (size_t)n, out);
		OPENSSL_cleanse(a1, sizeof(a1));
	}
	if (err == HTTP_OK && e == NULL)
		return HTTP_E_BAD_USER;
	return err;
}

/*
 * RFC 7616 §3.4.4: with userhash=true the client sends H(user ":" realm)
 * instead of the name.  Try every user; copy the match into user.
 */
enum http_err users_from_userhash(const struct users *u, const char *hash,
				  const char *realm, enum digest_alg alg,
				  char *user, size_t cap)
{
	char h[DIGEST_HEX_MAX + 1];
	size_t i, hl = strlen(hash), found = u->n;

	if (cap > 0)
		user[0] = '\0';
	for (i = 0; i < u->n; i++) {
		if (u->v[i].realm != NULL && strcmp(u->v[i].realm, realm) != 0)
			continue;
		if (digest_userhash(alg, u->v[i].user, realm, h) != HTTP_OK)
			continue;
		if (strlen(h) == hl && digest_equal(h, hash, hl) &&
		    found == u->n)
			found = i;
	}
	if (found == u->n)
		return HTTP_E_BAD_USER;
	if ((size_t)snprintf(user, cap, "%s", u->v[found].user) >= cap) {
		if (cap > 0)
			user[0] = '\0';
		return HTTP_E_NOSPACE;
	}
	return HTTP_OK;
}

/* ---- Bearer ---- */

/*
 * The user a token belongs to, copied into user.  Every token is compared
 * (constant time, no early exit), so timing does not say which one is
 * near.  HTTP_E_BAD_PASSWORD when no token matches.
 */
enum http_err users_check_token(const struct users *u, const char *token,
				char *user, size_t cap)
{
	size_t i, found = u->ntokens, tl = strlen(token);

	if (cap > 0)
		user[0] = '\0';
	for (i = 0; i < u->ntokens; i++)
		if (basic_equal(u->tokens[i], strlen(u->tokens[i]), token,
				tl) &&
		    found == u->ntokens)
			found = i;
	if (found == u->ntokens)
		return HTTP_E_BAD_PASSWORD;
	if ((size_t)snprintf(user, cap, "%s", u->token_user[found]) >= cap) {
		if (cap > 0)
			user[0] = '\0';
		return HTTP_E_NOSPACE;
	}
	return HTTP_OK;
}

/* ---- What a store can serve ---- */

/*
 * True when the store can serve every scheme in scheme_bits: plain ->
 * Basic and Digest; htpasswd -> Basic; htdigest -> Digest; Bearer when
 * tokens are loaded, whatever the kind.  0 bits: true.
 */
bool users_supports(const struct users *u, unsigned scheme_bits)
{
	unsigned can = 0;

	switch (u->kind) {
	case USERS_PLAIN:
		/* NTLM needs the NT hash, MD4 of the plain password. */
		can = AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST | AUTH_SCHEME_NTLM;
		break;
	case USERS_HTPASSWD:
		can = AUTH_SCHEME_BASIC;
		break;
	case USERS_HTDIGEST:
		can = AUTH_SCHEME_DIGEST;
		break;
	}
	if (u->ntokens > 0)
		can |= AUTH_SCHEME_BEARER;
	can |= AUTH_SCHEME_NEGOTIATE; /* Kerberos: the KDC knows the users */
	return (scheme_bits & ~can) == 0;
}

/*
 * http/users.h - credential stores: the lab defaults, plain lab files,
 * Apache htpasswd and htdigest files, and Bearer tokens.
 *
 * Plain `user:password` works for every scheme and is what a lab wants to
 * show; htpasswd holds one-way hashes (Basic only, since Digest needs HA1);
 * htdigest holds HA1 per realm (Digest only).
 */
#ifndef LAB407_HTTP_USERS_H
#define LAB407_HTTP_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "error.h"

#define USERS_MAX 1024 /* entries in one file */
#define USERS_MAX_LINE 1024
#define USERS_MAX_BCRYPT_COST 12    /* 2^12 rounds: ~0.1-0.5 s a check */
#define USERS_MAX_SHA_ROUNDS 100000 /* SHA-crypt: 20x the default 5000 */

enum users_kind {
	USERS_PLAIN,	/* user:password */
	USERS_HTPASSWD, /* user:$2y$..., $5$, $6$, {SHA} */
	USERS_HTDIGEST	/* user:realm:HA1 */
};

struct users_entry {
	char *user;   /* owned */
	char *secret; /* owned: password, hash or HA1 hex */
	char *realm;  /* owned, htdigest only, else NULL */
};

struct users {
	enum users_kind kind;
	struct users_entry *v; /* owned */
	size_t n;
	char *
	    tokens[USERS_MAX]; /* Bearer tokens accepted ("token user" pairs) */
	char *token_user[USERS_MAX];
	size_t ntokens;
	char *dummy; /* owned: what an unknown user is checked against
			(users_password_setting), so it costs what a
			typical entry costs; NULL in a hand-made store */
};

/* Which side's defaults (README.md): the proxy knows mallory, the origin does
 * not. */
enum users_side { USERS_SIDE_PROXY, USERS_SIDE_ORIGIN };

/* The compiled-in lab identities (alice, bob, mallory for the proxy) and
 * one Bearer token per user ("<user>-token"). */
enum http_err users_defaults(struct users *u, enum users_side side);
/* Replace (or add) one plain user in a plain store.  The unit tests build
 * stores with it; the REPL's `user` command sets a client's credentials,
 * not a store. */
enum http_err users_set(struct users *u, const char *user, const char *pass);
void users_free(struct users *u);

/*
 * HTTP_OK, HTTP_E_BAD_USER or HTTP_E_BAD_PASSWORD; constant-time compare.
 * An unknown user is checked against the store's dummy entry, so the time
 * taken does not tell who exists (see users_password_setting).
 */
enum http_err users_check_password(const struct users *u, const char *user,
				   const char *pass, size_t pass_len);
/*
 * HA1 hex for Digest.  From a plain password, H(user:realm:pass); from
 * htdigest, the stored HA1 (its length must match the algorithm).  htpasswd
 * gives HTTP_E_CONFIG.  Unknown user (or user NULL): HTTP_E_BAD_USER, and
 * out holds the HA1 of the dummy entry, made the same way, so the caller
 * can compute and compare a response for the same cost.
 */
enum http_err users_digest_ha1(const struct users *u, const char *user,
			       const char *realm, enum digest_alg alg,
			       char out[DIGEST_HEX_MAX + 1]);
/* Find the user whose userhash matches (userhash=true); copies the name. */
enum http_err users_from_userhash(const struct users *u, const char *hash,
				  const char *realm, enum digest_alg alg,
				  char *user, size_t cap);
/* The user a Bearer token belongs to; HTTP_E_BAD_PASSWORD when none. */
enum http_err users_check_token(const struct users *u, const char *token,
				char *user, size_t cap);
/*
 * The stored secret a Basic password for `user` is checked against: the
 * user's own, or for an unknown user the store's dummy.  For htpasswd the
 * dummy is a hash of a random password with the kind and cost most common
 * in the file (htpasswd_class, http/htpasswd.h), made at load time, so checking
 * an unknown user costs what checking a typical user costs.  Never NULL.
 */
const char *users_password_setting(const struct users *u, const char *user);
/* True when the store can serve Digest / Basic. */
bool users_supports(const struct users *u, unsigned scheme_bits);

/* ---- Building a store (http/users.c), for http/users_load.c ---- */

#define USERS_FILE_MAX ((size_t)USERS_MAX * USERS_MAX_LINE) /* bytes */
#define USERS_MAX_SECRET 512 /* longest password or hash we keep */

/* Append an entry; takes copies.  realm may be NULL.  HTTP_E_CONFIG when
 * full. */
enum http_err users_add_entry(struct users *u, const char *user, size_t ulen,
			      const char *secret, size_t slen,
			      const char *realm, size_t rlen);
/* Append a Bearer token for user; takes copies. */
enum http_err users_add_token(struct users *u, const char *tok, size_t tlen,
			      const char *user, size_t ulen);
/* Wipe and free every token. */
void users_free_tokens(struct users *u);
/* The entry an unknown user is checked against (struct users, dummy). */
enum http_err users_make_dummy(struct users *u);

/* Reading files has a header of its own; this one brings it along. */
#include "users_load.h"

#endif

/*
 * http/credcache.h - the verified-credentials cache: Basic credentials
 * that checked out recently, so a keep-alive client that sends the same
 * Proxy-Authorization on every request costs one slow hash (bcrypt,
 * SHA-crypt, $apr1$), not one a request.
 *
 * What is kept is a tag, HMAC-SHA-256 under a key drawn from RAND_bytes
 * when the cache is made, over the user, the password and the stored
 * secret they were checked against: never the credential itself, and a
 * password changed in the users file no longer matches.  Only successes
 * go in (credcache_remember after a check said HTTP_OK), so a wrong
 * password is always checked the slow way.  Each entry lives `ttl`
 * seconds from when it went in, like Squid's credentialsttl; the table
 * is bounded (CREDCACHE_MAX entries, the least recently used of a full
 * set goes).
 *
 * Sans-I/O: the caller passes the time; no locking (a shell shared by
 * threads holds its own lock around each call, see guard_config.creds).
 */
#ifndef LAB407_HTTP_CREDCACHE_H
#define LAB407_HTTP_CREDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CREDCACHE_TAG_LEN 32 /* HMAC-SHA-256 */
#define CREDCACHE_WAYS 4     /* entries a tag may land in */
#define CREDCACHE_SETS 256
#define CREDCACHE_MAX (CREDCACHE_WAYS * CREDCACHE_SETS)
#define CREDCACHE_DEFAULT_TTL 300 /* seconds */
#define CREDCACHE_MAX_TTL 86400
#define CREDCACHE_MAX_INPUT 4096 /* user, password and secret together */

struct credcache_entry {
	unsigned char tag[CREDCACHE_TAG_LEN];
	uint64_t expires; /* seconds since the epoch; past it: a miss */
	uint64_t used;	  /* last use, on the cache's own clock; 0: free */
};

struct credcache {
	unsigned char key[32]; /* the HMAC key, from RAND_bytes */
	unsigned ttl;	       /* seconds; 0: the cache is off */
	uint64_t clock;	       /* counts uses, for least-recently-used */
	struct credcache_entry v[CREDCACHE_MAX]; /* CREDCACHE_SETS sets of
						    CREDCACHE_WAYS */
};

/* An empty cache with a fresh key; ttl 0 turns it off.  HTTP_E_CONFIG
 * when RAND_bytes fails (the cache is then off). */
enum http_err credcache_init(struct credcache *c, unsigned ttl);
/*
 * The tag of user:pass checked against `secret` (the stored password,
 * hash or HA1, see users_password_setting): HMAC-SHA-256 over the three,
 * each length-prefixed so no two different triples run together into one.
 * False when the HMAC fails or the three are over CREDCACHE_MAX_INPUT
 * bytes together: such credentials are simply not remembered.
 */
bool credcache_tag(const struct credcache *c, const char *user,
		   const char *pass, size_t pass_len, const char *secret,
		   unsigned char tag[CREDCACHE_TAG_LEN]);
/* True when tag went in less than ttl seconds before now (and was not
 * pushed out since); a hit counts as a use. */
bool credcache_seen(struct credcache *c,
		    const unsigned char tag[CREDCACHE_TAG_LEN], uint64_t now);
/* Remember a tag whose check succeeded, until now + ttl. */
void credcache_remember(struct credcache *c,
			const unsigned char tag[CREDCACHE_TAG_LEN],
			uint64_t now);
/* Forget every entry (the key stays). */
void credcache_clear(struct credcache *c);
/* Forget everything, key included (wiped with OPENSSL_cleanse). */
void credcache_free(struct credcache *c);

#endif

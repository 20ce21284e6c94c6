/*
 * http/credcache.c - the verified-credentials cache (see credcache.h).
 *
 * A set-associative table: the first bytes of a tag pick one of
 * CREDCACHE_SETS sets, and the tag goes in any of that set's
 * CREDCACHE_WAYS entries.  A look-up compares at most CREDCACHE_WAYS
 * tags, in constant time each (CRYPTO_memcmp), whatever the table holds.
 */
#define _POSIX_C_SOURCE 200809L

#include "credcache.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

/* ---- Making the cache ---- */

/* An empty table and a key nobody else knows. */
enum http_err credcache_init(struct credcache *c, unsigned ttl)
{
	memset(c, 0, sizeof(*c));
	if (RAND_bytes(c->key, sizeof(c->key)) != 1)
		return HTTP_E_CONFIG;
	c->ttl = ttl > CREDCACHE_MAX_TTL ? CREDCACHE_MAX_TTL : ttl;
	return HTTP_OK;
}

void credcache_clear(struct credcache *c)
{
	OPENSSL_cleanse(c->v, sizeof(c->v));
	c->clock = 0;
}

void credcache_free(struct credcache *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

/* ---- The tag ---- */

/* Append a 4-byte big-endian length and the bytes to buf at *at. */
static bool put(unsigned char *buf, size_t cap, size_t *at, const void *p,
		size_t n)
{
	if (n > cap - *at || cap - *at - n < 4)
		return false;
	buf[(*at)++] = (unsigned char)(n >> 24);
	buf[(*at)++] = (unsigned char)(n >> 16);
	buf[(*at)++] = (unsigned char)(n >> 8);
	buf[(*at)++] = (unsigned char)n;
	if (n > 0)
		memcpy(buf + *at, p, n);
	*at += n;
	return true;
}

bool credcache_tag(const struct credcache *c, const char *user,
		   const char *pass, size_t pass_len, const char *secret,
		   unsigned char tag[CREDCACHE_TAG_LEN])
{
	unsigned char msg[CREDCACHE_MAX_INPUT];
	unsigned int len = 0;
	size_t at = 0;
	bool ok;

	ok = put(msg, sizeof(msg), &at, user, strlen(user)) &&
	     put(msg, sizeof(msg), &at, pass, pass_len) &&
	     put(msg, sizeof(msg), &at, secret, strlen(secret)) &&
	     HMAC(EVP_sha256(), c->key, sizeof(c->key), msg, at, tag, &len) !=
		 NULL &&
	     len == CREDCACHE_TAG_LEN;
	OPENSSL_cleanse(msg, sizeof(msg)); /* it held the password */
	if (!ok)
		memset(tag, 0, CREDCACHE_TAG_LEN);
	return ok;
}

/* ---- Looking up and remembering ---- */

/* The set a tag belongs to: its first entry. */
static struct credcache_entry *set_of(struct credcache *c,
				      const unsigned char *tag)
{
	size_t s = ((size_t)tag[0] << 8 | tag[1]) % CREDCACHE_SETS;

	return &c->v[s * CREDCACHE_WAYS];
}

bool credcache_seen(struct credcache *c,
		    const unsigned char tag[CREDCACHE_TAG_LEN], uint64_t now)
{
	struct credcache_entry *set;

	if (c->ttl == 0)
		return false;
	set = set_of(c, tag);
	for (size_t i = 0; i < CREDCACHE_WAYS; i++) {
		struct credcache_entry *e = &set[i];

		if (e->used == 0 ||
		    CRYPTO_memcmp(e->tag, tag, CREDCACHE_TAG_LEN) != 0)
			continue;
		if (now >= e->expires) {
			/* Expired: it goes, and the caller checks again. */
			OPENSSL_cleanse(e, sizeof(*e));
			return false;
		}
		e->used = ++c->clock;
		return true;
	}
	return false;
}

void credcache_remember(struct credcache *c,
			const unsigned char tag[CREDCACHE_TAG_LEN],
			uint64_t now)
{
	struct credcache_entry *set, *victim;

	if (c->ttl == 0)
		return;
	set = set_of(c, tag);
	victim = &set[0];
	for (size_t i = 0; i < CREDCACHE_WAYS; i++) {
		struct credcache_entry *e = &set[i];

		if (e->used != 0 &&
		    CRYPTO_memcmp(e->tag, tag, CREDCACHE_TAG_LEN) == 0) {
			victim = e; /* already there: renew it */
			break;
		}
		/* Else a free entry, or an expired one, or the least
		 * recently used. */
		if (victim->used != 0 && (e->used == 0 || now >= e->expires ||
					  e->used < victim->used))
			victim = e;
	}
	memcpy(victim->tag, tag, CREDCACHE_TAG_LEN);
	victim->expires = now + c->ttl;
	victim->used = ++c->clock;
}

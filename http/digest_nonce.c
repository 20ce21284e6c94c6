/*
 * http/digest_nonce.c - Digest nonces (RFC 7616 §3.3, §3.4): the server's
 * nonces, made and checked without a table; the nonce counts that refuse
 * a replayed request; the client's cnonce.
 */
#define _POSIX_C_SOURCE 200809L

#include "digest.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base64.h"
#include "buf.h"

/* ---- Nonces ---- */

/*
 * A server nonce is base64 of
 *   time (8 bytes, big-endian) || serial (8, big-endian) || random (8) ||
 *   HMAC-SHA256(secret, time || serial || random) cut to 16 bytes
 * so the server checks it without a table: a nonce whose MAC verifies was
 * made here, and its time says whether it is still fresh (RFC 7616 §3.3
 * leaves the nonce format to the server and suggests a time stamp).  The
 * serial numbers the nonces this key has issued, 1, 2, 3, ...: it names
 * one nonce exactly (the MAC covers it) and orders them by issue even
 * within one second, which the nonce-count table below relies on.
 */
#define NONCE_TIME 8
#define NONCE_SERIAL 8
#define NONCE_RANDOM 8
#define NONCE_MAC 16
#define NONCE_SIGNED (NONCE_TIME + NONCE_SERIAL + NONCE_RANDOM)
#define NONCE_RAW (NONCE_SIGNED + NONCE_MAC)
#define NONCE_B64 56 /* base64_encoded_len(40) */

/* Fill the secret from the CSPRNG; lifetime 0 means the default. */
enum http_err digest_nonce_key_init(struct digest_nonce_key *k,
				    unsigned lifetime)
{
	memset(k->secret, 0, sizeof(k->secret));
	k->lifetime = lifetime ? lifetime : DIGEST_NONCE_LIFETIME;
	atomic_init(&k->issued, 0);
	if (RAND_bytes(k->secret, sizeof(k->secret)) != 1)
		return HTTP_E_CONFIG;
	return HTTP_OK;
}

/* The truncated MAC over time || serial || random. */
static bool nonce_mac(const struct digest_nonce_key *k,
		      const unsigned char *msg, unsigned char mac[NONCE_MAC])
{
	unsigned char full[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), k->secret, sizeof(k->secret), msg, NONCE_SIGNED,
		 full, &len) == NULL ||
	    len < NONCE_MAC)
		return false;
	memcpy(mac, full, NONCE_MAC);
	OPENSSL_cleanse(full, sizeof(full));
	return true;
}

/* Write v big-endian into out[0..8). */
static void put_be64(unsigned char *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(v >> (8 * (7 - i)));
}

/* Read a big-endian 64-bit value from in[0..8). */
static uint64_t get_be64(const unsigned char *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | in[i];
	return v;
}

/*
 * A fresh nonce for time `now` into out (cap incl. NUL).  Safe to call
 * from several threads at once: the serial is taken with one atomic
 * increment and nothing else in *k changes.
 */
enum http_err digest_nonce_make(struct digest_nonce_key *k, uint64_t now,
				char *out, size_t cap)
{
	unsigned char raw[NONCE_RAW];
	uint64_t serial = atomic_fetch_add(&k->issued, 1) + 1;
	size_t outlen = 0;

	if (cap > 0)
		out[0] = '\0';
	put_be64(raw, now);
	put_be64(raw + NONCE_TIME, serial);
	if (RAND_bytes(raw + NONCE_TIME + NONCE_SERIAL, NONCE_RANDOM) != 1)
		return HTTP_E_CONFIG;
	if (!nonce_mac(k, raw, raw + NONCE_SIGNED))
		return HTTP_E_CONFIG;
	return base64_encode(raw, sizeof(raw), out, cap, &outlen);
}

/*
 * HTTP_OK: ours and fresh, *serial (may be NULL) set.
 * HTTP_E_DIGEST_NONCE: wrong length, not base64, or the MAC fails (forged
 * or corrupted).  HTTP_E_DIGEST_STALE: ours, but older than the lifetime
 * (*serial set too); only said once the MAC verified, so a forger learns
 * nothing about time.
 */
enum http_err digest_nonce_read(const struct digest_nonce_key *k,
				const char *nonce, uint64_t now,
				uint64_t *serial)
{
	unsigned char raw[NONCE_RAW + 3];
	unsigned char mac[NONCE_MAC];
	size_t len = 0;
	uint64_t issued;

	if (nonce == NULL || strnlen(nonce, NONCE_B64 + 1) != NONCE_B64)
		return HTTP_E_DIGEST_NONCE;
	if (base64_decode(nonce, NONCE_B64, raw, sizeof(raw), &len) !=
		HTTP_OK ||
	    len != NONCE_RAW)
		return HTTP_E_DIGEST_NONCE;
	if (!nonce_mac(k, raw, mac) ||
	    CRYPTO_memcmp(mac, raw + NONCE_SIGNED, NONCE_MAC) != 0)
		return HTTP_E_DIGEST_NONCE;
	issued = get_be64(raw);
	if (serial != NULL)
		*serial = get_be64(raw + NONCE_TIME);
	/* A nonce from "the future" is ours too (the clock stepped back). */
	if (now > issued && now - issued > k->lifetime)
		return HTTP_E_DIGEST_STALE;
	return HTTP_OK;
}

/* digest_nonce_read() without the serial. */
enum http_err digest_nonce_check(const struct digest_nonce_key *k,
				 const char *nonce, uint64_t now)
{
	return digest_nonce_read(k, nonce, now, NULL);
}

/* ---- Nonce counts ---- */

/* Empty table: no nonce used yet, watermark 0 (serials start at 1). */
void digest_nc_init(struct digest_nc_table *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * RFC 7616 §3.4: the server remembers the last nc per nonce and refuses a
 * count it has seen (a replay) or a lower one.  The table is bounded, so
 * it must forget; what it forgets must never become usable again:
 *
 *   - A full table evicts the nonce issued first (lowest serial) and
 *     raises the watermark to that serial.
 *   - A nonce not in the table whose serial is at or below the watermark
 *     may have been used and forgotten: it is stale (HTTP_E_DIGEST_STALE;
 *     the client is told stale=true and retries silently with a fresh
 *     nonce), never fresh.  A nonce above the watermark that is not in
 *     the table has never been used, since everything used above the
 *     watermark is still there.
 *
 * So no sequence of requests, however many nonces it uses, makes a used
 * (nonce, nc) acceptable again; the most a flood can do is make honest
 * clients fetch a fresh nonce.  Serials, not times, order the nonces, so
 * two nonces of the same second are told apart and a clock that steps
 * back changes nothing here.  An expired nonce needs no sweep: its serial
 * is among the lowest, so its slot is the next to go, and
 * digest_nonce_read() already calls it stale.
 *
 * Returns HTTP_OK (nc recorded), HTTP_E_DIGEST_NC (replayed or lower) or
 * HTTP_E_DIGEST_STALE (no longer tracked).  Check and record are one
 * step: the caller holds whatever lock guards *t around the call.
 */
enum http_err digest_nc_check(struct digest_nc_table *t, uint64_t serial,
			      uint32_t nc)
{
	struct digest_nc_slot *free_slot = NULL, *oldest = NULL;

	if (serial == 0 || nc == 0)
		return HTTP_E_DIGEST_NC;
	for (size_t i = 0; i < DIGEST_NC_SLOTS; i++) {
		struct digest_nc_slot *s = &t->slots[i];

		if (s->serial == 0) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (s->serial == serial) {
			if (nc <= s->last_nc)
				return HTTP_E_DIGEST_NC;
			s->last_nc = nc;
			return HTTP_OK;
		}
		if (oldest == NULL || s->serial < oldest->serial)
			oldest = s;
	}
	if (serial <= t->watermark)
		return HTTP_E_DIGEST_STALE;
	if (free_slot == NULL) {
		/* oldest is set: the table is full */
		if (oldest->serial > t->watermark)
			t->watermark = oldest->serial;
		free_slot = oldest;
		t->evicted++;
	}
	free_slot->serial = serial;
	free_slot->last_nc = nc;
	return HTTP_OK;
}

/* A fresh cnonce: 16 CSPRNG bytes as 32 lowercase hex digits. */
enum http_err digest_cnonce(char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];

	if (cap < 2 * sizeof(r) + 1)
		return HTTP_E_NOSPACE;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return HTTP_E_CONFIG;
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0x0f];
	}
	out[2 * sizeof(r)] = '\0';
	return HTTP_OK;
}

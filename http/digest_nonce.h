/*
 * http/digest_nonce.h - Digest nonces (RFC 7616 §3.3, §3.4): the server's,
 * their counts, and the client's cnonce.
 */
#ifndef LAB407_HTTP_DIGEST_NONCE_H
#define LAB407_HTTP_DIGEST_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"

/* ---- server nonces: stateless to check, bound to time and a secret ---- */

struct digest_nonce_key {
	unsigned char secret[DIGEST_SECRET_LEN]; /* RAND_bytes at start */
	unsigned lifetime;			 /* seconds a nonce is fresh */
	_Atomic uint_least64_t issued; /* serial of the last nonce made */
};

/* Fill the secret from RAND_bytes; lifetime 0 means the default. */
enum http_err digest_nonce_key_init(struct digest_nonce_key *k,
				    unsigned lifetime);
/*
 * A fresh nonce: base64(time || serial || random || HMAC(secret, ...)).
 * Thread-safe: the only thing it changes is k->issued, atomically.
 */
enum http_err digest_nonce_make(struct digest_nonce_key *k, uint64_t now,
				char *out, size_t cap);
/*
 * HTTP_OK when the nonce is ours and fresh, HTTP_E_DIGEST_STALE when ours
 * but older than lifetime, HTTP_E_DIGEST_NONCE when not ours.  Reads only
 * the secret: safe from several threads.
 */
enum http_err digest_nonce_check(const struct digest_nonce_key *k,
				 const char *nonce, uint64_t now);
/* The same, and *serial (may be NULL) is the nonce's serial when ours. */
enum http_err digest_nonce_read(const struct digest_nonce_key *k,
				const char *nonce, uint64_t now,
				uint64_t *serial);

/* ---- nonce counts (RFC 7616 §3.4: replay protection) ---- */

struct digest_nc_slot {
	uint64_t serial;  /* the nonce (digest_nonce_read), 0: free */
	uint32_t last_nc; /* highest nc accepted with it */
};

struct digest_nc_table {
	struct digest_nc_slot slots[DIGEST_NC_SLOTS];
	uint64_t watermark; /* highest serial evicted: at or below, untracked =
			       stale */
	uint64_t evicted;   /* slots reused so far (for tests) */
};

void digest_nc_init(struct digest_nc_table *t);
/*
 * HTTP_OK and record nc when it is greater than the last one seen for
 * this nonce; HTTP_E_DIGEST_NC when replayed or lower;
 * HTTP_E_DIGEST_STALE when the nonce is no longer tracked (forgotten to
 * make room: it may have been used, so it is never taken as fresh).  One
 * atomic check-and-set: not thread-safe, the caller serialises.
 */
enum http_err digest_nc_check(struct digest_nc_table *t, uint64_t serial,
			      uint32_t nc);

/* Fresh cnonce from RAND_bytes (hex or base64 text, NUL-terminated). */
enum http_err digest_cnonce(char *out, size_t cap);

#endif

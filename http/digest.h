/*
 * http/digest.h - the Digest scheme (RFC 7616), hashing and nonces only.
 *
 * Like curl's lib/vauth/digest.c this file knows nothing of HTTP messages:
 * it computes HA1, HA2 and the response from plain strings, makes and
 * checks nonces, and tracks nonce counts.  The HTTP glue lives in
 * http/guard.c (server side) and http/answer.c (client side).  Hashes come
 * from OpenSSL's EVP; comparison uses CRYPTO_memcmp.
 */
#ifndef LAB407_HTTP_DIGEST_H
#define LAB407_HTTP_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum digest_alg {
	DIGEST_MD5,
	DIGEST_MD5_SESS,
	DIGEST_SHA256,
	DIGEST_SHA256_SESS,
	DIGEST_SHA512_256,
	DIGEST_SHA512_256_SESS,
	DIGEST_ALG_COUNT
};

/* qop values as bits, so an offer is a set. */
enum digest_qop {
	DIGEST_QOP_NONE = 0, /* RFC 2069 form: no qop, no cnonce, no nc */
	DIGEST_QOP_AUTH = 1u << 0,
	DIGEST_QOP_AUTH_INT = 1u << 1
};

#define DIGEST_HEX_MAX 64	  /* SHA-256 and SHA-512/256: 64 hex digits */
#define DIGEST_MAX_FIELD 256	  /* nonce, cnonce, realm, user, uri ... */
#define DIGEST_NONCE_LIFETIME 300 /* default seconds a nonce is fresh */
#define DIGEST_SECRET_LEN 32
#define DIGEST_NC_SLOTS 1024 /* nonces whose count we remember */

/* "MD5", "SHA-256-sess", ...; NULL for a bad value. */
const char *digest_alg_name(enum digest_alg a);
/* Case-insensitive parse of an algorithm name; false when unknown. */
bool digest_alg_parse(const char *s, size_t len, enum digest_alg *out);
/* Parse "MD5,SHA-256" into an ordered list. */
enum http_err digest_alg_list_parse(const char *s, enum digest_alg *out,
				    size_t max, size_t *n);
/* Hex digits of the algorithm's hash: 32 or 64. */
size_t digest_hex_len(enum digest_alg a);
bool digest_alg_is_sess(enum digest_alg a);
/* Strength rank for choosing among offered algorithms (higher wins). */
int digest_alg_rank(enum digest_alg a);
/* "auth", "auth-int", NULL for NONE. */
const char *digest_qop_name(enum digest_qop q);
/* Parse "auth,auth-int" into a bit set. */
enum http_err digest_qop_list_parse(const char *s, unsigned *out);

/* Everything that goes into one response computation (RFC 7616 §3.4.1). */
struct digest_input {
	enum digest_alg alg;
	enum digest_qop qop; /* one value, not a set */
	const char *user;    /* the user name hashed into A1 */
	const char *realm;
	const char *password; /* plaintext, or NULL when ha1_hex given */
	const char *ha1_hex;  /* precomputed H(user:realm:pass) (htdigest) */
	const char *nonce;
	const char *cnonce; /* ignored for QOP_NONE */
	uint32_t nc;	    /* ignored for QOP_NONE */
	const char *method;
	const char *uri;
	const void *body; /* entity body for auth-int */
	size_t body_len;
	const char
	    *body_hash; /* or its H(entity-body) hex (digest_body_final) */
};

/* Every intermediate value, written out for the REPL's `explain`.  Display
 * only: a string longer than its array is cut short (the hash is not).
 * It may hold the password: wipe it after use. */
struct digest_trace {
	char a1[3 * DIGEST_MAX_FIELD +
		4 * DIGEST_HEX_MAX]; /* the A1 string (password shown) */
	char a1_inner[3 * DIGEST_MAX_FIELD +
		      4 * DIGEST_HEX_MAX]; /* -sess only: user:realm:password,
					      hashed into A1 */
	char ha1[DIGEST_HEX_MAX + 1];
	char a2[2 * DIGEST_MAX_FIELD + DIGEST_HEX_MAX + 4]; /* the A2 string */
	char ha2[DIGEST_HEX_MAX + 1];
	char kd[4 * DIGEST_MAX_FIELD +
		2 * DIGEST_HEX_MAX]; /* the string under the final H */
	char response[DIGEST_HEX_MAX + 1];
};

/* Lowercase hex of H(data) for the algorithm (base hash of -sess too). */
enum http_err digest_hash_hex(enum digest_alg a, const void *data, size_t len,
			      char out[DIGEST_HEX_MAX + 1]);
/* The request-digest; trace may be NULL. */
enum http_err digest_compute(const struct digest_input *in,
			     struct digest_trace *trace,
			     char out[DIGEST_HEX_MAX + 1]);
/* rspauth for Authentication-Info: as digest_compute with A2 = ":" uri. */
enum http_err digest_rspauth(const struct digest_input *in,
			     char out[DIGEST_HEX_MAX + 1]);
/* userhash=true: H(user ":" realm) (RFC 7616 §3.4.4). */
enum http_err digest_userhash(enum digest_alg a, const char *user,
			      const char *realm, char out[DIGEST_HEX_MAX + 1]);
/* Constant-time compare of two hex strings of equal expected length. */
bool digest_equal(const char *a, const char *b, size_t len);

/* ---- hashing a body as it streams (qop=auth-int) ---- */

/*
 * H(entity-body) for A2 (RFC 7616 §3.4.3), fed in pieces as the body
 * arrives: init, update any number of times, final.  The same bytes give
 * the same hash however they are split.  final (or free) releases the
 * context; free is safe after final and on a context init never set up.
 */
struct digest_body_hash {
	void *md; /* EVP_MD_CTX *, owned */
	enum digest_alg alg;
	bool failed; /* an update failed: final reports it */
};

enum http_err digest_body_init(struct digest_body_hash *h, enum digest_alg a);
enum http_err digest_body_update(struct digest_body_hash *h, const void *p,
				 size_t n);
enum http_err digest_body_final(struct digest_body_hash *h,
				char out[DIGEST_HEX_MAX + 1]);
void digest_body_free(struct digest_body_hash *h);

#endif

/* The nonces and their counts (http/digest_nonce.c) come with this. */
#include "digest_nonce.h"

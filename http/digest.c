/*
 * http/digest.c - the Digest scheme (RFC 7616): algorithms and hashing.
 *
 * This file knows no HTTP message: it turns plain strings into HA1, HA2
 * and the request-digest, and hashes a body as it streams; the server
 * nonces and their counts are http/digest_nonce.c.  http/guard.c is the server
 * glue, http/answer.c the client glue.  Every hash comes from OpenSSL's EVP
 * interface and every comparison of secrets from CRYPTO_memcmp.
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

/* Longest string we hash (A1, A2 or the KD string): a URI can be long. */
#define DIGEST_MAX_HASHED 16384

/* ---- Algorithms ---- */

/*
 * The algorithm table (RFC 7616 §3.3 and the IANA "HTTP Digest Hash
 * Algorithms" registry).  rank orders them for a client choosing among
 * several challenges: stronger hash first; a -sess variant just below its
 * base, since it protects nothing more against an attacker who sees the
 * exchange and fewer servers implement it.
 */
struct alg_row {
	const char *name;
	const EVP_MD *(*md)(void);
	size_t hex_len;
	bool sess;
	int rank;
};

static const struct alg_row ALGS[DIGEST_ALG_COUNT] = {
    [DIGEST_MD5] = {"MD5", EVP_md5, 32, false, 2},
    [DIGEST_MD5_SESS] = {"MD5-sess", EVP_md5, 32, true, 1},
    [DIGEST_SHA256] = {"SHA-256", EVP_sha256, 64, false, 4},
    [DIGEST_SHA256_SESS] = {"SHA-256-sess", EVP_sha256, 64, true, 3},
    [DIGEST_SHA512_256] = {"SHA-512-256", EVP_sha512_256, 64, false, 6},
    [DIGEST_SHA512_256_SESS] = {"SHA-512-256-sess", EVP_sha512_256, 64, true,
				5},
};

/* The table row for a, or NULL when a is out of range. */
static const struct alg_row *alg_row(enum digest_alg a)
{
	if ((unsigned)a >= DIGEST_ALG_COUNT)
		return NULL;
	return &ALGS[a];
}

/* "MD5", "SHA-256-sess", ...; NULL for a bad value.  Static storage. */
const char *digest_alg_name(enum digest_alg a)
{
	const struct alg_row *r = alg_row(a);

	return r ? r->name : NULL;
}

/* Case-insensitive parse of an algorithm token (RFC 7616 §3.3). */
bool digest_alg_parse(const char *s, size_t len, enum digest_alg *out)
{
	for (size_t i = 0; i < DIGEST_ALG_COUNT; i++) {
		if (strlen(ALGS[i].name) == len &&
		    strncasecmp(ALGS[i].name, s, len) == 0) {
			*out = (enum digest_alg)i;
			return true;
		}
	}
	return false;
}

/* True for space and tab, the OWS around list elements. */
static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The next element of a comma-separated list at *p (a command-line
 * value such as "MD5, SHA-256"), OWS trimmed, empty elements skipped.
 * False at the end.
 */
static bool list_next(const char **p, const char **start, size_t *len)
{
	const char *q = *p, *end;

	while (is_ows(*q) || *q == ',')
		q++;
	if (*q == '\0')
		return false;
	*start = q;
	while (*q != '\0' && *q != ',')
		q++;
	end = q;
	while (end > *start && is_ows(end[-1]))
		end--;
	*len = (size_t)(end - *start);
	*p = q;
	return true;
}

/*
 * Parse "MD5, SHA-256" into out[0..max) in order; duplicates are kept
 * once.  An unknown name: HTTP_E_DIGEST_ALGORITHM; more than max:
 * HTTP_E_AUTH_TOO_MANY.  *n is the count written.
 */
enum http_err digest_alg_list_parse(const char *s, enum digest_alg *out,
				    size_t max, size_t *n)
{
	const char *p = s;

	const char *start;
	size_t len;

	*n = 0;
	while (list_next(&p, &start, &len)) {
		enum digest_alg a;
		bool dup = false;

		if (!digest_alg_parse(start, len, &a))
			return HTTP_E_DIGEST_ALGORITHM;
		for (size_t i = 0; i < *n; i++)
			dup = dup || out[i] == a;
		if (dup)
			continue;
		if (*n >= max)
			return HTTP_E_AUTH_TOO_MANY;
		out[(*n)++] = a;
	}
	return HTTP_OK;
}

/* Hex digits of the algorithm's hash: 32 (MD5) or 64; 0 when bad. */
size_t digest_hex_len(enum digest_alg a)
{
	const struct alg_row *r = alg_row(a);

	return r ? r->hex_len : 0;
}

/* True for the -sess variants (RFC 7616 §3.4.2). */
bool digest_alg_is_sess(enum digest_alg a)
{
	const struct alg_row *r = alg_row(a);

	return r ? r->sess : false;
}

/* Strength rank (higher wins); see the table above.  -1 when bad. */
int digest_alg_rank(enum digest_alg a)
{
	const struct alg_row *r = alg_row(a);

	return r ? r->rank : -1;
}

/* "auth", "auth-int", NULL for NONE or a set of several. */
const char *digest_qop_name(enum digest_qop q)
{
	switch (q) {
	case DIGEST_QOP_AUTH:
		return "auth";
	case DIGEST_QOP_AUTH_INT:
		return "auth-int";
	default:
		return NULL;
	}
}

/*
 * Parse "auth, auth-int" (or "none": the RFC 2069 form) into a bit set.
 * Unknown value: HTTP_E_DIGEST_QOP.
 */
enum http_err digest_qop_list_parse(const char *s, unsigned *out)
{
	const char *p = s;

	const char *start;
	size_t len;

	*out = 0;
	while (list_next(&p, &start, &len)) {
		if (len == 4 && strncasecmp(start, "auth", 4) == 0)
			*out |= DIGEST_QOP_AUTH;
		else if (len == 8 && strncasecmp(start, "auth-int", 8) == 0)
			*out |= DIGEST_QOP_AUTH_INT;
		else if (len == 4 && strncasecmp(start, "none", 4) == 0)
			continue;
		else
			return HTTP_E_DIGEST_QOP;
	}
	return HTTP_OK;
}

/* ---- Hex digests ---- */

/* Lowercase hex of md[0..len) into out. */
static void to_hex(const unsigned char *md, size_t len,
		   char out[DIGEST_HEX_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Lowercase hex of H(data) (RFC 7616 §3.4: "H(data)" as 32/64 LHEX). */
enum http_err digest_hash_hex(enum digest_alg a, const void *data, size_t len,
			      char out[DIGEST_HEX_MAX + 1])
{
	const struct alg_row *r = alg_row(a);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (r == NULL)
		return HTTP_E_DIGEST_ALGORITHM;
	if (EVP_Digest(data, len, md, &mdlen, r->md(), NULL) != 1 ||
	    (size_t)mdlen * 2 != r->hex_len)
		return HTTP_E_CONFIG;
	to_hex(md, mdlen, out);
	return HTTP_OK;
}

/* ---- Hashing a body as it streams ---- */

/*
 * qop=auth-int puts H(entity-body) into A2 (RFC 7616 §3.4.3).  A server
 * that streams a body cannot hold all of it, so the hash is built as the
 * bytes pass: digest_body_init() once the credentials name the algorithm,
 * digest_body_update() for every piece, digest_body_final() at the end,
 * and the hex goes to the check as digest_input.body_hash.  The entity
 * body is the message body with any transfer coding removed (RFC 9112
 * §6): feed the de-chunked bytes.
 */
enum http_err digest_body_init(struct digest_body_hash *h, enum digest_alg a)
{
	const struct alg_row *r = alg_row(a);
	EVP_MD_CTX *md;

	memset(h, 0, sizeof(*h));
	if (r == NULL)
		return HTTP_E_DIGEST_ALGORITHM;
	md = EVP_MD_CTX_new();
	if (md == NULL)
		return HTTP_E_NOMEM;
	if (EVP_DigestInit_ex(md, r->md(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return HTTP_E_CONFIG;
	}
	h->md = md;
	h->alg = a;
	return HTTP_OK;
}

/* Feed n more bytes of the entity body (n may be 0). */
enum http_err digest_body_update(struct digest_body_hash *h, const void *p,
				 size_t n)
{
	if (h->md == NULL || h->failed)
		return HTTP_E_CONFIG;
	if (n > 0 && EVP_DigestUpdate(h->md, p, n) != 1) {
		h->failed = true;
		return HTTP_E_CONFIG;
	}
	return HTTP_OK;
}

/* The hex of H(entity-body) into out; the context is released. */
enum http_err digest_body_final(struct digest_body_hash *h,
				char out[DIGEST_HEX_MAX + 1])
{
	const struct alg_row *r = alg_row(h->alg);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	enum http_err e = HTTP_OK;

	out[0] = '\0';
	if (h->md == NULL || h->failed || r == NULL)
		e = HTTP_E_CONFIG;
	else if (EVP_DigestFinal_ex(h->md, md, &mdlen) != 1 ||
		 (size_t)mdlen * 2 != r->hex_len)
		e = HTTP_E_CONFIG;
	else
		to_hex(md, mdlen, out);
	digest_body_free(h);
	return e;
}

/* Release the context without a result (a body abandoned half-way). */
void digest_body_free(struct digest_body_hash *h)
{
	if (h->md != NULL)
		EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

/* ---- The response: HA1, HA2, request-digest ---- */

/* Hash a buffer that was built up with http_buf_*; NOSPACE if it failed. */
static enum http_err hash_buf(enum digest_alg a, const struct http_buf *b,
			      char out[DIGEST_HEX_MAX + 1])
{
	if (b->failed || b->data == NULL)
		return HTTP_E_NOSPACE;
	return digest_hash_hex(a, b->data, b->len, out);
}

/* Copy a string into a trace field (display only: may be cut short). */
static void trace_copy(char *dst, size_t cap, const struct http_buf *b)
{
	snprintf(dst, cap, "%s", (b->data && !b->failed) ? b->data : "");
}

/* True when s is exactly n lowercase hex digits. */
static bool is_lhex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == n && s[n] == '\0';
}

/* Wipe and free a buffer that may hold a password. */
static void buf_wipe(struct http_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	http_buf_free(b);
}

/*
 * HA1 (RFC 7616 §3.4.2):
 *   A1 = user ":" realm ":" password
 *   -sess: A1 = H(user ":" realm ":" password) ":" nonce ":" cnonce
 * From ha1_hex when given (a stored htdigest HA1), else from the password.
 */
static enum http_err compute_ha1(const struct digest_input *in,
				 struct digest_trace *t,
				 char ha1[DIGEST_HEX_MAX + 1])
{
	const struct alg_row *r = alg_row(in->alg);
	struct http_buf a1;
	enum http_err e = HTTP_OK;

	http_buf_init(&a1, DIGEST_MAX_HASHED);
	if (in->ha1_hex != NULL) {
		if (!is_lhex(in->ha1_hex, r->hex_len)) {
			e = HTTP_E_HEX;
			goto done;
		}
		snprintf(ha1, DIGEST_HEX_MAX + 1, "%s", in->ha1_hex);
		if (t)
			snprintf(t->a1, sizeof(t->a1),
				 "%s:%s:(stored HA1, password not known)",
				 in->user, in->realm);
	} else {
		if (in->password == NULL) {
			e = HTTP_E_DIGEST_FIELD;
			goto done;
		}
		http_buf_printf(&a1, "%s:%s:%s", in->user, in->realm,
				in->password);
		e = hash_buf(in->alg, &a1, ha1);
		if (e != HTTP_OK)
			goto done;
		if (t)
			trace_copy(t->a1, sizeof(t->a1), &a1);
	}
	if (r->sess) {
		if (in->cnonce == NULL) {
			e = HTTP_E_DIGEST_FIELD;
			goto done;
		}
		if (t)
			snprintf(t->a1_inner, sizeof(t->a1_inner), "%s", t->a1);
		http_buf_reset(&a1);
		http_buf_printf(&a1, "%s:%s:%s", ha1, in->nonce, in->cnonce);
		e = hash_buf(in->alg, &a1, ha1);
		if (e != HTTP_OK)
			goto done;
		if (t)
			trace_copy(t->a1, sizeof(t->a1), &a1);
	}
	if (t)
		snprintf(t->ha1, sizeof(t->ha1), "%s", ha1);
done:
	buf_wipe(&a1);
	return e;
}

/*
 * HA2 (RFC 7616 §3.4.3):
 *   qop=auth or none: A2 = method ":" uri
 *   qop=auth-int:     A2 = method ":" uri ":" H(entity-body)
 * H(entity-body) from in->body_hash when the caller hashed the body as
 * it streamed, else from in->body (all of it, in memory).
 * rspauth uses the same with an empty method (RFC 7616 §3.5).
 */
static enum http_err compute_ha2(const struct digest_input *in,
				 const char *method, struct digest_trace *t,
				 char ha2[DIGEST_HEX_MAX + 1])
{
	struct http_buf a2;
	char hbody[DIGEST_HEX_MAX + 1];
	enum http_err e;

	http_buf_init(&a2, DIGEST_MAX_HASHED);
	http_buf_printf(&a2, "%s:%s", method, in->uri);
	if (in->qop == DIGEST_QOP_AUTH_INT && in->body_hash != NULL) {
		/* hashed as it streamed (digest_body_final) */
		if (!is_lhex(in->body_hash, alg_row(in->alg)->hex_len)) {
			e = HTTP_E_HEX;
			goto done;
		}
		http_buf_printf(&a2, ":%s", in->body_hash);
	} else if (in->qop == DIGEST_QOP_AUTH_INT) {
		e = digest_hash_hex(in->alg, in->body ? in->body : "",
				    in->body ? in->body_len : 0, hbody);
		if (e != HTTP_OK)
			goto done;
		http_buf_printf(&a2, ":%s", hbody);
	}
	e = hash_buf(in->alg, &a2, ha2);
	if (e == HTTP_OK && t) {
		trace_copy(t->a2, sizeof(t->a2), &a2);
		snprintf(t->ha2, sizeof(t->ha2), "%s", ha2);
	}
done:
	http_buf_free(&a2);
	return e;
}

/*
 * The whole computation for a given method (the request's, or "" for
 * rspauth).  RFC 7616 §3.4.1:
 *   response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))
 * with KD(secret, data) = H(secret ":" data); without qop, the RFC 2069
 * form H(H(A1) ":" nonce ":" H(A2)).
 */
static enum http_err compute(const struct digest_input *in, const char *method,
			     struct digest_trace *t,
			     char out[DIGEST_HEX_MAX + 1])
{
	char ha1[DIGEST_HEX_MAX + 1], ha2[DIGEST_HEX_MAX + 1];
	struct http_buf kd;
	enum http_err e;

	out[0] = '\0';
	if (t)
		memset(t, 0, sizeof(*t));
	if (alg_row(in->alg) == NULL)
		return HTTP_E_DIGEST_ALGORITHM;
	if (in->user == NULL || in->realm == NULL || in->nonce == NULL ||
	    in->uri == NULL || method == NULL)
		return HTTP_E_DIGEST_FIELD;
	if (in->qop != DIGEST_QOP_NONE && in->qop != DIGEST_QOP_AUTH &&
	    in->qop != DIGEST_QOP_AUTH_INT)
		return HTTP_E_DIGEST_QOP;
	if (in->qop != DIGEST_QOP_NONE && in->cnonce == NULL)
		return HTTP_E_DIGEST_FIELD;

	e = compute_ha1(in, t, ha1);
	if (e != HTTP_OK)
		goto wipe;
	e = compute_ha2(in, method, t, ha2);
	if (e != HTTP_OK)
		goto wipe;

	http_buf_init(&kd, DIGEST_MAX_HASHED);
	if (in->qop == DIGEST_QOP_NONE)
		http_buf_printf(&kd, "%s:%s:%s", ha1, in->nonce, ha2);
	else
		/* nc is 8LHEX (RFC 7616 §3.4). */
		http_buf_printf(&kd, "%s:%s:%08x:%s:%s:%s", ha1, in->nonce,
				(unsigned)in->nc, in->cnonce,
				digest_qop_name(in->qop), ha2);
	e = hash_buf(in->alg, &kd, out);
	if (e == HTTP_OK && t) {
		trace_copy(t->kd, sizeof(t->kd), &kd);
		snprintf(t->response, sizeof(t->response), "%s", out);
	}
	buf_wipe(&kd);
wipe:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return e;
}

/* The request-digest (RFC 7616 §3.4.1); trace may be NULL. */
enum http_err digest_compute(const struct digest_input *in,
			     struct digest_trace *trace,
			     char out[DIGEST_HEX_MAX + 1])
{
	return compute(in, in->method, trace, out);
}

/*
 * rspauth for Authentication-Info (RFC 7616 §3.5): the same computation
 * with A2 = ":" uri, i.e. the method left empty.
 */
enum http_err digest_rspauth(const struct digest_input *in,
			     char out[DIGEST_HEX_MAX + 1])
{
	return compute(in, "", NULL, out);
}

/* userhash = H(user ":" realm) (RFC 7616 §3.4.4). */
enum http_err digest_userhash(enum digest_alg a, const char *user,
			      const char *realm, char out[DIGEST_HEX_MAX + 1])
{
	struct http_buf b;
	enum http_err e;

	http_buf_init(&b, DIGEST_MAX_HASHED);
	http_buf_printf(&b, "%s:%s", user, realm);
	e = hash_buf(a, &b, out);
	http_buf_free(&b);
	return e;
}

/*
 * Constant-time compare of two hex strings that must both be exactly len
 * characters long: the length check leaks only the (public) length.
 */
bool digest_equal(const char *a, const char *b, size_t len)
{
	if (a == NULL || b == NULL)
		return false;
	if (strnlen(a, len + 1) != len || strnlen(b, len + 1) != len)
		return false;
	return CRYPTO_memcmp(a, b, len) == 0;
}

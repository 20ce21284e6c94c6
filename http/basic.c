/*
 * http/basic.c - the Basic scheme (RFC 7617).
 *
 * Basic sends base64(user-id ":" password).  Base64 is an encoding, not a
 * cipher: anyone who sees the header has the password, which is why
 * lesson 03 decodes one by hand.  What this file can do is be careful:
 * bounded buffers, control characters refused, comparison in constant
 * time, and every copy of a password wiped with explicit_bzero.
 *
 * explicit_bzero, not OPENSSL_cleanse as elsewhere in http/: both are a
 * wipe the compiler may not drop, but OpenSSL's stores eight bytes at a
 * time where glibc's is its vectorised memset.  A keep-alive request
 * wipes four blocks of 256 to 528 bytes here: 1,010 instructions with
 * OPENSSL_cleanse, 170 with explicit_bzero (callgrind, bin/proxy).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "basic.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64.h"

/* user ":" pass, the longest decoded credentials we accept. */
#define BASIC_MAX_USERPASS (BASIC_MAX_USER + 1 + BASIC_MAX_PASS)
/* base64 of that, plus the NUL. */
#define BASIC_MAX_B64 (((BASIC_MAX_USERPASS + 2) / 3) * 4 + 1)

/* ---- Checking ---- */

/* RFC 7617 §2: user-id and password MUST NOT contain any control
 * characters (CTL = %x00-1F / %x7F, RFC 5234 B.1). */
static bool has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/* ---- Encoding ---- */

/*
 * Append "Basic <base64(user:pass)>" to b.  Errors:
 * HTTP_E_BASIC_USER_COLON (RFC 7617 §2: a user-id containing a colon
 * cannot be split again), HTTP_E_BASIC_CTL, HTTP_E_BASIC_TOO_LONG,
 * HTTP_E_NOSPACE when b refuses the bytes.  The temporary copies are wiped.
 */
enum http_err basic_encode(struct http_buf *b, const char *user,
			   const char *pass)
{
	char plain[BASIC_MAX_USERPASS + 1];
	char b64[BASIC_MAX_B64];
	size_t ulen = strlen(user), plen = strlen(pass), outlen = 0;
	enum http_err e;

	if (memchr(user, ':', ulen) != NULL)
		return HTTP_E_BASIC_USER_COLON;
	if (has_ctl(user, ulen) || has_ctl(pass, plen))
		return HTTP_E_BASIC_CTL;
	if (ulen > BASIC_MAX_USER || plen > BASIC_MAX_PASS)
		return HTTP_E_BASIC_TOO_LONG;

	memcpy(plain, user, ulen);
	plain[ulen] = ':';
	memcpy(plain + ulen + 1, pass, plen);
	e = base64_encode(plain, ulen + 1 + plen, b64, sizeof(b64), &outlen);
	if (e == HTTP_OK &&
	    (!http_buf_puts(b, "Basic ") || !http_buf_append(b, b64, outlen)))
		e = HTTP_E_NOSPACE;
	explicit_bzero(plain, sizeof(plain));
	explicit_bzero(b64, sizeof(b64));
	return e;
}

/* ---- Decoding ---- */

/*
 * Lesson 03: base64 is an encoding; anyone can decode a captured header.
 * Decode Basic credentials already parsed by auth_parse_credentials():
 * token68 -> base64 -> user ":" password, split at the first colon
 * (RFC 7617 §2: the password may contain colons, the user-id may not).
 * On error *out is wiped.  The caller wipes *out with basic_creds_wipe().
 */
enum http_err basic_decode(const struct auth_challenge *cred,
			   struct basic_creds *out)
{
	unsigned char plain[BASIC_MAX_USERPASS + 3];
	size_t n = 0, ulen, plen;
	const unsigned char *colon;
	enum http_err e = HTTP_E_AUTH_SYNTAX;

	memset(out, 0, sizeof(*out));
	if (cred->token68 == NULL || cred->token68_len == 0)
		goto done;
	if (cred->token68_len > BASIC_MAX_B64 - 1) {
		e = HTTP_E_BASIC_TOO_LONG;
		goto done;
	}
	if (base64_decode(cred->token68, cred->token68_len, plain,
			  sizeof(plain), &n) != HTTP_OK) {
		e = HTTP_E_BASE64;
		goto done;
	}
	colon = memchr(plain, ':', n);
	if (colon == NULL) {
		e = HTTP_E_BASIC_NO_COLON;
		goto done;
	}
	ulen = (size_t)(colon - plain);
	plen = n - ulen - 1;
	if (has_ctl((const char *)plain, n)) {
		e = HTTP_E_BASIC_CTL;
		goto done;
	}
	if (ulen > BASIC_MAX_USER || plen > BASIC_MAX_PASS) {
		e = HTTP_E_BASIC_TOO_LONG;
		goto done;
	}
	memcpy(out->user, plain, ulen);
	out->user[ulen] = '\0';
	out->user_len = ulen;
	memcpy(out->pass, colon + 1, plen);
	out->pass[plen] = '\0';
	out->pass_len = plen;
	e = HTTP_OK;
done:
	explicit_bzero(plain, sizeof(plain));
	if (e != HTTP_OK)
		basic_creds_wipe(out);
	return e;
}

/*
 * A Basic value with bytes outside base64 after the scheme:
 * what a student broke is the base64; see basic.h.  The scheme is
 * auth_scheme_of()'s reading, so "Basic" is its first five bytes.
 */
bool basic_value_not_base64(const char *v, size_t len)
{
	const size_t after = sizeof("Basic") - 1;

	if (auth_scheme_of(v, len) != AUTH_SCHEME_BASIC)
		return false;
	for (size_t i = after; i < len; i++)
		if (v[i] != ' ' && !base64_is_char((unsigned char)v[i]))
			return true;
	return false;
}

/* ---- Challenging ---- */

/*
 * Lesson 03, Lesson 09: the Basic challenge, with charset="UTF-8".
 * Append the challenge value `Basic realm="R", charset="UTF-8"`.
 * RFC 7617 §2.1: charset="UTF-8" asks the client to encode user and
 * password in UTF-8 (the only value allowed).
 */
bool basic_write_challenge(struct http_buf *b, const char *realm)
{
	return http_buf_puts(b, "Basic ") &&
	       auth_write_param(b, true, "realm", realm, true) &&
	       auth_write_param(b, false, "charset", "UTF-8", true);
}

/* ---- Comparing ---- */

/*
 * Lesson 03: constant-time comparison of credentials.
 * Constant-time equality of two byte strings whose lengths may differ:
 * its time says nothing about where they differ or how long the secret
 * is.  Strings of up to BASIC_EQUAL_WORDS words (every password and user
 * name in practice) are copied into two zeroed blocks of that size and
 * every word of both is compared, whatever the lengths; longer ones (a
 * long Bearer token) are hashed with SHA-256 first and the digests
 * compared.  Time then tells only which of the two ways ran.  The short
 * way costs about 150 instructions where hashing cost 11,800 (callgrind,
 * a keep-alive request through bin/proxy).  The copies are wiped.
 */
#define BASIC_EQUAL_WORDS 32 /* 256 bytes */

static bool equal_short(const void *a, size_t alen, const void *b, size_t blen)
{
	uint64_t wa[BASIC_EQUAL_WORDS] = {0}, wb[BASIC_EQUAL_WORDS] = {0};
	uint64_t diff = (uint64_t)(alen ^ blen);

	memcpy(wa, a, alen);
	memcpy(wb, b, blen);
	for (size_t i = 0; i < BASIC_EQUAL_WORDS; i++)
		diff |= wa[i] ^ wb[i];
	explicit_bzero(wa, sizeof(wa));
	explicit_bzero(wb, sizeof(wb));
	return diff == 0;
}

static bool equal_hashed(const void *a, size_t alen, const void *b, size_t blen)
{
	unsigned char ha[EVP_MAX_MD_SIZE], hb[EVP_MAX_MD_SIZE];
	unsigned int la = 0, lb = 0;
	bool same;

	if (!EVP_Digest(a, alen, ha, &la, EVP_sha256(), NULL) ||
	    !EVP_Digest(b, blen, hb, &lb, EVP_sha256(), NULL) || la != lb)
		return false;
	same = CRYPTO_memcmp(ha, hb, la) == 0;
	return same && alen == blen;
}

bool basic_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const size_t most = BASIC_EQUAL_WORDS * sizeof(uint64_t);

	if (alen <= most && blen <= most)
		return equal_short(a, alen, b, blen);
	return equal_hashed(a, alen, b, blen);
}

/* Wipe the user and password; the struct is all zeroes afterwards. */
void basic_creds_wipe(struct basic_creds *c)
{
	explicit_bzero(c, sizeof(*c));
}

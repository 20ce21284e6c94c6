/*
 * http/apr1.c - Apache's MD5 password hash, "$apr1$" (see apr1.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "apr1.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const char itoa64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Append n characters of crypt's base64 for v, low bits first. */
static void to64(char *out, unsigned long v, int n)
{
	while (n-- > 0) {
		*out++ = itoa64[v & 0x3f];
		v >>= 6;
	}
}

/*
 * Apache's $apr1$: the MD5-crypt algorithm (Poul-Henning Kamp's, as in
 * FreeBSD) with the magic "$apr1$".  libcrypt does not know this prefix,
 * so it is written out here over OpenSSL's MD5.  Writes the full
 * "$apr1$salt$hash" string (NUL-terminated) into out.
 */
bool apr1_hash(const char *pw, size_t pwlen, const char *setting,
	       char out[APR1_HASH_LEN + 1])
{
	const char *salt = setting + strlen(APR1_MAGIC);
	size_t slen = 0, i, k;
	unsigned char fin[16], alt[16];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL;
	char *p;

	while (slen < APR1_SALT_MAX && salt[slen] != '\0' && salt[slen] != '$')
		slen++;
	/* alt = MD5(pw salt pw) */
	ok = ok && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestUpdate(ctx, salt, slen) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestFinal_ex(ctx, alt, NULL);
	/* fin = MD5(pw magic salt alt-repeated bits-of-length) */
	ok = ok && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestUpdate(ctx, APR1_MAGIC, strlen(APR1_MAGIC)) &&
	     EVP_DigestUpdate(ctx, salt, slen);
	for (k = pwlen; ok && k > 0; k -= (k > 16 ? 16 : k))
		ok = EVP_DigestUpdate(ctx, alt, k > 16 ? 16 : k);
	memset(fin, 0, sizeof(fin));
	for (k = pwlen; ok && k > 0; k >>= 1)
		ok = EVP_DigestUpdate(
		    ctx, (k & 1) ? (const void *)fin : (const void *)pw, 1);
	ok = ok && EVP_DigestFinal_ex(ctx, fin, NULL);
	/* 1000 rounds to slow down guessing */
	for (i = 0; ok && i < 1000; i++) {
		ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
		     ((i & 1) ? EVP_DigestUpdate(ctx, pw, pwlen)
			      : EVP_DigestUpdate(ctx, fin, 16)) &&
		     (i % 3 == 0 || EVP_DigestUpdate(ctx, salt, slen)) &&
		     (i % 7 == 0 || EVP_DigestUpdate(ctx, pw, pwlen)) &&
		     ((i & 1) ? EVP_DigestUpdate(ctx, fin, 16)
			      : EVP_DigestUpdate(ctx, pw, pwlen)) &&
		     EVP_DigestFinal_ex(ctx, fin, NULL);
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(alt, sizeof(alt));
	if (!ok)
		return false;
	snprintf(out, APR1_HASH_LEN + 1, "%s%.*s$", APR1_MAGIC, (int)slen,
		 salt);
	p = out + strlen(out);
	to64(p, ((unsigned long)fin[0] << 16) | (fin[6] << 8) | fin[12], 4);
	to64(p + 4, ((unsigned long)fin[1] << 16) | (fin[7] << 8) | fin[13], 4);
	to64(p + 8, ((unsigned long)fin[2] << 16) | (fin[8] << 8) | fin[14], 4);
	to64(p + 12, ((unsigned long)fin[3] << 16) | (fin[9] << 8) | fin[15],
	     4);
	to64(p + 16, ((unsigned long)fin[4] << 16) | (fin[10] << 8) | fin[5],
	     4);
	to64(p + 20, fin[11], 2);
	p[22] = '\0';
	OPENSSL_cleanse(fin, sizeof(fin));
	return true;
}

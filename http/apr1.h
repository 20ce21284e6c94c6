/*
 * http/apr1.h - Apache's MD5 password hash, "$apr1$" (htpasswd -m):
 * the MD5-crypt algorithm with its own magic prefix.  libcrypt does not
 * know the prefix, so it is computed here over OpenSSL's MD5.
 */
#ifndef LAB407_HTTP_APR1_H
#define LAB407_HTTP_APR1_H

#include <stdbool.h>
#include <stddef.h>

#define APR1_MAGIC "$apr1$"
#define APR1_SALT_MAX 8
#define APR1_HASH_LEN 37 /* "$apr1$" + 8 salt + "$" + 22 */

/*
 * The hash of pw[0..pwlen) with the salt of `setting` ("$apr1$SALT$..."
 * or "$apr1$SALT"), as the whole "$apr1$SALT$HASH" string,
 * NUL-terminated, into out.  False when OpenSSL fails.
 */
bool apr1_hash(const char *pw, size_t pwlen, const char *setting,
	       char out[APR1_HASH_LEN + 1]);

#endif

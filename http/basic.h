/*
 * http/basic.h - the Basic scheme (RFC 7617).
 *
 * credentials = "Basic" SP base64(user-id ":" password).  The user-id may
 * not contain a colon; the password may.  charset="UTF-8" tells the
 * client to encode in UTF-8 (RFC 7617 §2.1).  Comparison is constant-time.
 */
#ifndef LAB407_HTTP_BASIC_H
#define LAB407_HTTP_BASIC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "buf.h"
#include "error.h"

#define BASIC_MAX_USER 255
#define BASIC_MAX_PASS 255

struct basic_creds {
	char user[BASIC_MAX_USER + 1]; /* NUL-terminated */
	size_t user_len;
	char pass[BASIC_MAX_PASS + 1]; /* NUL-terminated; wipe after use */
	size_t pass_len;
};

/* Append "Basic <base64(user:pass)>" to b (a credentials field value). */
enum http_err basic_encode(struct http_buf *b, const char *user,
			   const char *pass);
/*
 * Decode parsed credentials (scheme already Basic, token68 form).  Errors:
 * HTTP_E_AUTH_SYNTAX (no token68), HTTP_E_BASE64, HTTP_E_BASIC_NO_COLON,
 * HTTP_E_BASIC_CTL, HTTP_E_BASIC_TOO_LONG.
 */
enum http_err basic_decode(const struct auth_challenge *cred,
			   struct basic_creds *out);
/*
 * v[0..len) is a credentials value of scheme Basic (auth_scheme_of())
 * whose token68 holds a byte outside the base64 alphabet (RFC 4648 §4),
 * spaces aside: what was broken is the base64, whatever else the auth
 * grammar refuses in it.
 */
bool basic_value_not_base64(const char *v, size_t len);
/* Append a challenge value: Basic realm="R", charset="UTF-8" */
bool basic_write_challenge(struct http_buf *b, const char *realm);
/* Constant-time equality of two byte strings (lengths may differ). */
bool basic_equal(const void *a, size_t alen, const void *b, size_t blen);
/* Wipe the password (and user) from memory. */
void basic_creds_wipe(struct basic_creds *c);

#endif

/*
 * http/bearer.c - the Bearer scheme (RFC 6750).
 *
 * A Bearer token is an opaque string: whoever holds it is let in, so it
 * needs the same care as a password.  The scheme is here to show that
 * the 401/407 machinery around it does not depend on the scheme.
 */
#define _POSIX_C_SOURCE 200809L

#include "bearer.h"

#include <string.h>

/* ---- Syntax ---- */

/*
 * RFC 6750 §2.1:
 *   b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * True when s[0..n) is one.
 */
bool bearer_is_b64token(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_' || c == '~' || c == '+' || c == '/'))
			break;
		i++;
	}
	if (i == 0)
		return false;
	while (i < n && s[i] == '=')
		i++;
	return i == n;
}

/* ---- Reading credentials ---- */

/*
 * Copy the token of parsed Bearer credentials into out (cap incl. NUL);
 * *outlen (may be NULL) excludes the NUL.  The params form, a bad
 * b64token or one longer than BEARER_MAX_TOKEN: HTTP_E_BEARER_TOKEN;
 * out too small: HTTP_E_NOSPACE.
 */
enum http_err bearer_token(const struct auth_challenge *cred, char *out,
			   size_t cap, size_t *outlen)
{
	size_t n = cred->token68_len;

	if (cap > 0)
		out[0] = '\0';
	if (cred->token68 == NULL || n > BEARER_MAX_TOKEN ||
	    !bearer_is_b64token(cred->token68, n))
		return HTTP_E_BEARER_TOKEN;
	if (n + 1 > cap)
		return HTTP_E_NOSPACE;
	memcpy(out, cred->token68, n);
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return HTTP_OK;
}

/* ---- Writing ---- */

/*
 * Append `Bearer realm="R"` and, when error is not NULL, the RFC 6750 §3
 * error attributes (error="invalid_token", error_description="...").
 */
bool bearer_write_challenge(struct http_buf *b, const char *realm,
			    const char *error, const char *description)
{
	if (!http_buf_puts(b, "Bearer ") ||
	    !auth_write_param(b, true, "realm", realm, true))
		return false;
	if (error != NULL && !auth_write_param(b, false, "error", error, true))
		return false;
	if (error != NULL && description != NULL &&
	    !auth_write_param(b, false, "error_description", description, true))
		return false;
	return true;
}

/*
 * Append "Bearer <token>".  The token is not checked against b64token so
 * a lab can send a malformed one on purpose, but a control character
 * (CR, LF ...) that would end the header line is refused.
 */
bool bearer_encode(struct http_buf *b, const char *token)
{
	const char *s;

	for (s = token; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return http_buf_puts(b, "Bearer ") && http_buf_puts(b, token);
}

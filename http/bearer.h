/*
 * http/bearer.h - the Bearer scheme (RFC 6750 §2.1, §3).
 *
 * b64token credentials; on a bad token the challenge carries
 * error="invalid_token".  It is here to show that the 401/407 machinery
 * does not care which scheme rides on it.
 */
#ifndef LAB407_HTTP_BEARER_H
#define LAB407_HTTP_BEARER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "buf.h"
#include "error.h"

#define BEARER_MAX_TOKEN 512

/* RFC 6750 §2.1 b64token syntax: 1*( ALPHA / DIGIT / "-" / "." / "_" /
 * "~" / "+" / "/" ) *"=". */
bool bearer_is_b64token(const char *s, size_t n);
/* Copy the token out of parsed credentials; checks b64token syntax. */
enum http_err bearer_token(const struct auth_challenge *cred, char *out,
			   size_t cap, size_t *outlen);
/*
 * Append a challenge value: Bearer realm="R"[, error="invalid_token",
 * error_description="..."].  `error` may be NULL.
 */
bool bearer_write_challenge(struct http_buf *b, const char *realm,
			    const char *error, const char *description);
/* Append "Bearer <token>". */
bool bearer_encode(struct http_buf *b, const char *token);

#endif

/*
 * http/guard_digest_fields.h - the fields of Digest credentials, read and
 * checked before any secret is looked at (http/guard_digest_fields.c);
 * for http/guard_digest.c only.
 */
#ifndef LAB407_HTTP_GUARD_DIGEST_FIELDS_H
#define LAB407_HTTP_GUARD_DIGEST_FIELDS_H

#include <stdbool.h>

#include "auth.h"
#include "digest.h"
#include "guard.h"
#include "message.h"

/* The fields of one Digest credentials value (RFC 7616 §3.4). */
struct digest_fields {
	char username[DIGEST_MAX_FIELD];
	char realm[DIGEST_MAX_FIELD];
	char nonce[DIGEST_MAX_FIELD];
	char uri[HTTP_MAX_TARGET_BYTES + 1];
	char response[DIGEST_MAX_FIELD];
	char algorithm[DIGEST_MAX_FIELD];
	char qop[DIGEST_MAX_FIELD];
	char nc[DIGEST_MAX_FIELD];
	char cnonce[DIGEST_MAX_FIELD];
	char userhash[DIGEST_MAX_FIELD];
	char opaque[DIGEST_MAX_FIELD];
	bool has_algorithm, has_qop, has_userhash, has_cnonce, has_opaque;
};

/* Copy c's params into f; false after a GUARD_MALFORMED verdict in r
 * naming the field (missing, repeated or too long). */
bool guard_digest_fields_read(const struct guard_config *cfg,
			      const struct auth_challenge *c,
			      struct digest_fields *f, struct guard_result *r);
/* The grammar, then what this party offered, into in; false after a
 * verdict in r (GUARD_MALFORMED: 400; GUARD_BAD: a fresh challenge). */
bool guard_digest_fields_check(const struct guard_config *cfg,
			       const struct http_request *req,
			       struct digest_fields *f, struct digest_input *in,
			       struct guard_result *r);

#endif

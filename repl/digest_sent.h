/*
 * repl/digest_sent.h - the fields of Digest credentials a client sent,
 * copied out of the parsed field value, for recomputing their response:
 * `explain` shows the computation, `break password` on an outside
 * client's request redoes it with a wrong password.
 */
#ifndef LAB407_REPL_DIGEST_SENT_H
#define LAB407_REPL_DIGEST_SENT_H

#include "../http/auth.h"
#include "../http/digest.h"

/* RFC 7616 §3.4: each field unescaped, "" when absent (or too long). */
struct digest_sent {
	char username[DIGEST_MAX_FIELD];
	char realm[DIGEST_MAX_FIELD];
	char nonce[DIGEST_MAX_FIELD];
	char cnonce[DIGEST_MAX_FIELD];
	char uri[DIGEST_MAX_FIELD];
	char response[DIGEST_MAX_FIELD];
	char algorithm[32];
	char qop[16];
	char nc[16];
	char userhash[8];
};

/* Copy the fields of credentials c into d. */
void digest_sent_read(const struct auth_challenge *c, struct digest_sent *d);
/*
 * Fill in from d what the client's fields give (user, realm, nonce,
 * cnonce, nc read as hex, uri) and the method and password; in's other
 * members (algorithm, qop, body) are the caller's.  in points into d.
 */
void digest_sent_input(const struct digest_sent *d, const char *method,
		       const char *password, struct digest_input *in);

#endif

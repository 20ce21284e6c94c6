/*
 * repl/breaker.h - `break WHAT` and `fix`: corrupting the next credential
 * the client sends, on purpose, to watch the outcome change.
 *
 * password and user swap the client's credentials for one request (so a
 * Digest response is computed correctly, from a wrong password); the
 * others edit the bytes of the request head before it enters the socket;
 * stale moves the proxy's clock.  Each applies once.  An outside client's
 * request is broken by repl/breaker_held.h.
 */
#ifndef LAB407_REPL_BREAKER_H
#define LAB407_REPL_BREAKER_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/buf.h"
#include "../http/message.h"
#include "lab.h"
#include "repl.h"

/* Parse the request head in b into req and return party p's credential
 * field in it (Proxy-Authorization for the proxy, RFC 9110 §11.7.2;
 * Authorization for the origin, §11.6.2), or NULL. */
const struct http_header *breaker_party_cred(const struct http_buf *b,
					     enum lab_party p,
					     struct http_request *req);
/* True when it carries party p's field: Proxy-Authorization for the
 * proxy, Authorization for the origin. */
bool breaker_has_field(const struct http_buf *b, enum lab_party p);
/*
 * The party a plain `break WHAT` targets: the proxy when it asks for
 * credentials and the client has some for it (its credential is sent
 * first), else the origin when the same holds for it; -1 when neither.
 */
int breaker_default_party(const struct lab *lab);
/*
 * False with a sentence in err when break b cannot apply to party p's
 * credential in the current set-up (a Digest field under Basic, nc
 * before any Digest request, ...).
 */
bool breaker_applies(const struct lab *lab, int p, enum lab_break b, char *err,
		     size_t err_cap);
/*
 * Apply the armed byte-level break to the request in b, if it carries the
 * credential; says what was done in note (or leaves it "").  Disarms.
 */
void breaker_apply(struct lab *lab, struct http_buf *b, char *note, size_t cap);
/* Remember Digest credentials sent, for `break nc` (a replay) later, and
 * the last NTLM AUTHENTICATE, for `break replay`. */
void breaker_remember(struct lab *lab, const struct http_buf *b);
/* The request in b carries an NTLM NEGOTIATE (no password in it yet). */
bool breaker_is_ntlm_negotiate(const struct http_buf *b);
/* The response offers an NTLM CHALLENGE ("NTLM <base64>"). */
bool breaker_is_ntlm_challenge(const struct http_response *resp);

/* ---- Commands ---- */

enum repl_rc breaker_break(struct repl *r, int argc, char **argv);
enum repl_rc breaker_fix(struct repl *r, int argc, char **argv);

#endif

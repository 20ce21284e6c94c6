/*
 * repl/breaker_held.h - `break` on a request an outside client sent
 * (repl/release.c releases it): password and user rewrite the credential
 * it computed into the one a wrong password or an unknown user gives
 * (Basic re-encoded, a Digest response recomputed, a Bearer token
 * spoilt); the other breaks edit its bytes as for the lab's own client.
 */
#ifndef LAB407_REPL_BREAKER_HELD_H
#define LAB407_REPL_BREAKER_HELD_H

#include <stddef.h>

#include "../http/buf.h"
#include "lab.h"

/*
 * Apply the armed break to the outside client's request in b; says what
 * was done in note (or leaves it "").  Disarms when the break met the
 * credential it was armed for.
 */
void breaker_held_apply(struct lab *lab, struct http_buf *b, char *note,
			size_t cap);

#endif

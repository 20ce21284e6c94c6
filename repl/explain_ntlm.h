/*
 * repl/explain_ntlm.h - `explain N` for NTLM messages (lesson 11): each
 * of NEGOTIATE, CHALLENGE and AUTHENTICATE decoded field by field, and
 * the NTProofStr recomputed from the lab password.
 */
#ifndef LAB407_REPL_EXPLAIN_NTLM_H
#define LAB407_REPL_EXPLAIN_NTLM_H

#include <stddef.h>

#include "repl.h"

/*
 * Decode the base64 NTLM message `b64` (the token after "NTLM ") of
 * message m.  For an AUTHENTICATE, the CHALLENGE is looked up in the
 * messages before m and the proof recomputed with the lab password.
 */
void explain_ntlm(struct repl *r, const char *b64, size_t len,
		  const struct lab_msg *m);

#endif

/*
 * repl/lab_set.h - the lab's set-up: the defaults, and one setter per
 * set-up command.  Each setter returns false with a sentence in err when
 * the value does not fit the lab.
 */
#ifndef LAB407_REPL_LAB_SET_H
#define LAB407_REPL_LAB_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"

/* Back to the default set-up (Basic both sides, alice, no break). */
void lab_defaults(struct lab *lab);

/* ---- Set-up ---- */

/* `scheme PARTY LIST`; false with err on an unknown scheme. */
bool lab_set_schemes(struct lab *lab, enum lab_party p, const char *list,
		     char *err, size_t err_cap);
bool lab_set_algorithms(struct lab *lab, enum lab_party p, const char *list,
			char *err, size_t err_cap);
bool lab_set_qop(struct lab *lab, enum lab_party p, const char *list, char *err,
		 size_t err_cap);
/* `user PARTY NAME:PASSWORD` or "none". */
bool lab_set_user(struct lab *lab, enum lab_party p, const char *spec,
		  char *err, size_t err_cap);
/* `connect proxy HOST:PORT`, or "embedded" to go back. */
bool lab_set_proxy(struct lab *lab, const char *hostport, char *err,
		   size_t err_cap);
/*
 * Arm a break for the next credential; false with a sentence when it does
 * not apply to the current set-up (nonce under Basic, say).
 */
bool lab_set_break(struct lab *lab, enum lab_break b, char *err,
		   size_t err_cap);
/*
 * The same for one party's credential (party -1: the default, the one the
 * client sends first, see breaker_default_party()).  A second break
 * replaces the first; `replaced` (cap LAB_MAX_BROKEN) then names it, else
 * it is "".
 */
bool lab_set_break_for(struct lab *lab, int party, enum lab_break b,
		       char *replaced, char *err, size_t err_cap);

/* `kdc`: the client may answer Negotiate (the lab's realm was found),
 * or no longer. */
void lab_set_kdc(struct lab *lab, bool on);

/* Wipe the password of c (lab_close(), `user`). */
void lab_creds_wipe(struct lab_creds *c);

/* The lab password of `user` on party p's server, or NULL. */
const char *lab_password_of(const struct lab *lab, enum lab_party p,
			    const char *user);

#endif

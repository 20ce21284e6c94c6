/*
 * repl/explain_negotiate.h - `explain N` for Negotiate (lesson 12): what a
 * SPNEGO/Kerberos token shows without keys.
 */
#ifndef LAB407_REPL_EXPLAIN_NEGOTIATE_H
#define LAB407_REPL_EXPLAIN_NEGOTIATE_H

#include <stddef.h>

#include "repl.h"

/* Describe the base64 token after "Negotiate " (len 0: the bare offer). */
void explain_negotiate(struct repl *r, const char *b64, size_t len);

#endif

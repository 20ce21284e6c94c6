/*
 * repl/tlsleg.h - `tls proxy on|off`: the client -> proxy leg over TLS
 * (lesson 03's fix for Basic, shown rather than told).
 *
 * The lab's client and the embedded proxy are both the REPL, so both ends
 * of the TLS are too: two OpenSSL connections with memory BIOs, one at
 * each end of the loopback socket.  What crosses the socket is the real
 * TLS records; each step shows them (repl/show.c) and then the HTTP the
 * proxy's end decrypted, which proxy_decide() reads as before.
 */
#ifndef LAB407_REPL_TLSLEG_H
#define LAB407_REPL_TLSLEG_H

#include <stdbool.h>
#include <stddef.h>

#include "repl.h"

struct tlsleg;

/* `tls proxy on|off`. */
enum repl_rc tlsleg_cmd(struct repl *r, int argc, char **argv);
/* A new client -> proxy connection: the next message starts a handshake. */
void tlsleg_reset(struct lab *lab);
/* Free everything of it (the lab is going away). */
void tlsleg_free(struct lab *lab);
/*
 * Carry b along the client <-> proxy connection, as wire_carry(): `up`
 * from the client's end (lab->cp[0]) to the proxy's (lab->cp[1]), else
 * back.  Without `tls proxy on` exactly wire_carry(); with it, b is
 * encrypted at one end, the records cross the socket, `got` receives
 * what the other end decrypted, and m->tls lines say what crossed.
 */
bool tlsleg_carry(struct lab *lab, bool up, const struct http_buf *b,
		  struct http_buf *got, struct lab_msg *m, char *err,
		  size_t err_cap);

#endif

/*
 * repl/wire.h - the lab's sockets (see repl/wire.c).  Everything here
 * moves bytes; the decisions are in the legs of repl/lab_step.c and the
 * machines they call.
 */
#ifndef LAB407_REPL_WIRE_H
#define LAB407_REPL_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"

/* Close *fd when open; set it to -1. */
void wire_close(int *fd);
/*
 * Connect to party p's listener and accept the other end, so the lab
 * holds both: ends[0] the connecting end, ends[1] the accepted one.
 */
bool wire_pair(struct lab *lab, enum lab_party p, int ends[2], char *err,
	       size_t err_cap);
/* Write b into fd and read the same number of bytes out of `other`. */
bool wire_carry(int fd, int other, const struct http_buf *b,
		struct http_buf *got, char *err, size_t err_cap);
/*
 * The lab's origin answers one request read from fd (the far end of a
 * connection to it); false when the connection is done.
 */
bool wire_serve_origin(struct lab *lab, int fd);
/*
 * Read the external proxy's framed response into m->bytes, serving the
 * lab's origin while waiting (the proxy may forward to it).
 */
bool wire_read_external(struct lab *lab, struct lab_msg *m, char *err,
			size_t err_cap);

#endif

/*
 * repl/release.h - releasing a held outside message (repl/release.c).
 */
#ifndef LAB407_REPL_RELEASE_H
#define LAB407_REPL_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "intercept.h"
#include "repl.h"

/* Release c's held message one leg; false with err on failure. */
bool release_one(struct repl *r, struct icpt_conn *c, char *err,
		 size_t err_cap);
/* Release every leg of c's exchange now (auto, or not held). */
void release_through(struct repl *r, struct icpt_conn *c);
/* The addresses among addrs[0..n) an outside client's request may go to:
 * all of them with `reach any`, else the loopback ones; copied to
 * out[0..cap), their count. */
size_t release_reachable(const struct sockaddr_storage *addrs, size_t n,
			 bool any, struct sockaddr_storage *out, size_t cap);

#endif

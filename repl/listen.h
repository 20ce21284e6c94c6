/*
 * repl/listen.h - the socket side of outside clients (repl/listen.c):
 * the listener, non-blocking reads of requests, and the relay of a
 * tunnel; holding and releasing their messages is repl/intercept.h.
 */
#ifndef LAB407_REPL_LISTEN_H
#define LAB407_REPL_LISTEN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "intercept.h"
#include "repl.h"

/* Listen on HOST:PORT (loopback by default); false with err. */
bool listen_open(struct intercept *ic, const char *hostport, char *err,
		 size_t err_cap);
void listen_close(struct intercept *ic);
/* poll() entries for the listener and the connections; returns count. */
size_t listen_pollfds(const struct intercept *ic, struct pollfd *pfd,
		      size_t cap);
/*
 * Accept, read, relay: whatever is ready within timeout_ms (0: only what
 * is ready now).  A complete request is held (or released at once, per
 * the filter).  Returns false only when poll() fails.
 */
bool listen_pump(struct repl *r, int timeout_ms);
/* The oldest held message, or NULL. */
struct icpt_conn *listen_oldest(struct intercept *ic);
/* Close one connection and free its buffers. */
void listen_drop(struct intercept *ic, struct icpt_conn *c);
/* Hold the next complete request waiting in c->in, if any. */
void listen_take_request(struct repl *r, struct icpt_conn *c);
/* After the 2xx to CONNECT went back: relay bytes, summarised. */
void listen_start_tunnel(struct icpt_conn *c);
/* Print a line about outside traffic (prompt-safe). */
void listen_say(struct repl *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

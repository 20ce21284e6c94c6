/*
 * origin/server.h - the socket shell around origin_decide(): bin/origin.
 *
 * One thread per connection, at most ORIGIN_MAX_CONNS at once (a plain
 * model a student can read top to bottom; the origin is a lab peer, not
 * a production server).  Each connection is persistent (RFC 9112 §9.3):
 * read a head, read its body (Content-Length or chunked, bounded), decide
 * under one mutex (the Digest nonce counts are shared), write, repeat.
 */
#ifndef LAB407_ORIGIN_SERVER_H
#define LAB407_ORIGIN_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "gate.h"

#define ORIGIN_MAX_CONNS 256	   /* connections served at once */
#define ORIGIN_MAX_BODY (1u << 20) /* request body bytes: 413 past it */
#define ORIGIN_IDLE_MS 30000	   /* a silent connection is closed */

/* Called with one line per decision (the why), when set. */
typedef void (*origin_log_fn)(void *ctx, const char *line);

struct origin_server {
	struct origin_config
	    cfg;		 /* copied in; what it points to is not owned */
	struct origin_state *st; /* owned (large: the nonce-count table) */
	pthread_mutex_t lock;	 /* the nonce-count step (guard_commit) */
	pthread_mutex_t count_lock; /* guards `active` */
	int active;		    /* connections being served */
	origin_log_fn log;	    /* may be NULL */
	void *log_ctx;
};

/* Set up: copy cfg, allocate and seed the state.  HTTP_E_NOMEM or the
 * error of origin_state_init(). */
enum http_err origin_server_init(struct origin_server *srv,
				 const struct origin_config *cfg,
				 unsigned nonce_lifetime);
/* Wait briefly for connections to end, wipe the state (the nonce secret)
 * and free it. */
void origin_server_free(struct origin_server *srv);

/*
 * Accept on listen_fd and serve each connection in its own thread until
 * *stop becomes non-zero (checked a few times a second).  Returns 0 when
 * stopped, -1 when accept fails for good.
 */
int origin_server_run(struct origin_server *srv, int listen_fd,
		      volatile sig_atomic_t *stop);

/* Serve one connection until it closes; closes fd.  (Used by the threads,
 * and directly by tests.) */
void origin_server_connection(struct origin_server *srv, int fd);

#endif

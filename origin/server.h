/*
 * origin/server.h - the socket shell around origin_decide(): bin/origin.
 *
 * The same event-loop shell as bin/proxy (net/loop.c: one loop per
 * core), with a simpler machine per connection, since the origin holds a
 * whole request before it decides: read a head, read its body (bounded,
 * decoded by net/body.c), decide (only the Digest nonce-count step
 * takes a lock: http/guard.h), write, and read the next head (RFC 9112 §9.3).
 */
#ifndef LAB407_ORIGIN_SERVER_H
#define LAB407_ORIGIN_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "../net/loop.h"
#include "gate.h"

#define ORIGIN_MAX_CONNS 10000	   /* connections served at once: 503 past it */
#define ORIGIN_MAX_BODY (1u << 20) /* request body bytes: 413 past it */
#define ORIGIN_IDLE_MS 30000	   /* a silent kept connection is closed */
#define ORIGIN_HEAD_MS 10000  /* the whole head, from its first byte: 408 */
#define ORIGIN_BODY_MS 30000  /* the whole body: 408 */
#define ORIGIN_LINGER_MS 2000 /* draining a client after closing */

/* Called with one line per decision (the why), when set. */
typedef void (*origin_log_fn)(void *ctx, const char *line);

struct origin_server {
	struct origin_config
	    cfg;		 /* copied in; what it points to is not owned */
	struct origin_state *st; /* owned (large: the nonce-count table) */
	pthread_mutex_t lock;	 /* the nonce-count step (guard_commit) */
	unsigned credentials_ttl; /* set before origin_server_run(): seconds
				     Basic credentials stay verified
				     (http/credcache.h); 0: off */
	struct credcache *creds;  /* owned; what cfg.guard.creds points at */
	pthread_mutex_t creds_lock;
	unsigned workers;  /* event loops; 0: one per core */
	origin_log_fn log; /* may be NULL */
	void *log_ctx;
	struct loop loop; /* private */
};

/* Set up: copy cfg, allocate and seed the state.  HTTP_E_NOMEM or the
 * error of origin_state_init(). */
enum http_err origin_server_init(struct origin_server *srv,
				 const struct origin_config *cfg,
				 unsigned nonce_lifetime);
/* Wipe the state (the nonce secret) and free it, after run returned. */
void origin_server_free(struct origin_server *srv);

/*
 * Serve connections on listen_fd until *stop becomes non-zero (checked
 * a few times a second), then finish the requests in flight.  Returns 0
 * when stopped, -1 when the loops cannot start.
 */
int origin_server_run(struct origin_server *srv, int listen_fd,
		      volatile sig_atomic_t *stop);

#endif

/*
 * proxy/server.h - bin/proxy's socket server around proxy_decide().
 *
 * One thread per client connection, at most max_connections at once
 * (more get 503).  Each thread reads request heads, asks the pure
 * decision in proxy/gate.c what to do, and moves the bytes: the proxy's
 * own response, a forwarded request and its relayed response (bodies
 * streamed both ways), or a CONNECT tunnel.  Lesson 01 reads it.
 */
#ifndef LAB407_PROXY_SERVER_H
#define LAB407_PROXY_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "gate.h"

#define PROXY_DEFAULT_MAX_CONNECTIONS 512
#define PROXY_DEFAULT_HEADER_TIMEOUT_MS 10000
#define PROXY_DEFAULT_UPSTREAM_TIMEOUT_MS 10000

struct proxy_server {
	/* Set by the caller before proxy_server_run(): */
	struct proxy_config *cfg;     /* not owned; guard + ACL */
	int header_timeout_ms;        /* a client's head must arrive in time: 408 */
	int upstream_timeout_ms;      /* connect and first response byte: 504 */
	unsigned max_connections;     /* more at once: 503 */
	FILE *log;                    /* access log (line per request); not owned */
	bool verbose;                 /* also a line per auth decision */

	/* Private: */
	struct proxy_state *state;    /* owned (large: nonce counts) */
	pthread_mutex_t guard_lock;   /* the nonce-count step (guard_commit) */
	pthread_mutex_t lock;         /* active, log */
	pthread_cond_t idle;          /* signalled when active drops */
	unsigned active;              /* connections being served */
	unsigned long long accepted;  /* connections so far (accept thread) */
};

/* Set defaults and the decision state; HTTP_E_NOMEM or a nonce error. */
enum http_err proxy_server_init(struct proxy_server *srv,
				struct proxy_config *cfg,
				unsigned nonce_lifetime);
void proxy_server_free(struct proxy_server *srv);

/*
 * Accept connections on listen_fd until proxy_server_stop() is called
 * (from a signal handler, say); then stop accepting, let the connections
 * in flight finish, and return 0.  -1 if accepting fails for good.
 */
int proxy_server_run(struct proxy_server *srv, int listen_fd);

/* Ask proxy_server_run() to stop; async-signal-safe. */
void proxy_server_stop(void);

#endif

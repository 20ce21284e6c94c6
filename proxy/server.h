/*
 * proxy/server.h - bin/proxy's connection layer around proxy_decide().
 *
 * One event loop per worker thread (net/loop.c); each client connection
 * is a typed state machine on one loop (proxy/conn.h lists the files
 * that carry it): read a head, ask the pure decision in proxy/gate.c what
 * to do, then answer, forward and relay (bodies streamed both ways), or
 * tunnel.  Every phase has its own
 * timeout, a named default here and a flag in proxy/main.c.  Lessons 01
 * and 10 read it.
 */
#ifndef LAB407_PROXY_SERVER_H
#define LAB407_PROXY_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include <openssl/ssl.h>

#include "../net/loop.h"
#include "../net/store.h"
#include "gate.h"

#define PROXY_DEFAULT_MAX_CONNECTIONS 20000
/* Timeouts, in milliseconds, one per phase of a connection's life: */
#define PROXY_DEFAULT_HEADER_TIMEOUT_MS                                        \
	10000 /* the whole head, from its first byte: 408 */
#define PROXY_DEFAULT_IDLE_TIMEOUT_MS                                          \
	15000 /* keep-alive wait for the next request: closed */
#define PROXY_DEFAULT_BODY_TIMEOUT_MS                                          \
	10000 /* window of the request body's rate check: 408 */
#define PROXY_DEFAULT_BODY_MIN_RATE                                            \
	512 /* bytes/s the request body must keep up */
#define PROXY_DEFAULT_SEND_TIMEOUT_MS                                          \
	30000 /* a peer that does not read what we send: closed */
#define PROXY_DEFAULT_CONNECT_TIMEOUT_MS                                       \
	10000 /* the origin accepting the connection: 504 */
#define PROXY_DEFAULT_UPSTREAM_TIMEOUT_MS                                      \
	10000 /* the origin's answer, and gaps in it: 504 */
#define PROXY_DEFAULT_TUNNEL_IDLE_MS                                           \
	300000 /* a CONNECT tunnel silent both ways: closed */
/* An idle upstream connection kept for reuse: below the 5 s many origins
 * use for their own idle keep-alive connections (Apache httpd's
 * KeepAliveTimeout), so that the proxy, not the origin, usually closes
 * first and a request rarely meets a connection closing under it. */
#define PROXY_DEFAULT_POOL_IDLE_MS 4000
/* Reading what a client still sends after our close, for this long and
 * at most this much of it. */
#define PROXY_DEFAULT_LINGER_MS 5000
#define PROXY_LINGER_MAX_BYTES (32u << 20)

/* One timeout setting: milliseconds. */
struct proxy_timeouts {
	unsigned header_ms;
	unsigned idle_ms;
	unsigned body_ms;
	unsigned body_min_rate; /* bytes per second */
	unsigned send_ms;
	unsigned connect_ms;
	unsigned upstream_ms;
	unsigned tunnel_idle_ms;
	unsigned pool_idle_ms;
	unsigned linger_ms;
};

/* Every timeout at its default. */
void proxy_timeouts_default(struct proxy_timeouts *t);

struct proxy_server {
	/* Set by the caller before proxy_server_run(): */
	struct proxy_config *cfg; /* not owned; guard + ACL */
	struct proxy_timeouts t;  /* one per phase; defaults above */
	unsigned max_connections; /* more at once: 503 */
	uint64_t auth_int_max;	  /* Digest auth-int: body bytes held to
				     check it (proxy/authint.h); more: 413 */
	unsigned workers;	  /* event loops; 0: one per core */
	FILE *log;		  /* access log (line per request); not owned */
	bool no_access_log;	  /* --access-log none: no line per request
				     (the other lines still go to log) */
	bool verbose;		  /* also a line per auth decision and
				     per connection state change */
	SSL_CTX *tls;		  /* not owned; NULL: plain TCP, else
				     clients speak TLS to the proxy
				     (proxy/tls.h) */
	const char *users_file;	  /* --users: read again when it
				     changes (net/store.h); NULL: none */
	const char *tokens_file;  /* --tokens, read again with it */
	unsigned credentials_ttl; /* --credentials-ttl seconds; 0: no
				     verified-credentials cache */

	/* Private: */
	struct proxy_state *state;  /* owned (large: nonce counts) */
	pthread_mutex_t guard_lock; /* the nonce-count step (guard_commit) */
	pthread_mutex_t lock;	    /* the log */
	struct loop loop;	    /* the workers */
	struct store store;	    /* cfg->guard.users, then each new
				       reading of users_file */
};

/* Set defaults and the decision state; HTTP_E_NOMEM or a nonce error. */
enum http_err proxy_server_init(struct proxy_server *srv,
				struct proxy_config *cfg,
				unsigned nonce_lifetime);
void proxy_server_free(struct proxy_server *srv);

/*
 * Serve connections on listen_fd until proxy_server_stop() is called
 * (from a signal handler, say); then stop accepting, let the exchanges in
 * flight finish, and return 0.  -1 (message in err) if the loops cannot
 * start.  listen_fd is closed on return.
 */
int proxy_server_run(struct proxy_server *srv, int listen_fd, char *err,
		     size_t err_cap);

/* Ask proxy_server_run() to stop; async-signal-safe. */
void proxy_server_stop(void);

#endif

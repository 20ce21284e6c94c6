/*
 * proxy/conn.h - bin/proxy's connections, shared by the files that carry
 * them (private to proxy/; proxy/server.h is the interface).
 *
 * Each client connection is a typed state machine on one event loop.
 * The files read in the order a lesson tells one exchange:
 *
 *   proxy/conn.c        the states, the one function that changes them,
 *                       a connection's birth, lingering, closing, and the
 *                       one timer of each phase
 *   proxy/log.c         the access log and the -v lines
 *   proxy/downstream.c  the client's side: its socket or TLS, and the
 *                       callbacks where its bytes arrive
 *   proxy/head.c        reading the head
 *   proxy/hold.c        holding the body (Digest qop=auth-int)
 *   proxy/decide.c      deciding (proxy_decide(), on the loop or the pool)
 *   proxy/respond.c     answering ourselves (407, 403, 400, 502, ...)
 *   proxy/upstream.c    connecting upstream, and the upstream callbacks
 *   proxy/pooled.c      idle upstream connections kept for reuse
 *   proxy/relay.c       sending the request, relaying both bodies
 *   proxy/response.c    reading the response head
 *   proxy/exchange.c    one request in flight, and back to reading
 *   proxy/tunnel.c      tunnelling (CONNECT)
 *   proxy/server.c      the workers and the server
 *
 *   reading head -> deciding -> (answering ourselves | connecting
 *   upstream -> sending -> relaying the body -> reading the response
 *   head -> relaying the response) -> back to reading the next head;
 *   or, after CONNECT, tunnelling; and at the end lingering and closing.
 *
 * Every state is in enum conn_state, and every change of state goes
 * through conn_go_state(), which under -v logs it (curl's cf-h1-proxy.c
 * does the same for its tunnel states).  Nothing here decides anything
 * about HTTP: proxy_decide() (proxy/gate.c) says what to do with a
 * request, http/ says how messages are framed (net/body.c moves bodies),
 * when a connection persists (http/persist.c) and when a request may be
 * sent again (http/retry.c).  These files only move bytes and keep time.
 *
 * Concurrency: each worker thread runs one libevent loop (net/loop.c); a
 * connection lives on one loop, so its state needs no lock.  Shared by
 * all: the Digest nonce counts inside proxy_state (guard_lock, taken by
 * http/guard.c's guard_commit() around the one check-and-record step,
 * never around password hashing), the access log (lock), the connection
 * count (atomic).
 * Each worker keeps its own pool of idle upstream connections.
 *
 * Memory: an idle keep-alive connection holds its conn struct, its
 * libevent objects (a bufferevent, the phase timer, the read event of
 * net/sockread.c) and empty buffers - a few kilobytes (10,000 idle
 * connections: about 28 MiB RSS in all), no thread and no stack.  What one
 * request needs (struct exchange: the decision, the log fields, the body mover)
 * is taken when its head arrives and given back when it is answered: to
 * the worker's spares, at most PROXY_SPARE_EXCHANGES of them (proxy/
 * exchange.c), past which it is freed.
 */
#ifndef LAB407_PROXY_CONN_H
#define LAB407_PROXY_CONN_H

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../net/body.h"
#include "../net/loop.h"
#include "../net/sockread.h"
#include "gate.h"
#include "server.h"

#define PROXY_HIGH_WATER                                                       \
	(256u *                                                                \
	 1024) /* queued for a slow reader: stop reading the other side */
#define PROXY_MAX_LOG_URL 2048 /* URL bytes in one log line */

/* ---- The states of a connection ---- */

enum conn_state {
	CONN_READING_HEAD,  /* waiting for, or reading, a request head */
	CONN_HOLDING_BODY,  /* Digest auth-int: reading the body whole first */
	CONN_DECIDING,	    /* proxy_decide() is looking at it */
	CONN_ANSWERING,	    /* our own response is going out */
	CONN_DISCARDING,    /* reading and dropping a small unread body */
	CONN_CONNECTING,    /* resolving and connecting to the origin */
	CONN_SENDING,	    /* the rewritten head goes to the origin */
	CONN_RELAYING_BODY, /* the request body, client -> origin */
	CONN_READING_RESPONSE,	/* waiting for the origin's response head */
	CONN_RELAYING_RESPONSE, /* the response body, origin -> client */
	CONN_TUNNELLING,	/* CONNECT: bytes both ways */
	CONN_LINGERING,		/* answered and half-closed; draining */
	CONN_CLOSED		/* being freed */
};

/* What one request needs while it is in flight; NULL between requests.
 * exchange_new() clears the fields before `d` and only empties the
 * strings from there on (see there): keep new fields above `d`. */
struct exchange {
	struct exchange *next_spare; /* on the worker's spares (exchange.c) */

	/* The access log line (Squid's native format). */
	uint64_t start_ms;
	const char *result; /* TCP_MISS, TCP_DENIED, TCP_TUNNEL, NONE */
	int status;
	uint64_t bytes;	  /* sent to the client */
	const char *hier; /* HIER_DIRECT or HIER_NONE */

	/* The request. */
	struct http_body_info req_body;
	bool has_body;	       /* a request body follows the head */
	bool client_closes;    /* the client said this request is its last
				  (RFC 9112 §9.3) */
	bool http10;	       /* the client speaks HTTP/1.0 */
	uint64_t req_sent;     /* request body bytes sent upstream */
	uint64_t window_bytes; /* body bytes in the current rate window */
	bool origin_held;      /* ... and reading them waited for the origin */
	bool origin_paused;    /* reading waits for the origin now */
	struct authint *ai;    /* the body held for qop=auth-int, or NULL */

	/* The way upstream. */
	struct sockaddr_storage *addrs; /* resolved and checked (owned) */
	size_t naddrs;
	size_t next_addr; /* the next one to try */
	struct sockaddr_storage
	    up_addr;	     /* the one the upstream connection went to */
	bool reused;	     /* the upstream connection came from the pool */
	bool retried;	     /* already sent once (RFC 9110 §9.2.2) */
	bool early;	     /* the origin answered before the whole body */
	uint64_t resp_bytes; /* bytes of response received */

	/* The response. */
	struct body_mover mv; /* the request body, then the response body */
	bool keep_up;	      /* the upstream connection may be reused */

	/* The decision (d.out: our answer or the rewritten head), then the
	 * log line's strings. */
	struct proxy_decision d;
	char method[32];
	char url[PROXY_MAX_LOG_URL];
	char peer[INET6_ADDRSTRLEN]; /* upstream address, or "-" */
	char type[64];		     /* response Content-Type, or "-" */
};

struct worker;
struct resolve;	   /* proxy/upstream.c */
struct decide_job; /* proxy/decide.c */
struct pooled;	   /* proxy/pooled.c */

/* One client connection. */
struct conn {
	struct worker *wk;
	struct loop_conn lc; /* on the loop's list of connections */
	unsigned id;	     /* for -v lines */
	enum conn_state state;
	struct bufferevent *cl;	 /* the client */
	struct bufferevent *up;	 /* the origin or tunnel peer; NULL if none */
	struct sockread *cl_rd;	 /* reads cl (net/sockread.h) */
	struct sockread *up_rd;	 /* reads up; NULL with it */
	struct event *timer;	 /* the current phase's deadline */
	uint64_t due_ms;	 /* that deadline (loop_now_ms()), 0: none */
	uint64_t fire_ms;	 /* when timer fires, 0: it is not set */
	struct exchange *x;	 /* the request in flight, or NULL */
	struct resolve *res;	 /* the name being resolved, or NULL */
	struct decide_job *djob; /* the decision running on the pool, or NULL */
	/* Connection-bound authentication (NTLM, Negotiate) is state of
	 * this connection, not of a request: proxy/decide.c hands it to
	 * proxy_decide_conn(); conn_free() forgets it (lesson 11). */
	struct proxy_conn auth;
	uint64_t last_ms;      /* last byte moved (tunnel, response) */
	uint64_t lingered;     /* bytes drained while lingering */
	bool head_started;     /* a byte of the next head has come */
	bool close_after;      /* close once this exchange is done */
	bool half_closed;      /* our write side is shut (lingering) */
	bool cl_eof, up_eof;   /* tunnel: each side has closed */
	bool cl_shut, up_shut; /* tunnel: our write side toward it is shut */
	char client_ip[INET6_ADDRSTRLEN];
};

/* What each event loop keeps besides its connections: its upstream
 * pool, its spare exchanges and its log flush. */
struct worker {
	struct proxy_server *srv;
	struct loop_worker *lw;
	struct pooled *pool; /* most recently used first */
	unsigned pooled;
	struct exchange *spare; /* freed exchanges kept for reuse */
	unsigned spares;
	struct event *flush; /* writes out buffered log lines */
};

/* proxy/conn.c: a connection's life and its one timer. */
struct conn *conn_new(struct worker *wk, evutil_socket_t fd);
void conn_go_state(struct conn *c, enum conn_state to);
void conn_arm(struct conn *c, unsigned ms);
void conn_disarm(struct conn *c);
bool conn_plain(const struct conn *c, const struct bufferevent *bev);
bool conn_send_now(struct conn *c, struct bufferevent *bev);
bool conn_send(struct conn *c, struct bufferevent *bev, const void *data,
	       size_t len);
void conn_linger(struct conn *c);
void conn_free(struct conn *c);
void conn_release(struct conn *c);
void conn_drop_up(struct conn *c);

/* proxy/log.c */
void log_line(struct proxy_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_why(struct proxy_server *srv, const struct proxy_decision *d);
void log_access(struct conn *c);
void log_flush(struct worker *wk);
void log_on_flush(evutil_socket_t fd, short what, void *arg);

/* proxy/downstream.c: the client's side. */
bool downstream_new(struct conn *c, evutil_socket_t fd);
void downstream_peer_ip(const struct loop_worker *lw, int fd, char *out,
			size_t cap);
void downstream_shut_write(struct conn *c);

/* proxy/head.c */
void head_read(struct conn *c);

/* proxy/hold.c */
void hold_start(struct conn *c, const char *head, size_t head_len,
		const struct http_request *req);
void hold_more(struct conn *c);

/* proxy/decide.c */
void decide_request(struct conn *c, const struct http_request *req,
		    const void *body, size_t body_len, size_t head_len);

/* proxy/respond.c */
void respond_send(struct conn *c);
void respond_sent(struct conn *c);
void respond_error(struct conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* proxy/upstream.c */
void upstream_forward(struct conn *c);
void upstream_connect(struct conn *c, bool may_reuse);
void upstream_failed(struct conn *c, bool timed_out);
void upstream_forget(struct conn *c);

/* proxy/pooled.c */
bool pooled_take(struct conn *c, const struct sockaddr_storage *addrs,
		 size_t n);
void pooled_put(struct conn *c);
void pooled_clear(struct worker *wk);

/* proxy/relay.c */
void relay_request(struct conn *c);
void relay_request_body(struct conn *c);
void relay_response_start(struct conn *c, const char *head, size_t head_len);
void relay_response_body(struct conn *c);

/* proxy/response.c */
void response_read_head(struct conn *c);

/* proxy/exchange.c */
struct exchange *exchange_new(struct worker *wk,
			      const struct http_request *req);
void exchange_free(struct worker *wk, struct exchange *x);
void exchange_spares_free(struct worker *wk);
void exchange_end(struct conn *c);

/* proxy/tunnel.c */
void tunnel_start(struct conn *c);
void tunnel_move(struct conn *c, bool from_client);
void tunnel_flush(struct conn *c);
void tunnel_end(struct conn *c, bool client, bool error);
void tunnel_timer(struct conn *c);

#endif

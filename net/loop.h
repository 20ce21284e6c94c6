/*
 * net/loop.h - the event-loop shell bin/proxy and bin/origin share.
 *
 * One libevent loop per worker thread (--workers N, default: one per
 * core), all accepting from the same listening socket.  A connection is
 * accepted by exactly one worker and stays on its loop for its whole
 * life, so nothing about a connection is ever shared between threads.
 * The servers (proxy/server.c, origin/server.c) say what to do with an
 * accepted socket; this file starts and stops the loops, keeps each
 * loop's list of connections (to stop them, and to release what is left
 * when a loop ends), counts them against the limit and backs off when
 * descriptors run out.  Lesson 10 tells why one thread can carry
 * thousands of connections.
 */
#ifndef LAB407_NET_LOOP_H
#define LAB407_NET_LOOP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pool.h"

#define LOOP_MAX_WORKERS 64
#define LOOP_TICK_MS 100      /* how often a loop looks at the stop flag */
#define LOOP_FD_BACKOFF_MS 50 /* pause accepting when out of descriptors */

struct loop;

/*
 * A connection as the loop keeps it: a member of the server's own
 * connection struct, added with loop_conn_add() when that is made and
 * removed with loop_conn_remove() when it is freed.
 */
struct loop_conn {
	void *conn;		       /* the server's struct holding this */
	struct loop_conn *prev, *next; /* the worker's connections */
	bool counted;		       /* counted against max_conns (accepted,
					  not one that busy() answers) */
};

/* One worker thread and its event loop. */
struct loop_worker {
	struct loop *loop;
	unsigned index;		 /* 0..workers-1 */
	struct event_base *base; /* this thread's loop */
	struct evconnlistener *listener;
	struct event *tick;	 /* looks at the stop flag */
	struct event *backoff;	 /* re-enables accepting after EMFILE */
	unsigned conns;		 /* counted connections on this loop */
	struct loop_conn *all;	 /* every connection on it, counted or not */
	unsigned jobs;		 /* pool jobs that will come back here */
	struct pool_inbox inbox; /* where they come back (net/pool.h) */
	bool stopping;		 /* no more accepting; end when conns is 0 */
	void *user;		 /* the server's per-worker state */
	pthread_t thread;
	/* During accept() and busy(): the new connection's peer, as the
	 * kernel's accept returned it (saves a getpeername() call). */
	struct sockaddr_storage peer;
	socklen_t peer_len; /* 0: not known */
};

/* What a server does when the loop says so.  worker_start, worker_end
 * and stop may be NULL. */
struct loop_ops {
	/* A new connection on worker w (fd non-blocking, close-on-exec,
	 * TCP_NODELAY): return it, added with loop_conn_add(); it counts
	 * until loop_conn_remove().  NULL: it could not be taken (fd is
	 * closed or given to something that closes it). */
	struct loop_conn *(*accept)(struct loop_worker *w, evutil_socket_t fd);
	/* Over max_conns: answer and close fd (not counted). */
	void (*busy)(struct loop_worker *w, evutil_socket_t fd);
	/* The loop starts (user may be set), or ends after every
	 * connection left was released (free user). */
	void (*worker_start)(struct loop_worker *w);
	void (*worker_end)(struct loop_worker *w);
	/* Stop was asked for: stop(w) once, then stop_conn() for each
	 * connection: close it if idle, else have it close once its
	 * exchange is done. */
	void (*stop)(struct loop_worker *w);
	void (*stop_conn)(struct loop_conn *c);
	/* The loop ended with c still there: free it; it must call
	 * loop_conn_remove(). */
	void (*release)(struct loop_conn *c);
};

struct loop {
	/* Set by loop_init(): */
	const struct loop_ops *ops;
	void *ctx;			  /* for the callbacks */
	volatile sig_atomic_t *stop_flag; /* set from a signal handler */
	/* Set by the caller before loop_run(): */
	unsigned workers;   /* 0: one per core */
	unsigned max_conns; /* more at once go to busy(); 0: no limit */

	/* Private: */
	atomic_uint active; /* connections on all loops */
	struct loop_worker w[LOOP_MAX_WORKERS];
};

/* A loop with these callbacks and stop flag, no limit, one worker a core
 * (set workers and max_conns after). */
void loop_init(struct loop *l, const struct loop_ops *ops, void *ctx,
	       volatile sig_atomic_t *stop_flag);

/*
 * Run the workers on listen_fd until *stop_flag is set and every
 * connection has ended.  Returns 0, or -1 (with a message in err) when a
 * loop cannot be set up.  listen_fd stays open.
 */
int loop_run(struct loop *l, int listen_fd, char *err, size_t err_cap);

/* Put c, part of the server's struct conn, on w's list (not counted:
 * the loop counts it when accept() returns it). */
void loop_conn_add(struct loop_worker *w, struct loop_conn *c, void *conn);

/* Take c off w's list; a counted connection no longer counts. */
void loop_conn_remove(struct loop_worker *w, struct loop_conn *c);

/* True once the stop flag is set (from a signal handler, say), before
 * the loops have noticed it. */
bool loop_stopping(const struct loop_worker *w);

/* Milliseconds as a struct timeval, for libevent. */
struct timeval loop_tv(unsigned ms);

/* Milliseconds on a clock that never jumps: for timeouts and elapsed. */
uint64_t loop_now_ms(void);

/* The front of a loop's input buffer as one block, up to one byte more
 * than the largest head (HTTP_MAX_HEAD_BYTES): what the head parser
 * needs to say whether a head is complete, partial or too large.  *n is
 * its length; NULL when in is empty. */
const char *loop_head_bytes(struct evbuffer *in, size_t *n);

/* pthread mutex callbacks, for the locks http/ takes through function
 * pointers (guard_state_set_lock(), the credentials cache): m is a
 * pthread_mutex_t. */
void loop_lock(void *m);
void loop_unlock(void *m);

#endif

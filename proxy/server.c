/*
 * proxy/server.c - bin/proxy's connections: a typed state machine per
 * client connection, on an event loop.
 *
 * The file reads in the order a lesson tells one exchange:
 *
 *   reading head -> deciding -> (answering ourselves | connecting
 *   upstream -> sending -> relaying the body -> reading the response
 *   head -> relaying the response) -> back to reading the next head;
 *   or, after CONNECT, tunnelling; and at the end lingering and closing.
 *
 * Every state is in enum conn_state, and every change of state goes
 * through go_state(), which under -v logs it (curl's cf-h1-proxy.c does
 * the same for its tunnel states).  Nothing here decides anything about
 * HTTP: proxy_decide() (proxy/gate.c) says what to do with a request,
 * http/ says how messages are framed (net/body.c moves bodies), when a
 * connection persists (http/persist.c) and when a request may be sent
 * again (http/retry.c).  This file only moves bytes and keeps time.
 *
 * Concurrency: each worker thread runs one libevent loop (net/loop.c); a
 * connection lives on one loop, so its state needs no lock.  Shared by
 * all: the Digest nonce counts inside proxy_state (guard_lock, taken by
 * http/guard.c's guard_commit() around the one check-and-record step,
 * never around password hashing), the access log (lock), the connection
 * count (atomic).
 * Each worker keeps its own pool of idle upstream connections.
 *
 * Memory: an idle keep-alive connection holds its conn struct, two
 * libevent objects and empty buffers - a few kilobytes (10,000 idle
 * connections: about 31 MiB RSS in all), no thread and no stack.  What one
 * request needs (struct exchange: the decision, the log fields, the body mover)
 * is allocated when its head arrives and freed when it is answered.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L

#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h> /* ev_write, for send_now() */
#include <event2/event.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../http/expect.h"
#include "../http/persist.h"
#include "../http/retry.h"
#include "../http/status.h"
#include "../http/text.h"
#include "../http/users.h"
#include "../net/body.h"
#include "../net/net.h"
#include "../net/pool.h"
#include "authint.h"

#define PROXY_IO_CHUNK 16384 /* bytes a body step moves at most */
#define PROXY_HIGH_WATER                                                       \
	(256u *                                                                \
	 1024) /* queued for a slow reader: stop reading the other side */
/* Idle upstream connections per worker.  As many as the requests a
 * worker may have in flight at once, not a few dozen: a loop turn that
 * forwards hundreds of requests gets their responses back together, and
 * every connection past the cap was closed, to be opened again for the
 * next request.  With 64, 1,000 busy keep-alive clients cost a new upstream
 * connection for 95% of requests (strace -c: connect() 0.95 a request),
 * with 1,024, 6% (the first requests), and under strace twice as many
 * requests went through in the same time. */
#define PROXY_POOL_MAX 1024
#define PROXY_MAX_LOG_URL 2048	/* URL bytes in one log line */
#define PROXY_MAX_BODY_TEXT 512 /* our own error bodies */
#define PROXY_INFO_BODY_MAX                                                    \
	(PROXY_HIGH_WATER / 2) /* auth-int: response body held for rspauth */

static volatile sig_atomic_t stop_requested;
static atomic_uint next_conn_id; /* for -v lines, across workers */

/* Milliseconds on a clock that never jumps: for timeouts and elapsed. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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

static const char *const state_names[] = {
    [CONN_READING_HEAD] = "reading head",
    [CONN_HOLDING_BODY] = "holding body (auth-int)",
    [CONN_DECIDING] = "deciding",
    [CONN_ANSWERING] = "answering",
    [CONN_DISCARDING] = "discarding body",
    [CONN_CONNECTING] = "connecting upstream",
    [CONN_SENDING] = "sending",
    [CONN_RELAYING_BODY] = "relaying body",
    [CONN_READING_RESPONSE] = "reading response head",
    [CONN_RELAYING_RESPONSE] = "relaying response",
    [CONN_TUNNELLING] = "tunnelling",
    [CONN_LINGERING] = "lingering",
    [CONN_CLOSED] = "closed",
};

/* What one request needs while it is in flight; NULL between requests. */
struct exchange {
	/* The access log line (Squid's native format). */
	uint64_t start_ms;
	const char *result; /* TCP_MISS, TCP_DENIED, TCP_TUNNEL, NONE */
	int status;
	uint64_t bytes; /* sent to the client */
	char method[32];
	char url[PROXY_MAX_LOG_URL];
	const char *hier;	     /* HIER_DIRECT or HIER_NONE */
	char peer[INET6_ADDRSTRLEN]; /* upstream address, or "-" */
	char type[64];		     /* response Content-Type, or "-" */

	/* The request. */
	struct proxy_decision d; /* d.out: our answer or the rewritten head */
	struct http_body_info req_body;
	bool has_body;	       /* a request body follows the head */
	bool client_closes;    /* the client said this request is its last
				  (RFC 9112 §9.3) */
	bool http10;	       /* the client speaks HTTP/1.0 */
	uint64_t req_sent;     /* request body bytes sent upstream */
	uint64_t window_bytes; /* body bytes in the current rate window */
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
};

struct worker;
struct conn;

/* A name being resolved on the work pool.  When the connection stops
 * waiting for it (it was answered, or went away), c becomes NULL and
 * the result is thrown away when it comes. */
struct resolve {
	struct pool_job job;
	struct conn *c; /* NULL: nobody waits any more */
	struct worker *wk;
	char host[HTTP_MAX_HOST + 1];
	unsigned port;
	struct sockaddr_storage addrs[NET_MAX_RESOLVED]; /* the result */
	size_t n;					 /* 0: not resolved */
};

/* A decision that may hash a slow password, run on the work pool. */
struct decide_job {
	struct pool_job job;
	struct conn *c;		 /* kept alive until the job is back */
	struct store_gen *gen;	 /* the users it checks against, held */
	struct proxy_config cfg; /* the server's, pointed at gen */
	struct http_request req; /* points into c's input buffer, which
				    stays as it is: reading is off */
	const void *body;
	size_t body_len;
	size_t head_len; /* to drain once decided */
};

/* One client connection. */
struct conn {
	struct worker *wk;
	unsigned id; /* for -v lines */
	enum conn_state state;
	struct bufferevent *cl;	 /* the client */
	struct bufferevent *up;	 /* the origin or tunnel peer; NULL if none */
	struct event *timer;	 /* the current phase's deadline */
	struct exchange *x;	 /* the request in flight, or NULL */
	struct resolve *res;	 /* the name being resolved, or NULL */
	struct decide_job *djob; /* the decision running on the pool, or NULL */
	/* Connection-bound authentication (NTLM, Negotiate) is state of
	 * this connection, not of a request: decide() hands it to
	 * proxy_decide_conn(); conn_free() forgets it (lesson 11). */
	struct proxy_conn auth;
	uint64_t last_ms;    /* last byte moved (tunnel, response) */
	uint64_t lingered;   /* bytes drained while lingering */
	bool head_started;   /* a byte of the next head has come */
	bool close_after;    /* close once this exchange is done */
	bool half_closed;    /* our write side is shut (lingering) */
	bool cl_eof, up_eof; /* tunnel: each side has finished */
	bool counted;	     /* counted by the loop (not a 503) */
	char client_ip[INET6_ADDRSTRLEN];
	struct conn *prev, *next; /* the worker's connections */
};

/* An idle upstream connection kept for the next request there. */
struct pooled {
	struct worker *wk;
	struct bufferevent *bev;
	struct sockaddr_storage peer; /* the checked address it went to */
	char ip[INET6_ADDRSTRLEN];
	struct pooled *prev, *next; /* most recently used first */
};

/* What each event loop keeps: its connections and its upstream pool. */
struct worker {
	struct proxy_server *srv;
	struct loop_worker *lw;
	struct conn *conns;
	struct pooled *pool;
	unsigned pooled;
	struct event *flush; /* writes out buffered log lines */
};

static void conn_free(struct conn *c);
static void conn_release(struct conn *c);
static void resolve_forget(struct conn *c);
static void read_head(struct conn *c);
static void exchange_end(struct conn *c);
static void start_lingering(struct conn *c);
static void connect_next(struct conn *c);
static void send_request(struct conn *c);
static void relay_request_body(struct conn *c);
static bool send_held_body(struct conn *c);
static void read_response_head(struct conn *c);
static void relay_response_body(struct conn *c);
static void tunnel_move(struct conn *c, bool from_client);
static void send_error(struct conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Logging ---- */

/* One line to the log under the lock; flushed now, or (flush false) by
 * the caller's worker before its loop waits again (log_later()). */
static void log_vline(struct proxy_server *srv, bool flush, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));
static void log_vline(struct proxy_server *srv, bool flush, const char *fmt,
		      va_list ap)
{
	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	vfprintf(srv->log, fmt, ap);
	if (flush)
		fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

/* A -v line, out at once. */
static void log_line(struct proxy_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_line(struct proxy_server *srv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(srv, true, fmt, ap);
	va_end(ap);
}

/* The buffered log lines go out (the worker's flush event, and at the
 * end of its loop). */
static void log_flush(struct worker *wk)
{
	struct proxy_server *srv = wk->srv;

	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

static void on_log_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_flush(arg);
}

/*
 * Fast path for the access log: the line is buffered and the worker's
 * flush event made active, so it goes out after the callbacks of this
 * loop turn and before the loop waits again; under load one write()
 * carries the lines of every request the turn finished, instead of one
 * write() a request (strace -c, 2,000 requests on 32 connections: 1.00
 * -> about 0.1 write() a request).  A line is never held while the loop
 * sleeps, and on_worker_end() flushes what the last turn left.
 */
static void log_later(struct worker *wk, const char *line, size_t len)
{
	struct proxy_server *srv = wk->srv;

	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	fwrite(line, 1, len, srv->log);
	pthread_mutex_unlock(&srv->lock);
	event_active(wk->flush, EV_TIMEOUT, 0);
}

/* A log line being built, bounded: what does not fit is cut, and the
 * last byte is kept for its newline. */
struct log_text {
	char s[PROXY_MAX_LOG_URL + GUARD_MAX_USER + 512];
	size_t n;
};

static void put_text(struct log_text *t, const char *s, size_t n)
{
	if (n > sizeof(t->s) - 1 - t->n)
		n = sizeof(t->s) - 1 - t->n;
	memcpy(t->s + t->n, s, n);
	t->n += n;
}

/* A field and the space after it; "-" for an empty one. */
static void put_field(struct log_text *t, const char *s, char after)
{
	if (s[0] == '\0')
		s = "-";
	put_text(t, s, strlen(s));
	put_text(t, &after, 1);
}

/* v in decimal, right-aligned in `width` (padded with `pad`). */
static void put_num(struct log_text *t, unsigned long long v, int width,
		    char pad)
{
	char d[24];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0 && (int)(sizeof(d) - i) < width)
		d[--i] = pad;
	put_text(t, d + i, sizeof(d) - i);
}

/*
 * Lesson 10: the Squid-format access-log line.
 *   time.ms elapsed client result/status bytes method URL user hier/peer type
 * Built by hand, not by fprintf: a line a request, and formatting it
 * cost 5,200 instructions of bin/proxy's 82,000 a keep-alive request
 * (callgrind); this way about 600.
 */
static void log_access(struct conn *c)
{
	struct exchange *x = c->x;
	struct log_text t;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.n = 0;
	put_num(&t, (unsigned long long)ts.tv_sec, 0, ' ');
	put_text(&t, ".", 1);
	put_num(&t, (unsigned long long)(ts.tv_nsec / 1000000L), 3, '0');
	put_text(&t, " ", 1);
	put_num(&t, mono_ms() - x->start_ms, 6, ' ');
	put_text(&t, " ", 1);
	put_field(&t, c->client_ip, ' ');
	put_field(&t, x->result, '/');
	put_num(&t, (unsigned)x->status, 3, '0');
	put_text(&t, " ", 1);
	put_num(&t, x->bytes, 0, ' ');
	put_text(&t, " ", 1);
	put_field(&t, x->method, ' ');
	put_field(&t, x->url, ' ');
	put_field(&t, x->d.user, ' ');
	put_field(&t, x->hier, '/');
	put_field(&t, x->peer, ' ');
	put_text(&t, x->type[0] ? x->type : "-",
		 x->type[0] ? strlen(x->type) : 1);
	t.s[t.n++] = '\n';
	log_later(c->wk, t.s, t.n);
}

/* ---- Changing state ---- */

/*
 * The one place a connection changes state.  Under -v each change is a
 * line: "conn 3: reading head -> deciding".
 */
static void go_state(struct conn *c, enum conn_state to)
{
	if (c->wk->srv->verbose && c->state != to)
		log_line(c->wk->srv, "conn %u: %s -> %s\n", c->id,
			 state_names[c->state], state_names[to]);
	c->state = to;
}

/* Arm the connection's one timer for the current phase. */
static void arm(struct conn *c, unsigned ms)
{
	struct timeval tv = loop_tv(ms);

	evtimer_add(c->timer, &tv);
}

/*
 * Fast path: put bev's queued output on the wire now, from the callback
 * that queued it, instead of a loop turn later when epoll says the socket
 * is writable.  An idle socket nearly always takes a whole head and body
 * at once; then the write event that queuing armed is withdrawn again
 * (as libevent's own write callback does on an empty buffer) before the
 * loop has told the kernel about it: the loop batches its epoll_ctl()
 * changes (EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, net/loop.c), so arming
 * and withdrawing cost no system call.  Per keep-alive request that
 * saves four epoll_ctl() and two epoll_wait() calls (strace -c: 15 -> 9
 * a request).  What the socket does not take stays queued and goes out
 * the usual way, under the send timeout, and so does everything after an
 * error (libevent's write then reports it).
 *
 * True when nothing is left queued.  Then the write callback will not
 * run, so call this only where it would have nothing to do, or do its
 * work yourself.  Plain TCP only: over TLS, OpenSSL's bufferevent writes
 * records of its own.
 */
static bool send_now(struct conn *c, struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	if (bev == c->cl && c->wk->srv->tls != NULL)
		return false;
	if (evbuffer_get_length(out) > 0) {
		int n;

		/* The front of the output stays frozen except while it
		 * is written to the socket, as libevent's write does. */
		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, bufferevent_getfd(bev));
		evbuffer_freeze(out, 1);
		if (n < 0 || evbuffer_get_length(out) > 0)
			return false;
	}
	event_del(&bev->ev_write);
	return true;
}

/* ---- Accepting ---- */

static void on_client_read(struct bufferevent *bev, void *arg);
static void on_client_write(struct bufferevent *bev, void *arg);
static void on_client_event(struct bufferevent *bev, short what, void *arg);
static void on_timer(evutil_socket_t fd, short what, void *arg);

/* Numeric address of a socket's peer, without the port: from what
 * accept() returned when the loop has it, else from getpeername(). */
static void peer_ip(const struct loop_worker *lw, int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const void *a;

	snprintf(out, cap, "-");
	if (lw->peer_len > 0)
		ss = lw->peer;
	else if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else
		return;
	if (inet_ntop(ss.ss_family, a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "-");
}

/*
 * The client side of a connection: the socket itself, or with --tls-cert
 * a TLS server on it (an "HTTPS proxy").  The handshake runs first, timed
 * by the phase timer like a slow head; libevent frees the SSL with the
 * bufferevent.
 */
static struct bufferevent *client_bev_new(struct proxy_server *srv,
					  struct event_base *base,
					  evutil_socket_t fd)
{
	struct bufferevent *bev;
	SSL *ssl;

	if (srv->tls == NULL)
		return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	ssl = SSL_new(srv->tls);
	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(
	    base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* A client that closes TCP without close_notify (many do after
	 * their last response) has ended, not failed: EOF, as on a plain
	 * socket.  Truncation matters to the reader of a body; the proxy
	 * reads only request heads and bodies with their own framing. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/*
 * Shut the proxy's sending direction to the client once its output is
 * out.  Over TLS that is a close_notify alert first (RFC 8446 §6.1), so
 * the client can tell the end from a truncation, then the TCP FIN; the
 * proxy can still read, since OpenSSL goes on reading after sending
 * close_notify.
 */
static void client_shut_write(struct conn *c)
{
	SSL *ssl =
	    c->wk->srv->tls != NULL ? bufferevent_openssl_get_ssl(c->cl) : NULL;

	if (ssl != NULL && SSL_is_init_finished(ssl)) {
		SSL_shutdown(ssl);
		ERR_clear_error();
	}
	shutdown(bufferevent_getfd(c->cl), SHUT_WR);
}

/*
 * After a failed handshake: read and drop what the client has sent so far
 * (at most 64 KiB), so that closing is a FIN and not a reset.
 */
static void drain_readable(struct conn *c)
{
	int fd = bufferevent_getfd(c->cl);
	char sink[4096];

	for (int i = 0; i < 16; i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
}

/*
 * A plain-HTTP request on the TLS port (OpenSSL recognises it as such):
 * answer it in plain text, as nginx does, so that the client shows why
 * instead of a bare closed connection.  Best effort and bounded: what is
 * readable now is read and dropped (so the close is not a reset), one
 * short write, then FIN.
 */
static void tls_refuse_plain(struct conn *c)
{
	static const char body[] =
	    "400 Bad Request\nproxy: this port speaks TLS; use https:// "
	    "for the proxy\n";
	int fd = bufferevent_getfd(c->cl);
	char msg[256];
	ssize_t n;
	int len;

	drain_readable(c);
	len = snprintf(msg, sizeof(msg),
		       "HTTP/1.1 400 Bad Request\r\n"
		       "Content-Type: text/plain\r\n"
		       "Content-Length: %zu\r\n"
		       "Connection: close\r\n\r\n%s",
		       sizeof(body) - 1, body);
	n = send(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
	shutdown(fd, SHUT_WR);
}

/* A new client connection on worker wk; NULL when out of memory. */
static struct conn *conn_new(struct worker *wk, evutil_socket_t fd)
{
	struct event_base *base = wk->lw->base;
	struct timeval send_tv = loop_tv(wk->srv->t.send_ms);
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->wk = wk;
	c->id = atomic_fetch_add(&next_conn_id, 1) + 1;
	proxy_conn_init(&c->auth);
	c->state = CONN_READING_HEAD;
	c->cl = client_bev_new(wk->srv, base, fd);
	c->timer = evtimer_new(base, on_timer, c);
	if (c->cl == NULL || c->timer == NULL) {
		if (c->cl != NULL)
			bufferevent_free(c->cl);
		else
			close(fd);
		if (c->timer != NULL)
			event_free(c->timer);
		free(c);
		return NULL;
	}
	peer_ip(wk->lw, fd, c->client_ip, sizeof(c->client_ip));
	bufferevent_setcb(c->cl, on_client_read, on_client_write,
			  on_client_event, c);
	/* A client that does not read what we send is cut after send_ms;
	 * reading is timed by the phase timer instead (per phase, not per
	 * read). */
	bufferevent_set_timeouts(c->cl, NULL, &send_tv);
	bufferevent_setwatermark(c->cl, EV_READ, 0, PROXY_HIGH_WATER);
	c->next = wk->conns;
	if (wk->conns != NULL)
		wk->conns->prev = c;
	wk->conns = c;
	return c;
}

static void on_accept(struct loop_worker *lw, evutil_socket_t fd)
{
	struct worker *wk = lw->user;
	struct conn *c = conn_new(wk, fd);

	if (c == NULL) {
		loop_conn_done(lw);
		return;
	}
	c->counted = true;
	arm(c, wk->srv->t.idle_ms);
	bufferevent_enable(c->cl, EV_READ);
}

/*
 * Over --max-connections: 503 at once, then the same lingering close as
 * any other answer, so the client reads the 503 rather than a reset.
 * Such a connection is not counted and never reads a request.
 */
static void on_busy(struct loop_worker *lw, evutil_socket_t fd)
{
	struct worker *wk = lw->user;
	struct conn *c = conn_new(wk, fd);
	struct http_buf out;
	char body[200];

	if (c == NULL)
		return;
	snprintf(body, sizeof(body),
		 "503 Service Unavailable\nproxy: too many connections (%u "
		 "at once); try again later\n",
		 wk->srv->max_connections);
	http_buf_init(&out, 0);
	if (proxy_write_own(&out, 503, true, body))
		bufferevent_write(c->cl, out.data, out.len);
	http_buf_free(&out);
	start_lingering(c);
}

/* ---- Reading the head ---- */

/* Free what one request held. */
static void exchange_free(struct exchange *x)
{
	if (x == NULL)
		return;
	proxy_decision_free(&x->d);
	body_free(&x->mv);
	if (x->ai != NULL)
		authint_free(x->ai);
	free(x->ai);
	free(x->addrs);
	free(x);
}

/* Facts about the request kept once its head has left the buffer. */
static struct exchange *exchange_new(const struct http_request *req)
{
	struct exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->start_ms = mono_ms();
	x->result = "NONE";
	x->hier = "HIER_NONE";
	x->peer[0] = '-';
	text_copy(x->method, sizeof(x->method), req->method, req->method_len);
	text_copy(x->url, sizeof(x->url), req->target, req->target_len);
	x->http10 = req->minor_version == 0;
	x->client_closes = !persist_request(req);
	proxy_decision_init(&x->d);
	memset(&x->req_body, 0, sizeof(x->req_body));
	body_init(&x->mv, &x->req_body, BODY_DISCARD, 0);
	return x;
}

static void decide(struct conn *c, const struct http_request *req,
		   const void *body, size_t body_len);
static bool decide_slowly(struct conn *c, const struct http_request *req,
			  const void *body, size_t body_len, size_t head_len);
static void decided(struct conn *c, size_t head_len);
static void act(struct conn *c);
static void hold_body(struct conn *c, const char *head, size_t head_len,
		      const struct http_request *req);
static void notice_users_file(struct worker *wk);

/*
 * The client's bytes while a head is expected.  The whole head has
 * header_ms from its first byte (not per read: a head trickled a byte at
 * a time is cut as surely as a silent one: 408).  Before that first byte
 * the connection is idle and closes quietly after idle_ms.
 */
static void read_head(struct conn *c)
{
	struct proxy_server *srv = c->wk->srv;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	size_t len = evbuffer_get_length(in), n;
	struct http_request req;
	enum http_err e = HTTP_OK;
	const char *p;
	long hl;

	if (len == 0)
		return;
	if (evbuffer_get_length(bufferevent_get_output(c->cl)) >
	    PROXY_HIGH_WATER) {
		/* A client that pipelines but does not read: wait for it. */
		bufferevent_disable(c->cl, EV_READ);
		return;
	}
	if (!c->head_started) {
		c->head_started = true;
		arm(c, srv->t.header_ms);
	}
	n = len < HTTP_MAX_HEAD_BYTES + 1 ? len : HTTP_MAX_HEAD_BYTES + 1;
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
	hl = http_parse_request(p, n, &req, &e);
	if (hl == HTTP_PARSE_PARTIAL)
		return;
	/* Reading stays on while the request is served (fast path: turning
	 * it off and on again costs two epoll_ctl() calls a request); what
	 * a pipelining client sends meanwhile waits in the input buffer,
	 * bounded by its high-water mark. */
	evtimer_del(c->timer);
	if (hl < 0) {
		/* Malformed, too large: the status that names it, and close
		 * (the framing of what follows cannot be trusted). */
		static const struct http_request none;

		c->x = exchange_new(&none);
		if (c->x == NULL) {
			conn_free(c);
			return;
		}
		send_error(c, http_err_status(e), "%s", http_strerror(e));
		return;
	}
	c->x = exchange_new(&req);
	if (c->x == NULL) {
		conn_free(c);
		return;
	}
	go_state(c, CONN_DECIDING);
	e = http_request_framing(&req, &c->x->req_body);
	if (e != HTTP_OK) {
		/* RFC 9112 §6.3: a body we cannot frame is 400 and the
		 * connection closes (request smuggling). */
		evbuffer_drain(in, (size_t)hl);
		send_error(c, 400, "%s", http_strerror(e));
		return;
	}
	c->x->has_body = c->x->req_body.framing == HTTP_BODY_CHUNKED ||
			 (c->x->req_body.framing == HTTP_BODY_LENGTH &&
			  c->x->req_body.length > 0);
	/* Digest qop=auth-int covers the body: read it whole first. */
	if (authint_wanted(&srv->cfg->guard, &req, &c->x->req_body)) {
		hold_body(c, p, (size_t)hl, &req);
		return;
	}
	notice_users_file(c->wk);
	if (decide_slowly(c, &req, NULL, 0, (size_t)hl))
		return; /* decided() runs when the pool is done */
	decide(c, &req, NULL, 0);
	decided(c, (size_t)hl);
}

/* ---- Holding the body (Digest qop=auth-int) ---- */

static void hold_more(struct conn *c);

/*
 * The credentials cover H(entity-body) (RFC 7616 §3.4.3): the body is
 * read whole, at most srv->auth_int_max bytes of it (--auth-int-max;
 * more is 413), before anything is decided or sent upstream
 * (proxy/authint.h); with no body the head is kept all the same, for the
 * rspauth over the response (auth_int_info()).  The head is copied and leaves
 * the input buffer, wiped.  Meanwhile the body-rate rule of a relayed body
 * applies (on_timer).  RFC 9110 §10.1.1 has a proxy either answer from the head
 * or start forwarding it; neither is possible before the body is seen,
 * so for a client holding its body back this proxy sends the 100
 * (Continue) itself, as any server may.
 */
static void hold_body(struct conn *c, const char *head, size_t head_len,
		      const struct http_request *req)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	bool held_back = evbuffer_get_length(in) == head_len;
	enum http_err e;

	x->ai = calloc(1, sizeof(*x->ai));
	if (x->ai == NULL) {
		conn_free(c);
		return;
	}
	e = authint_start(x->ai, head, head_len, &x->req_body,
			  srv->auth_int_max);
	if (held_back && e == HTTP_OK && x->has_body && expect_continue(req))
		bufferevent_write(c->cl, EXPECT_100_CONTINUE,
				  EXPECT_100_CONTINUE_LEN);
	explicit_bzero((void *)head, head_len);
	evbuffer_drain(in, head_len);
	if (e != HTTP_OK) {
		send_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 500,
			   "qop=auth-int: %s (this proxy holds at most %llu "
			   "body bytes to check it)",
			   http_strerror(e),
			   (unsigned long long)srv->auth_int_max);
		return;
	}
	go_state(c, CONN_HOLDING_BODY);
	x->window_bytes = 0;
	arm(c, srv->t.body_ms);
	hold_more(c);
}

/* More of the held body; once it is whole, decide on it. */
static void hold_more(struct conn *c)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	struct http_request req;
	enum http_err e = HTTP_OK;
	const char *body;

	while (!authint_done(x->ai) && evbuffer_get_length(in) > 0) {
		struct evbuffer_iovec v;
		long used;

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		used = authint_feed(x->ai, v.iov_base, v.iov_len, &e);
		if (used < 0) {
			send_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 400,
				   "qop=auth-int: the request body: %s (at "
				   "most %llu bytes are held to check it)",
				   http_strerror(e),
				   (unsigned long long)srv->auth_int_max);
			return;
		}
		evbuffer_drain(in, (size_t)used);
		x->window_bytes += (uint64_t)used;
	}
	if (!authint_done(x->ai))
		return;
	evtimer_del(c->timer);
	x->has_body = false; /* held: nothing of it is left to read */
	if (http_parse_request(x->ai->head.data, x->ai->head.len, &req, &e) !=
	    (long)x->ai->head.len) {
		send_error(c, 500, "the held request head no longer parses");
		return;
	}
	go_state(c, CONN_DECIDING);
	body = x->ai->body.data != NULL ? x->ai->body.data : "";
	notice_users_file(c->wk);
	if (decide_slowly(c, &req, body, x->ai->body.len, 0))
		return;
	decide(c, &req, body, x->ai->body.len);
	decided(c, 0);
}

/*
 * The decision is in: the head leaves the buffer, wiped first (it may
 * carry Proxy-Authorization), before the body moves; then act on it.
 */
static void decided(struct conn *c, size_t head_len)
{
	struct evbuffer *in = bufferevent_get_input(c->cl);
	unsigned char *p = evbuffer_pullup(in, (ev_ssize_t)head_len);

	if (p != NULL)
		explicit_bzero(p, head_len);
	evbuffer_drain(in, head_len);
	act(c);
}

/* ---- Deciding ---- */

static void answer(struct conn *c);
static void answer_sent(struct conn *c);
static void start_forward(struct conn *c);
static void start_tunnel(struct conn *c);

/*
 * Ask the pure decision (proxy/gate.c).  The guard's nonce counts are
 * shared by every worker (the guard locks around them itself); c->auth,
 * what this connection proved (NTLM, Negotiate), is this connection's
 * alone, so it needs no lock.
 */
static void decide(struct conn *c, const struct http_request *req,
		   const void *body, size_t body_len)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;

	struct store_gen *g = store_acquire(&srv->store);
	struct proxy_config cfg = *srv->cfg;

	/* No lock here: password hashing runs in parallel; the nonce-count
	 * step inside takes guard_lock itself (http/guard.h). */
	store_use(g, &cfg.guard);
	proxy_decide_conn(&cfg, srv->state, &c->auth, req, body, body_len,
			  (uint64_t)time(NULL), &x->d);
	store_release(g);
	if (srv->verbose)
		log_line(srv, "why: %s (lesson %s)\n", x->d.why,
			 x->d.lesson ? x->d.lesson : "-");
	c->close_after = x->d.close || stop_requested;
}

/* On a pool thread: the same pure decision. */
static void decide_run(struct pool_job *job)
{
	struct decide_job *j = job->arg;
	struct proxy_server *srv = j->c->wk->srv;

	/* The connection's own auth state: the loop leaves it alone while
	 * the decision is away. */
	proxy_decide_conn(&j->cfg, srv->state, &j->c->auth, &j->req, j->body,
			  j->body_len, (uint64_t)time(NULL), &j->c->x->d);
}

/* Back on the loop: log, then act as after an inline decision. */
static void decide_done(struct pool_job *job)
{
	struct decide_job *j = job->arg;
	struct conn *c = j->c;
	struct proxy_server *srv = c->wk->srv;
	size_t head_len = j->head_len;

	c->wk->lw->jobs--;
	c->djob = NULL;
	store_release(j->gen);
	explicit_bzero(j, sizeof(*j));
	free(j);
	if (c->state == CONN_CLOSED) {
		conn_release(c); /* it went while the pool worked */
		return;
	}
	if (srv->verbose)
		log_line(srv, "why: %s (lesson %s)\n", c->x->d.why,
			 c->x->d.lesson ? c->x->d.lesson : "-");
	c->close_after = c->x->d.close || stop_requested;
	bufferevent_enable(c->cl, EV_READ);
	decided(c, head_len);
}

/*
 * Slow work never blocks the loop: when the credentials may need a
 * deliberately slow hash (an htpasswd file: bcrypt, SHA-crypt), the
 * whole decision runs on the work pool and this loop goes on serving
 * its other connections meanwhile.  A plain or htdigest store costs
 * microseconds: deciding inline saves the two thread hand-overs, and so
 * do Basic credentials verified in the last --credentials-ttl seconds
 * (guard_remembered): the common keep-alive case hashes nothing slow.
 * True when the decision was handed over.
 */
static bool decide_slowly(struct conn *c, const struct http_request *req,
			  const void *body, size_t body_len, size_t head_len)
{
	struct proxy_server *srv = c->wk->srv;
	struct decide_job *j;
	struct store_gen *g;
	struct proxy_config cfg;

	if (http_header_find(req->headers, req->num_headers,
			     "Proxy-Authorization") == NULL)
		return false;
	g = store_acquire(&srv->store);
	cfg = *srv->cfg;
	store_use(g, &cfg.guard);
	if (g->users == NULL || g->users->kind != USERS_HTPASSWD ||
	    guard_remembered(&cfg.guard, req, (uint64_t)time(NULL))) {
		store_release(g);
		return false;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		store_release(g);
		return false; /* decide inline, slowly, rather than fail */
	}
	j->gen = g;
	j->cfg = cfg;
	j->c = c;
	j->req = *req;
	j->body = body;
	j->body_len = body_len;
	j->head_len = head_len;
	j->job.run = decide_run;
	j->job.done = decide_done;
	j->job.arg = j;
	if (!pool_submit(c->wk->lw->base, &j->job)) {
		store_release(g);
		free(j);
		return false;
	}
	/* The parsed head points into the input buffer: no reading (which
	 * may realign the buffer) until the decision is back. */
	bufferevent_disable(c->cl, EV_READ);
	c->wk->lw->jobs++;
	c->djob = j;
	return true;
}

/* Reading the users file again, on the work pool. */
struct reload_job {
	struct pool_job job;
	struct worker *wk;
	bool ok;
	char why[512]; /* why the new file was refused */
};

static void reload_run(struct pool_job *job)
{
	struct reload_job *r = job->arg;

	r->ok = store_reload(&r->wk->srv->store, r->why, sizeof(r->why));
}

static void reload_done(struct pool_job *job)
{
	struct reload_job *r = job->arg;
	struct proxy_server *srv = r->wk->srv;

	r->wk->lw->jobs--;
	if (r->ok)
		log_line(srv, "users: %s changed, read again\n",
			 srv->store.users_file);
	else
		log_line(srv,
			 "users: %s changed and is refused, the old "
			 "users stay: %s\n",
			 srv->store.users_file, r->why);
	free(r);
}

/*
 * Before a decision: has the users file changed (looked at once a
 * second at most)?  Then read it on the pool; decisions go on with the
 * old users until the new ones are in (net/store.h).
 */
static void notice_users_file(struct worker *wk)
{
	struct reload_job *r;

	if (!store_check(&wk->srv->store, (uint64_t)time(NULL)))
		return;
	r = calloc(1, sizeof(*r));
	if (r != NULL) {
		r->wk = wk;
		r->job.run = reload_run;
		r->job.done = reload_done;
		r->job.arg = r;
		if (pool_submit(wk->lw->base, &r->job)) {
			wk->lw->jobs++;
			return;
		}
		free(r);
	}
	/* Out of memory: run it here, once, rather than never. */
	{
		char why[512];

		if (!store_reload(&wk->srv->store, why, sizeof(why)))
			log_line(wk->srv, "users: %s: %s\n",
				 wk->srv->store.users_file, why);
	}
}

/* Do what the decision says. */
static void act(struct conn *c)
{
	switch (c->x->d.action) {
	case PROXY_RESPOND:
		answer(c);
		break;
	case PROXY_FORWARD:
		start_forward(c);
		break;
	case PROXY_TUNNEL:
		start_tunnel(c);
		break;
	}
}

/* ---- Answering ourselves ---- */

/*
 * Send d.out, the proxy's own answer (407, 403, 400, ...).  Its head was
 * built with its final Connection field: proxy_decide() knows whether an
 * unread body lets the connection go on (http/persist.c).  A small body
 * is read and dropped afterwards; otherwise the connection lingers.
 */
static void answer(struct conn *c)
{
	struct exchange *x = c->x;
	int st = x->d.status;

	x->result = st == 407 || st == 403 ? "TCP_DENIED" : "NONE";
	x->status = st;
	text_set(x->type, sizeof(x->type),
		 st == 200 && strcmp(x->method, "TRACE") == 0 ? "message/http"
							      : "text/plain");
	go_state(c, CONN_ANSWERING);
	x->bytes += x->d.out.len;
	bufferevent_write(c->cl, x->d.out.data, x->d.out.len);
	/* Fast path (send_now(); the 407 path gains most): an answer that
	 * went out at once goes on at once.  Not with pipelined bytes
	 * waiting: answer_sent() would read the next head from inside this
	 * call, and the next one deeper still. */
	if (evbuffer_get_length(bufferevent_get_input(c->cl)) == 0 &&
	    send_now(c, c->cl)) {
		answer_sent(c);
		return;
	}
	/* Otherwise on_client_write() goes on once the answer is out. */
}

/* The answer is out: drop a small body, linger, or read the next head. */
static void answer_sent(struct conn *c)
{
	struct exchange *x = c->x;

	if (c->close_after) {
		start_lingering(c);
		return;
	}
	if (x->has_body) {
		body_init(&x->mv, &x->req_body, BODY_DISCARD,
			  PERSIST_MAX_DISCARD);
		go_state(c, CONN_DISCARDING);
		arm(c, c->wk->srv->t.body_ms);
		bufferevent_enable(c->cl, EV_READ);
		relay_request_body(c);
		return;
	}
	exchange_end(c);
}

/*
 * An answer of the proxy's own for a failure (400, 408, 502, 504): a
 * one-paragraph body, Connection: close, then lingering.
 */
static void send_error(struct conn *c, int status, const char *fmt, ...)
{
	struct exchange *x = c->x;
	char text[PROXY_MAX_BODY_TEXT];
	char body[PROXY_MAX_BODY_TEXT + 64];
	struct http_buf out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(body, sizeof(body), "%d %s\nproxy: %s\n", status,
		 http_status_reason(status), text);
	if (c->up != NULL) {
		bufferevent_free(c->up);
		c->up = NULL;
	}
	resolve_forget(c);
	evtimer_del(c->timer);
	bufferevent_disable(c->cl, EV_READ);
	c->close_after = true;
	http_buf_init(&out, 0);
	if (proxy_write_own(&out, status, true, body)) {
		bufferevent_write(c->cl, out.data, out.len);
		if (x != NULL)
			x->bytes += out.len;
	}
	http_buf_free(&out);
	if (x != NULL) {
		x->status = status;
		snprintf(x->type, sizeof(x->type), "text/plain");
	}
	go_state(c, CONN_ANSWERING);
}

/* ---- Connecting upstream ---- */

static void on_up_read(struct bufferevent *bev, void *arg);
static void on_up_write(struct bufferevent *bev, void *arg);
static void on_up_event(struct bufferevent *bev, short what, void *arg);

/* Two socket addresses are the same address and port. */
static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

/* Take an idle connection to one of the checked addrs from the pool. */
static struct bufferevent *pool_take(struct worker *wk,
				     const struct sockaddr_storage *addrs,
				     size_t n, struct sockaddr_storage *peer,
				     char *ip, size_t ip_cap)
{
	for (struct pooled *p = wk->pool; p != NULL; p = p->next) {
		struct bufferevent *bev;
		size_t i;

		for (i = 0; i < n && !same_addr(&p->peer, &addrs[i]); i++)
			;
		if (i == n)
			continue;
		if (p->prev != NULL)
			p->prev->next = p->next;
		else
			wk->pool = p->next;
		if (p->next != NULL)
			p->next->prev = p->prev;
		wk->pooled--;
		bev = p->bev;
		*peer = p->peer;
		text_set(ip, ip_cap, p->ip);
		free(p);
		return bev;
	}
	return NULL;
}

static void pooled_free(struct pooled *p)
{
	struct worker *wk = p->wk;

	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		wk->pool = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	wk->pooled--;
	bufferevent_free(p->bev);
	free(p);
}

/* An idle pooled connection spoke, closed or timed out: it goes. */
static void on_pooled_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	pooled_free(arg);
}

static void on_pooled_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	pooled_free(arg);
}

/*
 * Keep an upstream connection for the next request to the same address
 * from any client of this worker: a client that opens a new connection
 * per request still gets a warm upstream one.  It is keyed by the
 * address it went to, the one the ACL checked (proxy_decide_address()),
 * so a later request reuses it only after its own destination resolved
 * to and was allowed for that same address.  Bounded (PROXY_POOL_MAX,
 * the oldest goes first) and idle for pool_idle_ms at most.
 */
static void pool_put(struct worker *wk, struct bufferevent *bev,
		     const struct sockaddr_storage *peer, const char *ip)
{
	struct timeval idle = loop_tv(wk->srv->t.pool_idle_ms);
	struct pooled *p;

	if (stop_requested) {
		bufferevent_free(bev);
		return;
	}
	if (wk->pooled >= PROXY_POOL_MAX) {
		struct pooled *old = wk->pool;

		while (old->next != NULL)
			old = old->next;
		pooled_free(old);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		bufferevent_free(bev);
		return;
	}
	p->wk = wk;
	p->bev = bev;
	p->peer = *peer;
	text_set(p->ip, sizeof(p->ip), ip);
	p->next = wk->pool;
	if (wk->pool != NULL)
		wk->pool->prev = p;
	wk->pool = p;
	wk->pooled++;
	bufferevent_setcb(bev, on_pooled_read, NULL, on_pooled_event, p);
	bufferevent_set_timeouts(bev, &idle, NULL);
	bufferevent_enable(bev, EV_READ);
}

/* A fresh upstream bufferevent with this connection's callbacks. */
static void up_callbacks(struct conn *c)
{
	struct timeval send_tv = loop_tv(c->wk->srv->t.send_ms);

	bufferevent_setcb(c->up, on_up_read, on_up_write, on_up_event, c);
	bufferevent_set_timeouts(c->up, NULL, &send_tv);
	bufferevent_setwatermark(c->up, EV_READ, 0, PROXY_HIGH_WATER);
}

static void on_resolved(struct pool_job *job);
static void addresses_ready(struct conn *c,
			    const struct sockaddr_storage *addrs, size_t n);

/* Resolution, on a pool thread: getaddrinfo blocks. */
static void resolve_run(struct pool_job *job)
{
	struct resolve *r = job->arg;
	enum net_fail why;
	char err[NET_MAX_ADDR];

	r->n = net_resolve(r->host, r->port, r->addrs, NET_MAX_RESOLVED, &why,
			   err, sizeof(err));
}

/* The connection no longer waits for its resolution. */
static void resolve_forget(struct conn *c)
{
	if (c->res != NULL)
		c->res->c = NULL;
	c->res = NULL;
}

/*
 * An IP literal needs no resolver: its one address is made here, on the
 * loop.  (Fast path: a request to 127.0.0.1 then costs no hand-over to
 * the pool and back, two thread wake-ups per request.)
 */
static bool literal_addr(const char *host, unsigned port,
			 struct sockaddr_storage *out)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return true;
	}
	return false;
}

/*
 * Where the request goes.  The name is resolved once (off the loop,
 * net/pool.c, unless it is an IP literal), the ACL decides on every
 * address that came back (proxy_decide_address(), proxy/acl.h "Deciding
 * on addresses"), and the connection goes to exactly those addresses:
 * an idle pooled one to the same address, else a new one.  Nothing is
 * resolved twice, so a DNS answer that changes meanwhile (rebinding)
 * cannot take the connection anywhere unchecked.
 */
static void connect_upstream(struct conn *c, bool may_reuse)
{
	struct exchange *x = c->x;
	struct worker *wk = c->wk;
	struct sockaddr_storage lit;
	struct resolve *r;

	go_state(c, CONN_CONNECTING);
	x->hier = "HIER_DIRECT";
	x->reused = false;
	arm(c, wk->srv->t.connect_ms);
	if (!may_reuse && x->addrs != NULL) {
		/* A retry: the same checked addresses, a new connection. */
		x->next_addr = 0;
		connect_next(c);
		return;
	}
	if (literal_addr(x->d.host, x->d.port, &lit)) {
		addresses_ready(c, &lit, 1);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		send_error(c, 502,
			   "cannot resolve the origin %s: out of "
			   "memory",
			   x->d.host);
		return;
	}
	r->c = c;
	r->wk = wk;
	text_set(r->host, sizeof(r->host), x->d.host);
	r->port = x->d.port;
	r->job.run = resolve_run;
	r->job.done = on_resolved;
	r->job.arg = r;
	if (!pool_submit(wk->lw->base, &r->job)) {
		free(r);
		send_error(c, 502,
			   "cannot resolve the origin %s: out of "
			   "memory",
			   x->d.host);
		return;
	}
	wk->lw->jobs++;
	c->res = r;
}

/* Back on the loop with the addresses (or not). */
static void on_resolved(struct pool_job *job)
{
	struct resolve *r = job->arg;
	struct conn *c = r->c;

	r->wk->lw->jobs--;
	if (c != NULL) {
		c->res = NULL;
		if (r->n == 0) {
			c->x->result = "TCP_MISS";
			send_error(c, 502,
				   "cannot resolve the origin %s (DNS failure)",
				   c->x->d.host);
		} else {
			addresses_ready(c, r->addrs, r->n);
		}
	}
	free(r);
}

/* Step 3b of the decision, on the addresses; then connect to them. */
static void addresses_ready(struct conn *c,
			    const struct sockaddr_storage *addrs, size_t n)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;
	const char *method =
	    x->d.action == PROXY_TUNNEL ? "CONNECT" : x->method;

	if (!proxy_decide_address(srv->cfg, method, addrs, n, &x->d)) {
		/* d is now the ACL's 403 (Connection: close). */
		if (srv->verbose)
			log_line(srv, "why: %s (lesson %s)\n", x->d.why,
				 x->d.lesson ? x->d.lesson : "-");
		evtimer_del(c->timer);
		x->hier = "HIER_NONE";
		c->close_after = true;
		answer(c);
		return;
	}
	x->addrs = malloc(n * sizeof(*addrs));
	if (x->addrs == NULL) {
		send_error(c, 502, "out of memory");
		return;
	}
	memcpy(x->addrs, addrs, n * sizeof(*addrs));
	x->naddrs = n;
	x->next_addr = 0;
	if (x->d.action == PROXY_FORWARD) {
		c->up = pool_take(c->wk, x->addrs, n, &x->up_addr, x->peer,
				  sizeof(x->peer));
		if (c->up != NULL) {
			evtimer_del(c->timer);
			x->reused = true;
			up_callbacks(c);
			send_request(c);
			return;
		}
	}
	connect_next(c);
}

/* Try the next checked address; 502 when none is left. */
static void connect_next(struct conn *c)
{
	struct exchange *x = c->x;
	struct sockaddr_storage *a;
	int fd;

	if (c->up != NULL) {
		bufferevent_free(c->up);
		c->up = NULL;
	}
	if (x->next_addr >= x->naddrs) {
		send_error(c, 502, "the origin %s:%u refused the connection",
			   x->d.host, x->d.port);
		return;
	}
	a = &x->addrs[x->next_addr++];
	x->up_addr = *a;
	fd =
	    socket(a->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		connect_next(c);
		return;
	}
	c->up =
	    bufferevent_socket_new(c->wk->lw->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->up == NULL) {
		close(fd);
		connect_next(c);
		return;
	}
	up_callbacks(c);
	if (a->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a)->sin6_addr,
			  x->peer, sizeof(x->peer));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)a)->sin_addr,
			  x->peer, sizeof(x->peer));
	if (bufferevent_socket_connect(c->up, (struct sockaddr *)a,
				       a->ss_family == AF_INET6
					   ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in)) != 0)
		connect_next(c);
	/* on_up_event() says BEV_EVENT_CONNECTED or an error. */
}

/* The TCP connection to the origin is up. */
static void connected(struct conn *c)
{
	int one = 1;

	setsockopt(bufferevent_getfd(c->up), IPPROTO_TCP, TCP_NODELAY, &one,
		   sizeof(one));
	evtimer_del(c->timer);
	if (c->x->d.action == PROXY_TUNNEL)
		start_tunnel(c);
	else
		send_request(c);
}

static void start_forward(struct conn *c)
{
	struct exchange *x = c->x;

	x->result = "TCP_MISS";
	connect_upstream(c, true);
}

/* ---- Sending the request ---- */

/*
 * The rewritten head goes out, then the body if there is one.  An
 * `Expect: 100-continue` stays in the forwarded head: the origin's 100
 * comes back through read_response_head() and the client sends its body
 * when it sees it, so nothing here waits.
 */
static void send_request(struct conn *c)
{
	struct exchange *x = c->x;

	go_state(c, CONN_SENDING);
	x->resp_bytes = 0;
	x->req_sent = 0;
	bufferevent_write(c->up, x->d.out.data, x->d.out.len);
	bufferevent_enable(c->up, EV_READ);
	if (x->ai != NULL && !send_held_body(c))
		return;
	if (x->has_body) {
		/* RFC 9112 §6.1: a recipient may decode a transfer coding
		 * and apply it again; a chunked body is re-chunked with its
		 * trailers filtered (http/trailer.c). */
		body_free(&x->mv);
		body_init(&x->mv, &x->req_body, BODY_RELAY, 0);
		go_state(c, CONN_RELAYING_BODY);
		x->window_bytes = 0;
		arm(c, c->wk->srv->t.body_ms);
		bufferevent_enable(c->cl, EV_READ);
		relay_request_body(c);
		return;
	}
	go_state(c, CONN_READING_RESPONSE);
	arm(c, c->wk->srv->t.upstream_ms);
	/* on_up_write() has nothing to do while the response is awaited. */
	send_now(c, c->up);
}

/* ---- Relaying the request body ---- */

/*
 * A body held for auth-int goes upstream as it was checked: the bytes the
 * guard hashed and no others (proxy/authint.h).  False when it could not
 * be queued (then the client has its 502).
 */
static bool send_held_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct http_buf o;
	bool ok;

	http_buf_init(&o, x->ai->body.len + 64);
	ok = authint_write(x->ai, &o) &&
	     bufferevent_write(c->up, o.data, o.len) == 0;
	http_buf_free(&o);
	if (!ok) {
		send_error(c, 502,
			   "the checked request body could not be "
			   "queued for the origin");
		return false;
	}
	x->req_sent = x->ai->body.len;
	return true;
}

/*
 * One step of a body that is not moved verbatim (chunked, or decoded for
 * an HTTP/1.0 client): the first buffered block goes through the mover,
 * what it writes goes to out (NULL: dropped).  Returns the bytes of in
 * consumed, or -1 with *e.
 */
static long move_chunked(struct body_mover *mv, struct evbuffer *in,
			 struct evbuffer *out, enum http_err *e)
{
	struct evbuffer_iovec v;
	struct http_buf o;
	long used;

	if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
		return 0;
	if (v.iov_len > PROXY_IO_CHUNK)
		v.iov_len = PROXY_IO_CHUNK;
	http_buf_init(&o, 0);
	used = body_feed(mv, v.iov_base, v.iov_len, out != NULL ? &o : NULL, e);
	if (used >= 0) {
		evbuffer_drain(in, (size_t)used);
		if (out != NULL && o.len > 0)
			evbuffer_add(out, o.data, o.len);
	}
	http_buf_free(&o);
	return used;
}

/*
 * Move what the client sent of its body to the origin (or, in
 * CONN_DISCARDING, nowhere).  Content-Length bytes move between the
 * buffers without a copy; chunked ones go through the mover.  When the
 * origin falls behind, reading from the client pauses (PROXY_HIGH_WATER)
 * and resumes in on_up_write().
 */
static void relay_request_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	struct evbuffer *out = c->up ? bufferevent_get_output(c->up) : NULL;
	bool discard = c->state == CONN_DISCARDING;

	while (!x->mv.done && evbuffer_get_length(in) > 0) {
		enum http_err e;
		long used;

		if (out != NULL &&
		    evbuffer_get_length(out) > PROXY_HIGH_WATER) {
			bufferevent_disable(c->cl, EV_READ);
			return;
		}
		if (body_verbatim(&x->mv)) {
			/* Content-Length: the bytes move from one buffer to
			 * the other by reference, never copied. */
			used = body_feed(&x->mv, NULL, evbuffer_get_length(in),
					 NULL, &e);
			if (used >= 0 && discard)
				evbuffer_drain(in, (size_t)used);
			else if (used >= 0)
				evbuffer_remove_buffer(in, out, (size_t)used);
		} else {
			used =
			    move_chunked(&x->mv, in, discard ? NULL : out, &e);
		}
		if (used < 0) {
			if (discard) {
				start_lingering(c);
				return;
			}
			send_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 400,
				   "the request body is malformed: %s",
				   http_strerror(e));
			return;
		}
		x->window_bytes += (uint64_t)used;
		if (!discard)
			x->req_sent += (uint64_t)used;
	}
	if (!x->mv.done)
		return;
	evtimer_del(c->timer);
	if (discard) {
		exchange_end(c);
		return;
	}
	go_state(c, CONN_READING_RESPONSE);
	arm(c, c->wk->srv->t.upstream_ms);
	/* The response may be waiting already. */
	if (evbuffer_get_length(bufferevent_get_input(c->up)) > 0)
		read_response_head(c);
}

/* ---- Reading the response head ---- */

/*
 * Proxy-Authentication-Info after qop=auth-int into info[0..cap).  Its
 * rspauth covers the response's entity-body (RFC 7616 §3.5), which has to
 * be known before the head goes on: a response with no body, or a
 * Content-Length one of at most PROXY_INFO_BODY_MAX bytes (below the
 * upstream read high-water mark, so it can all arrive), is waited for
 * whole in the input buffer and hashed there (guard_digest_info(), over
 * the request head held in x->ai); any other (chunked, until-close,
 * larger) gets the nextnonce alone - never an rspauth over a body not
 * seen.  False: wait for more of the body.  Any other request: info is
 * d.info_header as it is.
 */
static bool auth_int_info(struct conn *c, const struct http_body_info *rinfo,
			  size_t head_len, char *info, size_t cap)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct http_request req;
	enum http_err e;
	const char *p;
	size_t n = 0;

	text_set(info, cap, x->d.info_header);
	if (x->ai == NULL || x->d.info_header[0] == '\0')
		return true;
	if (rinfo->framing == HTTP_BODY_LENGTH &&
	    rinfo->length <= PROXY_INFO_BODY_MAX)
		n = (size_t)rinfo->length;
	else if (rinfo->framing != HTTP_BODY_NONE)
		return true;
	if (evbuffer_get_length(in) < head_len + n)
		return false;
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)(head_len + n));
	if (p != NULL && http_parse_request(x->ai->head.data, x->ai->head.len,
					    &req, &e) == (long)x->ai->head.len)
		guard_digest_info(&c->wk->srv->cfg->guard, &req, x->d.user,
				  x->d.info_header, p + head_len, n, info, cap);
	return true;
}

/*
 * The upstream connection failed before a whole response head came.  On
 * a reused connection that the origin had closed while idle, the request
 * goes again on a new one, but only where RFC 9110 §9.2.2 allows it:
 * idempotent, none of the body sent, nothing of a response received.
 */
static void upstream_failed(struct conn *c, bool timed_out)
{
	struct exchange *x = c->x;

	bufferevent_free(c->up);
	c->up = NULL;
	if (!timed_out && x->reused && !x->retried &&
	    retry_allowed(x->method, strlen(x->method), x->req_sent,
			  x->resp_bytes)) {
		x->retried = true;
		connect_upstream(c, false);
		return;
	}
	if (timed_out)
		send_error(c, 504,
			   "the origin %s:%u did not answer within %u ms",
			   x->d.host, x->d.port, c->wk->srv->t.upstream_ms);
	else
		send_error(c, 502,
			   "the origin %s:%u closed the connection "
			   "without an answer",
			   x->d.host, x->d.port);
}

/*
 * Parse the origin's response head.  Interim 1xx responses (100
 * Continue, 103 Early Hints) go on to an HTTP/1.1 client and not to an
 * HTTP/1.0 one, which would take them for the answer (RFC 9110 §15.2);
 * 101 is refused, since this proxy does not switch protocols.  A final
 * answer that comes while the request body is still on its way ends the
 * body: the rest of it is never sent, and both connections close after.
 */
static void read_response_head(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);

	for (;;) {
		size_t len = evbuffer_get_length(in), n;
		struct http_response resp;
		struct http_body_info rinfo;
		struct http_buf head;
		enum http_err e = HTTP_OK;
		const char *p;
		const char *conn_field;
		char info[sizeof(x->d.info_header)];
		enum body_mode mode;
		long hl;

		if (len == 0)
			return;
		x->resp_bytes += len; /* counts "something arrived" */
		n = len < HTTP_MAX_HEAD_BYTES + 1 ? len
						  : HTTP_MAX_HEAD_BYTES + 1;
		p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
		hl = http_parse_response(p, n, &resp, &e);
		if (hl == HTTP_PARSE_PARTIAL)
			return;
		if (hl < 0 || resp.status == 101) {
			send_error(c, 502,
				   "the origin %s:%u sent an invalid "
				   "response: %s",
				   x->d.host, x->d.port,
				   http_strerror(hl < 0 ? e : HTTP_E_STATUS));
			return;
		}
		if (resp.status < 200) {
			if (!x->http10) {
				http_buf_init(&head, 0);
				if (proxy_relay_head_ex(&resp, NULL, NULL,
							&head)) {
					bufferevent_write(c->cl, head.data,
							  head.len);
					x->bytes += head.len;
				}
				http_buf_free(&head);
			}
			evbuffer_drain(in, (size_t)hl);
			continue;
		}

		/* The final answer. */
		if (c->state == CONN_RELAYING_BODY) {
			x->early = true;
			c->close_after = true;
			bufferevent_disable(c->cl, EV_READ);
		}
		e = http_response_framing(&resp, x->method, strlen(x->method),
					  &rinfo);
		if (e != HTTP_OK) {
			send_error(c, 502,
				   "the origin %s:%u sent a response "
				   "with bad framing: %s",
				   x->d.host, x->d.port, http_strerror(e));
			return;
		}
		if (x->ai != NULL) {
			if (!auth_int_info(c, &rinfo, (size_t)hl, info,
					   sizeof(info)))
				return; /* more of the body rspauth covers */
			/* The pull-up may have moved the head. */
			p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
			http_parse_response(p, n, &resp, &e);
		}
		/* RFC 9112 §7.1: an HTTP/1.0 client cannot read chunked; it
		 * gets the data alone, ended by the close. */
		mode = BODY_RELAY;
		if (rinfo.framing == HTTP_BODY_CHUNKED && x->http10) {
			mode = BODY_DECODE;
			c->close_after = true;
		}
		if (rinfo.framing == HTTP_BODY_UNTIL_CLOSE)
			c->close_after = true;
		x->keep_up = !x->early &&
			     rinfo.framing != HTTP_BODY_UNTIL_CLOSE &&
			     persist_keep_alive(resp.minor_version,
						resp.headers, resp.num_headers);
		conn_field = c->close_after ? "close"
			     : x->http10    ? "keep-alive"
					    : NULL;
		http_buf_init(&head, 0);
		if (!proxy_relay_head_auth(
			&resp, x->ai != NULL ? info : x->d.info_header,
			x->d.negotiate_reply, conn_field, mode == BODY_DECODE,
			&head)) {
			http_buf_free(&head);
			send_error(c, 502,
				   "the origin's response head could "
				   "not be relayed");
			return;
		}
		x->status = resp.status;
		{
			const struct http_header *h = http_header_find(
			    resp.headers, resp.num_headers, "Content-Type");
			size_t t = 0;

			while (h != NULL && t < h->value_len &&
			       h->value[t] != ';' && h->value[t] != ' ')
				t++;
			text_copy(x->type, sizeof(x->type),
				  h != NULL ? h->value : "-",
				  h != NULL ? t : 1);
		}
		evbuffer_drain(in, (size_t)hl);
		bufferevent_write(c->cl, head.data, head.len);
		x->bytes += head.len;
		http_buf_free(&head);
		body_free(&x->mv);
		body_init(&x->mv, &rinfo, mode, 0);
		go_state(c, CONN_RELAYING_RESPONSE);
		c->last_ms = mono_ms();
		arm(c, c->wk->srv->t.upstream_ms);
		relay_response_body(c);
		return;
	}
}

/* ---- Relaying the response ---- */

/*
 * Move the response body to the client.  As for the request body: no
 * copy for Content-Length and until-close, the mover for chunked, and
 * reading pauses while the client is behind (resumed in
 * on_client_write()).
 */
static void relay_response_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct evbuffer *out = bufferevent_get_output(c->cl);

	while (!x->mv.done && evbuffer_get_length(in) > 0) {
		size_t before = evbuffer_get_length(out);
		enum http_err e;
		long used;

		if (before > PROXY_HIGH_WATER) {
			bufferevent_disable(c->up, EV_READ);
			return;
		}
		if (body_verbatim(&x->mv)) {
			used = body_feed(&x->mv, NULL, evbuffer_get_length(in),
					 NULL, &e);
			if (used >= 0)
				evbuffer_remove_buffer(in, out, (size_t)used);
		} else {
			used = move_chunked(&x->mv, in, out, &e);
		}
		if (used < 0) {
			/* Too late for an error response: cut the client off
			 * so it sees a truncated body, not a wrong one. */
			conn_free(c);
			return;
		}
		x->bytes += evbuffer_get_length(out) - before;
	}
	if (!x->mv.done)
		return;
	evtimer_del(c->timer);
	if (x->keep_up && evbuffer_get_length(in) == 0)
		pool_put(c->wk, c->up, &x->up_addr, x->peer);
	else
		bufferevent_free(c->up);
	c->up = NULL;
	if (c->close_after) {
		start_lingering(c);
		return;
	}
	exchange_end(c);
}

/* ---- Back to reading ---- */

/* The exchange is over: log it, forget it, wait for the next head. */
static void exchange_end(struct conn *c)
{
	/* The response goes out before the bookkeeping.  When it all went,
	 * on_client_write() would only call read_head(), as below. */
	send_now(c, c->cl);
	log_access(c);
	exchange_free(c->x);
	c->x = NULL;
	if (c->close_after || stop_requested) {
		start_lingering(c);
		return;
	}
	go_state(c, CONN_READING_HEAD);
	c->head_started = false;
	arm(c, c->wk->srv->t.idle_ms);
	bufferevent_enable(c->cl, EV_READ);
	/* A pipelined request may be waiting already. */
	read_head(c);
}

/* ---- Tunnelling ---- */

/*
 * CONNECT (RFC 9110 §9.3.6): connect, send 200, then copy bytes both
 * ways until both sides have finished.  A side that closes has its
 * direction shut on the other side once its bytes are out, so a TLS
 * close_notify still gets through.
 */
static void start_tunnel(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);

	if (c->up == NULL) {
		x->result = "TCP_TUNNEL";
		connect_upstream(c, false);
		return;
	}
	x->status = 200;
	x->bytes += x->d.out.len;
	bufferevent_write(c->cl, x->d.out.data, x->d.out.len);
	go_state(c, CONN_TUNNELLING);
	c->close_after = true;
	/* Bytes the client sent after the CONNECT head (a TLS hello). */
	if (evbuffer_get_length(in) > 0)
		evbuffer_add_buffer(bufferevent_get_output(c->up), in);
	c->last_ms = mono_ms();
	arm(c, c->wk->srv->t.tunnel_idle_ms);
	bufferevent_enable(c->cl, EV_READ);
	bufferevent_enable(c->up, EV_READ);
}

/* Lesson 07: after 200 Connection established the proxy only copies bytes. */
/* Copy what one side sent to the other. */
static void tunnel_move(struct conn *c, bool from_client)
{
	struct bufferevent *src = from_client ? c->cl : c->up;
	struct bufferevent *dst = from_client ? c->up : c->cl;
	struct evbuffer *in = bufferevent_get_input(src);
	struct evbuffer *out = bufferevent_get_output(dst);
	size_t n = evbuffer_get_length(in);

	if (n == 0)
		return;
	c->last_ms = mono_ms();
	if (!from_client)
		c->x->bytes += n;
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) > PROXY_HIGH_WATER)
		bufferevent_disable(src, EV_READ);
}

/* Side `client` reached its end: shut that direction when flushed. */
static void tunnel_half(struct conn *c)
{
	if (c->cl_eof && c->up != NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->up)) == 0)
		shutdown(bufferevent_getfd(c->up), SHUT_WR);
	if (c->up_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0)
		client_shut_write(c);
	if (c->cl_eof && c->up_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0 &&
	    (c->up == NULL ||
	     evbuffer_get_length(bufferevent_get_output(c->up)) == 0))
		conn_free(c);
}

/* ---- Lingering and closing ---- */

/*
 * RFC 9112 §9.6: a server that closes while the client may still be
 * sending (an early 407 to a large upload, say) closes in stages: first
 * its own direction, once its answer is out (shutdown SHUT_WR), then it
 * goes on reading and discarding until the client closes, for at most
 * linger_ms and PROXY_LINGER_MAX_BYTES.  Closing at once would make the
 * kernel answer the client's next bytes with a reset, and the reset can
 * destroy the 407 before the client has read it.
 */
/*
 * Nothing can follow that a close at once would turn into a reset: the
 * client said its request was its last (Connection: close, or HTTP/1.0
 * without keep-alive; RFC 9112 §9.6: it then sends nothing more), the
 * request had no body, no byte past it has come, and the answer is all
 * out.  Then the lingering (a shutdown, a wait for the client's FIN, a
 * read) buys nothing, and a client that opens a connection a request
 * pays three system calls fewer (strace -c, wrk with Connection:
 * close).  Over TLS the close_notify of client_shut_write() is wanted.
 */
static bool close_at_once(struct conn *c)
{
	const struct exchange *x = c->x;

	return x != NULL && x->client_closes && !x->has_body &&
	       c->wk->srv->tls == NULL &&
	       evbuffer_get_length(bufferevent_get_input(c->cl)) == 0 &&
	       evbuffer_get_length(bufferevent_get_output(c->cl)) == 0;
}

static void start_lingering(struct conn *c)
{
	bool at_once;

	/* What on_client_write() would do once the answer is out, this
	 * does below when send_now() got it all out. */
	send_now(c, c->cl);
	at_once = close_at_once(c);
	if (c->up != NULL) {
		bufferevent_free(c->up);
		c->up = NULL;
	}
	if (c->x != NULL) {
		log_access(c);
		exchange_free(c->x);
		c->x = NULL;
	}
	if (at_once) {
		conn_free(c);
		return;
	}
	go_state(c, CONN_LINGERING);
	c->lingered = 0;
	if (c->cl_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0) {
		conn_free(c); /* the client has finished: nothing to drain */
		return;
	}
	arm(c, c->wk->srv->t.linger_ms);
	if (!c->cl_eof) /* after its EOF there is nothing to drain */
		bufferevent_enable(c->cl, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->cl)) == 0) {
		client_shut_write(c);
		c->half_closed = true;
	}
	/* Otherwise on_client_write() half-closes once it is out. */
	evbuffer_drain(bufferevent_get_input(c->cl),
		       evbuffer_get_length(bufferevent_get_input(c->cl)));
}

/*
 * Close a connection.  The memory goes a moment later, from the loop
 * (on_timer() in CONN_CLOSED), so code that called this from deep in a
 * callback may still look at c->state and see CONN_CLOSED.
 */
static void conn_free(struct conn *c)
{
	struct timeval now = {0, 0};

	if (c->state == CONN_CLOSED)
		return;
	go_state(c, CONN_CLOSED);
	resolve_forget(c);
	proxy_conn_free(&c->auth); /* a handshake dies with its connection */
	bufferevent_disable(c->cl, EV_READ | EV_WRITE);
	bufferevent_setcb(c->cl, NULL, NULL, NULL, NULL);
	if (c->up != NULL) {
		bufferevent_free(c->up);
		c->up = NULL;
	}
	evtimer_add(c->timer, &now);
}

/* The memory of a closed connection. */
static void conn_release(struct conn *c)
{
	struct worker *wk = c->wk;

	resolve_forget(c);
	if (c->x != NULL && c->x->status != 0)
		log_access(c);
	exchange_free(c->x);
	if (c->up != NULL)
		bufferevent_free(c->up);
	bufferevent_free(c->cl);
	event_free(c->timer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		wk->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->counted)
		loop_conn_done(wk->lw);
	free(c);
}

/* ---- Timeouts ---- */

/*
 * The phase's timer fired.  Where a phase is timed by activity (the
 * response body, a tunnel) the timer is re-armed for what is left when
 * bytes moved meanwhile: one timer per connection, no per-read re-arming.
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;
	uint64_t idle = mono_ms() - c->last_ms;

	(void)fd;
	(void)what;
	switch (c->state) {
	case CONN_READING_HEAD:
		if (!c->head_started) {
			conn_free(c); /* an idle keep-alive connection */
			return;
		}
		c->x = exchange_new(&(struct http_request){0});
		if (c->x == NULL) {
			conn_free(c);
			return;
		}
		bufferevent_disable(c->cl, EV_READ);
		send_error(c, 408,
			   "the request head did not arrive within %u ms",
			   srv->t.header_ms);
		return;
	case CONN_HOLDING_BODY:
	case CONN_RELAYING_BODY:
	case CONN_DISCARDING: {
		/* The body must keep at least body_min_rate bytes a second
		 * over each window; time spent waiting for a slow origin to
		 * take bytes does not count against the client. */
		uint64_t want =
		    (uint64_t)srv->t.body_min_rate * srv->t.body_ms / 1000u;
		bool origin_behind =
		    c->up != NULL &&
		    evbuffer_get_length(bufferevent_get_output(c->up)) > 0;

		if (x->window_bytes < want && !origin_behind) {
			if (c->state == CONN_DISCARDING) {
				conn_free(c); /* answered already */
				return;
			}
			/* The origin got part of a body: its connection
			 * goes (send_error() closes it), never reused. */
			send_error(c, 408,
				   "the request body came slower than "
				   "%u bytes/s",
				   srv->t.body_min_rate);
			return;
		}
		x->window_bytes = 0;
		arm(c, srv->t.body_ms);
		return;
	}
	case CONN_CONNECTING:
		if (x->d.action == PROXY_TUNNEL || !x->reused)
			x->result = x->d.action == PROXY_TUNNEL ? "TCP_TUNNEL"
								: "TCP_MISS";
		send_error(c, 504,
			   "the origin %s:%u did not accept a connection "
			   "within %u ms",
			   x->d.host, x->d.port, srv->t.connect_ms);
		return;
	case CONN_READING_RESPONSE:
		upstream_failed(c, true);
		return;
	case CONN_RELAYING_RESPONSE:
		if (idle < srv->t.upstream_ms) {
			arm(c, srv->t.upstream_ms - (unsigned)idle);
			return;
		}
		conn_free(c); /* truncated: the client must see it */
		return;
	case CONN_TUNNELLING:
		if (idle < srv->t.tunnel_idle_ms) {
			arm(c, srv->t.tunnel_idle_ms - (unsigned)idle);
			return;
		}
		conn_free(c);
		return;
	case CONN_LINGERING:
		conn_free(c);
		return;
	case CONN_CLOSED:
		if (c->djob == NULL) /* else decide_done() releases it */
			conn_release(c);
		return;
	default:
		return;
	}
}

/* ---- libevent callbacks: where bytes arrive ---- */

static void on_client_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case CONN_READING_HEAD:
		read_head(c);
		break;
	case CONN_HOLDING_BODY:
		hold_more(c);
		break;
	case CONN_RELAYING_BODY:
	case CONN_DISCARDING:
		relay_request_body(c);
		break;
	case CONN_TUNNELLING:
		tunnel_move(c, true);
		break;
	case CONN_LINGERING:
		c->lingered += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (c->lingered > PROXY_LINGER_MAX_BYTES)
			conn_free(c);
		break;
	default:
		/* Not reading in these states: the bytes (a pipelined
		 * request) wait in the input buffer. */
		break;
	}
}

/* The client's output went out (all of it: the low-water mark is 0). */
static void on_client_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->state) {
	case CONN_ANSWERING:
		answer_sent(c);
		break;
	case CONN_READING_HEAD:
		bufferevent_enable(c->cl, EV_READ);
		read_head(c);
		break;
	case CONN_RELAYING_RESPONSE:
		bufferevent_enable(c->up, EV_READ);
		relay_response_body(c);
		break;
	case CONN_TUNNELLING:
		if (c->up != NULL && !c->up_eof)
			bufferevent_enable(c->up, EV_READ);
		tunnel_half(c);
		break;
	case CONN_LINGERING:
		if (c->cl_eof) {
			conn_free(c); /* all out, and the client had finished */
			break;
		}
		if (!c->half_closed) {
			client_shut_write(c);
			c->half_closed = true;
		}
		break;
	default:
		break;
	}
}

/* The TLS handshake with the client finished: version and suite in -v. */
static void tls_connected(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->cl);

	if (c->wk->srv->verbose && ssl != NULL)
		log_line(c->wk->srv, "conn %u: TLS from %s: %s %s\n", c->id,
			 c->client_ip, SSL_get_version(ssl),
			 SSL_get_cipher_name(ssl));
}

/* The TLS layer failed (a handshake, usually): say why in -v. */
static void tls_failed(struct conn *c)
{
	unsigned long e = bufferevent_get_openssl_error(c->cl);
	char reason[256] = "connection closed during the handshake";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	if (e != 0 && ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST)
		tls_refuse_plain(c);
	else
		drain_readable(c);
	for (int i = 0; i < 16 && bufferevent_get_openssl_error(c->cl) != 0;
	     i++)
		continue; /* the rest of the queue, bounded */
	if (c->wk->srv->verbose)
		log_line(c->wk->srv, "conn %u: TLS from %s failed: %s\n", c->id,
			 c->client_ip, reason);
}

/* The client closed, reset, or did not read within send_ms. */
static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->state == CONN_TUNNELLING && (what & BEV_EVENT_EOF)) {
		tunnel_move(c, true);
		c->cl_eof = true;
		/* libevent's TLS bufferevent stops writing at the client's
		 * EOF; the origin's direction may still have bytes to go. */
		if (c->wk->srv->tls != NULL)
			bufferevent_enable(c->cl, EV_WRITE);
		tunnel_half(c);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		/* The TLS handshake finished; the head comes next. */
		tls_connected(c);
		return;
	}
	/* libevent's TLS bufferevent stops writing at the client's EOF; an
	 * answer still to go after a half-close must go out all the same. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->wk->srv->tls != NULL)
		bufferevent_enable(c->cl, EV_WRITE);
	/* The client finished while the last answer is still queued (over
	 * TLS often: writing stopped at its EOF): send it, then close. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->state == CONN_READING_HEAD &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) > 0) {
		c->cl_eof = true;
		start_lingering(c);
		return;
	}
	/* A client that half-closes after its request (RFC 9112 §9.6
	 * allows it) still gets the answer; then the connection closes. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->state == CONN_LINGERING &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) > 0) {
		c->cl_eof = true; /* on_client_write() closes once it is out */
		return;
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    (c->state == CONN_DECIDING || c->state == CONN_CONNECTING ||
	     c->state == CONN_SENDING || c->state == CONN_READING_RESPONSE ||
	     c->state == CONN_RELAYING_RESPONSE ||
	     c->state == CONN_ANSWERING)) {
		c->cl_eof = true;
		c->close_after = true;
		return;
	}
	if (c->wk->srv->tls != NULL && (what & BEV_EVENT_ERROR))
		tls_failed(c);
	/* Lingering ends here; elsewhere the client vanished mid-exchange
	 * and everything of it goes (the upstream too: it is mid-message). */
	conn_free(c);
}

static void on_up_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->state) {
	case CONN_SENDING:
	case CONN_RELAYING_BODY:
	case CONN_READING_RESPONSE:
		read_response_head(c);
		break;
	case CONN_RELAYING_RESPONSE:
		c->last_ms = mono_ms();
		relay_response_body(c);
		break;
	case CONN_TUNNELLING:
		tunnel_move(c, false);
		break;
	default:
		break;
	}
}

/* The upstream's output went out: the client may send more body. */
static void on_up_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->state == CONN_RELAYING_BODY) {
		bufferevent_enable(c->cl, EV_READ);
		relay_request_body(c);
	} else if (c->state == CONN_TUNNELLING) {
		if (!c->cl_eof)
			bufferevent_enable(c->cl, EV_READ);
		tunnel_half(c);
	}
}

static void on_up_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct exchange *x = c->x;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		connected(c);
		return;
	}
	switch (c->state) {
	case CONN_CONNECTING: {
		int err = EVUTIL_SOCKET_ERROR();

		/* Refused is the common case and the default message;
		 * say more when the network itself is the trouble. */
		if (x->next_addr >= x->naddrs &&
		    (err == ENETUNREACH || err == EHOSTUNREACH)) {
			send_error(c, 502,
				   "cannot connect to the origin "
				   "%s:%u: %s",
				   x->d.host, x->d.port, strerror(err));
			return;
		}
		connect_next(c);
		return;
	}
	case CONN_SENDING:
	case CONN_RELAYING_BODY:
	case CONN_READING_RESPONSE:
		if (what & BEV_EVENT_EOF)
			read_response_head(c); /* bytes that came with EOF */
		if (c->state == CONN_RELAYING_RESPONSE ||
		    c->state == CONN_CLOSED || c->state == CONN_ANSWERING ||
		    c->state == CONN_LINGERING)
			return;
		if (c->state == CONN_RELAYING_BODY &&
		    (what & BEV_EVENT_ERROR) == 0 && x->resp_bytes == 0 &&
		    !x->reused) {
			send_error(c, 502,
				   "the origin %s:%u closed while the "
				   "body was sent",
				   x->d.host, x->d.port);
			return;
		}
		if (x->resp_bytes > 0) {
			send_error(c, 502,
				   "the origin %s:%u closed the "
				   "connection mid-head",
				   x->d.host, x->d.port);
			return;
		}
		upstream_failed(c, false);
		return;
	case CONN_RELAYING_RESPONSE:
		if (what & BEV_EVENT_EOF) {
			relay_response_body(c);
			if (c->state != CONN_RELAYING_RESPONSE)
				return;
			if (body_eof(&x->mv)) {
				relay_response_body(c);
				return;
			}
		}
		conn_free(c); /* cut short: so is the client's copy */
		return;
	case CONN_TUNNELLING:
		if (what & BEV_EVENT_EOF) {
			tunnel_move(c, false);
			c->up_eof = true;
			tunnel_half(c);
			return;
		}
		conn_free(c);
		return;
	default:
		return;
	}
}

/* ---- Workers and the server ---- */

static void on_worker_start(struct loop_worker *lw)
{
	struct worker *wk = calloc(1, sizeof(*wk));

	if (wk == NULL)
		abort(); /* a few bytes at start-up */
	wk->srv = lw->loop->ctx;
	wk->lw = lw;
	wk->flush = event_new(lw->base, -1, 0, on_log_flush, wk);
	if (wk->flush == NULL)
		abort();
	lw->user = wk;
}

/* Stop: idle connections and tunnels go now, the others after their
 * exchange (close_after); idle upstream connections go too. */
static void on_stop(struct loop_worker *lw)
{
	struct worker *wk = lw->user;
	struct conn *c = wk->conns;

	while (wk->pool != NULL)
		pooled_free(wk->pool);
	while (c != NULL) {
		struct conn *next = c->next;

		c->close_after = true;
		if ((c->state == CONN_READING_HEAD && !c->head_started) ||
		    c->state == CONN_TUNNELLING || c->state == CONN_LINGERING ||
		    !c->counted)
			conn_free(c);
		c = next;
	}
}

static void on_worker_end(struct loop_worker *lw)
{
	struct worker *wk = lw->user;

	while (wk->conns != NULL) {
		wk->conns->counted = false;
		conn_release(wk->conns);
	}
	while (wk->pool != NULL)
		pooled_free(wk->pool);
	log_flush(wk);
	event_free(wk->flush);
	free(wk);
	lw->user = NULL;
}

void proxy_timeouts_default(struct proxy_timeouts *t)
{
	t->header_ms = PROXY_DEFAULT_HEADER_TIMEOUT_MS;
	t->idle_ms = PROXY_DEFAULT_IDLE_TIMEOUT_MS;
	t->body_ms = PROXY_DEFAULT_BODY_TIMEOUT_MS;
	t->body_min_rate = PROXY_DEFAULT_BODY_MIN_RATE;
	t->send_ms = PROXY_DEFAULT_SEND_TIMEOUT_MS;
	t->connect_ms = PROXY_DEFAULT_CONNECT_TIMEOUT_MS;
	t->upstream_ms = PROXY_DEFAULT_UPSTREAM_TIMEOUT_MS;
	t->tunnel_idle_ms = PROXY_DEFAULT_TUNNEL_IDLE_MS;
	t->pool_idle_ms = PROXY_DEFAULT_POOL_IDLE_MS;
	t->linger_ms = PROXY_DEFAULT_LINGER_MS;
}

/* The lock callbacks guard_commit() holds around the nonce counts. */
static void guard_lock_take(void *m)
{
	pthread_mutex_lock(m);
}

static void guard_lock_give(void *m)
{
	pthread_mutex_unlock(m);
}

enum http_err proxy_server_init(struct proxy_server *srv,
				struct proxy_config *cfg,
				unsigned nonce_lifetime)
{
	enum http_err e;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	proxy_timeouts_default(&srv->t);
	srv->max_connections = PROXY_DEFAULT_MAX_CONNECTIONS;
	srv->credentials_ttl = CREDCACHE_DEFAULT_TTL;
	srv->auth_int_max = AUTHINT_DEFAULT_MAX;
	srv->log = stdout;
	srv->state = calloc(1, sizeof(*srv->state));
	if (srv->state == NULL)
		return HTTP_E_NOMEM;
	pthread_mutex_init(&srv->guard_lock, NULL);
	pthread_mutex_init(&srv->lock, NULL);
	e = proxy_state_init(srv->state, nonce_lifetime);
	/* Only the nonce-count step takes guard_lock (http/guard.h). */
	guard_state_set_lock(&srv->state->guard, guard_lock_take,
			     guard_lock_give, &srv->guard_lock);
	return e;
}

void proxy_server_free(struct proxy_server *srv)
{
	if (srv->state != NULL) {
		/* The nonce secret goes with it. */
		explicit_bzero(srv->state, sizeof(*srv->state));
		free(srv->state);
	}
	srv->state = NULL;
	pthread_mutex_destroy(&srv->guard_lock);
	pthread_mutex_destroy(&srv->lock);
}

/* Only sets a flag: safe in a signal handler. */
void proxy_server_stop(void)
{
	stop_requested = 1;
}

int proxy_server_run(struct proxy_server *srv, int listen_fd, char *err,
		     size_t err_cap)
{
	struct loop *l = &srv->loop;
	int rc;

	memset(l, 0, sizeof(*l));
	l->workers = srv->workers;
	l->max_conns = srv->max_connections;
	l->accept = on_accept;
	l->busy = on_busy;
	l->worker_start = on_worker_start;
	l->worker_end = on_worker_end;
	l->stop = on_stop;
	l->ctx = srv;
	l->stop_flag = &stop_requested;
	srv->store.guard = &srv->cfg->guard;
	srv->store.side = USERS_SIDE_PROXY;
	srv->store.users_file = srv->users_file;
	srv->store.tokens_file = srv->tokens_file;
	srv->store.ttl = srv->credentials_ttl;
	if (store_open(&srv->store, srv->cfg->guard.users) != HTTP_OK) {
		snprintf(err, err_cap, "cannot set up the credential store");
		close(listen_fd);
		return -1;
	}
	if (!pool_start()) {
		snprintf(err, err_cap, "cannot start the work pool");
		store_close(&srv->store);
		close(listen_fd);
		return -1;
	}
	rc = loop_run(l, listen_fd, err, err_cap);
	pool_stop();
	store_close(&srv->store);
	close(listen_fd);
	return rc;
}

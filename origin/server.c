/*
 * origin/server.c - bin/origin's connections: read, decide, write.
 *
 * Everything the origin decides is in origin/gate.c; this file only
 * moves bytes.  Each connection is a small state machine on one of the
 * event loops (net/loop.c), its states in one enum and changed in one
 * function, and it reads top to bottom like the protocol: head, body,
 * answer, next head.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L

#include "server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/credcache.h"
#include "../http/expect.h"
#include "../http/persist.h"
#include "../net/body.h"

/* Input queued at most. */
#define ORIGIN_READ_MAX (HTTP_MAX_HEAD_BYTES + 65536)

/* ---- Set-up ---- */

enum http_err origin_server_init(struct origin_server *srv,
				 const struct origin_config *cfg,
				 unsigned nonce_lifetime)
{
	enum http_err e;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->st = calloc(1, sizeof(*srv->st));
	if (srv->st == NULL)
		return HTTP_E_NOMEM;
	e = origin_state_init(srv->st, nonce_lifetime);
	if (e != HTTP_OK) {
		free(srv->st);
		srv->st = NULL;
		return e;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->creds_lock, NULL);
	/* Only the nonce-count step takes lock (http/guard.h). */
	guard_state_set_lock(&srv->st->guard, loop_lock, loop_unlock,
			     &srv->lock);
	srv->credentials_ttl = CREDCACHE_DEFAULT_TTL;
	return HTTP_OK;
}

/*
 * The verified-credentials cache, made when the TTL is known: a
 * keep-alive client with a bcrypt or SHA-crypt user costs one slow hash,
 * not one a request, on loops that decide inline.  bin/origin reads its
 * users file once, at start, so what the cache holds can only go stale
 * by its TTL.
 */
static enum http_err creds_start(struct origin_server *srv)
{
	if (srv->credentials_ttl == 0)
		return HTTP_OK;
	srv->creds = malloc(sizeof(*srv->creds));
	if (srv->creds == NULL)
		return HTTP_E_NOMEM;
	if (credcache_init(srv->creds, srv->credentials_ttl) != HTTP_OK) {
		free(srv->creds);
		srv->creds = NULL;
		return HTTP_E_CONFIG;
	}
	srv->cfg.guard.creds = srv->creds;
	srv->cfg.guard.creds_lock.lock = loop_lock;
	srv->cfg.guard.creds_lock.unlock = loop_unlock;
	srv->cfg.guard.creds_lock.arg = &srv->creds_lock;
	return HTTP_OK;
}

/* After origin_server_run() returned, no connection is left: wipe the
 * state (its nonce secret) and free it. */
void origin_server_free(struct origin_server *srv)
{
	if (srv->st == NULL)
		return;
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->creds_lock);
	if (srv->creds != NULL)
		credcache_free(srv->creds); /* wipes the key */
	free(srv->creds);
	srv->creds = NULL;
	srv->cfg.guard.creds = NULL;
	explicit_bzero(srv->st, sizeof(*srv->st)); /* the nonce secret */
	free(srv->st);
	srv->st = NULL;
}

/* ---- The states of a connection ---- */

enum oconn_state {
	OCONN_READING_HEAD, /* waiting for, or reading, a request head */
	OCONN_READING_BODY, /* the body, into `body` */
	OCONN_ANSWERING,    /* the response is going out */
	OCONN_LINGERING,    /* answered and half-closed; draining */
	OCONN_CLOSED
};

struct oconn {
	struct origin_server *srv;
	struct loop_worker *lw;
	struct loop_conn lc; /* on the loop's list of connections */
	enum oconn_state state;
	struct bufferevent *bev;
	struct event *timer;  /* the phase's deadline */
	struct http_buf head; /* the request head being served */
	struct http_buf body; /* its decoded body */
	struct body_mover mv;
	bool head_started; /* a byte of the next head has come */
	bool close_after;  /* close once answered */
};

static void oconn_close(struct oconn *c);
static void read_head(struct oconn *c);

/* The one place the state changes. */
static void go_state(struct oconn *c, enum oconn_state to)
{
	c->state = to;
}

static void arm(struct oconn *c, unsigned ms)
{
	struct timeval tv = loop_tv(ms);

	evtimer_add(c->timer, &tv);
}

/* ---- Answering ---- */

/* Queue bytes for the client; the answer is out when on_write() runs. */
static void answer(struct oconn *c, const char *p, size_t n, bool close)
{
	bufferevent_disable(c->bev, EV_READ);
	evtimer_del(c->timer);
	c->close_after = c->close_after || close;
	bufferevent_write(c->bev, p, n);
	go_state(c, OCONN_ANSWERING);
}

/* An unreadable request: the status that names it, and close (RFC 9112
 * §6.3: framing we cannot trust ends the connection). */
static void refuse(struct oconn *c, enum http_err e)
{
	struct http_buf out;
	char body[256];
	int status = http_err_status(e);
	int n =
	    snprintf(body, sizeof(body), "%d: %s\n", status, http_strerror(e));

	http_buf_init(&out, 0);
	http_write_text_response(
	    &out, status, "Server: lab407-origin\r\nConnection: close\r\n",
	    body, (size_t)n < sizeof(body) ? (size_t)n : 0);
	answer(c, out.data, out.len, true);
	http_buf_free(&out);
	if (c->srv->log != NULL) {
		char line[300];

		snprintf(line, sizeof(line),
			 "origin: unreadable request (%s) -> %d",
			 http_strerror(e), status);
		c->srv->log(c->srv->log_ctx, line);
	}
}

/* The whole request is in: decide and answer. */
static void decide(struct oconn *c)
{
	struct origin_server *srv = c->srv;
	struct origin_decision d;
	struct http_request req;
	enum http_err e;

	if (http_parse_request(c->head.data, c->head.len, &req, &e) !=
	    (long)c->head.len) {
		refuse(c, HTTP_E_SYNTAX); /* cannot happen: parsed before */
		return;
	}
	origin_decision_init(&d);
	/* No lock here: the nonce-count step takes srv->lock itself.  The
	 * whole body was read: never NULL for auth-int. */
	origin_decide(&srv->cfg, srv->st, &req,
		      c->body.data ? c->body.data : "", c->body.len,
		      (uint64_t)time(NULL), &d);
	if (srv->log != NULL)
		srv->log(srv->log_ctx, d.why);
	answer(c, d.out.data, d.out.len, !persist_request(&req));
	origin_decision_free(&d);
	/* The head and body may have held credentials: reset wipes them. */
	http_buf_reset(&c->head);
	http_buf_reset(&c->body);
}

/* ---- Reading ---- */

/* The body bytes there are; decide once it is whole. */
static void read_body(struct oconn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	while (!c->mv.done && evbuffer_get_length(in) > 0) {
		struct evbuffer_iovec v;
		enum http_err e;
		long used;

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		used = body_feed(&c->mv, v.iov_base, v.iov_len, &c->body, &e);
		if (used < 0) {
			refuse(c, e);
			return;
		}
		evbuffer_drain(in, (size_t)used);
	}
	if (c->mv.done) {
		body_free(&c->mv);
		decide(c);
	}
}

/* The bytes of a head; its whole head has ORIGIN_HEAD_MS from its
 * first byte. */
static void read_head(struct oconn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in), n;
	struct http_request req;
	struct http_body_info info;
	enum http_err e = HTTP_OK;
	const char *p;
	long hl;

	if (len == 0)
		return;
	if (!c->head_started) {
		c->head_started = true;
		arm(c, ORIGIN_HEAD_MS);
	}
	p = loop_head_bytes(in, &n);
	hl = http_parse_request(p, n, &req, &e);
	if (hl == HTTP_PARSE_PARTIAL)
		return;
	if (hl < 0) {
		refuse(c, e);
		return;
	}
	e = http_request_framing(&req, &info);
	if (e != HTTP_OK) {
		refuse(c, e);
		return;
	}
	if (info.framing == HTTP_BODY_LENGTH && info.length > ORIGIN_MAX_BODY) {
		refuse(c, HTTP_E_BODY_TOO_LARGE);
		return;
	}
	/* RFC 9110 §10.1.1 (http/expect.c): say 100 before a body the
	 * client is holding back. */
	if (info.framing != HTTP_BODY_NONE && expect_continue(&req) &&
	    len == (size_t)hl)
		bufferevent_write(c->bev, EXPECT_100_CONTINUE,
				  EXPECT_100_CONTINUE_LEN);
	http_buf_reset(&c->head);
	http_buf_append(&c->head, p, (size_t)hl);
	evbuffer_drain(in, (size_t)hl);
	body_init(&c->mv, &info, BODY_DECODE, ORIGIN_MAX_BODY);
	go_state(c, OCONN_READING_BODY);
	arm(c, ORIGIN_BODY_MS);
	read_body(c);
}

/* ---- Closing ---- */

/* RFC 9112 §9.6: half-close once the answer is out, drain a moment. */
static void start_lingering(struct oconn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	go_state(c, OCONN_LINGERING);
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	evbuffer_drain(in, evbuffer_get_length(in));
	arm(c, ORIGIN_LINGER_MS);
	bufferevent_enable(c->bev, EV_READ);
}

static void oconn_close(struct oconn *c)
{
	go_state(c, OCONN_CLOSED);
	bufferevent_free(c->bev);
	event_free(c->timer);
	body_free(&c->mv);
	http_buf_free(&c->head);
	http_buf_free(&c->body);
	loop_conn_remove(c->lw, &c->lc);
	free(c);
}

/* ---- libevent callbacks ---- */

static void on_read(struct bufferevent *bev, void *arg)
{
	struct oconn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case OCONN_READING_HEAD:
		read_head(c);
		break;
	case OCONN_READING_BODY:
		read_body(c);
		break;
	case OCONN_LINGERING:
		evbuffer_drain(in, evbuffer_get_length(in));
		break;
	default:
		bufferevent_disable(bev, EV_READ);
		break;
	}
}

/* The answer is out: next head, or close. */
static void on_write(struct bufferevent *bev, void *arg)
{
	struct oconn *c = arg;

	(void)bev;
	if (c->state != OCONN_ANSWERING)
		return;
	if (c->close_after || loop_stopping(c->lw)) {
		start_lingering(c);
		return;
	}
	go_state(c, OCONN_READING_HEAD);
	c->head_started = false;
	arm(c, ORIGIN_IDLE_MS);
	bufferevent_enable(c->bev, EV_READ);
	read_head(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	oconn_close(arg);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct oconn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == OCONN_READING_HEAD && !c->head_started) {
		oconn_close(c); /* idle */
		return;
	}
	if (c->state == OCONN_READING_HEAD || c->state == OCONN_READING_BODY) {
		refuse(c, HTTP_E_PARTIAL);
		return;
	}
	oconn_close(c);
}

/* ---- Accepting ---- */

static struct oconn *oconn_new(struct loop_worker *lw, evutil_socket_t fd)
{
	struct origin_server *srv = lw->loop->ctx;
	struct oconn *c = calloc(1, sizeof(*c));
	struct timeval send_tv = loop_tv(ORIGIN_IDLE_MS);

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	c->srv = srv;
	c->lw = lw;
	c->bev = bufferevent_socket_new(lw->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(lw->base, on_timer, c);
	if (c->bev == NULL || c->timer == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->timer != NULL)
			event_free(c->timer);
		free(c);
		return NULL;
	}
	http_buf_init(&c->head, HTTP_MAX_HEAD_BYTES + 1);
	http_buf_init(&c->body, ORIGIN_MAX_BODY + 1);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_set_timeouts(c->bev, NULL, &send_tv);
	bufferevent_setwatermark(c->bev, EV_READ, 0, ORIGIN_READ_MAX);
	loop_conn_add(lw, &c->lc, c);
	return c;
}

static struct loop_conn *on_accept(struct loop_worker *lw, evutil_socket_t fd)
{
	struct oconn *c = oconn_new(lw, fd);

	if (c == NULL)
		return NULL;
	go_state(c, OCONN_READING_HEAD);
	arm(c, ORIGIN_IDLE_MS);
	bufferevent_enable(c->bev, EV_READ);
	return &c->lc;
}

/* Too many connections: a short 503 (RFC 9110 §15.6.4), then close. */
static void on_busy(struct loop_worker *lw, evutil_socket_t fd)
{
	static const char msg[] =
	    "HTTP/1.1 503 Service Unavailable\r\n"
	    "Server: lab407-origin\r\nConnection: close\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 31\r\n\r\n"
	    "503: too many connections open\n";
	struct oconn *c = oconn_new(lw, fd);

	if (c != NULL)
		answer(c, msg, sizeof(msg) - 1, true);
}

/* Stop: idle connections go now, the others once answered. */
static void on_stop_conn(struct loop_conn *lc)
{
	struct oconn *c = lc->conn;

	c->close_after = true;
	if ((c->state == OCONN_READING_HEAD && !c->head_started) ||
	    c->state == OCONN_LINGERING || !lc->counted)
		oconn_close(c);
}

/* The loop has ended with the connection still there. */
static void on_release(struct loop_conn *lc)
{
	oconn_close(lc->conn);
}

static const struct loop_ops origin_loop_ops = {
    .accept = on_accept,
    .busy = on_busy,
    .stop_conn = on_stop_conn,
    .release = on_release,
};

int origin_server_run(struct origin_server *srv, int listen_fd,
		      volatile sig_atomic_t *stop)
{
	struct loop *l = &srv->loop;
	char err[128];

	if (creds_start(srv) != HTTP_OK)
		return -1;
	loop_init(l, &origin_loop_ops, srv, stop);
	l->workers = srv->workers;
	l->max_conns = ORIGIN_MAX_CONNS;
	return loop_run(l, listen_fd, err, sizeof(err));
}

/*
 * proxy/server.c - bin/proxy's server: one event loop per worker thread
 * (net/loop.c), each carrying its client connections (proxy/conn.h: a
 * typed state machine per connection, in the files it lists), its pool of
 * idle upstream connections and its log flush; and the server's set-up,
 * run and stop.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L

#include "server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../http/users.h"
#include "../net/pool.h"
#include "authint.h"
#include "conn.h"

static volatile sig_atomic_t stop_requested;

/* ---- Workers and the server ---- */

static void on_worker_start(struct loop_worker *lw)
{
	struct worker *wk = calloc(1, sizeof(*wk));

	if (wk == NULL)
		abort(); /* a few bytes at start-up */
	wk->srv = lw->loop->ctx;
	wk->lw = lw;
	wk->flush = event_new(lw->base, -1, 0, log_on_flush, wk);
	if (wk->flush == NULL)
		abort();
	lw->user = wk;
}

/* A new connection: it waits for its first head (idle_ms). */
static struct loop_conn *on_accept(struct loop_worker *lw, evutil_socket_t fd)
{
	struct worker *wk = lw->user;
	struct conn *c = conn_new(wk, fd);

	if (c == NULL)
		return NULL;
	conn_arm(c, wk->srv->t.idle_ms);
	sockread_on(c->cl_rd);
	return &c->lc;
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
	conn_linger(c);
}

/* Stop: idle upstream connections go. */
static void on_stop(struct loop_worker *lw)
{
	pooled_clear(lw->user);
}

/* Stop: idle connections and tunnels go now, the others after their
 * exchange (close_after). */
static void on_stop_conn(struct loop_conn *lc)
{
	struct conn *c = lc->conn;

	c->close_after = true;
	if ((c->state == CONN_READING_HEAD && !c->head_started) ||
	    c->state == CONN_TUNNELLING || c->state == CONN_LINGERING ||
	    !lc->counted)
		conn_free(c);
}

/* The loop has ended with the connection still there. */
static void on_release(struct loop_conn *lc)
{
	conn_release(lc->conn);
}

/* After every connection was released. */
static void on_worker_end(struct loop_worker *lw)
{
	struct worker *wk = lw->user;

	pooled_clear(wk);
	exchange_spares_free(wk);
	log_flush(wk);
	event_free(wk->flush);
	free(wk);
	lw->user = NULL;
}

static const struct loop_ops proxy_loop_ops = {
    .accept = on_accept,
    .busy = on_busy,
    .worker_start = on_worker_start,
    .worker_end = on_worker_end,
    .stop = on_stop,
    .stop_conn = on_stop_conn,
    .release = on_release,
};

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
	guard_state_set_lock(&srv->state->guard, loop_lock, loop_unlock,
			     &srv->guard_lock);
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

	loop_init(l, &proxy_loop_ops, srv, &stop_requested);
	l->workers = srv->workers;
	l->max_conns = srv->max_connections;
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

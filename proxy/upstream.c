/*
 * proxy/upstream.c - the way to the origin (or, after CONNECT, the tunnel
 * peer): resolve its name off the loop, let the ACL decide on every
 * address that came back, connect to exactly those (or take an idle
 * pooled connection to one of them, proxy/pooled.c), and the libevent
 * callbacks where the upstream connection's bytes arrive, go out, or end.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../http/retry.h"
#include "../http/text.h"
#include "../net/net.h"
#include "../net/pool.h"

/* ---- Connecting upstream ---- */

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

static void on_up_read(struct bufferevent *bev, void *arg);
static void on_up_write(struct bufferevent *bev, void *arg);
static void on_up_event(struct bufferevent *bev, short what, void *arg);

/* An upstream bufferevent, fresh or pooled, with this connection's
 * callbacks and the send timeout. */
static void up_callbacks(struct conn *c)
{
	struct timeval send_tv = loop_tv(c->wk->srv->t.send_ms);

	bufferevent_setcb(c->up, on_up_read, on_up_write, on_up_event, c);
	bufferevent_set_timeouts(c->up, NULL, &send_tv);
}

static void connect_next(struct conn *c);
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
void upstream_forget(struct conn *c)
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
void upstream_connect(struct conn *c, bool may_reuse)
{
	struct exchange *x = c->x;
	struct worker *wk = c->wk;
	struct sockaddr_storage lit;
	struct resolve *r;

	conn_go_state(c, CONN_CONNECTING);
	x->hier = "HIER_DIRECT";
	x->reused = false;
	conn_arm(c, wk->srv->t.connect_ms);
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
		respond_error(c, 502,
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
	pool_submit(&wk->lw->inbox, &r->job);
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
			respond_error(
			    c, 502,
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
		log_why(srv, &x->d);
		conn_disarm(c);
		x->hier = "HIER_NONE";
		c->close_after = true;
		respond_send(c);
		return;
	}
	x->addrs = malloc(n * sizeof(*addrs));
	if (x->addrs == NULL) {
		respond_error(c, 502, "out of memory");
		return;
	}
	memcpy(x->addrs, addrs, n * sizeof(*addrs));
	x->naddrs = n;
	x->next_addr = 0;
	if (x->d.action == PROXY_FORWARD) {
		if (pooled_take(c, x->addrs, n)) {
			conn_disarm(c);
			x->reused = true;
			up_callbacks(c);
			relay_request(c);
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

	conn_drop_up(c);
	if (x->next_addr >= x->naddrs) {
		respond_error(c, 502, "the origin %s:%u refused the connection",
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
	c->up_rd = sockread_new(c->up, true, PROXY_HIGH_WATER);
	if (c->up_rd == NULL) {
		conn_drop_up(c);
		connect_next(c);
		return;
	}
	up_callbacks(c);
	net_ip_text(a, x->peer, sizeof(x->peer));
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
	conn_disarm(c);
	if (c->x->d.action == PROXY_TUNNEL)
		tunnel_start(c);
	else
		relay_request(c);
}

/* PROXY_FORWARD: to the origin, by way of the pool where possible. */
void upstream_forward(struct conn *c)
{
	struct exchange *x = c->x;

	x->result = "TCP_MISS";
	upstream_connect(c, true);
}

/*
 * The upstream connection failed before a whole response head came.  On
 * a reused connection that the origin had closed while idle, the request
 * goes again on a new one, but only where RFC 9110 §9.2.2 allows it:
 * idempotent, none of the body sent, nothing of a response received.
 */
void upstream_failed(struct conn *c, bool timed_out)
{
	struct exchange *x = c->x;

	conn_drop_up(c);
	if (!timed_out && x->reused && !x->retried &&
	    retry_allowed(x->method, strlen(x->method), x->req_sent,
			  x->resp_bytes)) {
		x->retried = true;
		upstream_connect(c, false);
		return;
	}
	if (timed_out)
		respond_error(c, 504,
			      "the origin %s:%u did not answer within %u ms",
			      x->d.host, x->d.port, c->wk->srv->t.upstream_ms);
	else
		respond_error(c, 502,
			      "the origin %s:%u closed the connection "
			      "without an answer",
			      x->d.host, x->d.port);
}

/* ---- libevent callbacks: where the origin's bytes arrive ---- */

static void on_up_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->state) {
	case CONN_SENDING:
	case CONN_RELAYING_BODY:
	case CONN_READING_RESPONSE:
		response_read_head(c);
		break;
	case CONN_RELAYING_RESPONSE:
		c->last_ms = loop_now_ms();
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
		c->x->origin_paused = false;
		sockread_on(c->cl_rd);
		relay_request_body(c);
	} else if (c->state == CONN_TUNNELLING) {
		if (!c->cl_eof)
			sockread_on(c->cl_rd);
		tunnel_flush(c);
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
			respond_error(c, 502,
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
			response_read_head(c); /* bytes that came with EOF */
		if (c->state == CONN_RELAYING_RESPONSE ||
		    c->state == CONN_CLOSED || c->state == CONN_ANSWERING ||
		    c->state == CONN_LINGERING)
			return;
		if (c->state == CONN_RELAYING_BODY &&
		    (what & BEV_EVENT_ERROR) == 0 && x->resp_bytes == 0 &&
		    !x->reused) {
			respond_error(c, 502,
				      "the origin %s:%u closed while the "
				      "body was sent",
				      x->d.host, x->d.port);
			return;
		}
		if (x->resp_bytes > 0) {
			respond_error(c, 502,
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
		/* The origin closed its tunnel (or reset it): RFC 9110
		 * §9.3.6.  Not reading within send_ms ends it at once. */
		if (!(what & BEV_EVENT_TIMEOUT)) {
			tunnel_end(c, false, (what & BEV_EVENT_ERROR) != 0);
			return;
		}
		conn_free(c);
		return;
	default:
		return;
	}
}

/*
 * proxy/conn.c - one client connection of bin/proxy: its states, the one
 * function that changes them, its birth, its lingering close, and the one
 * timer that keeps each phase's deadline.  proxy/conn.h lists the files
 * that carry a connection through an exchange, in the order a lesson
 * tells it.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent_struct.h> /* ev_write, for conn_send_now() */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static atomic_uint next_conn_id; /* for -v lines, across workers */

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

/* ---- Changing state ---- */

/*
 * Lesson 10: the one place a connection changes state.  Under -v each
 * change is a line: "conn 3: reading head -> deciding".
 */
void conn_go_state(struct conn *c, enum conn_state to)
{
	if (c->wk->srv->verbose && c->state != to)
		log_line(c->wk->srv, "conn %u: %s -> %s\n", c->id,
			 state_names[c->state], state_names[to]);
	c->state = to;
}

/*
 * The current phase ends ms from now.  Fast path: the timer itself is
 * set only when it would fire later than that (or not at all); else
 * only the deadline moves, and on_timer() sets it again for what is left
 * when it fires early.  A keep-alive request moves the deadline five
 * times (idle, head, upstream, ...); with header_ms the shortest, the
 * timer is then set about once every header_ms, not five times a
 * request, and clearing it costs nothing (callgrind: 1,450 fewer
 * instructions a request, most of them libevent's timer heap).
 */
void conn_arm(struct conn *c, unsigned ms)
{
	struct timeval tv = loop_tv(ms);

	c->due_ms = loop_now_ms() + ms;
	if (c->fire_ms != 0 && c->fire_ms <= c->due_ms)
		return;
	evtimer_add(c->timer, &tv);
	c->fire_ms = c->due_ms;
}

/* No deadline for now (a phase the loop does not time: deciding, a
 * response being sent).  The timer may still fire; on_timer() ignores it. */
void conn_disarm(struct conn *c)
{
	c->due_ms = 0;
}

/* bev writes to a plain TCP socket: all but the client side of a TLS
 * proxy (upstream connections are always plain). */
bool conn_plain(const struct conn *c, const struct bufferevent *bev)
{
	return bev != c->cl || c->wk->srv->tls == NULL;
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
bool conn_send_now(struct conn *c, struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	if (!conn_plain(c, bev))
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

/*
 * bufferevent_write() and conn_send_now() in one, for a message built
 * whole in memory: when nothing is queued ahead of it, data[0..len) goes
 * to the socket by one send() and never touches the output buffer.  That
 * skips what queuing costs even when conn_send_now() sends it straight
 * after: a buffer chain allocated, filled, written and freed, the
 * buffer's callbacks, and the write event armed and withdrawn again
 * (relay_request(), which sends the forwarded head this way, went
 * from 1,790 to 430 instructions a keep-alive request, callgrind).  What the
 * socket does not take is queued and goes out the usual way; so is all of it
 * after an error, which libevent's write then reports, as it would have.
 *
 * True when all of it went; as with conn_send_now(), the write callback
 * will not run then.  Plain TCP only; over TLS it queues.
 */
bool conn_send(struct conn *c, struct bufferevent *bev, const void *data,
	       size_t len)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	ssize_t n = 0;

	if (!conn_plain(c, bev)) {
		bufferevent_write(bev, data, len);
		return false;
	}
	if (evbuffer_get_length(out) > 0) {
		bufferevent_write(bev, data, len);
		return conn_send_now(c, bev);
	}
	if (len > 0)
		n = send(bufferevent_getfd(bev), data, len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		n = 0;
	if ((size_t)n == len)
		return true;
	bufferevent_write(bev, (const char *)data + n, len - (size_t)n);
	return false;
}

/* ---- A new connection ---- */

static void on_timer(evutil_socket_t fd, short what, void *arg);

/*
 * A new client connection on worker wk, on the loop's list (not counted:
 * the loop counts the ones it accepted); NULL when out of memory.
 * malloc() and memset() rather than calloc(): glibc's calloc() passes
 * its per-thread cache by and takes the slow way, 340 instructions
 * against 60 for this struct (callgrind; libevent's own callocs are sent
 * the same way, net/loop.c).
 */
struct conn *conn_new(struct worker *wk, evutil_socket_t fd)
{
	struct event_base *base = wk->lw->base;
	struct conn *c = malloc(sizeof(*c));

	if (c == NULL) {
		close(fd); /* nothing owns it yet: it would leak */
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->wk = wk;
	c->id = atomic_fetch_add(&next_conn_id, 1) + 1;
	proxy_conn_init(&c->auth);
	c->state = CONN_READING_HEAD;
	c->timer = evtimer_new(base, on_timer, c);
	if (c->timer == NULL) {
		close(fd); /* nothing owns it yet: it would leak */
		free(c);
		return NULL;
	}
	if (!downstream_new(c, fd)) { /* it closed fd */
		event_free(c->timer);
		free(c);
		return NULL;
	}
	downstream_peer_ip(wk->lw, fd, c->client_ip, sizeof(c->client_ip));
	loop_conn_add(wk->lw, &c->lc, c);
	return c;
}

/* ---- Lingering and closing ---- */

/*
 * Nothing can follow that a close at once would turn into a reset: the
 * client said its request was its last (Connection: close, or HTTP/1.0
 * without keep-alive; RFC 9112 §9.6: it then sends nothing more), the
 * request had no body, no byte past it has come, and the answer is all
 * out.  Then the lingering (a shutdown, a wait for the client's FIN, a
 * read) buys nothing, and a client that opens a connection a request
 * pays three system calls fewer (strace -c, wrk with Connection:
 * close).  Over TLS the close_notify of downstream_shut_write() is
 * wanted.
 */
static bool close_at_once(struct conn *c)
{
	const struct exchange *x = c->x;

	return x != NULL && x->client_closes && !x->has_body &&
	       c->wk->srv->tls == NULL &&
	       evbuffer_get_length(bufferevent_get_input(c->cl)) == 0 &&
	       evbuffer_get_length(bufferevent_get_output(c->cl)) == 0;
}

/*
 * RFC 9112 §9.6: a server that closes while the client may still be
 * sending (an early 407 to a large upload, say) closes in stages: first
 * its own direction, once its answer is out (shutdown SHUT_WR), then it
 * goes on reading and discarding until the client closes, for at most
 * linger_ms and PROXY_LINGER_MAX_BYTES.  Closing at once would make the
 * kernel answer the client's next bytes with a reset, and the reset can
 * destroy the 407 before the client has read it.
 */
void conn_linger(struct conn *c)
{
	bool at_once;

	/* What the client's write callback would do once the answer is
	 * out, this does below when conn_send_now() got it all out. */
	conn_send_now(c, c->cl);
	at_once = close_at_once(c);
	conn_drop_up(c);
	if (c->x != NULL) {
		log_access(c);
		exchange_free(c->wk, c->x);
		c->x = NULL;
	}
	if (at_once) {
		conn_free(c);
		return;
	}
	conn_go_state(c, CONN_LINGERING);
	c->lingered = 0;
	if (c->cl_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0) {
		conn_free(c); /* the client has finished: nothing to drain */
		return;
	}
	conn_arm(c, c->wk->srv->t.linger_ms);
	if (!c->cl_eof) /* after its EOF there is nothing to drain */
		sockread_on(c->cl_rd);
	if (evbuffer_get_length(bufferevent_get_output(c->cl)) == 0) {
		downstream_shut_write(c);
		c->half_closed = true;
	}
	/* Otherwise the client's write callback half-closes once it is
	 * out. */
	evbuffer_drain(bufferevent_get_input(c->cl),
		       evbuffer_get_length(bufferevent_get_input(c->cl)));
}

/*
 * Close a connection.  The memory goes a moment later, from the loop
 * (on_timer() in CONN_CLOSED), so code that called this from deep in a
 * callback may still look at c->state and see CONN_CLOSED.
 */
void conn_free(struct conn *c)
{
	struct timeval now = {0, 0};

	if (c->state == CONN_CLOSED)
		return;
	conn_go_state(c, CONN_CLOSED);
	upstream_forget(c);
	proxy_conn_free(&c->auth); /* a handshake dies with its connection */
	sockread_off(c->cl_rd);
	bufferevent_disable(c->cl, EV_WRITE);
	bufferevent_setcb(c->cl, NULL, NULL, NULL, NULL);
	conn_drop_up(c);
	evtimer_add(c->timer, &now);
	c->fire_ms = loop_now_ms();
}

/* The memory of a closed connection. */
void conn_release(struct conn *c)
{
	upstream_forget(c);
	if (c->x != NULL && c->x->status != 0)
		log_access(c);
	exchange_free(c->wk, c->x);
	conn_drop_up(c);
	sockread_free(c->cl_rd);
	bufferevent_free(c->cl);
	event_free(c->timer);
	loop_conn_remove(c->wk->lw, &c->lc);
	free(c);
}

/* Close the upstream connection, if there is one, and its reader. */
void conn_drop_up(struct conn *c)
{
	if (c->up == NULL)
		return;
	sockread_free(c->up_rd);
	bufferevent_free(c->up);
	c->up = NULL;
	c->up_rd = NULL;
}

/* ---- Timeouts ---- */

/* The head did not come whole within header_ms: 408; before its first
 * byte the connection was idle, and closes quietly. */
static void head_late(struct conn *c)
{
	if (!c->head_started) {
		conn_free(c); /* an idle keep-alive connection */
		return;
	}
	c->x = exchange_new(c->wk, &(struct http_request){0});
	if (c->x == NULL) {
		conn_free(c);
		return;
	}
	sockread_off(c->cl_rd);
	respond_error(c, 408, "the request head did not arrive within %u ms",
		      c->wk->srv->t.header_ms);
}

/*
 * The end of a window of a request body (held, relayed or discarded): it
 * must keep at least body_min_rate bytes a second over each window; a
 * window in which reading the client waited, for some of the time, for a
 * slow origin to take bytes (relay_request_body() paused it, the upstream
 * write callback resumes it) does not count against the client.  Bytes
 * merely queued for the origin at this moment do not say it is slow: the
 * client's latest bytes are queued in the same loop turn that this timer
 * may fire in.
 */
static void body_window(struct conn *c)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;
	uint64_t want = (uint64_t)srv->t.body_min_rate * srv->t.body_ms / 1000u;
	bool origin_behind = x->origin_held || x->origin_paused;

	if (x->window_bytes < want && !origin_behind) {
		if (c->state == CONN_DISCARDING) {
			conn_free(c); /* answered already */
			return;
		}
		/* The origin got part of a body: its connection goes
		 * (respond_error() closes it), never reused. */
		respond_error(c, 408,
			      "the request body came slower than %u bytes/s",
			      srv->t.body_min_rate);
		return;
	}
	x->window_bytes = 0;
	x->origin_held = x->origin_paused;
	conn_arm(c, srv->t.body_ms);
}

/* The origin did not accept the connection within connect_ms: 504. */
static void connect_late(struct conn *c)
{
	struct exchange *x = c->x;

	if (x->d.action == PROXY_TUNNEL || !x->reused)
		x->result =
		    x->d.action == PROXY_TUNNEL ? "TCP_TUNNEL" : "TCP_MISS";
	respond_error(c, 504,
		      "the origin %s:%u did not accept a connection within "
		      "%u ms",
		      x->d.host, x->d.port, c->wk->srv->t.connect_ms);
}

/* A phase timed by activity (the response body, a tunnel): bytes moved
 * within ms: the timer is armed again for what is left, else the
 * connection goes (a response cut short: the client must see it). */
static void activity_check(struct conn *c, unsigned ms)
{
	uint64_t idle = loop_now_ms() - c->last_ms;

	if (idle < ms) {
		conn_arm(c, ms - (unsigned)idle);
		return;
	}
	conn_free(c);
}

/*
 * The phase's timer fired.  Where a phase is timed by activity (the
 * response body, a tunnel) the timer is re-armed for what is left when
 * bytes moved meanwhile: one timer per connection, no per-read re-arming.
 */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct proxy_server *srv = c->wk->srv;

	(void)fd;
	(void)what;
	if (c->state != CONN_CLOSED) {
		uint64_t now = loop_now_ms();

		c->fire_ms = 0;
		if (c->due_ms == 0)
			return;	       /* disarmed meanwhile */
		if (now < c->due_ms) { /* moved later meanwhile */
			conn_arm(c, (unsigned)(c->due_ms - now));
			return;
		}
		c->due_ms = 0;
	}
	switch (c->state) {
	case CONN_READING_HEAD:
		head_late(c);
		return;
	case CONN_HOLDING_BODY:
	case CONN_RELAYING_BODY:
	case CONN_DISCARDING:
		body_window(c);
		return;
	case CONN_CONNECTING:
		connect_late(c);
		return;
	case CONN_READING_RESPONSE:
		upstream_failed(c, true);
		return;
	case CONN_RELAYING_RESPONSE:
		activity_check(c, srv->t.upstream_ms);
		return;
	case CONN_TUNNELLING:
		tunnel_timer(c);
		return;
	case CONN_LINGERING:
		conn_free(c);
		return;
	case CONN_CLOSED:
		if (c->djob == NULL) /* else proxy/decide.c releases it */
			conn_release(c);
		return;
	default:
		return;
	}
}

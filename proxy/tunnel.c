/*
 * proxy/tunnel.c - after CONNECT: the proxy only copies bytes, both ways,
 * until one side closes; then it delivers what that side sent and closes
 * both.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <sys/socket.h>

/* ---- Tunnelling ---- */

/*
 * CONNECT (RFC 9110 §9.3.6): connect, send 200, then copy bytes both
 * ways until one side closes (tunnel_end()).
 */
void tunnel_start(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);

	if (c->up == NULL) {
		x->result = "TCP_TUNNEL";
		upstream_connect(c, false);
		return;
	}
	x->status = 200;
	x->bytes += x->d.out.len;
	bufferevent_write(c->cl, x->d.out.data, x->d.out.len);
	conn_go_state(c, CONN_TUNNELLING);
	c->close_after = true;
	/* Bytes the client sent after the CONNECT head (a TLS hello). */
	if (evbuffer_get_length(in) > 0)
		evbuffer_add_buffer(bufferevent_get_output(c->up), in);
	c->last_ms = loop_now_ms();
	conn_arm(c, c->wk->srv->t.tunnel_idle_ms);
	sockread_on(c->cl_rd);
	sockread_on(c->up_rd);
}

/* Lesson 07: after 200 Connection established the proxy only copies
 * bytes: what one side sent goes to the other.  Once the other side has
 * closed, what still comes is read and dropped (bounded): RFC 9110
 * §9.3.6 discards data left undelivered. */
void tunnel_move(struct conn *c, bool from_client)
{
	struct bufferevent *src = from_client ? c->cl : c->up;
	struct bufferevent *dst = from_client ? c->up : c->cl;
	struct evbuffer *in = bufferevent_get_input(src);
	struct evbuffer *out = bufferevent_get_output(dst);
	size_t n = evbuffer_get_length(in);

	if (n == 0)
		return;
	if (from_client ? c->up_eof : c->cl_eof) {
		c->lingered += n;
		evbuffer_drain(in, n);
		if (c->lingered > PROXY_LINGER_MAX_BYTES)
			conn_free(c);
		return;
	}
	c->last_ms = loop_now_ms();
	if (!from_client)
		c->x->bytes += n;
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) > PROXY_HIGH_WATER)
		sockread_off(from_client ? c->cl_rd : c->up_rd);
}

/* Shut our write side toward the client (a TLS close_notify first, on a
 * TLS proxy) or toward the origin: the peer reads EOF after our bytes. */
static void shut_side(struct conn *c, bool client)
{
	if (client && !c->cl_shut) {
		downstream_shut_write(c);
		c->cl_shut = true;
	} else if (!client && !c->up_shut) {
		shutdown(bufferevent_getfd(c->up), SHUT_WR);
		c->up_shut = true;
	}
}

/*
 * After a side closed: once the bytes that came from it are out to the
 * side still open (tunnel_flush() runs again from each write callback),
 * shut that side too; it then has linger_ms to close, while what it
 * still sends is dropped (closing with unread bytes would send a reset,
 * which can destroy the last bytes before the peer has read them).  When
 * both have closed and nothing is left to send, the connection goes.
 */
void tunnel_flush(struct conn *c)
{
	struct evbuffer *to_cl = bufferevent_get_output(c->cl);
	struct evbuffer *to_up = bufferevent_get_output(c->up);

	if (c->up_eof && !c->cl_eof) { /* the client is still open */
		if (evbuffer_get_length(to_cl) == 0 && !c->cl_shut) {
			shut_side(c, true);
			conn_arm(c, c->wk->srv->t.linger_ms);
		}
		return;
	}
	if (c->cl_eof && !c->up_eof) { /* the origin is still open */
		if (evbuffer_get_length(to_up) == 0 && !c->up_shut) {
			shut_side(c, false);
			conn_arm(c, c->wk->srv->t.linger_ms);
		}
		return;
	}
	if (c->cl_eof && c->up_eof && evbuffer_get_length(to_cl) == 0 &&
	    evbuffer_get_length(to_up) == 0) {
		shut_side(c, true); /* a TLS client gets its close_notify */
		conn_free(c);
	}
}

/*
 * RFC 9110 §9.3.6: a tunnel is closed when either side closes (EOF, or an
 * error such as a reset).  The bytes already received from that side
 * still go to the other side (bounded by the send timeout), then both
 * connections are closed; bytes still queued toward the closed side are
 * dropped.  A TLS close_notify from the closing side is among the bytes
 * delivered.  A side that fails while it is the one still being sent to
 * (error) ends the connection at once: nothing more can be delivered.
 */
void tunnel_end(struct conn *c, bool client, bool error)
{
	struct bufferevent *gone = client ? c->cl : c->up;
	struct bufferevent *open = client ? c->up : c->cl;
	bool other_closed = client ? c->up_eof : c->cl_eof;

	if (error && other_closed) {
		conn_free(c);
		return;
	}
	tunnel_move(c, client);
	if (c->state != CONN_TUNNELLING)
		return;
	if (client)
		c->cl_eof = true;
	else
		c->up_eof = true;
	sockread_off(client ? c->cl_rd : c->up_rd);
	if (!other_closed) {
		/* Nothing more goes to the side that closed: it gets our
		 * FIN now, and the side still open is read only to drop
		 * what it sends. */
		struct evbuffer *queued = bufferevent_get_output(gone);
		struct evbuffer *unread = bufferevent_get_input(open);

		evbuffer_drain(queued, evbuffer_get_length(queued));
		if (!error)
			shut_side(c, client);
		evbuffer_drain(unread, evbuffer_get_length(unread));
		sockread_on(client ? c->up_rd : c->cl_rd);
	} else if (client && c->wk->srv->tls != NULL) {
		/* libevent's TLS bufferevent stops writing at the client's
		 * EOF; the origin's last bytes may still be on their way. */
		bufferevent_enable(c->cl, EV_WRITE);
	}
	tunnel_flush(c);
}

/*
 * The tunnel's timer: while both sides are open it is the idle timeout;
 * while the last bytes go out after a close the send timeout bounds them
 * (the timer waits on); once the side still open is shut it had its
 * linger_ms.
 */
void tunnel_timer(struct conn *c)
{
	struct proxy_server *srv = c->wk->srv;
	uint64_t idle = loop_now_ms() - c->last_ms;

	if (!c->cl_eof && !c->up_eof) {
		if (idle < srv->t.tunnel_idle_ms) {
			conn_arm(c, srv->t.tunnel_idle_ms - (unsigned)idle);
			return;
		}
		conn_free(c);
		return;
	}
	if ((c->cl_eof || c->cl_shut) && (c->up_eof || c->up_shut)) {
		conn_free(c);
		return;
	}
	conn_arm(c, srv->t.tunnel_idle_ms);
}

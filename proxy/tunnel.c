/*
 * proxy/tunnel.c - after CONNECT: the proxy only copies bytes, both ways,
 * until both sides have finished.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <sys/socket.h>

/* ---- Tunnelling ---- */

/*
 * CONNECT (RFC 9110 §9.3.6): connect, send 200, then copy bytes both
 * ways until both sides have finished.  A side that closes has its
 * direction shut on the other side once its bytes are out, so a TLS
 * close_notify still gets through.
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
	bufferevent_enable(c->cl, EV_READ);
	bufferevent_enable(c->up, EV_READ);
}

/* Lesson 07: after 200 Connection established the proxy only copies
 * bytes: what one side sent goes to the other. */
void tunnel_move(struct conn *c, bool from_client)
{
	struct bufferevent *src = from_client ? c->cl : c->up;
	struct bufferevent *dst = from_client ? c->up : c->cl;
	struct evbuffer *in = bufferevent_get_input(src);
	struct evbuffer *out = bufferevent_get_output(dst);
	size_t n = evbuffer_get_length(in);

	if (n == 0)
		return;
	c->last_ms = loop_now_ms();
	if (!from_client)
		c->x->bytes += n;
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) > PROXY_HIGH_WATER)
		bufferevent_disable(src, EV_READ);
}

/* A side has finished (cl_eof, up_eof): shut its direction on the other
 * side once its bytes are out; when both have, and all is out, close. */
void tunnel_half(struct conn *c)
{
	if (c->cl_eof && c->up != NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->up)) == 0)
		shutdown(bufferevent_getfd(c->up), SHUT_WR);
	if (c->up_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0)
		downstream_shut_write(c);
	if (c->cl_eof && c->up_eof &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) == 0 &&
	    (c->up == NULL ||
	     evbuffer_get_length(bufferevent_get_output(c->up)) == 0))
		conn_free(c);
}

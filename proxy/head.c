/*
 * proxy/head.c - reading a request head from the client, the first phase
 * of every exchange: parse it (http/message.c), frame its body, and hand
 * it on to be decided (proxy/decide.c) or, for Digest qop=auth-int, to
 * have its body held first (proxy/hold.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>

#include "authint.h"

/* ---- Reading the head ---- */

/*
 * The client's bytes while a head is expected.  The whole head has
 * header_ms from its first byte (not per read: a head trickled a byte at
 * a time is cut as surely as a silent one: 408).  Before that first byte
 * the connection is idle and closes quietly after idle_ms.
 */
void head_read(struct conn *c)
{
	struct proxy_server *srv = c->wk->srv;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	size_t n;
	struct http_request req;
	enum http_err e = HTTP_OK;
	const char *p;
	long hl;

	if (evbuffer_get_length(in) == 0)
		return;
	if (evbuffer_get_length(bufferevent_get_output(c->cl)) >
	    PROXY_HIGH_WATER) {
		/* A client that pipelines but does not read: wait for it. */
		sockread_off(c->cl_rd);
		return;
	}
	if (!c->head_started) {
		c->head_started = true;
		conn_arm(c, srv->t.header_ms);
	}
	p = loop_head_bytes(in, &n);
	hl = http_parse_request(p, n, &req, &e);
	if (hl == HTTP_PARSE_PARTIAL)
		return;
	/* Reading stays on while the request is served (fast path: turning
	 * it off and on again costs two epoll_ctl() calls a request); what
	 * a pipelining client sends meanwhile waits in the input buffer,
	 * bounded by its high-water mark. */
	conn_disarm(c);
	if (hl < 0) {
		/* Malformed, too large: the status that names it, and close
		 * (the framing of what follows cannot be trusted). */
		static const struct http_request none;

		c->x = exchange_new(c->wk, &none);
		if (c->x == NULL) {
			conn_free(c);
			return;
		}
		respond_error(c, http_err_status(e), "%s", http_strerror(e));
		return;
	}
	c->x = exchange_new(c->wk, &req);
	if (c->x == NULL) {
		conn_free(c);
		return;
	}
	conn_go_state(c, CONN_DECIDING);
	e = http_request_framing(&req, &c->x->req_body);
	if (e != HTTP_OK) {
		/* RFC 9112 §6.3: a body we cannot frame is 400 and the
		 * connection closes (request smuggling). */
		evbuffer_drain(in, (size_t)hl);
		respond_error(c, 400, "%s", http_strerror(e));
		return;
	}
	c->x->has_body = c->x->req_body.framing == HTTP_BODY_CHUNKED ||
			 (c->x->req_body.framing == HTTP_BODY_LENGTH &&
			  c->x->req_body.length > 0);
	/* Digest qop=auth-int covers the body: read it whole first. */
	if (authint_wanted(&srv->cfg->guard, &req, &c->x->req_body)) {
		hold_start(c, p, (size_t)hl, &req);
		return;
	}
	decide_request(c, &req, NULL, 0, (size_t)hl);
}

/*
 * proxy/hold.c - holding a request body whole before it is decided: the
 * credentials of Digest qop=auth-int cover it (proxy/authint.h).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "../http/expect.h"
#include "authint.h"

/* ---- Holding the body (Digest qop=auth-int) ---- */

/*
 * The credentials cover H(entity-body) (RFC 7616 §3.4.3): the body is
 * read whole, at most srv->auth_int_max bytes of it (--auth-int-max;
 * more is 413), before anything is decided or sent upstream
 * (proxy/authint.h); with no body the head is kept all the same, for the
 * rspauth over the response (proxy/response.c).  The head is copied and leaves
 * the input buffer, wiped.  Meanwhile the body-rate rule of a relayed body
 * applies (proxy/conn.c, *Timeouts*).  RFC 9110 §10.1.1 has a proxy either
 * answer from the head or start forwarding it; neither is possible before the
 * body is seen, so for a client holding its body back this proxy sends the 100
 * (Continue) itself, as any server may.
 */
void hold_start(struct conn *c, const char *head, size_t head_len,
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
		respond_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 500,
			      "qop=auth-int: %s (this proxy holds at most %llu "
			      "body bytes to check it)",
			      http_strerror(e),
			      (unsigned long long)srv->auth_int_max);
		return;
	}
	conn_go_state(c, CONN_HOLDING_BODY);
	x->window_bytes = 0;
	conn_arm(c, srv->t.body_ms);
	hold_more(c);
}

/* More of the held body; once it is whole, decide on it. */
void hold_more(struct conn *c)
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
			respond_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 400,
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
	conn_disarm(c);
	x->has_body = false; /* held: nothing of it is left to read */
	if (http_parse_request(x->ai->head.data, x->ai->head.len, &req, &e) !=
	    (long)x->ai->head.len) {
		respond_error(c, 500, "the held request head no longer parses");
		return;
	}
	conn_go_state(c, CONN_DECIDING);
	body = x->ai->body.data != NULL ? x->ai->body.data : "";
	decide_request(c, &req, body, x->ai->body.len, 0);
}

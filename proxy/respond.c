/*
 * proxy/respond.c - the proxy answering a request itself: the answer
 * proxy_decide() built (407, 403, 400, TRACE's 200, ...), and an answer
 * for a failure along the way (400, 408, 413, 502, 504).
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../http/persist.h"
#include "../http/status.h"
#include "../http/text.h"

#define PROXY_MAX_BODY_TEXT 512 /* our own error bodies */

/* ---- Answering ourselves ---- */

/*
 * Send d.out, the proxy's own answer (407, 403, 400, ...).  Its head was
 * built with its final Connection field: proxy_decide() knows whether an
 * unread body lets the connection go on (http/persist.c).  A small body
 * is read and dropped afterwards; otherwise the connection lingers.
 */
void respond_send(struct conn *c)
{
	struct exchange *x = c->x;
	int st = x->d.status;

	x->result = st == 407 || st == 403 ? "TCP_DENIED" : "NONE";
	x->status = st;
	text_set(x->type, sizeof(x->type),
		 st == 200 && strcmp(x->method, "TRACE") == 0 ? "message/http"
							      : "text/plain");
	conn_go_state(c, CONN_ANSWERING);
	x->bytes += x->d.out.len;
	/* Fast path (conn_send(); the 407 path gains most): an answer
	 * that went out at once goes on at once.  Not with pipelined bytes
	 * waiting: respond_sent() would read the next head from inside this
	 * call, and the next one deeper still. */
	if (evbuffer_get_length(bufferevent_get_input(c->cl)) > 0)
		bufferevent_write(c->cl, x->d.out.data, x->d.out.len);
	else if (conn_send(c, c->cl, x->d.out.data, x->d.out.len)) {
		respond_sent(c);
		return;
	}
	/* Otherwise the client's write callback goes on once the answer
	 * is out (proxy/downstream.c). */
}

/* The answer is out: drop a small body, linger, or read the next head. */
void respond_sent(struct conn *c)
{
	struct exchange *x = c->x;

	if (c->close_after) {
		conn_linger(c);
		return;
	}
	if (x->has_body) {
		body_init(&x->mv, &x->req_body, BODY_DISCARD,
			  PERSIST_MAX_DISCARD);
		conn_go_state(c, CONN_DISCARDING);
		conn_arm(c, c->wk->srv->t.body_ms);
		sockread_on(c->cl_rd);
		relay_request_body(c);
		return;
	}
	exchange_end(c);
}

/*
 * An answer of the proxy's own for a failure (400, 408, 502, 504): a
 * one-paragraph body, Connection: close, then lingering.
 */
void respond_error(struct conn *c, int status, const char *fmt, ...)
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
	conn_drop_up(c);
	upstream_forget(c);
	conn_disarm(c);
	sockread_off(c->cl_rd);
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
	conn_go_state(c, CONN_ANSWERING);
}

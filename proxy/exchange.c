/*
 * proxy/exchange.c - one request in flight on a connection: what it
 * needs from its head's arrival until it is answered (struct exchange,
 * proxy/conn.h), and its end, back to reading the next head.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <stdlib.h>
#include <string.h>

#include "../http/persist.h"
#include "../http/text.h"
#include "authint.h"

/* ---- One request in flight ---- */

/* Facts about the request kept once its head has left the buffer. */
struct exchange *exchange_new(const struct http_request *req)
{
	struct exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->start_ms = loop_now_ms();
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

/* Free what one request held. */
void exchange_free(struct exchange *x)
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

/* ---- Back to reading ---- */

/* The exchange is over: log it, forget it, wait for the next head. */
void exchange_end(struct conn *c)
{
	/* The response goes out before the bookkeeping.  When it all went,
	 * the client's write callback would only call head_read(), as
	 * below. */
	conn_send_now(c, c->cl);
	log_access(c);
	exchange_free(c->x);
	c->x = NULL;
	if (c->close_after || loop_stopping(c->wk->lw)) {
		conn_linger(c);
		return;
	}
	conn_go_state(c, CONN_READING_HEAD);
	c->head_started = false;
	conn_arm(c, c->wk->srv->t.idle_ms);
	sockread_on(c->cl_rd);
	/* A pipelined request may be waiting already. */
	head_read(c);
}

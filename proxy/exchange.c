/*
 * proxy/exchange.c - one request in flight on a connection: what it
 * needs from its head's arrival until it is answered (struct exchange,
 * proxy/conn.h), and its end, back to reading the next head.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../http/persist.h"
#include "../http/text.h"
#include "authint.h"

/* ---- One request in flight ---- */

/* Freed exchanges a worker keeps for its next requests, and the largest
 * forwarded head a kept one keeps the storage of. */
#define PROXY_SPARE_EXCHANGES 256
#define PROXY_SPARE_OUT_CAP 4096

/*
 * Facts about the request kept once its head has left the buffer.
 *
 * Fast path, two parts.  The exchange comes from the worker's spares
 * when there is one, with the storage of its last forwarded head (wiped,
 * http_buf_reset()): a 5.8 KB malloc() and free() are past glibc's
 * per-thread cache, and with the head's buffer they were 900
 * instructions a keep-alive request (callgrind).  And only the fields
 * before the decision are cleared; the strings after it (5 KB of the
 * 5.8, the URL's 2 KB among them) are only emptied or written, and each
 * is written before it is read.  A calloc() cleared all of it, and
 * proxy_decision_init() the decision again: 9 KB of memset a request, on
 * memory that 1,000 busy connections, each with a request in flight,
 * keep out of the cache.
 */
struct exchange *exchange_new(struct worker *wk, const struct http_request *req)
{
	struct exchange *x = wk->spare;
	struct http_buf out;

	if (x != NULL) {
		wk->spare = x->next_spare;
		wk->spares--;
		out = x->d.out;
	} else {
		x = malloc(sizeof(*x));
		if (x == NULL)
			return NULL;
		http_buf_init(&out, 0);
	}
	memset(x, 0, offsetof(struct exchange, d));
	proxy_decision_init(&x->d);
	x->d.out = out;
	x->start_ms = loop_now_ms();
	x->result = "NONE";
	x->hier = "HIER_NONE";
	text_copy(x->method, sizeof(x->method), req->method, req->method_len);
	text_copy(x->url, sizeof(x->url), req->target, req->target_len);
	text_set(x->peer, sizeof(x->peer), "-");
	x->type[0] = '\0';
	x->http10 = req->minor_version == 0;
	x->client_closes = !persist_request(req);
	body_init(&x->mv, &x->req_body, BODY_DISCARD, 0);
	return x;
}

/* Free what one request held; the exchange itself goes to wk's spares
 * while there is room. */
void exchange_free(struct worker *wk, struct exchange *x)
{
	if (x == NULL)
		return;
	body_free(&x->mv);
	if (x->ai != NULL)
		authint_free(x->ai);
	free(x->ai);
	free(x->addrs);
	if (wk->spares >= PROXY_SPARE_EXCHANGES) {
		proxy_decision_free(&x->d);
		free(x);
		return;
	}
	if (x->d.out.cap > PROXY_SPARE_OUT_CAP)
		proxy_decision_free(&x->d);
	else
		http_buf_reset(&x->d.out);
	x->next_spare = wk->spare;
	wk->spare = x;
	wk->spares++;
}

/* The worker's spares go (its end). */
void exchange_spares_free(struct worker *wk)
{
	while (wk->spare != NULL) {
		struct exchange *x = wk->spare;

		wk->spare = x->next_spare;
		proxy_decision_free(&x->d);
		free(x);
	}
	wk->spares = 0;
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
	exchange_free(c->wk, c->x);
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

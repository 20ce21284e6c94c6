/*
 * proxy/pooled.c - idle upstream connections, kept per worker for the
 * next request to the same checked address.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../http/text.h"

/* Idle upstream connections per worker.  As many as the requests a
 * worker may have in flight at once, not a few dozen: a loop turn that
 * forwards hundreds of requests gets their responses back together, and
 * every connection past the cap was closed, to be opened again for the
 * next request.  With 64, 1,000 busy keep-alive clients cost a new upstream
 * connection for 95% of requests (strace -c: connect() 0.95 a request),
 * with 1,024, 6% (the first requests), and under strace twice as many
 * requests went through in the same time. */
#define PROXY_POOL_MAX 1024

/* ---- The upstream pool ---- */

/* An idle upstream connection kept for the next request there. */
struct pooled {
	struct worker *wk;
	struct bufferevent *bev;
	struct sockread *rd;	      /* reading it: EOF, a stray byte, idle */
	struct sockaddr_storage peer; /* the checked address it went to */
	char ip[INET6_ADDRSTRLEN];
	struct pooled *prev, *next; /* most recently used first */
};

/* Two socket addresses are the same address and port. */
static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

/* Take p off its worker's pool. */
static void pooled_unlink(struct pooled *p)
{
	struct worker *wk = p->wk;

	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		wk->pool = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	wk->pooled--;
}

/*
 * Take an idle connection to one of the checked addrs from the pool into
 * c: c->up and its reader, the address in c->x.  False when there is
 * none.  Its reader stays on; only the idle timeout ends.
 */
bool pooled_take(struct conn *c, const struct sockaddr_storage *addrs, size_t n)
{
	for (struct pooled *p = c->wk->pool; p != NULL; p = p->next) {
		size_t i;

		for (i = 0; i < n && !same_addr(&p->peer, &addrs[i]); i++)
			;
		if (i == n)
			continue;
		pooled_unlink(p);
		c->up = p->bev;
		c->up_rd = p->rd;
		c->x->up_addr = p->peer;
		text_set(c->x->peer, sizeof(c->x->peer), p->ip);
		sockread_on(c->up_rd);
		free(p);
		return true;
	}
	return false;
}

/* Take p off its worker's pool and close it. */
static void pooled_free(struct pooled *p)
{
	pooled_unlink(p);
	sockread_free(p->rd);
	bufferevent_free(p->bev);
	free(p);
}

/* An idle pooled connection spoke, closed or timed out: it goes. */
static void on_pooled_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	pooled_free(arg);
}

static void on_pooled_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	pooled_free(arg);
}

/*
 * Keep c's upstream connection for the next request to the same address
 * from any client of this worker: a client that opens a new connection
 * per request still gets a warm upstream one.  It is keyed by the
 * address it went to, the one the ACL checked (proxy_decide_address()),
 * so a later request reuses it only after its own destination resolved
 * to and was allowed for that same address.  Bounded (PROXY_POOL_MAX,
 * the oldest goes first) and idle for pool_idle_ms at most.  c no longer
 * has it afterwards.
 */
void pooled_put(struct conn *c)
{
	struct worker *wk = c->wk;
	struct pooled *p;

	if (loop_stopping(wk->lw)) {
		conn_drop_up(c);
		return;
	}
	if (wk->pooled >= PROXY_POOL_MAX) {
		struct pooled *old = wk->pool;

		while (old->next != NULL)
			old = old->next;
		pooled_free(old);
	}
	/* malloc(), every field set below: glibc's calloc() passes its
	 * per-thread cache by, 430 instructions a request against 60
	 * (callgrind). */
	p = malloc(sizeof(*p));
	if (p == NULL) {
		conn_drop_up(c);
		return;
	}
	p->wk = wk;
	p->bev = c->up;
	p->rd = c->up_rd;
	p->peer = c->x->up_addr;
	text_set(p->ip, sizeof(p->ip), c->x->peer);
	c->up = NULL;
	c->up_rd = NULL;
	p->prev = NULL;
	p->next = wk->pool;
	if (wk->pool != NULL)
		wk->pool->prev = p;
	wk->pool = p;
	wk->pooled++;
	bufferevent_setcb(p->bev, on_pooled_read, NULL, on_pooled_event, p);
	if (!sockread_on_timed(p->rd, wk->srv->t.pool_idle_ms))
		pooled_free(p); /* not a plain socket: no idle timeout */
}

/* Every idle connection of the worker goes (stopping, or its end). */
void pooled_clear(struct worker *wk)
{
	while (wk->pool != NULL)
		pooled_free(wk->pool);
}

/*
 * proxy/decide.c - asking the pure decision, proxy_decide() in
 * proxy/gate.c, what to do with a request, and doing it: answer it
 * ourselves, forward it, or open a tunnel.  The decision runs on the
 * loop, or on the work pool when it may hash a slow password; the users
 * file is read again, off the loop, when it changes.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../http/users.h"
#include "../net/pool.h"

/* ---- Deciding ---- */

/* A decision that may hash a slow password, run on the work pool. */
struct decide_job {
	struct pool_job job;
	struct conn *c;		 /* kept alive until the job is back */
	struct store_gen *gen;	 /* the users it checks against, held */
	struct proxy_config cfg; /* the server's, pointed at gen */
	struct http_request req; /* points into c's input buffer, which
				    stays as it is: reading is off */
	const void *body;
	size_t body_len;
	size_t head_len; /* to drain once decided */
};

static void decide(struct conn *c, const struct http_request *req,
		   const void *body, size_t body_len);
static bool decide_slowly(struct conn *c, const struct http_request *req,
			  const void *body, size_t body_len, size_t head_len);
static void decided(struct conn *c, size_t head_len);
static void notice_users_file(struct worker *wk);
static void act(struct conn *c);

/*
 * A request whose head (and, for auth-int, body) is in: decide on it,
 * here or on the pool; then the head (head_len bytes still at the front
 * of the input, 0 when it was held) leaves the buffer and the decision
 * is acted on (decided()).
 */
void decide_request(struct conn *c, const struct http_request *req,
		    const void *body, size_t body_len, size_t head_len)
{
	notice_users_file(c->wk);
	if (decide_slowly(c, req, body, body_len, head_len))
		return; /* decided() runs when the pool is done */
	decide(c, req, body, body_len);
	decided(c, head_len);
}

/*
 * Ask the pure decision (proxy/gate.c).  The guard's nonce counts are
 * shared by every worker (the guard locks around them itself); c->auth,
 * what this connection proved (NTLM, Negotiate), is this connection's
 * alone, so it needs no lock.
 */
static void decide(struct conn *c, const struct http_request *req,
		   const void *body, size_t body_len)
{
	struct proxy_server *srv = c->wk->srv;
	struct exchange *x = c->x;

	struct store_gen *g = store_acquire(&srv->store);
	struct proxy_config cfg = *srv->cfg;

	/* No lock here: password hashing runs in parallel; the nonce-count
	 * step inside takes guard_lock itself (http/guard.h). */
	store_use(g, &cfg.guard);
	proxy_decide_conn(&cfg, srv->state, &c->auth, req, body, body_len,
			  (uint64_t)time(NULL), &x->d);
	store_release(g);
	log_why(srv, &x->d);
	c->close_after = x->d.close || loop_stopping(c->wk->lw);
}

/* On a pool thread: the same pure decision. */
static void decide_run(struct pool_job *job)
{
	struct decide_job *j = job->arg;
	struct proxy_server *srv = j->c->wk->srv;

	/* The connection's own auth state: the loop leaves it alone while
	 * the decision is away. */
	proxy_decide_conn(&j->cfg, srv->state, &j->c->auth, &j->req, j->body,
			  j->body_len, (uint64_t)time(NULL), &j->c->x->d);
}

/* Back on the loop: log, then act as after an inline decision. */
static void decide_done(struct pool_job *job)
{
	struct decide_job *j = job->arg;
	struct conn *c = j->c;
	struct proxy_server *srv = c->wk->srv;
	size_t head_len = j->head_len;

	c->wk->lw->jobs--;
	c->djob = NULL;
	store_release(j->gen);
	explicit_bzero(j, sizeof(*j));
	free(j);
	if (c->state == CONN_CLOSED) {
		conn_release(c); /* it went while the pool worked */
		return;
	}
	log_why(srv, &c->x->d);
	c->close_after = c->x->d.close || loop_stopping(c->wk->lw);
	sockread_on(c->cl_rd);
	decided(c, head_len);
}

/*
 * Slow work never blocks the loop: when the credentials may need a
 * deliberately slow hash (an htpasswd file: bcrypt, SHA-crypt), the
 * whole decision runs on the work pool and this loop goes on serving
 * its other connections meanwhile.  A plain or htdigest store costs
 * microseconds: deciding inline saves the two thread hand-overs, and so
 * do Basic credentials verified in the last --credentials-ttl seconds
 * (guard_remembered): the common keep-alive case hashes nothing slow.
 * True when the decision was handed over.
 */
static bool decide_slowly(struct conn *c, const struct http_request *req,
			  const void *body, size_t body_len, size_t head_len)
{
	struct proxy_server *srv = c->wk->srv;
	struct decide_job *j;
	struct store_gen *g;
	struct proxy_config cfg;

	if (http_header_find(req->headers, req->num_headers,
			     "Proxy-Authorization") == NULL)
		return false;
	g = store_acquire(&srv->store);
	cfg = *srv->cfg;
	store_use(g, &cfg.guard);
	if (g->users == NULL || g->users->kind != USERS_HTPASSWD ||
	    guard_remembered(&cfg.guard, req, (uint64_t)time(NULL))) {
		store_release(g);
		return false;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		store_release(g);
		return false; /* decide inline, slowly, rather than fail */
	}
	j->gen = g;
	j->cfg = cfg;
	j->c = c;
	j->req = *req;
	j->body = body;
	j->body_len = body_len;
	j->head_len = head_len;
	j->job.run = decide_run;
	j->job.done = decide_done;
	j->job.arg = j;
	pool_submit(&c->wk->lw->inbox, &j->job);
	/* The parsed head points into the input buffer: no reading (which
	 * may realign the buffer) until the decision is back. */
	sockread_off(c->cl_rd);
	c->wk->lw->jobs++;
	c->djob = j;
	return true;
}

/* Reading the users file again, on the work pool. */
struct reload_job {
	struct pool_job job;
	struct worker *wk;
	bool ok;
	char why[512]; /* why the new file was refused */
};

static void reload_run(struct pool_job *job)
{
	struct reload_job *r = job->arg;

	r->ok = store_reload(&r->wk->srv->store, r->why, sizeof(r->why));
}

static void reload_done(struct pool_job *job)
{
	struct reload_job *r = job->arg;
	struct proxy_server *srv = r->wk->srv;

	r->wk->lw->jobs--;
	if (r->ok)
		log_line(srv, "users: %s changed, read again\n",
			 srv->store.users_file);
	else
		log_line(srv,
			 "users: %s changed and is refused, the old "
			 "users stay: %s\n",
			 srv->store.users_file, r->why);
	free(r);
}

/*
 * Before a decision: has the users file changed (looked at once a
 * second at most)?  Then read it on the pool; decisions go on with the
 * old users until the new ones are in (net/store.h).
 */
static void notice_users_file(struct worker *wk)
{
	struct reload_job *r;

	if (!store_check(&wk->srv->store, (uint64_t)time(NULL)))
		return;
	r = calloc(1, sizeof(*r));
	if (r != NULL) {
		r->wk = wk;
		r->job.run = reload_run;
		r->job.done = reload_done;
		r->job.arg = r;
		pool_submit(&wk->lw->inbox, &r->job);
		wk->lw->jobs++;
		return;
	}
	/* Out of memory: run it here, once, rather than never. */
	{
		char why[512];

		if (!store_reload(&wk->srv->store, why, sizeof(why)))
			log_line(wk->srv, "users: %s: %s\n",
				 wk->srv->store.users_file, why);
	}
}

/*
 * The decision is in: the head leaves the buffer, wiped first (it may
 * carry Proxy-Authorization), before the body moves; then act on it.
 */
static void decided(struct conn *c, size_t head_len)
{
	struct evbuffer *in = bufferevent_get_input(c->cl);
	unsigned char *p = evbuffer_pullup(in, (ev_ssize_t)head_len);

	if (p != NULL)
		explicit_bzero(p, head_len);
	evbuffer_drain(in, head_len);
	act(c);
}

/* Do what the decision says. */
static void act(struct conn *c)
{
	switch (c->x->d.action) {
	case PROXY_RESPOND:
		respond_send(c);
		break;
	case PROXY_FORWARD:
		upstream_forward(c);
		break;
	case PROXY_TUNNEL:
		tunnel_start(c);
		break;
	}
}

/*
 * net/loop.c - one event loop per worker thread; see loop.h.
 *
 * Why an event loop: a connection that waits (for the client's next
 * request, for the origin's answer) costs a thread only in the
 * thread-per-connection model.  Here it costs its few hundred bytes of
 * state and two registered descriptors, and one thread serves every
 * connection whose bytes are ready.  The kernel's epoll tells the loop
 * which ones those are, in time proportional to the ready ones, not to
 * all of them.
 */
#define _POSIX_C_SOURCE 200809L

#include "loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/message.h"

struct timeval loop_tv(unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return tv;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *loop_head_bytes(struct evbuffer *in, size_t *n)
{
	size_t len = evbuffer_get_length(in);

	*n = len < HTTP_MAX_HEAD_BYTES + 1 ? len : HTTP_MAX_HEAD_BYTES + 1;
	if (*n == 0)
		return NULL;
	return (const char *)evbuffer_pullup(in, (ev_ssize_t)*n);
}

void loop_lock(void *m)
{
	pthread_mutex_lock(m);
}

void loop_unlock(void *m)
{
	pthread_mutex_unlock(m);
}

/* The number of online cores (at least 1, at most LOOP_MAX_WORKERS). */
static unsigned loop_default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > LOOP_MAX_WORKERS ? LOOP_MAX_WORKERS : (unsigned)n;
}

/* ---- Accepting ---- */

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct loop_worker *w = arg;
	struct loop *l = w->loop;
	struct loop_conn *c;
	int one = 1;

	(void)lev;
	w->peer_len = 0;
	if (sa != NULL && salen > 0 && (size_t)salen <= sizeof(w->peer)) {
		memcpy(&w->peer, sa, (size_t)salen);
		w->peer_len = (socklen_t)salen;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (l->max_conns > 0 &&
	    atomic_fetch_add(&l->active, 1) >= l->max_conns) {
		atomic_fetch_sub(&l->active, 1);
		l->ops->busy(w, fd);
		return;
	}
	if (l->max_conns == 0)
		atomic_fetch_add(&l->active, 1);
	w->conns++;
	c = l->ops->accept(w, fd);
	if (c == NULL) {
		w->conns--;
		atomic_fetch_sub(&l->active, 1);
		return;
	}
	c->counted = true;
}

/* Out of descriptors (or another accept error): the pending connection
 * stays queued and the listener would fire again at once, so pause. */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct loop_worker *w = arg;
	struct timeval tv = loop_tv(LOOP_FD_BACKOFF_MS);

	evconnlistener_disable(lev);
	evtimer_add(w->backoff, &tv);
}

static void on_backoff(evutil_socket_t fd, short what, void *arg)
{
	struct loop_worker *w = arg;

	(void)fd;
	(void)what;
	if (w->listener != NULL && !w->stopping)
		evconnlistener_enable(w->listener);
}

/* ---- The connections of a loop ---- */

void loop_conn_add(struct loop_worker *w, struct loop_conn *c, void *conn)
{
	c->conn = conn;
	c->counted = false;
	c->prev = NULL;
	c->next = w->all;
	if (w->all != NULL)
		w->all->prev = c;
	w->all = c;
}

void loop_conn_remove(struct loop_worker *w, struct loop_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	if (c->counted) {
		c->counted = false;
		w->conns--;
		atomic_fetch_sub(&w->loop->active, 1);
	}
}

/* ---- Stopping ---- */

bool loop_stopping(const struct loop_worker *w)
{
	return *w->loop->stop_flag != 0;
}

/* No more accepting; idle connections go now, the others after their
 * exchange (the server's stop_conn() says which is which). */
static void worker_stop(struct loop_worker *w)
{
	struct loop *l = w->loop;
	struct loop_conn *c = w->all;

	w->stopping = true;
	if (w->listener != NULL)
		evconnlistener_free(w->listener);
	w->listener = NULL;
	if (l->ops->stop != NULL)
		l->ops->stop(w);
	while (c != NULL) {
		struct loop_conn *next = c->next;

		l->ops->stop_conn(c);
		c = next;
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct loop_worker *w = arg;

	(void)fd;
	(void)what;
	if (!w->stopping && loop_stopping(w))
		worker_stop(w);
	if (w->stopping && w->conns == 0 && w->jobs == 0)
		event_base_loopbreak(w->base);
}

/* ---- Workers ---- */

static void *worker_main(void *arg)
{
	struct loop_worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

/* The loop has ended: what connections are left are released, uncounted
 * (nothing counts any more), then the server's worker_end(). */
static void worker_end(struct loop_worker *w)
{
	struct loop *l = w->loop;

	while (w->all != NULL) {
		struct loop_conn *c = w->all;

		c->counted = false;
		l->ops->release(c);
		if (w->all == c) /* release() should have; never loop */
			loop_conn_remove(w, c);
	}
	if (l->ops->worker_end != NULL)
		l->ops->worker_end(w);
}

static void worker_free(struct loop_worker *w)
{
	if (w->listener != NULL)
		evconnlistener_free(w->listener);
	if (w->tick != NULL)
		event_free(w->tick);
	if (w->backoff != NULL)
		event_free(w->backoff);
	pool_inbox_free(&w->inbox);
	if (w->base != NULL)
		event_base_free(w->base);
	memset(w, 0, sizeof(*w));
}

/* Set up worker i's loop and listener on listen_fd. */
static bool worker_init(struct loop *l, unsigned i, int listen_fd)
{
	struct loop_worker *w = &l->w[i];
	struct timeval tv = loop_tv(LOOP_TICK_MS);
	struct event_config *cfg;

	w->loop = l;
	w->index = i;
	/* The changelist: epoll_ctl() changes wait until the loop next
	 * polls, and a change undone meanwhile (a write event armed and
	 * withdrawn in one callback, proxy/conn.c conn_send_now()) costs no
	 * system call.  Safe here: no descriptor is dup()ed.  No locking:
	 * only this thread touches the base; the work pool hands results
	 * back through the inbox (net/pool.h). */
	cfg = event_config_new();
	if (cfg == NULL)
		return false;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	w->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (w->base == NULL)
		return false;
	/* backlog 0: the socket already listens (net_listen()); no
	 * LEV_OPT_CLOSE_ON_FREE: it is shared by every worker. */
	w->listener = evconnlistener_new(w->base, on_accept, w,
					 LEV_OPT_CLOSE_ON_EXEC, 0, listen_fd);
	w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
	w->backoff = evtimer_new(w->base, on_backoff, w);
	if (w->listener == NULL || w->tick == NULL || w->backoff == NULL ||
	    !pool_inbox_init(&w->inbox, w->base))
		return false;
	evconnlistener_set_error_cb(w->listener, on_accept_error);
	event_add(w->tick, &tv);
	return true;
}

void loop_init(struct loop *l, const struct loop_ops *ops, void *ctx,
	       volatile sig_atomic_t *stop_flag)
{
	/* Fast path: libevent's allocations go to the C library's malloc(),
	 * realloc() and free() as before, but its calloc() becomes malloc()
	 * and memset() (libevent does that itself once it is given these):
	 * glibc's calloc() passes its per-thread cache by.  A new client
	 * connection callocs a bufferevent and its two buffers: 1,200
	 * instructions a connection, about 150 this way (callgrind). */
	event_set_mem_functions(malloc, realloc, free);
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->ctx = ctx;
	l->stop_flag = stop_flag;
}

int loop_run(struct loop *l, int listen_fd, char *err, size_t err_cap)
{
	unsigned n = l->workers ? l->workers : loop_default_workers();
	unsigned started = 0;
	int rc = 0;

	if (n > LOOP_MAX_WORKERS)
		n = LOOP_MAX_WORKERS;
	l->workers = n;
	atomic_init(&l->active, 0);
	/* Every loop accepts from this socket; whoever loses the race for
	 * a connection must get EAGAIN, not block. */
	evutil_make_socket_nonblocking(listen_fd);
	for (unsigned i = 0; i < n; i++) {
		if (!worker_init(l, i, listen_fd)) {
			snprintf(err, err_cap, "cannot set up event loop %u",
				 i);
			for (unsigned j = 0; j <= i; j++)
				worker_free(&l->w[j]);
			return -1;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (l->ops->worker_start != NULL)
			l->ops->worker_start(&l->w[i]);
	}
	/* Worker 0 runs on this thread, the others on their own. */
	for (unsigned i = 1; i < n; i++) {
		if (pthread_create(&l->w[i].thread, NULL, worker_main,
				   &l->w[i]) != 0) {
			snprintf(err, err_cap, "cannot start worker %u", i);
			rc = -1;
			break;
		}
		started++;
	}
	if (rc != 0)
		*l->stop_flag = 1;
	worker_main(&l->w[0]);
	for (unsigned i = 1; i <= started; i++)
		pthread_join(l->w[i].thread, NULL);
	for (unsigned i = 0; i < n; i++) {
		worker_end(&l->w[i]);
		worker_free(&l->w[i]);
	}
	return rc;
}

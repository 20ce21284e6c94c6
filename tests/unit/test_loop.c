/*
 * tests/unit/test_loop.c - net/loop.c, the event-loop shell of bin/proxy
 * and bin/origin: the list of a loop's connections and what counts
 * against max_conns (loop_conn_add/remove), the head bytes handed to the
 * parser (loop_head_bytes), and one whole run on 127.0.0.1 in which the
 * loop accepts, refuses one over the limit, stops on its flag, and
 * releases what is left.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../http/message.h"
#include "../../net/loop.h"

/* A loop with one worker, set up as loop_run() would (no thread). */
static void one_worker(struct loop *l, volatile sig_atomic_t *flag)
{
	static const struct loop_ops none;

	loop_init(l, &none, NULL, flag);
	atomic_init(&l->active, 0);
	l->w[0].loop = l;
}

/* Adding puts a connection first, not counted; removing unlinks it from
 * the front, the middle and the end, and uncounts a counted one once. */
static void test_conn_list(void **state)
{
	static volatile sig_atomic_t flag;
	static struct loop l;
	struct loop_worker *w = &l.w[0];
	struct loop_conn a, b, c;
	int owner_a, owner_b, owner_c;

	(void)state;
	one_worker(&l, &flag);
	loop_conn_add(w, &a, &owner_a);
	loop_conn_add(w, &b, &owner_b);
	loop_conn_add(w, &c, &owner_c);
	assert_ptr_equal(w->all, &c);
	assert_ptr_equal(c.next, &b);
	assert_ptr_equal(b.next, &a);
	assert_null(a.next);
	assert_ptr_equal(a.conn, &owner_a);
	assert_false(a.counted || b.counted || c.counted);

	/* As the loop counts an accepted one. */
	b.counted = true;
	w->conns = 1;
	atomic_store(&l.active, 1);

	loop_conn_remove(w, &b); /* the middle, counted */
	assert_ptr_equal(c.next, &a);
	assert_ptr_equal(a.prev, &c);
	assert_int_equal(w->conns, 0);
	assert_int_equal(atomic_load(&l.active), 0);
	assert_false(b.counted);

	loop_conn_remove(w, &c); /* the front, not counted */
	assert_ptr_equal(w->all, &a);
	assert_null(a.prev);
	assert_int_equal(w->conns, 0);
	assert_int_equal(atomic_load(&l.active), 0);

	loop_conn_remove(w, &a); /* the last */
	assert_null(w->all);
}

/* loop_stopping() is the flag, as a signal handler sets it. */
static void test_stopping(void **state)
{
	static volatile sig_atomic_t flag;
	static struct loop l;

	(void)state;
	one_worker(&l, &flag);
	flag = 0;
	assert_false(loop_stopping(&l.w[0]));
	flag = 1;
	assert_true(loop_stopping(&l.w[0]));
}

/* The head bytes: all of a short input, at most one byte past the
 * largest head, contiguous across the buffer's chunks, NULL when empty. */
static void test_head_bytes(void **state)
{
	static const struct {
		size_t have;  /* bytes in the input */
		size_t chunk; /* added this many at a time */
		size_t want;  /* length handed to the parser */
		const char *why;
	} cases[] = {
	    {0, 1, 0, "empty: nothing"},
	    {1, 1, 1, "one byte"},
	    {100, 7, 100, "short, in odd pieces: all of it, in one block"},
	    {HTTP_MAX_HEAD_BYTES, 4096, HTTP_MAX_HEAD_BYTES,
	     "exactly the largest head"},
	    {HTTP_MAX_HEAD_BYTES + 1, 4096, HTTP_MAX_HEAD_BYTES + 1,
	     "one past: the parser can tell it is too large"},
	    {HTTP_MAX_HEAD_BYTES + 5000, 1000, HTTP_MAX_HEAD_BYTES + 1,
	     "far past: still one past"},
	};
	static char data[HTTP_MAX_HEAD_BYTES + 5000];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evbuffer *in = evbuffer_new();
		const char *p;
		size_t n = 12345;

		assert_non_null(in);
		for (size_t off = 0; off < cases[i].have;
		     off += cases[i].chunk) {
			size_t k = cases[i].have - off < cases[i].chunk
				       ? cases[i].have - off
				       : cases[i].chunk;

			evbuffer_add(in, data + off, k);
		}
		p = loop_head_bytes(in, &n);
		if (n != cases[i].want)
			fail_msg("%s: %zu bytes, want %zu", cases[i].why, n,
				 cases[i].want);
		if (cases[i].want == 0)
			assert_null(p);
		else if (p == NULL || memcmp(p, data, n) != 0)
			fail_msg("%s: not the input's first bytes",
				 cases[i].why);
		/* Nothing is taken from the input. */
		assert_int_equal(evbuffer_get_length(in), cases[i].have);
		evbuffer_free(in);
	}
}

/* ---- One run ---- */

#define RUN_CLIENTS 4
#define RUN_MAX_CONNS 2

static volatile sig_atomic_t run_flag;
static struct {
	unsigned accepts, busies, stops, stop_conns, releases, ends;
	bool list_empty_at_end; /* when worker_end() ran */
	struct event *stop_timer, *safety;
} run;

/* A test connection: its descriptor and its place on the list. */
struct tconn {
	struct loop_conn lc;
	struct loop_worker *w;
	int fd;
};

static void tconn_close(struct tconn *t)
{
	loop_conn_remove(t->w, &t->lc);
	close(t->fd);
	free(t);
}

static struct tconn *tconn_new(struct loop_worker *w, evutil_socket_t fd)
{
	struct tconn *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->fd = fd;
	t->w = w;
	loop_conn_add(w, &t->lc, t);
	return t;
}

/* The first connection cannot be taken (its count must be undone); the
 * others are. */
static struct loop_conn *run_accept(struct loop_worker *w, evutil_socket_t fd)
{
	if (run.accepts++ == 0) {
		close(fd);
		return NULL;
	}
	return &tconn_new(w, fd)->lc;
}

/* Over the limit: kept, uncounted, until the loop ends. */
static void run_busy(struct loop_worker *w, evutil_socket_t fd)
{
	run.busies++;
	tconn_new(w, fd);
}

static void on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	run_flag = 1;
}

/* A bound on the test's time, whatever happens. */
static void on_safety(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void run_worker_start(struct loop_worker *w)
{
	struct timeval stop_tv = loop_tv(300), safety_tv = loop_tv(5000);

	run.stop_timer = evtimer_new(w->base, on_stop_timer, NULL);
	run.safety = evtimer_new(w->base, on_safety, w->base);
	assert_non_null(run.stop_timer);
	assert_non_null(run.safety);
	evtimer_add(run.stop_timer, &stop_tv);
	evtimer_add(run.safety, &safety_tv);
}

static void run_stop(struct loop_worker *w)
{
	(void)w;
	run.stops++;
}

/* Counted ones close now; the uncounted one is left to release(). */
static void run_stop_conn(struct loop_conn *c)
{
	run.stop_conns++;
	if (c->counted)
		tconn_close(c->conn);
}

static void run_release(struct loop_conn *c)
{
	run.releases++;
	assert_false(c->counted);
	tconn_close(c->conn);
}

static void run_worker_end(struct loop_worker *w)
{
	run.ends++;
	run.list_empty_at_end = w->all == NULL;
	event_free(run.stop_timer);
	event_free(run.safety);
}

static const struct loop_ops run_ops = {
    .accept = run_accept,
    .busy = run_busy,
    .worker_start = run_worker_start,
    .worker_end = run_worker_end,
    .stop = run_stop,
    .stop_conn = run_stop_conn,
    .release = run_release,
};

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int listen_loopback(struct sockaddr_in *at)
{
	socklen_t len = sizeof(*at);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(at, 0, sizeof(*at));
	at->sin_family = AF_INET;
	at->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)at, sizeof(*at)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)at, &len), 0);
	return fd;
}

/*
 * Four clients wait in the backlog of a loop allowed two connections.
 * The first accept() gives up (the loop undoes its count), two more are
 * counted, the fourth goes to busy().  The flag set: stop() once,
 * stop_conn() for each of the three on the list; the counted two close,
 * so the loop ends, and the busy one, still there, is released before
 * worker_end().  Nothing counts afterwards.
 */
static void test_run(void **state)
{
	static struct loop l;
	struct sockaddr_in at;
	int lfd = listen_loopback(&at), clients[RUN_CLIENTS];
	char err[128] = "";

	(void)state;
	for (int i = 0; i < RUN_CLIENTS; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(clients[i] >= 0);
		assert_int_equal(
		    connect(clients[i], (struct sockaddr *)&at, sizeof(at)), 0);
	}
	run_flag = 0;
	loop_init(&l, &run_ops, NULL, &run_flag);
	l.workers = 1;
	l.max_conns = RUN_MAX_CONNS;
	assert_int_equal(loop_run(&l, lfd, err, sizeof(err)), 0);
	assert_int_equal(run.accepts, RUN_MAX_CONNS + 1);
	assert_int_equal(run.busies, 1);
	assert_int_equal(run.stops, 1);
	assert_int_equal(run.stop_conns, RUN_MAX_CONNS + 1);
	assert_int_equal(run.releases, 1);
	assert_int_equal(run.ends, 1);
	assert_true(run.list_empty_at_end);
	assert_int_equal(atomic_load(&l.active), 0);
	for (int i = 0; i < RUN_CLIENTS; i++)
		close(clients[i]);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conn_list),
	    cmocka_unit_test(test_stopping),
	    cmocka_unit_test(test_head_bytes),
	    cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

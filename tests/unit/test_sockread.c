/*
 * tests/unit/test_sockread.c - reading a plain socket into its
 * bufferevent's input by hand (net/sockread.c): the bytes and the
 * callbacks are libevent's own, reading stops at the high-water mark and
 * starts again once the input is drained, goes off and on when told,
 * ends with EOF, a reset or an idle timeout, and a TLS-side reader
 * leaves the reading to libevent.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../net/sockread.h"

/* What the callbacks saw. */
struct seen {
	int reads;	 /* read callbacks */
	int events;	 /* event callbacks */
	short what;	 /* the last event's flags */
	int err;	 /* errno at the last event */
	size_t drain_at; /* the read callback drains at this much input */
	struct sockread *rd;
};

static void on_read(struct bufferevent *bev, void *arg)
{
	struct seen *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	s->reads++;
	if (s->drain_at > 0 && evbuffer_get_length(in) >= s->drain_at)
		evbuffer_drain(in, evbuffer_get_length(in));
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct seen *s = arg;

	(void)bev;
	s->err = errno;
	s->events++;
	s->what = what;
}

/* One loop turn with a bound: what is ready runs, then it returns. */
static void turn(struct event_base *base, int ms)
{
	struct timeval tv = {0, ms * 1000};

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

struct rig {
	struct event_base *base;
	struct bufferevent *bev;
	struct sockread *rd;
	int peer; /* the other end: the test writes and closes it */
	struct seen s;
};

/* The rig around fd, a socket whose other end the test holds as peer. */
static void rig_attach(struct rig *r, int fd, int peer, size_t high)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(evutil_make_socket_nonblocking(fd), 0);
	r->peer = peer;
	r->base = event_base_new();
	assert_non_null(r->base);
	r->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(r->bev);
	bufferevent_setcb(r->bev, on_read, NULL, on_event, &r->s);
	r->rd = sockread_new(r->bev, true, high);
	assert_non_null(r->rd);
	r->s.rd = r->rd;
}

static void rig_up(struct rig *r, size_t high)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	rig_attach(r, sv[0], sv[1], high);
}

static void rig_down(struct rig *r)
{
	sockread_free(r->rd);
	bufferevent_free(r->bev);
	if (r->peer >= 0)
		close(r->peer);
	event_base_free(r->base);
}

static size_t input(struct rig *r)
{
	return evbuffer_get_length(bufferevent_get_input(r->bev));
}

static void put(struct rig *r, const char *bytes, size_t n)
{
	assert_int_equal(write(r->peer, bytes, n), (ssize_t)n);
}

/* The bytes land in the input, in order, and the read callback runs;
 * nothing is read before reading is on, or after it is off. */
static void test_bytes_on_off(void **state)
{
	struct rig r;
	char got[64];

	(void)state;
	rig_up(&r, 1024);
	put(&r, "GET / HTTP/1.1\r\n", 16);
	turn(r.base, 20);
	assert_int_equal(r.s.reads, 0); /* off until sockread_on() */
	assert_int_equal(input(&r), 0);
	sockread_on(r.rd);
	sockread_on(r.rd); /* twice is once */
	turn(r.base, 20);
	assert_int_equal(r.s.reads, 1);
	assert_int_equal(input(&r), 16);
	put(&r, "Host: a\r\n\r\n", 11);
	turn(r.base, 20);
	assert_int_equal(r.s.reads, 2);
	assert_int_equal(
	    evbuffer_remove(bufferevent_get_input(r.bev), got, sizeof(got)),
	    27);
	assert_memory_equal(got, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27);
	sockread_off(r.rd);
	put(&r, "more", 4);
	turn(r.base, 20);
	assert_int_equal(r.s.reads, 2);
	assert_int_equal(input(&r), 0);
	sockread_on(r.rd);
	turn(r.base, 20);
	assert_int_equal(input(&r), 4);
	assert_int_equal(r.s.events, 0);
	rig_down(&r);
}

/* Back-pressure: the input never holds more than high; what is left
 * waits in the socket, and comes once the input is drained, by itself. */
static void test_high_water(void **state)
{
	struct rig r;
	char block[300];

	(void)state;
	memset(block, 'x', sizeof(block));
	rig_up(&r, 100);
	sockread_on(r.rd);
	put(&r, block, sizeof(block));
	turn(r.base, 20);
	assert_int_equal(input(&r), 100);
	turn(r.base, 20); /* readable still, but the input is full */
	assert_int_equal(input(&r), 100);
	assert_int_equal(r.s.reads, 1);
	evbuffer_drain(bufferevent_get_input(r.bev), 30); /* below high */
	turn(r.base, 20);
	assert_int_equal(input(&r), 100);
	evbuffer_drain(bufferevent_get_input(r.bev), 100);
	turn(r.base, 20);
	assert_int_equal(input(&r), 100);
	evbuffer_drain(bufferevent_get_input(r.bev), 100);
	turn(r.base, 20);
	assert_int_equal(input(&r), 70); /* all 300 came, none twice */
	/* Off while full stays off when drained. */
	put(&r, block, 100);
	turn(r.base, 20);
	assert_int_equal(input(&r), 100);
	sockread_off(r.rd);
	evbuffer_drain(bufferevent_get_input(r.bev), 100);
	put(&r, block, 10);
	turn(r.base, 20);
	assert_int_equal(input(&r), 0);
	assert_int_equal(r.s.events, 0);
	rig_down(&r);
}

/* A reader that drains in its callback keeps reading: a body larger than
 * the mark goes through whole. */
static void test_drain_in_callback(void **state)
{
	struct rig r;
	char block[8192];
	size_t sent = 0;

	(void)state;
	memset(block, 'y', sizeof(block));
	rig_up(&r, 1000);
	r.s.drain_at = 1;
	sockread_on(r.rd);
	for (int i = 0; i < 8; i++) {
		put(&r, block, sizeof(block));
		sent += sizeof(block);
		turn(r.base, 20);
	}
	assert_int_equal(input(&r), 0);
	assert_true(r.s.reads >= (int)(sent / 1000));
	rig_down(&r);
}

/* EOF: the bytes before it first, then the event callback with
 * READING|EOF, and reading is off afterwards. */
static void test_eof(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r, 1024);
	sockread_on(r.rd);
	put(&r, "last", 4);
	close(r.peer);
	r.peer = -1;
	turn(r.base, 20);
	assert_int_equal(input(&r), 4);
	assert_int_equal(r.s.events, 1);
	assert_int_equal(r.s.what, BEV_EVENT_READING | BEV_EVENT_EOF);
	turn(r.base, 20);
	assert_int_equal(r.s.events, 1); /* once */
	rig_down(&r);
}

/* A reset: READING|ERROR, with errno saying why (TCP: a socketpair
 * cannot be reset). */
static void test_reset(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	struct linger hard = {1, 0};
	struct rig r;
	int lfd, cfd, afd;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	rig_attach(&r, afd, cfd, 1024);
	sockread_on(r.rd);
	setsockopt(r.peer, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	close(r.peer); /* RST */
	r.peer = -1;
	turn(r.base, 50);
	assert_int_equal(r.s.events, 1);
	assert_int_equal(r.s.what, BEV_EVENT_READING | BEV_EVENT_ERROR);
	assert_int_equal(r.s.err, ECONNRESET);
	rig_down(&r);
	close(lfd);
}

/* The idle timeout: READING|TIMEOUT when nothing came; sockread_on()
 * ends the timeout and keeps reading. */
static void test_timed(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r, 1024);
	assert_true(sockread_on_timed(r.rd, 30));
	turn(r.base, 80);
	assert_int_equal(r.s.events, 1);
	assert_int_equal(r.s.what, BEV_EVENT_READING | BEV_EVENT_TIMEOUT);
	r.s.events = 0;
	assert_true(sockread_on_timed(r.rd, 30));
	sockread_on(r.rd);
	turn(r.base, 80);
	assert_int_equal(r.s.events, 0);
	put(&r, "x", 1);
	turn(r.base, 20);
	assert_int_equal(input(&r), 1);
	rig_down(&r);
}

/* Not plain (a TLS bufferevent): libevent reads, with the mark set on
 * the bufferevent, and there is no timed reading. */
static void test_passthrough(void **state)
{
	struct rig r;
	struct sockread *tls;
	size_t lo = 1, hi = 0;

	(void)state;
	rig_up(&r, 1024);
	sockread_free(r.rd);
	tls = sockread_new(r.bev, false, 512);
	assert_non_null(tls);
	r.rd = tls;
	bufferevent_getwatermark(r.bev, EV_READ, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 512);
	assert_false(sockread_on_timed(tls, 30));
	sockread_on(tls);
	assert_true(bufferevent_get_enabled(r.bev) & EV_READ);
	put(&r, "tls?", 4);
	turn(r.base, 20);
	assert_int_equal(input(&r), 4);
	sockread_off(tls);
	assert_false(bufferevent_get_enabled(r.bev) & EV_READ);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes_on_off),
	    cmocka_unit_test(test_high_water),
	    cmocka_unit_test(test_drain_in_callback),
	    cmocka_unit_test(test_eof),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_timed),
	    cmocka_unit_test(test_passthrough),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * net/sockread.c - reading a plain socket into its bufferevent's input
 * by hand; why, and what stays libevent's, is in net/sockread.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "sockread.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "loop.h"

struct sockread {
	struct bufferevent *bev;
	struct event *ev;		 /* our read event; NULL over TLS */
	struct evbuffer_cb_entry *watch; /* on the input: back-pressure */
	size_t high;			 /* stop reading at this much input */
	bool on;			 /* the owner wants bytes */
	bool full;			 /* ... but the input reached high */
	bool timed;			 /* ev carries a timeout */
};

/* ---- Back-pressure ---- */

/* Called by libevent after every change to the input: the read event
 * goes when the input reaches high, and comes back when it drops below.
 * Between those two it is left alone. */
static void on_input_change(struct evbuffer *in,
			    const struct evbuffer_cb_info *info, void *arg)
{
	struct sockread *r = arg;
	size_t len = evbuffer_get_length(in);

	(void)info;
	if (!r->full && len >= r->high) {
		r->full = true;
		if (r->on)
			event_del(r->ev);
	} else if (r->full && len < r->high) {
		r->full = false;
		if (r->on)
			event_add(r->ev, NULL);
	}
}

/* ---- Reading ---- */

/* Reading ends (EOF or an error): as libevent's own read does, reading
 * goes off before the event callback hears of it. */
static void read_ended(struct sockread *r, short what)
{
	struct bufferevent *bev = r->bev;
	bufferevent_event_cb eventcb;
	void *arg;
	int err = errno;

	sockread_off(r);
	bufferevent_getcb(bev, NULL, NULL, &eventcb, &arg);
	errno = err;
	if (eventcb != NULL)
		eventcb(bev, (short)(BEV_EVENT_READING | what), arg);
}

/*
 * One read from fd into the free space at the end of in, at most room
 * bytes: the number read (committed to in), 0 at EOF, or -1 with errno
 * set (EAGAIN: nothing to read after all).  Free space in one piece is
 * read with recv(), which goes straight to the socket; readv() first
 * passes the file layer's checks, some 200 to 400 ns more a call on
 * this machine's loopback, and a keep-alive request makes two reads.
 */
static ssize_t read_into(struct evbuffer *in, evutil_socket_t fd, size_t room)
{
	struct evbuffer_iovec vec[2];
	struct iovec iov[2];
	ssize_t n, left;
	int nvec, used, err;

	/* The end of a bufferevent's input stays frozen except while the
	 * socket is read into it, as libevent's own read does. */
	evbuffer_unfreeze(in, 0);
	nvec = evbuffer_reserve_space(
	    in, (ev_ssize_t)(room < SOCKREAD_ASK ? room : SOCKREAD_ASK), vec,
	    2);
	if (nvec < 0) {
		evbuffer_freeze(in, 0);
		errno = ENOMEM;
		return -1;
	}
	/* libevent may hand out more space than asked for: read no more
	 * than room, or the high-water mark would not hold. */
	for (int i = 0; i < nvec; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len < room ? vec[i].iov_len : room;
		room -= iov[i].iov_len;
	}
	do
		n = nvec == 1 ? recv(fd, iov[0].iov_base, iov[0].iov_len, 0)
			      : readv(fd, iov, nvec);
	while (n < 0 && errno == EINTR);
	err = errno;
	/* What was filled: the first extent, then the second. */
	left = n > 0 ? n : 0;
	used = 0;
	for (int i = 0; i < nvec && left > 0; i++) {
		vec[i].iov_len = (size_t)left < iov[i].iov_len ? (size_t)left
							       : iov[i].iov_len;
		left -= (ssize_t)vec[i].iov_len;
		used = i + 1;
	}
	if (used > 0)
		evbuffer_commit_space(in, vec, used);
	evbuffer_freeze(in, 0);
	errno = err;
	return n;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sockread *r = arg;
	struct evbuffer *in = bufferevent_get_input(r->bev);
	size_t len = evbuffer_get_length(in);
	bufferevent_data_cb readcb;
	void *cbarg;
	ssize_t n;

	if (what & EV_TIMEOUT) {
		read_ended(r, BEV_EVENT_TIMEOUT);
		return;
	}
	if (len >= r->high)
		return; /* on_input_change() took the event away */
	n = read_into(in, fd, r->high - len);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		read_ended(r, n == 0 ? BEV_EVENT_EOF : BEV_EVENT_ERROR);
		return;
	}
	/* Nothing of r is touched after this: the callback may free it. */
	bufferevent_getcb(r->bev, &readcb, NULL, NULL, &cbarg);
	if (readcb != NULL)
		readcb(r->bev, cbarg);
}

/* ---- Making one, switching it ---- */

struct sockread *sockread_new(struct bufferevent *bev, bool plain, size_t high)
{
	/* malloc() and memset() rather than calloc(): see conn_new(). */
	struct sockread *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->bev = bev;
	r->high = high;
	if (!plain) {
		bufferevent_setwatermark(bev, EV_READ, 0, high);
		return r;
	}
	bufferevent_disable(bev, EV_READ);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	r->ev = event_new(bufferevent_get_base(bev), bufferevent_getfd(bev),
			  EV_READ | EV_PERSIST, on_readable, r);
	if (r->ev != NULL)
		r->watch = evbuffer_add_cb(bufferevent_get_input(bev),
					   on_input_change, r);
	if (r->ev == NULL || r->watch == NULL) {
		if (r->ev != NULL)
			event_free(r->ev);
		free(r);
		return NULL;
	}
	on_input_change(bufferevent_get_input(bev), NULL, r);
	return r;
}

void sockread_free(struct sockread *r)
{
	if (r == NULL)
		return;
	if (r->ev != NULL) {
		event_free(r->ev);
		evbuffer_remove_cb_entry(bufferevent_get_input(r->bev),
					 r->watch);
	} else {
		bufferevent_disable(r->bev, EV_READ);
	}
	free(r);
}

void sockread_on(struct sockread *r)
{
	if (r->ev == NULL) {
		bufferevent_enable(r->bev, EV_READ);
		return;
	}
	if (r->timed) {
		event_remove_timer(r->ev);
		r->timed = false;
	}
	if (r->on)
		return;
	r->on = true;
	if (!r->full)
		event_add(r->ev, NULL);
}

void sockread_off(struct sockread *r)
{
	if (r->ev == NULL) {
		bufferevent_disable(r->bev, EV_READ);
		return;
	}
	r->timed = false;
	if (!r->on)
		return;
	r->on = false;
	if (!r->full)
		event_del(r->ev);
}

bool sockread_on_timed(struct sockread *r, unsigned ms)
{
	struct timeval tv = loop_tv(ms);

	if (r->ev == NULL)
		return false;
	r->on = true;
	r->timed = true;
	if (!r->full)
		event_add(r->ev, &tv);
	return true;
}

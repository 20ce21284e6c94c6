/*
 * tests/bench/bench_relay.c - the floor under every proxy's figures in
 * make bench: a relay that moves bytes and does nothing else.
 *
 *   bench_relay ORIGIN_PORT
 *
 * Listens on 127.0.0.1 (a free port, printed as "listening on
 * 127.0.0.1:PORT"), and for each connection it accepts opens one to
 * 127.0.0.1:ORIGIN_PORT; whatever either side sends goes to the other,
 * unread, until one of them closes; then what the other has not taken
 * yet goes to it, and both are closed.  No HTTP, no credentials, no
 * timeouts: one epoll loop, one recv() and one send() per message, the
 * least any proxy on one thread must do.  Its requests per second and
 * latency under a load are what the machine (the kernel's TCP, the load
 * generator and the origin on their core) allows before a proxy does
 * any work of its own.
 *
 * A send the socket takes only in part keeps the rest, and the side it
 * came from is not read again until the rest has gone (the loop waits
 * for the socket to be writable): no byte is dropped, and a peer that
 * does not read holds up only its own connection.  Runs until a signal
 * stops it.  Exit 2 on a usage error, 1 when it cannot start.  Loopback
 * only.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../net/net.h"
#include "bench_io.h"

#define BENCH_EVENTS 512	   /* epoll events taken at once */
#define BENCH_CHUNK 65536	   /* one recv(), at most */
#define BENCH_CONNECT_WAIT_MS 5000 /* for the origin to accept */
#define BENCH_WANT_FDS 65536

/* One socket of a pair, indexed by its descriptor. */
struct side {
	int peer;	 /* the other socket; -1: not in use */
	char *pending;	 /* bytes for this socket it has not taken yet */
	size_t off, len; /* pending[off..len) */
};

static struct side *sides;
static size_t nfds;
static int ep;

/* A connection to the origin, connected (non-blocking from then on), or
 * -1.  The loop waits for it: loopback connects finish at once. */
static int connect_origin(unsigned port)
{
	struct pollfd p = {.events = POLLOUT};
	int fd = bench_io_connect(port), n;

	if (fd < 0)
		return -1;
	p.fd = fd;
	do
		n = poll(&p, 1, BENCH_CONNECT_WAIT_MS);
	while (n < 0 && errno == EINTR);
	if (n != 1 || bench_io_connect_error(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void close_side(int fd)
{
	free(sides[fd].pending);
	sides[fd] = (struct side){.peer = -1};
	close(fd);
}

static void close_pair(int fd)
{
	int other = sides[fd].peer;

	close_side(fd);
	if (other >= 0)
		close_side(other);
}

/* fd is read while its peer has nothing waiting (so bytes keep their
 * order, and an EOF is seen only after what came before it has gone);
 * it is written while it has bytes waiting itself. */
static bool readable_now(int fd)
{
	return sides[sides[fd].peer].pending == NULL;
}

static bool watch(int fd, int op)
{
	struct epoll_event ev = {.data.fd = fd};

	ev.events = (readable_now(fd) ? EPOLLIN : 0) |
		    (sides[fd].pending != NULL ? EPOLLOUT : 0);
	return epoll_ctl(ep, op, fd, &ev) == 0;
}

/* Accept what the (non-blocking) listen queue holds, with net_accept()
 * (close-on-exec, TCP_NODELAY, a pause when out of descriptors); each
 * client gets its origin connection before it is read. */
static void accept_all(int lfd, unsigned origin_port)
{
	for (;;) {
		int c = net_accept(lfd);
		int u;

		if (c < 0)
			return;
		if ((size_t)c >= nfds ||
		    fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK) != 0 ||
		    (u = connect_origin(origin_port)) < 0) {
			close(c);
			continue;
		}
		if ((size_t)u >= nfds) {
			close(c);
			close(u);
			continue;
		}
		sides[c].peer = u;
		sides[u].peer = c;
		if (!watch(c, EPOLL_CTL_ADD) || !watch(u, EPOLL_CTL_ADD))
			close_pair(c);
	}
}

/* As much of buf[0..len) as fd takes now: the count, or -1 on an error. */
static ssize_t send_some(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	return n;
}

/* fd is readable: what it holds goes to its peer.  What the peer does
 * not take waits in the peer's side, and fd is not read until it has
 * gone.  At EOF or an error the pair closes. */
static void relay(int fd, char *buf)
{
	int to = sides[fd].peer;
	ssize_t n = recv(fd, buf, BENCH_CHUNK, 0), sent;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (sent = send_some(to, buf, (size_t)n)) < 0) {
		close_pair(fd);
		return;
	}
	if (sent == n)
		return;
	sides[to].pending = malloc((size_t)(n - sent));
	if (sides[to].pending == NULL) {
		close_pair(fd);
		return;
	}
	memcpy(sides[to].pending, buf + sent, (size_t)(n - sent));
	sides[to].off = 0;
	sides[to].len = (size_t)(n - sent);
	if (!watch(fd, EPOLL_CTL_MOD) || !watch(to, EPOLL_CTL_MOD))
		close_pair(fd);
}

/* fd is writable and has bytes waiting: send them.  When all have gone,
 * its peer is read again. */
static void flush(int fd)
{
	struct side *s = &sides[fd];
	ssize_t sent = send_some(fd, s->pending + s->off, s->len - s->off);

	if (sent < 0) {
		close_pair(fd);
		return;
	}
	s->off += (size_t)sent;
	if (s->off < s->len)
		return;
	free(s->pending);
	s->pending = NULL;
	if (!watch(fd, EPOLL_CTL_MOD) || !watch(s->peer, EPOLL_CTL_MOD))
		close_pair(fd);
}

int main(int argc, char **argv)
{
	static char buf[BENCH_CHUNK];
	struct epoll_event evs[BENCH_EVENTS];
	char bound[NET_MAX_ADDR], err[NET_MAX_ADDR + 64], *end;
	unsigned origin_port;
	long v;
	int lfd;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_relay ORIGIN_PORT\n");
		return 2;
	}
	v = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || v < 1 || v > 65535) {
		fprintf(stderr, "bench_relay: ORIGIN_PORT must be 1-65535\n");
		return 2;
	}
	origin_port = (unsigned)v;
	/* A descriptor at or past nfds is refused (accept_all()). */
	nfds = (size_t)bench_io_raise_nofile(BENCH_WANT_FDS);
	if (nfds > BENCH_WANT_FDS)
		nfds = BENCH_WANT_FDS;
	sides = nfds > 0 ? malloc(nfds * sizeof(*sides)) : NULL;
	lfd = net_listen("127.0.0.1:0", bound, sizeof(bound), err, sizeof(err));
	if (lfd < 0) {
		fprintf(stderr, "bench_relay: %s\n", err);
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sides == NULL || ep < 0 ||
	    fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, lfd,
		      &(struct epoll_event){.events = EPOLLIN,
					    .data.fd = lfd}) != 0) {
		fprintf(stderr, "bench_relay: cannot start\n");
		return 1;
	}
	for (size_t i = 0; i < nfds; i++)
		sides[i] = (struct side){.peer = -1};
	printf("listening on %s\n", bound);
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, BENCH_EVENTS, -1);

		if (n < 0 && errno != EINTR) {
			perror("bench_relay: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd)
				accept_all(lfd, origin_port);
			else if (sides[fd].peer < 0)
				continue; /* closed earlier in this batch */
			else if ((evs[i].events & EPOLLOUT) &&
				 sides[fd].pending != NULL)
				flush(fd);
			else if (readable_now(fd))
				relay(fd, buf); /* data, EOF or the error */
			else if (evs[i].events & (EPOLLERR | EPOLLHUP))
				/* A reset: the bytes it sent that its peer has
				 * not taken yet are lost with it. */
				close_pair(fd);
		}
	}
}

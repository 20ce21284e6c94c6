/*
 * tests/bench/bench_idle.c - hold N idle keep-alive connections open on a
 * proxy, each after one authenticated request, so tests/bench/run.sh can
 * read what they cost the proxy (RSS from /proc).
 *
 *   bench_idle PROXY_PORT ORIGIN_PORT N HOLD_SECONDS PROXY_AUTHORIZATION
 *
 * Opens N connections to 127.0.0.1:PROXY_PORT, at most BENCH_IN_FLIGHT at
 * a time so no listen queue overflows, and on each sends one
 * `GET http://127.0.0.1:ORIGIN_PORT/` with the given Proxy-Authorization
 * value, reads the response whole, and keeps the connection open and
 * silent.  A connection the proxy closes (Connection: close, or any close)
 * is not held.  When all N are done (or BENCH_OPEN_SECONDS have passed) it
 * prints
 *   ready held=N ok=N non2xx=N closed=N errors=N seconds=S
 * (held: still open then; S: how long setting them up took), then holds
 * them for HOLD_SECONDS and prints how many are still open:
 *   after held=N
 * before closing everything and exiting 0 (2 on a usage error, 1 when it
 * could not run).  Loopback only; bounded in count and time.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_io.h"

#define BENCH_MAX_IDLE 100000
#define BENCH_MAX_HOLD 600
#define BENCH_IN_FLIGHT 64	 /* connections being set up at once */
#define BENCH_OPEN_SECONDS 120.0 /* to set them all up, at most */
#define BENCH_IO_TIMEOUT 10.0	 /* one connection's exchange, at most */
#define BENCH_READ_CHUNK 16384
#define BENCH_MAX_AUTH 512

enum conn_state {
	CONN_CONNECTING, /* connect(2) in progress */
	CONN_SENDING,	 /* the request is being written */
	CONN_READING,	 /* waiting for the response */
	CONN_HELD,	 /* done: open and idle */
	CONN_GONE	 /* closed, by either side */
};

struct conn {
	int fd;
	enum conn_state state;
	size_t out_off;
	struct http_buf in; /* only while the exchange lasts */
	struct bench_io_resp resp;
	double started;
};

struct totals {
	long ok, non2xx, closed, errors;
};

static char request[1024];
static size_t request_len;

static void gone(struct conn *c, long *count)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_GONE;
	http_buf_free(&c->in);
	(*count)++;
}

/* Move one exchange along; it ends CONN_HELD or CONN_GONE when done. */
static void step(struct conn *c, struct totals *t)
{
	char buf[BENCH_READ_CHUNK];

	if (c->state == CONN_CONNECTING) {
		if (bench_io_connect_error(c->fd) != 0) {
			gone(c, &t->errors);
			return;
		}
		c->state = CONN_SENDING;
	}
	if (c->state == CONN_SENDING) {
		ssize_t k = send(c->fd, request + c->out_off,
				 request_len - c->out_off, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (k <= 0) {
			gone(c, &t->errors);
			return;
		}
		c->out_off += (size_t)k;
		if (c->out_off < request_len)
			return;
		c->state = CONN_READING;
		bench_io_resp_init(&c->resp);
		http_buf_init(&c->in, BENCH_IO_MAX_RESPONSE);
		return;
	}
	for (;;) {
		ssize_t k = recv(c->fd, buf, sizeof buf, 0);
		long whole;

		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (k < 0 ||
		    (k > 0 && !http_buf_append(&c->in, buf, (size_t)k))) {
			gone(c, &t->errors);
			return;
		}
		whole = bench_io_resp_feed(&c->resp, c->in.data, c->in.len,
					   "GET", k == 0);
		if (whole < 0) {
			gone(c, &t->errors);
			return;
		}
		if (whole == 0)
			continue;
		if (c->resp.status >= 200 && c->resp.status <= 299)
			t->ok++;
		else
			t->non2xx++;
		if (k == 0 || c->resp.close || (size_t)whole != c->in.len) {
			gone(c, &t->closed);
			return;
		}
		http_buf_free(&c->in);
		c->state = CONN_HELD;
		return;
	}
}

/* Count held connections the proxy has closed meanwhile (readable with
 * an end of file or an error: the proxy sends nothing unasked). */
static long still_held(struct conn *cs, long n, struct pollfd *pfd)
{
	long held = 0, k = 0;

	for (long i = 0; i < n; i++)
		if (cs[i].state == CONN_HELD) {
			pfd[k].fd = cs[i].fd;
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
			k++;
		}
	if (poll(pfd, (nfds_t)k, 0) < 0)
		return -1;
	for (long i = 0; i < k; i++)
		if (pfd[i].revents == 0)
			held++;
	return held;
}

int main(int argc, char **argv)
{
	struct totals t = {0};
	struct conn *cs;
	struct pollfd *pfd;
	long *idx;
	long n, hold, next = 0, active = 0, held;
	unsigned proxy_port, origin_port;
	double t0, now;
	int w;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_idle PROXY_PORT ORIGIN_PORT N "
				"HOLD_SECONDS PROXY_AUTHORIZATION\n");
		return 2;
	}
	proxy_port = (unsigned)strtoul(argv[1], NULL, 10);
	origin_port = (unsigned)strtoul(argv[2], NULL, 10);
	n = strtol(argv[3], NULL, 10);
	hold = strtol(argv[4], NULL, 10);
	if (proxy_port == 0 || proxy_port > 65535 || origin_port == 0 ||
	    origin_port > 65535 || n < 1 || n > BENCH_MAX_IDLE || hold < 0 ||
	    hold > BENCH_MAX_HOLD || strlen(argv[5]) > BENCH_MAX_AUTH ||
	    strpbrk(argv[5], "\r\n") != NULL) {
		fprintf(stderr,
			"bench_idle: ports 1..65535, 1..%d "
			"connections, 0..%d s, one header value\n",
			BENCH_MAX_IDLE, BENCH_MAX_HOLD);
		return 2;
	}
	w = snprintf(request, sizeof request,
		     "GET http://127.0.0.1:%u/ HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%u\r\n"
		     "Proxy-Authorization: %s\r\n"
		     "\r\n",
		     origin_port, origin_port, argv[5]);
	if (w < 0 || (size_t)w >= sizeof request)
		return 2;
	request_len = (size_t)w;
	if (bench_io_raise_nofile((uint64_t)n + 16) < (uint64_t)n + 16) {
		fprintf(stderr,
			"bench_idle: the open-files limit is below "
			"%ld; raise it with ulimit -n\n",
			n + 16);
		return 1;
	}
	cs = calloc((size_t)n, sizeof *cs);
	pfd = calloc((size_t)n, sizeof *pfd);
	idx = calloc((size_t)n, sizeof *idx);
	if (cs == NULL || pfd == NULL || idx == NULL) {
		fprintf(stderr, "bench_idle: out of memory\n");
		return 1;
	}
	for (long i = 0; i < n; i++)
		cs[i].fd = -1;

	/* ---- Setting up: BENCH_IN_FLIGHT exchanges at a time ---- */
	t0 = bench_io_now();
	while ((next < n || active > 0) &&
	       (now = bench_io_now()) - t0 < BENCH_OPEN_SECONDS) {
		long k = 0;
		int ready;

		while (next < n && active < BENCH_IN_FLIGHT) {
			struct conn *c = &cs[next++];

			c->fd = bench_io_connect(proxy_port);
			c->started = now;
			if (c->fd < 0) {
				c->state = CONN_GONE;
				t.errors++;
				continue;
			}
			c->state = CONN_CONNECTING;
			active++;
		}
		for (long i = 0; i < next; i++) {
			struct conn *c = &cs[i];

			if (c->state > CONN_READING)
				continue;
			if (now - c->started > BENCH_IO_TIMEOUT) {
				gone(c, &t.errors);
				active--;
				continue;
			}
			pfd[k].fd = c->fd;
			pfd[k].events =
			    c->state == CONN_READING ? POLLIN : POLLOUT;
			pfd[k].revents = 0;
			idx[k++] = i;
		}
		ready = poll(pfd, (nfds_t)k, 100);
		if (ready < 0 && errno != EINTR) {
			perror("bench_idle: poll");
			return 1;
		}
		for (long i = 0; ready > 0 && i < k; i++) {
			struct conn *c = &cs[idx[i]];

			if (pfd[i].revents == 0)
				continue;
			step(c, &t);
			if (c->state > CONN_READING)
				active--;
		}
	}
	for (long i = 0; i < next; i++)
		if (cs[i].state <= CONN_READING)
			gone(&cs[i], &t.errors); /* out of time */
	held = still_held(cs, n, pfd);
	printf("ready held=%ld ok=%ld non2xx=%ld closed=%ld errors=%ld "
	       "seconds=%.1f\n",
	       held, t.ok, t.non2xx, t.closed, t.errors + (n - next),
	       bench_io_now() - t0);
	fflush(stdout);

	/* ---- Holding ---- */
	sleep((unsigned)hold);
	printf("after held=%ld\n", still_held(cs, n, pfd));
	fflush(stdout);
	for (long i = 0; i < n; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	free(idx);
	free(pfd);
	free(cs);
	return 0;
}

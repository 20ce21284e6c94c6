/*
 * tests/bench/bench_digest.c - Digest load through a proxy.  wrk sends the
 * same bytes every time and so cannot answer a challenge; this does, with
 * the client's own code (http/answer.c).
 *
 *   bench_digest PROXY_PORT ORIGIN_PORT CONNECTIONS SECONDS MAX_REQUESTS
 * USER:PASS
 *
 * CONNECTIONS keep-alive connections to 127.0.0.1:PROXY_PORT, all in one
 * poll(2) loop.  Each first sends `GET http://127.0.0.1:ORIGIN_PORT/`
 * without credentials, takes the 407's challenge with answer_choose()
 * (the strongest algorithm offered), then sends the same request with
 * Proxy-Authorization from answer_build(): a fresh cnonce and the next
 * nonce count every time (RFC 7616 §3.4), so the proxy checks and records
 * an nc per request, as it would for a browser.  Only these authenticated
 * exchanges are timed and counted; the first 407 of each connection is
 * counted apart ("challenges").  A 407 with stale=true is answered with
 * the new nonce (RFC 7616 §3.3) and counts as a non-2xx response, as
 * every non-2xx does.  A connection the proxy closes is opened again with
 * the same nonce.
 *
 * Bounded by SECONDS and by MAX_REQUESTS, whichever comes first; an
 * exchange with no progress for BENCH_IO_TIMEOUT seconds is a timeout.
 * Prints one line for tests/bench/run.sh, the same keys as its wrk script:
 *   BENCH requests=N seconds=S p50_us=X p99_us=Y non2xx=N connect=N
 *         read=N write=N timeout=N challenges=N stale=N
 * Exit status 0 when it ran (whatever the proxy answered), 2 on a usage
 * error, 1 when it could not run at all.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../http/answer.h"
#include "../../http/auth.h"
#include "bench_io.h"

#define BENCH_MAX_CONNS 4096
#define BENCH_MAX_REQUESTS 50000000L
#define BENCH_MAX_SECONDS 3600
#define BENCH_IO_TIMEOUT 5.0 /* seconds without progress: a timeout */
#define BENCH_READ_CHUNK 16384
#define BENCH_MAX_USERPASS 256

enum conn_state {
	CONN_CONNECTING, /* connect(2) in progress */
	CONN_SENDING,	 /* the request is being written */
	CONN_READING	 /* waiting for (the rest of) the response */
};

struct conn {
	int fd;
	enum conn_state state;
	bool challenged;	  /* answer_choose() has a challenge */
	struct answer_state auth; /* nonce, nc, algorithm */
	struct http_buf out;	  /* the request being sent */
	size_t out_off;		  /* bytes of it already sent */
	struct http_buf in;	  /* the response being read */
	struct bench_io_resp resp;
	double started;	 /* when the request's first byte went */
	double progress; /* last time anything moved */
};

struct totals {
	long requests, non2xx, challenges, stale;
	long connect, read, write, timeout;
	double *lat; /* seconds, one per counted request */
	long max;
};

static unsigned proxy_port, origin_port;
static char target[64], host[32];
static struct answer_creds creds;

/* ---- One exchange ---- */

/* Build the next request into c->out: with credentials once challenged. */
static bool build_request(struct conn *c)
{
	struct http_buf *b = &c->out;

	http_buf_reset(b);
	http_buf_printf(b, "GET %s HTTP/1.1\r\nHost: %s\r\n", target, host);
	if (c->challenged) {
		http_buf_puts(b, "Proxy-Authorization: ");
		if (answer_build(&c->auth, &creds, "GET", target, NULL, 0, b,
				 NULL) != HTTP_OK)
			return false;
		http_buf_puts(b, "\r\n");
	}
	http_buf_puts(b, "\r\n");
	c->out_off = 0;
	return !b->failed;
}

static bool open_conn(struct conn *c, double now)
{
	c->fd = bench_io_connect(proxy_port);
	c->state = CONN_CONNECTING;
	c->progress = now;
	return c->fd >= 0;
}

static void close_conn(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	http_buf_reset(&c->in);
}

/* The response to a request without credentials, or a 407 asking again:
 * take its challenge.  RFC 7616 §3.3: with stale=true the same password
 * goes with the new nonce. */
static bool take_challenge(struct conn *c, struct totals *t)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	struct http_response resp;
	enum http_err err;
	size_t n = 0;

	if (http_parse_response(c->in.data, c->in.len, &resp, &err) <= 0)
		return false;
	if (auth_collect_challenges(resp.headers, resp.num_headers,
				    "Proxy-Authenticate", ch,
				    AUTH_MAX_CHALLENGES, &n) != HTTP_OK &&
	    n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char v[8];

		if (ch[i].kind == AUTH_SCHEME_DIGEST &&
		    auth_get(&ch[i], "stale", v, sizeof v) == HTTP_OK &&
		    strcmp(v, "true") == 0) {
			t->stale++;
			break;
		}
	}
	if (answer_choose(&c->auth, &creds, ch, n, NULL) != HTTP_OK)
		return false;
	c->challenged = true;
	return true;
}

/* A whole response of `len` bytes is at the front of c->in. */
static void on_response(struct conn *c, long len, struct totals *t, double now)
{
	int status = c->resp.status;

	if (!c->challenged) {
		t->challenges++;
		if (status != 407 || !take_challenge(c, t))
			t->non2xx++;
	} else {
		if (t->requests < t->max)
			t->lat[t->requests] = now - c->started;
		t->requests++;
		if (status < 200 || status > 299) {
			t->non2xx++;
			if (status == 407)
				take_challenge(c, t);
		} else {
			struct http_response resp;
			enum http_err err;
			const struct http_header *h;

			/* RFC 7616 §3.5: a nextnonce replaces the nonce. */
			if (http_parse_response(c->in.data, c->in.len, &resp,
						&err) > 0 &&
			    (h = http_header_find(resp.headers,
						  resp.num_headers,
						  "Proxy-Authentication-Info")))
				answer_info(&c->auth, h->value, h->value_len);
		}
	}
	http_buf_consume(&c->in, (size_t)len);
}

/* ---- The loop ---- */

static void next_request(struct conn *c, struct totals *t, double now)
{
	if (c->resp.close || c->in.len > 0) {
		close_conn(c);
		if (!open_conn(c, now))
			t->connect++;
		return;
	}
	if (!build_request(c)) {
		/* Nothing to answer with (the proxy offered no Digest):
		 * start over without credentials. */
		c->challenged = false;
		build_request(c);
	}
	c->state = CONN_SENDING;
	c->started = now;
	c->progress = now;
}

/* Something is ready on c: move the exchange along. */
static void step(struct conn *c, short revents, struct totals *t, double now)
{
	char buf[BENCH_READ_CHUNK];

	if (c->state == CONN_CONNECTING) {
		if (bench_io_connect_error(c->fd) != 0) {
			t->connect++;
			close_conn(c);
			open_conn(c, now);
			return;
		}
		c->resp.close = false;
		next_request(c, t, now);
		return;
	}
	if (c->state == CONN_SENDING) {
		ssize_t k = send(c->fd, c->out.data + c->out_off,
				 c->out.len - c->out_off, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (k <= 0) {
			t->write++;
			close_conn(c);
			open_conn(c, now);
			return;
		}
		c->out_off += (size_t)k;
		c->progress = now;
		if (c->out_off == c->out.len) {
			c->state = CONN_READING;
			bench_io_resp_init(&c->resp);
		}
		return;
	}
	/* CONN_READING */
	(void)revents;
	for (;;) {
		ssize_t k = recv(c->fd, buf, sizeof buf, 0);
		bool eof = k == 0;
		long whole;

		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (k < 0) {
			t->read++;
			close_conn(c);
			open_conn(c, now);
			return;
		}
		if (k > 0 && !http_buf_append(&c->in, buf, (size_t)k)) {
			t->read++;
			close_conn(c);
			open_conn(c, now);
			return;
		}
		c->progress = now;
		whole = bench_io_resp_feed(&c->resp, c->in.data, c->in.len,
					   "GET", eof);
		if (whole < 0) {
			t->read++;
			close_conn(c);
			open_conn(c, now);
			return;
		}
		if (whole > 0) {
			if (eof)
				c->resp.close = true;
			on_response(c, whole, t, now);
			next_request(c, t, now);
			return;
		}
		if (eof)
			return; /* not reached: feed is -1 or > 0 at eof */
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_digest PROXY_PORT ORIGIN_PORT "
			"CONNECTIONS SECONDS MAX_REQUESTS USER:PASS\n");
}

int main(int argc, char **argv)
{
	static char userpass[BENCH_MAX_USERPASS];
	struct totals t = {0};
	struct conn *cs;
	struct pollfd *pfd;
	long nconn, seconds;
	double t0, deadline, now, p50, p99;
	char *colon;

	if (argc != 7) {
		usage();
		return 2;
	}
	proxy_port = (unsigned)strtoul(argv[1], NULL, 10);
	origin_port = (unsigned)strtoul(argv[2], NULL, 10);
	nconn = strtol(argv[3], NULL, 10);
	seconds = strtol(argv[4], NULL, 10);
	t.max = strtol(argv[5], NULL, 10);
	snprintf(userpass, sizeof userpass, "%s", argv[6]);
	colon = strchr(userpass, ':');
	if (proxy_port == 0 || proxy_port > 65535 || origin_port == 0 ||
	    origin_port > 65535 || nconn < 1 || nconn > BENCH_MAX_CONNS ||
	    seconds < 1 || seconds > BENCH_MAX_SECONDS || t.max < 1 ||
	    t.max > BENCH_MAX_REQUESTS || colon == NULL) {
		usage();
		fprintf(stderr,
			"bench_digest: 1..%d connections, 1..%d s, "
			"1..%ld requests\n",
			BENCH_MAX_CONNS, BENCH_MAX_SECONDS, BENCH_MAX_REQUESTS);
		return 2;
	}
	*colon = '\0';
	creds.user = userpass;
	creds.pass = colon + 1;
	creds.allowed = AUTH_SCHEME_DIGEST;
	snprintf(target, sizeof target, "http://127.0.0.1:%u/", origin_port);
	snprintf(host, sizeof host, "127.0.0.1:%u", origin_port);
	bench_io_raise_nofile((uint64_t)nconn + 16);

	cs = calloc((size_t)nconn, sizeof *cs);
	pfd = calloc((size_t)nconn, sizeof *pfd);
	t.lat = calloc((size_t)t.max, sizeof *t.lat);
	if (cs == NULL || pfd == NULL || t.lat == NULL) {
		fprintf(stderr, "bench_digest: out of memory\n");
		return 1;
	}
	t0 = bench_io_now();
	deadline = t0 + (double)seconds;
	for (long i = 0; i < nconn; i++) {
		answer_state_init(&cs[i].auth);
		http_buf_init(&cs[i].out, 0);
		http_buf_init(&cs[i].in, BENCH_IO_MAX_RESPONSE);
		if (!open_conn(&cs[i], t0))
			t.connect++;
	}

	while ((now = bench_io_now()) < deadline && t.requests < t.max) {
		int ready;

		for (long i = 0; i < nconn; i++) {
			struct conn *c = &cs[i];

			if (c->fd >= 0 &&
			    now - c->progress > BENCH_IO_TIMEOUT) {
				t.timeout++;
				close_conn(c);
			}
			if (c->fd < 0 && !open_conn(c, now))
				t.connect++;
			pfd[i].fd = c->fd;
			pfd[i].events =
			    c->state == CONN_READING ? POLLIN : POLLOUT;
			pfd[i].revents = 0;
		}
		ready = poll(pfd, (nfds_t)nconn, 100);
		if (ready < 0 && errno != EINTR) {
			perror("bench_digest: poll");
			return 1;
		}
		now = bench_io_now();
		for (long i = 0; ready > 0 && i < nconn; i++)
			if (pfd[i].revents != 0 && cs[i].fd >= 0)
				step(&cs[i], pfd[i].revents, &t, now);
	}
	now = bench_io_now();

	{
		long n = t.requests < t.max ? t.requests : t.max;

		p50 = bench_io_percentile(t.lat, (size_t)n, 50);
		p99 = bench_io_percentile(t.lat, (size_t)n, 99);
	}
	printf("BENCH requests=%ld seconds=%.3f p50_us=%.0f p99_us=%.0f "
	       "non2xx=%ld connect=%ld read=%ld write=%ld timeout=%ld "
	       "challenges=%ld stale=%ld\n",
	       t.requests, now - t0, p50 * 1e6, p99 * 1e6, t.non2xx, t.connect,
	       t.read, t.write, t.timeout, t.challenges, t.stale);
	for (long i = 0; i < nconn; i++) {
		close_conn(&cs[i]);
		http_buf_free(&cs[i].out);
		http_buf_free(&cs[i].in);
	}
	free(t.lat);
	free(pfd);
	free(cs);
	return 0;
}

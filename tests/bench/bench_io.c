/*
 * tests/bench/bench_io.c - the pieces the benchmark load generators
 * share (see bench_io.h).  Loopback only; every read is bounded by
 * BENCH_IO_MAX_RESPONSE.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- Connecting ---- */

int bench_io_connect(unsigned port)
{
	struct sockaddr_in sa;
	int fd, one = 1, flags;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	/* Each request is written in one send(2); Nagle would only hold
	 * the next one back behind a delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int bench_io_connect_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* ---- Reading a response ---- */

void bench_io_resp_init(struct bench_io_resp *r)
{
	memset(r, 0, sizeof *r);
	http_chunked_init(&r->chunked);
}

/*
 * Does the server close after this response?  RFC 9112 §9.3: "close" in
 * Connection ends the connection; an HTTP/1.0 response persists only
 * with "keep-alive"; a body that ends at the close ends it too.
 */
static bool closes(const struct http_response *resp,
		   const struct http_body_info *body)
{
	if (http_header_has_token(resp->headers, resp->num_headers,
				  "Connection", "close"))
		return true;
	if (resp->minor_version == 0 &&
	    !http_header_has_token(resp->headers, resp->num_headers,
				   "Connection", "keep-alive"))
		return true;
	return body->framing == HTTP_BODY_UNTIL_CLOSE;
}

long bench_io_resp_feed(struct bench_io_resp *r, const char *in, size_t len,
			const char *method, bool eof)
{
	enum http_err err;
	size_t have;

	if (r->head_len == 0) {
		/* The parser keeps pointers into `in`, and only for this
		 * call: the status, the framing and the close flag are
		 * all that is kept. */
		struct http_response resp;
		long n = http_parse_response(in, len, &resp, &err);

		if (n == HTTP_PARSE_PARTIAL)
			return eof ? -1 : 0;
		if (n < 0 || resp.status < 200)
			return -1;
		if (http_response_framing(&resp, method, strlen(method),
					  &r->body) != HTTP_OK)
			return -1;
		r->head_len = n;
		r->status = resp.status;
		r->close = closes(&resp, &r->body);
	}
	have = len - (size_t)r->head_len;
	switch (r->body.framing) {
	case HTTP_BODY_NONE:
		return r->head_len;
	case HTTP_BODY_LENGTH:
		if (r->body.length > BENCH_IO_MAX_RESPONSE)
			return -1;
		if (have >= r->body.length)
			return r->head_len + (long)r->body.length;
		return eof ? -1 : 0;
	case HTTP_BODY_CHUNKED:
		while (r->body_fed < have && !r->chunked.done) {
			long k = http_chunked_feed(
			    &r->chunked, in + r->head_len + r->body_fed,
			    have - r->body_fed, NULL, &err);
			if (k < 0)
				return -1;
			r->body_fed += (size_t)k;
			if (k == 0)
				break;
		}
		if (r->chunked.done)
			return r->head_len + (long)r->body_fed;
		return eof || len > BENCH_IO_MAX_RESPONSE ? -1 : 0;
	case HTTP_BODY_UNTIL_CLOSE:
		if (eof)
			return (long)len;
		return len > BENCH_IO_MAX_RESPONSE ? -1 : 0;
	}
	return -1;
}

/* ---- Figures ---- */

double bench_io_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_io_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	/* Nearest rank: the smallest value with at least p% at or below. */
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

uint64_t bench_io_raise_nofile(uint64_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}

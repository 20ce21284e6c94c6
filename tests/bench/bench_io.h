/*
 * tests/bench/bench_io.h - what the benchmark load generators share:
 * non-blocking loopback connects, an incremental response reader over
 * the http/ parser, a clock, percentiles, and the descriptor limit.
 *
 * The generators are single-threaded poll(2) loops, so a thousand
 * connections cost a thousand descriptors and no threads, and the load
 * they put on a proxy does not depend on how many threads the machine
 * will give them.
 */
#ifndef LAB407_BENCH_IO_H
#define LAB407_BENCH_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../http/buf.h"
#include "../../http/chunked.h"
#include "../../http/message.h"

#define BENCH_IO_MAX_RESPONSE (1u << 20) /* one response, head and body */

/* A non-blocking TCP connection to 127.0.0.1:port with TCP_NODELAY, the
 * connect(2) started (EINPROGRESS is success).  -1 with errno. */
int bench_io_connect(unsigned port);
/* The pending error of a socket whose connect finished (0: connected). */
int bench_io_connect_error(int fd);

/* Where the reader is in one response. */
struct bench_io_resp {
	long head_len; /* 0 until the head is parsed */
	int status;    /* the status code once the head is in */
	bool close;    /* the server will close after this response */
	struct http_body_info body;
	struct http_chunked chunked;
	size_t body_fed; /* body bytes already given to the decoder */
};

void bench_io_resp_init(struct bench_io_resp *r);
/*
 * Look at the bytes received so far for a response to `method` (in[0..len)
 * starts with the status line).  Returns the whole response's length when
 * it is complete, 0 when more is needed, -1 when it cannot be read.  eof:
 * the peer has closed, which completes an until-close body and makes a
 * partial response an error.  1xx interim responses are not expected.
 */
long bench_io_resp_feed(struct bench_io_resp *r, const char *in, size_t len,
			const char *method, bool eof);

/* Monotonic seconds. */
double bench_io_now(void);
/* Sort v[0..n) and return the p-th percentile (0 < p <= 100); 0 if n = 0.
 * Nearest rank, as wrk reports. */
double bench_io_percentile(double *v, size_t n, double p);
/* Raise the soft RLIMIT_NOFILE to at least `want` (never past the hard
 * limit).  Returns the soft limit now in force. */
uint64_t bench_io_raise_nofile(uint64_t want);

#endif

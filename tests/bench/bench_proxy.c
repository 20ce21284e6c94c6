/*
 * tests/bench/bench_proxy.c - load through bin/proxy on loopback: C
 * connections, each sending R keep-alive requests with Basic proxy
 * credentials, reading each response whole.  Prints requests per second
 * and latency percentiles.  Bounded by C*R requests; loopback only.
 *
 *   bench_proxy PROXY_PORT ORIGIN_PORT [CONNECTIONS [REQUESTS_EACH]]
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../net/net.h"

#define BENCH_MAX_CONNS 1000

struct worker {
	unsigned proxy_port, origin_port;
	long requests;
	double *lat;      /* owned by main: one slot per request */
	long done;
	long failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char req[512], err[256];
	enum net_fail why;
	struct http_buf b;
	int n, fd;

	fd = net_connect("127.0.0.1", w->proxy_port, 5000, &why, err,
			 sizeof err);
	if (fd < 0) {
		w->failed = w->requests;
		return NULL;
	}
	net_set_timeouts(fd, 10000, 10000);
	n = snprintf(req, sizeof req,
		     "GET http://127.0.0.1:%u/ HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%u\r\n"
		     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
		     "\r\n",
		     w->origin_port, w->origin_port);
	http_buf_init(&b, 0);
	for (long i = 0; i < w->requests; i++) {
		struct http_response resp;
		struct http_body_info info;
		enum http_err e;
		double t0 = now_s();
		long head;

		if (net_write_all(fd, req, (size_t)n) < 0)
			break;
		head = net_read_head(fd, &b, NULL, &resp, &e);
		if (head <= 0 || resp.status != 200 ||
		    http_response_framing(&resp, "GET", 3, &info) != HTTP_OK ||
		    net_read_body(fd, &b, (size_t)head, &info, 1 << 20, NULL,
				  &e) < 0) {
			w->failed++;
			break;
		}
		http_buf_reset(&b);
		w->lat[w->done++] = now_s() - t0;
	}
	http_buf_free(&b);
	close(fd);
	w->failed += w->requests - w->done - w->failed;
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned pp, op;
	long conns, each, total = 0, failed = 0, k = 0;
	struct worker *ws;
	pthread_t *th;
	double *all, t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_proxy PROXY_PORT ORIGIN_PORT "
				"[CONNECTIONS [REQUESTS_EACH]]\n");
		return 2;
	}
	pp = (unsigned)atoi(argv[1]);
	op = (unsigned)atoi(argv[2]);
	conns = argc > 3 ? atol(argv[3]) : 50;
	each = argc > 4 ? atol(argv[4]) : 200;
	if (conns < 1 || conns > BENCH_MAX_CONNS || each < 1) {
		fprintf(stderr, "bench_proxy: 1..%d connections\n",
			BENCH_MAX_CONNS);
		return 2;
	}
	ws = calloc((size_t)conns, sizeof *ws);
	th = calloc((size_t)conns, sizeof *th);
	all = calloc((size_t)(conns * each), sizeof *all);
	if (ws == NULL || th == NULL || all == NULL)
		return 1;
	t0 = now_s();
	for (long i = 0; i < conns; i++) {
		ws[i] = (struct worker){pp, op, each, all + i * each, 0, 0};
		pthread_create(&th[i], NULL, run, &ws[i]);
	}
	for (long i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		total += ws[i].done;
		failed += ws[i].failed;
	}
	t1 = now_s();
	for (long i = 0; i < conns; i++)
		for (long j = 0; j < ws[i].done; j++)
			all[k++] = ws[i].lat[j];
	qsort(all, (size_t)k, sizeof *all, cmp);
	printf("%ld connections x %ld requests: %ld ok, %ld failed, "
	       "%.0f requests/s\n",
	       conns, each, total, failed, (double)total / (t1 - t0));
	if (k > 0)
		printf("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       all[k / 2] * 1e3, all[k * 99 / 100] * 1e3,
		       all[k - 1] * 1e3);
	free(all);
	free(th);
	free(ws);
	return failed == 0 ? 0 : 1;
}

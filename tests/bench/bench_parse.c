/*
 * tests/bench/bench_parse.c - how fast the sans-I/O core reads what a
 * proxy reads on every request: the request head, then the credentials.
 * Prints figures; asserts nothing about speed (that is for people to
 * compare between commits on the same machine).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../http/auth.h"
#include "../../http/basic.h"
#include "../../http/message.h"

static const char REQ[] =
    "GET http://127.0.0.1:8080/private?x=1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
    "Proxy-Connection: Keep-Alive\r\n"
    "Accept-Encoding: gzip, deflate\r\n"
    "Accept-Language: en\r\n"
    "\r\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
	struct http_request req;
	struct auth_challenge cred;
	struct basic_creds bc;
	enum http_err err;
	double t0, t1;
	long i, bad = 0;

	t0 = now_s();
	for (i = 0; i < n; i++)
		if (http_parse_request(REQ, sizeof REQ - 1, &req, &err) <= 0)
			bad++;
	t1 = now_s();
	printf("parse request head (%zu bytes): %.0f ns each, %.0f MB/s\n",
	       sizeof REQ - 1, (t1 - t0) * 1e9 / (double)n,
	       (double)(sizeof REQ - 1) * (double)n / (t1 - t0) / 1e6);

	t0 = now_s();
	for (i = 0; i < n; i++) {
		const struct http_header *h = http_header_find(
		    req.headers, req.num_headers, "Proxy-Authorization");
		if (h == NULL ||
		    auth_parse_credentials(h->value, h->value_len, &cred) !=
			HTTP_OK ||
		    basic_decode(&cred, &bc) != HTTP_OK)
			bad++;
	}
	t1 = now_s();
	printf("find + parse + decode Basic credentials: %.0f ns each\n",
	       (t1 - t0) * 1e9 / (double)n);
	if (bad != 0) {
		fprintf(stderr, "bench_parse: %ld iterations failed\n", bad);
		return 1;
	}
	return 0;
}

/*
 * min407.c - the smallest honest 407 in C, on top of lab407's core
 * (lesson 09).  One connection at a time, a bounded number of requests,
 * Basic only; it answers 200 itself instead of forwarding.
 *
 *   build/examples/min407 [PORT [REQUESTS]]   prints "listening on HOST:PORT"
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../http/auth.h"
#include "../../http/basic.h"
#include "../../http/message.h"
#include "../../net/net.h"

#define REALM "lab407 proxy"

/* The one user of this example; a real proxy reads a file (http/users.c). */
static const char *const USER = "alice";
static const char *const PASS = "wonderland";

/* Decide: NULL when the credentials are good, else why not. */
static const char *check(const struct http_request *req)
{
	const struct http_header *h;
	struct auth_challenge cred;
	struct basic_creds bc;
	bool user_ok, pass_ok;

	h = http_header_find(req->headers, req->num_headers,
			     "Proxy-Authorization");
	if (h == NULL)
		return "Proxy-Authorization missing";
	if (auth_parse_credentials(h->value, h->value_len, &cred) != HTTP_OK)
		return "Proxy-Authorization does not parse";
	if (cred.kind != AUTH_SCHEME_BASIC)
		return "scheme not offered (only Basic is)";
	if (basic_decode(&cred, &bc) != HTTP_OK)
		return "Basic credentials are malformed";
	/* Both compared, in constant time, before either result is used:
	 * the time taken does not say whether the user exists. */
	user_ok = basic_equal(bc.user, bc.user_len, USER, strlen(USER));
	pass_ok = basic_equal(bc.pass, bc.pass_len, PASS, strlen(PASS));
	basic_creds_wipe(&bc);
	return user_ok && pass_ok ? NULL : "wrong user or password";
}

int main(int argc, char **argv)
{
	char bound[NET_MAX_ADDR], err[256], listen_on[64];
	long requests = argc > 2 ? strtol(argv[2], NULL, 10) : 100;
	int lfd;

	snprintf(listen_on, sizeof listen_on, "127.0.0.1:%s",
		 argc > 1 ? argv[1] : "0");
	lfd = net_listen(listen_on, bound, sizeof bound, err, sizeof err);
	if (lfd < 0) {
		fprintf(stderr, "min407: %s\n", err);
		return 1;
	}
	printf("listening on %s\n", bound);
	fflush(stdout);
	while (requests-- > 0) {
		struct http_buf in, out, extra;
		struct http_request req;
		enum http_err perr;
		const char *why;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		net_set_timeouts(fd, 5000, 5000);
		http_buf_init(&in, 0);
		http_buf_init(&out, 0);
		http_buf_init(&extra, 0);
		if (net_read_head(fd, &in, &req, NULL, &perr) > 0) {
			why = check(&req);
			if (why != NULL) {
				http_buf_puts(&extra, "Proxy-Authenticate: ");
				basic_write_challenge(&extra, REALM);
				http_buf_puts(&extra, "\r\nConnection: close\r\n");
				http_write_text_response(&out, 407, extra.data, why,
							 strlen(why));
			} else {
				const char *ok = "you may use this proxy\n";
				http_write_text_response(&out, 200,
							 "Connection: close\r\n",
							 ok, strlen(ok));
			}
			net_write_all(fd, out.data, out.len);
		}
		http_buf_free(&in);
		http_buf_free(&out);
		http_buf_free(&extra);
		close(fd);
	}
	close(lfd);
	return 0;
}

/*
 * min407.c - the smallest honest 407 in C, on top of lab407's core
 * (lesson 09).  One connection at a time, kept open between requests,
 * a bounded number of requests, Basic only; it answers 200 itself
 * instead of forwarding.
 *
 *   build/examples/min407 [PORT [REQUESTS]]   prints "listening on HOST:PORT"
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
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

/*
 * Answer one request on fd: 407 with a challenge and the reason, or 200.
 * Connection: close only when this is the last answer on the connection.
 */
static void answer(int fd, const struct http_request *req, bool keep)
{
	struct http_buf out, extra;
	const char *why = check(req);
	const char *close_field = keep ? "" : "Connection: close\r\n";

	http_buf_init(&out, 0);
	http_buf_init(&extra, 0);
	if (why != NULL) {
		http_buf_puts(&extra, "Proxy-Authenticate: ");
		basic_write_challenge(&extra, REALM);
		http_buf_puts(&extra, "\r\n");
		http_buf_puts(&extra, close_field);
		http_write_text_response(&out, 407, extra.data, why,
					 strlen(why));
	} else {
		const char *ok = "you may use this proxy\n";
		http_write_text_response(&out, 200, close_field, ok,
					 strlen(ok));
	}
	net_write_all(fd, out.data, out.len);
	http_buf_free(&out);
	http_buf_free(&extra);
}

/*
 * One connection: answer requests until the client closes it or asks to
 * (RFC 9112 §9.3), so the retry after a 407 can come on the same
 * connection, as lesson 02 says it should.  A request with a body gets
 * its answer and a close: this example does not read bodies, and RFC
 * 9112 §9.3 says a server must read the whole body or close.
 */
static void serve(int fd, long *requests)
{
	struct http_buf in;

	http_buf_init(&in, 0);
	while (*requests > 0) {
		struct http_request req;
		struct http_body_info body;
		enum http_err perr;
		long n = net_read_head(fd, &in, &req, NULL, &perr);
		bool keep;

		if (n <= 0)
			break;
		(*requests)--;
		keep = req.minor_version == 1 && *requests > 0 &&
		       !http_header_has_token(req.headers, req.num_headers,
					      "Connection", "close") &&
		       http_request_framing(&req, &body) == HTTP_OK &&
		       body.framing == HTTP_BODY_NONE;
		answer(fd, &req, keep);
		if (!keep)
			break;
		http_buf_consume(&in, (size_t)n);
	}
	http_buf_free(&in);
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
	while (requests > 0) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		net_set_timeouts(fd, 5000, 5000);
		serve(fd, &requests);
		close(fd);
	}
	close(lfd);
	return 0;
}

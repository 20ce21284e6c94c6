/*
 * tests/unit/test_client.c - the client state machine (client/machine.c):
 * what it sends first, how it answers 407 and 401, when it stops.
 *
 * Responses are raw text, as a socket would deliver them.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../client/machine.h"

#define ALICE_BASIC "Basic YWxpY2U6d29uZGVybGFuZA==" /* alice:wonderland */
#define BOB_BASIC "Basic Ym9iOmJ1aWxkZXI="	     /* bob:builder */

#define R407_BASIC                                                             \
	"HTTP/1.1 407 Proxy Authentication Required\r\n"                       \
	"Proxy-Authenticate: Basic realm=\"lab407 proxy\", "                   \
	"charset=\"UTF-8\"\r\n"                                                \
	"Content-Length: 0\r\n\r\n"
#define R401_BASIC                                                             \
	"HTTP/1.1 401 Unauthorized\r\nVia: 1.1 lab407\r\n"                     \
	"WWW-Authenticate: Basic realm=\"lab407 origin\"\r\n"                  \
	"Content-Length: 0\r\n\r\n"
#define R200_VIA                                                               \
	"HTTP/1.1 200 OK\r\nVia: 1.1 lab407\r\nContent-Length: 0\r\n\r\n"

/* Run one response through the machine. */
static void feed(struct client_machine *m, const char *raw,
		 struct client_step *s)
{
	struct http_response resp;
	enum http_err err = HTTP_OK;
	long head = http_parse_response(raw, strlen(raw), &resp, &err);

	assert_true(head > 0);
	client_next(m, &resp, raw + head, strlen(raw) - (size_t)head, s);
}

/* A config through the proxy at the lab's origin. */
static struct client_config proxy_cfg(const char *url)
{
	struct client_config c;

	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.url = url;
	c.via_proxy = true;
	c.proxy.allowed = AUTH_SCHEME_BASIC;
	c.origin.allowed = AUTH_SCHEME_BASIC;
	c.user_agent = "lab407-client/test";
	return c;
}

/* True when the request head has exactly this line. */
static bool has_line(const struct client_step *s, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(s->request.data, want) != NULL;
}

/* ---- The first request ---- */

struct start_case {
	const char *comment;
	const char *url;
	bool via_proxy;
	bool tunnel;
	const char *first_line; /* request line, without CRLF */
	const char *host;	/* Host line */
	bool is_connect;
};

static const struct start_case start_cases[] = {
    /* through a proxy: absolute-form (RFC 9112 §3.2.2) */
    {"proxy absolute-form", "http://127.0.0.1:8080/private", true, false,
     "GET http://127.0.0.1:8080/private HTTP/1.1", "Host: 127.0.0.1:8080",
     false},
    /* an empty path becomes "/" */
    {"proxy empty path", "http://127.0.0.1:8080", true, false,
     "GET http://127.0.0.1:8080/ HTTP/1.1", "Host: 127.0.0.1:8080", false},
    /* direct: origin-form; the default port is left out of Host */
    {"direct origin-form", "http://example.org/a?b=1", false, false,
     "GET /a?b=1 HTTP/1.1", "Host: example.org", false},
    /* a fragment is never sent (RFC 9110 §4.2.5) */
    {"fragment dropped", "http://h:81/p#frag", true, false,
     "GET http://h:81/p HTTP/1.1", "Host: h:81", false},
    /* -p: CONNECT first, authority-form with the port (RFC 9110 §9.3.6) */
    {"tunnel", "http://127.0.0.1:8080/", true, true,
     "CONNECT 127.0.0.1:8080 HTTP/1.1", "Host: 127.0.0.1:8080", true},
    /* https:// defaults to port 443 */
    {"https tunnel", "https://example.org/", true, true,
     "CONNECT example.org:443 HTTP/1.1", "Host: example.org:443", true},
};

static void test_start(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(start_cases) / sizeof(start_cases[0]);
	     i++) {
		const struct start_case *tc = &start_cases[i];
		struct client_config c = proxy_cfg(tc->url);
		struct client_machine m;
		struct client_step s;
		size_t fl = strlen(tc->first_line);

		print_message("case: %s\n", tc->comment);
		c.via_proxy = tc->via_proxy;
		c.tunnel = tc->tunnel;
		c.proxy.user = "alice";
		c.proxy.pass = "wonderland";
		client_init(&m, &c);
		client_step_init(&s);
		client_start(&m, &s);
		assert_int_equal(s.action, CLIENT_SEND);
		assert_int_equal(s.is_connect, tc->is_connect);
		assert_memory_equal(s.request.data, tc->first_line, fl);
		assert_memory_equal(s.request.data + fl, "\r\n", 2);
		assert_true(has_line(&s, tc->host));
		assert_true(has_line(&s, "User-Agent: lab407-client/test"));
		/* no credentials before a challenge */
		assert_null(strstr(s.request.data, "Authorization"));
		/* the head ends with a blank line */
		assert_non_null(strstr(s.request.data, "\r\n\r\n"));
		client_step_free(&s);
	}
}

/* A URL we cannot parse: CLIENT_ERROR with a note. */
static void test_bad_url(void **state)
{
	struct client_config c = proxy_cfg("ftp://example.org/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	assert_int_equal(s.action, CLIENT_ERROR);
	assert_non_null(strstr(s.note, "URL not understood"));
	client_step_free(&s);
}

/* ---- 407: one retry with Proxy-Authorization ---- */

/* 407 with -U: retry with Proxy-Authorization; a second 407: stop. */
static void test_407_retry_then_stop(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);

	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_true(has_line(&s, "Proxy-Authorization: " ALICE_BASIC));
	assert_null(strstr(s.request.data, "\r\nAuthorization:"));
	assert_non_null(
	    strstr(s.note, "Proxy auth using Basic with user 'alice'"));
	assert_int_equal(m.proxy_tries, 1);

	/* the same challenge again: the password is wrong, no loop */
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note,
			       "The proxy answered 407 again; giving up "
			       "(one retry per challenge)"));
	assert_non_null(strstr(s.note, "Response from the proxy itself (a 407 "
				       "is a proxy's)"));
	client_step_free(&s);
}

/* 407 without -U: done, the 407 is the answer. */
static void test_407_no_creds(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "no proxy credentials were given "
				       "(-U)"));
	assert_int_equal(s.request.len, 0);
	client_step_free(&s);
}

/* 407 then 200 with Via: the answer came from the origin. */
static void test_407_then_200(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	feed(&m, R200_VIA, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(
	    strstr(s.note, "Response from the origin (Via: 1.1 lab407)"));
	client_step_free(&s);
}

/* Unknown schemes (Negotiate, NTLM) are skipped; Basic is answered. */
static void test_unknown_schemes(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m,
	     "HTTP/1.1 407 Proxy Authentication Required\r\n"
	     "Proxy-Authenticate: Negotiate\r\n"
	     "Proxy-Authenticate: NTLM\r\n"
	     "Proxy-Authenticate: Basic realm=\"p\"\r\n"
	     "Content-Length: 0\r\n\r\n",
	     &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_true(has_line(&s, "Proxy-Authorization: " ALICE_BASIC));

	/* only schemes we do not speak: stop, naming what was offered */
	client_init(&m, &c);
	client_start(&m, &s);
	feed(&m,
	     "HTTP/1.1 407 Proxy Authentication Required\r\n"
	     "Proxy-Authenticate: Negotiate, NTLM\r\n"
	     "Content-Length: 0\r\n\r\n",
	     &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "No usable proxy scheme: offered "
				       "Negotiate, NTLM"));
	client_step_free(&s);
}

/* ---- 401: Authorization, and both parties at once ---- */

/* -U and -u: 407 -> Proxy-Authorization, then 401 -> both fields. */
static void test_407_then_401(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/admin");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	c.origin.user = "bob";
	c.origin.pass = "builder";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_null(strstr(s.request.data, "\r\nAuthorization:"));

	feed(&m, R401_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_true(has_line(&s, "Proxy-Authorization: " ALICE_BASIC));
	assert_true(has_line(&s, "Authorization: " BOB_BASIC));
	assert_non_null(strstr(s.note, "Server auth using Basic with user "
				       "'bob'"));

	/* bob may not read /admin: 403 from the origin, done */
	feed(&m,
	     "HTTP/1.1 403 Forbidden\r\nVia: 1.1 lab407\r\n"
	     "Content-Length: 0\r\n\r\n",
	     &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "Response from the origin"));
	client_step_free(&s);
}

/* Through a proxy, the origin's Digest uri is the path the origin will
 * see (origin-form, RFC 9112 §3.2.1), not the absolute URL the proxy
 * gets. */
static void test_origin_digest_uri(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/admin?x=1");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.origin.user = "alice";
	c.origin.pass = "wonderland";
	c.origin.allowed = AUTH_SCHEME_DIGEST;
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m,
	     "HTTP/1.1 401 Unauthorized\r\nVia: 1.1 lab407\r\n"
	     "WWW-Authenticate: Digest realm=\"lab407 origin\", qop=\"auth\", "
	     "algorithm=MD5, nonce=\"abc\"\r\nContent-Length: 0\r\n\r\n",
	     &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_memory_equal(s.request.data,
			    "GET http://127.0.0.1:8080/admin?x=1 HTTP/1.1", 44);
	assert_non_null(strstr(s.request.data, "uri=\"/admin?x=1\""));
	assert_non_null(strstr(s.note, "Server auth using Digest MD5 with "
				       "user 'alice'"));
	client_step_free(&s);
}

/* 401 twice: one retry, then stop; 401 without -u: stop at once. */
static void test_401_once(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/private");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.via_proxy = false;
	c.origin.user = "alice";
	c.origin.pass = "queen";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	assert_memory_equal(s.request.data, "GET /private HTTP/1.1\r\n", 23);
	feed(&m, R401_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_true(has_line(&s, "Authorization: Basic YWxpY2U6cXVlZW4="));
	feed(&m, R401_BASIC, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "The origin answered 401 again"));

	c.origin.user = NULL;
	client_init(&m, &c);
	client_start(&m, &s);
	feed(&m, R401_BASIC, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "(-u)"));
	client_step_free(&s);
}

/* A direct request ignores a 407 (no proxy to answer to). */
static void test_407_direct(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.via_proxy = false;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_DONE);
	client_step_free(&s);
}

/* ---- Digest: stale=true gets one silent retry ---- */

#define R407_DIGEST(nonce, stale)                                              \
	"HTTP/1.1 407 Proxy Authentication Required\r\n"                       \
	"Proxy-Authenticate: Digest realm=\"lab407 proxy\", qop=\"auth\", "    \
	"algorithm=SHA-256, nonce=\"" nonce "\"" stale "\r\n"                  \
	"Content-Length: 0\r\n\r\n"

static void test_digest_stale(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	c.proxy.allowed = AUTH_SCHEME_DIGEST;
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);

	feed(&m, R407_DIGEST("n1", ""), &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_non_null(strstr(s.request.data, "Proxy-Authorization: Digest "));
	assert_non_null(strstr(s.request.data, "nonce=\"n1\""));
	assert_non_null(strstr(s.note, "Proxy auth using Digest SHA-256 with "
				       "user 'alice'"));
	assert_int_equal(m.proxy_tries, 1);

	/* stale: a new nonce, retried without counting a try */
	feed(&m, R407_DIGEST("n2", ", stale=true"), &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_non_null(strstr(s.request.data, "nonce=\"n2\""));
	assert_non_null(strstr(s.note, "stale"));
	assert_int_equal(m.proxy_tries, 1);
	assert_true(m.proxy_stale_used);

	/* stale again: only one silent retry */
	feed(&m, R407_DIGEST("n3", ", stale=true"), &s);
	assert_int_equal(s.action, CLIENT_DONE);

	/* a new challenge without stale after the retry: the password is
	 * wrong, stop */
	client_init(&m, &c);
	client_start(&m, &s);
	feed(&m, R407_DIGEST("n1", ""), &s);
	feed(&m, R407_DIGEST("n4", ""), &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_non_null(strstr(s.note, "giving up"));
	client_step_free(&s);
}

/* ---- CONNECT ---- */

/* 407 on the CONNECT, retry the CONNECT, then 200 opens the tunnel and
 * the request goes inside in origin-form without Proxy-Authorization. */
static void test_connect(void **state)
{
	struct client_config c = proxy_cfg("https://127.0.0.1:8443/private");
	struct client_machine m;
	struct client_step s;

	(void)state;
	c.tunnel = true;
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	assert_true(s.is_connect);
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_true(s.is_connect);
	assert_memory_equal(s.request.data,
			    "CONNECT 127.0.0.1:8443 HTTP/1.1\r\n", 33);
	assert_true(has_line(&s, "Proxy-Authorization: " ALICE_BASIC));

	feed(&m, "HTTP/1.1 200 Connection established\r\n\r\n", &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_false(s.is_connect);
	assert_true(m.tunnel_up);
	assert_memory_equal(s.request.data, "GET /private HTTP/1.1\r\n", 23);
	assert_null(strstr(s.request.data, "Proxy-Authorization"));
	assert_true(has_line(&s, "Host: 127.0.0.1:8443"));

	/* inside the tunnel a 200 has no Via and is still the origin's */
	feed(&m, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_null(strstr(s.note, "proxy itself"));

	/* a refused CONNECT (403) ends it */
	client_init(&m, &c);
	client_start(&m, &s);
	feed(&m, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", &s);
	assert_int_equal(s.action, CLIENT_DONE);
	assert_false(m.tunnel_up);
	assert_non_null(strstr(s.note, "refused the tunnel: 403"));
	client_step_free(&s);
}

/* ---- Bodies and extra headers ---- */

/* A POST body goes with every try; -H lines are kept; a Host from -H
 * replaces ours. */
static void test_body_resent(void **state)
{
	struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
	struct client_machine m;
	struct client_step s;
	const char *tail = "Content-Length: 3\r\n\r\na=1";

	(void)state;
	c.method = "POST";
	c.body = "a=1";
	c.body_len = 3;
	c.extra_headers = "X-Lab: yes\r\nHost: other.example\r\n";
	c.proxy.user = "alice";
	c.proxy.pass = "wonderland";
	client_init(&m, &c);
	client_step_init(&s);
	client_start(&m, &s);
	assert_memory_equal(s.request.data, "POST http://127.0.0.1:8080/ ", 28);
	assert_string_equal(s.request.data + s.request.len - strlen(tail),
			    tail);
	assert_true(has_line(&s, "X-Lab: yes"));
	assert_true(has_line(&s, "Host: other.example"));
	assert_false(has_line(&s, "Host: 127.0.0.1:8080"));
	feed(&m, R407_BASIC, &s);
	assert_int_equal(s.action, CLIENT_SEND);
	assert_string_equal(s.request.data + s.request.len - strlen(tail),
			    tail);
	client_step_free(&s);
}

/*
 * -H lines replace the machine's own Host, User-Agent and Accept: the
 * lines are read by the message parser, so a name matches whatever its
 * case, only as a whole field name, and a line the parser refuses sets
 * nothing.
 */
struct user_field_case {
	const char *comment;
	const char *extra;
	const char *present; /* a line the request must have */
	const char *absent;  /* a line it must not have */
};

static const struct user_field_case user_field_cases[] = {
    /* the user's Host wins */
    {"host replaced", "Host: other.example\r\n", "Host: other.example",
     "Host: 127.0.0.1:8080"},
    /* field names are case-insensitive (RFC 9110 §5.1) */
    {"accept lower case", "accept: text/plain\r\n", "accept: text/plain",
     "Accept: */*"},
    /* a longer name that begins with "Host" is another field */
    {"host prefix is not host", "Host-Extra: 1\r\n", "Host: 127.0.0.1:8080",
     NULL},
    /* a name that ends with "Accept" is another field too */
    {"x-accept is not accept", "X-Accept: 1\r\n", "Accept: */*", NULL},
    /* an empty value still sets the field (curl removes it; we send it) */
    {"empty user-agent", "User-Agent:\r\n",
     "User-Agent:", "User-Agent: lab407-client/test"},
    /* the second of several lines counts */
    {"second line", "X-A: 1\r\nUser-Agent: mine\r\n", "User-Agent: mine",
     "User-Agent: lab407-client/test"},
    /* whitespace before the colon is refused by the parser (RFC 9112
     * §5.1): nothing is taken as set, the machine's Host stays */
    {"space before colon sets nothing", "Host : x\r\n", "Host: 127.0.0.1:8080",
     NULL},
};

static void test_user_fields(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(user_field_cases) / sizeof(user_field_cases[0]); i++) {
		const struct user_field_case *tc = &user_field_cases[i];
		struct client_config c = proxy_cfg("http://127.0.0.1:8080/");
		struct client_machine m;
		struct client_step s;

		print_message("case: %s\n", tc->comment);
		c.extra_headers = tc->extra;
		client_init(&m, &c);
		client_step_init(&s);
		client_start(&m, &s);
		assert_int_equal(s.action, CLIENT_SEND);
		assert_true(has_line(&s, tc->present));
		if (tc->absent != NULL)
			assert_false(has_line(&s, tc->absent));
		client_step_free(&s);
		client_free(&m);
	}
}

/* ---- Who answered ---- */

struct who_case {
	const char *comment;
	const char *raw;
	bool via_proxy;
	const char *want;
};

static const struct who_case who_cases[] = {
    /* a 407 is the proxy's own, whatever it carries */
    {"407", R407_BASIC, true, "proxy"},
    /* Squid puts Via on its own 407 too: still the proxy's */
    {"squid 407 with via",
     "HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid/5.7\r\n"
     "X-Squid-Error: ERR_CACHE_ACCESS_DENIED 0\r\n"
     "Via: 1.1 host (squid/5.7)\r\n\r\n",
     true, "proxy"},
    /* Squid's own 503 with Via: X-Squid-Error says who wrote it */
    {"squid 503 with via",
     "HTTP/1.1 503 Service Unavailable\r\nServer: squid/5.7\r\n"
     "X-Squid-Error: ERR_CONNECT_FAIL 111\r\n"
     "Via: 1.1 host (squid/5.7)\r\n\r\n",
     true, "proxy"},
    /* a proxy's own error named by Server, even with a Via */
    {"server names squid, via",
     "HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\n"
     "Via: 1.1 host (squid/5.7)\r\n\r\n",
     true, "proxy"},
    /* lab407's own 403, 400, 502: Server: lab407-proxy, no Via */
    {"lab407 403", "HTTP/1.1 403 Forbidden\r\nServer: lab407-proxy\r\n\r\n",
     true, "proxy"},
    {"lab407 502", "HTTP/1.1 502 Bad Gateway\r\nServer: lab407-proxy\r\n\r\n",
     true, "proxy"},
    /* tinyproxy's own error page */
    {"tinyproxy 500",
     "HTTP/1.1 500 Unable to connect\r\nServer: tinyproxy/1.11.1\r\n\r\n", true,
     "proxy"},
    /* relayed: the proxy's Via is there (RFC 9110 §7.6.3) */
    {"200 via", R200_VIA, true, "origin"},
    /* relayed through Squid: the origin's Server and Squid's Via */
    {"relayed by squid",
     "HTTP/1.1 401 Unauthorized\r\nServer: lab407-origin\r\n"
     "Via: 1.1 host (squid/5.7)\r\n\r\n",
     true, "origin"},
    /* no Via and nothing naming a proxy: the lab cannot tell */
    {"bare 403", "HTTP/1.1 403 Forbidden\r\n\r\n", true, "cannot tell"},
    {"origin's server, no via",
     "HTTP/1.1 200 OK\r\nServer: lab407-origin\r\n\r\n", true, "cannot tell"},
    /* no proxy in the path: always the origin */
    {"direct", "HTTP/1.1 403 Forbidden\r\n\r\n", false, "origin"},
    {"direct, even a 407", R407_BASIC, false, "origin"},
};

static void test_who_answered(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(who_cases) / sizeof(who_cases[0]); i++) {
		const struct who_case *tc = &who_cases[i];
		struct http_response resp;
		enum http_err err;

		print_message("case: %s\n", tc->comment);
		assert_true(http_parse_response(tc->raw, strlen(tc->raw), &resp,
						&err) > 0);
		assert_string_equal(client_who_answered(&resp, tc->via_proxy),
				    tc->want);
	}
}

/* client_next before client_start is an error, not a crash. */
static void test_next_before_start(void **state)
{
	struct client_config c = proxy_cfg("http://h/");
	struct client_machine m;
	struct client_step s;

	(void)state;
	client_init(&m, &c);
	client_step_init(&s);
	feed(&m, R200_VIA, &s);
	assert_int_equal(s.action, CLIENT_ERROR);
	client_step_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start),
	    cmocka_unit_test(test_bad_url),
	    cmocka_unit_test(test_407_retry_then_stop),
	    cmocka_unit_test(test_407_no_creds),
	    cmocka_unit_test(test_407_then_200),
	    cmocka_unit_test(test_unknown_schemes),
	    cmocka_unit_test(test_407_then_401),
	    cmocka_unit_test(test_origin_digest_uri),
	    cmocka_unit_test(test_401_once),
	    cmocka_unit_test(test_407_direct),
	    cmocka_unit_test(test_digest_stale),
	    cmocka_unit_test(test_connect),
	    cmocka_unit_test(test_body_resent),
	    cmocka_unit_test(test_user_fields),
	    cmocka_unit_test(test_who_answered),
	    cmocka_unit_test(test_next_before_start),
	};

	return cmocka_run_group_tests_name("client", tests, NULL, NULL);
}

/*
 * tests/unit/test_facts.c - facts_read(): a request head read once.
 *
 * One table per kind of fact (target form, Connection, Max-Forwards,
 * Expect, credentials fields, Host, framing), several members each.
 * Every request of every table is also read by the helpers that walk
 * the header list themselves (persist_request(), expect_continue(),
 * http_request_check_host(), http_request_framing(),
 * http_header_has_token()): the facts must agree with each of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/expect.h"
#include "../../http/facts.h"
#include "../../http/persist.h"

/* Parse a whole request head; the test fails if it does not parse. */
static void parse(const char *text, struct http_request *req)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_request(text, strlen(text), req, &e);

	if (n <= 0)
		fail_msg("does not parse (%s): %s", http_strerror(e), text);
}

/* The facts agree with every helper that reads req on its own. */
static void agrees_with_helpers(const struct http_request *req,
				const struct facts *f)
{
	struct http_body_info info;
	enum http_err fe = http_request_framing(req, &info);

	assert_ptr_equal(f->req, req);
	assert_int_equal(f->minor_version, req->minor_version);
	assert_int_equal(f->keep_alive, persist_request(req));
	assert_int_equal(f->close_after_early_answer,
			 persist_close_after_early_answer(req));
	assert_int_equal(f->expect_continue, expect_continue(req));
	assert_int_equal(f->host_err, http_request_check_host(req));
	assert_int_equal(f->framing_err, fe);
	if (fe == HTTP_OK) {
		assert_int_equal(f->body.framing, info.framing);
		assert_true(f->body.length == info.length);
	}
	assert_int_equal(
	    f->host_count,
	    http_header_count(req->headers, req->num_headers, "Host"));
	assert_int_equal(
	    f->connection.num_fields,
	    http_header_count(req->headers, req->num_headers, "Connection"));
	assert_int_equal(f->connection.close,
			 http_header_has_token(req->headers, req->num_headers,
					       "Connection", "close"));
	assert_int_equal(f->connection.keep_alive,
			 http_header_has_token(req->headers, req->num_headers,
					       "Connection", "keep-alive"));
	for (size_t i = 0; i < req->num_headers; i++) {
		char name[128];

		snprintf(name, sizeof(name), "%.*s",
			 (int)req->headers[i].name_len, req->headers[i].name);
		assert_int_equal(f->connection.named[i],
				 http_header_has_token(req->headers,
						       req->num_headers,
						       "Connection", name));
	}
	assert_int_equal(f->proxy_authorization.count,
			 http_header_count(req->headers, req->num_headers,
					   "Proxy-Authorization"));
	assert_int_equal(
	    f->authorization.count,
	    http_header_count(req->headers, req->num_headers, "Authorization"));
	assert_ptr_equal(f->proxy_authorization.first,
			 http_header_find(req->headers, req->num_headers,
					  "Proxy-Authorization"));
	assert_ptr_equal(
	    f->authorization.first,
	    http_header_find(req->headers, req->num_headers, "Authorization"));
	/* Every Proxy-Authorization the auth parser reads with scheme s
	 * has s in schemes: the gate skips parsing on that. */
	for (size_t i = 0; i < req->num_headers; i++) {
		struct auth_challenge c;
		const struct http_header *h = &req->headers[i];

		if (http_header_is(h, "Proxy-Authorization") &&
		    auth_parse_credentials(h->value, h->value_len, &c) ==
			HTTP_OK)
			assert_true((f->proxy_authorization.schemes &
				     (unsigned)c.kind) != 0);
	}
}

/* Read text into *req and *f, and check the facts against the helpers. */
static void read_case(const char *text, struct http_request *req,
		      struct facts *f)
{
	parse(text, req);
	facts_read(req, f);
	agrees_with_helpers(req, f);
}

/* The same for `line`, "Host: h" and then `fields`; text (cap bytes)
 * holds the request and must outlive req. */
static void read_fields(const char *line, const char *fields, char *text,
			size_t cap, struct http_request *req, struct facts *f)
{
	snprintf(text, cap, "%s\r\nHost: h\r\n%s\r\n", line, fields);
	read_case(text, req, f);
}

/* ---- Target form (RFC 9112 §3.2) ---- */

static const struct {
	const char *in;
	enum facts_target form;
	const char *host; /* ABSOLUTE and AUTHORITY: u.host */
	unsigned port;
	const char *path; /* ABSOLUTE: u.path */
} target_cases[] = {
    /* origin-form, with and without a query */
    {"GET /a?b=c HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ORIGIN, NULL, 0,
     NULL},
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ORIGIN, NULL, 0, NULL},
    /* absolute-form: explicit port, default port, https, scheme case */
    {"GET http://h:81/x HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ABSOLUTE,
     "h", 81, "/x"},
    {"GET http://example.com HTTP/1.1\r\nHost: h\r\n\r\n",
     FACTS_TARGET_ABSOLUTE, "example.com", 80, "/"},
    {"GET https://h/s HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ABSOLUTE, "h",
     443, "/s"},
    {"GET HTTP://h/ HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ABSOLUTE, "h",
     80, "/"},
    /* an empty path before a query becomes "/?q" (§3.2.1) */
    {"GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ABSOLUTE, "h",
     80, "/?q"},
    /* authority-form, names and IP literals */
    {"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", FACTS_TARGET_AUTHORITY,
     "h", 443, NULL},
    {"CONNECT 127.0.0.1:8443 HTTP/1.1\r\nHost: h\r\n\r\n",
     FACTS_TARGET_AUTHORITY, "127.0.0.1", 8443, NULL},
    {"CONNECT [::1]:22 HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_AUTHORITY,
     "::1", 22, NULL},
    /* asterisk-form */
    {"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_ASTERISK, NULL, 0,
     NULL},
    /* none of them: another scheme, authority without a port, a bad
     * port, a second star */
    {"GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_OTHER, NULL, 0,
     NULL},
    {"CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_OTHER, NULL, 0,
     NULL},
    {"CONNECT h:99999 HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_OTHER, NULL, 0,
     NULL},
    {"OPTIONS ** HTTP/1.1\r\nHost: h\r\n\r\n", FACTS_TARGET_OTHER, NULL, 0,
     NULL},
};

static void test_target(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]);
	     i++) {
		struct http_request req;
		struct facts f;

		read_case(target_cases[i].in, &req, &f);
		assert_int_equal(f.target, target_cases[i].form);
		if (f.target == FACTS_TARGET_OTHER)
			assert_int_not_equal(f.url_err, HTTP_OK);
		else
			assert_int_equal(f.url_err, HTTP_OK);
		if (target_cases[i].host != NULL) {
			assert_string_equal(f.url.host, target_cases[i].host);
			assert_int_equal(f.url.port, target_cases[i].port);
		}
		if (target_cases[i].path != NULL) {
			assert_int_equal(f.url.path_len,
					 strlen(target_cases[i].path));
			assert_memory_equal(f.url.path, target_cases[i].path,
					    f.url.path_len);
		}
	}
}

/* ---- Connection (RFC 9110 §7.6.1) ---- */

static const struct {
	const char *in;
	bool close, keep_alive, persists;
	size_t num_options;
	const char *named; /* the fields named, as "|A|B|", or "" */
} connection_cases[] = {
    /* none: HTTP/1.1 persists, HTTP/1.0 does not */
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", false, false, true, 0, ""},
    {"GET / HTTP/1.0\r\n\r\n", false, false, false, 0, ""},
    /* close, in any case */
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", true, false,
     false, 1, ""},
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n", true, false,
     false, 1, ""},
    /* keep-alive makes HTTP/1.0 persist; close still wins */
    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false, true, true, 1,
     ""},
    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", true, true,
     false, 2, ""},
    /* several tokens, odd spacing, empty elements, named fields in
     * another case than the field line */
    {"GET / HTTP/1.1\r\nHost: h\r\nX-Foo: 1\r\nx-bar: 2\r\n"
     "Connection:  keep-alive ,\tX-FOO ,, X-Bar\t\r\n\r\n",
     false, true, true, 3, "|X-Foo|x-bar|"},
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: ,,close,,\r\n\r\n", true, false,
     false, 1, ""},
    /* a Connection that names itself */
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: connection\r\n\r\n", false,
     false, true, 1, "|Connection|"},
    /* two Connection field lines */
    {"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nConnection: x-a\r\n"
     "X-B: 2\r\nConnection: X-B, close\r\n\r\n",
     true, false, false, 3, "|X-A|X-B|"},
    /* near misses are other options */
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, keepalive\r\n\r\n",
     false, false, true, 2, ""},
    /* a field named twice, and the same name on two field lines */
    {"GET / HTTP/1.1\r\nHost: h\r\nTE: trailers\r\nTe: x\r\n"
     "Connection: TE, te\r\n\r\n",
     false, false, true, 2, "|TE|Te|"},
    /* an empty Connection */
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection:\r\n\r\n", false, false, true, 0,
     ""},
};

static void test_connection(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(connection_cases) / sizeof(connection_cases[0]); i++) {
		struct http_request req;
		struct facts f;

		read_case(connection_cases[i].in, &req, &f);
		assert_int_equal(f.connection.close, connection_cases[i].close);
		assert_int_equal(f.connection.keep_alive,
				 connection_cases[i].keep_alive);
		assert_int_equal(f.keep_alive, connection_cases[i].persists);
		assert_int_equal(f.connection.num_options,
				 connection_cases[i].num_options);
		for (size_t k = 0; k < req.num_headers; k++) {
			char bar[130];

			snprintf(bar, sizeof(bar), "|%.*s|",
				 (int)req.headers[k].name_len,
				 req.headers[k].name);
			assert_int_equal(
			    f.connection.named[k],
			    strstr(connection_cases[i].named, bar) != NULL);
		}
	}
}

/* The same reader serves a response head (proxy_relay_head's use). */
static void test_connection_response(void **state)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nX-Secret: 1\r\n"
				   "Connection: x-secret, close\r\n"
				   "Content-Length: 0\r\n\r\n";
	struct http_response resp;
	struct facts_connection c;
	enum http_err e = HTTP_OK;

	(void)state;
	assert_true(http_parse_response(text, strlen(text), &resp, &e) > 0);
	facts_read_connection(resp.headers, resp.num_headers, &c);
	assert_true(c.close);
	assert_false(c.keep_alive);
	assert_int_equal(c.num_fields, 1);
	assert_int_equal(c.num_options, 2);
	assert_true(c.named[0]);  /* X-Secret */
	assert_false(c.named[1]); /* Connection */
	assert_false(c.named[2]); /* Content-Length */
}

/* ---- Max-Forwards (RFC 9110 §7.6.2) ---- */

static const struct {
	const char *fields; /* after Host */
	size_t count;
	long value;
} max_forwards_cases[] = {
    {"", 0, -1},
    {"Max-Forwards: 0\r\n", 1, 0},
    {"Max-Forwards: 10\r\n", 1, 10},
    {"max-forwards: 007\r\n", 1, 7},
    /* more digits than FACTS_MAX_FORWARDS_DIGITS: the first nine */
    {"Max-Forwards: 1234567890123\r\n", 1, 123456789},
    /* not 1*DIGIT: passed on as is */
    {"Max-Forwards: -1\r\n", 1, -1},
    {"Max-Forwards: +5\r\n", 1, -1},
    {"Max-Forwards: 1x\r\n", 1, -1},
    {"Max-Forwards: 1, 2\r\n", 1, -1},
    {"Max-Forwards: 1 2\r\n", 1, -1},
    {"Max-Forwards:\r\n", 1, -1},
    /* repeated: the first field line decides */
    {"Max-Forwards: 3\r\nMax-Forwards: 0\r\n", 2, 3},
    {"Max-Forwards: x\r\nMax-Forwards: 2\r\n", 2, -1},
    {"Max-Forwards: 0\r\nX-A: 1\r\nMax-Forwards: 9\r\n", 2, 0},
};

static void test_max_forwards(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(max_forwards_cases) / sizeof(max_forwards_cases[0]);
	     i++) {
		char text[512];
		struct http_request req;
		struct facts f;

		read_fields("OPTIONS http://h/ HTTP/1.1",
			    max_forwards_cases[i].fields, text, sizeof(text),
			    &req, &f);
		assert_int_equal(f.max_forwards_count,
				 max_forwards_cases[i].count);
		assert_int_equal(f.max_forwards, max_forwards_cases[i].value);
	}
}

/* ---- Expect (RFC 9110 §10.1.1) ---- */

static const struct {
	const char *in;
	size_t count;
	bool cont, other;
} expect_cases[] = {
    {"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n", 0, false, false},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
     "Content-Length: 1\r\n\r\n",
     1, true, false},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n", 1, true,
     false},
    /* HTTP/1.0: the expectation is ignored */
    {"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", 1,
     false, false},
    /* other expectations, alone, in a list, on a second line */
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue, foo\r\n\r\n", 1, true,
     true},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: foo=bar\r\n\r\n", 1, false, true},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n"
     "Expect: 100-continue\r\n\r\n",
     2, true, true},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continued\r\n\r\n", 1, false,
     true},
    {"PUT / HTTP/1.1\r\nHost: h\r\nExpect:\r\n\r\n", 1, false, false},
};

static void test_expect(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expect_cases) / sizeof(expect_cases[0]);
	     i++) {
		struct http_request req;
		struct facts f;

		read_case(expect_cases[i].in, &req, &f);
		assert_int_equal(f.expect_count, expect_cases[i].count);
		assert_int_equal(f.expect_continue, expect_cases[i].cont);
		assert_int_equal(f.expect_other, expect_cases[i].other);
	}
}

/* ---- Credentials fields (RFC 9110 §11.6.2, §11.7.2) ---- */

static const struct {
	const char *fields; /* after Host */
	size_t pa_count;
	enum auth_scheme pa_first;
	unsigned pa_schemes;
	size_t a_count;
	enum auth_scheme a_first;
} credentials_cases[] = {
    {"", 0, AUTH_SCHEME_NONE, 0, 0, AUTH_SCHEME_NONE},
    {"Proxy-Authorization: Basic YTpi\r\n", 1, AUTH_SCHEME_BASIC,
     AUTH_SCHEME_BASIC, 0, AUTH_SCHEME_NONE},
    {"proxy-authorization: digest username=\"a\"\r\n", 1, AUTH_SCHEME_DIGEST,
     AUTH_SCHEME_DIGEST, 0, AUTH_SCHEME_NONE},
    /* a scheme alone, with no token68 or params */
    {"Proxy-Authorization: Negotiate\r\n", 1, AUTH_SCHEME_NEGOTIATE,
     AUTH_SCHEME_NEGOTIATE, 0, AUTH_SCHEME_NONE},
    /* repeated: count 2, the first decides first_scheme, both in
     * schemes */
    {"Proxy-Authorization: Basic YTpi\r\n"
     "Proxy-Authorization: NTLM TlRMTVNTUAABAAAA\r\n",
     2, AUTH_SCHEME_BASIC, AUTH_SCHEME_BASIC | AUTH_SCHEME_NTLM, 0,
     AUTH_SCHEME_NONE},
    {"Proxy-Authorization: Bearer t\r\nProxy-Authorization: Bearer u\r\n", 2,
     AUTH_SCHEME_BEARER, AUTH_SCHEME_BEARER, 0, AUTH_SCHEME_NONE},
    /* what the auth parser takes after a scheme: a comma, HTAB */
    {"Proxy-Authorization: Basic,YTpi\r\n", 1, AUTH_SCHEME_BASIC,
     AUTH_SCHEME_BASIC, 0, AUTH_SCHEME_NONE},
    {"Proxy-Authorization: NTLM\tTlRMTVNTUAABAAAA\r\n", 1, AUTH_SCHEME_NTLM,
     AUTH_SCHEME_NTLM, 0, AUTH_SCHEME_NONE},
    /* no scheme token at the start */
    {"Proxy-Authorization: =abc\r\n", 1, AUTH_SCHEME_NONE, 0, 0,
     AUTH_SCHEME_NONE},
    {"Proxy-Authorization:\r\n", 1, AUTH_SCHEME_NONE, 0, 0, AUTH_SCHEME_NONE},
    /* a scheme lab407 does not speak */
    {"Proxy-Authorization: Foo bar\r\n", 1, AUTH_SCHEME_UNKNOWN,
     AUTH_SCHEME_UNKNOWN, 0, AUTH_SCHEME_NONE},
    /* Authorization alone (for the origin), twice, and beside
     * Proxy-Authorization */
    {"Authorization: Bearer t\r\n", 0, AUTH_SCHEME_NONE, 0, 1,
     AUTH_SCHEME_BEARER},
    {"Authorization: Basic YTpi\r\nAuthorization: Digest a=b\r\n", 0,
     AUTH_SCHEME_NONE, 0, 2, AUTH_SCHEME_BASIC},
    {"Authorization: Digest a=b\r\nProxy-Authorization: Basic YTpi\r\n", 1,
     AUTH_SCHEME_BASIC, AUTH_SCHEME_BASIC, 1, AUTH_SCHEME_DIGEST},
};

static void test_credentials(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(credentials_cases) / sizeof(credentials_cases[0]);
	     i++) {
		char text[512];
		struct http_request req;
		struct facts f;

		read_fields("GET http://h/ HTTP/1.1",
			    credentials_cases[i].fields, text, sizeof(text),
			    &req, &f);
		assert_int_equal(f.proxy_authorization.count,
				 credentials_cases[i].pa_count);
		assert_int_equal(f.proxy_authorization.first_scheme,
				 credentials_cases[i].pa_first);
		assert_int_equal(f.proxy_authorization.schemes,
				 credentials_cases[i].pa_schemes);
		assert_int_equal(f.authorization.count,
				 credentials_cases[i].a_count);
		assert_int_equal(f.authorization.first_scheme,
				 credentials_cases[i].a_first);
	}
}

/* ---- Host (RFC 9112 §3.2) ---- */

static const struct {
	const char *in;
	size_t count;
	enum http_err err;
} host_cases[] = {
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1, HTTP_OK},
    {"GET / HTTP/1.1\r\nhost: h:8080\r\n\r\n", 1, HTTP_OK},
    {"GET / HTTP/1.1\r\n\r\n", 0, HTTP_E_HOST_MISSING},
    {"GET / HTTP/1.0\r\n\r\n", 0, HTTP_OK},
    {"GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", 2, HTTP_E_HOST_REPEATED},
    {"GET / HTTP/1.0\r\nHost: a\r\nX: 1\r\nHOST: b\r\n\r\n", 2,
     HTTP_E_HOST_REPEATED},
    {"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 1, HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost:\r\n\r\n", 1, HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:http\r\n\r\n", 1, HTTP_E_HOST},
};

static void test_host(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]);
	     i++) {
		struct http_request req;
		struct facts f;

		read_case(host_cases[i].in, &req, &f);
		assert_int_equal(f.host_count, host_cases[i].count);
		assert_int_equal(f.host_err, host_cases[i].err);
		assert_int_equal(f.host == NULL, host_cases[i].count == 0);
	}
}

/* ---- Framing (RFC 9112 §6) and the early answer ---- */

static const struct {
	const char *fields; /* after Host */
	enum http_err err;
	enum http_framing framing;
	bool close_early;
} framing_cases[] = {
    {"", HTTP_OK, HTTP_BODY_NONE, false},
    {"Content-Length: 0\r\n", HTTP_OK, HTTP_BODY_LENGTH, false},
    {"Content-Length: 10\r\n", HTTP_OK, HTTP_BODY_LENGTH, false},
    /* more than PERSIST_MAX_DISCARD: not worth reading to skip */
    {"Content-Length: 70000\r\n", HTTP_OK, HTTP_BODY_LENGTH, true},
    /* a body held back behind Expect cannot be skipped */
    {"Content-Length: 10\r\nExpect: 100-continue\r\n", HTTP_OK,
     HTTP_BODY_LENGTH, true},
    {"Expect: 100-continue\r\n", HTTP_OK, HTTP_BODY_NONE, false},
    {"Transfer-Encoding: chunked\r\n", HTTP_OK, HTTP_BODY_CHUNKED, true},
    /* unframeable: 400 and close */
    {"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n", HTTP_E_CL_AND_TE,
     HTTP_BODY_NONE, true},
    {"Content-Length: 1\r\nContent-Length: 2\r\n", HTTP_E_CL_CONFLICT,
     HTTP_BODY_NONE, true},
};

static void test_framing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(framing_cases) / sizeof(framing_cases[0]);
	     i++) {
		char text[512];
		struct http_request req;
		struct facts f;

		read_fields("POST http://h/ HTTP/1.1", framing_cases[i].fields,
			    text, sizeof(text), &req, &f);
		assert_int_equal(f.framing_err, framing_cases[i].err);
		if (f.framing_err == HTTP_OK)
			assert_int_equal(f.body.framing,
					 framing_cases[i].framing);
		assert_int_equal(f.close_after_early_answer,
				 framing_cases[i].close_early);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_connection),
	    cmocka_unit_test(test_connection_response),
	    cmocka_unit_test(test_max_forwards),
	    cmocka_unit_test(test_expect),
	    cmocka_unit_test(test_credentials),
	    cmocka_unit_test(test_host),
	    cmocka_unit_test(test_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

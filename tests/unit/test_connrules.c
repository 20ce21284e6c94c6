/*
 * tests/unit/test_connrules.c - the connection rules written once in
 * http/: keep-alive (persist.c), Expect (expect.c), retries (retry.c),
 * trailers (trailer.c), and the one body mover (net/body.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/expect.h"
#include "../../http/persist.h"
#include "../../http/retry.h"
#include "../../http/trailer.h"
#include "../../net/body.h"

/* Parse a request head that must be valid. */
static void parse(const char *head, struct http_request *req)
{
	enum http_err e;

	assert_int_equal(http_parse_request(head, strlen(head), req, &e),
			 (long)strlen(head));
}

/* ---- Keep-alive (RFC 9112 §9.3) ---- */

static const struct {
	const char *head;
	bool keep;
} keep_cases[] = {
    /* HTTP/1.1 persists by default. */
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true},
    /* ... unless close is listed, in any case and among other tokens. */
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: TE, Close\r\n\r\n", false},
    /* HTTP/1.0 closes by default ... */
    {"GET / HTTP/1.0\r\n\r\n", false},
    /* ... and persists only with keep-alive. */
    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
    /* close wins over keep-alive. */
    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
};

static void test_persist(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(keep_cases) / sizeof(keep_cases[0]);
	     i++) {
		struct http_request req;

		parse(keep_cases[i].head, &req);
		assert_int_equal(persist_request(&req), keep_cases[i].keep);
	}
}

static const struct {
	const char *head;
	bool close; /* an early answer must close */
} early_cases[] = {
    /* No body: nothing to skip. */
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", false},
    /* A small body is read and dropped. */
    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", false},
    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65536\r\n\r\n", false},
    /* Larger than PERSIST_MAX_DISCARD: close. */
    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n", true},
    /* Chunked: no length to skip. */
    {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", true},
    /* Held back by Expect: it may never come. */
    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: "
     "100-continue\r\n\r\n",
     true},
    /* Unframeable: close. */
    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: "
     "6\r\n\r\n",
     true},
};

static void test_early_answer(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(early_cases) / sizeof(early_cases[0]);
	     i++) {
		struct http_request req;

		parse(early_cases[i].head, &req);
		assert_int_equal(persist_close_after_early_answer(&req),
				 early_cases[i].close);
	}
}

/* ---- Expect (RFC 9110 §10.1.1) ---- */

static const struct {
	const char *head;
	bool expect;
} expect_cases[] = {
    {"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", true},
    /* Case-insensitive token. */
    {"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n", true},
    /* Not honoured from an HTTP/1.0 client. */
    {"POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", false},
    /* Another expectation is not this one. */
    {"POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", false},
    {"POST / HTTP/1.1\r\nHost: h\r\n\r\n", false},
};

static void test_expect(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expect_cases) / sizeof(expect_cases[0]);
	     i++) {
		struct http_request req;

		parse(expect_cases[i].head, &req);
		assert_int_equal(expect_continue(&req), expect_cases[i].expect);
	}
	assert_int_equal(EXPECT_100_CONTINUE_LEN, 25);
}

/* ---- Retries (RFC 9110 §9.2.2) ---- */

static const struct {
	const char *method;
	bool idempotent;
} methods[] = {
    {"GET", true},
    {"HEAD", true},
    {"OPTIONS", true},
    {"TRACE", true},
    {"PUT", true},
    {"DELETE", true},
    {"POST", false},
    {"PATCH", false},
    {"CONNECT", false},
    /* Methods are case-sensitive (§9.1). */
    {"get", false},
    {"GETX", false},
    {"", false},
};

static void test_retry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const char *m = methods[i].method;

		assert_int_equal(retry_idempotent(m, strlen(m)),
				 methods[i].idempotent);
		assert_int_equal(retry_allowed(m, strlen(m), 0, 0),
				 methods[i].idempotent);
		/* Never once a byte of the body went, or of a response came. */
		assert_false(retry_allowed(m, strlen(m), 1, 0));
		assert_false(retry_allowed(m, strlen(m), 0, 1));
	}
}

/* ---- Trailers (RFC 9110 §6.5.1) ---- */

static const struct {
	const char *in;
	const char *out;
} trailer_cases[] = {
    /* An ordinary trailer passes. */
    {"X-Checksum: abc\r\n", "X-Checksum: abc\r\n"},
    /* Credentials never pass, in any case. */
    {"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n", ""},
    {"proxy-authorization: x\r\nAuthorization: y\r\n", ""},
    /* Framing and hop-by-hop fields do not either. */
    {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: "
     "close\r\nTE: trailers\r\n",
     ""},
    /* Mixed: only the allowed ones, in order. */
    {"A: 1\r\nCookie: c\r\nB: 2\r\nHost: evil\r\n", "A: 1\r\nB: 2\r\n"},
    {"", ""},
};

static void test_trailer(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trailer_cases) / sizeof(trailer_cases[0]);
	     i++) {
		struct http_buf out;

		http_buf_init(&out, 0);
		assert_true(trailer_filter(trailer_cases[i].in,
					   strlen(trailer_cases[i].in), &out));
		assert_int_equal(out.len, strlen(trailer_cases[i].out));
		if (out.len > 0)
			assert_memory_equal(out.data, trailer_cases[i].out,
					    out.len);
		http_buf_free(&out);
	}
}

/* ---- The body mover ---- */

/* Feed `in` in pieces of `step` bytes; returns bytes consumed. */
static size_t feed(struct body_mover *m, const char *in, size_t len,
		   size_t step, struct http_buf *out)
{
	size_t pos = 0;

	while (pos < len && !m->done) {
		size_t n = len - pos < step ? len - pos : step;
		enum http_err e;
		long used = body_feed(m, in + pos, n, out, &e);

		assert_true(used >= 0);
		pos += (size_t)used;
		if ((size_t)used < n)
			break;
	}
	return pos;
}

static const struct {
	const char *in; /* body, then maybe the next message */
	enum http_framing framing;
	uint64_t length;
	enum body_mode mode;
	size_t consumed; /* bytes that belong to the body */
	const char *out; /* what the next hop gets */
} moves[] = {
    /* Content-Length stops at the length; the rest is the next head. */
    {"helloGET", HTTP_BODY_LENGTH, 5, BODY_DECODE, 5, "hello"},
    /* Chunked, decoded for an HTTP/1.0 recipient: data only. */
    {"3\r\nabc\r\n2\r\nde\r\n0\r\nX: 1\r\n\r\nNEXT", HTTP_BODY_CHUNKED, 0,
     BODY_DECODE, 26, "abcde"},
    /* Chunked, relayed: re-chunked, trailer kept. */
    {"3\r\nabc\r\n0\r\nX: 1\r\n\r\n", HTTP_BODY_CHUNKED, 0, BODY_RELAY, 19,
     "3\r\nabc\r\n0\r\nX: 1\r\n\r\n"},
    /* A Proxy-Authorization in a trailer does not go on. */
    {"1\r\nz\r\n0\r\nProxy-Authorization: Basic eA==\r\nOk: y\r\n\r\n",
     HTTP_BODY_CHUNKED, 0, BODY_RELAY, 51, "1\r\nz\r\n0\r\nOk: y\r\n\r\n"},
    /* An empty chunked body. */
    {"0\r\n\r\n", HTTP_BODY_CHUNKED, 0, BODY_RELAY, 5, "0\r\n\r\n"},
};

static void test_body_mover(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		/* Whole, then a byte at a time: the same result. */
		for (size_t step = 1; step <= 4096; step *= 4096) {
			struct http_body_info info = {moves[i].framing,
						      moves[i].length};
			struct body_mover m;
			struct http_buf out;
			size_t used;

			http_buf_init(&out, 0);
			body_init(&m, &info, moves[i].mode, 0);
			used = feed(&m, moves[i].in, strlen(moves[i].in), step,
				    &out);
			assert_true(m.done);
			assert_int_equal(used, moves[i].consumed);
			if (moves[i].mode == BODY_RELAY && step == 1 &&
			    moves[i].framing == HTTP_BODY_CHUNKED) {
				/* One chunk per feed: same data, other
				 * framing; check the trailer part only. */
				const char *t = strstr(out.data, "0\r\n");
				const char *w = strstr(moves[i].out, "0\r\n");

				assert_non_null(t);
				assert_string_equal(t, w);
			} else {
				assert_int_equal(out.len, strlen(moves[i].out));
				assert_memory_equal(out.data, moves[i].out,
						    out.len);
			}
			body_free(&m);
			http_buf_free(&out);
		}
	}
}

/* Limits and truncation. */
static void test_body_limits(void **state)
{
	struct http_body_info len10 = {HTTP_BODY_LENGTH, 10};
	struct http_body_info until = {HTTP_BODY_UNTIL_CLOSE, 0};
	struct http_body_info chunked = {HTTP_BODY_CHUNKED, 0};
	struct body_mover m;
	enum http_err e;

	(void)state;
	/* Over the limit: an error, not a silent cut. */
	body_init(&m, &len10, BODY_DISCARD, 4);
	assert_int_equal(body_feed(&m, "0123456789", 10, NULL, &e), -1);
	assert_int_equal(e, HTTP_E_BODY_TOO_LARGE);
	body_free(&m);
	/* A close before the length is a cut body ... */
	body_init(&m, &len10, BODY_DISCARD, 0);
	assert_int_equal(body_feed(&m, "01234", 5, NULL, &e), 5);
	assert_false(body_eof(&m));
	body_free(&m);
	/* ... and ends an until-close one. */
	body_init(&m, &until, BODY_RELAY, 0);
	assert_int_equal(body_feed(&m, "abc", 3, NULL, &e), 3);
	assert_true(body_eof(&m));
	body_free(&m);
	/* Bad chunked framing. */
	body_init(&m, &chunked, BODY_RELAY, 0);
	assert_int_equal(body_feed(&m, "zz\r\n", 4, NULL, &e), -1);
	assert_int_equal(e, HTTP_E_CHUNK);
	body_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_persist),
	    cmocka_unit_test(test_early_answer),
	    cmocka_unit_test(test_expect),
	    cmocka_unit_test(test_retry),
	    cmocka_unit_test(test_trailer),
	    cmocka_unit_test(test_body_mover),
	    cmocka_unit_test(test_body_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

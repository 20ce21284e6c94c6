/*
 * tests/unit/test_authint.c - the body bin/proxy holds for Digest
 * qop=auth-int (proxy/authint.c): fed in any split it holds the
 * entity-body (transfer coding removed, RFC 7616 §3.4.3, RFC 9112 §7),
 * stops at its end, refuses past the limit, and writes upstream exactly
 * what it held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../proxy/authint.h"

static const char HEAD[] = "POST http://o/ HTTP/1.1\r\nHost: o\r\n\r\n";

static const struct {
	enum http_framing framing;
	uint64_t length;       /* Content-Length */
	const char *in;	       /* the bytes after the head */
	size_t extra;	       /* of which the last `extra` are not body */
	const char *held;      /* the entity-body */
	const char *forwarded; /* what authint_write() sends on */
	uint64_t limit;
	enum http_err err; /* HTTP_OK, or the refusal */
} cases[] = {
    /* Content-Length: the bytes themselves, nothing past them. */
    {HTTP_BODY_LENGTH, 5, "hello", 0, "hello", "hello", 100, HTTP_OK},
    /* A pipelined request right behind is not part of the body. */
    {HTTP_BODY_LENGTH, 5, "helloGET / HTTP/1.1\r\n\r\n", 18, "hello", "hello",
     100, HTTP_OK},
    /* Exactly the limit is allowed. */
    {HTTP_BODY_LENGTH, 5, "hello", 0, "hello", "hello", 5, HTTP_OK},
    /* Chunked: sizes, extensions and trailers are framing, not body. */
    {HTTP_BODY_CHUNKED, 0, "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n", 0,
     "abcde", "5\r\nabcde\r\n0\r\n\r\n", 100, HTTP_OK},
    /* Chunked, empty body. */
    {HTTP_BODY_CHUNKED, 0, "0\r\n\r\n", 0, "", "0\r\n\r\n", 100, HTTP_OK},
    /* Chunked, the limit is on the data, not the framing. */
    {HTTP_BODY_CHUNKED, 0, "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n", 0, "abc",
     "3\r\nabc\r\n0\r\n\r\n", 3, HTTP_OK},
    /* Chunked, one byte over the limit. */
    {HTTP_BODY_CHUNKED, 0, "4\r\nabcd\r\n0\r\n\r\n", 0, NULL, NULL, 3,
     HTTP_E_BODY_TOO_LARGE},
    /* Chunked framing that is wrong. */
    {HTTP_BODY_CHUNKED, 0, "zz\r\nabcd\r\n0\r\n\r\n", 0, NULL, NULL, 100,
     HTTP_E_CHUNK},
};

/* Feed in[] in pieces of `step` bytes; returns the error or HTTP_OK and
 * the bytes consumed. */
static enum http_err feed_all(struct authint *a, const char *in, size_t n,
			      size_t step, size_t *consumed)
{
	size_t off = 0;
	enum http_err e = HTTP_OK;

	while (off < n && !authint_done(a)) {
		size_t k = n - off < step ? n - off : step;
		long used = authint_feed(a, in + off, k, &e);

		if (used < 0)
			return e;
		off += (size_t)used;
		if ((size_t)used < k)
			break;
	}
	*consumed = off;
	return HTTP_OK;
}

static void test_cases(void **state)
{
	static const size_t steps[] = {1, 2, 7, 4096};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			struct http_body_info info = {cases[i].framing,
						      cases[i].length};
			struct authint a;
			struct http_buf out;
			size_t used = 0, n = strlen(cases[i].in);
			enum http_err e;

			assert_int_equal(authint_start(&a, HEAD, strlen(HEAD),
						       &info, cases[i].limit),
					 HTTP_OK);
			e = feed_all(&a, cases[i].in, n, steps[s], &used);
			assert_int_equal(e, cases[i].err);
			if (e != HTTP_OK) {
				authint_free(&a);
				continue;
			}
			assert_true(authint_done(&a));
			assert_int_equal(used, n - cases[i].extra);
			assert_int_equal(a.body.len, strlen(cases[i].held));
			assert_memory_equal(a.body.data ? a.body.data : "",
					    cases[i].held, a.body.len);
			assert_int_equal(a.head.len, strlen(HEAD));
			http_buf_init(&out, 0);
			assert_true(authint_write(&a, &out));
			assert_int_equal(out.len, strlen(cases[i].forwarded));
			assert_memory_equal(out.data, cases[i].forwarded,
					    out.len);
			http_buf_free(&out);
			authint_free(&a);
			authint_free(&a); /* twice is safe */
		}
	}
}

/* A Content-Length over the limit is refused before a byte is read. */
static void test_length_over_limit(void **state)
{
	static const uint64_t lengths[] = {6, 1000, UINT64_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct http_body_info info = {HTTP_BODY_LENGTH, lengths[i]};
		struct authint a;

		assert_int_equal(
		    authint_start(&a, HEAD, strlen(HEAD), &info, 5),
		    HTTP_E_BODY_TOO_LARGE);
		authint_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_length_over_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

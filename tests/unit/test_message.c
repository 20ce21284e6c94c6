/*
 * tests/unit/test_message.c - the strict HTTP/1.1 parser, header helpers,
 * body framing, URLs, the serializer and the error sentences.
 *
 * Parser input is put at the very end of a mapped page followed by a
 * PROT_NONE page, and every prefix of every valid message is fed: each
 * must be PARTIAL, and an over-read crashes the test.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS */

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "guardpage.h"

#include "../../http/error.h"
#include "../../http/message.h"
#include "../../http/url.h"

/* Parse s[0..n) as a request from guarded memory. */
static long parse_req(const char *s, size_t n, struct http_request *req,
		      enum http_err *err)
{
	struct guarded g = guard_copy(s, n);
	*err = HTTP_OK;
	long r = http_parse_request(g.data, n, req, err);
	/* Keep pointers valid for the caller: re-point them into s. */
	if (r > 0) {
		ptrdiff_t d = s - g.data;
		req->method += d;
		req->target += d;
		for (size_t i = 0; i < req->num_headers; i++) {
			req->headers[i].name += d;
			req->headers[i].value += d;
		}
	}
	guard_free(&g);
	return r;
}

/* The same for a response. */
static long parse_resp(const char *s, size_t n, struct http_response *resp,
		       enum http_err *err)
{
	struct guarded g = guard_copy(s, n);
	*err = HTTP_OK;
	long r = http_parse_response(g.data, n, resp, err);
	if (r > 0) {
		ptrdiff_t d = s - g.data;
		resp->reason += d;
		for (size_t i = 0; i < resp->num_headers; i++) {
			resp->headers[i].name += d;
			resp->headers[i].value += d;
		}
	}
	guard_free(&g);
	return r;
}

/* ---- Valid requests ---- */

static const struct {
	const char *in;
	size_t body; /* bytes after the head */
	const char *method;
	const char *target;
	int minor;
	size_t nh;
	const char *h0_name; /* first header, or NULL */
	const char *h0_value;
} valid_requests[] = {
    /* The request every lesson starts with: absolute-form via a proxy. */
    {"GET http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", 0,
     "GET", "http://127.0.0.1:8080/", 1, 1, "Host", "127.0.0.1:8080"},
    /* HTTP/1.0 and no headers at all. */
    {"GET / HTTP/1.0\r\n\r\n", 0, "GET", "/", 0, 0, NULL, NULL},
    /* CONNECT in authority-form. */
    {"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 0,
     "CONNECT", "example.com:443", 1, 1, "Host", "example.com:443"},
    /* OWS around a value is trimmed, inner spaces kept. */
    {"GET / HTTP/1.1\r\nX-A: \t a  b \t\r\n\r\n", 0, "GET", "/", 1, 1, "X-A",
     "a  b"},
    /* An empty value. */
    {"GET / HTTP/1.1\r\nX-Empty:\r\n\r\n", 0, "GET", "/", 1, 1, "X-Empty", ""},
    /* A value with obs-text (bytes >= 0x80) is allowed. */
    {"GET / HTTP/1.1\r\nX-T: caf\xc3\xa9\r\n\r\n", 0, "GET", "/", 1, 1, "X-T",
     "caf\xc3\xa9"},
    /* Proxy-Authorization with Basic credentials (RFC 7617 §2). */
    {"GET http://h/ HTTP/1.1\r\nHost: h\r\nProxy-Authorization: Basic "
     "QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n",
     0, "GET", "http://h/", 1, 2, "Host", "h"},
    /* A body follows the head and is not consumed. */
    {"POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 5, "POST", "/p", 1,
     1, "Content-Length", "5"},
    /* Leading empty lines are skipped (RFC 9112 §2.2). */
    {"\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0, "GET", "/", 1, 0, NULL, NULL},
    /* Token characters in a method and a field name. */
    {"M-1.x~ * HTTP/1.1\r\nX!#$%&'*+-.^_`|~: v\r\n\r\n", 0, "M-1.x~", "*", 1, 1,
     "X!#$%&'*+-.^_`|~", "v"},
    /* A higher minor version is read as 1.1 (RFC 9110 §2.5). */
    {"GET / HTTP/1.2\r\nHost: h\r\n\r\n", 0, "GET", "/", 1, 1, "Host", "h"},
    {"GET / HTTP/1.9\r\n\r\n", 0, "GET", "/", 1, 0, NULL, NULL},
};

/* Each valid request parses whole, with the fields in place. */
static void test_valid_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid_requests / sizeof valid_requests[0];
	     i++) {
		const char *in = valid_requests[i].in;
		size_t len = strlen(in);
		struct http_request req;
		enum http_err err;
		long r = parse_req(in, len, &req, &err);
		if (r < 0)
			fail_msg("case %zu: r=%ld err=%d", i, r, (int)err);
		assert_int_equal((size_t)r, len - valid_requests[i].body);
		assert_int_equal(req.method_len,
				 strlen(valid_requests[i].method));
		assert_memory_equal(req.method, valid_requests[i].method,
				    req.method_len);
		assert_int_equal(req.target_len,
				 strlen(valid_requests[i].target));
		assert_memory_equal(req.target, valid_requests[i].target,
				    req.target_len);
		assert_int_equal(req.minor_version, valid_requests[i].minor);
		assert_int_equal(req.num_headers, valid_requests[i].nh);
		if (valid_requests[i].h0_name) {
			const struct http_header *h = &req.headers[0];
			assert_int_equal(h->name_len,
					 strlen(valid_requests[i].h0_name));
			assert_memory_equal(h->name, valid_requests[i].h0_name,
					    h->name_len);
			assert_int_equal(h->value_len,
					 strlen(valid_requests[i].h0_value));
			if (h->value_len)
				assert_memory_equal(h->value,
						    valid_requests[i].h0_value,
						    h->value_len);
		}
	}
}

/* Every proper prefix of every valid head is PARTIAL (guard page on). */
static void test_request_prefixes_partial(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid_requests / sizeof valid_requests[0];
	     i++) {
		const char *in = valid_requests[i].in;
		size_t head = strlen(in) - valid_requests[i].body;
		for (size_t n = 0; n < head; n++) {
			struct http_request req;
			enum http_err err;
			long r = parse_req(in, n, &req, &err);
			if (r != HTTP_PARSE_PARTIAL || err != HTTP_E_PARTIAL)
				fail_msg("case %zu prefix %zu: r=%ld err=%d", i,
					 n, r, (int)err);
		}
	}
}

/* ---- Invalid requests ---- */

static const struct {
	const char *in;
	enum http_err err;
} invalid_requests[] = {
    /* Method with a character outside tchar. */
    {"GE(T / HTTP/1.1\r\n\r\n", HTTP_E_METHOD},
    /* Empty method: the line starts with SP. */
    {" / HTTP/1.1\r\n\r\n", HTTP_E_METHOD},
    /* Two spaces after the method: empty target. */
    {"GET  / HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* A control byte in the target. */
    {"GET /a\x01 HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* DEL in the target. */
    {"GET /a\x7f HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* Raw non-ASCII in the target (it must be percent-encoded). */
    {"GET /\xc3\xa9 HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* A tab in the target (whitespace). */
    {"GET /a\tb HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* No version: HTTP/0.9 style. */
    {"GET /\r\n\r\n", HTTP_E_TARGET},
    /* Version 2.0 over HTTP/1 framing. */
    {"GET / HTTP/2.0\r\n\r\n", HTTP_E_VERSION_UNSUPPORTED},
    /* ... and 3.0, and 0.9 written out (RFC 9110 §15.6.6: 505). */
    {"GET / HTTP/3.0\r\n\r\n", HTTP_E_VERSION_UNSUPPORTED},
    {"GET / HTTP/0.9\r\n\r\n", HTTP_E_VERSION_UNSUPPORTED},
    /* "HTTP/2" is not an HTTP-version at all (DIGIT "." DIGIT). */
    {"GET / HTTP/2\r\n\r\n", HTTP_E_VERSION},
    /* Two digits for the major version. */
    {"GET / HTTP/11.1\r\n\r\n", HTTP_E_VERSION},
    /* Version name is case-sensitive (RFC 9112 §2.3). */
    {"GET / http/1.1\r\n\r\n", HTTP_E_VERSION},
    /* Trailing space after the version. */
    {"GET / HTTP/1.1 \r\n\r\n", HTTP_E_VERSION},
    /* Extra digits in the version. */
    {"GET / HTTP/1.10\r\n\r\n", HTTP_E_VERSION},
    /* Whitespace between field name and colon (RFC 9112 §5.1). */
    {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", HTTP_E_SPACE_BEFORE_COLON},
    /* A tab there too. */
    {"GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", HTTP_E_SPACE_BEFORE_COLON},
    /* Obsolete line folding (RFC 9112 §5.2). */
    {"GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", HTTP_E_OBS_FOLD},
    /* Folding with a tab. */
    {"GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", HTTP_E_OBS_FOLD},
    /* Whitespace right after the request-line (RFC 9112 §2.2). */
    {"GET / HTTP/1.1\r\n Host: h\r\n\r\n", HTTP_E_OBS_FOLD},
    /* Bare LF ending the request-line. */
    {"GET / HTTP/1.1\nHost: h\r\n\r\n", HTTP_E_BARE_LF},
    /* Bare LF ending a field line. */
    {"GET / HTTP/1.1\r\nHost: h\n\r\n", HTTP_E_BARE_LF},
    /* Bare LF as the final empty line. */
    {"GET / HTTP/1.1\r\nHost: h\r\n\n", HTTP_E_BARE_LF},
    /* Bare CR inside a field value. */
    {"GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", HTTP_E_BARE_CR},
    /* Bare CR inside the request-line. */
    {"GET / HTTP/1.1\rX\r\n\r\n", HTTP_E_BARE_CR},
    /* A field line without a colon. */
    {"GET / HTTP/1.1\r\nHost\r\n\r\n", HTTP_E_HEADER_NAME},
    /* Empty field name. */
    {"GET / HTTP/1.1\r\n: v\r\n\r\n", HTTP_E_HEADER_NAME},
    /* Non-token character in a field name. */
    {"GET / HTTP/1.1\r\nX(A): v\r\n\r\n", HTTP_E_HEADER_NAME},
    /* A control byte in a value. */
    {"GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n", HTTP_E_HEADER_VALUE},
    /* DEL in a value. */
    {"GET / HTTP/1.1\r\nX-A: a\x7fz\r\n\r\n", HTTP_E_HEADER_VALUE},
    /* Too many empty lines before the request-line. */
    {"\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", HTTP_E_SYNTAX},
    /* A bare LF before the request-line. */
    {"\nGET / HTTP/1.1\r\n\r\n", HTTP_E_BARE_LF},
    /* A TLS ClientHello sent to the plain-HTTP port. */
    {"\x16\x03\x01\x02\x00\x01", HTTP_E_METHOD},
    /* No form of request-target has a fragment (RFC 9112 §3.2). */
    {"GET /admin#x HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* ... nor an absolute-form one. */
    {"GET http://h/#x HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
    /* ... even when it is empty. */
    {"GET http://h# HTTP/1.1\r\n\r\n", HTTP_E_TARGET},
};

/* Each invalid request gets its own error code. */
static void test_invalid_requests(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof invalid_requests / sizeof invalid_requests[0]; i++) {
		const char *in = invalid_requests[i].in;
		struct http_request req;
		enum http_err err;
		long r = parse_req(in, strlen(in), &req, &err);
		if (r != HTTP_PARSE_ERROR || err != invalid_requests[i].err)
			fail_msg("case %zu: r=%ld err=%d, want %d", i, r,
				 (int)err, (int)invalid_requests[i].err);
	}
}

/* A NUL byte in a value is refused (strlen cannot build this case). */
static void test_nul_in_value(void **state)
{
	(void)state;
	static const char in[] = "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n";
	struct http_request req;
	enum http_err err;
	long r = parse_req(in, sizeof in - 1, &req, &err);
	assert_int_equal(r, HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_HEADER_VALUE);
}

/* Errors show early: a bad method is reported before the line ends. */
static void test_error_before_line_end(void **state)
{
	(void)state;
	struct http_request req;
	enum http_err err;
	assert_int_equal(parse_req("G(", 2, &req, &err), HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_METHOD);
	/* A version that goes wrong is reported as soon as it does... */
	assert_int_equal(parse_req("GET / HTTP/x", 12, &req, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_VERSION);
	assert_int_equal(parse_req("GET / HTTP/2,", 13, &req, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_VERSION);
	/* ... but "HTTP/2" may still become "HTTP/2.0" (505): wait. */
	assert_int_equal(parse_req("GET / HTTP/2", 12, &req, &err),
			 HTTP_PARSE_PARTIAL);
}

/* ---- Limits ---- */

/* A target over HTTP_MAX_TARGET_BYTES is 414, even before it ends. */
static void test_target_too_long(void **state)
{
	(void)state;
	size_t n = HTTP_MAX_TARGET_BYTES + 100;
	char *in = malloc(n);
	assert_non_null(in);
	memcpy(in, "GET /", 5);
	memset(in + 5, 'a', n - 5);
	struct http_request req;
	enum http_err err;
	assert_int_equal(parse_req(in, n, &req, &err), HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_TARGET_TOO_LONG);
	/* Exactly at the limit is accepted. */
	size_t len = 0;
	len += (size_t)snprintf(in, n, "GET /");
	memset(in + len, 'a', HTTP_MAX_TARGET_BYTES - 1);
	len += HTTP_MAX_TARGET_BYTES - 1;
	memcpy(in + len, " HTTP/1.1\r\n\r\n", 13);
	len += 13;
	assert_int_equal(parse_req(in, len, &req, &err), (long)len);
	assert_int_equal(req.target_len, HTTP_MAX_TARGET_BYTES);
	free(in);
}

/* More than HTTP_MAX_HEADERS fields is an error; exactly that many is fine. */
static void test_too_many_headers(void **state)
{
	(void)state;
	struct http_buf b;
	struct http_request req;
	enum http_err err;
	http_buf_init(&b, 0);
	http_buf_puts(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		http_buf_printf(&b, "X-%d: %d\r\n", i, i);
	size_t mark = b.len;
	http_buf_puts(&b, "\r\n");
	assert_int_equal(parse_req(b.data, b.len, &req, &err), (long)b.len);
	assert_int_equal(req.num_headers, HTTP_MAX_HEADERS);
	b.len = mark;
	http_buf_puts(&b, "X-Last: x\r\n\r\n");
	assert_int_equal(parse_req(b.data, b.len, &req, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_TOO_MANY_HEADERS);
	http_buf_free(&b);
}

/* A head over HTTP_MAX_HEAD_BYTES is 431, even while still partial. */
static void test_head_too_large(void **state)
{
	(void)state;
	struct http_buf b;
	struct http_request req;
	enum http_err err;
	http_buf_init(&b, 0);
	http_buf_puts(&b, "GET / HTTP/1.1\r\nX-Big: ");
	while (b.len < HTTP_MAX_HEAD_BYTES + 10)
		http_buf_puts(&b, "aaaaaaaaaa");
	/* Partial and already over the limit. */
	assert_int_equal(parse_req(b.data, b.len, &req, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_HEAD_TOO_LARGE);
	/* Complete but over the limit. */
	http_buf_puts(&b, "\r\n\r\n");
	assert_int_equal(parse_req(b.data, b.len, &req, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_HEAD_TOO_LARGE);
	/* Just under the limit, still partial: keep waiting. */
	assert_int_equal(parse_req(b.data, HTTP_MAX_HEAD_BYTES - 1, &req, &err),
			 HTTP_PARSE_PARTIAL);
	http_buf_free(&b);
}

/* ---- Responses ---- */

static const struct {
	const char *in;
	size_t body;
	int minor;
	int status;
	const char *reason;
	size_t nh;
} valid_responses[] = {
    /* The 407 this lab is about. */
    {"HTTP/1.1 407 Proxy Authentication Required\r\n"
     "Proxy-Authenticate: Basic realm=\"lab407 proxy\"\r\n"
     "Content-Length: 0\r\n\r\n",
     0, 1, 407, "Proxy Authentication Required", 2},
    /* HTTP/1.0 and a body. */
    {"HTTP/1.0 200 OK\r\n\r\nhi", 2, 0, 200, "OK", 0},
    /* Empty reason after the space. */
    {"HTTP/1.1 204 \r\n\r\n", 0, 1, 204, "", 0},
    /* No space and no reason at all (tolerated). */
    {"HTTP/1.1 204\r\n\r\n", 0, 1, 204, "", 0},
    /* A reason with spaces and obs-text. */
    {"HTTP/1.1 999 Odd  reason \xe2\x9c\x93\r\nX: y\r\n\r\n", 0, 1, 999,
     "Odd  reason \xe2\x9c\x93", 1},
};

/* Each valid response parses and every proper prefix is PARTIAL. */
static void test_valid_responses(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof valid_responses / sizeof valid_responses[0]; i++) {
		const char *in = valid_responses[i].in;
		size_t len = strlen(in), head = len - valid_responses[i].body;
		struct http_response resp;
		enum http_err err;
		long r = parse_resp(in, len, &resp, &err);
		if (r < 0)
			fail_msg("case %zu: err=%d", i, (int)err);
		assert_int_equal((size_t)r, head);
		assert_int_equal(resp.minor_version, valid_responses[i].minor);
		assert_int_equal(resp.status, valid_responses[i].status);
		assert_int_equal(resp.reason_len,
				 strlen(valid_responses[i].reason));
		if (resp.reason_len)
			assert_memory_equal(resp.reason,
					    valid_responses[i].reason,
					    resp.reason_len);
		assert_int_equal(resp.num_headers, valid_responses[i].nh);
		for (size_t n = 0; n < head; n++) {
			r = parse_resp(in, n, &resp, &err);
			if (r != HTTP_PARSE_PARTIAL)
				fail_msg("case %zu prefix %zu: r=%ld err=%d", i,
					 n, r, (int)err);
		}
	}
}

static const struct {
	const char *in;
	enum http_err err;
} invalid_responses[] = {
    /* Two-digit status. */
    {"HTTP/1.1 20 OK\r\n\r\n", HTTP_E_STATUS},
    /* Four-digit status. */
    {"HTTP/1.1 2000 OK\r\n\r\n", HTTP_E_STATUS},
    /* Status with a leading zero (class 0 does not exist). */
    {"HTTP/1.1 099 Odd\r\n\r\n", HTTP_E_STATUS},
    /* Letters in the status. */
    {"HTTP/1.1 2x0 OK\r\n\r\n", HTTP_E_STATUS},
    /* No status at all. */
    {"HTTP/1.1\r\n\r\n", HTTP_E_STATUS},
    /* Unknown version. */
    {"HTTP/2 200 OK\r\n\r\n", HTTP_E_VERSION},
    /* Not HTTP at all. */
    {"ICY 200 OK\r\n\r\n", HTTP_E_VERSION},
    /* A control byte in the reason. */
    {"HTTP/1.1 200 O\x01K\r\n\r\n", HTTP_E_STATUS},
    /* Obsolete folding in a response header. */
    {"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", HTTP_E_OBS_FOLD},
    /* Bare LF after the status-line. */
    {"HTTP/1.1 200 OK\n\r\n", HTTP_E_BARE_LF},
    /* Space before colon in a response header. */
    {"HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n",
     HTTP_E_SPACE_BEFORE_COLON},
};

/* Each invalid response gets its own error code. */
static void test_invalid_responses(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof invalid_responses / sizeof invalid_responses[0]; i++) {
		struct http_response resp;
		enum http_err err;
		long r =
		    parse_resp(invalid_responses[i].in,
			       strlen(invalid_responses[i].in), &resp, &err);
		if (r != HTTP_PARSE_ERROR || err != invalid_responses[i].err)
			fail_msg("case %zu: r=%ld err=%d, want %d", i, r,
				 (int)err, (int)invalid_responses[i].err);
	}
}

/* ---- Header look-up ---- */

/* find/next/count are case-insensitive; has_token splits lists. */
static void test_header_lookup(void **state)
{
	(void)state;
	static const char in[] = "GET / HTTP/1.1\r\n"
				 "Host: h\r\n"
				 "connection: keep-alive, Upgrade\r\n"
				 "X-Dup: 1\r\n"
				 "x-dup: 2\r\n"
				 "Connection: ,close ,\r\n"
				 "\r\n";
	struct http_request req;
	enum http_err err;
	assert_true(parse_req(in, sizeof in - 1, &req, &err) > 0);
	const struct http_header *hs = req.headers;
	size_t n = req.num_headers;

	assert_true(http_header_is(&hs[0], "HOST"));
	assert_false(http_header_is(&hs[0], "Hos"));
	assert_ptr_equal(http_header_find(hs, n, "x-DUP"), &hs[2]);
	assert_null(http_header_find(hs, n, "Proxy-Authorization"));
	assert_int_equal(http_header_count(hs, n, "X-Dup"), 2);
	assert_int_equal(http_header_count(hs, n, "Nope"), 0);

	size_t pos = 0;
	assert_ptr_equal(http_header_next(hs, n, "x-dup", &pos), &hs[2]);
	assert_ptr_equal(http_header_next(hs, n, "x-dup", &pos), &hs[3]);
	assert_null(http_header_next(hs, n, "x-dup", &pos));

	assert_true(http_header_has_token(hs, n, "Connection", "close"));
	assert_true(http_header_has_token(hs, n, "Connection", "UPGRADE"));
	assert_true(http_header_has_token(hs, n, "connection", "keep-alive"));
	assert_false(http_header_has_token(hs, n, "Connection", "keep"));
	assert_false(http_header_has_token(hs, n, "Connection", ""));
	assert_false(http_header_has_token(hs, n, "Host", "close"));
}

/* ---- Body framing ---- */

static const struct {
	const char *in;
	enum http_err err;
	enum http_framing framing;
	uint64_t length;
} request_framing[] = {
    /* No body headers: no body. */
    {"GET / HTTP/1.1\r\n\r\n", HTTP_OK, HTTP_BODY_NONE, 0},
    /* Content-Length. */
    {"POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n", HTTP_OK, HTTP_BODY_LENGTH,
     42},
    /* Content-Length: 0 is a zero-length body. */
    {"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", HTTP_OK, HTTP_BODY_LENGTH,
     0},
    /* Identical values in one field are accepted (RFC 9110 §8.6). */
    {"POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", HTTP_OK,
     HTTP_BODY_LENGTH, 5},
    /* Identical values in two fields are accepted. */
    {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
     HTTP_OK, HTTP_BODY_LENGTH, 5},
    /* Differing values in one field. */
    {"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", HTTP_E_CL_CONFLICT,
     HTTP_BODY_NONE, 0},
    /* Differing values in two fields. */
    {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n",
     HTTP_E_CL_CONFLICT, HTTP_BODY_NONE, 0},
    /* A sign is not a digit. */
    {"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", HTTP_E_CL_INVALID,
     HTTP_BODY_NONE, 0},
    /* Negative. */
    {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", HTTP_E_CL_INVALID,
     HTTP_BODY_NONE, 0},
    /* Hex is not decimal. */
    {"POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", HTTP_E_CL_INVALID,
     HTTP_BODY_NONE, 0},
    /* Empty value. */
    {"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", HTTP_E_CL_INVALID,
     HTTP_BODY_NONE, 0},
    /* 2^64 overflows. */
    {"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
     HTTP_E_CL_INVALID, HTTP_BODY_NONE, 0},
    /* 2^64 - 1 fits. */
    {"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n", HTTP_OK,
     HTTP_BODY_LENGTH, UINT64_MAX},
    /* Chunked. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_OK,
     HTTP_BODY_CHUNKED, 0},
    /* Chunked, any case, after another coding. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n", HTTP_OK,
     HTTP_BODY_CHUNKED, 0},
    /* Codings split over two fields. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
     "Transfer-Encoding: chunked\r\n\r\n",
     HTTP_OK, HTTP_BODY_CHUNKED, 0},
    /* Both CL and TE: the smuggling pattern (RFC 9112 §6.3). */
    {"POST / HTTP/1.1\r\nContent-Length: 5\r\n"
     "Transfer-Encoding: chunked\r\n\r\n",
     HTTP_E_CL_AND_TE, HTTP_BODY_NONE, 0},
    /* Final coding not chunked in a request. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
     HTTP_E_TE_UNSUPPORTED, HTTP_BODY_NONE, 0},
    /* Chunked applied twice. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
     HTTP_E_TE_UNSUPPORTED, HTTP_BODY_NONE, 0},
    /* A near miss of "chunked". */
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked-x\r\n\r\n",
     HTTP_E_TE_UNSUPPORTED, HTTP_BODY_NONE, 0},
    /* Empty Transfer-Encoding. */
    {"POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", HTTP_E_TE_UNSUPPORTED,
     HTTP_BODY_NONE, 0},
    /* RFC 9112 §6.1: HTTP/1.0 with Transfer-Encoding is faulty framing:
     * chunked ... */
    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_E_TE_HTTP10,
     HTTP_BODY_NONE, 0},
    /* ... even with a Content-Length beside it ... */
    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 5\r\n\r\n",
     HTTP_E_TE_HTTP10, HTTP_BODY_NONE, 0},
    /* ... any coding, in any case ... */
    {"POST / HTTP/1.0\r\ntransfer-encoding: gzip\r\n\r\n", HTTP_E_TE_HTTP10,
     HTTP_BODY_NONE, 0},
    /* ... an empty value ... */
    {"GET / HTTP/1.0\r\nTransfer-Encoding:\r\n\r\n", HTTP_E_TE_HTTP10,
     HTTP_BODY_NONE, 0},
    /* ... and on a GET. */
    {"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_E_TE_HTTP10,
     HTTP_BODY_NONE, 0},
    /* HTTP/1.0 with Content-Length is fine. */
    {"POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", HTTP_OK, HTTP_BODY_LENGTH,
     3},
};

/* Request framing per RFC 9112 §6.3. */
static void test_request_framing(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof request_framing / sizeof request_framing[0]; i++) {
		struct http_request req;
		struct http_body_info info;
		enum http_err err;
		const char *in = request_framing[i].in;
		assert_true(parse_req(in, strlen(in), &req, &err) > 0);
		enum http_err e = http_request_framing(&req, &info);
		if (e != request_framing[i].err)
			fail_msg("case %zu: err=%d want %d", i, (int)e,
				 (int)request_framing[i].err);
		if (e == HTTP_OK) {
			assert_int_equal(info.framing,
					 request_framing[i].framing);
			assert_true(info.length == request_framing[i].length);
		}
	}
}

static const struct {
	const char *in;
	const char *method;
	enum http_err err;
	enum http_framing framing;
	uint64_t length;
} response_framing[] = {
    /* Content-Length. */
    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "GET", HTTP_OK,
     HTTP_BODY_LENGTH, 3},
    /* No length: read until close. */
    {"HTTP/1.1 200 OK\r\n\r\n", "GET", HTTP_OK, HTTP_BODY_UNTIL_CLOSE, 0},
    /* HEAD: no body whatever the headers say. */
    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD", HTTP_OK,
     HTTP_BODY_NONE, 0},
    /* 1xx, 204, 304: no body. */
    {"HTTP/1.1 100 Continue\r\n\r\n", "POST", HTTP_OK, HTTP_BODY_NONE, 0},
    {"HTTP/1.1 204 No Content\r\n\r\n", "GET", HTTP_OK, HTTP_BODY_NONE, 0},
    {"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", "GET", HTTP_OK,
     HTTP_BODY_NONE, 0},
    /* 2xx to CONNECT: a tunnel, no body. */
    {"HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", HTTP_OK,
     HTTP_BODY_NONE, 0},
    /* 407 to CONNECT does have a body. */
    {"HTTP/1.1 407 Proxy Authentication Required\r\n"
     "Content-Length: 4\r\n\r\n",
     "CONNECT", HTTP_OK, HTTP_BODY_LENGTH, 4},
    /* Chunked. */
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", HTTP_OK,
     HTTP_BODY_CHUNKED, 0},
    /* Response coding not ending in chunked: until close. */
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET", HTTP_OK,
     HTTP_BODY_UNTIL_CLOSE, 0},
    /* CL and TE together are refused here too. */
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 3\r\n\r\n",
     "GET", HTTP_E_CL_AND_TE, HTTP_BODY_NONE, 0},
    /* Conflicting lengths. */
    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "GET",
     HTTP_E_CL_CONFLICT, HTTP_BODY_NONE, 0},
};

/* Response framing per RFC 9112 §6.3. */
static void test_response_framing(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof response_framing / sizeof response_framing[0]; i++) {
		struct http_response resp;
		struct http_body_info info;
		enum http_err err;
		const char *in = response_framing[i].in;
		assert_true(parse_resp(in, strlen(in), &resp, &err) > 0);
		enum http_err e = http_response_framing(
		    &resp, response_framing[i].method,
		    strlen(response_framing[i].method), &info);
		if (e != response_framing[i].err)
			fail_msg("case %zu: err=%d want %d", i, (int)e,
				 (int)response_framing[i].err);
		if (e == HTTP_OK) {
			assert_int_equal(info.framing,
					 response_framing[i].framing);
			assert_true(info.length == response_framing[i].length);
		}
	}
}

/* ---- URLs ---- */

static const struct {
	const char *in;
	enum http_err err;
	const char *scheme;
	const char *host;
	unsigned port;
	const char *path;
} urls[] = {
    /* Plain, default port, empty path becomes "/". */
    {"http://example.com", HTTP_OK, "http", "example.com", 80, "/"},
    /* Explicit port, path and query. */
    {"http://127.0.0.1:8080/a/b?x=1", HTTP_OK, "http", "127.0.0.1", 8080,
     "/a/b?x=1"},
    /* https default port; scheme is case-insensitive. */
    {"HTTPS://Example.COM/", HTTP_OK, "https", "Example.COM", 443, "/"},
    /* IPv6 literal, brackets stripped. */
    {"http://[::1]:3128/p", HTTP_OK, "http", "::1", 3128, "/p"},
    /* A fragment is dropped (a client's URL; a request-target with '#'
     * never gets here, the request parser refuses it). */
    {"http://h/p#frag", HTTP_OK, "http", "h", 80, "/p"},
    /* RFC 9112 §3.2.1: an empty path with a query is sent as "/?q". */
    {"http://h?q=1", HTTP_OK, "http", "h", 80, "/?q=1"},
    /* ... with a port ... */
    {"http://h:8080?x", HTTP_OK, "http", "h", 8080, "/?x"},
    /* ... an empty query ... */
    {"http://h?", HTTP_OK, "http", "h", 80, "/?"},
    /* ... and a query holding '/' and '?'. */
    {"http://h??a/b", HTTP_OK, "http", "h", 80, "/??a/b"},
    /* The default port written out: the same "/" path. */
    {"http://h:80", HTTP_OK, "http", "h", 80, "/"},
    /* The query of a path is kept. */
    {"http://h/?q", HTTP_OK, "http", "h", 80, "/?q"},
    /* Highest port. */
    {"http://h:65535/", HTTP_OK, "http", "h", 65535, "/"},
    /* '@' in the path is not userinfo. */
    {"http://h/a@b", HTTP_OK, "http", "h", 80, "/a@b"},
    /* Userinfo leaks credentials into logs: refused. */
    {"http://alice:wonderland@h/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Userinfo without a password. */
    {"http://alice@h/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Other schemes. */
    {"ftp://h/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Origin-form is not a URL. */
    {"/index.html", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Empty host. */
    {"http:///p", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Port 0 and port 65536. */
    {"http://h:0/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://h:65536/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Empty port. */
    {"http://h:/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Non-digit port. */
    {"http://h:8o/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Port far out of range, and six digits. */
    {"http://h:99999/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://h:100000/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Port with a sign. */
    {"http://h:+80/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://h:-1/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Port with a leading zero (a design choice: refused). */
    {"http://h:080/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://h:00080/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Empty host before a port, a query or the end. */
    {"http://:80/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://?q", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Userinfo before a query-only target. */
    {"http://user:pass@h?q", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Userinfo with an empty password, and an empty user. */
    {"http://user:@h/", HTTP_E_URL, NULL, NULL, 0, NULL},
    {"http://@h/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Unclosed IPv6 bracket. */
    {"http://[::1/", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* Space in the path. */
    {"http://h/a b", HTTP_E_URL, NULL, NULL, 0, NULL},
    /* A character not allowed in a host. */
    {"http://h!x/", HTTP_E_URL, NULL, NULL, 0, NULL},
};

/* Absolute-form URLs. */
static void test_url_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		struct http_url u;
		enum http_err e =
		    http_url_parse(urls[i].in, strlen(urls[i].in), &u);
		if (e != urls[i].err)
			fail_msg("case %zu (%s): err=%d", i, urls[i].in,
				 (int)e);
		if (e != HTTP_OK)
			continue;
		assert_string_equal(u.scheme, urls[i].scheme);
		assert_string_equal(u.host, urls[i].host);
		assert_int_equal(u.port, urls[i].port);
		assert_int_equal(u.path_len, strlen(urls[i].path));
		assert_memory_equal(u.path, urls[i].path, u.path_len);
	}
}

/* A host longer than HTTP_MAX_HOST is refused, not truncated. */
static void test_url_long_host(void **state)
{
	(void)state;
	char in[HTTP_MAX_HOST + 32];
	struct http_url u;
	memcpy(in, "http://", 7);
	memset(in + 7, 'a', HTTP_MAX_HOST + 1);
	in[7 + HTTP_MAX_HOST + 1] = '/';
	assert_int_equal(http_url_parse(in, 7 + HTTP_MAX_HOST + 2, &u),
			 HTTP_E_URL);
	assert_int_equal(http_url_parse(in, 7 + HTTP_MAX_HOST, &u), HTTP_OK);
	assert_int_equal(strlen(u.host), HTTP_MAX_HOST);
}

/* ---- Host (RFC 9112 §3.2) ---- */

static const struct {
	const char *in;
	enum http_err err;
} host_cases[] = {
    /* one valid Host */
    {"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", HTTP_OK},
    /* with a port, and an IPv6 literal with a port */
    {"GET / HTTP/1.1\r\nHost: h:8080\r\n\r\n", HTTP_OK},
    {"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", HTTP_OK},
    /* the field name is case-insensitive */
    {"GET / HTTP/1.1\r\nhOsT: h\r\n\r\n", HTTP_OK},
    /* HTTP/1.1 without Host */
    {"GET / HTTP/1.1\r\n\r\n", HTTP_E_HOST_MISSING},
    /* ... in absolute-form too: the URL does not replace the field */
    {"GET http://h/ HTTP/1.1\r\n\r\n", HTTP_E_HOST_MISSING},
    /* ... and for CONNECT */
    {"CONNECT h:443 HTTP/1.1\r\n\r\n", HTTP_E_HOST_MISSING},
    /* HTTP/1.0 may leave it out */
    {"GET / HTTP/1.0\r\n\r\n", HTTP_OK},
    /* two Host fields, equal or not, in 1.1 and 1.0 */
    {"GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", HTTP_E_HOST_REPEATED},
    {"GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", HTTP_E_HOST_REPEATED},
    {"GET / HTTP/1.0\r\nHost: h\r\nhost: i\r\n\r\n", HTTP_E_HOST_REPEATED},
    /* a list is one invalid value */
    {"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: a,\r\n\r\n", HTTP_E_HOST},
    /* empty (an http URI may not have an empty host, RFC 9110 §4.2.1) */
    {"GET / HTTP/1.1\r\nHost:\r\n\r\n", HTTP_E_HOST},
    {"GET http://h/ HTTP/1.1\r\nHost: \r\n\r\n", HTTP_E_HOST},
    /* spaces inside */
    {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h :80\r\n\r\n", HTTP_E_HOST},
    /* userinfo */
    {"GET / HTTP/1.1\r\nHost: user@h\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: u:p@h:80\r\n\r\n", HTTP_E_HOST},
    /* a path or a query */
    {"GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h?x\r\n\r\n", HTTP_E_HOST},
    /* bad ports: 0, too large, signed, leading zero, empty, letters */
    {"GET / HTTP/1.1\r\nHost: h:0\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:+80\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:080\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:http\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: h:80:80\r\n\r\n", HTTP_E_HOST},
    /* an unclosed IPv6 literal, and one with no brackets and a port */
    {"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", HTTP_E_HOST},
    {"GET / HTTP/1.1\r\nHost: ::1:80\r\n\r\n", HTTP_E_HOST},
    /* a byte no host holds */
    {"GET / HTTP/1.1\r\nHost: h\"x\r\n\r\n", HTTP_E_HOST},
};

/* http_request_check_host() on each case. */
static void test_request_host(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof host_cases / sizeof host_cases[0]; i++) {
		struct http_request req;
		enum http_err err;
		const char *in = host_cases[i].in;

		assert_true(parse_req(in, strlen(in), &req, &err) > 0);
		if (http_request_check_host(&req) != host_cases[i].err)
			fail_msg("case %zu (%s): got %d", i, in,
				 (int)http_request_check_host(&req));
	}
}

/* CONNECT's authority-form: the port is required. */
static void test_authority_parse(void **state)
{
	(void)state;
	struct http_url u;
	assert_int_equal(http_authority_parse("example.com:443", 15, &u),
			 HTTP_OK);
	assert_string_equal(u.host, "example.com");
	assert_int_equal(u.port, 443);
	assert_int_equal(http_authority_parse("[2001:db8::1]:8443", 18, &u),
			 HTTP_OK);
	assert_string_equal(u.host, "2001:db8::1");
	assert_int_equal(u.port, 8443);
	/* No port. */
	assert_int_equal(http_authority_parse("example.com", 11, &u),
			 HTTP_E_URL);
	/* Userinfo. */
	assert_int_equal(http_authority_parse("a@example.com:443", 17, &u),
			 HTTP_E_URL);
	/* A path is not part of an authority. */
	assert_int_equal(http_authority_parse("example.com:443/", 16, &u),
			 HTTP_E_URL);
	/* Empty. */
	assert_int_equal(http_authority_parse("", 0, &u), HTTP_E_URL);
}

/* ---- Serializing ---- */

/* Request and status lines, byte for byte. */
static void test_write_lines(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_true(http_write_request_line(&b, "GET", 3, "http://h/", 9));
	assert_true(http_write_status_line(&b, 407));
	assert_string_equal(b.data,
			    "GET http://h/ HTTP/1.1\r\n"
			    "HTTP/1.1 407 Proxy Authentication Required\r\n");
	http_buf_free(&b);
}

/* Header values with CR, LF or NUL are refused: no header injection. */
static void test_write_header_injection(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *value;
		size_t vlen;
		bool ok;
	} cases[] = {
	    {"X-A", "plain value", 11, true},	      /* ordinary */
	    {"X-A", "tab\there", 8, true},	      /* HTAB is allowed */
	    {"X-A", "a\r\nSet-Cookie: x", 16, false}, /* CRLF injection */
	    {"X-A", "a\nb", 3, false},		      /* bare LF */
	    {"X-A", "a\rb", 3, false},		      /* bare CR */
	    {"X-A", "a\0b", 3, false},		      /* NUL */
	    {"X A", "v", 1, false},		      /* space in the name */
	    {"X-A:", "v", 1, false},		      /* colon in the name */
	    {"", "v", 1, false},		      /* empty name */
	    {"X\r\nY", "v", 1, false},		      /* CRLF in the name */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_buf b;
		http_buf_init(&b, 0);
		bool ok = http_write_header(&b, cases[i].name, cases[i].value,
					    cases[i].vlen);
		if (ok != cases[i].ok)
			fail_msg("case %zu: ok=%d", i, ok);
		if (!ok) {
			assert_int_equal(b.len, 0);
			assert_true(b.failed);
		}
		http_buf_free(&b);
	}
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_false(http_write_request_line(&b, "GET", 3, "/a b", 4));
	assert_false(http_write_request_line(&b, "G T", 3, "/", 1));
	assert_false(http_write_status_line(&b, 42));
	http_buf_free(&b);
}

/* headerf formats, then applies the same checks. */
static void test_write_headerf(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_true(http_write_headerf(&b, "Proxy-Authenticate",
				       "Basic realm=\"%s\", charset=\"UTF-8\"",
				       "lab407 proxy"));
	assert_string_equal(b.data, "Proxy-Authenticate: Basic realm=\"lab407 "
				    "proxy\", charset=\"UTF-8\"\r\n");
	assert_false(
	    http_write_headerf(&b, "X", "%s", "evil\r\nX-Injected: 1"));
	assert_true(b.failed);
	http_buf_free(&b);
}

/* A whole text response, byte for byte. */
static void test_write_text_response(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_true(http_write_text_response(
	    &b, 407, "Proxy-Authenticate: Basic realm=\"p\"\r\n", "login\n",
	    6));
	assert_string_equal(b.data,
			    "HTTP/1.1 407 Proxy Authentication Required\r\n"
			    "Proxy-Authenticate: Basic realm=\"p\"\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: 6\r\n"
			    "\r\n"
			    "login\n");
	/* What we write, we can parse. */
	struct http_response resp;
	enum http_err err;
	assert_int_equal(parse_resp(b.data, b.len, &resp, &err),
			 (long)b.len - 6);
	assert_int_equal(resp.num_headers, 3);
	http_buf_reset(&b);
	/* extra must be whole CRLF-terminated field lines. */
	assert_false(
	    http_write_text_response(&b, 400, "X: a\r\n\r\nInjected", "", 0));
	http_buf_reset(&b);
	assert_false(http_write_text_response(&b, 400, "X: a\n", "", 0));
	http_buf_reset(&b);
	assert_true(http_write_text_response(&b, 200, NULL, "", 0));
	assert_non_null(strstr(b.data, "Content-Length: 0\r\n\r\n"));
	http_buf_free(&b);
}

/* ---- Error sentences ---- */

/* Every code has its own sentence; out-of-range codes do not crash. */
static void test_strerror(void **state)
{
	(void)state;
	const char *unknown = http_strerror((enum http_err)HTTP_E__COUNT);
	assert_non_null(unknown);
	for (int e = 0; e < HTTP_E__COUNT; e++) {
		const char *s = http_strerror((enum http_err)e);
		assert_non_null(s);
		if (strcmp(s, unknown) == 0)
			fail_msg("code %d has no sentence", e);
		assert_true(strlen(s) > 8);
		/* Sentences are distinct, so a 400 body says which rule. */
		for (int k = 0; k < e; k++)
			if (strcmp(s, http_strerror((enum http_err)k)) == 0)
				fail_msg("codes %d and %d share a sentence", k,
					 e);
	}
	assert_string_equal(http_strerror((enum http_err) - 1), unknown);
	assert_non_null(strstr(http_strerror(HTTP_E_OBS_FOLD), "RFC 9112"));
	/* The status a server sends for each unreadable request. */
	assert_int_equal(http_err_status(HTTP_E_VERSION_UNSUPPORTED), 505);
	assert_int_equal(http_err_status(HTTP_E_VERSION), 400);
	assert_int_equal(http_err_status(HTTP_E_TE_HTTP10), 400);
	assert_int_equal(http_err_status(HTTP_E_HOST_MISSING), 400);
	assert_int_equal(http_err_status(HTTP_E_PATH_SLASH), 400);
	assert_int_equal(http_err_status(HTTP_E_TARGET_TOO_LONG), 414);
}

/*
 * The parser's byte classes against the grammar, for all 256 bytes:
 * tchar (RFC 9110 §5.6.2), a field-value byte (RFC 9110 §5.5: VCHAR
 * 0x21-0x7e, obs-text 0x80-0xff, SP, HTAB), and ASCII case folding.
 */
static void test_char_classes(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool tchar = alpha || (c >= '0' && c <= '9') ||
			     (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
		bool field = c == ' ' || c == '\t' ||
			     (c >= 0x21 && c <= 0x7e) || c >= 0x80;
		char a = (char)c, lower = (char)tolower(c);

		if (http_is_tchar(c) != tchar)
			fail_msg("http_is_tchar(0x%02x) is %d", c, !tchar);
		if (http_is_field_char((unsigned char)c) != field)
			fail_msg("http_is_field_char(0x%02x) is %d", c, !field);
		if (http_is_token(&a, 1) != tchar)
			fail_msg("http_is_token(\"\\x%02x\") is %d", c, !tchar);
		/* A field value: the byte alone, and last after good ones,
		 * as http_write_field() checks a value to relay. */
		char v[] = {'o', 'k', ' ', (char)0x80, '\t', a};

		if (http_is_field_value(&a, 1) != field)
			fail_msg("http_is_field_value(\"\\x%02x\") is %d", c,
				 !field);
		if (http_is_field_value(v, sizeof(v)) != field)
			fail_msg(
			    "http_is_field_value(\"ok \\x80\\t\\x%02x\") is %d",
			    c, !field);
		/* Folding: a byte equals its ASCII lower case and nothing
		 * else but its upper case. */
		if (!http_same_ci(&a, alpha ? &lower : &a, 1))
			fail_msg("http_same_ci folds 0x%02x wrongly", c);
		for (int d = 0; d < 256; d++) {
			char b = (char)d;
			bool same =
			    c == d || (alpha && tolower(d) == tolower(c));

			if (http_same_ci(&a, &b, 1) != same)
				fail_msg("http_same_ci(0x%02x, 0x%02x) is %d",
					 c, d, !same);
		}
	}
	/* Empty is a value (a field may be empty); a bad byte first or
	 * in the middle spoils the rest. */
	assert_true(http_is_field_value("", 0));
	assert_false(http_is_field_value("\r\nX-Evil: 1", 12));
	assert_false(http_is_field_value("a\nb", 3));
	assert_false(http_is_field_value("a\0b", 3));
	assert_true(http_is_field_value("a\0b", 1));
	assert_false(http_is_tchar(-1));
	assert_false(http_is_tchar(256));
	assert_false(http_is_token("", 0));
	assert_true(http_is_token("Proxy-Authorization", 19));
	assert_false(http_is_token("Proxy Authorization", 19));
	assert_true(
	    http_same_ci("PROXY-authorization", "proxy-AUTHORIZATION", 19));
	assert_false(http_same_ci("Content-Length", "Content_Length", 14));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_char_classes),
	    cmocka_unit_test(test_valid_requests),
	    cmocka_unit_test(test_request_prefixes_partial),
	    cmocka_unit_test(test_invalid_requests),
	    cmocka_unit_test(test_nul_in_value),
	    cmocka_unit_test(test_error_before_line_end),
	    cmocka_unit_test(test_target_too_long),
	    cmocka_unit_test(test_too_many_headers),
	    cmocka_unit_test(test_head_too_large),
	    cmocka_unit_test(test_valid_responses),
	    cmocka_unit_test(test_invalid_responses),
	    cmocka_unit_test(test_header_lookup),
	    cmocka_unit_test(test_request_framing),
	    cmocka_unit_test(test_response_framing),
	    cmocka_unit_test(test_url_parse),
	    cmocka_unit_test(test_url_long_host),
	    cmocka_unit_test(test_authority_parse),
	    cmocka_unit_test(test_request_host),
	    cmocka_unit_test(test_write_lines),
	    cmocka_unit_test(test_write_header_injection),
	    cmocka_unit_test(test_write_headerf),
	    cmocka_unit_test(test_write_text_response),
	    cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}

/*
 * tests/unit/test_reader.c - the one blocking message reader (net/reader.c)
 * fed by a scripted source: heads in one read or trickled a byte at a
 * time, each framing (Content-Length, chunked with trailers, until close,
 * none), the source ending or failing mid-head and mid-body, the limits,
 * and what is left for the next message.  Then the same reader on a
 * socket (net_read_head / net_read_body over a socketpair).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../net/net.h"
#include "../../net/reader.h"

#define MAX_PIECES 8

/* A source that hands out pieces, then ends (0) or fails (-1). */
struct script {
	const char *pieces[MAX_PIECES]; /* NULL-terminated */
	size_t at, off;			/* piece, offset in it */
	int end;			/* 0: EOF after the pieces; -1: error */
	size_t trickle;			/* > 0: at most this many per read */
	int reads;			/* reads so far (bounded) */
};

static long script_recv(void *ctx, char *buf, size_t cap)
{
	struct script *s = ctx;
	const char *p;
	size_t n;

	assert_true(++s->reads < 100000); /* a reader that never stops */
	if (s->at >= MAX_PIECES || s->pieces[s->at] == NULL)
		return s->end;
	p = s->pieces[s->at] + s->off;
	n = strlen(p);
	if (n > cap)
		n = cap;
	if (s->trickle > 0 && n > s->trickle)
		n = s->trickle;
	memcpy(buf, p, n);
	s->off += n;
	if (s->pieces[s->at][s->off] == '\0') {
		s->at++;
		s->off = 0;
	}
	return (long)n;
}

struct read_case {
	const char *comment;
	const char *pieces[MAX_PIECES];
	int end; /* 0 EOF, -1 error after the pieces */
	size_t trickle;
	const char *method; /* the request's */
	size_t max;	    /* body limit */
	long head;	    /* > 0 any head length; 0 clean close; -1 error */
	enum http_err head_err;
	long body; /* body length as framed, or -1 */
	enum http_err body_err;
	bool failed;	     /* rd.failed after the last call */
	const char *content; /* decoded body */
	const char *rest;    /* what stays in the buffer after the body */
};

#define R200_CL3 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
#define R200_CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
#define R200_10 "HTTP/1.0 200 OK\r\n\r\n"

static const struct read_case cases[] = {
    /* the whole message in one read; the next one stays in the buffer */
    {"content-length, next message kept",
     {R200_CL3 "abcHTTP/1.1 204 No Content\r\n\r\n"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     3,
     HTTP_OK,
     false,
     "abc",
     "HTTP/1.1 204 No Content\r\n\r\n"},
    /* the same a byte per read: the head is found, the body not over-read */
    {"content-length trickled",
     {R200_CL3 "abc"},
     0,
     1,
     "GET",
     1024,
     1,
     HTTP_OK,
     3,
     HTTP_OK,
     false,
     "abc",
     ""},
    /* chunked with a trailer, split across reads inside a chunk size */
    {"chunked with trailer",
     {R200_CHUNKED "5\r\nhel", "lo\r\n1",
      "0\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n", "\r\nNEXT"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -2,
     HTTP_OK,
     false,
     "hello0123456789abcdef",
     "NEXT"},
    /* chunked trickled a byte at a time */
    {"chunked trickled",
     {R200_CHUNKED "3\r\nabc\r\n0\r\n\r\n"},
     0,
     1,
     "GET",
     1024,
     1,
     HTTP_OK,
     -2,
     HTTP_OK,
     false,
     "abc",
     ""},
    /* HTTP/1.0 without Content-Length: the body ends with the connection */
    {"until close",
     {R200_10 "ab", "c"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     3,
     HTTP_OK,
     false,
     "abc",
     ""},
    /* ...but a failed read is not the end of it */
    {"until close, then an error",
     {R200_10 "abc"},
     -1,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -1,
     HTTP_E_PARTIAL,
     true,
     NULL,
     NULL},
    /* a Content-Length body cut short by the end, or by an error */
    {"content-length cut by eof",
     {R200_CL3 "ab"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -1,
     HTTP_E_PARTIAL,
     false,
     NULL,
     NULL},
    {"content-length cut by error",
     {R200_CL3 "ab"},
     -1,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -1,
     HTTP_E_PARTIAL,
     true,
     NULL,
     NULL},
    /* a chunked body cut before its last chunk */
    {"chunked cut by eof",
     {R200_CHUNKED "3\r\nabc\r\n"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -1,
     HTTP_E_PARTIAL,
     false,
     NULL,
     NULL},
    /* a head cut by the end, or by an error; a close before any byte */
    {"head cut by eof",
     {"HTTP/1.1 200 OK\r\nContent-"},
     0,
     0,
     "GET",
     1024,
     -1,
     HTTP_E_PARTIAL,
     0,
     HTTP_OK,
     false,
     NULL,
     NULL},
    {"head cut by error",
     {"HTTP/1.1 200 OK\r\n"},
     -1,
     0,
     "GET",
     1024,
     -1,
     HTTP_E_PARTIAL,
     0,
     HTTP_OK,
     true,
     NULL,
     NULL},
    {"clean close",
     {NULL},
     0,
     0,
     "GET",
     1024,
     0,
     HTTP_OK,
     0,
     HTTP_OK,
     false,
     NULL,
     NULL},
    /* a malformed head is the parser's error, not the source's: here
     * obs-fold (RFC 9112 §5.2) */
    {"malformed head",
     {"HTTP/1.1 200 OK\r\nX: 1\r\n folded\r\n\r\n"},
     0,
     0,
     "GET",
     1024,
     -1,
     HTTP_E_OBS_FOLD,
     0,
     HTTP_OK,
     false,
     NULL,
     NULL},
    /* bodies over the limit, announced or discovered */
    {"content-length over max",
     {R200_CL3 "abc"},
     0,
     0,
     "GET",
     2,
     1,
     HTTP_OK,
     -1,
     HTTP_E_BODY_TOO_LARGE,
     false,
     NULL,
     NULL},
    {"chunked over max",
     {R200_CHUNKED "8\r\n12345678\r\n0\r\n\r\n"},
     0,
     0,
     "GET",
     4,
     1,
     HTTP_OK,
     -1,
     HTTP_E_BODY_TOO_LARGE,
     false,
     NULL,
     NULL},
    {"until close over max",
     {R200_10 "abcdef"},
     0,
     0,
     "GET",
     4,
     1,
     HTTP_OK,
     -1,
     HTTP_E_BODY_TOO_LARGE,
     false,
     NULL,
     NULL},
    /* a bad chunk size */
    {"bad chunk size",
     {R200_CHUNKED "zz\r\n"},
     0,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     -1,
     HTTP_E_CHUNK,
     false,
     NULL,
     NULL},
    /* no body: a HEAD's response and a 304 are never read past the head */
    {"head request",
     {R200_CL3 "NEXT"},
     -1,
     0,
     "HEAD",
     1024,
     1,
     HTTP_OK,
     0,
     HTTP_OK,
     false,
     "",
     "NEXT"},
    {"304",
     {"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\nNEXT"},
     -1,
     0,
     "GET",
     1024,
     1,
     HTTP_OK,
     0,
     HTTP_OK,
     false,
     "",
     "NEXT"},
};

/* The chunked cases: the body's length as framed is the raw bytes. */
static long framed_len(const struct read_case *tc, size_t head)
{
	size_t all = 0;

	for (size_t i = 0; i < MAX_PIECES && tc->pieces[i] != NULL; i++)
		all += strlen(tc->pieces[i]);
	return (long)(all - head - strlen(tc->rest));
}

static void test_read_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct read_case *tc = &cases[i];
		struct script s;
		struct reader rd = {-1, script_recv, &s, false};
		struct http_buf b, out;
		struct http_response resp;
		struct http_body_info info;
		enum http_err e;
		long head, body;

		print_message("case: %s\n", tc->comment);
		memset(&s, 0, sizeof(s));
		memcpy(s.pieces, tc->pieces, sizeof(s.pieces));
		s.end = tc->end;
		s.trickle = tc->trickle;
		http_buf_init(&b, 1 << 20);
		http_buf_init(&out, 1 << 20);
		head = reader_head(&rd, &b, NULL, &resp, &e);
		if (tc->head <= 0) {
			assert_int_equal(head, tc->head);
			assert_int_equal(e, tc->head_err);
			assert_int_equal(rd.failed, tc->failed);
			goto next;
		}
		assert_true(head > 0);
		assert_int_equal(http_response_framing(&resp, tc->method,
						       strlen(tc->method),
						       &info),
				 HTTP_OK);
		http_buf_consume(&b, (size_t)head);
		body = reader_body(&rd, &b, 0, &info, tc->max, &out, &e);
		assert_int_equal(rd.failed, tc->failed);
		if (tc->body == -1) {
			assert_int_equal(body, -1);
			assert_int_equal(e, tc->body_err);
			goto next;
		}
		assert_int_equal(body, tc->body == -2
					   ? framed_len(tc, (size_t)head)
					   : tc->body);
		assert_int_equal(out.len, strlen(tc->content));
		if (out.len > 0)
			assert_memory_equal(out.data, tc->content, out.len);
		assert_int_equal(b.len, strlen(tc->rest));
		if (b.len > 0)
			assert_memory_equal(b.data, tc->rest, b.len);
	next:
		http_buf_free(&b);
		http_buf_free(&out);
	}
}

/* A head that never ends: the reader stops at the limit, by the parser. */
static void test_head_limit(void **state)
{
	static char big[HTTP_MAX_HEAD_BYTES + 64];
	struct script s;
	struct reader rd = {-1, script_recv, &s, false};
	struct http_buf b;
	struct http_response resp;
	enum http_err e;
	const char *start = "HTTP/1.1 200 OK\r\nX: ";

	(void)state;
	memcpy(big, start, strlen(start));
	memset(big + strlen(start), 'a', sizeof(big) - strlen(start) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&s, 0, sizeof(s));
	s.pieces[0] = big;
	s.pieces[1] = "\r\n\r\n"; /* never reached */
	http_buf_init(&b, 1 << 20);
	assert_int_equal(reader_head(&rd, &b, NULL, &resp, &e), -1);
	assert_int_equal(e, HTTP_E_HEAD_TOO_LARGE);
	/* it stopped reading once the limit was passed: not even the whole
	 * first piece, let alone the end of the head, was read */
	assert_true(b.len >= HTTP_MAX_HEAD_BYTES);
	assert_true(b.len < strlen(big));
	assert_int_equal(s.at, 0);
	http_buf_free(&b);
}

/* Without decoded, the body stays after the head as received. */
static void test_raw_body(void **state)
{
	const char *msg = R200_CHUNKED "3\r\nabc\r\n0\r\n\r\n";
	struct script s;
	struct reader rd = {-1, script_recv, &s, false};
	struct http_buf b;
	struct http_response resp;
	struct http_body_info info;
	enum http_err e;
	long head;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.pieces[0] = msg;
	http_buf_init(&b, 1 << 20);
	head = reader_head(&rd, &b, NULL, &resp, &e);
	assert_true(head > 0);
	assert_int_equal(http_response_framing(&resp, "GET", 3, &info),
			 HTTP_OK);
	assert_int_equal(
	    reader_body(&rd, &b, (size_t)head, &info, 1024, NULL, &e),
	    (long)(strlen(msg) - (size_t)head));
	assert_int_equal(b.len, strlen(msg));
	assert_memory_equal(b.data, msg, b.len);
	http_buf_free(&b);
}

/* The same reader on a socket: a request, its body, then the close. */
static void test_socket(void **state)
{
	const char *msg = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
			  "\r\nabcd";
	int sv[2];
	struct http_buf b;
	struct http_request req;
	struct http_body_info info;
	enum http_err e;
	long head;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], msg, strlen(msg)), (ssize_t)strlen(msg));
	close(sv[1]);
	http_buf_init(&b, 1 << 20);
	head = net_read_head(sv[0], &b, &req, NULL, &e);
	assert_true(head > 0);
	assert_int_equal(http_request_framing(&req, &info), HTTP_OK);
	assert_int_equal(
	    net_read_body(sv[0], &b, (size_t)head, &info, 1024, NULL, &e), 4);
	assert_memory_equal(b.data + head, "abcd", 4);
	http_buf_reset(&b);
	/* then the peer is gone: a clean close before any byte */
	assert_int_equal(net_read_head(sv[0], &b, &req, NULL, &e), 0);
	http_buf_free(&b);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_table),
	    cmocka_unit_test(test_head_limit),
	    cmocka_unit_test(test_raw_body),
	    cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tests/fuzz/fuzz_message.c - a libFuzzer harness for the parts of the
 * core that read hostile bytes: the request and response parsers, the
 * chunked decoder and base64.  Built by `make fuzz` with
 * -fsanitize=fuzzer,address,undefined.
 *
 * The input is copied into a buffer of exactly its size, so AddressSanitizer
 * reports any read past the end.  Besides "no crash", the harness checks a
 * few properties that must hold for every input.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../http/base64.h"
#include "../../http/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop loudly when a property fails; libFuzzer saves the input. */
static void check(int ok)
{
	if (!ok)
		abort();
}

/* ---- Parsers ---- */

/* A request head: the result is consistent and framing never crashes. */
static void fuzz_request(const char *buf, size_t len)
{
	static struct http_request req;
	enum http_err err = HTTP_OK;
	long r = http_parse_request(buf, len, &req, &err);
	check(r == HTTP_PARSE_ERROR || r == HTTP_PARSE_PARTIAL ||
	      (r > 0 && (size_t)r <= len));
	if (r == HTTP_PARSE_PARTIAL)
		check(err == HTTP_E_PARTIAL);
	if (r == HTTP_PARSE_ERROR)
		check(err != HTTP_OK && err != HTTP_E_PARTIAL);
	if (r > 0) {
		struct http_body_info info;
		check(req.num_headers <= HTTP_MAX_HEADERS);
		check(req.target_len <= HTTP_MAX_TARGET_BYTES);
		(void)http_request_framing(&req, &info);
		struct http_url u;
		(void)http_url_parse(req.target, req.target_len, &u);
		(void)http_authority_parse(req.target, req.target_len, &u);
		(void)http_header_has_token(req.headers, req.num_headers,
					    "Connection", "close");
		/* A complete head stays complete with more bytes after it. */
		long r1 = http_parse_request(buf, (size_t)r, &req, &err);
		check(r1 == r);
	}
}

/* A response head, framed as an answer to GET, HEAD and CONNECT. */
static void fuzz_response(const char *buf, size_t len)
{
	static struct http_response resp;
	enum http_err err = HTTP_OK;
	long r = http_parse_response(buf, len, &resp, &err);
	check(r == HTTP_PARSE_ERROR || r == HTTP_PARSE_PARTIAL ||
	      (r > 0 && (size_t)r <= len));
	if (r > 0) {
		struct http_body_info info;
		check(resp.status >= 100 && resp.status <= 999);
		(void)http_response_framing(&resp, "GET", 3, &info);
		(void)http_response_framing(&resp, "HEAD", 4, &info);
		(void)http_response_framing(&resp, "CONNECT", 7, &info);
	}
}

/* ---- Chunked ---- */

/*
 * Decode in one piece and in two pieces split at a point taken from the
 * input: both must agree on the result and on the decoded bytes.
 */
static void fuzz_chunked(const char *buf, size_t len)
{
	struct http_chunked a, b;
	struct http_buf oa, ob;
	enum http_err ea = HTTP_OK, eb = HTTP_OK;

	http_buf_init(&oa, 1 << 16);
	http_buf_init(&ob, 1 << 16);
	http_chunked_init(&a);
	long ra = http_chunked_feed(&a, buf, len, &oa, &ea);

	size_t split = len ? (unsigned char)buf[0] % (len + 1) : 0;
	http_chunked_init(&b);
	long rb = http_chunked_feed(&b, buf, split, &ob, &eb);
	if (rb >= 0 && !b.done) {
		long rb2 = http_chunked_feed(&b, buf + split, len - split, &ob,
					     &eb);
		rb = rb2 < 0 ? rb2 : rb + rb2;
	}
	check((ra < 0) == (rb < 0));
	if (ra >= 0) {
		check(ra == rb && a.done == b.done);
		check(oa.len == ob.len &&
		      (oa.len == 0 || memcmp(oa.data, ob.data, oa.len) == 0));
	}
	http_buf_free(&oa);
	http_buf_free(&ob);
}

/* ---- Base64 ---- */

/* Whatever decodes must encode back to exactly the input (canonical). */
static void fuzz_base64(const char *buf, size_t len)
{
	size_t cap = base64_decoded_max(len) + 1;
	unsigned char *out = malloc(cap);
	char *again = malloc(len + 1);
	size_t n = 0, m = 0;
	if (out && again &&
	    base64_decode(buf, len, out, cap, &n) == HTTP_OK) {
		check(n <= base64_decoded_max(len));
		check(base64_encode(out, n, again, len + 1, &m) == HTTP_OK);
		check(m == len && memcmp(again, buf, len) == 0);
	}
	free(out);
	free(again);
}

/* One input exercises every reader on its own exact-size copy. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	fuzz_request(buf, size);
	fuzz_response(buf, size);
	fuzz_chunked(buf, size);
	fuzz_base64(buf, size);
	free(buf);
	return 0;
}

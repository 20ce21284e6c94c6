/*
 * tests/fuzz/fuzz_chunked.c - the incremental chunked decoder (RFC 9112
 * §7.1).  The input is decoded in one piece, in two pieces split at a
 * point taken from the input, and one byte at a time: all three must
 * agree on success, on `done`, on the bytes consumed and on the data.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/buf.h"
#include "../../http/chunked.h"
#include "../../http/message.h"
#include "fuzz.h"

/* Feed in[0..len) in pieces of at most `step` bytes (0: all at once),
 * stopping at done or at an error.  Returns the total consumed or -1. */
static long feed(const char *in, size_t len, size_t step,
		 struct http_chunked *c, struct http_buf *out)
{
	enum http_err err = HTTP_OK;
	size_t pos = 0;

	http_chunked_init(c);
	while (pos < len && !c->done) {
		size_t n = step == 0 || len - pos < step ? len - pos : step;
		long r = http_chunked_feed(c, in + pos, n, out, &err);

		if (r < 0) {
			fuzz_check(err != HTTP_OK);
			return -1;
		}
		fuzz_check((size_t)r <= n);
		pos += (size_t)r;
		if ((size_t)r < n && !c->done)
			return -1; /* took less without finishing: not allowed
				    */
	}
	return (long)pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct http_chunked a, b, c;
	struct http_buf oa, ob, oc;
	size_t split;
	long ra, rb, rc;

	if (buf == NULL)
		return 0;
	http_buf_init(&oa, 1 << 16);
	http_buf_init(&ob, 1 << 16);
	http_buf_init(&oc, 1 << 16);
	ra = feed(buf, size, 0, &a, &oa);
	split = size ? (unsigned char)buf[0] % (size + 1) : 0;
	rb = feed(buf, size, split, &b, &ob);
	rc = size <= 4096 ? feed(buf, size, 1, &c, &oc) : ra;
	fuzz_check((ra < 0) == (rb < 0));
	fuzz_check((ra < 0) == (rc < 0));
	if (ra >= 0) {
		fuzz_check(ra == rb && a.done == b.done);
		fuzz_check(
		    oa.len == ob.len &&
		    (oa.len == 0 || memcmp(oa.data, ob.data, oa.len) == 0));
		if (size <= 4096) {
			fuzz_check(ra == rc && a.done == c.done);
			fuzz_check(oa.len == oc.len &&
				   (oa.len == 0 ||
				    memcmp(oa.data, oc.data, oa.len) == 0));
		}
		/* Decoding never makes data out of nothing. */
		fuzz_check(oa.len <= (size_t)ra);
	}
	http_buf_free(&oa);
	http_buf_free(&ob);
	http_buf_free(&oc);
	free(buf);
	return 0;
}

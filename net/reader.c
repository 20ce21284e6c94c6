/*
 * net/reader.c - the one blocking message reader; see reader.h.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "reader.h"

#include <string.h>

#include "body.h"
#include "net.h"

#define READER_CHUNK 16384 /* bytes asked for in one read */

struct reader reader_on_fd(int fd)
{
	struct reader rd = {fd, NULL, NULL, false};

	return rd;
}

/*
 * Read once, at most want bytes, onto the end of b.  Returns > 0, 0 at
 * the end, -1 on an error (rd->failed) or when b is full.  The staging
 * copy is wiped: a response can echo credentials (the lab's origin shows
 * the request's fields).
 */
static long read_some(struct reader *rd, struct http_buf *b, size_t want)
{
	char tmp[READER_CHUNK];
	long r;

	if (want > sizeof tmp)
		want = sizeof tmp;
	r = rd->recv != NULL ? rd->recv(rd->ctx, tmp, want)
			     : (long)net_recv(rd->fd, tmp, want);
	rd->failed = r < 0;
	if (r > 0) {
		bool ok = http_buf_append(b, tmp, (size_t)r);

		explicit_bzero(tmp, (size_t)r);
		if (!ok)
			return -1;
	}
	return r;
}

long reader_head(struct reader *rd, struct http_buf *b,
		 struct http_request *req, struct http_response *resp,
		 enum http_err *err)
{
	for (;;) {
		long n = HTTP_PARSE_PARTIAL;
		long r;

		*err = HTTP_OK;
		if (b->len > 0) {
			n = req != NULL
				? http_parse_request(b->data, b->len, req, err)
				: http_parse_response(b->data, b->len, resp,
						      err);
			if (n > 0)
				return n;
			if (n == HTTP_PARSE_ERROR)
				return -1;
		}
		r = read_some(rd, b, READER_CHUNK);
		if (r == 0 && b->len == 0)
			return 0;
		if (r <= 0) {
			*err = HTTP_E_PARTIAL;
			return -1;
		}
	}
}

/* Take the n body bytes at b[at..] out of b (reader_body with decoded). */
static bool drop(struct http_buf *b, size_t at, size_t n)
{
	if (at == 0) {
		http_buf_consume(b, n);
		return true;
	}
	return http_buf_splice(b, at, n, "", 0);
}

long reader_body(struct reader *rd, struct http_buf *b, size_t head_len,
		 const struct http_body_info *info, size_t max,
		 struct http_buf *decoded, enum http_err *err)
{
	struct body_mover m;
	size_t pos = head_len; /* the next body byte in b */
	long rc = -1;

	*err = HTTP_OK;
	if (max > 0 && info->framing == HTTP_BODY_LENGTH &&
	    info->length > max) {
		*err = HTTP_E_BODY_TOO_LARGE;
		return -1;
	}
	body_init(&m, info, BODY_DECODE, max);
	for (;;) {
		long r;

		if (pos < b->len && !m.done) {
			long n = body_feed(&m, b->data + pos, b->len - pos,
					   decoded, err);

			if (n < 0)
				break;
			if (decoded == NULL)
				pos += (size_t)n;
			else if (!drop(b, pos, (size_t)n)) {
				*err = HTTP_E_NOMEM;
				break;
			}
		}
		if (m.done) {
			rc = (long)m.moved;
			break;
		}
		/* Content-Length: never read past the body (the next
		 * message stays in the source for whoever reads next). */
		r = read_some(rd, b,
			      info->framing == HTTP_BODY_LENGTH ? (size_t)m.left
								: READER_CHUNK);
		if (r == 0 && body_eof(&m)) {
			rc = (long)m.moved;
			break;
		}
		if (r <= 0) {
			*err = HTTP_E_PARTIAL;
			break;
		}
	}
	body_free(&m);
	return rc;
}

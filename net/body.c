/*
 * net/body.c - the one body mover (RFC 9112 §6.3, §7.1); see body.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "body.h"

#include <string.h>

#include "../http/trailer.h"

#define BODY_SCRATCH_MAX (1u << 20) /* decoded bytes held between feeds */

void body_init(struct body_mover *m, const struct http_body_info *info,
	       enum body_mode mode, uint64_t limit)
{
	memset(m, 0, sizeof(*m));
	m->info = *info;
	m->mode = mode;
	m->left = info->framing == HTTP_BODY_LENGTH ? info->length : 0;
	m->limit = limit;
	http_chunked_init(&m->ch);
	http_buf_init(&m->scratch, BODY_SCRATCH_MAX);
	http_buf_init(&m->trailers, HTTP_MAX_HEAD_BYTES + 1);
	m->done = info->framing == HTTP_BODY_NONE ||
		  (info->framing == HTTP_BODY_LENGTH && info->length == 0);
}

void body_free(struct body_mover *m)
{
	http_buf_free(&m->scratch);
	http_buf_free(&m->trailers);
}

bool body_verbatim(const struct body_mover *m)
{
	return m->info.framing == HTTP_BODY_LENGTH ||
	       m->info.framing == HTTP_BODY_UNTIL_CLOSE;
}

/* Count n more body bytes against the limit. */
static bool count(struct body_mover *m, size_t n, enum http_err *err)
{
	m->moved += n;
	if (m->limit > 0 && m->moved > m->limit) {
		*err = HTTP_E_BODY_TOO_LARGE;
		return false;
	}
	return true;
}

/*
 * Chunked: decode what is there, then write it on.  In BODY_RELAY the
 * data goes out as one chunk per feed and the trailers, once complete,
 * filtered; the chunk sizes of the sender are not kept (any recipient
 * may decode a transfer coding and apply it again, RFC 9112 §6.1).
 */
static long feed_chunked(struct body_mover *m, const char *in, size_t len,
			 struct http_buf *out, enum http_err *err)
{
	long used;

	http_buf_reset(&m->scratch);
	m->ch.trailers = m->mode == BODY_RELAY ? &m->trailers : NULL;
	used = http_chunked_feed(
	    &m->ch, in, len, m->mode == BODY_DISCARD ? NULL : &m->scratch, err);
	m->ch.trailers = NULL;
	if (used < 0 || !count(m, (size_t)used, err))
		return -1;
	if (m->mode == BODY_DECODE && out != NULL && m->scratch.len > 0)
		http_buf_append(out, m->scratch.data, m->scratch.len);
	if (m->mode == BODY_RELAY && out != NULL) {
		if (m->scratch.len > 0) {
			http_buf_printf(out, "%zx\r\n", m->scratch.len);
			http_buf_append(out, m->scratch.data, m->scratch.len);
			http_buf_puts(out, "\r\n");
		}
		if (m->ch.done) {
			http_buf_puts(out, "0\r\n");
			trailer_filter(m->trailers.data, m->trailers.len, out);
			http_buf_puts(out, "\r\n");
		}
	}
	m->done = m->ch.done;
	if (out != NULL && out->failed) {
		*err = HTTP_E_NOMEM;
		return -1;
	}
	return used;
}

long body_feed(struct body_mover *m, const char *in, size_t len,
	       struct http_buf *out, enum http_err *err)
{
	size_t take = len;

	*err = HTTP_OK;
	if (m->done)
		return 0;
	switch (m->info.framing) {
	case HTTP_BODY_NONE:
		m->done = true;
		return 0;
	case HTTP_BODY_CHUNKED:
		return feed_chunked(m, in, len, out, err);
	case HTTP_BODY_LENGTH:
		if (take > m->left)
			take = (size_t)m->left;
		m->left -= take;
		m->done = m->left == 0;
		break;
	case HTTP_BODY_UNTIL_CLOSE:
		break;
	}
	if (!count(m, take, err))
		return -1;
	if (m->mode == BODY_DECODE && out != NULL &&
	    !http_buf_append(out, in, take)) {
		*err = HTTP_E_BODY_TOO_LARGE;
		return -1;
	}
	return (long)take;
}

bool body_eof(struct body_mover *m)
{
	if (m->info.framing == HTTP_BODY_UNTIL_CLOSE)
		m->done = true;
	return m->done;
}

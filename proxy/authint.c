/*
 * proxy/authint.c - the request body held for Digest qop=auth-int; see
 * authint.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "authint.h"

#include <string.h>

#include "../http/guard.h"

/*
 * The mover counts framed bytes (chunk-size lines, extensions, CRLFs,
 * trailers) besides the data; the limit that matters is on the data
 * (a->body's own maximum), and this one only stops framing without data
 * from running on for ever.
 */
#define AUTHINT_FRAMING_SLACK (64u * 1024)

bool authint_wanted(const struct guard_config *cfg,
		    const struct http_request *req,
		    const struct http_body_info *info)
{
	enum digest_alg alg;

	(void)info;
	return (cfg->qops & DIGEST_QOP_AUTH_INT) != 0 &&
	       guard_body_alg(cfg, req, &alg);
}

enum http_err authint_start(struct authint *a, const char *head,
			    size_t head_len, const struct http_body_info *info,
			    uint64_t limit)
{
	memset(a, 0, sizeof(*a));
	a->info = *info;
	a->limit = limit;
	body_init(&a->mv, info, BODY_DECODE, 2 * limit + AUTHINT_FRAMING_SLACK);
	/* One more byte than the limit, so that passing it is seen as a
	 * refused write rather than a body that just fits. */
	http_buf_init(&a->body, (size_t)limit + 1);
	http_buf_init(&a->head, head_len + 1);
	if (info->framing == HTTP_BODY_LENGTH && info->length > limit)
		return HTTP_E_BODY_TOO_LARGE;
	if (!http_buf_append(&a->head, head, head_len))
		return HTTP_E_NOMEM;
	return HTTP_OK;
}

long authint_feed(struct authint *a, const char *in, size_t len,
		  enum http_err *err)
{
	long used = body_feed(&a->mv, in, len, &a->body, err);

	if (a->body.len > a->limit || (used < 0 && a->body.failed)) {
		*err = HTTP_E_BODY_TOO_LARGE;
		return -1;
	}
	return used;
}

bool authint_done(const struct authint *a)
{
	return a->mv.done;
}

bool authint_write(const struct authint *a, struct http_buf *out)
{
	if (a->info.framing != HTTP_BODY_CHUNKED)
		return a->body.len == 0 ||
		       http_buf_append(out, a->body.data, a->body.len);
	if (a->body.len > 0 &&
	    !(http_buf_printf(out, "%zx\r\n", a->body.len) &&
	      http_buf_append(out, a->body.data, a->body.len) &&
	      http_buf_puts(out, "\r\n")))
		return false;
	return http_buf_puts(out, "0\r\n\r\n");
}

void authint_free(struct authint *a)
{
	body_free(&a->mv);
	http_buf_free(&a->body);
	http_buf_free(&a->head);
}

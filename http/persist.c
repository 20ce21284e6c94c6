/*
 * http/persist.c - one keep-alive rule (RFC 9112 §9.3).
 */
#define _POSIX_C_SOURCE 200809L

#include "persist.h"

#include "expect.h"

/* RFC 9112 §9.3: HTTP/1.1 persists unless close; 1.0 only on keep-alive. */
bool persist_keep_alive(int minor_version, const struct http_header *hs,
			size_t n)
{
	if (http_header_has_token(hs, n, "Connection", "close"))
		return false;
	if (minor_version == 0)
		return http_header_has_token(hs, n, "Connection", "keep-alive");
	return true;
}

bool persist_request(const struct http_request *req)
{
	return persist_keep_alive(req->minor_version, req->headers,
				  req->num_headers);
}

/* See persist.h: an early answer leaves the body unread. */
bool persist_close_after_early_answer(const struct http_request *req)
{
	struct http_body_info info;

	if (http_request_framing(req, &info) != HTTP_OK)
		return true;
	if (info.framing == HTTP_BODY_NONE ||
	    (info.framing == HTTP_BODY_LENGTH && info.length == 0))
		return false;
	/* A client waiting for 100 may never send the body (RFC 9110
	 * §10.1.1), or send it later: neither can be skipped safely. */
	if (expect_continue(req))
		return true;
	return info.framing != HTTP_BODY_LENGTH ||
	       info.length > PERSIST_MAX_DISCARD;
}

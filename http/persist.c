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
	return persist_keep_alive_rule(
	    minor_version, http_header_has_token(hs, n, "Connection", "close"),
	    minor_version == 0 &&
		http_header_has_token(hs, n, "Connection", "keep-alive"));
}

bool persist_keep_alive_rule(int minor_version, bool close, bool keep_alive)
{
	if (close)
		return false;
	if (minor_version == 0)
		return keep_alive;
	return true;
}

bool persist_request(const struct http_request *req)
{
	return persist_keep_alive(req->minor_version, req->headers,
				  req->num_headers);
}

bool persist_close_after_early_answer(const struct http_request *req)
{
	struct http_body_info info;
	enum http_err e = http_request_framing(req, &info);

	return persist_early_answer_rule(e, &info,
					 e == HTTP_OK &&
					     info.framing != HTTP_BODY_NONE &&
					     expect_continue(req));
}

bool persist_early_answer_rule(enum http_err framing_err,
			       const struct http_body_info *info,
			       bool expect_continue)
{
	if (framing_err != HTTP_OK)
		return true;
	if (info->framing == HTTP_BODY_NONE ||
	    (info->framing == HTTP_BODY_LENGTH && info->length == 0))
		return false;
	/* A client waiting for 100 may never send the body (RFC 9110
	 * §10.1.1), or send it later: neither can be skipped safely. */
	if (expect_continue)
		return true;
	return info->framing != HTTP_BODY_LENGTH ||
	       info->length > PERSIST_MAX_DISCARD;
}

/*
 * http/expect.c - Expect: 100-continue (RFC 9110 §10.1.1).
 */
#define _POSIX_C_SOURCE 200809L

#include "expect.h"

bool expect_continue(const struct http_request *req)
{
	return req->minor_version >= 1 &&
	       http_header_has_token(req->headers, req->num_headers, "Expect",
				     "100-continue");
}

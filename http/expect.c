/*
 * http/expect.c - Expect: 100-continue (RFC 9110 §10.1.1).
 */
#define _POSIX_C_SOURCE 200809L

#include "expect.h"

bool expect_continue(const struct http_request *req)
{
	return expect_continue_rule(
	    req->minor_version,
	    http_header_has_token(req->headers, req->num_headers, "Expect",
				  "100-continue"));
}

bool expect_continue_rule(int minor_version, bool listed)
{
	return minor_version >= 1 && listed;
}

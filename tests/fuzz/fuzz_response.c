/*
 * tests/fuzz/fuzz_response.c - the response-head parser (RFC 9112 §4)
 * and response framing as an answer to GET, HEAD and CONNECT (RFC 9112
 * §6.3), plus the challenge lists a client reads out of a 401 or 407.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/auth.h"
#include "../../http/message.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_response resp;
	static struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	char *buf = fuzz_copy(data, size);
	enum http_err err = HTTP_OK;
	long r;

	if (buf == NULL)
		return 0;
	r = http_parse_response(buf, size, &resp, &err);
	fuzz_check(r == HTTP_PARSE_ERROR || r == HTTP_PARSE_PARTIAL ||
		   (r > 0 && (size_t)r <= size));
	if (r == HTTP_PARSE_PARTIAL)
		fuzz_check(err == HTTP_E_PARTIAL);
	if (r > 0) {
		struct http_body_info info;
		size_t i, n = 0;

		fuzz_check(resp.status >= 100 && resp.status <= 999);
		fuzz_check(resp.num_headers <= HTTP_MAX_HEADERS);
		for (i = 0; i < resp.num_headers; i++)
			fuzz_check(fuzz_inside(buf, (size_t)r,
					       resp.headers[i].value,
					       resp.headers[i].value_len));
		/* RFC 9112 §6.3: a response to HEAD, a 1xx, 204 and 304
		 * never have a body, whatever the fields say. */
		if (http_response_framing(&resp, "HEAD", 4, &info) == HTTP_OK)
			fuzz_check(info.framing == HTTP_BODY_NONE);
		if (http_response_framing(&resp, "GET", 3, &info) == HTTP_OK &&
		    (resp.status < 200 || resp.status == 204 ||
		     resp.status == 304))
			fuzz_check(info.framing == HTTP_BODY_NONE);
		(void)http_response_framing(&resp, "CONNECT", 7, &info);
		(void)auth_collect_challenges(resp.headers, resp.num_headers,
					      "Proxy-Authenticate", ch,
					      AUTH_MAX_CHALLENGES, &n);
		fuzz_check(n <= AUTH_MAX_CHALLENGES);
	}
	free(buf);
	return 0;
}

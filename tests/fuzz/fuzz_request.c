/*
 * tests/fuzz/fuzz_request.c - the request-head parser (RFC 9112 §2-§6)
 * and what the proxy and origin do with a parsed head next: framing,
 * the target as absolute-form or authority-form, Connection tokens.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/message.h"
#include "../../http/url.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request req;
	char *buf = fuzz_copy(data, size);
	enum http_err err = HTTP_OK;
	long r;

	if (buf == NULL)
		return 0;
	r = http_parse_request(buf, size, &req, &err);
	fuzz_check(r == HTTP_PARSE_ERROR || r == HTTP_PARSE_PARTIAL ||
		   (r > 0 && (size_t)r <= size));
	if (r == HTTP_PARSE_PARTIAL)
		fuzz_check(err == HTTP_E_PARTIAL);
	if (r == HTTP_PARSE_ERROR)
		fuzz_check(err != HTTP_OK && err != HTTP_E_PARTIAL);
	if (r > 0) {
		struct http_body_info info;
		struct http_url u;
		size_t i;
		long again;

		fuzz_check(req.num_headers <= HTTP_MAX_HEADERS);
		fuzz_check(req.target_len <= HTTP_MAX_TARGET_BYTES);
		fuzz_check(req.minor_version == 0 || req.minor_version == 1);
		fuzz_check(
		    fuzz_inside(buf, (size_t)r, req.method, req.method_len));
		fuzz_check(
		    fuzz_inside(buf, (size_t)r, req.target, req.target_len));
		for (i = 0; i < req.num_headers; i++) {
			const struct http_header *h = &req.headers[i];

			fuzz_check(h->name_len > 0);
			fuzz_check(http_is_token(h->name, h->name_len));
			fuzz_check(
			    fuzz_inside(buf, (size_t)r, h->name, h->name_len));
			fuzz_check(fuzz_inside(buf, (size_t)r, h->value,
					       h->value_len));
			/* No line end survives inside a field value. */
			fuzz_check(
			    memchr(h->value, '\r', h->value_len) == NULL &&
			    memchr(h->value, '\n', h->value_len) == NULL);
		}
		(void)http_request_framing(&req, &info);
		(void)http_url_parse(req.target, req.target_len, &u);
		(void)http_authority_parse(req.target, req.target_len, &u);
		(void)http_header_has_token(req.headers, req.num_headers,
					    "Connection", "close");
		(void)http_header_count(req.headers, req.num_headers, "Host");
		/* A complete head parses the same with nothing after it. */
		again = http_parse_request(buf, (size_t)r, &req, &err);
		fuzz_check(again == r);
	}
	free(buf);
	return 0;
}

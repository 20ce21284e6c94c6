/*
 * tests/fuzz/fuzz_url.c - absolute-form URLs and authority-form targets
 * (RFC 9112 §3.2.2, §3.2.3; RFC 3986 §3.2).  Whatever parses yields a
 * host that fits, a port in 1..65535 and a path inside the input.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/message.h"
#include "../../http/url.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct http_url u;

	if (buf == NULL)
		return 0;
	if (http_url_parse(buf, size, &u) == HTTP_OK) {
		fuzz_check(strlen(u.host) <= HTTP_MAX_HOST);
		fuzz_check(u.port >= 1 && u.port <= 65535);
		fuzz_check(strcmp(u.scheme, "http") == 0 ||
			   strcmp(u.scheme, "https") == 0);
		fuzz_check(u.path_len >= 1);
		fuzz_check(u.path[0] == '/');
		/* "/" for an empty path is a literal, not the input, and
		 * "/?q" for "http://h?q" is "/" then the input's "?q" */
		if (u.path == u.slash_query) {
			const char *q = memchr(buf, '?', size);

			fuzz_check(q != NULL && u.path[1] == '?' &&
				   fuzz_inside(buf, size, q, u.path_len - 1) &&
				   memcmp(q, u.path + 1, u.path_len - 1) == 0);
		} else if (u.path_len > 1)
			fuzz_check(fuzz_inside(buf, size, u.path, u.path_len));
	}
	if (http_authority_parse(buf, size, &u) == HTTP_OK) {
		fuzz_check(strlen(u.host) <= HTTP_MAX_HOST &&
			   u.host[0] != '\0');
		fuzz_check(u.port >= 1 && u.port <= 65535);
	}
	free(buf);
	return 0;
}

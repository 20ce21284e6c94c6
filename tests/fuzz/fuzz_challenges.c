/*
 * tests/fuzz/fuzz_challenges.c - a WWW-Authenticate / Proxy-Authenticate
 * field value holding one or more challenges (RFC 9110 §11.6.1, §11.7.1),
 * and what a client does with them: unescape every parameter and choose
 * one to answer (http/answer.c), as bin/client does after a 407.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/answer.h"
#include "../../http/auth.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	static char out[AUTH_MAX_VALUE + 1];
	char *buf = fuzz_copy(data, size);
	size_t n = 0, i, j;

	if (buf == NULL)
		return 0;
	if (auth_parse_challenges(buf, size, ch, AUTH_MAX_CHALLENGES, &n) ==
	    HTTP_OK) {
		struct answer_state st;
		struct answer_trace tr;
		struct answer_creds cr = {
		    .user = "alice",
		    .pass = "wonderland",
		    .allowed = AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST |
			       AUTH_SCHEME_BEARER,
		    /* both rankings (http/answer.h): by the input's length */
		    .tls = (size & 1) != 0,
		};
		struct http_buf value;

		fuzz_check(n <=
			   AUTH_MAX_CHALLENGES); /* #challenge: may be empty */
		for (i = 0; i < n; i++) {
			fuzz_check(ch[i].scheme_len > 0);
			fuzz_check(fuzz_inside(buf, size, ch[i].scheme,
					       ch[i].scheme_len));
			fuzz_check(ch[i].num_params <= AUTH_MAX_PARAMS);
			for (j = 0; j < ch[i].num_params; j++) {
				size_t len = 0;

				fuzz_check(fuzz_inside(
				    buf, size, ch[i].params[j].value,
				    ch[i].params[j].value_len));
				if (auth_param_copy(&ch[i].params[j], out,
						    sizeof(out),
						    &len) == HTTP_OK)
					fuzz_check(len <=
						   ch[i].params[j].value_len);
			}
		}
		answer_state_init(&st);
		memset(&tr, 0, sizeof(tr));
		http_buf_init(&value, 0);
		if (answer_choose(&st, &cr, ch, n, &tr) == HTTP_OK)
			(void)answer_build(&st, &cr, "GET", "/private", NULL, 0,
					   &value, &tr);
		http_buf_free(&value);
	}
	free(buf);
	return 0;
}

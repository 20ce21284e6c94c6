/*
 * tests/unit/sameness.h - helpers for "an unknown user and a wrong
 * password look the same on the wire" (test_gate.c, test_origin.c).
 *
 * Two responses are compared byte for byte after two things that differ
 * by design are masked: the Date field (RFC 9110 §6.6.1, the clock) and
 * the value of every nonce="..." (RFC 7616 §3.3: each challenge carries a
 * fresh one).  Everything else, body included, must be identical.
 */
#ifndef LAB407_TESTS_SAMENESS_H
#define LAB407_TESTS_SAMENESS_H

#include <stdio.h>
#include <string.h>

#include "../../http/buf.h"
#include "../../http/digest.h"

/* Copy resp[0..len) into out with Date lines dropped and nonce values
 * replaced by "*". */
static inline void sameness_mask(const char *resp, size_t len,
				 struct http_buf *out)
{
	size_t i = 0;

	http_buf_reset(out);
	while (i < len) {
		const char *eol = memchr(resp + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (resp + i)) + 1 : len - i;

		if (n >= 6 && strncmp(resp + i, "Date: ", 6) == 0) {
			i += n;
			continue;
		}
		for (size_t j = i; j < i + n;) {
			if (j + 7 <= i + n &&
			    strncmp(resp + j, "nonce=\"", 7) == 0 &&
			    (j == i || resp[j - 1] != 'c')) {
				http_buf_puts(out, "nonce=\"*");
				for (j += 7; j < i + n && resp[j] != '"'; j++)
					;
				continue; /* the closing quote is copied next */
			}
			http_buf_append(out, resp + j, 1);
			j++;
		}
		i += n;
	}
	http_buf_puts(out, "");
}

/*
 * A Digest credentials value for user:pass at realm/nonce/uri, qop=auth,
 * nc=1, written the way a client would (through auth_write_param).
 */
static inline void sameness_digest(enum digest_alg alg, const char *user,
				   const char *pass, const char *realm,
				   const char *nonce, const char *method,
				   const char *uri, struct http_buf *out)
{
	struct digest_input in;
	char resp[DIGEST_HEX_MAX + 1];

	memset(&in, 0, sizeof(in));
	in.alg = alg;
	in.qop = DIGEST_QOP_AUTH;
	in.user = user;
	in.realm = realm;
	in.password = pass;
	in.nonce = nonce;
	in.cnonce = "0a4f113b";
	in.nc = 1;
	in.method = method;
	in.uri = uri;
	if (digest_compute(&in, NULL, resp) != HTTP_OK)
		resp[0] = '\0';
	http_buf_reset(out);
	http_buf_puts(out, "Digest ");
	auth_write_param(out, true, "username", user, true);
	auth_write_param(out, false, "realm", realm, true);
	auth_write_param(out, false, "nonce", nonce, true);
	auth_write_param(out, false, "uri", uri, true);
	auth_write_param(out, false, "algorithm", digest_alg_name(alg), false);
	auth_write_param(out, false, "qop", "auth", false);
	auth_write_param(out, false, "nc", "00000001", false);
	auth_write_param(out, false, "cnonce", "0a4f113b", true);
	auth_write_param(out, false, "response", resp, true);
}

#endif

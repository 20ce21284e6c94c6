/*
 * tests/fuzz/guard_fixture.h - a proxy-side guard (the lab's users, one
 * set of schemes) and a request carrying one Proxy-Authorization field
 * whose value is the fuzz input, for the credentials and Digest harnesses.
 *
 * The input may contain "@NONCE@": it is replaced by a nonce the guard
 * itself issued a moment ago, so the fuzzer gets past the nonce check
 * (an HMAC it could never guess) to the fields checked after it.
 */
#ifndef LAB407_TESTS_GUARD_FIXTURE_H
#define LAB407_TESTS_GUARD_FIXTURE_H

#include <stdio.h>

#include "../../http/guard.h"
#include "fuzz.h"

#define FIXTURE_NOW 1700000000u /* a fixed clock: runs repeat exactly */

struct guard_fixture {
	struct guard_config cfg;
	struct guard_state st;
	struct users users;
	bool ready;
};

/* Set up once per process; abort when the set-up itself fails. */
static inline void fixture_setup(struct guard_fixture *f, const char *auth)
{
	char why[256];

	if (f->ready)
		return;
	memset(f, 0, sizeof(*f));
	fuzz_check(guard_setup_options(&f->cfg, true, auth, "lab407 proxy",
				       "SHA-256,MD5,SHA-512-256,MD5-sess",
				       "auth,auth-int", why,
				       sizeof(why)) == HTTP_OK);
	fuzz_check(users_defaults(&f->users, USERS_SIDE_PROXY) == HTTP_OK);
	f->cfg.users = &f->users;
	fuzz_check(guard_state_init(&f->st, 0) == HTTP_OK);
	f->ready = true;
}

/*
 * Copy the input into an exact-size block with every "@NONCE@" replaced
 * by a fresh nonce; *len is set.  Free the result.
 */
static inline char *fixture_value(struct guard_fixture *f, const uint8_t *data,
				  size_t size, size_t *len)
{
	static const char mark[] = "@NONCE@";
	char nonce[DIGEST_MAX_FIELD];
	size_t nlen, i, n = 0, count = 0;
	char *out;

	fuzz_check(digest_nonce_make(&f->st.key, FIXTURE_NOW, nonce,
				     sizeof(nonce)) == HTTP_OK);
	nlen = strlen(nonce);
	for (i = 0; i + sizeof(mark) - 1 <= size; i++)
		if (memcmp(data + i, mark, sizeof(mark) - 1) == 0)
			count++;
	out = malloc(size + count * nlen + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < size;) {
		if (i + sizeof(mark) - 1 <= size &&
		    memcmp(data + i, mark, sizeof(mark) - 1) == 0) {
			memcpy(out + n, nonce, nlen);
			n += nlen;
			i += sizeof(mark) - 1;
		} else {
			out[n++] = (char)data[i++];
		}
	}
	*len = n;
	return out;
}

/* Run guard_check on a request whose one Proxy-Authorization is v[0..n). */
static inline void fixture_check(struct guard_fixture *f, const char *v,
				 size_t n, struct guard_result *res)
{
	static struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.method_len = 3;
	req.target = "http://127.0.0.1:8080/private";
	req.target_len = strlen(req.target);
	req.minor_version = 1;
	req.headers[0].name = "Host";
	req.headers[0].name_len = 4;
	req.headers[0].value = "127.0.0.1:8080";
	req.headers[0].value_len = 14;
	req.headers[1].name = "Proxy-Authorization";
	req.headers[1].name_len = 19;
	req.headers[1].value = v;
	req.headers[1].value_len = n;
	req.num_headers = 2;
	guard_check(&f->cfg, &f->st, &req, "body", 4, FIXTURE_NOW, res);
	/* One of the verdicts, and OK always names who. */
	fuzz_check(res->verdict <= GUARD_MALFORMED);
	if (res->verdict == GUARD_OK)
		fuzz_check(res->user[0] != '\0');
	/* Texts are terminated; the info value cannot split a header. */
	fuzz_check(memchr(res->reason, '\0', sizeof(res->reason)) != NULL);
	fuzz_check(strpbrk(res->info, "\r\n") == NULL);
}

#endif

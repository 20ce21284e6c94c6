/*
 * tests/unit/test_repl_breaker.c - `break password` and `break user` on a
 * request an outside client wrote (breaker_held_apply()): the credential
 * it computed is rewritten into the one a wrong password or an unknown
 * user gives, or left alone with a sentence saying why.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../repl/breaker_held.h"
#include "../../repl/lab.h"
#include "../../repl/lab_state.h"

#define HEAD(cred)                                                             \
	"GET http://127.0.0.1:8080/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"     \
	"Proxy-Authorization: " cred "\r\n\r\n"

#define DIGEST(user, extra)                                                    \
	"Digest username=\"" user "\", realm=\"lab407 proxy\", "               \
	"nonce=\"abc\", uri=\"/x\", qop=auth, nc=00000001, cnonce=\"xyz\", "   \
	"response=\"4d4e0dfce8faf8807867fac0962e8e03\"" extra

struct held_case {
	const char *comment;
	enum lab_break brk;
	const char *in;	  /* the request as the client sent it */
	const char *out;  /* expected after, or NULL: unchanged */
	const char *note; /* a fragment of the note ("" : none) */
	bool still_armed; /* the break waits for a later request */
};

static const struct held_case cases[] = {
    {"Basic password: alice:wonderland-wrong, encoded again",
     LAB_BREAK_PASSWORD, HEAD("Basic YWxpY2U6d29uZGVybGFuZA=="),
     HEAD("Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw=="), "became PASSWORD-wrong",
     false},
    {"Basic user: nobody:wonderland", LAB_BREAK_USER,
     HEAD("Basic YWxpY2U6d29uZGVybGFuZA=="),
     HEAD("Basic bm9ib2R5OndvbmRlcmxhbmQ="), "became nobody", false},
    {"Basic without ':' (base64 of alice): left alone, spent",
     LAB_BREAK_PASSWORD, HEAD("Basic YWxpY2U="), NULL, "have no ':'", false},
    {"Basic token that is not base64: left alone, spent", LAB_BREAK_USER,
     HEAD("Basic ...."), NULL, "not base64", false},
    {"no credential yet: waits for the retry", LAB_BREAK_PASSWORD,
     "GET http://127.0.0.1:8080/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
     NULL, "", true},
    {"Bearer password: a token never issued", LAB_BREAK_PASSWORD,
     HEAD("Bearer alice-token"), HEAD("Bearer alice-token-wrong"),
     "never issued", false},
    {"Bearer user: it has none", LAB_BREAK_USER, HEAD("Bearer alice-token"),
     NULL, "no user name", false},
    {"NTLM: not rewritten, stays armed", LAB_BREAK_PASSWORD,
     HEAD("NTLM TlRMTVNTUAADAAAA"), NULL, "not NTLM", true},
    {"Digest user: username=nobody", LAB_BREAK_USER, HEAD(DIGEST("alice", "")),
     HEAD(DIGEST("nobody", "")), "username became", false},
    /* MD5 qop=auth, RFC 7616 §3.4.1, with the password "wrong" (computed
     * apart from lab407) */
    {"Digest password: the response from the password wrong",
     LAB_BREAK_PASSWORD, HEAD(DIGEST("alice", "")),
     HEAD("Digest username=\"alice\", realm=\"lab407 proxy\", "
	  "nonce=\"abc\", uri=\"/x\", qop=auth, nc=00000001, cnonce=\"xyz\", "
	  "response=\"2840b18c4d5c9516e03145a9eaf97f93\""),
     "the password \"wrong\"", false},
    {"Digest password with userhash: cannot recompute, spent",
     LAB_BREAK_PASSWORD, HEAD(DIGEST("alice", ", userhash=true")), NULL,
     "nothing changed", false},
    {"Digest user with userhash: left alone", LAB_BREAK_USER,
     HEAD(DIGEST("alice", ", userhash=true")), NULL, "no plain quoted", false},
};

static void test_held(void **state)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	size_t i;

	(void)state;
	assert_non_null(lab);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct held_case *c = &cases[i];
		struct http_buf b;
		char note[LAB_MAX_BROKEN];
		const char *want = c->out ? c->out : c->in;

		lab->brk = c->brk;
		lab->brk_party = LAB_PROXY;
		http_buf_init(&b, LAB_MAX_MESSAGE);
		assert_true(http_buf_append(&b, c->in, strlen(c->in)));
		breaker_held_apply(lab, &b, note, sizeof(note));
		if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
			fail_msg("%s: got\n%.*s", c->comment, (int)b.len,
				 b.data);
		if (c->note[0] == '\0' ? note[0] != '\0'
				       : strstr(note, c->note) == NULL)
			fail_msg("%s: note '%s', want '%s'", c->comment, note,
				 c->note);
		if ((lab->brk != LAB_BREAK_NONE) != c->still_armed)
			fail_msg("%s: armed after: %d", c->comment,
				 lab->brk != LAB_BREAK_NONE);
		http_buf_free(&b);
	}
	free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

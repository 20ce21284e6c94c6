/*
 * tests/unit/test_repl_choice.c - the REPL's bad-list errors
 * (repl/choice.c) and the mysteries' misbehaving proxy replies
 * (repl/mystery.c, mystery_proxy_reply()): pure, no sockets.
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

#include "../../repl/choice.h"
#include "../../repl/lab_state.h"
#include "../../repl/mystery.h"

/* ---- Lists ---- */

struct list_case {
	const char *comment;
	bool algorithms; /* false: a `scheme` list */
	const char *list;
	bool ok;
	const char *says; /* in the error, when not ok */
};

static const struct list_case list_cases[] = {
    /* the lab's schemes, alone and together, any case */
    {"basic", false, "basic", true, NULL},
    {"three", false, "digest,basic,bearer", true, NULL},
    {"case", false, "Digest,BASIC", true, NULL},
    {"spaces around items", false, "digest, basic", true, NULL},
    {"none", false, "none", true, NULL},
    /* an unknown scheme is named, with the choices */
    {"ntlm", false, "ntlm", true, NULL},
    {"negotiate and basic", false, "negotiate,basic", true, NULL},
    {"kerberos unknown", false, "kerberos", false,
     "'kerberos' is not a scheme the lab offers; choose basic, digest, "
     "bearer, ntlm, negotiate"},
    {"ntlmv2 unknown", false, "ntlmv2", false, "'ntlmv2' is not a scheme"},
    {"unknown second", false, "basic,spnego", false, "'spnego'"},
    {"repeated", false, "basic,Basic", false, "'Basic' is named twice"},
    {"empty item", false, "basic,,digest", false, "an empty item"},
    {"trailing comma", false, "basic,", false, "an empty item"},
    {"long item", false, "a-scheme-name-far-longer-than-any-real-one", false,
     "is not a scheme"},
    /* algorithms: RFC 7616 §3.3 names, with -sess */
    {"sha-256", true, "SHA-256", true, NULL},
    {"all six", true,
     "MD5,SHA-256,SHA-512-256,MD5-sess,SHA-256-sess,SHA-512-256-sess", true,
     NULL},
    {"digest is a scheme", true, "digest,digest", false,
     "'digest' is not a Digest algorithm; choose MD5"},
    {"sha1", true, "SHA1", false, "'SHA1' is not a Digest algorithm"},
    {"repeated alg", true, "MD5,md5", false, "'md5' is named twice"},
    {"empty alg", true, "", false, "an empty item"},
};

static void test_lists(void **state)
{
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *c = &list_cases[i];
		bool ok;

		err[0] = '\0';
		ok = c->algorithms
			 ? choice_algorithms(c->list, err, sizeof(err))
			 : choice_schemes(c->list, err, sizeof(err));
		if (ok != c->ok)
			fail_msg("%s: got %s (%s)", c->comment,
				 ok ? "ok" : "an error", err);
		if (!ok && strstr(err, c->says) == NULL)
			fail_msg("%s: '%s' lacks '%s'", c->comment, err,
				 c->says);
	}
}

/* ---- Misbehaving proxies ---- */

#define R407                                                                   \
	"HTTP/1.1 407 Proxy Authentication Required\r\n"                       \
	"Proxy-Authenticate: Basic realm=\"lab407 proxy\"\r\n"                 \
	"Content-Length: 0\r\n\r\n"

struct reply_case {
	const char *comment;
	bool own_401, own_close, had_creds;
	const char *in, *out;
	bool close;
};

static const struct reply_case reply_cases[] = {
    /* no misbehaviour: untouched */
    {"plain", false, false, true, R407, R407, false},
    /* mystery 4, bad credentials: an origin's 401 and field */
    {"401 for bad credentials", true, false, true, R407,
     "HTTP/1.1 401 Unauthorized\r\n"
     "WWW-Authenticate: Basic realm=\"lab407 proxy\"\r\n"
     "Content-Length: 0\r\n\r\n",
     false},
    /* mystery 4, no credentials yet: the 407 stays a proper one */
    {"407 without credentials", true, false, false, R407, R407, false},
    /* mystery 6: Connection: close on the 407, and the close */
    {"close after 407", false, true, false, R407,
     "HTTP/1.1 407 Proxy Authentication Required\r\n"
     "Connection: close\r\n"
     "Proxy-Authenticate: Basic realm=\"lab407 proxy\"\r\n"
     "Content-Length: 0\r\n\r\n",
     true},
    /* other statuses are never touched */
    {"403 untouched", true, true, true,
     "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
     "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", false},
};

static void test_replies(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];
		struct lab *lab = calloc(1, sizeof(*lab));
		struct http_buf b;
		bool close = false;

		assert_non_null(lab);
		lab->own_401 = c->own_401;
		lab->own_close = c->own_close;
		http_buf_init(&b, 4096);
		http_buf_append(&b, c->in, strlen(c->in));
		mystery_proxy_reply(lab, c->had_creds, &b, &close);
		if (b.len != strlen(c->out) ||
		    memcmp(b.data, c->out, b.len) != 0)
			fail_msg("%s: got\n%.*s", c->comment, (int)b.len,
				 b.data);
		if (close != c->close)
			fail_msg("%s: close %d", c->comment, close);
		http_buf_free(&b);
		free(lab);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

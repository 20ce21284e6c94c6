/*
 * tests/unit/test_gate_ntlm.c - proxy_decide_conn() with NTLM: the
 * connection, not the request, is authenticated (lesson 11).
 *
 * Each "connection" is one struct proxy_conn; a new connection is a fresh
 * one, a closed connection is proxy_conn_free().  The client side is
 * http/ntlm.c's own client, fed the proxy's real CHALLENGE.
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

#include "../../http/auth.h"
#include "../../http/base64.h"
#include "../../http/ntlm.h"
#include "../../http/users.h"
#include "../../proxy/gate.h"

#define NOW 1732844800u
#define T "GET http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
#define PA "Proxy-Authorization: "
/* curl's NEGOTIATE */
#define NEGOTIATE "NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA="

struct world {
	struct users users;
	struct acl acl;
	struct proxy_config cfg;
	struct proxy_state st;
	struct proxy_decision d;
	char b64[NTLM_GUARD_MAX_B64]; /* the last CHALLENGE, base64 */
};

static struct world *world_new(const char *schemes)
{
	struct world *w = calloc(1, sizeof(*w));
	size_t n = 0;

	assert_non_null(w);
	assert_int_equal(users_defaults(&w->users, USERS_SIDE_PROXY), HTTP_OK);
	acl_default(&w->acl);
	w->cfg.guard.proxy = true;
	assert_int_equal(auth_scheme_list_parse(schemes, w->cfg.guard.schemes,
						GUARD_MAX_SCHEMES, &n),
			 HTTP_OK);
	w->cfg.guard.num_schemes = n;
	snprintf(w->cfg.guard.realm, sizeof(w->cfg.guard.realm),
		 "lab407 proxy");
	w->cfg.guard.users = &w->users;
	w->cfg.guard.algs[0] = DIGEST_MD5;
	w->cfg.guard.num_algs = 1;
	w->cfg.guard.qops = DIGEST_QOP_AUTH;
	w->cfg.acl = &w->acl;
	assert_int_equal(proxy_state_init(&w->st, DIGEST_NONCE_LIFETIME),
			 HTTP_OK);
	proxy_decision_init(&w->d);
	return w;
}

static void world_free(struct world *w)
{
	proxy_decision_free(&w->d);
	users_free(&w->users);
	free(w);
}

/* One request on connection c (NULL: no connection state); returns the
 * status (0 for a forward) and keeps the CHALLENGE, if any, in w->b64. */
static int ask(struct world *w, struct proxy_conn *c, const char *extra)
{
	char text[8192];
	struct http_request req;
	struct http_response resp;
	enum http_err e = HTTP_OK;
	long n;
	size_t i;

	snprintf(text, sizeof(text), T "%s\r\n", extra ? extra : "");
	n = http_parse_request(text, strlen(text), &req, &e);
	assert_true(n > 0);
	proxy_decision_free(&w->d);
	proxy_decision_init(&w->d);
	proxy_decide_conn(&w->cfg, &w->st, c, &req, NULL, 0, NOW, &w->d);
	w->b64[0] = '\0';
	if (w->d.action != PROXY_RESPOND)
		return 0;
	assert_true(
	    http_parse_response(w->d.out.data, w->d.out.len, &resp, &e) > 0);
	for (i = 0; i < resp.num_headers; i++) {
		const struct http_header *h = &resp.headers[i];

		if (http_header_is(h, "Proxy-Authenticate") &&
		    h->value_len > 5 && memcmp(h->value, "NTLM ", 5) == 0)
			snprintf(w->b64, sizeof(w->b64), "%.*s",
				 (int)h->value_len - 5, h->value + 5);
	}
	return w->d.status;
}

/* The AUTHENTICATE for the CHALLENGE in w->b64, as "NTLM <base64>". */
static void authenticate(struct world *w, const char *user, const char *pass,
			 char *out, size_t cap)
{
	uint8_t m[NTLM_MAX_MESSAGE], a[NTLM_MAX_MESSAGE];
	size_t n = 0, an = 0, bn = 0;
	struct ntlm_challenge ch;
	struct ntlm_client_input in = {
	    .user = user,
	    .domain = "",
	    .password = pass,
	    .workstation = "TEST",
	    .timestamp = 0x01d9000000000000ull,
	};

	memset(in.client_challenge, 0x42, 8);
	assert_int_equal(
	    base64_decode(w->b64, strlen(w->b64), m, sizeof(m), &n), HTTP_OK);
	assert_int_equal(ntlm_parse_challenge(m, n, &ch), HTTP_OK);
	assert_int_equal(ntlm_client_authenticate(&ch, &in, a, sizeof(a), &an),
			 HTTP_OK);
	assert_true(cap > 5 + 2);
	memcpy(out, PA "NTLM ", strlen(PA) + 5);
	assert_int_equal(base64_encode(a, an, out + strlen(PA) + 5,
				       cap - strlen(PA) - 7, &bn),
			 HTTP_OK);
	assert_true(strlen(PA) + 5 + bn + 3 <= cap);
	memcpy(out + strlen(PA) + 5 + bn, "\r\n", 3);
}

/* The whole handshake on one connection, then requests with no header. */
static void test_handshake(void **state)
{
	struct world *w = world_new("ntlm");
	struct proxy_conn c;
	char auth[8192];

	(void)state;
	proxy_conn_init(&c);
	/* nothing yet: a bare "NTLM" challenge, connection kept */
	assert_int_equal(ask(w, &c, NULL), 407);
	assert_false(w->d.close);
	assert_non_null(strstr(w->d.out.data, "Proxy-Authenticate: NTLM\r\n"));
	/* message 1 -> 407 with message 2, connection kept */
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	assert_false(w->d.close);
	assert_true(strlen(w->b64) > 0);
	assert_string_equal(w->d.lesson, "11");
	/* message 3 -> forwarded, Proxy-Authorization consumed */
	authenticate(w, "alice", "wonderland", auth, sizeof(auth));
	assert_int_equal(ask(w, &c, auth), 0);
	assert_int_equal(w->d.action, PROXY_FORWARD);
	assert_string_equal(w->d.user, "alice");
	assert_null(strstr(w->d.out.data, "Proxy-Authorization"));
	/* later requests on the connection: no header needed */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ask(w, &c, NULL), 0);
		assert_string_equal(w->d.user, "alice");
	}
	/* a new connection starts over */
	{
		struct proxy_conn other;

		proxy_conn_init(&other);
		assert_int_equal(ask(w, &other, NULL), 407);
		proxy_conn_free(&other);
	}
	/* without connection state NTLM cannot succeed */
	assert_int_equal(ask(w, NULL, NULL), 407);
	proxy_conn_free(&c);
	/* the connection closed: what it proved is gone */
	assert_int_equal(c.ntlm.phase, NTLM_GUARD_IDLE);
	assert_int_equal(ask(w, &c, NULL), 407);
	world_free(w);
}

/* The ways a handshake fails, each a 407 that starts over. */
static void test_failures(void **state)
{
	struct world *w = world_new("ntlm");
	struct proxy_conn c, c2;
	char auth[8192], auth2[8192];

	(void)state;
	/* wrong password */
	proxy_conn_init(&c);
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "alice", "wonderlanD", auth, sizeof(auth));
	assert_int_equal(ask(w, &c, auth), 407);
	assert_non_null(strstr(w->d.why, "wrong password"));
	assert_non_null(strstr(w->d.out.data, "Proxy-Authenticate: NTLM\r\n"));
	/* unknown user: the same 407 head */
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "carol", "wonderland", auth, sizeof(auth));
	assert_int_equal(ask(w, &c, auth), 407);
	assert_non_null(strstr(w->d.why, "unknown"));
	proxy_conn_free(&c);

	/* connection closed between CHALLENGE and AUTHENTICATE */
	proxy_conn_init(&c);
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "alice", "wonderland", auth, sizeof(auth));
	proxy_conn_free(&c);
	proxy_conn_init(&c2);
	assert_int_equal(ask(w, &c2, auth), 407);
	assert_non_null(strstr(w->d.why, "no CHALLENGE"));
	proxy_conn_free(&c2);

	/* an AUTHENTICATE used once cannot be used again, on the same
	 * connection or another */
	proxy_conn_init(&c);
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "bob", "builder", auth, sizeof(auth));
	assert_int_equal(ask(w, &c, auth), 0);
	proxy_conn_init(&c2);
	assert_int_equal(ask(w, &c2, auth), 407);
	proxy_conn_free(&c2);
	/* a second NEGOTIATE on an authenticated connection restarts it */
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	assert_int_equal(ask(w, &c, NULL), 407);
	proxy_conn_free(&c);

	/* an AUTHENTICATE for another connection's CHALLENGE */
	proxy_conn_init(&c);
	proxy_conn_init(&c2);
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "alice", "wonderland", auth, sizeof(auth));
	assert_int_equal(ask(w, &c2, PA NEGOTIATE "\r\n"), 407);
	authenticate(w, "alice", "wonderland", auth2, sizeof(auth2));
	assert_int_equal(ask(w, &c2, auth), 407);
	/* and c's CHALLENGE does not take c2's AUTHENTICATE either */
	assert_int_equal(ask(w, &c, auth2), 407);
	proxy_conn_free(&c);
	proxy_conn_free(&c2);
	world_free(w);
}

/* Unreadable NTLM credentials: 400, with the reason. */
static void test_malformed(void **state)
{
	struct world *w = world_new("ntlm");
	struct proxy_conn c;
	const char *cases[] = {
	    /* not base64 */
	    PA "NTLM %%%%\r\n",
	    /* base64 of something that is not NTLMSSP */
	    PA "NTLM aGVsbG8gd29ybGQ=\r\n",
	    /* a CHALLENGE sent by a client */
	    PA "NTLM "
	       "TlRMTVNTUAACAAAAAAAAADAAAAABAgAAASNFZ4mrze8AAAAAAAAAAAAAAAAwAAA"
	       "A\r\n",
	    /* an AUTHENTICATE whose fields run past the end */
	    PA "NTLM TlRMTVNTUAADAAAAGAAYAEAAAAA=\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proxy_conn_init(&c);
		print_message("case %zu\n", i);
		assert_int_equal(ask(w, &c, cases[i]), 400);
		assert_true(w->d.close);
		proxy_conn_free(&c);
	}
	world_free(w);
}

/*
 * A refusal of an NTLM message is answered as the guard's refusals are
 * (a 407 for a wrong password or user, a 400 for a message that does not
 * read), and explained by lesson 11 with the guard's verdict; a value
 * the auth grammar refuses never reaches NTLM and is lesson 03's 400.
 */
struct refusal_case {
	const char *comment;
	const char *user; /* handshake first, then AUTHENTICATE as user:pass */
	const char *pass;
	const char *field; /* or this field line, on a fresh connection */
	int status;
	const char *lesson;
	enum guard_verdict verdict;
	const char *why; /* substring of d.why */
};

static const struct refusal_case refusal_cases[] = {
    {"wrong password", "alice", "wonderlanD", NULL, 407, "11", GUARD_BAD,
     "wrong password"},
    {"unknown user", "carol", "wonderland", NULL, 407, "11", GUARD_BAD,
     "unknown"},
    {"not NTLMSSP", NULL, NULL, PA "NTLM aGVsbG8gd29ybGQ=\r\n", 400, "11",
     GUARD_MALFORMED, "Proxy-Authorization malformed: "},
    {"a CHALLENGE from a client", NULL, NULL,
     PA "NTLM TlRMTVNTUAACAAAAAAAAADAAAAABAgAAASNFZ4mrze8AAAAAAAAAAAAAAAAwAAA"
	"A\r\n",
     400, "11", GUARD_MALFORMED, "Proxy-Authorization malformed: "},
    {"fields past the end", NULL, NULL,
     PA "NTLM TlRMTVNTUAADAAAAGAAYAEAAAAA=\r\n", 400, "11", GUARD_MALFORMED,
     "Proxy-Authorization malformed: "},
    {"not even a token68", NULL, NULL, PA "NTLM %%%%\r\n", 400, "03",
     GUARD_MALFORMED, "cannot be parsed"},
};

static void test_refusals_explained(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusal_cases) / sizeof(refusal_cases[0]);
	     i++) {
		const struct refusal_case *tc = &refusal_cases[i];
		struct world *w = world_new("ntlm");
		struct proxy_conn c;
		char auth[8192];

		print_message("case: %s\n", tc->comment);
		proxy_conn_init(&c);
		if (tc->user != NULL) {
			assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
			authenticate(w, tc->user, tc->pass, auth, sizeof(auth));
		} else {
			snprintf(auth, sizeof(auth), "%s", tc->field);
		}
		assert_int_equal(ask(w, &c, auth), tc->status);
		assert_string_equal(w->d.lesson, tc->lesson);
		assert_int_equal(w->d.auth_verdict, (int)tc->verdict);
		if (strstr(w->d.why, tc->why) == NULL)
			fail_msg("%s: why '%s' lacks '%s'", tc->comment,
				 w->d.why, tc->why);
		proxy_conn_free(&c);
		world_free(w);
	}
}

/* Several schemes: one 407 with one challenge each, in order; Basic
 * beside NTLM still works request by request. */
static void test_several(void **state)
{
	struct world *w = world_new("negotiate,ntlm,basic");
	struct proxy_conn c;
	const char *p, *q, *r;

	(void)state;
	proxy_conn_init(&c);
	assert_int_equal(ask(w, &c, NULL), 407);
	p = strstr(w->d.out.data, "Proxy-Authenticate: Negotiate\r\n");
	q = strstr(w->d.out.data, "Proxy-Authenticate: NTLM\r\n");
	r = strstr(w->d.out.data, "Proxy-Authenticate: Basic realm=");
	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(r);
	assert_true(p < q && q < r);
	assert_int_equal(ask(w, &c, PA "Basic YWxpY2U6d29uZGVybGFuZA==\r\n"),
			 0);
	/* Basic authenticates the request, not the connection */
	assert_int_equal(ask(w, &c, NULL), 407);
	/* the NTLM 407 in the middle of a handshake carries only NTLM */
	assert_int_equal(ask(w, &c, PA NEGOTIATE "\r\n"), 407);
	assert_null(strstr(w->d.out.data, "Basic realm"));
	proxy_conn_free(&c);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake),
	    cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_refusals_explained),
	    cmocka_unit_test(test_several),
	};

	return cmocka_run_group_tests_name("gate_ntlm", tests, NULL, NULL);
}

/*
 * tests/unit/test_answer.c - the client side: choosing a challenge,
 * building credentials the way curl does, nonce counts, nextnonce, and the
 * round trip answer_build -> guard_check for every algorithm and qop.
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

#include "../../http/answer.h"
#include "../../http/guard.h"

#define NOW 1700000000u
#define ALL (AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST | AUTH_SCHEME_BEARER)

/* Parse one challenge field value into ch; returns the count. */
static size_t parse(const char *v, struct auth_challenge *ch)
{
	size_t n = 0;

	assert_int_equal(
	    auth_parse_challenges(v, strlen(v), ch, AUTH_MAX_CHALLENGES, &n),
	    HTTP_OK);
	return n;
}

/* ---- Choosing ---- */

struct choose_case {
	const char *comment;
	const char *challenges;
	unsigned allowed;
	enum http_err err;
	enum auth_scheme scheme;
	enum digest_alg alg; /* when Digest */
	unsigned qops;	     /* when Digest */
	const char *why;     /* substring, or NULL */
};

static const struct choose_case choose_cases[] = {
    /* curl's default: Basic */
    {"basic only", "Basic realm=\"r\"", AUTH_SCHEME_BASIC, HTTP_OK,
     AUTH_SCHEME_BASIC, DIGEST_MD5, 0, "chose Basic"},
    /* allowed 0 means curl's default, Basic */
    {"allowed 0 is basic", "Basic realm=\"r\"", 0, HTTP_OK, AUTH_SCHEME_BASIC,
     DIGEST_MD5, 0, NULL},
    /* Digest beats Basic when both allowed (--anyauth) */
    {"digest over basic", "Basic realm=\"r\", Digest realm=\"r\", nonce=\"n\"",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_MD5, 0,
     "chose Digest MD5 over Basic"},
    /* only Basic allowed (--proxy-basic): Digest is not used */
    {"basic when digest not allowed",
     "Digest realm=\"r\", nonce=\"n\", Basic realm=\"r\"", AUTH_SCHEME_BASIC,
     HTTP_OK, AUTH_SCHEME_BASIC, DIGEST_MD5, 0, NULL},
    /* without TLS (cr.tls false here) Digest beats Bearer and Basic */
    {"digest over bearer in clear",
     "Basic realm=\"r\", Digest realm=\"r\", nonce=\"n\", "
     "Bearer realm=\"r\"",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_MD5, 0,
     "chose Digest MD5 over Bearer, Basic"},
    /* Negotiate and NTLM are ignored, with tokens or without */
    {"mixed with negotiate and ntlm",
     "Negotiate, NTLM, Digest realm=\"r\", nonce=\"n\", algorithm=MD5, "
     "qop=\"auth\", Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, "
     "qop=\"auth,auth-int\", Negotiate YIIBhwYGKwYBBQ==, Basic realm=\"r\"",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_SHA256,
     DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT, "chose Digest SHA-256"},
    /* nothing we speak */
    {"only negotiate and ntlm", "Negotiate, NTLM", ALL, HTTP_E_AUTH_SCHEME,
     AUTH_SCHEME_NONE, DIGEST_MD5, 0, NULL},
    /* offered but not allowed */
    {"bearer not allowed", "Bearer realm=\"r\"",
     AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST, HTTP_E_AUTH_SCHEME,
     AUTH_SCHEME_NONE, DIGEST_MD5, 0, NULL},
    /* the strongest algorithm wins, whatever the order */
    {"strongest alg",
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256-sess, "
     "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, "
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_SHA512_256_SESS, 0, NULL},
    /* -sess ranks just below its base */
    {"sess below base",
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256-sess, "
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_SHA512_256, 0, NULL},
    /* an algorithm we do not know is skipped */
    {"unknown alg skipped",
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1, "
     "Digest realm=\"r\", nonce=\"n\", algorithm=md5-sess",
     ALL, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_MD5_SESS, 0, NULL},
    /* only an unknown algorithm: unusable */
    {"only unknown alg", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1",
     ALL, HTTP_E_AUTH_SCHEME, AUTH_SCHEME_NONE, DIGEST_MD5, 0, NULL},
    /* a Digest challenge without nonce cannot be answered */
    {"digest without nonce", "Digest realm=\"r\"", AUTH_SCHEME_DIGEST,
     HTTP_E_AUTH_SCHEME, AUTH_SCHEME_NONE, DIGEST_MD5, 0, NULL},
    /* qop auth-conf (not HTTP) only: unusable */
    {"qop auth-conf only", "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"",
     AUTH_SCHEME_DIGEST, HTTP_E_AUTH_SCHEME, AUTH_SCHEME_NONE, DIGEST_MD5, 0,
     NULL},
    /* only auth-int offered */
    {"qop auth-int only", "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",
     AUTH_SCHEME_DIGEST, HTTP_OK, AUTH_SCHEME_DIGEST, DIGEST_MD5,
     DIGEST_QOP_AUTH_INT, NULL},
    /* no challenges at all */
    {"empty", "", ALL, HTTP_E_AUTH_SCHEME, AUTH_SCHEME_NONE, DIGEST_MD5, 0,
     NULL},
};

static void test_choose_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(choose_cases) / sizeof(choose_cases[0]);
	     i++) {
		const struct choose_case *tc = &choose_cases[i];
		struct auth_challenge ch[AUTH_MAX_CHALLENGES];
		struct answer_creds cr = {"alice", "wonderland", tc->allowed,
					  false, NULL};
		struct answer_state st;
		struct answer_trace tr;
		size_t n = 0;

		print_message("case: %s\n", tc->comment);
		if (tc->challenges[0] != '\0')
			n = parse(tc->challenges, ch);
		answer_state_init(&st);
		assert_int_equal(answer_choose(&st, &cr, ch, n, &tr), tc->err);
		if (tc->err != HTTP_OK) {
			assert_false(st.have_challenge);
			continue;
		}
		assert_true(st.have_challenge);
		assert_int_equal(st.scheme, tc->scheme);
		assert_int_equal(tr.scheme, tc->scheme);
		if (tc->scheme == AUTH_SCHEME_DIGEST) {
			assert_int_equal(st.alg, tc->alg);
			assert_int_equal(st.qop_offered, tc->qops);
			assert_string_equal(st.realm, "r");
			assert_string_equal(st.nonce, "n");
		}
		if (tc->why && strstr(tr.why, tc->why) == NULL)
			fail_msg("%s: why '%s' lacks '%s'", tc->comment, tr.why,
				 tc->why);
	}
}

/*
 * lab407's policy (http/answer.h, answer_rank): the same offers over a
 * plain-HTTP connection and inside TLS, each pair of the schemes
 * answer_choose() answers, in both orders, one field per challenge and
 * several challenges in one field.  Fields are separated by '|'.
 */
struct rank_case {
	const char *comment;
	const char *fields; /* Proxy-Authenticate values, '|' between */
	bool tls;
	enum auth_scheme scheme;
	const char *why; /* substring, or NULL */
};

#define BA "Basic realm=\"r\""
#define DI "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256"
#define BE "Bearer realm=\"r\""

static const struct rank_case rank_cases[] = {
    /* Bearer and Digest: the connection decides */
    {"bearer,digest plain", BE "|" DI, false, AUTH_SCHEME_DIGEST,
     "chose Digest SHA-256 over Bearer (no TLS"},
    {"digest,bearer plain", DI "|" BE, false, AUTH_SCHEME_DIGEST, NULL},
    {"bearer,digest tls", BE "|" DI, true, AUTH_SCHEME_BEARER,
     "chose Bearer over Digest"},
    {"digest,bearer tls", DI "|" BE, true, AUTH_SCHEME_BEARER, NULL},
    /* Bearer and Basic: both send a reusable secret; the token the
     * user gave wins, and without TLS the note says what that costs */
    {"bearer,basic plain", BE "|" BA, false, AUTH_SCHEME_BEARER,
     "RFC 6750 §5.3"},
    {"basic,bearer plain", BA "|" BE, false, AUTH_SCHEME_BEARER, NULL},
    {"bearer,basic tls", BE "|" BA, true, AUTH_SCHEME_BEARER,
     "chose Bearer over Basic"},
    {"basic,bearer tls", BA "|" BE, true, AUTH_SCHEME_BEARER, NULL},
    /* Digest and Basic: Digest either way, whatever the order */
    {"basic,digest plain", BA "|" DI, false, AUTH_SCHEME_DIGEST,
     "chose Digest SHA-256 over Basic"},
    {"digest,basic plain", DI "|" BA, false, AUTH_SCHEME_DIGEST, NULL},
    {"basic,digest tls", BA "|" DI, true, AUTH_SCHEME_DIGEST, NULL},
    {"digest,basic tls", DI "|" BA, true, AUTH_SCHEME_DIGEST, NULL},
    /* one scheme alone: taken on either connection */
    {"bearer alone plain", BE, false, AUTH_SCHEME_BEARER,
     "without TLS, which RFC 6750 §5.3 requires"},
    {"bearer alone tls", BE, true, AUTH_SCHEME_BEARER, NULL},
    {"basic alone plain", BA, false, AUTH_SCHEME_BASIC, NULL},
    /* all three in one field (RFC 9110 §11.6.1), and split over two */
    {"three in one field plain", BA ", " BE ", " DI, false, AUTH_SCHEME_DIGEST,
     "over Bearer, Basic"},
    {"three in one field tls", BA ", " BE ", " DI, true, AUTH_SCHEME_BEARER,
     "over Digest, Basic"},
    {"three in two fields plain", BA ", " BE "|" DI, false, AUTH_SCHEME_DIGEST,
     NULL},
    {"three in two fields tls", DI "|" BA ", " BE, true, AUTH_SCHEME_BEARER,
     NULL},
    /* a Digest challenge that cannot be used does not outrank Bearer */
    {"unusable digest, bearer plain",
     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1|" BE, false,
     AUTH_SCHEME_BEARER, NULL},
    /* unknown and connection schemes around them change nothing */
    {"ntlm and foo skipped plain", "NTLM|Foo bar=1, " BE ", " DI, false,
     AUTH_SCHEME_DIGEST, NULL},
};

static void test_rank_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rank_cases) / sizeof(rank_cases[0]);
	     i++) {
		const struct rank_case *tc = &rank_cases[i];
		struct auth_challenge ch[AUTH_MAX_CHALLENGES];
		struct http_header hs[8];
		struct answer_creds cr = {"", "alice-token", ALL, tc->tls,
					  NULL};
		struct answer_state st;
		struct answer_trace tr;
		const char *p = tc->fields;
		size_t nh = 0, n = 0;

		print_message("case: %s\n", tc->comment);
		while (nh < 8) {
			const char *bar = strchr(p, '|');
			size_t len =
			    bar != NULL ? (size_t)(bar - p) : strlen(p);

			hs[nh].name = "Proxy-Authenticate";
			hs[nh].name_len = strlen(hs[nh].name);
			hs[nh].value = p;
			hs[nh].value_len = len;
			nh++;
			if (bar == NULL)
				break;
			p = bar + 1;
		}
		assert_int_equal(
		    auth_collect_challenges(hs, nh, "Proxy-Authenticate", ch,
					    AUTH_MAX_CHALLENGES, &n),
		    HTTP_OK);
		answer_state_init(&st);
		assert_int_equal(answer_choose(&st, &cr, ch, n, &tr), HTTP_OK);
		assert_int_equal(st.scheme, tc->scheme);
		if (tc->why && strstr(tr.why, tc->why) == NULL)
			fail_msg("%s: why '%s' lacks '%s'", tc->comment, tr.why,
				 tc->why);
		/* the clear-text warning appears exactly when it applies */
		if (tc->tls)
			assert_null(strstr(tr.why, "TLS"));
	}
}

/* The ranking itself: Bearer moves, nothing else does. */
static void test_rank_order(void **state)
{
	(void)state;
	assert_true(answer_rank(AUTH_SCHEME_BEARER, true) >
		    answer_rank(AUTH_SCHEME_DIGEST, true));
	assert_true(answer_rank(AUTH_SCHEME_DIGEST, false) >
		    answer_rank(AUTH_SCHEME_NTLM, false));
	assert_true(answer_rank(AUTH_SCHEME_NTLM, false) >
		    answer_rank(AUTH_SCHEME_BEARER, false));
	assert_true(answer_rank(AUTH_SCHEME_BEARER, false) >
		    answer_rank(AUTH_SCHEME_BASIC, false));
	assert_true(answer_rank(AUTH_SCHEME_DIGEST, true) >
		    answer_rank(AUTH_SCHEME_NTLM, true));
	assert_true(answer_rank(AUTH_SCHEME_NTLM, true) >
		    answer_rank(AUTH_SCHEME_BASIC, true));
	for (int tls = 0; tls < 2; tls++) {
		assert_true(answer_rank(AUTH_SCHEME_NEGOTIATE, tls) >
			    answer_rank(AUTH_SCHEME_BEARER, tls));
		assert_true(answer_rank(AUTH_SCHEME_NEGOTIATE, tls) >
			    answer_rank(AUTH_SCHEME_DIGEST, tls));
		assert_int_equal(answer_rank(AUTH_SCHEME_UNKNOWN, tls), 0);
		assert_int_equal(answer_rank(AUTH_SCHEME_NONE, tls), 0);
	}
}

/* No user given: nothing to answer with. */
static void test_choose_no_user(void **state)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	struct answer_creds cr = {NULL, NULL, ALL, false, NULL};
	struct answer_state st;
	size_t n = parse("Basic realm=\"r\"", ch);

	(void)state;
	answer_state_init(&st);
	assert_int_not_equal(answer_choose(&st, &cr, ch, n, NULL), HTTP_OK);
	assert_false(st.have_challenge);
}

/* ---- Building ---- */

/* Choose from `challenge` and build one value for GET uri. */
static void choose_build(struct answer_state *st, const struct answer_creds *cr,
			 const char *challenge, const char *method,
			 const char *uri, const char *body,
			 struct http_buf *out, struct answer_trace *tr)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	size_t n = parse(challenge, ch);

	assert_int_equal(answer_choose(st, cr, ch, n, tr), HTTP_OK);
	http_buf_reset(out);
	assert_int_equal(answer_build(st, cr, method, uri, body,
				      body ? strlen(body) : 0, out, tr),
			 HTTP_OK);
}

static void test_build_basic_bearer(void **state)
{
	struct answer_creds cr = {"alice", "wonderland", ALL, false, NULL};
	struct answer_creds tok = {"alice", "alice-token", ALL, false, NULL};
	struct answer_state st;
	struct http_buf b;

	(void)state;
	http_buf_init(&b, 0);
	answer_state_init(&st);
	choose_build(&st, &cr, "Basic realm=\"r\"", "GET", "/", NULL, &b, NULL);
	assert_string_equal(b.data, "Basic YWxpY2U6d29uZGVybGFuZA==");
	answer_state_init(&st);
	choose_build(&st, &tok, "Bearer realm=\"r\"", "GET", "/", NULL, &b,
		     NULL);
	assert_string_equal(b.data, "Bearer alice-token");
	/* nothing chosen yet: nothing to build */
	answer_state_init(&st);
	http_buf_reset(&b);
	assert_int_not_equal(
	    answer_build(&st, &cr, "GET", "/", NULL, 0, &b, NULL), HTTP_OK);
	http_buf_free(&b);
}

/* The exact shape curl writes, and a response that really verifies. */
static void test_build_digest_format(void **state)
{
	struct answer_creds cr = {"alice", "wonderland", ALL, false, NULL};
	struct answer_state st;
	struct answer_trace tr;
	struct digest_input in;
	struct http_buf b;
	char want[512], resp[DIGEST_HEX_MAX + 1];

	(void)state;
	http_buf_init(&b, 0);
	answer_state_init(&st);
	choose_build(&st, &cr,
		     "Digest realm=\"r\", nonce=\"n1\", qop=\"auth,auth-int\", "
		     "opaque=\"o\", algorithm=MD5",
		     "GET", "/x", NULL, &b, &tr);
	/* curl prefers auth over auth-int */
	memset(&in, 0, sizeof(in));
	in.alg = DIGEST_MD5;
	in.qop = DIGEST_QOP_AUTH;
	in.user = "alice";
	in.realm = "r";
	in.password = "wonderland";
	in.nonce = "n1";
	in.cnonce = tr.cnonce;
	in.nc = 1;
	in.method = "GET";
	in.uri = "/x";
	assert_int_equal(digest_compute(&in, NULL, resp), HTTP_OK);
	snprintf(want, sizeof(want),
		 "Digest username=\"alice\", realm=\"r\", nonce=\"n1\", "
		 "uri=\"/x\", cnonce=\"%s\", nc=00000001, qop=auth, "
		 "response=\"%s\", opaque=\"o\", algorithm=MD5",
		 tr.cnonce, resp);
	assert_string_equal(b.data, want);
	assert_int_equal(strlen(tr.cnonce), 32);
	assert_int_equal(tr.nc, 1);
	assert_string_equal(tr.digest.response, resp);
	assert_string_equal(tr.digest.a2, "GET:/x");
	http_buf_free(&b);
}

/*
 * The client's quoted-strings go through the same writer: a username,
 * realm or opaque holding '"' or '\' comes back out of the parser
 * unchanged, one param each; a username with a control character is not
 * written at all.
 */
static void test_build_digest_quoted(void **state)
{
	static const char *const users[] = {"a\"b", "a\\b", "x\", uri=\"/y",
					    "\\"};
	struct answer_state st;
	struct http_buf b;
	struct auth_challenge c;
	char got[128];

	(void)state;
	http_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct answer_creds cr = {users[i], "pw", ALL, false, NULL};

		answer_state_init(&st);
		choose_build(&st, &cr,
			     "Digest realm=\"r\\\"q\", nonce=\"n1\", qop=auth, "
			     "opaque=\"o\\\\p\", algorithm=MD5",
			     "GET", "/x", NULL, &b, NULL);
		assert_int_equal(auth_parse_credentials(b.data, b.len, &c),
				 HTTP_OK);
		assert_int_equal(auth_get(&c, "username", got, sizeof(got)),
				 HTTP_OK);
		assert_string_equal(got, users[i]);
		assert_int_equal(auth_get(&c, "realm", got, sizeof(got)),
				 HTTP_OK);
		assert_string_equal(got, "r\"q");
		assert_int_equal(auth_get(&c, "opaque", got, sizeof(got)),
				 HTTP_OK);
		assert_string_equal(got, "o\\p");
		assert_int_equal(auth_get(&c, "uri", got, sizeof(got)),
				 HTTP_OK);
		assert_string_equal(got, "/x");
	}
	{
		struct answer_creds cr = {"a\r\nX-Injected: 1", "pw", ALL,
					  false, NULL};
		struct auth_challenge ch[AUTH_MAX_CHALLENGES];
		size_t n =
		    parse("Digest realm=\"r\", nonce=\"n1\", qop=auth", ch);

		answer_state_init(&st);
		assert_int_equal(answer_choose(&st, &cr, ch, n, NULL), HTTP_OK);
		http_buf_reset(&b);
		assert_int_not_equal(
		    answer_build(&st, &cr, "GET", "/x", NULL, 0, &b, NULL),
		    HTTP_OK);
		assert_null(strstr(b.data ? b.data : "", "X-Injected"));
	}
	http_buf_free(&b);
}

/* nc counts per nonce; a new nonce restarts it; cnonce is fresh each time. */
static void test_nc_and_cnonce(void **state)
{
	struct answer_creds cr = {"alice", "wonderland", ALL, false, NULL};
	const char *ch1 = "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"";
	struct answer_state st;
	struct answer_trace tr;
	struct http_buf b;
	char first_cnonce[DIGEST_MAX_FIELD];

	(void)state;
	http_buf_init(&b, 0);
	answer_state_init(&st);
	choose_build(&st, &cr, ch1, "GET", "/", NULL, &b, &tr);
	assert_non_null(strstr(b.data, "nc=00000001"));
	snprintf(first_cnonce, sizeof(first_cnonce), "%s", tr.cnonce);
	/* the next request with the same nonce: nc 2, another cnonce */
	http_buf_reset(&b);
	assert_int_equal(answer_build(&st, &cr, "GET", "/", NULL, 0, &b, &tr),
			 HTTP_OK);
	assert_non_null(strstr(b.data, "nc=00000002"));
	assert_string_not_equal(tr.cnonce, first_cnonce);
	/* the same nonce challenged again: the count goes on */
	choose_build(&st, &cr, ch1, "GET", "/", NULL, &b, &tr);
	assert_non_null(strstr(b.data, "nc=00000003"));
	/* a new nonce (stale=true retry): back to 1 */
	choose_build(
	    &st, &cr,
	    "Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=true", "GET",
	    "/", NULL, &b, &tr);
	assert_non_null(strstr(b.data, "nonce=\"n2\""));
	assert_non_null(strstr(b.data, "nc=00000001"));
	/* Authentication-Info nextnonce: new nonce, count restarts */
	{
		const char *info = "nextnonce=\"n3\", qop=auth, rspauth=\"ab\"";

		answer_info(&st, info, strlen(info));
	}
	assert_string_equal(st.nonce, "n3");
	assert_int_equal(st.nc, 0);
	http_buf_reset(&b);
	assert_int_equal(answer_build(&st, &cr, "GET", "/", NULL, 0, &b, &tr),
			 HTTP_OK);
	assert_non_null(strstr(b.data, "nonce=\"n3\""));
	assert_non_null(strstr(b.data, "nc=00000001"));
	/* info without nextnonce, or unparseable: nothing changes */
	answer_info(&st, "qop=auth", 8);
	answer_info(&st, "\"\"\"", 3);
	answer_info(&st, NULL, 0);
	assert_string_equal(st.nonce, "n3");
	assert_int_equal(st.nc, 1);
	http_buf_free(&b);
}

/* Quoting, userhash, auth-int and the RFC 2069 form. */
static void test_build_variants(void **state)
{
	struct answer_creds cr = {"al\"ice", "pw", ALL, false, NULL};
	struct answer_creds alice = {"alice", "wonderland", ALL, false, NULL};
	struct answer_state st;
	struct answer_trace tr;
	struct digest_input in;
	struct http_buf b;
	char uh[DIGEST_HEX_MAX + 1], resp[DIGEST_HEX_MAX + 1], want[200];

	(void)state;
	http_buf_init(&b, 0);
	/* a quote in the user name is escaped (RFC 9110 §5.6.4) */
	answer_state_init(&st);
	choose_build(&st, &cr, "Digest realm=\"r\", nonce=\"n\"", "GET", "/",
		     NULL, &b, &tr);
	assert_non_null(strstr(b.data, "username=\"al\\\"ice\""));
	/* no qop offered: RFC 2069 form, no cnonce, nc, qop */
	assert_null(strstr(b.data, "cnonce="));
	assert_null(strstr(b.data, "nc="));
	assert_null(strstr(b.data, "qop="));

	/* userhash=true: H(user:realm) as username (RFC 7616 §3.4.4) */
	answer_state_init(&st);
	choose_build(&st, &alice,
		     "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", "
		     "algorithm=SHA-256, userhash=true",
		     "GET", "/", NULL, &b, &tr);
	assert_int_equal(digest_userhash(DIGEST_SHA256, "alice", "r", uh),
			 HTTP_OK);
	snprintf(want, sizeof(want), "username=\"%s\"", uh);
	assert_non_null(strstr(b.data, want));
	assert_non_null(strstr(b.data, ", userhash=true"));
	assert_null(strstr(b.data, "\"alice\""));

	/* auth-int only: the body goes into A2 */
	answer_state_init(&st);
	choose_build(&st, &alice,
		     "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",
		     "POST", "/form", "a=1", &b, &tr);
	assert_non_null(strstr(b.data, "qop=auth-int"));
	memset(&in, 0, sizeof(in));
	in.alg = DIGEST_MD5;
	in.qop = DIGEST_QOP_AUTH_INT;
	in.user = "alice";
	in.realm = "r";
	in.password = "wonderland";
	in.nonce = "n";
	in.cnonce = tr.cnonce;
	in.nc = 1;
	in.method = "POST";
	in.uri = "/form";
	in.body = "a=1";
	in.body_len = 3;
	assert_int_equal(digest_compute(&in, NULL, resp), HTTP_OK);
	snprintf(want, sizeof(want), "response=\"%s\"", resp);
	assert_non_null(strstr(b.data, want));
	http_buf_free(&b);
}

/* ---- Round trip: answer_build -> guard_check ---- */

/* The challenges a guard writes, parsed back as a client reads them. */
static size_t read_challenges(const struct guard_config *cfg,
			      struct guard_state *gs, uint64_t now,
			      struct http_buf *raw, struct auth_challenge *ch)
{
	struct http_response resp;
	enum http_err e = HTTP_OK;
	size_t n = 0;
	long used;

	http_buf_reset(raw);
	http_write_status_line(raw, guard_status(cfg));
	assert_true(guard_challenge_write(cfg, gs, now, false, NULL, raw));
	http_buf_puts(raw, "\r\n");
	used = http_parse_response(raw->data, raw->len, &resp, &e);
	assert_int_equal(used, (long)raw->len);
	assert_int_equal(auth_collect_challenges(resp.headers, resp.num_headers,
						 guard_challenge_field(cfg), ch,
						 AUTH_MAX_CHALLENGES, &n),
			 HTTP_OK);
	return n;
}

/* Send credentials value v to the guard as a request; verdict into r. */
static void send_to_guard(const struct guard_config *cfg,
			  struct guard_state *gs, const char *method,
			  const char *target, const char *v, const char *body,
			  uint64_t now, struct guard_result *r)
{
	char raw[4096];
	struct http_request req;
	enum http_err e = HTTP_OK;
	int n;

	n = snprintf(raw, sizeof(raw),
		     "%s %s HTTP/1.1\r\nHost: x\r\n%s: %s\r\n\r\n", method,
		     target, guard_credentials_field(cfg), v);
	assert_true(n > 0 && (size_t)n < sizeof(raw));
	assert_int_equal(http_parse_request(raw, (size_t)n, &req, &e), n);
	guard_check(cfg, gs, &req, body, body ? strlen(body) : 0, now, r);
}

static void test_round_trip(void **state)
{
	static const unsigned qopsets[] = {
	    DIGEST_QOP_AUTH, DIGEST_QOP_AUTH_INT,
	    DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT, 0};
	static struct guard_state gs;
	struct users u;
	struct http_buf raw, v;

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_PROXY), HTTP_OK);
	http_buf_init(&raw, 0);
	http_buf_init(&v, 0);
	for (int side = 0; side < 2; side++)
		for (size_t a = 0; a < DIGEST_ALG_COUNT; a++)
			for (size_t q = 0; q < 4; q++)
				for (int uh = 0; uh < 2; uh++) {
					struct guard_config cfg;
					struct auth_challenge
					    ch[AUTH_MAX_CHALLENGES];
					struct answer_creds cr = {
					    "alice", "wonderland", ALL, false,
					    NULL};
					struct answer_state st;
					struct answer_trace tr;
					struct guard_result r;
					const char *target =
					    side ? "/private"
						 : "http://example.org/a";
					const char *body = "x=1";
					size_t n;

					print_message(
					    "case: %s %s qops %u userhash %d\n",
					    side ? "origin" : "proxy",
					    digest_alg_name((enum digest_alg)a),
					    qopsets[q], uh);
					memset(&cfg, 0, sizeof(cfg));
					cfg.proxy = side == 0;
					/* Basic offered too: the client must
					 * still pick Digest */
					cfg.schemes[0] = AUTH_SCHEME_BASIC;
					cfg.schemes[1] = AUTH_SCHEME_DIGEST;
					cfg.num_schemes = 2;
					snprintf(cfg.realm, sizeof(cfg.realm),
						 "%s", "lab407 proxy");
					cfg.users = &u;
					cfg.algs[0] = (enum digest_alg)a;
					cfg.num_algs = 1;
					cfg.qops = qopsets[q];
					cfg.userhash = uh;
					snprintf(cfg.opaque, sizeof(cfg.opaque),
						 "%s", "opq");
					assert_int_equal(
					    guard_state_init(&gs, 0), HTTP_OK);

					n = read_challenges(&cfg, &gs, NOW,
							    &raw, ch);
					answer_state_init(&st);
					assert_int_equal(
					    answer_choose(&st, &cr, ch, n, &tr),
					    HTTP_OK);
					assert_int_equal(st.scheme,
							 AUTH_SCHEME_DIGEST);
					assert_int_equal(st.alg,
							 (enum digest_alg)a);
					http_buf_reset(&v);
					assert_int_equal(
					    answer_build(&st, &cr, "POST",
							 target, body, 3, &v,
							 &tr),
					    HTTP_OK);
					assert_non_null(
					    strstr(v.data, "opaque=\"opq\""));
					send_to_guard(&cfg, &gs, "POST", target,
						      v.data, body, NOW + 1,
						      &r);
					if (r.verdict != GUARD_OK)
						fail_msg("verdict %d: %s (%s)",
							 r.verdict, r.reason,
							 v.data);
					assert_string_equal(r.user, "alice");

					/* the same value again is a replay
					 * (when there is an nc) */
					send_to_guard(&cfg, &gs, "POST", target,
						      v.data, body, NOW + 1,
						      &r);
					assert_int_equal(
					    r.verdict, qopsets[q] ? GUARD_REPLAY
								  : GUARD_OK);

					/* the next request with nc 2 is fine */
					http_buf_reset(&v);
					assert_int_equal(
					    answer_build(&st, &cr, "POST",
							 target, body, 3, &v,
							 &tr),
					    HTTP_OK);
					send_to_guard(&cfg, &gs, "POST", target,
						      v.data, body, NOW + 2,
						      &r);
					assert_int_equal(r.verdict, GUARD_OK);

					/* following nextnonce works too */
					answer_info(&st, r.info,
						    strlen(r.info));
					http_buf_reset(&v);
					assert_int_equal(
					    answer_build(&st, &cr, "POST",
							 target, body, 3, &v,
							 &tr),
					    HTTP_OK);
					send_to_guard(&cfg, &gs, "POST", target,
						      v.data, body, NOW + 3,
						      &r);
					assert_int_equal(r.verdict, GUARD_OK);

					/* a changed body breaks auth-int but
					 * not auth */
					if (qopsets[q] == DIGEST_QOP_AUTH_INT) {
						http_buf_reset(&v);
						assert_int_equal(
						    answer_build(&st, &cr,
								 "POST", target,
								 body, 3, &v,
								 &tr),
						    HTTP_OK);
						send_to_guard(
						    &cfg, &gs, "POST", target,
						    v.data, "x=2", NOW + 3, &r);
						assert_int_equal(r.verdict,
								 GUARD_BAD);
					}
				}
	http_buf_free(&raw);
	http_buf_free(&v);
	users_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_choose_table),
	    cmocka_unit_test(test_choose_no_user),
	    cmocka_unit_test(test_rank_table),
	    cmocka_unit_test(test_rank_order),
	    cmocka_unit_test(test_build_basic_bearer),
	    cmocka_unit_test(test_build_digest_format),
	    cmocka_unit_test(test_build_digest_quoted),
	    cmocka_unit_test(test_nc_and_cnonce),
	    cmocka_unit_test(test_build_variants),
	    cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("answer", tests, NULL, NULL);
}

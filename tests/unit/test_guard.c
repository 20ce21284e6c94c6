/*
 * tests/unit/test_guard.c - the server side of authentication: every
 * verdict of guard_check() for the proxy (407, Proxy-Authorization) and
 * the origin (401, Authorization) with Basic and Bearer, and the
 * challenges it writes.  Digest checking (http/guard_digest.c) is tested
 * in test_guard_digest.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "guard_world.h"

#include "../../http/bearer.h"

/* ---- Basic, Bearer, missing, wrong scheme (table) ---- */

struct simple_case {
	const char *comment;
	bool proxy;
	const char *schemes;
	const char *headers;
	enum guard_verdict verdict;
	enum http_err err;
	const char *user;   /* expected user, or NULL */
	const char *reason; /* substring of the reason */
};

#define PA "Proxy-Authorization: "
#define AZ "Authorization: "
#define ALICE "Basic YWxpY2U6d29uZGVybGFuZA==" /* alice:wonderland */

static const struct simple_case simple_cases[] = {
    /* nothing sent: 407 challenge */
    {"proxy missing", true, "basic", "", GUARD_MISSING, HTTP_E_AUTH_MISSING,
     NULL, "Proxy-Authorization missing"},
    /* nothing sent: 401 challenge */
    {"origin missing", false, "basic", "", GUARD_MISSING, HTTP_E_AUTH_MISSING,
     NULL, "Authorization missing"},
    /* the classic mistake: Authorization to a proxy */
    {"authorization to proxy", true, "basic", AZ ALICE "\r\n", GUARD_MISSING,
     HTTP_E_AUTH_MISSING, NULL,
     "credentials were sent in Authorization, which is for the origin; "
     "a proxy reads Proxy-Authorization (RFC 9110 §11.7.2)"},
    /* and the other way round at the origin */
    {"proxy-authorization to origin", false, "basic", PA ALICE "\r\n",
     GUARD_MISSING, HTTP_E_AUTH_MISSING, NULL,
     "sent in Proxy-Authorization, which is for a proxy"},
    /* Basic, right password */
    {"proxy basic ok", true, "basic", PA ALICE "\r\n", GUARD_OK, HTTP_OK,
     "alice", "alice authenticated"},
    {"origin basic ok", false, "basic", AZ ALICE "\r\n", GUARD_OK, HTTP_OK,
     "alice", "alice authenticated"},
    /* Basic, scheme name case-insensitive (RFC 9110 §11.1) */
    {"basic lowercase scheme", true, "basic",
     PA "basic YWxpY2U6d29uZGVybGFuZA==\r\n", GUARD_OK, HTTP_OK, "alice", ""},
    /* alice:wrong */
    {"basic wrong password", true, "basic", PA "Basic YWxpY2U6d3Jvbmc=\r\n",
     GUARD_BAD, HTTP_E_BAD_PASSWORD, "alice", "wrong password"},
    /* nobody:x */
    {"basic unknown user", true, "basic", PA "Basic bm9ib2R5Ong=\r\n",
     GUARD_BAD, HTTP_E_BAD_USER, "nobody", "unknown user"},
    /* the origin does not know mallory (README.md) */
    {"origin mallory", false, "basic", AZ "Basic bWFsbG9yeTpsZXRtZWlu\r\n",
     GUARD_BAD, HTTP_E_BAD_USER, "mallory", "unknown user"},
    /* not base64 at all: 400 naming it */
    {"basic not base64", true, "basic", PA "Basic %%%notbase64\r\n",
     GUARD_MALFORMED, HTTP_E_BASE64, NULL,
     "Proxy-Authorization: Basic credentials are not valid base64"},
    /* a token68 with a bad length: still base64's fault */
    {"basic bad padding", true, "basic", PA "Basic YWxpY2U6d29\r\n",
     GUARD_MALFORMED, HTTP_E_BASE64, NULL, "not valid base64"},
    /* base64("alice"): no colon (RFC 7617 §2) */
    {"basic no colon", true, "basic", PA "Basic YWxpY2U=\r\n", GUARD_MALFORMED,
     HTTP_E_BASIC_NO_COLON, NULL, "Basic credentials"},
    /* origin side names its own field */
    {"origin basic not base64", false, "basic", AZ "Basic %%%\r\n",
     GUARD_MALFORMED, HTTP_E_BASE64, NULL,
     "Authorization: Basic credentials are not valid base64"},
    /* a scheme nobody here speaks */
    {"negotiate", true, "basic",
     PA "Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg\r\n", GUARD_WRONG_SCHEME,
     HTTP_E_AUTH_SCHEME, NULL, "uses Negotiate"},
    /* a scheme we know but did not offer */
    {"digest not offered", true, "basic", PA "Digest username=\"alice\"\r\n",
     GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, NULL, "offered: Basic"},
    /* the field holds one credentials value (RFC 9110 §11.7.2, §5.3):
     * twice is a 400, whatever the schemes, even the same value twice */
    {"two fields", true, "basic",
     PA "NTLM TlRMTVNTUAABAAAA\r\n" PA ALICE "\r\n", GUARD_MALFORMED,
     HTTP_E_AUTH_SYNTAX, NULL, "appears 2 times"},
    {"two fields, two users", true, "basic",
     PA ALICE "\r\n" PA "Basic bWFsbG9yeTpsZXRtZWlu\r\n", GUARD_MALFORMED,
     HTTP_E_AUTH_SYNTAX, NULL, "appears 2 times"},
    {"two fields, the same", true, "basic", PA ALICE "\r\n" PA ALICE "\r\n",
     GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, NULL, "may appear once"},
    {"origin: two Authorization fields", false, "basic",
     AZ ALICE "\r\n" AZ ALICE "\r\n", GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, NULL,
     "Authorization appears 2 times"},
    /* a field that does not parse at all */
    {"garbage", true, "basic", PA "Digest realm=\"open\r\n", GUARD_MALFORMED,
     HTTP_E_AUTH_SYNTAX, NULL, "cannot be parsed"},
    /* Bearer, the lab token */
    {"bearer ok", true, "bearer", PA "Bearer alice-token\r\n", GUARD_OK,
     HTTP_OK, "alice", "Bearer"},
    {"origin bearer ok", false, "bearer", AZ "Bearer bob-token\r\n", GUARD_OK,
     HTTP_OK, "bob", ""},
    /* a token nobody issued: invalid_token (RFC 6750 §3.1) */
    {"bearer bad", true, "bearer", PA "Bearer forged-token\r\n", GUARD_BAD,
     HTTP_E_BAD_PASSWORD, NULL, "invalid_token"},
    /* Bearer with params instead of a token */
    {"bearer params", true, "bearer", PA "Bearer a=b\r\n", GUARD_MALFORMED,
     HTTP_E_BEARER_TOKEN, NULL, "Bearer"},
    /* several offered: Basic accepted next to Bearer */
    {"basic among several", true, "digest,bearer,basic", PA ALICE "\r\n",
     GUARD_OK, HTTP_OK, "alice", ""},
};

static void test_simple_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(simple_cases) / sizeof(simple_cases[0]);
	     i++) {
		const struct simple_case *tc = &simple_cases[i];
		struct world *w = world_new(tc->proxy, tc->schemes);
		struct guard_result r;

		print_message("case: %s\n", tc->comment);
		check_at(w, "GET", tc->proxy ? PTARGET : OTARGET, tc->headers,
			 NULL, NOW, &r);
		if (r.verdict != tc->verdict || r.err != tc->err)
			fail_msg("%s: verdict %d err %d (%s), want %d %d",
				 tc->comment, r.verdict, r.err, r.reason,
				 tc->verdict, tc->err);
		if (strstr(r.reason, tc->reason) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", tc->comment,
				 r.reason, tc->reason);
		if (tc->user)
			assert_string_equal(r.user, tc->user);
		if (tc->verdict == GUARD_OK)
			assert_string_equal(r.info, "");
		world_free(w);
	}
}

/* ---- Challenges ---- */

/* Count occurrences of needle in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_challenges(void **state)
{
	struct world *w = world_new(true, "basic,digest,bearer");
	struct http_buf b;
	const char *p1, *p2, *p3, *p4;
	char nonce[128];
	const char *np;

	(void)state;
	w->cfg.algs[0] = DIGEST_SHA256;
	w->cfg.algs[1] = DIGEST_MD5;
	w->cfg.algs[2] = DIGEST_SHA256; /* a repeat: still one challenge */
	w->cfg.num_algs = 3;
	w->cfg.userhash = true;
	snprintf(w->cfg.opaque, sizeof(w->cfg.opaque), "%s", "op42");
	http_buf_init(&b, 0);
	assert_true(
	    guard_write_challenges(&w->cfg, &w->st, NOW, false, NULL, &b));
	/* one line per scheme, Digest one per algorithm, in order */
	assert_int_equal(count(b.data, "Proxy-Authenticate: "), 4);
	assert_int_equal(count(b.data, "\r\n"), 4);
	p1 = strstr(b.data, "Proxy-Authenticate: Basic realm=\"lab407 proxy\"");
	p2 = strstr(b.data,
		    "Proxy-Authenticate: Digest realm=\"lab407 proxy\", "
		    "qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"");
	p3 =
	    strstr(b.data, "Proxy-Authenticate: Digest realm=\"lab407 proxy\", "
			   "qop=\"auth, auth-int\", algorithm=MD5, nonce=\"");
	p4 =
	    strstr(b.data, "Proxy-Authenticate: Bearer realm=\"lab407 proxy\"");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_non_null(p3);
	assert_non_null(p4);
	assert_true(p1 < p2 && p2 < p3 && p3 < p4);
	assert_int_equal(count(b.data, ", opaque=\"op42\", charset=UTF-8, "
				       "userhash=true\r\n"),
			 2);
	assert_null(strstr(b.data, "stale"));
	assert_null(strstr(b.data, "error="));
	/* the nonce is ours and fresh */
	np = strstr(p2, "nonce=\"") + 7;
	snprintf(nonce, sizeof(nonce), "%.*s", (int)strcspn(np, "\""), np);
	assert_int_equal(digest_nonce_check(&w->st.key, nonce, NOW), HTTP_OK);

	/* stale=true and the Bearer error when asked */
	http_buf_reset(&b);
	assert_true(guard_write_challenges(&w->cfg, &w->st, NOW, true,
					   "invalid_token", &b));
	assert_int_equal(count(b.data, ", stale=true\r\n"), 2);
	assert_non_null(strstr(b.data, "Bearer realm=\"lab407 proxy\", "
				       "error=\"invalid_token\""));
	http_buf_free(&b);
	world_free(w);

	/* the origin: WWW-Authenticate; no qop (RFC 2069), no opaque */
	w = world_new(false, "digest");
	w->cfg.algs[0] = DIGEST_SHA512_256_SESS;
	w->cfg.num_algs = 1;
	w->cfg.qops = 0;
	http_buf_init(&b, 0);
	assert_true(
	    guard_write_challenges(&w->cfg, &w->st, NOW, false, NULL, &b));
	assert_int_equal(count(b.data, "\r\n"), 1);
	assert_int_equal(
	    strncmp(b.data,
		    "WWW-Authenticate: Digest realm=\"lab407 "
		    "origin\", algorithm=SHA-512-256-sess, "
		    "nonce=\"",
		    strlen("WWW-Authenticate: Digest realm=\"lab407 "
			   "origin\", algorithm=SHA-512-256-sess, "
			   "nonce=\"")),
	    0);
	assert_null(strstr(b.data, "qop"));
	assert_null(strstr(b.data, "opaque"));
	assert_null(strstr(b.data, "userhash"));
	/* only auth-int offered */
	http_buf_reset(&b);
	w->cfg.qops = DIGEST_QOP_AUTH_INT;
	assert_true(
	    guard_write_challenges(&w->cfg, &w->st, NOW, false, NULL, &b));
	assert_non_null(strstr(b.data, "qop=\"auth-int\""));
	http_buf_free(&b);
	world_free(w);
}

static void test_names(void **state)
{
	struct guard_config p = {.proxy = true}, o = {.proxy = false};

	(void)state;
	assert_string_equal(guard_credentials_field(&p), "Proxy-Authorization");
	assert_string_equal(guard_credentials_field(&o), "Authorization");
	assert_string_equal(guard_challenge_field(&p), "Proxy-Authenticate");
	assert_string_equal(guard_challenge_field(&o), "WWW-Authenticate");
	assert_string_equal(guard_info_field(&p), "Proxy-Authentication-Info");
	assert_string_equal(guard_info_field(&o), "Authentication-Info");
	assert_int_equal(guard_status(&p), 407);
	assert_int_equal(guard_status(&o), 401);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_simple_table),
	    cmocka_unit_test(test_challenges),
	};

	return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}

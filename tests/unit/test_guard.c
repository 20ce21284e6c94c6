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
	    guard_challenge_write(&w->cfg, &w->st, NOW, false, NULL, &b));
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
	assert_true(guard_challenge_write(&w->cfg, &w->st, NOW, true,
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
	    guard_challenge_write(&w->cfg, &w->st, NOW, false, NULL, &b));
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
	    guard_challenge_write(&w->cfg, &w->st, NOW, false, NULL, &b));
	assert_non_null(strstr(b.data, "qop=\"auth-int\""));
	http_buf_free(&b);
	world_free(w);
}

/* ---- Where the sentence of a malformed value starts ---- */

/*
 * A GUARD_MALFORMED sentence about the credentials field's value starts
 * with the field's name and ": ", and r.detail says where the rest
 * starts, for a caller that names the field itself (proxy/gate_authn.c).  A
 * sentence about the field as a whole (it appears twice, it does not
 * parse) has detail 0.  Both sides, every scheme that checks syntax.
 */
struct detail_case {
	const char *comment;
	bool proxy;
	const char *schemes;
	const char *value; /* the credentials field's value */
	bool named;	   /* the sentence starts with the field's name */
	const char *rest;  /* reason + detail starts with this */
	const char *field; /* r.field */
};

static const struct detail_case detail_cases[] = {
    /* Basic: not a token68, bad base64 length, no colon */
    {"basic grammar", true, "basic", "Basic %%%", true,
     "Basic credentials are not valid base64", ""},
    {"basic padding", false, "basic", "Basic YWxpY2U6d29", true,
     "Basic credentials are not valid base64", ""},
    {"basic no colon", true, "basic", "Basic YWxpY2U=", true,
     "Basic credentials: ", ""},
    /* Bearer: not a token68, params instead of a token */
    {"bearer two words", false, "bearer", "Bearer a b", true,
     "Bearer credentials are not a valid token (RFC 6750 §2.1)", ""},
    {"bearer params", true, "bearer", "Bearer a=b", true, "Bearer token: ", ""},
    /* Digest (http/guard_digest.c): token68, missing and broken fields */
    {"digest token68", true, "digest", "Digest abc", true,
     "Digest credentials must be name=value pairs", ""},
    {"digest no realm", false, "digest", "Digest username=\"alice\"", true,
     "Digest field realm is missing", "realm"},
    /* a value that breaks the grammar (an unknown algorithm or qop
     * does not: that is a fresh challenge, tests/unit/test_guard_digest.c) */
    {"digest bad nc", true, "digest",
     "Digest username=\"alice\", realm=\"lab407 proxy\", nonce=\"n\", "
     "uri=\"/\", response=\"00\", qop=auth, nc=1, cnonce=\"c\"",
     true, "Digest nc must be 8 lowercase hex digits", "nc"},
    {"digest userhash not a boolean", false, "digest",
     "Digest username=\"alice\", realm=\"lab407 origin\", nonce=\"n\", "
     "uri=\"/private\", response=\"00000000000000000000000000000000\", "
     "userhash=yes",
     true, "Digest userhash must be true or false", "userhash"},
    /* the field as a whole: no name to drop */
    {"does not parse", true, "basic", "Digest realm=\"open", false,
     "Proxy-Authorization cannot be parsed: ", ""},
    {"origin does not parse", false, "basic", "Foo ,,=", false,
     "Authorization cannot be parsed: ", ""},
};

static void test_malformed_detail(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(detail_cases) / sizeof(detail_cases[0]);
	     i++) {
		const struct detail_case *tc = &detail_cases[i];
		struct world *w = world_new(tc->proxy, tc->schemes);
		const char *fname = guard_credentials_field(&w->cfg);
		size_t nl = strlen(fname);
		struct guard_result r;
		char headers[1024];

		print_message("case: %s\n", tc->comment);
		snprintf(headers, sizeof(headers), "%s: %s\r\n", fname,
			 tc->value);
		check_at(w, "GET", tc->proxy ? PTARGET : OTARGET, headers, NULL,
			 NOW, &r);
		assert_int_equal(r.verdict, GUARD_MALFORMED);
		if (tc->named) {
			assert_int_equal(r.detail, nl + 2);
			assert_memory_equal(r.reason, fname, nl);
			assert_memory_equal(r.reason + nl, ": ", 2);
		} else {
			assert_int_equal(r.detail, 0);
		}
		if (strncmp(r.reason + r.detail, tc->rest, strlen(tc->rest)))
			fail_msg("%s: '%s' after %zu, want '%s'", tc->comment,
				 r.reason, r.detail, tc->rest);
		assert_string_equal(r.field, tc->field);
		world_free(w);
	}
}

/*
 * A value that does not parse is named in the words of the scheme it
 * starts with, as the auth grammar reads a scheme (auth_scheme_of(): a
 * token followed by the end, a space or a comma): "Basic %%%" is bad
 * base64, "Bearer a b" a bad token; a value that starts with no scheme
 * gets the grammar's own error.
 */
struct unparseable_case {
	const char *comment;
	const char *value;
	enum auth_scheme scheme; /* r.scheme */
	enum http_err err;	 /* HTTP_OK: the grammar's own error */
	const char *reason;	 /* substring */
};

static const struct unparseable_case unparseable_cases[] = {
    {"basic, bad alphabet", "Basic %%%", AUTH_SCHEME_BASIC, HTTP_E_BASE64,
     "not valid base64"},
    {"basic, any case", "bAsIc %%%", AUTH_SCHEME_BASIC, HTTP_E_BASE64,
     "not valid base64"},
    {"basic, two words", "Basic YWxp Y2U6", AUTH_SCHEME_BASIC, HTTP_E_BASE64,
     "not valid base64"},
    {"bearer, two words", "Bearer a b", AUTH_SCHEME_BEARER, HTTP_E_BEARER_TOKEN,
     "not a valid token"},
    {"digest, open quote", "Digest realm=\"open", AUTH_SCHEME_DIGEST, HTTP_OK,
     "cannot be parsed"},
    {"unknown scheme", "Foo ,,=", AUTH_SCHEME_UNKNOWN, HTTP_OK,
     "cannot be parsed"},
    /* the scheme token is not followed by a space: no scheme at all */
    {"basic glued to =", "Basic=abc", AUTH_SCHEME_NONE, HTTP_OK,
     "cannot be parsed"},
    {"leading comma", ",Basic abc", AUTH_SCHEME_NONE, HTTP_OK,
     "cannot be parsed"},
};

static void test_unparseable_scheme(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(unparseable_cases) / sizeof(unparseable_cases[0]);
	     i++) {
		const struct unparseable_case *tc = &unparseable_cases[i];
		struct world *w = world_new(true, "basic,bearer,digest");
		struct auth_challenge c;
		struct guard_result r;
		char headers[512];
		enum http_err e;

		print_message("case: %s\n", tc->comment);
		/* the premise: the auth grammar refuses the value */
		e = auth_parse_credentials(tc->value, strlen(tc->value), &c);
		assert_int_not_equal(e, HTTP_OK);
		if (tc->err != HTTP_OK)
			e = tc->err;
		snprintf(headers, sizeof(headers),
			 "Proxy-Authorization: %s\r\n", tc->value);
		check_at(w, "GET", PTARGET, headers, NULL, NOW, &r);
		assert_int_equal(r.verdict, GUARD_MALFORMED);
		if (r.scheme != tc->scheme || r.err != e)
			fail_msg("%s: scheme %d err %d (%s), want %d %d",
				 tc->comment, (int)r.scheme, (int)r.err,
				 r.reason, (int)tc->scheme, (int)e);
		assert_non_null(strstr(r.reason, tc->reason));
		world_free(w);
	}
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
	    cmocka_unit_test(test_malformed_detail),
	    cmocka_unit_test(test_unparseable_scheme),
	};

	return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}

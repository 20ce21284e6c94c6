/*
 * tests/unit/test_origin.c - origin_decide(): every origin row of the
 * outcomes table of lesson 05, and the teaching details around it.
 *
 * Each case is a raw request, as the socket would deliver it; the test
 * parses it, decides, then parses the response back and checks status,
 * challenge fields and body.
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
#include "../../http/auth.h"
#include "../../http/basic.h"
#include "../../origin/gate.h"
#include "sameness.h"

#define NOW 1700000000u /* a fixed clock: transcripts do not depend on it */

/* One origin, its users and rules, for a group of cases. */
struct fixture {
	struct users users;
	struct origin_config cfg;
	struct origin_state st;
	struct origin_decision d;
	struct http_response resp; /* parsed d.out */
	const char *body;	   /* into d.out */
};

/* An origin offering `schemes` ("basic", "digest,basic", ...). */
static struct fixture *fixture_new(const char *schemes)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(users_defaults(&f->users, USERS_SIDE_ORIGIN), HTTP_OK);
	f->cfg.guard.proxy = false;
	assert_int_equal(auth_scheme_list_parse(schemes, f->cfg.guard.schemes,
						GUARD_MAX_SCHEMES,
						&f->cfg.guard.num_schemes),
			 HTTP_OK);
	snprintf(f->cfg.guard.realm, sizeof(f->cfg.guard.realm),
		 "lab407 origin");
	f->cfg.guard.users = &f->users;
	f->cfg.guard.algs[0] = DIGEST_SHA256;
	f->cfg.guard.algs[1] = DIGEST_MD5;
	f->cfg.guard.num_algs = 2;
	f->cfg.guard.qops = DIGEST_QOP_AUTH;
	f->cfg.rules = NULL; /* the default lab */
	assert_int_equal(origin_state_init(&f->st, 0), HTTP_OK);
	origin_decision_init(&f->d);
	return f;
}

static void fixture_free(struct fixture *f)
{
	origin_decision_free(&f->d);
	users_free(&f->users);
	free(f);
}

/*
 * Parse raw request text, decide at time `now`, parse the response.  The
 * request body is whatever follows the head.
 */
static void decide_at(struct fixture *f, const char *raw, uint64_t now)
{
	struct http_request req;
	enum http_err err = HTTP_OK;
	long head = http_parse_request(raw, strlen(raw), &req, &err);
	long rhead;

	assert_true(head > 0);
	origin_decision_free(&f->d);
	origin_decision_init(&f->d);
	origin_decide(&f->cfg, &f->st, &req, raw + head,
		      strlen(raw) - (size_t)head, now, &f->d);
	rhead =
	    http_parse_response(f->d.out.data, f->d.out.len, &f->resp, &err);
	assert_true(rhead > 0);
	f->body = f->d.out.data + rhead;
	assert_int_equal(f->resp.status, f->d.status);
}

static void decide(struct fixture *f, const char *raw)
{
	decide_at(f, raw, NOW);
}

/* How many fields called name the response has. */
static size_t count(const struct fixture *f, const char *name)
{
	return http_header_count(f->resp.headers, f->resp.num_headers, name);
}

/* The value of the first field called name, copied (or "" if none). */
static const char *value(const struct fixture *f, const char *name)
{
	static char v[2048];
	const struct http_header *h =
	    http_header_find(f->resp.headers, f->resp.num_headers, name);

	v[0] = '\0';
	if (h != NULL)
		snprintf(v, sizeof(v), "%.*s", (int)h->value_len, h->value);
	return v;
}

/* ---- The outcomes table, origin rows (Basic) ---- */

struct row {
	const char *comment;
	const char *request;
	int status;
	size_t challenges;    /* WWW-Authenticate fields */
	const char *user;     /* d.user */
	const char *body_has; /* must appear in the body */
	const char *why_has;  /* must appear in d.why */
};

#define REQ(target, extra)                                                     \
	"GET " target " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" extra "\r\n"

static const struct row basic_rows[] = {
    /* GET / is public: 200 with no credentials, and no challenge */
    {"public root", REQ("/", ""), 200, 0, "",
     "received headers:\nHost: "
     "127.0.0.1:8080\n",
     "origin: / is public -> 200"},
    /* /private without credentials: 401 with WWW-Authenticate */
    {"private, none", REQ("/private", ""), 401, 1, "", "none given",
     "origin: /private needs an authenticated user, none given -> 401, "
     "offering Basic"},
    /* /private with a wrong password (alice:queen): 401 again */
    {"private, wrong password",
     REQ("/private", "Authorization: Basic YWxpY2U6cXVlZW4=\r\n"), 401, 1, "",
     "401 Unauthorized", "-> 401, offering Basic"},
    /* an unknown user (mallory is not known to the origin): 401 */
    {"private, unknown user",
     REQ("/private", "Authorization: Basic bWFsbG9yeTpsZXRtZWlu\r\n"), 401, 1,
     "", "401 Unauthorized", "-> 401"},
    /* credentials in Proxy-Authorization are not for the origin: 401 */
    {"private, proxy field",
     REQ("/private", "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"),
     401, 1, "", "none given", "none given -> 401"},
    /* /private as bob: 200 */
    {"private, bob",
     REQ("/private", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"), 200, 0,
     "bob", "authenticated as: bob (Basic)", "bob authenticated"},
    /* /admin as bob: 403 with no challenge, body says who and why */
    {"admin, bob", REQ("/admin", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"),
     403, 0, "bob",
     "bob is authenticated (Basic), but /admin is for alice only",
     "origin: bob is authenticated but /admin is for alice only -> 403"},
    /* /admin as alice: 200 */
    {"admin, alice",
     REQ("/admin", "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"), 200, 0,
     "alice", "origin: GET /admin\n", "alice authenticated with Basic -> 200"},
    /* /admin with no credentials: 401 (who first, then may-you) */
    {"admin, none", REQ("/admin", ""), 401, 1, "", "alice only",
     "none given -> 401"},
    /* broken base64: 400 naming the problem, no challenge */
    {"malformed base64", REQ("/private", "Authorization: Basic !!!!\r\n"), 400,
     0, "", "400 Bad Request\norigin: the Authorization field cannot be read",
     "Authorization malformed"},
    /* malformed credentials on a public path are still a 400 */
    {"malformed on public", REQ("/", "Authorization: Basic\r\n"), 400, 0, "",
     "cannot be read", "-> 400"},
    /* a wrong password on a public path: served, and the body says so */
    {"public, wrong password",
     REQ("/", "Authorization: Basic YWxpY2U6cXVlZW4=\r\n"), 200, 0, "",
     "credentials not accepted", "/ is public -> 200"},
    /* good credentials on a public path: the body says who */
    {"public, alice",
     REQ("/", "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"), 200, 0,
     "alice", "authenticated as: alice", "alice authenticated"},
    /* a path no rule covers: 404 */
    {"unknown path", REQ("/nope", ""), 404, 0, "", "nothing at /nope",
     "no rule covers /nope -> 404"},
    /* /administrator is not below /admin */
    {"not below admin", REQ("/administrator", ""), 404, 0, "", "404", "-> 404"},
    /* below /private, with a query */
    {"below private",
     REQ("/private/notes?x=1", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"),
     200, 0, "bob", "origin: GET /private/notes?x=1", "-> 200"},
    /* absolute-form is accepted by an origin (RFC 9112 §3.2.2) */
    {"absolute-form", REQ("http://127.0.0.1:8080/", ""), 200, 0, "",
     "origin: GET /\n", "-> 200"},
    /* authority-form is not something this origin serves */
    {"authority-form", REQ("127.0.0.1:8080", ""), 400, 0, "", "request-target",
     "-> 400"},
};

static void test_basic_rows(void **state)
{
	struct fixture *f = fixture_new("basic");

	(void)state;
	for (size_t i = 0; i < sizeof(basic_rows) / sizeof(basic_rows[0]);
	     i++) {
		const struct row *tc = &basic_rows[i];

		print_message("case: %s\n", tc->comment);
		decide(f, tc->request);
		assert_int_equal(f->d.status, tc->status);
		assert_int_equal(count(f, "WWW-Authenticate"), tc->challenges);
		assert_string_equal(f->d.user, tc->user);
		assert_non_null(strstr(f->body, tc->body_has));
		assert_non_null(strstr(f->d.why, tc->why_has));
		assert_string_equal(value(f, "Server"), "lab407-origin");
		assert_string_equal(f->d.lesson, "05");
		if (tc->challenges > 0)
			assert_non_null(
			    strstr(value(f, "WWW-Authenticate"),
				   "Basic realm=\"lab407 origin\""));
	}
	fixture_free(f);
}

/* ---- The teaching echo ---- */

/* Every header arrives in the echo as received, Authorization included,
 * and the note says Proxy-Authorization did not arrive. */
static void test_echo(void **state)
{
	struct fixture *f = fixture_new("basic");

	(void)state;
	decide(f, REQ("/private", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"
				  "Via: 1.1 lab407\r\nX-Lab:  spaced  \r\n"));
	assert_int_equal(f->d.status, 200);
	assert_non_null(strstr(f->body,
			       "request line: GET /private HTTP/1.1\n"
			       "received headers:\n"
			       "Host: 127.0.0.1:8080\n"
			       "Authorization: Basic Ym9iOmJ1aWxkZXI=\n"
			       "Via: 1.1 lab407\n"
			       "X-Lab: spaced\n"));
	assert_non_null(strstr(f->body, "(no Proxy-Authorization"));
	/* Date is generated from the caller's clock (RFC 9110 §6.6.1) */
	assert_string_equal(value(f, "Date"), "Tue, 14 Nov 2023 22:13:20 GMT");
	fixture_free(f);
}

/* A POST body is echoed after the headers. */
static void test_echo_body(void **state)
{
	struct fixture *f = fixture_new("basic");

	(void)state;
	decide(f, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n"
		  "a=1&b=2");
	assert_int_equal(f->d.status, 200);
	assert_non_null(strstr(f->body, "origin: POST /\n"));
	assert_non_null(strstr(f->body, "received body (7 bytes):\na=1&b=2\n"));
	fixture_free(f);
}

/* HEAD: the same head as GET, Content-Length kept, no body bytes. */
static void test_head(void **state)
{
	struct fixture *f = fixture_new("basic");

	(void)state;
	decide(f, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(f->d.status, 200);
	assert_string_equal(f->body, "");
	assert_true(atoi(value(f, "Content-Length")) > 0);
	fixture_free(f);
}

/* ---- Rules from a file ---- */

/* A replaced rule set: /team for alice or bob, the rest 404. */
static void test_custom_rules(void **state)
{
	struct fixture *f = fixture_new("basic");
	struct rules *r = calloc(1, sizeof(*r));
	const char *text = "/team user alice,bob\n/open public\n";
	char err[128];

	(void)state;
	assert_non_null(r);
	assert_int_equal(
	    rules_parse(text, strlen(text), "t", r, err, sizeof(err)), HTTP_OK);
	f->cfg.rules = r;
	/* bob is on the team */
	decide(f, REQ("/team/x", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"));
	assert_int_equal(f->d.status, 200);
	/* "/" is no longer a rule: 404 */
	decide(f, REQ("/", ""));
	assert_int_equal(f->d.status, 404);
	/* no credentials for /team: 401 naming who may read it */
	decide(f, REQ("/team", ""));
	assert_int_equal(f->d.status, 401);
	assert_non_null(strstr(f->body, "alice or bob"));
	fixture_free(f);
	free(r);
}

/* ---- Several schemes, Digest and Bearer ---- */

/* The challenges of the last response, parsed. */
static size_t challenges(struct fixture *f, struct auth_challenge *ch,
			 size_t max)
{
	size_t n = 0;

	assert_int_equal(
	    auth_collect_challenges(f->resp.headers, f->resp.num_headers,
				    "WWW-Authenticate", ch, max, &n),
	    HTTP_OK);
	return n;
}

/*
 * Answer the last 401 with the client half of the library (answer.c) as
 * `user:pass` for `target`; returns the whole request text in req.
 */
static void answer(struct fixture *f, struct answer_state *as, const char *user,
		   const char *pass, unsigned allowed, const char *target,
		   char *req, size_t cap)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	struct answer_creds cr = {user, pass, allowed, false, NULL};
	struct answer_trace tr;
	struct http_buf v;
	size_t n = challenges(f, ch, AUTH_MAX_CHALLENGES);

	assert_int_equal(answer_choose(as, &cr, ch, n, &tr), HTTP_OK);
	http_buf_init(&v, 0);
	assert_int_equal(answer_build(as, &cr, "GET", target, NULL, 0, &v, &tr),
			 HTTP_OK);
	snprintf(req, cap,
		 "GET %s HTTP/1.1\r\nHost: h\r\nAuthorization: %s\r\n\r\n",
		 target, v.data);
	http_buf_free(&v);
}

/* --auth digest,basic: one WWW-Authenticate per scheme (Digest: per
 * algorithm), in the order configured. */
static void test_several_challenges(void **state)
{
	struct fixture *f = fixture_new("digest,basic");
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	size_t n;

	(void)state;
	decide(f, REQ("/private", ""));
	assert_int_equal(f->d.status, 401);
	n = challenges(f, ch, AUTH_MAX_CHALLENGES);
	/* two Digest challenges (SHA-256, MD5), then Basic */
	assert_int_equal(n, 3);
	assert_int_equal(ch[0].kind, AUTH_SCHEME_DIGEST);
	assert_int_equal(ch[1].kind, AUTH_SCHEME_DIGEST);
	assert_int_equal(ch[2].kind, AUTH_SCHEME_BASIC);
	assert_non_null(
	    strstr(f->d.why, "offering Digest SHA-256, Digest MD5, Basic"));
	fixture_free(f);
}

/* Digest as alice on /admin: 200 with Authentication-Info (RFC 7616 §3.5). */
static void test_digest_ok(void **state)
{
	struct fixture *f = fixture_new("digest");
	struct answer_state as;
	char req[4096];

	(void)state;
	answer_state_init(&as);
	decide(f, REQ("/admin", ""));
	assert_int_equal(f->d.status, 401);
	answer(f, &as, "alice", "wonderland", AUTH_SCHEME_DIGEST, "/admin", req,
	       sizeof(req));
	decide(f, req);
	assert_int_equal(f->d.status, 200);
	assert_string_equal(f->d.user, "alice");
	assert_int_equal(count(f, "Authentication-Info"), 1);
	assert_non_null(strstr(value(f, "Authentication-Info"), "rspauth="));
	/* the same nonce count again is a replay: 401 */
	decide(f, req);
	assert_int_equal(f->d.status, 401);
	fixture_free(f);
}

/* Digest with a nonce past its lifetime: 401 with stale=true. */
static void test_digest_stale(void **state)
{
	struct fixture *f = fixture_new("digest");
	struct answer_state as;
	char req[4096];

	(void)state;
	answer_state_init(&as);
	decide(f, REQ("/private", ""));
	answer(f, &as, "bob", "builder", AUTH_SCHEME_DIGEST, "/private", req,
	       sizeof(req));
	decide_at(f, req, NOW + DIGEST_NONCE_LIFETIME + 60);
	assert_int_equal(f->d.status, 401);
	assert_non_null(strstr(value(f, "WWW-Authenticate"), "stale=true"));
	assert_non_null(strstr(f->d.why, "stale"));
	fixture_free(f);
}

/* Digest as bob on /admin: authenticated, then 403 with no challenge. */
static void test_digest_forbidden(void **state)
{
	struct fixture *f = fixture_new("digest");
	struct answer_state as;
	char req[4096];

	(void)state;
	answer_state_init(&as);
	decide(f, REQ("/admin", ""));
	answer(f, &as, "bob", "builder", AUTH_SCHEME_DIGEST, "/admin", req,
	       sizeof(req));
	decide(f, req);
	assert_int_equal(f->d.status, 403);
	assert_int_equal(count(f, "WWW-Authenticate"), 0);
	assert_string_equal(f->d.user, "bob");
	fixture_free(f);
}

/* Bearer: the lab token works; a wrong one gets error="invalid_token". */
static void test_bearer(void **state)
{
	struct fixture *f = fixture_new("bearer");

	(void)state;
	decide(f, REQ("/admin", "Authorization: Bearer alice-token\r\n"));
	assert_int_equal(f->d.status, 200);
	assert_string_equal(f->d.user, "alice");
	decide(f, REQ("/admin", "Authorization: Bearer wrong-token\r\n"));
	assert_int_equal(f->d.status, 401);
	assert_non_null(
	    strstr(value(f, "WWW-Authenticate"), "error=\"invalid_token\""));
	/* Basic was not offered: a scheme we did not offer is a 401 too */
	decide(f, REQ("/admin", "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"));
	assert_int_equal(f->d.status, 401);
	assert_non_null(strstr(value(f, "WWW-Authenticate"), "Bearer"));
	fixture_free(f);
}

/* ---- Spellings of a path (docs/rules.md, "How a path is read") ---- */

#define BOB "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n"
#define ALICE "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"

struct spelling {
	const char *target;
	int status; /* for bob on the default rules; never 200 */
};

static const struct spelling spellings[] = {
    /* the plain path */
    {"/admin", 403},
    /* empty segments collapse: "/" must not cover "//admin" */
    {"//admin", 403},
    {"///admin", 403},
    {"/admin//", 403},
    /* dot-segments (RFC 3986 §5.2.4) */
    {"/./admin", 403},
    {"/private/../admin", 403},
    {"/x/y/../../admin/", 403},
    {"/admin/.", 403},
    {"/admin/x/..", 403},
    /* a trailing slash is still below /admin */
    {"/admin/", 403},
    /* unreserved bytes percent-encoded (§6.2.2.2) */
    {"/%61dmin", 403},
    {"/adm%69n/logs", 403},
    /* encoded dots are dots */
    {"/%2e/admin", 403},
    {"/private/%2e%2e/admin", 403},
    {"/private/.%2E/admin", 403},
    /* the query is not part of the path */
    {"/admin?x", 403},
    {"//admin?../", 403},
    /* absolute-form is normalised the same way */
    {"http://127.0.0.1:8080//admin", 403},
    {"http://127.0.0.1:8080/private/../admin", 403},
    /* paths are case-sensitive: nothing is at /ADMIN (404) */
    {"/ADMIN", 404},
    {"/%41dmin", 404},
    /* an encoded '/' is refused, in any case of hex */
    {"/admin%2F", 400},
    {"/admin%2fx", 400},
    {"/%2Fadmin", 400},
    /* climbing above the root */
    {"/%2e%2e/admin", 400},
    {"/../admin", 400},
    {"/private/../../admin", 400},
    /* ';' path parameters, which some servers strip */
    {"/admin;x", 400},
    {"/private/..;/admin", 400},
    /* backslashes, literal and encoded */
    {"/admin\\", 400},
    {"/private\\..\\admin", 400},
    {"/admin%5C", 400},
    /* an encoded NUL */
    {"/admin%00", 400},
    /* a bad percent-encoding */
    {"/%6", 400},
    /* a fragment: refused by the request parser */
    {"/admin#x", 400},
};

/*
 * Each spelling, as bob: what the socket would answer.  When the head
 * does not parse, origin/server.c sends http_err_status() of the error.
 */
static void test_path_spellings(void **state)
{
	struct fixture *f = fixture_new("basic");
	char raw[512];

	(void)state;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		const struct spelling *tc = &spellings[i];
		struct http_request req;
		enum http_err err = HTTP_OK;
		int status;

		snprintf(raw, sizeof(raw), REQ("%s", BOB), tc->target);
		print_message("case: %s\n", tc->target);
		if (http_parse_request(raw, strlen(raw), &req, &err) <= 0) {
			status = http_err_status(err);
		} else {
			decide(f, raw);
			status = f->d.status;
		}
		assert_int_not_equal(status, 200);
		if (status != tc->status)
			fail_msg("%s: %d, want %d (%s)", tc->target, status,
				 tc->status, f->d.why);
		/* A 403 is decided on the normal form, and says so. */
		if (tc->status == 403)
			assert_non_null(strstr(f->d.why, "/admin"));
	}
	fixture_free(f);
}

/* What is decided is what is served: alice's 200 names the normal form. */
static void test_path_served(void **state)
{
	static const struct {
		const char *target;
		const char *body_has; /* the "origin: GET PATH" line */
	} cases[] = {
	    /* empty segments and dot-segments removed */
	    {"//admin", "origin: GET /admin\n"},
	    {"/private/../admin/./x", "origin: GET /admin/x\n"},
	    /* unreserved decoded, others upper-cased, query kept */
	    {"/%61dmin/a%2fb?q=%2f", NULL},
	    {"/%61dmin/a%3fb?q=%2f", "origin: GET /admin/a%3Fb?q=%2f\n"},
	    /* leaving /admin: the public root, for anyone */
	    {"/admin/..", "origin: GET /\n"},
	};
	struct fixture *f = fixture_new("basic");
	char raw[512];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(raw, sizeof(raw), REQ("%s", ALICE), cases[i].target);
		decide(f, raw);
		if (cases[i].body_has == NULL) {
			/* %2F: refused, for alice as for bob */
			assert_int_equal(f->d.status, 400);
			assert_non_null(strstr(f->body, "%2F"));
			continue;
		}
		assert_int_equal(f->d.status, 200);
		if (strstr(f->body, cases[i].body_has) == NULL)
			fail_msg("%s: body lacks '%s': %s", cases[i].target,
				 cases[i].body_has, f->body);
		/* ... and says how it was sent */
		assert_non_null(strstr(f->body, "(sent as "));
	}
	/* a path already in normal form gets no such note */
	decide(f, REQ("/admin/x", ALICE));
	assert_int_equal(f->d.status, 200);
	assert_null(strstr(f->body, "(sent as "));
	/* the 403 carries the note too */
	decide(f, REQ("/private/../admin", BOB));
	assert_int_equal(f->d.status, 403);
	assert_non_null(strstr(f->body, "(sent as /private/../admin; "));
	fixture_free(f);
}

/* ---- Host (RFC 9112 §3.2) ---- */

static const struct {
	const char *request;
	int status;
} host_cases[] = {
    /* HTTP/1.1 without Host */
    {"GET / HTTP/1.1\r\n\r\n", 400},
    /* ... also with an absolute-form target */
    {"GET http://h/ HTTP/1.1\r\n\r\n", 400},
    /* two Host fields */
    {"GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", 400},
    /* invalid values: a list, empty, a space, userinfo, bad ports */
    {"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost:\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: h:0\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: h:-1\r\n\r\n", 400},
    /* HTTP/1.0 without Host is served */
    {"GET / HTTP/1.0\r\n\r\n", 200},
    /* a valid Host, and one that differs from an absolute-form target
     * (its value is ignored then, §3.2.2) */
    {"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200},
    {"GET http://h/ HTTP/1.1\r\nHost: other:81\r\n\r\n", 200},
};

/* Each Host case on the public root. */
static void test_host(void **state)
{
	struct fixture *f = fixture_new("basic");

	(void)state;
	for (size_t i = 0; i < sizeof host_cases / sizeof host_cases[0]; i++) {
		decide(f, host_cases[i].request);
		if (f->d.status != host_cases[i].status)
			fail_msg("case %zu: %d (%s)", i, f->d.status, f->d.why);
		if (host_cases[i].status == 400)
			assert_non_null(strstr(f->body, "Host"));
	}
	fixture_free(f);
}

/* ---- An unknown user and a wrong password look the same ---- */

/*
 * The origin's 401s for a wrong password and for an unknown user are
 * byte-identical once Date and the fresh nonce values are masked
 * (sameness.h), for Basic and Digest MD5 and SHA-256; the why lines say
 * which it was.
 */
static void test_unknown_user_same_as_wrong_password(void **state)
{
	static const struct {
		const char *comment;
		const char *schemes;
		enum digest_alg alg;
		const char *user_a, *pass_a, *user_b, *pass_b;
		const char *why_a, *why_b;
	} pairs[] = {
	    {"Basic", "basic", DIGEST_MD5, "alice", "wrong", "nobody", "wrong",
	     "wrong password", "unknown user"},
	    {"Basic, mallory is unknown here", "basic", DIGEST_MD5, "bob",
	     "letmein", "mallory", "letmein", "wrong password", "unknown user"},
	    {"Digest MD5", "digest", DIGEST_MD5, "alice", "wrong", "nobody",
	     "wrong", "does not match", "unknown user"},
	    {"Digest SHA-256", "digest,basic", DIGEST_SHA256, "bob", "wrong",
	     "nobody", "other", "does not match", "unknown user"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct fixture *f = fixture_new(pairs[i].schemes);
		struct http_buf cred, raw, m[2];
		char why[2][ORIGIN_MAX_WHY], nonce[128];

		http_buf_init(&cred, 0);
		http_buf_init(&raw, 0);
		http_buf_init(&m[0], 0);
		http_buf_init(&m[1], 0);
		for (int round = 0; round < 2; round++) {
			const char *user =
			    round ? pairs[i].user_b : pairs[i].user_a;
			const char *pass =
			    round ? pairs[i].pass_b : pairs[i].pass_a;

			http_buf_reset(&cred);
			if (strncmp(pairs[i].comment, "Digest", 6) == 0) {
				assert_int_equal(
				    digest_nonce_make(&f->st.guard.key, NOW,
						      nonce, sizeof(nonce)),
				    HTTP_OK);
				sameness_digest(pairs[i].alg, user, pass,
						"lab407 origin", nonce, "GET",
						"/private", &cred);
			} else {
				assert_int_equal(
				    basic_encode(&cred, user, pass), HTTP_OK);
			}
			http_buf_reset(&raw);
			http_buf_printf(&raw,
					"GET /private HTTP/1.1\r\nHost: o\r\n"
					"Authorization: %s\r\n\r\n",
					cred.data);
			decide_at(f, raw.data, NOW + (uint64_t)round);
			assert_int_equal(f->d.status, 401);
			sameness_mask(f->d.out.data, f->d.out.len, &m[round]);
			snprintf(why[round], sizeof(why[round]), "%s",
				 f->d.why);
		}
		if (m[0].len != m[1].len ||
		    memcmp(m[0].data, m[1].data, m[0].len) != 0)
			fail_msg(
			    "%s: the responses differ:\n%s\n--- and ---\n%s",
			    pairs[i].comment, m[0].data, m[1].data);
		if (strstr(why[0], pairs[i].why_a) == NULL ||
		    strstr(why[1], pairs[i].why_b) == NULL)
			fail_msg("%s: why lines '%s' / '%s'", pairs[i].comment,
				 why[0], why[1]);
		http_buf_free(&cred);
		http_buf_free(&raw);
		http_buf_free(&m[0]);
		http_buf_free(&m[1]);
		fixture_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_rows),
	    cmocka_unit_test(test_echo),
	    cmocka_unit_test(test_echo_body),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_custom_rules),
	    cmocka_unit_test(test_several_challenges),
	    cmocka_unit_test(test_digest_ok),
	    cmocka_unit_test(test_digest_stale),
	    cmocka_unit_test(test_digest_forbidden),
	    cmocka_unit_test(test_bearer),
	    cmocka_unit_test(test_path_spellings),
	    cmocka_unit_test(test_path_served),
	    cmocka_unit_test(test_host),
	    cmocka_unit_test(test_unknown_user_same_as_wrong_password),
	};

	return cmocka_run_group_tests_name("origin", tests, NULL, NULL);
}

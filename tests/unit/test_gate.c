/*
 * tests/unit/test_gate.c - proxy_decide(): every outcome the proxy itself
 * decides (400, 407 for each reason, 403, forward, tunnel), the rewrite of
 * a forwarded head, and proxy_relay_head() for the way back.
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
#include "../../http/users.h"
#include "../../proxy/gate.h"
#include "sameness.h"

#include <netdb.h>
#include <sys/socket.h>

#define NOW 1732844800u

/* The world of one test: the lab users and ACL, Basic unless changed. */
struct world {
	struct users users;
	struct acl acl;
	struct proxy_config cfg;
	struct proxy_state st;
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
	return w;
}

static void world_free(struct world *w)
{
	users_free(&w->users);
	free(w);
}

/* Parse `text` as a request and decide at time `now`. */
static void decide_at(struct world *w, const char *text, uint64_t now,
		      struct proxy_decision *d)
{
	struct http_request req;
	enum http_err e = HTTP_OK;
	long n = http_parse_request(text, strlen(text), &req, &e);

	if (n <= 0)
		fail_msg("test request does not parse: %s", http_strerror(e));
	proxy_decision_init(d);
	proxy_decide(&w->cfg, &w->st, &req, text + n, strlen(text) - (size_t)n,
		     now, d);
}

/* d->out as a response; its body starts at *body. */
static void out_response(const struct proxy_decision *d,
			 struct http_response *resp, const char **body)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_response(d->out.data, d->out.len, resp, &e);

	if (n <= 0)
		fail_msg("decision output is not a response: %s",
			 http_strerror(e));
	*body = d->out.data + n;
}

static size_t count_field(const struct http_response *r, const char *name)
{
	return http_header_count(r->headers, r->num_headers, name);
}

/* ---- outcomes the proxy answers itself ---- */

struct outcome_case {
	const char *comment;
	const char *schemes; /* --auth */
	const char *request;
	int status;
	size_t challenges; /* Proxy-Authenticate fields wanted */
	const char *why;   /* substring of d.why */
	const char *body;  /* substring of the body, or NULL */
	const char *lesson;
	bool close;
};

#define T "GET http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
#define ALICE "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"

static const struct outcome_case outcomes[] = {
    /* Outcomes row 1: no proxy credentials -> 407 with the challenge;
     * the why line is the one lesson 02 quotes */
    {"missing", "basic", T "\r\n", 407, 1,
     "proxy: Proxy-Authorization missing -> 407, offering Basic", "missing",
     "02", false},
    /* row 2: wrong password (alice:wrong) */
    {"wrong password", "basic",
     T "Proxy-Authorization: Basic YWxpY2U6d3Jvbmc=\r\n\r\n", 407, 1,
     "bad credentials for alice", "credentials were not accepted", "02", false},
    /* row 2: unknown user (nobody:x) */
    {"unknown user", "basic",
     T "Proxy-Authorization: Basic bm9ib2R5Ong=\r\n\r\n", 407, 1,
     "unknown user", "credentials were not accepted", "02", false},
    /* row 3: a scheme the proxy did not offer */
    {"wrong scheme", "basic",
     T "Proxy-Authorization: Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg\r\n\r\n",
     407, 1, "wrong scheme", "did not offer", "02", false},
    /* row 4: credentials in Authorization instead: the proxy ignores
     * them and says so (lesson 06) */
    {"authorization instead", "basic",
     T "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n", 407, 1,
     "sent in Authorization", "which is for the origin", "06", false},
    /* row 7: broken base64 -> 400 saying what is wrong, and close */
    {"malformed base64", "basic",
     T "Proxy-Authorization: Basic %%%notbase64\r\n\r\n", 400, 0,
     "Proxy-Authorization malformed", "base64", "03", true},
    /* row 8: mallory authenticates, the ACL refuses: 403, no challenge */
    {"mallory", "basic",
     T "Proxy-Authorization: Basic bWFsbG9yeTpsZXRtZWlu\r\n\r\n", 403, 0,
     "mallory authenticated with Basic, but the ACL refuses", "mallory", "05",
     false},
    /* origin-form sent to a proxy: 400, a proxy needs absolute-form */
    {"origin-form", "basic", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0,
     "absolute-form", "absolute-form", "01", true},
    /* a URL the proxy cannot use */
    {"ftp url", "basic", "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0,
     "not an http:// URL", NULL, "01", true},
    /* two Host fields (RFC 9112 §3.2) */
    {"two hosts", "basic",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", 400, 0,
     "more than one Host", NULL, "01", true},
    /* CONNECT without host:port */
    {"connect without port", "basic",
     "CONNECT example.org HTTP/1.1\r\nHost: example.org\r\n\r\n", 400, 0,
     "authority-form", NULL, "07", true},
    /* an unauthenticated CONNECT is a 407, never a 401 */
    {"connect missing", "basic",
     "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", 407, 1,
     "missing", NULL, "02", false},
    /* a denied CONNECT is a 403 too */
    {"connect mallory", "basic",
     "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n"
     "Proxy-Authorization: Basic bWFsbG9yeTpsZXRtZWlu\r\n\r\n",
     403, 0, "refuses CONNECT 127.0.0.1:443", NULL, "05", false},
    /* several schemes: one challenge each, in the order given; Digest
     * named with its algorithm (here only MD5 is configured) */
    {"two schemes", "digest,basic", T "\r\n", 407, 2,
     "offering Digest MD5, Basic", NULL, "02", false},
    /* Connection: close is honoured on a 407 */
    {"407 with close", "basic", T "Connection: close\r\n\r\n", 407, 1,
     "missing", NULL, "02", true},
    /* HTTP/1.0 closes by default */
    {"407 to HTTP/1.0", "basic", "GET http://h/ HTTP/1.0\r\n\r\n", 407, 1,
     "missing", NULL, "02", true},
    /* OPTIONS with Max-Forwards: 0: the proxy is the final recipient */
    {"options max-forwards 0", "basic",
     "OPTIONS http://h/ HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n" ALICE
     "\r\n",
     200, 0, "Max-Forwards: 0", "answers OPTIONS itself", "06", false},
};

static void test_outcomes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		const struct outcome_case *tc = &outcomes[i];
		struct world *w = world_new(tc->schemes);
		struct proxy_decision d;
		struct http_response resp;
		const struct http_header *server;
		const char *body;

		decide_at(w, tc->request, NOW, &d);
		if (d.action != PROXY_RESPOND || d.status != tc->status)
			fail_msg("%s: action %d status %d, want respond %d "
				 "(%s)",
				 tc->comment, d.action, d.status, tc->status,
				 d.why);
		out_response(&d, &resp, &body);
		assert_int_equal(resp.status, tc->status);
		if (count_field(&resp, "Proxy-Authenticate") != tc->challenges)
			fail_msg("%s: %zu challenges", tc->comment,
				 count_field(&resp, "Proxy-Authenticate"));
		if (strstr(d.why, tc->why) == NULL)
			fail_msg("%s: why '%s' lacks '%s'", tc->comment, d.why,
				 tc->why);
		if (tc->body != NULL && strstr(body, tc->body) == NULL)
			fail_msg("%s: body '%s' lacks '%s'", tc->comment, body,
				 tc->body);
		assert_string_equal(d.lesson, tc->lesson);
		if (d.close != tc->close)
			fail_msg("%s: close=%d", tc->comment, d.close);
		/* the proxy's own answers: Server, never Via */
		server =
		    http_header_find(resp.headers, resp.num_headers, "Server");
		assert_non_null(server);
		assert_int_equal(server->value_len, strlen("lab407-proxy"));
		assert_int_equal(count_field(&resp, "Via"), 0);
		/* ASCII arrow in why lines */
		assert_non_null(strstr(d.why, " -> "));
		proxy_decision_free(&d);
		world_free(w);
	}
}

/* Two decisions say the same: every field but the buffer's storage. */
static void assert_same_decision(const struct proxy_decision *a,
				 const struct proxy_decision *b,
				 const char *request)
{
	if (a->action != b->action || a->status != b->status ||
	    a->port != b->port || a->close != b->close ||
	    a->scheme != b->scheme || a->auth_verdict != b->auth_verdict)
		fail_msg("%s: action %d/%d status %d/%d port %u/%u", request,
			 a->action, b->action, a->status, b->status, a->port,
			 b->port);
	assert_int_equal(a->out.len, b->out.len);
	assert_memory_equal(a->out.data, b->out.data, a->out.len);
	assert_string_equal(a->lesson, b->lesson);
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->user, b->user);
	assert_string_equal(a->why, b->why);
	assert_string_equal(a->info_header, b->info_header);
	assert_string_equal(a->negotiate_reply, b->negotiate_reply);
}

/*
 * proxy_decision_init() clears the fields and only empties the strings;
 * bin/proxy reuses a decision's memory from one request to the next.
 * Decisions made in memory full of garbage, and of the decision before,
 * are the decisions made in fresh memory: a forward by alice, then
 * answers that name no user, a tunnel, a 400.
 */
static void test_reused_decision(void **state)
{
	static const char *const requests[] = {
	    T ALICE "\r\n",
	    T "\r\n",
	    T "Proxy-Authorization: Basic YWxpY2U6d3Jvbmc=\r\n\r\n",
	    "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n" ALICE
	    "\r\n",
	    T ALICE "\r\n",
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" ALICE "\r\n",
	};
	struct world *w = world_new("basic");
	struct proxy_decision *reused = malloc(sizeof(*reused));

	(void)state;
	assert_non_null(reused);
	memset(reused, 0xa5, sizeof(*reused));
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct proxy_decision *fresh = calloc(1, sizeof(*fresh));

		assert_non_null(fresh);
		if (i > 0)
			proxy_decision_free(reused);
		decide_at(w, requests[i], NOW, reused);
		decide_at(w, requests[i], NOW, fresh);
		assert_same_decision(reused, fresh, requests[i]);
		proxy_decision_free(fresh);
		free(fresh);
	}
	/* Once more the first, after the 400 of the last. */
	proxy_decision_free(reused);
	decide_at(w, requests[0], NOW, reused);
	assert_int_equal(reused->action, PROXY_FORWARD);
	assert_string_equal(reused->user, "alice");
	proxy_decision_free(reused);
	free(reused);
	world_free(w);
}

/* The first challenge of a 407 is Basic with realm and charset, verbatim. */
static void test_challenge_text(void **state)
{
	struct world *w = world_new("basic");
	struct proxy_decision d;

	(void)state;
	decide_at(w, T "\r\n", NOW, &d);
	assert_non_null(strstr(d.out.data,
			       "\r\nProxy-Authenticate: Basic realm=\"lab407 "
			       "proxy\", charset=\"UTF-8\"\r\n"));
	assert_string_equal(d.user, "");
	proxy_decision_free(&d);
	world_free(w);
}

/* A 407 to HEAD has Content-Length but no body (RFC 9110 §9.3.2). */
static void test_head_no_body(void **state)
{
	struct world *w = world_new("basic");
	struct proxy_decision d;
	struct http_response resp;
	const char *body;

	(void)state;
	decide_at(w, "HEAD http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", NOW, &d);
	out_response(&d, &resp, &body);
	assert_int_equal(resp.status, 407);
	assert_string_equal(body, "");
	assert_non_null(
	    http_header_find(resp.headers, resp.num_headers, "Content-Length"));
	proxy_decision_free(&d);
	world_free(w);
}

/*
 * The same 407 twice: the second comes from the per-thread copy of a
 * finished answer (proxy/gate_authn.c, quick_407) and must be the first, byte
 * for byte, with the same why and close; a different realm or scheme list
 * gets its own answer, also when its configuration reuses the memory of
 * the one before.  Each case's realm is new, so its first answer is
 * built, not copied.
 */
struct repeat_case {
	const char *comment;
	const char *schemes;
	const char *request;
	bool close; /* the answer closes the connection */
};

static const struct repeat_case repeat_cases[] = {
    {"GET, HTTP/1.1 keeps the connection", "basic",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", false},
    {"HTTP/1.0 closes", "basic", "GET http://h/ HTTP/1.0\r\nHost: h\r\n\r\n",
     true},
    {"HEAD: no body", "basic", "HEAD http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",
     false},
    {"Connection: close", "basic",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", true},
    {"a small unread body", "basic",
     "POST http://h/ HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
     "hello",
     false},
    {"two schemes", "basic,bearer", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",
     false},
    {"NTLM first", "ntlm,basic", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",
     false},
};

static void test_repeat_407(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(repeat_cases) / sizeof(repeat_cases[0]);
	     i++) {
		const struct repeat_case *c = &repeat_cases[i];
		struct world *w = world_new(c->schemes);
		struct proxy_decision d1, d2;
		char realm_field[80];

		snprintf(w->cfg.guard.realm, sizeof(w->cfg.guard.realm),
			 "repeat %zu", i);
		snprintf(realm_field, sizeof(realm_field),
			 "realm=\"repeat %zu\"", i);
		decide_at(w, c->request, NOW, &d1);
		decide_at(w, c->request, NOW, &d2);
		if (d1.status != 407 || d2.status != 407)
			fail_msg("%s: status %d, %d", c->comment, d1.status,
				 d2.status);
		if (d1.out.len != d2.out.len ||
		    memcmp(d1.out.data, d2.out.data, d1.out.len) != 0)
			fail_msg("%s: the second 407 differs:\n%s\n--\n%s",
				 c->comment, d1.out.data, d2.out.data);
		if (strstr(d2.out.data, realm_field) == NULL)
			fail_msg("%s: no %s in\n%s", c->comment, realm_field,
				 d2.out.data);
		if (d1.close != c->close || d2.close != c->close)
			fail_msg("%s: close %d, %d", c->comment, d1.close,
				 d2.close);
		assert_string_equal(d1.why, d2.why);
		assert_string_equal(d1.lesson, d2.lesson);
		assert_int_equal(d2.action, PROXY_RESPOND);
		proxy_decision_free(&d1);
		proxy_decision_free(&d2);
		/* The next world may get this one's memory. */
		world_free(w);
	}
}

/* Two configurations in turn: each 407 names its own realm. */
static void test_repeat_407_two_configs(void **state)
{
	struct world *a = world_new("basic");
	struct world *b = world_new("basic");
	static const char req[] = "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n";

	(void)state;
	snprintf(a->cfg.guard.realm, sizeof(a->cfg.guard.realm), "alpha");
	snprintf(b->cfg.guard.realm, sizeof(b->cfg.guard.realm), "beta");
	for (int round = 0; round < 3; round++) {
		struct proxy_decision d;

		decide_at(a, req, NOW, &d);
		assert_non_null(strstr(d.out.data, "realm=\"alpha\""));
		assert_null(strstr(d.out.data, "beta"));
		proxy_decision_free(&d);
		decide_at(b, req, NOW, &d);
		assert_non_null(strstr(d.out.data, "realm=\"beta\""));
		assert_null(strstr(d.out.data, "alpha"));
		proxy_decision_free(&d);
	}
	world_free(a);
	world_free(b);
}

/* ---- forwarding ---- */

/* alice's GET, with every kind of field a proxy must sort. */
static const char forward_req[] =
    "GET http://127.0.0.1:8080/private?x=1 HTTP/1.1\r\n"
    "Host: evil.example:9999\r\n"
    "User-Agent: test\r\n" ALICE "Authorization: Basic b3JpZ2luOnRlc3Q=\r\n"
    "Connection: keep-alive, X-Trace\r\n"
    "X-Trace: hop-secret\r\n"
    "Proxy-Connection: keep-alive\r\n"
    "Keep-Alive: timeout=5\r\n"
    "TE: trailers\r\n"
    "Upgrade: h2c\r\n"
    "Via: 1.0 earlier\r\n"
    "Accept: */*\r\n"
    "\r\n";

/* What the origin must see, exactly (fields kept in order, Via last). */
static const char forward_want[] = "GET /private?x=1 HTTP/1.1\r\n"
				   "Host: 127.0.0.1:8080\r\n"
				   "User-Agent: test\r\n"
				   "Authorization: Basic b3JpZ2luOnRlc3Q=\r\n"
				   "Via: 1.0 earlier\r\n"
				   "Accept: */*\r\n"
				   "Via: 1.1 lab407\r\n"
				   "\r\n";

static void test_forward_rewrite(void **state)
{
	struct world *w = world_new("basic");
	struct proxy_decision d;

	(void)state;
	decide_at(w, forward_req, NOW, &d);
	assert_int_equal(d.action, PROXY_FORWARD);
	assert_string_equal(d.out.data, forward_want);
	assert_string_equal(d.host, "127.0.0.1");
	assert_int_equal(d.port, 8080);
	assert_string_equal(d.user, "alice");
	assert_string_equal(d.lesson, "01");
	assert_string_equal(d.why, "proxy: alice authenticated (Basic), ACL "
				   "allows -> forwarding to 127.0.0.1:8080");
	assert_false(d.close);
	assert_int_equal(d.auth_verdict, GUARD_OK);
	proxy_decision_free(&d);
	world_free(w);
}

struct fwd_case {
	const char *comment;
	const char *request; /* alice's credentials are added */
	const char *want;    /* substring of the forwarded head */
	const char *absent;  /* must not appear, or NULL */
};

static const struct fwd_case fwd_cases[] = {
    /* Host's value is ignored and replaced from the URL (RFC 9112
     * §3.2.2); default port left out */
    {"host from url",
     "GET http://example.org/a HTTP/1.1\r\nHost: other.example:81\r\n",
     "GET /a HTTP/1.1\r\nHost: example.org\r\n", NULL},
    /* empty path becomes / */
    {"empty path", "GET http://h:81 HTTP/1.1\r\nHost: h:81\r\n",
     "GET / HTTP/1.1\r\nHost: h:81\r\n", NULL},
    /* Transfer-Encoding and Content-Length stay: the body is relayed
     * as framed, even when Connection names them */
    {"te kept for framing",
     "POST http://h/ HTTP/1.1\r\nHost: h\r\nConnection: Transfer-Encoding\r\n"
     "Transfer-Encoding: chunked\r\n",
     "Transfer-Encoding: chunked\r\n", "Connection"},
    {"content-length kept",
     "PUT http://h/ HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n",
     "Content-Length: 3\r\n", NULL},
    /* Trailer is not a field to remove (RFC 9110 §7.6.1 does not list
     * it): it announces the trailers of a body relayed with them */
    {"trailer kept",
     "POST http://h/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
     "Trailer: X-Sum\r\n",
     "Trailer: X-Sum\r\n", NULL},
    /* the fields RFC 9110 §7.6.1 names for removal go, with the two
     * proxy authentication fields (§11.7) */
    {"proxy-connection dropped",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nProxy-Connection: keep-alive\r\n",
     "GET / HTTP/1.1\r\n", "Proxy-Connection"},
    {"keep-alive dropped",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nKeep-Alive: timeout=5\r\n",
     "GET / HTTP/1.1\r\n", "Keep-Alive"},
    {"te and upgrade dropped",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nTE: trailers\r\nUpgrade: h2c\r\n",
     "GET / HTTP/1.1\r\n", "Upgrade"},
    /* Connection names are case-insensitive and may be spaced */
    {"connection names",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nConnection: close ,  x-a\r\n"
     "X-A: 1\r\nX-B: 2\r\n",
     "X-B: 2\r\n", "X-A"},
    /* TRACE with Max-Forwards: 2 is forwarded with 1 */
    {"max-forwards decremented",
     "TRACE http://h/ HTTP/1.1\r\nHost: h\r\nMax-Forwards: 2\r\n",
     "Max-Forwards: 1\r\n", "Max-Forwards: 2"},
    /* Max-Forwards on GET is not ours to touch */
    {"max-forwards on get",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n",
     "Max-Forwards: 0\r\n", NULL},
    /* RFC 9112 §3.2.1: "http://h?q" has an empty path: "/?q" */
    {"query, empty path", "GET http://h?q=1 HTTP/1.1\r\nHost: h\r\n",
     "GET /?q=1 HTTP/1.1\r\nHost: h\r\n", NULL},
    /* ... with a port, kept in Host */
    {"query, empty path, port",
     "GET http://h:8080?a=b/c HTTP/1.1\r\nHost: h:8080\r\n",
     "GET /?a=b/c HTTP/1.1\r\nHost: h:8080\r\n", NULL},
    /* no path at all: "/" */
    {"no path", "GET http://h HTTP/1.1\r\nHost: h\r\n",
     "GET / HTTP/1.1\r\nHost: h\r\n", NULL},
    /* the default port written out: left out of Host */
    {"default port", "GET http://h:80 HTTP/1.1\r\nHost: h:80\r\n",
     "GET / HTTP/1.1\r\nHost: h\r\n", NULL},
    /* HTTP/1.0 without Host is forwarded, with Host from the URL */
    {"http/1.0 without host", "GET http://h/x HTTP/1.0\r\n",
     "GET /x HTTP/1.1\r\nHost: h\r\n", NULL},
    /* Host's value is not used, only checked: an IPv6 literal is fine */
    {"host ignored", "GET http://h/ HTTP/1.1\r\nHost: [::1]:3128\r\n",
     "GET / HTTP/1.1\r\nHost: h\r\n", "::1"},
    /* several Proxy-Authorization-like fields are all consumed */
    {"proxy-authenticate dropped",
     "GET http://h/ HTTP/1.1\r\nHost: h\r\nProxy-Authenticate: Basic\r\n",
     "Via: 1.1 lab407\r\n\r\n", "Proxy-Auth"},
};

static void test_forward_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fwd_cases) / sizeof(fwd_cases[0]); i++) {
		const struct fwd_case *tc = &fwd_cases[i];
		struct world *w = world_new("basic");
		struct proxy_decision d;
		char req[1024];

		snprintf(req, sizeof(req), "%s" ALICE "\r\n", tc->request);
		decide_at(w, req, NOW, &d);
		if (d.action != PROXY_FORWARD)
			fail_msg("%s: not forwarded: %s", tc->comment, d.why);
		if (strstr(d.out.data, tc->want) == NULL)
			fail_msg("%s: '%s' lacks '%s'", tc->comment, d.out.data,
				 tc->want);
		if (tc->absent && strstr(d.out.data, tc->absent) != NULL)
			fail_msg("%s: '%s' has '%s'", tc->comment, d.out.data,
				 tc->absent);
		proxy_decision_free(&d);
		world_free(w);
	}
}

/* ---- Requests refused before authentication ---- */

struct refuse_case {
	const char *comment;
	const char *request; /* alice's credentials and CRLF are added */
	int status;	     /* what the client gets */
	const char *why;     /* substring of d.why, or NULL */
};

static const struct refuse_case refuse_cases[] = {
    /* RFC 9112 §3.2: HTTP/1.1 without Host */
    {"no host", "GET http://h/ HTTP/1.1\r\n", 400, "must have a Host"},
    /* ... for CONNECT too */
    {"connect, no host", "CONNECT h:443 HTTP/1.1\r\n", 400, "must have a Host"},
    /* two Host fields, in HTTP/1.0 as well */
    {"two hosts, 1.0", "GET http://h/ HTTP/1.0\r\nHost: h\r\nHost: h\r\n", 400,
     "more than one Host"},
    /* invalid values, though the URL names the host (§3.2.2) */
    {"host list", "GET http://h/ HTTP/1.1\r\nHost: a, b\r\n", 400,
     "not a valid host"},
    {"empty host", "GET http://h/ HTTP/1.1\r\nHost:\r\n", 400,
     "not a valid host"},
    {"host with a space", "GET http://h/ HTTP/1.1\r\nHost: a b\r\n", 400,
     "not a valid host"},
    {"host with userinfo", "GET http://h/ HTTP/1.1\r\nHost: u@h\r\n", 400,
     "not a valid host"},
    {"host, bad port", "GET http://h/ HTTP/1.1\r\nHost: h:99999\r\n", 400,
     "not a valid host"},
    {"connect, bad host", "CONNECT h:443 HTTP/1.1\r\nHost: h:443, i:443\r\n",
     400, "not a valid host"},
    /* RFC 9110 §4.2.4: userinfo in the URL */
    {"userinfo", "GET http://user:pass@h/ HTTP/1.1\r\nHost: h\r\n", 400,
     "not an http:// URL"},
    {"userinfo before a query", "GET http://user@h?q HTTP/1.1\r\nHost: h\r\n",
     400, "not an http:// URL"},
    /* an empty host in the URL */
    {"url, empty host", "GET http://:80/ HTTP/1.1\r\nHost: h\r\n", 400,
     "not an http:// URL"},
    /* ports out of range, signed, with a leading zero */
    {"url, port 0", "GET http://h:0/ HTTP/1.1\r\nHost: h\r\n", 400, NULL},
    {"url, port 65536", "GET http://h:65536/ HTTP/1.1\r\nHost: h\r\n", 400,
     NULL},
    {"url, signed port", "GET http://h:+80/ HTTP/1.1\r\nHost: h\r\n", 400,
     NULL},
    {"url, leading zero", "GET http://h:0080/ HTTP/1.1\r\nHost: h\r\n", 400,
     NULL},
    {"connect, leading zero", "CONNECT h:0443 HTTP/1.1\r\nHost: h\r\n", 400,
     "authority-form"},
    /* a fragment: the request parser refuses it, the server sends 400 */
    {"fragment", "GET http://h#frag HTTP/1.1\r\nHost: h\r\n", 400, NULL},
    {"fragment after a path", "GET http://h/a#f HTTP/1.1\r\nHost: h\r\n", 400,
     NULL},
};

/*
 * What the client gets for each case: the status of the decision, or,
 * when the head does not parse, the status the server sends for the
 * parse error (proxy/head.c: http_err_status()).
 */
static void test_refuse_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refuse_cases) / sizeof(refuse_cases[0]);
	     i++) {
		const struct refuse_case *tc = &refuse_cases[i];
		struct world *w = world_new("basic");
		struct proxy_decision d;
		struct http_request req;
		enum http_err e = HTTP_OK;
		char text[1024];
		long n;

		snprintf(text, sizeof(text), "%s" ALICE "\r\n", tc->request);
		n = http_parse_request(text, strlen(text), &req, &e);
		if (n <= 0) {
			if (http_err_status(e) != tc->status)
				fail_msg("%s: parse error %d", tc->comment,
					 (int)e);
			world_free(w);
			continue;
		}
		proxy_decision_init(&d);
		proxy_decide(&w->cfg, &w->st, &req, NULL, 0, NOW, &d);
		if (d.action != PROXY_RESPOND || d.status != tc->status)
			fail_msg("%s: action %d status %d (%s)", tc->comment,
				 (int)d.action, d.status, d.why);
		if (tc->why != NULL && strstr(d.why, tc->why) == NULL)
			fail_msg("%s: why '%s' lacks '%s'", tc->comment, d.why,
				 tc->why);
		assert_true(d.close);
		proxy_decision_free(&d);
		world_free(w);
	}
}

/* CONNECT allowed: a tunnel, and the 200 the client reads. */
static void test_tunnel(void **state)
{
	struct world *w = world_new("basic");
	struct proxy_decision d;

	(void)state;
	decide_at(w,
		  "CONNECT example.org:443 HTTP/1.1\r\nHost: "
		  "example.org:443\r\n" ALICE "\r\n",
		  NOW, &d);
	assert_int_equal(d.action, PROXY_TUNNEL);
	assert_int_equal(d.status, 200);
	assert_string_equal(d.out.data,
			    "HTTP/1.1 200 Connection established\r\n\r\n");
	assert_string_equal(d.host, "example.org");
	assert_int_equal(d.port, 443);
	assert_string_equal(d.user, "alice");
	assert_non_null(strstr(d.why, "tunnel to example.org:443"));
	proxy_decision_free(&d);
	world_free(w);
}

/* A numeric socket address (no DNS). */
static void sa_of(const char *lit, struct sockaddr_storage *ss)
{
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(lit, "80", &hints, &res) != 0 || res == NULL)
		fail_msg("test literal %s does not parse", lit);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
}

/*
 * Step 3b: after FORWARD/TUNNEL, the shell's addresses decide.  A denied
 * address turns the decision into the ACL's 403: no challenge, the rule
 * and the address named, Connection: close (the body was not read).
 */
static void test_decide_address(void **state)
{
	static const char *const reqs[] = {
	    "GET http://127.1:8080/ HTTP/1.1\r\nHost: 127.1:8080\r\n" ALICE
	    "\r\n",
	    "CONNECT 2130706433:443 HTTP/1.1\r\nHost: 2130706433:443\r\n" ALICE
	    "\r\n",
	    "HEAD http://[::ffff:127.0.0.1]:8080/ HTTP/1.1\r\nHost: "
	    "[::ffff:127.0.0.1]:8080\r\n" ALICE "\r\n",
	};
	static const char *const addrs[] = {"127.0.0.1", "::ffff:127.0.0.1"};
	const char *deny = "deny host 127.0.0.1\nallow all\n";
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		for (size_t k = 0; k < 2; k++) {
			struct world *w = world_new("basic");
			struct proxy_decision d;
			struct sockaddr_storage ss[2];
			struct http_response resp;
			const char *body;
			bool head = strncmp(reqs[i], "HEAD", 4) == 0;

			assert_int_equal(acl_parse(deny, strlen(deny), "x",
						   &w->acl, err, sizeof(err)),
					 HTTP_OK);
			decide_at(w, reqs[i], NOW, &d);
			/* the name alone says nothing yet */
			assert_true(d.action == PROXY_FORWARD ||
				    d.action == PROXY_TUNNEL);
			sa_of("192.0.2.1", &ss[0]);
			sa_of(addrs[k], &ss[1]);
			assert_true(proxy_decide_address(&w->cfg,
							 head	  ? "HEAD"
							 : i == 1 ? "CONNECT"
								  : "GET",
							 ss, 1, &d));
			assert_false(proxy_decide_address(&w->cfg,
							  head	   ? "HEAD"
							  : i == 1 ? "CONNECT"
								   : "GET",
							  ss, 2, &d));
			assert_int_equal(d.action, PROXY_RESPOND);
			assert_int_equal(d.status, 403);
			assert_true(d.close);
			assert_string_equal(d.lesson, "05");
			out_response(&d, &resp, &body);
			assert_int_equal(resp.status, 403);
			assert_int_equal(
			    count_field(&resp, "Proxy-Authenticate"), 0);
			assert_true(http_header_has_token(
			    resp.headers, resp.num_headers, "Connection",
			    "close"));
			if (head)
				assert_string_equal(body, "");
			else
				assert_non_null(strstr(
				    body, "deny host 127.0.0.1 (line 1), for "
					  "address 127.0.0.1"));
			assert_non_null(strstr(d.why, "alice authenticated "
						      "with Basic"));
			assert_non_null(strstr(d.why, "for address 127.0.0.1"));
			proxy_decision_free(&d);
			world_free(w);
		}
	}
}

/* CONNECT outside the CONNECT ports is refused by proxy_decide() itself:
 * no address is needed to know it. */
static void test_connect_port(void **state)
{
	struct world *w = world_new("basic");
	struct proxy_decision d;
	struct http_response resp;
	const char *body;

	(void)state;
	decide_at(w,
		  "CONNECT example.org:8443 HTTP/1.1\r\nHost: "
		  "example.org:8443\r\n" ALICE "\r\n",
		  NOW, &d);
	assert_int_equal(d.status, 403);
	out_response(&d, &resp, &body);
	assert_non_null(strstr(body, "allow method CONNECT port 8443"));
	assert_int_equal(count_field(&resp, "Proxy-Authenticate"), 0);
	proxy_decision_free(&d);
	world_free(w);
}

/* --auth none: everyone is "-" to the ACL; a deny rule for "-" works. */
static void test_open_proxy(void **state)
{
	struct world *w = world_new("none");
	struct proxy_decision d;
	char err[128];
	const char *deny = "deny user -\n";

	(void)state;
	decide_at(w, T "\r\n", NOW, &d);
	assert_int_equal(d.action, PROXY_FORWARD);
	assert_string_equal(d.user, "");
	assert_non_null(strstr(d.why, "--auth none"));
	proxy_decision_free(&d);

	assert_int_equal(
	    acl_parse(deny, strlen(deny), "x", &w->acl, err, sizeof(err)),
	    HTTP_OK);
	decide_at(w, T "\r\n", NOW, &d);
	assert_int_equal(d.status, 403);
	assert_non_null(strstr(d.why, "deny user - (line 1)"));
	proxy_decision_free(&d);
	world_free(w);
}

/* ---- Digest: success, replay, stale ---- */

/* Answer the 407 in d as alice would, for `target`; value into out. */
static void digest_answer(const struct proxy_decision *d,
			  struct answer_state *ast, const char *target,
			  struct http_buf *out)
{
	struct http_response resp;
	const char *body;
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	size_t n = 0;
	struct answer_creds cr = {"alice", "wonderland", AUTH_SCHEME_DIGEST,
				  false, NULL};
	struct answer_trace tr;

	out_response(d, &resp, &body);
	assert_int_equal(auth_collect_challenges(resp.headers, resp.num_headers,
						 "Proxy-Authenticate", ch,
						 AUTH_MAX_CHALLENGES, &n),
			 HTTP_OK);
	assert_int_equal(answer_choose(ast, &cr, ch, n, &tr), HTTP_OK);
	assert_int_equal(
	    answer_build(ast, &cr, "GET", target, NULL, 0, out, &tr), HTTP_OK);
}

static void test_digest(void **state)
{
	struct world *w = world_new("digest");
	struct proxy_decision d, d2;
	struct answer_state ast;
	struct http_buf cred;
	char req[2048];
	const char *target = "http://127.0.0.1:8080/";

	(void)state;
	answer_state_init(&ast);
	http_buf_init(&cred, 0);
	decide_at(w, T "\r\n", NOW, &d);
	assert_int_equal(d.status, 407);
	assert_non_null(strstr(d.out.data, "Proxy-Authenticate: Digest "));
	digest_answer(&d, &ast, target, &cred);
	proxy_decision_free(&d);

	/* the right answer is forwarded, and Proxy-Authentication-Info is
	 * kept for the relayed response */
	snprintf(req, sizeof(req), T "Proxy-Authorization: %s\r\n\r\n",
		 cred.data);
	decide_at(w, req, NOW + 1, &d);
	assert_int_equal(d.action, PROXY_FORWARD);
	assert_string_equal(d.user, "alice");
	assert_non_null(strstr(d.why, "alice authenticated (Digest)"));
	assert_null(strstr(d.out.data, "Digest"));
	proxy_decision_free(&d);

	/* the same nonce count again: a replay, 407 */
	decide_at(w, req, NOW + 2, &d);
	assert_int_equal(d.status, 407);
	assert_non_null(strstr(d.why, "replayed"));
	assert_string_equal(d.lesson, "04");
	proxy_decision_free(&d);

	/* a fresh nc, but after the nonce's lifetime: 407 stale=true */
	http_buf_reset(&cred);
	decide_at(w, T "\r\n", NOW, &d2);
	answer_state_init(&ast);
	digest_answer(&d2, &ast, target, &cred);
	proxy_decision_free(&d2);
	snprintf(req, sizeof(req), T "Proxy-Authorization: %s\r\n\r\n",
		 cred.data);
	decide_at(w, req, NOW + DIGEST_NONCE_LIFETIME + 60, &d);
	assert_int_equal(d.status, 407);
	assert_non_null(strstr(d.out.data, "stale=true"));
	assert_non_null(strstr(d.why, "stale=true"));
	proxy_decision_free(&d);

	http_buf_free(&cred);
	world_free(w);
}

/* ---- relaying the response ---- */

static void test_relay_head(void **state)
{
	const char *in = "HTTP/1.1 200 Fine\r\n"
			 "Content-Type: text/plain\r\n"
			 "Connection: X-Hop\r\n"
			 "X-Hop: 1\r\n"
			 "Keep-Alive: timeout=5\r\n"
			 "Proxy-Authenticate: Basic realm=\"fake\"\r\n"
			 "Transfer-Encoding: chunked\r\n"
			 "WWW-Authenticate: Basic realm=\"o\"\r\n"
			 "\r\n";
	const char *want = "HTTP/1.1 200 Fine\r\n"
			   "Content-Type: text/plain\r\n"
			   "Transfer-Encoding: chunked\r\n"
			   "WWW-Authenticate: Basic realm=\"o\"\r\n"
			   "Via: 1.1 lab407\r\n"
			   "\r\n";
	struct http_response resp;
	struct http_buf out;
	enum http_err e;

	(void)state;
	assert_true(http_parse_response(in, strlen(in), &resp, &e) > 0);
	http_buf_init(&out, 0);
	assert_true(proxy_relay_head(&resp, &out));
	/* hop-by-hop and Connection-named fields gone, an origin's
	 * Proxy-Authenticate dropped, WWW-Authenticate kept, Via added */
	assert_string_equal(out.data, want);
	http_buf_reset(&out);
	assert_true(
	    proxy_relay_head_ex(&resp, "rspauth=\"ab\"", "close", &out));
	assert_non_null(strstr(out.data,
			       "Via: 1.1 lab407\r\n"
			       "Proxy-Authentication-Info: rspauth=\"ab\"\r\n"
			       "Connection: close\r\n\r\n"));
	/* a value with CRLF would inject a header: refused */
	http_buf_reset(&out);
	assert_false(proxy_relay_head_ex(&resp, "a\r\nX: y", NULL, &out));
	http_buf_free(&out);
}

/* The shell's own errors: Server, no Via, Connection: close. */
static void test_write_own(void **state)
{
	struct http_buf out;
	struct http_response resp;
	enum http_err e;

	(void)state;
	http_buf_init(&out, 0);
	assert_true(proxy_write_own(&out, 502, true, "origin refused\n"));
	assert_true(http_parse_response(out.data, out.len, &resp, &e) > 0);
	assert_int_equal(resp.status, 502);
	assert_int_equal(count_field(&resp, "Via"), 0);
	assert_true(http_header_has_token(resp.headers, resp.num_headers,
					  "Connection", "close"));
	assert_non_null(strstr(out.data, "\r\n\r\norigin refused\n"));
	http_buf_free(&out);
}

/* ---- An unknown user and a wrong password look the same ---- */

/*
 * For each pair, the two 407s are byte-identical once Date and the fresh
 * nonce values are masked (tests/unit/sameness.h); the why lines still
 * tell them apart, for -v, the log and the REPL.
 */
static void test_unknown_user_same_as_wrong_password(void **state)
{
	static const struct {
		const char *comment;
		const char *schemes;
		enum digest_alg alg;
		const char *user_a, *pass_a; /* a known user, wrong password */
		const char *user_b, *pass_b; /* an unknown user */
		const char *why_a, *why_b;
	} pairs[] = {
	    {"Basic", "basic", DIGEST_MD5, "alice", "wrong", "nobody", "wrong",
	     "wrong password", "unknown user"},
	    {"Basic, other lengths", "basic", DIGEST_MD5, "bob", "x",
	     "zz-not-a-user", "a much longer guess", "wrong password",
	     "unknown user"},
	    {"Basic, mallory too", "basic,digest", DIGEST_MD5, "mallory",
	     "nope", "eve", "nope", "wrong password", "unknown user"},
	    {"Digest MD5", "digest", DIGEST_MD5, "alice", "wrong", "nobody",
	     "wrong", "does not match", "unknown user"},
	    {"Digest SHA-256", "digest", DIGEST_SHA256, "bob", "wrong",
	     "nobody", "wrong", "does not match", "unknown user"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct world *w = world_new(pairs[i].schemes);
		struct http_buf cred, raw, ma, mb;
		struct proxy_decision da, db;
		char nonce[128];
		int round;

		w->cfg.guard.algs[0] = pairs[i].alg;
		http_buf_init(&cred, 0);
		http_buf_init(&raw, 0);
		http_buf_init(&ma, 0);
		http_buf_init(&mb, 0);
		for (round = 0; round < 2; round++) {
			const char *user =
			    round ? pairs[i].user_b : pairs[i].user_a;
			const char *pass =
			    round ? pairs[i].pass_b : pairs[i].pass_a;
			struct proxy_decision *d = round ? &db : &da;

			http_buf_reset(&cred);
			if (strncmp(pairs[i].comment, "Digest", 6) == 0) {
				assert_int_equal(
				    digest_nonce_make(&w->st.guard.key, NOW,
						      nonce, sizeof(nonce)),
				    HTTP_OK);
				sameness_digest(pairs[i].alg, user, pass,
						"lab407 proxy", nonce, "GET",
						"http://127.0.0.1:8080/",
						&cred);
			} else {
				assert_int_equal(
				    basic_encode(&cred, user, pass), HTTP_OK);
			}
			http_buf_reset(&raw);
			http_buf_printf(&raw,
					T "Proxy-Authorization: %s\r\n\r\n",
					cred.data);
			decide_at(w, raw.data, NOW, d);
			assert_int_equal(d->status, 407);
			sameness_mask(d->out.data, d->out.len,
				      round ? &mb : &ma);
		}
		if (ma.len != mb.len || memcmp(ma.data, mb.data, ma.len) != 0)
			fail_msg(
			    "%s: the responses differ:\n%s\n--- and ---\n%s",
			    pairs[i].comment, ma.data, mb.data);
		/* the reason is in the decision, not on the wire */
		if (strstr(da.why, pairs[i].why_a) == NULL ||
		    strstr(db.why, pairs[i].why_b) == NULL)
			fail_msg("%s: why lines '%s' / '%s'", pairs[i].comment,
				 da.why, db.why);
		assert_null(strstr(ma.data, pairs[i].user_a));
		assert_null(strstr(mb.data, pairs[i].user_b));
		proxy_decision_free(&da);
		proxy_decision_free(&db);
		http_buf_free(&cred);
		http_buf_free(&raw);
		http_buf_free(&ma);
		http_buf_free(&mb);
		world_free(w);
	}
}

/* An nc that is not 8LHEX is a 400 from the proxy, not a 407. */
static void test_nc_uppercase_is_400(void **state)
{
	struct world *w = world_new("digest");
	struct http_buf cred, raw;
	struct proxy_decision d;
	char nonce[128], *p;

	(void)state;
	http_buf_init(&cred, 0);
	http_buf_init(&raw, 0);
	assert_int_equal(
	    digest_nonce_make(&w->st.guard.key, NOW, nonce, sizeof(nonce)),
	    HTTP_OK);
	sameness_digest(DIGEST_MD5, "alice", "wonderland", "lab407 proxy",
			nonce, "GET", "http://127.0.0.1:8080/", &cred);
	p = strstr(cred.data, "nc=00000001");
	assert_non_null(p);
	memcpy(p, "nc=0000000A", 11);
	http_buf_printf(&raw, T "Proxy-Authorization: %s\r\n\r\n", cred.data);
	decide_at(w, raw.data, NOW, &d);
	assert_int_equal(d.status, 400);
	assert_non_null(strstr(d.out.data, "8 lowercase hex digits"));
	proxy_decision_free(&d);
	http_buf_free(&cred);
	http_buf_free(&raw);
	world_free(w);
}

/* ---- a 400 names Proxy-Authorization once ---- */

/*
 * The guard's sentence for a broken Proxy-Authorization value starts with
 * the field's name; the proxy's 400 says "Proxy-Authorization malformed:"
 * itself and takes the rest of the sentence from where the guard says it
 * starts (guard_result.detail), never by reading the sentence.  Sentences
 * that do not start with the name ("appears 2 times", "cannot be
 * parsed") are kept whole.
 */
struct malformed_case {
	const char *comment;
	const char *schemes;
	const char *fields; /* Proxy-Authorization lines */
	const char *why;    /* d.why starts with this */
	size_t names;	    /* "Proxy-Authorization" in d.why */
};

#define PZ "Proxy-Authorization: "
#define MALFORMED "proxy: Proxy-Authorization malformed: "

static const struct malformed_case malformed_cases[] = {
    /* not base64 at all: the grammar refuses it, the guard names Basic */
    {"basic not base64", "basic", PZ "Basic %%%notbase64\r\n",
     MALFORMED "Basic credentials are not valid base64", 1},
    /* base64 with a bad length: the decoder refuses it */
    {"basic bad padding", "basic", PZ "Basic YWxpY2U6d29\r\n",
     MALFORMED "Basic credentials are not valid base64", 1},
    /* base64("alice"): no colon (RFC 7617 §2) */
    {"basic no colon", "basic", PZ "Basic YWxpY2U=\r\n",
     MALFORMED "Basic credentials: ", 1},
    /* two token68 words: not a Bearer token */
    {"bearer two words", "bearer", PZ "Bearer a b\r\n",
     MALFORMED "Bearer credentials are not a valid token", 1},
    /* params instead of a token */
    {"bearer params", "bearer", PZ "Bearer a=b\r\n",
     MALFORMED "Bearer token: ", 1},
    /* Digest with only a username: realm is the first one missing */
    {"digest no realm", "digest", PZ "Digest username=\"alice\"\r\n",
     MALFORMED "Digest field realm is missing (field at fault: realm)", 1},
    /* Digest as a token68 */
    {"digest token68", "digest", PZ "Digest abc\r\n",
     MALFORMED "Digest credentials must be name=value pairs", 1},
    /* the sentence is about the field as a whole: kept whole */
    {"two fields", "basic",
     PZ "Basic YWxpY2U6d29uZGVybGFuZA==\r\n" PZ
	"Basic YWxpY2U6d29uZGVybGFuZA==\r\n",
     MALFORMED "Proxy-Authorization appears 2 times", 2},
    {"does not parse", "basic", PZ "Digest realm=\"open\r\n",
     MALFORMED "Proxy-Authorization cannot be parsed: ", 2},
    /* twice, the first one's base64 broken: said after the rest */
    {"two fields, bad base64", "basic",
     PZ "Basic %%%\r\n" PZ "Basic YWxpY2U6d29uZGVybGFuZA==\r\n",
     MALFORMED "Proxy-Authorization appears 2 times; it holds one set of "
	       "credentials and may appear once (RFC 9110 §5.3); the Basic "
	       "credentials are not valid base64 (RFC 7617 §2, RFC 4648 §4)",
     2},
};

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_malformed_names_field_once(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const struct malformed_case *tc = &malformed_cases[i];
		struct world *w = world_new(tc->schemes);
		struct proxy_decision d;
		struct http_response resp;
		const char *body;
		char req[1024];

		print_message("case: %s\n", tc->comment);
		snprintf(req, sizeof(req), T "%s\r\n", tc->fields);
		decide_at(w, req, NOW, &d);
		assert_int_equal(d.status, 400);
		if (strncmp(d.why, tc->why, strlen(tc->why)) != 0)
			fail_msg("%s: why '%s', want it to start '%s'",
				 tc->comment, d.why, tc->why);
		assert_int_equal(occurrences(d.why, "Proxy-Authorization"),
				 tc->names);
		/* the body says the same, after "proxy: " */
		out_response(&d, &resp, &body);
		assert_non_null(strstr(body, tc->why));
		proxy_decision_free(&d);
		world_free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outcomes),
	    cmocka_unit_test(test_challenge_text),
	    cmocka_unit_test(test_head_no_body),
	    cmocka_unit_test(test_repeat_407),
	    cmocka_unit_test(test_repeat_407_two_configs),
	    cmocka_unit_test(test_forward_rewrite),
	    cmocka_unit_test(test_forward_cases),
	    cmocka_unit_test(test_refuse_cases),
	    cmocka_unit_test(test_tunnel),
	    cmocka_unit_test(test_open_proxy),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_relay_head),
	    cmocka_unit_test(test_write_own),
	    cmocka_unit_test(test_unknown_user_same_as_wrong_password),
	    cmocka_unit_test(test_nc_uppercase_is_400),
	    cmocka_unit_test(test_malformed_names_field_once),
	    cmocka_unit_test(test_decide_address),
	    cmocka_unit_test(test_connect_port),
	    cmocka_unit_test(test_reused_decision),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}

/*
 * tests/unit/test_repl_lab.c - the REPL's step machine over real loopback
 * sockets: whole exchanges run programmatically, asserting the order of
 * the legs, the statuses and who answered.
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

#include "../../repl/lab.h"
#include "../../repl/lab_set.h"
#include "../../repl/lab_state.h"
#include "../../repl/lab_step.h"

static int setup(void **state)
{
	char err[256];
	struct lab *lab = calloc(1, sizeof(*lab));

	if (lab == NULL || !lab_open(lab, err, sizeof(err))) {
		fprintf(stderr, "lab_open: %s\n", lab ? err : "no memory");
		return -1;
	}
	*state = lab;
	return 0;
}

static int teardown(void **state)
{
	lab_close(*state);
	free(*state);
	return 0;
}

/* Run an exchange to its end; returns the number of messages. */
static size_t run(struct lab *lab, const char *path)
{
	char err[256];
	int guard = 0;
	enum lab_step_rc rc;

	if (!lab_begin(lab, "GET", path, NULL, err, sizeof(err)))
		fail_msg("lab_begin %s: %s", path, err);
	while ((rc = lab_step(lab, err, sizeof(err))) == LAB_STEP_MOVED)
		assert_true(guard++ < LAB_MAX_MSGS);
	if (rc == LAB_STEP_ERROR)
		fail_msg("%s: step failed: %s", path, err);
	assert_true(lab->done);
	return lab->num_msgs;
}

/* Any message of the exchange contains s. */
static bool seen(const struct lab *lab, const char *s)
{
	size_t i;

	for (i = 0; i < lab->num_msgs; i++)
		if (strstr(lab->msgs[i].bytes.data, s) != NULL)
			return true;
	return false;
}

/* The head (not the body) of message m contains s. */
static bool head_has(const struct lab_msg *m, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= m->head_len; i++)
		if (memcmp(m->bytes.data + i, s, k) == 0)
			return true;
	return false;
}

/* ---- The default exchange ---- */

/* The welcome's promise: GET /private with alice for both parties takes
 * ten messages over all four legs: 407, then the origin's 401, then 200. */
static void test_default_ten_steps(void **state)
{
	static const struct {
		enum lab_leg leg;
		int status; /* 0 for requests */
	} want[] = {
	    {LAB_C2P, 0},   {LAB_P2C, 407}, {LAB_C2P, 0}, {LAB_P2O, 0},
	    {LAB_O2P, 401}, {LAB_P2C, 401}, {LAB_C2P, 0}, {LAB_P2O, 0},
	    {LAB_O2P, 200}, {LAB_P2C, 200},
	};
	struct lab *lab = *state;
	size_t i, n = run(lab, "/private");

	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		const struct lab_msg *m = lab_msg_at(lab, (int)i + 1);
		assert_non_null(m);
		if (m->leg != want[i].leg)
			fail_msg("message %zu: leg %d, want %d", i + 1, m->leg,
				 want[i].leg);
		if (want[i].status != 0 && m->status != want[i].status)
			fail_msg("message %zu: status %d, want %d", i + 1,
				 m->status, want[i].status);
		assert_true(m->why[0] != '\0');
	}
	/* the 407 is the proxy's own, the 200 the origin's */
	assert_int_equal(lab->msgs[1].answered_by, LAB_PROXY);
	assert_int_equal(lab->msgs[9].answered_by, LAB_ORIGIN);
	assert_int_equal(lab->final_status, 200);
	/* RFC 9110 §11.7.2: Proxy-Authorization never reaches the origin,
	 * Authorization does */
	assert_false(head_has(&lab->msgs[7], "Proxy-Authorization"));
	assert_true(head_has(&lab->msgs[7], "\r\nAuthorization: Basic"));
	/* the bytes really crossed: the 407 carries the proxy's challenge */
	assert_true(head_has(&lab->msgs[1], "Proxy-Authenticate: Basic"));
}

/* ---- Outcomes decided by the proxy ---- */

static void test_proxy_outcomes(void **state)
{
	struct lab *lab = *state;
	char err[256];

	/* no proxy credentials: the client stops at the 407 */
	lab_defaults(lab);
	assert_true(lab_set_user(lab, LAB_PROXY, "none", err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 407);
	assert_int_equal(lab->final_who, LAB_PROXY);

	/* mallory: 403 from the proxy, with no challenge */
	lab_defaults(lab);
	assert_true(
	    lab_set_user(lab, LAB_PROXY, "mallory:letmein", err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 403);
	assert_false(head_has(lab_last_response(lab), "Proxy-Authenticate:"));

	/* a wrong password: 407, once retried, then given up */
	lab_defaults(lab);
	assert_true(lab_set_break(lab, LAB_BREAK_PASSWORD, err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 407);

	/* Authorization instead of Proxy-Authorization: 407 */
	lab_defaults(lab);
	assert_true(lab_set_break(lab, LAB_BREAK_HEADER, err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 407);

	/* broken base64: 400 from the proxy */
	lab_defaults(lab);
	assert_true(lab_set_break(lab, LAB_BREAK_BASE64, err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 400);
	assert_int_equal(lab->final_who, LAB_PROXY);

	/* a nonce break under Basic is refused with a sentence */
	lab_defaults(lab);
	assert_false(lab_set_break(lab, LAB_BREAK_NONCE, err, sizeof(err)));
	assert_non_null(strstr(err, "Digest"));
}

/* ---- Digest ---- */

static void test_digest(void **state)
{
	struct lab *lab = *state;
	char err[256];

	lab_defaults(lab);
	assert_true(
	    lab_set_schemes(lab, LAB_PROXY, "digest", err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 200);
	assert_true(seen(lab, "Proxy-Authorization: Digest"));

	/* the previous credentials again: a replayed nonce count */
	assert_true(lab_set_break(lab, LAB_BREAK_NC, err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 407);

	/* stale: 407 stale=true, then a silent retry that gets through */
	assert_true(lab_set_break(lab, LAB_BREAK_STALE, err, sizeof(err)));
	run(lab, "/");
	assert_true(seen(lab, "stale=true"));
	assert_int_equal(lab->final_status, 200);

	/* a changed response hash: 407 */
	assert_true(lab_set_break(lab, LAB_BREAK_RESPONSE, err, sizeof(err)));
	run(lab, "/");
	assert_int_equal(lab->final_status, 407);
}

/* ---- Origin outcomes ---- */

static void test_origin_outcomes(void **state)
{
	struct lab *lab = *state;
	char err[256];

	/* /admin as bob: 403 from the origin */
	lab_defaults(lab);
	assert_true(
	    lab_set_user(lab, LAB_ORIGIN, "bob:builder", err, sizeof(err)));
	run(lab, "/admin");
	assert_int_equal(lab->final_status, 403);
	assert_int_equal(lab->final_who, LAB_ORIGIN);

	/* /admin as alice: 200 */
	lab_defaults(lab);
	run(lab, "/admin");
	assert_int_equal(lab->final_status, 200);

	/* no origin credentials: the origin's 401 with WWW-Authenticate */
	assert_true(lab_set_user(lab, LAB_ORIGIN, "none", err, sizeof(err)));
	run(lab, "/private");
	assert_int_equal(lab->final_status, 401);
	assert_true(head_has(lab_last_response(lab), "WWW-Authenticate:"));
}

/* ---- Break notes, whole ---- */

/* The message that carries a break note, or NULL. */
static const struct lab_msg *broken_msg(const struct lab *lab)
{
	size_t i;

	for (i = 0; i < lab->num_msgs; i++)
		if (lab->msgs[i].broken[0] != '\0')
			return &lab->msgs[i];
	return NULL;
}

struct note_case {
	const char *comment;
	const char *schemes; /* the proxy's, for this case */
	enum lab_break brk;
	const char *note; /* the whole sentence shown above the message */
};

/* Every note `break` prints, verbatim: none may be cut short (they once
 * were, at 80 bytes: "... which base64 does not hav"). */
static const struct note_case note_cases[] = {
    /* the longest Basic note */
    {"base64", "basic", LAB_BREAK_BASE64,
     "break base64: the token's first character became '.', which base64 "
     "does not have"},
    /* the longest Digest note, after a first exchange to replay */
    {"nc", "digest", LAB_BREAK_NC,
     "break nc: the previous Digest credentials sent again, same nonce and "
     "nc (a replay)"},
    /* the clock note names the jump */
    {"stale", "digest", LAB_BREAK_STALE,
     "break stale: the proxy's clock jumps 301 s ahead, past the nonce "
     "lifetime"},
    /* the realm note quotes the realm it replaced */
    {"realm", "digest", LAB_BREAK_REALM,
     "break realm: realm=\"lab407 proxy\" became \"not the lab\""},
    {"header", "basic", LAB_BREAK_HEADER,
     "break header: Proxy-Authorization renamed to Authorization"},
    {"password", "basic", LAB_BREAK_PASSWORD,
     "break proxy password: the client was given a wrong password "
     "(PASSWORD-wrong)"},
    {"user", "basic", LAB_BREAK_USER,
     "break proxy user: the client was given an unknown user (nobody)"},
};

/* `break PARTY WHAT` corrupts one party's credential and leaves the
 * other's as it was (one shared buffer once broke both). */
struct party_case {
	const char *comment;
	const char *proxy_schemes, *origin_schemes;
	int party; /* -1: plain `break WHAT` */
	enum lab_break brk;
	int status;	       /* the final status */
	enum lab_party who;    /* who answered it */
	const char *seen;      /* a message carries this */
	const char *untouched; /* ... and still this */
};

static const struct party_case party_cases[] = {
    /* bob:builder-wrong to the proxy; the origin's alice untouched */
    {"proxy password", "basic", "basic", LAB_PROXY, LAB_BREAK_PASSWORD, 407,
     LAB_PROXY, "Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw==", NULL},
    /* alice:wonderland-wrong in Authorization; the proxy's intact */
    {"origin password", "basic", "basic", LAB_ORIGIN, LAB_BREAK_PASSWORD, 401,
     LAB_ORIGIN, "Authorization: Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw==",
     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="},
    /* Bearer at the origin: a wrong token, the proxy's Basic intact */
    {"origin token", "basic", "bearer", LAB_ORIGIN, LAB_BREAK_PASSWORD, 401,
     LAB_ORIGIN, "Bearer alice-token-wrong",
     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="},
    /* Bearer at the origin, the proxy's password broken: no bad token */
    {"proxy password, origin Bearer", "basic", "bearer", LAB_PROXY,
     LAB_BREAK_PASSWORD, 407, LAB_PROXY,
     "Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw==", NULL},
    {"origin user", "basic", "basic", LAB_ORIGIN, LAB_BREAK_USER, 401,
     LAB_ORIGIN, "Authorization: Basic bm9ib2R5",
     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="},
    {"origin scheme", "basic", "basic", LAB_ORIGIN, LAB_BREAK_SCHEME, 401,
     LAB_ORIGIN, "Authorization: Basix",
     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="},
    /* Digest at the origin: its response hash only */
    {"origin response", "basic", "digest", LAB_ORIGIN, LAB_BREAK_RESPONSE, 401,
     LAB_ORIGIN, "Authorization: Digest",
     "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="},
    /* plain break, the proxy asks nothing: the origin's credential */
    {"default, no proxy scheme", "none", "basic", -1, LAB_BREAK_PASSWORD, 401,
     LAB_ORIGIN, "Authorization: Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw==", NULL},
};

static void test_break_one_party(void **state)
{
	struct lab *lab = *state;
	char err[256], replaced[LAB_MAX_BROKEN];
	size_t i;

	for (i = 0; i < sizeof(party_cases) / sizeof(party_cases[0]); i++) {
		const struct party_case *c = &party_cases[i];

		lab_defaults(lab);
		assert_true(lab_set_schemes(lab, LAB_PROXY, c->proxy_schemes,
					    err, sizeof(err)));
		assert_true(lab_set_schemes(lab, LAB_ORIGIN, c->origin_schemes,
					    err, sizeof(err)));
		if (!lab_set_break_for(lab, c->party, c->brk, replaced, err,
				       sizeof(err)))
			fail_msg("%s: %s", c->comment, err);
		assert_string_equal(replaced, "");
		run(lab, "/private");
		if (lab->final_status != c->status || lab->final_who != c->who)
			fail_msg("%s: %d from %s", c->comment,
				 lab->final_status,
				 lab_party_name(lab->final_who));
		if (!seen(lab, c->seen))
			fail_msg("%s: nothing carries '%s'", c->comment,
				 c->seen);
		if (c->untouched != NULL && !seen(lab, c->untouched))
			fail_msg("%s: '%s' was touched", c->comment,
				 c->untouched);
	}
	/* a second break replaces the first, and says so */
	lab_defaults(lab);
	assert_true(lab_set_break_for(lab, LAB_PROXY, LAB_BREAK_PASSWORD,
				      replaced, err, sizeof(err)));
	assert_true(lab_set_break_for(lab, LAB_ORIGIN, LAB_BREAK_USER, replaced,
				      err, sizeof(err)));
	assert_string_equal(replaced, "break proxy password");
	assert_int_equal(lab->brk, LAB_BREAK_USER);
	assert_int_equal(lab->brk_party, LAB_ORIGIN);
	/* breaks that cannot target the origin are refused with a sentence */
	assert_false(lab_set_break_for(lab, LAB_ORIGIN, LAB_BREAK_HEADER,
				       replaced, err, sizeof(err)));
	assert_non_null(strstr(err, "proxy"));
	assert_true(
	    lab_set_schemes(lab, LAB_ORIGIN, "digest", err, sizeof(err)));
	assert_false(lab_set_break_for(lab, LAB_ORIGIN, LAB_BREAK_STALE,
				       replaced, err, sizeof(err)));
	assert_true(lab_set_user(lab, LAB_ORIGIN, "none", err, sizeof(err)));
	assert_false(lab_set_break_for(lab, LAB_ORIGIN, LAB_BREAK_PASSWORD,
				       replaced, err, sizeof(err)));
}

static void test_break_notes_whole(void **state)
{
	struct lab *lab = *state;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(note_cases) / sizeof(note_cases[0]); i++) {
		const struct note_case *c = &note_cases[i];
		const struct lab_msg *m;

		lab_defaults(lab);
		assert_true(lab_set_schemes(lab, LAB_PROXY, c->schemes, err,
					    sizeof(err)));
		if (c->brk == LAB_BREAK_NC)
			run(lab, "/");
		if (!lab_set_break(lab, c->brk, err, sizeof(err)))
			fail_msg("%s: %s", c->comment, err);
		run(lab, "/");
		m = broken_msg(lab);
		if (m == NULL)
			fail_msg("%s: no message carries the note", c->comment);
		if (strcmp(m->broken, c->note) != 0)
			fail_msg("%s: note\n  '%s'\nwant\n  '%s'", c->comment,
				 m->broken, c->note);
	}
	/* the buffer has room for the longest with a realm quoted in it */
	assert_true(sizeof(lab->msgs[0].broken) >=
		    strlen(note_cases[1].note) + LAB_MAX_REALM_SHOWN);
}

/* ---- CONNECT ---- */

/* Start a CONNECT exchange and run it to its end. */
static void run_connect(struct lab *lab, const char *target)
{
	char err[256];
	int guard = 0;
	enum lab_step_rc rc;

	if (!lab_begin(lab, "CONNECT", target, NULL, err, sizeof(err)))
		fail_msg("lab_begin CONNECT %s: %s", target, err);
	while ((rc = lab_step(lab, err, sizeof(err))) == LAB_STEP_MOVED)
		assert_true(guard++ < LAB_MAX_MSGS);
	if (rc == LAB_STEP_ERROR)
		fail_msg("CONNECT %s: step failed: %s", target, err);
	assert_true(lab->done);
}

/* Lesson 07: the 407 comes before the tunnel, on the CONNECT itself; the
 * 200 ends the exchange, with the proxy blind from then on. */
static void test_connect_tunnel(void **state)
{
	struct lab *lab = *state;
	char want[64];
	const struct lab_msg *m;

	lab_defaults(lab);
	run_connect(lab, LAB_ORIGIN_ALIAS);
	/* four messages, client <-> proxy only */
	assert_int_equal(lab->num_msgs, 4);
	assert_int_equal(lab->msgs[0].leg, LAB_C2P);
	assert_int_equal(lab->msgs[1].leg, LAB_P2C);
	assert_int_equal(lab->msgs[2].leg, LAB_C2P);
	assert_int_equal(lab->msgs[3].leg, LAB_P2C);
	/* authority-form: the lab origin's host:port, nothing else */
	snprintf(want, sizeof(want), "CONNECT 127.0.0.1:%u HTTP/1.1",
		 lab->port[LAB_ORIGIN]);
	assert_string_equal(lab->msgs[0].line, want);
	assert_int_equal(lab->msgs[1].status, 407);
	assert_true(head_has(&lab->msgs[1], "Proxy-Authenticate: Basic"));
	assert_true(head_has(&lab->msgs[2], "Proxy-Authorization: Basic"));
	m = &lab->msgs[3];
	assert_string_equal(m->line, "HTTP/1.1 200 Connection established");
	assert_int_equal(m->answered_by, LAB_PROXY);
	assert_int_equal(lab->final_status, 200);
	assert_int_equal(lab->final_who, LAB_PROXY);
	/* it says plainly that the proxy sees nothing more */
	assert_non_null(strstr(m->why, "opaque bytes"));
	assert_non_null(strstr(m->why, "cannot see the request"));
	assert_string_equal(m->lesson, "07");
	/* nothing is waiting: the request inside the tunnel never goes */
	assert_false(lab->active);

	/* Digest works on a CONNECT too (its uri is the host:port) */
	{
		char err[256];
		assert_true(lab_set_schemes(lab, LAB_PROXY, "digest", err,
					    sizeof(err)));
		run_connect(lab, LAB_ORIGIN_ALIAS);
		assert_int_equal(lab->final_status, 200);
	}
}

/* The proxy's other answers to a CONNECT, and targets the REPL refuses. */
static void test_connect_refused(void **state)
{
	struct lab *lab = *state;
	char err[256];

	/* no proxy credentials: 407 and no tunnel */
	lab_defaults(lab);
	assert_true(lab_set_user(lab, LAB_PROXY, "none", err, sizeof(err)));
	run_connect(lab, LAB_ORIGIN_ALIAS);
	assert_int_equal(lab->final_status, 407);
	assert_int_equal(lab->final_who, LAB_PROXY);

	/* mallory: authenticated, refused by the ACL, 403 with no challenge */
	lab_defaults(lab);
	assert_true(
	    lab_set_user(lab, LAB_PROXY, "mallory:letmein", err, sizeof(err)));
	run_connect(lab, LAB_ORIGIN_ALIAS);
	assert_int_equal(lab->final_status, 403);
	assert_false(head_has(lab_last_response(lab), "Proxy-Authenticate:"));

	/* a tunnel anywhere but the lab's origin: the lab's own 403 (its
	 * policy, not a bad answer from an origin: not 502), no challenge */
	lab_defaults(lab);
	run_connect(lab, "127.0.0.1:443");
	assert_int_equal(lab->final_status, 403);
	assert_int_equal(lab->final_who, LAB_PROXY);
	assert_false(head_has(lab_last_response(lab), "Proxy-Authenticate:"));

	/* a URL with CONNECT is sent as written: the proxy's 400 */
	run_connect(lab, "http://127.0.0.1:443/");
	assert_int_equal(lab->final_status, 400);

	/* not host:port: refused before anything is sent */
	assert_false(
	    lab_begin(lab, "CONNECT", "nohost", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "host:port"));
	assert_false(lab_begin(lab, "CONNECT", "127.0.0.1:99999", NULL, err,
			       sizeof(err)));

	/* the next plain exchange is unaffected by the closed tunnel */
	lab_defaults(lab);
	run_connect(lab, LAB_ORIGIN_ALIAS);
	run(lab, "/");
	assert_int_equal(lab->final_status, 200);
	assert_int_equal(lab->final_who, LAB_ORIGIN);
}

/* ---- Deciding on the address (lesson 05) ---- */

/* Any message's why line contains s. */
static bool why_has(const struct lab *lab, const char *s)
{
	for (size_t i = 0; i < lab->num_msgs; i++)
		if (strstr(lab->msgs[i].why, s) != NULL)
			return true;
	return false;
}

/* The lab's proxy runs bin/proxy's address check: with "deny host
 * 127.0.0.1", other spellings of the origin's address are refused with
 * the ACL's 403 before anything reaches the origin; the same spellings
 * reach it under the default ACL; the proxy's own port is refused. */
static void test_address_spellings(void **state)
{
	static const char *const hosts[] = {"127.1", "2130706433", "0x7f.0.0.1",
					    "[::ffff:127.0.0.1]", "localhost"};
	const char *deny = "deny host 127.0.0.1\nallow all\n";
	struct lab *lab = *state;
	char err[256], url[128], target[128];
	size_t i, k;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		lab_defaults(lab);
		snprintf(url, sizeof(url), "http://%s:%u/", hosts[i],
			 lab->port[LAB_ORIGIN]);
		run(lab, url);
		if (lab->final_status != 200 || lab->final_who != LAB_ORIGIN)
			fail_msg("default ACL: %s got %d", url,
				 lab->final_status);

		assert_int_equal(acl_parse(deny, strlen(deny), "t.acl",
					   lab->acl, err, sizeof(err)),
				 HTTP_OK);
		run(lab, url);
		if (lab->final_status != 403 || lab->final_who != LAB_PROXY)
			fail_msg("deny host 127.0.0.1: %s got %d", url,
				 lab->final_status);
		for (k = 0; k < lab->num_msgs; k++)
			assert_true(lab->msgs[k].leg != LAB_P2O);
		assert_true(why_has(lab, "for address 127.0.0.1"));
		assert_false(
		    head_has(lab_last_response(lab), "Proxy-Authenticate:"));

		snprintf(target, sizeof(target), "%s:%u", hosts[i],
			 lab->port[LAB_ORIGIN]);
		run_connect(lab, target);
		if (lab->final_status != 403)
			fail_msg("deny host 127.0.0.1: CONNECT %s got %d",
				 target, lab->final_status);
		acl_default(lab->acl);
	}

	/* the lab proxy's own address, for GET and CONNECT */
	lab_defaults(lab);
	snprintf(url, sizeof(url), "http://127.1:%u/", lab->port[LAB_PROXY]);
	run(lab, url);
	assert_int_equal(lab->final_status, 403);
	assert_true(why_has(lab, "own listening address"));
	snprintf(target, sizeof(target), "127.0.0.1:%u", lab->port[LAB_PROXY]);
	run_connect(lab, target);
	assert_int_equal(lab->final_status, 403);
}

/* ---- Set-up errors ---- */

static void test_setup_errors(void **state)
{
	struct lab *lab = *state;
	char err[256];

	assert_false(
	    lab_set_schemes(lab, LAB_PROXY, "kerberos", err, sizeof(err)));
	assert_false(lab_set_user(lab, LAB_PROXY, "nocolon", err, sizeof(err)));
	assert_false(lab_set_proxy(lab, "nohostport", err, sizeof(err)));
	assert_int_equal(lab_break_from("stale"), LAB_BREAK_STALE);
	assert_int_equal(lab_break_from("everything"), LAB_BREAK_NONE);
	/* stepping with no exchange is idle, not an error */
	lab_clear(lab);
	assert_int_equal(lab_step(lab, err, sizeof(err)), LAB_STEP_IDLE);
}

/*
 * lab_view(): what the REPL's commands read is the lab's own state, at
 * each point of an exchange (a copy of a value, or a pointer into the
 * lab), for several states: no exchange, one waiting, a break armed, the
 * end of a tunnel, an external proxy set.
 */
static void assert_view(const struct lab *lab)
{
	struct lab_view v;

	lab_view(lab, &v);
	assert_int_equal(v.port[LAB_PROXY], lab->port[LAB_PROXY]);
	assert_int_equal(v.port[LAB_ORIGIN], lab->port[LAB_ORIGIN]);
	assert_ptr_equal(v.server, lab->server);
	assert_ptr_equal(v.creds, lab->creds);
	assert_int_equal(v.mystery, lab->mystery);
	assert_int_equal(v.external, lab->external);
	assert_string_equal(v.ext_host, lab->ext_host);
	assert_int_equal(v.ext_port, lab->ext_port);
	assert_string_equal(v.method, lab->method);
	assert_string_equal(v.url, lab->url);
	assert_int_equal(v.tunnel, lab->tunnel);
	assert_string_equal(v.client_url, lab->client_url);
	assert_ptr_equal(v.body, lab->body);
	assert_int_equal(v.active, lab->active);
	assert_int_equal(v.next, lab->next);
	assert_int_equal(v.done, lab->done);
	assert_int_equal(v.tunnel_up, lab->cm.tunnel_up);
	assert_int_equal(v.final_status, lab->final_status);
	assert_int_equal(v.final_who, lab->final_who);
	assert_string_equal(v.end_note, lab->end_note);
	assert_ptr_equal(v.msgs, lab->msgs);
	assert_int_equal(v.num_msgs, lab->num_msgs);
	assert_int_equal(v.brk, lab->brk);
	assert_int_equal(v.brk_party, lab->brk_party);
}

static void test_view(void **state)
{
	struct lab *lab = *state;
	char err[256];

	lab_defaults(lab);
	lab_clear(lab);
	assert_view(lab); /* no exchange */
	assert_true(
	    lab_begin(lab, "POST", "/private", "a=1", err, sizeof(err)));
	assert_view(lab); /* the first message waiting */
	assert_int_equal(lab_step(lab, err, sizeof(err)), LAB_STEP_MOVED);
	assert_view(lab); /* the 407 waiting on P2C */
	assert_true(lab_set_break(lab, LAB_BREAK_PASSWORD, err, sizeof(err)));
	assert_view(lab); /* a break armed */
	run(lab, "/admin");
	assert_view(lab); /* done: 200 from the origin */
	assert_true(lab_begin(lab, "CONNECT", LAB_ORIGIN_ALIAS, NULL, err,
			      sizeof(err)));
	for (int i = 0; i < LAB_MAX_MSGS &&
			lab_step(lab, err, sizeof(err)) == LAB_STEP_MOVED;
	     i++)
		;
	assert_true(lab->cm.tunnel_up);
	assert_view(lab); /* the end of a tunnel */
	assert_true(lab_set_proxy(lab, "127.0.0.1:9", err, sizeof(err)));
	assert_view(lab); /* an external proxy set (never contacted) */
	assert_true(lab_set_proxy(lab, "embedded", err, sizeof(err)));
	lab_defaults(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_ten_steps),
	    cmocka_unit_test(test_proxy_outcomes),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_origin_outcomes),
	    cmocka_unit_test(test_setup_errors),
	    cmocka_unit_test(test_break_notes_whole),
	    cmocka_unit_test(test_break_one_party),
	    cmocka_unit_test(test_connect_tunnel),
	    cmocka_unit_test(test_connect_refused),
	    cmocka_unit_test(test_address_spellings),
	    cmocka_unit_test(test_view),
	};
	return cmocka_run_group_tests_name("repl_lab", tests, setup, teardown);
}

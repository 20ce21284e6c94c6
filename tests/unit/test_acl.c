/*
 * tests/unit/test_acl.c - the proxy's ACL: parsing with line-numbered
 * errors, first-match-wins matching, default deny, the default lab ACL;
 * decisions on resolved addresses whatever the spelling, the CONNECT
 * ports and the proxy's own address.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <netdb.h>
#include <sys/socket.h>

#include "../../net/net.h"
#include "../../proxy/acl.h"

/* ---- parsing: good files ---- */

struct good_case {
	const char *comment;
	const char *text;
	size_t want_n;	   /* rules loaded */
	bool allow0;	   /* first rule allows */
	const char *user0; /* its user ("" = any) */
	bool any_user0;	   /* `user *` */
	const char *method0;
	const char *host0;
	unsigned port0;
	unsigned line0; /* its line number */
};

static const struct good_case good_cases[] = {
    /* the default lab written as a file */
    {"default lab as a file", "deny user mallory\nallow all\n", 2, false,
     "mallory", false, "", "", 0, 1},
    /* every condition at once, in any order */
    {"all conditions",
     "allow port 8080 host .example.org method GET user bob\n", 1, true, "bob",
     false, "GET", ".example.org", 8080, 1},
    /* `user *`: any authenticated user */
    {"any user", "allow user *\n", 1, true, "", true, "", "", 0, 1},
    /* comments, blank lines and CRLF; line numbers still count */
    {"comments and blanks",
     "# proxy acl\n\n  \t\r\ndeny method CONNECT # no tunnels\r\n", 1, false,
     "", false, "CONNECT", "", 0, 4},
    /* a last line without a newline still counts */
    {"no final newline", "allow all", 1, true, "", false, "", "", 0, 1},
    /* a comment glued to a word ends it */
    {"glued comment", "deny user eve#bad\n", 1, false, "eve", false, "", "", 0,
     1},
    /* an empty file is allowed: everything is then denied */
    {"empty file", "", 0, false, NULL, false, NULL, NULL, 0, 0},
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]);
	     i++) {
		const struct good_case *tc = &good_cases[i];
		struct acl *a = calloc(1, sizeof(*a));
		char err[256] = "untouched";
		enum http_err e;

		assert_non_null(a);
		e = acl_parse(tc->text, strlen(tc->text), "t.acl", a, err,
			      sizeof(err));
		if (e != HTTP_OK)
			fail_msg("%s: %s", tc->comment, err);
		assert_int_equal(a->n, tc->want_n);
		if (tc->want_n > 0) {
			assert_int_equal(a->v[0].allow, tc->allow0);
			assert_string_equal(a->v[0].user, tc->user0);
			assert_int_equal(a->v[0].any_user, tc->any_user0);
			assert_string_equal(a->v[0].method, tc->method0);
			assert_string_equal(a->v[0].host, tc->host0);
			assert_int_equal(a->v[0].port, tc->port0);
			assert_int_equal(a->v[0].line, tc->line0);
		}
		free(a);
	}
}

/* ---- parsing: bad lines, reported as FILE:LINE: reason ---- */

struct bad_case {
	const char *comment;
	const char *text;
	const char *want; /* exact prefix of the error, "t.acl:LINE: ..." */
};

static const struct bad_case bad_cases[] = {
    /* neither allow nor deny */
    {"unknown action", "permit all\n", "t.acl:1: a rule starts with"},
    /* an action with nothing to match */
    {"bare action", "allow all\ndeny\n", "t.acl:2: nothing to match"},
    /* a condition without its value */
    {"missing value", "# c\nallow user\n",
     "t.acl:2: a condition needs a value"},
    /* an unknown condition word */
    {"unknown condition", "allow group staff\n", "t.acl:1: unknown condition"},
    /* `all` mixed with conditions */
    {"all with more", "deny all user bob\n", "t.acl:1: `all` must be alone"},
    /* the same condition twice */
    {"user twice", "allow user a user b\n", "t.acl:1: `user` given twice"},
    {"user * then a user", "allow user * user b\n",
     "t.acl:1: `user` given twice"},
    {"method twice", "allow method GET method GET\n",
     "t.acl:1: `method` given twice"},
    {"host twice", "deny host a.test port 1 host 10.0.0.0/8\n",
     "t.acl:1: `host` given twice"},
    {"port twice", "allow port 443 user a port 443\n",
     "t.acl:1: `port` given twice"},
    /* `all` after a condition, and a value missing after a good pair */
    {"all after a condition", "allow user a all\n",
     "t.acl:1: `all` must be alone"},
    {"missing value after a pair", "allow user a method\n",
     "t.acl:1: a condition needs a value"},
    /* a bad first word is reported before anything after it */
    {"verb checked first", "Allow user a user b\n",
     "t.acl:1: a rule starts with"},
    /* ports out of range or not numbers */
    {"port zero", "allow port 0\n", "t.acl:1: bad port"},
    {"port too big", "allow port 65536\n", "t.acl:1: bad port"},
    {"port not a number", "allow port http\n", "t.acl:1: bad port"},
    /* a method that is not a token */
    {"bad method", "allow method G\"ET\n", "t.acl:1: bad method"},
    /* a host with characters no host has */
    {"bad host", "allow host exa/mple\n", "t.acl:1: bad host"},
    {"bad host name", "allow host exa%mple\n", "t.acl:1: bad host"},
    /* a method too long for the rule */
    {"method too long",
     "allow method "
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
     "\n",
     "t.acl:1: bad method"},
    /* a user name with a colon */
    {"bad user", "allow user a:b\n", "t.acl:1: bad user name"},
    /* a NUL byte inside a line */
    {"nul byte", "allow all\nallow\0 all\n", "t.acl:2: NUL byte"},
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *tc = &bad_cases[i];
		struct acl *a = calloc(1, sizeof(*a));
		char err[256] = "";
		size_t len = strlen(tc->text);
		enum http_err e;

		assert_non_null(a);
		/* the NUL case: count the bytes after the embedded NUL too */
		if (strcmp(tc->comment, "nul byte") == 0)
			len = sizeof("allow all\nallow\0 all\n") - 1;
		a->n = 99; /* must stay untouched on failure */
		e = acl_parse(tc->text, len, "t.acl", a, err, sizeof(err));
		assert_int_equal(e, HTTP_E_FILE_LINE);
		if (strncmp(err, tc->want, strlen(tc->want)) != 0)
			fail_msg("%s: got '%s', want '%s...'", tc->comment, err,
				 tc->want);
		assert_int_equal(a->n, 99);
		free(a);
	}
}

/* A line over ACL_MAX_LINE and more rules than ACL_MAX_RULES. */
static void test_parse_limits(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	char *text = malloc(ACL_MAX_LINE + 64);
	char err[256];
	size_t n = 0;
	struct {
		char *p;
		size_t len;
	} many;

	(void)state;
	assert_non_null(a);
	assert_non_null(text);
	/* one very long line */
	n = (size_t)snprintf(text, ACL_MAX_LINE + 64, "allow all\n");
	memset(text + n, 'x', ACL_MAX_LINE + 10);
	assert_int_equal(acl_parse(text, n + ACL_MAX_LINE + 10, "t.acl", a, err,
				   sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_true(strncmp(err, "t.acl:2: line too long", 22) == 0);

	/* ACL_MAX_RULES + 1 rules */
	many.len = (ACL_MAX_RULES + 1) * 10;
	many.p = malloc(many.len);
	assert_non_null(many.p);
	for (size_t i = 0; i < ACL_MAX_RULES + 1; i++)
		memcpy(many.p + i * 10, "allow all\n", 10);
	assert_int_equal(
	    acl_parse(many.p, many.len, "t.acl", a, err, sizeof(err)),
	    HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, "too many rules"));
	/* exactly ACL_MAX_RULES is fine */
	assert_int_equal(
	    acl_parse(many.p, many.len - 10, "t.acl", a, err, sizeof(err)),
	    HTTP_OK);
	assert_int_equal(a->n, ACL_MAX_RULES);
	free(many.p);
	free(text);
	free(a);
}

/* An unreadable file is HTTP_E_FILE_OPEN naming the file; a real one loads. */
static void test_load(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	char err[256] = "";
	char path[] = "/tmp/test_acl_XXXXXX";
	int fd;
	FILE *f;

	(void)state;
	assert_non_null(a);
	assert_int_equal(
	    acl_load("/nonexistent/dir/x.acl", a, err, sizeof(err)),
	    HTTP_E_FILE_OPEN);
	assert_non_null(strstr(err, "/nonexistent/dir/x.acl"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("allow user bob\nallow user alice method GET\nbogus\n", f);
	fclose(f);
	assert_int_equal(acl_load(path, a, err, sizeof(err)), HTTP_E_FILE_LINE);
	/* the message names the file and line 3 */
	{
		char want[64];
		snprintf(want, sizeof(want), "%s:3: ", path);
		assert_true(strncmp(err, want, strlen(want)) == 0);
	}
	unlink(path);
	free(a);
}

/* ---- helpers ---- */

/* A socket address for a numeric literal (no DNS: AI_NUMERICHOST). */
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

/* An ACL from text, or the test fails. */
static struct acl *acl_of(const char *text)
{
	struct acl *a = calloc(1, sizeof(*a));
	char err[256];

	assert_non_null(a);
	if (acl_parse(text, strlen(text), "t.acl", a, err, sizeof(err)) !=
	    HTTP_OK)
		fail_msg("%s", err);
	return a;
}

/* acl_check() of one request at one numeric address (NULL: before
 * resolving). */
static void check_at(const struct acl *a, const struct acl_policy *p,
		     const char *user, const char *method, const char *host,
		     unsigned port, const char *lit, struct acl_verdict *v)
{
	struct sockaddr_storage ss;
	struct acl_request r = {user, method, host, port, NULL, 0};

	if (lit != NULL) {
		sa_of(lit, &ss);
		r.addrs = &ss;
		r.naddrs = 1;
	}
	acl_check(a, p, &r, v);
}

/* ---- matching ---- */

struct match_case {
	const char *comment;
	const char *user, *method, *host;
	unsigned port;
	const char *addr;   /* the address host resolved to */
	bool want;	    /* allowed */
	unsigned want_line; /* line of the deciding rule; 0 = none matched */
};

static const char match_acl[] =
    "deny user mallory\n"		      /* 1 */
    "deny method CONNECT port 25\n"	      /* 2 */
    "allow user bob host .example.org\n"      /* 3 */
    "deny user bob\n"			      /* 4 */
    "allow user * method GET\n"		      /* 5 */
    "allow user - host 127.0.0.1 port 8080\n" /* 6 */
    "allow user alice\n";		      /* 7 */

static const struct match_case match_cases[] = {
    /* the first match wins: mallory is denied whatever she asks */
    {"mallory denied", "mallory", "GET", "127.0.0.1", 80, "127.0.0.1", false,
     1},
    /* method and port must both hold */
    {"connect to 25", "alice", "CONNECT", "mail.test", 25, "192.0.2.1", false,
     2},
    {"connect to 443 falls through", "alice", "CONNECT", "mail.test", 443,
     "192.0.2.1", true, 7},
    /* a leading dot matches the domain itself and subdomains ... */
    {"domain itself", "bob", "POST", "example.org", 80, "192.0.2.1", true, 3},
    {"subdomain", "bob", "POST", "www.EXAMPLE.org", 80, "192.0.2.1", true, 3},
    /* ... with or without the final dot of a fully qualified name */
    {"subdomain, final dot", "bob", "POST", "www.example.org.", 80, "192.0.2.1",
     true, 3},
    /* ... but not a name that only ends with the same letters */
    {"look-alike domain", "bob", "POST", "badexample.org", 80, "192.0.2.1",
     false, 4},
    /* user * is any authenticated user, not the anonymous "-" */
    {"any user GET", "carol", "GET", "h", 80, "192.0.2.1", true, 5},
    {"anonymous not any user", "-", "GET", "h", 80, "192.0.2.1", false, 0},
    /* the anonymous user "-" can be named; the host rule is an address */
    {"anonymous by name", "-", "POST", "127.0.0.1", 8080, "127.0.0.1", true, 6},
    {"anonymous, address by other name", "-", "POST", "localhost", 8080,
     "127.0.0.1", true, 6},
    {"anonymous other port", "-", "POST", "127.0.0.1", 8081, "127.0.0.1", false,
     0},
    /* method match is exact (methods are case-sensitive, RFC 9110 §9.1) */
    {"lowercase method", "carol", "get", "h", 80, "192.0.2.1", false, 0},
    /* nothing matches: default deny */
    {"default deny", "dave", "POST", "h", 80, "192.0.2.1", false, 0},
};

static void test_match(void **state)
{
	struct acl *a = acl_of(match_acl);
	struct acl_policy p;

	(void)state;
	acl_policy_default(&p);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]);
	     i++) {
		const struct match_case *tc = &match_cases[i];
		struct acl_verdict v;

		check_at(a, &p, tc->user, tc->method, tc->host, tc->port,
			 tc->addr, &v);
		if (v.allow != tc->want || !v.final)
			fail_msg("%s: allowed=%d final=%d", tc->comment,
				 v.allow, v.final);
		if ((v.rule ? v.rule->line : 0) != tc->want_line)
			fail_msg("%s: decided by line %u, want %u", tc->comment,
				 v.rule ? v.rule->line : 0, tc->want_line);
	}
	free(a);
}

/* The default lab ACL: mallory denied, alice, bob and "-" allowed. */
static void test_default(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	struct acl_verdict v;
	char text[256];

	(void)state;
	assert_non_null(a);
	acl_default(a);
	/* mallory: refused before anything is resolved */
	check_at(a, NULL, "mallory", "GET", "127.0.0.1", 8080, NULL, &v);
	assert_false(v.allow);
	assert_true(v.final);
	acl_describe(v.rule, text, sizeof(text));
	assert_string_equal(text, "deny user mallory (default lab ACL)");
	/* alice: allowed so far; the address has the last word */
	check_at(a, NULL, "alice", "GET", "127.0.0.1", 8080, NULL, &v);
	assert_true(v.allow);
	assert_false(v.final);
	check_at(a, NULL, "alice", "GET", "127.0.0.1", 8080, "127.0.0.1", &v);
	assert_true(v.allow);
	assert_true(v.final);
	acl_describe(v.rule, text, sizeof(text));
	assert_string_equal(text, "allow all (default lab ACL)");
	check_at(a, NULL, "-", "CONNECT", "127.0.0.1", 443, "127.0.0.1", &v);
	assert_true(v.allow);
	free(a);
}

/* Descriptions name the rule and its line; a tiny buffer is not overrun. */
static void test_describe(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	char err[128], text[128], tiny[8];
	const char *t = "\n\nallow user * method GET host h.test port 81\n"
			"deny host 0x7f.1\n"
			"deny host 10.0.0.0/8\n"
			"deny host [::FFFF:7f00:1]\n"
			"deny host Www.Example.ORG.\n";

	(void)state;
	assert_non_null(a);
	assert_int_equal(acl_parse(t, strlen(t), "d.acl", a, err, sizeof(err)),
			 HTTP_OK);
	acl_describe(&a->v[0], text, sizeof(text));
	assert_string_equal(
	    text, "allow user * method GET host h.test port 81 (line 3)");
	/* addresses are shown as the address they are, not as written */
	acl_describe(&a->v[1], text, sizeof(text));
	assert_string_equal(text, "deny host 127.0.0.1 (line 4)");
	acl_describe(&a->v[2], text, sizeof(text));
	assert_string_equal(text, "deny host 10.0.0.0/8 (line 5)");
	acl_describe(&a->v[3], text, sizeof(text));
	assert_string_equal(text, "deny host 127.0.0.1 (line 6)");
	/* names in lower case, without the final dot */
	acl_describe(&a->v[4], text, sizeof(text));
	assert_string_equal(text, "deny host www.example.org (line 7)");
	acl_describe(NULL, text, sizeof(text));
	assert_string_equal(text, "no rule matched (default deny)");
	memset(tiny, 'Z', sizeof(tiny));
	acl_describe(&a->v[0], tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	free(a);
}

/* ---- deciding on addresses (issue: spellings of 127.0.0.1) ---- */

/*
 * Request-side spellings.  Each goes through the real resolver
 * (net_resolve: getaddrinfo, which parses numeric forms itself and
 * reads /etc/hosts for localhost, no DNS for these) and then acl_check()
 * with "deny host 127.0.0.1 / allow all".  A string compare let every
 * one of these through; now each is refused, or does not resolve at all
 * (then bin/proxy answers 502 and connects nowhere).
 */
struct spelling_case {
	const char *host; /* as the client wrote it (no brackets) */
	bool may_fail;	  /* the resolver may not know it at all */
};

static const struct spelling_case spellings[] = {
    {"127.0.0.1", false},	 {"127.1", false}, /* a.b: b is 24 bits */
    {"127.0.1", false},				   /* a.b.c: c is 16 bits */
    {"2130706433", false},	 /* one 32-bit decimal number */
    {"0x7f000001", false},	 /* ... in hex */
    {"0x7f.0.0.1", false},	 /* a hex part */
    {"0177.0.0.1", false},	 /* an octal part */
    {"017700000001", false},	 /* one octal number */
    {"0x7F.1", false},		 /* hex, upper case, short form */
    {"::ffff:127.0.0.1", false}, /* IPv4-mapped IPv6, RFC 4291 §2.5.5.2 */
    {"::ffff:7f00:1", false},	 /* ... written in hex */
    {"::FFFF:7F00:0001", false}, /* ... upper case, leading zeros */
    {"localhost", false},	 /* /etc/hosts */
    {"LocalHost", false},	 /* names are case-insensitive */
    {"LOCALHOST.", true},	 /* fully qualified; files may not know it */
};

static void test_spellings(void **state)
{
	struct acl *a = acl_of("deny host 127.0.0.1\nallow all\n");
	struct acl_policy p;

	(void)state;
	acl_policy_default(&p);
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		const struct spelling_case *tc = &spellings[i];
		struct sockaddr_storage addrs[NET_MAX_RESOLVED];
		char err[300], text[512];
		enum net_fail why;
		size_t n = net_resolve(tc->host, 80, addrs, NET_MAX_RESOLVED,
				       &why, err, sizeof(err));
		struct acl_request r = {"alice", "GET", tc->host, 80, addrs, n};
		struct acl_verdict v;

		if (n == 0 && !tc->may_fail)
			fail_msg("%s: does not resolve: %s", tc->host, err);
		acl_check(a, &p, &r, &v);
		if (v.allow || !v.final)
			fail_msg("%s: allowed", tc->host);
		if (n == 0) {
			assert_int_equal(v.reason, ACL_NO_ADDRESS);
			continue;
		}
		/* refused by line 1, and the why names the address */
		assert_int_equal(v.reason, ACL_BY_RULE);
		assert_int_equal(v.rule->line, 1);
		acl_verdict_describe(&v, &p, &r, text, sizeof(text));
		if (strstr(text, "deny host 127.0.0.1 (line 1), for address "
				 "127.0.0.1") == NULL)
			fail_msg("%s: described as '%s'", tc->host, text);
	}
	free(a);
}

/*
 * Rule-side spellings: each rule is written another way; each must deny
 * 127.0.0.1 arriving as IPv4 and as IPv4-mapped IPv6, and leave
 * 192.0.2.1 alone.
 */
static const char *const rule_spellings[] = {
    "127.0.0.1",	"127.1",
    "127.0.1",		"2130706433",
    "0x7f000001",	"0x7f.0.0.1",
    "0177.0.0.1",	"017700000001",
    "::ffff:127.0.0.1", "[::ffff:7f00:1]",
    "::FFFF:7F00:1",	"127.0.0.0/8",
    "127.0.0.1/32",	"::ffff:127.0.0.0/104",
    "0.0.0.0/0",
};

static void test_rule_spellings(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(rule_spellings) / sizeof(rule_spellings[0]); i++) {
		char text[128];
		struct acl *a;
		struct acl_verdict v;
		const char *in[] = {"127.0.0.1", "::ffff:127.0.0.1"};

		snprintf(text, sizeof(text), "deny host %s\nallow all\n",
			 rule_spellings[i]);
		a = acl_of(text);
		assert_true(a->v[0].host_net);
		for (size_t k = 0; k < 2; k++) {
			check_at(a, NULL, "alice", "GET", "x.test", 80, in[k],
				 &v);
			if (v.allow)
				fail_msg("rule %s: %s allowed",
					 rule_spellings[i], in[k]);
			assert_int_equal(v.rule->line, 1);
		}
		check_at(a, NULL, "alice", "GET", "x.test", 80, "192.0.2.1",
			 &v);
		if (v.allow == (strcmp(rule_spellings[i], "0.0.0.0/0") == 0))
			fail_msg("rule %s: 192.0.2.1 decided wrongly",
				 rule_spellings[i]);
		free(a);
	}
}

/* Host names in rules: no case, no final dot, on either side. */
struct name_case {
	const char *rule, *host;
	bool match;
};

static const struct name_case name_cases[] = {
    {"example.org", "EXAMPLE.ORG", true},
    {"example.org", "example.org.", true},
    {"Example.ORG.", "example.org", true},
    {"EXAMPLE.org.", "Example.Org.", true},
    {".Example.Org.", "WWW.example.ORG.", true},
    {".example.org", "example.org.", true},
    {".example.org", "badexample.org", false},
    {"example.org", "www.example.org", false},
    {"example.org", "example.org..", false},
    {"localhost", "LOCALHOST.", true},
    /* a name rule sees the name, never an address written instead */
    {"localhost", "127.0.0.1", false},
};

static void test_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]);
	     i++) {
		const struct name_case *tc = &name_cases[i];
		char text[128];
		struct acl *a;
		struct acl_verdict v;

		snprintf(text, sizeof(text), "deny host %s\nallow all\n",
			 tc->rule);
		a = acl_of(text);
		assert_false(a->v[0].host_net);
		/* a name rule decides before anything is resolved */
		check_at(a, NULL, "alice", "GET", tc->host, 80, NULL, &v);
		if (tc->match != (!v.allow && v.final))
			fail_msg("rule %s, host %s: match=%d", tc->rule,
				 tc->host, !tc->match);
		free(a);
	}
}

/* Every resolved address is checked; one refused refuses the request. */
static void test_every_address(void **state)
{
	struct acl *a = acl_of("deny host 127.0.0.0/8\nallow all\n");
	struct sockaddr_storage ss[3];
	struct acl_request r = {"alice", "GET", "rebind.test", 80, ss, 3};
	struct acl_verdict v;
	char text[512];

	(void)state;
	sa_of("192.0.2.1", &ss[0]);
	sa_of("2001:db8::1", &ss[1]);
	sa_of("::ffff:127.0.0.9", &ss[2]);
	acl_check(a, NULL, &r, &v);
	assert_false(v.allow);
	assert_int_equal(v.addr, 2);
	acl_verdict_describe(&v, NULL, &r, text, sizeof(text));
	assert_non_null(strstr(text, "for address 127.0.0.9"));
	/* the same name with only outside addresses goes */
	r.naddrs = 2;
	acl_check(a, NULL, &r, &v);
	assert_true(v.allow);
	assert_int_equal(v.addr, ACL_NO_ADDR);
	/* nothing resolved: nothing to connect to, refused */
	r.naddrs = 0;
	acl_check(a, NULL, &r, &v);
	assert_false(v.allow);
	assert_int_equal(v.reason, ACL_NO_ADDRESS);
	free(a);
}

/* Before resolving, a rule on addresses leaves the decision open. */
static void test_three_valued(void **state)
{
	struct acl *a = acl_of("allow host 10.0.0.0/8\n"
			       "deny user mallory\n"
			       "allow all\n");
	struct acl_verdict v;

	(void)state;
	check_at(a, NULL, "mallory", "GET", "h.test", 80, NULL, &v);
	assert_true(v.allow);
	assert_false(v.final);
	assert_int_equal(v.reason, ACL_NEEDS_ADDRESS);
	check_at(a, NULL, "mallory", "GET", "h.test", 80, "10.1.2.3", &v);
	assert_true(v.allow);
	assert_int_equal(v.rule->line, 1);
	check_at(a, NULL, "mallory", "GET", "h.test", 80, "192.0.2.1", &v);
	assert_false(v.allow);
	assert_int_equal(v.rule->line, 2);
	free(a);
}

/* 0.0.0.0/8 and :: reach this host: refused whatever the rules say. */
static void test_unspecified(void **state)
{
	static const char *const lits[] = {"0.0.0.0", "0.1.2.3",
					   "::", "::ffff:0.0.0.0"};
	struct acl *a = acl_of("allow all\n");

	(void)state;
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		struct acl_verdict v;

		check_at(a, NULL, "alice", "GET", lits[i], 80, lits[i], &v);
		if (v.allow || v.reason != ACL_NOT_DESTINATION)
			fail_msg("%s: not refused as a non-destination",
				 lits[i]);
	}
	free(a);
}

/* ---- policy: CONNECT ports and the proxy's own address ---- */

struct connect_case {
	const char *comment;
	const char *acl;   /* NULL: no ACL at all */
	const char *ports; /* --connect-ports, NULL: default */
	unsigned port;
	bool want;
	enum acl_reason reason;
};

static const struct connect_case connect_cases[] = {
    {"443 by default", "allow all\n", NULL, 443, true, ACL_BY_RULE},
    {"8443 not by default", "allow all\n", NULL, 8443, false, ACL_CONNECT_PORT},
    {"25 not by default", "allow user *\n", NULL, 25, false, ACL_CONNECT_PORT},
    {"no ACL: still only 443", NULL, NULL, 8080, false, ACL_CONNECT_PORT},
    {"no ACL: 443", NULL, NULL, 443, true, ACL_NO_RULES},
    /* a rule naming the port opens it */
    {"rule names the port", "allow method CONNECT port 8443\nallow all\n", NULL,
     8443, true, ACL_BY_RULE},
    {"port rule without method", "allow port 8443\n", NULL, 8443, true,
     ACL_BY_RULE},
    {"rule for another port", "allow method CONNECT port 8443\nallow all\n",
     NULL, 8444, false, ACL_CONNECT_PORT},
    /* method CONNECT alone does not name a port */
    {"method alone", "allow method CONNECT\n", NULL, 8443, false,
     ACL_CONNECT_PORT},
    /* a deny rule naming the port still denies */
    {"deny names the port", "deny port 443\nallow all\n", NULL, 443, false,
     ACL_BY_RULE},
    /* --connect-ports */
    {"listed port", "allow all\n", "443,8080", 8080, true, ACL_BY_RULE},
    {"in a range", "allow all\n", "443,9000-9100", 9050, true, ACL_BY_RULE},
    {"past a range", "allow all\n", "443,9000-9100", 9101, false,
     ACL_CONNECT_PORT},
    {"443 left out", "allow all\n", "8443", 443, false, ACL_CONNECT_PORT},
};

static void test_connect_ports(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(connect_cases) / sizeof(connect_cases[0]);
	     i++) {
		const struct connect_case *tc = &connect_cases[i];
		struct acl *a = tc->acl ? acl_of(tc->acl) : NULL;
		struct acl_policy p;
		struct acl_verdict v;
		char err[128];

		acl_policy_default(&p);
		if (tc->ports != NULL)
			assert_int_equal(
			    acl_policy_ports(&p, tc->ports, err, sizeof(err)),
			    HTTP_OK);
		check_at(a, &p, "alice", "CONNECT", "h.test", tc->port,
			 "192.0.2.1", &v);
		if (v.allow != tc->want || v.reason != tc->reason)
			fail_msg("%s: allow=%d reason=%d", tc->comment, v.allow,
				 v.reason);
		/* the same port by GET is not a tunnel: no port policy */
		check_at(a, &p, "alice", "GET", "h.test", tc->port, "192.0.2.1",
			 &v);
		if (v.reason == ACL_CONNECT_PORT)
			fail_msg("%s: GET refused by the CONNECT ports",
				 tc->comment);
		/* before resolving the port policy already refuses */
		check_at(a, &p, "alice", "CONNECT", "h.test", tc->port, NULL,
			 &v);
		if (!tc->want && tc->reason == ACL_CONNECT_PORT &&
		    (v.allow || !v.final))
			fail_msg("%s: not refused before resolving",
				 tc->comment);
		free(a);
	}
}

/* The refusal says how to open the port. */
static void test_connect_describe(void **state)
{
	struct acl *a = acl_of("allow all\n");
	struct sockaddr_storage ss;
	struct acl_request r = {"alice", "CONNECT", "h.test", 8443, &ss, 1};
	struct acl_verdict v;
	char text[512];

	(void)state;
	sa_of("192.0.2.1", &ss);
	acl_check(a, NULL, &r, &v);
	acl_verdict_describe(&v, NULL, &r, text, sizeof(text));
	assert_non_null(strstr(text, "ports 443"));
	assert_non_null(strstr(text, "allow method CONNECT port 8443"));
	free(a);
}

/* --connect-ports lists: good ones and clear errors. */
struct ports_case {
	const char *list;
	bool ok;
	const char *text; /* written back, when ok */
};

static const struct ports_case ports_cases[] = {
    {"443", true, "443"},
    {"443,8443", true, "443,8443"},
    {"1-65535", true, "1-65535"},
    {"443,9000-9100,8080", true, "443,9000-9100,8080"},
    {"", false, NULL},
    {"0", false, NULL},
    {"65536", false, NULL},
    {"443,", false, NULL},
    {",443", false, NULL},
    {"443,,8443", false, NULL},
    {"9100-9000", false, NULL},
    {"https", false, NULL},
    {"443 ", false, NULL},
    {"-443", false, NULL},
    {"1-2-3", false, NULL},
};

static void test_ports_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ports_cases) / sizeof(ports_cases[0]);
	     i++) {
		const struct ports_case *tc = &ports_cases[i];
		struct acl_policy p;
		char err[256] = "", text[256];
		enum http_err e;

		acl_policy_default(&p);
		e = acl_policy_ports(&p, tc->list, err, sizeof(err));
		if ((e == HTTP_OK) != tc->ok)
			fail_msg("'%s': ok=%d (%s)", tc->list, !tc->ok, err);
		if (!tc->ok) {
			/* a reason, and the old list kept */
			assert_true(err[0] != '\0');
			acl_policy_ports_text(&p, text, sizeof(text));
			assert_string_equal(text, "443");
			continue;
		}
		acl_policy_ports_text(&p, text, sizeof(text));
		assert_string_equal(text, tc->text);
	}
	{
		/* more entries than fit */
		struct acl_policy p;
		char list[ACL_MAX_CONNECT_PORTS * 8 + 8] = "", err[256];
		size_t used = 0;

		for (int k = 0; k <= ACL_MAX_CONNECT_PORTS; k++)
			used +=
			    (size_t)snprintf(list + used, sizeof(list) - used,
					     "%s%d", k ? "," : "", 1000 + k);
		acl_policy_default(&p);
		assert_int_equal(acl_policy_ports(&p, list, err, sizeof(err)),
				 HTTP_E_SYNTAX);
	}
}

/* Never the proxy's own listening address, whatever the ACL says. */
struct self_case {
	const char *addr;
	unsigned port;
	const char *method;
	bool self;
};

static const struct self_case self_cases[] = {
    {"127.0.0.1", 3128, "CONNECT", true},
    {"127.0.0.1", 3128, "GET", true},
    {"::ffff:127.0.0.1", 3128, "CONNECT", true},
    /* the wildcard listener's 127.0.0.0/8 and interface addresses */
    {"127.0.0.5", 3128, "CONNECT", true},
    {"192.0.2.7", 3128, "CONNECT", true},
    {"::1", 3128, "CONNECT", true},
    /* another port on the same host is not the proxy */
    {"127.0.0.1", 3129, "GET", false},
    /* another host on the proxy's port is not the proxy */
    {"192.0.2.8", 3128, "GET", false},
};

static void test_self(void **state)
{
	struct acl *a = acl_of("allow port 3128\nallow all\n");
	struct acl_policy p;
	struct acl_net n;

	(void)state;
	acl_policy_default(&p);
	p.self_port = 3128;
	assert_true(acl_net_parse("127.0.0.0/8", &n));
	assert_true(acl_policy_add_self(&p, &n));
	assert_true(acl_net_parse("192.0.2.7", &n));
	assert_true(acl_policy_add_self(&p, &n));
	assert_true(acl_net_parse("::1", &n));
	assert_true(acl_policy_add_self(&p, &n));
	for (size_t i = 0; i < sizeof(self_cases) / sizeof(self_cases[0]);
	     i++) {
		const struct self_case *tc = &self_cases[i];
		struct acl_verdict v;

		check_at(a, &p, "alice", tc->method, "h.test", tc->port,
			 tc->addr, &v);
		if ((v.reason == ACL_SELF) != tc->self || v.allow == tc->self)
			fail_msg("%s %s:%u: self=%d allow=%d", tc->method,
				 tc->addr, tc->port, v.reason == ACL_SELF,
				 v.allow);
	}
	/* the table fills up and says so */
	for (size_t i = p.n_self; i < ACL_MAX_SELF; i++)
		assert_true(acl_policy_add_self(&p, &n));
	assert_false(acl_policy_add_self(&p, &n));
	free(a);
}

/* Address and block literals (rule side). */
struct net_case {
	const char *text;
	bool ok;
	const char *addr; /* formatted, when ok */
	unsigned bits;
};

static const struct net_case net_cases[] = {
    {"10.0.0.0/8", true, "10.0.0.0", 8},
    {"10.0.0.1/8", false, NULL, 0}, /* bits past the prefix */
    {"10.0.0.0/33", false, NULL, 0},
    {"10.0.0.0/", false, NULL, 0},
    {"10.0.0.0/x", false, NULL, 0},
    {"0.0.0.0/0", true, "0.0.0.0", 0},
    {"fd00::/8", true, "fd00::", 8},
    {"fd00::/129", false, NULL, 0},
    {"[::1]", true, "::1", 128},
    {"[::1", false, NULL, 0},
    {"::ffff:10.0.0.0/104", true, "10.0.0.0", 8},
    {"::ffff:10.0.0.0/95", false, NULL, 0},
    {"256.0.0.1", false, NULL, 0},
    {"1.2.3.4.5", false, NULL, 0},
    {"example.org", false, NULL, 0},
    {"fe80::1%eth0", false, NULL, 0},
    {"0x7f.1", true, "127.0.0.1", 32},
};

static void test_net_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(net_cases) / sizeof(net_cases[0]); i++) {
		const struct net_case *tc = &net_cases[i];
		struct acl_net n;
		char text[ACL_MAX_ADDR_TEXT];

		if (acl_net_parse(tc->text, &n) != tc->ok)
			fail_msg("%s: ok=%d", tc->text, !tc->ok);
		if (!tc->ok)
			continue;
		acl_addr_format(&n.addr, text, sizeof(text));
		assert_string_equal(text, tc->addr);
		assert_int_equal(n.bits, tc->bits);
	}
}

/* Bad host values in a file are errors, not names that never match. */
static void test_bad_hosts(void **state)
{
	static const char *const bad[] = {
	    "allow host 10.0.0.1/8\n",
	    "allow host 10.0.0.0/99\n",
	    "allow host fe80::1%eth0\n",
	    "allow host a:b\n",
	    "allow host .\n",
	    "allow host ..\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct acl *a = calloc(1, sizeof(*a));
		char err[256];

		assert_non_null(a);
		if (acl_parse(bad[i], strlen(bad[i]), "t.acl", a, err,
			      sizeof(err)) != HTTP_E_FILE_LINE)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strncmp(err, "t.acl:1: bad host", 17) == 0);
		free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_default),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_spellings),
	    cmocka_unit_test(test_rule_spellings),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_every_address),
	    cmocka_unit_test(test_three_valued),
	    cmocka_unit_test(test_unspecified),
	    cmocka_unit_test(test_connect_ports),
	    cmocka_unit_test(test_connect_describe),
	    cmocka_unit_test(test_ports_parse),
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_net_parse),
	    cmocka_unit_test(test_bad_hosts),
	};

	return cmocka_run_group_tests_name("acl", tests, NULL, NULL);
}

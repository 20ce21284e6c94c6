/*
 * tests/unit/test_acl.c - the proxy's ACL: parsing with line-numbered
 * errors, first-match-wins matching, default deny, the default lab ACL.
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

#include "../../proxy/acl.h"

/* ---- parsing: good files ---- */

struct good_case {
	const char *comment;
	const char *text;
	size_t want_n;      /* rules loaded */
	bool allow0;        /* first rule allows */
	const char *user0;  /* its user ("" = any) */
	bool any_user0;     /* `user *` */
	const char *method0;
	const char *host0;
	unsigned port0;
	unsigned line0;     /* its line number */
};

static const struct good_case good_cases[] = {
	/* the default lab written as a file */
	{"default lab as a file", "deny user mallory\nallow all\n", 2, false,
	 "mallory", false, "", "", 0, 1},
	/* every condition at once, in any order */
	{"all conditions", "allow port 8080 host .example.org method GET user bob\n",
	 1, true, "bob", false, "GET", ".example.org", 8080, 1},
	/* `user *`: any authenticated user */
	{"any user", "allow user *\n", 1, true, "", true, "", "", 0, 1},
	/* comments, blank lines and CRLF; line numbers still count */
	{"comments and blanks", "# proxy acl\n\n  \t\r\ndeny method CONNECT # no tunnels\r\n",
	 1, false, "", false, "CONNECT", "", 0, 4},
	/* a last line without a newline still counts */
	{"no final newline", "allow all", 1, true, "", false, "", "", 0, 1},
	/* a comment glued to a word ends it */
	{"glued comment", "deny user eve#bad\n", 1, false, "eve", false, "",
	 "", 0, 1},
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
	const char *want;   /* exact prefix of the error, "t.acl:LINE: ..." */
};

static const struct bad_case bad_cases[] = {
	/* neither allow nor deny */
	{"unknown action", "permit all\n", "t.acl:1: a rule starts with"},
	/* an action with nothing to match */
	{"bare action", "allow all\ndeny\n", "t.acl:2: nothing to match"},
	/* a condition without its value */
	{"missing value", "# c\nallow user\n", "t.acl:2: a condition needs a value"},
	/* an unknown condition word */
	{"unknown condition", "allow group staff\n", "t.acl:1: unknown condition"},
	/* `all` mixed with conditions */
	{"all with more", "deny all user bob\n", "t.acl:1: `all` must be alone"},
	/* the same condition twice */
	{"user twice", "allow user a user b\n", "t.acl:1: `user` given twice"},
	/* ports out of range or not numbers */
	{"port zero", "allow port 0\n", "t.acl:1: bad port"},
	{"port too big", "allow port 65536\n", "t.acl:1: bad port"},
	{"port not a number", "allow port http\n", "t.acl:1: bad port"},
	/* a method that is not a token */
	{"bad method", "allow method G\"ET\n", "t.acl:1: bad method"},
	/* a host with characters no host has */
	{"bad host", "allow host exa/mple\n", "t.acl:1: bad host"},
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
			fail_msg("%s: got '%s', want '%s...'", tc->comment,
				 err, tc->want);
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
	assert_int_equal(acl_parse(many.p, many.len, "t.acl", a, err,
				   sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, "too many rules"));
	/* exactly ACL_MAX_RULES is fine */
	assert_int_equal(acl_parse(many.p, many.len - 10, "t.acl", a, err,
				   sizeof(err)),
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
	assert_int_equal(acl_load("/nonexistent/dir/x.acl", a, err, sizeof(err)),
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

/* ---- matching ---- */

struct match_case {
	const char *comment;
	const char *user, *method, *host;
	unsigned port;
	bool want;          /* allowed */
	unsigned want_line; /* line of the deciding rule; 0 = none matched */
};

static const char match_acl[] =
	"deny user mallory\n"                        /* 1 */
	"deny method CONNECT port 25\n"              /* 2 */
	"allow user bob host .example.org\n"         /* 3 */
	"deny user bob\n"                            /* 4 */
	"allow user * method GET\n"                  /* 5 */
	"allow user - host 127.0.0.1 port 8080\n"    /* 6 */
	"allow user alice\n";                        /* 7 */

static const struct match_case match_cases[] = {
	/* the first match wins: mallory is denied whatever she asks */
	{"mallory denied", "mallory", "GET", "127.0.0.1", 80, false, 1},
	/* method and port must both hold */
	{"connect to 25", "alice", "CONNECT", "mail.test", 25, false, 2},
	{"connect to 443 falls through", "alice", "CONNECT", "mail.test", 443, true, 7},
	/* a leading dot matches the domain itself and subdomains ... */
	{"domain itself", "bob", "POST", "example.org", 80, true, 3},
	{"subdomain", "bob", "POST", "www.EXAMPLE.org", 80, true, 3},
	/* ... but not a name that only ends with the same letters */
	{"look-alike domain", "bob", "POST", "badexample.org", 80, false, 4},
	/* user * is any authenticated user, not the anonymous "-" */
	{"any user GET", "carol", "GET", "h", 80, true, 5},
	{"anonymous not any user", "-", "GET", "h", 80, false, 0},
	/* the anonymous user "-" can be named */
	{"anonymous by name", "-", "POST", "127.0.0.1", 8080, true, 6},
	{"anonymous other port", "-", "POST", "127.0.0.1", 8081, false, 0},
	/* method match is exact (methods are case-sensitive, RFC 9110 §9.1) */
	{"lowercase method", "carol", "get", "h", 80, false, 0},
	/* nothing matches: default deny */
	{"default deny", "dave", "POST", "h", 80, false, 0},
};

static void test_match(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	char err[256];

	(void)state;
	assert_non_null(a);
	assert_int_equal(acl_parse(match_acl, strlen(match_acl), "m.acl", a,
				   err, sizeof(err)),
			 HTTP_OK);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]);
	     i++) {
		const struct match_case *tc = &match_cases[i];
		struct acl_request r = {tc->user, tc->method, tc->host,
					tc->port};
		const struct acl_rule *rule = acl_match(a, &r);

		if (acl_allows(a, &r) != tc->want)
			fail_msg("%s: allowed=%d", tc->comment, !tc->want);
		if ((rule ? rule->line : 0) != tc->want_line)
			fail_msg("%s: decided by line %u, want %u",
				 tc->comment, rule ? rule->line : 0,
				 tc->want_line);
	}
	free(a);
}

/* The default lab ACL: mallory denied, alice, bob and "-" allowed. */
static void test_default(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	struct acl_request r = {"mallory", "GET", "127.0.0.1", 8080};
	char text[128];

	(void)state;
	assert_non_null(a);
	acl_default(a);
	assert_false(acl_allows(a, &r));
	acl_describe(acl_match(a, &r), text, sizeof(text));
	assert_string_equal(text, "deny user mallory (default lab ACL)");
	r.user = "alice";
	assert_true(acl_allows(a, &r));
	acl_describe(acl_match(a, &r), text, sizeof(text));
	assert_string_equal(text, "allow all (default lab ACL)");
	r.user = "-";
	r.method = "CONNECT";
	assert_true(acl_allows(a, &r));
	free(a);
}

/* Descriptions name the rule and its line; a tiny buffer is not overrun. */
static void test_describe(void **state)
{
	struct acl *a = calloc(1, sizeof(*a));
	char err[128], text[128], tiny[8];
	const char *t = "\n\nallow user * method GET host h.test port 81\n";

	(void)state;
	assert_non_null(a);
	assert_int_equal(acl_parse(t, strlen(t), "d.acl", a, err, sizeof(err)),
			 HTTP_OK);
	acl_describe(&a->v[0], text, sizeof(text));
	assert_string_equal(text,
			    "allow user * method GET host h.test port 81 (line 3)");
	acl_describe(NULL, text, sizeof(text));
	assert_string_equal(text, "no rule matched (default deny)");
	memset(tiny, 'Z', sizeof(tiny));
	acl_describe(&a->v[0], tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	free(a);
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
	};

	return cmocka_run_group_tests_name("acl", tests, NULL, NULL);
}

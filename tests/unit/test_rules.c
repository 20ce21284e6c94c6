/*
 * tests/unit/test_rules.c - the origin's rules: parsing with line-numbered
 * errors, longest-prefix matching, who may read what.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../origin/rules.h"

/* ---- parsing: good files ---- */

struct good_case {
	const char *comment;
	const char *text;
	size_t want_n;	   /* rules loaded */
	const char *path0; /* first rule's path */
	enum rules_access access0;
	size_t names0;	/* its number of names */
	unsigned line0; /* its line number */
};

static const struct good_case good_cases[] = {
    /* the default lab written as a file */
    {"default lab as a file", "/ public\n/private any\n/admin user alice\n", 3,
     "/", RULES_PUBLIC, 0, 1},
    /* comments and blank lines are skipped, line numbers still count */
    {"comments and blanks",
     "# lab rules\n\n   \n/admin user alice,bob # two admins\n", 1, "/admin",
     RULES_USERS, 2, 4},
    /* tabs separate words too; CRLF line ends are accepted */
    {"tabs and crlf", "/x\tany\r\n/y\t\tpublic\r\n", 2, "/x", RULES_ANY, 0, 1},
    /* a last line without a newline still counts */
    {"no final newline", "/a public", 1, "/a", RULES_PUBLIC, 0, 1},
    /* an empty file is allowed: every path is then 404 */
    {"empty file", "", 0, NULL, RULES_PUBLIC, 0, 0},
    /* only comments */
    {"only comments", "# nothing\n#\n", 0, NULL, RULES_PUBLIC, 0, 0},
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]);
	     i++) {
		const struct good_case *tc = &good_cases[i];
		struct rules *r = calloc(1, sizeof(*r));
		char err[256] = "untouched";

		print_message("case: %s\n", tc->comment);
		assert_non_null(r);
		assert_int_equal(rules_parse(tc->text, strlen(tc->text),
					     "lab.rules", r, err, sizeof(err)),
				 HTTP_OK);
		assert_int_equal(r->n, tc->want_n);
		if (tc->path0 != NULL) {
			assert_string_equal(r->v[0].path, tc->path0);
			assert_int_equal(r->v[0].access, tc->access0);
			assert_int_equal(r->v[0].num_names, tc->names0);
			assert_int_equal(r->v[0].line, tc->line0);
		}
		free(r);
	}
}

/* The names of a `user` rule, in order. */
static void test_parse_names(void **state)
{
	const char *text = "/team user alice,bob,carol\n";
	struct rules *r = calloc(1, sizeof(*r));
	char err[256];

	(void)state;
	assert_non_null(r);
	assert_int_equal(
	    rules_parse(text, strlen(text), "f", r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r->v[0].num_names, 3);
	assert_string_equal(r->v[0].names[0], "alice");
	assert_string_equal(r->v[0].names[1], "bob");
	assert_string_equal(r->v[0].names[2], "carol");
	free(r);
}

/* ---- parsing: bad lines, named with file and line ---- */

struct bad_case {
	const char *comment;
	const char *text;
	const char *want; /* the whole error message */
};

#define NF                                                                     \
	"lab.rules:1: the path is not in normal form (no '//', '.' or '..' "   \
	"segments, no encoded letter, digit or -._~, upper-case hex: "         \
	"docs/rules.md)"
#define REFUSED                                                                \
	"lab.rules:1: the origin refuses this path with 400 (%2F, %00, '\\', " \
	"';', a bad '%' or '..' above /: docs/rules.md)"

static const struct bad_case bad_cases[] = {
    /* a path must start with '/' */
    {"relative path", "admin user alice\n",
     "lab.rules:1: the path must start with '/'"},
    /* access word missing; the line number counts comments and blanks */
    {"missing access", "# c\n\n/x\n",
     "lab.rules:3: missing access after the path (public, any or user "
     "NAME[,NAME..])"},
    /* access words are exact and lowercase */
    {"unknown access", "/x Public\n",
     "lab.rules:1: unknown access (want public, any or user "
     "NAME[,NAME..])"},
    /* `user` without names */
    {"user without names", "/ public\n/x user\n",
     "lab.rules:2: 'user' needs at least one name"},
    /* an empty name between commas */
    {"empty name", "/x user alice,,bob\n",
     "lab.rules:1: empty name in the user list"},
    /* a trailing comma is an empty name too */
    {"trailing comma", "/x user alice,\n",
     "lab.rules:1: empty name in the user list"},
    /* names may not contain a colon (RFC 7617 user-id) */
    {"colon in name", "/x user al:ice\n",
     "lab.rules:1: a name may not contain ':' or control characters"},
    /* words after a complete rule */
    {"trailing words", "/x public please\n",
     "lab.rules:1: unexpected words at the end of the line"},
    /* names separated by spaces instead of commas */
    {"names with spaces", "/x user alice bob\n",
     "lab.rules:1: unexpected words at the end of the line"},
    /* the query is not part of a path */
    {"query in path", "/x?y=1 public\n",
     "lab.rules:1: the path may not contain '?' or control characters"},
    /* a trailing slash would make a rule that covers nothing below it */
    {"trailing slash", "/docs/ any\n",
     "lab.rules:1: only / may end with '/' (write /docs to cover /docs "
     "and everything below it)"},
    /* requests are matched in normal form: a rule in another form
     * could never match (docs/rules.md) */
    {"empty segment", "/a//b any\n", NF},
    {"dot segment", "/a/./b any\n", NF},
    {"dot-dot segment", "/private/../admin any\n", NF},
    {"encoded letter", "/%61dmin any\n", NF},
    {"lower-case hex", "/a%3fb any\n", NF},
    {"encoded dot", "/a/%2e any\n", NF},
    /* paths a request could never reach: 400 at the origin */
    {"encoded slash", "/a%2Fb any\n", REFUSED},
    {"encoded NUL", "/a%00 any\n", REFUSED},
    {"backslash", "/a\\b any\n", REFUSED},
    {"semicolon", "/a;b any\n", REFUSED},
    {"above the root", "/../a any\n", REFUSED},
    {"bad percent", "/a%zz any\n", REFUSED},
    /* two rules for one path: which one would win? */
    {"duplicate path", "/x public\n/y any\n/x any\n",
     "lab.rules:3: a second rule for the same path"},
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *tc = &bad_cases[i];
		struct rules *r = calloc(1, sizeof(*r));
		char err[256] = "";

		print_message("case: %s\n", tc->comment);
		assert_non_null(r);
		assert_int_equal(rules_parse(tc->text, strlen(tc->text),
					     "lab.rules", r, err, sizeof(err)),
				 HTTP_E_FILE_LINE);
		assert_string_equal(err, tc->want);
		/* nothing half-loaded */
		assert_int_equal(r->n, 0);
		free(r);
	}
}

/* Limits: too many rules, too many names, an over-long line. */
static void test_parse_limits(void **state)
{
	struct rules *r = calloc(1, sizeof(*r));
	char err[256];
	char *text = malloc(64 * (RULES_MAX + 1) + RULES_MAX_LINE + 64);
	size_t used = 0;

	(void)state;
	assert_non_null(r);
	assert_non_null(text);

	/* RULES_MAX + 1 rules: the last line is refused */
	for (unsigned i = 0; i <= RULES_MAX; i++)
		used += (size_t)snprintf(text + used, 64, "/p%u public\n", i);
	assert_int_equal(rules_parse(text, used, "f", r, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	snprintf(text, 64, "f:%u: too many rules", RULES_MAX + 1);
	assert_string_equal(err, text);

	/* RULES_MAX_NAMES + 1 names */
	used = (size_t)snprintf(text, 64, "/x user a");
	for (unsigned i = 0; i < RULES_MAX_NAMES; i++)
		used += (size_t)snprintf(text + used, 64, ",n%u", i);
	assert_int_equal(rules_parse(text, used, "f", r, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_string_equal(err, "f:1: too many names after 'user'");

	/* a line of RULES_MAX_LINE bytes */
	memset(text, 'a', RULES_MAX_LINE);
	text[0] = '/';
	assert_int_equal(
	    rules_parse(text, RULES_MAX_LINE, "f", r, err, sizeof(err)),
	    HTTP_E_FILE_LINE);
	assert_string_equal(err, "f:1: line too long");

	/* a NUL byte inside a line */
	assert_int_equal(
	    rules_parse("/x pub\0lic\n", 11, "f", r, err, sizeof(err)),
	    HTTP_E_FILE_LINE);
	assert_string_equal(err, "f:1: NUL byte in the line");
	free(text);
	free(r);
}

/* ---- loading files ---- */

/* A missing file names the file; a real file loads. */
static void test_load(void **state)
{
	struct rules *r = calloc(1, sizeof(*r));
	char err[512];
	char path[] = "/tmp/lab407-rules-XXXXXX";
	int fd;
	const char *text = "/ public\n/docs any\n";

	(void)state;
	assert_non_null(r);
	assert_int_equal(
	    rules_load("/nonexistent/lab407.rules", r, err, sizeof(err)),
	    HTTP_E_FILE_OPEN);
	assert_non_null(strstr(err, "/nonexistent/lab407.rules: "));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(rules_load(path, r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->v[1].path, "/docs");

	/* a bad line in a file: "FILE:LINE: reason" with the real name */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "/ public\nbad\n", 13), 13);
	close(fd);
	assert_int_equal(rules_load(path, r, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	{
		char want[600];

		snprintf(want, sizeof(want),
			 "%s:2: the path must start with '/'", path);
		assert_string_equal(err, want);
	}
	unlink(path);
	free(r);
}

/* ---- matching ---- */

struct match_case {
	const char *comment;
	const char *path;
	const char *want; /* matched rule's path, NULL for 404 */
};

/* Rules: the default lab plus /admin/public (public). */
static const char *match_rules = "/ public\n/private any\n/admin user alice\n"
				 "/admin/public public\n";

static const struct match_case match_cases[] = {
    /* the root rule covers "/" */
    {"root", "/", "/"},
    /* the root rule does not cover everything: unknown paths are 404 */
    {"unknown", "/nope", NULL},
    /* exact path */
    {"exact", "/private", "/private"},
    /* below a prefix, at a '/' boundary */
    {"below", "/private/notes.txt", "/private"},
    /* not at a boundary: /administrator is not /admin */
    {"no boundary", "/administrator", NULL},
    /* the query is ignored */
    {"query", "/admin?x=1", "/admin"},
    /* longest prefix wins */
    {"longest", "/admin/public/readme", "/admin/public"},
    /* the shorter one still covers its other children */
    {"shorter", "/admin/secret", "/admin"},
    /* "/" covers only "/": not "//x" (the origin never passes a
     * non-normal path here, and if it did "/" must not cover it) */
    {"double slash", "//x", NULL},
    /* nor "//" itself */
    {"two slashes", "//", NULL},
    /* an empty path matches nothing */
    {"empty", "", NULL},
};

static void test_match(void **state)
{
	struct rules *r = calloc(1, sizeof(*r));
	char err[256];

	(void)state;
	assert_non_null(r);
	assert_int_equal(rules_parse(match_rules, strlen(match_rules), "m", r,
				     err, sizeof(err)),
			 HTTP_OK);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]);
	     i++) {
		const struct match_case *tc = &match_cases[i];
		const struct rules_entry *e =
		    rules_match(r, tc->path, strlen(tc->path));

		print_message("case: %s\n", tc->comment);
		if (tc->want == NULL) {
			assert_null(e);
		} else {
			assert_non_null(e);
			assert_string_equal(e->path, tc->want);
		}
	}
	free(r);
}

/* ---- who may read ---- */

struct allow_case {
	const char *comment;
	const char *path;
	const char *user;
	bool want;
};

static const struct allow_case allow_cases[] = {
    /* the public root needs nobody */
    {"root, nobody", "/", "", true},
    /* /private: any authenticated user, not nobody */
    {"private, nobody", "/private", "", false},
    {"private, bob", "/private", "bob", true},
    /* /admin: alice only (README.md) */
    {"admin, alice", "/admin", "alice", true},
    {"admin, bob", "/admin", "bob", false},
    {"admin, nobody", "/admin", "", false},
    /* names compare exactly: case matters */
    {"admin, Alice", "/admin", "Alice", false},
};

static void test_defaults_allow(void **state)
{
	struct rules *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	rules_defaults(r);
	assert_int_equal(r->n, 3);
	for (size_t i = 0; i < sizeof(allow_cases) / sizeof(allow_cases[0]);
	     i++) {
		const struct allow_case *tc = &allow_cases[i];
		const struct rules_entry *e =
		    rules_match(r, tc->path, strlen(tc->path));

		print_message("case: %s\n", tc->comment);
		assert_non_null(e);
		assert_int_equal(rules_allows(e, tc->user), tc->want);
	}
	free(r);
}

/* Descriptions used in 403 bodies. */
static void test_describe(void **state)
{
	const char *text = "/a public\n/b any\n/c user alice\n"
			   "/d user alice,bob\n/e user a,b,c\n";
	struct rules *r = calloc(1, sizeof(*r));
	char err[256], out[128];

	(void)state;
	assert_non_null(r);
	assert_int_equal(
	    rules_parse(text, strlen(text), "f", r, err, sizeof(err)), HTTP_OK);
	rules_describe(&r->v[0], out, sizeof(out));
	assert_string_equal(out, "anyone");
	rules_describe(&r->v[1], out, sizeof(out));
	assert_string_equal(out, "any authenticated user");
	rules_describe(&r->v[2], out, sizeof(out));
	assert_string_equal(out, "alice only");
	rules_describe(&r->v[3], out, sizeof(out));
	assert_string_equal(out, "alice or bob");
	rules_describe(&r->v[4], out, sizeof(out));
	assert_string_equal(out, "a, b or c");
	/* a small buffer truncates, never overflows */
	rules_describe(&r->v[4], out, 4);
	assert_string_equal(out, "a, ");
	assert_string_equal(rules_access_name(RULES_USERS), "user");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_names),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_defaults_allow),
	    cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}

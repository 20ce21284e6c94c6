/*
 * tests/unit/test_cmdline.c - the table every binary's command line is
 * read from (net/cmdline.c): each kind of value lands in its field, a
 * short letter only where the table gives one, the last of an option
 * wins, and the first operand's index comes back.  What exits (--help,
 * --version, every usage error) is tested on the binaries themselves in
 * tests/integration/cmdline.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../net/cmdline.h"

/* A program's struct, one field per kind. */
struct args {
	const char *name;
	bool flag;
	unsigned set;
	unsigned long number;
	unsigned ms;
	char called[64]; /* what the CALL reader saw, in order */
};

/* The CALL kind: append arg to the field. */
static void call(void *field, char *arg)
{
	char *c = field;
	size_t n = strlen(c);

	snprintf(c + n, 64 - n, "%s%s", n > 0 ? "," : "", arg);
}

static void usage(FILE *f)
{
	(void)f;
}

#define F(f) offsetof(struct args, f)
static const struct cmdline_option opts[] = {
    {"name", 'n', CMDLINE_STRING, F(name), 0, 0, 0, NULL},
    {"flag", 0, CMDLINE_FLAG, F(flag), 0, 0, 0, NULL},
    {"seven", 0, CMDLINE_SET, F(set), 0, 0, 7, NULL},
    {"nine", 0, CMDLINE_SET, F(set), 0, 0, 9, NULL},
    {"number", 'N', CMDLINE_NUMBER, F(number), 0, 100, 0, NULL},
    {"time", 0, CMDLINE_DURATION, F(ms), 0, 60, 0, NULL},
    {"call", 'c', CMDLINE_CALL, F(called), 0, 0, 0, call},
};
static const struct cmdline cl = CMDLINE("test", "test 1", usage, opts, true);

struct parse_case {
	const char *comment;
	const char *argv[8]; /* after the program name; NULL ends */
	struct args want;
	int first; /* index of the first operand */
};

static const struct parse_case cases[] = {
    /* nothing given: nothing changes, the operand index is 1 */
    {"empty", {NULL}, {NULL, false, 0, 0, 0, ""}, 1},
    /* every kind, long form */
    {"every kind",
     {"--name", "x", "--flag", "--seven", "--number", "100", "--time", "2"},
     {"x", true, 7, 100, 2000, ""},
     9},
    /* the short forms the table gives; --opt=value */
    {"short forms",
     {"-n", "y", "-N0", "-c", "a", "--call=b", NULL},
     {"y", false, 0, 0, 0, "a,b"},
     7},
    /* the last one wins, SET included; ms and the range's ends */
    {"last wins",
     {"--nine", "--seven", "--time", "1ms", "--time", "60", NULL},
     {NULL, false, 7, 0, 60000, ""},
     7},
    /* an operand ends the options (GNU order: options move first) */
    {"operands",
     {"--flag", "url", "--name", "z", NULL},
     {"z", true, 0, 0, 0, ""},
     4},
    /* "--" ends them too */
    {"double dash", {"--", "--flag", NULL}, {NULL, false, 0, 0, 0, ""}, 2},
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *tc = &cases[i];
		char *argv[10], copies[9][32];
		int argc = 1, first;
		struct args a;

		argv[0] = "test";
		for (size_t k = 0; k < 8 && tc->argv[k] != NULL; k++) {
			snprintf(copies[k], sizeof(copies[k]), "%s",
				 tc->argv[k]);
			argv[argc++] = copies[k];
		}
		argv[argc] = NULL;
		memset(&a, 0, sizeof(a));
		print_message("case: %s\n", tc->comment);
		first = cmdline_parse(&cl, argc, argv, &a);
		assert_int_equal(first, tc->first);
		if (tc->want.name == NULL)
			assert_null(a.name);
		else
			assert_string_equal(a.name, tc->want.name);
		assert_int_equal(a.flag, tc->want.flag);
		assert_int_equal(a.set, tc->want.set);
		assert_int_equal(a.number, tc->want.number);
		assert_int_equal(a.ms, tc->want.ms);
		assert_string_equal(a.called, tc->want.called);
	}
}

/* The readers of values, on what they take. */
static void test_values(void **state)
{
	(void)state;
	assert_int_equal(cmdline_number("t", "n", "0", 0, 5), 0);
	assert_int_equal(cmdline_number("t", "n", "5", 0, 5), 5);
	assert_int_equal(cmdline_number("t", "n", "007", 1, 9), 7);
	assert_int_equal(cmdline_duration("t", "d", "1", 86400), 1000);
	assert_int_equal(cmdline_duration("t", "d", "300ms", 86400), 300);
	assert_int_equal(cmdline_duration("t", "d", "86400", 86400), 86400000u);
	assert_int_equal(cmdline_duration("t", "d", "86400000ms", 86400),
			 86400000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}

/*
 * tests/unit/test_text.c - bounded text copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/text.h"

struct copy_case {
	const char *comment;
	const char *s;
	size_t n;   /* bytes of s offered */
	size_t cap; /* room in dst */
	const char *want;
};

static const struct copy_case copy_cases[] = {
    {"fits", "alice", 5, 16, "alice"},
    {"fits exactly (cap - 1)", "alice", 5, 6, "alice"},
    {"cut by one", "alice", 5, 5, "alic"},
    {"cut to nothing", "alice", 5, 1, ""},
    {"part of s", "alice:wonderland", 5, 16, "alice"},
    {"empty", "", 0, 4, ""},
};

static void test_copy_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(copy_cases) / sizeof(copy_cases[0]);
	     i++) {
		const struct copy_case *tc = &copy_cases[i];
		char dst[32];

		print_message("case: %s\n", tc->comment);
		memset(dst, 'X', sizeof(dst));
		assert_int_equal(text_copy(dst, tc->cap, tc->s, tc->n),
				 strlen(tc->want));
		assert_string_equal(dst, tc->want);
		/* Nothing past cap was written. */
		for (size_t k = tc->cap; k < sizeof(dst); k++)
			assert_int_equal(dst[k], 'X');
	}
}

static void test_set(void **state)
{
	char dst[4];

	(void)state;
	assert_int_equal(text_set(dst, sizeof(dst), "ab"), 2);
	assert_string_equal(dst, "ab");
	assert_int_equal(text_set(dst, sizeof(dst), "abcdef"), 3);
	assert_string_equal(dst, "abc");
	assert_int_equal(text_set(dst, sizeof(dst), NULL), 0);
	assert_string_equal(dst, "");
}

/* text_join() against snprintf("%s%s...") for the same parts and room. */
static void test_join_table(void **state)
{
	static const struct {
		const char *parts[4]; /* up to three, then NULL */
		size_t cap;
	} cases[] = {
	    {{"proxy: ", "alice", " -> 200", NULL}, 64},
	    {{"", "", "", NULL}, 8},
	    {{NULL}, 8},
	    {{"abc", "def", NULL}, 1},
	    {{"abc", "def", NULL}, 2},
	    {{"abc", "def", NULL}, 4},
	    {{"abc", "def", NULL}, 6},
	    {{"abc", "def", NULL}, 7},
	    {{"abc", "def", NULL}, 8},
	    {{"[", "::1", "]", NULL}, 6},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[72], want[72];
		const char *const *p = cases[i].parts;
		size_t n;

		memset(got, 'x', sizeof(got));
		snprintf(want, cases[i].cap, "%s%s%s", p[0] ? p[0] : "",
			 p[0] && p[1] ? p[1] : "",
			 p[0] && p[1] && p[2] ? p[2] : "");
		n = text_join(got, cases[i].cap, p);
		assert_string_equal(got, want);
		assert_int_equal(n, strlen(want));
		/* Nothing past the room it was given. */
		assert_int_equal(got[cases[i].cap], 'x');
	}
}

/* The macro passes its arguments as the list. */
static void test_join_macro(void **state)
{
	char dst[32];

	(void)state;
	assert_int_equal(TEXT_JOIN(dst, sizeof(dst), "host", ":", "8080"), 9);
	assert_string_equal(dst, "host:8080");
	assert_int_equal(TEXT_JOIN(dst, 5, "host", ":", "8080"), 4);
	assert_string_equal(dst, "host");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_table),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_join_table),
	    cmocka_unit_test(test_join_macro),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tests/unit/test_text.c - bounded text copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_table),
	    cmocka_unit_test(test_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

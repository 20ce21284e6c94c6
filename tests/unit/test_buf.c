/*
 * tests/unit/test_buf.c - the bounded growable buffer.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/buf.h"

/* Appends accumulate and the data stays NUL-terminated. */
static void test_append_and_terminate(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_int_equal(b.max, HTTP_BUF_DEFAULT_MAX);
	assert_true(http_buf_append(&b, "abc", 3));
	assert_true(http_buf_puts(&b, "def"));
	assert_true(http_buf_printf(&b, "-%d-%s", 42, "x"));
	assert_int_equal(b.len, 11);
	assert_string_equal(b.data, "abcdef-42-x");
	assert_false(b.failed);
	http_buf_free(&b);
	assert_null(b.data);
}

/* Growth past the first allocation keeps every byte. */
static void test_grows(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(http_buf_printf(&b, "%03d,", i));
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.data + 3996, "999,", 4);
	assert_true(b.cap > b.len);
	http_buf_free(&b);
}

/* A write that would pass max is refused whole and marks failed. */
static void test_limit_refuses_whole_write(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 8);
	assert_true(http_buf_puts(&b, "12345"));
	assert_false(http_buf_puts(&b, "6789"));
	assert_true(b.failed);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	/* Once failed, even a small write is refused: check once at the end. */
	assert_false(http_buf_puts(&b, "6"));
	assert_int_equal(b.len, 5);
	http_buf_free(&b);
}

/* Exactly max bytes fit. */
static void test_limit_exact(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 8);
	assert_true(http_buf_puts(&b, "12345678"));
	assert_false(b.failed);
	assert_false(http_buf_append(&b, "9", 1));
	http_buf_free(&b);
}

/* printf past the limit is refused whole, nothing half-written. */
static void test_printf_limit(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 10);
	assert_true(http_buf_puts(&b, "ab"));
	assert_false(http_buf_printf(&b, "%s", "0123456789"));
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ab");
	assert_true(b.failed);
	http_buf_free(&b);
}

/* A huge size cannot wrap the length check. */
static void test_append_huge_size(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	assert_true(http_buf_puts(&b, "x"));
	assert_false(http_buf_append(&b, "y", SIZE_MAX));
	assert_true(b.failed);
	http_buf_free(&b);
}

/* reset empties, clears failed and keeps the storage. */
static void test_reset(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 4);
	assert_false(http_buf_puts(&b, "too long"));
	assert_true(b.failed);
	assert_true(http_buf_puts(&b, "") == false);
	http_buf_reset(&b);
	assert_false(b.failed);
	assert_int_equal(b.len, 0);
	assert_true(http_buf_puts(&b, "ok"));
	assert_string_equal(b.data, "ok");
	http_buf_free(&b);
}

/* consume drops a prefix, or everything when n >= len. */
static void test_consume(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	http_buf_puts(&b, "GET / HTTP/1.1\r\n\r\nnext");
	http_buf_consume(&b, 18);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "next");
	http_buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	http_buf_free(&b);
}

/* Consuming or resetting a never-written buffer is harmless. */
static void test_empty_buffer_ops(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	http_buf_consume(&b, 5);
	http_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_null(b.data);
	assert_true(http_buf_append(&b, NULL, 0));
	assert_string_equal(b.data, "");
	http_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_terminate),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_limit_refuses_whole_write),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_printf_limit),
		cmocka_unit_test(test_append_huge_size),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_empty_buffer_ops),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

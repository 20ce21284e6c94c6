/*
 * tests/unit/test_buf.c - the bounded growable buffer.
 *
 * The wiping tests see the storage at the moment it is released: this
 * binary is linked with -Wl,--wrap=free (Makefile), so every free() in
 * http/buf.c calls __wrap_free below first, which scans the block the test
 * is watching for the secret, then frees it for real.  Storage kept by
 * reset or consume is read directly.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

/*
 * The room already there is used to its last byte (the NUL's) without
 * growing; one byte more grows the buffer with the content kept.  That
 * boundary is where http_buf_append() leaves its inline path.
 */
static void test_fills_to_capacity(void **state)
{
	(void)state;
	struct http_buf b;
	char fill[4096];
	size_t cap;

	memset(fill, 'f', sizeof(fill));
	http_buf_init(&b, 0);
	assert_true(http_buf_append(&b, "ab", 2));
	cap = b.cap;
	assert_true(cap > 3 && cap - 3 <= sizeof(fill));
	assert_true(http_buf_append(&b, fill, cap - 3));
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, cap - 1);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(b.dirty, cap);
	assert_true(http_buf_append(&b, "z", 1));
	assert_true(b.cap > cap);
	assert_int_equal(b.len, cap);
	assert_memory_equal(b.data, "abf", 3);
	assert_memory_equal(b.data + cap - 2, "fz", 3); /* with the NUL */
	assert_int_equal(b.dirty, cap + 1);
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

/* ---- Wiping (DESIGN.md: credentials are wiped after use) ---- */

void __real_free(void *p);
void __wrap_free(void *p);

static const char secret[] = "Proxy-Authorization: Basic "
			     "YWxpY2U6d29uZGVybGFuZA==";
static const void *watched; /* the block the test waits to see freed */
static size_t watched_len;  /* its capacity */
static int watched_frees;   /* times it was freed */
static bool watched_clean;  /* the secret was not in it when freed */

/* True when the secret's bytes occur anywhere in p[0..n). */
static bool holds_secret(const void *p, size_t n)
{
	const char *s = p;
	size_t k = sizeof(secret) - 1, i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, secret, k) == 0)
			return true;
	/* A piece of it is a leak too: the base64 alone is the password. */
	for (i = 0; i + 24 <= n; i++)
		if (memcmp(s + i, "YWxpY2U6d29uZGVybGFuZA==", 24) == 0)
			return true;
	return false;
}

void __wrap_free(void *p)
{
	if (p != NULL && p == watched) {
		watched_frees++;
		watched_clean = !holds_secret(p, watched_len);
	}
	__real_free(p);
}

static void watch(const struct http_buf *b)
{
	watched = b->data;
	watched_len = b->cap;
	watched_frees = 0;
	watched_clean = false;
}

/* How a secret gets into a buffer: each writer, and a read queue. */
enum fill { FILL_APPEND, FILL_PRINTF, FILL_QUEUE, FILL_TRUNCATED };

static void fill(struct http_buf *b, enum fill how)
{
	switch (how) {
	case FILL_APPEND:
		assert_true(http_buf_puts(b, "GET http://h/ HTTP/1.1\r\n"));
		assert_true(http_buf_append(b, secret, sizeof(secret) - 1));
		break;
	case FILL_PRINTF:
		assert_true(
		    http_buf_printf(b, "GET / HTTP/1.1\r\n%s\r\n\r\n", secret));
		break;
	case FILL_QUEUE:
		/* a request read from a socket, consumed, the next one in */
		assert_true(http_buf_printf(b, "%s\r\n\r\nGET /next", secret));
		http_buf_consume(b, sizeof(secret) - 1 + 4);
		assert_string_equal(b->data, "GET /next");
		break;
	case FILL_TRUNCATED:
		/* as a HEAD answer is cut after its head: len set lower */
		assert_true(
		    http_buf_printf(b, "HTTP/1.1 200 OK\r\n\r\n%s", secret));
		b->len = 19;
		b->data[b->len] = '\0';
		break;
	}
}

static const enum fill fills[] = {FILL_APPEND, FILL_PRINTF, FILL_QUEUE,
				  FILL_TRUNCATED};
#define NUM_FILLS (sizeof(fills) / sizeof(fills[0]))

/* free: the block released holds none of the secret, for every writer. */
static void test_free_wipes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NUM_FILLS; i++) {
		struct http_buf b;
		http_buf_init(&b, 0);
		fill(&b, fills[i]);
		watch(&b);
		http_buf_free(&b);
		assert_int_equal(watched_frees, 1);
		assert_true(watched_clean);
	}
}

/* reset: the storage kept for the next message holds none of it. */
static void test_reset_wipes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NUM_FILLS; i++) {
		struct http_buf b;
		http_buf_init(&b, 0);
		fill(&b, fills[i]);
		http_buf_reset(&b);
		assert_non_null(b.data);
		assert_false(holds_secret(b.data, b.cap));
		assert_string_equal(b.data, "");
		http_buf_free(&b);
	}
}

/* consume: the tail the move leaves behind is cleared at once. */
static void test_consume_wipes(void **state)
{
	(void)state;
	struct http_buf b;
	http_buf_init(&b, 0);
	fill(&b, FILL_QUEUE);
	assert_false(holds_secret(b.data, b.cap));
	/* consuming everything clears everything */
	assert_true(http_buf_append(&b, secret, sizeof(secret) - 1));
	http_buf_consume(&b, b.len);
	assert_false(holds_secret(b.data, b.cap));
	http_buf_free(&b);
}

/* Growing: the old, smaller block is wiped before it is freed. */
static void test_growth_wipes_old_block(void **state)
{
	(void)state;
	for (size_t i = 0; i < NUM_FILLS; i++) {
		struct http_buf b;
		char pad[1024];
		http_buf_init(&b, 0);
		fill(&b, fills[i]);
		watch(&b);
		memset(pad, 'x', sizeof(pad));
		assert_true(http_buf_append(&b, pad, sizeof(pad)));
		assert_int_equal(watched_frees, 1); /* it did move */
		assert_true(watched_clean);
		http_buf_free(&b);
	}
}

/* Splicing: replace, insert, delete; a range outside the buffer or a
 * result over the limit leaves the buffer as it was. */
static void test_splice(void **state)
{
	static const struct {
		const char *comment;
		size_t off, len;
		const char *with;
		bool ok;
		const char *want;
	} cases[] = {
	    {"replace in the middle", 2, 2, "XYZ", true, "abXYZef"},
	    {"insert at the front", 0, 0, ">", true, ">abcdef"},
	    {"insert at the end", 6, 0, "<", true, "abcdef<"},
	    {"delete", 1, 4, "", true, "af"},
	    {"replace all", 0, 6, "z", true, "z"},
	    {"range past the end", 5, 2, "x", false, "abcdef"},
	    {"offset past the end", 7, 0, "x", false, "abcdef"},
	    {"result over the limit (8)", 0, 0, "123", false, "abcdef"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_buf b;

		http_buf_init(&b, 8);
		assert_true(http_buf_puts(&b, "abcdef"));
		if (http_buf_splice(&b, cases[i].off, cases[i].len,
				    cases[i].with,
				    strlen(cases[i].with)) != cases[i].ok)
			fail_msg("%s: wrong result", cases[i].comment);
		assert_string_equal(b.data, cases[i].want);
		assert_int_equal(b.len, strlen(cases[i].want));
		assert_int_equal(b.max, 8);
		assert_false(b.failed);
		http_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_and_terminate),
	    cmocka_unit_test(test_grows),
	    cmocka_unit_test(test_fills_to_capacity),
	    cmocka_unit_test(test_limit_refuses_whole_write),
	    cmocka_unit_test(test_limit_exact),
	    cmocka_unit_test(test_printf_limit),
	    cmocka_unit_test(test_append_huge_size),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_consume),
	    cmocka_unit_test(test_empty_buffer_ops),
	    cmocka_unit_test(test_free_wipes),
	    cmocka_unit_test(test_reset_wipes),
	    cmocka_unit_test(test_consume_wipes),
	    cmocka_unit_test(test_growth_wipes_old_block),
	    cmocka_unit_test(test_splice),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

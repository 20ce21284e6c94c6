/*
 * tests/unit/test_base64.c - strict base64 (RFC 4648).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/base64.h"

/* ---- RFC 4648 §10 test vectors ---- */

static const struct {
	const char *plain;
	const char *encoded;
} vectors[] = {
    {"", ""},		    /* BASE64("") = "" */
    {"f", "Zg=="},	    /* BASE64("f") = "Zg==" */
    {"fo", "Zm8="},	    /* BASE64("fo") = "Zm8=" */
    {"foo", "Zm9v"},	    /* BASE64("foo") = "Zm9v" */
    {"foob", "Zm9vYg=="},   /* BASE64("foob") = "Zm9vYg==" */
    {"fooba", "Zm9vYmE="},  /* BASE64("fooba") = "Zm9vYmE=" */
    {"foobar", "Zm9vYmFy"}, /* BASE64("foobar") = "Zm9vYmFy" */
    /* RFC 7617 §2: the Basic example user-pass. */
    {"Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
};

/* Every vector encodes to its text, with the length the size helper said. */
static void test_encode_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		char out[64];
		size_t n = 99;
		size_t len = strlen(vectors[i].plain);
		assert_int_equal(
		    base64_encode(vectors[i].plain, len, out, sizeof out, &n),
		    HTTP_OK);
		assert_string_equal(out, vectors[i].encoded);
		assert_int_equal(n, strlen(vectors[i].encoded));
		assert_int_equal(base64_encoded_len(len), n);
	}
}

/* Every vector decodes back to its bytes. */
static void test_decode_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		unsigned char out[64];
		size_t n = 99;
		const char *e = vectors[i].encoded;
		assert_int_equal(
		    base64_decode(e, strlen(e), out, sizeof out, &n), HTTP_OK);
		assert_int_equal(n, strlen(vectors[i].plain));
		assert_memory_equal(out, vectors[i].plain, n);
		assert_true(n <= base64_decoded_max(strlen(e)));
	}
}

/* All 256 byte values survive a round trip (the alphabet's top end). */
static void test_round_trip_binary(void **state)
{
	(void)state;
	unsigned char in[256], back[256];
	char enc[400];
	size_t n = 0, m = 0;
	for (int i = 0; i < 256; i++)
		in[i] = (unsigned char)(255 - i);
	assert_int_equal(base64_encode(in, sizeof in, enc, sizeof enc, &n),
			 HTTP_OK);
	assert_non_null(strchr(enc, '+'));
	assert_non_null(strchr(enc, '/'));
	assert_int_equal(base64_decode(enc, n, back, sizeof back, &m), HTTP_OK);
	assert_int_equal(m, 256);
	assert_memory_equal(in, back, 256);
}

/* ---- Non-canonical input is rejected ---- */

static const char *const rejected[] = {
    "Zg",	    /* padding missing */
    "Zg=",	    /* padding short */
    "Zg===",	    /* padding too long */
    "Zh==",	    /* nonzero unused bits (RFC 4648 §3.5) */
    "Zm9=",	    /* nonzero unused bits with one pad */
    "Zm9v\n",	    /* trailing newline */
    " Zm9v",	    /* leading space */
    "Zm 9v",	    /* space inside */
    "Zm9v\r\nZm9v", /* line breaks (MIME style) */
    "Zm-v",	    /* base64url '-' */
    "Zm_v",	    /* base64url '_' */
    "Z=9v",	    /* pad in the middle of a group */
    "Zg==Zm9v",	    /* pad before the end */
    "====",	    /* only padding */
    "A===",	    /* three pads */
    "Zm9v*A==",	    /* a character outside the alphabet */
    "Zm9\x80",	    /* a high byte */
};

/* Each non-canonical string gives HTTP_E_BASE64. */
static void test_decode_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
		unsigned char out[64];
		size_t n = 0;
		enum http_err e = base64_decode(
		    rejected[i], strlen(rejected[i]), out, sizeof out, &n);
		if (e != HTTP_E_BASE64)
			fail_msg("case %zu (\"%s\") gave %d", i, rejected[i],
				 (int)e);
	}
}

/* An embedded NUL is outside the alphabet. */
static void test_decode_rejects_nul(void **state)
{
	(void)state;
	unsigned char out[8];
	size_t n = 0;
	assert_int_equal(base64_decode("Zm\0v", 4, out, sizeof out, &n),
			 HTTP_E_BASE64);
}

/* ---- Buffer sizes ---- */

/* Encoding needs room for the NUL; one byte short is refused. */
static void test_encode_nospace(void **state)
{
	(void)state;
	char out[9];
	size_t n = 0;
	assert_int_equal(base64_encode("foobar", 6, out, 8, &n),
			 HTTP_E_NOSPACE);
	assert_int_equal(base64_encode("foobar", 6, out, 9, &n), HTTP_OK);
	assert_string_equal(out, "Zm9vYmFy");
}

/* Decoding into a buffer one byte too small is refused, not overrun. */
static void test_decode_nospace(void **state)
{
	(void)state;
	unsigned char out[8];
	size_t n = 0;
	memset(out, 0xAA, sizeof out);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 5, &n),
			 HTTP_E_NOSPACE);
	assert_int_equal(out[5], 0xAA);
	assert_int_equal(base64_decode("Zm9vYmE=", 8, out, 5, &n), HTTP_OK);
	assert_int_equal(n, 5);
}

/* base64_is_char(): the RFC 4648 §4 alphabet and '=', nothing else
 * (not the URL-safe '-' and '_' of §5, not whitespace, not bytes past
 * ASCII, not values outside a byte). */
static void test_is_char(void **state)
{
	static const char yes[] = "AZaz09+/=MNmn5";
	static const int no[] = {'-',  '_',  ' ',  '\t', '%', '.', ':',
				 '\0', 0x7f, 0x80, 0xff, -1,  256, '"'};

	(void)state;
	for (size_t i = 0; yes[i] != '\0'; i++)
		assert_true(base64_is_char((unsigned char)yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(base64_is_char(no[i]));
	/* exactly 65 of the 256 byte values */
	{
		size_t n = 0;

		for (int c = 0; c < 256; c++)
			n += base64_is_char(c);
		assert_int_equal(n, 65);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_vectors),
	    cmocka_unit_test(test_decode_vectors),
	    cmocka_unit_test(test_round_trip_binary),
	    cmocka_unit_test(test_decode_rejects),
	    cmocka_unit_test(test_decode_rejects_nul),
	    cmocka_unit_test(test_encode_nospace),
	    cmocka_unit_test(test_decode_nospace),
	    cmocka_unit_test(test_is_char),
	};
	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}

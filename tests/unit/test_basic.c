/*
 * tests/unit/test_basic.c - the Basic scheme (RFC 7617).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/basic.h"

/* ---- encoding ---- */

struct enc_case {
	const char *comment;
	const char *user;
	const char *pass;
	enum http_err err;
	const char *want; /* the whole credentials value */
};

static const struct enc_case enc_cases[] = {
    /* RFC 7617 §2, verbatim */
    {"rfc 7617 aladdin", "Aladdin", "open sesame", HTTP_OK,
     "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
    /* RFC 7617 §2.1: "test" / "123" followed by U+00A3 in UTF-8 */
    {"rfc 7617 utf-8", "test", "123\xc2\xa3", HTTP_OK,
     "Basic dGVzdDoxMjPCow=="},
    /* the lab's alice */
    {"alice", "alice", "wonderland", HTTP_OK, "Basic YWxpY2U6d29uZGVybGFuZA=="},
    /* a password may contain a colon */
    {"colon in password", "a", "b:c", HTTP_OK, "Basic YTpiOmM="},
    /* an empty password is allowed by the grammar */
    {"empty password", "a", "", HTTP_OK, "Basic YTo="},
    /* a user-id may not contain a colon */
    {"colon in user", "a:b", "c", HTTP_E_BASIC_USER_COLON, NULL},
    /* control characters are refused */
    {"ctl in password", "a", "b\nc", HTTP_E_BASIC_CTL, NULL},
    /* DEL is a control character too */
    {"del in user", "a\x7f", "b", HTTP_E_BASIC_CTL, NULL},
};

static void test_encode_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *tc = &enc_cases[i];
		struct http_buf b;

		print_message("case: %s\n", tc->comment);
		http_buf_init(&b, 0);
		assert_int_equal(basic_encode(&b, tc->user, tc->pass), tc->err);
		if (tc->want != NULL)
			assert_string_equal(b.data, tc->want);
		else
			assert_int_equal(b.len, 0);
		http_buf_free(&b);
	}
}

/* Over-long user or password: HTTP_E_BASIC_TOO_LONG, not truncation. */
static void test_encode_too_long(void **state)
{
	char big[BASIC_MAX_PASS + 2];
	struct http_buf b;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	http_buf_init(&b, 0);
	assert_int_equal(basic_encode(&b, "u", big), HTTP_E_BASIC_TOO_LONG);
	assert_int_equal(basic_encode(&b, big, "p"), HTTP_E_BASIC_TOO_LONG);
	big[BASIC_MAX_PASS] = '\0'; /* exactly the limit fits */
	assert_int_equal(basic_encode(&b, "u", big), HTTP_OK);
	http_buf_free(&b);
}

/* ---- decoding ---- */

struct dec_case {
	const char *comment;
	const char *cred; /* a credentials field value */
	enum http_err err;
	const char *user;
	const char *pass;
	size_t pass_len;
};

static const struct dec_case dec_cases[] = {
    /* RFC 7617 §2 */
    {"aladdin", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", HTTP_OK, "Aladdin",
     "open sesame", 11},
    /* RFC 7617 §2.1 UTF-8 */
    {"utf-8", "Basic dGVzdDoxMjPCow==", HTTP_OK, "test", "123\xc2\xa3", 5},
    /* split at the first colon: "a:b:c" is user a, password b:c */
    {"first colon", "Basic YTpiOmM=", HTTP_OK, "a", "b:c", 3},
    /* empty user and empty password: ":" */
    {"just a colon", "Basic Og==", HTTP_OK, "", "", 0},
    /* "abc" has no colon */
    {"no colon", "Basic YWJj", HTTP_E_BASIC_NO_COLON, NULL, NULL, 0},
    /* "a:b\n" holds a LF */
    {"ctl", "Basic YTpiCg==", HTTP_E_BASIC_CTL, NULL, NULL, 0},
    /* "a\0:b" holds a NUL in the user */
    {"nul", "Basic YQA6Yg==", HTTP_E_BASIC_CTL, NULL, NULL, 0},
    /* padding missing: not canonical base64 */
    {"no padding", "Basic YTpi Yw", HTTP_E_AUTH_SYNTAX, NULL, NULL, 0},
    /* bad length */
    {"bad length", "Basic YTpiY", HTTP_E_BASE64, NULL, NULL, 0},
    /* params form instead of token68 */
    {"params form", "Basic user=a", HTTP_E_AUTH_SYNTAX, NULL, NULL, 0},
    /* the scheme alone */
    {"no token", "Basic", HTTP_E_AUTH_SYNTAX, NULL, NULL, 0},
};

static void test_decode_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *tc = &dec_cases[i];
		struct auth_challenge c;
		struct basic_creds bc;
		enum http_err e;

		print_message("case: %s\n", tc->comment);
		e = auth_parse_credentials(tc->cred, strlen(tc->cred), &c);
		if (e == HTTP_OK)
			e = basic_decode(&c, &bc);
		assert_int_equal(e, tc->err);
		if (tc->err != HTTP_OK)
			continue;
		assert_string_equal(bc.user, tc->user);
		assert_int_equal(bc.user_len, strlen(tc->user));
		assert_int_equal(bc.pass_len, tc->pass_len);
		assert_memory_equal(bc.pass, tc->pass, tc->pass_len);
		basic_creds_wipe(&bc);
		assert_int_equal(bc.pass[0], 0);
		assert_int_equal(bc.pass_len, 0);
	}
}

/* Round trip through encode, the grammar and decode, every password
 * length up to the limit. */
static void test_round_trip(void **state)
{
	char pass[BASIC_MAX_PASS + 1];
	size_t n;

	(void)state;
	for (n = 0; n <= BASIC_MAX_PASS; n++) {
		struct http_buf b;
		struct auth_challenge c;
		struct basic_creds bc;

		memset(pass, 'a' + (int)(n % 26), n);
		pass[n] = '\0';
		http_buf_init(&b, 0);
		assert_int_equal(basic_encode(&b, "user", pass), HTTP_OK);
		assert_int_equal(auth_parse_credentials(b.data, b.len, &c),
				 HTTP_OK);
		assert_int_equal(basic_decode(&c, &bc), HTTP_OK);
		assert_int_equal(bc.pass_len, n);
		assert_string_equal(bc.pass, pass);
		basic_creds_wipe(&bc);
		http_buf_free(&b);
	}
}

/* A token68 longer than any credentials we accept is refused early. */
static void test_decode_too_long(void **state)
{
	char cred[2048];
	struct auth_challenge c;
	struct basic_creds bc;

	(void)state;
	memcpy(cred, "Basic ", 6);
	memset(cred + 6, 'Q', 1200);
	assert_int_equal(auth_parse_credentials(cred, 1206, &c), HTTP_OK);
	assert_int_equal(basic_decode(&c, &bc), HTTP_E_BASIC_TOO_LONG);
	assert_int_equal(bc.user_len, 0);
}

/* ---- challenge ---- */

static void test_challenge(void **state)
{
	struct http_buf b;
	struct auth_challenge c[1];
	size_t n = 0;
	char v[64];

	(void)state;
	http_buf_init(&b, 0);
	assert_true(basic_write_challenge(&b, "lab407 proxy"));
	assert_string_equal(b.data,
			    "Basic realm=\"lab407 proxy\", charset=\"UTF-8\"");
	assert_int_equal(auth_parse_challenges(b.data, b.len, c, 1, &n),
			 HTTP_OK);
	assert_int_equal(c[0].kind, AUTH_SCHEME_BASIC);
	assert_int_equal(auth_get(&c[0], "charset", v, sizeof(v)), HTTP_OK);
	assert_string_equal(v, "UTF-8");
	http_buf_free(&b);
}

/* ---- constant-time equality ---- */

/* 256 and 44 bytes of text, and the same with the last byte changed. */
#define LONG64                                                                 \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define LONG256 LONG64 LONG64 LONG64 LONG64
#define LONG256_Z                                                              \
	LONG64 LONG64 LONG64                                                   \
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ"
#define LONG44 "0123456789abcdef0123456789abcdef0123456789ab"
#define LONG44_Z "0123456789abcdef0123456789abcdef0123456789aZ"

struct eq_case {
	const char *comment;
	const char *a;
	size_t alen;
	const char *b;
	size_t blen;
	bool want;
};

static const struct eq_case eq_cases[] = {
    /* equal */
    {"same", "wonderland", 10, "wonderland", 10, true},
    /* one byte differs */
    {"last byte", "wonderland", 10, "wonderlane", 10, false},
    /* a prefix is not equal */
    {"prefix", "wonderland", 10, "wonder", 6, false},
    /* both empty */
    {"empty", "", 0, "", 0, true},
    /* empty against non-empty */
    {"one empty", "", 0, "x", 1, false},
    /* embedded NUL counts */
    {"nul", "a\0b", 3, "a\0c", 3, false},
    /* a trailing NUL is not padding: the lengths differ */
    {"trailing nul", "abc", 3, "abc\0", 4, false},
    /* the last byte of the short way's 256 */
    {"256 same", LONG256, 256, LONG256, 256, true},
    {"256 last byte", LONG256, 256, LONG256_Z, 256, false},
    /* one side past 256 bytes: the hashed way */
    {"257 vs 256", LONG256 "a", 257, LONG256, 256, false},
    {"300 same", LONG256 LONG44, 300, LONG256 LONG44, 300, true},
    {"300 last byte", LONG256 LONG44, 300, LONG256 LONG44_Z, 300, false},
};

static void test_equal_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(eq_cases) / sizeof(eq_cases[0]); i++) {
		const struct eq_case *tc = &eq_cases[i];

		print_message("case: %s\n", tc->comment);
		assert_int_equal(basic_equal(tc->a, tc->alen, tc->b, tc->blen),
				 tc->want);
		assert_int_equal(basic_equal(tc->b, tc->blen, tc->a, tc->alen),
				 tc->want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_table),
	    cmocka_unit_test(test_encode_too_long),
	    cmocka_unit_test(test_decode_table),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_decode_too_long),
	    cmocka_unit_test(test_challenge),
	    cmocka_unit_test(test_equal_table),
	};

	return cmocka_run_group_tests_name("basic", tests, NULL, NULL);
}

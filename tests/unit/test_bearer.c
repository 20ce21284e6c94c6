/*
 * tests/unit/test_bearer.c - the Bearer scheme (RFC 6750).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/bearer.h"

/* ---- reading tokens ---- */

struct tok_case {
	const char *comment;
	const char *cred;  /* credentials field value */
	enum http_err err; /* from parse + bearer_token */
	const char *want;
};

static const struct tok_case tok_cases[] = {
    /* RFC 6750 §2.1's example, verbatim */
    {"rfc 6750", "Bearer mF_9.B5f-4.1JqM", HTTP_OK, "mF_9.B5f-4.1JqM"},
    /* the lab default */
    {"lab token", "Bearer alice-token", HTTP_OK, "alice-token"},
    /* every b64token character and trailing '='s */
    {"all chars", "bearer aZ09-._~+/==", HTTP_OK, "aZ09-._~+/=="},
    /* params form is not a Bearer token */
    {"params form", "Bearer token=abc", HTTP_E_BEARER_TOKEN, NULL},
    /* the scheme alone */
    {"no token", "Bearer", HTTP_E_BEARER_TOKEN, NULL},
    /* '=' may only trail */
    {"= inside", "Bearer ab==cd", HTTP_E_AUTH_SYNTAX, NULL},
    /* a character outside b64token */
    {"bad char", "Bearer ab*cd", HTTP_E_AUTH_SYNTAX, NULL},
};

static void test_token_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tok_cases) / sizeof(tok_cases[0]); i++) {
		const struct tok_case *tc = &tok_cases[i];
		struct auth_challenge c;
		char out[BEARER_MAX_TOKEN + 1];
		size_t n = 0;
		enum http_err e;

		print_message("case: %s\n", tc->comment);
		e = auth_parse_credentials(tc->cred, strlen(tc->cred), &c);
		if (e == HTTP_OK)
			e = bearer_token(&c, out, sizeof(out), &n);
		assert_int_equal(e, tc->err);
		if (tc->want != NULL) {
			assert_string_equal(out, tc->want);
			assert_int_equal(n, strlen(tc->want));
		}
	}
}

/* Hand-built credentials reach bearer_token's own syntax check. */
static void test_token_syntax_direct(void **state)
{
	struct auth_challenge c;
	char out[17];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.kind = AUTH_SCHEME_BEARER;
	c.token68 = "a=b";
	c.token68_len = 3;
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL),
			 HTTP_E_BEARER_TOKEN);
	c.token68 = "=";
	c.token68_len = 1;
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL),
			 HTTP_E_BEARER_TOKEN);
	/* a good token, too small an output buffer */
	c.token68 = "0123456789abcdef";
	c.token68_len = 16;
	assert_int_equal(bearer_token(&c, out, 16, NULL), HTTP_E_NOSPACE);
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL), HTTP_OK);
	assert_string_equal(out, "0123456789abcdef");
}

/* Longer than BEARER_MAX_TOKEN: refused. */
static void test_token_too_long(void **state)
{
	char cred[BEARER_MAX_TOKEN + 16];
	char out[BEARER_MAX_TOKEN + 8];
	struct auth_challenge c;
	size_t len = 7 + BEARER_MAX_TOKEN + 1;

	(void)state;
	memcpy(cred, "Bearer ", 7);
	memset(cred + 7, 'x', BEARER_MAX_TOKEN + 1);
	assert_int_equal(auth_parse_credentials(cred, len, &c), HTTP_OK);
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL),
			 HTTP_E_BEARER_TOKEN);
	/* one shorter is fine */
	assert_int_equal(auth_parse_credentials(cred, len - 1, &c), HTTP_OK);
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL), HTTP_OK);
}

/* ---- writing ---- */

static void test_challenge(void **state)
{
	struct http_buf b;

	(void)state;
	http_buf_init(&b, 0);
	assert_true(bearer_write_challenge(&b, "lab407 origin", NULL, NULL));
	assert_string_equal(b.data, "Bearer realm=\"lab407 origin\"");
	http_buf_reset(&b);
	/* RFC 6750 §3's error attributes */
	assert_true(bearer_write_challenge(&b, "example", "invalid_token",
					   "The access token expired"));
	assert_string_equal(
	    b.data, "Bearer realm=\"example\", error=\"invalid_token\", "
		    "error_description=\"The access token expired\"");
	http_buf_free(&b);
}

static void test_encode(void **state)
{
	struct http_buf b;
	struct auth_challenge c;
	char out[64];

	(void)state;
	http_buf_init(&b, 0);
	assert_true(bearer_encode(&b, "bob-token"));
	assert_string_equal(b.data, "Bearer bob-token");
	assert_int_equal(auth_parse_credentials(b.data, b.len, &c), HTTP_OK);
	assert_int_equal(bearer_token(&c, out, sizeof(out), NULL), HTTP_OK);
	assert_string_equal(out, "bob-token");
	/* a CR LF would inject a header: refused */
	http_buf_reset(&b);
	assert_false(bearer_encode(&b, "x\r\nHost: evil"));
	http_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_table),
	    cmocka_unit_test(test_token_syntax_direct),
	    cmocka_unit_test(test_token_too_long),
	    cmocka_unit_test(test_challenge),
	    cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests_name("bearer", tests, NULL, NULL);
}

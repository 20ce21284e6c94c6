/*
 * tests/unit/test_status.c - the status code table.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/status.h"

/* Compare a possibly-NULL string with an expected possibly-NULL one. */
static void check_str(const char *got, const char *want, int code,
		      const char *what)
{
	if (want == NULL) {
		if (got != NULL)
			fail_msg("%d %s: expected NULL, got \"%s\"", code, what,
				 got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%d %s: expected \"%s\", got \"%s\"", code, what, want,
			 got ? got : "(null)");
}

/* ---- Rows checked verbatim ---- */

static const struct http_status_info expected[] = {
    /* 407 across every framework: the code this lab is about. */
    {407, "Proxy Authentication Required", "RFC 9110 §15.5.8", NULL, NULL,
     ":proxy_authentication_required",
     "http.HTTPStatus.PROXY_AUTHENTICATION_REQUIRED",
     "httplib.PROXY_AUTHENTICATION_REQUIRED",
     "Response::HTTP_PROXY_AUTHENTICATION_REQUIRED",
     "http.StatusProxyAuthRequired", "HttpURLConnection.HTTP_PROXY_AUTH",
     "http.STATUS_CODES[407] === 'Proxy Authentication Required'",
     "HttpStatusCode.ProxyAuthenticationRequired"},
    /* 401: the origin's challenge. */
    {401, "Unauthorized", "RFC 9110 §15.5.2", NULL, NULL, ":unauthorized",
     "http.HTTPStatus.UNAUTHORIZED", "httplib.UNAUTHORIZED",
     "Response::HTTP_UNAUTHORIZED", "http.StatusUnauthorized",
     "HttpURLConnection.HTTP_UNAUTHORIZED",
     "http.STATUS_CODES[401] === 'Unauthorized'",
     "HttpStatusCode.Unauthorized"},
    /* 403: no challenge. */
    {403, "Forbidden", "RFC 9110 §15.5.4", NULL, NULL, ":forbidden",
     "http.HTTPStatus.FORBIDDEN", "httplib.FORBIDDEN",
     "Response::HTTP_FORBIDDEN", "http.StatusForbidden",
     "HttpURLConnection.HTTP_FORBIDDEN",
     "http.STATUS_CODES[403] === 'Forbidden'", "HttpStatusCode.Forbidden"},
    /* 400. */
    {400, "Bad Request", "RFC 9110 §15.5.1", NULL, NULL, ":bad_request",
     "http.HTTPStatus.BAD_REQUEST", "httplib.BAD_REQUEST",
     "Response::HTTP_BAD_REQUEST", "http.StatusBadRequest",
     "HttpURLConnection.HTTP_BAD_REQUEST",
     "http.STATUS_CODES[400] === 'Bad Request'", "HttpStatusCode.BadRequest"},
    /* 418: Rack dropped it, .NET never had it, nor httplib or Java. */
    {418, "(Unused)", "RFC 9110 §15.5.19", NULL, NULL, NULL,
     "http.HTTPStatus.IM_A_TEAPOT", NULL, "Response::HTTP_I_AM_A_TEAPOT",
     "http.StatusTeapot", NULL, "http.STATUS_CODES[418] === \"I'm a Teapot\"",
     NULL},
    /* 413: frameworks kept older names; Rack follows RFC 9110. */
    {413, "Content Too Large", "RFC 9110 §15.5.14", NULL, NULL,
     ":content_too_large", "http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE",
     "httplib.REQUEST_ENTITY_TOO_LARGE",
     "Response::HTTP_REQUEST_ENTITY_TOO_LARGE",
     "http.StatusRequestEntityTooLarge",
     "HttpURLConnection.HTTP_ENTITY_TOO_LARGE",
     "http.STATUS_CODES[413] === 'Payload Too Large'",
     "HttpStatusCode.RequestEntityTooLarge"},
    /* 431: RFC 6585, after httplib and Java. */
    {431, "Request Header Fields Too Large", "RFC 6585 §5", NULL, NULL,
     ":request_header_fields_too_large",
     "http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE", NULL,
     "Response::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE",
     "http.StatusRequestHeaderFieldsTooLarge", NULL,
     "http.STATUS_CODES[431] === 'Request Header Fields Too Large'",
     "HttpStatusCode.RequestHeaderFieldsTooLarge"},
    /* 425: RFC 8470; no .NET member. */
    {425, "Too Early", "RFC 8470 §5.2", NULL, NULL, ":too_early",
     "http.HTTPStatus.TOO_EARLY", NULL, "Response::HTTP_TOO_EARLY",
     "http.StatusTooEarly", NULL, "http.STATUS_CODES[425] === 'Too Early'",
     NULL},
    /* 405: Java's odd name. */
    {405, "Method Not Allowed", "RFC 9110 §15.5.6", NULL, NULL,
     ":method_not_allowed", "http.HTTPStatus.METHOD_NOT_ALLOWED",
     "httplib.METHOD_NOT_ALLOWED", "Response::HTTP_METHOD_NOT_ALLOWED",
     "http.StatusMethodNotAllowed", "HttpURLConnection.HTTP_BAD_METHOD",
     "http.STATUS_CODES[405] === 'Method Not Allowed'",
     "HttpStatusCode.MethodNotAllowed"},
};

/* The rows above match the table field by field. */
static void test_rows_verbatim(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct http_status_info *w = &expected[i];
		const struct http_status_info *g = http_status_lookup(w->code);
		assert_non_null(g);
		assert_int_equal(g->code, w->code);
		check_str(g->reason, w->reason, w->code, "reason");
		check_str(g->rfc, w->rfc, w->code, "rfc");
		check_str(g->rails, w->rails, w->code, "rails");
		check_str(g->python, w->python, w->code, "python");
		check_str(g->python2, w->python2, w->code, "python2");
		check_str(g->symfony, w->symfony, w->code, "symfony");
		check_str(g->go, w->go, w->code, "go");
		check_str(g->java, w->java, w->code, "java");
		check_str(g->node, w->node, w->code, "node");
		check_str(g->dotnet, w->dotnet, w->code, "dotnet");
	}
}

/* 400, 401, 403 and 407 each explain how they differ from the others. */
static void test_versus_present(void **state)
{
	(void)state;
	static const int codes[] = {400, 401, 403, 407};
	for (size_t i = 0; i < 4; i++) {
		const struct http_status_info *s = http_status_lookup(codes[i]);
		assert_non_null(s);
		assert_non_null(s->versus);
	}
	/* The 407 row names both proxy header fields. */
	const struct http_status_info *p = http_status_lookup(407);
	assert_non_null(strstr(p->versus, "Proxy-Authorization"));
	assert_non_null(strstr(p->when, "Proxy-Authenticate"));
}

/* ---- The whole table ---- */

/* Every code RFC 9110 §15 defines, and the later ones, has a row. */
static void test_all_codes_present(void **state)
{
	(void)state;
	static const int codes[] = {
	    100, 101, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303,
	    304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407,
	    408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422,
	    425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 511,
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (http_status_lookup(codes[i]) == NULL)
			fail_msg("no row for %d", codes[i]);
}

/* Rows are sorted, complete, and every 4xx row has the framework names
 * every framework defines for it (Go and Python 3 know all of them). */
static void test_table_shape(void **state)
{
	(void)state;
	const struct http_status_info *s;
	int last = 0;
	unsigned i;
	for (i = 0; (s = http_status_at(i)) != NULL; i++) {
		assert_true(s->code > last);
		last = s->code;
		assert_non_null(s->reason);
		assert_non_null(s->rfc);
		assert_non_null(s->when);
		assert_true(strncmp(s->rfc, "RFC ", 4) == 0);
		assert_true(strlen(s->when) > 20);
		assert_ptr_equal(http_status_lookup(s->code), s);
		if (http_status_class(s->code) == 4) {
			assert_non_null(s->python);
			assert_non_null(s->go);
			assert_non_null(s->symfony);
			assert_non_null(s->node);
		}
	}
	assert_true(i >= 52);
	assert_null(http_status_at(i + 1000));
}

/* ---- Look-up functions ---- */

/* Reasons for known codes, "Unknown" otherwise; absent codes give NULL. */
static void test_reason_and_lookup(void **state)
{
	(void)state;
	assert_string_equal(http_status_reason(407),
			    "Proxy Authentication Required");
	assert_string_equal(http_status_reason(200), "OK");
	assert_string_equal(http_status_reason(511),
			    "Network Authentication Required");
	assert_string_equal(http_status_reason(299), "Unknown");
	assert_string_equal(http_status_reason(-1), "Unknown");
	assert_null(http_status_lookup(0));
	assert_null(http_status_lookup(419));
	assert_null(http_status_lookup(1000));
}

/* Class is the first digit for 100..599, 0 outside. */
static void test_class(void **state)
{
	(void)state;
	assert_int_equal(http_status_class(100), 1);
	assert_int_equal(http_status_class(204), 2);
	assert_int_equal(http_status_class(399), 3);
	assert_int_equal(http_status_class(407), 4);
	assert_int_equal(http_status_class(599), 5);
	assert_int_equal(http_status_class(99), 0);
	assert_int_equal(http_status_class(600), 0);
	assert_int_equal(http_status_class(-407), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_verbatim),
	    cmocka_unit_test(test_versus_present),
	    cmocka_unit_test(test_all_codes_present),
	    cmocka_unit_test(test_table_shape),
	    cmocka_unit_test(test_reason_and_lookup),
	    cmocka_unit_test(test_class),
	};
	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}

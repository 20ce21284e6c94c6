/*
 * tests/unit/test_path.c - the normal form of a request path
 * (http/path.c): RFC 3986 §5.2.4 and §5.4 dot-segment removal, and
 * path_normalize() on many spellings of the same path.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guardpage.h"

#include "../../http/path.h"

/* ---- remove_dot_segments (RFC 3986 §5.2.4, §5.4) ---- */

struct dots_case {
	const char *in;	  /* the merged path the algorithm is given */
	const char *want; /* its output */
	bool above_root;  /* a ".." found nothing to remove */
};

/*
 * RFC 3986 §5.4 resolves references against the base
 * "http://a/b/c/d;p?q".  Where the reference has dot-segments, its
 * merged path (§5.2.3: "/b/c/" + reference) is what remove_dot_segments
 * sees; the expected path is the path of the RFC's result, verbatim.
 */
static const struct dots_case dots_cases[] = {
    /* §5.2.4's own examples */
    {"/a/b/c/./../../g", "/a/g", false},
    {"mid/content=5/../6", "mid/6", false},
    /* §5.4.1 normal examples */
    {"/b/c/g", "/b/c/g", false},     /* "g" -> "http://a/b/c/g" */
    {"/b/c/./g", "/b/c/g", false},   /* "./g" -> "http://a/b/c/g" */
    {"/b/c/g/", "/b/c/g/", false},   /* "g/" -> "http://a/b/c/g/" */
    {"/g", "/g", false},	     /* "/g" -> "http://a/g" */
    {"/b/c/g;x", "/b/c/g;x", false}, /* "g;x" -> "http://a/b/c/g;x" */
    {"/b/c/.", "/b/c/", false},	     /* "." -> "http://a/b/c/" */
    {"/b/c/./", "/b/c/", false},     /* "./" -> "http://a/b/c/" */
    {"/b/c/..", "/b/", false},	     /* ".." -> "http://a/b/" */
    {"/b/c/../", "/b/", false},	     /* "../" -> "http://a/b/" */
    {"/b/c/../g", "/b/g", false},    /* "../g" -> "http://a/b/g" */
    {"/b/c/../..", "/", false},	     /* "../.." -> "http://a/" */
    {"/b/c/../../", "/", false},     /* "../../" -> "http://a/" */
    {"/b/c/../../g", "/g", false},   /* "../../g" -> "http://a/g" */
    /* §5.4.2 abnormal examples */
    {"/b/c/../../../g", "/g", true},	/* "../../../g" -> "http://a/g" */
    {"/b/c/../../../../g", "/g", true}, /* "../../../../g" */
    {"/./g", "/g", false},		/* "/./g" -> "http://a/g" */
    {"/../g", "/g", true},		/* "/../g" -> "http://a/g" */
    {"/b/c/g.", "/b/c/g.", false},	/* "g." -> "http://a/b/c/g." */
    {"/b/c/.g", "/b/c/.g", false},	/* ".g" -> "http://a/b/c/.g" */
    {"/b/c/g..", "/b/c/g..", false},	/* "g.." -> "http://a/b/c/g.." */
    {"/b/c/..g", "/b/c/..g", false},	/* "..g" -> "http://a/b/c/..g" */
    {"/b/c/./../g", "/b/g", false},	/* "./../g" -> "http://a/b/g" */
    {"/b/c/./g/.", "/b/c/g/", false},	/* "./g/." -> "http://a/b/c/g/" */
    {"/b/c/g/./h", "/b/c/g/h", false},	/* "g/./h" -> "http://a/b/c/g/h" */
    {"/b/c/g/../h", "/b/c/h", false},	/* "g/../h" -> "http://a/b/c/h" */
    /* "g;x=1/./y" -> "http://a/b/c/g;x=1/y" */
    {"/b/c/g;x=1/./y", "/b/c/g;x=1/y", false},
    /* "g;x=1/../y" -> "http://a/b/c/y" */
    {"/b/c/g;x=1/../y", "/b/c/y", false},
    /* the rules 2A and 2D on relative input */
    {"../a", "a", false},
    {"./a", "a", false},
    {".", "", false},
    {"..", "", false},
    /* an empty segment is a segment: ".." removes it */
    {"/a//../b", "/a/b", false},
};

/* Every case, into a separate buffer and in place. */
static void test_remove_dots(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof dots_cases / sizeof dots_cases[0]; i++) {
		const struct dots_case *tc = &dots_cases[i];
		size_t len = strlen(tc->in), n = 0;
		char out[64], inplace[64];
		bool above = false;
		struct guarded g = guard_copy(tc->in, len);

		print_message("case: %s\n", tc->in);
		assert_int_equal(
		    path_remove_dots(g.data, len, out, sizeof out, &n, &above),
		    HTTP_OK);
		guard_free(&g);
		assert_string_equal(out, tc->want);
		assert_int_equal(n, strlen(tc->want));
		assert_int_equal(above, tc->above_root);

		memcpy(inplace, tc->in, len + 1);
		assert_int_equal(path_remove_dots(inplace, len, inplace,
						  sizeof inplace, &n, &above),
				 HTTP_OK);
		assert_string_equal(inplace, tc->want);
	}
}

/* The output buffer must hold the input and a NUL. */
static void test_remove_dots_space(void **state)
{
	char out[4];
	size_t n = 99;
	bool above;

	(void)state;
	assert_int_equal(
	    path_remove_dots("/abcd", 5, out, sizeof out, &n, &above),
	    HTTP_E_NOSPACE);
	assert_int_equal(n, 0);
}

/* ---- path_normalize ---- */

struct norm_case {
	const char *in;
	enum http_err want_err;
	const char *want; /* the normal form when want_err is HTTP_OK */
};

static const struct norm_case norm_cases[] = {
    /* already normal */
    {"/", HTTP_OK, "/"},
    {"/admin", HTTP_OK, "/admin"},
    {"/admin/", HTTP_OK, "/admin/"},
    /* empty segments collapse (a design choice) */
    {"//admin", HTTP_OK, "/admin"},
    {"/admin//logs///x", HTTP_OK, "/admin/logs/x"},
    {"//", HTTP_OK, "/"},
    /* dot-segments */
    {"/./admin", HTTP_OK, "/admin"},
    {"/private/../admin", HTTP_OK, "/admin"},
    {"/admin/.", HTTP_OK, "/admin/"},
    {"/admin/..", HTTP_OK, "/"},
    {"/a/b/../../admin", HTTP_OK, "/admin"},
    /* "//" collapses before ".." is applied: "/a//.." is "/a/.." */
    {"/a//../admin", HTTP_OK, "/admin"},
    /* dot-like names that are not dot-segments */
    {"/admin/.../x", HTTP_OK, "/admin/.../x"},
    {"/admin/..x", HTTP_OK, "/admin/..x"},
    /* unreserved percent-encodings are decoded (§6.2.2.2) */
    {"/%61dmin", HTTP_OK, "/admin"},
    {"/%41%44%4D%49%4E", HTTP_OK, "/ADMIN"},
    {"/%7e%2D%5f%30", HTTP_OK, "/~-_0"},
    /* ... before dot-segments are removed, in either case of hex */
    {"/%2e%2e/admin", HTTP_E_PATH_ABOVE_ROOT, ""},
    {"/private/%2e%2e/admin", HTTP_OK, "/admin"},
    {"/private/%2E%2E/admin", HTTP_OK, "/admin"},
    {"/private/.%2e/admin", HTTP_OK, "/admin"},
    {"/%2e/admin", HTTP_OK, "/admin"},
    /* other percent-encodings stay, upper-cased (§6.2.2.1) */
    {"/a%3fb", HTTP_OK, "/a%3Fb"},
    {"/a%20b%e2%82%ac", HTTP_OK, "/a%20b%E2%82%AC"},
    {"/a%3Bb", HTTP_OK, "/a%3Bb"},
    /* case is kept: paths are case-sensitive */
    {"/ADMIN", HTTP_OK, "/ADMIN"},
    /* the query is kept as it came, not normalised */
    {"/admin?x", HTTP_OK, "/admin?x"},
    {"/a/../admin?../%2e%2f/?", HTTP_OK, "/admin?../%2e%2f/?"},
    {"/?q=1", HTTP_OK, "/?q=1"},
    /* sub-delims, ':' and '@' are pchars */
    {"/a:b@c!$&'()*+,=", HTTP_OK, "/a:b@c!$&'()*+,="},
    /* an encoded '/' is refused: never a separator, never data */
    {"/admin%2F", HTTP_E_PATH_SLASH, ""},
    {"/admin%2fx", HTTP_E_PATH_SLASH, ""},
    {"/%2Fadmin", HTTP_E_PATH_SLASH, ""},
    /* an encoded NUL */
    {"/admin%00", HTTP_E_PATH_NUL, ""},
    /* backslashes, literal or encoded */
    {"/admin\\x", HTTP_E_PATH_CHAR, ""},
    {"\\admin", HTTP_E_TARGET, ""},
    {"/\\admin", HTTP_E_PATH_CHAR, ""},
    {"/admin%5cx", HTTP_E_PATH_CHAR, ""},
    /* ';' path parameters, which servers strip differently */
    {"/admin;x", HTTP_E_PATH_CHAR, ""},
    {"/private/..;/admin", HTTP_E_PATH_CHAR, ""},
    /* bytes RFC 3986 keeps out of a path */
    {"/a\"b", HTTP_E_PATH_CHAR, ""},
    {"/a<b>", HTTP_E_PATH_CHAR, ""},
    {"/a{b}", HTTP_E_PATH_CHAR, ""},
    {"/a|b", HTTP_E_PATH_CHAR, ""},
    {"/a^b", HTTP_E_PATH_CHAR, ""},
    {"/a`b", HTTP_E_PATH_CHAR, ""},
    {"/a[b]", HTTP_E_PATH_CHAR, ""},
    {"/a#b", HTTP_E_PATH_CHAR, ""},
    {"/a b", HTTP_E_PATH_CHAR, ""},
    {"/a?b c", HTTP_E_PATH_CHAR, ""},
    /* broken percent-encodings, in the path and in the query */
    {"/a%", HTTP_E_PATH_ENCODING, ""},
    {"/a%4", HTTP_E_PATH_ENCODING, ""},
    {"/a%zz", HTTP_E_PATH_ENCODING, ""},
    {"/a%%41", HTTP_E_PATH_ENCODING, ""},
    {"/a?%g0", HTTP_E_PATH_ENCODING, ""},
    /* climbing above the root */
    {"/..", HTTP_E_PATH_ABOVE_ROOT, ""},
    {"/../admin", HTTP_E_PATH_ABOVE_ROOT, ""},
    {"/a/../../admin", HTTP_E_PATH_ABOVE_ROOT, ""},
    {"/.%2e/admin", HTTP_E_PATH_ABOVE_ROOT, ""},
    /* not an absolute path */
    {"admin", HTTP_E_TARGET, ""},
    {"", HTTP_E_TARGET, ""},
    {"?x", HTTP_E_TARGET, ""},
    {"*", HTTP_E_TARGET, ""},
};

/* Every case, with the input against a guard page. */
static void test_normalize(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		const struct norm_case *tc = &norm_cases[i];
		size_t len = strlen(tc->in), n = 99;
		char out[128];
		struct guarded g = guard_copy(tc->in, len);
		enum http_err e;

		print_message("case: %s\n", tc->in);
		e = path_normalize(g.data, len, out, sizeof out, &n);
		guard_free(&g);
		assert_int_equal(e, tc->want_err);
		assert_string_equal(out, tc->want);
		assert_int_equal(n, strlen(tc->want));
	}
}

/* The normal form is a fixed point: normalising it changes nothing. */
static void test_normalize_idempotent(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		const struct norm_case *tc = &norm_cases[i];
		char again[128];
		size_t n;

		if (tc->want_err != HTTP_OK)
			continue;
		assert_int_equal(path_normalize(tc->want, strlen(tc->want),
						again, sizeof again, &n),
				 HTTP_OK);
		assert_string_equal(again, tc->want);
	}
}

/* The caller's buffer must hold the input and a NUL. */
static void test_normalize_space(void **state)
{
	char out[7];
	size_t n = 99;

	(void)state;
	/* one byte short */
	assert_int_equal(path_normalize("/admin", 6, out, 6, &n),
			 HTTP_E_NOSPACE);
	assert_int_equal(n, 0);
	/* exactly enough, even though "//admin" would shrink */
	assert_int_equal(path_normalize("/admin", 6, out, sizeof out, &n),
			 HTTP_OK);
	assert_string_equal(out, "/admin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remove_dots),
	    cmocka_unit_test(test_remove_dots_space),
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_normalize_idempotent),
	    cmocka_unit_test(test_normalize_space),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}

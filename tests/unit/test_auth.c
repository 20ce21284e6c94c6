/*
 * tests/unit/test_auth.c - the RFC 9110 §11 challenge/credentials grammar.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/auth.h"

/* ---- helpers ---- */

/* A heap copy of exactly n bytes, no NUL after: an over-read past n is
 * caught by the sanitizer build. */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* True when the span [p, p+n) lies inside [buf, buf+len). */
static bool inside(const char *buf, size_t len, const char *p, size_t n)
{
	return p >= buf && p + n <= buf + len;
}

/* The value of param `name` of c, unescaped, or "<absent>". */
static const char *val(const struct auth_challenge *c, const char *name)
{
	static char out[AUTH_MAX_VALUE + 1];

	if (auth_get(c, name, out, sizeof(out)) != HTTP_OK)
		return "<absent>";
	return out;
}

/* ---- challenge lists ---- */

struct ch_case {
	const char *comment;
	const char *in;
	enum http_err err;
	size_t n;		/* challenges expected when err == HTTP_OK */
	const char *schemes[4]; /* scheme of each, in order */
};

static const struct ch_case ch_cases[] = {
    /* RFC 7617 §2: the plain Basic challenge */
    {"basic", "Basic realm=\"WallyWorld\"", HTTP_OK, 1, {"Basic"}},
    /* RFC 7617 §2.1 with charset */
    {"basic charset",
     "Basic realm=\"foo\", charset=\"UTF-8\"",
     HTTP_OK,
     1,
     {"Basic"}},
    /* two challenges in one field: the comma before Basic ends Digest */
    {"digest then basic",
     "Digest realm=\"a\", nonce=\"x\", Basic realm=\"b\"",
     HTTP_OK,
     2,
     {"Digest", "Basic"}},
    /* RFC 9110 §11.6.1's example: Newauth then Basic */
    {"rfc 9110 example",
     "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", "
     "Basic realm=\"simple\"",
     HTTP_OK,
     2,
     {"Newauth", "Basic"}},
    /* a bare scheme followed by another challenge */
    {"bare scheme",
     "Negotiate, Basic realm=\"x\"",
     HTTP_OK,
     2,
     {"Negotiate", "Basic"}},
    /* a bare scheme after params */
    {"bare scheme last",
     "Basic realm=\"x\", NTLM",
     HTTP_OK,
     2,
     {"Basic", "NTLM"}},
    /* token68 challenge followed by another */
    {"token68 then basic",
     "Negotiate abc==, Basic realm=\"x\"",
     HTTP_OK,
     2,
     {"Negotiate", "Basic"}},
    /* empty list elements are ignored (RFC 9110 §5.6.1) */
    {"empty elements",
     ", ,Basic realm=\"x\" , , ,Digest realm=\"y\",, ",
     HTTP_OK,
     2,
     {"Basic", "Digest"}},
    /* BWS around "=" */
    {"bws",
     "Basic realm = \"x\" ,charset\t=\t\"UTF-8\"",
     HTTP_OK,
     1,
     {"Basic"}},
    /* an empty field value holds no challenges */
    {"empty", "", HTTP_OK, 0, {NULL}},
    /* only commas */
    {"only commas", " , , ", HTTP_OK, 0, {NULL}},
    /* the same param twice, case-insensitively (RFC 9110 §11.2) */
    {"dup param",
     "Basic realm=\"a\", REALM=\"b\"",
     HTTP_E_AUTH_DUP_PARAM,
     0,
     {NULL}},
    /* unterminated quoted-string */
    {"unterminated", "Basic realm=\"abc", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* backslash at the very end inside quotes */
    {"trailing backslash",
     "Basic realm=\"abc\\",
     HTTP_E_AUTH_SYNTAX,
     0,
     {NULL}},
    /* no value after "=" (a lone "realm=" would be a valid token68) */
    {"no value", "Basic a=b, realm=", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* "realm=" alone is token68 by the grammar, not a param */
    {"token68 lookalike", "Basic realm=", HTTP_OK, 1, {"Basic"}},
    /* two tokens after a scheme: neither token68 nor param */
    {"two tokens", "Basic foo bar", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* a param-looking scheme */
    {"scheme with =", "realm=\"x\"", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* a control character inside quotes */
    {"ctl in quotes", "Basic realm=\"a\x01\"", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* garbage after a quoted value */
    {"junk after value", "Basic realm=\"a\"x", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* a scheme that is not a token */
    {"not a token", "\"Basic\" realm=x", HTTP_E_AUTH_SYNTAX, 0, {NULL}},
    /* more challenges than the caller's array (4 here) */
    {"too many", "A, B, C, D, E", HTTP_E_AUTH_TOO_MANY, 0, {NULL}},
};

/* Each case, parsed into an array of 4. */
static void test_challenge_table(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ch_cases) / sizeof(ch_cases[0]); i++) {
		const struct ch_case *tc = &ch_cases[i];
		struct auth_challenge out[4];
		size_t n = 0, len = strlen(tc->in);
		char *buf = exact(tc->in, len);
		enum http_err e = auth_parse_challenges(buf, len, out, 4, &n);

		print_message("case: %s\n", tc->comment);
		assert_int_equal(e, tc->err);
		if (tc->err == HTTP_OK) {
			assert_int_equal(n, tc->n);
			for (j = 0; j < n; j++) {
				assert_int_equal(out[j].scheme_len,
						 strlen(tc->schemes[j]));
				assert_memory_equal(out[j].scheme,
						    tc->schemes[j],
						    out[j].scheme_len);
			}
		}
		free(buf);
	}
}

/* Params of the two-challenge field land on the right challenge. */
static void test_params_split(void **state)
{
	const char *in =
	    "Digest realm=\"a\", nonce=\"x\", qop=\"auth,auth-int\","
	    " algorithm=SHA-256, Basic realm=\"b\", charset=UTF-8";
	struct auth_challenge out[AUTH_MAX_CHALLENGES];
	size_t n = 0;

	(void)state;
	assert_int_equal(
	    auth_parse_challenges(in, strlen(in), out, AUTH_MAX_CHALLENGES, &n),
	    HTTP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].kind, AUTH_SCHEME_DIGEST);
	assert_int_equal(out[0].num_params, 4);
	/* a comma inside quotes does not split */
	assert_string_equal(val(&out[0], "qop"), "auth,auth-int");
	assert_string_equal(val(&out[0], "ALGORITHM"), "SHA-256");
	assert_false(out[0].params[3].quoted);
	assert_int_equal(out[1].kind, AUTH_SCHEME_BASIC);
	assert_int_equal(out[1].num_params, 2);
	assert_string_equal(val(&out[1], "realm"), "b");
	assert_string_equal(val(&out[1], "charset"), "UTF-8");
	assert_string_equal(val(&out[1], "nonce"), "<absent>");
}

/* quoted-pair escapes are undone on copy (RFC 9110 §5.6.4). */
static void test_escapes(void **state)
{
	const char *in = "Newauth title=\"Login to \\\"apps\\\" \\\\ ok\"";
	struct auth_challenge c[1];
	size_t n = 0, len = 0;
	char out[64];

	(void)state;
	assert_int_equal(auth_parse_challenges(in, strlen(in), c, 1, &n),
			 HTTP_OK);
	assert_true(c[0].params[0].quoted);
	assert_int_equal(
	    auth_param_copy(&c[0].params[0], out, sizeof(out), &len), HTTP_OK);
	assert_string_equal(out, "Login to \"apps\" \\ ok");
	assert_int_equal(len, strlen(out));
	/* too small a buffer is an error, not a truncation */
	assert_int_equal(auth_param_copy(&c[0].params[0], out, 5, &len),
			 HTTP_E_NOSPACE);
	assert_string_equal(out, "");
}

/* Several fields are collected in order. */
static void test_collect(void **state)
{
	static const char v1[] = "Digest realm=\"p\", nonce=\"n\"";
	static const char v2[] = "Basic realm=\"p\"";
	static const char v3[] = "Bearer realm=\"p\"";
	struct http_header hs[4] = {
	    {"Proxy-Authenticate", 18, v1, sizeof(v1) - 1},
	    {"Content-Length", 14, "0", 1},
	    {"proxy-authenticate", 18, v2, sizeof(v2) - 1},
	    {"WWW-Authenticate", 16, v3, sizeof(v3) - 1},
	};
	struct auth_challenge out[AUTH_MAX_CHALLENGES];
	size_t n = 0;

	(void)state;
	assert_int_equal(auth_collect_challenges(hs, 4, "Proxy-Authenticate",
						 out, AUTH_MAX_CHALLENGES, &n),
			 HTTP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].kind, AUTH_SCHEME_DIGEST);
	assert_int_equal(out[1].kind, AUTH_SCHEME_BASIC);
	n = 0;
	assert_int_equal(auth_collect_challenges(hs, 4, "WWW-Authenticate", out,
						 AUTH_MAX_CHALLENGES, &n),
			 HTTP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, AUTH_SCHEME_BEARER);
}

/* AUTH_MAX_PARAMS params fit; one more is HTTP_E_AUTH_TOO_MANY. */
static void test_too_many_params(void **state)
{
	char in[1024];
	struct auth_challenge c[1];
	size_t i, n, len = 0;

	(void)state;
	len += (size_t)snprintf(in, sizeof(in), "X");
	for (i = 0; i < AUTH_MAX_PARAMS; i++)
		len += (size_t)snprintf(in + len, sizeof(in) - len, "%sp%zu=v",
					i ? ", " : " ", i);
	n = 0;
	assert_int_equal(auth_parse_challenges(in, len, c, 1, &n), HTTP_OK);
	assert_int_equal(c[0].num_params, AUTH_MAX_PARAMS);
	len += (size_t)snprintf(in + len, sizeof(in) - len, ", extra=1");
	n = 0;
	assert_int_equal(auth_parse_challenges(in, len, c, 1, &n),
			 HTTP_E_AUTH_TOO_MANY);
}

/* ---- credentials ---- */

struct cred_case {
	const char *comment;
	const char *in;
	enum http_err err;
	enum auth_scheme kind;
	const char *token68; /* expected token68, or NULL for params form */
	size_t nparams;
};

static const struct cred_case cred_cases[] = {
    /* RFC 7617 §2 example credentials */
    {"basic", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", HTTP_OK, AUTH_SCHEME_BASIC,
     "QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 0},
    /* scheme names are case-insensitive (RFC 9110 §11.1) */
    {"lowercase scheme", "basic dGVzdDoxMjPCow==", HTTP_OK, AUTH_SCHEME_BASIC,
     "dGVzdDoxMjPCow==", 0},
    /* several spaces before the token68, trailing OWS */
    {"spaces", "BASIC   abc=  ", HTTP_OK, AUTH_SCHEME_BASIC, "abc=", 0},
    /* RFC 6750 §2.1 b64token characters */
    {"bearer", "Bearer mF_9.B5f-4.1JqM", HTTP_OK, AUTH_SCHEME_BEARER,
     "mF_9.B5f-4.1JqM", 0},
    /* token68 of only b64 chars and several '=' */
    {"token68 ===", "Bearer a+/~===", HTTP_OK, AUTH_SCHEME_BEARER,
     "a+/~===", 0},
    /* Digest credentials in params form */
    {"digest params",
     "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
     "uri=\"/dir/index.html\", algorithm=MD5, nc=00000001",
     HTTP_OK, AUTH_SCHEME_DIGEST, NULL, 5},
    /* an NTLM NEGOTIATE message as token68 */
    {"ntlm token68",
     "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==", HTTP_OK,
     AUTH_SCHEME_NTLM,
     "TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==", 0},
    /* an unknown scheme still parses */
    {"unknown scheme", "Mutual dG9rZW4=", HTTP_OK, AUTH_SCHEME_UNKNOWN,
     "dG9rZW4=", 0},
    /* nothing at all */
    {"empty", "", HTTP_E_AUTH_MISSING, AUTH_SCHEME_NONE, NULL, 0},
    /* only spaces */
    {"spaces only", "   ", HTTP_E_AUTH_MISSING, AUTH_SCHEME_NONE, NULL, 0},
    /* two schemes in one credentials field */
    {"two schemes", "Basic abc=, Bearer xyz", HTTP_E_AUTH_SYNTAX,
     AUTH_SCHEME_NONE, NULL, 0},
    /* token68 then a param */
    {"token68 and param", "Basic abc, realm=x", HTTP_E_AUTH_SYNTAX,
     AUTH_SCHEME_NONE, NULL, 0},
    /* "ab=cd" is an auth-param, not a token68 */
    {"param not token68", "Basic ab=cd", HTTP_OK, AUTH_SCHEME_BASIC, NULL, 1},
    /* "==" in the middle of a token68 */
    {"== inside token68", "Basic ab==cd", HTTP_E_AUTH_SYNTAX, AUTH_SCHEME_NONE,
     NULL, 0},
    /* a character outside token68 */
    {"bad char", "Basic ab!cd", HTTP_E_AUTH_SYNTAX, AUTH_SCHEME_NONE, NULL, 0},
    /* no space between scheme and token68 */
    {"no space", "Basic\"abc\"", HTTP_E_AUTH_SYNTAX, AUTH_SCHEME_NONE, NULL, 0},
    /* duplicate Digest field */
    {"dup", "Digest nc=1, nc=2", HTTP_E_AUTH_DUP_PARAM, AUTH_SCHEME_NONE, NULL,
     0},
};

static void test_credentials_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cred_cases) / sizeof(cred_cases[0]); i++) {
		const struct cred_case *tc = &cred_cases[i];
		struct auth_challenge c;
		size_t len = strlen(tc->in);
		char *buf = exact(tc->in, len);

		print_message("case: %s\n", tc->comment);
		assert_int_equal(auth_parse_credentials(buf, len, &c), tc->err);
		if (tc->err == HTTP_OK) {
			assert_int_equal(c.kind, tc->kind);
			if (tc->token68 != NULL) {
				assert_non_null(c.token68);
				assert_int_equal(c.token68_len,
						 strlen(tc->token68));
				assert_memory_equal(c.token68, tc->token68,
						    c.token68_len);
			} else {
				assert_null(c.token68);
			}
			assert_int_equal(c.num_params, tc->nparams);
		}
		free(buf);
	}
}

/* ---- partial input ---- */

/*
 * Every prefix of every case, in a buffer of exactly that size: the
 * parser must give OK or a grammar error and every span must lie inside
 * the prefix.
 */
static void test_prefixes(void **state)
{
	size_t i, k, j, p;

	(void)state;
	for (i = 0; i < sizeof(ch_cases) / sizeof(ch_cases[0]); i++) {
		size_t full = strlen(ch_cases[i].in);

		for (k = 0; k <= full; k++) {
			char *buf = exact(ch_cases[i].in, k);
			struct auth_challenge out[4];
			size_t n = 0;
			enum http_err e =
			    auth_parse_challenges(buf, k, out, 4, &n);

			assert_true(e == HTTP_OK || e == HTTP_E_AUTH_SYNTAX ||
				    e == HTTP_E_AUTH_DUP_PARAM ||
				    e == HTTP_E_AUTH_TOO_MANY);
			for (j = 0; j < n; j++) {
				assert_true(inside(buf, k, out[j].scheme,
						   out[j].scheme_len));
				if (out[j].token68 != NULL)
					assert_true(inside(buf, k,
							   out[j].token68,
							   out[j].token68_len));
				for (p = 0; p < out[j].num_params; p++) {
					const struct auth_param *ap =
					    &out[j].params[p];

					assert_true(inside(buf, k, ap->name,
							   ap->name_len));
					assert_true(inside(buf, k, ap->value,
							   ap->value_len));
				}
			}
			free(buf);
		}
	}
	/* a cut inside quotes is always a syntax error */
	assert_int_equal(auth_parse_credentials("Digest a=\"xy", 12,
						&(struct auth_challenge){0}),
			 HTTP_E_AUTH_SYNTAX);
}

/* ---- scheme names and lists ---- */

static void test_scheme_names(void **state)
{
	enum auth_scheme l[3];
	size_t n = 99;

	(void)state;
	assert_int_equal(auth_scheme_from("dIgEsT", 6), AUTH_SCHEME_DIGEST);
	assert_int_equal(auth_scheme_from("Basic", 5), AUTH_SCHEME_BASIC);
	assert_int_equal(auth_scheme_from("Bas", 3), AUTH_SCHEME_UNKNOWN);
	assert_int_equal(auth_scheme_from("Negotiate", 9),
			 AUTH_SCHEME_NEGOTIATE);
	assert_int_equal(auth_scheme_from("ntlm", 4), AUTH_SCHEME_NTLM);
	assert_int_equal(auth_scheme_from("NTLMv2", 6), AUTH_SCHEME_UNKNOWN);
	assert_string_equal(auth_scheme_name(AUTH_SCHEME_NTLM), "NTLM");
	assert_string_equal(auth_scheme_name(AUTH_SCHEME_BEARER), "Bearer");
	assert_null(auth_scheme_name(AUTH_SCHEME_UNKNOWN));

	/* "none" is an empty list */
	assert_int_equal(auth_scheme_list_parse("none", l, 3, &n), HTTP_OK);
	assert_int_equal(n, 0);
	/* order is kept */
	assert_int_equal(
	    auth_scheme_list_parse("digest, Basic,bearer", l, 3, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(l[0], AUTH_SCHEME_DIGEST);
	assert_int_equal(l[1], AUTH_SCHEME_BASIC);
	assert_int_equal(l[2], AUTH_SCHEME_BEARER);
	/* unknown, empty and doubled names */
	assert_int_equal(auth_scheme_list_parse("basic,ntlmv1", l, 3, &n),
			 HTTP_E_AUTH_SCHEME);
	/* the connection-bound schemes are names like the others */
	assert_int_equal(
	    auth_scheme_list_parse("negotiate,ntlm,basic", l, 3, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(l[0], AUTH_SCHEME_NEGOTIATE);
	assert_int_equal(l[1], AUTH_SCHEME_NTLM);
	assert_int_equal(auth_scheme_list_parse("", l, 3, &n),
			 HTTP_E_AUTH_SCHEME);
	assert_int_equal(auth_scheme_list_parse("basic,", l, 3, &n),
			 HTTP_E_AUTH_SCHEME);
	assert_int_equal(auth_scheme_list_parse("basic,none", l, 3, &n),
			 HTTP_E_AUTH_SCHEME);
	assert_int_equal(auth_scheme_list_parse("basic,basic", l, 3, &n),
			 HTTP_E_CONFIG);
	assert_int_equal(auth_scheme_list_parse("basic,digest", l, 1, &n),
			 HTTP_E_AUTH_TOO_MANY);
}

/* ---- writing ---- */

static void test_write_param(void **state)
{
	struct http_buf b;
	struct auth_challenge c[1];
	size_t n = 0;

	(void)state;
	http_buf_init(&b, 0);
	assert_true(http_buf_puts(&b, "Newauth "));
	assert_true(auth_write_param(&b, true, "realm", "a \"q\" \\", true));
	assert_true(auth_write_param(&b, false, "type", "1", false));
	assert_string_equal(b.data,
			    "Newauth realm=\"a \\\"q\\\" \\\\\", type=1");
	/* what we write parses back to the same value */
	assert_int_equal(auth_parse_challenges(b.data, b.len, c, 1, &n),
			 HTTP_OK);
	assert_string_equal(val(&c[0], "realm"), "a \"q\" \\");
	/* a CR/LF would split the header line: refused */
	assert_false(
	    auth_write_param(&b, false, "x", "a\r\nSet-Cookie: y", true));
	http_buf_free(&b);
}

/*
 * The one quoted-string writer (RFC 9110 §5.6.4), member by member: what
 * may be escaped is escaped and parses back to itself; what no
 * quoted-string can carry is refused with nothing appended.
 */
struct quoted_case {
	const char *comment;
	const char *value;
	size_t len;
	const char *wire; /* the quoted-string written, or NULL: refused */
};

static const struct quoted_case quoted_cases[] = {
    {"plain", "lab407 proxy", 12, "\"lab407 proxy\""},
    {"empty", "", 0, "\"\""},
    /* DQUOTE and backslash become quoted-pairs */
    {"quote", "a\"b", 3, "\"a\\\"b\""},
    {"backslash", "a\\b", 3, "\"a\\\\b\""},
    {"escaped quote, as a cnonce would try", "x\\\", rspauth=\"y", 15,
     "\"x\\\\\\\", rspauth=\\\"y\""},
    {"trailing backslash", "x\\", 2, "\"x\\\\\""},
    /* HTAB and obs-text are qdtext */
    {"tab", "a\tb", 3, "\"a\tb\""},
    {"obs-text (UTF-8)", "caf\xc3\xa9", 5, "\"caf\xc3\xa9\""},
    /* control characters cannot be sent at all */
    {"CR", "a\rb", 3, NULL},
    {"LF", "a\nb", 3, NULL},
    {"CRLF header injection", "a\r\nSet-Cookie: y", 16, NULL},
    {"NUL", "a\0b", 3, NULL},
    {"DEL", "a\x7f", 2, NULL},
    {"ESC", "a\x1b[31m", 6, NULL},
    {"BEL", "\x07", 1, NULL},
};

static void test_write_quoted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(quoted_cases) / sizeof(quoted_cases[0]);
	     i++) {
		const struct quoted_case *tc = &quoted_cases[i];
		struct http_buf b;
		bool ok;

		http_buf_init(&b, 0);
		assert_true(http_buf_puts(&b, "Newauth p="));
		ok = auth_write_quoted(&b, tc->value, tc->len);
		if (ok != (tc->wire != NULL))
			fail_msg("%s: written=%d", tc->comment, ok);
		assert_int_equal(auth_quotable(tc->value, tc->len), ok);
		if (!ok) {
			/* nothing appended */
			assert_string_equal(b.data, "Newauth p=");
		} else {
			struct auth_challenge c[1];
			char out[64];
			size_t n = 0, olen = 0;

			assert_string_equal(b.data + 10, tc->wire);
			/* parses back to the one param, value intact */
			assert_int_equal(
			    auth_parse_challenges(b.data, b.len, c, 1, &n),
			    HTTP_OK);
			assert_int_equal(n, 1);
			assert_int_equal(c[0].num_params, 1);
			assert_int_equal(auth_param_copy(&c[0].params[0], out,
							 sizeof(out), &olen),
					 HTTP_OK);
			assert_int_equal(olen, tc->len);
			assert_memory_equal(out, tc->value, tc->len);
		}
		http_buf_free(&b);
	}
}

/* auth_write_param: names and unquoted values must be tokens; a refused
 * param appends nothing. */
static void test_write_param_refused(void **state)
{
	static const struct {
		const char *name, *value;
		bool quote, ok;
	} cases[] = {
	    {"nc", "00000001", false, true},
	    {"algorithm", "SHA-512-256-sess", false, true},
	    /* an unquoted value with a space, comma, quote or CTL */
	    {"nc", "1, rspauth=x", false, false},
	    {"qop", "auth\"", false, false},
	    {"qop", "", false, false},
	    {"qop", "a\r\nb", false, false},
	    /* a name that is not a token */
	    {"re alm", "x", true, false},
	    {"", "x", true, false},
	    /* quoted: DEL refused */
	    {"realm", "x\x7f", true, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_buf b;

		http_buf_init(&b, 0);
		assert_true(http_buf_puts(&b, "X "));
		if (auth_write_param(&b, false, cases[i].name, cases[i].value,
				     cases[i].quote) != cases[i].ok)
			fail_msg("case %zu (%s=%s): want %d", i, cases[i].name,
				 cases[i].value, cases[i].ok);
		if (!cases[i].ok)
			assert_string_equal(b.data, "X ");
		http_buf_free(&b);
	}
}

/* auth_scheme_of(): the token a credentials value starts with, when SP,
 * HTAB, a comma or the end follows it (RFC 9110 §11.4, and what
 * auth_parse_credentials() accepts). */
static const struct {
	const char *v;
	enum auth_scheme want;
} scheme_of_cases[] = {
    {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", AUTH_SCHEME_BASIC},
    {"basic x", AUTH_SCHEME_BASIC},
    {"DIGEST username=\"a\"", AUTH_SCHEME_DIGEST},
    {"Bearer", AUTH_SCHEME_BEARER},
    {"NTLM TlRMTVNTUAABAAAA", AUTH_SCHEME_NTLM},
    {"Negotiate", AUTH_SCHEME_NEGOTIATE},
    {"Foo bar", AUTH_SCHEME_UNKNOWN},
    {"Basicx y", AUTH_SCHEME_UNKNOWN},
    /* what the parser takes after a scheme: HTAB, a comma */
    {"Basic\tx", AUTH_SCHEME_BASIC},
    {"Digest,", AUTH_SCHEME_DIGEST},
    /* not a token, or followed by something else */
    {"", AUTH_SCHEME_NONE},
    {" Basic x", AUTH_SCHEME_NONE},
    {"Basic=", AUTH_SCHEME_NONE},
    {"=abc", AUTH_SCHEME_NONE},
    {"\"Basic\" x", AUTH_SCHEME_NONE},
};

static void test_scheme_of(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(scheme_of_cases) / sizeof(scheme_of_cases[0]); i++)
		if (auth_scheme_of(scheme_of_cases[i].v,
				   strlen(scheme_of_cases[i].v)) !=
		    scheme_of_cases[i].want)
			fail_msg("auth_scheme_of(\"%s\")",
				 scheme_of_cases[i].v);
	/* the length is respected: "Basic" cut from "Basicx" */
	assert_int_equal(auth_scheme_of("Basicx", 5), AUTH_SCHEME_BASIC);
}

/* auth_scheme_span(): the length of the token auth_scheme_of() reads,
 * 0 exactly when it gives NONE. */
static const struct {
	const char *v;
	size_t want;
} scheme_span_cases[] = {
    {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", 5},
    {"Negotiate", 9},
    {"Foo bar", 3},	     /* unknown schemes have a span too */
    {"Digest nonce=\"a", 6}, /* the rest is not looked at */
    {"Digest,", 6},
    {"", 0},
    {" Basic x", 0},
    {"Basic=", 0},
    {"\xff\xfe realm=x", 0},
};

static void test_scheme_span(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(scheme_span_cases) / sizeof(scheme_span_cases[0]);
	     i++) {
		const char *v = scheme_span_cases[i].v;
		size_t n = auth_scheme_span(v, strlen(v));

		if (n != scheme_span_cases[i].want)
			fail_msg("auth_scheme_span(\"%s\") = %zu", v, n);
		assert_int_equal(n == 0, auth_scheme_of(v, strlen(v)) ==
					     AUTH_SCHEME_NONE);
	}
}

/* auth_parse_params(): a bare #auth-param list (Authentication-Info). */
static const struct {
	const char *comment;
	const char *v;
	enum http_err want;
	size_t params;
} params_cases[] = {
    {"RFC 7616 §3.5 shape",
     "qop=auth, rspauth=\"6629fae4\", cnonce=\"0a4f113b\", nc=00000001",
     HTTP_OK, 4},
    {"one param", "nextnonce=\"abc\"", HTTP_OK, 1},
    {"empty value", "", HTTP_OK, 0},
    {"empty list elements", " , qop=auth ,, nc=1 ,", HTTP_OK, 2},
    {"BWS around =", "qop = auth", HTTP_OK, 1},
    {"a scheme is not a param", "Digest qop=auth", HTTP_E_AUTH_SYNTAX, 0},
    {"a token68 is not a param", "abc==", HTTP_E_AUTH_SYNTAX, 0},
    {"no value", "qop=", HTTP_E_AUTH_SYNTAX, 0},
    {"unclosed quote", "nextnonce=\"abc", HTTP_E_AUTH_SYNTAX, 0},
    {"a param twice", "nc=1, nc=2", HTTP_E_AUTH_DUP_PARAM, 0},
    {"no comma between", "qop=auth nc=1", HTTP_E_AUTH_SYNTAX, 0},
};

static void test_params(void **state)
{
	struct auth_challenge c;

	(void)state;
	for (size_t i = 0; i < sizeof(params_cases) / sizeof(params_cases[0]);
	     i++) {
		enum http_err e = auth_parse_params(
		    params_cases[i].v, strlen(params_cases[i].v), &c);

		if (e != params_cases[i].want)
			fail_msg("%s: got %s", params_cases[i].comment,
				 http_strerror(e));
		if (e != HTTP_OK)
			continue;
		assert_int_equal(c.num_params, params_cases[i].params);
		assert_null(c.scheme);
		assert_null(c.token68);
		assert_int_equal(c.kind, AUTH_SCHEME_NONE);
	}
	/* the values point into the input, quotes off */
	assert_int_equal(auth_parse_params("rspauth=\"ab\"", 12, &c), HTTP_OK);
	assert_int_equal(c.params[0].value_len, 2);
	assert_memory_equal(c.params[0].value, "ab", 2);
	assert_true(c.params[0].quoted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_challenge_table),
	    cmocka_unit_test(test_params_split),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_collect),
	    cmocka_unit_test(test_too_many_params),
	    cmocka_unit_test(test_credentials_table),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_scheme_names),
	    cmocka_unit_test(test_scheme_of),
	    cmocka_unit_test(test_scheme_span),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_write_param),
	    cmocka_unit_test(test_write_quoted),
	    cmocka_unit_test(test_write_param_refused),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}

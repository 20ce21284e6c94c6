/*
 * tests/unit/test_chunked.c - the incremental chunked decoder
 * (RFC 9112 §7.1).
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "guardpage.h"

#include "../../http/chunked.h"
#include "../../http/message.h"

/* ---- Valid bodies ---- */

static const struct {
	const char *in; /* the chunked body, then maybe extra bytes */
	size_t extra;	/* bytes after the body that must not be taken */
	const char *decoded;
} valid[] = {
    /* RFC 9112 §7.1 shape: two chunks and the last-chunk. */
    {"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", 0, "Wikipedia"},
    /* Only the last-chunk: an empty body. */
    {"0\r\n\r\n", 0, ""},
    /* Several zeros in the last-chunk are allowed: 1*("0"). */
    {"000\r\n\r\n", 0, ""},
    /* Hex sizes, both cases. */
    {"a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", 0,
     "0123456789abcdefghij"},
    /* Leading zeros in a size. */
    {"0003\r\nabc\r\n0\r\n\r\n", 0, "abc"},
    /* Chunk extensions are ignored (§7.1.1). */
    {"3;name=value\r\nabc\r\n0;last\r\n\r\n", 0, "abc"},
    /* Extension with BWS and a quoted value. */
    {"3 ; a=\"b c\"\r\nabc\r\n0\r\n\r\n", 0, "abc"},
    /* Trailer fields are consumed and dropped (§7.1.2). */
    {"3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", 0, "abc"},
    /* Data may hold CR, LF and NUL: only the size counts. */
    {"4\r\n\r\n\0\n\r\n0\r\n\r\n", 0, "\r\n\0\n"},
    /* Bytes after the body (the next request) are left alone. */
    {"1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n", 16, "x"},
};

/* Feed a case in pieces of `step` bytes; returns decoded text in out. */
static void feed_in_steps(const char *in, size_t len, size_t step, size_t extra,
			  struct http_buf *out)
{
	struct http_chunked c;
	size_t pos = 0;
	http_chunked_init(&c);
	while (!c.done) {
		assert_true(pos < len);
		size_t n = len - pos < step ? len - pos : step;
		struct guarded g = guard_copy(in + pos, n);
		enum http_err err = HTTP_OK;
		long r = http_chunked_feed(&c, g.data, n, out, &err);
		guard_free(&g);
		if (r < 0)
			fail_msg("error %d at offset %zu (step %zu)", (int)err,
				 pos, step);
		assert_true((size_t)r <= n);
		pos += (size_t)r;
		if (!c.done)
			assert_int_equal((size_t)r, n);
	}
	assert_int_equal(pos, len - extra);
}

/* Each valid body decodes whole, in one piece and byte by byte. */
static void test_valid_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		size_t len = strlen(valid[i].in);
		size_t dlen = strlen(valid[i].decoded);
		if (i == 8) { /* the case with NULs in its data */
			len = 14;
			dlen = 4;
		}
		static const size_t steps[] = {1, 2, 3, 7, 1000};
		for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
			struct http_buf out;
			http_buf_init(&out, 0);
			feed_in_steps(valid[i].in, len, steps[s],
				      valid[i].extra, &out);
			assert_int_equal(out.len, dlen);
			if (dlen > 0)
				assert_memory_equal(out.data, valid[i].decoded,
						    dlen);
			http_buf_free(&out);
		}
	}
}

/* With out == NULL the decoder only finds the end (a relay). */
static void test_null_out(void **state)
{
	(void)state;
	const char *in = "4\r\nWiki\r\n0\r\n\r\n";
	struct http_chunked c;
	enum http_err err;
	http_chunked_init(&c);
	long r = http_chunked_feed(&c, in, strlen(in), NULL, &err);
	assert_int_equal(r, (long)strlen(in));
	assert_true(c.done);
	/* After done, nothing more is taken. */
	assert_int_equal(http_chunked_feed(&c, "x", 1, NULL, &err), 0);
}

/* ---- Malformed bodies ---- */

static const char *const invalid[] = {
    "\r\n",			/* no size at all */
    "x\r\n",			/* not hex */
    "-1\r\n",			/* a sign */
    "+1\r\n",			/* a sign */
    "0x3\r\nabc\r\n0\r\n\r\n",	/* a C prefix is not hex */
    "3\nabc\r\n0\r\n\r\n",	/* bare LF after the size */
    "3\rabc\r\n0\r\n\r\n",	/* bare CR after the size */
    "3\r\nabcd\r\n0\r\n\r\n",	/* data longer than the size */
    "3\r\nab\r\n\r\n0\r\n\r\n", /* data shorter than the size */
    "3\r\nabc\n0\r\n\r\n",	/* bare LF after data */
    "3\r\nabcX\r\n",		/* junk after data */
    "3;ext\nabc\r\n",		/* bare LF ending an extension */
    "3;a\0b\r\nabc\r\n",	/* NUL inside an extension */
    "10000000000000000\r\n",	/* 17 hex digits: overflows 64 bits */
    "0\r\nBad Trailer\r\n\r\n", /* trailer name with a space */
    "0\r\n Folded: x\r\n\r\n",	/* trailer line starting with SP */
    "0\r\nX: y\n\r\n",		/* bare LF in trailers */
    "0\r\n\rX",			/* bare CR at the end */
    " 3\r\nabc\r\n",		/* whitespace before the size */
};

/* Each malformed body gives HTTP_E_CHUNK, whole or byte by byte. */
static void test_invalid_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		size_t len = strlen(invalid[i]);
		if (i == 12)
			len = 12; /* the case with a NUL inside */
		/* All at once. */
		struct http_chunked c;
		enum http_err err = HTTP_OK;
		http_chunked_init(&c);
		struct guarded g = guard_copy(invalid[i], len);
		long r = http_chunked_feed(&c, g.data, len, NULL, &err);
		guard_free(&g);
		if (r != HTTP_PARSE_ERROR || err != HTTP_E_CHUNK)
			fail_msg("case %zu: r=%ld err=%d", i, r, (int)err);
		/* One byte at a time: the error must come, never done. */
		http_chunked_init(&c);
		bool failed = false;
		for (size_t k = 0; k < len && !failed; k++) {
			r = http_chunked_feed(&c, invalid[i] + k, 1, NULL,
					      &err);
			if (r == HTTP_PARSE_ERROR)
				failed = true;
			else
				assert_false(c.done);
		}
		if (!failed || err != HTTP_E_CHUNK)
			fail_msg("case %zu byte by byte: no HTTP_E_CHUNK", i);
	}
}

/* The largest 64-bit size parses; the decoder then waits for data. */
static void test_max_size(void **state)
{
	(void)state;
	const char *in = "ffffffffffffffff\r\nab";
	struct http_chunked c;
	enum http_err err;
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, in, strlen(in), NULL, &err),
			 (long)strlen(in));
	assert_false(c.done);
}

/* A size line longer than HTTP_MAX_CHUNK_LINE (long extension) fails. */
static void test_size_line_limit(void **state)
{
	(void)state;
	char line[HTTP_MAX_CHUNK_LINE + 16];
	struct http_chunked c;
	enum http_err err = HTTP_OK;
	line[0] = '1';
	line[1] = ';';
	memset(line + 2, 'e', sizeof line - 2);
	http_chunked_init(&c);
	long r = http_chunked_feed(&c, line, sizeof line, NULL, &err);
	assert_int_equal(r, HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_CHUNK);
	/* Just under the limit is fine. */
	http_chunked_init(&c);
	r = http_chunked_feed(&c, line, HTTP_MAX_CHUNK_LINE - 2, NULL, &err);
	assert_int_equal(r, HTTP_MAX_CHUNK_LINE - 2);
}

/* An endless trailer section is cut off. */
static void test_trailer_limit(void **state)
{
	(void)state;
	struct http_chunked c;
	enum http_err err = HTTP_OK;
	const char *line =
	    "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, "0\r\n", 3, NULL, &err), 3);
	long r = 0;
	for (int i = 0; i < 100000 && r >= 0; i++)
		r = http_chunked_feed(&c, line, strlen(line), NULL, &err);
	assert_int_equal(r, HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_CHUNK);
}

/*
 * What each limit counts, at its edge: the size line's bytes up to and
 * including its CR (not the LF); the CRLF after data starts no count of
 * its own; the whole trailer section including the final CRLF.  Each
 * case is fed whole and byte by byte.
 */
struct limit_case {
	const char *comment;
	size_t len;	 /* bytes of the counted part */
	bool trailer;	 /* the trailer section, else a size line */
	bool after_data; /* the size line comes after a first chunk */
	bool ok;
};

static const struct limit_case limit_cases[] = {
    {"size line of exactly the limit", HTTP_MAX_CHUNK_LINE, false, false, true},
    {"size line one over", HTTP_MAX_CHUNK_LINE + 1, false, false, false},
    {"second size line of exactly the limit", HTTP_MAX_CHUNK_LINE, false, true,
     true},
    {"second size line one over", HTTP_MAX_CHUNK_LINE + 1, false, true, false},
    {"trailer section of exactly the limit", HTTP_MAX_HEAD_BYTES, true, false,
     true},
    {"trailer section one over (its final LF)", HTTP_MAX_HEAD_BYTES + 1, true,
     false, false},
};

/* Build a case's body into b: returns its length. */
static size_t limit_body(const struct limit_case *tc, char *b, size_t cap)
{
	size_t n = 0;

	assert_true(tc->len + 64 < cap);
	if (tc->after_data) {
		memcpy(b, "3\r\nabc\r\n", 8);
		n = 8;
	}
	if (!tc->trailer) {
		/* "1;" then 'e's, then CR: tc->len bytes; LF, data, end */
		b[n++] = '1';
		b[n++] = ';';
		memset(b + n, 'e', tc->len - 3);
		n += tc->len - 3;
		memcpy(b + n, "\r\nx\r\n0\r\n\r\n", 10);
		return n + 10;
	}
	/* "0\r\n", then "X:" 'a's "\r\n" and "\r\n": tc->len bytes */
	memcpy(b + n, "0\r\nX:", 5);
	n += 5;
	memset(b + n, 'a', tc->len - 6);
	n += tc->len - 6;
	memcpy(b + n, "\r\n\r\n", 4);
	return n + 4;
}

static void test_limit_edges(void **state)
{
	static char body[HTTP_MAX_HEAD_BYTES + 128];

	(void)state;
	for (size_t i = 0; i < sizeof limit_cases / sizeof limit_cases[0];
	     i++) {
		const struct limit_case *tc = &limit_cases[i];
		size_t len = limit_body(tc, body, sizeof body);

		for (size_t step = 1; step <= len;
		     step = step == 1 ? len : len + 1) {
			struct http_chunked c;
			enum http_err err = HTTP_OK;
			size_t pos = 0;
			long r = 0;

			http_chunked_init(&c);
			while (pos < len && r >= 0 && !c.done) {
				size_t n = len - pos < step ? len - pos : step;

				r = http_chunked_feed(&c, body + pos, n, NULL,
						      &err);
				if (r >= 0)
					pos += (size_t)r;
			}
			if (tc->ok && (r < 0 || !c.done || pos != len))
				fail_msg("%s (step %zu): r=%ld err=%d",
					 tc->comment, step, r, (int)err);
			if (!tc->ok && (r != HTTP_PARSE_ERROR ||
					err != HTTP_E_CHUNK || c.done))
				fail_msg("%s (step %zu): not refused",
					 tc->comment, step);
		}
	}
}

/* After an error the decoder stays refused, and one only zeroed (never
 * started) refuses too. */
static void test_stays_refused(void **state)
{
	struct http_chunked c;
	enum http_err err = HTTP_OK;

	(void)state;
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, "x", 1, NULL, &err),
			 HTTP_PARSE_ERROR);
	err = HTTP_OK;
	assert_int_equal(http_chunked_feed(&c, "0\r\n\r\n", 5, NULL, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_CHUNK);
	assert_false(c.done);
	memset(&c, 0, sizeof(c));
	assert_int_equal(http_chunked_feed(&c, "0\r\n\r\n", 5, NULL, &err),
			 HTTP_PARSE_ERROR);
	assert_false(c.done);
}

/* When out refuses the data (its limit), the error says so. */
static void test_out_limit(void **state)
{
	(void)state;
	const char *in = "8\r\n12345678\r\n0\r\n\r\n";
	struct http_buf out;
	struct http_chunked c;
	enum http_err err = HTTP_OK;
	http_buf_init(&out, 4);
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, in, strlen(in), &out, &err),
			 HTTP_PARSE_ERROR);
	assert_int_equal(err, HTTP_E_BODY_TOO_LARGE);
	http_buf_free(&out);
}

/* ---- Chunk extensions (RFC 9112 §7.1.1) ---- */

struct ext_case {
	const char *in; /* a whole chunked body */
	size_t len;	/* 0: strlen(in); else the length (NULs inside) */
	bool ok;	/* valid: decodes to "Wiki" or ""; else HTTP_E_CHUNK */
};

static const struct ext_case ext_cases[] = {
    /* a name alone: chunk-ext-name = token */
    {"4;a\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* name=token */
    {"4;a=b\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* several extensions */
    {"4;a=b;c=d;e\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* BWS before ';' */
    {"4 ;a=b\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* BWS after ';' and around '=' */
    {"4; a = b\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* HTAB is BWS too */
    {"4\t;\ta\t=\tb\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* BWS between a name and the next ';' */
    {"4;a ;b\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* every tchar in a name and a token value */
    {"4;!#$%&'*+-.^_`|~09AZaz=!#$%&'*+-.^_`|~\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* an empty quoted-string */
    {"4;a=\"\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* a quoted-string with SP, HTAB, ';' and '=' inside */
    {"4;a=\"x y\t;z=1\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* quoted-pair: an escaped quote and an escaped backslash */
    {"4;a=\"q\\\"u\\\\e\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* quoted-pair may escape any VCHAR, SP or HTAB */
    {"4;a=\"\\x\\ \\\t\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* obs-text inside a quoted-string */
    {"4;a=\"\xc3\xa9\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* a quoted value, then BWS, then another extension */
    {"4;a=\"x\" ;b=\"y\"\r\nWiki\r\n0\r\n\r\n", 0, true},
    /* an extension on the last-chunk */
    {"0;last=\"end\"\r\n\r\n", 0, true},

    /* the example of the report: words with no ';' */
    {"4 zz yy\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* whitespace and a name without ';' */
    {"4 zz\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* whitespace alone after the size */
    {"4 \r\nWiki\r\n0\r\n\r\n", 0, false},
    /* a bare ';' */
    {"4;\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* ';' and whitespace, no name */
    {"4; \r\nWiki\r\n0\r\n\r\n", 0, false},
    /* an empty name between two ';' */
    {"4;;a\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* '=' with no name */
    {"4;=b\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* '=' with no value */
    {"4;a=\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* '=' and whitespace, no value */
    {"4;a= \r\nWiki\r\n0\r\n\r\n", 0, false},
    /* two names with only a space between */
    {"4;a b\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* a value, a space, then a word */
    {"4;a=b c\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* trailing whitespace after a value (BWS only before ';' or '=') */
    {"4;a=b \r\nWiki\r\n0\r\n\r\n", 0, false},
    /* '@' is not a tchar */
    {"4;a@b\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* '(' in a token value */
    {"4;a=(b)\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* a DQUOTE inside a token value */
    {"4;a=b\"c\"\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* bytes right after a closing DQUOTE */
    {"4;a=\"x\"y\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* an unterminated quoted-string: CRLF is not qdtext */
    {"4;a=\"x\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* LF inside a quoted-string */
    {"4;a=\"x\ny\"\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* NUL inside a quoted-string */
    {"4;a=\"x\0\"\r\nWiki\r\n0\r\n\r\n", 21, false},
    /* NUL inside a name */
    {"4;a\0b\r\nWiki\r\n0\r\n\r\n", 18, false},
    /* a control byte inside a quoted-string */
    {"4;a=\"\x01\"\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* a quoted-pair cannot escape CR */
    {"4;a=\"x\\\r\"\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* DEL after a name */
    {"4;a\x7f\r\nWiki\r\n0\r\n\r\n", 0, false},
    /* a bad extension on the last-chunk */
    {"0 last\r\n\r\n", 0, false},
};

/* Each case whole and byte by byte: valid ones decode, others fail. */
static void test_extensions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ext_cases / sizeof ext_cases[0]; i++) {
		const struct ext_case *tc = &ext_cases[i];
		size_t len = tc->len ? tc->len : strlen(tc->in);
		static const size_t steps[] = {1, 1000};

		print_message("case %zu: %s\n", i,
			      tc->ok ? "valid" : "invalid");
		for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
			struct http_chunked c;
			struct http_buf out;
			enum http_err err = HTTP_OK;
			size_t pos = 0;
			long r = 0;

			http_buf_init(&out, 0);
			http_chunked_init(&c);
			while (pos < len && !c.done) {
				size_t n =
				    len - pos < steps[s] ? len - pos : steps[s];
				struct guarded g = guard_copy(tc->in + pos, n);

				r = http_chunked_feed(&c, g.data, n, &out,
						      &err);
				guard_free(&g);
				if (r < 0)
					break;
				pos += (size_t)r;
			}
			if (tc->ok) {
				if (r < 0 || !c.done || pos != len)
					fail_msg("case %zu: refused (err %d)",
						 i, (int)err);
				assert_int_equal(out.len,
						 tc->in[0] == '0' ? 0 : 4);
			} else if (r != HTTP_PARSE_ERROR ||
				   err != HTTP_E_CHUNK) {
				fail_msg("case %zu: accepted (step %zu)", i,
					 steps[s]);
			}
			http_buf_free(&out);
		}
	}
}

/* A long quoted extension: fine under HTTP_MAX_CHUNK_LINE, refused past
 * it, even though every byte is valid qdtext. */
static void test_extension_limit(void **state)
{
	(void)state;
	char line[HTTP_MAX_CHUNK_LINE + 64];
	struct http_chunked c;
	enum http_err err = HTTP_OK;
	size_t n;

	for (size_t fill = HTTP_MAX_CHUNK_LINE - 16;
	     fill <= HTTP_MAX_CHUNK_LINE + 16; fill += 32) {
		memcpy(line, "1;a=\"", 5);
		memset(line + 5, 'q', fill);
		memcpy(line + 5 + fill, "\"\r\nx\r\n0\r\n\r\n", 11);
		n = 5 + fill + 11;
		http_chunked_init(&c);
		long r = http_chunked_feed(&c, line, n, NULL, &err);
		if (fill < HTTP_MAX_CHUNK_LINE - 8) {
			/* the size line is about fill + 8 bytes */
			assert_int_equal(r, (long)n);
			assert_true(c.done);
		} else {
			assert_int_equal(r, HTTP_PARSE_ERROR);
			assert_int_equal(err, HTTP_E_CHUNK);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_bodies),
	    cmocka_unit_test(test_null_out),
	    cmocka_unit_test(test_invalid_bodies),
	    cmocka_unit_test(test_max_size),
	    cmocka_unit_test(test_size_line_limit),
	    cmocka_unit_test(test_trailer_limit),
	    cmocka_unit_test(test_out_limit),
	    cmocka_unit_test(test_extensions),
	    cmocka_unit_test(test_extension_limit),
	    cmocka_unit_test(test_limit_edges),
	    cmocka_unit_test(test_stays_refused),
	};
	return cmocka_run_group_tests_name("chunked", tests, NULL, NULL);
}

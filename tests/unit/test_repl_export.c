/*
 * tests/unit/test_repl_export.c - the REPL's `dot FILE`: every arrow is
 * labelled with its first line and the authentication fields of its
 * message, shortened ("…" for nonces, hashes and tokens), the lab's ports
 * replaced by proxy.lab and origin.lab, and whatever a peer sent escaped
 * so Graphviz reads it.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../repl/export_dot.h"
#include "../../repl/lab_set.h"
#include "../../repl/lab_state.h"
#include "../../repl/lab_step.h"
#include "../../repl/repl.h"

#define ELLIPSIS "\xe2\x80\xa6"

struct fixture {
	struct lab lab;
	struct repl r;
	FILE *null;
	char path[64]; /* the .dot file written */
	char *dot;     /* its contents, after write_file() */
};

static int setup(void **state)
{
	char err[256];
	struct fixture *fx = calloc(1, sizeof(*fx));
	int fd;

	if (fx == NULL || !lab_open(&fx->lab, err, sizeof(err))) {
		fprintf(stderr, "lab_open: %s\n", fx ? err : "no memory");
		return -1;
	}
	fx->null = fopen("/dev/null", "w");
	snprintf(fx->path, sizeof(fx->path), "/tmp/lab407-dot-XXXXXX");
	fd = mkstemp(fx->path);
	if (fx->null == NULL || fd < 0)
		return -1;
	close(fd);
	repl_init(&fx->r, &fx->lab, fx->null, fx->null);
	fx->r.script = true;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	lab_close(&fx->lab);
	fclose(fx->null);
	unlink(fx->path);
	free(fx->dot);
	free(fx);
	return 0;
}

/* Run `dot PATH` and read the file back into fx->dot. */
static const char *write_file(struct fixture *fx)
{
	char *argv[] = {"dot", fx->path, NULL};
	FILE *f;
	long n;

	assert_int_equal(export_dot(&fx->r, 2, argv), REPL_OK);
	f = fopen(fx->path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	free(fx->dot);
	fx->dot = calloc(1, (size_t)n + 1);
	assert_non_null(fx->dot);
	assert_int_equal(fread(fx->dot, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return fx->dot;
}

/* Run an exchange to its end. */
static void run(struct fixture *fx, const char *method, const char *target)
{
	char err[256];
	int guard = 0;

	if (!lab_begin(&fx->lab, method, target, NULL, err, sizeof(err)))
		fail_msg("lab_begin: %s", err);
	while (lab_step(&fx->lab, err, sizeof(err)) == LAB_STEP_MOVED)
		assert_true(guard++ < LAB_MAX_MSGS);
	assert_true(fx->lab.done);
}

/* "127.0.0.1:PORT" of party p. */
static const char *addr(const struct fixture *fx, enum lab_party p)
{
	static char s[32];

	snprintf(s, sizeof(s), "127.0.0.1:%u", fx->lab.port[p]);
	return s;
}

/*
 * Graphviz can read it: every label="..." ends at an unescaped quote
 * followed by what write_dot puts there, and the only bytes outside
 * ASCII are our own "…" and the "§" of the RFC sections in the lab's
 * own TCP lines.
 */
static void assert_well_formed(const char *dot)
{
	const char *p = dot;

	for (; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80) {
			if (strncmp(p, "§", 2) == 0) {
				p += 1;
				continue;
			}
			if (strncmp(p, ELLIPSIS, 3) != 0)
				fail_msg("a byte 0x%02x that is not ours at "
					 "offset %td",
					 (unsigned char)*p, p - dot);
			p += 2;
		}
	}
	for (p = strstr(dot, "label=\""); p != NULL;
	     p = strstr(p, "label=\"")) {
		p += 7;
		while (*p != '\0' && *p != '"' && *p != '\n') {
			if (*p == '\\')
				p++;
			p++;
		}
		if (*p != '"' || (p[1] != ';' && p[1] != ',' && p[1] != ']'))
			fail_msg("a label does not end cleanly: '%.40s'", p);
	}
}

/* ---- Real exchanges ---- */

/* Digest with a stale nonce: the diagram shows stale=true, never a nonce,
 * and the proxy's and origin's ports only as proxy.lab and origin.lab. */
static void test_digest_stale(void **state)
{
	struct fixture *fx = *state;
	char err[256], nonce[80];
	const char *dot, *n;
	const struct lab_msg *m;

	lab_defaults(&fx->lab);
	assert_true(
	    lab_set_schemes(&fx->lab, LAB_PROXY, "digest", err, sizeof(err)));
	assert_true(lab_set_break(&fx->lab, LAB_BREAK_STALE, err, sizeof(err)));
	run(fx, "GET", "/");
	/* the nonce of the first 407, to look for later */
	m = lab_msg_at(&fx->lab, 2);
	assert_non_null(m);
	n = strstr(m->bytes.data, "nonce=\"");
	assert_non_null(n);
	snprintf(nonce, sizeof(nonce), "%.20s", n + 7);

	dot = write_file(fx);
	assert_well_formed(dot);
	/* the stale challenge, on the fourth arrow */
	assert_non_null(strstr(dot, "[4] HTTP/1.1 407 Proxy Authentication "
				    "Required\\lProxy-Authenticate: Digest "
				    "realm=" ELLIPSIS));
	assert_non_null(strstr(dot, "stale=true\\l"));
	/* the credentials: who and which algorithm, not the hashes */
	assert_non_null(strstr(dot, "Proxy-Authorization: Digest "
				    "username=\\\"alice\\\""));
	assert_non_null(strstr(dot, "algorithm=SHA-256"));
	assert_null(strstr(dot, nonce));
	assert_null(strstr(dot, "cnonce=\\\""));
	/* stable names instead of this run's ports */
	assert_non_null(strstr(dot, "GET http://origin.lab/ HTTP/1.1"));
	assert_null(strstr(dot, addr(fx, LAB_ORIGIN)));
	assert_null(strstr(dot, addr(fx, LAB_PROXY)));
}

/* Basic: the token is cut to four characters; the origin's challenge
 * and the proxy's are both on their arrows. */
static void test_basic(void **state)
{
	struct fixture *fx = *state;
	const char *dot;

	lab_defaults(&fx->lab);
	run(fx, "GET", "/private");
	dot = write_file(fx);
	assert_well_formed(dot);
	assert_non_null(
	    strstr(dot, "Proxy-Authorization: Basic YWxp" ELLIPSIS "\\l"));
	assert_non_null(strstr(dot, "Authorization: Basic YWxp" ELLIPSIS));
	assert_null(strstr(dot, "YWxpY2U6d29uZGVybGFuZA=="));
	assert_non_null(strstr(dot, "[5] HTTP/1.1 401 Unauthorized\\l"
				    "WWW-Authenticate: Basic realm=" ELLIPSIS));
	assert_non_null(strstr(dot, "Proxy-Authenticate: Basic realm="));
	/* no tunnel row when there was no tunnel */
	assert_null(strstr(dot, "opaque bytes"));
}

/* CONNECT: authority-form with the stable name, the 200 at the end. */
static void test_connect(void **state)
{
	struct fixture *fx = *state;
	const char *dot;

	lab_defaults(&fx->lab);
	run(fx, "CONNECT", LAB_ORIGIN_ALIAS);
	dot = write_file(fx);
	assert_well_formed(dot);
	assert_non_null(strstr(dot, "[1] CONNECT origin.lab HTTP/1.1\\l"));
	assert_non_null(strstr(dot, "[4] HTTP/1.1 200 Connection "
				    "established\\l"));
	/* a last row: the byte pipe the proxy cannot read */
	assert_non_null(strstr(dot, "c5 -> p5 [constraint=false, dir=both"));
	assert_non_null(strstr(dot, "tunnel: opaque bytes (TLS)"));
	assert_null(strstr(dot, addr(fx, LAB_ORIGIN)));
}

/* ---- Hostile bytes ---- */

/* Put one response of the given head into the exchange, as if a peer
 * (an external proxy, say) had sent it. */
static void fake_response(struct fixture *fx, const char *head)
{
	struct lab_msg *m;

	lab_clear(&fx->lab);
	m = &fx->lab.msgs[0];
	memset(m, 0, sizeof(*m));
	m->n = 1;
	m->leg = LAB_P2C;
	http_buf_init(&m->bytes, LAB_MAX_MESSAGE);
	http_buf_append(&m->bytes, head, strlen(head));
	m->head_len = m->bytes.len;
	m->status = 407;
	snprintf(m->line, sizeof(m->line), "HTTP/1.1 407 \"quoted\" \\N");
	fx->lab.num_msgs = 1;
}

struct hostile_case {
	const char *comment;
	const char *head;
	const char *want;   /* must appear in the file, or NULL */
	const char *absent; /* must not appear, or NULL */
};

static const struct hostile_case hostile_cases[] = {
    /* quotes and backslashes of a quoted-string stay escaped */
    {"quoted-pair in a kept value",
     "HTTP/1.1 407 X\r\nProxy-Authenticate: Digest algorithm=\"a\\\"b\\\\\", "
     "stale=true\r\n\r\n",
     "algorithm=\\\"a\\\\\\\"b\\\\\\\\\\\"", NULL},
    /* bytes over 0x7f (obs-text, allowed in a quoted-string) become '?',
     * never invalid UTF-8 in the label */
    {"non-ASCII bytes",
     "HTTP/1.1 407 X\r\nProxy-Authenticate: Digest realm=x, "
     "username=\"\xc3\"\r\n\r\n",
     "Proxy-Authenticate: Digest realm=" ELLIPSIS ", username=\\\"?\\\"", NULL},
    /* "\xff\xfe" is no token, so no scheme: the value does not parse
     * (RFC 9110 §11.6.1) and nothing of it is shown as a param */
    {"no scheme",
     "HTTP/1.1 407 X\r\nProxy-Authenticate: \xff\xfe realm=x, "
     "username=\"\xc3\"\r\n\r\n",
     "Proxy-Authenticate: " ELLIPSIS "\\l", "username"},
    /* credentials that do not parse: the scheme, then "…" */
    {"credentials that do not parse",
     "HTTP/1.1 407 X\r\nAuthorization: Digest username=\"a\", "
     "username=\"b\"\r\n\r\n",
     "Authorization: Digest " ELLIPSIS "\\l", "username"},
    /* Proxy-Authentication-Info: bare params (RFC 9110 §11.7.3) */
    {"-Info params",
     "HTTP/1.1 407 X\r\nProxy-Authentication-Info: nextnonce=\"abc\", "
     "qop=auth, rspauth=\"x\", nc=00000001\r\n\r\n",
     "Proxy-Authentication-Info: " ELLIPSIS ", qop=auth, " ELLIPSIS
     ", nc=00000001\\l",
     "abc"},
    /* bare schemes, several challenges in one field */
    {"several challenges",
     "HTTP/1.1 407 X\r\nProxy-Authenticate: Negotiate, NTLM, Basic "
     "realm=\"r\"\r\n\r\n",
     "Proxy-Authenticate: Negotiate, NTLM, Basic realm=" ELLIPSIS, NULL},
    /* a quote that never closes does not run past the field */
    {"unclosed quote",
     "HTTP/1.1 407 X\r\nProxy-Authenticate: Digest nonce=\"abc, "
     "stale=true\r\nX-After: 1\r\n\r\n",
     "Proxy-Authenticate: Digest " ELLIPSIS, "X-After"},
    /* an empty value */
    {"empty value", "HTTP/1.1 407 X\r\nProxy-Authenticate: \r\n\r\n",
     "Proxy-Authenticate: \\l", NULL},
};

static void test_hostile(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		const struct hostile_case *c = &hostile_cases[i];
		const char *dot;

		fake_response(fx, c->head);
		dot = write_file(fx);
		assert_well_formed(dot);
		/* the status line's quote and backslash are escaped too */
		assert_non_null(strstr(dot, "407 \\\"quoted\\\" \\\\N"));
		if (c->want != NULL && strstr(dot, c->want) == NULL)
			fail_msg("%s: '%s' missing in\n%s", c->comment, c->want,
				 dot);
		if (c->absent != NULL && strstr(dot, c->absent) != NULL)
			fail_msg("%s: '%s' present", c->comment, c->absent);
	}
}

/* Long and many fields are cut: one line stays short, a label holds at
 * most six auth lines and then "…". */
static void test_bounded(void **state)
{
	struct fixture *fx = *state;
	static char head[16384];
	size_t used = 0, i;
	const char *dot, *p;

	used += (size_t)snprintf(head + used, sizeof(head) - used,
				 "HTTP/1.1 407 X\r\n");
	for (i = 0; i < 10; i++) {
		used += (size_t)snprintf(head + used, sizeof(head) - used,
					 "Proxy-Authenticate: Digest ");
		/* 1200 bytes of kept params: shown, then cut */
		while (used < (i + 1) * 1300)
			used +=
			    (size_t)snprintf(head + used, sizeof(head) - used,
					     "username=u%zu, ", i);
		used += (size_t)snprintf(head + used, sizeof(head) - used,
					 "stale=true\r\n");
	}
	snprintf(head + used, sizeof(head) - used, "\r\n");
	assert_true(used + 3 < sizeof(head));
	fake_response(fx, head);
	dot = write_file(fx);
	assert_well_formed(dot);
	/* six lines, each cut with "…", then a last "…" */
	for (i = 0, p = dot; (p = strstr(p, "Proxy-Authenticate:")) != NULL;
	     p++)
		i++;
	assert_int_equal(i, 6);
	assert_non_null(strstr(dot, ELLIPSIS "\\l" ELLIPSIS "\\l\""));
	/* no label line near the size of what was sent */
	p = strstr(dot, "label=\"[1]");
	assert_non_null(p);
	while (*p != '\0') {
		const char *e = strstr(p, "\\l");
		if (e == NULL)
			break;
		assert_true(e - p < 200);
		p = e + 2;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_stale), cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_connect),	 cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests_name("repl_export", tests, setup,
					   teardown);
}

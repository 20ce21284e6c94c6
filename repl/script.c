/*
 * repl/script.c - lab scripts: the REPL's commands one a line, `#`
 * comments, and `expect` lines that check the last response.
 *
 *   bin/repl --check FILE   stops at the first failure, exit 1, with
 *                           "FILE:LINE: expected 407, got 200"
 *   bin/repl < FILE         the same lines, errors reported and skipped
 *
 * An `expect` first runs the exchange to its end, so a script need not
 * say `run`.
 */
#define _POSIX_C_SOURCE 200809L

#include "script.h"
#include "command.h"
#include "drive.h"
#include "repl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Checking ---- */

/* Case-insensitive search of needle in hay[0..n). */
static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k == 0)
		return true;
	for (i = 0; i + k <= n; i++)
		if (strncasecmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* Append a description of what was expected, for the outcomes table. */
static void note_expected(struct repl *r, const char *what)
{
	size_t used = strlen(r->expected);

	snprintf(r->expected + used, sizeof(r->expected) - used, "%s%s",
		 used ? " " : "", what);
}

/* Report a failed expect (quietly while `outcomes` collects rows). */
static enum repl_rc failed(struct repl *r, const char *fmt, const char *a,
			   const char *b)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, a, b);
	if (r->failure[0] == '\0')
		snprintf(r->failure, sizeof(r->failure), "%s", msg);
	if (!r->in_outcomes)
		repl_error(r, "%s", msg);
	return REPL_FAIL;
}

/* Find field `name` of the response m whose value contains text. */
static bool header_has(const struct lab_msg *m, const char *name,
		       const char *text, bool *present)
{
	struct http_response resp;
	enum http_err e;
	size_t pos = 0;
	const struct http_header *h;

	*present = false;
	if (http_parse_response(m->bytes.data, m->bytes.len, &resp, &e) <= 0)
		return false;
	while ((h = http_header_next(resp.headers, resp.num_headers, name,
				     &pos)) != NULL) {
		*present = true;
		if (text == NULL || contains(h->value, h->value_len, text))
			return true;
	}
	return false;
}

/*
 * The TEXT of `expect seen TEXT`, `expect why TEXT` and `expect header
 * NAME TEXT` may be several words: join them with one space into
 * text[cap] and make them one argument.  Other lines are left alone.
 * False when the joined words
 * do not fit.  Pure (no lab needed), so tests/fuzz reaches it.
 */
bool script_expect_words(int *argc, char **argv, char *text, size_t cap)
{
	int first, i;
	size_t used = 0;
	bool seen = *argc > 3 && (strcmp(argv[1], "seen") == 0 ||
				  strcmp(argv[1], "not-seen") == 0 ||
				  strcmp(argv[1], "why") == 0);
	bool header = *argc > 4 && strcmp(argv[1], "header") == 0;

	if (!seen && !header)
		return true;
	first = header ? 3 : 2;
	for (i = first; i < *argc; i++) {
		size_t n = strlen(argv[i]) + (i > first ? 1 : 0);

		if (n >= cap - used)
			return false;
		used += (size_t)snprintf(text + used, cap - used, "%s%s",
					 i > first ? " " : "", argv[i]);
	}
	argv[first] = text;
	*argc = first + 1;
	return true;
}

/* `expect ...` on the last response of the exchange (run to its end). */
/* Each form of `expect WORD ...` against the last response m (not
 * NULL); REPL_USAGE when the words do not fit, said by the caller. */
typedef enum repl_rc (*expect_fn)(struct repl *r, const struct lab_msg *m,
				  int argc, char **argv);

/* expect from proxy|origin */
static enum repl_rc expect_from(struct repl *r, const struct lab_msg *m,
				int argc, char **argv)
{
	const char *who = lab_party_name(m->answered_by);
	char want[160];

	if (argc != 3 || lab_party_from(argv[2]) < 0)
		return REPL_USAGE;
	snprintf(want, sizeof(want), "from %s", argv[2]);
	note_expected(r, want);
	if (m->who_unknown)
		return failed(r,
			      "expected the answer from the %s, but "
			      "the lab cannot tell who wrote it (%s)",
			      argv[2],
			      "no Via, and no Server or "
			      "X-Squid-Error that names a proxy");
	if (strcasecmp(who, argv[2]) != 0)
		return failed(r,
			      "expected the answer from the %s, "
			      "got it from the %s",
			      argv[2], who);
	return REPL_OK;
}

/* expect header NAME TEXT | no-header NAME */
static enum repl_rc expect_header(struct repl *r, const struct lab_msg *m,
				  int argc, char **argv)
{
	bool no = argv[1][0] == 'n', present, hit;

	if ((no && argc != 3) || (!no && argc != 4))
		return REPL_USAGE;
	hit = header_has(m, argv[2], no ? NULL : argv[3], &present);
	if (no && present)
		return failed(r, "expected no %s field, got one%s", argv[2],
			      "");
	if (!no && !present)
		return failed(r, "expected a %s field, got none%s", argv[2],
			      "");
	if (!no && !hit)
		return failed(r, "expected %s to contain '%s'", argv[2],
			      argv[3]);
	return REPL_OK;
}

/* Where `expect seen`, `not-seen` and `why` look for their TEXT. */
enum expect_look {
	LOOK_SEEN,     /* a message's bytes, its TLS note or what `break`
			  did to it */
	LOOK_NOT_SEEN, /* a message's bytes */
	LOOK_WHY       /* a receiver's why-line: the reason a server gives
			  only there (an unknown user and a wrong password
			  look the same on the wire) */
};

/* The first message (from 0) holding text where `look` looks, or
 * v->num_msgs when none does. */
static size_t first_holding(const struct lab_view *v, enum expect_look look,
			    const char *text)
{
	size_t i;

	for (i = 0; i < v->num_msgs; i++) {
		const struct lab_msg *m = &v->msgs[i];

		if (look == LOOK_WHY
			? strstr(m->why, text) != NULL
			: contains(m->bytes.data, m->bytes.len, text) ||
			      (look == LOOK_SEEN &&
			       (contains(m->tls, strlen(m->tls), text) ||
				contains(m->broken, strlen(m->broken), text))))
			break;
	}
	return i;
}

/* expect seen TEXT | not-seen TEXT | why TEXT: in the whole exchange */
static enum repl_rc expect_text(struct repl *r, const struct lab_msg *m,
				int argc, char **argv)
{
	static const char *const noted[] = {"saw", "never", "why:"};
	enum expect_look look = strcmp(argv[1], "seen") == 0  ? LOOK_SEEN
				: strcmp(argv[1], "why") == 0 ? LOOK_WHY
							      : LOOK_NOT_SEEN;
	char want[160], num[24];
	struct lab_view v;
	size_t i;

	(void)m;
	if (argc != 3)
		return REPL_USAGE;
	snprintf(want, sizeof(want), "%s %s", noted[look], argv[2]);
	note_expected(r, want);
	lab_view(r->lab, &v);
	i = first_holding(&v, look, argv[2]);
	if (look == LOOK_NOT_SEEN) {
		if (i == v.num_msgs)
			return REPL_OK;
		snprintf(num, sizeof(num), "%zu", i + 1);
		return failed(r,
			      "expected no message to contain "
			      "'%s', but message %s does",
			      argv[2], num);
	}
	if (i < v.num_msgs)
		return REPL_OK;
	return failed(r,
		      look == LOOK_WHY
			  ? "expected some why line to contain '%s'%s"
			  : "expected some message to contain '%s'%s",
		      argv[2], "");
}

static const struct {
	const char *word;
	expect_fn fn;
} expect_forms[] = {
    {"from", expect_from},	  {"header", expect_header},
    {"no-header", expect_header}, {"seen", expect_text},
    {"not-seen", expect_text},	  {"why", expect_text},
};

enum repl_rc script_expect(struct repl *r, int argc, char **argv)
{
	const struct lab_msg *m;
	char got[64], text[REPL_MAX_LINE];
	enum repl_rc rc;

	if (!script_expect_words(&argc, argv, text, sizeof(text)))
		goto usage;
	rc = drive_finish(r);
	if (rc != REPL_OK)
		return rc;
	m = lab_last_response(r->lab);

	if (isdigit((unsigned char)argv[1][0])) {
		if (argc != 2)
			goto usage;
		note_expected(r, argv[1]);
		if (m == NULL)
			return failed(r, "expected %s, got no response%s",
				      argv[1], " (start an exchange first)");
		snprintf(got, sizeof(got), "%d", m->status);
		if (atoi(argv[1]) != m->status)
			return failed(r, "expected %s, got %s", argv[1], got);
		return REPL_OK;
	}
	if (m == NULL)
		return failed(r, "expected a response, got %s%s", "none",
			      " (start an exchange first)");
	for (size_t i = 0; i < sizeof(expect_forms) / sizeof(expect_forms[0]);
	     i++) {
		if (strcmp(argv[1], expect_forms[i].word) != 0)
			continue;
		rc = expect_forms[i].fn(r, m, argc, argv);
		if (rc != REPL_USAGE)
			return rc;
		break;
	}
usage:
	repl_error(r, "usage: expect STATUS | from proxy|origin | header NAME "
		      "TEXT | no-header NAME | seen TEXT | not-seen TEXT | why "
		      "TEXT");
	return REPL_USAGE;
}

/* ---- Running ---- */

/*
 * Read one line into buf (cap bytes) without the line end.  Returns 1 for
 * a line, 0 at the end of input, -1 for a line longer than the buffer
 * (the rest of it is read and dropped, so memory stays bounded).
 */
int script_read_line(FILE *in, char *buf, size_t cap)
{
	size_t n;
	int c;

	if (fgets(buf, (int)cap, in) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		return 1;
	}
	if (feof(in))
		return 1;
	while ((c = fgetc(in)) != EOF && c != '\n')
		;
	return -1;
}

int script_run_file(struct repl *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[REPL_MAX_LINE];
	int status = 0, got;

	if (f == NULL) {
		fprintf(r->err, "%s: cannot read the lab script\n", path);
		return 1;
	}
	r->file = path;
	r->line = 0;
	while (!r->quit &&
	       (got = script_read_line(f, line, sizeof(line))) != 0) {
		r->line++;
		if (got < 0) {
			repl_error(r, "line too long");
			status = 1;
			break;
		}
		if (r->echo && line[strspn(line, " \t")] != '\0' &&
		    line[strspn(line, " \t")] != '#')
			fprintf(r->out, "\n%s> %s%s\n", repl_color(r, "dim"),
				line, repl_color(r, "off"));
		if (command_exec(r, line, false) != REPL_OK) {
			status = 1;
			break;
		}
	}
	fclose(f);
	r->file = NULL;
	return status;
}

int script_run_stream(struct repl *r, FILE *in)
{
	char line[REPL_MAX_LINE];
	int status = 0, got;

	while (!r->quit &&
	       (got = script_read_line(in, line, sizeof(line))) != 0) {
		if (got < 0) {
			repl_error(r, "line too long");
			status = 1;
			continue;
		}
		if (command_exec(r, line, false) != REPL_OK)
			status = 1;
	}
	return status;
}

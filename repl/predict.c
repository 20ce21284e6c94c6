/*
 * repl/predict.c - predict, then see: before a response reaches the
 * client, the student says who will answer (proxy or origin) and with
 * which status; then the message and its why-line are shown, and the
 * guess is graded and counted.
 *
 *   predict on|off           at a terminal: ask before each response
 *   predict proxy 407        a guess for the next response (lab scripts)
 *   predict strict on|off    a wrong guess fails `--check`
 *   predict score            the score so far
 *   why on|off               show or hide the why-lines
 *
 * Nothing here waits for a person unless r->ask is set (bin/repl sets it
 * only when stdin is a terminal), so a lab script never blocks.  With
 * `bin/repl --check FILE --predictions OUT` every graded guess is one
 * tab-separated line of OUT, for a teacher to collect.
 */
#define _POSIX_C_SOURCE 200809L

#include "predict.h"
#include "repl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Reading a guess ---- */

/*
 * "proxy 407", "origin 200", "407 proxy": who and a three-digit status.
 * False when the words are not that.
 */
static bool parse_guess(const char *a, const char *b, enum lab_party *who,
			int *status)
{
	const char *word = a, *num = b;
	int p;

	if (a == NULL || b == NULL)
		return false;
	if (isdigit((unsigned char)a[0])) {
		word = b;
		num = a;
	}
	p = lab_party_from(word);
	if (p < 0 || strlen(num) != 3 || !isdigit((unsigned char)num[0]) ||
	    !isdigit((unsigned char)num[1]) || !isdigit((unsigned char)num[2]))
		return false;
	*who = (enum lab_party)p;
	*status = atoi(num);
	return *status >= 100 && *status <= 599;
}

static void set_guess(struct repl *r, enum lab_party who, int status)
{
	r->pred.pending = true;
	r->pred.who = who;
	r->pred.status = status;
	r->pred.line = r->file != NULL ? r->line : 0;
}

/* ---- Asking and grading ---- */

void predict_before(struct repl *r)
{
	char *line;
	char a[16] = "", b[16] = "";
	enum lab_party who;
	int status, tries;

	if (!r->pred.on || r->pred.pending || r->ask == NULL || r->in_outcomes)
		return;
	for (tries = 0; tries < 3; tries++) {
		line = r->ask("predict: who answers, and with which status? "
			      "(e.g. proxy 407; Enter skips) ");
		if (line == NULL)
			return;
		a[0] = b[0] = '\0';
		sscanf(line, "%15s %15s", a, b);
		free(line);
		if (a[0] == '\0')
			return; /* skipped: no guess, no score */
		if (parse_guess(a, b, &who, &status)) {
			set_guess(r, who, status);
			return;
		}
		fprintf(r->out, "say proxy or origin and a status, e.g. "
				"origin 401\n");
	}
}

enum repl_rc predict_after(struct repl *r, const struct lab_msg *m)
{
	bool right;
	const char *got = lab_party_name(m->answered_by);

	if (!r->pred.pending || m->leg != LAB_P2C)
		return REPL_OK;
	r->pred.pending = false;
	right = m->status == r->pred.status && !m->who_unknown &&
		m->answered_by == r->pred.who;
	r->pred.made++;
	r->pred.right += right;
	if (r->pred.log != NULL)
		fprintf(r->pred.log, "%s:%u\tpredicted %s %d\tgot %s %d\t%s\n",
			r->file != NULL ? r->file : "-", r->pred.line,
			lab_party_name(r->pred.who), r->pred.status,
			m->who_unknown ? "unknown" : got, m->status,
			right ? "right" : "wrong");
	fprintf(
	    r->out, "%sprediction: %s %d, got %s %d: %s%s (%u of %u right)\n",
	    repl_color(r, right ? "good" : "bad"), lab_party_name(r->pred.who),
	    r->pred.status, m->who_unknown ? "(cannot tell)" : got, m->status,
	    right ? "right" : "wrong", repl_color(r, "off"), r->pred.right,
	    r->pred.made);
	if (!right && r->pred.strict) {
		unsigned saved = r->line;
		r->line = r->pred.line ? r->pred.line : r->line;
		repl_error(r, "predicted %s %d, got %s %d",
			   lab_party_name(r->pred.who), r->pred.status, got,
			   m->status);
		r->line = saved;
		return REPL_FAIL;
	}
	return REPL_OK;
}

void predict_summary(struct repl *r)
{
	if (r->pred.made == 0)
		return;
	fprintf(r->out, "predictions: %u of %u right\n", r->pred.right,
		r->pred.made);
	if (r->pred.log != NULL)
		fprintf(r->pred.log, "# predictions: %u of %u right\n",
			r->pred.right, r->pred.made);
}

/* ---- The commands ---- */

/* `predict on|off | strict on|off | score | WHO STATUS` */
enum repl_rc predict_cmd(struct repl *r, int argc, char **argv)
{
	enum lab_party who;
	int status;

	if (argc == 2 &&
	    (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
		r->pred.on = argv[1][1] == 'n';
		if (!r->pred.on)
			fprintf(r->out, "predict off\n");
		else if (r->ask == NULL)
			fprintf(r->out,
				"predict on, but there is no terminal to ask "
				"on: write `predict proxy 407` before a "
				"response instead\n");
		else
			fprintf(r->out,
				"predict on: before each response you say who "
				"answers and with which status\n");
		return REPL_OK;
	}
	if (argc == 2 && strcmp(argv[1], "score") == 0) {
		fprintf(r->out, "predictions: %u of %u right\n", r->pred.right,
			r->pred.made);
		return REPL_OK;
	}
	if (argc == 3 && strcmp(argv[1], "strict") == 0 &&
	    (strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0)) {
		r->pred.strict = argv[2][1] == 'n';
		fprintf(r->out, "predict strict %s: a wrong prediction %s\n",
			argv[2],
			r->pred.strict ? "fails the script"
				       : "is only counted");
		return REPL_OK;
	}
	if (argc == 3 && parse_guess(argv[1], argv[2], &who, &status)) {
		if (r->pred.pending)
			fprintf(r->out,
				"(replaces the guess %s %d, not yet graded)\n",
				lab_party_name(r->pred.who), r->pred.status);
		set_guess(r, who, status);
		if (!r->script)
			fprintf(r->out,
				"predicted: the next response comes from the "
				"%s, status %d\n",
				lab_party_name(who), status);
		return REPL_OK;
	}
	repl_error(r, "usage: predict on|off | proxy|origin STATUS | strict "
		      "on|off | score");
	return REPL_USAGE;
}

/* `why on|off`: the why-lines shown or hidden. */
enum repl_rc predict_why(struct repl *r, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "on") != 0 &&
	    strcmp(argv[1], "off") != 0) {
		repl_error(r, "usage: why on|off");
		return REPL_USAGE;
	}
	r->why_off = argc == 2 ? strcmp(argv[1], "off") == 0 : !r->why_off;
	fprintf(r->out, "why-lines %s\n",
		r->why_off ? "hidden (why on shows them)" : "shown");
	return REPL_OK;
}

/*
 * repl/outcomes.c - `outcomes`: every row of the outcomes table of lesson 05,
 * run live against the embedded servers, printed as a table.
 *
 * The rows are data, not code: lessons/outcomes.lab is a lab script cut
 * into sections by "# row: SCENARIO" lines.  The same file passes
 * `bin/repl --check lessons/outcomes.lab`, because each section starts
 * with `reset` and ends with its `expect` lines.
 */
#define _POSIX_C_SOURCE 200809L

#include "outcomes.h"
#include "command.h"
#include "lab_set.h"
#include "reference.h"
#include "repl.h"
#include "script.h"

#include <stdlib.h>
#include <string.h>

#define OUTCOMES_FILE "outcomes.lab"
#define OUTCOMES_ROW "# row:"

/* ---- One row ---- */

struct row {
	char scenario[96];
	bool open;
	unsigned first_line;
};

/* Print the row just run and say whether it passed. */
static bool row_end(struct repl *r, struct row *w, bool quiz)
{
	const struct lab_msg *m = lab_last_response(r->lab);
	char got[48] = "no response";
	bool pass = r->failure[0] == '\0' && m != NULL;

	if (!w->open)
		return true;
	if (m != NULL)
		snprintf(got, sizeof(got), "%d from %s", m->status,
			 lab_party_name(m->answered_by));
	/* --quiz: the expected column is the question, so it stays hidden */
	fprintf(r->out, "%-50.50s %-22.22s %-16s %s%s%s\n", w->scenario,
		quiz ? "?" : r->expected, got,
		repl_color(r, pass ? "good" : "bad"), pass ? "pass" : "FAIL",
		repl_color(r, "off"));
	if (!pass && r->failure[0] != '\0')
		fprintf(r->out, "    line %u..: %s\n", w->first_line,
			r->failure);
	w->open = false;
	return pass;
}

static void row_begin(struct repl *r, struct row *w, const char *name,
		      unsigned line)
{
	name += strspn(name, " \t");
	snprintf(w->scenario, sizeof(w->scenario), "%s", name);
	w->open = true;
	w->first_line = line;
	r->expected[0] = '\0';
	r->failure[0] = '\0';
}

/* ---- The command ---- */

/* The outcomes table, opened for reading (its name in path[0..cap)), or
 * NULL, said: the lab is on an external proxy, or the file is not
 * found. */
static FILE *open_table(struct repl *r, char *path, size_t cap)
{
	char dir[REPL_MAX_PATH];
	struct lab_view v;
	FILE *f;

	lab_view(r->lab, &v);
	/* The rows are the embedded servers' behaviour: running them
	 * silently against them while the student thinks an external
	 * proxy is in use would mislabel every row. */
	if (v.external) {
		repl_error(r,
			   "outcomes runs against the embedded proxy, and the "
			   "lab is connected to the external proxy %s:%u; type "
			   "`connect proxy embedded` first (or check that "
			   "proxy row by row with lab lines and expect)",
			   v.ext_host, v.ext_port);
		return NULL;
	}
	if (!reference_lessons_dir(dir, sizeof(dir))) {
		repl_error(
		    r, "cannot find the lessons directory with " OUTCOMES_FILE
		       " (looked in ../lessons beside the "
		       "program and in ./lessons)");
		return NULL;
	}
	snprintf(path, cap, "%s/%s", dir, OUTCOMES_FILE);
	f = fopen(path, "r");
	if (f == NULL)
		repl_error(r,
			   "%s is missing: it holds the rows of the outcomes "
			   "table",
			   path);
	return f;
}

/* Every row of the table f, each run and judged; the counts of rows and
 * of rows that passed. */
static void run_rows(struct repl *r, FILE *f, bool quiz, unsigned *rows,
		     unsigned *passed)
{
	struct row w = {"", false, 0};
	char line[REPL_MAX_LINE];
	unsigned n = 0;
	int got;

	while ((got = script_read_line(f, line, sizeof(line))) != 0) {
		n++;
		r->line = n;
		if (got < 0)
			line[0] =
			    '\0'; /* too long: the row's expects will tell */
		if (strncmp(line, OUTCOMES_ROW, strlen(OUTCOMES_ROW)) == 0) {
			if (w.open) {
				(*rows)++;
				*passed += row_end(r, &w, quiz);
			}
			row_begin(r, &w, line + strlen(OUTCOMES_ROW), n);
			continue;
		}
		if (!w.open || r->failure[0] != '\0')
			continue;
		if (command_exec(r, line, false) != REPL_OK &&
		    r->failure[0] == '\0')
			snprintf(r->failure, sizeof(r->failure),
				 "line %u failed: %.200s", n, line);
	}
	if (w.open) {
		(*rows)++;
		*passed += row_end(r, &w, quiz);
	}
}

enum repl_rc outcomes_cmd(struct repl *r, int argc, char **argv)
{
	char path[REPL_MAX_PATH + 32];
	unsigned rows = 0, passed = 0;
	FILE *f;
	struct repl saved = *r;
	bool quiz;

	if (argc > 1 && strcmp(argv[1], "--quiz") != 0) {
		repl_error(r, "usage: outcomes [--quiz]");
		return REPL_USAGE;
	}
	quiz = argc > 1;
	f = open_table(r, path, sizeof(path));
	if (f == NULL)
		return REPL_FAIL;
	fprintf(r->out, "%-50s %-22s %-16s %s\n", "scenario",
		quiz ? "expected (quiz)" : "expected", "got", "result");
	r->in_outcomes = true;
	r->script = true;
	r->echo = false;
	r->file = path;
	run_rows(r, f, quiz, &rows, &passed);
	fclose(f);
	*r = saved;
	lab_clear(r->lab);
	lab_defaults(r->lab);
	fprintf(r->out,
		"%u of %u rows as the outcomes table says; the lab is reset\n",
		passed, rows);
	return passed == rows ? REPL_OK : REPL_FAIL;
}

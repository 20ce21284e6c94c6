/*
 * repl/command.c - the REPL's command line: splitting a line into words,
 * finding the command in the one table (repl/command_table.c), argument
 * checks, `help`, `quit` and completion.
 *
 * Every command a student types and every line of a lab script goes
 * through command_exec(), so typing at the prompt, a pipe and
 * `bin/repl --check` behave the same.
 */
#define _POSIX_C_SOURCE 200809L

#include "command.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "command_table.h"
#include "drive.h"
#include "script.h"

/* ---- Words ---- */

/*
 * Split a line into words (see command.h for the quoting rules).  Words
 * are copied into store; nothing is allocated.
 */
enum command_split_err command_split(const char *line, char *store, size_t cap,
				     char **argv, int max, int *argc)
{
	const char *p = line;
	size_t used = 0;

	*argc = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			return COMMAND_SPLIT_OK;
		if (*argc >= max)
			return COMMAND_SPLIT_TOO_MANY;
		if (used >= cap)
			return COMMAND_SPLIT_TOO_LONG;
		argv[(*argc)++] = store + used;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n') {
			char c = *p++;
			if (c == '"' || c == '\'') {
				char q = c;
				while (*p != '\0' && *p != q) {
					c = *p++;
					if (q == '"' && c == '\\' && *p != '\0')
						c = *p++;
					if (used + 1 >= cap)
						return COMMAND_SPLIT_TOO_LONG;
					store[used++] = c;
				}
				if (*p != q)
					return COMMAND_SPLIT_QUOTE;
				p++;
				continue;
			}
			if (used + 1 >= cap)
				return COMMAND_SPLIT_TOO_LONG;
			store[used++] = c;
		}
		if (used >= cap)
			return COMMAND_SPLIT_TOO_LONG;
		store[used++] = '\0';
	}
}

/* A sentence for a split error (static storage). */
static const char *command_split_strerror(enum command_split_err e)
{
	switch (e) {
	case COMMAND_SPLIT_OK:
		return "ok";
	case COMMAND_SPLIT_QUOTE:
		return "a quote is not closed";
	case COMMAND_SPLIT_TOO_MANY:
		return "too many words on one line";
	case COMMAND_SPLIT_TOO_LONG:
		return "the line is too long";
	}
	return "bad line";
}

/* ---- Finding a command ---- */

/* Row i of the table, NULL past the end. */
const struct command *command_at(size_t i)
{
	return i < command_table_len ? &command_table[i] : NULL;
}

/*
 * The command called `name`: an exact name wins, else a prefix that only
 * one command has ("exp" is explain or expect: NULL).  "exit" is quit.
 */
const struct command *command_find(const char *name)
{
	const struct command *hit = NULL;
	size_t n = strlen(name), i;

	if (n == 0)
		return NULL;
	if (strcmp(name, "exit") == 0)
		name = "quit";
	for (i = 0; i < command_table_len; i++)
		if (strcmp(command_table[i].name, name) == 0)
			return &command_table[i];
	for (i = 0; i < command_table_len; i++) {
		if (strncmp(command_table[i].name, name, n) != 0)
			continue;
		if (hit != NULL)
			return NULL;
		hit = &command_table[i];
	}
	return hit;
}

/* ---- Checking arguments ---- */

static bool in_words(const char *const *words, const char *s)
{
	for (; *words != NULL; words++)
		if (strcasecmp(*words, s) == 0)
			return true;
	return false;
}

/*
 * Check the number of arguments and, where the row says so, that the
 * first one is a known word (proxy|origin, a break target, ...).
 */
const char *command_validate(const struct command *c, int argc, char **argv,
			     char *err, size_t err_cap)
{
	int nargs = argc - 1;

	if (nargs < c->min_args || nargs > c->max_args) {
		snprintf(err, err_cap, "usage: %s", c->usage);
		return err;
	}
	if (c->first_is_word && nargs >= 1 && !in_words(c->words[0], argv[1])) {
		/* expect's first word may also be a status code */
		if (c->run == script_expect &&
		    isdigit((unsigned char)argv[1][0]))
			return NULL;
		snprintf(err, err_cap,
			 "%s: '%s' is not one of the choices; usage: %s",
			 c->name, argv[1], c->usage);
		return err;
	}
	return NULL;
}

/* ---- Running a line ---- */

/* Split, find, validate and run one line; see command.h. */
enum repl_rc command_exec(struct repl *r, const char *line, bool step_on_empty)
{
	char store[REPL_MAX_LINE];
	char *argv[REPL_MAX_ARGS + 1];
	char why[256];
	const struct command *c;
	const char *bad;
	enum command_split_err e;
	int argc;

	e = command_split(line, store, sizeof(store), argv, REPL_MAX_ARGS,
			  &argc);
	if (e != COMMAND_SPLIT_OK) {
		repl_error(r, "%s", command_split_strerror(e));
		return REPL_USAGE;
	}
	if (argc == 0) {
		if (!step_on_empty)
			return REPL_OK;
		return drive_step(r, 1, NULL);
	}
	argv[argc] = NULL;
	c = command_find(argv[0]);
	if (c == NULL) {
		repl_error(r, "unknown command '%s' (type help)", argv[0]);
		return REPL_USAGE;
	}
	bad = command_validate(c, argc, argv, why, sizeof(why));
	if (bad != NULL) {
		repl_error(r, "%s", bad);
		return REPL_USAGE;
	}
	return c->run(r, argc, argv);
}

/* ---- Help ---- */

/* `help` lists the table; `help NAME` prints one row's usage and help. */
enum repl_rc command_help(struct repl *r, int argc, char **argv)
{
	size_t i;

	if (argc == 2) {
		const struct command *c = command_find(argv[1]);
		if (c == NULL) {
			repl_error(r, "no command '%s' (type help)", argv[1]);
			return REPL_USAGE;
		}
		fprintf(r->out, "%s%s%s\n\n%s\n", repl_color(r, "step"),
			c->usage, repl_color(r, "off"), c->help);
		return REPL_OK;
	}
	fprintf(r->out,
		"Enter steps one message.  Commands (help NAME for more):\n");
	for (i = 0; i < command_table_len; i++)
		fprintf(r->out, "  %s%-10s%s %s\n", repl_color(r, "step"),
			command_table[i].name, repl_color(r, "off"),
			command_table[i].summary);
	return REPL_OK;
}

/* `quit`: leave after this line. */
enum repl_rc command_quit(struct repl *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	r->quit = true;
	return REPL_OK;
}

/* ---- Completion ---- */

/*
 * The state-th word starting with text: command names for word 0, the
 * row's words for arguments 1 and 2, command names again after `help`.
 */
const char *command_complete(const char *cmd, int word, const char *text,
			     int state)
{
	size_t n = strlen(text), i;
	int seen = 0;
	const struct command *c;
	const char *const *words;

	if (word == 0 ||
	    (word == 1 && cmd != NULL && (strcmp(cmd, "help") == 0))) {
		for (i = 0; i < command_table_len; i++)
			if (strncmp(command_table[i].name, text, n) == 0 &&
			    seen++ == state)
				return command_table[i].name;
		return NULL;
	}
	if (cmd == NULL || word > 2)
		return NULL;
	c = command_find(cmd);
	if (c == NULL)
		return NULL;
	words = c->words[word - 1];
	for (; *words != NULL; words++)
		if (strncasecmp(*words, text, n) == 0 && seen++ == state)
			return *words;
	return NULL;
}

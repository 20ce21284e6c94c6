/*
 * repl/command.h - the REPL's command line: words, the table of commands,
 * help text and completion.
 *
 * A line is split into words like a small shell does: spaces separate,
 * "double" or 'single' quotes keep spaces, a backslash inside double
 * quotes escapes the next character, and a word starting with # begins a
 * comment.  The first word names a command from one table; the table
 * also gives each command's usage, help and the words to complete.
 */
#ifndef LAB407_REPL_COMMAND_H
#define LAB407_REPL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "repl.h"

#define COMMAND_MAX_WORDS 16 /* completion words for one argument */

enum command_split_err {
	COMMAND_SPLIT_OK = 0,
	COMMAND_SPLIT_QUOTE,	/* a quote is not closed */
	COMMAND_SPLIT_TOO_MANY, /* more than max words */
	COMMAND_SPLIT_TOO_LONG	/* the words do not fit in the store */
};

struct command {
	const char *name;
	const char
	    *usage; /* "scheme proxy|origin basic|digest|bearer|none[,...]" */
	const char *summary; /* one line for `help` */
	const char *help;    /* the paragraph for `help NAME` */
	int min_args;	     /* words after the name */
	int max_args;
	bool first_is_word; /* the first argument must be one of words[0] */
	const char *words[2][COMMAND_MAX_WORDS]; /* completion, NULL-ended */
	command_fn run;
};

/*
 * Split line into words.  The words are copied into store (cap bytes) and
 * argv[0..*argc) points at them; max is the size of argv.  A line holding
 * only spaces or a comment gives *argc == 0.
 */
enum command_split_err command_split(const char *line, char *store, size_t cap,
				     char **argv, int max, int *argc);

/* The command called name (exact, or an unambiguous prefix), else NULL. */
const struct command *command_find(const char *name);
/* Row i of the table, NULL past the end. */
const struct command *command_at(size_t i);
/*
 * Check argc/argv against the command's row.  NULL when fine, else a
 * sentence (static or in why[cap]) saying what is wrong.
 */
const char *command_validate(const struct command *c, int argc, char **argv,
			     char *err, size_t err_cap);

/*
 * Run one line: split, find, validate, call.  An empty line is `step`
 * when step_on_empty (the interactive Enter), else nothing.
 */
enum repl_rc command_exec(struct repl *r, const char *line, bool step_on_empty);

/* `help [NAME]` and `quit`, rows of the table like the others. */
enum repl_rc command_help(struct repl *r, int argc, char **argv);
enum repl_rc command_quit(struct repl *r, int argc, char **argv);

/*
 * Completion: the state-th candidate (0, 1, ...) for the word `text` that
 * is word number `word` (0 = the command) of a line whose first word is
 * `cmd`.  Returns a static string or NULL when there are no more.
 */
const char *command_complete(const char *cmd, int word, const char *text,
			     int state);

#endif

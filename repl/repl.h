/*
 * repl/repl.h - the teaching REPL: its state, and the commands it runs.
 *
 * The lab itself (servers, sockets, the three machines) is repl/lab.h and
 * prints nothing.  Everything here is the part that talks to a person:
 * a command line goes through command_exec() (repl/command.c), which
 * finds the command in one table (repl/command_table.c) and calls its
 * handler; handlers live in the file named after them (drive.c, setup.c,
 * breaker.c, explain.c, show.c, export.c, export_dot.c, reference.c,
 * outcomes.c, script.c, intercept.c, mystery.c, predict.c, kdc.c,
 * tlsleg.c), each declared in that file's header.  This header is the
 * REPL's state and what repl/repl.c defines.
 */
#ifndef LAB407_REPL_REPL_H
#define LAB407_REPL_REPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "lab.h"

#define REPL_MAX_LINE 4096 /* one command line */
#define REPL_MAX_ARGS 16   /* words in one command line */
#define REPL_MAX_PATH 1024 /* file names we build */
#define REPL_SHOW_BODY 400 /* body bytes shown before "(... N more bytes)" */

/* Predict, then see (repl/predict.c): one guess at the next response. */
struct predict {
	bool on;	      /* `predict on`: ask before each response */
	bool strict;	      /* a wrong guess fails the script */
	bool pending;	      /* a guess waits for the next response */
	enum lab_party who;   /* the guess: who will answer */
	int status;	      /* ... and with which status */
	unsigned line;	      /* the script line that made it, or 0 */
	unsigned right, made; /* the score */
	FILE *log;	      /* --predictions OUT, or NULL (not owned) */
};

/* Ask a person one question and return the malloc'd answer, or NULL at
 * the end of input; NULL when there is no terminal to ask on. */
typedef char *(*repl_ask_fn)(const char *prompt);

/* The REPL: the lab plus how to talk to the person using it. */
struct repl {
	struct lab *lab;	/* not owned */
	struct intercept *icpt; /* outside clients (repl/intercept.h) */
	FILE *out;		/* steps, tables, help (stdout) */
	FILE *err;		/* errors and failed expects (stderr) */
	bool color;		/* ANSI colour: tty and NO_COLOR unset */
	bool raw;		/* show \r and \n visibly */
	bool script;		/* --check: the first failure ends the run */
	const char *file;	/* script being run, or NULL */
	unsigned line;		/* its current line */
	bool quit;		/* `quit` was typed */
	bool in_outcomes;	/* running lessons/outcomes.lab: stay quiet */
	bool echo;		/* print each script line before running it */
	char expected[160];	/* what this row's expects asked for */
	char failure[256];	/* the first failed expect, or "" */
	bool why_off;		/* `why off`: why-lines hidden */
	repl_ask_fn ask;	/* a terminal to ask on, or NULL: never block */
	struct predict pred;
	pid_t kdc_pid; /* a KDC `kdc start` launched (repl/kdc.c), or 0 */
};

/* The result of a command: go on, or stop a script (the message is out). */
enum repl_rc { REPL_OK = 0, REPL_FAIL = 1, REPL_USAGE = 2 };

typedef enum repl_rc (*command_fn)(struct repl *r, int argc, char **argv);

/* ---- Talking (repl/repl.c) ---- */

/* Set up a REPL that writes to out/err; colour decided by the caller. */
void repl_init(struct repl *r, struct lab *lab, FILE *out, FILE *err);
/* Print "error: ..." (or "FILE:LINE: ..." in a script) on r->err. */
void repl_error(struct repl *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Colour escape for a role ("step", "why", "bad", "good", "dim", "off"),
 * or "" when colour is off. */
const char *repl_color(const struct repl *r, const char *role);

#endif

/*
 * repl/repl.h - the teaching REPL: its state, and the commands it runs.
 *
 * The lab itself (servers, sockets, the three machines) is repl/lab.h and
 * prints nothing.  Everything here is the part that talks to a person:
 * a command line goes through command_exec() (repl/command.c), which
 * finds the command in one table (repl/command_table.c) and calls its
 * handler; handlers live in the file named after them (drive.c, setup.c,
 * breaker.c, explain.c, show.c, export.c, reference.c, outcomes.c,
 * script.c, intercept.c, mystery.c, predict.c, kdc.c, tlsleg.c).
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

/* ---- Talking (repl/show.c) ---- */

/* Set up a REPL that writes to out/err; colour decided by the caller. */
void repl_init(struct repl *r, struct lab *lab, FILE *out, FILE *err);
/* Print "error: ..." (or "FILE:LINE: ..." in a script) on r->err. */
void repl_error(struct repl *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Colour escape for a role ("step", "why", "bad", "good", "dim", "off"),
 * or "" when colour is off. */
const char *repl_color(const struct repl *r, const char *role);
/* Print one message of the exchange: header line, raw bytes, why line. */
void show_message(struct repl *r, const struct lab_msg *m);

/* ---- Commands (handlers, one file each) ---- */

enum repl_rc drive_get(struct repl *r, int argc, char **argv);
enum repl_rc drive_request(struct repl *r, int argc, char **argv);
enum repl_rc drive_step(struct repl *r, int argc, char **argv);
enum repl_rc drive_run(struct repl *r, int argc, char **argv);
enum repl_rc drive_reset(struct repl *r, int argc, char **argv);
/* Run the current exchange to its end, printing each step. */
enum repl_rc drive_finish(struct repl *r);

enum repl_rc show_cmd(struct repl *r, int argc, char **argv);
enum repl_rc show_raw(struct repl *r, int argc, char **argv);
enum repl_rc show_trace(struct repl *r, int argc, char **argv);

enum repl_rc setup_scheme(struct repl *r, int argc, char **argv);
enum repl_rc setup_algorithm(struct repl *r, int argc, char **argv);
enum repl_rc setup_qop(struct repl *r, int argc, char **argv);
enum repl_rc setup_user(struct repl *r, int argc, char **argv);
enum repl_rc setup_connect(struct repl *r, int argc, char **argv);
enum repl_rc setup_settings(struct repl *r, int argc, char **argv);

enum repl_rc breaker_break(struct repl *r, int argc, char **argv);
enum repl_rc breaker_fix(struct repl *r, int argc, char **argv);

enum repl_rc explain_cmd(struct repl *r, int argc, char **argv);

enum repl_rc export_dot(struct repl *r, int argc, char **argv);
enum repl_rc export_save(struct repl *r, int argc, char **argv);
enum repl_rc export_curl(struct repl *r, int argc, char **argv);

enum repl_rc reference_status(struct repl *r, int argc, char **argv);
enum repl_rc reference_lesson(struct repl *r, int argc, char **argv);
/* The lessons directory: EXE_DIR/../lessons, else ./lessons; false if
 * neither exists. */
bool reference_lessons_dir(char *out, size_t cap);

enum repl_rc outcomes_cmd(struct repl *r, int argc, char **argv);

enum repl_rc mystery_cmd(struct repl *r, int argc, char **argv);
enum repl_rc mystery_wait(struct repl *r, int argc, char **argv);
/* `bin/repl --mystery N`; false (message on r->err) on a bad N. */
bool mystery_start_arg(struct repl *r, const char *arg);

enum repl_rc predict_cmd(struct repl *r, int argc, char **argv);
enum repl_rc predict_why(struct repl *r, int argc, char **argv);
/* Before a response moves: in predict mode, ask for a guess (only when
 * r->ask can; it never blocks without a terminal). */
void predict_before(struct repl *r);
/* After response m moved: grade the pending guess; REPL_FAIL only when
 * `predict strict` is on and the guess was wrong. */
enum repl_rc predict_after(struct repl *r, const struct lab_msg *m);
/* "predictions: R of M right" (and the same line in the log), if any. */
void predict_summary(struct repl *r);

enum repl_rc kdc_cmd(struct repl *r, int argc, char **argv);
/* Stop a KDC that `kdc start` launched (at exit). */
void kdc_stop_child(struct repl *r);

enum repl_rc script_expect(struct repl *r, int argc, char **argv);
/* Join the several words of an expect TEXT into text[cap] (pure). */
bool script_expect_words(int *argc, char **argv, char *text, size_t cap);
/*
 * Run a lab script: each line through command_exec().  Returns 0 when
 * every line passed, 1 on the first failure (named FILE:LINE on r->err),
 * and 1 when the file cannot be read.
 */
int script_run_file(struct repl *r, const char *path);
/* One line of a script, bounded (see repl/script.c). */
int script_read_line(FILE *in, char *buf, size_t cap);
/* Run commands read from a stream (a pipe): errors are reported, not fatal. */
int script_run_stream(struct repl *r, FILE *in);

enum repl_rc intercept_listen(struct repl *r, int argc, char **argv);
enum repl_rc intercept_hold(struct repl *r, int argc, char **argv);
enum repl_rc intercept_auto(struct repl *r, int argc, char **argv);
enum repl_rc intercept_held(struct repl *r, int argc, char **argv);
enum repl_rc intercept_edit(struct repl *r, int argc, char **argv);
enum repl_rc intercept_await(struct repl *r, int argc, char **argv);
/* Release the oldest held outside message (repl/intercept.c). */
enum repl_rc intercept_step(struct repl *r, bool *moved);
/* Something from an outside client is held. */
bool intercept_pending(const struct repl *r);

#endif

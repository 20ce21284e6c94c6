/*
 * net/cmdline.h - the command line of every lab407 binary (bin/proxy,
 * bin/origin, bin/client, bin/repl) read from one table: each option's
 * name, its short letter if it has one, what kind of value it takes and
 * where in the program's own struct that value goes.
 *
 * This is the binaries' shell, not library code: on --help, --version
 * and a usage error it prints and exits (status 2, with a one-line reason
 * ending "(try --help)"), as DESIGN.md asks of all four.
 */
#ifndef LAB407_NET_CMDLINE_H
#define LAB407_NET_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CMDLINE_MAX_OPTIONS 64 /* options of one binary */
#define CMDLINE_USAGE_EXIT 2   /* the status of a usage error */

/* What an option takes, and what it writes at its field. */
enum cmdline_kind {
	CMDLINE_STRING,	  /* const char *: the argument as given */
	CMDLINE_FLAG,	  /* bool: true; no argument */
	CMDLINE_SET,	  /* unsigned: `value`; no argument */
	CMDLINE_NUMBER,	  /* unsigned long: decimal digits, min..max */
	CMDLINE_DURATION, /* unsigned: ms, from "S" seconds or "Nms";
			     1 ms..max seconds */
	CMDLINE_CALL,	  /* the program's reader: call(field, arg) */
	CMDLINE_HELP,	  /* usage(stdout), exit 0 */
	CMDLINE_VERSION	  /* the version line on stdout, exit 0 */
};

/* One option. */
struct cmdline_option {
	const char *name; /* the long name without "--": "listen" */
	char letter;	  /* its short form ('v' for -v), or 0 */
	enum cmdline_kind kind;
	size_t field;		/* offsetof() its value in the program's
				   struct (CALL: where call is pointed) */
	unsigned long min, max; /* NUMBER's range; DURATION's max, in s */
	unsigned value;		/* SET's value */
	/* CALL: read arg into the field; exits on a bad one */
	void (*call)(void *field, char *arg);
};

/* The rows of a table, one macro a kind; off is offsetof() the field in
 * the program's struct, letter the short form or 0. */
/* clang-format off */
#define CMDLINE_OPT_STRING(name, letter, off) \
	{name, letter, CMDLINE_STRING, off, 0, 0, 0, NULL}
#define CMDLINE_OPT_FLAG(name, letter, off) \
	{name, letter, CMDLINE_FLAG, off, 0, 0, 0, NULL}
#define CMDLINE_OPT_SET(name, off, value) \
	{name, 0, CMDLINE_SET, off, 0, 0, value, NULL}
#define CMDLINE_OPT_NUMBER(name, off, min, max) \
	{name, 0, CMDLINE_NUMBER, off, min, max, 0, NULL}
#define CMDLINE_OPT_DURATION(name, off, max_seconds) \
	{name, 0, CMDLINE_DURATION, off, 0, max_seconds, 0, NULL}
#define CMDLINE_OPT_CALL(name, letter, off, fn) \
	{name, letter, CMDLINE_CALL, off, 0, 0, 0, fn}
/* -h, --help and -V, --version */
#define CMDLINE_OPTS_HELP_VERSION \
	{"help", 'h', CMDLINE_HELP, 0, 0, 0, 0, NULL}, \
	{"version", 'V', CMDLINE_VERSION, 0, 0, 0, 0, NULL}
/* clang-format on */

/* One binary's command line. */
struct cmdline {
	const char *prog;	/* the name in messages: "bin/proxy" */
	const char *version;	/* the --version line */
	void (*usage)(FILE *f); /* the --help text */
	const struct cmdline_option *opts;
	size_t num_opts;
	bool operands; /* false: an operand is a usage error */
};

/* A struct cmdline for the table `opts` (an array). */
#define CMDLINE(prog, version, usage, opts, operands)                          \
	{                                                                      \
		prog, version, usage, opts, sizeof(opts) / sizeof(opts[0]),    \
		    operands                                                   \
	}

/*
 * Read argv's options into dst (the struct the fields are offsets in),
 * in order, so a later option overrides an earlier one.  Returns the
 * index of the first operand.  Exits on --help, --version and a usage
 * error.
 */
int cmdline_parse(const struct cmdline *cl, int argc, char **argv, void *dst);
/* A usage error: "PROG: reason (try --help)" on stderr, exit 2. */
void cmdline_die_usage(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Option --name's argument s (name without "--") as a number in
 * min..max, or a usage error that says which range it wants. */
unsigned long cmdline_number(const char *prog, const char *name, const char *s,
			     unsigned long min, unsigned long max);
/* Option --name's argument s as a time in ms: "S" seconds or "Nms",
 * 1 ms..max_seconds, or a usage error. */
unsigned cmdline_duration(const char *prog, const char *name, const char *s,
			  unsigned long max_seconds);

#endif

/*
 * net/cmdline.c - the command line of every lab407 binary, read from one
 * table (see cmdline.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "cmdline.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CMDLINE_CODE_BASE 0x100 /* getopt_long's code for option i */

/* ---- Errors ---- */

void cmdline_die_usage(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(CMDLINE_USAGE_EXIT);
}

/* ---- Values ---- */

unsigned long cmdline_number(const char *prog, const char *name, const char *s,
			     unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	/* digits only: strtoul alone would take " 5", "+5" and "-1" */
	if (*s < '0' || *s > '9')
		cmdline_die_usage(prog,
				  "--%s wants a number %lu..%lu, not '%s'",
				  name, min, max, s);
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		cmdline_die_usage(prog,
				  "--%s wants a number %lu..%lu, not '%s'",
				  name, min, max, s);
	return v;
}

unsigned cmdline_duration(const char *prog, const char *name, const char *s,
			  unsigned long max_seconds)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		cmdline_die_usage(prog, "--%s wants seconds or NNNms, not '%s'",
				  name, s);
	v = strtoul(s, &end, 10);
	if (strcmp(end, "ms") == 0)
		;
	else if (*end == '\0' && v <= max_seconds)
		v *= 1000;
	else
		cmdline_die_usage(prog, "--%s wants seconds or NNNms, not '%s'",
				  name, s);
	if (v == 0 || v > max_seconds * 1000)
		cmdline_die_usage(prog, "--%s wants 1ms..%lus, not '%s'", name,
				  max_seconds, s);
	return (unsigned)v;
}

/* ---- Reading argv ---- */

/* Whether the option takes an argument. */
static bool takes_arg(enum cmdline_kind k)
{
	return k == CMDLINE_STRING || k == CMDLINE_NUMBER ||
	       k == CMDLINE_DURATION || k == CMDLINE_CALL;
}

/* getopt_long's tables from ours: option i answers CMDLINE_CODE_BASE + i,
 * and only the options with a letter have a short form. */
static void getopt_tables(const struct cmdline *cl, struct option *longs,
			  char *shorts)
{
	size_t n = 0;

	for (size_t i = 0; i < cl->num_opts; i++) {
		const struct cmdline_option *o = &cl->opts[i];
		bool arg = takes_arg(o->kind);

		longs[i] = (struct option){
		    o->name, arg ? required_argument : no_argument, NULL,
		    CMDLINE_CODE_BASE + (int)i};
		if (o->letter != 0) {
			shorts[n++] = o->letter;
			if (arg)
				shorts[n++] = ':';
		}
	}
	longs[cl->num_opts] = (struct option){NULL, 0, NULL, 0};
	shorts[n] = '\0';
}

/* The option getopt_long answered with code c, or NULL. */
static const struct cmdline_option *find(const struct cmdline *cl, int c)
{
	for (size_t i = 0; i < cl->num_opts; i++)
		if (c == CMDLINE_CODE_BASE + (int)i ||
		    (cl->opts[i].letter != 0 && c == cl->opts[i].letter))
			return &cl->opts[i];
	return NULL;
}

/* Option o with argument arg into dst; exits on --help, --version and a
 * bad value. */
static void apply(const struct cmdline *cl, const struct cmdline_option *o,
		  char *arg, void *dst)
{
	void *at = (char *)dst + o->field;

	switch (o->kind) {
	case CMDLINE_STRING:
		*(const char **)at = arg;
		return;
	case CMDLINE_FLAG:
		*(bool *)at = true;
		return;
	case CMDLINE_SET:
		*(unsigned *)at = o->value;
		return;
	case CMDLINE_NUMBER:
		*(unsigned long *)at =
		    cmdline_number(cl->prog, o->name, arg, o->min, o->max);
		return;
	case CMDLINE_DURATION:
		*(unsigned *)at =
		    cmdline_duration(cl->prog, o->name, arg, o->max);
		return;
	case CMDLINE_CALL:
		o->call(at, arg);
		return;
	case CMDLINE_HELP:
		cl->usage(stdout);
		exit(0);
	case CMDLINE_VERSION:
		printf("%s\n", cl->version);
		exit(0);
	}
}

int cmdline_parse(const struct cmdline *cl, int argc, char **argv, void *dst)
{
	struct option longs[CMDLINE_MAX_OPTIONS + 1];
	char shorts[2 * CMDLINE_MAX_OPTIONS + 1];
	const struct cmdline_option *o;
	int c;

	if (cl->num_opts > CMDLINE_MAX_OPTIONS)
		cmdline_die_usage(cl->prog, "too many options in its table");
	getopt_tables(cl, longs, shorts);
	optind = 0; /* glibc: a fresh scan, even after an earlier one */
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		o = find(cl, c);
		if (o == NULL) /* getopt_long said what it did not know */
			cmdline_die_usage(cl->prog, "bad option");
		apply(cl, o, optarg, dst);
	}
	if (!cl->operands && optind < argc)
		cmdline_die_usage(cl->prog, "unexpected argument '%s'",
				  argv[optind]);
	return optind;
}

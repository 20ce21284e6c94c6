/*
 * repl/repl.c - talking to the person at the REPL: setting it up, errors
 * ("FILE:LINE: ..." in a script) and colours.
 */
#define _POSIX_C_SOURCE 200809L

#include "repl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Talking ---- */

void repl_init(struct repl *r, struct lab *lab, FILE *out, FILE *err)
{
	memset(r, 0, sizeof(*r));
	r->lab = lab;
	r->out = out;
	r->err = err;
}

/* "error: ..." or, in a script, "FILE:LINE: ..." (on r->err). */
void repl_error(struct repl *r, const char *fmt, ...)
{
	va_list ap;

	fflush(r->out);
	if (r->file != NULL)
		fprintf(r->err, "%s:%u: ", r->file, r->line);
	else
		fprintf(r->err, "%serror:%s ", repl_color(r, "bad"),
			repl_color(r, "off"));
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->err);
	fflush(r->err);
}

/* ANSI SGR sequences per role; "" without colour. */
const char *repl_color(const struct repl *r, const char *role)
{
	static const struct {
		const char *role, *sgr;
	} t[] = {
	    {"step", "\033[1;36m"}, {"why", "\033[33m"}, {"bad", "\033[1;31m"},
	    {"good", "\033[1;32m"}, {"dim", "\033[2m"},	 {"off", "\033[0m"},
	};
	size_t i;

	if (!r->color)
		return "";
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].role, role) == 0)
			return t[i].sgr;
	return "";
}

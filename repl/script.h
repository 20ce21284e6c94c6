/*
 * repl/script.h - lab scripts: commands one a line, and `expect`
 * (repl/script.c).
 */
#ifndef LAB407_REPL_SCRIPT_H
#define LAB407_REPL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "repl.h"

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

#endif

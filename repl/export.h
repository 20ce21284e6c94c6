/*
 * repl/export.h - `save FILE` and `curl` (repl/export.c), and the output
 * file both they and `dot FILE` (repl/export_dot.h) write.
 */
#ifndef LAB407_REPL_EXPORT_H
#define LAB407_REPL_EXPORT_H

#include <stdio.h>

#include "repl.h"

/* Open path for writing; NULL with the reason said on r->err. */
FILE *export_open(struct repl *r, const char *path);

/* ---- Commands ---- */

/* `save FILE`: a Markdown transcript. */
enum repl_rc export_save(struct repl *r, int argc, char **argv);
/* `curl`: the same exchange as a make lab-up line and a curl command. */
enum repl_rc export_curl(struct repl *r, int argc, char **argv);

#endif

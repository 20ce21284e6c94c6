/*
 * repl/export.h - what repl/export.c gives repl/export_dot.c; the
 * commands themselves (export_dot, export_save, export_curl) are in
 * repl/repl.h with the other handlers.
 */
#ifndef LAB407_REPL_EXPORT_H
#define LAB407_REPL_EXPORT_H

#include <stdio.h>

#include "repl.h"

/* Open path for writing; NULL with the reason said on r->err. */
FILE *export_open(struct repl *r, const char *path);

#endif

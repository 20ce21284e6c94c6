/*
 * repl/explain.h - `explain [N]`: one message annotated, field by field
 * (repl/explain.c).
 */
#ifndef LAB407_REPL_EXPLAIN_H
#define LAB407_REPL_EXPLAIN_H

#include "repl.h"

enum repl_rc explain_cmd(struct repl *r, int argc, char **argv);

#endif

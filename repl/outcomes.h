/*
 * repl/outcomes.h - `outcomes`: every row of the outcomes table, live
 * (repl/outcomes.c).
 */
#ifndef LAB407_REPL_OUTCOMES_H
#define LAB407_REPL_OUTCOMES_H

#include "repl.h"

enum repl_rc outcomes_cmd(struct repl *r, int argc, char **argv);

#endif

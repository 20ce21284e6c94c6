/*
 * repl/export_dot.h - `dot FILE`: the exchange as a Graphviz sequence diagram
 * (repl/export_dot.c).
 */
#ifndef LAB407_REPL_EXPORT_DOT_H
#define LAB407_REPL_EXPORT_DOT_H

#include "repl.h"

/* `dot FILE`; REPL_FAIL when there is nothing to draw or no file. */
enum repl_rc export_dot(struct repl *r, int argc, char **argv);

#endif

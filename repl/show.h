/*
 * repl/show.h - printing one message, `show`, `raw` and `trace` (repl/show.c).
 */
#ifndef LAB407_REPL_SHOW_H
#define LAB407_REPL_SHOW_H

#include "repl.h"

/* Print one message of the exchange: header line, raw bytes, why line. */
void show_message(struct repl *r, const struct lab_msg *m);
enum repl_rc show_cmd(struct repl *r, int argc, char **argv);
enum repl_rc show_raw(struct repl *r, int argc, char **argv);
enum repl_rc show_trace(struct repl *r, int argc, char **argv);

#endif

/*
 * repl/predict.h - predict, then see: guessing who answers the next response
 * (repl/predict.c).
 */
#ifndef LAB407_REPL_PREDICT_H
#define LAB407_REPL_PREDICT_H

#include "repl.h"

enum repl_rc predict_cmd(struct repl *r, int argc, char **argv);
enum repl_rc predict_why(struct repl *r, int argc, char **argv);
/* Before a response moves: in predict mode, ask for a guess (only when
 * r->ask can; it never blocks without a terminal). */
void predict_before(struct repl *r);
/* After response m moved: grade the pending guess; REPL_FAIL only when
 * `predict strict` is on and the guess was wrong. */
enum repl_rc predict_after(struct repl *r, const struct lab_msg *m);
/* "predictions: R of M right" (and the same line in the log), if any. */
void predict_summary(struct repl *r);

#endif

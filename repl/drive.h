/*
 * repl/drive.h - driving the exchange: get, request, step (Enter), run, reset
 * (repl/drive.c).
 */
#ifndef LAB407_REPL_DRIVE_H
#define LAB407_REPL_DRIVE_H

#include "repl.h"

/* `get PATH`: a new exchange, GET on the lab origin. */
enum repl_rc drive_get(struct repl *r, int argc, char **argv);
/* `request METHOD URL [BODY]`, CONNECT host:port included. */
enum repl_rc drive_request(struct repl *r, int argc, char **argv);
/* `step`, or Enter: one message (an outside client's held one first). */
enum repl_rc drive_step(struct repl *r, int argc, char **argv);
/* `run`: the exchange to its end. */
enum repl_rc drive_run(struct repl *r, int argc, char **argv);
/* `reset`: the default lab again. */
enum repl_rc drive_reset(struct repl *r, int argc, char **argv);
/* Run the current exchange to its end, printing each step. */
enum repl_rc drive_finish(struct repl *r);

#endif

/*
 * repl/drive.h - driving the exchange: get, request, step (Enter), run, reset
 * (repl/drive.c).
 */
#ifndef LAB407_REPL_DRIVE_H
#define LAB407_REPL_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "repl.h"

enum repl_rc drive_get(struct repl *r, int argc, char **argv);
enum repl_rc drive_request(struct repl *r, int argc, char **argv);
enum repl_rc drive_step(struct repl *r, int argc, char **argv);
enum repl_rc drive_run(struct repl *r, int argc, char **argv);
enum repl_rc drive_reset(struct repl *r, int argc, char **argv);
/* Run the current exchange to its end, printing each step. */
enum repl_rc drive_finish(struct repl *r);

#endif

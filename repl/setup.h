/*
 * repl/setup.h - changing the lab between exchanges: scheme, algorithm, qop,
 * user, connect, settings (repl/setup.c).
 */
#ifndef LAB407_REPL_SETUP_H
#define LAB407_REPL_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "repl.h"

enum repl_rc setup_scheme(struct repl *r, int argc, char **argv);
enum repl_rc setup_algorithm(struct repl *r, int argc, char **argv);
enum repl_rc setup_qop(struct repl *r, int argc, char **argv);
enum repl_rc setup_user(struct repl *r, int argc, char **argv);
enum repl_rc setup_connect(struct repl *r, int argc, char **argv);
enum repl_rc setup_settings(struct repl *r, int argc, char **argv);

#endif

/*
 * repl/setup.h - changing the lab between exchanges: scheme, algorithm, qop,
 * user, connect, settings (repl/setup.c).
 */
#ifndef LAB407_REPL_SETUP_H
#define LAB407_REPL_SETUP_H

#include "repl.h"

/* `scheme proxy|origin LIST`, `algorithm ...`, `qop ...`: a server. */
enum repl_rc setup_scheme(struct repl *r, int argc, char **argv);
enum repl_rc setup_algorithm(struct repl *r, int argc, char **argv);
enum repl_rc setup_qop(struct repl *r, int argc, char **argv);
/* `user proxy|origin NAME:PASSWORD|none`: the client's credentials. */
enum repl_rc setup_user(struct repl *r, int argc, char **argv);
/* `connect proxy HOST:PORT|embedded` (lesson 10). */
enum repl_rc setup_connect(struct repl *r, int argc, char **argv);
/* `settings`: the whole set-up. */
enum repl_rc setup_settings(struct repl *r, int argc, char **argv);

#endif

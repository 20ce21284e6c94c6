/*
 * repl/reference.h - `status CODE` and `lesson N`: the tables and lessons at
 * hand (repl/reference.c).
 */
#ifndef LAB407_REPL_REFERENCE_H
#define LAB407_REPL_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "repl.h"

enum repl_rc reference_status(struct repl *r, int argc, char **argv);
enum repl_rc reference_lesson(struct repl *r, int argc, char **argv);
/* The lessons directory: EXE_DIR/../lessons, else ./lessons; false if
 * neither exists. */
bool reference_lessons_dir(char *out, size_t cap);

#endif

/*
 * repl/lab_p2c.h - leg 4, proxy -> client: one of lab_step()'s legs.
 */
#ifndef LAB407_REPL_LAB_P2C_H
#define LAB407_REPL_LAB_P2C_H

#include <stddef.h>

#include "lab.h"
#include "lab_step.h"

/* Leg 4: the response reaches the client, whose machine decides the
 * next request or the end of the exchange (repl/lab_p2c.c). */
enum lab_step_rc lab_p2c(struct lab *lab, struct lab_msg *m, char *err,
			 size_t err_cap);

#endif

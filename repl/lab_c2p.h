/*
 * repl/lab_c2p.h - leg 1, client -> proxy: one of lab_step()'s legs.
 */
#ifndef LAB407_REPL_LAB_C2P_H
#define LAB407_REPL_LAB_C2P_H

#include <stddef.h>

#include "lab.h"
#include "lab_step.h"

/* Leg 1: the client's request reaches the proxy, which decides; its
 * answer is queued on the next leg (repl/lab_c2p.c). */
enum lab_step_rc lab_c2p(struct lab *lab, struct lab_msg *m, char *err,
			 size_t err_cap);

#endif

/*
 * repl/mystery.h - mystery configurations: hidden set-ups of the lab's
 * proxy and origin that a student diagnoses by experiment, then proves
 * with a lab script whose `expect` lines `bin/repl --check` grades.
 * The solutions are for teachers: docs/teaching/mysteries.md.
 */
#ifndef LAB407_REPL_MYSTERY_H
#define LAB407_REPL_MYSTERY_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/buf.h"
#include "lab.h"
#include "repl.h"

#define MYSTERY_COUNT 9 /* mysteries 1..MYSTERY_COUNT */

/* Apply lab->mystery again over the defaults (lab_defaults calls it). */
void mystery_apply(struct lab *lab);
/*
 * The lab proxy's own response in pending, just decided: some mysteries
 * make it misbehave as real proxies do (a 401 where a 407 belongs, a
 * closed connection after each 407).  had_creds: the request carried
 * Proxy-Authorization.  May set *close.
 */
void mystery_proxy_reply(struct lab *lab, bool had_creds,
			 struct http_buf *pending, bool *close);

/* ---- Commands ---- */

enum repl_rc mystery_cmd(struct repl *r, int argc, char **argv);
enum repl_rc mystery_wait(struct repl *r, int argc, char **argv);
/* `bin/repl --mystery N`; false (message on r->err) on a bad N. */
bool mystery_start_arg(struct repl *r, const char *arg);

#endif

/*
 * repl/kdc.h - `kdc [start|stop]`: the lab's Kerberos realm (lesson 12)
 * (repl/kdc.c).
 */
#ifndef LAB407_REPL_KDC_H
#define LAB407_REPL_KDC_H

#include "repl.h"

enum repl_rc kdc_cmd(struct repl *r, int argc, char **argv);
/* Stop a KDC that `kdc start` launched (at exit). */
void kdc_stop_child(struct repl *r);

#endif

/*
 * repl/lab_client.h - the lab's glue to the client machine.
 */
#ifndef LAB407_REPL_LAB_CLIENT_H
#define LAB407_REPL_LAB_CLIENT_H

#include <stddef.h>

#include "../client/machine.h"
#include "lab.h"

/* Fill lab->ccfg from the lab's set-up (credentials, schemes, URL). */
void lab_client_fill(struct lab *lab);
/*
 * Call the client machine (start when resp is NULL), with the creds
 * swapped for wrong ones when `break password|user` is armed; what the
 * break did goes to broken.
 */
void lab_client_call(struct lab *lab, const struct http_response *resp,
		     const char *body, size_t blen, struct client_step *s,
		     char *broken, size_t bcap);
/* Take the client's step: queue its request on C2P, or end the
 * exchange with its note. */
void lab_client_take(struct lab *lab, struct client_step *s,
		     const char *broken);

#endif

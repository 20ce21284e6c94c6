/*
 * client/request.h - building the next request for client/machine.c.
 * Internal to client/.
 */
#ifndef LAB407_CLIENT_REQUEST_H
#define LAB407_CLIENT_REQUEST_H

#include <stdbool.h>

#include "../http/message.h"
#include "machine.h"

/*
 * The CONNECT request for u into s->request (RFC 9110 §9.3.6), with
 * Proxy-Authorization once a scheme is chosen for the proxy.  False with
 * a note when it cannot be built.
 */
bool request_connect(struct client_machine *m, const struct http_url *u,
		     struct client_step *s);
/*
 * The request itself for u into s->request: head, credentials, -H
 * fields, body.  False with a note when it cannot be built.
 */
bool request_build(struct client_machine *m, const struct http_url *u,
		   struct client_step *s);

#endif

/*
 * proxy/gate_conn.h - what one client connection has proved
 * (proxy/gate_conn.c): NTLM and Negotiate authenticate the TCP
 * connection, not each request (lesson 11).  A file of the decision:
 * bin/proxy's own connections are proxy/conn.h.
 */
#ifndef LAB407_PROXY_GATE_CONN_H
#define LAB407_PROXY_GATE_CONN_H

#include <stdint.h>

#include "../http/facts.h"
#include "../http/guard.h"
#include "../http/negotiate.h"
#include "../http/ntlm_guard.h"

struct proxy_config;
struct proxy_state;
struct proxy_decision;

/*
 * What one client connection has proved (lesson 11).  NTLM and Negotiate
 * authenticate the TCP connection, not each request, so the server keeps
 * one of these per accepted connection -- a thread's local, or a field of
 * an event loop's connection -- passes it to every proxy_decide_conn() on
 * that connection, and drops it with proxy_conn_free() when the
 * connection closes: a handshake cut short, or a new connection, starts
 * over.  Fixed size, no allocation; never shared between connections, so
 * it needs no lock.
 */
struct proxy_conn {
	struct ntlm_guard_conn ntlm;   /* NTLM handshake of this connection */
	struct negotiate_conn neg;     /* a Negotiate context between legs */
	char neg_user[GUARD_MAX_USER]; /* Negotiate succeeded for this user, or
					  "" */
};

/* A fresh connection: nothing proved yet. */
void proxy_conn_init(struct proxy_conn *c);
/* The connection closed: forget (and wipe) what it proved. */
void proxy_conn_free(struct proxy_conn *c);

/* What proxy_conn_authenticate() did. */
enum proxy_conn_outcome {
	PROXY_CONN_NOT_MINE, /* no connection-bound scheme here: the
				request's own credentials decide */
	PROXY_CONN_PROVED,   /* the connection is authenticated: d->user and
				d->scheme are set */
	PROXY_CONN_ANSWERED  /* d holds the response (407 or 400) */
};

/*
 * Step 2 of proxy_decide_conn() for the connection-bound schemes, on
 * connection conn (NULL: none, so PROXY_CONN_NOT_MINE): a connection
 * whose handshake is done is authenticated with no header at all; an
 * NTLM or Negotiate message advances its handshake.
 */
enum proxy_conn_outcome
proxy_conn_authenticate(const struct proxy_config *cfg, struct proxy_state *st,
			struct proxy_conn *conn, const struct facts *f,
			uint64_t now, struct proxy_decision *d);

#endif

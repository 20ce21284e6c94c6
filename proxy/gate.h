/*
 * proxy/gate.h - the forward proxy's decision, as a pure function.
 *
 *   request + config  ->  respond (407, 403, 400, ...) | forward | tunnel
 *
 * No sockets here: bin/proxy (proxy/decide.c) and repl/ (the lab) move
 * the bytes and call proxy_decide() with a parsed request.  The decision
 * is proxy/gate.c and the proxy/gate_*.c files it calls; this header
 * includes the two a shell needs (gate_conn.h, gate_relay.h).  Lesson 02
 * reads this file top to bottom.
 */
#ifndef LAB407_PROXY_GATE_H
#define LAB407_PROXY_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/buf.h"
#include "../http/guard.h"
#include "../http/message.h"
#include "../http/url.h"
#include "acl.h"
#include "gate_conn.h"	/* struct proxy_conn: what a connection proved */
#include "gate_relay.h" /* proxy_relay_head*(): the way back */

#define PROXY_MAX_WHY 512

struct proxy_config {
	struct guard_config guard; /* proxy = true; num_schemes 0: open proxy */
	const struct acl *acl;	   /* not owned; NULL: allow every user */
	const struct acl_policy *policy; /* not owned: CONNECT ports and the
					    proxy's own address; NULL:
					    acl_policy_default() */
	bool verbose;
};

struct proxy_state {
	struct guard_state guard; /* nonces and counts; caller serialises */
};

enum proxy_action {
	PROXY_RESPOND, /* send `out` to the client (407, 403, 400, ...) */
	PROXY_FORWARD, /* connect to host:port, send `out` (the rewritten head)
			  then the body */
	PROXY_TUNNEL   /* CONNECT allowed: connect, send `out` (200) to the
			  client, relay bytes */
};

struct proxy_decision {
	enum proxy_action action;
	int status;	     /* RESPOND/TUNNEL: status sent to the client */
	struct http_buf out; /* owned; see proxy_action */
	unsigned port;	     /* FORWARD/TUNNEL destination, with host */
	bool close;	     /* close the client connection afterwards */
	const char *scheme;  /* the scheme that authenticated it (static),
				or NULL */
	const char *lesson;  /* "02", the lesson that explains `why` */
	int auth_verdict; /* enum guard_verdict of the check, -1 if none ran */
	/* The strings come last: proxy_decision_init() clears what is
	 * above and only empties these (see there). */
	char host[HTTP_MAX_HOST + 1]; /* FORWARD/TUNNEL destination */
	char user[GUARD_MAX_USER]; /* authenticated user, or "" ("-" in logs) */
	char why[PROXY_MAX_WHY];   /* "Proxy-Authorization missing -> 407,
				      offering Basic" */
	/* For bin/proxy and the REPL's explain: */
	char info_header[1024];	    /* Proxy-Authentication-Info value after a
				       Digest success, for the relayed response; ""
				     */
	char negotiate_reply[1024]; /* RFC 4559 §4.1, §5: the final token
				       (mutual authentication) for a
				       Proxy-Authenticate on the relayed
				       response; "" */
};

/* Initialise state (nonce secret); call once per server. */
enum http_err proxy_state_init(struct proxy_state *st, unsigned nonce_lifetime);
void proxy_decision_init(struct proxy_decision *d);
void proxy_decision_free(struct proxy_decision *d);
/* Set d->why, printf-style (truncated to PROXY_MAX_WHY if need be). */
void proxy_decision_why(struct proxy_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Decide what to do with one request.  `body` is whatever of the request
 * body the caller already holds (needed only for Digest qop=auth-int).
 * `now` is seconds since the epoch.  Fills *d; never fails.
 */
void proxy_decide(const struct proxy_config *cfg, struct proxy_state *st,
		  const struct http_request *req, const void *body,
		  size_t body_len, uint64_t now, struct proxy_decision *d);
/*
 * The same, for a request on connection `conn` (may be NULL: no
 * connection-bound scheme can then succeed).  NTLM messages advance
 * conn's handshake; once it is done, later requests on the connection
 * need no Proxy-Authorization.
 */
void proxy_decide_conn(const struct proxy_config *cfg, struct proxy_state *st,
		       struct proxy_conn *conn, const struct http_request *req,
		       const void *body, size_t body_len, uint64_t now,
		       struct proxy_decision *d);

/*
 * Step 3b, in the shell, between resolving and connecting (proxy/acl.h,
 * "Deciding on addresses").  After a FORWARD or TUNNEL decision the shell
 * resolves d->host once (net_resolve), then calls this with `method` (the
 * request's, as a string) and every address it got.  True: connect to
 * one of addrs[0..n) (net_connect_addr), never to the name again.
 * False: d is now a RESPOND 403 (no challenge, Connection: close, same
 * body as the ACL's other 403s, naming the rule and the address) to send
 * instead.  Pure: no sockets, no clock.
 */
bool proxy_decide_address(const struct proxy_config *cfg, const char *method,
			  const struct sockaddr_storage *addrs, size_t n,
			  struct proxy_decision *d);

/*
 * A response of the proxy's own (502, 503, 504, 408, ...): text body,
 * `Server: lab407-proxy`, no Via, `Connection: close` when close is true.
 * Appends to out.
 */
bool proxy_write_own(struct http_buf *out, int status, bool close,
		     const char *body);

#endif

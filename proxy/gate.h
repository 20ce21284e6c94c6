/*
 * proxy/gate.h - the forward proxy's decision, as a pure function.
 *
 *   request + config  ->  respond (407, 403, 400, ...) | forward | tunnel
 *
 * No sockets here: proxy/server.c (bin/proxy) and repl/ (the lab) move the
 * bytes and call proxy_decide() with a parsed request.  Lesson 02 reads
 * this file top to bottom.
 */
#ifndef LAB407_PROXY_GATE_H
#define LAB407_PROXY_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/buf.h"
#include "../http/guard.h"
#include "../http/message.h"
#include "../http/negotiate.h"
#include "../http/ntlm_guard.h"
#include "../http/url.h"
#include "acl.h"

#define PROXY_VIA_NAME "lab407"
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
	char host[HTTP_MAX_HOST + 1]; /* FORWARD/TUNNEL destination */
	unsigned port;
	bool close;		   /* close the client connection afterwards */
	char user[GUARD_MAX_USER]; /* authenticated user, or "" ("-" in logs) */
	const char *scheme;	   /* the scheme that authenticated it
				      (static), or NULL */
	char why[PROXY_MAX_WHY];   /* "Proxy-Authorization missing -> 407,
				      offering Basic" */
	const char *lesson;	   /* "02", the lesson that explains `why` */
	/* For bin/proxy and the REPL's explain: */
	char info_header[1024]; /* Proxy-Authentication-Info value after a
				   Digest success, for the relayed response; ""
				 */
	int auth_verdict; /* enum guard_verdict of the check, -1 if none ran */
	char negotiate_reply[1024]; /* RFC 4559 §4.1, §5: the final token
				       (mutual authentication) for a
				       Proxy-Authenticate on the relayed
				       response; "" */
};

/* A fresh connection: nothing proved yet. */
void proxy_conn_init(struct proxy_conn *c);
/* The connection closed: forget (and wipe) what it proved. */
void proxy_conn_free(struct proxy_conn *c);

/* Initialise state (nonce secret); call once per server. */
enum http_err proxy_state_init(struct proxy_state *st, unsigned nonce_lifetime);
void proxy_decision_init(struct proxy_decision *d);
void proxy_decision_free(struct proxy_decision *d);

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
 * Rewrite an origin's response head for the client: drop hop-by-hop
 * fields and those named in Connection (RFC 9110 §7.6.1), add Via.
 * Appends the new head (through the blank line) to out.
 */
bool proxy_relay_head(const struct http_response *resp, struct http_buf *out);

/*
 * The same, for bin/proxy: `info` (may be NULL or "") becomes a
 * Proxy-Authentication-Info field (RFC 7616 §3.5, the proxy's own Digest
 * success), and `connection` (may be NULL) a Connection field ("close" or
 * "keep-alive") for the client's hop.
 */
bool proxy_relay_head_ex(const struct http_response *resp, const char *info,
			 const char *connection, struct http_buf *out);

/*
 * The same, and when dechunk is true the Transfer-Encoding field is left
 * out: the body that follows is the decoded data, ended by closing the
 * connection (for an HTTP/1.0 client, RFC 9112 §7.1).
 */
bool proxy_relay_head_to(const struct http_response *resp, const char *info,
			 const char *connection, bool dechunk,
			 struct http_buf *out);
/* The same with `negotiate` (may be NULL or ""): the proxy's final
 * Negotiate token, sent as "Proxy-Authenticate: Negotiate <token>" on the
 * relayed response (RFC 4559 §4.1 and the example in §5; mutual
 * authentication). */
bool proxy_relay_head_auth(const struct http_response *resp, const char *info,
			   const char *negotiate, const char *connection,
			   bool dechunk, struct http_buf *out);

/*
 * A response of the proxy's own (502, 503, 504, 408, ...): text body,
 * `Server: lab407-proxy`, no Via, `Connection: close` when close is true.
 * Appends to out.
 */
bool proxy_write_own(struct http_buf *out, int status, bool close,
		     const char *body);

#endif

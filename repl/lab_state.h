/*
 * repl/lab_state.h - the lab's state: struct lab, private to the files of
 * the step machine (repl/lab*.c, wire.c, tlsleg.c, release.c, breaker*.c,
 * mystery.c) and to the lab's own unit tests.  The REPL's commands see
 * the lab through repl/lab.h (struct lab_view) and the setters of
 * repl/lab_set.h.  Also declared here: what repl/lab.c defines for the
 * step machine alone.
 */
#ifndef LAB407_REPL_LAB_STATE_H
#define LAB407_REPL_LAB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../client/machine.h"
#include "../http/users.h"
#include "../origin/gate.h"
#include "../proxy/gate.h"
#include "lab.h"

struct lab {
	/* ---- the servers ---- */
	struct lab_server server[2]; /* indexed by lab_party */
	struct users users[2];	     /* the lab users of each side */
	struct rules rules;	     /* the origin's default rules */
	struct acl *acl;	     /* owned: the default proxy ACL */
	struct proxy_config pcfg;
	struct acl_policy ppolicy; /* CONNECT: 443 and the origin's port;
				      never the lab proxy's own port */
	struct proxy_state *pst;   /* owned (large: nonce counts) */
	struct origin_config ocfg;
	struct origin_state *ost; /* owned */
	int listen_fd[2];	  /* proxy, origin listeners */
	unsigned port[2];	  /* their ports on 127.0.0.1 */
	uint64_t clock_skew;	  /* added to the proxy's `now` */

	/* ---- an external proxy (connect proxy HOST:PORT) ---- */
	bool external;
	char ext_host[256];
	unsigned ext_port;
	int ext_origin[LAB_EXT_ORIGIN_CONNS]; /* the proxy's connections to our
						 origin */
	int ext_origin_status; /* what our origin answered it last */

	/* ---- the two connections: [0] the connecting end, [1] accepted ----
	 */
	int cp[2]; /* client end, proxy end */
	int po[2]; /* proxy's upstream end, origin end */
	unsigned
	    conn_seq[2]; /* connections opened so far: [0] client ->
			    proxy (C1, C2, ...), [1] proxy -> origin (U1..) */

	/* ---- the client ---- */
	struct lab_creds creds[2];	 /* -U and -u */
	char token[2][LAB_MAX_CRED + 8]; /* Bearer: "<user>-token" */
	char method[16];
	char url[LAB_MAX_URL]; /* as shown: URL, or host:port of a CONNECT */
	bool tunnel;	       /* CONNECT host:port: ends at the tunnel */
	char client_url[LAB_MAX_URL]; /* the client machine's URL (tunnel) */
	char *body;		      /* owned, may be NULL */
	size_t body_len;
	struct client_config ccfg;
	struct client_machine cm;

	/* ---- the exchange ---- */
	bool active;			     /* a message is waiting to move */
	struct tlsleg *tlsleg;		     /* owned: `tls proxy on`
						(repl/tlsleg.c), or NULL */
	bool done;			     /* the client has its answer */
	enum lab_leg next;		     /* leg of the waiting message */
	struct http_buf pending;	     /* the waiting message */
	bool pending_proxy_own;		     /* P2C: the proxy's own response */
	char pending_broken[LAB_MAX_BROKEN]; /* what a break did, or "" */
	bool close_after;	   /* close client<->proxy after P2C */
	char proxy_info[1024];	   /* Proxy-Authentication-Info to relay */
	struct http_buf proxy_req; /* the request head the proxy checked:
				      rspauth after auth-int (relay_info) */
	char proxy_user[GUARD_MAX_USER]; /* ... and who it authenticated */
	const char *pending_method;	 /* method of the request in flight */
	char req_method[16];
	struct lab_msg msgs[LAB_MAX_MSGS];
	size_t num_msgs;
	int final_status; /* last response the client got */
	enum lab_party final_who;
	char end_note[LAB_MAX_WHY]; /* why the exchange ended */

	/* ---- a mystery (repl/mystery.c): a hidden set-up ---- */
	int mystery;	 /* 0, or the mystery in force */
	bool own_401;	 /* the proxy answers bad credentials with 401 */
	bool own_close;	 /* the proxy closes after each 407 it writes */
	uint64_t waited; /* `wait N`: seconds added to both clocks */

	/* ---- break ---- */
	enum lab_break brk;	  /* pending, applies once */
	enum lab_party brk_party; /* whose credential it corrupts */
	char last_digest[2048];	  /* last Digest credentials sent */
	char last_digest_field[32];
	bool stale_now; /* skew the clock at the next decide */
	char
	    last_ntlm[NTLM_GUARD_MAX_B64 + 8]; /* last NTLM AUTHENTICATE sent */

	/* ---- what the client<->proxy connection proved (NTLM) ---- */
	struct proxy_conn pconn;

	/* ---- Kerberos (lesson 12): `kdc` found the lab's realm ---- */
	bool kdc;		    /* the client may answer Negotiate */
	char negotiate_reply[1024]; /* the proxy's final token to relay */
};

/* The one place lab->next changes: the message in lab->pending is next
 * carried on leg (proxy_own: on P2C, the proxy's own answer). */
void lab_queue_next(struct lab *lab, enum lab_leg leg, bool proxy_own);
/* Seconds since the epoch as the lab's proxy and origin see them: `wait`
 * moves both clocks, `break stale` the proxy's too.  Every leg that asks
 * proxy_decide() or origin_decide() reads these, the outside clients'
 * (repl/release.c) as the built-in client's. */
uint64_t lab_proxy_now(const struct lab *lab);
uint64_t lab_origin_now(const struct lab *lab);
/* Room for one more message of the transcript (outside clients'
 * messages, repl/release.c), or NULL when it is full. */
struct lab_msg *lab_record(struct lab *lab, enum lab_leg leg);

#endif

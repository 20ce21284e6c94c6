/*
 * repl/lab.h - the step machine: the lab's proxy, origin and client in one
 * thread, moving one message at a time over real loopback TCP.
 *
 * The lab owns both ends of two connections, client<->proxy and
 * proxy<->origin.  A step writes the next message into one end, reads the
 * same bytes out of the other end, and hands them to the receiver's pure
 * machine: proxy_decide() (proxy/gate.c), origin_decide() (origin/gate.c)
 * or client_next() (client/machine.c).  Its answer is the next message.
 * Nothing waits on a clock, so a lab script gives the same transcript on
 * every run; only nonces and ports differ.
 *
 *   client --1--> proxy --2--> origin
 *   client <--4-- proxy <--3-- origin
 *
 * This file prints nothing: it records every message (struct lab_msg) and
 * the REPL prints them (repl/show.c).  This header declares the lab and
 * what repl/lab.c defines (opening, exchanges, the transcript); the
 * stepping is repl/lab_step.h, the set-up setters repl/lab_set.h, the
 * client machine's glue repl/lab_client.h, the names repl/lab_names.h.
 */
#ifndef LAB407_REPL_LAB_H
#define LAB407_REPL_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../client/machine.h"
#include "../http/buf.h"
#include "../http/digest.h"
#include "../http/guard.h"
#include "../http/users.h"
#include "../origin/gate.h"
#include "../proxy/gate.h"
#include "lab_names.h"

#include <sys/types.h>

#define LAB_MAX_MSGS 64	 /* messages in one exchange */
#define LAB_MAX_WHY 1200 /* one why line (client notes are joined) */
#define LAB_MAX_TLS 2048 /* TLS record lines of one message */
#define LAB_MAX_LINE 256 /* a request or status line, shortened */
#define LAB_MAX_CRED 128 /* user or password typed with `user` */
/* What `break` did, one sentence: room for the longest note in
 * repl/breaker.c with a realm of LAB_MAX_REALM_SHOWN bytes quoted in it. */
#define LAB_MAX_BROKEN 256
#define LAB_MAX_REALM_SHOWN 64 /* realm bytes quoted in a break note */
#define LAB_MAX_URL 1024
#define LAB_MAX_TCP 160		   /* one TCP event, as a sentence */
#define LAB_MAX_BODY 65536	   /* request body given to `request` */
#define LAB_MAX_MESSAGE (1u << 20) /* bytes of one message we read */
#define LAB_IO_TIMEOUT_MS 5000	   /* a read that should be instant */
#define LAB_EXT_TIMEOUT_MS 15000   /* an external proxy may be slower */
#define LAB_EXT_ORIGIN_CONNS 4	  /* external proxy -> lab origin connections */
#define LAB_ORIGIN_ALIAS "origin" /* `request CONNECT origin` */
#define LAB_UP_PROXY_PORT 4070	  /* make lab-up's bin/proxy (mk/lab.sh) */
#define LAB_UP_ORIGIN_PORT 4080	  /* make lab-up's bin/origin */
#define LAB_PROXY_REALM "lab407 proxy"
#define LAB_ORIGIN_REALM "lab407 origin"

/* One message as it crossed a socket. */
struct lab_msg {
	int n;	  /* step number, from 1 */
	int conn; /* outside connection #N (repl/intercept.h), or 0 */
	enum lab_leg leg;
	struct http_buf bytes; /* owned: exactly the bytes read */
	size_t head_len;       /* bytes of the head, through the blank line */
	bool is_request;
	int status;		     /* responses: the status code */
	char line[LAB_MAX_LINE];     /* request line or status line */
	char why[LAB_MAX_WHY];	     /* the receiver's reason */
	const char *lesson;	     /* "02": the lesson for `why`, or NULL */
	enum lab_party answered_by;  /* P2C messages: proxy's own or relayed */
	bool who_unknown;	     /* P2C, external proxy: no clue says who */
	char broken[LAB_MAX_BROKEN]; /* what `break` did to it, or "" */
	char tls[LAB_MAX_TLS];	     /* `tls proxy on`: the records that
					crossed (repl/tlsleg.c), or "" */
	/* TCP events of lesson 02: the connection this message went over,
	 * opened for it or reused, and its closing after it, or "" */
	char tcp_before[LAB_MAX_TCP];
	char tcp_after[LAB_MAX_TCP];
};

/* How one server is set up; `scheme`, `algorithm`, `qop` change it. */
struct lab_server {
	enum auth_scheme schemes[GUARD_MAX_SCHEMES];
	size_t num_schemes;
	enum digest_alg algs[DIGEST_ALG_COUNT];
	size_t num_algs;
	unsigned qops;
};

/* What the client sends to one party; `user` changes it. */
struct lab_creds {
	bool set; /* false: `user ... none` */
	char user[LAB_MAX_CRED];
	char pass[LAB_MAX_CRED];
};

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
	pid_t kdc_pid;		    /* a KDC `kdc start` launched, or 0 */
};

/* ---- Opening ---- */

/*
 * Start the lab: lab users, default ACL and rules, proxy and origin state,
 * both listeners on 127.0.0.1 port 0.  On failure returns false with err.
 * lab_close() frees everything (also after a failed open).
 */
bool lab_open(struct lab *lab, char *err, size_t err_cap);
void lab_close(struct lab *lab);

/* ---- Exchanges ---- */

/*
 * Start an exchange: method, a URL or a path on the lab origin, optional
 * body.  The first message (client -> proxy) is then waiting.
 *
 * CONNECT with a target that is neither a URL nor a path is a tunnel
 * request (lesson 07): the target is authority-form host:port, or
 * LAB_ORIGIN_ALIAS for the lab origin's 127.0.0.1:PORT.  The client
 * machine then sends CONNECT (client_config.tunnel) and the exchange ends
 * when the proxy answers it: after a 2xx only opaque bytes would follow.
 * A CONNECT with a URL or a path is sent as written (the proxy's 400).
 */
bool lab_begin(struct lab *lab, const char *method, const char *url_or_path,
	       const char *body, char *err, size_t err_cap);
/* Forget the current exchange (messages freed); settings stay. */
void lab_clear(struct lab *lab);
/* The first line of the message p[0..n), without CRLF, cut to fit
 * out[cap]: what the transcript shows as its title. */
void lab_first_line(const char *p, size_t n, char *out, size_t cap);

/* The one place lab->next changes: the message in lab->pending is next
 * carried on leg (proxy_own: on P2C, the proxy's own answer). */
void lab_queue_next(struct lab *lab, enum lab_leg leg, bool proxy_own);
/* Room for one more message of the transcript (outside clients'
 * messages, repl/release.c), or NULL when it is full. */
struct lab_msg *lab_record(struct lab *lab, enum lab_leg leg);
/* Message n (from 1), or NULL. */
const struct lab_msg *lab_msg_at(const struct lab *lab, int n);
/* The last response the client received, or NULL. */
const struct lab_msg *lab_last_response(const struct lab *lab);

#endif

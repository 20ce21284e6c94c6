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
 * the REPL prints them (repl/show.c).  This header is the lab as the
 * REPL's commands see it: an opaque struct lab, what repl/lab.c defines
 * (opening, exchanges, the transcript) and a read-only view of it
 * (struct lab_view).  The lab's state itself is repl/lab_state.h, for
 * the files of the step machine only; the stepping is repl/lab_step.h,
 * the set-up setters repl/lab_set.h, the names repl/lab_names.h.
 */
#ifndef LAB407_REPL_LAB_H
#define LAB407_REPL_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/auth.h"
#include "../http/buf.h"
#include "../http/digest.h"
#include "../http/guard.h"
#include "lab_names.h"

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

/* The lab: its servers, sockets, client and exchange (repl/lab_state.h). */
struct lab;

/*
 * What the REPL's commands read of the lab, filled by lab_view(): a
 * snapshot, taken again after the lab changes (a step, a setter).  Its
 * pointers point into the lab and live as long as it.
 */
struct lab_view {
	/* ---- the servers ---- */
	unsigned port[2];		 /* lab proxy, lab origin: 127.0.0.1 */
	const struct lab_server *server; /* [2], by lab_party: their set-up */
	int mystery;			 /* 0, or the mystery in force */
	bool external;			 /* `connect proxy HOST:PORT` */
	bool tls_proxy;			 /* `tls proxy on` */
	const char *ext_host;		 /* ... that HOST, or "" */
	unsigned ext_port;		 /* ... and PORT */
	/* ---- the client ---- */
	const struct lab_creds *creds; /* [2], by lab_party: -U and -u */
	const char *method;	       /* of the exchange, or "" */
	const char *url;	       /* as shown: URL, or host:port */
	bool tunnel;		       /* CONNECT host:port */
	const char *client_url;	       /* the client machine's URL (tunnel) */
	const char *body;	       /* the request body, or NULL */
	/* ---- the exchange ---- */
	bool active;		    /* a message is waiting to move */
	enum lab_leg next;	    /* ... on this leg */
	bool done;		    /* the client has its answer */
	bool tunnel_up;		    /* the client saw its tunnel's 2xx */
	int final_status;	    /* the last response the client got */
	enum lab_party final_who;   /* ... and who wrote it */
	const char *end_note;	    /* why the exchange ended, or "" */
	const struct lab_msg *msgs; /* the transcript, msgs[0..num_msgs) */
	size_t num_msgs;
	/* ---- break ---- */
	enum lab_break brk;	  /* pending, or LAB_BREAK_NONE */
	enum lab_party brk_party; /* whose credential it corrupts */
};

/* ---- Opening ---- */

/* A zeroed lab to open, or NULL when out of memory; free() it after
 * lab_close(). */
struct lab *lab_new(void);
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

/* Message n (from 1), or NULL. */
const struct lab_msg *lab_msg_at(const struct lab *lab, int n);
/* The last response the client received, or NULL. */
const struct lab_msg *lab_last_response(const struct lab *lab);
/* Fill v with what the lab is now (struct lab_view). */
void lab_view(const struct lab *lab, struct lab_view *v);

#endif

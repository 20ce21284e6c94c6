/*
 * repl/intercept.h - outside clients through the lab's proxy: curl, a
 * browser or a script connects to `listen HOST:PORT` and every message of
 * its exchange is held until the person (or the lab script) releases it.
 *
 * Each outside connection has a number (#1, #2, ...) and at most one
 * message in flight: HTTP/1.1 without pipelining sends the next request
 * only after the response.  A held message waits on one of the four legs
 * of repl/lab.h; releasing it does what the built-in exchange's step does
 * (the proxy's pure proxy_decide(), the lab origin's origin_decide()) and
 * records it in the lab's transcript, so `show`, `explain`, `trace`,
 * `dot` and `save` work on it unchanged.  Held messages are released
 * oldest first; other connections' requests keep being read and queued
 * meanwhile.
 *
 * The socket side (listener, non-blocking reads, tunnel relay) is
 * repl/listen.h; this file's functions never block on an outside client,
 * only on the lab's own loopback legs (bounded by LAB_IO_TIMEOUT_MS).
 */
#ifndef LAB407_REPL_INTERCEPT_H
#define LAB407_REPL_INTERCEPT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../http/buf.h"
#include "../http/tlsrec.h"
#include "../http/url.h"
#include "lab.h"
#include "repl.h"

#define ICPT_MAX_CONNS 32   /* outside connections at once */
#define ICPT_MAX_FILTER 256 /* a host or path prefix in `hold` */
#define ICPT_MAX_EDIT 512   /* a header value given to `edit set` */
#define ICPT_PEEK 8192	    /* bytes of plain HTTP kept per tunnel side */
#define ICPT_CHUNK 16384    /* one read of a tunnel */
#define ICPT_AWAIT_MAX 120  /* seconds `await request` may wait */

enum icpt_state {
	ICPT_FREE,
	ICPT_READING, /* waiting for the outside client's next request */
	ICPT_HELD,    /* one message held on `leg` */
	ICPT_TUNNEL   /* after a 2xx to CONNECT: bytes relayed */
};

/* One side of a tunnel as the proxy can read it. */
struct icpt_side {
	struct tlsrec_reader tls;
	bool not_tls;	      /* the bytes were not TLS */
	bool plain_done;      /* stopped looking for HTTP in it */
	struct http_buf peek; /* plain HTTP: bytes of the next head */
	uint64_t skip;	      /* body bytes of plain HTTP to pass over */
	uint64_t bytes;	      /* relayed in this direction */
	unsigned records;     /* TLS records summarised */
};

struct icpt_conn {
	enum icpt_state st;
	int fd;	 /* the outside client */
	int num; /* #N, from 1 */
	int up;	 /* tunnel: the far end */
	int srv; /* tunnel to the lab's origin: the origin's end, or -1 */
	enum lab_leg leg;     /* of the held message */
	struct http_buf in;   /* read from the client, not yet a message */
	struct http_buf held; /* the held message */
	uint64_t seq;	      /* when it was held: oldest is released first */
	bool shown;	      /* matched the filter: recorded and printed */
	bool own;	      /* P2C: the proxy's own response */
	bool close_after;     /* close the client after P2C */
	bool tunnel_after;    /* P2C is a 2xx to CONNECT */
	bool lab_origin;      /* forwarding to the lab's origin */
	struct sockaddr_storage addrs[4]; /* the checked upstream addresses */
	size_t naddrs;
	char target[HTTP_MAX_HOST +
		    16];	     /* host:port forwarded or tunnelled to */
	char method[16];	     /* of the request in flight */
	char info[1024];	     /* Proxy-Authentication-Info to relay */
	char broken[LAB_MAX_BROKEN]; /* what break/edit did to it */
	struct icpt_side side[2];    /* [0] client->far, [1] far->client */
};

/* What is held, and what happens to the rest. */
enum icpt_rest { ICPT_REST_RELEASE, ICPT_REST_DENY };

struct intercept {
	int lfd;	/* listener, or -1 */
	char bound[64]; /* "127.0.0.1:PORT" */
	struct icpt_conn c[ICPT_MAX_CONNS];
	int next_num;
	uint64_t next_seq;
	bool auto_release;	    /* `auto on`: print, never hold */
	bool reach_any;		    /* `reach any`: outside clients' requests
				       go beyond loopback too */
	char host[ICPT_MAX_FILTER]; /* hold only these ("" any) */
	char method[16];
	char path[ICPT_MAX_FILTER];
	enum icpt_rest rest;
	unsigned requests; /* outside requests read so far */
	bool printed;	   /* something was printed by a pump */
	/* called before printing while the prompt waits (may be NULL) */
	void (*before_print)(void *arg);
	void *arg;
};

/* ---- Holding (releasing: repl/release.h; the sockets: repl/listen.h) ---- */

/* An empty intercept: not listening, no connections. */
void intercept_init(struct intercept *ic);

/* A request was read on c (in c->held): hold it, or deal with it. */
void intercept_arrived(struct repl *r, struct icpt_conn *c);

/* `step` while something is held: release the oldest. */
enum repl_rc intercept_step(struct repl *r, bool *moved);

/* ---- Commands ---- */

enum repl_rc intercept_listen(struct repl *r, int argc, char **argv);
enum repl_rc intercept_hold(struct repl *r, int argc, char **argv);
enum repl_rc intercept_auto(struct repl *r, int argc, char **argv);
enum repl_rc intercept_reach(struct repl *r, int argc, char **argv);
enum repl_rc intercept_held(struct repl *r, int argc, char **argv);
enum repl_rc intercept_edit(struct repl *r, int argc, char **argv);
enum repl_rc intercept_await(struct repl *r, int argc, char **argv);
/* Something from an outside client is held. */
bool intercept_pending(const struct repl *r);

#endif

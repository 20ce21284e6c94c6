/*
 * http/ntlm_guard.h - the server's side of NTLM over HTTP, one connection
 * at a time (MS-NLMP §3.2.5 carried in Proxy-Authorization and
 * Proxy-Authenticate).
 *
 * NTLM breaks HTTP's rule that every request carries its own credentials:
 *
 *   request 1   Proxy-Authorization: NTLM <NEGOTIATE>
 *   407         Proxy-Authenticate: NTLM <CHALLENGE>     (same connection)
 *   request 2   Proxy-Authorization: NTLM <AUTHENTICATE> (same connection)
 *   -> the CONNECTION is authenticated; request 3 needs no header.
 *
 * struct ntlm_guard_conn is what the server keeps per client connection:
 * small, fixed size, no allocation; the shell creates one per accepted
 * connection and wipes it when the connection closes, so a handshake that
 * loses its connection is lost with it.  ntlm_guard_step() is pure apart
 * from drawing the server challenge with RAND_bytes.
 */
#ifndef LAB407_HTTP_NTLM_GUARD_H
#define LAB407_HTTP_NTLM_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ntlm.h"
#include "users.h"

#define NTLM_GUARD_TARGET "LAB407" /* target name and NetBIOS names */
#define NTLM_GUARD_MAX_B64 ((NTLM_MAX_MESSAGE + 2) / 3 * 4 + 1)
#define NTLM_GUARD_MAX_REASON 256

/* Where one connection stands in the handshake. */
enum ntlm_guard_phase {
	NTLM_GUARD_IDLE,       /* nothing yet, or a handshake that failed */
	NTLM_GUARD_CHALLENGED, /* our CHALLENGE went out on this connection */
	NTLM_GUARD_DONE	       /* AUTHENTICATE verified: `user` is in */
};

struct ntlm_guard_conn {
	enum ntlm_guard_phase phase;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN]; /* CHALLENGED only */
	uint32_t flags;				      /* of our CHALLENGE */
	char user[NTLM_MAX_NAME]; /* DONE: who this connection is */
};

enum ntlm_guard_verdict {
	NTLM_GUARD_SEND_CHALLENGE, /* answer 407 with `challenge` */
	NTLM_GUARD_OK,		   /* the connection is authenticated */
	NTLM_GUARD_REFUSED,	   /* start over: 407 with the bare scheme */
	NTLM_GUARD_MALFORMED	   /* not NTLM at all: 400 */
};

struct ntlm_guard_result {
	enum ntlm_guard_verdict verdict;
	enum http_err err;		    /* the precise cause */
	enum ntlm_type type;		    /* of the message received */
	char user[NTLM_MAX_NAME];	    /* as sent, even when refused */
	char challenge[NTLM_GUARD_MAX_B64]; /* base64 CHALLENGE, or "" */
	char reason[NTLM_GUARD_MAX_REASON]; /* one sentence */
};

/* A fresh connection's state. */
void ntlm_guard_init(struct ntlm_guard_conn *c);
/* Forget (and wipe) the state: a connection closed or was reused. */
void ntlm_guard_reset(struct ntlm_guard_conn *c);

/*
 * One NTLM message from a client, `token` being the base64 after "NTLM ".
 * NEGOTIATE: draw a server challenge, answer with our CHALLENGE.
 * AUTHENTICATE: allowed only right after our CHALLENGE on this connection
 * (and only once); verified against the user's NT hash from `users` (a
 * plain store).  Anything else: refused or malformed, with a reason.
 */
void ntlm_guard_step(const struct users *users, struct ntlm_guard_conn *c,
		     const char *token, size_t token_len,
		     struct ntlm_guard_result *r);

#endif

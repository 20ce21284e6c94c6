/*
 * client/handshake.h - NTLM and Negotiate for client/machine.c: the
 * schemes that authenticate a connection in several messages rather than
 * each request (lessons 11 and 12); and struct party, the words of the
 * proxy and the origin that machine.c, request.c and handshake.c share.
 * Internal to client/.
 */
#ifndef LAB407_CLIENT_HANDSHAKE_H
#define LAB407_CLIENT_HANDSHAKE_H

#include <stdbool.h>

#include "../http/auth.h"
#include "../http/message.h"
#include "machine.h"

/* One party's fields and words, so one function serves both. */
struct party {
	const char *name;	/* "proxy" / "origin" */
	const char *cred_field; /* "Proxy-Authorization" / "Authorization" */
	const char *challenge_field;
	const char *info_field;
	const char *option; /* "-U" / "-u" */
	int status;	    /* 407 / 401 */
	bool is_proxy;
};

/* The two parties (client/machine.c). */
extern const struct party party_proxy, party_origin;

/* NTLM message 1 of 3, NEGOTIATE, for the next request to p. */
bool handshake_ntlm_start(struct client_machine *m, const struct party *p,
			  struct client_step *s);
/*
 * An NTLM challenge from p: bare "NTLM" starts (message 1) unless it
 * already had (then stop); "NTLM <CHALLENGE>" is answered with message 3.
 * True when a retry is due.
 */
bool handshake_ntlm(struct client_machine *m, const struct party *p,
		    const struct auth_challenge *c, struct client_step *s);
/* A Negotiate challenge from the proxy: a token from the credential
 * cache, once.  True when a retry is due. */
bool handshake_negotiate(struct client_machine *m,
			 const struct auth_challenge *c, struct client_step *s);
/* The final response's Negotiate token: the proxy's proof, noted. */
void handshake_negotiate_finish(struct client_machine *m,
				const struct http_response *resp,
				struct client_step *s);

#endif

/*
 * repl/lab_client.c - the lab's glue to the client machine
 * (client/machine.c): its configuration from the lab's set-up, one call
 * with `break password|user` swapping the credentials, and queueing the
 * request it produced (repl/lab_client.h).
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "lab_client.h"
#include "lab_state.h"

#include <stdio.h>
#include <string.h>

#include "breaker.h"
#include "lab_set.h"

/* ---- The client machine ---- */

/* Bearer wants a token: the lab users' tokens are "<user>-token". */
static const char *secret_for(const struct lab *lab, enum lab_party p,
			      char *tok, size_t cap)
{
	const struct lab_server *s = &lab->server[p];
	const struct lab_creds *c = &lab->creds[p];
	const char *lab_pass = lab_password_of(lab, p, c->user);
	bool bearer_only =
	    s->num_schemes == 1 && s->schemes[0] == AUTH_SCHEME_BEARER;

	if (bearer_only && lab_pass != NULL && strcmp(lab_pass, c->pass) == 0) {
		char t[LAB_MAX_CRED + 8];
		snprintf(t, sizeof(t), "%s-token", c->user);
		snprintf(tok, cap, "%s", t);
		return tok;
	}
	return c->pass;
}

/* Fill the client's configuration from the lab's set-up. */
void lab_client_fill(struct lab *lab)
{
	struct client_config *cc = &lab->ccfg;
	int p;

	memset(cc, 0, sizeof(*cc));
	cc->method = lab->method;
	cc->url = lab->url;
	cc->via_proxy = true;
	if (lab->tunnel) {
		/* Lesson 07: the machine sends CONNECT host:port first; the
		 * request it would send inside the tunnel never leaves */
		cc->tunnel = true;
		cc->url = lab->client_url;
		cc->method = "GET";
	}
	cc->body = lab->body;
	cc->body_len = lab->body_len;
	cc->user_agent = "lab407-repl/1.0";
	/* the REPL's notes name the REPL's command, not curl's -U / -u */
	cc->proxy_option = "set them with `user proxy NAME:PASSWORD`";
	cc->origin_option = "set them with `user origin NAME:PASSWORD`";
	cc->proxy_host = "localhost"; /* the service principal's host */
	for (p = 0; p < 2; p++) {
		struct answer_creds *a =
		    p == LAB_PROXY ? &cc->proxy : &cc->origin;
		if (!lab->creds[p].set)
			continue;
		a->user = lab->creds[p].user;
		a->pass = secret_for(lab, (enum lab_party)p, lab->token[p],
				     sizeof(lab->token[p]));
		/* the ranking depends on TLS (http/answer.h): only the
		 * proxy leg can have it, with `tls proxy on` */
		a->tls = p == LAB_PROXY && lab->tlsleg != NULL;
		/* curl's --proxy-anyauth / --anyauth: whatever is offered */
		a->allowed = AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST |
			     AUTH_SCHEME_BEARER | AUTH_SCHEME_NTLM;
		/* Lesson 12: with the lab's realm, a ticket for HTTP/localhost
		 */
		if (lab->kdc && p == LAB_PROXY)
			a->allowed |= AUTH_SCHEME_NEGOTIATE;
	}
}

/*
 * Call the client machine (start when resp is NULL), with the creds
 * swapped for wrong ones when `break password|user` is armed.  The break
 * is spent when the request it produced carries credentials.
 */
void lab_client_call(struct lab *lab, const struct http_response *resp,
		     const char *body, size_t blen, struct client_step *s,
		     char *broken, size_t bcap)
{
	char bad_user[LAB_MAX_CRED + 8], bad_pass[LAB_MAX_CRED + 8];
	bool swap =
	    lab->brk == LAB_BREAK_PASSWORD || lab->brk == LAB_BREAK_USER;
	int p;

	lab_client_fill(lab);
	if (swap) {
		/* only the party the break targets: its credential alone */
		for (p = 0; p < 2; p++) {
			struct answer_creds *a = p == LAB_PROXY
						     ? &lab->ccfg.proxy
						     : &lab->ccfg.origin;
			if (a->user == NULL || p != (int)lab->brk_party)
				continue;
			if (lab->brk == LAB_BREAK_PASSWORD) {
				snprintf(bad_pass, sizeof(bad_pass), "%s-wrong",
					 a->pass);
				a->pass = bad_pass;
			} else {
				snprintf(bad_user, sizeof(bad_user), "nobody");
				a->user = bad_user;
			}
		}
	}
	if (resp == NULL)
		client_start(&lab->cm, s);
	else
		client_next(&lab->cm, resp, body, blen, s);
	/* NTLM's NEGOTIATE carries no password: the break waits for the
	 * AUTHENTICATE. */
	if (swap && s->action == CLIENT_SEND &&
	    breaker_has_field(&s->request, lab->brk_party) &&
	    !breaker_is_ntlm_negotiate(&s->request)) {
		struct http_request req;
		const struct http_header *h =
		    breaker_party_cred(&s->request, lab->brk_party, &req);
		/* Bearer carries a token, not a password: say so */
		bool token =
		    h != NULL && auth_scheme_of(h->value, h->value_len) ==
				     AUTH_SCHEME_BEARER;

		snprintf(
		    broken, bcap, "break %s %s: the client was given %s",
		    lab_party_name(lab->brk_party), lab_break_name(lab->brk),
		    lab->brk != LAB_BREAK_PASSWORD ? "an unknown user (nobody)"
		    : token ? "a wrong token (TOKEN-wrong)"
			    : "a wrong password (PASSWORD-wrong)");
		lab->brk = LAB_BREAK_NONE;
	}
	explicit_bzero(bad_pass, sizeof(bad_pass));
	/* the machine keeps cfg: point it at the good creds again */
	lab_client_fill(lab);
}

/* Take the client's next step: queue its request, or end the exchange. */
void lab_client_take(struct lab *lab, struct client_step *s, const char *broken)
{
	if (s->action == CLIENT_SEND) {
		http_buf_reset(&lab->pending);
		http_buf_append(&lab->pending, s->request.data, s->request.len);
		lab_queue_next(lab, LAB_C2P, false);
		snprintf(lab->pending_broken, sizeof(lab->pending_broken), "%s",
			 broken);
		return;
	}
	lab->active = false;
	lab->done = true;
	snprintf(lab->end_note, sizeof(lab->end_note), "%s", s->note);
}

/*
 * http/answer.h - the client side of HTTP authentication: given the
 * challenges of a 401 or 407, build the one Authorization or
 * Proxy-Authorization value to retry with, the way curl does.
 *
 * Choice: lab407's policy, answer_rank() below, among the schemes both
 * offered and allowed; the schemes this file does not answer (Negotiate,
 * NTLM: client/machine.c) and unknown ones are skipped.  Digest picks the
 * strongest algorithm offered, counts nc per nonce and makes a fresh
 * cnonce per request.
 */
#ifndef LAB407_HTTP_ANSWER_H
#define LAB407_HTTP_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "digest.h"

/* What the user gave for one party (proxy or origin). */
struct answer_creds {
	const char *user;  /* NULL: no credentials for this party */
	const char *pass;  /* password; Bearer's token when token is NULL */
	unsigned allowed;  /* AUTH_SCHEME_* bits; curl's default is Basic */
	bool tls;	   /* requests to this party travel inside TLS */
	const char *token; /* Bearer's token, or NULL: pass serves */
};

/*
 * How lab407's client ranks the schemes offered to it, higher first; 0
 * for a scheme it never chooses on its own ranking.  The RFCs leave the
 * choice to the client: RFC 9110 §11.4 has it pick the challenge with
 * "what it considers to be the most secure auth-scheme that it
 * understands", and the order of challenges says nothing about strength
 * (RFC 9110 §11.3; within Digest, RFC 7616 §3.7 asks for the first
 * algorithm supported unless a local policy says otherwise).  The policy:
 *
 *   inside TLS:   Negotiate > Bearer > Digest > NTLM > Basic (curl's
 *                 order for --anyauth)
 *   without TLS:  Negotiate > Digest > NTLM > Bearer > Basic: the schemes
 *                 that send no reusable secret first.  A Bearer token, like
 *                 a Basic password, travels as it is, and RFC 6750 §5.3
 *                 requires TLS for it; it is sent in clear only when the
 *                 user gave one and nothing better is offered, with a note.
 */
int answer_rank(enum auth_scheme s, bool tls);

/* What the client remembers between requests to one party. */
struct answer_state {
	enum auth_scheme scheme; /* chosen last time */
	char realm[DIGEST_MAX_FIELD];
	char nonce[DIGEST_MAX_FIELD];
	char opaque[DIGEST_MAX_FIELD];
	enum digest_alg alg;
	unsigned qop_offered; /* bits */
	bool userhash;
	uint32_t nc; /* last nc sent with this nonce */
	bool have_challenge;
};

/* Details of the last answer, for `-v` notes and the REPL's explain. */
struct answer_trace {
	enum auth_scheme scheme;
	char why[256];		    /* "chose Digest SHA-256 over Basic" */
	struct digest_trace digest; /* when scheme is Digest */
	char cnonce[DIGEST_MAX_FIELD];
	uint32_t nc;
};

void answer_state_init(struct answer_state *st);

/*
 * Remember the challenges of a 401/407 and pick one of Basic, Digest and
 * Bearer by answer_rank(cr->tls).  HTTP_E_AUTH_SCHEME when none is usable
 * with what is allowed (the client then stops).
 */
enum http_err answer_choose(struct answer_state *st,
			    const struct answer_creds *cr,
			    const struct auth_challenge *ch, size_t n,
			    struct answer_trace *trace);
/*
 * Build the credentials value for a request (method, request-target as
 * sent, body for auth-int) from the remembered challenge: appends
 * "Basic ...", "Digest ..." or "Bearer ..." to out.  Advances nc.
 */
enum http_err answer_build(struct answer_state *st,
			   const struct answer_creds *cr, const char *method,
			   const char *uri, const void *body, size_t body_len,
			   struct http_buf *out, struct answer_trace *trace);
/* Take Authentication-Info's nextnonce (resetting nc), if present. */
void answer_info(struct answer_state *st, const char *info, size_t len);

#endif

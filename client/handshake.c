/*
 * client/handshake.c - the connection-bound handshakes of client/machine.c:
 * NTLM (lesson 11; MS-NLMP, three messages on one connection) and
 * Negotiate (lesson 12; RFC 4559, a Kerberos ticket through GSS-API).
 * Pure like the machine: no sockets, no printing; each step's notes say
 * what was sent and why.
 */
#define _POSIX_C_SOURCE 200809L

#include "handshake.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/ntlm.h"

/* ---- Answering NTLM (lesson 11) ---- */

/* curl's NEGOTIATE flags: Unicode or OEM, NTLM, NTLMv2-capable. */
#define CLIENT_NTLM_FLAGS                                                      \
	(NTLM_FLAG_UNICODE | NTLM_FLAG_OEM | NTLM_FLAG_REQUEST_TARGET |        \
	 NTLM_FLAG_NTLM | NTLM_FLAG_ALWAYS_SIGN |                              \
	 NTLM_FLAG_EXTENDED_SESSIONSECURITY)

/* Lowercase hex of n bytes into out (cap >= 2n+1). */
static void hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * i] = '\0';
}

/* Message 1 of 3: NEGOTIATE, to go out with the next request. */
bool handshake_ntlm_start(struct client_machine *m, const struct party *p,
			  struct client_step *s)
{
	struct client_ntlm *nt = p->is_proxy ? &m->proxy_ntlm : &m->origin_ntlm;
	uint8_t msg[64];
	size_t len = 0, b64 = 0;
	char flags[512];

	if (ntlm_build_negotiate(CLIENT_NTLM_FLAGS, msg, sizeof(msg), &len) !=
		HTTP_OK ||
	    base64_encode(msg, len, nt->token, sizeof(nt->token), &b64) !=
		HTTP_OK) {
		client_step_note(s, "Cannot build the NTLM NEGOTIATE");
		return false;
	}
	nt->phase = CLIENT_NTLM_NEGOTIATE_SENT;
	ntlm_flags_describe(CLIENT_NTLM_FLAGS, flags, sizeof(flags));
	client_step_note(s,
			 "NTLM message 1 of 3 to the %s: NEGOTIATE, flags %s",
			 p->name, flags);
	return true;
}

/* A -U of "DOMAIN\\user" names the domain, as curl reads it. */
static void split_domain(const char *in, char *dom, size_t dcap, char *user,
			 size_t ucap)
{
	const char *bs = strchr(in, '\\');

	if (bs == NULL) {
		snprintf(dom, dcap, "%s", "");
		snprintf(user, ucap, "%s", in);
		return;
	}
	snprintf(dom, dcap, "%.*s", (int)(bs - in), in);
	snprintf(user, ucap, "%s", bs + 1);
}

/* Describe a CHALLENGE's target info: "MsvAvNbDomainName=LAB407, ...". */
static void describe_target_info(const struct ntlm_challenge *c, char *out,
				 size_t cap)
{
	struct ntlm_av av[NTLM_MAX_AV];
	size_t n = 0, used = 0;

	out[0] = '\0';
	if (ntlm_av_parse(c->target_info.p, c->target_info.len, av, NTLM_MAX_AV,
			  &n) != HTTP_OK) {
		snprintf(out, cap, "(none or unreadable)");
		return;
	}
	for (size_t i = 0; i < n && used < cap; i++) {
		char v[NTLM_MAX_NAME];
		const char *name = ntlm_av_name(av[i].id);
		int w;

		if (av[i].id == NTLM_AV_FLAGS ||
		    av[i].id == NTLM_AV_TIMESTAMP ||
		    ntlm_string(av[i].value, true, v, sizeof(v)) != HTTP_OK)
			snprintf(v, sizeof(v), "(%zu bytes)", av[i].value.len);
		w = snprintf(out + used, cap - used, "%s%s=%s", i ? ", " : "",
			     name ? name : "AvId?", v);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* A bare "NTLM" challenge: start, unless the handshake already had. */
static bool ntlm_bare(struct client_machine *m, const struct party *p,
		      const struct client_ntlm *nt, struct client_step *s)
{
	if (nt->phase == CLIENT_NTLM_AUTHENTICATE_SENT) {
		client_step_note(s,
				 "The %s refused the NTLM AUTHENTICATE (a bare "
				 "NTLM challenge again): wrong password, "
				 "unknown user, or not the connection of the "
				 "CHALLENGE; giving up",
				 p->name);
		return false;
	}
	if (nt->phase == CLIENT_NTLM_NEGOTIATE_SENT) {
		client_step_note(s,
				 "The %s answered the NTLM NEGOTIATE with a "
				 "bare NTLM challenge: the handshake was lost; "
				 "giving up",
				 p->name);
		return false;
	}
	return handshake_ntlm_start(m, p, s);
}

/* Message 2 of 3, as a note: what the CHALLENGE says. */
static void note_challenge(struct client_step *s, const struct party *p,
			   const struct ntlm_challenge *ch)
{
	char flags[512], ti[512], sc[17], name[NTLM_MAX_NAME];

	ntlm_flags_describe(ch->flags, flags, sizeof(flags));
	hex(ch->server_challenge, NTLM_CHALLENGE_LEN, sc, sizeof(sc));
	describe_target_info(ch, ti, sizeof(ti));
	ntlm_string(ch->target_name, (ch->flags & NTLM_FLAG_UNICODE) != 0, name,
		    sizeof(name));
	if (ch->target_name_invalid)
		snprintf(name, sizeof(name),
			 "(its offset points outside the message; ignored)");
	if (ch->target_info.len == 0)
		snprintf(ti, sizeof(ti),
			 "none (the NTLMv2 blob then carries no AV pairs)");
	client_step_note(s,
			 "NTLM message 2 of 3 from the %s: CHALLENGE, server "
			 "challenge %s, target name '%s', flags %s; target "
			 "info: %s",
			 p->name, sc, name, flags, ti);
}

/* Message 3 of 3: AUTHENTICATE, NTLMv2, into nt->token. */
static bool ntlm_authenticate(const struct answer_creds *cr,
			      struct client_ntlm *nt, const struct party *p,
			      const struct ntlm_challenge *ch,
			      struct client_step *s)
{
	uint8_t out[NTLM_MAX_MESSAGE];
	size_t olen = 0, b64 = 0;
	struct ntlm_authenticate a;
	struct ntlm_v2_response r;
	struct ntlm_client_input in;
	char dom[NTLM_MAX_NAME], user[NTLM_MAX_NAME], proof[33];

	split_domain(cr->user, dom, sizeof(dom), user, sizeof(user));
	memset(&in, 0, sizeof(in));
	in.user = user;
	in.domain = dom;
	in.password = cr->pass ? cr->pass : "";
	in.workstation = "WORKSTATION";
	/* FILETIME: 100 ns units since 1601-01-01 (MS-NLMP §2.2.2.7). */
	in.timestamp = ((uint64_t)time(NULL) + 11644473600ull) * 10000000ull;
	if (RAND_bytes(in.client_challenge, NTLM_CHALLENGE_LEN) != 1 ||
	    ntlm_client_authenticate(ch, &in, out, sizeof(out), &olen) !=
		HTTP_OK ||
	    base64_encode(out, olen, nt->token, sizeof(nt->token), &b64) !=
		HTTP_OK) {
		client_step_note(s, "Cannot build the NTLM AUTHENTICATE");
		return false;
	}
	nt->phase = CLIENT_NTLM_AUTHENTICATE_SENT;
	proof[0] = '\0';
	if (ntlm_parse_authenticate(out, olen, &a) == HTTP_OK &&
	    ntlm_v2_response_parse(a.nt_response.p, a.nt_response.len, &r) ==
		HTTP_OK)
		hex(r.proof, NTLM_HASH_LEN, proof, sizeof(proof));
	client_step_note(
	    s,
	    "NTLM message 3 of 3 to the %s: AUTHENTICATE for user '%s'%s%s%s, "
	    "NTLMv2: NTProofStr = HMAC-MD5(NTOWFv2, server challenge || "
	    "blob) = %s; NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)), "
	    "UTF-16LE(UPPER(user) || domain)); no password on the wire",
	    p->name, user, dom[0] ? " (domain '" : "", dom, dom[0] ? "')" : "",
	    proof);
	return true;
}

/*
 * An NTLM challenge from a party.  Bare "NTLM": start (message 1), unless
 * we already had (then the handshake was lost or refused: stop).  "NTLM
 * <CHALLENGE>": answer it with message 3.  True when a retry is due.
 */
bool handshake_ntlm(struct client_machine *m, const struct party *p,
		    const struct auth_challenge *c, struct client_step *s)
{
	const struct answer_creds *cr =
	    p->is_proxy ? &m->cfg->proxy : &m->cfg->origin;
	struct client_ntlm *nt = p->is_proxy ? &m->proxy_ntlm : &m->origin_ntlm;
	uint8_t msg[NTLM_MAX_MESSAGE];
	size_t len = 0;
	struct ntlm_challenge ch;

	if (c->token68 == NULL)
		return ntlm_bare(m, p, nt, s);
	if (nt->phase != CLIENT_NTLM_NEGOTIATE_SENT) {
		client_step_note(s,
				 "The %s sent an NTLM CHALLENGE nobody asked "
				 "for; giving up",
				 p->name);
		return false;
	}
	if (base64_decode(c->token68, c->token68_len, msg, sizeof(msg), &len) !=
		HTTP_OK ||
	    ntlm_parse_challenge(msg, len, &ch) != HTTP_OK) {
		client_step_note(s,
				 "The %s's NTLM CHALLENGE cannot be read: %s",
				 p->name, http_strerror(HTTP_E_NTLM_MESSAGE));
		return false;
	}
	note_challenge(s, p, &ch);
	return ntlm_authenticate(cr, nt, p, &ch, s);
}

/* ---- Answering Negotiate (lesson 12) ---- */

/* What a GSS-API token shows without keys, one note per line. */
static void describe_token(struct client_step *s, const char *b64)
{
	char text[2048], *line, *save = NULL;

	negotiate_describe(b64, strlen(b64), text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		client_step_note(s, "  %s", line);
}

/*
 * A Negotiate challenge from the proxy: ask GSS-API for a token for
 * HTTP@proxy-host from the user's credential cache, once.  A second 407
 * means the proxy refused it: stop.
 */
bool handshake_negotiate(struct client_machine *m,
			 const struct auth_challenge *c, struct client_step *s)
{
	char why[NEGOTIATE_MAX_REASON];

	if (m->proxy_neg.sent && c->token68 == NULL) {
		client_step_note(
		    s, "The proxy refused the Negotiate token (a bare "
		       "Negotiate again): no ticket it can read, a ticket "
		       "for another host name, or a clock too far off; "
		       "giving up");
		return false;
	}
	if (c->token68 != NULL) {
		client_step_note(
		    s, "The proxy wants another Negotiate leg; lab407's "
		       "client does Kerberos in one, giving up");
		return false;
	}
	if (m->cfg->proxy_host == NULL) {
		client_step_note(
		    s, "Negotiate needs the proxy's host name; giving up");
		return false;
	}
	if (negotiate_client_start(&m->proxy_neg, m->cfg->proxy_host,
				   m->neg_token, sizeof(m->neg_token), why,
				   sizeof(why)) != HTTP_OK) {
		client_step_note(s, "Negotiate: %s; giving up", why);
		return false;
	}
	client_step_note(
	    s,
	    "Negotiate to the proxy: %s from the credential cache; no "
	    "password is sent, only a ticket the KDC issued",
	    why);
	describe_token(s, m->neg_token);
	return true;
}

/*
 * The final response's Negotiate token: mutual authentication (RFC 4559
 * §5).  The Proxy-Authenticate fields are read with the one challenge
 * grammar (http/auth.c).
 */
void handshake_negotiate_finish(struct client_machine *m,
				const struct http_response *resp,
				struct client_step *s)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	char why[NEGOTIATE_MAX_REASON], tok[NEGOTIATE_MAX_B64];
	size_t n = 0;

	if (!m->proxy_neg.sent || m->proxy_neg.ctx == NULL)
		return;
	auth_collect_challenges(resp->headers, resp->num_headers,
				"Proxy-Authenticate", ch, AUTH_MAX_CHALLENGES,
				&n);
	for (size_t i = 0; i < n; i++) {
		if (ch[i].kind != AUTH_SCHEME_NEGOTIATE ||
		    ch[i].token68 == NULL)
			continue;
		negotiate_client_finish(&m->proxy_neg, ch[i].token68,
					ch[i].token68_len, why, sizeof(why));
		client_step_note(s, "Negotiate: %s", why);
		snprintf(tok, sizeof(tok), "%.*s", (int)ch[i].token68_len,
			 ch[i].token68);
		describe_token(s, tok);
		return;
	}
	client_step_note(s, "Negotiate: the proxy sent no final token, so it "
			    "did not prove who it is (RFC 4559 §4.1, §5)");
}

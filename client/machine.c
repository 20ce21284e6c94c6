/*
 * client/machine.c - the client as a pure state machine.
 *
 *   client_start():  the first request
 *   client_next():   the response to the last request -> the next request,
 *                    or done
 *
 * No sockets and no printing: bin/client (client/main.c) and the REPL move
 * the bytes and print the notes.  The rules, as docs/client-states.dot
 * draws them:
 *
 *   - 407 from the proxy and -U given: answer one of its challenges with
 *     Proxy-Authorization and retry, once (RFC 9110 §11.7.1).
 *   - 401 from the origin and -u given: the same with Authorization
 *     (RFC 9110 §11.6.2).
 *   - A Digest challenge with stale=true means "right password, old
 *     nonce": one retry more, without counting it (RFC 7616 §3.3).
 *   - Anything else, or a second 407/401: done.  No loops.
 *
 * Once a scheme is chosen for a party its credentials go on every later
 * request to that party, so after the 407 the origin's 401 is answered
 * with both fields.
 */
#define _POSIX_C_SOURCE 200809L

#include "machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../http/auth.h"
#include "../http/url.h"
#include "handshake.h"
#include "request.h"

#define CLIENT_MAX_TRIES 1 /* credentialed retries per party */

/*
 * The one place the state changes: every transition passes here, so a
 * reader (or a debugger) finds them all.
 */
static void go_state(struct client_machine *m, enum client_state to)
{
	m->state = to;
}

const struct party party_proxy = {
    .name = "proxy",
    .cred_field = "Proxy-Authorization",
    .challenge_field = "Proxy-Authenticate",
    .info_field = "Proxy-Authentication-Info",
    .option = "-U",
    .status = 407,
    .is_proxy = true,
};
const struct party party_origin = {
    .name = "origin",
    .cred_field = "Authorization",
    .challenge_field = "WWW-Authenticate",
    .info_field = "Authentication-Info",
    .option = "-u",
    .status = 401,
    .is_proxy = false,
};

/* ---- Set-up ---- */

/* Start a machine for cfg (not owned; it must outlive the machine). */
void client_init(struct client_machine *m, const struct client_config *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	answer_state_init(&m->proxy_st);
	answer_state_init(&m->origin_st);
	negotiate_client_init(&m->proxy_neg);
	go_state(m, CLIENT_ST_IDLE);
}

void client_free(struct client_machine *m)
{
	negotiate_client_free(&m->proxy_neg);
}

/* An empty step; client_step_free() releases the request buffer. */
void client_step_init(struct client_step *s)
{
	memset(s, 0, sizeof(*s));
	http_buf_init(&s->request, 0);
}

void client_step_free(struct client_step *s)
{
	http_buf_free(&s->request);
}

/* Empty the step for the next decision. */
static void step_reset(struct client_step *s)
{
	http_buf_reset(&s->request);
	s->action = CLIENT_DONE;
	s->is_connect = false;
	s->note[0] = '\0';
}

/* Add one line to the step's notes (each becomes a "* " line). */
void client_step_note(struct client_step *s, const char *fmt, ...)
{
	size_t used = strlen(s->note);
	va_list ap;

	if (used + 1 >= sizeof(s->note))
		return;
	if (used > 0)
		s->note[used++] = '\n';
	va_start(ap, fmt);
	vsnprintf(s->note + used, sizeof(s->note) - used, fmt, ap);
	va_end(ap);
}

/* Parse the URL and build the request the state calls for. */
static void send_next(struct client_machine *m, struct client_step *s,
		      bool connect)
{
	struct http_url u;
	const char *url = m->cfg->url != NULL ? m->cfg->url : "";
	enum http_err e = http_url_parse(url, strlen(url), &u);
	bool ok;

	http_buf_reset(&s->request);
	s->is_connect = false;
	if (e != HTTP_OK) {
		client_step_note(s, "URL not understood: %s (%s)", url,
				 http_strerror(e));
		s->action = CLIENT_ERROR;
		go_state(m, CLIENT_ST_DONE);
		return;
	}
	ok = connect ? request_connect(m, &u, s) : request_build(m, &u, s);
	if (!ok) {
		s->action = CLIENT_ERROR;
		go_state(m, CLIENT_ST_DONE);
		return;
	}
	s->action = CLIENT_SEND;
	go_state(m, connect ? CLIENT_ST_CONNECT_SENT : CLIENT_ST_REQUEST_SENT);
}

/* The first request: CONNECT when tunnelling, else the request.  With
 * --proxy-ntlm it already carries NTLM's NEGOTIATE, as curl's does. */
void client_start(struct client_machine *m, struct client_step *s)
{
	step_reset(s);
	if (m->cfg->via_proxy && m->cfg->proxy.user != NULL &&
	    m->cfg->proxy.allowed == AUTH_SCHEME_NTLM &&
	    !handshake_ntlm_start(m, &party_proxy, s)) {
		s->action = CLIENT_ERROR;
		go_state(m, CLIENT_ST_DONE);
		return;
	}
	if (m->cfg->tunnel && m->cfg->via_proxy) {
		client_step_note(
		    s, "Asking the proxy for a tunnel (CONNECT, RFC 9110 "
		       "§9.3.6)");
		send_next(m, s, true);
	} else {
		send_next(m, s, false);
	}
}

/* ---- Answering challenges ---- */

/* True when any Digest challenge in ch[0..n) says stale=true. */
static bool digest_stale(const struct auth_challenge *ch, size_t n)
{
	char v[16];

	for (size_t i = 0; i < n; i++)
		if (ch[i].kind == AUTH_SCHEME_DIGEST &&
		    auth_get(&ch[i], "stale", v, sizeof(v)) == HTTP_OK &&
		    strcasecmp(v, "true") == 0)
			return true;
	return false;
}

/* "Basic, Negotiate": the schemes offered, for notes. */
static void scheme_list(const struct auth_challenge *ch, size_t n, char *out,
			size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++) {
		/* Digest is named with its algorithm (RFC 7616 §3.3): one
		 * challenge per algorithm, "Digest SHA-256, Digest MD5" */
		const struct auth_param *alg =
		    auth_param_find(&ch[i], "algorithm");
		bool digest = ch[i].kind == AUTH_SCHEME_DIGEST;
		int w = snprintf(out + used, cap - used, "%s%.*s%s%.*s",
				 i == 0 ? "" : ", ", (int)ch[i].scheme_len,
				 ch[i].scheme, digest ? " " : "",
				 digest ? (alg ? (int)alg->value_len : 3) : 0,
				 digest ? (alg ? alg->value : "MD5") : "");

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(out, cap, "none");
}

/*
 * True when answer_choose() would pick, from ch[0..n), a scheme ranked
 * above NTLM for this connection (st is not changed).
 */
static bool outranks_ntlm(const struct answer_state *st,
			  const struct answer_creds *cr,
			  const struct auth_challenge *ch, size_t n)
{
	struct answer_state probe = *st;

	return answer_choose(&probe, cr, ch, n, NULL) == HTTP_OK &&
	       answer_rank(probe.scheme, cr->tls) >
		   answer_rank(AUTH_SCHEME_NTLM, cr->tls);
}

/* A challenge, and nothing to answer it with: name the option. */
static void note_no_creds(const struct client_machine *m, const struct party *p,
			  struct client_step *s)
{
	const char *option =
	    p->is_proxy ? m->cfg->proxy_option : m->cfg->origin_option;

	client_step_note(s,
			 "The %s wants authentication (%d) but no %s "
			 "credentials were given (%s)",
			 p->name, p->status, p->name,
			 option != NULL ? option : p->option);
}

/* No scheme both offered and allowed: say what was on each side. */
static void note_unusable(struct client_step *s, const struct party *p,
			  const struct answer_creds *cr, const char *offered)
{
	char allowed[64];
	int w =
	    snprintf(allowed, sizeof(allowed), "%s%s%s%s%s",
		     (cr->allowed & AUTH_SCHEME_BASIC) ? "Basic " : "",
		     (cr->allowed & AUTH_SCHEME_DIGEST) ? "Digest " : "",
		     (cr->allowed & AUTH_SCHEME_BEARER) ? "Bearer " : "",
		     (cr->allowed & AUTH_SCHEME_NTLM) ? "NTLM " : "",
		     (cr->allowed & AUTH_SCHEME_NEGOTIATE) ? "Negotiate " : "");

	if (w > 0 && (size_t)w < sizeof(allowed))
		allowed[w - 1] = '\0'; /* the last space */
	client_step_note(s,
			 "No usable %s scheme: offered %s; allowed by the "
			 "options: %s",
			 p->name, offered, allowed);
}

/* The scheme chosen, with whose credentials, and why (answer_choose). */
static void note_chosen(struct client_step *s, const struct party *p,
			const struct answer_state *st,
			const struct answer_creds *cr,
			const struct answer_trace *tr, const char *offered)
{
	const char *who = p->is_proxy ? "Proxy" : "Server";

	if (st->scheme == AUTH_SCHEME_BEARER)
		client_step_note(s, "%s auth using Bearer with a token", who);
	else if (st->scheme == AUTH_SCHEME_DIGEST)
		client_step_note(s, "%s auth using Digest %s with user '%s'",
				 who, digest_alg_name(st->alg), cr->user);
	else
		client_step_note(s, "%s auth using %s with user '%s'", who,
				 auth_scheme_name(st->scheme), cr->user);
	if (tr->why[0] != '\0')
		client_step_note(s, "%s; offered: %s", tr->why, offered);
}

/*
 * A 407 (proxy) or 401 (origin): pick a challenge and retry, or stop.
 * Returns true when a retry was decided (the caller builds it).
 */
static bool answer_challenge(struct client_machine *m,
			     const struct http_response *resp,
			     const struct party *p, struct client_step *s)
{
	bool is_proxy = p == &party_proxy;
	struct answer_state *st = is_proxy ? &m->proxy_st : &m->origin_st;
	const struct answer_creds *cr =
	    is_proxy ? &m->cfg->proxy : &m->cfg->origin;
	int *tries = is_proxy ? &m->proxy_tries : &m->origin_tries;
	bool *stale_used =
	    is_proxy ? &m->proxy_stale_used : &m->origin_stale_used;
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	struct answer_trace tr;
	char offered[256];
	size_t n = 0;
	enum http_err e;
	bool stale;

	if (cr->user == NULL) {
		note_no_creds(m, p, s);
		return false;
	}
	e = auth_collect_challenges(resp->headers, resp->num_headers,
				    p->challenge_field, ch, AUTH_MAX_CHALLENGES,
				    &n);
	if (e != HTTP_OK && n == 0) {
		client_step_note(s, "The %s's %s cannot be parsed: %s", p->name,
				 p->challenge_field, http_strerror(e));
		return false;
	}
	scheme_list(ch, n, offered, sizeof(offered));
	if (is_proxy && (cr->allowed & AUTH_SCHEME_NEGOTIATE) != 0)
		for (size_t i = 0; i < n; i++)
			if (ch[i].kind == AUTH_SCHEME_NEGOTIATE)
				return handshake_negotiate(m, &ch[i], s);
	/* NTLM, when allowed and offered, unless a scheme answer_rank()
	 * puts above it is usable too (http/answer.h: lab407's policy). */
	if ((cr->allowed & AUTH_SCHEME_NTLM) != 0)
		for (size_t i = 0; i < n; i++)
			if (ch[i].kind == AUTH_SCHEME_NTLM &&
			    !outranks_ntlm(st, cr, ch, n))
				return handshake_ntlm(m, p, &ch[i], s);

	/* RFC 7616 §3.3: stale=true -> new nonce, same password, no count. */
	stale = st->scheme == AUTH_SCHEME_DIGEST && digest_stale(ch, n);
	if (stale && *stale_used) {
		client_step_note(s, "The %s said stale=true again; giving up",
				 p->name);
		return false;
	}
	if (!stale && *tries >= CLIENT_MAX_TRIES) {
		client_step_note(
		    s,
		    "The %s answered %d again; giving up (one retry per "
		    "challenge)",
		    p->name, p->status);
		return false;
	}

	memset(&tr, 0, sizeof(tr));
	e = answer_choose(st, cr, ch, n, &tr);
	if (e != HTTP_OK) {
		note_unusable(s, p, cr, offered);
		return false;
	}
	if (stale) {
		*stale_used = true;
		client_step_note(
		    s,
		    "The %s's Digest nonce was stale (stale=true); "
		    "retrying once with the new nonce",
		    p->name);
	} else {
		(*tries)++;
		note_chosen(s, p, st, cr, &tr, offered);
	}
	return true;
}

/* Remember nextnonce from (Proxy-)Authentication-Info (RFC 7616 §3.5). */
static void take_info(struct client_machine *m,
		      const struct http_response *resp)
{
	const struct http_header *h;

	h = http_header_find(resp->headers, resp->num_headers,
			     party_proxy.info_field);
	if (h != NULL)
		answer_info(&m->proxy_st, h->value, h->value_len);
	h = http_header_find(resp->headers, resp->num_headers,
			     party_origin.info_field);
	if (h != NULL)
		answer_info(&m->origin_st, h->value, h->value_len);
}

/* ---- Deciding ---- */

/* The final response: say who answered (lesson 05), then done. */
static void finish(struct client_machine *m, const struct http_response *resp,
		   struct client_step *s)
{
	bool through = m->cfg->via_proxy && !m->tunnel_up;
	const struct http_header *via =
	    http_header_find(resp->headers, resp->num_headers, "Via");
	const struct http_header *server =
	    http_header_find(resp->headers, resp->num_headers, "Server");
	struct client_who w = client_who(resp, through);

	if (through && resp->status != 407)
		handshake_negotiate_finish(m, resp, s);
	if (through && strcmp(w.who, "origin") == 0)
		client_step_note(s, "Response from the origin (Via: %.*s)",
				 (int)via->value_len, via->value);
	else if (through && strcmp(w.who, "proxy") == 0 && server != NULL &&
		 resp->status != 407)
		client_step_note(
		    s, "Response from the proxy itself (Server: %.*s%s)",
		    (int)server->value_len, server->value,
		    via != NULL ? "; it has a Via too" : "");
	else if (through && strcmp(w.who, "proxy") == 0)
		client_step_note(s, "Response from the proxy itself (%s)",
				 w.clue);
	else if (through)
		client_step_note(s, "Who answered: cannot tell (%s)", w.clue);
	s->action = CLIENT_DONE;
	go_state(m, CLIENT_ST_DONE);
}

/*
 * Lesson 02: one retry per challenge; Lesson 04: the silent stale retry.
 * Given the response (head parsed, body as received) to the last request,
 * decide the next step.  See the top of the file for the rules.
 */
void client_next(struct client_machine *m, const struct http_response *resp,
		 const char *body, size_t body_len, struct client_step *s)
{
	(void)body;
	(void)body_len;
	step_reset(s);
	take_info(m, resp);

	switch (m->state) {
	case CLIENT_ST_CONNECT_SENT:
		if (resp->status >= 200 && resp->status < 300) {
			m->tunnel_up = true;
			client_step_note(
			    s,
			    "Tunnel established (CONNECT answered %d); "
			    "the proxy now relays bytes",
			    resp->status);
			send_next(m, s, false);
			return;
		}
		if (resp->status == 407 &&
		    answer_challenge(m, resp, &party_proxy, s)) {
			send_next(m, s, true);
			return;
		}
		if (resp->status != 407)
			client_step_note(s, "The proxy refused the tunnel: %d",
					 resp->status);
		finish(m, resp, s);
		return;

	case CLIENT_ST_REQUEST_SENT:
		/* A 407 only means something from a proxy we talk to. */
		if (resp->status == 407 && m->cfg->via_proxy && !m->tunnel_up) {
			if (answer_challenge(m, resp, &party_proxy, s)) {
				send_next(m, s, false);
				return;
			}
		} else if (resp->status == 401) {
			if (answer_challenge(m, resp, &party_origin, s)) {
				send_next(m, s, false);
				return;
			}
		}
		finish(m, resp, s);
		return;

	default:
		client_step_note(s,
				 "Nothing was sent; call client_start first");
		s->action = CLIENT_ERROR;
		go_state(m, CLIENT_ST_DONE);
		return;
	}
}

/* Lesson 05: the clues that tell a proxy's own answer from a relayed one. */

/* True when the field `name` is there and its value contains `needle`. */
static bool field_has(const struct http_response *resp, const char *name,
		      const char *needle)
{
	const struct http_header *h =
	    http_header_find(resp->headers, resp->num_headers, name);
	size_t n = strlen(needle);

	if (h == NULL)
		return false;
	for (size_t i = 0; i + n <= h->value_len; i++)
		if (strncasecmp(h->value + i, needle, n) == 0)
			return true;
	return false;
}

/* The Server values of proxies the lab meets, which write their own errors. */
static const char *const proxy_servers[] = {"lab407-proxy", "squid",
					    "tinyproxy"};

/*
 * Who made a response that came through a proxy, and the clue that says
 * so.  No single field decides: Via (RFC 9110 §7.6.3) is evidence of
 * relaying, not proof, since Squid also adds Via to the 407s and error
 * pages it writes itself; a proxy's own error usually names it in Server
 * or, for Squid, in X-Squid-Error; a 407 is always a proxy's.  When none
 * of these is there the answer is "cannot tell", not a guess.  Static
 * strings.
 */
struct client_who client_who(const struct http_response *resp, bool via_proxy)
{
	struct client_who w = {"cannot tell",
			       "no Via, and no Server or X-Squid-Error field "
			       "that names a proxy"};

	if (!via_proxy)
		return (struct client_who){"origin", "no proxy in the path"};
	if (http_header_find(resp->headers, resp->num_headers,
			     "X-Squid-Error") != NULL)
		return (struct client_who){"proxy",
					   "X-Squid-Error: Squid wrote it"};
	if (resp->status == 407)
		return (struct client_who){"proxy", "a 407 is a proxy's"};
	for (size_t i = 0; i < sizeof(proxy_servers) / sizeof(proxy_servers[0]);
	     i++)
		if (field_has(resp, "Server", proxy_servers[i]))
			return (struct client_who){
			    "proxy", "its Server field names a proxy"};
	if (http_header_find(resp->headers, resp->num_headers, "Via") != NULL)
		return (struct client_who){"origin", "Via: relayed by a proxy"};
	return w;
}

/* client_who()'s verdict alone: "proxy", "origin" or "cannot tell". */
const char *client_who_answered(const struct http_response *resp,
				bool via_proxy)
{
	return client_who(resp, via_proxy).who;
}

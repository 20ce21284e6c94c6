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

#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/ntlm.h"
#include "../http/url.h"

#define CLIENT_MAX_TARGET (HTTP_MAX_TARGET_BYTES + 1)
#define CLIENT_MAX_HOSTPORT (HTTP_MAX_HOST + 16)
#define CLIENT_MAX_TRIES 1 /* credentialed retries per party */

/* m->state values. */
enum {
	ST_IDLE,	 /* nothing sent yet */
	ST_CONNECT_SENT, /* waiting for the answer to CONNECT */
	ST_REQUEST_SENT, /* waiting for the answer to the request */
	ST_DONE
};

/* One party's fields and words, so one function serves both. */
struct party {
	const char *name;	/* "proxy" / "origin" */
	const char *cred_field; /* "Proxy-Authorization" / "Authorization" */
	const char *challenge_field;
	const char *info_field;
	const char *option; /* "-U" / "-u" */
	int status;	    /* 407 / 401 */
};

static const struct party PROXY = {"proxy",
				   "Proxy-Authorization",
				   "Proxy-Authenticate",
				   "Proxy-Authentication-Info",
				   "-U",
				   407};
static const struct party ORIGIN = {
    "origin", "Authorization", "WWW-Authenticate", "Authentication-Info", "-u",
    401};

/* ---- Set-up ---- */

/* Start a machine for cfg (not owned; it must outlive the machine). */
void client_init(struct client_machine *m, const struct client_config *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	answer_state_init(&m->proxy_st);
	answer_state_init(&m->origin_st);
	negotiate_client_init(&m->proxy_neg);
	m->state = ST_IDLE;
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
static void note(struct client_step *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct client_step *s, const char *fmt, ...)
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

/* ---- Building requests ---- */

/* "host" or "host:port" ("[v6]:port"), the port only when not default. */
static void host_port(const struct http_url *u, bool always_port, char *out,
		      size_t cap)
{
	bool v6 = strchr(u->host, ':') != NULL;
	unsigned def = strcmp(u->scheme, "https") == 0 ? 443 : 80;

	if (always_port || u->port != def)
		snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", u->host,
			 v6 ? "]" : "", u->port);
	else
		snprintf(out, cap, "%s%s%s", v6 ? "[" : "", u->host,
			 v6 ? "]" : "");
}

/* True when the -H lines already set field `name` (the user's wins). */
static bool user_sets(const struct client_config *cfg, const char *name)
{
	const char *p = cfg->extra_headers;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return true;
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return false;
}

/*
 * Append "Name: <credentials>" for a party when a scheme was chosen
 * (answer_build advances the Digest nonce count).  False with a note on
 * failure.
 */
static bool add_credentials(struct client_machine *m, struct client_step *s,
			    const struct party *p, const char *method,
			    const char *target)
{
	struct answer_state *st = p == &PROXY ? &m->proxy_st : &m->origin_st;
	const struct answer_creds *cr =
	    p == &PROXY ? &m->cfg->proxy : &m->cfg->origin;
	struct client_ntlm *nt =
	    p == &PROXY ? &m->proxy_ntlm : &m->origin_ntlm;
	struct answer_trace tr;
	struct http_buf v;
	enum http_err e;
	bool ok;

	/* Negotiate: the token goes out once (RFC 4559 §4.2). */
	if (p == &PROXY && m->neg_token[0] != '\0') {
		http_buf_init(&v, 0);
		http_buf_printf(&v, "Negotiate %s", m->neg_token);
		ok = !v.failed && http_write_header(&s->request, p->cred_field,
						    v.data, v.len);
		http_buf_free(&v);
		m->neg_token[0] = '\0';
		if (!ok)
			note(s, "Cannot write the %s field", p->cred_field);
		return ok;
	}
	/* NTLM: each message goes out once; after message 3 the
	 * connection itself is authenticated, so nothing more is sent. */
	if (nt->token[0] != '\0') {
		http_buf_init(&v, 0);
		http_buf_printf(&v, "NTLM %s", nt->token);
		ok = !v.failed && http_write_header(&s->request, p->cred_field,
						    v.data, v.len);
		http_buf_free(&v);
		nt->token[0] = '\0';
		if (!ok)
			note(s, "Cannot write the %s field", p->cred_field);
		return ok;
	}
	if (nt->phase != CLIENT_NTLM_NONE)
		return true;
	if (st->scheme == AUTH_SCHEME_NONE || !st->have_challenge)
		return true;
	memset(&tr, 0, sizeof(tr));
	http_buf_init(&v, 0);
	e = answer_build(st, cr, method, target, m->cfg->body, m->cfg->body_len,
			 &v, &tr);
	/* The trace holds Digest's A1 (the password in clear) and HA1:
	 * nobody here reads it, so it goes at once. */
	OPENSSL_cleanse(&tr, sizeof(tr));
	if (e != HTTP_OK) {
		note(s, "Cannot build %s credentials: %s", p->name,
		     http_strerror(e));
		http_buf_free(&v);
		return false;
	}
	ok = http_write_header(&s->request, p->cred_field, v.data, v.len);
	http_buf_free(&v);
	if (!ok)
		note(s, "Cannot write the %s field", p->cred_field);
	return ok;
}

/*
 * The CONNECT request (RFC 9110 §9.3.6): authority-form target and Host,
 * Proxy-Authorization once a scheme is chosen for the proxy.
 */
static bool build_connect(struct client_machine *m, const struct http_url *u,
			  struct client_step *s)
{
	char hp[CLIENT_MAX_HOSTPORT];
	struct http_buf *b = &s->request;

	host_port(u, true, hp, sizeof(hp));
	http_write_request_line(b, "CONNECT", 7, hp, strlen(hp));
	http_write_header(b, "Host", hp, strlen(hp));
	if (m->cfg->user_agent != NULL && !user_sets(m->cfg, "User-Agent"))
		http_write_header(b, "User-Agent", m->cfg->user_agent,
				  strlen(m->cfg->user_agent));
	if (!add_credentials(m, s, &PROXY, "CONNECT", hp))
		return false;
	http_buf_puts(b, "\r\n");
	s->is_connect = true;
	return !b->failed;
}

/*
 * The request itself.  Through a proxy without a tunnel the target is in
 * absolute-form (RFC 9112 §3.2.2) and Proxy-Authorization goes along;
 * directly or inside a tunnel it is origin-form and the proxy's field is
 * never sent (it would reach the origin).
 */
static bool build_request(struct client_machine *m, const struct http_url *u,
			  struct client_step *s)
{
	const struct client_config *cfg = m->cfg;
	const char *method = cfg->method != NULL ? cfg->method : "GET";
	bool absolute = cfg->via_proxy && !m->tunnel_up;
	char target[CLIENT_MAX_TARGET];
	char hp[CLIENT_MAX_HOSTPORT];
	struct http_buf *b = &s->request;
	int w;

	host_port(u, false, hp, sizeof(hp));
	if (absolute)
		w = snprintf(target, sizeof(target), "%s://%s%.*s", u->scheme,
			     hp, (int)u->path_len, u->path);
	else
		w = snprintf(target, sizeof(target), "%.*s", (int)u->path_len,
			     u->path);
	if (w < 0 || (size_t)w >= sizeof(target)) {
		note(s, "The URL is too long");
		return false;
	}
	http_write_request_line(b, method, strlen(method), target,
				strlen(target));
	if (!user_sets(cfg, "Host"))
		http_write_header(b, "Host", hp, strlen(hp));
	if (cfg->user_agent != NULL && !user_sets(cfg, "User-Agent"))
		http_write_header(b, "User-Agent", cfg->user_agent,
				  strlen(cfg->user_agent));
	if (!user_sets(cfg, "Accept"))
		http_buf_puts(b, "Accept: */*\r\n");
	if (absolute && !add_credentials(m, s, &PROXY, method, target))
		return false;
	/* The origin sees origin-form whatever we send the proxy (RFC 9112
	 * §3.2.1), so a Digest uri for the origin is the path. */
	snprintf(target, sizeof(target), "%.*s", (int)u->path_len, u->path);
	if (!add_credentials(m, s, &ORIGIN, method, target))
		return false;
	if (cfg->extra_headers != NULL)
		http_buf_puts(b, cfg->extra_headers);
	if (cfg->body != NULL)
		http_buf_printf(b, "Content-Length: %zu\r\n", cfg->body_len);
	http_buf_puts(b, "\r\n");
	if (cfg->body != NULL && cfg->body_len > 0)
		http_buf_append(b, cfg->body, cfg->body_len);
	if (b->failed)
		note(s, "The request does not fit in %zu bytes", b->max);
	return !b->failed;
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
		note(s, "URL not understood: %s (%s)", url, http_strerror(e));
		s->action = CLIENT_ERROR;
		m->state = ST_DONE;
		return;
	}
	ok = connect ? build_connect(m, &u, s) : build_request(m, &u, s);
	if (!ok) {
		s->action = CLIENT_ERROR;
		m->state = ST_DONE;
		return;
	}
	s->action = CLIENT_SEND;
	m->state = connect ? ST_CONNECT_SENT : ST_REQUEST_SENT;
}

static bool ntlm_negotiate(struct client_machine *m, const struct party *p,
			   struct client_step *s);

/* The first request: CONNECT when tunnelling, else the request.  With
 * --proxy-ntlm it already carries NTLM's NEGOTIATE, as curl's does. */
void client_start(struct client_machine *m, struct client_step *s)
{
	step_reset(s);
	if (m->cfg->via_proxy && m->cfg->proxy.user != NULL &&
	    m->cfg->proxy.allowed == AUTH_SCHEME_NTLM &&
	    !ntlm_negotiate(m, &PROXY, s)) {
		s->action = CLIENT_ERROR;
		m->state = ST_DONE;
		return;
	}
	if (m->cfg->tunnel && m->cfg->via_proxy) {
		note(s, "Asking the proxy for a tunnel (CONNECT, RFC 9110 "
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
		const struct auth_param *alg = auth_param_find(&ch[i], "algorithm");
		bool digest = ch[i].scheme_len == 6 &&
			      strncasecmp(ch[i].scheme, "Digest", 6) == 0;
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

/* ---- Answering NTLM (lesson 11) ---- */

/* curl's NEGOTIATE flags: Unicode or OEM, NTLM, NTLMv2-capable. */
#define CLIENT_NTLM_FLAGS                                                   \
	(NTLM_FLAG_UNICODE | NTLM_FLAG_OEM | NTLM_FLAG_REQUEST_TARGET |      \
	 NTLM_FLAG_NTLM | NTLM_FLAG_ALWAYS_SIGN |                            \
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
static bool ntlm_negotiate(struct client_machine *m, const struct party *p,
			   struct client_step *s)
{
	struct client_ntlm *nt =
	    p == &PROXY ? &m->proxy_ntlm : &m->origin_ntlm;
	uint8_t msg[64];
	size_t len = 0, b64 = 0;
	char flags[512];

	if (ntlm_build_negotiate(CLIENT_NTLM_FLAGS, msg, sizeof(msg), &len) !=
		    HTTP_OK ||
	    base64_encode(msg, len, nt->token, sizeof(nt->token), &b64) !=
		    HTTP_OK) {
		note(s, "Cannot build the NTLM NEGOTIATE");
		return false;
	}
	nt->phase = CLIENT_NTLM_NEGOTIATE_SENT;
	ntlm_flags_describe(CLIENT_NTLM_FLAGS, flags, sizeof(flags));
	note(s, "NTLM message 1 of 3 to the %s: NEGOTIATE, flags %s", p->name,
	     flags);
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
	if (ntlm_av_parse(c->target_info.p, c->target_info.len, av,
			  NTLM_MAX_AV, &n) != HTTP_OK) {
		snprintf(out, cap, "(none or unreadable)");
		return;
	}
	for (size_t i = 0; i < n && used < cap; i++) {
		char v[NTLM_MAX_NAME];
		const char *name = ntlm_av_name(av[i].id);
		int w;

		if (av[i].id == NTLM_AV_FLAGS || av[i].id == NTLM_AV_TIMESTAMP ||
		    ntlm_string(av[i].value, true, v, sizeof(v)) != HTTP_OK)
			snprintf(v, sizeof(v), "(%zu bytes)", av[i].value.len);
		w = snprintf(out + used, cap - used, "%s%s=%s", i ? ", " : "",
			     name ? name : "AvId?", v);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/*
 * An NTLM challenge from a party.  Bare "NTLM": start (message 1), unless
 * we already had (then the handshake was lost or refused: stop).  "NTLM
 * <CHALLENGE>": answer it with message 3.  True when a retry is due.
 */
static bool answer_ntlm(struct client_machine *m, const struct party *p,
			const struct auth_challenge *c, struct client_step *s)
{
	const struct answer_creds *cr =
	    p == &PROXY ? &m->cfg->proxy : &m->cfg->origin;
	struct client_ntlm *nt =
	    p == &PROXY ? &m->proxy_ntlm : &m->origin_ntlm;
	uint8_t msg[NTLM_MAX_MESSAGE], out[NTLM_MAX_MESSAGE];
	size_t len = 0, olen = 0, b64 = 0;
	struct ntlm_challenge ch;
	struct ntlm_authenticate a;
	struct ntlm_v2_response r;
	struct ntlm_client_input in;
	char dom[NTLM_MAX_NAME], user[NTLM_MAX_NAME], name[NTLM_MAX_NAME];
	char flags[512], ti[512], sc[17], proof[33];
	enum http_err e;

	if (c->token68 == NULL) {
		if (nt->phase == CLIENT_NTLM_AUTHENTICATE_SENT) {
			note(s, "The %s refused the NTLM AUTHENTICATE (a bare "
				"NTLM challenge again): wrong password, unknown "
				"user, or not the connection of the CHALLENGE; "
				"giving up", p->name);
			return false;
		}
		if (nt->phase == CLIENT_NTLM_NEGOTIATE_SENT) {
			note(s, "The %s answered the NTLM NEGOTIATE with a "
				"bare NTLM challenge: the handshake was lost; "
				"giving up", p->name);
			return false;
		}
		return ntlm_negotiate(m, p, s);
	}
	if (nt->phase != CLIENT_NTLM_NEGOTIATE_SENT) {
		note(s, "The %s sent an NTLM CHALLENGE nobody asked for; "
			"giving up", p->name);
		return false;
	}
	if (base64_decode(c->token68, c->token68_len, msg, sizeof(msg), &len) !=
		    HTTP_OK ||
	    (e = ntlm_parse_challenge(msg, len, &ch)) != HTTP_OK) {
		note(s, "The %s's NTLM CHALLENGE cannot be read: %s", p->name,
		     http_strerror(HTTP_E_NTLM_MESSAGE));
		return false;
	}
	ntlm_flags_describe(ch.flags, flags, sizeof(flags));
	hex(ch.server_challenge, NTLM_CHALLENGE_LEN, sc, sizeof(sc));
	describe_target_info(&ch, ti, sizeof(ti));
	ntlm_string(ch.target_name, (ch.flags & NTLM_FLAG_UNICODE) != 0, name,
		    sizeof(name));
	if (ch.target_name_invalid)
		snprintf(name, sizeof(name), "(its offset points outside the "
					     "message; ignored)");
	if (ch.target_info.len == 0)
		snprintf(ti, sizeof(ti), "none (the NTLMv2 blob then carries "
					 "no AV pairs)");
	note(s, "NTLM message 2 of 3 from the %s: CHALLENGE, server challenge "
		"%s, target name '%s', flags %s; target info: %s",
	     p->name, sc, name, flags, ti);

	split_domain(cr->user, dom, sizeof(dom), user, sizeof(user));
	memset(&in, 0, sizeof(in));
	in.user = user;
	in.domain = dom;
	in.password = cr->pass ? cr->pass : "";
	in.workstation = "WORKSTATION";
	/* FILETIME: 100 ns units since 1601-01-01 (MS-NLMP §2.2.2.7). */
	in.timestamp = ((uint64_t)time(NULL) + 11644473600ull) * 10000000ull;
	if (RAND_bytes(in.client_challenge, NTLM_CHALLENGE_LEN) != 1 ||
	    (e = ntlm_client_authenticate(&ch, &in, out, sizeof(out), &olen)) !=
		    HTTP_OK ||
	    base64_encode(out, olen, nt->token, sizeof(nt->token), &b64) !=
		    HTTP_OK) {
		note(s, "Cannot build the NTLM AUTHENTICATE");
		return false;
	}
	nt->phase = CLIENT_NTLM_AUTHENTICATE_SENT;
	proof[0] = '\0';
	if (ntlm_parse_authenticate(out, olen, &a) == HTTP_OK &&
	    ntlm_v2_response_parse(a.nt_response.p, a.nt_response.len, &r) ==
		    HTTP_OK)
		hex(r.proof, NTLM_HASH_LEN, proof, sizeof(proof));
	note(s, "NTLM message 3 of 3 to the %s: AUTHENTICATE for user '%s'%s%s%s, "
		"NTLMv2: NTProofStr = HMAC-MD5(NTOWFv2, server challenge || "
		"blob) = %s; NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)), "
		"UTF-16LE(UPPER(user) || domain)); no password on the wire",
	     p->name, user, dom[0] ? " (domain '" : "", dom,
	     dom[0] ? "')" : "", proof);
	return true;
}

/* ---- Answering Negotiate (lesson 12) ---- */

/* What a GSS-API token shows without keys, one note per line. */
static void describe_token(struct client_step *s, const char *b64)
{
	char text[2048], *line, *save = NULL;

	negotiate_describe(b64, strlen(b64), text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		note(s, "  %s", line);
}

/*
 * A Negotiate challenge from the proxy: ask GSS-API for a token for
 * HTTP@proxy-host from the user's credential cache, once.  A second 407
 * means the proxy refused it: stop.
 */
static bool answer_negotiate(struct client_machine *m,
			     const struct auth_challenge *c,
			     struct client_step *s)
{
	char why[NEGOTIATE_MAX_REASON];

	if (m->proxy_neg.sent && c->token68 == NULL) {
		note(s, "The proxy refused the Negotiate token (a bare "
			"Negotiate again): no ticket it can read, a ticket "
			"for another host name, or a clock too far off; "
			"giving up");
		return false;
	}
	if (c->token68 != NULL) {
		note(s, "The proxy wants another Negotiate leg; lab407's "
			"client does Kerberos in one, giving up");
		return false;
	}
	if (m->cfg->proxy_host == NULL) {
		note(s, "Negotiate needs the proxy's host name; giving up");
		return false;
	}
	if (negotiate_client_start(&m->proxy_neg, m->cfg->proxy_host,
				   m->neg_token, sizeof(m->neg_token), why,
				   sizeof(why)) != HTTP_OK) {
		note(s, "Negotiate: %s; giving up", why);
		return false;
	}
	note(s, "Negotiate to the proxy: %s from the credential cache; no "
		"password is sent, only a ticket the KDC issued", why);
	describe_token(s, m->neg_token);
	return true;
}

/* The final response's Negotiate token: mutual authentication. */
static void negotiate_finish(struct client_machine *m,
			     const struct http_response *resp,
			     struct client_step *s)
{
	const struct http_header *h;
	size_t pos = 0;
	char why[NEGOTIATE_MAX_REASON];

	if (!m->proxy_neg.sent || m->proxy_neg.ctx == NULL)
		return;
	while ((h = http_header_next(resp->headers, resp->num_headers,
				     PROXY.challenge_field, &pos)) != NULL) {
		if (h->value_len <= 10 ||
		    strncasecmp(h->value, "Negotiate ", 10) != 0)
			continue;
		negotiate_client_finish(&m->proxy_neg, h->value + 10,
					h->value_len - 10, why, sizeof(why));
		note(s, "Negotiate: %s", why);
		{
			char tok[NEGOTIATE_MAX_B64];

			snprintf(tok, sizeof(tok), "%.*s",
				 (int)(h->value_len - 10), h->value + 10);
			describe_token(s, tok);
		}
		return;
	}
	note(s, "Negotiate: the proxy sent no final token, so it did not "
		"prove who it is (RFC 4559 §4.1, §5)");
}

/*
 * A 407 (proxy) or 401 (origin): pick a challenge and retry, or stop.
 * Returns true when a retry was decided (the caller builds it).
 */
static bool answer_challenge(struct client_machine *m,
			     const struct http_response *resp,
			     const struct party *p, struct client_step *s)
{
	bool is_proxy = p == &PROXY;
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
		note(s,
		     "The %s wants authentication (%d) but no %s "
		     "credentials were given (%s)",
		     p->name, p->status, p->name,
		     is_proxy && m->cfg->proxy_option    ? m->cfg->proxy_option
		     : !is_proxy && m->cfg->origin_option ? m->cfg->origin_option
							 : p->option);
		return false;
	}
	e = auth_collect_challenges(resp->headers, resp->num_headers,
				    p->challenge_field, ch, AUTH_MAX_CHALLENGES,
				    &n);
	if (e != HTTP_OK && n == 0) {
		note(s, "The %s's %s cannot be parsed: %s", p->name,
		     p->challenge_field, http_strerror(e));
		return false;
	}
	scheme_list(ch, n, offered, sizeof(offered));
	if (is_proxy && (cr->allowed & AUTH_SCHEME_NEGOTIATE) != 0)
		for (size_t i = 0; i < n; i++)
			if (ch[i].kind == AUTH_SCHEME_NEGOTIATE)
				return answer_negotiate(m, &ch[i], s);
	if ((cr->allowed & AUTH_SCHEME_NTLM) != 0)
		for (size_t i = 0; i < n; i++)
			if (ch[i].kind == AUTH_SCHEME_NTLM)
				return answer_ntlm(m, p, &ch[i], s);

	/* RFC 7616 §3.3: stale=true -> new nonce, same password, no count. */
	stale = st->scheme == AUTH_SCHEME_DIGEST && digest_stale(ch, n);
	if (stale && *stale_used) {
		note(s, "The %s said stale=true again; giving up", p->name);
		return false;
	}
	if (!stale && *tries >= CLIENT_MAX_TRIES) {
		note(s,
		     "The %s answered %d again; giving up (one retry per "
		     "challenge)",
		     p->name, p->status);
		return false;
	}

	memset(&tr, 0, sizeof(tr));
	e = answer_choose(st, cr, ch, n, &tr);
	if (e != HTTP_OK) {
		char allowed[64];
		int w = snprintf(allowed, sizeof(allowed), "%s%s%s%s%s",
				 (cr->allowed & AUTH_SCHEME_BASIC) ? "Basic "
								   : "",
				 (cr->allowed & AUTH_SCHEME_DIGEST) ? "Digest "
								    : "",
				 (cr->allowed & AUTH_SCHEME_BEARER) ? "Bearer "
								    : "",
				 (cr->allowed & AUTH_SCHEME_NTLM) ? "NTLM " : "",
				 (cr->allowed & AUTH_SCHEME_NEGOTIATE)
				     ? "Negotiate "
				     : "");

		if (w > 0 && (size_t)w < sizeof(allowed))
			allowed[w - 1] = '\0';   /* the last space */
		note(s,
		     "No usable %s scheme: offered %s; allowed by the "
		     "options: %s",
		     p->name, offered, allowed);
		return false;
	}
	if (stale) {
		*stale_used = true;
		note(s,
		     "The %s's Digest nonce was stale (stale=true); "
		     "retrying once with the new nonce",
		     p->name);
	} else {
		(*tries)++;
		if (st->scheme == AUTH_SCHEME_BEARER)
			note(s, "%s auth using Bearer with a token",
			     is_proxy ? "Proxy" : "Server");
		else if (st->scheme == AUTH_SCHEME_DIGEST)
			note(s, "%s auth using Digest %s with user '%s'",
			     is_proxy ? "Proxy" : "Server",
			     digest_alg_name(st->alg), cr->user);
		else
			note(s, "%s auth using %s with user '%s'",
			     is_proxy ? "Proxy" : "Server",
			     auth_scheme_name(st->scheme), cr->user);
		if (tr.why[0] != '\0')
			note(s, "%s; offered: %s", tr.why, offered);
	}
	return true;
}

/* Remember nextnonce from (Proxy-)Authentication-Info (RFC 7616 §3.5). */
static void take_info(struct client_machine *m,
		      const struct http_response *resp)
{
	const struct http_header *h;

	h = http_header_find(resp->headers, resp->num_headers,
			     PROXY.info_field);
	if (h != NULL)
		answer_info(&m->proxy_st, h->value, h->value_len);
	h = http_header_find(resp->headers, resp->num_headers,
			     ORIGIN.info_field);
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
		negotiate_finish(m, resp, s);
	if (through && strcmp(w.who, "origin") == 0)
		note(s, "Response from the origin (Via: %.*s)",
		     (int)via->value_len, via->value);
	else if (through && strcmp(w.who, "proxy") == 0 && server != NULL &&
		 resp->status != 407)
		note(s, "Response from the proxy itself (Server: %.*s%s)",
		     (int)server->value_len, server->value,
		     via != NULL ? "; it has a Via too" : "");
	else if (through && strcmp(w.who, "proxy") == 0)
		note(s, "Response from the proxy itself (%s)", w.clue);
	else if (through)
		note(s, "Who answered: cannot tell (%s)", w.clue);
	s->action = CLIENT_DONE;
	m->state = ST_DONE;
}

/* Lesson 02: one retry per challenge; Lesson 04: the silent stale retry. */
/*
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
	case ST_CONNECT_SENT:
		if (resp->status >= 200 && resp->status < 300) {
			m->tunnel_up = true;
			note(s,
			     "Tunnel established (CONNECT answered %d); "
			     "the proxy now relays bytes",
			     resp->status);
			send_next(m, s, false);
			return;
		}
		if (resp->status == 407 &&
		    answer_challenge(m, resp, &PROXY, s)) {
			send_next(m, s, true);
			return;
		}
		if (resp->status != 407)
			note(s, "The proxy refused the tunnel: %d",
			     resp->status);
		finish(m, resp, s);
		return;

	case ST_REQUEST_SENT:
		/* A 407 only means something from a proxy we talk to. */
		if (resp->status == 407 && m->cfg->via_proxy && !m->tunnel_up) {
			if (answer_challenge(m, resp, &PROXY, s)) {
				send_next(m, s, false);
				return;
			}
		} else if (resp->status == 401) {
			if (answer_challenge(m, resp, &ORIGIN, s)) {
				send_next(m, s, false);
				return;
			}
		}
		finish(m, resp, s);
		return;

	default:
		note(s, "Nothing was sent; call client_start first");
		s->action = CLIENT_ERROR;
		m->state = ST_DONE;
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

/*
 * client/request.c - the requests client/machine.c sends: CONNECT
 * (authority-form) or the request itself (absolute-form through a proxy,
 * origin-form otherwise), with the credentials of each party whose
 * scheme is chosen and the user's -H fields.  Pure: bytes into the step.
 */
#define _POSIX_C_SOURCE 200809L

#include "request.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../http/answer.h"
#include "handshake.h"

#define CLIENT_MAX_TARGET (HTTP_MAX_TARGET_BYTES + 1)
#define CLIENT_MAX_HOSTPORT (HTTP_MAX_HOST + 16)

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

/*
 * True when the -H lines already set field `name` (the user's wins).  The
 * lines are read by the message parser (http/message.c), as a head's
 * fields would be; lines it refuses set nothing.
 */
static bool user_sets(const struct client_config *cfg, const char *name)
{
	struct http_header hs[HTTP_MAX_HEADERS];
	struct http_buf b;
	enum http_err e;
	size_t n = 0;
	bool found = false;

	if (cfg->extra_headers == NULL)
		return false;
	http_buf_init(&b, 0);
	http_buf_puts(&b, cfg->extra_headers);
	http_buf_puts(&b, "\r\n");
	if (!b.failed && http_parse_fields(b.data, b.len, hs, &n, &e) > 0)
		found = http_header_find(hs, n, name) != NULL;
	http_buf_free(&b);
	return found;
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
	struct answer_state *st =
	    p == &party_proxy ? &m->proxy_st : &m->origin_st;
	const struct answer_creds *cr =
	    p == &party_proxy ? &m->cfg->proxy : &m->cfg->origin;
	struct client_ntlm *nt =
	    p == &party_proxy ? &m->proxy_ntlm : &m->origin_ntlm;
	struct answer_trace tr;
	struct http_buf v;
	enum http_err e;
	bool ok;

	/* Negotiate: the token goes out once (RFC 4559 §4.2). */
	if (p == &party_proxy && m->neg_token[0] != '\0') {
		http_buf_init(&v, 0);
		http_buf_printf(&v, "Negotiate %s", m->neg_token);
		ok = !v.failed && http_write_header(&s->request, p->cred_field,
						    v.data, v.len);
		http_buf_free(&v);
		m->neg_token[0] = '\0';
		if (!ok)
			client_step_note(s, "Cannot write the %s field",
					 p->cred_field);
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
			client_step_note(s, "Cannot write the %s field",
					 p->cred_field);
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
		client_step_note(s, "Cannot build %s credentials: %s", p->name,
				 http_strerror(e));
		http_buf_free(&v);
		return false;
	}
	ok = http_write_header(&s->request, p->cred_field, v.data, v.len);
	http_buf_free(&v);
	if (!ok)
		client_step_note(s, "Cannot write the %s field", p->cred_field);
	return ok;
}

/*
 * The CONNECT request (RFC 9110 §9.3.6): authority-form target and Host,
 * Proxy-Authorization once a scheme is chosen for the proxy.
 */
bool request_connect(struct client_machine *m, const struct http_url *u,
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
	if (!add_credentials(m, s, &party_proxy, "CONNECT", hp))
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
bool request_build(struct client_machine *m, const struct http_url *u,
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
		client_step_note(s, "The URL is too long");
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
	if (absolute && !add_credentials(m, s, &party_proxy, method, target))
		return false;
	/* The origin sees origin-form whatever we send the proxy (RFC 9112
	 * §3.2.1), so a Digest uri for the origin is the path. */
	snprintf(target, sizeof(target), "%.*s", (int)u->path_len, u->path);
	if (!add_credentials(m, s, &party_origin, method, target))
		return false;
	if (cfg->extra_headers != NULL)
		http_buf_puts(b, cfg->extra_headers);
	if (cfg->body != NULL)
		http_buf_printf(b, "Content-Length: %zu\r\n", cfg->body_len);
	http_buf_puts(b, "\r\n");
	if (cfg->body != NULL && cfg->body_len > 0)
		http_buf_append(b, cfg->body, cfg->body_len);
	if (b->failed)
		client_step_note(s, "The request does not fit in %zu bytes",
				 b->max);
	return !b->failed;
}

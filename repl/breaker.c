/*
 * repl/breaker.c - `break WHAT` and `fix` (see repl/breaker.h).
 *
 * Sections: Finding the credential, Deciding whether a break applies,
 * Editing the bytes, The commands.  An outside client's credential is
 * repl/breaker_held.c.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "breaker.h"
#include "lab_state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/answer.h"
#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/digest.h"
#include "../http/message.h"
#include "lab_set.h"
#include "repl.h"
#include "wire.h"

/* ---- Finding the credential ---- */

/*
 * The credential field of a request: Proxy-Authorization when present
 * (the proxy's, RFC 9110 §11.7.2), else Authorization (§11.6.2).
 */
static const struct http_header *cred_field(const struct http_request *req)
{
	const struct http_header *h;

	h = http_header_find(req->headers, req->num_headers,
			     "Proxy-Authorization");
	if (h == NULL)
		h = http_header_find(req->headers, req->num_headers,
				     "Authorization");
	return h;
}

static bool parse_head(const struct http_buf *b, struct http_request *req)
{
	enum http_err e;

	return b->len > 0 && http_parse_request(b->data, b->len, req, &e) > 0;
}

/* Party p's credentials field: RFC 9110 §11.7.2 for the proxy, §11.6.2
 * for the origin. */
static const char *party_field(enum lab_party p)
{
	return p == LAB_PROXY ? "Proxy-Authorization" : "Authorization";
}

static const struct http_header *party_cred(const struct http_request *req,
					    enum lab_party p)
{
	return http_header_find(req->headers, req->num_headers, party_field(p));
}

const struct http_header *breaker_party_cred(const struct http_buf *b,
					     enum lab_party p,
					     struct http_request *req)
{
	return parse_head(b, req) ? party_cred(req, p) : NULL;
}

bool breaker_has_field(const struct http_buf *b, enum lab_party p)
{
	struct http_request req;

	return breaker_party_cred(b, p, &req) != NULL;
}

/* "NTLM " then the base64 of "NTLMSSP\0" and the type: "TlRMTVNTUAAB"
 * is a NEGOTIATE, "...C" a CHALLENGE, "...D" an AUTHENTICATE. */
static bool ntlm_value(const struct http_header *h, char type)
{
	static const char magic[] = "TlRMTVNTUAA"; /* base64 "NTLMSSP\0" */
	const size_t at = sizeof("NTLM ") - 1;

	return h != NULL && h->value_len > at + sizeof(magic) &&
	       auth_scheme_of(h->value, h->value_len) == AUTH_SCHEME_NTLM &&
	       memcmp(h->value + at, magic, sizeof(magic) - 1) == 0 &&
	       h->value[at + sizeof(magic) - 1] == type;
}

bool breaker_is_ntlm_negotiate(const struct http_buf *b)
{
	struct http_request req;

	return parse_head(b, &req) && ntlm_value(cred_field(&req), 'B');
}

bool breaker_is_ntlm_challenge(const struct http_response *resp)
{
	size_t pos = 0;
	const struct http_header *h;

	while ((h = http_header_next(resp->headers, resp->num_headers,
				     "Proxy-Authenticate", &pos)) != NULL)
		if (ntlm_value(h, 'C'))
			return true;
	return false;
}

/* ---- Deciding whether a break applies ---- */

/*
 * The scheme the client will answer with: the highest answer_rank() among
 * those offered, for the leg's connection (http/answer.h; the lab's legs
 * are plain HTTP unless `tls proxy on`).
 */
static enum auth_scheme chosen(const struct lab_server *s, bool tls)
{
	enum auth_scheme best = AUTH_SCHEME_NONE;
	size_t i;

	for (i = 0; i < s->num_schemes; i++)
		if (s->schemes[i] != AUTH_SCHEME_NEGOTIATE &&
		    answer_rank(s->schemes[i], tls) > answer_rank(best, tls))
			best = s->schemes[i];
	return best;
}

/* A scheme's name for a sentence, "none" when the party asks for none. */
static const char *scheme_shown(enum auth_scheme s)
{
	return auth_scheme_name(s) ? auth_scheme_name(s) : "none";
}

/* Whose credential comes first: the proxy's, unless it asks for none. */
int breaker_default_party(const struct lab *lab)
{
	if (lab->external)
		return LAB_PROXY;
	if (lab->server[LAB_PROXY].num_schemes > 0 && lab->creds[LAB_PROXY].set)
		return LAB_PROXY;
	if (lab->server[LAB_ORIGIN].num_schemes > 0 &&
	    lab->creds[LAB_ORIGIN].set)
		return LAB_ORIGIN;
	return -1;
}

/* Whether party p gets a credential this break can touch at all: the
 * checks that hold whatever scheme the party uses. */
static bool applies_party(const struct lab *lab, int p, enum lab_break b,
			  char *err, size_t err_cap)
{
	if (b == LAB_BREAK_NONE) {
		snprintf(err, err_cap,
			 "unknown break; choose password, user, "
			 "scheme, header, base64, realm, nonce, nc, "
			 "response, stale, close or replay");
		return false;
	}
	if (p < 0) {
		snprintf(err, err_cap,
			 "no credential will be sent: no server asks "
			 "for one, or the client has none (see "
			 "`scheme` and `user`)");
		return false;
	}
	if (!lab->creds[p].set) {
		snprintf(err, err_cap,
			 "the client sends the %s no credential (`user %s "
			 "NAME:PASSWORD` gives it one)",
			 lab_party_name((enum lab_party)p),
			 lab_party_name((enum lab_party)p));
		return false;
	}
	if (b == LAB_BREAK_HEADER && p != LAB_PROXY) {
		snprintf(err, err_cap,
			 "header renames Proxy-Authorization, the proxy's "
			 "field; try `break proxy header`");
		return false;
	}
	if (p == LAB_ORIGIN && lab->server[LAB_ORIGIN].num_schemes == 0) {
		snprintf(err, err_cap,
			 "the origin asks for no credentials now (`scheme "
			 "origin basic` makes it ask)");
		return false;
	}
	return true;
}

/* Through an external proxy (lesson 10): only the proxy's credential,
 * and not the embedded proxy's clock. */
static bool applies_external(int p, enum lab_break b, char *err, size_t err_cap)
{
	if (p == LAB_ORIGIN) {
		snprintf(err, err_cap,
			 "through an external proxy only the proxy's "
			 "credential can be broken here");
		return false;
	}
	if (b == LAB_BREAK_STALE) {
		snprintf(err, err_cap,
			 "stale moves the embedded proxy's "
			 "clock; an external proxy keeps its own");
		return false;
	}
	return true;
}

/* close and replay: lesson 11's NTLM connection, the proxy's only. */
static bool applies_ntlm(const struct lab *lab, int p, enum lab_break b,
			 enum auth_scheme s, char *err, size_t err_cap)
{
	if (s != AUTH_SCHEME_NTLM || p != LAB_PROXY) {
		snprintf(err, err_cap,
			 "%s is about NTLM's connection; the proxy "
			 "uses %s (try `scheme proxy ntlm`)",
			 lab_break_name(b), scheme_shown(s));
		return false;
	}
	if (b == LAB_BREAK_REPLAY && lab->last_ntlm[0] == '\0') {
		snprintf(err, err_cap,
			 "replay sends the last NTLM AUTHENTICATE "
			 "again, and none was sent yet: run one NTLM "
			 "exchange first");
		return false;
	}
	return true;
}

/* base64: Basic's encoding (RFC 7617 §2). */
static bool applies_base64(int p, enum auth_scheme s, char *err, size_t err_cap)
{
	if (s == AUTH_SCHEME_NTLM) {
		snprintf(err, err_cap,
			 "NTLM's base64 carries a binary message; try "
			 "`break password`, `close` or `replay`");
		return false;
	}
	if (s != AUTH_SCHEME_BASIC) {
		snprintf(err, err_cap,
			 "base64 is Basic's encoding; the %s "
			 "uses %s (try `scheme %s basic`)",
			 lab_party_name((enum lab_party)p), scheme_shown(s),
			 lab_party_name((enum lab_party)p));
		return false;
	}
	return true;
}

/* realm, nonce, nc, response, stale: Digest fields (RFC 7616 §3.4). */
static bool applies_digest(const struct lab *lab, int p, enum lab_break b,
			   enum auth_scheme s, char *err, size_t err_cap)
{
	if (s != AUTH_SCHEME_DIGEST) {
		snprintf(err, err_cap,
			 "%s is a Digest field; the %s uses "
			 "%s (try `scheme %s digest`)",
			 lab_break_name(b), lab_party_name((enum lab_party)p),
			 scheme_shown(s), lab_party_name((enum lab_party)p));
		return false;
	}
	if (b == LAB_BREAK_STALE && p != LAB_PROXY) {
		snprintf(err, err_cap,
			 "stale moves the proxy's clock, so it "
			 "breaks only the proxy's credential (`break "
			 "proxy stale`, with `scheme proxy digest`)");
		return false;
	}
	if (b == LAB_BREAK_NC && lab->last_digest[0] == '\0') {
		snprintf(err, err_cap,
			 "nc replays the last Digest "
			 "credentials, and none were sent "
			 "yet: run one Digest exchange first");
		return false;
	}
	return true;
}

bool breaker_applies(const struct lab *lab, int p, enum lab_break b, char *err,
		     size_t err_cap)
{
	enum auth_scheme s;

	if (!applies_party(lab, p, b, err, err_cap))
		return false;
	if (lab->external)
		return applies_external(p, b, err, err_cap);
	s = chosen(&lab->server[p], p == LAB_PROXY && lab->tlsleg != NULL);
	switch (b) {
	case LAB_BREAK_CLOSE:
	case LAB_BREAK_REPLAY:
		return applies_ntlm(lab, p, b, s, err, err_cap);
	case LAB_BREAK_BASE64:
		return applies_base64(p, s, err, err_cap);
	case LAB_BREAK_USER:
		if (s == AUTH_SCHEME_BEARER) {
			snprintf(err, err_cap,
				 "Bearer has no user name; try `break %s "
				 "password` (a wrong token)",
				 lab_party_name((enum lab_party)p));
			return false;
		}
		return true;
	case LAB_BREAK_REALM:
	case LAB_BREAK_NONCE:
	case LAB_BREAK_NC:
	case LAB_BREAK_RESPONSE:
	case LAB_BREAK_STALE:
		return applies_digest(lab, p, b, s, err, err_cap);
	default:
		return true;
	}
}

/* ---- Editing the bytes ---- */

/* Edit one Digest param's value in place; false when it is absent. */
static bool edit_param(struct http_buf *b, const struct http_header *h,
		       const char *name, char *note, size_t cap)
{
	struct auth_challenge cred;
	const struct auth_param *p;
	size_t off;
	char v[DIGEST_MAX_FIELD];

	if (auth_parse_credentials(h->value, h->value_len, &cred) != HTTP_OK)
		return false;
	p = auth_param_find(&cred, name);
	if (p == NULL || p->value_len == 0 || p->value_len >= sizeof(v))
		return false;
	off = (size_t)(p->value - b->data);
	memcpy(v, p->value, p->value_len);
	v[p->value_len] = '\0';
	if (strcmp(name, "realm") == 0) {
		/* a realm can be long: quote at most LAB_MAX_REALM_SHOWN */
		snprintf(note, cap,
			 "break realm: realm=\"%.*s%s\" became "
			 "\"not the lab\"",
			 LAB_MAX_REALM_SHOWN, v,
			 strlen(v) > LAB_MAX_REALM_SHOWN ? "..." : "");
		return http_buf_splice(b, off, p->value_len, "not the lab", 11);
	}
	/* nonce, response: change the first character */
	v[0] = v[0] == '0' ? '1' : v[0] == 'A' ? 'B' : v[0] == 'a' ? 'b' : '0';
	snprintf(note, cap, "break %s: its first character changed", name);
	return http_buf_splice(b, off, 1, v, 1);
}

/*
 * Lesson 11, `break replay`: the first request of the exchange goes on a
 * new connection carrying the AUTHENTICATE an earlier connection used.
 */
static void replay_ntlm(struct lab *lab, struct http_buf *b,
			const struct http_request *req,
			const struct http_header *h, char *note, size_t cap)
{
	char line[sizeof(lab->last_ntlm) + 32];
	const struct http_header *last;
	size_t end;
	int w;

	if (h != NULL || req->num_headers == 0)
		return; /* not the first request: it already carries one */
	lab->brk = LAB_BREAK_NONE;
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	last = &req->headers[req->num_headers - 1];
	end = (size_t)(last->value - b->data) + last->value_len + 2;
	w = snprintf(line, sizeof(line), "Proxy-Authorization: %s\r\n",
		     lab->last_ntlm);
	if (w > 0 && (size_t)w < sizeof(line) && end <= b->len &&
	    http_buf_splice(b, end, 0, line, (size_t)w))
		snprintf(note, cap,
			 "break replay: the last NTLM AUTHENTICATE, sent "
			 "again on a new connection");
}

/* header: Proxy-Authorization renamed, so the proxy finds none. */
static void apply_header(struct http_buf *b, const struct http_header *h,
			 char *note, size_t cap)
{
	if (!http_header_is(h, "Proxy-Authorization")) {
		snprintf(note, cap,
			 "break header: no Proxy-Authorization to rename");
		return;
	}
	http_buf_splice(b, (size_t)(h->name - b->data), h->name_len,
			"Authorization", 13);
	snprintf(note, cap,
		 "break header: Proxy-Authorization renamed "
		 "to Authorization");
}

/* The length of the scheme at the start of the field value. */
static size_t scheme_len(const struct http_header *h)
{
	size_t n = 0;

	while (n < h->value_len && h->value[n] != ' ')
		n++;
	return n;
}

/* scheme: a scheme no server offers. */
static void apply_scheme(struct http_buf *b, const struct http_header *h,
			 char *note, size_t cap)
{
	http_buf_splice(b, (size_t)(h->value - b->data), scheme_len(h), "Basix",
			5);
	snprintf(note, cap, "break scheme: the scheme became Basix");
}

/* base64: the token's first character made one base64 does not have. */
static void apply_base64(struct http_buf *b, const struct http_header *h,
			 char *note, size_t cap)
{
	size_t n = scheme_len(h);

	if (n + 1 >= h->value_len)
		return;
	/* '.' is a token68 character but not base64 (RFC 4648 §4) */
	http_buf_splice(b, (size_t)(h->value - b->data) + n + 1, 1, ".", 1);
	snprintf(note, cap,
		 "break base64: the token's first character "
		 "became '.', which base64 does not have");
}

/* nc: the previous Digest credentials again, a replay. */
static void apply_nc(const struct lab *lab, struct http_buf *b,
		     const struct http_header *h, char *note, size_t cap)
{
	if (lab->last_digest[0] == '\0')
		return;
	http_buf_splice(b, (size_t)(h->value - b->data), h->value_len,
			lab->last_digest, strlen(lab->last_digest));
	snprintf(note, cap,
		 "break nc: the previous Digest credentials "
		 "sent again, same nonce and nc (a replay)");
}

/* The armed break, on the credential field h of the request in b. */
static void apply_to_field(struct lab *lab, enum lab_break brk,
			   struct http_buf *b, const struct http_header *h,
			   char *note, size_t cap)
{
	switch (brk) {
	case LAB_BREAK_STALE:
		lab->stale_now = true;
		snprintf(note, cap,
			 "break stale: the proxy's clock jumps %u s "
			 "ahead, past the nonce lifetime",
			 DIGEST_NONCE_LIFETIME + 1);
		return;
	case LAB_BREAK_HEADER:
		apply_header(b, h, note, cap);
		return;
	case LAB_BREAK_SCHEME:
		apply_scheme(b, h, note, cap);
		return;
	case LAB_BREAK_BASE64:
		apply_base64(b, h, note, cap);
		return;
	case LAB_BREAK_REALM:
		edit_param(b, h, "realm", note, cap);
		return;
	case LAB_BREAK_NONCE:
		edit_param(b, h, "nonce", note, cap);
		return;
	case LAB_BREAK_RESPONSE:
		edit_param(b, h, "response", note, cap);
		return;
	case LAB_BREAK_NC:
		apply_nc(lab, b, h, note, cap);
		return;
	default:
		return;
	}
}

void breaker_apply(struct lab *lab, struct http_buf *b, char *note, size_t cap)
{
	struct http_request req;
	const struct http_header *h;
	enum lab_break brk = lab->brk;

	note[0] = '\0';
	if (brk == LAB_BREAK_NONE || brk == LAB_BREAK_PASSWORD ||
	    brk == LAB_BREAK_USER || brk == LAB_BREAK_CLOSE ||
	    !parse_head(b, &req))
		return;
	h = party_cred(&req, lab->brk_party);
	if (brk == LAB_BREAK_REPLAY) {
		replay_ntlm(lab, b, &req, h, note, cap);
		return;
	}
	if (h == NULL)
		return; /* not yet: the first request goes without */
	lab->brk = LAB_BREAK_NONE;
	apply_to_field(lab, brk, b, h, note, cap);
}

void breaker_remember(struct lab *lab, const struct http_buf *b)
{
	struct http_request req;
	const struct http_header *h;

	if (!parse_head(b, &req))
		return;
	h = cred_field(&req);
	if (ntlm_value(h, 'D') && h->value_len < sizeof(lab->last_ntlm)) {
		snprintf(lab->last_ntlm, sizeof(lab->last_ntlm), "%.*s",
			 (int)h->value_len, h->value);
		return;
	}
	/* Digest credentials with something after the scheme to replay. */
	if (h == NULL || h->value_len >= sizeof(lab->last_digest) ||
	    auth_scheme_of(h->value, h->value_len) != AUTH_SCHEME_DIGEST ||
	    h->value_len == sizeof("Digest") - 1)
		return;
	snprintf(lab->last_digest, sizeof(lab->last_digest), "%.*s",
		 (int)h->value_len, h->value);
}

/* ---- The commands ---- */

/*
 * What an armed break will do, up to the party's name: most corrupt the
 * next credential; stale moves a clock, close and replay act on the
 * connection.  Static strings.
 */
static const char *armed_effect(enum lab_break b)
{
	switch (b) {
	case LAB_BREAK_STALE:
		return "the clock jumps past the nonce lifetime before the "
		       "next Digest credentials reach the ";
	case LAB_BREAK_CLOSE:
		return "the connection closes right after the next NTLM "
		       "CHALLENGE from the ";
	case LAB_BREAK_REPLAY:
		return "the last NTLM AUTHENTICATE is sent again, on a new "
		       "connection, to the ";
	default:
		return "the next credential the client sends is corrupted, "
		       "for the ";
	}
}

/* `break WHAT`: arm a break for the next credential. */
enum repl_rc breaker_break(struct repl *r, int argc, char **argv)
{
	char err[256];
	enum lab_break b = lab_break_from(argv[1]);

	(void)argc;
	char replaced[LAB_MAX_BROKEN];
	int party = -1;
	const char *what = argv[1];

	if (argc == 3) {
		party = lab_party_from(argv[1]);
		what = argv[2];
		b = lab_break_from(what);
		if (party < 0) {
			repl_error(r,
				   "break: '%s' is not proxy or origin; "
				   "usage: break [proxy|origin] WHAT",
				   argv[1]);
			return REPL_USAGE;
		}
	}
	if (!lab_set_break_for(r->lab, party, b, replaced, err, sizeof(err))) {
		repl_error(r, "break %s: %s", what, err);
		return REPL_FAIL;
	}
	if (!r->in_outcomes) {
		fprintf(r->out, "armed: `break %s %s`: %s%s (fix cancels)\n",
			lab_party_name(r->lab->brk_party), lab_break_name(b),
			armed_effect(b), lab_party_name(r->lab->brk_party));
		if (replaced[0] != '\0')
			fprintf(r->out,
				"  (it replaces `%s`: one break is pending "
				"at a time)\n",
				replaced);
	}
	return REPL_OK;
}

/* `fix`: cancel a pending break. */
enum repl_rc breaker_fix(struct repl *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!r->in_outcomes)
		fprintf(r->out,
			r->lab->brk == LAB_BREAK_NONE
			    ? "nothing to fix: no break is pending\n"
			    : "fixed: the next credential goes out intact\n");
	r->lab->brk = LAB_BREAK_NONE;
	return REPL_OK;
}

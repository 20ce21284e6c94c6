/*
 * repl/explain.c - `explain [N]`: every header of a message with what it
 * means and where it is defined; Basic credentials decoded; Digest
 * credentials recomputed from the lab password, step by step.
 *
 * Sections: The field notes, Challenges, Basic, Digest, The command.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "explain.h"
#include "repl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../client/machine.h"
#include "../http/auth.h"
#include "../http/basic.h"
#include "../http/digest.h"
#include "../http/status.h"
#include "digest_sent.h"
#include "explain_negotiate.h"
#include "explain_ntlm.h"
#include "lab_set.h"

/* ---- The field notes ---- */

/* Which messages a note fits: every field note says what it does there. */
enum note_fit {
	FIT_ANY,       /* any message */
	FIT_REQ,       /* a request */
	FIT_REQ_ABS,   /* a request with an absolute-form target */
	FIT_REQ_ORIG,  /* a request with an origin-form target */
	FIT_REQ_CONN,  /* a CONNECT request (authority-form) */
	FIT_RESP,      /* a response */
	FIT_CHALLENGE, /* a 401 or 407 response */
	FIT_RESP_BODY, /* any other response */
};

/* What explain knows about the message it annotates. */
struct note_ctx {
	bool request;
	int target; /* FIT_REQ_ABS, FIT_REQ_ORIG or FIT_REQ_CONN */
	int status; /* responses */
};

static const struct {
	const char *name;
	enum note_fit fit;
	const char *note;
} fields[] = {
    {"Host", FIT_REQ_ABS,
     "the target's host and port (RFC 9110 §7.2); with an absolute-form "
     "target a proxy must ignore it and use the URL's authority, and the "
     "client sends it anyway for old HTTP/1.0 proxies (RFC 9112 §3.2.2)"},
    {"Host", FIT_REQ_ORIG,
     "the target's host and port, which tells the origin which site is "
     "meant (RFC 9110 §7.2); a proxy rewrites it from the URL "
     "(RFC 9112 §3.2.2)"},
    {"Host", FIT_REQ_CONN,
     "the tunnel's host and port again, as RFC 9112 §3.2.3 shows for "
     "CONNECT"},
    {"User-Agent", FIT_ANY, "the client's name (RFC 9110 §10.1.5)"},
    {"Accept", FIT_ANY, "media types the client takes (RFC 9110 §12.5.1)"},
    {"Proxy-Authorization", FIT_ANY,
     "credentials for the next inbound proxy that asked for them, which "
     "consumes them; lab407's proxy never forwards them (RFC 9110 "
     "§11.7.2)"},
    {"Authorization", FIT_ANY,
     "credentials for the origin; a proxy forwarding the request must not "
     "modify them (RFC 9110 §11.6.2)"},
    {"Proxy-Authenticate", FIT_CHALLENGE,
     "the proxy's challenges, for the next outbound client (RFC 9110 "
     "§11.7.1); one field may hold several, comma-separated, and the "
     "field may repeat (RFC 9110 §11.6.1); lab407 writes one challenge "
     "per field, and one per algorithm for Digest"},
    {"Proxy-Authenticate", FIT_RESP_BODY,
     "on a response that is not a 407 this asks for nothing: on a 200 it "
     "is the proxy's last Negotiate token, which lets the client check "
     "that the proxy opened its ticket (as RFC 4559 §4.1 has a 200 carry "
     "WWW-Authenticate; lesson 12)"},
    {"WWW-Authenticate", FIT_CHALLENGE,
     "the origin's challenges; one field may hold several, and the field "
     "may repeat (RFC 9110 §11.6.1)"},
    {"WWW-Authenticate", FIT_RESP_BODY,
     "a challenge on a response that is not a 401: a 403 may carry one "
     "(RFC 6750 §3.1, Bearer's insufficient_scope), and a 200 may carry "
     "Negotiate's last token (RFC 4559 §4.1)"},
    {"Proxy-Authentication-Info", FIT_ANY,
     "the proxy's answer to good Digest credentials (RFC 9110 §11.7.3, "
     "RFC 7616 §3.5)"},
    {"Authentication-Info", FIT_ANY,
     "the origin's answer to good Digest credentials: rspauth, nextnonce "
     "(RFC 9110 §11.6.3, RFC 7616 §3.5)"},
    {"Via", FIT_REQ,
     "each proxy that forwarded the request appends an entry: the origin "
     "sees the path the request took (RFC 9110 §7.6.3)"},
    {"Via", FIT_RESP,
     "each proxy that forwarded the response appends an entry (RFC 9110 "
     "§7.6.3); evidence that it was relayed, not proof: Squid also puts "
     "Via on the errors it writes itself"},
    {"Content-Length", FIT_CHALLENGE,
     "body size in bytes: it frames the message, so the connection can "
     "stay open for the retry (RFC 9110 §8.6, RFC 9112 §6.2)"},
    {"Content-Length", FIT_REQ,
     "body size in bytes: it frames the request body (RFC 9110 §8.6, "
     "RFC 9112 §6.2)"},
    {"Content-Length", FIT_RESP_BODY,
     "body size in bytes: it frames the message, so the connection can "
     "carry the next request (RFC 9110 §8.6, RFC 9112 §6.2)"},
    {"Content-Type", FIT_ANY, "media type of the body (RFC 9110 §8.3)"},
    {"Connection", FIT_ANY,
     "options for this connection only, such as close; a proxy removes "
     "it and every field it names (RFC 9110 §7.6.1)"},
    {"Proxy-Connection", FIT_ANY,
     "an old non-standard keep-alive field that clients are encouraged not "
     "to send (RFC 9112 Appendix C.2.2); a proxy removes it (RFC 9110 "
     "§7.6.1)"},
    {"Keep-Alive", FIT_ANY,
     "the HTTP/1.0 keep-alive mechanism's parameters (RFC 2068 §19.7.1); "
     "a proxy removes it (RFC 9110 §7.6.1)"},
    {"Transfer-Encoding", FIT_ANY, "chunked framing (RFC 9112 §6.1)"},
    {"Server", FIT_RESP,
     "the responding software (RFC 9110 §10.2.4); lab407-proxy means "
     "lab407's proxy wrote this response itself"},
    {"Date", FIT_ANY, "when the message was made (RFC 9110 §6.6.1)"},
};

static bool note_fits(enum note_fit fit, const struct note_ctx *c)
{
	switch (fit) {
	case FIT_ANY:
		return true;
	case FIT_REQ:
		return c->request;
	case FIT_REQ_ABS:
	case FIT_REQ_ORIG:
	case FIT_REQ_CONN:
		return c->request && c->target == (int)fit;
	case FIT_RESP:
		return !c->request;
	case FIT_CHALLENGE:
		return !c->request && (c->status == 401 || c->status == 407);
	case FIT_RESP_BODY:
		return !c->request && c->status != 401 && c->status != 407;
	}
	return false;
}

static const struct {
	const char *name;
	const char *note;
} params[] = {
    {"realm", "the protection space the credentials are for (RFC 9110 §11.5)"},
    {"charset", "the only value is UTF-8: the encoding the client should "
		"use for user name and password (Basic: RFC 7617 §2.1; "
		"Digest: RFC 7616 §3.3)"},
    {"username", "the user name (RFC 7616 §3.4)"},
    {"nonce", "server-made, single-use-ish value; binds the hash to time "
	      "(RFC 7616 §3.3)"},
    {"uri", "the request-target, repeated so it is under the hash "
	    "(RFC 7616 §3.4)"},
    {"response", "the proof: a hash over password, nonce and request "
		 "(RFC 7616 §3.4.1)"},
    {"algorithm", "the hash: MD5, SHA-256, SHA-512-256, -sess variants "
		  "(RFC 7616 §3.3)"},
    {"cnonce", "client nonce: the client's randomness (RFC 7616 §3.4)"},
    {"opaque", "server data the client echoes back (RFC 7616 §3.3)"},
    {"qop", "quality of protection: auth, or auth-int with the body "
	    "(RFC 7616 §3.3)"},
    {"nc", "nonce count, hex; must grow, or it is a replay (RFC 7616 §3.4)"},
    {"userhash", "the user name is hashed (RFC 7616 §3.4.4)"},
    {"stale", "true: the password was right but the nonce expired (or "
	      "the server no longer tracks it); retry with the new one "
	      "(RFC 7616 §3.3)"},
    {"domain", "URIs the challenge covers (RFC 7616 §3.3)"},
    {"error", "why a Bearer token was refused (RFC 6750 §3)"},
};

static const char *field_note(const struct http_header *h,
			      const struct note_ctx *c)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (http_header_is(h, fields[i].name) &&
		    note_fits(fields[i].fit, c))
			return fields[i].note;
	return NULL;
}

static const char *param_note(const struct auth_param *p)
{
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (strlen(params[i].name) == p->name_len &&
		    strncasecmp(params[i].name, p->name, p->name_len) == 0)
			return params[i].note;
	return "";
}

static void print_params(struct repl *r, const struct auth_challenge *c)
{
	size_t i;

	for (i = 0; i < c->num_params; i++) {
		const struct auth_param *p = &c->params[i];
		fprintf(r->out, "        %.*s=%.*s  %s%s%s\n", (int)p->name_len,
			p->name, (int)p->value_len, p->value,
			repl_color(r, "dim"), param_note(p),
			repl_color(r, "off"));
	}
}

/* ---- Challenges ---- */

static void explain_challenges(struct repl *r, const struct http_header *h)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	size_t n = 0, i;
	enum http_err e = auth_parse_challenges(h->value, h->value_len, ch,
						AUTH_MAX_CHALLENGES, &n);

	if (e != HTTP_OK) {
		fprintf(r->out, "      does not parse: %s\n", http_strerror(e));
		return;
	}
	for (i = 0; i < n; i++) {
		fprintf(r->out, "      challenge: scheme %.*s\n",
			(int)ch[i].scheme_len, ch[i].scheme);
		print_params(r, &ch[i]);
		if (ch[i].kind == AUTH_SCHEME_NTLM)
			explain_ntlm(r, ch[i].token68,
				     ch[i].token68 ? ch[i].token68_len : 0,
				     NULL);
		if (ch[i].kind == AUTH_SCHEME_NEGOTIATE)
			explain_negotiate(r, ch[i].token68,
					  ch[i].token68 ? ch[i].token68_len
							: 0);
	}
}

/* ---- Basic ---- */

static void explain_basic(struct repl *r, const struct auth_challenge *c)
{
	struct basic_creds bc;
	enum http_err e = basic_decode(c, &bc);

	if (e != HTTP_OK) {
		fprintf(r->out,
			"      Basic, but the token does not decode: %s\n",
			http_strerror(e));
		return;
	}
	fprintf(r->out,
		"      Basic: base64 of user:password (RFC 7617 §2)\n"
		"      decoded: %s%s:%s%s\n"
		"      Anyone who sees this header has the password: "
		"base64 is an encoding, not encryption.  Basic needs TLS "
		"(lesson 03).\n",
		repl_color(r, "bad"), bc.user, bc.pass, repl_color(r, "off"));
	basic_creds_wipe(&bc);
}

/* ---- Digest ---- */

static bool get(const struct auth_challenge *c, const char *name, char *out,
		size_t cap)
{
	out[0] = '\0';
	return auth_get(c, name, out, cap) == HTTP_OK;
}

/* The recomputed Digest response step by step (trace t), against the
 * one sent (resp). */
static void print_trace(struct repl *r, enum lab_party party, const char *user,
			enum digest_alg alg, const char *resp,
			const struct digest_trace *t)
{
	bool same = strcmp(resp, t->response) == 0;

	fprintf(r->out,
		"      recomputed with the %s's lab password for %s "
		"(RFC 7616 §3.4.1, H = %s):\n"
		"        A1       = %s\n"
		"        HA1      = H(A1) = %s\n"
		"        A2       = %s\n"
		"        HA2      = H(A2) = %s\n"
		"        KD input = %s\n"
		"        response = H(KD input) = %s\n"
		"      sent response %s%s%s\n",
		lab_party_name(party), user, digest_alg_name(alg), t->a1,
		t->ha1, t->a2, t->ha2, t->kd, t->response,
		repl_color(r, same ? "good" : "bad"),
		same ? "matches: the password was right"
		     : "differs: a wrong password (or a changed field)",
		repl_color(r, "off"));
}

static void explain_digest(struct repl *r, const struct auth_challenge *c,
			   enum lab_party party, const char *method,
			   const struct lab_msg *m)
{
	struct digest_sent d;
	char alg_s[32], out[DIGEST_HEX_MAX + 1];
	struct digest_input in;
	struct digest_trace *t;
	const char *pass;
	enum http_err e;

	fprintf(r->out, "      Digest: a hash proves the password without "
			"sending it (RFC 7616)\n");
	print_params(r, c);
	digest_sent_read(c, &d);
	if (!get(c, "algorithm", alg_s, sizeof(alg_s)))
		snprintf(alg_s, sizeof(alg_s), "MD5");

	memset(&in, 0, sizeof(in));
	if (!digest_alg_parse(alg_s, strlen(alg_s), &in.alg)) {
		fprintf(r->out,
			"      unknown algorithm %s: cannot recompute\n",
			alg_s);
		return;
	}
	pass = lab_password_of(r->lab, party, d.username);
	if (pass == NULL) {
		fprintf(r->out,
			"      the %s has no plain password for '%s': the "
			"lab cannot recompute the response\n",
			lab_party_name(party), d.username);
		return;
	}
	in.qop = strcasecmp(d.qop, "auth-int") == 0 ? DIGEST_QOP_AUTH_INT
		 : strcasecmp(d.qop, "auth") == 0   ? DIGEST_QOP_AUTH
						    : DIGEST_QOP_NONE;
	digest_sent_input(&d, method, pass, &in);
	in.body = m->bytes.data + m->head_len;
	in.body_len = m->bytes.len - m->head_len;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return;
	e = digest_compute(&in, t, out);
	if (e != HTTP_OK)
		fprintf(r->out, "      cannot recompute: %s\n",
			http_strerror(e));
	else
		print_trace(r, party, d.username, in.alg, d.response, t);
	explicit_bzero(t, sizeof(*t));
	free(t);
}

static void explain_credentials(struct repl *r, const struct http_header *h,
				const char *method, const struct lab_msg *m)
{
	struct auth_challenge c;
	enum http_err e = auth_parse_credentials(h->value, h->value_len, &c);
	enum lab_party party =
	    http_header_is(h, "Proxy-Authorization") ? LAB_PROXY : LAB_ORIGIN;

	if (e != HTTP_OK) {
		fprintf(r->out, "      does not parse: %s (a 400)\n",
			http_strerror(e));
		return;
	}
	if (c.kind == AUTH_SCHEME_BASIC)
		explain_basic(r, &c);
	else if (c.kind == AUTH_SCHEME_DIGEST)
		explain_digest(r, &c, party, method, m);
	else if (c.kind == AUTH_SCHEME_NTLM)
		explain_ntlm(r, c.token68, c.token68 ? c.token68_len : 0, m);
	else if (c.kind == AUTH_SCHEME_NEGOTIATE)
		explain_negotiate(r, c.token68, c.token68 ? c.token68_len : 0);
	else if (c.kind == AUTH_SCHEME_BEARER)
		fprintf(r->out,
			"      Bearer: an opaque token; whoever holds it "
			"is let in (RFC 6750 §2.1)\n");
	else
		fprintf(r->out, "      scheme %.*s: not one lab407 offers\n",
			(int)c.scheme_len, c.scheme);
}

/* ---- The command ---- */

/* True when message m answers a CONNECT (the last request before it). */
static bool after_connect(const struct lab *lab, const struct lab_msg *m)
{
	for (int n = m->n - 1; n >= 1; n--) {
		const struct lab_msg *q = lab_msg_at(lab, n);
		if (q != NULL && q->leg == LAB_C2P)
			return strncmp(q->line, "CONNECT ", 8) == 0;
	}
	return false;
}

/*
 * Lesson 05: who wrote a response the client got.  In the embedded lab
 * the REPL knows; through an external proxy it has only the clues a
 * client has (client_who()), and says so when they are not enough.
 */
static void explain_who(struct repl *r, const struct lab_msg *m,
			const struct http_response *resp)
{
	struct lab_view v;

	lab_view(r->lab, &v);
	if (v.external) {
		struct client_who w = client_who(resp, true);
		if (strcmp(w.who, "cannot tell") == 0)
			fprintf(r->out,
				"  answered by: the lab cannot tell (%s)\n",
				w.clue);
		else
			fprintf(r->out,
				"  answered by the %s, by the clues "
				"a client has (%s)\n",
				w.who, w.clue);
		return;
	}
	if (m->answered_by == LAB_PROXY)
		fprintf(r->out,
			"  answered by the proxy itself (the lab knows; a "
			"client sees Server: lab407-proxy and no Via)\n");
	else
		fprintf(r->out,
			"  answered by the origin and relayed by the proxy "
			"(a client sees the proxy's Via)\n");
}

/* The request line of req, and what its target form says (RFC 9112
 * §3.2); the method into method[0..mcap), the form into ctx. */
static void explain_request_line(struct repl *r, const struct http_request *req,
				 struct note_ctx *ctx, char *method,
				 size_t mcap)
{
	snprintf(method, mcap, "%.*s", (int)req->method_len, req->method);
	ctx->request = true;
	ctx->target = strcmp(method, "CONNECT") == 0 ? FIT_REQ_CONN
		      : req->target_len > 0 && req->target[0] == '/'
			  ? FIT_REQ_ORIG
			  : FIT_REQ_ABS;
	fprintf(r->out, "  request line: %s %.*s -- %s\n", method,
		(int)req->target_len, req->target,
		ctx->target == FIT_REQ_CONN
		    ? "authority-form host:port, used only by CONNECT "
		      "(RFC 9112 §3.2.3)"
		: ctx->target == FIT_REQ_ORIG
		    ? "origin-form, as sent to the origin itself "
		      "(RFC 9112 §3.2.1)"
		    : "absolute-form, as a client must send to a "
		      "proxy (RFC 9112 §3.2.2)");
}

/* The status line of resp (message m), what it means, and who wrote it. */
static void explain_status_line(struct repl *r, const struct lab_msg *m,
				const struct http_response *resp,
				struct note_ctx *ctx)
{
	const struct http_status_info *s = http_status_lookup(resp->status);

	ctx->request = false;
	ctx->status = resp->status;
	if (after_connect(r->lab, m) && resp->status / 100 == 2)
		fprintf(r->out,
			"  status %d %s -- the proxy's own answer to "
			"CONNECT: the tunnel is open, and from here on "
			"the proxy only relays bytes (RFC 9110 "
			"§9.3.6)\n",
			resp->status, http_status_reason(resp->status));
	else
		fprintf(r->out, "  status %d %s -- %s (%s)\n", resp->status,
			http_status_reason(resp->status),
			s && s->when ? s->when : "", s ? s->rfc : "");
	if (m->leg == LAB_P2C)
		explain_who(r, m, resp);
}

/* Each field of hs[0..nh), with its note and, for the auth fields, the
 * challenges or credentials taken apart. */
static void explain_fields(struct repl *r, const struct http_header *hs,
			   size_t nh, const struct note_ctx *ctx,
			   const char *method, const struct lab_msg *m)
{
	for (size_t i = 0; i < nh; i++) {
		const char *note = field_note(&hs[i], ctx);
		fprintf(r->out, "  %s%.*s%s: %.*s\n", repl_color(r, "step"),
			(int)hs[i].name_len, hs[i].name, repl_color(r, "off"),
			(int)hs[i].value_len, hs[i].value);
		if (note != NULL)
			fprintf(r->out, "      %s\n", note);
		if (http_header_is(&hs[i], "Proxy-Authenticate") ||
		    http_header_is(&hs[i], "WWW-Authenticate"))
			explain_challenges(r, &hs[i]);
		if (http_header_is(&hs[i], "Proxy-Authorization") ||
		    http_header_is(&hs[i], "Authorization"))
			explain_credentials(r, &hs[i], method, m);
	}
}

/* `explain [N]`.  Lesson 04: it writes out HA1, HA2 and the Digest
 * response. */
enum repl_rc explain_cmd(struct repl *r, int argc, char **argv)
{
	struct lab_view v;
	const struct lab_msg *m;
	struct http_request req;
	struct http_response resp;
	const struct http_header *hs;
	size_t nh;
	enum http_err e;
	char method[16] = "GET";
	struct note_ctx ctx = {false, 0, 0};

	lab_view(r->lab, &v);
	m = lab_msg_at(r->lab, argc > 1 ? atoi(argv[1]) : (int)v.num_msgs);
	if (m == NULL) {
		repl_error(r, "no message %s to explain (trace lists them)",
			   argc > 1 ? argv[1] : "yet");
		return REPL_FAIL;
	}
	fprintf(r->out, "%s[%d] %s   %s%s\n", repl_color(r, "step"), m->n,
		lab_leg_name(m->leg), m->line, repl_color(r, "off"));
	if (m->is_request) {
		if (http_parse_request(m->bytes.data, m->bytes.len, &req, &e) <=
		    0)
			return REPL_FAIL;
		explain_request_line(r, &req, &ctx, method, sizeof(method));
		hs = req.headers;
		nh = req.num_headers;
	} else {
		if (http_parse_response(m->bytes.data, m->bytes.len, &resp,
					&e) <= 0)
			return REPL_FAIL;
		explain_status_line(r, m, &resp, &ctx);
		hs = resp.headers;
		nh = resp.num_headers;
	}
	explain_fields(r, hs, nh, &ctx, method, m);
	if (m->bytes.len > m->head_len)
		fprintf(r->out, "  body: %zu bytes after the empty line\n",
			m->bytes.len - m->head_len);
	if (m->leg == LAB_P2O &&
	    http_header_find(hs, nh, "Proxy-Authorization") == NULL)
		fprintf(r->out,
			"  note: no Proxy-Authorization here: the proxy "
			"consumed it (RFC 9110 §11.7.2, lesson 06)\n");
	return REPL_OK;
}

/*
 * http/answer.c - the client side of HTTP authentication: read the
 * challenges of a 401 or 407 and build the credentials to retry with,
 * the way curl does (lib/http.c picks, lib/vauth/digest.c computes).
 *
 * Choosing: lab407's policy, answer_rank(), among the schemes both
 * offered and allowed (see answer.h for what the RFCs say and leave to
 * the client); Negotiate, NTLM and anything unknown are skipped here.
 * Among several Digest challenges the strongest algorithm wins
 * (digest_alg_rank: SHA-512-256 > SHA-256 > MD5, each -sess variant just
 * below its base), a local policy in RFC 7616 §3.7's sense.
 */
#define _POSIX_C_SOURCE 200809L

#include "answer.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "basic.h"
#include "bearer.h"

#define ANSWER_MAX_INFO 2048 /* Authentication-Info value we read */

/* Fresh state: nothing chosen, no challenge remembered. */
void answer_state_init(struct answer_state *st)
{
	memset(st, 0, sizeof(*st));
	st->scheme = AUTH_SCHEME_NONE;
	st->alg = DIGEST_MD5;
}

/* ---- Choosing ---- */

/* One usable Digest challenge, as read from its params. */
struct digest_offer {
	enum digest_alg alg;
	char realm[DIGEST_MAX_FIELD];
	char nonce[DIGEST_MAX_FIELD];
	char opaque[DIGEST_MAX_FIELD];
	unsigned qops;
	bool userhash;
};

/*
 * Read one Digest challenge (RFC 7616 §3.3).  False when it cannot be
 * used: unknown algorithm, realm or nonce missing, or a qop list with
 * neither auth nor auth-int.
 */
static bool read_digest(const struct auth_challenge *c, struct digest_offer *o)
{
	char v[DIGEST_MAX_FIELD];

	memset(o, 0, sizeof(*o));
	if (c->token68 != NULL)
		return false;
	if (auth_get(c, "realm", o->realm, sizeof(o->realm)) != HTTP_OK ||
	    auth_get(c, "nonce", o->nonce, sizeof(o->nonce)) != HTTP_OK)
		return false;
	/* RFC 7616 §3.3: no algorithm means MD5. */
	o->alg = DIGEST_MD5;
	if (auth_get(c, "algorithm", v, sizeof(v)) == HTTP_OK &&
	    !digest_alg_parse(v, strlen(v), &o->alg))
		return false;
	if (auth_get(c, "qop", v, sizeof(v)) == HTTP_OK) {
		/* Unknown qop values are ignored; none known: unusable. */
		const char *p = v;

		while (*p != '\0') {
			size_t len;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			len = strcspn(p, ", \t");
			if (len == 4 && strncasecmp(p, "auth", 4) == 0)
				o->qops |= DIGEST_QOP_AUTH;
			else if (len == 8 && strncasecmp(p, "auth-int", 8) == 0)
				o->qops |= DIGEST_QOP_AUTH_INT;
			p += len;
		}
		if (o->qops == 0)
			return false;
	}
	if (auth_get(c, "opaque", o->opaque, sizeof(o->opaque)) ==
	    HTTP_E_NOSPACE)
		return false;
	o->userhash = auth_get(c, "userhash", v, sizeof(v)) == HTTP_OK &&
		      strcasecmp(v, "true") == 0;
	return true;
}

/* Append " name" to a "why" text, bounded. */
static void why_add(char *err, size_t err_cap, const char *word)
{
	size_t used = strnlen(err, err_cap);

	if (used < err_cap)
		snprintf(err + used, err_cap - used, "%s", word);
}

/*
 * The policy, as a table: one row per scheme, its rank inside TLS and
 * without it (answer.h says why).  Bearer is the only scheme whose place
 * depends on the connection.
 */
static const struct {
	enum auth_scheme scheme;
	int tls, plain;
} ranks[] = {
    {AUTH_SCHEME_NEGOTIATE, 5, 5}, /* a Kerberos ticket, mutual */
    {AUTH_SCHEME_BEARER, 4, 2},	   /* the token itself: TLS or last but one */
    {AUTH_SCHEME_DIGEST, 3, 4},	   /* a hash, not the password */
    {AUTH_SCHEME_NTLM, 2, 3},	   /* a hash, but relayable (lesson 11) */
    {AUTH_SCHEME_BASIC, 1, 1},	   /* the password itself */
};

int answer_rank(enum auth_scheme s, bool tls)
{
	for (size_t i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++)
		if (ranks[i].scheme == s)
			return tls ? ranks[i].tls : ranks[i].plain;
	return 0;
}

/*
 * "chose Digest SHA-256 over Bearer, Basic": the pick, then the other
 * usable schemes from the highest rank down, then why a Bearer token
 * went, or did not go, without TLS.
 */
static void explain_pick(char *err, size_t err_cap, enum auth_scheme pick,
			 enum digest_alg alg, unsigned usable, bool tls)
{
	static const enum auth_scheme order[] = {
	    AUTH_SCHEME_BEARER, AUTH_SCHEME_DIGEST, AUTH_SCHEME_BASIC};
	bool first = true;

	snprintf(err, err_cap, "chose %s", auth_scheme_name(pick));
	if (pick == AUTH_SCHEME_DIGEST) {
		why_add(err, err_cap, " ");
		why_add(err, err_cap, digest_alg_name(alg));
	}
	/* ranks[] runs from 5 down to 1: list the others in that order */
	for (int r = 5; r > 0; r--)
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			if (order[i] == pick || !(usable & order[i]) ||
			    answer_rank(order[i], tls) != r)
				continue;
			why_add(err, err_cap, first ? " over " : ", ");
			why_add(err, err_cap, auth_scheme_name(order[i]));
			first = false;
		}
	if (!tls && pick == AUTH_SCHEME_BEARER)
		why_add(
		    err, err_cap,
		    " (a token given and nothing better offered; it goes "
		    "without TLS, which RFC 6750 §5.3 requires for Bearer)");
	else if (!tls && (usable & AUTH_SCHEME_BEARER))
		why_add(err, err_cap,
			" (no TLS to this party: a Bearer token would travel "
			"in clear, RFC 6750 §5.3)");
}

/*
 * Pick one challenge among ch[0..n) and remember it in st.  nc restarts
 * at zero whenever the nonce changes (RFC 7616 §3.4: nc counts requests
 * made with one nonce).
 */
enum http_err answer_choose(struct answer_state *st,
			    const struct answer_creds *cr,
			    const struct auth_challenge *ch, size_t n,
			    struct answer_trace *trace)
{
	static const enum auth_scheme mine[] = {
	    AUTH_SCHEME_BEARER, AUTH_SCHEME_DIGEST, AUTH_SCHEME_BASIC};
	unsigned allowed = cr->allowed ? cr->allowed : AUTH_SCHEME_BASIC;
	struct digest_offer best, o;
	unsigned usable = 0;
	enum auth_scheme pick = AUTH_SCHEME_NONE;
	char why[sizeof(trace->why)];

	if (trace)
		memset(trace, 0, sizeof(*trace));
	if (cr->user == NULL)
		return HTTP_E_AUTH_MISSING;
	memset(&best, 0, sizeof(best));
	for (size_t i = 0; i < n; i++) {
		if (!(ch[i].kind & allowed) ||
		    ch[i].kind == AUTH_SCHEME_UNKNOWN)
			continue;
		if (ch[i].kind == AUTH_SCHEME_BASIC ||
		    ch[i].kind == AUTH_SCHEME_BEARER)
			usable |= ch[i].kind;
		else if (ch[i].kind == AUTH_SCHEME_DIGEST &&
			 read_digest(&ch[i], &o) &&
			 (!(usable & AUTH_SCHEME_DIGEST) ||
			  digest_alg_rank(o.alg) > digest_alg_rank(best.alg))) {
			best = o;
			usable |= AUTH_SCHEME_DIGEST;
		}
	}
	/* The highest-ranked usable scheme, whatever the challenges' order. */
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		if ((usable & mine[i]) && (pick == AUTH_SCHEME_NONE ||
					   answer_rank(mine[i], cr->tls) >
					       answer_rank(pick, cr->tls)))
			pick = mine[i];
	if (pick == AUTH_SCHEME_NONE)
		return HTTP_E_AUTH_SCHEME;
	explain_pick(why, sizeof(why), pick, best.alg, usable, cr->tls);

	if (pick == AUTH_SCHEME_DIGEST) {
		if (st->scheme != AUTH_SCHEME_DIGEST ||
		    strcmp(st->nonce, best.nonce) != 0)
			st->nc = 0;
		snprintf(st->realm, sizeof(st->realm), "%s", best.realm);
		snprintf(st->nonce, sizeof(st->nonce), "%s", best.nonce);
		snprintf(st->opaque, sizeof(st->opaque), "%s", best.opaque);
		st->alg = best.alg;
		st->qop_offered = best.qops;
		st->userhash = best.userhash;
	} else {
		st->nc = 0;
	}
	st->scheme = pick;
	st->have_challenge = true;
	if (trace) {
		trace->scheme = pick;
		snprintf(trace->why, sizeof(trace->why), "%s", why);
	}
	return HTTP_OK;
}

/* ---- Building ---- */

/*
 * The Digest credentials (RFC 7616 §3.4): "Digest username=..., realm,
 * nonce, uri, [cnonce], [nc, qop], response, [opaque], algorithm,
 * [userhash]" onto out.  False when out is full.
 */
static bool write_digest(struct http_buf *out, const struct answer_state *st,
			 const struct digest_input *in, const char *username,
			 const char *resp)
{
	char ncs[16];
	bool ok;

	snprintf(ncs, sizeof(ncs), "%08x", (unsigned)in->nc);
	ok = http_buf_puts(out, "Digest ") &&
	     auth_write_param(out, true, "username", username, true) &&
	     auth_write_param(out, false, "realm", st->realm, true) &&
	     auth_write_param(out, false, "nonce", st->nonce, true) &&
	     auth_write_param(out, false, "uri", in->uri, true);
	if (ok && in->cnonce != NULL)
		ok = auth_write_param(out, false, "cnonce", in->cnonce, true);
	if (ok && in->qop != DIGEST_QOP_NONE)
		ok = auth_write_param(out, false, "nc", ncs, false) &&
		     auth_write_param(out, false, "qop",
				      digest_qop_name(in->qop), false);
	ok = ok && auth_write_param(out, false, "response", resp, true);
	if (ok && st->opaque[0] != '\0')
		ok = auth_write_param(out, false, "opaque", st->opaque, true);
	ok = ok && auth_write_param(out, false, "algorithm",
				    digest_alg_name(in->alg), false);
	if (ok && st->userhash)
		ok = auth_write_param(out, false, "userhash", "true", false);
	return ok;
}

/*
 * The Digest credentials (RFC 7616 §3.4), in curl's order:
 *   Digest username="..", realm="..", nonce="..", uri="..",
 *   cnonce="..", nc=00000001, qop=auth, response="..", opaque="..",
 *   algorithm=SHA-256, userhash=true
 * qop: auth when offered, else auth-int (body hashed), else none (the
 * RFC 2069 form without nc, and without cnonce unless a -sess A1 needs
 * one).
 */
static enum http_err
build_digest(struct answer_state *st, const struct answer_creds *cr,
	     const char *method, const char *uri, const void *body,
	     size_t body_len, struct http_buf *out, struct answer_trace *trace)
{
	struct digest_input in;
	struct digest_trace dt;
	char cnonce[DIGEST_MAX_FIELD] = "";
	char uname[DIGEST_HEX_MAX + 1];
	char resp[DIGEST_HEX_MAX + 1];
	const char *username = cr->user;
	enum http_err e;

	memset(&in, 0, sizeof(in));
	in.alg = st->alg;
	if (st->qop_offered & DIGEST_QOP_AUTH)
		in.qop = DIGEST_QOP_AUTH;
	else if (st->qop_offered & DIGEST_QOP_AUTH_INT)
		in.qop = DIGEST_QOP_AUTH_INT;
	else
		in.qop = DIGEST_QOP_NONE;
	/* A -sess A1 needs a cnonce even without qop. */
	if (in.qop != DIGEST_QOP_NONE || digest_alg_is_sess(in.alg)) {
		e = digest_cnonce(cnonce, sizeof(cnonce));
		if (e != HTTP_OK)
			return e;
		in.cnonce = cnonce;
	}
	if (in.qop != DIGEST_QOP_NONE) {
		if (st->nc == UINT32_MAX)
			return HTTP_E_DIGEST_NC;
		in.nc = st->nc + 1;
	}
	in.user = cr->user;
	in.realm = st->realm;
	in.password = cr->pass ? cr->pass : "";
	in.nonce = st->nonce;
	in.method = method;
	in.uri = uri;
	in.body = body;
	in.body_len = body_len;
	e = digest_compute(&in, &dt, resp);
	if (e != HTTP_OK)
		goto done;
	/* RFC 7616 §3.4.4: userhash=true sends H(user:realm) instead. */
	if (st->userhash) {
		e = digest_userhash(in.alg, cr->user, st->realm, uname);
		if (e != HTTP_OK)
			goto done;
		username = uname;
	}
	if (!write_digest(out, st, &in, username, resp)) {
		e = HTTP_E_NOSPACE;
		goto done;
	}
	if (in.qop != DIGEST_QOP_NONE)
		st->nc = in.nc;
	if (trace) {
		trace->digest = dt;
		snprintf(trace->cnonce, sizeof(trace->cnonce), "%s", cnonce);
		trace->nc = in.nc;
	}
done:
	OPENSSL_cleanse(&dt, sizeof(dt));
	return e;
}

/*
 * Append the credentials value for one request to out.  Basic and
 * Bearer need no state; Digest advances nc and makes a fresh cnonce.
 */
enum http_err answer_build(struct answer_state *st,
			   const struct answer_creds *cr, const char *method,
			   const char *uri, const void *body, size_t body_len,
			   struct http_buf *out, struct answer_trace *trace)
{
	if (trace) {
		/* keep trace->why from answer_choose() */
		trace->scheme = st->scheme;
		memset(&trace->digest, 0, sizeof(trace->digest));
		trace->cnonce[0] = '\0';
		trace->nc = 0;
	}
	if (cr->user == NULL || !st->have_challenge)
		return HTTP_E_AUTH_MISSING;
	switch (st->scheme) {
	case AUTH_SCHEME_BASIC:
		return basic_encode(out, cr->user, cr->pass ? cr->pass : "");
	case AUTH_SCHEME_BEARER:
		return bearer_encode(out, cr->token != NULL  ? cr->token
					  : cr->pass != NULL ? cr->pass
							     : "")
			   ? HTTP_OK
			   : HTTP_E_BEARER_TOKEN;
	case AUTH_SCHEME_DIGEST:
		return build_digest(st, cr, method, uri, body, body_len, out,
				    trace);
	default:
		return HTTP_E_AUTH_SCHEME;
	}
}

/* ---- Authentication-Info ---- */

/*
 * Authentication-Info (RFC 9110 §11.6.3) is a bare #auth-param list
 * (auth_parse_params).  A nextnonce (RFC 7616 §3.5) replaces the nonce
 * and restarts nc.
 */
void answer_info(struct answer_state *st, const char *info, size_t len)
{
	char next[DIGEST_MAX_FIELD];
	struct auth_challenge c;

	if (info == NULL || len == 0 || len > ANSWER_MAX_INFO)
		return;
	if (auth_parse_params(info, len, &c) != HTTP_OK)
		return;
	if (auth_get(&c, "nextnonce", next, sizeof(next)) != HTTP_OK ||
	    next[0] == '\0')
		return;
	if (strcmp(next, st->nonce) != 0) {
		snprintf(st->nonce, sizeof(st->nonce), "%s", next);
		st->nc = 0;
	}
}

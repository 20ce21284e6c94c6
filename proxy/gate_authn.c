/*
 * proxy/gate_authn.c - step 2 of the proxy's decision: "who are you?"
 *
 * For the schemes that authenticate each request (Basic, Digest,
 * Bearer), http/guard.c reads Proxy-Authorization and gives a verdict;
 * this file turns a refusal into the proxy's answer:
 *
 *   - credentials that do not parse: 400, naming the fault (lesson 03);
 *   - missing, wrong scheme, wrong password, stale or replayed nonce: 407
 *     with one Proxy-Authenticate per offered scheme (RFC 9110 §15.5.8,
 *     §11.7.1; lessons 02 and 04).
 *
 * NTLM and Negotiate authenticate the connection instead: proxy/gate_conn.c,
 * which answers through the same two functions.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate_authn.h"

#include <stdio.h>
#include <string.h>

#include "../http/auth.h"
#include "../http/basic.h"
#include "../http/text.h"
#include "gate_respond.h"

#define PROXY_MAX_OFFER 64 /* "Digest, Basic, Bearer" */

/* ---- Authenticating ---- */

/*
 * The request-target guard_check() holds a Digest uri against.  RFC 7616
 * §3.4.6 wants the uri to name the request's resource, and notes that
 * proxies change the request-target in transit; curl and others put only
 * the path ("/echo") in the uri of a request sent to a proxy in
 * absolute-form ("http://host:port/echo").  When the uri is exactly this
 * URL's path, check against a copy of the request whose target is that
 * path: still the same resource, and the response hash still covers the
 * uri the client used.  Anything else is left as sent.
 */
static const struct http_request *digest_target(const struct facts *f,
						struct http_request *copy)
{
	const struct http_request *req = f->req;
	const struct http_url *u = &f->url;
	const struct http_header *h = f->proxy_authorization.first;
	struct auth_challenge c;
	char uri[HTTP_MAX_TARGET_BYTES + 1];

	if (h == NULL ||
	    f->proxy_authorization.first_scheme != AUTH_SCHEME_DIGEST ||
	    u->path_len == 0 ||
	    auth_parse_credentials(h->value, h->value_len, &c) != HTTP_OK ||
	    c.kind != AUTH_SCHEME_DIGEST ||
	    auth_get(&c, "uri", uri, sizeof(uri)) != HTTP_OK)
		return req;
	if (strlen(uri) != u->path_len ||
	    memcmp(uri, u->path, u->path_len) != 0)
		return req;
	*copy = *req;
	copy->target = u->path;
	copy->target_len = u->path_len;
	return copy;
}

/* Step 2 for Basic, Digest and Bearer; see authn.h. */
bool proxy_authn_request(const struct proxy_config *cfg, struct proxy_state *st,
			 const struct facts *f, const void *body,
			 size_t body_len, uint64_t now,
			 struct proxy_decision *d)
{
	const struct http_request *checked = f->req;
	struct http_request as_path; /* req with a path target (Digest) */
	struct guard_result r;

	/* CONNECT's authority-form target is the Digest uri as sent. */
	if (!http_request_method_is(f->req, "CONNECT"))
		checked = digest_target(f, &as_path);
	guard_check(&cfg->guard, &st->guard, checked, body, body_len, now, &r);
	d->auth_verdict = (int)r.verdict;
	if (r.verdict == GUARD_MALFORMED) {
		proxy_authn_refuse(f, &r, d);
		return false;
	}
	if (r.verdict != GUARD_OK) {
		proxy_authn_challenge(cfg, st, f, &r, now, d);
		return false;
	}
	text_set(d->user, sizeof(d->user), r.user);
	text_set(d->info_header, sizeof(d->info_header), r.info);
	d->scheme = auth_scheme_name(r.scheme);
	return true;
}

/* ---- Refusing unreadable credentials ---- */

/*
 * Lesson 03: unreadable credentials are a 400, not a 407.  RFC 9110
 * §15.5.1: Proxy-Authorization that does not parse.  This is lab407's
 * design choice, so that the answer names the fault: RFC 9110 §11.4 says
 * a proxy SHOULD answer invalid proxy credentials with a 407, and Squid
 * and lessons/examples/min407.py do.
 */
void proxy_authn_refuse(const struct facts *f, const struct guard_result *r,
			struct proxy_decision *d)
{
	const struct http_header *h = f->proxy_authorization.first;
	char what[GUARD_MAX_REASON + 128];
	int n;
	/* The field is named here, so the guard's sentence goes without its
	 * leading "Proxy-Authorization: " (r->detail): said once. */
	const char *why =
	    r->reason[0] ? r->reason + r->detail : http_strerror(r->err);

	n = snprintf(what, sizeof(what), "Proxy-Authorization malformed: %s",
		     why);
	if (r->field[0] != '\0' && n > 0 && (size_t)n < sizeof(what))
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      " (field at fault: %s)", r->field);
	/* "Basic" followed by bytes outside the base64 alphabet: the auth
	 * grammar already refuses them (not a token68), but what a student
	 * broke is the base64, so the 400 says so too -- once: a guard that
	 * found bad base64 said so. */
	if (r->err != HTTP_E_BASE64 && h != NULL &&
	    basic_value_not_base64(h->value, h->value_len) && n > 0 &&
	    (size_t)n < sizeof(what))
		snprintf(what + n, sizeof(what) - (size_t)n,
			 "; the Basic credentials are not valid base64 "
			 "(RFC 7617 §2, RFC 4648 §4)");
	proxy_respond_400(d, f, "03", what);
}

/* ---- Challenging ---- */

/*
 * Fast path for the commonest 407, a request with no credentials at all
 * to a proxy that offers no Digest (so no nonce in the challenge): the
 * answer then depends only on what is offered (schemes, realm) and on
 * whether the connection closes and the method is HEAD.  Each thread
 * keeps the four finished answers and copies one, instead of building
 * the challenge fields, the body and the head afresh: callgrind over
 * 2,000 such requests through bin/proxy, 50,400 -> 29,900 instructions a
 * request.  Per thread, so no lock; each entry remembers what it was
 * built from, so a different configuration builds its own.
 */
#define PROXY_QUICK_407_MAX 2048 /* a longer answer is not kept */

struct quick_407 {
	bool valid;
	bool proxy; /* the key: */
	size_t num_schemes;
	enum auth_scheme schemes[GUARD_MAX_SCHEMES];
	char realm[GUARD_MAX_REALM];
	char out[PROXY_QUICK_407_MAX]; /* the answer: */
	size_t len;
	char why[PROXY_MAX_WHY];
};

static _Thread_local struct quick_407 quick_407s[2][2]; /* [close][HEAD] */

/* True when the client put credentials in Authorization, which is for the
 * origin, and sent no Proxy-Authorization (lesson 06). */
static bool creds_in_wrong_field(const struct facts *f)
{
	return f->proxy_authorization.count == 0 && f->authorization.count != 0;
}

/*
 * The cache entry for this 407, or NULL when it is not the fast path's
 * case: credentials missing (and none in the wrong field), and nothing
 * offered carries a nonce (no Digest).
 */
static struct quick_407 *quick_407_slot(const struct proxy_config *cfg,
					const struct facts *f,
					const struct guard_result *r)
{
	if (r->verdict != GUARD_MISSING ||
	    guard_offers(&cfg->guard, AUTH_SCHEME_DIGEST) ||
	    creds_in_wrong_field(f))
		return NULL;
	return &quick_407s[proxy_respond_closes(f)]
			  [http_request_method_is(f->req, "HEAD")];
}

/* The entry q was built for the configuration g. */
static bool quick_407_matches(const struct quick_407 *q,
			      const struct guard_config *g)
{
	return q->valid && q->proxy == g->proxy &&
	       q->num_schemes == g->num_schemes &&
	       memcmp(q->schemes, g->schemes,
		      g->num_schemes * sizeof(g->schemes[0])) == 0 &&
	       strcmp(q->realm, g->realm) == 0;
}

/* Answer f with the finished 407 of entry q. */
static void quick_407_copy(const struct quick_407 *q, const struct facts *f,
			   struct proxy_decision *d)
{
	d->lesson = "02";
	snprintf(d->why, sizeof(d->why), "%s", q->why);
	d->close = proxy_respond_closes(f);
	d->action = PROXY_RESPOND;
	d->status = 407;
	http_buf_reset(&d->out);
	http_buf_append(&d->out, q->out, q->len);
}

/* Remember the answer proxy_authn_challenge() just wrote into d. */
static void quick_407_keep(struct quick_407 *q, const struct guard_config *g,
			   const struct proxy_decision *d)
{
	q->valid = false;
	if (d->status != 407 || d->out.failed || d->out.len >= sizeof(q->out) ||
	    g->num_schemes > GUARD_MAX_SCHEMES)
		return;
	q->proxy = g->proxy;
	q->num_schemes = g->num_schemes;
	memcpy(q->schemes, g->schemes, g->num_schemes * sizeof(g->schemes[0]));
	snprintf(q->realm, sizeof(q->realm), "%s", g->realm);
	memcpy(q->out, d->out.data, d->out.len);
	q->len = d->out.len;
	snprintf(q->why, sizeof(q->why), "%s", d->why);
	q->valid = true;
}

/*
 * Lesson 02: the 407 and its challenges; Lesson 04: stale=true, replays.
 * Which case refusal r is, in words, into what[0..cap) (for d->why) and
 * d->lesson.  Returns what the body says instead when that differs: every
 * kind of bad credentials reads the same there, so no one can list the
 * users; the real reason stays in d->why (-v, the log, the REPL).
 */
static const char *describe_refusal(const struct facts *f,
				    const struct guard_result *r, char *what,
				    size_t cap, struct proxy_decision *d)
{
	const char *scheme = auth_scheme_name(r->scheme);

	d->lesson = "02";
	switch (r->verdict) {
	case GUARD_MISSING:
		if (creds_in_wrong_field(f)) {
			snprintf(what, cap,
				 "Proxy-Authorization missing (credentials "
				 "were sent in Authorization, which is for the "
				 "origin, not the proxy)");
			d->lesson = "06";
		} else {
			snprintf(what, cap, "Proxy-Authorization missing");
		}
		return what;
	case GUARD_WRONG_SCHEME:
		snprintf(what, cap,
			 "wrong scheme: Proxy-Authorization uses a scheme "
			 "this proxy did not offer");
		return what;
	case GUARD_STALE:
		snprintf(what, cap,
			 "stale Digest nonce for %s (the password was right, "
			 "%s)",
			 r->user[0] ? r->user : "the user",
			 r->field[0] != '\0' && strcmp(r->field, "nc") == 0
			     ? "but the nonce is no longer tracked"
			     : "the nonce expired");
		d->lesson = "04";
		return what;
	case GUARD_REPLAY:
		snprintf(what, cap, "Digest nonce count replayed%s%s",
			 r->user[0] ? " by " : "", r->user);
		d->lesson = "04";
		return what;
	default:
		snprintf(what, cap, "bad credentials%s%s%s%s: %s",
			 r->user[0] ? " for " : "", r->user,
			 scheme ? " with " : "", scheme ? scheme : "",
			 r->err == HTTP_E_BAD_USER ? "unknown user"
			 : r->reason[0]		   ? r->reason
						   : http_strerror(r->err));
		return "the credentials were not accepted";
	}
}

/*
 * The 407 itself: one challenge per offered scheme, stale=true after a
 * stale Digest nonce so the client retries silently (RFC 7616 §3.3),
 * error="invalid_token" after a bad Bearer token (RFC 6750 §3.1); `what`
 * for d->why, `said` for the body.
 */
static void write_407(const struct proxy_config *cfg, struct proxy_state *st,
		      const struct facts *f, const struct guard_result *r,
		      uint64_t now, const char *what, const char *said,
		      struct proxy_decision *d)
{
	struct http_buf h, body;
	char offer[PROXY_MAX_OFFER];
	bool stale = r->verdict == GUARD_STALE;
	const char *bearer_error =
	    r->verdict == GUARD_BAD && r->scheme == AUTH_SCHEME_BEARER
		? "invalid_token"
		: NULL;

	guard_offered(&cfg->guard, offer, sizeof(offer));
	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	if (!guard_challenge_write(&cfg->guard, &st->guard, now, stale,
				   bearer_error, &h))
		h.failed = true;
	http_buf_printf(&body,
			"407 Proxy Authentication Required\n"
			"proxy: %s.\n"
			"This proxy wants credentials in Proxy-Authorization "
			"before it forwards anything.\n"
			"Offered: %s\n",
			said, offer);
	proxy_decision_why(d, "proxy: %s -> 407%s, offering %s", what,
			   stale ? " with stale=true" : "", offer);
	if (h.failed) {
		/* Only on an internal failure: no challenge to send. */
		http_buf_free(&h);
		http_buf_init(&h, 0);
		body.failed = true;
	}
	d->close = !f->keep_alive; /* RFC 9112 §9.3, http/persist.c */
	proxy_respond(d, f, 407, h.data, &body);
	http_buf_free(&h);
	http_buf_free(&body);
}

/*
 * 407 with a challenge per offered scheme (RFC 9110 §15.5.8, §11.7.1):
 * the commonest one copied when this thread has it finished, else said
 * in words and written (and kept, when it is the common one).
 */
void proxy_authn_challenge(const struct proxy_config *cfg,
			   struct proxy_state *st, const struct facts *f,
			   const struct guard_result *r, uint64_t now,
			   struct proxy_decision *d)
{
	struct quick_407 *q = quick_407_slot(cfg, f, r);
	char what[GUARD_MAX_REASON + GUARD_MAX_USER + 64];
	const char *said;

	if (q != NULL && quick_407_matches(q, &cfg->guard)) {
		quick_407_copy(q, f, d);
		return;
	}
	said = describe_refusal(f, r, what, sizeof(what), d);
	write_407(cfg, st, f, r, now, what, said, d);
	if (q != NULL)
		quick_407_keep(q, &cfg->guard, d);
}

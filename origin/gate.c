/*
 * origin/gate.c - the origin server's decision, as a pure function.
 *
 * origin_decide() answers one request in three steps, the same two-step
 * shape as the proxy (lesson 05):
 *
 *   1. Which resource?  The rules (origin/rules.c) cover the path, or it
 *      does not exist: 404.
 *   2. Who are you?  http/guard.c reads Authorization.  Unparsable
 *      credentials: 400.  For a protected path, missing or wrong ones:
 *      401 with one WWW-Authenticate per offered scheme (RFC 9110
 *      §15.5.2, §11.6.1).
 *   3. May you?  The rule for the path.  No: 403 with no challenge: the
 *      origin knows who the user is, so it asks for nothing; the same
 *      credentials will not change the answer, other ones might (RFC 9110
 *      §15.5.4).
 *
 * The 200 body names the method and path and echoes every header field
 * the origin received, so a student sees that the proxy consumed
 * Proxy-Authorization (RFC 9110 §11.7.2) while Authorization arrived.
 *
 * No sockets, no clock, no printing: origin/server.c and the REPL pass
 * the parsed request and the time, and send d->out.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../http/auth.h"
#include "../http/facts.h"
#include "../http/path.h"
#include "../http/status.h"

#define ORIGIN_SERVER_NAME "lab407-origin"
#define ORIGIN_LESSON "05"
#define ORIGIN_MAX_PATH 1024	  /* path shown in bodies and why lines */
#define ORIGIN_MAX_ECHO_BODY 8192 /* request body bytes echoed in a 200 */
#define ORIGIN_MAX_OFFER 64	  /* "Bearer, Digest, Basic" */
#define ORIGIN_MAX_WHO 256	  /* "alice or bob" */

/* ---- Set-up ---- */

/* Nonce secret and nonce counts for Digest (http/guard.c). */
enum http_err origin_state_init(struct origin_state *st,
				unsigned nonce_lifetime)
{
	return guard_state_init(&st->guard, nonce_lifetime);
}

/* An empty decision; origin_decision_free() releases d->out. */
void origin_decision_init(struct origin_decision *d)
{
	memset(d, 0, sizeof(*d));
	http_buf_init(&d->out, 0);
	d->lesson = ORIGIN_LESSON;
}

void origin_decision_free(struct origin_decision *d)
{
	http_buf_free(&d->out);
}

/* ---- Reading the request ---- */

/*
 * The path of the request-target, in its normal form (http/path.c), into
 * out (NUL-terminated, query kept).  Origin-form "/p?q" is the usual case;
 * absolute-form "http://h/p" must be accepted by a server too (RFC 9112
 * §3.2.2).  HTTP_E_TARGET for anything else (authority-form,
 * asterisk-form, garbage), or the reason the path was refused.  Every
 * later step reads out, never req->target: the origin decides on the path
 * it serves.
 */
static enum http_err request_path(const struct facts *f, char *out, size_t cap,
				  bool *rewritten)
{
	const char *p = f->req->target;
	size_t n = f->req->target_len, used;
	enum http_err e;

	if (f->target == FACTS_TARGET_ABSOLUTE) {
		p = f->url.path;
		n = f->url.path_len;
	} else if (f->target != FACTS_TARGET_ORIGIN) {
		return HTTP_E_TARGET;
	}
	if (n >= cap)
		return HTTP_E_TARGET_TOO_LONG;
	e = path_normalize(p, n, out, cap, &used);
	*rewritten = e == HTTP_OK && (used != n || memcmp(out, p, n) != 0);
	return e;
}

/* When the path was sent in another spelling, say so under the first
 * line of a body: what was sent, and that the normal form decided. */
static void say_normal_form(struct http_buf *out,
			    const struct http_request *req, bool rewritten)
{
	if (rewritten)
		http_buf_printf(out,
				"(sent as %.*s; decided and served in its "
				"normal form, docs/rules.md)\n",
				(int)req->target_len, req->target);
}

/* ---- Writing the response ---- */

/* Set d->why (truncated to ORIGIN_MAX_WHY if need be). */
static void set_why(struct origin_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_why(struct origin_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

/*
 * The header fields every response carries: Server, and Date (RFC 9110
 * §6.6.1: an origin with a clock sends one; the caller's `now` is it).
 */
static void common_headers(struct http_buf *h, uint64_t now)
{
	char date[64];
	time_t t = (time_t)now;
	struct tm tm;

	http_buf_puts(h, "Server: " ORIGIN_SERVER_NAME "\r\n");
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
		http_buf_printf(h, "Date: %s\r\n", date);
}

/*
 * Write status line, the extra fields in h and a text body into d->out.
 * For HEAD the body is left off but Content-Length kept (RFC 9110 §9.3.2).
 */
static void respond(struct origin_decision *d, int status,
		    const struct http_request *req, struct http_buf *h,
		    struct http_buf *body)
{
	d->status = status;
	http_buf_reset(&d->out);
	if (h->failed || body->failed ||
	    !http_write_text_response(&d->out, status, h->data, body->data,
				      body->len)) {
		/* Cannot happen with our limits; still answer something. */
		http_buf_reset(&d->out);
		http_write_text_response(&d->out, 500, NULL, "", 0);
		d->status = 500;
		return;
	}
	/* The body is what was appended last: drop exactly it, rather than
	 * search the head just written for its end. */
	if (http_request_method_is(req, "HEAD") && d->out.len >= body->len) {
		d->out.len -= body->len;
		d->out.data[d->out.len] = '\0';
	}
}

/* Echo the request: method and target, every field, and the body. */
static void echo_request(struct http_buf *b, const struct facts *f,
			 const char *body, size_t body_len)
{
	const struct http_request *req = f->req;
	size_t n =
	    body_len < ORIGIN_MAX_ECHO_BODY ? body_len : ORIGIN_MAX_ECHO_BODY;

	http_buf_printf(b, "request line: %.*s %.*s HTTP/1.%d\n",
			(int)req->method_len, req->method, (int)req->target_len,
			req->target, req->minor_version);
	http_buf_puts(b, "received headers:\n");
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *fl = &req->headers[i];

		http_buf_printf(b, "%.*s: %.*s\n", (int)fl->name_len, fl->name,
				(int)fl->value_len, fl->value);
	}
	if (f->proxy_authorization.count == 0)
		http_buf_puts(b, "(no Proxy-Authorization: a proxy consumes "
				 "its own credentials, RFC 9110 §11.7.2)\n");
	if (body_len == 0)
		return;
	http_buf_printf(b, "received body (%zu bytes%s):\n", body_len,
			n < body_len ? ", first part shown" : "");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)body[i];

		/* Show text as text; other control bytes as '.'. */
		if (c < 0x20 && c != '\n' && c != '\t')
			c = '.';
		http_buf_append(b, &c, 1);
	}
	if (body[n - 1] != '\n')
		http_buf_puts(b, "\n");
}

/* ---- Deciding ---- */

/* 400: credentials that do not parse (RFC 9110 §15.5.1). */
static void refuse_malformed(struct origin_decision *d,
			     const struct http_request *req,
			     const struct guard_result *r, const char *path,
			     uint64_t now)
{
	struct http_buf h, body;

	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	common_headers(&h, now);
	http_buf_printf(&body,
			"400 Bad Request\n"
			"origin: the Authorization field cannot be read: %s\n",
			r->reason[0] ? r->reason : http_strerror(r->err));
	if (r->field[0] != '\0')
		http_buf_printf(&body, "field at fault: %s\n", r->field);
	/* The reason itself, as the proxy's 400 gives it: which field and
	 * what is wrong with it, not only the error class. */
	set_why(d, "origin: %s: Authorization malformed (%s): %s -> 400", path,
		http_strerror(r->err), r->reason[0] ? r->reason : "-");
	respond(d, 400, req, &h, &body);
	http_buf_free(&h);
	http_buf_free(&body);
}

/*
 * 401 with a challenge per offered scheme (RFC 9110 §11.6.1).  A stale
 * Digest nonce gets stale=true so the client retries silently (RFC 7616
 * §3.3); a bad Bearer token gets error="invalid_token" (RFC 6750 §3.1).
 */
static void challenge(const struct origin_config *cfg, struct origin_state *st,
		      struct origin_decision *d, const struct http_request *req,
		      const struct guard_result *r, const char *path,
		      const char *who, uint64_t now)
{
	struct http_buf h, body;
	char offer[ORIGIN_MAX_OFFER];
	bool stale = r->verdict == GUARD_STALE;
	const char *bearer_error = NULL;
	const char *what, *said = NULL;

	if (r->verdict == GUARD_BAD && r->scheme == AUTH_SCHEME_BEARER)
		bearer_error = "invalid_token";
	guard_offered(&cfg->guard, offer, sizeof(offer));
	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	common_headers(&h, now);
	if (!guard_challenge_write(&cfg->guard, &st->guard, now, stale,
				   bearer_error, &h))
		h.failed = true;

	switch (r->verdict) {
	case GUARD_MISSING:
		what = "none given";
		break;
	case GUARD_STALE:
		what = "the Digest nonce is stale";
		break;
	default:
		what = r->reason[0] ? r->reason : http_strerror(r->err);
		/* The wire says only this, the same for an unknown user and
		 * a wrong password; the reason stays in d->why. */
		said = "the credentials were not accepted";
		break;
	}
	http_buf_printf(&body,
			"401 Unauthorized\n"
			"origin: %s needs an authenticated user (%s); %s.\n"
			"Send credentials in Authorization (not "
			"Proxy-Authorization: that one is for the proxy).\n"
			"Offered: %s\n",
			path, who, said ? said : what, offer);
	set_why(d,
		"origin: %s needs an authenticated user, %s -> 401%s, "
		"offering %s",
		path, what, stale ? " with stale=true" : "", offer);
	respond(d, 401, req, &h, &body);
	http_buf_free(&h);
	http_buf_free(&body);
}

/*
 * Authentication-Info after a successful Digest (RFC 7616 §3.5), written
 * once the response body is built: after qop=auth-int, rspauth covers
 * H(entity-body) of the response (guard_digest_info()), the body as it
 * goes out, which for HEAD is none.
 */
static void add_info(const struct origin_config *cfg,
		     const struct http_request *req, struct http_buf *h,
		     const struct guard_result *r, const struct http_buf *body)
{
	char info[sizeof(r->info)];
	bool head = http_request_method_is(req, "HEAD");

	if (r->verdict != GUARD_OK || r->info[0] == '\0')
		return;
	snprintf(info, sizeof(info), "%s", r->info);
	if (r->scheme == AUTH_SCHEME_DIGEST)
		guard_digest_info(&cfg->guard, req, r->user, r->info,
				  head ? "" : body->data, head ? 0 : body->len,
				  info, sizeof(info));
	http_write_header(h, guard_info_field(&cfg->guard), info, strlen(info));
}

/* The resource a request names, as the steps read it. */
struct resource {
	char path[ORIGIN_MAX_PATH]; /* normal form (http/path.c) */
	bool rewritten;		    /* it was sent in another spelling */
	char who[ORIGIN_MAX_WHO];   /* who may read it: "alice or bob" */
};

/*
 * Before anything else: a target we cannot read, or a path refused
 * (with the status of its error, http_err_status()), and a missing,
 * repeated or bad Host (400, RFC 9112 §3.2).  False when d holds that
 * answer; else res->path and res->rewritten are set.
 */
static bool read_target(const struct facts *f, struct resource *res,
			struct http_buf *h, struct origin_decision *d)
{
	struct http_buf out;
	enum http_err e;
	int status;

	res->rewritten = false;
	e = request_path(f, res->path, sizeof(res->path), &res->rewritten);
	if (e == HTTP_OK && f->host_err == HTTP_OK)
		return true;
	http_buf_init(&out, 0);
	if (e != HTTP_OK) {
		status = http_err_status(e);
		http_buf_printf(&out,
				"%d %s\norigin: the request-target is not a "
				"path this origin serves: %s\n",
				status, http_status_reason(status),
				http_strerror(e));
		set_why(d, "origin: request-target refused (%s) -> %d",
			http_strerror(e), status);
	} else {
		status = 400;
		e = f->host_err;
		http_buf_printf(&out, "400 Bad Request\norigin: %s\n",
				http_strerror(e));
		set_why(d, "origin: %s -> 400", http_strerror(e));
	}
	respond(d, status, f->req, h, &out);
	http_buf_free(&out);
	return false;
}

/* Step 1 found no rule for the path: 404. */
static void not_found(const struct facts *f, const struct resource *res,
		      struct http_buf *h, struct origin_decision *d)
{
	struct http_buf out;

	http_buf_init(&out, 0);
	http_buf_printf(&out, "404 Not Found\norigin: nothing at %s\n",
			res->path);
	set_why(d, "origin: no rule covers %s -> 404", res->path);
	respond(d, 404, f->req, h, &out);
	http_buf_free(&out);
}

/* Step 3 said no: 403 and no challenge (RFC 9110 §15.5.4). */
static void forbid(const struct origin_config *cfg, const struct facts *f,
		   const struct resource *res, const struct guard_result *r,
		   struct http_buf *h, struct origin_decision *d)
{
	const struct http_request *req = f->req;
	const char *scheme = auth_scheme_name(r->scheme);
	struct http_buf out;

	http_buf_init(&out, 0);
	http_buf_printf(&out,
			"403 Forbidden\n"
			"origin: %s is authenticated (%s), but %s is "
			"for %s.\n"
			"Other credentials were not asked for: there "
			"is no WWW-Authenticate in a 403.\n",
			d->user, scheme ? scheme : "?", res->path, res->who);
	say_normal_form(&out, req, res->rewritten);
	set_why(d,
		"origin: %s is authenticated but %s is for %s -> "
		"403, no challenge",
		d->user, res->path, res->who);
	add_info(cfg, req, h, r, &out);
	respond(d, 403, req, h, &out);
	http_buf_free(&out);
}

/* The why line of a 200: public or not, and who, if anyone, proved it. */
static void why_allowed(const struct rules_entry *rule,
			const struct resource *res,
			const struct guard_result *r, struct origin_decision *d)
{
	const char *scheme = auth_scheme_name(r->scheme);

	if (rule->access == RULES_PUBLIC && d->user[0] == '\0' &&
	    r->verdict != GUARD_MISSING)
		set_why(d,
			"origin: %s is public -> 200 (credentials not "
			"accepted: %s)",
			res->path,
			r->reason[0] ? r->reason : http_strerror(r->err));
	else if (rule->access == RULES_PUBLIC && d->user[0] == '\0')
		set_why(d, "origin: %s is public -> 200", res->path);
	else if (rule->access == RULES_PUBLIC)
		set_why(d,
			"origin: %s is public; %s authenticated with %s -> "
			"200",
			res->path, d->user, scheme ? scheme : "?");
	else
		set_why(d,
			"origin: %s is for %s; %s authenticated with %s -> "
			"200",
			res->path, res->who, d->user, scheme ? scheme : "?");
}

/* Allowed: 200 with the teaching echo. */
static void allow(const struct origin_config *cfg, const struct facts *f,
		  const struct rules_entry *rule, const struct resource *res,
		  const struct guard_result *r, const void *body,
		  size_t body_len, struct http_buf *h,
		  struct origin_decision *d)
{
	const struct http_request *req = f->req;
	const char *scheme = auth_scheme_name(r->scheme);
	struct http_buf out;

	http_buf_init(&out, 0);
	http_buf_printf(&out, "200 OK\norigin: %.*s %s\n", (int)req->method_len,
			req->method, res->path);
	say_normal_form(&out, req, res->rewritten);
	if (d->user[0] != '\0')
		http_buf_printf(&out, "authenticated as: %s (%s)\n", d->user,
				scheme ? scheme : "?");
	else if (r->verdict == GUARD_MISSING)
		http_buf_puts(&out, "authenticated as: nobody (no "
				    "credentials; this path is public)\n");
	else
		http_buf_puts(&out, "authenticated as: nobody (credentials "
				    "not accepted; this path is public)\n");
	http_buf_printf(&out, "who may read %s: %s\n", res->path, res->who);
	echo_request(&out, f, (const char *)body, body_len);
	why_allowed(rule, res, r, d);
	add_info(cfg, req, h, r, &out);
	respond(d, 200, req, h, &out);
	http_buf_free(&out);
}

/*
 * Lesson 05: the origin's public / 401 / 403 / 200.  Answer one request;
 * see the top of the file for the steps.  d must have been set up with
 * origin_decision_init(); d->out holds the whole response.
 */
void origin_decide(const struct origin_config *cfg, struct origin_state *st,
		   const struct http_request *req, const void *body,
		   size_t body_len, uint64_t now, struct origin_decision *d)
{
	const struct rules *rules = cfg->rules ? cfg->rules : rules_default();
	const struct rules_entry *rule;
	struct guard_result r;
	struct resource res;
	struct http_buf h;
	struct facts f; /* req, read once (http/facts.c) */

	d->user[0] = '\0';
	d->lesson = ORIGIN_LESSON;
	http_buf_init(&h, 0);
	common_headers(&h, now);
	facts_read(req, &f);
	if (!read_target(&f, &res, &h, d))
		goto done;

	/* Step 1: which resource.  No rule covers it: 404. */
	rule = rules_match(rules, res.path, strlen(res.path));
	if (rule == NULL) {
		not_found(&f, &res, &h, d);
		goto done;
	}
	rules_describe(rule, res.who, sizeof(res.who));

	/* Step 2: who are you (RFC 9110 §11.6.2, Authorization). */
	guard_check(&cfg->guard, &st->guard, req, body, body_len, now, &r);
	if (r.verdict == GUARD_MALFORMED) {
		refuse_malformed(d, req, &r, res.path, now);
		goto done;
	}
	if (r.verdict == GUARD_OK)
		snprintf(d->user, sizeof(d->user), "%s", r.user);
	if (r.verdict != GUARD_OK && rule->access != RULES_PUBLIC) {
		challenge(cfg, st, d, req, &r, res.path, res.who, now);
		goto done;
	}

	/* Step 3: may you. */
	if (!rules_allows(rule, d->user))
		forbid(cfg, &f, &res, &r, &h, d);
	else
		allow(cfg, &f, rule, &res, &r, body, body_len, &h, d);
done:
	http_buf_free(&h);
}

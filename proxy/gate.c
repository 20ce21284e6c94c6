/*
 * proxy/gate.c - the forward proxy's decision, as a pure function.
 *
 * proxy_decide() looks at one parsed request and says what to do with it,
 * in four steps (docs/proxy-decision.dot draws them):
 *
 *   1. Reading: is this a request a proxy can serve?  A forward proxy is
 *      sent absolute-form "GET http://host:port/path HTTP/1.1" (RFC 9112
 *      §3.2.2) or, for a tunnel, authority-form "CONNECT host:port"
 *      (§3.2.3).  Anything else: 400, lessons 01 and 07.
 *   2. Authenticating, "who are you?": http/guard.c reads
 *      Proxy-Authorization (proxy/gate_authn.c; NTLM and Negotiate, which
 *      authenticate the connection, in proxy/gate_conn.c).  Unparsable: 400
 *      (lesson 03).  Missing, wrong scheme, wrong password, stale or
 *      replayed nonce: 407 with one Proxy-Authenticate per offered scheme
 *      (RFC 9110 §15.5.8, §11.7.1).
 *   3. Authorising, "may you?": proxy/acl.c.  No: 403 and no challenge:
 *      the proxy knows who the user is, so it asks for nothing; the same
 *      credentials will not change the answer, other ones might (RFC 9110
 *      §15.5.4), lesson 05.
 *   4. Forwarding: rewrite the head into origin-form, consume
 *      Proxy-Authorization (RFC 9110 §11.7.2), drop the hop-by-hop fields
 *      (§7.6.1), add Via (§7.6.3) (proxy/gate_relay.c); or, for CONNECT, open
 *      a tunnel.
 *
 * No sockets, no clock, no printing: bin/proxy (proxy/decide.c) and the
 * REPL pass the parsed request and the time, and act on the decision.
 * The decision's files are proxy/gate*.c; the answers the proxy writes
 * itself are in proxy/gate_respond.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../http/facts.h"
#include "../http/text.h"
#include "gate_authn.h"
#include "gate_conn.h"
#include "gate_relay.h"
#include "gate_respond.h"

#define PROXY_MAX_METHOD 64 /* bytes of a method we handle, incl. NUL */

/* ---- Set-up ---- */

/* Nonce secret and nonce counts for Digest (http/guard.c). */
enum http_err proxy_state_init(struct proxy_state *st, unsigned nonce_lifetime)
{
	return guard_state_init(&st->guard, nonce_lifetime);
}

/*
 * An empty decision; proxy_decision_free() releases d->out.  Fast path:
 * the fields before the strings are cleared, the 3 KB of strings only
 * emptied (each is written whole before it is read).  bin/proxy makes
 * one decision a request; clearing all of it was a 3 KB memset a
 * request, on memory that 1,000 busy connections keep out of the cache.
 */
void proxy_decision_init(struct proxy_decision *d)
{
	memset(d, 0, offsetof(struct proxy_decision, host));
	d->host[0] = '\0';
	d->user[0] = '\0';
	d->why[0] = '\0';
	d->info_header[0] = '\0';
	d->negotiate_reply[0] = '\0';
	http_buf_init(&d->out, 0);
	d->action = PROXY_RESPOND;
	d->lesson = "02";
	d->auth_verdict = -1;
}

/* Release d->out; the decision may be initialised again. */
void proxy_decision_free(struct proxy_decision *d)
{
	http_buf_free(&d->out);
}

/* Set d->why (truncated to PROXY_MAX_WHY if need be). */
void proxy_decision_why(struct proxy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

/* Public wrapper for the shell's own errors (502, 503, 504, 408, ...). */
bool proxy_write_own(struct http_buf *out, int status, bool close,
		     const char *body)
{
	return proxy_respond_write(out, status, close, false, NULL, body,
				   body ? strlen(body) : 0);
}

/* ---- Reading the request ---- */

/*
 * Lesson 01: a proxy needs absolute form; Lesson 07: CONNECT, host:port.
 * Where the request goes: CONNECT's authority-form, or the absolute-form
 * URL of anything else.  False after writing a 400 into d.
 */
static bool read_target(const struct facts *f, struct proxy_decision *d)
{
	const struct http_request *req = f->req;
	char what[300];

	if (req->method_len >= PROXY_MAX_METHOD) {
		proxy_respond_400(d, f, "01", "the method is too long");
		return false;
	}
	/* RFC 9112 §3.2: no Host in HTTP/1.1, two Hosts, or a bad one: 400.
	 * Its value is not used: the target names the host (§3.2.2). */
	if (f->host_err != HTTP_OK) {
		proxy_respond_400(d, f, "01", http_strerror(f->host_err));
		return false;
	}
	if (http_request_method_is(req, "CONNECT")) {
		/* RFC 9112 §3.2.3: CONNECT carries only "host:port". */
		if (f->target != FACTS_TARGET_AUTHORITY) {
			proxy_respond_400(d, f, "07",
					  "CONNECT needs authority-form "
					  "host:port (RFC 9112 §3.2.3)");
			return false;
		}
		return true;
	}
	if (f->target == FACTS_TARGET_ORIGIN) {
		proxy_respond_400(d, f, "01",
				  "origin-form target: a proxy needs "
				  "absolute-form (GET http://host:port/path), "
				  "RFC 9112 §3.2.2");
		return false;
	}
	if (f->target != FACTS_TARGET_ABSOLUTE) {
		snprintf(what, sizeof(what),
			 "the request-target is not an http:// URL the proxy "
			 "understands: %s",
			 http_strerror(HTTP_E_URL));
		proxy_respond_400(d, f, "01", what);
		return false;
	}
	if (strcmp(f->url.scheme, "http") != 0) {
		proxy_respond_400(d, f, "07",
				  "https:// URLs go through a CONNECT tunnel, "
				  "not as a plain request to the proxy");
		return false;
	}
	return true;
}

/* ---- Authenticating ---- */

/* Who step 2 found, for the ACL and the why lines of steps 3 and 4. */
struct who {
	const char *user;		/* d->user, or ACL_NO_USER (--auth
					   none) */
	char said[GUARD_MAX_USER + 64]; /* "alice authenticated (Basic)" */
};

/*
 * Step 2 (RFC 9110 §11.7.2, Proxy-Authorization): an open proxy asks
 * nobody; a connection that proved itself (NTLM, Negotiate) needs no
 * field; anything else is the request's own credentials.  False when d
 * holds the answer (407 or 400).
 */
static bool authenticate(const struct proxy_config *cfg, struct proxy_state *st,
			 struct proxy_conn *conn, const struct facts *f,
			 const void *body, size_t body_len, uint64_t now,
			 struct who *who, struct proxy_decision *d)
{
	if (cfg->guard.num_schemes == 0) {
		who->user = ACL_NO_USER;
		snprintf(who->said, sizeof(who->said),
			 "no authentication configured (--auth none)");
		return true;
	}
	switch (proxy_conn_authenticate(cfg, st, conn, f, now, d)) {
	case PROXY_CONN_ANSWERED:
		return false;
	case PROXY_CONN_PROVED:
		snprintf(who->said, sizeof(who->said),
			 "%s authenticated (%s, this connection)", d->user,
			 d->scheme ? d->scheme : "?");
		break;
	case PROXY_CONN_NOT_MINE:
	default:
		if (!proxy_authn_request(cfg, st, f, body, body_len, now, d))
			return false;
		TEXT_JOIN(who->said, sizeof(who->said), d->user,
			  " authenticated (", d->scheme ? d->scheme : "?", ")");
		break;
	}
	who->user = d->user;
	return true;
}

/* ---- Authorising ---- */

/* "[" and "]" around an IPv6 literal, so that "HOST:PORT" in a message
 * reads one way, as in a URL (RFC 3986 §3.2.2). */
static const char *v6_open(const char *host)
{
	return strchr(host, ':') != NULL ? "[" : "";
}
static const char *v6_close(const char *host)
{
	return strchr(host, ':') != NULL ? "]" : "";
}

/*
 * Lesson 05: authenticated but refused: 403 with no challenge.
 * 403: known user, refused by the ACL; no challenge (RFC 9110 §15.5.4).
 * `verdict` says which rule and, once resolved, which address.
 */
static void forbid(const char *method, bool head, const char *user,
		   const char *scheme, const char *host, unsigned port,
		   const char *verdict, struct proxy_decision *d)
{
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_printf(&body,
			"403 Forbidden\n"
			"proxy: %s%s%s%s may not %s %s%s%s:%u (ACL: %s).\n"
			"Other credentials were not asked for: this 403 "
			"carries no Proxy-Authenticate.\n",
			user, scheme ? " (authenticated with " : "",
			scheme ? scheme : "", scheme ? ")" : "", method,
			v6_open(host), host, v6_close(host), port, verdict);
	d->lesson = "05";
	proxy_decision_why(d,
			   "proxy: %s authenticated%s%s, but the ACL refuses "
			   "%s %s%s%s:%u (%s) -> 403, no challenge",
			   user, scheme ? " with " : "", scheme ? scheme : "",
			   method, v6_open(host), host, v6_close(host), port,
			   verdict);
	proxy_respond_as(d, head, 403, NULL, &body);
	http_buf_free(&body);
}

/*
 * Step 3 (proxy/acl.c; NULL ACL: everyone may).  Here only what needs no
 * address; rules on addresses, the proxy's own address and the final
 * word wait for the shell's proxy_decide_address(), on what it resolved.
 * False when d holds the 403.
 */
static bool authorise(const struct proxy_config *cfg, const struct facts *f,
		      const char *method, const struct who *who,
		      struct proxy_decision *d)
{
	struct acl_request ar;
	struct acl_verdict v;
	char verdict[HTTP_MAX_HOST + 512];

	ar.user = who->user;
	ar.method = method;
	ar.host = f->url.host;
	ar.port = f->url.port;
	ar.addrs = NULL;
	ar.naddrs = 0;
	acl_check(cfg->acl, cfg->policy, &ar, &v);
	if (v.allow)
		return true;
	acl_verdict_describe(&v, cfg->policy, &ar, verdict, sizeof(verdict));
	d->close = !f->keep_alive; /* RFC 9112 §9.3, http/persist.c */
	forbid(method, http_request_method_is(f->req, "HEAD"), who->user,
	       d->scheme, f->url.host, f->url.port, verdict, d);
	return false;
}

/*
 * Lesson 05: the ACL decides on the address that will be connected to.
 * Step 3b: the ACL on the resolved addresses; see gate.h.
 */
bool proxy_decide_address(const struct proxy_config *cfg, const char *method,
			  const struct sockaddr_storage *addrs, size_t n,
			  struct proxy_decision *d)
{
	struct acl_request ar;
	struct acl_verdict v;
	char verdict[HTTP_MAX_HOST + 512];
	const char *scheme = d->scheme;

	ar.user = d->user[0] != '\0' ? d->user : ACL_NO_USER;
	ar.method = method;
	ar.host = d->host;
	ar.port = d->port;
	ar.addrs = addrs;
	ar.naddrs = n;
	acl_check(cfg->acl, cfg->policy, &ar, &v);
	if (v.allow)
		return true;
	acl_verdict_describe(&v, cfg->policy, &ar, verdict, sizeof(verdict));
	/* The request body, if any, has not been read: close after. */
	d->close = true;
	forbid(method, strcmp(method, "HEAD") == 0, ar.user, scheme, d->host,
	       d->port, verdict, d);
	return false;
}

/* ---- Forwarding ---- */

/* "proxy: alice authenticated (Basic), ACL allows -> forwarding to h:80":
 * the why line of a request that goes on, built without printf since
 * every request that passes writes one (docs/performance.md). */
static void ok_why(struct proxy_decision *d, const struct who *who,
		   const char *what, const struct http_url *u)
{
	char digits[TEXT_UINT_MAX + 1];

	digits[TEXT_UINT_MAX] = '\0';
	TEXT_JOIN(d->why, sizeof(d->why), "proxy: ", who->said, ", ACL allows",
		  what, v6_open(u->host), u->host, v6_close(u->host), ":",
		  text_uint(digits, u->port));
}

/* Step 4a: CONNECT opens a tunnel (RFC 9110 §9.3.6). */
static void tunnel(const struct facts *f, const struct who *who,
		   struct proxy_decision *d)
{
	d->action = PROXY_TUNNEL;
	d->status = 200;
	d->lesson = "07";
	http_buf_reset(&d->out);
	http_buf_puts(&d->out, "HTTP/1.1 200 Connection established\r\n\r\n");
	ok_why(d, who, " -> tunnel to ", &f->url);
}

/*
 * Steps 4b and 4c: Max-Forwards 0 on OPTIONS or TRACE makes this proxy
 * the final recipient (RFC 9110 §7.6.2); anything else is forwarded,
 * its head rewritten (proxy/gate_relay.c).
 */
static void forward(const struct facts *f, const struct who *who,
		    struct proxy_decision *d)
{
	const struct http_request *req = f->req;
	long mf = -1;
	struct http_buf b;

	if (http_request_method_is(req, "OPTIONS") ||
	    http_request_method_is(req, "TRACE")) {
		mf = f->max_forwards;
		if (mf == 0) {
			proxy_respond_max_forwards(f, d);
			return;
		}
	}
	http_buf_reset(&d->out);
	if (!proxy_relay_request(f, mf, &d->out)) {
		http_buf_init(&b, 0);
		http_buf_puts(&b, "500 Internal Server Error\nproxy: the "
				  "request head could not be rewritten\n");
		d->close = true;
		proxy_decision_why(
		    d, "proxy: the head could not be rewritten -> 500");
		proxy_respond(d, f, 500, NULL, &b);
		http_buf_free(&b);
		return;
	}
	d->action = PROXY_FORWARD;
	d->status = 0;
	d->lesson = "01";
	ok_why(d, who, " -> forwarding to ", &f->url);
}

/* ---- Deciding ---- */

/*
 * Lesson 02: the whole 407 dance is decided here, step by step.  Decide
 * what to do with one request; see the top of the file for the steps.  d
 * must have been set up with proxy_decision_init().
 */
void proxy_decide(const struct proxy_config *cfg, struct proxy_state *st,
		  const struct http_request *req, const void *body,
		  size_t body_len, uint64_t now, struct proxy_decision *d)
{
	proxy_decide_conn(cfg, st, NULL, req, body, body_len, now, d);
}

/* Lesson 11: the same decision, remembering what the connection proved. */
void proxy_decide_conn(const struct proxy_config *cfg, struct proxy_state *st,
		       struct proxy_conn *conn, const struct http_request *req,
		       const void *body, size_t body_len, uint64_t now,
		       struct proxy_decision *d)
{
	struct facts facts; /* req, read once (http/facts.c) */
	struct who who;
	char method[PROXY_MAX_METHOD];

	d->user[0] = '\0';
	d->scheme = NULL;
	d->info_header[0] = '\0';
	d->negotiate_reply[0] = '\0';
	d->close = false;
	d->lesson = "02";

	/* Step 1: reading. */
	facts_read(req, &facts);
	if (!read_target(&facts, d))
		return;
	text_copy(method, sizeof(method), req->method, req->method_len);
	text_set(d->host, sizeof(d->host), facts.url.host);
	d->port = facts.url.port;

	/* Step 2: who are you. */
	if (!authenticate(cfg, st, conn, &facts, body, body_len, now, &who, d))
		return;

	/* Step 3: may you. */
	if (!authorise(cfg, &facts, method, &who, d))
		return;

	/* Step 4: a tunnel, or the request forwarded. */
	d->close = !facts.keep_alive; /* RFC 9112 §9.3, http/persist.c */
	if (http_request_method_is(req, "CONNECT"))
		tunnel(&facts, &who, d);
	else
		forward(&facts, &who, d);
}

/*
 * repl/release.c - releasing an outside client's held message, one leg at
 * a time (lesson 13); holding it is repl/intercept.c.
 *
 * Sections: Recording, Releasing (one function per leg).
 *
 * Releasing a message does what the built-in exchange's step does in
 * repl/lab_c2p.c and repl/lab_step.c: the proxy's pure proxy_decide() and the
 * ACL on the resolved addresses (proxy_decide_address()), the lab origin's
 * origin_decide() over a loopback connection the lab holds both ends of.
 * The proxy forwards and tunnels only to loopback addresses: the lab's
 * origin, or a server of the student's own on 127.0.0.1 or ::1.
 */
#define _GNU_SOURCE

#include "release.h"
#include "lab_state.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/message.h"
#include "../http/url.h"
#include "../net/net.h"
#include "../proxy/acl.h"
#include "breaker.h"
#include "breaker_held.h"
#include "lab_step.h"
#include "listen.h"
#include "show.h"
#include "wire.h"

/* ---- Recording ---- */

/* A new transcript message for c on leg, holding c->held; NULL when not
 * shown.  A full transcript starts again from [1]. */
static struct lab_msg *record(struct repl *r, struct icpt_conn *c,
			      enum lab_leg leg)
{
	struct lab_msg *m;
	enum http_err e = HTTP_OK;
	long hl;

	if (!c->shown)
		return NULL;
	if (r->lab->num_msgs >= LAB_MAX_MSGS) {
		listen_say(r,
			   "(the transcript holds %d messages: it starts "
			   "again from [1])\n",
			   LAB_MAX_MSGS);
		lab_clear(r->lab);
	}
	m = lab_record(r->lab, leg);
	if (m == NULL)
		return NULL;
	m->conn = c->num;
	http_buf_append(&m->bytes, c->held.data, c->held.len);
	lab_first_line(c->held.data, c->held.len, m->line, sizeof(m->line));
	if (m->is_request) {
		struct http_request req;
		hl = http_parse_request(c->held.data, c->held.len, &req, &e);
	} else {
		struct http_response resp;
		hl = http_parse_response(c->held.data, c->held.len, &resp, &e);
		if (hl > 0)
			m->status = resp.status;
	}
	m->head_len = hl > 0 ? (size_t)hl : c->held.len;
	if (c->broken[0] != '\0' && leg == LAB_C2P)
		snprintf(m->broken, sizeof(m->broken), "%s", c->broken);
	return m;
}

static void why(struct lab_msg *m, const char *lesson, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void why(struct lab_msg *m, const char *lesson, const char *fmt, ...)
{
	va_list ap;

	if (m == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	m->lesson = lesson;
}

/* ---- Releasing ---- */

/* 127/8 or ::1, an IPv4-mapped address read as IPv4: as the ACL reads
 * it (proxy/acl.c). */
static bool is_loopback(const struct sockaddr_storage *a)
{
	struct acl_addr x;

	return acl_addr_from_sockaddr((const struct sockaddr *)a, &x) &&
	       acl_addr_is_loopback(&x);
}

size_t release_reachable(const struct sockaddr_storage *addrs, size_t n,
			 bool any, struct sockaddr_storage *out, size_t cap)
{
	size_t i, kept = 0;

	for (i = 0; i < n && kept < cap; i++)
		if (any || is_loopback(&addrs[i]))
			out[kept++] = addrs[i];
	return kept;
}

/* Keep the checked addresses the lab may reach (`reach`); their count. */
static size_t keep_reachable(struct icpt_conn *c,
			     const struct sockaddr_storage *addrs, size_t n,
			     bool any)
{
	c->naddrs = release_reachable(addrs, n, any, c->addrs,
				      sizeof(c->addrs) / sizeof(c->addrs[0]));
	return c->naddrs;
}

static bool is_lab_origin(const struct lab *lab, const struct icpt_conn *c,
			  unsigned port)
{
	size_t i;

	if (port != lab->port[LAB_ORIGIN])
		return false;
	for (i = 0; i < c->naddrs; i++)
		if (c->addrs[i].ss_family == AF_INET &&
		    ntohl(((const struct sockaddr_in *)&c->addrs[i])
			      ->sin_addr.s_addr) == 0x7f000001u)
			return true;
	return false;
}

/* The proxy's own answer instead of the message: STATUS with a sentence
 * (502: the origin could not be reached; 403: the lab's fence). */
static void own_answer(struct icpt_conn *c, int status, const char *why_,
		       const char *host, unsigned port)
{
	char body[HTTP_MAX_HOST + 200];

	if (port == 0) /* host is already host:port */
		snprintf(body, sizeof(body), "%s %s.\n", why_, host);
	else
		snprintf(body, sizeof(body), "%s %s:%u.\n", why_, host, port);
	http_buf_reset(&c->held);
	proxy_write_own(&c->held, status, false, body);
	c->own = true;
	c->leg = LAB_P2C;
}

/* Add to m's reason (if it is recorded). */
static void why_more(struct lab_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void why_more(struct lab_msg *m, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (m == NULL)
		return;
	used = strlen(m->why);
	va_start(ap, fmt);
	vsnprintf(m->why + used, sizeof(m->why) - used, fmt, ap);
	va_end(ap);
}

/* What the user broke in the held request, and `break stale`, before
 * the proxy reads it. */
static void c2p_breaks(struct lab *lab, struct icpt_conn *c)
{
	if (c->shown) {
		char note[LAB_MAX_BROKEN] = "";
		breaker_held_apply(lab, &c->held, note, sizeof(note));
		if (note[0] != '\0')
			snprintf(c->broken, sizeof(c->broken), "%s", note);
		breaker_remember(lab, &c->held);
	}
	if (lab->stale_now) { /* `break stale`: as in lab_step's proxy leg */
		lab->clock_skew += DIGEST_NONCE_LIFETIME + 1;
		lab->stale_now = false;
	}
}

/* A decision to forward or tunnel: resolve its host into addrs and let
 * the proxy judge the addresses; their count (0 when it does not
 * resolve). */
static size_t c2p_resolve(struct lab *lab, struct icpt_conn *c,
			  struct proxy_decision *d,
			  struct sockaddr_storage *addrs)
{
	char rerr[300];
	enum net_fail nf;
	size_t naddrs;

	if (d->action != PROXY_FORWARD && d->action != PROXY_TUNNEL)
		return 0;
	naddrs = net_resolve(d->host, d->port, addrs, NET_MAX_RESOLVED, &nf,
			     rerr, sizeof(rerr));
	if (naddrs > 0)
		proxy_decide_address(&lab->pcfg, c->method, addrs, naddrs, d);
	else
		c->naddrs = 0;
	return naddrs;
}

/* PROXY_FORWARD: the rewritten head, then the body (from hl on) as the
 * client sent it, goes on to the origin. */
static void c2p_forward(struct lab *lab, struct icpt_conn *c,
			const struct proxy_decision *d, size_t hl)
{
	struct http_buf next;

	c->lab_origin = is_lab_origin(lab, c, d->port);
	http_buf_init(&next, LAB_MAX_MESSAGE);
	http_buf_append(&next, d->out.data, d->out.len);
	http_buf_append(&next, c->held.data + hl, c->held.len - hl);
	http_buf_free(&c->held);
	c->held = next;
	snprintf(c->info, sizeof(c->info), "%s", d->info_header);
	c->own = false;
	c->leg = LAB_P2O;
}

/* PROXY_TUNNEL: connect to the checked addresses; 200 and a tunnel, or
 * the proxy's own 502. */
static void c2p_tunnel(struct lab *lab, struct icpt_conn *c,
		       const struct proxy_decision *d, struct lab_msg *m)
{
	enum net_fail nf;
	char cerr[300];

	wire_close(&c->up);
	c->up =
	    net_connect_addr(c->addrs, c->naddrs, d->host, LAB_IO_TIMEOUT_MS,
			     NULL, &nf, cerr, sizeof(cerr));
	if (c->up < 0) {
		own_answer(c, 502, "The proxy could not connect to", d->host,
			   d->port);
		why_more(m, "; but connecting failed (%s) -> 502", cerr);
		return;
	}
	/* the lab's origin: the lab holds its end too, and serves it while
	 * relaying (repl/listen.c) */
	wire_close(&c->srv);
	if (is_lab_origin(lab, c, d->port))
		c->srv = accept(lab->listen_fd[LAB_ORIGIN], NULL, NULL);
	if (c->srv >= 0)
		net_set_timeouts(c->srv, LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
	http_buf_reset(&c->held);
	http_buf_append(&c->held, d->out.data, d->out.len);
	c->tunnel_after = true;
	why_more(m, "; connected to it, so it answers 200 and from then on "
		    "only copies bytes both ways");
}

/* Leg 1: the outside client's request reaches the proxy, which decides. */
static bool release_c2p(struct repl *r, struct icpt_conn *c, char *err,
			size_t err_cap)
{
	struct lab *lab = r->lab;
	struct http_request req;
	struct proxy_decision d;
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	size_t naddrs, hl;
	enum http_err e = HTTP_OK;
	struct lab_msg *m;
	long n;

	c2p_breaks(lab, c);
	m = record(r, c, LAB_C2P);
	c->broken[0] = '\0';
	n = http_parse_request(c->held.data, c->held.len, &req, &e);
	if (n <= 0) {
		snprintf(err, err_cap,
			 "#%d: the held request no longer parses: %s", c->num,
			 http_strerror(e));
		return false;
	}
	hl = (size_t)n;
	snprintf(c->method, sizeof(c->method), "%.*s", (int)req.method_len,
		 req.method);
	proxy_decision_init(&d);
	proxy_decide(&lab->pcfg, lab->pst, &req, c->held.data + hl,
		     c->held.len - hl, lab_proxy_now(lab), &d);
	naddrs = c2p_resolve(lab, c, &d, addrs);
	why(m, d.lesson, "%s", d.why);
	c->close_after = d.close;
	c->tunnel_after = false;
	c->own = true;
	c->leg = LAB_P2C;
	snprintf(c->target, sizeof(c->target), "%s:%u", d.host, d.port);
	if ((d.action == PROXY_FORWARD || d.action == PROXY_TUNNEL) &&
	    (naddrs == 0 ||
	     keep_reachable(c, addrs, naddrs, r->icpt->reach_any) == 0)) {
		/* A refusal by policy (RFC 9110 §15.5.4), not 502: no
		 * inbound server was asked (§15.6.3). */
		own_answer(c, 403,
			   "403 Forbidden\nThe lab's proxy forwards only to "
			   "loopback servers (its origin, or your own on "
			   "127.0.0.1; `reach any` lifts this), not",
			   d.host, d.port);
		why_more(m, "; but the lab goes only to loopback -> 403");
	} else if (d.action == PROXY_FORWARD) {
		c2p_forward(lab, c, &d, hl);
	} else if (d.action == PROXY_TUNNEL) {
		c2p_tunnel(lab, c, &d, m);
	} else {
		http_buf_reset(&c->held);
		http_buf_append(&c->held, d.out.data, d.out.len);
	}
	proxy_decision_free(&d);
	return true;
}

/* Read one framed response from fd into b (bounded, LAB_IO_TIMEOUT_MS). */
static bool read_response(int fd, const char *method, struct http_buf *b,
			  char *err, size_t err_cap)
{
	struct http_response resp;
	struct http_body_info info;
	enum http_err e = HTTP_OK;
	long hl = net_read_head(fd, b, NULL, &resp, &e);

	if (hl <= 0) {
		snprintf(err, err_cap, "no response: %s",
			 hl == 0 ? "the server closed the connection"
				 : http_strerror(e));
		return false;
	}
	e = http_response_framing(&resp, method, strlen(method), &info);
	if (e != HTTP_OK || net_read_body(fd, b, (size_t)hl, &info,
					  LAB_MAX_MESSAGE / 2, NULL, &e) < 0) {
		snprintf(err, err_cap, "bad response body: %s",
			 http_strerror(e));
		return false;
	}
	return true;
}

/* Leg 2 to the lab's origin: both ends are the lab's, as in the built-in
 * exchange, and origin_decide() answers.  *moved when the answer is in
 * c->held. */
static bool p2o_lab_origin(struct lab *lab, struct icpt_conn *c,
			   struct lab_msg *m, bool *moved, char *err,
			   size_t err_cap)
{
	int ends[2] = {-1, -1};
	struct http_request req;
	struct origin_decision d;
	struct http_buf got;
	enum http_err e = HTTP_OK;
	bool ok = false;
	long hl;

	http_buf_init(&got, LAB_MAX_MESSAGE);
	if (!wire_pair(lab, LAB_ORIGIN, ends, err, err_cap))
		goto out;
	if (!wire_carry(ends[0], ends[1], &c->held, &got, err, err_cap)) {
		wire_close(&ends[0]);
		wire_close(&ends[1]);
		goto out;
	}
	hl = http_parse_request(got.data, got.len, &req, &e);
	origin_decision_init(&d);
	if (hl > 0) {
		origin_decide(&lab->ocfg, lab->ost, &req, got.data + hl,
			      got.len - (size_t)hl, lab_origin_now(lab), &d);
		why(m, d.lesson, "%s", d.why);
	}
	http_buf_reset(&c->held);
	ok = hl > 0 &&
	     wire_carry(ends[1], ends[0], &d.out, &c->held, err, err_cap);
	if (hl <= 0)
		snprintf(err, err_cap,
			 "the forwarded request does not "
			 "parse");
	origin_decision_free(&d);
	wire_close(&ends[0]);
	wire_close(&ends[1]);
	*moved = true;
out:
	http_buf_free(&got);
	return ok;
}

/* Leg 2 to a server of the student's own on loopback: sent as it is,
 * its answer read back; when it cannot be reached, the proxy's 502, which
 * stays on this leg.  *moved when its answer is in c->held. */
static bool p2o_own_origin(struct icpt_conn *c, struct lab_msg *m, bool *moved,
			   char *err, size_t err_cap)
{
	enum net_fail nf;
	char cerr[300];
	bool ok;
	int fd =
	    net_connect_addr(c->addrs, c->naddrs, c->target, LAB_IO_TIMEOUT_MS,
			     NULL, &nf, cerr, sizeof(cerr));

	if (fd < 0) {
		why(m, NULL, "proxy: cannot connect to %s (%s) -> 502",
		    c->target, cerr);
		own_answer(c, 502, "The proxy could not connect to", c->target,
			   0);
		c->close_after = true;
		return true;
	}
	net_set_timeouts(fd, LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
	why(m, NULL,
	    "sent to your own origin %s; what it checks is its own "
	    "business (the lab sees only its answer)",
	    c->target);
	ok = net_write_all(fd, c->held.data, c->held.len) >= 0;
	http_buf_reset(&c->held);
	if (ok)
		ok = read_response(fd, c->method, &c->held, err, err_cap);
	else
		snprintf(err, err_cap, "write to %s failed", c->target);
	close(fd);
	*moved = true;
	return ok;
}

/* Leg 2: the forwarded request reaches the origin, which answers. */
static bool release_p2o(struct repl *r, struct icpt_conn *c, char *err,
			size_t err_cap)
{
	struct lab_msg *m = record(r, c, LAB_P2O);
	bool moved = false;
	bool ok = c->lab_origin
		      ? p2o_lab_origin(r->lab, c, m, &moved, err, err_cap)
		      : p2o_own_origin(c, m, &moved, err, err_cap);

	if (moved)
		c->leg = LAB_O2P;
	return ok;
}

/* Leg 3: the origin's answer reaches the proxy, which relays it. */
static bool release_o2p(struct repl *r, struct icpt_conn *c, char *err,
			size_t err_cap)
{
	struct lab_msg *m = record(r, c, LAB_O2P);
	struct http_response resp;
	struct http_buf out;
	enum http_err e = HTTP_OK;
	long hl = http_parse_response(c->held.data, c->held.len, &resp, &e);

	if (hl <= 0) {
		snprintf(err, err_cap,
			 "#%d: the origin's response does not parse", c->num);
		return false;
	}
	why(m, "06",
	    "proxy: the origin answered %d; relaying it to the client without "
	    "hop-by-hop fields, adding Via (RFC 9110 §7.6)",
	    resp.status);
	http_buf_init(&out, LAB_MAX_MESSAGE);
	if (!proxy_relay_head_ex(&resp, c->info, NULL, &out)) {
		http_buf_free(&out);
		snprintf(err, err_cap, "the proxy could not rewrite the head");
		return false;
	}
	http_buf_append(&out, c->held.data + hl, c->held.len - (size_t)hl);
	http_buf_free(&c->held);
	c->held = out;
	c->own = false;
	c->leg = LAB_P2C;
	return true;
}

/* Leg 4: the response goes back to the outside client. */
static bool release_p2c(struct repl *r, struct icpt_conn *c, char *err,
			size_t err_cap)
{
	struct lab *lab = r->lab;
	struct lab_msg *m = record(r, c, LAB_P2C);
	int status = 0;

	(void)err;
	(void)err_cap;
	{
		struct http_response resp;
		enum http_err e = HTTP_OK;
		if (http_parse_response(c->held.data, c->held.len, &resp, &e) >
		    0)
			status = resp.status;
	}
	if (m != NULL) {
		m->answered_by = c->own ? LAB_PROXY : LAB_ORIGIN;
		lab->final_status = status;
		lab->final_who = m->answered_by;
		why(m,
		    status == 407   ? "02"
		    : status == 401 ? "05"
				    : NULL,
		    "delivered to outside client #%d; what it sends next is "
		    "its "
		    "own choice (the lab does not drive it)",
		    c->num);
	}
	if (net_write_all(c->fd, c->held.data, c->held.len) < 0) {
		listen_say(r, "(#%d: the outside client is gone)\n", c->num);
		listen_drop(r->icpt, c);
		return true;
	}
	http_buf_reset(&c->held);
	if (c->tunnel_after && status / 100 == 2) {
		if (m != NULL)
			snprintf(m->why + strlen(m->why),
				 sizeof(m->why) - strlen(m->why),
				 "; the connection is now a tunnel to %s: the "
				 "proxy relays bytes and shows only what it "
				 "can read of them",
				 c->target);
		listen_start_tunnel(c);
		return true;
	}
	if (c->close_after) {
		listen_drop(r->icpt, c);
		return true;
	}
	c->st = ICPT_READING;
	listen_take_request(r, c);
	return true;
}

/* Release c's held message one leg; false with err on failure. */
bool release_one(struct repl *r, struct icpt_conn *c, char *err, size_t err_cap)
{
	switch (c->leg) {
	case LAB_C2P:
		return release_c2p(r, c, err, err_cap);
	case LAB_P2O:
		return release_p2o(r, c, err, err_cap);
	case LAB_O2P:
		return release_o2p(r, c, err, err_cap);
	case LAB_P2C:
		return release_p2c(r, c, err, err_cap);
	}
	return false;
}

/* Release every leg of c's exchange now (auto, or not held). */
void release_through(struct repl *r, struct icpt_conn *c)
{
	char err[512], line[LAB_MAX_LINE];
	int guard = 0;
	size_t before = r->lab->num_msgs;

	lab_first_line(c->held.data, c->held.len, line, sizeof(line));
	while (c->st == ICPT_HELD && guard++ < 4) {
		enum lab_leg leg = c->leg;
		int num = c->num;
		if (!release_one(r, c, err, sizeof(err))) {
			listen_say(r, "(#%d: %s; closed)\n", num, err);
			listen_drop(r->icpt, c);
			return;
		}
		if (c->shown && r->lab->num_msgs > before)
			show_message(r, &r->lab->msgs[r->lab->num_msgs - 1]);
		before = r->lab->num_msgs;
		if (leg == LAB_P2C)
			break;
	}
	if (!c->shown)
		listen_say(r, "(#%d not held: %s, released)\n", c->num, line);
}

/*
 * repl/intercept.c - holding and releasing outside clients' messages (see
 * repl/intercept.h), the `hold` filter, editing a held request, and the
 * commands: listen, hold, auto, held, edit, await.
 *
 * Sections: Recording, The filter, Releasing (one function per leg),
 * Arrivals, Commands.
 *
 * Lesson 13 is this file: a student points their own browser here.
 *
 * Releasing a message does what the built-in exchange's step does in
 * repl/lab_step.c: the proxy's pure proxy_decide() and the ACL on the
 * resolved addresses (proxy_decide_address()), the lab origin's
 * origin_decide() over a loopback connection the lab holds both ends of.
 * The proxy forwards and tunnels only to loopback addresses: the lab's
 * origin, or a server of the student's own on 127.0.0.1 or ::1.
 */
#define _GNU_SOURCE

#include "intercept.h"

#include <stdarg.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/message.h"
#include "../net/net.h"
#include "breaker.h"
#include "lab_step.h"
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
		listen_say(r, "(the transcript holds %d messages: it starts "
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

/* ---- The filter ---- */

/* The host a request is for: absolute-form URL, CONNECT authority, Host. */
static void request_host(const struct http_request *req, char *out,
			 size_t cap)
{
	struct http_url u;
	const struct http_header *h;

	out[0] = '\0';
	if (http_url_parse(req->target, req->target_len, &u) == HTTP_OK ||
	    (req->method_len == 7 && memcmp(req->method, "CONNECT", 7) == 0 &&
	     http_authority_parse(req->target, req->target_len, &u) ==
		 HTTP_OK)) {
		snprintf(out, cap, "%s", u.host);
		return;
	}
	h = http_header_find(req->headers, req->num_headers, "Host");
	if (h != NULL)
		snprintf(out, cap, "%.*s", (int)h->value_len, h->value);
}

/* The path of the request target ("" for CONNECT). */
static void request_path(const struct http_request *req, char *out,
			 size_t cap)
{
	struct http_url u;

	out[0] = '\0';
	if (req->target_len > 0 && req->target[0] == '/')
		snprintf(out, cap, "%.*s", (int)req->target_len, req->target);
	else if (http_url_parse(req->target, req->target_len, &u) == HTTP_OK)
		snprintf(out, cap, "%.*s", (int)u.path_len, u.path);
}

bool intercept_matches(const struct intercept *ic, const char *head,
		       size_t len)
{
	struct http_request req;
	enum http_err e = HTTP_OK;
	char host[HTTP_MAX_HOST + 1], path[ICPT_MAX_FILTER + 1];

	if (http_parse_request(head, len, &req, &e) <= 0)
		return true; /* hold what we cannot read: the proxy's 400 */
	if (ic->method[0] != '\0' &&
	    (strlen(ic->method) != req.method_len ||
	     strncasecmp(ic->method, req.method, req.method_len) != 0))
		return false;
	if (ic->host[0] != '\0') {
		request_host(&req, host, sizeof(host));
		if (strcasecmp(host, ic->host) != 0)
			return false;
	}
	if (ic->path[0] != '\0') {
		request_path(&req, path, sizeof(path));
		if (strncmp(path, ic->path, strlen(ic->path)) != 0)
			return false;
	}
	return true;
}

/* ---- Releasing ---- */

static bool is_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
		return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	}
	return false;
}

/* Keep only the loopback addresses among the checked ones; their count. */
static size_t keep_loopback(struct icpt_conn *c,
			    const struct sockaddr_storage *addrs, size_t n)
{
	size_t i;

	c->naddrs = 0;
	for (i = 0; i < n && c->naddrs < sizeof(c->addrs) / sizeof(c->addrs[0]);
	     i++)
		if (is_loopback(&addrs[i]))
			c->addrs[c->naddrs++] = addrs[i];
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

/* The proxy's own answer instead of the message: 502 with a sentence. */
static void own_502(struct icpt_conn *c, const char *why_, const char *host,
		    unsigned port)
{
	char body[HTTP_MAX_HOST + 200];

	if (port == 0) /* host is already host:port */
		snprintf(body, sizeof(body), "%s %s.\n", why_, host);
	else
		snprintf(body, sizeof(body), "%s %s:%u.\n", why_, host, port);
	http_buf_reset(&c->held);
	proxy_write_own(&c->held, 502, false, body);
	c->own = true;
	c->leg = LAB_P2C;
}

/* Leg 1: the outside client's request reaches the proxy, which decides. */
static bool release_c2p(struct repl *r, struct icpt_conn *c, char *err,
			size_t cap)
{
	struct lab *lab = r->lab;
	struct http_request req;
	struct proxy_decision d;
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	size_t naddrs = 0, hl;
	enum http_err e = HTTP_OK;
	struct lab_msg *m;
	long n;

	if (c->shown) {
		char note[LAB_MAX_BROKEN] = "";
		breaker_apply_held(lab, &c->held, note, sizeof(note));
		if (note[0] != '\0')
			snprintf(c->broken, sizeof(c->broken), "%s", note);
		breaker_remember(lab, &c->held);
	}
	if (lab->stale_now) { /* `break stale`: as in lab_step's proxy leg */
		lab->clock_skew += DIGEST_NONCE_LIFETIME + 1;
		lab->stale_now = false;
	}
	m = record(r, c, LAB_C2P);
	c->broken[0] = '\0';
	n = http_parse_request(c->held.data, c->held.len, &req, &e);
	if (n <= 0) {
		snprintf(err, cap, "#%d: the held request no longer parses: %s",
			 c->num, http_strerror(e));
		return false;
	}
	hl = (size_t)n;
	snprintf(c->method, sizeof(c->method), "%.*s", (int)req.method_len,
		 req.method);
	proxy_decision_init(&d);
	proxy_decide(&lab->pcfg, lab->pst, &req, c->held.data + hl,
		     c->held.len - hl, (uint64_t)time(NULL) + lab->clock_skew,
		     &d);
	if (d.action == PROXY_FORWARD || d.action == PROXY_TUNNEL) {
		char rerr[300];
		enum net_fail nf;
		naddrs = net_resolve(d.host, d.port, addrs, NET_MAX_RESOLVED,
				     &nf, rerr, sizeof(rerr));
		if (naddrs > 0)
			proxy_decide_address(&lab->pcfg, c->method, addrs,
					     naddrs, &d);
		else
			c->naddrs = 0;
	}
	why(m, d.lesson, "%s", d.why);
	c->close_after = d.close;
	c->tunnel_after = false;
	c->own = true;
	c->leg = LAB_P2C;
	snprintf(c->target, sizeof(c->target), "%s:%u", d.host, d.port);
	if ((d.action == PROXY_FORWARD || d.action == PROXY_TUNNEL) &&
	    (naddrs == 0 || keep_loopback(c, addrs, naddrs) == 0)) {
		own_502(c,
			"The lab's proxy forwards only to loopback servers "
			"(its origin, or your own on 127.0.0.1), not",
			d.host, d.port);
		if (m != NULL)
			snprintf(m->why + strlen(m->why),
				 sizeof(m->why) - strlen(m->why),
				 "; but the lab goes only to loopback -> 502");
	} else if (d.action == PROXY_FORWARD) {
		c->lab_origin = is_lab_origin(lab, c, d.port);
		/* the rewritten head, then the body as the client sent it */
		{
			struct http_buf next;
			http_buf_init(&next, LAB_MAX_MESSAGE);
			http_buf_append(&next, d.out.data, d.out.len);
			http_buf_append(&next, c->held.data + hl,
					c->held.len - hl);
			http_buf_free(&c->held);
			c->held = next;
		}
		snprintf(c->info, sizeof(c->info), "%s", d.info_header);
		c->own = false;
		c->leg = LAB_P2O;
	} else if (d.action == PROXY_TUNNEL) {
		enum net_fail nf;
		char cerr[300];
		wire_close(&c->up);
		c->up = net_connect_addr(c->addrs, c->naddrs, d.host,
					 LAB_IO_TIMEOUT_MS, NULL, &nf, cerr,
					 sizeof(cerr));
		if (c->up < 0) {
			own_502(c, "The proxy could not connect to", d.host,
				d.port);
			if (m != NULL)
				snprintf(m->why + strlen(m->why),
					 sizeof(m->why) - strlen(m->why),
					 "; but connecting failed (%s) -> 502",
					 cerr);
		} else {
			/* the lab's origin: the lab holds its end too, and
			 * serves it while relaying (repl/listen.c) */
			wire_close(&c->srv);
			if (is_lab_origin(lab, c, d.port))
				c->srv = accept(lab->listen_fd[LAB_ORIGIN],
						NULL, NULL);
			if (c->srv >= 0)
				net_set_timeouts(c->srv, LAB_IO_TIMEOUT_MS,
						 LAB_IO_TIMEOUT_MS);
			http_buf_reset(&c->held);
			http_buf_append(&c->held, d.out.data, d.out.len);
			c->tunnel_after = true;
			if (m != NULL)
				snprintf(m->why + strlen(m->why),
					 sizeof(m->why) - strlen(m->why),
					 "; connected to it, so it answers 200 "
					 "and from then on only copies bytes "
					 "both ways");
		}
	} else {
		http_buf_reset(&c->held);
		http_buf_append(&c->held, d.out.data, d.out.len);
	}
	proxy_decision_free(&d);
	return true;
}

/* Read one framed response from fd into b (bounded, LAB_IO_TIMEOUT_MS). */
static bool read_response(int fd, const char *method, struct http_buf *b,
			  char *err, size_t cap)
{
	struct http_response resp;
	struct http_body_info info;
	enum http_err e = HTTP_OK;
	long hl = net_read_head(fd, b, NULL, &resp, &e);

	if (hl <= 0) {
		snprintf(err, cap, "no response: %s",
			 hl == 0 ? "the server closed the connection"
				 : http_strerror(e));
		return false;
	}
	e = http_response_framing(&resp, method, strlen(method), &info);
	if (e != HTTP_OK || net_read_body(fd, b, (size_t)hl, &info,
					  LAB_MAX_MESSAGE / 2, NULL, &e) < 0) {
		snprintf(err, cap, "bad response body: %s", http_strerror(e));
		return false;
	}
	return true;
}

/* Leg 2: the forwarded request reaches the origin, which answers. */
static bool release_p2o(struct repl *r, struct icpt_conn *c, char *err,
			size_t cap)
{
	struct lab *lab = r->lab;
	struct lab_msg *m = record(r, c, LAB_P2O);
	struct http_buf got;
	bool ok = false;

	http_buf_init(&got, LAB_MAX_MESSAGE);
	if (c->lab_origin) {
		/* both ends are the lab's, as in the built-in exchange */
		int ends[2] = {-1, -1};
		struct http_request req;
		struct origin_decision d;
		enum http_err e = HTTP_OK;
		long hl;

		if (!wire_pair(lab, LAB_ORIGIN, ends, err, cap))
			goto out;
		if (!wire_carry(ends[0], ends[1], &c->held, &got, err, cap)) {
			wire_close(&ends[0]);
			wire_close(&ends[1]);
			goto out;
		}
		hl = http_parse_request(got.data, got.len, &req, &e);
		origin_decision_init(&d);
		if (hl > 0) {
			origin_decide(&lab->ocfg, lab->ost, &req,
				      got.data + hl, got.len - (size_t)hl,
				      (uint64_t)time(NULL), &d);
			why(m, d.lesson, "%s", d.why);
		}
		http_buf_reset(&c->held);
		ok = hl > 0 && wire_carry(ends[1], ends[0], &d.out, &c->held,
					  err, cap);
		if (hl <= 0)
			snprintf(err, cap, "the forwarded request does not "
					   "parse");
		origin_decision_free(&d);
		wire_close(&ends[0]);
		wire_close(&ends[1]);
	} else {
		enum net_fail nf;
		char cerr[300];
		int fd = net_connect_addr(c->addrs, c->naddrs, c->target,
					  LAB_IO_TIMEOUT_MS, NULL, &nf, cerr,
					  sizeof(cerr));
		if (fd < 0) {
			why(m, NULL, "proxy: cannot connect to %s (%s) -> 502",
			    c->target, cerr);
			own_502(c, "The proxy could not connect to", c->target,
				0);
			c->close_after = true;
			ok = true;
			goto out;
		}
		net_set_timeouts(fd, LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
		why(m, NULL,
		    "sent to your own origin %s; what it checks is its own "
		    "business (the lab sees only its answer)",
		    c->target);
		ok = net_write_all(fd, c->held.data, c->held.len) >= 0;
		http_buf_reset(&c->held);
		if (ok)
			ok = read_response(fd, c->method, &c->held, err, cap);
		else
			snprintf(err, cap, "write to %s failed", c->target);
		close(fd);
	}
	c->leg = LAB_O2P;
out:
	http_buf_free(&got);
	return ok;
}

/* Leg 3: the origin's answer reaches the proxy, which relays it. */
static bool release_o2p(struct repl *r, struct icpt_conn *c, char *err,
			size_t cap)
{
	struct lab_msg *m = record(r, c, LAB_O2P);
	struct http_response resp;
	struct http_buf out;
	enum http_err e = HTTP_OK;
	long hl = http_parse_response(c->held.data, c->held.len, &resp, &e);

	if (hl <= 0) {
		snprintf(err, cap, "#%d: the origin's response does not parse",
			 c->num);
		return false;
	}
	why(m, "06",
	    "proxy: the origin answered %d; relaying it to the client without "
	    "hop-by-hop fields, adding Via (RFC 9110 §7.6)",
	    resp.status);
	http_buf_init(&out, LAB_MAX_MESSAGE);
	if (!proxy_relay_head_ex(&resp, c->info, NULL, &out)) {
		http_buf_free(&out);
		snprintf(err, cap, "the proxy could not rewrite the head");
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
			size_t cap)
{
	struct lab *lab = r->lab;
	struct lab_msg *m = record(r, c, LAB_P2C);
	int status = 0;

	(void)err;
	(void)cap;
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
		why(m, status == 407 ? "02" : status == 401 ? "05" : NULL,
		    "delivered to outside client #%d; what it sends next is its "
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

bool intercept_release(struct repl *r, struct icpt_conn *c, char *err,
		       size_t cap)
{
	switch (c->leg) {
	case LAB_C2P:
		return release_c2p(r, c, err, cap);
	case LAB_P2O:
		return release_p2o(r, c, err, cap);
	case LAB_O2P:
		return release_o2p(r, c, err, cap);
	case LAB_P2C:
		return release_p2c(r, c, err, cap);
	}
	return false;
}

/* Release every leg of c's exchange now (auto, or not held). */
static void release_through(struct repl *r, struct icpt_conn *c)
{
	char err[512], line[LAB_MAX_LINE];
	int guard = 0;
	size_t before = r->lab->num_msgs;

	lab_first_line(c->held.data, c->held.len, line, sizeof(line));
	while (c->st == ICPT_HELD && guard++ < 4) {
		enum lab_leg leg = c->leg;
		int num = c->num;
		if (!intercept_release(r, c, err, sizeof(err))) {
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

/* ---- Arrivals ---- */

void intercept_arrived(struct repl *r, struct icpt_conn *c)
{
	struct intercept *ic = r->icpt;
	char line[LAB_MAX_LINE];

	c->st = ICPT_HELD;
	c->leg = LAB_C2P;
	c->seq = ic->next_seq++;
	c->broken[0] = '\0';
	c->shown = intercept_matches(ic, c->held.data, c->held.len);
	lab_first_line(c->held.data, c->held.len, line, sizeof(line));
	if (!c->shown && ic->rest == ICPT_REST_DENY) {
		struct http_buf b;
		static const char body[] =
		    "The lab holds other requests; this one does not match "
		    "its hold filter.\n";
		http_buf_init(&b, 4096);
		http_write_text_response(&b, 403, "Connection: close\r\n", body,
					 sizeof(body) - 1);
		(void)net_write_all(c->fd, b.data, b.len);
		http_buf_free(&b);
		listen_say(r, "(#%d not held: %s -> 403 from the lab)\n",
			   c->num, line);
		listen_drop(ic, c);
		return;
	}
	if (!c->shown || ic->auto_release) {
		release_through(r, c);
		return;
	}
	listen_say(r, "\n(#%d held: %s -- Enter releases it)\n", c->num, line);
}

enum repl_rc intercept_step(struct repl *r, bool *moved)
{
	struct icpt_conn *c = listen_oldest(r->icpt);
	char err[512];
	size_t before = r->lab->num_msgs;
	int num;

	*moved = false;
	if (c == NULL)
		return REPL_OK;
	num = c->num;
	if (!intercept_release(r, c, err, sizeof(err))) {
		repl_error(r, "%s", err);
		listen_drop(r->icpt, c);
		return REPL_FAIL;
	}
	*moved = true;
	if (r->lab->num_msgs > before && !r->in_outcomes)
		show_message(r, &r->lab->msgs[r->lab->num_msgs - 1]);
	(void)num;
	return REPL_OK;
}

/* ---- Commands ---- */

/* `listen HOST:PORT` or `listen off`: let outside clients in. */
enum repl_rc intercept_listen(struct repl *r, int argc, char **argv)
{
	char err[512];

	(void)argc;
	if (strcasecmp(argv[1], "off") == 0) {
		listen_close(r->icpt);
		fprintf(r->out, "not listening\n");
		return REPL_OK;
	}
	if (!listen_open(r->icpt, argv[1], err, sizeof(err))) {
		repl_error(r, "%s", err);
		return REPL_FAIL;
	}
	fprintf(r->out, "listening on %s\n", r->icpt->bound);
	if (!r->script)
		fprintf(r->out,
			"point a client at it: curl -x http://%s -U "
			"alice:wonderland http://127.0.0.1:%u/private\n",
			r->icpt->bound, r->lab->port[LAB_ORIGIN]);
	fflush(r->out);
	return REPL_OK;
}

static void show_filter(struct repl *r)
{
	struct intercept *ic = r->icpt;

	fprintf(r->out, "hold: %s%s%s%s%s%s%s; the rest %s%s\n",
		ic->host[0] || ic->method[0] || ic->path[0] ? "" : "everything",
		ic->method[0] ? "method " : "", ic->method,
		ic->host[0] ? " host " : "", ic->host,
		ic->path[0] ? " path " : "", ic->path,
		ic->rest == ICPT_REST_DENY ? "answered 403"
					   : "released unshown",
		ic->auto_release ? " (auto: nothing is held, all is printed)"
				 : "");
}

/* `hold all | host H | method M | path PREFIX | rest release|deny` */
enum repl_rc intercept_hold(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	const char *what = argv[1], *v = argc > 2 ? argv[2] : NULL;

	if (strcasecmp(what, "all") == 0) {
		ic->host[0] = ic->method[0] = ic->path[0] = '\0';
	} else if (v == NULL) {
		if (strcasecmp(what, "show") != 0) {
			repl_error(r, "hold %s needs a value", what);
			return REPL_USAGE;
		}
	} else if (strcasecmp(what, "host") == 0) {
		snprintf(ic->host, sizeof(ic->host), "%s", v);
	} else if (strcasecmp(what, "method") == 0) {
		if (strlen(v) >= sizeof(ic->method) ||
		    !http_is_token(v, strlen(v))) {
			repl_error(r, "'%s' is not a method", v);
			return REPL_USAGE;
		}
		snprintf(ic->method, sizeof(ic->method), "%s", v);
	} else if (strcasecmp(what, "path") == 0) {
		if (v[0] != '/') {
			repl_error(r, "a path prefix starts with /");
			return REPL_USAGE;
		}
		snprintf(ic->path, sizeof(ic->path), "%s", v);
	} else if (strcasecmp(what, "rest") == 0) {
		if (strcasecmp(v, "deny") == 0)
			ic->rest = ICPT_REST_DENY;
		else if (strcasecmp(v, "release") == 0)
			ic->rest = ICPT_REST_RELEASE;
		else {
			repl_error(r, "hold rest release|deny");
			return REPL_USAGE;
		}
	} else {
		repl_error(r, "hold all|host H|method M|path PREFIX|rest "
			      "release|deny|show");
		return REPL_USAGE;
	}
	show_filter(r);
	return REPL_OK;
}

/* `auto on|off` */
enum repl_rc intercept_auto(struct repl *r, int argc, char **argv)
{
	(void)argc;
	r->icpt->auto_release = strcasecmp(argv[1], "on") == 0;
	fprintf(r->out, "auto %s: %s\n", r->icpt->auto_release ? "on" : "off",
		r->icpt->auto_release
		    ? "outside messages are printed and released at once"
		    : "outside messages are held until Enter");
	if (r->icpt->auto_release) {
		/* what is held now goes too */
		struct icpt_conn *c;
		int guard = 0;
		while ((c = listen_oldest(r->icpt)) != NULL &&
		       guard++ < ICPT_MAX_CONNS * 4)
			release_through(r, c);
	}
	return REPL_OK;
}

/* `held`: what is waiting, oldest first. */
enum repl_rc intercept_held(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	size_t i;
	int shown = 0;

	(void)argc;
	(void)argv;
	if (ic->lfd < 0)
		fprintf(r->out, "not listening (listen 127.0.0.1:0)\n");
	else
		fprintf(r->out, "listening on %s\n", ic->bound);
	for (i = 0; i < ICPT_MAX_CONNS; i++) {
		const struct icpt_conn *c = &ic->c[i];
		char line[LAB_MAX_LINE];
		if (c->st == ICPT_FREE)
			continue;
		lab_first_line(c->held.data, c->held.len, line, sizeof(line));
		fprintf(r->out, "  #%d  %s\n", c->num,
			c->st == ICPT_HELD ? line
			: c->st == ICPT_TUNNEL ? "(tunnel: bytes relayed)"
					       : "(waiting for a request)");
		if (c->st == ICPT_HELD)
			fprintf(r->out, "       held on %s\n",
				lab_leg_name(c->leg));
		shown++;
	}
	if (shown == 0)
		fprintf(r->out, "  no outside connections\n");
	show_filter(r);
	return REPL_OK;
}

/* Find header `name` in the head of b: offsets of its whole line. */
static bool find_line(const struct http_buf *b, const char *name,
		      size_t *start, size_t *end)
{
	size_t i = 0, nl = strlen(name);

	/* skip the start line */
	while (i < b->len && b->data[i] != '\n')
		i++;
	i++;
	while (i < b->len && b->data[i] != '\r' && b->data[i] != '\n') {
		size_t j = i;
		while (j < b->len && b->data[j] != '\n')
			j++;
		if (j - i > nl && b->data[i + nl] == ':' &&
		    strncasecmp(b->data + i, name, nl) == 0) {
			*start = i;
			*end = j + 1;
			return true;
		}
		i = j + 1;
	}
	*start = *end = i; /* where a new field goes: before the blank line */
	return false;
}

/* `edit set NAME VALUE` / `edit remove NAME`: the oldest held message. */
enum repl_rc intercept_edit(struct repl *r, int argc, char **argv)
{
	struct icpt_conn *c = listen_oldest(r->icpt);
	bool set = strcasecmp(argv[1], "set") == 0;
	size_t s, e;
	char line[ICPT_MAX_EDIT + HTTP_MAX_HOST + 8];
	bool had;

	if (!set && strcasecmp(argv[1], "remove") != 0) {
		repl_error(r, "edit set NAME VALUE, or edit remove NAME");
		return REPL_USAGE;
	}
	if ((set && argc != 4) || (!set && argc != 3)) {
		repl_error(r, "edit set NAME VALUE, or edit remove NAME");
		return REPL_USAGE;
	}
	if (c == NULL) {
		repl_error(r, "nothing is held (await request, or point a "
			      "client at the listen port)");
		return REPL_FAIL;
	}
	if (!http_is_token(argv[2], strlen(argv[2])) ||
	    (set && (strlen(argv[3]) > ICPT_MAX_EDIT ||
		     strpbrk(argv[3], "\r\n") != NULL))) {
		repl_error(r, "a field name is a token, and its value one line "
			      "of at most %d bytes",
			   ICPT_MAX_EDIT);
		return REPL_USAGE;
	}
	had = find_line(&c->held, argv[2], &s, &e);
	if (!set && !had) {
		repl_error(r, "#%d's held message has no %s field", c->num,
			   argv[2]);
		return REPL_FAIL;
	}
	line[0] = '\0';
	if (set)
		snprintf(line, sizeof(line), "%s: %s\r\n", argv[2], argv[3]);
	/* a body's Content-Length is left alone: the head is what changed */
	if (!http_buf_splice(&c->held, s, e - s, line, strlen(line))) {
		repl_error(r, "#%d's held message would be too large", c->num);
		return REPL_FAIL;
	}
	snprintf(c->broken, sizeof(c->broken), "edit: %s %s", set ? "set" : "removed",
		 argv[2]);
	fprintf(r->out, "#%d: %s %s (on %s)\n", c->num,
		set ? "set" : "removed", argv[2], lab_leg_name(c->leg));
	return REPL_OK;
}

/* `await request SECS` / `await closed SECS`: the lab-script verb. */
enum repl_rc intercept_await(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	bool req = strcasecmp(argv[1], "request") == 0;
	bool quiet = strcasecmp(argv[1], "quiet") == 0;
	long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
	struct timespec t0, t;
	struct icpt_conn *held;

	if (!req && !quiet && strcasecmp(argv[1], "closed") != 0) {
		repl_error(r, "await request SECS, await closed SECS, or await "
			      "quiet SECS");
		return REPL_USAGE;
	}
	if (secs < 1 || secs > ICPT_AWAIT_MAX) {
		repl_error(r, "await waits 1 to %d seconds", ICPT_AWAIT_MAX);
		return REPL_USAGE;
	}
	if (ic->lfd < 0) {
		repl_error(r, "not listening (bin/repl --listen, or listen "
			      "127.0.0.1:0)");
		return REPL_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		size_t i, open = 0;
		long ms;

		held = listen_oldest(ic);
		if (req && held != NULL)
			return REPL_OK;
		/* quiet: the client sends nothing the filter holds */
		if (quiet && held != NULL) {
			char line[160];
			lab_first_line(held->held.data, held->held.len, line,
				       sizeof(line));
			repl_error(r, "await quiet: #%d sent %s", held->num,
				   line);
			return REPL_FAIL;
		}
		for (i = 0; i < ICPT_MAX_CONNS; i++)
			open += ic->c[i].st != ICPT_FREE;
		/* closed: after some client came at all (race-free with a
		 * client started once the port was printed) */
		if (!req && open == 0 && ic->next_num > 1)
			return REPL_OK;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= secs * 1000) {
			if (quiet)
				return REPL_OK;
			break;
		}
		if (!listen_pump(r, (int)(secs * 1000 - ms < 200
					      ? secs * 1000 - ms
					      : 200)))
			break;
	}
	repl_error(r, "await %s: nothing came in %ld s", argv[1], secs);
	return REPL_FAIL;
}

bool intercept_pending(const struct repl *r)
{
	return r->icpt != NULL && listen_oldest(r->icpt) != NULL;
}

/*
 * repl/lab_c2p.c - leg 1, client -> proxy: the client's request reaches
 * the proxy, which decides (proxy_decide_conn() in proxy/gate.c) and
 * whose answer is queued: the request forwarded to the origin, the 200
 * of a tunnel, or its own 407, 403, 400 ...  Through an external proxy
 * (lesson 10) the request is only sent.
 */
#define _POSIX_C_SOURCE 200809L

#include "lab_c2p.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../net/net.h"
#include "breaker.h"
#include "lab_state.h"
#include "lab_step.h"
#include "mystery.h"
#include "tlsleg.h"
#include "wire.h"

/*
 * The lab's proxy forwards only to the lab's origin, never elsewhere: the
 * origin's port, and 127.0.0.1 among the checked addresses the host
 * resolved to (the lab then connects to exactly that one).
 */
static bool is_lab_origin(const struct lab *lab,
			  const struct sockaddr_storage *addrs, size_t n,
			  unsigned port)
{
	struct acl_addr a, lo;

	if (port != lab->port[LAB_ORIGIN] || !acl_addr_parse("127.0.0.1", &lo))
		return false;
	for (size_t i = 0; i < n; i++)
		if (acl_addr_from_sockaddr((const struct sockaddr *)&addrs[i],
					   &a) &&
		    a.family == lo.family && memcmp(a.a, lo.a, 4) == 0)
			return true;
	return false;
}

/* The client's connection to the proxy: reused, or opened (the external
 * proxy's, or a new loopback pair to the lab's). */
static bool c2p_connection(struct lab *lab, struct lab_msg *m, char *err,
			   size_t err_cap)
{
	if (lab->cp[0] >= 0) {
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the client reuses connection C%u to the proxy "
			 "(keep-alive, RFC 9112 §9.3)",
			 lab->conn_seq[0]);
		return true;
	}
	snprintf(m->tcp_before, sizeof(m->tcp_before),
		 "TCP: the client opens connection C%u to the proxy",
		 ++lab->conn_seq[0]);
	if (lab->external) {
		enum net_fail why;
		lab->cp[0] =
		    net_connect(lab->ext_host, lab->ext_port,
				LAB_EXT_TIMEOUT_MS, &why, err, err_cap);
		if (lab->cp[0] < 0)
			return false;
		net_set_timeouts(lab->cp[0], LAB_EXT_TIMEOUT_MS,
				 LAB_EXT_TIMEOUT_MS);
	} else if (!wire_pair(lab, LAB_PROXY, lab->cp, err, err_cap)) {
		return false;
	}
	/* Lesson 11: a new connection has proved nothing yet. */
	proxy_conn_free(&lab->pconn);
	proxy_conn_init(&lab->pconn);
	tlsleg_reset(lab); /* a new connection: a new handshake */
	return true;
}

/* Lesson 10: `connect proxy HOST:PORT` -- the request goes to an external
 * proxy, whose decision the lab cannot see; its answer comes on P2C. */
static enum lab_step_rc c2p_external(struct lab *lab, struct lab_msg *m,
				     long hl, char *err, size_t err_cap)
{
	if (net_write_all(lab->cp[0], lab->pending.data, lab->pending.len) <
	    0) {
		snprintf(err, err_cap, "write to the proxy failed");
		return LAB_STEP_ERROR;
	}
	http_buf_append(&m->bytes, lab->pending.data, lab->pending.len);
	m->head_len = hl > 0 ? (size_t)hl : m->bytes.len;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	snprintf(m->why, sizeof(m->why),
		 "sent to the external proxy %s:%u; what it checks "
		 "inside is not visible from here",
		 lab->ext_host, lab->ext_port);
	m->lesson = "10";
	lab_queue_next(lab, LAB_P2C, false);
	return LAB_STEP_MOVED;
}

/* The addresses a forward or tunnel decision resolved to. */
struct c2p_target {
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	size_t naddrs;
};

/*
 * The lab's proxy decides (proxy/gate.c).  Step 3b as in bin/proxy:
 * resolve once, the ACL on every address (proxy_decide_address), so the
 * lab refuses what bin/proxy refuses.
 */
static void c2p_decide(struct lab *lab, struct lab_msg *m,
		       const struct http_request *req, struct proxy_decision *d,
		       struct c2p_target *t)
{
	if (lab->stale_now) {
		lab->clock_skew += DIGEST_NONCE_LIFETIME + 1;
		lab->stale_now = false;
	}
	proxy_decide_conn(&lab->pcfg, lab->pst, &lab->pconn, req,
			  m->bytes.data + m->head_len,
			  m->bytes.len - m->head_len, lab_proxy_now(lab), d);
	t->naddrs = 0;
	if (d->action == PROXY_FORWARD || d->action == PROXY_TUNNEL) {
		char method[32], rerr[300];
		enum net_fail why;

		snprintf(method, sizeof(method), "%.*s", (int)req->method_len,
			 req->method);
		t->naddrs =
		    net_resolve(d->host, d->port, t->addrs, NET_MAX_RESOLVED,
				&why, rerr, sizeof(rerr));
		if (t->naddrs > 0)
			proxy_decide_address(&lab->pcfg, method, t->addrs,
					     t->naddrs, d);
	}
	snprintf(m->why, sizeof(m->why), "%s", d->why);
	m->lesson = d->lesson;
}

/* The lab's own fence: a forward or tunnel anywhere but its origin gets
 * the lab proxy's 403.  A refusal by policy, as an ACL's is (RFC 9110
 * §15.5.4), not 502, which says an inbound server answered badly
 * (§15.6.3): nothing was asked of any. */
static void c2p_fenced(struct lab *lab, struct lab_msg *m,
		       const struct proxy_decision *d)
{
	char body[HTTP_MAX_HOST + 160];
	bool tunnel = d->action == PROXY_TUNNEL;

	if (tunnel)
		snprintf(body, sizeof(body),
			 "403 Forbidden\nThe lab's proxy opens tunnels only "
			 "to the lab's origin 127.0.0.1:%u (request CONNECT "
			 "%s), not %s:%u.\n",
			 lab->port[LAB_ORIGIN], LAB_ORIGIN_ALIAS, d->host,
			 d->port);
	else
		snprintf(body, sizeof(body),
			 "403 Forbidden\nThe lab's proxy only forwards to the "
			 "lab's origin 127.0.0.1:%u, not %s:%u.\n",
			 lab->port[LAB_ORIGIN], d->host, d->port);
	proxy_write_own(&lab->pending, 403, false, body);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 tunnel
		     ? "; but the lab tunnels only to its own origin -> 403"
		     : "; but the lab forwards only to its own origin -> 403");
	lab_queue_next(lab, LAB_P2C, true);
}

/* PROXY_FORWARD: the rewritten head, then the body as the client sent
 * it, go to the origin. */
static void c2p_forward(struct lab *lab, struct lab_msg *m,
			const struct proxy_decision *d)
{
	http_buf_append(&lab->pending, d->out.data, d->out.len);
	http_buf_append(&lab->pending, m->bytes.data + m->head_len,
			m->bytes.len - m->head_len);
	snprintf(lab->negotiate_reply, sizeof(lab->negotiate_reply), "%s",
		 d->negotiate_reply);
	snprintf(lab->proxy_info, sizeof(lab->proxy_info), "%s",
		 d->info_header);
	snprintf(lab->proxy_user, sizeof(lab->proxy_user), "%s", d->user);
	http_buf_reset(&lab->proxy_req);
	http_buf_append(&lab->proxy_req, m->bytes.data, m->head_len);
	lab_queue_next(lab, LAB_P2O, false);
}

/* Lesson 07, PROXY_TUNNEL: the tunnel's far end is a new connection of
 * its own; the 200 goes back only once it is open. */
static bool c2p_tunnel(struct lab *lab, struct lab_msg *m,
		       const struct proxy_decision *d, char *err,
		       size_t err_cap)
{
	wire_close(&lab->po[0]);
	wire_close(&lab->po[1]);
	if (!wire_pair(lab, LAB_ORIGIN, lab->po, err, err_cap))
		return false;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the proxy opens connection U%u to the origin, "
		 "the tunnel's far end",
		 ++lab->conn_seq[1]);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 "; connected to it, so it answers 200 and from then "
		 "on only copies bytes both ways");
	http_buf_append(&lab->pending, d->out.data, d->out.len);
	lab_queue_next(lab, LAB_P2C, true);
	return true;
}

/* The proxy answers itself (407, 403, 400, ...). */
static void c2p_own(struct lab *lab, struct lab_msg *m,
		    struct proxy_decision *d)
{
	http_buf_append(&lab->pending, d->out.data, d->out.len);
	/* a mystery may make the lab's proxy misbehave here */
	mystery_proxy_reply(lab, breaker_has_field(&m->bytes, LAB_PROXY),
			    &lab->pending, &d->close);
	lab_queue_next(lab, LAB_P2C, true);
}

/* Leg 1: the client's request reaches the proxy, which decides. */
enum lab_step_rc lab_c2p(struct lab *lab, struct lab_msg *m, char *err,
			 size_t err_cap)
{
	struct http_request req;
	struct proxy_decision d;
	struct c2p_target t;
	enum http_err e = HTTP_OK;
	bool ok = true;
	long hl;

	breaker_apply(lab, &lab->pending, m->broken, sizeof(m->broken));
	if (m->broken[0] == '\0')
		snprintf(m->broken, sizeof(m->broken), "%s",
			 lab->pending_broken);
	lab->pending_broken[0] = '\0';
	breaker_remember(lab, &lab->pending);
	hl = http_parse_request(lab->pending.data, lab->pending.len, &req, &e);
	if (hl > 0)
		snprintf(lab->req_method, sizeof(lab->req_method), "%.*s",
			 (int)req.method_len, req.method);
	if (!c2p_connection(lab, m, err, err_cap))
		return LAB_STEP_ERROR;
	if (lab->external)
		return c2p_external(lab, m, hl, err, err_cap);

	if (!tlsleg_carry(lab, true, &lab->pending, &m->bytes, m, err, err_cap))
		return LAB_STEP_ERROR;
	if (!lab_step_parse_request(m, &req, err, err_cap))
		return LAB_STEP_ERROR;

	proxy_decision_init(&d);
	c2p_decide(lab, m, &req, &d, &t);
	http_buf_reset(&lab->pending);
	if ((d.action == PROXY_FORWARD || d.action == PROXY_TUNNEL) &&
	    !is_lab_origin(lab, t.addrs, t.naddrs, d.port))
		c2p_fenced(lab, m, &d);
	else if (d.action == PROXY_FORWARD)
		c2p_forward(lab, m, &d);
	else if (d.action == PROXY_TUNNEL)
		ok = c2p_tunnel(lab, m, &d, err, err_cap);
	else
		c2p_own(lab, m, &d);
	lab->close_after = d.close;
	proxy_decision_free(&d);
	if (!ok)
		return LAB_STEP_ERROR;
	if (lab->pending.failed) {
		snprintf(err, err_cap, "the proxy's message is too large");
		return LAB_STEP_ERROR;
	}
	return LAB_STEP_MOVED;
}

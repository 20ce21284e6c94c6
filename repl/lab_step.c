/*
 * repl/lab_step.c - moving the waiting message one leg (repl/lab_step.h):
 * one function per leg, each handing the bytes to the receiver's pure
 * machine and queueing its answer.
 *
 * A CONNECT host:port (lesson 07) runs the same legs: the proxy answers
 * the CONNECT itself (407, 403, or 200 Connection established), and the
 * exchange ends at the 200, where the connection becomes a byte pipe.
 */
#define _POSIX_C_SOURCE 200809L

#include "lab_step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "../http/auth.h"
#include "../net/net.h"
#include "breaker.h"
#include "lab_client.h"
#include "mystery.h"
#include "tlsleg.h"
#include "wire.h"

/* ---- Stepping ---- */

/* Seconds since the epoch as the proxy sees them (`break stale` skews). */
static uint64_t proxy_now(const struct lab *lab)
{
	return (uint64_t)time(NULL) + lab->clock_skew + lab->waited;
}

/* A note's next sentence starts with a capital that reads wrong after
 * "; " ("...; Response from"); scheme names and acronyms keep theirs. */
static bool lower_after_join(const char *w)
{
	static const char *const keep[] = {"Basic", "Digest",	 "Bearer",
					   "NTLM",  "Negotiate", NULL};

	if (w[0] < 'A' || w[0] > 'Z' || w[1] < 'a' || w[1] > 'z')
		return false;
	for (size_t i = 0; keep[i] != NULL; i++)
		if (strncmp(w, keep[i], strlen(keep[i])) == 0)
			return false;
	return true;
}

/* Join a multi-line note into one line: "a; b". */
static void one_line(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < cap; in++) {
		if (*in == '\n') {
			if (in[1] == '\0')
				break;
			out[o++] = ';';
			out[o++] = ' ';
			if (lower_after_join(in + 1)) {
				out[o++] = (char)(in[1] - 'A' + 'a');
				in++;
			}
		} else if (*in != '\r') {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static bool parse_request_msg(struct lab_msg *m, struct http_request *req,
			      char *err, size_t err_cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_request(m->bytes.data, m->bytes.len, req, &e);

	if (n <= 0) {
		snprintf(err, err_cap, "the request does not parse: %s",
			 http_strerror(n == HTTP_PARSE_PARTIAL ? HTTP_E_PARTIAL
							       : e));
		return false;
	}
	m->head_len = (size_t)n;
	return true;
}

static bool parse_response_msg(struct lab_msg *m, struct http_response *resp,
			       char *err, size_t err_cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_response(m->bytes.data, m->bytes.len, resp, &e);

	if (n <= 0) {
		snprintf(err, err_cap, "the response does not parse: %s",
			 http_strerror(n == HTTP_PARSE_PARTIAL ? HTTP_E_PARTIAL
							       : e));
		return false;
	}
	m->head_len = (size_t)n;
	m->status = resp->status;
	return true;
}

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
			  m->bytes.len - m->head_len, proxy_now(lab), d);
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
 * the lab proxy's 502. */
static void c2p_fenced(struct lab *lab, struct lab_msg *m,
		       const struct proxy_decision *d)
{
	char body[HTTP_MAX_HOST + 160];
	bool tunnel = d->action == PROXY_TUNNEL;

	if (tunnel)
		snprintf(body, sizeof(body),
			 "The lab's proxy opens tunnels only to the lab's "
			 "origin 127.0.0.1:%u (request CONNECT %s), not "
			 "%s:%u.\n",
			 lab->port[LAB_ORIGIN], LAB_ORIGIN_ALIAS, d->host,
			 d->port);
	else
		snprintf(body, sizeof(body),
			 "The lab's proxy only forwards to the lab's origin "
			 "127.0.0.1:%u, not %s:%u.\n",
			 lab->port[LAB_ORIGIN], d->host, d->port);
	proxy_write_own(&lab->pending, 502, false, body);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 tunnel
		     ? "; but the lab tunnels only to its own origin -> 502"
		     : "; but the lab forwards only to its own origin -> 502");
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
	memcpy(lab->negotiate_reply, d->negotiate_reply,
	       sizeof(lab->negotiate_reply));
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
static enum lab_step_rc step_c2p(struct lab *lab, struct lab_msg *m, char *err,
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
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_request_msg(m, &req, err, err_cap))
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

/* Leg 2: the forwarded request reaches the origin, which decides. */
static enum lab_step_rc step_p2o(struct lab *lab, struct lab_msg *m, char *err,
				 size_t err_cap)
{
	struct http_request req;
	struct origin_decision d;

	if (lab->po[0] >= 0)
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the proxy reuses connection U%u to the origin "
			 "(keep-alive)",
			 lab->conn_seq[1]);
	else
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the proxy opens connection U%u to the origin",
			 ++lab->conn_seq[1]);
	if (lab->po[0] < 0 &&
	    !wire_pair(lab, LAB_ORIGIN, lab->po, err, err_cap))
		return LAB_STEP_ERROR;
	if (!wire_carry(lab->po[0], lab->po[1], &lab->pending, &m->bytes, err,
			err_cap))
		return LAB_STEP_ERROR;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_request_msg(m, &req, err, err_cap))
		return LAB_STEP_ERROR;
	origin_decision_init(&d);
	origin_decide(&lab->ocfg, lab->ost, &req, m->bytes.data + m->head_len,
		      m->bytes.len - m->head_len,
		      (uint64_t)time(NULL) + lab->waited, &d);
	snprintf(m->why, sizeof(m->why), "%s", d.why);
	m->lesson = d.lesson;
	http_buf_reset(&lab->pending);
	http_buf_append(&lab->pending, d.out.data, d.out.len);
	origin_decision_free(&d);
	lab_queue_next(lab, LAB_O2P, false);
	return LAB_STEP_MOVED;
}

/*
 * The proxy's Proxy-Authentication-Info on the relayed response, into
 * info[0..cap).  After qop=auth-int it adds qop and an rspauth over the
 * response body (RFC 7616 §3.5, guard_digest_info()), as bin/proxy does
 * for a response it can hold whole (the lab holds every message whole);
 * a chunked or until-close response gets the nextnonce alone, as there.
 */
static void relay_info(struct lab *lab, const struct http_response *resp,
		       const struct lab_msg *m, char *info, size_t cap)
{
	struct http_request req;
	struct http_body_info bi;
	enum http_err e = HTTP_OK;

	snprintf(info, cap, "%s", lab->proxy_info);
	if (lab->proxy_info[0] == '\0' || lab->proxy_req.len == 0 ||
	    http_parse_request(lab->proxy_req.data, lab->proxy_req.len, &req,
			       &e) != (long)lab->proxy_req.len ||
	    http_response_framing(resp, req.method, req.method_len, &bi) !=
		HTTP_OK ||
	    (bi.framing != HTTP_BODY_LENGTH && bi.framing != HTTP_BODY_NONE))
		return;
	guard_digest_info(
	    &lab->pcfg.guard, &req, lab->proxy_user, lab->proxy_info,
	    bi.framing == HTTP_BODY_NONE ? "" : m->bytes.data + m->head_len,
	    bi.framing == HTTP_BODY_NONE ? 0 : m->bytes.len - m->head_len, info,
	    cap);
}

/* Leg 3: the origin's response reaches the proxy, which relays it. */
static enum lab_step_rc step_o2p(struct lab *lab, struct lab_msg *m, char *err,
				 size_t err_cap)
{
	struct http_response resp;
	char info[sizeof(lab->proxy_info)];

	if (!wire_carry(lab->po[1], lab->po[0], &lab->pending, &m->bytes, err,
			err_cap))
		return LAB_STEP_ERROR;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_response_msg(m, &resp, err, err_cap))
		return LAB_STEP_ERROR;
	snprintf(m->why, sizeof(m->why),
		 "proxy: the origin answered %d; relaying it to the client "
		 "without hop-by-hop fields, adding Via (RFC 9110 §7.6)",
		 resp.status);
	m->lesson = "06";
	http_buf_reset(&lab->pending);
	/* the proxy's own Digest success rides on the relayed response */
	relay_info(lab, &resp, m, info, sizeof(info));
	if (!proxy_relay_head_auth(&resp, info, lab->negotiate_reply, NULL,
				   false, &lab->pending)) {
		snprintf(err, err_cap, "the proxy could not rewrite the head");
		return LAB_STEP_ERROR;
	}
	http_buf_append(&lab->pending, m->bytes.data + m->head_len,
			m->bytes.len - m->head_len);
	lab_queue_next(lab, LAB_P2C, false);
	return LAB_STEP_MOVED;
}

/*
 * Lesson 07: after a 2xx to CONNECT the connection is a byte pipe.  The
 * client would start TLS inside it now; the lab stops, since nothing
 * after this point is HTTP the proxy could read.  Both connections were
 * the tunnel's, so they close.
 */
static void end_at_tunnel(struct lab *lab, struct lab_msg *m)
{
	http_buf_reset(&lab->pending);
	lab->active = false;
	lab->done = true;
	lab->pending_broken[0] = '\0';
	snprintf(lab->end_note, sizeof(lab->end_note),
		 "the connection is now a tunnel to %.*s: from here on the "
		 "proxy only relays opaque bytes (TLS, for https://) and "
		 "cannot see the request inside, not its method, path, "
		 "headers or Authorization; the lab stops here",
		 HTTP_MAX_HOST + 8, lab->url);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 "; %s", lab->end_note);
	m->lesson = "07";
	lab->close_after = false;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the lab stops here and closes C%u and U%u; a real "
		 "tunnel stays open until either end closes it",
		 lab->conn_seq[0], lab->conn_seq[1]);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	wire_close(&lab->po[0]);
	wire_close(&lab->po[1]);
}

/* Who wrote the response: the lab proxy knows; through an external proxy
 * the lab has only a client's clues (client_who_answered()). */
static void p2c_who(struct lab *lab, struct lab_msg *m,
		    const struct http_response *resp)
{
	const char *who = client_who_answered(resp, true);

	m->who_unknown = lab->external && strcmp(who, "cannot tell") == 0;
	if (lab->external)
		m->answered_by =
		    strcmp(who, "proxy") == 0 ? LAB_PROXY : LAB_ORIGIN;
	else
		m->answered_by =
		    lab->pending_proxy_own ? LAB_PROXY : LAB_ORIGIN;
}

/* The why-line: the client machine's note, on one line. */
static void p2c_why(struct lab *lab, struct lab_msg *m,
		    const struct client_step *s)
{
	char note[LAB_MAX_WHY - 8];

	one_line(s->note, note, sizeof(note));
	if (note[0] == '\0')
		snprintf(note, sizeof(note), "%s",
			 s->action == CLIENT_DONE ? "this is the answer"
						  : "next request");
	snprintf(m->why, sizeof(m->why), "client: %s", note);
	if (lab->external && lab->ext_origin_status != 0)
		snprintf(m->why + strlen(m->why),
			 sizeof(m->why) - strlen(m->why),
			 " [unseen: the lab's origin answered the "
			 "external proxy %d]",
			 lab->ext_origin_status);
}

/* The lesson the response belongs to. */
static void p2c_lesson(struct lab *lab, struct lab_msg *m,
		       const struct http_response *resp)
{
	m->lesson = resp->status == 407	  ? "02"
		    : resp->status == 401 ? "05"
					  : NULL;
	if (resp->status == 407 && !lab->external) {
		/* the connection-bound schemes have lessons of their own */
		const struct http_header *h;
		size_t pos = 0;

		while ((h = http_header_next(resp->headers, resp->num_headers,
					     "Proxy-Authenticate", &pos)) !=
		       NULL) {
			enum auth_scheme s =
			    auth_scheme_of(h->value, h->value_len);

			if (s == AUTH_SCHEME_NTLM)
				m->lesson = "11";
			else if (s == AUTH_SCHEME_NEGOTIATE &&
				 strcmp(m->lesson ? m->lesson : "", "11") != 0)
				m->lesson = "12";
		}
	}
	/* the stale retry is lesson 04's (RFC 7616 §3.3) */
	if (strstr(m->why, "stale=true") != NULL)
		m->lesson = "04";
}

/* After a response with Connection: close, the proxy closes C<n>. */
static void p2c_close(struct lab *lab, struct lab_msg *m)
{
	if (!lab->close_after)
		return;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the proxy closes connection C%u after this "
		 "response (Connection: close, RFC 9112 §9.6); the "
		 "client's next request needs a new one",
		 lab->conn_seq[0]);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	lab->close_after = false;
}

/* Leg 4: the response reaches the client, whose machine decides. */
static enum lab_step_rc step_p2c(struct lab *lab, struct lab_msg *m, char *err,
				 size_t err_cap)
{
	struct http_response resp;
	struct client_step s;
	char broken[LAB_MAX_BROKEN] = "";

	if (lab->external) {
		if (!wire_read_external(lab, m, err, err_cap))
			return LAB_STEP_ERROR;
	} else if (!tlsleg_carry(lab, false, &lab->pending, &m->bytes, m, err,
				 err_cap)) {
		return LAB_STEP_ERROR;
	}
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_response_msg(m, &resp, err, err_cap))
		return LAB_STEP_ERROR;
	p2c_who(lab, m, &resp);
	lab->final_status = resp.status;
	lab->final_who = m->answered_by;
	/* `break close`: the connection goes once the CHALLENGE is out. */
	if (lab->brk == LAB_BREAK_CLOSE && resp.status == 407 &&
	    breaker_is_ntlm_challenge(&resp)) {
		lab->close_after = true;
		lab->brk = LAB_BREAK_NONE;
		snprintf(m->broken, sizeof(m->broken),
			 "break close: the client<->proxy connection closes "
			 "right after this CHALLENGE");
	}

	client_step_init(&s);
	lab_client_call(lab, &resp, m->bytes.data + m->head_len,
			m->bytes.len - m->head_len, &s, broken, sizeof(broken));
	p2c_why(lab, m, &s);
	p2c_lesson(lab, m, &resp);
	lab_client_take(lab, &s, broken);
	client_step_free(&s);
	if (lab->tunnel && lab->cm.tunnel_up)
		end_at_tunnel(lab, m);
	p2c_close(lab, m);
	return LAB_STEP_MOVED;
}

/* Move one message along its leg; see lab.h. */
enum lab_step_rc lab_step(struct lab *lab, char *err, size_t err_cap)
{
	struct lab_msg *m;
	enum lab_step_rc rc = LAB_STEP_ERROR;

	if (!lab->active)
		return LAB_STEP_IDLE;
	m = lab_record(lab, lab->next);
	if (m == NULL) {
		snprintf(err, err_cap,
			 "the exchange passed %d messages; stopping",
			 LAB_MAX_MSGS);
		lab->active = false;
		return LAB_STEP_ERROR;
	}
	switch (lab->next) {
	case LAB_C2P:
		rc = step_c2p(lab, m, err, err_cap);
		break;
	case LAB_P2O:
		rc = step_p2o(lab, m, err, err_cap);
		break;
	case LAB_O2P:
		rc = step_o2p(lab, m, err, err_cap);
		break;
	case LAB_P2C:
		rc = step_p2c(lab, m, err, err_cap);
		break;
	}
	if (rc == LAB_STEP_ERROR) {
		/* drop the half-done message and start clean connections */
		http_buf_free(&m->bytes);
		lab->num_msgs--;
		lab->active = false;
		wire_close(&lab->cp[0]);
		wire_close(&lab->cp[1]);
		wire_close(&lab->po[0]);
		wire_close(&lab->po[1]);
	}
	return rc;
}

/*
 * repl/lab_step.c - moving the waiting message one leg (repl/lab_step.h):
 * lab_step() hands it to the leg's function, each handing the bytes to
 * the receiver's pure machine and queueing its answer.  Legs 1 and 4,
 * where the proxy decides and the client machine answers, are
 * repl/lab_c2p.c and repl/lab_p2c.c; legs 2 and 3, to the origin and
 * back, are here.
 *
 * A CONNECT host:port (lesson 07) runs the same legs: the proxy answers
 * the CONNECT itself (407, 403, or 200 Connection established), and the
 * exchange ends at the 200, where the connection becomes a byte pipe.
 */
#define _POSIX_C_SOURCE 200809L

#include "lab_step.h"
#include "lab_state.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lab_c2p.h"
#include "lab_p2c.h"
#include "wire.h"

/* ---- Reading a message ---- */

/* After a parser returned n for m: its title and the head's length in
 * m, or false with a sentence in err naming what did not parse. */
static bool head_parsed(struct lab_msg *m, long n, enum http_err e,
			const char *what, char *err, size_t err_cap)
{
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (n <= 0) {
		snprintf(err, err_cap, "the %s does not parse: %s", what,
			 http_strerror(n == HTTP_PARSE_PARTIAL ? HTTP_E_PARTIAL
							       : e));
		return false;
	}
	m->head_len = (size_t)n;
	return true;
}

bool lab_step_parse_request(struct lab_msg *m, struct http_request *req,
			    char *err, size_t err_cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_request(m->bytes.data, m->bytes.len, req, &e);

	return head_parsed(m, n, e, "request", err, err_cap);
}

bool lab_step_parse_response(struct lab_msg *m, struct http_response *resp,
			     char *err, size_t err_cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_response(m->bytes.data, m->bytes.len, resp, &e);

	if (!head_parsed(m, n, e, "response", err, err_cap))
		return false;
	m->status = resp->status;
	return true;
}

/* ---- The origin's legs ---- */

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
	if (!lab_step_parse_request(m, &req, err, err_cap))
		return LAB_STEP_ERROR;
	origin_decision_init(&d);
	origin_decide(&lab->ocfg, lab->ost, &req, m->bytes.data + m->head_len,
		      m->bytes.len - m->head_len, lab_origin_now(lab), &d);
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
	if (!lab_step_parse_response(m, &resp, err, err_cap))
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

/* ---- Stepping ---- */

/* Move one message along its leg; see lab_step.h. */
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
		rc = lab_c2p(lab, m, err, err_cap);
		break;
	case LAB_P2O:
		rc = step_p2o(lab, m, err, err_cap);
		break;
	case LAB_O2P:
		rc = step_o2p(lab, m, err, err_cap);
		break;
	case LAB_P2C:
		rc = lab_p2c(lab, m, err, err_cap);
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

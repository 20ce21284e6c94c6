/*
 * proxy/response.c - reading the origin's response head: interim 1xx
 * responses passed on or dropped, the final one's framing, the
 * Proxy-Authentication-Info of Digest qop=auth-int, and the head
 * relayed to the client before its body follows (proxy/relay.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <string.h>

#include "../http/persist.h"
#include "../http/text.h"
#include "authint.h"

#define PROXY_INFO_BODY_MAX                                                    \
	(PROXY_HIGH_WATER / 2) /* auth-int: response body held for rspauth */

/* ---- Reading the response head ---- */

/*
 * Proxy-Authentication-Info after qop=auth-int into info[0..cap).  Its
 * rspauth covers the response's entity-body (RFC 7616 §3.5), which has to
 * be known before the head goes on: a response with no body, or a
 * Content-Length one of at most PROXY_INFO_BODY_MAX bytes (below the
 * upstream read high-water mark, so it can all arrive), is waited for
 * whole in the input buffer and hashed there (guard_digest_info(), over
 * the request head held in x->ai); any other (chunked, until-close,
 * larger) gets the nextnonce alone - never an rspauth over a body not
 * seen.  False: wait for more of the body.  Any other request: info is
 * d.info_header as it is.
 */
static bool auth_int_info(struct conn *c, const struct http_body_info *rinfo,
			  size_t head_len, char *info, size_t cap)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct http_request req;
	enum http_err e;
	const char *p;
	size_t n = 0;

	text_set(info, cap, x->d.info_header);
	if (x->ai == NULL || x->d.info_header[0] == '\0')
		return true;
	if (rinfo->framing == HTTP_BODY_LENGTH &&
	    rinfo->length <= PROXY_INFO_BODY_MAX)
		n = (size_t)rinfo->length;
	else if (rinfo->framing != HTTP_BODY_NONE)
		return true;
	if (evbuffer_get_length(in) < head_len + n)
		return false;
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)(head_len + n));
	if (p != NULL && http_parse_request(x->ai->head.data, x->ai->head.len,
					    &req, &e) == (long)x->ai->head.len)
		guard_digest_info(&c->wk->srv->cfg->guard, &req, x->d.user,
				  x->d.info_header, p + head_len, n, info, cap);
	return true;
}

/* An interim 1xx response: on to an HTTP/1.1 client, not to an HTTP/1.0
 * one, which would take it for the answer (RFC 9110 §15.2). */
static void response_interim(struct conn *c, const struct http_response *resp)
{
	struct exchange *x = c->x;
	struct http_buf head;

	if (x->http10)
		return;
	http_buf_init(&head, 0);
	if (proxy_relay_head_ex(resp, NULL, NULL, &head)) {
		bufferevent_write(c->cl, head.data, head.len);
		x->bytes += head.len;
	}
	http_buf_free(&head);
}

/* How the final response's body goes to the client, and whether each
 * connection may go on after it. */
static enum body_mode response_mode(struct conn *c,
				    const struct http_response *resp,
				    const struct http_body_info *rinfo)
{
	struct exchange *x = c->x;
	enum body_mode mode = BODY_RELAY;

	/* RFC 9112 §7.1: an HTTP/1.0 client cannot read chunked; it gets
	 * the data alone, ended by the close. */
	if (rinfo->framing == HTTP_BODY_CHUNKED && x->http10) {
		mode = BODY_DECODE;
		c->close_after = true;
	}
	if (rinfo->framing == HTTP_BODY_UNTIL_CLOSE)
		c->close_after = true;
	x->keep_up = !x->early && rinfo->framing != HTTP_BODY_UNTIL_CLOSE &&
		     persist_keep_alive(resp->minor_version, resp->headers,
					resp->num_headers);
	return mode;
}

/* The response's media type for the log: Content-Type without its
 * parameters, or "-". */
static void response_type(struct exchange *x, const struct http_response *resp)
{
	const struct http_header *h =
	    http_header_find(resp->headers, resp->num_headers, "Content-Type");
	size_t t = 0;

	while (h != NULL && t < h->value_len && h->value[t] != ';' &&
	       h->value[t] != ' ')
		t++;
	text_copy(x->type, sizeof(x->type), h != NULL ? h->value : "-",
		  h != NULL ? t : 1);
}

/*
 * The final answer, its head hl bytes at the front of the upstream input
 * (n of it pulled up and parsed into resp): relay the head, then its
 * body.  One that comes while the request body is still on its way ends
 * that body: the rest of it is never sent, and both connections close
 * after.
 */
static void response_final(struct conn *c, struct http_response *resp, size_t n,
			   long hl)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct http_body_info rinfo;
	struct http_buf head;
	enum http_err e;
	const char *p;
	const char *conn_field;
	char info[sizeof(x->d.info_header)];
	enum body_mode mode;

	if (c->state == CONN_RELAYING_BODY) {
		x->early = true;
		c->close_after = true;
		sockread_off(c->cl_rd);
	}
	e = http_response_framing(resp, x->method, strlen(x->method), &rinfo);
	if (e != HTTP_OK) {
		respond_error(c, 502,
			      "the origin %s:%u sent a response with bad "
			      "framing: %s",
			      x->d.host, x->d.port, http_strerror(e));
		return;
	}
	if (x->ai != NULL) {
		if (!auth_int_info(c, &rinfo, (size_t)hl, info, sizeof(info)))
			return; /* more of the body rspauth covers */
		/* The pull-up may have moved the head. */
		p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
		http_parse_response(p, n, resp, &e);
	}
	mode = response_mode(c, resp, &rinfo);
	conn_field = c->close_after ? "close" : x->http10 ? "keep-alive" : NULL;
	http_buf_init(&head, 0);
	if (!proxy_relay_head_auth(
		resp, x->ai != NULL ? info : x->d.info_header,
		x->d.negotiate_reply, conn_field, mode == BODY_DECODE, &head)) {
		http_buf_free(&head);
		respond_error(c, 502,
			      "the origin's response head could not be "
			      "relayed");
		return;
	}
	x->status = resp->status;
	response_type(x, resp);
	evbuffer_drain(in, (size_t)hl);
	x->bytes += head.len;
	body_free(&x->mv);
	body_init(&x->mv, &rinfo, mode, 0);
	conn_go_state(c, CONN_RELAYING_RESPONSE);
	c->last_ms = loop_now_ms();
	conn_arm(c, c->wk->srv->t.upstream_ms);
	relay_response_start(c, head.data, head.len);
	http_buf_free(&head);
}

/*
 * Parse the origin's response head.  Interim 1xx responses (100
 * Continue, 103 Early Hints) go on to an HTTP/1.1 client only
 * (response_interim()); 101 is refused, since this proxy does not switch
 * protocols; the final one goes to response_final().
 */
void response_read_head(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);

	for (;;) {
		size_t len = evbuffer_get_length(in), n;
		struct http_response resp;
		enum http_err e = HTTP_OK;
		const char *p;
		long hl;

		if (len == 0)
			return;
		x->resp_bytes += len; /* counts "something arrived" */
		p = loop_head_bytes(in, &n);
		hl = http_parse_response(p, n, &resp, &e);
		if (hl == HTTP_PARSE_PARTIAL)
			return;
		if (hl < 0 || resp.status == 101) {
			respond_error(
			    c, 502,
			    "the origin %s:%u sent an invalid "
			    "response: %s",
			    x->d.host, x->d.port,
			    http_strerror(hl < 0 ? e : HTTP_E_STATUS));
			return;
		}
		if (resp.status >= 200) {
			response_final(c, &resp, n, hl);
			return;
		}
		response_interim(c, &resp);
		evbuffer_drain(in, (size_t)hl);
	}
}

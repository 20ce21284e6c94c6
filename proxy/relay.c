/*
 * proxy/relay.c - the forwarded request going upstream, its body after
 * it, and the response body coming back: bytes moved between the two
 * connections' buffers, through net/body.c's mover where the framing is
 * not moved verbatim, with reading paused on whichever side is ahead.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <sys/socket.h>

#include "authint.h"

#define PROXY_IO_CHUNK 16384 /* bytes a body step moves at most */

static bool send_held_body(struct conn *c);

/* ---- Sending the request ---- */

/*
 * The rewritten head goes out, then the body if there is one.  An
 * `Expect: 100-continue` stays in the forwarded head: the origin's 100
 * comes back through response_read_head() and the client sends its body
 * when it sees it, so nothing here waits.
 */
void relay_request(struct conn *c)
{
	struct exchange *x = c->x;

	conn_go_state(c, CONN_SENDING);
	x->resp_bytes = 0;
	x->req_sent = 0;
	conn_send(c, c->up, x->d.out.data, x->d.out.len);
	sockread_on(c->up_rd);
	if (x->ai != NULL && !send_held_body(c))
		return;
	if (x->has_body) {
		/* RFC 9112 §6.1: a recipient may decode a transfer coding
		 * and apply it again; a chunked body is re-chunked with its
		 * trailers filtered (http/trailer.c). */
		body_free(&x->mv);
		body_init(&x->mv, &x->req_body, BODY_RELAY, 0);
		conn_go_state(c, CONN_RELAYING_BODY);
		x->window_bytes = 0;
		x->origin_held = false;
		x->origin_paused = false;
		conn_arm(c, c->wk->srv->t.body_ms);
		sockread_on(c->cl_rd);
		relay_request_body(c);
		return;
	}
	conn_go_state(c, CONN_READING_RESPONSE);
	conn_arm(c, c->wk->srv->t.upstream_ms);
	/* The upstream write callback (proxy/upstream.c) has nothing to do
	 * while the response is awaited. */
	conn_send_now(c, c->up);
}

/* ---- Relaying the request body ---- */

/*
 * A body held for auth-int goes upstream as it was checked: the bytes the
 * guard hashed and no others (proxy/authint.h).  False when it could not
 * be queued (then the client has its 502).
 */
static bool send_held_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct http_buf o;
	bool ok;

	http_buf_init(&o, x->ai->body.len + 64);
	ok = authint_write(x->ai, &o) &&
	     bufferevent_write(c->up, o.data, o.len) == 0;
	http_buf_free(&o);
	if (!ok) {
		respond_error(c, 502,
			      "the checked request body could not be "
			      "queued for the origin");
		return false;
	}
	x->req_sent = x->ai->body.len;
	return true;
}

/*
 * One step of a body that is not moved verbatim (chunked, or decoded for
 * an HTTP/1.0 client): the first buffered block goes through the mover,
 * what it writes goes to out (NULL: dropped).  Returns the bytes of in
 * consumed, or -1 with *e.
 */
static long move_chunked(struct body_mover *mv, struct evbuffer *in,
			 struct evbuffer *out, enum http_err *e)
{
	struct evbuffer_iovec v;
	struct http_buf o;
	long used;

	if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
		return 0;
	if (v.iov_len > PROXY_IO_CHUNK)
		v.iov_len = PROXY_IO_CHUNK;
	http_buf_init(&o, 0);
	used = body_feed(mv, v.iov_base, v.iov_len, out != NULL ? &o : NULL, e);
	if (used >= 0) {
		evbuffer_drain(in, (size_t)used);
		if (out != NULL && o.len > 0)
			evbuffer_add(out, o.data, o.len);
	}
	http_buf_free(&o);
	return used;
}

/*
 * Move what the client sent of its body to the origin (or, in
 * CONN_DISCARDING, nowhere).  Content-Length bytes move between the
 * buffers without a copy; chunked ones go through the mover.  When the
 * origin falls behind, reading from the client pauses (PROXY_HIGH_WATER)
 * and resumes in the upstream write callback (proxy/upstream.c).
 */
void relay_request_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->cl);
	struct evbuffer *out = c->up ? bufferevent_get_output(c->up) : NULL;
	bool discard = c->state == CONN_DISCARDING;

	while (!x->mv.done && evbuffer_get_length(in) > 0) {
		enum http_err e;
		long used;

		if (out != NULL &&
		    evbuffer_get_length(out) > PROXY_HIGH_WATER) {
			sockread_off(c->cl_rd);
			x->origin_paused = true; /* not the client's fault */
			x->origin_held = true;
			return;
		}
		if (body_verbatim(&x->mv)) {
			/* Content-Length: the bytes move from one buffer to
			 * the other by reference, never copied. */
			used = body_feed(&x->mv, NULL, evbuffer_get_length(in),
					 NULL, &e);
			if (used >= 0 && discard)
				evbuffer_drain(in, (size_t)used);
			else if (used >= 0)
				evbuffer_remove_buffer(in, out, (size_t)used);
		} else {
			used =
			    move_chunked(&x->mv, in, discard ? NULL : out, &e);
		}
		if (used < 0) {
			if (discard) {
				conn_linger(c);
				return;
			}
			respond_error(c, e == HTTP_E_BODY_TOO_LARGE ? 413 : 400,
				      "the request body is malformed: %s",
				      http_strerror(e));
			return;
		}
		x->window_bytes += (uint64_t)used;
		if (!discard)
			x->req_sent += (uint64_t)used;
	}
	if (!x->mv.done)
		return;
	conn_disarm(c);
	if (discard) {
		exchange_end(c);
		return;
	}
	conn_go_state(c, CONN_READING_RESPONSE);
	conn_arm(c, c->wk->srv->t.upstream_ms);
	/* The response may be waiting already. */
	if (evbuffer_get_length(bufferevent_get_input(c->up)) > 0)
		response_read_head(c);
}

/* ---- Relaying the response ---- */

#define RESPONSE_IOV 4 /* body extents sent with the head at most */

/*
 * The response head goes to the client, then its body.  When nothing is
 * queued for the client and the body goes on verbatim, the head and what
 * has come of the body leave in one sendmsg() straight from the buffers
 * they are in: a small response, the common case, costs no output buffer
 * at all (proxy/conn.c, conn_send()).  Queuing the head and the body's
 * chain and writing both out at the end of the exchange cost 5,710
 * instructions a keep-alive request, this 4,050, the end of the exchange
 * included (callgrind).  What the socket does not take is queued as
 * usual.
 */
void relay_response_start(struct conn *c, const char *head, size_t head_len)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct evbuffer_iovec v[RESPONSE_IOV];
	struct iovec iov[1 + RESPONSE_IOV];
	struct msghdr msg = {.msg_iov = iov};
	size_t want = 0, sent, body = 0;
	ssize_t n;
	int ext = 0;
	enum http_err e;

	if (!conn_plain(c, c->cl) ||
	    evbuffer_get_length(bufferevent_get_output(c->cl)) > 0 ||
	    (!x->mv.done && !body_verbatim(&x->mv))) {
		bufferevent_write(c->cl, head, head_len);
		relay_response_body(c);
		return;
	}
	if (!x->mv.done) {
		want = evbuffer_get_length(in);
		if (x->mv.info.framing == HTTP_BODY_LENGTH && want > x->mv.left)
			want = (size_t)x->mv.left;
		ext =
		    evbuffer_peek(in, (ev_ssize_t)want, NULL, v, RESPONSE_IOV);
		if (ext > RESPONSE_IOV)
			ext = RESPONSE_IOV; /* the rest goes the usual way */
	}
	iov[0].iov_base = (void *)head;
	iov[0].iov_len = head_len;
	msg.msg_iovlen = 1;
	for (int i = 0; i < ext && body < want; i++) {
		size_t l =
		    v[i].iov_len < want - body ? v[i].iov_len : want - body;

		iov[msg.msg_iovlen].iov_base = v[i].iov_base;
		iov[msg.msg_iovlen++].iov_len = l;
		body += l;
	}
	n = sendmsg(bufferevent_getfd(c->cl), &msg,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	sent = n > 0 ? (size_t)n : 0;
	if (sent < head_len) {
		bufferevent_write(c->cl, head + sent, head_len - sent);
	} else if (sent > head_len) {
		body_feed(&x->mv, NULL, sent - head_len, NULL, &e);
		evbuffer_drain(in, sent - head_len);
		x->bytes += sent - head_len;
	}
	relay_response_body(c);
}

/*
 * Move the response body to the client.  As for the request body: no
 * copy for Content-Length and until-close, the mover for chunked, and
 * reading pauses while the client is behind (resumed in
 * the client's write callback, proxy/downstream.c).
 */
void relay_response_body(struct conn *c)
{
	struct exchange *x = c->x;
	struct evbuffer *in = bufferevent_get_input(c->up);
	struct evbuffer *out = bufferevent_get_output(c->cl);

	while (!x->mv.done && evbuffer_get_length(in) > 0) {
		size_t before = evbuffer_get_length(out);
		enum http_err e;
		long used;

		if (before > PROXY_HIGH_WATER) {
			sockread_off(c->up_rd);
			return;
		}
		if (body_verbatim(&x->mv)) {
			used = body_feed(&x->mv, NULL, evbuffer_get_length(in),
					 NULL, &e);
			if (used >= 0)
				evbuffer_remove_buffer(in, out, (size_t)used);
		} else {
			used = move_chunked(&x->mv, in, out, &e);
		}
		if (used < 0) {
			/* Too late for an error response: cut the client off
			 * so it sees a truncated body, not a wrong one. */
			conn_free(c);
			return;
		}
		x->bytes += evbuffer_get_length(out) - before;
	}
	if (!x->mv.done)
		return;
	conn_disarm(c);
	if (x->keep_up && evbuffer_get_length(in) == 0)
		pooled_put(c);
	else
		conn_drop_up(c);
	if (c->close_after) {
		conn_linger(c);
		return;
	}
	exchange_end(c);
}

/*
 * proxy/gate_respond.c - the proxy's own responses.
 *
 * Everything the proxy answers itself rather than relays: the 400s, 403s
 * and 407s of the decision, the 200 of a Max-Forwards: 0 request, and
 * (through proxy_write_own() in proxy/gate.c) the shell's 502, 503, 504
 * and 408.  Each carries `Server: lab407-proxy` and no Via, so a client
 * can tell them from the origin's answers relayed with Via.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate_respond.h"

#include <stdio.h>
#include <string.h>

#define PROXY_SERVER_NAME "lab407-proxy"
#define PROXY_ALLOW_METHODS                                                    \
	"GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, CONNECT"

/* ---- The proxy's own responses ---- */

/*
 * A text response written by the proxy itself: `Server: lab407-proxy`
 * and no Via (the client tells the proxy's own answers from relayed ones
 * by that), `extra` header lines (may be NULL), Connection: close when
 * closing.  Appends to out.
 */
bool proxy_respond_write(struct http_buf *out, int status, bool close,
			 bool head_only, const char *extra, const char *body,
			 size_t body_len)
{
	struct http_buf h;
	bool ok;

	http_buf_init(&h, 0);
	http_buf_puts(&h, "Server: " PROXY_SERVER_NAME "\r\n");
	if (extra != NULL)
		http_buf_puts(&h, extra);
	if (close)
		http_buf_puts(&h, "Connection: close\r\n");
	if (h.failed) {
		ok = false;
	} else if (head_only) {
		/* RFC 9110 §9.3.2: HEAD gets the fields GET would, the
		 * Content-Length of the body included, and no body. */
		http_write_status_line(out, status);
		http_buf_puts(out, h.data);
		http_buf_puts(out,
			      "Content-Type: text/plain; charset=utf-8\r\n");
		http_write_header_uint(out, "Content-Length", body_len);
		http_buf_append(out, "\r\n", 2);
		ok = !out->failed;
	} else {
		ok = http_write_text_response(out, status, h.data, body,
					      body_len);
	}
	http_buf_free(&h);
	return ok;
}

/* The client asked to close, or the unread body forbids keeping it. */
bool proxy_respond_closes(const struct facts *f)
{
	return !f->keep_alive || f->close_after_early_answer;
}

/*
 * Finish a RESPOND decision: write the response into d->out.  For HEAD
 * (head true) the body is left off but Content-Length kept (RFC 9110
 * §9.3.2).
 */
void proxy_respond_as(struct proxy_decision *d, bool head, int status,
		      const char *extra, struct http_buf *body)
{
	d->action = PROXY_RESPOND;
	d->status = status;
	http_buf_reset(&d->out);
	if (body->failed ||
	    !proxy_respond_write(&d->out, status, d->close, head, extra,
				 body->data, body->len)) {
		/* Cannot happen with our limits; still answer something. */
		http_buf_reset(&d->out);
		d->close = true;
		proxy_respond_write(&d->out, 500, true, false, NULL, "", 0);
		d->status = 500;
	}
}

/* proxy_respond_as() for the request f read. */
void proxy_respond(struct proxy_decision *d, const struct facts *f, int status,
		   const char *extra, struct http_buf *body)
{
	/* An early answer leaves the body unread: the head says now
	 * whether the connection survives that (http/persist.c). */
	if (f->close_after_early_answer)
		d->close = true;
	proxy_respond_as(d, http_request_method_is(f->req, "HEAD"), status,
			 extra, body);
}

/* 400 with a body saying what is wrong; the connection is closed, since
 * after a malformed request the framing cannot be trusted. */
void proxy_respond_400(struct proxy_decision *d, const struct facts *f,
		       const char *lesson, const char *what)
{
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_printf(&body, "400 Bad Request\nproxy: %s\n", what);
	d->close = true;
	d->lesson = lesson;
	proxy_decision_why(d, "proxy: %s -> 400", what);
	proxy_respond(d, f, 400, NULL, &body);
	http_buf_free(&body);
}

/* ---- Max-Forwards: 0 ---- */

/* OPTIONS: what the proxy allows, in Allow. */
static void answer_options(const struct facts *f, struct proxy_decision *d)
{
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_puts(&body, "200 OK\nproxy: Max-Forwards is 0, so the proxy "
			     "answers OPTIONS itself.\n");
	proxy_respond(d, f, 200, "Allow: " PROXY_ALLOW_METHODS "\r\n", &body);
	http_buf_free(&body);
}

/*
 * TRACE: the request head reflected as message/http (RFC 9110 §9.3.8),
 * leaving out the credentials fields and Cookie, which must never be
 * echoed.
 */
static void answer_trace(const struct facts *f, struct proxy_decision *d)
{
	const struct http_request *req = f->req;
	struct http_buf body;

	http_buf_init(&body, 0);
	http_buf_printf(&body, "%.*s %.*s HTTP/1.%d\r\n", (int)req->method_len,
			req->method, (int)req->target_len, req->target,
			req->minor_version);
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *fl = &req->headers[i];

		if (http_header_is(fl, "Proxy-Authorization") ||
		    http_header_is(fl, "Authorization") ||
		    http_header_is(fl, "Cookie"))
			continue;
		http_buf_printf(&body, "%.*s: %.*s\r\n", (int)fl->name_len,
				fl->name, (int)fl->value_len, fl->value);
	}
	http_buf_puts(&body, "\r\n");
	http_buf_reset(&d->out);
	http_write_status_line(&d->out, 200);
	http_buf_puts(&d->out, "Server: " PROXY_SERVER_NAME "\r\n");
	if (d->close)
		http_buf_puts(&d->out, "Connection: close\r\n");
	http_buf_puts(&d->out, "Content-Type: message/http\r\n");
	http_buf_printf(&d->out, "Content-Length: %zu\r\n\r\n", body.len);
	http_buf_append(&d->out, body.data, body.len);
	if (body.failed || d->out.failed) {
		http_buf_reset(&d->out);
		d->close = true;
		proxy_respond_write(&d->out, 500, true, false, NULL, "", 0);
		d->status = 500;
	}
	http_buf_free(&body);
}

/*
 * Max-Forwards: 0 on OPTIONS or TRACE, so this proxy is the final
 * recipient and answers itself (RFC 9110 §7.6.2).
 */
void proxy_respond_max_forwards(const struct facts *f, struct proxy_decision *d)
{
	const struct http_request *req = f->req;

	d->lesson = "06";
	d->close = proxy_respond_closes(f);
	d->action = PROXY_RESPOND;
	d->status = 200;
	if (http_request_method_is(req, "OPTIONS"))
		answer_options(f, d);
	else
		answer_trace(f, d);
	proxy_decision_why(d,
			   "proxy: %.*s with Max-Forwards: 0 -> the proxy "
			   "answers itself, 200 (RFC 9110 §7.6.2)",
			   (int)req->method_len, req->method);
}

/*
 * proxy/server.c - bin/proxy's socket server around proxy_decide().
 *
 * The concurrency model, chosen to be read in one sitting: one thread per
 * client connection.  A thread blocks on its own two sockets (client and
 * origin) and runs the exchange top to bottom, in the same order as a
 * lesson tells it: read a head, decide, answer or forward, relay the
 * answer, read the next head.  An event loop would carry more
 * connections, but it turns that story into a state machine spread over
 * callbacks.  The cost of threads is bounded: at most max_connections
 * run at once (a counter under a mutex); one more gets 503 at once and
 * the existing ones are not harmed.
 *
 * Shared state is small: the Digest nonce counts inside proxy_state
 * (guard_lock, taken by http/guard.c's guard_commit() around the one
 * check-and-record step, never around password hashing), the connection
 * counter and the access log (lock).  Everything else belongs to one thread.
 *
 * Per connection (RFC 9112 §9): requests follow one another on the same
 * connection until either side says close.  Bodies (Content-Length or
 * chunked) are streamed through a small buffer in both directions, never
 * held whole.  An upstream connection is kept for the next request to the
 * same host:port.
 */
#define _POSIX_C_SOURCE 200809L

#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/status.h"
#include "../net/net.h"

#define PROXY_IO_CHUNK 16384                 /* bytes moved per read */
#define PROXY_IN_MAX (HTTP_MAX_HEAD_BYTES + 2 * PROXY_IO_CHUNK) /* read queue */
#define PROXY_TICK_MS 200                    /* how often idle waits look at stop */
#define PROXY_MAX_DISCARD (64u * 1024)       /* body read and dropped before a 407 */
#define PROXY_EXPECT_WAIT_MS 1000            /* wait for the origin's 100 */
#define PROXY_THREAD_STACK (1u << 20)        /* per connection thread */
#define PROXY_MAX_LOG_URL 2048               /* URL bytes in one log line */
#define PROXY_MAX_BODY_TEXT 512              /* our own error bodies */

static volatile sig_atomic_t stop_requested;

/* ---- Streams: a socket and what was read but not used yet ---- */

enum { STREAM_EOF = 0, STREAM_ERROR = -1, STREAM_TIMEOUT = -2 };

struct stream {
	int fd;               /* -1 when closed */
	struct http_buf buf;  /* bytes read, not consumed yet */
};

/* Milliseconds on a clock that never jumps: for timeouts and elapsed. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Wait up to timeout_ms for bytes, then read what is there (at most
 * PROXY_IO_CHUNK) onto the end of s->buf.  Returns the count, STREAM_EOF,
 * STREAM_ERROR or STREAM_TIMEOUT.
 */
static long stream_read_more(struct stream *s, int timeout_ms)
{
	char tmp[PROXY_IO_CHUNK];
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	ssize_t r;
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return STREAM_TIMEOUT;
	if (rc < 0)
		return STREAM_ERROR;
	do
		r = recv(s->fd, tmp, sizeof(tmp), 0);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return STREAM_EOF;
	if (r < 0 || !http_buf_append(&s->buf, tmp, (size_t)r))
		return STREAM_ERROR;
	return (long)r;
}

/* Close the socket and forget unread bytes. */
static void stream_close(struct stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	http_buf_reset(&s->buf);
}

/* ---- Reading heads ---- */

enum head_rc {
	HEAD_OK,        /* parsed; length in *len */
	HEAD_CLOSED,    /* clean close (or stop/idle) before any byte */
	HEAD_BAD,       /* parse error in *err */
	HEAD_TIMEOUT,   /* bytes came, the rest did not in time */
	HEAD_IO         /* EOF or error mid-head */
};

/*
 * Read until a whole request (req) or response (resp) head is in s->buf.
 * timeout_ms bounds the whole head (slowloris defence).  When idle_ok,
 * silence before the first byte is a quiet HEAD_CLOSED (an idle
 * keep-alive connection), and so is a stop request.
 */
static enum head_rc read_head(struct stream *s, struct http_request *req,
			      struct http_response *resp, int timeout_ms,
			      bool idle_ok, size_t *len, enum http_err *err)
{
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;

	for (;;) {
		long n, r;
		uint64_t now;
		int wait;

		*err = HTTP_OK;
		if (s->buf.len > 0) {
			n = req ? http_parse_request(s->buf.data, s->buf.len,
						     req, err)
				: http_parse_response(s->buf.data, s->buf.len,
						      resp, err);
			if (n > 0) {
				*len = (size_t)n;
				return HEAD_OK;
			}
			if (n == HTTP_PARSE_ERROR)
				return HEAD_BAD;
		}
		if (idle_ok && s->buf.len == 0 && stop_requested)
			return HEAD_CLOSED;
		now = mono_ms();
		if (now >= deadline)
			return s->buf.len == 0 && idle_ok ? HEAD_CLOSED
							  : HEAD_TIMEOUT;
		wait = (int)(deadline - now);
		if (wait > PROXY_TICK_MS)
			wait = PROXY_TICK_MS;
		r = stream_read_more(s, wait);
		if (r == STREAM_TIMEOUT)
			continue;
		if (r == STREAM_EOF && s->buf.len == 0)
			return HEAD_CLOSED;
		if (r <= 0)
			return HEAD_IO;
	}
}

/* ---- Streaming bodies ---- */

enum relay_rc {
	RELAY_OK,
	RELAY_SRC,       /* the source closed early, timed out or failed */
	RELAY_SYNTAX,    /* malformed chunked framing (err set) */
	RELAY_TOO_BIG,   /* over the limit */
	RELAY_DST        /* writing to the destination failed */
};

/*
 * Move one body framed by `info` from src to dst (dst -1: read and drop),
 * through src->buf a chunk at a time: never the whole body in memory.
 * Chunked bodies are relayed as they came; the decoder only finds their
 * end (RFC 9112 §7.1).  Bytes after the body stay in src->buf.
 */
static enum relay_rc relay_body(struct stream *src, int dst,
				const struct http_body_info *info,
				uint64_t limit, int idle_ms, uint64_t *moved,
				enum http_err *err)
{
	struct http_chunked ch;
	uint64_t left = info->length;

	*moved = 0;
	http_chunked_init(&ch);
	if (info->framing == HTTP_BODY_NONE)
		return RELAY_OK;
	for (;;) {
		size_t take;

		if (info->framing == HTTP_BODY_LENGTH && left == 0)
			return RELAY_OK;
		if (src->buf.len == 0) {
			long r = stream_read_more(src, idle_ms);

			if (r == STREAM_EOF &&
			    info->framing == HTTP_BODY_UNTIL_CLOSE)
				return RELAY_OK;
			if (r <= 0)
				return RELAY_SRC;
		}
		if (info->framing == HTTP_BODY_LENGTH) {
			take = src->buf.len < left ? src->buf.len : (size_t)left;
		} else if (info->framing == HTTP_BODY_CHUNKED) {
			long n = http_chunked_feed(&ch, src->buf.data,
						   src->buf.len, NULL, err);

			if (n < 0)
				return RELAY_SYNTAX;
			take = (size_t)n;
		} else {
			take = src->buf.len;
		}
		*moved += take;
		if (*moved > limit)
			return RELAY_TOO_BIG;
		if (dst >= 0 && take > 0 &&
		    net_write_all(dst, src->buf.data, take) < 0)
			return RELAY_DST;
		http_buf_consume(&src->buf, take);
		if (info->framing == HTTP_BODY_LENGTH)
			left -= take;
		if (info->framing == HTTP_BODY_CHUNKED && ch.done)
			return RELAY_OK;
		if (take == 0 && src->buf.len > 0) {
			/* The decoder wants more than is buffered. */
			long r = stream_read_more(src, idle_ms);

			if (r <= 0)
				return RELAY_SRC;
		}
	}
}

/* ---- One connection ---- */

/* What the access log says about one request (Squid's native format). */
struct exchange {
	uint64_t start_ms;
	const char *result;           /* TCP_MISS, TCP_DENIED, TCP_TUNNEL, NONE */
	int status;
	uint64_t bytes;               /* sent to the client */
	char method[32];
	char url[PROXY_MAX_LOG_URL];
	char user[GUARD_MAX_USER];
	const char *hier;             /* HIER_DIRECT or HIER_NONE */
	char peer[NET_MAX_ADDR];      /* upstream address, or "-" */
	char type[64];                /* response Content-Type, or "-" */
};

struct conn {
	struct proxy_server *srv;
	struct stream cl;             /* the client */
	struct stream up;             /* the origin; fd -1 when none */
	char up_host[HTTP_MAX_HOST + 1];
	unsigned up_port;
	char up_ip[NET_MAX_ADDR];
	char client_ip[NET_MAX_ADDR];
	unsigned long long id;        /* accept order, for the -v why lines */
};

/* Numeric address of a socket's peer, without the port. */
static void peer_ip(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const void *a;

	snprintf(out, cap, "-");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	if (inet_ntop(ss.ss_family, a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "-");
}

/* Lesson 10: the Squid-format access-log line. */
/*
 * One access-log line, Squid's native format:
 *   time.ms elapsed client result/status bytes method URL user hier/peer type
 */
static void log_access(struct conn *c, const struct exchange *x)
{
	struct proxy_server *srv = c->srv;
	struct timespec ts;

	if (srv->log == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&srv->lock);
	fprintf(srv->log, "%lld.%03ld %6llu %s %s/%03d %llu %s %s %s %s/%s %s\n",
		(long long)ts.tv_sec, ts.tv_nsec / 1000000L,
		(unsigned long long)(mono_ms() - x->start_ms), c->client_ip,
		x->result, x->status, (unsigned long long)x->bytes,
		x->method[0] ? x->method : "-", x->url[0] ? x->url : "-",
		x->user[0] ? x->user : "-", x->hier, x->peer,
		x->type[0] ? x->type : "-");
	fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

/* -v: the decision's why line, with the lesson that explains it. */
static void log_why(struct conn *c, const struct proxy_decision *d)
{
	struct proxy_server *srv = c->srv;

	if (!srv->verbose || srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	fprintf(srv->log, "why: %s (lesson %s) conn %llu\n", d->why,
		d->lesson ? d->lesson : "-", c->id);
	fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

/* Send bytes to the client and count them for the log. */
static bool send_client(struct conn *c, struct exchange *x, const void *p,
			size_t n)
{
	if (net_write_all(c->cl.fd, p, n) < 0)
		return false;
	x->bytes += n;
	return true;
}

/*
 * A response of the proxy's own (RESPOND-like errors: 400, 408, 414, 431,
 * 502, 504) with a one-paragraph body; always closes the connection.
 */
static void send_error(struct conn *c, struct exchange *x, int status,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void send_error(struct conn *c, struct exchange *x, int status,
		       const char *fmt, ...)
{
	char text[PROXY_MAX_BODY_TEXT];
	char body[PROXY_MAX_BODY_TEXT + 64];
	struct http_buf out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(body, sizeof(body), "%d %s\nproxy: %s\n", status,
		 http_status_reason(status), text);
	http_buf_init(&out, 0);
	if (proxy_write_own(&out, status, true, body))
		send_client(c, x, out.data, out.len);
	http_buf_free(&out);
	x->status = status;
	snprintf(x->type, sizeof(x->type), "text/plain");
}

/* Insert "Connection: close" after the status line of an own response. */
static void force_close(struct http_buf *out)
{
	struct http_buf n;
	char *eol;

	if (strstr(out->data, "\r\nConnection: close\r\n") != NULL)
		return;
	eol = strstr(out->data, "\r\n");
	if (eol == NULL)
		return;
	http_buf_init(&n, 0);
	http_buf_append(&n, out->data, (size_t)(eol - out->data) + 2);
	http_buf_puts(&n, "Connection: close\r\n");
	http_buf_append(&n, eol + 2, out->len - (size_t)(eol + 2 - out->data));
	if (!n.failed) {
		http_buf_reset(out);
		http_buf_append(out, n.data, n.len);
	}
	http_buf_free(&n);
}

/* Content-Type of a response without parameters, for the log. */
static void content_type(const struct http_response *resp, char *out,
			 size_t cap)
{
	const struct http_header *h = http_header_find(
		resp->headers, resp->num_headers, "Content-Type");
	size_t n = 0;

	if (h == NULL) {
		snprintf(out, cap, "-");
		return;
	}
	while (n < h->value_len && h->value[n] != ';' && h->value[n] != ' ')
		n++;
	snprintf(out, cap, "%.*s", (int)n, h->value);
}

/*
 * An upstream connection to d->host:d->port: the one kept from the last
 * request when it goes to the same place, else a new one within
 * upstream_timeout_ms.  Either way the ACL decides first on the address
 * connected to (proxy_decide_address, proxy/acl.h "Deciding on
 * addresses"): the kept connection's peer, or every address the name
 * resolves to, resolved once, and the connection goes to one of exactly
 * those.  On failure a 403 (the ACL), 502 (refused, DNS) or 504 (silent)
 * has been sent to the client and false is returned.
 */
static bool upstream(struct conn *c, struct exchange *x,
		     struct proxy_decision *d, const char *method,
		     bool *reused)
{
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	const char *host = d->host;
	unsigned port = d->port;
	char err[300];
	enum net_fail why;
	size_t n;
	int fd;

	*reused = false;
	if (c->up.fd >= 0 && c->up_port == port &&
	    strcasecmp(c->up_host, host) == 0 &&
	    net_peer_addr(c->up.fd, &addrs[0])) {
		if (!proxy_decide_address(c->srv->cfg, method, addrs, 1, d))
			goto denied;
		*reused = true;
		return true;
	}
	stream_close(&c->up);
	n = net_resolve(host, port, addrs, NET_MAX_RESOLVED, &why, err,
			sizeof(err));
	if (n > 0 && !proxy_decide_address(c->srv->cfg, method, addrs, n, d))
		goto denied;
	fd = n == 0 ? -1
		    : net_connect_addr(addrs, n, host,
				       c->srv->upstream_timeout_ms, NULL, &why,
				       err, sizeof(err));
	if (fd < 0) {
		x->result = "TCP_MISS";
		switch (why) {
		case NET_DNS:
			send_error(c, x, 502,
				   "cannot resolve the origin %s (DNS "
				   "failure)", host);
			break;
		case NET_TIMEOUT:
			send_error(c, x, 504,
				   "the origin %s:%u did not accept a "
				   "connection within %d ms",
				   host, port, c->srv->upstream_timeout_ms);
			break;
		case NET_REFUSED:
			send_error(c, x, 502,
				   "the origin %s:%u refused the connection",
				   host, port);
			break;
		default:
			send_error(c, x, 502, "cannot connect to the origin "
					      "%s:%u: %s", host, port, err);
			break;
		}
		return false;
	}
	c->up.fd = fd;
	snprintf(c->up_host, sizeof(c->up_host), "%s", host);
	c->up_port = port;
	peer_ip(fd, c->up_ip, sizeof(c->up_ip));
	return true;

denied:
	/* d is now the ACL's 403 (Connection: close); nothing was sent on. */
	stream_close(&c->up);
	log_why(c, d);
	x->result = "TCP_DENIED";
	x->status = d->status;
	snprintf(x->type, sizeof(x->type), "text/plain");
	send_client(c, x, d->out.data, d->out.len);
	return false;
}

/* The request carries `Expect: 100-continue` (RFC 9110 §10.1.1). */
static bool expects_continue(const struct http_request *req)
{
	return req->minor_version == 1 &&
	       http_header_has_token(req->headers, req->num_headers, "Expect",
				     "100-continue");
}

/* What forward() needs of the request once its head is consumed. */
struct req_facts {
	struct http_body_info body;
	bool has_body;
	bool expect;          /* Expect: 100-continue */
	bool http10;
	char method[32];
};

/*
 * Forward one request and relay the response.  d->out is the rewritten
 * head; the request body follows from the client stream.  Returns false
 * when the client connection must close.
 */
static bool forward(struct conn *c, struct exchange *x,
		    struct proxy_decision *d, const struct req_facts *f,
		    bool close_after)
{
	struct proxy_server *srv = c->srv;
	struct http_response resp;
	struct http_body_info rinfo;
	struct http_buf head;
	enum http_err e = HTTP_OK;
	enum head_rc hr;
	enum relay_rc rr;
	uint64_t moved;
	size_t hl = 0;
	bool reused, body_sent = !f->has_body, keep_up;
	bool skipped_body = false;   /* the origin answered before the body */
	int attempt;

	x->result = "TCP_MISS";
	for (attempt = 0; attempt < 2; attempt++) {
		if (!upstream(c, x, d, f->method, &reused))
			return false;   /* the 403/502/504 said Connection: close */
		snprintf(x->peer, sizeof(x->peer), "%s", c->up_ip);
		x->hier = "HIER_DIRECT";
		if (net_write_all(c->up.fd, d->out.data, d->out.len) < 0) {
			stream_close(&c->up);
			if (reused)
				continue;   /* the kept connection had died */
			send_error(c, x, 502, "writing to the origin %s:%u "
					      "failed", d->host, d->port);
			return false;
		}

		/* Expect: 100-continue: give the origin a moment to say
		 * 100 or to refuse before the body goes (RFC 9110 §10.1.1). */
		if (f->has_body && f->expect) {
			hr = read_head(&c->up, NULL, &resp,
				       PROXY_EXPECT_WAIT_MS, true, &hl, &e);
			if (hr == HEAD_OK && resp.status == 100) {
				http_buf_consume(&c->up.buf, hl);
				if (!send_client(c, x,
						 "HTTP/1.1 100 Continue\r\n\r\n",
						 25))
					return false;
			} else if (hr == HEAD_OK) {
				/* A final answer without the body: relay it,
				 * then close both (the body may still come). */
				close_after = true;
				body_sent = true;
				skipped_body = true;
			} else if (hr != HEAD_CLOSED) {
				stream_close(&c->up);
				send_error(c, x, 502, "the origin %s:%u sent "
						      "an invalid response",
					   d->host, d->port);
				return false;
			}
		}
		if (!body_sent) {
			rr = relay_body(&c->cl, c->up.fd, &f->body, UINT64_MAX,
					srv->header_timeout_ms, &moved, &e);
			if (rr == RELAY_SYNTAX) {
				stream_close(&c->up);
				send_error(c, x, 400, "the request body is "
						      "malformed: %s",
					   http_strerror(e));
				return false;
			}
			if (rr == RELAY_DST) {
				stream_close(&c->up);
				send_error(c, x, 502, "the origin %s:%u closed "
						      "while the body was sent",
					   d->host, d->port);
				return false;
			}
			if (rr != RELAY_OK) {
				stream_close(&c->up);
				return false;   /* the client went away */
			}
			body_sent = true;
		}

		/* The response head; interim 1xx answers are dropped. */
		do {
			hr = read_head(&c->up, NULL, &resp,
				       srv->upstream_timeout_ms, false, &hl, &e);
			if (hr == HEAD_OK && resp.status >= 100 &&
			    resp.status < 200) {
				if (resp.status == 101)
					break;
				http_buf_consume(&c->up.buf, hl);
				continue;
			}
			break;
		} while (1);
		if (hr == HEAD_CLOSED && reused && !f->has_body) {
			stream_close(&c->up);   /* closed while idle: retry */
			continue;
		}
		break;
	}
	if (attempt == 2) {
		send_error(c, x, 502, "the origin %s:%u keeps closing the "
				      "connection", d->host, d->port);
		return false;
	}
	if (hr == HEAD_TIMEOUT) {
		stream_close(&c->up);
		send_error(c, x, 504, "the origin %s:%u did not answer within "
				      "%d ms",
			   d->host, d->port, srv->upstream_timeout_ms);
		return false;
	}
	if (hr != HEAD_OK || resp.status == 101) {
		stream_close(&c->up);
		if (hr == HEAD_CLOSED || hr == HEAD_IO)
			send_error(c, x, 502, "the origin %s:%u closed the "
					      "connection without an answer",
				   d->host, d->port);
		else
			send_error(c, x, 502, "the origin %s:%u sent an "
					      "invalid response: %s",
				   d->host, d->port,
				   http_strerror(hr == HEAD_BAD ? e
								: HTTP_E_STATUS));
		return false;
	}
	e = http_response_framing(&resp, f->method, strlen(f->method), &rinfo);
	if (e != HTTP_OK) {
		stream_close(&c->up);
		send_error(c, x, 502, "the origin %s:%u sent a response with "
				      "bad framing: %s",
			   d->host, d->port, http_strerror(e));
		return false;
	}
	if (rinfo.framing == HTTP_BODY_UNTIL_CLOSE)
		close_after = true;
	keep_up = !skipped_body && rinfo.framing != HTTP_BODY_UNTIL_CLOSE &&
		  resp.minor_version == 1 &&
		  !http_header_has_token(resp.headers, resp.num_headers,
					 "Connection", "close");

	/* Relay the head (hop-by-hop dropped, Via added), then the body. */
	http_buf_init(&head, 0);
	if (!proxy_relay_head_ex(&resp, d->info_header,
				 close_after ? "close" :
				 f->http10 ? "keep-alive" : NULL,
				 &head)) {
		http_buf_free(&head);
		stream_close(&c->up);
		send_error(c, x, 502, "the origin's response head could not "
				      "be relayed");
		return false;
	}
	x->status = resp.status;
	content_type(&resp, x->type, sizeof(x->type));
	http_buf_consume(&c->up.buf, hl);
	if (!send_client(c, x, head.data, head.len)) {
		http_buf_free(&head);
		stream_close(&c->up);
		return false;
	}
	http_buf_free(&head);
	rr = relay_body(&c->up, c->cl.fd, &rinfo, UINT64_MAX,
			srv->upstream_timeout_ms, &moved, &e);
	x->bytes += moved;
	if (rr != RELAY_OK) {
		/* Too late for an error response: cut both connections so the
		 * client sees a truncated body, not a wrong one. */
		stream_close(&c->up);
		return false;
	}
	if (!keep_up || c->up.buf.len > 0)
		stream_close(&c->up);
	return !close_after;
}

/* Lesson 07: after 200 Connection established the proxy only copies bytes. */
/*
 * CONNECT (RFC 9110 §9.3.6): connect, send 200, then relay bytes both
 * ways until either side closes.  A side that closes has its direction
 * shut down on the other side, so TLS close_notify still gets through.
 */
static void tunnel(struct conn *c, struct exchange *x,
		   struct proxy_decision *d)
{
	struct pollfd p[2];
	bool open[2] = {true, true};   /* client->origin, origin->client */
	char buf[PROXY_IO_CHUNK];
	bool reused;

	x->result = "TCP_TUNNEL";
	stream_close(&c->up);
	if (!upstream(c, x, d, "CONNECT", &reused))
		return;
	snprintf(x->peer, sizeof(x->peer), "%s", c->up_ip);
	x->hier = "HIER_DIRECT";
	x->status = 200;
	if (!send_client(c, x, d->out.data, d->out.len))
		goto done;
	/* Bytes the client sent after the CONNECT head (a TLS hello). */
	if (c->cl.buf.len > 0) {
		if (net_write_all(c->up.fd, c->cl.buf.data, c->cl.buf.len) < 0)
			goto done;
		http_buf_reset(&c->cl.buf);
	}
	while (open[0] || open[1]) {
		int rc;

		p[0].fd = open[0] ? c->cl.fd : -1;
		p[0].events = POLLIN;
		p[1].fd = open[1] ? c->up.fd : -1;
		p[1].events = POLLIN;
		rc = poll(p, 2, PROXY_TICK_MS);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0) {
			if (stop_requested)
				break;   /* an idle tunnel ends at shutdown */
			continue;
		}
		for (int i = 0; i < 2; i++) {
			int from = i == 0 ? c->cl.fd : c->up.fd;
			int to = i == 0 ? c->up.fd : c->cl.fd;
			ssize_t r;

			if (!open[i] || !(p[i].revents & (POLLIN | POLLHUP |
							 POLLERR)))
				continue;
			r = recv(from, buf, sizeof(buf), 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				open[i] = false;
				shutdown(to, SHUT_WR);
				if (r < 0)
					open[0] = open[1] = false;
				continue;
			}
			if (net_write_all(to, buf, (size_t)r) < 0) {
				open[0] = open[1] = false;
				break;
			}
			if (i == 1)
				x->bytes += (size_t)r;
		}
	}
done:
	stream_close(&c->up);
}

/*
 * Serve one client connection: requests one after another until either
 * side closes, a request goes wrong, or the server stops.
 */
static void serve(struct conn *c)
{
	struct proxy_server *srv = c->srv;

	for (;;) {
		struct http_request req;
		struct proxy_decision d;
		struct req_facts f;
		struct exchange x;
		enum http_err e = HTTP_OK;
		enum head_rc hr;
		size_t hl = 0;
		bool close_after, keep = true;
		const void *body = NULL;
		size_t body_len = 0;

		memset(&x, 0, sizeof(x));
		x.start_ms = mono_ms();
		x.result = "NONE";
		x.hier = "HIER_NONE";
		snprintf(x.peer, sizeof(x.peer), "-");
		hr = read_head(&c->cl, &req, NULL, srv->header_timeout_ms, true,
			       &hl, &e);
		if (hr == HEAD_CLOSED || hr == HEAD_IO)
			return;
		if (hr == HEAD_TIMEOUT) {
			send_error(c, &x, 408,
				   "the request head did not arrive within %d "
				   "ms",
				   srv->header_timeout_ms);
			log_access(c, &x);
			return;
		}
		if (hr == HEAD_BAD) {
			int st = http_err_status(e);

			send_error(c, &x, st, "%s", http_strerror(e));
			log_access(c, &x);
			return;
		}

		/* Facts kept after the head leaves the buffer. */
		memset(&f, 0, sizeof(f));
		snprintf(f.method, sizeof(f.method), "%.*s",
			 (int)req.method_len, req.method);
		snprintf(x.method, sizeof(x.method), "%s", f.method);
		snprintf(x.url, sizeof(x.url), "%.*s", (int)req.target_len,
			 req.target);
		f.expect = expects_continue(&req);
		f.http10 = req.minor_version == 0;
		e = http_request_framing(&req, &f.body);
		if (e != HTTP_OK) {
			/* RFC 9112 §6.3: a body we cannot frame is 400 and
			 * the connection closes (request smuggling). */
			send_error(c, &x, 400, "%s", http_strerror(e));
			log_access(c, &x);
			return;
		}
		f.has_body = f.body.framing == HTTP_BODY_CHUNKED ||
			     (f.body.framing == HTTP_BODY_LENGTH &&
			      f.body.length > 0);
		if (f.body.framing == HTTP_BODY_LENGTH &&
		    c->cl.buf.len - hl >= f.body.length) {
			body = c->cl.buf.data + hl;   /* for qop=auth-int */
			body_len = (size_t)f.body.length;
		}

		proxy_decision_init(&d);
		/* No lock here: password hashing runs in parallel; the
		 * nonce-count step inside takes guard_lock itself. */
		proxy_decide(srv->cfg, srv->state, &req, body, body_len,
			     (uint64_t)time(NULL), &d);
		log_why(c, &d);
		snprintf(x.user, sizeof(x.user), "%s", d.user);
		http_buf_consume(&c->cl.buf, hl);   /* req is invalid now */
		close_after = d.close || stop_requested;

		switch (d.action) {
		case PROXY_RESPOND:
			/* A body we did not read would be taken for the next
			 * request: drop a small one, else close. */
			if (f.has_body) {
				uint64_t moved;

				if (f.body.framing != HTTP_BODY_LENGTH ||
				    f.body.length > PROXY_MAX_DISCARD ||
				    f.expect ||
				    relay_body(&c->cl, -1, &f.body,
					       PROXY_MAX_DISCARD,
					       srv->header_timeout_ms, &moved,
					       &e) != RELAY_OK)
					close_after = true;
			}
			if (close_after)
				force_close(&d.out);
			x.result = d.status == 407 || d.status == 403
					   ? "TCP_DENIED" : "NONE";
			x.status = d.status;
			snprintf(x.type, sizeof(x.type), "%s",
				 d.status == 200 && strcmp(f.method, "TRACE") == 0
					 ? "message/http" : "text/plain");
			keep = send_client(c, &x, d.out.data, d.out.len);
			break;
		case PROXY_TUNNEL:
			tunnel(c, &x, &d);
			keep = false;
			break;
		case PROXY_FORWARD:
			keep = forward(c, &x, &d, &f, close_after);
			break;
		}
		proxy_decision_free(&d);
		log_access(c, &x);
		if (!keep || close_after)
			return;
	}
}

/* ---- Threads and the accept loop ---- */

/* A connection thread: serve, free everything, count itself out. */
static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct proxy_server *srv = c->srv;

	serve(c);
	stream_close(&c->cl);
	stream_close(&c->up);
	http_buf_free(&c->cl.buf);
	http_buf_free(&c->up.buf);
	free(c);
	pthread_mutex_lock(&srv->lock);
	srv->active--;
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/*
 * Over the limit: 503 and close, from the accept loop itself so no thread
 * is spent.  What the client already sent is drained first (without
 * waiting) so the close does not reset the connection before it reads.
 */
static void busy(struct proxy_server *srv, int fd)
{
	char body[200], junk[4096];
	struct http_buf out;

	snprintf(body, sizeof(body),
		 "503 Service Unavailable\nproxy: too many connections (%u "
		 "at once); try again later\n",
		 srv->max_connections);
	http_buf_init(&out, 0);
	net_set_timeouts(fd, 0, 1000);
	if (proxy_write_own(&out, 503, true, body))
		net_write_all(fd, out.data, out.len);
	http_buf_free(&out);
	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* The lock callbacks guard_commit() holds around the nonce counts. */
static void guard_lock_take(void *m)
{
	pthread_mutex_lock(m);
}

static void guard_lock_give(void *m)
{
	pthread_mutex_unlock(m);
}

/* Defaults from server.h; the caller may change them before run. */
enum http_err proxy_server_init(struct proxy_server *srv,
				struct proxy_config *cfg,
				unsigned nonce_lifetime)
{
	enum http_err e;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	srv->header_timeout_ms = PROXY_DEFAULT_HEADER_TIMEOUT_MS;
	srv->upstream_timeout_ms = PROXY_DEFAULT_UPSTREAM_TIMEOUT_MS;
	srv->max_connections = PROXY_DEFAULT_MAX_CONNECTIONS;
	srv->log = stdout;
	srv->state = calloc(1, sizeof(*srv->state));
	if (srv->state == NULL)
		return HTTP_E_NOMEM;
	pthread_mutex_init(&srv->guard_lock, NULL);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	e = proxy_state_init(srv->state, nonce_lifetime);
	/* Only the nonce-count step takes guard_lock (http/guard.h). */
	guard_state_set_lock(&srv->state->guard, guard_lock_take,
			     guard_lock_give, &srv->guard_lock);
	return e;
}

/* Free the decision state (after proxy_server_run() returned). */
void proxy_server_free(struct proxy_server *srv)
{
	if (srv->state != NULL) {
		/* The nonce secret goes with it. */
		memset(srv->state, 0, sizeof(*srv->state));
		free(srv->state);
	}
	srv->state = NULL;
	pthread_mutex_destroy(&srv->guard_lock);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
}

/* Only sets a flag: safe in a signal handler. */
void proxy_server_stop(void)
{
	stop_requested = 1;
}

/* Accept until stopped; listen_fd is closed on return.  See server.h. */
int proxy_server_run(struct proxy_server *srv, int listen_fd)
{
	pthread_attr_t attr;
	int rc = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, PROXY_THREAD_STACK);
	while (!stop_requested) {
		struct pollfd p = {.fd = listen_fd, .events = POLLIN};
		struct conn *c;
		pthread_t t;
		int fd, prc;

		prc = poll(&p, 1, PROXY_TICK_MS);
		if (prc <= 0)
			continue;   /* tick, or EINTR from a signal */
		fd = net_accept(listen_fd);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EAGAIN || errno == EMFILE ||
			    errno == ENFILE)
				continue;
			rc = -1;
			break;
		}
		pthread_mutex_lock(&srv->lock);
		if (srv->active >= srv->max_connections) {
			pthread_mutex_unlock(&srv->lock);
			busy(srv, fd);
			continue;
		}
		srv->active++;
		pthread_mutex_unlock(&srv->lock);

		c = calloc(1, sizeof(*c));
		if (c != NULL) {
			c->srv = srv;
			c->cl.fd = fd;
			c->up.fd = -1;
			http_buf_init(&c->cl.buf, PROXY_IN_MAX);
			http_buf_init(&c->up.buf, PROXY_IN_MAX);
			peer_ip(fd, c->client_ip, sizeof(c->client_ip));
			c->id = ++srv->accepted;
		}
		if (c == NULL || pthread_create(&t, &attr, conn_thread, c) != 0) {
			if (c != NULL) {
				http_buf_free(&c->cl.buf);
				http_buf_free(&c->up.buf);
				free(c);
			}
			pthread_mutex_lock(&srv->lock);
			srv->active--;
			pthread_mutex_unlock(&srv->lock);
			busy(srv, fd);
		}
	}
	pthread_attr_destroy(&attr);
	close(listen_fd);

	/* SIGTERM: no new connections; wait for those in flight. */
	pthread_mutex_lock(&srv->lock);
	while (srv->active > 0)
		pthread_cond_wait(&srv->idle, &srv->lock);
	pthread_mutex_unlock(&srv->lock);
	return rc;
}

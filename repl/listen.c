/*
 * repl/listen.c - the socket side of outside clients (see
 * repl/intercept.h): the listener, non-blocking reads of requests, and
 * the byte relay of a tunnel with what the proxy can see of it.
 *
 * Sections: Opening, Reading requests, Tunnels, The pump.
 *
 * Nothing here waits on an outside client: every read is of what poll()
 * said is ready, so the prompt (or a lab script) never hangs on one.
 */
#define _GNU_SOURCE

#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../http/message.h"
#include "../net/net.h"
#include "intercept.h"
#include "wire.h"

/* ---- Opening ---- */

bool listen_open(struct intercept *ic, const char *hostport, char *err,
		 size_t err_cap)
{
	char spec[300];

	if (ic->lfd >= 0) {
		snprintf(err, err_cap,
			 "already listening on %s (listen off first)",
			 ic->bound);
		return false;
	}
	/* a bare port means loopback: the lab's users are well known */
	if (strchr(hostport, ':') == NULL)
		snprintf(spec, sizeof(spec), "127.0.0.1:%s", hostport);
	else
		snprintf(spec, sizeof(spec), "%s", hostport);
	ic->lfd = net_listen(spec, ic->bound, sizeof(ic->bound), err, err_cap);
	if (ic->lfd < 0)
		return false;
	fcntl(ic->lfd, F_SETFL, fcntl(ic->lfd, F_GETFL) | O_NONBLOCK);
	return true;
}

void listen_drop(struct intercept *ic, struct icpt_conn *c)
{
	int i;

	(void)ic;
	wire_close(&c->fd);
	wire_close(&c->up);
	wire_close(&c->srv);
	http_buf_free(&c->in);
	http_buf_free(&c->held);
	for (i = 0; i < 2; i++)
		http_buf_free(&c->side[i].peek);
	c->st = ICPT_FREE;
}

void listen_close(struct intercept *ic)
{
	size_t i;

	for (i = 0; i < ICPT_MAX_CONNS; i++)
		if (ic->c[i].st != ICPT_FREE)
			listen_drop(ic, &ic->c[i]);
	wire_close(&ic->lfd);
}

void listen_say(struct repl *r, const char *fmt, ...)
{
	struct intercept *ic = r->icpt;
	va_list ap;

	if (!ic->printed && ic->before_print != NULL)
		ic->before_print(ic->arg);
	ic->printed = true;
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fflush(r->out);
}

size_t listen_pollfds(const struct intercept *ic, struct pollfd *pfd,
		      size_t cap)
{
	size_t n = 0, i;

	if (ic->lfd >= 0 && n < cap)
		pfd[n++] = (struct pollfd){ic->lfd, POLLIN, 0};
	for (i = 0; i < ICPT_MAX_CONNS; i++) {
		const struct icpt_conn *c = &ic->c[i];
		if (c->st == ICPT_READING && n < cap)
			pfd[n++] = (struct pollfd){c->fd, POLLIN, 0};
		if (c->st == ICPT_TUNNEL && n + 2 < cap) {
			pfd[n++] = (struct pollfd){c->fd, POLLIN, 0};
			pfd[n++] = (struct pollfd){c->up, POLLIN, 0};
			if (c->srv >= 0)
				pfd[n++] = (struct pollfd){c->srv, POLLIN, 0};
		}
	}
	return n;
}

struct icpt_conn *listen_oldest(struct intercept *ic)
{
	struct icpt_conn *best = NULL;
	size_t i;

	for (i = 0; i < ICPT_MAX_CONNS; i++)
		if (ic->c[i].st == ICPT_HELD &&
		    (best == NULL || ic->c[i].seq < best->seq))
			best = &ic->c[i];
	return best;
}

static void accept_one(struct repl *r)
{
	struct intercept *ic = r->icpt;
	int fd = net_accept(ic->lfd);
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < ICPT_MAX_CONNS; i++)
		if (ic->c[i].st == ICPT_FREE)
			break;
	if (i == ICPT_MAX_CONNS) {
		/* more than we follow at once: say so, and close */
		static const char busy[] =
		    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n";
		(void)net_write_all(fd, busy, sizeof(busy) - 1);
		close(fd);
		return;
	}
	memset(&ic->c[i], 0, sizeof(ic->c[i]));
	ic->c[i].fd = fd;
	ic->c[i].up = -1;
	ic->c[i].srv = -1;
	ic->c[i].num = ic->next_num++;
	ic->c[i].st = ICPT_READING;
	http_buf_init(&ic->c[i].in, LAB_MAX_MESSAGE);
	http_buf_init(&ic->c[i].held, LAB_MAX_MESSAGE);
	net_set_timeouts(fd, LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
	if (ic->auto_release || r->script)
		return;
	listen_say(r, "(#%d: an outside client connected)\n", ic->c[i].num);
}

/* ---- Reading requests ---- */

/* A complete request at the front of c->in: its length, 0 when not yet,
 * -1 when it cannot be one (the connection is answered 400 and closed). */
static long complete_request(struct icpt_conn *c, const char **why)
{
	struct http_request req;
	struct http_body_info info;
	enum http_err e = HTTP_OK;
	long hl = http_parse_request(c->in.data, c->in.len, &req, &e);

	if (hl == HTTP_PARSE_PARTIAL)
		return 0;
	if (hl < 0) {
		*why = http_strerror(e);
		return -1;
	}
	e = http_request_framing(&req, &info);
	if (e != HTTP_OK) {
		*why = http_strerror(e);
		return -1;
	}
	if (info.framing == HTTP_BODY_NONE)
		return hl;
	if (info.framing == HTTP_BODY_LENGTH) {
		if (info.length > LAB_MAX_BODY) {
			*why = "the request body is over the lab's limit";
			return -1;
		}
		return c->in.len >= (size_t)hl + info.length
			   ? hl + (long)info.length
			   : 0;
	}
	/* chunked: the lab steps whole messages it can show; a chunked
	 * request body is read only by the daemons */
	*why = "the lab holds requests with Content-Length bodies only "
	       "(this one is chunked)";
	return -1;
}

static void bad_request(struct repl *r, struct icpt_conn *c, const char *why)
{
	struct http_buf b;

	http_buf_init(&b, 4096);
	http_write_text_response(&b, 400, "Connection: close\r\n", why,
				 strlen(why));
	(void)net_write_all(c->fd, b.data, b.len);
	http_buf_free(&b);
	listen_say(r,
		   "(#%d: not a request the lab can hold: %s -> 400, "
		   "closed)\n",
		   c->num, why);
	listen_drop(r->icpt, c);
}

/* Move one complete request out of c->in into c->held, if there is one. */
void listen_take_request(struct repl *r, struct icpt_conn *c)
{
	const char *why = NULL;
	long n;

	if (c->st != ICPT_READING || c->in.len == 0)
		return;
	n = complete_request(c, &why);
	if (n < 0) {
		bad_request(r, c, why);
		return;
	}
	if (n == 0)
		return;
	http_buf_reset(&c->held);
	http_buf_append(&c->held, c->in.data, (size_t)n);
	memmove(c->in.data, c->in.data + n, c->in.len - (size_t)n);
	c->in.len -= (size_t)n;
	r->icpt->requests++;
	intercept_arrived(r, c);
}

static void read_client(struct repl *r, struct icpt_conn *c)
{
	char chunk[ICPT_CHUNK];
	ssize_t got = read(c->fd, chunk, sizeof(chunk));

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		if (!r->icpt->auto_release)
			listen_say(r,
				   "(#%d: the outside client closed the "
				   "connection)\n",
				   c->num);
		listen_drop(r->icpt, c);
		return;
	}
	if (!http_buf_append(&c->in, chunk, (size_t)got)) {
		bad_request(r, c, "the request is over the lab's limit");
		return;
	}
	listen_take_request(r, c);
}

/* ---- Tunnels ---- */

/*
 * What crosses a tunnel, as a proxy sees it: a line per TLS record and
 * the hellos read (http/tlsrec.h), or, when the bytes are plain HTTP,
 * the heads inside.  Only summaries are kept: the TLS reader's bounded
 * hello copy and ICPT_PEEK bytes of a plain head.
 */
static void show_plain(struct repl *r, struct icpt_conn *c, int dir,
		       const char *p, size_t n)
{
	struct icpt_side *s = &c->side[dir];
	const char *arrow =
	    dir == 0 ? "client -> far end" : "far end -> client";

	while (n > 0 && !s->plain_done) {
		struct http_request req;
		struct http_response resp;
		struct http_body_info info = {0};
		enum http_err e = HTTP_OK;
		long hl;
		size_t take;

		if (s->skip > 0) {
			take = n < s->skip ? n : (size_t)s->skip;
			s->skip -= take;
			p += take;
			n -= take;
			continue;
		}
		take = ICPT_PEEK - s->peek.len;
		if (take > n)
			take = n;
		http_buf_append(&s->peek, p, take);
		p += take;
		n -= take;
		hl = dir == 0 ? http_parse_request(s->peek.data, s->peek.len,
						   &req, &e)
			      : http_parse_response(s->peek.data, s->peek.len,
						    &resp, &e);
		if (hl == HTTP_PARSE_PARTIAL && s->peek.len < ICPT_PEEK)
			continue;
		if (hl <= 0) {
			listen_say(r,
				   "  #%d tunnel %s: %zu bytes, neither TLS "
				   "nor HTTP; relayed unread\n",
				   c->num, arrow, s->peek.len);
			s->plain_done = true;
			break;
		}
		listen_say(r,
			   "  #%d tunnel %s: plain HTTP, the proxy can "
			   "read it all:\n",
			   c->num, arrow);
		{
			/* the head, line by line, indented */
			const char *q = s->peek.data, *end = q + hl;
			while (q < end) {
				const char *nl =
				    memchr(q, '\n', (size_t)(end - q));
				size_t len =
				    nl ? (size_t)(nl - q) : (size_t)(end - q);
				if (len > 0 && q[len - 1] == '\r')
					len--;
				if (len > 0)
					listen_say(r, "    %.*s\n", (int)len,
						   q);
				q = nl ? nl + 1 : end;
			}
		}
		if (dir == 0 ? http_request_framing(&req, &info) != HTTP_OK
			     : http_response_framing(&resp, "GET", 3, &info) !=
				       HTTP_OK ||
				   info.framing == HTTP_BODY_CHUNKED ||
				   info.framing == HTTP_BODY_UNTIL_CLOSE)
			s->plain_done = true; /* the rest is relayed unread */
		else if (info.framing == HTTP_BODY_LENGTH)
			s->skip = info.length;
		/* bytes after the head in peek: the body, or the next head */
		{
			size_t rest = s->peek.len - (size_t)hl;
			char tmp[ICPT_PEEK];
			memcpy(tmp, s->peek.data + hl, rest);
			http_buf_reset(&s->peek);
			if (rest > 0 && !s->plain_done) {
				show_plain(r, c, dir, tmp, rest);
			}
		}
	}
}

static void show_tunnel_bytes(struct repl *r, struct icpt_conn *c, int dir,
			      const char *p, size_t n)
{
	struct icpt_side *s = &c->side[dir];
	const char *arrow =
	    dir == 0 ? "client -> far end" : "far end -> client";

	if (s->not_tls) {
		show_plain(r, c, dir, p, n);
		return;
	}
	while (n > 0) {
		struct tlsrec_event ev;
		enum http_err e = HTTP_OK;
		char line[512];
		long used = tlsrec_read(&s->tls, p, n, &ev, &e);

		if (used < 0) {
			if (s->bytes == 0 || s->records == 0) {
				s->not_tls = true;
				show_plain(r, c, dir, p, n);
			} else {
				listen_say(r,
					   "  #%d tunnel %s: no longer TLS "
					   "(%s); relayed unread\n",
					   c->num, arrow, http_strerror(e));
				s->not_tls = s->plain_done = true;
			}
			return;
		}
		p += used;
		n -= (size_t)used;
		if (ev.kind == TLSREC_NONE)
			break;
		if (ev.kind == TLSREC_RECORD)
			s->records++;
		tlsrec_describe(&ev, line, sizeof(line));
		listen_say(r, "  #%d tunnel %s: %s\n", c->num, arrow, line);
		if (used == 0 && ev.kind == TLSREC_NONE)
			break;
	}
}

static void relay(struct repl *r, struct icpt_conn *c, int dir)
{
	char chunk[ICPT_CHUNK];
	int from = dir == 0 ? c->fd : c->up, to = dir == 0 ? c->up : c->fd;
	ssize_t got = read(from, chunk, sizeof(chunk));

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0 || net_write_all(to, chunk, (size_t)got) < 0) {
		listen_say(r,
			   "  #%d tunnel closed: %llu bytes client -> far "
			   "end, %llu back\n",
			   c->num, (unsigned long long)c->side[0].bytes,
			   (unsigned long long)c->side[1].bytes);
		listen_drop(r->icpt, c);
		return;
	}
	show_tunnel_bytes(r, c, dir, chunk, (size_t)got);
	c->side[dir].bytes += (uint64_t)got;
}

/* The connection becomes a tunnel (after the 2xx was released). */
void listen_start_tunnel(struct icpt_conn *c)
{
	int i;

	c->st = ICPT_TUNNEL;
	for (i = 0; i < 2; i++) {
		memset(&c->side[i], 0, sizeof(c->side[i]));
		tlsrec_init(&c->side[i].tls);
		http_buf_init(&c->side[i].peek, ICPT_PEEK);
	}
	/* bytes the client sent after CONNECT, before the 200 */
	if (c->in.len > 0 && net_write_all(c->up, c->in.data, c->in.len) >= 0)
		c->side[0].bytes += c->in.len;
	http_buf_reset(&c->in);
}

/* ---- The pump ---- */

bool listen_pump(struct repl *r, int timeout_ms)
{
	struct intercept *ic = r->icpt;
	struct pollfd pfd[1 + 3 * ICPT_MAX_CONNS];
	size_t n = listen_pollfds(ic, pfd, sizeof(pfd) / sizeof(pfd[0])), i, j;
	int pr;

	if (n == 0)
		return true;
	pr = poll(pfd, (nfds_t)n, timeout_ms);
	if (pr < 0)
		return errno == EINTR;
	if (pr == 0)
		return true;
	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == ic->lfd) {
			accept_one(r);
			continue;
		}
		for (j = 0; j < ICPT_MAX_CONNS; j++) {
			struct icpt_conn *c = &ic->c[j];
			if (c->st == ICPT_READING && c->fd == pfd[i].fd)
				read_client(r, c);
			else if (c->st == ICPT_TUNNEL && c->fd == pfd[i].fd)
				relay(r, c, 0);
			else if (c->st == ICPT_TUNNEL && c->up == pfd[i].fd)
				relay(r, c, 1);
			else if (c->st == ICPT_TUNNEL && c->srv >= 0 &&
				 c->srv == pfd[i].fd) {
				/* the lab's origin at the tunnel's far end */
				if (!wire_serve_origin(r->lab, c->srv))
					wire_close(&c->srv);
			} else
				continue;
			break;
		}
	}
	return true;
}

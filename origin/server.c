/*
 * origin/server.c - bin/origin's sockets: accept, read, decide, write.
 *
 * Everything the origin decides is in origin/gate.c; this file only moves
 * bytes.  Model: one detached thread per connection, bounded by
 * ORIGIN_MAX_CONNS (past it a new connection gets 503 and is closed), so
 * the code reads top to bottom like the protocol: head, body, answer.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../net/net.h"

#define ORIGIN_ACCEPT_POLL_MS 200 /* how often the accept loop checks *stop */
#define ORIGIN_BUF_MAX (HTTP_MAX_HEAD_BYTES + 2 * ORIGIN_MAX_BODY)
#define ORIGIN_DRAIN_MS 2000 /* at exit: time open connections get to end */

/* ---- Set-up ---- */

/* The lock callbacks guard_commit() holds around the nonce counts. */
static void guard_lock_take(void *m)
{
	pthread_mutex_lock(m);
}

static void guard_lock_give(void *m)
{
	pthread_mutex_unlock(m);
}

/* Copy the configuration and make the shared state. */
enum http_err origin_server_init(struct origin_server *srv,
				 const struct origin_config *cfg,
				 unsigned nonce_lifetime)
{
	enum http_err e;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->st = calloc(1, sizeof(*srv->st));
	if (srv->st == NULL)
		return HTTP_E_NOMEM;
	e = origin_state_init(srv->st, nonce_lifetime);
	if (e != HTTP_OK) {
		free(srv->st);
		srv->st = NULL;
		return e;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->count_lock, NULL);
	/* Only the nonce-count step takes lock (http/guard.h). */
	guard_state_set_lock(&srv->st->guard, guard_lock_take,
			     guard_lock_give, &srv->lock);
	return HTTP_OK;
}

/*
 * Wait (at most ORIGIN_DRAIN_MS) for the connection threads to finish,
 * then wipe the state - its nonce secret - and free it.  A thread still
 * serving after that still points at the state: it is then wiped (under
 * the lock) but not freed, and the process is about to exit anyway.
 */
void origin_server_free(struct origin_server *srv)
{
	int waited, active = 0;

	if (srv->st == NULL)
		return;
	for (waited = 0; waited <= ORIGIN_DRAIN_MS; waited += 20) {
		struct timespec ts = {0, 20 * 1000000L};

		pthread_mutex_lock(&srv->count_lock);
		active = srv->active;
		pthread_mutex_unlock(&srv->count_lock);
		if (active == 0)
			break;
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&srv->lock);
	explicit_bzero(srv->st, sizeof(*srv->st));
	pthread_mutex_unlock(&srv->lock);
	if (active != 0)
		return;
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->count_lock);
	free(srv->st);
	srv->st = NULL;
}

/* ---- One connection ---- */

/* Answer an unreadable request with a status and the reason; the caller
 * then closes (RFC 9112 §6.3: framing we cannot trust ends the
 * connection). */
static void refuse(struct origin_server *srv, int fd, enum http_err e)
{
	struct http_buf out;
	char body[256];
	int status = http_err_status(e);
	int n =
	    snprintf(body, sizeof(body), "%d: %s\n", status, http_strerror(e));

	http_buf_init(&out, 0);
	http_write_text_response(
	    &out, status, "Server: lab407-origin\r\nConnection: close\r\n",
	    body, (size_t)n < sizeof(body) ? (size_t)n : 0);
	net_write_all(fd, out.data, out.len);
	http_buf_free(&out);
	if (srv->log != NULL) {
		char line[300];

		snprintf(line, sizeof(line),
			 "origin: unreadable request (%s) "
			 "-> %d",
			 http_strerror(e), status);
		srv->log(srv->log_ctx, line);
	}
}

/* RFC 9112 §9.3: HTTP/1.1 stays open unless "close"; HTTP/1.0 closes
 * unless "keep-alive". */
static bool keep_open(const struct http_request *req)
{
	const struct http_header *h = req->headers;
	size_t n = req->num_headers;

	if (http_header_has_token(h, n, "Connection", "close"))
		return false;
	if (req->minor_version == 0)
		return http_header_has_token(h, n, "Connection", "keep-alive");
	return true;
}

/*
 * Serve requests on fd until the client closes, errs, or asks to close.
 * The head is parsed again after the body is read, because reading may
 * move the buffer the parsed pointers point into.
 */
void origin_server_connection(struct origin_server *srv, int fd)
{
	struct http_buf in, body;
	struct origin_decision d;

	net_set_timeouts(fd, ORIGIN_IDLE_MS, ORIGIN_IDLE_MS);
	http_buf_init(&in, ORIGIN_BUF_MAX);
	http_buf_init(&body, ORIGIN_MAX_BODY + 1);
	origin_decision_init(&d);
	for (;;) {
		struct http_request req;
		struct http_body_info info;
		enum http_err err = HTTP_OK;
		long head, raw;
		bool open;

		head = net_read_head(fd, &in, &req, NULL, &err);
		if (head == 0)
			break; /* clean close */
		if (head < 0) {
			if (err != HTTP_E_PARTIAL)
				refuse(srv, fd, err);
			break;
		}
		err = http_request_framing(&req, &info);
		if (err != HTTP_OK) {
			refuse(srv, fd, err);
			break;
		}
		/* RFC 9110 §10.1.1: say 100 before the client sends a body it
		 * is holding back. */
		if (info.framing != HTTP_BODY_NONE &&
		    http_header_has_token(req.headers, req.num_headers,
					  "Expect", "100-continue") &&
		    in.len == (size_t)head)
			net_write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		http_buf_reset(&body);
		raw = net_read_body(fd, &in, (size_t)head, &info,
				    ORIGIN_MAX_BODY, &body, &err);
		if (raw < 0) {
			if (err != HTTP_E_PARTIAL)
				refuse(srv, fd, err);
			break;
		}
		if (http_parse_request(in.data, (size_t)head, &req, &err) !=
		    head)
			break; /* cannot happen: the same bytes parsed before */
		open = keep_open(&req);

		/* No lock here: the nonce-count step takes srv->lock itself.
		 * The whole body was read: never NULL for auth-int. */
		http_buf_reset(&d.out);
		origin_decide(&srv->cfg, srv->st, &req,
			      body.data ? body.data : "", body.len,
			      (uint64_t)time(NULL), &d);

		if (srv->log != NULL)
			srv->log(srv->log_ctx, d.why);
		if (net_write_all(fd, d.out.data, d.out.len) < 0)
			break;
		if (!open)
			break;
		http_buf_consume(&in, (size_t)head + (size_t)raw);
	}
	origin_decision_free(&d);
	http_buf_free(&in);
	http_buf_free(&body);
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* ---- Accepting ---- */

struct conn_arg {
	struct origin_server *srv;
	int fd;
};

/* Thread body: serve, then give the slot back. */
static void *conn_thread(void *p)
{
	struct conn_arg *a = p;
	struct origin_server *srv = a->srv;

	origin_server_connection(srv, a->fd);
	free(a);
	pthread_mutex_lock(&srv->count_lock);
	srv->active--;
	pthread_mutex_unlock(&srv->count_lock);
	return NULL;
}

/* Too many connections: a short 503 (RFC 9110 §15.6.4), then close. */
static void busy(int fd)
{
	static const char msg[] =
	    "HTTP/1.1 503 Service Unavailable\r\n"
	    "Server: lab407-origin\r\nConnection: close\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 31\r\n\r\n"
	    "503: too many connections open\n";

	net_write_all(fd, msg, sizeof(msg) - 1);
	close(fd);
}

/* Accept until *stop; one detached thread per connection. */
int origin_server_run(struct origin_server *srv, int listen_fd,
		      volatile sig_atomic_t *stop)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!*stop) {
		struct pollfd p = {.fd = listen_fd, .events = POLLIN};
		struct conn_arg *a;
		pthread_t t;
		int fd, full;

		if (poll(&p, 1, ORIGIN_ACCEPT_POLL_MS) <= 0)
			continue;
		fd = net_accept(listen_fd);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EAGAIN || errno == EMFILE ||
			    errno == ENFILE)
				continue;
			pthread_attr_destroy(&attr);
			return -1;
		}
		pthread_mutex_lock(&srv->count_lock);
		full = srv->active >= ORIGIN_MAX_CONNS;
		if (!full)
			srv->active++;
		pthread_mutex_unlock(&srv->count_lock);
		if (full) {
			busy(fd);
			continue;
		}
		a = malloc(sizeof(*a));
		if (a != NULL) {
			a->srv = srv;
			a->fd = fd;
		}
		if (a == NULL ||
		    pthread_create(&t, &attr, conn_thread, a) != 0) {
			free(a);
			close(fd);
			pthread_mutex_lock(&srv->count_lock);
			srv->active--;
			pthread_mutex_unlock(&srv->count_lock);
		}
	}
	pthread_attr_destroy(&attr);
	return 0;
}

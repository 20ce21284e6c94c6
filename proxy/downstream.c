/*
 * proxy/downstream.c - the client's side of a bin/proxy connection (the
 * downstream one, toward the user agent): its socket, or with --tls-cert
 * a TLS server on it, and the libevent callbacks where the client's bytes
 * arrive, go out, or end.  Each callback hands the bytes to the phase the
 * connection is in (enum conn_state, proxy/conn.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../net/net.h"

/* ---- The client's socket ---- */

static void on_client_read(struct bufferevent *bev, void *arg);
static void on_client_write(struct bufferevent *bev, void *arg);
static void on_client_event(struct bufferevent *bev, short what, void *arg);

/* Numeric address of a socket's peer, without the port: from what
 * accept() returned when the loop has it, else from getpeername(). */
void downstream_peer_ip(const struct loop_worker *lw, int fd, char *out,
			size_t cap)
{
	struct sockaddr_storage ss;

	if (lw->peer_len > 0)
		ss = lw->peer;
	else if (!net_peer_addr(fd, &ss))
		ss.ss_family = AF_UNSPEC;
	net_ip_text(&ss, out, cap); /* "-" when there is none */
}

/*
 * The client side of a connection: the socket itself, or with --tls-cert
 * a TLS server on it (an "HTTPS proxy").  The handshake runs first, timed
 * by the phase timer like a slow head; libevent frees the SSL with the
 * bufferevent.
 */
static struct bufferevent *client_bev_new(struct proxy_server *srv,
					  struct event_base *base,
					  evutil_socket_t fd)
{
	struct bufferevent *bev;
	SSL *ssl;

	if (srv->tls == NULL)
		return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	ssl = SSL_new(srv->tls);
	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(
	    base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* A client that closes TCP without close_notify (many do after
	 * their last response) has ended, not failed: EOF, as on a plain
	 * socket.  Truncation matters to the reader of a body; the proxy
	 * reads only request heads and bodies with their own framing. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/*
 * c->cl, the client side of c on fd, with this file's callbacks, and
 * c->cl_rd that reads it (by hand on a plain socket, net/sockread.h).  A
 * client that does not read what we send is cut after send_ms; reading
 * is timed by the phase timer instead (per phase, not per read).  False
 * when out of memory; fd is closed then.
 */
bool downstream_new(struct conn *c, evutil_socket_t fd)
{
	struct proxy_server *srv = c->wk->srv;
	struct timeval send_tv = loop_tv(srv->t.send_ms);

	c->cl = client_bev_new(srv, c->wk->lw->base, fd);
	if (c->cl == NULL) {
		close(fd);
		return false;
	}
	bufferevent_setcb(c->cl, on_client_read, on_client_write,
			  on_client_event, c);
	bufferevent_set_timeouts(c->cl, NULL, &send_tv);
	c->cl_rd = sockread_new(c->cl, srv->tls == NULL, PROXY_HIGH_WATER);
	if (c->cl_rd == NULL) {
		bufferevent_free(c->cl); /* and fd with it */
		c->cl = NULL;
		return false;
	}
	return true;
}

/*
 * Shut the proxy's sending direction to the client once its output is
 * out.  Over TLS that is a close_notify alert first (RFC 8446 §6.1), so
 * the client can tell the end from a truncation, then the TCP FIN; the
 * proxy can still read, since OpenSSL goes on reading after sending
 * close_notify.
 */
void downstream_shut_write(struct conn *c)
{
	SSL *ssl =
	    c->wk->srv->tls != NULL ? bufferevent_openssl_get_ssl(c->cl) : NULL;

	if (ssl != NULL && SSL_is_init_finished(ssl)) {
		SSL_shutdown(ssl);
		ERR_clear_error();
	}
	shutdown(bufferevent_getfd(c->cl), SHUT_WR);
}

/*
 * After a failed handshake: read and drop what the client has sent so far
 * (at most 64 KiB), so that closing is a FIN and not a reset.
 */
static void drain_readable(struct conn *c)
{
	int fd = bufferevent_getfd(c->cl);
	char sink[4096];

	for (int i = 0; i < 16; i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
}

/*
 * A plain-HTTP request on the TLS port (OpenSSL recognises it as such):
 * answer it in plain text, as nginx does, so that the client shows why
 * instead of a bare closed connection.  Best effort and bounded: what is
 * readable now is read and dropped (so the close is not a reset), one
 * short write, then FIN.
 */
static void tls_refuse_plain(struct conn *c)
{
	static const char body[] =
	    "400 Bad Request\nproxy: this port speaks TLS; use https:// "
	    "for the proxy\n";
	int fd = bufferevent_getfd(c->cl);
	char msg[256];
	ssize_t n;
	int len;

	drain_readable(c);
	len = snprintf(msg, sizeof(msg),
		       "HTTP/1.1 400 Bad Request\r\n"
		       "Content-Type: text/plain\r\n"
		       "Content-Length: %zu\r\n"
		       "Connection: close\r\n\r\n%s",
		       sizeof(body) - 1, body);
	n = send(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
	shutdown(fd, SHUT_WR);
}

/* ---- libevent callbacks: where the client's bytes arrive ---- */

static void on_client_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case CONN_READING_HEAD:
		head_read(c);
		break;
	case CONN_HOLDING_BODY:
		hold_more(c);
		break;
	case CONN_RELAYING_BODY:
	case CONN_DISCARDING:
		relay_request_body(c);
		break;
	case CONN_TUNNELLING:
		tunnel_move(c, true);
		break;
	case CONN_LINGERING:
		c->lingered += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (c->lingered > PROXY_LINGER_MAX_BYTES)
			conn_free(c);
		break;
	default:
		/* Not reading in these states: the bytes (a pipelined
		 * request) wait in the input buffer. */
		break;
	}
}

/* The client's output went out (all of it: the low-water mark is 0). */
static void on_client_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->state) {
	case CONN_ANSWERING:
		respond_sent(c);
		break;
	case CONN_READING_HEAD:
		sockread_on(c->cl_rd);
		head_read(c);
		break;
	case CONN_RELAYING_RESPONSE:
		sockread_on(c->up_rd);
		relay_response_body(c);
		break;
	case CONN_TUNNELLING:
		if (c->up != NULL && !c->up_eof)
			sockread_on(c->up_rd);
		tunnel_flush(c);
		break;
	case CONN_LINGERING:
		if (c->cl_eof) {
			conn_free(c); /* all out, and the client had finished */
			break;
		}
		if (!c->half_closed) {
			downstream_shut_write(c);
			c->half_closed = true;
		}
		break;
	default:
		break;
	}
}

/* The TLS handshake with the client finished: version and suite in -v. */
static void tls_connected(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->cl);

	if (c->wk->srv->verbose && ssl != NULL)
		log_line(c->wk->srv, "conn %u: TLS from %s: %s %s\n", c->id,
			 c->client_ip, SSL_get_version(ssl),
			 SSL_get_cipher_name(ssl));
}

/* The TLS layer failed (a handshake, usually): say why in -v. */
static void tls_failed(struct conn *c)
{
	unsigned long e = bufferevent_get_openssl_error(c->cl);
	char reason[256] = "connection closed during the handshake";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	if (e != 0 && ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST)
		tls_refuse_plain(c);
	else
		drain_readable(c);
	for (int i = 0; i < 16 && bufferevent_get_openssl_error(c->cl) != 0;
	     i++)
		continue; /* the rest of the queue, bounded */
	if (c->wk->srv->verbose)
		log_line(c->wk->srv, "conn %u: TLS from %s failed: %s\n", c->id,
			 c->client_ip, reason);
}

/* The client closed, reset, or did not read within send_ms. */
static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	/* The client closed its tunnel (or reset it): RFC 9110 §9.3.6.  Not
	 * reading what we send within send_ms ends it at once. */
	if (c->state == CONN_TUNNELLING && !(what & BEV_EVENT_TIMEOUT)) {
		tunnel_end(c, true, (what & BEV_EVENT_ERROR) != 0);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		/* The TLS handshake finished; the head comes next. */
		tls_connected(c);
		return;
	}
	/* libevent's TLS bufferevent stops writing at the client's EOF; an
	 * answer still to go after a half-close must go out all the same. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->wk->srv->tls != NULL)
		bufferevent_enable(c->cl, EV_WRITE);
	/* The client finished while the last answer is still queued (over
	 * TLS often: writing stopped at its EOF): send it, then close. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->state == CONN_READING_HEAD &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) > 0) {
		c->cl_eof = true;
		conn_linger(c);
		return;
	}
	/* A client that half-closes after its request (RFC 9112 §9.6
	 * allows it) still gets the answer; then the connection closes. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    c->state == CONN_LINGERING &&
	    evbuffer_get_length(bufferevent_get_output(c->cl)) > 0) {
		c->cl_eof = true; /* on_client_write() closes once it is out */
		return;
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    (c->state == CONN_DECIDING || c->state == CONN_CONNECTING ||
	     c->state == CONN_SENDING || c->state == CONN_READING_RESPONSE ||
	     c->state == CONN_RELAYING_RESPONSE ||
	     c->state == CONN_ANSWERING)) {
		c->cl_eof = true;
		c->close_after = true;
		return;
	}
	if (c->wk->srv->tls != NULL && (what & BEV_EVENT_ERROR))
		tls_failed(c);
	/* Lingering ends here; elsewhere the client vanished mid-exchange
	 * and everything of it goes (the upstream too: it is mid-message). */
	conn_free(c);
}

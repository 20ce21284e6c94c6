/*
 * client/main.c - bin/client: a curl-like command line around the pure
 * state machine in client/machine.c.
 *
 *   bin/client [-v] [-x PROXY] [-U user:pass] [-u user:pass] [-p] URL
 *
 * Options have curl's spelling and meaning (bin/client --help lists
 * them).  This file only moves bytes: connect, write the request the
 * machine built, read the response, hand it back, print.  With -v it shows
 * every request line as sent ("> "), every response header line as
 * received ("< ") and the machine's decisions ("* "), on stderr.
 *
 * Exit codes are curl's: 0, 3 bad URL, 5/6 cannot resolve, 7 cannot
 * connect, 22 (-f) status >= 400, 23 write error, 26 read error,
 * 35/60/77 TLS, 52 empty reply, 56 receive failure or CONNECT refused.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "../http/persist.h"
#include "../net/net.h"
#include "../net/reader.h"
#include "machine.h"
#include "options.h"
#include "output.h"
#include "tls.h"

#define CLIENT_CONNECT_TIMEOUT_MS 10000
#define CLIENT_IO_TIMEOUT_MS 30000
#define CLIENT_MAX_BODY (64u << 20) /* response body we hold */
#define CLIENT_MAX_INTERIM 8	    /* 1xx responses skipped before giving up */
#define CLIENT_MAX_STEPS 8	    /* requests per run: no loops */

/* ---- Connection ---- */

/* One connection: to the proxy, or to the origin; TLS on top or not. */
struct conn {
	int fd;	   /* -1: not connected */
	SSL *pssl; /* TLS to an https:// proxy, or NULL */
	SSL *ssl;  /* TLS to the origin (inside pssl if set), or NULL */
	struct http_buf in; /* bytes read but not used yet */
};

/* The TLS connection reads and writes go through, or NULL for plain. */
static SSL *conn_tls(const struct conn *c)
{
	return c->ssl != NULL ? c->ssl : c->pssl;
}

static void conn_close(struct conn *c)
{
	/* Inner first: its close_notify travels inside the outer TLS. */
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->pssl != NULL) {
		SSL_shutdown(c->pssl);
		SSL_free(c->pssl);
		c->pssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	http_buf_reset(&c->in);
}

/*
 * The reader's source (net/reader.h): TLS when there is some, else the
 * socket through net_recv().  > 0 bytes, 0 at the end, -1 on an error.
 */
static long conn_recv(void *ctx, char *buf, size_t cap)
{
	struct conn *c = ctx;
	SSL *ssl = conn_tls(c);
	int n;

	if (ssl == NULL)
		return (long)net_recv(c->fd, buf, cap);
	n = SSL_read(ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
	if (n <= 0) {
		int e = SSL_get_error(ssl, n);

		ERR_clear_error();
		/* A peer that closes without close_notify: EOF. */
		return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL
			   ? 0
			   : -1;
	}
	return n;
}

static bool conn_write(struct conn *c, const char *p, size_t n)
{
	SSL *ssl = conn_tls(c);

	if (ssl != NULL) {
		while (n > 0) {
			int w = SSL_write(ssl, p,
					  n > (1u << 30) ? (1 << 30) : (int)n);

			if (w <= 0)
				return false;
			p += w;
			n -= (size_t)w;
		}
		return true;
	}
	return net_write_all(c->fd, p, n) >= 0;
}

/* ---- One exchange ---- */

/* What one response left us with. */
struct response {
	struct http_buf head;	     /* the head as received */
	struct http_buf body;	     /* decoded body */
	struct http_response parsed; /* points into head */
	bool reusable;		     /* framed, and no Connection: close */
};

/*
 * Read one head from the connection into c->in (the shared reader,
 * net/reader.c).  Returns its length, or 0 with a message printed and
 * *rc set to curl's exit code.
 */
static size_t read_head(const struct options *o, struct conn *c,
			struct reader *rd, struct http_response *parsed,
			int *rc)
{
	enum http_err err;
	long head = reader_head(rd, &c->in, NULL, parsed, &err);

	if (head > 0)
		return (size_t)head;
	if (head == 0) {
		output_error(o, EXIT_EMPTY, "Empty reply from server");
		*rc = EXIT_EMPTY;
	} else if (err == HTTP_E_PARTIAL) {
		output_error(o, EXIT_RECV, "Recv failure: %s",
			     rd->failed ? "Connection reset or timed out"
					: "connection closed mid-response");
		*rc = EXIT_RECV;
	} else {
		output_error(o, EXIT_RECV, "Malformed response: %s",
			     http_strerror(err));
		*rc = EXIT_RECV;
	}
	return 0;
}

/*
 * Read heads until a final one (RFC 9110 §15.2: 1xx is interim, the
 * final answer follows); it is left at the front of c->in, parsed into
 * *parsed.  Returns its length, or 0 with *rc set.
 */
static size_t read_final_head(const struct options *o, struct conn *c,
			      struct reader *rd, struct http_response *parsed,
			      int *rc)
{
	for (int interim = 0;; interim++) {
		size_t head = read_head(o, c, rd, parsed, rc);

		if (head == 0)
			return 0;
		if (o->verbose)
			output_lines("< ", c->in.data, head);
		if (parsed->status >= 200)
			return head;
		/* RFC 9110 §15.2.2: 101 switches the connection to the
		 * protocol named in Upgrade, which we never send: nothing
		 * after it is HTTP/1.1 we can read. */
		if (parsed->status == 101) {
			output_error(o, EXIT_RECV,
				     "Unexpected 101 Switching Protocols "
				     "(no Upgrade was sent)");
			*rc = EXIT_RECV;
			return 0;
		}
		/* A server that only sends 1xx is stopped after a few,
		 * never taken as the answer. */
		if (interim + 1 > CLIENT_MAX_INTERIM) {
			output_error(o, EXIT_RECV,
				     "More than %d interim (1xx) "
				     "responses, no final one",
				     CLIENT_MAX_INTERIM);
			*rc = EXIT_RECV;
			return 0;
		}
		http_buf_consume(&c->in, head);
	}
}

/* The body after a final head (the shared reader); 0 or curl's code. */
static int read_body(const struct options *o, struct conn *c, struct reader *rd,
		     const struct http_body_info *info, struct response *r)
{
	enum http_err err;

	if (info->framing == HTTP_BODY_LENGTH &&
	    info->length > CLIENT_MAX_BODY) {
		output_error(o, EXIT_RECV,
			     "Response body too large "
			     "(over %u bytes)",
			     CLIENT_MAX_BODY);
		return EXIT_RECV;
	}
	if (reader_body(rd, &c->in, 0, info, CLIENT_MAX_BODY, &r->body, &err) >=
		0 &&
	    !r->body.failed)
		return EXIT_OK;
	if (err == HTTP_E_BODY_TOO_LARGE || r->body.failed)
		output_error(o, EXIT_RECV, "Response body too large");
	else if (err != HTTP_E_PARTIAL)
		output_error(o, EXIT_RECV, "Bad chunked body: %s",
			     http_strerror(err));
	else
		output_error(o, EXIT_RECV, "%s",
			     info->framing == HTTP_BODY_UNTIL_CLOSE
				 ? "Recv failure"
			     : info->framing == HTTP_BODY_CHUNKED
				 ? "Recv failure: chunked body cut short"
				 : "Recv failure: body cut short");
	return EXIT_RECV;
}

/*
 * Read one final response (1xx skipped) for a request with `method`.
 * Returns 0, or a curl exit code with a message printed.
 */
static int read_response(const struct options *o, struct conn *c,
			 const char *method, struct response *r)
{
	struct reader rd = {c->fd, conn_recv, c, false};
	struct http_body_info info;
	enum http_err err;
	int rc = EXIT_OK;
	size_t head = read_final_head(o, c, &rd, &r->parsed, &rc);

	if (head == 0)
		return rc;
	http_buf_reset(&r->head);
	http_buf_reset(&r->body);
	http_buf_append(&r->head, c->in.data, head);
	http_buf_consume(&c->in, head);
	http_parse_response(r->head.data, r->head.len, &r->parsed, &err);

	err = http_response_framing(&r->parsed, method, strlen(method), &info);
	if (err != HTTP_OK) {
		output_error(o, EXIT_RECV, "Bad response framing: %s",
			     http_strerror(err));
		return EXIT_RECV;
	}
	/* RFC 9112 §9.3, decided in http/persist.c. */
	r->reusable =
	    info.framing != HTTP_BODY_UNTIL_CLOSE &&
	    persist_keep_alive(r->parsed.minor_version, r->parsed.headers,
			       r->parsed.num_headers);
	return read_body(o, c, &rd, &info, r);
}

/*
 * -x https://: TLS to the proxy before any HTTP, so everything sent to it
 * (Proxy-Authorization too) is inside TLS (lesson 03).  One context for
 * the whole run.
 */
static int start_proxy_tls(const struct options *o, struct conn *c)
{
	static SSL_CTX *pctx; /* freed at exit by the OS: one per run */
	char err[TLS_MAX_ERR], desc[512];
	int code = 0;

	if (pctx == NULL) {
		pctx = tls_context_new(o->proxy_insecure, o->proxy_cacert, err,
				       sizeof(err), &code);
		if (pctx == NULL) {
			output_error(o, code, "%s", err);
			return code;
		}
	}
	c->pssl = tls_start(pctx, c->fd, o->proxy_host, o->proxy_insecure, err,
			    sizeof(err), &code);
	if (c->pssl == NULL) {
		output_error(o, code, "proxy: %s", err);
		return code;
	}
	if (o->verbose) {
		tls_describe(c->pssl, desc, sizeof(desc));
		fprintf(stderr, "* Proxy TLS: %s\n", desc);
		tls_subject(c->pssl, desc, sizeof(desc));
		fprintf(stderr, "* Proxy certificate: subject: %s\n", desc);
		if (o->proxy_insecure)
			fprintf(stderr, "* Proxy certificate not verified "
					"(--proxy-insecure)\n");
		else
			fprintf(stderr, "* Proxy certificate verified for %s\n",
				o->proxy_host);
	}
	return EXIT_OK;
}

/* Connect to the proxy or the origin; 0 or curl's exit code. */
static int open_conn(const struct options *o, const struct http_url *u,
		     struct conn *c)
{
	const char *host = o->proxy != NULL ? o->proxy_host : u->host;
	unsigned port = o->proxy != NULL ? o->proxy_port : u->port;
	enum net_fail why;
	char err[NET_MAX_ADDR + 128];

	c->fd = net_connect(host, port, CLIENT_CONNECT_TIMEOUT_MS, &why, err,
			    sizeof(err));
	if (c->fd < 0) {
		if (why == NET_DNS) {
			int code =
			    o->proxy != NULL ? EXIT_PROXY_DNS : EXIT_HOST_DNS;

			output_error(o, code, "Could not resolve %s: %s",
				     o->proxy != NULL ? "proxy" : "host", host);
			return code;
		}
		output_error(o, EXIT_CONNECT, "%s", err);
		return EXIT_CONNECT;
	}
	net_set_timeouts(c->fd, CLIENT_IO_TIMEOUT_MS, CLIENT_IO_TIMEOUT_MS);
	if (o->verbose)
		fprintf(stderr, "* Connected to %s port %u%s\n", host, port,
			o->proxy != NULL ? " (the proxy)" : "");
	if (o->proxy != NULL && o->proxy_tls)
		return start_proxy_tls(o, c);
	return EXIT_OK;
}

/* Lesson 07: TLS starts after the tunnel is up, so the 407 was in clear. */
/* TLS to the origin, directly or inside the tunnel. */
static int start_tls(const struct options *o, const struct http_url *u,
		     SSL_CTX **ctx, struct conn *c)
{
	char err[TLS_MAX_ERR], desc[256];
	int code = 0;

	if (c->in.len > 0) {
		output_error(o, 35,
			     "Unexpected bytes before the TLS handshake");
		return 35;
	}
	if (*ctx == NULL) {
		*ctx = tls_context_new(o->insecure, o->cacert, err, sizeof(err),
				       &code);
		if (*ctx == NULL) {
			output_error(o, code, "%s", err);
			return code;
		}
	}
	/* Through an https:// proxy's tunnel this is TLS inside TLS. */
	c->ssl = c->pssl != NULL
		     ? tls_start_over(*ctx, c->pssl, u->host, o->insecure, err,
				      sizeof(err), &code)
		     : tls_start(*ctx, c->fd, u->host, o->insecure, err,
				 sizeof(err), &code);
	if (c->ssl == NULL) {
		output_error(o, code, "%s", err);
		return code;
	}
	if (o->verbose) {
		tls_describe(c->ssl, desc, sizeof(desc));
		fprintf(stderr, "* %s\n", desc);
		if (o->insecure)
			fprintf(stderr, "* Certificate not verified (-k)\n");
		else
			fprintf(stderr, "* Certificate verified for %s\n",
				u->host);
	}
	return EXIT_OK;
}

/* ---- Running the machine ---- */

/* One run of bin/client: the options, the machine and what it got. */
struct run {
	struct options o;
	struct client_config cfg;
	struct client_machine m;
	struct client_step s;
	struct conn c;
	struct response r, connect_r; /* the last response; CONNECT's 2xx */
	struct http_url u;
	SSL_CTX *ctx; /* TLS to the origin, made once */
	bool https, have_response, have_connect;
	int connect_code; /* CONNECT's status, for -w %{http_connect} */
	int steps;
};

/* Set up everything but the connection; 0 or curl's exit code. */
static int run_init(struct run *x, int argc, char **argv)
{
	struct sigaction sa;

	memset(x, 0, sizeof(*x));
	x->c.fd = -1;
	options_parse(argc, argv, &x->o);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	http_buf_init(&x->c.in, CLIENT_MAX_BODY + HTTP_MAX_HEAD_BYTES);
	http_buf_init(&x->r.head, HTTP_MAX_HEAD_BYTES + 1);
	http_buf_init(&x->r.body, CLIENT_MAX_BODY);
	http_buf_init(&x->connect_r.head, HTTP_MAX_HEAD_BYTES + 1);
	http_buf_init(&x->connect_r.body, CLIENT_MAX_BODY);
	client_step_init(&x->s);
	if (http_url_parse(x->o.url, strlen(x->o.url), &x->u) != HTTP_OK) {
		output_error(&x->o, EXIT_URL,
			     "URL rejected: Malformed input to a "
			     "URL function (%s)",
			     x->o.url);
		return EXIT_URL;
	}
	x->https = strcmp(x->u.scheme, "https") == 0;
	options_config(&x->o, x->https, &x->cfg);
	client_init(&x->m, &x->cfg);
	client_start(&x->m, &x->s);
	output_note(&x->o, x->s.note);
	return EXIT_OK;
}

/* A connection for the next request: the one open, or a new one. */
static int run_connect(struct run *x)
{
	int rc;

	if (x->c.fd >= 0) {
		if (x->o.verbose && x->steps > 1)
			fprintf(stderr, "* %s\n",
				x->m.tunnel_up ? "Sending inside the tunnel"
					       : "Re-using the connection");
		return EXIT_OK;
	}
	/* A tunnel is one connection: if it is gone, so is the tunnel. */
	if (x->m.tunnel_up) {
		output_error(&x->o, EXIT_RECV, "The tunnel closed");
		return EXIT_RECV;
	}
	rc = open_conn(&x->o, &x->u, &x->c);
	if (rc == EXIT_OK && x->https && !x->cfg.via_proxy)
		rc = start_tls(&x->o, &x->u, &x->ctx, &x->c);
	return rc;
}

/* Send the request the machine built, read the answer, step the machine. */
static int run_step(struct run *x)
{
	const char *method = x->s.is_connect ? "CONNECT" : x->cfg.method;
	const char *blank = strstr(x->s.request.data, "\r\n\r\n");
	size_t head_len = blank != NULL
			      ? (size_t)(blank - x->s.request.data) + 4
			      : x->s.request.len;
	bool tunnel_was_up = x->m.tunnel_up, opened;
	int rc;

	if (++x->steps > CLIENT_MAX_STEPS) {
		output_error(&x->o, EXIT_RECV, "Too many requests; stopping");
		return EXIT_RECV;
	}
	rc = run_connect(x);
	if (rc != EXIT_OK)
		return rc;
	if (x->o.verbose)
		output_lines("> ", x->s.request.data, head_len);
	if (!conn_write(&x->c, x->s.request.data, x->s.request.len)) {
		output_error(&x->o, 55, "Failed sending the request");
		return 55;
	}
	rc = read_response(&x->o, &x->c, method, &x->r);
	if (rc != EXIT_OK)
		return rc;
	x->have_response = true;
	if (x->s.is_connect) {
		x->connect_code = x->r.parsed.status;
		if (x->r.parsed.status >= 200 && x->r.parsed.status < 300) {
			/* keep the CONNECT's 200 for -i */
			http_buf_reset(&x->connect_r.head);
			http_buf_append(&x->connect_r.head, x->r.head.data,
					x->r.head.len);
			x->have_connect = true;
		}
	}
	client_next(&x->m, &x->r.parsed, x->r.body.data, x->r.body.len, &x->s);
	output_note(&x->o, x->s.note);
	opened = x->m.tunnel_up && !tunnel_was_up;
	/* RFC 9112 §9.6: a response we could not frame, or
	 * Connection: close, ends the connection. */
	if (!x->r.reusable && !opened) {
		if (x->o.verbose && x->s.action == CLIENT_SEND)
			fprintf(stderr, "* Connection closed by the server; "
					"reconnecting\n");
		conn_close(&x->c);
	}
	if (opened && x->https && x->s.action == CLIENT_SEND)
		return start_tls(&x->o, &x->u, &x->ctx, &x->c);
	return EXIT_OK;
}

/* After the last step: what the machine decided, printed; the exit code. */
static int run_report(struct run *x, int rc)
{
	const struct http_buf *connect_head =
	    x->have_connect ? &x->connect_r.head : NULL;
	int status = x->r.parsed.status;

	if (rc == EXIT_OK && x->s.action == CLIENT_ERROR) {
		if (!x->o.silent || x->o.show_error)
			fprintf(stderr, "%s: %s\n", CLIENT_PROG, x->s.note);
		rc = 1;
	}
	if (rc != EXIT_OK || !x->have_response) {
		if (x->o.write_out != NULL && rc != EXIT_OK)
			output_write_out(x->o.write_out, 0, x->connect_code, 0);
		return rc;
	}
	if (x->cfg.tunnel && !x->m.tunnel_up) {
		/* curl: the tunnel never opened, no HTTP answer. */
		output_emit(&x->o, NULL, &x->r.head, NULL);
		output_error(&x->o, EXIT_RECV,
			     "CONNECT tunnel failed, response %d", status);
		if (x->o.write_out != NULL)
			output_write_out(x->o.write_out, 0, x->connect_code, 0);
		return EXIT_RECV;
	}
	if (x->o.fail && status >= 400) {
		output_emit(&x->o, connect_head, &x->r.head, NULL);
		output_error(&x->o, EXIT_HTTP,
			     "The requested URL returned error: %d", status);
		if (x->o.write_out != NULL)
			output_write_out(x->o.write_out, status,
					 x->connect_code, 0);
		return EXIT_HTTP;
	}
	rc = output_emit(&x->o, connect_head, &x->r.head, &x->r.body);
	if (x->o.write_out != NULL)
		output_write_out(x->o.write_out, status, x->connect_code,
				 x->r.body.len);
	return rc;
}

/* Close, wipe and free everything the run holds. */
static void run_free(struct run *x)
{
	conn_close(&x->c);
	if (x->ctx != NULL)
		SSL_CTX_free(x->ctx);
	client_step_free(&x->s);
	client_free(&x->m);
	http_buf_free(&x->c.in);
	http_buf_free(&x->r.head);
	http_buf_free(&x->r.body);
	http_buf_free(&x->connect_r.head);
	http_buf_free(&x->connect_r.body);
	options_free(&x->o);
}

int main(int argc, char **argv)
{
	static struct run x; /* large: the buffers' headers and the machine */
	int rc = run_init(&x, argc, argv);

	if (rc == EXIT_OK) {
		while (x.s.action == CLIENT_SEND && rc == EXIT_OK)
			rc = run_step(&x);
		rc = run_report(&x, rc);
	}
	fflush(stdout);
	run_free(&x);
	return rc;
}

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
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "../http/persist.h"
#include "../http/url.h"
#include "../net/body.h"
#include "../net/net.h"
#include "machine.h"
#include "tls.h"

#define CLIENT_VERSION "0.1.0"
#define CLIENT_PROXY_DEFAULT_PORT 1080 /* curl's default for -x */
#define CLIENT_CONNECT_TIMEOUT_MS 10000
#define CLIENT_IO_TIMEOUT_MS 30000
#define CLIENT_MAX_BODY (64u << 20) /* response body we hold */
#define CLIENT_MAX_EXTRA 65536	    /* all -H lines together */
#define CLIENT_MAX_DATA (16u << 20) /* all -d data together */
#define CLIENT_READ_CHUNK 16384
#define CLIENT_MAX_INTERIM 8 /* 1xx responses skipped before giving up */
#define CLIENT_MAX_STEPS 8   /* requests per run: no loops */

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_URL = 3,
	EXIT_PROXY_DNS = 5,
	EXIT_HOST_DNS = 6,
	EXIT_CONNECT = 7,
	EXIT_HTTP = 22,
	EXIT_WRITE = 23,
	EXIT_READ = 26,
	EXIT_EMPTY = 52,
	EXIT_RECV = 56
};

/* ---- Options ---- */

struct options {
	const char *url;
	const char *proxy; /* -x as given */
	char proxy_host[HTTP_MAX_HOST + 1];
	unsigned proxy_port;
	struct answer_creds proxy_cr, origin_cr;
	char *proxy_user, *origin_user;		/* owned copies, split at ':' */
	unsigned proxy_allowed, origin_allowed; /* 0: curl's default Basic */
	char *proxy_token, *origin_token;	/* owned copies of the tokens */
	bool tunnel, verbose, silent, show_error, include, fail, insecure;
	const char *method, *output, *write_out, *cacert;
	bool proxy_tls;                /* -x https://: TLS to the proxy */
	bool proxy_insecure;           /* --proxy-insecure */
	const char *proxy_cacert;      /* --proxy-cacert FILE, or NULL */
	struct http_buf extra; /* -H lines */
	struct http_buf data;  /* -d data */
	bool have_data;
	bool user_content_type;
};

static const char *prog = "client";

/* curl's error line: "client: (7) Failed to connect ...". */
static void error_line(const struct options *o, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_line(const struct options *o, int code, const char *fmt, ...)
{
	va_list ap;

	if (o->silent && !o->show_error)
		return;
	fprintf(stderr, "%s: (%d) ", prog, code);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: bin/client [options] URL\n"
	    "A curl-like client for the lab407 exchange (curl's option "
	    "names).\n"
	    "\n"
	    "  -x, --proxy [http[s]://]HOST:PORT  use this proxy (https://: "
	    "TLS to the proxy)\n"
	    "      --proxy-insecure            do not verify the proxy's "
	    "certificate\n"
	    "      --proxy-cacert FILE         trust this CA for the proxy\n"
	    "  -U, --proxy-user USER:PASS      proxy credentials\n"
	    "      --proxy-basic | --proxy-digest | --proxy-anyauth |\n"
	    "      --proxy-ntlm                (NTLM: three messages on one "
	    "connection)\n"
	    "      --proxy-negotiate           Kerberos ticket from the "
	    "credential cache\n"
	    "                                  (-U : as in curl)\n"
	    "      --proxy-bearer TOKEN        Bearer token for the proxy\n"
	    "  -u, --user USER:PASS            origin credentials\n"
	    "      --basic | --digest | --anyauth | --ntlm\n"
	    "      --oauth2-bearer TOKEN       Bearer token for the origin\n"
	    "  -p, --proxytunnel               CONNECT through the proxy "
	    "(https:// always does)\n"
	    "  -X, --request METHOD            request method\n"
	    "  -H, --header 'Name: value'      extra header (repeatable)\n"
	    "  -d, --data DATA                 POST DATA (@FILE reads a "
	    "file)\n"
	    "  -o, --output FILE               write the body to FILE\n"
	    "  -i, --include                   response headers on stdout "
	    "too\n"
	    "  -f, --fail                      exit 22 on a status >= 400, no "
	    "body\n"
	    "  -w, --write-out FORMAT          e.g. '%%{http_code}'\n"
	    "  -k, --insecure                  do not verify the TLS "
	    "certificate\n"
	    "      --cacert FILE               trust this CA instead of the "
	    "system's\n"
	    "  -s, --silent / -S, --show-error\n"
	    "  -v, --verbose                   '> ' sent, '< ' received, '* ' "
	    "decisions\n"
	    "  -h, --help / -V, --version\n"
	    "\n"
	    "Credentials are sent after the challenge (407 or 401), so the "
	    "whole\n"
	    "exchange is visible with -v.\n");
}

static void die_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(EXIT_USAGE);
}

/*
 * As curl does: blank a secret in our own argv once it is copied, so that
 * `ps` and /proc/PID/cmdline stop showing it.  Whoever looks before this
 * runs still sees it; a password on a command line is never private (a
 * shell's history keeps it too).
 */
static void hide_arg(char *arg)
{
	explicit_bzero(arg, strlen(arg));
}

/* "user:pass" -> user (owned copy) and pass (into the copy).  A missing
 * colon means an empty password (curl would prompt; we cannot).  The
 * password is then blanked in argv (hide_arg); the user name stays. */
static char *split_creds(char *arg, const char **pass)
{
	char *u = strdup(arg);
	char *colon;

	if (u == NULL)
		die_usage("out of memory");
	colon = strchr(u, ':');
	if (colon != NULL) {
		*colon = '\0';
		*pass = colon + 1;
		hide_arg(arg + (colon - u) + 1);
	} else {
		*pass = "";
	}
	return u;
}

/* A Bearer token: an owned copy, blanked in argv (hide_arg). */
static char *take_token(char *arg)
{
	char *t = strdup(arg);

	if (t == NULL)
		die_usage("out of memory");
	hide_arg(arg);
	return t;
}

/* Wipe and free a token from take_token(). */
static void wipe_token(char *t)
{
	if (t == NULL)
		return;
	explicit_bzero(t, strlen(t));
	free(t);
}

/* Wipe and free what split_creds() made (the password is inside it). */
static void wipe_creds(char *user, const char *pass)
{
	size_t ulen;

	if (user == NULL)
		return;
	ulen = strlen(user);
	/* split_creds() put the password right after the user's NUL. */
	if (pass != NULL && pass == user + ulen + 1)
		explicit_bzero((char *)pass, strlen(pass));
	explicit_bzero(user, ulen);
	free(user);
}

/* -x: "http://host:port", "host:port" or "host" (port 1080, as curl);
 * "https://host[:port]" is TLS to the proxy (port 443 by default). */
static void parse_proxy(struct options *o, const char *arg)
{
	char tmp[HTTP_MAX_HOST + 32];
	const char *s = arg;
	size_t n;

	if (strncasecmp(s, "http://", 7) == 0) {
		s += 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		s += 8;
		o->proxy_tls = true;
	} else if (strstr(s, "://") != NULL) {
		die_usage("unsupported proxy scheme in '%s' (http:// or "
			  "https://)",
			  arg);
	}
	n = strcspn(s, "/");
	if (n == 0 || n >= sizeof(tmp))
		die_usage("bad proxy '%s'", arg);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!net_split_hostport(tmp, o->proxy_host, sizeof(o->proxy_host),
				&o->proxy_port)) {
		/* no port: the whole thing is the host */
		if ((strchr(tmp, ':') != NULL && tmp[0] != '[') ||
		    n >= sizeof(o->proxy_host))
			die_usage("bad proxy '%s'", arg);
		memcpy(o->proxy_host, tmp, n + 1);
		o->proxy_port = o->proxy_tls ? 443 : CLIENT_PROXY_DEFAULT_PORT;
	}
	if (o->proxy_port == 0)
		die_usage("bad proxy port in '%s'", arg);
	o->proxy = arg;
}

/* -H "Name: value": appended as "Name: value\r\n". */
static void add_header(struct options *o, const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (colon == NULL || colon == arg ||
	    !http_is_token(arg, (size_t)(colon - arg)) ||
	    strpbrk(arg, "\r\n") != NULL)
		die_usage("bad header '%s' (want 'Name: value')", arg);
	if (strncasecmp(arg, "Content-Type:", 13) == 0)
		o->user_content_type = true;
	http_buf_printf(&o->extra, "%s\r\n", arg);
	if (o->extra.failed)
		die_usage("too many -H bytes (over %d)", CLIENT_MAX_EXTRA);
}

/* -d DATA or -d @FILE (CR and LF dropped, as curl does for -d). */
static void add_data(struct options *o, const char *arg)
{
	if (o->have_data)
		http_buf_puts(&o->data, "&");
	o->have_data = true;
	if (arg[0] != '@') {
		http_buf_puts(&o->data, arg);
	} else {
		FILE *f =
		    strcmp(arg + 1, "-") == 0 ? stdin : fopen(arg + 1, "r");
		int c;

		if (f == NULL) {
			fprintf(stderr, "%s: (%d) cannot read %s: %s\n", prog,
				EXIT_READ, arg + 1, strerror(errno));
			exit(EXIT_READ);
		}
		while ((c = fgetc(f)) != EOF && !o->data.failed)
			if (c != '\r' && c != '\n')
				http_buf_append(&o->data, &(char){(char)c}, 1);
		if (f != stdin)
			fclose(f);
	}
	if (o->data.failed)
		die_usage("-d data too large (over %u bytes)", CLIENT_MAX_DATA);
}

/* Read the command line into o; exits on --help, --version, errors. */
static void parse_options(int argc, char **argv, struct options *o)
{
	enum {
		O_PROXY_BASIC = 256,
		O_PROXY_DIGEST,
		O_PROXY_ANY,
		O_BASIC,
		O_DIGEST,
		O_ANY,
		O_PROXY_BEARER,
		O_BEARER,
		O_CACERT,
		O_PROXY_INSECURE,
		O_PROXY_CACERT,
		O_PROXY_NTLM,
		O_PROXY_NEGOTIATE,
		O_NTLM
	};
	static const struct option opts[] = {
	    {"proxy", required_argument, NULL, 'x'},
	    {"proxy-user", required_argument, NULL, 'U'},
	    {"user", required_argument, NULL, 'u'},
	    {"proxy-basic", no_argument, NULL, O_PROXY_BASIC},
	    {"proxy-digest", no_argument, NULL, O_PROXY_DIGEST},
	    {"proxy-anyauth", no_argument, NULL, O_PROXY_ANY},
	    {"proxy-ntlm", no_argument, NULL, O_PROXY_NTLM},
	    {"proxy-negotiate", no_argument, NULL, O_PROXY_NEGOTIATE},
	    {"ntlm", no_argument, NULL, O_NTLM},
	    {"basic", no_argument, NULL, O_BASIC},
	    {"digest", no_argument, NULL, O_DIGEST},
	    {"anyauth", no_argument, NULL, O_ANY},
	    {"proxy-bearer", required_argument, NULL, O_PROXY_BEARER},
	    {"oauth2-bearer", required_argument, NULL, O_BEARER},
	    {"proxytunnel", no_argument, NULL, 'p'},
	    {"request", required_argument, NULL, 'X'},
	    {"header", required_argument, NULL, 'H'},
	    {"data", required_argument, NULL, 'd'},
	    {"output", required_argument, NULL, 'o'},
	    {"silent", no_argument, NULL, 's'},
	    {"show-error", no_argument, NULL, 'S'},
	    {"include", no_argument, NULL, 'i'},
	    {"fail", no_argument, NULL, 'f'},
	    {"write-out", required_argument, NULL, 'w'},
	    {"insecure", no_argument, NULL, 'k'},
	    {"cacert", required_argument, NULL, O_CACERT},
	    {"proxy-insecure", no_argument, NULL, O_PROXY_INSECURE},
	    {"proxy-cacert", required_argument, NULL, O_PROXY_CACERT},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "x:U:u:pX:H:d:o:sSifw:kvhV", opts,
				NULL)) != -1) {
		switch (c) {
		case 'x':
			parse_proxy(o, optarg);
			break;
		case 'U':
			/* the last -U wins, as in curl; the earlier one is
			 * wiped, not just freed */
			wipe_creds(o->proxy_user, o->proxy_cr.pass);
			o->proxy_user = split_creds(optarg, &o->proxy_cr.pass);
			break;
		case 'u':
			wipe_creds(o->origin_user, o->origin_cr.pass);
			o->origin_user =
			    split_creds(optarg, &o->origin_cr.pass);
			break;
		case O_PROXY_BASIC:
			o->proxy_allowed = AUTH_SCHEME_BASIC;
			break;
		case O_PROXY_DIGEST:
			o->proxy_allowed = AUTH_SCHEME_DIGEST;
			break;
		case O_PROXY_ANY:
			o->proxy_allowed =
			    AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST;
			break;
		case O_PROXY_NTLM:
			o->proxy_allowed = AUTH_SCHEME_NTLM;
			break;
		case O_PROXY_NEGOTIATE:
			o->proxy_allowed = AUTH_SCHEME_NEGOTIATE;
			break;
		case O_NTLM:
			o->origin_allowed = AUTH_SCHEME_NTLM;
			break;
		case O_BASIC:
			o->origin_allowed = AUTH_SCHEME_BASIC;
			break;
		case O_DIGEST:
			o->origin_allowed = AUTH_SCHEME_DIGEST;
			break;
		case O_ANY:
			o->origin_allowed =
			    AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST;
			break;
		case O_PROXY_BEARER:
			wipe_token(o->proxy_token);
			o->proxy_token = take_token(optarg);
			break;
		case O_BEARER:
			wipe_token(o->origin_token);
			o->origin_token = take_token(optarg);
			break;
		case 'p':
			o->tunnel = true;
			break;
		case 'X':
			o->method = optarg;
			break;
		case 'H':
			add_header(o, optarg);
			break;
		case 'd':
			add_data(o, optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 's':
			o->silent = true;
			break;
		case 'S':
			o->show_error = true;
			break;
		case 'i':
			o->include = true;
			break;
		case 'f':
			o->fail = true;
			break;
		case 'w':
			o->write_out = optarg;
			break;
		case 'k':
			o->insecure = true;
			break;
		case O_CACERT:
			o->cacert = optarg;
			break;
		case O_PROXY_INSECURE:
			o->proxy_insecure = true;
			break;
		case O_PROXY_CACERT:
			o->proxy_cacert = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf("bin/client (lab407) %s\n", CLIENT_VERSION);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "%s: bad option (try --help)\n", prog);
			exit(EXIT_USAGE);
		}
	}
	if (optind == argc)
		die_usage("no URL given");
	if (optind + 1 < argc)
		die_usage("one URL only, not '%s'", argv[optind + 1]);
	o->url = argv[optind];
	if (o->method != NULL && !http_is_token(o->method, strlen(o->method)))
		die_usage("bad method '%s'", o->method);
}

/* Turn the options into the machine's credentials for one party. */
static void set_creds(struct answer_creds *cr, char *user, unsigned allowed,
		      const char *token)
{
	cr->user = user;
	cr->allowed = allowed != 0 ? allowed : AUTH_SCHEME_BASIC;
	if (token != NULL) {
		/* Bearer carries a token, no user (RFC 6750 §2.1). */
		cr->user = "";
		cr->pass = token;
		cr->allowed = allowed != 0 ? (allowed | AUTH_SCHEME_BEARER)
					   : AUTH_SCHEME_BEARER;
	}
}

/* ---- Connection ---- */

/* One connection: to the proxy, or to the origin; TLS on top or not. */
struct conn {
	int fd;		    /* -1: not connected */
	SSL *pssl;	    /* TLS to an https:// proxy, or NULL */
	SSL *ssl;	    /* TLS to the origin (inside pssl if set), or NULL */
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

/* Read once into c->in: > 0 bytes, 0 at EOF, -1 on error. */
static long conn_read(struct conn *c)
{
	char tmp[CLIENT_READ_CHUNK];
	SSL *ssl = conn_tls(c);
	long r;

	if (ssl != NULL) {
		int n = SSL_read(ssl, tmp, sizeof(tmp));

		if (n <= 0) {
			int e = SSL_get_error(ssl, n);

			ERR_clear_error();
			/* A peer that closes without close_notify: EOF. */
			return e == SSL_ERROR_ZERO_RETURN ||
				       e == SSL_ERROR_SYSCALL
				   ? 0
				   : -1;
		}
		r = n;
	} else {
		do
			r = recv(c->fd, tmp, sizeof(tmp), 0);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return r;
	}
	if (!http_buf_append(&c->in, tmp, (size_t)r)) {
		explicit_bzero(tmp, (size_t)r);
		return -1;
	}
	/* The origin echoes the request's fields, Authorization among them:
	 * the staging copy goes, as the buffer's own copy will. */
	explicit_bzero(tmp, (size_t)r);
	return r;
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

/* ---- Verbose output ---- */

/* Print each line of s[0..n) with a prefix ("> ", "< ", "* "). */
static void print_lines(const char *prefix, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - s) : n;
		size_t shown = len > 0 && s[len - 1] == '\r' ? len - 1 : len;

		fprintf(stderr, "%s%.*s\n", prefix, (int)shown, s);
		if (nl == NULL)
			break;
		n -= len + 1;
		s += len + 1;
	}
}

/* Lesson 10: the `* ` lines of -v, in curl's convention. */
static void verbose_note(const struct options *o, const char *note)
{
	if (o->verbose && note[0] != '\0')
		print_lines("* ", note, strlen(note));
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
 * Read one final response (1xx skipped) for a request with `method`.
 * Returns 0, or a curl exit code with a message printed.
 */
static int read_response(const struct options *o, struct conn *c,
			 const char *method, struct response *r)
{
	struct http_body_info info;
	struct body_mover mv;
	enum http_err err;
	long head;
	int interim = 0;

	for (;;) {
		head = http_parse_response(c->in.data, c->in.len, &r->parsed,
					   &err);
		if (head > 0) {
			if (o->verbose)
				print_lines("< ", c->in.data, (size_t)head);
			if (r->parsed.status >= 200)
				break;
			/* RFC 9110 §15.2.2: 101 switches the connection to
			 * the protocol named in Upgrade, which we never
			 * send: nothing after it is HTTP/1.1 we can read. */
			if (r->parsed.status == 101) {
				error_line(o, EXIT_RECV,
					   "Unexpected 101 Switching Protocols "
					   "(no Upgrade was sent)");
				return EXIT_RECV;
			}
			/* RFC 9110 §15.2: 1xx is interim, the final answer
			 * follows; a server that only sends 1xx is stopped
			 * after a few, never taken as the answer. */
			if (++interim > CLIENT_MAX_INTERIM) {
				error_line(o, EXIT_RECV,
					   "More than %d interim (1xx) "
					   "responses, no final one",
					   CLIENT_MAX_INTERIM);
				return EXIT_RECV;
			}
			http_buf_consume(&c->in, (size_t)head);
			continue;
		}
		if (head == HTTP_PARSE_ERROR) {
			error_line(o, EXIT_RECV, "Malformed response: %s",
				   http_strerror(err));
			return EXIT_RECV;
		}
		long n = conn_read(c);

		if (n == 0 && c->in.len == 0) {
			error_line(o, EXIT_EMPTY, "Empty reply from server");
			return EXIT_EMPTY;
		}
		if (n <= 0) {
			error_line(o, EXIT_RECV, "Recv failure: %s",
				   n == 0 ? "connection closed mid-response"
					  : "Connection reset or timed out");
			return EXIT_RECV;
		}
	}
	http_buf_reset(&r->head);
	http_buf_reset(&r->body);
	http_buf_append(&r->head, c->in.data, (size_t)head);
	http_buf_consume(&c->in, (size_t)head);
	http_parse_response(r->head.data, r->head.len, &r->parsed, &err);

	err = http_response_framing(&r->parsed, method, strlen(method), &info);
	if (err != HTTP_OK) {
		error_line(o, EXIT_RECV, "Bad response framing: %s",
			   http_strerror(err));
		return EXIT_RECV;
	}
	/* RFC 9112 §9.3, decided in http/persist.c. */
	r->reusable = info.framing != HTTP_BODY_UNTIL_CLOSE &&
		      persist_keep_alive(r->parsed.minor_version,
					 r->parsed.headers,
					 r->parsed.num_headers);
	if (info.framing == HTTP_BODY_LENGTH && info.length > CLIENT_MAX_BODY) {
		error_line(o, EXIT_RECV,
			   "Response body too large "
			   "(over %u bytes)",
			   CLIENT_MAX_BODY);
		return EXIT_RECV;
	}
	/* The one body mover (net/body.c), fed from this blocking loop. */
	body_init(&mv, &info, BODY_DECODE, CLIENT_MAX_BODY);
	while (!mv.done) {
		long n;

		if (c->in.len > 0) {
			long used = body_feed(&mv, c->in.data, c->in.len,
					      &r->body, &err);

			if (used < 0) {
				body_free(&mv);
				if (err == HTTP_E_BODY_TOO_LARGE)
					error_line(o, EXIT_RECV,
						   "Response body too large");
				else
					error_line(o, EXIT_RECV,
						   "Bad chunked body: %s",
						   http_strerror(err));
				return EXIT_RECV;
			}
			http_buf_consume(&c->in, (size_t)used);
			if (mv.done)
				break;
		}
		n = conn_read(c);
		if (n == 0 && body_eof(&mv))
			break;
		if (n <= 0) {
			body_free(&mv);
			error_line(o, EXIT_RECV, "%s",
				   info.framing == HTTP_BODY_UNTIL_CLOSE
					   ? "Recv failure"
				   : info.framing == HTTP_BODY_CHUNKED
					   ? "Recv failure: chunked body cut "
					     "short"
					   : "Recv failure: body cut short");
			return EXIT_RECV;
		}
	}
	body_free(&mv);
	if (r->body.failed) {
		error_line(o, EXIT_RECV, "Response body too large");
		return EXIT_RECV;
	}
	return EXIT_OK;
}

/*
 * -x https://: TLS to the proxy before any HTTP, so everything sent to it
 * (Proxy-Authorization too) is inside TLS (lesson 03).  One context for
 * the whole run.
 */
static int start_proxy_tls(const struct options *o, struct conn *c)
{
	static SSL_CTX *pctx;   /* freed at exit by the OS: one per run */
	char err[TLS_MAX_ERR], desc[512];
	int code = 0;

	if (pctx == NULL) {
		pctx = tls_context_new(o->proxy_insecure, o->proxy_cacert, err,
				       sizeof(err), &code);
		if (pctx == NULL) {
			error_line(o, code, "%s", err);
			return code;
		}
	}
	c->pssl = tls_start(pctx, c->fd, o->proxy_host, o->proxy_insecure,
			    err, sizeof(err), &code);
	if (c->pssl == NULL) {
		error_line(o, code, "proxy: %s", err);
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

			error_line(o, code, "Could not resolve %s: %s",
				   o->proxy != NULL ? "proxy" : "host", host);
			return code;
		}
		error_line(o, EXIT_CONNECT, "%s", err);
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
		error_line(o, 35, "Unexpected bytes before the TLS handshake");
		return 35;
	}
	if (*ctx == NULL) {
		*ctx = tls_context_new(o->insecure, o->cacert, err, sizeof(err),
				       &code);
		if (*ctx == NULL) {
			error_line(o, code, "%s", err);
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
		error_line(o, code, "%s", err);
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

/* ---- Output ---- */

/* -w: %{http_code}, %{response_code}, %{http_connect}, %{size_download},
 * and \n, \t, \\ escapes. */
static void write_out(const char *fmt, int code, int connect_code, size_t size)
{
	while (*fmt != '\0') {
		if (fmt[0] == '%' && fmt[1] == '{') {
			const char *end = strchr(fmt, '}');
			size_t n = end != NULL ? (size_t)(end - fmt - 2) : 0;

			if (end == NULL) {
				fputs(fmt, stdout);
				return;
			}
			if ((n == 9 && strncmp(fmt + 2, "http_code", n) == 0) ||
			    (n == 13 &&
			     strncmp(fmt + 2, "response_code", n) == 0))
				printf("%03d", code);
			else if (n == 12 &&
				 strncmp(fmt + 2, "http_connect", n) == 0)
				printf("%03d", connect_code);
			else if (n == 13 &&
				 strncmp(fmt + 2, "size_download", n) == 0)
				printf("%zu", size);
			fmt = end + 1;
		} else if (fmt[0] == '\\' && fmt[1] != '\0') {
			putchar(fmt[1] == 'n'	? '\n'
				: fmt[1] == 't' ? '\t'
				: fmt[1] == 'r' ? '\r'
						: fmt[1]);
			fmt += 2;
		} else {
			putchar(*fmt++);
		}
	}
}

/* Write the final response where the options say; 0 or EXIT_WRITE. */
static int emit(const struct options *o, const struct response *connect_ok,
		const struct response *r, bool body)
{
	FILE *out = stdout;
	int code = EXIT_OK;

	/* fwrite's pointer must be valid even for 0 bytes (C11 §7.1.4),
	 * and an empty buffer has none: a 204 or a HEAD has no body. */
	if (o->include && connect_ok != NULL && connect_ok->head.len > 0)
		fwrite(connect_ok->head.data, 1, connect_ok->head.len, stdout);
	if (o->include && r->head.len > 0)
		fwrite(r->head.data, 1, r->head.len, stdout);
	if (!body)
		return EXIT_OK;
	/* As curl: "-o -" is standard output, not a file called "-". */
	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		out = fopen(o->output, "wb");
		if (out == NULL) {
			error_line(o, EXIT_WRITE, "Failed to open %s: %s",
				   o->output, strerror(errno));
			return EXIT_WRITE;
		}
	}
	if (r->body.len > 0 &&
	    fwrite(r->body.data, 1, r->body.len, out) != r->body.len)
		code = EXIT_WRITE;
	if (out != stdout && fclose(out) != 0)
		code = EXIT_WRITE;
	if (code != EXIT_OK)
		error_line(o, EXIT_WRITE, "Failure writing output");
	return code;
}

/* ---- Running the machine ---- */

int main(int argc, char **argv)
{
	struct options o;
	struct client_config cfg;
	struct client_machine m;
	struct client_step s;
	struct conn c = {.fd = -1, .pssl = NULL, .ssl = NULL};
	struct response r, connect_r;
	struct http_url u;
	SSL_CTX *ctx = NULL;
	bool https, have_response = false, have_connect = false;
	int rc = EXIT_OK, connect_code = 0, steps = 0;
	struct sigaction sa;

	memset(&o, 0, sizeof(o));
	http_buf_init(&o.extra, CLIENT_MAX_EXTRA);
	http_buf_init(&o.data, CLIENT_MAX_DATA);
	parse_options(argc, argv, &o);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (http_url_parse(o.url, strlen(o.url), &u) != HTTP_OK) {
		error_line(&o, EXIT_URL,
			   "URL rejected: Malformed input to a "
			   "URL function (%s)",
			   o.url);
		return EXIT_URL;
	}
	https = strcmp(u.scheme, "https") == 0;

	/* -d: POST with curl's form Content-Type unless -H gave one. */
	if (o.have_data && !o.user_content_type)
		http_buf_puts(&o.extra,
			      "Content-Type: "
			      "application/x-www-form-urlencoded\r\n");
	memset(&cfg, 0, sizeof(cfg));
	cfg.method = o.method != NULL ? o.method : o.have_data ? "POST" : "GET";
	cfg.url = o.url;
	cfg.via_proxy = o.proxy != NULL;
	cfg.tunnel = o.proxy != NULL && (o.tunnel || https);
	set_creds(&cfg.proxy, o.proxy_user, o.proxy_allowed, o.proxy_token);
	set_creds(&cfg.origin, o.origin_user, o.origin_allowed, o.origin_token);
	if (o.proxy_cr.pass != NULL && o.proxy_token == NULL)
		cfg.proxy.pass = o.proxy_cr.pass;
	if (o.origin_cr.pass != NULL && o.origin_token == NULL)
		cfg.origin.pass = o.origin_cr.pass;
	cfg.body = o.have_data ? o.data.data : NULL;
	cfg.body_len = o.have_data ? o.data.len : 0;
	cfg.extra_headers = o.extra.len > 0 ? o.extra.data : NULL;
	cfg.user_agent = "lab407-client/" CLIENT_VERSION;
	cfg.proxy_host = o.proxy_host[0] != '\0' ? o.proxy_host : NULL;

	http_buf_init(&c.in, CLIENT_MAX_BODY + HTTP_MAX_HEAD_BYTES);
	http_buf_init(&r.head, HTTP_MAX_HEAD_BYTES + 1);
	http_buf_init(&r.body, CLIENT_MAX_BODY);
	http_buf_init(&connect_r.head, HTTP_MAX_HEAD_BYTES + 1);
	http_buf_init(&connect_r.body, CLIENT_MAX_BODY);
	client_init(&m, &cfg);
	client_step_init(&s);
	client_start(&m, &s);
	verbose_note(&o, s.note);

	while (s.action == CLIENT_SEND && rc == EXIT_OK) {
		const char *method = s.is_connect ? "CONNECT" : cfg.method;
		const char *blank = strstr(s.request.data, "\r\n\r\n");
		size_t head_len = blank != NULL
				      ? (size_t)(blank - s.request.data) + 4
				      : s.request.len;
		bool tunnel_was_up = m.tunnel_up;

		if (++steps > CLIENT_MAX_STEPS) {
			error_line(&o, EXIT_RECV,
				   "Too many requests; stopping");
			rc = EXIT_RECV;
			break;
		}
		if (c.fd < 0) {
			/* A tunnel is one connection: if it is gone, so is
			 * the tunnel. */
			if (m.tunnel_up) {
				error_line(&o, EXIT_RECV, "The tunnel closed");
				rc = EXIT_RECV;
				break;
			}
			rc = open_conn(&o, &u, &c);
			if (rc != EXIT_OK)
				break;
			if (https && !cfg.via_proxy) {
				rc = start_tls(&o, &u, &ctx, &c);
				if (rc != EXIT_OK)
					break;
			}
		} else if (o.verbose && steps > 1) {
			fprintf(stderr, "* %s\n",
				m.tunnel_up ? "Sending inside the tunnel"
					    : "Re-using the connection");
		}
		if (o.verbose)
			print_lines("> ", s.request.data, head_len);
		if (!conn_write(&c, s.request.data, s.request.len)) {
			error_line(&o, 55, "Failed sending the request");
			rc = 55;
			break;
		}
		rc = read_response(&o, &c, method, &r);
		if (rc != EXIT_OK)
			break;
		have_response = true;
		if (s.is_connect) {
			connect_code = r.parsed.status;
			if (r.parsed.status >= 200 && r.parsed.status < 300) {
				/* keep the CONNECT's 200 for -i */
				http_buf_reset(&connect_r.head);
				http_buf_append(&connect_r.head, r.head.data,
						r.head.len);
				have_connect = true;
			}
		}
		client_next(&m, &r.parsed, r.body.data, r.body.len, &s);
		verbose_note(&o, s.note);
		/* RFC 9112 §9.6: a response we could not frame, or
		 * Connection: close, ends the connection. */
		if (!r.reusable && !(m.tunnel_up && !tunnel_was_up)) {
			if (o.verbose && s.action == CLIENT_SEND)
				fprintf(stderr,
					"* Connection closed by the server; "
					"reconnecting\n");
			conn_close(&c);
		}
		if (m.tunnel_up && !tunnel_was_up && https &&
		    s.action == CLIENT_SEND) {
			rc = start_tls(&o, &u, &ctx, &c);
			if (rc != EXIT_OK)
				break;
		}
	}

	if (rc == EXIT_OK && s.action == CLIENT_ERROR) {
		if (!o.silent || o.show_error)
			fprintf(stderr, "%s: %s\n", prog, s.note);
		rc = 1;
	}
	if (rc == EXIT_OK && have_response) {
		int status = r.parsed.status;

		if (cfg.tunnel && !m.tunnel_up) {
			/* curl: the tunnel never opened, no HTTP answer. */
			emit(&o, NULL, &r, false);
			error_line(&o, EXIT_RECV,
				   "CONNECT tunnel failed, response %d",
				   status);
			rc = EXIT_RECV;
			if (o.write_out != NULL)
				write_out(o.write_out, 0, connect_code, 0);
		} else if (o.fail && status >= 400) {
			emit(&o, have_connect ? &connect_r : NULL, &r, false);
			error_line(&o, EXIT_HTTP,
				   "The requested URL returned error: %d",
				   status);
			rc = EXIT_HTTP;
			if (o.write_out != NULL)
				write_out(o.write_out, status, connect_code, 0);
		} else {
			rc = emit(&o, have_connect ? &connect_r : NULL, &r,
				  true);
			if (o.write_out != NULL)
				write_out(o.write_out, status, connect_code,
					  r.body.len);
		}
	} else if (o.write_out != NULL && rc != EXIT_OK) {
		write_out(o.write_out, 0, connect_code, 0);
	}
	fflush(stdout);

	conn_close(&c);
	if (ctx != NULL)
		SSL_CTX_free(ctx);
	client_step_free(&s);
	client_free(&m);
	http_buf_free(&c.in);
	http_buf_free(&r.head);
	http_buf_free(&r.body);
	http_buf_free(&connect_r.head);
	http_buf_free(&connect_r.body);
	http_buf_free(&o.extra);
	http_buf_free(&o.data);
	wipe_creds(o.proxy_user, o.proxy_cr.pass);
	wipe_creds(o.origin_user, o.origin_cr.pass);
	wipe_token(o.proxy_token);
	wipe_token(o.origin_token);
	return rc;
}

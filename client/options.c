/*
 * client/options.c - bin/client's command line (see options.h): curl's
 * option names, the secrets taken out of argv, and the machine's
 * configuration built from what was given.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../net/net.h"

#define CLIENT_PROXY_DEFAULT_PORT 1080 /* curl's default for -x */

/* ---- Usage ---- */

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

	fprintf(stderr, "%s: ", CLIENT_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(EXIT_USAGE);
}

/* ---- Secrets and values ---- */

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
			fprintf(stderr, "%s: (%d) cannot read %s: %s\n",
				CLIENT_PROG, EXIT_READ, arg + 1,
				strerror(errno));
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

/* ---- Reading the command line ---- */

/* Long options with no short form. */
enum {
	O_PROXY_BASIC = 256,
	O_PROXY_DIGEST,
	O_PROXY_ANY,
	O_PROXY_NTLM,
	O_PROXY_NEGOTIATE,
	O_BASIC,
	O_DIGEST,
	O_ANY,
	O_NTLM,
	O_PROXY_BEARER,
	O_BEARER,
	O_CACERT,
	O_PROXY_INSECURE,
	O_PROXY_CACERT
};

static const struct option long_opts[] = {
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

/* The scheme options: which party, which schemes (the last one wins). */
static const struct {
	int code;
	bool proxy;
	unsigned schemes;
} scheme_opts[] = {
    {O_PROXY_BASIC, true, AUTH_SCHEME_BASIC},
    {O_PROXY_DIGEST, true, AUTH_SCHEME_DIGEST},
    {O_PROXY_ANY, true, AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST},
    {O_PROXY_NTLM, true, AUTH_SCHEME_NTLM},
    {O_PROXY_NEGOTIATE, true, AUTH_SCHEME_NEGOTIATE},
    {O_BASIC, false, AUTH_SCHEME_BASIC},
    {O_DIGEST, false, AUTH_SCHEME_DIGEST},
    {O_ANY, false, AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST},
    {O_NTLM, false, AUTH_SCHEME_NTLM},
};

/* Credentials, tokens and schemes; false when c is none of them. */
static bool take_auth(struct options *o, int c, char *arg)
{
	for (size_t i = 0; i < sizeof(scheme_opts) / sizeof(scheme_opts[0]);
	     i++)
		if (scheme_opts[i].code == c) {
			*(scheme_opts[i].proxy ? &o->proxy_allowed
					       : &o->origin_allowed) =
			    scheme_opts[i].schemes;
			return true;
		}
	switch (c) {
	case 'U':
		/* the last -U wins, as in curl; the earlier one is
		 * wiped, not just freed */
		wipe_creds(o->proxy_user, o->proxy_cr.pass);
		o->proxy_user = split_creds(arg, &o->proxy_cr.pass);
		return true;
	case 'u':
		wipe_creds(o->origin_user, o->origin_cr.pass);
		o->origin_user = split_creds(arg, &o->origin_cr.pass);
		return true;
	case O_PROXY_BEARER:
		wipe_token(o->proxy_token);
		o->proxy_token = take_token(arg);
		return true;
	case O_BEARER:
		wipe_token(o->origin_token);
		o->origin_token = take_token(arg);
		return true;
	default:
		return false;
	}
}

/* Everything else: the request, the output, TLS; exits on a bad one. */
static void take_other(struct options *o, int c, char *arg)
{
	switch (c) {
	case 'x':
		parse_proxy(o, arg);
		break;
	case 'p':
		o->tunnel = true;
		break;
	case 'X':
		o->method = arg;
		break;
	case 'H':
		add_header(o, arg);
		break;
	case 'd':
		add_data(o, arg);
		break;
	case 'o':
		o->output = arg;
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
		o->write_out = arg;
		break;
	case 'k':
		o->insecure = true;
		break;
	case O_CACERT:
		o->cacert = arg;
		break;
	case O_PROXY_INSECURE:
		o->proxy_insecure = true;
		break;
	case O_PROXY_CACERT:
		o->proxy_cacert = arg;
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
		fprintf(stderr, "%s: bad option (try --help)\n", CLIENT_PROG);
		exit(EXIT_USAGE);
	}
}

void options_parse(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	http_buf_init(&o->extra, CLIENT_MAX_EXTRA);
	http_buf_init(&o->data, CLIENT_MAX_DATA);
	while ((c = getopt_long(argc, argv, "x:U:u:pX:H:d:o:sSifw:kvhV",
				long_opts, NULL)) != -1)
		if (!take_auth(o, c, optarg))
			take_other(o, c, optarg);
	if (optind == argc)
		die_usage("no URL given");
	if (optind + 1 < argc)
		die_usage("one URL only, not '%s'", argv[optind + 1]);
	o->url = argv[optind];
	if (o->method != NULL && !http_is_token(o->method, strlen(o->method)))
		die_usage("bad method '%s'", o->method);
}

/* ---- The machine's configuration ---- */

/*
 * Turn the options into the machine's credentials for one party.  A
 * token (--proxy-bearer, --oauth2-bearer) is kept apart from -U/-u, so
 * that whichever scheme the machine chooses (answer_rank) has its own
 * secret; with a token and no scheme option only Bearer is allowed.
 */
static void set_creds(struct answer_creds *cr, char *user, const char *pass,
		      unsigned allowed, const char *token)
{
	cr->user = user;
	cr->pass = pass;
	cr->allowed = allowed != 0 ? allowed : AUTH_SCHEME_BASIC;
	cr->token = token;
	if (token == NULL)
		return;
	cr->allowed =
	    allowed != 0 ? (allowed | AUTH_SCHEME_BEARER) : AUTH_SCHEME_BEARER;
	/* Bearer carries a token, no user (RFC 6750 §2.1). */
	if (user == NULL) {
		cr->user = "";
		cr->allowed = AUTH_SCHEME_BEARER;
	}
}

void options_config(struct options *o, bool https, struct client_config *cfg)
{
	/* -d: POST with curl's form Content-Type unless -H gave one. */
	if (o->have_data && !o->user_content_type)
		http_buf_puts(&o->extra,
			      "Content-Type: "
			      "application/x-www-form-urlencoded\r\n");
	memset(cfg, 0, sizeof(*cfg));
	cfg->method = o->method != NULL ? o->method
		      : o->have_data	? "POST"
					: "GET";
	cfg->url = o->url;
	cfg->via_proxy = o->proxy != NULL;
	cfg->tunnel = o->proxy != NULL && (o->tunnel || https);
	set_creds(&cfg->proxy, o->proxy_user, o->proxy_cr.pass,
		  o->proxy_allowed, o->proxy_token);
	set_creds(&cfg->origin, o->origin_user, o->origin_cr.pass,
		  o->origin_allowed, o->origin_token);
	/* What travels inside TLS (http/answer.h, answer_rank): to the proxy
	 * with -x https://, to the origin with an https:// URL. */
	cfg->proxy.tls = o->proxy_tls;
	cfg->origin.tls = https;
	cfg->body = o->have_data ? o->data.data : NULL;
	cfg->body_len = o->have_data ? o->data.len : 0;
	cfg->extra_headers = o->extra.len > 0 ? o->extra.data : NULL;
	cfg->user_agent = "lab407-client/" CLIENT_VERSION;
	cfg->proxy_host = o->proxy_host[0] != '\0' ? o->proxy_host : NULL;
}

void options_free(struct options *o)
{
	http_buf_free(&o->extra);
	http_buf_free(&o->data);
	wipe_creds(o->proxy_user, o->proxy_cr.pass);
	wipe_creds(o->origin_user, o->origin_cr.pass);
	wipe_token(o->proxy_token);
	wipe_token(o->origin_token);
	o->proxy_user = o->origin_user = NULL;
	o->proxy_token = o->origin_token = NULL;
}

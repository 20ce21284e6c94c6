/*
 * client/options.c - bin/client's command line (see options.h): curl's
 * option names, the secrets taken out of argv, and the machine's
 * configuration built from what was given.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "options.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../net/cmdline.h"
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

/* A usage error: one line, exit 2 (EXIT_USAGE). */
#define die_usage(...) cmdline_die_usage(CLIENT_PROG, __VA_ARGS__)

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
static void parse_proxy(void *opts, char *arg)
{
	struct options *o = opts;
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
static void add_header(void *opts, char *arg)
{
	struct options *o = opts;
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
static void add_data(void *opts, char *arg)
{
	struct options *o = opts;

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

/* ---- Reading the command line (net/cmdline.h) ---- */

/* -U, -u USER:PASS: the last one wins, as in curl; the earlier one is
 * wiped, not just freed. */
static void take_creds(void *party, char *arg)
{
	struct options_party *p = party;

	wipe_creds(p->user, p->pass);
	p->user = split_creds(arg, &p->pass);
}

/* --proxy-bearer, --oauth2-bearer TOKEN: the same for a token. */
static void take_bearer(void *party, char *arg)
{
	struct options_party *p = party;

	wipe_token(p->token);
	p->token = take_token(arg);
}

#define OPT(f) offsetof(struct options, f)
#define STRING(name, letter, f) CMDLINE_OPT_STRING(name, letter, OPT(f))
#define FLAG(name, letter, f) CMDLINE_OPT_FLAG(name, letter, OPT(f))
#define CALL(name, letter, f, fn) CMDLINE_OPT_CALL(name, letter, OPT(f), fn)
/* An option read by a function of the whole struct options. */
#define READ(name, letter, fn) CMDLINE_OPT_CALL(name, letter, 0, fn)
/* A scheme option: which party, which schemes (the last one wins). */
#define SCHEMES(name, party, schemes)                                          \
	CMDLINE_OPT_SET(name, OPT(party.allowed), schemes)

static const struct cmdline_option cmdline_opts[] = {
    READ("proxy", 'x', parse_proxy),
    CALL("proxy-user", 'U', proxy_auth, take_creds),
    CALL("user", 'u', origin_auth, take_creds),
    SCHEMES("proxy-basic", proxy_auth, AUTH_SCHEME_BASIC),
    SCHEMES("proxy-digest", proxy_auth, AUTH_SCHEME_DIGEST),
    SCHEMES("proxy-anyauth", proxy_auth,
	    AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST),
    SCHEMES("proxy-ntlm", proxy_auth, AUTH_SCHEME_NTLM),
    SCHEMES("proxy-negotiate", proxy_auth, AUTH_SCHEME_NEGOTIATE),
    SCHEMES("ntlm", origin_auth, AUTH_SCHEME_NTLM),
    SCHEMES("basic", origin_auth, AUTH_SCHEME_BASIC),
    SCHEMES("digest", origin_auth, AUTH_SCHEME_DIGEST),
    SCHEMES("anyauth", origin_auth, AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST),
    CALL("proxy-bearer", 0, proxy_auth, take_bearer),
    CALL("oauth2-bearer", 0, origin_auth, take_bearer),
    FLAG("proxytunnel", 'p', tunnel),
    STRING("request", 'X', method),
    READ("header", 'H', add_header),
    READ("data", 'd', add_data),
    STRING("output", 'o', output),
    FLAG("silent", 's', silent),
    FLAG("show-error", 'S', show_error),
    FLAG("include", 'i', include),
    FLAG("fail", 'f', fail),
    STRING("write-out", 'w', write_out),
    FLAG("insecure", 'k', insecure),
    STRING("cacert", 0, cacert),
    FLAG("proxy-insecure", 0, proxy_insecure),
    STRING("proxy-cacert", 0, proxy_cacert),
    FLAG("verbose", 'v', verbose),
    CMDLINE_OPTS_HELP_VERSION,
};

static const struct cmdline cmdline =
    CMDLINE(CLIENT_PROG, "bin/client (lab407) " CLIENT_VERSION, usage,
	    cmdline_opts, true);

void options_parse(int argc, char **argv, struct options *o)
{
	int first;

	memset(o, 0, sizeof(*o));
	http_buf_init(&o->extra, CLIENT_MAX_EXTRA);
	http_buf_init(&o->data, CLIENT_MAX_DATA);
	first = cmdline_parse(&cmdline, argc, argv, o);
	if (first == argc)
		die_usage("no URL given");
	if (first + 1 < argc)
		die_usage("one URL only, not '%s'", argv[first + 1]);
	o->url = argv[first];
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
static void set_creds(struct answer_creds *cr, const struct options_party *p)
{
	unsigned allowed = p->allowed;
	const char *token = p->token;

	cr->user = p->user;
	cr->pass = p->pass;
	cr->allowed = allowed != 0 ? allowed : AUTH_SCHEME_BASIC;
	cr->token = token;
	if (token == NULL)
		return;
	cr->allowed =
	    allowed != 0 ? (allowed | AUTH_SCHEME_BEARER) : AUTH_SCHEME_BEARER;
	/* Bearer carries a token, no user (RFC 6750 §2.1). */
	if (p->user == NULL) {
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
	set_creds(&cfg->proxy, &o->proxy_auth);
	set_creds(&cfg->origin, &o->origin_auth);
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
	wipe_creds(o->proxy_auth.user, o->proxy_auth.pass);
	wipe_creds(o->origin_auth.user, o->origin_auth.pass);
	wipe_token(o->proxy_auth.token);
	wipe_token(o->origin_auth.token);
	o->proxy_auth.user = o->origin_auth.user = NULL;
	o->proxy_auth.token = o->origin_auth.token = NULL;
}

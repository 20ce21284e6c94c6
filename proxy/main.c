/*
 * proxy/main.c - bin/proxy: the lab's forward proxy with 407
 * authentication.
 *
 *   bin/proxy [--listen HOST:PORT]
 *             [--auth none|basic|digest|bearer|ntlm|negotiate[,..]]
 *             [--keytab FILE]
 *             [--realm R] [--users FILE] [--tokens FILE]
 *             [--credentials-ttl S]
 *             [--digest-algorithms A,..] [--qop auth,auth-int]
 *             [--nonce-lifetime S] [--acl FILE] [--connect-ports LIST]
 *             [--allow-exposed] [--workers N] [--max-connections N]
 *             [--header-timeout T] [--idle-timeout T] [--body-timeout T]
 *             [--body-min-rate B] [--send-timeout T] [--connect-timeout T]
 *             [--upstream-timeout T] [--tunnel-idle-timeout T]
 *             [--pool-idle-timeout T] [--linger-timeout T]
 *             [--tls-cert FILE --tls-key FILE] [--access-log FILE] [-v]
 *
 * A time T is seconds ("10") or milliseconds ("300ms").
 *
 * The first line on stdout is "listening on HOST:PORT"; the access log
 * (Squid's native format) follows it, or goes to --access-log FILE.
 * Exit 2 on a usage error, 1 on a runtime error, 0 after SIGTERM/SIGINT
 * once the exchanges in flight have finished.
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../http/auth.h"
#include "../http/negotiate.h"
#include "../http/ntlm.h"
#include "../http/users.h"
#include "../net/daemon.h"
#include "../net/net.h"
#include "acl.h"
#include "authint.h"
#include "expose.h"
#include "server.h"
#include "tls.h"

#define PROXY_VERSION "0.1.0"
#define PROXY_DEFAULT_LISTEN "127.0.0.1:3128"
#define PROXY_DEFAULT_REALM "lab407 proxy"
#define PROXY_DEFAULT_ALGS "SHA-256,MD5"
#define PROXY_MAX_SECONDS 86400ul
#define PROXY_MAX_MS (PROXY_MAX_SECONDS * 1000ul)
#define PROXY_MAX_RATE (1ul << 30)
#define PROXY_MAX_CONNECTIONS_LIMIT 100000ul
#define PROXY_ERR 512
/* Long options with no short letter. */
#define OPT_TLS_CERT 0x100
#define OPT_TLS_KEY 0x101
#define OPT_CREDENTIALS_TTL 0x102
#define OPT_AUTH_INT_MAX 0x103

static void on_signal(int sig)
{
	(void)sig;
	proxy_server_stop();
}

#define MS(x) DAEMON_STR(x) " ms"

static const struct daemon_option options[] = {
    DAEMON_OPTION_LISTEN(PROXY_DEFAULT_LISTEN),
    {"--auth LIST", "schemes offered in a 407, in order: none, basic,\n"
		    "digest, bearer, ntlm, negotiate (default basic)"},
    {"--keytab FILE", "Negotiate: the HTTP/host service key (Kerberos)"},
    DAEMON_OPTION_REALM(PROXY_DEFAULT_REALM),
    {"--users FILE", "user:password, htpasswd or htdigest file (default:\n"
		     "alice:wonderland, bob:builder, mallory:letmein)"},
    DAEMON_OPTION_TOKENS,
    {"--credentials-ttl S",
     "seconds Basic credentials stay verified, so a kept\n"
     "connection is not hashed again (default " DAEMON_STR(
	 CREDCACHE_DEFAULT_TTL) "; 0: off);\n"
				"the users file is read again when it "
				"changes"},
    DAEMON_OPTIONS_DIGEST(PROXY_DEFAULT_ALGS),
    {"--auth-int-max BYTES",
     "body bytes held to check a qop=auth-int request\n"
     "before it goes on (default " DAEMON_STR(AUTHINT_DEFAULT_MAX) "): 413"},
    {"--acl FILE", "who may go where (docs/acl.md; default: all but mallory)"},
    {"--connect-ports LIST",
     "ports CONNECT may reach without an ACL line naming\n"
     "them, e.g. 443,8443,9000-9100 (default " ACL_DEFAULT_CONNECT_PORTS
     "); never\nthe proxy's own address"},
    {"--allow-exposed", "listen beyond loopback even with --auth none or the\n"
			"compiled-in lab users (refused without it)"},
    {"--workers N", "event loops (default: one per core)"},
    {"--max-connections N", "client connections at once (default " DAEMON_STR(
				PROXY_DEFAULT_MAX_CONNECTIONS) "): 503"},
    {NULL, "Timeouts (T: seconds, or milliseconds as in 300ms), one per "
	   "phase:"},
    {"--header-timeout T", "the whole request head, from its first byte "
			   "(" MS(PROXY_DEFAULT_HEADER_TIMEOUT_MS) "): 408"},
    {"--idle-timeout T", "waiting for the next request on a kept connection "
			 "(" MS(PROXY_DEFAULT_IDLE_TIMEOUT_MS) ")"},
    {"--body-timeout T", "window in which the request body must keep"},
    {"--body-min-rate B",
     "... B bytes/s (" MS(PROXY_DEFAULT_BODY_TIMEOUT_MS) ", " DAEMON_STR(
	 PROXY_DEFAULT_BODY_MIN_RATE) " B/s): 408"},
    {"--send-timeout T", "a client or origin that does not read "
			 "(" MS(PROXY_DEFAULT_SEND_TIMEOUT_MS) ")"},
    {"--connect-timeout T", "the origin accepting a connection "
			    "(" MS(PROXY_DEFAULT_CONNECT_TIMEOUT_MS) "): 504"},
    {"--upstream-timeout T",
     "the origin's response, and each gap in it "
     "(" MS(PROXY_DEFAULT_UPSTREAM_TIMEOUT_MS) "): 504"},
    {"--tunnel-idle-timeout T", "a CONNECT tunnel silent both ways "
				"(" MS(PROXY_DEFAULT_TUNNEL_IDLE_MS) ")"},
    {"--pool-idle-timeout T", "an idle upstream connection kept for reuse "
			      "(" MS(PROXY_DEFAULT_POOL_IDLE_MS) ")"},
    {"--linger-timeout T", "draining a client after an early answer "
			   "(" MS(PROXY_DEFAULT_LINGER_MS) ")"},
    {"--tls-cert FILE",
     "serve the port over TLS (an HTTPS proxy) with this PEM\n"
     "certificate chain; make lab-cert makes one"},
    {"--tls-key FILE", "... and this PEM private key (both or neither)"},
    {"--access-log FILE", "the access log there, not on stdout"},
    {"-v, --verbose", "also one line per authentication decision, saying why"},
    DAEMON_OPTIONS_END,
};

static void usage(FILE *f)
{
	daemon_usage(f, "bin/proxy",
		     "The lab407 forward proxy: 407 until you authenticate, "
		     "403 if the ACL says no,\nelse the request goes on to "
		     "the origin.",
		     options, sizeof(options) / sizeof(options[0]));
}

/* A usage error: one line, exit 2. */
#define die_usage(...) daemon_die_usage("bin/proxy", __VA_ARGS__)

/* A number in 1..max for option `name`, or a usage error. */
static unsigned long number(const char *name, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		die_usage("%s wants a number 1..%lu, not '%s'", name, max, s);
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > max)
		die_usage("%s wants a number 1..%lu, not '%s'", name, max, s);
	return v;
}

/*
 * The policy's own addresses: where fd listens; for a wildcard, every
 * interface address and all of 127.0.0.0/8 (any of them reaches it).
 */
static bool own_addresses(int fd, struct acl_policy *p)
{
	struct sockaddr_storage ss[NET_MAX_LOCAL];
	struct acl_net net;
	bool wildcard;
	size_t n =
	    net_listen_addrs(fd, ss, NET_MAX_LOCAL, &p->self_port, &wildcard);

	if (n == 0 || p->self_port == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!acl_addr_from_sockaddr((struct sockaddr *)&ss[i],
					    &net.addr))
			continue;
		net.bits = net.addr.family == AF_INET ? 32 : 128;
		acl_policy_add_self(p, &net);
	}
	if (wildcard && acl_net_parse("127.0.0.0/8", &net))
		acl_policy_add_self(p, &net);
	return true;
}

/* A time for option `name`: "S" seconds or "Nms"; in ms, 1..a day. */
static unsigned duration(const char *name, const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		die_usage("%s wants seconds or NNNms, not '%s'", name, s);
	v = strtoul(s, &end, 10);
	if (strcmp(end, "ms") == 0)
		;
	else if (*end == '\0' && v <= PROXY_MAX_SECONDS)
		v *= 1000;
	else
		die_usage("%s wants seconds or NNNms, not '%s'", name, s);
	if (v == 0 || v > PROXY_MAX_MS)
		die_usage("%s wants 1ms..%lus, not '%s'", name,
			  PROXY_MAX_SECONDS, s);
	return (unsigned)v;
}

/* As many descriptors as the hard limit allows: each connection needs
 * one, two while it is forwarded. */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* What the command line asks for; defaults filled by parse_args(). */
struct proxy_args {
	const char *listen_at, *auth, *realm, *users_file, *tokens_file;
	const char *keytab, *algs, *qop, *acl_file, *connect_ports;
	const char *log_file, *tls_cert, *tls_key;
	bool allow_exposed, verbose;
	unsigned long lifetime, max_conn, workers, creds_ttl, auth_int_max;
	struct proxy_timeouts t;
};

/* Runtime error: one line, exit 1. */
static void die(const char *what)
{
	fprintf(stderr, "bin/proxy: %s\n", what);
	exit(1);
}

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, 'l'},
    {"auth", required_argument, NULL, 'a'},
    {"realm", required_argument, NULL, 'r'},
    {"users", required_argument, NULL, 'u'},
    {"tokens", required_argument, NULL, 't'},
    {"keytab", required_argument, NULL, 'k'},
    {"digest-algorithms", required_argument, NULL, 'A'},
    {"qop", required_argument, NULL, 'q'},
    {"nonce-lifetime", required_argument, NULL, 'n'},
    {"acl", required_argument, NULL, 'c'},
    {"connect-ports", required_argument, NULL, 'P'},
    {"allow-exposed", no_argument, NULL, 'X'},
    {"upstream-timeout", required_argument, NULL, 'U'},
    {"header-timeout", required_argument, NULL, 'H'},
    {"idle-timeout", required_argument, NULL, 'I'},
    {"body-timeout", required_argument, NULL, 'B'},
    {"body-min-rate", required_argument, NULL, 'R'},
    {"send-timeout", required_argument, NULL, 'S'},
    {"connect-timeout", required_argument, NULL, 'C'},
    {"tunnel-idle-timeout", required_argument, NULL, 'T'},
    {"pool-idle-timeout", required_argument, NULL, 'O'},
    {"linger-timeout", required_argument, NULL, 'G'},
    {"workers", required_argument, NULL, 'w'},
    {"max-connections", required_argument, NULL, 'm'},
    {"access-log", required_argument, NULL, 'L'},
    {"credentials-ttl", required_argument, NULL, OPT_CREDENTIALS_TTL},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"auth-int-max", required_argument, NULL, OPT_AUTH_INT_MAX},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* The options that set one timeout: letter, name, field. */
static const struct {
	int c;
	const char *name;
	size_t field;
} timeout_opts[] = {
    {'U', "--upstream-timeout", offsetof(struct proxy_timeouts, upstream_ms)},
    {'H', "--header-timeout", offsetof(struct proxy_timeouts, header_ms)},
    {'I', "--idle-timeout", offsetof(struct proxy_timeouts, idle_ms)},
    {'B', "--body-timeout", offsetof(struct proxy_timeouts, body_ms)},
    {'S', "--send-timeout", offsetof(struct proxy_timeouts, send_ms)},
    {'C', "--connect-timeout", offsetof(struct proxy_timeouts, connect_ms)},
    {'T', "--tunnel-idle-timeout",
     offsetof(struct proxy_timeouts, tunnel_idle_ms)},
    {'O', "--pool-idle-timeout", offsetof(struct proxy_timeouts, pool_idle_ms)},
    {'G', "--linger-timeout", offsetof(struct proxy_timeouts, linger_ms)},
};

/* Option c names a timeout: set it and say so. */
static bool timeout_option(int c, const char *arg, struct proxy_timeouts *t)
{
	for (size_t i = 0; i < sizeof(timeout_opts) / sizeof(timeout_opts[0]);
	     i++) {
		if (timeout_opts[i].c == c) {
			*(unsigned *)((char *)t + timeout_opts[i].field) =
			    duration(timeout_opts[i].name, arg);
			return true;
		}
	}
	return false;
}

/* Option c with argument arg (no timeout): into a; exits on --help,
 * --version and a bad option. */
static void one_option(int c, const char *arg, struct proxy_args *a)
{
	switch (c) {
	case 'l':
		a->listen_at = arg;
		break;
	case 'a':
		a->auth = arg;
		break;
	case 'r':
		a->realm = arg;
		break;
	case 'u':
		a->users_file = arg;
		break;
	case 't':
		a->tokens_file = arg;
		break;
	case 'k':
		a->keytab = arg;
		break;
	case 'A':
		a->algs = arg;
		break;
	case 'q':
		a->qop = arg;
		break;
	case 'n':
		a->lifetime =
		    number("--nonce-lifetime", arg, PROXY_MAX_SECONDS);
		break;
	case 'c':
		a->acl_file = arg;
		break;
	case 'P':
		a->connect_ports = arg;
		break;
	case 'X':
		a->allow_exposed = true;
		break;
	case 'R':
		a->t.body_min_rate =
		    (unsigned)number("--body-min-rate", arg, PROXY_MAX_RATE);
		break;
	case 'w':
		a->workers = number("--workers", arg, LOOP_MAX_WORKERS);
		break;
	case 'm':
		a->max_conn = number("--max-connections", arg,
				     PROXY_MAX_CONNECTIONS_LIMIT);
		break;
	case 'L':
		a->log_file = arg;
		break;
	case OPT_CREDENTIALS_TTL:
		/* 0 is allowed: it turns the cache off */
		a->creds_ttl =
		    strcmp(arg, "0") == 0
			? 0
			: number("--credentials-ttl", arg, CREDCACHE_MAX_TTL);
		break;
	case OPT_TLS_CERT:
		a->tls_cert = arg;
		break;
	case OPT_TLS_KEY:
		a->tls_key = arg;
		break;
	case OPT_AUTH_INT_MAX:
		a->auth_int_max =
		    number("--auth-int-max", arg, AUTHINT_MAX_LIMIT);
		break;
	case 'v':
		a->verbose = true;
		break;
	case 'h':
		usage(stdout);
		exit(0);
	case 'V':
		printf("bin/proxy (lab407) %s\n", PROXY_VERSION);
		exit(0);
	default:
		fprintf(stderr, "bin/proxy: bad option (try --help)\n");
		exit(2);
	}
}

/* The command line into a, every default first; usage errors exit 2. */
static void parse_args(int argc, char **argv, struct proxy_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->listen_at = PROXY_DEFAULT_LISTEN;
	a->auth = "basic";
	a->realm = PROXY_DEFAULT_REALM;
	a->algs = PROXY_DEFAULT_ALGS;
	a->qop = "auth";
	a->connect_ports = ACL_DEFAULT_CONNECT_PORTS;
	a->lifetime = DIGEST_NONCE_LIFETIME;
	a->max_conn = PROXY_DEFAULT_MAX_CONNECTIONS;
	a->creds_ttl = CREDCACHE_DEFAULT_TTL;
	a->auth_int_max = AUTHINT_DEFAULT_MAX;
	proxy_timeouts_default(&a->t); /* the options change them */
	while ((c = getopt_long(argc, argv, "vhV", long_opts, NULL)) != -1) {
		if (!timeout_option(c, optarg, &a->t))
			one_option(c, optarg, a);
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if ((a->tls_cert == NULL) != (a->tls_key == NULL))
		die_usage("--tls-cert and --tls-key go together");
}

/* ---- Configuration: who are you ---- */
static void setup_who(const struct proxy_args *a, struct proxy_config *cfg,
		      struct users *users)
{
	char err[PROXY_ERR], line[PROXY_ERR + 32];
	bool plaintext, neg = false;

	if (guard_setup_options(&cfg->guard, true, a->auth, a->realm, a->algs,
				a->qop, err, sizeof(err)) != HTTP_OK)
		die_usage("%s", err);
	if (guard_setup_users(&cfg->guard, users, USERS_SIDE_PROXY,
			      a->users_file, a->tokens_file, &plaintext, err,
			      sizeof(err)) != HTTP_OK)
		die(err);
	if (plaintext)
		fprintf(stderr,
			"bin/proxy: warning: %s holds plaintext "
			"passwords (fine for a lab, not elsewhere)\n",
			a->users_file);
	cfg->guard.users = users;
	for (size_t i = 0; i < cfg->guard.num_schemes; i++) {
		if (cfg->guard.schemes[i] == AUTH_SCHEME_NTLM &&
		    ntlm_crypto_init() != HTTP_OK) {
			snprintf(line, sizeof(line), "--auth ntlm: %s",
				 http_strerror(HTTP_E_NTLM_CRYPTO));
			die(line);
		}
		if (cfg->guard.schemes[i] == AUTH_SCHEME_NEGOTIATE &&
		    negotiate_server_init(a->keytab, err, sizeof(err)) !=
			HTTP_OK) {
			snprintf(line, sizeof(line), "--auth negotiate: %s",
				 err);
			die(line);
		}
		neg |= cfg->guard.schemes[i] == AUTH_SCHEME_NEGOTIATE;
	}
	if (a->keytab != NULL && !neg)
		die_usage("--keytab is for --auth negotiate");
}

/* ---- Configuration: may you ---- */
static void setup_may(const struct proxy_args *a, struct proxy_config *cfg,
		      struct acl *acl, struct acl_policy *policy)
{
	char err[PROXY_ERR];
	enum http_err e;

	if (a->acl_file != NULL) {
		err[0] = '\0';
		e = acl_load(a->acl_file, acl, err, sizeof(err));
		if (e != HTTP_OK)
			die(err[0] != '\0' ? err : http_strerror(e));
	} else {
		acl_default(acl);
	}
	cfg->acl = acl;
	acl_policy_default(policy);
	if (acl_policy_ports(policy, a->connect_ports, err, sizeof(err)) !=
	    HTTP_OK)
		die_usage("--connect-ports: %s", err);
	cfg->policy = policy;
	cfg->verbose = a->verbose;
}

/* ---- Where: loopback, unless acknowledged (proxy/expose.h) ---- */
static void check_exposure(const struct proxy_args *a,
			   const struct proxy_config *cfg)
{
	char lhost[NET_MAX_ADDR];
	unsigned lport;
	const char *exposed;

	if (net_split_hostport(a->listen_at, lhost, sizeof(lhost), &lport)) {
		exposed = expose_check(lhost, cfg->guard.num_schemes == 0,
				       a->users_file == NULL, a->allow_exposed);
		if (exposed != NULL)
			die(exposed);
	}
}

/* ---- TLS to the proxy itself (proxy/tls.h) ---- */
static SSL_CTX *setup_tls(const struct proxy_args *a)
{
	char err[PROXY_ERR];
	SSL_CTX *tls;

	if (a->tls_cert == NULL)
		return NULL;
	tls = proxy_tls_context(a->tls_cert, a->tls_key, err, sizeof(err));
	if (tls == NULL)
		die(err);
	return tls;
}

/* The access log: stdout, or --access-log FILE opened to append. */
static FILE *open_log(const struct proxy_args *a)
{
	FILE *log;

	if (a->log_file == NULL)
		return stdout;
	log = fopen(a->log_file, "a");
	if (log == NULL) {
		fprintf(stderr,
			"bin/proxy: cannot open the access log "
			"%s\n",
			a->log_file);
		exit(1);
	}
	/* Fully buffered (the default), like stdout: each worker flushes
	 * its lines once a loop turn (proxy/log.c log_later()). */
	return log;
}

/* ---- Serving ---- */
static void setup_server(const struct proxy_args *a, struct proxy_server *srv,
			 struct proxy_config *cfg, SSL_CTX *tls, FILE *log)
{
	enum http_err e = proxy_server_init(srv, cfg, (unsigned)a->lifetime);

	if (e != HTTP_OK)
		die(http_strerror(e));
	srv->t = a->t;
	srv->max_connections = (unsigned)a->max_conn;
	srv->workers = (unsigned)a->workers;
	srv->auth_int_max = a->auth_int_max;
	srv->log = log;
	srv->verbose = a->verbose;
	srv->tls = tls;
	srv->users_file = a->users_file;
	srv->tokens_file = a->tokens_file;
	srv->credentials_ttl = (unsigned)a->creds_ttl;
}

int main(int argc, char **argv)
{
	static struct proxy_args a;
	static struct proxy_config cfg;
	static struct proxy_server srv;
	static struct users users;
	static struct acl acl;
	static struct acl_policy policy;
	char err[PROXY_ERR], bound[NET_MAX_ADDR];
	SSL_CTX *tls;
	FILE *log;
	int fd, rc;

	parse_args(argc, argv, &a);
	setup_who(&a, &cfg, &users);
	setup_may(&a, &cfg, &acl, &policy);
	check_exposure(&a, &cfg);
	tls = setup_tls(&a);
	log = open_log(&a);
	setup_server(&a, &srv, &cfg, tls, log);
	raise_fd_limit();
	fd = net_listen(a.listen_at, bound, sizeof(bound), err, sizeof(err));
	if (fd < 0)
		die(err);
	if (!own_addresses(fd, &policy))
		die("cannot tell the listening address");
	daemon_signals(on_signal);

	printf("listening on %s\n", bound);
	fflush(stdout);
	rc = proxy_server_run(&srv, fd, err, sizeof(err));
	proxy_server_free(&srv);
	SSL_CTX_free(tls);
	users_free(&users);
	if (log != stdout)
		fclose(log);
	if (rc != 0)
		die(err);
	return 0;
}

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
#include "../net/cmdline.h"
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
#define PROXY_MAX_RATE (1ul << 30)
#define PROXY_MAX_CONNECTIONS_LIMIT 100000ul
#define PROXY_ERR 512

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
    {"--linger-timeout T", "draining a client after an early answer,\n"
			   "or a side after a tunnel's end "
			   "(" MS(PROXY_DEFAULT_LINGER_MS) ")"},
    {"--tls-cert FILE",
     "serve the port over TLS (an HTTPS proxy) with this PEM\n"
     "certificate chain; make lab-cert makes one"},
    {"--tls-key FILE", "... and this PEM private key (both or neither)"},
    {"--access-log FILE", "the access log there, not on stdout (none: no\n"
			  "access log, as Squid's access_log none)"},
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
#define die_usage(...) cmdline_die_usage("bin/proxy", __VA_ARGS__)

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
	struct daemon_args d; /* what bin/origin has too */
	const char *keytab, *acl_file, *connect_ports;
	const char *log_file, *tls_cert, *tls_key;
	bool allow_exposed;
	unsigned long max_conn, workers, auth_int_max;
	unsigned long body_min_rate; /* into t once read */
	struct proxy_timeouts t;
};

/* Runtime error: one line, exit 1. */
static void die(const char *what)
{
	fprintf(stderr, "bin/proxy: %s\n", what);
	exit(1);
}

/* ---- The command line (net/cmdline.h) ---- */

#define ARG(f) offsetof(struct proxy_args, f)
#define STRING(name, f) CMDLINE_OPT_STRING(name, 0, ARG(f))
#define NUMBER(name, f, min, max) CMDLINE_OPT_NUMBER(name, ARG(f), min, max)
#define TIMEOUT(name, f) CMDLINE_OPT_DURATION(name, ARG(t.f), PROXY_MAX_SECONDS)

static const struct cmdline_option cmdline_opts[] = {
    DAEMON_CMDLINE(struct proxy_args, d),
    STRING("keytab", keytab),
    STRING("acl", acl_file),
    STRING("connect-ports", connect_ports),
    CMDLINE_OPT_FLAG("allow-exposed", 0, ARG(allow_exposed)),
    TIMEOUT("upstream-timeout", upstream_ms),
    TIMEOUT("header-timeout", header_ms),
    TIMEOUT("idle-timeout", idle_ms),
    TIMEOUT("body-timeout", body_ms),
    NUMBER("body-min-rate", body_min_rate, 1, PROXY_MAX_RATE),
    TIMEOUT("send-timeout", send_ms),
    TIMEOUT("connect-timeout", connect_ms),
    TIMEOUT("tunnel-idle-timeout", tunnel_idle_ms),
    TIMEOUT("pool-idle-timeout", pool_idle_ms),
    TIMEOUT("linger-timeout", linger_ms),
    NUMBER("workers", workers, 1, LOOP_MAX_WORKERS),
    NUMBER("max-connections", max_conn, 1, PROXY_MAX_CONNECTIONS_LIMIT),
    STRING("access-log", log_file),
    STRING("tls-cert", tls_cert),
    STRING("tls-key", tls_key),
    NUMBER("auth-int-max", auth_int_max, 1, AUTHINT_MAX_LIMIT),
};

static const struct cmdline cmdline =
    CMDLINE("bin/proxy", "bin/proxy (lab407) " PROXY_VERSION, usage,
	    cmdline_opts, false);

/* The command line into a, every default first; usage errors exit 2. */
static void parse_args(int argc, char **argv, struct proxy_args *a)
{
	memset(a, 0, sizeof(*a));
	daemon_args_default(&a->d, PROXY_DEFAULT_LISTEN, PROXY_DEFAULT_REALM,
			    PROXY_DEFAULT_ALGS);
	a->connect_ports = ACL_DEFAULT_CONNECT_PORTS;
	a->max_conn = PROXY_DEFAULT_MAX_CONNECTIONS;
	a->auth_int_max = AUTHINT_DEFAULT_MAX;
	proxy_timeouts_default(&a->t); /* the options change them */
	a->body_min_rate = a->t.body_min_rate;
	cmdline_parse(&cmdline, argc, argv, a);
	a->t.body_min_rate = (unsigned)a->body_min_rate;
	if ((a->tls_cert == NULL) != (a->tls_key == NULL))
		die_usage("--tls-cert and --tls-key go together");
}

/* ---- Configuration: who are you ---- */
static void setup_who(const struct proxy_args *a, struct proxy_config *cfg,
		      struct users *users)
{
	char err[PROXY_ERR], line[PROXY_ERR + 32];
	bool neg = false;

	if (!daemon_guard("bin/proxy", &a->d, true, &cfg->guard, users))
		exit(1);
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
	cfg->verbose = a->d.verbose;
}

/* ---- Where: loopback, unless acknowledged (proxy/expose.h) ---- */
static void check_exposure(const struct proxy_args *a,
			   const struct proxy_config *cfg)
{
	char lhost[NET_MAX_ADDR];
	unsigned lport;
	const char *exposed;

	if (net_split_hostport(a->d.listen_at, lhost, sizeof(lhost), &lport)) {
		exposed =
		    expose_check(lhost, cfg->guard.num_schemes == 0,
				 a->d.users_file == NULL, a->allow_exposed);
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

/* --access-log none (Squid's spelling): no access lines at all. */
static bool no_access_log(const struct proxy_args *a)
{
	return a->log_file != NULL && strcmp(a->log_file, "none") == 0;
}

/* The access log: stdout, or --access-log FILE opened to append; with
 * none, stdout for the other lines. */
static FILE *open_log(const struct proxy_args *a)
{
	FILE *log;

	if (a->log_file == NULL || no_access_log(a))
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
	enum http_err e = proxy_server_init(srv, cfg, (unsigned)a->d.lifetime);

	if (e != HTTP_OK)
		die(http_strerror(e));
	srv->t = a->t;
	srv->max_connections = (unsigned)a->max_conn;
	srv->workers = (unsigned)a->workers;
	srv->auth_int_max = a->auth_int_max;
	srv->log = log;
	srv->no_access_log = no_access_log(a);
	srv->verbose = a->d.verbose;
	srv->tls = tls;
	srv->users_file = a->d.users_file;
	srv->tokens_file = a->d.tokens_file;
	srv->credentials_ttl = (unsigned)a->d.creds_ttl;
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
	fd = net_listen(a.d.listen_at, bound, sizeof(bound), err, sizeof(err));
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

/*
 * origin/main.c - bin/origin: the lab's origin server.
 *
 *   bin/origin [--listen HOST:PORT] [--auth basic|digest|bearer[,..]]
 *              [--realm R] [--users FILE] [--tokens FILE] [--rules FILE]
 *              [--digest-algorithms A,..] [--qop auth,auth-int]
 *              [--nonce-lifetime S] [--credentials-ttl S] [-v]
 *
 * "/" is public, "/private" needs any user, "/admin" is alice's (or what
 * --rules says).  The first line on stdout is "listening on HOST:PORT".
 * Exit 2 on a usage error, 1 on a runtime error, 0 on SIGTERM/SIGINT.
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../http/credcache.h"
#include "../net/daemon.h"
#include "../net/net.h"
#include "server.h"

#define ORIGIN_VERSION "0.1.0"
#define ORIGIN_DEFAULT_LISTEN "127.0.0.1:8080"
#define ORIGIN_DEFAULT_REALM "lab407 origin"
#define ORIGIN_DEFAULT_ALGS "SHA-256,MD5"
#define ORIGIN_MAX_NONCE_LIFETIME 86400u
#define ORIGIN_ERR 512

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static const struct daemon_option options[] = {
    DAEMON_OPTION_LISTEN(ORIGIN_DEFAULT_LISTEN),
    {"--auth LIST", "schemes offered in a 401, in order: basic, digest,\n"
		    "bearer (default basic)"},
    DAEMON_OPTION_REALM(ORIGIN_DEFAULT_REALM),
    {"--users FILE", "user:password, htpasswd or htdigest file\n"
		     "(default: alice:wonderland, bob:builder)"},
    DAEMON_OPTION_TOKENS,
    {"--rules FILE", "who may read which path (docs/rules.md)"},
    {"--credentials-ttl S",
     "seconds Basic credentials stay verified, so a kept\n"
     "connection is not hashed again (default " DAEMON_STR(
	 CREDCACHE_DEFAULT_TTL) "; 0: off)"},
    DAEMON_OPTIONS_DIGEST(ORIGIN_DEFAULT_ALGS),
    {"-v, --verbose", "one line per decision on stderr, saying why"},
    DAEMON_OPTIONS_END,
};

static void usage(FILE *f)
{
	daemon_usage(f, "bin/origin",
		     "The lab407 origin server: / is public, /private needs "
		     "any user, /admin is alice's.",
		     options, sizeof(options) / sizeof(options[0]));
}

/* A usage error: one line, exit 2. */
#define die_usage(...) daemon_die_usage("bin/origin", __VA_ARGS__)

/* -v: one line per decision. */
static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

/* What the command line asks for; defaults filled by parse_args(). */
struct origin_args {
	const char *listen_at, *auth, *realm, *users_file, *tokens_file;
	const char *rules_file, *algs, *qop;
	unsigned long lifetime, creds_ttl;
	bool verbose;
};

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, 'l'},
    {"auth", required_argument, NULL, 'a'},
    {"realm", required_argument, NULL, 'r'},
    {"users", required_argument, NULL, 'u'},
    {"tokens", required_argument, NULL, 't'},
    {"rules", required_argument, NULL, 'R'},
    {"digest-algorithms", required_argument, NULL, 'A'},
    {"qop", required_argument, NULL, 'q'},
    {"nonce-lifetime", required_argument, NULL, 'n'},
    {"credentials-ttl", required_argument, NULL, 'C'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Option c with argument arg into a; exits on --help, --version and a
 * bad option or value. */
static void one_option(int c, const char *arg, struct origin_args *a)
{
	char *end;

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
	case 'R':
		a->rules_file = arg;
		break;
	case 'A':
		a->algs = arg;
		break;
	case 'q':
		a->qop = arg;
		break;
	case 'n':
		a->lifetime = strtoul(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || a->lifetime == 0 ||
		    a->lifetime > ORIGIN_MAX_NONCE_LIFETIME)
			die_usage("--nonce-lifetime wants 1..86400 "
				  "seconds, not '%s'",
				  arg);
		break;
	case 'C':
		a->creds_ttl = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' ||
		    a->creds_ttl > CREDCACHE_MAX_TTL)
			die_usage("--credentials-ttl wants 0..%u "
				  "seconds, not '%s'",
				  CREDCACHE_MAX_TTL, arg);
		break;
	case 'v':
		a->verbose = true;
		break;
	case 'h':
		usage(stdout);
		exit(0);
	case 'V':
		printf("bin/origin (lab407) %s\n", ORIGIN_VERSION);
		exit(0);
	default:
		fprintf(stderr, "bin/origin: bad option (try --help)\n");
		exit(2);
	}
}

/* The command line into a, every default first; usage errors exit 2. */
static void parse_args(int argc, char **argv, struct origin_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->listen_at = ORIGIN_DEFAULT_LISTEN;
	a->auth = "basic";
	a->realm = ORIGIN_DEFAULT_REALM;
	a->algs = ORIGIN_DEFAULT_ALGS;
	a->qop = "auth";
	a->lifetime = DIGEST_NONCE_LIFETIME;
	a->creds_ttl = CREDCACHE_DEFAULT_TTL;
	while ((c = getopt_long(argc, argv, "vhV", long_opts, NULL)) != -1)
		one_option(c, optarg, a);
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
}

/* ---- Configuration ----
 * The guard's options and users, then --rules; false (said on stderr)
 * when a file cannot be read; a usage error exits 2. */
static bool setup(const struct origin_args *a, struct origin_config *cfg,
		  struct users *users, struct rules *rules)
{
	char err[ORIGIN_ERR];
	bool plaintext;

	memset(cfg, 0, sizeof(*cfg));
	if (guard_setup_options(&cfg->guard, false, a->auth, a->realm, a->algs,
				a->qop, err, sizeof(err)) != HTTP_OK)
		die_usage("%s", err);
	if (guard_setup_users(&cfg->guard, users, USERS_SIDE_ORIGIN,
			      a->users_file, a->tokens_file, &plaintext, err,
			      sizeof(err)) != HTTP_OK) {
		fprintf(stderr, "bin/origin: %s\n", err);
		return false;
	}
	if (plaintext)
		fprintf(stderr,
			"bin/origin: warning: %s holds plaintext "
			"passwords (fine for a lab, not elsewhere)\n",
			a->users_file);
	cfg->guard.users = users;
	if (a->rules_file != NULL) {
		if (rules_load(a->rules_file, rules, err, sizeof(err)) !=
		    HTTP_OK) {
			fprintf(stderr, "bin/origin: %s\n", err);
			return false;
		}
		cfg->rules = rules;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct origin_args a;
	struct origin_config cfg;
	struct origin_server srv;
	static struct users users;
	static struct rules rules;
	char err[ORIGIN_ERR], bound[NET_MAX_ADDR];
	enum http_err e;
	bool have_srv = false;
	int fd, rc, status = 1;

	parse_args(argc, argv, &a);
	if (!setup(&a, &cfg, &users, &rules))
		goto done;

	/* ---- Serving ---- */
	e = origin_server_init(&srv, &cfg, (unsigned)a.lifetime);
	if (e != HTTP_OK) {
		fprintf(stderr, "bin/origin: %s\n", http_strerror(e));
		goto done;
	}
	have_srv = true;
	srv.credentials_ttl = (unsigned)a.creds_ttl;
	if (a.verbose)
		srv.log = log_line;
	fd = net_listen(a.listen_at, bound, sizeof(bound), err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "bin/origin: %s\n", err);
		goto done;
	}
	daemon_signals(on_signal);

	printf("listening on %s\n", bound);
	fflush(stdout);
	rc = origin_server_run(&srv, fd, &stop_flag);
	close(fd);
	if (rc != 0)
		fprintf(stderr, "bin/origin: accept failed\n");
	else
		status = 0;
done:
	/* Every way out wipes the nonce secret and the users' passwords
	 * (DESIGN.md), and leaves nothing for LeakSanitizer to report. */
	if (have_srv)
		origin_server_free(&srv);
	users_free(&users);
	return status;
}

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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
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
	const char *listen_at = ORIGIN_DEFAULT_LISTEN, *auth = "basic";
	const char *realm = ORIGIN_DEFAULT_REALM, *users_file = NULL;
	const char *tokens_file = NULL, *rules_file = NULL;
	const char *algs = ORIGIN_DEFAULT_ALGS, *qop = "auth";
	unsigned long lifetime = DIGEST_NONCE_LIFETIME;
	unsigned long creds_ttl = CREDCACHE_DEFAULT_TTL;
	bool verbose = false;
	struct origin_config cfg;
	struct origin_server srv;
	static struct users users;
	static struct rules rules;
	char err[ORIGIN_ERR], bound[NET_MAX_ADDR];
	enum http_err e;
	bool plaintext, have_srv = false;
	int c, fd, rc, status = 1;

	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'l':
			listen_at = optarg;
			break;
		case 'a':
			auth = optarg;
			break;
		case 'r':
			realm = optarg;
			break;
		case 'u':
			users_file = optarg;
			break;
		case 't':
			tokens_file = optarg;
			break;
		case 'R':
			rules_file = optarg;
			break;
		case 'A':
			algs = optarg;
			break;
		case 'q':
			qop = optarg;
			break;
		case 'n':
			lifetime = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || lifetime == 0 ||
			    lifetime > ORIGIN_MAX_NONCE_LIFETIME)
				die_usage("--nonce-lifetime wants 1..86400 "
					  "seconds, not '%s'",
					  optarg);
			break;
		case 'C':
			creds_ttl = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    creds_ttl > CREDCACHE_MAX_TTL)
				die_usage("--credentials-ttl wants 0..%u "
					  "seconds, not '%s'",
					  CREDCACHE_MAX_TTL, optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("bin/origin (lab407) %s\n", ORIGIN_VERSION);
			return 0;
		default:
			fprintf(stderr,
				"bin/origin: bad option (try --help)\n");
			return 2;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);

	/* ---- Configuration ---- */
	memset(&cfg, 0, sizeof(cfg));
	if (guard_setup_options(&cfg.guard, false, auth, realm, algs, qop, err,
				sizeof(err)) != HTTP_OK)
		die_usage("%s", err);
	if (guard_setup_users(&cfg.guard, &users, USERS_SIDE_ORIGIN,
			      users_file, tokens_file, &plaintext, err,
			      sizeof(err)) != HTTP_OK) {
		fprintf(stderr, "bin/origin: %s\n", err);
		return 1;
	}
	if (plaintext)
		fprintf(stderr, "bin/origin: warning: %s holds plaintext "
				"passwords (fine for a lab, not elsewhere)\n",
			users_file);
	cfg.guard.users = &users;
	if (rules_file != NULL) {
		if (rules_load(rules_file, &rules, err, sizeof(err)) !=
		    HTTP_OK) {
			fprintf(stderr, "bin/origin: %s\n", err);
			goto done;
		}
		cfg.rules = &rules;
	}

	/* ---- Serving ---- */
	e = origin_server_init(&srv, &cfg, (unsigned)lifetime);
	if (e != HTTP_OK) {
		fprintf(stderr, "bin/origin: %s\n", http_strerror(e));
		goto done;
	}
	have_srv = true;
	srv.credentials_ttl = (unsigned)creds_ttl;
	if (verbose)
		srv.log = log_line;
	fd = net_listen(listen_at, bound, sizeof(bound), err, sizeof(err));
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

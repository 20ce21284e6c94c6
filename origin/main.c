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

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../http/credcache.h"
#include "../net/cmdline.h"
#include "../net/daemon.h"
#include "../net/net.h"
#include "server.h"

#define ORIGIN_VERSION "0.1.0"
#define ORIGIN_DEFAULT_LISTEN "127.0.0.1:8080"
#define ORIGIN_DEFAULT_REALM "lab407 origin"
#define ORIGIN_DEFAULT_ALGS "SHA-256,MD5"
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
#define die_usage(...) cmdline_die_usage("bin/origin", __VA_ARGS__)

/* -v: one line per decision. */
static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

/* What the command line asks for; defaults filled by parse_args(). */
struct origin_args {
	struct daemon_args d; /* what bin/proxy has too */
	const char *rules_file;
};

/* ---- The command line (net/cmdline.h) ---- */

static const struct cmdline_option cmdline_opts[] = {
    DAEMON_CMDLINE(struct origin_args, d),
    CMDLINE_OPT_STRING("rules", 0, offsetof(struct origin_args, rules_file)),
};

static const struct cmdline cmdline =
    CMDLINE("bin/origin", "bin/origin (lab407) " ORIGIN_VERSION, usage,
	    cmdline_opts, false);

/* The command line into a, every default first; usage errors exit 2. */
static void parse_args(int argc, char **argv, struct origin_args *a)
{
	memset(a, 0, sizeof(*a));
	daemon_args_default(&a->d, ORIGIN_DEFAULT_LISTEN, ORIGIN_DEFAULT_REALM,
			    ORIGIN_DEFAULT_ALGS);
	cmdline_parse(&cmdline, argc, argv, a);
}

/* ---- Configuration ----
 * The guard's options and users, then --rules; false (said on stderr)
 * when a file cannot be read; a usage error exits 2. */
static bool setup(const struct origin_args *a, struct origin_config *cfg,
		  struct users *users, struct rules *rules)
{
	char err[ORIGIN_ERR];

	memset(cfg, 0, sizeof(*cfg));
	if (!daemon_guard("bin/origin", &a->d, false, &cfg->guard, users))
		return false;
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
	e = origin_server_init(&srv, &cfg, (unsigned)a.d.lifetime);
	if (e != HTTP_OK) {
		fprintf(stderr, "bin/origin: %s\n", http_strerror(e));
		goto done;
	}
	have_srv = true;
	srv.credentials_ttl = (unsigned)a.d.creds_ttl;
	if (a.d.verbose)
		srv.log = log_line;
	fd = net_listen(a.d.listen_at, bound, sizeof(bound), err, sizeof(err));
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

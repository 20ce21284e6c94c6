/*
 * net/daemon.c - what bin/proxy and bin/origin share around their main()
 * (see daemon.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "daemon.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define DAEMON_FLAG_WIDTH 24 /* the flag column of --help */
#define DAEMON_ERR 512	     /* one error sentence */

void daemon_usage(FILE *f, const char *prog, const char *about,
		  const struct daemon_option *opts, size_t n)
{
	fprintf(f, "Usage: %s [options]\n%s\n\n", prog, about);
	for (size_t i = 0; i < n; i++) {
		const char *h = opts[i].help, *nl;
		bool first = true;

		if (opts[i].flag == NULL) {
			fprintf(f, "%s\n", h);
			continue;
		}
		do {
			nl = strchr(h, '\n');
			fprintf(
			    f, "  %-*s  %.*s\n", DAEMON_FLAG_WIDTH,
			    first ? opts[i].flag : "",
			    (int)(nl != NULL ? (size_t)(nl - h) : strlen(h)),
			    h);
			first = false;
			h = nl + 1;
		} while (nl != NULL);
	}
}

void daemon_args_default(struct daemon_args *d, const char *listen_at,
			 const char *realm, const char *algs)
{
	memset(d, 0, sizeof(*d));
	d->listen_at = listen_at;
	d->auth = "basic";
	d->realm = realm;
	d->algs = algs;
	d->qop = "auth";
	d->lifetime = DIGEST_NONCE_LIFETIME;
	d->creds_ttl = CREDCACHE_DEFAULT_TTL;
}

bool daemon_guard(const char *prog, const struct daemon_args *d, bool proxy,
		  struct guard_config *cfg, struct users *users)
{
	char err[DAEMON_ERR];
	bool plaintext;

	if (guard_setup_options(cfg, proxy, d->auth, d->realm, d->algs, d->qop,
				err, sizeof(err)) != HTTP_OK)
		cmdline_die_usage(prog, "%s", err);
	if (guard_setup_users(cfg, users,
			      proxy ? USERS_SIDE_PROXY : USERS_SIDE_ORIGIN,
			      d->users_file, d->tokens_file, &plaintext, err,
			      sizeof(err)) != HTTP_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return false;
	}
	if (plaintext)
		fprintf(stderr,
			"%s: warning: %s holds plaintext "
			"passwords (fine for a lab, not elsewhere)\n",
			prog, d->users_file);
	cfg->users = users;
	return true;
}

void daemon_signals(void (*on_stop)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

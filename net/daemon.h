/*
 * net/daemon.h - what bin/proxy and bin/origin share around their main():
 * the --help table, the options both read for their guard, and the
 * signal set-up.  Usage errors are net/cmdline.h's.
 */
#ifndef LAB407_NET_DAEMON_H
#define LAB407_NET_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../http/credcache.h"
#include "../http/digest.h"
#include "../http/guard.h"
#include "cmdline.h"

/* A number as a string literal, for defaults in help text. */
#define DAEMON_STR(x) DAEMON_STR_(x)
#define DAEMON_STR_(x) #x

/* One option of --help.  help may hold "\n": each further line is
 * indented under the first.  flag NULL: help is a heading line. */
struct daemon_option {
	const char *flag; /* "--listen HOST:PORT" */
	const char *help;
};

/* The options both servers have, worded once. */
/* clang-format off */
#define DAEMON_OPTION_LISTEN(def) \
	{"--listen HOST:PORT", \
	 "where to listen (default " def "; port 0 picks one)"}
#define DAEMON_OPTION_REALM(def) \
	{"--realm R", "the realm (default \"" def "\")"}
#define DAEMON_OPTION_TOKENS \
	{"--tokens FILE", "Bearer tokens, lines \"TOKEN USER\""}
#define DAEMON_OPTIONS_DIGEST(algs) \
	{"--digest-algorithms LIST", \
	 "Digest algorithms offered (default " algs ")"}, \
	{"--qop LIST", "auth, auth-int, or none (default auth)"}, \
	{"--nonce-lifetime S", "seconds a Digest nonce stays fresh (default " \
			       DAEMON_STR(DIGEST_NONCE_LIFETIME) ")"}
#define DAEMON_OPTIONS_END \
	{"-h, --help", "this text"}, {"-V, --version", "the version"}
/* clang-format on */

/* Print "Usage: PROG [options]", the lines of `about`, a blank line and
 * the options, aligned. */
void daemon_usage(FILE *f, const char *prog, const char *about,
		  const struct daemon_option *opts, size_t n);

#define DAEMON_MAX_NONCE_LIFETIME 86400ul /* seconds: a day */

/* What both servers' command lines say of where they listen and of their
 * guard (http/guard.h guard_setup_options, guard_setup_users). */
struct daemon_args {
	const char *listen_at, *auth, *realm, *users_file, *tokens_file;
	const char *algs, *qop;
	unsigned long lifetime;	 /* --nonce-lifetime, seconds */
	unsigned long creds_ttl; /* --credentials-ttl, seconds; 0: off */
	bool verbose;
};

/* The defaults: --auth basic, --qop auth, the nonce lifetime and the
 * credentials TTL of http/; the server's own listen address, realm and
 * Digest algorithms. */
void daemon_args_default(struct daemon_args *d, const char *listen_at,
			 const char *realm, const char *algs);

/*
 * The guard from d (http/guard.h): its options (a bad one is a usage
 * error, exit 2), then its users and tokens, with the lab's warning on
 * stderr when the users file holds plaintext passwords.  False, said on
 * stderr as "PROG: reason", when a file cannot be used; cfg->users is
 * users once it can.
 */
bool daemon_guard(const char *prog, const struct daemon_args *d, bool proxy,
		  struct guard_config *cfg, struct users *users);

/* The rows of net/cmdline.h's table for struct daemon_args, which is
 * `member` of the server's struct `type`. */
/* clang-format off */
#define DAEMON_ARG_(type, member, f) offsetof(type, member.f)
#define DAEMON_STRING_(type, member, name, f) \
	CMDLINE_OPT_STRING(name, 0, DAEMON_ARG_(type, member, f))
#define DAEMON_CMDLINE(type, member) \
	DAEMON_STRING_(type, member, "listen", listen_at), \
	DAEMON_STRING_(type, member, "auth", auth), \
	DAEMON_STRING_(type, member, "realm", realm), \
	DAEMON_STRING_(type, member, "users", users_file), \
	DAEMON_STRING_(type, member, "tokens", tokens_file), \
	DAEMON_STRING_(type, member, "digest-algorithms", algs), \
	DAEMON_STRING_(type, member, "qop", qop), \
	CMDLINE_OPT_NUMBER("nonce-lifetime", \
			   DAEMON_ARG_(type, member, lifetime), 1, \
			   DAEMON_MAX_NONCE_LIFETIME), \
	/* 0 is allowed: it turns the cache off */ \
	CMDLINE_OPT_NUMBER("credentials-ttl", \
			   DAEMON_ARG_(type, member, creds_ttl), 0, \
			   CREDCACHE_MAX_TTL), \
	CMDLINE_OPT_FLAG("verbose", 'v', DAEMON_ARG_(type, member, verbose)), \
	CMDLINE_OPTS_HELP_VERSION
/* clang-format on */

/* SIGPIPE ignored (a peer that goes away is an error return, not a
 * death); SIGTERM and SIGINT call on_stop, which may only set a flag. */
void daemon_signals(void (*on_stop)(int));

#endif

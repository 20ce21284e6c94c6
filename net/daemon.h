/*
 * net/daemon.h - what bin/proxy and bin/origin share around their main():
 * the --help table, the one-line usage error, and the signal set-up.
 */
#ifndef LAB407_NET_DAEMON_H
#define LAB407_NET_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../http/digest.h"

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
/* A usage error: "PROG: reason (try --help)" on stderr, exit 2. */
void daemon_die_usage(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* SIGPIPE ignored (a peer that goes away is an error return, not a
 * death); SIGTERM and SIGINT call on_stop, which may only set a flag. */
void daemon_signals(void (*on_stop)(int));

#endif

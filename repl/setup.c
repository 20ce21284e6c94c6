/*
 * repl/setup.c - changing the lab between exchanges: scheme, algorithm,
 * qop, user, connect, and `settings` to see them all.
 */
#define _POSIX_C_SOURCE 200809L

#include "setup.h"
#include "lab_set.h"
#include "repl.h"

#include <string.h>

/* ---- Servers ---- */

typedef bool (*setter)(struct lab *, enum lab_party, const char *, char *,
		       size_t);

static enum repl_rc set_party(struct repl *r, char **argv, setter fn)
{
	char err[256];
	int p = lab_party_from(argv[1]);
	struct lab_view v;

	if (p < 0) {
		repl_error(r, "%s: say proxy or origin", argv[0]);
		return REPL_USAGE;
	}
	if (!fn(r->lab, (enum lab_party)p, argv[2], err, sizeof(err))) {
		repl_error(r, "%s %s: %s", argv[0], argv[1], err);
		return REPL_FAIL;
	}
	lab_view(r->lab, &v);
	/* Settings are read at every step, not copied at `get`: a change
	 * in the middle of an exchange reaches its very next message; one
	 * made before the first message (the exchange bin/repl starts
	 * with, or just after `get`) reaches all of it. */
	if (!r->in_outcomes)
		fprintf(r->out, "%s %s: %s (%s)\n", argv[0], argv[1],
			strcmp(argv[0], "user") == 0 && strchr(argv[2], ':')
			    ? "set"
			    : argv[2],
			!v.active ? "in effect now: the next exchange "
				    "uses it"
			: v.num_msgs == 0
			    ? "in effect now: the exchange ready to start "
			      "uses it from its first message"
			    : "in effect now: the exchange in "
			      "progress uses it from its next step");
	return REPL_OK;
}

enum repl_rc setup_scheme(struct repl *r, int argc, char **argv)
{
	(void)argc;
	return set_party(r, argv, lab_set_schemes);
}

enum repl_rc setup_algorithm(struct repl *r, int argc, char **argv)
{
	(void)argc;
	return set_party(r, argv, lab_set_algorithms);
}

enum repl_rc setup_qop(struct repl *r, int argc, char **argv)
{
	(void)argc;
	return set_party(r, argv, lab_set_qop);
}

/* ---- The client ---- */

enum repl_rc setup_user(struct repl *r, int argc, char **argv)
{
	(void)argc;
	return set_party(r, argv, lab_set_user);
}

/* `connect proxy HOST:PORT|embedded` */
enum repl_rc setup_connect(struct repl *r, int argc, char **argv)
{
	char err[256];
	struct lab_view v;

	(void)argc;
	if (!lab_set_proxy(r->lab, argv[2], err, sizeof(err))) {
		repl_error(r, "connect: %s", err);
		return REPL_USAGE;
	}
	lab_view(r->lab, &v);
	if (v.external)
		fprintf(r->out,
			"using the proxy at %s:%u.  Only the client <-> "
			"proxy legs are visible now: what that proxy "
			"checks, and its talk with the origin, happen "
			"inside another program.  The lab's origin "
			"still listens on 127.0.0.1:%u.\n",
			v.ext_host, v.ext_port, v.port[LAB_ORIGIN]);
	else
		fprintf(r->out, "using the embedded proxy again (all four "
				"legs visible)\n");
	return REPL_OK;
}

/* ---- Seeing it all ---- */

static void print_server(struct repl *r, enum lab_party p)
{
	struct lab_view v;
	const struct lab_server *s;
	size_t i;

	lab_view(r->lab, &v);
	s = &v.server[p];
	fprintf(r->out, "  %-7s schemes ", lab_party_name(p));
	if (s->num_schemes == 0)
		fprintf(r->out, "none");
	for (i = 0; i < s->num_schemes; i++)
		fprintf(r->out, "%s%s", i ? "," : "",
			auth_scheme_name(s->schemes[i]));
	fprintf(r->out, "; Digest algorithms ");
	for (i = 0; i < s->num_algs; i++)
		fprintf(r->out, "%s%s", i ? "," : "",
			digest_alg_name(s->algs[i]));
	fprintf(r->out, "; qop %s%s%s\n",
		s->qops & DIGEST_QOP_AUTH ? "auth " : "",
		s->qops & DIGEST_QOP_AUTH_INT ? "auth-int" : "",
		s->qops == 0 ? "none (RFC 2069)" : "");
}

enum repl_rc setup_settings(struct repl *r, int argc, char **argv)
{
	struct lab_view v;
	int p;

	(void)argc;
	(void)argv;
	lab_view(r->lab, &v);
	if (v.external)
		fprintf(r->out, "  proxy   external %s:%u\n", v.ext_host,
			v.ext_port);
	else
		fprintf(r->out,
			"  proxy   embedded, 127.0.0.1:%u, realm \"%s\"\n",
			v.port[LAB_PROXY], LAB_PROXY_REALM);
	fprintf(r->out, "  origin  embedded, 127.0.0.1:%u, realm \"%s\"\n",
		v.port[LAB_ORIGIN], LAB_ORIGIN_REALM);
	if (v.mystery != 0)
		fprintf(r->out,
			"  servers hidden: mystery %d (schemes, algorithms, "
			"qop, ACL and clocks are for you to find)\n",
			v.mystery);
	else {
		print_server(r, LAB_PROXY);
		print_server(r, LAB_ORIGIN);
	}
	for (p = 0; p < 2; p++) {
		if (v.creds[p].set)
			fprintf(r->out,
				"  client  %s user %s (password %zu "
				"bytes)\n",
				lab_party_name((enum lab_party)p),
				v.creds[p].user, strlen(v.creds[p].pass));
		else
			fprintf(r->out, "  client  %s user none\n",
				lab_party_name((enum lab_party)p));
	}
	if (v.brk == LAB_BREAK_NONE)
		fprintf(r->out, "  break   none\n");
	else
		fprintf(r->out, "  break   %s %s (pending)\n",
			lab_party_name(v.brk_party), lab_break_name(v.brk));
	return REPL_OK;
}

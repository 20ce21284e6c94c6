/*
 * repl/mystery.c - mystery configurations (see repl/mystery.h).
 *
 *   mystery            list them (numbers only: the set-ups are hidden)
 *   mystery N          start mystery N; `reset` keeps it
 *   mystery off        the default lab again
 *   bin/repl --mystery N, or `mystery N` on the first line of a lab script
 *
 * While a mystery is on, `settings` and `curl` say "hidden: mystery N"
 * instead of the servers' set-up: the student finds it by experiment.
 * Each row below is one set-up, applied over the default lab; the
 * solutions and their lab scripts are in docs/teaching/.
 *
 * Sections: The set-ups, Misbehaving proxies, The command.
 */
#define _POSIX_C_SOURCE 200809L

#include "mystery.h"
#include "lab_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_set.h"
#include "repl.h"

/* ---- The set-ups ---- */

/* An ACL text (proxy/acl.h grammar) replacing the default one. */
static void set_acl(struct lab *lab, const char *text)
{
	char err[256];

	if (acl_parse(text, strlen(text), "mystery", lab->acl, err,
		      sizeof(err)) != HTTP_OK)
		acl_default(lab->acl); /* the rows below parse: not reached */
}

void mystery_apply(struct lab *lab)
{
	char err[256];

	switch (lab->mystery) {
	case 1: /* a proxy that offers only Digest with SHA-256 */
		lab_set_schemes(lab, LAB_PROXY, "digest", err, sizeof(err));
		lab_set_algorithms(lab, LAB_PROXY, "SHA-256", err, sizeof(err));
		break;
	case 2: /* an ACL that refuses one user: bob, as well as mallory */
		set_acl(lab, "deny user mallory\ndeny user bob\nallow all\n");
		break;
	case 3: /* Digest at the proxy, with a one-second nonce lifetime */
		lab_set_schemes(lab, LAB_PROXY, "digest", err, sizeof(err));
		proxy_state_init(lab->pst, 1);
		break;
	case 4: /* a wrong proxy password answered with 401, not 407, as
		 * tinyproxy did (its issue #532) */
		lab->own_401 = true;
		break;
	case 5: /* the origin wants Bearer */
		lab_set_schemes(lab, LAB_ORIGIN, "bearer", err, sizeof(err));
		break;
	case 6: /* the proxy closes the connection after each 407 */
		lab->own_close = true;
		break;
	case 7: /* a proxy that asks for no credentials at all */
		lab_set_schemes(lab, LAB_PROXY, "none", err, sizeof(err));
		break;
	case 8: /* an ACL that refuses one method: POST */
		set_acl(lab, "deny user mallory\ndeny method POST\nallow "
			     "all\n");
		break;
	case 9: /* the origin: Digest with qop=auth-int only */
		lab_set_schemes(lab, LAB_ORIGIN, "digest", err, sizeof(err));
		lab_set_qop(lab, LAB_ORIGIN, "auth-int", err, sizeof(err));
		break;
	default:
		break;
	}
}

/* Set mystery n up on a lab in its default state; false when n is not
 * 1..MYSTERY_COUNT.  0 ends the mystery (the default lab again). */
static bool mystery_set(struct lab *lab, int n)
{
	if (n < 0 || n > MYSTERY_COUNT)
		return false;
	lab_clear(lab);
	lab->mystery = 0;
	lab_defaults(lab);
	/* what a mystery may have changed beyond lab_defaults() */
	acl_default(lab->acl);
	proxy_state_init(lab->pst, DIGEST_NONCE_LIFETIME);
	lab->waited = 0;
	lab->mystery = n;
	mystery_apply(lab);
	return true;
}

/* ---- Misbehaving proxies ---- */

static const char *find(const struct http_buf *b, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->data + i, s, n) == 0)
			return b->data + i;
	return NULL;
}

/*
 * The lab's own proxy writes correct heads; these edits imitate proxies
 * that do not, on purpose and only here.  Mystery 4: the status line and
 * the challenge field of an origin (RFC 9110 §15.5.2, §11.6.1) on a
 * proxy's refusal of bad credentials.  Mystery 6: Connection: close
 * (RFC 9112 §9.6) on every 407, and the connection then closed.
 */
void mystery_proxy_reply(struct lab *lab, bool had_creds,
			 struct http_buf *pending, bool *close)
{
	static const char s407[] = "HTTP/1.1 407 Proxy Authentication Required";
	const char *p;

	if (pending->len < sizeof(s407) - 1 ||
	    memcmp(pending->data, s407, sizeof(s407) - 1) != 0)
		return;
	if (lab->own_401 && had_creds) {
		p = find(pending, "\r\nProxy-Authenticate:");
		if (p != NULL)
			http_buf_splice(pending,
					(size_t)(p - pending->data) + 2, 18,
					"WWW-Authenticate", 16);
		http_buf_splice(pending, 0, sizeof(s407) - 1,
				"HTTP/1.1 401 Unauthorized", 25);
	}
	if (lab->own_close &&
	    find(pending, "\r\nConnection: close\r\n") == NULL) {
		p = find(pending, "\r\n");
		if (p != NULL)
			http_buf_splice(pending,
					(size_t)(p - pending->data) + 2, 0,
					"Connection: close\r\n", 19);
		*close = true;
	}
}

/* ---- The command ---- */

/* `mystery`, `mystery N`, `mystery off` */
enum repl_rc mystery_cmd(struct repl *r, int argc, char **argv)
{
	char *end;
	long n;

	if (argc == 1) {
		fprintf(r->out,
			"mysteries 1 to %d: each a hidden set-up of the lab's "
			"proxy or origin.  `mystery N` starts one; find what "
			"is different by experiment (get, request, user, "
			"break, explain, wait, outcomes) and write a lab "
			"script whose expect lines prove it.  `mystery off` "
			"ends it.%s\n",
			MYSTERY_COUNT,
			r->lab->mystery ? "  (one is on now)" : "");
		return REPL_OK;
	}
	if (strcmp(argv[1], "off") == 0) {
		mystery_set(r->lab, 0);
		if (!r->script)
			fprintf(r->out, "mystery off: the default lab again\n");
		return REPL_OK;
	}
	n = strtol(argv[1], &end, 10);
	if (*end != '\0' || n < 1 || n > MYSTERY_COUNT) {
		repl_error(r, "mystery: '%s' is not 1 to %d (or off)", argv[1],
			   MYSTERY_COUNT);
		return REPL_USAGE;
	}
	mystery_set(r->lab, (int)n);
	fprintf(r->out,
		"mystery %ld: the lab's servers are set up in a hidden way "
		"(`settings` will not say how).  The client is "
		"alice:wonderland for both; reset keeps the mystery.\n",
		n);
	return REPL_OK;
}

/* `bin/repl --mystery N`: false with a message on a bad N. */
bool mystery_start_arg(struct repl *r, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (*end != '\0' || n < 1 || n > MYSTERY_COUNT) {
		fprintf(r->err, "repl: --mystery wants 1 to %d, not '%s'\n",
			MYSTERY_COUNT, arg);
		return false;
	}
	mystery_set(r->lab, (int)n);
	return true;
}

/* `wait N`: both servers' clocks move N seconds on (1..3600); nothing
 * sleeps, so a lab script stays as quick and repeatable as before. */
enum repl_rc mystery_wait(struct repl *r, int argc, char **argv)
{
	char *end;
	long n = strtol(argv[1], &end, 10);

	(void)argc;
	if (*end != '\0' || n < 1 || n > 3600) {
		repl_error(r, "wait: want a number of seconds, 1 to 3600");
		return REPL_USAGE;
	}
	r->lab->waited += (uint64_t)n;
	if (!r->script)
		fprintf(r->out,
			"waited %ld s: the servers' clocks are %llu s ahead "
			"of the real one (nonces age; nothing sleeps)\n",
			n, (unsigned long long)r->lab->waited);
	return REPL_OK;
}

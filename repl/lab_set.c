/*
 * repl/lab_set.c - the lab's set-up: the defaults and the setters behind
 * `scheme`, `algorithm`, `qop`, `user`, `connect proxy` and `break`
 * (repl/lab_set.h).
 *
 * Sections: Set-up, Break.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "lab_set.h"
#include "lab_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../net/net.h"
#include "breaker.h"
#include "choice.h"
#include "mystery.h"
#include "wire.h"

/* ---- Set-up ---- */

/* Wipe a typed password (it stays wiped: set_creds() gives a new one). */
void lab_creds_wipe(struct lab_creds *c)
{
	explicit_bzero(c->pass, sizeof(c->pass));
}

/*
 * The lab proxy's CONNECT policy, as bin/proxy's: port 443 and the ports
 * the lab serves (its origin's), never its own listening address.
 */
static void lab_policy(struct lab *lab)
{
	char ports[32], err[128];
	struct acl_net self;

	acl_policy_default(&lab->ppolicy);
	snprintf(ports, sizeof(ports), "%s,%u", ACL_DEFAULT_CONNECT_PORTS,
		 lab->port[LAB_ORIGIN]);
	if (lab->port[LAB_ORIGIN] != 0)
		acl_policy_ports(&lab->ppolicy, ports, err, sizeof(err));
	if (acl_net_parse("127.0.0.1", &self))
		acl_policy_add_self(&lab->ppolicy, &self);
	lab->ppolicy.self_port = lab->port[LAB_PROXY];
}

/* Copy the lab's set-up into the machines' configurations. */
static void apply_config(struct lab *lab)
{
	int p;

	for (p = 0; p < 2; p++) {
		struct guard_config *g =
		    p == LAB_PROXY ? &lab->pcfg.guard : &lab->ocfg.guard;
		const struct lab_server *s = &lab->server[p];

		memset(g, 0, sizeof(*g));
		g->proxy = p == LAB_PROXY;
		memcpy(g->schemes, s->schemes, sizeof(g->schemes));
		g->num_schemes = s->num_schemes;
		snprintf(g->realm, sizeof(g->realm), "%s",
			 p == LAB_PROXY ? LAB_PROXY_REALM : LAB_ORIGIN_REALM);
		g->users = &lab->users[p];
		memcpy(g->algs, s->algs, sizeof(g->algs));
		g->num_algs = s->num_algs;
		g->qops = s->qops;
	}
	lab->pcfg.acl = lab->acl;
	lab_policy(lab);
	lab->pcfg.policy = &lab->ppolicy;
	lab->pcfg.verbose = false;
	lab->ocfg.rules = &lab->rules;
}

static void set_creds(struct lab_creds *c, const char *user, const char *pass)
{
	c->set = user != NULL;
	snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
	snprintf(c->pass, sizeof(c->pass), "%s", pass ? pass : "");
}

/* The default lab (README.md): Basic both sides, alice for both. */
void lab_defaults(struct lab *lab)
{
	int p;

	for (p = 0; p < 2; p++) {
		struct lab_server *s = &lab->server[p];
		memset(s, 0, sizeof(*s));
		s->schemes[0] = AUTH_SCHEME_BASIC;
		s->num_schemes = 1;
		s->algs[0] = DIGEST_SHA256;
		s->algs[1] = DIGEST_MD5;
		s->num_algs = 2;
		s->qops = DIGEST_QOP_AUTH;
	}
	set_creds(&lab->creds[LAB_PROXY], "alice", "wonderland");
	set_creds(&lab->creds[LAB_ORIGIN], "alice", "wonderland");
	lab->brk = LAB_BREAK_NONE;
	lab->stale_now = false;
	lab->own_401 = lab->own_close = false;
	lab->external = false;
	/* A fresh start is a fresh connection: what an NTLM handshake
	 * proved on the old one must not carry over (lesson 11). */
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	proxy_conn_free(&lab->pconn);
	proxy_conn_init(&lab->pconn);
	apply_config(lab);
	if (lab->mystery != 0)
		mystery_apply(lab); /* `reset` keeps the hidden set-up */
}

bool lab_set_schemes(struct lab *lab, enum lab_party p, const char *list,
		     char *err, size_t err_cap)
{
	enum auth_scheme v[GUARD_MAX_SCHEMES];
	size_t n = 0;
	enum http_err e;

	if (strcasecmp(list, "none") != 0 &&
	    !choice_schemes(list, err, err_cap))
		return false;
	e = auth_scheme_list_parse(list, v, GUARD_MAX_SCHEMES, &n);
	if (e != HTTP_OK) {
		snprintf(err, err_cap,
			 "'%s': %s (choose basic, digest, bearer, ntlm, "
			 "negotiate or "
			 "none)",
			 list, http_strerror(e));
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (p == LAB_ORIGIN && (v[i] == AUTH_SCHEME_NTLM ||
					v[i] == AUTH_SCHEME_NEGOTIATE)) {
			snprintf(err, err_cap,
				 "'%s': the lab offers NTLM and Negotiate on "
				 "the proxy only",
				 list);
			return false;
		}
	memcpy(lab->server[p].schemes, v, sizeof(v));
	lab->server[p].num_schemes = n;
	if (p == LAB_PROXY) {
		/* new schemes, new connection: nothing proved carries over */
		wire_close(&lab->cp[0]);
		wire_close(&lab->cp[1]);
		proxy_conn_free(&lab->pconn);
		proxy_conn_init(&lab->pconn);
	}
	apply_config(lab);
	return true;
}

bool lab_set_algorithms(struct lab *lab, enum lab_party p, const char *list,
			char *err, size_t err_cap)
{
	enum digest_alg v[DIGEST_ALG_COUNT];
	size_t n = 0;
	enum http_err e;

	if (!choice_algorithms(list, err, err_cap))
		return false;
	e = digest_alg_list_parse(list, v, DIGEST_ALG_COUNT, &n);
	if (e != HTTP_OK || n == 0) {
		snprintf(err, err_cap, "'%s': %s", list,
			 e != HTTP_OK ? http_strerror(e)
				      : "no algorithm given");
		return false;
	}
	memcpy(lab->server[p].algs, v, sizeof(v));
	lab->server[p].num_algs = n;
	apply_config(lab);
	return true;
}

bool lab_set_qop(struct lab *lab, enum lab_party p, const char *list, char *err,
		 size_t err_cap)
{
	unsigned q = 0;

	if (strcasecmp(list, "none") != 0) {
		enum http_err e = digest_qop_list_parse(list, &q);
		if (e != HTTP_OK) {
			snprintf(err, err_cap,
				 "'%s': %s (auth, auth-int or none)", list,
				 http_strerror(e));
			return false;
		}
	}
	lab->server[p].qops = q;
	apply_config(lab);
	return true;
}

bool lab_set_user(struct lab *lab, enum lab_party p, const char *spec,
		  char *err, size_t err_cap)
{
	const char *colon = strchr(spec, ':');
	char user[LAB_MAX_CRED];

	if (strcasecmp(spec, "none") == 0) {
		lab_creds_wipe(&lab->creds[p]);
		set_creds(&lab->creds[p], NULL, NULL);
		return true;
	}
	if (colon == NULL || colon == spec ||
	    (size_t)(colon - spec) >= sizeof(user) ||
	    strlen(colon + 1) >= LAB_MAX_CRED) {
		snprintf(err, err_cap,
			 "want NAME:PASSWORD (or none), e.g. alice:wonderland");
		return false;
	}
	snprintf(user, sizeof(user), "%.*s", (int)(colon - spec), spec);
	lab_creds_wipe(&lab->creds[p]);
	set_creds(&lab->creds[p], user, colon + 1);
	return true;
}

bool lab_set_proxy(struct lab *lab, const char *hostport, char *err,
		   size_t err_cap)
{
	char host[sizeof(lab->ext_host)];
	unsigned port;

	lab_clear(lab);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	if (strcasecmp(hostport, "embedded") == 0) {
		lab->external = false;
		return true;
	}
	if (!net_split_hostport(hostport, host, sizeof(host), &port) ||
	    port == 0) {
		snprintf(err, err_cap, "want HOST:PORT, e.g. 127.0.0.1:3128");
		return false;
	}
	snprintf(lab->ext_host, sizeof(lab->ext_host), "%s", host);
	lab->ext_port = port;
	lab->external = true;
	return true;
}

const char *lab_password_of(const struct lab *lab, enum lab_party p,
			    const char *user)
{
	const struct users *u = &lab->users[p];
	size_t i;

	if (u->kind != USERS_PLAIN)
		return NULL;
	for (i = 0; i < u->n; i++)
		if (strcmp(u->v[i].user, user) == 0)
			return u->v[i].secret;
	return NULL;
}

void lab_set_kdc(struct lab *lab, bool on)
{
	lab->kdc = on;
}

/* ---- Break ---- */

/* Arm a break after checking it applies (repl/breaker.c decides). */
bool lab_set_break(struct lab *lab, enum lab_break b, char *err, size_t err_cap)
{
	char replaced[LAB_MAX_BROKEN];

	return lab_set_break_for(lab, -1, b, replaced, err, err_cap);
}

bool lab_set_break_for(struct lab *lab, int party, enum lab_break b,
		       char *replaced, char *err, size_t err_cap)
{
	replaced[0] = '\0';
	if (party < 0)
		party = breaker_default_party(lab);
	if (!breaker_applies(lab, party, b, err, err_cap))
		return false;
	if (lab->brk != LAB_BREAK_NONE)
		snprintf(replaced, LAB_MAX_BROKEN, "break %s %s",
			 lab_party_name(lab->brk_party),
			 lab_break_name(lab->brk));
	lab->brk = b;
	lab->brk_party = (enum lab_party)party;
	return true;
}

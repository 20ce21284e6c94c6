/*
 * repl/lab.c - the step machine: proxy, origin and client in one thread,
 * one message at a time over real loopback TCP (see repl/lab.h).
 *
 * Sections: Names, Opening, Set-up, Exchanges, Stepping (one function
 * per leg), Break.  The sockets are in repl/wire.c, the byte edits of
 * `break` in repl/breaker.c.
 *
 * A CONNECT host:port (lesson 07) runs the same legs: the proxy answers
 * the CONNECT itself (407, 403, or 200 Connection established), and the
 * exchange ends at the 200, where the connection becomes a byte pipe.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "lab.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../net/net.h"
#include "breaker.h"
#include "tlsleg.h"
#include "choice.h"
#include "mystery.h"
#include "wire.h"

/* ---- Names ---- */

static const char *const break_names[LAB_BREAK__COUNT] = {
    "none",  "password", "user", "scheme",   "header", "base64",
    "realm", "nonce",	 "nc",	 "response", "stale",  "close",
    "replay",
};

const char *lab_break_name(enum lab_break b)
{
	return b < LAB_BREAK__COUNT ? break_names[b] : "?";
}

enum lab_break lab_break_from(const char *s)
{
	int i;

	for (i = 1; i < LAB_BREAK__COUNT; i++)
		if (strcasecmp(s, break_names[i]) == 0)
			return (enum lab_break)i;
	return LAB_BREAK_NONE;
}

const char *lab_party_name(enum lab_party p)
{
	return p == LAB_PROXY ? "proxy" : "origin";
}

int lab_party_from(const char *s)
{
	if (strcasecmp(s, "proxy") == 0)
		return LAB_PROXY;
	if (strcasecmp(s, "origin") == 0)
		return LAB_ORIGIN;
	return -1;
}

const char *lab_leg_name(enum lab_leg l)
{
	static const char *const names[] = {
	    "client -> proxy ", "proxy  -> origin", "origin -> proxy ",
	    "proxy  -> client"};
	return names[l];
}

const char *lab_leg_from(enum lab_leg l)
{
	static const char *const from[] = {"client", "proxy", "origin",
					   "proxy"};
	return from[l];
}

const char *lab_leg_to(enum lab_leg l)
{
	static const char *const to[] = {"proxy", "origin", "proxy", "client"};
	return to[l];
}

/* The plain lab password of user on party p's server, or NULL. */
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

/* ---- Opening ---- */

/* Listen on 127.0.0.1 with a free port; -1 with err on failure. */
static int listen_free(unsigned *port, char *err, size_t cap)
{
	char bound[NET_MAX_ADDR], host[NET_MAX_ADDR];
	int fd = net_listen("127.0.0.1:0", bound, sizeof(bound), err, cap);

	if (fd < 0)
		return -1;
	if (!net_split_hostport(bound, host, sizeof(host), port)) {
		snprintf(err, cap, "cannot read the bound address '%s'", bound);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Start the lab.  The proxy and origin are the same pure machines the
 * daemons use; only the sockets are the lab's.
 */
bool lab_open(struct lab *lab, char *err, size_t cap)
{
	enum http_err e;
	int i;

	memset(lab, 0, sizeof(*lab));
	lab->listen_fd[0] = lab->listen_fd[1] = -1;
	lab->cp[0] = lab->cp[1] = lab->po[0] = lab->po[1] = -1;
	for (i = 0; i < LAB_EXT_ORIGIN_CONNS; i++)
		lab->ext_origin[i] = -1;
	http_buf_init(&lab->pending, LAB_MAX_MESSAGE);
	http_buf_init(&lab->proxy_req, HTTP_MAX_HEAD_BYTES + 1);
	proxy_conn_init(&lab->pconn);

	if (users_defaults(&lab->users[LAB_PROXY], USERS_SIDE_PROXY) !=
		HTTP_OK ||
	    users_defaults(&lab->users[LAB_ORIGIN], USERS_SIDE_ORIGIN) !=
		HTTP_OK) {
		snprintf(err, cap, "cannot set up the lab users");
		return false;
	}
	rules_defaults(&lab->rules);
	lab->acl = calloc(1, sizeof(*lab->acl));
	lab->pst = calloc(1, sizeof(*lab->pst));
	lab->ost = calloc(1, sizeof(*lab->ost));
	if (lab->acl == NULL || lab->pst == NULL || lab->ost == NULL) {
		snprintf(err, cap, "out of memory");
		return false;
	}
	acl_default(lab->acl);
	e = proxy_state_init(lab->pst, DIGEST_NONCE_LIFETIME);
	if (e == HTTP_OK)
		e = origin_state_init(lab->ost, DIGEST_NONCE_LIFETIME);
	if (e != HTTP_OK) {
		snprintf(err, cap, "cannot start the servers: %s",
			 http_strerror(e));
		return false;
	}
	lab->listen_fd[LAB_PROXY] =
	    listen_free(&lab->port[LAB_PROXY], err, cap);
	if (lab->listen_fd[LAB_PROXY] < 0)
		return false;
	lab->listen_fd[LAB_ORIGIN] =
	    listen_free(&lab->port[LAB_ORIGIN], err, cap);
	if (lab->listen_fd[LAB_ORIGIN] < 0)
		return false;
	lab_defaults(lab);
	return true;
}

static void msgs_free(struct lab *lab)
{
	size_t i;

	for (i = 0; i < lab->num_msgs; i++)
		http_buf_free(&lab->msgs[i].bytes);
	lab->num_msgs = 0;
}

static void wipe_creds(struct lab_creds *c)
{
	explicit_bzero(c->pass, sizeof(c->pass));
}

/* Close sockets, free state, wipe the passwords we were given. */
void lab_close(struct lab *lab)
{
	int i;

	msgs_free(lab);
	tlsleg_free(lab);
	http_buf_free(&lab->pending);
	http_buf_free(&lab->proxy_req);
	proxy_conn_free(&lab->pconn);
	client_free(&lab->cm);
	for (i = 0; i < LAB_EXT_ORIGIN_CONNS; i++)
		wire_close(&lab->ext_origin[i]);
	for (i = 0; i < 2; i++) {
		wire_close(&lab->listen_fd[i]);
		wire_close(&lab->cp[i]);
		wire_close(&lab->po[i]);
		wipe_creds(&lab->creds[i]);
		explicit_bzero(lab->token[i], sizeof(lab->token[i]));
		users_free(&lab->users[i]);
	}
	free(lab->body);
	lab->body = NULL;
	free(lab->acl);
	free(lab->pst);
	free(lab->ost);
	lab->acl = NULL;
	lab->pst = NULL;
	lab->ost = NULL;
	explicit_bzero(lab->last_digest, sizeof(lab->last_digest));
}

/* ---- Set-up ---- */

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
		     char *err, size_t cap)
{
	enum auth_scheme v[GUARD_MAX_SCHEMES];
	size_t n = 0;
	enum http_err e;

	if (strcasecmp(list, "none") != 0 && !choice_schemes(list, err, cap))
		return false;
	e = auth_scheme_list_parse(list, v, GUARD_MAX_SCHEMES, &n);
	if (e != HTTP_OK) {
		snprintf(err, cap,
			 "'%s': %s (choose basic, digest, bearer, ntlm, negotiate or "
			 "none)",
			 list, http_strerror(e));
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (p == LAB_ORIGIN && (v[i] == AUTH_SCHEME_NTLM ||
					v[i] == AUTH_SCHEME_NEGOTIATE)) {
			snprintf(err, cap,
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
			char *err, size_t cap)
{
	enum digest_alg v[DIGEST_ALG_COUNT];
	size_t n = 0;
	enum http_err e;

	if (!choice_algorithms(list, err, cap))
		return false;
	e = digest_alg_list_parse(list, v, DIGEST_ALG_COUNT, &n);
	if (e != HTTP_OK || n == 0) {
		snprintf(err, cap, "'%s': %s", list,
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
		 size_t cap)
{
	unsigned q = 0;

	if (strcasecmp(list, "none") != 0) {
		enum http_err e = digest_qop_list_parse(list, &q);
		if (e != HTTP_OK) {
			snprintf(err, cap, "'%s': %s (auth, auth-int or none)",
				 list, http_strerror(e));
			return false;
		}
	}
	lab->server[p].qops = q;
	apply_config(lab);
	return true;
}

bool lab_set_user(struct lab *lab, enum lab_party p, const char *spec,
		  char *err, size_t cap)
{
	const char *colon = strchr(spec, ':');
	char user[LAB_MAX_CRED];

	if (strcasecmp(spec, "none") == 0) {
		wipe_creds(&lab->creds[p]);
		set_creds(&lab->creds[p], NULL, NULL);
		return true;
	}
	if (colon == NULL || colon == spec ||
	    (size_t)(colon - spec) >= sizeof(user) ||
	    strlen(colon + 1) >= LAB_MAX_CRED) {
		snprintf(err, cap,
			 "want NAME:PASSWORD (or none), e.g. alice:wonderland");
		return false;
	}
	snprintf(user, sizeof(user), "%.*s", (int)(colon - spec), spec);
	wipe_creds(&lab->creds[p]);
	set_creds(&lab->creds[p], user, colon + 1);
	return true;
}

bool lab_set_proxy(struct lab *lab, const char *hostport, char *err, size_t cap)
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
		snprintf(err, cap, "want HOST:PORT, e.g. 127.0.0.1:3128");
		return false;
	}
	snprintf(lab->ext_host, sizeof(lab->ext_host), "%s", host);
	lab->ext_port = port;
	lab->external = true;
	return true;
}

/* ---- Exchanges ---- */

/* Free the messages of the current exchange; the settings stay. */
void lab_clear(struct lab *lab)
{
	msgs_free(lab);
	http_buf_reset(&lab->pending);
	lab->active = false;
	lab->done = false;
	lab->final_status = 0;
	lab->end_note[0] = '\0';
}

/* The first line of a message, without CRLF, into out[cap] (lab.h). */
void lab_first_line(const char *p, size_t n, char *out, size_t cap)
{
	size_t i = 0;

	while (i < n && p[i] != '\r' && p[i] != '\n')
		i++;
	if (i >= cap)
		i = cap - 1;
	memcpy(out, p, i);
	out[i] = '\0';
}

/* Room for the next message; NULL when the exchange is too long. */
static struct lab_msg *msg_new(struct lab *lab, enum lab_leg leg)
{
	struct lab_msg *m;

	if (lab->num_msgs >= LAB_MAX_MSGS)
		return NULL;
	m = &lab->msgs[lab->num_msgs];
	memset(m, 0, sizeof(*m));
	m->n = (int)lab->num_msgs + 1;
	m->leg = leg;
	m->is_request = leg == LAB_C2P || leg == LAB_P2O;
	http_buf_init(&m->bytes, LAB_MAX_MESSAGE);
	lab->num_msgs++;
	return m;
}

/* Bearer wants a token: the lab users' tokens are "<user>-token". */
static const char *secret_for(const struct lab *lab, enum lab_party p,
			      char *tok, size_t cap)
{
	const struct lab_server *s = &lab->server[p];
	const struct lab_creds *c = &lab->creds[p];
	const char *lab_pass = lab_password_of(lab, p, c->user);
	bool bearer_only =
	    s->num_schemes == 1 && s->schemes[0] == AUTH_SCHEME_BEARER;

	if (bearer_only && lab_pass != NULL && strcmp(lab_pass, c->pass) == 0) {
		char t[LAB_MAX_CRED + 8];
		snprintf(t, sizeof(t), "%s-token", c->user);
		snprintf(tok, cap, "%s", t);
		return tok;
	}
	return c->pass;
}

/* Fill the client's configuration from the lab's set-up. */
static void client_config_fill(struct lab *lab)
{
	struct client_config *cc = &lab->ccfg;
	int p;

	memset(cc, 0, sizeof(*cc));
	cc->method = lab->method;
	cc->url = lab->url;
	cc->via_proxy = true;
	if (lab->tunnel) {
		/* Lesson 07: the machine sends CONNECT host:port first; the
		 * request it would send inside the tunnel never leaves */
		cc->tunnel = true;
		cc->url = lab->client_url;
		cc->method = "GET";
	}
	cc->body = lab->body;
	cc->body_len = lab->body_len;
	cc->user_agent = "lab407-repl/1.0";
	/* the REPL's notes name the REPL's command, not curl's -U / -u */
	cc->proxy_option = "set them with `user proxy NAME:PASSWORD`";
	cc->origin_option = "set them with `user origin NAME:PASSWORD`";
	cc->proxy_host = "localhost";   /* the service principal's host */
	for (p = 0; p < 2; p++) {
		struct answer_creds *a =
		    p == LAB_PROXY ? &cc->proxy : &cc->origin;
		if (!lab->creds[p].set)
			continue;
		a->user = lab->creds[p].user;
		a->pass = secret_for(lab, (enum lab_party)p, lab->token[p],
				     sizeof(lab->token[p]));
		/* curl's --proxy-anyauth / --anyauth: whatever is offered */
		a->allowed = AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST |
			     AUTH_SCHEME_BEARER | AUTH_SCHEME_NTLM;
		/* Lesson 12: with the lab's realm, a ticket for HTTP/localhost */
		if (lab->kdc && p == LAB_PROXY)
			a->allowed |= AUTH_SCHEME_NEGOTIATE;
	}
}

/*
 * Call the client machine (start when resp is NULL), with the creds
 * swapped for wrong ones when `break password|user` is armed.  The break
 * is spent when the request it produced carries credentials.
 */
static void client_call(struct lab *lab, const struct http_response *resp,
			const char *body, size_t blen, struct client_step *s,
			char *broken, size_t bcap)
{
	char bad_user[LAB_MAX_CRED + 8], bad_pass[LAB_MAX_CRED + 8];
	bool swap =
	    lab->brk == LAB_BREAK_PASSWORD || lab->brk == LAB_BREAK_USER;
	int p;

	client_config_fill(lab);
	if (swap) {
		/* only the party the break targets: its credential alone */
		for (p = 0; p < 2; p++) {
			struct answer_creds *a = p == LAB_PROXY
						     ? &lab->ccfg.proxy
						     : &lab->ccfg.origin;
			if (a->user == NULL || p != (int)lab->brk_party)
				continue;
			if (lab->brk == LAB_BREAK_PASSWORD) {
				snprintf(bad_pass, sizeof(bad_pass), "%s-wrong",
					 a->pass);
				a->pass = bad_pass;
			} else {
				snprintf(bad_user, sizeof(bad_user), "nobody");
				a->user = bad_user;
			}
		}
	}
	if (resp == NULL)
		client_start(&lab->cm, s);
	else
		client_next(&lab->cm, resp, body, blen, s);
	/* NTLM's NEGOTIATE carries no password: the break waits for the
	 * AUTHENTICATE. */
	if (swap && s->action == CLIENT_SEND &&
	    breaker_has_field(&s->request, lab->brk_party) &&
	    !breaker_is_ntlm_negotiate(&s->request)) {
		snprintf(broken, bcap, "break %s %s: the client was given %s",
			 lab_party_name(lab->brk_party),
			 lab_break_name(lab->brk),
			 lab->brk == LAB_BREAK_PASSWORD
			     ? "a wrong password (PASSWORD-wrong)"
			     : "an unknown user (nobody)");
		lab->brk = LAB_BREAK_NONE;
	}
	explicit_bzero(bad_pass, sizeof(bad_pass));
	/* the machine keeps cfg: point it at the good creds again */
	client_config_fill(lab);
}

/* Take the client's next step: queue its request, or end the exchange. */
static void take_client_step(struct lab *lab, struct client_step *s,
			     const char *broken)
{
	if (s->action == CLIENT_SEND) {
		http_buf_reset(&lab->pending);
		http_buf_append(&lab->pending, s->request.data, s->request.len);
		lab->next = LAB_C2P;
		lab->active = true;
		snprintf(lab->pending_broken, sizeof(lab->pending_broken), "%s",
			 broken);
		return;
	}
	lab->active = false;
	lab->done = true;
	snprintf(lab->end_note, sizeof(lab->end_note), "%s", s->note);
}

/*
 * Lesson 07: a CONNECT target in authority-form (RFC 9112 §3.2.3), or
 * LAB_ORIGIN_ALIAS.  Fills lab->url (host:port, as shown) and the URL the
 * client machine builds its CONNECT from.  False with err otherwise.
 */
static bool tunnel_target(struct lab *lab, const char *target, char *err,
			  size_t cap)
{
	struct http_url u;
	int w;

	if (strcmp(target, LAB_ORIGIN_ALIAS) == 0)
		snprintf(lab->url, sizeof(lab->url), "127.0.0.1:%u",
			 lab->port[LAB_ORIGIN]);
	else if (strlen(target) < sizeof(lab->url))
		snprintf(lab->url, sizeof(lab->url), "%s", target);
	if (strlen(target) >= sizeof(lab->url) ||
	    http_authority_parse(lab->url, strlen(lab->url), &u) != HTTP_OK) {
		snprintf(err, cap,
			 "CONNECT takes host:port (authority-form, RFC 9112 "
			 "§3.2.3), e.g. 127.0.0.1:443, or `%s` for the lab's "
			 "origin",
			 LAB_ORIGIN_ALIAS);
		lab->url[0] = '\0';
		return false;
	}
	w = snprintf(lab->client_url, sizeof(lab->client_url), "http://%s/",
		     lab->url);
	if (w < 0 || (size_t)w >= sizeof(lab->client_url)) {
		snprintf(err, cap, "host:port too long");
		return false;
	}
	lab->tunnel = true;
	return true;
}

bool lab_begin(struct lab *lab, const char *method, const char *url_or_path,
	       const char *body, char *err, size_t cap)
{
	struct client_step s;
	char broken[LAB_MAX_BROKEN] = "";

	lab_clear(lab);
	lab->tunnel = false;
	lab->client_url[0] = '\0';
	if (strlen(method) >= sizeof(lab->method)) {
		snprintf(err, cap, "method too long");
		return false;
	}
	snprintf(lab->method, sizeof(lab->method), "%s", method);
	if (url_or_path[0] == '/') {
		snprintf(lab->url, sizeof(lab->url), "http://127.0.0.1:%u%s",
			 lab->port[LAB_ORIGIN], url_or_path);
	} else if (strcmp(method, "CONNECT") == 0 &&
		   strstr(url_or_path, "://") == NULL) {
		if (!tunnel_target(lab, url_or_path, err, cap))
			return false;
	} else {
		snprintf(lab->url, sizeof(lab->url), "%s", url_or_path);
	}
	free(lab->body);
	lab->body = NULL;
	lab->body_len = 0;
	if (body != NULL) {
		lab->body_len = strlen(body);
		if (lab->body_len > LAB_MAX_BODY) {
			snprintf(err, cap, "body over %u bytes", LAB_MAX_BODY);
			lab->body_len = 0;
			return false;
		}
		lab->body = strdup(body);
		if (lab->body == NULL) {
			snprintf(err, cap, "out of memory");
			return false;
		}
	}
	client_config_fill(lab);
	client_free(&lab->cm);
	client_init(&lab->cm, &lab->ccfg);
	client_step_init(&s);
	client_call(lab, NULL, NULL, 0, &s, broken, sizeof(broken));
	take_client_step(lab, &s, broken);
	client_step_free(&s);
	if (!lab->active) {
		snprintf(err, cap, "the client did not start: %s",
			 lab->end_note);
		return false;
	}
	return true;
}

struct lab_msg *lab_record(struct lab *lab, enum lab_leg leg)
{
	return msg_new(lab, leg);
}

const struct lab_msg *lab_msg_at(const struct lab *lab, int n)
{
	if (n < 1 || (size_t)n > lab->num_msgs)
		return NULL;
	return &lab->msgs[n - 1];
}

const struct lab_msg *lab_last_response(const struct lab *lab)
{
	size_t i = lab->num_msgs;

	while (i > 0) {
		i--;
		if (lab->msgs[i].leg == LAB_P2C)
			return &lab->msgs[i];
	}
	return NULL;
}

/* ---- Stepping ---- */

/* Seconds since the epoch as the proxy sees them (`break stale` skews). */
static uint64_t proxy_now(const struct lab *lab)
{
	return (uint64_t)time(NULL) + lab->clock_skew + lab->waited;
}

/* A note's next sentence starts with a capital that reads wrong after
 * "; " ("...; Response from"); scheme names and acronyms keep theirs. */
static bool lower_after_join(const char *w)
{
	static const char *const keep[] = {"Basic", "Digest", "Bearer",
					   "NTLM", "Negotiate", NULL};

	if (w[0] < 'A' || w[0] > 'Z' || w[1] < 'a' || w[1] > 'z')
		return false;
	for (size_t i = 0; keep[i] != NULL; i++)
		if (strncmp(w, keep[i], strlen(keep[i])) == 0)
			return false;
	return true;
}

/* Join a multi-line note into one line: "a; b". */
static void one_line(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < cap; in++) {
		if (*in == '\n') {
			if (in[1] == '\0')
				break;
			out[o++] = ';';
			out[o++] = ' ';
			if (lower_after_join(in + 1)) {
				out[o++] = (char)(in[1] - 'A' + 'a');
				in++;
			}
		} else if (*in != '\r') {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static bool parse_request_msg(struct lab_msg *m, struct http_request *req,
			      char *err, size_t cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_request(m->bytes.data, m->bytes.len, req, &e);

	if (n <= 0) {
		snprintf(err, cap, "the request does not parse: %s",
			 http_strerror(n == HTTP_PARSE_PARTIAL ? HTTP_E_PARTIAL
							       : e));
		return false;
	}
	m->head_len = (size_t)n;
	return true;
}

static bool parse_response_msg(struct lab_msg *m, struct http_response *resp,
			       char *err, size_t cap)
{
	enum http_err e = HTTP_OK;
	long n = http_parse_response(m->bytes.data, m->bytes.len, resp, &e);

	if (n <= 0) {
		snprintf(err, cap, "the response does not parse: %s",
			 http_strerror(n == HTTP_PARSE_PARTIAL ? HTTP_E_PARTIAL
							       : e));
		return false;
	}
	m->head_len = (size_t)n;
	m->status = resp->status;
	return true;
}

/*
 * The lab's proxy forwards only to the lab's origin, never elsewhere: the
 * origin's port, and 127.0.0.1 among the checked addresses the host
 * resolved to (the lab then connects to exactly that one).
 */
static bool is_lab_origin(const struct lab *lab,
			  const struct sockaddr_storage *addrs, size_t n,
			  unsigned port)
{
	struct acl_addr a, lo;

	if (port != lab->port[LAB_ORIGIN] || !acl_addr_parse("127.0.0.1", &lo))
		return false;
	for (size_t i = 0; i < n; i++)
		if (acl_addr_from_sockaddr((const struct sockaddr *)&addrs[i],
					   &a) &&
		    a.family == lo.family && memcmp(a.a, lo.a, 4) == 0)
			return true;
	return false;
}

/* Leg 1: the client's request reaches the proxy, which decides. */
static enum lab_step_rc step_c2p(struct lab *lab, struct lab_msg *m, char *err,
				 size_t cap)
{
	struct http_request req;
	struct proxy_decision d;
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	size_t naddrs = 0;
	enum http_err e = HTTP_OK;
	long hl;

	breaker_apply(lab, &lab->pending, m->broken, sizeof(m->broken));
	if (m->broken[0] == '\0')
		snprintf(m->broken, sizeof(m->broken), "%s",
			 lab->pending_broken);
	lab->pending_broken[0] = '\0';
	breaker_remember(lab, &lab->pending);
	hl = http_parse_request(lab->pending.data, lab->pending.len, &req, &e);
	if (hl > 0)
		snprintf(lab->req_method, sizeof(lab->req_method), "%.*s",
			 (int)req.method_len, req.method);

	if (lab->cp[0] >= 0)
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the client reuses connection C%u to the proxy "
			 "(keep-alive, RFC 9112 §9.3)",
			 lab->conn_seq[0]);
	else
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the client opens connection C%u to the proxy",
			 ++lab->conn_seq[0]);
	if (lab->cp[0] < 0) {
		if (lab->external) {
			enum net_fail why;
			lab->cp[0] =
			    net_connect(lab->ext_host, lab->ext_port,
					LAB_EXT_TIMEOUT_MS, &why, err, cap);
			if (lab->cp[0] < 0)
				return LAB_STEP_ERROR;
			net_set_timeouts(lab->cp[0], LAB_EXT_TIMEOUT_MS,
					 LAB_EXT_TIMEOUT_MS);
		} else if (!wire_pair(lab, LAB_PROXY, lab->cp, err, cap)) {
			return LAB_STEP_ERROR;
		}
		/* Lesson 11: a new connection has proved nothing yet. */
		proxy_conn_free(&lab->pconn);
		proxy_conn_init(&lab->pconn);
		tlsleg_reset(lab);   /* a new connection: a new handshake */
	}
	if (lab->external) {
		if (net_write_all(lab->cp[0], lab->pending.data,
				  lab->pending.len) < 0) {
			snprintf(err, cap, "write to the proxy failed");
			return LAB_STEP_ERROR;
		}
		http_buf_append(&m->bytes, lab->pending.data, lab->pending.len);
		m->head_len = hl > 0 ? (size_t)hl : m->bytes.len;
		lab_first_line(m->bytes.data, m->bytes.len, m->line,
			   sizeof(m->line));
		snprintf(m->why, sizeof(m->why),
			 "sent to the external proxy %s:%u; what it checks "
			 "inside is not visible from here",
			 lab->ext_host, lab->ext_port);
		m->lesson = "10";
		lab->next = LAB_P2C;
		return LAB_STEP_MOVED;
	}

	if (!tlsleg_carry(lab, true, &lab->pending, &m->bytes, m, err, cap))
		return LAB_STEP_ERROR;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_request_msg(m, &req, err, cap))
		return LAB_STEP_ERROR;

	if (lab->stale_now) {
		lab->clock_skew += DIGEST_NONCE_LIFETIME + 1;
		lab->stale_now = false;
	}
	proxy_decision_init(&d);
	proxy_decide_conn(&lab->pcfg, lab->pst, &lab->pconn, &req,
			  m->bytes.data + m->head_len,
			  m->bytes.len - m->head_len, proxy_now(lab), &d);
	/* Step 3b as in bin/proxy: resolve once, the ACL on every address
	 * (proxy_decide_address), so the lab refuses what bin/proxy refuses;
	 * then the lab's own fence: it connects only to its origin. */
	if (d.action == PROXY_FORWARD || d.action == PROXY_TUNNEL) {
		char method[32], rerr[300];
		enum net_fail why;

		snprintf(method, sizeof(method), "%.*s", (int)req.method_len,
			 req.method);
		naddrs = net_resolve(d.host, d.port, addrs, NET_MAX_RESOLVED,
				     &why, rerr, sizeof(rerr));
		if (naddrs > 0)
			proxy_decide_address(&lab->pcfg, method, addrs, naddrs,
					     &d);
	}
	snprintf(m->why, sizeof(m->why), "%s", d.why);
	m->lesson = d.lesson;
	http_buf_reset(&lab->pending);
	if (d.action == PROXY_FORWARD &&
	    !is_lab_origin(lab, addrs, naddrs, d.port)) {
		char body[HTTP_MAX_HOST + 128];
		snprintf(body, sizeof(body),
			 "The lab's proxy only forwards to the lab's origin "
			 "127.0.0.1:%u, not %s:%u.\n",
			 lab->port[LAB_ORIGIN], d.host, d.port);
		proxy_write_own(&lab->pending, 502, false, body);
		snprintf(
		    m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		    "; but the lab forwards only to its own origin -> 502");
		lab->pending_proxy_own = true;
		lab->next = LAB_P2C;
	} else if (d.action == PROXY_FORWARD) {
		http_buf_append(&lab->pending, d.out.data, d.out.len);
		http_buf_append(&lab->pending, m->bytes.data + m->head_len,
				m->bytes.len - m->head_len);
		memcpy(lab->negotiate_reply, d.negotiate_reply,
		       sizeof(lab->negotiate_reply));
		snprintf(lab->proxy_info, sizeof(lab->proxy_info), "%s",
			 d.info_header);
		snprintf(lab->proxy_user, sizeof(lab->proxy_user), "%s",
			 d.user);
		http_buf_reset(&lab->proxy_req);
		http_buf_append(&lab->proxy_req, m->bytes.data, m->head_len);
		lab->next = LAB_P2O;
	} else if (d.action == PROXY_TUNNEL &&
		   !is_lab_origin(lab, addrs, naddrs, d.port)) {
		char body[HTTP_MAX_HOST + 160];
		snprintf(body, sizeof(body),
			 "The lab's proxy opens tunnels only to the lab's "
			 "origin 127.0.0.1:%u (request CONNECT %s), not "
			 "%s:%u.\n",
			 lab->port[LAB_ORIGIN], LAB_ORIGIN_ALIAS, d.host,
			 d.port);
		proxy_write_own(&lab->pending, 502, false, body);
		snprintf(m->why + strlen(m->why),
			 sizeof(m->why) - strlen(m->why),
			 "; but the lab tunnels only to its own origin -> 502");
		lab->pending_proxy_own = true;
		lab->next = LAB_P2C;
	} else if (d.action == PROXY_TUNNEL) {
		/* Lesson 07: the tunnel's far end is a new connection of its
		 * own; the 200 goes back only once it is open */
		wire_close(&lab->po[0]);
		wire_close(&lab->po[1]);
		if (!wire_pair(lab, LAB_ORIGIN, lab->po, err, cap)) {
			proxy_decision_free(&d);
			return LAB_STEP_ERROR;
		}
		snprintf(m->tcp_after, sizeof(m->tcp_after),
			 "TCP: the proxy opens connection U%u to the origin, "
			 "the tunnel's far end",
			 ++lab->conn_seq[1]);
		snprintf(m->why + strlen(m->why),
			 sizeof(m->why) - strlen(m->why),
			 "; connected to it, so it answers 200 and from then "
			 "on only copies bytes both ways");
		http_buf_append(&lab->pending, d.out.data, d.out.len);
		lab->pending_proxy_own = true;
		lab->next = LAB_P2C;
	} else {
		http_buf_append(&lab->pending, d.out.data, d.out.len);
		/* a mystery may make the lab's proxy misbehave here */
		mystery_proxy_reply(lab, breaker_has_field(&m->bytes, LAB_PROXY),
				    &lab->pending, &d.close);
		lab->pending_proxy_own = true;
		lab->next = LAB_P2C;
	}
	lab->close_after = d.close;
	proxy_decision_free(&d);
	if (lab->pending.failed) {
		snprintf(err, cap, "the proxy's message is too large");
		return LAB_STEP_ERROR;
	}
	return LAB_STEP_MOVED;
}

/* Leg 2: the forwarded request reaches the origin, which decides. */
static enum lab_step_rc step_p2o(struct lab *lab, struct lab_msg *m, char *err,
				 size_t cap)
{
	struct http_request req;
	struct origin_decision d;

	if (lab->po[0] >= 0)
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the proxy reuses connection U%u to the origin "
			 "(keep-alive)",
			 lab->conn_seq[1]);
	else
		snprintf(m->tcp_before, sizeof(m->tcp_before),
			 "TCP: the proxy opens connection U%u to the origin",
			 ++lab->conn_seq[1]);
	if (lab->po[0] < 0 && !wire_pair(lab, LAB_ORIGIN, lab->po, err, cap))
		return LAB_STEP_ERROR;
	if (!wire_carry(lab->po[0], lab->po[1], &lab->pending, &m->bytes, err,
			cap))
		return LAB_STEP_ERROR;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_request_msg(m, &req, err, cap))
		return LAB_STEP_ERROR;
	origin_decision_init(&d);
	origin_decide(&lab->ocfg, lab->ost, &req, m->bytes.data + m->head_len,
		      m->bytes.len - m->head_len,
		      (uint64_t)time(NULL) + lab->waited, &d);
	snprintf(m->why, sizeof(m->why), "%s", d.why);
	m->lesson = d.lesson;
	http_buf_reset(&lab->pending);
	http_buf_append(&lab->pending, d.out.data, d.out.len);
	origin_decision_free(&d);
	lab->next = LAB_O2P;
	return LAB_STEP_MOVED;
}

/*
 * The proxy's Proxy-Authentication-Info on the relayed response, into
 * info[0..cap).  After qop=auth-int it adds qop and an rspauth over the
 * response body (RFC 7616 §3.5, guard_digest_info()), as bin/proxy does
 * for a response it can hold whole (the lab holds every message whole);
 * a chunked or until-close response gets the nextnonce alone, as there.
 */
static void relay_info(struct lab *lab, const struct http_response *resp,
		       const struct lab_msg *m, char *info, size_t cap)
{
	struct http_request req;
	struct http_body_info bi;
	enum http_err e = HTTP_OK;

	snprintf(info, cap, "%s", lab->proxy_info);
	if (lab->proxy_info[0] == '\0' || lab->proxy_req.len == 0 ||
	    http_parse_request(lab->proxy_req.data, lab->proxy_req.len, &req,
			       &e) != (long)lab->proxy_req.len ||
	    http_response_framing(resp, req.method, req.method_len, &bi) !=
		    HTTP_OK ||
	    (bi.framing != HTTP_BODY_LENGTH && bi.framing != HTTP_BODY_NONE))
		return;
	guard_digest_info(&lab->pcfg.guard, &req, lab->proxy_user,
			  lab->proxy_info,
			  bi.framing == HTTP_BODY_NONE ? ""
						       : m->bytes.data + m->head_len,
			  bi.framing == HTTP_BODY_NONE ? 0
						       : m->bytes.len - m->head_len,
			  info, cap);
}

/* Leg 3: the origin's response reaches the proxy, which relays it. */
static enum lab_step_rc step_o2p(struct lab *lab, struct lab_msg *m, char *err,
				 size_t cap)
{
	struct http_response resp;
	char info[sizeof(lab->proxy_info)];

	if (!wire_carry(lab->po[1], lab->po[0], &lab->pending, &m->bytes, err,
			cap))
		return LAB_STEP_ERROR;
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_response_msg(m, &resp, err, cap))
		return LAB_STEP_ERROR;
	snprintf(m->why, sizeof(m->why),
		 "proxy: the origin answered %d; relaying it to the client "
		 "without hop-by-hop fields, adding Via (RFC 9110 §7.6)",
		 resp.status);
	m->lesson = "06";
	http_buf_reset(&lab->pending);
	/* the proxy's own Digest success rides on the relayed response */
	relay_info(lab, &resp, m, info, sizeof(info));
	if (!proxy_relay_head_auth(&resp, info, lab->negotiate_reply,
				   NULL, false, &lab->pending)) {
		snprintf(err, cap, "the proxy could not rewrite the head");
		return LAB_STEP_ERROR;
	}
	http_buf_append(&lab->pending, m->bytes.data + m->head_len,
			m->bytes.len - m->head_len);
	lab->pending_proxy_own = false;
	lab->next = LAB_P2C;
	return LAB_STEP_MOVED;
}

/*
 * Lesson 07: after a 2xx to CONNECT the connection is a byte pipe.  The
 * client would start TLS inside it now; the lab stops, since nothing
 * after this point is HTTP the proxy could read.  Both connections were
 * the tunnel's, so they close.
 */
static void end_at_tunnel(struct lab *lab, struct lab_msg *m)
{
	http_buf_reset(&lab->pending);
	lab->active = false;
	lab->done = true;
	lab->pending_broken[0] = '\0';
	snprintf(lab->end_note, sizeof(lab->end_note),
		 "the connection is now a tunnel to %.*s: from here on the "
		 "proxy only relays opaque bytes (TLS, for https://) and "
		 "cannot see the request inside, not its method, path, "
		 "headers or Authorization; the lab stops here",
		 HTTP_MAX_HOST + 8, lab->url);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 "; %s", lab->end_note);
	m->lesson = "07";
	lab->close_after = false;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the lab stops here and closes C%u and U%u; a real "
		 "tunnel stays open until either end closes it",
		 lab->conn_seq[0], lab->conn_seq[1]);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	wire_close(&lab->po[0]);
	wire_close(&lab->po[1]);
}

/* Leg 4: the response reaches the client, whose machine decides. */
static enum lab_step_rc step_p2c(struct lab *lab, struct lab_msg *m, char *err,
				 size_t cap)
{
	struct http_response resp;
	struct client_step s;
	char broken[LAB_MAX_BROKEN] = "";

	if (lab->external) {
		if (!wire_read_external(lab, m, err, cap))
			return LAB_STEP_ERROR;
	} else if (!tlsleg_carry(lab, false, &lab->pending, &m->bytes, m, err,
				 cap)) {
		return LAB_STEP_ERROR;
	}
	lab_first_line(m->bytes.data, m->bytes.len, m->line, sizeof(m->line));
	if (!parse_response_msg(m, &resp, err, cap))
		return LAB_STEP_ERROR;
	/* Through an external proxy the lab has only a client's clues. */
	m->who_unknown =
	    lab->external &&
	    strcmp(client_who_answered(&resp, true), "cannot tell") == 0;
	if (lab->external)
		m->answered_by =
		    strcmp(client_who_answered(&resp, true), "proxy") == 0
			? LAB_PROXY
			: LAB_ORIGIN;
	else
		m->answered_by =
		    lab->pending_proxy_own ? LAB_PROXY : LAB_ORIGIN;
	lab->final_status = resp.status;
	lab->final_who = m->answered_by;
	/* `break close`: the connection goes once the CHALLENGE is out. */
	if (lab->brk == LAB_BREAK_CLOSE && resp.status == 407 &&
	    breaker_is_ntlm_challenge(&resp)) {
		lab->close_after = true;
		lab->brk = LAB_BREAK_NONE;
		snprintf(m->broken, sizeof(m->broken),
			 "break close: the client<->proxy connection closes "
			 "right after this CHALLENGE");
	}

	client_step_init(&s);
	client_call(lab, &resp, m->bytes.data + m->head_len,
		    m->bytes.len - m->head_len, &s, broken, sizeof(broken));
	{
		char note[LAB_MAX_WHY - 8];
		one_line(s.note, note, sizeof(note));
		if (note[0] == '\0')
			snprintf(note, sizeof(note), "%s",
				 s.action == CLIENT_DONE ? "this is the answer"
							 : "next request");
		snprintf(m->why, sizeof(m->why), "client: %s", note);
		if (lab->external && lab->ext_origin_status != 0)
			snprintf(m->why + strlen(m->why),
				 sizeof(m->why) - strlen(m->why),
				 " [unseen: the lab's origin answered the "
				 "external proxy %d]",
				 lab->ext_origin_status);
	}
	m->lesson = resp.status == 407	 ? "02"
		    : resp.status == 401 ? "05"
					 : NULL;
	if (resp.status == 407 && !lab->external) {
		/* the connection-bound schemes have lessons of their own */
		const struct http_header *h;
		size_t pos = 0;

		while ((h = http_header_next(resp.headers, resp.num_headers,
					     "Proxy-Authenticate", &pos)) !=
		       NULL) {
			if (h->value_len >= 4 &&
			    strncasecmp(h->value, "NTLM", 4) == 0)
				m->lesson = "11";
			else if (h->value_len >= 9 &&
				 strncasecmp(h->value, "Negotiate", 9) == 0 &&
				 strcmp(m->lesson ? m->lesson : "", "11") != 0)
				m->lesson = "12";
		}
	}
	/* the stale retry is lesson 04's (RFC 7616 §3.3) */
	if (strstr(m->why, "stale=true") != NULL)
		m->lesson = "04";
	take_client_step(lab, &s, broken);
	client_step_free(&s);
	if (lab->tunnel && lab->cm.tunnel_up)
		end_at_tunnel(lab, m);
	if (lab->close_after) {
		snprintf(m->tcp_after, sizeof(m->tcp_after),
			 "TCP: the proxy closes connection C%u after this "
			 "response (Connection: close, RFC 9112 §9.6); the "
			 "client's next request needs a new one",
			 lab->conn_seq[0]);
		wire_close(&lab->cp[0]);
		wire_close(&lab->cp[1]);
		lab->close_after = false;
	}
	return LAB_STEP_MOVED;
}

/* Move one message along its leg; see lab.h. */
enum lab_step_rc lab_step(struct lab *lab, char *err, size_t cap)
{
	struct lab_msg *m;
	enum lab_step_rc rc = LAB_STEP_ERROR;

	if (!lab->active)
		return LAB_STEP_IDLE;
	m = msg_new(lab, lab->next);
	if (m == NULL) {
		snprintf(err, cap, "the exchange passed %d messages; stopping",
			 LAB_MAX_MSGS);
		lab->active = false;
		return LAB_STEP_ERROR;
	}
	switch (lab->next) {
	case LAB_C2P:
		rc = step_c2p(lab, m, err, cap);
		break;
	case LAB_P2O:
		rc = step_p2o(lab, m, err, cap);
		break;
	case LAB_O2P:
		rc = step_o2p(lab, m, err, cap);
		break;
	case LAB_P2C:
		rc = step_p2c(lab, m, err, cap);
		break;
	}
	if (rc == LAB_STEP_ERROR) {
		/* drop the half-done message and start clean connections */
		http_buf_free(&m->bytes);
		lab->num_msgs--;
		lab->active = false;
		wire_close(&lab->cp[0]);
		wire_close(&lab->cp[1]);
		wire_close(&lab->po[0]);
		wire_close(&lab->po[1]);
	}
	return rc;
}

/* ---- Break ---- */

/* Arm a break after checking it applies (repl/breaker.c decides). */
bool lab_set_break(struct lab *lab, enum lab_break b, char *err, size_t cap)
{
	char replaced[LAB_MAX_BROKEN];

	return lab_set_break_for(lab, -1, b, replaced, err, cap);
}

bool lab_set_break_for(struct lab *lab, int party, enum lab_break b,
		       char *replaced, char *err, size_t cap)
{
	replaced[0] = '\0';
	if (party < 0)
		party = breaker_default_party(lab);
	if (!breaker_applies(lab, party, b, err, cap))
		return false;
	if (lab->brk != LAB_BREAK_NONE)
		snprintf(replaced, LAB_MAX_BROKEN, "break %s %s",
			 lab_party_name(lab->brk_party),
			 lab_break_name(lab->brk));
	lab->brk = b;
	lab->brk_party = (enum lab_party)party;
	return true;
}

/*
 * repl/lab.c - the step machine: proxy, origin and client in one thread,
 * one message at a time over real loopback TCP (see repl/lab.h).
 *
 * Sections: Opening, Exchanges.  The state is repl/lab_state.h; the
 * stepping (one function per leg) is repl/lab_step.c with legs 1 and 4
 * in repl/lab_c2p.c and repl/lab_p2c.c, the client machine's glue
 * repl/lab_client.c, the names of legs, parties and breaks
 * repl/lab_names.c, the set-up commands' setters repl/lab_set.c, the
 * sockets repl/wire.c, the byte edits of `break` repl/breaker.c.
 *
 * A CONNECT host:port (lesson 07) runs the same legs: the proxy answers
 * the CONNECT itself (407, 403, or 200 Connection established), and the
 * exchange ends at the 200, where the connection becomes a byte pipe.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "lab.h"
#include "lab_client.h"
#include "lab_set.h"
#include "lab_state.h"

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
#include "choice.h"
#include "mystery.h"
#include "tlsleg.h"
#include "wire.h"

/* ---- Opening ---- */

struct lab *lab_new(void)
{
	return calloc(1, sizeof(struct lab));
}

/* Listen on 127.0.0.1 with a free port; -1 with err on failure. */
static int listen_free(unsigned *port, char *err, size_t err_cap)
{
	char bound[NET_MAX_ADDR], host[NET_MAX_ADDR];
	int fd = net_listen("127.0.0.1:0", bound, sizeof(bound), err, err_cap);

	if (fd < 0)
		return -1;
	if (!net_split_hostport(bound, host, sizeof(host), port)) {
		snprintf(err, err_cap, "cannot read the bound address '%s'",
			 bound);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Start the lab.  The proxy and origin are the same pure machines the
 * daemons use; only the sockets are the lab's.
 */
bool lab_open(struct lab *lab, char *err, size_t err_cap)
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
		snprintf(err, err_cap, "cannot set up the lab users");
		return false;
	}
	rules_defaults(&lab->rules);
	lab->acl = calloc(1, sizeof(*lab->acl));
	lab->pst = calloc(1, sizeof(*lab->pst));
	lab->ost = calloc(1, sizeof(*lab->ost));
	if (lab->acl == NULL || lab->pst == NULL || lab->ost == NULL) {
		snprintf(err, err_cap, "out of memory");
		return false;
	}
	acl_default(lab->acl);
	e = proxy_state_init(lab->pst, DIGEST_NONCE_LIFETIME);
	if (e == HTTP_OK)
		e = origin_state_init(lab->ost, DIGEST_NONCE_LIFETIME);
	if (e != HTTP_OK) {
		snprintf(err, err_cap, "cannot start the servers: %s",
			 http_strerror(e));
		return false;
	}
	lab->listen_fd[LAB_PROXY] =
	    listen_free(&lab->port[LAB_PROXY], err, err_cap);
	if (lab->listen_fd[LAB_PROXY] < 0)
		return false;
	lab->listen_fd[LAB_ORIGIN] =
	    listen_free(&lab->port[LAB_ORIGIN], err, err_cap);
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
		lab_creds_wipe(&lab->creds[i]);
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

/* ---- Exchanges ---- */

uint64_t lab_proxy_now(const struct lab *lab)
{
	return (uint64_t)time(NULL) + lab->clock_skew + lab->waited;
}

uint64_t lab_origin_now(const struct lab *lab)
{
	return (uint64_t)time(NULL) + lab->waited;
}

/*
 * The one place the waiting message's leg changes: the message in
 * lab->pending is next carried on `leg`.  proxy_own: on P2C, the proxy's
 * own response rather than the origin's relayed.
 */
void lab_queue_next(struct lab *lab, enum lab_leg leg, bool proxy_own)
{
	lab->next = leg;
	lab->pending_proxy_own = proxy_own;
	lab->active = true;
}

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

/*
 * Lesson 07: a CONNECT target in authority-form (RFC 9112 §3.2.3), or
 * LAB_ORIGIN_ALIAS.  Fills lab->url (host:port, as shown) and the URL the
 * client machine builds its CONNECT from.  False with err otherwise.
 */
static bool tunnel_target(struct lab *lab, const char *target, char *err,
			  size_t err_cap)
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
		snprintf(err, err_cap,
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
		snprintf(err, err_cap, "host:port too long");
		return false;
	}
	lab->tunnel = true;
	return true;
}

bool lab_begin(struct lab *lab, const char *method, const char *url_or_path,
	       const char *body, char *err, size_t err_cap)
{
	struct client_step s;
	char broken[LAB_MAX_BROKEN] = "";

	lab_clear(lab);
	lab->tunnel = false;
	lab->client_url[0] = '\0';
	if (strlen(method) >= sizeof(lab->method)) {
		snprintf(err, err_cap, "method too long");
		return false;
	}
	snprintf(lab->method, sizeof(lab->method), "%s", method);
	if (url_or_path[0] == '/') {
		snprintf(lab->url, sizeof(lab->url), "http://127.0.0.1:%u%s",
			 lab->port[LAB_ORIGIN], url_or_path);
	} else if (strcmp(method, "CONNECT") == 0 &&
		   strstr(url_or_path, "://") == NULL) {
		if (!tunnel_target(lab, url_or_path, err, err_cap))
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
			snprintf(err, err_cap, "body over %u bytes",
				 LAB_MAX_BODY);
			lab->body_len = 0;
			return false;
		}
		lab->body = strdup(body);
		if (lab->body == NULL) {
			snprintf(err, err_cap, "out of memory");
			return false;
		}
	}
	lab_client_fill(lab);
	client_free(&lab->cm);
	client_init(&lab->cm, &lab->ccfg);
	client_step_init(&s);
	lab_client_call(lab, NULL, NULL, 0, &s, broken, sizeof(broken));
	lab_client_take(lab, &s, broken);
	client_step_free(&s);
	if (!lab->active) {
		snprintf(err, err_cap, "the client did not start: %s",
			 lab->end_note);
		return false;
	}
	return true;
}

struct lab_msg *lab_record(struct lab *lab, enum lab_leg leg)
{
	return msg_new(lab, leg);
}

void lab_view(const struct lab *lab, struct lab_view *v)
{
	v->port[LAB_PROXY] = lab->port[LAB_PROXY];
	v->port[LAB_ORIGIN] = lab->port[LAB_ORIGIN];
	v->server = lab->server;
	v->mystery = lab->mystery;
	v->external = lab->external;
	v->tls_proxy = lab->tlsleg != NULL;
	v->ext_host = lab->ext_host;
	v->ext_port = lab->ext_port;
	v->creds = lab->creds;
	v->method = lab->method;
	v->url = lab->url;
	v->tunnel = lab->tunnel;
	v->client_url = lab->client_url;
	v->body = lab->body;
	v->active = lab->active;
	v->next = lab->next;
	v->done = lab->done;
	v->tunnel_up = lab->cm.tunnel_up;
	v->final_status = lab->final_status;
	v->final_who = lab->final_who;
	v->end_note = lab->end_note;
	v->msgs = lab->msgs;
	v->num_msgs = lab->num_msgs;
	v->brk = lab->brk;
	v->brk_party = lab->brk_party;
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

/*
 * repl/intercept.c - holding outside clients' messages (see
 * repl/intercept.h), the `hold` filter, editing a held request, and the
 * commands: listen, hold, auto, held, edit, await.  Releasing them, one
 * leg at a time, is repl/release.c.
 *
 * Sections: The filter, Arrivals, Commands.
 *
 * Lesson 13 is this file: a student points their own browser here.
 */
#define _GNU_SOURCE

#include "intercept.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http/message.h"
#include "../http/url.h"
#include "../net/net.h"
#include "listen.h"
#include "release.h"
#include "show.h"

/* ---- Setting up ---- */

void intercept_init(struct intercept *ic)
{
	size_t i;

	memset(ic, 0, sizeof(*ic));
	ic->lfd = -1;
	ic->next_num = 1;
	for (i = 0; i < ICPT_MAX_CONNS; i++) {
		ic->c[i].fd = -1;
		ic->c[i].up = -1;
		ic->c[i].srv = -1;
	}
}

/* ---- The filter ---- */

/* The host a request is for: absolute-form URL, CONNECT authority, Host. */
static void request_host(const struct http_request *req, char *out, size_t cap)
{
	struct http_url u;
	const struct http_header *h;

	out[0] = '\0';
	if (http_url_parse(req->target, req->target_len, &u) == HTTP_OK ||
	    (req->method_len == 7 && memcmp(req->method, "CONNECT", 7) == 0 &&
	     http_authority_parse(req->target, req->target_len, &u) ==
		 HTTP_OK)) {
		snprintf(out, cap, "%s", u.host);
		return;
	}
	h = http_header_find(req->headers, req->num_headers, "Host");
	if (h != NULL)
		snprintf(out, cap, "%.*s", (int)h->value_len, h->value);
}

/* The path of the request target ("" for CONNECT). */
static void request_path(const struct http_request *req, char *out, size_t cap)
{
	struct http_url u;

	out[0] = '\0';
	if (req->target_len > 0 && req->target[0] == '/')
		snprintf(out, cap, "%.*s", (int)req->target_len, req->target);
	else if (http_url_parse(req->target, req->target_len, &u) == HTTP_OK)
		snprintf(out, cap, "%.*s", (int)u.path_len, u.path);
}

/* True when the request matches the `hold` filter. */
static bool intercept_matches(const struct intercept *ic, const char *head,
			      size_t len)
{
	struct http_request req;
	enum http_err e = HTTP_OK;
	char host[HTTP_MAX_HOST + 1], path[ICPT_MAX_FILTER + 1];

	if (http_parse_request(head, len, &req, &e) <= 0)
		return true; /* hold what we cannot read: the proxy's 400 */
	if (ic->method[0] != '\0' &&
	    (strlen(ic->method) != req.method_len ||
	     strncasecmp(ic->method, req.method, req.method_len) != 0))
		return false;
	if (ic->host[0] != '\0') {
		request_host(&req, host, sizeof(host));
		if (strcasecmp(host, ic->host) != 0)
			return false;
	}
	if (ic->path[0] != '\0') {
		request_path(&req, path, sizeof(path));
		if (strncmp(path, ic->path, strlen(ic->path)) != 0)
			return false;
	}
	return true;
}

/* ---- Arrivals ---- */

void intercept_arrived(struct repl *r, struct icpt_conn *c)
{
	struct intercept *ic = r->icpt;
	char line[LAB_MAX_LINE];

	c->st = ICPT_HELD;
	c->leg = LAB_C2P;
	c->seq = ic->next_seq++;
	c->broken[0] = '\0';
	c->shown = intercept_matches(ic, c->held.data, c->held.len);
	lab_first_line(c->held.data, c->held.len, line, sizeof(line));
	if (!c->shown && ic->rest == ICPT_REST_DENY) {
		struct http_buf b;
		static const char body[] =
		    "The lab holds other requests; this one does not match "
		    "its hold filter.\n";
		http_buf_init(&b, 4096);
		http_write_text_response(&b, 403, "Connection: close\r\n", body,
					 sizeof(body) - 1);
		(void)net_write_all(c->fd, b.data, b.len);
		http_buf_free(&b);
		listen_say(r, "(#%d not held: %s -> 403 from the lab)\n",
			   c->num, line);
		listen_drop(ic, c);
		return;
	}
	if (!c->shown || ic->auto_release) {
		release_through(r, c);
		return;
	}
	listen_say(r, "\n(#%d held: %s -- Enter releases it)\n", c->num, line);
}

enum repl_rc intercept_step(struct repl *r, bool *moved)
{
	struct icpt_conn *c = listen_oldest(r->icpt);
	char err[512];
	struct lab_view v;
	size_t before;

	*moved = false;
	if (c == NULL)
		return REPL_OK;
	lab_view(r->lab, &v);
	before = v.num_msgs;
	if (!release_one(r, c, err, sizeof(err))) {
		repl_error(r, "%s", err);
		listen_drop(r->icpt, c);
		return REPL_FAIL;
	}
	*moved = true;
	lab_view(r->lab, &v);
	if (v.num_msgs > before && !r->in_outcomes)
		show_message(r, &v.msgs[v.num_msgs - 1]);
	return REPL_OK;
}

/* ---- Commands ---- */

/* `listen HOST:PORT` or `listen off`: let outside clients in. */
enum repl_rc intercept_listen(struct repl *r, int argc, char **argv)
{
	char err[512];
	struct lab_view v;

	(void)argc;
	if (strcasecmp(argv[1], "off") == 0) {
		listen_close(r->icpt);
		fprintf(r->out, "not listening\n");
		return REPL_OK;
	}
	if (!listen_open(r->icpt, argv[1], err, sizeof(err))) {
		repl_error(r, "%s", err);
		return REPL_FAIL;
	}
	fprintf(r->out, "listening on %s\n", r->icpt->bound);
	lab_view(r->lab, &v);
	if (!r->script)
		fprintf(r->out,
			"point a client at it: curl -x http://%s -U "
			"alice:wonderland http://127.0.0.1:%u/private\n",
			r->icpt->bound, v.port[LAB_ORIGIN]);
	fflush(r->out);
	return REPL_OK;
}

/* The filter in one line: each part set, space-separated, then what
 * happens to the rest (nothing is left over when everything is held). */
static void show_filter(struct repl *r)
{
	struct intercept *ic = r->icpt;
	char what[sizeof(ic->method) + sizeof(ic->host) + sizeof(ic->path) +
		  32] = "";
	size_t n = 0;

	if (ic->method[0])
		n += (size_t)snprintf(what + n, sizeof(what) - n, " method %s",
				      ic->method);
	if (ic->host[0] && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, " host %s",
				      ic->host);
	if (ic->path[0] && n < sizeof(what))
		snprintf(what + n, sizeof(what) - n, " path %s", ic->path);
	fprintf(r->out, "hold: %s%s%s\n", what[0] ? what + 1 : "everything",
		!what[0]		     ? ""
		: ic->rest == ICPT_REST_DENY ? "; the rest answered 403"
					     : "; the rest released unshown",
		ic->auto_release ? " (auto: nothing is held, all is printed)"
				 : "");
}

/* `hold all | host H | method M | path PREFIX | rest release|deny` */
enum repl_rc intercept_hold(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	const char *what = argv[1], *v = argc > 2 ? argv[2] : NULL;

	if (strcasecmp(what, "all") == 0) {
		/* the whole filter, "rest" included: a later filter starts
		 * from the default again */
		ic->host[0] = ic->method[0] = ic->path[0] = '\0';
		ic->rest = ICPT_REST_RELEASE;
	} else if (v == NULL) {
		if (strcasecmp(what, "show") != 0) {
			repl_error(r, "hold %s needs a value", what);
			return REPL_USAGE;
		}
	} else if (strcasecmp(what, "host") == 0) {
		snprintf(ic->host, sizeof(ic->host), "%s", v);
	} else if (strcasecmp(what, "method") == 0) {
		if (strlen(v) >= sizeof(ic->method) ||
		    !http_is_token(v, strlen(v))) {
			repl_error(r, "'%s' is not a method", v);
			return REPL_USAGE;
		}
		snprintf(ic->method, sizeof(ic->method), "%s", v);
	} else if (strcasecmp(what, "path") == 0) {
		if (v[0] != '/') {
			repl_error(r, "a path prefix starts with /");
			return REPL_USAGE;
		}
		snprintf(ic->path, sizeof(ic->path), "%s", v);
	} else if (strcasecmp(what, "rest") == 0) {
		if (strcasecmp(v, "deny") == 0)
			ic->rest = ICPT_REST_DENY;
		else if (strcasecmp(v, "release") == 0)
			ic->rest = ICPT_REST_RELEASE;
		else {
			repl_error(r, "hold rest release|deny");
			return REPL_USAGE;
		}
	} else {
		repl_error(r, "hold all|host H|method M|path PREFIX|rest "
			      "release|deny|show");
		return REPL_USAGE;
	}
	show_filter(r);
	return REPL_OK;
}

/* `reach loopback|any` */
enum repl_rc intercept_reach(struct repl *r, int argc, char **argv)
{
	(void)argc;
	r->icpt->reach_any = strcasecmp(argv[1], "any") == 0;
	fprintf(r->out, "reach %s: %s\n",
		r->icpt->reach_any ? "any" : "loopback",
		r->icpt->reach_any
		    ? "outside clients' requests go to any origin they name "
		      "(the ACL and the CONNECT ports still apply)"
		    : "outside clients' requests go only to loopback servers "
		      "(the others get the lab's 403)");
	return REPL_OK;
}

/* `auto on|off` */
enum repl_rc intercept_auto(struct repl *r, int argc, char **argv)
{
	(void)argc;
	r->icpt->auto_release = strcasecmp(argv[1], "on") == 0;
	fprintf(r->out, "auto %s: %s\n", r->icpt->auto_release ? "on" : "off",
		r->icpt->auto_release
		    ? "outside messages are printed and released at once"
		    : "outside messages are held until Enter");
	if (r->icpt->auto_release) {
		/* what is held now goes too */
		struct icpt_conn *c;
		int guard = 0;
		while ((c = listen_oldest(r->icpt)) != NULL &&
		       guard++ < ICPT_MAX_CONNS * 4)
			release_through(r, c);
	}
	return REPL_OK;
}

/* `held`: what is waiting, oldest first. */
enum repl_rc intercept_held(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	size_t i;
	int shown = 0;

	(void)argc;
	(void)argv;
	if (ic->lfd < 0)
		fprintf(r->out, "not listening (listen 127.0.0.1:0)\n");
	else
		fprintf(r->out, "listening on %s\n", ic->bound);
	for (i = 0; i < ICPT_MAX_CONNS; i++) {
		const struct icpt_conn *c = &ic->c[i];
		char line[LAB_MAX_LINE];
		if (c->st == ICPT_FREE)
			continue;
		lab_first_line(c->held.data, c->held.len, line, sizeof(line));
		fprintf(r->out, "  #%d  %s\n", c->num,
			c->st == ICPT_HELD     ? line
			: c->st == ICPT_TUNNEL ? "(tunnel: bytes relayed)"
					       : "(waiting for a request)");
		if (c->st == ICPT_HELD)
			fprintf(r->out, "       held on %s\n",
				lab_leg_name(c->leg));
		shown++;
	}
	if (shown == 0)
		fprintf(r->out, "  no outside connections\n");
	show_filter(r);
	return REPL_OK;
}

/* Find header `name` in the head of b: offsets of its whole line. */
static bool find_line(const struct http_buf *b, const char *name, size_t *start,
		      size_t *end)
{
	size_t i = 0, nl = strlen(name);

	/* skip the start line */
	while (i < b->len && b->data[i] != '\n')
		i++;
	i++;
	while (i < b->len && b->data[i] != '\r' && b->data[i] != '\n') {
		size_t j = i;
		while (j < b->len && b->data[j] != '\n')
			j++;
		if (j - i > nl && b->data[i + nl] == ':' &&
		    strncasecmp(b->data + i, name, nl) == 0) {
			*start = i;
			*end = j + 1;
			return true;
		}
		i = j + 1;
	}
	*start = *end = i; /* where a new field goes: before the blank line */
	return false;
}

/* `edit set NAME VALUE` / `edit remove NAME`: the oldest held message. */
enum repl_rc intercept_edit(struct repl *r, int argc, char **argv)
{
	struct icpt_conn *c = listen_oldest(r->icpt);
	bool set = strcasecmp(argv[1], "set") == 0;
	size_t s, e;
	char line[ICPT_MAX_EDIT + HTTP_MAX_HOST + 8];
	bool had;

	if (!set && strcasecmp(argv[1], "remove") != 0) {
		repl_error(r, "edit set NAME VALUE, or edit remove NAME");
		return REPL_USAGE;
	}
	if ((set && argc != 4) || (!set && argc != 3)) {
		repl_error(r, "edit set NAME VALUE, or edit remove NAME");
		return REPL_USAGE;
	}
	if (c == NULL) {
		repl_error(r, "nothing is held (await request, or point a "
			      "client at the listen port)");
		return REPL_FAIL;
	}
	if (!http_is_token(argv[2], strlen(argv[2])) ||
	    (set && (strlen(argv[3]) > ICPT_MAX_EDIT ||
		     strpbrk(argv[3], "\r\n") != NULL))) {
		repl_error(r,
			   "a field name is a token, and its value one line "
			   "of at most %d bytes",
			   ICPT_MAX_EDIT);
		return REPL_USAGE;
	}
	had = find_line(&c->held, argv[2], &s, &e);
	if (!set && !had) {
		repl_error(r, "#%d's held message has no %s field", c->num,
			   argv[2]);
		return REPL_FAIL;
	}
	line[0] = '\0';
	if (set)
		snprintf(line, sizeof(line), "%s: %s\r\n", argv[2], argv[3]);
	/* a body's Content-Length is left alone: the head is what changed */
	if (!http_buf_splice(&c->held, s, e - s, line, strlen(line))) {
		repl_error(r, "#%d's held message would be too large", c->num);
		return REPL_FAIL;
	}
	snprintf(c->broken, sizeof(c->broken), "edit: %s %s",
		 set ? "set" : "removed", argv[2]);
	fprintf(r->out, "#%d: %s %s (on %s)\n", c->num, set ? "set" : "removed",
		argv[2], lab_leg_name(c->leg));
	return REPL_OK;
}

/* `await request SECS` / `await closed SECS`: the lab-script verb. */
enum repl_rc intercept_await(struct repl *r, int argc, char **argv)
{
	struct intercept *ic = r->icpt;
	bool req = strcasecmp(argv[1], "request") == 0;
	bool quiet = strcasecmp(argv[1], "quiet") == 0;
	long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
	struct timespec t0, t;
	struct icpt_conn *held;

	if (!req && !quiet && strcasecmp(argv[1], "closed") != 0) {
		repl_error(r, "await request SECS, await closed SECS, or await "
			      "quiet SECS");
		return REPL_USAGE;
	}
	if (secs < 1 || secs > ICPT_AWAIT_MAX) {
		repl_error(r, "await waits 1 to %d seconds", ICPT_AWAIT_MAX);
		return REPL_USAGE;
	}
	if (ic->lfd < 0) {
		repl_error(r, "not listening (bin/repl --listen, or listen "
			      "127.0.0.1:0)");
		return REPL_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		size_t i, open = 0;
		long ms;

		held = listen_oldest(ic);
		if (req && held != NULL)
			return REPL_OK;
		/* quiet: the client sends nothing the filter holds */
		if (quiet && held != NULL) {
			char line[160];
			lab_first_line(held->held.data, held->held.len, line,
				       sizeof(line));
			repl_error(r, "await quiet: #%d sent %s", held->num,
				   line);
			return REPL_FAIL;
		}
		for (i = 0; i < ICPT_MAX_CONNS; i++)
			open += ic->c[i].st != ICPT_FREE;
		/* closed: after some client came at all (race-free with a
		 * client started once the port was printed) */
		if (!req && open == 0 && ic->next_num > 1)
			return REPL_OK;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= secs * 1000) {
			if (quiet)
				return REPL_OK;
			break;
		}
		if (!listen_pump(
			r,
			(int)(secs * 1000 - ms < 200 ? secs * 1000 - ms : 200)))
			break;
	}
	repl_error(r, "await %s: nothing came in %ld s", argv[1], secs);
	return REPL_FAIL;
}

bool intercept_pending(const struct repl *r)
{
	return r->icpt != NULL && listen_oldest(r->icpt) != NULL;
}

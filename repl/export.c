/*
 * repl/export.c - the exchange for other tools: `save FILE` (a Markdown
 * transcript) and `curl` (the same request from a real client); `dot
 * FILE` (a Graphviz sequence diagram) is repl/export_dot.c.
 *
 * Sections: Files, Markdown, curl.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "export.h"
#include "repl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http/answer.h"
#include "../http/message.h"

#define EXPORT_MAX_SAVED 8192 /* bytes of one message in a transcript */

/* ---- Files ---- */

FILE *export_open(struct repl *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		repl_error(r, "cannot write %s: %s", path, strerror(errno));
	return f;
}

/* ---- Markdown ---- */

/* `save FILE` */
enum repl_rc export_save(struct repl *r, int argc, char **argv)
{
	struct lab_view lv;
	const struct lab_view *v = &lv;
	FILE *f;
	size_t i;

	(void)argc;
	lab_view(r->lab, &lv);
	f = export_open(r, argv[1]);
	if (f == NULL)
		return REPL_FAIL;
	fprintf(f, "# lab407 exchange: %s %s\n\n", v->method, v->url);
	fprintf(f,
		"Proxy 127.0.0.1:%u, origin 127.0.0.1:%u.  Each message is "
		"shown as it crossed the loopback socket.\n",
		v->port[LAB_PROXY], v->port[LAB_ORIGIN]);
	for (i = 0; i < v->num_msgs; i++) {
		const struct lab_msg *m = &v->msgs[i];
		size_t n = m->bytes.len > EXPORT_MAX_SAVED ? EXPORT_MAX_SAVED
							   : m->bytes.len;
		size_t j;
		fprintf(f, "\n## [%d] %s -> %s: `%s`\n\n", m->n,
			lab_leg_from(m->leg), lab_leg_to(m->leg), m->line);
		if (m->tcp_before[0] != '\0')
			fprintf(f, "*%s*\n\n", m->tcp_before);
		if (m->broken[0] != '\0')
			fprintf(f, "*%s*\n\n", m->broken);
		fprintf(f, "```http\n");
		for (j = 0; j < n; j++)
			if (m->bytes.data[j] != '\r')
				fputc(m->bytes.data[j], f);
		if (n > 0 && m->bytes.data[n - 1] != '\n')
			fputc('\n', f);
		if (n < m->bytes.len)
			fprintf(f, "(... %zu more bytes)\n", m->bytes.len - n);
		fprintf(f, "```\n\n**why:** %s", m->why);
		if (m->lesson != NULL)
			fprintf(f, " (lesson %s)", m->lesson);
		fprintf(f, "\n");
		if (m->tcp_after[0] != '\0')
			fprintf(f, "\n*%s*\n", m->tcp_after);
	}
	if (v->done)
		fprintf(f, "\n**Result:** %d from the %s.\n", v->final_status,
			lab_party_name(v->final_who));
	if (fclose(f) != 0) {
		repl_error(r, "cannot write %s", argv[1]);
		return REPL_FAIL;
	}
	fprintf(r->out, "wrote %s (%zu messages)\n", argv[1], v->num_msgs);
	return REPL_OK;
}

/* ---- curl ---- */

/* Print s for a POSIX shell: bare when safe, else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	if (s[0] != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-_./:=@,+%") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/*
 * The scheme the REPL's client answers with: the highest answer_rank()
 * for the leg (TLS or plain HTTP, as the REPL's was), Negotiate aside:
 * it has no Kerberos ticket.
 */
static enum auth_scheme strongest(const struct lab_server *s, bool tls)
{
	enum auth_scheme best = AUTH_SCHEME_NONE;
	size_t i;

	for (i = 0; i < s->num_schemes; i++)
		if (s->schemes[i] != AUTH_SCHEME_NEGOTIATE &&
		    answer_rank(s->schemes[i], tls) > answer_rank(best, tls))
			best = s->schemes[i];
	return best;
}

/* "digest,basic" (or "none"): a server's schemes as --auth takes them. */
static void scheme_words(FILE *f, const struct lab_server *srv)
{
	size_t i;

	if (srv->num_schemes == 0)
		fputs("none", f);
	for (i = 0; i < srv->num_schemes; i++) {
		const char *name = auth_scheme_name(srv->schemes[i]);
		const char *c;

		if (i > 0)
			fputc(',', f);
		for (c = name ? name : "?"; *c != '\0'; c++)
			fputc(tolower((unsigned char)*c), f);
	}
}

/* curl's options for one party's credentials. */
struct curl_opts {
	const char *bearer;	   /* option that carries the token */
	const char *bearer_prefix; /* what goes before "<user>-token" */
	const char *user;	   /* option for user:password */
	const char *digest;	   /* scheme options */
	const char *basic;
	const char *ntlm;
};

/* --proxy-anyauth and --anyauth, not --proxy-basic: curl then waits for
 * the challenge, as the lab's client does, instead of sending Basic
 * before it is asked (lesson 09). */
static const struct curl_opts CURL_PROXY = {
    "--proxy-header",  "Proxy-Authorization: Bearer ",
    "--proxy-user",    "--proxy-anyauth",
    "--proxy-anyauth", "--proxy-ntlm"};
static const struct curl_opts CURL_ORIGIN = {
    "--oauth2-bearer", "", "--user", "--anyauth", "--anyauth", "--ntlm"};

/* Append one party's credentials as curl options (scheme s); the
 * password passes through a local buffer that is wiped after. */
static void curl_creds(FILE *f, const struct lab_creds *c, enum auth_scheme s,
		       const struct curl_opts *o)
{
	char up[2 * LAB_MAX_CRED + 64];

	if (!c->set || s == AUTH_SCHEME_NONE)
		return;
	if (s == AUTH_SCHEME_BEARER) {
		snprintf(up, sizeof(up), "%s%s-token", o->bearer_prefix,
			 c->user);
		fprintf(f, " %s ", o->bearer);
		shell_word(f, up);
		return;
	}
	snprintf(up, sizeof(up), "%s:%s", c->user, c->pass);
	fprintf(f, " %s ", o->user);
	shell_word(f, up);
	fprintf(f, " %s",
		s == AUTH_SCHEME_DIGEST ? o->digest
		: s == AUTH_SCHEME_NTLM ? o->ntlm
					: o->basic);
	explicit_bzero(up, sizeof(up));
}

/* The ports of `make lab-up` (mk/lab.sh), or LAB_*_PORT from the
 * environment when the defaults were taken. */
static unsigned lab_up_port(const char *env, unsigned def)
{
	const char *v = getenv(env);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 && n < 65536 ? (unsigned)n : def;
}

/* in with "127.0.0.1:FROM" turned into "127.0.0.1:TO" (the first one). */
static void swap_port(const char *in, unsigned from, unsigned to, char *out,
		      size_t cap)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "127.0.0.1:%u", from);
	p = strstr(in, pat);
	if (p == NULL || (p[strlen(pat)] >= '0' && p[strlen(pat)] <= '9')) {
		snprintf(out, cap, "%s", in);
		return;
	}
	snprintf(out, cap, "%.*s127.0.0.1:%u%s", (int)(p - in), in, to,
		 p + strlen(pat));
}

/* `make lab-cert`'s certificate and key (the Makefile's LAB_CERT). */
#define LAB_UP_CERT "build/lab-cert/cert.pem"
#define LAB_UP_KEY "build/lab-cert/key.pem"

/* A server's options for bin/proxy or bin/origin: its Digest ones when
 * they are not the defaults (SHA-256,MD5 and qop auth), and with tls the
 * lab certificate, so that it speaks TLS as `tls proxy on` does. */
static void server_args(FILE *f, const char *var, const struct lab_server *s,
			bool tls)
{
	bool algs = !(s->num_algs == 2 && s->algs[0] == DIGEST_SHA256 &&
		      s->algs[1] == DIGEST_MD5);
	bool qop = s->qops != DIGEST_QOP_AUTH;
	size_t i;

	if (!algs && !qop && !tls)
		return;
	fprintf(f, " %s='", var);
	if (tls)
		fprintf(f, "--tls-cert %s --tls-key %s%s", LAB_UP_CERT,
			LAB_UP_KEY, algs || qop ? " " : "");
	if (algs) {
		fputs("--digest-algorithms ", f);
		for (i = 0; i < s->num_algs; i++)
			fprintf(f, "%s%s", i ? "," : "",
				digest_alg_name(s->algs[i]));
	}
	if (qop)
		fprintf(f, "%s--qop %s", algs ? " " : "",
			s->qops == 0 ? "none"
			: s->qops == (DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT)
			    ? "auth,auth-int"
			: s->qops == DIGEST_QOP_AUTH_INT ? "auth-int"
							 : "auth");
	fputc('\'', f);
}

/* The make lab-up line that starts bin/proxy and bin/origin with this
 * set-up on ports pp and op (with tls, after `make lab-cert`, the proxy
 * listening with TLS).  An external proxy still needs an origin that
 * answers by itself: make lab-up's, at LAB_ORIGIN_PORT. */
static void lab_up_line(FILE *f, const struct lab_view *v, unsigned pp,
			unsigned op, bool tls)
{
	fprintf(f,
		"# in a shell, from the lab407 directory: the same "
		"set-up as daemons%s\n",
		v->external ? " (only its origin is used: the proxy "
			      "is the external one)"
			    : "");
	if (tls)
		fprintf(f, "make lab-cert\n");
	fprintf(f, "make lab-up LAB_PROXY_AUTH=");
	scheme_words(f, &v->server[LAB_PROXY]);
	fprintf(f, " LAB_ORIGIN_AUTH=");
	scheme_words(f, &v->server[LAB_ORIGIN]);
	server_args(f, "LAB_PROXY_ARGS", &v->server[LAB_PROXY], tls);
	server_args(f, "LAB_ORIGIN_ARGS", &v->server[LAB_ORIGIN], false);
	if (pp != LAB_UP_PROXY_PORT || op != LAB_UP_ORIGIN_PORT)
		fprintf(f, " LAB_PROXY_PORT=%u LAB_ORIGIN_PORT=%u", pp, op);
	fputc('\n', f);
}

/*
 * Lesson 04: curl (measured with 7.88.1) answers qop=auth-int, which it
 * uses only when auth is not offered, with H("") in A2 whatever body it
 * sends (RFC 7616 §3.4.3 wants H(entity-body)), so a request with a body
 * gets 407/401 "response does not match".  Said next to the command for
 * each server where that is the case.
 */
static void curl_auth_int_note(FILE *f, const struct lab_view *v,
			       enum auth_scheme ps, enum auth_scheme os)
{
	static const char *const who[] = {"the proxy", "the origin"};
	const int sides[] = {LAB_PROXY, LAB_ORIGIN};
	const enum auth_scheme used[] = {ps, os};

	if (v->body == NULL || v->body[0] == '\0')
		return;
	for (size_t i = 0; i < 2; i++) {
		unsigned q = v->server[sides[i]].qops;

		if (used[i] != AUTH_SCHEME_DIGEST ||
		    (q & DIGEST_QOP_AUTH_INT) == 0 ||
		    (q & DIGEST_QOP_AUTH) != 0)
			continue;
		fprintf(f,
			"# note: curl cannot answer qop=auth-int for a request "
			"with a body: it hashes an empty body into A2, not the "
			"one it sends, so %s answers %s (response does not "
			"match; lesson 04)\n",
			who[i], i == 0 ? "407" : "401");
	}
}

/*
 * Lesson 10: the same exchange as a curl command line, against the
 * daemons of `make lab-up` (the lab's own ports move one message per
 * step, so curl would wait on them).  Printed first: the make line that
 * starts those daemons with this set-up.
 */
enum repl_rc export_curl(struct repl *r, int argc, char **argv)
{
	struct lab_view lv;
	const struct lab_view *v = &lv;
	char proxy[300], url[LAB_MAX_URL], given[LAB_MAX_URL];
	enum auth_scheme ps, os;
	unsigned pp = lab_up_port("LAB_PROXY_PORT", LAB_UP_PROXY_PORT);
	unsigned op = lab_up_port("LAB_ORIGIN_PORT", LAB_UP_ORIGIN_PORT);
	FILE *f = r->out;
	bool tls;

	(void)argc;
	(void)argv;
	lab_view(r->lab, &lv);
	tls = v->tls_proxy && !v->external;
	ps = strongest(&v->server[LAB_PROXY], tls);
	os = strongest(&v->server[LAB_ORIGIN], false);
	if (v->mystery != 0) {
		fprintf(f,
			"hidden: mystery %d (its servers' options are for "
			"you to find)\n",
			v->mystery);
		return REPL_OK;
	}
	if (v->external)
		snprintf(proxy, sizeof(proxy), "http://%s:%u", v->ext_host,
			 v->ext_port);
	else
		snprintf(proxy, sizeof(proxy), "%s://127.0.0.1:%u",
			 tls ? "https" : "http", pp);
	if (v->tunnel)
		/* curl -p: CONNECT host:port first, the request inside */
		snprintf(given, sizeof(given), "%s", v->client_url);
	else if (v->url[0] != '\0')
		snprintf(given, sizeof(given), "%s", v->url);
	else
		snprintf(given, sizeof(given), "http://127.0.0.1:%u/private",
			 v->port[LAB_ORIGIN]);
	swap_port(given, v->port[LAB_ORIGIN], op, url, sizeof(url));
	lab_up_line(f, v, pp, op, tls);
	curl_auth_int_note(f, v, ps, os);
	fprintf(f, "curl -v%s --proxy %s", v->tunnel ? " --proxytunnel" : "",
		proxy);
	if (tls) /* the lab certificate is self-signed: trust it by name */
		fprintf(f, " --proxy-cacert %s", LAB_UP_CERT);
	curl_creds(f, &v->creds[LAB_PROXY], ps, &CURL_PROXY);
	curl_creds(f, &v->creds[LAB_ORIGIN], os, &CURL_ORIGIN);
	if (v->method[0] != '\0' && strcmp(v->method, "GET") != 0 &&
	    !v->tunnel) {
		fprintf(f, " -X ");
		shell_word(f, v->method);
	}
	if (v->body != NULL) {
		fprintf(f, " --data-raw ");
		shell_word(f, v->body);
	}
	fputc(' ', f);
	shell_word(f, url);
	fputc('\n', f);
	fprintf(f, "# make lab-down stops the daemons; their logs are in "
		   "build/lab/\n");
	return REPL_OK;
}

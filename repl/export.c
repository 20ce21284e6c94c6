/*
 * repl/export.c - the exchange for other tools: `dot FILE` (a Graphviz
 * sequence diagram), `save FILE` (a Markdown transcript) and `curl` (the
 * same request from a real client).
 *
 * Sections: Graphviz, Markdown, curl.
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "repl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http/answer.h"
#include "../http/auth.h"
#include "../http/message.h"

#define EXPORT_MAX_SAVED 8192 /* bytes of one message in a transcript */

/* ---- Graphviz ---- */

/*
 * An arrow's label is its first line plus the authentication fields of
 * the message, one line each, shortened so a diagram stays readable and
 * stays the same from run to run: nonces, hashes and tokens become "…",
 * and the lab's own loopback ports become proxy.lab and origin.lab.
 */
#define DOT_MAX_LABEL 2048	    /* one arrow's label, before escaping */
#define DOT_MAX_AUTH_LINE 120	    /* bytes of one shortened field line */
#define DOT_MAX_AUTH_LINES 6	    /* auth fields shown per message */
#define DOT_TOKEN_SHOWN 4	    /* token68 characters kept: "YWxp…" */
#define DOT_ELLIPSIS "\xe2\x80\xa6" /* U+2026 in UTF-8 */

/* Fields whose lines are added to a label (RFC 9110 §11.6, §11.7;
 * RFC 7616 §3.5 for the -Info fields). */
static const char *const dot_auth_fields[] = {
    "Proxy-Authenticate", "WWW-Authenticate",	       "Proxy-Authorization",
    "Authorization",	  "Proxy-Authentication-Info", "Authentication-Info",
};

/* Params shown with their value: stable from run to run, and the ones a
 * lesson talks about.  realm is shown as realm=…, the rest as one "…". */
static const char *const dot_kept[] = {"username", "algorithm", "qop", "nc",
				       "stale"};

/* A bounded text under construction; what does not fit is dropped. */
struct dot_text {
	char *s;
	size_t len, cap; /* cap includes the NUL */
};

/* Append n bytes; anything but printable ASCII becomes '?', so the label
 * is always valid UTF-8 whatever a peer sent. */
static void dot_put(struct dot_text *t, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && t->len + 1 < t->cap; i++) {
		unsigned char c = (unsigned char)p[i];
		t->s[t->len++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	t->s[t->len] = '\0';
}

/* Append a literal of ours whole, or not at all (never half a UTF-8
 * sequence). */
static void dot_lit(struct dot_text *t, const char *lit)
{
	size_t n = strlen(lit);

	if (t->len + n + 1 > t->cap)
		return;
	memcpy(t->s + t->len, lit, n + 1);
	t->len += n;
}

/*
 * Append p[0..n) with "127.0.0.1:PORT" of the lab's proxy and origin
 * replaced by proxy.lab and origin.lab, so a committed diagram does not
 * change with the ports of the run that drew it.
 */
static void dot_put_stable(struct dot_text *t, const struct lab_view *v,
			   const char *p, size_t n)
{
	static const char lo[] = "127.0.0.1:";
	const size_t k = sizeof(lo) - 1;
	size_t i = 0, from = 0;

	while (i + k < n) {
		size_t j = i + k;
		unsigned port = 0;

		if (memcmp(p + i, lo, k) != 0) {
			i++;
			continue;
		}
		while (j < n && j - i - k < 5 && p[j] >= '0' && p[j] <= '9')
			port = port * 10 + (unsigned)(p[j++] - '0');
		if (j == i + k || (j < n && p[j] >= '0' && p[j] <= '9') ||
		    (port != v->port[LAB_PROXY] &&
		     port != v->port[LAB_ORIGIN])) {
			i++;
			continue;
		}
		dot_put(t, p + from, i - from);
		dot_lit(t, port == v->port[LAB_PROXY] ? "proxy.lab"
						      : "origin.lab");
		i = from = j;
	}
	dot_put(t, p + from, n - from);
}

/* State of one shortened field line: items are joined with ", " and a
 * run of hidden params becomes one "…". */
struct dot_line {
	struct dot_text *t;
	const struct lab_view *v;
	bool first; /* no item yet after the scheme (or the field name) */
	bool gap;   /* hidden params are waiting to be shown as "…" */
};

static void line_sep(struct dot_line *l)
{
	if (!l->first)
		dot_put(l->t, ", ", 2);
	l->first = false;
}

static void line_flush_gap(struct dot_line *l)
{
	if (l->gap) {
		line_sep(l);
		dot_lit(l->t, DOT_ELLIPSIS);
		l->gap = false;
	}
}

/* True when the param's name is one of dot_kept. */
static bool is_kept(const struct auth_param *p)
{
	for (size_t i = 0; i < sizeof(dot_kept) / sizeof(dot_kept[0]); i++)
		if (strlen(dot_kept[i]) == p->name_len &&
		    strncasecmp(p->name, dot_kept[i], p->name_len) == 0)
			return true;
	return false;
}

/* One auth-param (RFC 9110 §11.2), shortened: a kept one as
 * name=value (a quoted-string with its quotes and quoted-pairs as
 * sent), realm as realm=…, the others hidden. */
static void line_param(struct dot_line *l, const struct auth_param *p)
{
	if (is_kept(p)) {
		line_flush_gap(l);
		line_sep(l);
		dot_put(l->t, p->name, p->name_len);
		dot_put(l->t, p->quoted ? "=\"" : "=", p->quoted ? 2 : 1);
		dot_put_stable(l->t, l->v, p->value, p->value_len);
		if (p->quoted)
			dot_put(l->t, "\"", 1);
		return;
	}
	if (p->name_len == 5 && strncasecmp(p->name, "realm", 5) == 0) {
		line_flush_gap(l);
		line_sep(l);
		dot_put(l->t, "realm=", 6);
		dot_lit(l->t, DOT_ELLIPSIS);
		return;
	}
	l->gap = true;
}

/*
 * One challenge or set of credentials, as http/auth.c parsed it: its
 * scheme, then a token68 cut to its first DOT_TOKEN_SHOWN characters, or
 * its params as line_param() says.  `more`: not the field's first.
 */
static void line_challenge(struct dot_line *l, const struct auth_challenge *c,
			   bool more)
{
	if (c->scheme != NULL) {
		line_flush_gap(l);
		if (more)
			dot_put(l->t, ", ", 2);
		dot_put(l->t, c->scheme, c->scheme_len);
		if (c->token68 != NULL || c->num_params > 0)
			dot_put(l->t, " ", 1);
		l->first = true;
	}
	if (c->token68 != NULL) {
		line_sep(l);
		dot_put(l->t, c->token68,
			c->token68_len > DOT_TOKEN_SHOWN ? DOT_TOKEN_SHOWN
							 : c->token68_len);
		if (c->token68_len > DOT_TOKEN_SHOWN)
			dot_lit(l->t, DOT_ELLIPSIS);
	}
	for (size_t i = 0; i < c->num_params; i++)
		line_param(l, &c->params[i]);
	line_flush_gap(l);
}

/*
 * Shorten one auth field's value h, read with the grammar of RFC 9110
 * §11 (http/auth.c): challenges, credentials, or the -Info fields' bare
 * params.  A value that grammar rejects shows only its leading scheme
 * token and "…": none of its bytes past the scheme are trusted as params.
 */
static void line_value(struct dot_line *l, const struct http_header *h)
{
	struct auth_challenge cs[AUTH_MAX_CHALLENGES];
	size_t n = 0, span;
	enum http_err e;

	if (http_header_is(h, "Proxy-Authenticate") ||
	    http_header_is(h, "WWW-Authenticate"))
		e = auth_parse_challenges(h->value, h->value_len, cs,
					  AUTH_MAX_CHALLENGES, &n);
	else if (http_header_is(h, "Proxy-Authorization") ||
		 http_header_is(h, "Authorization")) {
		e = auth_parse_credentials(h->value, h->value_len, &cs[0]);
		if (e == HTTP_E_AUTH_MISSING)
			return; /* an empty value: nothing to shorten */
		n = 1;
	} else {
		e = auth_parse_params(h->value, h->value_len, &cs[0]);
		n = 1;
	}
	if (e == HTTP_OK) {
		for (size_t i = 0; i < n; i++)
			line_challenge(l, &cs[i], i > 0);
		return;
	}
	span = auth_scheme_span(h->value, h->value_len);
	if (span > 0) {
		dot_put(l->t, h->value, span);
		dot_put(l->t, " ", 1);
	}
	dot_lit(l->t, DOT_ELLIPSIS);
}

/* Add "\n" and the shortened auth fields of message m to t. */
static void dot_auth_lines(struct dot_text *t, const struct lab_view *v,
			   const struct lab_msg *m)
{
	struct http_request req;
	struct http_response resp;
	const struct http_header *hs;
	size_t nh, i, k, shown = 0;
	enum http_err e;

	if (m->is_request) {
		if (http_parse_request(m->bytes.data, m->bytes.len, &req, &e) <=
		    0)
			return;
		hs = req.headers;
		nh = req.num_headers;
	} else {
		if (http_parse_response(m->bytes.data, m->bytes.len, &resp,
					&e) <= 0)
			return;
		hs = resp.headers;
		nh = resp.num_headers;
	}
	for (i = 0; i < nh; i++) {
		char buf[DOT_MAX_AUTH_LINE + 4];
		struct dot_text lt = {buf, 0, DOT_MAX_AUTH_LINE + 1};
		struct dot_line l = {&lt, v, true, false};

		for (k = 0;
		     k < sizeof(dot_auth_fields) / sizeof(dot_auth_fields[0]);
		     k++)
			if (http_header_is(&hs[i], dot_auth_fields[k]))
				break;
		if (k == sizeof(dot_auth_fields) / sizeof(dot_auth_fields[0]))
			continue;
		dot_lit(t, "\n");
		if (shown++ == DOT_MAX_AUTH_LINES) {
			dot_lit(t, DOT_ELLIPSIS);
			return;
		}
		buf[0] = '\0';
		dot_put(&lt, hs[i].name, hs[i].name_len);
		dot_put(&lt, ": ", 2);
		line_value(&l, &hs[i]);
		/* a line that filled its buffer ends in "…" */
		if (lt.len >= DOT_MAX_AUTH_LINE) {
			lt.cap = sizeof(buf);
			dot_lit(&lt, DOT_ELLIPSIS);
		}
		dot_lit(t, buf);
	}
}

/* Print s as the inside of a DOT quoted string: quotes and backslashes
 * escaped, a newline as \l (Graphviz's escString for "end this line,
 * left justified"), other control bytes dropped. */
static void dot_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			fputs("\\l", f);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

/* Build message m's label into t; returns its number of lines. */
static int dot_label(struct dot_text *t, const struct lab_view *v,
		     const struct lab_msg *m)
{
	char num[24];
	int lines = 0;
	size_t i;

	t->len = 0;
	t->s[0] = '\0';
	snprintf(num, sizeof(num), "[%d] ", m->n);
	dot_put(t, num, strlen(num));
	dot_put_stable(t, v, m->line, strlen(m->line));
	dot_auth_lines(t, v, m);
	dot_lit(t, "\n");
	/* lesson 02: the connections, opened, reused and closed */
	if (m->tcp_before[0] != '\0') {
		dot_put(t, m->tcp_before, strlen(m->tcp_before));
		dot_lit(t, "\n");
	}
	if (m->tcp_after[0] != '\0') {
		dot_put(t, m->tcp_after, strlen(m->tcp_after));
		dot_lit(t, "\n");
	}
	for (i = 0; i < t->len; i++)
		lines += t->s[i] == '\n';
	return lines;
}

static int lane(const char *who)
{
	return strcmp(who, "client") == 0  ? 0
	       : strcmp(who, "proxy") == 0 ? 1
					   : 2;
}

/* The diagram's title into t: "lab407: METHOD URL". */
static void dot_title(struct dot_text *t, const struct lab_view *v)
{
	dot_put(t, "lab407: ", 8);
	dot_put(t, v->method, strlen(v->method));
	dot_put(t, " ", 1);
	if (v->url[0] != '\0')
		dot_put_stable(t, v, v->url, strlen(v->url));
	else
		dot_put(t, "(no exchange)", 13);
}

/* The graph's attributes, the title, and the three column heads; rows
 * are far enough apart for a label of `lines` lines. */
static void dot_head(FILE *f, const char *title, int lines)
{
	static const char *const names[] = {"client", "proxy", "origin"};
	int k;

	fprintf(f, "digraph lab407 {\n\tlabel=\"");
	dot_escape(f, title);
	fprintf(f,
		"\\n(proxy.lab, origin.lab: 127.0.0.1:PORT of the lab's "
		"proxy and origin)\";\n"
		"\tlabelloc=t;\n\tnodesep=2.5;\n\tranksep=%.2f;\n"
		"\tnode [shape=point, width=0.05];\n"
		"\tedge [fontname=\"Helvetica\", fontsize=10];\n",
		0.3 + 0.16 * lines);
	fprintf(f, "\t{ rank=same;");
	for (k = 0; k < 3; k++)
		fprintf(f, " h%d [shape=box, width=1, group=%c, label=\"%s\"];",
			k, "cpo"[k], names[k]);
	/* keep the columns in this order */
	fprintf(f, " h0 -> h1 -> h2 [style=invis]; }\n");
}

/* Rows 0..rows of three points, and the dashed lifelines through them;
 * group= and a heavy weight keep each lifeline straight. */
static void dot_lifelines(FILE *f, size_t rows)
{
	size_t i;
	int k;

	for (i = 0; i <= rows; i++) {
		fprintf(f,
			"\t{ rank=same; c%zu [group=c]; p%zu [group=p]; "
			"o%zu [group=o]; }\n",
			i, i, i);
		for (k = 0; k < 3; k++) {
			const char *pre = k == 0 ? "c" : k == 1 ? "p" : "o";
			if (i == 0)
				fprintf(f,
					"\th%d -> %s0 [style=dashed, "
					"arrowhead=none, weight=100];\n",
					k, pre);
			else
				fprintf(f,
					"\t%s%zu -> %s%zu [style=dashed, "
					"arrowhead=none, weight=100];\n",
					pre, i - 1, pre, i);
		}
	}
}

/* Message m as the arrow across row `row`, labelled through t. */
static void dot_arrow(FILE *f, struct dot_text *t, const struct lab_view *v,
		      const struct lab_msg *m, size_t row)
{
	static const char pre[] = "cpo";

	dot_label(t, v, m);
	fprintf(f, "\t%c%zu -> %c%zu [constraint=false, label=\"",
		pre[lane(lab_leg_from(m->leg))], row,
		pre[lane(lab_leg_to(m->leg))], row);
	dot_escape(f, t->s);
	fprintf(f, "\", color=\"%s\"];\n",
		m->is_request	   ? "black"
		: m->status >= 400 ? "red"
				   : "darkgreen");
}

/* Lesson 07: after a 2xx to CONNECT, a byte pipe the proxy cannot read;
 * one last row, `row`, says so. */
static void dot_tunnel_row(FILE *f, size_t row)
{
	fprintf(f,
		"\tc%zu -> p%zu [constraint=false, dir=both, "
		"style=dotted, label=\"tunnel: opaque bytes (TLS)\\l"
		"the proxy copies them, cannot read them\\l\", "
		"color=\"gray40\"];\n"
		"\tp%zu -> o%zu [constraint=false, dir=both, "
		"style=dotted, color=\"gray40\"];\n",
		row, row, row, row);
}

/*
 * A sequence diagram: one column per party, one row per message.  Each
 * row is three invisible points at the same rank; dashed edges join a
 * column's points into a lifeline, and the message is an arrow across,
 * labelled with its first line and its authentication fields.
 */
static void write_dot(FILE *f, const struct lab_view *v)
{
	char label[DOT_MAX_LABEL];
	struct dot_text t = {label, 0, sizeof(label)};
	size_t i, n = v->num_msgs;
	int lines = 1;
	bool tunnel = v->tunnel && v->tunnel_up && v->done;

	label[0] = '\0';
	dot_title(&t, v);
	/* rows far enough apart for the tallest label */
	for (i = 0; i < n; i++) {
		struct dot_text lt = {label + t.len + 1, 0,
				      sizeof(label) - t.len - 1};
		int l = dot_label(&lt, v, &v->msgs[i]);
		lines = l > lines ? l : lines;
	}
	dot_head(f, label, lines);
	dot_lifelines(f, n + (tunnel ? 1 : 0));
	for (i = 0; i < n; i++)
		dot_arrow(f, &t, v, &v->msgs[i], i + 1);
	if (tunnel)
		dot_tunnel_row(f, n + 1);
	fprintf(f, "}\n");
}

static FILE *open_out(struct repl *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		repl_error(r, "cannot write %s: %s", path, strerror(errno));
	return f;
}

/* `dot FILE` */
enum repl_rc export_dot(struct repl *r, int argc, char **argv)
{
	struct lab_view v;
	FILE *f;

	(void)argc;
	lab_view(r->lab, &v);
	if (v.num_msgs == 0) {
		repl_error(r,
			   "no messages yet: step through an exchange first");
		return REPL_FAIL;
	}
	f = open_out(r, argv[1]);
	if (f == NULL)
		return REPL_FAIL;
	write_dot(f, &v);
	if (fclose(f) != 0) {
		repl_error(r, "cannot write %s", argv[1]);
		return REPL_FAIL;
	}
	fprintf(r->out,
		"wrote %s: render it with dot -Tsvg %s -o exchange.svg\n",
		argv[1], argv[1]);
	return REPL_OK;
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
	f = open_out(r, argv[1]);
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
 * for a plain-HTTP leg (the daemons of make lab-up are), Negotiate aside:
 * it has no Kerberos ticket.
 */
static enum auth_scheme strongest(const struct lab_server *s)
{
	enum auth_scheme best = AUTH_SCHEME_NONE;
	size_t i;

	for (i = 0; i < s->num_schemes; i++)
		if (s->schemes[i] != AUTH_SCHEME_NEGOTIATE &&
		    answer_rank(s->schemes[i], false) >
			answer_rank(best, false))
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

/* A server's Digest options for bin/proxy or bin/origin, when they are
 * not the defaults (SHA-256,MD5 and qop auth). */
static void server_args(FILE *f, const char *var, const struct lab_server *s)
{
	bool algs = !(s->num_algs == 2 && s->algs[0] == DIGEST_SHA256 &&
		      s->algs[1] == DIGEST_MD5);
	bool qop = s->qops != DIGEST_QOP_AUTH;
	size_t i;

	if (!algs && !qop)
		return;
	fprintf(f, " %s='", var);
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

	(void)argc;
	(void)argv;
	lab_view(r->lab, &lv);
	ps = strongest(&v->server[LAB_PROXY]);
	os = strongest(&v->server[LAB_ORIGIN]);
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
		snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", pp);
	if (v->tunnel)
		/* curl -p: CONNECT host:port first, the request inside */
		snprintf(given, sizeof(given), "%s", v->client_url);
	else if (v->url[0] != '\0')
		snprintf(given, sizeof(given), "%s", v->url);
	else
		snprintf(given, sizeof(given), "http://127.0.0.1:%u/private",
			 v->port[LAB_ORIGIN]);
	swap_port(given, v->port[LAB_ORIGIN], op, url, sizeof(url));
	{
		/* an external proxy still needs an origin that answers by
		 * itself: make lab-up's, at LAB_ORIGIN_PORT */
		fprintf(f,
			"# in a shell, from the lab407 directory: the same "
			"set-up as daemons%s\n",
			v->external ? " (only its origin is used: the proxy "
				      "is the external one)"
				    : "");
		fprintf(f, "make lab-up LAB_PROXY_AUTH=");
		scheme_words(f, &v->server[LAB_PROXY]);
		fprintf(f, " LAB_ORIGIN_AUTH=");
		scheme_words(f, &v->server[LAB_ORIGIN]);
		server_args(f, "LAB_PROXY_ARGS", &v->server[LAB_PROXY]);
		server_args(f, "LAB_ORIGIN_ARGS", &v->server[LAB_ORIGIN]);
		if (pp != LAB_UP_PROXY_PORT || op != LAB_UP_ORIGIN_PORT)
			fprintf(f, " LAB_PROXY_PORT=%u LAB_ORIGIN_PORT=%u", pp,
				op);
		fputc('\n', f);
	}
	fprintf(f, "curl -v%s --proxy %s", v->tunnel ? " --proxytunnel" : "",
		proxy);
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

/*
 * repl/export_dot.c - `dot FILE`: the exchange as a Graphviz sequence
 * diagram, one arrow a message, labelled with its first line and its
 * authentication fields read with http/auth.c.
 */
#include "export_dot.h"
#include "export.h"
#include "repl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../http/auth.h"
#include "../http/message.h"

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
	/* (the lab's own sentences, whole: dot_put() would make the § of
	 * their RFC sections '?') */
	if (m->tcp_before[0] != '\0') {
		dot_lit(t, m->tcp_before);
		dot_lit(t, "\n");
	}
	if (m->tcp_after[0] != '\0') {
		dot_lit(t, m->tcp_after);
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
	f = export_open(r, argv[1]);
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

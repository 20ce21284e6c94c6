/*
 * repl/export.c - the exchange for other tools: `dot FILE` (a Graphviz
 * sequence diagram), `save FILE` (a Markdown transcript) and `curl` (the
 * same request from a real client).
 */
#define _GNU_SOURCE /* explicit_bzero */

#include "repl.h"

#include <errno.h>
#include <string.h>

#define EXPORT_MAX_SAVED 8192 /* bytes of one message in a transcript */

/* ---- Graphviz ---- */

/* Print s as the inside of a DOT quoted string. */
static void dot_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

static int lane(const char *who)
{
	return strcmp(who, "client") == 0  ? 0
	       : strcmp(who, "proxy") == 0 ? 1
					   : 2;
}

/*
 * A sequence diagram: one column per party, one row per message.  Each
 * row is three invisible points at the same rank; dashed edges join a
 * column's points into a lifeline, and the message is an arrow across.
 */
static void write_dot(FILE *f, const struct lab *lab)
{
	static const char *const names[] = {"client", "proxy", "origin"};
	size_t i, n = lab->num_msgs;
	int k;

	fprintf(f,
		"digraph lab407 {\n"
		"\tlabel=\"lab407: %s %s\";\n"
		"\tlabelloc=t;\n\tnodesep=2.5;\n\tranksep=0.45;\n"
		"\tnode [shape=point, width=0.05];\n"
		"\tedge [fontname=\"Helvetica\", fontsize=10];\n",
		lab->method, lab->url[0] ? lab->url : "(no exchange)");
	fprintf(f, "\t{ rank=same;");
	for (k = 0; k < 3; k++)
		fprintf(f, " h%d [shape=box, width=1, label=\"%s\"];", k,
			names[k]);
	fprintf(f, " }\n");
	for (i = 0; i <= n; i++) {
		fprintf(f, "\t{ rank=same; c%zu; p%zu; o%zu; }\n", i, i, i);
		for (k = 0; k < 3; k++) {
			const char *pre = k == 0 ? "c" : k == 1 ? "p" : "o";
			if (i == 0)
				fprintf(f,
					"\th%d -> %s0 [style=dashed, "
					"arrowhead=none];\n",
					k, pre);
			else
				fprintf(f,
					"\t%s%zu -> %s%zu [style=dashed, "
					"arrowhead=none];\n",
					pre, i - 1, pre, i);
		}
	}
	for (i = 0; i < n; i++) {
		const struct lab_msg *m = &lab->msgs[i];
		static const char pre[] = "cpo";
		fprintf(f, "\t%c%zu -> %c%zu [constraint=false, label=\"[%d] ",
			pre[lane(lab_leg_from(m->leg))], i + 1,
			pre[lane(lab_leg_to(m->leg))], i + 1, m->n);
		dot_escape(f, m->line);
		fprintf(f, "\", color=\"%s\"];\n",
			m->is_request	   ? "black"
			: m->status >= 400 ? "red"
					   : "darkgreen");
	}
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
	FILE *f;

	(void)argc;
	if (r->lab->num_msgs == 0) {
		repl_error(r,
			   "no messages yet: step through an exchange first");
		return REPL_FAIL;
	}
	f = open_out(r, argv[1]);
	if (f == NULL)
		return REPL_FAIL;
	write_dot(f, r->lab);
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
	const struct lab *lab = r->lab;
	FILE *f;
	size_t i;

	(void)argc;
	f = open_out(r, argv[1]);
	if (f == NULL)
		return REPL_FAIL;
	fprintf(f, "# lab407 exchange: %s %s\n\n", lab->method, lab->url);
	fprintf(f,
		"Proxy 127.0.0.1:%u, origin 127.0.0.1:%u.  Each message is "
		"shown as it crossed the loopback socket.\n",
		lab->port[LAB_PROXY], lab->port[LAB_ORIGIN]);
	for (i = 0; i < lab->num_msgs; i++) {
		const struct lab_msg *m = &lab->msgs[i];
		size_t n = m->bytes.len > EXPORT_MAX_SAVED ? EXPORT_MAX_SAVED
							   : m->bytes.len;
		size_t j;
		fprintf(f, "\n## [%d] %s -> %s: `%s`\n\n", m->n,
			lab_leg_from(m->leg), lab_leg_to(m->leg), m->line);
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
	}
	if (lab->done)
		fprintf(f, "\n**Result:** %d from the %s.\n", lab->final_status,
			lab_party_name(lab->final_who));
	if (fclose(f) != 0) {
		repl_error(r, "cannot write %s", argv[1]);
		return REPL_FAIL;
	}
	fprintf(r->out, "wrote %s (%zu messages)\n", argv[1], lab->num_msgs);
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

static enum auth_scheme strongest(const struct lab_server *s)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < s->num_schemes; i++)
		bits |= s->schemes[i];
	return bits & AUTH_SCHEME_BEARER   ? AUTH_SCHEME_BEARER
	       : bits & AUTH_SCHEME_DIGEST ? AUTH_SCHEME_DIGEST
	       : bits & AUTH_SCHEME_BASIC  ? AUTH_SCHEME_BASIC
					   : AUTH_SCHEME_NONE;
}

/* Lesson 10: the same exchange as a curl command line. */
/* `curl`: the same request, made by curl through the lab's proxy. */
enum repl_rc export_curl(struct repl *r, int argc, char **argv)
{
	const struct lab *lab = r->lab;
	char proxy[300], url[LAB_MAX_URL], up[2 * LAB_MAX_CRED + 2];
	enum auth_scheme ps = strongest(&lab->server[LAB_PROXY]);
	enum auth_scheme os = strongest(&lab->server[LAB_ORIGIN]);
	FILE *f = r->out;

	(void)argc;
	(void)argv;
	if (lab->external)
		snprintf(proxy, sizeof(proxy), "http://%s:%u", lab->ext_host,
			 lab->ext_port);
	else
		snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u",
			 lab->port[LAB_PROXY]);
	if (lab->url[0] != '\0')
		snprintf(url, sizeof(url), "%s", lab->url);
	else
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/private",
			 lab->port[LAB_ORIGIN]);
	fprintf(f, "curl -v --proxy %s", proxy);
	if (lab->creds[LAB_PROXY].set && ps != AUTH_SCHEME_NONE) {
		if (ps == AUTH_SCHEME_BEARER) {
			fprintf(f, " --proxy-header ");
			snprintf(up, sizeof(up),
				 "Proxy-Authorization: Bearer %s-token",
				 lab->creds[LAB_PROXY].user);
			shell_word(f, up);
		} else {
			snprintf(up, sizeof(up), "%s:%s",
				 lab->creds[LAB_PROXY].user,
				 lab->creds[LAB_PROXY].pass);
			fprintf(f, " --proxy-user ");
			shell_word(f, up);
			fprintf(f, ps == AUTH_SCHEME_DIGEST ? " --proxy-digest"
							    : " --proxy-basic");
		}
	}
	if (lab->creds[LAB_ORIGIN].set && os != AUTH_SCHEME_NONE) {
		if (os == AUTH_SCHEME_BEARER) {
			snprintf(up, sizeof(up), "%s-token",
				 lab->creds[LAB_ORIGIN].user);
			fprintf(f, " --oauth2-bearer ");
			shell_word(f, up);
		} else {
			snprintf(up, sizeof(up), "%s:%s",
				 lab->creds[LAB_ORIGIN].user,
				 lab->creds[LAB_ORIGIN].pass);
			fprintf(f, " --user ");
			shell_word(f, up);
			fprintf(f, os == AUTH_SCHEME_DIGEST ? " --digest"
							    : " --basic");
		}
	}
	if (lab->method[0] != '\0' && strcmp(lab->method, "GET") != 0) {
		fprintf(f, " -X ");
		shell_word(f, lab->method);
	}
	if (lab->body != NULL) {
		fprintf(f, " --data-raw ");
		shell_word(f, lab->body);
	}
	fputc(' ', f);
	shell_word(f, url);
	fputc('\n', f);
	explicit_bzero(up, sizeof(up));
	return REPL_OK;
}

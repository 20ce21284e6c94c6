/*
 * proxy/acl_load.c - the access list read from its file (lesson 05).
 *
 * The format is in proxy/acl.h and docs/acl.md.  Parsing is line by line
 * (http/confline.c) into a table of fixed-size rules; proxy/acl.c matches
 * requests against the table.
 */
#define _POSIX_C_SOURCE 200809L

#include "acl_load.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http/confline.h"

#define ACL_MAX_WORDS 16 /* words on one line: "allow user u method m ..." */

/* ---- Loading ---- */

/* Fill a with the default lab ACL (README.md): deny mallory, allow all. */
void acl_default(struct acl *a)
{
	memset(a, 0, sizeof(*a));
	a->v[0].allow = false;
	snprintf(a->v[0].user, sizeof(a->v[0].user), "mallory");
	a->v[1].allow = true;
	a->n = 2;
}

/*
 * Split line[0..n) (modified in place: NULs after words) into at most
 * ACL_MAX_WORDS words; a '#' ends the line.  Returns the word count, or
 * -1 when there are too many words.
 */
static int split_words(char *line, size_t n, char **words)
{
	int count = 0;
	size_t i = 0;

	while (i < n) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == n || line[i] == '#')
			break;
		if (count == ACL_MAX_WORDS)
			return -1;
		words[count++] = &line[i];
		while (i < n && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '#')
			i++;
		if (i < n && line[i] == '#') {
			line[i] = '\0';
			break;
		}
		if (i < n)
			line[i++] = '\0';
	}
	return count;
}

/* A user name: printable ASCII without spaces, ':' or '#'. */
static bool valid_user(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

/*
 * A host name: letters, digits, '-', '.', '_' (a leading '.' for a
 * domain).  Addresses are recognised before this (acl_net_parse).
 */
static bool valid_host(const char *s)
{
	const char *p = s;

	if (*p == '.')
		p++;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return false;
	}
	return true;
}

/* ---- Conditions: each reads its value into the rule ---- */

/* user NAME, or user * for any authenticated user. */
static const char *read_user(const char *val, struct acl_rule *r)
{
	if (strcmp(val, "*") == 0) {
		r->any_user = true;
		return NULL;
	}
	if (!valid_user(val) || strlen(val) >= sizeof(r->user))
		return "bad user name";
	snprintf(r->user, sizeof(r->user), "%s", val);
	return NULL;
}

/* method TOKEN (RFC 9110 §9.1: a method is a token). */
static const char *read_method(const char *val, struct acl_rule *r)
{
	if (!http_is_token(val, strlen(val)) ||
	    strlen(val) >= sizeof(r->method))
		return "bad method (must be a token such as GET)";
	snprintf(r->method, sizeof(r->method), "%s", val);
	return NULL;
}

/* host ADDR/BITS, an address, or a name (".domain" for a domain). */
static const char *read_host(const char *val, struct acl_rule *r)
{
	if (strchr(val, '/') != NULL) {
		if (!acl_net_parse(val, &r->net))
			return "bad host address block (want ADDR/BITS "
			       "with the bits past BITS zero, as 10.0.0.0/8)";
		r->host_net = true;
		return NULL;
	}
	if (acl_net_parse(val, &r->net)) {
		r->host_net = true;
		return NULL;
	}
	if (!valid_host(val) || strlen(val) >= sizeof(r->host))
		return "bad host (want a name, an address or ADDR/BITS)";
	if (!acl_host_normalise(val, r->host, sizeof(r->host)))
		return "bad host name";
	return NULL;
}

/* port P, 1..65535. */
static const char *read_port(const char *val, struct acl_rule *r)
{
	r->port = acl_port_parse(val);
	return r->port == 0 ? "bad port (must be 1..65535)" : NULL;
}

/* The conditions a rule may hold, each at most once. */
static const struct {
	const char *key;
	const char *twice; /* the reason when it is given again */
	const char *(*read)(const char *val, struct acl_rule *r);
} conditions[] = {
    {"user", "`user` given twice", read_user},
    {"method", "`method` given twice", read_method},
    {"host", "`host` given twice", read_host},
    {"port", "`port` given twice", read_port},
};
#define ACL_NUM_CONDITIONS (sizeof(conditions) / sizeof(conditions[0]))

/* ---- Rules ---- */

/* The first word: allow or deny. */
static const char *read_verb(const char *w, struct acl_rule *r)
{
	if (strcmp(w, "allow") == 0)
		r->allow = true;
	else if (strcmp(w, "deny") == 0)
		r->allow = false;
	else
		return "a rule starts with `allow` or `deny`";
	return NULL;
}

/* The condition `key` names, or -1. */
static int find_condition(const char *key)
{
	for (size_t i = 0; i < ACL_NUM_CONDITIONS; i++)
		if (strcmp(key, conditions[i].key) == 0)
			return (int)i;
	return -1;
}

/*
 * Parse one line's words into *r: a verb, then `all` alone or KEY VALUE
 * pairs.  Returns NULL on success, or the reason the line is wrong
 * (static storage).
 */
static const char *parse_rule(char **w, int nw, struct acl_rule *r)
{
	bool seen[ACL_NUM_CONDITIONS] = {false};
	const char *why;
	int i, k;

	memset(r, 0, sizeof(*r));
	why = read_verb(w[0], r);
	if (why != NULL)
		return why;
	if (nw == 1)
		return "nothing to match: add conditions or `all`";
	if (strcmp(w[1], "all") == 0)
		return nw == 2 ? NULL : "`all` must be alone after allow/deny";
	for (i = 1; i < nw; i += 2) {
		if (strcmp(w[i], "all") == 0)
			return "`all` must be alone after allow/deny";
		k = find_condition(w[i]);
		if (k < 0)
			return "unknown condition (expected user, method, "
			       "host or port)";
		if (i + 1 == nw)
			return "a condition needs a value";
		if (seen[k])
			return conditions[k].twice;
		seen[k] = true;
		why = conditions[k].read(w[i + 1], r);
		if (why != NULL)
			return why;
	}
	return NULL;
}

/*
 * Parse an ACL text; see acl.h for the format.  Works on a copy of each
 * line, so text need not be NUL-terminated.
 */
enum http_err acl_parse(const char *text, size_t len, const char *name,
			struct acl *a, char *err, size_t err_cap)
{
	struct acl *tmp;
	char line[ACL_MAX_LINE + 1];
	char *words[ACL_MAX_WORDS];
	struct confline_reader rd;
	struct confline l;

	if (err_cap > 0)
		err[0] = '\0';
	if (len > ACL_MAX_FILE)
		return confline_error(err, err_cap, name, 0,
				      "file too large (over %u bytes)",
				      ACL_MAX_FILE);
	tmp = calloc(1, sizeof(*tmp));
	if (tmp == NULL)
		return HTTP_E_NOMEM;

	confline_start(&rd, text, len);
	while (confline_next(&rd, &l)) {
		size_t n = l.len;
		unsigned lineno = l.no;
		const char *why;
		int nw;

		if (n > ACL_MAX_LINE) {
			free(tmp);
			return confline_error(err, err_cap, name, lineno,
					      "line too long (over %d bytes)",
					      ACL_MAX_LINE);
		}
		memcpy(line, l.s, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) != NULL) {
			free(tmp);
			return confline_error(err, err_cap, name, lineno,
					      "NUL byte in the line");
		}
		nw = split_words(line, n, words);
		if (nw == 0)
			continue;
		if (nw < 0) {
			free(tmp);
			return confline_error(err, err_cap, name, lineno,
					      "too many words");
		}
		if (tmp->n == ACL_MAX_RULES) {
			free(tmp);
			return confline_error(err, err_cap, name, lineno,
					      "too many rules (at most %d)",
					      ACL_MAX_RULES);
		}
		why = parse_rule(words, nw, &tmp->v[tmp->n]);
		if (why != NULL) {
			free(tmp);
			return confline_error(err, err_cap, name, lineno, "%s",
					      why);
		}
		tmp->v[tmp->n].line = lineno;
		tmp->n++;
	}
	memcpy(a, tmp, sizeof(*a));
	free(tmp);
	return HTTP_OK;
}

/* acl_parse() as http/confline.h's reader of a whole text. */
static enum http_err parse_text(const char *text, size_t len, const char *name,
				void *a, char *err, size_t err_cap)
{
	return acl_parse(text, len, name, a, err, err_cap);
}

/* Read the whole file (at most ACL_MAX_FILE bytes) and parse it. */
enum http_err acl_load(const char *path, struct acl *a, char *err,
		       size_t err_cap)
{
	return confline_load(path, ACL_MAX_FILE, parse_text, a, err, err_cap);
}

/*
 * proxy/acl.c - the proxy's access list: "may you?" (lesson 05).
 *
 * The file format and the matching rules are in proxy/acl.h and
 * docs/acl.md.  Parsing is line by line into a table of fixed-size
 * rules; matching walks the table and the first rule that matches wins;
 * no match is a refusal (default deny, as Squid's http_access).
 */
#define _POSIX_C_SOURCE 200809L

#include "acl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACL_MAX_WORDS 16  /* words on one line: "allow user u method m ..." */

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

/* Set errbuf to "NAME:LINE: reason". */
static enum http_err line_error(char *errbuf, size_t errcap, const char *name,
				unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static enum http_err line_error(char *errbuf, size_t errcap, const char *name,
				unsigned line, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (errcap == 0)
		return HTTP_E_FILE_LINE;
	w = snprintf(errbuf, errcap, "%s:%u: ", name, line);
	if (w >= 0 && (size_t)w < errcap) {
		va_start(ap, fmt);
		vsnprintf(errbuf + w, errcap - (size_t)w, fmt, ap);
		va_end(ap);
	}
	return HTTP_E_FILE_LINE;
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

/* A host: letters, digits, '-', '.', '_' (a leading '.' for a domain). */
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
		      c == '_' || c == ':'))
			return false;
	}
	return true;
}

/* Port 1..65535 in decimal; 0 when s is not one. */
static unsigned parse_port(const char *s)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return (i == 0 || v > 65535) ? 0 : (unsigned)v;
}

/*
 * Parse one line's words into *r.  Returns NULL on success, or the reason
 * the line is wrong (static storage).
 */
static const char *parse_rule(char **w, int nw, struct acl_rule *r)
{
	bool seen_user = false, seen_method = false, seen_host = false,
	     seen_port = false;
	int i;

	memset(r, 0, sizeof(*r));
	if (strcmp(w[0], "allow") == 0)
		r->allow = true;
	else if (strcmp(w[0], "deny") == 0)
		r->allow = false;
	else
		return "a rule starts with `allow` or `deny`";
	if (nw == 1)
		return "nothing to match: add conditions or `all`";
	if (strcmp(w[1], "all") == 0)
		return nw == 2 ? NULL : "`all` must be alone after allow/deny";

	for (i = 1; i < nw; i += 2) {
		const char *key = w[i];
		const char *val = i + 1 < nw ? w[i + 1] : NULL;

		if (strcmp(key, "all") == 0)
			return "`all` must be alone after allow/deny";
		if (strcmp(key, "user") != 0 && strcmp(key, "method") != 0 &&
		    strcmp(key, "host") != 0 && strcmp(key, "port") != 0)
			return "unknown condition (expected user, method, "
			       "host or port)";
		if (val == NULL)
			return "a condition needs a value";
		if (strcmp(key, "user") == 0) {
			if (seen_user)
				return "`user` given twice";
			seen_user = true;
			if (strcmp(val, "*") == 0) {
				r->any_user = true;
				continue;
			}
			if (!valid_user(val) || strlen(val) >= sizeof(r->user))
				return "bad user name";
			snprintf(r->user, sizeof(r->user), "%s", val);
		} else if (strcmp(key, "method") == 0) {
			if (seen_method)
				return "`method` given twice";
			seen_method = true;
			if (!http_is_token(val, strlen(val)) ||
			    strlen(val) >= sizeof(r->method))
				return "bad method (must be a token such as GET)";
			snprintf(r->method, sizeof(r->method), "%s", val);
		} else if (strcmp(key, "host") == 0) {
			if (seen_host)
				return "`host` given twice";
			seen_host = true;
			if (!valid_host(val) || strlen(val) >= sizeof(r->host))
				return "bad host name";
			snprintf(r->host, sizeof(r->host), "%s", val);
		} else {
			if (seen_port)
				return "`port` given twice";
			seen_port = true;
			r->port = parse_port(val);
			if (r->port == 0)
				return "bad port (must be 1..65535)";
		}
	}
	return NULL;
}

/*
 * Parse an ACL text; see acl.h for the format.  Works on a copy of each
 * line, so text need not be NUL-terminated.
 */
enum http_err acl_parse(const char *text, size_t len, const char *name,
			struct acl *a, char *errbuf, size_t errcap)
{
	struct acl *tmp;
	char line[ACL_MAX_LINE + 1];
	char *words[ACL_MAX_WORDS];
	unsigned lineno = 0;
	size_t pos = 0;

	if (errcap > 0)
		errbuf[0] = '\0';
	if (len > ACL_MAX_FILE)
		return line_error(errbuf, errcap, name, 0,
				  "file too large (over %u bytes)",
				  ACL_MAX_FILE);
	tmp = calloc(1, sizeof(*tmp));
	if (tmp == NULL)
		return HTTP_E_NOMEM;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		const char *why;
		int nw;

		lineno++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		if (n > ACL_MAX_LINE) {
			free(tmp);
			return line_error(errbuf, errcap, name, lineno,
					  "line too long (over %d bytes)",
					  ACL_MAX_LINE);
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = nl ? end + 1 : len;
		if (memchr(line, '\0', n) != NULL) {
			free(tmp);
			return line_error(errbuf, errcap, name, lineno,
					  "NUL byte in the line");
		}
		nw = split_words(line, n, words);
		if (nw == 0)
			continue;
		if (nw < 0) {
			free(tmp);
			return line_error(errbuf, errcap, name, lineno,
					  "too many words");
		}
		if (tmp->n == ACL_MAX_RULES) {
			free(tmp);
			return line_error(errbuf, errcap, name, lineno,
					  "too many rules (at most %d)",
					  ACL_MAX_RULES);
		}
		why = parse_rule(words, nw, &tmp->v[tmp->n]);
		if (why != NULL) {
			free(tmp);
			return line_error(errbuf, errcap, name, lineno, "%s",
					  why);
		}
		tmp->v[tmp->n].line = lineno;
		tmp->n++;
	}
	memcpy(a, tmp, sizeof(*a));
	free(tmp);
	return HTTP_OK;
}

/* Read the whole file (at most ACL_MAX_FILE bytes) and parse it. */
enum http_err acl_load(const char *path, struct acl *a, char *errbuf,
		       size_t errcap)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	enum http_err e;

	if (f == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return HTTP_E_FILE_OPEN;
	}
	text = malloc(ACL_MAX_FILE + 1);
	if (text == NULL) {
		fclose(f);
		return HTTP_E_NOMEM;
	}
	n = fread(text, 1, ACL_MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(errbuf, errcap, "%s: read error", path);
		fclose(f);
		free(text);
		return HTTP_E_FILE_OPEN;
	}
	fclose(f);
	e = acl_parse(text, n, path, a, errbuf, errcap);
	free(text);
	return e;
}

/* ---- Matching ---- */

/* Host h matches pattern p: equal, or p = ".dom" and h is dom or *.dom. */
static bool host_matches(const char *p, const char *h)
{
	size_t pl = strlen(p), hl = strlen(h);

	if (p[0] != '.')
		return strcasecmp(p, h) == 0;
	if (strcasecmp(p + 1, h) == 0)
		return true;
	return hl > pl && strcasecmp(h + hl - pl, p) == 0;
}

/* Every condition of rule holds for r. */
static bool rule_matches(const struct acl_rule *rule,
			 const struct acl_request *r)
{
	const char *user = r->user ? r->user : ACL_NO_USER;

	if (rule->any_user && (user[0] == '\0' ||
			       strcmp(user, ACL_NO_USER) == 0))
		return false;
	if (rule->user[0] != '\0' && strcmp(rule->user, user) != 0)
		return false;
	if (rule->method[0] != '\0' &&
	    (r->method == NULL || strcmp(rule->method, r->method) != 0))
		return false;
	if (rule->host[0] != '\0' &&
	    (r->host == NULL || !host_matches(rule->host, r->host)))
		return false;
	if (rule->port != 0 && rule->port != r->port)
		return false;
	return true;
}

/* Lesson 05: authorisation, after authentication. */
/* First matching rule, NULL for none (default deny). */
const struct acl_rule *acl_match(const struct acl *a,
				 const struct acl_request *r)
{
	for (size_t i = 0; i < a->n; i++)
		if (rule_matches(&a->v[i], r))
			return &a->v[i];
	return NULL;
}

/* The first matching rule allows; no match denies. */
bool acl_allows(const struct acl *a, const struct acl_request *r)
{
	const struct acl_rule *rule = acl_match(a, r);

	return rule != NULL && rule->allow;
}

/* "deny user mallory (line 3)", "allow all (default lab ACL)". */
void acl_describe(const struct acl_rule *rule, char *out, size_t cap)
{
	size_t used;
	int w;

	if (cap == 0)
		return;
	if (rule == NULL) {
		snprintf(out, cap, "no rule matched (default deny)");
		return;
	}
	w = snprintf(out, cap, "%s", rule->allow ? "allow" : "deny");
	used = w > 0 ? (size_t)w : 0;
	if (used < cap && rule->any_user)
		used += (size_t)snprintf(out + used, cap - used, " user *");
	if (used < cap && rule->user[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " user %s",
					 rule->user);
	if (used < cap && rule->method[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " method %s",
					 rule->method);
	if (used < cap && rule->host[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " host %s",
					 rule->host);
	if (used < cap && rule->port != 0)
		used += (size_t)snprintf(out + used, cap - used, " port %u",
					 rule->port);
	if (used < cap && !rule->any_user && rule->user[0] == '\0' &&
	    rule->method[0] == '\0' && rule->host[0] == '\0' &&
	    rule->port == 0)
		used += (size_t)snprintf(out + used, cap - used, " all");
	if (used < cap) {
		if (rule->line > 0)
			snprintf(out + used, cap - used, " (line %u)",
				 rule->line);
		else
			snprintf(out + used, cap - used, " (default lab ACL)");
	}
}

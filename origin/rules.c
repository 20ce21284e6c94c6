/*
 * origin/rules.c - the origin's authorisation rules: path prefix -> who.
 *
 * The file format and the matching rule are documented in origin/rules.h
 * and docs/rules.md.  This file never prints: a bad line comes back as
 * HTTP_E_FILE_LINE with "FILE:LINE: reason" in the caller's buffer, and
 * bin/origin refuses to start with that message.
 */
#define _POSIX_C_SOURCE 200809L

#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/confline.h"
#include "../http/path.h"

/* ---- Defaults ---- */

/* The default lab as a constant table, shared by every caller. */
static const struct rules default_rules = {
    .v =
	{
	    {.path = "/", .access = RULES_PUBLIC},
	    {.path = "/private", .access = RULES_ANY},
	    {.path = "/admin",
	     .access = RULES_USERS,
	     .names = {"alice"},
	     .num_names = 1},
	},
    .n = 3,
};

/* The default rules, shared and read-only. */
const struct rules *rules_default(void)
{
	return &default_rules;
}

/*
 * The default lab (README.md): "/" public, "/private" any authenticated
 * user, "/admin" alice only; a copy the caller may change.
 */
void rules_defaults(struct rules *r)
{
	*r = default_rules;
}

/* ---- Parsing ---- */

/* One line being parsed: a cursor over line[0..len). */
struct cursor {
	const char *s;
	size_t len;
	size_t pos;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word (run of non-blanks) into *w and *wlen; false at the end. */
static bool next_word(struct cursor *c, const char **w, size_t *wlen)
{
	size_t start;

	while (c->pos < c->len && is_blank(c->s[c->pos]))
		c->pos++;
	if (c->pos == c->len)
		return false;
	start = c->pos;
	while (c->pos < c->len && !is_blank(c->s[c->pos]))
		c->pos++;
	*w = c->s + start;
	*wlen = c->pos - start;
	return true;
}

/* True when w[0..n) equals the C string s exactly. */
static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

/* A byte allowed in a path or a name: visible ASCII (no controls, no
 * spaces, no DEL, no 8-bit bytes). */
static bool is_visible(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * Parse the names after `user` ("alice,bob") into e.  Returns NULL on
 * success, else a reason (static string) for the error line.
 */
static const char *parse_names(const char *w, size_t n, struct rules_entry *e)
{
	size_t i = 0;

	while (i <= n) {
		size_t start = i, len;

		while (i < n && w[i] != ',')
			i++;
		len = i - start;
		if (len == 0)
			return "empty name in the user list";
		if (e->num_names == RULES_MAX_NAMES)
			return "too many names after 'user'";
		if (len >= RULES_MAX_NAME)
			return "name too long";
		for (size_t k = start; k < i; k++)
			if (!is_visible((unsigned char)w[k]) || w[k] == ':')
				return "a name may not contain ':' or "
				       "control characters";
		memcpy(e->names[e->num_names], w + start, len);
		e->names[e->num_names][len] = '\0';
		e->num_names++;
		i++; /* past the comma, or past the end */
	}
	return NULL;
}

/*
 * Parse one line (comment already cut off) into e.  Returns NULL and sets
 * *empty for a blank line, NULL for a rule, or a reason for an error.
 */
static const char *parse_line(const char *line, size_t len,
			      struct rules_entry *e, bool *empty)
{
	struct cursor c = {line, len, 0};
	const char *w;
	size_t wn;

	*empty = false;
	memset(e, 0, sizeof(*e));
	if (!next_word(&c, &w, &wn)) {
		*empty = true;
		return NULL;
	}
	if (w[0] != '/')
		return "the path must start with '/'";
	if (wn >= RULES_MAX_PATH)
		return "path too long";
	for (size_t k = 0; k < wn; k++)
		if (!is_visible((unsigned char)w[k]) || w[k] == '?')
			return "the path may not contain '?' or "
			       "control characters";
	/* A request is matched in its normal form (http/path.c), so a rule
	 * written in any other form could never match: say so. */
	{
		char norm[RULES_MAX_PATH];
		size_t nl;

		if (path_normalize(w, wn, norm, sizeof(norm), &nl) != HTTP_OK)
			return "the origin refuses this path with 400 "
			       "(%2F, %00, '\\', ';', a bad '%' or '..' "
			       "above /: docs/rules.md)";
		if (nl != wn || memcmp(norm, w, wn) != 0)
			return "the path is not in normal form (no '//', "
			       "'.' or '..' segments, no encoded letter, digit "
			       "or -._~, upper-case hex: docs/rules.md)";
	}
	/* "/docs/" would cover nothing below it (see rules_match); say so. */
	if (wn > 1 && w[wn - 1] == '/')
		return "only / may end with '/' (write /docs to cover "
		       "/docs and everything below it)";
	memcpy(e->path, w, wn);
	e->path[wn] = '\0';

	if (!next_word(&c, &w, &wn))
		return "missing access after the path "
		       "(public, any or user NAME[,NAME..])";
	if (word_is(w, wn, "public")) {
		e->access = RULES_PUBLIC;
	} else if (word_is(w, wn, "any")) {
		e->access = RULES_ANY;
	} else if (word_is(w, wn, "user")) {
		const char *why;

		e->access = RULES_USERS;
		if (!next_word(&c, &w, &wn))
			return "'user' needs at least one name";
		why = parse_names(w, wn, e);
		if (why != NULL)
			return why;
	} else {
		return "unknown access (want public, any or user "
		       "NAME[,NAME..])";
	}
	if (next_word(&c, &w, &wn))
		return "unexpected words at the end of the line";
	return NULL;
}

/*
 * Parse a whole rules text.  Lines end with LF (a CR before it is
 * ignored).  The first bad line stops the parse; r is written only when
 * every line is good.
 */
enum http_err rules_parse(const char *text, size_t len, const char *name,
			  struct rules *r, char *err, size_t err_cap)
{
	struct confline_reader rd;
	struct confline l;

	r->n = 0;
	if (err_cap > 0)
		err[0] = '\0';
	confline_start(&rd, text, len);
	while (confline_next(&rd, &l)) {
		const char *line = l.s, *hash;
		size_t llen = l.len;
		const char *why = NULL;
		bool empty;
		struct rules_entry e;

		if (llen >= RULES_MAX_LINE) {
			why = "line too long";
		} else {
			hash = memchr(line, '#', llen);
			if (hash != NULL)
				llen = (size_t)(hash - line);
			if (memchr(line, '\0', llen) != NULL)
				why = "NUL byte in the line";
			else
				why = parse_line(line, llen, &e, &empty);
		}
		if (why == NULL && !empty) {
			for (size_t k = 0; k < r->n && why == NULL; k++)
				if (strcmp(r->v[k].path, e.path) == 0)
					why = "a second rule for the same path";
			if (why == NULL && r->n == RULES_MAX)
				why = "too many rules";
		}
		if (why != NULL) {
			r->n = 0;
			return confline_error(err, err_cap, name, l.no, "%s",
					      why);
		}
		if (!empty) {
			e.line = l.no;
			r->v[r->n++] = e;
		}
	}
	return HTTP_OK;
}

/* rules_parse() as http/confline.h's reader of a whole text. */
static enum http_err parse_text(const char *text, size_t len, const char *name,
				void *r, char *err, size_t err_cap)
{
	return rules_parse(text, len, name, r, err, err_cap);
}

/*
 * Read the file at `path` (at most RULES_MAX_FILE bytes) and parse it.
 * A file with no rules at all is allowed: every path is then 404.
 */
enum http_err rules_load(const char *path, struct rules *r, char *err,
			 size_t err_cap)
{
	r->n = 0;
	return confline_load(path, RULES_MAX_FILE, parse_text, r, err, err_cap);
}

/* ---- Matching ---- */

/*
 * Longest PATH-PREFIX that covers the path: equal to it, or followed in
 * the path by '/'; the rule "/" covers only "/" itself.  The query is not
 * part of the path (RFC 3986 §3.4).  The path is expected in its normal
 * form (http/path.c): origin_decide() passes nothing else.
 */
const struct rules_entry *rules_match(const struct rules *r, const char *path,
				      size_t len)
{
	const struct rules_entry *best = NULL;
	const char *q = memchr(path, '?', len);
	size_t best_len = 0;

	if (q != NULL)
		len = (size_t)(q - path);
	for (size_t i = 0; i < r->n; i++) {
		const struct rules_entry *e = &r->v[i];
		size_t pl = strlen(e->path);

		if (pl > len || memcmp(path, e->path, pl) != 0)
			continue;
		/* "/" followed by '/' would be "//...": "/" covers only "/". */
		if (pl < len && (path[pl] != '/' || pl == 1))
			continue;
		if (best == NULL || pl > best_len) {
			best = e;
			best_len = pl;
		}
	}
	return best;
}

/* Whether `user` ("" for nobody) may read what e covers. */
bool rules_allows(const struct rules_entry *e, const char *user)
{
	switch (e->access) {
	case RULES_PUBLIC:
		return true;
	case RULES_ANY:
		return user[0] != '\0';
	case RULES_USERS:
		if (user[0] == '\0')
			return false;
		for (size_t i = 0; i < e->num_names; i++)
			if (strcmp(e->names[i], user) == 0)
				return true;
		return false;
	}
	return false;
}

/* The keyword of an access kind, as written in a rules file. */
const char *rules_access_name(enum rules_access a)
{
	switch (a) {
	case RULES_PUBLIC:
		return "public";
	case RULES_ANY:
		return "any";
	case RULES_USERS:
		return "user";
	}
	return "?";
}

/* "anyone", "any authenticated user", "alice only", "alice or bob". */
void rules_describe(const struct rules_entry *e, char *out, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (e->access == RULES_PUBLIC) {
		snprintf(out, cap, "anyone");
		return;
	}
	if (e->access == RULES_ANY) {
		snprintf(out, cap, "any authenticated user");
		return;
	}
	for (size_t i = 0; i < e->num_names && used < cap; i++) {
		const char *sep = i == 0		  ? ""
				  : i + 1 == e->num_names ? " or "
							  : ", ";
		int w =
		    snprintf(out + used, cap - used, "%s%s", sep, e->names[i]);

		if (w < 0)
			return;
		used += (size_t)w;
	}
	if (e->num_names == 1 && used < cap)
		snprintf(out + used, cap - used, " only");
}

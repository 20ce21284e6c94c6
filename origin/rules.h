/*
 * origin/rules.h - who may read which path on the origin ("may you?").
 *
 * Authentication ("who are you?") is http/guard.c; these rules only say,
 * for an already known user (or none), whether a path may be read.  A
 * refusal here is 403 without a challenge (RFC 9110 §15.5.4), lesson 05.
 *
 * The default lab (README.md):
 *
 *   /         public
 *   /private  any
 *   /admin    user alice
 *
 * A rules file (`bin/origin --rules FILE`, docs/rules.md) replaces them.
 * One rule a line:
 *
 *   PATH-PREFIX public              anyone, no credentials needed
 *   PATH-PREFIX any                 any authenticated user
 *   PATH-PREFIX user NAME[,NAME..]  only these users
 *
 * Words are separated by spaces or tabs; `#` starts a comment (to the end
 * of the line); blank lines are ignored.  PATH-PREFIX starts with '/'.
 *
 * Matching is done on the path in its normal form (http/path.c: "//a",
 * "/./a", "/x/../a" and "/%61" are all "/a"), and PATH-PREFIX must be
 * written in that form.  A rule covers a path when the path (without its
 * ?query) equals PATH-PREFIX, or begins with PATH-PREFIX followed by '/'.  So
 * "/admin" covers "/admin" and "/admin/logs" but not "/administrator",
 * and "/" covers only "/" itself.  Only "/" may end with '/'.  When
 * several rules cover a path the longest PATH-PREFIX wins.  A path no
 * rule covers does not exist: 404.  Two rules for one path are an error.
 *
 * A bad line is reported as "FILE:LINE: reason" and nothing is loaded.
 */
#ifndef LAB407_ORIGIN_RULES_H
#define LAB407_ORIGIN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/error.h"

#define RULES_MAX 64		  /* rules in one file */
#define RULES_MAX_PATH 256	  /* bytes of one PATH-PREFIX, incl. NUL */
#define RULES_MAX_NAMES 16	  /* names after `user` */
#define RULES_MAX_NAME 64	  /* bytes of one name, incl. NUL */
#define RULES_MAX_LINE 1024	  /* bytes of one line */
#define RULES_MAX_FILE (1u << 20) /* bytes of a whole rules file */

enum rules_access {
	RULES_PUBLIC, /* anyone, credentials optional */
	RULES_ANY,    /* any authenticated user */
	RULES_USERS   /* only the listed users */
};

struct rules_entry {
	char path[RULES_MAX_PATH]; /* PATH-PREFIX */
	enum rules_access access;
	char names[RULES_MAX_NAMES][RULES_MAX_NAME]; /* RULES_USERS only */
	size_t num_names;
	unsigned line; /* 0 for the defaults */
};

struct rules {
	struct rules_entry v[RULES_MAX];
	size_t n;
};

/* ---- Loading ---- */

/* Fill r with the default lab rules (/, /private, /admin). */
void rules_defaults(struct rules *r);
/* The same default rules, as one shared read-only table (static storage). */
const struct rules *rules_default(void);
/*
 * Parse rules from text[0..len) (the contents of a file called `name`,
 * used in messages).  On a bad line: HTTP_E_FILE_LINE with errbuf set to
 * "NAME:LINE: reason", and r left empty.  r is filled only on success.
 */
enum http_err rules_parse(const char *text, size_t len, const char *name,
			  struct rules *r, char *err, size_t err_cap);
/*
 * Read and parse a rules file.  HTTP_E_FILE_OPEN ("FILE: strerror") when
 * it cannot be read; otherwise as rules_parse().
 */
enum http_err rules_load(const char *path, struct rules *r, char *err,
			 size_t err_cap);

/* ---- Matching ---- */

/*
 * The rule covering path[0..len) (a query after '?' is ignored), longest
 * PATH-PREFIX first; NULL when none does (404).  Points into r.
 */
const struct rules_entry *rules_match(const struct rules *r, const char *path,
				      size_t len);
/* True when `user` (may be "" for nobody) may read what rule e covers. */
bool rules_allows(const struct rules_entry *e, const char *user);
/* "public", "any" or "user". */
const char *rules_access_name(enum rules_access a);
/*
 * Describe who may read e, for bodies and why lines: "anyone",
 * "any authenticated user", "alice only", "alice or bob".
 */
void rules_describe(const struct rules_entry *e, char *out, size_t cap);

#endif

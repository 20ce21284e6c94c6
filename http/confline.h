/*
 * http/confline.h - the config-line reader every lab407 file goes
 * through: users and tokens files (http/users.c), the proxy's ACL
 * (proxy/acl.c) and the origin's rules (origin/rules.c).
 *
 * A whole file is read into memory, bounded; its lines are handed out one
 * at a time without their LF (nor a CR before it); a bad line is reported
 * as "FILE:LINE: reason".  What a line may hold (its length, control
 * characters, where a comment starts) is each format's own rule.
 */
#ifndef LAB407_HTTP_CONFLINE_H
#define LAB407_HTTP_CONFLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* One line of a file. */
struct confline {
	const char *s; /* not NUL-terminated; no CR/LF */
	size_t len;
	unsigned no; /* 1-based */
};

/* A position in a file's text. */
struct confline_reader {
	const char *text;
	size_t len;
	size_t pos;
	unsigned no; /* lines handed out so far */
};

/* Start at the first line of text[0..len). */
void confline_start(struct confline_reader *r, const char *text, size_t len);
/* The next line; false after the last one (a final LF ends the last
 * line, it does not start an empty one). */
bool confline_next(struct confline_reader *r, struct confline *l);
/* True when the line is only spaces and tabs, or its first other
 * character is '#'. */
bool confline_blank(const struct confline *l);
/*
 * Write "PATH:LINE: reason" into errbuf (line 0: "PATH: reason"; errbuf
 * NULL or errcap 0: nothing).  Returns HTTP_E_FILE_LINE, for
 * `return confline_error(...)`.
 */
enum http_err confline_error(char *err, size_t err_cap, const char *path,
			     unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * Read the whole file at path, at most max bytes, into *text (malloc'd,
 * NUL-terminated after *len bytes; the caller wipes it if it held
 * secrets, and frees it).  HTTP_E_FILE_OPEN with "PATH: reason" in
 * errbuf when it cannot be opened or read or is over max; HTTP_E_NOMEM.
 * Whatever was read is wiped on failure.
 */
enum http_err confline_read_file(const char *path, size_t max, char **text,
				 size_t *len, char *err, size_t err_cap);

/* A format's reader of a whole text (acl_parse, rules_parse): text[0..len)
 * from the file called name, into dst. */
typedef enum http_err (*confline_parse_fn)(const char *text, size_t len,
					   const char *name, void *dst,
					   char *err, size_t err_cap);
/*
 * Read the file at path (at most max bytes, confline_read_file) and hand
 * its text to parse with dst; the text is wiped and freed after.  What
 * either step returns, with its sentence in err.
 */
enum http_err confline_load(const char *path, size_t max,
			    confline_parse_fn parse, void *dst, char *err,
			    size_t err_cap);

#endif

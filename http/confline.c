/*
 * http/confline.c - the config-line reader (see confline.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "confline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* ---- Lines ---- */

void confline_start(struct confline_reader *r, const char *text, size_t len)
{
	r->text = text;
	r->len = len;
	r->pos = 0;
	r->no = 0;
}

bool confline_next(struct confline_reader *r, struct confline *l)
{
	const char *nl;
	size_t end;

	if (r->pos >= r->len)
		return false;
	nl = memchr(r->text + r->pos, '\n', r->len - r->pos);
	end = nl != NULL ? (size_t)(nl - r->text) : r->len;
	l->s = r->text + r->pos;
	l->len = end - r->pos;
	l->no = ++r->no;
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--;
	r->pos = nl != NULL ? end + 1 : r->len;
	return true;
}

bool confline_blank(const struct confline *l)
{
	size_t i = 0;

	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return i == l->len || l->s[i] == '#';
}

/* ---- Errors ---- */

enum http_err confline_error(char *err, size_t err_cap, const char *path,
			     unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || err_cap == 0)
		return HTTP_E_FILE_LINE;
	if (line > 0)
		n = snprintf(err, err_cap, "%s:%u: ", path, line);
	else
		n = snprintf(err, err_cap, "%s: ", path);
	if (n < 0 || (size_t)n >= err_cap)
		return HTTP_E_FILE_LINE;
	va_start(ap, fmt);
	vsnprintf(err + n, err_cap - (size_t)n, fmt, ap);
	va_end(ap);
	return HTTP_E_FILE_LINE;
}

/* ---- Files ---- */

enum http_err confline_read_file(const char *path, size_t max, char **text,
				 size_t *len, char *err, size_t err_cap)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*text = NULL;
	*len = 0;
	if (f == NULL) {
		confline_error(err, err_cap, path, 0, "cannot open: %s",
			       strerror(errno));
		return HTTP_E_FILE_OPEN;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		confline_error(err, err_cap, path, 0, "out of memory");
		return HTTP_E_NOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		if (ferror(f))
			confline_error(err, err_cap, path, 0, "cannot read");
		else
			confline_error(err, err_cap, path, 0,
				       "file too large (over %zu bytes)", max);
		fclose(f);
		OPENSSL_cleanse(buf, n);
		free(buf);
		return HTTP_E_FILE_OPEN;
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return HTTP_OK;
}

enum http_err confline_load(const char *path, size_t max,
			    confline_parse_fn parse, void *dst, char *err,
			    size_t err_cap)
{
	char *text;
	size_t len;
	enum http_err e;

	e = confline_read_file(path, max, &text, &len, err, err_cap);
	if (e != HTTP_OK)
		return e;
	e = parse(text, len, path, dst, err, err_cap);
	OPENSSL_cleanse(text, len);
	free(text);
	return e;
}

/*
 * http/users_load.c - credential stores read from files: a users file
 * (plain `user:password`, Apache htpasswd or htdigest, one kind per file)
 * and a Bearer tokens file (`token user`).  Lines are read by
 * http/confline.c, hashes recognised by http/htpasswd.c; the store itself
 * is http/users.c.
 */
#define _GNU_SOURCE

#include "users_load.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "basic.h"
#include "bearer.h"
#include "confline.h"
#include "htpasswd.h"

/* ---- Reading files (http/confline.c) ---- */

typedef enum http_err (*line_fn)(const struct confline *l, struct users *u,
				 const char *path, char *err, size_t err_cap);

/*
 * Hand each non-blank, non-comment line of buf to fn.  A line with a
 * control character (other than a final CR) or longer than
 * USERS_MAX_LINE fails the whole file.  Only a line that starts with
 * '#' is a comment: a password may hold one.
 */
static enum http_err for_each_line(const char *buf, size_t len, line_fn fn,
				   struct users *u, const char *path, char *err,
				   size_t err_cap)
{
	struct confline_reader r;
	struct confline l;
	enum http_err e;

	confline_start(&r, buf, len);
	while (confline_next(&r, &l)) {
		if (l.len > USERS_MAX_LINE)
			return confline_error(err, err_cap, path, l.no,
					      "line longer than %d bytes",
					      USERS_MAX_LINE);
		for (size_t i = 0; i < l.len; i++) {
			unsigned char c = (unsigned char)l.s[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return confline_error(
				    err, err_cap, path, l.no,
				    "control character in line");
		}
		if (confline_blank(&l))
			continue;
		e = fn(&l, u, path, err, err_cap);
		if (e != HTTP_OK)
			return e;
	}
	return HTTP_OK;
}

/* ---- Recognising hashes ---- */

/* True when s[0..n) is 32 or 64 hex digits (an MD5 or SHA-256 HA1). */
static bool is_ha1(const char *s, size_t n)
{
	size_t i;

	if (n != 32 && n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- Parsing user files ---- */

/* One users-file line taken apart by line_classify(). */
struct line_fields {
	enum users_kind kind;
	const char *realm; /* htdigest only, else NULL */
	size_t realm_len;
	const char *secret; /* password, hash or HA1 */
	size_t slen;
};

static const char *kind_name(enum users_kind kind)
{
	return kind == USERS_HTDIGEST	? "htdigest"
	       : kind == USERS_HTPASSWD ? "htpasswd"
					: "plain";
}

/*
 * The kind of a line from what follows "user:" (rest[0..rlen)), decided
 * from its shape:
 *   user:realm:HA1   with 32 or 64 hex digits       -> htdigest
 *   user:HASH        $2y$ $2b$ $5$ $6$ {SHA} $apr1$  -> htpasswd
 *   user:password                                    -> plain
 * An unknown hash or a crypt cost out of bounds is an error.
 */
static enum http_err line_classify(const struct confline *l, const char *rest,
				   size_t rlen, struct line_fields *f,
				   const char *path, char *err, size_t err_cap)
{
	const char *last = memchr(rest, ':', rlen);
	enum htpasswd_kind hk = htpasswd_kind(rest, rlen);
	char why[96];

	memset(f, 0, sizeof(*f));
	if (last != NULL &&
	    is_ha1(last + 1, rlen - (size_t)(last - rest) - 1) &&
	    memchr(last + 1, ':', rlen - (size_t)(last - rest) - 1) == NULL) {
		f->kind = USERS_HTDIGEST;
		f->realm = rest;
		f->realm_len = (size_t)(last - rest);
		f->secret = last + 1;
		f->slen = rlen - f->realm_len - 1;
		return HTTP_OK;
	}
	if (hk == HTPASSWD_UNKNOWN) {
		const char *id_end = memchr(rest + 1, '$', rlen - 1);

		confline_error(err, err_cap, path, l->no,
			       "unsupported hash '%.*s' (use bcrypt $2y$, $5$, "
			       "$6$, {SHA} or $apr1$)",
			       (int)(id_end - rest + 1), rest);
		return HTTP_E_FILE_LINE;
	}
	if (hk == HTPASSWD_CRYPT &&
	    !htpasswd_cost_ok(rest, rlen, why, sizeof(why))) {
		confline_error(err, err_cap, path, l->no, "%s", why);
		return HTTP_E_FILE_LINE;
	}
	f->kind = hk == HTPASSWD_NONE ? USERS_PLAIN : USERS_HTPASSWD;
	f->secret = rest;
	f->slen = rlen;
	return HTTP_OK;
}

/* An htpasswd hash tried once now, so a broken one fails at load time
 * and not at a user's first request. */
static bool hash_works(const char *secret, size_t slen)
{
	char probe[USERS_MAX_SECRET + 1];
	char setting[USERS_MAX_SECRET + 1];

	snprintf(setting, sizeof(setting), "%.*s", (int)slen, secret);
	if (!htpasswd_hash("probe", 5, setting, probe, sizeof(probe)))
		return false;
	/* Same algorithm, salt and cost give a hash of the same length: a
	 * longer or shorter one can never match. */
	return strlen(probe) == slen;
}

/* True when u already holds user[0..ulen) (in f's realm, for htdigest). */
static bool already_there(const struct users *u, const char *user, size_t ulen,
			  const struct line_fields *f)
{
	for (size_t i = 0; i < u->n; i++) {
		if (strlen(u->v[i].user) != ulen ||
		    memcmp(u->v[i].user, user, ulen) != 0)
			continue;
		if (f->realm != NULL &&
		    (strlen(u->v[i].realm) != f->realm_len ||
		     memcmp(u->v[i].realm, f->realm, f->realm_len) != 0))
			continue;
		return true;
	}
	return false;
}

/*
 * One line of a users file.  The kind of each line is decided from its
 * shape (line_classify()); the first entry sets the file's kind, and a
 * line of another kind is an error (a file is one format, never a mix).
 */
static enum http_err users_line(const struct confline *l, struct users *u,
				const char *path, char *err, size_t err_cap)
{
	const char *colon = memchr(l->s, ':', l->len);
	struct line_fields f;
	size_t ulen;
	enum http_err e;

	if (colon == NULL) {
		confline_error(err, err_cap, path, l->no,
			       "expected user:password, found no ':'");
		return HTTP_E_FILE_LINE;
	}
	ulen = (size_t)(colon - l->s);
	if (ulen == 0) {
		confline_error(err, err_cap, path, l->no, "empty user name");
		return HTTP_E_FILE_LINE;
	}
	if (ulen > BASIC_MAX_USER) {
		confline_error(err, err_cap, path, l->no, "user name too long");
		return HTTP_E_FILE_LINE;
	}
	e = line_classify(l, colon + 1, l->len - ulen - 1, &f, path, err,
			  err_cap);
	if (e != HTTP_OK)
		return e;
	if (u->n > 0 && f.kind != u->kind) {
		confline_error(err, err_cap, path, l->no,
			       "this line is %s but the file began as %s",
			       kind_name(f.kind), kind_name(u->kind));
		return HTTP_E_FILE_LINE;
	}
	if (f.slen == 0 || f.slen > USERS_MAX_SECRET) {
		confline_error(err, err_cap, path, l->no, "%s password",
			       f.slen == 0 ? "empty" : "too long a");
		return HTTP_E_FILE_LINE;
	}
	if (f.kind == USERS_HTPASSWD && !hash_works(f.secret, f.slen)) {
		confline_error(err, err_cap, path, l->no,
			       "malformed password hash");
		return HTTP_E_FILE_LINE;
	}
	if (already_there(u, l->s, ulen, &f)) {
		confline_error(err, err_cap, path, l->no,
			       "user '%.*s' appears twice", (int)ulen, l->s);
		return HTTP_E_FILE_LINE;
	}
	u->kind = f.kind;
	e = users_add_entry(u, l->s, ulen, f.secret, f.slen, f.realm,
			    f.realm_len);
	if (e == HTTP_OK && f.kind == USERS_HTDIGEST) {
		/* Store HA1 lowercase: digest_hash_hex writes lowercase. */
		char *s = u->v[u->n - 1].secret;

		for (; *s != '\0'; s++)
			*s = (char)tolower((unsigned char)*s);
	}
	if (e == HTTP_E_CONFIG)
		confline_error(err, err_cap, path, l->no, "more than %d users",
			       USERS_MAX);
	return e == HTTP_E_CONFIG ? HTTP_E_FILE_LINE : e;
}

/*
 * Load a users file into *u (not yet initialised; free with users_free).
 * Blank lines and lines starting with '#' are skipped.  On any error *u
 * is left empty, errbuf says "FILE:LINE: reason", and the return is
 * HTTP_E_FILE_OPEN (cannot read) or HTTP_E_FILE_LINE (bad content).
 */
enum http_err users_load(const char *path, struct users *u, char *err,
			 size_t err_cap)
{
	char *buf = NULL;
	size_t len = 0;
	enum http_err e;

	memset(u, 0, sizeof(*u));
	if (err != NULL && err_cap > 0)
		err[0] = '\0';
	e = confline_read_file(path, USERS_FILE_MAX, &buf, &len, err, err_cap);
	if (e != HTTP_OK)
		return e;
	e = for_each_line(buf, len, users_line, u, path, err, err_cap);
	if (e == HTTP_OK && u->n == 0) {
		confline_error(err, err_cap, path, 0, "no users in file");
		e = HTTP_E_FILE_LINE;
	}
	if (e == HTTP_OK)
		e = users_make_dummy(u);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (e != HTTP_OK)
		users_free(u);
	return e;
}

/* ---- Parsing token files ---- */

/* One "token user" line: two fields separated by spaces or tabs. */
static enum http_err token_line(const struct confline *l, struct users *u,
				const char *path, char *err, size_t err_cap)
{
	size_t i = 0, ts, te, us, ue;
	enum http_err e;

	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	ts = i;
	while (i < l->len && l->s[i] != ' ' && l->s[i] != '\t')
		i++;
	te = i;
	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	us = i;
	while (i < l->len && l->s[i] != ' ' && l->s[i] != '\t')
		i++;
	ue = i;
	while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	if (ue == us || i != l->len) {
		confline_error(err, err_cap, path, l->no,
			       "expected 'token user'");
		return HTTP_E_FILE_LINE;
	}
	if (te - ts > BEARER_MAX_TOKEN ||
	    !bearer_is_b64token(l->s + ts, te - ts)) {
		confline_error(err, err_cap, path, l->no,
			       "token is not a b64token (RFC 6750 §2.1)");
		return HTTP_E_FILE_LINE;
	}
	if (ue - us > BASIC_MAX_USER) {
		confline_error(err, err_cap, path, l->no, "user name too long");
		return HTTP_E_FILE_LINE;
	}
	for (i = 0; i < u->ntokens; i++)
		if (strlen(u->tokens[i]) == te - ts &&
		    memcmp(u->tokens[i], l->s + ts, te - ts) == 0) {
			confline_error(err, err_cap, path, l->no,
				       "token appears twice");
			return HTTP_E_FILE_LINE;
		}
	e = users_add_token(u, l->s + ts, te - ts, l->s + us, ue - us);
	if (e == HTTP_E_CONFIG)
		confline_error(err, err_cap, path, l->no, "more than %d tokens",
			       USERS_MAX);
	return e == HTTP_E_CONFIG ? HTTP_E_FILE_LINE : e;
}

/*
 * Load Bearer tokens, lines "token user", into an initialised *u.  The
 * file's tokens replace the ones *u had (the defaults, say); the users
 * are untouched.  On error *u has no tokens and errbuf says why.
 */
enum http_err users_load_tokens(const char *path, struct users *u, char *err,
				size_t err_cap)
{
	char *buf = NULL;
	size_t len = 0;
	enum http_err e;

	if (err != NULL && err_cap > 0)
		err[0] = '\0';
	users_free_tokens(u);
	e = confline_read_file(path, USERS_FILE_MAX, &buf, &len, err, err_cap);
	if (e != HTTP_OK)
		return e;
	e = for_each_line(buf, len, token_line, u, path, err, err_cap);
	if (e == HTTP_OK && u->ntokens == 0) {
		confline_error(err, err_cap, path, 0, "no tokens in file");
		e = HTTP_E_FILE_LINE;
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (e != HTTP_OK)
		users_free_tokens(u);
	return e;
}

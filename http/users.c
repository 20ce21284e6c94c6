/*
 * http/users.c - credential stores.
 *
 * Four sources, one struct: the compiled-in lab identities, a plain lab
 * file (`user:password`), an Apache htpasswd file (one-way hashes: bcrypt,
 * SHA-crypt, {SHA}, $apr1$) and an Apache htdigest file (`user:realm:HA1`).
 * Bearer tokens ride alongside (`token user` lines).
 *
 * What a store can serve follows from what it holds (lesson 04): Basic
 * needs something to check a password against, so plain and htpasswd
 * work; Digest needs HA1 = H(user:realm:password), so plain and htdigest
 * work, and an htpasswd hash cannot give it.
 *
 * Every comparison of a secret runs in constant time, and every copy of a
 * password is wiped with OPENSSL_cleanse before it is freed.
 */
#define _GNU_SOURCE

#include "users.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "base64.h"
#include "basic.h"
#include "bearer.h"

#define USERS_FILE_MAX ((size_t)USERS_MAX * USERS_MAX_LINE) /* bytes */
#define USERS_MAX_SECRET 512  /* longest password or hash we keep */
#define APR1_MAGIC "$apr1$"
#define APR1_SALT_MAX 8
#define APR1_HASH_LEN 37      /* "$apr1$" + 8 salt + "$" + 22 */

/* ---- The lab defaults ---- */

/* The default lab (README.md): mallory exists only for the proxy, whose
 * ACL then refuses her (403). */
static const struct {
	const char *user;
	const char *pass;
	bool proxy_only;
} lab_users[] = {
	{"alice", "wonderland", false},
	{"bob", "builder", false},
	{"mallory", "letmein", true},
};

#define NUM_LAB_USERS (sizeof(lab_users) / sizeof(lab_users[0]))

/* ---- Building the store ---- */

static enum http_err make_dummy(struct users *u);

/* Wipe and free one owned string. */
static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* A NUL-terminated copy of s[0..n), or NULL. */
static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Append an entry; takes copies.  realm may be NULL. */
static enum http_err add_entry(struct users *u, const char *user, size_t ulen,
			       const char *secret, size_t slen,
			       const char *realm, size_t rlen)
{
	struct users_entry *v, *e;

	if (u->n >= USERS_MAX)
		return HTTP_E_CONFIG;
	v = realloc(u->v, (u->n + 1) * sizeof(*v));
	if (v == NULL)
		return HTTP_E_NOMEM;
	u->v = v;
	e = &v[u->n];
	e->user = dup_n(user, ulen);
	e->secret = dup_n(secret, slen);
	e->realm = realm != NULL ? dup_n(realm, rlen) : NULL;
	if (e->user == NULL || e->secret == NULL ||
	    (realm != NULL && e->realm == NULL)) {
		free(e->user);
		free_secret(e->secret);
		free(e->realm);
		return HTTP_E_NOMEM;
	}
	u->n++;
	return HTTP_OK;
}

/* Append a Bearer token for user; takes copies. */
static enum http_err add_token(struct users *u, const char *tok, size_t tlen,
			       const char *user, size_t ulen)
{
	if (u->ntokens >= USERS_MAX)
		return HTTP_E_CONFIG;
	u->tokens[u->ntokens] = dup_n(tok, tlen);
	u->token_user[u->ntokens] = dup_n(user, ulen);
	if (u->tokens[u->ntokens] == NULL ||
	    u->token_user[u->ntokens] == NULL) {
		free_secret(u->tokens[u->ntokens]);
		free(u->token_user[u->ntokens]);
		return HTTP_E_NOMEM;
	}
	u->ntokens++;
	return HTTP_OK;
}

/* Wipe and free every token. */
static void free_tokens(struct users *u)
{
	size_t i;

	for (i = 0; i < u->ntokens; i++) {
		free_secret(u->tokens[i]);
		free(u->token_user[i]);
		u->tokens[i] = NULL;
		u->token_user[i] = NULL;
	}
	u->ntokens = 0;
}

/* Free everything the store owns, wiping secrets; *u is empty after. */
void users_free(struct users *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].user);
		free_secret(u->v[i].secret);
		free(u->v[i].realm);
	}
	free(u->v);
	free_tokens(u);
	free_secret(u->dummy);
	memset(u, 0, sizeof(*u));
}

/*
 * Fill *u (not yet initialised) with the lab identities of one side and
 * a token "<user>-token" each.  Free with users_free().
 */
enum http_err users_defaults(struct users *u, enum users_side side)
{
	enum http_err e = HTTP_OK;
	char tok[64];
	size_t i;
	int n;

	memset(u, 0, sizeof(*u));
	u->kind = USERS_PLAIN;
	for (i = 0; i < NUM_LAB_USERS && e == HTTP_OK; i++) {
		const char *name = lab_users[i].user;

		if (lab_users[i].proxy_only && side != USERS_SIDE_PROXY)
			continue;
		e = add_entry(u, name, strlen(name), lab_users[i].pass,
			      strlen(lab_users[i].pass), NULL, 0);
		n = snprintf(tok, sizeof(tok), "%s-token", name);
		if (e == HTTP_OK && (n < 0 || (size_t)n >= sizeof(tok)))
			e = HTTP_E_NOSPACE;
		if (e == HTTP_OK)
			e = add_token(u, tok, (size_t)n, name, strlen(name));
	}
	if (e == HTTP_OK)
		e = make_dummy(u);
	if (e != HTTP_OK)
		users_free(u);
	return e;
}

/*
 * Replace (or add) one plain user.  Only a plain store can take a
 * password (HTTP_E_CONFIG otherwise); the rules of RFC 7617 §2 apply.
 */
enum http_err users_set(struct users *u, const char *user, const char *pass)
{
	size_t i, ulen = strlen(user), plen = strlen(pass);
	char *p;

	if (u->kind != USERS_PLAIN)
		return HTTP_E_CONFIG;
	if (ulen == 0 || memchr(user, ':', ulen) != NULL)
		return HTTP_E_BASIC_USER_COLON;
	for (i = 0; i < ulen; i++)
		if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
			return HTTP_E_BASIC_CTL;
	for (i = 0; i < plen; i++)
		if ((unsigned char)pass[i] < 0x20 || pass[i] == 0x7f)
			return HTTP_E_BASIC_CTL;
	if (ulen > BASIC_MAX_USER || plen > BASIC_MAX_PASS)
		return HTTP_E_BASIC_TOO_LONG;
	for (i = 0; i < u->n; i++) {
		if (strcmp(u->v[i].user, user) != 0)
			continue;
		p = dup_n(pass, plen);
		if (p == NULL)
			return HTTP_E_NOMEM;
		free_secret(u->v[i].secret);
		u->v[i].secret = p;
		return HTTP_OK;
	}
	return add_entry(u, user, ulen, pass, plen, NULL, 0);
}

/* ---- Reading files ---- */

/* Write "FILE:LINE: reason" (line 0: "FILE: reason") into errbuf. */
static void line_error(char *errbuf, size_t errcap, const char *path,
		       size_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void line_error(char *errbuf, size_t errcap, const char *path,
		       size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errbuf == NULL || errcap == 0)
		return;
	if (line > 0)
		n = snprintf(errbuf, errcap, "%s:%zu: ", path, line);
	else
		n = snprintf(errbuf, errcap, "%s: ", path);
	if (n < 0 || (size_t)n >= errcap)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errcap - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * Read a whole file (at most USERS_FILE_MAX bytes) into a malloc'd
 * buffer the caller wipes and frees.
 */
static enum http_err read_file(const char *path, char **out, size_t *len,
			       char *errbuf, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		line_error(errbuf, errcap, path, 0, "cannot open: %s",
			   strerror(errno));
		return HTTP_E_FILE_OPEN;
	}
	buf = malloc(USERS_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return HTTP_E_NOMEM;
	}
	n = fread(buf, 1, USERS_FILE_MAX + 1, f);
	if (ferror(f) || n > USERS_FILE_MAX) {
		line_error(errbuf, errcap, path, 0, "%s",
			   ferror(f) ? "cannot read" : "file too large");
		fclose(f);
		OPENSSL_cleanse(buf, n);
		free(buf);
		return HTTP_E_FILE_OPEN;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return HTTP_OK;
}

/* A line handed to a per-line parser: its bytes and number. */
struct line {
	const char *s;  /* not NUL-terminated; no CR/LF */
	size_t len;
	size_t no;      /* 1-based */
};

typedef enum http_err (*line_fn)(const struct line *l, struct users *u,
				 const char *path, char *errbuf,
				 size_t errcap);

/*
 * Split buf into lines and hand each non-blank, non-comment one to fn.
 * A line with a control character (other than a final CR) or longer than
 * USERS_MAX_LINE fails the whole file.
 */
static enum http_err for_each_line(const char *buf, size_t len, line_fn fn,
				   struct users *u, const char *path,
				   char *errbuf, size_t errcap)
{
	size_t pos = 0, no = 0, i;
	enum http_err e;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		struct line l = {buf + pos, end - pos, ++no};

		pos = end + 1;
		if (l.len > 0 && l.s[l.len - 1] == '\r')
			l.len--;
		if (l.len > USERS_MAX_LINE) {
			line_error(errbuf, errcap, path, l.no,
				   "line longer than %d bytes",
				   USERS_MAX_LINE);
			return HTTP_E_FILE_LINE;
		}
		for (i = 0; i < l.len; i++) {
			unsigned char c = (unsigned char)l.s[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				line_error(errbuf, errcap, path, l.no,
					   "control character in line");
				return HTTP_E_FILE_LINE;
			}
		}
		i = 0;
		while (i < l.len && (l.s[i] == ' ' || l.s[i] == '\t'))
			i++;
		if (i == l.len || l.s[i] == '#')
			continue;
		e = fn(&l, u, path, errbuf, errcap);
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

/* What kind of htpasswd hash a secret is. */
enum hash_kind {
	HASH_NONE,      /* not a hash: a plain password */
	HASH_CRYPT,     /* $2y$, $2b$, $2a$ (bcrypt), $5$, $6$ (SHA-crypt) */
	HASH_SHA1,      /* {SHA}base64(SHA-1(pw)) */
	HASH_APR1,      /* $apr1$: Apache's MD5 crypt */
	HASH_UNKNOWN    /* looks like $id$..., an id we do not know */
};

static enum hash_kind hash_kind_of(const char *s, size_t n)
{
	static const char *const crypt_ids[] = {"$2y$", "$2b$", "$2a$", "$5$",
						"$6$"};
	size_t i;

	for (i = 0; i < sizeof(crypt_ids) / sizeof(crypt_ids[0]); i++)
		if (n > strlen(crypt_ids[i]) &&
		    strncmp(s, crypt_ids[i], strlen(crypt_ids[i])) == 0)
			return HASH_CRYPT;
	if (n > 5 && strncmp(s, "{SHA}", 5) == 0)
		return HASH_SHA1;
	if (n > strlen(APR1_MAGIC) &&
	    strncmp(s, APR1_MAGIC, strlen(APR1_MAGIC)) == 0)
		return HASH_APR1;
	/* "$" 1*( lowercase / digit ) "$": the modular crypt format. */
	if (n > 2 && s[0] == '$') {
		for (i = 1; i < n && (islower((unsigned char)s[i]) ||
				      isdigit((unsigned char)s[i]));
		     i++)
			;
		if (i > 1 && i < n && s[i] == '$')
			return HASH_UNKNOWN;
	}
	return HASH_NONE;
}

/*
 * A crypt(3) hash whose cost a server can afford to pay on every request
 * that names its user: each check of a wrong password costs as much as a
 * right one, so an unbounded cost in a users file is a denial of service
 * that anyone who knows the user name can trigger.  The limits are
 * lab407's choice (docs/guard.md), generous next to the defaults:
 * htpasswd -B uses bcrypt cost 5, crypt(3) SHA-crypt 5000 rounds.
 * True when within them; otherwise why[cap] says which limit.
 */
static bool hash_cost_ok(const char *s, size_t n, char *why, size_t cap)
{
	unsigned long v = 0;
	size_t i;

	if (n >= 7 && s[1] == '2' && s[3] == '$') {
		/* $2y$NN$: the cost is two decimal digits, 2^NN rounds */
		if (!isdigit((unsigned char)s[4]) ||
		    !isdigit((unsigned char)s[5]) || s[6] != '$') {
			snprintf(why, cap, "bcrypt cost is not two digits");
			return false;
		}
		v = (unsigned long)(s[4] - '0') * 10 + (unsigned long)(s[5] - '0');
		if (v > USERS_MAX_BCRYPT_COST) {
			snprintf(why, cap,
				 "bcrypt cost %lu is over the limit of %u", v,
				 USERS_MAX_BCRYPT_COST);
			return false;
		}
		return true;
	}
	if (n > 10 && s[0] == '$' && (s[1] == '5' || s[1] == '6') &&
	    strncmp(s + 3, "rounds=", 7) == 0) {
		for (i = 10; i < n && isdigit((unsigned char)s[i]); i++) {
			v = v * 10 + (unsigned long)(s[i] - '0');
			if (v > USERS_MAX_SHA_ROUNDS)
				break;
		}
		if (v > USERS_MAX_SHA_ROUNDS) {
			snprintf(why, cap,
				 "SHA-crypt rounds over the limit of %u",
				 USERS_MAX_SHA_ROUNDS);
			return false;
		}
	}
	return true;
}

/* ---- Apache MD5 ($apr1$) ---- */

static const char itoa64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Append n characters of crypt's base64 for v, low bits first. */
static void to64(char *out, unsigned long v, int n)
{
	while (n-- > 0) {
		*out++ = itoa64[v & 0x3f];
		v >>= 6;
	}
}

/*
 * Apache's $apr1$: the MD5-crypt algorithm (Poul-Henning Kamp's, as in
 * FreeBSD) with the magic "$apr1$".  libcrypt does not know this prefix,
 * so it is written out here over OpenSSL's MD5.  Writes the full
 * "$apr1$salt$hash" string (NUL-terminated) into out.
 */
static bool apr1_hash(const char *pw, size_t pwlen, const char *setting,
		      char out[APR1_HASH_LEN + 1])
{
	const char *salt = setting + strlen(APR1_MAGIC);
	size_t slen = 0, i, k;
	unsigned char fin[16], alt[16];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL;
	char *p;

	while (slen < APR1_SALT_MAX && salt[slen] != '\0' && salt[slen] != '$')
		slen++;
	/* alt = MD5(pw salt pw) */
	ok = ok && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestUpdate(ctx, salt, slen) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestFinal_ex(ctx, alt, NULL);
	/* fin = MD5(pw magic salt alt-repeated bits-of-length) */
	ok = ok && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, pw, pwlen) &&
	     EVP_DigestUpdate(ctx, APR1_MAGIC, strlen(APR1_MAGIC)) &&
	     EVP_DigestUpdate(ctx, salt, slen);
	for (k = pwlen; ok && k > 0; k -= (k > 16 ? 16 : k))
		ok = EVP_DigestUpdate(ctx, alt, k > 16 ? 16 : k);
	memset(fin, 0, sizeof(fin));
	for (k = pwlen; ok && k > 0; k >>= 1)
		ok = EVP_DigestUpdate(ctx, (k & 1) ? (const void *)fin
						   : (const void *)pw, 1);
	ok = ok && EVP_DigestFinal_ex(ctx, fin, NULL);
	/* 1000 rounds to slow down guessing */
	for (i = 0; ok && i < 1000; i++) {
		ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
		     ((i & 1) ? EVP_DigestUpdate(ctx, pw, pwlen)
			      : EVP_DigestUpdate(ctx, fin, 16)) &&
		     (i % 3 == 0 || EVP_DigestUpdate(ctx, salt, slen)) &&
		     (i % 7 == 0 || EVP_DigestUpdate(ctx, pw, pwlen)) &&
		     ((i & 1) ? EVP_DigestUpdate(ctx, fin, 16)
			      : EVP_DigestUpdate(ctx, pw, pwlen)) &&
		     EVP_DigestFinal_ex(ctx, fin, NULL);
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(alt, sizeof(alt));
	if (!ok)
		return false;
	snprintf(out, APR1_HASH_LEN + 1, "%s%.*s$", APR1_MAGIC, (int)slen,
		 salt);
	p = out + strlen(out);
	to64(p, ((unsigned long)fin[0] << 16) | (fin[6] << 8) | fin[12], 4);
	to64(p + 4, ((unsigned long)fin[1] << 16) | (fin[7] << 8) | fin[13], 4);
	to64(p + 8, ((unsigned long)fin[2] << 16) | (fin[8] << 8) | fin[14], 4);
	to64(p + 12, ((unsigned long)fin[3] << 16) | (fin[9] << 8) | fin[15],
	     4);
	to64(p + 16, ((unsigned long)fin[4] << 16) | (fin[10] << 8) | fin[5],
	     4);
	to64(p + 20, fin[11], 2);
	p[22] = '\0';
	OPENSSL_cleanse(fin, sizeof(fin));
	return true;
}

/*
 * Compute the hash of pw under an htpasswd `setting` (the stored hash,
 * whose prefix names the algorithm and carries the salt) into out.
 * False when the algorithm fails or refuses the setting.
 */
static bool htpasswd_hash(const char *pw, size_t pwlen, const char *setting,
			  char *out, size_t cap)
{
	enum hash_kind k = hash_kind_of(setting, strlen(setting));
	bool ok = false;

	if (k == HASH_APR1) {
		char h[APR1_HASH_LEN + 1];

		ok = apr1_hash(pw, pwlen, setting, h) &&
		     (size_t)snprintf(out, cap, "%s", h) < cap;
		OPENSSL_cleanse(h, sizeof(h));
	} else if (k == HASH_SHA1) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		size_t n = 0;

		ok = cap > 5 && EVP_Digest(pw, pwlen, md, &mdlen, EVP_sha1(),
					   NULL) &&
		     base64_encode(md, mdlen, out + 5, cap - 5, &n) == HTTP_OK;
		if (ok)
			memcpy(out, "{SHA}", 5);
		OPENSSL_cleanse(md, sizeof(md));
	} else if (k == HASH_CRYPT) {
		/* crypt(3) wants a C string: a password with a NUL byte
		 * cannot be the one that was hashed. */
		struct crypt_data *cd = calloc(1, sizeof(*cd));
		char *pz = dup_n(pw, pwlen);
		const char *r;

		if (cd != NULL && pz != NULL && strlen(pz) == pwlen) {
			r = crypt_r(pz, setting, cd);
			ok = r != NULL && r[0] != '*' &&
			     (size_t)snprintf(out, cap, "%s", r) < cap;
		}
		if (cd != NULL)
			OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
		free_secret(pz);
	}
	if (!ok && cap > 0)
		out[0] = '\0';
	return ok;
}

/* ---- Parsing user files ---- */

/*
 * One line of a users file.  The kind of each line is decided from its
 * shape; the first entry sets the file's kind, and a line of another kind
 * is an error (a file is one format, never a mix):
 *   user:realm:HA1   with 32 or 64 hex digits       -> htdigest
 *   user:HASH        $2y$ $2b$ $5$ $6$ {SHA} $apr1$  -> htpasswd
 *   user:password                                    -> plain
 */
static enum http_err users_line(const struct line *l, struct users *u,
				const char *path, char *errbuf, size_t errcap)
{
	const char *colon = memchr(l->s, ':', l->len);
	const char *rest, *last;
	size_t ulen, rlen, i;
	enum users_kind kind;
	enum hash_kind hk;
	const char *realm = NULL;
	size_t realm_len = 0;
	const char *secret;
	size_t slen;
	enum http_err e;

	if (colon == NULL) {
		line_error(errbuf, errcap, path, l->no,
			   "expected user:password, found no ':'");
		return HTTP_E_FILE_LINE;
	}
	ulen = (size_t)(colon - l->s);
	rest = colon + 1;
	rlen = l->len - ulen - 1;
	if (ulen == 0) {
		line_error(errbuf, errcap, path, l->no, "empty user name");
		return HTTP_E_FILE_LINE;
	}
	if (ulen > BASIC_MAX_USER) {
		line_error(errbuf, errcap, path, l->no, "user name too long");
		return HTTP_E_FILE_LINE;
	}
	last = memchr(rest, ':', rlen);
	hk = hash_kind_of(rest, rlen);
	if (last != NULL && is_ha1(last + 1, rlen - (size_t)(last - rest) - 1) &&
	    memchr(last + 1, ':', rlen - (size_t)(last - rest) - 1) == NULL) {
		kind = USERS_HTDIGEST;
		realm = rest;
		realm_len = (size_t)(last - rest);
		secret = last + 1;
		slen = rlen - realm_len - 1;
	} else if (hk == HASH_UNKNOWN) {
		const char *id_end = memchr(rest + 1, '$', rlen - 1);

		line_error(errbuf, errcap, path, l->no,
			   "unsupported hash '%.*s' (use bcrypt $2y$, $5$, "
			   "$6$, {SHA} or $apr1$)",
			   (int)(id_end - rest + 1), rest);
		return HTTP_E_FILE_LINE;
	} else {
		char why[96];

		if (hk == HASH_CRYPT && !hash_cost_ok(rest, rlen, why,
						      sizeof(why))) {
			line_error(errbuf, errcap, path, l->no, "%s", why);
			return HTTP_E_FILE_LINE;
		}
		kind = hk == HASH_NONE ? USERS_PLAIN : USERS_HTPASSWD;
		secret = rest;
		slen = rlen;
	}

	if (u->n > 0 && kind != u->kind) {
		line_error(errbuf, errcap, path, l->no,
			   "this line is %s but the file began as %s",
			   kind == USERS_HTDIGEST    ? "htdigest"
			   : kind == USERS_HTPASSWD ? "htpasswd"
						    : "plain",
			   u->kind == USERS_HTDIGEST    ? "htdigest"
			   : u->kind == USERS_HTPASSWD ? "htpasswd"
						       : "plain");
		return HTTP_E_FILE_LINE;
	}
	if (slen == 0 || slen > USERS_MAX_SECRET) {
		line_error(errbuf, errcap, path, l->no, "%s password",
			   slen == 0 ? "empty" : "too long a");
		return HTTP_E_FILE_LINE;
	}
	if (kind == USERS_HTPASSWD) {
		/* Try the hash once now, so a broken one fails at load time
		 * and not at a user's first request. */
		char probe[USERS_MAX_SECRET + 1];
		char setting[USERS_MAX_SECRET + 1];
		bool ok;

		snprintf(setting, sizeof(setting), "%.*s", (int)slen, secret);
		ok = htpasswd_hash("probe", 5, setting, probe, sizeof(probe));
		/* Same algorithm, salt and cost give a hash of the same
		 * length: a longer or shorter one can never match. */
		ok = ok && strlen(probe) == slen;
		if (!ok) {
			line_error(errbuf, errcap, path, l->no,
				   "malformed password hash");
			return HTTP_E_FILE_LINE;
		}
	}
	for (i = 0; i < u->n; i++) {
		if (strlen(u->v[i].user) != ulen ||
		    memcmp(u->v[i].user, l->s, ulen) != 0)
			continue;
		if (realm != NULL && (strlen(u->v[i].realm) != realm_len ||
				      memcmp(u->v[i].realm, realm,
					     realm_len) != 0))
			continue;
		line_error(errbuf, errcap, path, l->no,
			   "user '%.*s' appears twice", (int)ulen, l->s);
		return HTTP_E_FILE_LINE;
	}
	u->kind = kind;
	e = add_entry(u, l->s, ulen, secret, slen, realm, realm_len);
	if (e == HTTP_OK && kind == USERS_HTDIGEST) {
		/* Store HA1 lowercase: digest_hash_hex writes lowercase. */
		char *s = u->v[u->n - 1].secret;

		for (; *s != '\0'; s++)
			*s = (char)tolower((unsigned char)*s);
	}
	if (e == HTTP_E_CONFIG)
		line_error(errbuf, errcap, path, l->no,
			   "more than %d users", USERS_MAX);
	return e == HTTP_E_CONFIG ? HTTP_E_FILE_LINE : e;
}

/*
 * Load a users file into *u (not yet initialised; free with users_free).
 * Blank lines and lines starting with '#' are skipped.  On any error *u
 * is left empty, errbuf says "FILE:LINE: reason", and the return is
 * HTTP_E_FILE_OPEN (cannot read) or HTTP_E_FILE_LINE (bad content).
 */
enum http_err users_load(const char *path, struct users *u, char *errbuf,
			 size_t errcap)
{
	char *buf = NULL;
	size_t len = 0;
	enum http_err e;

	memset(u, 0, sizeof(*u));
	if (errbuf != NULL && errcap > 0)
		errbuf[0] = '\0';
	e = read_file(path, &buf, &len, errbuf, errcap);
	if (e != HTTP_OK)
		return e;
	e = for_each_line(buf, len, users_line, u, path, errbuf, errcap);
	if (e == HTTP_OK && u->n == 0) {
		line_error(errbuf, errcap, path, 0, "no users in file");
		e = HTTP_E_FILE_LINE;
	}
	if (e == HTTP_OK)
		e = make_dummy(u);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (e != HTTP_OK)
		users_free(u);
	return e;
}

/* ---- Parsing token files ---- */

/* One "token user" line: two fields separated by spaces or tabs. */
static enum http_err token_line(const struct line *l, struct users *u,
				const char *path, char *errbuf, size_t errcap)
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
		line_error(errbuf, errcap, path, l->no,
			   "expected 'token user'");
		return HTTP_E_FILE_LINE;
	}
	if (te - ts > BEARER_MAX_TOKEN || !bearer_is_b64token(l->s + ts, te - ts)) {
		line_error(errbuf, errcap, path, l->no,
			   "token is not a b64token (RFC 6750 §2.1)");
		return HTTP_E_FILE_LINE;
	}
	if (ue - us > BASIC_MAX_USER) {
		line_error(errbuf, errcap, path, l->no, "user name too long");
		return HTTP_E_FILE_LINE;
	}
	for (i = 0; i < u->ntokens; i++)
		if (strlen(u->tokens[i]) == te - ts &&
		    memcmp(u->tokens[i], l->s + ts, te - ts) == 0) {
			line_error(errbuf, errcap, path, l->no,
				   "token appears twice");
			return HTTP_E_FILE_LINE;
		}
	e = add_token(u, l->s + ts, te - ts, l->s + us, ue - us);
	if (e == HTTP_E_CONFIG)
		line_error(errbuf, errcap, path, l->no, "more than %d tokens",
			   USERS_MAX);
	return e == HTTP_E_CONFIG ? HTTP_E_FILE_LINE : e;
}

/*
 * Load Bearer tokens, lines "token user", into an initialised *u.  The
 * file's tokens replace the ones *u had (the defaults, say); the users
 * are untouched.  On error *u has no tokens and errbuf says why.
 */
enum http_err users_load_tokens(const char *path, struct users *u,
				char *errbuf, size_t errcap)
{
	char *buf = NULL;
	size_t len = 0;
	enum http_err e;

	if (errbuf != NULL && errcap > 0)
		errbuf[0] = '\0';
	free_tokens(u);
	e = read_file(path, &buf, &len, errbuf, errcap);
	if (e != HTTP_OK)
		return e;
	e = for_each_line(buf, len, token_line, u, path, errbuf, errcap);
	if (e == HTTP_OK && u->ntokens == 0) {
		line_error(errbuf, errcap, path, 0, "no tokens in file");
		e = HTTP_E_FILE_LINE;
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (e != HTTP_OK)
		free_tokens(u);
	return e;
}

/* ---- The dummy entry: unknown users cost what known ones do ---- */

/*
 * The kind and cost of an htpasswd hash, as the prefix that carries them
 * (the salt and hash after it are left out):
 *   $2y$10$          bcrypt, cost 10 ($2a$, $2b$ alike)
 *   $5$ $6$          SHA-crypt, default 5000 rounds
 *   $5$rounds=N$     SHA-crypt, N rounds ($6$ alike)
 *   $apr1$ {SHA}     no cost parameter
 * "" for a secret that is not one of these.
 */
void users_hash_class(const char *secret, char *out, size_t cap)
{
	size_t n = strlen(secret), len = 0;
	const char *end;

	if (hash_kind_of(secret, n) == HASH_APR1)
		len = strlen(APR1_MAGIC);
	else if (hash_kind_of(secret, n) == HASH_SHA1)
		len = 5;
	else if (hash_kind_of(secret, n) == HASH_CRYPT && secret[1] == '2')
		len = n >= 7 && secret[6] == '$' ? 7 : 0;
	else if (hash_kind_of(secret, n) == HASH_CRYPT) {
		len = 3;
		if (strncmp(secret + 3, "rounds=", 7) == 0 &&
		    (end = strchr(secret + 10, '$')) != NULL)
			len = (size_t)(end - secret) + 1;
	}
	snprintf(out, cap, "%.*s", (int)len, secret);
}

/* A random string of 2*n hex digits (n <= 32) into out. */
static bool random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0x0f];
	}
	out[2 * n] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return true;
}

/*
 * The htpasswd entry whose kind and cost are the most common in the file
 * (ties: the one met first).  The dummy is made from its setting: most
 * unknown-user guesses are then timed like most real users, whereas the
 * first entry could be the one odd bcrypt user in a file of $apr1$ ones,
 * and the slowest entry would make every unknown name stand out as slow.
 */
static const struct users_entry *typical_entry(const struct users *u)
{
	char (*cls)[32] = calloc(u->n, sizeof(*cls));
	size_t best = 0, best_count = 0;

	if (cls == NULL)
		return u->n > 0 ? &u->v[0] : NULL;
	for (size_t i = 0; i < u->n; i++)
		users_hash_class(u->v[i].secret, cls[i], sizeof(cls[i]));
	for (size_t i = 0; i < u->n; i++) {
		size_t count = 0;

		for (size_t j = 0; j < u->n; j++)
			count += strcmp(cls[i], cls[j]) == 0;
		if (count > best_count) {
			best = i;
			best_count = count;
		}
	}
	free(cls);
	return u->n > 0 ? &u->v[best] : NULL;
}

/*
 * Make u->dummy, what an unknown user is checked against: plain, a random
 * password; htdigest, a random 64-hex HA1 (cut to 32 for MD5); htpasswd,
 * the hash of a random password under the typical entry's setting (the
 * same kind, cost and, harmlessly, salt), computed once here.
 */
static enum http_err make_dummy(struct users *u)
{
	char pw[2 * 16 + 1], h[USERS_MAX_SECRET + 1];
	const struct users_entry *t;
	enum http_err e = HTTP_OK;

	free_secret(u->dummy);
	u->dummy = NULL;
	if (u->kind == USERS_HTDIGEST) {
		if (!random_hex(h, 32))
			return HTTP_E_CONFIG;
	} else if (!random_hex(pw, 16)) {
		return HTTP_E_CONFIG;
	} else if (u->kind == USERS_PLAIN) {
		snprintf(h, sizeof(h), "%s", pw);
	} else {
		t = typical_entry(u);
		if (t == NULL ||
		    !htpasswd_hash(pw, strlen(pw), t->secret, h, sizeof(h)))
			e = HTTP_E_CONFIG;
	}
	if (e == HTTP_OK) {
		u->dummy = dup_n(h, strlen(h));
		if (u->dummy == NULL)
			e = HTTP_E_NOMEM;
	}
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(h, sizeof(h));
	return e;
}

/* ---- Checking passwords ---- */

/* What an unknown user is checked against in a store made by hand
 * (no users_defaults or users_load): a secret no one can send. */
static const char dummy_fallback[] = "lab407-no-such-user";

/* The entry for user (any realm when realm is NULL), or NULL. */
static const struct users_entry *find(const struct users *u, const char *user,
				      const char *realm)
{
	size_t i;

	if (user == NULL)
		return NULL;
	for (i = 0; i < u->n; i++)
		if (strcmp(u->v[i].user, user) == 0 &&
		    (realm == NULL || u->v[i].realm == NULL ||
		     strcmp(u->v[i].realm, realm) == 0))
			return &u->v[i];
	return NULL;
}

/* The user's own secret, or the dummy for an unknown user; see users.h. */
const char *users_password_setting(const struct users *u, const char *user)
{
	const struct users_entry *e = find(u, user, NULL);

	if (e != NULL)
		return e->secret;
	if (u->dummy != NULL)
		return u->dummy;
	return u->kind == USERS_HTPASSWD && u->n > 0 ? u->v[0].secret
						     : dummy_fallback;
}

/*
 * Check a Basic password.  HTTP_OK, HTTP_E_BAD_USER or
 * HTTP_E_BAD_PASSWORD; HTTP_E_CONFIG for an htdigest store, which holds
 * no passwords.  Plain passwords compare in constant time (basic_equal);
 * hashes are recomputed with the stored salt and compared with
 * CRYPTO_memcmp.  An unknown user goes through the same steps against
 * the dummy entry, and is refused whatever the comparison said.
 */
enum http_err users_check_password(const struct users *u, const char *user,
				   const char *pass, size_t pass_len)
{
	const struct users_entry *e = find(u, user, NULL);
	const char *s = users_password_setting(u, user);
	char h[USERS_MAX_SECRET + 1];
	bool same = false;
	size_t n = strlen(s);

	if (u->kind == USERS_HTDIGEST)
		return HTTP_E_CONFIG;
	if (u->kind == USERS_PLAIN) {
		same = basic_equal(s, n, pass, pass_len);
	} else {
		same = htpasswd_hash(pass, pass_len, s, h, sizeof(h)) &&
		       strlen(h) == n && CRYPTO_memcmp(h, s, n) == 0;
		OPENSSL_cleanse(h, sizeof(h));
	}
	if (e == NULL)
		return HTTP_E_BAD_USER;
	return same ? HTTP_OK : HTTP_E_BAD_PASSWORD;
}

/* ---- Digest ---- */

/*
 * HA1 = H(user ":" realm ":" password) (RFC 7616 §3.4.2), lowercase hex.
 * Plain stores compute it; htdigest stores hold it for their realm (and
 * its length must fit the algorithm: 32 hex for MD5, 64 for SHA-256);
 * htpasswd hashes cannot give it: HTTP_E_CONFIG.
 */
enum http_err users_digest_ha1(const struct users *u, const char *user,
			       const char *realm, enum digest_alg alg,
			       char out[DIGEST_HEX_MAX + 1])
{
	const struct users_entry *e;
	const char *secret;
	char a1[3 * DIGEST_MAX_FIELD + USERS_MAX_SECRET];
	enum http_err err;
	int n;

	out[0] = '\0';
	if (u->kind == USERS_HTPASSWD)
		return HTTP_E_CONFIG;
	e = find(u, user, u->kind == USERS_HTDIGEST ? realm : NULL);
	/* An unknown user gets the dummy's HA1, made the same way. */
	secret = e != NULL ? e->secret
			   : u->dummy != NULL ? u->dummy : dummy_fallback;
	if (u->kind == USERS_HTDIGEST) {
		size_t want = digest_hex_len(alg);

		if (e != NULL && strlen(secret) != want)
			return HTTP_E_CONFIG;
		snprintf(out, DIGEST_HEX_MAX + 1, "%.*s", (int)want, secret);
		err = HTTP_OK;
	} else {
		n = snprintf(a1, sizeof(a1), "%s:%s:%s", user ? user : "",
			     realm, secret);
		if (n < 0 || (size_t)n >= sizeof(a1))
			err = HTTP_E_NOSPACE;
		else
			err = digest_hash_hex(alg, a1, (size_t)n, out);
		OPENSSL_cleanse(a1, sizeof(a1));
	}
	if (err == HTTP_OK && e == NULL)
		return HTTP_E_BAD_USER;
	return err;
}

/*
 * RFC 7616 §3.4.4: with userhash=true the client sends H(user ":" realm)
 * instead of the name.  Try every user; copy the match into user.
 */
enum http_err users_from_userhash(const struct users *u, const char *hash,
				  const char *realm, enum digest_alg alg,
				  char *user, size_t cap)
{
	char h[DIGEST_HEX_MAX + 1];
	size_t i, hl = strlen(hash), found = u->n;

	if (cap > 0)
		user[0] = '\0';
	for (i = 0; i < u->n; i++) {
		if (u->v[i].realm != NULL && strcmp(u->v[i].realm, realm) != 0)
			continue;
		if (digest_userhash(alg, u->v[i].user, realm, h) != HTTP_OK)
			continue;
		if (strlen(h) == hl && digest_equal(h, hash, hl) &&
		    found == u->n)
			found = i;
	}
	if (found == u->n)
		return HTTP_E_BAD_USER;
	if ((size_t)snprintf(user, cap, "%s", u->v[found].user) >= cap) {
		if (cap > 0)
			user[0] = '\0';
		return HTTP_E_NOSPACE;
	}
	return HTTP_OK;
}

/* ---- Bearer ---- */

/*
 * The user a token belongs to, copied into user.  Every token is compared
 * (constant time, no early exit), so timing does not say which one is
 * near.  HTTP_E_BAD_PASSWORD when no token matches.
 */
enum http_err users_check_token(const struct users *u, const char *token,
				char *user, size_t cap)
{
	size_t i, found = u->ntokens, tl = strlen(token);

	if (cap > 0)
		user[0] = '\0';
	for (i = 0; i < u->ntokens; i++)
		if (basic_equal(u->tokens[i], strlen(u->tokens[i]), token, tl) &&
		    found == u->ntokens)
			found = i;
	if (found == u->ntokens)
		return HTTP_E_BAD_PASSWORD;
	if ((size_t)snprintf(user, cap, "%s", u->token_user[found]) >= cap) {
		if (cap > 0)
			user[0] = '\0';
		return HTTP_E_NOSPACE;
	}
	return HTTP_OK;
}

/* ---- What a store can serve ---- */

/*
 * True when the store can serve every scheme in scheme_bits: plain ->
 * Basic and Digest; htpasswd -> Basic; htdigest -> Digest; Bearer when
 * tokens are loaded, whatever the kind.  0 bits: true.
 */
bool users_supports(const struct users *u, unsigned scheme_bits)
{
	unsigned can = 0;

	switch (u->kind) {
	case USERS_PLAIN:
		/* NTLM needs the NT hash, MD4 of the plain password. */
		can = AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST | AUTH_SCHEME_NTLM;
		break;
	case USERS_HTPASSWD:
		can = AUTH_SCHEME_BASIC;
		break;
	case USERS_HTDIGEST:
		can = AUTH_SCHEME_DIGEST;
		break;
	}
	if (u->ntokens > 0)
		can |= AUTH_SCHEME_BEARER;
	can |= AUTH_SCHEME_NEGOTIATE;   /* Kerberos: the KDC knows the users */
	return (scheme_bits & ~can) == 0;
}

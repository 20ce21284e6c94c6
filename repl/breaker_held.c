/*
 * repl/breaker_held.c - `break` on an outside client's request
 * (repl/breaker_held.h): rewriting the credential it computed itself.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "breaker_held.h"
#include "lab_state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/digest.h"
#include "breaker.h"
#include "digest_sent.h"

/* ---- An outside client's credential ---- */

/*
 * An outside client (curl, a browser through `listen`) computed its
 * credential itself, so `break password` and `break user` cannot hand it
 * wrong ones: the lab rewrites the bytes it sent into what the same
 * client would have sent with a wrong password or an unknown user.
 */

#define HELD_BAD_USER "nobody"
#define HELD_BAD_SUFFIX "-wrong"
#define HELD_MAX_BASIC (2 * LAB_MAX_CRED + 16) /* decoded user:password */

/* Basic (RFC 7617 §2): decode user-pass, swap one half, encode again. */
static bool held_basic(struct http_buf *b, const struct auth_challenge *cred,
		       enum lab_break brk, char *note, size_t cap)
{
	unsigned char plain[HELD_MAX_BASIC];
	char text[HELD_MAX_BASIC + 16], enc[2 * HELD_MAX_BASIC + 8];
	const char *colon;
	size_t n = 0, off, elen = 0;
	int w;

	if (cred->token68 == NULL || cred->token68_len >= sizeof(enc) ||
	    base64_decode(cred->token68, cred->token68_len, plain,
			  sizeof(plain) - 1, &n) != HTTP_OK) {
		snprintf(note, cap,
			 "break %s: its Basic token is not base64 of "
			 "user:password; nothing changed",
			 lab_break_name(brk));
		return false;
	}
	plain[n] = '\0';
	colon = memchr(plain, ':', n);
	if (colon == NULL) {
		snprintf(note, cap,
			 "break %s: its Basic credentials have no ':' "
			 "(RFC 7617 §2); nothing changed",
			 lab_break_name(brk));
		explicit_bzero(plain, sizeof(plain));
		return false;
	}
	if (brk == LAB_BREAK_PASSWORD)
		w = snprintf(text, sizeof(text), "%.*s" HELD_BAD_SUFFIX, (int)n,
			     (const char *)plain);
	else
		w = snprintf(text, sizeof(text), HELD_BAD_USER "%s", colon);
	explicit_bzero(plain, sizeof(plain));
	if (w < 0 || (size_t)w >= sizeof(text) ||
	    base64_encode(text, (size_t)w, enc, sizeof(enc), &elen) !=
		HTTP_OK) {
		explicit_bzero(text, sizeof(text));
		snprintf(note, cap, "break %s: too long to re-encode",
			 lab_break_name(brk));
		return false;
	}
	explicit_bzero(text, sizeof(text));
	off = (size_t)(cred->token68 - b->data);
	if (!http_buf_splice(b, off, cred->token68_len, enc, elen)) {
		snprintf(note, cap,
			 "break %s: the request would grow past "
			 "the lab's limit; nothing changed",
			 lab_break_name(brk));
		return false;
	}
	snprintf(note, cap,
		 brk == LAB_BREAK_PASSWORD
		     ? "break password: the password in its Basic "
		       "credentials became PASSWORD" HELD_BAD_SUFFIX
		       ", encoded again"
		     : "break user: the user in its Basic credentials "
		       "became " HELD_BAD_USER ", encoded again");
	return true;
}

/*
 * Digest password (RFC 7616 §3.4.1): the response recomputed from the
 * fields the client sent and the password "wrong" -- what the client
 * would have sent had it been given that password.
 */
static bool held_digest_password(struct http_buf *b,
				 const struct http_request *req,
				 const struct auth_challenge *cred, char *note,
				 size_t cap)
{
	struct digest_sent d;
	char method[16], out[DIGEST_HEX_MAX + 1];
	const struct auth_param *resp = auth_param_find(cred, "response");
	struct digest_input in;
	const char *bad = "wrong";

	digest_sent_read(cred, &d);
	memset(&in, 0, sizeof(in));
	if (resp == NULL || d.username[0] == '\0' || d.uri[0] == '\0' ||
	    strcasecmp(d.userhash, "true") == 0 ||
	    (d.algorithm[0] != '\0' &&
	     !digest_alg_parse(d.algorithm, strlen(d.algorithm), &in.alg)) ||
	    (d.qop[0] != '\0' && strcmp(d.qop, "auth") != 0) ||
	    req->method_len >= sizeof(method)) {
		snprintf(note, cap,
			 "break password: the lab recomputes a Digest "
			 "response only for qop=auth or none, with a plain "
			 "username and a known algorithm; nothing changed "
			 "(`break response` edits the hash instead)");
		return false;
	}
	snprintf(method, sizeof(method), "%.*s", (int)req->method_len,
		 req->method);
	in.qop = d.qop[0] != '\0' ? DIGEST_QOP_AUTH : DIGEST_QOP_NONE;
	digest_sent_input(&d, method, bad, &in);
	if (digest_compute(&in, NULL, out) == HTTP_OK &&
	    strlen(out) == resp->value_len &&
	    strncasecmp(out, resp->value, resp->value_len) == 0) {
		bad = "wrong" HELD_BAD_SUFFIX; /* its password was "wrong" */
		in.password = bad;
	}
	if (digest_compute(&in, NULL, out) != HTTP_OK ||
	    !http_buf_splice(b, (size_t)(resp->value - b->data),
			     resp->value_len, out, strlen(out))) {
		snprintf(note, cap,
			 "break password: the response could not "
			 "be recomputed; nothing changed");
		return false;
	}
	snprintf(note, cap,
		 "break password: its Digest response recomputed from the "
		 "fields it sent and the password \"%s\"",
		 bad);
	return true;
}

/* Digest user: username="nobody" (the response no longer matches). */
static bool held_digest_user(struct http_buf *b,
			     const struct auth_challenge *cred, char *note,
			     size_t cap)
{
	const struct auth_param *u = auth_param_find(cred, "username");
	char uh[8];

	if (auth_get(cred, "userhash", uh, sizeof(uh)) != HTTP_OK)
		uh[0] = '\0';
	if (u == NULL || !u->quoted || strcasecmp(uh, "true") == 0) {
		snprintf(note, cap,
			 "break user: no plain quoted username in its Digest "
			 "credentials (RFC 7616 §3.4); nothing changed");
		return false;
	}
	if (!http_buf_splice(b, (size_t)(u->value - b->data), u->value_len,
			     HELD_BAD_USER, strlen(HELD_BAD_USER))) {
		snprintf(note, cap, "break user: nothing changed");
		return false;
	}
	snprintf(note, cap,
		 "break user: username became \"" HELD_BAD_USER "\"");
	return true;
}

/* Bearer (RFC 6750 §2.1): a token the server did not issue. */
static bool held_bearer(struct http_buf *b, const struct auth_challenge *cred,
			enum lab_break brk, char *note, size_t cap)
{
	size_t end;

	if (brk == LAB_BREAK_USER || cred->token68 == NULL) {
		snprintf(note, cap,
			 "break %s: Bearer carries a token and no user name; "
			 "nothing changed (`break password` spoils the token)",
			 lab_break_name(brk));
		return false;
	}
	end = (size_t)(cred->token68 - b->data) + cred->token68_len;
	if (!http_buf_splice(b, end, 0, HELD_BAD_SUFFIX,
			     strlen(HELD_BAD_SUFFIX))) {
		snprintf(note, cap, "break password: nothing changed");
		return false;
	}
	snprintf(note, cap,
		 "break password: its Bearer token got \"" HELD_BAD_SUFFIX
		 "\" appended, a token the server never issued");
	return true;
}

/* password and user on a request the lab did not write. */
static void held_swap(struct lab *lab, struct http_buf *b, char *note,
		      size_t cap)
{
	struct http_request req;
	const struct http_header *h;
	struct auth_challenge cred;
	enum lab_break brk = lab->brk;
	bool done = false;

	h = breaker_party_cred(b, lab->brk_party, &req);
	if (h == NULL)
		return; /* not yet: the first request goes without */
	if (auth_parse_credentials(h->value, h->value_len, &cred) != HTTP_OK) {
		snprintf(note, cap,
			 "break %s: its credentials do not parse; nothing "
			 "changed (the break stays armed)",
			 lab_break_name(brk));
		return;
	}
	switch (cred.kind) {
	case AUTH_SCHEME_BASIC:
		done = held_basic(b, &cred, brk, note, cap);
		break;
	case AUTH_SCHEME_DIGEST:
		done = brk == LAB_BREAK_PASSWORD
			   ? held_digest_password(b, &req, &cred, note, cap)
			   : held_digest_user(b, &cred, note, cap);
		break;
	case AUTH_SCHEME_BEARER:
		done = held_bearer(b, &cred, brk, note, cap);
		break;
	default:
		snprintf(note, cap,
			 "break %s: the lab rewrites an outside client's "
			 "Basic, Digest and Bearer credentials, not %.*s; "
			 "nothing changed (the break stays armed)",
			 lab_break_name(brk), (int)cred.scheme_len,
			 cred.scheme);
		return;
	}
	/* spent either way: it met the credential it was armed for */
	(void)done;
	lab->brk = LAB_BREAK_NONE;
}

void breaker_held_apply(struct lab *lab, struct http_buf *b, char *note,
			size_t cap)
{
	note[0] = '\0';
	switch (lab->brk) {
	case LAB_BREAK_PASSWORD:
	case LAB_BREAK_USER:
		held_swap(lab, b, note, cap);
		return;
	case LAB_BREAK_CLOSE:
	case LAB_BREAK_REPLAY:
		if (breaker_has_field(b, lab->brk_party))
			snprintf(note, cap,
				 "break %s is about the built-in client's "
				 "NTLM connection; it stays armed for it",
				 lab_break_name(lab->brk));
		return;
	default:
		breaker_apply(lab, b, note, cap);
		return;
	}
}

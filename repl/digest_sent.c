/*
 * repl/digest_sent.c - the fields of Digest credentials a client sent
 * (repl/digest_sent.h).
 */
#include "digest_sent.h"

#include <stdint.h>
#include <stdlib.h>

/* One field into out[cap]; "" when absent or too long. */
static void field(const struct auth_challenge *c, const char *name, char *out,
		  size_t cap)
{
	if (auth_get(c, name, out, cap) != HTTP_OK)
		out[0] = '\0';
}

void digest_sent_read(const struct auth_challenge *c, struct digest_sent *d)
{
	field(c, "username", d->username, sizeof(d->username));
	field(c, "realm", d->realm, sizeof(d->realm));
	field(c, "nonce", d->nonce, sizeof(d->nonce));
	field(c, "cnonce", d->cnonce, sizeof(d->cnonce));
	field(c, "uri", d->uri, sizeof(d->uri));
	field(c, "response", d->response, sizeof(d->response));
	field(c, "algorithm", d->algorithm, sizeof(d->algorithm));
	field(c, "qop", d->qop, sizeof(d->qop));
	field(c, "nc", d->nc, sizeof(d->nc));
	field(c, "userhash", d->userhash, sizeof(d->userhash));
}

void digest_sent_input(const struct digest_sent *d, const char *method,
		       const char *password, struct digest_input *in)
{
	in->user = d->username;
	in->realm = d->realm;
	in->password = password;
	in->nonce = d->nonce;
	in->cnonce = d->cnonce;
	in->nc = (uint32_t)strtoul(d->nc, NULL, 16);
	in->method = method;
	in->uri = d->uri;
}

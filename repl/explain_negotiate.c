/*
 * repl/explain_negotiate.c - `explain N` for Negotiate (lesson 12).
 *
 * The token is read by http/negotiate.c's negotiate_describe(): the
 * SPNEGO mechanism OIDs, and of a Kerberos AP-REQ only what is in clear
 * (realm and service); the rest is encrypted with keys the REPL does not
 * have, which is the point.
 */
#define _POSIX_C_SOURCE 200809L

#include "explain_negotiate.h"

#include <stdio.h>
#include <string.h>

#include "../http/negotiate.h"

void explain_negotiate(struct repl *r, const char *b64, size_t len)
{
	char text[4096];
	const char *p = text;

	negotiate_describe(b64, len, text, sizeof(text));
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(r->out, "      %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	if (len == 0)
		fprintf(r->out,
			"      RFC 4559 §4.1: the client asks its KDC for a "
			"ticket for HTTP/<the proxy's host name> and sends it "
			"here; without a ticket, or for another name, it can "
			"only try another scheme (lesson 12)\n");
}

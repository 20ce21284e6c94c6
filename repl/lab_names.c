/*
 * repl/lab_names.c - the names of the lab's legs, parties and `break`
 * kinds, as the transcript and the commands spell them (repl/lab_names.h).
 */
#include "lab_names.h"

#include <stddef.h>
#include <strings.h>

/* ---- Names ---- */

static const char *const break_names[LAB_BREAK__COUNT] = {
    "none",  "password", "user",     "scheme", "header", "base64", "realm",
    "nonce", "nc",	 "response", "stale",  "close",	 "replay",
};

const char *lab_break_name(enum lab_break b)
{
	return b < LAB_BREAK__COUNT ? break_names[b] : "?";
}

enum lab_break lab_break_from(const char *s)
{
	int i;

	for (i = 1; i < LAB_BREAK__COUNT; i++)
		if (strcasecmp(s, break_names[i]) == 0)
			return (enum lab_break)i;
	return LAB_BREAK_NONE;
}

const char *lab_party_name(enum lab_party p)
{
	return p == LAB_PROXY ? "proxy" : "origin";
}

int lab_party_from(const char *s)
{
	if (strcasecmp(s, "proxy") == 0)
		return LAB_PROXY;
	if (strcasecmp(s, "origin") == 0)
		return LAB_ORIGIN;
	return -1;
}

const char *lab_leg_name(enum lab_leg l)
{
	static const char *const names[] = {
	    "client -> proxy ", "proxy  -> origin", "origin -> proxy ",
	    "proxy  -> client"};
	return names[l];
}

const char *lab_leg_from(enum lab_leg l)
{
	static const char *const from[] = {"client", "proxy", "origin",
					   "proxy"};
	return from[l];
}

const char *lab_leg_to(enum lab_leg l)
{
	static const char *const to[] = {"proxy", "origin", "proxy", "client"};
	return to[l];
}

/* The plain lab password of user on party p's server, or NULL. */

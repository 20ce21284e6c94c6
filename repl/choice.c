/*
 * repl/choice.c - naming the bad item of a `scheme` or `algorithm` list
 * (see repl/choice.h).  The lists themselves are parsed by http/auth.c
 * and http/digest.c; this only finds which word a person got wrong.
 */
#define _POSIX_C_SOURCE 200809L

#include "choice.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../http/auth.h"
#include "../http/digest.h"
#include "../http/guard.h"

#define CHOICE_MAX_ITEMS 16 /* items of one list we compare for repeats */
#define CHOICE_MAX_ITEM 32  /* bytes of one item we quote */

typedef bool (*item_ok)(const char *item);

static bool scheme_ok(const char *item)
{
	enum auth_scheme v[GUARD_MAX_SCHEMES];
	size_t n = 0;

	if (strcasecmp(item, "none") == 0)
		return true;
	return auth_scheme_list_parse(item, v, GUARD_MAX_SCHEMES, &n) ==
		   HTTP_OK &&
	       n == 1;
}

static bool alg_ok(const char *item)
{
	enum digest_alg a;

	return digest_alg_parse(item, strlen(item), &a);
}

/* Walk the comma items; name the first bad or repeated one. */
static bool check_items(const char *list, item_ok ok, const char *what,
			const char *noun, const char *choices, char *err,
			size_t err_cap)
{
	char seen[CHOICE_MAX_ITEMS][CHOICE_MAX_ITEM];
	size_t nseen = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		char item[CHOICE_MAX_ITEM];
		size_t a = 0, b = len;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		if (b == a) {
			snprintf(err, err_cap,
				 "'%s': an empty item in the list; choose %s",
				 list, choices);
			return false;
		}
		snprintf(item, sizeof(item), "%.*s", (int)(b - a), p + a);
		if (b - a >= sizeof(item) || !ok(item)) {
			snprintf(err, err_cap, "'%s' is not %s; choose %s",
				 item, what, choices);
			return false;
		}
		for (size_t i = 0; i < nseen; i++)
			if (strcasecmp(seen[i], item) == 0) {
				snprintf(err, err_cap,
					 "'%s' is named twice in '%s'; each "
					 "%s once, in the order offered",
					 item, list, noun);
				return false;
			}
		if (nseen < CHOICE_MAX_ITEMS)
			snprintf(seen[nseen++], CHOICE_MAX_ITEM, "%s", item);
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
}

bool choice_schemes(const char *list, char *err, size_t err_cap)
{
	return check_items(list, scheme_ok, "a scheme the lab offers", "scheme",
			   CHOICE_SCHEMES, err, err_cap);
}

bool choice_algorithms(const char *list, char *err, size_t err_cap)
{
	return check_items(list, alg_ok, "a Digest algorithm", "algorithm",
			   CHOICE_ALGS " (RFC 7616 §3.3)", err, err_cap);
}

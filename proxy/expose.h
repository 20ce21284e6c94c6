/*
 * proxy/expose.h - may bin/proxy listen there?  An open proxy, or one
 * whose passwords are printed in the README, must not appear on a
 * network by accident.
 *
 * Listening anywhere but loopback (127.0.0.0/8, ::1, "localhost") with
 * `--auth none`, or with the compiled-in lab users (no --users file),
 * makes bin/proxy refuse to start, before it binds anything, unless
 * `--allow-exposed` says that this is meant.  A design choice of the lab,
 * not an RFC rule.
 */
#ifndef LAB407_PROXY_EXPOSE_H
#define LAB407_PROXY_EXPOSE_H

#include <stdbool.h>

#define EXPOSE_FLAG "--allow-exposed"

/*
 * The listen host (no port, no brackets) is loopback: "localhost" (any
 * case, with or without a final dot), an IPv4 literal in 127.0.0.0/8 (any
 * spelling inet_aton takes), or ::1.  Anything else, a wildcard or a name
 * included, is not.
 */
bool expose_is_loopback(const char *host);

/*
 * Why listening on `host` with this configuration is refused, one
 * sentence naming EXPOSE_FLAG, or NULL when it is fine: loopback, or
 * neither `auth_none` nor `lab_users`, or `acknowledged`.  Pure.
 */
const char *expose_check(const char *host, bool auth_none, bool lab_users,
			 bool acknowledged);

#endif

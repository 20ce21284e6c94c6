/*
 * http/retry.c - which requests may be sent twice (RFC 9110 §9.2.2).
 */
#define _POSIX_C_SOURCE 200809L

#include "retry.h"

#include <string.h>

static const char *const idempotent[] = {
    "GET", "HEAD",   "OPTIONS", "TRACE", /* safe, §9.2.1 */
    "PUT", "DELETE",			 /* idempotent, §9.2.2 */
};

bool retry_idempotent(const char *method, size_t len)
{
	for (size_t i = 0; i < sizeof(idempotent) / sizeof(idempotent[0]); i++)
		if (strlen(idempotent[i]) == len &&
		    memcmp(idempotent[i], method, len) == 0)
			return true;
	return false;
}

bool retry_allowed(const char *method, size_t len, uint64_t body_bytes_sent,
		   uint64_t response_bytes)
{
	return retry_idempotent(method, len) && body_bytes_sent == 0 &&
	       response_bytes == 0;
}

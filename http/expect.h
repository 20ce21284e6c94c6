/*
 * http/expect.h - the Expect: 100-continue rule (RFC 9110 §10.1.1), in
 * one place for bin/proxy and bin/origin.
 */
#ifndef LAB407_HTTP_EXPECT_H
#define LAB407_HTTP_EXPECT_H

#include <stdbool.h>

#include "message.h"

/* The interim response a server sends before reading a held-back body. */
#define EXPECT_100_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define EXPECT_100_CONTINUE_LEN (sizeof(EXPECT_100_CONTINUE) - 1)

/*
 * True when `req` asks for 100 (Continue) before sending its body:
 * "Expect: 100-continue" from an HTTP/1.1 client.  RFC 9110 §10.1.1: a
 * server MUST ignore the expectation in an HTTP/1.0 request, since 1.0
 * clients may not understand an interim answer.
 */
bool expect_continue(const struct http_request *req);
/* The rule on what a reader found: "100-continue" is listed in Expect of
 * a request of HTTP/1.<minor_version>. */
bool expect_continue_rule(int minor_version, bool listed);

#endif

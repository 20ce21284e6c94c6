/*
 * client/output.h - what bin/client prints: curl's error line on stderr,
 * the -v lines ("> " sent, "< " received, "* " decisions), -w, and the
 * response (-i, -o).  bin/client's shell: this is where it talks.
 */
#ifndef LAB407_CLIENT_OUTPUT_H
#define LAB407_CLIENT_OUTPUT_H

#include <stddef.h>

#include "../http/buf.h"
#include "options.h"

/* curl's error line, "client: (7) Failed to connect ..."; not with -s
 * unless -S. */
void output_error(const struct options *o, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Each line of s[0..n) on stderr after prefix ("> ", "< ", "* "). */
void output_lines(const char *prefix, const char *s, size_t n);
/* With -v: the machine's notes, one "* " line each. */
void output_note(const struct options *o, const char *note);
/* -w FORMAT: %{http_code}, %{response_code}, %{http_connect},
 * %{size_download}, and \n, \t, \r, \\ escapes, on stdout. */
void output_write_out(const char *fmt, int code, int connect_code, size_t size);
/*
 * The final response where the options say: with -i the CONNECT's 2xx
 * head (connect_head, may be NULL) and the response's head; then the
 * body unless it is NULL (stdout, or -o FILE).  0 or EXIT_WRITE.
 */
int output_emit(const struct options *o, const struct http_buf *connect_head,
		const struct http_buf *head, const struct http_buf *body);

#endif

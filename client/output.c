/*
 * client/output.c - what bin/client prints (see output.h): curl's error
 * line, the -v lines, -w and the response itself.  bin/client's shell.
 */
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Errors ---- */

/* curl's error line: "client: (7) Failed to connect ...". */
void output_error(const struct options *o, int code, const char *fmt, ...)
{
	va_list ap;

	if (o->silent && !o->show_error)
		return;
	fprintf(stderr, "%s: (%d) ", CLIENT_PROG, code);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- Verbose output ---- */

/* Print each line of s[0..n) with a prefix ("> ", "< ", "* "). */
void output_lines(const char *prefix, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - s) : n;
		size_t shown = len > 0 && s[len - 1] == '\r' ? len - 1 : len;

		fprintf(stderr, "%s%.*s\n", prefix, (int)shown, s);
		if (nl == NULL)
			break;
		n -= len + 1;
		s += len + 1;
	}
}

/* Lesson 10: the `* ` lines of -v, in curl's convention. */
void output_note(const struct options *o, const char *note)
{
	if (o->verbose && note[0] != '\0')
		output_lines("* ", note, strlen(note));
}

/* ---- Output ---- */

/* -w: %{http_code}, %{response_code}, %{http_connect}, %{size_download},
 * and \n, \t, \\ escapes. */
void output_write_out(const char *fmt, int code, int connect_code, size_t size)
{
	while (*fmt != '\0') {
		if (fmt[0] == '%' && fmt[1] == '{') {
			const char *end = strchr(fmt, '}');
			size_t n = end != NULL ? (size_t)(end - fmt - 2) : 0;

			if (end == NULL) {
				fputs(fmt, stdout);
				return;
			}
			if ((n == 9 && strncmp(fmt + 2, "http_code", n) == 0) ||
			    (n == 13 &&
			     strncmp(fmt + 2, "response_code", n) == 0))
				printf("%03d", code);
			else if (n == 12 &&
				 strncmp(fmt + 2, "http_connect", n) == 0)
				printf("%03d", connect_code);
			else if (n == 13 &&
				 strncmp(fmt + 2, "size_download", n) == 0)
				printf("%zu", size);
			fmt = end + 1;
		} else if (fmt[0] == '\\' && fmt[1] != '\0') {
			putchar(fmt[1] == 'n'	? '\n'
				: fmt[1] == 't' ? '\t'
				: fmt[1] == 'r' ? '\r'
						: fmt[1]);
			fmt += 2;
		} else {
			putchar(*fmt++);
		}
	}
}

/* Write the final response where the options say; 0 or EXIT_WRITE. */
int output_emit(const struct options *o, const struct http_buf *connect_head,
		const struct http_buf *head, const struct http_buf *body)
{
	FILE *out = stdout;
	int code = EXIT_OK;

	/* fwrite's pointer must be valid even for 0 bytes (C11 §7.1.4),
	 * and an empty buffer has none: a 204 or a HEAD has no body. */
	if (o->include && connect_head != NULL && connect_head->len > 0)
		fwrite(connect_head->data, 1, connect_head->len, stdout);
	if (o->include && head->len > 0)
		fwrite(head->data, 1, head->len, stdout);
	if (body == NULL)
		return EXIT_OK;
	/* As curl: "-o -" is standard output, not a file called "-". */
	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		out = fopen(o->output, "wb");
		if (out == NULL) {
			output_error(o, EXIT_WRITE, "Failed to open %s: %s",
				     o->output, strerror(errno));
			return EXIT_WRITE;
		}
	}
	if (body->len > 0 && fwrite(body->data, 1, body->len, out) != body->len)
		code = EXIT_WRITE;
	if (out != stdout && fclose(out) != 0)
		code = EXIT_WRITE;
	if (code != EXIT_OK)
		output_error(o, EXIT_WRITE, "Failure writing output");
	return code;
}

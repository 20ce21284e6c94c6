/*
 * http/base64.h - base64 (RFC 4648 §4), strict.
 *
 * Decoding accepts only the canonical form: padding present, no
 * whitespace, no characters outside the alphabet, unused bits zero.  An
 * encoding is not a cipher: lesson 03 decodes a captured Basic header.
 */
#ifndef LAB407_HTTP_BASE64_H
#define LAB407_HTTP_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Characters needed for n input bytes, without the NUL. */
size_t base64_encoded_len(size_t n);
/* Largest decoded size for n input characters. */
size_t base64_decoded_max(size_t n);
/* Encode into out (cap bytes incl. NUL); *outlen excludes the NUL. */
enum http_err base64_encode(const void *in, size_t n, char *out, size_t cap,
			    size_t *outlen);
/* c may appear in base64 text (RFC 4648 §4): the alphabet or '='. */
bool base64_is_char(int c);
/* Decode into out (cap bytes); *outlen is the decoded size. */
enum http_err base64_decode(const char *in, size_t n, unsigned char *out,
			    size_t cap, size_t *outlen);

#endif

/*
 * http/base64.c - base64 (RFC 4648 §4), strict.
 *
 * Basic credentials travel as base64 (RFC 7617 §2).  An encoding is not a
 * cipher: anyone who sees the header can decode it, which lesson 03 does.
 * Decoding here accepts only the canonical form, so two different strings
 * never decode to the same credentials.
 */
#define _POSIX_C_SOURCE 200809L

#include "base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- Sizes ---- */

/* Characters needed for n input bytes, without the NUL. */
size_t base64_encoded_len(size_t n)
{
	return (n / 3 + (n % 3 != 0)) * 4;
}

/* Largest decoded size for n input characters. */
size_t base64_decoded_max(size_t n)
{
	return n / 4 * 3;
}

/* ---- Encoding ---- */

/*
 * Encode n bytes into out, which holds cap bytes including the NUL.
 * *outlen (may be NULL) gets the length without the NUL.  HTTP_E_NOSPACE
 * when out is too small; nothing is promised about out then.
 */
enum http_err base64_encode(const void *in, size_t n, char *out, size_t cap,
			    size_t *outlen)
{
	const unsigned char *p = in;
	if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
		return HTTP_E_NOSPACE;
	size_t need = base64_encoded_len(n);
	if (cap < need + 1)
		return HTTP_E_NOSPACE;
	size_t o = 0;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v =
		    (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	/* RFC 4648 §4: a final group of one or two bytes is padded with '='. */
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return HTTP_OK;
}

/* ---- Decoding ---- */

/* Value of one alphabet character, or -1 (this also rejects '-', '_'). */
static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* c may appear in base64 text: the alphabet or the pad '='. */
bool base64_is_char(int c)
{
	return c == '=' ||
	       (c >= 0 && c <= 0xff && value_of((unsigned char)c) >= 0);
}

/*
 * Decode n characters into out (cap bytes); *outlen (may be NULL) gets the
 * decoded size.  Canonical only (RFC 4648 §3.1-3.5): length a multiple of
 * 4, padding only at the end and exactly as needed, no whitespace, no
 * characters outside the alphabet, unused bits of the last group zero.
 */
enum http_err base64_decode(const char *in, size_t n, unsigned char *out,
			    size_t cap, size_t *outlen)
{
	if (n % 4 != 0)
		return HTTP_E_BASE64;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		const unsigned char *q = (const unsigned char *)in + i;
		bool last = i + 4 == n;
		int pad = 0;
		if (last && q[3] == '=') {
			pad = 1;
			if (q[2] == '=')
				pad = 2;
		}
		int v[4] = {0, 0, 0, 0};
		for (int k = 0; k < 4 - pad; k++) {
			v[k] = value_of(q[k]);
			if (v[k] < 0)
				return HTTP_E_BASE64;
		}
		/* RFC 4648 §3.5: the bits a pad leaves over must be zero. */
		if (pad == 2 && (v[1] & 0x0f) != 0)
			return HTTP_E_BASE64;
		if (pad == 1 && (v[2] & 0x03) != 0)
			return HTTP_E_BASE64;
		size_t nbytes = 3 - (size_t)pad;
		if (cap - o < nbytes) /* o never passes cap */
			return HTTP_E_NOSPACE;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (unsigned char)(w >> 16);
		if (nbytes > 1)
			out[o++] = (unsigned char)(w >> 8);
		if (nbytes > 2)
			out[o++] = (unsigned char)w;
	}
	if (outlen)
		*outlen = o;
	return HTTP_OK;
}

/*
 * tests/fuzz/fuzz_ntlm.c - a libFuzzer harness for http/ntlm.c: the three
 * message parsers, AV pairs, the NTLMv2 response and the server's check.
 * Seeds: tests/fuzz/corpus/ntlm (MS-NLMP §4.2.4.3's messages and curl's
 * NEGOTIATE).  Besides "no crash", every field a parser returns lies
 * inside the message, and a message built again from a parsed
 * AUTHENTICATE parses to the same fields.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/ntlm.h"
#include "fuzz.h"

#define check fuzz_check

/* f is empty or lies inside m[0..len). */
static void inside(const uint8_t *m, size_t len, struct ntlm_bytes f)
{
	if (f.len == 0)
		return;
	check(f.p >= m && f.p + f.len <= m + len);
}

static void strings(struct ntlm_bytes f)
{
	char s[NTLM_MAX_NAME];

	ntlm_string(f, true, s, sizeof(s));
	check(memchr(s, '\0', sizeof(s)) != NULL);
	ntlm_string(f, false, s, sizeof(s));
	check(memchr(s, '\0', sizeof(s)) != NULL);
}

static void avs(const uint8_t *m, size_t len, struct ntlm_bytes ti)
{
	struct ntlm_av av[NTLM_MAX_AV];
	size_t n = 0;

	if (ntlm_av_parse(ti.p, ti.len, av, NTLM_MAX_AV, &n) != HTTP_OK)
		return;
	check(n <= NTLM_MAX_AV);
	for (size_t i = 0; i < n; i++) {
		inside(m, len, av[i].value);
		strings(av[i].value);
	}
}

static void fuzz_authenticate(const uint8_t *m, size_t len)
{
	static const uint8_t sc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t hash[16] = {0};
	struct ntlm_authenticate a, b;
	struct ntlm_v2_response r;
	static uint8_t out[NTLM_MAX_MESSAGE * 2];
	size_t n = 0;

	if (ntlm_parse_authenticate(m, len, &a) != HTTP_OK)
		return;
	inside(m, len, a.lm_response);
	inside(m, len, a.nt_response);
	inside(m, len, a.domain);
	inside(m, len, a.user);
	inside(m, len, a.workstation);
	inside(m, len, a.session_key);
	strings(a.user);
	strings(a.domain);
	if (ntlm_v2_response_parse(a.nt_response.p, a.nt_response.len, &r) ==
	    HTTP_OK) {
		inside(m, len, r.blob);
		avs(m, len, r.av_pairs);
	}
	/* A random input is no proof for the all-zero hash. */
	check(ntlm_verify(&a, sc, hash, NULL) != HTTP_OK ||
	      a.nt_response.len >= NTLM_V2_MIN_RESPONSE);
	if (ntlm_build_authenticate(&a, out, sizeof(out), &n) == HTTP_OK) {
		check(ntlm_parse_authenticate(out, n, &b) == HTTP_OK ||
		      n > NTLM_MAX_MESSAGE);
		if (n <= NTLM_MAX_MESSAGE) {
			check(b.flags == a.flags);
			check(b.user.len == a.user.len);
			check(b.nt_response.len == a.nt_response.len);
			check(a.user.len == 0 ||
			      memcmp(b.user.p, a.user.p, a.user.len) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *m = (uint8_t *)fuzz_copy(data, size);
	struct ntlm_negotiate ng;
	struct ntlm_challenge ch;
	enum ntlm_type t;

	if (m == NULL)
		return 0;
	if (ntlm_message_type(m, size, &t) == HTTP_OK)
		check(ntlm_type_name((int)t) != NULL);
	if (ntlm_parse_negotiate(m, size, &ng) == HTTP_OK) {
		inside(m, size, ng.domain);
		inside(m, size, ng.workstation);
	}
	if (ntlm_parse_challenge(m, size, &ch) == HTTP_OK) {
		inside(m, size, ch.target_name);
		inside(m, size, ch.target_info);
		avs(m, size, ch.target_info);
	}
	fuzz_authenticate(m, size);
	/* The raw input as target info and as an NT response, too. */
	avs(m, size, (struct ntlm_bytes){m, size});
	{
		struct ntlm_v2_response r;

		if (ntlm_v2_response_parse(m, size, &r) == HTTP_OK)
			inside(m, size, r.av_pairs);
	}
	free(m);
	return 0;
}

/*
 * repl/explain_ntlm.c - `explain N` for NTLM messages (lesson 11).
 *
 * Sections: Fields (flags, strings, AV pairs), The three messages, The
 * proof recomputed.  Everything here reads bytes with http/ntlm.c's
 * bounded parsers; nothing is trusted.
 */
#define _POSIX_C_SOURCE 200809L

#include "explain_ntlm.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../http/auth.h"
#include "../http/base64.h"
#include "../http/ntlm.h"
#include "lab_set.h"

/* ---- Fields ---- */

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Every set flag on its own line: bit, letter, name (MS-NLMP §2.2.2.5). */
static void print_flags(struct repl *r, uint32_t flags)
{
	fprintf(r->out, "        NegotiateFlags 0x%08x:\n", (unsigned)flags);
	for (int b = 0; b < 32; b++) {
		uint32_t bit = 1u << b;
		const char *name = ntlm_flag_name(bit);

		if ((flags & bit) == 0)
			continue;
		fprintf(r->out, "          %c 0x%08x %s\n",
			ntlm_flag_letter(bit), (unsigned)bit,
			name ? name : "(reserved: must be 0)");
	}
}

static void print_string(struct repl *r, const char *label, struct ntlm_bytes s,
			 bool unicode)
{
	char v[NTLM_MAX_NAME];

	if (ntlm_string(s, unicode, v, sizeof(v)) != HTTP_OK)
		snprintf(v, sizeof(v), "(unreadable)");
	fprintf(r->out, "        %-14s '%s' (%zu bytes, %s)\n", label, v, s.len,
		unicode ? "UTF-16LE" : "OEM");
}

/* AV pairs (MS-NLMP §2.2.2.1): names as UTF-16LE, flags and times as hex. */
static void print_avs(struct repl *r, struct ntlm_bytes ti, const char *indent)
{
	struct ntlm_av av[NTLM_MAX_AV];
	size_t n = 0;

	if (ti.len == 0) {
		fprintf(r->out, "%s(no AV pairs)\n", indent);
		return;
	}
	if (ntlm_av_parse(ti.p, ti.len, av, NTLM_MAX_AV, &n) != HTTP_OK) {
		fprintf(r->out, "%s(AV pairs do not parse: %s)\n", indent,
			http_strerror(HTTP_E_NTLM_MESSAGE));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = ntlm_av_name(av[i].id);
		char v[NTLM_MAX_NAME];

		fprintf(r->out, "%s%s (AvId %u): ", indent,
			name ? name : "unknown", (unsigned)av[i].id);
		if (av[i].id >= NTLM_AV_NB_COMPUTER_NAME &&
		    av[i].id <= NTLM_AV_DNS_TREE_NAME &&
		    ntlm_string(av[i].value, true, v, sizeof(v)) == HTTP_OK) {
			fprintf(r->out, "'%s'\n", v);
		} else {
			hex(r->out, av[i].value.p, av[i].value.len);
			fputc('\n', r->out);
		}
	}
	fprintf(r->out, "%sMsvAvEOL (AvId 0): the end of the list\n", indent);
}

/* ---- The three messages ---- */

static void explain_negotiate(struct repl *r, const uint8_t *m, size_t len)
{
	struct ntlm_negotiate ng;

	if (ntlm_parse_negotiate(m, len, &ng) != HTTP_OK) {
		fprintf(r->out, "      NEGOTIATE that does not parse: %s\n",
			http_strerror(HTTP_E_NTLM_MESSAGE));
		return;
	}
	fprintf(r->out,
		"      NTLM message 1 of 3, NEGOTIATE (MS-NLMP §2.2.1.1): "
		"what the client can do; no user, no secret\n");
	print_flags(r, ng.flags);
}

static void explain_challenge(struct repl *r, const uint8_t *m, size_t len)
{
	struct ntlm_challenge c;

	if (ntlm_parse_challenge(m, len, &c) != HTTP_OK) {
		fprintf(r->out, "      CHALLENGE that does not parse: %s\n",
			http_strerror(HTTP_E_NTLM_MESSAGE));
		return;
	}
	fprintf(r->out,
		"      NTLM message 2 of 3, CHALLENGE (MS-NLMP §2.2.1.2): "
		"the server's nonce, for THIS connection only\n");
	print_flags(r, c.flags);
	fprintf(r->out, "        ServerChallenge ");
	hex(r->out, c.server_challenge, NTLM_CHALLENGE_LEN);
	fprintf(r->out, "  (8 random bytes the AUTHENTICATE must prove "
			"knowledge of the password against)\n");
	print_string(r, "TargetName", c.target_name,
		     (c.flags & NTLM_FLAG_UNICODE) != 0);
	fprintf(r->out,
		"        TargetInfo (%zu bytes), which the client "
		"copies into its NTLMv2 blob:\n",
		c.target_info.len);
	print_avs(r, c.target_info, "          ");
}

/* The server challenge of the last CHALLENGE before message m, if any. */
static bool find_challenge(const struct lab *lab, const struct lab_msg *m,
			   uint8_t sc[NTLM_CHALLENGE_LEN])
{
	for (int n = m->n - 1; n >= 1; n--) {
		const struct lab_msg *p = lab_msg_at(lab, n);
		struct http_response resp;
		const struct http_header *h;
		enum http_err e;
		size_t pos = 0;

		if (p == NULL || p->is_request ||
		    http_parse_response(p->bytes.data, p->bytes.len, &resp,
					&e) <= 0)
			continue;
		while ((h = http_header_next(resp.headers, resp.num_headers,
					     "Proxy-Authenticate", &pos)) !=
		       NULL) {
			uint8_t buf[NTLM_MAX_MESSAGE];
			size_t blen = 0;
			struct ntlm_challenge c;
			struct auth_challenge ac;

			/* "NTLM <token68>" (RFC 9110 §11.3) */
			if (auth_parse_credentials(h->value, h->value_len,
						   &ac) != HTTP_OK ||
			    ac.kind != AUTH_SCHEME_NTLM || ac.token68 == NULL ||
			    base64_decode(ac.token68, ac.token68_len, buf,
					  sizeof(buf), &blen) != HTTP_OK ||
			    ntlm_parse_challenge(buf, blen, &c) != HTTP_OK)
				continue;
			memcpy(sc, c.server_challenge, NTLM_CHALLENGE_LEN);
			return true;
		}
	}
	return false;
}

/* ---- The proof recomputed ---- */

static void recompute(struct repl *r, const struct ntlm_authenticate *a,
		      const struct ntlm_v2_response *v2,
		      const struct lab_msg *m)
{
	uint8_t sc[NTLM_CHALLENGE_LEN], nth[NTLM_HASH_LEN], key[NTLM_HASH_LEN];
	uint8_t u16[2 * NTLM_MAX_NAME], d16[2 * NTLM_MAX_NAME];
	uint8_t proof[NTLM_HASH_LEN];
	char user[NTLM_MAX_NAME], dom[NTLM_MAX_NAME];
	bool unicode = (a->flags & NTLM_FLAG_UNICODE) != 0;
	const char *pass;
	size_t nu = 0, nd = 0;
	bool same;

	if (!find_challenge(r->lab, m, sc)) {
		fprintf(r->out, "      (no CHALLENGE earlier in this exchange: "
				"the proxy has nothing to check it against)\n");
		return;
	}
	ntlm_string(a->user, unicode, user, sizeof(user));
	ntlm_string(a->domain, unicode, dom, sizeof(dom));
	pass = lab_password_of(r->lab, LAB_PROXY, user);
	if (pass == NULL) {
		fprintf(r->out,
			"      (%s has no lab password: the proxy "
			"answers 407)\n",
			user);
		return;
	}
	if (ntlm_nt_hash(pass, strlen(pass), nth) != HTTP_OK ||
	    ntlm_utf16(user, strlen(user), u16, sizeof(u16), &nu) != HTTP_OK ||
	    ntlm_utf16(dom, strlen(dom), d16, sizeof(d16), &nd) != HTTP_OK ||
	    ntlm_ntowfv2(nth, (struct ntlm_bytes){u16, nu},
			 (struct ntlm_bytes){d16, nd}, key) != HTTP_OK ||
	    ntlm_proof(key, sc, v2->blob, proof) != HTTP_OK) {
		fprintf(r->out, "      cannot recompute: %s\n",
			http_strerror(HTTP_E_NTLM_CRYPTO));
		return;
	}
	same = CRYPTO_memcmp(proof, v2->proof, NTLM_HASH_LEN) == 0;
	fprintf(r->out,
		"      recomputed with the proxy's lab password for "
		"%s (MS-NLMP §3.3.2):\n        NT hash     = "
		"MD4(UTF-16LE(password)) = ",
		user);
	hex(r->out, nth, NTLM_HASH_LEN);
	fprintf(r->out,
		"\n        NTOWFv2     = HMAC-MD5(NT hash, "
		"UTF-16LE(UPPER('%s') || '%s')) = ",
		user, dom);
	hex(r->out, key, NTLM_HASH_LEN);
	fprintf(r->out, "\n        ServerChallenge (from the CHALLENGE on "
			"this connection) = ");
	hex(r->out, sc, NTLM_CHALLENGE_LEN);
	fprintf(r->out, "\n        NTProofStr  = HMAC-MD5(NTOWFv2, "
			"ServerChallenge || blob) = ");
	hex(r->out, proof, NTLM_HASH_LEN);
	fprintf(r->out, "\n      sent NTProofStr %s%s%s\n",
		repl_color(r, same ? "good" : "bad"),
		same ? "matches: the password was right"
		     : "differs: a wrong password (or another connection's "
		       "challenge)",
		repl_color(r, "off"));
	OPENSSL_cleanse(nth, sizeof(nth));
	OPENSSL_cleanse(key, sizeof(key));
}

static void explain_authenticate(struct repl *r, const uint8_t *m, size_t len,
				 const struct lab_msg *msg)
{
	struct ntlm_authenticate a;
	struct ntlm_v2_response v2;
	bool unicode;
	enum http_err e;

	if (ntlm_parse_authenticate(m, len, &a) != HTTP_OK) {
		fprintf(r->out, "      AUTHENTICATE that does not parse: %s\n",
			http_strerror(HTTP_E_NTLM_MESSAGE));
		return;
	}
	unicode = (a.flags & NTLM_FLAG_UNICODE) != 0;
	fprintf(r->out,
		"      NTLM message 3 of 3, AUTHENTICATE (MS-NLMP §2.2.1.3): "
		"who, and a proof computed from the password; the password "
		"itself is not in it\n");
	print_flags(r, a.flags);
	print_string(r, "UserName", a.user, unicode);
	print_string(r, "DomainName", a.domain, unicode);
	print_string(r, "Workstation", a.workstation, unicode);
	fprintf(r->out,
		"        LmChallengeResponse (%zu bytes): ", a.lm_response.len);
	hex(r->out, a.lm_response.p, a.lm_response.len);
	fprintf(r->out, "\n          (LMv2 = HMAC-MD5(NTOWFv2, ServerChallenge "
			"|| ClientChallenge) || ClientChallenge; not checked "
			"here)\n");
	e = ntlm_v2_response_parse(a.nt_response.p, a.nt_response.len, &v2);
	if (e != HTTP_OK) {
		fprintf(r->out, "        NtChallengeResponse (%zu bytes): %s\n",
			a.nt_response.len, http_strerror(e));
		return;
	}
	fprintf(r->out,
		"        NtChallengeResponse (%zu bytes), NTLMv2 "
		"(MS-NLMP §2.2.2.8):\n          NTProofStr      ",
		a.nt_response.len);
	hex(r->out, v2.proof, NTLM_HASH_LEN);
	fprintf(r->out,
		"\n          blob: RespType %u, HiRespType %u, "
		"TimeStamp 0x%016llx (FILETIME), ClientChallenge ",
		v2.resp_type, v2.hi_resp_type,
		(unsigned long long)v2.timestamp);
	hex(r->out, v2.client_challenge, NTLM_CHALLENGE_LEN);
	fprintf(r->out, "\n          blob AV pairs (the server's target info, "
			"echoed):\n");
	print_avs(r, v2.av_pairs, "            ");
	recompute(r, &a, &v2, msg);
}

void explain_ntlm(struct repl *r, const char *b64, size_t len,
		  const struct lab_msg *m)
{
	uint8_t buf[NTLM_MAX_MESSAGE];
	size_t n = 0;
	enum ntlm_type t;

	if (len == 0) {
		fprintf(r->out, "      NTLM with no message: the server's "
				"opening offer; the client answers with a "
				"NEGOTIATE on this same connection (lesson "
				"11)\n");
		return;
	}
	if (base64_decode(b64, len, buf, sizeof(buf), &n) != HTTP_OK ||
	    ntlm_message_type(buf, n, &t) != HTTP_OK) {
		fprintf(r->out, "      not an NTLM message: %s\n",
			http_strerror(HTTP_E_NTLM_MESSAGE));
		return;
	}
	fprintf(r->out,
		"      %zu bytes after base64, signature "
		"\"NTLMSSP\\0\", MessageType %d\n",
		n, (int)t);
	switch (t) {
	case NTLM_TYPE_NEGOTIATE:
		explain_negotiate(r, buf, n);
		break;
	case NTLM_TYPE_CHALLENGE:
		explain_challenge(r, buf, n);
		break;
	case NTLM_TYPE_AUTHENTICATE:
		explain_authenticate(r, buf, n, m);
		break;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
}

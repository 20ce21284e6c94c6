/*
 * tests/unit/test_negotiate.c - reading a Negotiate token without keys
 * (negotiate_describe), on tokens captured from an exchange with the
 * test realm's KDC (tests/kdc/kdc.sh: realm LAB407.TEST, service
 * HTTP/localhost, throw-away keys), and on every truncation of them.
 * The GSS-API exchange itself runs in tests/integration/negotiate.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/base64.h"
#include "../../http/negotiate.h"

/* curl --proxy-negotiate's first token: SPNEGO around a Kerberos AP-REQ */
static const char req_token[] =
    "YIIC9QYGKwYBBQUCoIIC6TCCAuWgDTALBgkqhkiG9xIBAgKiggLSBIICzmCCAsoG"
    "CSqGSIb3EgECAgEAboICuTCCArWgAwIBBaEDAgEOogcDBQAgAAAAo4IBzWGCAckw"
    "ggHFoAMCAQWhDRsLTEFCNDA3LlRFU1SiHDAaoAMCAQOhEzARGwRIVFRQGwlsb2Nh"
    "bGhvc3SjggGPMIIBi6ADAgESoQMCAQKiggF9BIIBeRcwWQ1n6oLZPeeD9ZTEvK25"
    "x2x2xvg6/AXa3rF0ePoVeqjhfH3UQVzOajHyT089dzY3XWdp5lKqW2YpqRCa7zUQ"
    "+Gu7JO0YyOHlpXE5Ec60MB30cymhmc068Y+J7+W0oP4PGzvQ6cKq0KvD5S12bpjm"
    "ZM8GUdJcvJsrayulw44VCOE5WqhTTO+prr0CO4CjlKbVl8dFJnnhfYvKuotgzqyH"
    "9DGdPJ86qaqEu51VrOlN3uF9u8sH2oe+wLZdvPFl4+4ZTEqeRaFQQE52kWDufL9Q"
    "QKlulg8DD+xjjImpQHTrApk8sidalsCeahRXP64BE+Y2hSXoKeeR/AWF2pTraRgG"
    "rBLk4Ilpo//vO0hX9GOf1QHk0MRPOx56SCK2s9zGs+8kiDr39spxvgNGVhQRQHvT"
    "w766lQ4b8PgbW3TUFmdwhIFmyD9j86QQ6cNzzHpEz4G8imDDnOMkNkyaTQCDZBJ6"
    "1J9LloW0KDmTLdB1qn1hasKcACY4+z3ypIHOMIHLoAMCARKigcMEgcAmatp5sFQv"
    "CFA69LsMsCgSfMJDQUF6RGKEon+tDN7pe3J0yPfYQdQgAs8eQ0Asu8h6uwK2WOkb"
    "yViZ3oPUHZsvoBsz4utwegz9ybsdn8Ef4lwdwtkQS3c/L/G/VtEIbGYV5Bk8tKuJ"
    "C6+zpvYg5FqnrV0B/K5C6/2Tk6ync5xVcumTxdrJjZr3nuWPHj+P3SbHi/0dpZwt"
    "FAN5/FoaEXC++LenPYcNtMWMl/NbQkAoMhRqBoJ4EWALY/z6XsbMROU=";

/* bin/proxy's answer on the 200: SPNEGO NegTokenResp around an AP-REP */
static const char rep_token[] =
    "oYG3MIG0oAMKAQChCwYJKoZIhvcSAQICooGfBIGcYIGZBgkqhkiG9xIBAgICAG+B"
    "iTCBhqADAgEFoQMCAQ+iejB4oAMCARKicQRvuaqNE48HEMecmL7a/HctF6Y480bw"
    "nRFk9wTUBPOz5ytFrwwW9d5xhmpZxEg7L+CrXJ010u56Kn/thm5FshMDl9QDbgic"
    "/re9IYj+F1qC3o6oVqNmEzzCt/dhNltp991Ul3hURV79TXN0NIfFUM2V";

static void test_request_token(void **state)
{
	char out[4096];

	(void)state;
	negotiate_describe(req_token, strlen(req_token), out, sizeof(out));
	assert_non_null(strstr(out, "mechanism 1.3.6.1.5.5.2, SPNEGO"));
	assert_non_null(
	    strstr(out, "mechTypes: 1.2.840.113554.1.2.2, Kerberos 5"));
	assert_non_null(strstr(out, "a ticket for service HTTP/localhost in "
				    "realm LAB407.TEST"));
	assert_non_null(strstr(out, "no password"));
}

static void test_reply_token(void **state)
{
	char out[4096];

	(void)state;
	negotiate_describe(rep_token, strlen(rep_token), out, sizeof(out));
	assert_non_null(strstr(out, "NegTokenResp"));
	assert_non_null(strstr(out, "negState 0 (accept-completed)"));
	assert_non_null(strstr(out, "AP-REP"));
}

/* Every truncation of the decoded tokens, re-encoded: an answer, never a
 * claim the service of a ticket it could not read whole. */
static void test_truncations(void **state)
{
	const char *toks[] = {req_token, rep_token};

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		unsigned char raw[NEGOTIATE_MAX_TOKEN];
		size_t n = 0;

		assert_int_equal(base64_decode(toks[t], strlen(toks[t]), raw,
					       sizeof(raw), &n),
				 HTTP_OK);
		for (size_t k = 0; k < n; k++) {
			char b64[NEGOTIATE_MAX_B64], out[2048];
			size_t bn = 0;

			assert_int_equal(
			    base64_encode(raw, k, b64, sizeof(b64), &bn),
			    HTTP_OK);
			negotiate_describe(b64, bn, out, sizeof(out));
			assert_true(strlen(out) < sizeof(out));
			/* a truncated AP-REQ never names its service */
			if (t == 0)
				assert_null(
				    strstr(out, "HTTP/localhost in realm"));
		}
	}
}

/* Inputs that are not tokens at all. */
static void test_garbage(void **state)
{
	struct {
		const char *comment, *b64, *want;
	} cases[] = {
	    {"empty: the bare challenge", "", "no token"},
	    {"not base64", "%%", "not base64"},
	    {"not DER: one byte", "AA==", "not DER"},
	    {"an OCTET STRING, not a token", "BAEA",
	     "not an InitialContextToken"},
	    /* a length of 0x84ffffffff: four length bytes, far too long */
	    {"a huge length", "YIT/////", "not DER"},
	    /* a NegTokenResp with nothing inside, or a first element cut */
	    {"an empty NegTokenResp", "oQA=", "NegTokenResp"},
	    {"a NegTokenResp cut inside", "oQIwBQ==", "NegTokenResp"},
	};
	char out[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].comment);
		negotiate_describe(cases[i].b64, strlen(cases[i].b64), out,
				   sizeof(out));
		assert_non_null(strstr(out, cases[i].want));
		/* nothing is named that the token does not hold */
		assert_null(strstr(out, "negState"));
		assert_null(strstr(out, "responseToken"));
	}
	/* a tiny output buffer stays terminated */
	negotiate_describe(req_token, strlen(req_token), out, 8);
	assert_true(strlen(out) < 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_token),
	    cmocka_unit_test(test_reply_token),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("negotiate", tests, NULL, NULL);
}

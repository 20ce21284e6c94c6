/*
 * tests/fuzz/fuzz_tlsrec.c - the TLS record reader (http/tlsrec.c).  The
 * input is read whole and one byte at a time: both must give the same
 * events and fail at the same point; every line it describes fits and
 * holds no control byte.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../http/tlsrec.h"
#include "fuzz.h"

#define MAX_EVENTS 256

/* Read in[0..len) in pieces of `step` bytes (0: whole).  Returns the
 * events seen; *failed_at is the offset of the failure or len. */
static size_t run(const char *in, size_t len, size_t step,
		  struct tlsrec_event *evs, size_t *failed_at)
{
	struct tlsrec_reader r;
	size_t pos = 0, n = 0;

	tlsrec_init(&r);
	*failed_at = len;
	while (pos < len) {
		size_t piece = step == 0 || len - pos < step ? len - pos : step;
		struct tlsrec_event ev;
		enum http_err err = HTTP_OK;
		long k;

		memset(&ev, 0, sizeof(ev));
		k = tlsrec_read(&r, in + pos, piece, &ev, &err);
		if (k < 0) {
			fuzz_check(err == HTTP_E_TLS_RECORD ||
				   err == HTTP_E_TLS_HELLO);
			*failed_at = pos;
			return n;
		}
		fuzz_check((size_t)k <= piece);
		fuzz_check(k > 0 || ev.kind != TLSREC_NONE);
		pos += (size_t)k;
		if (ev.kind != TLSREC_NONE && n < MAX_EVENTS) {
			char line[512];
			size_t i;

			tlsrec_describe(&ev, line, sizeof(line));
			for (i = 0; line[i] != '\0'; i++)
				fuzz_check((unsigned char)line[i] >= 0x20);
			evs[n++] = ev;
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsrec_event a[MAX_EVENTS], b[MAX_EVENTS];
	char *buf = fuzz_copy(data, size);
	size_t na, nb, fa, fb, i;

	if (buf == NULL)
		return 0;
	na = run(buf, size, 0, a, &fa);
	nb = run(buf, size, 1, b, &fb);
	fuzz_check(na == nb);
	for (i = 0; i < na; i++)
		fuzz_check(memcmp(&a[i], &b[i], sizeof(a[i])) == 0);
	/* a failure is found at the same byte, whatever the pieces; whole
	 * input stops at the start of the piece, so compare the events */
	fuzz_check((fa == size) == (fb == size));
	free(buf);
	return 0;
}

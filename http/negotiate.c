/*
 * http/negotiate.c - Negotiate (RFC 4559) through GSS-API (MIT krb5).
 *
 * Sections: Words (GSS-API status as a sentence), The proxy, The client,
 * Reading a token (a bounded DER walk for explain).
 */
#define _POSIX_C_SOURCE 200809L

#include "negotiate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "base64.h"

/* RFC 4178: the SPNEGO mechanism, 1.3.6.1.5.5.2. */
static gss_OID_desc spnego_oid = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};

/* ---- Words ---- */

/* GSS-API's own messages for a major/minor status pair, joined. */
static void gss_words(OM_uint32 major, OM_uint32 minor, char *out, size_t cap)
{
	size_t used = 0;
	int types[2] = {GSS_C_GSS_CODE, GSS_C_MECH_CODE};
	OM_uint32 codes[2] = {major, minor};

	out[0] = '\0';
	for (int t = 0; t < 2; t++) {
		OM_uint32 ctx = 0, maj, min;

		if (codes[t] == 0)
			continue;
		do {
			gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
			int w;

			maj = gss_display_status(&min, codes[t], types[t],
						 GSS_C_NO_OID, &ctx, &msg);
			if (GSS_ERROR(maj))
				break;
			w = snprintf(out + used, cap - used, "%s%.*s",
				     used ? "; " : "", (int)msg.length,
				     (const char *)msg.value);
			gss_release_buffer(&min, &msg);
			if (w < 0 || (size_t)w >= cap - used)
				return;
			used += (size_t)w;
		} while (ctx != 0);
	}
}

/* ---- The proxy ---- */

enum http_err negotiate_server_init(const char *keytab, char *err,
				    size_t err_cap)
{
	OM_uint32 maj, min;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	char words[NEGOTIATE_MAX_REASON];

	if (keytab == NULL || keytab[0] == '\0') {
		snprintf(err, err_cap,
			 "Negotiate needs --keytab FILE (the "
			 "proxy's HTTP/ service key)");
		return HTTP_E_CONFIG;
	}
	maj = gsskrb5_register_acceptor_identity(keytab);
	if (GSS_ERROR(maj)) {
		snprintf(err, err_cap, "cannot use keytab %s", keytab);
		return HTTP_E_CONFIG;
	}
	/* Any key in the keytab may accept (GSS_C_NO_NAME). */
	maj =
	    gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE,
			     GSS_C_NO_OID_SET, GSS_C_ACCEPT, &cred, NULL, NULL);
	if (GSS_ERROR(maj)) {
		gss_words(maj, min, words, sizeof(words));
		snprintf(err, err_cap,
			 "keytab %s has no usable service key: %s", keytab,
			 words);
		return HTTP_E_CONFIG;
	}
	gss_release_cred(&min, &cred);
	return HTTP_OK;
}

void negotiate_conn_init(struct negotiate_conn *c)
{
	c->ctx = NULL;
}

void negotiate_conn_free(struct negotiate_conn *c)
{
	OM_uint32 min;
	gss_ctx_id_t ctx = c->ctx;

	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	c->ctx = NULL;
}

/* The principal's name without "@REALM", for the ACL. */
static void primary(const char *principal, char *out, size_t cap)
{
	const char *at = strrchr(principal, '@');
	size_t n = at ? (size_t)(at - principal) : strlen(principal);

	snprintf(out, cap, "%.*s", (int)n, principal);
}

void negotiate_accept(struct negotiate_conn *c, const char *b64, size_t len,
		      struct negotiate_result *r)
{
	size_t n = 0, olen = 0;
	gss_buffer_desc itok, otok = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	gss_ctx_id_t ctx = c->ctx;
	OM_uint32 maj, min, tmp;
	char words[NEGOTIATE_MAX_REASON - 64];

	memset(r, 0, sizeof(*r));
	r->verdict = NEGOTIATE_MALFORMED; /* default deny */
	r->err = HTTP_E_BASE64;
	{
		unsigned char buf[NEGOTIATE_MAX_TOKEN];

		if (b64 == NULL || len == 0 || len >= NEGOTIATE_MAX_B64 ||
		    base64_decode(b64, len, buf, sizeof(buf), &n) != HTTP_OK ||
		    n == 0) {
			negotiate_conn_free(c);
			snprintf(r->reason, sizeof(r->reason),
				 "the Negotiate token is not valid base64 "
				 "(or empty, or too long)");
			return;
		}
		itok.value = buf;
		itok.length = n;
		maj =
		    gss_accept_sec_context(&min, &ctx, GSS_C_NO_CREDENTIAL,
					   &itok, GSS_C_NO_CHANNEL_BINDINGS,
					   &src, NULL, &otok, NULL, NULL, NULL);
	}
	c->ctx = ctx;
	if (otok.length > 0 &&
	    base64_encode(otok.value, otok.length, r->token, sizeof(r->token),
			  &olen) != HTTP_OK)
		r->token[0] = '\0';
	gss_release_buffer(&tmp, &otok);
	if (GSS_ERROR(maj)) {
		gss_words(maj, min, words, sizeof(words));
		negotiate_conn_free(c);
		r->verdict = NEGOTIATE_REFUSED;
		r->err = HTTP_E_NEGOTIATE;
		r->token[0] = '\0';
		snprintf(r->reason, sizeof(r->reason),
			 "Negotiate token refused by GSS-API: %s", words);
		goto out;
	}
	if (maj & GSS_S_CONTINUE_NEEDED) {
		r->verdict = NEGOTIATE_CONTINUE;
		r->err = HTTP_OK;
		snprintf(r->reason, sizeof(r->reason),
			 "Negotiate: GSS-API wants another leg on this "
			 "connection");
		goto out;
	}
	if (gss_display_name(&min, src, &name, NULL) == GSS_S_COMPLETE) {
		snprintf(r->principal, sizeof(r->principal), "%.*s",
			 (int)name.length, (const char *)name.value);
		gss_release_buffer(&tmp, &name);
	}
	primary(r->principal, r->user, sizeof(r->user));
	negotiate_conn_free(c); /* done: nothing more to keep */
	r->verdict = NEGOTIATE_OK;
	r->err = HTTP_OK;
	snprintf(r->reason, sizeof(r->reason),
		 "Negotiate: the Kerberos ticket for this proxy's service "
		 "principal decrypted with its key; the client is %s",
		 r->principal);
out:
	if (src != GSS_C_NO_NAME)
		gss_release_name(&tmp, &src);
}

/* ---- The client ---- */

void negotiate_client_init(struct negotiate_client *c)
{
	c->ctx = NULL;
	c->target = NULL;
	c->sent = false;
}

void negotiate_client_free(struct negotiate_client *c)
{
	OM_uint32 min;
	gss_ctx_id_t ctx = c->ctx;

	gss_name_t target = c->target;

	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	if (target != GSS_C_NO_NAME)
		gss_release_name(&min, &target);
	c->ctx = NULL;
	c->target = NULL;
}

enum http_err negotiate_client_start(struct negotiate_client *c,
				     const char *host, char *out_b64,
				     size_t cap, char *err, size_t err_cap)
{
	char svc[NEGOTIATE_MAX_NAME];
	gss_buffer_desc nbuf, otok = GSS_C_EMPTY_BUFFER;
	gss_name_t target = GSS_C_NO_NAME;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 maj, min, tmp;
	size_t olen = 0;
	enum http_err e = HTTP_E_NEGOTIATE;

	negotiate_client_free(c);
	/* RFC 4559 §4: the service is HTTP at the host the client used. */
	snprintf(svc, sizeof(svc), "HTTP@%s", host);
	nbuf.value = svc;
	nbuf.length = strlen(svc);
	maj = gss_import_name(&min, &nbuf, GSS_C_NT_HOSTBASED_SERVICE, &target);
	if (GSS_ERROR(maj)) {
		gss_words(maj, min, err, err_cap);
		return e;
	}
	maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ctx, target,
				   &spnego_oid, GSS_C_MUTUAL_FLAG, 0,
				   GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
				   NULL, &otok, NULL, NULL);
	c->target = target; /* the next leg names the same target */
	if (GSS_ERROR(maj)) {
		char words[NEGOTIATE_MAX_REASON];

		gss_words(maj, min, words, sizeof(words));
		snprintf(err, err_cap, "no token for %s: %s", svc, words);
		if (ctx != GSS_C_NO_CONTEXT)
			gss_delete_sec_context(&tmp, &ctx, GSS_C_NO_BUFFER);
		gss_release_buffer(&tmp, &otok);
		return e;
	}
	c->ctx = ctx;
	c->sent = true;
	if (base64_encode(otok.value, otok.length, out_b64, cap, &olen) ==
	    HTTP_OK) {
		e = HTTP_OK;
		snprintf(err, err_cap, "a token for %s (%zu bytes)", svc,
			 (size_t)otok.length);
	} else {
		snprintf(err, err_cap, "the token for %s is too large", svc);
	}
	gss_release_buffer(&tmp, &otok);
	return e;
}

enum http_err negotiate_client_finish(struct negotiate_client *c,
				      const char *b64, size_t len, char *err,
				      size_t err_cap)
{
	unsigned char buf[NEGOTIATE_MAX_TOKEN];
	gss_buffer_desc itok, otok = GSS_C_EMPTY_BUFFER;
	gss_ctx_id_t ctx = c->ctx;
	OM_uint32 maj, min, tmp;
	size_t n = 0;

	if (ctx == GSS_C_NO_CONTEXT) {
		snprintf(err, err_cap, "no Negotiate context to finish");
		return HTTP_E_NEGOTIATE;
	}
	if (base64_decode(b64, len, buf, sizeof(buf), &n) != HTTP_OK) {
		snprintf(err, err_cap,
			 "the server's Negotiate token is not "
			 "base64");
		return HTTP_E_BASE64;
	}
	itok.value = buf;
	itok.length = n;
	maj = gss_init_sec_context(
	    &min, GSS_C_NO_CREDENTIAL, &ctx, (gss_name_t)c->target, &spnego_oid,
	    GSS_C_MUTUAL_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS, &itok, NULL, &otok,
	    NULL, NULL);
	c->ctx = ctx;
	gss_release_buffer(&tmp, &otok);
	if (GSS_ERROR(maj) || (maj & GSS_S_CONTINUE_NEEDED)) {
		gss_words(maj, min, err, err_cap);
		return HTTP_E_NEGOTIATE;
	}
	snprintf(err, err_cap,
		 "mutual authentication verified: the proxy "
		 "holds the service key");
	return HTTP_OK;
}

/* ---- Reading a token ---- */

/* One DER element: tag, and the bounds of its contents. */
struct der {
	unsigned tag;
	const uint8_t *p;
	size_t len;
};

/* Read the element at *pos of b[0..n); false past the end or when the
 * length form is not one we read (indefinite, over 4 bytes). */
static bool der_next(const uint8_t *b, size_t n, size_t *pos, struct der *d)
{
	size_t i = *pos, len = 0;

	if (i + 2 > n)
		return false;
	d->tag = b[i++];
	if ((d->tag & 0x1f) == 0x1f)
		return false; /* multi-byte tags: not in these tokens */
	if (b[i] < 0x80) {
		len = b[i++];
	} else {
		unsigned k = b[i++] & 0x7fu;

		if (k == 0 || k > 4 || i + k > n)
			return false;
		while (k-- > 0)
			len = (len << 8) | b[i++];
	}
	if (len > n - i)
		return false;
	d->p = b + i;
	d->len = len;
	*pos = i + len;
	return true;
}

/* Dotted form of an OID's contents. */
static void oid_text(const struct der *d, char *out, size_t cap)
{
	size_t used = 0;
	unsigned long v = 0;
	bool first = true;

	out[0] = '\0';
	for (size_t i = 0; i < d->len; i++) {
		int w;

		v = (v << 7) | (d->p[i] & 0x7fu);
		if (d->p[i] & 0x80)
			continue;
		if (first)
			w = snprintf(out + used, cap - used, "%lu.%lu",
				     v < 80 ? v / 40 : 2,
				     v < 80 ? v % 40 : v - 80);
		else
			w = snprintf(out + used, cap - used, ".%lu", v);
		if (w < 0 || (size_t)w >= cap - used)
			return;
		used += (size_t)w;
		first = false;
		v = 0;
	}
}

static const char *oid_name(const char *dotted)
{
	static const struct {
		const char *oid, *name;
	} names[] = {
	    {"1.3.6.1.5.5.2", "SPNEGO (RFC 4178)"},
	    {"1.2.840.113554.1.2.2", "Kerberos 5 (RFC 4121)"},
	    {"1.2.840.48018.1.2.2", "Kerberos 5, Microsoft's legacy OID"},
	    {"1.3.6.1.4.1.311.2.2.10", "NTLMSSP"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(dotted, names[i].oid) == 0)
			return names[i].name;
	return "unknown mechanism";
}

/* Append one line to out. */
static void line(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line(char *out, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used + 2 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, cap - used - 1, fmt, ap);
	va_end(ap);
	used = strlen(out);
	out[used] = '\n';
	out[used + 1] = '\0';
}

/* The first element with tag `tag` among the elements of d. */
static bool der_find(const struct der *d, unsigned tag, struct der *out)
{
	size_t pos = 0;

	while (der_next(d->p, d->len, &pos, out))
		if (out->tag == tag)
			return true;
	return false;
}

/* A Kerberos AP-REQ (RFC 4120 §5.5.1): the ticket's realm and sname are
 * in clear; the authenticator and the ticket's enc-part are not. */
static void describe_ap_req(const struct der *apreq, char *out, size_t cap)
{
	struct der seq, tkt, tktapp, tseq, realm, rs, sname, snseq, strs, s;
	size_t pos = 0;
	char svc[NEGOTIATE_MAX_NAME] = "";

	if (!der_next(apreq->p, apreq->len, &pos, &seq) || seq.tag != 0x30 ||
	    !der_find(&seq, 0xa3, &tkt))
		return;
	pos = 0;
	if (!der_next(tkt.p, tkt.len, &pos, &tktapp) || tktapp.tag != 0x61)
		return;
	pos = 0;
	if (!der_next(tktapp.p, tktapp.len, &pos, &tseq) || tseq.tag != 0x30 ||
	    !der_find(&tseq, 0xa1, &realm) || !der_find(&tseq, 0xa2, &sname))
		return;
	pos = 0;
	if (!der_next(realm.p, realm.len, &pos, &rs))
		return;
	pos = 0;
	if (der_next(sname.p, sname.len, &pos, &snseq) &&
	    der_find(&snseq, 0xa1, &strs)) {
		size_t p2 = 0, used = 0;
		struct der seqof;

		if (der_next(strs.p, strs.len, &p2, &seqof)) {
			size_t p3 = 0;

			while (der_next(seqof.p, seqof.len, &p3, &s)) {
				int w = snprintf(svc + used, sizeof(svc) - used,
						 "%s%.*s", used ? "/" : "",
						 (int)s.len, (const char *)s.p);

				if (w < 0 || (size_t)w >= sizeof(svc) - used)
					break;
				used += (size_t)w;
			}
		}
	}
	line(out, cap,
	     "Kerberos AP-REQ (RFC 4120 §5.5.1): a ticket for "
	     "service %s in realm %.*s",
	     svc, (int)rs.len, (const char *)rs.p);
	line(out, cap,
	     "readable without keys: only the realm and the service "
	     "name; the ticket's enc-part (the client's name, the "
	     "session key) is encrypted with the service's key, the "
	     "authenticator with the session key");
	line(out, cap,
	     "no password, and nothing derived from one, is in the "
	     "token: the password was used only by kinit, with the "
	     "KDC, to get the ticket-granting ticket");
}

/* NegTokenResp (RFC 4178 §4.2.2): the server's answer, inside top. */
static void describe_resp(const struct der *top, char *out, size_t cap)
{
	struct der rseq, res, rtok;
	size_t p2 = 0;

	line(out, cap,
	     "SPNEGO NegTokenResp (RFC 4178 §4.2.2): the "
	     "acceptor's answer");
	/* nothing inside (an empty NegTokenResp): rseq is not read */
	if (!der_next(top->p, top->len, &p2, &rseq))
		return;
	if (der_find(&rseq, 0xa0, &res) && res.len >= 3)
		line(out, cap, "negState %u (%s)", res.p[2],
		     res.p[2] == 0   ? "accept-completed"
		     : res.p[2] == 1 ? "accept-incomplete"
		     : res.p[2] == 2 ? "reject"
				     : "request-mic");
	if (der_find(&rseq, 0xa2, &rtok))
		line(out, cap,
		     "responseToken: %zu bytes (a Kerberos "
		     "AP-REP: the proxy's proof that it "
		     "decrypted the ticket, for mutual "
		     "authentication)",
		     rtok.len);
}

/* The mechToken krb (an OCTET STRING): a Kerberos AP-REQ is described. */
static void describe_krb(const struct der *krb, char *out, size_t cap)
{
	struct der kapp, koid, apreq;
	size_t p2 = 0, p3 = 0;

	if (!der_next(krb->p, krb->len, &p2, &kapp) || kapp.tag != 0x60)
		return;
	if (!der_next(kapp.p, kapp.len, &p3, &koid) || koid.tag != 0x06 ||
	    p3 + 2 > kapp.len)
		return;
	/* RFC 4121: after the OID, TOK_ID 01 00 is an AP-REQ */
	if (kapp.p[p3] != 0x01 || kapp.p[p3 + 1] != 0x00)
		return;
	p3 += 2;
	if (der_next(kapp.p, kapp.len, &p3, &apreq) && apreq.tag == 0x6e)
		describe_ap_req(&apreq, out, cap);
}

/* InitialContextToken (RFC 2743 §3.1) top: its mechanism, SPNEGO's
 * mechTypes and the first mechanism's token. */
static void describe_init(const struct der *top, char *out, size_t cap)
{
	struct der oid, inner, seq, mechs, mtok, item, krb, list;
	char dotted[64];
	size_t pos = 0, p2 = 0, p3 = 0;

	if (!der_next(top->p, top->len, &pos, &oid) || oid.tag != 0x06)
		return;
	oid_text(&oid, dotted, sizeof(dotted));
	line(out, cap, "InitialContextToken (RFC 2743 §3.1), mechanism %s, %s",
	     dotted, oid_name(dotted));
	if (!der_next(top->p, top->len, &pos, &inner) || inner.tag != 0xa0)
		return;
	pos = 0;
	if (!der_next(inner.p, inner.len, &pos, &seq) || seq.tag != 0x30)
		return;
	if (der_find(&seq, 0xa0, &mechs) &&
	    der_next(mechs.p, mechs.len, &p2, &list))
		while (der_next(list.p, list.len, &p3, &item))
			if (item.tag == 0x06) {
				oid_text(&item, dotted, sizeof(dotted));
				line(out, cap, "mechTypes: %s, %s", dotted,
				     oid_name(dotted));
			}
	if (!der_find(&seq, 0xa2, &mtok))
		return;
	pos = 0;
	if (!der_next(mtok.p, mtok.len, &pos, &krb) || krb.tag != 0x04)
		return;
	line(out, cap, "mechToken: %zu bytes for the first mechanism", krb.len);
	describe_krb(&krb, out, cap);
}

void negotiate_describe(const char *b64, size_t len, char *out, size_t cap)
{
	unsigned char buf[NEGOTIATE_MAX_TOKEN];
	size_t n = 0, pos = 0;
	struct der top;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (b64 == NULL || len == 0) {
		line(out, cap,
		     "Negotiate with no token: the proxy's offer; "
		     "the client answers with a GSS-API token");
		return;
	}
	if (base64_decode(b64, len, buf, sizeof(buf), &n) != HTTP_OK) {
		line(out, cap, "not base64");
		return;
	}
	line(out, cap, "%zu bytes of GSS-API token", n);
	if (!der_next(buf, n, &pos, &top)) {
		line(out, cap, "not DER");
		return;
	}
	if (top.tag == 0xa1)
		describe_resp(&top, out, cap);
	else if (top.tag != 0x60)
		line(out, cap, "not an InitialContextToken (tag 0x%02x)",
		     top.tag);
	else
		describe_init(&top, out, cap);
}

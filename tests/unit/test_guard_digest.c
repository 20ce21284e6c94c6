/*
 * tests/unit/test_guard_digest.c - Digest checking on the server side
 * (http/guard_digest.c), through guard_check() and guard_verify() /
 * guard_commit(): every algorithm, rspauth, the field table, stale,
 * replay, nc syntax, eviction, quoting of what is written back, and
 * auth-int with a body that streams.
 *
 * Digest credentials here are built with digest_compute() directly, not
 * with http/answer.c, so a bug in the client cannot hide one in the
 * server; test_answer.c does the round trip.
 */
#define _POSIX_C_SOURCE 200809L

#include "guard_world.h"

#include <unistd.h>

#include "../../http/bearer.h"
#include "../../http/users_load.h"

#define ALICE "Basic YWxpY2U6d29uZGVybGFuZA==" /* alice:wonderland */

/* ---- Digest credentials, built by hand ---- */

struct dreq {
	enum digest_alg alg;
	bool send_alg; /* write algorithm= */
	enum digest_qop qop;
	const char *user;
	const char *pass;
	const char *realm;
	const char *nonce; /* NULL: a fresh one from the world */
	const char *uri;
	const char *target; /* request-target; NULL: same as uri */
	const char *method;
	uint32_t nc;
	const char *cnonce;
	const char *body;
	bool userhash;
	const char *omit;	   /* a param not to write */
	const char *response;	   /* override the computed response */
	const char *nc_text;	   /* override the nc text */
	const char *nc_raw;	   /* write `nc=` and these bytes as they are */
	const char *qop_text;	   /* override the qop text */
	const char *alg_text;	   /* override the algorithm text */
	const char *userhash_text; /* write userhash= this, username plain */
	const char *opaque;	   /* write opaque= this */
	const char *extra;	   /* appended as it is: ", name=value" */
};

/* A request as alice would make it, MD5/auth, to the proxy. */
static struct dreq dreq_default(void)
{
	struct dreq d;

	memset(&d, 0, sizeof(d));
	d.alg = DIGEST_MD5;
	d.send_alg = true;
	d.qop = DIGEST_QOP_AUTH;
	d.user = "alice";
	d.pass = "wonderland";
	d.realm = PREALM;
	d.uri = PTARGET;
	d.method = "GET";
	d.nc = 1;
	d.cnonce = "0a4f113b";
	return d;
}

/* Write `, name=value` unless omitted. */
static void put(struct http_buf *b, const struct dreq *d, bool *first,
		const char *name, const char *value, bool quote)
{
	if (d->omit != NULL && strcmp(d->omit, name) == 0)
		return;
	assert_true(auth_write_param(b, *first, name, value, quote));
	*first = false;
}

/* The credentials value for d into b (a nonce is made if none given). */
static void digest_value(struct world *w, const struct dreq *d,
			 struct http_buf *b)
{
	struct digest_input in;
	char resp[DIGEST_HEX_MAX + 1], uh[DIGEST_HEX_MAX + 1];
	char nonce[128], ncs[16];
	bool first = true;

	if (d->nonce == NULL)
		assert_int_equal(
		    digest_nonce_make(&w->st.key, NOW, nonce, sizeof(nonce)),
		    HTTP_OK);
	else
		snprintf(nonce, sizeof(nonce), "%s", d->nonce);
	memset(&in, 0, sizeof(in));
	in.alg = d->alg;
	in.qop = d->qop;
	in.user = d->user;
	in.realm = d->realm;
	in.password = d->pass;
	in.nonce = nonce;
	in.cnonce = d->cnonce;
	in.nc = d->nc;
	in.method = d->method;
	in.uri = d->uri;
	in.body = d->body;
	in.body_len = d->body ? strlen(d->body) : 0;
	assert_int_equal(digest_compute(&in, NULL, resp), HTTP_OK);
	snprintf(ncs, sizeof(ncs), "%08x", (unsigned)d->nc);

	assert_true(http_buf_puts(b, "Digest "));
	if (d->userhash) {
		assert_int_equal(digest_userhash(d->alg, d->user, d->realm, uh),
				 HTTP_OK);
		put(b, d, &first, "username", uh, true);
		put(b, d, &first, "userhash", "true", false);
	} else {
		put(b, d, &first, "username", d->user, true);
		if (d->userhash_text != NULL)
			put(b, d, &first, "userhash", d->userhash_text, false);
	}
	put(b, d, &first, "realm", d->realm, true);
	put(b, d, &first, "nonce", nonce, true);
	put(b, d, &first, "uri", d->uri, true);
	if (d->send_alg || d->alg_text)
		put(b, d, &first, "algorithm",
		    d->alg_text ? d->alg_text : digest_alg_name(d->alg), false);
	if (d->qop != DIGEST_QOP_NONE || d->qop_text) {
		put(b, d, &first, "qop",
		    d->qop_text ? d->qop_text : digest_qop_name(d->qop), false);
		if (d->nc_raw != NULL)
			assert_true(http_buf_printf(b, ", nc=%s", d->nc_raw));
		else
			put(b, d, &first, "nc", d->nc_text ? d->nc_text : ncs,
			    false);
		put(b, d, &first, "cnonce", d->cnonce, true);
	} else if (digest_alg_is_sess(d->alg)) {
		/* a -sess A1 needs the cnonce even without qop */
		put(b, d, &first, "cnonce", d->cnonce, true);
	}
	put(b, d, &first, "response", d->response ? d->response : resp, true);
	if (d->opaque != NULL)
		put(b, d, &first, "opaque", d->opaque, true);
	if (d->extra != NULL)
		assert_true(http_buf_puts(b, d->extra));
}

/* Send d to the world at `now`. */
static void digest_check(struct world *w, const struct dreq *d, uint64_t now,
			 struct guard_result *r)
{
	struct http_buf v, h;

	http_buf_init(&v, 0);
	http_buf_init(&h, 0);
	digest_value(w, d, &v);
	assert_false(v.failed);
	assert_true(http_write_header(&h, guard_credentials_field(&w->cfg),
				      v.data, v.len));
	check_at(w, d->method, d->target ? d->target : d->uri, h.data, d->body,
		 now, r);
	http_buf_free(&v);
	http_buf_free(&h);
}

/* Every algorithm x qop (and the RFC 2069 form), proxy and origin. */
static void test_digest_every_alg(void **state)
{
	static const enum digest_qop qops[] = {
	    DIGEST_QOP_AUTH, DIGEST_QOP_AUTH_INT, DIGEST_QOP_NONE};

	(void)state;
	for (int side = 0; side < 2; side++) {
		for (size_t a = 0; a < DIGEST_ALG_COUNT; a++) {
			for (size_t q = 0; q < 3; q++) {
				struct world *w =
				    world_new(side == 0, "digest");
				struct dreq d = dreq_default();
				struct guard_result r;

				print_message("case: %s %s %s\n",
					      side == 0 ? "proxy" : "origin",
					      digest_alg_name(a),
					      qops[q] ? digest_qop_name(qops[q])
						      : "none");
				if (qops[q] == DIGEST_QOP_NONE)
					w->cfg.qops = 0;
				d.alg = (enum digest_alg)a;
				d.qop = qops[q];
				d.realm = side == 0 ? PREALM : OREALM;
				d.uri = side == 0 ? PTARGET : OTARGET;
				d.method = "POST";
				d.body = "a=1&b=2";
				digest_check(w, &d, NOW + 1, &r);
				if (r.verdict != GUARD_OK)
					fail_msg("verdict %d: %s", r.verdict,
						 r.reason);
				assert_int_equal(r.scheme, AUTH_SCHEME_DIGEST);
				assert_string_equal(r.user, "alice");
				/* RFC 7616 §3.5: Authentication-Info */
				assert_non_null(strstr(r.info, "nextnonce=\""));
				if (qops[q] == DIGEST_QOP_AUTH) {
					assert_non_null(strstr(r.info,
							       ", qop=auth, "
							       "rspauth=\""));
					assert_non_null(strstr(
					    r.info, "cnonce=\"0a4f113b\", "
						    "nc=00000001"));
				} else {
					/* none, or auth-int: whose rspauth
					 * would need the response body */
					assert_null(strstr(r.info, "rspauth"));
					assert_null(strstr(r.info, "qop="));
				}
				world_free(w);
			}
		}
	}
}

/* The rspauth in info is the RFC 7616 §3.5 value (A2 = ":" uri). */
static void test_digest_rspauth(void **state)
{
	struct world *w = world_new(true, "digest");
	struct dreq d = dreq_default();
	struct guard_result r;
	struct digest_input in;
	char want[DIGEST_HEX_MAX + 1], exp[256];
	const char *p;
	char nonce[128];

	(void)state;
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, nonce, sizeof(nonce)), HTTP_OK);
	d.nonce = nonce;
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	memset(&in, 0, sizeof(in));
	in.alg = DIGEST_MD5;
	in.qop = DIGEST_QOP_AUTH;
	in.user = "alice";
	in.realm = PREALM;
	in.password = "wonderland";
	in.nonce = nonce;
	in.cnonce = d.cnonce;
	in.nc = 1;
	in.method = "GET";
	in.uri = PTARGET;
	assert_int_equal(digest_rspauth(&in, want), HTTP_OK);
	snprintf(exp, sizeof(exp), "rspauth=\"%s\"", want);
	assert_non_null(strstr(r.info, exp));
	/* the nextnonce is one of ours, and fresh */
	p = strstr(r.info, "nextnonce=\"");
	assert_non_null(p);
	snprintf(nonce, sizeof(nonce), "%.56s", p + 11);
	assert_int_equal(digest_nonce_check(&w->st.key, nonce, NOW), HTTP_OK);
	world_free(w);
}

/* Each case changes one thing in alice's otherwise good request. */
struct dcase {
	const char *comment;
	bool proxy;
	void (*tweak)(struct world *w, struct dreq *d);
	enum guard_verdict verdict;
	enum http_err err;
	const char *field;
	const char *reason;
};

static void omit_username(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "username";
}
static void omit_realm(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "realm";
}
static void omit_nonce(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "nonce";
}
static void omit_uri(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "uri";
}
static void omit_response(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "response";
}
static void omit_nc(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "nc";
}
static void omit_cnonce(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "cnonce";
}
static void omit_qop(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "qop";
}
static void alg_unknown(struct world *w, struct dreq *d)
{
	(void)w;
	d->alg_text = "SHA-1";
}
static void alg_not_offered(struct world *w, struct dreq *d)
{
	w->cfg.algs[0] = DIGEST_SHA256;
	w->cfg.num_algs = 1;
	(void)d;
}
static void alg_absent_md5(struct world *w, struct dreq *d)
{
	(void)w;
	d->send_alg = false;
}
static void alg_absent_not_offered(struct world *w, struct dreq *d)
{
	w->cfg.algs[0] = DIGEST_SHA256;
	w->cfg.num_algs = 1;
	d->send_alg = false;
}
static void alg_unknown_token(struct world *w, struct dreq *d)
{
	w->cfg.algs[0] = DIGEST_SHA256;
	w->cfg.num_algs = 1;
	d->alg_text = "SHA-999";
}
static void alg_sha256_not_offered(struct world *w, struct dreq *d)
{
	w->cfg.algs[0] = DIGEST_MD5;
	w->cfg.num_algs = 1;
	d->alg = DIGEST_SHA256;
}
static void alg_sess_not_offered(struct world *w, struct dreq *d)
{
	w->cfg.algs[0] = DIGEST_MD5;
	w->cfg.algs[1] = DIGEST_SHA512_256;
	w->cfg.num_algs = 2;
	d->alg = DIGEST_SHA512_256_SESS;
	d->realm = OREALM; /* an origin case */
	d->uri = OTARGET;
}
static void alg_unknown_bad_response(struct world *w, struct dreq *d)
{
	(void)w; /* both: the grammar (400) is checked first */
	d->alg_text = "SHA-999";
	d->response = "xyz";
}
static void qop_unknown_token(struct world *w, struct dreq *d)
{
	w->cfg.qops = DIGEST_QOP_AUTH;
	d->qop_text = "auth-ultra";
	d->realm = OREALM; /* an origin case */
	d->uri = OTARGET;
}
static void qop_auth_only_offered_int(struct world *w, struct dreq *d)
{
	w->cfg.qops = DIGEST_QOP_AUTH_INT;
	d->qop = DIGEST_QOP_AUTH;
}
static void qop_unknown_bad_nc(struct world *w, struct dreq *d)
{
	(void)w; /* both: the grammar (400) is checked first */
	d->qop_text = "auth-ultra";
	d->nc_text = "1";
}
static void opaque_given_none_sent(struct world *w, struct dreq *d)
{
	(void)w;
	d->opaque = "made-up";
}
static void opaque_wrong(struct world *w, struct dreq *d)
{
	snprintf(w->cfg.opaque, sizeof(w->cfg.opaque), "5ccc069c403ebaf9");
	d->opaque = "5ccc069c403ebaf8";
	d->realm = OREALM; /* an origin case */
	d->uri = OTARGET;
}
static void opaque_missing(struct world *w, struct dreq *d)
{
	snprintf(w->cfg.opaque, sizeof(w->cfg.opaque), "5ccc069c403ebaf9");
	(void)d;
}
static void opaque_right(struct world *w, struct dreq *d)
{
	snprintf(w->cfg.opaque, sizeof(w->cfg.opaque), "5ccc069c403ebaf9");
	d->opaque = "5ccc069c403ebaf9";
}
static void userhash_not_offered(struct world *w, struct dreq *d)
{
	(void)w; /* the world offers no userhash */
	d->userhash = true;
}
static void username_star(struct world *w, struct dreq *d)
{
	(void)w;
	d->omit = "username";
	d->extra = ", username*=UTF-8''J%C3%A4s%C3%B8n";
}
static void qop_unknown(struct world *w, struct dreq *d)
{
	(void)w;
	d->qop_text = "auth-conf";
}
static void qop_not_offered(struct world *w, struct dreq *d)
{
	w->cfg.qops = DIGEST_QOP_AUTH;
	d->qop = DIGEST_QOP_AUTH_INT;
}
static void qop_when_none(struct world *w, struct dreq *d)
{
	w->cfg.qops = 0;
	(void)d;
}
static void nc_short(struct world *w, struct dreq *d)
{
	(void)w;
	d->nc_text = "1";
}
static void nc_not_hex(struct world *w, struct dreq *d)
{
	(void)w;
	d->nc_text = "0000000g";
}
static void realm_wrong(struct world *w, struct dreq *d)
{
	(void)w;
	d->realm = "another realm";
}
static void uri_wrong(struct world *w, struct dreq *d)
{
	(void)w;
	d->target = PTARGET;
	d->uri = "http://example.org/other";
}
static void response_short(struct world *w, struct dreq *d)
{
	(void)w;
	d->response = "8ca523f5e9506fed4657c9700eebdb";
}
static void response_long_sha(struct world *w, struct dreq *d)
{
	(void)w;
	d->alg = DIGEST_SHA256;
	d->response = "8ca523f5e9506fed4657c9700eebdbec";
}
static void response_not_hex(struct world *w, struct dreq *d)
{
	(void)w;
	d->response = "zca523f5e9506fed4657c9700eebdbec";
}
static void nonce_forged(struct world *w, struct dreq *d)
{
	(void)w;
	d->nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
}
static void password_wrong(struct world *w, struct dreq *d)
{
	(void)w;
	d->pass = "wrong";
}
static void user_unknown(struct world *w, struct dreq *d)
{
	(void)w;
	d->user = "nobody";
}
static void userhash_ok(struct world *w, struct dreq *d)
{
	w->cfg.userhash = true;
	d->userhash = true;
	d->alg = DIGEST_SHA256;
}
static void userhash_unknown(struct world *w, struct dreq *d)
{
	w->cfg.userhash = true;
	d->userhash = true;
	d->user = "nobody";
}
static void connect_ok(struct world *w, struct dreq *d)
{
	(void)w;
	d->method = "CONNECT";
	d->uri = "example.org:443";
}
static void sess_no_cnonce(struct world *w, struct dreq *d)
{
	w->cfg.qops = 0;
	d->qop = DIGEST_QOP_NONE;
	d->alg = DIGEST_MD5_SESS;
	d->omit = "cnonce";
}
static void sess_no_qop(struct world *w, struct dreq *d)
{
	w->cfg.qops = 0;
	d->qop = DIGEST_QOP_NONE;
	d->alg = DIGEST_MD5_SESS;
}
static void userhash_not_bool(struct world *w, struct dreq *d)
{
	(void)w;
	d->userhash_text = "yes";
}
static void userhash_false(struct world *w, struct dreq *d)
{
	(void)w;
	d->userhash_text = "FALSE";
}
static void user_bcrypt(struct world *w, struct dreq *d)
{
	/* an htpasswd file: bcrypt, which keeps no HA1 */
	static const char line[] = "alice:$2y$04$2y/P4zboX1z/4gq1cmnfTOu47w9"
				   "XbYXzCv/8N.V.CcSovYYRkLrye\n";
	char path[] = "/tmp/lab407-digest-XXXXXX", err[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	users_free(&w->users);
	assert_int_equal(users_load(path, &w->users, err, sizeof(err)),
			 HTTP_OK);
	unlink(path);
	(void)d;
}
static void control(struct world *w, struct dreq *d)
{
	(void)w;
	(void)d;
}
static void no_users(struct world *w, struct dreq *d)
{
	w->cfg.users = NULL;
	(void)d;
}
static void origin_ok(struct world *w, struct dreq *d)
{
	(void)w;
	d->realm = OREALM;
	d->uri = OTARGET;
}
static void origin_proxy_realm(struct world *w, struct dreq *d)
{
	(void)w;
	d->realm = PREALM;
	d->uri = OTARGET;
}

static const struct dcase dcases[] = {
    /* RFC 7616 §3.4: required fields, each missing in turn */
    {"no username", true, omit_username, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
     "username", "username is missing"},
    {"no realm", true, omit_realm, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
     "realm", "realm is missing"},
    {"no nonce", true, omit_nonce, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
     "nonce", "nonce is missing"},
    {"no uri", true, omit_uri, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "uri",
     "uri is missing"},
    {"no response", true, omit_response, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
     "response", "response is missing"},
    /* with qop, nc and cnonce are required too */
    {"no nc", true, omit_nc, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "nc",
     "nc is missing"},
    {"no cnonce", true, omit_cnonce, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
     "cnonce", "cnonce is missing"},
    /* qop offered but not sent: no downgrade to RFC 2069 */
    {"no qop", true, omit_qop, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
     "qop is missing: the RFC 2069 form without qop was not offered "
     "(offered: qop=auth, auth-int)"},
    /* algorithms */
    /* RFC 7616 §3.3: algorithm = ... / token, so an unknown or not
     * offered one is well-formed: a fresh challenge (RFC 9110 §11.4) */
    {"unknown algorithm", true, alg_unknown, GUARD_BAD, HTTP_E_DIGEST_ALGORITHM,
     "algorithm",
     "Digest algorithm SHA-1 is not one this proxy knows (offered: MD5, "
     "MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess)"},
    {"unknown algorithm token", true, alg_unknown_token, GUARD_BAD,
     HTTP_E_DIGEST_ALGORITHM, "algorithm",
     "Digest algorithm SHA-999 is not one this proxy knows (offered: "
     "SHA-256)"},
    {"algorithm not offered", true, alg_not_offered, GUARD_BAD,
     HTTP_E_DIGEST_ALGORITHM, "algorithm",
     "Digest algorithm MD5 was not offered (offered: SHA-256)"},
    {"SHA-256 when only MD5 offered", true, alg_sha256_not_offered, GUARD_BAD,
     HTTP_E_DIGEST_ALGORITHM, "algorithm",
     "Digest algorithm SHA-256 was not offered (offered: MD5)"},
    {"-sess not offered", false, alg_sess_not_offered, GUARD_BAD,
     HTTP_E_DIGEST_ALGORITHM, "algorithm",
     "Digest algorithm SHA-512-256-sess was not offered (offered: MD5, "
     "SHA-512-256)"},
    {"unknown algorithm, response not hex", true, alg_unknown_bad_response,
     GUARD_MALFORMED, HTTP_E_DIGEST_RESPONSE, "response",
     "Digest response must be hex digits"},
    /* RFC 7616 §3.3: no algorithm is MD5 */
    {"algorithm absent = MD5", true, alg_absent_md5, GUARD_OK, HTTP_OK, "",
     "alice authenticated"},
    {"algorithm absent, MD5 not offered", true, alg_absent_not_offered,
     GUARD_BAD, HTTP_E_DIGEST_ALGORITHM, "algorithm",
     "Digest algorithm MD5 (none named) was not offered (offered: SHA-256)"},
    /* qop values */
    /* RFC 7616 §3.3: qop-value = "auth" / "auth-int" / token: the same */
    {"unknown qop", true, qop_unknown, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
     "Digest qop auth-conf is not one this proxy knows (offered: auth, "
     "auth-int)"},
    {"unknown qop token", false, qop_unknown_token, GUARD_BAD,
     HTTP_E_DIGEST_QOP, "qop",
     "Digest qop auth-ultra is not one this server knows (offered: auth)"},
    {"qop not offered", true, qop_not_offered, GUARD_BAD, HTTP_E_DIGEST_QOP,
     "qop", "Digest qop auth-int was not offered (offered: auth)"},
    {"auth when only auth-int offered", true, qop_auth_only_offered_int,
     GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
     "Digest qop auth was not offered (offered: auth-int)"},
    {"qop when none offered", true, qop_when_none, GUARD_BAD, HTTP_E_DIGEST_QOP,
     "qop", "Digest qop auth was not offered (offered: none)"},
    {"unknown qop, nc not 8LHEX", true, qop_unknown_bad_nc, GUARD_MALFORMED,
     HTTP_E_DIGEST_FIELD, "nc", "8 lowercase hex digits"},
    /* RFC 7616 §3.4: opaque comes back unchanged, or not at all when none
     * was sent; not so is well-formed but unusable */
    {"opaque when none sent", true, opaque_given_none_sent, GUARD_BAD,
     HTTP_E_DIGEST_FIELD, "opaque",
     "Digest opaque \"made-up\" is not the one this proxy sent (none)"},
    {"opaque changed", false, opaque_wrong, GUARD_BAD, HTTP_E_DIGEST_FIELD,
     "opaque",
     "Digest opaque \"5ccc069c403ebaf8\" is not the one this server sent "
     "(\"5ccc069c403ebaf9\")"},
    {"opaque dropped", true, opaque_missing, GUARD_BAD, HTTP_E_DIGEST_FIELD,
     "opaque",
     "Digest opaque is missing (this proxy sent opaque "
     "\"5ccc069c403ebaf9\")"},
    {"opaque unchanged", true, opaque_right, GUARD_OK, HTTP_OK, "",
     "alice authenticated"},
    /* RFC 7616 §3.4.4: userhash=true only where it was offered */
    {"userhash not offered", true, userhash_not_offered, GUARD_BAD,
     HTTP_E_DIGEST_FIELD, "userhash",
     "Digest userhash=true was not offered (this proxy offered no "
     "userhash)"},
    /* RFC 7616 §3.4: username* is defined; this guard cannot read it */
    {"username*", true, username_star, GUARD_BAD, HTTP_E_DIGEST_FIELD,
     "username",
     "username* (RFC 8187 encoding) is not supported by this proxy"},
    /* nc must be 8 hex digits */
    {"nc short", true, nc_short, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "nc",
     "8 lowercase hex digits"},
    {"nc not hex", true, nc_not_hex, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "nc",
     "8 lowercase hex digits"},
    /* another realm: a challenge, naming the realm */
    {"wrong realm", true, realm_wrong, GUARD_BAD, HTTP_E_DIGEST_REALM, "realm",
     "realm \"another realm\""},
    {"origin gets the proxy's realm", false, origin_proxy_realm, GUARD_BAD,
     HTTP_E_DIGEST_REALM, "realm", "lab407 origin"},
    /* RFC 7616 §3.4.6: uri is not the request-target: 400 */
    {"wrong uri", true, uri_wrong, GUARD_MALFORMED, HTTP_E_DIGEST_URI, "uri",
     "is not the request-target"},
    /* response of the wrong length or not hex */
    {"response short", true, response_short, GUARD_MALFORMED,
     HTTP_E_DIGEST_RESPONSE, "response", "32 hex digits"},
    {"md5-length response for sha-256", true, response_long_sha,
     GUARD_MALFORMED, HTTP_E_DIGEST_RESPONSE, "response", "64 hex digits"},
    {"response not hex", true, response_not_hex, GUARD_MALFORMED,
     HTTP_E_DIGEST_RESPONSE, "response", "hex digits"},
    /* someone else's nonce (the RFC's) */
    {"forged nonce", true, nonce_forged, GUARD_BAD, HTTP_E_DIGEST_NONCE,
     "nonce", "nonce was not issued by this proxy"},
    /* wrong password, unknown user */
    {"wrong password", true, password_wrong, GUARD_BAD, HTTP_E_BAD_PASSWORD,
     "response", "does not match"},
    {"unknown user", true, user_unknown, GUARD_BAD, HTTP_E_BAD_USER, "username",
     "unknown user"},
    /* RFC 7616 §3.4.4 userhash */
    {"userhash", true, userhash_ok, GUARD_OK, HTTP_OK, "",
     "alice authenticated (Digest SHA-256)"},
    {"userhash unknown", true, userhash_unknown, GUARD_BAD, HTTP_E_BAD_USER,
     "username", "userhash"},
    /* CONNECT: the uri is the authority */
    {"connect", true, connect_ok, GUARD_OK, HTTP_OK, "", "alice"},
    /* -sess without qop still needs a cnonce for A1 */
    {"sess without qop or cnonce", true, sess_no_cnonce, GUARD_MALFORMED,
     HTTP_E_DIGEST_FIELD, "cnonce", "cnonce is missing"},
    /* -sess without qop, with its cnonce: fine */
    {"sess without qop, with cnonce", true, sess_no_qop, GUARD_OK, HTTP_OK, "",
     "alice authenticated (Digest MD5-sess)"},
    /* RFC 7616 §3.4.4: userhash is true or false, in any case */
    {"userhash not a boolean", true, userhash_not_bool, GUARD_MALFORMED,
     HTTP_E_DIGEST_FIELD, "userhash", "true or false"},
    {"userhash=FALSE: the plain name", true, userhash_false, GUARD_OK, HTTP_OK,
     "", "alice authenticated"},
    /* a user whose store entry has no HA1 (bcrypt) */
    {"bcrypt user", true, user_bcrypt, GUARD_BAD, HTTP_E_CONFIG, "",
     "cannot get HA1 for \"alice\""},
    /* alice's request unchanged passes (the control case) */
    {"control", true, control, GUARD_OK, HTTP_OK, "", "alice"},
    /* no user store configured */
    {"no users", true, no_users, GUARD_BAD, HTTP_E_CONFIG, "", "user store"},
    /* the origin side, same code */
    {"origin ok", false, origin_ok, GUARD_OK, HTTP_OK, "", "alice"},
};

static void test_digest_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *tc = &dcases[i];
		struct world *w = world_new(tc->proxy, "digest");
		struct dreq d = dreq_default();
		struct guard_result r;

		print_message("case: %s\n", tc->comment);
		tc->tweak(w, &d);
		digest_check(w, &d, NOW + 5, &r);
		if (r.verdict != tc->verdict || r.err != tc->err)
			fail_msg("%s: verdict %d err %d (%s), want %d %d",
				 tc->comment, r.verdict, r.err, r.reason,
				 tc->verdict, tc->err);
		assert_string_equal(r.field, tc->field);
		if (strstr(r.reason, tc->reason) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", tc->comment,
				 r.reason, tc->reason);
		if (r.verdict != GUARD_OK)
			assert_string_equal(r.info, "");
		world_free(w);
	}
}

/* An uppercase response is read as hex (lowercased before comparing). */
static void test_digest_uppercase_response(void **state)
{
	struct world *w = world_new(true, "digest");
	struct dreq d = dreq_default();
	struct http_buf v, h;
	struct guard_result r;
	char *p;

	(void)state;
	http_buf_init(&v, 0);
	http_buf_init(&h, 0);
	digest_value(w, &d, &v);
	p = strstr(v.data, "response=\"");
	assert_non_null(p);
	for (p += 10; *p != '"'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	http_write_header(&h, "Proxy-Authorization", v.data, v.len);
	check_at(w, "GET", PTARGET, h.data, NULL, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	/* and Digest in the token68 form is refused as malformed */
	http_buf_reset(&h);
	http_write_header(&h, "Proxy-Authorization", "Digest abc==", 12);
	check_at(w, "GET", PTARGET, h.data, NULL, NOW, &r);
	assert_int_equal(r.verdict, GUARD_MALFORMED);
	assert_non_null(strstr(r.reason, "name=value"));
	http_buf_free(&v);
	http_buf_free(&h);
	world_free(w);
}

/* ---- Digest over time: stale and replay ---- */

static void test_digest_stale(void **state)
{
	struct world *w = world_new(true, "digest");
	struct dreq d = dreq_default();
	struct guard_result r;
	uint64_t late = NOW + DIGEST_NONCE_LIFETIME + 1;

	(void)state;
	/* right password, nonce one second past its lifetime: stale */
	digest_check(w, &d, late, &r);
	assert_int_equal(r.verdict, GUARD_STALE);
	assert_int_equal(r.err, HTTP_E_DIGEST_STALE);
	assert_string_equal(r.user, "alice");
	/* on the last fresh second it is still good */
	digest_check(w, &d, NOW + DIGEST_NONCE_LIFETIME, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	/* wrong password with an old nonce: bad, not stale (RFC 7616 §3.3
	 * says stale only when the response was right) */
	d.pass = "wrong";
	digest_check(w, &d, late, &r);
	assert_int_equal(r.verdict, GUARD_BAD);
	/* a shorter configured lifetime */
	world_free(w);
	w = world_new(true, "digest");
	assert_int_equal(guard_state_init(&w->st, 10), HTTP_OK);
	d = dreq_default();
	digest_check(w, &d, NOW + 11, &r);
	assert_int_equal(r.verdict, GUARD_STALE);
	world_free(w);
}

static void test_digest_replay(void **state)
{
	struct world *w = world_new(true, "digest");
	struct dreq d = dreq_default();
	struct guard_result r;
	char nonce[128];

	(void)state;
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, nonce, sizeof(nonce)), HTTP_OK);
	d.nonce = nonce;
	/* nc 1: fine */
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	/* the same request again: replay */
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_REPLAY);
	assert_int_equal(r.err, HTTP_E_DIGEST_NC);
	assert_string_equal(r.field, "nc");
	assert_non_null(strstr(r.reason, "replayed"));
	/* a forger with a high nc and a wrong password burns nothing */
	d.nc = 9;
	d.pass = "guess";
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_BAD);
	/* so nc 2 from the real alice still works */
	d.nc = 2;
	d.pass = "wonderland";
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	/* and going back to 1 is refused */
	d.nc = 1;
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_REPLAY);
	/* the RFC 2069 form has no nc: no replay detection, by design */
	w->cfg.qops = 0;
	d.qop = DIGEST_QOP_NONE;
	digest_check(w, &d, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	world_free(w);
}

/* ---- nc is 8LHEX (RFC 7616 §3.4) ---- */

/*
 * Each nc spelling sent as is, with a response computed for the count it
 * might be read as: a wrong spelling is a 400 naming nc, never a wrong
 * password (407) and never accepted.
 */
static void test_digest_nc_syntax(void **state)
{
	static const struct {
		const char *comment;
		const char *raw; /* the bytes after nc= */
		uint32_t nc;	 /* the count the response is for */
		enum guard_verdict verdict;
		enum http_err err;
		const char *field;
	} cases[] = {
	    /* uppercase hex: 8HEXDIG but not 8LHEX */
	    {"uppercase", "0000000A", 10, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
	     "nc"},
	    {"uppercase high", "FFFFFFFF", 0xffffffffu, GUARD_MALFORMED,
	     HTTP_E_DIGEST_FIELD, "nc"},
	    /* other widths */
	    {"one digit", "1", 1, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "nc"},
	    {"nine digits", "000000001", 1, GUARD_MALFORMED,
	     HTTP_E_DIGEST_FIELD, "nc"},
	    {"seven digits", "0000001", 1, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
	     "nc"},
	    /* a C prefix makes 8 characters but not 8 hex digits */
	    {"0x prefix", "0x000001", 1, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
	     "nc"},
	    /* empty, as a quoted-string */
	    {"empty quoted", "\"\"", 1, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
	     "nc"},
	    /* with spaces inside a quoted-string */
	    {"leading space", "\" 0000001\"", 1, GUARD_MALFORMED,
	     HTTP_E_DIGEST_FIELD, "nc"},
	    {"inner space", "\"0000 001\"", 1, GUARD_MALFORMED,
	     HTTP_E_DIGEST_FIELD, "nc"},
	    {"trailing space", "\"00000001 \"", 1, GUARD_MALFORMED,
	     HTTP_E_DIGEST_FIELD, "nc"},
	    /* empty and unquoted: the auth-param grammar itself fails */
	    {"empty", "", 1, GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, ""},
	    /* controls: lowercase is right, whatever the count */
	    {"lowercase", "0000000a", 10, GUARD_OK, HTTP_OK, ""},
	    {"one", "00000001", 1, GUARD_OK, HTTP_OK, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world *w = world_new(true, "digest");
		struct dreq d = dreq_default();
		struct guard_result r;

		d.nc = cases[i].nc;
		d.nc_raw = cases[i].raw;
		digest_check(w, &d, NOW, &r);
		if (r.verdict != cases[i].verdict || r.err != cases[i].err)
			fail_msg("nc %s: verdict %d err %d (%s), want %d %d",
				 cases[i].comment, r.verdict, r.err, r.reason,
				 cases[i].verdict, cases[i].err);
		assert_string_equal(r.field, cases[i].field);
		if (cases[i].err == HTTP_E_DIGEST_FIELD)
			assert_non_null(strstr(r.reason, "8 lowercase hex"));
		world_free(w);
	}
}

/* ---- Replay through eviction ---- */

/*
 * Alice's request is captured.  Mallory, who can authenticate, then uses
 * more fresh nonces than the nonce-count table holds.  Alice's captured
 * request must still not be accepted (it is stale: the client would
 * fetch a fresh nonce); Alice with a fresh nonce still gets in.
 */
static void test_digest_replay_after_flood(void **state)
{
	struct world *w = world_new(true, "digest");
	struct dreq alice = dreq_default(), mallory = dreq_default();
	struct guard_result r;
	char captured[128], fresh[128];

	(void)state;
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, captured, sizeof(captured)),
	    HTTP_OK);
	alice.nonce = captured;
	digest_check(w, &alice, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	/* replayed at once: refused */
	digest_check(w, &alice, NOW, &r);
	assert_int_equal(r.verdict, GUARD_REPLAY);

	/* the flood: one more fresh nonce than the table holds, and more */
	mallory.user = "mallory";
	mallory.pass = "letmein";
	for (int i = 0; i < DIGEST_NC_SLOTS + 16; i++) {
		char n[128];

		assert_int_equal(
		    digest_nonce_make(&w->st.key, NOW, n, sizeof(n)), HTTP_OK);
		mallory.nonce = n;
		digest_check(w, &mallory, NOW, &r);
		if (r.verdict != GUARD_OK)
			fail_msg("mallory's nonce %d: %d (%s)", i, r.verdict,
				 r.reason);
	}
	/* alice's captured request again: never accepted */
	digest_check(w, &alice, NOW, &r);
	if (r.verdict == GUARD_OK)
		fail_msg("the captured request was accepted after the flood");
	assert_int_equal(r.verdict, GUARD_STALE);
	assert_string_equal(r.field, "nc"); /* untracked, not expired */
	assert_string_equal(r.info, "");
	/* nor with a higher count */
	alice.nc = 2;
	digest_check(w, &alice, NOW, &r);
	assert_int_equal(r.verdict, GUARD_STALE);
	/* alice's own client, told stale=true, takes a fresh nonce: fine */
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, fresh, sizeof(fresh)), HTTP_OK);
	alice.nonce = fresh;
	alice.nc = 1;
	digest_check(w, &alice, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	world_free(w);
}

/* ---- Quoted strings the server writes back ---- */

/* How many times needle occurs in hay. */
static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * The cnonce is the client's and comes back in Authentication-Info: a
 * quote or backslash in it must stay inside its quoted-string.  The info
 * value parses back to exactly one rspauth and the same cnonce.
 */
static void test_info_cnonce_escaped(void **state)
{
	static const char *const cnonces[] = {
	    "a\"b",			 /* a quote */
	    "a\\b",			 /* a backslash */
	    "\\",			 /* only a backslash */
	    "x\", rspauth=\"forged",	 /* a second rspauth, raw */
	    "x\\\", rspauth=\\\"forged", /* ... with escapes */
	    "\"\"",			 /* two quotes */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cnonces) / sizeof(cnonces[0]); i++) {
		struct world *w = world_new(true, "digest");
		struct dreq d = dreq_default();
		struct guard_result r;
		struct auth_challenge c;
		char line[1200], got[256];

		d.cnonce = cnonces[i];
		digest_check(w, &d, NOW, &r);
		if (r.verdict != GUARD_OK)
			fail_msg("cnonce %zu: %d (%s)", i, r.verdict, r.reason);
		snprintf(line, sizeof(line), "Info %s", r.info);
		assert_int_equal(auth_parse_credentials(line, strlen(line), &c),
				 HTTP_OK);
		assert_int_equal(auth_get(&c, "cnonce", got, sizeof(got)),
				 HTTP_OK);
		assert_string_equal(got, cnonces[i]);
		assert_int_equal(c.num_params, 5);
		assert_non_null(auth_param_find(&c, "rspauth"));
		/* one rspauth= outside the cnonce's quoted-string */
		assert_int_equal(occurrences(r.info, ", rspauth=\""), 1);
		world_free(w);
	}
}

/*
 * What the server takes from its configuration and writes in a quoted-
 * string: realm, opaque, the Bearer error description.  Quote and
 * backslash are escaped; CR, LF, DEL and other controls are refused (the
 * challenge is not written at all) and --realm refuses them up front.
 */
static void test_config_strings_quoted(void **state)
{
	static const struct {
		const char *value;
		bool ok;
	} members[] = {
	    {"a\"b", true},   {"a\\b", true},  {"\\\"", true},
	    {"a\rb", false},  {"a\nb", false}, {"a\x7f", false},
	    {"a\x1b", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *v = members[i].value;
		struct guard_config g;
		struct world *w;
		struct http_buf b;
		struct auth_challenge ch[AUTH_MAX_CHALLENGES];
		size_t n = 0;
		char why[256], got[128];
		enum http_err e;
		const struct http_header *hs;

		/* --realm */
		memset(&g, 0, sizeof(g));
		e = guard_setup_options(&g, true, "basic", v, "MD5", "auth",
					why, sizeof(why));
		if (e != (members[i].ok ? HTTP_OK : HTTP_E_CONFIG))
			fail_msg("member %zu: --realm gave %d (%s)", i, e, why);

		/* realm and opaque in every challenge; Bearer's description */
		w = world_new(true, "digest,basic,bearer");
		snprintf(w->cfg.realm, sizeof(w->cfg.realm), "%s", v);
		snprintf(w->cfg.opaque, sizeof(w->cfg.opaque), "%s", v);
		http_buf_init(&b, 0);
		if (guard_challenge_write(&w->cfg, &w->st, NOW, false, NULL,
					  &b) != members[i].ok)
			fail_msg("member %zu: challenges written=%d", i,
				 !members[i].ok);
		if (members[i].ok) {
			struct http_response resp;
			char raw[8192];
			int len = snprintf(raw, sizeof(raw),
					   "HTTP/1.1 407 X\r\n%s\r\n", b.data);

			assert_int_equal(
			    http_parse_response(raw, (size_t)len, &resp, &e),
			    len);
			hs = resp.headers;
			assert_int_equal(
			    auth_collect_challenges(hs, resp.num_headers,
						    "Proxy-Authenticate", ch,
						    AUTH_MAX_CHALLENGES, &n),
			    HTTP_OK);
			assert_true(n >= 3);
			for (size_t j = 0; j < n; j++) {
				assert_int_equal(
				    auth_get(&ch[j], "realm", got, sizeof(got)),
				    HTTP_OK);
				assert_string_equal(got, v);
				if (ch[j].kind == AUTH_SCHEME_DIGEST) {
					assert_int_equal(auth_get(&ch[j],
								  "opaque", got,
								  sizeof(got)),
							 HTTP_OK);
					assert_string_equal(got, v);
				}
			}
		}
		http_buf_reset(&b);
		assert_int_equal(
		    bearer_write_challenge(&b, "r", "invalid_token", v),
		    members[i].ok);
		if (members[i].ok) {
			n = 0;
			assert_int_equal(
			    auth_parse_challenges(b.data, b.len, ch, 1, &n),
			    HTTP_OK);
			assert_int_equal(auth_get(&ch[0], "error_description",
						  got, sizeof(got)),
					 HTTP_OK);
			assert_string_equal(got, v);
			assert_int_equal(ch[0].num_params, 3);
		}
		http_buf_free(&b);
		world_free(w);
	}
}

/* ---- Verify, then commit ---- */

struct lock_count {
	int locks, unlocks;
	bool held;
};

static void count_lock(void *arg)
{
	struct lock_count *c = arg;

	assert_false(c->held);
	c->held = true;
	c->locks++;
}

static void count_unlock(void *arg)
{
	struct lock_count *c = arg;

	assert_true(c->held);
	c->held = false;
	c->unlocks++;
}

/* Alice's Digest request for d, parsed into *req (raw keeps the bytes). */
static void digest_request(struct world *w, const struct dreq *d, char *raw,
			   size_t cap, struct http_request *req)
{
	struct http_buf v;
	enum http_err e = HTTP_OK;
	int n;

	http_buf_init(&v, 0);
	digest_value(w, d, &v);
	n = snprintf(raw, cap, "%s %s HTTP/1.1\r\nHost: x\r\n%s%s: %s\r\n\r\n",
		     d->method, d->target ? d->target : d->uri,
		     d->body ? "Content-Length: 11\r\n" : "",
		     guard_credentials_field(&w->cfg), v.data);
	assert_true(n > 0 && (size_t)n < cap);
	assert_int_equal(http_parse_request(raw, (size_t)n, req, &e), n);
	http_buf_free(&v);
}

/*
 * guard_verify() never touches the nonce-count table nor the lock; the
 * pending count is recorded by guard_commit() alone, under the lock,
 * once; a verification that failed leaves nothing to commit.
 */
static void test_verify_commit(void **state)
{
	static struct digest_nc_table before;
	struct world *w = world_new(true, "digest,basic");
	struct dreq d = dreq_default();
	struct lock_count lc = {0, 0, false};
	struct http_request req;
	struct guard_result r;
	char raw[4096], nonce[128];

	(void)state;
	guard_state_set_lock(&w->st, count_lock, count_unlock, &lc);
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, nonce, sizeof(nonce)), HTTP_OK);
	d.nonce = nonce;
	digest_request(w, &d, raw, sizeof(raw), &req);

	before = w->st.nc;
	guard_verify(&w->cfg, &w->st.key, &req, NULL, NOW, &r);
	assert_int_equal(r.verdict, GUARD_PENDING);
	assert_true(r.pending.nc);
	assert_int_equal(r.pending.count, 1);
	assert_int_equal(lc.locks, 0);
	assert_memory_equal(&before, &w->st.nc, sizeof(before));
	/* verified twice before either commits (two threads racing with
	 * the same captured request): only one commit wins */
	{
		struct guard_result r2;

		guard_verify(&w->cfg, &w->st.key, &req, NULL, NOW, &r2);
		assert_int_equal(r2.verdict, GUARD_PENDING);
		guard_commit(&w->st, &r);
		guard_commit(&w->st, &r2);
		assert_int_equal(r.verdict, GUARD_OK);
		assert_int_equal(r2.verdict, GUARD_REPLAY);
		assert_string_equal(r2.info, "");
	}
	assert_int_equal(lc.locks, 2);
	assert_int_equal(lc.unlocks, 2);
	assert_false(lc.held);

	/* a wrong password with a high nc: final at verify, commits nothing */
	d.pass = "guess";
	d.nc = 50;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_verify(&w->cfg, &w->st.key, &req, NULL, NOW, &r);
	assert_int_equal(r.verdict, GUARD_BAD);
	assert_false(r.pending.nc);
	guard_commit(&w->st, &r);
	assert_int_equal(r.verdict, GUARD_BAD);
	assert_int_equal(lc.locks, 2);
	/* so alice's nc 2 still counts */
	d.pass = "wonderland";
	d.nc = 2;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check(&w->cfg, &w->st, &req, NULL, 0, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	assert_int_equal(lc.locks, 3);

	/* Basic has no count: OK at verify, no lock */
	snprintf(raw, sizeof(raw),
		 "GET http://example.org/ HTTP/1.1\r\nHost: x\r\n"
		 "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n");
	{
		enum http_err e = HTTP_OK;

		assert_true(http_parse_request(raw, strlen(raw), &req, &e) > 0);
	}
	guard_verify(&w->cfg, &w->st.key, &req, NULL, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	guard_commit(&w->st, &r);
	assert_int_equal(r.verdict, GUARD_OK);
	assert_int_equal(lc.locks, 3);
	world_free(w);
}

/* ---- auth-int with a body that streams ---- */

/*
 * The body hashed as it streams (byte by byte here) is accepted like the
 * body in memory; a body that exists but was not read is refused, even
 * with a response computed for an empty body (the forgery that hashing
 * "" for an unread body let through); guard_body_alg names the hash.
 */
static void test_auth_int_streamed(void **state)
{
	static const char body[] = "hello world"; /* 11 bytes */
	struct world *w = world_new(false, "digest,basic");
	struct dreq d = dreq_default();
	struct http_request req;
	struct guard_result r;
	struct digest_body_hash h;
	struct guard_body gb;
	char raw[4096], hex[DIGEST_HEX_MAX + 1], nonce[128];
	enum digest_alg alg = DIGEST_MD5;

	(void)state;
	d.realm = OREALM;
	d.uri = OTARGET;
	d.method = "POST";
	d.qop = DIGEST_QOP_AUTH_INT;
	d.alg = DIGEST_SHA256;
	d.body = body;
	assert_int_equal(
	    digest_nonce_make(&w->st.key, NOW, nonce, sizeof(nonce)), HTTP_OK);
	d.nonce = nonce; /* one nonce throughout: its count must grow */

	/* which hash to stream with */
	digest_request(w, &d, raw, sizeof(raw), &req);
	assert_true(guard_body_alg(&w->cfg, &req, &alg));
	assert_int_equal(alg, DIGEST_SHA256);

	/* streamed, byte by byte */
	assert_int_equal(digest_body_init(&h, alg), HTTP_OK);
	for (size_t i = 0; i < strlen(body); i++)
		assert_int_equal(digest_body_update(&h, body + i, 1), HTTP_OK);
	assert_int_equal(digest_body_final(&h, hex), HTTP_OK);
	memset(&gb, 0, sizeof(gb));
	gb.hash = hex;
	guard_verify(&w->cfg, &w->st.key, &req, &gb, NOW, &r);
	assert_int_equal(r.verdict, GUARD_PENDING);
	guard_commit(&w->st, &r);
	assert_int_equal(r.verdict, GUARD_OK);

	/* the same hash through guard_check_body, nc 6 (counts may skip) */
	d.nc = 6;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check_body(&w->cfg, &w->st, &req, &gb, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);

	/* in memory, nc 2: lower than 6, a replay */
	d.nc = 2;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check(&w->cfg, &w->st, &req, body, strlen(body), NOW, &r);
	assert_int_equal(r.verdict, GUARD_REPLAY);

	/* in memory, nc 7 */
	d.nc = 7;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check(&w->cfg, &w->st, &req, body, strlen(body), NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);

	/* another body than the one the response covers */
	d.nc = 8;
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check(&w->cfg, &w->st, &req, "hello WORLD", 11, NOW, &r);
	assert_int_equal(r.verdict, GUARD_BAD);

	/* the forgery: a response over an empty body, an 11-byte body that
	 * the server has not read */
	d.nc = 9;
	d.body = "";
	{
		struct http_buf v;
		enum http_err e = HTTP_OK;
		int n;

		http_buf_init(&v, 0);
		digest_value(w, &d, &v);
		n = snprintf(raw, sizeof(raw),
			     "POST %s HTTP/1.1\r\nHost: x\r\n"
			     "Content-Length: 11\r\nAuthorization: %s\r\n\r\n",
			     OTARGET, v.data);
		assert_int_equal(http_parse_request(raw, (size_t)n, &req, &e),
				 n);
		http_buf_free(&v);
	}
	guard_check(&w->cfg, &w->st, &req, NULL, 0, NOW, &r);
	if (r.verdict == GUARD_OK)
		fail_msg("a response over an empty body was accepted for an "
			 "unread 11-byte body");
	assert_int_equal(r.verdict, GUARD_BAD);
	assert_string_equal(r.field, "qop");

	/* no body at all, none read: the empty hash is right */
	d.nc = 10;
	d.body = NULL;
	d.method = "GET";
	digest_request(w, &d, raw, sizeof(raw), &req);
	guard_check(&w->cfg, &w->st, &req, NULL, 0, NOW, &r);
	assert_int_equal(r.verdict, GUARD_OK);

	/* qop=auth, or Basic: nothing to hash */
	d.qop = DIGEST_QOP_AUTH;
	digest_request(w, &d, raw, sizeof(raw), &req);
	assert_false(guard_body_alg(&w->cfg, &req, &alg));
	snprintf(raw, sizeof(raw),
		 "POST /x HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: " ALICE "\r\n\r\n");
	{
		enum http_err e = HTTP_OK;

		assert_true(http_parse_request(raw, strlen(raw), &req, &e) > 0);
	}
	assert_false(guard_body_alg(&w->cfg, &req, &alg));
	world_free(w);
}

/*
 * After qop=auth-int, guard_digest_info() writes qop=auth-int and an
 * rspauth over the *response* body (RFC 7616 §3.5: A2 = ":" uri ":"
 * H(entity-body)), for every algorithm, both sides and several bodies;
 * r.info alone stays nextnonce.  Any other request gets nothing from it.
 */
static void test_digest_info_auth_int(void **state)
{
	static const struct {
		const char *body; /* the response body */
		size_t len;
	} bodies[] = {
	    {"", 0},	     /* none (HEAD, 204) */
	    {"200 OK\n", 7}, /* text */
	    {"a\0b", 3},     /* a NUL inside */
	};

	(void)state;
	for (int side = 0; side < 2; side++) {
		for (size_t a = 0; a < DIGEST_ALG_COUNT; a++) {
			for (size_t b = 0; b < 3; b++) {
				struct world *w =
				    world_new(side == 1, "digest,basic");
				struct dreq d = dreq_default();
				struct http_request req;
				struct guard_result r;
				struct digest_input in;
				char raw[4096], nonce[128], out[1024];
				char want[DIGEST_HEX_MAX + 1], exp[256];

				d.realm = side ? PREALM : OREALM;
				d.uri = side ? PTARGET : OTARGET;
				d.method = "POST";
				d.qop = DIGEST_QOP_AUTH_INT;
				d.alg = (enum digest_alg)a;
				d.body = "hello world";
				assert_int_equal(
				    digest_nonce_make(&w->st.key, NOW, nonce,
						      sizeof(nonce)),
				    HTTP_OK);
				d.nonce = nonce;
				digest_request(w, &d, raw, sizeof(raw), &req);
				guard_check(&w->cfg, &w->st, &req, d.body, 11,
					    NOW, &r);
				assert_int_equal(r.verdict, GUARD_OK);
				assert_null(strstr(r.info, "rspauth"));
				assert_null(strstr(r.info, "qop"));
				assert_true(guard_digest_info(
				    &w->cfg, &req, r.user, r.info,
				    bodies[b].body, bodies[b].len, out,
				    sizeof(out)));
				memset(&in, 0, sizeof(in));
				in.alg = d.alg;
				in.qop = DIGEST_QOP_AUTH_INT;
				in.user = "alice";
				in.realm = d.realm;
				in.password = "wonderland";
				in.nonce = nonce;
				in.cnonce = d.cnonce;
				in.nc = 1;
				in.method = "POST";
				in.uri = d.uri;
				in.body = bodies[b].body;
				in.body_len = bodies[b].len;
				assert_int_equal(digest_rspauth(&in, want),
						 HTTP_OK);
				snprintf(exp, sizeof(exp), "rspauth=\"%s\"",
					 want);
				assert_non_null(strstr(out, exp));
				assert_non_null(strstr(out, "qop=auth-int"));
				assert_non_null(strstr(out, "nc=00000001"));
				assert_int_equal(
				    strncmp(out, r.info, strlen(r.info)), 0);
				/* another body: another rspauth */
				assert_true(guard_digest_info(
				    &w->cfg, &req, r.user, r.info, "other", 5,
				    out, sizeof(out)));
				assert_null(strstr(out, exp));
				/* no user, no answer; out untouched */
				snprintf(out, sizeof(out), "untouched");
				assert_false(
				    guard_digest_info(&w->cfg, &req, "", r.info,
						      "", 0, out, sizeof(out)));
				assert_string_equal(out, "untouched");
				/* a qop=auth request: not for this function */
				d.qop = DIGEST_QOP_AUTH;
				digest_request(w, &d, raw, sizeof(raw), &req);
				assert_false(guard_digest_info(
				    &w->cfg, &req, "alice", r.info, "", 0, out,
				    sizeof(out)));
				assert_string_equal(out, "untouched");
				world_free(w);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_every_alg),
	    cmocka_unit_test(test_digest_rspauth),
	    cmocka_unit_test(test_digest_table),
	    cmocka_unit_test(test_digest_uppercase_response),
	    cmocka_unit_test(test_digest_stale),
	    cmocka_unit_test(test_digest_replay),
	    cmocka_unit_test(test_digest_nc_syntax),
	    cmocka_unit_test(test_digest_replay_after_flood),
	    cmocka_unit_test(test_info_cnonce_escaped),
	    cmocka_unit_test(test_config_strings_quoted),
	    cmocka_unit_test(test_verify_commit),
	    cmocka_unit_test(test_auth_int_streamed),
	    cmocka_unit_test(test_digest_info_auth_int),
	};

	return cmocka_run_group_tests_name("guard_digest", tests, NULL, NULL);
}

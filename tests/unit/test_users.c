/*
 * tests/unit/test_users.c - credential stores: lab defaults, plain files,
 * htpasswd, htdigest and Bearer tokens.
 *
 * The hashes below were made with Apache's htpasswd and OpenSSL's
 * `openssl passwd`; the HA1 values are H(user:realm:password).
 *
 * With LAB407_USERS_FILE set, the single test `env_file` loads that file
 * and prints its kind (tests/integration/htfiles.sh uses this to check
 * files made by the real htpasswd and htdigest tools).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../http/auth.h"
#include "../../http/htpasswd.h"
#include "../../http/users.h"

/* ---- helpers ---- */

static char tmpdir[] = "/tmp/lab407-users-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

/* Write content to a file in tmpdir; returns its path (static). */
static const char *write_file(const char *content, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/users", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* write_file for a C string. */
static const char *write_str(const char *content)
{
	return write_file(content, strlen(content));
}

/* Load content as a users file; err buffer returned through errbuf. */
static enum http_err load(const char *content, struct users *u, char *err,
			  size_t err_cap)
{
	const char *p = write_str(content);
	enum http_err e = users_load(p, u, err, err_cap);

	unlink(p);
	return e;
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
	struct users u;
	char who[32];

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_PROXY), HTTP_OK);
	assert_int_equal(u.kind, USERS_PLAIN);
	assert_int_equal(u.n, 3);
	assert_int_equal(users_check_password(&u, "alice", "wonderland", 10),
			 HTTP_OK);
	assert_int_equal(users_check_password(&u, "bob", "builder", 7),
			 HTTP_OK);
	assert_int_equal(users_check_password(&u, "mallory", "letmein", 7),
			 HTTP_OK);
	assert_int_equal(users_check_password(&u, "alice", "wonderlan", 9),
			 HTTP_E_BAD_PASSWORD);
	assert_int_equal(users_check_password(&u, "eve", "x", 1),
			 HTTP_E_BAD_USER);
	assert_int_equal(
	    users_check_token(&u, "mallory-token", who, sizeof(who)), HTTP_OK);
	assert_string_equal(who, "mallory");
	assert_true(users_supports(&u, AUTH_SCHEME_BASIC | AUTH_SCHEME_DIGEST |
					   AUTH_SCHEME_BEARER));
	users_free(&u);
	assert_int_equal(u.n, 0);

	/* the origin does not know mallory */
	assert_int_equal(users_defaults(&u, USERS_SIDE_ORIGIN), HTTP_OK);
	assert_int_equal(u.n, 2);
	assert_int_equal(users_check_password(&u, "mallory", "letmein", 7),
			 HTTP_E_BAD_USER);
	assert_int_equal(
	    users_check_token(&u, "mallory-token", who, sizeof(who)),
	    HTTP_E_BAD_PASSWORD);
	assert_int_equal(users_check_token(&u, "bob-token", who, sizeof(who)),
			 HTTP_OK);
	assert_string_equal(who, "bob");
	/* a prefix of a token is not the token */
	assert_int_equal(users_check_token(&u, "bob-toke", who, sizeof(who)),
			 HTTP_E_BAD_PASSWORD);
	/* too small a buffer for the name */
	assert_int_equal(users_check_token(&u, "bob-token", who, 3),
			 HTTP_E_NOSPACE);
	users_free(&u);
}

static void test_set(void **state)
{
	struct users u;

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_ORIGIN), HTTP_OK);
	/* replace */
	assert_int_equal(users_set(&u, "alice", "looking-glass"), HTTP_OK);
	assert_int_equal(users_check_password(&u, "alice", "wonderland", 10),
			 HTTP_E_BAD_PASSWORD);
	assert_int_equal(users_check_password(&u, "alice", "looking-glass", 13),
			 HTTP_OK);
	/* add */
	assert_int_equal(users_set(&u, "carol", "a:b"), HTTP_OK);
	assert_int_equal(users_check_password(&u, "carol", "a:b", 3), HTTP_OK);
	assert_int_equal(u.n, 3);
	/* RFC 7617 rules */
	assert_int_equal(users_set(&u, "c:d", "x"), HTTP_E_BASIC_USER_COLON);
	assert_int_equal(users_set(&u, "dave", "x\ny"), HTTP_E_BASIC_CTL);
	users_free(&u);
}

/* ---- Digest HA1 ---- */

static void test_digest_ha1_plain(void **state)
{
	struct users u;
	char out[DIGEST_HEX_MAX + 1];
	char who[32];

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_PROXY), HTTP_OK);
	/* MD5("alice:lab407 proxy:wonderland") */
	assert_int_equal(
	    users_digest_ha1(&u, "alice", "lab407 proxy", DIGEST_MD5, out),
	    HTTP_OK);
	assert_string_equal(out, "5b3c1756d2caec5d396b60e0a419aa06");
	/* SHA-256 of the same */
	assert_int_equal(
	    users_digest_ha1(&u, "alice", "lab407 proxy", DIGEST_SHA256, out),
	    HTTP_OK);
	assert_string_equal(out, "5dc145245143b955228130e67b3bb6e1e8c4bff5069b"
				 "39c934a50a44fbe2d555");
	assert_int_equal(
	    users_digest_ha1(&u, "eve", "lab407 proxy", DIGEST_MD5, out),
	    HTTP_E_BAD_USER);
	/* RFC 7616 §3.4.4 userhash: SHA-256("bob:lab407 origin") */
	assert_int_equal(users_from_userhash(&u,
					     "fb763c1652f952a0688eb88261e4"
					     "03aaf281e9a797779ffb9804e440"
					     "0d3d91c9",
					     "lab407 origin", DIGEST_SHA256,
					     who, sizeof(who)),
			 HTTP_OK);
	assert_string_equal(who, "bob");
	assert_int_equal(users_from_userhash(&u,
					     "fb763c1652f952a0688eb88261e4"
					     "03aaf281e9a797779ffb9804e440"
					     "0d3d91c9",
					     "lab407 proxy", DIGEST_SHA256, who,
					     sizeof(who)),
			 HTTP_E_BAD_USER);
	users_free(&u);
}

/* ---- htpasswd ---- */

struct hash_case {
	const char *comment;
	const char *line; /* one htpasswd line for alice */
};

static const struct hash_case hash_cases[] = {
    /* htpasswd -B -C 4: bcrypt through crypt(3) */
    {"bcrypt $2y$",
     "alice:$2y$04$3IuwD58XQCFi5iVwbrHjz.gRZ30WR1KVsP7BeR1vaTsqu/2zno9E2"},
    /* htpasswd -m: Apache MD5 */
    {"apr1 htpasswd", "alice:$apr1$xWnaoo6p$u.sn6WRQ4fRIuDh/xuXlP1"},
    /* openssl passwd -apr1 -salt abcdefgh */
    {"apr1 openssl", "alice:$apr1$abcdefgh$VS3vSM84y6riPqgPCrpTW."},
    /* htpasswd -s: {SHA} base64(SHA-1) */
    {"sha1", "alice:{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="},
    /* openssl passwd -5: SHA-256-crypt */
    {"sha-256-crypt",
     "alice:$5$saltsalt$IeaomH1t0t79ShF5t59ZywXLL/dm2jA/3vpoR6EMo74"},
};

static void test_htpasswd_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hash_cases) / sizeof(hash_cases[0]); i++) {
		struct users u;
		char err[256], content[256], out[DIGEST_HEX_MAX + 1];

		print_message("case: %s\n", hash_cases[i].comment);
		snprintf(content, sizeof(content), "# made by a tool\n%s\n",
			 hash_cases[i].line);
		assert_int_equal(load(content, &u, err, sizeof(err)), HTTP_OK);
		assert_int_equal(u.kind, USERS_HTPASSWD);
		assert_int_equal(
		    users_check_password(&u, "alice", "wonderland", 10),
		    HTTP_OK);
		assert_int_equal(
		    users_check_password(&u, "alice", "Wonderland", 10),
		    HTTP_E_BAD_PASSWORD);
		assert_int_equal(users_check_password(&u, "alice", "", 0),
				 HTTP_E_BAD_PASSWORD);
		assert_int_equal(
		    users_check_password(&u, "bob", "wonderland", 10),
		    HTTP_E_BAD_USER);
		/* htpasswd holds no HA1: Basic only */
		assert_int_equal(
		    users_digest_ha1(&u, "alice", "r", DIGEST_MD5, out),
		    HTTP_E_CONFIG);
		assert_true(users_supports(&u, AUTH_SCHEME_BASIC));
		assert_false(users_supports(&u, AUTH_SCHEME_DIGEST));
		assert_false(users_supports(&u, AUTH_SCHEME_BEARER));
		users_free(&u);
	}
}

/* The Apache MD5 edge cases: empty password (one-char salt) and a
 * password longer than 16 bytes (the alt loop runs twice). */
static void test_apr1_edges(void **state)
{
	struct users u;
	char err[256];
	static const char pw[] = "a-password-longer-than-sixteen-bytes";

	(void)state;
	assert_int_equal(load("x:$apr1$abcdefgh$9SObRHaeribBrOg13EMzO.\n", &u,
			      err, sizeof(err)),
			 HTTP_OK);
	assert_int_equal(users_check_password(&u, "x", pw, sizeof(pw) - 1),
			 HTTP_OK);
	users_free(&u);
	/* a one-character salt and the empty password */
	assert_int_equal(
	    load("y:$apr1$x$tMwYqBfQwi3FYAr0aJc8M/\n", &u, err, sizeof(err)),
	    HTTP_OK);
	assert_int_equal(users_check_password(&u, "y", "", 0), HTTP_OK);
	assert_int_equal(users_check_password(&u, "y", "x", 1),
			 HTTP_E_BAD_PASSWORD);
	users_free(&u);
	/* a hash cut short can never match: refused at load time */
	assert_int_equal(load("z:$apr1$abcdefgh$9SObRHaeribBrOg13EMz\n", &u,
			      err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":1: malformed password hash"));
}

/* ---- htdigest ---- */

static void test_htdigest(void **state)
{
	struct users u;
	char err[256], out[DIGEST_HEX_MAX + 1];

	(void)state;
	assert_int_equal(
	    load("alice:lab407 proxy:5B3C1756D2CAEC5D396B60E0A419AA06\n"
		 "alice:lab407 origin:0123456789abcdef0123456789abcdef\n"
		 "bob:lab407 proxy:5dc145245143b955228130e67b3bb6e1e8c4bff"
		 "5069b39c934a50a44fbe2d555\n",
		 &u, err, sizeof(err)),
	    HTTP_OK);
	assert_int_equal(u.kind, USERS_HTDIGEST);
	assert_int_equal(u.n, 3);
	/* the stored HA1, lowercased, for its realm */
	assert_int_equal(
	    users_digest_ha1(&u, "alice", "lab407 proxy", DIGEST_MD5, out),
	    HTTP_OK);
	assert_string_equal(out, "5b3c1756d2caec5d396b60e0a419aa06");
	assert_int_equal(users_digest_ha1(&u, "alice", "lab407 origin",
					  DIGEST_MD5_SESS, out),
			 HTTP_OK);
	assert_string_equal(out, "0123456789abcdef0123456789abcdef");
	/* unknown realm for this user */
	assert_int_equal(
	    users_digest_ha1(&u, "bob", "lab407 origin", DIGEST_SHA256, out),
	    HTTP_E_BAD_USER);
	/* a 32-digit HA1 cannot serve SHA-256 */
	assert_int_equal(
	    users_digest_ha1(&u, "alice", "lab407 proxy", DIGEST_SHA256, out),
	    HTTP_E_CONFIG);
	assert_int_equal(
	    users_digest_ha1(&u, "bob", "lab407 proxy", DIGEST_SHA256, out),
	    HTTP_OK);
	/* no passwords in htdigest: Digest only */
	assert_int_equal(users_check_password(&u, "alice", "wonderland", 10),
			 HTTP_E_CONFIG);
	assert_true(users_supports(&u, AUTH_SCHEME_DIGEST));
	assert_false(users_supports(&u, AUTH_SCHEME_BASIC));
	users_free(&u);
}

/* ---- plain files and bad lines ---- */

static void test_plain_file(void **state)
{
	struct users u;
	char err[256];

	(void)state;
	assert_int_equal(load("# lab users\n\n  # indented comment\r\n"
			      "alice:wonderland\r\n"
			      "carol:pass:with:colons\n"
			      "dave:last line without newline",
			      &u, err, sizeof(err)),
			 HTTP_OK);
	assert_int_equal(u.kind, USERS_PLAIN);
	assert_int_equal(u.n, 3);
	assert_int_equal(users_check_password(&u, "alice", "wonderland", 10),
			 HTTP_OK);
	assert_int_equal(
	    users_check_password(&u, "carol", "pass:with:colons", 16), HTTP_OK);
	assert_int_equal(
	    users_check_password(&u, "dave", "last line without newline", 25),
	    HTTP_OK);
	/* a plain file has no tokens until a token file is loaded */
	assert_false(users_supports(&u, AUTH_SCHEME_BEARER));
	users_free(&u);
}

struct bad_case {
	const char *comment;
	const char *content;
	const char *err; /* expected in errbuf after "FILE" */
};

static const struct bad_case bad_cases[] = {
    /* no colon */
    {"no colon", "alice:wonderland\nbob\n", ":2: expected user:password"},
    /* empty user */
    {"empty user", ":secret\n", ":1: empty user name"},
    /* empty password */
    {"empty password", "# c\nalice:\n", ":2: empty password"},
    /* the same user twice */
    {"duplicate", "alice:a\nbob:b\nalice:c\n", ":3: user 'alice' appears"},
    /* an unknown modular-crypt id */
    {"unsupported", "alice:$9$abc$def\n", ":1: unsupported hash '$9$'"},
    /* yescrypt is not one of htpasswd's */
    {"yescrypt", "alice:$y$j9T$abc\n", ":1: unsupported hash '$y$'"},
    /* bcrypt with a broken body */
    {"bad bcrypt", "alice:$2y$04$short\n", ":1: malformed password hash"},
    /* {SHA} of the wrong length */
    {"bad sha", "alice:{SHA}abc=\n", ":1: malformed password hash"},
    /* mixing formats */
    {"mixed",
     "alice:wonderland\nbob:$2y$04$3IuwD58XQCFi5iVwbrHjz."
     "gRZ30WR1KVsP7BeR1vaTsqu/2zno9E2\n",
     ":2: this line is htpasswd but the file began as plain"},
    /* a control byte */
    {"ctl", "alice:wonder\001land\n", ":1: control character"},
    /* nothing but comments */
    {"empty", "# nobody\n\n", ": no users in file"},
    /* a hash cost the server could not afford on every request */
    {"bcrypt cost 13",
     "a:$2y$13$abcdefghijklmnopqrstuu5FV0cJ5Zr8W6pB1zPpd2Kg0o4mOVFCS\n",
     ":1: bcrypt cost 13 is over the limit of 12"},
    {"bcrypt cost 31, $2b$",
     "a:$2b$31$abcdefghijklmnopqrstuu5FV0cJ5Zr8W6pB1zPpd2Kg0o4mOVFCS\n",
     ":1: bcrypt cost 31 is over the limit"},
    {"bcrypt cost not two digits, $2a$",
     "a:$2a$1x$abcdefghijklmnopqrstuu5FV0cJ5Zr8W6pB1zPpd2Kg0o4mOVFCS\n",
     ":1: bcrypt cost is not two digits"},
    {"SHA-256-crypt, one round too many", "a:$5$rounds=100001$salt$hash\n",
     ":1: SHA-crypt rounds over the limit of 100000"},
    {"SHA-512-crypt, 20 million rounds", "a:$6$rounds=20000000$salt$hash\n",
     ":1: SHA-crypt rounds over the limit"},
    {"SHA-512-crypt, rounds that overflow a long",
     "a:$6$rounds=99999999999999999999999$salt$hash\n",
     ":1: SHA-crypt rounds over the limit"},
    {"a costly line after a good one",
     "b:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"
     "a:$6$rounds=5000000$salt$hash\n",
     ":2: SHA-crypt rounds over the limit"},
};

static void test_bad_files(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct users u;
		char err[256];

		print_message("case: %s\n", bad_cases[i].comment);
		assert_int_equal(
		    load(bad_cases[i].content, &u, err, sizeof(err)),
		    HTTP_E_FILE_LINE);
		assert_non_null(strstr(err, tmpdir));
		assert_non_null(strstr(err, bad_cases[i].err));
		assert_int_equal(u.n, 0);
		assert_null(u.v);
	}
}

/* The largest costs the limits allow still load (and their dummy entry,
 * made with the same cost, is computed). */
static void test_cost_limits(void **state)
{
	static const char *const at_limit[] = {
	    /* crypt(3) of "x" with each prefix, by Python's crypt module */
	    "a:$2y$12$abcdefghijklmnopqrstuuOeZ2hQ32AyBh8ZYFFLfYoUxWKOV2GcS\n",
	    "a:$5$rounds=100000$saltsalt$IX0nnfu2pS4LN/hlTEWV0m1n3jlaWc4V5hy9"
	    "z7vjLP/\n",
	    "a:$6$rounds=100000$saltsalt$znUvwU2wpjvIOKLw1d/4cgyDaHDF8LiNMqIDk"
	    "h4FqwtcniNq1Vh1dipbOi9Qe4yEL2nHrw6Yg.FqjjJb/AQHU0\n",
	    /* the default 5000 rounds */
	    "a:$6$saltsalt$8RWsOfwR6M6PpnoeQiEiWzNTPo1f0HjVYjDnLZhGx16aBFRkeqi"
	    "HAzfXP/LgrOWMBMXqiU2pLrXsSOHNUyUm91\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(at_limit) / sizeof(at_limit[0]); i++) {
		struct users u;
		char err[256];

		if (load(at_limit[i], &u, err, sizeof(err)) != HTTP_OK)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(u.n, 1);
		users_free(&u);
	}
}

/* A line longer than USERS_MAX_LINE and an unreadable file. */
static void test_long_line_and_missing(void **state)
{
	static char content[USERS_MAX_LINE + 16];
	struct users u;
	char err[256];
	const char *p;

	(void)state;
	memset(content, 'a', USERS_MAX_LINE + 1);
	content[1] = ':';
	content[USERS_MAX_LINE + 1] = '\n';
	p = write_file(content, USERS_MAX_LINE + 2);
	assert_int_equal(users_load(p, &u, err, sizeof(err)), HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":1: line longer than"));
	unlink(p);
	/* a NUL byte inside a line (strlen would stop there; we do not) */
	p = write_file("alice:wonder\0land\n", 18);
	assert_int_equal(users_load(p, &u, err, sizeof(err)), HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":1: control character"));
	unlink(p);
	assert_int_equal(
	    users_load("/nonexistent/lab407/users", &u, err, sizeof(err)),
	    HTTP_E_FILE_OPEN);
	assert_non_null(strstr(err, "/nonexistent/lab407/users: cannot open"));
	/* a tiny errbuf is truncated, never overrun */
	assert_int_equal(users_load("/nonexistent/lab407/users", &u, err, 4),
			 HTTP_E_FILE_OPEN);
	assert_int_equal(strlen(err), 3);
}

/* ---- token files ---- */

static void test_tokens(void **state)
{
	struct users u;
	char err[256], who[32];
	const char *p;

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_ORIGIN), HTTP_OK);
	p = write_str("# token user\nmF_9.B5f-4.1JqM alice\n\tsecret== bob \n");
	assert_int_equal(users_load_tokens(p, &u, err, sizeof(err)), HTTP_OK);
	assert_int_equal(u.ntokens, 2);
	assert_int_equal(
	    users_check_token(&u, "mF_9.B5f-4.1JqM", who, sizeof(who)),
	    HTTP_OK);
	assert_string_equal(who, "alice");
	assert_int_equal(users_check_token(&u, "secret==", who, sizeof(who)),
			 HTTP_OK);
	assert_string_equal(who, "bob");
	/* the file replaced the defaults */
	assert_int_equal(users_check_token(&u, "alice-token", who, sizeof(who)),
			 HTTP_E_BAD_PASSWORD);

	/* a bad token line */
	p = write_str("good alice\nba*d bob\n");
	assert_int_equal(users_load_tokens(p, &u, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":2: token is not a b64token"));
	assert_int_equal(u.ntokens, 0);
	/* three fields */
	p = write_str("tok alice extra\n");
	assert_int_equal(users_load_tokens(p, &u, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":1: expected 'token user'"));
	/* the same token twice */
	p = write_str("tok alice\ntok bob\n");
	assert_int_equal(users_load_tokens(p, &u, err, sizeof(err)),
			 HTTP_E_FILE_LINE);
	assert_non_null(strstr(err, ":2: token appears twice"));
	unlink(p);
	/* users are untouched by token files */
	assert_int_equal(users_check_password(&u, "bob", "builder", 7),
			 HTTP_OK);
	users_free(&u);
}

/* ---- a file named by the environment ---- */

/*
 * Load $LAB407_USERS_FILE (and check $LAB407_USERS_PASSWORD for
 * $LAB407_USERS_USER when set); prints "kind=..." for the caller.
 */
static void test_env_file(void **state)
{
	const char *path = getenv("LAB407_USERS_FILE");
	const char *user = getenv("LAB407_USERS_USER");
	const char *pass = getenv("LAB407_USERS_PASSWORD");
	const char *realm = getenv("LAB407_USERS_REALM");
	static const char *const kinds[] = {"plain", "htpasswd", "htdigest"};
	struct users u;
	char err[512], ha1[DIGEST_HEX_MAX + 1];
	enum http_err e;

	(void)state;
	if (path == NULL)
		skip();
	e = users_load(path, &u, err, sizeof(err));
	if (e != HTTP_OK)
		print_message("error: %s\n", err);
	assert_int_equal(e, HTTP_OK);
	print_message("kind=%s\n", kinds[u.kind]);
	if (user != NULL && pass != NULL && u.kind != USERS_HTDIGEST)
		assert_int_equal(
		    users_check_password(&u, user, pass, strlen(pass)),
		    HTTP_OK);
	if (user != NULL && realm != NULL && u.kind == USERS_HTDIGEST)
		assert_int_equal(
		    users_digest_ha1(&u, user, realm, DIGEST_MD5, ha1),
		    HTTP_OK);
	users_free(&u);
}

/* ---- The dummy entry: an unknown user costs what a typical one does ---- */

#define BOB_B5                                                                 \
	"bob:$2y$05$1HlyznEoKerTA2/COpDUDO2jHBuEY6deaQMCK61A0lB8KJLrxsel2\n"
#define CAROL_B5                                                               \
	"carol:$2y$05$VW4oOk1PIV685aK.pdCHD.JhkZSN8VPRZ93kzYkGW8zm6Ye7OuI/a\n"
#define ERIN_B4                                                                \
	"erin:$2y$04$LPOqKYcoPTxWzcJrUqoS9.IjURr/9DUbkuiNY3rAvkpek321aOlkq\n"
#define ALICE_APR1 "alice:$apr1$OIZ2Puvm$RYmc6kZbG9sm0WH5XFZPG0\n"
#define DAVE_APR1 "dave:$apr1$.bpS/zjp$FTJ4P4LBbt3z1uRwgjpc2.\n"

/* The hash class names kind and cost, never salt or hash. */
static void test_hash_class(void **state)
{
	static const struct {
		const char *secret, *cls;
	} cases[] = {
	    {"$2y$05$1HlyznEoKerTA2/COpDUDO2jHBuEY6deaQMCK61A0lB8KJLrxsel2",
	     "$2y$05$"},
	    {"$2b$12$abcdefghijklmnopqrstuu", "$2b$12$"},
	    {"$apr1$OIZ2Puvm$RYmc6kZbG9sm0WH5XFZPG0", "$apr1$"},
	    {"{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SHA}"},
	    {"$5$salt$hash", "$5$"},
	    {"$6$rounds=8000$salt$hash", "$6$rounds=8000$"},
	    {"wonderland", ""},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		htpasswd_class(cases[i].secret, out, sizeof(out));
		assert_string_equal(out, cases[i].cls);
	}
}

/*
 * In a mixed-cost htpasswd file an unknown user is checked against the
 * dummy, whose kind and cost are the file's most common: not the first
 * entry's, and not any real user's hash.  (No timing is measured: the
 * test checks what is hashed against.)
 */
static void test_dummy_typical(void **state)
{
	static const struct {
		const char *comment;
		const char *file;
		const char *cls; /* the class the dummy must have */
	} cases[] = {
	    /* first entry $apr1$, most entries bcrypt cost 5 */
	    {"apr1 first, bcrypt most", ALICE_APR1 BOB_B5 CAROL_B5, "$2y$05$"},
	    /* first entry bcrypt, most $apr1$ */
	    {"bcrypt first, apr1 most", BOB_B5 ALICE_APR1 DAVE_APR1, "$apr1$"},
	    /* the same kind, another cost: cost counts */
	    {"bcrypt 4 first, bcrypt 5 most", ERIN_B4 BOB_B5 CAROL_B5,
	     "$2y$05$"},
	    /* a tie: the class met first */
	    {"tie", ALICE_APR1 BOB_B5, "$apr1$"},
	    {"one user", BOB_B5, "$2y$05$"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct users u;
		char err[256], cls[32];
		const char *s;

		if (load(cases[i].file, &u, err, sizeof(err)) != HTTP_OK)
			fail_msg("%s: %s", cases[i].comment, err);
		s = users_password_setting(&u, "nobody");
		htpasswd_class(s, cls, sizeof(cls));
		if (strcmp(cls, cases[i].cls) != 0)
			fail_msg("%s: dummy class '%s', want '%s'",
				 cases[i].comment, cls, cases[i].cls);
		for (size_t j = 0; j < u.n; j++) {
			assert_string_not_equal(s, u.v[j].secret);
			/* a known user is checked against their own */
			assert_ptr_equal(
			    users_password_setting(&u, u.v[j].user),
			    u.v[j].secret);
		}
		/* and the check itself: unknown, whatever the password */
		assert_int_equal(
		    users_check_password(&u, "nobody", "builder", 7),
		    HTTP_E_BAD_USER);
		users_free(&u);
	}
}

/* Plain and htdigest stores have a dummy too; Digest HA1 for an unknown
 * user comes from it, so it is computed like a real one. */
static void test_dummy_plain_htdigest(void **state)
{
	struct users u;
	char ha1[DIGEST_HEX_MAX + 1], err[256];

	(void)state;
	assert_int_equal(users_defaults(&u, USERS_SIDE_PROXY), HTTP_OK);
	assert_non_null(u.dummy);
	for (size_t j = 0; j < u.n; j++)
		assert_string_not_equal(u.dummy, u.v[j].secret);
	assert_int_equal(
	    users_digest_ha1(&u, "nobody", "r", DIGEST_SHA256, ha1),
	    HTTP_E_BAD_USER);
	assert_int_equal(strlen(ha1), 64);
	assert_int_equal(users_digest_ha1(&u, NULL, "r", DIGEST_MD5, ha1),
			 HTTP_E_BAD_USER);
	assert_int_equal(strlen(ha1), 32);
	users_free(&u);

	assert_int_equal(load("alice:lab407 proxy:"
			      "8e5b5a7cd2b6bd4be2d2b46d7c8e4c6f\n",
			      &u, err, sizeof(err)),
			 HTTP_OK);
	assert_int_equal(
	    users_digest_ha1(&u, "nobody", "lab407 proxy", DIGEST_MD5, ha1),
	    HTTP_E_BAD_USER);
	assert_int_equal(strlen(ha1), 32);
	assert_string_not_equal(ha1, "8e5b5a7cd2b6bd4be2d2b46d7c8e4c6f");
	users_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_digest_ha1_plain),
	    cmocka_unit_test(test_htpasswd_table),
	    cmocka_unit_test(test_apr1_edges),
	    cmocka_unit_test(test_htdigest),
	    cmocka_unit_test(test_plain_file),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_cost_limits),
	    cmocka_unit_test(test_long_line_and_missing),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_hash_class),
	    cmocka_unit_test(test_dummy_typical),
	    cmocka_unit_test(test_dummy_plain_htdigest),
	};
	const struct CMUnitTest env_tests[] = {
	    cmocka_unit_test(test_env_file),
	};

	if (getenv("LAB407_USERS_FILE") != NULL)
		return cmocka_run_group_tests_name("users-file", env_tests,
						   NULL, NULL);
	return cmocka_run_group_tests_name("users", tests, setup, teardown);
}

/*
 * repl/lab_names.h - the legs of an exchange, the two parties that ask
 * for credentials, and the kinds of `break`, with their names.
 */
#ifndef LAB407_REPL_LAB_NAMES_H
#define LAB407_REPL_LAB_NAMES_H

/* The four legs, in the order of the picture in repl/lab.h. */
enum lab_leg { LAB_C2P, LAB_P2O, LAB_O2P, LAB_P2C };

enum lab_party { LAB_PROXY = 0, LAB_ORIGIN = 1 };

/* What `break` corrupts in the next credential the client sends. */
enum lab_break {
	LAB_BREAK_NONE,
	LAB_BREAK_PASSWORD, /* a wrong password: 407 */
	LAB_BREAK_USER,	    /* an unknown user: 407 */
	LAB_BREAK_SCHEME,   /* scheme renamed "Basix": 407 */
	LAB_BREAK_HEADER,   /* Authorization instead of Proxy-Authorization */
	LAB_BREAK_BASE64,   /* Basic token not base64: 400 */
	LAB_BREAK_REALM,    /* Digest realm edited */
	LAB_BREAK_NONCE,    /* Digest nonce edited */
	LAB_BREAK_NC,	    /* the previous Digest credentials again: replay */
	LAB_BREAK_RESPONSE, /* Digest response hash edited */
	LAB_BREAK_STALE,    /* proxy clock past the nonce lifetime */
	LAB_BREAK_CLOSE,    /* NTLM: connection closed after the CHALLENGE */
	LAB_BREAK_REPLAY,   /* NTLM: last AUTHENTICATE on a new connection */
	LAB_BREAK__COUNT
};

/* "proxy" / "origin"; the party of a name, -1 when neither. */
const char *lab_party_name(enum lab_party p);
int lab_party_from(const char *s);
/* "password", ...; LAB_BREAK_NONE for an unknown name. */
const char *lab_break_name(enum lab_break b);
enum lab_break lab_break_from(const char *s);
/* "client -> proxy", ... */
const char *lab_leg_name(enum lab_leg l);
/* The sender and receiver of a leg: "client", "proxy", "origin". */
const char *lab_leg_from(enum lab_leg l);
const char *lab_leg_to(enum lab_leg l);

#endif

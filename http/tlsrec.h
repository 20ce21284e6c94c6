/*
 * http/tlsrec.h - what a proxy can read of a CONNECT tunnel without any
 * key: the TLS record layer (RFC 8446 §5.1) and the two hellos that
 * cross it in the clear (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1).
 *
 * After `200 Connection established` a proxy only copies bytes, but the
 * first of them are not secret: every record starts with a five-byte
 * header (content type, version, length), the ClientHello names the host
 * the client wants (server_name, RFC 6066 §3) and the application
 * protocols it speaks (ALPN, RFC 7301 §3.1), and the ServerHello names
 * the version and cipher suite chosen.  Everything after that is
 * encrypted.  Encrypted Client Hello (ECH) would hide the real
 * server_name; lab407 shows the outer one, which is what a proxy sees.
 *
 * The reader is sans-I/O and keeps only a bounded copy of the first
 * handshake message of its direction: feed it the bytes of one direction
 * in pieces of any size and it hands back one event at a time.
 */
#ifndef LAB407_HTTP_TLSREC_H
#define LAB407_HTTP_TLSREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define TLSREC_HEADER 5			 /* type, version (2), length (2) */
#define TLSREC_MAX_RECORD (16384 + 2048) /* RFC 8446 §5.2: ciphertext limit */
#define TLSREC_MAX_HELLO 16384		 /* bytes of a hello kept for reading */
#define TLSREC_MAX_SNI 256		 /* bytes of a host name, incl. NUL */
#define TLSREC_MAX_ALPN 128		 /* "h2,http/1.1", incl. NUL */
#define TLSREC_MAX_VERSIONS 8		 /* versions listed in a ClientHello */

/* Content types (RFC 8446 §5.1). */
enum tlsrec_type {
	TLSREC_CHANGE_CIPHER_SPEC = 20,
	TLSREC_ALERT = 21,
	TLSREC_HANDSHAKE = 22,
	TLSREC_APPLICATION_DATA = 23,
	TLSREC_HEARTBEAT = 24 /* RFC 6520 */
};

/* A hello, as far as it can be read without keys. */
struct tlsrec_hello {
	bool client;		 /* ClientHello (true) or ServerHello */
	uint16_t legacy_version; /* the version field of the hello itself */
	uint16_t versions[TLSREC_MAX_VERSIONS]; /* supported_versions: the
						   client's list (GREASE left
						   out), or the one chosen */
	size_t num_versions;
	uint16_t cipher;	    /* ServerHello: the suite chosen */
	size_t num_ciphers;	    /* ClientHello: suites offered */
	char sni[TLSREC_MAX_SNI];   /* ClientHello server_name, or "" */
	char alpn[TLSREC_MAX_ALPN]; /* protocols, comma-separated, or "" */
};

enum tlsrec_kind {
	TLSREC_NONE,   /* nothing yet: feed more bytes */
	TLSREC_RECORD, /* a record header was read */
	TLSREC_HELLO   /* the first handshake message was a hello, read */
};

struct tlsrec_event {
	enum tlsrec_kind kind;
	uint8_t type;		   /* RECORD: content type */
	uint16_t version;	   /* RECORD: record-layer version */
	uint16_t length;	   /* RECORD: bytes of the record body */
	struct tlsrec_hello hello; /* HELLO */
};

/* One direction of a tunnel.  Fields are private. */
struct tlsrec_reader {
	uint8_t head[TLSREC_HEADER]; /* the record header being read */
	size_t head_len;	     /* bytes of it so far */
	size_t left;	    /* body bytes of the current record to go */
	uint8_t type;	    /* content type of the current record */
	bool reading_hello; /* still collecting the first message */
	uint8_t hs[TLSREC_MAX_HELLO]; /* that message, as far as it came */
	size_t hs_len;
	enum http_err err; /* once set, every call fails with it */
};

/* Start reading one direction of a tunnel. */
void tlsrec_init(struct tlsrec_reader *r);

/*
 * Read from p[0..n): consume bytes until one event is complete or the
 * input ends, fill *ev (kind TLSREC_NONE when the input ended first) and
 * return the bytes consumed, which the caller skips before calling again.
 * -1 when the bytes are not TLS (first byte not a content type, version
 * not 3.x, a record over TLSREC_MAX_RECORD, a malformed hello): *err is
 * set and the caller shows the rest as opaque, or as HTTP if it parses.
 */
long tlsrec_read(struct tlsrec_reader *r, const void *p, size_t n,
		 struct tlsrec_event *ev, enum http_err *err);

/* "handshake", "application_data", ..., or "type 99". */
void tlsrec_type_name(uint8_t type, char *out, size_t cap);
/* "TLS 1.2", "SSL 3.0", or "0x7f1c". */
void tlsrec_version_name(uint16_t version, char *out, size_t cap);
/* "TLS_AES_128_GCM_SHA256", or "0x1234" for a suite not in the table. */
void tlsrec_cipher_name(uint16_t cipher, char *out, size_t cap);

/*
 * One line for a person:
 *   "record handshake, TLS 1.0, 512 bytes"
 *   "ClientHello: SNI example.org, ALPN h2,http/1.1, offers TLS 1.3,
 *    TLS 1.2, 17 cipher suites"
 *   "ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256, ALPN h2"
 */
void tlsrec_describe(const struct tlsrec_event *ev, char *out, size_t cap);

#endif

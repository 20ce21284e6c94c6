#!/usr/bin/env python3
"""tests/integration/authint_origin.py - bin/origin after a Digest
qop=auth-int request: Authentication-Info echoes qop=auth-int with an
rspauth over the response body it sent (RFC 7616 §3.5), for POST bodies
of several sizes and framings, GET and HEAD (no body: the hash of none).

Usage: authint_origin.py ORIGIN_PORT ALG
Prints one "ok - " or "not ok - " line per check.  Every socket is on
127.0.0.1 with a timeout.
"""
import hashlib
import re
import socket
import sys

OP, ALG = int(sys.argv[1]), sys.argv[2]
H = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[ALG]
REALM = "lab407 origin"
URI = "/private"


def h(b):
    return H(b if isinstance(b, bytes) else b.encode("latin-1")).hexdigest()


def say(ok, name, why=""):
    print(("ok - %s" % name) if ok else ("not ok - %s: %s" % (name, why)))


def exchange(raw, head_only=False):
    s = socket.create_connection(("127.0.0.1", OP), timeout=5)
    s.sendall(raw)
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    m = re.search(r"(?im)^content-length:\s*(\d+)", text)
    n = 0 if head_only or not m else int(m.group(1))
    while len(rest) < n:
        d = s.recv(65536)
        if not d:
            break
        rest += d
    s.close()
    return int(text.split(" ", 2)[1]), text, rest[:n]


def nonce():
    _, text, _ = exchange(b"GET /private HTTP/1.1\r\nHost: o\r\n\r\n")
    return re.search(r'(?im)^www-authenticate: digest .*?nonce="([^"]+)"',
                     text).group(1)


CASES = [
    # (comment, method, body, framing)
    ("POST with a small body", "POST", b"a=1", "cl"),
    ("POST with a 70000-byte body", "POST", b"x" * 70000, "cl"),
    ("POST with a chunked body", "POST", b"chunk one|chunk two", "chunked"),
    ("GET, no body", "GET", b"", "none"),
    ("HEAD, no response body", "HEAD", b"", "none"),
]
for comment, method, body, framing in CASES:
    n, cnonce, nc = nonce(), "abc123", "00000001"
    ha1 = h("alice:%s:wonderland" % REALM)
    ha2 = h("%s:%s:%s" % (method, URI, h(body)))
    resp = h("%s:%s:%s:%s:auth-int:%s" % (ha1, n, nc, cnonce, ha2))
    if framing == "cl":
        fr, payload = "Content-Length: %d\r\n" % len(body), body
    elif framing == "chunked":
        fr = "Transfer-Encoding: chunked\r\n"
        payload = b"9\r\n" + body[:9] + b"\r\n%x\r\n" % (len(body) - 9) + \
            body[9:] + b"\r\n0\r\n\r\n"
    else:
        fr, payload = "", b""
    raw = ("%s %s HTTP/1.1\r\nHost: o\r\n%sAuthorization: Digest "
           'username="alice", realm="%s", nonce="%s", uri="%s", '
           'algorithm=%s, qop=auth-int, nc=%s, cnonce="%s", '
           'response="%s"\r\n\r\n'
           % (method, URI, fr, REALM, n, URI, ALG, nc, cnonce, resp)
           ).encode() + payload
    st, text, rb = exchange(raw, head_only=method == "HEAD")
    m = re.search(r"(?im)^authentication-info: (.*)$", text)
    info = m.group(1).strip() if m else ""
    got = dict(re.findall(r'([a-z]+)="?([^",]*)"?', info))
    want = h("%s:%s:%s:%s:auth-int:%s"
             % (ha1, n, nc, cnonce, h(":%s:%s" % (URI, h(rb)))))
    say(st == 200 and got.get("qop") == "auth-int" and
        got.get("rspauth") == want and got.get("cnonce") == cnonce and
        got.get("nc") == nc and "nextnonce" in got,
        "origin auth-int [%s]: %s: qop=auth-int and rspauth over the "
        "response body" % (ALG, comment),
        "status %d, Authentication-Info: %s" % (st, info))

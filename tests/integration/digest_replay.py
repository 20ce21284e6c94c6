#!/usr/bin/env python3
"""tests/integration/digest_replay.py - Digest over real sockets against a
running bin/proxy: a captured request stays refused after someone else
used more fresh nonces than the proxy's nonce-count table holds; an
echoed cnonce cannot add a second rspauth; an nc that is not 8LHEX is a
400.

Usage: digest_replay.py PROXY_PORT ORIGIN_PORT SLOTS
Prints one "ok - " or "not ok - " line per check.  Every socket is on
127.0.0.1 with a timeout; every loop is bounded.
"""
import hashlib
import re
import socket
import sys

PP, OP, SLOTS = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
URL = "http://127.0.0.1:%d/" % OP
REALM = "lab407 proxy"


def say(ok, name, why=""):
    print(("ok - %s" % name) if ok else ("not ok - %s: %s" % (name, why)))


class Conn:
    """One keep-alive connection to the proxy, 5 s timeout per read."""

    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PP), timeout=5)
        self.buf = b""

    def send(self, raw):
        self.s.sendall(raw)
        return self.read()

    def read(self):
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            rest += d
        self.buf = rest[n:]
        text = head.decode("latin-1")
        return int(text.split(" ", 2)[1]), text, rest[:n]

    def close(self):
        self.s.close()


def request(extra=""):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n"
            % (URL, OP, extra)).encode("latin-1")


def nonce_of(head):
    m = re.search(r'(?im)^proxy-authenticate: digest .*?nonce="([^"]+)"', head)
    return m.group(1) if m else None


def md5(s):
    return hashlib.md5(s.encode("latin-1")).hexdigest()


def q(s):
    """A quoted-string as RFC 9110 §5.6.4 writes it."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authorization(user, pw, nonce, nc, cnonce="0a4f113b", nc_text=None):
    ha1 = md5("%s:%s:%s" % (user, REALM, pw))
    ha2 = md5("GET:%s" % URL)
    resp = md5("%s:%s:%08x:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
    return ("Proxy-Authorization: Digest username=%s, realm=%s, nonce=%s, "
            "uri=%s, algorithm=MD5, qop=auth, nc=%s, cnonce=%s, "
            "response=\"%s\"\r\n"
            % (q(user), q(REALM), q(nonce), q(URL),
               nc_text if nc_text else "%08x" % nc, q(cnonce), resp))


def params(value):
    """[(name, value)] of an auth-param list, quoted-strings unescaped."""
    out, i, n = [], 0, len(value)
    while i < n:
        while i < n and value[i] in " ,\t":
            i += 1
        m = re.match(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", value[i:])
        if not m or value[i + len(m.group(0)):][:1] != "=":
            return None
        name = m.group(0)
        i += len(name) + 1
        if value[i:i + 1] == '"':
            i += 1
            v = ""
            while i < n and value[i] != '"':
                if value[i] == "\\":
                    i += 1
                v += value[i]
                i += 1
            i += 1
        else:
            m = re.match(r"[^, ]*", value[i:])
            v = m.group(0)
            i += len(v)
        out.append((name, v))
    return out


def fresh_nonce(c):
    st, head, _ = c.send(request())
    return nonce_of(head) if st == 407 else None


def main():
    c = Conn()
    # alice's request, captured as it crossed the wire
    nonce = fresh_nonce(c)
    captured = request(authorization("alice", "wonderland", nonce, 1))
    st, _, _ = c.send(captured)
    say(st == 200, "alice's Digest request is accepted once", "got %d" % st)
    st, _, _ = c.send(captured)
    say(st == 407, "the same bytes again: 407 (replayed nonce count)",
        "got %d" % st)

    # mallory authenticates (the ACL then refuses her: 403) with more
    # fresh nonces than the table holds
    flood = SLOTS + 8
    ok = 0
    for _ in range(flood):
        n = fresh_nonce(c)
        st, _, _ = c.send(request(authorization("mallory", "letmein", n, 1)))
        ok += st == 403
    say(ok == flood, "mallory used %d fresh nonces (each 403 after "
        "authenticating)" % flood, "%d of %d" % (ok, flood))

    st, head, _ = c.send(captured)
    say(st == 407, "alice's captured request after the flood: still 407",
        "got %d" % st)
    say(re.search(r"(?im)^proxy-authenticate: digest .*stale=true", head)
        is not None, "... with stale=true, so a real client retries "
        "silently", head.replace("\r\n", " | ")[:300])
    n = nonce_of(head) or fresh_nonce(c)
    st, _, _ = c.send(request(authorization("alice", "wonderland", n, 1)))
    say(st == 200, "alice with the fresh nonce: 200", "got %d" % st)

    # an echoed cnonce with an escaped quote: one rspauth, inside the info
    n = fresh_nonce(c)
    cn = 'x", rspauth="forged'
    st, head, _ = c.send(request(authorization("alice", "wonderland", n, 1,
                                               cnonce=cn)))
    info = re.search(r"(?im)^proxy-authentication-info: (.*)$", head)
    info = info.group(1) if info else ""
    ps = params(info) or []
    say(st == 200 and [k for k, _ in ps].count("rspauth") == 1 and
        ("cnonce", cn) in ps, "a cnonce with a quote comes back escaped, "
        "one rspauth", "status %d info %r" % (st, info))

    # nc must be 8LHEX: uppercase and other widths are 400
    for text, count in (("0000000A", 10), ("1", 1), ("000000001", 1),
                        ("0x000001", 1), ('" 0000001"', 1)):
        c.close()
        c = Conn()
        n = fresh_nonce(c)
        st, _, body = c.send(request(authorization(
            "alice", "wonderland", n, count, nc_text=text)))
        say(st == 400, "nc=%s is a 400" % text, "got %d: %r" % (st, body[:120]))
    c.close()


if __name__ == "__main__":
    try:
        main()
    except (OSError, EOFError, TypeError, AttributeError) as e:
        say(False, "digest replay checks", repr(e))

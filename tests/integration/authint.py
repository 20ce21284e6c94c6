#!/usr/bin/env python3
"""tests/integration/authint.py - Digest qop=auth-int over real sockets
against a running bin/proxy: the proxy reads the whole body (however it
arrives: with the head, trickled after it, chunked), checks the hash over
it before anything goes upstream, and forwards exactly the bytes it
hashed; a body over --auth-int-max is 413, a body that does not match
the hash is 407 and never reaches the origin.

Usage: authint.py PROXY_PORT LIMIT ALG
PROXY_PORT is a bin/proxy with --auth digest --qop auth-int
--digest-algorithms ALG --auth-int-max LIMIT.  The origin is a small
recorder in this script, on 127.0.0.1, that says what body it got.
Prints one "ok - " or "not ok - " line per check.  Every socket has a
timeout; every loop is bounded.
"""
import hashlib
import re
import socket
import sys
import threading
import time

PP, LIMIT, ALG = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
REALM = "lab407 proxy"
H = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[ALG]


def say(ok, name, why=""):
    print(("ok - %s" % name) if ok else ("not ok - %s: %s" % (name, why)))
    sys.stdout.flush()


def h(b):
    if isinstance(b, str):
        b = b.encode("latin-1")
    return H(b).hexdigest()


# ---- The origin: records each request's body (decoded), answers 200 ----

RECEIVED = []   # (head, raw bytes after the head, decoded body)


def read_chunked(f_recv, rest):
    """Decode a chunked body from rest + more; returns (data, raw)."""
    raw, data = rest, b""
    pos = 0
    for _ in range(10000):
        while b"\r\n" not in raw[pos:]:
            raw += f_recv()
        line_end = raw.index(b"\r\n", pos)
        size = int(raw[pos:line_end].split(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            while b"\r\n\r\n" not in raw[pos - 2:]:
                raw += f_recv()
            return data, raw
        while len(raw) < pos + size + 2:
            raw += f_recv()
        data += raw[pos:pos + size]
        pos += size + 2
    raise ValueError("too many chunks")


def serve_one(s):
    s.settimeout(5)
    buf = b""

    def more():
        d = s.recv(65536)
        if not d:
            raise EOFError("closed")
        return d

    try:
        while b"\r\n\r\n" not in buf:
            buf += more()
        head, _, rest = buf.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        m = re.search(r"(?im)^content-length:\s*(\d+)", text)
        if re.search(r"(?im)^transfer-encoding:.*chunked", text):
            body, raw = read_chunked(more, rest)
        else:
            n = int(m.group(1)) if m else 0
            while len(rest) < n:
                rest += more()
            body, raw = rest[:n], rest
        RECEIVED.append((text, raw, body))
        reply = ("got %d bytes %s\n" % (len(body), h(body))).encode()
        if re.search(r"(?im)^x-reply: chunked", text):
            s.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                      b"Connection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                      % (len(reply), reply))
            return
        if re.search(r"(?im)^x-reply: big", text):
            reply = reply * (200 * 1024 // len(reply) + 1)
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n" % len(reply) + reply)
    except (OSError, EOFError, ValueError):
        pass
    finally:
        s.close()


def origin_loop(ls):
    ls.settimeout(0.2)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            s, _ = ls.accept()
        except socket.timeout:
            continue
        except OSError:
            return
        threading.Thread(target=serve_one, args=(s,), daemon=True).start()


LS = socket.socket()
LS.bind(("127.0.0.1", 0))
LS.listen(16)
OP = LS.getsockname()[1]
threading.Thread(target=origin_loop, args=(LS,), daemon=True).start()
URL = "http://127.0.0.1:%d/upload" % OP


# ---- The client ----

def read_response(s, buf=b""):
    """One response (Content-Length framed or none); returns
    (status, head, body, rest).  1xx responses are returned too."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed before a response")
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    status = int(text.split(" ", 2)[1])
    m = re.search(r"(?im)^content-length:\s*(\d+)", text)
    n = int(m.group(1)) if m else 0
    while len(rest) < n:
        d = s.recv(65536)
        if not d:
            break
        rest += d
    return status, text, rest[:n], rest[n:]


def connect():
    return socket.create_connection(("127.0.0.1", PP), timeout=5)


def challenge():
    """A fresh nonce from a 407."""
    s = connect()
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
               % (URL, OP)).encode())
    st, head, _, _ = read_response(s)
    s.close()
    m = re.search(r'(?im)^proxy-authenticate: digest .*?nonce="([^"]+)"',
                  head)
    return m.group(1)


def credentials(method, hashed_body, nonce, nc="00000001",
                cnonce="c0ffee42"):
    ha1 = h("alice:%s:wonderland" % REALM)
    ha2 = h("%s:%s:%s" % (method, URL, h(hashed_body)))
    resp = h("%s:%s:%s:%s:auth-int:%s" % (ha1, nonce, nc, cnonce, ha2))
    return ('Proxy-Authorization: Digest username="alice", realm="%s", '
            'nonce="%s", uri="%s", algorithm=%s, qop=auth-int, nc=%s, '
            'cnonce="%s", response="%s"\r\n'
            % (REALM, nonce, URL, ALG, nc, cnonce, resp)), ha1, cnonce, nc


def head(method, creds, framing):
    return ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%s\r\n"
            % (method, URL, OP, creds, framing)).encode("latin-1")


def cl(body):
    return "Content-Length: %d\r\n" % len(body)


def chunked(parts, trailer=b""):
    out = b""
    for i, p in enumerate(parts):
        out += b"%x;ext%d=1\r\n" % (len(p), i) + p + b"\r\n"
    return out + b"0\r\n" + trailer + b"\r\n"


def info_of(rh):
    m = re.search(r"(?im)^proxy-authentication-info: (.*)$", rh)
    return m.group(1).strip() if m else None


def check_info(name, rh, rb, nonce, ha1, cnonce, nc):
    """rspauth after auth-int covers the response body (RFC 7616 §3.5)."""
    info = info_of(rh)
    want = h("%s:%s:%s:%s:auth-int:%s"
             % (ha1, nonce, nc, cnonce, h(":%s:%s" % (URL, h(rb)))))
    got = dict(re.findall(r'([a-z]+)="?([^",]*)"?', info or ""))
    say(got.get("qop") == "auth-int" and got.get("rspauth") == want and
        got.get("cnonce") == cnonce and got.get("nc") == nc and
        "nextnonce" in got, name + ": rspauth over the response body",
        "Proxy-Authentication-Info: %s" % info)


def exchange(name, method, hashed, framing, pieces, want, want_body=None,
             pause=0.0):
    """Send the head, then pieces (the first may go with the head), read
    the final answer; check the status and what the origin received."""
    before = len(RECEIVED)
    nonce = challenge()
    creds, ha1, cnonce, nc = credentials(method, hashed, nonce)
    s = connect()
    try:
        first = head(method, creds, framing)
        if pause == 0.0 and pieces:
            s.sendall(first + pieces[0])
            rest_pieces = pieces[1:]
        else:
            s.sendall(first)
            rest_pieces = pieces
        for p in rest_pieces:
            time.sleep(pause)
            try:
                s.sendall(p)
            except OSError:
                break
        st, rh, rb, _ = read_response(s)
        for _ in range(3):        # interim answers (100 Continue)
            if st >= 200:
                break
            st, rh, rb, _ = read_response(s, _)
    except (OSError, EOFError) as e:
        say(False, name, "no answer: %s" % e)
        return None
    finally:
        s.close()
    if st != want:
        say(False, name, "status %d, want %d: %s" % (st, want,
                                                      rb[:200]))
        return None
    time.sleep(0.1)
    got = RECEIVED[before:]
    if want_body is None:
        say(not got, name, "the origin received %d request(s)" % len(got))
        return rh
    if len(got) != 1:
        say(False, name, "the origin received %d requests" % len(got))
        return None
    say(got[0][2] == want_body, name,
        "the origin got %r, want %r" % (got[0][2][:60], want_body[:60]))
    check_info(name, rh, rb, nonce, ha1, cnonce, nc)
    return rh


body = b"name=alice&note=" + b"x" * 3000 + b"\r\n\x00end"

exchange("auth-int: body in the same packet as the head -> 200, origin "
         "gets exactly it", "POST", body, cl(body), [body], 200, body)
exchange("auth-int: body trickled after the head in 4 writes -> 200",
         "POST", body, cl(body),
         [body[:1], body[1:700], body[700:2000], body[2000:]], 200, body,
         pause=0.05)
exchange("auth-int: PUT, one byte after the head -> 200", "PUT", b"z",
         cl(b"z"), [b"z"], 200, b"z", pause=0.05)
parts = [b"first part,", b"", b"second\r\npart", b"x" * 5000]
parts = [p for p in parts if p]
data = b"".join(parts)
exchange("auth-int: chunked body (extensions, trailer) -> 200, hash over "
         "the decoded data", "POST", data, "Transfer-Encoding: chunked\r\n",
         [chunked(parts, b"X-Checksum: 1\r\n")], 200, data, pause=0.05)
exchange("auth-int: chunked, hash over the framed bytes -> 407",
         "POST", chunked(parts), "Transfer-Encoding: chunked\r\n",
         [chunked(parts)], 407)
tampered = body[:-3] + b"END"
exchange("auth-int: hash for one body, another of the same length sent "
         "-> 407, nothing upstream", "POST", body, cl(tampered),
         [tampered], 407)
exchange("auth-int: hash for one body, another trickled after the head "
         "-> 407, nothing upstream", "POST", body, cl(tampered),
         [tampered[:10], tampered[10:]], 407, pause=0.05)
exchange("auth-int: hash of an empty body, the body sent after the head "
         "-> 407, nothing upstream", "POST", b"", cl(body),
         [body[:100], body[100:]], 407, pause=0.05)
exchange("auth-int: chunked, tampered trailer-free data -> 407",
         "POST", data, "Transfer-Encoding: chunked\r\n",
         [chunked([data[:-1] + b"!"])], 407)
big = b"b" * (LIMIT + 1)
exchange("auth-int: Content-Length one over --auth-int-max -> 413",
         "POST", big, cl(big), [big], 413)
exchange("auth-int: chunked body over --auth-int-max -> 413",
         "POST", big, "Transfer-Encoding: chunked\r\n",
         [chunked([big[:LIMIT // 2], big[LIMIT // 2:]])], 413, pause=0.05)
exchange("auth-int: GET, no body -> 200", "GET", b"", "", [], 200, b"")
edge = b"e" * LIMIT
exchange("auth-int: body of exactly --auth-int-max -> 200", "POST", edge,
         cl(edge), [edge], 200, edge)

# A pipelined second request right behind the body is not part of it.
before = len(RECEIVED)
creds, _, _, _ = credentials("POST", b"hello", challenge())
s = connect()
second = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (URL, OP))
s.sendall(head("POST", creds, cl(b"hello")) + b"hello" + second.encode())
try:
    st, _, _, rest = read_response(s)
    st2, _, _, _ = read_response(s, rest)
except (OSError, EOFError) as e:
    st, st2 = 0, 0
s.close()
time.sleep(0.1)
got = RECEIVED[before:]
say(st == 200 and st2 == 407 and len(got) == 1 and got[0][2] == b"hello"
    and got[0][1] == b"hello",
    "auth-int: bytes after the body are the next request, not the body",
    "statuses %d %d, origin got %r" % (st, st2,
                                       [g[1][:40] for g in got]))

# Expect: 100-continue: the proxy asks for the body it must check.
before = len(RECEIVED)
creds, _, _, _ = credentials("POST", body, challenge())
s = connect()
s.sendall(head("POST", creds, cl(body) + "Expect: 100-continue\r\n"))
try:
    st, _, _, rest = read_response(s)
    if st == 100:
        s.sendall(body)
        st, _, _, _ = read_response(s, rest)
except (OSError, EOFError):
    st = 0
s.close()
time.sleep(0.1)
got = RECEIVED[before:]
say(st == 200 and len(got) == 1 and got[0][2] == body,
    "auth-int: Expect: 100-continue gets the proxy's 100, then 200",
    "status %d, origin got %d request(s)" % (st, len(got)))

# A body that stops coming: the body-rate rule holds while buffering.
before = len(RECEIVED)
creds, _, _, _ = credentials("POST", body, challenge())
s = connect()
s.settimeout(10)
s.sendall(head("POST", creds, cl(body)) + body[:10])
t0 = time.time()
try:
    st, _, _, _ = read_response(s)
except (OSError, EOFError):
    st = 0
s.close()
time.sleep(0.1)
say(st == 408 and len(RECEIVED) == before,
    "auth-int: a body that stalls while held -> 408, nothing upstream",
    "status %d after %.1f s, origin got %d" % (st, time.time() - t0,
                                               len(RECEIVED) - before))

# The answer's rspauth needs the response body before the head goes on.
for reply, what in (("chunked", "a chunked response"),
                    ("big", "a response over 128 KiB")):
    nonce = challenge()
    creds, ha1, cnonce, nc = credentials("POST", b"hi", nonce)
    s = connect()
    s.sendall(head("POST", creds, cl(b"hi") + "X-Reply: %s\r\n" % reply) +
              b"hi")
    try:
        st, rh, _, _ = read_response(s)
    except (OSError, EOFError):
        st, rh = 0, ""
    s.close()
    info = info_of(rh) or ""
    # The field names, not substrings: a random nonce may hold "qop".
    names = [f.split("=", 1)[0].strip().lower()
             for f in info.split(",") if f.strip()]
    say(st == 200 and names == ["nextnonce"],
        "auth-int: %s gets nextnonce alone, no rspauth it cannot prove"
        % what, "status %d, Proxy-Authentication-Info: %s" % (st, info))

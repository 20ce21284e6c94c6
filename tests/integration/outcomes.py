#!/usr/bin/env python3
"""tests/integration/outcomes.py - the outcomes table of lesson 05, row by row,
through bin/client and real curl.

The rows are not written here: they are read from lessons/outcomes.lab,
the same file that bin/repl's `outcomes` command and the lessons run.
Each row's REPL commands are translated into command-line options for
bin/client and for curl; its `expect` lines are checked against the last
response.  Rows that no command line can express (a stale nonce, a
replayed nonce count) are driven by a small raw-socket Digest client here
instead, and say so.

Usage: outcomes.py BIN PROXY_BASIC PROXY_DIGEST PROXY_STALE ORIGIN
[PROXY_NTLM] (ports of servers started by outcomes.sh; PROXY_STALE offers
Digest with a 1 s nonce lifetime, PROXY_DIGEST with the default).  The
NTLM rows that close or reuse a connection on purpose are checked with raw
sockets by tests/integration/ntlm.sh and skipped here, saying so.  Prints one "ok - ", "not ok - " or "skip - " line per check.
"""
import base64
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

BIN, PB, PD, PS, OP = sys.argv[1:6]
PN = sys.argv[6] if len(sys.argv) > 6 else None
LAB = os.path.join(os.path.dirname(__file__), "..", "..", "lessons",
                   "outcomes.lab")
DEFAULT_USER = "alice:wonderland"   # the REPL's default for both parties


def say(ok, name, why=""):
    if ok:
        print("ok - %s" % name)
    else:
        print("not ok - %s: %s" % (name, why))


# ---- reading the one data file ----

def read_rows(path):
    """[(name, [commands])] from '# row: NAME' sections."""
    rows, cur = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"#\s*row:\s*(.+)", line)
            if m:
                cur = (m.group(1), [])
                rows.append(cur)
            elif cur is not None and line and not line.startswith("#"):
                cur[1].append(line)
    return rows


def plan(commands):
    """Turn a row's REPL commands into a set-up and its expectations."""
    p = {"scheme": "basic", "puser": DEFAULT_USER, "ouser": DEFAULT_USER,
         "breaks": [], "gets": [], "expect": [], "unsupported": None}
    for c in commands:
        w = c.split()
        if w[0] == "reset":
            continue
        if w[0] == "scheme" and w[1] == "proxy":
            p["scheme"] = w[2]
        elif w[0] == "user":
            p["puser" if w[1] == "proxy" else "ouser"] = (
                None if w[2] == "none" else w[2])
        elif w[0] == "break":
            p["breaks"].append((w[1], len(p["gets"])))
        elif w[0] == "get":
            p["gets"].append(w[1])
        elif w[0] == "run":
            continue
        elif w[0] == "expect":
            p["expect"].append(w[1:])
        else:
            p["unsupported"] = c
    return p


# ---- checking one final response ----

def split_last(raw):
    """The last response block of a header dump: (status, headers, text)."""
    blocks = re.split(r"\r?\n\r?\n", raw.strip())
    heads = [b for b in blocks if b.startswith("HTTP/")]
    if not heads:
        return None, [], raw
    lines = heads[-1].splitlines()
    status = int(lines[0].split()[1])
    hdrs = []
    for ln in lines[1:]:
        name, _, value = ln.partition(":")
        hdrs.append((name.strip(), value.strip()))
    return status, hdrs, raw


def who(hdrs):
    return "origin" if any(n.lower() == "via" and "lab407" in v
                           for n, v in hdrs) else "proxy"


def check_expect(label, p, status, hdrs, seen_text):
    for e in p["expect"]:
        name = "%s: expect %s" % (label, " ".join(e))
        if e[0].isdigit():
            say(status == int(e[0]), name, "got %s" % status)
        elif e[0] == "from":
            say(who(hdrs) == e[1], name, "answered by %s" % who(hdrs))
        elif e[0] == "header":
            vals = [v for n, v in hdrs if n.lower() == e[1].lower()]
            want = " ".join(e[2:])
            say(any(want in v for v in vals), name, "values %r" % vals)
        elif e[0] == "no-header":
            say(not any(n.lower() == e[1].lower() for n, _ in hdrs), name,
                "present")
        elif e[0] == "seen":
            want = " ".join(e[1:])
            say(want in seen_text, name, "not in any message")
        else:
            say(False, name, "unknown expect form")
    if status == 403:
        # RFC 9110 §15.5.4: a 403 invites no new credentials.
        say(not any(n.lower() in ("www-authenticate", "proxy-authenticate")
                    for n, _ in hdrs),
            "%s: 403 carries no challenge" % label, "a challenge is present")


def check_echo(label, body, sent_authorization):
    """A 200 from the origin echoes what it received: Authorization as
    sent, never Proxy-Authorization."""
    lines = body.replace("\r", "").split("\n")
    say(not any(ln.lower().startswith("proxy-authorization:") for ln in lines),
        "%s: the origin never saw Proxy-Authorization" % label, "it did")
    if sent_authorization:
        want = "Authorization: " + sent_authorization
        say(want in lines, "%s: Authorization reached the origin untouched"
            % label, "no line %r" % want)


# ---- command lines: bin/client and curl ----

def b64(s):
    return base64.b64encode(s.encode()).decode()


def argv_for(tool, p, path):
    """Options for one row, or (None, reason) when the row cannot be said."""
    if p["scheme"] == "negotiate":
        return None, ("Negotiate needs a Kerberos realm; "
                      "tests/integration/negotiate.sh runs a private KDC "
                      "and checks it with bin/client and curl")
    if p["scheme"] == "ntlm" and PN is None:
        return None, "no NTLM proxy was started"
    proxy_port = {"digest": PD, "ntlm": PN}.get(p["scheme"], PB)
    args = ["-x", "http://127.0.0.1:%s" % proxy_port]
    puser, ouser, extra = p["puser"], p["ouser"], []
    for what, _ in p["breaks"]:
        if what == "password":
            puser = puser.split(":")[0] + ":not-the-password"
        elif what == "user":
            puser = "nobody:" + puser.split(":", 1)[1]
        elif what == "scheme":
            extra += ["-H", "Proxy-Authorization: Basix " + b64(puser)]
            puser = None
        elif what == "header":
            extra += ["-H", "Authorization: Basic " + b64(puser)]
            puser = ouser = None
        elif what == "base64":
            extra += ["-H", "Proxy-Authorization: Basic %%%notbase64"]
            puser = None
        elif what in ("close", "replay"):
            return None, ("break %s needs control of the connection itself; "
                          "tests/integration/ntlm.sh checks it with raw "
                          "sockets" % what)
        else:
            return None, ("break %s needs a client that keeps a Digest nonce "
                          "across requests" % what)
    if puser:
        args += ["-U", puser]
        args.append({"digest": "--proxy-digest",
                     "ntlm": "--proxy-ntlm"}.get(p["scheme"], "--proxy-basic"))
    if ouser:
        args += ["-u", ouser, "--basic"]
    sent_auth = ("Basic " + b64(ouser)) if ouser else None
    if any(w == "header" for w, _ in p["breaks"]):
        sent_auth = extra[1].split(": ", 1)[1]
    return (args + extra, sent_auth), None


def run_tool(tool, args, url):
    if tool == "curl":
        cmd = ["curl", "-s", "-v", "-D", "-", "-o", "-"] + args + [url]
    else:
        cmd = [os.path.join(BIN, "client"), "-s", "-v", "-i"] + args + [url]
    r = subprocess.run(cmd, capture_output=True, timeout=30)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    return out, err


# ---- rows no command line can express: a Digest client by hand ----

def http(port, head):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as s:
        s.sendall(head.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            m = re.search(rb"\r\n\r\n", data)
            if m:
                cl = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", data[:m.end()])
                if cl and len(data) >= m.end() + int(cl.group(1)):
                    break
    return data.decode("utf-8", "replace")


def challenge(resp):
    """Params of the first Digest Proxy-Authenticate of a response."""
    m = re.search(r"(?im)^Proxy-Authenticate:\s*Digest\s+(.*)$", resp)
    pairs = re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', m.group(1))
    return {k: quoted or bare for k, quoted, bare in pairs}


def digest_header(ch, user, password, uri, nc, cnonce):
    """RFC 7616 §3.4.1, computed independently of lab407's C code."""
    alg = ch.get("algorithm", "MD5")
    h = (lambda s: hashlib.sha256(s.encode()).hexdigest()) \
        if alg.upper().startswith("SHA-256") else \
        (lambda s: hashlib.md5(s.encode()).hexdigest())
    ha1 = h("%s:%s:%s" % (user, ch["realm"], password))
    ha2 = h("GET:%s" % uri)
    ncs = "%08x" % nc
    resp = h("%s:%s:%s:%s:auth:%s" % (ha1, ch["nonce"], ncs, cnonce, ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'algorithm=%s, qop=auth, nc=%s, cnonce="%s", response="%s"'
            % (user, ch["realm"], ch["nonce"], uri, alg, ncs, cnonce, resp))


def get(port, url, pa=None):
    head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n" % (
        url, OP)
    if pa:
        head += "Proxy-Authorization: %s\r\n" % pa
    return http(port, head + "\r\n")


def by_hand(label, p, path):
    url = "http://127.0.0.1:%s%s" % (OP, path)
    user, password = DEFAULT_USER.split(":")
    kinds = [w for w, _ in p["breaks"]]
    port = PS if "stale" in kinds else PD
    first = get(port, url)
    ch = challenge(first)
    seen = first
    if "stale" in kinds:
        time.sleep(2.2)   # past the proxy's 1 s nonce lifetime
        r = get(PS, url, digest_header(ch, user, password, url, 1, "c0ffee01"))
        seen += r
        if "stale=true" in r:   # the one silent retry, with the new nonce
            r = get(PS, url, digest_header(challenge(r), user, password, url,
                                           1, "c0ffee02"))
            seen += r
    elif "nc" in kinds:
        cred = digest_header(ch, user, password, url, 1, "c0ffee03")
        r1 = get(PD, url, cred)
        seen += r1
        say(r1.startswith("HTTP/1.1 200"), "%s: first use of nc=1 is accepted"
            % label, r1.split("\r\n", 1)[0])
        r = get(PD, url, cred)       # the very same credentials again
        seen += r
    else:
        raise AssertionError("no hand-driven plan for %r" % kinds)
    status, hdrs, _ = split_last(r)
    check_expect(label, p, status, hdrs, seen)


# ---- main ----

def main():
    rows = read_rows(LAB)
    say(len(rows) >= 13, "outcomes.lab has a section per row of the outcomes "
        "table", "%d rows" % len(rows))
    for name, commands in rows:
        p = plan(commands)
        if p["unsupported"]:
            say(False, name, "cannot translate %r" % p["unsupported"])
            continue
        path = p["gets"][-1] if p["gets"] else "/"
        url = "http://127.0.0.1:%s%s" % (OP, path)
        spec, why = argv_for("client", p, path)
        if spec is None and p["scheme"] in ("ntlm", "negotiate"):
            print("skip - %s [bin/client, curl]: %s" % (name, why))
            continue
        if spec is None:
            print("skip - %s [bin/client, curl]: %s; checked by a raw-socket "
                  "Digest client instead" % (name, why))
            by_hand("%s [by hand]" % name, p, path)
            continue
        args, sent_auth = spec
        for tool in ("client", "curl"):
            label = "%s [%s]" % (name, "bin/client" if tool == "client"
                                 else "curl")
            if tool == "curl" and shutil.which("curl") is None:
                print("skip - %s: curl is not installed" % label)
                continue
            out, err = run_tool(tool, args, url)
            status, hdrs, _ = split_last(out)
            if status is None:
                say(False, label, "no response: %s" % err[-300:])
                continue
            check_expect(label, p, status, hdrs, out + err)
            if status == 200 and who(hdrs) == "origin":
                # What the client really sent last, from its -v trace.
                sent = re.findall(r"(?m)^> Authorization: (.*?)\r?$", err)
                check_echo(label, out, sent[-1] if sent else None)
                if sent:
                    say(sent[-1] == sent_auth, "%s: the client sent the "
                        "Authorization the row asked for" % label,
                        "%r != %r" % (sent[-1], sent_auth))
            if tool == "client":
                note = "Response from the %s" % who(hdrs)
                say(note in err, "%s: -v says which party answered" % label,
                    "no '%s' note" % note)


if __name__ == "__main__":
    main()

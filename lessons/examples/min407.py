#!/usr/bin/env python3
"""min407.py - the smallest honest 407 in modern Python (lesson 09).

A forward proxy front door that checks Proxy-Authorization properly:
it parses the scheme, decodes the Basic credentials, compares them in
constant time, and only then says yes.  It does not forward anything: it
answers 200 itself, which is enough to see the 407 dance with curl:

    python3 min407.py 127.0.0.1 0 &       # prints "listening on HOST:PORT"
    curl -v --proxy-anyauth -x http://127.0.0.1:PORT -U alice:wonderland \
        http://example.test/

The connection stays open after a 407 (HTTP/1.1, a Content-Length on
every answer), so the retry comes on it; a request with a body, which
this example does not read, gets its answer and a close.
"""
import base64
import binascii
import hmac
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer

REALM = "lab407 proxy"
USERS = {"alice": "wonderland", "bob": "builder"}


def check(header):
    """Return (user, None) when the header holds valid Basic credentials,
    else (None, reason)."""
    if header is None:
        return None, "Proxy-Authorization missing"
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None, "scheme %r not offered" % scheme
    try:
        raw = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, "credentials are not valid base64 of UTF-8"
    user, sep, password = raw.partition(":")
    if not sep:
        return None, "no colon between user and password"
    expected = USERS.get(user, "")
    # Compare even for unknown users, so timing does not tell who exists.
    good = hmac.compare_digest(password.encode(), expected.encode())
    if user not in USERS or not good:
        return None, "wrong user or password"
    return user, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        user, why = check(self.headers.get("Proxy-Authorization"))
        if user is None:
            body = ("407: %s\n" % why).encode()
            self.send_response(HTTPStatus.PROXY_AUTHENTICATION_REQUIRED)
            self.send_header("Proxy-Authenticate",
                             'Basic realm="%s", charset="UTF-8"' % REALM)
        else:
            body = ("hello %s, you may use this proxy\n" % user).encode()
            self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.has_body():
            # This example does not read bodies; RFC 9112 §9.3: read the
            # whole body or close, or its bytes would be taken for the
            # next request.
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def has_body(self):
        """True when the request announces a body (RFC 9112 §6.3)."""
        length = self.headers.get("Content-Length", "0").strip()
        return (self.headers.get("Transfer-Encoding") is not None
                or length != "0")

    def log_message(self, fmt, *args):
        pass


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    server = HTTPServer((host, port), Handler)
    print("listening on %s:%d" % server.server_address[:2], flush=True)
    for _ in range(limit):  # a bounded loop: a lab server stops by itself
        server.handle_request()


if __name__ == "__main__":
    main()

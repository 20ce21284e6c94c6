#!/usr/bin/env python3
"""tests/integration/fake_peer.py MODE [ARGS] - a scripted HTTP peer on
127.0.0.1 for tests that need a server misbehaving in one exact way.  Its
first line on stdout is "listening on 127.0.0.1:PORT", like lab407's own
servers.  Each connection reads one request head, then:

  stall              answers nothing (holds the connection, 30 s at most)
  interim N CODE     sends N interim responses with status CODE (1xx),
                     then a 200 with a 2-byte body
  status CODE        sends a bodiless response with status CODE (204, 304)
"""
import socket
import sys
import time

mode = sys.argv[1]
args = sys.argv[2:]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
srv.settimeout(60)
deadline = time.time() + 60
REASONS = {100: "Continue", 101: "Switching Protocols", 102: "Processing",
           103: "Early Hints", 204: "No Content", 304: "Not Modified"}


def read_head(c):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        got = c.recv(4096)
        if not got:
            break
        data += got
    return data


while time.time() < deadline:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        break
    c.settimeout(30)
    try:
        read_head(c)
        if mode == "stall":
            # tell the test we hold the connection, then say nothing
            print("accepted", flush=True)
            time.sleep(30)
        elif mode == "interim":
            n, code = int(args[0]), int(args[1])
            line = "HTTP/1.1 %d %s\r\n\r\n" % (code, REASONS.get(code, "X"))
            c.sendall(line.encode() * n)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        elif mode == "status":
            code = int(args[0])
            c.sendall(("HTTP/1.1 %d %s\r\nServer: fake\r\n\r\n"
                       % (code, REASONS.get(code, "X"))).encode())
        time.sleep(0.2)
    except OSError:
        pass
    finally:
        c.close()

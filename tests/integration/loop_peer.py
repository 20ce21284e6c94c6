#!/usr/bin/env python3
"""tests/integration/loop_peer.py MODE PORT [LOG] - small origins that
misbehave in one precise way, for tests/integration/proxy_loop.sh.
Listens on 127.0.0.1:PORT, prints "listening on 127.0.0.1:PORT", and runs
at most 60 s.

  drop    first request on a connection: 200, kept alive; the second
          request on it is read and the connection closed unanswered.
          Each request is logged as "METHOD PATH" to LOG.
  hints   a 103 Early Hints before the 200; a 100 Continue first when
          the request says Expect: 100-continue.
  chunked a chunked 200 with trailers X-Trailer and Set-Cookie.
  record  writes the raw request bytes to LOG, then 200.
  big     a 64 MiB body.
  count   keep-alive 200s; logs "conn" to LOG per new connection.
  full    a listener whose accept queue is full: never accepts.
  stall   reads a request head, then nothing for 1.5 s; then the body,
          and a 200 whose body is how many body bytes came.
  sized   keep-alive 200s; GET /N has an N-byte body (N < 1 MiB), byte i
          of it (i + N) % 256, head and body sent by one sendall().  A
          request line that is not exactly "GET /N HTTP/1.1", or a head
          without Host, gets a 400.
"""
import socket, sys, threading, time

mode, port = sys.argv[1], int(sys.argv[2])
log = sys.argv[3] if len(sys.argv) > 3 else None
lock = threading.Lock()


def note(line):
    if log:
        with lock, open(log, "a") as f:
            f.write(line + "\n")


def read_head(s, buf):
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            return None, buf
        buf += b
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i].decode("latin-1"), buf[i:]


def read_body(s, head, rest):
    length = 0
    for line in head.split("\r\n")[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    while len(rest) < length:
        b = s.recv(65536)
        if not b:
            break
        rest += b
    return rest[length:]


PATTERN = bytes(range(256)) * 4097  # sized: any N < 1 MiB from offset N % 256
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"


def serve(s):
    buf, n = b"", 0
    s.settimeout(20)
    try:
        while True:
            head, buf = read_head(s, buf)
            if head is None:
                return
            n += 1
            line = head.split("\r\n")[0].split(" ")
            if mode == "drop":
                note(line[0] + " " + line[1])
                buf = read_body(s, head, buf)
                if n == 2:
                    return
                s.sendall(OK)
            elif mode == "hints":
                if "expect: 100-continue" in head.lower():
                    s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                buf = read_body(s, head, buf)
                s.sendall(b"HTTP/1.1 103 Early Hints\r\n"
                          b"Link: </style.css>; rel=preload\r\n\r\n" + OK)
            elif mode == "chunked":
                s.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                          b"Content-Type: text/plain\r\n\r\n"
                          b"5\r\nhello\r\n6\r\n world\r\n0\r\n"
                          b"X-Trailer: t\r\nSet-Cookie: s=1\r\n\r\n")
            elif mode == "record":
                data = head.encode("latin-1") + buf
                s.settimeout(0.5)
                try:
                    while not data.endswith(b"\r\n\r\n") or data.count(b"\r\n\r\n") < 2:
                        b = s.recv(65536)
                        if not b:
                            break
                        data += b
                except socket.timeout:
                    pass
                with open(log, "wb") as f:
                    f.write(data)
                s.sendall(OK)
                return
            elif mode == "big":
                size = 64 << 20
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
                chunk = b"x" * 65536
                for _ in range(size // len(chunk)):
                    s.sendall(chunk)
                return
            elif mode == "sized":
                if (len(line) != 3 or line[0] != "GET" or line[2] != "HTTP/1.1"
                        or not line[1][1:].isdigit() or "\r\nhost: " not in head.lower()):
                    s.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    continue
                n = int(line[1][1:])
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n
                          + PATTERN[n % 256:n % 256 + n])
            elif mode == "count":
                buf = read_body(s, head, buf)
                s.sendall(OK)
            elif mode == "stall":
                time.sleep(1.5)
                length = int(next(
                    l.split(":", 1)[1] for l in head.split("\r\n")[1:]
                    if l.lower().startswith("content-length:")))
                got = len(buf)
                while got < length:
                    b = s.recv(65536)
                    if not b:
                        break
                    got += len(b)
                body = b"%d" % got
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                          % len(body) + body)
                return
    except OSError:
        pass
    finally:
        s.close()


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(0 if mode == "full" else 64)
print("listening on 127.0.0.1:%d" % port, flush=True)
end = time.time() + 60
if mode == "full":
    # Fill the accept queue so that later SYNs go unanswered.
    held = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        held.append(c)
    time.sleep(end - time.time())
    sys.exit(0)
ls.settimeout(1)
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    if mode == "count":
        note("conn")
    threading.Thread(target=serve, args=(c,), daemon=True).start()

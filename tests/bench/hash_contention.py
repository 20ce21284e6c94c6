#!/usr/bin/env python3
"""tests/bench/hash_contention.py - does password hashing serialise the
proxy?  Six connections send a bcrypt user's wrong password as fast as
the proxy answers, while a seventh measures how long an unauthenticated
request takes to get its 407.  Prints the medians; asserts nothing.

Usage: hash_contention.py BIN [SAMPLES] [COST]
BIN is the directory holding proxy (bin/, or another build's).  Needs
Apache's htpasswd for the bcrypt file.  Every socket is on 127.0.0.1 with
a timeout, every loop bounded in count and time.
"""
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
SAMPLES = int(sys.argv[2]) if len(sys.argv) > 2 else 40
COST = sys.argv[3] if len(sys.argv) > 3 else "10"
HAMMERS = 6
DEADLINE = 60.0     # seconds, whatever happens


def one(port, raw):
    """Send raw on a new connection; seconds until the status line."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = b""
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    return time.monotonic() - t0, data.split(b" ", 2)[1:2]


def hammer(port, stop, raw, counts, i):
    """Keep one connection busy with wrong passwords until stop."""
    end = time.monotonic() + DEADLINE
    while not stop.is_set() and time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port),
                                          timeout=10) as s:
                for _ in range(1000):
                    if stop.is_set():
                        return
                    s.sendall(raw)
                    data = b""
                    while b"\r\n\r\n" not in data:
                        d = s.recv(65536)
                        if not d:
                            raise EOFError
                        data += d
                    # the 407 body: read what Content-Length says
                    head, _, rest = data.partition(b"\r\n\r\n")
                    n = 0
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            n = int(line.split(b":")[1])
                    while len(rest) < n:
                        rest += s.recv(65536)
                    counts[i] += 1
        except (OSError, EOFError):
            time.sleep(0.01)


def main():
    tmp = tempfile.mkdtemp()
    users = os.path.join(tmp, "users")
    line = subprocess.run(["htpasswd", "-nbB", "-C", COST, "bob", "builder"],
                          capture_output=True, text=True, check=True).stdout
    with open(users, "w") as f:
        f.write(line.strip() + "\n")
    p = subprocess.Popen([os.path.join(BIN, "proxy"), "--listen",
                          "127.0.0.1:0", "--auth", "basic", "--users", users],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    try:
        port = int(p.stdout.readline().strip().rsplit(":", 1)[1])
        url = b"http://127.0.0.1:9/"
        bare = b"GET " + url + b" HTTP/1.1\r\nHost: 127.0.0.1:9\r\n" \
               b"Connection: close\r\n\r\n"
        wrong = b"GET " + url + b" HTTP/1.1\r\nHost: 127.0.0.1:9\r\n" \
                b"Proxy-Authorization: Basic " + \
                base64.b64encode(b"bob:wrong") + b"\r\n\r\n"

        quiet = [one(port, bare)[0] for _ in range(SAMPLES)]
        stop = threading.Event()
        counts = [0] * HAMMERS
        ts = [threading.Thread(target=hammer,
                               args=(port, stop, wrong, counts, i))
              for i in range(HAMMERS)]
        for t in ts:
            t.start()
        time.sleep(0.5)
        busy = []
        for _ in range(SAMPLES):
            dt, status = one(port, bare)
            busy.append(dt)
            time.sleep(0.02)
        stop.set()
        for t in ts:
            t.join(DEADLINE)
        print("bcrypt cost %s, %d samples: unauthenticated 407 median "
              "%.1f ms alone, %.1f ms with %d connections hashing "
              "(%d wrong-password answers meanwhile)"
              % (COST, SAMPLES, 1000 * statistics.median(quiet),
                 1000 * statistics.median(busy), HAMMERS, sum(counts)))
    finally:
        p.terminate()
        p.wait(10)


if __name__ == "__main__":
    main()

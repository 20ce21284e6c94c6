#!/usr/bin/env python3
"""tests/integration/bad_input.py PROXY_PORT ORIGIN_PORT ORIGIN_LOG - send
every request of tests/bad-input/ raw, as tests/bad-input/README says, and
compare with tests/bad-input/expected.tsv.  Prints one line per case and
target ("ok - NAME", "not ok - NAME: why", "skip - NAME: why").

For each case: the outcome is the status of the first response, or
"close" when the connection ends with no response.  "nothing" forwarded
means the origin's -v log gains no line while the case runs (through the
proxy), or no line saying it served the request (sent to the origin
itself); "yes" means the origin served it.  Rows marked pending:ITEM (a fix in progress elsewhere) or
reported:FILE are skipped with that reason; LAB407_BAD_INPUT_ALL=1 runs
them anyway.  After every case a good request on a new connection must still
get 200, and, through the proxy, must be the only line the origin logged.
"""
import os
import re
import socket
import sys
import time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "bad-input")
TIMEOUT = 5.0  # seconds a case may take to be answered
proxy_port, origin_port, origin_log = (int(sys.argv[1]), int(sys.argv[2]),
                                       sys.argv[3])
ORIGIN = b"127.0.0.1:%d" % origin_port
GOOD = {
    "proxy": b"GET http://" + ORIGIN + b"/ HTTP/1.1\r\nHost: " + ORIGIN +
             b"\r\nProxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
             b"Connection: close\r\n\r\n",
    "origin": b"GET / HTTP/1.1\r\nHost: " + ORIGIN +
              b"\r\nConnection: close\r\n\r\n",
}


def log_lines():
    with open(origin_log, "rb") as f:
        return f.read().decode("utf-8", "replace").splitlines()


def exchange(port, data):
    """Send data, return the status code as text, "close" or "timeout"."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    got = b""
    try:
        try:
            s.sendall(data)
        except OSError:
            pass  # refused mid-send: what it answered is still readable
        end = time.time() + TIMEOUT
        while b"\r\n" not in got and time.time() < end:
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                return "timeout"
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", got)
    if m:
        return m.group(1).decode()
    return "close" if not got else "garbage: %r" % got[:60]


def wait_log(before, want, limit=2.0):
    """Lines the origin logged after `before`, once `want` are there (or
    the time is up)."""
    end = time.time() + limit
    while True:
        lines = log_lines()[before:]
        if len(lines) >= want or time.time() > end:
            return lines
        time.sleep(0.02)


def run(fname, target, expect, forwarded):
    with open(os.path.join(HERE, fname), "rb") as f:
        data = f.read().replace(b"@ORIGIN@", ORIGIN)
    name = "%s@%s" % (fname[:-5], target)
    port = proxy_port if target == "proxy" else origin_port
    before = len(log_lines())
    got = exchange(port, data)
    problems = []
    if got != expect:
        problems.append("got %s, want %s" % (got, expect))
    # the good request, on a new connection, after every case
    good = exchange(port, GOOD[target])
    if good != "200":
        problems.append("the good request after it got %s" % good)
    # Through the proxy only the good request may reach the origin.  Sent
    # to the origin, each answered request logs one line (a refusal just
    # after its answer is written): wait for both, then only the good one
    # may say it was served.
    want = 1 if target == "proxy" or got == "close" else 2
    if forwarded == "yes":
        want = 2
    lines = wait_log(before, want)
    if forwarded == "yes":
        # served: through the proxy or not, the origin served both
        served = [l for l in lines if re.search(r"-> 2\d\d", l)]
        if len(served) != 2:
            problems.append("the origin served %d requests, want 2 (this "
                            "and the good one)" % len(served))
    if forwarded == "nothing":
        if target == "proxy":
            if len(lines) != 1:
                problems.append("the origin saw %d requests, want 1 (the "
                                "good one): %s" % (len(lines), lines[:3]))
        else:
            served = [l for l in lines if re.search(r"-> 2\d\d", l)]
            if len(served) != 1:
                problems.append("the origin served %d requests, want 1 "
                                "(the good one): %s" % (len(served),
                                                        served[:2]))
    if problems:
        print("not ok - %s: %s" % (name, "; ".join(problems)))
    else:
        print("ok - %s" % name)
    sys.stdout.flush()


rows = 0
with open(os.path.join(HERE, "expected.tsv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        fname, target, expect, forwarded, pending, _note = \
            line.rstrip("\n").split("\t")
        rows += 1
        for t in (["proxy", "origin"] if target == "both" else [target]):
            kind, _, what = pending.partition(":")
            if os.environ.get("LAB407_BAD_INPUT_ALL") == "1":
                kind = "-"  # run the pending rows too, to see where they stand
            if kind == "pending":
                print("skip - %s@%s: pending fix of issue item %s"
                      % (fname[:-5], t, what))
                continue
            if kind == "reported":
                print("skip - %s@%s: reported, to be fixed in %s"
                      % (fname[:-5], t, what))
                continue
            run(fname, t, expect, forwarded)
files = sorted(f for f in os.listdir(HERE) if f.endswith(".http"))
if len(files) != rows:
    print("not ok - bad-input-table: %d files, %d rows in expected.tsv"
          % (len(files), rows))
else:
    print("ok - bad-input-table: %d files, each with one row" % rows)

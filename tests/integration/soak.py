#!/usr/bin/env python3
"""tests/integration/soak.py - the soak driver run by soak.sh.

  soak.py BIN PROXY_PORT PROXY_PID ECHO_PORT SECONDS

CLIENTS concurrent clients (asyncio, one connection at a time each) mix,
for SECONDS, good Basic requests (GET, several on one kept-alive
connection, and POST with a body the origin echoes), requests without
credentials or with a wrong password (407), mallory's (403), CONNECT
tunnels to a loopback echo server (every byte must come back), and
clients that vanish mid-head, mid-body, mid-tunnel and mid-response,
half of them with a reset (SO_LINGER 0).  Meanwhile the origin (bin/origin,
started here) is killed twice, once with SIGKILL and once with SIGTERM,
and started again on the same port.

What counts as expected, exactly:
  - 407, 403 and tunnel outcomes never depend on the origin: always the
    status of the scenario.
  - A request that needs the origin gets 200, except when its lifetime
    [first byte sent, response or error] overlaps a down window: from
    WINDOW_BEFORE before the kill to WINDOW_AFTER after the restarted
    origin listens again.  Then 502, 503 or 504 from the proxy, or the
    proxy closing the connection without (the rest of) a response, are
    expected too.  WINDOW_AFTER covers exchanges that were already on
    their way to the old origin when it came back.
  - Anything else is unexpected: another status, an error or timeout
    outside a window, a tunnel that does not echo, a 5xx outside a
    window.  A kept-alive connection the proxy closes before the next
    request's first response byte is retried once on a new connection
    (RFC 9112 §9.3.1 lets a client do that for an idempotent request),
    and counted.

Before the soak, a warm-up of WARMUP seconds runs the same mix (without
killing the origin), so the proxy's allocator and thread caches reach the
plateau this load gives; then every client closes and the proxy's open
descriptors (/proc/PID/fd) and RSS (VmRSS) are taken as the starting
level.  After the soak every client closes again and they are read once
more, waiting up to SETTLE seconds for the descriptors to come back.
Tolerances, and why:
  - descriptors: FD_SLACK more than the start.  A proxy may keep a few
    idle upstream connections in a pool at either moment; a leak of one
    descriptor per failed or abandoned exchange would be hundreds (the
    counts of such exchanges are printed).
  - RSS: RSS_SLACK_KB or RSS_SLACK_SHARE of the start, whichever is
    larger.  The C library keeps freed memory for reuse (malloc arenas,
    cached thread stacks) and returns it to the system only in part, so
    RSS does not fall back to the byte; a leak of 1 KiB per exchange over
    the tens of thousands of exchanges here would pass both.

Prints "ok - soak: ..." / "not ok - soak: ...: why" lines and the figures
("# " lines).  Every wait is bounded; the whole run takes about
WARMUP + SECONDS + 10 s.
"""
import asyncio
import os
import random
import signal
import socket
import struct
import sys
import time

BIN, PROXY_PORT, PROXY_PID, ECHO_PORT, SECONDS = sys.argv[1:6]
PROXY_PORT, PROXY_PID, ECHO_PORT = int(PROXY_PORT), int(PROXY_PID), int(ECHO_PORT)
SECONDS = float(SECONDS)

CLIENTS = 200
WARMUP = 3.0
SETTLE = 10.0
IO_TIMEOUT = 10.0         # one read or write, at most
WINDOW_BEFORE = 0.05      # seconds before a kill
WINDOW_AFTER = 1.0        # seconds after the origin listens again
DOWN_FOR = 1.5            # seconds the origin stays down
KILLS = ((0.25, signal.SIGKILL), (0.6, signal.SIGTERM))  # share of SECONDS
FD_SLACK = 8
RSS_SLACK_KB = 4096
RSS_SLACK_SHARE = 0.20
MAX_EXCHANGES = 2_000_000  # a bound on the whole run, never reached

GOOD = "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"     # alice
WRONG = "Proxy-Authorization: Basic YWxpY2U6d3Jvbmc=\r\n"            # alice:wrong
MALLORY = "Proxy-Authorization: Basic bWFsbG9yeTpsZXRtZWlu\r\n"      # mallory:letmein

# ---- The origin, killed and restarted ----


class Origin:
    def __init__(self):
        self.proc = None
        self.port = 0
        self.windows = []   # [start, end] of each down window
        self.restarts = 0

    async def start(self):
        listen = "127.0.0.1:%d" % self.port
        self.proc = await asyncio.create_subprocess_exec(
            os.path.join(BIN, "origin"), "--listen", listen,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        line = await asyncio.wait_for(self.proc.stdout.readline(), 10)
        line = line.decode().strip()
        if not line.startswith("listening on "):
            raise RuntimeError("origin did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    async def kill_and_restart(self, sig):
        start = time.monotonic() - WINDOW_BEFORE
        self.windows.append([start, float("inf")])
        self.proc.send_signal(sig)
        await asyncio.wait_for(self.proc.wait(), 10)
        await asyncio.sleep(DOWN_FOR)
        for _ in range(50):   # the port may linger a moment after a kill
            try:
                await self.start()
                break
            except RuntimeError:
                await asyncio.sleep(0.1)
        else:
            raise RuntimeError("origin did not restart")
        self.restarts += 1
        self.windows[-1][1] = time.monotonic() + WINDOW_AFTER

    def in_window(self, t0, t1):
        return any(t0 <= e and t1 >= s for s, e in self.windows)

    async def stop(self):
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 10)


# ---- The echo server the tunnels reach ----


async def echo(reader, writer):
    try:
        while True:
            data = await asyncio.wait_for(reader.read(65536), IO_TIMEOUT)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.TimeoutError):
        pass
    finally:
        writer.close()


# ---- One client's exchanges ----


class Stats:
    def __init__(self):
        self.counts = {}        # (scenario, outcome) -> n
        self.unexpected = []    # first few, described
        self.n_unexpected = 0
        self.exchanges = 0
        self.in_window = 0
        self.retried = 0
        self.abandoned = 0      # vanishing clients and errors in windows

    def add(self, scenario, outcome):
        k = (scenario, outcome)
        self.counts[k] = self.counts.get(k, 0) + 1
        self.exchanges += 1

    def bad(self, scenario, what):
        self.n_unexpected += 1
        if len(self.unexpected) < 10:
            self.unexpected.append("%s: %s" % (scenario, what))


class Closed(Exception):
    """The proxy closed the connection before a whole response."""


async def open_proxy():
    return await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", PROXY_PORT), IO_TIMEOUT)


async def read_response(reader, method="GET"):
    """(status, headers lowercased, body) of one response; Closed on EOF."""
    head = b""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IO_TIMEOUT)
    except asyncio.IncompleteReadError as e:
        raise Closed(len(e.partial)) from None
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = b""
    if method == "CONNECT" and 200 <= status < 300:
        return status, headers, body
    if "content-length" in headers:
        try:
            body = await asyncio.wait_for(
                reader.readexactly(int(headers["content-length"])), IO_TIMEOUT)
        except asyncio.IncompleteReadError:
            raise Closed(-1) from None
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await read_chunked(reader)
    return status, headers, body


async def read_chunked(reader):
    body = b""
    try:
        while True:
            line = await asyncio.wait_for(reader.readuntil(b"\r\n"), IO_TIMEOUT)
            size = int(line.split(b";")[0], 16)
            if size == 0:
                while (await asyncio.wait_for(reader.readuntil(b"\r\n"),
                                              IO_TIMEOUT)) != b"\r\n":
                    pass
                return body
            body += await asyncio.wait_for(reader.readexactly(size + 2),
                                           IO_TIMEOUT)
    except asyncio.IncompleteReadError:
        raise Closed(-1) from None


def reset(writer):
    """Close with a reset instead of a FIN (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.close()


def request(method, target, auth, extra="", body=b""):
    host = target.split("/")[2] if "://" in target else target
    head = "%s %s HTTP/1.1\r\nHost: %s\r\n%s%s" % (method, target, host, auth, extra)
    if body or method == "POST":
        head += "Content-Length: %d\r\n" % len(body)
    return (head + "\r\n").encode() + body


class Client:
    def __init__(self, n, origin, stats, rng):
        self.current = "good GET"   # the scenario under way
        self.n = n
        self.origin = origin
        self.stats = stats
        self.rng = rng

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.origin.port, path)

    def judge(self, scenario, t0, status, want, needs_origin, error=None):
        """Count one outcome; note it when unexpected."""
        t1 = time.monotonic()
        window = needs_origin and self.origin.in_window(t0, t1)
        if window:
            self.stats.in_window += 1
        outcome = error if error else str(status)
        self.stats.add(scenario, outcome)
        if error is None and status == want:
            return
        if window and (error is not None or status in (502, 503, 504)):
            if error is not None:
                self.stats.abandoned += 1
            return
        self.stats.bad(scenario, "got %s, want %d (t=%.2f..%.2f s%s)" % (
            outcome, want, t0 - START, t1 - START,
            ", in a down window" if window else ""))

    # -- the scenarios --

    async def good_gets(self):
        """Several GETs on one kept-alive connection: 200 each."""
        reader, writer = await open_proxy()
        try:
            for i in range(self.rng.randint(1, 5)):
                t0 = time.monotonic()
                raw = request("GET", self.url("/?c=%d&i=%d" % (self.n, i)), GOOD)
                try:
                    writer.write(raw)
                    await writer.drain()
                    status, h, _ = await read_response(reader)
                except (Closed, ConnectionError) as e:
                    if i > 0 and isinstance(e, Closed) and e.args[0] == 0 \
                            and not self.origin.in_window(t0, time.monotonic()):
                        # RFC 9112 §9.3.1: retry an idempotent request
                        # once on a new connection.
                        self.stats.retried += 1
                        writer.close()
                        reader, writer = await open_proxy()
                        writer.write(raw)
                        await writer.drain()
                        try:
                            status, h, _ = await read_response(reader)
                        except (Closed, ConnectionError) as e2:
                            self.judge("good GET", t0, 0, 200, True,
                                       error=type(e2).__name__)
                            return
                    else:
                        self.judge("good GET", t0, 0, 200, True,
                                   error=type(e).__name__)
                        return
                self.judge("good GET", t0, status, 200, True)
                if h.get("connection", "").lower() == "close":
                    return
        finally:
            writer.close()

    async def good_post(self):
        """A POST with a body the origin echoes back: 200, body intact."""
        marker = ("soak-%d-%d-" % (self.n, self.rng.randrange(1 << 30))).encode()
        body = marker + b"x" * self.rng.randint(0, 32 * 1024)
        t0 = time.monotonic()
        reader, writer = await open_proxy()
        try:
            writer.write(request("POST", self.url("/"), GOOD, body=body))
            await writer.drain()
            status, _, got = await read_response(reader)
        except (Closed, ConnectionError) as e:
            self.judge("good POST", t0, 0, 200, True, error=type(e).__name__)
            return
        finally:
            writer.close()
        self.judge("good POST", t0, status, 200, True)
        if status == 200 and marker not in got:
            self.stats.bad("good POST", "the origin's echo lacks the body sent")

    async def refused(self, scenario, auth, want, method="GET"):
        """No credentials, a wrong password, mallory: the proxy answers."""
        t0 = time.monotonic()
        target = ("127.0.0.1:%d" % ECHO_PORT) if method == "CONNECT" else self.url("/")
        reader, writer = await open_proxy()
        try:
            writer.write(request(method, target, auth))
            await writer.drain()
            status, h, _ = await read_response(reader, method)
        except (Closed, ConnectionError) as e:
            self.judge(scenario, t0, 0, want, False, error=type(e).__name__)
            return
        finally:
            writer.close()
        self.judge(scenario, t0, status, want, False)
        if status == 407 and "proxy-authenticate" not in h:
            self.stats.bad(scenario, "a 407 without Proxy-Authenticate")

    async def tunnel(self, vanish=False):
        """CONNECT to the echo server: 200, then every byte comes back."""
        t0 = time.monotonic()
        reader, writer = await open_proxy()
        scenario = "vanish mid-tunnel" if vanish else "CONNECT tunnel"
        try:
            writer.write(request("CONNECT", "127.0.0.1:%d" % ECHO_PORT, GOOD))
            await writer.drain()
            status, _, _ = await read_response(reader, "CONNECT")
            if status != 200:
                self.judge(scenario, t0, status, 200, False)
                return
            data = os.urandom(self.rng.randint(1, 64 * 1024))
            writer.write(data)
            await writer.drain()
            if vanish:
                await asyncio.wait_for(reader.read(1), IO_TIMEOUT)
                self.stats.add(scenario, "left")
                self.stats.abandoned += 1
                if self.rng.random() < 0.5:
                    reset(writer)
                return
            back = await asyncio.wait_for(reader.readexactly(len(data)), IO_TIMEOUT)
            self.judge(scenario, t0, status, 200, False)
            if back != data:
                self.stats.bad(scenario, "the tunnel did not echo every byte")
        except (Closed, ConnectionError, asyncio.IncompleteReadError) as e:
            self.judge(scenario, t0, 0, 200, False, error=type(e).__name__)
        finally:
            writer.close()

    async def vanish(self, where):
        """Leave mid-head, mid-body or mid-response; sometimes with a reset."""
        reader, writer = await open_proxy()
        try:
            if where == "head":
                writer.write(b"GET " + self.url("/").encode() + b" HTTP/1.1\r\nHo")
            elif where == "body":
                # 30,000 of the 100,000 bytes announced.
                writer.write(("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                              "Content-Length: 100000\r\n\r\n"
                              % (self.url("/"), self.origin.port, GOOD)).encode()
                             + b"y" * 30000)
            else:
                # A large echo from the origin, read only in part.
                body = b"z" * (256 * 1024)
                writer.write(request("POST", self.url("/"), GOOD, body=body))
            await writer.drain()
            if where == "response":
                await asyncio.wait_for(reader.read(100), IO_TIMEOUT)
        except (ConnectionError, asyncio.TimeoutError):
            pass
        finally:
            self.stats.add("vanish mid-" + where, "left")
            self.stats.abandoned += 1
            if self.rng.random() < 0.5:
                reset(writer)
            else:
                writer.close()

    # One scenario at random, by the shares below.
    async def one(self):
        r = self.rng.random()
        self.current = "good GET"
        if r < 0.30:
            await self.good_gets()
        elif r < 0.40:
            self.current = "good POST"
            await self.good_post()
        elif r < 0.50:
            self.current = "no credentials"
            await self.refused("no credentials", "", 407)
        elif r < 0.55:
            self.current = "wrong password"
            await self.refused("wrong password", WRONG, 407)
        elif r < 0.62:
            self.current = "mallory"
            await self.refused("mallory", MALLORY, 403)
        elif r < 0.74:
            self.current = "CONNECT tunnel"
            await self.tunnel()
        elif r < 0.77:
            self.current = "CONNECT, no credentials"
            await self.refused("CONNECT, no credentials", "", 407, "CONNECT")
        elif r < 0.83:
            self.current = "vanish mid-tunnel"
            await self.tunnel(vanish=True)
        elif r < 0.89:
            self.current = "vanish mid-body"
            await self.vanish("body")
        elif r < 0.94:
            self.current = "vanish mid-head"
            await self.vanish("head")
        else:
            self.current = "vanish mid-response"
            await self.vanish("response")

    async def run(self, until):
        while time.monotonic() < until and self.stats.exchanges < MAX_EXCHANGES:
            try:
                await self.one()
            except (OSError, asyncio.TimeoutError) as e:
                # Could not connect, or a wait ran out (IO_TIMEOUT is well
                # past the proxy's upstream timeout, so only a window
                # excuses it, and only for what needs the origin).
                t = time.monotonic()
                needs = self.current in ("good GET", "good POST") or \
                    self.current.startswith("vanish")
                self.judge(self.current, t - IO_TIMEOUT, 0, 200, needs,
                           error=type(e).__name__)


# ---- The proxy from outside ----


def proxy_fds():
    try:
        return len(os.listdir("/proc/%d/fd" % PROXY_PID))
    except OSError:
        return -1


def proxy_status(field):
    try:
        with open("/proc/%d/status" % PROXY_PID) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def alive():
    try:
        os.kill(PROXY_PID, 0)
        return True
    except OSError:
        return False


async def settle(want_fds, seconds):
    """Wait (bounded) for the proxy's descriptors to fall to want_fds."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and proxy_fds() > want_fds:
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)
    return proxy_fds(), proxy_status("VmRSS"), proxy_status("Threads")


def say(ok, name, why=""):
    print(("ok - soak: %s" % name) if ok else ("not ok - soak: %s: %s" % (name, why)),
          flush=True)


async def main():
    seed = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
    print("# seed %d (SOAK_SEED=%d reproduces the mix)" % (seed, seed))
    origin = Origin()
    await origin.start()
    try:
        await soak(origin, seed)
    finally:
        await origin.stop()


async def soak(origin, seed):
    global START
    server = await asyncio.start_server(echo, "127.0.0.1", ECHO_PORT)
    cold = (proxy_fds(), proxy_status("VmRSS"), proxy_status("Threads"))

    warm = Stats()
    START = time.monotonic()
    clients = [Client(i, origin, warm, random.Random(seed + i)) for i in range(CLIENTS)]
    await asyncio.gather(*(c.run(START + WARMUP) for c in clients))
    base = await settle(cold[0], SETTLE)

    stats = Stats()
    START = time.monotonic()
    end = START + SECONDS
    clients = [Client(i, origin, stats, random.Random(seed + 1000 + i))
               for i in range(CLIENTS)]

    async def killer():
        for share, sig in KILLS:
            await asyncio.sleep(max(0, START + share * SECONDS - time.monotonic()))
            await origin.kill_and_restart(sig)

    await asyncio.gather(killer(), *(c.run(end) for c in clients))
    after = await settle(base[0] + FD_SLACK, SETTLE)
    server.close()

    # ---- Figures ----
    print("# %d clients, %.0f s warm-up (%d exchanges), %.0f s soak: %d exchanges, "
          "%.0f a second" % (CLIENTS, WARMUP, warm.exchanges, SECONDS, stats.exchanges,
                             stats.exchanges / SECONDS))
    for (scenario, outcome), n in sorted(stats.counts.items()):
        print("#   %-26s %-18s %d" % (scenario, outcome, n))
    print("# origin down windows (s from the soak's start, with margins): %s" % ", ".join(
        "%.2f..%.2f" % (s - START, e - START) for s, e in origin.windows))
    print("# %d exchanges overlapped a down window; %d abandoned exchanges "
          "(vanishing clients, cut in a window); %d keep-alive retries" % (
              stats.in_window, stats.abandoned, stats.retried))
    print("# proxy descriptors: %d cold, %d at the start, %d after (slack %d)" % (
        cold[0], base[0], after[0], FD_SLACK))
    print("# proxy RSS: %d KiB cold, %d KiB at the start, %d KiB after" % (
        cold[1], base[1], after[1]))
    print("# proxy threads: %d cold, %d at the start, %d after" % (cold[2], base[2], after[2]))
    for u in warm.unexpected:
        print("#   unexpected in the warm-up: %s" % u)
    for u in stats.unexpected:
        print("#   unexpected: %s" % u)

    # ---- Checks ----
    say(alive(), "the proxy is alive after %d exchanges" % stats.exchanges,
        "it is gone")
    ran = {s for s, _ in stats.counts}
    want = {"good GET", "good POST", "no credentials", "wrong password", "mallory",
            "CONNECT tunnel", "CONNECT, no credentials", "vanish mid-tunnel",
            "vanish mid-body", "vanish mid-head", "vanish mid-response"}
    say(want <= ran, "every scenario ran", "missing: %s" % ", ".join(sorted(want - ran)))
    say(origin.restarts == len(KILLS) and stats.in_window > 0,
        "the origin was killed and restarted %d times under load" % len(KILLS),
        "%d restarts, %d exchanges in a window" % (origin.restarts, stats.in_window))
    bad = warm.n_unexpected + stats.n_unexpected
    say(bad == 0, "no unexpected status among %d exchanges" % (warm.exchanges + stats.exchanges),
        "%d unexpected (%d in the warm-up), first: %s" % (
            bad, warm.n_unexpected, "; ".join((warm.unexpected + stats.unexpected)[:3])))
    say(0 <= after[0] <= base[0] + FD_SLACK,
        "open descriptors back to the start (%d, then %d)" % (base[0], after[0]),
        "%d at the start, %d after (slack %d)" % (base[0], after[0], FD_SLACK))
    rss_limit = base[1] + max(RSS_SLACK_KB, int(base[1] * RSS_SLACK_SHARE))
    if os.environ.get("SOAK_SANITIZER"):
        print("skip - soak: RSS back near the start: a sanitizer build keeps "
              "freed memory in quarantine (its leak report at exit is checked instead)")
        return
    say(0 <= after[1] <= rss_limit,
        "RSS back near the start (%d KiB, then %d KiB)" % (base[1], after[1]),
        "%d KiB at the start, %d KiB after, more than %d KiB" % (base[1], after[1], rss_limit))


START = time.monotonic()
asyncio.run(main())

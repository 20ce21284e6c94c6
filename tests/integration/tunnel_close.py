"""tests/integration/tunnel_close.py - how bin/proxy ends a CONNECT tunnel.

RFC 9110 §9.3.6: when either side closes, the proxy delivers what that
side had sent to the other side, closes both connections, and drops what
was still queued toward the closed side.  This script is the client and
the origin at once (raw sockets, 127.0.0.1 only); it prints one
"CASE key=value ..." line per case for proxy_tunnel_close.sh to check.
Every wait is bounded by DEADLINE seconds.

With "tls" as a third argument the proxy's own port speaks TLS (an HTTPS
proxy): the client side is then a TLS connection, and "closed" means the
proxy's close_notify came (a bare TCP FIN reads as "ragged").

usage: tunnel_close.py PROXY_PORT ORIGIN_PORT [tls]
"""
import socket
import ssl
import sys
import threading
import time

PROXY, ORIGIN = int(sys.argv[1]), int(sys.argv[2])
TLS = len(sys.argv) > 3 and sys.argv[3] == "tls"
ALICE = "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
DEADLINE = 8.0
# A TLS close_notify alert record (RFC 8446 §6.1): what a TLS peer sends
# last; the proxy must still deliver it.
CLOSE_NOTIFY = b"\x15\x03\x03\x00\x02\x01\x00"

lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", ORIGIN))
lsock.listen(8)
lsock.settimeout(DEADLINE)
held = []  # sockets the test never closes until the end


def read_to_end(s, limit=DEADLINE):
    """Bytes until EOF: (bytes, "closed" | "reset" | "open")."""
    out, end = bytearray(), time.time() + limit
    s.settimeout(0.2)
    while time.time() < end:
        try:
            b = s.recv(1 << 16)
        except socket.timeout:
            continue
        except ssl.SSLEOFError:
            return bytes(out), "ragged"
        except (ConnectionResetError, BrokenPipeError):
            return bytes(out), "reset"
        except ssl.SSLError as e:
            return bytes(out), "tls-error:" + e.__class__.__name__
        if not b:
            return bytes(out), "closed"
        out += b
    return bytes(out), "open"


def gone(s, limit=DEADLINE):
    """After its EOF, is the connection closed at the far end too, not
    only half-closed?  A byte every 100 ms until a send fails (the
    kernel answers bytes to a closed socket with a reset)."""
    end = time.time() + limit
    while time.time() < end:
        try:
            s.send(b"x")
        except OSError:
            return True
        time.sleep(0.1)
    return False


def tunnel():
    """A CONNECT through the proxy: (client socket, origin socket)."""
    c = socket.create_connection(("127.0.0.1", PROXY), timeout=DEADLINE)
    if TLS:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = ctx.wrap_socket(c, suppress_ragged_eofs=False)
    c.sendall(("CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               "%s\r\n\r\n" % (ORIGIN, ORIGIN, ALICE)).encode())
    o, _ = lsock.accept()
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 4096:
        b = c.recv(4096)
        if not b:
            break
        head += b
    status = head.split(b"\r\n")[0].decode(errors="replace")
    held.extend([c, o])
    return c, o, status


def payload(n, tag):
    body = (tag * (n // len(tag) + 1))[:n]
    return body + CLOSE_NOTIFY


def closer_first(name, closer, n, how):
    """The side `closer` ("client" or "origin") sends n bytes and closes
    (how: "close" or "shutdown"); the other side only reads, and never
    closes.  Reports what the other side got, and how it ended."""
    c, o, status = tunnel()
    a, b = (c, o) if closer == "client" else (o, c)
    data = payload(n, b"C" if closer == "client" else b"O")
    t0 = time.time()
    got = {}

    def reader():
        got["bytes"], got["end"] = read_to_end(b)
        got["gone"] = got["end"] == "closed" and gone(b)
    th = threading.Thread(target=reader)
    th.start()
    a.sendall(data)
    if how == "close":
        a.close()
    else:
        a.shutdown(socket.SHUT_WR)
    th.join(DEADLINE + 2)
    secs = time.time() - t0
    line = "%s status=%r whole=%s end=%s gone=%s secs=%.1f" % (
        name, status, got.get("bytes") == data, got.get("end"),
        got.get("gone"), secs)
    if how == "shutdown":
        # The side that closed its direction is closed by the proxy too.
        _, end = read_to_end(a)
        line += " closer_end=%s" % end
    print(line, flush=True)


def other_way_dropped(name, closer):
    """The far side floods toward `closer`, which reads nothing; `closer`
    then sends its last bytes and half-closes.  The proxy must not wait
    for the flood: its last bytes arrive, both ends see the close."""
    c, o, status = tunnel()
    a, b = (c, o) if closer == "client" else (o, c)
    stop = threading.Event()
    sent = [0]

    def flood():
        chunk = b"F" * 65536
        b.settimeout(0.2)
        end = time.time() + DEADLINE
        while not stop.is_set() and time.time() < end and sent[0] < 256 << 20:
            try:
                sent[0] += b.send(chunk)
            except socket.timeout:
                continue
            except OSError:
                return
    th = threading.Thread(target=flood)
    th.start()
    time.sleep(0.5)  # the flood fills the buffers toward `closer`
    last = b"last bytes" + CLOSE_NOTIFY
    t0 = time.time()
    a.sendall(last)
    a.shutdown(socket.SHUT_WR)
    got, end = read_to_end(b)
    # `got` holds the last bytes; what b reads is only what came from a.
    stop.set()
    th.join(DEADLINE + 2)
    was_gone = end == "closed" and gone(b)
    flooded, closer_end = read_to_end(a)
    print("%s status=%r whole=%s end=%s gone=%s closer_end=%s secs=%.1f" % (
        name, status, got == last, end, was_gone, closer_end,
        time.time() - t0), flush=True)


closer_first("client-close", "client", 5, "close")
closer_first("client-shutdown", "client", 5, "shutdown")
closer_first("client-close-1MB", "client", 1 << 20, "close")
closer_first("client-shutdown-1MB", "client", 1 << 20, "shutdown")
closer_first("origin-close", "origin", 5, "close")
closer_first("origin-shutdown", "origin", 5, "shutdown")
closer_first("origin-close-1MB", "origin", 1 << 20, "close")
closer_first("origin-shutdown-1MB", "origin", 1 << 20, "shutdown")
other_way_dropped("client-first-flood", "client")
other_way_dropped("origin-first-flood", "origin")
for s in held:
    try:
        s.close()
    except OSError:
        pass
print("TUNNELS 10", flush=True)

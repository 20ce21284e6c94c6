#!/usr/bin/env bash
# Clients that disappear: mid-head, mid-body, mid-tunnel and mid-response.
# Afterwards the proxy's threads and descriptors come back to where they
# were, it was not killed by SIGPIPE, and it serves a good request.
source "$(dirname "$0")/lib.sh"

need python3 "vanishing clients" || exit 0
need curl "vanishing clients" || exit 0

# An origin with a large body, so the proxy is still writing when the
# client leaves (the write then fails with EPIPE, never SIGPIPE).
cat >"$TMP/big.py" <<'PY'
import http.server
BODY = b"x" * (8 << 20)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        try:
            self.wfile.write(BODY)
        except OSError:
            pass
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
s.timeout = 30
for _ in range(200):
    s.handle_request()
PY
start BIG python3 "$TMP/big.py" || exit 1
# --connect-ports: the tunnels below go to BIG's port, not to 443.
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --access-log /dev/null \
	--connect-ports "$BIG_PORT" || exit 1

# counts: "threads fds" of the proxy now.
counts() {
	echo "$(awk '/^Threads:/ {print $2}' "/proc/$PROXY_PID/status") $(ls "/proc/$PROXY_PID/fd" | wc -l)"
}
before=$(counts)

tunnels=$(python3 - "$PROXY_PORT" "$BIG_PORT" <<'PY'
import socket, sys
proxy, big = int(sys.argv[1]), int(sys.argv[2])
auth = b"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
def conn():
    return socket.create_connection(("127.0.0.1", proxy), timeout=5)
tunnels = 0
for _ in range(20):
    s = conn(); s.sendall(b"GET http://127.0.0.1:%d/ HTTP/1.1\r\nHo" % big); s.close()
    s = conn(); s.sendall(b"POST http://127.0.0.1:%d/ HTTP/1.1\r\nHost: x\r\n" % big + auth +
                          b"Content-Length: 100000\r\n\r\n0123456789"); s.close()
    s = conn(); s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: x\r\n" % big + auth + b"\r\n")
    if s.recv(100).startswith(b"HTTP/1.1 200 "):
        tunnels += 1
    s.close()
    s = conn(); s.sendall(b"GET http://127.0.0.1:%d/ HTTP/1.1\r\nHost: x\r\n" % big + auth + b"\r\n")
    s.recv(1024)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()   # reset while the proxy is still relaying 8 MiB
print(tunnels)
PY
)
check "the 20 tunnels were opened before their clients vanished" "$tunnels" 20

# Wait (bounded) for the connection threads to finish and close their fds.
after=""
for i in $(seq 1 100); do
	after=$(counts)
	[ "$after" = "$before" ] && break
	sleep 0.1
done
kill -0 "$PROXY_PID" 2>/dev/null
check "the proxy survived 80 vanishing clients (no SIGPIPE death)" "$?" 0
check "threads and descriptors back to where they were (threads fds)" "$after" "$before"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "127.0.0.1:$PROXY_PORT" -U alice:wonderland "http://127.0.0.1:$BIG_PORT/")
check "a good request afterwards gets 200" "$code" 200

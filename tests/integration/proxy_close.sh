#!/usr/bin/env bash
# tests/integration/proxy_close.sh - how bin/proxy ends a connection.
# RFC 9112 §9.6: a client that says its request is its last (Connection:
# close, or HTTP/1.0 without keep-alive) sends nothing more, so when that
# request had no body the proxy closes as soon as the answer is out; it
# closes in stages (half-close, drain, close: "lingering") whenever the
# client may still be sending.  Every wait is bounded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "closing connections" || exit 0

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start P "$BIN/proxy" --listen 127.0.0.1:0 --auth basic -v || exit 1

# talk NAME HEAD [BODY]: one connection; the head goes, the answer is read
# until the proxy closes (5 s at most), then BODY (sent late, as a client
# still uploading would) goes, then whatever follows is read.  Prints the
# status lines and how the connection ended: "closed" or "reset".
talk() {
	python3 - "$P_PORT" "$2" "${3:-}" <<'PYEOF'
import re, socket, sys, time
port, head, late = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(head.replace("\\r\\n", "\r\n").encode())
got, how, end = b"", "open", time.time() + 5
s.settimeout(0.2)
sent_late = not late
while time.time() < end:
    if not sent_late and b"\r\n\r\n" in got:
        try:
            s.sendall(late.encode())
        except OSError:
            how = "reset"
            break
        sent_late = True
    try:
        b = s.recv(65536)
    except socket.timeout:
        continue
    except ConnectionResetError:
        how = "reset"
        break
    if not b:
        how = "closed"
        break
    got += b
for line in re.findall(rb"HTTP/1\.[01] [0-9]{3}[^\r]*", got):
    print(line.decode())
print(how)
PYEOF
}

# states CONN: the state changes -v logged for connection CONN.
states() {
	grep "^conn $1: " "$TMP/P.out" | sed "s/^conn $1: //" | tr '\n' ';'
}

URL="http://127.0.0.1:$ORIGIN_PORT/"
ALICE='Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=='

out=$(talk 1 "GET $URL HTTP/1.1\r\nHost: x\r\n$ALICE\r\nConnection: close\r\n\r\n")
check_contains "Connection: close, no body: 200" "$out" "HTTP/1.1 200"
check_contains "... and the proxy closes" "$out" "closed"
sleep 0.2
check_contains "... as soon as the answer is out" "$(states 1)" "relaying response -> closed"
check_absent "... without lingering" "$(states 1)" "lingering"

out=$(talk 2 "GET $URL HTTP/1.0\r\nHost: x\r\n$ALICE\r\n\r\n")
check_contains "HTTP/1.0 without keep-alive: 200" "$out" "HTTP/1.1 200"
sleep 0.2
check_absent "... closed without lingering" "$(states 2)" "lingering"

out=$(talk 3 "GET $URL HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check_contains "no credentials, Connection: close: 407" "$out" "HTTP/1.1 407"
check_contains "... and closed" "$out" "closed"
sleep 0.2
check_contains "... at once" "$(states 3)" "answering -> closed"

out=$(talk 4 "GET $URL HTTP/1.1\r\nHost: x\r\n$ALICE\r\n\r\nGET $URL HTTP/1.1\r\nHost: x\r\n$ALICE\r\nConnection: close\r\n\r\n")
check "two requests, the second with Connection: close: two 200s" "$(grep -c 'HTTP/1.1 200' <<<"$out")" 2
sleep 0.2
check_absent "... and no lingering after the last" "$(states 4)" "lingering"

# A body the proxy does not read (no credentials: 407 first) may still be
# on its way: closing at once would answer it with a reset.
out=$(talk 5 "POST $URL HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n" "0123456789")
check_contains "an unread body, Connection: close: 407" "$out" "HTTP/1.1 407"
check_contains "... the late body is drained, the client sees a close, not a reset" "$out" "closed"
sleep 0.2
check_contains "... because the proxy lingered" "$(states 5)" "-> lingering"

# A keep-alive client whose request is answered with close by the proxy
# (a 400) may have sent more: linger.
out=$(talk 6 "GET $URL HTTP/1.1\r\nHost: x\r\nHost: y\r\n$ALICE\r\n\r\n")
check_contains "a 400 to a keep-alive client" "$out" "HTTP/1.1 400"
sleep 0.2
check_contains "... lingers (the client did not say it was done)" "$(states 6)" "-> lingering"

#!/usr/bin/env bash
# tests/integration/proxy_faults.sh - bin/proxy under faults and limits:
# an origin that refuses, does not exist or stays silent; heads that are
# too large, too long or too slow; too many connections; request
# smuggling attempts; SIGTERM.  After each one a good request must still
# get its 200.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "proxy faults" || exit 0
need curl "proxy faults" || exit 0

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic \
	--upstream-timeout 1 --header-timeout 1 --max-connections 4 || exit 1
P="http://127.0.0.1:$PROXY_PORT"
GOOD="http://127.0.0.1:$ORIGIN_PORT/"

# raw PORT: send stdin to 127.0.0.1:PORT, print what comes back until the
# peer closes or 5 s pass; the last line is "[closed]" or "[open]".
RAW_PY=$(cat <<'PYEOF'
import socket, sys, time
data = sys.stdin.buffer.read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(data)
out, state, end = b"", "[open]", time.time() + 5
s.settimeout(0.5)
while time.time() < end:
    try:
        b = s.recv(65536)
    except socket.timeout:
        if out:
            break
        continue
    except ConnectionResetError:
        state = "[reset]"
        break
    if not b:
        state = "[closed]"
        break
    out += b
sys.stdout.write(out.decode("latin-1") + "\n" + state + "\n")
PYEOF
)
raw() { python3 -c "$RAW_PY" "$1"; }
ALICE="Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="

# still_good NAME: the proxy still serves alice's GET.
still_good() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic \
		-U alice:wonderland "$GOOD")
	check "$1: a good request still works afterwards" "$code" 200
}

# ---- the origin fails ----

DEAD=$(free_port)
body=$(curl -s -w '\n%{http_code}' -x "$P" -U alice:wonderland "http://127.0.0.1:$DEAD/")
check "refused origin gives 502" "$(tail -n 1 <<<"$body")" 502
check_contains "502 body names the origin" "$body" "127.0.0.1:$DEAD refused"
still_good "refused origin"

body=$(curl -s -w '\n%{http_code}' -x "$P" -U alice:wonderland "http://nonexistent.invalid/")
check "DNS failure gives 502" "$(tail -n 1 <<<"$body")" 502
check_contains "502 body says the name does not resolve" "$body" "nonexistent.invalid"
still_good "DNS failure"

# A listener that accepts and never answers.
SILENT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
end = time.time() + 60
s.settimeout(1)
while time.time() < end:
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' "$SILENT" &
PIDS+=("$!")
wait_port "$SILENT"
start_t=$(date +%s)
body=$(curl -s -m 10 -w '\n%{http_code}' -x "$P" -U alice:wonderland "http://127.0.0.1:$SILENT/")
check "silent origin gives 504" "$(tail -n 1 <<<"$body")" 504
check_contains "504 body names the origin" "$body" "127.0.0.1:$SILENT did not answer"
if [ $(( $(date +%s) - start_t )) -le 5 ]; then ok "504 comes after --upstream-timeout, not later"; else
	fail "504 comes after --upstream-timeout, not later" "took $(( $(date +%s) - start_t )) s"; fi
still_good "silent origin"

# ---- limits on the client's head ----

big=$(head -c 20000 /dev/zero | tr '\0' 'a')
out=$(printf 'GET %s HTTP/1.1\r\nHost: h\r\nX-Big: %s\r\n\r\n' "$GOOD" "$big" | raw "$PROXY_PORT")
check_contains "a 20 kB header section gives 431" "$out" "HTTP/1.1 431 "
still_good "431"

long=$(head -c 9000 /dev/zero | tr '\0' 'p')
out=$(printf 'GET %s%s HTTP/1.1\r\nHost: h\r\n\r\n' "$GOOD" "$long" | raw "$PROXY_PORT")
check_contains "a 9000-byte target gives 414" "$out" "HTTP/1.1 414 "
still_good "414"

# Slowloris: half a head, then silence past --header-timeout (1 s).
out=$(python3 - "$PROXY_PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
s.sendall(b"GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127")
t = time.time()
data = s.recv(4096)
print(data.decode("latin-1").split("\r\n")[0], "after", round(time.time() - t))
EOF
)
check_contains "a trickled head gives 408" "$out" "HTTP/1.1 408 Request Timeout"
check_contains "408 after the header timeout" "$out" "after 1"
still_good "408"

# ---- too many connections: 503, and the others unharmed ----

python3 - "$PROXY_PORT" "$ORIGIN_PORT" >"$TMP/busy.out" <<'EOF'
import socket, sys, time
port, origin = int(sys.argv[1]), sys.argv[2]
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
time.sleep(0.3)
extra = socket.create_connection(("127.0.0.1", port), timeout=5)
extra.sendall(b"GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n\r\n" % origin.encode())
print("extra:", extra.recv(4096).decode("latin-1").split("\r\n")[0])
# one of the held connections still works
req = ("GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n"
       "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n" % origin)
held[0].settimeout(5)
held[0].sendall(req.encode())
print("held:", held[0].recv(4096).decode("latin-1").split("\r\n")[0])
EOF
check_contains "one connection over --max-connections gets 503" "$(cat "$TMP/busy.out")" "extra: HTTP/1.1 503"
check_contains "the connections already open are unharmed" "$(cat "$TMP/busy.out")" "held: HTTP/1.1 200"
sleep 0.3
still_good "503"

# ---- request smuggling defences (RFC 9112 §6.3, §5): 400 and close ----

smuggle() {
	local name=$1 head=$2 out
	out=$(printf "POST $GOOD HTTP/1.1\r\nHost: h\r\n$ALICE\r\n${head}\r\n\r\nabcdefgh" | raw "$PROXY_PORT")
	check_contains "$name gives 400" "$out" "HTTP/1.1 400 "
	check_contains "$name closes the connection" "$out" "[closed]"
}
smuggle "Content-Length with Transfer-Encoding" 'Content-Length: 3\r\nTransfer-Encoding: chunked'
smuggle "two different Content-Lengths" 'Content-Length: 3\r\nContent-Length: 4'
smuggle "obs-fold" 'X-A: 1\r\n folded'
smuggle "space before the colon" 'Content-Length : 3'
smuggle "bare CR" 'X-A: 1\rX-B: 2'
smuggle "Transfer-Encoding other than chunked" 'Transfer-Encoding: gzip'
still_good "smuggling"

# ---- keep-alive: several requests, one connection ----

out=$(printf "GET $GOOD HTTP/1.1\r\nHost: h\r\n$ALICE\r\n\r\nGET $GOOD HTTP/1.1\r\nHost: h\r\n$ALICE\r\nConnection: close\r\n\r\n" | raw "$PROXY_PORT")
check "two pipelined requests on one connection get two answers" \
	"$(grep -c '^HTTP/1.1 200' <<<"$out")" 2
check_contains "Connection: close is honoured" "$out" "[closed]"

# HTTP/1.0 closes by default.
out=$(printf "GET $GOOD HTTP/1.0\r\n$ALICE\r\n\r\n" | raw "$PROXY_PORT")
check_contains "HTTP/1.0 gets its answer" "$out" "HTTP/1.1 200"
check_contains "HTTP/1.0 connection closes" "$out" "[closed]"

# A small body is read and dropped before the 407: the connection stays
# usable, and the next request on it is answered.
out=$(printf "POST $GOOD HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET $GOOD HTTP/1.1\r\nHost: h\r\n$ALICE\r\nConnection: close\r\n\r\n" | raw "$PROXY_PORT")
check_contains "POST without credentials gets 407" "$out" "HTTP/1.1 407"
check_contains "the next request on the same connection gets 200" "$out" "HTTP/1.1 200"

# ---- SIGTERM: finish what is in flight, exit 0 ----

SLOW=$(free_port)
python3 -c '
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(1.5)
        b = b"slow but fine\n"
        self.send_response(200); self.send_header("Content-Length", str(len(b)))
        self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$SLOW" &
PIDS+=("$!")
wait_port "$SLOW"
start TERM "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
curl -s -o "$TMP/slow.out" -w '%{http_code}' -x "http://127.0.0.1:$TERM_PORT" \
	-U alice:wonderland "http://127.0.0.1:$SLOW/" >"$TMP/slow.code" &
CURL=$!
sleep 0.5
kill -TERM "$TERM_PID"
wait "$CURL"
check "the request in flight at SIGTERM completes" "$(cat "$TMP/slow.code")" 200
check_contains "its body arrives whole" "$(cat "$TMP/slow.out")" "slow but fine"
wait "$TERM_PID"
check "SIGTERM: exit status 0" "$?" 0
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 -x "http://127.0.0.1:$TERM_PORT" "$GOOD")
check "after SIGTERM nothing listens" "$code" 000
still_good "SIGTERM of another proxy"

# ---- start-up errors: exit 1 with a clear message, 2 on usage ----

printf 'deny user mallory\nallow everyone\n' >"$TMP/bad.acl"
out=$("$BIN/proxy" --listen 127.0.0.1:0 --acl "$TMP/bad.acl" 2>&1 </dev/null)
check "a bad ACL line stops the proxy with exit 1" "$?" 1
check_contains "the message is FILE:LINE: reason" "$out" "$TMP/bad.acl:2: "

printf 'bob:$apr1$abcdefgh$0123456789abcdefghijkl\n' >"$TMP/htpasswd"
out=$("$BIN/proxy" --listen 127.0.0.1:0 --auth digest --users "$TMP/htpasswd" 2>&1 </dev/null)
check "htpasswd with --auth digest is refused at start-up" "$?" 1
check_contains "the refusal says why" "$out" "Basic only"

out=$("$BIN/proxy" --listen "127.0.0.1:$PROXY_PORT" 2>&1 </dev/null)
check "a port in use is exit 1" "$?" 1
check_contains "the message names the address" "$out" "127.0.0.1:$PROXY_PORT"

"$BIN/proxy" --max-connections many >/dev/null 2>&1 </dev/null
check "a bad --max-connections is a usage error (exit 2)" "$?" 2
"$BIN/proxy" --auth kerberos >/dev/null 2>&1 </dev/null
check "an unknown --auth scheme is a usage error (exit 2)" "$?" 2

printf 'alice:wonderland\n' >"$TMP/plain"
start PLAIN "$BIN/proxy" --listen 127.0.0.1:0 --users "$TMP/plain" || exit 1
check_contains "a plaintext users file gets a warning" "$(cat "$TMP/PLAIN.err")" "plaintext"

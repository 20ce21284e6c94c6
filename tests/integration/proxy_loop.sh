#!/usr/bin/env bash
# tests/integration/proxy_loop.sh - bin/proxy's connection layer: one
# test per phase timeout (small values keep it fast), slow clients that
# do not hold up a good one, lingering close after an early 407, retries
# only where RFC 9110 §9.2.2 allows them, the forwarding rules for 1xx,
# chunked and trailers (RFC 9110 §15.2, RFC 9112 §6-7), and the upstream
# pool shared by client connections.  Every wait is bounded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "connection layer" || exit 0
need curl "connection layer" || exit 0
PEER="python3 tests/integration/loop_peer.py"
ALICE="Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
GOOD="http://127.0.0.1:$ORIGIN_PORT/"

# py PROXY_PORT <<'EOF' ... EOF: a Python client with `port`, `origin`,
# `alice` (the header line), connect() and read_all() at hand.
py() {
	local body
	body=$(cat)
	python3 - "$1" "$ORIGIN_PORT" "$ALICE" <<PYEOF
import socket, sys, time
port, origin, alice = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def connect(timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)
def read_all(s, limit=10):
    out, end = b"", time.time() + limit
    s.settimeout(0.5)
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return out, "reset"
        if not b:
            return out, "closed"
        out += b
    return out, "open"
$body
PYEOF
}

# check_under NAME SECONDS LIMIT: ok when SECONDS, a number printed by a
# client above, is below LIMIT; an empty SECONDS (nothing printed) fails.
check_under() {
	if python3 -c "import sys; sys.exit(0 if float('${2:-99}') < $3 else 1)"; then
		ok "$1 (after ${2}s)"
	else fail "$1" "took ${2:-?}s"; fi
}

# ---- one test per timeout ----

start P1 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --header-timeout 300ms \
	--idle-timeout 300ms || exit 1
out=$(py "$P1_PORT" <<'EOF'
# A head trickled a byte every 100 ms: cut after the whole-head timeout,
# not after a per-read one (which it would never reach).
s = connect()
head = ("GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n" % origin).encode()
t, got = time.time(), b""
s.settimeout(0.1)
for i in range(len(head)):
    try:
        s.send(head[i:i + 1])
        got = s.recv(4096)
        if got:
            break
    except socket.timeout:
        pass
    except OSError:
        break
print(got.decode("latin-1").split("\r\n")[0], "after %.1f" % (time.time() - t))
EOF
)
check_contains "--header-timeout: a trickled head gets 408" "$out" "HTTP/1.1 408 Request Timeout"
check_under "--header-timeout counts the whole head, not each read" \
	"$(sed -n 's/.*after \([0-9.]*\).*/\1/p' <<<"$out")" 2.5

out=$(py "$P1_PORT" <<'EOF'
s = connect()
data, state = read_all(s, 3)
print("silent:", state, len(data))
s = connect()
s.sendall(("GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % (origin, alice)).encode())
data, state = read_all(s, 3)
print("kept:", data.split(b"\r\n")[0].decode(), state)
EOF
)
check_contains "--idle-timeout: a silent connection is closed without a word" "$out" "silent: closed 0"
check_contains "--idle-timeout: a kept connection is closed after its answer" "$out" "kept: HTTP/1.1 200 OK closed"

# One timer per connection, set only when a deadline comes earlier than
# it is set for (proxy/conn.c conn_arm()).  With a short idle timeout and
# a long head timeout, both ways: a head begun before the idle deadline
# and trickled past it is not cut there (the deadline moved later, and
# the timer that fires early is set again for what is left); and after
# the answer, the idle deadline, earlier than the head's, is kept.
start P1B "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --header-timeout 3 \
	--idle-timeout 300ms || exit 1
out=$(py "$P1B_PORT" <<'EOF'
s = connect()
time.sleep(0.1)
lines = ["GET http://127.0.0.1:%s/ HTTP/1.1\r\n" % origin, "Host: x\r\n",
         alice + "\r\n", "X-Slow: 1\r\n", "X-Slow: 2\r\n", "\r\n"]
t = time.time()
for i, line in enumerate(lines):
    time.sleep(0.2 if i else 0)
    s.sendall(line.encode())
s.settimeout(5)
got = b""
while b"\r\n\r\n" not in got:
    b = s.recv(4096)
    if not b:
        break
    got += b
answered = time.time()
data, state = read_all(s, 5)
print("trickled for %.1f s:" % (answered - t), got.split(b"\r\n")[0].decode())
print("then %s after %.1f s" % (state, time.time() - answered))
EOF
)
check_contains "--idle-timeout 300ms, --header-timeout 3: a head trickled for a second is answered" "$out" "HTTP/1.1 200 OK"
check_under "... and then the idle timeout closes it, not the head's" \
	"$(sed -n 's/^then closed after \([0-9.]*\) s$/\1/p' <<<"$out")" 1.5

start P2 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --body-timeout 300ms \
	--body-min-rate 1000 || exit 1
out=$(py "$P2_PORT" <<'EOF'
s = connect()
s.sendall(("POST http://127.0.0.1:%s/echo HTTP/1.1\r\nHost: x\r\n%s\r\n"
           "Content-Length: 100000\r\n\r\n" % (origin, alice)).encode())
s.settimeout(0.1)
got = b""
for _ in range(50):
    try:
        s.send(b"0123456789")
        got = s.recv(4096)
        if got:
            break
    except socket.timeout:
        pass
    except OSError:
        break
print(got.decode("latin-1").split("\r\n")[0])
EOF
)
check_contains "--body-timeout/--body-min-rate: a body slower than the rate gets 408" "$out" "HTTP/1.1 408"

# The same rate, against an origin that takes nothing of the body for
# 1.5 s (five windows): the client is not to blame for the time reading
# waited for the origin, so its fast 16 MiB body goes through whole.
STALL=$(free_port)
start STALLO $PEER stall "$STALL" || exit 1
out=$(py "$P2_PORT" <<EOF
s = connect(timeout=20)
size = 16 << 20
s.sendall(("POST http://127.0.0.1:$STALL/ HTTP/1.1\r\nHost: x\r\n%s\r\n"
           "Content-Length: %d\r\n\r\n" % (alice, size)).encode())
s.sendall(b"x" * size)
got, how = read_all(s, 20)
print(got.decode("latin-1").split("\r\n")[0], got.split(b"\r\n\r\n")[-1].decode())
EOF
)
check_contains "--body-min-rate: time waiting for an origin that does not read is not the client's" "$out" "HTTP/1.1 200 OK 16777216"

BIG=$(free_port)
start BIGO $PEER big "$BIG" || exit 1
start P3 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --send-timeout 300ms || exit 1
out=$(py "$P3_PORT" <<EOF
s = connect()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(("GET http://127.0.0.1:$BIG/ HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % alice).encode())
time.sleep(2)       # not reading: the proxy's writes stall
data, state = read_all(s, 5)
print("got", "all" if len(data) > 64 << 20 else "part", state)
EOF
)
check_contains "--send-timeout: a client that does not read is cut off" "$out" "got part"

FULL=$(free_port)
start FULLO $PEER full "$FULL" || exit 1
start P4 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --connect-timeout 300ms || exit 1
body=$(curl -s -m 10 -w '\n%{http_code}' -x "http://127.0.0.1:$P4_PORT" -U alice:wonderland "http://127.0.0.1:$FULL/")
check "--connect-timeout: an origin that never accepts gives 504" "$(tail -n 1 <<<"$body")" 504
check_contains "--connect-timeout: the 504 says so" "$body" "did not accept a connection within 300 ms"

SILENT=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); s.settimeout(1)
held, end = [], time.time() + 30
while time.time() < end:
    try: held.append(s.accept()[0])
    except socket.timeout: pass
' "$SILENT" &
PIDS+=("$!")
wait_port "$SILENT"
start P5 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --upstream-timeout 300ms || exit 1
body=$(curl -s -m 10 -w '\n%{http_code}' -x "http://127.0.0.1:$P5_PORT" -U alice:wonderland "http://127.0.0.1:$SILENT/")
check "--upstream-timeout: a silent origin gives 504" "$(tail -n 1 <<<"$body")" 504
check_contains "--upstream-timeout: the 504 says so" "$body" "did not answer within 300 ms"

start P6 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --tunnel-idle-timeout 300ms \
	--connect-ports "$ORIGIN_PORT" || exit 1
out=$(py "$P6_PORT" <<'EOF'
s = connect()
s.sendall(("CONNECT 127.0.0.1:%s HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % (origin, alice)).encode())
s.settimeout(3)
print("connect:", s.recv(4096).split(b"\r\n")[0].decode())
data, state = read_all(s, 3)
print("idle tunnel:", state)
EOF
)
check_contains "--tunnel-idle-timeout: the tunnel is set up" "$out" "connect: HTTP/1.1 200"
check_contains "--tunnel-idle-timeout: a silent tunnel is closed" "$out" "idle tunnel: closed"

COUNT=$(free_port)
start COUNTO $PEER count "$COUNT" "$TMP/count.log" || exit 1
start P7 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --workers 1 \
	--pool-idle-timeout 300ms || exit 1
for i in 1 2 3; do
	curl -s -o /dev/null -x "http://127.0.0.1:$P7_PORT" -U alice:wonderland "http://127.0.0.1:$COUNT/$i"
done
check "upstream pool: three client connections, one upstream connection" "$(grep -c conn "$TMP/count.log")" 1
sleep 0.8
curl -s -o /dev/null -x "http://127.0.0.1:$P7_PORT" -U alice:wonderland "http://127.0.0.1:$COUNT/4"
check "--pool-idle-timeout: an idle upstream connection is not kept longer" "$(grep -c conn "$TMP/count.log")" 2

start P8 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --linger-timeout 300ms || exit 1
out=$(py "$P8_PORT" <<'EOF'
# No credentials and a chunked body that never ends: 407, then lingering,
# bounded by --linger-timeout.
s = connect()
s.sendall(("POST http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n"
           "Transfer-Encoding: chunked\r\n\r\n" % origin).encode())
s.settimeout(0.1)
got, state, t = b"", "open", time.time()
while time.time() - t < 5:
    try:
        s.send(b"1\r\nx\r\n")
        b = s.recv(65536)
        if not b:
            state = "closed"
            break
        got += b
    except socket.timeout:
        pass
    except OSError:
        state = "closed"
        break
print(got.split(b"\r\n")[0].decode(), state)
EOF
)
check_contains "--linger-timeout: the client still uploading reads the 407" "$out" "HTTP/1.1 407"
check_contains "--linger-timeout: lingering ends" "$out" "closed"

# ---- slow clients do not hold up a good one ----

start P9 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
python3 - "$P9_PORT" "$ORIGIN_PORT" <<'EOF' &
import socket, sys, time
port, origin = int(sys.argv[1]), sys.argv[2]
socks = []
for i in range(40):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2:
        s.sendall(b"GET http://127.0.0.1:%s/ HTTP/1.1\r\nHo" % origin.encode())
    else:
        s.sendall(b"POST http://127.0.0.1:%s/echo HTTP/1.1\r\nHost: x\r\n"
                  b"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
                  b"Content-Length: 1000000\r\n\r\nab" % origin.encode())
    socks.append(s)
time.sleep(4)
EOF
SLOW=$!
sleep 0.5
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$P9_PORT" -U alice:wonderland "$GOOD")
check "40 slow-head and slow-body clients do not keep a good client from its 200" "$code" 200
wait "$SLOW"

# ---- early answers with an unread body: lingering close (RFC 9112 §9.6) ----

head -c 5000000 /dev/zero | tr '\0' 'q' >"$TMP/5mb"
SINK=$(free_port)   # bin/origin takes 1 MiB bodies at most; this one any
start SINKO $PEER count "$SINK" "$TMP/sink.log" || exit 1
out=$(python3 - "http://127.0.0.1:$P9_PORT" "http://127.0.0.1:$SINK/upload" "$TMP/5mb" <<'EOF' 2>&1
import sys, urllib.request
proxy, url, path = sys.argv[1], sys.argv[2], sys.argv[3]
auth = urllib.request.ProxyBasicAuthHandler()
auth.add_password("lab407 proxy", proxy, "alice", "wonderland")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}), auth)
data = open(path, "rb").read()
try:
    print(opener.open(urllib.request.Request(url, data=data)).read().decode().split("\n")[0])
except Exception as e:
    print("error:", e)
EOF
)
check "a 5 MB POST from urllib sees the 407, not a reset, and then gets its 200" "$out" "ok"
check_absent "... no 'Connection reset' on the way" "$out" "reset"
for expect in "Expect:" "Expect: 100-continue"; do
	code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' -H "$expect" -x "http://127.0.0.1:$P9_PORT" \
		--data-binary @"$TMP/5mb" "http://127.0.0.1:$ORIGIN_PORT/echo")
	rc=$?
	check "a 5 MB POST from curl without credentials ('$expect'): 407" "$code" 407
	check "... and curl saw no reset ('$expect')" "$rc" 0
done

# ---- retries only where RFC 9110 §9.2.2 allows them ----

DROP=$(free_port)
start DROPO $PEER drop "$DROP" "$TMP/drop.log" || exit 1
start P10 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --workers 1 || exit 1
D="http://127.0.0.1:$DROP"
through() { curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$P10_PORT" -U alice:wonderland "$@"; }
through "$D/a" >/dev/null
check "GET on a reused upstream connection that closes unanswered is retried: 200" "$(through "$D/get")" 200
check "... and the origin saw it twice (dropped, then answered)" "$(grep -c 'GET /get' "$TMP/drop.log")" 2
through "$D/b" >/dev/null
check "POST on a reused upstream connection that closes unanswered is not retried: 502" "$(through -d x=1 "$D/post")" 502
check "... the origin saw the POST exactly once" "$(grep -c 'POST /post' "$TMP/drop.log")" 1
through "$D/c" >/dev/null
check "DELETE (idempotent, no body) is retried: 200" "$(through -X DELETE "$D/del")" 200
through "$D/d" >/dev/null
check "PATCH (not idempotent) is not retried: 502" "$(through -X PATCH -d y "$D/patch")" 502
check "... the origin saw the PATCH exactly once" "$(grep -c 'PATCH /patch' "$TMP/drop.log")" 1

# ---- forwarding rules ----

HINTS=$(free_port)
start HINTSO $PEER hints "$HINTS" || exit 1
out=$(py "$P9_PORT" <<EOF
for v in ("1.1", "1.0"):
    s = connect()
    s.sendall(("GET http://127.0.0.1:$HINTS/ HTTP/%s\r\nHost: x\r\n%s\r\nConnection: close\r\n\r\n" % (v, alice)).encode())
    data, state = read_all(s, 5)
    print(v, [l.decode() for l in data.split(b"\r\n") if l.startswith(b"HTTP/")])
EOF
)
check_contains "103 Early Hints goes on to an HTTP/1.1 client" "$out" "1.1 ['HTTP/1.1 103 Early Hints', 'HTTP/1.1 200 OK']"
check_contains "103 Early Hints is not sent to an HTTP/1.0 client" "$out" "1.0 ['HTTP/1.1 200 OK']"
out=$(py "$P9_PORT" <<EOF
for v in ("1.1", "1.0"):
    s = connect()
    s.sendall(("POST http://127.0.0.1:$HINTS/ HTTP/%s\r\nHost: x\r\n%s\r\nConnection: close\r\n"
               "Content-Length: 4\r\nExpect: 100-continue\r\n\r\n" % (v, alice)).encode())
    if v == "1.1":
        s.settimeout(3)
        first = s.recv(4096)
    else:
        first = b""
    s.sendall(b"body")
    data, state = read_all(s, 5)
    data = first + data
    print(v, [l.decode() for l in data.split(b"\r\n") if l.startswith(b"HTTP/")][:2])
EOF
)
check_contains "100 Continue goes on to an HTTP/1.1 client" "$out" "1.1 ['HTTP/1.1 100 Continue', 'HTTP/1.1 103 Early Hints']"
check_contains "100 Continue is not sent to an HTTP/1.0 client" "$out" "1.0 ['HTTP/1.1 200 OK']"

CHUNK=$(free_port)
start CHUNKO $PEER chunked "$CHUNK" || exit 1
out=$(py "$P9_PORT" <<EOF
s = connect()
s.sendall(("GET http://127.0.0.1:$CHUNK/ HTTP/1.0\r\n%s\r\nConnection: keep-alive\r\n\r\n" % alice).encode())
data, state = read_all(s, 5)
head, _, body = data.partition(b"\r\n\r\n")
print("te:", b"transfer-encoding" in head.lower(), "conn:", b"Connection: close" in head, "body:", body.decode(), state)
s = connect()
s.sendall(("GET http://127.0.0.1:$CHUNK/ HTTP/1.1\r\nHost: x\r\n%s\r\nConnection: close\r\n\r\n" % alice).encode())
data, state = read_all(s, 5)
print("trailers:", data.split(b"0\r\n", 1)[-1])
EOF
)
check_contains "a chunked response to an HTTP/1.0 client is decoded and closed" "$out" "te: False conn: True body: hello world closed"
check_contains "response trailers: an ordinary one passes" "$out" "X-Trailer: t"
check_absent "response trailers: Set-Cookie does not" "$out" "Set-Cookie"

REC=$(free_port)
start RECO $PEER record "$REC" "$TMP/rec.bin" || exit 1
py "$P9_PORT" >/dev/null <<EOF
s = connect()
s.sendall(("POST http://127.0.0.1:$REC/ HTTP/1.1\r\nHost: x\r\n%s\r\nTransfer-Encoding: chunked\r\n\r\n"
           "4\r\ndata\r\n0\r\nProxy-Authorization: Basic bWFsbG9yeTpsZXRtZWlu\r\nX-Ok: yes\r\n\r\n" % alice).encode())
read_all(s, 3)
EOF
rec=$(cat "$TMP/rec.bin" 2>/dev/null)
check_contains "request trailers: the body arrives" "$rec" "data"
check_contains "request trailers: an ordinary one passes" "$rec" "X-Ok: yes"
check_absent "request trailers: Proxy-Authorization never reaches the origin" "$rec" "Proxy-Authorization"

# ---- slow password hashes run on the work pool ----

if need htpasswd "slow hashes on the work pool"; then
	htpasswd -bcB -C 10 "$TMP/bcrypt" carol secret 2>/dev/null
	start P11 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --users "$TMP/bcrypt" -v || exit 1
	T="http://127.0.0.1:$P11_PORT"
	check "bcrypt user: right password gets 200" \
		"$(curl -s -o /dev/null -w '%{http_code}' -x "$T" -U carol:secret "$GOOD")" 200
	check "bcrypt user: wrong password gets 407" \
		"$(curl -s -o /dev/null -w '%{http_code}' -x "$T" -U carol:wrong "$GOOD")" 407
	hashing=()
	for i in 1 2 3 4 5 6; do
		curl -s -m 20 -o /dev/null -w '%{http_code}\n' -x "$T" -U carol:wrong "$GOOD" >>"$TMP/bc.codes" &
		hashing+=("$!")
	done
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$T" "$GOOD")
	wait "${hashing[@]}"
	check "while six bcrypt checks run, a request without credentials gets its 407" "$code" 407
	check "... and the six get theirs" "$(grep -c 407 "$TMP/bc.codes")" 6
	check_contains "-v: the decision came back from the pool with its reason" \
		"$(cat "$TMP/P11.out")" "why: proxy: carol authenticated (Basic)"
fi

# ---- a client that half-closes after its request still gets its answer ----

out=$(py "$P9_PORT" <<'EOF'
s = connect()
s.sendall(("GET http://127.0.0.1:%s/ HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % (origin, alice)).encode())
s.shutdown(socket.SHUT_WR)
data, state = read_all(s, 5)
print(data.split(b"\r\n")[0].decode(), state)
EOF
)
check "a request followed by a half-close (RFC 9112 §9.6) gets its 200, then the close" "$out" "HTTP/1.1 200 OK closed"

# ---- responses keep their bytes and their order when sends are cut ----

# Forty pipelined GETs on one connection, answered 0 to 300,000 bytes
# each, read by a client with a 4 KiB receive buffer that starts late and
# reads slowly.  A message the proxy builds whole (the forwarded head, a
# response head with the body that has come, a 407) is sent at once when
# nothing is queued before it, and what the socket does not take is
# queued behind it (proxy/conn.c, proxy/relay.c).  Every body must arrive
# whole, in its place: from the plain proxy, and from one under
# tests/integration/shortsend.c, which cuts two of every three send()
# and sendmsg() calls short so that the queuing after a part runs on
# nearly every message.
SIZED=$(free_port)
start SIZEDO $PEER sized "$SIZED" || exit 1
pipelined() {
	py "$1" <<EOF
sizes = [0, 1, 4095, 4096, 65536, 300000] + [(i * 37717) % 300000 for i in range(34)]
pattern = bytes(range(256)) * 4097
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(20)
s.connect(("127.0.0.1", port))
s.sendall(b"".join(("GET http://127.0.0.1:$SIZED/%d HTTP/1.1\\r\\nHost: x\\r\\n%s\\r\\n\\r\\n"
                    % (n, alice)).encode() for n in sizes))
time.sleep(1)
buf, good, bad, end = b"", 0, [], time.time() + 20
for n in sizes:
    while b"\\r\\n\\r\\n" not in buf and time.time() < end:
        b = s.recv(4096)
        if not b:
            break
        buf += b
    if b"\\r\\n\\r\\n" not in buf:
        break
    head, buf = buf.split(b"\\r\\n\\r\\n", 1)
    length = int([l for l in head.split(b"\\r\\n")
                  if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    while len(buf) < length and time.time() < end:
        b = s.recv(4096)
        if not b:
            break
        buf += b
        time.sleep(0.0005)
    body, buf = buf[:length], buf[length:]
    if head.startswith(b"HTTP/1.1 200") and length == n and body == pattern[n % 256:n % 256 + n]:
        good += 1
    else:
        bad.append(n)
print(good, "whole", "bad:", bad, "left over:", len(buf))
EOF
}
check "40 pipelined responses of 0 to 300,000 bytes to a slow reader: all whole, in order" \
	"$(pipelined "$P9_PORT")" "40 whole bad: [] left over: 0"

if [ ! -f "$SHORTSEND_SO" ]; then
	skip "sends cut short" "$SHORTSEND_SO is not built (make check builds it)"
else
	: >"$TMP/cuts"
	shortsend_env "$TMP/cuts"
	start P12 env "${SHORTSEND_ENV[@]}" "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
	out=$(pipelined "$P12_PORT")
	# Three: one in three sends is not cut.
	a407=$(for i in 1 2 3; do curl -s -m 10 -x "http://127.0.0.1:$P12_PORT" -w '%{http_code}' "http://127.0.0.1:$ORIGIN_PORT/"; done)
	want407=$(for i in 1 2 3; do curl -s -m 10 -x "http://127.0.0.1:$P9_PORT" -w '%{http_code}' "http://127.0.0.1:$ORIGIN_PORT/"; done)
	cuts=$(wc -c <"$TMP/cuts")
	if [ "$cuts" -eq 0 ]; then
		skip "sends cut short" "shortsend.so was preloaded but never called (a build that links its own send() ahead of it)"
	else
		check "sends cut short ($cuts cuts): the 40 pipelined responses are all whole, in order" \
			"$out" "40 whole bad: [] left over: 0"
		check_contains "sends cut short: three 407s arrive ..." "$a407" "Offered: Basic"
		check "... whole, byte for byte the plain proxy's" "$a407" "$want407"
	fi
fi

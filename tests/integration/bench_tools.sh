#!/usr/bin/env bash
# The load generators of make bench do what they say against bin/proxy:
# bench_digest answers Digest challenges with a new nonce count each time
# (every counted response a 200), bench_idle holds its connections open
# after one authenticated request, wrk with tests/bench/absolute.lua
# sends absolute-form requests the proxy forwards, and bench_relay moves
# every byte both ways, unchanged and in order.  Correctness only:
# each runs a second or two and no figure is compared with anything.
source "$(dirname "$0")/lib.sh"

B=${LAB407_BUILD:-build}
for t in bench_digest bench_idle bench_relay; do
	if [ ! -x "$B/bench/$t" ]; then
		fail "bench tools: $t is built" "$B/bench/$t is missing"
		exit 0
	fi
done
# kv LINE KEY: the value of KEY=value in LINE.
kv() { sed -n "s/.*\\<$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
# all_refused NAME LINE: LINE counts some requests, and every one non-2xx.
all_refused() {
	local n r
	n=$(kv "$2" requests)
	r=$(kv "$2" non2xx)
	if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$r" = "$n" ]; then ok "$1"; else
		fail "$1" "requests '$n', non-2xx '$r'"; fi
}

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PD "$BIN/proxy" --listen 127.0.0.1:0 --auth digest --access-log /dev/null || exit 1
start PB "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --access-log /dev/null || exit 1

# ---- bench_digest: 4 connections, 1 s, at most 2,000 requests ----
out=$(timeout 30 "$B/bench/bench_digest" "$PD_PORT" "$ORIGIN_PORT" 4 1 2000 alice:wonderland)
check "bench_digest: exits 0" "$?" 0
line=$(grep '^BENCH ' <<<"$out")
n=$(kv "$line" requests)
if [ -n "$n" ] && [ "$n" -gt 0 ]; then ok "bench_digest: authenticated requests were answered ($n)"; else
	fail "bench_digest: authenticated requests were answered" "got: $out"; fi
check "bench_digest: every one a 200 (nc accepted each time)" "$(kv "$line" non2xx)" 0
check "bench_digest: one challenge per connection" "$(kv "$line" challenges)" 4
check "bench_digest: no socket errors" \
	"$(kv "$line" connect)/$(kv "$line" read)/$(kv "$line" write)/$(kv "$line" timeout)" 0/0/0/0
out=$(timeout 30 "$B/bench/bench_digest" "$PD_PORT" "$ORIGIN_PORT" 1 1 5 alice:wrong)
all_refused "bench_digest: a wrong password gets non-2xx, counted" "$(grep '^BENCH ' <<<"$out")"
"$B/bench/bench_digest" "$PD_PORT" "$ORIGIN_PORT" 0 1 5 alice:wonderland >/dev/null 2>&1
check "bench_digest: 0 connections is a usage error (exit 2)" "$?" 2

# ---- bench_idle: 50 connections held 1 s ----
out=$(timeout 60 "$B/bench/bench_idle" "$PB_PORT" "$ORIGIN_PORT" 50 1 "Basic YWxpY2U6d29uZGVybGFuZA==")
check "bench_idle: exits 0" "$?" 0
ready=$(grep '^ready ' <<<"$out")
check "bench_idle: 50 requests answered 200" "$(kv "$ready" ok)" 50
check "bench_idle: all 50 held open" "$(kv "$ready" held)" 50
check "bench_idle: still open after the hold" "$(kv "$(grep '^after ' <<<"$out")" held)" 50
out=$(timeout 60 "$B/bench/bench_idle" "$PB_PORT" "$ORIGIN_PORT" 5 0 "Basic d3Jvbmc6d3Jvbmc=")
check "bench_idle: wrong credentials are counted as non-2xx" "$(kv "$(grep '^ready ' <<<"$out")" non2xx)" 5

# ---- wrk with absolute-form request lines ----
if need wrk "bench tools: wrk with absolute.lua"; then
	out=$(BENCH_ORIGIN="127.0.0.1:$ORIGIN_PORT" timeout 30 wrk -t1 -c2 -d1s \
		-s tests/bench/absolute.lua -H "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==" \
		"http://127.0.0.1:$PB_PORT/" 2>&1)
	line=$(grep '^BENCH ' <<<"$out")
	n=$(kv "$line" requests)
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then ok "wrk + absolute.lua: requests went through ($n)"; else
		fail "wrk + absolute.lua: requests went through" "got: $(tr '\n' ' ' <<<"$out")"; fi
	check "wrk + absolute.lua: every response a 2xx" "$(kv "$line" non2xx)" 0
	out=$(BENCH_ORIGIN="127.0.0.1:$ORIGIN_PORT" timeout 30 wrk -t1 -c1 -d1s \
		-s tests/bench/absolute.lua "http://127.0.0.1:$PB_PORT/" 2>&1)
	line=$(grep '^BENCH ' <<<"$out")
	all_refused "wrk + absolute.lua: without credentials every response is non-2xx" "$line"
fi

# ---- bench_relay: bytes both ways, several connections at once ----
# An echo origin behind the relay.  8 connections at once each send 1 MiB
# of their own pattern while reading and must get it back whole and in
# order; closing a client must close its origin connection.  2 more ask
# the origin for 2 MiB, which it sends and then closes: the client must
# get all of it before the relay closes it too.  Then again under
# shortsend.so (two sends of three cut short), so the relay's paths for
# a send the socket takes only in part run on nearly every message.
relay_run() { # NAME=VALUE...: one run, the relay with these in its environment
	timeout 60 python3 - "$B/bench/bench_relay" "$@" <<'PY' 2>&1 | grep '^relay '
import os, socket, subprocess, sys, threading
SIZE, ECHOS, BLASTS, BLAST = 1 << 20, 8, 2, 2 << 20
def pattern(i, n):
    return (bytes((i * 7 + k) % 251 for k in range(251)) * (n // 251 + 1))[:n]
origin = socket.socket()
origin.bind(("127.0.0.1", 0))
origin.listen(16)
eofs = []
def serve(c):
    c.settimeout(20)
    try:
        # The relay may pass "BLAST" on in pieces (under shortsend.so).
        d = b""
        while len(d) < 5:
            more = c.recv(65536)
            if not more:
                break
            d += more
        if d.startswith(b"BLAST"):
            c.sendall(pattern(99, BLAST))
            return
        while d:
            c.sendall(d)
            d = c.recv(65536)
        eofs.append(1)
    finally:
        c.close()
def accept():
    for _ in range(ECHOS + BLASTS):
        c, _ = origin.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
env = dict(os.environ)
env.update(a.split("=", 1) for a in sys.argv[2:])
relay = subprocess.Popen([sys.argv[1], str(origin.getsockname()[1])],
                         stdout=subprocess.PIPE, text=True, env=env)
port = int(relay.stdout.readline().rsplit(":", 1)[1])
echoed, blasted = [False] * ECHOS, [False] * BLASTS
def read_all(s, n):
    got = bytearray()
    while len(got) < n:
        d = s.recv(65536)
        if not d:
            break
        got += d
    return bytes(got)
def echo_client(i):
    data = pattern(i, SIZE)
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    threading.Thread(target=s.sendall, args=(data,), daemon=True).start()
    echoed[i] = read_all(s, SIZE) == data
    s.close()
def blast_client(i):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"BLAST")
    blasted[i] = read_all(s, BLAST + 1) == pattern(99, BLAST)
    s.close()
ts = [threading.Thread(target=echo_client, args=(i,)) for i in range(ECHOS)]
ts += [threading.Thread(target=blast_client, args=(i,)) for i in range(BLASTS)]
for t in ts:
    t.start()
for t in ts:
    t.join(40)
for _ in range(100):
    if len(eofs) == ECHOS:
        break
    threading.Event().wait(0.05)
relay.terminate()
relay.wait(5)
print("relay whole=%d eofs=%d blasts=%d" % (sum(echoed), len(eofs), sum(blasted)))
PY
}
line=$(relay_run)
check "bench_relay: 8 connections at once each get their 1 MiB back whole and in order" "$(kv "$line" whole)" 8
check "bench_relay: a client's close closes its origin connection" "$(kv "$line" eofs)" 8
check "bench_relay: the origin's 2 MiB reach the client before its close does" "$(kv "$line" blasts)" 2
if [ -f "$SHORTSEND_SO" ]; then
	rm -f "$TMP/relay-cuts"
	shortsend_env "$TMP/relay-cuts"
	line=$(relay_run "${SHORTSEND_ENV[@]}")
	cuts=$(stat -c %s "$TMP/relay-cuts" 2>/dev/null || echo 0)
	if [ "$cuts" -gt 0 ]; then ok "bench_relay under shortsend.so: sends were cut short ($cuts)"; else
		fail "bench_relay under shortsend.so: sends were cut short" "no cut logged"; fi
	check "bench_relay, sends cut short: every 1 MiB back whole and in order" "$(kv "$line" whole)" 8
	check "bench_relay, sends cut short: every client's close reaches the origin" "$(kv "$line" eofs)" 8
	check "bench_relay, sends cut short: the origin's 2 MiB reach the client before its close" "$(kv "$line" blasts)" 2
else
	fail "bench_relay under shortsend.so" "$SHORTSEND_SO is missing: make check builds it"
fi
"$B/bench/bench_relay" 0 >/dev/null 2>&1
check "bench_relay: port 0 is a usage error (exit 2)" "$?" 2
"$B/bench/bench_relay" >/dev/null 2>&1
check "bench_relay: no port is a usage error (exit 2)" "$?" 2

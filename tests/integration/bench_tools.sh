#!/usr/bin/env bash
# The load generators of make bench do what they say against bin/proxy:
# bench_digest answers Digest challenges with a new nonce count each time
# (every counted response a 200), bench_idle holds its connections open
# after one authenticated request, and wrk with tests/bench/absolute.lua
# sends absolute-form requests the proxy forwards.  Correctness only:
# each runs a second or two and no figure is compared with anything.
source "$(dirname "$0")/lib.sh"

B=${LAB407_BUILD:-build}
for t in bench_digest bench_idle; do
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

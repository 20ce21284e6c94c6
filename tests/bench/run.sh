#!/usr/bin/env bash
# tests/bench/run.sh BIN - lab407's benchmarks, run by `make bench`.
# Figures only: speed is compared by people between commits on the same
# machine, never asserted in tests.
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-bin}
B=${LAB407_BUILD:-build}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

echo "== the core, single thread"
"$B/bench/bench_parse" 2000000 || exit 1

port_of() { # wait for "listening on H:P" in file $1
	local i
	for i in $(seq 1 100); do
		line=$(head -n 1 "$1" 2>/dev/null)
		case "$line" in "listening on "*) echo "${line##*:}"; return 0 ;; esac
		sleep 0.05
	done
	return 1
}
"$BIN/origin" --listen 127.0.0.1:0 >"$TMP/o" 2>/dev/null &
"$BIN/proxy" --listen 127.0.0.1:0 --auth basic --max-connections 1024 \
	--access-log /dev/null >"$TMP/p" 2>/dev/null &
PPID_=$!
OP=$(port_of "$TMP/o") && PP=$(port_of "$TMP/p") || { echo "bench: servers did not start"; exit 1; }

echo "== bin/proxy -> bin/origin, Basic, keep-alive, loopback"
for c in 1 50 400; do
	"$B/bench/bench_proxy" "$PP" "$OP" "$c" $((20000 / c)) || exit 1
done
echo "proxy peak memory: $(awk '/VmHWM/ {print $2, $3}' /proc/$PPID_/status), threads now: $(awk '/Threads/ {print $2}' /proc/$PPID_/status)"

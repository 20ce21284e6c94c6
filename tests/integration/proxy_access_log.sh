#!/usr/bin/env bash
# tests/integration/proxy_access_log.sh - where bin/proxy's access log
# goes: stdout by default, a file with --access-log FILE (the -v lines with
# it), nowhere with --access-log none (Squid's access_log none), the -v
# lines then staying on stdout.  Each proxy gets a 200 and
# a 407; lines are waited for (2 s at most: they are flushed once a loop
# turn).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need curl "access log" || exit 0

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PSTD "$BIN/proxy" --listen 127.0.0.1:0 --auth basic -v || exit 1
start PFILE "$BIN/proxy" --listen 127.0.0.1:0 --auth basic -v \
	--access-log "$TMP/access.log" || exit 1
# Started in $TMP, so that a file called "none" would show up there.
(cd "$TMP" && exec "$OLDPWD/$BIN/proxy" --listen 127.0.0.1:0 --auth basic -v \
	--access-log none) >"$TMP/PNONE.out" 2>"$TMP/PNONE.err" &
PIDS+=("$!")
for i in $(seq 1 100); do
	grep -q '^listening on ' "$TMP/PNONE.out" 2>/dev/null && break
	sleep 0.05
done
PNONE_PORT=$(head -n 1 "$TMP/PNONE.out" | sed 's/.*://')

# two_requests PORT: a 200 with alice's credentials, then a 407 without.
two_requests() {
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 \
		-x "http://127.0.0.1:$1" -U alice:wonderland \
		"http://127.0.0.1:$ORIGIN_PORT/"
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 \
		-x "http://127.0.0.1:$1" "http://127.0.0.1:$ORIGIN_PORT/"
}

# access_lines FILE: the Squid-format lines in FILE.
access_lines() { grep -cE '^[0-9]+\.[0-9]{3} +[0-9]+ 127\.0\.0\.1 TCP_[A-Z]+/[0-9]{3} ' "$1"; }
# wait_lines FILE PATTERN N: until FILE has N lines matching PATTERN.
wait_lines() {
	for i in $(seq 1 40); do
		[ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

for p in PSTD PFILE PNONE; do
	port_var=${p}_PORT
	check "$p: a 200 with credentials, then a 407" \
		"$(two_requests "${!port_var}" | tr '\n' ' ')" "200 407 "
done
wait_lines "$TMP/PSTD.out" '^why: ' 2
wait_lines "$TMP/PNONE.out" '^why: ' 2
wait_lines "$TMP/access.log" '^why: ' 2
wait_lines "$TMP/access.log" 'TCP_' 2

check "default: both requests logged on stdout" "$(access_lines "$TMP/PSTD.out")" 2
check "default: the 200 logged as TCP_MISS/200 for alice" \
	"$(grep -cE ' TCP_MISS/200 [0-9]+ GET http://127\.0\.0\.1:[0-9]+/ alice HIER_DIRECT/' "$TMP/PSTD.out")" 1
check "default: the 407 logged as TCP_DENIED/407" \
	"$(grep -cE ' TCP_DENIED/407 [0-9]+ GET http://127\.0\.0\.1:[0-9]+/ - HIER_NONE/' "$TMP/PSTD.out")" 1

check "--access-log FILE: both requests in the file" "$(access_lines "$TMP/access.log")" 2
check "--access-log FILE: none on stdout" "$(access_lines "$TMP/PFILE.out")" 0
check "--access-log FILE: the -v why lines go there too" \
	"$(grep -c '^why: ' "$TMP/access.log")" 2

check "--access-log none: no access line on stdout" "$(access_lines "$TMP/PNONE.out")" 0
check "--access-log none: the -v why lines still on stdout" \
	"$(grep -c '^why: ' "$TMP/PNONE.out")" 2
check "--access-log none: the listening line first, as always" \
	"$(head -n 1 "$TMP/PNONE.out" | grep -c '^listening on 127\.0\.0\.1:')" 1
check "--access-log none: no file called none" "$(test -e "$TMP/none" && echo made || echo absent)" absent

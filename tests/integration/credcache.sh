#!/usr/bin/env bash
# The verified-credentials cache and the users file read again when it
# changes (net/store.h, http/credcache.h): bin/proxy with a bcrypt
# htpasswd file, many requests on one kept connection, then the file
# edited under it.
source "$(dirname "$0")/lib.sh"

need curl "credentials cache" || exit 0
need htpasswd "credentials cache" || exit 0

F="$TMP/users"
htpasswd -cbB -C 5 "$F" alice wonderland 2>/dev/null
htpasswd -bB -C 5 "$F" bob builder 2>/dev/null

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --users "$F" \
	--workers 2 || exit 1
P="http://127.0.0.1:$PROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"

# codes USER:PASS N: N requests on one connection; the status of each and
# the connections opened, as "200 200 ... connects=1".
codes() {
	local urls=() i
	for i in $(seq 1 "$2"); do urls+=(-o /dev/null "$URL"); done
	curl -s -w '%{http_code} %{num_connects}\n' -x "$P" \
		--proxy-basic -U "$1" "${urls[@]}" |
		awk '{c = c $1 " "; n += $2} END {print c "connects=" n}'
}
repeat() { local s="" i; for i in $(seq 1 "$2"); do s="$s$1 "; done; echo "${s}connects=1"; }

check "40 requests on one kept connection, bcrypt user: all 200" \
	"$(codes alice:wonderland 40)" "$(repeat 200 40)"
check "a second user on its own connection: all 200" \
	"$(codes bob:builder 10)" "$(repeat 200 10)"
# A wrong password is never remembered as a success, before or after the
# right one was.
check "a wrong password on a kept connection: all 407" \
	"$(codes alice:Wonderland 5)" "$(repeat 407 5)"
check "right password again after the wrong ones: 200" \
	"$(codes alice:wonderland 3)" "$(repeat 200 3)"
check "an unknown user: 407" "$(codes mallory:wonderland 3)" "$(repeat 407 3)"

# status USER:PASS: one request on a new connection.
status() {
	curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic -U "$1" "$URL"
}
# until_status USER:PASS WANT: ask every 0.2 s, 10 s at most; prints the
# last status.  The file is looked at once a second at most and read on
# a worker thread, so the change shows within about a second.
until_status() {
	local i got=""
	for i in $(seq 1 50); do
		got=$(status "$1")
		[ "$got" = "$2" ] && break
		sleep 0.2
	done
	echo "$got"
}

# Change alice's password in place (htpasswd rewrites the file).
htpasswd -bB -C 5 "$F" alice looking-glass 2>/dev/null
check "after the file changes, the new password gets 200" \
	"$(until_status alice:looking-glass 200)" 200
check "... and the old one, remembered before, gets 407" \
	"$(status alice:wonderland)" 407
check "... also on a kept connection" \
	"$(codes alice:wonderland 3)" "$(repeat 407 3)"
check "... bob, unchanged, still gets 200" "$(status bob:builder)" 200
check_contains "the log says the file was read again" \
	"$(cat "$TMP/PROXY.out")" "changed, read again"

# Replaced by a new file (another inode), removing bob.
htpasswd -cbB -C 5 "$TMP/new" alice third 2>/dev/null
mv "$TMP/new" "$F"
check "a file moved into place: the new password gets 200" \
	"$(until_status alice:third 200)" 200
check "... bob, removed, gets 407" "$(status bob:builder)" 407

# A broken file is refused; the users in force stay.  The file is
# looked at when requests come, so keep asking while waiting.
printf 'alice:$2y$05$short\n' >"$F"
for i in $(seq 1 50); do
	grep -q "refused" "$TMP/PROXY.out" && break
	status alice:third >/dev/null
	sleep 0.2
done
check_contains "a broken file is refused, and the log says why" \
	"$(cat "$TMP/PROXY.out")" "malformed password hash"
check "... the users in force stay: 200" "$(status alice:third)" 200

# --credentials-ttl 0: no cache; everything still answers the same.
htpasswd -cbB -C 5 "$F.2" alice wonderland 2>/dev/null
start NOCACHE "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --users "$F.2" \
	--credentials-ttl 0 || exit 1
P="http://127.0.0.1:$NOCACHE_PORT"
check "--credentials-ttl 0: kept connection still all 200" \
	"$(codes alice:wonderland 5)" "$(repeat 200 5)"
check "--credentials-ttl 0: wrong password 407" \
	"$(codes alice:x 2)" "$(repeat 407 2)"

# Bad values are usage errors (exit 2).
for v in -1 x 86401 1.5 ""; do
	"$BIN/proxy" --credentials-ttl "$v" --listen 127.0.0.1:0 \
		>/dev/null 2>"$TMP/ttl.err"
	check "--credentials-ttl '$v' is a usage error" "$?" 2
done
check_contains "--help names --credentials-ttl" "$("$BIN/proxy" --help)" \
	"--credentials-ttl S"

# bin/origin checks the same way: kept connections with a bcrypt user.
htpasswd -cbB -C 5 "$TMP/origin.users" alice wonderland 2>/dev/null
start ORIGIN2 "$BIN/origin" --listen 127.0.0.1:0 --users "$TMP/origin.users" || exit 1
# ocodes USER:PASS N: N requests for /private on one connection.
ocodes() {
	local urls=() i
	for i in $(seq 1 "$2"); do urls+=(-o /dev/null "http://127.0.0.1:$ORIGIN2_PORT/private"); done
	curl -s -w '%{http_code} %{num_connects}\n' --basic -u "$1" "${urls[@]}" |
		awk '{c = c $1 " "; n += $2} END {print c "connects=" n}'
}
check "origin: 20 requests on one kept connection, bcrypt user: all 200" \
	"$(ocodes alice:wonderland 20)" "$(repeat 200 20)"
check "origin: a wrong password after the right one: all 401" \
	"$(ocodes alice:Wonderland 3)" "$(repeat 401 3)"
for v in -1 x 86401; do
	"$BIN/origin" --credentials-ttl "$v" --listen 127.0.0.1:0 >/dev/null 2>&1
	check "origin --credentials-ttl '$v' is a usage error" "$?" 2
done

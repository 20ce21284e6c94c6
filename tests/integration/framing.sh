#!/usr/bin/env bash
# tests/integration/framing.sh - the framing and path rules over real
# sockets: other spellings of /admin at bin/origin (curl --path-as-is),
# Transfer-Encoding in HTTP/1.0, the Host rule, chunk extensions and an
# empty path with a query, at bin/proxy and bin/origin.  Raw requests
# go through a small python3 sender; after each refusal a good request
# must still get its 200.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "framing" || exit 0
need curl "framing" || exit 0

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 -v || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
O="http://127.0.0.1:$ORIGIN_PORT"
P="http://127.0.0.1:$PROXY_PORT"
OHOST="127.0.0.1:$ORIGIN_PORT"
ALICE="Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
BOB="Authorization: Basic Ym9iOmJ1aWxkZXI="

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
# status TEXT: the status code of the first response line in TEXT.
status() { printf '%s\n' "$1" | head -n 1 | cut -d' ' -f2; }
# last TEXT: the last line ("[closed]", "[open]" or "[reset]").
last() { printf '%s\n' "$1" | tail -n 1; }

# still_good NAME: the proxy and the origin still serve alice and anyone.
still_good() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic \
		-U alice:wonderland "$O/")
	check "$1: a good request through the proxy still works" "$code" 200
	code=$(curl -s -o /dev/null -w '%{http_code}' "$O/")
	check "$1: a good request to the origin still works" "$code" 200
}

# ---- item: the origin decides on the normal form of the path ----

# spelling TARGET WANT: bob asks for TARGET as written (--path-as-is).
spelling() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is \
		-u bob:builder "$O$1")
	check "bob, GET $1 -> $2" "$code" "$2"
}
spelling /admin 403
spelling //admin 403
spelling /./admin 403
spelling /private/../admin 403
spelling /%61dmin 403
spelling /private/%2e%2e/admin 403
spelling /admin/. 403
spelling '/admin?x' 403
spelling /ADMIN 404
spelling /admin%2F 400
spelling /%2e%2e/admin 400
spelling '/admin;x' 400
spelling /admin%00 400

# curl cannot send a backslash or '#' as they are; the raw sender can.
for t in '/admin\' '/private\..\admin' '/admin#x'; do
	out=$(printf 'GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n\r\n' "$t" "$OHOST" \
		"$BOB" | raw "$ORIGIN_PORT")
	check "bob, raw GET $t -> 400" "$(status "$out")" 400
done

# What is decided is what is served: alice's 200 names /admin.
body=$(curl -s --path-as-is -u alice:wonderland "$O//private/../admin/./x")
check_contains "alice is served the normal form" "$body" "origin: GET /admin/x"
still_good "path spellings"

# ---- item: Transfer-Encoding in HTTP/1.0 is faulty framing ----

te10() { # te10 NAME PORT REQUEST
	local out
	out=$(printf '%b' "$3" | raw "$2")
	check "$1: 400" "$(status "$out")" 400
	check "$1: connection closed" "$(last "$out")" "[closed]"
	check_contains "$1: the reason is given" "$out" "HTTP/1.0 request may not"
}
seen_before=$(wc -l <"$TMP/ORIGIN.err")
te10 "proxy, HTTP/1.0 chunked" "$PROXY_PORT" \
	"POST $O/ HTTP/1.0\r\nHost: $OHOST\r\n$ALICE\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
te10 "proxy, HTTP/1.0 TE with Content-Length" "$PROXY_PORT" \
	"POST $O/ HTTP/1.0\r\nHost: $OHOST\r\n$ALICE\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc"
# The proxy refused before forwarding: the origin (-v: a line for every
# request it reads) logged nothing meanwhile.
check "proxy, HTTP/1.0 TE: nothing reached the origin" \
	"$(wc -l <"$TMP/ORIGIN.err")" "$seen_before"
te10 "origin, HTTP/1.0 chunked" "$ORIGIN_PORT" \
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
te10 "origin, HTTP/1.0 gzip" "$ORIGIN_PORT" \
	"GET / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n"
# HTTP/1.0 with Content-Length is still fine.
out=$(printf 'POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc' | raw "$ORIGIN_PORT")
check "origin, HTTP/1.0 with Content-Length -> 200" "$(status "$out")" 200
still_good "HTTP/1.0 TE"

# ---- item: Host missing, repeated or invalid ----

host_case() { # host_case NAME HOST-LINES WANT
	local out
	out=$(printf "GET $O/ HTTP/1.1\r\n%b$ALICE\r\n\r\n" "$2" | raw "$PROXY_PORT")
	check "proxy, $1 -> $3" "$(status "$out")" "$3"
	out=$(printf "GET / HTTP/1.1\r\n%b\r\n" "$2" | raw "$ORIGIN_PORT")
	check "origin, $1 -> $3" "$(status "$out")" "$3"
}
host_case "no Host" "" 400
host_case "two Hosts" "Host: $OHOST\r\nHost: $OHOST\r\n" 400
host_case "Host: a, b" "Host: a, b\r\n" 400
host_case "empty Host" "Host:\r\n" 400
host_case "Host with a space" "Host: a b\r\n" 400
host_case "Host with userinfo" "Host: u@$OHOST\r\n" 400
host_case "Host with port 0" "Host: 127.0.0.1:0\r\n" 400
host_case "Host with port 70000" "Host: 127.0.0.1:70000\r\n" 400
host_case "a valid Host" "Host: $OHOST\r\n" 200
out=$(printf 'CONNECT 127.0.0.1:443 HTTP/1.1\r\n%s\r\n\r\n' "$ALICE" | raw "$PROXY_PORT")
check "proxy, CONNECT without Host -> 400" "$(status "$out")" 400
out=$(printf 'GET / HTTP/1.0\r\n\r\n' | raw "$ORIGIN_PORT")
check "origin, HTTP/1.0 without Host -> 200" "$(status "$out")" 200
out=$(printf 'GET %s/ HTTP/1.0\r\n%s\r\n\r\n' "$O" "$ALICE" | raw "$PROXY_PORT")
check "proxy, HTTP/1.0 without Host -> 200" "$(status "$out")" 200
still_good "Host"

# ---- item: chunk extensions follow the grammar ----

chunked() { # chunked SIZE-LINE WANT
	local out
	out=$(printf "POST $O/ HTTP/1.1\r\nHost: $OHOST\r\n$ALICE\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n%s\r\nWiki\r\n0\r\n\r\n" "$1" | raw "$PROXY_PORT")
	check "proxy, chunk line '$1' -> $2" "$(status "$out")" "$2"
	out=$(printf "POST / HTTP/1.1\r\nHost: $OHOST\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n%s\r\nWiki\r\n0\r\n\r\n" "$1" | raw "$ORIGIN_PORT")
	check "origin, chunk line '$1' -> $2" "$(status "$out")" "$2"
	if [ "$2" = 200 ]; then
		check_contains "origin, chunk line '$1': body decoded" "$out" "Wiki"
	fi
}
chunked '4' 200
chunked '4;a=b' 200
chunked '4 ; a = "x\"y"' 200
chunked '4 ; a = "x\\"y"' 400
chunked '4 zz yy' 400
chunked '4;' 400
chunked '4;a=' 400
chunked '4;a="x' 400
still_good "chunk extensions"

# ---- item: an empty path with a query ----

out=$(printf 'GET http://%s?x=1 HTTP/1.1\r\nHost: %s\r\n%s\r\nConnection: close\r\n\r\n' \
	"$OHOST" "$OHOST" "$ALICE" | raw "$PROXY_PORT")
check "proxy, http://h?x=1 -> 200" "$(status "$out")" 200
check_contains "the origin was sent /?x=1" "$out" "request line: GET /?x=1 HTTP/1.1"
for t in "http://$OHOST" "http://127.0.0.1:$ORIGIN_PORT"; do
	out=$(printf 'GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\nConnection: close\r\n\r\n' \
		"$t" "$OHOST" "$ALICE" | raw "$PROXY_PORT")
	check "proxy, $t (no path) -> 200" "$(status "$out")" 200
	check_contains "proxy, $t: the origin was sent /" "$out" "request line: GET / HTTP/1.1"
done
for t in "http://$OHOST#frag" "http://user:pass@$OHOST/" "http://:$ORIGIN_PORT/" \
	"http://127.0.0.1:0$ORIGIN_PORT/" "http://127.0.0.1:+$ORIGIN_PORT/" \
	"http://127.0.0.1:99999/"; do
	out=$(printf 'GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n\r\n' "$t" "$OHOST" "$ALICE" |
		raw "$PROXY_PORT")
	check "proxy, $t -> 400" "$(status "$out")" 400
	check "proxy, $t: connection closed" "$(last "$out")" "[closed]"
done
# curl sends http://h?q through a proxy as it is.
code=$(curl -s -o "$TMP/q.out" -w '%{http_code}' -x "$P" --proxy-basic \
	-U alice:wonderland "$O?from=curl")
check "curl through the proxy, $O?from=curl -> 200" "$code" 200
check_contains "curl: the origin saw /?from=curl" "$(cat "$TMP/q.out")" "GET /?from=curl"
still_good "empty path"

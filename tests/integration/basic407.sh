#!/usr/bin/env bash
# The Basic 407 exchange end to end over real sockets: bin/origin behind
# bin/proxy --auth basic, driven by real curl and by bin/client.
source "$(dirname "$0")/lib.sh"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
P="http://127.0.0.1:$PROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"

if need curl "curl: Basic exchange"; then
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" "$URL")
	check "curl without credentials gets 407" "$code" 407

	head=$(curl -s -D - -o /dev/null -x "$P" "$URL" | tr -d '\r')
	check_contains "407 carries Proxy-Authenticate Basic with charset" \
		"$head" 'Proxy-Authenticate: Basic realm="lab407 proxy", charset="UTF-8"'

	body=$(curl -s -x "$P" "$URL")
	check_contains "407 body says credentials are missing" "$body" "missing"

	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic -U alice:wonderland "$URL")
	check "curl --proxy-basic with alice gets 200" "$code" 200

	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic -U alice:wrong "$URL")
	check "curl with a wrong password gets 407" "$code" 407

	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$P" --proxy-basic -U nobody:x "$URL")
	check "curl with an unknown user gets 407" "$code" 407

	code=$(curl -s -o "$TMP/b64" -w '%{http_code}' -x "$P" -H 'Proxy-Authorization: Basic %%%notbase64' "$URL")
	check "broken base64 gets 400" "$code" 400
	check_contains "400 body names base64" "$(cat "$TMP/b64")" "base64"

	echo_body=$(curl -s -x "$P" --proxy-basic -U alice:wonderland -H 'Authorization: Basic b3JpZ2luOnRlc3Q=' "$URL")
	check_no_header "origin never sees Proxy-Authorization" "$echo_body" "Proxy-Authorization"
	check_contains "origin sees Authorization untouched" "$echo_body" "Authorization: Basic b3JpZ2luOnRlc3Q="
	check_contains "origin sees Via from the proxy" "$echo_body" "Via: 1.1 lab407"

	# curl -v shows the whole dance: 407 then a retry on the same connection.
	v=$(curl -sv -o /dev/null -x "$P" --proxy-anyauth -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
	check_contains "curl --proxy-anyauth sees the 407 first" "$v" "< HTTP/1.1 407"
	check_contains "curl --proxy-anyauth then gets 200" "$v" "< HTTP/1.1 200"
fi

# bin/client, curl's spelling.
code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "$P" "$URL")
check "client without -U gets 407" "$code" 407
code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "$P" -U alice:wonderland "$URL")
check "client with -U alice gets 200" "$code" 200
code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "$P" -U alice:nope "$URL")
check "client with a wrong password gets 407" "$code" 407
"$BIN/client" -s -f -o /dev/null -x "$P" -U alice:nope "$URL" 2>/dev/null
check "client -f on 407 exits 22" "$?" 22

v=$("$BIN/client" -v -o /dev/null -x "$P" -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
check_contains "client -v shows the first request line" "$v" "> GET $URL HTTP/1.1"
check_contains "client -v shows the 407" "$v" "< HTTP/1.1 407 Proxy Authentication Required"
check_contains "client -v shows the retry with Proxy-Authorization" "$v" "> Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
check_contains "client -v shows the 200" "$v" "< HTTP/1.1 200"
check_contains "client -v notes its decisions" "$v" "* "

body=$("$BIN/client" -s -x "$P" -U alice:wonderland "$URL")
check_no_header "origin echo via bin/client has no Proxy-Authorization" "$body" "Proxy-Authorization"

"$BIN/client" -o /dev/null -x "http://127.0.0.1:1" "$URL" 2>"$TMP/err7"
check "client exits 7 when the proxy refuses the connection" "$?" 7
check_contains "exit 7 message in curl's style" "$(cat "$TMP/err7")" "Failed to connect to 127.0.0.1 port 1"

# "-o -" means standard output, as in curl, not a file called "-".
case "$BIN" in /*) CLIENT=$BIN/client ;; *) CLIENT=$PWD/$BIN/client ;; esac
out=$(cd "$TMP" && "$CLIENT" -s -o - -x "$P" -U alice:wonderland "$URL")
check_contains "client -o - writes the body to stdout" "$out" "200 OK"
check "client -o - creates no file called '-'" "$(test -e "$TMP/-" && echo yes || echo no)" no

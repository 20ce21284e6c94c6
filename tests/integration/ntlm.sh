#!/usr/bin/env bash
# tests/integration/ntlm.sh - NTLM (MS-NLMP) through bin/proxy, with curl
# and bin/client as clients.
#
# NTLM authenticates the connection: NEGOTIATE, the 407 with the CHALLENGE
# and the AUTHENTICATE must share one kept-alive TCP connection, after
# which later requests on it carry no Proxy-Authorization at all.  An
# AUTHENTICATE replayed on another connection starts over (407).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth ntlm -v || exit 1
# Negotiate needs a service key to start; ktutil makes a throw-away one
# (tests/integration/negotiate.sh runs a real KDC).
if printf 'addent -password -p HTTP/localhost@LAB407.TEST -k 1 -e aes256-cts-hmac-sha1-96\nthrowaway\nwkt %s\nquit\n' \
	"$TMP/http.keytab" | ktutil >/dev/null 2>&1 && [ -s "$TMP/http.keytab" ]; then
	start MULTI "$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate,ntlm,basic \
		--keytab "$TMP/http.keytab" || exit 1
	MULTI_ORDER="Negotiate,NTLM,Basic,"
else
	start MULTI "$BIN/proxy" --listen 127.0.0.1:0 --auth ntlm,basic || exit 1
	MULTI_ORDER="NTLM,Basic,"
fi
P="http://127.0.0.1:$PROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"
C=(timeout 15 "$BIN/client")

# ---- Start-up ----

htpasswd -nbB alice wonderland >"$TMP/htpasswd" 2>/dev/null ||
	printf 'alice:{SHA}xjIpSBL7nJ6S2zszodB4tJcHyC4=\n' >"$TMP/htpasswd"
out=$(timeout 5 "$BIN/proxy" --listen 127.0.0.1:0 --auth ntlm --users "$TMP/htpasswd" 2>&1)
rc=$?
check "ntlm: an htpasswd file cannot serve NTLM (exit 1)" "$rc" 1
check_contains "ntlm: the start-up message says why" "$out" "cannot serve NTLM"
printf 'alice:wonderland\n' >"$TMP/users"
htdigest_line=$(printf 'alice:lab407 proxy:%s' "$(printf 'alice:lab407 proxy:wonderland' | md5sum | cut -d' ' -f1)")
printf '%s\n' "$htdigest_line" >"$TMP/htdigest"
out=$(timeout 5 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic,ntlm --users "$TMP/htdigest" 2>&1)
check "ntlm: an htdigest file cannot serve NTLM either (exit 1)" "$?" 1
out=$(timeout 5 "$BIN/origin" --listen 127.0.0.1:0 --auth ntlm 2>&1)
check "ntlm: bin/origin refuses --auth ntlm (usage, exit 2)" "$?" 2

# ---- curl ----

if need curl "ntlm: curl"; then
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U alice:wonderland -x "$P" "$URL")
	check "ntlm: curl --proxy-ntlm alice:wonderland gets 200" "$code" 200
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U bob:builder -x "$P" "${URL}private")
	check "ntlm: curl --proxy-ntlm bob gets the origin's 401 for /private" "$code" 401
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U alice:wrong -x "$P" "$URL")
	check "ntlm: curl with a wrong password gets 407" "$code" 407
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U carol:wonderland -x "$P" "$URL")
	check "ntlm: curl with an unknown user gets 407" "$code" 407
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U mallory:letmein -x "$P" "$URL")
	check "ntlm: mallory authenticates and the ACL gives 403" "$code" 403

	# Two URLs, one curl, one connection: one handshake, one 407.
	v=$(curl -s -m 10 -v -o /dev/null -o /dev/null --proxy-ntlm \
		-U alice:wonderland -x "$P" "$URL" "${URL}?second" 2>&1 | tr -d '\r')
	check "ntlm: two URLs on one connection: exactly one 407" \
		"$(grep -c '^< HTTP/1.1 407' <<<"$v")" 1
	check "ntlm: two URLs on one connection: two 200s" \
		"$(grep -c '^< HTTP/1.1 200' <<<"$v")" 2
	check "ntlm: the second URL carries no Proxy-Authorization" \
		"$(grep -c '^> Proxy-Authorization: NTLM' <<<"$v")" 2
	check "ntlm: curl kept one connection" \
		"$(grep -c 'Re-using existing connection' <<<"$v")" 2
	# lesson 11: curl still sends the old Proxy-Connection field to proxies
	check "ntlm: curl sends Proxy-Connection: Keep-Alive with each request" \
		"$(grep -c '^> Proxy-Connection: Keep-Alive' <<<"$v")" 3
	log=$(grep -c 'NTLM NEGOTIATE' "$TMP/PROXY.out")
	[ "$log" -ge 1 ] && ok "ntlm: the proxy's -v log shows the NEGOTIATE" ||
		fail "ntlm: the proxy's -v log shows the NEGOTIATE" "$(tail -n 3 "$TMP/PROXY.out")"

	# Several challenges in one 407, in the order given.
	h=$(curl -s -m 10 -i -o - -x "http://127.0.0.1:$MULTI_PORT" "$URL" | tr -d '\r' |
		sed -n 's/^Proxy-Authenticate: //p' | cut -d' ' -f1 | tr '\n' ',')
	check "ntlm: several schemes: one challenge each, in order ($MULTI_ORDER)" \
		"$h" "$MULTI_ORDER"
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-ntlm \
		-U alice:wonderland -x "http://127.0.0.1:$MULTI_PORT" "$URL")
	check "ntlm: curl picks NTLM among several and gets 200" "$code" 200
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-basic \
		-U alice:wonderland -x "http://127.0.0.1:$MULTI_PORT" "$URL")
	check "ntlm: Basic still works beside NTLM" "$code" 200
fi

# ---- bin/client ----

v=$("${C[@]}" -v -o /dev/null --proxy-ntlm -U alice:wonderland -x "$P" "$URL" 2>&1 | tr -d '\r')
check "ntlm: client --proxy-ntlm gets 200" \
	"$(sed -n 's/^< HTTP\/1\.[01] \([0-9]*\).*/\1/p' <<<"$v" | tail -n 1)" 200
check "ntlm: client: NEGOTIATE, 407, AUTHENTICATE, 200" \
	"$(sed -n -e 's/^< \(HTTP\/1\.1 [0-9]*\).*/\1/p' -e 's/^> \(Proxy-Authorization: NTLM\) \(....\).*/\2/p' <<<"$v" | tr '\n' ';')" \
	"TlRM;HTTP/1.1 407;TlRM;HTTP/1.1 200;"
check "ntlm: client: one connection for all three messages" \
	"$(grep -c '^\* Connected to' <<<"$v")" 1
check_contains "ntlm: client -v notes the CHALLENGE" "$v" "NTLM message 2 of 3 from the proxy: CHALLENGE, server challenge"
check_contains "ntlm: client -v notes the NTProofStr" "$v" "NTProofStr = HMAC-MD5(NTOWFv2, server challenge || blob) = "
check_no_header "ntlm: origin sees no Proxy-Authorization" \
	"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-ntlm -U alice:wrong -x "$P" "$URL")
check "ntlm: client with a wrong password gets 407" "$code" 407
v=$("${C[@]}" -v -o /dev/null --proxy-ntlm -U alice:wrong -x "$P" "$URL" 2>&1 | tr -d '\r')
check "ntlm: client with a wrong password sends one AUTHENTICATE, no loop" \
	"$(grep -c '^> Proxy-Authorization: NTLM TlRMTVNTUAAD' <<<"$v")" 1
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-ntlm -U 'LAB\alice:wonderland' -x "$P" "$URL")
check "ntlm: client with DOMAIN\\user gets 200" "$code" 200

# ---- Replaying an AUTHENTICATE on a new connection ----

v=$("${C[@]}" -v -o /dev/null --proxy-ntlm -U alice:wonderland -x "$P" "$URL" 2>&1 | tr -d '\r')
tok=$(sed -n 's/^> Proxy-Authorization: NTLM \(TlRMTVNTUAAD.*\)/\1/p' <<<"$v")
if [ -n "$tok" ]; then
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" \
		-H "Proxy-Authorization: NTLM $tok" "$URL")
	check "ntlm: an AUTHENTICATE replayed on a new connection gets 407" "$code" 407
	grep -q 'sent no CHALLENGE' "$TMP/PROXY.out" &&
		ok "ntlm: the proxy's log says the connection had no CHALLENGE" ||
		fail "ntlm: the proxy's log says the connection had no CHALLENGE" "$(tail -n 2 "$TMP/PROXY.out")"
else
	fail "ntlm: replay" "no AUTHENTICATE in the client's -v output"
fi

# ---- A connection closed mid-handshake ----

# NEGOTIATE on one connection, then that connection closes; the handshake
# is gone with it, and a request on a new connection gets a bare 407.
neg=TlRMTVNTUAABAAAAB4IIAAAAAAAgAAAAAAAAACAAAAA=
out=$(timeout 10 python3 - "$PROXY_PORT" "$URL" "$neg" <<'PY'
import socket, sys
port, url, neg = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def ask(extra):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (url, extra)).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()          # the client hangs up after the 407
    return data.decode("latin-1").split("\r\n\r\n")[0]
first = ask("Proxy-Authorization: NTLM %s\r\n" % neg)
print("first:", "NTLM TlRMTVNTUAAC" in first)
second = ask("")
print("second:", second.split("\r\n")[0], [l for l in second.split("\r\n") if l.startswith("Proxy-Authenticate")])
PY
)
check_contains "ntlm: the NEGOTIATE got a CHALLENGE" "$out" "first: True"
check_contains "ntlm: after a close the new connection starts over (bare NTLM 407)" \
	"$out" "second: HTTP/1.1 407 Proxy Authentication Required ['Proxy-Authenticate: NTLM']"

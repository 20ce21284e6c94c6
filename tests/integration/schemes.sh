#!/usr/bin/env bash
# Every scheme a student meets, end to end over real sockets: Digest with
# every algorithm and both qops, Bearer, several challenges, through
# bin/proxy and against bin/origin, with bin/client and real curl.
source "$(dirname "$0")/lib.sh"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
URL="http://127.0.0.1:$ORIGIN_PORT/"
BODY='name=alice&note=auth-int hashes this body'

# bin/client through bin/proxy, one proxy per algorithm and qop.
for alg in MD5 MD5-sess SHA-256 SHA-256-sess SHA-512-256 SHA-512-256-sess; do
	for qop in auth auth-int; do
		n=P_${alg//-/_}_${qop//-/_}
		start "$n" "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
			--digest-algorithms "$alg" --qop "$qop" || { fail "$alg $qop" "proxy did not start"; continue; }
		port_var=${n}_PORT
		out=$("$BIN/client" -s -v -x "127.0.0.1:${!port_var}" --proxy-digest -U alice:wonderland \
			-d "$BODY" -w '%{http_code}' -o /dev/null "$URL" 2>"$TMP/v")
		check "bin/client Digest $alg qop=$qop through bin/proxy -> 200" "$out" 200
		check_contains "the retry names algorithm $alg and qop $qop" "$(cat "$TMP/v")" "qop=$qop, response="
		out=$("$BIN/client" -s -x "127.0.0.1:${!port_var}" --proxy-digest -U alice:not-it \
			-w '%{http_code}' -o /dev/null "$URL")
		check "bin/client Digest $alg qop=$qop with a wrong password -> 407" "$out" 407
	done
done

# Several challenges, in the order given.
start MIX "$BIN/proxy" --listen 127.0.0.1:0 --auth digest,basic || exit 1
head=$(curl -s -D - -o /dev/null -x "127.0.0.1:$MIX_PORT" "$URL" | tr -d '\r')
first=$(printf '%s\n' "$head" | grep -i '^Proxy-Authenticate:' | head -1)
last=$(printf '%s\n' "$head" | grep -i '^Proxy-Authenticate:' | tail -1)
check_contains "--auth digest,basic: Digest challenge first" "$first" "Proxy-Authenticate: Digest"
check_contains "--auth digest,basic: Basic challenge last" "$last" "Proxy-Authenticate: Basic"
v=$("$BIN/client" -s -v -o /dev/null -x "127.0.0.1:$MIX_PORT" --proxy-anyauth -U alice:wonderland "$URL" 2>&1)
check_contains "bin/client --proxy-anyauth picks Digest over Basic" "$v" "> Proxy-Authorization: Digest "
check "bin/client --proxy-anyauth sends exactly one retry" "$(printf '%s\n' "$v" | grep -c '^> GET ')" 2

if need curl "curl and Digest"; then
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$MIX_PORT" --proxy-anyauth -U alice:wonderland "$URL")
	check "curl --proxy-anyauth against digest,basic -> 200" "$code" 200
	start PD "$BIN/proxy" --listen 127.0.0.1:0 --auth digest --digest-algorithms SHA-256,MD5 || exit 1
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$PD_PORT" --proxy-digest -U alice:wonderland "$URL")
	check "curl --proxy-digest (SHA-256 and MD5 offered) -> 200" "$code" 200
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$PD_PORT" --proxy-digest -U alice:wrong "$URL")
	check "curl --proxy-digest with a wrong password -> 407" "$code" 407
	start OD "$BIN/origin" --listen 127.0.0.1:0 --auth digest || exit 1
	code=$(curl -s -o /dev/null -w '%{http_code}' --digest -u alice:wonderland "http://127.0.0.1:$OD_PORT/private")
	check "curl --digest against bin/origin -> 200" "$code" 200
	code=$(curl -s -o /dev/null -w '%{http_code}' --digest -u bob:builder "http://127.0.0.1:$OD_PORT/admin")
	check "curl --digest as bob on /admin -> 403" "$code" 403
fi

# Bearer: the same 407 machinery, another scheme.
start PB "$BIN/proxy" --listen 127.0.0.1:0 --auth bearer || exit 1
code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$PB_PORT" --proxy-bearer alice-token "$URL")
check "bin/client --proxy-bearer alice-token -> 200" "$code" 200
head=$("$BIN/client" -s -i -o - -x "127.0.0.1:$PB_PORT" --proxy-bearer forged-token "$URL" | tr -d '\r')
check_contains "a bad token gets 407" "$head" "HTTP/1.1 407"
check_contains "with error=\"invalid_token\"" "$head" 'error="invalid_token"'

# Which challenge bin/client answers depends on TLS (lab407's policy,
# answer_rank() in http/answer.h): to a plain-HTTP proxy that offers
# Bearer and Digest, in either order, it answers Digest, not a token in
# clear (RFC 6750 §5.3); given only Bearer it sends the token and says so.
for order in bearer,digest digest,bearer; do
	n=PBD_${order//,/_}
	start "$n" "$BIN/proxy" --listen 127.0.0.1:0 --auth "$order" || { fail "$order" "proxy did not start"; continue; }
	port_var=${n}_PORT
	code=$("$BIN/client" -s -v -o /dev/null -w '%{http_code}' -x "127.0.0.1:${!port_var}" --proxy-anyauth \
		-U alice:wonderland --proxy-bearer alice-token "$URL" 2>"$TMP/v")
	check "bin/client, --auth $order over plain HTTP -> 200" "$code" 200
	check_contains "--auth $order over plain HTTP: Digest answers" "$(cat "$TMP/v")" "> Proxy-Authorization: Digest "
	check_absent "--auth $order over plain HTTP: no token sent" "$(cat "$TMP/v")" "Proxy-Authorization: Bearer"
	check_contains "--auth $order: the why-line says why" "$(cat "$TMP/v")" "chose Digest SHA-256 over Bearer (no TLS to this party"
done
"$BIN/client" -s -v -o /dev/null -x "127.0.0.1:$PB_PORT" --proxy-bearer alice-token "$URL" 2>"$TMP/v"
check_contains "Bearer alone over plain HTTP: the token goes" "$(cat "$TMP/v")" "> Proxy-Authorization: Bearer alice-token"
check_contains "... and the note says RFC 6750 §5.3 requires TLS" "$(cat "$TMP/v")" "which RFC 6750 §5.3 requires for Bearer"

# Unknown schemes in a challenge list must not confuse the client: a tiny
# peer that offers Negotiate, NTLM and Basic.
if need python3 "unknown schemes"; then
	cat >"$TMP/nego.py" <<'PY'
import base64, http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        ok = self.headers.get("Proxy-Authorization") == "Basic " + base64.b64encode(b"alice:wonderland").decode()
        body = b"ok\n" if ok else b"who are you?\n"
        self.send_response(200 if ok else 407)
        if not ok:
            self.send_header("Proxy-Authenticate", "Negotiate")
            self.send_header("Proxy-Authenticate", "NTLM, Basic realm=\"mixed\"")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
for _ in range(10):
    s.handle_request()
PY
	start NEGO python3 "$TMP/nego.py" || exit 1
	code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$NEGO_PORT" --proxy-anyauth -U alice:wonderland "$URL")
	check "Negotiate and NTLM are skipped; Basic answers -> 200" "$code" 200
fi

#!/usr/bin/env bash
# tests/integration/proxy_clients.sh - real clients through bin/proxy with
# authentication: curl (--proxy-basic, --proxy-digest, --proxy-anyauth,
# -p CONNECT to an HTTPS origin made here), wget --proxy-user, python3
# urllib with ProxyBasicAuthHandler; bodies (Content-Length, chunked,
# Expect: 100-continue) arrive intact after a 407.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "proxy clients" || exit 0

# An origin that answers every method with the body's length and SHA-256
# and the request fields it received, so a test sees what crossed the proxy.
cat >"$TMP/origin.py" <<'EOF'
import hashlib, http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        body = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        out = ("%s %s len=%d sha256=%s\n" % (self.command, self.path, len(body),
               hashlib.sha256(body).hexdigest())).encode()
        out += str(self.headers).encode()
        if self.path == "/big":
            out = bytes(range(256)) * 8192  # 2 MiB, streamed back
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = do_PUT = answer
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
srv = S(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF
start ORIGIN python3 "$TMP/origin.py" || exit 1
# The HTTPS origin for the CONNECT tests below, started first: bin/proxy
# tunnels only to port 443 unless told (--connect-ports), so it is given
# this origin's port.
CONNECT_PORTS=443
if command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/key.pem" \
		-out "$TMP/cert.pem" >/dev/null 2>&1
	cat >"$TMP/https.py" <<'EOF'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = b"secret over TLS\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF
	if start HTTPS python3 "$TMP/https.py" "$TMP/cert.pem" "$TMP/key.pem"; then
		CONNECT_PORTS="443,$HTTPS_PORT"
	fi
fi
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic \
	--connect-ports "$CONNECT_PORTS" || exit 1
start DPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest,basic || exit 1
P="http://127.0.0.1:$PROXY_PORT"
DP="http://127.0.0.1:$DPROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/echo"

head -c 300000 /dev/urandom >"$TMP/body.bin"
SUM=$(sha256sum "$TMP/body.bin" | cut -d' ' -f1)

if need curl "curl through bin/proxy"; then
	out=$(curl -s -x "$P" --proxy-basic -U alice:wonderland "$URL")
	check_contains "curl --proxy-basic: origin answers" "$out" "GET /echo len=0"
	check_absent "curl --proxy-basic: no Proxy-Authorization reaches the origin" "$out" "Proxy-Authorization"
	check_contains "curl --proxy-basic: Via reaches the origin" "$out" "Via: 1.1 lab407"

	code=$(curl -s -o "$TMP/d.out" -w '%{http_code}' -x "$DP" --proxy-digest -U alice:wonderland "$URL")
	check "curl --proxy-digest gets 200" "$code" 200
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "$DP" --proxy-digest -U alice:wrong "$URL")
	check "curl --proxy-digest with a wrong password gets 407" "$code" 407

	v=$(curl -sv -o /dev/null -x "$DP" --proxy-anyauth -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
	check_contains "curl --proxy-anyauth: 407 first" "$v" "< HTTP/1.1 407"
	check_contains "curl --proxy-anyauth: then 200" "$v" "< HTTP/1.1 200"
	check_contains "curl --proxy-anyauth: the retry reuses the connection" "$v" "Re-using existing connection"

	# A POST through the 407 dance: the body must arrive whole.
	out=$(curl -s -x "$P" --proxy-anyauth -U alice:wonderland --data-binary @"$TMP/body.bin" "$URL")
	check_contains "POST after a 407 (anyauth): body intact" "$out" "POST /echo len=300000 sha256=$SUM"
	out=$(curl -s -x "$DP" --proxy-digest -U alice:wonderland --data-binary @"$TMP/body.bin" "$URL")
	check_contains "POST with --proxy-digest: body intact" "$out" "POST /echo len=300000 sha256=$SUM"
	out=$(curl -s -x "$P" --proxy-anyauth -U alice:wonderland -H 'Transfer-Encoding: chunked' \
		--data-binary @"$TMP/body.bin" "$URL")
	check_contains "chunked POST after a 407: body intact" "$out" "POST /echo len=300000 sha256=$SUM"
	out=$(curl -s -x "$P" --proxy-anyauth -U alice:wonderland -H 'Expect: 100-continue' \
		--data-binary @"$TMP/body.bin" "$URL")
	check_contains "Expect: 100-continue POST after a 407: body intact" "$out" "POST /echo len=300000 sha256=$SUM"
	out=$(curl -s -x "$P" --proxy-basic -U alice:wonderland -T "$TMP/body.bin" "$URL")
	check_contains "PUT: body intact" "$out" "PUT /echo len=300000 sha256=$SUM"

	# The response body is streamed the other way: a 2 MiB download.
	want=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(range(256)) * 8192).hexdigest())')
	got=$(curl -s -x "$P" --proxy-basic -U alice:wonderland "http://127.0.0.1:$ORIGIN_PORT/big" | sha256sum | cut -d' ' -f1)
	check "a 2 MiB response arrives intact" "$got" "$want"
fi

# ---- CONNECT to an HTTPS origin of our own ----
if need openssl "CONNECT to HTTPS" && need curl "CONNECT to HTTPS"; then
	if [ -n "${HTTPS_PORT:-}" ]; then
		H="https://127.0.0.1:$HTTPS_PORT/"
		out=$(curl -s --cacert "$TMP/cert.pem" -p -x "$P" --proxy-basic -U alice:wonderland "$H")
		check "curl -p CONNECT with credentials reaches the HTTPS origin" "$out" "secret over TLS"
		out=$(curl -s --cacert "$TMP/cert.pem" -x "$P" --proxy-anyauth -U alice:wonderland "$H")
		check "curl https:// with --proxy-anyauth: 407 dance, then the tunnel" "$out" "secret over TLS"
		code=$(curl -s -o /dev/null -w '%{http_connect}' --cacert "$TMP/cert.pem" -p -x "$P" "$H")
		check "CONNECT without credentials gets 407" "$code" 407
		code=$(curl -s -o /dev/null -w '%{http_connect}' --cacert "$TMP/cert.pem" -p -x "$P" \
			--proxy-basic -U mallory:letmein "$H")
		check "CONNECT as mallory gets 403" "$code" 403
	fi
fi

# ---- wget ----
if need wget "wget --proxy-user"; then
	out=$(wget -q -O - -e use_proxy=yes -e "http_proxy=$P" --proxy-user=alice \
		--proxy-password=wonderland "$URL" 2>&1)
	check_contains "wget --proxy-user gets the origin's answer" "$out" "GET /echo len=0"
	wget -q -O /dev/null -e use_proxy=yes -e "http_proxy=$P" --proxy-user=alice \
		--proxy-password=nope "$URL" 2>/dev/null
	rc=$?
	if [ "$rc" -ne 0 ]; then ok "wget with a wrong password fails"; else
		fail "wget with a wrong password fails" "exit 0"; fi
fi

# ---- python3 urllib with ProxyBasicAuthHandler ----
out=$(python3 - "$P" "$URL" <<'EOF' 2>&1
import sys, urllib.request
proxy, url = sys.argv[1], sys.argv[2]
auth = urllib.request.ProxyBasicAuthHandler()
auth.add_password("lab407 proxy", proxy, "alice", "wonderland")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}), auth)
print(opener.open(urllib.request.Request(url, data=b"from urllib")).read().decode())
EOF
)
check_contains "python3 urllib ProxyBasicAuthHandler: POST arrives after the 407" "$out" \
	"POST /echo len=11 sha256=$(printf 'from urllib' | sha256sum | cut -d' ' -f1)"

# ---- the access log ----
log=$(cat "$TMP/PROXY.out")
check_contains "access log: a 407 line in Squid's format" "$log" "TCP_DENIED/407"
if grep -qE '^[0-9]+\.[0-9]{3} +[0-9]+ 127\.0\.0\.1 TCP_MISS/200 [0-9]+ GET http://127\.0\.0\.1:[0-9]+/echo alice HIER_DIRECT/127\.0\.0\.1 text/plain$' <<<"$log"; then
	ok "access log: a 200 line with user, peer and type"; else
	fail "access log: a 200 line with user, peer and type" "$(head -c 300 <<<"$log")"; fi
check_contains "access log: CONNECT logged as a tunnel" "$log" "TCP_TUNNEL/200"

#!/usr/bin/env bash
# bin/proxy --tls-cert/--tls-key: the proxy's own port over TLS (an
# "HTTPS proxy").  curl -x https:// and bin/client -x https:// get 200 with
# the lab's credentials and 407 without; CONNECT runs inside the TLS;
# a plain-HTTP client is told, not hung; a bad cert/key pair stops the
# proxy at start-up; and a recording relay on the proxy's socket sees
# Proxy-Authorization in clear without TLS and not at all with it.
source "$(dirname "$0")/lib.sh"

if ! need openssl "proxy over TLS"; then exit 0; fi
if ! need curl "proxy over TLS"; then exit 0; fi

# ---- make lab-cert: the throw-away certificate, under a private build dir ----
env -u MAKEFLAGS -u MAKELEVEL make -s lab-cert B="$TMP/b" >/dev/null 2>"$TMP/mk.err"
CERT=$TMP/b/lab-cert/cert.pem
KEY=$TMP/b/lab-cert/key.pem
if [ ! -s "$CERT" ] || [ ! -s "$KEY" ]; then
	fail "make lab-cert makes a certificate and key" "$(cat "$TMP/mk.err")"
	exit 0
fi
ok "make lab-cert makes a certificate and key"
san=$(openssl x509 -in "$CERT" -noout -ext subjectAltName 2>/dev/null)
check_contains "lab certificate names IP 127.0.0.1" "$san" "IP Address:127.0.0.1"
check_contains "lab certificate names localhost" "$san" "DNS:localhost"
check "lab key is private to its owner" "$(stat -c %a "$KEY")" 600
# Never committed: the default place (build/lab-cert/) is ignored by git,
# and no certificate or key is tracked at all.
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
	check "make lab-cert's default place is ignored by git" \
		"$(git check-ignore build/lab-cert/cert.pem build/lab-cert/key.pem | wc -l)" 2
	check "no certificate or key is tracked by git" \
		"$(git ls-files | grep -ciE '\.(pem|key|p12|crt)$')" 0
else
	skip "make lab-cert is never committed" "not a git checkout"
fi

# ---- the peers ----
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/okey.pem" \
	-out "$TMP/ocert.pem" >/dev/null 2>&1
cat >"$TMP/https.py" <<'PY'
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
PY
start HTTPS python3 "$TMP/https.py" "$TMP/ocert.pem" "$TMP/okey.pem" || exit 1
start TPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic \
	--tls-cert "$CERT" --tls-key "$KEY" --connect-ports "$HTTPS_PORT,$ORIGIN_PORT" -v || exit 1
start DPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
	--tls-cert "$CERT" --tls-key "$KEY" || exit 1
start PPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
TP="https://127.0.0.1:$TPROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"
H="https://127.0.0.1:$HTTPS_PORT/"
C=(curl -s -m 10 -o /dev/null -w '%{http_code}')

# ---- curl -x https:// ----
check "curl -x https:// --proxy-insecure with alice: 200" \
	"$("${C[@]}" -x "$TP" --proxy-insecure -U alice:wonderland "$URL")" 200
check "curl -x https:// --proxy-cacert lab cert with alice: 200" \
	"$("${C[@]}" -x "$TP" --proxy-cacert "$CERT" -U alice:wonderland "$URL")" 200
check "curl -x https://localhost --proxy-cacert (DNS name) with bob: 200" \
	"$("${C[@]}" -x "https://localhost:$TPROXY_PORT" --proxy-cacert "$CERT" -U bob:builder "$URL")" 200
check "curl -x https:// without credentials: 407" \
	"$("${C[@]}" -x "$TP" --proxy-insecure "$URL")" 407
check "curl -x https:// with a wrong password: 407" \
	"$("${C[@]}" -x "$TP" --proxy-insecure -U alice:nope "$URL")" 407
check "curl -x https:// as mallory: 403" \
	"$("${C[@]}" -x "$TP" --proxy-insecure -U mallory:letmein "$URL")" 403
v=$(curl -sv -m 10 -o /dev/null -x "$TP" --proxy-cacert "$CERT" --proxy-anyauth \
	-U alice:wonderland "$URL" 2>&1 | tr -d '\r')
check_contains "curl --proxy-anyauth over TLS: the 407 first" "$v" "< HTTP/1.1 407"
check_contains "curl --proxy-anyauth over TLS: then 200" "$v" "< HTTP/1.1 200"
check_contains "curl --proxy-anyauth over TLS: one kept connection" "$v" "Re-using existing connection"
check "curl --proxy-digest over TLS: 200" \
	"$("${C[@]}" -x "https://127.0.0.1:$DPROXY_PORT" --proxy-insecure --proxy-digest -U alice:wonderland "$URL")" 200
# Inside TLS to the proxy bin/client ranks as curl does: Bearer before
# Digest (answer_rank() in http/answer.h); over plain HTTP, Digest.
start BDPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest,bearer \
	--tls-cert "$CERT" --tls-key "$KEY" || exit 1
v=$("$BIN/client" -s -v -o /dev/null -w '%{http_code}' -x "https://127.0.0.1:$BDPROXY_PORT" --proxy-insecure \
	--proxy-anyauth -U alice:wonderland --proxy-bearer alice-token "$URL" 2>"$TMP/bd.err")
check "bin/client to a TLS proxy offering Digest and Bearer: 200" "$v" 200
check_contains "... answered with the token, inside TLS" "$(cat "$TMP/bd.err")" "> Proxy-Authorization: Bearer alice-token"
check_contains "... the why-line names what it passed over" "$(cat "$TMP/bd.err")" "chose Bearer over Digest; offered:"
check "curl over TLS without trusting the proxy's cert: exit 60" \
	"$(curl -s -m 10 -o /dev/null -x "$TP" -U alice:wonderland "$URL"; echo $?)" 60
# A 300 kB POST through the 407 dance over TLS: the body arrives whole
# (lingering close and body relay on the TLS side).
head -c 300000 /dev/urandom >"$TMP/body.bin"
check "curl POST 300 kB, no credentials, over TLS: 407" \
	"$("${C[@]}" -x "$TP" --proxy-insecure --data-binary @"$TMP/body.bin" "$URL")" 407
check "curl POST 300 kB with alice over TLS: 200" \
	"$("${C[@]}" -x "$TP" --proxy-insecure -U alice:wonderland --data-binary @"$TMP/body.bin" "$URL")" 200

# ---- CONNECT inside the TLS to the proxy (TLS in TLS) ----
out=$(curl -s -m 10 -x "$TP" --proxy-insecure --cacert "$TMP/ocert.pem" -U alice:wonderland "$H")
check "curl https:// through the HTTPS proxy (CONNECT): 200 body" "$out" "secret over TLS"
out=$(curl -s -m 10 -p -x "$TP" --proxy-cacert "$CERT" --cacert "$TMP/ocert.pem" \
	--proxy-anyauth -U alice:wonderland "$H")
check "curl -p --proxy-anyauth through the HTTPS proxy: 407 then tunnel" "$out" "secret over TLS"
check "CONNECT over TLS without credentials: 407" \
	"$(curl -s -m 10 -o /dev/null -w '%{http_connect}' -p -x "$TP" --proxy-insecure --cacert "$TMP/ocert.pem" "$H")" 407

# ---- bin/client -x https:// ----
CL=("$BIN/client" -s -o /dev/null -w '%{http_code}')
check "client -x https:// --proxy-insecure with alice: 200" \
	"$("${CL[@]}" -x "$TP" --proxy-insecure -U alice:wonderland "$URL")" 200
check "client -x https:// --proxy-cacert with alice: 200" \
	"$("${CL[@]}" -x "$TP" --proxy-cacert "$CERT" -U alice:wonderland "$URL")" 200
check "client -x https:// without credentials: 407" \
	"$("${CL[@]}" -x "$TP" --proxy-insecure "$URL")" 407
check "client -x https:// --proxy-digest: 200" \
	"$("${CL[@]}" -x "https://127.0.0.1:$DPROXY_PORT" --proxy-cacert "$CERT" --proxy-digest -U alice:wonderland "$URL")" 200
"$BIN/client" -s -o /dev/null -x "$TP" -U alice:wonderland "$URL"
check "client over TLS without trusting the proxy's cert: exit 60" "$?" 60
out=$("$BIN/client" -s -x "$TP" --proxy-insecure --cacert "$TMP/ocert.pem" -U alice:wonderland "$H")
check "client https:// through the HTTPS proxy (TLS in TLS): 200 body" "$out" "secret over TLS"
out=$("$BIN/client" -s -p -x "$TP" --proxy-insecure -U alice:wonderland "$URL")
check_contains "client -p http:// through the HTTPS proxy: origin answers" "$out" "GET / HTTP/1.1"
v=$("$BIN/client" -v -o /dev/null -x "$TP" --proxy-cacert "$CERT" -U alice:wonderland "$URL" 2>&1)
check_contains "client -v names the TLS version to the proxy" "$v" "* Proxy TLS: SSL connection using TLSv1."
check_contains "client -v names the proxy certificate's subject" "$v" "* Proxy certificate: subject: CN = lab407 proxy"
check_contains "client -v says the proxy certificate was verified" "$v" "* Proxy certificate verified for 127.0.0.1"
"$BIN/client" -s -x "ftp://127.0.0.1:1" "$URL" 2>/dev/null
check "client -x ftp:// is a usage error" "$?" 2

# ---- a plain-HTTP client on the TLS port: told, not hung ----
out=$(curl -s -m 10 -x "http://127.0.0.1:$TPROXY_PORT" -U alice:wonderland "$URL"; echo " rc=$?")
check_contains "plain curl on the TLS port: a plain 400 saying so" "$out" "this port speaks TLS"
check_contains "plain curl on the TLS port: ends, no timeout" "$out" " rc=0"
out=$("$BIN/client" -s -S -x "127.0.0.1:$TPROXY_PORT" "$URL" 2>&1; echo " rc=$?")
check_contains "plain bin/client on the TLS port: the 400 says so" "$out" "this port speaks TLS"
# Not HTTP and not TLS: the handshake fails and the connection is closed.
got=$(timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
s.sendall(b"\x00garbage that is neither TLS nor HTTP\r\n\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b: break
    d += b
print("closed after %d bytes" % len(d))' "$TPROXY_PORT" 2>&1)
check_contains "garbage on the TLS port: closed, not hung" "$got" "closed after"
check_contains "proxy -v logs the failed handshake" "$(cat "$TMP/TPROXY.out")" "TLS from 127.0.0.1 failed"
check_contains "proxy -v logs the TLS version of a handshake" "$(cat "$TMP/TPROXY.out")" "TLS from 127.0.0.1: TLSv1."

# ---- a TLS client that half-closes after its request ----
# With close_notify then FIN, or a bare FIN: either way the answer still
# comes back before the proxy closes (RFC 9112 §9.6), five times each.
cat >"$TMP/halfclose.py" <<'PY'
import socket, ssl, sys
RAW = [0]
port, close_notify = int(sys.argv[1]), sys.argv[2] == "notify"
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", port), timeout=8)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out)
def flush():
    d = out.read()
    if d: s.sendall(d)
def feed():
    d = s.recv(65536); RAW[0] += len(d)
    if not d: inc.write_eof(); return False
    inc.write(d); return True
while True:
    try: o.do_handshake(); break
    except ssl.SSLWantReadError: flush(); feed()
flush()
o.write(("GET %s HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n" % sys.argv[3]).encode())
flush()
if close_notify:
    try: o.unwrap()
    except ssl.SSLWantReadError: pass
    flush()
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    try:
        d = o.read(65536)
        if not d: break
        got += d
    except ssl.SSLWantReadError:
        if not feed(): break
    except (ssl.SSLEOFError, ssl.SSLZeroReturnError): break
print(got.split(b"\r\n")[0].decode())
PY
for how in notify fin; do
	got=$(for i in 1 2 3 4 5; do
		timeout 10 python3 "$TMP/halfclose.py" "$TPROXY_PORT" "$how" "$URL" 2>&1 | tail -1
	done | sort | uniq -c | tr -s ' ')
	check "half-close ($how) after the request: the 200 arrives, 5 of 5" "$got" " 5 HTTP/1.1 200 OK"
done

# ---- start-up errors ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other" \
	-keyout "$TMP/other.key" -out "$TMP/other.pem" >/dev/null 2>&1
try_proxy() { timeout 10 "$BIN/proxy" --listen 127.0.0.1:0 "$@" >/dev/null 2>"$TMP/try.err"; echo $?; }
check "a key that is not the cert's: exit 1" "$(try_proxy --tls-cert "$CERT" --tls-key "$TMP/other.key")" 1
check_contains "... saying the key does not belong to the cert" "$(cat "$TMP/try.err")" "does not belong to the --tls-cert"
check "an unreadable cert: exit 1" "$(try_proxy --tls-cert "$TMP/nonexistent.pem" --tls-key "$KEY")" 1
check_contains "... naming the file" "$(cat "$TMP/try.err")" "cannot read --tls-cert $TMP/nonexistent.pem"
check "a key file that holds a certificate: exit 1" "$(try_proxy --tls-cert "$CERT" --tls-key "$CERT")" 1
check_contains "... saying there is no private key" "$(cat "$TMP/try.err")" "no PEM private key"
check "a cert file that holds a key: exit 1" "$(try_proxy --tls-cert "$KEY" --tls-key "$KEY")" 1
check_contains "... saying there is no certificate" "$(cat "$TMP/try.err")" "no PEM certificate"
check "--tls-cert alone: usage error" "$(try_proxy --tls-cert "$CERT")" 2
check "--tls-key alone: usage error" "$(try_proxy --tls-key "$KEY")" 2

# ---- what crosses the proxy's socket: the point of it all ----
# A relay between curl and the proxy records every byte curl sends.
cat >"$TMP/relay.py" <<'PY'
import socket, sys, threading
target = int(sys.argv[1]); log = open(sys.argv[2], "ab", buffering=0)
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(8)
print("listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
def pipe(a, b, rec):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            if rec: log.write(d)
            b.sendall(d)
    except OSError: pass
    try: b.shutdown(socket.SHUT_WR)
    except OSError: pass
while True:
    c, _ = ls.accept()
    u = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pipe, args=(c, u, True), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c, False), daemon=True).start()
PY
start TRELAY python3 "$TMP/relay.py" "$TPROXY_PORT" "$TMP/tls.bytes" || exit 1
start PRELAY python3 "$TMP/relay.py" "$PPROXY_PORT" "$TMP/plain.bytes" || exit 1
B64=$(printf 'alice:wonderland' | base64)
check "through the recording relay, TLS: 200" \
	"$("${C[@]}" -x "https://127.0.0.1:$TRELAY_PORT" --proxy-insecure -U alice:wonderland "$URL")" 200
check "through the recording relay, plain: 200" \
	"$("${C[@]}" -x "http://127.0.0.1:$PRELAY_PORT" -U alice:wonderland "$URL")" 200
check "bin/client through the recording relay, TLS: 200" \
	"$("${CL[@]}" -x "https://127.0.0.1:$TRELAY_PORT" --proxy-insecure -U alice:wonderland "$URL")" 200
plain=$(cat "$TMP/plain.bytes" 2>/dev/null | tr -d '\0')
tls=$(tr -d '\0' <"$TMP/tls.bytes" 2>/dev/null)
check_contains "without TLS the wire shows Proxy-Authorization" "$plain" "Proxy-Authorization: Basic $B64"
first=$(head -c 3 "$TMP/tls.bytes" | od -An -tx1 | tr -d ' \n')
check "with TLS the wire starts with a TLS handshake record" "$first" "160301"
check "with TLS the relay recorded bytes at all" "$([ "$(stat -c %s "$TMP/tls.bytes")" -gt 500 ] && echo yes)" yes
check_absent "with TLS the wire has no Proxy-Authorization" "$tls" "Proxy-Authorization"
check_absent "with TLS the wire has no base64 credentials" "$tls" "$B64"
check_absent "with TLS the wire has no request line" "$tls" "GET http://"

# ---- the REPL's client -> proxy leg over TLS (tls proxy on) ----
out=$("$BIN/repl" --check lessons/03-basic.lab 2>&1)
check "lesson 03's lab with tls proxy on passes" "$?" 0
check_contains "REPL: the ClientHello crossed the socket" "$out" "tls: client -> proxy  ClientHello:"
check_contains "REPL: the ServerHello came back" "$out" "tls: proxy -> client  ServerHello: TLS 1."
# The version and suite the record reader took from the ServerHello are
# the ones OpenSSL negotiated (its own line, "tls: cipher suite X").
suite=$(printf '%s\n' "$out" | sed -n 's/^tls: cipher suite //p' | head -n 1)
ver=$(printf '%s\n' "$out" | sed -n 's/^tls: TLSv\(1\.[0-3]\), certificate .*/\1/p' | head -n 1)
check_contains "REPL: the ServerHello line names the version and suite OpenSSL chose (TLS ${ver:-?}, $suite)" \
	"$out" "ServerHello: TLS ${ver:-no version line}, ${suite:-no cipher suite line}"
check_contains "REPL: the credential line was looked for on the socket and absent" "$out" \
	"\"Proxy-Authorization: Basic $B64\" in these bytes on the socket: no"
check_absent "REPL: no credential line found on the socket" "$out" "in these bytes on the socket: yes"
check_contains "REPL: the decrypted retry carries the credentials" "$out" "Proxy-Authorization: Basic $B64"
printf 'tls proxy maybe\n' >"$TMP/bad.lab"
"$BIN/repl" --check "$TMP/bad.lab" >/dev/null 2>&1
check "REPL: tls proxy with a bad word fails the script" "$([ $? -ne 0 ] && echo failed)" failed

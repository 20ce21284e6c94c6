#!/usr/bin/env bash
# tests/integration/proxy_ssrf.sh - bin/proxy decides on the address it
# connects to (proxy/acl.h, "Deciding on addresses"; lesson 05):
#   - with "deny host 127.0.0.1 / allow all", every other spelling of
#     127.0.0.1 (127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1,
#     [::ffff:127.0.0.1], localhost, ...) gets the ACL's 403 for GET and
#     for CONNECT, and nothing reaches the origin;
#   - CONNECT goes only to port 443 unless --connect-ports or an ACL line
#     naming the port says otherwise;
#   - never to the proxy's own listening address, whatever the spelling;
#   - listening beyond loopback with --auth none or the lab users is
#     refused before binding unless --allow-exposed.
# The requests are sent as raw bytes, so no client rewrites the host.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "proxy ssrf" || exit 0

# An origin that records every connection it accepts (one line in
# $TMP/hits each) and answers any request with 200 "origin".
cat >"$TMP/origin.py" <<'EOF'
import socketserver, sys
hits = sys.argv[1]
class H(socketserver.StreamRequestHandler):
    def handle(self):
        with open(hits, "a") as f:
            f.write("hit\n")
        self.connection.settimeout(5)
        try:
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"
                             b"Connection: close\r\n\r\norigin\n")
        except OSError:
            pass
class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
srv = S(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF

# send PORT HEAD [TUNNELED]: send HEAD (with \r\n escapes) to the proxy at
# 127.0.0.1:PORT; print the status code and, on the next line, the body
# ("closed" when the proxy said nothing).  With TUNNELED, after a 200
# send that request through the tunnel and print its answer too.
cat >"$TMP/send.py" <<'EOF'
import socket, sys
port, head = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
inner = sys.argv[3].encode().decode("unicode_escape").encode("latin-1") if len(sys.argv) > 3 else None
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(head)
data = b""
try:
    while b"\r\n\r\n" not in data:
        r = s.recv(4096)
        if not r:
            break
        data += r
    if data.startswith(b"HTTP/1.1 200 Connection") and inner is not None:
        s.sendall(inner)
        more = b""
        while True:
            r = s.recv(4096)
            if not r:
                break
            more += r
        data += b"\nTUNNEL:" + more
    elif b"\r\n\r\n" in data:
        hdr, _, body = data.partition(b"\r\n\r\n")
        n = 0
        for line in hdr.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
        while len(body) < n:
            r = s.recv(4096)
            if not r:
                break
            body += r
        data = hdr + b"\r\n\r\n" + body
except socket.timeout:
    pass
if not data:
    print("closed")
else:
    print(data.split(b" ")[1].decode())
    print(data.decode("latin-1").replace("\r", ""))
EOF
send() { python3 "$TMP/send.py" "$@" 2>&1; }

AUTH='Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n'
start ORIGIN python3 "$TMP/origin.py" "$TMP/hits" || exit 1
: >"$TMP/hits"
hits() { wc -l <"$TMP/hits" | tr -d ' '; }

printf 'deny host 127.0.0.1\nallow all\n' >"$TMP/deny.acl"
start DENY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --acl "$TMP/deny.acl" \
	--connect-ports "443,$ORIGIN_PORT" -v || exit 1
start OPEN "$BIN/proxy" --listen 127.0.0.1:0 --auth basic \
	--connect-ports "443,$ORIGIN_PORT" || exit 1

# ---- one address, many spellings ----
# Hosts as a client may write them in a URL or a CONNECT authority; each
# resolves to 127.0.0.1 (or, for 0 and 0.0.0.0, reaches this host).
SPELLINGS="127.0.0.1 127.1 127.0.1 2130706433 0x7f000001 0x7f.0.0.1 0177.0.0.1
017700000001 0x7F.1 [::ffff:127.0.0.1] [::ffff:7f00:1] [::FFFF:7F00:0001] localhost
LocalHost 0 0.0.0.0"

# Control: without the deny rule these spellings do reach the origin, so
# each 403 below is the rule's doing and not a failure to connect.
for h in 127.1 2130706433 0x7f.0.0.1 [::ffff:127.0.0.1] localhost; do
	out=$(send "$OPEN_PORT" "GET http://$h:$ORIGIN_PORT/ HTTP/1.1\r\nHost: $h:$ORIGIN_PORT\r\n$AUTH\r\n")
	check "control: GET $h reaches the origin without the rule" "$(head -n 1 <<<"$out")" 200
done
: >"$TMP/hits"

for h in $SPELLINGS; do
	out=$(send "$DENY_PORT" "GET http://$h:$ORIGIN_PORT/ HTTP/1.1\r\nHost: $h:$ORIGIN_PORT\r\n$AUTH\r\n")
	check "deny host 127.0.0.1: GET http://$h:PORT/ -> 403" "$(head -n 1 <<<"$out")" 403
	check_absent "deny host 127.0.0.1: GET $h: no challenge in the 403" "$out" "Proxy-Authenticate:"
	case $h in
	0 | 0.0.0.0) want="not a destination address, for address 0.0.0.0" ;;
	*) want="deny host 127.0.0.1 (line 1), for address 127.0.0.1" ;;
	esac
	check_contains "deny host 127.0.0.1: GET $h: the body names the rule and address" "$out" "$want"

	out=$(send "$DENY_PORT" "CONNECT $h:$ORIGIN_PORT HTTP/1.1\r\nHost: $h:$ORIGIN_PORT\r\n$AUTH\r\n" \
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	check "deny host 127.0.0.1: CONNECT $h:PORT -> 403" "$(head -n 1 <<<"$out")" 403
	check_contains "deny host 127.0.0.1: CONNECT $h: the body names the address" "$out" "for address"
done
check "deny host 127.0.0.1: nothing reached the origin" "$(hits)" 0
check_contains "-v: the why line names the rule and the address" "$(cat "$TMP/DENY.out")" \
	"(deny host 127.0.0.1 (line 1), for address 127.0.0.1) -> 403, no challenge"

# A rule written in another spelling denies the same address.
printf 'deny host 0x7f.1\nallow all\n' >"$TMP/deny2.acl"
start DENY2 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --acl "$TMP/deny2.acl" || exit 1
for h in 127.0.0.1 localhost [::ffff:127.0.0.1]; do
	out=$(send "$DENY2_PORT" "GET http://$h:$ORIGIN_PORT/ HTTP/1.1\r\nHost: $h:$ORIGIN_PORT\r\n$AUTH\r\n")
	check "deny host 0x7f.1: GET $h -> 403" "$(head -n 1 <<<"$out")" 403
done
check "deny host 0x7f.1: nothing reached the origin" "$(hits)" 0

# A kept upstream connection is checked on the address it is connected
# to: alice's request opens it, bob's on the same client connection to the
# same host:port is refused by a rule on that address.
start LABORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
printf 'deny user bob host 127.0.0.0/8\nallow all\n' >"$TMP/bob.acl"
start KEEP "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --acl "$TMP/bob.acl" || exit 1
out=$(python3 - "$KEEP_PORT" "$LABORIGIN_PORT" <<'EOF'
import socket, sys
proxy, origin = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", proxy), timeout=5)
def ask(cred):
    s.sendall(b"GET http://localhost:%d/ HTTP/1.1\r\nHost: localhost:%d\r\n"
              b"Proxy-Authorization: Basic %s\r\n\r\n" % (origin, origin, cred))
    data = b""
    while b"\r\n\r\n" not in data:
        r = s.recv(4096)
        if not r:
            return "closed"
        data += r
    head, _, body = data.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
         if l.lower().startswith(b"content-length:")][0]
    while len(body) < n:
        r = s.recv(4096)
        if not r:
            break
        body += r
    return (head.split(b" ")[1] + b" " + body.replace(b"\n", b" ")).decode()
print(ask(b"YWxpY2U6d29uZGVybGFuZA=="))   # alice
print(ask(b"Ym9iOmJ1aWxkZXI="))           # bob
EOF
)
check "kept connection: alice's request is forwarded" "$(head -n 1 <<<"$out" | cut -d' ' -f1)" 200
check "kept connection: bob's on the same connection is refused" "$(sed -n 2p <<<"$out" | cut -d' ' -f1)" 403
check_contains "kept connection: refused on the connected address" "$(sed -n 2p <<<"$out")" \
	"deny user bob host 127.0.0.0/8 (line 1), for address 127.0.0.1"

# ---- CONNECT ports ----
start DEF "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
out=$(send "$DEF_PORT" "CONNECT 127.0.0.1:$ORIGIN_PORT HTTP/1.1\r\nHost: 127.0.0.1:$ORIGIN_PORT\r\n$AUTH\r\n" \
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
check "default policy: CONNECT to a port other than 443 -> 403" "$(head -n 1 <<<"$out")" 403
check_contains "default policy: the 403 says how to open the port" "$out" \
	"allow method CONNECT port $ORIGIN_PORT"
out=$(send "$DEF_PORT" "GET http://127.0.0.1:$ORIGIN_PORT/ HTTP/1.1\r\nHost: 127.0.0.1:$ORIGIN_PORT\r\n$AUTH\r\n")
check "default policy: a GET to that port is no tunnel and goes" "$(head -n 1 <<<"$out")" 200
check "default policy: only the GET reached the origin" "$(hits)" 1
: >"$TMP/hits"

printf 'allow method CONNECT port %s\ndeny user mallory\nallow all\n' "$ORIGIN_PORT" >"$TMP/port.acl"
start PORTACL "$BIN/proxy" --listen 127.0.0.1:0 --auth basic --acl "$TMP/port.acl" || exit 1
out=$(send "$PORTACL_PORT" "CONNECT 127.0.0.1:$ORIGIN_PORT HTTP/1.1\r\nHost: 127.0.0.1:$ORIGIN_PORT\r\n$AUTH\r\n" \
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
check "ACL line 'allow method CONNECT port N': the tunnel opens" "$(head -n 1 <<<"$out")" 200
check_contains "ACL line: the origin answers through the tunnel" "$out" "origin"
out=$(send "$OPEN_PORT" "CONNECT 127.0.0.1:$ORIGIN_PORT HTTP/1.1\r\nHost: 127.0.0.1:$ORIGIN_PORT\r\n$AUTH\r\n" \
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
check "--connect-ports 443,N: the tunnel opens" "$(head -n 1 <<<"$out")" 200
check "both tunnels reached the origin" "$(hits)" 2
: >"$TMP/hits"

# ---- never the proxy itself ----
SELF=$(free_port)
start SELFP "$BIN/proxy" --listen "127.0.0.1:$SELF" --auth basic --connect-ports "443,$SELF" \
	--acl "$TMP/port.acl" || exit 1
for h in 127.0.0.1 127.1 2130706433 localhost [::ffff:127.0.0.1]; do
	out=$(send "$SELF" "CONNECT $h:$SELF HTTP/1.1\r\nHost: $h:$SELF\r\n$AUTH\r\n" \
		"CONNECT 127.0.0.1:$SELF HTTP/1.1\r\nHost: x\r\n$AUTH\r\n\r\n")
	check "CONNECT $h:OWNPORT to the proxy itself -> 403" "$(head -n 1 <<<"$out")" 403
	check_contains "CONNECT $h:OWNPORT: the body says why" "$out" "this proxy's own listening address"
done
out=$(send "$SELF" "GET http://127.0.0.1:$SELF/ HTTP/1.1\r\nHost: 127.0.0.1:$SELF\r\n$AUTH\r\n")
check "GET to the proxy's own address -> 403" "$(head -n 1 <<<"$out")" 403
# Five CONNECTs nested on one connection: the first is already refused.
python3 - "$SELF" <<'EOF' >"$TMP/nested.out" 2>&1
import socket, sys
port = int(sys.argv[1])
auth = b"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
s = socket.create_connection(("127.0.0.1", port), timeout=5)
opened = 0
for i in range(5):
    s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: x\r\n%s\r\n" % (port, auth))
    data = b""
    while b"\r\n\r\n" not in data:
        r = s.recv(4096)
        if not r:
            break
        data += r
    if not data.startswith(b"HTTP/1.1 200 "):
        break
    opened += 1
print("opened", opened)
EOF
check "five nested CONNECTs to itself: none opens" "$(cat "$TMP/nested.out")" "opened 0"

# ---- listening beyond loopback ----
# The check comes before bind(): the port here is taken on 127.0.0.1, so a
# proxy that bound first would say "cannot listen" instead.
for args in "--listen 0.0.0.0:0 --auth none" "--listen 0.0.0.0:$DENY_PORT --auth none" \
	"--listen 0.0.0.0:$DENY_PORT" "--listen [::]:$DENY_PORT --auth basic" \
	"--listen 0.0.0.0:$DENY_PORT --auth digest --users /nonexistent/users" ; do
	# shellcheck disable=SC2086
	out=$(timeout 3 "$BIN/proxy" $args 2>&1 </dev/null)
	rc=$?
	case "$args" in
	*--users*) check "bin/proxy $args: a users file of one's own passes the check (then fails on it)" \
		"$(grep -c 'refusing' <<<"$out")" 0; continue ;;
	esac
	check "bin/proxy $args: refuses to start (exit 1)" "$rc" 1
	check_contains "bin/proxy $args: says why and names the flag" "$out" "--allow-exposed"
	check_absent "bin/proxy $args: never listened" "$out" "listening on"
done
out=$(timeout 3 "$BIN/proxy" --listen 0.0.0.0:0 --auth none 2>&1 </dev/null)
check_contains "--auth none beyond loopback: the reason" "$out" "--auth none"
out=$(timeout 3 "$BIN/proxy" --listen 0.0.0.0:0 2>&1 </dev/null)
check_contains "lab users beyond loopback: the reason" "$out" "compiled-in lab users"

# ---- options ----
out=$("$BIN/proxy" --help)
check_contains "--help: --connect-ports" "$out" "--connect-ports LIST"
check_contains "--help: --allow-exposed" "$out" "--allow-exposed"
for bad in "" 0 65536 443, 9-1 https; do
	"$BIN/proxy" --listen 127.0.0.1:0 --connect-ports "$bad" >/dev/null 2>"$TMP/bad.err" </dev/null
	check "--connect-ports '$bad': usage error (exit 2)" "$?" 2
done
check_contains "--connect-ports: the error says what is wrong" "$(cat "$TMP/bad.err")" "--connect-ports"

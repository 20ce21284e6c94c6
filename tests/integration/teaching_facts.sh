#!/usr/bin/env bash
# tests/integration/teaching_facts.sh - what the REPL and bin/client say
# about HTTP is right, and fits the message it is said about: `status`,
# `explain`, `help`, the who-answered notes.  Each group checks several
# members of its class, and what must no longer be said.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP NO_COLOR=1
if [ ! -x "$REPL" ]; then
	skip "teaching facts" "$REPL is not built"
	exit 0
fi
repl() { printf '%s\n' "$@" | "$REPL" 2>&1; }

# ---- status: classes, invalid codes, 304, 403 ----
out=$(repl 'status 999')
check_contains "status 999: not a valid status code" "$out" "999 is not a valid HTTP status code"
check_contains "status 999: names the valid range" "$out" "100 to 599 (RFC 9110 §15)"
check_absent "status 999: no empty class" "$out" "(class )"
out=$(repl 'status 600')
check_contains "status 600: not valid either" "$out" "600 is not a valid HTTP status code"
out=$(repl 'status 299')
check_contains "status 299: unknown, class 2xx, treated as 200" "$out" "class 2xx successful: a client that does not know it treats it as 200"
out=$(repl 'status 471')
check_contains "status 471: treated as 400" "$out" "treats it as 400"
out=$(repl 'status 304')
check_contains "status 304: still valid" "$out" "still valid"
check_absent "status 304: not 'fresh'" "$out" "fresh"
out=$(repl 'status 403')
check_absent "status 403: no 'will not help'" "$out" "will not help"
check_contains "status 403: other credentials may succeed" "$out" "other credentials may succeed"
check_contains "status 403: may carry a challenge" "$out" "insufficient_scope"
out=$(repl 'status 407')
check_absent "status 407: no 'credentials will not help'" "$out" "credentials will not help"
out=$(repl 'status 429')
check_absent "status 429: no unmeasured 'some proxies'" "$out" "some proxies"
check_contains "status 429: the counting is the server's (RFC 6585 §4)" "$out" "RFC 6585 §4"
out=$(repl 'status 431')
check_contains "status 431: lab407's proxy, not every server" "$out" "At lab407's proxy a huge Proxy-Authorization field gets 431"

# ---- the tree: wrong facts that must not come back ----
# Every lesson, doc, man page, and the code's strings and comments.  Each
# phrase is one wrong fact, once said somewhere; the rows are its class.
TREE="lessons docs repl http proxy origin client net mk README.md"
for wrong in \
	"credentials would not help" \
	"credentials will not help" \
	"would not change anything" \
	"no Via means" \
	"a proxy still needs it" \
	"tells the client the answer was relayed" \
	"so the connection can carry the retry" \
	"picks the strongest" \
	"the strongest scheme it" \
	"one challenge per header"; do
	hits=$(grep -rIilF -- "$wrong" $TREE 2>/dev/null | tr '\n' ' ')
	check "nowhere in the tree: '$wrong'" "$hits" ""
done

# ---- explain: notes that fit their message ----
# CONNECT: authority-form, its Host, the proxy's own 200
out=$(repl 'request CONNECT origin' 'run' 'explain 3' 'explain 4')
check_contains "explain CONNECT: authority-form" "$out" "authority-form host:port, used only by CONNECT (RFC 9112 §3.2.3)"
check_absent "explain CONNECT: not absolute-form" "$out" "absolute-form, as a client must send"
check_contains "explain CONNECT: its Host" "$out" "the tunnel's host and port again"
check_contains "explain CONNECT's 200: the proxy's own" "$out" "the proxy's own answer to CONNECT"
check_absent "explain CONNECT's 200: not the origin's" "$out" "this is the origin's"

# a plain GET /: request notes on requests, response notes on responses
out=$(repl 'get /' 'run' 'explain 1' 'explain 2' 'explain 4' 'explain 6')
check_contains "explain absolute-form Host: a proxy ignores it" "$out" "a proxy must ignore it and use the URL's authority"
check_absent "explain Host: no 'a proxy still needs it'" "$out" "a proxy still needs it"
check_contains "explain origin-form Host" "$out" "which tells the origin which site is meant"
check_contains "explain Via on a request" "$out" "the origin sees the path the request took"
check_contains "explain Via on a response: evidence, not proof" "$out" "evidence that it was relayed, not proof"
check_absent "explain Via: no 'tells the client the answer was relayed'" "$out" "tells the client the answer was relayed"
check_contains "explain 407 Content-Length: open for the retry" "$out" "so the connection can stay open for the retry"
check_contains "explain 200 Content-Length: the next request" "$out" "so the connection can carry the next request"
check_contains "explain Proxy-Authenticate: several per field" "$out" "one field may hold several, comma-separated"
check_contains "explain charset: Basic and Digest sections" "$out" "Digest: RFC 7616 §3.3"
check_contains "explain who wrote the 407" "$out" "answered by the proxy itself"
check_contains "explain who wrote the 200" "$out" "answered by the origin and relayed by the proxy"
check_absent "explain: no 'itself (no Via)'" "$out" "itself (no Via)"
out=$(repl 'get /' 'run' 'explain 2')
check_absent "explain 407 Content-Length: not the 'next request' note" "$out" "carry the next request"
# Proxy-Authorization: RFC 9110 §11.7.2's words (the next inbound proxy
# consumes it), not RFC 2616's "hop-by-hop"
out=$(repl 'get /' 'run' 'explain 3')
check_contains "explain Proxy-Authorization: the next inbound proxy consumes it" "$out" \
	"credentials for the next inbound proxy that asked for them, which consumes them"
check_absent "explain Proxy-Authorization: not 'hop-by-hop'" \
	"$(grep -A1 '^  Proxy-Authorization:' <<<"$out")" "hop-by-hop"

# ---- break: the armed message says what the break does ----
out=$(repl 'break password')
check_contains "break password: a corrupted credential" "$out" "the next credential the client sends is corrupted, for the proxy"
out=$(repl 'scheme proxy digest' 'break stale')
check_contains "break stale: a clock, not a credential" "$out" "the clock jumps past the nonce lifetime"
check_absent "break stale: no 'corrupted'" "$out" "corrupted"
out=$(repl 'scheme proxy ntlm' 'break close')
check_contains "break close: the connection closes" "$out" "the connection closes right after the next NTLM CHALLENGE from the proxy"
check_absent "break close: no 'corrupted'" "$out" "corrupted"
out=$(repl 'scheme proxy ntlm' 'get /' 'run' 'break replay')
check_contains "break replay: the old AUTHENTICATE again" "$out" "the last NTLM AUTHENTICATE is sent again, on a new connection, to the proxy"
check_absent "break replay: no 'corrupted'" "$out" "corrupted"

# ---- help: the client's choice is the lab's policy, not 'the strongest' ----
out=$(repl 'help scheme' 'help algorithm')
check_absent "help scheme: no 'strongest scheme it was allowed'" "$out" "strongest scheme it was allowed"
check_contains "help scheme: the ranking is a lab choice" "$out" "a lab choice"
check_contains "help algorithm: RFC 7616 §3.7's first-supported rule" "$out" "RFC 7616 §3.7 asks a client to use the first one it supports"

# ---- bin/client -v: who answered, by the clues ----
start P "$BIN/proxy" --listen 127.0.0.1:0 || exit 0
start O "$BIN/origin" --listen 127.0.0.1:0 || exit 0
# what `status 431` says of lab407's proxy
if need curl "status 431: a huge Proxy-Authorization"; then
	big=$(head -c 70000 /dev/zero | tr '\0' A)
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$P_PORT" \
		-H "Proxy-Authorization: Basic $big" "http://127.0.0.1:$O_PORT/")
	check "a 70 kB Proxy-Authorization gets 431 from lab407's proxy" "$code" 431
fi
err=$("$BIN/client" -s -v -o /dev/null -x "http://127.0.0.1:$P_PORT" -U alice:wonderland \
	"http://127.0.0.1:$O_PORT/" 2>&1)
check_contains "client -v: relayed 200 by its Via" "$err" "* Response from the origin (Via: 1.1 lab407)"
err=$("$BIN/client" -s -v -o /dev/null -x "http://127.0.0.1:$P_PORT" -U mallory:letmein \
	"http://127.0.0.1:$O_PORT/" 2>&1)
check_contains "client -v: the proxy's 403 by its Server" "$err" "* Response from the proxy itself (Server: lab407-proxy)"
check_absent "client -v: no 'no Via' rule" "$err" "(no Via)"
err=$("$BIN/client" -s -v -o /dev/null -x "http://127.0.0.1:$P_PORT" \
	"http://127.0.0.1:$O_PORT/" 2>&1)
check_contains "client -v: a 407 is a proxy's" "$err" "* Response from the proxy itself (a 407 is a proxy's)"

# ---- lesson 04: curl's Digest uri to a proxy is the path, and it is accepted ----
if need curl "curl's Digest uri"; then
	start DP "$BIN/proxy" --listen 127.0.0.1:0 --auth digest || exit 0
	err=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --proxy-digest \
		-x "http://127.0.0.1:$DP_PORT" -U alice:wonderland \
		"http://127.0.0.1:$O_PORT/" 2>&1)
	check_contains "curl --proxy-digest: absolute-form request line" "$err" \
		"> GET http://127.0.0.1:$O_PORT/ HTTP/1.1"
	check_contains "curl --proxy-digest: uri is the path" "$err" 'uri="/"'
	check_contains "curl --proxy-digest: the proxy accepts it" "$err" "code=200"
	# and the lab's own client puts the absolute-form target in uri
	out=$(repl 'scheme proxy digest' 'get /' 'run' 'show 3')
	check_contains "REPL client: Digest uri is the absolute-form target" "$out" 'uri="http://127.0.0.1:'
fi

# ---- an external proxy whose answer carries no clue: "cannot tell" ----
if need python3 "who answered: cannot tell"; then
	cat >"$TMP/bare403.py" <<'PY'
# A "proxy" that answers every request with a bare 403: no Via, no Server.
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
s.settimeout(20)
for _ in range(int(sys.argv[1])):
    try:
        c, _ = s.accept()
    except OSError:
        break
    c.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            d = c.recv(4096)
            if not d:
                break
            data += d
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                  b"Connection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
PY
	start BARE python3 "$TMP/bare403.py" 4 || exit 0
	printf 'connect proxy 127.0.0.1:%s\nget /\nexpect 403\nexpect from proxy\n' \
		"$BARE_PORT" >"$TMP/bare.lab"
	out=$("$REPL" --check "$TMP/bare.lab" 2>&1)
	check "cannot tell: expect from proxy fails" "$?" 1
	check_contains "cannot tell: the why line says so" "$out" \
		"Who answered: cannot tell (no Via, and no Server or X-Squid-Error field that names a proxy)"
	check_contains "cannot tell: expect from names the reason" "$out" \
		"bare.lab:4: expected the answer from the proxy, but the lab cannot tell who wrote it"
	out=$(repl "connect proxy 127.0.0.1:$BARE_PORT" 'get /' 'run' 'explain 2')
	check_contains "cannot tell: explain says so" "$out" "answered by: the lab cannot tell"
fi

#!/usr/bin/env bash
# tests/integration/repl_listen.sh - bin/repl --listen: a real curl through
# the lab's proxy, every message held and released by a lab script under
# --check (await, step, expect), for Basic and Digest, plain HTTP and
# CONNECT; what crosses a tunnel (plain HTTP heads, a TLS ClientHello's
# SNI, a real TLS server's ServerHello); the hold filter; edit and break on an outside request.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP
need curl "repl --listen with curl" || exit 0

# run_lab NAME LABFILE CURL-ARGS...: start bin/repl --listen --check LAB,
# read its port (first line) and the lab origin's (second), run curl
# against it with @ORIGIN@ in its arguments replaced, and wait for both.
# Sets OUT (the REPL's transcript), RC (the REPL's status), CURL_RC,
# CURL_OUT (curl's -w output).
run_lab() {
	local name=$1 lab=$2 i line port="" origin=""
	shift 2
	# (the last run's lines must not be read as this one's: see start())
	rm -f "$TMP/$name.out" "$TMP/$name.err"
	"$REPL" --listen 127.0.0.1:0 --check "$lab" >"$TMP/$name.out" \
		2>"$TMP/$name.err" &
	local pid=$!
	# (up to 15 s: on a loaded machine the REPL can be slow to start)
	for i in $(seq 1 300); do
		line=$(sed -n 2p "$TMP/$name.out" 2>/dev/null)
		case "$line" in "lab origin "*) break ;; esac
		sleep 0.05
	done
	port=$(head -n 1 "$TMP/$name.out")
	port=${port##*:}
	origin=${line##*:}
	local args=() a
	for a in "$@"; do args+=("${a//@ORIGIN@/$origin}"); done
	CURL_OUT=$(curl -s -o "$TMP/$name.body" -w '%{http_code}' \
		--max-time 20 -x "http://127.0.0.1:$port" "${args[@]}" \
		2>"$TMP/$name.curlerr")
	CURL_RC=$?
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
	OUT=$(cat "$TMP/$name.out" "$TMP/$name.err")
}

# The 407 dance of one request: held, 407 released, the retry held.
cat >"$TMP/dance.lab" <<'LAB'
await request 10
step
expect why Proxy-Authorization missing
step
expect 407
await request 10
expect 200
expect seen Proxy-Authorization
trace
LAB

# (--proxy-anyauth: curl waits for the challenge, as a browser does;
# --proxy-basic would send Basic at once)
for auth in basic digest; do
	{ [ "$auth" = digest ] && echo "scheme proxy digest"
	  cat "$TMP/dance.lab"; } >"$TMP/$auth.lab"
	run_lab "$auth" "$TMP/$auth.lab" --proxy-anyauth -U alice:wonderland \
		-u alice:wonderland "http://127.0.0.1:@ORIGIN@/private"
	check "listen $auth: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 30 >&2
	check "listen $auth: curl exits 0" "$CURL_RC" 0
	check "listen $auth: curl got 200" "$CURL_OUT" 200
	check_contains "listen $auth: first line" \
		"$(head -n 1 "$TMP/$auth.out")" "listening on 127.0.0.1:"
	check_contains "listen $auth: the 407 was stepped" "$OUT" \
		"#1 proxy  -> client   HTTP/1.1 407"
	check_contains "listen $auth: the retry carries Proxy-Authorization" \
		"$OUT" "Proxy-Authorization: ${auth^}"
	check_contains "listen $auth: forwarded to the origin" "$OUT" \
		"proxy  -> origin   GET /private HTTP/1.1"
	check_contains "listen $auth: the 200 went back" "$OUT" \
		"proxy  -> client   HTTP/1.1 200"
	check_contains "listen $auth: trace numbers the connection" "$OUT" \
		"  1  #1 client -> proxy"
done

# CONNECT (curl -p) to the lab origin over plain HTTP: the 407, the retry,
# the 200, then the HTTP inside the tunnel, which a proxy can read.
cat >"$TMP/connect.lab" <<'LAB'
await request 10
step
step
expect 407
await request 10
step
step
expect 200
expect seen CONNECT
expect seen Proxy-Authorization
await closed 10
LAB
for auth in basic digest; do
	{ [ "$auth" = digest ] && echo "scheme proxy digest"
	  cat "$TMP/connect.lab"; } >"$TMP/connect-$auth.lab"
	run_lab "connect-$auth" "$TMP/connect-$auth.lab" -p --proxy-anyauth \
		-U alice:wonderland -u alice:wonderland \
		"http://127.0.0.1:@ORIGIN@/private"
	c="listen CONNECT $auth"
	check "$c: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 30 >&2
	check "$c: curl exits 0" "$CURL_RC" 0
	check "$c: curl got 200 inside the tunnel" "$CURL_OUT" 200
	check_contains "$c: CONNECT stepped" "$OUT" \
		"client -> proxy    CONNECT 127.0.0.1:"
	check_contains "$c: the 407 to CONNECT was stepped" "$OUT" \
		"#1 proxy  -> client   HTTP/1.1 407"
	check_contains "$c: the retry carries Proxy-Authorization" "$OUT" \
		"Proxy-Authorization: ${auth^}"
	check_contains "$c: the 200 to CONNECT" "$OUT" \
		"HTTP/1.1 200 Connection established"
	check_contains "$c: plain HTTP seen inside" "$OUT" \
		"tunnel client -> far end: plain HTTP"
	check_contains "$c: the request inside" "$OUT" \
		"    GET /private HTTP/1.1"
	check_contains "$c: the origin's answer inside" "$OUT" \
		"    HTTP/1.1 200"
done

# curl https:// through the tunnel: the ClientHello's SNI is what the
# proxy sees (the lab origin does not speak TLS, so the handshake fails:
# curl's exit status is not the point here).
cat >"$TMP/tls.lab" <<'LAB'
auto on
await closed 15
LAB
for alpn in "h2,http/1.1" "http/1.1"; do
	opt=--http2
	[ "$alpn" = http/1.1 ] && opt=--http1.1
	run_lab "tls-$opt" "$TMP/tls.lab" --proxy-basic -U alice:wonderland \
		"$opt" "https://localhost:@ORIGIN@/"
	check_contains "listen TLS $opt: the SNI curl sent" "$OUT" \
		"ClientHello: SNI localhost, ALPN $alpn,"
	check_contains "listen TLS $opt: a record line" "$OUT" \
		"record handshake"
done

# A real TLS server at the tunnel's far end: the REPL's ServerHello line
# names the version and cipher suite the server chose, the same ones curl
# -v and openssl s_server report.  The lab proxy tunnels only to 443 (and
# the lab origin's port), so openssl s_server listens on 127.0.0.1:443:
# that needs root and a free port 443, else skip.  Each row: curl's TLS
# options, then a name for the case.
# (SO_REUSEADDR as s_server: a closed connection in TIME_WAIT is no
# listener)
tls443_free() {
	python3 -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", 443))" 2>/dev/null
}
if [ "$(id -u)" != 0 ]; then
	skip "listen TLS to a real server: ServerHello version and suite" "not root (openssl s_server must listen on 127.0.0.1:443)"
elif ! command -v openssl >/dev/null; then
	skip "listen TLS to a real server: ServerHello version and suite" "no openssl"
elif ! tls443_free; then
	skip "listen TLS to a real server: ServerHello version and suite" "127.0.0.1:443 is in use"
else
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-keyout "$TMP/s443.key" -out "$TMP/s443.pem" >/dev/null 2>&1
	openssl s_server -accept 127.0.0.1:443 -cert "$TMP/s443.pem" \
		-key "$TMP/s443.key" -www >"$TMP/s443.out" 2>&1 &
	PIDS+=("$!")
	if ! wait_port 443; then
		fail "listen TLS to a real server: openssl s_server starts" "$(cat "$TMP/s443.out")"
	else
		printf 'auto on\nawait closed 15\n' >"$TMP/tls443.lab"
		while read -r name opts; do
			# shellcheck disable=SC2086
			run_lab "tls443-$name" "$TMP/tls443.lab" --proxy-anyauth \
				-U alice:wonderland -k -v $opts https://127.0.0.1/
			c="listen TLS to openssl s_server ($name)"
			check "$c: curl got 200 through the tunnel" "$CURL_OUT" 200
			# curl -v: "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384"
			used=$(grep -o 'SSL connection using [^ ]* / [^ ]*' \
				"$TMP/tls443-$name.curlerr" | head -n 1)
			ver=${used#SSL connection using }
			ver=${ver%% *}
			suite=${used##* / }
			# s_server -www's page: "New, TLSv1.3, Cipher is ..."
			srv=$(grep -ao 'New, [^,]*, Cipher is [^ ]*' \
				"$TMP/tls443-$name.body" | head -n 1)
			check "$c: s_server and curl agree on the version and suite" \
				"$srv" "New, $ver, Cipher is $suite"
			# The REPL names the suite as the IANA TLS Cipher Suites
			# registry does, curl and OpenSSL by OpenSSL's name.
			iana=$(openssl ciphers -stdname "$suite" 2>/dev/null |
				awk -v s="$suite" '$3 == s { print $1; exit }')
			[ -n "$iana" ] || iana=$suite
			check_contains "$c: the REPL's ServerHello line" "$OUT" \
				"tunnel far end -> client: ServerHello: ${ver/TLSv/TLS }, $iana"
		done <<'TABLE'
tls13-default --tls-max 1.3
tls13-chacha --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256
tls12-aes128 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
tls12-aes256 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
TABLE
	fi
fi

# The hold filter: only /private is held; / passes unshown, or gets 403.
cat >"$TMP/filter.lab" <<'LAB'
hold path /private
await closed 10
LAB
run_lab filter "$TMP/filter.lab" --proxy-basic -U alice:wonderland \
	"http://127.0.0.1:@ORIGIN@/"
check "hold path: the unheld request gets the origin's 200" "$CURL_OUT" 200
check_contains "hold path: said it was not held" "$OUT" "#1 not held: GET"
check_absent "hold path: nothing recorded" "$OUT" "[1] #1"
printf 'hold path /private\nhold rest deny\nawait closed 10\n' \
	>"$TMP/deny.lab"
run_lab deny "$TMP/deny.lab" -U alice:wonderland "http://127.0.0.1:@ORIGIN@/"
check "hold rest deny: 403 at once" "$CURL_OUT" 403
check_contains "hold rest deny: said so" "$OUT" "-> 403 from the lab"
printf 'hold method POST\nawait closed 10\n' >"$TMP/method.lab"
run_lab method "$TMP/method.lab" -U alice:wonderland --proxy-basic \
	"http://127.0.0.1:@ORIGIN@/"
check "hold method POST: a GET passes" "$CURL_OUT" 200

# Editing the outside client's credential, and break: curl gets a 407 it
# did not earn.  (Preemptive Basic: curl sends the credential at once.)
for how in "edit set Proxy-Authorization \"Basic bm9ib2R5Om5v\"" \
	"edit remove Proxy-Authorization" "break base64" "break scheme"; do
	printf 'await request 10\n%s\nstep\nstep\nexpect why -> 4\nawait closed 10\n' \
		"$how" >"$TMP/edit.lab"
	run_lab edit "$TMP/edit.lab" --proxy-basic -U alice:wonderland \
		"http://127.0.0.1:@ORIGIN@/"
	check "$how: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
	case "$how" in
	"break base64") want=400 ;;
	*) want=407 ;;
	esac
	check "$how: curl got $want" "$CURL_OUT" "$want"
done

# Every break kind that applies to a credential curl computed itself:
# armed while curl's retry (after the 407) is held, applied when it is
# released; curl gets the 407 (or the 400) the corrupted credential earns.
# Columns: scheme, break, a fragment of the proxy's why-line, curl's code.
while read -r auth kind why want; do
	{ [ "$auth" = digest ] && echo "scheme proxy digest"
	  printf 'await request 10\nstep\nstep\nexpect 407\nawait request 10\n'
	  printf 'break %s\nstep\nstep\nexpect why %s\n' "$kind" "${why//_/ }"
	  [ "$kind" = stale ] &&
		printf 'await request 10\nstep\nstep\nstep\nstep\nexpect 200\n'
	  printf 'await closed 10\n'; } >"$TMP/brk.lab"
	run_lab "brk-$auth-$kind" "$TMP/brk.lab" --proxy-anyauth \
		-U alice:wonderland -u alice:wonderland \
		"http://127.0.0.1:@ORIGIN@/private"
	check "break $kind on curl's $auth retry: the lab script passes" \
		"$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
	check "break $kind on curl's $auth retry: curl got $want" \
		"$CURL_OUT" "$want"
	check_contains "break $kind on curl's $auth retry: said what changed" \
		"$OUT" "(break $kind: "
done <<'TABLE'
basic password wrong_password_for 407
basic user unknown_user_->_407 407
basic header which_is_for_the_origin,_not_the_proxy)_->_407 407
basic scheme did_not_offer_->_407 407
basic base64 -> 400
digest password Digest_response_does_not_match 407
digest user bad_credentials_for_nobody_with_Digest:_unknown_user 407
digest header which_is_for_the_origin,_not_the_proxy)_->_407 407
digest realm is_not_this_proxy 407
digest nonce nonce_was_not_issued_by_this_proxy 407
digest response Digest_response_does_not_match 407
digest stale ->_407_with_stale=true 200
digest scheme did_not_offer_->_407 407
TABLE
# break nc replays the last Digest credentials curl sent: the same URL a
# second time on the kept connection (curl --proxy-anyauth asks anew),
# its retry replaced by the first one's nonce and nc -> 407.
printf 'scheme proxy digest\nawait request 10\nstep\nstep\nexpect 407\nawait request 10\nstep\nstep\nstep\nstep\nexpect 200\nawait request 10\nstep\nstep\nexpect 407\nawait request 10\nbreak nc\nstep\nstep\nexpect why nonce count replayed\nawait closed 10\n' \
	>"$TMP/brk-nc.lab"
run_lab brk-nc "$TMP/brk-nc.lab" --proxy-anyauth -U alice:wonderland \
	-o /dev/null "http://127.0.0.1:@ORIGIN@/?a" "http://127.0.0.1:@ORIGIN@/?a"
check "break nc on curl's second Digest retry: the lab script passes" "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
check "break nc on curl's second Digest retry: curl ends with 407" \
	"$CURL_OUT" 200407
check_contains "break nc: said what changed" "$OUT" \
	"(break nc: the previous Digest credentials sent again"
# (stale: curl answers stale=true with the fresh nonce, unasked, and gets
# through.)  The retry as the proxy saw it: the password alone changed.
printf 'await request 10\nstep\nstep\nawait request 10\nbreak password\nstep\nstep\nexpect 407\nawait closed 10\n' \
	>"$TMP/brk-pw.lab"
run_lab brk-pw "$TMP/brk-pw.lab" --proxy-anyauth -U alice:wonderland \
	"http://127.0.0.1:@ORIGIN@/private"
# base64 of alice:wonderland-wrong
check_contains "break password on Basic: alice:wonderland-wrong sent" \
	"$OUT" "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw=="
check_contains "break password: curl's first request is left alone" \
	"$OUT" "why: proxy: Proxy-Authorization missing -> 407"
# `wait` moves the lab's clocks for an outside client's legs as for the
# built-in client's: the nonce of curl's first 407 is too old when its
# retry is released, and the proxy says stale=true; curl retries with the
# fresh nonce and gets through.
printf 'scheme proxy digest\nawait request 10\nstep\nstep\nexpect 407\nawait request 10\nwait 1000\nstep\nstep\nexpect why stale=true\nawait request 10\nstep\nstep\nstep\nstep\nexpect 200\nawait closed 10\n' \
	>"$TMP/wait.lab"
run_lab wait "$TMP/wait.lab" --proxy-anyauth -U alice:wonderland \
	"http://127.0.0.1:@ORIGIN@/"
check "wait 1000 on curl's Digest retry: the lab script passes" "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
check "wait 1000 on curl's Digest retry: curl got 200 after the stale 407" \
	"$CURL_OUT" 200
# A break that cannot apply to the proxy's scheme is refused at once.
printf 'await request 10\nbreak nonce\n' >"$TMP/brk-no.lab"
run_lab brk-no "$TMP/brk-no.lab" --proxy-anyauth -U alice:wonderland \
	"http://127.0.0.1:@ORIGIN@/private"
check "break nonce under Basic: refused" "$RC" 1
check_contains "break nonce under Basic: says why" "$OUT" \
	"nonce is a Digest field"

# Each filter, both ways: a request that matches is held (and stepped),
# one that does not passes unshown with the origin's answer.  Columns:
# the hold lines (";" between them), curl's method and path, held or not.
while read -r holds method path held; do
	{ printf '%s\n' "${holds//;/$'\n'}" | sed 's/_/ /g'
	  if [ "$held" = held ]; then
		printf 'await request 10\nstep\nstep\nstep\nstep\nexpect 200\n'
	  fi
	  printf 'await closed 10\n'; } >"$TMP/hold.lab"
	run_lab hold "$TMP/hold.lab" --proxy-basic -U alice:wonderland \
		-u alice:wonderland -X "$method" "http://127.0.0.1:@ORIGIN@$path"
	c="${holds//_/ }: $method $path"
	check "$c: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || cat "$TMP/hold.curlerr" >&2
	check "$c: curl got 200" "$CURL_OUT" 200
	if [ "$held" = held ]; then
		check_contains "$c: held and stepped" "$OUT" \
			"[1] #1 client -> proxy    $method http"
	else
		check_contains "$c: not held" "$OUT" "#1 not held: $method"
		check_absent "$c: nothing stepped" "$OUT" "[1] #1"
	fi
done <<'TABLE'
hold_host_127.0.0.1 GET / held
hold_host_localhost GET / released
hold_method_POST POST / held
hold_method_POST GET / released
hold_path_/pri GET /private held
hold_path_/private;hold_rest_release GET / released
hold_host_127.0.0.1;hold_path_/private GET /private held
hold_host_localhost;hold_path_/private GET /private released
TABLE
# The filter shown: `hold show` and `held` say what is held.
printf 'hold host 127.0.0.1\nhold method GET\nhold path /private\nhold rest deny\nhold show\nhold all\nheld\nhold path /x\n' >"$TMP/show.lab"
out=$("$REPL" --listen 127.0.0.1:0 --check "$TMP/show.lab" 2>&1)
check "hold show: the lab script passes" "$?" 0
check_contains "hold host: one filter, one space" "$out" \
	"hold: host 127.0.0.1; the rest released unshown"
check_contains "hold show: the three filters and the rest" "$out" \
	"hold: method GET host 127.0.0.1 path /private; the rest answered 403"
check "hold all: everything is held, no rest to speak of" \
	"$(printf '%s\n' "$out" | grep -c '^hold: everything$')" 2
check_contains "hold all clears rest deny too" "$out" \
	"hold: path /x; the rest released unshown"

# auto on: nothing is held, every message of curl's dance is printed and
# numbered as it passes, with the 407, the retry and the 200.
printf 'auto on\nawait closed 10\ntrace\n' >"$TMP/auto.lab"
run_lab auto "$TMP/auto.lab" --proxy-anyauth -U alice:wonderland \
	-u alice:wonderland "http://127.0.0.1:@ORIGIN@/private"
check "auto on: the lab script passes" "$RC" 0
check "auto on: curl got 200 without a step" "$CURL_OUT" 200
check_contains "auto on: the request printed" "$OUT" \
	"[1] #1 client -> proxy    GET http://127.0.0.1:"
check_contains "auto on: the 407 printed" "$OUT" \
	"[2] #1 proxy  -> client   HTTP/1.1 407"
check_contains "auto on: the origin's 200 printed" "$OUT" \
	"#1 origin -> proxy    HTTP/1.1 200"
check_contains "auto on: the 200 printed" "$OUT" \
	"#1 proxy  -> client   HTTP/1.1 200"
check_contains "auto on: trace lists them" "$OUT" "  2  #1 proxy  -> client"

# A target off loopback (TEST-NET-1, RFC 5737) is refused with 403 before
# any connection is made: the lab's proxy goes only to loopback servers (a
# refusal by policy, not a bad answer from an origin: not 502).
run_lab offlo "$TMP/auto.lab" --proxy-basic -U alice:wonderland \
	"http://192.0.2.1/"
check "a target off loopback: 403" "$CURL_OUT" 403
check_contains "a target off loopback: says why" "$OUT" \
	"but the lab goes only to loopback -> 403"

# explain, dot and save on an outside client's messages, as on the
# built-in client's.
printf 'await request 10\nstep\nexplain\nstep\nexplain\nawait request 10\nstep\nstep\nstep\nstep\ndot %s\nsave %s\nawait closed 10\n' \
	"$TMP/out.dot" "$TMP/out.md" >"$TMP/export.lab"
rm -f "$TMP/out.dot" "$TMP/out.md"
run_lab export "$TMP/export.lab" --proxy-anyauth -U alice:wonderland \
	"http://127.0.0.1:@ORIGIN@/"
check "explain/dot/save: the lab script passes" "$RC" 0
check_contains "explain: curl's request line is absolute-form" "$OUT" \
	"absolute-form, as a client must send to a proxy"
check_contains "explain: the 407 names its challenge" "$OUT" \
	"Proxy-Authenticate: Basic"
check_contains "dot: a graph of the outside exchange" \
	"$(cat "$TMP/out.dot" 2>/dev/null)" "digraph"
check_contains "dot: curl's 407 in it" "$(cat "$TMP/out.dot" 2>/dev/null)" "407"
check_contains "save: curl's retry with its credentials" \
	"$(cat "$TMP/out.md" 2>/dev/null)" \
	"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
check_contains "save: the why lines" "$(cat "$TMP/out.md" 2>/dev/null)" \
	"Proxy-Authorization missing"

# At a terminal: `listen` typed at the prompt, two curls at once to an
# origin of their own (not the lab's), each held on its own connection
# number; the second queues behind the first, and Enter releases them
# in the order they came.
if command -v tmux >/dev/null 2>&1 && start other "$BIN/origin" \
	--listen 127.0.0.1:0; then
	SOCK="$TMP/tmux.sock"
	TM=(tmux -S "$SOCK")
	trap '"${TM[@]}" kill-server 2>/dev/null; cleanup' EXIT
	"${TM[@]}" new-session -d -s lab -x 200 -y 50 \
		"env NO_COLOR=1 HOME=$TMP $REPL"
	screen() { "${TM[@]}" capture-pane -p -t lab -S -3000 2>/dev/null; }
	wait_screen() {
		local i
		for i in $(seq 1 200); do
			screen | grep -qF -- "$1" && return 0
			sleep 0.05
		done
		return 1
	}
	wait_screen "Type help" || true
	"${TM[@]}" send-keys -t lab "listen 127.0.0.1:0" Enter
	wait_screen "listening on 127.0.0.1:" || true
	port=$(screen | grep -o 'listening on 127.0.0.1:[0-9]*' | head -n 1)
	port=${port##*:}
	case "$port" in
	[1-9]*[0-9]) ok "listen at the prompt: prints the port" ;;
	*) fail "listen at the prompt: prints the port" "$(screen | tail -n 5 | tr '\n' ' ')" ;;
	esac
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 --proxy-basic \
		-x "http://127.0.0.1:$port" -U alice:wonderland \
		"http://127.0.0.1:$other_PORT/?first" >"$TMP/first.code" &
	c1=$!
	wait_screen "(#1 held: GET http://127.0.0.1:$other_PORT/?first" || true
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 --proxy-basic \
		-x "http://127.0.0.1:$port" -U bob:builder \
		"http://127.0.0.1:$other_PORT/?second" >"$TMP/second.code" &
	c2=$!
	wait_screen "(#2 held: GET http://127.0.0.1:$other_PORT/?second" || true
	"${TM[@]}" send-keys -t lab "held" Enter
	wait_screen "  #2  GET" || true
	for i in 1 2 3 4 5 6 7 8; do
		"${TM[@]}" send-keys -t lab Enter
		wait_screen "[$i] #" || break
	done
	wait "$c1" "$c2"
	"${TM[@]}" send-keys -t lab "trace" Enter
	wait_screen "  8  #2 proxy  -> client" || true
	sc=$(screen)
	check "two curls at once: the first got 200" "$(cat "$TMP/first.code")" 200
	check "two curls at once: the second got 200" "$(cat "$TMP/second.code")" 200
	check_contains "two curls at once: the second queued while the first was held" \
		"$sc" "(#2 held: GET http://127.0.0.1:$other_PORT/?second"
	check_contains "two curls at once: held lists #1" "$sc" "  #1  GET http://127.0.0.1:$other_PORT/?first"
	check_contains "two curls at once: held lists #2" "$sc" "  #2  GET http://127.0.0.1:$other_PORT/?second"
	check_contains "two curls at once: the origin they named was used" "$sc" \
		"[2] #1 proxy  -> origin   GET /?first HTTP/1.1"
	check_contains "two curls at once: #1 whole before #2 (trace 4)" "$sc" \
		"  4  #1 proxy  -> client   HTTP/1.1 200"
	check_contains "two curls at once: then #2 (trace 5)" "$sc" \
		"  5  #2 client -> proxy    GET http://127.0.0.1:$other_PORT/?second"
	check_contains "two curls at once: #2 authenticated as bob" "$sc" \
		"bob authenticated (Basic)"
	"${TM[@]}" kill-server 2>/dev/null
else
	skip "listen at the prompt, two curls at once" "tmux is not installed"
fi

# await fails, bounded, when nobody comes; bad arguments are usage errors
printf 'await request 1\n' >"$TMP/nobody.lab"
out=$("$REPL" --listen 127.0.0.1:0 --check "$TMP/nobody.lab" 2>&1)
check "await request: fails when nothing comes" "$?" 1
check_contains "await request: says so" "$out" "nothing came in 1 s"
for bad in "await request 0" "await request 999" "await soon 5" \
	"edit set Bad:Name x" "hold path nope" "hold method 'G T'"; do
	printf '%s\n' "$bad" >"$TMP/bad.lab"
	"$REPL" --listen 127.0.0.1:0 --check "$TMP/bad.lab" >/dev/null 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then ok "rejected: $bad"; else
		fail "rejected: $bad" "exit 0"; fi
done
# await quiet: passes when nothing is held in SECS, fails when something is
printf 'await quiet 1\n' >"$TMP/quiet.lab"
"$REPL" --listen 127.0.0.1:0 --check "$TMP/quiet.lab" >/dev/null 2>&1
check "await quiet: passes when nothing comes" "$?" 0
printf 'await quiet 15\n' >"$TMP/quiet.lab"
run_lab quiet "$TMP/quiet.lab" -U alice:wonderland --proxy-basic \
	"http://127.0.0.1:@ORIGIN@/"
check "await quiet: fails when a request is held" "$RC" 1
check_contains "await quiet: names it" "$OUT" "await quiet: #1 sent GET http"
printf 'await request 2\n' >"$TMP/nolisten.lab"
out=$("$REPL" --check "$TMP/nolisten.lab" 2>&1)
check_contains "await without listen: says so" "$out" "not listening"
"$REPL" --listen 256.0.0.1:0 --check "$TMP/nolisten.lab" >/dev/null 2>&1
check "--listen on a bad address: exit 1" "$?" 1

#!/usr/bin/env bash
# tests/integration/repl_listen.sh - bin/repl --listen: a real curl through
# the lab's proxy, every message held and released by a lab script under
# --check (await, step, expect), for Basic and Digest, plain HTTP and
# CONNECT; what crosses a tunnel (plain HTTP heads, a TLS ClientHello's
# SNI); the hold filter; edit and break on an outside request.
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
	"$REPL" --listen 127.0.0.1:0 --check "$lab" >"$TMP/$name.out" \
		2>"$TMP/$name.err" &
	local pid=$!
	for i in $(seq 1 100); do
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
run_lab connect "$TMP/connect.lab" -p --proxy-anyauth -U alice:wonderland \
	-u alice:wonderland "http://127.0.0.1:@ORIGIN@/private"
check "listen CONNECT: the lab script passes" "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 30 >&2
check "listen CONNECT: curl exits 0" "$CURL_RC" 0
check "listen CONNECT: curl got 200 inside the tunnel" "$CURL_OUT" 200
check_contains "listen CONNECT: CONNECT stepped" "$OUT" \
	"client -> proxy    CONNECT 127.0.0.1:"
check_contains "listen CONNECT: the 200 to CONNECT" "$OUT" \
	"HTTP/1.1 200 Connection established"
check_contains "listen CONNECT: plain HTTP seen inside" "$OUT" \
	"tunnel client -> far end: plain HTTP"
check_contains "listen CONNECT: the request inside" "$OUT" \
	"    GET /private HTTP/1.1"
check_contains "listen CONNECT: the origin's answer inside" "$OUT" \
	"    HTTP/1.1 200"

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
TABLE
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

#!/usr/bin/env bash
# tests/integration/client_secrets.sh - bin/client keeps secrets out of
# `ps` (issue items 15 and 16), reads interim responses correctly, prints
# bodiless answers cleanly under the sanitizers, and bin/origin exits
# clean (LeakSanitizer, in the sanitizer build) after SIGTERM.
. "$(dirname "$0")/lib.sh"
PEER="python3 tests/integration/fake_peer.py"
seq_no=0 # each peer gets its own name: start reads NAME.out for the port

# ---- Passwords and tokens are not in ps ----
# Each row: a name, then bin/client's credential options.  The fake peer
# stalls, so bin/client is alive and past its option parsing (it has
# connected) when ps looks.
ps_rows=(
	"proxy-user-short|-U|alice:PwOne4ps"
	"proxy-user-joined|-Ualice:PwOne4ps"
	"proxy-user-long|--proxy-user=alice:PwOne4ps"
	"origin-user|-u|bob:PwOne4ps"
	"repeated-proxy-user|-U|alice:PwOne4ps|-U|alice:PwTwo4ps"
	"proxy-bearer|--proxy-bearer|PwOne4ps.token"
	"origin-bearer|--oauth2-bearer|PwOne4ps.token"
)
for row in "${ps_rows[@]}"; do
	IFS='|' read -r -a f <<<"$row"
	name=ps-hides-${f[0]} peer=stall$((++seq_no))
	start $peer $PEER stall || { fail "$name" "fake peer did not start"; continue; }
	port_var=${peer}_PORT pid_var=${peer}_PID
	"$BIN/client" -s -x "http://127.0.0.1:${!port_var}" "${f[@]:1}" \
		http://127.0.0.1:9/ >/dev/null 2>&1 &
	cpid=$!
	for _ in $(seq 1 100); do
		grep -q accepted "$TMP/$peer.out" && break
		sleep 0.05
	done
	args=$(ps -o args= -p "$cpid")
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	kill "${!pid_var}" 2>/dev/null
	if ! grep -q accepted "$TMP/$peer.out"; then
		fail "$name" "bin/client never connected"
	elif [ -z "$args" ]; then
		fail "$name" "ps shows no bin/client"
	elif printf '%s' "$args" | grep -q 'Pw\(One\|Two\)4ps'; then
		fail "$name" "ps shows the secret: $args"
	elif ! printf '%s' "$args" | grep -q 'bin/client'; then
		fail "$name" "ps shows something else: $args"
	else
		ok "$name"
	fi
done

# ---- Interim responses (RFC 9110 §15.2) ----
# N interim responses, then a 200: up to 8 are skipped and the 200 is the
# answer; more than 8 is an error, never a 1xx taken as final.
for row in "1 100 0 200" "8 100 0 200" "3 102 0 200" "8 103 0 200" \
	"9 100 56 000" "50 100 56 000" "9 103 56 000" "1 101 56 000"; do
	read -r n code want_rc want_code <<<"$row"
	name=interim-$n-x-$code peer=interim$((++seq_no))
	start $peer $PEER interim "$n" "$code" || { fail "$name" "fake peer did not start"; continue; }
	port_var=${peer}_PORT pid_var=${peer}_PID
	out=$("$BIN/client" -s -S -w '%{http_code}' "http://127.0.0.1:${!port_var}/" 2>"$TMP/int.err")
	rc=$?
	kill "${!pid_var}" 2>/dev/null
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc ($(cat "$TMP/int.err"))"
	elif [ "$want_rc" = 0 ] && [ "$out" != "ok200" ]; then
		fail "$name" "printed '$out', want 'ok200'"
	elif [ "$want_rc" != 0 ] && [ "$out" != "$want_code" ]; then
		fail "$name" "-w printed '$out', want '$want_code'"
	elif [ "$want_rc" != 0 ] && ! grep -q 'interim\|101' "$TMP/int.err"; then
		fail "$name" "no clear message: $(cat "$TMP/int.err")"
	else
		ok "$name"
	fi
done

# ---- Bodiless answers: 204, 304, HEAD (UBSan saw fwrite(NULL, 1, 0)) ----
for code in 204 304; do
	name=bodiless-$code peer=status$((++seq_no))
	start $peer $PEER status "$code" || { fail "$name" "fake peer did not start"; continue; }
	port_var=${peer}_PORT pid_var=${peer}_PID
	out=$("$BIN/client" -s -S -i -w '%{http_code}' "http://127.0.0.1:${!port_var}/" 2>"$TMP/st.err")
	rc=$?
	kill "${!pid_var}" 2>/dev/null
	if [ "$rc" != 0 ] || grep -q 'runtime error\|Sanitizer' "$TMP/st.err"; then
		fail "$name" "exit $rc: $(head -c 300 "$TMP/st.err")"
	else
		check_contains "$name" "$out" "HTTP/1.1 $code"
	fi
done
start origin "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start proxy "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
for via in direct proxy; do
	name=head-$via
	opts=()
	[ "$via" = proxy ] && opts=(-x "http://127.0.0.1:$proxy_PORT" -U alice:wonderland)
	out=$("$BIN/client" -s -S "${opts[@]}" -X HEAD -w '%{http_code}' \
		"http://127.0.0.1:$origin_PORT/" 2>"$TMP/head.err")
	rc=$?
	if [ "$rc" != 0 ] || grep -q 'runtime error\|Sanitizer' "$TMP/head.err"; then
		fail "$name" "exit $rc: $(head -c 300 "$TMP/head.err")"
	else
		check "$name" "$out" "200"
	fi
done

# ---- bin/origin wipes and frees its state on SIGTERM ----
# In the sanitizer build LeakSanitizer reports at exit whatever was never
# freed; origin_server_free() was never called before.
start o2 "$BIN/origin" --listen 127.0.0.1:0 --auth digest || exit 1
"$BIN/client" -s -u alice:wonderland --digest "http://127.0.0.1:$o2_PORT/private" >/dev/null
"$BIN/client" -s "http://127.0.0.1:$o2_PORT/" >/dev/null
kill -TERM "$o2_PID"
wait "$o2_PID"
rc=$?
if [ "$rc" != 0 ]; then
	fail origin-exit-sigterm "exit status $rc: $(head -c 400 "$TMP/o2.err")"
else
	ok origin-exit-sigterm
fi
if grep -aq __asan_init "$BIN/origin"; then
	if grep -q 'LeakSanitizer\|ERROR: AddressSanitizer' "$TMP/o2.err"; then
		fail origin-exit-no-leak "$(grep -m3 'SUMMARY\|Direct leak' "$TMP/o2.err")"
	else
		ok origin-exit-no-leak
	fi
else
	skip origin-exit-no-leak "not a sanitizer build (make sanitize runs it)"
fi

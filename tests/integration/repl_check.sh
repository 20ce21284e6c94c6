#!/usr/bin/env bash
# tests/integration/repl_check.sh - bin/repl without a terminal: lab
# scripts through --check covering every command and every row of the
# outcomes table, failures naming FILE:LINE, usage errors, pipes,
# NO_COLOR, and a `dot` file that Graphviz renders.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP  # history and anything else stays in the test's dir

# ---- the outcomes table ----
out=$("$REPL" --check lessons/outcomes.lab 2>&1)
rc=$?
check "outcomes.lab passes --check" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 20 >&2
for s in 407 400 403 401 200 stale=true; do
	check_contains "outcomes.lab shows $s" "$out" "$s"
done

# `outcomes` prints the table with a pass per row
out=$(printf 'outcomes\n' | "$REPL" 2>&1)
rows=$(grep -c '^# row:' lessons/outcomes.lab)
check_contains "outcomes command: every row passes" "$out" "$rows of $rows rows"
check_contains "outcomes command: the NTLM rows are there" "$out" "NTLM: connection closed after the CHALLENGE"
check_absent "outcomes command: no FAIL" "$out" "FAIL"
check_contains "outcomes command: mallory row" "$out" "403 from proxy"

# ---- every command in one script ----
cat >"$TMP/all.lab" <<LAB
# every command of the REPL, in one lab script
help
help break
status 407
status 401
lesson
lesson 2
settings
get /private
step
raw on
step
raw off
show 2
explain 2
trace
run
expect 200
expect from origin
expect header Via lab407
explain 3
explain 4
dot $TMP/ex.dot
save $TMP/ex.md
curl
scheme proxy digest
algorithm proxy SHA-256
qop proxy auth
get /
expect 200
expect seen Proxy-Authorization: Digest
explain 3
break response
fix
get /
expect 200
break nonce
get /
expect 407
scheme proxy basic,digest
get /
expect 200
expect seen Proxy-Authorization: Digest
reset
request POST /private "name=value"
expect 200
expect seen name=value
connect proxy embedded
reset
quit
get /never-run
LAB
out=$("$REPL" --check "$TMP/all.lab" 2>&1)
rc=$?
check "all commands: --check passes" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 20 >&2
check_contains "help lists commands" "$out" "outcomes"
check_contains "status 407 names Rails" "$out" ":proxy_authentication_required"
check_contains "lesson list" "$out" "02-the-407-dance"
check_contains "explain 3 decodes Basic" "$out" "decoded: alice:wonderland"
check_contains "explain shows where Proxy-Authorization is defined" "$out" "RFC 9110 §11.7.2"
check_contains "explain 4 notes the proxy consumed it" "$out" "consumed"
check_contains "explain Digest shows HA1" "$out" "HA1"
check_contains "explain Digest recomputes and matches" "$out" "matches: the password was right"
check_contains "curl line" "$out" "curl -v --proxy http://127.0.0.1:"
check_contains "curl waits for the challenge (--proxy-anyauth)" "$out" "--proxy-anyauth"
check_absent "curl does not send Basic unasked" "$out" "--proxy-basic"
check_contains "curl says how to run it against daemons" "$out" "make lab-up LAB_PROXY_AUTH=basic LAB_ORIGIN_AUTH=basic"
check_contains "raw shows CRLF" "$out" 'Proxy Authentication Required\r\n'
check_contains "trace lists legs" "$out" "proxy  -> origin"
check_contains "a step shows the why line" "$out" "why: "
check_contains "a step shows the lesson" "$out" "(lesson 02)"
check_absent "quit stops the script" "$out" "/never-run HTTP"
[ -s "$TMP/ex.md" ] && ok "save wrote a transcript" || fail "save wrote a transcript" "empty"
check_contains "transcript has the 407" "$(cat "$TMP/ex.md" 2>/dev/null)" "407 Proxy Authentication Required"

if need dot "dot output renders with Graphviz"; then
	if dot -Tsvg "$TMP/ex.dot" -o "$TMP/ex.svg" 2>"$TMP/dot.err" && grep -q '<svg' "$TMP/ex.svg"; then
		ok "dot output renders with Graphviz"
	else
		fail "dot output renders with Graphviz" "$(head -c 300 "$TMP/dot.err")"
	fi
fi

# ---- every scheme and Digest variant, and the breaks of lesson 04 ----
cat >"$TMP/schemes.lab" <<'LAB'
scheme proxy bearer
get /
expect 200
expect seen "Proxy-Authorization: Bearer alice-token"
user proxy alice:wrong-token
get /
expect 407
reset
scheme proxy digest
algorithm proxy SHA-512-256-sess
qop proxy auth-int
request POST / "a=1&b=2"
expect 200
expect seen algorithm=SHA-512-256-sess
explain 3
reset
scheme proxy digest
qop proxy none
get /
expect 200
reset
scheme proxy digest
break realm
get /
expect 407
break nonce
get /
expect 407
break user
get /
expect 407
break scheme
get /
expect 407
break password
get /
expect 407
reset
scheme proxy none
get /
expect 200
expect no-header Proxy-Authenticate
reset
scheme origin bearer
get /admin
expect 200
expect from origin
reset
scheme origin digest
get /private
expect 200
expect from origin
explain 7
LAB
out=$("$REPL" --check "$TMP/schemes.lab" 2>&1)
rc=$?
check "schemes and breaks: --check passes" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -E '^/|:[0-9]+:' >&2
check_contains "auth-int Digest recomputed" "$out" ":auth-int:"
check_contains "break realm is shown on the message" "$out" "(break realm:"
check_contains "origin Digest recomputed with the origin's password" "$out" "recomputed with the origin's lab password for alice"

# ---- failures name the file and line ----
printf 'get /\nexpect 407\n' >"$TMP/bad.lab"
out=$("$REPL" --check "$TMP/bad.lab" 2>&1)
rc=$?
check "failed expect exits 1" "$rc" 1
check_contains "failed expect names FILE:LINE" "$out" "$TMP/bad.lab:2: expected 407, got 200"

printf 'get /\nfrobnicate\nexpect 200\n' >"$TMP/unknown.lab"
out=$("$REPL" --check "$TMP/unknown.lab" 2>&1)
rc=$?
check "unknown command exits 1" "$rc" 1
check_contains "unknown command names the line" "$out" "unknown.lab:2: unknown command 'frobnicate'"

printf 'break nonce\n' >"$TMP/inapplicable.lab"
out=$("$REPL" --check "$TMP/inapplicable.lab" 2>&1)
check_contains "nonce under Basic is explained" "$out" "nonce is a Digest field"

# Bearer sends a token and no user name: `break user` has nothing to
# spoil, for either party; `break password` (a wrong token) does.
for party in proxy origin; do
	printf 'scheme %s bearer\nbreak %s user\n' "$party" "$party" >"$TMP/bearer-user.lab"
	out=$("$REPL" --check "$TMP/bearer-user.lab" 2>&1)
	check_contains "break $party user under Bearer is explained" "$out" \
		"Bearer has no user name; try \`break $party password\`"
done
printf 'scheme proxy bearer\nbreak proxy password\nget /\nexpect 407\n' >"$TMP/bearer-pw.lab"
out=$("$REPL" --check "$TMP/bearer-pw.lab" 2>&1)
check "break proxy password under Bearer: a wrong token, 407" "$?" 0
check_absent "... and no refusal" "$out" "Bearer has no user name"

out=$("$REPL" --check "$TMP/missing.lab" 2>&1)
check "missing script exits 1" "$?" 1

# ---- usage ----
"$REPL" --bogus >/dev/null 2>&1
check "unknown option exits 2" "$?" 2
"$REPL" lessons/outcomes.lab >/dev/null 2>&1
check "stray argument exits 2" "$?" 2
"$REPL" --check >/dev/null 2>&1
check "--check without FILE exits 2" "$?" 2
out=$("$REPL" --help)
check_contains "--help" "$out" "--check FILE"
out=$("$REPL" --version)
check_contains "--version" "$out" "lab407"

# ---- long bodies are cut, with a count ----
long=$(printf 'y%.0s' $(seq 1 600))
out=$(printf 'request POST / %s\nstep\n' "$long" | "$REPL" 2>&1)
check_contains "a body over 400 bytes is cut with a count" "$out" "(... 200 more bytes)"

# ---- a pipe, no terminal ----
out=$(printf 'get /private\nrun\ntrace\n' | "$REPL" 2>&1)
check_contains "piped commands run" "$out" "done: 200 from the origin"
check_absent "no colour codes in a pipe" "$out" $'\033['
out=$(printf '\n\n' | "$REPL" 2>&1)
check_absent "empty lines in a pipe do not step" "$out" "[1]"

# ---- connect proxy: a separate bin/proxy instead of the embedded one ----
if [ -x "$BIN/proxy" ] && start px "$BIN/proxy" --listen 127.0.0.1:0; then
	cat >"$TMP/connect.lab" <<LAB
connect proxy 127.0.0.1:$px_PORT
get /
expect 200
expect from origin
trace
connect proxy embedded
get /
expect 200
LAB
	out=$("$REPL" --check "$TMP/connect.lab" 2>&1)
	rc=$?
	check "connect proxy: --check passes" "$rc" 0
	check_contains "connect proxy says inner legs are hidden" "$out" "Only the client <-> proxy legs are visible"
	check_contains "connect proxy: the external proxy's 407" "$out" "407 Proxy Authentication Required"
	check_absent "connect proxy: no proxy -> origin leg shown" "$(printf '%s' "$out" | sed -n '/connect proxy 127/,/connect proxy embedded/p')" "proxy  -> origin"
else
	skip "connect proxy" "bin/proxy is not built"
fi

# ---- CONNECT: the 407 before the tunnel, the 200, then only opaque bytes ----
cat >"$TMP/tunnel.lab" <<'LAB'
help request
request CONNECT origin
expect 200
expect from proxy
expect seen 407 Proxy Authentication Required
expect seen 200 Connection established
trace
curl
user proxy mallory:letmein
request CONNECT origin
expect 403
expect from proxy
reset
request CONNECT 127.0.0.1:443
expect 403
expect from proxy
expect seen opens tunnels only to the lab
LAB
out=$("$REPL" --check "$TMP/tunnel.lab" 2>&1)
rc=$?
check "CONNECT: --check passes" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 20 >&2
check_contains "help request names CONNECT origin" "$out" "request CONNECT origin"
check_contains "CONNECT is sent in authority-form" "$out" "CONNECT 127.0.0.1:"
check_contains "the proxy's why on the tunnel" "$out" "ACL allows -> tunnel to 127.0.0.1:"
check_contains "the REPL says the proxy is blind after the 200" "$out" "from here on the proxy only relays opaque bytes"
check_contains "trace ends at the 200" "$out" "done: 200 from the proxy"
check_contains "curl uses --proxytunnel" "$out" "curl -v --proxytunnel --proxy http://127.0.0.1:"
check_contains "a tunnel elsewhere: the lab's 403" "$out" "opens tunnels only to the lab's origin"
# reach: where outside clients' requests may go (the choice itself is
# tests/unit/test_repl_reach.c; nothing here leaves loopback)
out=$(printf 'reach any\nreach loopback\nreach far\n' | "$REPL" 2>&1)
check_contains "reach any: says the requests go to any origin" "$out" \
	"reach any: outside clients' requests go to any origin they name"
check_contains "reach loopback: says the fence is back" "$out" \
	"reach loopback: outside clients' requests go only to loopback servers"
check_contains "reach far: refused with the choices" "$out" \
	"reach: 'far' is not one of the choices; usage: reach loopback|any"
out=$(printf 'request CONNECT not-a-hostport\n' | "$REPL" 2>&1)
check_contains "CONNECT without host:port is refused with a sentence" "$out" "CONNECT takes host:port"

# ---- dot: auth lines on the arrows, stable names, no Graphviz warning ----
cat >"$TMP/stale.lab" <<LAB
scheme proxy digest
break stale
get /
expect 200
dot $TMP/stale.dot
request CONNECT origin
expect 200
dot $TMP/tunnel.dot
LAB
"$REPL" --check "$TMP/stale.lab" >/dev/null 2>&1
check "dot of Digest stale and CONNECT: --check passes" "$?" 0
stale=$(cat "$TMP/stale.dot" 2>/dev/null)
check_contains "dot shows stale=true" "$stale" "stale=true"
check_contains "dot shows the credentials, shortened" "$stale" 'Proxy-Authorization: Digest username=\"alice\"'
check_contains "dot names the origin origin.lab" "$stale" "http://origin.lab/"
if printf '%s' "$stale" | grep -qE '127\.0\.0\.1:[0-9]'; then
	fail "dot has no loopback port" "$(printf '%s' "$stale" | grep -oE '.{20}127\.0\.0\.1:[0-9]+' | head -1)"
else
	ok "dot has no loopback port"
fi
check_contains "dot of CONNECT" "$(cat "$TMP/tunnel.dot" 2>/dev/null)" "CONNECT origin.lab HTTP/1.1"
if need dot "dot labels render without warnings"; then
	for f in stale tunnel; do
		warn=$(dot -Tsvg "$TMP/$f.dot" -o "$TMP/$f.svg" 2>&1)
		check "dot $f.dot: Graphviz exit" "$?" 0
		check "dot $f.dot: no Graphviz warning" "$warn" ""
	done
fi

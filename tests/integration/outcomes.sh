#!/usr/bin/env bash
# the outcomes table of lesson 05, every row, through bin/client and real curl
# (rows read from lessons/outcomes.lab by outcomes.py), plus the start-up
# errors of broken ACL and rules files.
source "$(dirname "$0")/lib.sh"

need python3 "outcomes table" || exit 0
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PB "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
start PD "$BIN/proxy" --listen 127.0.0.1:0 --auth digest || exit 1
start PS "$BIN/proxy" --listen 127.0.0.1:0 --auth digest --nonce-lifetime 1 || exit 1
start PN "$BIN/proxy" --listen 127.0.0.1:0 --auth ntlm || exit 1
python3 tests/integration/outcomes.py "$BIN" "$PB_PORT" "$PD_PORT" "$PS_PORT" "$ORIGIN_PORT" \
	"$PN_PORT"

# A broken line stops the server with FILE:LINE: reason (exit 1).
printf 'allow user alice\nallow sometimes\n' >"$TMP/bad.acl"
"$BIN/proxy" --listen 127.0.0.1:0 --acl "$TMP/bad.acl" >/dev/null 2>"$TMP/acl.err"
check "a broken ACL line stops the proxy (exit 1)" "$?" 1
check_contains "the ACL error names FILE:LINE" "$(cat "$TMP/acl.err")" "$TMP/bad.acl:2:"

printf '/ public\n/private sometimes\n' >"$TMP/bad.rules"
"$BIN/origin" --listen 127.0.0.1:0 --rules "$TMP/bad.rules" >/dev/null 2>"$TMP/rules.err"
check "a broken rules line stops the origin (exit 1)" "$?" 1
check_contains "the rules error names FILE:LINE" "$(cat "$TMP/rules.err")" "$TMP/bad.rules:2:"

#!/usr/bin/env bash
# tests/integration/bad_input.sh - every raw request of tests/bad-input/
# against a running bin/proxy (Basic and Digest, an ACL denying the
# address 127.0.0.3, which nothing listens on) and, for the request-side
# cases, against bin/origin; after each case a good request must still
# get 200 and nothing of a refused request may reach the origin
# (tests/integration/bad_input.py does the sending and checking).
. "$(dirname "$0")/lib.sh"
need python3 bad-input || exit 0

cat >"$TMP/acl" <<'ACL'
# 127.0.0.3: nothing listens there, so a request the ACL should have
# refused but let through gets 502, not 403.
deny host 127.0.0.3
deny user mallory
allow all
ACL
start origin "$BIN/origin" --listen 127.0.0.1:0 -v || exit 1
start proxy "$BIN/proxy" --listen 127.0.0.1:0 --auth basic,digest \
	--acl "$TMP/acl" || exit 1
python3 tests/integration/bad_input.py "$proxy_PORT" "$origin_PORT" \
	"$TMP/origin.err"

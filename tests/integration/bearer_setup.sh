#!/usr/bin/env bash
# tests/integration/bearer_setup.sh - "--auth bearer" without a tokens
# file must refuse to start and name the remedy, --tokens FILE (RFC 6750
# §1.2: a token is not a password, so no users file can check one); with
# one (or with the compiled-in lab store, which has tokens) it starts,
# whatever users file is beside it.  Both servers share
# the setup code, so both are checked.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

printf 'alice:wonderland\n' >"$TMP/plain"
printf 'alice:$apr1$Gk0yL8Zt$0i5ajn0w2kzO8bK8m2rUe0\n' >"$TMP/htpasswd"
printf 'alice:lab407 proxy:0123456789abcdef0123456789abcdef\n' >"$TMP/htdigest"
printf 'tok-alice-1 alice\n' >"$TMP/tokens"

# refuses NAME CMD...: exits non-zero at once, saying --tokens, not htpasswd.
refuses() {
	local name=$1 out rc
	shift
	out=$(timeout 10 "$@" --listen 127.0.0.1:0 2>&1 </dev/null)
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then
		fail "$name" "started (status $rc)"
		return
	fi
	if printf '%s' "$out" | grep -qF -- "--tokens FILE" &&
		! printf '%s' "$out" | grep -qi "htpasswd"; then
		ok "$name"
	else
		fail "$name" "message: $(printf '%s' "$out" | head -2 | tr '\n' ' ')"
	fi
}
# starts NAME CMD...: prints its "listening on" line.
starts() {
	local name=$1
	shift
	if start srv "$@" --listen 127.0.0.1:0; then
		ok "$name"
		kill "$srv_PID" 2>/dev/null
	else
		fail "$name" "did not start: $(cat "$TMP/srv.err")"
	fi
}

for srv in proxy origin; do
	refuses "$srv bearer, plain users file" "$BIN/$srv" --auth bearer --users "$TMP/plain"
	refuses "$srv bearer, htpasswd file" "$BIN/$srv" --auth bearer --users "$TMP/htpasswd"
	refuses "$srv bearer, htdigest file" "$BIN/$srv" --auth bearer --users "$TMP/htdigest"
	refuses "$srv basic+bearer, plain users file" "$BIN/$srv" --auth basic,bearer --users "$TMP/plain"
	# The compiled-in lab users come with lab tokens.
	starts "$srv bearer, lab users and tokens" "$BIN/$srv" --auth bearer
	starts "$srv bearer with --tokens" "$BIN/$srv" --auth bearer --tokens "$TMP/tokens"
	starts "$srv bearer with --tokens and users" "$BIN/$srv" --auth basic,bearer \
		--users "$TMP/plain" --tokens "$TMP/tokens"
done
# The other mismatch keeps its own message: Basic from an htdigest file.
out=$(timeout 10 "$BIN/proxy" --auth basic --users "$TMP/htdigest" --listen 127.0.0.1:0 2>&1 </dev/null)
check_contains "proxy basic from htdigest names the file kinds" "$out" "htdigest Digest only"

#!/usr/bin/env bash
# Digest qop=auth-int in bin/proxy over the whole body (proxy/authint.c):
# with the head, trickled, chunked, over the limit (413), tampered (407,
# nothing upstream), Expect: 100-continue, a stalled body (408).
source "$(dirname "$0")/lib.sh"

need python3 "auth-int" || exit 0
limit=20000
for alg in MD5 SHA-256; do
	start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
		--digest-algorithms "$alg" --qop auth-int \
		--auth-int-max "$limit" --body-timeout 1 --body-min-rate 1 ||
		exit 1
	timeout 120 python3 tests/integration/authint.py "$PROXY_PORT" \
		"$limit" "$alg" >"$TMP/authint.out"
	rc=$?
	sed "s/^\(ok\|not ok\) - auth-int:/& [$alg]/" "$TMP/authint.out"
	[ "$rc" = 0 ] || fail "auth-int [$alg]: the checks ran to the end" \
		"authint.py exited with $rc"
	kill "$PROXY_PID"
done

# bin/origin: after auth-int, Authentication-Info has qop=auth-int and an
# rspauth over the response body.
for alg in MD5 SHA-256; do
	start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 --auth digest \
		--digest-algorithms "$alg" --qop auth-int || exit 1
	timeout 60 python3 tests/integration/authint_origin.py "$ORIGIN_PORT" \
		"$alg" || fail "origin auth-int [$alg]: the checks ran to the end" \
		"authint_origin.py exited with $?"
	kill "$ORIGIN_PID"
done

# bin/client answers auth-int through bin/proxy with a body larger than
# the 64 KiB the proxy once hashed, and the origin sees all of it.
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
	--qop auth-int || exit 1
body=$(head -c 90000 /dev/zero | tr '\0' 'q')
out=$(timeout 20 "$BIN/client" -s -x "http://127.0.0.1:$PROXY_PORT" \
	--proxy-digest -U alice:wonderland -d "$body" \
	-w '%{http_code}' "http://127.0.0.1:$ORIGIN_PORT/" 2>&1)
check "auth-int: bin/client, 90000-byte body through the proxy -> 200" \
	"${out: -3}" "200"
check_contains "auth-int: bin/client, the origin got the whole body" \
	"$out" "received body (90000 bytes"

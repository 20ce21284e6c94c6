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
	timeout 90 python3 tests/integration/authint.py "$PROXY_PORT" \
		"$limit" "$alg" | sed "s/^\(ok\|not ok\) - auth-int:/& [$alg]/"
	kill "$PROXY_PID"
done

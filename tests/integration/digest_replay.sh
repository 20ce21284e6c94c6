#!/usr/bin/env bash
# Digest over sockets: no replay after a flood of fresh nonces (more than
# the nonce-count table holds), an echoed cnonce escaped, nc is 8LHEX.
source "$(dirname "$0")/lib.sh"

need python3 "digest replay" || exit 0
slots=$(sed -n 's/^#define DIGEST_NC_SLOTS \([0-9]*\).*/\1/p' http/digest.h)
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
	--digest-algorithms MD5 --qop auth || exit 1
timeout 60 python3 tests/integration/digest_replay.py "$PROXY_PORT" \
	"$ORIGIN_PORT" "$slots"

#!/usr/bin/env bash
# bin/proxy out of file descriptors: connections past the limit wait in
# the kernel's queue, the proxy keeps running, and once clients leave it
# serves again.  (CPU use while waiting is not asserted here: that is a
# measurement, not a test.)
source "$(dirname "$0")/lib.sh"

need python3 "fd exhaustion" || exit 0
need curl "fd exhaustion" || exit 0
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
# 40 descriptors: a few for the process itself, then a thread's client fd
# and its upstream fd per connection.
start PROXY bash -c "ulimit -n 40 && exec \"$BIN/proxy\" --listen 127.0.0.1:0 --auth none --max-connections 512" || exit 1

python3 - "$PROXY_PORT" >"$TMP/hold.out" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for _ in range(60):  # more than the proxy has descriptors for
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", int(sys.argv[1])))
        socks.append(s)
    except OSError:
        break
print("held", len(socks), flush=True)
time.sleep(2)
for s in socks:
    s.close()
PY
HOLD=$!
sleep 1
kill -0 "$PROXY_PID" 2>/dev/null
check "the proxy is still running with every descriptor in use" "$?" 0
wait "$HOLD"
check_contains "the holder opened its connections" "$(cat "$TMP/hold.out")" "held"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$ORIGIN_PORT/")
check "after the clients leave, a good request gets 200" "$code" 200

#!/usr/bin/env bash
# Lesson 09's minimal 407 servers, in Python and in C, against real curl.
source "$(dirname "$0")/lib.sh"

need curl "lesson 09 examples" || exit 0
URL=http://example.test/

# try NAME PORT: the same four checks against one server.
try() {
	local name=$1 port=$2 code
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$port" "$URL")
	check "$name: no credentials -> 407" "$code" 407
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$port" -U alice:wonderland "$URL")
	check "$name: alice -> 200" "$code" 200
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$port" -U foo:bar "$URL")
	check "$name: foo:bar (what the Python 2 snippet lets through) -> 407" "$code" 407
	code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$port" -H 'Proxy-Authorization: Foo x' "$URL")
	check "$name: unknown scheme -> 407" "$code" 407
}

if need python3 "lesson 09 Python example"; then
	start PY python3 lessons/examples/min407.py 127.0.0.1 0 20 && try "min407.py" "$PY_PORT"
fi
EX=${LAB407_BUILD:-build}/examples/min407
if [ -x "$EX" ]; then
	start CEX "$EX" 0 20 && try "min407.c" "$CEX_PORT"
else
	fail "min407.c" "$EX was not built (make examples)"
fi

#!/usr/bin/env bash
# Lesson 09's minimal 407 servers, in Python and in C, against real curl.
source "$(dirname "$0")/lib.sh"

need curl "lesson 09 examples" || exit 0
URL=http://example.test/

# try NAME PORT NO-COLON: the same checks against one server; NO-COLON is
# what its 407 body says to Basic credentials without a colon.
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
	# --proxy-anyauth: the 407 first, then the retry on the same
	# connection (one connect), as lesson 09 shows.
	local got err
	got=$(curl -s -o /dev/null -w '%{http_code} %{num_connects}' --proxy-anyauth \
		-x "http://127.0.0.1:$port" -U alice:wonderland "$URL" 2>/dev/null)
	check "$name: --proxy-anyauth: 407 then 200 on one connection" "$got" "200 1"
	err=$(curl -s -v -o /dev/null --proxy-anyauth -x "http://127.0.0.1:$port" \
		-U bob:builder "$URL" 2>&1)
	check_contains "$name: --proxy-anyauth shows the 407" "$err" "< HTTP/1.1 407"
	check_contains "$name: the retry reuses the connection" "$err" "Re-using existing connection"
	# plain -U: curl sends Basic at once, so no 407 is ever seen
	err=$(curl -s -v -o /dev/null -x "http://127.0.0.1:$port" \
		-U alice:wonderland "$URL" 2>&1)
	check_absent "$name: -U alone sends Basic pre-emptively (no 407)" "$err" "< HTTP/1.1 407"
	# a body the example does not read: it answers, then closes (RFC 9112
	# §9.3), or the body would be read as the next request
	err=$(curl -s -D - -o /dev/null -X GET --data x -x "http://127.0.0.1:$port" \
		-U alice:wonderland "$URL" 2>&1)
	check_contains "$name: a request with a body gets its answer and a close" "$err" "Connection: close"
	err=$(curl -s -D - -o /dev/null -x "http://127.0.0.1:$port" -U alice:wonderland "$URL" 2>&1)
	check_absent "$name: a request without a body keeps the connection" "$err" "Connection: close"
	# Basic without a colon (RFC 7617 §2): refused, with the reason
	err=$(curl -s -x "http://127.0.0.1:$port" -H 'Proxy-Authorization: Basic YWxpY2U=' "$URL")
	check_contains "$name: Basic with no colon is refused with a reason" "$err" "$3"
}

if need python3 "lesson 09 Python example"; then
	start PY python3 lessons/examples/min407.py 127.0.0.1 0 40 && try "min407.py" "$PY_PORT" \
		"407: no colon between user and password"
fi
EX=${LAB407_BUILD:-build}/examples/min407
if [ -x "$EX" ]; then
	start CEX "$EX" 0 40 && try "min407.c" "$CEX_PORT" \
		"Basic credentials are malformed"
else
	fail "min407.c" "$EX was not built (make examples)"
fi

# Lesson 04's digest_guess.py: a saved Digest exchange gives up its
# password to a word list, for each algorithm; a list without it does not.
if need python3 "lesson 04 digest_guess.py" && [ -x "$BIN/repl" ]; then
	export HOME=$TMP
	for alg in MD5 SHA-256 SHA-512-256 SHA-256-sess; do
		printf 'scheme proxy digest\nalgorithm proxy %s\nget /\nrun\nsave %s\n' \
			"$alg" "$TMP/digest-$alg.md" | "$BIN/repl" >/dev/null 2>&1
		out=$(python3 lessons/examples/digest_guess.py "$TMP/digest-$alg.md" 2>&1)
		check_contains "digest_guess.py finds alice's password ($alg)" "$out" \
			"password found after 9 guesses: wonderland"
	done
	printf 'builder\nletmein\n' >"$TMP/words"
	python3 lessons/examples/digest_guess.py "$TMP/digest-MD5.md" "$TMP/words" >/dev/null 2>&1
	check "digest_guess.py: a list without the password finds nothing (exit 3)" "$?" 3
	python3 lessons/examples/digest_guess.py "$TMP/words" >/dev/null 2>&1
	check "digest_guess.py: no Digest credentials in the file (exit 1)" "$?" 1
fi

#!/usr/bin/env bash
# tests/integration/lesson_claims.sh - what lessons 01-04 say a tool does,
# outside the REPL, run here against bin/proxy and bin/origin:
#   lesson 01: bin/proxy answers an origin-form request with a 400 that
#              says a proxy needs absolute-form;
#   lesson 03: min407.py answers unreadable Basic credentials with a 407
#              (where bin/proxy says 400, Squid's side is peer_squid.sh);
#   lesson 04: a client told to answer only Digest does not step down to
#              Basic: curl --proxy-digest sends no credentials, and
#              bin/client -v says why.
. "$(dirname "$0")/lib.sh"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
P="http://127.0.0.1:$PROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"

# ---- lesson 01: origin form sent to a proxy ----
if need curl "lesson 01: origin form to a proxy"; then
	out=$(curl -s -m 10 -w '\n%{http_code}' "$P/")
	check "lesson 01: origin form to bin/proxy -> 400" "$(tail -n 1 <<<"$out")" 400
	check_contains "lesson 01: ... naming absolute-form" "$out" \
		"proxy: origin-form target: a proxy needs absolute-form (GET http://host:port/path), RFC 9112 §3.2.2"
fi

# ---- lesson 03: unreadable Basic credentials ----
for pa in 'Basic x' 'Basic !!!!' 'Basic YWxpY2U='; do
	code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' -x "$P" \
		-H "Proxy-Authorization: $pa" "$URL" 2>/dev/null)
	check "lesson 03: bin/proxy, '$pa' -> 400 (lab407's choice)" "$code" 400
done
if need python3 "lesson 03: min407.py and unreadable Basic" &&
	need curl "lesson 03: min407.py and unreadable Basic"; then
	start PY python3 lessons/examples/min407.py 127.0.0.1 0 10 || exit 1
	out=$(curl -s -m 10 -w '\n%{http_code}' -x "http://127.0.0.1:$PY_PORT" \
		-H 'Proxy-Authorization: Basic x' http://example.test/)
	check "lesson 03: min407.py, 'Basic x' -> 407" "$(tail -n 1 <<<"$out")" 407
	check_contains "lesson 03: ... saying why" "$out" "credentials are not valid base64 of UTF-8"
fi

# ---- lesson 04: no step down from Digest to Basic ----
err=$("$BIN/client" -v --proxy-digest -x "$P" -U alice:wonderland "$URL" 2>&1 >/dev/null)
check_contains "lesson 04: bin/client --proxy-digest, Basic offered: says why it stops" "$err" \
	"* No usable proxy scheme: offered Basic; allowed by the options: Digest"
check_absent "lesson 04: bin/client --proxy-digest sends no credentials" "$err" \
	"> Proxy-Authorization:"
check_contains "lesson 04: ... and ends with the 407" "$err" "< HTTP/1.1 407"
if need curl "lesson 04: curl --proxy-digest against Basic"; then
	err=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --proxy-digest \
		-x "$P" -U alice:wonderland "$URL" 2>&1)
	check_absent "lesson 04: curl --proxy-digest sends no Basic" "$err" \
		"Proxy-Authorization: Basic"
	check_absent "lesson 04: curl --proxy-digest sends no credentials at all" "$err" \
		"> Proxy-Authorization:"
	check_contains "lesson 04: ... and ends with the 407" "$err" "code=407"
fi
# the same client, offered Digest too, answers it: the refusal above is
# about Basic, not a broken client
start PROXY2 "$BIN/proxy" --listen 127.0.0.1:0 --auth digest,basic || exit 1
code=$("$BIN/client" -s -o /dev/null -w '%{http_code}' --proxy-digest \
	-x "http://127.0.0.1:$PROXY2_PORT" -U alice:wonderland "$URL" 2>/dev/null)
check "lesson 04: bin/client --proxy-digest, Digest offered too -> 200" "$code" 200

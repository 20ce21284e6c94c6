#!/usr/bin/env bash
# curl and Digest qop=auth-int with a request body (lesson 04): curl puts
# H("") in A2 whatever body it sends, so bin/proxy answers 407 and
# bin/origin 401, "response does not match"; without a body the same
# set-up gives 200.  The response curl sent is recomputed both ways
# here, and the REPL's curl line says so next to the command.
source "$(dirname "$0")/lib.sh"

need curl "curl auth-int" || exit 0
need python3 "curl auth-int" || exit 0

# recompute ALG USER:REALM:PASS METHOD BODY HEADER_VALUE: "empty" when
# the response is the one for H(""), "body" for H(BODY), else "neither".
recompute() {
	python3 - "$@" <<'PY'
import hashlib, re, sys
alg, creds, method, body, value = sys.argv[1:6]
h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[alg]
H = lambda s: h(s.encode()).hexdigest()
f = dict(re.findall(r'(\w+)="?([^",]*)"?', value))
ha1 = H(creds)
def resp(b):
    a2 = H("%s:%s:%s" % (method, f["uri"], H(b)))
    return H(":".join([ha1, f["nonce"], f["nc"], f["cnonce"], "auth-int", a2]))
print("empty" if f["response"] == resp("") else
      "body" if f["response"] == resp(body) else "neither")
PY
}

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
for alg in SHA-256 MD5; do
	start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
		--digest-algorithms "$alg" --qop auth-int -v || exit 1
	for body in hello "name=value&x=$(head -c 300 /dev/zero | tr '\0' y)"; do
		n=${#body}
		out=$(timeout 20 curl -sv --proxy-digest -U alice:wonderland \
			-x "http://127.0.0.1:$PROXY_PORT" --data-raw "$body" \
			"http://127.0.0.1:$ORIGIN_PORT/" 2>&1)
		code=$(printf '%s\n' "$out" | tr -d '\r' |
			sed -n 's/^< HTTP\/1\.1 \([0-9]*\).*/\1/p' | tail -n 1)
		check "curl auth-int [$alg, $n-byte body]: 407" "$code" 407
		value=$(printf '%s\n' "$out" | tr -d '\r' |
			sed -n 's/^> Proxy-Authorization: Digest //p' | tail -n 1)
		check "curl auth-int [$alg, $n-byte body]: its response is for H(\"\")" \
			"$(recompute "$alg" "alice:lab407 proxy:wonderland" POST "$body" "$value")" \
			empty
	done
	why="bad credentials for alice with Digest: Digest response does not match"
	for i in $(seq 1 40); do # the log may lag the answer: 2 s at most
		grep -qF -- "$why" "$TMP/PROXY.err" "$TMP/PROXY.out" && break
		sleep 0.05
	done
	check_contains "curl auth-int [$alg]: the why-line says the response did not match" \
		"$(cat "$TMP/PROXY.err" "$TMP/PROXY.out")" "$why"
	# the control: the same set-up, no body, passes
	code=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' --proxy-digest \
		-U alice:wonderland -x "http://127.0.0.1:$PROXY_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/")
	check "curl auth-int [$alg, no body]: 200" "$code" 200
	kill "$PROXY_PID"
done
kill "$ORIGIN_PID"

# bin/origin, the same guard: 401
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 --auth digest --qop auth-int ||
	exit 1
code=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' --digest \
	-u alice:wonderland --data-raw hello \
	"http://127.0.0.1:$ORIGIN_PORT/private")
check "curl auth-int at the origin, with a body: 401" "$code" 401
code=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' --digest \
	-u alice:wonderland "http://127.0.0.1:$ORIGIN_PORT/private")
check "curl auth-int at the origin, no body: 200" "$code" 200

# The REPL's curl line carries the note for such a set-up, and not
# otherwise.
note="curl cannot answer qop=auth-int for a request with a body"
for side in proxy origin; do
	cat >"$TMP/int.lab" <<LAB
scheme $side digest
qop $side auth-int
request POST /private "name=value"
curl
LAB
	out=$(timeout 20 "$BIN/repl" --check "$TMP/int.lab" 2>&1)
	check_contains "repl curl, auth-int at the $side with a body: the note" \
		"$out" "$note"
	check_contains "repl curl, auth-int at the $side: the note names the $side" \
		"$out" "so the $side answers"
done
cat >"$TMP/auth.lab" <<LAB
scheme proxy digest
qop proxy auth,auth-int
request POST /private "name=value"
curl
scheme proxy digest
qop proxy auth-int
get /private
curl
LAB
out=$(timeout 20 "$BIN/repl" --check "$TMP/auth.lab" 2>&1)
check_contains "repl curl, no note: the curl lines were printed" "$out" "curl -v"
check_absent "repl curl, auth offered too or no body: no note" "$out" "$note"

#!/usr/bin/env bash
# tests/integration/lab_up.sh - make lab-up / make lab-down, and the
# REPL's `curl` lines run as they stand against those daemons: the make
# line it prints starts them, the curl line it prints gets the answer the
# REPL's own exchange got.  Ports: free ones picked here and passed as
# LAB_PROXY_PORT / LAB_ORIGIN_PORT (the documented way when 4070/4080
# are taken), so parallel test runs do not collide.
. "$(dirname "$0")/lib.sh"

need curl "lab-up and the REPL's curl line" || exit 0
REPL=$BIN/repl
BUILD=${LAB407_BUILD:-build}
export HOME=$TMP
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
export LAB_PROXY_PORT LAB_ORIGIN_PORT
LAB_PROXY_PORT=$(free_port)
LAB_ORIGIN_PORT=$(free_port)
# -o all: use the binaries this test run built (a sanitizer build, say);
# never rebuild them here with other flags
MAKE_OVR=(-o all BIN="$BIN" B="$BUILD")
down() { make --no-print-directory "${MAKE_OVR[@]}" lab-down >/dev/null 2>&1; }
trap 'down; cleanup' EXIT

# ---- lab-up / lab-down themselves ----
out=$(make --no-print-directory "${MAKE_OVR[@]}" lab-up 2>&1)
check_contains "lab-up says where" "$out" "proxy http://127.0.0.1:$LAB_PROXY_PORT"
for f in proxy.pid origin.pid proxy.log origin.log; do
	[ -s "$BUILD/lab/$f" ] && ok "lab-up writes build/lab/$f" ||
		fail "lab-up writes build/lab/$f" "missing or empty"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$LAB_PROXY_PORT" \
	"http://127.0.0.1:$LAB_ORIGIN_PORT/")
check "lab-up: the proxy answers 407 by itself" "$code" 407
# a second lab-up restarts with the new settings
out=$(make --no-print-directory "${MAKE_OVR[@]}" lab-up LAB_PROXY_AUTH=digest 2>&1)
check_contains "lab-up again: new settings" "$out" "(--auth digest)"
hdr=$(curl -s -D - -o /dev/null -x "http://127.0.0.1:$LAB_PROXY_PORT" "http://127.0.0.1:$LAB_ORIGIN_PORT/")
check_contains "lab-up again: the proxy offers Digest" "$hdr" "Proxy-Authenticate: Digest"
# a taken port: a clear message saying what to do
out=$(LAB_ORIGIN_PORT=$LAB_PROXY_PORT make --no-print-directory "${MAKE_OVR[@]}" lab-up 2>&1)
check "lab-up on a taken port fails" "$?" 2
check_contains "lab-up on a taken port says what to do" "$out" "pick others: make lab-up LAB_PROXY_PORT="
out=$(make --no-print-directory "${MAKE_OVR[@]}" lab-down 2>&1)
check_contains "lab-down" "$out" "lab down"
[ ! -e "$BUILD/lab/proxy.pid" ] && ok "lab-down removes the pid files" ||
	fail "lab-down removes the pid files" "proxy.pid is still there"

# ---- the REPL's curl lines, run as printed ----
while IFS='|' read -r name setup want; do
	# (the lab certificate's path names build/; this run's is $BUILD)
	printed=$(printf '%b\ncurl\n' "$setup" | "$REPL" 2>/dev/null | sed -n '/^# in a shell/,$p' |
		sed "s#build/lab-cert/#$BUILD/lab-cert/#g")
	mk=$(printf '%s\n' "$printed" | grep '^make lab-up')
	cl=$(printf '%s\n' "$printed" | grep '^curl ')
	if [ -z "$mk" ] || [ -z "$cl" ]; then
		fail "curl line, $name" "nothing printed: $printed"
		continue
	fi
	# every make line, in order (make lab-cert before a TLS lab-up)
	while IFS= read -r m; do
		eval "$m ${MAKE_OVR[*]}" >/dev/null 2>&1 || { fail "curl line, $name" "failed: $m"; continue 2; }
	done < <(printf '%s\n' "$printed" | grep '^make ')
	got=$(eval "$cl -s -o /dev/null -w '%{http_code}'" 2>/dev/null)
	check "curl line runs as printed: $name ($mk)" "$got" "$want"
done <<'CASES'
default lab, GET /private|get /private|200
Digest SHA-256 proxy|scheme proxy digest\nalgorithm proxy SHA-256\nget /private|200
Digest at both, qop auth-int at the origin|scheme proxy digest\nscheme origin digest\nqop origin auth-int\nget /private|200
bob on /admin|user origin bob:builder\nget /admin|403
a wrong proxy password|user proxy alice:wrong\nget /|407
a POST with a body|request POST /private "a=1"|200
TLS to the proxy|tls proxy on\nget /private|200
TLS to the proxy, Digest there|tls proxy on\nscheme proxy digest\nget /private|200
TLS to the proxy, a wrong proxy password|tls proxy on\nuser proxy alice:wrong\nget /|407
CASES
out=$(make --no-print-directory "${MAKE_OVR[@]}" lab-up \
	LAB_PROXY_ARGS="--tls-cert $BUILD/lab-cert/cert.pem --tls-key $BUILD/lab-cert/key.pem" 2>&1)
check_contains "lab-up with --tls-cert says https://" "$out" "proxy https://127.0.0.1:$LAB_PROXY_PORT"
down
# the TLS lines name TLS: https:// to the proxy and the lab certificate
printed=$(printf 'tls proxy on\ncurl\ntls proxy off\ncurl\n' | "$REPL" 2>/dev/null)
check_contains "tls proxy on: curl goes to https://" "$printed" "--proxy https://127.0.0.1:"
check_contains "tls proxy on: curl trusts the lab certificate" "$printed" "--proxy-cacert build/lab-cert/cert.pem"
check_contains "tls proxy on: lab-up gets the certificate" "$printed" "LAB_PROXY_ARGS='--tls-cert build/lab-cert/cert.pem --tls-key build/lab-cert/key.pem'"
check "tls proxy off: plain http:// again" \
	"$(printf '%s\n' "$printed" | grep '^curl ' | tail -n 1 | grep -c -- '--proxy http://127.0.0.1:')" 1
down

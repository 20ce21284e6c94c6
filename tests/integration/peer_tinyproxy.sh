#!/usr/bin/env bash
# tests/integration/peer_tinyproxy.sh - bin/client through a real tinyproxy.
#
# tinyproxy is started here on a free loopback port with its own
# configuration in $TMP (no system service) and `BasicAuth alice
# wonderland`; bin/origin stands behind it.  The client's -v transcript
# must have the same shape as through bin/proxy: a 407, a retry carrying
# Proxy-Authorization, then a 200 (RFC 9110 §11.7.1, §15.5.8).
#
# tinyproxy's 407 is "HTTP/1.0 ... Connection: close", so unlike Squid and
# bin/proxy the retry must go on a new connection (RFC 9112 §9.6).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TINYPROXY=
for t in /usr/bin/tinyproxy /usr/sbin/tinyproxy; do
	[ -x "$t" ] && TINYPROXY=$t && break
done
if [ -z "$TINYPROXY" ]; then
	skip "tinyproxy peer" "tinyproxy is not installed"
	exit 0
fi
# Tenths of a second to wait for tinyproxy to accept connections / to exit.
START_WAIT=100
STOP_WAIT=50

# ---- Helpers ----

# shape TEXT: the skeleton of a client -v transcript, one item a line:
# the status code of each response received and the scheme of each
# Proxy-Authorization sent.  The HTTP version is left out: tinyproxy
# writes its own 407 as HTTP/1.0.
shape() {
	printf '%s\n' "$1" | tr -d '\r' | sed -n \
		-e 's/^< HTTP\/1\.[01] \([0-9][0-9][0-9]\).*/< \1/p' \
		-e 's/^> \(Proxy-Authorization: [A-Za-z]*\).*/> \1/p' |
		tr '\n' ';'
}

# stop_peer PID: SIGTERM, wait up to STOP_WAIT tenths of a second, then
# SIGKILL; reaps the job.
stop_peer() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 "$STOP_WAIT"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

TP_PID=
finish() {
	[ -n "$TP_PID" ] && stop_peer "$TP_PID"
	cleanup
}
trap finish EXIT

# ---- The peer ----

# tinyproxy started as root binds, then drops to User/Group: that user
# must read the config and write the log and pid file.
chmod 755 "$TMP"
DIR=$TMP/tinyproxy
mkdir -p "$DIR"
chmod 755 "$DIR"
USERLINES=
if [ "$(id -u)" = 0 ]; then
	GROUP=nogroup
	getent group nogroup >/dev/null 2>&1 || GROUP=$(id -gn nobody)
	chown nobody "$DIR"
	USERLINES="User nobody
Group $GROUP"
fi
TP_PORT=$(free_port)
cat >"$DIR/tinyproxy.conf" <<EOF
$USERLINES
Port $TP_PORT
Listen 127.0.0.1
Timeout 30
LogFile "$DIR/tinyproxy.log"
LogLevel Info
PidFile "$DIR/tinyproxy.pid"
MaxClients 20
Allow 127.0.0.1
BasicAuth alice wonderland
ViaProxyName "lab407-tinyproxy"
EOF
chmod 644 "$DIR/tinyproxy.conf"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start BPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
URL="http://127.0.0.1:$ORIGIN_PORT/"
# bin/client has no --max-time; a hung exchange must not hang the test.
C=(timeout 15 "$BIN/client")

# -d: stay in the foreground, so the job's pid is tinyproxy's.
"$TINYPROXY" -d -c "$DIR/tinyproxy.conf" >"$DIR/out" 2>"$DIR/err" &
TP_PID=$!
PIDS+=("$TP_PID")
up=no
for _ in $(seq 1 "$START_WAIT"); do
	kill -0 "$TP_PID" 2>/dev/null || break
	if (exec 3<>"/dev/tcp/127.0.0.1/$TP_PORT") 2>/dev/null; then up=yes; break; fi
	sleep 0.1
done
if [ "$up" != yes ]; then
	fail "tinyproxy starts" "$(tail -n 5 "$DIR/err" "$DIR/tinyproxy.log" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
P="http://127.0.0.1:$TP_PORT"

# ---- bin/client through tinyproxy ----

code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" "$URL")
check "tinyproxy: client without -U gets 407" "$code" 407
head=$("${C[@]}" -s -i -x "$P" "$URL" | tr -d '\r')
check_contains "tinyproxy: the 407 carries Proxy-Authenticate Basic" \
	"$head" 'Proxy-Authenticate: Basic realm="Tinyproxy"'

v=$("${C[@]}" -v -x "$P" -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
check_contains "tinyproxy: client -v sees the 407 first (tinyproxy says HTTP/1.0)" \
	"$v" "< HTTP/1.0 407"
check_contains "tinyproxy: client -v retries with Proxy-Authorization" "$v" \
	"> Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
check_contains "tinyproxy: client -v then gets the origin's 200" "$v" "< HTTP/1.1 200"
check "tinyproxy: transcript shape is 407, retry, 200" "$(shape "$v")" \
	"< 407;> Proxy-Authorization: Basic;< 200;"
ref=$("${C[@]}" -v -o /dev/null -x "http://127.0.0.1:$BPROXY_PORT" \
	-U alice:wonderland "$URL" 2>&1)
check "tinyproxy: same transcript shape as through bin/proxy" \
	"$(shape "$v")" "$(shape "$ref")"
check "tinyproxy: after 'Connection: close' the retry reconnects" \
	"$(grep -c '^\* Connected to ' <<<"$v")" 2
check_contains "tinyproxy: tinyproxy really was in the path" "$v" "Via: 1.1 lab407-tinyproxy"
check_no_header "tinyproxy: origin sees no Proxy-Authorization" \
	"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"

# refused NAME USER:PASS: tinyproxy turns the credentials down.  Up to
# 1.11.x it answers wrong credentials with "401 Unauthorized" and
# WWW-Authenticate (its issue #532, fixed after 1.11.1 to send 407, as
# RFC 9110 §15.5.8 wants); either is a refusal, a 200 is not.
refused() {
	local code
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" -U "$2" "$URL")
	case "$code" in
	407) ok "$1" ;;
	401) ok "$1 (tinyproxy's 401 instead of 407)" ;;
	*) fail "$1" "got '$code', want 407 (or tinyproxy's 401)" ;;
	esac
}
refused "tinyproxy: a wrong password is refused" alice:wrong
refused "tinyproxy: a user it does not know is refused" bob:builder
v=$("${C[@]}" -v -o /dev/null -x "$P" -U alice:wrong "$URL" 2>&1 | tr -d '\r')
check "tinyproxy: a wrong password gets one retry, no loop" \
	"$(grep -c '^> Proxy-Authorization: ' <<<"$v")" 1
"${C[@]}" -s -f -o /dev/null -x "$P" "$URL" 2>/dev/null
check "tinyproxy: client -f on its 407 exits 22" "$?" 22

if need curl "tinyproxy: curl sanity"; then
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" -U alice:wonderland "$URL")
	check "tinyproxy: curl -U gets 200" "$code" 200
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" "$URL")
	check "tinyproxy: curl without -U gets 407" "$code" 407
fi

# ---- Stopping ----

stop_peer "$TP_PID"
alive=no
kill -0 "$TP_PID" 2>/dev/null && alive=yes
check "tinyproxy: stopped" "$alive" no
TP_PID=

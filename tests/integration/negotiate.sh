#!/usr/bin/env bash
# tests/integration/negotiate.sh - Negotiate (RFC 4559) with Kerberos
# through bin/proxy and through Squid, against a private KDC.
#
# tests/kdc/kdc.sh starts a throw-away realm LAB407.TEST on a free
# loopback port, in this test's own directory: its own krb5.conf and
# kdc.conf (KRB5_CONFIG, KRB5_KDC_PROFILE), database, keytab and
# credential cache; no system file or service is touched, and the KDC is
# stopped at the end.  The proxy's service principal is HTTP/localhost,
# so clients must reach the proxy as "localhost": a ticket names the host.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source tests/kdc/kdc.sh

if [ "${LAB407_QUICK:-0}" = 1 ]; then
	skip "kdc" "expensive, runs once in the make test pass"
	exit 0
fi
if missing=$(kdc_missing); then
	skip "kdc" "$missing is not installed"
	exit 0
fi

SQUID=/usr/sbin/squid
KRB_HELPER=/usr/lib/squid/negotiate_kerberos_auth
SQUID_PID=
finish() {
	if [ -n "$SQUID_PID" ]; then
		kill -TERM "$SQUID_PID" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$SQUID_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SQUID_PID" 2>/dev/null
		wait "$SQUID_PID" 2>/dev/null
	fi
	kdc_stop
	cleanup
}
trap finish EXIT

chmod 755 "$TMP"
if ! kdc_start "$TMP/kdc"; then
	fail "kdc: the private KDC starts" \
		"$(tail -n 3 "$TMP/kdc/kdb5_util.out" "$TMP/kdc/kadmin.out" "$TMP/kdc/krb5kdc.out" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
ok "kdc: the private KDC starts on 127.0.0.1:$KDC_PORT"
case "$KRB5_CONFIG" in "$TMP"/*) ok "kdc: KRB5_CONFIG is the test's own" ;;
*) fail "kdc: KRB5_CONFIG is the test's own" "$KRB5_CONFIG" ;; esac

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate \
	--keytab "$TMP/kdc/http.keytab" -v || exit 1
start MULTI "$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate,ntlm,basic \
	--keytab "$TMP/kdc/http.keytab" || exit 1
P="http://localhost:$PROXY_PORT"
URL="http://127.0.0.1:$ORIGIN_PORT/"
C=(timeout 15 "$BIN/client")

# ---- Start-up ----

out=$(timeout 5 "$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate 2>&1)
check "negotiate: --auth negotiate without --keytab exits 1" "$?" 1
check_contains "negotiate: and says why" "$out" "needs --keytab"
: >"$TMP/empty.keytab"
out=$(timeout 5 "$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate --keytab "$TMP/empty.keytab" 2>&1)
check "negotiate: an empty keytab exits 1" "$?" 1

# ---- No ticket yet ----

if need curl "negotiate: curl"; then
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
	check "negotiate: curl without a ticket gets 407" "$code" 407
fi
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
check "negotiate: client without a ticket gets 407" "$code" 407

# ---- With alice's ticket ----

if kdc_kinit alice wonderland; then ok "negotiate: kinit alice"; else
	fail "negotiate: kinit alice" "$(tail -n 3 "$TMP/kdc/kdc.log")"; fi

if need curl "negotiate: curl"; then
	v=$(curl -s -m 10 -v -o /dev/null -w '%{http_code}\n' --proxy-negotiate -U : \
		-x "$P" "$URL" 2>&1 | tr -d '\r')
	check "negotiate: curl --proxy-negotiate -U : gets 200" "$(tail -n 1 <<<"$v")" 200
	check_contains "negotiate: curl sent a Negotiate token" "$v" "> Proxy-Authorization: Negotiate YII"
	# lesson 12: with a ticket, curl sends the token in its first request
	check_absent "negotiate: curl sends the token at once (no 407 first)" "$v" "< HTTP/1.1 407"
	check_contains "negotiate: the 200 carries the mutual-authentication token" \
		"$v" "< Proxy-Authenticate: Negotiate "
	grep -q "alice authenticated (Negotiate" "$TMP/PROXY.out" &&
		ok "negotiate: the proxy logged alice" ||
		fail "negotiate: the proxy logged alice" "$(tail -n 2 "$TMP/PROXY.out")"
	# The wrong host name: a ticket for HTTP/127.0.0.1 does not exist.
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-negotiate -U : \
		-x "http://127.0.0.1:$PROXY_PORT" "$URL")
	check "negotiate: curl to the proxy as 127.0.0.1 (wrong host name) gets 407" "$code" 407
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --proxy-negotiate -U : \
		-x "http://localhost:$MULTI_PORT" "$URL")
	check "negotiate: curl picks Negotiate among negotiate,ntlm,basic" "$code" 200
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "http://localhost:$PROXY_PORT" \
		-H 'Proxy-Authorization: Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg' "$URL")
	check "negotiate: a forged token gets 407" "$code" 407
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "http://localhost:$PROXY_PORT" \
		-H 'Proxy-Authorization: Negotiate %%%' "$URL")
	check "negotiate: a token that is not base64 gets 400" "$code" 400
fi

v=$("${C[@]}" -v -o /dev/null --proxy-negotiate -U : -x "$P" "$URL" 2>&1 | tr -d '\r')
check "negotiate: client --proxy-negotiate gets 200" \
	"$(sed -n 's/^< HTTP\/1\.[01] \([0-9]*\).*/\1/p' <<<"$v" | tail -n 1)" 200
check_contains "negotiate: client -v: a token for HTTP@localhost" "$v" "a token for HTTP@localhost"
check_contains "negotiate: client verified the proxy (mutual authentication)" "$v" \
	"mutual authentication verified"
check_no_header "negotiate: origin sees no Proxy-Authorization" \
	"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : \
	-x "http://127.0.0.1:$PROXY_PORT" "$URL")
check "negotiate: client to the proxy as 127.0.0.1 (wrong host name) gets 407" "$code" 407

# ---- A wrong clock (lesson 12) ----
# faketime moves the client's clock ten minutes ahead; MIT's default
# clockskew is 300 seconds.  The service ticket for HTTP/localhost is in
# the cache now, so the client builds its AP-REQ without the KDC and the
# proxy refuses it; without that ticket the KDC refuses the TGS request
# and no token is sent; a kinit made with the wrong clock records the
# offset from the KDC's time in the cache (kdc_timesync), and all works.
if need faketime "negotiate: a wrong clock"; then
	FT=(faketime -f +10m)
	code=$("${FT[@]}" "${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
	check "negotiate: clock 10 min ahead, service ticket cached: 407" "$code" 407
	check_contains "negotiate: the proxy's log has GSS-API's reason" \
		"$(tail -n 20 "$TMP/PROXY.out")" "Clock skew too great"
	KRB5CCNAME=FILE:$TMP/cc-tgt-only kdc_kinit alice wonderland
	v=$(KRB5CCNAME=FILE:$TMP/cc-tgt-only "${FT[@]}" "${C[@]}" -v -o /dev/null \
		--proxy-negotiate -U : -x "$P" "$URL" 2>&1)
	check_contains "negotiate: clock ahead, no service ticket: the KDC refuses, no token" \
		"$v" "no token for HTTP@localhost"
	check_contains "negotiate: and the client's note says why" "$v" "Clock skew too great"
	printf 'wonderland\n' | KRB5CCNAME=FILE:$TMP/cc-skewed "${FT[@]}" \
		/usr/bin/kinit "alice@$KDC_REALM" >/dev/null 2>&1
	code=$(KRB5CCNAME=FILE:$TMP/cc-skewed "${FT[@]}" "${C[@]}" -s -o /dev/null \
		-w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
	check "negotiate: kinit with the clock already wrong: the offset is kept, 200" "$code" 200
fi

# mallory has a ticket too: authenticated, and the ACL says 403.
if kdc_kinit mallory letmein; then
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
	check "negotiate: mallory's ticket works, the ACL gives 403" "$code" 403
fi
/usr/bin/kdestroy >/dev/null 2>&1
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "$P" "$URL")
check "negotiate: after kdestroy, 407 again" "$code" 407

# ---- The REPL with its own realm (`kdc start`, lesson 12) ----

# The REPL starts the lab's KDC (mk/lab-kdc.sh --kdc-only, in
# build/lab-kdc), answers Negotiate with alice's ticket, and stops the
# KDC when it exits.
cat >"$TMP/kdc.lab" <<'LAB'
kdc start
scheme proxy negotiate
get /
expect 200
expect from origin
expect seen 'Proxy-Authorization: Negotiate YII'
expect seen 'Proxy-Authenticate: Negotiate oY'
explain 3
explain 6
LAB
# LAB_KDC_DIR: the test's own directory, so a `make lab-kdc` running in
# build/lab-kdc is left alone.
out=$(env -u KRB5_CONFIG -u KRB5CCNAME -u KRB5_KTNAME -u KRB5RCACHEDIR \
	-u KRB5_KDC_PROFILE LAB_KDC_DIR="$TMP/lab-kdc" timeout 60 "$BIN/repl" \
	--check "$TMP/kdc.lab" 2>&1)
rc=$?
check "negotiate: bin/repl --check with kdc start passes" "$rc" 0
check_contains "negotiate: the REPL's explain reads the AP-REQ" "$out" \
	"a ticket for service HTTP/localhost in realm LAB407.TEST"
check_contains "negotiate: the REPL's client checked the proxy" "$out" \
	"mutual authentication verified"
# explain 6: the Proxy-Authenticate of the 200 is the last token, not a
# challenge; the challenge note is for the 407 alone.
check_contains "negotiate: explain 6 calls the 200's Proxy-Authenticate a last token" \
	"$out" "on a response that is not a 407 this asks for nothing"
check_absent "negotiate: explain 6 does not call it the proxy's challenges" \
	"$(printf '%s\n' "$out" | sed -n '/^\[6\] proxy  -> client/,$p')" \
	"the proxy's challenges"
# its own KDC, by the pid file in its own directory (not by a name, which
# another REPL on the machine may share)
kpid=$(cat "$TMP/lab-kdc/kdc.pid" 2>/dev/null)
if [ -z "$kpid" ]; then alive="no pid file in $TMP/lab-kdc"
elif kill -0 "$kpid" 2>/dev/null; then alive=yes; else alive=no; fi
check "negotiate: the REPL stopped its KDC when it exited" "$alive" no
check "negotiate: the REPL's realm was in LAB_KDC_DIR" \
	"$([ -f "$TMP/lab-kdc/krb5.conf" ] && echo yes || echo no)" yes
# What the REPL printed before `kdc start` is printed once, also when
# its output goes to a pipe (the KDC's child process must not copy it).
out=$(printf 'status 200\nkdc start\n' | env -u KRB5_CONFIG -u KRB5CCNAME \
	LAB_KDC_DIR="$TMP/lab-kdc3" timeout 60 "$BIN/repl" 2>&1)
check "negotiate: output before kdc start appears once" \
	"$(grep -c '^200 OK' <<<"$out")" 1

# A second realm is not started over one whose KDC still runs: it would
# wipe the files that KDC serves.
mkdir -p "$TMP/lab-kdc2"
(LAB_KDC_DIR="$TMP/lab-kdc2" timeout 60 bash mk/lab-kdc.sh "$BIN" --kdc-only \
	>"$TMP/lab-kdc2.out" 2>&1 &
	echo $! >"$TMP/lab-kdc2.pid")
for _ in $(seq 1 100); do
	[ -f "$TMP/lab-kdc2/ready" ] && break
	sleep 0.1
done
out=$(LAB_KDC_DIR="$TMP/lab-kdc2" timeout 30 bash mk/lab-kdc.sh "$BIN" --kdc-only 2>&1)
check "negotiate: lab-kdc refuses to start over a running realm (exit 1)" "$?" 1
check_contains "negotiate: and says what to do" "$out" "a lab KDC is already running"
check "negotiate: the running realm's files are still there" \
	"$([ -f "$TMP/lab-kdc2/krb5.conf" ] && echo yes || echo no)" yes
out=$(printf 'kdc start\n' | LAB_KDC_DIR="$TMP/lab-kdc2" timeout 60 "$BIN/repl" 2>&1)
check_contains "negotiate: the REPL's kdc start says why it cannot" "$out" \
	"the KDC did not start: lab-kdc: a lab KDC is already running"
kill -TERM "$(cat "$TMP/lab-kdc2.pid")" 2>/dev/null
for _ in $(seq 1 50); do
	kill -0 "$(cat "$TMP/lab-kdc2.pid")" 2>/dev/null || break
	sleep 0.1
done

# ---- Squid with negotiate_kerberos_auth ----

if [ ! -x "$SQUID" ] || [ ! -x "$KRB_HELPER" ]; then
	skip "negotiate: squid" "squid or $KRB_HELPER is not installed"
	exit 0
fi
kdc_kinit alice wonderland
RUN_USER=
if [ "$(id -u)" = 0 ]; then
	if id proxy >/dev/null 2>&1; then RUN_USER=proxy; else RUN_USER=nobody; fi
fi
SQ=$TMP/squid
mkdir -p "$SQ"
chmod 755 "$SQ" "$TMP/kdc"
chmod 777 "$TMP/kdc/rcache"
chmod 644 "$TMP/kdc/http.keytab" "$TMP/kdc/krb5.conf"
[ -n "$RUN_USER" ] && chown "$RUN_USER" "$SQ"
SQ_PORT=$(free_port)
cat >"$SQ/squid.conf" <<CONF
http_port 127.0.0.1:$SQ_PORT
${RUN_USER:+cache_effective_user $RUN_USER}
pid_filename $SQ/squid.pid
cache_log $SQ/cache.log
access_log stdio:$SQ/access.log squid
cache_store_log none
coredump_dir $SQ
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
pinger_enable off
dns_nameservers 127.0.0.1
udp_incoming_address 127.0.0.1
udp_outgoing_address 127.0.0.1
visible_hostname lab407-squid
auth_param negotiate program $KRB_HELPER -s HTTP/localhost@$KDC_REALM -k $TMP/kdc/http.keytab
auth_param negotiate children 2 startup=1
auth_param negotiate keep_alive on
acl auth proxy_auth REQUIRED
http_access allow auth
http_access deny all
CONF
chmod 644 "$SQ/squid.conf"
(cd "$SQ" && exec "$SQUID" -N -f "$SQ/squid.conf") >"$SQ/out" 2>"$SQ/err" &
SQUID_PID=$!
PIDS+=("$SQUID_PID")
up=no
for _ in $(seq 1 100); do
	kill -0 "$SQUID_PID" 2>/dev/null || break
	if (exec 3<>"/dev/tcp/127.0.0.1/$SQ_PORT") 2>/dev/null; then up=yes; break; fi
	sleep 0.1
done
if [ "$up" != yes ]; then
	fail "negotiate: squid starts" "$(tail -n 5 "$SQ/err" "$SQ/cache.log" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
v=$("${C[@]}" -v -o /dev/null --proxy-negotiate -U : -x "http://localhost:$SQ_PORT" "$URL" 2>&1 | tr -d '\r')
check "negotiate: client through Squid (negotiate_kerberos_auth) gets 200" \
	"$(sed -n 's/^< HTTP\/1\.[01] \([0-9]*\).*/\1/p' <<<"$v" | tail -n 1)" 200
check_contains "negotiate: Squid really was in the path" "$v" "Via: 1.1 lab407-squid"
check_contains "negotiate: the client sent Squid a Kerberos token" "$v" \
	"> Proxy-Authorization: Negotiate YII"
if grep -qE " TCP_MISS/200 [0-9]+ GET $URL alice@$KDC_REALM " "$SQ/access.log" 2>/dev/null; then
	ok "negotiate: Squid logged alice@$KDC_REALM"; else
	fail "negotiate: Squid logged alice@$KDC_REALM" "$(tail -n 2 "$SQ/access.log" 2>/dev/null | tr '\n' ' ')"; fi
/usr/bin/kdestroy >/dev/null 2>&1
code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-negotiate -U : -x "http://localhost:$SQ_PORT" "$URL")
check "negotiate: through Squid without a ticket: 407" "$code" 407

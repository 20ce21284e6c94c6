#!/usr/bin/env bash
# tests/integration/peer_squid.sh - bin/client through a real Squid.
#
# Two Squids are started here on free loopback ports, each with its own
# configuration in $TMP (no system service, no disk cache):
#   - Basic, checked by basic_ncsa_auth against a file made by Apache's
#     htpasswd (bcrypt);
#   - Digest, checked by digest_file_auth -c against a file made by Apache's
#     htdigest (user:realm:HA1).
# bin/origin stands behind both.  The client's -v transcript through Squid
# must have the same shape as through bin/proxy: a 407, a retry carrying
# Proxy-Authorization, then a 200 (RFC 9110 §11.7.1, §15.5.8).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SQUID=/usr/sbin/squid
HELPERS=/usr/lib/squid
# Tenths of a second to wait for a Squid to accept connections / to exit.
START_WAIT=100
STOP_WAIT=50

if [ ! -x "$SQUID" ]; then
	skip "squid peer" "$SQUID is not installed"
	exit 0
fi
need htpasswd "squid basic_ncsa_auth" || exit 0
need htdigest "squid digest_file_auth" || exit 0

# ---- Helpers ----

# shape TEXT: the skeleton of a client -v transcript, one item a line:
# each status line received and the scheme of each Proxy-Authorization
# sent.  Everything that differs between proxies (fields, realms,
# nonces, bodies) is left out.
shape() {
	printf '%s\n' "$1" | tr -d '\r' | sed -n \
		-e 's/^< \(HTTP\/1\.[01] [0-9][0-9][0-9]\).*/< \1/p' \
		-e 's/^> \(Proxy-Authorization: [A-Za-z]*\).*/> \1/p' |
		tr '\n' ';'
}

# stop_squid PID: SIGTERM, wait up to STOP_WAIT tenths of a second, then
# SIGKILL; reaps the job.
stop_squid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 "$STOP_WAIT"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

SQUID_PIDS=()
finish() {
	local p
	for p in "${SQUID_PIDS[@]}"; do stop_squid "$p"; done
	cleanup
}
trap finish EXIT

# Squid started as root drops to cache_effective_user (Debian: proxy);
# that user must reach the config, the user files and the helpers' input,
# and must be able to write its logs and pid file.
chmod 755 "$TMP"
RUN_USER=
if [ "$(id -u)" = 0 ]; then
	if id proxy >/dev/null 2>&1; then RUN_USER=proxy; else RUN_USER=nobody; fi
fi

# start_squid NAME AUTH_LINES: write $TMP/NAME/squid.conf and run Squid in
# the foreground (-N) as a background job; sets NAME_PORT and NAME_PID.
start_squid() {
	local name=$1 auth=$2 dir=$TMP/$1 port pid
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ -n "$RUN_USER" ] && chown "$RUN_USER" "$dir"
	port=$(free_port)
	cat >"$dir/squid.conf" <<EOF
http_port 127.0.0.1:$port
${RUN_USER:+cache_effective_user $RUN_USER}
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log squid
cache_store_log none
coredump_dir $dir
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
pinger_enable off
dns_nameservers 127.0.0.1
udp_incoming_address 127.0.0.1
udp_outgoing_address 127.0.0.1
visible_hostname lab407-squid
$auth
acl auth proxy_auth REQUIRED
http_access allow auth
http_access deny all
EOF
	chmod 644 "$dir/squid.conf"
	(cd "$dir" && exec "$SQUID" -N -f "$dir/squid.conf") >"$dir/out" 2>"$dir/err" &
	pid=$!
	PIDS+=("$pid")
	SQUID_PIDS+=("$pid")
	for _ in $(seq 1 "$START_WAIT"); do
		if ! kill -0 "$pid" 2>/dev/null; then break; fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			printf -v "${name}_PORT" '%s' "$port"
			printf -v "${name}_PID" '%s' "$pid"
			return 0
		fi
		sleep 0.1
	done
	echo "could not start squid ($name): $(tail -n 5 "$dir/err" "$dir/cache.log" 2>/dev/null)" >&2
	return 1
}

# ---- The peers ----

htpasswd -cbB -C 5 "$TMP/passwd" alice wonderland 2>/dev/null
htpasswd -bB -C 5 "$TMP/passwd" bob builder 2>/dev/null
printf 'wonderland\nwonderland\n' |
	timeout 10 htdigest -c "$TMP/htdigest" "lab407 squid" alice >/dev/null 2>&1
chmod 644 "$TMP/passwd" "$TMP/htdigest"

start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start BPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 1
start DPROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
	--digest-algorithms MD5 || exit 1
URL="http://127.0.0.1:$ORIGIN_PORT/"
# bin/client has no --max-time; a hung exchange must not hang the test.
C=(timeout 15 "$BIN/client")

# ---- Basic: basic_ncsa_auth with an htpasswd file ----

if start_squid SQB "auth_param basic program $HELPERS/basic_ncsa_auth $TMP/passwd
auth_param basic children 2 startup=1
auth_param basic realm lab407 squid
auth_param basic credentialsttl 1 minute"; then
	P="http://127.0.0.1:$SQB_PORT"

	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" "$URL")
	check "squid basic: client without -U gets 407" "$code" 407
	head=$("${C[@]}" -s -i -x "$P" "$URL" | tr -d '\r')
	check_contains "squid basic: the 407 carries Proxy-Authenticate Basic" \
		"$head" 'Proxy-Authenticate: Basic realm="lab407 squid"'

	v=$("${C[@]}" -v -x "$P" -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
	check_contains "squid basic: client -v sees the 407 first" "$v" "< HTTP/1.1 407"
	check_contains "squid basic: client -v retries with Proxy-Authorization" "$v" \
		"> Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
	check_contains "squid basic: client -v then gets the origin's 200" "$v" "< HTTP/1.1 200"
	check "squid basic: transcript shape is 407, retry, 200" "$(shape "$v")" \
		"< HTTP/1.1 407;> Proxy-Authorization: Basic;< HTTP/1.1 200;"
	ref=$("${C[@]}" -v -o /dev/null -x "http://127.0.0.1:$BPROXY_PORT" \
		-U alice:wonderland "$URL" 2>&1)
	check "squid basic: same transcript shape as through bin/proxy" \
		"$(shape "$v")" "$(shape "$ref")"
	check_contains "squid basic: Squid really was in the path" "$v" "Via: 1.1 lab407-squid"
	check_no_header "squid basic: origin sees no Proxy-Authorization" \
		"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"

	# Who answered, through a real Squid: its own 407 and its own error
	# for an unreachable origin both carry Via, and are still Squid's.
	v=$("${C[@]}" -v -o /dev/null -x "$P" "$URL" 2>&1 | tr -d '\r')
	check_contains "squid basic: Squid's own 407 carries a Via" "$v" "< Via: "
	check_contains "squid basic: client -v: the 407 is the proxy's" "$v" \
		"* Response from the proxy itself"
	# port 1 on loopback: nothing listens there (or Squid's ACL refuses
	# it); either way the answer is an error Squid writes itself.
	v=$("${C[@]}" -v -o /dev/null -x "$P" -U alice:wonderland \
		"http://127.0.0.1:1/" 2>&1 | tr -d '\r')
	check_contains "squid basic: Squid's own error has X-Squid-Error" "$v" "< X-Squid-Error: "
	check_contains "squid basic: ... and a Via" "$v" "< Via: "
	check_contains "squid basic: client -v: Squid's error is the proxy's, Via or not" "$v" \
		"* Response from the proxy itself (Server: squid"
	check_absent "squid basic: client -v: not taken for the origin's" "$v" \
		"* Response from the origin"
	body=$("${C[@]}" -s -x "$P" -U alice:wonderland "http://127.0.0.1:1/" 2>&1)
	check_contains "squid basic: the error page says Squid generated it" "$body" "Generated "
	check_contains "squid basic: ... and names it" "$body" "(squid/"

	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" -U alice:wrong "$URL")
	check "squid basic: a wrong password gets 407" "$code" 407
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" -U carol:wonderland "$URL")
	check "squid basic: an unknown user gets 407" "$code" 407
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' -x "$P" -U bob:builder "$URL")
	check "squid basic: bob (second htpasswd line) gets 200" "$code" 200

	if need curl "squid basic: curl sanity"; then
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" -U alice:wonderland "$URL")
		check "squid basic: curl -U gets 200" "$code" 200
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" "$URL")
		check "squid basic: curl without -U gets 407" "$code" 407
		# Lesson 03: credentials that cannot be read are a 407 from
		# Squid (RFC 9110 §11.4), where bin/proxy answers 400.
		for pa in 'Basic !!!!' 'Basic x' 'Basic YWxpY2U='; do
			code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" \
				-H "Proxy-Authorization: $pa" "$URL")
			check "squid basic: unreadable '$pa' gets 407" "$code" 407
			code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
				-x "http://127.0.0.1:$BPROXY_PORT" \
				-H "Proxy-Authorization: $pa" "$URL")
			check "squid basic: ... where bin/proxy says 400 ('$pa')" "$code" 400
		done
	fi

	# Squid's own access log, the format bin/proxy imitates.
	log=$(cat "$TMP/SQB/access.log" 2>/dev/null)
	check_contains "squid basic: Squid logged the 407" "$log" "TCP_DENIED/407"
	if grep -qE " TCP_MISS/200 [0-9]+ GET $URL alice HIER_DIRECT/127\.0\.0\.1 " <<<"$log"; then
		ok "squid basic: Squid logged alice's 200"; else
		fail "squid basic: Squid logged alice's 200" "$(tail -n 3 <<<"$log" | tr '\n' ' ')"; fi
else
	fail "squid basic" "squid did not start (see stderr)"
fi

# ---- Digest: digest_file_auth -c with an htdigest file ----

if [ "$(wc -l <"$TMP/htdigest" 2>/dev/null)" != 1 ]; then
	skip "squid digest" "htdigest did not read the password from stdin"
elif start_squid SQD "auth_param digest program $HELPERS/digest_file_auth -c $TMP/htdigest
auth_param digest children 2 startup=1
auth_param digest realm lab407 squid"; then
	P="http://127.0.0.1:$SQD_PORT"

	head=$("${C[@]}" -s -i -x "$P" "$URL" | tr -d '\r')
	check_contains "squid digest: the 407 carries Proxy-Authenticate Digest" \
		"$head" 'Proxy-Authenticate: Digest realm="lab407 squid"'

	v=$("${C[@]}" -v --proxy-digest -x "$P" -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
	code=$(printf '%s\n' "$v" | sed -n 's/^< HTTP\/1\.[01] \([0-9]*\).*/\1/p' | tail -n 1)
	check "squid digest: client --proxy-digest gets 200" "$code" 200
	check "squid digest: transcript shape is 407, retry, 200" "$(shape "$v")" \
		"< HTTP/1.1 407;> Proxy-Authorization: Digest;< HTTP/1.1 200;"
	ref=$("${C[@]}" -v -o /dev/null --proxy-digest -x "http://127.0.0.1:$DPROXY_PORT" \
		-U alice:wonderland "$URL" 2>&1)
	check "squid digest: same transcript shape as through bin/proxy" \
		"$(shape "$v")" "$(shape "$ref")"
	check_contains "squid digest: Squid really was in the path" "$v" "Via: 1.1 lab407-squid"
	check_no_header "squid digest: origin sees no Proxy-Authorization" \
		"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"

	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-digest -x "$P" \
		-U alice:wrong "$URL")
	check "squid digest: a wrong password gets 407" "$code" 407
	v=$("${C[@]}" -v -o /dev/null --proxy-digest -x "$P" -U alice:wrong "$URL" 2>&1 | tr -d '\r')
	check "squid digest: a wrong password gets one retry, no loop" \
		"$(grep -c '^> Proxy-Authorization: Digest ' <<<"$v")" 1
	code=$("${C[@]}" -s -o /dev/null -w '%{http_code}' --proxy-anyauth -x "$P" \
		-U alice:wonderland "$URL")
	check "squid digest: client --proxy-anyauth picks Digest and gets 200" "$code" 200

	if need curl "squid digest: curl sanity"; then
		code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$P" --proxy-digest \
			-U alice:wonderland "$URL")
		check "squid digest: curl --proxy-digest gets 200" "$code" 200
	fi
else
	fail "squid digest" "squid did not start (see stderr)"
fi

# ---- NTLM: ntlm_fake_auth (lesson 11) ----

# The fake helper accepts any well-formed AUTHENTICATE: what is tested is
# that the client's three messages share one kept-alive connection the
# way Squid needs them to.
if [ ! -x "$HELPERS/ntlm_fake_auth" ]; then
	skip "squid ntlm" "$HELPERS/ntlm_fake_auth is not installed"
elif start_squid SQN "auth_param ntlm program $HELPERS/ntlm_fake_auth
auth_param ntlm children 2 startup=1
auth_param ntlm keep_alive on"; then
	P="http://127.0.0.1:$SQN_PORT"

	head=$("${C[@]}" -s -i -x "$P" "$URL" | tr -d '\r')
	check_contains "squid ntlm: the 407 offers NTLM" "$head" "Proxy-Authenticate: NTLM"
	v=$("${C[@]}" -v --proxy-ntlm -x "$P" -U alice:wonderland "$URL" 2>&1 | tr -d '\r')
	code=$(printf '%s\n' "$v" | sed -n 's/^< HTTP\/1\.[01] \([0-9]*\).*/\1/p' | tail -n 1)
	check "squid ntlm: client --proxy-ntlm gets 200" "$code" 200
	check "squid ntlm: transcript shape is NEGOTIATE, 407, AUTHENTICATE, 200" \
		"$(shape "$v")" \
		"> Proxy-Authorization: NTLM;< HTTP/1.1 407;> Proxy-Authorization: NTLM;< HTTP/1.1 200;"
	check "squid ntlm: all three messages on one connection" \
		"$(grep -c '^\* Connected to' <<<"$v")" 1
	check_contains "squid ntlm: the client read Squid's CHALLENGE" "$v" \
		"NTLM message 2 of 3 from the proxy: CHALLENGE"
	check_contains "squid ntlm: Squid really was in the path" "$v" "Via: 1.1 lab407-squid"
	check_no_header "squid ntlm: origin sees no Proxy-Authorization" \
		"$(printf '%s\n' "$v" | grep -v '^[<>*] ')" "Proxy-Authorization"
	# The fake helper reads the names as C strings, so the UTF-16LE
	# "alice" the CHALLENGE asked for (NEGOTIATE_UNICODE wins over
	# NEGOTIATE_OEM, MS-NLMP §2.2.2.5) is logged as its first letter.
	log=$(cat "$TMP/SQN/access.log" 2>/dev/null)
	if grep -qE " TCP_MISS/200 [0-9]+ GET $URL [^ ]*a[^ ]* HIER_DIRECT" <<<"$log"; then
		ok "squid ntlm: Squid logged an authenticated 200"; else
		fail "squid ntlm: Squid logged an authenticated 200" "$(tail -n 3 <<<"$log" | tr '\n' ' ')"; fi
else
	fail "squid ntlm" "squid did not start (see stderr)"
fi

# ---- Stopping ----

for p in "${SQUID_PIDS[@]}"; do stop_squid "$p"; done
alive=no
for p in "${SQUID_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=yes; done
check "squid: every Squid stopped" "$alive" no
SQUID_PIDS=()

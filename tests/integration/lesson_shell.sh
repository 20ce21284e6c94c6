#!/usr/bin/env bash
# tests/integration/lesson_shell.sh - the shell lines of lessons 05 to 08
# run as they stand against `make lab-up`, and print what the lessons say
# they print; and the curl behaviour those lessons state, measured.
#
# Each command below is first looked up, verbatim, in its lesson (so the
# lesson and this test cannot drift apart), then run with the lab's fixed
# ports 4070/4080 replaced by free ones, passed to make as LAB_PROXY_PORT /
# LAB_ORIGIN_PORT (the documented way when 4070/4080 are taken).
. "$(dirname "$0")/lib.sh"

BUILD=${LAB407_BUILD:-build}
export HOME=$TMP
PP=$(free_port)
OP=$(free_port)
# -o all: use the binaries this test run built; never rebuild them here
MAKE_OVR=(-o all BIN="$BIN" B="$BUILD" LAB_PROXY_PORT="$PP" LAB_ORIGIN_PORT="$OP")
down() { make --no-print-directory "${MAKE_OVR[@]}" lab-down >/dev/null 2>&1; }
trap 'down; cleanup' EXIT

# in_lesson NAME FILE TEXT: TEXT occurs verbatim in lesson FILE.
in_lesson() {
	if grep -qF -- "$3" "$2"; then return 0; fi
	fail "$1" "not in $2 as written: $3"
	return 1
}
# ports TEXT: the lesson's command with the test's ports.
ports() {
	local s=${1//127.0.0.1:4070/127.0.0.1:$PP}
	printf '%s' "${s//:4080\//:$OP/}"
}
# lab_up NAME VAR=VALUE...: make lab-up with the test's ports.
lab_up() {
	local name=$1
	shift
	if ! make --no-print-directory "${MAKE_OVR[@]}" lab-up "$@" >"$TMP/up.out" 2>&1; then
		fail "$name: make lab-up" "$(tail -n 2 "$TMP/up.out")"
		return 1
	fi
}

# ---- lesson 05: the ACL decides on the address, whatever the spelling ----
L05=lessons/05-401-403-407.md
acl_line="printf 'deny host 127.0.0.1\\nallow all\\n' > build/ssrf.acl"
up_line="make lab-up LAB_PROXY_ARGS='--acl build/ssrf.acl'"
loop_line="for h in 127.0.0.1 127.1 2130706433 0x7f.0.0.1 '[::ffff:127.0.0.1]' localhost; do"
# shellcheck disable=SC2016 # the lesson's own text, $h and all
cl_line='bin/client -s -x http://127.0.0.1:4070 -U alice:wonderland "http://$h:4080/" | sed -n 2p'
if in_lesson "lesson 05: ACL line" "$L05" "$acl_line" &&
	in_lesson "lesson 05: lab-up line" "$L05" "$up_line" &&
	in_lesson "lesson 05: loop line" "$L05" "$loop_line" &&
	in_lesson "lesson 05: client line" "$L05" "$cl_line"; then
	printf 'deny host 127.0.0.1\nallow all\n' >"$TMP/ssrf.acl"
	if lab_up "lesson 05" LAB_PROXY_ARGS="--acl $TMP/ssrf.acl"; then
		cl=$(ports "$cl_line")
		cl=${cl//bin\/client/$BIN\/client}
		for h in 127.0.0.1 127.1 2130706433 0x7f.0.0.1 '[::ffff:127.0.0.1]' localhost; do
			got=$(eval "$cl" 2>&1)
			check_contains "lesson 05: $h gets the ACL's 403, on the address" "$got" \
				"(ACL: deny host 127.0.0.1 (line 1), for address 127.0.0.1)."
		done
		# the 403's last line: no challenge in this 403, not "none in any"
		got=$(h=127.1 eval "${cl% | sed -n 2p}" 2>&1)
		check_contains "lesson 05: the 403 says it asks for no other credentials" "$got" \
			"Other credentials were not asked for: this 403 carries no Proxy-Authenticate."
		check_absent "lesson 05: ... not that no 403 may carry one" "$got" "no Proxy-Authenticate in a 403"
		check_absent "docs/acl.md: not 'other credentials would not change anything'" \
			"$(tr '\n' ' ' <docs/acl.md | tr -s ' ')" "would not change anything"
		# an IPv6 literal keeps its brackets, so HOST:PORT reads one way
		got=$(h='[::ffff:127.0.0.1]' eval "$cl" 2>&1)
		check_contains "lesson 05: an IPv6 host is written in brackets" "$got" \
			"may not GET [::ffff:127.0.0.1]:$OP (ACL:"
		check_absent "lesson 05: ... not run into its port" "$got" "GET ::ffff:127.0.0.1:$OP"
		got=$(h=127.1 eval "$cl" 2>&1)
		check "lesson 05: the 403 line the lesson prints, for 127.1" "$got" \
			"proxy: alice (authenticated with Basic) may not GET 127.1:$OP (ACL: deny host 127.0.0.1 (line 1), for address 127.0.0.1)."
		check_contains "lesson 05: the lesson prints that line" \
			"$(tr '\n' ' ' <"$L05" | tr -s ' ')" \
			"may not GET 127.1:4080 (ACL: deny host 127.0.0.1 (line 1), for address 127.0.0.1)."
		if need curl "lesson 05: curl rewrites 127.1"; then
			v=$(curl -s -v -m 10 -o /dev/null -x "http://127.0.0.1:$PP" \
				-U alice:wonderland "http://127.1:$OP/" 2>&1)
			check_contains "lesson 05: curl sends 127.1 as 127.0.0.1" "$v" \
				"> GET http://127.0.0.1:$OP/ HTTP/1.1"
			check_absent "lesson 05: curl does not send 127.1" "$v" "> GET http://127.1:"
		fi
	fi
	down
fi

# ---- lesson 06: Connection and the fields it names stop at the proxy ----
L06=lessons/06-hop-by-hop.md
cl06="bin/client -x http://127.0.0.1:4070 -U alice:wonderland \\
    -H 'Connection: keep-alive, X-Trace' -H 'X-Trace: 1' -H 'X-Keep: 2' \\
    http://127.0.0.1:4080/"
if in_lesson "lesson 06: client lines" "$L06" "$cl06" && lab_up "lesson 06"; then
	cl=$(ports "$cl06")
	got=$(eval "${cl//bin\/client/$BIN/client}" 2>&1)
	check_contains "lesson 06: X-Keep arrived" "$got" "X-Keep: 2"
	check_absent "lesson 06: X-Trace did not" "$got" "X-Trace"
	check_absent "lesson 06: Connection did not" "$got" "Connection:"
	check_contains "lesson 06: the proxy's Via did" "$got" "Via: 1.1 lab407"
	check_contains "lesson 06: an access-log line in build/lab/proxy.log" \
		"$(cat "$BUILD/lab/proxy.log")" "TCP_MISS/200"
	down
fi

# ---- lesson 07: the 407 on the CONNECT, then the origin's dance inside ----
L07=lessons/07-connect-and-https.md
cl07="bin/client -v -p -x http://127.0.0.1:4070 -U alice:wonderland \\
    -u bob:builder http://127.0.0.1:4080/private"
if in_lesson "lesson 07: client lines" "$L07" "$cl07" && lab_up "lesson 07"; then
	cl=$(ports "$cl07")
	got=$(eval "${cl//bin\/client/$BIN/client}" 2>&1)
	for want in "> CONNECT 127.0.0.1:$OP HTTP/1.1" \
		"< HTTP/1.1 407 Proxy Authentication Required" \
		"* Re-using the connection" \
		"< HTTP/1.1 200 Connection established" \
		"* Tunnel established (CONNECT answered 200); the proxy now relays bytes" \
		"* Sending inside the tunnel" "< HTTP/1.1 401 Unauthorized" \
		"< HTTP/1.1 200 OK"; do
		check_contains "lesson 07: -v shows '$want'" "$got" "$want"
	done
	check_absent "lesson 07: no Via inside the tunnel" "$got" "Via:"
	# the tunnel's log line is written once the proxy sees it close
	for _ in $(seq 1 50); do
		grep -q TCP_TUNNEL/200 "$BUILD/lab/proxy.log" && break
		sleep 0.1
	done
	log=$(cat "$BUILD/lab/proxy.log")
	check_contains "lesson 07: log has the CONNECT's 407" "$log" "TCP_DENIED/407"
	check_contains "lesson 07: log has the tunnel" "$log" "TCP_TUNNEL/200"
	check_absent "lesson 07: log has nothing about /private" "$log" "/private"
	# the What-to-try rows: no -U, then mallory
	row=$(ports "bin/client -v -p -x http://127.0.0.1:4070 http://127.0.0.1:4080/")
	got=$(eval "${row//bin\/client/$BIN/client}" 2>&1)
	check "lesson 07: no -U: exit code 56" "$?" 56
	check_contains "lesson 07: no -U: the client says why" "$got" \
		"* The proxy wants authentication (407) but no proxy credentials were given (-U)"
	got=$(eval "${row//bin\/client/$BIN/client} -U mallory:letmein" 2>&1)
	check_contains "lesson 07: mallory: 403 on the CONNECT" "$got" \
		"client: (56) CONNECT tunnel failed, response 403"
	down
fi

# lesson 07: after `request CONNECT origin`, the REPL's `curl` prints a
# make line and a curl --proxytunnel line; both run as printed
if need curl "lesson 07: the REPL's curl lines for a tunnel" && [ -x "$BIN/repl" ]; then
	printed=$(printf 'request CONNECT origin\ncurl\n' |
		LAB_PROXY_PORT=$PP LAB_ORIGIN_PORT=$OP "$BIN/repl" 2>/dev/null)
	mk=$(printf '%s\n' "$printed" | grep '^make lab-up')
	cl=$(printf '%s\n' "$printed" | grep '^curl ')
	check_contains "lesson 07: curl line tunnels" "$cl" "curl -v --proxytunnel --proxy http://127.0.0.1:$PP "
	if [ -n "$mk" ] && eval "$mk ${MAKE_OVR[*]}" >/dev/null 2>&1; then
		got=$(eval "$cl -s -o /dev/null -w '%{http_code}'" 2>/dev/null)
		check "lesson 07: the printed curl line gets 200 through the tunnel" "$got" 200
		check_contains "lesson 07: ... through a tunnel" "$(cat "$BUILD/lab/proxy.log")" "CONNECT 127.0.0.1:$OP"
		down
	else
		fail "lesson 07: the printed make line runs" "$mk"
	fi
fi

# ---- lesson 08: bin/client's choice, with and without --proxy-anyauth ----
L08=lessons/08-several-challenges.md
cl08="bin/client -v -x http://127.0.0.1:4070 -U alice:wonderland http://127.0.0.1:4080/"
if in_lesson "lesson 08: lab-up line" "$L08" "make lab-up LAB_PROXY_AUTH=digest,basic" &&
	in_lesson "lesson 08: client line" "$L08" "$cl08" &&
	lab_up "lesson 08" LAB_PROXY_AUTH=digest,basic; then
	cl=$(ports "$cl08")
	cl=${cl//bin\/client/$BIN/client}
	got=$(eval "$cl" 2>&1)
	check_contains "lesson 08: bin/client answers Basic unless told" "$got" \
		"* chose Basic; offered: Digest SHA-256, Digest MD5, Basic"
	# bin/client waits for the 407; curl -U sends Basic in its first request
	first=$(printf '%s\n' "$got" | sed -n '/^> GET /,/^> $/p' | sed -n '/^> $/q;p')
	check_contains "lesson 08: bin/client's first request" "$first" "> GET http://127.0.0.1:$OP/ HTTP/1.1"
	check_absent "lesson 08: ... has no credentials" "$first" "Proxy-Authorization"
	got=$(eval "${cl/ -v / -v --proxy-anyauth }" 2>&1)
	check_contains "lesson 08: --proxy-anyauth: Digest SHA-256" "$got" \
		"* chose Digest SHA-256 over Basic; offered: Digest SHA-256, Digest MD5, Basic"
	if need curl "lesson 08: curl -U sends Basic first"; then
		v=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' \
			-x "http://127.0.0.1:$PP" -U alice:wonderland "http://127.0.0.1:$OP/" 2>&1)
		first=$(printf '%s\n' "$v" | sed -n '/^> GET /,/^> \r\{0,1\}$/p')
		check_contains "lesson 08: curl -U: Basic in its first request" "$first" \
			"> Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
		check "lesson 08: curl -U: no 407" "$(printf '%s\n' "$v" | grep -c '^< HTTP/1.1 407')" 0
		check_contains "lesson 08: curl -U: 200" "$v" "code=200"
	fi
	down
fi

# ---- lesson 08: what curl chooses (the lesson's claims, measured) ----
if need curl "lesson 08: curl's choice"; then
	URL="http://127.0.0.1:$OP"
	if lab_up "lesson 08, Bearer and Digest" LAB_PROXY_AUTH=bearer,digest \
		LAB_ORIGIN_AUTH=digest,bearer; then
		v=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --proxy-anyauth \
			-x "http://127.0.0.1:$PP" -U alice:wonderland "$URL/" 2>&1)
		check_contains "curl --proxy-anyauth, proxy offers Bearer and Digest: Digest" \
			"$v" "> Proxy-Authorization: Digest "
		check_contains "... and gets 200" "$v" "code=200"
		v=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --proxy-anyauth \
			--oauth2-bearer alice-token -x "http://127.0.0.1:$PP" \
			-U alice:wonderland "$URL/" 2>&1)
		check_contains "curl --oauth2-bearer: still Digest to the proxy" \
			"$v" "> Proxy-Authorization: Digest "
		check_absent "curl --oauth2-bearer: never Bearer to the proxy" \
			"$v" "> Proxy-Authorization: Bearer"
		check_contains "curl --oauth2-bearer: the token goes to the origin" \
			"$v" "> Authorization: Bearer alice-token"
		v=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --anyauth \
			--oauth2-bearer alice-token -u alice:wonderland "$URL/private" 2>&1)
		check_contains "curl --anyauth, origin offers Digest then Bearer: Bearer on plain HTTP" \
			"$v" "> Authorization: Bearer alice-token"
		check_contains "... and gets 200" "$v" "code=200"
		down
	fi
fi

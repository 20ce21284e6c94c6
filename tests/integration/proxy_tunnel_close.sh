#!/usr/bin/env bash
# tests/integration/proxy_tunnel_close.sh - how bin/proxy ends a CONNECT
# tunnel (RFC 9110 §9.3.6): when either side closes, what that side sent
# (a 1 MB burst too, and a TLS close_notify last) still reaches the other
# side, then both connections are closed, though the other side never
# closes (a send to it then fails); bytes queued toward the closed side
# are not waited for; the access log has one TCP_TUNNEL line a tunnel.
# The same through a TLS proxy (--tls-cert), where the client's end is
# the proxy's close_notify.  tunnel_close.py is the client and the
# origin; every wait is bounded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need python3 "tunnel close" || exit 0
PROXY_BIN=${TUNNEL_PROXY:-$BIN/proxy}

# cases LABEL: check tunnel_close.py's output in $out
cases() {
	local side other how size name l p=$1
	for side in client origin; do
		other=origin
		[ "$side" = origin ] && other=client
		for how in close shutdown; do
			for size in "" -1MB; do
				name=$side-$how$size
				l=$(line "$name")
				check_contains "$p$name: the tunnel is set up" "$l" "status='HTTP/1.1 200"
				check_contains "$p$name: the $side's last bytes${size:+ ($size)} reach the $other whole" "$l" "whole=True"
				check_contains "$p$name: the $other reads EOF after them, though it never closed" "$l" "end=closed"
				check_contains "$p$name: the proxy closes the $other's connection (not only its direction)" "$l" "gone=True"
				if [ "$how" = shutdown ]; then
					check_contains "$p$name: the $side, which only half-closed, is closed too" "$l" "closer_end=closed"
				fi
			done
		done
		l=$(line "$side-first-flood")
		check_contains "$p$side closes while the $other floods it: its last bytes arrive" "$l" "whole=True"
		check_contains "$p$side closes while the $other floods it: the $other reads EOF after them" "$l" "end=closed"
		check_contains "$p$side closes while the $other floods it: the $other's connection is closed" "$l" "gone=True"
		check_contains "$p$side closes while the $other floods it: the $side's is closed, the flood not waited for" "$l" "closer_end=closed"
	done
	check_contains "${p}tunnel_close.py ran all its cases" "$out" "TUNNELS 10"
}
# line NAME: the line of case NAME
line() { grep "^$1 " <<<"$out"; }

# logged FILE LABEL: one TCP_TUNNEL line a tunnel.  The line is written
# when a connection's memory goes: wait (bounded) for all ten.
logged() {
	local i
	for i in $(seq 1 50); do
		[ "$(grep -c TCP_TUNNEL "$1" 2>/dev/null)" -ge 10 ] && break
		sleep 0.1
	done
	sleep 0.3
	check "${2}one TCP_TUNNEL access-log line a tunnel (10 tunnels)" "$(grep -c ' TCP_TUNNEL/200 ' "$1")" 10
	check "${2}no other access-log lines" "$(grep -vc ' TCP_TUNNEL/200 ' "$1")" 0
}

OPORT=$(free_port)
start P "$PROXY_BIN" --listen 127.0.0.1:0 --auth basic --connect-ports "$OPORT" \
	--linger-timeout 1000ms --access-log "$TMP/access.log" || exit 1
out=$(timeout 120 python3 tests/integration/tunnel_close.py "$P_PORT" "$OPORT" 2>&1)
cases ""
logged "$TMP/access.log" ""

# Through a TLS proxy: "closed" on the client's side is the proxy's
# close_notify, not a bare FIN.
need openssl "tunnel close through a TLS proxy" || exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
OPORT=$(free_port)
start T "$PROXY_BIN" --listen 127.0.0.1:0 --auth basic --connect-ports "$OPORT" \
	--tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
	--linger-timeout 1000ms --access-log "$TMP/tls-access.log" || exit 1
out=$(timeout 120 python3 tests/integration/tunnel_close.py "$T_PORT" "$OPORT" tls 2>&1)
cases "TLS proxy: "
logged "$TMP/tls-access.log" "TLS proxy: "

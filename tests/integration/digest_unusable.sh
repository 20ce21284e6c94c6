#!/usr/bin/env bash
# Digest answers that are well-formed but that the server cannot use get a
# fresh challenge (RFC 9110 §11.4; 407 at a proxy, §11.7.1), not a 400;
# those that break the grammar stay 400.  The same guard serves bin/proxy
# and bin/origin: each member is sent to both, by hand with curl -H.
source "$(dirname "$0")/lib.sh"

need curl "digest unusable" || exit 0

Z32=00000000000000000000000000000000
Z64=$Z32$Z32
start ORIGIN "$BIN/origin" --listen 127.0.0.1:0 --auth digest \
	--digest-algorithms SHA-256 --qop auth -v || exit 1
start PROXY "$BIN/proxy" --listen 127.0.0.1:0 --auth digest \
	--digest-algorithms SHA-256 --qop auth -v || exit 1
ourl="http://127.0.0.1:$ORIGIN_PORT/private"

# name | params after username/realm/nonce/uri | status | why-line part
cases=$(
	cat <<CASES
MD5 not offered|response="$Z32", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"|challenge|Digest algorithm MD5 was not offered (offered: SHA-256)
no algorithm (MD5) not offered|response="$Z32", qop=auth, nc=00000001, cnonce="c"|challenge|Digest algorithm MD5 (none named) was not offered (offered: SHA-256)
unknown algorithm token|response="$Z64", algorithm=SHA-999, qop=auth, nc=00000001, cnonce="c"|challenge|Digest algorithm SHA-999 is not one this
auth-int not offered|response="$Z64", algorithm=SHA-256, qop=auth-int, nc=00000001, cnonce="c"|challenge|Digest qop auth-int was not offered (offered: auth)
unknown qop token|response="$Z64", algorithm=SHA-256, qop=auth-conf, nc=00000001, cnonce="c"|challenge|Digest qop auth-conf is not one this
no qop where offered|response="$Z64", algorithm=SHA-256|challenge|Digest field qop is missing
opaque where none was sent|response="$Z64", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c", opaque="x"|challenge|Digest opaque "x" is not the one this
userhash not offered|response="$Z64", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c", userhash=true|challenge|Digest userhash=true was not offered
a nonce never issued|response="$Z64", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c"|challenge|nonce was not issued by this
nc not 8LHEX (grammar)|response="$Z64", algorithm=SHA-256, qop=auth, nc=1, cnonce="c"|400|Digest nc must be 8 lowercase hex digits
unknown algorithm, response not hex (grammar first)|response="zz", algorithm=SHA-999, qop=auth, nc=00000001, cnonce="c"|400|Digest response must be hex digits
userhash not a boolean (grammar)|response="$Z64", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c", userhash=yes|400|Digest userhash must be true or false
CASES
)

# why NAME: wait (2 s at most) for a why-line holding $2 in NAME's log.
why_has() {
	local i
	for i in $(seq 1 40); do
		grep -qF -- "$2" "$TMP/$1.err" "$TMP/$1.out" && return 0
		sleep 0.05
	done
	return 1
}

while IFS='|' read -r name params want why; do
	for side in proxy origin; do
		if [ "$side" = proxy ]; then
			field=Proxy-Authorization realm="lab407 proxy"
			uri=$ourl chal=Proxy-Authenticate code=407 log=PROXY
			set -- -x "http://127.0.0.1:$PROXY_PORT"
		else
			field=Authorization realm="lab407 origin" uri=/private
			chal=WWW-Authenticate code=401 log=ORIGIN
			set --
		fi
		[ "$want" = challenge ] || code=$want
		value="Digest username=\"alice\", realm=\"$realm\", nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", uri=\"$uri\", $params"
		out=$(timeout 20 curl -s -i "$@" -H "$field: $value" "$ourl" |
			tr -d '\r')
		got=$(printf '%s\n' "$out" | sed -n '1s/^HTTP\/1\.1 \([0-9]*\).*/\1/p')
		check "digest unusable [$side] $name: $code" "$got" "$code"
		if [ "$want" = challenge ]; then
			check_contains "digest unusable [$side] $name: a fresh challenge" \
				"$out" "$chal: Digest realm=\"$realm\""
		else
			check_no_header "digest unusable [$side] $name: no challenge" \
				"$out" "$chal"
		fi
		if why_has "$log" "$why"; then
			ok "digest unusable [$side] $name: the why-line says so"
		else
			fail "digest unusable [$side] $name: the why-line says so" \
				"'$why' not in the -v log"
		fi
	done
done <<<"$cases"

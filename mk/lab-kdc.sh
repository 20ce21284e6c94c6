#!/usr/bin/env bash
# mk/lab-kdc.sh BIN [--kdc-only] - `make lab-kdc`: the lab's own Kerberos realm for
# lesson 12, in build/lab-kdc only ($LAB_KDC_DIR if set; tests/kdc/kdc.sh): a KDC on a free
# loopback port, alice's ticket, and bin/proxy offering Negotiate with
# the HTTP/localhost key.  It prints what to type in another shell and
# runs until Ctrl-C, which stops the proxy and the KDC.  --kdc-only (what
# the REPL's `kdc start` runs) starts the KDC and alice's ticket, writes
# build/lab-kdc/ready and waits for SIGTERM.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${1:-bin}
ONLY_KDC=no
[ "${2:-}" = --kdc-only ] && ONLY_KDC=yes
DIR=${LAB_KDC_DIR:-$PWD/build/lab-kdc}
source tests/kdc/kdc.sh
# A realm still served from $DIR (another `make lab-kdc`, or the REPL's
# `kdc start`) is not wiped from under its KDC.
old=$(cat "$DIR/kdc.pid" 2>/dev/null)
if [ -n "$old" ] && kill -0 "$old" 2>/dev/null &&
	grep -q krb5kdc "/proc/$old/cmdline" 2>/dev/null; then
	echo "lab-kdc: a lab KDC is already running from $DIR (pid $old):" \
		"use it (in the REPL: kdc, without start), or stop it first" \
		"(Ctrl-C where make lab-kdc runs; kdc stop in the REPL)" >&2
	exit 1
fi
if missing=$(kdc_missing); then
	echo "lab-kdc: $missing is not installed (make deps-test installs it)" >&2
	exit 1
fi
rm -rf "$DIR"
mkdir -p "$DIR"
if ! kdc_start "$DIR"; then
	echo "lab-kdc: the KDC did not start; see $DIR/*.out and $DIR/kdc.log" >&2
	exit 1
fi
kdc_kinit alice wonderland || echo "lab-kdc: kinit alice failed" >&2
if [ "$ONLY_KDC" = yes ]; then
	trap 'kdc_stop; rm -f "$DIR/ready"; exit 0' INT TERM
	echo "$KDC_PORT" >"$DIR/ready"
	wait "$KDC_PID"
	rm -f "$DIR/ready"
	exit 0
fi
"$BIN/origin" --listen 127.0.0.1:0 >"$DIR/origin.out" 2>&1 &
OPID=$!
"$BIN/proxy" --listen 127.0.0.1:0 --auth negotiate,basic \
	--keytab "$DIR/http.keytab" -v >"$DIR/proxy.out" 2>&1 &
PPID_=$!
stop() {
	kill "$OPID" "$PPID_" 2>/dev/null
	wait "$OPID" "$PPID_" 2>/dev/null
	kdc_stop
	exit 0
}
trap stop INT TERM
for _ in $(seq 1 50); do
	grep -q '^listening on' "$DIR/proxy.out" 2>/dev/null &&
		grep -q '^listening on' "$DIR/origin.out" 2>/dev/null && break
	sleep 0.1
done
PP=$(sed -n '1s/.*://p' "$DIR/proxy.out")
OP=$(sed -n '1s/.*://p' "$DIR/origin.out")
cat <<MSG
lab-kdc: realm $KDC_REALM, KDC on 127.0.0.1:$KDC_PORT, alice has a ticket.
  proxy  localhost:$PP  (Negotiate, then Basic; service HTTP/localhost)
  origin 127.0.0.1:$OP
In another shell:
  export KRB5_CONFIG=$KRB5_CONFIG KRB5CCNAME=$KRB5CCNAME
  klist
  bin/client -v --proxy-negotiate -U : -x http://localhost:$PP http://127.0.0.1:$OP/
  curl -v --proxy-negotiate -U : -x http://localhost:$PP http://127.0.0.1:$OP/
  kinit bob           (password: builder)   kdestroy   (then 407)
The proxy's log: $DIR/proxy.out.  Ctrl-C stops everything.
MSG
wait "$KDC_PID"
stop

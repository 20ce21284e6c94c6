#!/usr/bin/env bash
# tests/integration/interop_subset.sh - the fast part of `make interop`:
# curl, wget, git and Python urllib through bin/proxy (Basic, Digest
# SHA-256, SHA-256 with Basic, a wrong password, `p@ss:w0rd%` encoded and
# not), and each cell's status, request and connection counts and "creds
# first" must equal what the full matrix recorded in docs/interop.tsv.  A
# client CI lacks is a skip, not a pass.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want=docs/interop.tsv
if [ ! -s "$want" ]; then
	fail "interop subset" "$want is missing (make interop writes it)"
	exit 0
fi
need curl "interop subset" || exit 0
out=$(LAB407_BUILD="$TMP/b" timeout 120 bash tests/interop/run.sh --subset 2>&1)
rc=$?
got="$TMP/b/interop/interop-subset.tsv"
if [ $rc -ne 0 ] || [ ! -s "$got" ]; then
	fail "interop subset" "run.sh --subset failed ($rc): $(printf '%s' "$out" | tail -3 | tr '\n' ' ')"
	exit 0
fi
n=0
while IFS=$'\t' read -r client col st reqs conns pre note; do
	n=$((n + 1))
	if [ "$st" = "not installed" ]; then
		skip "interop $client $col" "$note is not installed"
		continue
	fi
	w=$(awk -F'\t' -v c="$client" -v k="$col" '$1 == c && $2 == k { print $3 "/" $4 "/" $5 "/" $6 }' "$want")
	check "interop $client $col (status/requests/connections/creds first)" \
		"$st/$reqs/$conns/$pre" "${w:-absent from $want}"
done <"$got"
[ "$n" -ge 20 ] && ok "interop subset ran $n cells" || fail "interop subset" "only $n cells"

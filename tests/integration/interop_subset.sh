#!/usr/bin/env bash
# tests/integration/interop_subset.sh - the fast part of `make interop`:
# curl, wget, git and Python urllib through bin/proxy (Basic, Digest
# SHA-256, SHA-256 with Basic, a wrong password, `p@ss:w0rd%` encoded and
# not), and each cell's status, request and connection counts and "creds
# first" must equal what the full matrix recorded in docs/interop.tsv.  A
# client CI lacks is a skip, not a pass.  Then the claims lesson 10 makes
# from these cells (statuses, counts, and the scheme the proxy accepted)
# are checked on what was just measured.
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

# Lesson 10's claims, cell by cell: CLIENT COLUMN STATUS/REQUESTS/CREDS-FIRST.
while read -r client col want why; do
	g=$(awk -F'\t' -v c="$client" -v k="$col" '$1 == c && $2 == k { print ($3 == "not installed" ? "-" : $3 "/" $4 "/" $6) }' "$got")
	if [ "$g" = "-" ]; then
		skip "lesson 10: $why" "$client is not installed"
		continue
	fi
	check "lesson 10: $why" "$g" "$want"
done <<'CLAIMS'
curl_default sha256-http 407/1/yes Basic sent before any challenge meets a Digest-only proxy once
curl_anyauth sha256-http 200/2/no --proxy-anyauth waits for the challenge and answers Digest
curl_anyauth wrongpw-http 407/2/no a wrong password: the answered challenge comes back 407
urllib_url basic-http 200/1/yes urllib with URL credentials sends Basic first
urllib_handlers sha256-http error/1/no urllib's handlers cannot answer SHA-256 Digest
curl_default rawspecial-http error/0/- curl refuses an un-encoded '@' in the proxy URL
urllib_url rawspecial-http 200/1/yes urllib takes the same URL, splitting at the last '@'
wget special-http 200/1/yes a percent-encoded password goes through
CLAIMS

# Which scheme the proxy accepted, for the lesson's claim that clients
# waiting for the challenge prefer Digest to Basic and those sending Basic
# first stay with Basic: CLIENT COLUMN SCHEME.
while read -r client col want why; do
	g=$(awk -F'\t' -v c="$client" -v k="$col" '$1 == c && $2 == k {
		if ($3 == "not installed") { print "-"; exit }
		n = split($7, part, ";"); s = "none"
		for (i = 1; i <= n; i++) if (part[i] ~ /^ *accepted /) { split(part[i], w, " "); s = w[2] }
		print s }' "$got")
	if [ "$g" = "-" ]; then
		skip "lesson 10: $why" "$client is not installed"
		continue
	fi
	check "lesson 10: $why" "$g" "$want"
done <<'SCHEMES'
curl_anyauth sha256basic-http Digest curl --proxy-anyauth picks Digest when Basic is offered too
git sha256basic-http Digest git waits for the challenge and picks Digest
curl_default sha256basic-http Basic curl -x sends Basic first and stays with it
urllib_url sha256basic-http Basic urllib with URL credentials stays with Basic
curl_default sha256-http none a Digest-only proxy accepts nothing from Basic-first curl
SCHEMES

#!/usr/bin/env bash
# tests/integration/repl_browser.sh - real browsers through bin/repl
# --listen, each step held and released by a lab script under --check:
# Debian's Chromium driven by playwright-core, Firefox ESR driven over
# WebDriver BiDi by puppeteer-core (both from npm, installed under build/).
# What lesson 13 says each does with the lab's challenge is checked here:
# the 407 then a retry with Proxy-Authorization, Digest chosen over Basic
# whatever the order offered, credentials sent unasked on the next
# request, no retry after a refused credential (with the automation's
# answer), and the SNI of an https:// page seen in the tunnel (lesson 07).
# A browser that is missing is skipped, saying why.
. "$(dirname "$0")/lib.sh"

if [ -n "${LAB407_QUICK:-}" ]; then
	skip "browsers through repl --listen" \
		"expensive, runs once in the make test pass"
	exit 0
fi
REPL=$BIN/repl
export HOME=$TMP
NPM=build/npm
need node "browsers through repl --listen" || exit 0
need npm "browsers through repl --listen" || exit 0

# npm_have PACKAGE: installed under build/npm, or installed now.
npm_have() {
	if [ ! -d "$NPM/node_modules/$1" ]; then
		mkdir -p "$NPM"
		(cd "$NPM" && timeout 300 npm install --no-audit --no-fund \
			--silent "$1" >/dev/null 2>&1)
	fi
	[ -d "$NPM/node_modules/$1" ]
}

# browse BROWSER NAME LABFILE PATH...: bin/repl --listen --check LABFILE,
# then the browser loading each PATH of the lab origin (or URL with
# @ORIGIN@ for its port) through it.  Sets OUT (the transcript), RC (the
# REPL's status), PAGE (what the driver printed), NRC (its status).
browse() {
	local browser=$1 name=$2 lab=$3 i line port origin pid
	shift 3
	# (the last run's lines must not be read as this one's: see start())
	rm -f "$TMP/$name.out" "$TMP/$name.err"
	"$REPL" --listen 127.0.0.1:0 --check "$lab" >"$TMP/$name.out" \
		2>"$TMP/$name.err" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 1 100); do
		line=$(sed -n 2p "$TMP/$name.out" 2>/dev/null)
		case "$line" in "lab origin "*) break ;; esac
		sleep 0.05
	done
	port=$(head -n 1 "$TMP/$name.out"); port=${port##*:}
	origin=${line##*:}
	local urls=() p
	for p in "$@"; do
		case "$p" in
		/*) urls+=("http://127.0.0.1:$origin$p") ;;
		*) urls+=("${p//@ORIGIN@/$origin}") ;;
		esac
	done
	PAGE=$(NODE_PATH=$NPM/node_modules timeout 120 node \
		"tests/integration/repl_$browser.js" "$port" "${urls[0]}" \
		alice wonderland "$TMP/$name.profile" "${urls[@]:1}" \
		2>"$TMP/$name.node")
	NRC=$?
	for i in $(seq 1 400); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
	OUT=$(cat "$TMP/$name.out" "$TMP/$name.err")
}

# request_block OUT TARGET-SUFFIX: the recorded client -> proxy message(s)
# whose request line ends in TARGET-SUFFIX, head and why-line.
request_block() {
	printf '%s\n' "$1" | awk -v t="$2 HTTP/1.1" '
		/^\[[0-9]+\] / { on = (index($0, "client -> proxy") > 0 &&
			substr($0, length($0) - length(t) + 1) == t) }
		on { print }'
}

# The 407 dance of one page, stepped; then a second page, which the
# browser sends with the credentials unasked.  Only the lab's pages are
# held: the browser's own background requests pass unshown.
dance_lab() { # SCHEMES
	printf 'scheme proxy %s\n' "$1"
	cat <<'LAB'
hold host 127.0.0.1
hold path /?first
await request 60
step
expect why Proxy-Authorization missing
step
expect 407
await request 30
expect 200
hold path /?second
await request 30
expect 200
LAB
}

for browser in browser firefox; do
	case $browser in
	browser)
		B=Chromium
		[ -x /usr/bin/chromium ] || { skip "$B through repl --listen" \
			"/usr/bin/chromium is not installed (apt-get install chromium)"
			continue; }
		npm_have playwright-core || { skip "$B through repl --listen" \
			"playwright-core could not be installed from npm"
			continue; } ;;
	firefox)
		B=Firefox
		[ -x /usr/bin/firefox-esr ] || { skip "$B through repl --listen" \
			"/usr/bin/firefox-esr is not installed (apt-get install firefox-esr)"
			continue; }
		npm_have puppeteer-core || { skip "$B through repl --listen" \
			"puppeteer-core could not be installed from npm"
			continue; } ;;
	esac

	# Basic offered: the page loads with the lab's credentials.
	dance_lab basic >"$TMP/dance.lab"
	browse "$browser" "$browser-basic" "$TMP/dance.lab" /?first /?second
	check "$B Basic: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
	check "$B Basic: the browser loaded the pages" "$NRC" 0
	[ "$NRC" = 0 ] || cat "$TMP/$browser-basic.node" >&2
	check "$B Basic: 200 for both pages" \
		"$(printf '%s\n' "$PAGE" | grep -c '^status 200')" 2
	check_contains "$B Basic: the 407 was stepped" "$OUT" \
		"proxy  -> client   HTTP/1.1 407"
	check_contains "$B Basic: the retry carries alice:wonderland" \
		"$(request_block "$OUT" "/?first")" \
		"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
	second=$(request_block "$OUT" "/?second")
	check_contains "$B Basic: the next page carries it unasked" \
		"$second" "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
	check "$B Basic: only the first page was challenged" \
		"$(printf '%s\n' "$OUT" | grep -c '^\[[0-9]*\] #[0-9]* proxy  -> client   HTTP/1.1 407')" 1

	# Basic offered first, then Digest (SHA-256 and MD5): the browser
	# picks Digest SHA-256 all the same, and sends it unasked next time
	# with the next nonce count.
	dance_lab basic,digest >"$TMP/digest.lab"
	browse "$browser" "$browser-digest" "$TMP/digest.lab" /?first /?second
	check "$B Digest: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
	first=$(request_block "$OUT" "/?first")
	check_contains "$B Digest: Basic offered first" "$OUT" \
		"offering Basic, Digest SHA-256, Digest MD5"
	check_contains "$B Digest: the retry answers Digest" "$first" \
		"Proxy-Authorization: Digest username=\"alice\""
	check_contains "$B Digest: with SHA-256" "$first" "algorithm=SHA-256"
	second=$(request_block "$OUT" "/?second")
	check_contains "$B Digest: the next page carries Digest unasked" \
		"$second" "Proxy-Authorization: Digest username=\"alice\""
	check_absent "$B Digest: a later nonce count" "$second" "nc=00000001"

	# break password on the browser's retry: the proxy answers 407 again,
	# and the browser (given the credentials by its driver, not asking a
	# person) does not try again within 8 s.
	cat >"$TMP/break.lab" <<'LAB'
hold host 127.0.0.1
hold path /?first
await request 60
step
step
expect 407
await request 30
break password
step
step
expect why wrong password for
await quiet 8
LAB
	browse "$browser" "$browser-break" "$TMP/break.lab" /?first
	check "$B break password: the lab script passes" "$RC" 0
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | tail -n 20 >&2
	check_contains "$B break password: alice:wonderland-wrong sent" \
		"$OUT" "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZC13cm9uZw=="
	check_absent "$B break password: the page did not load" "$PAGE" \
		"status 200"
	check "$B break password: one retry only" \
		"$(request_block "$OUT" "/?first" | grep -c '^\[')" 2

	# An https:// page through the tunnel: the proxy sees the SNI.  (The
	# lab origin does not speak TLS: the page fails, the name was seen.)
	# (the first CONNECT to localhost is awaited, however slow the
	# browser is to start; then everything is released and printed)
	printf 'hold host localhost\nawait request 60\nauto on\nawait quiet 10\n' \
		>"$TMP/tls.lab"
	browse "$browser" "$browser-tls" "$TMP/tls.lab" \
		"https://localhost:@ORIGIN@/"
	check "$B https: the lab script passes" "$RC" 0
	check_contains "$B https: CONNECT with the credentials" "$OUT" \
		"Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="
	check_contains "$B https: the tunnel opened" "$OUT" \
		"HTTP/1.1 200 Connection established"
	check_contains "$B https: the SNI it sent" "$OUT" \
		"ClientHello: SNI localhost, ALPN h2,http/1.1"
done

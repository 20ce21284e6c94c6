#!/usr/bin/env bash
# tests/integration/repl_browser.sh - a real browser (Debian's Chromium,
# driven by playwright-core from npm, installed under build/) through
# bin/repl --listen: the page loads with the lab's credentials and the
# 407 was stepped by the lab script.  Skips, saying why, without either.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
NAME="browser through repl --listen"
export HOME=$TMP
[ -x /usr/bin/chromium ] || { skip "$NAME" "/usr/bin/chromium is not installed (apt-get install chromium)"; exit 0; }
need node "$NAME" || exit 0
need npm "$NAME" || exit 0
PW=build/npm
if [ ! -d "$PW/node_modules/playwright-core" ]; then
	mkdir -p "$PW"
	(cd "$PW" && timeout 300 npm install --no-audit --no-fund --silent \
		playwright-core >/dev/null 2>&1)
fi
[ -d "$PW/node_modules/playwright-core" ] ||
	{ skip "$NAME" "playwright-core could not be installed from npm"; exit 0; }

# The browser's own background requests are not held: only the page.
cat >"$TMP/browser.lab" <<'LAB'
hold host 127.0.0.1
hold path /
await request 30
step
expect why Proxy-Authorization missing
step
expect 407
await request 30
expect 200
expect seen Proxy-Authorization: Basic
LAB
"$REPL" --listen 127.0.0.1:0 --check "$TMP/browser.lab" >"$TMP/repl.out" \
	2>"$TMP/repl.err" &
pid=$!
PIDS+=("$pid")
for i in $(seq 1 100); do
	line=$(sed -n 2p "$TMP/repl.out" 2>/dev/null)
	case "$line" in "lab origin "*) break ;; esac
	sleep 0.05
done
port=$(head -n 1 "$TMP/repl.out"); port=${port##*:}
origin=${line##*:}
page=$(NODE_PATH=$PW/node_modules timeout 90 node \
	tests/integration/repl_browser.js "$port" \
	"http://127.0.0.1:$origin/" alice wonderland "$TMP/profile" \
	2>"$TMP/node.err")
nrc=$?
for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill "$pid" 2>/dev/null
wait "$pid"
rc=$?
out=$(cat "$TMP/repl.out" "$TMP/repl.err")
check "$NAME: the lab script passes" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 20 >&2
check "$NAME: the browser loaded the page" "$nrc" 0
[ "$nrc" = 0 ] || cat "$TMP/node.err" >&2
check_contains "$NAME: 200 in the browser" "$page" "status 200"
check_contains "$NAME: the 407 was stepped" "$out" "proxy  -> client   HTTP/1.1 407"
check_contains "$NAME: the browser's retry" "$out" "Proxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA=="

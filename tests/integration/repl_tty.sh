#!/usr/bin/env bash
# tests/integration/repl_tty.sh - bin/repl in a real terminal (tmux):
# ten Enter presses walk the default exchange (407, the origin's 401,
# 200); the screen shows all four legs.  Tab completion and quit too.
. "$(dirname "$0")/lib.sh"

need tmux "repl in a terminal" || exit 0
if [ ! -x "$BIN/repl" ]; then
	fail "repl in a terminal" "$BIN/repl is not built"
	exit 0
fi
export HOME=$TMP
SOCK="$TMP/tmux.sock"
S=lab407test
T=(tmux -S "$SOCK")
stop_tmux() { "${T[@]}" kill-server 2>/dev/null; }
trap 'stop_tmux; cleanup' EXIT

"${T[@]}" new-session -d -s "$S" -x 160 -y 50 "env NO_COLOR=1 HOME=$TMP $BIN/repl"
screen() { "${T[@]}" capture-pane -p -t "$S" -S -3000 2>/dev/null; }
wait_for() {
	local i
	for i in $(seq 1 100); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
if ! wait_for "Press Enter"; then
	fail "repl starts in a terminal" "no welcome: $(screen | head -c 300)"
	exit 0
fi
ok "repl starts in a terminal"
for i in $(seq 1 10); do
	"${T[@]}" send-keys -t "$S" Enter
	wait_for "[$i] " || break
done
wait_for "done: 200" || true
out=$(screen)
check_contains "Enter steps: the 407" "$out" "407 Proxy Authentication Required"
check_contains "Enter steps: the origin's 401" "$out" "401 Unauthorized"
check_contains "Enter steps: the 200" "$out" "HTTP/1.1 200"
check_contains "leg client -> proxy" "$out" "client -> proxy"
check_contains "leg proxy -> origin" "$out" "proxy  -> origin"
check_contains "leg origin -> proxy" "$out" "origin -> proxy"
check_contains "leg proxy -> client" "$out" "proxy  -> client"
check_contains "ten presses end the exchange" "$out" "done: 200 from the origin, after 10 messages"

# tab completion: "outc<Tab>" becomes "outcomes"
"${T[@]}" send-keys -t "$S" "help outc" Tab Enter
wait_for "Runs lessons/outcomes.lab" && ok "tab completes help outc" ||
	fail "tab completes help outc" "$(screen | tail -n 5)"

"${T[@]}" send-keys -t "$S" "quit" Enter
for i in $(seq 1 40); do
	"${T[@]}" has-session -t "$S" 2>/dev/null || break
	sleep 0.05
done
if "${T[@]}" has-session -t "$S" 2>/dev/null; then
	fail "quit leaves" "still running"
else
	ok "quit leaves"
fi
[ -f "$TMP/.lab407_history" ] && ok "history saved" || fail "history saved" "no ~/.lab407_history"

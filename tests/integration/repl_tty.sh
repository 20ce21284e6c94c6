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

"${T[@]}" new-session -d -s "$S" -x 160 -y 50 "env NO_COLOR=1 HOME=$TMP PAGER='tee $TMP/paged.txt >/dev/null' $BIN/repl"
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

# lesson N at a terminal goes through $PAGER (here one that writes a file)
"${T[@]}" send-keys -t "$S" "lesson 2" Enter
for i in $(seq 1 100); do [ -s "$TMP/paged.txt" ] && break; sleep 0.05; done
check_contains "lesson 2 at a terminal goes through \$PAGER" "$(cat "$TMP/paged.txt" 2>/dev/null)" "# Lesson 02"

# predict on: the REPL asks before the response, then grades the answer
"${T[@]}" send-keys -t "$S" "predict on" Enter
wait_for "predict on: before each response" || true
"${T[@]}" send-keys -t "$S" "get /private" Enter Enter Enter
if wait_for "predict: who answers, and with which status?"; then
	ok "predict on asks before the response"
else
	fail "predict on asks before the response" "$(screen | tail -n 5)"
fi
"${T[@]}" send-keys -t "$S" "proxy 407" Enter
wait_for "prediction: proxy 407, got proxy 407: right (1 of 1 right)" &&
	ok "predict on grades the answer" ||
	fail "predict on grades the answer" "$(screen | tail -n 5)"
# a wrong one: the origin's 401 comes next, after three more steps
"${T[@]}" send-keys -t "$S" Enter Enter Enter Enter
wait_for "predict: who answers" && "${T[@]}" send-keys -t "$S" "proxy 401" Enter
wait_for "prediction: proxy 401, got origin 401: wrong (1 of 2 right)" &&
	ok "predict on counts a wrong answer" ||
	fail "predict on counts a wrong answer" "$(screen | tail -n 5)"
# Enter alone skips the question: nothing graded
"${T[@]}" send-keys -t "$S" Enter Enter Enter
sleep 0.3
"${T[@]}" send-keys -t "$S" Enter
sleep 0.3
"${T[@]}" send-keys -t "$S" Enter
wait_for "done: 200 from the origin, after 10 messages" || true
"${T[@]}" send-keys -t "$S" "predict score" Enter
wait_for "predictions: 1 of 2 right" && ok "Enter skips a question" ||
	fail "Enter skips a question" "$(screen | tail -n 5)"
"${T[@]}" send-keys -t "$S" "predict off" Enter

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

# --mystery N at a terminal: the welcome hides the set-up too
S2=lab407mystery
"${T[@]}" new-session -d -s "$S2" -x 160 -y 50 "env NO_COLOR=1 HOME=$TMP $BIN/repl --mystery 1"
for i in $(seq 1 100); do
	"${T[@]}" capture-pane -p -t "$S2" 2>/dev/null | grep -qF "Press Enter" && break
	sleep 0.05
done
out=$("${T[@]}" capture-pane -p -t "$S2" 2>/dev/null)
check_contains "--mystery: the welcome says hidden" "$out" "(hidden: mystery 1)"
check_absent "--mystery: the welcome names no scheme" "$out" "Basic, realm"
"${T[@]}" kill-session -t "$S2" 2>/dev/null

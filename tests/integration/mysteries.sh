#!/usr/bin/env bash
# tests/integration/mysteries.sh - the mystery configurations: each
# solution lab script in docs/teaching/solutions/ passes --check, and the
# same script without its `mystery N` line fails on the default lab (so
# each mystery really differs from it); the set-up stays hidden from
# `settings` and `curl`; reset keeps it; --mystery N; bad numbers.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP
if [ ! -x "$REPL" ]; then
	fail "mysteries" "$REPL is not built"
	exit 0
fi

n=0
for sol in docs/teaching/solutions/mystery-*.lab; do
	[ -e "$sol" ] || continue
	n=$((n + 1))
	name=$(basename "$sol" .lab)
	num=${name#mystery-}
	head=$(grep -m1 -v '^#' "$sol")
	check "$name starts with its mystery line" "$head" "mystery $num"
	out=$("$REPL" --check "$sol" 2>&1)
	rc=$?
	check "$name: the solution passes --check" "$rc" 0
	[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 6 >&2
	grep -v '^mystery ' "$sol" >"$TMP/$name-default.lab"
	out=$("$REPL" --check "$TMP/$name-default.lab" 2>&1)
	rc=$?
	check "$name: the default lab fails the same script" "$rc" 1
	check_contains "$name: ... at an expect line" "$out" "$name-default.lab:"
	check_contains "mysteries.md has mystery $num" "$(cat docs/teaching/mysteries.md)" "## Mystery $num"
	check_contains "mysteries.md names the solution of $num" "$(cat docs/teaching/mysteries.md)" "solutions/$name.lab"
done
[ "$n" -ge 8 ] && ok "at least 8 mysteries have solutions ($n)" || fail "at least 8 mysteries" "only $n"
listed=$(printf 'mystery\n' | "$REPL" 2>&1)
check_contains "every mystery has a solution" "$listed" "mysteries 1 to $n:"

# ---- hidden: settings and curl say so, and reveal nothing ----
for num in 1 3 5 9; do
	out=$(printf 'mystery %s\nsettings\ncurl\n' "$num" | "$REPL" 2>&1)
	check_contains "mystery $num: settings says hidden" "$out" "servers hidden: mystery $num"
	check_contains "mystery $num: curl says hidden" "$out" "hidden: mystery $num"
	check_absent "mystery $num: no schemes in settings" "$out" "Digest algorithms"
	check_absent "mystery $num: no make line" "$out" "make lab-up"
done
out=$(printf 'mystery 1\nmystery off\nsettings\n' | "$REPL" 2>&1)
check_contains "mystery off: settings shown again" "$out" "Digest algorithms"

# ---- reset keeps the mystery; --mystery N; bad numbers ----
cat >"$TMP/reset.lab" <<'LAB'
mystery 7
user proxy alice:wrong
reset
get /
expect 200
expect not-seen 407 Proxy Authentication Required
LAB
"$REPL" --check "$TMP/reset.lab" >/dev/null 2>&1
check "reset keeps the mystery" "$?" 0
out=$(printf 'user proxy alice:wrong\nget /\nrun\n' | "$REPL" --mystery 4 2>&1)
check_contains "--mystery 4 starts it" "$out" "401 from the proxy"
for bad in 0 10 x 4x -1; do
	out=$("$REPL" --mystery "$bad" </dev/null 2>&1)
	check "--mystery $bad: usage error" "$?" 2
	check_contains "--mystery $bad: says why" "$out" "--mystery wants 1 to"
	out=$(printf 'mystery %s\n' "$bad" | "$REPL" 2>&1)
	check_contains "mystery $bad: says why" "$out" "is not 1 to"
done
# `wait` is bounded and needs a number
for bad in 0 3601 soon; do
	out=$(printf 'wait %s\n' "$bad" | "$REPL" 2>&1)
	check_contains "wait $bad: clear error" "$out" "wait: want a number of seconds"
done

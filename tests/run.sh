#!/usr/bin/env bash
# tests/run.sh [--unit] - run lab407's tests and count them.
#
# Unit tests are cmocka binaries in $LAB407_BUILD/tests; their summary
# lines are counted.  Integration tests are tests/integration/*.sh; each
# prints one line per check: "ok - NAME", "not ok - NAME: why" or
# "skip - NAME: why".  A script that dies or times out counts as a failure.
# The last line is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
B=${LAB407_BUILD:-build}
export LAB407_BIN=${LAB407_BIN:-bin}
export LAB407_BUILD=$B
only_unit=0
[ "${1:-}" = --unit ] && only_unit=1

passed=0 failed=0 skipped=0
failures=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.o|*.d) continue ;; esac
	name=$(basename "$t")
	timeout 120 "$t" >"$log/$name" 2>&1
	rc=$?
	cat "$log/$name"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc"
	fi
	passed=$((passed + p)) failed=$((failed + f))
	[ "$f" -gt 0 ] && failures+=("$name")
done

if [ "$only_unit" = 0 ]; then
	for s in tests/integration/*.sh; do
		name=$(basename "$s" .sh)
		[ "$name" = lib ] && continue
		echo "== $name"
		timeout 300 bash "$s" >"$log/$name" 2>&1
		rc=$?
		cat "$log/$name"
		p=$(grep -c '^ok - ' "$log/$name")
		f=$(grep -c '^not ok - ' "$log/$name")
		k=$(grep -c '^skip - ' "$log/$name")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "not ok - $name: script exited with status $rc"
		fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
		[ "$f" -gt 0 ] && failures+=("$name")
	done
fi

[ ${#failures[@]} -gt 0 ] && echo "failed in: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# tests/fuzz/run.sh DIR SECONDS NAME... - run each libFuzzer harness
# DIR/fuzz_NAME for SECONDS on its seeds (tests/fuzz/corpus/NAME) with the
# HTTP dictionary, keeping what it finds in DIR/work/NAME.  A crash,
# timeout or leak leaves DIR/crash-NAME-* and makes the run fail.  The
# last lines are a table: harness, executions, new corpus files, result.
set -u
cd "$(dirname "$0")/../.." || exit 1
dir=$1 secs=$2
shift 2
status=0
table=()
for name in "$@"; do
	work=$dir/work/$name
	mkdir -p "$work" "tests/fuzz/corpus/$name"
	log=$dir/log-$name.txt
	echo "== fuzz $name (${secs}s)"
	"$dir/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-dict=tests/fuzz/http.dict -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$name-" \
		"$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	found=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		result=clean
	else
		result="FAILED (exit $rc, see $log)"
		grep -m3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log"
		status=1
	fi
	table+=("$(printf '%-12s %12s runs %6s corpus  %s' "$name" "${runs:-?}" "$found" "$result")")
done
printf '%s\n' "${table[@]}"
exit "$status"

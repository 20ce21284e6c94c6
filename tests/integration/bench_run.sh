#!/usr/bin/env bash
# make bench's script (tests/bench/run.sh) does what its report says, in
# a run too short for its figures to mean anything: three rounds of 1 s,
# bin/proxy and nginx, the order reversed in the second round; each
# figure in the tables is the median of the rounds (non-2xx summed), the
# "Each round" table gives the same per-round figures the run printed,
# and its "÷ nginx" row is that round's ratio.  No figure is compared
# with a speed.  About 40 s, so CI's quick passes skip it.
source "$(dirname "$0")/lib.sh"

if [ -n "${LAB407_QUICK:-}" ]; then
	skip "bench run" "expensive, runs once in the make test pass"
	exit 0
fi
need nginx "bench run" || exit 0
need wrk "bench run" || exit 0
need taskset "bench run" || exit 0
B=${LAB407_BUILD:-build}
for t in bench_parse bench_digest bench_idle bench_relay; do
	if [ ! -x "$B/bench/$t" ]; then
		fail "bench run: $t is built" "$B/bench/$t is missing"
		exit 0
	fi
done
# Its own build directory: the run rewrites build/bench/results.md, run/
# and logs/, which may hold a real run's.
mkdir -p "$TMP/build/bench"
cp "$B"/bench/bench_parse "$B"/bench/bench_digest "$B"/bench/bench_idle \
	"$B"/bench/bench_relay "$TMP/build/bench/"
chmod 755 "$TMP" "$TMP/build"

ROUNDS=3
BENCH_SECONDS=1 BENCH_ROUNDS=$ROUNDS BENCH_PEERS="proxy nginx" BENCH_FLOOR=0 \
	BENCH_CONNECTIONS=4 BENCH_BUSY_CONNECTIONS=20 BENCH_IDLE_CONNECTIONS=50 \
	LAB407_BUILD="$TMP/build" timeout 240 bash tests/bench/run.sh "$BIN" \
	>"$TMP/run.out" 2>"$TMP/run.err"
check "bench run: exits 0" "$?" 0
check "bench run: nothing on stderr" "$(head -c 300 "$TMP/run.err")" ""
out=$(cat "$TMP/run.out")
res=$TMP/build/bench/results.md
if [ ! -s "$res" ]; then
	fail "bench run: results.md written" "$(tail -n 5 "$TMP/run.out")"
	exit 0
fi
table=$(cat "$res")

check_contains "bench run: round 1 runs bin/proxy first" "$out" "== round 1 of 3: proxy nginx"
check_contains "bench run: round 2 reverses the order" "$out" "== round 2 of 3: nginx proxy"
check_contains "bench run: round 3 as round 1" "$out" "== round 3 of 3: proxy nginx"
n=0
for r in 1 2 3; do [ -s "$TMP/build/bench/logs/proxy-ka-$r.txt" ] && n=$((n + 1)); done
check "bench run: a log for each round's run" "$n" 3

# round_rps PEER WORKLOAD N: requests/s the run printed for round N.
round_rps() {
	awk -v p="$1" -v w="$2" -v r="$3/$ROUNDS" '$1 == p && $2 == w && $3 == r { print $4 }' \
		<<<"$out"
}
# round_non2xx PEER WORKLOAD N: the non-2xx count printed for round N.
round_non2xx() {
	awk -v p="$1" -v w="$2" -v r="$3/$ROUNDS" '$1 == p && $2 == w && $3 == r {
		for (i = 1; i < NF; i++) if ($i == "non-2xx") print $(i + 1) }' <<<"$out"
}
# row TABLE-HEADING WORKLOAD NAME: the cells of that row of results.md,
# "|"-separated, commas dropped.
row() {
	awk -v h="$1" -v w="$2" -v n="$3" -F ' *[|] *' '
		/^### / { on = ($0 == "### " h) }
		on && $2 == w && $3 == n { out = $0 } END { print out }' "$res" | tr -d ','
}
wl_name="keep-alive, valid Basic"
for peer in proxy nginx; do
	name=$([ "$peer" = proxy ] && echo bin/proxy || echo "nginx (auth proxy)")
	mapfile -t per < <(for r in 1 2 3; do round_rps "$peer" ka "$r"; done)
	if [ "${#per[@]}" != 3 ] || [ -z "${per[2]:-}" ]; then
		fail "bench run: $peer ran keep-alive in each round" "got '${per[*]}'"
		continue
	fi
	want=$(printf '%s\n' "${per[@]}" | sort -n | sed -n 2p)
	r=$(row "Each round" "$wl_name" "$name")
	check "bench run: $peer's rounds in the round table" \
		"$(awk -F ' *[|] *' '{ print $4, $5, $6 }' <<<"$r")" "${per[*]}"
	check "bench run: $peer's round-table median is the middle round" \
		"$(awk -F ' *[|] *' '{ print $7 }' <<<"$r")" "$want"
	main=$(awk -v w="$wl_name" -v c="$([ "$peer" = proxy ] && echo 3 || echo 4)" -F ' *[|] *' '
		/^### Requests per second/ { on = 1 } /^### CPU/ { on = 0 }
		on && $2 == w { print $c }' "$res" | tr -d ',')
	check "bench run: $peer's keep-alive requests/s is the median" "$main" "$want"
done

# The ratio row: each round's bin/proxy over that round's nginx.
ratios=$(row "Each round" "$wl_name" "bin/proxy ÷ nginx" | awk -F ' *[|] *' '{ print $4, $5, $6 }')
want=""
for r in 1 2 3; do
	want+="${want:+ }$(awk -v a="$(round_rps proxy ka "$r")" -v b="$(round_rps nginx ka "$r")" \
		'BEGIN { printf "%.2f×", a / b }')"
done
check "bench run: the ÷ nginx row divides within each round" "$ratios" "$want"

# Counts are summed: the 407 path's non-2xx over the three rounds.
sum=0
for r in 1 2 3; do sum=$((sum + $(round_non2xx proxy noauth "$r"))); done
got=$(awk -v h="**no credentials (the 407 path)**" '
	index($0, h) == 1 { on = 1; next } on && /^\| bin\/proxy \|/ { print; exit }' "$res" |
	awk -F ' *[|] *' '{ print $7 }')
if [ "$sum" -gt 0 ]; then
	check "bench run: non-2xx of the 407 path is the sum of the rounds" "$got" "$sum"
else
	fail "bench run: the 407 path was refused" "non-2xx in the rounds: $sum"
fi
check_contains "bench run: the report says how figures are taken" "$table" \
	"is the median of the rounds; non-2xx and error counts are their sums"
check_absent "bench run: no failed workload" "$table" "no result"
check_absent "bench run: no proxy died" "$table" "died"

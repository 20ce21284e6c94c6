#!/usr/bin/env bash
# tests/integration/teaching_guide.sh - docs/teaching/guide.md fits the
# lab as it is: its two plans add up to 90 and 45 minutes with no gap and
# name lessons that exist; what it says the room will see is what the
# REPL shows (message numbers, the outcomes count, the Digest guess); its
# grading loop runs as printed; it has the parts issue 12 asks of it.
. "$(dirname "$0")/lib.sh"

G=docs/teaching/guide.md
REPL=$BIN/repl
export HOME=$TMP NO_COLOR=1
if [ ! -f "$G" ]; then
	fail "teacher's guide" "$G is missing"
	exit 0
fi
flat=$(tr '\n' ' ' <"$G" | tr -s ' ')

# ---- its parts ----
for h in "## A 90-minute class" "## A 45-minute class" \
	"## What students believe, and how the lab takes it apart" \
	"## Questions to ask the room" "## Grading with \`bin/repl --check\`" \
	"## Setting up a room"; do
	check_contains "guide has '$h'" "$(cat "$G")" "$h"
done
# the seed article's own errors are among the misconceptions
check_contains "guide: Authorization vs Proxy-Authorization" "$flat" \
	"**\"After a 407 the client resends the request with \`Authorization\`.\"**"
check_contains "guide: 407's origin in RFC 2068" "$flat" "It was introduced in RFC 2068"

# ---- the plans: contiguous minutes, the right total, real lessons ----
# plan_rows HEADING: the "| A–B | part | ..." rows under HEADING
plan_rows() {
	awk -v h="$1" '/^## /{ on = ($0 == h); next } on && /^\| [0-9]+–[0-9]+ \|/' "$G"
}
for plan in "90" "45"; do
	rows=$(plan_rows "## A $plan-minute class")
	n=$(printf '%s\n' "$rows" | grep -c .)
	if [ "$n" -lt 4 ]; then
		fail "$plan-minute plan has its rows" "$n rows"
		continue
	fi
	at=0 gaps=""
	while IFS= read -r r; do
		a=$(printf '%s' "$r" | sed -E 's/^\| ([0-9]+)–([0-9]+) .*/\1/')
		b=$(printf '%s' "$r" | sed -E 's/^\| ([0-9]+)–([0-9]+) .*/\2/')
		[ "$a" = "$at" ] || gaps="$gaps $at->$a"
		[ "$b" -gt "$a" ] || gaps="$gaps $a-$b"
		at=$b
	done <<<"$rows"
	check "$plan-minute plan: no gap or overlap" "${gaps:-none}" none
	check "$plan-minute plan: ends at $plan" "$at" "$plan"
	for nn in $(printf '%s\n' "$rows" | grep -oE 'lessons? [0-9]{2}( and [0-9]{2})?' |
		grep -oE '[0-9]{2}' | sort -u); do
		if ls lessons/"$nn"-*.md >/dev/null 2>&1; then
			ok "$plan-minute plan: lesson $nn exists"
		else
			fail "$plan-minute plan: lesson $nn exists" "no lessons/$nn-*.md"
		fi
	done
done

if [ ! -x "$REPL" ]; then
	skip "guide against the REPL" "$REPL is not built"
	exit 0
fi
repl() { printf '%s\n' "$@" | "$REPL" 2>&1; }

# ---- what the plans say the room will see ----
# lesson 01 row: with no proxy auth, message 2 is origin-form with Via
out=$(repl 'scheme proxy none' 'get /' 'run' 'show 2')
check_contains "plan, lesson 01: message 2 is proxy -> origin, origin-form" "$out" \
	"[2] proxy  -> origin   GET / HTTP/1.1"
check_contains "plan, lesson 01: message 2 has Via" "$(printf '%s\n' "$out" | sed -n '/^\[2\]/,/^why/p')" "Via: 1.1 lab407"
# lesson 02 row: GET /private is ten messages
out=$(repl 'get /private' 'run')
check_contains "plan, lesson 02: the ten messages of GET /private" "$out" "after 10 messages"
# the questions: message 2 is the proxy's 407, message 5 the origin's 401,
# message 6 the proxy relaying it
check_contains "question: message 2 is the proxy's 407" "$out" \
	"[2] proxy  -> client   HTTP/1.1 407"
check_contains "question: message 5 is the origin's 401" "$out" \
	"[5] origin -> proxy    HTTP/1.1 401"
check_contains "guide asks before message 5 for the origin's 401" "$flat" \
	"Before message 5: who answers \`/private\` now"
# the outcomes count the guide states is the REPL's
n=$(repl 'outcomes' | sed -nE 's/^([0-9]+) of ([0-9]+) rows as the outcomes table says.*/\2/p')
words=(zero one two three four five six seven eight nine ten eleven twelve thirteen
	fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two)
if [ -n "$n" ] && [ "$n" -lt ${#words[@]} ]; then
	check_contains "guide: outcomes runs ${words[$n]} rows, as the REPL does" "$flat" \
		"\`outcomes\` runs all ${words[$n]} rows"
else
	fail "outcomes row count" "got '$n'"
fi
# lesson 04 row: the saved Digest exchange, guessed offline in nine guesses
if need python3 "guide: the Digest guess"; then
	repl 'scheme proxy digest' 'get /' 'run' "save $TMP/digest.md" >/dev/null
	out=$(python3 lessons/examples/digest_guess.py "$TMP/digest.md" 2>&1)
	check_contains "guide: digest_guess.py finds wonderland" "$out" "password found after 9 guesses: wonderland"
	check_contains "guide says nine guesses" "$flat" "finds \`wonderland\` in nine guesses"
fi
# before the class: the outcomes script's last line
out=$("$REPL" --check lessons/outcomes.lab 2>&1 | tail -n 1)
check "before the class: outcomes.lab's last line" "$out" "lessons/outcomes.lab: all expects passed"

# before the class: make lab-up, then make lab-down, say what the guide
# says they print (free ports, so a lab already up is left alone)
BUILD=${LAB407_BUILD:-build}
LAB_OVR=(-o all BIN="$BIN" B="$BUILD" LAB_PROXY_PORT="$(free_port)" LAB_ORIGIN_PORT="$(free_port)")
up=$(make --no-print-directory "${LAB_OVR[@]}" lab-up 2>&1)
dn=$(make --no-print-directory "${LAB_OVR[@]}" lab-down 2>&1)
check_contains "before the class: make lab-up prints 'lab up: proxy http://127.0.0.1:'" "$up" "lab up: proxy http://127.0.0.1:"
check_contains "before the class: make lab-down prints 'lab down'" "$dn" "lab down"
check_contains "guide says what make lab-up prints" "$flat" "\`lab up: proxy http://127.0.0.1:4070 ...\`, then \`lab down\`"

# ---- the grading loop, as printed, on a pass and a fail ----
loop=$(awk '/^## Grading/{ on = 1 } on && /^```sh$/{ in_ = 1; next } in_ && /^```$/{ exit } in_' "$G")
check_contains "guide: the grading loop is there" "$loop" 'for f in submissions/*.lab; do'
mkdir -p "$TMP/room/submissions"
cp docs/teaching/graded-example.lab "$TMP/room/submissions/good.lab"
printf 'get /admin\nexpect 200\nuser origin bob:builder\nget /admin\nexpect 200\n' \
	>"$TMP/room/submissions/bad.lab"
abs_bin=$(cd "$BIN" && pwd)
out=$(cd "$TMP/room" && PATH="$abs_bin:$PATH" bash -c "${loop//bin\/repl/repl}" 2>&1)
check_contains "grading loop: a pass" "$out" "submissions/good.lab: pass"
check_contains "grading loop: a fail, naming the line" "$out" \
	"submissions/bad.lab: FAIL submissions/bad.lab:5: expected 200, got 403"

# ---- the misconceptions, as the guide says the lab takes them apart ----
# "Digest is secure": a man in the middle leaves only Basic; a client that
# answers whatever is offered then sends the password (explain decodes it)
out=$(repl 'scheme proxy basic' 'get /' 'run' 'explain 3')
check_contains "guide: Basic left by a man in the middle, the password decoded" "$out" \
	"decoded: alice:wonderland"
# ... and a client told to answer only Digest will not step down
start BP "$BIN/proxy" --listen 127.0.0.1:0 --auth basic || exit 0
start BO "$BIN/origin" --listen 127.0.0.1:0 || exit 0
err=$("$BIN/client" -s -v -o /dev/null --proxy-digest -x "http://127.0.0.1:$BP_PORT" \
	-U alice:wonderland "http://127.0.0.1:$BO_PORT/" 2>&1)
check_contains "bin/client --proxy-digest against a Basic-only proxy: stops" "$err" \
	"* No usable proxy scheme: offered Basic; allowed by the options: Digest"
check_absent "bin/client --proxy-digest: never sends Basic" "$err" "> Proxy-Authorization: Basic"
if need curl "curl --proxy-digest against Basic only"; then
	err=$(curl -s -v -m 10 -o /dev/null -w 'code=%{http_code}' --proxy-digest \
		-x "http://127.0.0.1:$BP_PORT" -U alice:wonderland "http://127.0.0.1:$BO_PORT/" 2>&1)
	check_absent "curl --proxy-digest: never sends Basic" "$err" "> Proxy-Authorization: Basic"
	check_contains "curl --proxy-digest: left with the 407" "$err" "code=407"
fi
# "A proxy should say whether the user or the password was wrong": the
# two 407s are the same bytes; only the why-lines differ
a=$(repl 'break user' 'get /' 'run' 'show 4')
b=$(repl 'break password' 'get /' 'run' 'show 4')
msg() { printf '%s\n' "$1" | sed -n '/^== done/,$p' | sed -n '/^HTTP\/1.1 407/,/^why: /p' | grep -v '^why: '; }
check "unknown user and wrong password: the same 407" "$(msg "$a")" "$(msg "$b")"
check_contains "... a 407 it is" "$(msg "$a")" "HTTP/1.1 407 Proxy Authentication Required"
check_contains "... the why-line says unknown user" "$a" "unknown user -> 407"
check_contains "... the why-line says wrong password" "$b" "wrong password for \"alice\" -> 407"

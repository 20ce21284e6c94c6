#!/usr/bin/env bash
# tests/integration/lessons.sh - the lessons cannot go stale.
#
# For every lessons/NN-*.md:
#   - it has its sections and a matching lessons/NN-*.lab that it names;
#   - every line of its "## Source to read" section has the form
#       - `FILE` — `FUNCTION()`, section *BANNER*: what to look at
#     (the section part optional), FILE exists, "FUNCTION(" occurs in it,
#     and BANNER is a "/* ---- BANNER ---- */" banner in it;
#   - the source points back: a "Lesson NN" comment exists in the code;
#   - its answers are not in it but in lessons/answers/NN.md, which the
#     lesson links to, which links back, and which answers every question.
# Every lab script (lessons/*.lab, docs/seq/*.lab, docs/teaching/*.lab)
# passes bin/repl --check.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP  # the REPL's history stays in the test's dir
SRC_DIRS="http net proxy origin client repl"

# One "## Source to read" line: `FILE` — `FUNCTION()`[, section *BANNER*]: text
REF_RE='^- `([^`]+)` — `([A-Za-z_][A-Za-z0-9_]*)\(\)`(, section \*([^*]+)\*)?: .+$'

# section_lines FILE: the bullet lines of its "## Source to read" section.
section_lines() {
	awk '/^## /{ on = ($0 == "## Source to read") ; next } on && /^- /' "$1"
}

lessons=(lessons/[0-9][0-9]-*.md)
if [ ! -e "${lessons[0]}" ]; then
	fail "lessons exist" "no lessons/NN-*.md found"
	exit 0
fi

for md in "${lessons[@]}"; do
	base=${md%.md}
	name=$(basename "$base")
	nn=${name%%-*}

	# ---- the lesson's own shape ----
	if [ -f "$base.lab" ]; then ok "$name: has $base.lab"; else
		fail "$name: has $base.lab" "missing"; fi
	check_contains "$name: names its lab script" "$(cat "$md")" "$base.lab"
	for h in "## What you will learn" "## The exchange to run" \
		"## Source to read" "## What to try" "## Questions"; do
		if grep -q "^$h" "$md"; then ok "$name: section '$h'"; else
			fail "$name: section '$h'" "no heading starting with '$h'"; fi
	done

	# ---- answers apart from the questions ----
	ans=lessons/answers/$nn.md
	if grep -q "^## Answers" "$md"; then
		fail "$name: no answers in the lesson" "it has a '## Answers' section"
	else
		ok "$name: no answers in the lesson"
	fi
	check_contains "$name: links to its answers" "$(cat "$md")" "(answers/$nn.md)"
	if [ -f "$ans" ]; then
		ok "$name: has $ans"
		check_contains "$name: $ans links back" "$(cat "$ans")" "(../$name.md)"
		nq=$(awk '/^## /{ on = ($0 == "## Questions"); next } on && /^[0-9]+\. /' "$md" | wc -l)
		na=$(grep -cE '^[0-9]+\. ' "$ans")
		if [ "$nq" -gt 0 ] && [ "$nq" = "$na" ]; then
			ok "$name: $na answers for $nq questions"
		else
			fail "$name: one answer per question" "$nq questions, $na answers in $ans"
		fi
	else
		fail "$name: has $ans" "missing"
	fi

	# ---- source references ----
	refs=$(section_lines "$md")
	if [ -z "$refs" ]; then
		fail "$name: source references" "no bullet lines under '## Source to read'"
	fi
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if [[ ! $line =~ $REF_RE ]]; then
			fail "$name: reference parses" "bad line: $line"
			continue
		fi
		file=${BASH_REMATCH[1]}
		fn=${BASH_REMATCH[2]}
		banner=${BASH_REMATCH[4]}
		ok "$name: reference parses: $file $fn()"
		if [ ! -f "$file" ]; then
			fail "$name: $file exists" "no such file"
			continue
		fi
		ok "$name: $file exists"
		if grep -qF -- "$fn(" "$file"; then ok "$name: $fn( in $file"; else
			fail "$name: $fn( in $file" "not found"; fi
		if [ -n "$banner" ]; then
			if grep -qF -- "/* ---- $banner ---- */" "$file"; then
				ok "$name: banner '$banner' in $file"
			else
				fail "$name: banner '$banner' in $file" "no '/* ---- $banner ---- */' line"
			fi
			# the function is defined in that section: the last banner
			# above its definition ("type name(" or "name(" at a line's
			# start, not a prototype) is the one named
			in=$(awk -v fn="$fn" '
				/^\/\* ---- .* ---- \*\/$/ { b = $0; sub(/^\/\* ---- /, "", b); sub(/ ---- \*\/$/, "", b) }
				($0 ~ ("^" fn "\\(") || $0 ~ ("^[A-Za-z].*[ *]" fn "\\(")) && $0 !~ /;$/ { print b; exit }
			' "$file")
			check "$name: $fn() is in section '$banner' of $file" "$in" "$banner"
		fi
	done <<<"$refs"

	# ---- back-pointers: the code names the lesson ----
	# shellcheck disable=SC2086
	if grep -rqE --include='*.c' --include='*.h' "Lesson $nn([^0-9]|$)" $SRC_DIRS; then
		ok "$name: source has a 'Lesson $nn' comment"
	else
		fail "$name: source has a 'Lesson $nn' comment" "none in $SRC_DIRS"
	fi
done

# ---- every lab script passes --check ----
if [ ! -x "$REPL" ]; then
	skip "lab scripts pass --check" "$REPL is not built"
	exit 0
fi
for lab in lessons/*.lab docs/seq/*.lab docs/teaching/*.lab; do
	[ -e "$lab" ] || continue
	out=$("$REPL" --check "$lab" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then ok "$lab passes --check"; else
		fail "$lab passes --check" "exit $rc: $(printf '%s\n' "$out" | grep -E "^$lab:" | head -n 1)"
	fi
done

#!/usr/bin/env bash
# tests/integration/answers_apart.sh - a student reading a lesson, or
# `lesson N` in the REPL, does not read its answers by accident: every
# answer in lessons/answers/NN.md is absent from lessons/NN-*.md (its
# opening words, line breaks ignored) and from what `lesson N` prints,
# and no lesson hides answers in a <details> block.  lessons.sh checks
# the rest (one answer per question, the links both ways).
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP NO_COLOR=1

# flat FILE-OR-TEXT: one line, spaces squeezed
flat() { tr '\n' ' ' | tr -s ' '; }

for ans in lessons/answers/[0-9][0-9].md; do
	[ -e "$ans" ] || continue
	nn=$(basename "$ans" .md)
	md=$(ls lessons/"$nn"-*.md 2>/dev/null | head -n 1)
	if [ -z "$md" ]; then
		fail "answers $nn: has a lesson" "no lessons/$nn-*.md"
		continue
	fi
	text=$(flat <"$md")
	shown=""
	[ -x "$REPL" ] && shown=$(printf 'lesson %d\n' "$((10#$nn))" | "$REPL" 2>&1 | flat)
	[ -x "$REPL" ] && check_contains "lesson $nn: \`lesson $((10#$nn))\` prints the lesson" "$shown" "# Lesson $nn"
	if grep -q '<details' "$md"; then
		fail "lesson $nn: no <details> block" "answers belong in $ans"
	else
		ok "lesson $nn: no <details> block"
	fi
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		# the answer's first 60 characters, as it opens
		open=$(printf '%s' "$line" | sed -E 's/^[0-9]+\. //' | cut -c1-60)
		check_absent "lesson $nn: answer $n is not in the lesson" "$text" "$open"
		if [ -x "$REPL" ]; then
			check_absent "lesson $nn: \`lesson $((10#$nn))\` does not print answer $n" "$shown" "$open"
		fi
	done < <(grep -E '^[0-9]+\. ' "$ans")
	[ "$n" -gt 0 ] || fail "answers $nn: has answers" "no numbered lines in $ans"
done

#!/usr/bin/env bash
# docs/render.sh [BIN] - regenerate docs/img/*.svg with Graphviz.
#
#  1. docs/modules.dot from the source (docs/modmap.sh);
#  2. sequence diagrams from real runs of the lab scripts in docs/seq/,
#     through the REPL's `dot` export (never hand-drawn);
#  3. every docs/*.dot and docs/seq/*.dot rendered to docs/img/*.svg.
# Any Graphviz warning fails the run.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${1:-bin}
command -v dot >/dev/null || { echo "docs: Graphviz 'dot' is not installed (apt-get install graphviz)"; exit 1; }
mkdir -p docs/img docs/seq
bash docs/modmap.sh >docs/modules.dot || exit 1

status=0
for lab in docs/seq/*.lab; do
	[ -e "$lab" ] || continue
	name=$(basename "$lab" .lab)
	tmp=$(mktemp)
	{ cat "$lab"; echo "dot docs/seq/$name.dot"; } >"$tmp"
	if ! "$BIN/repl" --check "$tmp" >/dev/null 2>"$tmp.err"; then
		echo "docs: $lab failed: $(cat "$tmp.err")"
		status=1
	fi
	rm -f "$tmp" "$tmp.err"
done

for src in docs/*.dot docs/seq/*.dot; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .dot)
	[ "${src#docs/seq/}" != "$src" ] && name="seq-$name"
	if ! warn=$(dot -Tsvg "$src" -o "docs/img/$name.svg" 2>&1) || [ -n "$warn" ]; then
		echo "docs: $src: ${warn:-dot failed}"
		status=1
	else
		echo "docs: docs/img/$name.svg"
	fi
done
exit $status

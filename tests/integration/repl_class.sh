#!/usr/bin/env bash
# tests/integration/repl_class.sh - the REPL for a classroom: `break` per
# party, settings changed mid-exchange, clear errors for bad lists,
# `outcomes` refused through an external proxy and its --quiz, every
# lab script in tests/repl/ passing --check.
. "$(dirname "$0")/lib.sh"

REPL=$BIN/repl
export HOME=$TMP
if [ ! -x "$REPL" ]; then
	fail "repl class" "$REPL is not built"
	exit 0
fi

# ---- the lab scripts of tests/repl ----
for lab in tests/repl/*.lab; do
	out=$("$REPL" --check "$lab" 2>&1)
	rc=$?
	check "$(basename "$lab") passes --check" "$rc" 0
	[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 8 >&2
done

# ---- break: the armed message names the party; a second one replaces ----
out=$(printf 'break password\nbreak origin user\nfix\nscheme proxy none\nbreak password\n' | "$REPL" 2>&1)
check_contains "plain break targets the proxy first" "$out" "armed: \`break proxy password\`"
check_contains "a second break says what it replaced" "$out" "it replaces \`break proxy password\`"
check_contains "no proxy scheme: plain break targets the origin" "$out" "armed: \`break origin password\`"
for bad in "break origin header" "break origin stale" "break client password" "break proxy everything"; do
	out=$(printf 'scheme proxy digest\n%s\n' "$bad" | "$REPL" 2>&1)
	check_contains "$bad: a clear error" "$out" "error: "
	check_absent "$bad: nothing armed" "$out" "armed:"
done

# ---- mid-exchange settings say "now" ----
out=$(printf 'get /private\nstep\nuser proxy bob:builder\nscheme origin digest\n' | "$REPL" 2>&1)
check_contains "user mid-exchange: in effect now" "$out" "user proxy: set (in effect now: the exchange in progress"
check_contains "scheme mid-exchange: in effect now" "$out" "scheme origin: digest (in effect now: the exchange in progress"
check_absent "no 'next exchange' while one runs" "$out" "(the next exchange uses it)"
# before the first message (bin/repl's own exchange, or just after get)
out=$(printf 'scheme proxy none\nget /\nuser proxy bob:builder\nrun\nalgorithm proxy MD5\n' | "$REPL" 2>&1)
check_contains "setting before the first message: the exchange ready to start" "$out" \
	"scheme proxy: none (in effect now: the exchange ready to start uses it from its first message)"
check_contains "... also after get" "$out" \
	"user proxy: set (in effect now: the exchange ready to start uses it from its first message)"
check_contains "after the exchange: the next one" "$out" "algorithm proxy: MD5 (in effect now: the next exchange uses it)"
check_absent "before the first message: not 'in progress'" "$out" "the exchange in progress"

# ---- bad lists: the wrong word named, the choices listed ----
while IFS='|' read -r line want; do
	out=$(printf '%s\n' "$line" | "$REPL" 2>&1)
	check_contains "$line: names the bad item" "$out" "$want"
done <<'CASES'
scheme proxy ntlmv2|'ntlmv2' is not a scheme the lab offers; choose basic, digest, bearer, ntlm, negotiate
scheme proxy kerberos|'kerberos' is not a scheme the lab offers
scheme origin ntlm|the lab offers NTLM and Negotiate on the proxy only
scheme origin basic,kerberos|'kerberos' is not a scheme
scheme proxy basic,basic|'basic' is named twice
scheme proxy basic,,digest|an empty item
algorithm proxy digest,digest|'digest' is not a Digest algorithm; choose MD5, SHA-256
algorithm origin SHA-256,sha-256|'sha-256' is named twice
algorithm proxy SHA1|'SHA1' is not a Digest algorithm
CASES

# ---- outcomes: refused through an external proxy; --quiz hides expected ----
out=$(printf 'connect proxy 127.0.0.1:9\noutcomes\n' | "$REPL" 2>&1)
check_contains "outcomes through an external proxy is refused" "$out" "outcomes runs against the embedded proxy"
check_absent "outcomes through an external proxy runs no row" "$out" "rows as the outcomes table says"
out=$(printf 'outcomes --quiz\n' | "$REPL" 2>&1)
n=$(printf '%s\n' "$out" | grep -cE '^([0-9]+) of \1 rows as the outcomes table says')
check "outcomes --quiz: every row runs and passes" "$n" 1
check_contains "outcomes --quiz: heading" "$out" "expected (quiz)"
n=$(printf '%s\n' "$out" | grep -cE '^mallory .* \? +403 from proxy +pass')
check "outcomes --quiz: expected column hidden" "$n" 1
n=$(printf '%s\n' "$out" | grep -cE ' (40[0-9]|200)( from (proxy|origin))? +(40[0-9]|200) from ')
check "outcomes --quiz: no row shows what it expects" "$n" 0
out=$(printf 'outcomes --bogus\n' | "$REPL" 2>&1)
check_contains "outcomes --bogus: usage" "$out" "usage: outcomes [--quiz]"

# ---- settings: the password's length in bytes ----
out=$(printf 'user proxy alice:w\xc3\xb6rld\nsettings\n' | "$REPL" 2>&1)
check_contains "settings counts bytes" "$out" "password 6 bytes"

# ---- TCP connections: opened, reused, closed, in every view ----
out=$(printf 'get /private\nrun\ntrace\nsave %s\ndot %s\nmystery 6\nget /\nrun\ntrace\n' \
	"$TMP/tcp.md" "$TMP/tcp.dot" | "$REPL" 2>&1)
check_contains "transcript: the first connection opened" "$out" "(TCP: the client opens connection C1 to the proxy)"
check_contains "transcript: kept alive for the retry" "$out" "(TCP: the client reuses connection C1 to the proxy (keep-alive"
check_contains "transcript: the upstream connection opened" "$out" "(TCP: the proxy opens connection U1 to the origin)"
check_contains "transcript: the upstream connection reused" "$out" "(TCP: the proxy reuses connection U1 to the origin"
check_contains "trace: the events between the rows" "$out" "     TCP: the client opens connection C1 to the proxy"
# (`mystery 6` starts afresh, so its exchange begins on C2)
check_contains "a closed connection is shown" "$out" "TCP: the proxy closes connection C2 after this response (Connection: close"
check_contains "... and the retry opens a new one" "$out" "TCP: the client opens connection C3 to the proxy"
check_contains "save: the events" "$(cat "$TMP/tcp.md")" "*TCP: the client opens connection C1 to the proxy*"
check_contains "dot: the events" "$(cat "$TMP/tcp.dot")" "TCP: the proxy opens connection U1 to the origin"
check_contains "dot: the events keep their RFC sections whole" "$(cat "$TMP/tcp.dot")" \
	"(keep-alive, RFC 9112 §9.3)"
check_absent "dot: no § turned into ??" "$(cat "$TMP/tcp.dot")" "RFC 9112 ??"
out=$(printf 'request CONNECT origin\nrun\n' | "$REPL" 2>&1)
check_contains "CONNECT: the tunnel's far end opened" "$out" "the tunnel's far end"
check_contains "CONNECT: the lab closes both at the end" "$out" "closes C1 and U1"

# ---- predict, then see ----
"$REPL" --check tests/repl/predict.lab --predictions "$TMP/pred.tsv" >"$TMP/pred.out" 2>&1
check "predictions: a wrong guess is not fatal" "$?" 0
check "predictions file: one line per graded guess" "$(grep -c $'\tpredicted ' "$TMP/pred.tsv")" 6
check_contains "predictions file: a right one" "$(cat "$TMP/pred.tsv")" $'tests/repl/predict.lab:6\tpredicted proxy 407\tgot proxy 407\tright'
check_contains "predictions file: the wrong one" "$(cat "$TMP/pred.tsv")" $'predicted proxy 401\tgot origin 401\twrong'
check_contains "predictions file: the summary" "$(cat "$TMP/pred.tsv")" "# predictions: 5 of 6 right"
check_contains "--check prints the summary" "$(cat "$TMP/pred.out")" "predictions: 5 of 6 right"
printf 'predict strict on\nget /\npredict origin 200\nexpect 200\n' >"$TMP/strict.lab"
out=$("$REPL" --check "$TMP/strict.lab" 2>&1)
check "predict strict: a wrong guess fails --check" "$?" 1
check_contains "predict strict: names the line of the guess" "$out" "strict.lab:3: predicted origin 200, got proxy 407"
out=$("$REPL" --predictions "$TMP/x.tsv" </dev/null 2>&1)
check "--predictions without --check: usage error" "$?" 2
# no terminal: predict on never blocks, and says how to guess instead
out=$(printf 'predict on\nget /private\nrun\nquit\n' | timeout 10 "$REPL" 2>&1)
check "predict on without a terminal does not block" "$?" 0
check_contains "predict on without a terminal says so" "$out" "no terminal to ask on"
check_contains "predict on without a terminal: the exchange runs" "$out" "done: 200 from the origin"
for bad in "predict" "predict maybe" "predict proxy 4077" "predict client 407" "predict strict maybe" "why perhaps"; do
	out=$(printf '%s\n' "$bad" | "$REPL" 2>&1)
	check_contains "$bad: usage" "$out" "error:"
done
# why off hides the why-lines, not the messages; why on shows them again
out=$(printf 'why off\nget /\nrun\nwhy on\nget /\nrun\n' | "$REPL" 2>&1)
check_contains "why off: said" "$out" "why-lines hidden"
first=$(printf '%s\n' "$out" | sed -n '/why-lines hidden/,/why-lines shown/p')
check_absent "why off: no why-line" "$first" "why: "
check_contains "why off: the messages still shown" "$first" "HTTP/1.1 407 Proxy Authentication Required"
second=$(printf '%s\n' "$out" | sed -n '/why-lines shown/,$p')
check_contains "why on: why-lines again" "$second" "why: proxy:"

# ---- lesson N: no pager into a pipe, even with $PAGER set ----
out=$(printf 'lesson 2\n' | PAGER=false "$REPL" 2>&1)
check_contains "lesson 2 into a pipe: the text itself" "$out" "# Lesson 02"

# ---- why-lines: Digest algorithms named, REPL commands not curl flags,
# the stale retry points to lesson 04, clean joins ----
out=$(printf 'scheme proxy digest,basic\nget /\nrun\nbreak stale\nget /\nrun\nalgorithm proxy SHA-512-256,MD5\nget /\nrun\nscheme proxy basic\nuser proxy none\nget /\nrun\nuser proxy alice:wonderland\nscheme origin digest\nuser origin none\nget /private\nrun\n' | "$REPL" 2>&1)
check_contains "proxy why names each Digest algorithm" "$out" "offering Digest SHA-256, Digest MD5, Basic"
check_contains "... in the order configured" "$out" "offering Digest SHA-512-256, Digest MD5, Basic"
check_contains "client why names them too" "$out" "offered: Digest SHA-256, Digest MD5, Basic"
check_contains "the 407 body names them" "$out" "Offered: Digest SHA-256, Digest MD5, Basic"
check_contains "the stale retry points to lesson 04" "$out" "retrying once with the new nonce   (lesson 04)"
check_contains "no proxy credentials: the REPL command" "$out" "(set them with \`user proxy NAME:PASSWORD\`)"
check_contains "no origin credentials: the REPL command" "$out" "(set them with \`user origin NAME:PASSWORD\`)"
whys=$(printf '%s\n' "$out" | grep '^why: ')
check_absent "no curl -U in a why-line" "$whys" "(-U)"
check_absent "no curl -u in a why-line" "$whys" "(-u)"
check_absent "no '; (' in a why-line" "$whys" "; ("
check "no capital after a join" "$(printf '%s\n' "$whys" | grep -c '; Response from')" 0
check_contains "... the joined sentence in lower case" "$whys" "; response from the proxy itself"

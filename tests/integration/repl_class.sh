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

# ---- bad lists: the wrong word named, the choices listed ----
while IFS='|' read -r line want; do
	out=$(printf '%s\n' "$line" | "$REPL" 2>&1)
	check_contains "$line: names the bad item" "$out" "$want"
done <<'CASES'
scheme proxy ntlm|'ntlm' is not a scheme the lab offers; choose basic, digest, bearer
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
check_contains "outcomes --quiz: every row runs" "$out" "14 of 14 rows"
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

#!/bin/bash
# tests/integration/cmdline.sh - the four binaries read their command
# lines from one table (net/cmdline.c): a bad value of any kind (number,
# duration, unknown option, stray operand) is exit 2 with one line that
# names the binary and the option and ends "(try --help)"; a good value
# of each kind is taken.
. "$(dirname "$0")/lib.sh"

# usage_error NAME WANT CMD...: exit 2, and stderr's last line starts with
# WANT and ends with "(try --help)".
usage_error() {
	local name=$1 want=$2 rc last
	shift 2
	"$@" </dev/null >/dev/null 2>"$TMP/err"
	rc=$?
	last=$(tail -n 1 "$TMP/err")
	check "$name: exit 2" "$rc" 2
	check_contains "$name: says which option" "$last" "$want"
	case "$last" in
	*"(try --help)") ok "$name: ends (try --help)" ;;
	*) fail "$name: ends (try --help)" "got '$last'" ;;
	esac
}

L=(--listen 127.0.0.1:0)
# ---- numbers: not digits, below, above, empty ----
for v in x 0 65 "" -1 +1 " 1" 0x1; do
	usage_error "proxy --workers '$v'" "bin/proxy: --workers wants a number 1..64, not '$v'" \
		"$BIN/proxy" "${L[@]}" --workers "$v"
done
usage_error "proxy --max-connections many" "bin/proxy: --max-connections wants a number 1..100000" \
	"$BIN/proxy" "${L[@]}" --max-connections many
usage_error "proxy --body-min-rate 0" "bin/proxy: --body-min-rate wants a number 1.." \
	"$BIN/proxy" "${L[@]}" --body-min-rate 0
for b in proxy origin; do
	usage_error "$b --nonce-lifetime 86401" "bin/$b: --nonce-lifetime wants a number 1..86400, not '86401'" \
		"$BIN/$b" "${L[@]}" --nonce-lifetime 86401
	usage_error "$b --credentials-ttl 1.5" "bin/$b: --credentials-ttl wants a number 0..86400, not '1.5'" \
		"$BIN/$b" "${L[@]}" --credentials-ttl 1.5
done

# ---- durations: seconds or NNNms, 1 ms to a day ----
for v in 5x 1.5 ms "" 86401 -3; do
	usage_error "proxy --idle-timeout '$v'" "bin/proxy: --idle-timeout wants seconds or NNNms, not '$v'" \
		"$BIN/proxy" "${L[@]}" --idle-timeout "$v"
done
for v in 0 0ms 86400001ms; do
	usage_error "proxy --linger-timeout '$v'" "bin/proxy: --linger-timeout wants 1ms..86400s, not '$v'" \
		"$BIN/proxy" "${L[@]}" --linger-timeout "$v"
done

# ---- unknown options and operands, each binary ----
usage_error "proxy --bogus" "bin/proxy: bad option" "$BIN/proxy" --bogus
usage_error "proxy -l (no short form)" "bin/proxy: bad option" "$BIN/proxy" -l 127.0.0.1:0
usage_error "origin --workers (a proxy option)" "bin/origin: bad option" "$BIN/origin" --workers 2
usage_error "client --bogus" "client: bad option" "$BIN/client" --bogus http://127.0.0.1:1/
usage_error "repl --bogus" "repl: bad option" "$BIN/repl" --bogus
usage_error "proxy stray" "bin/proxy: unexpected argument 'stray'" "$BIN/proxy" stray
usage_error "origin stray" "bin/origin: unexpected argument 'stray'" "$BIN/origin" stray
usage_error "client two URLs" "client: one URL only, not 'http://b/'" "$BIN/client" http://a/ http://b/
usage_error "client no URL" "client: no URL given" "$BIN/client" -s
usage_error "repl stray" "repl: unexpected argument 'x.lab': did you mean --check x.lab?" "$BIN/repl" x.lab
usage_error "repl --predictions alone" "repl: --predictions goes with --check FILE" \
	"$BIN/repl" --predictions "$TMP/p"
usage_error "proxy --tls-cert alone" "bin/proxy: --tls-cert and --tls-key go together" \
	"$BIN/proxy" "${L[@]}" --tls-cert "$TMP/c"

# ---- good values of each kind are taken ----
start P1 "$BIN/proxy" "${L[@]}" --workers 1 --header-timeout 300ms --idle-timeout 2 \
	--credentials-ttl 0 --nonce-lifetime 86400 --body-min-rate 1 --allow-exposed -v
check "proxy: a number, ms and s durations, a flag are taken" "$(head -c 13 "$TMP/P1.out")" "listening on "
start O1 "$BIN/origin" "${L[@]}" --credentials-ttl 86400 --nonce-lifetime 1 -v
check "origin: numbers at both ends of their range are taken" "$(head -c 13 "$TMP/O1.out")" "listening on "
out=$("$BIN/client" -s -S --proxy-anyauth --anyauth -u a:b "http://127.0.0.1:$O1_PORT/" -w '%{http_code}' -o /dev/null)
check "client: scheme options, -u, -s -S -w -o are taken" "$out" 200
for b in proxy origin client repl; do
	check_contains "$b --version" "$("$BIN/$b" --version)" "(lab407)"
	check_contains "$b -V" "$("$BIN/$b" -V)" "(lab407)"
	"$BIN/$b" -h >/dev/null
	check "$b -h exits 0" "$?" 0
done

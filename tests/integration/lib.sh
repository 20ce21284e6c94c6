# tests/integration/lib.sh - helpers for integration tests (sourced).
#
# Each check prints exactly one line: "ok - NAME", "not ok - NAME: why" or
# "skip - NAME: why"; tests/run.sh counts them.  Servers listen on
# 127.0.0.1 with port 0 and are stopped when the script exits.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BIN=${LAB407_BIN:-bin}
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
skip() { echo "skip - $1: $2"; }

# need CMD NAME: true when CMD exists, else prints a skip line for NAME.
need() {
	if command -v "$1" >/dev/null 2>&1; then return 0; fi
	skip "$2" "$1 is not installed"
	return 1
}

# check NAME GOT WANT
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
# check_contains NAME HAYSTACK NEEDLE
check_contains() {
	if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else
		fail "$1" "'$3' not found in: $(printf '%s' "$2" | head -c 400 | tr '\r\n' '  ')"; fi
}
# check_absent NAME HAYSTACK NEEDLE
check_absent() {
	if printf '%s' "$2" | grep -qiF -- "$3"; then
		fail "$1" "'$3' should not appear"; else ok "$1"; fi
}

# start NAME CMD...: run a lab407 server (or any program that prints
# "listening on HOST:PORT" first); sets NAME_PORT and NAME_PID.  Output
# goes to $TMP/NAME.out and $TMP/NAME.err.  The old NAME.out goes first:
# until the new server's shell has opened (and emptied) it, the loop
# below would read the "listening on" line of the last NAME started,
# a port no one listens on any more.
start() {
	local name=$1
	shift
	rm -f "$TMP/$name.out" "$TMP/$name.err"
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	local pid=$!
	PIDS+=("$pid")
	local i line=""
	for i in $(seq 1 100); do
		line=$(head -n 1 "$TMP/$name.out" 2>/dev/null)
		case "$line" in "listening on "*) break ;; esac
		if ! kill -0 "$pid" 2>/dev/null; then break; fi
		sleep 0.05
	done
	case "$line" in
	"listening on "*) ;;
	*)
		echo "could not start $name: $(cat "$TMP/$name.err")" >&2
		return 1
		;;
	esac
	printf -v "${name}_PORT" '%s' "${line##*:}"
	printf -v "${name}_PID" '%s' "$pid"
}

# free_port: a port nothing listens on right now (for peers that need one).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s at most).
wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# check_no_header NAME TEXT FIELD: no line of TEXT starts with "FIELD:".
check_no_header() {
	if printf '%s\n' "$2" | tr -d '\r' | grep -qi "^$3:"; then
		fail "$1" "a '$3:' line is present"; else ok "$1"; fi
}

# Sends cut short: tests/integration/shortsend.c, built by make check.
SHORTSEND_SO="${LAB407_BUILD:-build}/tests/shortsend.so"
# shortsend_env LOG: SHORTSEND_ENV, the NAME=VALUE words for env(1) that
# run a program under SHORTSEND_SO, each cut logged as a byte in LOG.  A
# sanitizer build whose ASan runtime is a shared library wants it first
# among the preloaded ones; the library allocates nothing itself, so it
# may come first instead.
shortsend_env() {
	SHORTSEND_ENV=("ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		"LD_PRELOAD=$SHORTSEND_SO" "SHORTSEND_LOG=$1")
}

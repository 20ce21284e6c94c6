#!/bin/sh
# mk/lab.sh - `make lab-up` / `make lab-down`: bin/proxy and bin/origin as
# daemons on fixed loopback ports, for the shell sections of the lessons
# (curl, wget, bin/client against a proxy that answers by itself).
#
#   proxy   127.0.0.1:$LAB_PROXY_PORT   (default 4070)
#   origin  127.0.0.1:$LAB_ORIGIN_PORT  (default 4080)
#
# Pid files and logs in $LAB_DIR (build/lab/): proxy.pid, origin.pid,
# proxy.log (the access log and -v lines), origin.log.  `up` first stops a
# lab it started before, so new settings take effect.  A port in use is
# reported with what to do: another port, e.g.
#   make lab-up LAB_PROXY_PORT=4071 LAB_ORIGIN_PORT=4081
# Settings: LAB_PROXY_AUTH, LAB_ORIGIN_AUTH (--auth lists, default
# basic), LAB_PROXY_ARGS, LAB_ORIGIN_ARGS (more options, as the REPL's
# `curl` prints them).
set -u
BIN=${BIN:-bin}
LAB_DIR=${LAB_DIR:-build/lab}
PP=${LAB_PROXY_PORT:-4070}
OP=${LAB_ORIGIN_PORT:-4080}
PA=${LAB_PROXY_AUTH:-basic}
OA=${LAB_ORIGIN_AUTH:-basic}

stop_one() {
	f="$LAB_DIR/$1.pid"
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	# only our own daemon: the pid file's process must be bin/$1
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		grep -q "$1" "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -f "$f"
}

# start NAME LOG ARGS...: wait (5 s at most) for "listening on".
start_one() {
	name=$1
	shift
	log="$LAB_DIR/$name.log"
	: >"$log"
	"$BIN/$name" "$@" >>"$log" 2>&1 </dev/null &
	echo $! >"$LAB_DIR/$name.pid"
	i=0
	while [ $i -lt 50 ]; do
		grep -q '^listening on' "$log" && return 0
		kill -0 "$(cat "$LAB_DIR/$name.pid")" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "lab-up: bin/$name did not start: $(tail -n 1 "$log")" >&2
	echo "  if the port is taken, pick others:" \
		"make lab-up LAB_PROXY_PORT=$((PP + 1)) LAB_ORIGIN_PORT=$((OP + 1))" >&2
	rm -f "$LAB_DIR/$name.pid"
	return 1
}

case "${1:-}" in
up)
	mkdir -p "$LAB_DIR" || exit 1
	stop_one proxy
	stop_one origin
	# shellcheck disable=SC2086 # the ARGS are several words on purpose
	start_one origin --listen "127.0.0.1:$OP" --auth "$OA" -v \
		${LAB_ORIGIN_ARGS:-} || exit 1
	# CONNECT may reach 443, the lab origin and 8443 (lesson 07's TLS server)
	# shellcheck disable=SC2086
	start_one proxy --listen "127.0.0.1:$PP" --auth "$PA" -v \
		--connect-ports "443,$OP,8443" ${LAB_PROXY_ARGS:-} || {
		stop_one origin
		exit 1
	}
	# with --tls-cert the proxy speaks TLS: curl -x https://
	case " ${LAB_PROXY_ARGS:-} " in
	*" --tls-cert "*) PS=https ;;
	*) PS=http ;;
	esac
	echo "lab up: proxy $PS://127.0.0.1:$PP (--auth $PA), origin" \
		"http://127.0.0.1:$OP (--auth $OA)"
	echo "  logs: $LAB_DIR/proxy.log, $LAB_DIR/origin.log; make lab-down stops them"
	;;
down)
	stop_one proxy
	stop_one origin
	echo "lab down"
	;;
*)
	echo "usage: mk/lab.sh up|down" >&2
	exit 2
	;;
esac

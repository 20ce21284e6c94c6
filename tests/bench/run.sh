#!/usr/bin/env bash
# tests/bench/run.sh [--docs] BIN - lab407's benchmarks, run by `make bench`
# (`make bench-docs` passes --docs).  Figures only: speed is compared by
# people, between commits, on the same machine; no test asserts it.
#
# One nginx is the origin (a fixed 20-byte body).  In front of it, one at
# a time, each proxy: bin/proxy --auth basic, nginx configured as an
# authenticating forward proxy (the engineering reference), Squid with
# basic_ncsa_auth (and digest_file_auth for Digest), tinyproxy with
# BasicAuth.  Every proxy is pinned to one core (CPU 0, taskset), the
# origin and the load generators to the other (CPU 1).  The load: wrk
# with tests/bench/absolute.lua (absolute-form request lines, as a client
# sends to a proxy), and lab407's own generators for what wrk cannot do:
# bench_digest (Digest, a fresh nc per request) and bench_idle (thousands
# of idle keep-alive connections).  Before the proxies, the floor under
# their figures: the keep-alive and busy loads with no proxy (wrk straight
# to the origin) and through bench_relay, which only moves bytes.  For
# each proxy and workload: requests per second, p50/p99 latency, CPU
# microseconds per request (utime+stime of the proxy process and its
# children, from /proc, over the run, divided by requests), non-2xx
# responses, socket errors, and how busy CPU 0 was with anything else
# meanwhile.
#
# The timed workloads run in rounds (BENCH_ROUNDS): in each round the
# floor, then every proxy in turn, the order of the proxies reversed in
# every other round.  A shared machine's speed drifts by tens of per cent
# within minutes; a proxy measured only before another would carry that
# drift into their ratio.  Each rate, latency and CPU figure reported is
# the median of the rounds (counts of errors are summed), and the report
# shows every round's requests/s beside it.
#
# The table goes to $LAB407_BUILD/bench/results.md (configs and logs
# beside it); with --docs also into docs/performance.md between its
# "bench:begin" and "bench:end" markers.  Every server started here is
# stopped on exit, failure or interrupt.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [4]              length of each timed workload, each round
#   BENCH_ROUNDS [5]               rounds of the timed workloads
#   BENCH_CONNECTIONS [32]         wrk/bench_digest connections
#   BENCH_THREADS [2]              wrk threads
#   BENCH_BUSY_CONNECTIONS [1000]  the "busy connections" workload
#   BENCH_IDLE_CONNECTIONS [10000] the idle keep-alive connections held
#   BENCH_PEERS ["proxy nginx squid tinyproxy"]  which proxies to run
#   BENCH_FLOOR [1]                0: leave out the floor (no proxy, relay)
#   BENCH_NOTE                     a sentence for the report (the load...)
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
DOCS=0
if [ "${1:-}" = --docs ]; then
	DOCS=1
	shift
fi
BIN=${1:-bin}
B=${LAB407_BUILD:-build}
case "$B" in /*) W=$B/bench ;; *) W=$ROOT/$B/bench ;; esac
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
SECS=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-5}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
BUSY=${BENCH_BUSY_CONNECTIONS:-1000}
IDLE=${BENCH_IDLE_CONNECTIONS:-10000}
PEERS=${BENCH_PEERS:-proxy nginx squid tinyproxy}
FLOOR=${BENCH_FLOOR:-1}
NOTE=${BENCH_NOTE:-}
HOLD=3            # seconds bench_idle holds its connections
START_WAIT=100    # tenths of a second for a server to accept
STOP_WAIT=50      # tenths of a second for a server to exit on SIGTERM
PROXY_CPU=0
LOAD_CPU=1
BASIC='Basic YWxpY2U6d29uZGVybGFuZA=='   # alice:wonderland (RFC 7617 §2)
REALM='lab407 bench'
BODY='lab407 bench origin'               # + "\n": 20 bytes
SQUID=/usr/sbin/squid
SQUID_HELPERS=/usr/lib/squid
TINYPROXY=
for t in /usr/bin/tinyproxy /usr/sbin/tinyproxy; do
	[ -x "$t" ] && TINYPROXY=$t && break
done

die() {
	echo "bench: $*" >&2
	exit 1
}
for v in SECS ROUNDS CONNS THREADS BUSY IDLE; do
	case "${!v}" in '' | *[!0-9]*) die "$v must be a positive integer" ;; esac
	[ "${!v}" -gt 0 ] || die "$v must be a positive integer"
done
[ "$THREADS" -le "$CONNS" ] || die "BENCH_THREADS must not exceed BENCH_CONNECTIONS"
for c in taskset wrk nginx python3; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed (make bench installs it when run as root on Debian)"
done
for t in bench_parse bench_digest bench_idle bench_relay; do
	[ -x "$W/$t" ] || die "$B/bench/$t is missing: run make bench"
done
[ -x "$BIN/proxy" ] || die "$BIN/proxy is missing: run make"
CORES=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ "$CORES" -lt 2 ]; then
	# One core: the proxy and the load share it; the figures say so.
	LOAD_CPU=0
fi

# Descriptors: bench_idle holds IDLE connections, and the proxy holds as
# many.  Each process gets this soft limit (within the hard one), with
# room to spare: Squid, for one, stops keeping connections alive when a
# large share of its descriptors is in use.
WANT_FDS=$((2 * IDLE + BUSY + 1000))
HARD=$(ulimit -Hn)
[ "$HARD" = unlimited ] && HARD=$WANT_FDS
[ "$WANT_FDS" -le "$HARD" ] || WANT_FDS=$HARD
ulimit -n "$WANT_FDS" 2>/dev/null || die "cannot raise the open-files limit to $WANT_FDS"
[ "$IDLE" -le $((WANT_FDS - 100)) ] ||
	die "BENCH_IDLE_CONNECTIONS=$IDLE needs an open-files limit above $((IDLE + 100)) (hard limit $HARD)"

rm -rf "$W/run" "$W/logs"
mkdir -p "$W/run" "$W/logs" || die "cannot create $W"
# Squid and nginx started as root drop to an unprivileged user that must
# read the configs and the user files.
chmod 755 "$W" "$W/run"
RUN_USER="" RUN_GROUP=""
if [ "$(id -u)" = 0 ]; then
	if id proxy >/dev/null 2>&1; then RUN_USER=proxy; else RUN_USER=nobody; fi
	RUN_GROUP=$(id -gn "$RUN_USER")
fi
STAT=(python3 "$ROOT/tests/bench/procstat.py")

# ---- Servers: start, wait, stop (always) ----

SERVERS=()
# stop_server PID: SIGTERM to the process, then SIGKILL to what is left
# of its tree (Squid's helpers, nginx's worker) after STOP_WAIT.
stop_server() {
	local pid=$1 kids=() p
	kill -0 "$pid" 2>/dev/null || return 0
	mapfile -t kids < <(descendants "$pid")
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 "$STOP_WAIT"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	for p in "$pid" "${kids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait "$pid" 2>/dev/null
}
descendants() {
	python3 - "$1" <<'EOF'
import os, sys
root = int(sys.argv[1]); parent = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            s = open(f"/proc/{d}/stat").read()
            parent[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            pass
todo, out = [root], []
while todo:
    p = todo.pop()
    for c, pp in parent.items():
        if pp == p:
            out.append(c); todo.append(c)
print("\n".join(map(str, out)))
EOF
}
stop_all() {
	local i
	for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do stop_server "${SERVERS[$i]}"; done
	SERVERS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# wait_port PORT PID: until 127.0.0.1:PORT accepts (false if PID dies).
wait_port() {
	for _ in $(seq 1 "$START_WAIT"); do
		kill -0 "$2" 2>/dev/null || return 1
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# listening_port FILE PID: the port of lab407's "listening on H:P" line.
listening_port() {
	local line
	for _ in $(seq 1 "$START_WAIT"); do
		line=$(head -n 1 "$1" 2>/dev/null)
		case "$line" in "listening on "*) echo "${line##*:}"; return 0 ;; esac
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# run_dir NAME: a fresh directory the server's own user may write.
run_dir() {
	local d=$W/run/$1
	rm -rf "$d"
	mkdir -p "$d/tmp"
	chmod 755 "$d"
	[ -n "$RUN_USER" ] && chown -R "$RUN_USER:$RUN_GROUP" "$d"
	echo "$d"
}

# nginx_conf DIR SERVERS...: an nginx.conf with one worker, no access
# log, keep-alive without a request cap, and the given http{} body.
nginx_conf() {
	local d=$1
	shift
	cat >"$d/nginx.conf" <<EOF
# Written by tests/bench/run.sh.
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile $WANT_FDS;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections $((WANT_FDS - 100)); }
http {
	access_log off;
	default_type text/plain;
	keepalive_timeout 300s;
	keepalive_requests 100000000;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
$*
}
EOF
}

# ---- The origin ----

# Two ports on one nginx: OPORT keeps connections alive; CPORT closes
# each after its response.  bench_idle goes through CPORT, so a proxy
# holding 10,000 client connections does not also hold 10,000 upstream
# ones (which would pass the per-process limit of open files).
start_origin() {
	local d
	d=$(run_dir origin)
	OPORT=$(free_port)
	CPORT=$(free_port)
	nginx_conf "$d" "
	server {
		listen 127.0.0.1:$OPORT;
		location / { return 200 \"$BODY\\n\"; }
	}
	server {
		listen 127.0.0.1:$CPORT;
		keepalive_timeout 0;
		location / { return 200 \"$BODY\\n\"; }
	}"
	taskset -c "$LOAD_CPU" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" \
		>"$d/out" 2>"$d/err" &
	ORIGIN_PID=$!
	SERVERS+=("$ORIGIN_PID")
	wait_port "$OPORT" "$ORIGIN_PID" && wait_port "$CPORT" "$ORIGIN_PID" ||
		die "the origin (nginx) did not start: $(tail -n 3 "$d/err" "$d/error.log" 2>/dev/null)"
}

# ---- The proxies ----
# start_PEER MODE: start it pinned to PROXY_CPU; sets PID and PORT.
# MODE is basic, digest-SHA-256 or digest-MD5.  False when it cannot.

PROXY_HELP=$("$BIN/proxy" --help 2>&1)
# proxy_has OPTION: bin/proxy --help lists exactly OPTION (a whole word:
# --idle-timeout is not --tunnel-idle-timeout).
proxy_has() { grep -qE -- "(^|[[:space:],])$1([[:space:]=,]|\$)" <<<"$PROXY_HELP"; }
start_proxy() {
	local d args f
	d=$(run_dir "proxy-$1")
	printf 'alice:wonderland\nbob:builder\n' >"$d/users"
	args=(--listen 127.0.0.1:0 --realm "$REALM" --users "$d/users")
	case "$1" in
	basic) args+=(--auth basic) ;;
	digest-*) args+=(--auth digest --digest-algorithms "${1#digest-}" --qop auth) ;;
	esac
	# Whatever bin/proxy offers today: no access log (as for the others),
	# a connection cap above the idle workload, one worker on one core.
	# (--access-log none where it exists: nothing written, not even
	# to /dev/null, as nginx's access_log off and Squid's none).
	if grep -q 'access_log none' <<<"$PROXY_HELP"; then
		args+=(--access-log none)
	elif proxy_has --access-log; then
		args+=(--access-log /dev/null)
	fi
	proxy_has --max-connections && args+=(--max-connections $((IDLE + BUSY + 100)))
	proxy_has "--workers" && args+=(--workers 1)
	# Idle keep-alive connections stay open as long as the others' do
	# (nginx keepalive_timeout, Squid client_idle_pconn_timeout: 300 s).
	for f in --idle-timeout --keepalive-timeout --keep-alive-timeout \
		--client-idle-timeout --header-timeout; do
		proxy_has "$f" && args+=("$f" 300)
	done
	echo "bin/proxy ${args[*]}" >"$d/cmdline"
	start_listening bin/proxy "$d" "$BIN/proxy" "${args[@]}"
}
# start_listening NAME DIR CMD...: CMD pinned to PROXY_CPU, its output in
# DIR; sets PID, and PORT from its "listening on 127.0.0.1:PORT" line.
start_listening() {
	local name=$1 d=$2
	shift 2
	taskset -c "$PROXY_CPU" "$@" >"$d/out" 2>"$d/err" &
	PID=$!
	SERVERS+=("$PID")
	PORT=$(listening_port "$d/out" "$PID") || {
		echo "bench: $name did not start: $(tail -n 3 "$d/err")" >&2
		return 1
	}
}

# nginx as an authenticating forward proxy.  It takes absolute-form
# requests (the Host field only picks one of the two bench origins) and
# compares the whole Proxy-Authorization value, byte for byte, with
# alice's Basic value (if's != is case-sensitive; a map would not be, and
# would take base64 in the wrong case): no base64 decoding, no user file,
# no hashing, no ACL, no CONNECT.  On a mismatch it answers 407 with a
# Basic challenge.  Forwarded requests
# lose Proxy-Authorization and go over a pool of kept-alive upstream
# connections (keepalive 64), as nginx is normally run.
start_nginx() {
	local d
	[ "$1" = basic ] || return 1
	d=$(run_dir nginx)
	PORT=$(free_port)
	nginx_conf "$d" "
	map \$http_host \$lab407_origin {
		default origin;
		\"127.0.0.1:$CPORT\" origin_close;
	}
	upstream origin {
		server 127.0.0.1:$OPORT;
		keepalive 64;
	}
	upstream origin_close {
		server 127.0.0.1:$CPORT;
	}
	server {
		listen 127.0.0.1:$PORT backlog=4096;
		location / {
			if (\$http_proxy_authorization != \"$BASIC\") {
				add_header Proxy-Authenticate 'Basic realm=\"$REALM\", charset=\"UTF-8\"' always;
				return 407;
			}
			proxy_pass http://\$lab407_origin;
			proxy_http_version 1.1;
			proxy_set_header Connection \"\";
			proxy_set_header Host \$http_host;
			proxy_set_header Proxy-Authorization \"\";
		}
	}"
	taskset -c "$PROXY_CPU" nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" \
		>"$d/out" 2>"$d/err" &
	PID=$!
	SERVERS+=("$PID")
	wait_port "$PORT" "$PID" || {
		echo "bench: nginx (proxy) did not start: $(tail -n 3 "$d/err" "$d/error.log")" >&2
		return 1
	}
}

# Squid: no cache, no access log, helpers for the credentials.  Basic:
# basic_ncsa_auth over a SHA-512-crypt file; Squid caches a verified
# user for credentialsttl (2 h), so the helper runs once.  Digest:
# digest_file_auth -c over user:realm:HA1, nonces good for 1,000,000
# uses (Squid's default, 50, would add a stale round trip every 50
# requests, which no other proxy here does).
start_squid() {
	local d auth
	[ -x "$SQUID" ] || return 1
	d=$(run_dir "squid-$1")
	PORT=$(free_port)
	case "$1" in
	basic)
		printf 'alice:%s\n' "$(openssl passwd -6 wonderland)" >"$d/passwd"
		auth="auth_param basic program $SQUID_HELPERS/basic_ncsa_auth $d/passwd
auth_param basic children 5 startup=1
auth_param basic realm $REALM
auth_param basic credentialsttl 2 hours"
		;;
	digest-MD5)
		printf 'alice:%s:%s\n' "$REALM" \
			"$(printf '%s' "alice:$REALM:wonderland" | md5sum | cut -d' ' -f1)" >"$d/htdigest"
		auth="auth_param digest program $SQUID_HELPERS/digest_file_auth -c $d/htdigest
auth_param digest children 5 startup=1
auth_param digest realm $REALM
auth_param digest nonce_max_count 1000000
auth_param digest nonce_max_duration 30 minutes"
		;;
	*) return 1 ;;
	esac
	cat >"$d/squid.conf" <<EOF
# Written by tests/bench/run.sh.
http_port 127.0.0.1:$PORT
${RUN_USER:+cache_effective_user $RUN_USER}
pid_filename $d/squid.pid
cache_log $d/cache.log
access_log none
cache_store_log none
coredump_dir $d
cache deny all
cache_mem 8 MB
max_filedescriptors $WANT_FDS
client_idle_pconn_timeout 300 seconds
shutdown_lifetime 0 seconds
pinger_enable off
dns_nameservers 127.0.0.1
udp_incoming_address 127.0.0.1
udp_outgoing_address 127.0.0.1
visible_hostname lab407-bench
$auth
acl auth proxy_auth REQUIRED
http_access allow auth
http_access deny all
EOF
	chmod 644 "$d"/*
	(cd "$d" && exec taskset -c "$PROXY_CPU" "$SQUID" -N -f "$d/squid.conf") \
		>"$d/out" 2>"$d/err" &
	PID=$!
	SERVERS+=("$PID")
	wait_port "$PORT" "$PID" || {
		echo "bench: squid did not start: $(tail -n 3 "$d/err" "$d/cache.log")" >&2
		return 1
	}
}

# tinyproxy: BasicAuth in its config, logging only errors.
start_tinyproxy() {
	local d
	[ -n "$TINYPROXY" ] && [ "$1" = basic ] || return 1
	d=$(run_dir tinyproxy)
	PORT=$(free_port)
	cat >"$d/tinyproxy.conf" <<EOF
# Written by tests/bench/run.sh.
${RUN_USER:+User $RUN_USER}
${RUN_GROUP:+Group $RUN_GROUP}
Port $PORT
Listen 127.0.0.1
Timeout 300
LogFile "$d/tinyproxy.log"
LogLevel Error
PidFile "$d/tinyproxy.pid"
MaxClients $((IDLE + BUSY + 100))
Allow 127.0.0.1
BasicAuth alice wonderland
EOF
	chmod 644 "$d/tinyproxy.conf"
	# -d: in the foreground, so the job's pid is tinyproxy's.
	taskset -c "$PROXY_CPU" "$TINYPROXY" -d -c "$d/tinyproxy.conf" \
		>"$d/out" 2>"$d/err" &
	PID=$!
	SERVERS+=("$PID")
	wait_port "$PORT" "$PID" || {
		echo "bench: tinyproxy did not start: $(tail -n 3 "$d/err" "$d/tinyproxy.log")" >&2
		return 1
	}
}

# The floor: bench_relay, pinned like the proxies, in front of the
# keep-alive origin port.
start_relay() {
	start_listening bench_relay "$(run_dir relay)" "$W/bench_relay" "$OPORT"
}

# forget PID: no longer ours to stop.
forget() {
	local keep=() p
	for p in "${SERVERS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	SERVERS=("${keep[@]}")
}
# stop_peer: stop the proxy started last.
stop_peer() {
	stop_server "$PID"
	forget "$PID"
}

# ---- Measuring ----

declare -A R   # R[peer|workload|key]: the figures
# field LINE KEY: the value of KEY=value in LINE.
field() {
	local kv
	for kv in $1; do
		case "$kv" in "$2="*) echo "${kv#*=}"; return 0 ;; esac
	done
	echo ""
}

# measure PEER WORKLOAD CMD...: run the load CMD against the proxy PID and
# keep its figures as round ROUND's, R[PEER|WORKLOAD|KEY|ROUND], with the
# CPU the proxy's tree used meanwhile.
measure() {
	local peer=$1 wl=$2 n=$ROUND out line t0 t1 wall cpu busy lbusy reqs secs k x log
	shift 2
	log=$W/logs/$peer-$wl-$n.txt
	t0=$("${STAT[@]}" "$PID" "$PROXY_CPU" "$LOAD_CPU")
	out=$("$@" 2>&1)
	t1=$("${STAT[@]}" "$PID" "$PROXY_CPU" "$LOAD_CPU")
	printf '%s\n%s\n' "$*" "$out" >"$log"
	line=$(grep '^BENCH ' <<<"$out" | tail -n 1)
	if ! kill -0 "$PID" 2>/dev/null; then
		R[$peer|$wl|status|$n]="died"
		echo "  $peer $wl round $n: the proxy died (see $log)"
		return 1
	fi
	if [ -z "$line" ]; then
		R[$peer|$wl|status|$n]="no result"
		echo "  $peer $wl round $n: no result (see $log)"
		return 1
	fi
	for k in requests seconds p50_us p99_us non2xx connect read write timeout stale; do
		R[$peer|$wl|$k|$n]=$(field "$line" "$k")
	done
	reqs=${R[$peer|$wl|requests|$n]}
	secs=${R[$peer|$wl|seconds|$n]}
	cpu=$(($(field "$t1" cpu_us) - $(field "$t0" cpu_us)))
	busy=$(($(field "$t1" "busy${PROXY_CPU}_us") - $(field "$t0" "busy${PROXY_CPU}_us")))
	lbusy=$(($(field "$t1" "busy${LOAD_CPU}_us") - $(field "$t0" "busy${LOAD_CPU}_us")))
	R[$peer|$wl|status|$n]=ok
	R[$peer|$wl|rps|$n]=$(awk -v r="$reqs" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')
	R[$peer|$wl|cpu_us|$n]=$(awk -v c="$cpu" -v r="$reqs" 'BEGIN { printf "%.1f", (r > 0 ? c / r : 0) }')
	# The proxy's core: busy time not spent by the proxy, as a share of
	# the wall time measured (the load and the samples).  The load's
	# core: how busy it was (near 100 %, the load may be what limits).
	wall=$(($(field "$t1" t_us) - $(field "$t0" t_us)))
	R[$peer|$wl|others|$n]=$(awk -v b="$busy" -v c="$cpu" -v w="$wall" \
		'BEGIN { o = (b - c) / w * 100; printf "%.0f", (o < 0 ? 0 : o) }')
	R[$peer|$wl|loadcpu|$n]=$(awk -v b="$lbusy" -v w="$wall" \
		'BEGIN { printf "%.0f", b / w * 100 }')
	k=0
	for x in connect read write timeout; do k=$((k + ${R[$peer|$wl|$x|$n]:-0})); done
	R[$peer|$wl|errors|$n]=$k
	printf '  %-10s %-15s %s  %7s req/s  p50 %s  p99 %s  %s µs/req  non-2xx %s  errors %s  cpu%s others %s%%  cpu%s %s%%\n' \
		"$peer" "$wl" "$n/$ROUNDS" "${R[$peer|$wl|rps|$n]}" "$(ms "${R[$peer|$wl|p50_us|$n]}")" \
		"$(ms "${R[$peer|$wl|p99_us|$n]}")" "${R[$peer|$wl|cpu_us|$n]}" \
		"${R[$peer|$wl|non2xx|$n]}" "${R[$peer|$wl|errors|$n]}" "$PROXY_CPU" "${R[$peer|$wl|others|$n]}" \
		"$LOAD_CPU" "${R[$peer|$wl|loadcpu|$n]}"
}
# settle PEER WORKLOAD: its figures from the rounds it ran: the median of
# each rate, latency and CPU figure, the sum of each count, its
# requests/s in each round (R[PEER|WORKLOAD|rounds]).  A round that failed
# is the workload's status.  Nothing when no round ran it (a status set
# before the rounds stays).
SUMMED=(requests seconds non2xx connect read write timeout stale errors)
MEDIAN=(rps p50_us p99_us cpu_us others loadcpu)
settle() {
	local peer=$1 wl=$2 n k v ran=() per=""
	for ((n = 1; n <= ROUNDS; n++)); do
		v=${R[$peer|$wl|status|$n]:-}
		[ -n "$v" ] || continue
		if [ "$v" != ok ]; then
			R[$peer|$wl|status]="$v (round $n)"
			return
		fi
		ran+=("$n")
		per+="${per:+ }${R[$peer|$wl|rps|$n]}"
	done
	[ "${#ran[@]}" -gt 0 ] || return 0
	R[$peer|$wl|status]=ok
	R[$peer|$wl|rounds]=$per
	for k in "${SUMMED[@]}"; do
		R[$peer|$wl|$k]=$(for n in "${ran[@]}"; do echo "${R[$peer|$wl|$k|$n]:-0}"; done | combine sum)
	done
	for k in "${MEDIAN[@]}"; do
		R[$peer|$wl|$k]=$(for n in "${ran[@]}"; do echo "${R[$peer|$wl|$k|$n]}"; done | combine median)
	done
}
# combine sum|median: the sum, or the median (of an even count the mean
# of the middle two), of the numbers on stdin, one a line, with as many
# decimals as the input has.
combine() {
	sort -g | awk -v how="$1" '
		{ v[NR] = $1; t += $1; p = index($1, "."); if (p && length($1) - p > d) d = length($1) - p }
		END { if (NR == 0) exit
		      if (how == "sum") m = t
		      else m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.*f\n", d, m }'
}
ms() { awk -v u="$1" 'BEGIN { if (u == "") print "-"; else if (u < 1000) printf "%.0f µs", u; else printf "%.2f ms", u / 1000 }'; }

run_wrk() { # PEER WORKLOAD CONNS THREADS HEADER...
	local peer=$1 wl=$2 c=$3 t=$4 h=() x
	shift 4
	for x in "$@"; do h+=(-H "$x"); done
	measure "$peer" "$wl" env BENCH_ORIGIN="127.0.0.1:$OPORT" taskset -c "$LOAD_CPU" \
		wrk -t"$t" -c"$c" -d"$SECS"s --timeout 5s -s "$ROOT/tests/bench/absolute.lua" \
		"${h[@]}" "http://127.0.0.1:$PORT/"
}
warm_up() {
	env BENCH_ORIGIN="127.0.0.1:$OPORT" taskset -c "$LOAD_CPU" wrk -t1 -c4 -d1s \
		-s "$ROOT/tests/bench/absolute.lua" -H "Proxy-Authorization: $BASIC" \
		"http://127.0.0.1:$PORT/" >/dev/null 2>&1
}

# memory PEER: a fresh proxy; its RSS idle, then with IDLE connections
# held open by bench_idle, each after one authenticated request.
memory() {
	local peer=$1 out s ready="" tool
	out=$W/logs/$peer-idle.txt
	"start_$peer" basic || return 1
	sleep 1
	s=$("${STAT[@]}" "$PID")
	R[$peer|mem|idle_kb]=$(field "$s" rss_kb)
	taskset -c "$LOAD_CPU" "$W/bench_idle" "$PORT" "$CPORT" "$IDLE" "$HOLD" "$BASIC" \
		>"$out" 2>&1 &
	tool=$!
	SERVERS+=("$tool")   # stopped on an interrupt like the servers
	for _ in $(seq 1 1500); do
		ready=$(grep '^ready ' "$out" 2>/dev/null)
		[ -n "$ready" ] && break
		kill -0 "$tool" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$ready" ]; then
		sleep 1
		s=$("${STAT[@]}" "$PID")
		R[$peer|mem|held_kb]=$(field "$s" rss_kb)
		R[$peer|mem|threads]=$(field "$s" threads)
		R[$peer|mem|fds]=$(field "$s" fds)
	fi
	wait "$tool" 2>/dev/null
	forget "$tool"
	R[$peer|mem|held]=$(field "$ready" held)
	R[$peer|mem|after]=$(field "$(grep '^after ' "$out")" held)
	R[$peer|mem|ok]=$(field "$ready" ok)
	R[$peer|mem|non2xx]=$(field "$ready" non2xx)
	R[$peer|mem|errors]=$(field "$ready" errors)
	kill -0 "$PID" 2>/dev/null || R[$peer|mem|died]=yes
	echo "  $peer idle: RSS $(mib "${R[$peer|mem|idle_kb]}"), with $IDLE connections" \
		"$(mib "${R[$peer|mem|held_kb]:-}") (held ${R[$peer|mem|held]:-?}, still open after" \
		"${HOLD}s ${R[$peer|mem|after]:-?}, ok ${R[$peer|mem|ok]:-?}, errors ${R[$peer|mem|errors]:-?})"
	stop_peer
}
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f MiB", k / 1024 }'; }

# ---- The run ----

STARTED=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== the core, single thread"
"$W/bench_parse" 2000000 | tee "$W/logs/bench_parse.txt" || exit 1

start_origin
echo "== origin: nginx on 127.0.0.1:$OPORT (keep-alive) and :$CPORT (close), CPU $LOAD_CPU"
echo "== proxies on CPU $PROXY_CPU; wrk and bench_* on CPU $LOAD_CPU; ${SECS}s a workload, $ROUNDS rounds"

WORKLOADS=(ka close noauth digest-SHA-256 digest-MD5 busy)
# What a peer cannot do at all, said in the table instead of a figure.
# Squid 5.7's Digest challenge names no algorithm: MD5 (RFC 7616 §3.3).
declare -A CANNOT=(
	[nginx|digest-SHA-256]="no Digest" [nginx|digest-MD5]="no Digest"
	[tinyproxy|digest-SHA-256]="no Digest" [tinyproxy|digest-MD5]="no Digest"
	[squid|digest-SHA-256]="MD5 only"
)
installed() {
	case "$1" in
	squid) [ -x "$SQUID" ] ;;
	tinyproxy) [ -n "$TINYPROXY" ] ;;
	*) true ;;
	esac
}
# run_floor: the floor's workloads, one round.
run_floor() {
	# No proxy: wrk to the origin itself, whose CPU is then what
	# measure() reads (not shown: the floor is the load's figures).
	PID=$ORIGIN_PID PORT=$OPORT
	warm_up
	run_wrk direct ka "$CONNS" "$THREADS"
	run_wrk direct busy "$BUSY" 2
	if start_relay; then
		warm_up
		run_wrk relay ka "$CONNS" "$THREADS" "Proxy-Authorization: $BASIC"
		run_wrk relay busy "$BUSY" 2 "Proxy-Authorization: $BASIC"
		stop_peer
	else
		R[relay|ka|status|$ROUND]="did not start" R[relay|busy|status|$ROUND]="did not start"
	fi
}
# run_peer PEER: its timed workloads, one round.
run_peer() {
	local peer=$1 wl
	if "start_$peer" basic; then
		warm_up
		run_wrk "$peer" ka "$CONNS" "$THREADS" "Proxy-Authorization: $BASIC"
		run_wrk "$peer" close "$CONNS" "$THREADS" "Proxy-Authorization: $BASIC" "Connection: close"
		run_wrk "$peer" noauth "$CONNS" "$THREADS"
		run_wrk "$peer" busy "$BUSY" 2 "Proxy-Authorization: $BASIC"
		stop_peer
	else
		for wl in ka close noauth busy; do R[$peer|$wl|status|$ROUND]="did not start"; done
	fi
	for wl in digest-SHA-256 digest-MD5; do
		[ -z "${CANNOT[$peer|$wl]:-}" ] || continue
		if "start_$peer" "$wl"; then
			measure "$peer" "$wl" taskset -c "$LOAD_CPU" "$W/bench_digest" \
				"$PORT" "$OPORT" "$CONNS" "$SECS" 50000000 alice:wonderland
			stop_peer
		else
			R[$peer|$wl|status|$ROUND]="did not start"
		fi
	done
}

RUN_PEERS=()
for peer in $PEERS; do
	if installed "$peer"; then
		RUN_PEERS+=("$peer")
	else
		for wl in "${WORKLOADS[@]}"; do R[$peer|$wl|status]="not installed"; done
	fi
	for wl in "${WORKLOADS[@]}"; do
		[ -z "${CANNOT[$peer|$wl]:-}" ] || R[$peer|$wl|status]=${CANNOT[$peer|$wl]}
	done
done
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	order=("${RUN_PEERS[@]}")
	if ((ROUND % 2 == 0)); then
		order=()
		for ((i = ${#RUN_PEERS[@]} - 1; i >= 0; i--)); do order+=("${RUN_PEERS[$i]}"); done
	fi
	if [ "$FLOOR" = 0 ]; then
		echo "== round $ROUND of $ROUNDS: ${order[*]}"
	else
		echo "== round $ROUND of $ROUNDS: the floor (no proxy, then bench_relay), ${order[*]}"
		run_floor
	fi
	for peer in "${order[@]}"; do run_peer "$peer"; done
done
for peer in direct relay $PEERS; do
	for wl in "${WORKLOADS[@]}"; do settle "$peer" "$wl"; done
done
for peer in "${RUN_PEERS[@]}"; do
	echo "== $peer: memory"
	memory "$peer"
done
stop_all
ELAPSED=$(($(date +%s) - STARTED))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- The report ----

declare -A NAMES=([proxy]="bin/proxy" [nginx]="nginx (auth proxy)" [squid]="Squid" [tinyproxy]="tinyproxy"
	[direct]="no proxy (wrk to the origin)" [relay]="bench_relay (moves bytes only)")
declare -A WL_NAME=(
	[ka]="keep-alive, valid Basic"
	[close]="new connection per request (Connection: close)"
	[noauth]="no credentials (the 407 path)"
	[digest-SHA-256]="Digest SHA-256, fresh nc per request"
	[digest-MD5]="Digest MD5, fresh nc per request"
	[busy]="$BUSY busy keep-alive connections, valid Basic"
)
declare -A WL_CONNS=([ka]=$CONNS [close]=$CONNS [noauth]=$CONNS [digest-SHA-256]=$CONNS [digest-MD5]=$CONNS [busy]=$BUSY)
ORDER=(proxy nginx squid tinyproxy)

version_of() {
	case "$1" in
	proxy) "$BIN/proxy" --version 2>&1 | head -n 1 ;;
	nginx) nginx -v 2>&1 | sed 's/^nginx version: nginx\//nginx /' ;;
	squid) [ -x "$SQUID" ] && "$SQUID" -v 2>/dev/null | head -n 1 | sed 's/^Squid Cache: Version /Squid /' ;;
	tinyproxy) [ -n "$TINYPROXY" ] && "$TINYPROXY" -v 2>&1 | head -n 1 ;;
	esac
}
# cell PEER WORKLOAD KEY: a figure, or why there is none.
cell() {
	local st=${R[$1|$2|status]:-}
	case "$st" in
	ok) ;;
	"") echo "—"; return ;;
	*) echo "$st"; return ;;
	esac
	case "$3" in
	rps) thousands "${R[$1|$2|rps]}" ;;
	p50_us | p99_us) ms "${R[$1|$2|$3]}" ;;
	*) echo "${R[$1|$2|$3]}" ;;
	esac
}
# thousands N: "67981" as "67,981".
thousands() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# ratio A B: bin/proxy's figure A over the peer's B, "0.62×".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "%.2f×", a / b }'
}

report() {
	local peer wl row
	echo "## lab407 benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Measured by \`make bench\` (tests/bench/run.sh) at lab407 commit" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')."
	echo
	echo "- Machine: $CORES cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"Linux $(uname -r); load average $LOAD_START at the start, $LOAD_END at the end." \
		"The run took ${ELAPSED} s."
	[ -n "$NOTE" ] && echo "- Note: $NOTE"
	echo "- Each proxy pinned to CPU $PROXY_CPU with taskset; the nginx origin, wrk and lab407's" \
		"load generators to CPU $LOAD_CPU. ${SECS} s per workload in each of $ROUNDS rounds, $CONNS connections" \
		"($BUSY for the busy row), wrk -t$THREADS$([ "$THREADS" = 2 ] || echo ' (-t2 for the busy row)')."
	echo "- Peers: $(version_of proxy); $(version_of nginx); $(version_of squid); $(version_of tinyproxy);" \
		"load by $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')."
	echo "- \"others on CPU $PROXY_CPU\": how busy the proxy's core was with anything but the proxy" \
		"during the run (from /proc/stat); above a few per cent the proxy's requests/s are low," \
		"and a proxy with a thread per connection gets a larger share of a contended core than" \
		"a single-threaded one: then compare CPU µs/request."
	echo "- Rounds: in each of the $ROUNDS rounds the floor ran first, then every proxy in turn," \
		"in the order above in odd rounds and reversed in even ones. Each requests/s, latency" \
		"and CPU figure below is the median of the rounds; non-2xx and error counts are their" \
		"sums. \"Each round\" at the end gives every round's requests/s."
	echo
	echo "### Requests per second"
	echo
	row="| workload |"
	for peer in "${ORDER[@]}"; do row+=" ${NAMES[$peer]} |"; done
	echo "$row bin/proxy ÷ nginx | ÷ Squid | ÷ tinyproxy |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for wl in "${WORKLOADS[@]}"; do
		row="| ${WL_NAME[$wl]} |"
		for peer in "${ORDER[@]}"; do row+=" $(cell "$peer" "$wl" rps) |"; done
		for peer in nginx squid tinyproxy; do
			row+=" $(ratio "${R[proxy|$wl|rps]:-}" "${R[$peer|$wl|rps]:-}") |"
		done
		echo "$row"
	done
	echo
	echo "### CPU microseconds per request (the proxy process and its children)"
	echo
	row="| workload |"
	for peer in "${ORDER[@]}"; do row+=" ${NAMES[$peer]} |"; done
	echo "$row bin/proxy ÷ nginx | ÷ Squid | ÷ tinyproxy |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for wl in "${WORKLOADS[@]}"; do
		row="| ${WL_NAME[$wl]} |"
		for peer in "${ORDER[@]}"; do row+=" $(cell "$peer" "$wl" cpu_us) |"; done
		for peer in nginx squid tinyproxy; do
			row+=" $(ratio "${R[proxy|$wl|cpu_us]:-}" "${R[$peer|$wl|cpu_us]:-}") |"
		done
		echo "$row"
	done
	echo
	echo "### Each workload"
	for wl in "${WORKLOADS[@]}"; do
		echo
		echo "**${WL_NAME[$wl]}** (${WL_CONNS[$wl]} connections, $ROUNDS rounds of ${SECS} s)"
		echo
		echo "| proxy | requests/s | p50 | p99 | CPU µs/request | non-2xx | socket errors | others on CPU $PROXY_CPU | CPU $LOAD_CPU busy |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		for peer in "${ORDER[@]}"; do
			[ -n "${R[$peer|$wl|status]:-}" ] || continue
			if [ "${R[$peer|$wl|status]}" != ok ]; then
				echo "| ${NAMES[$peer]} | ${R[$peer|$wl|status]} | | | | | | | |"
				continue
			fi
			echo "| ${NAMES[$peer]} | $(cell "$peer" "$wl" rps) | $(cell "$peer" "$wl" p50_us) |" \
				"$(cell "$peer" "$wl" p99_us) | $(cell "$peer" "$wl" cpu_us) |" \
				"$(cell "$peer" "$wl" non2xx) | $(errors_cell "$peer" "$wl") | $(cell "$peer" "$wl" others) % |" \
				"$(cell "$peer" "$wl" loadcpu) % |"
		done
	done
	if [ "$FLOOR" != 0 ]; then
		floor
	fi
	rounds
	echo
	echo "### Memory and many connections"
	echo
	echo "RSS summed over the proxy's processes (/proc/PID/status VmRSS), freshly started;" \
		"then with $IDLE idle keep-alive connections held by bench_idle, each after one" \
		"authenticated request (through the origin port that closes its side, so the proxy" \
		"holds no upstream connections). \"held\" counts the connections still open."
	echo
	echo "| proxy | RSS idle | RSS, $IDLE idle connections | held | threads then | p99, $BUSY busy connections | requests/s then |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for peer in "${ORDER[@]}"; do
		[ -n "${R[$peer|mem|idle_kb]:-}${R[$peer|busy|status]:-}" ] || continue
		echo "| ${NAMES[$peer]} | $(mib "${R[$peer|mem|idle_kb]:-}") | $(mib "${R[$peer|mem|held_kb]:-}") |" \
			"${R[$peer|mem|after]:-—} of $IDLE | ${R[$peer|mem|threads]:-—} |" \
			"$(cell "$peer" busy p99_us) | $(cell "$peer" busy rps) |"
	done
}
# The floor table: the keep-alive and busy loads without a proxy, through
# bench_relay, and through bin/proxy again for comparison.
floor() {
	local wl peer cpu
	echo
	echo "### The floor: what the load allows before a proxy does any work"
	echo
	echo "The keep-alive and busy loads again: with no proxy (wrk straight to the origin," \
		"both on CPU $LOAD_CPU, CPU $PROXY_CPU idle), and through tests/bench/bench_relay," \
		"pinned to CPU $PROXY_CPU as the proxies are, which moves each message from one" \
		"socket to the other with one recv() and one send() and reads no HTTP. A proxy on" \
		"one core does at least that much, so the relay's figures are what the kernel's TCP," \
		"wrk and the origin allow, and what lies between them and a proxy's is the proxy's" \
		"own work. bin/proxy's rows are repeated from above."
	echo
	echo "| load | connections | requests/s | p50 | p99 | CPU µs/request | CPU $LOAD_CPU busy |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for wl in ka busy; do
		for peer in direct relay proxy; do
			[ -n "${R[$peer|$wl|status]:-}" ] || continue
			if [ "${R[$peer|$wl|status]}" != ok ]; then
				echo "| ${NAMES[$peer]} | ${WL_CONNS[$wl]} | ${R[$peer|$wl|status]} | | | | |"
				continue
			fi
			cpu=$(cell "$peer" "$wl" cpu_us)
			[ "$peer" = direct ] && cpu="—"
			echo "| ${NAMES[$peer]} | ${WL_CONNS[$wl]} | $(cell "$peer" "$wl" rps) |" \
				"$(cell "$peer" "$wl" p50_us) | $(cell "$peer" "$wl" p99_us) | $cpu |" \
				"$(cell "$peer" "$wl" loadcpu) % |"
		done
	done
}
# The rounds table: each round's requests/s, and bin/proxy's ratio to
# nginx's in the same round.
rounds() {
	local wl peer n row
	local -a per ours theirs
	echo
	echo "### Each round"
	echo
	echo "Requests per second in each round, and the median reported above. In a \"÷ nginx\"" \
		"row both figures come from the same round, minutes apart at most."
	echo
	row="| workload | proxy |"
	for ((n = 1; n <= ROUNDS; n++)); do row+=" round $n |"; done
	echo "$row median |"
	row="|---|---|"
	for ((n = 1; n <= ROUNDS; n++)); do row+="---:|"; done
	echo "$row---:|"
	for wl in "${WORKLOADS[@]}"; do
		for peer in direct relay "${ORDER[@]}"; do
			[ "${R[$peer|$wl|status]:-}" = ok ] || continue
			read -r -a per <<<"${R[$peer|$wl|rounds]}"
			row="| ${WL_NAME[$wl]} | ${NAMES[$peer]} |"
			for ((n = 0; n < ROUNDS; n++)); do row+=" $(thousands "${per[$n]:-—}") |"; done
			echo "$row $(cell "$peer" "$wl" rps) |"
		done
		[ "${R[proxy|$wl|status]:-}" = ok ] && [ "${R[nginx|$wl|status]:-}" = ok ] || continue
		read -r -a ours <<<"${R[proxy|$wl|rounds]}"
		read -r -a theirs <<<"${R[nginx|$wl|rounds]}"
		row="| ${WL_NAME[$wl]} | bin/proxy ÷ nginx |"
		for ((n = 0; n < ROUNDS; n++)); do row+=" $(ratio "${ours[$n]:-}" "${theirs[$n]:-}") |"; done
		echo "$row $(ratio "${R[proxy|$wl|rps]}" "${R[nginx|$wl|rps]}") |"
	done
}
errors_cell() {
	local s="" k
	for k in connect read write timeout; do
		[ "${R[$1|$2|$k]:-0}" -gt 0 ] && s+="${s:+, }$k ${R[$1|$2|$k]}"
	done
	echo "${s:-0}"
}

report >"$W/results.md"
echo
cat "$W/results.md"
echo
echo "bench: the table is in $B/bench/results.md; configs and logs in $B/bench/run and $B/bench/logs"

if [ "$DOCS" = 1 ]; then
	DOC=docs/performance.md
	grep -q '^<!-- bench:begin' "$DOC" 2>/dev/null && grep -q '^<!-- bench:end' "$DOC" ||
		die "$DOC has no bench:begin/bench:end markers"
	awk -v res="$W/results.md" '
		/^<!-- bench:begin/ { print; while ((getline l < res) > 0) print l; skip = 1; next }
		/^<!-- bench:end/ { skip = 0 }
		!skip { print }' "$DOC" >"$DOC.new" && mv "$DOC.new" "$DOC"
	echo "bench: wrote the table into $DOC"
fi

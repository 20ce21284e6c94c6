#!/usr/bin/env bash
# tests/interop/run.sh [--subset] [--out FILE] - real clients against
# bin/proxy's 407: every installed client, through a fresh bin/proxy per
# cell, for each configuration (Basic, Digest MD5, Digest SHA-256, Digest
# SHA-256 with Basic, Bearer, NTLM; plain HTTP and HTTPS through CONNECT), a
# wrong password, a password with special characters and a 5 MB POST.
#
# Each cell: the client's final status (or its own error text), how many
# requests the proxy logged and on how many connections (the "conn N:"
# lines of -v), and whether credentials went out before any
# challenge.  Prints one TSV line per cell (client, column, status,
# requests, connections, preemptive, note) to FILE.tsv, and with --out the
# Markdown page.  Everything listens on 127.0.0.1; every client runs under
# timeout.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD
BIN=${LAB407_BIN:-bin}
W=${LAB407_BUILD:-build}/interop
SUBSET=0 OUT=""
while [ $# -gt 0 ]; do
	case "$1" in
	--subset) SUBSET=1 ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: $0 [--subset] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$W"
W=$(cd "$W" && pwd)
RUN=$(mktemp -d "$W/run.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$RUN"
}
trap cleanup EXIT
# Nothing may leave loopback, and no client may skip the proxy because of
# a no_proxy inherited from the caller.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CONFIG_FILE=/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 HOME=$RUN/home
mkdir -p "$HOME"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- Fixtures: users, tokens, a certificate, the served tree ----
SPECIAL_USER=carol SPECIAL_PASS='p@ss:w0rd%' SPECIAL_ENC='p%40ss%3Aw0rd%25'
printf 'alice:wonderland\n%s:%s\n' "$SPECIAL_USER" "$SPECIAL_PASS" >"$RUN/users"
printf 'lab407-interop-token alice\n' >"$RUN/tokens"
if [ ! -s "$W/cert.pem" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$W/key.pem" \
		-out "$W/cert.pem" >/dev/null 2>&1 || { echo "openssl failed" >&2; exit 1; }
fi
CA=$W/cert.pem
WWW=$RUN/www
mkdir -p "$WWW/simple/lab407-probe"
echo "lab407 interop origin" >"$WWW/index.html"
# A git repository for the dumb HTTP protocol.
(git init -q "$RUN/src" && cd "$RUN/src" && echo hi >f &&
	git -c user.name=lab -c user.email=lab@example.invalid add f &&
	git -c user.name=lab -c user.email=lab@example.invalid commit -qm one &&
	git clone -q --bare . "$WWW/repo.git" && cd "$WWW/repo.git" &&
	git update-server-info) >/dev/null 2>&1
# A pip simple index with one tiny wheel.
$PY - "$WWW/simple/lab407-probe" <<'PYEOF'
import hashlib, sys, zipfile, os
d = sys.argv[1]; name = "lab407_probe-0.1-py3-none-any.whl"
di = "lab407_probe-0.1.dist-info/"
with zipfile.ZipFile(os.path.join(d, name), "w") as z:
    z.writestr(di + "METADATA", "Metadata-Version: 2.1\nName: lab407-probe\nVersion: 0.1\n")
    z.writestr(di + "WHEEL", "Wheel-Version: 1.0\nGenerator: lab407\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr(di + "RECORD", "")
h = hashlib.sha256(open(os.path.join(d, name), "rb").read()).hexdigest()
open(os.path.join(d, "index.html"), "w").write(
    '<html><body><a href="%s#sha256=%s">%s</a></body></html>\n' % (name, h, name))
PYEOF
head -c 5000000 /dev/zero >"$RUN/body5m"

# start NAME CMD...: a server that prints "listening on HOST:PORT" first.
start() {
	local name=$1 i line=""
	shift
	rm -f "$RUN/$name.out"
	"$@" >"$RUN/$name.out" 2>"$RUN/$name.err" &
	PIDS+=($!)
	for i in $(seq 1 100); do
		line=$(head -n 1 "$RUN/$name.out" 2>/dev/null)
		case "$line" in "listening on "*) break ;; esac
		sleep 0.05
	done
	case "$line" in "listening on "*) ;; *) echo "could not start $name: $(cat "$RUN/$name.err")" >&2; return 1 ;; esac
	printf -v "${name}_PORT" '%s' "${line##*:}"
	printf -v "${name}_PID" '%s' "${PIDS[-1]}"
}
start origin "$BIN/origin" --listen 127.0.0.1:0 || exit 1
start static "$PY" tests/interop/static_server.py "$WWW" || exit 1
start tls "$PY" tests/interop/static_server.py "$WWW" "$CA" "$W/key.pem" || exit 1

# ---- Configurations (columns) ----
# column -> "proxy options|target|user|password"
COLS=(basic-http basic-https md5-http md5-https sha256-http sha256-https
	sha256basic-http sha256basic-https bearer-http bearer-https
	ntlm-http ntlm-https wrongpw-http special-http rawspecial-http post5m-http)
col_auth() {
	case "$1" in
	basic-* | wrongpw-* | special-* | rawspecial-* | post5m-*) echo "--auth basic" ;;
	md5-*) echo "--auth digest --digest-algorithms MD5" ;;
	sha256-*) echo "--auth digest --digest-algorithms SHA-256" ;;
	sha256basic-*) echo "--auth digest,basic --digest-algorithms SHA-256" ;;
	bearer-*) echo "--auth bearer --tokens $RUN/tokens" ;;
	ntlm-*) echo "--auth ntlm" ;;
	esac
}

# ---- Clients (rows): each prints the final status or "error: ..." ----
# Environment for a driver: PX_HOST PX_PORT PX_USER PX_PASS PX_ENC (the
# password percent-encoded), PX_URL, PX_BARE, URL, KIND (page|git|pip),
# CAFILE, POST_BYTES.
cl_curl() {
	local o
	local e
	o=$(timeout 20 curl -sS -o /dev/null -w '%{http_code} %{http_connect}' --cacert "$CA" \
		-x "$PX_URL" "$@" ${POST_BYTES:+--data-binary @$RUN/body5m} "$URL" 2>"$RUN/curl.err")
	e=$(tr '\n' ' ' <"$RUN/curl.err")
	case "$o" in
	"000 407") echo "407" ;;   # a CONNECT refused: curl's http_code is 000
	000*) echo "error: ${e#curl: }" ;;
	*) echo "${o%% *}" ;;
	esac
}
cl_curl_default() { cl_curl; }
cl_curl_anyauth() { cl_curl --proxy-anyauth; }
cl_wget() {
	local o
	o=$(http_proxy=$PX_URL https_proxy=$PX_URL timeout 20 wget -S -O /dev/null \
		--ca-certificate="$CA" --tries=1 "$URL" 2>&1)
	local st
	st=$(printf '%s\n' "$o" | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -1)
	if [ "$st" = 407 ]; then echo 407
	elif printf '%s' "$o" | grep -q "ERROR"; then
		echo "error: $(printf '%s\n' "$o" | grep -m1 -E 'ERROR|failed' | sed 's/^[0-9: -]*//' | tr -s ' ')${st:+ (last status $st)}"
	else echo "${st:-error: $(printf '%s' "$o" | tail -1)}"; fi
}
cl_git() {
	local o
	o=$(GIT_SSL_CAINFO=$CA timeout 20 git -c http.proxy="$PX_URL" -c http.sslCAInfo="$CA" \
		ls-remote "${URL%/}/repo.git" 2>&1)
	if [ $? -eq 0 ]; then echo 200; else echo "error: $(printf '%s\n' "$o" | grep -E 'fatal|error|407' | head -2 | tr '\n' ' ' | tr -s ' ')"; fi
}
cl_pip() {
	local o
	o=$(timeout 60 "$PY" -m pip download --no-deps --no-cache-dir -d "$RUN/pipdl" \
		--proxy "$PX_URL" --cert "$CA" --retries 0 --timeout 10 \
		--index-url "${URL%/}/simple/" lab407-probe 2>&1)
	if [ $? -eq 0 ]; then echo 200; else echo "error: $(printf '%s\n' "$o" | grep -m1 -iE 'error|407|warning' | tr -s ' ' | cut -c1-250)"; fi
}
cl_py() { timeout 30 "$PY" tests/interop/pyclient.py "$1" 2>&1 | tail -1; }
cl_urllib_url() { cl_py urllib-url; }
cl_urllib_handlers() { cl_py urllib-handlers; }
cl_requests() { cl_py requests; }
cl_httpx() { cl_py httpx; }
cl_aiohttp() { cl_py aiohttp; }
cl_go() { timeout 30 "$W/probe-go" "$1" 2>&1 | tail -1; }
cl_go_env() { HTTP_PROXY=$PX_URL HTTPS_PROXY=$PX_URL cl_go env; }
cl_go_proxyurl() { cl_go url; }
cl_java() {
	timeout 30 java ${JAVA_OPTS_EXTRA:-} -Djavax.net.ssl.trustStore="$W/trust.p12" \
		-Djavax.net.ssl.trustStorePassword=changeit -cp "$W/java" Probe "$1" \
		"$URL" "$PX_HOST" "$PX_PORT" "$PX_USER" "$PX_PASS" 2>&1 | tail -1
}
cl_java_httpclient() { cl_java httpclient; }
cl_java_urlconnection() { cl_java urlconnection; }
# Java's default disables Basic inside CONNECT; this is the documented way
# to allow it again (the property set to the empty list).
cl_java_tunnelbasic() { JAVA_OPTS_EXTRA=-Djdk.http.auth.tunneling.disabledSchemes= cl_java httpclient; }
# curl has no proxy Bearer option; a token goes in by hand as a header.
cl_curl_bearer() { cl_curl --proxy-header "Proxy-Authorization: Bearer lab407-interop-token"; }
cl_node() { UNDICI=$W/node_modules/undici/index.js timeout 30 node tests/interop/probe.mjs "$1" 2>&1 | tail -1; }
cl_node_fetch() { HTTP_PROXY=$PX_URL HTTPS_PROXY=$PX_URL cl_node fetch; }
cl_undici() { cl_node undici; }
cl_chromium() {
	local o
	o=$(timeout 30 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$RUN/chrome" --ignore-certificate-errors \
		--proxy-server="http://$PX_HOST:$PX_PORT" ${CHROME_BYPASS---proxy-bypass-list=<-loopback>} \
		--dump-dom "$URL" 2>&1)
	rm -rf "$RUN/chrome"
	if printf '%s' "$o" | grep -q "lab407 interop origin"; then echo 200; return; fi
	local e
	e=$(printf '%s' "$o" | grep -o 'ERR_[A-Z_]*' | head -1)
	echo "error: ${e:-no page: $(printf '%s' "$o" | grep -v '^\[' | head -c 160 | tr '\n' ' ')}"
}

# Chromium as it comes: loopback targets bypass any proxy.
cl_chromium_loopback() { CHROME_BYPASS="" cl_chromium; }

# Which targets a client uses: "page" the origin's /, or a path it needs.
# Chromium gets the static server's page too, whose text it looks for.
client_kind() { case "$1" in git) echo git ;; pip) echo pip ;; chromium*) echo static ;; *) echo page ;; esac; }
CLIENTS=(curl_default curl_anyauth curl_bearer wget git urllib_url urllib_handlers
	requests httpx aiohttp pip go_env go_proxyurl java_httpclient
	java_urlconnection java_tunnelbasic node_fetch undici chromium
	chromium_loopback)
[ "$SUBSET" = 1 ] && CLIENTS=(curl_default curl_anyauth wget git urllib_url urllib_handlers)

# installed CLIENT: empty when it can run, else why not.
installed() {
	case "$1" in
	curl*) command -v curl >/dev/null || echo "curl" ;;
	wget) command -v wget >/dev/null || echo "wget" ;;
	git) command -v git >/dev/null || echo "git" ;;
	urllib_*) "$PY" -c 1 2>/dev/null || echo "python3" ;;
	requests | httpx | aiohttp) "$PY" -c "import $1" 2>/dev/null || echo "python3-$1" ;;
	pip) "$PY" -m pip --version >/dev/null 2>&1 || echo "python3-pip" ;;
	go_*) [ -x "$W/probe-go" ] || echo "golang-go" ;;
	java_*) [ -f "$W/java/Probe.class" ] || echo "a JDK (javac)" ;;
	node_fetch) command -v node >/dev/null || echo "nodejs" ;;
	undici) [ -f "$W/node_modules/undici/index.js" ] && command -v node >/dev/null || echo "undici (npm)" ;;
	chromium*) command -v chromium >/dev/null || echo "chromium" ;;
	esac
}
# Build the compiled probes once.
if command -v go >/dev/null && [ ! -x "$W/probe-go" -o tests/interop/probe.go -nt "$W/probe-go" ]; then
	(cd "$W" && cp "$ROOT/tests/interop/probe.go" . && GOFLAGS=-mod=mod GOPATH=$W/gopath GOCACHE=$W/gocache \
		timeout 120 go build -o probe-go probe.go) >/dev/null 2>&1
fi
if command -v javac >/dev/null && [ ! -f "$W/java/Probe.class" -o tests/interop/Probe.java -nt "$W/java/Probe.class" ]; then
	mkdir -p "$W/java" && timeout 120 javac -d "$W/java" tests/interop/Probe.java >/dev/null 2>&1
	rm -f "$W/trust.p12"
fi
if command -v keytool >/dev/null && [ ! -f "$W/trust.p12" ]; then
	keytool -importcert -noprompt -alias lab407 -file "$CA" -keystore "$W/trust.p12" \
		-storetype PKCS12 -storepass changeit >/dev/null 2>&1
fi

# ---- One cell ----
TSV=$W/interop.tsv
[ "$SUBSET" = 1 ] && TSV=$W/interop-subset.tsv
: >"$TSV"
cell() {
	local client=$1 col=$2 kind why st log reqs conns pre note
	kind=$(client_kind "$client")
	why=$(installed "$client")
	if [ -n "$why" ]; then
		printf '%s\t%s\tnot installed\t-\t-\t-\t%s\n' "$client" "$col" "$why" >>"$TSV"
		return
	fi
	# shellcheck disable=SC2046
	start proxy "$BIN/proxy" --listen 127.0.0.1:0 --users "$RUN/users" -v \
		--connect-ports "$tls_PORT" --access-log "$RUN/proxy.log" $(col_auth "$col") || return
	export PX_HOST=127.0.0.1 PX_PORT=$proxy_PORT PX_USER=alice PX_PASS=wonderland PX_ENC=wonderland
	case "$col" in
	wrongpw-*) PX_PASS=wrong PX_ENC=wrong ;;
	special-*) PX_USER=$SPECIAL_USER PX_PASS=$SPECIAL_PASS PX_ENC=$SPECIAL_ENC ;;
	# The mistake users make: the same password not percent-encoded.
	rawspecial-*) PX_USER=$SPECIAL_USER PX_PASS=$SPECIAL_PASS PX_ENC=$SPECIAL_PASS ;;
	esac
	export PX_URL="http://$PX_USER:$PX_ENC@127.0.0.1:$PX_PORT" PX_BARE="http://127.0.0.1:$PX_PORT"
	export CAFILE=$CA POST_BYTES=""
	[ "${col%-*}" = post5m ] && POST_BYTES=5000000
	case "$col:$kind" in
	*-https:*) URL="https://127.0.0.1:$tls_PORT/" ;;
	*:page) URL="http://127.0.0.1:$origin_PORT/" ;;
	*) URL="http://127.0.0.1:$static_PORT/" ;;
	esac
	[ -n "$POST_BYTES" ] && URL="http://127.0.0.1:$static_PORT/"
	export URL
	st=$("cl_$client" | tr -d '\r' | tail -1)
	sleep 0.2   # the tunnel's log line is written when it closes
	kill "$proxy_PID" 2>/dev/null
	wait "$proxy_PID" 2>/dev/null
	log=$RUN/proxy.log
	# -v adds "why: ..." and "conn N: STATE -> STATE" lines to the access
	# log's own (Squid-format) lines.
	reqs=$(grep -Evc '^(why: |conn [0-9]+: )' "$log")
	conns=$(grep -Eo '^conn [0-9]+:' "$log" | sort -u | wc -l)
	# The first decision: did it carry credentials?
	pre=no
	if grep -m1 '^why: ' "$log" | grep -qv "Proxy-Authorization missing"; then pre=yes; fi
	[ "$reqs" = 0 ] && pre=-
	case "$st" in
	[0-9][0-9][0-9]) [ "$reqs" = 0 ] && st="no proxy" note="$st straight from the origin" || note="" ;;
	*) note=${st#error: }; st=$(printf '%s' "$st" | cut -d: -f1) ;;
	esac
	# The proxy's last status, for errors.
	local last
	last=$(grep -Ev '^(why: |conn [0-9]+: )' "$log" | awk '{print $4}' | tail -1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n' "$client" "$col" "$st" "$reqs" "$conns" "$pre" \
		"${last:+proxy said ${last#*/}; }" "$(printf '%s' "$note" | tr '\t|' '  ' | cut -c1-200)" >>"$TSV"
	rm -f "$log"
}

for c in "${CLIENTS[@]}"; do
	for col in "${COLS[@]}"; do
		case "$col" in post5m-*) case "$c" in urllib_handlers|requests|curl_anyauth|httpx) ;; *) continue ;; esac ;; esac
		# Rows that exist for one question only.
		case "$c:$col" in
		curl_bearer:bearer-* | curl_bearer:basic-http) ;;
		curl_bearer:*) continue ;;
		java_tunnelbasic:basic-* | java_tunnelbasic:sha256basic-* | java_tunnelbasic:ntlm-*) ;;
		java_tunnelbasic:*) continue ;;
		chromium_loopback:basic-*) ;;
		chromium_loopback:*) continue ;;
		esac
		[ "$SUBSET" = 1 ] && case "$col" in *-https|bearer-*|md5-*|ntlm-*|post5m-*) continue ;; esac
		cell "$c" "$col"
	done
	echo "interop: $c done" >&2
done
echo "interop: cells in $TSV" >&2
if [ -n "$OUT" ]; then
	"$PY" tests/interop/table.py "$TSV" "${CLIENTS[*]}" "${COLS[*]}" >"$OUT" || exit 1
	echo "interop: wrote $OUT" >&2
fi

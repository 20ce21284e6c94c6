#!/usr/bin/env bash
# tests/interop/run.sh [--subset] [--out FILE] - real clients against
# bin/proxy's 407: every installed client, through a fresh bin/proxy per
# cell, for each configuration (Basic, Digest MD5, Digest SHA-256, Digest
# SHA-256 with Basic, Bearer, NTLM, Negotiate; plain HTTP and HTTPS through
# CONNECT), a wrong password, a password with special characters and a
# 5 MB POST.  Negotiate runs against a private Kerberos realm on loopback
# (tests/kdc/kdc.sh) with alice's ticket in a credential cache of this run.
#
# Each cell: the client's final status (or its own error text), how many
# requests the proxy logged and on how many connections (the "conn N:"
# lines of -v), and whether credentials went out before any
# challenge.  Prints one TSV line per cell (client, column, status,
# requests, connections, preemptive, note) to FILE.tsv, and with --out the
# Markdown page.  Everything listens on 127.0.0.1; every client runs under
# timeout.  INTEROP_CLIENTS and INTEROP_COLS (space-separated) run only
# those rows and columns.
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
# Every target here is on 127.0.0.1.  A browser's own background requests
# go to names under these domains; the ACL refuses them by name (a 403),
# before any resolving, so nothing is forwarded off loopback.
printf 'deny host .com\ndeny host .net\ndeny host .org\nallow all\n' >"$RUN/acl"
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
# A Debian-style repository for apt-get update: Release and one Packages
# index (the source is marked trusted=yes, so no signature).
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
APTP=main/binary-$ARCH/Packages
mkdir -p "$WWW/debian/dists/lab/main/binary-$ARCH"
printf 'Package: lab407-probe\nVersion: 0.1\nArchitecture: all\nMaintainer: lab407 <lab@example.invalid>\nFilename: pool/lab407-probe_0.1_all.deb\nSize: 1\nDescription: interop probe\n\n' \
	>"$WWW/debian/dists/lab/$APTP"
{
	printf 'Origin: lab407\nSuite: lab\nCodename: lab\nDate: %s\nArchitectures: %s\nComponents: main\nSHA256:\n' \
		"$(LC_ALL=C date -u -R)" "$ARCH"
	printf ' %s %s %s\n' "$(sha256sum <"$WWW/debian/dists/lab/$APTP" | cut -d' ' -f1)" \
		"$(wc -c <"$WWW/debian/dists/lab/$APTP")" "$APTP"
} >"$WWW/debian/dists/lab/Release"
# A registry stub for npm: one package document.
mkdir -p "$WWW/npm"
printf '{"name":"lab407-probe","dist-tags":{"latest":"0.1.0"},"versions":{"0.1.0":{"name":"lab407-probe","version":"0.1.0","dist":{"tarball":"http://127.0.0.1/npm/lab407-probe-0.1.0.tgz"}}}}\n' \
	>"$WWW/npm/lab407-probe"
head -c 5000000 /dev/zero >"$RUN/body5m"

# A private Kerberos realm for the Negotiate columns; its environment
# (KRB5_CONFIG, KRB5CCNAME, ...) is set only for those cells.
source tests/kdc/kdc.sh
KDC_ENV=() NO_KDC=""
if [ "$SUBSET" = 1 ] || case "${INTEROP_COLS:-negotiate}" in *negotiate*) false ;; esac; then
	NO_KDC="a private KDC (not started: no Negotiate column in this run)"
elif NO_KDC=$(kdc_missing); then
	NO_KDC="krb5-kdc ($NO_KDC)"
elif (kdc_start "$RUN/kdc" && kdc_kinit alice wonderland && echo "$KDC_PID" >"$RUN/kdc.pidnum") \
	>"$RUN/kdc.err" 2>&1; then
	PIDS+=("$(cat "$RUN/kdc.pidnum")")
	KDC_ENV=(KRB5_CONFIG="$RUN/kdc/krb5.conf" KRB5_KDC_PROFILE="$RUN/kdc/kdc.conf"
		KRB5CCNAME="FILE:$RUN/kdc/ccache" KRB5_KTNAME="FILE:$RUN/kdc/http.keytab"
		KRB5RCACHEDIR="$RUN/kdc/rcache")
else
	NO_KDC="a private KDC (it did not start: $(tail -n 1 "$RUN/kdc.err"))"
fi

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
	ntlm-http ntlm-https negotiate-http negotiate-https wrongpw-http special-http
	rawspecial-http post5m-http post5mwrong-http)
col_auth() {
	case "$1" in
	basic-* | wrongpw-* | special-* | rawspecial-* | post5m-* | post5mwrong-*) echo "--auth basic" ;;
	md5-*) echo "--auth digest --digest-algorithms MD5" ;;
	sha256-*) echo "--auth digest --digest-algorithms SHA-256" ;;
	sha256basic-*) echo "--auth digest,basic --digest-algorithms SHA-256" ;;
	bearer-*) echo "--auth bearer --tokens $RUN/tokens" ;;
	ntlm-*) echo "--auth ntlm" ;;
	negotiate-*) echo "--auth negotiate --keytab $RUN/kdc/http.keytab" ;;
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
		-x "${CURL_PX:-$PX_URL}" "$@" ${POST_BYTES:+--data-binary @$RUN/body5m} "$URL" 2>"$RUN/curl.err")
	e=$(tr '\n' ' ' <"$RUN/curl.err")
	case "$o" in
	"000 407") echo "407" ;;   # a CONNECT refused: curl's http_code is 000
	000*) echo "error: ${e#curl: }" ;;
	*) echo "${o%% *}" ;;
	esac
}
cl_curl_default() { cl_curl; }
cl_curl_anyauth() { cl_curl --proxy-anyauth; }
# Negotiate as curl documents it: no password, the ticket from the cache.
cl_curl_negotiate() { CURL_PX=$PX_BARE cl_curl --proxy-negotiate -U :; }
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
cl_requests_kerberos() { cl_py requests-kerberos; }
cl_httpx() { cl_py httpx; }
cl_aiohttp() { cl_py aiohttp; }
# apt-get update against a private sources list, lists, cache and status
# file under this run's directory (-o Dir::...), so the system's apt
# state is neither read for sources nor written.
cl_apt() {
	local a=$RUN/apt o
	rm -rf "$a"
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/parts"
	: >"$a/status"
	echo "deb [trusted=yes] ${URL%/}/debian lab main" >"$a/sources.list"
	o=$(timeout 30 apt-get update -o Dir::Etc::sourcelist="$a/sources.list" \
		-o Dir::Etc::sourceparts="$a/parts" -o Dir::State::Lists="$a/lists" \
		-o Dir::Cache="$a/cache" -o Dir::State::status="$a/status" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" \
		-o Acquire::Retries=0 -o Acquire::Languages=none \
		-o Acquire::http::Proxy="$PX_URL/" -o Acquire::https::Proxy="$PX_URL/" \
		-o Acquire::https::CaInfo="$CA" 2>&1)
	if printf '%s\n' "$o" | grep -q '^Err:'; then
		echo "error: $(printf '%s\n' "$o" | grep -A1 -m1 '^Err:' | tail -1 | tr -s ' ')"
	elif ls "$a/lists" | grep -q '_Packages'; then echo 200
	else echo "error: $(printf '%s\n' "$o" | grep -m1 -E '^(E|W):' | tr -s ' ')"; fi
}
# npm view against a registry stub, with a config, cache and home of its own.
cl_npm() {
	local n=$RUN/npm o
	rm -rf "$n"
	mkdir -p "$n"
	: >"$n/npmrc"
	: >"$n/globalnpmrc"
	o=$(HOME=$n timeout 30 npm view lab407-probe version --registry "${URL%/}/npm/" \
		--proxy "$PX_URL/" --https-proxy "$PX_URL/" --cafile "$CA" \
		--userconfig "$n/npmrc" --globalconfig "$n/globalnpmrc" --cache "$n/cache" \
		--fetch-retries 0 --fetch-timeout 10000 --no-update-notifier 2>&1)
	if [ "$o" = 0.1.0 ]; then echo 200
	elif printf '%s\n' "$o" | grep -q '^npm error'; then
		echo "error: $(printf '%s\n' "$o" | grep -v 'complete log' | grep -m2 '^npm error' |
			sed 's/^npm error //' | tr '\n' ' ')"
	else echo "error: $(printf '%s\n' "$o" | head -3 | tr '\n' ' ')"; fi
}
cl_go() { timeout 30 "$W/probe-go" "$1" 2>&1 | tail -1; }
cl_go_env() { HTTP_PROXY=$PX_URL HTTPS_PROXY=$PX_URL cl_go env; }
cl_go_proxyurl() { cl_go url; }
cl_java() {
	timeout 30 java ${JAVA_OPTS_EXTRA:-} ${JAVA_KRB:-} -Djavax.net.ssl.trustStore="$W/trust.p12" \
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
		${NEGOTIATE:+--auth-server-allowlist=$NEGOTIATE} \
		--dump-dom "$URL" 2>&1)
	rm -rf "$RUN/chrome"
	# Debian's launcher script (/usr/bin/chromium) may complain on
	# stderr about its own memory test; that is not the browser's.
	o=$(printf '%s\n' "$o" | grep -v '^/usr/bin/chromium: ')
	if printf '%s' "$o" | grep -q "lab407 interop origin"; then echo 200; return; fi
	# A 407 whose challenges Chromium cannot answer is shown as the page:
	# the proxy's own body, as a text document.
	if printf '%s' "$o" | grep -q "<pre[^>]*>407 Proxy Authentication Required"; then
		echo 407
		return
	fi
	local e
	e=$(printf '%s' "$o" | grep -o 'ERR_[A-Z_]*' | head -1)
	echo "error: ${e:-no page: $(printf '%s' "$o" | grep -v '^\[' | head -c 160 | tr '\n' ' ')}"
}

# Chromium as it comes: loopback targets bypass any proxy.
cl_chromium_loopback() { CHROME_BYPASS="" cl_chromium; }
# The browsers given the proxy credentials through their automation API
# (tests/interop/browser.js): playwright-core for Chromium, puppeteer-core
# over WebDriver BiDi for Firefox.
cl_browser() {
	rm -rf "$RUN/profile"
	mkdir -p "$RUN/profile"
	NPM_DIR=$NPM_DIR PROFILE=$RUN/profile timeout 60 node tests/interop/browser.js "$1" 2>&1 | tail -1
	rm -rf "$RUN/profile"
}
cl_chromium_auth() { cl_browser chromium; }
cl_firefox() { cl_browser firefox; }
# Firefox with no credentials at all: only Negotiate (the ticket) can
# succeed; elsewhere it waits for a password prompt nobody answers.
cl_firefox_nocreds() { NO_CREDS=1 BROWSER_TIMEOUT=5000 cl_browser firefox; }

# Which targets a client uses: "page" the origin's /, or a path it needs.
# Chromium gets the static server's page too, whose text it looks for.
client_kind() { case "$1" in git | pip | apt | npm | chromium* | firefox*) echo static ;; *) echo page ;; esac; }
CLIENTS=(curl_default curl_anyauth curl_bearer curl_negotiate wget git urllib_url
	urllib_handlers requests requests_kerberos httpx aiohttp pip apt npm go_env
	go_proxyurl java_httpclient java_urlconnection java_tunnelbasic node_fetch
	undici chromium chromium_loopback chromium_auth firefox firefox_nocreds)
[ "$SUBSET" = 1 ] && CLIENTS=(curl_default curl_anyauth wget git urllib_url urllib_handlers)
[ -n "${INTEROP_CLIENTS:-}" ] && read -r -a CLIENTS <<<"$INTEROP_CLIENTS"
[ -n "${INTEROP_COLS:-}" ] && read -r -a COLS <<<"$INTEROP_COLS"
NPM_DIR=${LAB407_BUILD:-build}/npm
NPM_DIR=$(cd "$NPM_DIR" 2>/dev/null && pwd || echo "$NPM_DIR")

# installed CLIENT: empty when it can run, else why not.
installed() {
	case "$1" in
	curl*) command -v curl >/dev/null || echo "curl" ;;
	wget) command -v wget >/dev/null || echo "wget" ;;
	git) command -v git >/dev/null || echo "git" ;;
	urllib_*) "$PY" -c 1 2>/dev/null || echo "python3" ;;
	requests | httpx | aiohttp) "$PY" -c "import $1" 2>/dev/null || echo "python3-$1" ;;
	requests_kerberos) "$PY" -c "import requests_kerberos" 2>/dev/null || echo "python3-requests-kerberos" ;;
	apt) command -v apt-get >/dev/null || echo "apt" ;;
	npm) command -v npm >/dev/null || echo "npm" ;;
	chromium_auth) command -v chromium >/dev/null && [ -d "$NPM_DIR/node_modules/playwright-core" ] ||
		echo "chromium and playwright-core (npm)" ;;
	firefox*) command -v firefox-esr >/dev/null && [ -d "$NPM_DIR/node_modules/puppeteer-core" ] ||
		echo "firefox-esr and puppeteer-core (npm)" ;;
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
	case "$col" in negotiate-*) [ -z "$why" ] && why=$NO_KDC ;; esac
	if [ -n "$why" ]; then
		printf '%s\t%s\tnot installed\t-\t-\t-\t%s\n' "$client" "$col" "$why" >>"$TSV"
		return
	fi
	# Negotiate: the realm's environment, and the proxy reached by the name
	# its service principal has (HTTP/localhost); each client configured
	# as its users configure SPNEGO.
	local neg=0 kv
	case "$col" in negotiate-*) neg=1 ;; esac
	if [ "$neg" = 1 ]; then
		for kv in "${KDC_ENV[@]}"; do export "${kv?}"; done
		export NEGOTIATE=localhost
		export JAVA_KRB="-Djava.security.krb5.conf=$RUN/kdc/krb5.conf -Djavax.security.auth.useSubjectCredsOnly=false"
	fi
	# shellcheck disable=SC2046
	start proxy "$BIN/proxy" --listen 127.0.0.1:0 --users "$RUN/users" -v \
		--connect-ports "$tls_PORT" --acl "$RUN/acl" --access-log "$RUN/proxy.log" $(col_auth "$col") || return
	export PX_HOST=127.0.0.1 PX_PORT=$proxy_PORT PX_USER=alice PX_PASS=wonderland PX_ENC=wonderland
	case "$col" in
	wrongpw-* | post5mwrong-*) PX_PASS=wrong PX_ENC=wrong ;;
	special-*) PX_USER=$SPECIAL_USER PX_PASS=$SPECIAL_PASS PX_ENC=$SPECIAL_ENC ;;
	# The mistake users make: the same password not percent-encoded.
	rawspecial-*) PX_USER=$SPECIAL_USER PX_PASS=$SPECIAL_PASS PX_ENC=$SPECIAL_PASS ;;
	esac
	[ "$neg" = 1 ] && PX_HOST=localhost
	export PX_URL="http://$PX_USER:$PX_ENC@$PX_HOST:$PX_PORT" PX_BARE="http://$PX_HOST:$PX_PORT"
	export CAFILE=$CA POST_BYTES=""
	case "${col%-*}" in post5m | post5mwrong) POST_BYTES=5000000 ;; esac
	case "$col:$kind" in
	*-https:*) URL="https://127.0.0.1:$tls_PORT/" ;;
	*:page) URL="http://127.0.0.1:$origin_PORT/" ;;
	*) URL="http://127.0.0.1:$static_PORT/" ;;
	esac
	[ -n "$POST_BYTES" ] && URL="http://127.0.0.1:$static_PORT/"
	export URL
	st=$("cl_$client" | tr -d '\r' | tail -1)
	# A tunnel's log line is written when it closes; a browser's own
	# connections may still be open.
	case "$col:$client" in *-https:* | *:chromium* | *:firefox*) sleep 0.2 ;; esac
	kill "$proxy_PID" 2>/dev/null
	wait "$proxy_PID" 2>/dev/null
	if [ "$neg" = 1 ]; then
		for kv in "${KDC_ENV[@]}"; do unset "${kv%%=*}"; done
		unset NEGOTIATE JAVA_KRB
	fi
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
	[0-9][0-9][0-9]) [ "$reqs" = 0 ] && note="$st straight from the origin" st="no proxy" || note="" ;;
	*) note=${st#error: }; st=$(printf '%s' "$st" | cut -d: -f1) ;;
	esac
	# The proxy's last status, for errors, and the scheme it last accepted.
	local last used
	last=$(grep -Ev '^(why: |conn [0-9]+: )' "$log" | awk '{print $4}' | tail -1)
	used=$(grep -Eo 'authenticated \([A-Za-z]+' "$log" | tail -1 | cut -d'(' -f2)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s%s%s\n' "$client" "$col" "$st" "$reqs" "$conns" "$pre" \
		"${used:+accepted $used; }" "${last:+proxy said ${last#*/}; }" "$(printf '%s' "$note" | tr '\t|' '  ' | cut -c1-200)" >>"$TSV"
	mkdir -p "$W/logs"
	mv -f "$log" "$W/logs/$client.$col.log"
}

for c in "${CLIENTS[@]}"; do
	for col in "${COLS[@]}"; do
		case "$col" in post5m-* | post5mwrong-*) case "$c" in urllib_handlers|requests|curl_anyauth|httpx) ;; *) continue ;; esac ;; esac
		# Browsers take credentials from an API, not a URL: no raw URL
		# column; and a browser costs seconds a cell, so the columns that
		# only repeat another are left out for them.
		case "$c:$col" in
		chromium_auth:rawspecial-* | firefox:rawspecial-*) continue ;;
		chromium_auth:md5-https | chromium_auth:sha256-https | firefox:md5-https | firefox:sha256-https) continue ;;
		chromium:md5-* | chromium:sha256basic-* | chromium:sha256-https | chromium:special-* | chromium:rawspecial-*) continue ;;
		esac
		# Rows that exist for one question only.
		case "$c:$col" in
		curl_bearer:bearer-* | curl_bearer:basic-http) ;;
		curl_bearer:*) continue ;;
		java_tunnelbasic:basic-* | java_tunnelbasic:sha256basic-* | java_tunnelbasic:ntlm-*) ;;
		java_tunnelbasic:*) continue ;;
		chromium_loopback:basic-*) ;;
		chromium_loopback:*) continue ;;
		curl_negotiate:negotiate-* | curl_negotiate:basic-http) ;;
		curl_negotiate:*) continue ;;
		requests_kerberos:negotiate-* | requests_kerberos:basic-http) ;;
		requests_kerberos:*) continue ;;
		firefox_nocreds:negotiate-* | firefox_nocreds:basic-http) ;;
		firefox_nocreds:*) continue ;;
		esac
		[ "$SUBSET" = 1 ] && case "$col" in *-https|bearer-*|md5-*|ntlm-*|negotiate-*|post5m-*|post5mwrong-*) continue ;; esac
		cell "$c" "$col"
	done
	echo "interop: $c done" >&2
done
echo "interop: cells in $TSV" >&2
if [ -n "$OUT" ]; then
	"$PY" tests/interop/table.py "$TSV" "${CLIENTS[*]}" "${COLS[*]}" >"$OUT" || exit 1
	echo "interop: wrote $OUT" >&2
fi

#!/bin/sh
# mk/deps.sh build|test|bench|interop - check the Debian packages lab407 needs and
# install what is missing when we can (root with apt-get); otherwise print
# the exact command to run and stop.
set -u
what=${1:-build}

BUILD_PKGS="make gcc pkg-config libssl-dev libreadline-dev libcrypt-dev libevent-dev libkrb5-dev"
# Test peers and tools: cmocka for unit tests, curl/wget/python3/squid/
# tinyproxy as real peers, htpasswd/htdigest (apache2-utils) for credential
# files, openssl for a test certificate, graphviz for diagrams, tmux to
# drive the REPL in a terminal, a private Kerberos KDC and its tools
# (krb5-kdc, krb5-admin-server, krb5-user) for Negotiate, Chromium and
# Firefox (firefox-esr) for the browser tests, wrk to check that make
# bench's load (tests/bench/absolute.lua) goes through bin/proxy, and
# nginx with it for a short run of make bench's own script
# (tests/integration/bench_run.sh: its rounds and medians).  npm is
# not listed: it comes with Node.js, and Debian's own npm package
# conflicts with a nodejs that bundles it; the browser test says SKIP,
# with the reason, where there is no npm.
TEST_PKGS="libcmocka-dev clang libclang-rt-14-dev graphviz curl wget python3 squid tinyproxy apache2-utils openssl tmux chromium firefox-esr krb5-kdc krb5-admin-server krb5-user faketime git wrk nginx"
# make bench: nginx (the origin, and the reference authenticating proxy),
# wrk (the load), Squid and tinyproxy (the peers), openssl (a password
# hash for Squid's basic_ncsa_auth), python3 (reading /proc).  taskset
# comes with util-linux.
BENCH_PKGS="nginx wrk squid tinyproxy openssl python3"
# make interop: the real clients of the matrix (docs/interop.md) that
# Debian packages (the private KDC for the Negotiate columns, Firefox and
# Chromium for the browser rows); undici comes from npm into build/interop,
# playwright-core and puppeteer-core into build/npm.  nodejs brings npm
# with it in the packages this machine uses.
INTEROP_PKGS="curl wget git openssl python3 python3-pip python3-requests python3-httpx python3-aiohttp python3-requests-kerberos golang-go openjdk-17-jdk-headless nodejs chromium firefox-esr apt krb5-kdc krb5-admin-server krb5-user"
BREW_PKGS="openssl@3 readline pkg-config cmocka graphviz curl wget python squid tinyproxy tmux krb5"

pkgs=$BUILD_PKGS
[ "$what" = test ] && pkgs="$BUILD_PKGS $TEST_PKGS"
[ "$what" = bench ] && pkgs="$BUILD_PKGS $BENCH_PKGS"
[ "$what" = interop ] && pkgs="$BUILD_PKGS $INTEROP_PKGS"

if ! command -v dpkg-query >/dev/null 2>&1; then
	if [ "$(uname -s)" = Darwin ]; then
		echo "lab407: not a Debian system. Install the dependencies with:"
		echo "  brew install $BREW_PKGS"
	else
		echo "lab407: not a Debian system; install the equivalents of:"
		echo "  $pkgs"
	fi
	# Carry on if the build tools are there anyway; make will say what fails.
	exit 0
fi

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "lab407: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "${LAB407_APT_UPDATED:-}" ]; then
		apt-get update -qq || exit 1
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null || exit 1
	# Debian starts squid, tinyproxy and nginx as services on install; the
	# tests and benchmarks run their own instances on free loopback ports.
	for s in squid tinyproxy nginx; do
		case " $missing " in *" $s "*) service "$s" stop >/dev/null 2>&1 || true ;; esac
	done
	exit 0
fi

echo "lab407: missing packages:$missing"
echo "Install them with:"
echo "  sudo apt-get install -y$missing"
exit 1

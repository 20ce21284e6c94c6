# tests/kdc/kdc.sh - a private, throw-away Kerberos realm on loopback
# (sourced by tests/integration/negotiate.sh and by `make lab-kdc`).
#
# kdc_start DIR: in DIR only, write a krb5.conf and kdc.conf for realm
# LAB407.TEST, create its database (kdb5_util), the lab principals
# alice, bob and mallory with their lab passwords and the proxy's service
# principal HTTP/localhost with a random key in DIR/http.keytab
# (kadmin.local), and run krb5kdc on a free 127.0.0.1 port.  Exports
# KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME, KRB5_KTNAME and KRB5RCACHEDIR
# pointing into DIR, so nothing outside DIR is read or written, and sets
# KDC_PID and KDC_PORT.  No system service is touched.
# kdc_stop: stop that krb5kdc.
# kdc_kinit USER PASSWORD: a ticket-granting ticket in KRB5CCNAME.
#
# The service principal names the host the client uses: a client going
# to http://localhost:PORT asks for HTTP/localhost.  dns_canonicalize_hostname
# = false and rdns = false keep MIT krb5 from turning "localhost" (or
# 127.0.0.1) into another name through DNS.

KDC_REALM=LAB407.TEST
KDC_BIN=/usr/sbin
KDC_START_WAIT=100   # tenths of a second for krb5kdc to accept

kdc_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

kdc_missing() {
	local t
	for t in "$KDC_BIN/kdb5_util" "$KDC_BIN/kadmin.local" "$KDC_BIN/krb5kdc" \
		/usr/bin/kinit /usr/bin/kdestroy; do
		[ -x "$t" ] || { echo "$t"; return 0; }
	done
	return 1
}

kdc_start() {
	local dir=$1
	mkdir -p "$dir/rcache"
	KDC_PORT=$(kdc_free_port)
	cat >"$dir/krb5.conf" <<CONF
[libdefaults]
	default_realm = $KDC_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	default_ccache_name = FILE:$dir/ccache
[realms]
	$KDC_REALM = {
		kdc = 127.0.0.1:$KDC_PORT
	}
[domain_realm]
	localhost = $KDC_REALM
	.localhost = $KDC_REALM
CONF
	cat >"$dir/kdc.conf" <<CONF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$KDC_PORT
	kdc_tcp_listen = 127.0.0.1:$KDC_PORT
[realms]
	$KDC_REALM = {
		database_name = $dir/principal
		key_stash_file = $dir/stash
		acl_file = $dir/kadm5.acl
		kdc_listen = 127.0.0.1:$KDC_PORT
		kdc_tcp_listen = 127.0.0.1:$KDC_PORT
		max_life = 1h
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$dir/kdc.log
CONF
	: >"$dir/kadm5.acl"
	export KRB5_CONFIG=$dir/krb5.conf
	export KRB5_KDC_PROFILE=$dir/kdc.conf
	export KRB5CCNAME=FILE:$dir/ccache
	export KRB5_KTNAME=FILE:$dir/http.keytab
	export KRB5RCACHEDIR=$dir/rcache
	"$KDC_BIN/kdb5_util" create -s -r "$KDC_REALM" -P lab407-master-key \
		>"$dir/kdb5_util.out" 2>&1 || return 1
	{
		echo "addprinc -pw wonderland alice"
		echo "addprinc -pw builder bob"
		echo "addprinc -pw letmein mallory"
		echo "addprinc -randkey HTTP/localhost"
		echo "ktadd -k $dir/http.keytab HTTP/localhost"
	} | "$KDC_BIN/kadmin.local" -r "$KDC_REALM" >"$dir/kadmin.out" 2>&1 || return 1
	"$KDC_BIN/krb5kdc" -n -P "$dir/kdc.pid" >"$dir/krb5kdc.out" 2>&1 &
	KDC_PID=$!
	local i
	for i in $(seq 1 "$KDC_START_WAIT"); do
		kill -0 "$KDC_PID" 2>/dev/null || return 1
		(exec 3<>"/dev/tcp/127.0.0.1/$KDC_PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

kdc_kinit() {
	printf '%s\n' "$2" | /usr/bin/kinit "$1@$KDC_REALM" >/dev/null 2>&1
}

kdc_stop() {
	[ -n "${KDC_PID:-}" ] || return 0
	kill -TERM "$KDC_PID" 2>/dev/null
	local i
	for i in $(seq 1 50); do
		kill -0 "$KDC_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$KDC_PID" 2>/dev/null
	wait "$KDC_PID" 2>/dev/null
	KDC_PID=
}

#!/usr/bin/env bash
# tests/integration/htfiles.sh - files made by Apache's own htpasswd and
# htdigest (Debian package apache2-utils) must load with users_load().
#
# The checker is the unit-test binary test_users run with
# LAB407_USERS_FILE set (it loads the file, prints its kind and checks one
# password or HA1).  Without it, bin/proxy --users must start on the good
# files and refuse the bad one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

B=${LAB407_BUILD:-build}
HELPER="$B/tests/test_users"

need htpasswd "htpasswd files" || exit 0
need htdigest "htdigest files" || exit 0
if [ ! -x "$HELPER" ] && [ ! -x "$BIN/proxy" ]; then
	skip "htpasswd files" "neither $HELPER nor $BIN/proxy is built"
	exit 0
fi

# loads NAME FILE USER PASS|REALM WANT_KIND: the file loads, has the kind
# and the user checks out (a password for htpasswd, an HA1 for htdigest).
loads() {
	local name=$1 file=$2 user=$3 secret=$4 kind=$5 out rc
	if [ -x "$HELPER" ]; then
		if [ "$kind" = htdigest ]; then
			out=$(LAB407_USERS_FILE=$file LAB407_USERS_USER=$user \
				LAB407_USERS_REALM=$secret timeout 30 "$HELPER" 2>&1)
		else
			out=$(LAB407_USERS_FILE=$file LAB407_USERS_USER=$user \
				LAB407_USERS_PASSWORD=$secret timeout 30 "$HELPER" 2>&1)
		fi
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$name" "users_load refused it: $(printf '%s' "$out" | grep -E 'error:|Failure|ERROR' | head -2 | tr '\n' ' ')"
			return
		fi
		check_contains "$name" "$out" "kind=$kind"
	else
		local auth=basic
		[ "$kind" = htdigest ] && auth=digest
		if start "px_$RANDOM" "$BIN/proxy" --listen 127.0.0.1:0 \
			--auth "$auth" --users "$file" 2>/dev/null; then
			ok "$name"
		else
			fail "$name" "bin/proxy did not start with --users $file"
		fi
	fi
}

# refused NAME FILE WANT: users_load fails with a "FILE:LINE: reason".
refused() {
	local name=$1 file=$2 want=$3 out rc
	if [ -x "$HELPER" ]; then
		out=$(LAB407_USERS_FILE=$file timeout 30 "$HELPER" 2>&1)
	else
		out=$(timeout 10 "$BIN/proxy" --listen 127.0.0.1:0 --auth basic \
			--users "$file" 2>&1 </dev/null)
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		fail "$name" "a malformed file was accepted"
	else
		check_contains "$name" "$out" "$want"
	fi
}

# wrong_password NAME FILE USER PASS: the helper must refuse it.
wrong_password() {
	local name=$1 out
	[ -x "$HELPER" ] || { skip "$name" "needs $HELPER"; return; }
	out=$(LAB407_USERS_FILE=$2 LAB407_USERS_USER=$3 \
		LAB407_USERS_PASSWORD=$4 timeout 30 "$HELPER" 2>&1)
	if [ $? -ne 0 ]; then ok "$name"; else
		fail "$name" "a wrong password was accepted"; fi
}

# ---- htpasswd, one file per hash ----

F=$TMP/pw
htpasswd -cbB -C 5 "$F.bcrypt" alice wonderland 2>/dev/null
htpasswd -bB -C 5 "$F.bcrypt" bob builder 2>/dev/null
loads "htpasswd -B (bcrypt \$2y\$)" "$F.bcrypt" bob builder htpasswd
wrong_password "htpasswd -B wrong password" "$F.bcrypt" alice builder

htpasswd -cbm "$F.md5" alice wonderland 2>/dev/null
htpasswd -bm "$F.md5" bob builder 2>/dev/null
loads "htpasswd -m (\$apr1\$)" "$F.md5" alice wonderland htpasswd
wrong_password "htpasswd -m wrong password" "$F.md5" alice wonderlan

htpasswd -cbs "$F.sha" alice wonderland 2>/dev/null
loads "htpasswd -s ({SHA})" "$F.sha" alice wonderland htpasswd
wrong_password "htpasswd -s wrong password" "$F.sha" alice x

if htpasswd -nb2 x y >/dev/null 2>&1; then
	htpasswd -cb2 "$F.sha256" alice wonderland 2>/dev/null
	loads "htpasswd -2 (\$5\$)" "$F.sha256" alice wonderland htpasswd
	htpasswd -cb5 -r 2000 "$F.sha512" alice wonderland 2>/dev/null
	loads "htpasswd -5 -r 2000 (\$6\$rounds=)" "$F.sha512" alice wonderland htpasswd
else
	skip "htpasswd -2/-5" "this htpasswd has no SHA-crypt options"
fi

# htpasswd -p writes the password as is: that is our plain format.
htpasswd -cbp "$F.plain" alice wonderland 2>/dev/null
loads "htpasswd -p (plain)" "$F.plain" alice wonderland plain

# ---- htdigest ----

D=$TMP/digest
printf 'wonderland\nwonderland\n' | timeout 10 htdigest -c "$D" "lab407 proxy" alice >/dev/null 2>&1
printf 'builder\nbuilder\n' | timeout 10 htdigest "$D" "lab407 proxy" bob >/dev/null 2>&1
if [ "$(wc -l <"$D" 2>/dev/null)" = 2 ]; then
	loads "htdigest (user:realm:HA1)" "$D" bob "lab407 proxy" htdigest
	# the HA1 htdigest wrote is MD5("alice:lab407 proxy:wonderland")
	check "htdigest HA1 value" "$(grep '^alice:' "$D")" \
		"alice:lab407 proxy:5b3c1756d2caec5d396b60e0a419aa06"
else
	skip "htdigest" "htdigest did not read the password from stdin"
fi

# ---- damaged files are refused with FILE:LINE ----

cp "$F.bcrypt" "$TMP/bad"
echo 'carol' >>"$TMP/bad"
refused "a line with no colon" "$TMP/bad" "$TMP/bad:3:"
sed 's/\$2y\$05\$/$2y$05$x/' "$F.bcrypt" >"$TMP/bad2"
refused "a damaged bcrypt hash" "$TMP/bad2" "$TMP/bad2:1: malformed password hash"

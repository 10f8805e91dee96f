#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SNMPv3 (USM) against Debian's snmpd on 127.0.0.1 with its own config (createUser for an
# authPriv SHA-256/AES user):
#   - authPriv with the right keys stores the agent's values (an INTEGER and a Counter32);
#   - a wrong authentication key is a device error whose log line names the cause
#     ("Authentication failure") and stores nothing;
#   - a wrong privacy key stores nothing either (snmpd drops what it cannot decrypt, so the
#     client sees no reply: the log says so);
#   - a secrets file readable by group or others is refused by check-config, and the
#     message never contains a key.
. "$(dirname "$0")/lib.sh"

udp_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
P=$(udp_port)
mkdir -p "$T/persist" "$T/profiles/test"
cat >"$T/snmpd.conf" <<C
agentAddress udp:127.0.0.1:$P
[snmp] persistentDir $T/persist
createUser gdcuser SHA-256 auth-key-8a7d6c AES priv-key-31c9e0
createUser gdcuser2 SHA-256 auth-key-8a7d6c AES priv-key-31c9e0
createUser gdcuser3 SHA-256 auth-key-8a7d6c AES priv-key-31c9e0
rouser gdcuser authPriv
rouser gdcuser2 authPriv
rouser gdcuser3 authPriv
sysServices 77
override .1.3.6.1.4.1.8072.9999.1.0 integer 4321
override .1.3.6.1.4.1.8072.9999.2.0 counter 1234567
C
bg snmpd snmpd -f -Lo -C -c "$T/snmpd.conf" -p "$T/snmpd.pid"
n=0
until snmpget -v3 -l authPriv -u gdcuser -a SHA-256 -A auth-key-8a7d6c -x AES -X priv-key-31c9e0 \
	-t 0.3 -r 0 "127.0.0.1:$P" 1.3.6.1.2.1.1.7.0 >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -gt 40 ] && { cat "$T/snmpd.log"; fail "snmpd did not answer"; }
	sleep 0.25
done

cat >"$T/profiles/test/v3.yaml" <<'Y'
profile: v3
class: test
driver: snmp
source: "test/integration/test_snmp_v3.sh snmpd.conf"
points:
  - {metric: load_pct, oid: 1.3.6.1.2.1.1.7.0}
  - {metric: power_w, oid: 1.3.6.1.4.1.8072.9999.1.0, scale: 0.5}
  - {metric: energy_kwh, kind: counter, counter_bits: 32, oid: 1.3.6.1.4.1.8072.9999.2.0, scale: 0.1}
Y
printf 'auth_key: auth-key-8a7d6c\npriv_key: priv-key-31c9e0\n' >"$T/good.secrets"
printf 'auth_key: WRONG-AUTH-KEY-1\npriv_key: priv-key-31c9e0\n' >"$T/badauth.secrets"
printf 'auth_key: auth-key-8a7d6c\npriv_key: WRONG-PRIV-KEY-2\n' >"$T/badpriv.secrets"
chmod 600 "$T"/*.secrets

# Each device has its own USM user: net-snmp caches keys per (engine id, user) process-wide,
# so two devices naming the same user on the same agent share the first one's keys
# (docs/drivers/snmp.md, "net-snmp's global state").
dev() { # name secrets user
	echo "  - {name: $1, driver: snmp, address: \"udp:127.0.0.1:$P\", profile: test/v3, interval: 1s, timeout: 500ms,"
	echo "     options: {version: 3, security_name: $3, security_level: authPriv, auth_protocol: SHA-256, priv_protocol: AES, secrets_file: $2}}"
}
{
	echo "site: {id: it, timezone: UTC, altitude_m: 0}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {workers: 3, max_backoff: 2s, drivers_dir: $B/drivers, profiles_dir: profiles, log_level: info}"
	echo "devices:"
	dev v3-good "$T/good.secrets" gdcuser
	dev v3-badauth "$T/badauth.secrets" gdcuser2
	dev v3-badpriv "$T/badpriv.secrets" gdcuser3
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"

# A secrets file others can read is refused, without echoing its keys.
cp "$T/good.secrets" "$T/open.secrets"
chmod 644 "$T/open.secrets"
sed "s|$T/good.secrets|$T/open.secrets|" "$T/greendc.yaml" >"$T/open.yaml"
if "$B/greendc" check-config "$T/open.yaml" >"$T/open.out" 2>&1; then
	fail "a world-readable secrets file was accepted"
fi
grep -q "secrets_file: .*lets group or others read it" "$T/open.out" || { cat "$T/open.out"; fail "no reason given"; }
if grep -q "auth-key-8a7d6c\|priv-key-31c9e0" "$T/open.out"; then fail "a key leaked into the message"; fi
ok "group/world-readable secrets file refused: $(grep -o 'secrets_file:.*' "$T/open.out" | head -1)"

bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 4
stop greendcd

G() { "$B/greendc" --db "$T/greendc.db" "$@"; }
last() { G query "$1" --from -10m --to now --step raw --format csv | tail -n 1 | cut -d, -f2; }
[ "$(last 'v3-good load_pct')" = 77 ] || fail "v3-good load_pct = $(last 'v3-good load_pct')"
[ "$(last 'v3-good power_w')" = 2160.5 ] || fail "v3-good power_w = $(last 'v3-good power_w')"
[ "$(last 'v3-good energy_kwh')" = 123456.7 ] || fail "v3-good energy_kwh = $(last 'v3-good energy_kwh')"
ok "authPriv SHA-256/AES: sysServices 77, 4321 x 0.5 = 2160.5 W, Counter32 1234567 x 0.1 = 123456.7 kWh"

for d in v3-badauth v3-badpriv; do
	s=$(G series "$d *" --format csv | grep -v '^id,' | grep -v greendc_ || true)
	[ -z "$s" ] || fail "$d stored data: $s"
	up=$(last "$d greendc_device_up")
	[ "$up" = 0 ] || fail "$d greendc_device_up = '$up', expected 0"
done
grep 'v3-badauth' "$T/greendcd.log" | grep -qi 'authentication failure' ||
	{ grep v3-bad "$T/greendcd.log"; fail "wrong auth key not named in the log"; }
ok "wrong auth key: $(grep 'v3-badauth' "$T/greendcd.log" | grep -i -m1 -o 'report.*')"
grep 'v3-badpriv' "$T/greendcd.log" | grep -qi 'no reply' ||
	{ grep v3-bad "$T/greendcd.log"; fail "wrong priv key: no error logged"; }
ok "wrong priv key: nothing stored, logged: $(grep 'v3-badpriv' "$T/greendcd.log" | grep -i -m1 -o 'no reply.*')"
if grep -q "auth-key-8a7d6c\|priv-key-31c9e0\|WRONG-" "$T/greendcd.log"; then fail "a key leaked into the log"; fi
ok "no key in the daemon log"

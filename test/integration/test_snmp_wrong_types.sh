#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts that the honest device is polled on time (gaps <= 1.25 s)
# An SNMP agent that answers with the wrong types: the APC rPDU2 recording rewritten so every
# value the profile reads comes back as an OctetString, an OID or an IpAddress. greendcd logs
# the device's failure once, marks it down, stores none of the garbage, does not crash, and the
# same agent's honest twin (the unmodified recording) keeps its 1 s cadence.
. "$(dirname "$0")/lib.sh"

P=$(free_udp_port)
mkdir -p "$T/data" "$T/cache"
src="$top/test/devices/snmprec/apc_apdu9959eu3.snmprec"
cp "$src" "$T/data/honest.snmprec"
# Every rPDU2 status value (318.1.1.26.*) becomes a string, an OID or an IP address in turn.
awk -F'|' 'BEGIN { OFS = "|" }
	$1 ~ /^1\.3\.6\.1\.4\.1\.318\.1\.1\.26\./ && ($2 == 2 || $2 == 65 || $2 == 66) {
		n++
		if (n % 3 == 0) { $2 = 4; $3 = "12.5 kW" }
		else if (n % 3 == 1) { $2 = 6; $3 = "1.3.6.1.4.1.318" }
		else { $2 = 64; $3 = "10.0.0.1" }
	}
	{ print }' "$src" >"$T/data/liar.snmprec"
cmp -s "$src" "$T/data/liar.snmprec" && fail "the rewrite changed nothing"
start_snmpsim "$P" honest
cat >"$T/greendc.yaml" <<Y
site: {id: liar}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 4s}
devices:
  - {name: honest, driver: snmp, address: "udp:127.0.0.1:$P", profile: pdu/apc-rpdu2,
     interval: 1s, timeout: 800ms, options: {community: honest}}
  - {name: liar, driver: snmp, address: "udp:127.0.0.1:$P", profile: pdu/apc-rpdu2,
     interval: 1s, timeout: 800ms, options: {community: liar}}
Y
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 8
alive greendcd || fail "greendcd crashed"
stop greendcd
ok "no crash; clean exit"
G() { "$B/greendc" --db "$T/greendc.db" "$@"; }
state=$(G devices --format csv | grep '^liar,' | cut -d, -f4)
[ "$state" = down ] || fail "liar is '$state', expected down"
ok "lying device marked down"
stored=$(G series 'liar *' --format csv | grep -vc 'greendc_\|^id,' || true)
[ "$stored" = 0 ] || { G series 'liar *'; fail "garbage stored for the liar ($stored series)"; }
ok "nothing stored from the wrong-typed answers"
n=$(grep -c 'liar:' "$T/greendcd.log" || true)
[ "$n" = 1 ] || { grep 'liar' "$T/greendcd.log"; fail "liar logged $n times, expected once"; }
ok "logged once: $(grep 'liar:' "$T/greendcd.log" | sed 's/^[0-9-]* [0-9:]* //')"
G query 'honest greendc_device_up' --from -5m --to now --step raw --format csv | tail -n +2 >"$T/up.csv"
$PY - "$T/up.csv" <<'P' || fail "the honest device was disturbed"
import csv, datetime
t = [datetime.datetime.fromisoformat(r[0].replace("Z", "+00:00")).timestamp() for r in csv.reader(open(__import__("sys").argv[1]))]
gaps = [b - a for a, b in zip(t, t[1:])]
assert len(t) >= 6 and max(gaps) <= 1.25, (len(t), max(gaps))
print(f"ok - honest twin: {len(t)} polls, largest gap {max(gaps):.3f} s")
P
v=$(G query 'honest power_w' --from -5m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
[ "$v" = 1170 ] || fail "honest power $v, expected 1170"
ok "honest twin reads 1170 W"

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A Counter32 energy register read over SNMP from Debian's snmpd (v2c, 127.0.0.1) through a
# wrap and an agent restart:
#   4294967000 -> (snmpd restarted at) 500: a 32-bit wrap, +796, no event;
#   500 -> (restarted at) 100: a restart from zero, +100, a counter_reset event.
# The stored energy is the unwrapped total: 4294967000, 4294967796, 4294967896.
. "$(dirname "$0")/lib.sh"

P=$($PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/persist" "$T/profiles/test"
agent() { # name counter-value: (re)start snmpd serving the value
	cat >"$T/snmpd-$1.conf" <<C
agentAddress udp:127.0.0.1:$P
[snmp] persistentDir $T/persist
rocommunity energy 127.0.0.1
override .1.3.6.1.4.1.8072.9999.2.0 counter $2
C
	bg "$1" snmpd -f -Lo -C -c "$T/snmpd-$1.conf" -p "$T/snmpd-$1.pid"
	n=0
	until [ "$(snmpget -v2c -c energy -Oqv -t 0.3 -r 0 "127.0.0.1:$P" 1.3.6.1.4.1.8072.9999.2.0 2>/dev/null)" = "$2" ]; do
		n=$((n + 1))
		[ $n -gt 40 ] && { cat "$T/$1.log"; fail "snmpd $1 does not serve $2"; }
		sleep 0.25
	done
}
cat >"$T/profiles/test/energy.yaml" <<'Y'
profile: energy
class: test
driver: snmp
source: "test/integration/test_snmp_counter.sh snmpd override"
points:
  - {metric: energy_kwh, kind: counter, counter_bits: 32, oid: 1.3.6.1.4.1.8072.9999.2.0}
Y
cat >"$T/greendc.yaml" <<Y
site: {id: it, timezone: UTC, altitude_m: 0}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {workers: 2, max_backoff: 1s, drivers_dir: $B/drivers, profiles_dir: profiles, log_level: info}
devices:
  - {name: meter, driver: snmp, address: "udp:127.0.0.1:$P", profile: test/energy, interval: 500ms, timeout: 300ms, options: {community: energy}}
Y
agent a 4294967000
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 2
stop a
agent b 500
sleep 2
stop b
agent c 100
sleep 2
stop greendcd

"$B/greendc" --db "$T/greendc.db" query 'meter energy_kwh' --from -10m --to now --step raw --format csv |
	tail -n +2 | cut -d, -f2 | uniq >"$T/totals"
printf '4294967000\n4294967796\n4294967896\n' >"$T/want"
diff "$T/want" "$T/totals" || fail "stored totals differ (want left, stored right)"
ok "unwrapped totals: $(tr '\n' ' ' <"$T/totals")"
ev=$(sqlite3 -readonly "$T/greendc.db" "select group_concat(kind) from events where kind like 'counter%'")
[ "$ev" = counter_reset ] || fail "counter events: '$ev', expected one counter_reset"
ok "one counter_reset event (the restart), none for the wrap"

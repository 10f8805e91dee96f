#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Profiles matched by identity: device entries that name no profile are identified at run
# time and read with the profile whose `match: {sysobjectid: PREFIX}` is the longest prefix of
# sysObjectID.0; when no profile claims the sysObjectID, a profile that claims a standard MIB
# the agent answers (`match: {answers: OID}`) is used. Every recording must get the profile its
# device test names (the Eaton 93PS, enterprise 705, through UPS-MIB); a copy of the Raritan
# recording under an unknown sysObjectID is claimed through its PDU2-MIB table; a copy of the
# APC EMU recording under an unknown sysObjectID answers nothing a profile claims and is down
# with a clear reason.
. "$(dirname "$0")/lib.sh"

DEV="$top/test/devices"
P=$(free_udp_port)
mkdir -p "$T/data" "$T/cache"
cp "$DEV"/snmprec/*.snmprec "$T/data/"
# Test-only copies with a sysObjectID no profile claims (enterprise 99999 is unassigned here).
sed 's/^1\.3\.6\.1\.2\.1\.1\.2\.0|6|.*/1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1/' \
	"$DEV/snmprec/raritan-pdu_px3.snmprec" >"$T/data/oem-pdu2.snmprec"
sed 's/^1\.3\.6\.1\.2\.1\.1\.2\.0|6|.*/1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.2/' \
	"$DEV/snmprec/apc_emu.snmprec" >"$T/data/unknown-emu.snmprec"
start_snmpsim "$P" apc_emu
{
	echo "site: {id: ident}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 4s}"
	echo "devices:"
	for f in "$T"/data/*.snmprec; do
		n=$(basename "$f" .snmprec)
		echo "  - {name: $n, driver: snmp, address: \"udp:127.0.0.1:$P\", interval: 1s, timeout: 1s, options: {community: $n}}"
	done
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "config without profiles refused"; }
ok "check-config accepts devices without a profile ($(cat "$T/check.out" | sed 's/^.*: ok: //'))"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 5
stop greendcd
nexp=0
for e in "$DEV"/*.expected; do
	n=$(basename "$e" .expected)
	[ -f "$DEV/snmprec/$n.snmprec" ] || continue
	nexp=$((nexp + 1))
	want=$(sed -n 's/^profile //p' "$e")
	line=$(grep "$n: identified as " "$T/greendcd.log") || {
		grep "$n" "$T/greendcd.log" | head -3
		fail "$n not identified"
	}
	got=$(echo "$line" | sed 's/.*identified as \([^ ]*\) .*/\1/')
	[ "$got" = "$want" ] || fail "$n identified as $got, its device test uses $want"
	ok "$n -> $got ($(echo "$line" | sed 's/.*identified as [^ ]* (\(.*\))$/\1/'))"
done
grep -q "eaton-mgeups_93ps: identified as ups/ups-mib (sysobjectid=1.3.6.1.4.1.705.1, answers=1.3.6.1.2.1.33.1.1.1)" "$T/greendcd.log" ||
	fail "the Eaton 93PS was not identified through UPS-MIB"
ok "the Eaton 93PS (no vendor profile) is claimed by ups/ups-mib through upsIdentManufacturer"
grep -q "apc_smx750: identified as ups/apc-smartups (sysobjectid=1.3.6.1.4.1.318.1.3.27, answers=1.3.6.1.2.1.33.1.1.1)" "$T/greendcd.log" ||
	fail "the APC Smart-UPS (which answers UPS-MIB too) did not get its vendor profile"
ok "the APC Smart-UPS answers UPS-MIB too, and its vendor profile wins"
grep -q "oem-pdu2: identified as pdu/raritan-px3 (sysobjectid=1.3.6.1.4.1.99999.1, answers=1.3.6.1.4.1.13742.6.5.2.3.1.4" "$T/greendcd.log" ||
	{ grep oem-pdu2 "$T/greendcd.log" | head -3; fail "an unknown sysObjectID serving PDU2-MIB was not claimed by its table"; }
ok "an unknown sysObjectID serving the PDU2-MIB inlet table is read with pdu/raritan-px3"
grep -q "unknown-emu: no profile matches sysobjectid=1.3.6.1.4.1.99999.2" "$T/greendcd.log" ||
	{ grep unknown-emu "$T/greendcd.log" | head -3; fail "unknown-emu: no clear reason for staying unidentified"; }
grep -q "unknown-emu: identified" "$T/greendcd.log" && fail "unknown-emu was identified"
ok "an agent no profile claims (by sysObjectID or a standard MIB) is down with that reason"
v=$("$B/greendc" --db "$T/greendc.db" query 'apc_apdu9959eu3 power_w' --from -5m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
[ "$v" = 1170 ] || fail "identified APC PDU reads $v W, expected 1170"
ok "identified APC rPDU2 reads 1170 W"
v=$("$B/greendc" --db "$T/greendc.db" query 'eaton-mgeups_93ps power_w{phase=3}' --from -5m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
[ "$v" = 1600 ] || fail "identified Eaton 93PS reads $v W on line 3, expected 1600"
ok "identified Eaton 93PS reads 1600 W on output line 3"
e=$(sql "$T/greendc.db" "SELECT count(*) FROM events WHERE kind = 'device_identified'")
[ "$e" = $((nexp + 1)) ] || fail "$e device_identified events, expected $((nexp + 1))"
ok "$e device_identified events recorded"

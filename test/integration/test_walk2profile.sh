#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tools/walk2profile on a real recording (APC rPDU2, .snmprec) and on snmpwalk -On text:
# the stub carries the sysObjectID as match:, offers the device's power OID as a candidate,
# groups repeated instances into a column, skips non-device MIB-2 and non-numbers; and a
# stub finished the documented way validates with greendc check-config.
. "$(dirname "$0")/lib.sh"
W="$top/tools/walk2profile"
"$W" "$top/test/devices/snmprec/apc_apdu9959eu3.snmprec" >"$T/stub.yaml"
grep -qx 'match: {sysobjectid: 1.3.6.1.4.1.318.1.3.4.6}' "$T/stub.yaml" || fail "no match: line"
grep -qx '  # Integer32 117' "$T/stub.yaml" || fail "rPDU2DeviceStatusPower value missing"
grep -qx '  #   oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.5.1' "$T/stub.yaml" || fail "power OID missing"
grep -qx '  #   column: 1.3.6.1.4.1.318.1.1.4.4.2.1.3' "$T/stub.yaml" || fail "outlet column missing"
if grep -q '1\.3\.6\.1\.2\.1\.2\.' "$T/stub.yaml"; then fail "interface table offered"; fi
if grep -q '26\.4\.3\.1\.3\.1' "$T/stub.yaml"; then fail "a string variable offered"; fi
ok "snmprec stub: match, power candidate, outlet column, no IF-MIB, no strings"

# Finish it: name it, keep the power point.
mkdir -p "$T/profiles/pdu"
awk '/^points:/ { print; print "  - metric: power_w"; print "    oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.5.1"; print "    scale: 10"; next }
	{ sub(/^profile: CHANGE-ME.*/, "profile: my-pdu"); sub(/^class: CHANGE-ME.*/, "class: pdu"); print }' \
	"$T/stub.yaml" >"$T/profiles/pdu/my-pdu.yaml"
cat >"$T/greendc.yaml" <<Y
site: {id: it, timezone: UTC, altitude_m: 0}
storage: {path: greendc.db}
daemon: {drivers_dir: $B/drivers, profiles_dir: profiles}
devices:
  - {name: p, driver: snmp, address: "udp:127.0.0.1:161", profile: pdu/my-pdu}
Y
"$B/greendc" check-config "$T/greendc.yaml" || fail "finished stub does not validate"
ok "finished stub validates"

# snmpwalk -On text, as snmpwalk prints it.
cat >"$T/x.walk" <<'X'
.1.3.6.1.2.1.1.1.0 = STRING: "Some UPS"
.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.705.1
.1.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45
.1.3.6.1.2.1.33.1.2.3.0 = INTEGER: 137
.1.3.6.1.2.1.33.1.4.4.1.4.1 = INTEGER: 400
.1.3.6.1.2.1.33.1.4.4.1.4.2 = INTEGER: 1100
.1.3.6.1.2.1.33.1.2.1.0 = INTEGER: batteryNormal(2)
.1.3.6.1.4.1.705.1.5.2.0 = Gauge32: 0
X
"$W" "$T/x.walk" >"$T/walk.yaml"
grep -qx 'match: {sysobjectid: 1.3.6.1.4.1.705.1}' "$T/walk.yaml" || fail "walk: no match"
grep -qx '  # column 1.3.6.1.2.1.33.1.4.4.1.4: 2 rows, first .1 = Integer32 400' "$T/walk.yaml" || fail "walk: no column"
grep -qx '  #   oid: 1.3.6.1.2.1.33.1.2.1.0' "$T/walk.yaml" || fail "walk: enum INTEGER missing"
grep -qx '  # Integer32 2' "$T/walk.yaml" || fail "walk: enum value not taken from (2)"
if grep -q '1\.3\.6\.1\.2\.1\.1\.3\.0\|705\.1\.5\.2\.0' "$T/walk.yaml"; then fail "walk: sysUpTime or a zero offered"; fi
ok "snmpwalk stub: match, column, enum value, no sysUpTime, no zeros"

# Redfish: record a BMC's tree with tools/rfrecord (here the fixture serving the Dell-shaped
# mockup, Basic auth, a private CA), turn the recording into a stub, finish it the documented
# way (name, inlet sensor name), and read the fixture with it: the stored values must be the
# mockup's.
. "$(dirname "$0")/redfish_lib.sh"
redfish_certs "$T/tls"
redfish_secrets "$T/bmc.secrets"
printf '%s\n' "$RF_PASSWORD" >"$T/bmc.pass"
redfish_fixture "$T/ports" --serve dell="0:$top/test/devices/redfish/dell-idrac9"
P=$(fixture_port "$T/ports" dell)
$PY "$top/tools/rfrecord" "https://127.0.0.1:$P" --user admin --password-file "$T/bmc.pass" \
	--ca-file "$T/tls/ca.crt" --out "$T/rec" 2>"$T/rfrecord.log" || { cat "$T/rfrecord.log"; fail "rfrecord failed"; }
for f in index.json Chassis/index.json Chassis/System.Embedded.1/Power/index.json \
	Chassis/System.Embedded.1/Thermal/index.json; do
	cmp -s "$T/rec/$f" "$top/test/devices/redfish/dell-idrac9/$f" || fail "rfrecord: $f differs from what the BMC served"
done
ok "rfrecord recorded the tree ($(cat "$T/rfrecord.log" | sed 's/^rfrecord: //'))"
"$W" "$T/rec" >"$T/rf.yaml"
grep -qx 'match: {vendor: Dell}' "$T/rf.yaml" || fail "redfish stub: no vendor match"
grep -qx 'driver: redfish' "$T/rf.yaml" || fail "redfish stub: no driver"
grep -q '^  inlet_sensor: "CHANGE-ME" .*System Board Inlet Temp = 19' "$T/rf.yaml" || fail "redfish stub: inlet names not offered"
grep -qx '    source: "Power.PowerControl\[\].PowerConsumedWatts = 252"' "$T/rf.yaml" || fail "redfish stub: power row"
grep -qx '    reading: energy_derived' "$T/rf.yaml" || fail "redfish stub: no derived energy without a counter"
ok "redfish stub: vendor match, power and supplies found, derived energy, inlet names offered"
mkdir -p "$T/profiles/server"
sed -e 's/^profile: CHANGE-ME.*/profile: my-bmc/' -e 's/^  inlet_sensor: "CHANGE-ME".*/  inlet_sensor: "System Board Inlet Temp"/' \
	"$T/rf.yaml" >"$T/profiles/server/my-bmc.yaml"
cat >"$T/rf-greendc.yaml" <<Y
site: {id: it, timezone: UTC}
storage: {path: rf.db, commit_interval: 200ms}
daemon: {user: $(id -un), drivers_dir: $B/drivers, profiles_dir: profiles}
devices:
  - {name: bmc, driver: redfish, address: "https://127.0.0.1:$P", profile: server/my-bmc, interval: 1s, timeout: 1s, options: {secrets_file: $T/bmc.secrets, ca_file: $T/tls/ca.crt}}
Y
"$B/greendc" check-config "$T/rf-greendc.yaml" || fail "finished Redfish stub does not validate"
bg greendcd "$B/greendcd" -c "$T/rf-greendc.yaml"
sleep 3
stop greendcd
for s in 'power_w:252' 'inlet_temp_c:19' 'power_w{psu=PSU.Slot.2,side=input}:128'; do
	v=$("$B/greendc" --db "$T/rf.db" query "bmc ${s%:*}" --from -5m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
	[ "$v" = "${s#*:}" ] || fail "finished stub reads ${s%:*} = '$v', expected ${s#*:}"
done
ok "finished Redfish stub validates and reads 252 W, 19 C inlet, 128 W into PSU.Slot.2"

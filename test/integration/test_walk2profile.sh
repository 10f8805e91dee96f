#!/bin/sh
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

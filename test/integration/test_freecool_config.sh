#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The `cooling:` config section: the demo config validates; bad values, unknown keys, a series
# naming no configured device and an incomplete outdoor block are each reported with file:line;
# the section's settings reach `greendc freecool` (thresholds move with the approaches).
. "$(dirname "$0")/lib.sh"

"$B/greendc" check-config --no-secrets "$top/etc/demo.yaml" >/dev/null || fail "etc/demo.yaml does not validate"
ok "etc/demo.yaml with its cooling: section validates"

base() {
	cat <<Y
site: {id: t, timezone: Asia/Shanghai, altitude_m: 778}
storage: {path: t.db}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: weather, driver: modbus, address: "tcp://127.0.0.1:1", profile: sim/dcsim-weather, options: {unit_id: 40}}
Y
}
bad() { # expected message; the cooling section on stdin
	{ base; cat; } >"$T/c.yaml"
	if "$B/greendc" check-config "$T/c.yaml" >"$T/out" 2>&1; then fail "accepted: $1"; fi
	grep -q "$1" "$T/out" || { cat "$T/out"; fail "message \"$1\" missing"; }
	ok "rejected: $1"
}
bad 'c.yaml:7: cooling.economizer: expected direct-air' <<'Y'
cooling:
  economizer: chiller
Y
bad 'c.yaml:8: cooling.approach_tower_k: 40 is out of range' <<'Y'
cooling:
  economizer: tower
  approach_tower_k: 40
Y
bad 'c.yaml:.*cooling.*chw_return_c (14) must be above chw_supply_c (15)' <<'Y'
cooling:
  chw_return_c: 14
Y
bad 'c.yaml:7: cooling.colour: unknown key' <<'Y'
cooling:
  colour: blue
Y
bad 'cooling: compressor_power_w: "chiller" names no configured device' <<'Y'
cooling:
  outdoor: {dry_bulb: "weather outdoor_temp_c*", rh: "weather outdoor_rh_pct*"}
  plant: {compressor_power_w: "chiller compressor_power_w*"}
Y
bad 'give dry_bulb together with rh or dew_point' <<'Y'
cooling:
  outdoor: {dry_bulb: "weather outdoor_temp_c*"}
Y
bad 'cooling.outdoor.rh_over: expected ice or water' <<'Y'
cooling:
  outdoor: {dry_bulb: "weather outdoor_temp_c*", rh: "weather outdoor_rh_pct*", rh_over: steam}
Y

# Settings reach the calculator: tower 2 + HX 1 K at 16 C -> full free cooling at WB <= 13.
{ base; cat <<'Y'; } >"$T/ok.yaml"
cooling:
  economizer: tower
  chw_supply_c: 16
  chw_return_c: 22
  approach_tower_k: 2
  approach_hx_k: 1
Y
"$B/greendc" check-config "$T/ok.yaml" >/dev/null || fail "ok.yaml rejected"
$PY - "$T/w.epw" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("LOCATION,Tiny,XX,CHN,T,1,37.8,112.6,8.0,778\n" + "".join("H%d\n" % i for i in range(7)))
    for h in range(24):
        f.write("2005,1,1,%d,0,?9,%.1f,%.1f,50,92300\n" % (h + 1, 5.0 + h, -5.0))
PYEOF
"$B/greendc" -c "$T/ok.yaml" freecool --weather "$T/w.epw" --format json >"$T/o.json" ||
	fail "freecool with the config failed"
$PY -c "
import json,sys; o=json.load(open('$T/o.json'))
t=o['thresholds']; assert t['full_c']==13 and t['partial_c']==19, t
# an option overrides the config
" || fail "config settings not used"
"$B/greendc" -c "$T/ok.yaml" freecool --weather "$T/w.epw" --approach-hx 3 --format json >"$T/o2.json"
$PY -c "
import json; t=json.load(open('$T/o2.json'))['thresholds']; assert t['full_c']==11, t" ||
	fail "--approach-hx did not override the config"
ok "cooling: settings reach greendc freecool; options override them"

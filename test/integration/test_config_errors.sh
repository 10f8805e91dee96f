#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-config: good configs pass; each kind of mistake is reported as file:line: key: problem
# and makes the command fail. Profiles come from a private folder so the cases are exact.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/profiles/meter"
cat >"$T/profiles/meter/test-meter.yaml" <<'Y'
profile: test-meter
class: meter
driver: modbus
source: "test fixture"
points:
  - metric: power_w
    fc: 4
    register: 0x34
    type: float32
  - metric: energy_kwh
    kind: counter
    fc: 4
    register: 0x48
    type: float32
Y
cat >"$T/profiles/meter/bad-key.yaml" <<'Y'
profile: bad-key
class: meter
driver: modbus
source: "test fixture"
points:
  - metric: power_w
    fc: 4
    register: 0x34
    typ: float32
Y

good() {
	cat >"$T/$1.yaml"
	"$B/greendc" check-config "$T/$1.yaml" >"$T/$1.out" 2>&1 || { cat "$T/$1.out"; fail "$1: expected ok"; }
	ok "$1 accepted"
}
bad() { # name, expected substring
	cat >"$T/$1.yaml"
	if "$B/greendc" check-config "$T/$1.yaml" >"$T/$1.out" 2>&1; then
		cat "$T/$1.out"
		fail "$1: expected an error"
	fi
	grep -qF -- "$2" "$T/$1.out" || { cat "$T/$1.out"; fail "$1: expected \"$2\""; }
	ok "$1 rejected: $(head -n 1 "$T/$1.out")"
}

head='site: {id: t, timezone: Asia/Shanghai, altitude_m: 778}
daemon: {drivers_dir: '"$B"'/drivers, profiles_dir: profiles}
storage: {path: t.db}'

good minimal <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
    interval: 10s
    options: {unit_id: 3}
Y

bad unknown-key "unknown-key.yaml:9: devices[0].intervall: unknown key" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
    intervall: 10s
Y

bad wrong-type "wrong-type.yaml:9: devices[0].interval: expected a duration" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
    interval: ten
Y

bad duplicate-name "duplicate-name.yaml:9: devices[1]: duplicate device name \"m1\" (first at" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1503
    profile: meter/test-meter
Y

bad missing-profile "missing-profile.yaml:8: devices[0].profile: no profile \"meter/nope\"" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/nope
Y

bad missing-required "missing-required.yaml:5: devices[0]: address is required" <<Y
$head
devices:
  - name: m1
    driver: modbus
    profile: meter/test-meter
Y

bad yaml-syntax "yaml-syntax.yaml:6: yaml: did not find expected" <<Y
$head
devices:
  - name: m1
   driver: [modbus
Y

sed 's/^driver: modbus/driver: nosuch/; s/^profile: test-meter/profile: nosuch-meter/' \
	"$T/profiles/meter/test-meter.yaml" >"$T/profiles/meter/nosuch-meter.yaml"
bad profile-driver-mismatch "profile meter/test-meter is for driver modbus, not snmp" <<Y
$head
devices:
  - name: m1
    driver: snmp
    address: udp:127.0.0.1:161
    profile: meter/test-meter
Y

bad unknown-driver "devices[0] (m1): driver \"nosuch\": cannot load" <<Y
$head
devices:
  - name: m1
    driver: nosuch
    address: tcp://127.0.0.1:1502
    profile: meter/nosuch-meter
Y

# The driver validates its own keys; the complaint points into the profile file.
bad driver-key "profiles/meter/bad-key.yaml:9:" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/bad-key
Y

# A bad device option points at the config file's line.
bad driver-option "driver-option.yaml:10:" <<Y
$head
devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
    options:
      unit_id: 999
Y

bad timezone "timezone.yaml:1: site.timezone: unknown time zone" <<Y
site: {id: t, timezone: Mars/Olympus}
daemon: {drivers_dir: $B/drivers, profiles_dir: profiles}
devices: []
Y

bad site-id "site-id.yaml:1: site.id: is required" <<Y
daemon: {drivers_dir: $B/drivers, profiles_dir: profiles}
devices: []
Y

# conf.d fragments add devices, and their errors name their own file.
mkdir -p "$T/conf.d"
cat >"$T/conf.d/10-more.yaml" <<'Y'
devices:
  - name: m2
    driver: modbus
    address: tcp://127.0.0.1:1504
    profile: meter/test-meter
    labels: [not, a, map]
Y
bad conf-d "conf.d/10-more.yaml:6: devices[0].labels: expected a mapping" <<Y
$head
devices: []
Y
rm -rf "$T/conf.d"

# A driver built for another ABI is refused with a message saying so.
mkdir -p "$T/drivers"
cp "$B/drivers/modbus.so" "$T/drivers/modbus.so"
cat >"$T/old.c" <<'C'
#include <greendc/driver.h>
static int o(void *s, const struct gdc_device *d, char *e, size_t l, int *b) { (void)s; (void)d; (void)e; (void)l; (void)b; return 0; }
static int p(void *s, int64_t d, const struct gdc_sink *k, char *e, size_t l) { (void)s; (void)d; (void)k; (void)e; (void)l; return 0; }
static void c(void *s) { (void)s; }
const struct gdc_driver gdc_driver_entry = {GDC_DRIVER_ABI + 1, sizeof(struct gdc_driver), "old", 0, o, p, c};
C
cc -shared -fPIC -I"$top/include" -o "$T/drivers/old.so" "$T/old.c" || fail "cannot build the test driver"
sed 's/^driver: modbus/driver: old/; s/^profile: test-meter/profile: old-meter/' \
	"$T/profiles/meter/test-meter.yaml" >"$T/profiles/meter/old-meter.yaml"
bad abi-mismatch ": rebuild the driver" <<Y
site: {id: t}
daemon: {drivers_dir: drivers, profiles_dir: profiles}
devices:
  - {name: m1, driver: old, address: "tcp://127.0.0.1:1", profile: meter/old-meter}
Y

# ---- limits (issue 20, item 14): nesting, sizes, UTF-8; each a file:line error, at once ----
dev='devices:
  - name: m1
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter'
{
	printf '%s\n%s\n    labels: {hall: ' "$head" "$dev"
	$PY -c "import sys; sys.stdout.write('[' * 100000 + ']' * 100000)"
	printf '}\n'
} >"$T/deep.yaml"
start=$(date +%s)
if "$B/greendc" check-config "$T/deep.yaml" >"$T/deep.out" 2>&1; then fail "deep: accepted"; fi
[ $(($(date +%s) - start)) -le 2 ] || fail "a label nested 100,000 deep took $(($(date +%s) - start)) s to reject"
grep -q "deep.yaml:9: nested deeper than 32 levels" "$T/deep.out" || { cat "$T/deep.out"; fail "deep: message"; }
ok "a label nested 100,000 deep: rejected in under 2 s with file:line"
long=$($PY -c "print('x' * 200)")
bad long-name "long-name.yaml:5: devices[0].name: longer than 128 characters" <<Y
$head
devices:
  - name: $long
    driver: modbus
    address: tcp://127.0.0.1:1502
    profile: meter/test-meter
Y
bad long-label "long-label.yaml:10: devices[0].labels.hall: a label value longer than 256 bytes" <<Y
$head
$dev
    labels:
      hall: $($PY -c "print('h' * 300)")
Y
bad long-label-key "long-label-key.yaml:10: devices[0].labels: a label name longer than 64 bytes" <<Y
$head
$dev
    labels:
      $($PY -c "print('k' * 80)"): a
Y
bad many-labels "many-labels.yaml:9: devices[0].labels: 40 labels; at most 32" <<Y
$head
$dev
    labels: {$($PY -c "print(', '.join('l%d: v' % i for i in range(40)))")}
Y
bad huge-value "huge-value.yaml:1: a value longer than 16384 bytes" <<Y
site: {id: t, name: $($PY -c "print('n' * 20000)")}
Y
bad nul-label "nul-label.yaml:9: a value that is not UTF-8 text" <<Y
$head
$dev
    labels: {hall: "A\\0B"}
Y
printf '%s\n%s\n    labels: {hall: "A\377B"}\n' "$head" "$dev" >"$T/raw.yaml"
if "$B/greendc" check-config "$T/raw.yaml" >"$T/raw.out" 2>&1; then fail "raw non-UTF-8 accepted"; fi
grep -q "raw.yaml:9: yaml: invalid" "$T/raw.out" || { cat "$T/raw.out"; fail "raw non-UTF-8: message"; }
ok "raw-non-utf8 rejected: $(head -n 1 "$T/raw.out")"

# Tenants, tariffs and capacity: a rack in two tenants, an unknown rack, an outlet counted
# twice, an overlap in a time-of-use table, a rating for a device that is not configured.
racks="$head
devices:
  - {name: r1a, driver: modbus, address: tcp://127.0.0.1:1502, profile: meter/test-meter,
     labels: {hall: A, row: '1', rack: A1-01, feed: A}}
  - {name: r2a, driver: modbus, address: tcp://127.0.0.1:1502, profile: meter/test-meter,
     labels: {hall: A, row: '1', rack: A1-02, feed: A}}
tariffs:
  - {name: t, currency: CNY, source: test, prices: {flat: 0.6}}"
good tenants-ok <<Y
$racks
tenants:
  - {name: a, racks: [A1-01]}
  - {name: b, outlets: [{rack: A1-02, outlet: '1'}, {rack: A1-02, outlet: '2', feed: A}]}
capacity: {pdus: [{device: r1a, rated_a: 32, phases: 3}], racks: [{rack: A1-01, rated_kw: 8}]}
Y
bad rack-twice "rack-twice.yaml:14: tenants: rack A1-01 is in two tenants: a (line 12) and b" <<Y
$racks
tenants:
  - {name: a, racks: [A1-01]}
  - {name: b, racks: [A1-02,
                      A1-01]}
Y
bad unknown-rack "unknown-rack.yaml:12: tenants: a: unknown rack \"A9-99\"" <<Y
$racks
tenants:
  - {name: a, racks: [A9-99]}
Y
bad outlet-twice "outlet-twice.yaml:13: tenants: b: outlet 3 of rack A1-02 is counted twice: a has it already (line 12)" <<Y
$racks
tenants:
  - {name: a, outlets: [{rack: A1-02, outlet: '3'}]}
  - {name: b, outlets: [{rack: A1-02, outlet: '3', feed: A}]}
Y
bad outlet-of-whole-rack "is counted twice: tenant a has the whole rack" <<Y
$racks
tenants:
  - {name: a, racks: [A1-02]}
  - {name: b, outlets: [{rack: A1-02, outlet: '1'}]}
Y
bad tariff-overlap "tariff-overlap.yaml:13: tariffs[0].seasons[0].valley: 10:00 is already peak in this season" <<Y
$head
devices: []
tariffs:
  - name: tou
    currency: CNY
    source: test
    prices: {peak: 1, flat: 0.6, valley: 0.3}
    seasons:
      - months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        peak: ["08:00-11:00"]
        valley: ["10:00-12:00"]
Y
bad capacity-unknown "capacity.pdus: device \"nope\" is not configured" <<Y
$racks
capacity: {pdus: [{device: nope, rated_a: 16}]}
Y

# The shipped configs are valid (their secret files are made on the machine that runs them:
# `make demo` makes the demo's signing key).
for f in "$top"/etc/*.yaml; do
	"$B/greendc" check-config --no-secrets "$f" >"$T/shipped.out" 2>&1 || { cat "$T/shipped.out"; fail "$f does not validate"; }
	ok "$(basename "$f") validates"
done
echo "all config error cases passed"

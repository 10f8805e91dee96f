#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: runs make install beside the build the other tests use
# make install DESTDIR=...: everything lands under DESTDIR (nothing outside it), the installed
# programs run from there, and the systemd units (greendcd.service, greendc-report.service,
# greendc-report-annual.service)
# pass `systemd-analyze verify` and score an exposure of at most 2.0 in `systemd-analyze
# security --offline=true`. greendcd.service has no serial device and no dialout group;
# `greendc check-config --systemd-dropin` gives them to a config with Modbus RTU devices only.
# The drivers folder holds drivers only (no skel.so template, no helper objects); the driver
# ABI header and its pkg-config file build a driver out of tree that the installed greendc
# loads; the sysusers.d, tmpfiles.d and bash completion files are in place and parse.
. "$(dirname "$0")/lib.sh"
D="$T/root"
marker="$T/marker"
touch "$marker"
sleep 1
make -s -C "$top" O="${B#$top/}" install DESTDIR="$D" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; fail "make install failed"; }
# The default PREFIX (/usr/local), as the build was configured: the programs have their
# driver and profile folders compiled in, so build and install with the same PREFIX.
for f in usr/local/sbin/greendcd usr/local/bin/greendc usr/local/lib/greendc/drivers/modbus.so \
	usr/local/share/greendc/profiles/meter/eastron-sdm630.yaml usr/local/share/man/man8/greendcd.8 \
	usr/local/share/man/man1/greendc.1 usr/local/share/man/man5/greendc.yaml.5 \
	usr/local/lib/systemd/system/greendcd.service etc/greendc/greendc.yaml.example \
	usr/local/share/greendc/web/index.html usr/local/share/greendc/grafana/site-overview.json \
	usr/local/sbin/greendc-receiver usr/local/share/man/man8/greendc-receiver.8 \
	usr/local/lib/systemd/system/greendc-receiver.service usr/local/include/greendc/driver.h \
	usr/local/share/pkgconfig/greendc-driver.pc usr/local/lib/sysusers.d/greendc.conf \
	usr/local/lib/sysusers.d/greendc-receiver.conf usr/local/lib/tmpfiles.d/greendc.conf \
	usr/local/share/bash-completion/completions/greendc usr/local/share/doc/greendc/LICENSE \
	usr/local/share/doc/greendc/NOTICE \
	usr/local/share/greendc/grafana/provisioning.yaml; do
	[ -e "$D/$f" ] || fail "missing $f"
done
ok "installed files present under DESTDIR"
drivers=$(cd "$D/usr/local/lib/greendc/drivers" && ls | sort | tr '\n' ' ')
[ "$drivers" = "modbus.so snmp.so " ] || [ "$drivers" = "modbus.so redfish.so snmp.so " ] ||
	fail "drivers folder holds: $drivers(expected the drivers only)"
[ ! -e "$D/usr/local/share/greendc/driver.h" ] || fail "driver.h still under share/"
ok "drivers folder: $drivers(no skel.so, no helper objects)"
[ "$(stat -c %a "$D/etc/greendc/secrets")" = 700 ] || fail "secrets folder is not 0700"
ok "secrets folder is 0700"
# Nothing written outside DESTDIR: no file in the system folders is newer than the marker.
new=$(find /usr /etc /var/lib /opt /lib -xdev -newer "$marker" -type f 2>/dev/null | grep -v '^/var/lib/apt\|^/var/lib/dpkg\|^/var/cache' | head -n 5)
[ -z "$new" ] || fail "written outside DESTDIR: $new"
ok "nothing written outside DESTDIR"
grep -q "ExecStart=/usr/local/sbin/greendcd -c /etc/greendc/greendc.yaml" "$D/usr/local/lib/systemd/system/greendcd.service" ||
	fail "unit paths not filled in"
grep -q "^      path: \"/usr/local/share/greendc/grafana\"$" "$D/usr/local/share/greendc/grafana/provisioning.yaml" ||
	fail "Grafana provisioning path not filled in"
GREENDC_DRIVERS="$D/usr/local/lib/greendc/drivers" "$D/usr/local/bin/greendc" check-config --no-secrets "$top/etc/demo.yaml" >/dev/null || fail "installed greendc cannot validate the demo config"
ok "installed greendc runs"

for u in greendcd.service greendc-report.service greendc-report-annual.service; do
	unit="$D/usr/local/lib/systemd/system/$u"
	# Verify a copy whose program paths point into DESTDIR (verify checks they are
	# executable); the system's own units (sysinit.target, /bin/kill) resolve as they would
	# once installed.
	sed "s|/usr/local/|$D/usr/local/|g" "$unit" >"$T/$u"
	if MANPATH="$D/usr/local/share/man" systemd-analyze verify "$T/$u" >"$T/verify.log" 2>&1 &&
		! grep -v '^$' "$T/verify.log" | grep -v "greendc-report\(-annual\)\{0,1\}.timer" | grep -q .; then
		ok "$u: systemd-analyze verify: clean"
	else
		cat "$T/verify.log"
		fail "$u: systemd-analyze verify reported problems"
	fi
	systemd-analyze security --offline=true "$unit" >"$T/security.log" 2>&1 || true
	score=$(sed -n "s/.*Overall exposure level for $u: \([0-9.]*\).*/\1/p" "$T/security.log")
	[ -n "$score" ] || { tail -5 "$T/security.log"; fail "$u: no exposure score"; }
	$PY -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" || fail "$u: exposure $score > 2.0"
	ok "$u: systemd-analyze security: exposure $score (at most 2.0)"
done
unit="$D/usr/local/lib/systemd/system/greendcd.service"
# An out-of-tree driver: the template built with only the installed header, found through
# the installed pkg-config file, passes the installed greendc's ABI check.
mkdir -p "$T/drv" "$T/profiles/test"
cflags=$(PKG_CONFIG_PATH="$D/usr/local/share/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D" \
	pkg-config --cflags greendc-driver) || fail "pkg-config does not know greendc-driver"
cflags=$(echo $cflags)
[ "$cflags" = "-I$D/usr/local/include" ] || fail "pkg-config --cflags: $cflags"
[ "$(PKG_CONFIG_PATH="$D/usr/local/share/pkgconfig" pkg-config --variable=driverdir greendc-driver)" = \
	/usr/local/lib/greendc/drivers ] || fail "pkg-config driverdir"
cp "$top/drivers/skel.c" "$T/mydriver.c"
# shellcheck disable=SC2086
cc $cflags -Wall -fPIC -shared -o "$T/drv/skel.so" "$T/mydriver.c" || fail "out-of-tree build"
cat >"$T/profiles/test/const.yaml" <<Y
profile: const
class: test
driver: skel
source: "a constant, for the out-of-tree driver check"
points:
  - metric: inlet_temp_c
    value: 21.5
Y
cat >"$T/skel.yaml" <<Y
site: {id: oot}
storage: {path: $T/oot.db}
daemon: {drivers_dir: $T/drv, profiles_dir: $T/profiles}
devices:
  - {name: const-1, driver: skel, address: none, profile: test/const}
Y
"$D/usr/local/bin/greendc" check-config "$T/skel.yaml" >"$T/oot.log" 2>&1 ||
	{ cat "$T/oot.log"; fail "installed greendc refuses the out-of-tree driver"; }
ok "a driver built against the installed header (pkg-config greendc-driver) loads"

# sysusers.d and tmpfiles.d entries parse; the completion is valid bash.
systemd-sysusers --dry-run "$D/usr/local/lib/sysusers.d/greendc.conf" \
	"$D/usr/local/lib/sysusers.d/greendc-receiver.conf" >"$T/sysusers.log" 2>&1 ||
	{ cat "$T/sysusers.log"; fail "systemd-sysusers rejects the entries"; }
bash -n "$D/usr/local/share/bash-completion/completions/greendc" || fail "completion: bash -n"
ok "sysusers.d entries parse (systemd-sysusers --dry-run), completion is valid bash"
runit="$D/usr/local/lib/systemd/system/greendc-receiver.service"
sed "s|/usr/local/|$D/usr/local/|g" "$runit" >"$T/greendc-receiver.service"
if MANPATH="$D/usr/local/share/man" systemd-analyze verify "$T/greendc-receiver.service" >"$T/rverify.log" 2>&1 &&
	! grep -v '^$' "$T/rverify.log" | grep -q .; then
	ok "systemd-analyze verify greendc-receiver.service: clean"
else
	cat "$T/rverify.log"
	fail "systemd-analyze verify reported problems (receiver)"
fi

grep -v "^#" "$unit" | grep -q "dialout\|DeviceAllow" && fail "greendcd.service grants serial devices to every config"
grep -q "^DevicePolicy=closed" "$unit" || fail "greendcd.service: no DevicePolicy=closed"
# The drop-in: a Modbus RTU device gets its port and dialout, a TCP-only config nothing.
mkdir -p "$T/dropin"
cat >"$T/rtu.yaml" <<Y
site: {id: t}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
storage: {path: t.db}
devices:
  - {name: m1, driver: modbus, address: "rtu:/dev/ttyUSB3", profile: meter/eastron-sdm630}
  - {name: m2, driver: modbus, address: "tcp://127.0.0.1:1502", profile: meter/eastron-sdm630}
Y
"$B/greendc" check-config --systemd-dropin "$T/dropin" "$T/rtu.yaml" >"$T/dropin.out" 2>&1 ||
	{ cat "$T/dropin.out"; fail "check-config --systemd-dropin"; }
grep -qx "DeviceAllow=/dev/ttyUSB3 rw" "$T/dropin/serial.conf" && grep -qx "SupplementaryGroups=dialout" "$T/dropin/serial.conf" ||
	fail "drop-in: $(cat "$T/dropin/serial.conf")"
[ "$(grep -c DeviceAllow "$T/dropin/serial.conf")" = 1 ] || fail "drop-in allows more than the one port"
mkdir -p "$T/withdropin/greendcd.service.d"
cp "$T/greendcd.service" "$T/withdropin/"
cp "$T/dropin/serial.conf" "$T/withdropin/greendcd.service.d/"
MANPATH="$D/usr/local/share/man" systemd-analyze verify "$T/withdropin/greendcd.service" >"$T/verify2.log" 2>&1 ||
	{ cat "$T/verify2.log"; fail "the unit with the drop-in does not verify"; }
sed -i '/ttyUSB3/d' "$T/rtu.yaml"
"$B/greendc" check-config --systemd-dropin "$T/dropin" "$T/rtu.yaml" >"$T/dropin.out" 2>&1 ||
	{ cat "$T/dropin.out"; fail "check-config --systemd-dropin (TCP only)"; }
[ ! -e "$T/dropin/serial.conf" ] || fail "a TCP-only config kept the serial drop-in"
ok "greendcd.service: no serial device or dialout; --systemd-dropin writes exactly /dev/ttyUSB3 + dialout, and removes it for TCP only"

systemd-analyze security --offline=true "$runit" >"$T/rsecurity.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for greendc-receiver.service: \([0-9.]*\).*/\1/p' "$T/rsecurity.log")
[ -n "$score" ] || { tail -5 "$T/rsecurity.log"; fail "no exposure score for greendc-receiver"; }
$PY -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" || fail "receiver exposure $score > 2.0"
ok "greendc-receiver.service: exposure $score (at most 2.0)"

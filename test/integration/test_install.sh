#!/bin/sh
# make install DESTDIR=...: everything lands under DESTDIR (nothing outside it), the installed
# programs run from there, and the systemd unit passes `systemd-analyze verify` and scores an
# exposure of at most 2.0 in `systemd-analyze security --offline=true`.
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
	usr/local/lib/systemd/system/greendc-receiver.service; do
	[ -e "$D/$f" ] || fail "missing $f"
done
ok "installed files present under DESTDIR"
[ "$(stat -c %a "$D/etc/greendc/secrets")" = 700 ] || fail "secrets folder is not 0700"
ok "secrets folder is 0700"
# Nothing written outside DESTDIR: no file in the system folders is newer than the marker.
new=$(find /usr /etc /var/lib /opt /lib -xdev -newer "$marker" -type f 2>/dev/null | grep -v '^/var/lib/apt\|^/var/lib/dpkg\|^/var/cache' | head -n 5)
[ -z "$new" ] || fail "written outside DESTDIR: $new"
ok "nothing written outside DESTDIR"
grep -q "ExecStart=/usr/local/sbin/greendcd -c /etc/greendc/greendc.yaml" "$D/usr/local/lib/systemd/system/greendcd.service" ||
	fail "unit paths not filled in"
GREENDC_DRIVERS="$D/usr/local/lib/greendc/drivers" "$D/usr/local/bin/greendc" check-config "$top/etc/demo.yaml" >/dev/null || fail "installed greendc cannot validate the demo config"
ok "installed greendc runs"

unit="$D/usr/local/lib/systemd/system/greendcd.service"
# Verify a copy whose program paths point into DESTDIR (verify checks they are executable);
# the system's own units (sysinit.target, /bin/kill) resolve as they would once installed.
sed "s|/usr/local/|$D/usr/local/|g" "$unit" >"$T/greendcd.service"
if MANPATH="$D/usr/local/share/man" systemd-analyze verify "$T/greendcd.service" >"$T/verify.log" 2>&1 &&
	! grep -v '^$' "$T/verify.log" | grep -q .; then
	ok "systemd-analyze verify: clean"
else
	cat "$T/verify.log"
	fail "systemd-analyze verify reported problems"
fi
systemd-analyze security --offline=true "$unit" >"$T/security.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for greendcd.service: \([0-9.]*\).*/\1/p' "$T/security.log")
[ -n "$score" ] || { tail -5 "$T/security.log"; fail "no exposure score"; }
$PY -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" || fail "exposure $score > 2.0"
ok "systemd-analyze security: exposure $score (at most 2.0)"

# greendc-receiver's unit the same way.
runit="$D/usr/local/lib/systemd/system/greendc-receiver.service"
sed "s|/usr/local/|$D/usr/local/|g" "$runit" >"$T/greendc-receiver.service"
if MANPATH="$D/usr/local/share/man" systemd-analyze verify "$T/greendc-receiver.service" >"$T/rverify.log" 2>&1 &&
	! grep -v '^$' "$T/rverify.log" | grep -q .; then
	ok "systemd-analyze verify greendc-receiver.service: clean"
else
	cat "$T/rverify.log"
	fail "systemd-analyze verify reported problems in greendc-receiver.service"
fi
systemd-analyze security --offline=true "$runit" >"$T/rsecurity.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for greendc-receiver.service: \([0-9.]*\).*/\1/p' "$T/rsecurity.log")
[ -n "$score" ] || { tail -5 "$T/rsecurity.log"; fail "no exposure score for greendc-receiver"; }
$PY -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" || fail "receiver exposure $score > 2.0"
ok "greendc-receiver.service: exposure $score (at most 2.0)"

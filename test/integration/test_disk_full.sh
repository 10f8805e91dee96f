#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: mounts a small tmpfs and fills it
# Disk full: the database lives on a small tmpfs that is filled up while greendcd ingests.
# The daemon logs it, keeps running, polling and serving /metrics, does not corrupt the file,
# and when space returns it writes again — including the samples it held while the disk was
# full.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip not-root "mounting a tmpfs needs root (run make check as root, as CI does)"
fi
M="$T/mnt"
mkdir -p "$M"
mount -t tmpfs -o size=4m tmpfs "$M" || fail "cannot mount a tmpfs"
on_exit 'umount "$M" 2>/dev/null'

P=$(free_port)
HP=$(free_port)
bg dcsim "$B/dcsim" --port "$P"
wait_port "$P"
{
	echo "site: {id: df}"
	echo "storage: {path: $M/greendc.db, commit_interval: 100ms}"
	echo "daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}"
	echo "http: {listen: 127.0.0.1, port: $HP}"
	echo "devices:"
	for k in 1 2 3 4 5 6 7 8; do
		echo "  - {name: m$k, driver: modbus, address: \"tcp://127.0.0.1:$P\", profile: meter/eastron-sdm630, interval: 200ms, timeout: 150ms, options: {unit_id: 1}}"
	done
} >"$T/greendc.yaml"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml" --status-interval 1s
sleep 2
DB="$M/greendc.db"
count() { "$B/greendc" --db "$DB" query 'm1 power_w' --from -1h --to now --step raw --format csv 2>/dev/null | tail -n +2 | wc -l; }
n0=$(count)
[ "$n0" -gt 3 ] || fail "no ingest before the disk filled ($n0)"

# Fill the file system (dd stops at ENOSPC).
dd if=/dev/zero of="$M/filler" bs=64k 2>/dev/null || true
t_full=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 4
alive greendcd || fail "greendcd died when the disk filled"
n=$(grep -c 'store: .*database or disk is full' "$T/greendcd.log" || true)
[ "$n" = 1 ] || { tail "$T/greendcd.log"; fail "disk full logged $n times, expected once"; }
ok "disk full logged once: $(grep 'disk is full' "$T/greendcd.log" | sed 's/^[0-9-]* [0-9:]* //')"
n_full=$(count)
[ "$(sql "$DB" 'PRAGMA quick_check')" = ok ] || fail "database damaged while full"
ok "still running, database intact while full ($n_full samples visible)"
metrics() { $PY -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$HP/metrics', timeout=5).read().decode())"; }
metrics >"$T/metrics.txt" || fail "/metrics not served while the disk is full"
grep -q '^greendc_device_up{' "$T/metrics.txt" || fail "/metrics has no device health while full"
ok "/metrics served while the disk is full ($(wc -l <"$T/metrics.txt") lines)"

# Space returns.
rm -f "$M/filler"
t_back=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 4
n_back=$(count)
[ "$n_back" -gt "$n_full" ] || fail "no writes after space returned ($n_full -> $n_back)"
held=$("$B/greendc" --db "$DB" query 'm1 power_w' --from "$t_full" --to "$t_back" --step raw --format csv | tail -n +2 | wc -l)
[ "$held" -ge 10 ] || fail "samples polled while full were lost ($held kept)"
ok "writing again ($n_full -> $n_back); $held samples polled while full were kept"
grep -q 'store: writing again: recovered after' "$T/greendcd.log" || fail "recovery not logged"
ok "recovery logged: $(grep 'writing again' "$T/greendcd.log" | sed 's/^[0-9-]* [0-9:]* //')"
stop greendcd
[ "$(sql "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
ok "clean stop, integrity_check ok"

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: a load figure: 500 devices on the machine alone
# Soak (bounded): 500 simulated devices at 10 s for SOAK_SECONDS (default 90 when named:
# `sh test/run.sh integration test_soak`; make check leaves it out;
# `make soak` runs 600). After a 30 s warm-up: RSS growth under 10 %, open file descriptors
# stable, missed polls under 1 %. Prints the figures.
. "$(dirname "$0")/lib.sh"
SECS=${SOAK_SECONDS:-90}
WARM=30
DEVICES=${SOAK_DEVICES:-500}
P=$(free_port)
bg dcsim "$B/dcsim" --port "$P"
wait_port "$P"
{
	echo "site: {id: soak}"
	echo "storage: {path: greendc.db, commit_interval: 1s}"
	echo "daemon: {workers: 4, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: warning}"
	echo "devices:"
	i=0
	for u in 1 2 10 11 12 20 21 22 30 40; do eval "p$i=$u"; i=$((i + 1)); done
	i=0
	while [ $i -lt "$DEVICES" ]; do
		k=$((i % 10))
		case $k in 0) pr=meter/eastron-sdm630 u=1 ;; 1) pr=meter/schneider-iem3xxx u=2 ;;
		2) pr=sim/dcsim-ups u=10 ;; 3) pr=sim/dcsim-pdu u=11 ;; 4) pr=sim/dcsim-pdu-wh32 u=12 ;;
		5) pr=sim/dcsim-chiller-plant u=20 ;; 6) pr=sim/dcsim-crah u=21 ;; 7) pr=sim/dcsim-crah u=22 ;;
		8) pr=sim/dcsim-other-load u=30 ;; *) pr=sim/dcsim-weather u=40 ;; esac
		echo "  - {name: d$i, driver: modbus, address: \"tcp://127.0.0.1:$P\", profile: $pr, interval: 10s, timeout: 2s, options: {unit_id: $u}}"
		i=$((i + 1))
	done
} >"$T/greendc.yaml"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$PID_greendcd/status"; }
fds() { ls "/proc/$PID_greendcd/fd" | wc -l; }
sleep $WARM
r0=$(rss)
f0=$(fds)
t0=$(date +%s)
sleep $((SECS - WARM))
r1=$(rss)
f1=$(fds)
stop greendcd
echo "soak: $DEVICES devices at 10 s for ${SECS}s: RSS ${r0} -> ${r1} kB, fds $f0 -> $f1"
$PY -c "import sys; sys.exit(0 if $r1 <= $r0 * 1.10 else 1)" || fail "RSS grew more than 10 %"
ok "RSS growth $($PY -c "print(f'{100*($r1-$r0)/$r0:.1f}')") % after warm-up"
[ $((f1 - f0)) -le 2 ] && [ $((f0 - f1)) -le 2 ] || fail "file descriptors drifted ($f0 -> $f1)"
ok "file descriptors stable ($f0 -> $f1)"
# Missed polls: gaps between consecutive polls of a device longer than 1.5 intervals.
"$B/greendc" --db "$T/greendc.db" query '* greendc_device_up' --from -1h --to now --step raw --format csv >"$T/up.csv"
$PY - "$T/up.csv" "$DEVICES" <<'P' || fail "too many missed polls"
import csv, sys, datetime
rows = list(csv.reader(open(sys.argv[1])))
head, rows = rows[0], rows[1:]
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
polls = missed = 0
for c in range(1, len(head)):
    ts = [t(r[0]) for r in rows if r[c]]
    polls += len(ts)
    for a, b in zip(ts, ts[1:]):
        if b - a > 15:
            missed += round((b - a) / 10) - 1
assert len(head) - 1 == int(sys.argv[2]), f"{len(head) - 1} devices polled"
ratio = missed / max(polls + missed, 1)
print(f"ok - {polls} polls, {missed} missed ({100 * ratio:.2f} %)")
sys.exit(0 if ratio < 0.01 else 1)
P

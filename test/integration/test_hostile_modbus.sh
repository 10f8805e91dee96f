#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts poll delays, timeouts and backoff intervals
# The Modbus driver against hostile peers (test/integration/hostile_modbus.py, raw sockets):
# truncated frames, a wrong byte count, a wrong transaction id, a wrong unit id, a wrong
# function code, garbage, a reply trickled one byte at a time, a connection closed mid-reply.
# The unit id of a TCP reply is checked by the driver (drivers/modbus_frame.c), since
# libmodbus 3.1.6 does not.
# One device per mode, each on its own port, plus a correct reply from the same server and
# a healthy dcsim device, all at 1 s. Asserts:
#   - the hostile server was asked (every mode got requests);
#   - greendcd does not crash and exits 0 on SIGTERM;
#   - each hostile device is down, backed off, and its error logged once;
#   - nothing is stored for a hostile device (its replies carry 0xBEEF = 48879 in every
#     register: that value must appear nowhere in the store);
#   - the correct-reply device and dcsim are up, on a 1 s cadence (largest gap <= 1.25 s).
# See docs/drivers/modbus.md ("Hostile peers") for what libmodbus 3.1.6 detects in each mode.
. "$(dirname "$0")/lib.sh"

# Detected and rejected, each one.
MODES="truncated bytecount tid unit fc garbage trickle closemid"
P_SIM=$(free_port)
serve=""
for m in good $MODES; do
	p=$(free_port)
	eval "P_$m=$p"
	serve="$serve --serve $m:$p"
done

mkdir -p "$T/profiles/test"
cp -R "$top/etc/profiles/." "$T/profiles/"
cat >"$T/profiles/test/two-reg.yaml" <<'Y'
profile: two-reg
class: test
driver: modbus
source: "test/integration/hostile_modbus.py (good: 1000 + address)"
points:
  - {metric: power_w, fc: 3, register: 0, type: uint16}
  - {metric: temp_c, fc: 3, register: 1, type: uint16}
Y
{
	cat <<Y
site: {id: it-hostile, timezone: UTC}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {workers: 4, max_backoff: 8s, drivers_dir: $B/drivers, profiles_dir: profiles, log_level: info}
devices:
  - {name: sim-ups, driver: modbus, address: "tcp://127.0.0.1:$P_SIM", profile: sim/dcsim-ups,
     interval: 1s, timeout: 500ms, options: {unit_id: 10}}
Y
	for m in good $MODES; do
		eval "p=\$P_$m"
		echo "  - {name: h-$m, driver: modbus, address: \"tcp://127.0.0.1:$p\", profile: test/two-reg,"
		echo "     interval: 1s, timeout: 500ms, options: {unit_id: 1}}"
	done
} >"$T/greendc.yaml"

bg dcsim "$B/dcsim" --port "$P_SIM"
# shellcheck disable=SC2086
bg hostile $PY "$top/test/integration/hostile_modbus.py" $serve --trickle-ms 150 --max-seconds 90
wait_port "$P_SIM"
for m in good $MODES; do
	eval "wait_port \$P_$m 20"
done

"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
RUN=12
sleep $RUN
alive greendcd || { cat "$T/greendcd.log"; fail "greendcd died"; }
stop greendcd
ok "greendcd survived $RUN s of hostile peers and stopped with status 0 on SIGTERM"
DB="$T/greendc.db"
G() { "$B/greendc" --db "$DB" "$@"; }

# The server was really asked: a device down because nobody asked proves nothing.
for m in good $MODES; do
	n=$(grep -c "^$m request" "$T/hostile.log" || true)
	[ "$n" -ge 1 ] || { cat "$T/hostile.log"; fail "hostile server mode $m got no request"; }
	eval "REQ_$m=$n"
done
ok "every mode was asked ($(for m in $MODES; do eval "printf '%s=%s ' $m \$REQ_$m"; done))"

# Healthy devices: up on every poll, 1 s cadence, correct values from the good mode.
for d in sim-ups h-good; do
	G query "$d greendc_device_up" --from -10m --to now --step raw --format csv | tail -n +2 >"$T/up.csv"
	$PY - "$T/up.csv" "$d" "$RUN" <<'P' || fail "$d was delayed or went down"
import csv, sys, datetime
rows = list(csv.reader(open(sys.argv[1])))
t = [datetime.datetime.fromisoformat(r[0].replace("Z", "+00:00")).timestamp() for r in rows]
up = [float(r[1]) for r in rows]
run = int(sys.argv[3])
gaps = [b - a for a, b in zip(t, t[1:])]
assert len(t) >= run - 3, f"{len(t)} polls in {run} s"
assert all(u == 1 for u in up), f"device went down: {up}"
assert max(gaps) <= 1.25, f"largest gap {max(gaps):.3f} s"
print(f"ok - {sys.argv[2]}: {len(t)} polls, all up, largest gap {max(gaps):.3f} s")
P
done
for s in 'h-good power_w:1000' 'h-good temp_c:1001'; do
	v=$(G query "${s%:*}" --from -10m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
	[ "$v" = "${s#*:}" ] || fail "${s%:*} = '$v', expected ${s#*:} (the hostile server's good mode)"
done
ok "h-good stored 1000 and 1001: the server's framing is right when it means to be"

# Hostile devices: down, backed off, logged once, nothing stored.
G devices --format csv >"$T/devices.csv"
for m in $MODES; do
	d=h-$m
	row=$(grep "^$d," "$T/devices.csv") || fail "$d missing from devices"
	state=$(echo "$row" | cut -d, -f4)
	ivl=$(echo "$row" | cut -d, -f9)
	[ "$state" = down ] || { cat "$T/devices.csv"; fail "$d is $state, expected down"; }
	[ "$ivl" -ge 2000 ] || fail "$d interval $ivl ms: no backoff"
	n=$(grep -c "$d:" "$T/greendcd.log" || true)
	[ "$n" = 1 ] || { grep "$d:" "$T/greendcd.log"; fail "$d logged $n times, expected once"; }
	up=$(G query "$d greendc_device_up" --from -10m --to now --step raw --format csv |
		tail -n +2 | cut -d, -f2 | sort -u | tr '\n' ' ')
	[ "$up" = "0 " ] || fail "$d greendc_device_up took the values: $up(expected only 0)"
	# Only the health series exist: no data series was ever created from a broken reply.
	data=$(G series "$d *" | tail -n +2 | grep -v ' greendc_' || true)
	[ -z "$data" ] || fail "$d has data series from broken replies: $data"
	max=$(G query "$d greendc_poll_duration_s" --from -10m --to now --step raw --format csv |
		tail -n +2 | cut -d, -f2 | sort -g | tail -n 1)
	$PY -c "import sys; sys.exit(0 if float('$max') <= 0.7 else 1)" ||
		fail "$d poll took $max s, beyond its 500 ms timeout"
	ok "$d down, backed off to $ivl ms, longest poll ${max} s, logged once: $(grep "$d:" "$T/greendcd.log" | sed "s/^.*$d: //")"
done
h_unit=$(grep "h-unit:" "$T/greendcd.log")
echo "$h_unit" | grep -q "reply from unit 2, asked unit 1" || fail "h-unit: the reason does not name the unit ids: $h_unit"
ok "h-unit (a reply from unit 2 to a request for unit 1) is rejected with the unit ids named"
if G query 'h-* *' --from -10m --to now --step raw --format csv | grep -q ',48879\(,\|$\)'; then
	fail "a broken reply's 48879 (0xBEEF) was stored"
fi
ok "no 0xBEEF (48879) stored for any device"
echo "hostile modbus: all checks passed"

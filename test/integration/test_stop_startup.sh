#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: measures how long greendcd takes to stop
# SIGTERM while greendcd is starting up on a large floor: 2,000 dual-fed racks (4,000 rack
# PDUs, 8,000 series) with readings every 30 s over the last 90 minutes, imported. As soon as
# the HTTP port listens, the /metrics snapshot is looking up every series' latest reading
# (store_latest, one pass over the open hours in staging) and the floor thread is computing
# capacity and the tenants' month to date; greendcd must stop within 2 s of the
# SIGTERM and exit 0. Before the fix the lookup read staging once per series and the
# daemon ignored SIGTERM until it had finished (docs/tenants.md, "Performance").
. "$(dirname "$0")/lib.sh"
RACKS=2000
HP=$(free_port)
$PY "$top/test/integration/floor_gen.py" "$T" "$B" "$top" "$HP" "$RACKS" $((RACKS / 10)) 30 180 stop ||
	fail "floor_gen.py"
"$B/greendc" -c "$T/greendc.yaml" import "$T/readings.csv" >"$T/import.log" 2>&1 ||
	{ cat "$T/import.log" >&2; fail "import"; }
rm -f "$T/readings.csv"
ok "imported $(tail -n 1 "$T/import.log" | cut -d' ' -f2) readings of $((2 * RACKS)) rack PDUs"

bg gd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP" 60
# the lookup is under way when /metrics has nothing yet (it is rendered after the lookup)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/metrics" || true)
t0=$(date +%s.%N)
STOP_SECONDS=$((2 * GDC_SLOW)) stop gd
took=$($PY -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
grep -q 'SIGTERM: stopping' "$T/gd.log" || fail "greendcd did not log the SIGTERM"
ok "greendcd stopped ${took} s after SIGTERM during startup (/metrics answered $code just before)"

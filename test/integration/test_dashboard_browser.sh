#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The built-in dashboard in a real browser, on what `make demo` shows in its first minute: the
# demo configuration as shipped (truth_config.sh: only ports and paths differ), 45 days of
# history from dcsim's generator imported through `greendc import --interval-end`, last month's
# report generated and stored, then dcsim resumed from the history's state and greendcd live.
# Headless Debian chromium, driven over the DevTools protocol (cdp.py, python3-websocket),
# opens the page at 1366x768 and 1920x1080 in English and Chinese (and a kiosk wall screen);
# dashboard_check.py checks every figure on screen against the API answer the page drew it
# from, the number of points and bars of every chart, no console error or failed load, the
# layout (PUE, power, free cooling and alerts above the fold), no English on the Chinese page
# outside units, proper nouns and names from the config, the devices table's sorting and
# filter, and the floor view: every rack tile's kW, % of capacity and A/B state, the tenants'
# month to date, the colour modes, and a click on a rack showing its PDUs, outlets and trend
# as /api/v1/rack gives them. Screenshots go to test-output/dashboard-*.png.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

CHROME=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROME" ] || fail "chromium missing (Debian package chromium; tools/setup.sh)"
$PY -c "import websocket" 2>/dev/null || fail "python3-websocket missing (tools/setup.sh)"
OUT="$top/test-output"
mkdir -p "$OUT"

DCSIM_PORT=$(free_port)
SNMP_PORT=$(free_udp_port)
HTTP_PORT=$(free_port)
RECV_PORT=$(free_port)
truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }

t0=$(date +%s)
{
	"$B/dcsim" --history - --days 45 --end now --state-out "$T/dcsim.state" --truth "$T/truth.csv" 2>"$T/gen.err"
	echo $? >"$T/gen.rc"
} | G import --interval-end - >"$T/import.out" 2>&1 || { cat "$T/gen.err" "$T/import.out"; fail "history import"; }
[ "$(cat "$T/gen.rc")" = 0 ] || { cat "$T/gen.err"; fail "history generator"; }
G report --month previous --enqueue --output /dev/null >"$T/report.out" 2>&1 || { cat "$T/report.out"; fail "report of last month"; }
ok "45 days of history seeded and last month's report stored in $(($(date +%s) - t0)) s"

bg dcsim "$B/dcsim" --port "$DCSIM_PORT" --snmp-port "$SNMP_PORT" --resume-from "$T/dcsim.state" --truth "$T/truth.csv"
wait_port "$DCSIM_PORT"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HTTP_PORT"
U="http://127.0.0.1:$HTTP_PORT"
# The interim PUE needs a few power samples of every side.
n=0
until curl -sf "$U/api/v1/pue" -o "$T/pue0.json" && grep -q '"interim"' "$T/pue0.json"; do
	n=$((n + 1))
	[ $n -gt 60 ] && fail "no interim PUE after 30 s: $(cat "$T/pue0.json")"
	sleep 0.5
done
ok "greendcd live on the seeded store"

$PY "$top/test/integration/dashboard_check.py" "$U" "$OUT" || fail "the dashboard does not show what the API says (above)"
for f in dashboard-1366-en dashboard-1366-zh dashboard-1920-en dashboard-1920-zh dashboard-kiosk-1920 \
	dashboard-floor-1366-en; do
	[ "$(head -c 8 "$OUT/$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f.png is not a PNG"
	[ "$(stat -c %s "$OUT/$f.png")" -gt 50000 ] || fail "$f.png is suspiciously small"
done
ok "screenshots: test-output/dashboard-{1366,1920}-{en,zh}.png, dashboard-kiosk-1920.png, dashboard-floor-1366-en.png"

#!/bin/sh
# The built-in dashboard in a real browser: headless Debian chromium opens it against greendcd
# + dcsim, runs its JavaScript until the page has loaded its data, and the DOM it leaves is
# checked: the live PUE on screen is the interim PUE /api/v1/pue returned for the same
# computation (same at_ms), today's and this month's figures match the API (a number, or "—"
# when the API publishes none), both charts have points, every device has a row with its
# state, the free-cooling panel shows the API's mode, and no request failed. Screenshots at
# 1366 px (English) and at a 2560 px wall screen (Chinese) go to test-output/.
. "$(dirname "$0")/lib.sh"
# The demo's report signing key is made by `make demo`; here, one of the test's own.
(umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/central.key")

CHROME=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROME" ] || fail "chromium missing (Debian package chromium; tools/setup.sh)"
OUT="$top/test-output"
mkdir -p "$OUT"

P=$(free_port)
SP=$(free_port)
HP=$(free_port)
sed -e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:$P|" \
	-e "s|udp:127.0.0.1:5161|udp:127.0.0.1:$SP|" -e "s|path: ../demo-state/greendc.db|path: greendc.db|" -e "s|secret_file: ../demo-state/central.key|secret_file: central.key|" \
	-e "s|interval: [0-9]*s$|interval: 500ms|" -e "s|timeout: 1s|timeout: 400ms|" \
	-e "s|commit_interval: .*|commit_interval: 200ms|" \
	-e "s|port: 8470|port: $HP|" -e "s|web_dir: ../dashboards/web|web_dir: $top/dashboards/web|" \
	-e "s|^daemon:|daemon:\n  drivers_dir: $B/drivers\n  profiles_dir: $top/etc/profiles|" \
	"$top/etc/demo.yaml" >"$T/greendc.yaml"
bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP"
U="http://127.0.0.1:$HP"
# Wait (bounded) for the interim PUE, which needs a few seconds of power samples.
n=0
until curl -sf "$U/api/v1/pue" -o "$T/pue0.json" && grep -q '"interim"' "$T/pue0.json"; do
	n=$((n + 1))
	[ $n -gt 60 ] && fail "no interim PUE after 30 s: $(cat "$T/pue0.json")"
	sleep 0.5
done
sleep 3 # a few more power buckets for the charts
# A monthly report in the store, as the monthly timer would leave it (incomplete: the store
# holds seconds of the month), for the report panel.
MONTH=$(TZ=Asia/Shanghai date +%Y-%m)
"$B/greendc" -c "$T/greendc.yaml" report --month "$MONTH" --enqueue --output /dev/null \
	>"$T/report.out" 2>&1 || { cat "$T/report.out"; fail "greendc report --enqueue"; }

chrome() { # out_flag url [window]
	rm -rf "$T/profile"
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/profile" --hide-scrollbars --window-size="${3:-1366,1100}" \
		--virtual-time-budget=8000 "$1" "$2" 2>>"$T/chrome.err"
}
try=0
while :; do
	try=$((try + 1))
	t0=$($PY -c 'import time; print(time.time())')
	chrome --dump-dom "$U/?lang=en" >"$T/dom.html" || fail "chromium failed: $(tail -5 "$T/chrome.err")"
	t1=$($PY -c 'import time; print(time.time())')
	curl -sf "$U/api/v1/pue?period=today" -o "$T/today.json" || fail "API today"
	curl -sf "$U/api/v1/pue?period=month" -o "$T/month.json" || fail "API month"
	curl -sf "$U/api/v1/freecool?from=-86400s&width=200" -o "$T/fc.json" || fail "API freecool"
	curl -sf "$U/api/v1/devices" -o "$T/devices.json" || fail "API devices"
	curl -sf "$U/api/v1/alerts?recent=5" -o "$T/alerts.json" || fail "API alerts"
	curl -sf "$U/api/v1/reports" -o "$T/reports.json" || fail "API reports"

	rc=0
	$PY - "$T" <<'PYEOF' || rc=$?
import html.parser, json, sys
T = sys.argv[1]
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.el = {}; self.cur = None; self.text = {}; self.rows = []; self.row = None; self.body = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body": self.body = a
        if "id" in a:
            self.el[a["id"]] = a; self.cur = a["id"]; self.text[a["id"]] = ""
        if tag == "table": self.in_dev = a.get("id") == "devices"
        if tag == "tr" and getattr(self, "in_dev", False): self.row = []
        if tag == "td" and self.row is not None: self.row.append(a.get("class", ""))
    def handle_endtag(self, tag):
        if tag == "table": self.in_dev = False
        if tag == "tr" and self.row: self.rows.append(self.row)
        if tag == "tr": self.row = None
    def handle_data(self, d):
        if self.cur: self.text[self.cur] += d
p = P(); p.feed(open(f"{T}/dom.html").read())
def api(n): return json.load(open(f"{T}/{n}.json"))
assert p.body.get("data-loaded") == "ok", ("page reported errors", p.text.get("status"))
today, month = api("today"), api("month")
live = p.el["pue-live"]
shown = float(live["data-value"])
# The page's figure came from one interim computation; it matches the API's own when both
# carry the same at_ms (the value is recomputed every 15 s, so compare like with like).
pue0 = api("pue0")
cands = [x["interim"] for x in (pue0, today) if "interim" in x]
same = [c for c in cands if str(c["at_ms"]) == live["data-at"]]
if not same:
    sys.exit(3)  # recomputed between page and API fetch: the caller loads again
assert shown == same[0]["pue"], (shown, same[0])
assert p.text["pue-live"].strip() == f"{shown:.2f}", (p.text["pue-live"], shown)
assert 1.0 < shown < 3.0, shown
for key, j in (("pue-today", today), ("pue-month", month)):
    txt = p.text[key].strip()
    # Today and this month have not ended: never a final-looking figure (issue 13).
    assert j["status"] == "IN_PROGRESS" and j["in_progress"] and j["pue"] is None, (key, j)
    if j["in_progress"]:
        assert txt == "in progress" and p.el[key]["data-value"] == "", (key, txt)
        assert p.el[key].get("data-status") == "IN_PROGRESS", (key, p.el[key])
        assert j["error"] in p.text[key + "-note"], (key, p.text[key + "-note"])
        if "provisional_pue" in j:  # the page fetched its own, a moment apart: the words only
            assert "so far " in p.text[key + "-note"], (key, p.text[key + "-note"])
    elif j["pue"] is None:
        assert txt == "—" and p.el[key]["data-value"] == "", (key, txt)
        assert j["error"] in p.text[key + "-note"], (key, p.text[key + "-note"])
    else:
        assert txt == f'{j["pue"]:.2f}', (key, txt, j["pue"])
assert f'PUE{today["category"]}' in p.text["pue-cat"], p.text["pue-cat"]
for c in ("chart-pue", "chart-power"):
    assert int(p.el[c]["data-points"]) > 0, (c, p.el[c])
devs = api("devices")["devices"]
assert len(p.rows) == len(devs), (len(p.rows), len(devs))
assert all(r[2] == "state-up" for r in p.rows), p.rows
fc = api("fc")
mode = {0: "mechanical", 1: "partial", 2: "free"}[fc["mode_now"]]
assert mode in p.text["freecool"], p.text["freecool"]
al = api("alerts")
assert int(p.el["alerts"].get("data-active", "0")) == len(al["active"]), (p.el["alerts"], len(al["active"]))
reps = [r for r in api("reports")["reports"] if r["kind"] == "monthly"]
assert reps, "the API lists no monthly report"
assert p.el["report"].get("data-period") == reps[0]["period"], (p.el["report"], reps[0]["period"])
want = "in progress" if reps[0]["report"].get("in_progress") else "complete" if reps[0]["complete"] else "incomplete"
assert want in p.text["report"], (p.text["report"], want)
print(f"ok - alerts panel: {len(al['active'])} active (== API); report panel: {p.text['report'].strip()[:80]}")
print(f"ok - screen PUE {shown:.2f} (PUE{today['category']}) == API; today/month {p.text['pue-today'].strip()}/{p.text['pue-month'].strip()}; "
      f"charts {p.el['chart-pue']['data-points']}/{p.el['chart-power']['data-points']} points; {len(p.rows)} devices; free cooling {mode}")
PYEOF
	[ $rc = 3 ] && [ $try -lt 4 ] && continue
	[ $rc = 0 ] || fail "dashboard does not show what the API says"
	break
done
ok "dashboard loaded with data in $($PY -c "print(f'{$t1 - $t0:.2f}')") s (browser start included)"

chrome --screenshot="$OUT/dashboard-1366.png" "$U/?lang=en" >/dev/null || fail "screenshot 1366"
chrome --screenshot="$OUT/dashboard-wall-zh.png" "$U/?lang=zh" 2560,1440 >/dev/null || fail "screenshot wall"
for f in dashboard-1366.png dashboard-wall-zh.png; do
	[ "$(head -c 8 "$OUT/$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
	[ "$(stat -c %s "$OUT/$f")" -gt 20000 ] || fail "$f is suspiciously small"
done
ok "screenshots: test-output/dashboard-1366.png, test-output/dashboard-wall-zh.png"
echo "4 passed, 0 failed"

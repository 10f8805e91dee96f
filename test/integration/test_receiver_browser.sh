#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The regulator's view of greendc-receiver in a real browser: 40 sites (tools/rxload: 12
# monthly reports each, every 10th site signing with Ed25519) plus 3 registered sites that
# never report, on the SQLite engine. Headless Debian chromium runs the page's JavaScript;
# the league table it leaves in the DOM must equal /api/v1/league row by row (order, rank,
# PUE, category, coverage, grade, signature, name, region), the late list must equal the
# API's (the silent sites overdue, the others sent late: the period is two months back, so
# its deadline has passed), a site's page shows its 12-month trend and its reports, and the
# CSV export has the same rows. Screenshots (zh, en) go to test-output/.
. "$(dirname "$0")/lib.sh"

CHROME=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROME" ] || fail "chromium missing (Debian package chromium; tools/setup.sh)"
OUT="$top/test-output"
mkdir -p "$OUT"
DB="$T/central.db"
# The month two months back, and the year whose 12 months rxload sends.
PERIOD=$($PY -c 'import time; t=time.gmtime(); m=t.tm_year*12+t.tm_mon-1-2; print("%04d-%02d" % (m//12, m%12+1))')
YEAR=${PERIOD%-*}
"$B/rxload" keys --sites 40 --out "$T/sites.tsv" || fail "rxload keys"
for s in 1 2 3; do
	printf 'silent-%d\twhsec_%s\tSilent %d 数据中心\tregion-9\n' "$s" "$(head -c 24 /dev/urandom | base64)" "$s" >>"$T/sites.tsv"
done
"$B/greendc-receiver" site import "$T/sites.tsv" --db "$DB" >/dev/null || fail "site import"
P=$(free_port)
bg rx "$B/greendc-receiver" --db "$DB" --port "$P"
wait_port "$P"
U="http://127.0.0.1:$P"
"$B/rxload" run --url "$U/ingest" --sites 40 --year "$YEAR" --months 12 --days 0 \
	--concurrency 8 >"$T/load.json" || { cat "$T/load.json"; fail "rxload"; }

chrome() { # out_flag url
	rm -rf "$T/profile"
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/profile" --hide-scrollbars --window-size=1366,1000 \
		--virtual-time-budget=5000 "$1" "$2" 2>>"$T/chrome.err"
}
chrome --dump-dom "$U/?lang=en&period=$PERIOD" >"$T/dom.html" || fail "chromium: $(tail -3 "$T/chrome.err")"
curl -sf "$U/api/v1/league?period=$PERIOD" -o "$T/league.json" || fail "API league"
curl -sf "$U/api/v1/league.csv?period=$PERIOD" -o "$T/league.csv" || fail "API csv"
$PY - "$T/dom.html" "$T/league.json" "$T/league.csv" <<'P' || fail "page differs from the API"
import csv, html.parser, json, sys
class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cur, self.row, self.cell, self.loaded = {}, None, None, None, None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "body":
            self.loaded = a.get("data-loaded")
        if tag == "table" and a.get("id"):
            self.cur = self.tables.setdefault(a["id"], [])
        elif tag == "tr" and self.cur is not None and "data-site" in a:
            self.row = {"site": a["data-site"]}
            self.cur.append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = a.get("class", "").split()[0]
            self.row[self.cell] = ""
    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "table":
            self.cur = None
    def handle_data(self, d):
        if self.row is not None and self.cell:
            self.row[self.cell] += d
p = Rows()
p.feed(open(sys.argv[1], encoding="utf-8").read())
api = json.load(open(sys.argv[2]))
assert p.loaded == "1", ("the page did not finish loading", p.loaded)
page, late = p.tables["league"], p.tables["late"]
assert len(page) == len(api["sites"]) == 40, (len(page), len(api["sites"]))
f3 = lambda v: "—" if v is None else "%.3f" % v
sig = {"valid": "valid", "invalid": "invalid", "none": "none"}
for r, a in zip(page, api["sites"]):
    want = {"site": a["site"], "rank": "—" if a["rank"] is None else str(a["rank"]),
            "name": a["name"], "region": a["region"], "pue": f3(a["pue"]),
            "category": "PUE%d" % a["category"], "coverage": f3(a["coverage"]),
            "grade": "—" if a["gb40879_grade"] is None else str(a["gb40879_grade"]),
            "signature": sig[a["signature"]]}
    got = {k: r.get(k) for k in want}
    assert got == want, (got, want)
ranks = [a["rank"] for a in api["sites"]]
pues = [a["pue"] for a in api["sites"]]
assert pues == sorted(pues) and ranks[0] == 1, (ranks, pues)
assert {a["signature"] for a in api["sites"] if a["site"].endswith("0")} == {"valid"}
assert [(r["site"], r["status"]) for r in late] == \
       [(x["site"], "sent late" if x["status"] == "late" else x["status"]) for x in api["late"]], late
silent = [x for x in api["late"] if x["site"].startswith("silent-")]
assert [x["status"] for x in silent] == ["overdue"] * 3, silent
rows = list(csv.DictReader(open(sys.argv[3], encoding="utf-8")))
assert [(r["site"], r["rank"], float(r["pue"])) for r in rows] == \
       [(a["site"], str(a["rank"]), a["pue"]) for a in api["sites"]], "csv"
print("league:", [(a["rank"], a["site"], a["pue"]) for a in api["sites"][:3]], "...",
      "late:", len(api["late"]))
P
ok "league table in chromium = /api/v1/league (40 rows, ranks, PUE, grade, signature); late list = API (3 overdue, 40 sent late); CSV = API"

chrome --dump-dom "$U/?lang=en&period=$PERIOD&site=site-00010" >"$T/site.html" || fail "chromium site page"
bars=$(grep -o '<rect class="bar"' "$T/site.html" | wc -l)
reps=$(grep -o '<td class="kind">monthly</td>' "$T/site.html" | wc -l)
# The trend is the 12 months up to the period; rxload sent January to December of its year.
want=$(echo "${PERIOD#*-}" | sed 's/^0//')
[ "$bars" -eq "$want" ] && [ "$reps" -eq 12 ] || fail "site page: $bars trend bars (want $want), $reps report rows"
grep -q 'class="signature sig-valid">valid<' "$T/site.html" || fail "site page: no valid signature shown"
seq=$(curl -sf "$U/api/v1/sites/site-00010/reports" | $PY -c 'import json,sys; print(json.load(sys.stdin)["reports"][0]["seq"])')
curl -sf "$U/reports/$seq.html?lang=zh" | grep -q "数据中心能效报告" || fail "report HTML (zh)"
curl -sf "$U/reports/$seq.html?lang=en" | grep -q "PUE1\|PUE2\|PUE3" || fail "report HTML (en)"
curl -sf "$U/api/v1/reports/$seq.json" | $PY -c 'import json,sys; assert json.load(sys.stdin)["site"]["id"] == "site-00010"' ||
	fail "report JSON"
ok "site page: 12-month trend ($want months with a report) and 12 reports with signature status; report as HTML (zh, en) and JSON"

chrome --screenshot="$OUT/receiver-league-zh.png" "$U/?period=$PERIOD" >/dev/null || true
chrome --screenshot="$OUT/receiver-site-en.png" "$U/?lang=en&period=$PERIOD&site=site-00010" >/dev/null || true
ok "screenshots: test-output/receiver-league-zh.png, receiver-site-en.png"

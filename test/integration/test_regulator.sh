#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regulator upload cycles (docs/regulator.md) against a local acknowledging platform
# (regulator_ack.py), with 62 days of the demo site's meters (gdcfill) and the shipped example
# template (etc/regulator/example.json) with its documented energy-type mapping:
#  - two destinations, each its own stream: "prov" (15m, 1d, 1mo from yesterday, bearer token)
#    and "nat" (1d, 1mo from the first of last month, basic auth);
#  - "nat" hangs (accepts, never answers; 20 s timeout) while "prov" gets every upload: one
#    destination's outage does not delay the other; then "nat" comes back and gets all of its
#    uploads, in order;
#  - "prov" answers its first two uploads {"code": 1} (not acknowledged): they are sent again
#    until acknowledged ({"code": 0}, the configured ack field);
#  - greendcd is restarted in the middle of producing: no period is lost or produced twice,
#    and no acknowledged upload is sent again;
#  - every period is a site-time boundary (Asia/Shanghai) of its cycle, its quality self-check
#    travels in the body, the daily E_DC equals `greendc pue`'s, and the local history holds
#    one acknowledged row per upload.
. "$(dirname "$0")/lib.sh"

AP=$(free_port)
NP=$(free_port)
HP=$(free_port)
DEAD=$(free_port)
DB="$T/greendc.db"
"$B/gdcfill" --db "$DB" --days 62 --step 1m --end-ago 1m >"$T/fill.log" 2>&1 || { cat "$T/fill.log"; fail "gdcfill"; }
echo "prov-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/prov.token"
echo "nat-password" >"$T/nat.pw"
chmod 600 "$T/prov.token" "$T/nat.pw"
yesterday=$(TZ=Asia/Shanghai date -d yesterday +%F)
month1=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-01) -1 month" +%F)
# The demo configuration (its energy model names the meters gdcfill wrote), its devices at a
# dead port, its outputs replaced by the two regulator destinations.
DCSIM_PORT=$DEAD SNMP_PORT=$DEAD HTTP_PORT=$HP
demo_config "$T/greendc.yaml" no-outputs
cat >>"$T/greendc.yaml" <<Y
outputs:
  summary_interval: 0s
  regulator:
    - name: prov
      url: "http://127.0.0.1:$AP/upload"
      bearer_token_file: prov.token
      template: $top/etc/regulator/example.json
      site_code: "1401000001"
      cycles: [15m, 1d, 1mo]
      start: "$yesterday"
      delay: 30s
      energy_types:
        - {code: "01", figure: e_dc_kwh, decimals: 3}
        - {code: "0101", figure: it_kwh, decimals: 3}
        - {code: "0102", figure: cooling_kwh, decimals: 3}
        - {code: "30", figure: pue, decimals: 4}
      ack: {field: code, equals: "0"}
      backoff_min: 200ms
      backoff_max: 1s
    - name: nat
      url: "http://127.0.0.1:$NP/upload"
      basic_auth: {username: dc1, password_file: nat.pw}
      template: $top/etc/regulator/example.json
      site_code: "91140100MA0000000X"
      cycles: [1d, 1mo]
      start: "$month1"
      catch_up: 62d
      delay: 30s
      energy_types:
        - {code: "01", figure: e_dc_kwh}
        - {code: "0101", figure: it_kwh}
      ack: {field: code, equals: "0"}
      timeout: 20s
      connect_timeout: 1s
      backoff_min: 200ms
      backoff_max: 1s
Y
"$B/greendc" check-config --no-secrets "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "the test's config is not valid"; }

bg prov "$PY" "$top/test/integration/regulator_ack.py" "$AP" "$T/prov.jsonl" --nack-first 2
bg nat_hang "$PY" "$top/test/integration/regulator_ack.py" "$NP" "$T/nat.jsonl" --blackhole
wait_port "$AP"
wait_port "$NP"
received() { [ -f "$T/$1.jsonl" ] && wc -l <"$T/$1.jsonl" || echo 0; }

# Expected periods, computed here from the calendar (not by greendc): prov from yesterday
# (15m until 30 s ago, 1d, 1mo), nat from the first of last month (1d, 1mo).
expected() { # target -> one "cycle start" per line, the starts in site time
	$PY - "$1" "$yesterday" "$month1" <<'PYEOF'
import sys, datetime as dt
from zoneinfo import ZoneInfo
tz = ZoneInfo("Asia/Shanghai")
who, y, m1 = sys.argv[1:4]
now = dt.datetime.now(tz) - dt.timedelta(seconds=30)
def days(a):
    d = dt.datetime.fromisoformat(a).replace(tzinfo=tz)
    while d + dt.timedelta(days=1) <= now:
        yield "1d", d
        d += dt.timedelta(days=1)
def months(a):
    d = dt.datetime.fromisoformat(a).replace(tzinfo=tz, day=1)
    while True:
        n = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if n > now:
            return
        yield "1mo", d
        d = n
out = []
if who == "prov":
    d = dt.datetime.fromisoformat(y).replace(tzinfo=tz)
    while d + dt.timedelta(minutes=15) <= now:
        out.append(("15m", d))
        d += dt.timedelta(minutes=15)
    out += list(days(y)) + list(months(y))
else:
    out += list(days(m1)) + list(months(m1))
for c, d in out:
    print(c, d.isoformat())
PYEOF
}

t_start=$(date +%s)
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
# Restart in the middle of producing prov's uploads.
n=0
until [ "$(received prov)" -ge 20 ]; do
	n=$((n + 1))
	[ $n -gt 300 ] && { tail "$T/greendcd.log"; fail "prov got fewer than 20 uploads in 30 s"; }
	sleep 0.1
done
stop greendcd
at_restart=$(sql "$DB" "SELECT count(*) FROM regulator_uploads")
bg greendcd2 "$B/greendcd" -c "$T/greendc.yaml"
expected prov >"$T/prov.want"
want_prov=$(wc -l <"$T/prov.want")
n=0
until [ "$(sql "$DB" "SELECT count(*) FROM regulator_uploads WHERE target = 'prov' AND acked IS NOT NULL")" -ge "$want_prov" ]; do
	n=$((n + 1))
	[ $n -gt 900 ] && { tail "$T/greendcd2.log"; fail "prov: not every upload acknowledged after 90 s"; }
	sleep 0.1
done
prov_done=$(($(date +%s) - t_start))
# nat hangs all along: its first attempt alone takes its 20 s timeout.
[ "$(received nat)" -eq 0 ] || fail "the hanging platform recorded something"
[ "$prov_done" -lt 20 ] || fail "prov took $prov_done s: it waited for the hanging nat"
ok "restarted after $at_restart uploads were produced; prov: all $want_prov uploads acknowledged within $prov_done s while nat hung"

# nat comes back.
stop nat_hang
grep -q "pusher: nat (http://127.0.0.1:$NP/…): .*retrying with backoff" "$T/greendcd.log" "$T/greendcd2.log" ||
	fail "nat's hang was not logged as a retry"
bg nat "$PY" "$top/test/integration/regulator_ack.py" "$NP" "$T/nat.jsonl"
wait_port "$NP"
expected nat >"$T/nat.want"
want_nat=$(wc -l <"$T/nat.want")
n=0
until [ "$(sql "$DB" "SELECT count(*) FROM regulator_uploads WHERE target = 'nat' AND acked IS NOT NULL")" -ge "$want_nat" ]; do
	n=$((n + 1))
	[ $n -gt 900 ] && { tail "$T/greendcd2.log"; fail "nat: not every upload acknowledged 90 s after it came back"; }
	sleep 0.1
done
ok "nat back: all $want_nat of its uploads acknowledged"
expected prov >"$T/prov.want2"
expected nat >"$T/nat.want2"

sqlite3 -json "$DB" "SELECT target, cycle, period_start, ikey, acked, body, quality FROM regulator_uploads" >"$T/history.json"
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }
G pue --period "$yesterday" --by 15min --format json >"$T/pue-day.json" || fail "greendc pue"
$PY - "$T" "$(cat "$T/prov.token")" <<'PYEOF' || fail "the uploads are not what they should be (above)"
import base64, json, sys, datetime as dt
from zoneinfo import ZoneInfo
T, token = sys.argv[1:3]
tz = ZoneInfo("Asia/Shanghai")
hist = json.load(open(f"{T}/history.json"))
pue = json.load(open(f"{T}/pue-day.json"))
def want(who):
    a = {tuple(l.split()) for l in open(f"{T}/{who}.want")}
    b = {tuple(l.split()) for l in open(f"{T}/{who}.want2")}
    return a, b  # at the two checks: what was due then, what is due now
CYC = {"1": "15m", "2": "1d", "3": "1mo"}
for who, auth in (("prov", f"Bearer {token}"),
                  ("nat", "Basic " + base64.b64encode(b"dc1:nat-password").decode())):
    recs = [json.loads(l) for l in open(f"{T}/{who}.jsonl")]
    acked = [r for r in recs if r["ack"]]
    lo, hi = want(who)
    got = [(CYC[r["body"]["dataType"]], dt.datetime.fromisoformat(r["body"]["periodStart"]).isoformat()) for r in acked]
    keys = [r["key"] for r in acked]
    assert len(set(keys)) == len(keys), f"{who}: an acknowledged upload was sent again"
    assert len(set(got)) == len(got), f"{who}: a period uploaded twice under two keys"
    assert lo <= set(got) <= hi, f"{who}: missing {sorted(lo - set(got))[:5]}, extra {sorted(set(got) - hi)[:5]}"
    nacked = [r for r in recs if not r["ack"]]
    assert all(r["key"] in keys for r in nacked), f"{who}: a refused upload was not sent again"
    assert len(nacked) == (2 if who == "prov" else 0), (who, len(nacked))
    for r in recs:
        assert r["auth"] == auth, (who, r["auth"])
        assert r["key"] == r["body"]["dataId"], r["key"]
    # In order within each cycle; every period a site-time boundary of its cycle.
    last = {}
    for (c, s), r in zip(got, acked):
        b = r["body"]
        start, end = dt.datetime.fromisoformat(b["periodStart"]), dt.datetime.fromisoformat(b["periodEnd"])
        assert start.utcoffset() == dt.timedelta(hours=8), b["periodStart"]
        assert last.get(c, start - dt.timedelta(days=1)) < start, f"{who}: {c} out of order at {start}"
        last[c] = start
        local = start.astimezone(tz)
        assert local.second == 0 and local.microsecond == 0, local
        if c == "15m":
            assert local.minute % 15 == 0 and end - start == dt.timedelta(minutes=15), (local, end)
        elif c == "1d":
            assert (local.hour, local.minute) == (0, 0) and end - start == dt.timedelta(days=1), local
        else:
            nxt = (local.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            assert (local.day, local.hour, local.minute) == (1, 0, 0) and end == nxt, (local, end)
        q = b["quality"]
        assert set(q) >= {"ok", "completeness", "difference", "aligned"}, q
        assert q["aligned"] is True, (c, local, q)
        assert b["statTime"] == local.strftime("%Y-%m-%d %H:%M:%S"), b["statTime"]
        if c in ("1d", "1mo") and (c == "1d" or local.month != dt.datetime.now(tz).month):
            # whole days and months inside the 62 days of data
            assert q["ok"] and q["completeness"] == 1 and q["difference"] <= 0.05, (who, c, local, q)
    # The history: one acknowledged row per upload, with the body that was sent.
    h = [x for x in hist if x["target"] == who]
    assert len(h) == len(acked) and all(x["acked"] for x in h), (who, len(h), len(acked))
    byk = {x["ikey"]: x for x in h}
    for r in acked:
        assert json.loads(byk[r["key"]]["body"]) == r["body"], r["key"]
    print(f"ok - {who}: {len(acked)} uploads, each period once, in order, on site-time boundaries, "
          f"quality self-check in each; {len(nacked)} refused acknowledgements retried; history complete")
# The same figure everywhere: yesterday's E_DC as `greendc pue` computes it.
y = [json.loads(l)["body"] for l in open(f"{T}/prov.jsonl")]
day = [b for b in y if b["dataType"] == "2" and b["statTime"].startswith(pue["total"]["period"])][0]
v = {i["energyTypeCode"]: i["value"] for i in day["items"]}
assert abs(v["01"] - round(pue["total"]["e_dc_kwh"], 3)) < 1e-9, (v["01"], pue["total"]["e_dc_kwh"])
assert abs(v["0101"] - round(pue["total"]["e_it_kwh"], 3)) < 1e-9, (v["0101"], pue["total"]["e_it_kwh"])
assert abs(v["30"] - round(pue["total"]["pue"], 4)) < 1e-9, (v["30"], pue["total"]["pue"])
print(f"ok - {pue['total']['period']}: E_DC {v['01']} kWh, E_IT {v['0101']} kWh, PUE {v['30']}, as `greendc pue` gives them")
PYEOF

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A/B redundancy, live (docs/tenants.md): greendcd polls dcsim with the demo configuration as
# shipped. Rack A1-04 draws about 10 kW; its feed B PDU is rated 32 A, its feed A PDU 16 A
# (8.8 kW derated at 80 %), so feed A alone could not carry the rack's measured peak. The
# capacity rule must raise exactly one alert — rack A1-04, ab_redundancy, feed A — and no
# other capacity alert (not feed B, not a PDU over its own limit: each carries half the
# rack), deliver it to the report receiver, keep it firing (no second firing) across a
# restart of greendcd; /api/v1/floor and `greendc capacity` show the same risk.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

DCSIM_PORT=$(free_port)
SNMP_PORT=$(free_udp_port)
HTTP_PORT=$(free_port)
RECV_PORT=$(free_port)
truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }

bg receiver "$B/greendc-receiver" --port "$RECV_PORT" --db "$T/central.db" --secret-file "$T/central.key"
bg dcsim "$B/dcsim" --port "$DCSIM_PORT" --snmp-port "$SNMP_PORT"
wait_port "$DCSIM_PORT"
wait_port "$RECV_PORT"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HTTP_PORT"
U="http://127.0.0.1:$HTTP_PORT"

# The rule fires after `for: 1m` once the rack's peak over the 5-minute lookback is known.
firing() { sql "$T/greendc.db" "SELECT detail FROM events WHERE kind = 'alert_firing'" 2>/dev/null | grep '"alertname":"capacity"' || true; }
n=0
until [ -n "$(firing)" ]; do
	n=$((n + 1))
	[ $n -gt 180 ] && { tail -20 "$T/greendcd.log"; fail "no capacity alert after 3 minutes"; }
	alive greendcd || { tail -20 "$T/greendcd.log"; fail "greendcd died"; }
	sleep 1
done
ok "a capacity alert fired after $n s"
# Three more rule evaluations see the same risk, and must not add a firing.
sleep 30
curl -sf "$U/api/v1/floor" -o "$T/floor.json" || fail "/api/v1/floor"
curl -sf "$U/api/v1/rack?name=A1-04" -o "$T/rack.json" || fail "/api/v1/rack"
G capacity --format json >"$T/capacity.json" 2>"$T/capacity.err" || fail "greendc capacity"
stop greendcd
bg greendcd2 "$B/greendcd" -c "$T/greendc.yaml"
sleep 25 # two rule evaluations and more after the restart
firing >"$T/firing.txt"
G alerts >"$T/alerts.txt" 2>&1 || true

$PY - "$T" <<'P' || fail "not exactly one A/B alert for A1-04 feed A (above)"
import json, sqlite3, sys
T = sys.argv[1]
fired = [json.loads(l) for l in open(f"{T}/firing.txt") if l.strip()]
assert len(fired) == 1, [f["identity"] for f in fired]
a = fired[0]
assert a["identity"] == "capacity|A1-04|ab_redundancy|feed=A", a["identity"]
assert a["code"] == "capacity" and a["params"]["kind"] == "ab_redundancy", a
assert a["params"]["limit_kw"] == 16 * 230 * 3 * 0.8 / 1000, a["params"]
assert a["params"]["peak_kw"] > a["params"]["limit_kw"] and a["value"] > 1, a
print("ok - exactly one capacity alert:", a["annotations"]["summary"])
db = sqlite3.connect(f"{T}/central.db")
got = [json.loads(b) for (b,) in db.execute("SELECT body FROM messages WHERE body LIKE '%\"alertname\":\"capacity\"%'")]
assert [g["status"] for g in got] == ["firing"] and got[0]["identity"] == a["identity"], [g.get("identity") for g in got]
print("ok - the report receiver got it once")
fl = json.load(open(f"{T}/floor.json"))
racks = {r["name"]: r for h in fl["halls"] for row in h["rows"] for r in row["racks"]}
assert racks["A1-04"]["ab"] == "risk" and fl["counts"]["ab_risk"] == 1, (racks["A1-04"], fl["counts"])
assert [r for r in racks if racks[r]["ab"] == "risk"] == ["A1-04"], racks
rk = json.load(open(f"{T}/rack.json"))
assert [(f["feed"], f["carries"]) for f in rk["feeds"]] == [("A", False), ("B", True)], rk["feeds"]
assert [p["limit_kw"] for p in rk["pdu_list"]] == [8.832, 17.664], rk["pdu_list"]
cap = {r["rack"]: r for r in json.load(open(f"{T}/capacity.json"))["racks"]}
assert cap["A1-04"]["ab"] == "risk" and all(r["ab"] == "ok" for k, r in cap.items() if k != "A1-04"), cap
print("ok - /api/v1/floor, /api/v1/rack and greendc capacity: A1-04 at A/B risk on feed A, the others redundant")
P
grep -q "A1-04" "$T/alerts.txt" || { cat "$T/alerts.txt"; fail "greendc alerts does not list it"; }
ok "greendc alerts lists it, and it stayed one alert across a restart"

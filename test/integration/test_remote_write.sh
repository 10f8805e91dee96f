#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Prometheus remote-write to a real Prometheus (Debian's 2.42, --web.enable-remote-write-
# receiver) and a real VictoriaMetrics, both on 127.0.0.1, from greendcd polling the demo site
# (dcsim) once a second:
#  1. both receivers stopped for RW_OUTAGE seconds (30 here; `make soak` runs 300), then back:
#     the daemon keeps polling, the requests wait in the outbox and arrive afterwards;
#  2. a sample the test writes into Prometheus ahead of greendc's makes Prometheus answer 400
#     ("out of order sample") for the requests that carry that series: each is dropped with the
#     reason logged, the stream goes on;
#  3. greendcd killed with SIGKILL while requests wait (receivers down), then started again:
#     it resumes from the outbox, in order (Prometheus refuses samples out of order);
#  then, for every sample greendc stored up to the end: Prometheus has it, bit for bit in
#  base units (docs/metrics.md's families and units), exactly once, except the samples of the
#  requests it refused (their count is in the logged keys); VictoriaMetrics has every one,
#  exactly once, equal to the 12 significant digits it stores values with. Both are read back
#  over PromQL (a range selector). Series carry the labels /metrics gives them, plus instance.
. "$(dirname "$0")/lib.sh"

OUTAGE=${RW_OUTAGE:-30}
command -v prometheus >/dev/null || fail "prometheus missing (tools/setup.sh)"
command -v victoria-metrics >/dev/null || fail "victoria-metrics missing (tools/setup.sh)"
$PY -c 'import snappy' 2>/dev/null || fail "python3-snappy missing (tools/setup.sh)"
P=$(free_port)
SP=$(free_udp_port)
HP=$(free_port)
PP=$(free_port)
VP=$(free_port)
# The demo configuration as shipped (its rated powers too), polled every second, with its
# outputs replaced by the two remote-write targets.
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$HP
demo_config "$T/greendc.yaml" poll-1s no-outputs
cat >>"$T/greendc.yaml" <<Y
outputs:
  summary_interval: 0s
  remote_write:
    - {name: prom, url: "http://127.0.0.1:$PP/api/v1/write", instance: rwtest,
       backoff_min: 200ms, backoff_max: 2s, connect_timeout: 1s, timeout: 5s}
    - {name: vm, url: "http://127.0.0.1:$VP/api/v1/write", instance: rwtest,
       backoff_min: 200ms, backoff_max: 2s, connect_timeout: 1s, timeout: 5s,
       max_samples_per_send: 100}
Y
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "the test's config is not valid"
DB="$T/greendc.db"
echo "global: {}" >"$T/prom.yml"
start_prom() {
	bg prom prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/promdata" \
		--web.listen-address="127.0.0.1:$PP" --web.enable-remote-write-receiver
	bg vm victoria-metrics -httpListenAddr "127.0.0.1:$VP" -storageDataPath "$T/vmdata" \
		-search.latencyOffset 0s -loggerLevel ERROR
	wait_port "$PP" 20
	wait_port "$VP" 20
}
rw_pending() { sql "$DB" "SELECT count(*) FROM outbox WHERE stream LIKE '%/rw'"; }
wait_drained() { # seconds
	n=0
	until [ "$(rw_pending)" -eq 0 ]; do
		n=$((n + 1))
		[ $n -gt $(($1 * 5)) ] && { tail -5 "$T/greendcd.log"; fail "remote-write requests still queued after $1 s: $(rw_pending)"; }
		sleep 0.2
	done
}
series_in_prom() {
	curl -sf "http://127.0.0.1:$PP/api/v1/series" --data-urlencode 'match[]={instance="rwtest"}' |
		$PY -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}

bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
start_prom
t_start=$(date +%s%3N)
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
n=0
until [ "$(series_in_prom 2>/dev/null || echo 0)" -gt 100 ]; do
	n=$((n + 1))
	[ $n -gt 60 ] && { tail "$T/greendcd.log"; fail "no series in Prometheus after 30 s"; }
	sleep 0.5
done
ok "remote-write reaches Prometheus: $(series_in_prom) series with instance=\"rwtest\""
sleep 5

# ---- 1. both receivers down ----------------------------------------------------------------
stop prom
stop vm
echo "receivers stopped for $OUTAGE s"
sleep "$OUTAGE"
queued=$(rw_pending)
[ "$queued" -gt 0 ] || fail "nothing queued in the outbox during the outage"
grep -q "pusher: prom (http://127.0.0.1:$PP/…): .*retrying with backoff" "$T/greendcd.log" ||
	fail "the outage was not logged as a retry"
start_prom
t0=$(date +%s)
wait_drained 120
ok "receivers down $OUTAGE s: $queued requests queued, all delivered within $(($(date +%s) - t0)) s of their return"

# ---- 2. Prometheus refuses requests: 400, dropped with the reason, the stream goes on -------
# A sample 8 s ahead for one of greendc's series: Prometheus refuses greendc's next samples of
# that series (and with them each request that carries one) until greendc's clock passes it.
labels=$(curl -sf "http://127.0.0.1:$PP/api/v1/series" --data-urlencode \
	'match[]=greendc_power_watts{instance="rwtest",device="utility-a"}' |
	$PY -c 'import json,sys; d=json.load(sys.stdin)["data"][0]; print(" ".join(f"{k}={v}" for k,v in sorted(d.items())))')
[ -n "$labels" ] || fail "no greendc_power_watts of utility-a in Prometheus"
ahead=$(($(date +%s%3N) + 8000))
# shellcheck disable=SC2086
$PY - "http://127.0.0.1:$PP/api/v1/write" "$ahead" 1 $labels <<'PYEOF' || fail "the test's own remote-write request failed"
# One remote-write 1.0 request (protobuf written out by hand, snappy block format).
import struct, sys, urllib.request, snappy
def varint(n):
    out = b""
    while True:
        b, n = n & 0x7f, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def ld(tag, b): return bytes([tag]) + varint(len(b)) + b
url, ts, val = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
labels = sorted(a.split("=", 1) for a in sys.argv[4:])
ser = b"".join(ld(0x0a, ld(0x0a, k.encode()) + ld(0x12, v.encode())) for k, v in labels)
ser += ld(0x12, b"\x09" + struct.pack("<d", val) + b"\x10" + varint(ts))
req = urllib.request.Request(url, snappy.compress(ld(0x0a, ser)), {
    "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
    "X-Prometheus-Remote-Write-Version": "0.1.0"})
assert urllib.request.urlopen(req, timeout=5).status // 100 == 2
PYEOF
sleep 12
drops=$(grep -c "pusher: prom .*dropped remote-write request .*HTTP 400: out of order sample" "$T/greendcd.log" || true)
[ "$drops" -gt 0 ] || { grep "dropped" "$T/greendcd.log"; fail "no request dropped with Prometheus's 400 and its reason"; }
grep -q "pusher: vm .*dropped" "$T/greendcd.log" && fail "VictoriaMetrics refused a request"
wait_drained 30
ok "Prometheus answered 400 ('out of order sample') to $drops request(s): each dropped with the reason logged; the stream went on"

# ---- 3. kill -9 with a backlog, then restart: it resumes from the outbox -------------------
stop prom
stop vm
sleep 5
crash greendcd
left=$(rw_pending)
[ "$left" -gt 0 ] || fail "no backlog in the outbox at the kill"
start_prom
bg greendcd2 "$B/greendcd" -c "$T/greendc.yaml"
sleep 3
wait_drained 30
ok "greendcd killed with SIGKILL while $left requests waited in the outbox; restarted, it sent them first"

# ---- the comparison ------------------------------------------------------------------------
# Stop the devices so the series stop; everything stored up to now is then in the outbox or
# delivered, and the outbox empties.
stop dcsim
sleep 3
t_cut=$(date +%s%3N)
sleep 2
wait_drained 30
# The store's raw samples as export writes them: values in the shortest text that reads back
# as the same double.
"$B/greendc" --db "$DB" export --from "$(date -u -d "@$((t_start / 1000 - 5))" +%Y-%m-%dT%H:%M:%SZ)" \
	--to now --step raw --format csv --output "$T/local.csv" 2>/dev/null || fail "greendc export"
range=$(((t_cut - t_start) / 1000 + 120))
curl -sf "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query={instance=\"rwtest\"}[${range}s]" \
	--data-urlencode "time=$((t_cut / 1000 + 1))" >"$T/prom.json" || fail "query Prometheus"
curl -sf "http://127.0.0.1:$VP/api/v1/query" --data-urlencode "query={instance=\"rwtest\"}[${range}s]" \
	--data-urlencode "time=$((t_cut / 1000 + 1))" >"$T/vm.json" || fail "query VictoriaMetrics"
cat "$T/greendcd.log" "$T/greendcd2.log" >"$T/all.log"
$PY - "$T" "$top/docs/metrics.md" "$t_cut" "$ahead" <<'PYEOF' || fail "the receivers' samples differ from the store's (above)"
import csv, json, math, re, sys
from collections import defaultdict
from datetime import datetime
T, metrics_md, t_cut, ahead = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# docs/metrics.md: metric -> (family, unit); the unit gives the scale to base units.
SCALE = {"kWh": 3.6e6, "Wh": 3600.0, "%": 0.01, "m³/h": 1 / 3600, "L": 0.001, "ms": 0.001, "kW": 1000.0}
fam = {}
for line in open(metrics_md):
    c = [x.strip().strip("`") for x in line.split("|")]
    if len(c) > 6 and c[-2].startswith("greendc_") and re.fullmatch(r"[a-z0-9_]+", c[1]):
        fam[c[1]] = (c[-2].split("{")[0], SCALE.get(c[2], 1.0))
STATES = ["mechanical", "partial", "free"]
def ms(iso):
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
IGN = {"pue", "energy_role", "site", "instance"}  # greendc's own labels: compared on their own
def key(name, labels):
    return (name,) + tuple(sorted((k, v) for k, v in labels.items() if k not in IGN and k != "__name__"))
local = defaultdict(list)
for r in csv.DictReader(open(f"{T}/local.csv")):
    if r["metric"] in fam and r["value"] not in ("", "NaN") and ms(r["timestamp"]) <= t_cut:
        local[(r["device"], r["metric"], r["labels"])].append((ms(r["timestamp"]), float(r["value"])))
want = {}
for (device, metric, lbl), pts in local.items():
    name, scale = fam[metric]
    labels = {"device": device}
    for kv in filter(None, lbl.split(",")):
        k, v = kv.split("=", 1)
        labels[k] = v
    if metric == "cooling_mode":
        for n, st in enumerate(STATES):
            want[key(name, {**labels, "state": st})] = [(t, 1.0 if round(v) == n else 0.0) for t, v in pts]
    else:
        want[key(name, labels)] = [(t, v * scale) for t, v in pts]
assert len(want) > 100, f"only {len(want)} series to compare"

def matrix(path, who):
    got, labelsets = defaultdict(dict), defaultdict(set)
    for r in json.load(open(path))["data"]["result"]:
        m = r["metric"]
        assert m.get("instance") == "rwtest" and m.get("site") == "demo", m
        k = key(m["__name__"], m)
        labelsets[k].add(tuple(sorted((a, b) for a, b in m.items() if a in ("pue", "energy_role"))))
        for t, v in r["values"]:
            t = round(float(t) * 1000)
            assert t not in got[k], f"{who} has {k} at {t} twice"
            got[k][t] = float(v)
    return got, labelsets


def check(got, who, exact, dropped):
    missing = extra = bad = exact_n = total = 0
    for k, pts in want.items():
        g = dict(got.get(k, {}))
        for t, v in pts:
            total += 1
            if t not in g:
                missing += 1
                if not any(a <= t <= b for a, b in dropped):
                    print(f"FAIL {who}: {k[0]} {dict(k[1:])} at {t}: missing outside every dropped request"); return False
                continue
            gv = g.pop(t)
            if gv == v:
                exact_n += 1
            elif exact or not math.isclose(gv, v, rel_tol=1e-12, abs_tol=1e-300):
                print(f"FAIL {who}: {k[0]} {dict(k[1:])} at {t}: {gv!r} != {v!r}"); bad += 1
        extra += sum(1 for t in g if t <= t_cut and t != ahead)
    if bad:
        return False
    if extra:
        print(f"FAIL {who}: {extra} samples greendc did not store (or twice)"); return False
    print(f"ok - {who}: {total - missing} of {total} stored samples in {len(want)} series, once each, "
          f"{exact_n} of them bit for bit" + ("" if exact else ", the rest to 12 significant digits")
          + (f"; {missing} missing, all in requests it refused" if missing else ""))
    return missing, total

# Both over PromQL: a range selector gives the raw samples; values as the shortest text that
# reads back as the double (Prometheus) or as VictoriaMetrics stores them.
got, labelsets = matrix(f"{T}/prom.json", "Prometheus")
# The requests Prometheus refused: rw:<start>.<seq>:<samples>:<first>-<last>.
dropped, ndropped = [], 0
for m in re.finditer(r"pusher: prom .*dropped remote-write request rw:[0-9.]+:(\d+):(\d+)-(\d+): HTTP 400", open(f"{T}/all.log").read()):
    ndropped += int(m.group(1)); dropped.append((int(m.group(2)), int(m.group(3))))
res = check(got, "Prometheus", True, dropped)
if not res:
    sys.exit(1)
missing, total = res
if missing == 0 or missing > ndropped:
    print(f"FAIL Prometheus: {missing} samples missing, the refused requests held {ndropped}"); sys.exit(1)
print(f"ok - the {len(dropped)} refused requests held {ndropped} samples (state sets count once per state); "
      f"{missing} of them are greendc's series' stored samples")
# An energy series carries its role and side of the PUE as on /metrics.
pdu = [ls for k, ls in labelsets.items() if k[0] == "greendc_energy_joules_total" and ("device", "pdu-a") in k]
assert pdu and (("energy_role", "it_pdu_output"), ("pue", "it")) in pdu[0], pdu

got, _ = matrix(f"{T}/vm.json", "VictoriaMetrics")
res = check(got, "VictoriaMetrics", False, [])
if not res or res[0]:
    print("FAIL VictoriaMetrics: samples missing"); sys.exit(1)
PYEOF

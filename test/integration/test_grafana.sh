#!/bin/sh
# The Grafana dashboards (dashboards/grafana/*.json) without Grafana: each parses, has its
# fixed uid and the pinned schemaVersion, takes its Prometheus datasource from the
# ${datasource} template variable in every panel and target, has unique panel ids and sane
# grid positions, never connects a time series across gaps; and every PromQL expression,
# with Grafana's variables filled in, returns success AND data from Debian's prometheus
# scraping a running greendcd (its own config and storage folder, free ports, 127.0.0.1).
. "$(dirname "$0")/lib.sh"
# The demo's report signing key is made by `make demo`; here, one of the test's own.
(umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/central.key")

command -v prometheus >/dev/null || fail "prometheus missing (tools/setup.sh)"
G="$top/dashboards/grafana"
$PY - "$G" "$T/exprs.txt" <<'PYEOF' || fail "dashboard structure"
import json, os, sys
g, out = sys.argv[1], sys.argv[2]
want = {"site-overview.json": "greendc-site-overview", "cooling.json": "greendc-cooling"}
exprs = []
assert sorted(f for f in os.listdir(g) if f.endswith(".json")) == sorted(want), os.listdir(g)
for f, uid in want.items():
    d = json.load(open(os.path.join(g, f)))
    assert d["uid"] == uid, (f, d["uid"])
    assert d["schemaVersion"] == 39, (f, d["schemaVersion"])
    assert d["title"].startswith("greendc"), f
    tv = {v["name"]: v for v in d["templating"]["list"]}
    assert tv["datasource"]["type"] == "datasource" and tv["datasource"]["query"] == "prometheus", f
    assert tv["device"]["datasource"]["uid"] == "${datasource}", f
    assert tv["device"]["definition"] == "label_values(greendc_device_up, device)", f
    exprs.append("greendc_device_up")  # what the device variable lists
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 8, (f, ids)
    for p in d["panels"]:
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, (f, p["title"])
        gp = p["gridPos"]
        assert all(isinstance(gp[k], int) for k in "xywh") and gp["x"] + gp["w"] <= 24 and gp["w"] > 0 and gp["h"] > 0, (f, p["title"], gp)
        assert p["type"] in ("stat", "timeseries", "table"), p["type"]
        if p["type"] == "timeseries":
            assert p["fieldConfig"]["defaults"]["custom"]["spanNulls"] is False, (f, p["title"])
        assert p["targets"], (f, p["title"])
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${datasource}" and t["expr"].strip(), (f, p["title"])
            exprs.append(t["expr"])
open(out, "w").write("\n".join(exprs) + "\n")
print(f"ok - 2 dashboards: fixed uids, schemaVersion 39, datasource variable everywhere, {len(exprs)} expressions")
PYEOF

P=$(free_port)
SP=$(free_port)
HP=$(free_port)
PP=$(free_port)
sed -e "/rated_power_w:/d" -e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:$P|" \
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
cat >"$T/prometheus.yml" <<Y
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: greendc
    static_configs: [{targets: ["127.0.0.1:$HP"]}]
Y
mkdir -p "$T/prom"
bg prometheus prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PP" --storage.tsdb.retention.time=1h
wait_port "$PP" 20
# Bounded wait until the interim PUE has been scraped a few times (rate() needs two samples).
n=0
until curl -s "http://127.0.0.1:$PP/api/v1/query?query=count_over_time(greendc_pue_interim_ratio%5B1m%5D)" -o "$T/c.json" &&
	$PY -c "import json,sys; r=json.load(open('$T/c.json'))['data']['result']; sys.exit(0 if r and int(r[0]['value'][1]) >= 4 else 1)" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 80 ] && fail "Prometheus did not collect greendc_pue_interim_ratio: $(cat "$T/c.json")"
	sleep 0.5
done
$PY - "$T/exprs.txt" "http://127.0.0.1:$PP" <<'PYEOF' || fail "a dashboard expression failed in Prometheus"
import json, sys, urllib.parse, urllib.request
exprs = [e for e in open(sys.argv[1]).read().split("\n") if e]
base = sys.argv[2]
bad = []
for e in exprs:
    q = e.replace("$__rate_interval", "1m").replace("$__range", "5m").replace("$device", ".*")
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        j = json.load(urllib.request.urlopen(url, timeout=10))
    except Exception as ex:  # a 400 from Prometheus is a bad expression
        bad.append((e, str(ex)))
        continue
    if j.get("status") != "success" or not j["data"]["result"]:
        bad.append((e, json.dumps(j)[:200]))
for e, why in bad:
    print("FAIL:", e, "->", why)
if bad:
    sys.exit(1)
print(f"ok - all {len(exprs)} expressions return success with data from Prometheus scraping greendcd")
PYEOF
echo "2 passed, 0 failed"

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# greendc.yaml(5) documents exactly the keys the config parsers accept, so the two cannot drift.
# The keys come from the parsers themselves: a config using every section and every nested
# mapping is checked once as is (it must be valid), then once per mapping with an unknown key
# added there; `greendc check-config` names the keys that mapping accepts ("unknown key
# (known: ...)"). Each of those mappings must be a .SS section of the man page listing exactly
# those keys (.TP/.B entries), and each .SS section must be one of those mappings. A mapping
# that accepts any key (labels, driver options, years) has no .SS section. List items are
# written [] and the keys under energy.roles and reporting.data_traffic_pb ROLE and YEAR.
. "$(dirname "$0")/lib.sh"

cat >"$T/full.yaml" <<Y
site: {id: probe, name: "Probe site", timezone: UTC, altitude_m: 100}
storage: {path: probe.db, raw_retention: 2d, commit_interval: 1s}
daemon: {workers: 2, max_backoff: 1m, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles,
         log_level: info, user: nobody, audit_log: audit.log}
devices:
  - {name: meter, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630,
     interval: 10s, timeout: 2s, labels: {role: facility, rack: R1}, options: {unit_id: 1},
     rated_power_w: 100000, enabled: true}
energy:
  roles:
    facility_input: [{device: meter, metric: energy_kwh, labels: {phase: ""}}]
    it_pdu_output: [{device: meter, metric: energy_export_kwh, zone: hall-a}]
  renewable_certificates: [{period: "2026", kwh: 1, kind: goo}]
  co2: {kg_per_kwh: 0.5, source: "probe", year: 2022, backup_kg_per_kwh: 0.7}
  gb40879_grades: [1.2, 1.3, 1.5]
  coverage_min: 0.95
  max_gap: 5m
  boundary: "probe"
cooling:
  economizer: tower
  chw_supply_c: 15
  chw_return_c: 21
  outdoor: {dry_bulb: "meter outdoor_temp_c*", rh: "meter outdoor_rh_pct*"}
  plant: {cooling_mode: "meter cooling_mode*"}
alerts:
  interval: 15s
  rules: [{name: hot, type: threshold, series: "meter power_w*", above: 1}]
outputs:
  report: [{name: central, url: "http://127.0.0.1:1/", secret_file: key}]
  alertmanager: [{name: am, url: "http://127.0.0.1:2/"}]
  chat: [{name: robot, kind: slack, url_file: url, rate_limit: {messages: 1, per: 1s}}]
  remote_write:
    - {name: prom, url: "http://127.0.0.1:3/api/v1/write", ca_file: ca, client_cert: c,
       client_key: k, bearer_token_file: tok, instance: gw, max_samples_per_send: 100,
       max_bytes: 1048576, max_items: 100, connect_timeout: 1s, timeout: 2s, backoff_min: 1s,
       backoff_max: 2s, retry_after_max: 1m}
  regulator:
    - {name: prov, url: "http://127.0.0.1:4/up", ca_file: ca, client_cert: c, client_key: k,
       basic_auth: {username: u, password_file: pw}, template: reg.json, site_code: "1",
       cycles: [15m, 1d, 1mo], energy_types: [{code: "01", figure: e_dc_kwh, scale: 1, decimals: 2}],
       ack: {field: code, equals: "0"}, quality: {completeness_min: 0.9, difference_max: 0.05},
       delay: 2m, start: "2026-10-01", catch_up: 7d, history: 400d, connect_timeout: 1s,
       timeout: 2s, backoff_min: 1s, backoff_max: 2s, retry_after_max: 1m}
reporting:
  owner: probe
  operator: probe
  address: probe
  unified_social_credit_code: "91350100M000100Y43"
  regulator_unit_id: probe
  contact: {name: probe, phone: "1", email: probe@example.cn}
  location_code: probe
  type: enterprise
  start_date: "2021-06-01"
  installed_it_power_kw: 1
  floor_area_m2: {total: 2, computer_room: 1}
  redundancy: {power: 2N, cooling: N+1}
  reused_heat_temp_c: 40
  data_traffic_pb: {"2026": {incoming: 1, outgoing: 1}}
  meters:
    - {id: M1, device: meter, model: probe, serial: "1", accuracy_class: "1", ct_ratio: "400/5",
       pt_ratio: "10000/100", boundary_point: probe, role: facility_input,
       calibrated: "2025-01-01", calibration_due: "2099-01-01"}
  meters_file: meters.yaml
  signing_key: report.key
  prepared_by: probe
  approved_by: probe
http: {listen: 127.0.0.1, port: 1}
tenants:
  - {name: t1, title: "Tenant 1", tariff: tou, overhead: pue,
     outlets: [{rack: R1, outlet: "1", feed: A}]}
tariffs:
  - name: tou
    currency: CNY
    source: probe
    prices: {critical: 1.2, peak: 1, flat: 0.6, valley: 0.3, deep_valley: 0.2}
    seasons:
      - {months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], critical: ["19:00-20:00"],
         peak: ["08:00-11:00"], flat: ["11:00-12:00"], valley: ["23:00-07:00"],
         deep_valley: ["07:00-08:00"], rest: flat}
capacity:
  derating: 0.8
  window: 24h
  refresh: 1m
  defaults: {rated_a: 16, phases: 3, voltage_v: 230, accuracy_pct: 1}
  pdus: [{device: meter, rated_kw: 7.4, phases: 3, voltage_v: 230, accuracy_pct: 1}]
  racks: [{rack: R1, rated_kw: 8}]
Y
echo "- {id: M2, role: it_pdu_output, calibration_due: \"2099-01-01\"}" >"$T/meters.yaml"
echo '{"v": {{value:01}}}' >"$T/reg.json"
# The secret files it names, as check-config wants them (mode 0600, usable content).
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key"
echo "https://robot.example/hook?token=x" >"$T/url"
echo "token" >"$T/tok"
echo "password" >"$T/pw"
echo "not a real key" >"$T/k"
"$B/greendc" report keygen --out "$T/report.key" >/dev/null || fail "report keygen"
chmod 600 "$T/key" "$T/url" "$T/tok" "$T/pw" "$T/k" "$T/report.key"
# daemon.user is nobody: the daemon reads them as nobody.
[ "$(id -u)" = 0 ] && chown nobody "$T/key" "$T/url" "$T/tok" "$T/pw" "$T/k" "$T/report.key"
"$B/greendc" check-config "$T/full.yaml" >"$T/full.out" 2>&1 || { cat "$T/full.out"; fail "the full config is not valid"; }
ok "a config with every section and nested mapping is valid"

$PY - "$T" "$B/greendc" "$top/man/greendc.yaml.5" <<'PYEOF' || fail "greendc.yaml(5) and the parsers differ"
import copy, re, subprocess, sys, yaml
T, greendc, man = sys.argv[1:4]
full = yaml.safe_load(open(f"{T}/full.yaml"))

def norm(path):
    out = []
    for i, p in enumerate(path):
        if isinstance(p, int):
            out[-1] += "[]"
        elif path[:i] == ["energy", "roles"]:
            out.append("ROLE")
        elif path[:i] == ["reporting", "data_traffic_pb"]:
            out.append("YEAR")
        else:
            out.append(p)
    return ".".join(out) or "top level"

def mappings(node, path):
    if isinstance(node, dict):
        yield path
        for k, v in node.items():
            yield from mappings(v, path + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from mappings(v, path + [i])

accepted = {}  # normalised path -> set of keys, or None for "any key"
for path in mappings(full, []):
    doc = copy.deepcopy(full)
    node = doc
    for p in path:
        node = node[p]
    node["zz_probe_key"] = 1
    yaml.safe_dump(doc, open(f"{T}/probe.yaml", "w"), sort_keys=False)
    r = subprocess.run([greendc, "check-config", "--no-secrets", f"{T}/probe.yaml"],
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    m = re.search(r"zz_probe_key: unknown key \(known: ([^)]*)\)", out)
    keys = set(m.group(1).split(", ")) if m else None  # None: any key (or the driver's)
    n = norm(path)
    if n in accepted and accepted[n] != keys:
        print(f"FAIL: {n}: two items accept different keys: {accepted[n]} vs {keys}")
        sys.exit(1)
    accepted[n] = keys

# The man page: ".SS <path>" then ".TP" / ".B <key>" entries.
sections, cur = {}, None
lines = open(man).read().split("\n")
for i, ln in enumerate(lines):
    if ln.startswith(".SS "):
        cur = ln[4:].strip().strip('"').replace("\\-", "-").replace("\\&", "")
        sections[cur] = set()
    elif ln.startswith(".SH "):
        cur = None
    elif cur and ln == ".TP" and i + 1 < len(lines) and lines[i + 1].startswith(".B "):
        sections[cur].add(lines[i + 1][3:].split()[0].strip('"').replace("\\-", "-").replace("\\&", ""))

bad = []
for path, keys in sorted(accepted.items()):
    if keys is None:
        if path in sections:
            bad.append(f"{path}: accepts any key, but the man page lists {sorted(sections[path])}")
        continue
    if path not in sections:
        bad.append(f"{path}: accepts {sorted(keys)}; greendc.yaml(5) has no .SS {path}")
        print(f"  .SS {path}: " + ", ".join(sorted(keys)))
        continue
    if keys - sections[path]:
        bad.append(f"{path}: accepted but not documented: {sorted(keys - sections[path])}")
    if sections[path] - keys:
        bad.append(f"{path}: documented but not accepted: {sorted(sections[path] - keys)}")
for path in sorted(set(sections) - set(accepted)):
    bad.append(f".SS {path}: not a mapping the parsers read (or missing from this test's config)")
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
fixed = [p for p, k in accepted.items() if k is not None]
print(f"ok - greendc.yaml(5) documents exactly the keys of all {len(fixed)} mappings the parsers "
      f"check ({sum(len(accepted[p]) for p in fixed)} keys); "
      f"{len(accepted) - len(fixed)} accept any key ({', '.join(sorted(p for p, k in accepted.items() if k is None))})")
PYEOF

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /metrics follows the Prometheus conventions on a live greendcd (the demo config against
# dcsim): `promtool check metrics` finds nothing at all; each family has one HELP and one TYPE,
# no two families share a HELP; no family name ends in a non-base unit; every family is one
# docs/metrics.md lists and every family it lists as greendcd's own is served; every sample
# carries site="<site.id>"; cooling_mode is a state set with exactly one state at 1, the
# stored mode; the energy model labels its series (energy_role, and pue="dc"/"it" at its
# category, 2 in the demo) and the power of those series gives the interim PUE;
# greendc_build_info says what `greendcd --version` says.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || fail "promtool missing (Debian prometheus; tools/setup.sh)"
P=$(free_port)
SP=$(free_udp_port)
HP=$(free_port)
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$HP RECV_PORT=$(free_port)
demo_config "$T/greendc.yaml" fast-polling
site=$(sed -n 's/^  id: *//p' "$T/greendc.yaml" | head -1)
[ -n "$site" ] || fail "no site.id in the demo config"
bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP"

# Bounded wait until the interim PUE (first computed after about 15 s) and the plant's mode
# are in the snapshot.
n=0
until curl -sf "http://127.0.0.1:$HP/metrics" -o "$T/m.txt" &&
	grep -q '^greendc_pue_interim_ratio{' "$T/m.txt" && grep -q '^greendc_cooling_mode{' "$T/m.txt"; do
	n=$((n + 1))
	[ $n -gt 80 ] && { tail "$T/greendcd.log"; fail "no interim PUE or cooling mode in /metrics after 40 s"; }
	sleep 0.5
done

promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1 || { cat "$T/promtool.out"; fail "promtool check metrics"; }
[ -s "$T/promtool.out" ] && { cat "$T/promtool.out"; fail "promtool check metrics has findings"; }
ok "promtool check metrics: no findings on $(grep -c '^greendc' "$T/m.txt") samples"

version=$("$B/greendcd" --version | cut -d' ' -f2)
# The mode the store holds now, as the API and CLI name it (0 mechanical, 1 partial, 2 free).
stored_mode() {
	"$B/greendc" --db "$T/greendc.db" query 'chiller-plant cooling_mode*' --from -1m --to now \
		--step raw --format csv | tail -n 1 | awk -F, '{v=$NF+0; print v==0 ? "mechanical" : v==1 ? "partial" : v==2 ? "free" : "?"}'
}
tries=0
until {
	mode=$(stored_mode)
	curl -sf "http://127.0.0.1:$HP/metrics" -o "$T/m.txt"
	$PY - "$T/m.txt" "$top/docs/metrics.md" "$site" "$version" "$mode" <<'PYEOF'
import re, sys
text, doc, site, version, mode = open(sys.argv[1]).read(), open(sys.argv[2]).read(), *sys.argv[3:6]
helps, types, samples = {}, {}, []
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
lab_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for ln in text.splitlines():
    if ln.startswith("# HELP "):
        name, h = ln[7:].split(" ", 1)
        assert name not in helps, f"two HELP lines for {name}"
        helps[name] = h
    elif ln.startswith("# TYPE "):
        name, t = ln[7:].split(" ", 1)
        assert name not in types, f"two TYPE lines for {name}"
        types[name] = t
    elif ln:
        m = line_re.match(ln)
        assert m, f"unparsable sample: {ln}"
        samples.append((m.group(1), dict(lab_re.findall(m.group(2) or "")), float(m.group(3))))
fams = set(helps)
assert fams == set(types), "HELP and TYPE differ"
assert {s[0] for s in samples} <= fams, "a sample without its family"
dup = [h for h in set(helps.values()) if list(helps.values()).count(h) > 1]
assert not dup, f"families share a HELP: {dup}"
print(f"ok - {len(fams)} families, each with one HELP (all different) and one TYPE")

bad = [f for f in fams if re.search(r'_(a|v|va|var|hz|pa|m3|m3h|kwh|wh|w|kw|c|pct|ms|s|l)(_total)?$', f)]
assert not bad, f"families in non-base units: {bad}"
old = {"greendc_current_a", "greendc_voltage_v", "greendc_apparent_power_va", "greendc_outdoor_pressure_pa",
       "greendc_water_flow_m3h", "greendc_water_m3_total", "greendc_frequency_hz", "greendc_reactive_power_var"}
assert not fams & old, fams & old
for f, t in types.items():
    assert (t == "counter") == f.endswith("_total"), (f, t)
print("ok - base units in every name, counters and only counters end in _total, no pre-0.1 names")

# docs/metrics.md: the registry's Prometheus column and the table of greendcd's own families
# (the Changes table names old families on purpose: not read).
body = doc.split("### Changes")[0]
documented = set(re.findall(r'`(greendc_[a-z_]+)(?:\{[a-z]+\})?`', body))
undoc = fams - documented
assert not undoc, f"families not in docs/metrics.md: {sorted(undoc)}"
own = body.split("### Families greendcd adds")[1]
own = set(re.findall(r'^\| `(greendc_[a-z_]+)` \|', own, re.M))
assert own and own <= fams, f"documented but not served: {sorted(own - fams)}"
print(f"ok - every family is in docs/metrics.md; its {len(own)} own families are all served")

nosite = [s for s in samples if s[1].get("site") != site]
assert not nosite, f"samples without site=\"{site}\": {nosite[:3]}"
print(f"ok - site=\"{site}\" on all {len(samples)} samples")

bi = [s for s in samples if s[0] == "greendc_build_info"]
assert len(bi) == 1 and bi[0][1]["version"] == version and bi[0][2] == 1, bi
print(f"ok - greendc_build_info{{version=\"{version}\"}} 1, as greendcd --version says")

modes = {}
for name, lab, v in samples:
    if name == "greendc_cooling_mode":
        key = tuple(sorted((k, x) for k, x in lab.items() if k != "state"))
        modes.setdefault(key, {})[lab["state"]] = v
assert modes, "no cooling mode"
for key, st in modes.items():
    assert set(st) == {"mechanical", "partial", "free"} and sum(st.values()) == 1 and set(st.values()) <= {0, 1}, (key, st)
plant = [st for key, st in modes.items() if ("device", "chiller-plant") in key]
assert len(plant) == 1, modes
now = [k for k, v in plant[0].items() if v == 1][0]
if now != mode:
    print(f"cooling mode: /metrics {now}, store {mode} (changed between the reads?)")
    sys.exit(3)
print(f"ok - greendc_cooling_mode is a state set (one state at 1 per device); the plant's is {now}, as stored")

cat = [s for s in samples if s[0] == "greendc_pue_category"]
assert len(cat) == 1 and cat[0][2] == 2, cat
it = [s for s in samples if s[1].get("pue") == "it"]
dc = [s for s in samples if s[1].get("pue") == "dc"]
assert it and all(s[1].get("energy_role") == "it_pdu_output" for s in it), it[:3]
assert dc and all(s[1].get("energy_role") in ("facility_input", "backup_generation", "onsite_renewable") for s in dc), dc[:3]
ups = [s for s in samples if s[1].get("energy_role") == "it_ups_output"]
assert ups and not any("pue" in s[1] for s in ups), ups
assert not any("pue" in s[1] for s in samples if s[1].get("phase")), "a per-phase series on a PUE side"
ratio = [s for s in samples if s[0] == "greendc_pue_interim_ratio"]
assert len(ratio) == 1 and ratio[0][1]["category"] == "2", ratio
p = lambda side: sum(s[2] for s in samples if s[0] == "greendc_power_watts" and s[1].get("pue") == side)
pue_now = p("dc") / p("it")
assert abs(pue_now / ratio[0][2] - 1) < 0.1, (pue_now, ratio[0][2])
print(f"ok - category 2: pue=\"it\" on PDU output only, pue=\"dc\" on E_DC roles; power by those labels "
      f"gives PUE {pue_now:.3f} vs the interim {ratio[0][2]:.3f}")
PYEOF
}; do
	rc=$?
	tries=$((tries + 1))
	[ $rc = 3 ] && [ $tries -lt 3 ] || fail "/metrics conventions (see above)"
	sleep 1
done

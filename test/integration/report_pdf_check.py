#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check a regulator report's PDFs against its JSON (test_report_pdf.sh).

    report_pdf_check.py REPORT.json ZH.pdf EN.pdf SCHEMA OUTDIR NAME

- the JSON validates against docs/report.schema.json;
- pdftotext of each PDF holds every KPI value and every identity field the JSON holds, with
  the report's rounding (docs/reports.md, "Rounding": the decimals each KPI's kpi_inputs
  names, energy one decimal with thousands grouped, capacities and areas whole), E_DC, E_IT,
  the document ID and the period in site time;
- every page carries the SHA-256 of the JSON file's bytes;
- pdffonts shows the CJK face embedded (and nothing unembedded);
- the Chinese PDF has no English words outside an allowlist: symbols, units and standards,
  and the words of the data itself (names, addresses, device and series names, sources);
- the English PDF carries every finding's text;
- the pages are saved as PNG under OUTDIR (NAME-zh-1.png, ...).
"""
import hashlib
import json
import re
import subprocess
import sys

import jsonschema

rep_path, zh_pdf, en_pdf, schema_path, outdir, name = sys.argv[1:7]
raw = open(rep_path, "rb").read()
rep = json.loads(raw)
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(rep, schema, cls=jsonschema.Draft202012Validator)
digest = hashlib.sha256(raw).hexdigest()


def squash(s):
    return re.sub(r"\s+", "", s)


def text(pdf, page=None):
    args = ["pdftotext", "-enc", "UTF-8"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [pdf, "-"], check=True, capture_output=True, text=True).stdout


def pages(pdf):
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def get(o, path):
    for k in path.split("."):
        o = o.get(k) if isinstance(o, dict) else None
    return o


def expected(rep):
    """Every value the pages must show, as they show it."""
    want = []
    for k, v in rep["kpi"].items():
        if k == "pue_label" or v is None:
            continue
        d = rep["kpi_inputs"][k]["decimals"]
        want.append((f"kpi.{k}", f"{v:,.{d}f}"))
    if rep["kpi"]["pue_label"]:
        want.append(("kpi.pue_label", rep["kpi"]["pue_label"]))
    want.append(("energy.e_dc_kwh", f"{rep['energy']['e_dc_kwh']:,.1f}"))
    want.append(("energy.e_it_kwh", f"{rep['energy']['e_it_kwh']:,.1f}"))
    idn = rep["identity"]
    for k in ("site_name", "operator", "owner", "address", "unified_social_credit_code",
              "regulator_unit_id"):
        if idn[k] is not None:
            want.append((f"identity.{k}", idn[k]))
    for k in ("name", "phone", "email"):
        if idn["contact"][k] is not None:
            want.append((f"identity.contact.{k}", idn["contact"][k]))
    for k in ("installed_it_power_kw", "floor_area_total_m2", "floor_area_computer_room_m2"):
        if idn[k] is not None:
            want.append((f"identity.{k}", f"{idn[k]:,.0f}"))
    for k in ("document.id", "period.from_local", "period.to_local", "period.zone",
              "site.id"):
        want.append((k, get(rep, k)))
    for m in rep["metering"]["meters"]:
        want.append((f"meter {m['id']}", m["id"]))
        if m["serial"]:
            want.append((f"meter {m['id']} serial", m["serial"]))
        want.append((f"meter {m['id']} due", m["calibration_due"]))
    if rep.get("signature_key"):
        want.append(("signature_key.fingerprint", rep["signature_key"]["fingerprint"]))
    eu = rep.get("eu_2024_1364")
    if eu:
        for k in ("e_dc_kwh", "e_it_ups_output_kwh", "e_reuse_kwh", "e_res_tot_kwh"):
            if eu.get(k) is not None:
                want.append((f"eu.{k}", f"{eu[k]:,.1f}"))
        for k in ("w_in_m3", "w_in_pot_m3"):
            if eu.get(k) is not None:
                want.append((f"eu.{k}", f"{eu[k]:,.1f}"))
    return want


def data_words(rep):
    """Words that are data, not prose: they may appear on a Chinese page as they are."""
    words = set()

    def add(s):
        if isinstance(s, str):
            words.update(re.findall(r"[A-Za-z]+", s))

    for v in list(rep["identity"].values()) + list(rep["identity"]["contact"].values()):
        add(v)
    for v in rep["site"].values():
        add(v)
    for k in ("document.id", "document.software", "period.zone", "co2_factor.source",
              "metering.boundary", "signatories.prepared_by", "signatories.approved_by",
              "signature_key.fingerprint"):
        add(get(rep, k))
    for m in rep["metering"]["meters"]:
        for v in m.values():
            add(v)
    for e in rep["quality"]["events"]:
        add(e["series"])
    for g in rep["gaps"]:
        add(g["series"])
    eu = rep.get("eu_2024_1364") or {}
    for v in (eu.get("identity") or {}).values():
        add(v)
    add(eu.get("redundancy_power"))
    add(eu.get("redundancy_cooling"))
    return words


# Symbols, units, standards and identifiers a Chinese regulator's page uses as they are.
ALLOW = set("""PUE DCiE pPUE WUE CUE ERF REF CER DC IT UPS PDU BG REUSE RES TOT IN POT REN
COOL HR DIT RM GB ISO IEC EN SHA JSON Ed GDC greendc energy kWh kW kgCO CO kg MWh PB UTC h m""".split())

fails = []
for lang, pdf in (("zh", zh_pdf), ("en", en_pdf)):
    n = pages(pdf)
    body = squash(text(pdf))
    for what, v in expected(rep):
        if squash(v) not in body:
            fails.append(f"{lang}: {what} = {v!r} not in the PDF text")
    for p in range(1, n + 1):
        if digest not in squash(text(pdf, p)):
            fails.append(f"{lang}: page {p} lacks the SHA-256 {digest}")
    fonts = subprocess.run(["pdffonts", pdf], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    cjk = [f for f in fonts if re.search(r"WenQuanYi|NotoSans.*CJK|Noto Sans CJK", f)]
    if not any(re.search(r"\byes\s+yes\s+yes\b", f) for f in cjk):
        fails.append(f"{lang}: no embedded CJK font in {fonts}")
    for f in fonts:
        if not re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+", f):
            fails.append(f"{lang}: a font is not embedded: {f}")
    subprocess.run(["pdftoppm", "-r", "80", "-png", pdf, f"{outdir}/{name}-{lang}"], check=True)
    if lang == "zh":
        allowed = ALLOW | data_words(rep)
        # hex digests are numbers, not words
        words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[0-9a-f]{16,}\b", " ", text(pdf)))
        # a word cut where a table cell wraps is a piece of an allowed one
        stray = sorted({w for w in words
                        if w not in allowed and not any(w in a for a in allowed)})
        if stray:
            fails.append(f"zh: English words outside the allowlist: {stray}")
    else:
        for fl in rep["quality"]["flags"]:
            if squash(fl["text"]) not in body:
                fails.append(f"en: finding not printed: {fl['text']}")
    print(f"{name}-{lang}: {n} pages, {len(expected(rep))} values checked, fonts: "
          + "; ".join(f.split()[0] for f in fonts))
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)

# SPDX-License-Identifier: Apache-2.0
"""Helpers for the tests that talk to greendc-receiver as a site would (imported by the
Python parts of test_receiver_*.sh and test_push_tls_sig.sh): valid documents per
docs/report.schema.json and docs/summary.schema.json, Standard Webhooks signing (HMAC "v1"
and Ed25519 "v1a", python3-cryptography) and a POST that returns (status, text)."""
import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def month_bounds(period):
    y, m = int(period[:4]), int(period[5:7])
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return f"{y:04d}-{m:02d}-01T00:00:00Z", f"{ny:04d}-{nm:02d}-01T00:00:00Z"


def report(site, name, period, pue, grade=None, category=1, coverage=1.0, complete=True):
    """A monthly report that validates against docs/report.schema.json."""
    frm, to = month_bounds(period)
    e_it = 700000.0
    pue_ok = complete and pue is not None
    return {
        "type": "report", "schema": "greendc.report/1", "kind": "monthly",
        "methodology": "greendc-energy/1 (test)", "generated": iso(time.time() * 1000),
        "site": {"id": site, "name": name, "timezone": "Asia/Shanghai"},
        "period": {"label": period, "from": frm, "to": to},
        "complete": complete, "coverage_threshold": 0.95, "coverage": coverage,
        "estimated_share": 0, "status": "OK", "missing": [],
        "energy": {"e_dc_kwh": e_it * (pue or 1.5), "e_it_kwh": e_it, "category": category,
                   "category_text": "category %d" % category, "roles": {}},
        "kpi": {"pue": pue if pue_ok else None, "dcie": 100 / pue if pue_ok else None,
                "ppue_cooling": None, "wue": None, "cue": None, "erf": None, "ref": None,
                "cer": None,
                "pue_label": "PUE%d, %s, %.2f" % (category, period, pue) if pue_ok else None},
        "kpi_errors": {},
        "co2_factor": {"kg_per_kwh": 0.5366, "source": "MEE/NBS", "year": 2022},
        "gb40879": {"grade": None, "indicative_grade": grade, "limits": [1.2, 1.3, 1.5],
                    "note": "indicative"},
        "free_cooling": {"equivalent_full_hours": None, "hours_any": None},
        "setpoints": {"source": "config"},
    }


def summary(site, name, from_ms, seconds=86400):
    return {"type": "summary", "schema": "greendc.summary/1",
            "site": {"id": site, "name": name},
            "period": {"from": iso(from_ms), "to": iso(from_ms + seconds * 1000),
                       "seconds": seconds},
            "devices": {"total": 10, "up": 10, "down": 0}, "samples_stored": 1000,
            "outbox_dropped": 0, "interim": None}


def body_of(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


def hmac_sig(key, mid, ts, body):
    mac = hmac.new(key, f"{mid}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def ed_sig(priv, mid, ts, body):
    return "v1a," + base64.b64encode(priv.sign(f"{mid}.{ts}.".encode() + body)).decode()


def new_secret():
    import os
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def secret_key(secret):
    return base64.b64decode(secret[len("whsec_"):])


def new_ed25519():
    """(private key, public key PEM text, whpk_ text)."""
    k = Ed25519PrivateKey.generate()
    pub = k.public_key()
    pem = pub.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return k, pem, "whpk_" + base64.b64encode(raw).decode()


def post(port, body, mid, sig=None, site=None, ts=None, extra=None, path="/ingest",
         timeout=10):
    """POST body; sig is a callable (mid, ts, body) -> header value, or a fixed string."""
    ts = int(time.time()) if ts is None else ts
    h = {"webhook-id": mid, "webhook-timestamp": str(ts), "Content-Type": "application/json"}
    if sig is not None:
        h["webhook-signature"] = sig(mid, ts, body) if callable(sig) else sig
    if site is not None:
        h["greendc-site"] = site
    h.update(extra or {})
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST",
                                 headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get_json(port, path, timeout=10):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return json.load(r)

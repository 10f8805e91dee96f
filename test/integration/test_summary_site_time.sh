#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Summaries are periods of site time (outputs.summary_interval; docs/reports.md): whole
# intervals from site midnight, whatever UTC's offset or the host's zone (the runner's tz/
# stage runs this test with the host in America/Los_Angeles). With the site in Asia/Shanghai
# (UTC+8) and an interval of N seconds (7, 11, 13 or 17: the first for which today's site
# midnight is neither a multiple of N seconds from the epoch nor from the host's midnight),
# every period greendcd queues starts a whole number of N s after site midnight -- which an
# epoch-aligned (UTC) or host-aligned period would not today -- lasts N s and follows the one
# before. (A daily summary is each site day, midnight to midnight: test_report.c's
# test_summary_periods, with the days DST makes 23 and 25 hours long.)
# check-config refuses an interval that is neither shorter than a day nor whole days.
. "$(dirname "$0")/lib.sh"

DEAD=$(free_port) # the report target: nothing listens, so the summaries stay in the outbox
(umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key")
mk() { # summary_interval
	cat <<Y
# A test config (not shipped): no devices, summaries every $1 to a target that never answers.
site: {id: st, name: Site-time DC, timezone: Asia/Shanghai}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices: []
outputs:
  summary_interval: $1
  report:
    - {name: central, url: "http://127.0.0.1:$DEAD/ingest", secret_file: key}
Y
}
mk 36h >"$T/bad.yaml"
"$B/greendc" check-config "$T/bad.yaml" >"$T/bad.out" 2>&1 && fail "summary_interval 36h accepted"
grep -q "bad.yaml:[0-9]*: .*summary_interval.*shorter than a day or whole days" "$T/bad.out" ||
	fail "36h: $(cat "$T/bad.out")"
mk 2d >"$T/two.yaml"
"$B/greendc" check-config "$T/two.yaml" >"$T/two.out" 2>&1 || fail "2d refused: $(cat "$T/two.out")"
ok "summary_interval 36h refused with file:line; 2d accepted"

IV=$($PY -c '
import time
from datetime import datetime
from zoneinfo import ZoneInfo
site = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=0, minute=0, second=0, microsecond=0)
s = int(site.timestamp())
h = int(time.mktime(time.localtime()[:3] + (0, 0, 0, 0, 0, -1)))  # the host zone (TZ) midnight
print(next(n for n in (7, 11, 13, 17) if s % n and (s - h) % n))')
mk "${IV}s" >"$T/greendc.yaml"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
n=0
until [ "$(sql "$T/greendc.db" "SELECT count(*) FROM outbox WHERE stream = 'central/summary'" 2>/dev/null || echo 0)" -ge 3 ]; do
	n=$((n + 1))
	[ $n -gt $((300 * GDC_SLOW)) ] && { tail "$T/greendcd.log"; fail "fewer than 3 summaries in 30 s"; }
	sleep 0.1
done
stop greendcd
sql "$T/greendc.db" "SELECT payload FROM outbox WHERE stream = 'central/summary' ORDER BY id" >"$T/summaries.jsonl"
$PY - "$T/summaries.jsonl" "$IV" <<'P' || fail "summary periods are not aligned to site midnight (above)"
import json, sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
site, iv = ZoneInfo("Asia/Shanghai"), int(sys.argv[2])
utc = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
prev = None
for line in open(sys.argv[1]):
    p = json.loads(line)["period"]
    a, b = utc(p["from"]), utc(p["to"])
    local = a.astimezone(site)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = (local - midnight).total_seconds()
    assert since % iv == 0, f"{p}: starts {since:.0f} s after site midnight, not a multiple of {iv}"
    assert (b - a).total_seconds() == iv and p["seconds"] == iv, p
    assert prev is None or a == prev, f"{p} does not follow the period ending {prev}"
    prev = b
    print(f"ok - {p['from']} .. {p['to']}: site {local:%H:%M:%S}, {since:.0f} s = {since // iv:.0f} x {iv} s after site midnight")
P
ok "summary periods: whole ${IV} s intervals from site midnight (Asia/Shanghai), contiguous; not from the epoch nor the host's midnight"

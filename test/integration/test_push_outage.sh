#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Outbox delivery to greendc-receiver (receiver/) over real HTTP on 127.0.0.1:
#  1. receiver answering 503 (an outage): the head item is retried with a backoff that grows
#     from backoff_min and is capped at backoff_max (request log timestamps);
#  2. receiver process stopped while summaries accrue, then back: every item delivered, each
#     stored once, in order, with no gap in the periods;
#  3. kill -9 of greendcd in the middle of a slow delivery: after a restart, every item that
#     was committed before the kill reaches the receiver, none is stored twice;
#  4. 429 + Retry-After is honoured beyond backoff_max;
#  5. the webhook token in the URL never appears in the daemon's log.
. "$(dirname "$0")/lib.sh"

RP=$(free_port)
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key"
chmod 600 "$T/key"
cat >"$T/greendc.yaml" <<Y
site: {id: outage, name: Outage DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices: []
outputs:
  summary_interval: 1s
  report:
    - {name: central, url: "http://127.0.0.1:$RP/ingest?token=TOPSECRET42", secret_file: key,
       backoff_min: 200ms, backoff_max: 1600ms, connect_timeout: 1s, timeout: 5s}
Y
DB="$T/greendc.db"
RDB="$T/central.db"
RLOG="$T/requests.log"
start_receiver() { # extra args
	bg receiver "$B/greendc-receiver" --port "$RP" --db "$RDB" --secret-file "$T/key" \
		--request-log "$RLOG" --down-file "$T/down" "$@"
	wait_port "$RP"
}
stored() { sql "$RDB" "SELECT count(*) FROM messages"; }
pending() { sql "$DB" "SELECT count(*) FROM outbox"; }
wait_until() { # seconds condition...
	s=$1
	shift
	n=0
	while ! "$@"; do
		n=$((n + 1))
		[ $n -gt $((s * 10)) ] && return 1
		sleep 0.1
	done
}
drained() { [ "$(pending)" -eq 0 ] && [ "$(stored)" -ge "${1:-1}" ]; }

# ---- 1. outage as 503s: backoff grows and is capped --------------------------------------
touch "$T/down"
start_receiver
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 9
rm "$T/down"
# The first item's attempts: the gaps between them.
first=$(awk '$5 == "down" { print $3; exit }' "$RLOG")
[ -n "$first" ] || fail "no request reached the receiver during the outage"
gaps=$(awk -v id="$first" '$3 == id && $5 == "down" { if (t) printf "%d ", $1 - t; t = $1 }' "$RLOG")
echo "backoff gaps (ms) for $first: $gaps"
$PY - "$gaps" <<'P' || fail "backoff not growing-then-capped: $gaps"
import sys
g = [int(x) for x in sys.argv[1].split()]
assert len(g) >= 6, g
# equal jitter: attempt n waits in [d/2, d] with d = 200 * 2^(n-1) capped at 1600 (+ loop slack)
assert g[0] <= 200 + 150, g
assert g[1] <= 400 + 150, g
assert max(g) <= 1600 + 250, g            # capped
assert max(g[4:]) >= 800 - 50, g           # grew to the cap region
assert sum(g[:3]) < sum(g[-3:]), g         # grows
P
ok "backoff grows from 200 ms and is capped at 1.6 s: $gaps"
wait_until 20 drained || fail "outbox did not drain after the outage ($(pending) left)"
ok "after the 503 outage: $(stored) stored, outbox empty"

# ---- 2. receiver process down, then back ---------------------------------------------------
stop receiver
sleep 5
p=$(pending)
[ "$p" -ge 3 ] || fail "only $p items accrued while the receiver was down"
start_receiver
wait_until 20 drained || fail "outbox did not drain after the receiver came back ($(pending) left)"
ok "receiver down 5 s: $p items accrued, all delivered when it came back"

# ---- 3. kill -9 mid-delivery ---------------------------------------------------------------
stop receiver
sleep 4
start_receiver --delay-ms 400
sleep 1.2 # a few delivered, the rest in flight or queued
before=$(sql "$DB" "SELECT ikey FROM outbox" | sort)
nb=$(echo "$before" | grep -c . || true)
[ "$nb" -ge 2 ] || fail "nothing left in the outbox to kill the daemon over ($nb)"
crash greendcd
cp "$T/greendcd.log" "$T/greendcd-before-kill.log"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_until 30 drained || fail "outbox did not drain after kill -9 + restart ($(pending) left)"
echo "$before" >"$T/before"
sql "$RDB" "SELECT webhook_id FROM messages" | sort >"$T/have"
missing=$(comm -23 "$T/before" "$T/have")
[ -z "$missing" ] || fail "lost after kill -9: $missing"
dups=$(sql "$RDB" "SELECT count(*) - count(DISTINCT webhook_id) FROM messages")
[ "$dups" -eq 0 ] || fail "$dups messages stored twice"
ok "kill -9 with $nb items pending: all delivered after restart, none stored twice ($(grep -c ' duplicate' "$RLOG" || true) resend(s) deduplicated by webhook-id)"

# ---- order and completeness over the whole run ---------------------------------------------
$PY - "$RDB" <<'P' || fail "order or completeness"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [int(r[0].rsplit(":", 1)[1]) for r in db.execute(
    "SELECT webhook_id FROM messages WHERE type = 'summary' ORDER BY seq")]
assert rows == sorted(rows), "arrival order differs from period order"
gaps = [(a, b) for a, b in zip(rows, rows[1:]) if b - a != 1000]
# one gap is allowed: the seconds greendcd was dead after kill -9 (nothing was produced then)
assert len(gaps) <= 1, gaps
print(len(rows), "summaries in order; gaps:", gaps)
P
ok "every summary arrived in period order; the only hole is the time greendcd was dead"

# ---- 4. 429 + Retry-After beyond backoff_max -----------------------------------------------
stop receiver
: >"$RLOG"
start_receiver --reply-429 1 --retry-after 3
wait_until 20 grep -q ' 429 ' "$RLOG" || fail "no 429 served"
wait_until 20 grep -q ' 200 stored' "$RLOG" || fail "nothing stored after the 429"
t429=$(awk '$4 == 429 { print $1; exit }' "$RLOG")
t200=$(awk '$4 == 200 { print $1; exit }' "$RLOG")
wait_ms=$((t200 - t429))
[ "$wait_ms" -ge 2900 ] || fail "Retry-After: 3 not honoured (next try after $wait_ms ms)"
ok "429 with Retry-After: 3 -> next attempt after $wait_ms ms (backoff_max is 1.6 s)"

# ---- 5. tokens never logged ----------------------------------------------------------------
grep -q TOPSECRET42 "$T"/greendcd*.log && fail "the URL token appears in the daemon log"
grep -q "central -> http://127.0.0.1:$RP/" "$T/greendcd.log" || fail "no redacted target line"
ok "daemon log shows only http://127.0.0.1:$RP/…, never the token"
stop greendcd

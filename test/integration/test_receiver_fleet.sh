#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: a load figure: thousands of sites on the machine alone
# greendc-receiver on PostgreSQL with a fleet (docs/fleet.md): a throwaway PostgreSQL 15
# cluster (initdb in the test's folder, Unix socket only), 2,000 sites registered with
# `greendc-receiver site import` (HMAC secrets, every 10th site an Ed25519 key), two receiver
# processes sharing the database, and tools/rxload posting each site's 12 monthly reports and
# 30 daily summaries concurrently to both (bounded: RX_FLEET_SECONDS, default 60; `make soak`
# runs it until all 84,000 are in, RX_FLEET_REQUIRE_ALL=1). One
# receiver is killed with SIGKILL mid-load; the senders retry on the other. Then:
#   - every acknowledged message is stored (0 lost), no (site, webhook-id) and no (site, type,
#     period) twice (0 stored twice), and nothing was refused;
#   - Ed25519 sites' reports carry a valid document signature, HMAC sites' none;
#   - a forged signature, a replay, an unknown site and a revoked site are refused or
#     acknowledged as duplicates, and stored nowhere.
. "$(dirname "$0")/lib.sh"

SITES=${RX_FLEET_SITES:-2000}
SECS=${RX_FLEET_SECONDS:-60}
start_postgres
"$B/rxload" keys --sites "$SITES" --out "$T/sites.tsv" || fail "rxload keys"
"$B/greendc-receiver" site import "$T/sites.tsv" --db "$PGSPEC" >"$T/import.out" 2>&1 ||
	{ cat "$T/import.out"; fail "site import"; }
[ "$(psql_q "SELECT count(*) FROM sites")" -eq "$SITES" ] || fail "sites not all registered"
# One more site, registered and then revoked (not one of the fleet).
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/revoked.key"
chmod 600 "$T/revoked.key"
"$B/greendc-receiver" site add gone-1 --secret-file "$T/revoked.key" --db "$PGSPEC" >/dev/null ||
	fail "site add"
"$B/greendc-receiver" site revoke gone-1 --db "$PGSPEC" >/dev/null || fail "revoke"

PA=$(free_port)
PB=$(free_port)
bg ra "$B/greendc-receiver" --db "$PGSPEC" --port "$PA" --request-log "$T/ra.log"
bg rb "$B/greendc-receiver" --db "$PGSPEC" --port "$PB" --request-log "$T/rb.log"
wait_port "$PA"
wait_port "$PB"
ok "PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3), $SITES sites imported, two receivers on one database"

start=$(date +%s)
# (its JSON figures on stdout, its complaints on stderr)
bg --judge load sh -c 'exec "$@" >"$0.json" 2>"$0.err"' "$T/load" \
	"$B/rxload" run --url "http://127.0.0.1:$PA/ingest,http://127.0.0.1:$PB/ingest" \
	--sites "$SITES" --concurrency 24 --time-limit "$SECS" --acked-out "$T/acked.tsv"
# Kill one receiver once a good share of the load went through it.
stored_a() {
	_c=$(grep -c ' 200 stored ' "$T/ra.log" 2>/dev/null) || true
	echo "${_c:-0}"
}
n=0
until [ "$(stored_a)" -ge "${RX_FLEET_KILL_AFTER:-3000}" ]; do
	n=$((n + 1))
	[ $n -gt 600 ] && fail "receiver A stored too little in 60 s"
	sleep 0.1
done
crash ra
killed_at=$(stored_a)
reap load any $((SECS + 60)) # rxload run: 0 when every message was acknowledged, else 3
cat "$T/load.json"
head -5 "$T/load.err"
$PY - "$T/load.json" "$SITES" "${RX_FLEET_REQUIRE_ALL:-0}" "$STATUS" <<'P' || fail "load figures"
import json, sys
j = json.load(open(sys.argv[1]))
assert int(sys.argv[4]) == (0 if j["acked"] == j["messages"] else 3), ("rxload's exit status", sys.argv[4], j)
assert sys.argv[3] != "1" or j["unsent"] == 0, ("make soak: every message must go through", j)
assert j["refused"] == 0, j
assert j["acked"] + j["unsent"] == j["messages"] == int(sys.argv[2]) * 42, j
assert j["retries"] > 0, ("the kill caused no retry?", j)
assert j["acked"] >= int(sys.argv[2]) * 12, ("not even every report acknowledged", j)
P
echo "receiver A killed after storing $killed_at messages; load took $(($(date +%s) - start)) s"

# 0 lost: every acknowledged (site, id) is in the database. 0 twice: the constraint holds,
# and no logical message (site, type, period) is there under two ids.
psql_q "COPY (SELECT site, webhook_id FROM messages ORDER BY 1, 2) TO STDOUT" >"$T/stored.tsv"
sort "$T/acked.tsv" >"$T/acked.sorted"
missing=$(comm -23 "$T/acked.sorted" "$T/stored.tsv" | wc -l)
[ "$missing" -eq 0 ] || { comm -23 "$T/acked.sorted" "$T/stored.tsv" | head; fail "$missing acknowledged messages lost"; }
acked=$(wc -l <"$T/acked.sorted")
stored=$(wc -l <"$T/stored.tsv")
[ "$stored" -ge "$acked" ] || fail "stored $stored < acked $acked"
twice=$(psql_q "SELECT count(*) FROM (SELECT site, webhook_id FROM messages GROUP BY 1, 2 HAVING count(*) > 1) x")
twice2=$(psql_q "SELECT count(*) FROM (SELECT site, type, coalesce(period, body::json->'period'->>'from') FROM messages GROUP BY 1, 2, 3 HAVING count(*) > 1) x")
[ "$twice" -eq 0 ] && [ "$twice2" -eq 0 ] || fail "stored twice: $twice by id, $twice2 by period"
ok "$acked acknowledged, $stored stored (stored but unacknowledged: $((stored - acked))), 0 lost, 0 stored twice, across SIGKILL of one receiver"

sigs=$(psql_q "SELECT string_agg(k || '=' || n, ',' ORDER BY k) FROM (SELECT (CASE WHEN site ~ '0\$' THEN 'ed' ELSE 'hmac' END) || ':' || sig_status AS k, count(*) AS n FROM messages WHERE kind IS NOT NULL GROUP BY 1) x")
echo "document signatures: $sigs"
case $sigs in *ed:invalid* | *ed:none* | *hmac:valid* | *hmac:invalid*) fail "signature status: $sigs" ;; esac
ok "Ed25519 sites' reports: signature valid; HMAC sites': none"

# Forged, replayed, unknown and revoked: refused (or a duplicate), stored nowhere.
$PY - "$PB" "$top/test/integration" "$(cat "$T/revoked.key")" <<'P' || fail "hostile requests"
import hashlib, hmac, sys, time
port = int(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import rxlib
key = hmac.new(b"greendc-rxload", b"hmac:site-00002", hashlib.sha256).digest()
good = lambda m, t, b: rxlib.hmac_sig(key, m, t, b)
body = rxlib.body_of(rxlib.report("site-00002", "Site 2", "2024-06", 1.25, grade=2))
st, _ = rxlib.post(port, body, "x-forged", sig=lambda m, t, b: rxlib.hmac_sig(b"not the key", m, t, b), site="site-00002")
assert st == 401, ("forged signature", st)
st, _ = rxlib.post(port, body, "x-unknown", sig=good, site="site-99999")
assert st == 401, ("unknown site", st)
body3 = rxlib.body_of(rxlib.report("gone-1", "Gone", "2024-06", 1.25, grade=2))
key3 = rxlib.secret_key(sys.argv[3])
st, _ = rxlib.post(port, body3, "x-revoked", sig=lambda m, t, b: rxlib.hmac_sig(key3, m, t, b), site="gone-1")
assert st == 401, ("revoked site", st)
# Another site's body under site-00002's credential.
other = rxlib.body_of(rxlib.report("site-00004", "Site 4", "2024-06", 1.05, grade=1))
st, _ = rxlib.post(port, other, "x-impersonate", sig=good, site="site-00002")
assert st == 422, ("a body for another site", st)
# A replay of an accepted request: acknowledged as a duplicate, stored once; replayed after
# the tolerance: refused.
ts = int(time.time())
sig = good("x-replay", ts, body)
st, txt = rxlib.post(port, body, "x-replay", sig=sig, site="site-00002", ts=ts)
assert st == 200 and '"stored":true' in txt, (st, txt)
st, txt = rxlib.post(port, body, "x-replay", sig=sig, site="site-00002", ts=ts)
assert st == 200 and "duplicate" in txt, ("replay", st, txt)
old = ts - 400
st, _ = rxlib.post(port, body, "x-replay-old", sig=good("x-replay-old", old, body), site="site-00002", ts=old)
assert st == 400, ("stale replay", st)
# The same id with another body (signed: the key leaked, or a buggy site): refused.
body2 = rxlib.body_of(rxlib.report("site-00002", "Site 2", "2024-06", 1.99, grade=None))
st, _ = rxlib.post(port, body2, "x-replay", sig=good, site="site-00002")
assert st == 409, ("same id, other body", st)
P
n=$(psql_q "SELECT count(*) FROM messages WHERE webhook_id LIKE 'x-%'")
[ "$n" -eq 1 ] || fail "hostile requests left $n rows (expected only x-replay, once)"
ok "forged signature 401, unknown site 401, revoked site 401, another site's body 422, replay = duplicate (stored once), stale replay 400, same id with another body 409"

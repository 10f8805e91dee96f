#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# greendc-receiver benchmark (prints figures; not a test), on a throwaway PostgreSQL 15
# cluster (as test_receiver_fleet.sh makes it, default settings: synchronous_commit on):
#   preload  SITES sites (default 2,000) registered, 11 monthly reports each posted by
#            tools/rxload as fast as CONC connections go (the unthrottled ingest rate)
#   ingest   RATE reports/s (default 200, open loop: each report is due at start + i/RATE)
#            for DURATION s (default 30) to one receiver: latency percentiles of the
#            acknowledged POSTs; target p99 <= 50 ms
#   league   GET /api/v1/league for the month every site reported (SITES rows + the late
#            list), COUNT times one after another, then from 4 connections at once; target
#            p99 <= 100 ms; the CSV export the same way
#
#   sh bench/bench_receiver.sh      (SITES=2000 RATE=200 DURATION=30 COUNT=200 CONC=24)
set -eu
GDC_BUILD=${GDC_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
export GDC_BUILD
. "$(dirname "$0")/../test/integration/lib.sh"
SITES=${SITES:-2000}
RATE=${RATE:-200}
DUR=${DURATION:-30}
COUNT=${COUNT:-200}
CONC=${CONC:-24}

start_postgres
"$B/rxload" keys --sites "$SITES" --out "$T/sites.tsv"
"$B/greendc-receiver" site import "$T/sites.tsv" --db "$PGSPEC" >/dev/null
P=$(free_port)
bg rx "$B/greendc-receiver" --db "$PGSPEC" --port "$P"
wait_port "$P"
U="http://127.0.0.1:$P"
echo "PostgreSQL $("$PGBIN/postgres" --version | cut -d' ' -f3), one receiver (4 workers), $SITES sites"

"$B/rxload" run --url "$U/ingest" --sites "$SITES" --year 2025 --months 11 --days 0 \
	--concurrency "$CONC" --time-limit 600 >"$T/pre.json" || true
printf 'preload (11 reports/site, %s connections, unthrottled): ' "$CONC"
cat "$T/pre.json"

"$B/rxload" run --url "$U/ingest" --sites "$SITES" --year 2026 --months 12 --days 0 \
	--concurrency 64 --rate "$RATE" --time-limit "$DUR" >"$T/ingest2.json" 2>/dev/null || true
printf 'ingest at %s new reports/s for %s s (each a new row): ' "$RATE" "$DUR"
cat "$T/ingest2.json"

printf 'league 2025-11, %s rows, sequential x%s: ' "$SITES" "$COUNT"
"$B/rxload" get --url "$U/api/v1/league?period=2025-11" --count "$COUNT" --concurrency 1 || true
printf 'league, 4 at once x%s: ' "$COUNT"
"$B/rxload" get --url "$U/api/v1/league?period=2025-11" --count "$COUNT" --concurrency 4 || true
printf 'league CSV, sequential x%s: ' "$COUNT"
"$B/rxload" get --url "$U/api/v1/league.csv?period=2025-11" --count "$COUNT" --concurrency 1 || true
printf 'a site trend, sequential x%s: ' "$COUNT"
"$B/rxload" get --url "$U/api/v1/sites/site-00010/trend?to=2025-12" --count "$COUNT" --concurrency 1 || true

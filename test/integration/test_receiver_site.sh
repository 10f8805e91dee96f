#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Per-site credentials end to end (docs/fleet.md): greendcd's report target with
# `site_header: true` names its site in the greendc-site header, and a greendc-receiver that
# has no default credential, only the site registered with `site add` and its own secret,
# takes the report from greendcd under that site. The same greendcd posing as a site the
# receiver does not know is answered 401 and keeps the report in its outbox.
. "$(dirname "$0")/lib.sh"

RECV_PORT=$(free_port)
HTTP_PORT=$(free_port)
demo_config "$T/greendc.yaml" site-header
SITE_ID=unknown-site DB_NAME=other.db demo_config "$T/other.yaml" site-header site-id
for c in greendc other; do
	"$B/greendc" check-config "$T/$c.yaml" >"$T/check-$c.out" 2>&1 || { cat "$T/check-$c.out"; fail "$c.yaml rejected"; }
done
grep -q 'site_header: true' "$T/greendc.yaml" || fail "the variant did not set site_header"
"$B/greendc-receiver" site add demo --secret-file "$T/central.key" --db "$T/r.db" >/dev/null || fail "site add"
bg receiver "$B/greendc-receiver" --port "$RECV_PORT" --db "$T/r.db"
wait_port "$RECV_PORT"

month=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
queued() { sql "$T/$1" "SELECT count(*) FROM outbox WHERE stream = 'central/report'"; }
delivered() { sql "$T/r.db" "SELECT count(*) FROM messages WHERE site = '$1' AND type = 'report'"; }

# enqueue CONFIG: last month's report, queued once the daemon has made its store.
enqueue() {
	n=0
	until "$B/greendc" -c "$T/$1.yaml" report --month "$month" --enqueue >/dev/null 2>"$T/enq-$1.err"; do
		n=$((n + 1))
		[ $n -gt 100 ] && { cat "$T/enq-$1.err"; fail "enqueue ($1)"; }
		sleep 0.1
	done
}

# An unknown site: 401, kept.
bg other "$B/greendcd" -c "$T/other.yaml"
enqueue other
n=0
until grep -q "HTTP 401" "$T/other.log"; do
	n=$((n + 1))
	[ $n -gt 150 ] && { tail -20 "$T/other.log"; fail "no 401 for an unknown site"; }
	sleep 0.1
done
stop other
[ "$(queued other.db)" = 1 ] || fail "the refused report is not in the outbox"
[ "$(delivered unknown-site)" = 0 ] || fail "the receiver stored a report of an unknown site"
ok "an unknown site in greendc-site: 401, the report stays in the outbox"

# The registered site: delivered under its id.
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
enqueue greendc
n=0
until [ "$(queued greendc.db)" = 0 ]; do
	n=$((n + 1))
	[ $n -gt 150 ] && { tail -20 "$T/greendcd.log"; fail "report not delivered"; }
	sleep 0.1
done
stop greendcd
[ "$(delivered demo)" = 1 ] || fail "the receiver has $(delivered demo) reports of site demo, expected 1"
ok "greendcd with site_header: delivered once under site demo, checked with its own secret"

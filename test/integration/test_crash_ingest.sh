#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# kill -9 at 20 random moments during ingest: after each, PRAGMA integrity_check is ok, every
# sample a reader could see before the kill (i.e. committed, acknowledged) is still there, and
# the daemon restarts and continues. An online backup taken during ingest is consistent.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
bg dcsim "$B/dcsim" --port "$P" --speed 10
wait_port "$P"
{
	echo "site: {id: crash}"
	echo "storage: {path: greendc.db, commit_interval: 50ms}"
	echo "daemon: {workers: 4, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}"
	echo "devices:"
	for u in 1 2 10 11 12 20 21 22 30 40; do
		for k in 1 2; do
			echo "  - {name: d$u-$k, driver: modbus, address: \"tcp://127.0.0.1:$P\", profile: $(
				case $u in 1) echo meter/eastron-sdm630 ;; 2) echo meter/schneider-iem3xxx ;;
				10) echo sim/dcsim-ups ;; 11) echo sim/dcsim-pdu ;; 12) echo sim/dcsim-pdu-wh32 ;;
				20) echo sim/dcsim-chiller-plant ;; 21 | 22) echo sim/dcsim-crah ;;
				30) echo sim/dcsim-other-load ;; 40) echo sim/dcsim-weather ;; esac), interval: 100ms, timeout: 90ms, options: {unit_id: $u}}"
		done
	done
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "config"
DB="$T/greendc.db"
S='d1-1 power_w'
# Samples of S visible to a reader now: "count|newest ts" in one read transaction.
seen() {
	"$B/greendc" --db "$DB" query "$S" --from -1d --to now --step raw --format csv 2>/dev/null |
		tail -n +2 | awk -F, 'END { print NR "|" $1 }'
}
before() { # count of S samples strictly before ISO time $1 (--to is exclusive)
	"$B/greendc" --db "$DB" query "$S" --from -1d --to "$1" --step raw --format csv 2>/dev/null |
		tail -n +2 | wc -l
}
total_before=0
i=1
while [ $i -le 20 ]; do
	bg --append greendcd "$B/greendcd" -c "$T/greendc.yaml"
	# A random moment: 0.3 to 1.5 s into ingest.
	sleep "$(awk -v s="$i" 'BEGIN { srand(s * 7919); printf "%.2f", 0.3 + rand() * 1.2 }')"
	if [ $i = 10 ]; then
		"$B/greendc" --db "$DB" backup "$T/backup.db" >/dev/null || fail "online backup failed"
		[ "$(sql "$T/backup.db" 'PRAGMA integrity_check')" = ok ] || fail "backup not consistent"
		[ "$(stat -c %a "$T/backup.db")" = 600 ] || fail "backup is not private"
		ok "online backup during ingest: consistent, mode 0600"
	fi
	snap=$(seen)
	crash greendcd
	n=${snap%%|*}
	t=${snap#*|}
	chk=$(sql "$DB" "PRAGMA integrity_check")
	[ "$chk" = ok ] || fail "kill $i: integrity_check: $chk"
	after=$(before "$t")
	[ "$after" -eq $((n - 1)) ] ||
		fail "kill $i: $((n - 1)) samples acknowledged before $t, $after after the kill"
	[ "$n" -gt "$total_before" ] || fail "kill $i: the restarted daemon stored nothing new ($n)"
	total_before=$n
	i=$((i + 1))
done
ok "20 kills: integrity ok each time; every acknowledged sample kept; $total_before samples of '$S' in all"
# And it still runs normally afterwards.
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 1.5
stop greendcd
n=$(seen)
[ "${n%%|*}" -gt "$total_before" ] || fail "no ingest after the crashes"
ok "restarted after 20 crashes and continued (${n%%|*} samples)"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queries of both storage engines (store_sql.h).
 */
#include "store_sql.h"

#define SITES_COLS                                                                                 \
	"ids.id, coalesce(nullif(s.name, ''), (SELECT site_name FROM messages WHERE site = "       \
	"ids.id "                                                                                  \
	"ORDER BY seq DESC LIMIT 1), ''), coalesce(s.region, ''), "                                \
	"CASE WHEN s.id IS NULL THEN 0 ELSE 1 END, "                                               \
	"CASE WHEN coalesce(s.revoked_ms, 0) > 0 THEN 1 ELSE 0 END, "

const char *const rx_sql[RX_SQL_COUNT] = {
        [RX_SQL_SITE_PUT] = "INSERT INTO sites(id, name, region, hmac, pk, added_ms, revoked_ms) "
                            "VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT(id) DO UPDATE SET "
                            "name = excluded.name, region = excluded.region, hmac = excluded.hmac, "
                            "pk = excluded.pk, added_ms = excluded.added_ms, revoked_ms = NULL",
        [RX_SQL_SITE_REVOKE] = "UPDATE sites SET revoked_ms = $2 WHERE id = $1 AND "
                               "revoked_ms IS NULL",
        [RX_SQL_SITE_GET] = "SELECT id, name, region, hmac, pk, added_ms, "
                            "coalesce(revoked_ms, 0) FROM sites WHERE id = $1",
        [RX_SQL_INSERT] =
                "INSERT INTO messages(site, webhook_id, site_name, type, received_ms, body, "
                "body_sha, pue, grade, period, kind, category, coverage, complete, pue_label, "
                "report_sig, sig_status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                "$12, $13, $14, $15, $16, $17) ON CONFLICT(site, webhook_id) DO NOTHING",
        [RX_SQL_SAME_BODY] = "SELECT body_sha FROM messages WHERE site = $1 AND webhook_id = $2",
        /* Every site known by registration or by its messages, with its latest report. */
        [RX_SQL_SITES] =
                "WITH ids AS (SELECT DISTINCT site AS id FROM messages UNION SELECT id FROM "
                "sites) SELECT " SITES_COLS "(SELECT count(*) FROM messages WHERE site = ids.id), "
                "coalesce((SELECT max(received_ms) FROM messages WHERE site = ids.id), 0), "
                "r.pue, r.grade, r.period FROM ids LEFT JOIN sites s ON s.id = ids.id "
                "LEFT JOIN messages r ON r.seq = (SELECT max(seq) FROM messages WHERE site = "
                "ids.id AND pue IS NOT NULL) ORDER BY ids.id",
        /* The latest revision of each site's monthly report for the period. */
        [RX_SQL_LEAGUE] = "SELECT " RX_REPORT_COLS
                          " FROM messages m LEFT JOIN sites s ON s.id = m.site WHERE m.seq IN "
                          "(SELECT max(seq) FROM messages WHERE kind = 'monthly' AND period = $1 "
                          "GROUP BY site) ORDER BY m.site",
        [RX_SQL_SITE_REPORTS] = "SELECT " RX_REPORT_COLS
                                " FROM messages m LEFT JOIN sites s ON s.id = m.site WHERE "
                                "m.site = $1 AND m.kind IS NOT NULL AND m.period >= $2 AND "
                                "m.period <= $3 ORDER BY m.period DESC, m.seq DESC",
        [RX_SQL_SITE_REPORTS_LATEST] =
                "SELECT " RX_REPORT_COLS
                " FROM messages m LEFT JOIN sites s ON s.id = m.site WHERE m.seq IN (SELECT "
                "max(seq) FROM messages WHERE site = $1 AND kind IS NOT NULL AND period >= $2 "
                "AND period <= $3 GROUP BY kind, period) ORDER BY m.period DESC, m.seq DESC",
        [RX_SQL_REPORT] = "SELECT " RX_REPORT_COLS
                          ", m.body FROM messages m LEFT JOIN sites s ON s.id = m.site WHERE "
                          "m.seq = $1 AND m.kind IS NOT NULL",
        [RX_SQL_ACTIVE_SITES] = "WITH ids AS (SELECT id FROM sites WHERE revoked_ms IS NULL) "
                                "SELECT " SITES_COLS "0, 0, NULL, NULL, NULL FROM ids JOIN sites "
                                "s ON s.id = ids.id ORDER BY ids.id",
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data steps of schema migrations that SQL alone cannot do (store_schema.c runs them in
 * the migration's transaction, after its SQL).
 *
 * 5 -> 6: the samples of open hours, one staging row each in versions up to 5, are written as
 * staging blobs (store_staging.c), and every series' open hour starts at the first of them;
 * 1-minute rollup rows of hours that no raw block covers any more (raw retention removed it)
 * are packed per hour (store_minutes.c). Rows of hours that have a block are dropped: the
 * blocks serve those minutes now.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int step_done(int rc)
{
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int convert_staging(sqlite3 *db, struct codec *c)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	struct stage_item *items = NULL;
	size_t n = 0, cap = 0;
	int64_t seq = 0, max_id = 0;
	int rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(rowid), 0) FROM staging_old", -1, &q,
	                            NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(q, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "SELECT s.series, s.ts, s.value, s.inc FROM staging_old s "
		                        "JOIN series_state t ON t.series = s.series "
		                        "WHERE t.open_t0 IS NOT NULL AND s.rowid >= t.open_rowid "
		                        "AND s.ts >= t.open_t0 AND s.ts < t.open_t0 + 3600000 "
		                        "ORDER BY s.rowid",
		                        -1, &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4096;
			struct stage_item *p = realloc(items, nc * sizeof(*p));
			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			items = p;
			cap = nc;
		}
		struct stage_item *it = &items[n++];
		it->series = sqlite3_column_int64(q, 0);
		it->ts = sqlite3_column_int64(q, 1);
		it->value = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN
		                                                     : sqlite3_column_double(q, 2);
		it->inc = sqlite3_column_double(q, 3);
		if (it->series > max_id)
			max_id = it->series;
		if (it->series <= 0)
			n--; /* never written by a writer; nothing can read it */
	}
	sqlite3_finalize(q);
	rc = step_done(rc);
	int64_t first = seq + 1;
	struct stage_enc enc = {.codec = c};
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        db, "INSERT INTO staging(seq, shard, n, data) VALUES (?, ?, ?, ?)", -1,
		        &ins, NULL);
	if (rc == SQLITE_OK)
		rc = staging_write(&enc, ins, items, n, max_id, &seq);
	sqlite3_finalize(ins);
	stage_enc_free(&enc);
	free(items);
	if (rc == SQLITE_OK) {
		rc = sqlite3_prepare_v2(db,
		                        "UPDATE series_state SET open_rowid = ? "
		                        "WHERE open_t0 IS NOT NULL",
		                        -1, &q, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, first);
			rc = step_done(sqlite3_step(q));
		}
		sqlite3_finalize(q);
	}
	return rc;
}

static int put_pack(sqlite3_stmt *ins, struct codec *c, int64_t series, int64_t h,
                    const struct agg *a)
{
	struct codec_buf out = {0};
	int rc = minutes_pack(c, &out, h, a) < 0 ? SQLITE_NOMEM : SQLITE_OK;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(ins, 1, series);
		sqlite3_bind_int64(ins, 2, h);
		sqlite3_bind_blob(ins, 3, out.p, (int)out.len, SQLITE_STATIC);
		rc = step_done(sqlite3_step(ins));
		sqlite3_reset(ins);
	}
	codec_buf_free(&out);
	return rc;
}

static int convert_minutes(sqlite3 *db, struct codec *c)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	int rc = sqlite3_prepare_v2(
	        db,
	        "SELECT r.series, r.ts, r.count, r.min, r.max, r.sum, r.last, r.delta, r.last_ts "
	        "FROM rollup_1m_old r WHERE r.ts < coalesce((SELECT min(b.t0) FROM blocks b "
	        "WHERE b.series = r.series), 9223372036854775807) ORDER BY r.series, r.ts",
	        -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "INSERT INTO rollup_1m(series, ts, data) VALUES (?, ?, ?)",
		                        -1, &ins, NULL);
	struct agg a[60];
	int64_t series = 0, h = INT64_MIN;
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t s = sqlite3_column_int64(q, 0), ts = sqlite3_column_int64(q, 1);
		int64_t hour = bucket_floor(ts, 0, HOUR_MS);
		rc = SQLITE_OK;
		if (s != series || hour != h) {
			if (h != INT64_MIN && (rc = put_pack(ins, c, series, h, a)) != SQLITE_OK)
				break;
			memset(a, 0, sizeof(a));
			series = s;
			h = hour;
		}
		int64_t k = (ts - h) / MINUTE_MS;
		bool have = sqlite3_column_int64(q, 2) > 0;
		a[k] = (struct agg){.count = sqlite3_column_int64(q, 2),
		                    .min = have ? sqlite3_column_double(q, 3) : NAN,
		                    .max = have ? sqlite3_column_double(q, 4) : NAN,
		                    .sum = have ? sqlite3_column_double(q, 5) : NAN,
		                    .last = have ? sqlite3_column_double(q, 6) : NAN,
		                    .delta = sqlite3_column_double(q, 7),
		                    .last_ts = sqlite3_column_int64(q, 8),
		                    .any = true};
	}
	rc = step_done(rc);
	if (rc == SQLITE_OK && h != INT64_MIN)
		rc = put_pack(ins, c, series, h, a);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	return rc;
}

int store_migrate_v6(sqlite3 *db)
{
	struct codec *c = codec_new();
	if (!c)
		return SQLITE_NOMEM;
	int rc = convert_staging(db, c);
	if (rc == SQLITE_OK)
		rc = convert_minutes(db, c);
	codec_free(c);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "DROP TABLE staging_old; DROP TABLE rollup_1m_old;", NULL,
		                  NULL, NULL);
	return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's schema and its forward migrations. Migration i takes a database from
 * user_version i to i + 1; they run in order, each in its own transaction together with the
 * version bump, so a crash mid-migration leaves the previous version intact. Never edit a
 * released step: append a new one. Tables are described in docs/internals/store.md.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>

const struct rollup_level rollup_levels[ROLLUP_LEVELS] = {
        {"rollup_1m", MINUTE_MS},
        {"rollup_1h", HOUR_MS},
        {"rollup_1d", DAY_MS},
};

#define ROLLUP_TABLE(name)                                                                         \
	"CREATE TABLE " name "(\n"                                                                 \
	"  series INTEGER NOT NULL,\n"                                                             \
	"  ts INTEGER NOT NULL,      -- bucket start, ms since the epoch (UTC)\n"                  \
	"  count INTEGER NOT NULL,   -- finite samples in the bucket\n"                            \
	"  min REAL, max REAL, sum REAL,\n"                                                        \
	"  last REAL,                -- value of the latest sample in the bucket\n"                \
	"  delta REAL NOT NULL DEFAULT 0, -- counters: increase within the bucket; gauges 0\n"     \
	"  last_ts INTEGER NOT NULL, -- timestamp of that latest sample\n"                         \
	"  PRIMARY KEY (series, ts)\n"                                                             \
	") WITHOUT ROWID;\n"

/* clang-format off */
static const char *const migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE TABLE series(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  device TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  labels TEXT NOT NULL DEFAULT '',\n"
	"  kind INTEGER NOT NULL DEFAULT 0,         -- 0 gauge, 1 counter\n"
	"  counter_bits INTEGER NOT NULL DEFAULT 0,\n"
	"  max_rate REAL NOT NULL DEFAULT 0,\n"
	"  counter_scale REAL NOT NULL DEFAULT 1, -- a counter wraps at 2^counter_bits x this\n"
	"  UNIQUE (device, metric, labels)\n"
	");\n"
	"CREATE TABLE series_state(\n"
	"  series INTEGER PRIMARY KEY,\n"
	"  open_t0 INTEGER,    -- hour whose samples are still only in staging (NULL: none)\n"
	"  open_rowid INTEGER, -- staging rowid of the first sample of that hour\n"
	"  packed_t0 INTEGER,  -- latest hour packed into blocks\n"
	"  have_last INTEGER NOT NULL DEFAULT 0, -- counters: a previous reading exists\n"
	"  last_raw REAL,      -- counters: last raw reading\n"
	"  total REAL,         -- counters: unwrapped cumulative value\n"
	"  last_ts INTEGER     -- counters: timestamp of the last reading\n"
	");\n"
	"CREATE TABLE staging(\n"
	"  series INTEGER NOT NULL,\n"
	"  ts INTEGER NOT NULL,\n"
	"  value REAL,                   -- NULL stands for NaN\n"
	"  inc REAL NOT NULL DEFAULT 0   -- counters: increase over the previous sample\n"
	");\n"
	"CREATE TABLE blocks(\n"
	"  series INTEGER NOT NULL,\n"
	"  t0 INTEGER NOT NULL,          -- hour start\n"
	"  seq INTEGER NOT NULL DEFAULT 0,\n"
	"  n INTEGER NOT NULL,           -- samples in data\n"
	"  n_finite INTEGER NOT NULL,    -- of which finite (what sum/min/max cover)\n"
	"  first_ts INTEGER NOT NULL,\n"
	"  last_ts INTEGER NOT NULL,\n"
	"  first REAL, last REAL, min REAL, max REAL, sum REAL,\n"
	"  data BLOB NOT NULL,           -- store_codec.h\n"
	"  PRIMARY KEY (series, t0, seq)\n"
	") WITHOUT ROWID;\n"
	ROLLUP_TABLE("rollup_1m")
	ROLLUP_TABLE("rollup_1h")
	ROLLUP_TABLE("rollup_1d")
	"CREATE TABLE events(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  ts INTEGER NOT NULL,\n"
	"  series INTEGER,               -- 0 when not about one series\n"
	"  kind TEXT NOT NULL,           -- counter_reset, counter_rejected, device_down, ...\n"
	"  detail TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX events_ts ON events(ts);\n"
	"CREATE TABLE devices(\n"
	"  name TEXT PRIMARY KEY,\n"
	"  driver TEXT, address TEXT, state TEXT,\n"
	"  last_poll_ms INTEGER, last_ok_ms INTEGER,\n"
	"  last_duration_s REAL, errors INTEGER,\n"
	"  interval_ms INTEGER, last_error TEXT\n"
	");\n",
	/* 1 -> 2: the outbox (src/outbox.c, docs/alerts.md): what must leave the site. */
	"CREATE TABLE outbox(\n"
	"  id INTEGER PRIMARY KEY,       -- delivery order within a stream\n"
	"  stream TEXT NOT NULL,         -- <target>/<kind>: central/alert, central/report\n"
	"  ikey TEXT NOT NULL,           -- idempotency key (webhook-id)\n"
	"  created INTEGER NOT NULL,     -- ms since the epoch\n"
	"  payload BLOB NOT NULL,        -- JSON\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt INTEGER NOT NULL DEFAULT 0, -- ms; not before\n"
	"  last_error TEXT NOT NULL DEFAULT '',\n"
	"  UNIQUE (stream, ikey)\n"
	");\n"
	"CREATE INDEX outbox_stream ON outbox(stream, id);\n"
	"CREATE TABLE outbox_stats(\n"
	"  k TEXT PRIMARY KEY,           -- dropped, dropped_bytes, enqueued, delivered\n"
	"  v INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE reports(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL,           -- monthly, annual\n"
	"  period TEXT NOT NULL,         -- 2026-10, 2026\n"
	"  generated INTEGER NOT NULL,   -- ms since the epoch\n"
	"  complete INTEGER NOT NULL,    -- 0: coverage below the threshold\n"
	"  ikey TEXT NOT NULL UNIQUE,    -- the outbox key it was queued under\n"
	"  json TEXT NOT NULL\n"
	");\n",
	/* 2 -> 3: counters are judged over the time since their last change, and a rejected
	 * reading is held as a candidate baseline (counter.h: counter_feed). */
	"ALTER TABLE series_state ADD COLUMN chg_ts INTEGER;   -- counters: when last_raw was first read\n"
	"ALTER TABLE series_state ADD COLUMN pend_raw REAL;    -- counters: rejected reading held\n"
	"ALTER TABLE series_state ADD COLUMN pend_ts INTEGER;  -- its time (NULL: none held)\n",
	/* 3 -> 4: a report's detached Ed25519 signature (docs/reports.md), kept with the report
	 * and with its outbox items, whose pusher sends it as greendc-report-signature. */
	"ALTER TABLE outbox ADD COLUMN signature TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE reports ADD COLUMN signature TEXT NOT NULL DEFAULT '';\n",
	/* 4 -> 5: regulator uploads (src/store/store_regulator.c, docs/regulator.md): what was
	 * uploaded for which period, and when it was acknowledged; kept >= 6 months. */
	"CREATE TABLE regulator_uploads(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  target TEXT NOT NULL,         -- outputs.regulator[].name\n"
	"  cycle TEXT NOT NULL,          -- 15m, 1d, 1mo\n"
	"  period_start INTEGER NOT NULL, -- ms since the epoch: a site-time boundary\n"
	"  period_end INTEGER NOT NULL,\n"
	"  ikey TEXT NOT NULL UNIQUE,    -- the outbox key it was queued under\n"
	"  created INTEGER NOT NULL,     -- ms\n"
	"  body TEXT NOT NULL,           -- the request body as rendered\n"
	"  quality TEXT NOT NULL,        -- the data-quality self-check (JSON)\n"
	"  acked INTEGER,                -- ms of the acknowledgement; NULL: not (yet)\n"
	"  ack TEXT,                     -- the acknowledging answer (cut to 1 KiB)\n"
	"  UNIQUE (target, cycle, period_start)\n"
	");\n",
	/* 5 -> 6: blocks cover an hour or a span of hours (compacted; codec version 2, zstd) and
	 * carry no summary columns (the hour rollups have them); staging holds one compressed
	 * blob per commit and shard instead of a row per sample; 1-minute aggregates are folded
	 * from the blocks, and packed per hour once raw retention removes those (rollup_1m).
	 * The old staging and minute rows are converted by store_migrate_v6 (store_migrate.c). */
	"ALTER TABLE blocks RENAME TO blocks_old;\n"
	"CREATE TABLE blocks(\n"
	"  id INTEGER PRIMARY KEY,       -- append order: new blocks fill pages densely\n"
	"  series INTEGER NOT NULL,\n"
	"  t0 INTEGER NOT NULL,          -- start of its first hour\n"
	"  t1 INTEGER NOT NULL,          -- end: t0 + 1 h, or the end of a compacted span\n"
	"  n INTEGER NOT NULL,           -- samples in data\n"
	"  data BLOB NOT NULL            -- store_codec.h\n"
	");\n"
	"INSERT INTO blocks(series, t0, t1, n, data)\n"
	"  SELECT series, t0, t0 + 3600000, n, data FROM blocks_old WHERE seq = 0 ORDER BY t0, series;\n"
	"CREATE UNIQUE INDEX blocks_series ON blocks(series, t0);\n"
	"DROP TABLE blocks_old;\n"
	"ALTER TABLE staging RENAME TO staging_old;\n"
	"CREATE TABLE staging(\n"
	"  seq INTEGER PRIMARY KEY,      -- commit order; never restarts (tail's cursor)\n"
	"  shard INTEGER NOT NULL,       -- a slice of the series ids (store_staging.c)\n"
	"  n INTEGER NOT NULL,           -- samples in data\n"
	"  data BLOB NOT NULL            -- store_staging.c\n"
	");\n"
	"CREATE INDEX staging_shard ON staging(shard, seq);\n"
	"ALTER TABLE rollup_1m RENAME TO rollup_1m_old;\n"
	"CREATE TABLE rollup_1m(\n"
	"  series INTEGER NOT NULL,\n"
	"  ts INTEGER NOT NULL,          -- the hour\n"
	"  data BLOB NOT NULL,           -- its minutes' aggregates (store_minutes.c)\n"
	"  PRIMARY KEY (series, ts)\n"
	") WITHOUT ROWID;\n",
        /* clang-format on */
};

/* C steps run after a migration's SQL, in its transaction (NULL: none). */
static int (*const migration_steps[])(sqlite3 *db) = {NULL, NULL, NULL,
                                                      NULL, NULL, store_migrate_v6};

_Static_assert(sizeof(migration_steps) / sizeof(migration_steps[0]) ==
                       sizeof(migrations) / sizeof(migrations[0]),
               "one C step (or NULL) per migration");

int store_schema_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

int store_sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int get_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(q, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc;
}

int store_schema_migrate(sqlite3 *db, char *err, size_t errlen)
{
	return store_schema_migrate_to(db, store_schema_version(), err, errlen);
}

int store_schema_migrate_to(sqlite3 *db, int target, char *err, size_t errlen)
{
	int v = 0, rc;
	if (target > store_schema_version())
		target = store_schema_version();

	for (;;) {
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = get_version(db, &v);
		if (rc != SQLITE_OK)
			goto fail;
		if (v > target) {
			snprintf(err, errlen, "database schema version %d is newer than %d", v,
			         target);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -EPROTO;
		}
		if (v == target)
			break;
		rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK && migration_steps[v])
			rc = migration_steps[v](db);
		if (rc == SQLITE_OK) {
			/* PRAGMA takes no bound parameters; v + 1 is our own integer. */
			char sql[48];
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
			rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		}
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;
fail:
	snprintf(err, errlen, "schema migration to version %d: %s", v + 1, sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return store_sqlite_errno(rc);
}

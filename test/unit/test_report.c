/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monthly report on a fixed scenario written through the real store writer: October 2026
 * in Asia/Shanghai, 15-minute cumulative counters for a utility feed (1310 kWh/h plus a daily
 * ramp), UPS output (1000 kWh/h) and cooling (250 kWh/h). Known answers: E_DC, E_IT, PUE,
 * pPUE cooling, CUE, the category, complete = true; then a month whose IT meter stops three
 * days before its end is incomplete and names the role it is missing. An hourly summary of
 * the same data carries that hour's E_DC, E_IT and PUE; the same month reported half way
 * through is IN_PROGRESS and publishes no ratio. With GDC_REPORT_FIXTURE set, the
 * full database is also left at that path for test/integration/test_report.sh (which checks
 * the CLI's `greendc pue`/`kpi` agree and validates against docs/report.schema.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "delivery/report_sign.h"
#include "delivery/summary.h"
#include "store/outbox.h"
#include "store/store.h"

#define OCT1  INT64_C(1790784000000) /* 2026-10-01T00:00+08:00 */
#define Q15   INT64_C(900000)
#define SLOTS (31 * 96)

static const char yaml[] =
        "site: {id: taiyuan-1, name: \"Taiyuan DC 1\", timezone: Asia/Shanghai}\n"
        "storage: {path: greendc.db}\n"
        "devices: []\n"
        "energy:\n"
        "  roles:\n"
        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
        "    it_ups_output: [{labels: {role: ups_output}, metric: energy_kwh}]\n"
        "    cooling: [{labels: {role: cooling}, metric: energy_kwh}]\n"
        "  co2: {kg_per_kwh: 0.7096, source: \"Shanxi provincial grid\", year: 2022}\n";

/* kWh of the facility feed in 15-min slot i: 327.5 + a ramp over the day. */
static double fac_slot(int i)
{
	return 327.5 + (double)(i % 96) * 0.5;
}

/* Write the scenario with readings for slots -1..last and extra config appended;
 * skip_it_from/to: IT samples omitted for slots in [from, to). */
static void write_fixture_ex(const char *dir, int skip_from, int skip_to, int last,
                             const char *extra)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	if (extra)
		fputs(extra, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	struct store_opts o = {.path = path, .commit_ms = 200, .queue_cap = 1 << 16};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	struct store_series_desc d[3] = {
	        {"utility-a", "energy_kwh", "role=facility_input", STORE_COUNTER, 64, 0, 0},
	        {"ups", "energy_kwh", "role=ups_output", STORE_COUNTER, 64, 0, 0},
	        {"chiller", "energy_kwh", "role=cooling", STORE_COUNTER, 64, 0, 0},
	};
	int64_t id[3];
	for (int k = 0; k < 3; k++)
		assert_true((id[k] = store_series(st, &d[k])) > 0);
	double v[3] = {1000, 500, 100};
	/* One sample before and one after the month so every slot's increase is known. */
	for (int i = -1; i <= last; i++) {
		int64_t ts = OCT1 + (int64_t)i * Q15;
		for (int k = 0; k < 3; k++) {
			if (k == 1 && i >= skip_from && i < skip_to)
				continue;
			struct store_sample s = {id[k], ts, v[k]};
			assert_int_equal(store_append(st, &s, 1), 0);
		}
		v[0] += fac_slot(i + 1);
		v[1] += 250;
		v[2] += 62.5;
	}
	assert_int_equal(store_flush(st), 0);
	store_close(st);
}

static void write_fixture(const char *dir, int skip_from, int skip_to)
{
	write_fixture_ex(dir, skip_from, skip_to, SLOTS, NULL);
}

static cJSON *build_at(const char *dir, int64_t generated_ms);

static cJSON *build(const char *dir)
{
	return build_at(dir, OCT1 + 40 * 86400000LL);
}

static cJSON *build_at(const char *dir, int64_t generated_ms)
{
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	assert_non_null(r);
	cJSON *rep = NULL;
	assert_int_equal(report_build(cfg, r, "2026-10", generated_ms, &rep, err, sizeof(err)), 0);
	store_reader_close(r);
	config_free(cfg);
	return rep;
}

static double num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(o, a);
	if (b)
		v = cJSON_GetObjectItem(v, b);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void test_complete_month(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	cJSON *rep = build(dir);
	/* Known answers: sums of the per-slot increases inside the month. */
	double e_dc = 0;
	for (int i = 0; i < SLOTS; i++) /* the readings inside the month carry slots 0..SLOTS-1 */
		e_dc += fac_slot(i);
	double e_it = 250.0 * SLOTS, e_cool = 62.5 * SLOTS;
	assert_true(fabs(num(rep, "energy", "e_dc_kwh") - e_dc) < 1e-6 * e_dc);
	assert_true(fabs(num(rep, "energy", "e_it_kwh") - e_it) < 1e-6 * e_it);
	assert_true(fabs(num(rep, "kpi", "pue") - e_dc / e_it) < 1e-9);
	assert_true(fabs(num(rep, "kpi", "ppue_cooling") - (e_cool + e_it) / e_it) < 1e-9);
	assert_true(fabs(num(rep, "kpi", "cue") - 0.7096 * e_dc / e_it) < 1e-9);
	assert_int_equal((int)num(rep, "energy", "category"), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "missing")), 0);
	char label[64];
	snprintf(label, sizeof(label), "PUE1, 2026-10, %.3f", e_dc / e_it);
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue_label")->valuestring,
	        label);
	/* A month is graded only indicatively (GB 40879 grades a year). */
	assert_true(
	        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "gb40879"), "grade")));
	/* PUE = (327.5 + 23.75) / 250 = 1.405: above 1.30, within 1.50 -> grade 3. */
	assert_true(fabs(e_dc / e_it - 1.405) < 1e-9);
	assert_int_equal((int)num(rep, "gb40879", "indicative_grade"), 3);
	char *html = report_html(rep, "zh");
	assert_non_null(strstr(html, "数据中心能效报告"));
	assert_null(strstr(html, "不完整"));
	free(html);
	char *csv = report_csv(rep);
	assert_non_null(strstr(csv, "energy.category,1\n"));
	free(csv);
	cJSON_Delete(rep);

	/* An hourly summary of 1 Oct 10:00-11:00 local (slots 40..43) through the outbox. */
	{
		char path[256], err[256];
		snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
		struct config_diag diag = {0};
		struct config *cfg = greendc_config_load(path, &diag);
		assert_non_null(cfg);
		struct outputs o = {.nreport = 1};
		o.report[0] = (struct out_target){.name = "c", .kinds = OUT_SUMMARY};
		cfg->outputs = &o;
		struct store_opts so = {.path = cfg->storage.path, .commit_ms = 50};
		struct store *st = store_open(&so, err, sizeof(err));
		struct store_reader *r = store_reader_open(cfg->storage.path, err, sizeof(err));
		assert_non_null(st);
		assert_non_null(r);
		struct summary_facts f = {.devices = 3, .up = 3, .active_alerts = 0};
		int64_t from = OCT1 + 10 * 3600000LL;
		assert_int_equal(summary_emit(st, r, cfg, &f, from, from + 3600000LL), 1);
		assert_int_equal(store_flush(st), 0);
		store_close(st);
		store_reader_close(r);
		struct outbox *ob = outbox_open(cfg->storage.path, err, sizeof(err));
		assert_non_null(ob);
		struct outbox_row row;
		assert_int_equal(outbox_head(ob, "c/summary", &row), 1);
		cJSON *sj = cJSON_Parse(row.payload);
		/* A counter's increase belongs to the slot of the reading that shows it: the
		 * readings at 10:00, 10:15, 10:30, 10:45 carry fac_slot(40..43). */
		double fac = 0;
		for (int i = 40; i < 44; i++)
			fac += fac_slot(i);
		assert_true(fabs(num(sj, "energy", "e_dc_kwh") - fac) < 1e-6);
		assert_true(fabs(num(sj, "energy", "e_it_kwh") - 1000.0) < 1e-6);
		assert_true(fabs(num(sj, "energy", "pue") - fac / 1000.0) < 1e-9);
		assert_int_equal((int)num(sj, "energy", "category"), 1);
		assert_int_equal((int)num(sj, "active_alerts", NULL), 0);
		cJSON_Delete(sj);
		assert_int_equal(outbox_done(ob, row.id), 0); /* leave the fixture's outbox empty */
		outbox_close(ob);
		cfg->outputs = NULL;
		config_free(cfg);
	}

	const char *keep = getenv("GDC_REPORT_FIXTURE");
	char cmd[512];
	if (keep && *keep)
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mv '%s' '%s'", keep, dir, keep);
	else
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_hole_is_incomplete(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* The IT meter falls silent from 29 Oct to past the month's end: with no reading at the
	 * end, 3 of 31 days are unmetered (coverage 90.3 %). (A hole with readings on both sides
	 * is fully metered: the counter's difference covers it.) */
	write_fixture(dir, 96 * 28, SLOTS + 1);
	cJSON *rep = build(dir);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue")));
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "missing"), 0);
	assert_non_null(m);
	assert_string_equal(cJSON_GetObjectItem(m, "role")->valuestring, "it_ups_output");
	assert_true(num(m, "missing_hours", NULL) > 60 && num(m, "missing_hours", NULL) < 80);
	char *html = report_html(rep, "en");
	assert_non_null(strstr(html, "INCOMPLETE"));
	assert_non_null(strstr(html, "it_ups_output"));
	free(html);
	html = report_html(rep, "zh");
	assert_non_null(strstr(html, "不完整"));
	free(html);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The October report generated on 16 Oct 12:00 local, half way through the month: IN
 * PROGRESS, not complete, no ratio published (kpi.pue null, its error says how much has
 * elapsed), E_DC what the readings up to 12:00 metered, and the HTML says so
 * before anything else. (A report made during its month used to read complete and OK.)
 */
static void test_in_progress(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	cJSON *rep = build_at(dir, OCT1 + 15 * 86400000LL + 12 * 3600000LL);
	double e_dc = 0;
	for (int i = 0; i <= 1488; i++) /* the readings up to and including 12:00 */
		e_dc += fac_slot(i);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rep, "in_progress")));
	assert_string_equal(cJSON_GetObjectItem(rep, "status")->valuestring, "IN_PROGRESS");
	assert_true(fabs(num(rep, "elapsed_share", NULL) - 0.5) < 1e-12);
	assert_true(fabs(num(rep, "coverage", NULL) - 1) < 1e-12);
	if (fabs(num(rep, "energy", "e_dc_kwh") - e_dc) > 1e-6)
		fail_msg("e_dc %.6f, expected %.6f", num(rep, "energy", "e_dc_kwh"), e_dc);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue")));
	assert_true(
	        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue_label")));
	const cJSON *why = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi_errors"), "pue");
	assert_string_equal(why->valuestring, "in progress: 15.5 days of 31 elapsed; not final");
	char *html = report_html(rep, "en");
	const char *warn = strstr(html, "IN PROGRESS: this period has not ended");
	assert_non_null(warn);
	assert_true(warn < strstr(html, "<table>"));
	assert_null(strstr(html, "INCOMPLETE"));
	free(html);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static const char reporting[] =
        "reporting:\n"
        "  owner: \"Example Cloud Ltd\"\n"
        "  operator: \"Example Ops Ltd\"\n"
        "  address: \"1 Data Road, Taiyuan\"\n"
        "  unified_social_credit_code: \"91350100M000100Y43\"\n"
        "  regulator_unit_id: \"14010000123\"\n"
        "  contact: {name: \"Li Lei\", phone: \"+86 351 0000000\"}\n"
        "  installed_it_power_kw: 2400\n"
        "  floor_area_m2: {total: 5200, computer_room: 2100}\n"
        "  meters:\n"
        "    - {id: M01, device: utility-a, serial: A1, accuracy_class: \"0.5S\", role: "
        "facility_input, calibrated: \"2025-03-01\", calibration_due: \"2027-03-01\"}\n"
        "    - {id: M02, device: ups, serial: U7, role: it_ups_output, calibrated: "
        "\"2024-10-15\", calibration_due: \"2026-10-15\"}\n"
        "    - {id: M03, device: chiller, serial: C3, role: cooling, calibration_due: "
        "\"2026-11-01\"}\n";

static const cJSON *obj(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The quality.flags entry with this code (and role, when given), or NULL. */
static const cJSON *flag(const cJSON *rep, const char *code, const char *role)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, obj(obj(rep, "quality"), "flags"))
	{
		const cJSON *r = obj(f, "role");
		if (strcmp(obj(f, "code")->valuestring, code) == 0 &&
		    (!role || (cJSON_IsString(r) && strcmp(r->valuestring, role) == 0)))
			return f;
	}
	return NULL;
}

static const cJSON *quality_role(const cJSON *rep, const char *role)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, obj(obj(rep, "quality"), "roles"))
	{
		if (strcmp(obj(e, "role")->valuestring, role) == 0)
			return e;
	}
	return NULL;
}

/*
 * The metering register and the data-quality evidence. The IT meter is silent from 28 Oct
 * 00:00 to 2 Nov 00:00: its next reading's delta (five days) is spread over the gap, four of
 * them into October, so October's daily IT figures add up to 744,000 kWh while its register
 * rose only 27 x 24,000 = 648,000 kWh in October: 14.8 % apart, flagged above 5 %. Its 96 h of
 * spread slots are estimated time, its four unaligned midnights are flagged. Meter M02 (the
 * UPS) fell due for calibration on 15 Oct, inside the period: flagged overdue; M03 falls due
 * on 1 Nov, the period's end, so October was still covered. Every identity field is given.
 */
static void test_quality_and_metering(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture_ex(dir, 96 * 27, SLOTS + 96, SLOTS + 96, reporting);
	cJSON *rep = build(dir);
	const cJSON *it = quality_role(rep, "it_ups_output"),
	            *fac = quality_role(rep, "facility_input");
	assert_non_null(it);
	assert_non_null(fac);
	double sum = num(it, "interval_sum", NULL), delta = num(it, "counter_delta", NULL);
	if (fabs(delta - 27 * 24000.0) > 1e-6 || fabs(sum - 744000.0) > 1e-6)
		fail_msg("IT: daily sum %.3f (want 744000), register increase %.3f (want 648000)",
		         sum, delta);
	assert_true(fabs(num(it, "difference_share", NULL) - (744000.0 - 648000) / 648000) < 1e-9);
	assert_true(cJSON_IsFalse(obj(it, "consistent")));
	assert_non_null(flag(rep, "consistency", "it_ups_output"));
	assert_null(flag(rep, "consistency", "facility_input"));
	assert_true(cJSON_IsTrue(obj(fac, "consistent")));
	/* 4 days x 24 h of spread slots estimated; nothing missing; 744 h in all */
	assert_true(fabs(num(it, "estimated_h", NULL) - 96.0) < 1.0 + 1e-9);
	assert_true(fabs(num(it, "measured_h", NULL) + num(it, "estimated_h", NULL) +
	                 num(it, "missing_h", NULL) - 744.0) < 1e-6);
	assert_true(num(fac, "estimated_h", NULL) == 0 && num(fac, "measured_h", NULL) == 744);
	/* midnights 28 Oct .. 1 Nov have no IT reading within a minute: 4 of 32 unaligned */
	const cJSON *al = obj(it, "alignment");
	assert_int_equal((int)num(al, "boundaries", NULL), 32);
	assert_int_equal((int)num(al, "aligned", NULL), 27);
	assert_non_null(flag(rep, "alignment", "it_ups_output"));
	assert_true(cJSON_IsTrue(obj(obj(fac, "alignment"), "aligned_ok")));

	/* the register: M02 overdue, M01 and M03 not; the PUE's meters named */
	const cJSON *mt = obj(rep, "metering"), *m;
	int overdue = 0;
	cJSON_ArrayForEach(m, obj(mt, "meters"))
	{
		bool od = cJSON_IsTrue(obj(m, "calibration_overdue"));
		overdue += od;
		assert_true(od == (strcmp(obj(m, "id")->valuestring, "M02") == 0));
	}
	assert_int_equal(overdue, 1);
	const cJSON *f = flag(rep, "calibration_overdue", "it_ups_output");
	assert_non_null(f);
	assert_string_equal(obj(f, "subject")->valuestring, "M02");
	assert_string_equal(cJSON_GetArrayItem(obj(obj(mt, "pue_meters"), "e_dc"), 0)->valuestring,
	                    "M01");
	assert_string_equal(cJSON_GetArrayItem(obj(obj(mt, "pue_meters"), "e_it"), 0)->valuestring,
	                    "M02");
	assert_int_equal(cJSON_GetArraySize(obj(mt, "roles_without_meters")), 0);
	assert_null(flag(rep, "identity_missing", NULL));
	assert_int_equal(cJSON_GetArraySize(obj(obj(rep, "identity"), "missing")), 0);
	assert_string_equal(obj(obj(rep, "identity"), "unified_social_credit_code")->valuestring,
	                    "91350100M000100Y43");
	/* site time, once */
	assert_string_equal(obj(obj(rep, "period"), "text")->valuestring,
	                    "2026-10-01 00:00 – 2026-11-01 00:00 (Asia/Shanghai, UTC+08:00)");
	/* the flags reach the pages, in Chinese too */
	char *html = report_html(rep, "zh");
	assert_non_null(strstr(html, "检定有效期已于 2026-10-15 到期"));
	assert_non_null(strstr(html, "超过 5 %"));
	free(html);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Signatures: a key pair, the report signed over its canonical bytes, verified; one byte
 * changed fails; the fingerprint is OpenSSH's form; the private key must be 0600. */
static void test_signature(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX", path[256], pub[300], err[256];
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	snprintf(path, sizeof(path), "%s/report.key", dir);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	assert_int_equal(report_key_generate(path, err, sizeof(err)), 0);
	assert_true(report_key_generate(path, err, sizeof(err)) < 0); /* never overwritten */
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct report_key *k = report_key_load_private(path, err, sizeof(err));
	assert_non_null(k);
	struct report_key *p = report_key_load_public(pub, err, sizeof(err));
	assert_non_null(p);
	char fp[REPORT_FP_LEN], fp2[REPORT_FP_LEN];
	report_key_fingerprint(k, fp);
	report_key_fingerprint(p, fp2);
	assert_string_equal(fp, fp2);
	assert_int_equal(strlen(fp), 7 + 43); /* "SHA256:" + 32 bytes in base64, no padding */

	cJSON *rep = build(dir);
	assert_int_equal(report_sign_attach(rep, k), 0);
	char *canon = report_canonical(rep), sig[REPORT_SIG_LEN];
	size_t n = strlen(canon);
	assert_int_equal(report_sign(k, canon, n, sig), 0);
	assert_int_equal(strlen(sig), 88);
	assert_int_equal(report_verify(p, canon, n, sig), 0);
	char line[100];
	snprintf(line, sizeof(line), "%s\n", sig); /* the file's trailing newline */
	assert_int_equal(report_verify(p, canon, n, line), 0);
	canon[n / 2] ^= 1;
	assert_int_equal(report_verify(p, canon, n, sig), -EBADMSG);
	canon[n / 2] ^= 1;
	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	assert_int_equal(report_verify(p, canon, n, sig), -EBADMSG);
	assert_int_equal(report_verify(p, canon, n, "not base64"), -EINVAL);
	/* the key the report embeds is the signer's */
	const cJSON *sk = obj(rep, "signature_key");
	assert_string_equal(obj(sk, "fingerprint")->valuestring, fp);
	struct report_key *e =
	        report_key_from_pem(obj(sk, "public_key")->valuestring, err, sizeof(err));
	assert_non_null(e);
	report_key_fingerprint(e, fp2);
	assert_string_equal(fp2, fp);
	/* the content key ignores the signing key and the document's identity */
	char k1[200], k2[200];
	report_content_key(rep, k1, sizeof(k1));
	cJSON_DeleteItemFromObject(rep, "signature_key");
	report_content_key(rep, k2, sizeof(k2));
	assert_string_equal(k1, k2);
	/* a group-readable private key is refused */
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(report_key_load_private(path, err, sizeof(err)));
	report_key_free(e);
	report_key_free(p);
	report_key_free(k);
	free(canon);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The renderings exist and carry what the JSON says: a PDF, the HTML with its charts. */
static void test_renderings(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	cJSON *rep = build(dir);
	size_t n = 0;
	unsigned char *pdf = report_pdf(rep, "zh", &n);
	assert_non_null(pdf);
	assert_true(n > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
	free(pdf);
	char *html = report_html(rep, "en");
	assert_non_null(strstr(html, "data:image/svg+xml;base64,"));
	assert_non_null(strstr(html, "PUE1, 2026-10, 1.405"));
	char *canon = report_canonical(rep), hex[65];
	report_digest_hex(canon, strlen(canon), hex);
	assert_non_null(strstr(html, hex)); /* the SHA-256 of the JSON on the page */
	free(canon);
	free(html);
	char *csv = report_csv(rep);
	assert_non_null(strstr(csv, "kpi.pue,1.405\n"));
	assert_non_null(strstr(csv, "quality.roles[0].role,\"facility_input\"\n"));
	free(csv);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Summary periods in site time (summary_period): known answers computed with Python's
 * zoneinfo, independently of the C library's mktime. */
static void period_is(int64_t t, int64_t iv, int64_t from, int64_t to)
{
	int64_t f = 0, e = 0;
	summary_period(t, iv, &f, &e);
	assert_int_equal(f, from);
	assert_int_equal(e, to);
}

static void test_summary_periods(void **state)
{
	(void)state;
	const int64_t h = 3600000, d = 24 * h;
	/* Asia/Shanghai: a daily summary is a site day (16:00Z to 16:00Z), not a UTC day. */
	period_is(1790870399000, d, 1790784000000, 1790870400000);
	/* 7 s does not divide the 8 h offset: whole intervals from site midnight, not the epoch. */
	period_is(1790870410000, 7000, 1790870407000, 1790870414000);
	/* 7 h: 21:00 to the next midnight, cut there. */
	period_is(1790949600000, 7 * h, 1790946000000, 1790956800000);
	/* 2 days: site days counted from 1970-01-01 (2026-10-01 is day 20727). */
	period_is(1790870399000, 2 * d, 1790697600000, 1790870400000);
	time_zone_set("America/Los_Angeles");
	/* The day DST ends: 25 hours, midnight PDT to midnight PST, and 25 hourly summaries. */
	period_is(1793563200000, d, 1793516400000, 1793606400000);
	period_is(1793604600000, h, 1793602800000, 1793606400000);
	int n = 0;
	for (int64_t f = 1793516400000, e = 0; f < 1793606400000; f = e, n++)
		summary_period(f, h, &f, &e);
	assert_int_equal(n, 25);
	time_zone_set("Asia/Kathmandu"); /* UTC+05:45: site hours start at :15 UTC */
	period_is(1790835600000, h, 1790835300000, 1790838900000);
	time_zone_set("Asia/Shanghai");
}

int main(void)
{
	/* The fixture's site.timezone, set as the CLI and the daemon do: once, first. */
	time_zone_set("Asia/Shanghai");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_complete_month),  cmocka_unit_test(test_hole_is_incomplete),
	        cmocka_unit_test(test_in_progress),     cmocka_unit_test(test_quality_and_metering),
	        cmocka_unit_test(test_signature),       cmocka_unit_test(test_renderings),
	        cmocka_unit_test(test_summary_periods),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	report_render_release();
	return rc;
}

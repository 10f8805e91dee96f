/* SPDX-License-Identifier: Apache-2.0 */
/* greendc-receiver's pure parts (receiver/): the JSON Schema subset keyword by keyword, the
 * headers-first verdicts, the body checks and the figures extracted from a report, HMAC and
 * Ed25519 signatures (signed here with OpenSSL, verified by auth.c), and log escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "receiver/auth.h"
#include "receiver/check.h"
#include "receiver/rx.h"
#include "receiver/schema.h"

static int valid(const char *schema, const char *doc)
{
	char err[200], why[200];
	struct schema *s = schema_load(schema, err, sizeof(err));
	assert_non_null(s);
	cJSON *j = cJSON_Parse(doc);
	assert_non_null(j);
	int rc = schema_validate(s, j, why, sizeof(why));
	cJSON_Delete(j);
	schema_free(s);
	return rc;
}

static void test_schema_keywords(void **state)
{
	(void)state;
	const char *num = "{\"type\":\"number\",\"exclusiveMinimum\":1,\"maximum\":100}";
	assert_int_equal(valid(num, "1.31"), 0);
	assert_int_equal(valid(num, "1"), -EBADMSG);
	assert_int_equal(valid(num, "100.5"), -EBADMSG);
	assert_int_equal(valid(num, "\"1.3\""), -EBADMSG);
	const char *integer = "{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":3}";
	assert_int_equal(valid(integer, "2"), 0);
	assert_int_equal(valid(integer, "2.0"), 0);
	assert_int_equal(valid(integer, "null"), 0);
	assert_int_equal(valid(integer, "2.5"), -EBADMSG);
	assert_int_equal(valid(integer, "99999999999"), -EBADMSG);
	const char *obj =
	        "{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false,"
	        "\"properties\":{\"a\":{\"enum\":[\"x\",\"y\"]},\"t\":{\"$ref\":\"#/$defs/t\"}},"
	        "\"$defs\":{\"t\":{\"type\":\"string\",\"pattern\":\"^[0-9]{4}Z$\"}}}";
	assert_int_equal(valid(obj, "{\"a\":\"x\",\"t\":\"2026Z\"}"), 0);
	assert_int_equal(valid(obj, "{\"t\":\"2026Z\"}"), -EBADMSG);              /* required */
	assert_int_equal(valid(obj, "{\"a\":\"z\"}"), -EBADMSG);                  /* enum */
	assert_int_equal(valid(obj, "{\"a\":\"x\",\"b\":1}"), -EBADMSG);          /* additional */
	assert_int_equal(valid(obj, "{\"a\":\"x\",\"t\":\" 2026Z\"}"), -EBADMSG); /* pattern */
	assert_int_equal(valid(obj, "{\"a\":\"x\",\"a\":\"y\"}"), -EBADMSG);      /* twice */
	const char *arr = "{\"type\":\"array\",\"items\":{\"type\":\"number\"},\"minItems\":3,"
	                  "\"maxItems\":3}";
	assert_int_equal(valid(arr, "[1.2,1.3,1.5]"), 0);
	assert_int_equal(valid(arr, "[1.2,1.3]"), -EBADMSG);
	assert_int_equal(valid(arr, "[1.2,1.3,\"x\"]"), -EBADMSG);
	assert_int_equal(valid("{\"const\":\"report\"}", "\"report\""), 0);
	/* propertyNames: every member's name is checked (report v2's roles and kpi_errors). */
	assert_int_equal(valid("{\"propertyNames\":{\"enum\":[\"a\",\"b\"]}}", "{\"a\":1,\"b\":2}"),
	                 0);
	assert_int_equal(valid("{\"propertyNames\":{\"enum\":[\"a\"]}}", "{\"a\":1,\"c\":2}"),
	                 -EBADMSG);
	assert_int_equal(valid("{\"const\":\"report\"}", "\"summary\""), -EBADMSG);
	/* A keyword this validator does not know is refused at load, not skipped. */
	char err[200];
	assert_null(schema_load("{\"oneOf\":[]}", err, sizeof(err)));
	assert_non_null(strstr(err, "oneOf"));
}

static void headers(const char *site, const char *ts, const char *sig, const char *cl,
                    unsigned want, const char *reason)
{
	struct rx_headers h = {.site = site,
	                       .id = "s1:report:2026-10",
	                       .ts = ts,
	                       .sig = sig,
	                       .content_length = cl};
	struct rx_policy p = {.max_body = 1000, .now_s = 1800000000, .tolerance_s = 300};
	struct rx_verdict v;
	rx_check_headers(&h, &p, &v);
	assert_int_equal(v.status, want);
	assert_string_equal(v.reason, reason);
}

static void test_headers_first(void **state)
{
	(void)state;
	headers("s1", "1800000000", "v1,AAAA", "10", 0, "ok");
	headers("s1", "1800000000", "v1,AAAA v1a,BBBB", "1000", 0, "ok");
	headers(NULL, "1800000000", "v1,AAAA", "10", 401, "no-site");
	headers("bad site", "1800000000", "v1,AAAA", "10", 401, "bad-site");
	headers("s1", "1800000000", NULL, "10", 400, "bad-headers");
	headers("s1", "1800000000", "v2,AAAA", "10", 400, "bad-headers");
	headers("s1", "+1800000000", "v1,AAAA", "10", 400, "bad-headers");
	headers("s1", "1799999699", "v1,AAAA", "10", 400, "stale-timestamp");
	headers("s1", "1800000301", "v1,AAAA", "10", 400, "stale-timestamp");
	headers("s1", "1800000000", "v1,AAAA", NULL, 411, "no-length");
	headers("s1", "1800000000", "v1,AAAA", "1001", 413, "too-large");
	headers("s1", "1800000000", "v1,AAAA", "0", 422, "empty-body");
	headers("s1", "1800000000", "v1,AAAA", "-5", 400, "bad-length");
}

static const char report[] =
        "{\"type\":\"report\",\"schema\":\"greendc.report/1\",\"kind\":\"monthly\","
        "\"methodology\":\"greendc-energy/1\",\"generated\":\"2026-11-01T01:00:00Z\","
        "\"site\":{\"id\":\"s1\",\"name\":\"Site 1\",\"timezone\":\"Asia/Shanghai\"},"
        "\"period\":{\"label\":\"2026-10\",\"from\":\"2026-09-30T16:00:00Z\",\"to\":"
        "\"2026-10-31T16:00:00Z\"},\"complete\":true,\"coverage_threshold\":0.95,"
        "\"coverage\":0.998,\"estimated_share\":0,\"status\":\"OK\",\"missing\":[],"
        "\"energy\":{\"e_dc_kwh\":1045320,\"e_it_kwh\":744000,\"category\":1,"
        "\"category_text\":\"UPS output\",\"roles\":{}},\"kpi\":{\"pue\":1.405,\"dcie\":71.2,"
        "\"ppue_cooling\":null,\"wue\":null,\"cue\":null,\"erf\":null,\"ref\":null,\"cer\":null,"
        "\"pue_label\":\"PUE1, 2026-10, 1.41\"},\"kpi_errors\":{},\"co2_factor\":{"
        "\"kg_per_kwh\":0.5366,\"source\":\"MEE\",\"year\":2022},\"gb40879\":{\"grade\":null,"
        "\"indicative_grade\":3,\"limits\":[1.2,1.3,1.5],\"note\":\"n\"},\"free_cooling\":{"
        "\"equivalent_full_hours\":null,\"hours_any\":null},\"setpoints\":{\"source\":\"c\"}}";

static struct rx_schemas sc;

static int body(const char *text, size_t len, const char *site, struct rx_doc *d)
{
	char why[200];
	return rx_check_body(&sc, text, len, site, d, why, sizeof(why));
}

/* The report with the first occurrence of `from` replaced by `to`. */
static int variant(const char *from, const char *to)
{
	char buf[4096];
	const char *p = strstr(report, from);
	assert_non_null(p);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - report), report, to, p + strlen(from));
	struct rx_doc d;
	return body(buf, strlen(buf), "s1", &d);
}

static void test_body_checks(void **state)
{
	char err[200];
	struct rx_doc d;
	(void)state;
	assert_int_equal(rx_schemas_load(&sc, err, sizeof(err)), 0);
	assert_int_equal(body(report, strlen(report), "s1", &d), 0);
	assert_string_equal(d.type, "report");
	assert_string_equal(d.period, "2026-10");
	assert_string_equal(d.kind, "monthly");
	assert_true(fabs(d.pue - 1.405) < 1e-12 && fabs(d.coverage - 0.998) < 1e-12);
	assert_int_equal(d.grade, 3);
	assert_int_equal(d.category, 1);
	assert_true(d.complete);
	assert_string_equal(d.pue_label, "PUE1, 2026-10, 1.41");
	assert_int_equal(body(report, strlen(report), NULL, &d), 0); /* default credential */
	assert_int_equal(body(report, strlen(report), "s2", &d), -EBADMSG);
	assert_int_equal(body(report, strlen(report) - 1, "s1", &d), -EBADMSG);
	assert_int_equal(body("", 0, "s1", &d), -EBADMSG);
	assert_int_equal(body("[]", 2, "s1", &d), -EBADMSG);
	assert_int_equal(body("{\"type\":\"report\"}\0", 18, "s1", &d), -EBADMSG);
	assert_int_equal(variant("\"pue\":1.405", "\"pue\":1e308"), -EBADMSG);
	assert_int_equal(variant("\"pue\":1.405", "\"pue\":0.9"), -EBADMSG);
	assert_int_equal(variant("\"indicative_grade\":3", "\"indicative_grade\":99999999999"),
	                 -EBADMSG);
	assert_int_equal(variant("\"2026-11-01T01", "\" 2026-11-01T01"), -EBADMSG);
	assert_int_equal(variant("\"2026-09-30T16", "\"+2026-09-30T16"), -EBADMSG);
	assert_int_equal(variant("\"Site 1\"", "\"Site\\u00001\""), -EBADMSG);
	assert_int_equal(variant("\"Site 1\"", "\"Site\\\\u00001\""), 0); /* an escaped backslash */
	assert_int_equal(variant("\"Site 1\"", "\"Site \xe5\xa4\xaa\xe5\x8e\x9f\""), 0);
	assert_int_equal(variant("\"Site 1\"", "\"Site \xc0\xaf\""), -EBADMSG); /* overlong */
	assert_int_equal(variant("\"type\":\"report\"", "\"type\":\"memo\""), -EBADMSG);
	rx_schemas_free(&sc);
}

static void test_signatures(void **state)
{
	struct rx_cred c = {0};
	char err[200], sig[WHSIGN_SIG_LEN], hdr[300], b64[100];
	const char *body = "{\"x\":1}";
	(void)state;
	assert_int_equal(
	        rx_cred_set_secret(&c, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", err, sizeof(err)),
	        0);
	assert_int_equal(
	        whsign_std_sign(c.hmac, c.hmac_len, "id1", 1800000000, body, strlen(body), sig), 0);
	assert_int_equal(rx_cred_verify(&c, "id1", "1800000000", body, strlen(body), sig), 0);
	assert_int_equal(rx_cred_verify(&c, "id2", "1800000000", body, strlen(body), sig),
	                 -EBADMSG);
	assert_int_equal(rx_cred_verify(&c, "id1", "1800000001", body, strlen(body), sig),
	                 -EBADMSG);
	/* Ed25519: a key from a fixed seed, "whpk_" of its public half. */
	uint8_t seed[32] = {1, 2, 3}, pk[32], s[64];
	size_t n = 32, sl = 64;
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_PKEY_get_raw_public_key(k, pk, &n);
	whsign_b64(pk, 32, b64, sizeof(b64));
	snprintf(hdr, sizeof(hdr), "whpk_%s", b64);
	assert_int_equal(rx_cred_set_public(&c, hdr, err, sizeof(err)), 0);
	const char *msg = "id1.1800000000.{\"x\":1}";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestSignInit(ctx, NULL, NULL, NULL, k);
	EVP_DigestSign(ctx, s, &sl, (const uint8_t *)msg, strlen(msg));
	whsign_b64(s, 64, b64, sizeof(b64));
	snprintf(hdr, sizeof(hdr), "v1,AAAA v1a,%s", b64);
	assert_int_equal(rx_cred_verify(&c, "id1", "1800000000", body, strlen(body), hdr), 0);
	assert_int_equal(rx_cred_verify(&c, "id1", "1800000000", "{\"x\":2}", 7, hdr), -EBADMSG);
	/* The document signature: over the body alone. */
	EVP_MD_CTX_reset(ctx);
	EVP_DigestSignInit(ctx, NULL, NULL, NULL, k);
	sl = 64;
	EVP_DigestSign(ctx, s, &sl, (const uint8_t *)body, strlen(body));
	whsign_b64(s, 64, b64, sizeof(b64));
	snprintf(hdr, sizeof(hdr), "ed25519=%s", b64);
	assert_string_equal(rx_report_sig_status(&c, hdr, body, strlen(body)), "valid");
	assert_string_equal(rx_report_sig_status(&c, hdr, "{}", 2), "invalid");
	assert_string_equal(rx_report_sig_status(&c, NULL, body, strlen(body)), "none");
	c.has_pk = false;
	assert_string_equal(rx_report_sig_status(&c, hdr, body, strlen(body)), "invalid");
	assert_int_equal(rx_cred_set_public(&c, "whpk_AAAA", err, sizeof(err)), -EINVAL);
	assert_int_equal(
	        rx_cred_set_public(&c, "-----BEGIN PUBLIC KEY-----\nAA\n", err, sizeof(err)),
	        -EINVAL);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
}

static void test_log_escape(void **state)
{
	char out[64];
	(void)state;
	rx_log_escape("s1:report:2026-10", out, sizeof(out));
	assert_string_equal(out, "s1:report:2026-10");
	rx_log_escape("a\tb c\\\n", out, sizeof(out));
	assert_string_equal(out, "a\\x09b\\x20c\\x5c\\x0a");
	rx_log_escape(NULL, out, sizeof(out));
	assert_string_equal(out, "-");
	rx_log_escape("\xe5\xa4\xaa", out, 8);
	assert_string_equal(out, "\\xe5"); /* cut to fit, never mid-escape */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_schema_keywords), cmocka_unit_test(test_headers_first),
	        cmocka_unit_test(test_body_checks),     cmocka_unit_test(test_signatures),
	        cmocka_unit_test(test_log_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

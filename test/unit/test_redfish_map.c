/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for drivers/redfish_map.c: profile keys and options with their lines, the
 * credentials file, links and chassis choice, every reading from the current schemas and
 * from the deprecated Power/Thermal, JSON pointers, and the energy integrator (known
 * answers). JSON comes from the mockups in test/devices/redfish/ (GDC_TOP) so the tests read
 * what the device tests serve; values are the ones written in those files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/redfish_map.h"

static cJSON *mockup(const char *tree, const char *path)
{
	const char *top = getenv("GDC_TOP");
	char file[1024];
	snprintf(file, sizeof(file), "%s/test/devices/redfish/%s/%s%sindex.json", top ? top : ".",
	         tree, path, path[0] ? "/" : "");
	FILE *f = fopen(file, "r");
	if (!f)
		fail_msg("cannot open %s (set GDC_TOP)", file);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	assert_non_null(j);
	return j;
}

static void test_options(void **unused)
{
	struct rf_opts o;
	char err[256];
	int line;
	(void)unused;

	struct gdc_attr opts[] = {{"secrets_file", "/etc/greendc/bmc.secrets", 3},
	                          {"inlet_sensor", "System Board Inlet Temp, Inlet Temp", 4},
	                          {"chassis", "System.Embedded.1", 5},
	                          {"auth", "basic", 6},
	                          {"max_body", "65536", 7},
	                          {"derive_max_gap", "60", 8}};
	struct gdc_device d = {.address = "https://10.0.0.9:8443/", .options = opts, .noptions = 6};
	assert_int_equal(rf_opts_parse(&d, &o, err, sizeof(err), &line), 0);
	assert_string_equal(o.base, "https://10.0.0.9:8443");
	assert_int_equal(o.ninlet, 2);
	assert_string_equal(o.inlet[0], "System Board Inlet Temp");
	assert_string_equal(o.inlet[1], "Inlet Temp");
	assert_string_equal(o.chassis, "System.Embedded.1");
	assert_true(o.basic);
	assert_int_equal(o.max_body, 65536);
	assert_int_equal(o.derive_max_gap_ms, 60000);

	struct {
		const char *addr;
		struct gdc_attr a;
		int line;
		const char *msg;
	} bad[] = {
	        {"http://10.0.0.9", {"secrets_file", "/x", 1}, 0, "address: expected https://"},
	        {"https://10.0.0.9/redfish", {"secrets_file", "/x", 1}, 0, "address: expected"},
	        {"https://bmc", {"community", "public", 9}, 9, "community: unknown option"},
	        {"https://bmc", {"auth", "digest", 10}, 10, "auth: bad value"},
	        {"https://bmc", {"max_body", "100", 11}, 11, "max_body: bad value"},
	        {"https://bmc", {"chassis", "", 12}, 12, "chassis: bad value"},
	        {"https://bmc", {"ca_file", "/etc/ca.pem", 13}, 0, "secrets_file: required"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gdc_device b = {.address = bad[i].addr, .options = &bad[i].a, .noptions = 1};
		err[0] = '\0';
		assert_int_equal(rf_opts_parse(&b, &o, err, sizeof(err), &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
		if (!strstr(err, bad[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].msg);
	}
}

static int parse(const struct gdc_attr *a, size_t n, enum gdc_kind kind, struct rf_point *p,
                 char *err, int *line)
{
	struct gdc_point gp = {.metric = "x", .kind = kind, .attrs = a, .nattrs = n, .line = 20};
	return rf_point_parse(&gp, p, err, 256, line);
}

static void test_points(void **unused)
{
	struct rf_point p;
	char err[256];
	int line;
	(void)unused;

	struct gdc_attr power[] = {{"reading", "power", 21}};
	assert_int_equal(parse(power, 1, GDC_GAUGE, &p, err, &line), 0);
	assert_int_equal(p.reading, RF_POWER);
	struct gdc_attr energy[] = {{"reading", "energy", 21}};
	assert_int_equal(parse(energy, 1, GDC_COUNTER, &p, err, &line), 0);
	assert_int_equal(p.reading, RF_ENERGY);
	struct gdc_attr prop[] = {
	        {"reading", "property", 21},
	        {"resource", "Power", 22},
	        {"property", "/PowerControl/0/PowerMetrics/AverageConsumedWatts", 23}};
	assert_int_equal(parse(prop, 3, GDC_GAUGE, &p, err, &line), 0);
	assert_string_equal(p.resource, "Power");

	struct {
		struct gdc_attr a[3];
		size_t n;
		enum gdc_kind kind;
		int line;
		const char *msg;
	} bad[] = {
	        {{{"oid", "1.3.6", 30}}, 1, GDC_GAUGE, 30, "oid: unknown key"},
	        {{{"resource", "Power", 31}}, 1, GDC_GAUGE, 20, "reading: required"},
	        {{{"reading", "watts", 32}}, 1, GDC_GAUGE, 32, "reading: unknown"},
	        {{{"reading", "energy", 33}}, 1, GDC_GAUGE, 33, "must be a counter"},
	        {{{"reading", "power", 34}}, 1, GDC_COUNTER, 34, "must be a gauge"},
	        {{{"reading", "power", 35}, {"property", "/x", 36}}, 2, GDC_GAUGE, 36, "only with"},
	        {{{"reading", "property", 37}, {"resource", "Power", 38}},
	         2,
	         GDC_GAUGE,
	         37,
	         "needs resource"},
	        {{{"reading", "property", 39}, {"resource", "../../x", 40}, {"property", "/a", 41}},
	         3,
	         GDC_GAUGE,
	         40,
	         "resource: expected"},
	        {{{"reading", "property", 42}, {"resource", "Power", 43}, {"property", "a/b", 44}},
	         3,
	         GDC_GAUGE,
	         44,
	         "property: expected a JSON pointer"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].a, bad[i].n, bad[i].kind, &p, err, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
		if (!strstr(err, bad[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].msg);
	}
}

static void test_secrets(void **unused)
{
	char u[64], p[64], err[256];
	(void)unused;

	assert_int_equal(rf_secrets_parse("# BMC\nusername: root\npassword:  calvin \n", u,
	                                  sizeof(u), p, sizeof(p), err, sizeof(err)),
	                 0);
	assert_string_equal(u, "root");
	assert_string_equal(p, "calvin");
	assert_int_equal(
	        rf_secrets_parse("username: root\n", u, sizeof(u), p, sizeof(p), err, sizeof(err)),
	        -EINVAL);
	assert_non_null(strstr(err, "lacks password"));
	assert_int_equal(rf_secrets_parse("user: root\npassword: s3cret\n", u, sizeof(u), p,
	                                  sizeof(p), err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "line 1: unknown key"));
	assert_null(strstr(err, "s3cret")); /* messages never carry values */
}

static void test_links_and_chassis(void **unused)
{
	int score;
	(void)unused;

	cJSON *root = mockup("rackmount-current", "");
	assert_string_equal(rf_link(root, "Chassis"), "/redfish/v1/Chassis");
	assert_null(rf_link(root, "Nothing"));
	cJSON *coll = mockup("rackmount-current", "Chassis");
	assert_int_equal(rf_nmembers(coll), 2);
	assert_string_equal(rf_member(coll, 0), "/redfish/v1/Chassis/Enclosure0");
	assert_null(rf_member(coll, 2));
	cJSON *enc = mockup("rackmount-current", "Chassis/Enclosure0");
	cJSON *srv = mockup("rackmount-current", "Chassis/1U");
	assert_false(rf_chassis_has_power(enc, &score));
	assert_int_equal(score, 0);
	assert_true(rf_chassis_has_power(srv, &score));
	assert_int_equal(score, 3); /* power data and a computer system */
	cJSON_Delete(root);
	cJSON_Delete(coll);
	cJSON_Delete(enc);
	cJSON_Delete(srv);
}

static void test_current_schemas(void **unused)
{
	struct rf_opts o = {.ninlet = 0};
	double v;
	(void)unused;

	cJSON *env = mockup("rackmount-current", "Chassis/1U/EnvironmentMetrics");
	assert_true(rf_env_power(env, &v));
	assert_true(v == 376);
	assert_true(rf_env_energy(env, &v));
	assert_true(v == 325.675);
	cJSON *env2 = mockup("rackmount-both", "Chassis/1U/EnvironmentMetrics");
	assert_false(rf_env_energy(env2, &v)); /* no EnergykWh: the Sensor must be found */
	cJSON *sen = mockup("rackmount-both", "Chassis/1U/Sensors/TotalEnergy");
	assert_true(rf_sensor_energy(sen, &v));
	assert_true(v == 325.675);
	cJSON *temp = mockup("rackmount-both", "Chassis/1U/Sensors/CPU1Temp");
	assert_false(rf_sensor_energy(temp, &v));
	cJSON *m =
	        mockup("rackmount-current", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU1/Metrics");
	assert_true(rf_psu_metrics_power(m, true, &v));
	assert_true(v == 190);
	assert_true(rf_psu_metrics_power(m, false, &v));
	assert_true(v == 178.6);
	cJSON *psu = mockup("rackmount-current", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU1");
	assert_true(rf_psu_efficiency(psu, &v));
	assert_true(v == 94);
	/* Intake from the summary; without one, the reading with PhysicalContext Intake. */
	cJSON *tm = mockup("rackmount-current", "Chassis/1U/ThermalSubsystem/ThermalMetrics");
	assert_true(rf_thermal_metrics_inlet(tm, &o, &v));
	assert_true(v == 21.5);
	cJSON *tm2 = mockup("rackmount-both", "Chassis/1U/ThermalSubsystem/ThermalMetrics");
	assert_true(rf_thermal_metrics_inlet(tm2, &o, &v));
	assert_true(v == 23);
	cJSON *list[] = {env, env2, sen, temp, m, psu, tm, tm2};
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		cJSON_Delete(list[i]);
}

static void test_legacy(void **unused)
{
	struct rf_opts o = {.ninlet = 1, .inlet = {"System Board Inlet Temp"}};
	struct rf_opts none = {.ninlet = 0};
	char id[64];
	double v, in, out, eff;
	(void)unused;

	/* DMTF's public-rackmount1 Power (BSD-3 copy): 344 W, one supply, 325 W last output. */
	cJSON *p = mockup("rackmount-legacy", "Chassis/1U/Power");
	assert_true(rf_legacy_power(p, &v));
	assert_true(v == 344);
	assert_int_equal(rf_legacy_npsu(p), 1);
	assert_true(rf_legacy_psu(p, 0, id, sizeof(id), &in, &out, &eff));
	assert_string_equal(id, "0");
	assert_true(isnan(in) && out == 325 && isnan(eff));
	assert_false(rf_legacy_psu(p, 1, id, sizeof(id), &in, &out, &eff));
	assert_true(rf_pointer(p, "/PowerControl/0/PowerMetrics/AverageConsumedWatts", &v));
	assert_true(v == 319);
	assert_false(rf_pointer(p, "/PowerControl/1/PowerConsumedWatts", &v));
	assert_false(rf_pointer(p, "/PowerControl/00/PowerConsumedWatts", &v));
	assert_false(rf_pointer(p, "/Name", &v)); /* a string is not a number */
	/* Lenovo lists sub-systems after the total: the first reading is the total. */
	cJSON *len = mockup("lenovo-xcc", "Chassis/1/Power");
	assert_true(rf_legacy_power(len, &v));
	assert_true(v == 212);
	/* Dell: the inlet has PhysicalContext SystemBoard; only its name finds it. */
	cJSON *th = mockup("dell-idrac9", "Chassis/System.Embedded.1/Thermal");
	assert_false(rf_legacy_inlet(th, &none, &v));
	assert_true(rf_legacy_inlet(th, &o, &v));
	assert_true(v == 19);
	cJSON *dp = mockup("dell-idrac9", "Chassis/System.Embedded.1/Power");
	assert_true(rf_legacy_psu(dp, 1, id, sizeof(id), &in, &out, &eff));
	assert_string_equal(id, "PSU.Slot.2");
	assert_true(in == 128 && out == 111 && eff == 91);
	cJSON_Delete(p);
	cJSON_Delete(len);
	cJSON_Delete(th);
	cJSON_Delete(dp);
}

/* Trapezoid rule: 300 W then 500 W over 36 s is 400 W x 0.01 h = 0.004 kWh. */
static void test_integrator(void **unused)
{
	struct rf_integrator in = {.kwh = 0};
	(void)unused;

	rf_integrate(&in, 300, 1000000, 300000);
	assert_true(in.kwh == 0);
	rf_integrate(&in, 500, 1036000, 300000);
	assert_true(fabs(in.kwh - 0.004) < 1e-12);
	rf_integrate(&in, NAN, 1040000, 300000); /* no reading: nothing changes */
	assert_true(fabs(in.kwh - 0.004) < 1e-12);
	rf_integrate(&in, 500, 1030000, 300000); /* back in time: ignored */
	assert_true(fabs(in.kwh - 0.004) < 1e-12 && in.last_ms == 1036000);
	rf_integrate(&in, 1000, 1036000 + 400000, 300000); /* a gap over 300 s: not bridged */
	assert_true(fabs(in.kwh - 0.004) < 1e-12);
	rf_integrate(&in, 1000, 1436000 + 3600000 / 100, 300000); /* 1 kW x 36 s = 0.01 kWh */
	assert_true(fabs(in.kwh - 0.014) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_options),         cmocka_unit_test(test_points),
	        cmocka_unit_test(test_secrets),         cmocka_unit_test(test_links_and_chassis),
	        cmocka_unit_test(test_current_schemas), cmocka_unit_test(test_legacy),
	        cmocka_unit_test(test_integrator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

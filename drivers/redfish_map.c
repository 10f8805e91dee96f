/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redfish mapping: profile keys, options, credentials, links and readings from parsed JSON.
 * Pure code, tested by test/unit/test_redfish_map.c against the mockups in
 * test/devices/redfish/; see drivers/redfish_map.h and docs/drivers/redfish.md.
 */
#include "redfish_map.h"

#include "core/secretfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options and points ---- */

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len == 0 || len >= n)
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

/* "https://HOST[:PORT]" or "https://[V6]:PORT", an optional trailing slash, nothing else. */
static int parse_address(const char *a, char *base, size_t n)
{
	if (!a || strncmp(a, "https://", 8) != 0)
		return -EINVAL;
	const char *h = a + 8;
	size_t len = strlen(h);
	if (len && h[len - 1] == '/')
		len--;
	if (len == 0 || len + 9 > n)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr(".-_:[]", h[i]))
			return -EINVAL;
	snprintf(base, n, "https://%.*s", (int)len, h);
	return 0;
}

/* "Inlet Temp, 01-Inlet Ambient" into names. */
static int parse_names(const char *s, struct rf_opts *o)
{
	o->ninlet = 0;
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		const char *start = s;
		while (*s && *s != ',')
			s++;
		const char *end = s;
		while (end > start && end[-1] == ' ')
			end--;
		size_t len = (size_t)(end - start);
		if (o->ninlet >= RF_MAX_NAMES || len >= RF_NAME_LEN)
			return -EINVAL;
		memcpy(o->inlet[o->ninlet], start, len);
		o->inlet[o->ninlet++][len] = '\0';
	}
	return o->ninlet ? 0 : -EINVAL;
}

static int parse_option(struct rf_opts *o, const char *k, const char *v)
{
	unsigned long u;

	if (!strcmp(k, "secrets_file"))
		return copy_str(o->secrets_file, sizeof(o->secrets_file), v);
	if (!strcmp(k, "ca_file"))
		return copy_str(o->ca_file, sizeof(o->ca_file), v);
	if (!strcmp(k, "auth")) {
		if (strcmp(v, "session") && strcmp(v, "basic"))
			return -EINVAL;
		o->basic = !strcmp(v, "basic");
		return 0;
	}
	if (!strcmp(k, "chassis"))
		return copy_str(o->chassis, sizeof(o->chassis), v);
	if (!strcmp(k, "inlet_sensor"))
		return parse_names(v, o);
	if (!strcmp(k, "max_body")) {
		if (parse_ulong(v, 4096, 64UL << 20, &u))
			return -EINVAL;
		o->max_body = u;
		return 0;
	}
	if (!strcmp(k, "derive_max_gap")) {
		if (parse_ulong(v, 1, 86400, &u))
			return -EINVAL;
		o->derive_max_gap_ms = (unsigned)u * 1000;
		return 0;
	}
	if (!strcmp(k, "prefer_legacy"))
		return parse_bool(v, &o->prefer_legacy);
	return -ENOENT;
}

int rf_opts_parse(const struct gdc_device *dev, struct rf_opts *o, char *err, size_t errlen,
                  int *bad_line)
{
	memset(o, 0, sizeof(*o));
	o->max_body = RF_DEFAULT_MAX;
	o->derive_max_gap_ms = 300000;
	*bad_line = 0;
	if (parse_address(dev->address, o->base, sizeof(o->base))) {
		snprintf(err, errlen,
		         "address: expected https://HOST or https://HOST:PORT (TLS is always "
		         "verified), got \"%s\"",
		         dev->address ? dev->address : "(none)");
		return -EINVAL;
	}
	for (size_t i = 0; i < dev->noptions; i++) {
		const struct gdc_attr *a = &dev->options[i];
		*bad_line = a->line;
		int rc = parse_option(o, a->key, a->value);
		if (rc == -ENOENT) {
			snprintf(err, errlen, "%s: unknown option for the redfish driver", a->key);
			return -EINVAL;
		}
		if (rc) {
			snprintf(err, errlen, "%s: bad value \"%s\" (see docs/drivers/redfish.md)",
			         a->key, a->value);
			return -EINVAL;
		}
	}
	*bad_line = 0;
	if (!o->secrets_file[0]) {
		snprintf(err, errlen,
		         "secrets_file: required (a 0600 file with username: and password:)");
		return -EINVAL;
	}
	return 0;
}

static const struct {
	const char *name;
	enum rf_reading r;
	bool counter;
} readings[] = {
        {"power", RF_POWER, false},
        {"energy", RF_ENERGY, true},
        {"energy_derived", RF_ENERGY_DERIVED, true},
        {"psu_input_power", RF_PSU_INPUT_POWER, false},
        {"psu_output_power", RF_PSU_OUTPUT_POWER, false},
        {"psu_efficiency", RF_PSU_EFFICIENCY, false},
        {"inlet_temp", RF_INLET_TEMP, false},
        {"property", RF_PROPERTY, false},
};

int rf_point_parse(const struct gdc_point *p, struct rf_point *out, char *err, size_t errlen,
                   int *bad_line)
{
	const struct gdc_attr *reading = NULL, *res = NULL, *prop = NULL;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < p->nattrs; k++) {
		const struct gdc_attr *a = &p->attrs[k];
		*bad_line = a->line;
		if (!strcmp(a->key, "reading"))
			reading = a;
		else if (!strcmp(a->key, "resource"))
			res = a;
		else if (!strcmp(a->key, "property"))
			prop = a;
		else {
			snprintf(err, errlen, "%s: unknown key for the redfish driver", a->key);
			return -EINVAL;
		}
	}
	*bad_line = reading ? reading->line : p->line;
	if (!reading) {
		snprintf(err, errlen,
		         "reading: required (power, energy, energy_derived, psu_input_power, "
		         "psu_output_power, psu_efficiency, inlet_temp or property)");
		return -EINVAL;
	}
	size_t i;
	for (i = 0; i < sizeof(readings) / sizeof(readings[0]); i++)
		if (!strcmp(reading->value, readings[i].name))
			break;
	if (i == sizeof(readings) / sizeof(readings[0])) {
		snprintf(err, errlen, "reading: unknown \"%s\"", reading->value);
		return -EINVAL;
	}
	out->reading = readings[i].r;
	if (readings[i].counter != (p->kind == GDC_COUNTER)) {
		snprintf(err, errlen, "reading: %s is %s; the metric must be a %s", reading->value,
		         readings[i].counter ? "an energy counter" : "a gauge",
		         readings[i].counter ? "counter" : "gauge");
		return -EINVAL;
	}
	if (out->reading != RF_PROPERTY) {
		if (res || prop) {
			*bad_line = (res ? res : prop)->line;
			snprintf(err, errlen, "%s: only with reading: property",
			         (res ? res : prop)->key);
			return -EINVAL;
		}
		*bad_line = 0;
		return 0;
	}
	if (!res || !prop) {
		snprintf(err, errlen, "reading: property needs resource: and property:");
		return -EINVAL;
	}
	*bad_line = res->line;
	if (copy_str(out->resource, sizeof(out->resource), res->value) ||
	    strstr(res->value, "..") || strpbrk(res->value, " ?#%\\")) {
		snprintf(err, errlen,
		         "resource: expected a path below the chassis (EnvironmentMetrics) or "
		         "/redfish/v1/..., got \"%s\"",
		         res->value);
		return -EINVAL;
	}
	*bad_line = prop->line;
	if (prop->value[0] != '/' || copy_str(out->property, sizeof(out->property), prop->value)) {
		snprintf(
		        err, errlen,
		        "property: expected a JSON pointer such as /PowerWatts/Reading, got \"%s\"",
		        prop->value);
		return -EINVAL;
	}
	*bad_line = 0;
	return 0;
}

int rf_secrets_parse(const char *text, char *user, size_t ulen, char *pass, size_t plen, char *err,
                     size_t errlen)
{
	const struct secretfile_field f[] = {
	        {.key = "username", .buf = user, .len = ulen, .required = true},
	        {.key = "password", .buf = pass, .len = plen, .required = true},
	};
	return secretfile_fields(text, f, 2, err, errlen);
}

/* ---- links ---- */

static const char *odata_id(const cJSON *o)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "@odata.id");
	const char *s = cJSON_GetStringValue(id);
	return s && s[0] == '/' ? s : NULL;
}

const char *rf_link(const cJSON *res, const char *name)
{
	return odata_id(cJSON_GetObjectItemCaseSensitive(res, name));
}

int rf_nmembers(const cJSON *coll)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(coll, "Members");
	return cJSON_IsArray(m) ? cJSON_GetArraySize(m) : 0;
}

const char *rf_member(const cJSON *coll, int i)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(coll, "Members");
	return cJSON_IsArray(m) ? odata_id(cJSON_GetArrayItem(m, i)) : NULL;
}

bool rf_chassis_has_power(const cJSON *chassis, int *score)
{
	bool power = rf_link(chassis, "PowerSubsystem") || rf_link(chassis, "EnvironmentMetrics") ||
	             rf_link(chassis, "Power");
	const cJSON *links = cJSON_GetObjectItemCaseSensitive(chassis, "Links");
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(links, "ComputerSystems");
	*score = (power ? 2 : 0) + (cJSON_IsArray(sys) && cJSON_GetArraySize(sys) > 0 ? 1 : 0);
	return power;
}

/* ---- numbers ---- */

static bool num(const cJSON *n, double *out)
{
	if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
		return false;
	*out = n->valuedouble;
	return true;
}

bool rf_number(const cJSON *res, const char *a, const char *b, double *out)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(res, a);
	if (b)
		n = cJSON_GetObjectItemCaseSensitive(n, b);
	return num(n, out);
}

bool rf_pointer(const cJSON *doc, const char *ptr, double *out)
{
	const cJSON *cur = doc;
	char tok[128];

	if (*ptr != '/')
		return false;
	while (*ptr == '/' && cur) {
		size_t n = 0;
		ptr++;
		/* Unescape ~1 -> / and ~0 -> ~ (RFC 6901 section 4). */
		while (*ptr && *ptr != '/' && n + 1 < sizeof(tok)) {
			if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
				tok[n++] = ptr[1] == '1' ? '/' : '~';
				ptr += 2;
			} else {
				tok[n++] = *ptr++;
			}
		}
		tok[n] = '\0';
		if (*ptr && *ptr != '/')
			return false; /* token too long */
		if (cJSON_IsArray(cur)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);
			if (!n || *end || (n > 1 && tok[0] == '0') || i > 100000)
				return false;
			cur = cJSON_GetArrayItem(cur, (int)i);
		} else {
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
		}
	}
	return num(cur, out);
}

bool rf_env_power(const cJSON *env, double *w)
{
	return rf_number(env, "PowerWatts", "Reading", w);
}

bool rf_env_energy(const cJSON *env, double *kwh)
{
	return rf_number(env, "EnergykWh", "Reading", kwh);
}

bool rf_sensor_energy(const cJSON *sen, double *kwh)
{
	const char *type =
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sen, "ReadingType"));
	double v;

	if (!type || !rf_number(sen, "Reading", NULL, &v))
		return false;
	if (!strcmp(type, "EnergykWh"))
		*kwh = v;
	else if (!strcmp(type, "EnergyWh"))
		*kwh = v / 1000.0;
	else if (!strcmp(type, "EnergyJoules"))
		*kwh = v / 3.6e6;
	else
		return false;
	return true;
}

bool rf_psu_metrics_power(const cJSON *m, bool input, double *w)
{
	return rf_number(m, input ? "InputPowerWatts" : "OutputPowerWatts", "Reading", w);
}

bool rf_psu_efficiency(const cJSON *psu, double *pct)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(psu, "EfficiencyRatings");
	return cJSON_IsArray(r) &&
	       rf_number(cJSON_GetArrayItem(r, 0), "EfficiencyPercent", NULL, pct);
}

static bool name_is_inlet(const char *name, const struct rf_opts *o)
{
	for (size_t i = 0; name && i < o->ninlet; i++)
		if (!strcmp(name, o->inlet[i]))
			return true;
	return false;
}

/* In an array of readings, the intake one: PhysicalContext Intake first, then a name. */
static bool find_inlet(const cJSON *arr, const char *name_key, const char *value_key,
                       const struct rf_opts *o, double *c)
{
	const cJSON *e;

	if (!cJSON_IsArray(arr))
		return false;
	for (int pass = 0; pass < 2; pass++) {
		cJSON_ArrayForEach(e, arr)
		{
			const char *ctx = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(e, "PhysicalContext"));
			const char *name =
			        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, name_key));
			bool hit =
			        pass == 0 ? ctx && !strcmp(ctx, "Intake") : name_is_inlet(name, o);
			if (hit && rf_number(e, value_key, NULL, c))
				return true;
		}
	}
	return false;
}

bool rf_thermal_metrics_inlet(const cJSON *tm, const struct rf_opts *o, double *c)
{
	if (rf_pointer(tm, "/TemperatureSummaryCelsius/Intake/Reading", c))
		return true;
	return find_inlet(cJSON_GetObjectItemCaseSensitive(tm, "TemperatureReadingsCelsius"),
	                  "DeviceName", "Reading", o, c);
}

bool rf_legacy_power(const cJSON *power, double *w)
{
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(power, "PowerControl"), *e;

	cJSON_ArrayForEach(e, pc)
	{
		if (rf_number(e, "PowerConsumedWatts", NULL, w))
			return true;
	}
	return false;
}

int rf_legacy_npsu(const cJSON *power)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(power, "PowerSupplies");
	return cJSON_IsArray(ps) ? cJSON_GetArraySize(ps) : 0;
}

bool rf_legacy_psu(const cJSON *power, int i, char *id, size_t idlen, double *in_w, double *out_w,
                   double *eff_pct)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(power, "PowerSupplies");
	const cJSON *e = cJSON_IsArray(ps) ? cJSON_GetArrayItem(ps, i) : NULL;

	if (!cJSON_IsObject(e))
		return false;
	const char *mid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "MemberId"));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Name"));
	if (mid && *mid)
		snprintf(id, idlen, "%s", mid);
	else if (name && *name)
		snprintf(id, idlen, "%s", name);
	else
		snprintf(id, idlen, "%d", i);
	*in_w = *out_w = *eff_pct = NAN;
	rf_number(e, "PowerInputWatts", NULL, in_w);
	if (!rf_number(e, "PowerOutputWatts", NULL, out_w))
		rf_number(e, "LastPowerOutputWatts", NULL, out_w);
	rf_number(e, "EfficiencyPercent", NULL, eff_pct);
	return true;
}

bool rf_legacy_inlet(const cJSON *thermal, const struct rf_opts *o, double *c)
{
	return find_inlet(cJSON_GetObjectItemCaseSensitive(thermal, "Temperatures"), "Name",
	                  "ReadingCelsius", o, c);
}

void rf_integrate(struct rf_integrator *in, double w, int64_t ts_ms, int64_t max_gap_ms)
{
	if (!isfinite(w))
		return;
	if (in->have && ts_ms > in->last_ms && ts_ms - in->last_ms <= max_gap_ms)
		in->kwh += (in->last_w + w) / 2.0 * (double)(ts_ms - in->last_ms) / 3.6e9;
	if (!in->have || ts_ms > in->last_ms) {
		in->last_w = w;
		in->last_ms = ts_ms;
		in->have = true;
	}
}

int rf_url(const struct rf_opts *o, const char *path, char *out, size_t n)
{
	int w = snprintf(out, n, "%s%s", o->base, path);
	return w > 0 && (size_t)w < n ? 0 : -ENAMETOOLONG;
}

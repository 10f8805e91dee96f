/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report as CSV (report.h): one "field,value" row per value of the JSON, with dotted paths
 * and [i] for list items (kpi.pue,1.405; quality.roles[0].completeness,1), strings quoted,
 * null as an empty value. Every field of the JSON is there, the EU 2024/1364 ones of an
 * annual report included; numbers keep their full precision (the pages round them).
 */
#include "delivery/report.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static void value(FILE *f, const char *key, const cJSON *c);

static void flatten(FILE *f, const char *prefix, const cJSON *o)
{
	const cJSON *c;
	int i = 0;
	cJSON_ArrayForEach(c, o)
	{
		char key[256];
		if (cJSON_IsArray(o))
			snprintf(key, sizeof(key), "%s[%d]", prefix, i++);
		else
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
			         c->string ? c->string : "");
		value(f, key, c);
	}
}

static void value(FILE *f, const char *key, const cJSON *c)
{
	if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
		flatten(f, key, c);
	} else if (cJSON_IsString(c)) {
		fprintf(f, "%s,\"", key);
		for (const char *s = c->valuestring; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputs("\"\n", f);
	} else if (cJSON_IsNumber(c)) {
		fprintf(f, "%s,%.10g\n", key, c->valuedouble);
	} else if (cJSON_IsBool(c)) {
		fprintf(f, "%s,%s\n", key, cJSON_IsTrue(c) ? "true" : "false");
	} else {
		fprintf(f, "%s,\n", key);
	}
}

char *report_csv(const struct cJSON *rep)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	fputs("field,value\n", f);
	flatten(f, "", rep);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

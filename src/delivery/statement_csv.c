/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statements as CSV line items (statement.h), for a billing system to import: one row per
 * tariff period, overhead, peak demand, rack and meter check, and a total per tenant, with
 * the same numbers as the JSON (printed with 15 significant digits).
 */
#include "delivery/statement.h"

#include "core/sbuf.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static const char *str(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* RFC 4180: quoted when it holds a comma, quote or line break. */
static void field(struct sbuf *b, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		sbuf_puts(b, "\"");
		for (; *s; s++)
			sbuf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
		sbuf_puts(b, "\"");
	} else {
		sbuf_puts(b, s);
	}
	sbuf_puts(b, last ? "\n" : ",");
}

static void number(struct sbuf *b, const cJSON *v, bool last)
{
	char t[32] = "";
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
		snprintf(t, sizeof(t), "%.15g", v->valuedouble);
	field(b, t, last);
}

/* tenant,period,line,rack,tariff_period,kwh,kw,price,cost,currency,coverage,status,note */
static void line(struct sbuf *b, const cJSON *s, const char *period, const char *what,
                 const char *rack, const char *tp, const cJSON *kwh, const cJSON *kw,
                 const cJSON *price, const cJSON *cost, const cJSON *cov, const char *status,
                 const char *note)
{
	field(b, str(get(s, "tenant", "name")), false);
	field(b, period, false);
	field(b, what, false);
	field(b, rack, false);
	field(b, tp, false);
	number(b, kwh, false);
	number(b, kw, false);
	number(b, price, false);
	number(b, cost, false);
	field(b, str(get(s, "cost", "currency")), false);
	number(b, cov, false);
	field(b, status, false);
	field(b, note, true);
}

static void tenant(struct sbuf *b, const cJSON *s, const char *period)
{
	const cJSON *x, *e = get(s, "energy", NULL), *o = get(s, "overhead", NULL);
	cJSON_ArrayForEach(x, get(s, "by_period", NULL))
	        line(b, s, period, "energy", "", str(get(x, "period", NULL)), get(x, "kwh", NULL),
	             NULL, get(x, "price", NULL), get(x, "cost", NULL), NULL, "", "");
	if (cJSON_IsTrue(get(o, "allocated", NULL)))
		line(b, s, period, "overhead", "", "", get(o, "kwh", NULL), NULL, NULL,
		     get(o, "cost", NULL), NULL, "", str(get(o, "pue_label", NULL)));
	line(b, s, period, "peak_demand", "", "", NULL, get(s, "peak_demand", "kw"), NULL, NULL,
	     NULL, "", str(get(s, "peak_demand", "at")));
	cJSON_ArrayForEach(x, get(s, "racks", NULL))
	{
		char note[160];
		snprintf(note, sizeof(note), "%s%s%s", str(get(x, "source", NULL)),
		         cJSON_IsTrue(get(x, "whole", NULL)) ? "" : "; outlets ",
		         cJSON_IsTrue(get(x, "whole", NULL)) ? "" : str(get(x, "outlets", NULL)));
		line(b, s, period, "rack", str(get(x, "rack", NULL)), "", get(x, "kwh", NULL), NULL,
		     NULL, NULL, get(x, "coverage", NULL), str(get(x, "status", NULL)), note);
	}
	cJSON_ArrayForEach(x, get(s, "meter_checks", NULL))
	{
		char note[160];
		snprintf(note, sizeof(note), "%s feed %s: input %.10g kWh, outlets %.10g kWh, %s",
		         str(get(x, "pdu", NULL)), str(get(x, "feed", NULL)),
		         cJSON_IsNumber(get(x, "input_kwh", NULL))
		                 ? get(x, "input_kwh", NULL)->valuedouble
		                 : NAN,
		         cJSON_IsNumber(get(x, "outlets_kwh", NULL))
		                 ? get(x, "outlets_kwh", NULL)->valuedouble
		                 : NAN,
		         !cJSON_IsTrue(get(x, "judged", NULL)) ? "not judged"
		         : cJSON_IsTrue(get(x, "ok", NULL))    ? "agree"
		                                               : "DISAGREE");
		line(b, s, period, "meter_check", str(get(x, "rack", NULL)), "", NULL, NULL, NULL,
		     NULL, NULL, "", note);
	}
	const cJSON *kwh = get(e, "kwh", NULL);
	line(b, s, period, "total", "", "", kwh, NULL, NULL, get(s, "cost", "total"),
	     get(e, "coverage", NULL), str(get(e, "status", NULL)),
	     cJSON_IsTrue(get(s, "complete", NULL)) ? "" : "not final");
}

char *statement_csv(const cJSON *all)
{
	struct sbuf b = {0};
	const char *period = str(get(all, "period", "label"));
	const cJSON *s;
	sbuf_puts(&b, "tenant,period,line,rack,tariff_period,kwh,kw,price,cost,currency,coverage,"
	              "status,note\n");
	cJSON_ArrayForEach(s, get(all, "statements", NULL)) tenant(&b, s, period);
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator's page and a report's printable HTML (web.h). The page is static (embedded
 * from receiver/web/ at build time) and reads the API; a report's HTML is rendered here from
 * the stored, signed JSON, every string escaped.
 */
#include "web.h"

#include "league.h"

#include "core/sbuf.h"
#include "core/timeutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *path)
{
	char k[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(k, sizeof(k), "%.*s", (int)n, path);
		o = cJSON_GetObjectItemCaseSensitive(o, k);
		path += n + (path[n] == '.');
	}
	return o;
}

/* A figure: the number with `digits` decimals, or an em dash for null / absent. */
static void num(struct sbuf *b, const cJSON *root, const char *path, int digits)
{
	const cJSON *v = get(root, path);
	if (cJSON_IsNumber(v))
		sbuf_printf(b, "%.*f", digits, v->valuedouble);
	else
		sbuf_puts(b, "—");
}

static void row(struct sbuf *b, const char *label, const cJSON *root, const char *path, int digits,
                const char *unit)
{
	sbuf_puts(b, "<tr><th>");
	sbuf_puts(b, label);
	sbuf_puts(b, "</th><td>");
	num(b, root, path, digits);
	if (unit && cJSON_IsNumber(get(root, path)))
		sbuf_printf(b, " %s", unit);
	sbuf_puts(b, "</td></tr>\n");
}

static const char *T(bool zh, const char *en, const char *z)
{
	return zh ? z : en;
}

/* The printable page of one report, from its stored body. */
static char *report_html(const struct rx_report_row *r, const char *body, bool zh)
{
	cJSON *j = cJSON_Parse(body);
	if (!j)
		return NULL;
	struct sbuf b = {0};
	sbuf_printf(&b, "<!doctype html><html lang=\"%s\"><meta charset=\"utf-8\">",
	            zh ? "zh-CN" : "en");
	sbuf_puts(&b, "<title>");
	sbuf_put_html(&b, r->site_name);
	sbuf_printf(
	        &b,
	        " %s</title><link rel=\"stylesheet\" href=\"/style.css\"><body class=\"print\">",
	        r->period);
	if (!r->complete)
		sbuf_printf(&b, "<p class=\"banner\">%s</p>",
		            T(zh, "INCOMPLETE: not final figures", "不完整：非最终数据"));
	sbuf_printf(&b, "<h1>%s: ", T(zh, "Data-centre energy report", "数据中心能效报告"));
	sbuf_put_html(&b, r->site_name);
	sbuf_puts(&b, " (");
	sbuf_put_html(&b, r->site);
	sbuf_printf(&b, ")</h1><p>%s %s · %s ", T(zh, "Period", "报告期"), r->period,
	            strcmp(r->kind, "annual") == 0 ? T(zh, "annual", "年度")
	                                           : T(zh, "monthly", "月度"));
	sbuf_put_html(&b, get(j, "site.timezone") ? get(j, "site.timezone")->valuestring : "");
	sbuf_puts(&b, "</p><p class=\"label\">");
	if (r->pue_label[0])
		sbuf_put_html(&b, r->pue_label);
	else
		sbuf_puts(&b, T(zh, "PUE not publishable", "PUE 不可发布"));
	sbuf_puts(&b, "</p>");
	sbuf_puts(&b, "<table class=\"kv\">");
	row(&b, "PUE", j, "kpi.pue", 3, NULL);
	sbuf_printf(&b, "<tr><th>%s</th><td>", T(zh, "Category", "类别"));
	sbuf_put_html(&b, get(j, "energy.category_text")
	                          ? get(j, "energy.category_text")->valuestring
	                          : "");
	sbuf_puts(&b, "</td></tr>");
	row(&b, T(zh, "Coverage", "数据覆盖率"), j, "coverage", 3, NULL);
	row(&b, T(zh, "GB 40879 grade", "GB 40879 能效等级"), j,
	    get(j, "gb40879.grade") && cJSON_IsNumber(get(j, "gb40879.grade"))
	            ? "gb40879.grade"
	            : "gb40879.indicative_grade",
	    0, NULL);
	row(&b, "E_DC", j, "energy.e_dc_kwh", 1, "kWh");
	row(&b, "E_IT", j, "energy.e_it_kwh", 1, "kWh");
	row(&b, "DCiE", j, "kpi.dcie", 1, "%");
	row(&b, T(zh, "pPUE cooling", "制冷 pPUE"), j, "kpi.ppue_cooling", 3, NULL);
	row(&b, "WUE", j, "kpi.wue", 3, "L/kWh");
	row(&b, "CUE", j, "kpi.cue", 3, "kgCO2/kWh");
	row(&b, "ERF", j, "kpi.erf", 3, NULL);
	row(&b, "REF", j, "kpi.ref", 3, NULL);
	row(&b, T(zh, "Free-cooling hours", "自然冷却小时数"), j, "free_cooling.hours_any", 1, "h");
	sbuf_printf(&b, "<tr><th>%s</th><td class=\"sig-%s\">%s</td></tr>",
	            T(zh, "Document signature", "文件签名"), r->sig_status, r->sig_status);
	char t[32];
	time_format_utc(r->received_ms, t, sizeof(t));
	sbuf_printf(&b, "<tr><th>%s</th><td>%s</td></tr></table>", T(zh, "Received", "接收时间"),
	            t);
	sbuf_printf(&b,
	            "<p><a href=\"/api/v1/reports/%lld.json\">JSON</a> · "
	            "<a href=\"?lang=%s\">%s</a></p></body></html>\n",
	            (long long)r->seq, zh ? "en" : "zh", zh ? "English" : "中文");
	cJSON_Delete(j);
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

static int get_report_html(struct rx_app *a, struct MHD_Connection *c, const char *url)
{
	char *end;
	long long seq = strtoll(url, &end, 10);
	if (end == url || strcmp(end, ".html") != 0)
		return rx_reply_text(c, 404, "not found\n");
	const char *lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
	struct rx_report_row row;
	char *body = NULL, *html = NULL;
	size_t len;
	int rc = rx_store_report(a->store, seq, &row, &body, &len);
	if (rc < 0)
		return rx_reply_text(c, rc == -ENOENT ? 404 : 500,
		                     rc == -ENOENT ? "no such report\n" : "cannot read\n");
	html = report_html(&row, body, !(lang && strcmp(lang, "en") == 0));
	free(body);
	if (!html)
		return rx_reply_text(c, 500, "cannot render\n");
	rc = rx_reply(c, 200, "text/html; charset=utf-8", html, strlen(html), NULL);
	free(html);
	return rc;
}

int web_get(struct rx_app *a, struct MHD_Connection *c, const char *url)
{
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0 ||
	    strcmp(url, "/sites.html") == 0)
		return rx_reply(c, 200, "text/html; charset=utf-8", web_index_html,
		                strlen(web_index_html), NULL);
	if (strcmp(url, "/app.js") == 0)
		return rx_reply(c, 200, "text/javascript; charset=utf-8", web_app_js,
		                strlen(web_app_js), NULL);
	if (strcmp(url, "/style.css") == 0)
		return rx_reply(c, 200, "text/css; charset=utf-8", web_style_css,
		                strlen(web_style_css), NULL);
	if (strncmp(url, "/reports/", 9) == 0)
		return get_report_html(a, c, url + 9);
	return rx_reply_text(c, 404, "not found\n");
}

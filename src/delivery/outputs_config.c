/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of the `outputs:` section (outputs.h). URLs must be http(s); https is expected for
 * anything but 127.0.0.1/localhost, and TLS verification cannot be turned off (there is no key
 * for it). The secret files (signing keys, chat URLs, mTLS client keys) are listed for the
 * secrets check (outputs_config_secrets), which `greendc check-config` and the daemon run.
 */
#include "delivery/outputs.h"

#include "analytics/energy.h"
#include "config/config.h"
#include "config/config_yaml.h"
#include "delivery/regulator_config.h"
#include "delivery/whsign.h"
#include "store/outbox.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *outputs_kind_name(enum out_kind k)
{
	switch (k) {
	case OUT_ALERT:
		return "alert";
	case OUT_SUMMARY:
		return "summary";
	case OUT_REPORT:
		return "report";
	}
	return NULL;
}

const struct out_target *outputs_target(const struct outputs *o, const char *stream)
{
	if (!o || !stream)
		return NULL;
	size_t l = strcspn(stream, "/");
	for (size_t i = 0; i < o->nreport; i++)
		if (strlen(o->report[i].name) == l && strncmp(o->report[i].name, stream, l) == 0)
			return &o->report[i];
	return NULL;
}

struct pctx {
	struct config *cfg;
	struct outputs *o;
	struct out_target *t;
	struct reg_target *reg; /* regulator targets: their own keys */
};

static const char *want_path(struct ydoc *y, struct config *cfg, yaml_node_t *v, const char *path)
{
	const char *s = ywant_string(y, v, path);
	if (!s || s[0] == '/' || !cfg->dir)
		return s;
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s/%s", cfg->dir, s);
	return config_arena_strdup(y->arena, buf);
}

static void rate_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct out_target *t = ctx;
	long long n;
	(void)knode;
	if (strcmp(key, "messages") == 0) {
		if (ywant_int(y, v, path, 1, 100000, &n))
			t->rate_messages = (long)n;
	} else {
		ywant_duration(y, v, path, 100, &t->rate_per_ms);
	}
}

static void basic_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                       yaml_node_t *knode, yaml_node_t *v)
{
	struct pctx *c = ctx;
	(void)knode;
	if (strcmp(key, "username") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && (!*s || strchr(s, ':')))
			yerr(y, v, path, "expected a user name without ':'");
		else
			c->t->basic_user = s;
	} else {
		c->t->basic_password_file = want_path(y, c->cfg, v, path);
	}
}

static void target_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct pctx *c = ctx;
	struct out_target *t = c->t;
	long long n;
	(void)knode;
	if (c->reg && regulator_config_pair(y, c->cfg, c->reg, path, key, v))
		return;
	if (strcmp(key, "name") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && (!config_name_ok(s, "_-") || strlen(s) > 32))
			yerr(y, v, path, "expected a short name of letters, digits, '_' and '-'");
		else
			t->name = s;
	} else if (strcmp(key, "url") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
			yerr(y, v, path, "expected an http:// or https:// URL");
		else
			t->url = s;
	} else if (strcmp(key, "secret_file") == 0) {
		t->secret_file = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "ca_file") == 0) {
		t->ca_file = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "client_cert") == 0) {
		t->client_cert = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "client_key") == 0) {
		t->client_key = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "connect_timeout") == 0) {
		ywant_duration(y, v, path, 100, &t->connect_timeout_ms);
	} else if (strcmp(key, "timeout") == 0) {
		ywant_duration(y, v, path, 100, &t->timeout_ms);
	} else if (strcmp(key, "backoff_min") == 0) {
		ywant_duration(y, v, path, 10, &t->backoff_min_ms);
	} else if (strcmp(key, "backoff_max") == 0) {
		ywant_duration(y, v, path, 10, &t->backoff_max_ms);
	} else if (strcmp(key, "retry_after_max") == 0) {
		ywant_duration(y, v, path, 10, &t->retry_after_max_ms);
	} else if (strcmp(key, "site_header") == 0) {
		ywant_bool(y, v, path, &t->site_header);
	} else if (strcmp(key, "resend") == 0) {
		ywant_duration(y, v, path, 1000, &t->resend_ms);
	} else if (strcmp(key, "url_file") == 0) {
		t->url_file = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "coalesce") == 0) {
		ywant_duration(y, v, path, 0, &t->coalesce_ms);
	} else if (strcmp(key, "kind") == 0) {
		static const char *const kinds[] = {"dingtalk", "wecom", "feishu", "slack",
		                                    "webhook"};
		const char *s = ywant_string(y, v, path);
		int k = -1;
		for (int i = 0; s && i < 5; i++)
			if (strcmp(s, kinds[i]) == 0)
				k = i;
		if (s && k < 0)
			yerr(y, v, path, "expected dingtalk, wecom, feishu, slack or webhook");
		else if (s)
			t->chat = (enum out_chat)k;
	} else if (strcmp(key, "rate_limit") == 0) {
		static const char *const rate_keys[] = {"messages", "per", NULL};
		if (v->type != YAML_MAPPING_NODE) {
			yerr(y, v, path, "expected {messages: N, per: DURATION}");
			return;
		}
		ymap_walk(y, v, path, rate_keys, rate_pair, t);
	} else if (strcmp(key, "bearer_token_file") == 0) {
		t->bearer_token_file = want_path(y, c->cfg, v, path);
	} else if (strcmp(key, "basic_auth") == 0) {
		static const char *const basic_keys[] = {"username", "password_file", NULL};
		ymap_walk(y, v, path, basic_keys, basic_pair, c);
		if (!t->basic_user || !t->basic_password_file)
			yerr(y, v, path, "expected {username: NAME, password_file: PATH}");
	} else if (strcmp(key, "instance") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && strlen(s) > 128)
			yerr(y, v, path, "at most 128 bytes");
		else if (s)
			t->instance = s;
	} else if (strcmp(key, "max_samples_per_send") == 0) {
		/* 50,000 samples stay far below the outbox's 4 MiB per item once compressed */
		if (ywant_int(y, v, path, 1, 50000, &n))
			t->max_samples = (long)n;
	} else if (strcmp(key, "max_bytes") == 0) {
		if (ywant_int(y, v, path, 65536, 1LL << 40, &n))
			t->stream_max_bytes = n;
	} else if (strcmp(key, "max_items") == 0) {
		if (ywant_int(y, v, path, 10, 100000000, &n))
			t->stream_max_items = n;
	} else if (strcmp(key, "streams") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of alert, summary, report; got %s",
			     ynode_kind(v));
			return;
		}
		t->kinds = 0;
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     i < v->data.sequence.items.top; i++) {
			yaml_node_t *e = ynode(y, *i);
			const char *s = yscalar(e);
			unsigned k = 0;
			for (unsigned b = OUT_ALERT; b <= OUT_REPORT; b <<= 1)
				if (s && strcmp(s, outputs_kind_name((enum out_kind)b)) == 0)
					k = b;
			if (!k)
				yerr(y, e, path, "expected alert, summary or report");
			t->kinds |= k;
		}
	}
}

static void parse_target(struct ydoc *y, struct pctx *c, yaml_node_t *n, const char *path,
                         enum out_type type)
{
	static const char *const report_keys[] = {
	        "name",        "url",         "secret_file", "ca_file",
	        "client_cert", "client_key",  "streams",     "connect_timeout",
	        "timeout",     "backoff_min", "backoff_max", "retry_after_max",
	        "site_header", NULL};
	static const char *const chat_keys[] = {
	        "name",    "kind",        "url_file",    "secret_file",
	        "ca_file", "coalesce",    "rate_limit",  "connect_timeout",
	        "timeout", "backoff_min", "backoff_max", "retry_after_max",
	        NULL};
	static const char *const am_keys[] = {"name",
	                                      "url",
	                                      "ca_file",
	                                      "client_cert",
	                                      "client_key",
	                                      "connect_timeout",
	                                      "timeout",
	                                      "backoff_min",
	                                      "backoff_max",
	                                      "resend",
	                                      "retry_after_max",
	                                      NULL};
	static const char *const rw_keys[] = {"name",
	                                      "url",
	                                      "ca_file",
	                                      "client_cert",
	                                      "client_key",
	                                      "bearer_token_file",
	                                      "basic_auth",
	                                      "instance",
	                                      "max_samples_per_send",
	                                      "max_bytes",
	                                      "max_items",
	                                      "connect_timeout",
	                                      "timeout",
	                                      "backoff_min",
	                                      "backoff_max",
	                                      "retry_after_max",
	                                      NULL};
	static const char *const reg_keys[] = {"name",
	                                       "url",
	                                       "ca_file",
	                                       "client_cert",
	                                       "client_key",
	                                       "bearer_token_file",
	                                       "basic_auth",
	                                       "template",
	                                       "site_code",
	                                       "cycles",
	                                       "energy_types",
	                                       "ack",
	                                       "quality",
	                                       "delay",
	                                       "start",
	                                       "catch_up",
	                                       "history",
	                                       "connect_timeout",
	                                       "timeout",
	                                       "backoff_min",
	                                       "backoff_max",
	                                       "retry_after_max",
	                                       NULL};
	if (c->o->nreport >= OUTPUTS_MAX_TARGETS) {
		yerr(y, n, path, "at most %d targets in all", OUTPUTS_MAX_TARGETS);
		return;
	}
	struct out_target *t = &c->o->report[c->o->nreport];
	*t = (struct out_target){.kinds = OUT_ALERT | OUT_SUMMARY | OUT_REPORT,
	                         .connect_timeout_ms = 5000,
	                         .timeout_ms = 30000,
	                         .backoff_min_ms = 1000,
	                         .backoff_max_ms = 300000,
	                         .retry_after_max_ms = 3600000,
	                         .resend_ms = 60000,
	                         .type = type,
	                         .file = y->file,
	                         .line = yline(n)};
	if (type == OUT_T_ALERTMANAGER) {
		t->kinds = OUT_ALERT;
		t->backoff_max_ms = 30000; /* re-sends come every `resend` anyway */
	}
	if (type == OUT_T_CHAT) {
		t->kinds = OUT_ALERT;
		t->coalesce_ms = 10000;
		t->backoff_max_ms = 60000;
	}
	c->reg = NULL;
	if (type == OUT_T_REMOTE_WRITE) {
		char host[129] = "";
		/* Prometheus's own remote-write retries from 30 ms up to 5 s; an outage of a
		 * minute then costs at most 30 s of extra delay once the receiver is back. */
		t->kinds = 0;
		t->backoff_min_ms = 500;
		t->backoff_max_ms = 30000;
		t->max_samples = 5000;
		t->stream_max_bytes = 64LL << 20;
		t->stream_max_items = 20000;
		if (gethostname(host, sizeof(host) - 1) != 0)
			host[0] = '\0';
		t->instance = config_arena_strdup(y->arena, host);
	}
	if (type == OUT_T_REGULATOR) {
		t->kinds = 0;
		t->backoff_min_ms = 5000;
		c->reg = config_arena_alloc(y->arena, sizeof(*c->reg));
		regulator_config_defaults(c->reg);
		t->reg = c->reg;
	}
	c->t = t;
	const char *const *keys = type == OUT_T_ALERTMANAGER   ? am_keys
	                          : type == OUT_T_CHAT         ? chat_keys
	                          : type == OUT_T_REMOTE_WRITE ? rw_keys
	                          : type == OUT_T_REGULATOR    ? reg_keys
	                                                       : report_keys;
	if (!ymap_walk(y, n, path, keys, target_pair, c))
		return;
	if (type == OUT_T_CHAT) {
		/* DOMAIN.md §8: DingTalk and WeCom 20 messages a minute, Slack ~1 a second;
		 * WeCom text <= 2048 bytes, Feishu body <= 20 KB. */
		static const long msgs[] = {20, 20, 20, 60, 60};
		static const size_t text[] = {18000, 2000, 18000, 3500, 60000};
		if (!t->rate_messages)
			t->rate_messages = msgs[t->chat];
		if (!t->rate_per_ms)
			t->rate_per_ms = 60000;
		t->max_text = text[t->chat];
		if (!t->name || !t->url_file) {
			yerr(y, n, path,
			     "a chat robot needs name and url_file (the URL carries "
			     "its token, so it lives in a secrets file)");
			return;
		}
		if ((t->chat == CHAT_DINGTALK || t->chat == CHAT_FEISHU) && !t->secret_file)
			yerr(y, n, path, "%s: signed robots need secret_file", t->name);
		for (size_t i = 0; i < c->o->nreport; i++)
			if (strcmp(c->o->report[i].name, t->name) == 0)
				yerr(y, n, path, "target name \"%s\" used twice", t->name);
		c->o->nreport++;
		return;
	}
	if (!t->name || !t->url) {
		yerr(y, n, path, "a %s target needs name and url",
		     type == OUT_T_REMOTE_WRITE ? "remote_write"
		     : type == OUT_T_REGULATOR  ? "regulator"
		                                : "report");
		return;
	}
	if (!t->secret_file && type == OUT_T_REPORT)
		yerr(y, n, path, "%s: secret_file is required (Standard Webhooks signing)",
		     t->name);
	if (t->backoff_max_ms < t->backoff_min_ms)
		yerr(y, n, path, "%s: backoff_max is below backoff_min", t->name);
	if ((t->client_cert == NULL) != (t->client_key == NULL))
		yerr(y, n, path, "%s: client_cert and client_key go together", t->name);
	if (t->bearer_token_file && t->basic_user)
		yerr(y, n, path, "%s: bearer_token_file or basic_auth, not both", t->name);
	if (type == OUT_T_REGULATOR)
		regulator_config_finish(y, n, path, t->name, c->reg);
	for (size_t i = 0; i < c->o->nreport; i++)
		if (strcmp(c->o->report[i].name, t->name) == 0)
			yerr(y, n, path, "target name \"%s\" used twice", t->name);
	c->o->nreport++;
}

static void outputs_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	struct pctx *c = ctx;
	long long n;
	(void)knode;
	if (strcmp(key, "outbox_max_items") == 0) {
		if (ywant_int(y, v, path, 1, 100000000, &n))
			c->o->outbox_max_items = n;
	} else if (strcmp(key, "outbox_max_bytes") == 0) {
		if (ywant_int(y, v, path, 4096, 1LL << 40, &n))
			c->o->outbox_max_bytes = n;
	} else if (strcmp(key, "summary_interval") == 0) {
		/* Summary periods are aligned to site midnight (summary_period): shorter than a
		 * day, or whole days. */
		int64_t *iv = &c->o->summary_interval_ms;
		if (ywant_duration(y, v, path, 0, iv) && *iv > 86400000 && *iv % 86400000)
			yerr(y, v, path, "a summary interval is shorter than a day or whole days");
	} else {
		/* a list of targets: report, alertmanager, chat, remote_write, regulator */
		enum out_type type = strcmp(key, "report") == 0         ? OUT_T_REPORT
		                     : strcmp(key, "chat") == 0         ? OUT_T_CHAT
		                     : strcmp(key, "remote_write") == 0 ? OUT_T_REMOTE_WRITE
		                     : strcmp(key, "regulator") == 0    ? OUT_T_REGULATOR
		                                                        : OUT_T_ALERTMANAGER;
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of targets; got %s", ynode_kind(v));
			return;
		}
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     i < v->data.sequence.items.top; i++)
			parse_target(y, c, ynode(y, *i), path, type);
	}
}

void outputs_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {
	        "outbox_max_items", "outbox_max_bytes", "summary_interval",
	        "report",           "alertmanager",     "chat",
	        "remote_write",     "regulator",        NULL};
	struct outputs *o = config_arena_alloc(y->arena, sizeof(*o));
	struct pctx c = {.cfg = cfg, .o = o};
	o->summary_interval_ms = 3600000;
	if (!ymap_walk(y, node, path, keys, outputs_pair, &c))
		return;
	cfg->outputs = o;
}

void outputs_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct outputs *o = cfg->outputs;
	int64_t items = 0, bytes = 0;
	const struct out_target *first = NULL;
	for (size_t i = 0; o && i < o->nreport; i++) {
		const struct out_target *t = &o->report[i];
		if (t->type == OUT_T_REGULATOR && (!cfg->energy || !cfg->energy->present))
			config_diag_add(diag, t->file, t->line,
			                "outputs.regulator: %s: its figures come from the energy "
			                "model; the config has no energy: section",
			                t->name);
		if (t->site_header && !cfg->site.id)
			config_diag_add(diag, t->file, t->line,
			                "outputs.report: %s: site_header needs site.id (the header "
			                "names the site to the receiver)",
			                t->name);
		if (t->type != OUT_T_REMOTE_WRITE)
			continue;
		first = first ? first : t;
		items += t->stream_max_items;
		bytes += t->stream_max_bytes;
	}
	if (!first)
		return;
	/* A remote-write stream drops its own oldest requests at its bounds; the outbox's
	 * own bounds drop the oldest of ANY stream (alerts, reports). Keep half of the outbox
	 * for the others. */
	int64_t oi = o->outbox_max_items > 0 ? o->outbox_max_items : OUTBOX_DEFAULT_MAX_ITEMS;
	int64_t ob = o->outbox_max_bytes > 0 ? o->outbox_max_bytes : OUTBOX_DEFAULT_MAX_BYTES;
	if (items > oi / 2 || bytes > ob / 2)
		config_diag_add(
		        diag, first->file, first->line,
		        "outputs.remote_write: max_items (%lld in all) and max_bytes (%lld) "
		        "must stay within half of outputs.outbox_max_items (%lld) and "
		        "outbox_max_bytes (%lld), so samples never push alerts and reports "
		        "out of the outbox",
		        (long long)items, (long long)bytes, (long long)oi, (long long)ob);
}

static const char *whsec_ok(const char *text, char *buf, size_t len)
{
	uint8_t key[WHSIGN_MAX_KEY];
	if (whsign_secret_key(text, key, sizeof(key)) > 0)
		return NULL;
	snprintf(buf, len, "not a usable signing key (whsec_<base64>)");
	return buf;
}

static const char *url_ok(const char *text, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (strncmp(text, "https://", 8) == 0 || strncmp(text, "http://", 7) == 0)
		return NULL;
	return "the first line is not an http:// or https:// URL";
}

void outputs_config_secrets(const struct config *cfg,
                            void (*found)(void *ctx, const struct config_secret *s), void *ctx)
{
	const struct outputs *o = cfg->outputs;
	char key[96];
	for (size_t i = 0; o && i < o->nreport; i++) {
		const struct out_target *t = &o->report[i];
		struct config_secret s = {.key = key, .file = t->file, .line = t->line};
		if (t->secret_file) {
			snprintf(key, sizeof(key), "outputs.%s.secret_file", t->name);
			s.path = t->secret_file;
			/* What the pusher's buffers hold (pusher.c). */
			s.max_bytes = t->type == OUT_T_REPORT ? 511 : 255;
			s.first_line = true;
			s.content_ok = t->type == OUT_T_REPORT ? whsec_ok : NULL;
			found(ctx, &s);
		}
		if (t->url_file) {
			snprintf(key, sizeof(key), "outputs.%s.url_file", t->name);
			s.path = t->url_file;
			s.max_bytes = 1023;
			s.first_line = true;
			s.content_ok = url_ok;
			found(ctx, &s);
		}
		if (t->bearer_token_file || t->basic_password_file) {
			snprintf(key, sizeof(key), "outputs.%s.%s", t->name,
			         t->bearer_token_file ? "bearer_token_file"
			                              : "basic_auth.password_file");
			s.path = t->bearer_token_file ? t->bearer_token_file
			                              : t->basic_password_file;
			s.max_bytes = 4095; /* what the pusher's buffer holds (pusher.c) */
			s.first_line = true;
			s.content_ok = NULL;
			found(ctx, &s);
		}
		if (t->client_key) {
			snprintf(key, sizeof(key), "outputs.%s.client_key", t->name);
			s.path = t->client_key;
			s.max_bytes = 65535;
			s.first_line = false;
			s.content_ok = NULL;
			found(ctx, &s);
		}
	}
}

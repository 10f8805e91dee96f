/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `outputs:` config section: where things that leave the site go (report endpoints that
 * take Standard Webhooks-signed JSON), how the outbox is bounded, and how often the daemon
 * writes a summary. Parsed by outputs_config.c; delivered by pusher.c. See docs/alerts.md.
 *
 *   outputs:
 *     outbox_max_items: 100000
 *     outbox_max_bytes: 268435456
 *     summary_interval: 1h            # 0s = no summaries
 *     report:
 *       - name: central               # stream prefix: central/alert, central/summary, ...
 *         url: https://central.example/api/v1/ingest
 *         secret_file: secrets/central.key   # "whsec_<base64>"; mode 0600 or 0400
 *         ca_file: /etc/greendc/ca.pem        # private CA (optional)
 *         client_cert: ...  client_key: ...   # mutual TLS (optional)
 *         streams: [alert, summary, report]
 *         connect_timeout: 5s
 *         timeout: 30s
 *         backoff_min: 1s
 *         backoff_max: 5m
 *     chat:
 *       - {name: ops, kind: dingtalk, url_file: secrets/ops.url, secret_file: secrets/ops.sec,
 *          coalesce: 10s, rate_limit: {messages: 20, per: 1m}}
 *     alertmanager:
 *       - {name: am, url: "http://127.0.0.1:9093", resend: 1m}   # + ca_file, client_cert ...
 *     remote_write:                   # every stored sample as it commits (remote_write.h)
 *       - {name: prom, url: "https://prom.example/api/v1/write",
 *          bearer_token_file: secrets/prom.token, instance: ty-dc1-gw,
 *          max_samples_per_send: 5000, max_bytes: 67108864, max_items: 20000}
 *     regulator:                      # upload cycles to a regulator's platform (regulator.h)
 *       - {name: prov, url: "https://...", template: regulator/example.json,
 *          site_code: "1401000001", cycles: [15m, 1d, 1mo],
 *          energy_types: [{code: "01", figure: e_dc_kwh}, ...], ack: {field: code, equals: "0"}}
 */
#ifndef GREENDC_OUTPUTS_H
#define GREENDC_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTPUTS_MAX_TARGETS 16

/* What a target speaks. */
enum out_type {
	OUT_T_REPORT,       /* our report endpoint: JSON items signed per Standard Webhooks */
	OUT_T_ALERTMANAGER, /* Alertmanager API v2: POST /api/v2/alerts, alerts only */
	OUT_T_CHAT,         /* a chat robot: alerts coalesced into text messages */
	OUT_T_REMOTE_WRITE, /* Prometheus remote-write 1.0: every stored sample (remote_write.h) */
	OUT_T_REGULATOR,    /* a regulator's platform: uploads per cycle (regulator.h) */
};

enum out_chat { CHAT_DINGTALK, CHAT_WECOM, CHAT_FEISHU, CHAT_SLACK, CHAT_WEBHOOK };

/* Kinds of item a target can subscribe to. */
enum out_kind { OUT_ALERT = 1, OUT_SUMMARY = 2, OUT_REPORT = 4 };

struct out_target {
	enum out_type type;
	const char *name; /* [a-z0-9_-] */
	const char *url;
	const char *secret_file; /* resolved */
	const char *ca_file;     /* NULL = system CAs */
	const char *client_cert, *client_key;
	unsigned kinds; /* enum out_kind bits */
	int64_t connect_timeout_ms, timeout_ms;
	int64_t backoff_min_ms, backoff_max_ms;
	int64_t retry_after_max_ms; /* a server's Retry-After is honoured up to this (1 h) */
	int64_t resend_ms;          /* alertmanager: re-send firing alerts this often */
	bool site_header; /* report: send greendc-site: <site.id> (per-site receiver credentials) */
	/* chat robots: the URL (it carries the token) is read from url_file, never configured
	 * inline, so it cannot reach a log line or `check-config` output */
	enum out_chat chat;
	const char *url_file;
	int64_t coalesce_ms; /* wait this long after the oldest alert to batch newer ones */
	long rate_messages;  /* at most this many messages ... */
	int64_t rate_per_ms; /* ... per this window (DingTalk/WeCom 20 per minute) */
	size_t max_text;     /* bytes of one message's text */
	/* remote_write and regulator: HTTP authentication, each secret read from its own file
	 * (core/secretfile.h): a bearer token, or basic auth (user inline, password in a file) */
	const char *bearer_token_file;
	const char *basic_user, *basic_password_file;
	/* remote_write */
	const char *instance; /* the `instance` label of every series; "" = none */
	long max_samples;     /* samples per request */
	int64_t stream_max_items, stream_max_bytes; /* its stream's own outbox bounds */
	/* regulator: what to upload and when (regulator.h); borrowed from the config */
	const struct reg_target *reg;
	const char *file;
	int line;
};

struct outputs {
	int64_t outbox_max_items, outbox_max_bytes;    /* 0 = defaults (outbox.h) */
	int64_t summary_interval_ms;                   /* 0 = off */
	struct out_target report[OUTPUTS_MAX_TARGETS]; /* every target, report: and alertmanager: */
	size_t nreport;
};

/* "alert", "summary", "report". */
const char *outputs_kind_name(enum out_kind k);

/* The stream of a regulator target's uploads: "<name>/regulator". */
#define REGULATOR_STREAM_SUFFIX "/regulator"

/* The target a stream "<target>/<kind>" belongs to, or NULL. */
const struct out_target *outputs_target(const struct outputs *o, const char *stream);

struct ydoc;
struct config;
struct config_diag;
/* The config_sections[] entry points. */
void outputs_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void outputs_config_validate(const struct config *cfg, struct config_diag *diag);
struct config_secret;
/* Every target's secret_file, url_file and client_key, for config_secrets_check. */
void outputs_config_secrets(const struct config *cfg,
                            void (*found)(void *ctx, const struct config_secret *s), void *ctx);

#endif

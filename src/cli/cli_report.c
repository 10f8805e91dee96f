/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc report`: build a regulator report and write it as JSON, CSV, HTML or PDF (or all
 * of them with --out-dir), sign it when reporting.signing_key is set, and with --enqueue
 * store it and queue it for every report target; `greendc report verify` checks a report's
 * detached signature; `greendc report keygen` makes a signing key pair. See report.h,
 * report_sign.h and docs/reports.md.
 *
 * --enqueue stores the report row and one outbox item per report target in one transaction
 * (store_report_enqueue, on the CLI's own write connection: the daemon's writer waits on
 * SQLite's lock, not the other way round). The item's payload is the report's canonical bytes
 * and it carries their signature, which the pusher sends as a header. The idempotency key is
 * the report's content key (report_content_key: its figures, not when it was generated), so
 * running twice over unchanged data queues nothing new, while a report changed by late data
 * goes out as a new revision.
 */
#include "cli/cli_report.h"

#include "config/config.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "delivery/report_sign.h"
#include "store/outbox.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPORT_FILE_MAX (64 << 20) /* a report JSON to verify */

struct opts {
	const char *month, *year, *fmt, *lang, *output, *sigout, *outdir;
	bool enq, require, nosign;
};

/* What one run produced: the report, its canonical bytes and their signature. */
struct built {
	cJSON *rep;
	char *canon;
	size_t len;
	char sig[REPORT_SIG_LEN]; /* "" when unsigned */
	char key[200];            /* content key = idempotency key */
};

/* Write n bytes to path (0644 under the CLI's umask), or to stdout when path is NULL. */
static int write_out(const char *path, const void *data, size_t n)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	bool ok = f && fwrite(data, 1, n, f) == n;
	if (path && f)
		ok = fclose(f) == 0 && ok;
	else if (f)
		ok = fflush(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "greendc report: %s: cannot write: %s\n", path ? path : "stdout",
		        strerror(errno));
	return ok ? 0 : 1;
}

static int enqueue(const struct config *cfg, const char *dbpath, const struct built *b)
{
	const cJSON *rep = b->rep;
	const cJSON *per = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "period"), "label");
	const char *kind = cJSON_GetObjectItem(rep, "kind")->valuestring;
	const char *streams[OUTPUTS_MAX_TARGETS];
	char names[OUTPUTS_MAX_TARGETS][OUTBOX_STREAM_MAX];
	size_t ns = 0;
	for (size_t i = 0; cfg->outputs && i < cfg->outputs->nreport && ns < OUTPUTS_MAX_TARGETS;
	     i++) {
		if (!(cfg->outputs->report[i].kinds & OUT_REPORT))
			continue;
		snprintf(names[ns], sizeof(names[ns]), "%s/report", cfg->outputs->report[i].name);
		streams[ns] = names[ns];
		ns++;
	}
	struct store_report sr = {.kind = kind,
	                          .period = per->valuestring,
	                          .ikey = b->key,
	                          .generated_ms = util_wall_ms(),
	                          .complete = cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")),
	                          .json = b->canon,
	                          .signature = b->sig};
	char err[512];
	int rc = store_report_enqueue(
	        dbpath, &sr, streams, ns, cfg->outputs ? cfg->outputs->outbox_max_items : 0,
	        cfg->outputs ? cfg->outputs->outbox_max_bytes : 0, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "greendc report: cannot queue: %s\n", err);
		return 1;
	}
	if (rc == 1)
		fprintf(stderr, "greendc report: %s stored and queued for %zu target(s) as %s%s\n",
		        per->valuestring, ns, b->key, b->sig[0] ? " (signed)" : "");
	else
		fprintf(stderr, "greendc report: %s unchanged since it was queued (%s)\n",
		        per->valuestring, b->key);
	return 0;
}

/* One rendering of the report in fmt and lang: malloc'ed bytes, or NULL. */
static void *render(const struct built *b, const char *fmt, const char *lang, size_t *n)
{
	char *s = NULL;
	if (strcmp(fmt, "pdf") == 0)
		return report_pdf(b->rep, lang, n);
	if (strcmp(fmt, "json") == 0)
		s = strdup(b->canon);
	else if (strcmp(fmt, "csv") == 0)
		s = report_csv(b->rep);
	else
		s = report_html(b->rep, lang);
	if (s)
		*n = strlen(s);
	return s;
}

/* --out-dir: the whole set a regulator receives, named after the document: the JSON and its
 * signature, the PDF and HTML in both languages, the CSV. Paths on stdout. */
static int write_set(const struct built *b, const char *dir)
{
	static const struct {
		const char *suffix, *fmt, *lang;
	} set[] = {{".json", "json", "en"},    {"-zh.pdf", "pdf", "zh"},   {"-en.pdf", "pdf", "en"},
	           {"-zh.html", "html", "zh"}, {"-en.html", "html", "en"}, {".csv", "csv", "en"}};
	const cJSON *d = cJSON_GetObjectItem(b->rep, "document");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(d, "id"));
	int rev = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "revision"));
	char path[PATH_MAX];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "greendc report: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		size_t n = 0;
		void *data = render(b, set[i].fmt, set[i].lang, &n);
		snprintf(path, sizeof(path), "%s/%s-r%d%s", dir, id ? id : "report", rev,
		         set[i].suffix);
		int rc = data ? write_out(path, data, n) : 1;
		free(data);
		if (rc)
			return 1;
		puts(path);
		if (i == 0 && b->sig[0]) {
			char line[REPORT_SIG_LEN + 1];
			snprintf(path, sizeof(path), "%s/%s-r%d.json.sig", dir, id ? id : "report",
			         rev);
			snprintf(line, sizeof(line), "%s\n", b->sig);
			if (write_out(path, line, strlen(line)))
				return 1;
			puts(path);
		}
	}
	return 0;
}

/* Sign with reporting.signing_key (unless --no-sign), then fix the bytes. 0 or exit code. */
static int finish(const struct config *cfg, const struct opts *o, struct built *b)
{
	const struct report_site *rs = cfg->reporting;
	char err[512];
	struct report_key *k = NULL;
	if (rs && rs->signing_key && !o->nosign) {
		k = report_key_load_private(rs->signing_key, err, sizeof(err));
		if (!k) {
			fprintf(stderr, "greendc report: reporting.signing_key: %s\n", err);
			return 1;
		}
		if (report_sign_attach(b->rep, k) < 0) {
			report_key_free(k);
			return 1;
		}
	}
	report_content_key(b->rep, b->key, sizeof(b->key));
	b->canon = report_canonical(b->rep);
	b->len = b->canon ? strlen(b->canon) : 0;
	b->sig[0] = '\0';
	int rc = b->canon ? 0 : 1;
	if (rc == 0 && k && report_sign(k, b->canon, b->len, b->sig) < 0) {
		fprintf(stderr, "greendc report: cannot sign\n");
		rc = 1;
	}
	report_key_free(k);
	return rc;
}

static int output(const struct opts *o, const struct built *b)
{
	if (o->outdir)
		return write_set(b, o->outdir);
	if (strcmp(o->fmt, "pdf") == 0 && !o->output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "greendc report: a PDF goes to --output FILE (or a pipe)\n");
		return 2;
	}
	size_t n = 0;
	void *data = render(b, o->fmt, o->lang, &n);
	int rc = data ? write_out(o->output, data, n) : 1;
	free(data);
	/* The detached signature: asked for, or beside a JSON file. */
	char path[PATH_MAX];
	const char *sp = o->sigout;
	if (!sp && o->output && strcmp(o->fmt, "json") == 0 && b->sig[0]) {
		snprintf(path, sizeof(path), "%s.sig", o->output);
		sp = path;
	}
	if (rc == 0 && sp) {
		if (!b->sig[0]) {
			fprintf(stderr, "greendc report: --signature: the report is not signed "
			                "(reporting.signing_key)\n");
			return 1;
		}
		char line[REPORT_SIG_LEN + 1];
		snprintf(line, sizeof(line), "%s\n", b->sig);
		rc = write_out(sp, line, strlen(line));
	}
	return rc;
}

static void say_status(const cJSON *rep, const char *period)
{
	if (cJSON_IsTrue(cJSON_GetObjectItem(rep, "in_progress")))
		fprintf(stderr,
		        "greendc report: %s is IN PROGRESS (the period has not ended): INCOMPLETE, "
		        "its figures are not final\n",
		        period);
	else if (!cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")))
		fprintf(stderr,
		        "greendc report: %s is INCOMPLETE (coverage below the threshold); "
		        "see \"missing\"\n",
		        period);
	int nflags = cJSON_GetArraySize(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "quality"), "flags"));
	if (nflags)
		fprintf(stderr, "greendc report: %s: %d data-quality finding%s (quality.flags)\n",
		        period, nflags, nflags == 1 ? "" : "s");
}

static int build_main(const struct opts *o, const struct cli_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	if (!cfg || !ctx->db) {
		fprintf(stderr, "greendc report: needs a configuration (-c FILE)\n");
		return 1;
	}
	char period[16], err[512];
	int64_t now = util_wall_ms();
	if (o->month && strcmp(o->month, "previous") == 0)
		report_previous_month(now, period, sizeof(period));
	else if (o->year && strcmp(o->year, "previous") == 0)
		report_previous_year(now, period, sizeof(period));
	else
		snprintf(period, sizeof(period), "%s", o->month ? o->month : o->year);
	struct store_reader *r = store_reader_open(ctx->db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc report: %s\n", err);
		return 1;
	}
	struct built b = {0};
	int rc = report_build(cfg, r, period, now, &b.rep, err, sizeof(err));
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc report: %s\n", err);
		return rc == -EINVAL ? 2 : 1;
	}
	int ret = finish(cfg, o, &b);
	if (ret == 0)
		ret = output(o, &b);
	say_status(b.rep, period);
	if (ret == 0 && o->enq)
		ret = enqueue(cfg, ctx->db, &b);
	if (ret == 0 && o->require && !cJSON_IsTrue(cJSON_GetObjectItem(b.rep, "complete")))
		ret = 3;
	free(b.canon);
	cJSON_Delete(b.rep);
	return ret;
}

/* ---- verify and keygen ---- */

static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int verify_main(int argc, char **argv)
{
	static const struct option lo[] = {{"public-key", required_argument, NULL, 'p'},
	                                   {NULL, 0, NULL, 0}};
	const char *pub = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c != 'p')
			return 2;
		pub = optarg;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: greendc report verify FILE.json SIG [--public-key PUB]\n");
		return 2;
	}
	const char *jpath = argv[optind], *spath = argv[optind + 1];
	size_t n = 0, sn = 0;
	char err[512], *json = read_file(jpath, REPORT_FILE_MAX, &n);
	char *sig = json ? read_file(spath, 4096, &sn) : NULL;
	if (!json || !sig) {
		fprintf(stderr, "greendc report verify: %s: %s\n", json ? spath : jpath,
		        strerror(errno));
		free(json);
		return 1;
	}
	cJSON *rep = cJSON_ParseWithLength(json, n);
	const cJSON *sk = cJSON_GetObjectItem(rep, "signature_key");
	const char *embedded = cJSON_GetStringValue(cJSON_GetObjectItem(sk, "public_key"));
	const char *claimed = cJSON_GetStringValue(cJSON_GetObjectItem(sk, "fingerprint"));
	struct report_key *k = pub        ? report_key_load_public(pub, err, sizeof(err))
	                       : embedded ? report_key_from_pem(embedded, err, sizeof(err))
	                                  : NULL;
	if (!k && !pub && !embedded)
		snprintf(err, sizeof(err), "%s: no signature_key in the report; give --public-key",
		         jpath);
	int ret = 1;
	char fp[REPORT_FP_LEN], hex[65];
	if (k) {
		report_key_fingerprint(k, fp);
		report_digest_hex(json, n, hex);
		int rc = report_verify(k, json, n, sig);
		if (rc == 0 && !pub && claimed && strcmp(claimed, fp) != 0) {
			printf("%s: BAD: the embedded key's fingerprint is %s, the report claims "
			       "%s\n",
			       jpath, fp, claimed);
		} else if (rc == 0) {
			printf("%s: good signature by %s (%s)\nSHA-256 %s\n", jpath, fp,
			       pub ? pub
			           : "the key embedded in the report: compare its fingerprint "
			             "with the one the site published",
			       hex);
			ret = 0;
		} else {
			printf("%s: BAD signature (%s) for key %s\n", jpath,
			       rc == -EBADMSG ? "the report or the signature was altered"
			                      : "the signature file is not an Ed25519 signature",
			       fp);
		}
	} else {
		fprintf(stderr, "greendc report verify: %s\n", err);
	}
	report_key_free(k);
	cJSON_Delete(rep);
	free(sig);
	free(json);
	return ret;
}

static int keygen_main(int argc, char **argv)
{
	static const struct option lo[] = {{"out", required_argument, NULL, 'o'},
	                                   {NULL, 0, NULL, 0}};
	const char *out = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c != 'o')
			return 2;
		out = optarg;
	}
	if (!out || optind != argc) {
		fprintf(stderr, "usage: greendc report keygen --out FILE\n");
		return 2;
	}
	char err[512];
	if (report_key_generate(out, err, sizeof(err)) < 0) {
		fprintf(stderr, "greendc report keygen: %s\n", err);
		return 1;
	}
	struct report_key *k = report_key_load_private(out, err, sizeof(err));
	char fp[REPORT_FP_LEN] = "";
	if (k)
		report_key_fingerprint(k, fp);
	report_key_free(k);
	printf("%s (private, 0600)\n%s.pub (public)\nfingerprint %s\n", out, out, fp);
	return 0;
}

static int parse(int argc, char **argv, struct opts *o, const struct cli_ctx *ctx)
{
	static const struct option lo[] = {{"month", required_argument, NULL, 'm'},
	                                   {"year", required_argument, NULL, 'y'},
	                                   {"format", required_argument, NULL, 'f'},
	                                   {"lang", required_argument, NULL, 'l'},
	                                   {"output", required_argument, NULL, 'o'},
	                                   {"signature", required_argument, NULL, 's'},
	                                   {"out-dir", required_argument, NULL, 'd'},
	                                   {"enqueue", no_argument, NULL, 'e'},
	                                   {"require-complete", no_argument, NULL, 'r'},
	                                   {"no-sign", no_argument, NULL, 'n'},
	                                   {NULL, 0, NULL, 0}};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->month = optarg;
			break;
		case 'y':
			o->year = optarg;
			break;
		case 'f':
			o->fmt = optarg;
			break;
		case 'l':
			o->lang = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 's':
			o->sigout = optarg;
			break;
		case 'd':
			o->outdir = optarg;
			break;
		case 'e':
			o->enq = true;
			break;
		case 'r':
			o->require = true;
			break;
		case 'n':
			o->nosign = true;
			break;
		default:
			cli_help(ctx->cmd, stderr);
			return 2;
		}
	}
	if (!o->month == !o->year || optind < argc ||
	    (strcmp(o->fmt, "json") && strcmp(o->fmt, "csv") && strcmp(o->fmt, "html") &&
	     strcmp(o->fmt, "pdf")) ||
	    (strcmp(o->lang, "zh") && strcmp(o->lang, "en")) || (o->outdir && o->output)) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	return 0;
}

int cli_report_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return verify_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "keygen") == 0)
		return keygen_main(argc - 1, argv + 1);
	struct opts o = {.fmt = "json", .lang = "en"};
	int rc = parse(argc, argv, &o, ctx);
	if (rc)
		return rc;
	rc = build_main(&o, ctx);
	report_render_release(); /* the last rendering is done: nothing cached outlives it */
	return rc;
}

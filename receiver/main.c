/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendc-receiver's command line (man 8 greendc-receiver):
 *
 *   greendc-receiver [serve] --db SPEC --port N [options]     run the service
 *   greendc-receiver site add SITE (--secret-file F | --public-key F)... [--name N] [--region R]
 *   greendc-receiver site import FILE        many sites: SITE<TAB>KEY[<TAB>NAME[<TAB>REGION]]
 *   greendc-receiver site revoke SITE | site list
 *   greendc-receiver migrate                 bring the database schema up to date and exit
 *
 * Every subcommand takes --db SPEC (a SQLite file, or a libpq connection string) or
 * --db-file FILE (the same, read through the secret-file reader: a connection string may
 * carry a password).
 */
#include "league.h"
#include "rx.h"

#include "core/secretfile.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_PORT = 256,
	OPT_DB,
	OPT_DB_FILE,
	OPT_SECRET,
	OPT_PUBLIC,
	OPT_NAME,
	OPT_REGION,
	OPT_LISTEN,
	OPT_CERT,
	OPT_KEY,
	OPT_RLOG,
	OPT_TOL,
	OPT_WORKERS,
	OPT_MAXCONN,
	OPT_PERIP,
	OPT_IDLE,
	OPT_DEADLINE,
	OPT_MAXBODY,
	OPT_MAXBUF,
	OPT_DAY,
	OPT_TZ,
	OPT_429,
	OPT_RA,
	OPT_DOWN,
	OPT_DELAY,
};

static const struct option opts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"db", required_argument, NULL, OPT_DB},
        {"db-file", required_argument, NULL, OPT_DB_FILE},
        {"secret-file", required_argument, NULL, OPT_SECRET},
        {"public-key", required_argument, NULL, OPT_PUBLIC},
        {"name", required_argument, NULL, OPT_NAME},
        {"region", required_argument, NULL, OPT_REGION},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"tls-cert", required_argument, NULL, OPT_CERT},
        {"tls-key", required_argument, NULL, OPT_KEY},
        {"request-log", required_argument, NULL, OPT_RLOG},
        {"tolerance", required_argument, NULL, OPT_TOL},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"max-connections", required_argument, NULL, OPT_MAXCONN},
        {"max-connections-per-ip", required_argument, NULL, OPT_PERIP},
        {"idle-timeout", required_argument, NULL, OPT_IDLE},
        {"request-deadline", required_argument, NULL, OPT_DEADLINE},
        {"max-body", required_argument, NULL, OPT_MAXBODY},
        {"max-buffered", required_argument, NULL, OPT_MAXBUF},
        {"deadline-day", required_argument, NULL, OPT_DAY},
        {"timezone", required_argument, NULL, OPT_TZ},
        {"reply-429", required_argument, NULL, OPT_429},
        {"retry-after", required_argument, NULL, OPT_RA},
        {"down-file", required_argument, NULL, OPT_DOWN},
        {"delay-ms", required_argument, NULL, OPT_DELAY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct cli {
	struct rx_opts o;
	const char *db_file, *public_key, *name, *region, *tz;
	char db_buf[4096];
};

static void usage(FILE *f)
{
	fputs("usage: greendc-receiver [serve] --db SPEC|--db-file F --port N [--listen ADDR]\n"
	      "         [--tls-cert PEM --tls-key PEM] [--request-log FILE] [--secret-file F]\n"
	      "         [--tolerance S] [--workers N] [--max-connections N]\n"
	      "         [--max-connections-per-ip N] [--idle-timeout S] [--request-deadline S]\n"
	      "         [--max-body BYTES] [--max-buffered BYTES] [--deadline-day D]\n"
	      "         [--timezone ZONE]\n"
	      "       test options: [--reply-429 N [--retry-after S]] [--down-file F] [--delay-ms "
	      "MS]\n"
	      "       greendc-receiver site add SITE (--secret-file F | --public-key F)...\n"
	      "         [--name N] [--region R] --db SPEC\n"
	      "       greendc-receiver site import FILE --db SPEC\n"
	      "       greendc-receiver site revoke SITE --db SPEC\n"
	      "       greendc-receiver site list --db SPEC\n"
	      "       greendc-receiver migrate --db SPEC\n"
	      "See man 8 greendc-receiver.\n",
	      f);
}

static bool num(const char *s, long lo, long hi, long *out)
{
	long long v;
	if (!util_parse_int(s, &v) || v < lo || v > hi)
		return false;
	*out = (long)v;
	return true;
}

/* Parse the options into cli; 0, or 2 for a usage error. */
static int parse(int argc, char **argv, struct cli *c)
{
	int ch;
	long v;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool good = true;
		switch (ch) {
		case OPT_PORT:
			good = num(optarg, 1, 65535, &c->o.port);
			break;
		case OPT_DB:
			c->o.db = optarg;
			break;
		case OPT_DB_FILE:
			c->db_file = optarg;
			break;
		case OPT_SECRET:
			c->o.default_secret_file = optarg;
			break;
		case OPT_PUBLIC:
			c->public_key = optarg;
			break;
		case OPT_NAME:
			c->name = optarg;
			break;
		case OPT_REGION:
			c->region = optarg;
			break;
		case OPT_LISTEN:
			c->o.listen_addr = optarg;
			break;
		case OPT_CERT:
			c->o.tls_cert = optarg;
			break;
		case OPT_KEY:
			c->o.tls_key = optarg;
			break;
		case OPT_RLOG:
			c->o.request_log = optarg;
			break;
		case OPT_TOL:
			good = num(optarg, 1, 86400, &c->o.tolerance_s);
			break;
		case OPT_WORKERS:
			good = num(optarg, 1, 256, &v);
			c->o.workers = (unsigned)v;
			break;
		case OPT_MAXCONN:
			good = num(optarg, 1, 1000000, &v);
			c->o.max_connections = (unsigned)v;
			break;
		case OPT_PERIP:
			good = num(optarg, 0, 1000000, &v);
			c->o.max_per_ip = (unsigned)v;
			break;
		case OPT_IDLE:
			good = num(optarg, 1, 3600, &c->o.conn_timeout_s);
			break;
		case OPT_DEADLINE:
			good = num(optarg, 1, 3600, &c->o.request_deadline_s);
			break;
		case OPT_MAXBODY:
			good = num(optarg, 1024, 64L << 20, &v);
			c->o.max_body = (size_t)v;
			break;
		case OPT_MAXBUF:
			good = num(optarg, 1024, 1L << 34, &v);
			c->o.max_buffered = (size_t)v;
			break;
		case OPT_DAY:
			good = num(optarg, 1, 28, &v);
			c->o.deadline_day = (int)v;
			break;
		case OPT_TZ:
			c->tz = optarg;
			break;
		case OPT_429:
			good = num(optarg, 0, 1000000, &c->o.reply_429);
			break;
		case OPT_RA:
			good = num(optarg, 0, 86400, &c->o.retry_after);
			break;
		case OPT_DOWN:
			c->o.down_file = optarg;
			break;
		case OPT_DELAY:
			good = num(optarg, 0, 600000, &c->o.delay_ms);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			good = false;
		}
		if (!good) {
			if (ch != '?')
				fprintf(stderr,
				        "greendc-receiver: --%s %s: out of range or not a number\n",
				        opts[ch - OPT_PORT].name, optarg);
			usage(stderr);
			return 2;
		}
	}
	if (c->db_file) {
		char err[512];
		if (secretfile_read_line(c->db_file, c->db_buf, sizeof(c->db_buf), err,
		                         sizeof(err)) < 0) {
			fprintf(stderr, "greendc-receiver: %s\n", err);
			return 1;
		}
		c->o.db = c->db_buf;
	}
	if (!c->o.db) {
		fprintf(stderr, "greendc-receiver: --db or --db-file is required\n");
		return 2;
	}
	return 0;
}

static struct rx_store *open_store(const struct cli *c, unsigned pool)
{
	struct rx_store *s = NULL;
	char err[512];
	if (rx_store_open(c->o.db, pool, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "greendc-receiver: %s\n", err);
		return NULL;
	}
	return s;
}

/* Fill a site's credential from --secret-file and/or --public-key. */
static int read_cred(const char *secret_file, const char *public_key, struct rx_cred *cred)
{
	char buf[16384], err[512];
	memset(cred, 0, sizeof(*cred));
	if (!secret_file && !public_key) {
		fprintf(stderr, "greendc-receiver: site add needs --secret-file or --public-key\n");
		return 2;
	}
	if (secret_file &&
	    (secretfile_read_line(secret_file, buf, sizeof(buf), err, sizeof(err)) < 0 ||
	     rx_cred_set_secret(cred, buf, err, sizeof(err)) < 0)) {
		fprintf(stderr, "greendc-receiver: %s: %s\n", secret_file, err);
		return 1;
	}
	if (public_key &&
	    (rx_read_public_file(public_key, buf, sizeof(buf), err, sizeof(err)) < 0 ||
	     rx_cred_set_public(cred, buf, err, sizeof(err)) < 0)) {
		fprintf(stderr, "greendc-receiver: %s: %s\n", public_key, err);
		return 1;
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int site_add(struct cli *c, const char *id)
{
	struct rx_site s = {.added_ms = util_wall_ms()};
	if (!rx_site_id_ok(id)) {
		fprintf(stderr,
		        "greendc-receiver: \"%s\": a site id is 1-64 of A-Z a-z 0-9 . _ -\n", id);
		return 2;
	}
	snprintf(s.id, sizeof(s.id), "%s", id);
	snprintf(s.name, sizeof(s.name), "%s", c->name ? c->name : "");
	snprintf(s.region, sizeof(s.region), "%s", c->region ? c->region : "");
	int rc = read_cred(c->o.default_secret_file, c->public_key, &s.cred);
	if (rc)
		return rc;
	const char *kind = s.cred.hmac_len && s.cred.has_pk ? "hmac+ed25519"
	                   : s.cred.has_pk                  ? "ed25519"
	                                                    : "hmac";
	struct rx_store *st = open_store(c, 1);
	if (!st)
		return 1;
	rc = rx_store_site_put(st, &s);
	rx_store_close(st);
	explicit_bzero(&s.cred, sizeof(s.cred));
	if (rc < 0) {
		fprintf(stderr, "greendc-receiver: %s: cannot store the site\n", id);
		return 1;
	}
	printf("site %s: added (%s)\n", id, kind);
	return 0;
}

/* One import line: SITE<TAB>KEYS[<TAB>NAME[<TAB>REGION]], KEYS = whsec_... and/or whpk_...
 * separated by a comma. */
static int import_line(struct rx_store *st, char *line, long lineno, const char *file)
{
	char *f[4] = {NULL, NULL, "", ""}, *save = NULL, err[256];
	int n = 0;
	for (char *t = strtok_r(line, "\t", &save); t && n < 4; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	struct rx_site s = {.added_ms = util_wall_ms()};
	if (n < 2 || !rx_site_id_ok(f[0])) {
		fprintf(stderr,
		        "greendc-receiver: %s:%ld: expected SITE<TAB>KEY[<TAB>NAME[<TAB>REGION]]\n",
		        file, lineno);
		return -EINVAL;
	}
	snprintf(s.id, sizeof(s.id), "%s", f[0]);
	snprintf(s.name, sizeof(s.name), "%s", f[2]);
	snprintf(s.region, sizeof(s.region), "%s", f[3]);
	for (char *k = strtok_r(f[1], ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		int rc = strncmp(k, "whpk_", 5) == 0
		                 ? rx_cred_set_public(&s.cred, k, err, sizeof(err))
		                 : rx_cred_set_secret(&s.cred, k, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "greendc-receiver: %s:%ld: %s\n", file, lineno, err);
			return rc;
		}
	}
	int rc = rx_store_site_put(st, &s);
	explicit_bzero(&s.cred, sizeof(s.cred));
	return rc;
}

static int site_import(struct cli *c, const char *file)
{
	size_t cap = 16u << 20, len = 0;
	char *buf = malloc(cap), err[512];
	if (!buf)
		return 1;
	if (secretfile_read(file, buf, cap, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "greendc-receiver: %s\n", err);
		free(buf);
		return 1;
	}
	struct rx_store *st = open_store(c, 1);
	long lineno = 0, added = 0;
	int rc = st ? 0 : 1;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); st && line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (import_line(st, line, lineno, file) < 0) {
			rc = 1;
			break;
		}
		added++;
	}
	rx_store_close(st);
	explicit_bzero(buf, len);
	free(buf);
	if (rc == 0)
		printf("%ld sites imported\n", added);
	return rc;
}

static int print_site(void *ctx, const struct rx_site_row *r)
{
	struct rx_site s;
	if (!r->registered)
		return 0;
	const char *kind = "?";
	if (rx_store_site_get(ctx, r->site, &s) == 0)
		kind = s.cred.hmac_len && s.cred.has_pk ? "hmac+ed25519"
		       : s.cred.has_pk                  ? "ed25519"
		                                        : "hmac";
	printf("%-24s %-13s %-8s %-20s %s\n", r->site, kind, r->revoked ? "revoked" : "active",
	       r->region[0] ? r->region : "-", r->name);
	return 0;
}

static int site_cmd(struct cli *c, int argc, char **argv)
{
	const char *verb = optind < argc ? argv[optind] : "";
	const char *arg = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (strcmp(verb, "add") == 0 && arg)
		return site_add(c, arg);
	if (strcmp(verb, "import") == 0 && arg)
		return site_import(c, arg);
	struct rx_store *st = NULL;
	if (strcmp(verb, "revoke") == 0 && arg) {
		if (!(st = open_store(c, 1)))
			return 1;
		int rc = rx_store_site_revoke(st, arg, util_wall_ms());
		rx_store_close(st);
		if (rc < 0) {
			fprintf(stderr, "greendc-receiver: %s: %s\n", arg,
			        rc == -ENOENT ? "no such active site" : "cannot revoke");
			return 1;
		}
		printf("site %s: revoked\n", arg);
		return 0;
	}
	if (strcmp(verb, "list") == 0) {
		/* Two connections: print_site looks each site up while the listing is open. */
		if (!(st = open_store(c, 2)))
			return 1;
		int rc = rx_store_sites(st, print_site, st);
		rx_store_close(st);
		return rc < 0 ? 1 : 0;
	}
	usage(stderr);
	return 2;
}

static int serve(struct cli *c)
{
	static struct rx_app a;
	char err[512];
	a.o = c->o;
	if (a.o.tls_cert && !a.o.tls_key) {
		usage(stderr);
		return 2;
	}
	if (!a.o.port || (!a.o.tls_cert != !a.o.tls_key)) {
		usage(stderr);
		return 2;
	}
	/* Before any thread: the zone of deadlines and month boundaries (core/timeutil.h). */
	time_zone_set(c->tz);
	if (a.o.default_secret_file) {
		char secret[512];
		if (secretfile_read_line(a.o.default_secret_file, secret, sizeof(secret), err,
		                         sizeof(err)) < 0 ||
		    rx_cred_set_secret(&a.default_cred, secret, err, sizeof(err)) < 0) {
			fprintf(stderr, "greendc-receiver: %s\n", err);
			return 1;
		}
		explicit_bzero(secret, sizeof(secret));
		a.have_default = true;
	}
	if (rx_schemas_load(&a.schemas, err, sizeof(err)) < 0) {
		fprintf(stderr, "greendc-receiver: the compiled-in schemas: %s\n", err);
		return 1;
	}
	if (!(a.store = open_store(c, a.o.workers)))
		return 1;
	if (a.o.request_log && !(a.reqlog = fopen(a.o.request_log, "ae"))) {
		fprintf(stderr, "greendc-receiver: %s: %s\n", a.o.request_log, strerror(errno));
		return 1;
	}
	atomic_store(&a.reply_429, a.o.reply_429);
	/* A peer that goes away mid-answer is libmicrohttpd's to handle, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	int rc = rx_http_run(&a);
	if (a.reqlog)
		fclose(a.reqlog);
	rx_store_close(a.store);
	rx_schemas_free(&a.schemas);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = {.o = {
	                        .listen_addr = "127.0.0.1",
	                        .tolerance_s = 300,
	                        .workers = 4,
	                        .max_connections = 2000,
	                        .conn_timeout_s = 10,
	                        .request_deadline_s = 30,
	                        .max_body = 256 * 1024,
	                        .max_buffered = 32u << 20,
	                        .deadline_day = 10,
	                        .retry_after = 2,
	                }};
	const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : "serve";
	int first = argc > 1 && argv[1][0] != '-' ? 1 : 0;
	if (strcmp(cmd, "site") == 0 && argc > 2) {
		/* "site VERB [ARG]" then options. */
		optind = 2;
		int rc = parse(argc, argv, &c);
		return rc ? rc : site_cmd(&c, argc, argv);
	}
	optind = first + 1;
	int rc = parse(argc, argv, &c);
	if (rc)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "greendc-receiver: unexpected \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "migrate") == 0) {
		struct rx_store *st = open_store(&c, 1);
		if (!st)
			return 1;
		printf("greendc-receiver: %s schema is current\n", rx_store_engine(st));
		rx_store_close(st);
		return 0;
	}
	if (strcmp(cmd, "serve") != 0) {
		usage(stderr);
		return 2;
	}
	return serve(&c);
}

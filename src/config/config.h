/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration: one YAML file plus the .yaml files in conf.d/, parsed with libyaml into a
 * fresh, immutable struct config. Reload builds a new one, validates it, then swaps (a bad reload
 * keeps the old one). Profiles named by devices are loaded with it. See docs/config.md.
 */
#ifndef GREENDC_CONFIG_H
#define GREENDC_CONFIG_H

#include <greendc/driver.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A device model (etc/profiles/<class>/<name>.yaml). */
struct profile {
	const char *name; /* "meter/eastron-sdm630" */
	const char *file;
	const char *class;
	const char *driver;
	const char *source;
	struct gdc_attr *quirks; /* driver options for every device of this model */
	size_t nquirks;
	struct gdc_attr *match; /* identity keys (e.g. sysObjectID prefix) for auto-matching */
	size_t nmatch;
	struct gdc_point *points;
	size_t npoints;
};

struct config_device {
	const char *name;
	const char *driver;
	const char *address;
	const struct profile *profile;     /* NULL: matched at run time among candidates */
	const struct profile **candidates; /* profiles of this driver with `match:` keys */
	size_t ncandidates;
	unsigned interval_ms;
	unsigned timeout_ms;
	struct gdc_label *labels;
	size_t nlabels;
	/* Profile quirks followed by the device's options (the driver takes the last). */
	struct gdc_attr *options;
	size_t noptions;
	size_t first_device_option; /* index in options where the device's own begin */
	double rated_power_w;       /* 0 = unknown */
	bool enabled;
	const char *file; /* where the entry is */
	int line;
};

struct config {
	const char *file;
	const char *dir;
	struct {
		const char *id;
		const char *name;
		const char *timezone;
		double altitude_m;
	} site;
	struct {
		const char *path; /* absolute or relative to the config's folder, resolved */
		int64_t raw_retention_ms;
		unsigned commit_ms;
	} storage;
	struct {
		unsigned workers;
		int64_t max_backoff_ms;
		const char *drivers_dir;  /* NULL = default search */
		const char *profiles_dir; /* resolved */
		const char *log_level;
		const char *user; /* drop to this user when started as root; NULL = "greendc" */
		const char *audit_log; /* resolved; NULL = audit.log beside the database */
	} daemon;
	struct config_device *devices;
	size_t ndevices;
	/* devices by name (then position), for config_device_find: a site has thousands of
	 * devices and the API, imports and validators look them up by name. NULL in a config
	 * not made by config_load (tests): then the lookup scans. */
	const struct config_device **by_name;
	/* Sections owned by other subsystems (src/daemon/sections.c) add their fields here. */
	struct energy_model *energy;      /* `energy:` (energy_config.c); NULL when absent */
	struct fc_config *cooling;        /* `cooling:` (freecool_config.h); NULL when absent */
	struct outputs *outputs;          /* `outputs:` (outputs.h); NULL when absent */
	struct alerts_config *alerts;     /* `alerts:` (alerts.h); NULL when absent */
	struct report_site *reporting;    /* `reporting:` (report.h); NULL when absent */
	struct http_config *http;         /* `http:` (http.h); NULL when absent */
	struct tenants_config *tenants;   /* `tenants:` (tenants.h); NULL when absent */
	struct tariffs_config *tariffs;   /* `tariffs:` (tariff.h); NULL when absent */
	struct capacity_config *capacity; /* `capacity:` (capacity.h); NULL when absent */
	struct profile **profiles;
	size_t nprofiles;
	struct arena *arena; /* owns every string and array above */
};

/*
 * Optional top-level sections owned by other subsystems (energy model, cooling plant, alerts,
 * ...). Each parses its own node with the helpers in config_yaml.h into a field it adds to
 * struct config, and may cross-check the whole config once every file is read. The program
 * passes its table to config_load (greendc's is in src/daemon/sections.c, the one place that
 * sees every subsystem); a key not in it (nor site/storage/daemon/devices) is an error.
 */
struct ydoc;
struct config_diag;
struct config_secret;
struct config_section {
	const char *key;
	/* node is the section's yaml_node_t; path is its key, for messages. */
	void (*parse)(struct ydoc *y, struct config *cfg, const char *path, void *node);
	/* Optional: checks that need the whole config (e.g. roles that name devices). */
	void (*validate)(const struct config *cfg, struct config_diag *diag);
	/* Optional: every secret file the section names, each handed to found() (see
	 * config_secrets_check). */
	void (*secrets)(const struct config *cfg,
	                void (*found)(void *ctx, const struct config_secret *s), void *ctx);
};

/* A secret file named by the config (a token hash, a private key, a signing key, a URL with
 * a token in it). Checked by config_secrets_check with the one secret-file reader. */
struct config_secret {
	const char *path; /* resolved */
	const char *key;  /* for messages: "http.token_file", "outputs.central.secret_file" */
	const char *file; /* where it is named */
	int line;
	size_t max_bytes;
	bool first_line; /* only the first line matters (trimmed, must not be empty) */
	/* Optional check of the content (the first line when first_line): NULL when fine, else
	 * why, in buf or static. */
	const char *(*content_ok)(const char *text, char *buf, size_t len);
};

/* Check every secret file the sections name, as the daemon will read them when it runs as
 * reader (core/secretfile.h: regular file, not a FIFO or symlink, owner, mode 0600/0400,
 * size, content): each problem is a "file:line: key: path: what" diagnostic. The number of
 * problems. */
unsigned config_secrets_check(const struct config *cfg, const struct config_section *sections,
                              uid_t reader, struct config_diag *diag);

/* Accumulated diagnostics, one "file:line: key: problem" per line. */
struct config_diag {
	char text[8192];
	size_t len;
	unsigned count;
};
void config_diag_add(struct config_diag *d, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Parse and validate path (and its conf.d/) with the top-level sections in `sections`
 * (terminated by a NULL key; NULL = none). NULL with diagnostics in diag on any error. */
struct config *config_load(const char *path, const struct config_section *sections,
                           struct config_diag *diag);
void config_free(struct config *cfg);

/* Parse one profile file (used by config_load and by tools). NULL with diagnostics. */
struct profile *profile_load(struct arena *arena, const char *dir, const char *name,
                             struct config_diag *diag);

/* Look up a device by name. */
const struct config_device *config_device_find(const struct config *cfg, const char *name);

/* How a counter series of a device is judged (store's counter.h, DOMAIN.md §3). */
struct config_counter {
	unsigned bits;   /* register width: 16, 32, 64; 0 = does not wrap (float registers) */
	double scale;    /* value of one raw count (the profile row's scale; 1 when none) */
	double max_rate; /* largest plausible increase per second; 0 = no limit */
};
/* The description of device d's counter series of metric read through profile row pt (NULL
 * when unknown: no width, scale 1): width and scale from the row, and for energy_kwh the
 * device's rated_power_w as the rate. The poller and `greendc import` both use it. */
void config_counter_of(const struct config_device *d, const char *metric,
                       const struct gdc_point *pt, struct config_counter *out);
/* The counter row of d's profile that its series (metric, canonical labels) comes from: the
 * row of that metric whose fixed labels (and the device's) are all in labels, the one with the
 * most labels. A device matched at run time (no profile named) has one only when every
 * candidate profile with such a row agrees on its width and scale. NULL when none. */
const struct gdc_point *config_counter_point(const struct config_device *d, const char *metric,
                                             const char *labels);

/* Build the driver's view of a device read with profile p (points borrowed from p; p may be
 * NULL for a device not yet identified: no points). */
void config_device_to_gdc(const struct config_device *d, const struct profile *p,
                          struct gdc_device *out);

/* The candidate whose `match:` key named in ident ("key=value") is the longest prefix of the
 * value on a dot boundary (sysObjectID style), or equal to it; NULL when none matches.
 * ident may hold several "key=value" lines, most telling first (a driver's identify()
 * answers "sysobjectid=..." and then "answers=OID" per standard MIB the agent serves): the
 * first run of lines with one key that matches any candidate decides, so a vendor's
 * sysObjectID beats a generic profile claiming a standard MIB. */
const struct profile *profile_match(const struct profile *const *cands, size_t n,
                                    const char *ident);

/* A tiny bump allocator so a config is freed in one go. */
struct arena *config_arena_new(void);
void *config_arena_alloc(struct arena *a, size_t n); /* zeroed; aborts on OOM */
char *config_arena_strdup(struct arena *a, const char *s);
void config_arena_free(struct arena *a);

#endif

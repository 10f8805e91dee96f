/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNMP mapping: the pure half of the SNMP driver (drivers/snmp.c owns the net-snmp I/O).
 *
 * Everything here can be tested without an agent: parsing the profile keys of a point (oid,
 * column, index_labels, index_suffix, skip_values, digits_oid, digits_column, type), the
 * device options (version, community, USM settings, max_varbinds, ...), the address and the
 * secrets file; turning a received variable into a scaled value; turning a table row's index
 * into labels. Nothing here allocates, does I/O or calls net-snmp. Names start with smap_
 * (net-snmp owns snmp_).
 *
 * OIDs are arrays of unsigned long, which is net-snmp's `oid` on Linux (drivers/snmp.c
 * checks that at compile time).
 */
#ifndef GREENDC_SNMP_MAP_H
#define GREENDC_SNMP_MAP_H

#include <greendc/driver.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define SMAP_MAX_OID   64 /* sub-identifiers; net-snmp's MAX_OID_LEN is 128 */
#define SMAP_MAX_INDEX 8  /* index parts a table point may name */
#define SMAP_MAX_SKIP  8
#define SMAP_LABEL_LEN 32

struct smap_oid {
	unsigned long id[SMAP_MAX_OID];
	size_t len;
};

enum smap_want {
	SMAP_WANT_NUMBER = 0, /* any numeric ASN.1 type (default) */
	SMAP_WANT_STRING,     /* a number written as text in an OCTET STRING (some controllers) */
};

/* One profile row, parsed. */
struct smap_point {
	bool table;          /* `column:` (walked) rather than `oid:` (one instance) */
	struct smap_oid oid; /* the instance (scalar) or the column (table) */
	size_t nindex;       /* names for the index parts; "_" drops a part */
	char index_labels[SMAP_MAX_INDEX][SMAP_LABEL_LEN];
	struct smap_oid suffix;     /* index_suffix: only rows whose index ends so; stripped */
	double skip[SMAP_MAX_SKIP]; /* raw values meaning "not there" */
	size_t nskip;
	bool has_digits;        /* value / 10^digits */
	struct smap_oid digits; /* digits_oid (scalar) or digits_column (same index as the row) */
	enum smap_want want;
	bool has_select;        /* table points: keep only rows whose select column... */
	struct smap_oid select; /* select_column: a column with the same index as the row */
	bool select_numeric;    /* ...holds this number (select_value parsed)... */
	double select_value;
	char select_text[48]; /* ...or this text (an OCTET STRING, compared exactly) */
};

/* A received variable, reduced to what mapping needs. */
enum smap_raw_type {
	SMAP_R_INT,       /* INTEGER / Integer32: i */
	SMAP_R_UNSIGNED,  /* Gauge32, Unsigned32, TimeTicks: u */
	SMAP_R_COUNTER32, /* u */
	SMAP_R_COUNTER64, /* u */
	SMAP_R_STRING,    /* OCTET STRING: s (NUL-terminated, truncated) */
	SMAP_R_NOSUCHOBJECT,
	SMAP_R_NOSUCHINSTANCE,
	SMAP_R_ENDOFMIBVIEW,
	SMAP_R_MISSING, /* not received at all (request failed or row absent) */
	SMAP_R_OTHER,   /* OID, IpAddress, Null, Opaque...: never a number */
};

struct smap_raw {
	enum smap_raw_type type;
	int64_t i;
	uint64_t u;
	char s[48];
};

/* Results of smap_value() besides 0 (a value) and negative errors. */
#define SMAP_ABSENT  1 /* exception or missing: no sample, not an error */
#define SMAP_SKIPPED 2 /* a sentinel from skip_values: no sample, not an error */

enum smap_version { SMAP_V1 = 0, SMAP_V2C = 1, SMAP_V3 = 3 };
enum smap_auth { SMAP_AUTH_NONE = 0, SMAP_AUTH_SHA, SMAP_AUTH_SHA256 };
enum smap_priv { SMAP_PRIV_NONE = 0, SMAP_PRIV_AES };

struct smap_opts {
	char peer[300]; /* "udp:HOST:PORT" as net-snmp wants it */
	enum smap_version version;
	char community[64];
	unsigned max_varbinds; /* per GET */
	unsigned bulk_reps;    /* max_repetitions per GETBULK (net-snmp #defines that name) */
	bool no_getbulk;       /* walk with GETNEXT */
	unsigned max_rows;     /* bound on a walk */
	char security_name[64];
	enum smap_auth auth;
	enum smap_priv priv;
	char secrets_file[256];
};

int smap_oid_parse(const char *s, struct smap_oid *out);
int smap_oid_format(const struct smap_oid *o, char *buf, size_t n);
/* true if o starts with prefix (and is longer when strict) */
bool smap_oid_has_prefix(const unsigned long *o, size_t len, const struct smap_oid *prefix);
int smap_oid_cmp(const unsigned long *a, size_t alen, const unsigned long *b, size_t blen);

/* Parse a point's driver keys. 0 or -EINVAL with err and *bad_line. */
int smap_point_parse(const struct gdc_point *p, struct smap_point *out, char *err, size_t errlen,
                     int *bad_line);

/* Parse address and options. 0 or -EINVAL with err and *bad_line. */
int smap_opts_parse(const struct gdc_device *dev, struct smap_opts *out, char *err, size_t errlen,
                    int *bad_line);

/* Parse a secrets file's text ("auth_key: ..." / "priv_key: ..." lines, # comments). The
 * messages name the line, never a value. */
int smap_secrets_parse(const char *text, char *auth, size_t authlen, char *priv, size_t privlen,
                       char *err, size_t errlen);

/*
 * Turn raw (and, if the point has digits, the raw digits variable) into a value:
 * raw / 10^digits * scale + offset. Returns 0, SMAP_ABSENT, SMAP_SKIPPED, or -GDC_EBADRESP
 * when the variable has a type the point cannot use (err says which).
 */
int smap_value(const struct smap_point *pt, const struct smap_raw *raw,
               const struct smap_raw *digits, double scale, double offset, double *out, char *err,
               size_t errlen);

/*
 * Whether a table row is kept by the point's select_column/select_value: true when the
 * point has no selection, or when sel (the row's variable in the select column) equals
 * select_value: as a number for numeric variables, as exact text for an OCTET STRING (a
 * probe's location name). A missing row or another type is not selected.
 */
bool smap_row_selected(const struct smap_point *pt, const struct smap_raw *sel);

/*
 * Labels for a table row whose index (the OID after the column) is idx. Checks and strips
 * index_suffix; the remaining parts must be exactly as many as index_labels. Writes label
 * values into vals (one per kept part) and key/value pairs into labels. Returns the number
 * of labels, or -ENOENT when the row does not match the suffix, -GDC_EBADRESP when the index
 * has the wrong number of parts.
 */
int smap_index_labels(const struct smap_point *pt, const unsigned long *idx, size_t idxlen,
                      char vals[][SMAP_LABEL_LEN], struct gdc_label *labels);

#pragma GCC visibility pop

#endif

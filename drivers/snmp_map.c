/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNMP mapping: parsing profile keys and options, and turning received variables into values
 * and table indexes into labels. Pure code, tested by test/unit/test_snmp_map.c; see
 * drivers/snmp_map.h and docs/drivers/snmp.md.
 */
#include "snmp_map.h"

#include "core/secretfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int smap_oid_parse(const char *s, struct smap_oid *out)
{
	const char *p = s;

	out->len = 0;
	if (*p == '.')
		p++;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno || v > 0xffffffffUL || out->len >= SMAP_MAX_OID)
			return -EINVAL;
		out->id[out->len++] = v;
		p = end;
		if (*p == '.') {
			p++;
			if (*p == '\0')
				return -EINVAL;
		} else if (*p) {
			return -EINVAL;
		}
	}
	/* An OID has at least two arcs and starts with 0, 1 or 2. */
	if (out->len < 2 || out->id[0] > 2)
		return -EINVAL;
	return 0;
}

int smap_oid_format(const struct smap_oid *o, char *buf, size_t n)
{
	size_t used = 0;

	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < o->len; i++) {
		int w = snprintf(buf + used, n > used ? n - used : 0, "%s%lu", i ? "." : "",
		                 o->id[i]);
		if (w < 0)
			return -EINVAL;
		used += (size_t)w;
	}
	return used < n ? 0 : -ENOSPC;
}

bool smap_oid_has_prefix(const unsigned long *o, size_t len, const struct smap_oid *prefix)
{
	if (len <= prefix->len)
		return false;
	for (size_t i = 0; i < prefix->len; i++)
		if (o[i] != prefix->id[i])
			return false;
	return true;
}

int smap_oid_cmp(const unsigned long *a, size_t alen, const unsigned long *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Split a comma-separated scalar ("unit, phase") into trimmed words. */
static int split_words(const char *s, char words[][SMAP_LABEL_LEN], size_t max, size_t *n)
{
	*n = 0;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *start = s;
		while (*s && *s != ',')
			s++;
		const char *end = s;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		size_t len = (size_t)(end - start);
		if (len == 0 || len >= SMAP_LABEL_LEN || *n >= max)
			return -EINVAL;
		for (size_t i = 0; i < len; i++)
			if (!isalnum((unsigned char)start[i]) && start[i] != '_')
				return -EINVAL;
		memcpy(words[*n], start, len);
		words[*n][len] = '\0';
		(*n)++;
		if (*s == ',')
			s++;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_skip(const char *s, struct smap_point *pt)
{
	char *end;

	pt->nskip = 0;
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		if (pt->nskip >= SMAP_MAX_SKIP)
			return -EINVAL;
		double d = strtod(s, &end);
		if (end == s || !isfinite(d))
			return -EINVAL;
		pt->skip[pt->nskip++] = d;
		s = end;
		while (*s == ' ')
			s++;
		if (*s && *s != ',')
			return -EINVAL;
	}
	return pt->nskip ? 0 : -EINVAL;
}

/* select_column + select_value: both or neither; the column must differ from the value's.
 * The value is kept as text and, when it reads as one, as a number. */
static int parse_select(const struct gdc_attr *col, const struct gdc_attr *val,
                        const struct gdc_attr *column, struct smap_point *out, char *err,
                        size_t errlen, int *bad_line)
{
	char *end;

	if (!col || !val) {
		*bad_line = col ? col->line : val->line;
		snprintf(err, errlen, "%s: needs %s as well (rows whose column holds a value)",
		         col ? col->key : val->key, col ? "select_value" : "select_column");
		return -EINVAL;
	}
	*bad_line = col->line;
	if (smap_oid_parse(col->value, &out->select) ||
	    smap_oid_cmp(out->select.id, out->select.len, out->oid.id, out->oid.len) == 0) {
		snprintf(err, errlen,
		         "select_column: expected the numeric OID of another column of the "
		         "table (same index as %s), got \"%s\"",
		         column->value, col->value);
		return -EINVAL;
	}
	*bad_line = val->line;
	size_t len = strlen(val->value);
	if (len == 0 || len >= sizeof(out->select_text)) {
		snprintf(err, errlen, "select_value: expected a number or a text of 1 to %zu bytes",
		         sizeof(out->select_text) - 1);
		return -EINVAL;
	}
	memcpy(out->select_text, val->value, len + 1);
	out->select_value = strtod(val->value, &end);
	out->select_numeric = end != val->value && *end == '\0' && isfinite(out->select_value);
	out->has_select = true;
	return 0;
}

int smap_point_parse(const struct gdc_point *p, struct smap_point *out, char *err, size_t errlen,
                     int *bad_line)
{
	const struct gdc_attr *oid = NULL, *column = NULL, *dig_oid = NULL, *dig_col = NULL;
	const struct gdc_attr *labels = NULL, *suffix = NULL, *sel_col = NULL, *sel_val = NULL;

	memset(out, 0, sizeof(*out));
	*bad_line = p->line;
	for (size_t k = 0; k < p->nattrs; k++) {
		const struct gdc_attr *a = &p->attrs[k];
		*bad_line = a->line;
		if (strcmp(a->key, "oid") == 0) {
			oid = a;
		} else if (strcmp(a->key, "column") == 0) {
			column = a;
		} else if (strcmp(a->key, "index_labels") == 0) {
			labels = a;
		} else if (strcmp(a->key, "index_suffix") == 0) {
			suffix = a;
		} else if (strcmp(a->key, "digits_oid") == 0) {
			dig_oid = a;
		} else if (strcmp(a->key, "digits_column") == 0) {
			dig_col = a;
		} else if (strcmp(a->key, "select_column") == 0) {
			sel_col = a;
		} else if (strcmp(a->key, "select_value") == 0) {
			sel_val = a;
		} else if (strcmp(a->key, "skip_values") == 0) {
			if (parse_skip(a->value, out)) {
				snprintf(err, errlen,
				         "skip_values: expected up to %d numbers separated by "
				         "commas, got \"%s\"",
				         SMAP_MAX_SKIP, a->value);
				return -EINVAL;
			}
		} else if (strcmp(a->key, "type") == 0) {
			if (strcmp(a->value, "number") == 0) {
				out->want = SMAP_WANT_NUMBER;
			} else if (strcmp(a->value, "string") == 0) {
				out->want = SMAP_WANT_STRING;
			} else {
				snprintf(err, errlen, "type: expected number or string, got \"%s\"",
				         a->value);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "%s: unknown key for the snmp driver", a->key);
			return -EINVAL;
		}
	}
	*bad_line = p->line;
	if (!!oid == !!column) {
		snprintf(err, errlen,
		         "oid: a point needs exactly one of oid (an instance) or column (a table "
		         "column)");
		return -EINVAL;
	}
	const struct gdc_attr *where = oid ? oid : column;
	*bad_line = where->line;
	if (smap_oid_parse(where->value, &out->oid)) {
		snprintf(err, errlen,
		         "%s: expected a numeric OID such as 1.3.6.1.2.1.1.3.0, got \"%s\"",
		         where->key, where->value);
		return -EINVAL;
	}
	out->table = column != NULL;
	if (!out->table && (labels || suffix || dig_col || sel_col || sel_val)) {
		const struct gdc_attr *bad = labels    ? labels
		                             : suffix  ? suffix
		                             : dig_col ? dig_col
		                             : sel_col ? sel_col
		                                       : sel_val;
		*bad_line = bad->line;
		snprintf(err, errlen, "%s: only for table points (column:)", bad->key);
		return -EINVAL;
	}
	if (out->table && dig_oid) {
		*bad_line = dig_oid->line;
		snprintf(err, errlen, "digits_oid: a table point takes digits_column");
		return -EINVAL;
	}
	if (out->table) {
		if (!labels) {
			*bad_line = column->line;
			snprintf(err, errlen,
			         "index_labels: required for a table point (one name per index "
			         "part)");
			return -EINVAL;
		}
		*bad_line = labels->line;
		if (split_words(labels->value, out->index_labels, SMAP_MAX_INDEX, &out->nindex)) {
			snprintf(err, errlen,
			         "index_labels: expected up to %d names separated by commas (\"_\" "
			         "drops "
			         "a part), got \"%s\"",
			         SMAP_MAX_INDEX, labels->value);
			return -EINVAL;
		}
		if (suffix) {
			*bad_line = suffix->line;
			/* A suffix may be a single arc, which smap_oid_parse refuses as an OID. */
			char buf[128];
			snprintf(buf, sizeof(buf), "1.%s", suffix->value);
			struct smap_oid tmp;
			if (strlen(suffix->value) > 100 || suffix->value[0] == '.' ||
			    smap_oid_parse(buf, &tmp)) {
				snprintf(err, errlen,
				         "index_suffix: expected dotted numbers such as 5 or 1.5, "
				         "got "
				         "\"%s\"",
				         suffix->value);
				return -EINVAL;
			}
			out->suffix.len = tmp.len - 1;
			memcpy(out->suffix.id, tmp.id + 1, out->suffix.len * sizeof(tmp.id[0]));
		}
	}
	if (sel_col || sel_val) {
		int rc = parse_select(sel_col, sel_val, column, out, err, errlen, bad_line);
		if (rc)
			return rc;
	}
	const struct gdc_attr *dig = dig_oid ? dig_oid : dig_col;
	if (dig) {
		*bad_line = dig->line;
		if (smap_oid_parse(dig->value, &out->digits)) {
			snprintf(err, errlen, "%s: expected a numeric OID, got \"%s\"", dig->key,
			         dig->value);
			return -EINVAL;
		}
		out->has_digits = true;
	}
	*bad_line = 0;
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

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

static int copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len == 0 || len >= n)
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

/* "udp:HOST[:PORT]" or "udp:[V6]:PORT" into net-snmp's peer name, port defaulting to 161. */
static int parse_address(const char *a, char *peer, size_t n)
{
	const char *host, *port = NULL;
	size_t hlen;

	if (!a || strncmp(a, "udp:", 4) != 0)
		return -EINVAL;
	host = a + 4;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return -EINVAL;
		hlen = (size_t)(close - host) + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		const char *colon = strrchr(host, ':');
		hlen = colon ? (size_t)(colon - host) : strlen(host);
		port = colon ? colon + 1 : NULL;
	}
	if (hlen == 0)
		return -EINVAL;
	for (size_t i = 0; i < hlen; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".-_:[]", host[i]))
			return -EINVAL;
	unsigned p = 161;
	if (port && parse_uint(port, 1, 65535, &p))
		return -EINVAL;
	int w = snprintf(peer, n, "udp:%.*s:%u", (int)hlen, host, p);
	return w > 0 && (size_t)w < n ? 0 : -EINVAL;
}

int smap_opts_parse(const struct gdc_device *dev, struct smap_opts *o, char *err, size_t errlen,
                    int *bad_line)
{
	const char *level = NULL;
	int level_line = 0;

	memset(o, 0, sizeof(*o));
	o->version = SMAP_V2C;
	strcpy(o->community, "public");
	o->max_varbinds = 20;
	o->bulk_reps = 10;
	o->max_rows = 4096;
	*bad_line = 0;
	if (parse_address(dev->address, o->peer, sizeof(o->peer))) {
		snprintf(err, errlen, "address: expected udp:HOST or udp:HOST:PORT, got \"%s\"",
		         dev->address ? dev->address : "(none)");
		return -EINVAL;
	}
	for (size_t i = 0; i < dev->noptions; i++) {
		const struct gdc_attr *a = &dev->options[i];
		const char *k = a->key, *v = a->value;
		int bad = 0;

		*bad_line = a->line;
		if (!strcmp(k, "version")) {
			if (!strcmp(v, "1"))
				o->version = SMAP_V1;
			else if (!strcmp(v, "2c"))
				o->version = SMAP_V2C;
			else if (!strcmp(v, "3"))
				o->version = SMAP_V3;
			else
				bad = 1;
		} else if (!strcmp(k, "community")) {
			bad = copy_str(o->community, sizeof(o->community), v);
		} else if (!strcmp(k, "max_varbinds")) {
			bad = parse_uint(v, 1, 128, &o->max_varbinds);
		} else if (!strcmp(k, "max_repetitions")) {
			bad = parse_uint(v, 1, 100, &o->bulk_reps);
		} else if (!strcmp(k, "max_rows")) {
			bad = parse_uint(v, 1, 100000, &o->max_rows);
		} else if (!strcmp(k, "no_getbulk")) {
			bad = parse_bool(v, &o->no_getbulk);
		} else if (!strcmp(k, "security_name")) {
			bad = copy_str(o->security_name, sizeof(o->security_name), v);
		} else if (!strcmp(k, "auth_protocol")) {
			if (!strcmp(v, "SHA"))
				o->auth = SMAP_AUTH_SHA;
			else if (!strcmp(v, "SHA-256"))
				o->auth = SMAP_AUTH_SHA256;
			else
				bad = 1;
		} else if (!strcmp(k, "priv_protocol")) {
			if (!strcmp(v, "AES"))
				o->priv = SMAP_PRIV_AES;
			else
				bad = 1;
		} else if (!strcmp(k, "security_level")) {
			if (strcmp(v, "authPriv") && strcmp(v, "authNoPriv"))
				bad = 1;
			level = v;
			level_line = a->line;
		} else if (!strcmp(k, "secrets_file")) {
			bad = copy_str(o->secrets_file, sizeof(o->secrets_file), v);
		} else {
			snprintf(err, errlen, "%s: unknown option for the snmp driver", k);
			return -EINVAL;
		}
		if (bad) {
			/* Options carry no secrets (those live in secrets_file), so echo the value.
			 */
			snprintf(err, errlen, "%s: bad value \"%s\" (see docs/drivers/snmp.md)", k,
			         v);
			return -EINVAL;
		}
	}
	*bad_line = 0;
	if (o->version != SMAP_V3) {
		if (o->security_name[0] || o->auth || o->priv || level || o->secrets_file[0]) {
			snprintf(err, errlen, "version: USM options need version: 3");
			return -EINVAL;
		}
		return 0;
	}
	*bad_line = level_line;
	if (!level) {
		snprintf(err, errlen,
		         "security_level: required with version 3 (authPriv or "
		         "authNoPriv)");
		return -EINVAL;
	}
	if (!o->security_name[0] || !o->auth || !o->secrets_file[0]) {
		snprintf(err, errlen,
		         "security_level: %s needs security_name, auth_protocol and secrets_file",
		         level);
		return -EINVAL;
	}
	if (!strcmp(level, "authPriv") && !o->priv) {
		snprintf(err, errlen, "security_level: authPriv needs priv_protocol");
		return -EINVAL;
	}
	if (!strcmp(level, "authNoPriv") && o->priv) {
		snprintf(err, errlen, "security_level: authNoPriv takes no priv_protocol");
		return -EINVAL;
	}
	*bad_line = 0;
	return 0;
}

int smap_secrets_parse(const char *text, char *auth, size_t authlen, char *priv, size_t privlen,
                       char *err, size_t errlen)
{
	/* RFC 3414 passphrases are at least 8 characters; net-snmp refuses shorter. */
	const struct secretfile_field f[] = {
	        {.key = "auth_key", .buf = auth, .len = authlen, .min = 8},
	        {.key = "priv_key", .buf = priv, .len = privlen, .min = 8},
	};
	return secretfile_fields(text, f, 2, err, errlen);
}

int smap_value(const struct smap_point *pt, const struct smap_raw *raw,
               const struct smap_raw *digits, double scale, double offset, double *out, char *err,
               size_t errlen)
{
	double d;

	switch (raw->type) {
	case SMAP_R_NOSUCHOBJECT:
	case SMAP_R_NOSUCHINSTANCE:
	case SMAP_R_ENDOFMIBVIEW:
	case SMAP_R_MISSING:
		return SMAP_ABSENT;
	case SMAP_R_INT:
		d = (double)raw->i;
		break;
	case SMAP_R_UNSIGNED:
	case SMAP_R_COUNTER32:
	case SMAP_R_COUNTER64:
		d = (double)raw->u;
		break;
	case SMAP_R_STRING: {
		char *end;
		const char *s = raw->s;
		if (pt->want != SMAP_WANT_STRING) {
			snprintf(err, errlen,
			         "OCTET STRING where a number was expected (type: string "
			         "reads numeric text)");
			return -GDC_EBADRESP;
		}
		while (isspace((unsigned char)*s))
			s++;
		d = strtod(s, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end || !isfinite(d)) {
			snprintf(err, errlen, "OCTET STRING \"%.20s\" is not a number", raw->s);
			return -GDC_EBADRESP;
		}
		break;
	}
	default:
		snprintf(err, errlen, "variable of a non-numeric type");
		return -GDC_EBADRESP;
	}
	if (pt->want == SMAP_WANT_STRING && raw->type != SMAP_R_STRING) {
		snprintf(err, errlen, "a number where type: string expects an OCTET STRING");
		return -GDC_EBADRESP;
	}
	for (size_t i = 0; i < pt->nskip; i++)
		if (d == pt->skip[i])
			return SMAP_SKIPPED;
	if (pt->has_digits) {
		int64_t n;
		if (!digits || digits->type == SMAP_R_MISSING ||
		    digits->type == SMAP_R_NOSUCHOBJECT || digits->type == SMAP_R_NOSUCHINSTANCE ||
		    digits->type == SMAP_R_ENDOFMIBVIEW)
			return SMAP_ABSENT;
		if (digits->type == SMAP_R_INT)
			n = digits->i;
		else if (digits->type == SMAP_R_UNSIGNED)
			n = (int64_t)digits->u;
		else {
			snprintf(err, errlen, "decimal digits variable is not an integer");
			return -GDC_EBADRESP;
		}
		if (n < 0 || n > 9) {
			snprintf(err, errlen, "decimal digits %lld out of range 0..9",
			         (long long)n);
			return -GDC_EBADRESP;
		}
		for (int64_t k = 0; k < n; k++)
			d /= 10.0;
	}
	*out = d * scale + offset;
	return 0;
}

bool smap_row_selected(const struct smap_point *pt, const struct smap_raw *sel)
{
	if (!pt->has_select)
		return true;
	if (!sel)
		return false;
	switch (sel->type) {
	case SMAP_R_INT:
		return pt->select_numeric && (double)sel->i == pt->select_value;
	case SMAP_R_UNSIGNED:
	case SMAP_R_COUNTER32:
	case SMAP_R_COUNTER64:
		return pt->select_numeric && (double)sel->u == pt->select_value;
	case SMAP_R_STRING:
		return strcmp(sel->s, pt->select_text) == 0;
	default:
		return false;
	}
}

int smap_index_labels(const struct smap_point *pt, const unsigned long *idx, size_t idxlen,
                      char vals[][SMAP_LABEL_LEN], struct gdc_label *labels)
{
	size_t n = idxlen;
	int out = 0;

	if (pt->suffix.len) {
		if (idxlen < pt->suffix.len)
			return -ENOENT;
		n = idxlen - pt->suffix.len;
		for (size_t i = 0; i < pt->suffix.len; i++)
			if (idx[n + i] != pt->suffix.id[i])
				return -ENOENT;
	}
	if (n != pt->nindex)
		return -GDC_EBADRESP;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(pt->index_labels[i], "_") == 0)
			continue;
		snprintf(vals[out], SMAP_LABEL_LEN, "%lu", idx[i]);
		labels[out].key = pt->index_labels[i];
		labels[out].value = vals[out];
		out++;
	}
	return out;
}

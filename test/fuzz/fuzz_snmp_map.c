/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the SNMP driver's varbind-to-metric mapping (drivers/snmp_map.h):
 * a profile row's keys parsed by smap_point_parse(), then a received variable (any ASN.1
 * type the driver reduces it to, any value, any text) and a table row index turned into a
 * value and labels by smap_value() and smap_index_labels(), as drivers/snmp.c does.
 *
 * Input layout:
 *   1 byte    the variable's type (enum smap_raw_type, modulo its count)
 *   1 byte    the digits variable's type
 *   8 bytes   the variable's integer value (as i and as u), little-endian
 *   8 bytes   the digits variable's value
 *   1 byte    index length (0..SMAP_MAX_OID + 3); then 2 bytes (big-endian) per index part
 *   the rest  text lines: "key: value" lines are the row's driver keys (up to 16), the first
 *             other line is the variable's OCTET STRING
 *
 * What must hold: no crash, no over-read, no undefined behaviour; smap_value() returns one
 * of its documented results and a finite value on 0; smap_index_labels() returns at most
 * the index length in labels, each a NUL-terminated decimal.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ATTRS 16
#define NRAW      (SMAP_R_OTHER + 1)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void raw_fill(struct smap_raw *r, uint8_t type, uint64_t v, const char *s)
{
	memset(r, 0, sizeof(*r));
	r->type = (enum smap_raw_type)(type % NRAW);
	r->i = (int64_t)v;
	r->u = v;
	if (r->type == SMAP_R_COUNTER32 || r->type == SMAP_R_UNSIGNED)
		r->u = (uint32_t)v; /* what a 32-bit ASN.1 type can carry */
	snprintf(r->s, sizeof(r->s), "%s", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long idx[SMAP_MAX_OID + 3];
	struct gdc_attr attrs[MAX_ATTRS];
	size_t nattrs = 0, at = 19, idxlen;
	const char *str = "";
	char err[256] = "";
	int bad_line = 0;

	if (size < at)
		return 0;
	idxlen = data[18] % (SMAP_MAX_OID + 4);
	if (size < at + 2 * idxlen)
		return 0;
	for (size_t i = 0; i < idxlen; i++, at += 2)
		idx[i] = (unsigned long)data[at] << 8 | data[at + 1];

	/* The text, NUL-terminated and cut into lines in a copy of exactly its size. */
	size_t tlen = size - at;
	char *text = malloc(tlen + 1);
	if (!text)
		abort();
	memcpy(text, data + at, tlen);
	text[tlen] = '\0';
	bool have_str = false;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *colon = strstr(line, ": ");
		if (colon && nattrs < MAX_ATTRS) {
			*colon = '\0';
			attrs[nattrs] = (struct gdc_attr){line, colon + 2, (int)nattrs + 1};
			nattrs++;
		} else if (!have_str) {
			str = line;
			have_str = true;
		}
	}

	struct gdc_point p = {
	        .metric = "power_w", .scale = 0.1, .attrs = attrs, .nattrs = nattrs, .line = 1};
	struct smap_point pt;
	int rc = smap_point_parse(&p, &pt, err, sizeof(err), &bad_line);
	if (rc != 0) {
		if (rc != -EINVAL || !err[0])
			abort(); /* a rejection always says why */
		free(text);
		return 0;
	}
	struct smap_raw raw, digits;
	raw_fill(&raw, data[0], le64(data + 2), str);
	raw_fill(&digits, data[1], le64(data + 10), str);
	double v = 0;
	err[0] = '\0';
	rc = smap_value(&pt, &raw, &digits, 0.1, -1.0, &v, err, sizeof(err));
	if (rc == 0 && !isfinite(v) && raw.type != SMAP_R_STRING)
		abort(); /* a finite integer scaled by finite numbers */
	if (rc != 0 && rc != SMAP_ABSENT && rc != SMAP_SKIPPED && rc != -GDC_EBADRESP)
		abort();
	if (rc == -GDC_EBADRESP && !err[0])
		abort();

	char vals[SMAP_MAX_OID + 3][SMAP_LABEL_LEN];
	struct gdc_label labels[SMAP_MAX_OID + 3];
	int n = smap_index_labels(&pt, idx, idxlen, vals, labels);
	if (n > (int)idxlen || (n < 0 && n != -ENOENT && n != -GDC_EBADRESP))
		abort();
	for (int i = 0; i < n; i++)
		if (!labels[i].key || !labels[i].value || strlen(labels[i].value) >= SMAP_LABEL_LEN)
			abort();

	char buf[SMAP_MAX_OID * 21 + 1];
	(void)smap_oid_format(&pt.oid, buf, sizeof(buf));
	free(text);
	return 0;
}

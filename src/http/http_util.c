/* SPDX-License-Identifier: Apache-2.0 */
/* Pure helpers for the HTTP server: see http_util.h. */
#include "http/http_util.h"

#include "core/sha256.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool http_path_safe(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	const char *seg = path + 1;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 && end) /* "//" */
			return false;
		if (n > 0 && seg[0] == '.') /* ".", "..", hidden files */
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

int64_t http_query_step(int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned width)
{
	int64_t range = to_ms - from_ms, step = step_ms > 0 ? step_ms : 1000;
	if (width == 0)
		width = 1;
	int64_t need = (range + (int64_t)width - 1) / (int64_t)width;
	if (need > step)
		step = need;
	if (step > 1200000) /* over 20 min: whole hours, so the 1-hour rollups serve it */
		step = (step + 3599999) / 3600000 * 3600000;
	else if (step > 60000)
		step = (step + 59999) / 60000 * 60000;
	else
		step = (step + 999) / 1000 * 1000;
	return step;
}

const char *http_bearer_token(const char *auth)
{
	if (!auth || strncasecmp(auth, "Bearer", 6) != 0 || auth[6] != ' ')
		return NULL;
	const char *t = auth + 6;
	while (*t == ' ')
		t++;
	return *t ? t : NULL;
}

int http_token_hash_parse(const char *text, uint8_t out[32], char *why, size_t whylen)
{
	/* SHA-256 of the empty string. */
	static const char empty[] =
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char buf[80];
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strcspn(text, " \t\r\n");
	if (n != 64 || text[n + strspn(text + n, " \t\r\n")] != '\0') {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!sha256_parse_hex(buf, out)) {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	if (strcasecmp(buf, empty) == 0) {
		snprintf(why, whylen,
		         "is the SHA-256 of the empty string (was the token variable unset?); "
		         "an empty bearer token would be let in");
		return -EINVAL;
	}
	return 0;
}

/* One budget: a new minute starts the count again and remembers what the last one lost. */
static bool admit_one(unsigned *count, unsigned *dropped, unsigned *dropped_before,
                      int64_t *window_ms, int64_t now_ms, unsigned *out_dropped)
{
	if (now_ms - *window_ms >= 60000) {
		*window_ms = now_ms;
		*dropped_before = *dropped;
		*dropped = 0;
		*count = 0;
	}
	if (*count >= HTTP_AUDIT_PER_IP) {
		(*dropped)++;
		return false;
	}
	/* The first record of a minute tells what the previous minute left out. */
	*out_dropped = *count == 0 ? *dropped_before : 0;
	(*count)++;
	return true;
}

bool http_audit_admit(struct http_audit_limit *l, const char *ip, int64_t now_ms, unsigned *dropped)
{
	size_t slot = HTTP_AUDIT_IPS, stale = HTTP_AUDIT_IPS;
	*dropped = 0;
	for (size_t i = 0; i < HTTP_AUDIT_IPS; i++) {
		if (strcmp(l->e[i].ip, ip) == 0) {
			slot = i;
			break;
		}
		/* A free entry, or one whose address has been quiet for two minutes. */
		if (stale == HTTP_AUDIT_IPS &&
		    (!l->e[i].ip[0] || (now_ms - l->e[i].window_ms >= 120000)))
			stale = i;
	}
	if (slot == HTTP_AUDIT_IPS && stale != HTTP_AUDIT_IPS) {
		slot = stale;
		memset(&l->e[slot], 0, sizeof(l->e[slot]));
		snprintf(l->e[slot].ip, sizeof(l->e[slot].ip), "%s", ip);
		l->e[slot].window_ms = now_ms;
	}
	if (slot == HTTP_AUDIT_IPS)
		return admit_one(&l->others.count, &l->others.dropped, &l->others.dropped_before,
		                 &l->others.window_ms, now_ms, dropped);
	return admit_one(&l->e[slot].count, &l->e[slot].dropped, &l->e[slot].dropped_before,
	                 &l->e[slot].window_ms, now_ms, dropped);
}

/* ---- numbers as cJSON prints them ---- */

static const uint64_t pow10_u64[] = {1ULL,
                                     10ULL,
                                     100ULL,
                                     1000ULL,
                                     10000ULL,
                                     100000ULL,
                                     1000000ULL,
                                     10000000ULL,
                                     100000000ULL,
                                     1000000000ULL,
                                     10000000000ULL,
                                     100000000000ULL,
                                     1000000000000ULL,
                                     10000000000000ULL,
                                     100000000000000ULL,
                                     1000000000000000ULL,
                                     10000000000000000ULL,
                                     100000000000000000ULL,
                                     1000000000000000000ULL,
                                     10000000000000000000ULL};

static unsigned __int128 pow10_u128(int k)
{
	unsigned __int128 r = 1;
	for (; k >= 19; k -= 19)
		r *= pow10_u64[19];
	return r * pow10_u64[k];
}

/* The p significant digits of a (finite, 1e-5 <= a < 1e15) rounded to nearest, ties to even
 * (printf's rounding of the exact binary value), and the decimal exponent of the first digit
 * after rounding. a = m / 2^q exactly, and m * 10^k < 2^53 * 10^22 < 2^127. */
static bool exact_digits(double a, int p, uint64_t *digits, int *exp10)
{
	int e2;
	double f = frexp(a, &e2);
	uint64_t m = (uint64_t)ldexp(f, 53);
	int q = 53 - e2, x = (int)floor(log10(a));
	if (q <= 0 || q > 100)
		return false;
	for (int tries = 0; tries < 4; tries++) {
		int k = p - 1 - x;
		if (k < 0 || k > 22)
			return false;
		unsigned __int128 n = (unsigned __int128)m * pow10_u128(k), ip = n >> q;
		if (ip < pow10_u64[p - 1]) { /* log10 rounded up across a power of ten */
			x--;
			continue;
		}
		if (ip >= pow10_u64[p]) {
			x++;
			continue;
		}
		unsigned __int128 rem = n - (ip << q), half = (unsigned __int128)1 << (q - 1);
		if (rem > half || (rem == half && (ip & 1)))
			ip++;
		if (ip == pow10_u64[p]) {
			ip = pow10_u64[p - 1];
			x++;
		}
		*digits = (uint64_t)ip;
		*exp10 = x;
		return true;
	}
	return false;
}

/* %1.<p>g of v from exact_digits, when its exponent makes %g write it without one; 0 when
 * it does not (the caller prints it with snprintf). */
static size_t fixed_g(char *out, double v, int p)
{
	uint64_t dig;
	int x;
	if (!exact_digits(fabs(v), p, &dig, &x) || x < -4 || x >= p)
		return 0;
	char d[20];
	for (int i = p - 1; i >= 0; i--, dig /= 10)
		d[i] = (char)('0' + dig % 10);
	int nd = p, n = 0; /* %g drops the fraction's trailing zeros, and a bare point */
	while (nd > (x >= 0 ? x + 1 : 0) && d[nd - 1] == '0')
		nd--;
	if (v < 0)
		out[n++] = '-';
	if (x >= 0) {
		for (int i = 0; i <= x; i++)
			out[n++] = d[i];
		if (nd > x + 1)
			out[n++] = '.';
		for (int i = x + 1; i < nd; i++)
			out[n++] = d[i];
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = 0; i < -x - 1; i++)
			out[n++] = '0';
		for (int i = 0; i < nd; i++)
			out[n++] = d[i];
	}
	out[n] = '\0';
	return (size_t)n;
}

static size_t print_g(char *out, double v, int p)
{
	double a = fabs(v);
	size_t n = a >= 1e-5 && a < 1e15 ? fixed_g(out, v, p) : 0;
	if (n == 0)
		n = (size_t)snprintf(out, HTTP_JSON_NUMBER_MAX, p == 15 ? "%1.15g" : "%1.17g", v);
	return n;
}

size_t http_json_number(char *out, double v)
{
	if (!isfinite(v)) {
		memcpy(out, "null", 5);
		return 4;
	}
	if (fabs(v) < 1e15 && v == trunc(v)) {
		/* %1.15g writes these exactly as digits, -0 included */
		char d[20];
		int n = 0, k = 0;
		unsigned long long u = (unsigned long long)(long long)fabs(v);
		do
			d[k++] = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (signbit(v))
			out[n++] = '-';
		while (k > 0)
			out[n++] = d[--k];
		out[n] = '\0';
		return (size_t)n;
	}
	size_t n = print_g(out, v, 15);
	char *end;
	double back = strtod(out, &end);
	double big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
	if (end != out && fabs(back - v) <= big * DBL_EPSILON)
		return n;
	return print_g(out, v, 17);
}

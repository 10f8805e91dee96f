/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Modbus driver: reads holding/input registers, coils and discrete inputs from Modbus
 * TCP devices (modbus_tcp.c: poll(2)-based, so a site may have thousands) and Modbus RTU
 * devices (libmodbus), and turns them into greendc samples.
 *
 * open() validates the profile's driver keys and the device options, and builds a read plan
 * (modbus_decode.c: points grouped by function code and merged into block reads); it does no
 * I/O. poll() connects lazily (one connection or libmodbus context per device), reads the blocks in
 * order within the poll deadline, and emits one sample per point. A timeout or a transport error
 * drops the connection (flush + close) so that a late reply to an old request can never be
 * read as the answer to a new one; the next request reconnects. Modbus exceptions leave the
 * connection in step and only cost their own block.
 *
 * See docs/drivers/modbus.md for the keys, the orders and the error contract.
 */
#include <greendc/driver.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <modbus.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modbus_decode.h"
#include "modbus_frame.h"
#include "modbus_tcp.h"

#define MB_DEFAULT_UNIT_ID  1
#define MB_DEFAULT_MAX_GAP  8
#define MB_DEFAULT_TCP_PORT "502"

/* Per-device state; the core allocates it zero-filled (state_size) and frees it. Everything
 * it points to is owned here and released by mb_close(). */
struct mb_state {
	modbus_t *ctx; /* RTU: created in open(), connected lazily in poll() */
	bool connected;
	bool rtu;
	bool tcp; /* TCP: host and port, and the socket while connected */
	int fd;
	char host[256], port[16];
	uint8_t unit_id;     /* checked against every reply (modbus_frame.c) */
	unsigned timeout_ms; /* per request; 0 = bounded by the deadline only */
	struct mbd_limits lim;
	struct mbd_point *points; /* sorted by the planner; points[i].index -> dev->points */
	size_t npoints;
	struct mbd_block *blocks;
	size_t nblocks;
	double *scale; /* by gdc_device.points index */
	double *offset;
};

/* ---- small helpers ---- */

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append a formatted message to err, separating messages with "; ". Truncates quietly. */
static void err_append(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void err_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t len = strnlen(err, errlen);
	va_list ap;

	if (errlen == 0 || len + 1 >= errlen)
		return;
	if (len > 0) {
		snprintf(err + len, errlen - len, "; ");
		len = strnlen(err, errlen);
		if (len + 1 >= errlen)
			return;
	}
	va_start(ap, fmt);
	vsnprintf(err + len, errlen - len, fmt, ap);
	va_end(ap);
}

/* libmodbus's message for errno e, first letter lowered to match greendc's log style. */
static const char *mb_strerror(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", modbus_strerror(e));
	if (buf[0])
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* An exception reply: well framed, the connection stays in step. */
static bool is_exception(int e)
{
	return (e >= EMBXILFUN && e <= EMBXGTAR) || e == EMBBADEXC || e == EMBUNKEXC;
}

/* Turn a libmodbus errno into the negative code poll() returns. */
static int mb_code(int e)
{
	if (is_exception(e))
		return -GDC_EEXCEPTION;
	if (e >= MODBUS_ENOBASE || e <= 0)
		return -GDC_EBADRESP;
	return -e;
}

static void mb_disconnect(struct mb_state *st)
{
	if (st->tcp && st->connected)
		close(st->fd); /* whatever a slow device still sends goes with it */
	if (st->ctx && st->connected) {
		modbus_flush(st->ctx); /* drop whatever a slow device still sends us */
		modbus_close(st->ctx);
	}
	st->connected = false;
}

/* Response timeout = min(per-request timeout, time left), for the whole reply: with the
 * byte timeout at 0 libmodbus waits for the full reply within the response timeout
 * (modbus_set_byte_timeout(3)). A byte timeout would restart the wait at every chunk, so a
 * peer trickling a reply could hold the poll far past its deadline (tested by
 * test/integration/test_hostile_modbus.sh). libmodbus also uses it for TCP connect. */
static int64_t mb_set_timeouts(struct mb_state *st, int64_t left_ms)
{
	int64_t ms = left_ms;

	if (st->timeout_ms > 0 && (int64_t)st->timeout_ms < ms)
		ms = st->timeout_ms;
	if (ms < 1)
		ms = 1;
	if (st->tcp)
		return ms; /* modbus_tcp.c takes it as a deadline */
	modbus_set_response_timeout(st->ctx, (uint32_t)(ms / 1000), (uint32_t)(ms % 1000) * 1000);
	modbus_set_byte_timeout(st->ctx, 0, 0);
	return ms;
}

/* ---- open: validation and planning ---- */

static void mb_release(struct mb_state *st)
{
	mb_disconnect(st);
	if (st->ctx)
		modbus_free(st->ctx);
	free(st->points);
	free(st->blocks);
	free(st->scale);
	free(st->offset);
	memset(st, 0, sizeof(*st));
}

/* Read an unsigned option within [min, max] into *out; leave *out alone if absent. */
static int opt_uint(const struct gdc_device *dev, const char *key, unsigned long min,
                    unsigned long max, unsigned long *out, char *err, size_t errlen, int *bad_line)
{
	int line = 0;
	const char *v = gdc_attr_get(dev->options, dev->noptions, key, &line);

	if (v == NULL)
		return 0;
	if (!mbd_parse_uint(v, min, max, out)) {
		snprintf(err, errlen, "%s: expected an integer from %lu to %lu, got \"%s\"", key,
		         min, max, v);
		*bad_line = line;
		return -EINVAL;
	}
	return 0;
}

static bool is_valid_baud(unsigned long b)
{
	static const unsigned long rates[] = {1200,  2400,  4800,   9600,   19200,
	                                      38400, 57600, 115200, 230400, 460800};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i] == b)
			return true;
	return false;
}

static const char *const option_keys[] = {"unit_id", "max_registers", "max_bits",  "max_gap",
                                          "baud",    "parity",        "data_bits", "stop_bits"};

/* Parse the address and options and create (but do not connect) the libmodbus context. */
static int open_transport(struct mb_state *st, const struct gdc_device *dev, char *err,
                          size_t errlen, int *bad_line)
{
	unsigned long unit_id = MB_DEFAULT_UNIT_ID, max_regs = MBD_MAX_READ_REGISTERS;
	unsigned long max_bits = MBD_MAX_READ_BITS, max_gap = MB_DEFAULT_MAX_GAP;
	unsigned long baud = 9600, data_bits = 8, stop_bits = 1;
	char parity = 'N';
	const char *addr = dev->address ? dev->address : "";
	int rc, line = 0;

	for (size_t i = 0; i < dev->noptions; i++) {
		bool known = false;
		for (size_t k = 0; k < sizeof(option_keys) / sizeof(option_keys[0]); k++)
			known = known || strcmp(dev->options[i].key, option_keys[k]) == 0;
		if (!known) {
			snprintf(err, errlen,
			         "%s: unknown option for the modbus driver (expected unit_id, "
			         "max_registers, max_bits, max_gap, baud, parity, data_bits, "
			         "stop_bits)",
			         dev->options[i].key);
			*bad_line = dev->options[i].line;
			return -EINVAL;
		}
	}
	if ((rc = opt_uint(dev, "unit_id", 0, 247, &unit_id, err, errlen, bad_line)) ||
	    (rc = opt_uint(dev, "max_registers", 1, MBD_MAX_READ_REGISTERS, &max_regs, err, errlen,
	                   bad_line)) ||
	    (rc = opt_uint(dev, "max_bits", 1, MBD_MAX_READ_BITS, &max_bits, err, errlen,
	                   bad_line)) ||
	    (rc = opt_uint(dev, "max_gap", 0, MBD_MAX_READ_BITS, &max_gap, err, errlen,
	                   bad_line)) ||
	    (rc = opt_uint(dev, "data_bits", 5, 8, &data_bits, err, errlen, bad_line)) ||
	    (rc = opt_uint(dev, "stop_bits", 1, 2, &stop_bits, err, errlen, bad_line)) ||
	    (rc = opt_uint(dev, "baud", 1, 4000000, &baud, err, errlen, bad_line)))
		return rc;
	if (gdc_attr_get(dev->options, dev->noptions, "baud", &line) && !is_valid_baud(baud)) {
		snprintf(err, errlen,
		         "baud: %lu is not a standard rate (1200 to 460800, e.g. 9600, 19200)",
		         baud);
		*bad_line = line;
		return -EINVAL;
	}
	const char *par = gdc_attr_get(dev->options, dev->noptions, "parity", &line);
	if (par) {
		if ((par[0] == 'N' || par[0] == 'E' || par[0] == 'O') && par[1] == '\0') {
			parity = par[0];
		} else {
			snprintf(err, errlen, "parity: expected N, E or O, got \"%s\"", par);
			*bad_line = line;
			return -EINVAL;
		}
	}
	st->lim.max_registers = (unsigned)max_regs;
	st->lim.max_bits = (unsigned)max_bits;
	st->lim.max_gap = (unsigned)max_gap;

	if (strncmp(addr, "tcp://", 6) == 0) {
		char host[256], port[16];
		const char *h = addr + 6, *colon, *hend;
		if (*h == '[') { /* [IPv6]:port */
			hend = strchr(h, ']');
			if (hend == NULL)
				goto bad_address;
			h++;
			colon = hend[1] == ':' ? hend + 1 : NULL;
			if (hend[1] != '\0' && colon == NULL)
				goto bad_address;
		} else {
			colon = strrchr(h, ':');
			hend = colon ? colon : h + strlen(h);
		}
		if (hend == h || (size_t)(hend - h) >= sizeof(host))
			goto bad_address;
		memcpy(host, h, (size_t)(hend - h));
		host[hend - h] = '\0';
		_Static_assert(sizeof(host) == sizeof(st->host), "host buffers");
		unsigned long pn;
		if (colon) {
			if (!mbd_parse_uint(colon + 1, 1, 65535, &pn) ||
			    strncmp(colon + 1, "0x", 2) == 0)
				goto bad_address;
			snprintf(port, sizeof(port), "%lu", pn);
		} else {
			snprintf(port, sizeof(port), "%s", MB_DEFAULT_TCP_PORT);
		}
		st->tcp = true;
		memcpy(st->host, host, sizeof(host));
		memcpy(st->port, port, sizeof(port));
	} else if (strncmp(addr, "rtu:", 4) == 0 && addr[4] == '/') {
		if (unit_id == 0) {
			snprintf(err, errlen,
			         "unit_id: 0 is the RTU broadcast address, which "
			         "never answers a read; use 1 to 247");
			gdc_attr_get(dev->options, dev->noptions, "unit_id", bad_line);
			return -EINVAL;
		}
		st->rtu = true;
		st->ctx =
		        modbus_new_rtu(addr + 4, (int)baud, parity, (int)data_bits, (int)stop_bits);
	} else {
		goto bad_address;
	}
	st->unit_id = (uint8_t)unit_id;
	if (st->tcp)
		return 0;
	if (st->ctx == NULL) {
		rc = errno ? -errno : -ENOMEM;
		snprintf(err, errlen, "address \"%s\": cannot create a modbus context: %s", addr,
		         strerror(-rc));
		return rc;
	}
	modbus_set_error_recovery(st->ctx, MODBUS_ERROR_RECOVERY_NONE);
	if (modbus_set_slave(st->ctx, (int)unit_id) != 0) {
		snprintf(err, errlen, "unit_id: %lu rejected by libmodbus", unit_id);
		gdc_attr_get(dev->options, dev->noptions, "unit_id", bad_line);
		return -EINVAL;
	}
	return 0;

bad_address:
	snprintf(err, errlen, "address \"%s\": expected tcp://host:port or rtu:/dev/<serial port>",
	         addr);
	return -EINVAL;
}

/* Parse one profile row's driver keys into *mp. */
static int parse_point(const struct gdc_point *p, uint32_t index, struct mbd_point *mp,
                       const struct mbd_limits *lim, char *err, size_t errlen, int *bad_line)
{
	unsigned long fc = MBD_FC_HOLDING_REGISTERS, reg = 0;
	bool have_reg = false, have_type = false;
	int type_line = p->line, reg_line = p->line;

	mp->index = index;
	mp->order = MBD_ABCD;
	mp->type = MBD_UINT16;
	for (size_t i = 0; i < p->nattrs; i++) {
		const struct gdc_attr *a = &p->attrs[i];
		const char *v = a->value ? a->value : "";
		*bad_line = a->line;
		if (strcmp(a->key, "fc") == 0) {
			if (!mbd_parse_uint(v, 1, 4, &fc)) {
				snprintf(err, errlen,
				         "fc: expected 1 (coils), 2 (discrete inputs), 3 "
				         "(holding registers) or 4 (input registers), got \"%s\"",
				         v);
				return -EINVAL;
			}
		} else if (strcmp(a->key, "register") == 0) {
			if (!mbd_parse_uint(v, 0, 65535, &reg)) {
				snprintf(err, errlen,
				         "register: expected a 0-based address 0..65535 (decimal "
				         "or 0x hex), got \"%s\"",
				         v);
				return -EINVAL;
			}
			have_reg = true;
			reg_line = a->line;
		} else if (strcmp(a->key, "type") == 0) {
			if (!mbd_parse_type(v, &mp->type)) {
				snprintf(err, errlen,
				         "type: unknown type \"%s\" (expected bool, int16, uint16, "
				         "int32, uint32, int64, uint64, float32, float64)",
				         v);
				return -EINVAL;
			}
			have_type = true;
			type_line = a->line;
		} else if (strcmp(a->key, "order") == 0) {
			if (!mbd_parse_order(v, &mp->order)) {
				snprintf(err, errlen,
				         "order: unknown word order \"%s\" (expected abcd, cdab, "
				         "badc, dcba)",
				         v);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen,
			         "%s: unknown key for the modbus driver (expected fc, register, "
			         "type, order)",
			         a->key);
			return -EINVAL;
		}
	}
	*bad_line = p->line;
	if (!have_reg) {
		snprintf(err, errlen, "register: missing (every modbus point needs one)");
		return -EINVAL;
	}
	mp->fc = (uint8_t)fc;
	mp->reg = (uint16_t)reg;
	if (!have_type && (fc == MBD_FC_COILS || fc == MBD_FC_DISCRETE_INPUTS))
		mp->type = MBD_BOOL;
	*bad_line = type_line;
	if (!mbd_type_fits_fc(mp->type, (unsigned)fc)) {
		snprintf(err, errlen, "type: %s cannot be read with fc %lu (%s)",
		         mbd_type_name(mp->type), fc,
		         mp->type == MBD_BOOL ? "bool needs fc 1 or 2"
		                              : "fc 1 and 2 read bits: use type bool");
		return -EINVAL;
	}
	unsigned w = mbd_type_width(mp->type);
	if (mp->type != MBD_BOOL && w > lim->max_registers) {
		snprintf(err, errlen,
		         "type: %s needs %u registers but max_registers is %u for this device",
		         mbd_type_name(mp->type), w, lim->max_registers);
		return -EINVAL;
	}
	if (reg + w > 65536) {
		*bad_line = reg_line;
		snprintf(err, errlen, "register: %s at %lu runs past address 65535",
		         mbd_type_name(mp->type), reg);
		return -EINVAL;
	}
	*bad_line = 0;
	return 0;
}

static int mb_open(void *state, const struct gdc_device *dev, char *err, size_t errlen,
                   int *bad_line)
{
	struct mb_state *st = state;
	int dummy_line = 0, rc;

	if (bad_line == NULL)
		bad_line = &dummy_line;
	*bad_line = 0;
	if (errlen)
		err[0] = '\0';
	memset(st, 0, sizeof(*st));
	st->timeout_ms = dev->timeout_ms;

	if (dev->npoints == 0) {
		snprintf(err, errlen, "no points to read");
		return -EINVAL;
	}
	if (dev->npoints > UINT32_MAX) {
		snprintf(err, errlen, "too many points");
		return -E2BIG;
	}
	rc = open_transport(st, dev, err, errlen, bad_line);
	if (rc)
		goto out_release;

	st->points = calloc(dev->npoints, sizeof(*st->points));
	st->blocks = calloc(dev->npoints, sizeof(*st->blocks));
	st->scale = calloc(dev->npoints, sizeof(*st->scale));
	st->offset = calloc(dev->npoints, sizeof(*st->offset));
	if (!st->points || !st->blocks || !st->scale || !st->offset) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out_release;
	}
	st->npoints = dev->npoints;
	for (size_t i = 0; i < dev->npoints; i++) {
		rc = parse_point(&dev->points[i], (uint32_t)i, &st->points[i], &st->lim, err,
		                 errlen, bad_line);
		if (rc)
			goto out_release;
		st->scale[i] = dev->points[i].scale;
		st->offset[i] = dev->points[i].offset;
	}
	rc = mbd_plan(st->points, st->npoints, &st->lim, st->blocks, &st->nblocks);
	if (rc) {
		snprintf(err, errlen, "cannot plan the reads: %s", strerror(-rc));
		goto out_release;
	}
	return 0;

out_release:
	mb_release(st);
	return rc;
}

/* ---- poll ---- */

static void emit_block(struct mb_state *st, const struct mbd_block *b, const uint16_t *regs,
                       const uint8_t *bits, const struct gdc_sink *sink, char *err, size_t errlen)
{
	int64_t ts = clock_ms(CLOCK_REALTIME);

	for (size_t k = 0; k < b->npoints; k++) {
		const struct mbd_point *p = &st->points[b->first + k];
		size_t off = (size_t)(p->reg - b->start);
		double raw;

		if (p->type == MBD_BOOL)
			raw = bits[off] ? 1.0 : 0.0;
		else
			raw = mbd_decode(regs + off, p->type, p->order);
		if (!isfinite(raw)) {
			err_append(err, errlen, "fc%u register %u: %s is not a number, skipped",
			           (unsigned)p->fc, (unsigned)p->reg, isnan(raw) ? "NaN" : "inf");
			continue;
		}
		struct gdc_sample s = {
		        .point = p->index,
		        .value = mbd_scale(raw, st->scale[p->index], st->offset[p->index]),
		        .ts_ms = ts,
		};
		sink->emit(sink->ctx, &s);
	}
}

/*
 * One block read as a raw request, its reply checked by modbus_frame.c (libmodbus 3.1.6 does
 * not check the unit id of a TCP reply). Returns the count read, or -1 with errno set as
 * libmodbus would: an exception as MODBUS_ENOBASE + its code, a reply that fails the checks
 * as EMBBADDATA with why filled in.
 */
static int read_block(struct mb_state *st, const struct mbd_block *b, uint16_t *regs, uint8_t *bits,
                      int64_t timeout_ms, char *why, size_t whylen)
{
	uint8_t req[MBF_REQUEST_LEN], rsp[MBF_MAX_ADU];
	unsigned exc = 0;
	int n;

	why[0] = '\0';
	mbf_read_request(st->unit_id, b->fc, b->start, b->count, req);
	if (st->tcp) {
		n = mbt_transact(st->fd, req, MBF_REQUEST_LEN, rsp, sizeof(rsp),
		                 clock_ms(CLOCK_MONOTONIC) + timeout_ms);
		if (n < 0) {
			errno = n == -EPROTO ? EMBBADDATA : -n;
			return -1;
		}
	} else {
		if (modbus_send_raw_request(st->ctx, req, MBF_REQUEST_LEN) < 0)
			return -1;
		n = modbus_receive_confirmation(st->ctx, rsp);
		if (n < 0)
			return -1;
	}
	int rc = mbf_check_read_reply(rsp, (size_t)n, st->rtu ? MBF_RTU : MBF_TCP, st->unit_id,
	                              b->fc, b->count, regs, bits, &exc, why, whylen);
	if (rc == MBF_EXCEPTION) {
		errno = exc >= 1 && exc < MODBUS_EXCEPTION_MAX ? (int)(MODBUS_ENOBASE + exc)
		                                               : EMBBADEXC;
		return -1;
	}
	if (rc < 0) {
		errno = EMBBADDATA;
		return -1;
	}
	return b->count;
}

static int mb_poll(void *state, int64_t deadline_ms, const struct gdc_sink *sink, char *err,
                   size_t errlen)
{
	struct mb_state *st = state;
	uint16_t regs[MBD_MAX_READ_REGISTERS];
	uint8_t bits[MBD_MAX_READ_BITS];
	size_t nread = 0, i = 0;
	int fail = 0; /* first transport failure, as a negative code */
	bool exception = false, fresh = false, retried = false;
	char msg[128];

	if (errlen)
		err[0] = '\0';
	if (st->ctx == NULL && !st->tcp) {
		err_append(err, errlen, "device was not opened");
		return -EINVAL;
	}
	/* i moves on only past a block that was read or answered with an exception; a retry
	 * after reconnecting reads the same block again. */
	while (i < st->nblocks) {
		const struct mbd_block *b = &st->blocks[i];
		const char *what = b->fc <= MBD_FC_DISCRETE_INPUTS ? "bits" : "registers";
		int64_t left = deadline_ms - clock_ms(CLOCK_MONOTONIC);

		if (left <= 0) {
			fail = -ETIMEDOUT;
			break;
		}
		int64_t timeout = mb_set_timeouts(st, left);
		if (!st->connected) {
			int e = 0;
			if (st->tcp) {
				int fd = mbt_connect(st->host, st->port,
				                     clock_ms(CLOCK_MONOTONIC) + timeout);
				if (fd < 0)
					e = -fd;
				else
					st->fd = fd;
			} else if (modbus_connect(st->ctx) != 0) {
				e = errno;
				modbus_close(st->ctx);
			}
			if (e) {
				fail = mb_code(e);
				err_append(err, errlen, "connect: %s",
				           mb_strerror(e, msg, sizeof(msg)));
				break;
			}
			st->connected = true;
			fresh = true;
			/* Connecting may have used most of the time. */
			left = deadline_ms - clock_ms(CLOCK_MONOTONIC);
			if (left <= 0) {
				fail = -ETIMEDOUT;
				break;
			}
			timeout = mb_set_timeouts(st, left);
		}
		char why[96];
		int n = read_block(st, b, regs, bits, timeout, why, sizeof(why));
		if (n < 0) {
			int e = errno;
			if (is_exception(e)) {
				exception = true;
				err_append(err, errlen, "fc%u %s %u..%u: %s", (unsigned)b->fc, what,
				           (unsigned)b->start, (unsigned)b->start + b->count - 1,
				           mb_strerror(e, msg, sizeof(msg)));
				i++;
				continue;
			}
			mb_disconnect(st);
			/* A peer (often a gateway) may have closed an idle connection since the
			 * last poll: reconnect once and retry before calling it a failure. */
			if (!fresh && !retried && nread == 0 &&
			    (e == ECONNRESET || e == EPIPE || e == ENOTCONN)) {
				retried = true;
				continue;
			}
			fail = mb_code(e);
			err_append(err, errlen, "fc%u %s %u..%u: %s", (unsigned)b->fc, what,
			           (unsigned)b->start, (unsigned)b->start + b->count - 1,
			           why[0] ? why : mb_strerror(e, msg, sizeof(msg)));
			break;
		}
		if (n != b->count) { /* libmodbus checks this; never trust a short reply */
			mb_disconnect(st);
			fail = -GDC_EBADRESP;
			err_append(err, errlen, "fc%u %s %u..%u: short reply (%d)", (unsigned)b->fc,
			           what, (unsigned)b->start, (unsigned)b->start + b->count - 1, n);
			break;
		}
		emit_block(st, b, regs, bits, sink, err, errlen);
		nread++;
		i++;
	}
	if (fail == -ETIMEDOUT && i < st->nblocks && strstr(err, "timed out") == NULL)
		err_append(err, errlen, "deadline reached");
	if (i < st->nblocks)
		err_append(err, errlen, "%zu of %zu reads not done", st->nblocks - i, st->nblocks);

	if (nread > 0)
		return 0;
	if (fail)
		return fail;
	if (exception)
		return -GDC_EEXCEPTION;
	return 0;
}

static void mb_close(void *state)
{
	mb_release(state);
}

const struct gdc_driver gdc_driver_entry = {
        .abi_version = GDC_DRIVER_ABI,
        .struct_size = sizeof(struct gdc_driver),
        .name = "modbus",
        .state_size = sizeof(struct mb_state),
        .open = mb_open,
        .poll = mb_poll,
        .close = mb_close,
};

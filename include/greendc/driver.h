/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendc driver ABI: the only contract between the daemon and a protocol engine.
 *
 * A driver is a shared object (drivers/<name>.so) that exports one const struct gdc_driver
 * under the symbol GDC_DRIVER_SYMBOL. The daemon allocates each device's state from
 * state_size (zero-filled), calls open() once with the device description, poll() every
 * interval and close() when the device goes away or the config is reloaded.
 *
 * Rules for drivers: no global mutable state (reload builds fresh devices), no logging above
 * debug (return errors instead; the daemon logs), never exit, never block past the deadline.
 * open() only validates and prepares: it must not do network or serial I/O, so that
 * `greendc check-config` can call it to validate a profile.
 */
#ifndef GREENDC_DRIVER_H
#define GREENDC_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any change to the structs below; the loader refuses a mismatch. */
#define GDC_DRIVER_ABI    2
#define GDC_DRIVER_SYMBOL "gdc_driver_entry"

/* Protocol faults get their own errno range (as libmodbus does with EMBXILFUN...),
 * so that a log line can name them. Drivers return the negative value. */
#define GDC_EPROTO_BASE 20000
enum gdc_proto_error {
	GDC_EBADRESP = GDC_EPROTO_BASE + 1,   /* malformed or inconsistent reply */
	GDC_EEXCEPTION = GDC_EPROTO_BASE + 2, /* device answered with an exception/error status */
	GDC_EAUTH = GDC_EPROTO_BASE + 3,      /* authentication or privacy failure */
	GDC_ENOVALUE = GDC_EPROTO_BASE + 4,   /* nothing usable in the reply */
};

/* A key/value pair from the profile or the device entry that the core does not interpret
 * (for Modbus: fc, register, type, order; for SNMP: oid, ...). line is the config line the
 * value came from, so the core can turn a driver's complaint into file:line. */
struct gdc_attr {
	const char *key;
	const char *value;
	int line;
};

struct gdc_label {
	const char *key;
	const char *value;
};

enum gdc_kind {
	GDC_GAUGE = 0,
	GDC_COUNTER = 1, /* monotonically increasing; the core unwraps and reset-corrects it */
};

/* One metric a profile asks for. The core has already parsed the generic keys. */
struct gdc_point {
	const char *metric; /* canonical name from docs/metrics.md, e.g. "power_w" */
	enum gdc_kind kind;
	unsigned counter_bits; /* wrap width for counters: 16, 32 or 64; 0 = not a counter */
	double scale;          /* value = raw * scale + offset */
	double offset;
	const struct gdc_label *labels; /* fixed labels from the profile row */
	size_t nlabels;
	const struct gdc_attr *attrs; /* driver-specific keys of this row */
	size_t nattrs;
	int line; /* config line of the row */
};

struct gdc_device {
	const char *name;
	const char
	        *address; /* e.g. "tcp://127.0.0.1:1502", "rtu:/dev/ttyUSB0", "udp:10.0.0.5:161" */
	unsigned timeout_ms; /* per-request timeout; the whole poll is bounded by the deadline */
	const struct gdc_attr *options; /* profile quirks, then device options (device wins) */
	size_t noptions;
	const struct gdc_point *points;
	size_t npoints;
};

/* One value read from a device. */
struct gdc_sample {
	uint32_t point; /* index into gdc_device.points */
	double value;   /* already scaled by the driver (raw * scale + offset) */
	int64_t ts_ms;  /* wall-clock milliseconds since the Unix epoch, when it was read */
	const struct gdc_label *labels; /* extra labels from a table index; may be NULL */
	size_t nlabels;
};

/* Where a driver puts its samples. emit() copies what it needs before returning. */
struct gdc_sink {
	void *ctx;
	void (*emit)(void *ctx, const struct gdc_sample *sample);
};

struct gdc_driver {
	uint32_t abi_version; /* GDC_DRIVER_ABI */
	uint32_t struct_size; /* sizeof(struct gdc_driver) */
	const char *name;
	size_t state_size; /* bytes of per-device state the core allocates, zero-filled */

	/* Validate dev and prepare state. No I/O. On error return a negative errno and write a
	 * message into err; if it is about one attribute, set *bad_line to that attr's line. */
	int (*open)(void *state, const struct gdc_device *dev, char *err, size_t errlen,
	            int *bad_line);

	/* Read every point once and emit samples. deadline_ms is CLOCK_MONOTONIC milliseconds;
	 * return before it. Return 0 if at least part of the poll succeeded (err describes
	 * the rest, if anything), else a negative errno or -GDC_E*. err is always
	 * NUL-terminated. */
	int (*poll)(void *state, int64_t deadline_ms, const struct gdc_sink *sink, char *err,
	            size_t errlen);

	/* Release everything open() and poll() acquired. The core frees state itself. */
	void (*close)(void *state);

	/* Optional (NULL when the protocol has no such notion): ask the device who it is, for
	 * matching a profile when the device entry names none. dev->points carries one point
	 * per `match:` pair of the candidate profiles (metric "", one attr: the key and value,
	 * e.g. answers=1.3.6.1.2.1.33.1.1.1), which the driver may probe. The answer goes into
	 * out as "key=value" lines, most telling first, e.g. "sysobjectid=1.3.6.1.4.1.705.1\n
	 * answers=1.3.6.1.2.1.33.1.1.1", matched against the profiles' `match:` keys (the first
	 * key with a match decides). Bounded by deadline_ms like poll(). 0 or -errno. */
	int (*identify)(const struct gdc_device *dev, int64_t deadline_ms, char *out, size_t outlen,
	                char *err, size_t errlen);
};

/* Small helpers every driver needs; header-only so drivers stay self-contained. */
static inline const char *gdc_attr_get(const struct gdc_attr *a, size_t n, const char *key,
                                       int *line)
{
	/* Last one wins: device options come after profile quirks. */
	const char *v = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *k = a[i].key, *q = key;
		while (*k && *k == *q) {
			k++;
			q++;
		}
		if (*k == '\0' && *q == '\0') {
			v = a[i].value;
			if (line)
				*line = a[i].line;
		}
	}
	return v;
}

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * skel: a template driver to copy when adding a protocol (see docs/adding-a-driver.md).
 *
 * It talks to nothing: every profile row carries a `value:` key and each poll emits that
 * constant (times scale, plus offset) for the row. That is enough to show every part of the
 * ABI a real driver needs: validating driver keys with line numbers in open(), per-device
 * state that the core allocates, honouring the deadline in poll(), emitting samples, and
 * releasing everything in close(). It is also handy for wiring tests of the daemon.
 *
 * To start a new driver: copy this file to drivers/<proto>.c, rename "skel", replace the
 * `value` key with your protocol's address keys, and put pure decoding in
 * drivers/<proto>_<part>.c so that test/unit/ can test it without a peer (the Makefile links
 * every drivers/<name>_<part>.c into the unit tests, and drivers/<proto>_<part>.c into
 * drivers/<proto>.so).
 *
 * Example profile row:   - metric: temp_c
 *                            value: 21.5
 */
#include <greendc/driver.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-device state. The core allocates state_size bytes, zero-filled, before open() and
 * frees them after close(); anything the driver allocates itself it frees in close().
 * Never keep state in file-scope variables: the daemon reloads by opening fresh devices
 * while the old ones still run. */
struct skel_state {
	size_t npoints;
	double *values; /* one scaled value per point, owned, freed in skel_close() */
};

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * open(): validate and prepare, no I/O (greendc check-config calls it to validate profiles).
 * Report a bad key with its line in *bad_line so that the core can print file:line.
 * On failure, release what was allocated and leave the state so that a close() after it is
 * harmless (whether the core calls close() after a failed open() is not the driver's concern).
 */
static int skel_open(void *state, const struct gdc_device *dev, char *err, size_t errlen,
                     int *bad_line)
{
	struct skel_state *st = state;

	*bad_line = 0;
	if (dev->noptions > 0) {
		snprintf(err, errlen, "%s: skel takes no options", dev->options[0].key);
		*bad_line = dev->options[0].line;
		return -EINVAL;
	}
	st->values = calloc(dev->npoints ? dev->npoints : 1, sizeof(*st->values));
	if (st->values == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->npoints = dev->npoints;

	for (size_t i = 0; i < dev->npoints; i++) {
		const struct gdc_point *p = &dev->points[i];
		int line = p->line;
		const char *v = NULL;

		/* Every key the core passes on is ours to check: unknown keys are errors. */
		for (size_t k = 0; k < p->nattrs; k++) {
			if (strcmp(p->attrs[k].key, "value") != 0) {
				snprintf(err, errlen, "%s: unknown key for the skel driver",
				         p->attrs[k].key);
				*bad_line = p->attrs[k].line;
				goto out_free_values;
			}
			v = p->attrs[k].value;
			line = p->attrs[k].line;
		}
		char *end = NULL;
		double d = v ? strtod(v, &end) : NAN;
		if (v == NULL || end == v || *end != '\0' || !isfinite(d)) {
			snprintf(err, errlen, "value: expected a number, got \"%s\"",
			         v ? v : "(missing)");
			*bad_line = line;
			goto out_free_values;
		}
		st->values[i] = d * p->scale + p->offset; /* the driver applies scale/offset */
	}
	return 0;

out_free_values:
	free(st->values);
	st->values = NULL;
	return -EINVAL;
}

/*
 * poll(): read every point once, emit, return 0 if anything was read. deadline_ms is
 * CLOCK_MONOTONIC; a real driver sets its I/O timeouts to the time left before every
 * request and stops when it runs out. ts_ms is wall-clock time of the read.
 */
static int skel_poll(void *state, int64_t deadline_ms, const struct gdc_sink *sink, char *err,
                     size_t errlen)
{
	struct skel_state *st = state;
	int64_t now = clock_ms(CLOCK_REALTIME);

	if (errlen)
		err[0] = '\0';
	if (clock_ms(CLOCK_MONOTONIC) >= deadline_ms) {
		snprintf(err, errlen, "deadline passed before the poll started");
		return -ETIMEDOUT;
	}
	for (size_t i = 0; i < st->npoints; i++) {
		struct gdc_sample s = {.point = (uint32_t)i, .value = st->values[i], .ts_ms = now};
		sink->emit(sink->ctx, &s); /* emit() copies the sample; s may live on the stack */
	}
	return 0;
}

/* close(): release what open() and poll() acquired. Must accept a state whose open()
 * failed or never ran (all zero). */
static void skel_close(void *state)
{
	struct skel_state *st = state;

	free(st->values);
	st->values = NULL;
	st->npoints = 0;
}

/* The one exported symbol. The loader checks abi_version and struct_size. */
const struct gdc_driver gdc_driver_entry = {
        .abi_version = GDC_DRIVER_ABI,
        .struct_size = sizeof(struct gdc_driver),
        .name = "skel",
        .state_size = sizeof(struct skel_state),
        .open = skel_open,
        .poll = skel_poll,
        .close = skel_close,
};

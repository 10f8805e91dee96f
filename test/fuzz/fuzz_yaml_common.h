/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the profile and config harnesses: config_load() and profile_load() read files,
 * so each input is written to a private temporary folder first (created once per fuzzer
 * process, removed at exit). The folder also holds two small profiles that fuzzed configs
 * can name (test/one-reg, test/two-types).
 */
#ifndef GREENDC_FUZZ_YAML_COMMON_H
#define GREENDC_FUZZ_YAML_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fz_dir[64];
static char fz_path[128];

static void fz_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort(); /* the harness's own I/O: never a finding */
}

static void fz_cleanup(void)
{
	char cmd[128];
	if (fz_dir[0] && strncmp(fz_dir, "/tmp/greendc-fuzz.", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", fz_dir);
	}
}

/* Create the folder on first use; return the path inputs are written to (name.yaml). */
static const char *fz_setup(const char *name)
{
	static const char one_reg[] = "profile: one-reg\nclass: test\ndriver: modbus\n"
	                              "source: fuzz fixture\npoints:\n"
	                              "  - {metric: power_w, fc: 3, register: 0, type: uint16}\n";
	static const char two_types[] =
	        "profile: two-types\nclass: test\ndriver: modbus\nsource: fuzz fixture\n"
	        "points:\n  - {metric: power_w, fc: 3, register: 0, type: float32, order: cdab}\n"
	        "  - {metric: energy_kwh, kind: counter, counter_bits: 32, fc: 4, register: 2, "
	        "type: uint32, scale: 0.1}\n";
	char p[160];

	if (fz_dir[0])
		return fz_path;
	snprintf(fz_dir, sizeof(fz_dir), "/tmp/greendc-fuzz.XXXXXX");
	if (!mkdtemp(fz_dir))
		abort();
	atexit(fz_cleanup);
	snprintf(p, sizeof(p), "%s/profiles", fz_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/profiles/test", fz_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/profiles/test/one-reg.yaml", fz_dir);
	fz_write(p, one_reg, sizeof(one_reg) - 1);
	snprintf(p, sizeof(p), "%s/profiles/test/two-types.yaml", fz_dir);
	fz_write(p, two_types, sizeof(two_types) - 1);
	snprintf(fz_path, sizeof(fz_path), "%s/%s.yaml", fz_dir, name);
	return fz_path;
}

#endif

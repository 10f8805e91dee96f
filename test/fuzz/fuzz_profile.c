/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for profile parsing (profile_load in src/config.h). Profiles are data
 * that operators and contributors write by hand, so any text must give a profile or
 * diagnostics, never a crash, a leak or an over-read. The input is written to a temporary
 * file (profile_load reads files) and loaded as profile "fz".
 */
#include <stdint.h>

#include "config/config.h"
#include "fuzz_yaml_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_setup("fz");
	struct config_diag diag = {0};
	struct arena *a = config_arena_new();

	fz_write(path, data, size);
	struct profile *p = profile_load(a, fz_dir, "fz", &diag);
	/* Exactly one of: a profile, or at least one diagnostic. */
	if ((p != NULL) == (diag.count > 0))
		abort();
	if (diag.len >= sizeof(diag.text) || diag.text[diag.len] != '\0')
		abort();
	if (p) {
		volatile size_t sum = 0;
		for (size_t i = 0; i < p->npoints; i++)
			sum += p->points[i].nattrs;
		(void)sum;
	}
	config_arena_free(a);
	return 0;
}

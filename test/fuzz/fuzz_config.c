/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for config parsing (config_load in src/config.h): the whole file with
 * every section registered in src/config_sections.c. The input is written as greendc.yaml
 * in a temporary folder whose profiles/ holds two small profiles the config may name.
 * Any text must give a config or diagnostics, never a crash, a leak or an over-read.
 */
#include <stdint.h>

#include "config/config.h"
#include "daemon/sections.h"
#include "fuzz_yaml_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_setup("greendc");
	struct config_diag diag = {0};

	fz_write(path, data, size);
	struct config *cfg = greendc_config_load(path, &diag);
	if ((cfg != NULL) == (diag.count > 0))
		abort();
	if (diag.len >= sizeof(diag.text) || diag.text[diag.len] != '\0')
		abort();
	if (cfg) {
		for (size_t i = 0; i < cfg->ndevices; i++)
			if (!config_device_find(cfg, cfg->devices[i].name))
				abort();
	}
	config_free(cfg);
	return 0;
}

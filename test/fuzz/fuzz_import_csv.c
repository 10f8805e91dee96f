/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the CSV reader behind `greendc import` (src/importexport/import_csv.h),
 * which reads files from outside (meter exports, spreadsheets): the input is the file, served
 * through a memory file descriptor so the reader's own buffering and refills are exercised.
 *
 * What must hold besides "no sanitizer finding": csv_next returns 1 until 0 at the end (never
 * an error on memory input); a record has 1..CSV_MAX_FIELDS fields unless it is marked
 * malformed; every field is NUL-terminated at its length; line numbers never go back and
 * never pass the number of lines in the input; the reader ends after at most one record per
 * input byte (plus one).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util.h"
#include "importexport/import_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-csv", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET))
		abort(); /* the harness's own I/O: never a finding */
	unsigned long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct csv_reader *r = csv_open(fd);
	if (!r)
		abort();
	struct csv_record rec;
	unsigned long last = 0;
	size_t records = 0;
	int rc;
	while ((rc = csv_next(r, &rec)) == 1) {
		if (++records > size + 1)
			abort();
		if (rec.line < last || rec.line > lines)
			abort();
		last = rec.line;
		if (rec.error)
			continue;
		if (rec.n == 0 || rec.n > CSV_MAX_FIELDS)
			abort();
		for (size_t i = 0; i < rec.n; i++) {
			if (rec.f[i][rec.len[i]] != '\0')
				abort();
			double v;
			(void)util_parse_double(rec.f[i], &v);
		}
	}
	if (rc != 0)
		abort();
	csv_close(r);
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (OpenSSL's libcrypto) for the HTTP API's bearer token and ETags: the daemon keeps
 * only the token's hash and compares hashes in constant time. Plus its hex form.
 */
#ifndef GREENDC_SHA256_H
#define GREENDC_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* Lower-case hex of a digest into hex (65 bytes with the NUL). */
void sha256_hex(const uint8_t d[SHA256_LEN], char hex[2 * SHA256_LEN + 1]);

/* Parse 64 hex digits; false on anything else. */
bool sha256_parse_hex(const char *hex, uint8_t out[SHA256_LEN]);

/* Equal in time independent of where the first difference is. */
bool sha256_equal(const uint8_t a[SHA256_LEN], const uint8_t b[SHA256_LEN]);

#endif

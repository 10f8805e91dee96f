/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (see sha256.h) through OpenSSL's libcrypto, which the product already links for
 * HMAC and TLS: no hand-written hash. Known-answer tests (FIPS 180-4 examples and padding
 * edges) in test/unit/test_http_util.c.
 */
#include "core/sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;
	static const uint8_t empty;
	/* EVP_Digest fails only when out of memory (a context is allocated); a hash that cannot
	 * be computed must not be taken for a result. */
	if (!EVP_Digest(len ? data : &empty, len, out, &n, EVP_sha256(), NULL) || n != SHA256_LEN)
		abort();
}

void sha256_hex(const uint8_t d[SHA256_LEN], char hex[2 * SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_LEN] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool sha256_parse_hex(const char *hex, uint8_t out[SHA256_LEN])
{
	for (int i = 0; i < SHA256_LEN; i++) {
		int hi = nibble(hex[2 * i]), lo = hi < 0 ? -1 : nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * SHA256_LEN] == '\0';
}

bool sha256_equal(const uint8_t a[SHA256_LEN], const uint8_t b[SHA256_LEN])
{
	return CRYPTO_memcmp(a, b, SHA256_LEN) == 0;
}

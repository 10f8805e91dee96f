/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for Standard Webhooks verification (src/delivery/whsign.h), what a report
 * receiver runs on every request from the network: the webhook-id, webhook-timestamp and
 * webhook-signature headers and the body, under a key from a fuzzed "whsec_..." secret.
 *
 * Input: four lines (secret, id, timestamp, signature header), then the body (the rest).
 * What must hold besides "no sanitizer finding": whsign_std_verify returns 0 or one of
 * -EINVAL, -ETIME, -EBADMSG (-ENOMEM aside); a signature made by whsign_std_sign over the
 * same input verifies, and fails once its body is changed; base64 decoding stays within its
 * buffer and re-encodes to the canonical form of what it decoded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/whsign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_S 1795790096LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 2);
	char *line[4] = {"", "", "", ""};
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	char *p = s;
	for (int i = 0; i < 4 && p; i++) {
		line[i] = p;
		char *nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		p = nl;
	}
	const char *body = p ? p : "";
	size_t blen = p ? size - (size_t)(p - s) : 0;

	uint8_t key[WHSIGN_MAX_KEY];
	int kl = whsign_secret_key(line[0], key, sizeof(key));
	if (kl > (int)sizeof(key))
		abort();
	if (kl >= 0) {
		int rc = whsign_std_verify(key, (size_t)kl, line[1], line[2], body, blen, line[3],
		                           NOW_S, 300);
		if (rc != 0 && rc != -EINVAL && rc != -ETIME && rc != -EBADMSG && rc != -ENOMEM)
			abort();
		char sig[WHSIGN_SIG_LEN];
		if (*line[1] && strlen(line[1]) <= 256 &&
		    whsign_std_sign(key, (size_t)kl, line[1], NOW_S, body, blen, sig) == 0) {
			char ts[32];
			snprintf(ts, sizeof(ts), "%lld", NOW_S);
			if (whsign_std_verify(key, (size_t)kl, line[1], ts, body, blen, sig, NOW_S,
			                      300) != 0)
				abort();
			char *other = malloc(blen + 1);
			if (!other)
				abort();
			memcpy(other, body, blen);
			other[blen] = 'x';
			if (whsign_std_verify(key, (size_t)kl, line[1], ts, other, blen + 1, sig,
			                      NOW_S, 300) != -EBADMSG)
				abort();
			free(other);
		}
	}

	/* base64 of the signature line: decode, re-encode, decode again to the same bytes. */
	uint8_t bin[512], bin2[512];
	char enc[1024];
	int n = whsign_b64_decode(line[3], bin, sizeof(bin));
	if (n > (int)sizeof(bin))
		abort();
	if (n >= 0) {
		if (whsign_b64(bin, (size_t)n, enc, sizeof(enc)) < 0)
			abort();
		if (whsign_b64_decode(enc, bin2, sizeof(bin2)) != n || memcmp(bin, bin2, (size_t)n))
			abort();
	}
	free(s);
	return 0;
}

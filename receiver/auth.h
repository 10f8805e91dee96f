/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-site credentials and the signature checks of greendc-receiver (docs/fleet.md):
 *   - Standard Webhooks HMAC: "webhook-signature: v1,<base64 HMAC-SHA256(id.ts.body)>" under
 *     the site's "whsec_<base64>" secret (src/delivery/whsign.c does the HMAC);
 *   - Standard Webhooks asymmetric: "v1a,<base64 Ed25519(id.ts.body)>" under the site's
 *     public key, a PEM SubjectPublicKeyInfo or "whpk_<base64 of the raw 32 bytes>"
 *     (OpenSSL EVP, EVP_PKEY_ED25519);
 *   - a report's detached document signature "greendc-report-signature: ed25519=<base64>"
 *     over the body, checked against the same public key and stored as valid / invalid /
 *     none.
 * A site may hold both an HMAC secret and a public key. Pure apart from OpenSSL; no logging.
 */
#ifndef GREENDC_RX_AUTH_H
#define GREENDC_RX_AUTH_H

#include "delivery/whsign.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rx_cred {
	uint8_t hmac[WHSIGN_MAX_KEY];
	size_t hmac_len; /* 0 = no HMAC secret */
	uint8_t pk[32];
	bool has_pk;
};

/* An HMAC secret as greendcd's secret_file holds it ("whsec_<base64>", or raw text). */
int rx_cred_set_secret(struct rx_cred *c, const char *secret, char *err, size_t errlen);
/* A public key: PEM SubjectPublicKeyInfo text or "whpk_<base64 32 bytes>". */
int rx_cred_set_public(struct rx_cred *c, const char *text, char *err, size_t errlen);

/* Read a public (non-secret) file: a regular file, not a symlink or FIFO (opened
 * O_NONBLOCK | O_NOFOLLOW), under len bytes. 0 or -errno with a reason. */
int rx_read_public_file(const char *path, char *buf, size_t len, char *err, size_t errlen);

/* Verify the Standard Webhooks signature header (any matching entry of a scheme the site
 * has a key for). The timestamp was checked by rx_check_headers. 0, -EBADMSG or -EINVAL. */
int rx_cred_verify(const struct rx_cred *c, const char *id, const char *ts, const char *body,
                   size_t len, const char *sig_header);

/* "valid", "invalid" or "none" for a report's greendc-report-signature header (NULL when
 * absent); "invalid" also when the site has no public key to check it with. */
const char *rx_report_sig_status(const struct rx_cred *c, const char *hdr, const char *body,
                                 size_t len);

/* Ed25519 verification of msg (for tests and the load generator's self-check). */
bool rx_ed25519_verify(const uint8_t pk[32], const uint8_t *sig, size_t siglen, const void *msg,
                       size_t msglen);

#endif

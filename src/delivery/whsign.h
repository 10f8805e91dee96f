/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Webhook signatures (DOMAIN.md §8), on OpenSSL's HMAC-SHA256 and base64:
 *   - Standard Webhooks (our report endpoint): "v1,<base64 HMAC(key, id.timestamp.body)>",
 *     the key being the base64 part of a "whsec_..." secret;
 *   - DingTalk robots: sign = urlencode(base64(HMAC(secret, "<ms>\n<secret>")));
 *   - Feishu robots: sign = base64(HMAC(key = "<s>\n<secret>", message = "")).
 * Pure functions, no logging; the receiver (tools/receiver) and the pusher share them (secret
 * files are read with core/secretfile.h).
 */
#ifndef GREENDC_WHSIGN_H
#define GREENDC_WHSIGN_H

#include <stddef.h>
#include <stdint.h>

#define WHSIGN_MAX_KEY 256
#define WHSIGN_SIG_LEN 48 /* "v1," + 44 base64 + NUL fits */

/* Standard base64 with padding of n bytes into out (NUL-terminated). Length, or -ENOSPC. */
int whsign_b64(const uint8_t *in, size_t n, char *out, size_t outlen);

/* Decode standard base64 (padding optional, but when present exactly what completes the last
 * group of four; no whitespace). Bytes written, or -EINVAL / -ENOSPC. */
int whsign_b64_decode(const char *in, uint8_t *out, size_t outlen);

/* The key of a secret: "whsec_<base64>" decodes the base64; any other text is used as is.
 * Bytes written, or -EINVAL / -ENOSPC. */
int whsign_secret_key(const char *secret, uint8_t *key, size_t keylen);

/* HMAC-SHA256 of msg under key into mac[32]. 0 or -EIO. */
int whsign_hmac(const uint8_t *key, size_t keylen, const void *msg, size_t msglen, uint8_t mac[32]);

/* The webhook-signature value "v1,<base64>" for (id, ts seconds, body). 0 or -errno. */
int whsign_std_sign(const uint8_t *key, size_t keylen, const char *id, int64_t ts, const char *body,
                    size_t len, char out[WHSIGN_SIG_LEN]);

/* Verify Standard Webhooks headers: the timestamp must be within tolerance_s of now_s
 * (-ETIME otherwise) and one of the space-separated "v1,..." signatures must match in
 * constant time (-EBADMSG otherwise). -EINVAL for malformed headers. 0 when valid. */
int whsign_std_verify(const uint8_t *key, size_t keylen, const char *id, const char *ts_header,
                      const char *body, size_t len, const char *sig_header, int64_t now_s,
                      int64_t tolerance_s);

/* DingTalk: the url-encoded `sign` query value for timestamp ts_ms. 0 or -errno. */
int whsign_dingtalk(const char *secret, int64_t ts_ms, char *out, size_t outlen);

/* Feishu: the body's "sign" value for timestamp ts_s. 0 or -errno. */
int whsign_feishu(const char *secret, int64_t ts_s, char *out, size_t outlen);

#endif

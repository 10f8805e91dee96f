/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Webhook signatures (whsign.h). HMAC-SHA256 and base64 come from OpenSSL's libcrypto
 * (libssl-dev), the library libcurl already links on Debian: nothing hand-written.
 */
#include "delivery/whsign.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int whsign_b64(const uint8_t *in, size_t n, char *out, size_t outlen)
{
	size_t need = 4 * ((n + 2) / 3) + 1;
	if (need > outlen || n > INT32_MAX / 2)
		return -ENOSPC;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int whsign_b64_decode(const char *in, uint8_t *out, size_t outlen)
{
	/* libcrypto's EVP_DecodeBlock wants whole groups of four and counts the padding's zero
	 * bytes in its result; so the padding is checked here, put back when it was left out,
	 * and taken off the count. */
	size_t len = strlen(in),
	       data = strspn(in,
	                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	size_t pad = len - data;
	if (pad > 2 || strspn(in + data, "=") != pad || data % 4 == 1 ||
	    (pad && (data + pad) % 4 != 0))
		return -EINVAL;
	size_t groups = (data + 3) / 4, need = groups * 3 - (4 - data % 4) % 4;
	if (need > outlen)
		return -ENOSPC;
	if (data > INT32_MAX / 2)
		return -EINVAL;
	unsigned char *tmp = malloc(groups * 4 + 1), *bin = malloc(groups * 3 + 1);
	int rc = -ENOMEM;
	if (tmp && bin) {
		memcpy(tmp, in, data);
		memset(tmp + data, '=', groups * 4 - data);
		int n = EVP_DecodeBlock(bin, tmp, (int)(groups * 4));
		rc = n < 0 || (size_t)n != groups * 3 ? -EINVAL : (int)need;
		if (rc > 0)
			memcpy(out, bin, need);
	}
	free(tmp);
	free(bin);
	return rc;
}

int whsign_secret_key(const char *secret, uint8_t *key, size_t keylen)
{
	if (strncmp(secret, "whsec_", 6) == 0)
		return whsign_b64_decode(secret + 6, key, keylen);
	size_t n = strlen(secret);
	if (n > keylen)
		return -ENOSPC;
	memcpy(key, secret, n);
	return (int)n;
}

int whsign_hmac(const uint8_t *key, size_t keylen, const void *msg, size_t msglen, uint8_t mac[32])
{
	unsigned int n = 0;
	/* OpenSSL rejects a NULL key even of length 0 (Feishu's message is the empty one). */
	static const uint8_t empty;
	if (!HMAC(EVP_sha256(), keylen ? key : &empty, (int)keylen,
	          msglen ? msg : (const void *)&empty, msglen, mac, &n) ||
	    n != 32)
		return -EIO;
	return 0;
}

/* HMAC over "id.ts.body" (one-shot HMAC(): the streaming HMAC_CTX API is deprecated in
 * OpenSSL 3, and a payload is at most OUTBOX_MAX_PAYLOAD). */
static int std_mac(const uint8_t *key, size_t keylen, const char *id, int64_t ts, const char *body,
                   size_t len, uint8_t mac[32])
{
	char prefix[320];
	int n = snprintf(prefix, sizeof(prefix), "%s.%lld.", id, (long long)ts);
	if (n < 0 || (size_t)n >= sizeof(prefix))
		return -EINVAL;
	char *msg = malloc((size_t)n + len + 1);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, prefix, (size_t)n);
	if (len)
		memcpy(msg + n, body, len);
	int rc = whsign_hmac(key, keylen, msg, (size_t)n + len, mac);
	free(msg);
	return rc;
}

int whsign_std_sign(const uint8_t *key, size_t keylen, const char *id, int64_t ts, const char *body,
                    size_t len, char out[WHSIGN_SIG_LEN])
{
	uint8_t mac[32];
	int rc = std_mac(key, keylen, id, ts, body, len, mac);
	if (rc < 0)
		return rc;
	memcpy(out, "v1,", 3);
	rc = whsign_b64(mac, sizeof(mac), out + 3, WHSIGN_SIG_LEN - 3);
	return rc < 0 ? rc : 0;
}

int whsign_std_verify(const uint8_t *key, size_t keylen, const char *id, const char *ts_header,
                      const char *body, size_t len, const char *sig_header, int64_t now_s,
                      int64_t tolerance_s)
{
	if (!id || !*id || !ts_header || !sig_header || strlen(id) > 256)
		return -EINVAL;
	char *end;
	errno = 0;
	long long ts = strtoll(ts_header, &end, 10);
	if (errno || end == ts_header || *end)
		return -EINVAL;
	if (ts < now_s - tolerance_s || ts > now_s + tolerance_s)
		return -ETIME;
	uint8_t mac[32];
	char want[WHSIGN_SIG_LEN];
	int rc = std_mac(key, keylen, id, ts, body, len, mac);
	if (rc < 0)
		return rc;
	whsign_b64(mac, sizeof(mac), want, sizeof(want));
	size_t wl = strlen(want);
	/* Several signatures may be sent (key rotation): any v1 match is enough. */
	const char *p = sig_header;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e - p > 3 && strncmp(p, "v1,", 3) == 0 && (size_t)(e - p - 3) == wl &&
		    CRYPTO_memcmp(p + 3, want, wl) == 0)
			return 0;
		p = e;
	}
	return -EBADMSG;
}

static int sign_b64(const uint8_t *key, size_t keylen, const char *msg, size_t msglen, char *out,
                    size_t outlen)
{
	uint8_t mac[32];
	int rc = whsign_hmac(key, keylen, msg, msglen, mac);
	if (rc < 0)
		return rc;
	rc = whsign_b64(mac, sizeof(mac), out, outlen);
	return rc < 0 ? rc : 0;
}

int whsign_dingtalk(const char *secret, int64_t ts_ms, char *out, size_t outlen)
{
	char msg[512], b64[64];
	int n = snprintf(msg, sizeof(msg), "%lld\n%s", (long long)ts_ms, secret);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EINVAL;
	int rc =
	        sign_b64((const uint8_t *)secret, strlen(secret), msg, (size_t)n, b64, sizeof(b64));
	if (rc < 0)
		return rc;
	/* URL-encode: base64 has +, / and = to escape. */
	size_t o = 0;
	for (const char *p = b64; *p; p++) {
		const char *esc = *p == '+' ? "%2B" : *p == '/' ? "%2F" : *p == '=' ? "%3D" : NULL;
		size_t k = esc ? 3 : 1;
		if (o + k + 1 > outlen)
			return -ENOSPC;
		memcpy(out + o, esc ? esc : p, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

int whsign_feishu(const char *secret, int64_t ts_s, char *out, size_t outlen)
{
	char key[512];
	int n = snprintf(key, sizeof(key), "%lld\n%s", (long long)ts_s, secret);
	if (n < 0 || (size_t)n >= sizeof(key))
		return -EINVAL;
	return sign_b64((const uint8_t *)key, (size_t)n, "", 0, out, outlen);
}

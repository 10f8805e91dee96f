/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Site credentials and signature checks (auth.h) on OpenSSL libcrypto.
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rx_cred_set_secret(struct rx_cred *c, const char *secret, char *err, size_t errlen)
{
	int n = whsign_secret_key(secret, c->hmac, sizeof(c->hmac));
	if (n < 16) {
		snprintf(err, errlen,
		         "not a usable webhook secret (whsec_<base64>, 16 bytes or more)");
		return -EINVAL;
	}
	c->hmac_len = (size_t)n;
	return 0;
}

int rx_cred_set_public(struct rx_cred *c, const char *text, char *err, size_t errlen)
{
	if (strncmp(text, "whpk_", 5) == 0) {
		char b64[64];
		size_t n = strcspn(text + 5, " \t\r\n");
		uint8_t raw[48];
		if (n >= sizeof(b64)) {
			snprintf(err, errlen, "whpk_ key too long");
			return -EINVAL;
		}
		memcpy(b64, text + 5, n);
		b64[n] = '\0';
		if (whsign_b64_decode(b64, raw, sizeof(raw)) != 32) {
			snprintf(err, errlen, "whpk_ must be followed by the base64 of 32 bytes");
			return -EINVAL;
		}
		memcpy(c->pk, raw, 32);
		c->has_pk = true;
		return 0;
	}
	BIO *bio = BIO_new_mem_buf(text, -1);
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	size_t len = 32;
	int rc = 0;
	if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(k, c->pk, &len) != 1 || len != 32) {
		snprintf(err, errlen,
		         "not an Ed25519 public key (PEM SubjectPublicKeyInfo or whpk_)");
		rc = -EINVAL;
	} else {
		c->has_pk = true;
	}
	EVP_PKEY_free(k);
	BIO_free(bio);
	return rc;
}

int rx_read_public_file(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		rc = -EINVAL;
	} else if ((size_t)st.st_size >= len) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, len - 1);
		rc = -EFBIG;
	} else {
		ssize_t n = read(fd, buf, len - 1);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -EIO;
		} else {
			buf[n] = '\0';
		}
	}
	close(fd);
	return rc;
}

bool rx_ed25519_verify(const uint8_t pk[32], const uint8_t *sig, size_t siglen, const void *msg,
                       size_t msglen)
{
	if (siglen != 64)
		return false;
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *ctx = k ? EVP_MD_CTX_new() : NULL;
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
	          EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return ok;
}

/* Ed25519 over "id.ts.body" for one base64 signature of n characters. */
static bool v1a_ok(const struct rx_cred *c, const char *id, const char *ts, const char *body,
                   size_t len, const char *b64, size_t n)
{
	char tmp[128];
	uint8_t sig[96];
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, b64, n);
	tmp[n] = '\0';
	int sl = whsign_b64_decode(tmp, sig, sizeof(sig));
	if (sl != 64)
		return false;
	size_t il = strlen(id), tl = strlen(ts);
	char *msg = malloc(il + tl + 2 + len);
	if (!msg)
		return false;
	memcpy(msg, id, il);
	msg[il] = '.';
	memcpy(msg + il + 1, ts, tl);
	msg[il + 1 + tl] = '.';
	memcpy(msg + il + tl + 2, body, len);
	bool ok = rx_ed25519_verify(c->pk, sig, 64, msg, il + tl + 2 + len);
	free(msg);
	return ok;
}

int rx_cred_verify(const struct rx_cred *c, const char *id, const char *ts, const char *body,
                   size_t len, const char *sig_header)
{
	if (!id || !ts || !sig_header)
		return -EINVAL;
	/* HMAC entries through whsign (it skips the v1a ones); the timestamp was checked before
	 * the body was read, so the tolerance here is the whole range. */
	if (c->hmac_len && strstr(sig_header, "v1,")) {
		char *e;
		long long t = strtoll(ts, &e, 10);
		if (whsign_std_verify(c->hmac, c->hmac_len, id, ts, body, len, sig_header, t, 0) ==
		    0)
			return 0;
	}
	if (!c->has_pk)
		return -EBADMSG;
	for (const char *p = sig_header; (p = strstr(p, "v1a,")); p += 4) {
		if (p != sig_header && p[-1] != ' ')
			continue;
		size_t n = strcspn(p + 4, " ");
		if (v1a_ok(c, id, ts, body, len, p + 4, n))
			return 0;
	}
	return -EBADMSG;
}

const char *rx_report_sig_status(const struct rx_cred *c, const char *hdr, const char *body,
                                 size_t len)
{
	if (!hdr)
		return "none";
	uint8_t sig[96];
	if (!c->has_pk || strncmp(hdr, "ed25519=", 8) != 0 ||
	    whsign_b64_decode(hdr + 8, sig, sizeof(sig)) != 64)
		return "invalid";
	return rx_ed25519_verify(c->pk, sig, 64, body, len) ? "valid" : "invalid";
}

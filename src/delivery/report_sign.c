/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ed25519 report signatures (report_sign.h) with OpenSSL's EVP interface: no cryptography of
 * our own, only the file handling around it (the private key through the one secret-file
 * reader; a new key written with O_EXCL, mode 0600) and the encodings agreed with
 * greendc-receiver.
 */
#include "delivery/report_sign.h"

#include "core/secretfile.h"
#include "core/sha256.h"
#include "delivery/whsign.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY_FILE_MAX 4096

struct report_key {
	EVP_PKEY *pkey;
	char pem[256]; /* the public key, SubjectPublicKeyInfo PEM */
};

static struct report_key *wrap(EVP_PKEY *pkey, char *err, size_t errlen)
{
	if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "not an Ed25519 key in PEM form");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	struct report_key *k = calloc(1, sizeof(*k));
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n = 0;
	if (k && b && PEM_write_bio_PUBKEY(b, pkey) == 1)
		n = BIO_get_mem_data(b, &data);
	if (!k || n <= 0 || (size_t)n >= sizeof(k->pem)) {
		snprintf(err, errlen, "out of memory");
		BIO_free(b);
		free(k);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	memcpy(k->pem, data, (size_t)n);
	k->pem[n] = '\0';
	BIO_free(b);
	k->pkey = pkey;
	return k;
}

struct report_key *report_key_from_pem(const char *pem, char *err, size_t errlen)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return wrap(pkey, err, errlen);
}

struct report_key *report_key_load_private(const char *path, char *err, size_t errlen)
{
	char buf[KEY_FILE_MAX];
	size_t n = 0;
	if (secretfile_read(path, buf, sizeof(buf), &n, err, errlen) < 0)
		return NULL;
	BIO *b = BIO_new_mem_buf(buf, (int)n);
	EVP_PKEY *pkey = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	OPENSSL_cleanse(buf, sizeof(buf));
	struct report_key *k = wrap(pkey, err, errlen);
	if (!k) {
		char why[128];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", path, why);
	}
	return k;
}

struct report_key *report_key_load_public(const char *path, char *err, size_t errlen)
{
	char buf[KEY_FILE_MAX];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	struct report_key *k = report_key_from_pem(buf, err, errlen);
	if (!k) {
		char why[128];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", path, why);
	}
	return k;
}

void report_key_free(struct report_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

void report_key_fingerprint(const struct report_key *k, char fp[REPORT_FP_LEN])
{
	uint8_t raw[32], d[SHA256_LEN];
	size_t n = sizeof(raw);
	char b64[48];
	fp[0] = '\0';
	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != sizeof(raw))
		return;
	sha256(raw, n, d);
	if (whsign_b64(d, sizeof(d), b64, sizeof(b64)) < 0)
		return;
	b64[strcspn(b64, "=")] = '\0'; /* OpenSSH prints it without padding */
	snprintf(fp, REPORT_FP_LEN, "SHA256:%s", b64);
}

int report_sign_attach(cJSON *rep, const struct report_key *k)
{
	char fp[REPORT_FP_LEN];
	report_key_fingerprint(k, fp);
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "alg", "ed25519") ||
	    !cJSON_AddStringToObject(o, "fingerprint", fp) ||
	    !cJSON_AddStringToObject(o, "public_key", k->pem)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(rep, "signature_key");
	cJSON_AddItemToObject(rep, "signature_key", o);
	return 0;
}

int report_sign(const struct report_key *k, const void *msg, size_t len, char sig[REPORT_SIG_LEN])
{
	uint8_t raw[64];
	size_t n = sizeof(raw);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	         EVP_DigestSign(ctx, raw, &n, msg, len) == 1 && n == sizeof(raw);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EINVAL;
	return whsign_b64(raw, sizeof(raw), sig, REPORT_SIG_LEN) < 0 ? -ENOSPC : 0;
}

int report_verify(const struct report_key *k, const void *msg, size_t len, const char *sig)
{
	char s[REPORT_SIG_LEN + 8];
	uint8_t raw[66];
	size_t l = strlen(sig);
	while (l && (sig[l - 1] == '\n' || sig[l - 1] == '\r' || sig[l - 1] == ' '))
		l--;
	if (l != REPORT_SIG_LEN - 1)
		return -EINVAL;
	memcpy(s, sig, l);
	s[l] = '\0';
	if (whsign_b64_decode(s, raw, sizeof(raw)) != 64)
		return -EINVAL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1
	                 ? EVP_DigestVerify(ctx, raw, 64, msg, len)
	                 : -1;
	EVP_MD_CTX_free(ctx);
	return rc == 1 ? 0 : rc == 0 ? -EBADMSG : -EINVAL;
}

/* Write text to path, created with mode (refused when it exists). */
static int write_new(const char *path, const char *text, size_t n, mode_t mode, char *err,
                     size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	ssize_t w = write(fd, text, n);
	int e = errno;
	if (close(fd) != 0 || w != (ssize_t)n) {
		snprintf(err, errlen, "%s: %s", path, strerror(e ? e : EIO));
		unlink(path);
		return -EIO;
	}
	return 0;
}

int report_key_generate(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, pub[PATH_MAX + 8];
	long n = 0;
	int rc = -ENOMEM;
	if (pkey && b && PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL) == 1)
		n = BIO_get_mem_data(b, &data);
	if (n <= 0) {
		snprintf(err, errlen, "cannot generate an Ed25519 key");
		goto out;
	}
	snprintf(pub, sizeof(pub), "%s.pub", path);
	if (access(pub, F_OK) == 0) {
		snprintf(err, errlen, "%s: File exists", pub);
		rc = -EEXIST;
		goto out;
	}
	rc = write_new(path, data, (size_t)n, 0600, err, errlen);
	OPENSSL_cleanse(data, (size_t)n);
	if (rc < 0)
		goto out;
	struct report_key *k = wrap(pkey, err, errlen);
	pkey = NULL; /* wrap owns it now, or freed it */
	rc = k ? write_new(pub, k->pem, strlen(k->pem), 0644, err, errlen) : -ENOMEM;
	if (rc < 0)
		unlink(path);
	report_key_free(k);
out:
	BIO_free(b);
	EVP_PKEY_free(pkey);
	return rc;
}

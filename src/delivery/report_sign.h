/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Report signatures (docs/reports.md, "Signature"), on OpenSSL's Ed25519. The design is
 * agreed with greendc-receiver, which verifies the same bytes:
 *
 * - the key: Ed25519; the private key a PKCS#8 PEM in a 0600 file (reporting.signing_key,
 *   read only through core/secretfile.h), the public key a SubjectPublicKeyInfo PEM;
 * - the fingerprint: "SHA256:" + base64 without padding of SHA-256 over the raw 32-byte
 *   public key (as OpenSSH prints keys);
 * - the signed bytes: the report's canonical JSON (report_canonical: cJSON_PrintUnformatted),
 *   which carries signature_key {alg, fingerprint, public_key} but not the signature;
 * - the detached signature: one line, standard base64 (with padding) of the 64-byte
 *   signature; the pusher sends it as `greendc-report-signature: ed25519=<base64>`.
 */
#ifndef GREENDC_REPORT_SIGN_H
#define GREENDC_REPORT_SIGN_H

#include <stddef.h>

struct cJSON;
struct report_key; /* opaque: a private or a public key */

#define REPORT_SIG_LEN 89 /* base64 of 64 bytes (88) + NUL */
#define REPORT_FP_LEN  64 /* "SHA256:" + 43 + NUL fits */

/* A new key pair: the private key to path (created 0600, refused when it exists) and the
 * public key to path.pub. 0, or -errno with a message in err. */
int report_key_generate(const char *path, char *err, size_t errlen);

/* The private key from a secret file (core/secretfile.h: owner, mode 0600/0400, ...). */
struct report_key *report_key_load_private(const char *path, char *err, size_t errlen);
/* A public key from a PEM file, or from PEM text (a report's signature_key.public_key). */
struct report_key *report_key_load_public(const char *path, char *err, size_t errlen);
struct report_key *report_key_from_pem(const char *pem, char *err, size_t errlen);
void report_key_free(struct report_key *k);

/* "SHA256:..." of k's public key. */
void report_key_fingerprint(const struct report_key *k, char fp[REPORT_FP_LEN]);

/* Add signature_key {alg "ed25519", fingerprint, public_key (PEM)} to the report (replacing
 * one already there). 0 or -ENOMEM. */
int report_sign_attach(struct cJSON *rep, const struct report_key *k);

/* The detached signature of msg (base64). 0 or -errno (-EINVAL: k has no private part). */
int report_sign(const struct report_key *k, const void *msg, size_t len, char sig[REPORT_SIG_LEN]);

/* 0 when sig (base64; trailing blanks ignored) is k's signature of msg; -EBADMSG when it is
 * not; -EINVAL when sig is not 64 bytes of base64. */
int report_verify(const struct report_key *k, const void *msg, size_t len, const char *sig);

#endif

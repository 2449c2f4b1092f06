/* rein-hash.h: the hashes Bitcoin uses, through libgcrypt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_SHA256_LEN 32
#define REIN_HASH160_LEN 20
#define REIN_SHA512_LEN 64

/* Initialise libgcrypt once (secure memory, version check). Safe to call
 * from any thread any number of times; every function here calls it. The
 * secure memory is excluded from core dumps (MADV_DONTDUMP). */
void rein_crypto_init (void);

/* While at least one hold is on (a private key is unlocked), the process
 * is not dumpable: no core dump, no ptrace by other processes of the same
 * user. The last release restores what it was. Thread-safe; every
 * ReinPrivateKey holds one for its life. */
void rein_secure_hold (void);
void rein_secure_release (void);

void rein_sha256 (const void *data, gsize len, guint8 out[REIN_SHA256_LEN]);
void rein_sha256d (const void *data, gsize len, guint8 out[REIN_SHA256_LEN]);
void rein_ripemd160 (const void *data, gsize len, guint8 out[REIN_HASH160_LEN]);
void rein_hash160 (const void *data, gsize len, guint8 out[REIN_HASH160_LEN]);
void rein_hmac_sha512 (const void *key,
                       gsize key_len,
                       const void *data,
                       gsize data_len,
                       guint8 out[REIN_SHA512_LEN]);
gboolean rein_pbkdf2_sha512 (const void *password,
                             gsize password_len,
                             const void *salt,
                             gsize salt_len,
                             gulong iterations,
                             guint8 *out,
                             gsize out_len);

/* SHA-256 as lowercase hex (64 chars). */
gchar *rein_sha256_hex (const void *data, gsize len);

/* Fill @buf with bytes from the CSPRNG (libgcrypt's strong level). */
void rein_random_bytes (void *buf, gsize len);

/* Wipe a buffer in a way the compiler cannot elide. */
void rein_memwipe (void *buf, gsize len);

/* Constant-time comparison. */
gboolean rein_memeq_consttime (const void *a, const void *b, gsize len);

G_END_DECLS

/* rein-secret.h: secrets sealed with a password (scrypt + AES-256-GCM)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_STORE_ERROR (rein_store_error_quark ())

typedef enum
{
  REIN_STORE_ERROR_WRONG_PASSWORD, /* the password does not open the secret */
  REIN_STORE_ERROR_CORRUPT,        /* a sealed secret or the database is damaged */
  REIN_STORE_ERROR_DATABASE,       /* SQLite failed */
  REIN_STORE_ERROR_NOT_FOUND,
  REIN_STORE_ERROR_EXISTS,
  REIN_STORE_ERROR_INVALID,        /* bad input: name, backup file, key */
  REIN_STORE_ERROR_TOO_NEW,        /* database from a newer Rein */
  REIN_STORE_ERROR_READ_ONLY,      /* a change asked of a store opened read-only */
} ReinStoreError;

GQuark rein_store_error_quark (void);

/* scrypt cost. The default (N = 2^15, r = 8, p = 1, 32 MiB, about 0.1 s)
 * follows scrypt's interactive recommendation; tests may lower it. */
void rein_secret_set_scrypt_cost (guint log2_n);

/* Encrypts @len bytes of @secret under @password. @context is
 * authenticated but not stored: the same context must be given to open it,
 * so a sealed secret cannot be moved to another purpose. */
GBytes *rein_secret_seal (const gchar *password,
                          const guint8 *secret,
                          gsize len,
                          const gchar *context,
                          GError **error);

/* Decrypts into libgcrypt secure memory (free with rein_secure_free).
 * A NUL byte follows the secret, so text secrets can be used as strings. */
guint8 *rein_secret_open (const gchar *password,
                          GBytes *sealed,
                          const gchar *context,
                          gsize *out_len,
                          GError **error);

G_END_DECLS

/* rein-secret.c: secrets sealed with a password (scrypt + AES-256-GCM)
 *
 * Layout of a sealed secret (all integers little endian):
 *   "RSE1"  magic and version            4 bytes
 *   log2(N) scrypt cost, r = 8, p = 1    1 byte
 *   salt                                 16 bytes
 *   nonce                                12 bytes
 *   ciphertext                           n bytes
 *   tag                                  16 bytes
 * The header and the caller's context string are authenticated data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>

#include "rein-bitcoin.h"
#include "rein-secret.h"

G_DEFINE_QUARK (rein-store-error-quark, rein_store_error)

#define MAGIC "RSE1"
#define MAGIC_LEN 4
#define SALT_LEN 16
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEY_LEN 32
#define HEADER_LEN (MAGIC_LEN + 1 + SALT_LEN + NONCE_LEN)
#define MIN_LOG2_N 10
#define MAX_LOG2_N 20
#define MAX_SECRET_LEN (64 * 1024)

static guint scrypt_log2_n = 15;

void
rein_secret_set_scrypt_cost (guint log2_n)
{
  g_return_if_fail (log2_n >= MIN_LOG2_N && log2_n <= MAX_LOG2_N);
  scrypt_log2_n = log2_n;
}

static guint8 *
derive_key (const gchar *password, const guint8 *salt, guint log2_n, GError **error)
{
  guint8 *key = gcry_malloc_secure (KEY_LEN);
  gpg_error_t err;

  if (key == NULL)
    g_error ("Out of secure memory");
  /* libgcrypt's scrypt: subalgo is N, iterations is p; r is 8. */
  err = gcry_kdf_derive (password, strlen (password), GCRY_KDF_SCRYPT, 1u << log2_n,
                         salt, SALT_LEN, 1, KEY_LEN, key);
  if (err != 0)
    {
      gcry_free (key);
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT,
                   "Could not derive a key from the password: %s", gcry_strerror (err));
      return NULL;
    }
  return key;
}

static gcry_cipher_hd_t
open_cipher (const guint8 *key, const guint8 *header, const gchar *context)
{
  gcry_cipher_hd_t hd = NULL;

  if (gcry_cipher_open (&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE) != 0
      || gcry_cipher_setkey (hd, key, KEY_LEN) != 0
      || gcry_cipher_setiv (hd, header + MAGIC_LEN + 1 + SALT_LEN, NONCE_LEN) != 0)
    g_error ("AES-256-GCM is not available in libgcrypt");
  {
    /* GCM takes all the additional data in one call before the payload. */
    gsize context_len = strlen (context);
    g_autofree guint8 *aad = g_malloc (HEADER_LEN + context_len);

    memcpy (aad, header, HEADER_LEN);
    memcpy (aad + HEADER_LEN, context, context_len);
    if (gcry_cipher_authenticate (hd, aad, HEADER_LEN + context_len) != 0)
      g_error ("GCM authentication setup failed");
  }
  return hd;
}

GBytes *
rein_secret_seal (const gchar *password,
                  const guint8 *secret,
                  gsize len,
                  const gchar *context,
                  GError **error)
{
  guint8 *out, *key;
  gsize out_len = HEADER_LEN + len + TAG_LEN;
  gcry_cipher_hd_t hd;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (secret != NULL || len == 0, NULL);
  g_return_val_if_fail (context != NULL, NULL);

  rein_crypto_init ();
  if (len > MAX_SECRET_LEN)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "Secret is too large to seal");
      return NULL;
    }

  out = g_malloc (out_len);
  memcpy (out, MAGIC, MAGIC_LEN);
  out[MAGIC_LEN] = (guint8) scrypt_log2_n;
  gcry_randomize (out + MAGIC_LEN + 1, SALT_LEN, GCRY_STRONG_RANDOM);
  gcry_create_nonce (out + MAGIC_LEN + 1 + SALT_LEN, NONCE_LEN);

  key = derive_key (password, out + MAGIC_LEN + 1, scrypt_log2_n, error);
  if (key == NULL)
    {
      g_free (out);
      return NULL;
    }
  hd = open_cipher (key, out, context);
  gcry_free (key);
  if (gcry_cipher_final (hd) != 0
      || gcry_cipher_encrypt (hd, out + HEADER_LEN, len, secret, len) != 0
      || gcry_cipher_gettag (hd, out + HEADER_LEN + len, TAG_LEN) != 0)
    g_error ("AES-256-GCM encryption failed");
  gcry_cipher_close (hd);
  return g_bytes_new_take (out, out_len);
}

guint8 *
rein_secret_open (const gchar *password,
                  GBytes *sealed,
                  const gchar *context,
                  gsize *out_len,
                  GError **error)
{
  const guint8 *data;
  gsize size, len;
  guint8 *key, *plain;
  gcry_cipher_hd_t hd;
  gpg_error_t err;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (context != NULL, NULL);

  rein_crypto_init ();
  data = g_bytes_get_data (sealed, &size);
  if (size < HEADER_LEN + TAG_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0
      || data[MAGIC_LEN] < MIN_LOG2_N || data[MAGIC_LEN] > MAX_LOG2_N
      || size - HEADER_LEN - TAG_LEN > MAX_SECRET_LEN)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT,
                           "The stored secret is damaged or not a Rein secret");
      return NULL;
    }
  len = size - HEADER_LEN - TAG_LEN;

  key = derive_key (password, data + MAGIC_LEN + 1, data[MAGIC_LEN], error);
  if (key == NULL)
    return NULL;
  hd = open_cipher (key, data, context);
  gcry_free (key);

  plain = gcry_malloc_secure (len + 1);
  if (plain == NULL)
    g_error ("Out of secure memory");
  if (gcry_cipher_final (hd) != 0
      || gcry_cipher_decrypt (hd, plain, len, data + HEADER_LEN, len) != 0)
    g_error ("AES-256-GCM decryption failed");
  err = gcry_cipher_checktag (hd, data + HEADER_LEN + len, TAG_LEN);
  gcry_cipher_close (hd);
  if (err != 0)
    {
      gcry_free (plain);
      /* A wrong password and a tampered blob look the same to GCM; the
       * wrong password is by far the likelier cause. */
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD,
                           "Wrong password");
      return NULL;
    }
  plain[len] = '\0';
  if (out_len)
    *out_len = len;
  return plain;
}

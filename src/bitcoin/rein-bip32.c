/* rein-bip32.c: BIP32 hierarchical deterministic keys, and Rein's root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <secp256k1.h>

#include "rein-bip32.h"
#include "rein-bip39.h"
#include "rein-encoding.h"
#include "rein-hash.h"

struct _ReinExtKey
{
  guint8 secret[32];
  guint8 chain_code[32];
  guint8 public_key[33];
  guint8 parent_fingerprint[4];
  guint32 child_number;
  guint8 depth;
  gboolean has_private;
};

#define XPRV_MAIN 0x0488ADE4u
#define XPUB_MAIN 0x0488B21Eu
#define XPRV_TEST 0x04358394u
#define XPUB_TEST 0x043587CFu
#define SERIALIZED_LEN 78
#define MAX_PATH_DEPTH 255

static ReinExtKey *
ext_key_alloc (void)
{
  ReinExtKey *key;

  rein_crypto_init ();
  key = gcry_calloc_secure (1, sizeof *key);
  if (key == NULL)
    g_error ("Out of secure memory");
  rein_secure_hold ();
  return key;
}

void
rein_ext_key_free (ReinExtKey *key)
{
  if (key == NULL)
    return;
  rein_memwipe (key, sizeof *key);
  gcry_free (key);
  rein_secure_release ();
}

static gboolean
compute_public_key (ReinExtKey *key)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_pubkey pub;
  size_t len = 33;

  if (!secp256k1_ec_pubkey_create (ctx, &pub, key->secret))
    return FALSE;
  secp256k1_ec_pubkey_serialize (ctx, key->public_key, &len, &pub, SECP256K1_EC_COMPRESSED);
  return TRUE;
}

static ReinExtKey *
ext_key_from_parts (const guint8 secret[32], const guint8 chain_code[32], GError **error)
{
  ReinExtKey *key;

  if (!secp256k1_ec_seckey_verify (rein_secp256k1_context (), secret))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Seed gives an invalid master key");
      return NULL;
    }
  key = ext_key_alloc ();
  memcpy (key->secret, secret, 32);
  memcpy (key->chain_code, chain_code, 32);
  key->has_private = TRUE;
  if (!compute_public_key (key))
    {
      rein_ext_key_free (key);
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Seed gives an invalid master key");
      return NULL;
    }
  return key;
}

ReinExtKey *
rein_ext_key_new_master (const guint8 *seed, gsize len, GError **error)
{
  guint8 i[64];
  ReinExtKey *key;

  g_return_val_if_fail (seed != NULL, NULL);

  if (len < 16 || len > 64)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "A BIP32 seed is 16 to 64 bytes");
      return NULL;
    }
  rein_hmac_sha512 ("Bitcoin seed", 12, seed, len, i);
  key = ext_key_from_parts (i, i + 32, error);
  rein_memwipe (i, sizeof i);
  return key;
}

ReinExtKey *
rein_ext_key_new_rein_root (const guint8 seed[64], GError **error)
{
  g_return_val_if_fail (seed != NULL, NULL);

  return ext_key_from_parts (seed, seed + 32, error);
}

static void
write_be32 (guint8 *out, guint32 v)
{
  out[0] = v >> 24;
  out[1] = v >> 16;
  out[2] = v >> 8;
  out[3] = v;
}

static guint32
read_be32 (const guint8 *in)
{
  return ((guint32) in[0] << 24) | ((guint32) in[1] << 16) | ((guint32) in[2] << 8) | in[3];
}

ReinExtKey *
rein_ext_key_derive_child (const ReinExtKey *parent, guint32 index, GError **error)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  guint8 data[37];
  guint8 i[64];
  guint8 parent_hash[20];
  ReinExtKey *child;
  gboolean ok;

  g_return_val_if_fail (parent != NULL, NULL);

  if (index & REIN_BIP32_HARDENED)
    {
      if (!parent->has_private)
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                               "A hardened child needs the private parent key");
          return NULL;
        }
      data[0] = 0;
      memcpy (data + 1, parent->secret, 32);
    }
  else
    memcpy (data, parent->public_key, 33);
  write_be32 (data + 33, index);

  if (parent->depth == 255)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                           "Derivation is deeper than 255 levels");
      return NULL;
    }

  rein_hmac_sha512 (parent->chain_code, 32, data, sizeof data, i);
  rein_memwipe (data, sizeof data);

  child = ext_key_alloc ();
  memcpy (child->chain_code, i + 32, 32);
  child->depth = parent->depth + 1;
  child->child_number = index;
  rein_hash160 (parent->public_key, 33, parent_hash);
  memcpy (child->parent_fingerprint, parent_hash, 4);

  if (parent->has_private)
    {
      memcpy (child->secret, parent->secret, 32);
      child->has_private = TRUE;
      ok = secp256k1_ec_seckey_verify (ctx, i)
           && secp256k1_ec_seckey_tweak_add (ctx, child->secret, i)
           && compute_public_key (child);
    }
  else
    {
      secp256k1_pubkey pub;
      size_t len = 33;

      ok = secp256k1_ec_seckey_verify (ctx, i)
           && secp256k1_ec_pubkey_parse (ctx, &pub, parent->public_key, 33)
           && secp256k1_ec_pubkey_tweak_add (ctx, &pub, i);
      if (ok)
        secp256k1_ec_pubkey_serialize (ctx, child->public_key, &len, &pub,
                                       SECP256K1_EC_COMPRESSED);
    }
  rein_memwipe (i, sizeof i);

  if (!ok)
    {
      /* Probability below 2^-127; BIP32 says to use the next index. */
      rein_ext_key_free (child);
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                   "Child %u is invalid; use the next index", index);
      return NULL;
    }
  return child;
}

gboolean
rein_bip32_parse_path (const gchar *path, GArray **out_indices, GError **error)
{
  g_autoptr (GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  const gchar *p;

  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] != 'm' || (path[1] != '\0' && path[1] != '/'))
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                   "A derivation path starts with \"m/\"");
      return FALSE;
    }
  p = path + 1;
  while (*p == '/')
    {
      guint64 value = 0;
      guint32 index;
      gsize digits = 0;

      p++;
      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (guint64) (*p - '0');
          if (value >= REIN_BIP32_HARDENED)
            {
              g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                                   "Derivation index is too large");
              return FALSE;
            }
          p++;
          digits++;
        }
      if (digits == 0)
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                               "Derivation path has an empty or non-numeric step");
          return FALSE;
        }
      index = (guint32) value;
      if (*p == '\'' || *p == 'h' || *p == 'H')
        {
          index |= REIN_BIP32_HARDENED;
          p++;
        }
      if (indices->len == MAX_PATH_DEPTH)
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                               "Derivation path is too deep");
          return FALSE;
        }
      g_array_append_val (indices, index);
    }
  if (*p != '\0')
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH,
                           "Derivation path has unexpected characters");
      return FALSE;
    }
  if (out_indices)
    *out_indices = g_steal_pointer (&indices);
  return TRUE;
}

ReinExtKey *
rein_ext_key_derive_path (const ReinExtKey *root, const gchar *path, GError **error)
{
  g_autoptr (GArray) indices = NULL;
  ReinExtKey *key;

  g_return_val_if_fail (root != NULL, NULL);

  if (!rein_bip32_parse_path (path, &indices, error))
    return NULL;

  key = ext_key_alloc ();
  memcpy (key, root, sizeof *key);
  for (guint n = 0; n < indices->len; n++)
    {
      ReinExtKey *child = rein_ext_key_derive_child (key, g_array_index (indices, guint32, n),
                                                     error);

      rein_ext_key_free (key);
      if (child == NULL)
        return NULL;
      key = child;
    }
  return key;
}

ReinExtKey *
rein_ext_key_neuter (const ReinExtKey *key)
{
  ReinExtKey *pub;

  g_return_val_if_fail (key != NULL, NULL);

  pub = ext_key_alloc ();
  memcpy (pub, key, sizeof *pub);
  rein_memwipe (pub->secret, sizeof pub->secret);
  pub->has_private = FALSE;
  return pub;
}

gboolean
rein_ext_key_is_private (const ReinExtKey *key)
{
  g_return_val_if_fail (key != NULL, FALSE);
  return key->has_private;
}

guint8
rein_ext_key_get_depth (const ReinExtKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return key->depth;
}

guint32
rein_ext_key_get_child_number (const ReinExtKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return key->child_number;
}

const guint8 *
rein_ext_key_get_public_key (const ReinExtKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->public_key;
}

ReinPrivateKey *
rein_ext_key_get_private_key (const ReinExtKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  if (!key->has_private)
    return NULL;
  return rein_private_key_new_from_bytes (key->secret, TRUE, NULL);
}

static gchar *
serialize (const ReinExtKey *key, guint32 version, gboolean private)
{
  guint8 buf[SERIALIZED_LEN];
  g_autofree gchar *encoded = NULL;
  gchar *out;

  write_be32 (buf, version);
  buf[4] = key->depth;
  memcpy (buf + 5, key->parent_fingerprint, 4);
  write_be32 (buf + 9, key->child_number);
  memcpy (buf + 13, key->chain_code, 32);
  if (private)
    {
      buf[45] = 0;
      memcpy (buf + 46, key->secret, 32);
    }
  else
    memcpy (buf + 45, key->public_key, 33);

  encoded = rein_base58check_encode (buf, sizeof buf);
  rein_memwipe (buf, sizeof buf);
  if (!private)
    return g_steal_pointer (&encoded);

  out = gcry_malloc_secure (strlen (encoded) + 1);
  if (out == NULL)
    g_error ("Out of secure memory");
  strcpy (out, encoded);
  rein_memwipe (encoded, strlen (encoded));
  return out;
}

gchar *
rein_ext_key_serialize_private (const ReinExtKey *key, ReinNetwork network)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (key->has_private, NULL);

  return serialize (key, network == REIN_NETWORK_TESTNET ? XPRV_TEST : XPRV_MAIN, TRUE);
}

gchar *
rein_ext_key_serialize_public (const ReinExtKey *key, ReinNetwork network)
{
  g_return_val_if_fail (key != NULL, NULL);

  return serialize (key, network == REIN_NETWORK_TESTNET ? XPUB_TEST : XPUB_MAIN, FALSE);
}

ReinExtKey *
rein_ext_key_deserialize (const gchar *str, ReinNetwork *out_network, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint8 *buf;
  gsize len = 0;
  guint32 version;
  gboolean private;
  ReinExtKey *key = NULL;
  static const guint8 zero_fp[4] = { 0 };

  g_return_val_if_fail (str != NULL, NULL);

  buf = rein_base58check_decode (str, &len, &local_error);
  if (buf == NULL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                   "Not an extended key: %s", local_error->message);
      return NULL;
    }
  if (len != SERIALIZED_LEN)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Not an extended key: wrong length");
      goto out;
    }
  version = read_be32 (buf);
  if (version == XPRV_MAIN || version == XPRV_TEST)
    private = TRUE;
  else if (version == XPUB_MAIN || version == XPUB_TEST)
    private = FALSE;
  else
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Not an extended key: unknown version");
      goto out;
    }
  if (buf[4] == 0 && (memcmp (buf + 5, zero_fp, 4) != 0 || read_be32 (buf + 9) != 0))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Extended key at depth 0 has a parent or an index");
      goto out;
    }

  key = ext_key_alloc ();
  key->depth = buf[4];
  memcpy (key->parent_fingerprint, buf + 5, 4);
  key->child_number = read_be32 (buf + 9);
  memcpy (key->chain_code, buf + 13, 32);
  if (private)
    {
      if (buf[45] != 0 || !secp256k1_ec_seckey_verify (rein_secp256k1_context (), buf + 46))
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                               "Extended key holds an invalid private key");
          g_clear_pointer (&key, rein_ext_key_free);
          goto out;
        }
      memcpy (key->secret, buf + 46, 32);
      key->has_private = TRUE;
      compute_public_key (key);
    }
  else
    {
      if (!rein_public_key_validate (buf + 45, 33, NULL))
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                               "Extended key holds an invalid public key");
          g_clear_pointer (&key, rein_ext_key_free);
          goto out;
        }
      memcpy (key->public_key, buf + 45, 33);
    }
  if (out_network)
    *out_network = (version == XPRV_TEST || version == XPUB_TEST) ? REIN_NETWORK_TESTNET
                                                                   : REIN_NETWORK_MAINNET;

out:
  rein_memwipe (buf, len);
  g_free (buf);
  return key;
}

gboolean
rein_identity_keys_from_mnemonic (const gchar *phrase,
                                  const gchar *passphrase,
                                  ReinPrivateKey **out_master,
                                  ReinPrivateKey **out_delegate,
                                  GError **error)
{
  g_autoptr (ReinExtKey) root = NULL;
  g_autoptr (ReinExtKey) master = NULL;
  g_autoptr (ReinExtKey) delegate = NULL;
  guint8 seed[REIN_BIP39_SEED_LEN];

  g_return_val_if_fail (phrase != NULL, FALSE);

  if (!rein_bip39_validate (phrase, error))
    return FALSE;
  if (!rein_bip39_to_seed (phrase, passphrase, seed, error))
    return FALSE;
  root = rein_ext_key_new_rein_root (seed, error);
  rein_memwipe (seed, sizeof seed);
  if (root == NULL)
    return FALSE;

  master = rein_ext_key_derive_path (root, "m/0", error);
  if (master == NULL)
    return FALSE;
  delegate = rein_ext_key_derive_path (root, "m/1'/0", error);
  if (delegate == NULL)
    return FALSE;

  if (out_master)
    *out_master = rein_ext_key_get_private_key (master);
  if (out_delegate)
    *out_delegate = rein_ext_key_get_private_key (delegate);
  return TRUE;
}

/* rein-message.c: Bitcoin Core compatible signmessage / verifymessage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "rein-encoding.h"
#include "rein-hash.h"
#include "rein-message.h"

static const gchar magic[] = "Bitcoin Signed Message:\n";

/* Bitcoin's CompactSize encoding; returns the bytes written. */
static gsize
write_varint (guint8 *out, guint64 n)
{
  if (n < 0xfd)
    {
      out[0] = (guint8) n;
      return 1;
    }
  if (n <= 0xffff)
    {
      out[0] = 0xfd;
      out[1] = n & 0xff;
      out[2] = (n >> 8) & 0xff;
      return 3;
    }
  if (n <= 0xffffffff)
    {
      out[0] = 0xfe;
      for (guint i = 0; i < 4; i++)
        out[1 + i] = (n >> (8 * i)) & 0xff;
      return 5;
    }
  out[0] = 0xff;
  for (guint i = 0; i < 8; i++)
    out[1 + i] = (n >> (8 * i)) & 0xff;
  return 9;
}

void
rein_message_hash (const gchar *message, gsize len, guint8 out[32])
{
  guint8 prefix[1 + sizeof magic + 9];
  gsize prefix_len = 0;
  gcry_buffer_t parts[2] = { { 0 } };
  guint8 first[32];

  prefix_len += write_varint (prefix, sizeof magic - 1);
  memcpy (prefix + prefix_len, magic, sizeof magic - 1);
  prefix_len += sizeof magic - 1;
  prefix_len += write_varint (prefix + prefix_len, len);

  /* One call over both parts: opening a handle (gcry_md_open()) cost six
   * times the hashing of a document, for every signature checked. */
  rein_crypto_init ();
  parts[0].len = prefix_len;
  parts[0].data = prefix;
  parts[1].len = len;
  parts[1].data = (gpointer) message;
  if (gcry_md_hash_buffers (GCRY_MD_SHA256, 0, first, parts, G_N_ELEMENTS (parts)) != 0)
    g_error ("Could not compute SHA-256");
  rein_sha256 (first, 32, out);
}

gchar *
rein_message_sign (const ReinPrivateKey *key, const gchar *message, gsize len, GError **error)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_ecdsa_recoverable_signature sig;
  guint8 hash[32];
  guint8 compact[REIN_COMPACT_SIGNATURE_LEN];
  int recid = 0;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (message != NULL || len == 0, NULL);

  rein_message_hash (message, len, hash);
  /* RFC 6979 deterministic nonces, so no extra entropy is needed. */
  if (!secp256k1_ecdsa_sign_recoverable (ctx, &sig, hash, rein_private_key_get_secret (key),
                                         NULL, NULL))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED,
                           "Signing failed");
      return NULL;
    }
  secp256k1_ecdsa_recoverable_signature_serialize_compact (ctx, compact + 1, &recid, &sig);
  compact[0] = 27 + recid + (rein_private_key_get_compressed (key) ? 4 : 0);
  return g_base64_encode (compact, sizeof compact);
}

gboolean
rein_message_recover_pubkey (const guint8 hash[32],
                             const guint8 sig[REIN_COMPACT_SIGNATURE_LEN],
                             guint8 out_pubkey[65],
                             gsize *out_len,
                             GError **error)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_ecdsa_recoverable_signature rsig;
  secp256k1_pubkey pubkey;
  gboolean compressed;
  int recid;
  size_t len = 65;

  if (sig[0] < 27 || sig[0] > 34)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "Signature has an invalid header byte");
      return FALSE;
    }
  recid = (sig[0] - 27) & 3;
  compressed = sig[0] >= 31;

  if (!secp256k1_ecdsa_recoverable_signature_parse_compact (ctx, &rsig, sig + 1, recid)
      || !secp256k1_ecdsa_recover (ctx, &pubkey, &rsig, hash))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "Signature does not match the message");
      return FALSE;
    }
  secp256k1_ec_pubkey_serialize (ctx, out_pubkey, &len, &pubkey,
                                 compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
  if (out_len)
    *out_len = len;
  return TRUE;
}

static gboolean
decode_signature (const gchar *signature_b64, guint8 out[REIN_COMPACT_SIGNATURE_LEN], GError **error)
{
  g_autofree guint8 *raw = NULL;
  gsize b64_len, raw_len = 0;

  g_return_val_if_fail (signature_b64 != NULL, FALSE);

  /* 65 bytes are 88 base64 characters; GLib's decoder skips invalid
   * characters silently, so check the alphabet first. */
  b64_len = strlen (signature_b64);
  if (b64_len != 88)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "Signature is not 65 bytes of base64");
      return FALSE;
    }
  for (gsize i = 0; i < b64_len; i++)
    {
      gchar c = signature_b64[i];

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || (c == '=' && i >= b64_len - 2)))
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                               "Signature is not valid base64");
          return FALSE;
        }
    }
  raw = g_base64_decode (signature_b64, &raw_len);
  if (raw_len != REIN_COMPACT_SIGNATURE_LEN)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "Signature is not 65 bytes of base64");
      return FALSE;
    }
  memcpy (out, raw, REIN_COMPACT_SIGNATURE_LEN);
  return TRUE;
}

gchar *
rein_message_recover_address (const gchar *signature_b64,
                              const gchar *message,
                              gsize len,
                              ReinNetwork network,
                              GError **error)
{
  guint8 sig[REIN_COMPACT_SIGNATURE_LEN];
  guint8 hash[32];
  guint8 pubkey[65];
  gsize pubkey_len = 0;

  g_return_val_if_fail (message != NULL || len == 0, NULL);

  if (!decode_signature (signature_b64, sig, error))
    return NULL;
  rein_message_hash (message, len, hash);
  if (!rein_message_recover_pubkey (hash, sig, pubkey, &pubkey_len, error))
    return NULL;
  return rein_address_from_public_key (pubkey, pubkey_len, network);
}

gboolean
rein_message_verify (const gchar *address,
                     const gchar *signature_b64,
                     const gchar *message,
                     gsize len,
                     GError **error)
{
  guint8 expected[20];
  guint8 sig[REIN_COMPACT_SIGNATURE_LEN];
  guint8 hash[32];
  guint8 pubkey[65];
  guint8 actual[20];
  gsize pubkey_len = 0;
  ReinAddressType type;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (message != NULL || len == 0, FALSE);

  if (!rein_address_validate (address, NULL, &type, expected, error))
    return FALSE;
  if (type != REIN_ADDRESS_P2PKH)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                           "Only P2PKH addresses can sign messages");
      return FALSE;
    }
  if (!decode_signature (signature_b64, sig, error))
    return FALSE;
  rein_message_hash (message, len, hash);
  if (!rein_message_recover_pubkey (hash, sig, pubkey, &pubkey_len, error))
    return FALSE;
  rein_hash160 (pubkey, pubkey_len, actual);
  if (memcmp (actual, expected, 20) != 0)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "Signature was not made by this address");
      return FALSE;
    }
  return TRUE;
}

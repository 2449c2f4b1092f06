/* rein-key.c: secp256k1 private and public keys, WIF, addresses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <secp256k1.h>

#include "rein-encoding.h"
#include "rein-hash.h"
#include "rein-key.h"

struct _ReinPrivateKey
{
  guint8 secret[32];
  gboolean compressed;
  /* Made once: every signed put of a sync names the key's address, and
   * making the public key took as long as the signature itself. */
  guint8 public_key[65];
  guint8 public_key_len;
};

#define VERSION_P2PKH_MAIN 0x00
#define VERSION_P2SH_MAIN 0x05
#define VERSION_WIF_MAIN 0x80
#define VERSION_P2PKH_TEST 0x6f
#define VERSION_P2SH_TEST 0xc4
#define VERSION_WIF_TEST 0xef

const secp256k1_context *
rein_secp256k1_context (void)
{
  static secp256k1_context *ctx = NULL;

  if (g_once_init_enter (&ctx))
    {
      secp256k1_context *new_ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
      guint8 seed[32];

      /* Blinding against side channels, as libsecp256k1 recommends. */
      rein_random_bytes (seed, sizeof seed);
      if (!secp256k1_context_randomize (new_ctx, seed))
        g_error ("Could not randomize the secp256k1 context");
      rein_memwipe (seed, sizeof seed);
      g_once_init_leave (&ctx, new_ctx);
    }
  return ctx;
}

void
rein_secure_free (gpointer ptr)
{
  if (ptr == NULL)
    return;
  /* gcry_free wipes secure memory before releasing it. */
  gcry_free (ptr);
}

gchar *
rein_secure_strdup (const gchar *text)
{
  gsize len;
  gchar *copy;

  if (text == NULL)
    return NULL;
  /* the pool set up as ours (size, kept out of core dumps), not
   * libgcrypt's default on first use */
  rein_crypto_init ();
  len = strlen (text);
  copy = gcry_malloc_secure (len + 1);
  if (copy == NULL)
    g_error ("Out of secure memory");
  memcpy (copy, text, len + 1);
  return copy;
}

/* Fills in @key's public key, once its secret and form are set. */
static void
private_key_finish (ReinPrivateKey *key)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_pubkey pubkey;
  size_t len = sizeof key->public_key;

  if (!secp256k1_ec_pubkey_create (ctx, &pubkey, key->secret))
    g_error ("a private key in range has no public key");
  secp256k1_ec_pubkey_serialize (ctx, key->public_key, &len, &pubkey,
                                 key->compressed ? SECP256K1_EC_COMPRESSED
                                                 : SECP256K1_EC_UNCOMPRESSED);
  key->public_key_len = (guint8) len;
}

static ReinPrivateKey *
private_key_alloc (void)
{
  ReinPrivateKey *key;

  rein_crypto_init ();
  key = gcry_calloc_secure (1, sizeof *key);
  if (key == NULL)
    g_error ("Out of secure memory");
  rein_secure_hold ();
  return key;
}

ReinPrivateKey *
rein_private_key_new_from_bytes (const guint8 secret[32], gboolean compressed, GError **error)
{
  ReinPrivateKey *key;

  g_return_val_if_fail (secret != NULL, NULL);

  if (!secp256k1_ec_seckey_verify (rein_secp256k1_context (), secret))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Private key is out of range");
      return NULL;
    }
  key = private_key_alloc ();
  memcpy (key->secret, secret, 32);
  key->compressed = compressed;
  private_key_finish (key);
  return key;
}

ReinPrivateKey *
rein_private_key_generate (gboolean compressed)
{
  ReinPrivateKey *key = private_key_alloc ();

  key->compressed = compressed;
  do
    gcry_randomize (key->secret, sizeof key->secret, GCRY_VERY_STRONG_RANDOM);
  while (!secp256k1_ec_seckey_verify (rein_secp256k1_context (), key->secret));
  private_key_finish (key);
  return key;
}

ReinPrivateKey *
rein_private_key_new_from_wif (const gchar *wif, ReinNetwork *out_network, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint8 *payload;
  gsize len = 0;
  ReinPrivateKey *key = NULL;
  gboolean compressed;

  g_return_val_if_fail (wif != NULL, NULL);

  payload = rein_base58check_decode (wif, &len, &local_error);
  if (payload == NULL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                   "Not a valid WIF private key: %s", local_error->message);
      return NULL;
    }

  if (len == 34 && payload[33] == 0x01)
    compressed = TRUE;
  else if (len == 33)
    compressed = FALSE;
  else
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Not a valid WIF private key: wrong length");
      goto out;
    }

  if (payload[0] != VERSION_WIF_MAIN && payload[0] != VERSION_WIF_TEST)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Not a valid WIF private key: unknown version byte");
      goto out;
    }

  key = rein_private_key_new_from_bytes (payload + 1, compressed, error);
  if (key != NULL && out_network != NULL)
    *out_network = payload[0] == VERSION_WIF_TEST ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;

out:
  rein_memwipe (payload, len);
  g_free (payload);
  return key;
}

ReinPrivateKey *
rein_private_key_copy (const ReinPrivateKey *key)
{
  ReinPrivateKey *copy;

  g_return_val_if_fail (key != NULL, NULL);

  copy = private_key_alloc ();
  memcpy (copy, key, sizeof *copy);
  return copy;
}

void
rein_private_key_free (ReinPrivateKey *key)
{
  if (key == NULL)
    return;
  rein_memwipe (key, sizeof *key);
  gcry_free (key);
  rein_secure_release ();
}

const guint8 *
rein_private_key_get_secret (const ReinPrivateKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->secret;
}

gboolean
rein_private_key_get_compressed (const ReinPrivateKey *key)
{
  g_return_val_if_fail (key != NULL, FALSE);
  return key->compressed;
}

gchar *
rein_private_key_to_wif (const ReinPrivateKey *key, ReinNetwork network)
{
  guint8 payload[34];
  gsize len = key->compressed ? 34 : 33;
  g_autofree gchar *encoded = NULL;
  gchar *out;

  g_return_val_if_fail (key != NULL, NULL);

  payload[0] = network == REIN_NETWORK_TESTNET ? VERSION_WIF_TEST : VERSION_WIF_MAIN;
  memcpy (payload + 1, key->secret, 32);
  payload[33] = 0x01;
  encoded = rein_base58check_encode (payload, len);
  rein_memwipe (payload, sizeof payload);

  out = gcry_malloc_secure (strlen (encoded) + 1);
  if (out == NULL)
    g_error ("Out of secure memory");
  strcpy (out, encoded);
  rein_memwipe (encoded, strlen (encoded));
  return out;
}

gsize
rein_private_key_get_public_key (const ReinPrivateKey *key, guint8 out[65])
{
  g_return_val_if_fail (key != NULL, 0);

  memcpy (out, key->public_key, key->public_key_len);
  return key->public_key_len;
}

gchar *
rein_private_key_get_public_key_hex (const ReinPrivateKey *key)
{
  guint8 pub[65];
  gsize len = rein_private_key_get_public_key (key, pub);

  return rein_hex_encode (pub, len);
}

gchar *
rein_private_key_get_address (const ReinPrivateKey *key, ReinNetwork network)
{
  guint8 pub[65];
  gsize len = rein_private_key_get_public_key (key, pub);

  return rein_address_from_public_key (pub, len, network);
}

/* Keys found on the curve lately, per thread: checking a compressed key
 * takes a square root (some 10 µs), and validating a market asks about
 * the same few keys over and over (every bid names its job's creator and
 * mediator). A direct-mapped table, no locks; a key is only ever recorded
 * once libsecp256k1 has accepted it. */
#define VALID_KEY_SLOTS 1024

typedef struct
{
  guint8 len; /* 0: empty */
  guint8 key[REIN_PUBKEY_UNCOMPRESSED_LEN];
} ValidKeySlot;

static GPrivate valid_keys = G_PRIVATE_INIT (g_free);

static ValidKeySlot *
valid_key_slot (const guint8 *pubkey, gsize len)
{
  ValidKeySlot *table = g_private_get (&valid_keys);
  guint32 index;

  if (table == NULL)
    {
      table = g_new0 (ValidKeySlot, VALID_KEY_SLOTS);
      g_private_set (&valid_keys, table);
    }
  /* X is a hash-like field element: some of its bytes make a fine index. */
  memcpy (&index, pubkey + 1, sizeof index);
  return &table[index % VALID_KEY_SLOTS];
}

gboolean
rein_public_key_validate (const guint8 *pubkey, gsize len, GError **error)
{
  secp256k1_pubkey parsed;
  ValidKeySlot *slot;

  if ((len != REIN_PUBKEY_COMPRESSED_LEN || (pubkey[0] != 0x02 && pubkey[0] != 0x03))
      && (len != REIN_PUBKEY_UNCOMPRESSED_LEN || pubkey[0] != 0x04))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Public key has the wrong length or prefix");
      return FALSE;
    }
  slot = valid_key_slot (pubkey, len);
  if (slot->len == len && memcmp (slot->key, pubkey, len) == 0)
    return TRUE;
  if (!secp256k1_ec_pubkey_parse (rein_secp256k1_context (), &parsed, pubkey, len))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Public key is not a point on the curve");
      return FALSE;
    }
  slot->len = (guint8) len;
  memcpy (slot->key, pubkey, len);
  return TRUE;
}

gboolean
rein_public_key_parse_hex (const gchar *hex, guint8 out[65], gsize *out_len, GError **error)
{
  gsize hex_len;

  g_return_val_if_fail (hex != NULL, FALSE);

  hex_len = strlen (hex);
  if (hex_len != 66 && hex_len != 130)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                   "Public key must be 66 or 130 hex digits, got %" G_GSIZE_FORMAT, hex_len);
      return FALSE;
    }
  if (!rein_hex_decode_fixed (hex, out, hex_len / 2, error))
    return FALSE;
  if (!rein_public_key_validate (out, hex_len / 2, error))
    return FALSE;
  if (out_len)
    *out_len = hex_len / 2;
  return TRUE;
}

static guint8
address_version (ReinAddressType type, ReinNetwork network)
{
  if (type == REIN_ADDRESS_P2SH)
    return network == REIN_NETWORK_TESTNET ? VERSION_P2SH_TEST : VERSION_P2SH_MAIN;
  return network == REIN_NETWORK_TESTNET ? VERSION_P2PKH_TEST : VERSION_P2PKH_MAIN;
}

gchar *
rein_address_from_hash160 (const guint8 hash[20], ReinAddressType type, ReinNetwork network)
{
  guint8 payload[21];

  payload[0] = address_version (type, network);
  memcpy (payload + 1, hash, 20);
  return rein_base58check_encode (payload, sizeof payload);
}

gchar *
rein_address_from_public_key (const guint8 *pubkey, gsize len, ReinNetwork network)
{
  guint8 hash[20];

  rein_hash160 (pubkey, len, hash);
  return rein_address_from_hash160 (hash, REIN_ADDRESS_P2PKH, network);
}

gchar *
rein_address_p2sh_from_script (const guint8 *script, gsize len, ReinNetwork network)
{
  guint8 hash[20];

  rein_hash160 (script, len, hash);
  return rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, network);
}

/* Addresses and hex keys decoded lately, per thread, by their text: a
 * market names the same few signers, creators and mediators in every
 * document, and decoding base58 (a quadratic big-number division and a
 * double SHA-256) or hashing a key costs a hundred times a lookup here.
 * Direct-mapped tables, no locks; only what decoded without error is
 * recorded (an error is built again each time). Keys and addresses are
 * public. */
#define DECODED_SLOTS 1024
#define ADDRESS_TEXT_MAX 35 /* base58 P2PKH/P2SH addresses: 26 to 35 characters */
#define KEY_TEXT_MAX 130    /* hex public keys: 66 or 130 digits */

typedef struct
{
  gchar text[ADDRESS_TEXT_MAX + 1]; /* "": empty */
  guint8 network;
  guint8 type;
  guint8 hash160[20];
} AddressSlot;

typedef struct
{
  gchar text[KEY_TEXT_MAX + 1]; /* "": empty */
  guint8 hash160[20];
} KeyIdSlot;

typedef struct
{
  gchar text[KEY_TEXT_MAX + 1]; /* "": empty */
  guint8 point[REIN_PUBKEY_COMPRESSED_LEN];
} PointSlot;

static GPrivate address_slots = G_PRIVATE_INIT (g_free);
static GPrivate key_id_slots = G_PRIVATE_INIT (g_free);
static GPrivate point_slots = G_PRIVATE_INIT (g_free);

static gpointer
decoded_slot (GPrivate *tables, gsize slot_size, const gchar *text)
{
  guint8 *table = g_private_get (tables);

  if (table == NULL)
    {
      table = g_malloc0 (slot_size * DECODED_SLOTS);
      g_private_set (tables, table);
    }
  return table + slot_size * (g_str_hash (text) % DECODED_SLOTS);
}

gboolean
rein_address_validate (const gchar *address,
                       ReinNetwork *out_network,
                       ReinAddressType *out_type,
                       guint8 out_hash160[20],
                       GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree guint8 *payload = NULL;
  gsize len = 0;
  ReinNetwork network;
  ReinAddressType type;
  AddressSlot *slot;

  g_return_val_if_fail (address != NULL, FALSE);

  /* Base58 P2PKH/P2SH addresses are 26 to 35 characters. */
  if (strlen (address) < 26 || strlen (address) > ADDRESS_TEXT_MAX)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                           "Not a Bitcoin address: wrong length");
      return FALSE;
    }
  slot = decoded_slot (&address_slots, sizeof (AddressSlot), address);
  if (strcmp (slot->text, address) == 0)
    {
      if (out_network)
        *out_network = slot->network;
      if (out_type)
        *out_type = slot->type;
      if (out_hash160)
        memcpy (out_hash160, slot->hash160, 20);
      return TRUE;
    }
  payload = rein_base58check_decode (address, &len, &local_error);
  if (payload == NULL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                   "Not a Bitcoin address: %s", local_error->message);
      return FALSE;
    }
  if (len != 21)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                           "Not a Bitcoin address: wrong payload length");
      return FALSE;
    }
  switch (payload[0])
    {
    case VERSION_P2PKH_MAIN:
      network = REIN_NETWORK_MAINNET, type = REIN_ADDRESS_P2PKH;
      break;
    case VERSION_P2SH_MAIN:
      network = REIN_NETWORK_MAINNET, type = REIN_ADDRESS_P2SH;
      break;
    case VERSION_P2PKH_TEST:
      network = REIN_NETWORK_TESTNET, type = REIN_ADDRESS_P2PKH;
      break;
    case VERSION_P2SH_TEST:
      network = REIN_NETWORK_TESTNET, type = REIN_ADDRESS_P2SH;
      break;
    default:
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                   "Not a Bitcoin address: unknown version byte 0x%02x", payload[0]);
      return FALSE;
    }
  strcpy (slot->text, address);
  slot->network = network;
  slot->type = type;
  memcpy (slot->hash160, payload + 1, 20);
  if (out_network)
    *out_network = network;
  if (out_type)
    *out_type = type;
  if (out_hash160)
    memcpy (out_hash160, payload + 1, 20);
  return TRUE;
}

gchar *
rein_address_convert (const gchar *address, ReinNetwork network, GError **error)
{
  guint8 hash[20];
  ReinAddressType type;

  if (!rein_address_validate (address, NULL, &type, hash, error))
    return NULL;
  return rein_address_from_hash160 (hash, type, network);
}

gboolean
rein_key_id_from_string (const gchar *key_or_address, guint8 out_hash160[20])
{
  guint8 pub[REIN_PUBKEY_UNCOMPRESSED_LEN];
  guint8 hash[20];
  gsize len = 0;
  ReinAddressType type;
  gsize text_len;

  if (key_or_address == NULL)
    return FALSE;
  /* Hex keys are 66 or 130 characters, addresses 26 to 35: no overlap. */
  text_len = strnlen (key_or_address, KEY_TEXT_MAX + 1);
  if (text_len == 66 || text_len == KEY_TEXT_MAX)
    {
      KeyIdSlot *slot = decoded_slot (&key_id_slots, sizeof (KeyIdSlot), key_or_address);

      if (strcmp (slot->text, key_or_address) != 0)
        {
          if (!rein_public_key_parse_hex (key_or_address, pub, &len, NULL))
            return FALSE;
          rein_hash160 (pub, len, slot->hash160);
          strcpy (slot->text, key_or_address);
        }
      memcpy (hash, slot->hash160, sizeof hash);
    }
  else if (!rein_address_validate (key_or_address, NULL, &type, hash, NULL)
           || type != REIN_ADDRESS_P2PKH)
    return FALSE;
  if (out_hash160 != NULL)
    memcpy (out_hash160, hash, sizeof hash);
  return TRUE;
}

/* The compressed encoding of a hex public key's point. */
static gboolean
public_key_point (const gchar *hex, guint8 out[REIN_PUBKEY_COMPRESSED_LEN])
{
  guint8 pub[REIN_PUBKEY_UNCOMPRESSED_LEN];
  gsize len = 0;
  gsize text_len = strnlen (hex, KEY_TEXT_MAX + 1);
  PointSlot *slot;

  if (text_len != 66 && text_len != KEY_TEXT_MAX)
    return FALSE;
  /* Validating a market compares the same few keys over and over. */
  slot = decoded_slot (&point_slots, sizeof (PointSlot), hex);
  if (strcmp (slot->text, hex) == 0)
    {
      memcpy (out, slot->point, REIN_PUBKEY_COMPRESSED_LEN);
      return TRUE;
    }
  /* A point on the curve (checked there): its compressed form is X with
   * the parity of Y in the prefix, as libsecp256k1 would serialize it. */
  if (!rein_public_key_parse_hex (hex, pub, &len, NULL))
    return FALSE;
  memcpy (out + 1, pub + 1, 32);
  out[0] = len == REIN_PUBKEY_COMPRESSED_LEN ? pub[0] : (guint8) (0x02 | (pub[64] & 1));
  memcpy (slot->point, out, REIN_PUBKEY_COMPRESSED_LEN);
  strcpy (slot->text, hex);
  return TRUE;
}

gboolean
rein_public_key_hex_is_valid (const gchar *hex)
{
  guint8 point[REIN_PUBKEY_COMPRESSED_LEN];

  return hex != NULL && public_key_point (hex, point);
}

gboolean
rein_same_key (const gchar *a, const gchar *b)
{
  guint8 point_a[REIN_PUBKEY_COMPRESSED_LEN], point_b[REIN_PUBKEY_COMPRESSED_LEN];
  guint8 id_a[20], id_b[20];

  if (a == NULL || b == NULL)
    return FALSE;
  if (public_key_point (a, point_a) && public_key_point (b, point_b))
    return memcmp (point_a, point_b, sizeof point_a) == 0;
  return rein_key_id_from_string (a, id_a) && rein_key_id_from_string (b, id_b)
         && memcmp (id_a, id_b, sizeof id_a) == 0;
}

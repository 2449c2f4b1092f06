/* rein-key.h: secp256k1 private and public keys, WIF, addresses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-bitcoin-error.h"

G_BEGIN_DECLS

#define REIN_PUBKEY_COMPRESSED_LEN 33
#define REIN_PUBKEY_UNCOMPRESSED_LEN 65

/* A private key. Lives in libgcrypt secure memory; rein_private_key_free()
 * wipes it. */
typedef struct _ReinPrivateKey ReinPrivateKey;

typedef enum
{
  REIN_ADDRESS_P2PKH,
  REIN_ADDRESS_P2SH,
} ReinAddressType;

/* The shared, randomized libsecp256k1 context. */
const struct secp256k1_context_struct *rein_secp256k1_context (void);

ReinPrivateKey *rein_private_key_generate (gboolean compressed);
ReinPrivateKey *rein_private_key_new_from_bytes (const guint8 secret[32],
                                                 gboolean compressed,
                                                 GError **error);
ReinPrivateKey *rein_private_key_new_from_wif (const gchar *wif,
                                               ReinNetwork *out_network,
                                               GError **error);
ReinPrivateKey *rein_private_key_copy (const ReinPrivateKey *key);
void rein_private_key_free (ReinPrivateKey *key);

/* The 32 secret bytes; do not copy them out of secure memory. */
const guint8 *rein_private_key_get_secret (const ReinPrivateKey *key);
gboolean rein_private_key_get_compressed (const ReinPrivateKey *key);
/* Returned string is in secure memory: free with rein_secure_free(). */
gchar *rein_private_key_to_wif (const ReinPrivateKey *key, ReinNetwork network);
/* Serialized public key, 33 or 65 bytes per the key's compression flag. */
gsize rein_private_key_get_public_key (const ReinPrivateKey *key, guint8 out[65]);
gchar *rein_private_key_get_public_key_hex (const ReinPrivateKey *key);
gchar *rein_private_key_get_address (const ReinPrivateKey *key, ReinNetwork network);

void rein_secure_free (gpointer ptr);
/* A copy of @text (may be NULL) in libgcrypt's secure memory, for
 * rein_secure_free(); aborts when the secure pool is exhausted. */
gchar *rein_secure_strdup (const gchar *text);

/* Validates a serialized public key (33 or 65 bytes, on the curve). */
gboolean rein_public_key_validate (const guint8 *pubkey, gsize len, GError **error);
/* Parses a hex public key; on success writes it in the same form into @out. */
gboolean rein_public_key_parse_hex (const gchar *hex, guint8 out[65], gsize *out_len, GError **error);
/* Whether @hex is a public key rein_public_key_parse_hex() takes; its
 * encoding is then strlen (@hex) / 2 bytes. Answered from a per-thread
 * table for keys seen lately (markets name the same keys again and
 * again). */
gboolean rein_public_key_hex_is_valid (const gchar *hex);

gchar *rein_address_from_public_key (const guint8 *pubkey, gsize len, ReinNetwork network);
gchar *rein_address_from_hash160 (const guint8 hash[20], ReinAddressType type, ReinNetwork network);
gchar *rein_address_p2sh_from_script (const guint8 *script, gsize len, ReinNetwork network);

/* Checks an address; fills in what it is and its hash160. */
gboolean rein_address_validate (const gchar *address,
                                ReinNetwork *out_network,
                                ReinAddressType *out_type,
                                guint8 out_hash160[20],
                                GError **error);

/* Converts an address to the same hash and type on another network
 * (old testnet documents used mainnet-format addresses). */
gchar *rein_address_convert (const gchar *address, ReinNetwork network, GError **error);

/* "Are these two the same key?": the one rule for all of Rein.
 *
 * A key is written either as a hex public key (compressed, 66 digits, or
 * uncompressed, 130 digits; either hex case) or as the P2PKH address of a
 * key on either network (mainnet 0x00 or testnet 0x6f: old testnet documents
 * used mainnet-format addresses). A P2SH address names a script, not a key,
 * and is refused, as is anything else (no whitespace is trimmed).
 *
 * A key's id is the hash160 its P2PKH address holds; for a hex key, the hash
 * of the key in the encoding written. A compressed and an uncompressed key of
 * one point therefore have different ids and different addresses; Rein's
 * addresses are those of compressed keys. @out_hash160 may be NULL. */
gboolean rein_key_id_from_string (const gchar *key_or_address, guint8 out_hash160[20]);

/* TRUE when @a and @b denote the same key:
 * - two hex public keys are the same key when they are the same curve point,
 *   whatever their encodings (one key in two spellings is still one person);
 * - otherwise (one or both are addresses) when their key ids are equal, so
 *   an address matches only the encoding of the key whose hash it holds.
 * The rule is thus not transitive across encodings: a compressed key is the
 * same key as its uncompressed form and as its own address, but the
 * uncompressed form does not match that address.
 * FALSE when either is NULL or is neither a public key nor a P2PKH address. */
gboolean rein_same_key (const gchar *a, const gchar *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPrivateKey, rein_private_key_free)

G_END_DECLS

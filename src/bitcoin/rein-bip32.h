/* rein-bip32.h: BIP32 hierarchical deterministic keys, and Rein's root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-key.h"

G_BEGIN_DECLS

#define REIN_BIP32_HARDENED 0x80000000u

/* An extended key, private or public only. Private ones live in secure
 * memory and are wiped by rein_ext_key_free(). */
typedef struct _ReinExtKey ReinExtKey;

/* BIP32's master key: HMAC-SHA512("Bitcoin seed", seed). */
ReinExtKey *rein_ext_key_new_master (const guint8 *seed, gsize len, GError **error);
/* Rein's root (PROTOCOL.md 1): key = seed[0..31], chain code = seed[32..63]. */
ReinExtKey *rein_ext_key_new_rein_root (const guint8 seed[64], GError **error);

ReinExtKey *rein_ext_key_derive_child (const ReinExtKey *parent, guint32 index, GError **error);
ReinExtKey *rein_ext_key_derive_path (const ReinExtKey *root, const gchar *path, GError **error);
ReinExtKey *rein_ext_key_neuter (const ReinExtKey *key);
void rein_ext_key_free (ReinExtKey *key);

gboolean rein_ext_key_is_private (const ReinExtKey *key);
guint8 rein_ext_key_get_depth (const ReinExtKey *key);
guint32 rein_ext_key_get_child_number (const ReinExtKey *key);
/* Compressed public key (33 bytes). */
const guint8 *rein_ext_key_get_public_key (const ReinExtKey *key);
/* A compressed private key, or NULL for a public-only key. */
ReinPrivateKey *rein_ext_key_get_private_key (const ReinExtKey *key);

/* xprv (secure memory; rein_secure_free) / xpub, tprv / tpub on testnet. */
gchar *rein_ext_key_serialize_private (const ReinExtKey *key, ReinNetwork network);
gchar *rein_ext_key_serialize_public (const ReinExtKey *key, ReinNetwork network);
ReinExtKey *rein_ext_key_deserialize (const gchar *str, ReinNetwork *out_network, GError **error);

/* Parses "m/1'/0" (also h/H for hardened). Returns indices. */
gboolean rein_bip32_parse_path (const gchar *path, GArray **out_indices, GError **error);

/* The identity keys of a Rein recovery phrase: master m/0, delegate m/1'/0
 * from the Rein root. Either out pointer may be NULL. */
gboolean rein_identity_keys_from_mnemonic (const gchar *phrase,
                                           const gchar *passphrase,
                                           ReinPrivateKey **out_master,
                                           ReinPrivateKey **out_delegate,
                                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinExtKey, rein_ext_key_free)

G_END_DECLS

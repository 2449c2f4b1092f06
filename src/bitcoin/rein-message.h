/* rein-message.h: Bitcoin Core compatible signmessage / verifymessage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-key.h"

G_BEGIN_DECLS

#define REIN_COMPACT_SIGNATURE_LEN 65

/* The 32-byte hash Bitcoin Core signs for @message. */
void rein_message_hash (const gchar *message, gsize len, guint8 out[32]);

/* Returns the base64 signature. */
gchar *rein_message_sign (const ReinPrivateKey *key, const gchar *message, gsize len, GError **error);

/* Recovers the P2PKH address (on @network) that made @signature_b64 over
 * @message. */
gchar *rein_message_recover_address (const gchar *signature_b64,
                                     const gchar *message,
                                     gsize len,
                                     ReinNetwork network,
                                     GError **error);

/* Recovers the signer from an already hashed message and decoded 65-byte
 * signature; writes the serialized public key. Lowest layer, for benchmarks. */
gboolean rein_message_recover_pubkey (const guint8 hash[32],
                                      const guint8 sig[REIN_COMPACT_SIGNATURE_LEN],
                                      guint8 out_pubkey[65],
                                      gsize *out_len,
                                      GError **error);

/* TRUE when @signature_b64 is a valid signature of @message by @address
 * (either network's version byte is accepted for the address). */
gboolean rein_message_verify (const gchar *address,
                              const gchar *signature_b64,
                              const gchar *message,
                              gsize len,
                              GError **error);

G_END_DECLS

/* rein-bip39.h: BIP39 English mnemonics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_BIP39_SEED_LEN 64

/* The 2048 English words, NULL-terminated, in order. */
const gchar *const *rein_bip39_wordlist (void);
/* Index of @word in the list, or -1. */
gint rein_bip39_word_index (const gchar *word);

/* Words starting with @prefix (for completion); at most @max. */
GPtrArray *rein_bip39_complete (const gchar *prefix, guint max);

/* A new phrase from @strength bits of CSPRNG entropy (128..256, step 32).
 * The result is in secure memory: free with rein_secure_free(). */
gchar *rein_bip39_generate (guint strength);

/* Phrase for given entropy (16..32 bytes, multiple of 4). Secure memory. */
gchar *rein_bip39_from_entropy (const guint8 *entropy, gsize len, GError **error);

/* Checks word count (12, 15, 18, 21, 24), each word, and the checksum.
 * Extra whitespace between words is tolerated. */
gboolean rein_bip39_validate (const gchar *phrase, GError **error);

/* PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase in NFKD
 * (the English words are ASCII, so NFKD leaves them as they are). */
gboolean rein_bip39_to_seed (const gchar *phrase,
                             const gchar *passphrase,
                             guint8 seed[REIN_BIP39_SEED_LEN],
                             GError **error);

G_END_DECLS

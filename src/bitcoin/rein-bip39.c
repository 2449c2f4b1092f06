/* rein-bip39.c: BIP39 English mnemonics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "rein-bip39.h"
#include "rein-bitcoin-resources.h"
#include "rein-bitcoin-error.h"
#include "rein-hash.h"
#include "rein-key.h"

#define WORD_COUNT 2048
/* Longest English word is 8 letters; 24 words with spaces fit easily. */
#define MAX_PHRASE_LEN 1024

static const gchar *const *
load_wordlist (void)
{
  static gchar **words = NULL;

  if (g_once_init_enter (&words))
    {
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree gchar *text = NULL;
      gchar **list;
      gsize size = 0;

      /* Looked up in our own resource, not the global registry: a static
       * library's resource constructor may never be linked in. */
      bytes = g_resource_lookup_data (rein_bitcoin_get_resource (),
                                      "/org/reinproject/Rein/bitcoin/bip39-english.txt",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_error ("BIP39 word list missing from resources: %s", error->message);
      text = g_strndup (g_bytes_get_data (bytes, &size), g_bytes_get_size (bytes));
      g_strchomp (text);
      list = g_strsplit (text, "\n", -1);
      if (g_strv_length (list) != WORD_COUNT)
        g_error ("BIP39 word list has %u words", g_strv_length (list));
      g_once_init_leave (&words, list);
    }
  return (const gchar *const *) words;
}

const gchar *const *
rein_bip39_wordlist (void)
{
  return load_wordlist ();
}

gint
rein_bip39_word_index (const gchar *word)
{
  const gchar *const *words = load_wordlist ();
  gint lo = 0, hi = WORD_COUNT - 1;

  g_return_val_if_fail (word != NULL, -1);

  /* The English list is sorted. */
  while (lo <= hi)
    {
      gint mid = (lo + hi) / 2;
      gint cmp = strcmp (word, words[mid]);

      if (cmp == 0)
        return mid;
      if (cmp < 0)
        hi = mid - 1;
      else
        lo = mid + 1;
    }
  return -1;
}

GPtrArray *
rein_bip39_complete (const gchar *prefix, guint max)
{
  const gchar *const *words = load_wordlist ();
  GPtrArray *matches = g_ptr_array_new ();
  gsize prefix_len;

  g_return_val_if_fail (prefix != NULL, matches);

  prefix_len = strlen (prefix);
  for (guint i = 0; i < WORD_COUNT && matches->len < max; i++)
    if (strncmp (words[i], prefix, prefix_len) == 0)
      g_ptr_array_add (matches, (gpointer) words[i]);
  return matches;
}

static gchar *
secure_strdup_len (gsize len)
{
  gchar *out;

  rein_crypto_init ();
  out = gcry_calloc_secure (1, len + 1);
  if (out == NULL)
    g_error ("Out of secure memory");
  return out;
}

gchar *
rein_bip39_from_entropy (const guint8 *entropy, gsize len, GError **error)
{
  const gchar *const *words = load_wordlist ();
  guint8 hash[32];
  guint8 buf[33];
  gsize bits, n_words;
  gchar *phrase;
  gsize pos = 0;

  if (len < 16 || len > 32 || len % 4 != 0)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC,
                           "Entropy must be 16 to 32 bytes, a multiple of 4");
      return NULL;
    }
  rein_sha256 (entropy, len, hash);
  memcpy (buf, entropy, len);
  buf[len] = hash[0];
  bits = len * 8 + len / 4;
  n_words = bits / 11;

  phrase = secure_strdup_len (n_words * 9);
  for (gsize w = 0; w < n_words; w++)
    {
      guint index = 0;
      const gchar *word;

      for (gsize b = w * 11; b < w * 11 + 11; b++)
        index = (index << 1) | ((buf[b / 8] >> (7 - b % 8)) & 1);
      word = words[index];
      if (w > 0)
        phrase[pos++] = ' ';
      memcpy (phrase + pos, word, strlen (word));
      pos += strlen (word);
    }
  rein_memwipe (buf, sizeof buf);
  rein_memwipe (hash, sizeof hash);
  return phrase;
}

gchar *
rein_bip39_generate (guint strength)
{
  guint8 entropy[32];
  gchar *phrase;

  g_return_val_if_fail (strength >= 128 && strength <= 256 && strength % 32 == 0, NULL);

  rein_crypto_init ();
  gcry_randomize (entropy, strength / 8, GCRY_VERY_STRONG_RANDOM);
  phrase = rein_bip39_from_entropy (entropy, strength / 8, NULL);
  rein_memwipe (entropy, sizeof entropy);
  return phrase;
}

/* Splits @phrase on ASCII whitespace into word indices. Returns the word
 * count, or -1 with @error set. */
static gint
phrase_to_indices (const gchar *phrase, guint16 indices[24], GError **error)
{
  gint count = 0;
  const gchar *p = phrase;

  if (strlen (phrase) > MAX_PHRASE_LEN)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC,
                           _("Recovery phrase is too long"));
      return -1;
    }
  while (*p)
    {
      gchar word[16];
      gsize len = 0;
      gint index;

      while (*p && g_ascii_isspace (*p))
        p++;
      if (!*p)
        break;
      while (p[len] && !g_ascii_isspace (p[len]))
        len++;
      if (count == 24)
        {
          g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC,
                               _("A recovery phrase has at most 24 words"));
          return -1;
        }
      if (len >= sizeof word)
        index = -1;
      else
        {
          memcpy (word, p, len);
          word[len] = '\0';
          index = rein_bip39_word_index (word);
          rein_memwipe (word, sizeof word);
        }
      if (index < 0)
        {
          /* Say which word, by position, never the word itself. */
          g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC,
                       _("Word %d is not in the BIP39 English word list"), count + 1);
          return -1;
        }
      indices[count++] = (guint16) index;
      p += len;
    }
  return count;
}

gboolean
rein_bip39_validate (const gchar *phrase, GError **error)
{
  guint16 indices[24];
  guint8 buf[33] = { 0 };
  guint8 hash[32];
  gint count;
  gsize total_bits, ent_bytes, cs_bits;
  guint8 expected, actual;
  gboolean ok;

  g_return_val_if_fail (phrase != NULL, FALSE);

  count = phrase_to_indices (phrase, indices, error);
  if (count < 0)
    return FALSE;
  if (count < 12 || count % 3 != 0)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC,
                   _("A recovery phrase has 12, 15, 18, 21 or 24 words, not %d"), count);
      return FALSE;
    }
  total_bits = (gsize) count * 11;
  for (gsize b = 0; b < total_bits; b++)
    if ((indices[b / 11] >> (10 - b % 11)) & 1)
      buf[b / 8] |= 1 << (7 - b % 8);
  cs_bits = total_bits / 33;
  ent_bytes = (total_bits - cs_bits) / 8;
  rein_sha256 (buf, ent_bytes, hash);
  expected = hash[0] >> (8 - cs_bits);
  actual = buf[ent_bytes] >> (8 - cs_bits);
  ok = expected == actual;
  rein_memwipe (buf, sizeof buf);
  rein_memwipe (hash, sizeof hash);
  rein_memwipe (indices, sizeof indices);
  if (!ok)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_BAD_CHECKSUM,
                           _("The recovery phrase's checksum does not match: check the words"));
      return FALSE;
    }
  return TRUE;
}

gboolean
rein_bip39_to_seed (const gchar *phrase,
                    const gchar *passphrase,
                    guint8 seed[REIN_BIP39_SEED_LEN],
                    GError **error)
{
  gchar *normalized, *salt;
  gsize normalized_len = 0, salt_len;
  const gchar *p;
  gboolean ok;

  g_return_val_if_fail (phrase != NULL, FALSE);

  if (passphrase == NULL)
    passphrase = "";

  /* The seed is computed over the words joined by single spaces. Both
   * buffers hold secrets, so they live in secure memory. */
  normalized = secure_strdup_len (strlen (phrase));
  for (p = phrase; *p; )
    {
      gsize len = 0;

      while (*p && g_ascii_isspace (*p))
        p++;
      while (p[len] && !g_ascii_isspace (p[len]))
        len++;
      if (len == 0)
        break;
      if (normalized_len > 0)
        normalized[normalized_len++] = ' ';
      memcpy (normalized + normalized_len, p, len);
      normalized_len += len;
      p += len;
    }

  /* BIP39 normalizes the passphrase to NFKD; the copy is wiped at once. */
  {
    gchar *nfkd = g_utf8_validate (passphrase, -1, NULL)
                    ? g_utf8_normalize (passphrase, -1, G_NORMALIZE_ALL)
                    : NULL;
    const gchar *pass = nfkd ? nfkd : passphrase;

    salt_len = strlen ("mnemonic") + strlen (pass);
    salt = secure_strdup_len (salt_len);
    memcpy (salt, "mnemonic", 8);
    memcpy (salt + 8, pass, strlen (pass));
    if (nfkd)
      rein_memwipe (nfkd, strlen (nfkd));
    g_free (nfkd);
  }

  ok = rein_pbkdf2_sha512 (normalized, normalized_len, salt, salt_len, 2048,
                           seed, REIN_BIP39_SEED_LEN);
  rein_secure_free (salt);
  rein_secure_free (normalized);

  if (!ok)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED,
                           "Could not derive the seed");
      return FALSE;
    }
  return TRUE;
}

/* test-bip39.c: BIP39 mnemonics against the reference vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "rein-bitcoin.h"
#include "rein-test-util.h"

static void
test_reference_vectors (void)
{
  g_autofree gchar *path = rein_test_shared_path ("vectors/bip39-vectors.json");
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *english;

  if (path == NULL)
    return;

  parser = json_parser_new ();
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  english = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "english");
  g_assert_cmpuint (json_array_get_length (english), >=, 24);

  for (guint i = 0; i < json_array_get_length (english); i++)
    {
      JsonArray *v = json_array_get_array_element (english, i);
      const gchar *entropy_hex = json_array_get_string_element (v, 0);
      const gchar *mnemonic = json_array_get_string_element (v, 1);
      const gchar *seed_hex = json_array_get_string_element (v, 2);
      const gchar *xprv = json_array_get_string_element (v, 3);
      g_autofree guint8 *entropy = NULL;
      g_autofree gchar *got_seed = NULL;
      g_autoptr (ReinExtKey) master = NULL;
      gchar *phrase, *got_xprv;
      guint8 seed[64];
      gsize len = 0;

      entropy = rein_hex_decode (entropy_hex, &len, &error);
      g_assert_no_error (error);
      phrase = rein_bip39_from_entropy (entropy, len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (phrase, ==, mnemonic);
      rein_secure_free (phrase);

      g_assert_true (rein_bip39_validate (mnemonic, &error));
      g_assert_no_error (error);

      g_assert_true (rein_bip39_to_seed (mnemonic, "TREZOR", seed, &error));
      got_seed = rein_hex_encode (seed, sizeof seed);
      g_assert_cmpstr (got_seed, ==, seed_hex);

      master = rein_ext_key_new_master (seed, sizeof seed, &error);
      g_assert_no_error (error);
      got_xprv = rein_ext_key_serialize_private (master, REIN_NETWORK_MAINNET);
      g_assert_cmpstr (got_xprv, ==, xprv);
      rein_secure_free (got_xprv);
    }
}

static void
test_wordlist (void)
{
  const gchar *const *words = rein_bip39_wordlist ();
  g_autoptr (GPtrArray) completions = NULL;

  g_assert_cmpuint (g_strv_length ((gchar **) words), ==, 2048);
  g_assert_cmpstr (words[0], ==, "abandon");
  g_assert_cmpstr (words[2047], ==, "zoo");
  g_assert_cmpint (rein_bip39_word_index ("abandon"), ==, 0);
  g_assert_cmpint (rein_bip39_word_index ("zoo"), ==, 2047);
  g_assert_cmpint (rein_bip39_word_index ("about"), ==, 3);
  g_assert_cmpint (rein_bip39_word_index ("bitcoin"), ==, -1);
  g_assert_cmpint (rein_bip39_word_index (""), ==, -1);

  completions = rein_bip39_complete ("aba", 10);
  g_assert_cmpuint (completions->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (completions, 0), ==, "abandon");
  g_clear_pointer (&completions, g_ptr_array_unref);
  completions = rein_bip39_complete ("ab", 3);
  g_assert_cmpuint (completions->len, ==, 3);
  g_clear_pointer (&completions, g_ptr_array_unref);
  completions = rein_bip39_complete ("xyz", 10);
  g_assert_cmpuint (completions->len, ==, 0);
}

static void
test_validation_errors (void)
{
  static const struct
  {
    const gchar *phrase;
    gint code;
  } bad[] = {
    /* checksum: last word changed */
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "abandon", REIN_BITCOIN_ERROR_BAD_CHECKSUM },
    /* unknown word */
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon bitcoin "
      "about", REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
    /* eleven words */
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
      REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
    /* thirteen words */
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "abandon about", REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
    /* capitals are not in the list */
    { "Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "about", REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
    { "", REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
    { "averyveryverylongword abandon", REIN_BITCOIN_ERROR_INVALID_MNEMONIC },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (rein_bip39_validate (bad[i].phrase, &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, bad[i].code);
      /* errors name positions, never the words of a phrase */
      g_assert_null (strstr (error->message, "abandon"));
    }

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) many = g_string_new (NULL);

    for (guint i = 0; i < 27; i++)
      g_string_append (many, "zoo ");
    g_assert_false (rein_bip39_validate (many->str, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC);
  }

  /* surrounding and repeated whitespace is tolerated */
  g_assert_true (rein_bip39_validate ("  abandon abandon\tabandon abandon abandon abandon abandon "
                                      "abandon abandon abandon abandon\nabout ", NULL));
}

static void
test_generate (void)
{
  gchar *a = rein_bip39_generate (128);
  gchar *b = rein_bip39_generate (128);
  gchar *c = rein_bip39_generate (256);
  g_auto (GStrv) words_a = g_strsplit (a, " ", -1);
  g_auto (GStrv) words_c = g_strsplit (c, " ", -1);

  g_assert_cmpuint (g_strv_length (words_a), ==, 12);
  g_assert_cmpuint (g_strv_length (words_c), ==, 24);
  g_assert_true (rein_bip39_validate (a, NULL));
  g_assert_true (rein_bip39_validate (b, NULL));
  g_assert_true (rein_bip39_validate (c, NULL));
  g_assert_cmpstr (a, !=, b);
  rein_secure_free (a);
  rein_secure_free (b);
  rein_secure_free (c);
}

static void
test_entropy_errors (void)
{
  g_autoptr (GError) error = NULL;
  guint8 entropy[33] = { 0 };

  g_assert_null (rein_bip39_from_entropy (entropy, 15, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC);
  g_clear_error (&error);
  g_assert_null (rein_bip39_from_entropy (entropy, 33, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC);
  g_clear_error (&error);
  g_assert_null (rein_bip39_from_entropy (entropy, 18, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC);
}

static void
test_passphrase_nfkd (void)
{
  const gchar *phrase = "abandon abandon abandon abandon abandon abandon abandon abandon "
                        "abandon abandon abandon about";
  guint8 composed[64], decomposed[64], plain[64];

  /* "é" precomposed and as e + combining acute: the same passphrase */
  g_assert_true (rein_bip39_to_seed (phrase, "caf\xc3\xa9", composed, NULL));
  g_assert_true (rein_bip39_to_seed (phrase, "cafe\xcc\x81", decomposed, NULL));
  g_assert_true (rein_bip39_to_seed (phrase, "cafe", plain, NULL));
  g_assert_cmpmem (composed, 64, decomposed, 64);
  g_assert_false (memcmp (composed, plain, 64) == 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/bip39/reference-vectors", test_reference_vectors);
  g_test_add_func ("/bitcoin/bip39/wordlist", test_wordlist);
  g_test_add_func ("/bitcoin/bip39/validation-errors", test_validation_errors);
  g_test_add_func ("/bitcoin/bip39/generate", test_generate);
  g_test_add_func ("/bitcoin/bip39/entropy-errors", test_entropy_errors);
  g_test_add_func ("/bitcoin/bip39/passphrase-nfkd", test_passphrase_nfkd);

  return g_test_run ();
}

/* test-bip32.c: BIP32 against the published vectors, and Rein's identity keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-test-util.h"

/* "m/0<sub>H</sub>/1" -> "m/0'/1" */
static gchar *
spec_path_to_path (const gchar *spec)
{
  g_autoptr (GString) path = g_string_new (spec);

  g_string_replace (path, "<sub>H</sub>", "'", 0);
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* Checks one chain of a vector: private derivation from the master gives
 * both serializations; where the last step is not hardened, public
 * derivation from the parent's xpub gives the same xpub. */
static void
check_chain (const ReinExtKey *master,
             const gchar *path,
             const gchar *want_pub,
             const gchar *want_prv,
             GHashTable *pub_by_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinExtKey) key = rein_ext_key_derive_path (master, path, &error);
  g_autofree gchar *pub = NULL;
  gchar *prv;

  g_assert_no_error (error);
  pub = rein_ext_key_serialize_public (key, REIN_NETWORK_MAINNET);
  prv = rein_ext_key_serialize_private (key, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (pub, ==, want_pub);
  g_assert_cmpstr (prv, ==, want_prv);
  rein_secure_free (prv);

  /* deserialization round trips */
  {
    g_autoptr (ReinExtKey) from_pub = rein_ext_key_deserialize (want_pub, NULL, &error);
    g_autoptr (ReinExtKey) from_prv = rein_ext_key_deserialize (want_prv, NULL, &error);
    g_autofree gchar *again = NULL;

    g_assert_no_error (error);
    g_assert_false (rein_ext_key_is_private (from_pub));
    g_assert_true (rein_ext_key_is_private (from_prv));
    again = rein_ext_key_serialize_public (from_prv, REIN_NETWORK_MAINNET);
    g_assert_cmpstr (again, ==, want_pub);
  }

  /* public derivation */
  {
    const gchar *slash = strrchr (path, '/');

    if (slash != NULL && slash[strlen (slash) - 1] != '\'')
      {
        g_autofree gchar *parent_path = g_strndup (path, slash - path);
        const gchar *parent_pub = g_hash_table_lookup (pub_by_path, parent_path);
        g_autoptr (ReinExtKey) parent = NULL;
        g_autoptr (ReinExtKey) child = NULL;
        g_autofree gchar *child_pub = NULL;
        guint64 index = g_ascii_strtoull (slash + 1, NULL, 10);

        g_assert_nonnull (parent_pub);
        parent = rein_ext_key_deserialize (parent_pub, NULL, &error);
        g_assert_no_error (error);
        child = rein_ext_key_derive_child (parent, (guint32) index, &error);
        g_assert_no_error (error);
        g_assert_false (rein_ext_key_is_private (child));
        child_pub = rein_ext_key_serialize_public (child, REIN_NETWORK_MAINNET);
        g_assert_cmpstr (child_pub, ==, want_pub);
      }
  }
  g_hash_table_insert (pub_by_path, g_strdup (path), g_strdup (want_pub));
}

static void
test_published_vectors (void)
{
  g_autofree gchar *spec_path = rein_test_shared_path ("specs/bip-0032.mediawiki");
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (ReinExtKey) master = NULL;
  g_autoptr (GHashTable) pub_by_path = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *pub = NULL;
  guint chains = 0, invalid = 0;
  gboolean in_invalid = FALSE;

  if (spec_path == NULL)
    return;
  g_assert_true (g_file_get_contents (spec_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  pub_by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; lines[i]; i++)
    {
      const gchar *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "===Test vector 5"))
        in_invalid = TRUE;
      else if (g_str_has_prefix (line, "Seed (hex): "))
        {
          g_autoptr (GError) error = NULL;
          g_autofree guint8 *seed = NULL;
          gsize len = 0;

          seed = rein_hex_decode (line + strlen ("Seed (hex): "), &len, &error);
          g_assert_no_error (error);
          g_clear_pointer (&master, rein_ext_key_free);
          master = rein_ext_key_new_master (seed, len, &error);
          g_assert_no_error (error);
          g_hash_table_remove_all (pub_by_path);
        }
      else if (g_str_has_prefix (line, "* Chain "))
        {
          g_free (path);
          path = spec_path_to_path (line + strlen ("* Chain "));
        }
      else if (g_str_has_prefix (line, "** ext pub: "))
        {
          g_free (pub);
          pub = g_strdup (line + strlen ("** ext pub: "));
        }
      else if (g_str_has_prefix (line, "** ext prv: "))
        {
          g_assert_nonnull (master);
          g_assert_nonnull (path);
          g_assert_nonnull (pub);
          check_chain (master, path, pub, line + strlen ("** ext prv: "), pub_by_path);
          chains++;
        }
      else if (in_invalid && g_str_has_prefix (line, "* ") && strchr (line, '(') != NULL)
        {
          g_autoptr (GError) error = NULL;
          g_autofree gchar *key = g_strndup (line + 2, strcspn (line + 2, " "));
          ReinExtKey *parsed = rein_ext_key_deserialize (key, NULL, &error);

          if (parsed != NULL)
            g_error ("accepted invalid extended key: %s", line);
          g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY);
          invalid++;
        }
    }
  /* vectors 1 to 4 have 17 chains; vector 5 lists 16 invalid keys */
  g_assert_cmpuint (chains, ==, 17);
  g_assert_cmpuint (invalid, ==, 16);
}

static void
test_paths (void)
{
  static const struct
  {
    const gchar *path;
    guint n;
    guint32 last;
  } good[] = {
    { "m", 0, 0 },
    { "m/0", 1, 0 },
    { "m/1'/0", 2, 0 },
    { "m/44h/0H/2147483647'", 3, 0xffffffffu },
  };
  static const gchar *const bad[] = {
    "", "0/1", "m/", "m//1", "m/a", "m/1''", "m/2147483648", "m/1/", "M/1", "m/-1", "m1",
    "m/99999999999999999999",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GArray) indices = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (rein_bip32_parse_path (good[i].path, &indices, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (indices->len, ==, good[i].n);
      if (good[i].n > 0)
        g_assert_cmpuint (g_array_index (indices, guint32, good[i].n - 1), ==, good[i].last);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (rein_bip32_parse_path (bad[i], NULL, &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH);
    }
}

static void
test_public_cannot_harden (void)
{
  guint8 seed[16] = { 1 };
  g_autoptr (ReinExtKey) master = rein_ext_key_new_master (seed, sizeof seed, NULL);
  g_autoptr (ReinExtKey) pub = rein_ext_key_neuter (master);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinExtKey) child = rein_ext_key_derive_child (pub, REIN_BIP32_HARDENED, &error);

  g_assert_null (child);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PATH);
  g_assert_null (rein_ext_key_get_private_key (pub));
}

static void
test_rein_identity_vector (void)
{
  const gchar *phrase = "abandon abandon abandon abandon abandon abandon abandon abandon "
                        "abandon abandon abandon about";
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autofree gchar *master_addr = NULL, *delegate_addr = NULL, *delegate_pk = NULL;
  g_autofree gchar *master_test = NULL, *delegate_test = NULL, *standard_addr = NULL;
  g_autoptr (ReinExtKey) standard_root = NULL;
  g_autoptr (ReinExtKey) standard_master = NULL;
  g_autoptr (ReinPrivateKey) standard_key = NULL;
  guint8 seed[64];

  g_assert_true (rein_identity_keys_from_mnemonic (phrase, NULL, &master, &delegate, &error));
  g_assert_no_error (error);

  master_addr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  delegate_addr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  delegate_pk = rein_private_key_get_public_key_hex (delegate);
  master_test = rein_private_key_get_address (master, REIN_NETWORK_TESTNET);
  delegate_test = rein_private_key_get_address (delegate, REIN_NETWORK_TESTNET);
  g_assert_cmpstr (master_addr, ==, "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5");
  g_assert_cmpstr (delegate_addr, ==, "1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv");
  g_assert_cmpstr (delegate_pk, ==,
                   "037e34842c0a8a8833d60481f80d5c69c99290c60038f8c07a83b851e06fc60690");
  g_assert_cmpstr (master_test, ==, "misbqvzDqKJaLfdPU3SmJKixvUrjNeYgL8");
  g_assert_cmpstr (delegate_test, ==, "mt2iwSAKffSZrGSvB7pftnfP4geWb1znHy");

  /* Standard BIP32 from the same seed gives another master: the Rein root
   * really is different, and the test can tell them apart. */
  g_assert_true (rein_bip39_to_seed (phrase, NULL, seed, NULL));
  standard_root = rein_ext_key_new_master (seed, sizeof seed, NULL);
  standard_master = rein_ext_key_derive_path (standard_root, "m/0", NULL);
  standard_key = rein_ext_key_get_private_key (standard_master);
  standard_addr = rein_private_key_get_address (standard_key, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (standard_addr, ==, "18mDodGPRAoNV5gVGpuQKaEr85kXBuz23z");

  /* a passphrase gives a different identity */
  {
    g_autoptr (ReinPrivateKey) m2 = NULL;
    g_autofree gchar *a2 = NULL;

    g_assert_true (rein_identity_keys_from_mnemonic (phrase, "secret", &m2, NULL, NULL));
    a2 = rein_private_key_get_address (m2, REIN_NETWORK_MAINNET);
    g_assert_cmpstr (a2, !=, master_addr);
  }

  /* and a bad phrase is refused */
  g_assert_false (rein_identity_keys_from_mnemonic ("abandon about", NULL, NULL, NULL, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_MNEMONIC);
}

static void
test_testnet_serialization (void)
{
  guint8 seed[32] = { 7 };
  g_autoptr (ReinExtKey) master = rein_ext_key_new_master (seed, sizeof seed, NULL);
  g_autofree gchar *tpub = rein_ext_key_serialize_public (master, REIN_NETWORK_TESTNET);
  gchar *tprv = rein_ext_key_serialize_private (master, REIN_NETWORK_TESTNET);
  ReinNetwork network = REIN_NETWORK_MAINNET;
  g_autoptr (ReinExtKey) back = rein_ext_key_deserialize (tprv, &network, NULL);

  g_assert_true (g_str_has_prefix (tpub, "tpub"));
  g_assert_true (g_str_has_prefix (tprv, "tprv"));
  g_assert_nonnull (back);
  g_assert_cmpint (network, ==, REIN_NETWORK_TESTNET);
  g_assert_cmpmem (rein_ext_key_get_public_key (back), 33, rein_ext_key_get_public_key (master),
                   33);
  rein_secure_free (tprv);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/bip32/published-vectors", test_published_vectors);
  g_test_add_func ("/bitcoin/bip32/paths", test_paths);
  g_test_add_func ("/bitcoin/bip32/public-cannot-harden", test_public_cannot_harden);
  g_test_add_func ("/bitcoin/bip32/testnet-serialization", test_testnet_serialization);
  g_test_add_func ("/bitcoin/bip32/rein-identity-vector", test_rein_identity_vector);

  return g_test_run ();
}

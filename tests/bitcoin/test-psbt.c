/* test-psbt.c: BIP174 PSBTs, against the BIP's own test vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The BIP's workflow spends a legacy P2SH 2-of-2 multisig (input 0) and a
 * P2SH-P2WSH one (input 1). We handle legacy inputs, so for the signer and
 * finalizer roles input 0 must come out byte for byte and input 1 must be
 * refused and left as it was; the creator, updater, combiner and extractor
 * roles do not depend on the input type and must match whole.
 */
#include <string.h>

#include "rein-bitcoin.h"
#include "bip174-vectors.h"

static GBytes *
hex_bytes (const gchar *hex)
{
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  guint8 *data = rein_hex_decode (hex, &len, &error);

  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static ReinPsbt *
psbt_from_hex (const gchar *hex)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = hex_bytes (hex);
  ReinPsbt *psbt = rein_psbt_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                    &error);

  g_assert_no_error (error);
  g_assert_nonnull (psbt);
  return psbt;
}

static void
assert_psbt_hex (const ReinPsbt *psbt, const gchar *expected)
{
  g_autoptr (GBytes) bytes = rein_psbt_serialize (psbt);
  g_autofree gchar *hex = rein_hex_encode (g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes));

  g_assert_cmpstr (hex, ==, expected);
}

static void
assert_maps_equal (const ReinPsbt *a, const ReinPsbt *b, ReinPsbtMap map, guint index)
{
  g_autoptr (GBytes) ma = rein_psbt_serialize_map (a, map, index);
  g_autoptr (GBytes) mb = rein_psbt_serialize_map (b, map, index);
  g_autofree gchar *ha = rein_hex_encode (g_bytes_get_data (ma, NULL), g_bytes_get_size (ma));
  g_autofree gchar *hb = rein_hex_encode (g_bytes_get_data (mb, NULL), g_bytes_get_size (mb));

  g_assert_cmpstr (ha, ==, hb);
}

static void
assert_outputs_and_global_equal (const ReinPsbt *a, const ReinPsbt *b)
{
  assert_maps_equal (a, b, REIN_PSBT_MAP_GLOBAL, 0);
  g_assert_cmpuint (rein_psbt_get_n_outputs (a), ==, rein_psbt_get_n_outputs (b));
  for (guint i = 0; i < rein_psbt_get_n_outputs (a); i++)
    assert_maps_equal (a, b, REIN_PSBT_MAP_OUTPUT, i);
}

static void
test_invalid_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bip174_invalid); i++)
    {
      const Bip174Vector *v = &bip174_invalid[i];
      g_autoptr (GBytes) bytes = hex_bytes (v->hex);
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinPsbt) psbt = NULL;

      psbt = rein_psbt_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_test_message ("%s: %s", v->name, error ? error->message : "(accepted)");
      g_assert_null (psbt);
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
      g_assert_true (g_str_has_prefix (error->message, "Not a"));
      g_clear_error (&error);

      psbt = rein_psbt_parse_base64 (v->base64, &error);
      g_assert_null (psbt);
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
    }
}

static void
test_invalid_messages (void)
{
  /* the message says what is wrong, for a few cases a user may meet */
  static const struct
  {
    guint vector;
    const gchar *says;
  } cases[] = {
    { 0, "magic" },
    { 1, "output 0" },
    { 2, "has a scriptSig" },
    { 3, "no unsigned transaction" },
    { 4, "twice" },
    { 7, "not a public key" },
    { 18, "unsigned transaction" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinPsbt) psbt = rein_psbt_parse_base64 (bip174_invalid[cases[i].vector].base64,
                                                          &error);

      g_assert_null (psbt);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("\"%s\" does not say \"%s\"", error->message, cases[i].says);
    }
}

static void
test_valid_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bip174_valid); i++)
    {
      const Bip174Vector *v = &bip174_valid[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinPsbt) psbt = rein_psbt_parse_base64 (v->base64, &error);
      g_autofree gchar *base64 = NULL;

      g_test_message ("%s", v->name);
      g_assert_no_error (error);
      /* what is read is written back unchanged, unknown records too */
      assert_psbt_hex (psbt, v->hex);
      base64 = rein_psbt_to_base64 (psbt);
      g_assert_cmpstr (base64, ==, v->base64);
    }
}

static ReinPrivateKey *
key_from_wif (const gchar *wif)
{
  g_autoptr (GError) error = NULL;
  ReinPrivateKey *key = rein_private_key_new_from_wif (wif, NULL, &error);

  g_assert_no_error (error);
  return key;
}

static void
test_signer_checks (void)
{
  g_autoptr (ReinPrivateKey) key = key_from_wif (bip174_signer_1_wifs[0]);
  static const gchar *const says[] = {
    "witness UTXO",
    "redeem script does not match",
    "witness UTXO",
    "witness UTXO",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bip174_signer_fails); i++)
    {
      g_autoptr (ReinPsbt) psbt = psbt_from_hex (bip174_signer_fails[i].hex);
      g_autoptr (GBytes) before = rein_psbt_serialize (psbt);
      g_autoptr (GBytes) after = NULL;
      gboolean refused = FALSE;

      g_test_message ("%s", bip174_signer_fails[i].name);
      for (guint in = 0; in < rein_psbt_get_n_inputs (psbt); in++)
        {
          g_autoptr (GError) error = NULL;

          if (rein_psbt_sign_input (psbt, in, key, &error))
            continue;
          g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
          if (strstr (error->message, says[i]) != NULL)
            refused = TRUE;
        }
      g_assert_true (refused);
      /* in the first two the only input is refused, which adds nothing;
       * the last two have a good legacy input 0 beside the bad input 1 */
      after = rein_psbt_serialize (psbt);
      g_assert_true (g_bytes_equal (before, after) == (i < 2));
    }
}

static ReinPsbt *
create_vector_psbt (void)
{
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autoptr (GError) error = NULL;
  ReinPsbt *psbt;

  for (gsize i = 0; i < G_N_ELEMENTS (bip174_inputs); i++)
    {
      rein_tx_add_input_hex (tx, bip174_inputs[i].txid, bip174_inputs[i].vout, 0xffffffff,
                             &error);
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bip174_outputs); i++)
    {
      g_autoptr (GBytes) script = hex_bytes (bip174_outputs[i].script);

      rein_tx_add_output (tx, bip174_outputs[i].value, g_bytes_get_data (script, NULL),
                          g_bytes_get_size (script));
    }
  psbt = rein_psbt_new (tx, &error);
  g_assert_no_error (error);
  return psbt;
}

static void
test_creator (void)
{
  g_autoptr (ReinPsbt) psbt = create_vector_psbt ();

  assert_psbt_hex (psbt, BIP174_CREATOR);
}

static void
put_record (ReinPsbt *psbt, ReinPsbtMap map, guint index, guint8 type, GBytes *key_data,
            const guint8 *value, gsize value_len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) key = g_byte_array_new ();

  g_byte_array_append (key, &type, 1);
  if (key_data != NULL)
    g_byte_array_append (key, g_bytes_get_data (key_data, NULL), g_bytes_get_size (key_data));
  g_assert_true (rein_psbt_set_record (psbt, map, index, key->data, key->len, value, value_len,
                                       &error));
  g_assert_no_error (error);
}

static gboolean
bytes_contain (GBytes *haystack, GBytes *needle)
{
  return memmem (g_bytes_get_data (haystack, NULL), g_bytes_get_size (haystack),
                 g_bytes_get_data (needle, NULL), g_bytes_get_size (needle)) != NULL;
}

/* The updater of the BIP: UTXOs, scripts and key paths, each where it
 * belongs, found from the data rather than hard-wired. */
static void
update_vector_psbt (ReinPsbt *psbt)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) redeem = hex_bytes (BIP174_REDEEM_P2SH_MULTISIG);
  g_autoptr (GBytes) redeem_wsh = hex_bytes (BIP174_REDEEM_P2SH_P2WSH);
  g_autoptr (GBytes) witness_script = hex_bytes (BIP174_WITNESS_SCRIPT);
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  guint n_in = rein_psbt_get_n_inputs (psbt);

  for (gsize p = 0; p < G_N_ELEMENTS (bip174_prev_txs); p++)
    {
      g_autoptr (ReinTx) prev = rein_tx_parse_hex (bip174_prev_txs[p], &error);
      guint8 txid[32];

      g_assert_no_error (error);
      rein_tx_get_txid (prev, txid);
      for (guint i = 0; i < n_in; i++)
        {
          ReinTxIn *in = rein_tx_get_input (tx, i);
          ReinTxOut *out;
          g_autoptr (GByteArray) utxo = g_byte_array_new ();
          guint8 size;

          if (memcmp (in->prev_txid, txid, 32) != 0)
            continue;
          out = rein_tx_get_output (prev, in->prev_vout);
          if (!rein_tx_has_witness (prev))
            {
              g_assert_true (rein_psbt_set_non_witness_utxo (psbt, i, prev, &error));
              g_assert_no_error (error);
              continue;
            }
          /* a segwit input gets the witness UTXO (amount, script) */
          for (guint b = 0; b < 8; b++)
            {
              guint8 byte = (out->value >> (8 * b)) & 0xff;

              g_byte_array_append (utxo, &byte, 1);
            }
          size = (guint8) out->script_pubkey->len;
          g_byte_array_append (utxo, &size, 1);
          g_byte_array_append (utxo, out->script_pubkey->data, out->script_pubkey->len);
          put_record (psbt, REIN_PSBT_MAP_INPUT, i, REIN_PSBT_IN_WITNESS_UTXO, NULL, utxo->data,
                      utxo->len);
        }
    }

  /* input 0 spends the multisig P2SH, input 1 the P2SH-P2WSH */
  g_assert_true (rein_psbt_set_redeem_script (psbt, 0, g_bytes_get_data (redeem, NULL),
                                              g_bytes_get_size (redeem), &error));
  g_assert_no_error (error);
  put_record (psbt, REIN_PSBT_MAP_INPUT, 1, REIN_PSBT_IN_REDEEM_SCRIPT, NULL,
              g_bytes_get_data (redeem_wsh, NULL), g_bytes_get_size (redeem_wsh));
  put_record (psbt, REIN_PSBT_MAP_INPUT, 1, REIN_PSBT_IN_WITNESS_SCRIPT, NULL,
              g_bytes_get_data (witness_script, NULL), g_bytes_get_size (witness_script));

  for (gsize k = 0; k < G_N_ELEMENTS (bip174_keys); k++)
    {
      g_autoptr (GBytes) pubkey = hex_bytes (bip174_keys[k].pubkey);
      /* master fingerprint d90c6a4f, then m/0h/0h/Nh little-endian */
      guint8 path[16] = { 0xd9, 0x0c, 0x6a, 0x4f, 0, 0, 0, 0x80, 0, 0, 0, 0x80,
                          (guint8) bip174_keys[k].index, 0, 0, 0x80 };

      if (bytes_contain (redeem, pubkey))
        put_record (psbt, REIN_PSBT_MAP_INPUT, 0, REIN_PSBT_IN_BIP32_DERIVATION, pubkey, path, 16);
      else if (bytes_contain (witness_script, pubkey))
        put_record (psbt, REIN_PSBT_MAP_INPUT, 1, REIN_PSBT_IN_BIP32_DERIVATION, pubkey, path, 16);
      else
        put_record (psbt, REIN_PSBT_MAP_OUTPUT, bip174_keys[k].index - 4,
                    REIN_PSBT_OUT_BIP32_DERIVATION, pubkey, path, 16);
    }
}

static void
test_updater (void)
{
  g_autoptr (ReinPsbt) psbt = create_vector_psbt ();
  g_autoptr (GError) error = NULL;

  update_vector_psbt (psbt);
  assert_psbt_hex (psbt, BIP174_UPDATER);

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_assert_true (rein_psbt_set_sighash_type (psbt, i, REIN_SIGHASH_ALL, &error));
      g_assert_no_error (error);
    }
  assert_psbt_hex (psbt, BIP174_UPDATER_SIGHASH);
}

/* Signs every input each key can sign; returns how many signatures. */
static guint
sign_all (ReinPsbt *psbt, const gchar *const wifs[2])
{
  guint signed_count = 0;

  for (guint k = 0; k < 2; k++)
    {
      g_autoptr (ReinPrivateKey) key = key_from_wif (wifs[k]);

      for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
        {
          g_autoptr (GError) error = NULL;

          if (rein_psbt_sign_input (psbt, i, key, &error))
            signed_count++;
          else
            g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
        }
    }
  return signed_count;
}

static void
check_signer (const gchar *const wifs[2], const gchar *expected_hex)
{
  g_autoptr (ReinPsbt) updated = psbt_from_hex (BIP174_UPDATER_SIGHASH);
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_UPDATER_SIGHASH);
  g_autoptr (ReinPsbt) expected = psbt_from_hex (expected_hex);
  g_autoptr (GPtrArray) sigs = NULL;

  /* one key of each signer is for input 0, the other for the segwit
   * input 1, which is refused */
  g_assert_cmpuint (sign_all (psbt, wifs), ==, 1);
  assert_maps_equal (psbt, expected, REIN_PSBT_MAP_INPUT, 0);
  assert_maps_equal (psbt, updated, REIN_PSBT_MAP_INPUT, 1);
  assert_outputs_and_global_equal (psbt, expected);
  sigs = rein_psbt_get_partial_signatures (psbt, 0);
  g_assert_cmpuint (sigs->len, ==, 1);
}

static void
test_signer (void)
{
  check_signer (bip174_signer_1_wifs, BIP174_SIGNER_1);
  check_signer (bip174_signer_2_wifs, BIP174_SIGNER_2);
}

static void
test_combiner (void)
{
  g_autoptr (ReinPsbt) a = psbt_from_hex (BIP174_SIGNER_1);
  g_autoptr (ReinPsbt) b = psbt_from_hex (BIP174_SIGNER_2);
  g_autoptr (ReinPsbt) b2 = psbt_from_hex (BIP174_SIGNER_2);
  g_autoptr (ReinPsbt) a2 = psbt_from_hex (BIP174_SIGNER_1);
  g_autoptr (GError) error = NULL;

  g_assert_true (rein_psbt_combine (a, b, &error));
  g_assert_no_error (error);
  assert_psbt_hex (a, BIP174_COMBINED);
  /* in either order */
  g_assert_true (rein_psbt_combine (b2, a2, &error));
  g_assert_no_error (error);
  assert_psbt_hex (b2, BIP174_COMBINED);
  /* and combining again changes nothing */
  g_assert_true (rein_psbt_combine (b2, a2, &error));
  assert_psbt_hex (b2, BIP174_COMBINED);
}

static void
test_combiner_unknown (void)
{
  g_autoptr (ReinPsbt) a = psbt_from_hex (BIP174_UNKNOWN_A);
  g_autoptr (ReinPsbt) b = psbt_from_hex (BIP174_UNKNOWN_B);
  g_autoptr (GError) error = NULL;

  g_assert_true (rein_psbt_combine (a, b, &error));
  g_assert_no_error (error);
  assert_psbt_hex (a, BIP174_UNKNOWN_COMBINED);
}

static void
test_combiner_refuses (void)
{
  g_autoptr (ReinPsbt) a = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (ReinPsbt) other_tx = psbt_from_hex (BIP174_UNKNOWN_A);
  g_autoptr (ReinPsbt) conflict = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (GBytes) before = rein_psbt_serialize (a);
  g_autoptr (GBytes) after = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key = REIN_PSBT_IN_REDEEM_SCRIPT;
  static const guint8 other_script[] = { REIN_OP_1 };

  g_assert_false (rein_psbt_combine (a, other_tx, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_assert_nonnull (strstr (error->message, "different transactions"));
  g_clear_error (&error);

  /* someone swaps input 1's redeem script (no UTXO check on that input) */
  g_assert_true (rein_psbt_set_record (conflict, REIN_PSBT_MAP_INPUT, 1, &key, 1, other_script,
                                       1, &error));
  g_assert_false (rein_psbt_combine (a, conflict, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_assert_nonnull (strstr (error->message, "input 1"));
  after = rein_psbt_serialize (a);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_finalizer (void)
{
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (ReinPsbt) combined = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (ReinPsbt) expected = psbt_from_hex (BIP174_FINALIZED);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = NULL;

  g_assert_true (rein_psbt_finalize_input (psbt, 0, &error));
  g_assert_no_error (error);
  g_assert_true (rein_psbt_input_is_finalized (psbt, 0));
  assert_maps_equal (psbt, expected, REIN_PSBT_MAP_INPUT, 0);

  g_assert_false (rein_psbt_finalize_input (psbt, 1, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
  g_clear_error (&error);
  assert_maps_equal (psbt, combined, REIN_PSBT_MAP_INPUT, 1);
  assert_outputs_and_global_equal (psbt, expected);

  /* finalizing again is a no-op */
  g_assert_true (rein_psbt_finalize_input (psbt, 0, &error));
  assert_maps_equal (psbt, expected, REIN_PSBT_MAP_INPUT, 0);

  /* input 1 is not final, so there is nothing to extract */
  tx = rein_psbt_extract (psbt, &error);
  g_assert_null (tx);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
  g_assert_nonnull (strstr (error->message, "input 1"));
}

static void
test_extractor (void)
{
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_FINALIZED);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = rein_psbt_extract (psbt, &error);
  g_autofree gchar *hex = NULL;
  g_autofree gchar *finalized_input0 = NULL;
  g_autoptr (ReinPsbt) ours = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (ReinTx) expected = NULL;

  g_assert_no_error (error);
  hex = rein_tx_to_hex (tx);
  g_assert_cmpstr (hex, ==, BIP174_EXTRACTED_TX);

  /* and our own finalization of input 0 gives that input's scriptSig */
  g_assert_true (rein_psbt_finalize_input (ours, 0, &error));
  expected = rein_tx_parse_hex (BIP174_EXTRACTED_TX, &error);
  g_assert_no_error (error);
  {
    guint8 key = REIN_PSBT_IN_FINAL_SCRIPTSIG;
    g_autoptr (GBytes) script_sig = rein_psbt_get_record (ours, REIN_PSBT_MAP_INPUT, 0, &key, 1);
    GByteArray *want = rein_tx_get_input (expected, 0)->script_sig;

    g_assert_nonnull (script_sig);
    g_assert_cmpmem (g_bytes_get_data (script_sig, NULL), g_bytes_get_size (script_sig),
                     want->data, want->len);
  }
}

static void
test_malformed (void)
{
  g_autoptr (GBytes) good = hex_bytes (BIP174_COMBINED);
  const guint8 *data = g_bytes_get_data (good, NULL);
  gsize len = g_bytes_get_size (good);
  g_autofree guint8 *longer = g_malloc (len + 1);
  g_autoptr (GError) error = NULL;
  ReinPsbt *psbt;
  static const gchar *const bad_base64[] = {
    "", "cHNidP8", "cHNi dP8B", "cHNidP8B====", "cHNidP8*", "=cHNidP8",
  };

  /* every truncation fails cleanly */
  for (gsize cut = 0; cut < len; cut++)
    {
      psbt = rein_psbt_parse (data, cut, &error);
      g_assert_null (psbt);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* as does a byte after the end */
  memcpy (longer, data, len);
  longer[len] = 0;
  g_assert_null (rein_psbt_parse (longer, len + 1, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_base64); i++)
    {
      g_assert_null (rein_psbt_parse_base64 (bad_base64[i], &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  /* a key length of 0xfd with a non-minimal encoding */
  {
    static const guint8 nonminimal[] = { 0x70, 0x73, 0x62, 0x74, 0xff, 0xfd, 0x01, 0x00, 0x00 };

    g_assert_null (rein_psbt_parse (nonminimal, sizeof nonminimal, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
    g_clear_error (&error);
  }
  /* a version other than 0 */
  {
    static const guint8 v1[] = { 0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0xfb, 0x04, 1, 0, 0, 0,
                                 0x01, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 };

    g_assert_null (rein_psbt_parse (v1, sizeof v1, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
    g_assert_nonnull (strstr (error->message, "version"));
    g_clear_error (&error);
  }
}

static void
test_non_witness_utxo_checked (void)
{
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_CREATOR);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) redeem = hex_bytes (BIP174_REDEEM_P2SH_P2WSH);
  g_autoptr (ReinTx) prev_legacy = rein_tx_parse_hex (bip174_prev_txs[1], &error);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) tampered_psbt = NULL;
  GByteArray *tampered;
  const guint8 *found;
  guint8 txid[32];

  g_assert_no_error (error);
  /* the legacy previous transaction is input 0's; on input 1 it is refused */
  g_assert_false (rein_psbt_set_non_witness_utxo (psbt, 1, prev_legacy, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_assert_nonnull (strstr (error->message, "not the transaction this input spends"));
  g_clear_error (&error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, prev_legacy, &error));
  g_assert_no_error (error);

  /* a redeem script that is not the spent output's is refused */
  g_assert_false (rein_psbt_set_redeem_script (psbt, 0, g_bytes_get_data (redeem, NULL),
                                               g_bytes_get_size (redeem), &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_clear_error (&error);

  /* one byte changed in the previous transaction, in a PSBT from outside */
  bytes = rein_psbt_serialize (psbt);
  tampered = g_byte_array_new ();
  g_byte_array_append (tampered, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  rein_tx_get_txid (prev_legacy, txid);
  found = memmem (tampered->data, tampered->len, "\x80\xf0\xfa\x02", 4); /* an amount */
  g_assert_nonnull (found);
  tampered->data[found - tampered->data] ^= 1;
  tampered_psbt = g_byte_array_free_to_bytes (tampered);
  g_assert_null (rein_psbt_parse (g_bytes_get_data (tampered_psbt, NULL),
                                  g_bytes_get_size (tampered_psbt), &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  g_assert_nonnull (strstr (error->message, "input 0"));
}

static void
test_finalizer_checks_signatures (void)
{
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_COMBINED);
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, 0);
  g_autoptr (GError) error = NULL;
  ReinPsbtSignature *first = g_ptr_array_index (sigs, 0);
  g_autoptr (GByteArray) key = g_byte_array_new ();
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  guint8 type = REIN_PSBT_IN_PARTIAL_SIG;

  g_assert_cmpuint (sigs->len, ==, 2);
  /* flip a bit inside S of the first signature */
  g_byte_array_append (key, &type, 1);
  g_byte_array_append (key, g_bytes_get_data (first->pubkey, NULL),
                       g_bytes_get_size (first->pubkey));
  g_byte_array_append (bad, g_bytes_get_data (first->signature, NULL),
                       g_bytes_get_size (first->signature));
  bad->data[bad->len - 3] ^= 0x01;
  g_assert_true (rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, 0, key->data, key->len,
                                       bad->data, bad->len, &error));
  g_assert_false (rein_psbt_finalize_input (psbt, 0, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE);
  g_assert_false (rein_psbt_input_is_finalized (psbt, 0));
  g_clear_error (&error);

  /* a signature of another sighash type, even one not needed, stops it */
  {
    g_autoptr (ReinPsbt) extra = psbt_from_hex (BIP174_COMBINED);
    g_autoptr (ReinPrivateKey) other = rein_private_key_generate (TRUE);
    guint8 pub[65];
    gsize pub_len = rein_private_key_get_public_key (other, pub);
    g_autoptr (GByteArray) other_key = g_byte_array_new ();
    g_autoptr (GByteArray) other_sig = g_byte_array_new ();

    g_byte_array_append (other_key, &type, 1);
    g_byte_array_append (other_key, pub, pub_len);
    g_byte_array_append (other_sig, g_bytes_get_data (first->signature, NULL),
                         g_bytes_get_size (first->signature));
    other_sig->data[other_sig->len - 1] = 0x02;
    g_assert_true (rein_psbt_set_record (extra, REIN_PSBT_MAP_INPUT, 0, other_key->data,
                                         other_key->len, other_sig->data, other_sig->len,
                                         &error));
    g_assert_false (rein_psbt_finalize_input (extra, 0, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE);
    g_assert_nonnull (strstr (error->message, "sighash type 2"));
    g_clear_error (&error);
  }

  /* only one signature of a 2-of-2: incomplete */
  {
    g_autoptr (ReinPsbt) one = psbt_from_hex (BIP174_SIGNER_1);

    g_assert_false (rein_psbt_finalize_input (one, 0, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
    g_assert_nonnull (strstr (error->message, "needs 2 signatures"));
  }
}

static void
test_fee (void)
{
  g_autoptr (ReinPsbt) psbt = psbt_from_hex (BIP174_UPDATER);
  g_autoptr (GError) error = NULL;
  guint64 fee = 0, value = 0;

  /* inputs 0.5 + 2.0 BTC, outputs 1.4999 + 1.0 BTC */
  g_assert_true (rein_psbt_get_input_value (psbt, 0, &value, &error));
  g_assert_cmpuint (value, ==, 50000000);
  g_assert_true (rein_psbt_get_input_value (psbt, 1, &value, &error));
  g_assert_cmpuint (value, ==, 200000000);
  g_assert_true (rein_psbt_get_fee (psbt, &fee, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fee, ==, 10000);

  /* without UTXOs the fee is unknown */
  {
    g_autoptr (ReinPsbt) bare = psbt_from_hex (BIP174_CREATOR);

    g_assert_false (rein_psbt_get_fee (bare, &fee, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/psbt/vectors/invalid", test_invalid_vectors);
  g_test_add_func ("/bitcoin/psbt/vectors/invalid-messages", test_invalid_messages);
  g_test_add_func ("/bitcoin/psbt/vectors/valid", test_valid_vectors);
  g_test_add_func ("/bitcoin/psbt/vectors/signer-checks", test_signer_checks);
  g_test_add_func ("/bitcoin/psbt/vectors/creator", test_creator);
  g_test_add_func ("/bitcoin/psbt/vectors/updater", test_updater);
  g_test_add_func ("/bitcoin/psbt/vectors/signer", test_signer);
  g_test_add_func ("/bitcoin/psbt/vectors/combiner", test_combiner);
  g_test_add_func ("/bitcoin/psbt/vectors/combiner-unknown", test_combiner_unknown);
  g_test_add_func ("/bitcoin/psbt/vectors/finalizer", test_finalizer);
  g_test_add_func ("/bitcoin/psbt/vectors/extractor", test_extractor);
  g_test_add_func ("/bitcoin/psbt/combiner-refuses", test_combiner_refuses);
  g_test_add_func ("/bitcoin/psbt/malformed", test_malformed);
  g_test_add_func ("/bitcoin/psbt/non-witness-utxo", test_non_witness_utxo_checked);
  g_test_add_func ("/bitcoin/psbt/finalizer-checks-signatures", test_finalizer_checks_signatures);
  g_test_add_func ("/bitcoin/psbt/fee", test_fee);

  return g_test_run ();
}

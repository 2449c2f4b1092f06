/* test-tx.c: transactions, signatures, DER and payout scripts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <secp256k1.h>

#include "rein-bitcoin.h"
#include "bip174-vectors.h"

/* PROTOCOL.md section 5's test keys */
#define KEY_A "02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519"

static ReinTx *
parse_hex_ok (const gchar *hex)
{
  g_autoptr (GError) error = NULL;
  ReinTx *tx = rein_tx_parse_hex (hex, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tx);
  return tx;
}

static void
test_round_trip (void)
{
  /* the BIP174 previous transactions: one segwit, one legacy */
  static const struct
  {
    const gchar *txid;
    gsize size, vsize;
    gboolean witness;
  } facts[] = {
    { "1dea7cd05979072a3578cab271c02244ea8a090bbb46aa680a65ecd027048d83", 248, 166, TRUE },
    { "75ddabb27b8845f5247975c8a5ba7c6f336c4570708ebe230caf6db5217ae858", 187, 187, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (facts); i++)
    {
      g_autoptr (ReinTx) tx = parse_hex_ok (bip174_prev_txs[i]);
      g_autoptr (ReinTx) copy = rein_tx_copy (tx);
      g_autofree gchar *hex = rein_tx_to_hex (copy);
      g_autofree gchar *txid = rein_tx_get_txid_hex (tx);

      g_assert_cmpstr (hex, ==, bip174_prev_txs[i]);
      g_assert_cmpstr (txid, ==, facts[i].txid);
      g_assert_cmpuint (rein_tx_get_size (tx), ==, facts[i].size);
      g_assert_cmpuint (rein_tx_get_vsize (tx), ==, facts[i].vsize);
      g_assert_cmpint (rein_tx_has_witness (tx), ==, facts[i].witness);
    }
  /* the extracted transaction of the BIP too */
  {
    g_autoptr (ReinTx) tx = parse_hex_ok (BIP174_EXTRACTED_TX);
    g_autofree gchar *hex = rein_tx_to_hex (tx);

    g_assert_cmpstr (hex, ==, BIP174_EXTRACTED_TX);
  }
}

static void
assert_tx_invalid (const guint8 *data, gsize len, gboolean allow_witness, const gchar *says)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = rein_tx_parse (data, len, allow_witness, &error);

  g_assert_null (tx);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION);
  if (says != NULL && strstr (error->message, says) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, says);
}

static GByteArray *
bytes_of_hex (const gchar *hex)
{
  gsize len = 0;
  guint8 *data = rein_hex_decode (hex, &len, NULL);
  GByteArray *out = g_byte_array_new_take (data, len);

  return out;
}

static void
test_malformed (void)
{
  g_autoptr (GByteArray) good = bytes_of_hex (bip174_prev_txs[0]);
  g_autoptr (GByteArray) legacy = bytes_of_hex (bip174_prev_txs[1]);

  for (gsize cut = 0; cut < good->len; cut++)
    assert_tx_invalid (good->data, cut, TRUE, NULL);
  for (gsize cut = 0; cut < legacy->len; cut++)
    assert_tx_invalid (legacy->data, cut, TRUE, NULL);

  /* trailing byte */
  {
    g_autoptr (GByteArray) longer = bytes_of_hex (bip174_prev_txs[1]);

    g_byte_array_append (longer, (const guint8 *) "", 1);
    assert_tx_invalid (longer->data, longer->len, TRUE, "bytes follow");
  }
  /* a segwit transaction where witnesses are not allowed */
  assert_tx_invalid (good->data, good->len, FALSE, NULL);
  {
    /* an input count of 2^32 in a few bytes */
    static const guint8 many[] = { 2, 0, 0, 0, 0xfe, 0, 0, 0, 1, 0, 0, 0, 0 };
    /* a non-minimal input count (1 written as 0xfd 0x01 0x00) */
    static const guint8 nonminimal[] = { 2, 0, 0, 0, 0xfd, 0x01, 0x00 };
    /* an unknown flag */
    static const guint8 flag2[] = { 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0 };

    assert_tx_invalid (many, sizeof many, TRUE, "more inputs");
    assert_tx_invalid (nonminimal, sizeof nonminimal, TRUE, NULL);
    assert_tx_invalid (flag2, sizeof flag2, TRUE, "flags");
  }
  /* the witness flag with empty witnesses */
  {
    g_autoptr (GByteArray) superfluous = bytes_of_hex (
        "02000000" "0001" "01" "0000000000000000000000000000000000000000000000000000000000000000"
        "00000000" "00" "ffffffff" "00" "00" "00000000");

    assert_tx_invalid (superfluous->data, superfluous->len, TRUE, "has none");
  }
  /* an output over 21 million BTC */
  {
    g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
    g_autoptr (GByteArray) bytes = NULL;
    static const guint8 txid[32] = { 1 };

    rein_tx_add_input (tx, txid, 0, 0xffffffff);
    rein_tx_add_output (tx, REIN_MAX_MONEY + 1, (const guint8 *) "\x51", 1);
    bytes = rein_tx_serialize (tx, TRUE);
    assert_tx_invalid (bytes->data, bytes->len, TRUE, "21 million");
  }
  /* a scriptSig over the script size limit */
  {
    g_autoptr (ReinTx) tx = rein_tx_new (1, 0);
    g_autoptr (GByteArray) bytes = NULL;
    static const guint8 txid[32] = { 1 };
    ReinTxIn *in = rein_tx_add_input (tx, txid, 0, 0xffffffff);

    g_byte_array_set_size (in->script_sig, REIN_TX_MAX_SCRIPT_SIG_SIZE + 1);
    memset (in->script_sig->data, REIN_OP_1, in->script_sig->len);
    bytes = rein_tx_serialize (tx, TRUE);
    assert_tx_invalid (bytes->data, bytes->len, TRUE, "script size limit");
  }
  /* anything over 4 MB, before reading it */
  {
    g_autofree guint8 *huge = g_malloc0 (REIN_TX_MAX_SIZE + 1);

    assert_tx_invalid (huge, REIN_TX_MAX_SIZE + 1, TRUE, "4 MB");
  }
}

static void
test_der (void)
{
  g_autoptr (GError) error = NULL;

  for (guint round = 0; round < 200; round++)
    {
      guint8 compact[64], back[64];
      g_autoptr (GByteArray) der = NULL;

      rein_random_bytes (compact, sizeof compact);
      /* some short and some high-bit integers */
      if (round % 3 == 0)
        memset (compact, 0, 1 + round % 31);
      if (round % 5 == 0)
        compact[32] |= 0x80;
      compact[0] &= 0x7f; /* below the curve order, mostly */
      der = rein_der_encode (compact);
      g_assert_cmpuint (der->len, <=, 72);
      g_assert_true (rein_der_parse (der->data, der->len, back, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (compact, 64, back, 64);
      /* and libsecp256k1 writes the same DER */
      {
        secp256k1_ecdsa_signature sig;
        guint8 theirs[72];
        gsize theirs_len = sizeof theirs;

        if (secp256k1_ecdsa_signature_parse_compact (rein_secp256k1_context (), &sig, compact))
          {
            secp256k1_ecdsa_signature_serialize_der (rein_secp256k1_context (), theirs,
                                                     &theirs_len, &sig);
            g_assert_cmpmem (der->data, der->len, theirs, theirs_len);
          }
      }
    }

  /* BIP66's refusals */
  {
    static const gchar *const bad[] = {
      "",
      "3006020101020101",                 /* the smallest valid one */
      "3007020101020101",                 /* sequence length wrong */
      "3106020101020101",                 /* not a sequence */
      "3006030101020101",                 /* R not an integer */
      "3006020181020101",                 /* R negative */
      "300702020001020101",               /* R with a superfluous zero */
      "3006020100020101",                 /* zero R is fine for DER, checked by secp later */
      "3006020101020181",                 /* S negative */
      "3005020101020100",                 /* lengths do not add up */
      "30060200020101",                   /* R empty */
    };
    static const gboolean accepted[] = { FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, TRUE,
                                         FALSE, FALSE, FALSE };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        gsize len = 0;
        g_autofree guint8 *data = rein_hex_decode (bad[i], &len, NULL);
        guint8 out[64];
        gboolean ok = rein_der_parse (data, len, out, &error);

        g_test_message ("%s: %s", bad[i], ok ? "accepted" : error->message);
        g_assert_cmpint (ok, ==, accepted[i]);
        if (!ok)
          g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE);
        g_clear_error (&error);
      }
  }
}

static void
test_sign_verify (void)
{
  g_autoptr (ReinPrivateKey) key = rein_private_key_generate (TRUE);
  g_autoptr (GError) error = NULL;
  guint8 pubkey[65], hash[32], compact[64];
  gsize pubkey_len = rein_private_key_get_public_key (key, pubkey);
  g_autoptr (GByteArray) sig = NULL;
  g_autoptr (GByteArray) again = NULL;
  g_autoptr (GByteArray) high = NULL;

  rein_random_bytes (hash, sizeof hash);
  sig = rein_ecdsa_sign (key, hash, &error);
  g_assert_no_error (error);
  again = rein_ecdsa_sign (key, hash, &error);
  /* RFC 6979: deterministic */
  g_assert_cmpmem (sig->data, sig->len, again->data, again->len);
  g_byte_array_append (sig, (const guint8 *) "\x01", 1);
  g_assert_true (rein_ecdsa_verify (pubkey, pubkey_len, sig->data, sig->len, hash,
                                    REIN_SIGHASH_ALL, &error));
  g_assert_no_error (error);

  /* another hash, another sighash byte: refused */
  {
    guint8 other[32];

    memcpy (other, hash, 32);
    other[0] ^= 1;
    g_assert_false (rein_ecdsa_verify (pubkey, pubkey_len, sig->data, sig->len, other,
                                       REIN_SIGHASH_ALL, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE);
    g_clear_error (&error);
    g_assert_false (rein_ecdsa_verify (pubkey, pubkey_len, sig->data, sig->len, hash, 0x81,
                                       &error));
    g_assert_nonnull (strstr (error->message, "sighash"));
    g_clear_error (&error);
  }

  /* the same signature with S replaced by n - S verifies mathematically
   * but is refused: the network only relays low S */
  {
    static const guint8 n[32] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
      0x41, 0x41,
    };
    gint borrow = 0;

    g_assert_true (rein_der_parse (sig->data, sig->len - 1, compact, &error));
    for (gint i = 31; i >= 0; i--)
      {
        gint d = n[i] - compact[32 + i] - borrow;

        borrow = d < 0;
        compact[32 + i] = (guint8) (d + (borrow ? 256 : 0));
      }
    high = rein_der_encode (compact);
    g_byte_array_append (high, (const guint8 *) "\x01", 1);
    g_assert_false (rein_ecdsa_verify (pubkey, pubkey_len, high->data, high->len, hash,
                                       REIN_SIGHASH_ALL, &error));
    g_assert_nonnull (strstr (error->message, "high S"));
  }
}

static void
test_sighash (void)
{
  g_autoptr (ReinTx) tx = parse_hex_ok (bip174_prev_txs[1]);
  g_autoptr (GError) error = NULL;
  guint8 a[32], b[32];
  static const guint8 code[] = { REIN_OP_1 };

  g_assert_true (rein_tx_sighash_legacy (tx, 0, code, 1, REIN_SIGHASH_ALL, a, &error));
  /* the scriptSig being replaced, it does not change the hash */
  g_byte_array_append (rein_tx_get_input (tx, 0)->script_sig, code, 1);
  g_assert_true (rein_tx_sighash_legacy (tx, 0, code, 1, REIN_SIGHASH_ALL, b, &error));
  g_assert_cmpmem (a, 32, b, 32);
  /* an output does */
  rein_tx_get_output (tx, 0)->value--;
  g_assert_true (rein_tx_sighash_legacy (tx, 0, code, 1, REIN_SIGHASH_ALL, b, &error));
  g_assert_true (memcmp (a, b, 32) != 0);

  g_assert_false (rein_tx_sighash_legacy (tx, 0, code, 1, 0x02, a, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (rein_tx_sighash_legacy (tx, 1, code, 1, REIN_SIGHASH_ALL, a, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION);
}

static void
test_fee (void)
{
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autoptr (GError) error = NULL;
  static const guint8 txid[32] = { 7 };
  guint64 values[2] = { 60000, 50000 };
  guint64 fee = 0;

  rein_tx_add_input (tx, txid, 0, 0xffffffff);
  rein_tx_add_input (tx, txid, 1, 0xffffffff);
  rein_tx_add_output (tx, 100000, (const guint8 *) "\x51", 1);
  g_assert_true (rein_tx_get_fee (tx, values, &fee, &error));
  g_assert_cmpuint (fee, ==, 10000);

  values[1] = 39999;
  g_assert_false (rein_tx_get_fee (tx, values, &fee, &error));
  g_assert_nonnull (strstr (error->message, "spend more"));
  g_clear_error (&error);

  /* sums that would wrap a 64-bit integer are refused, not wrapped */
  values[0] = G_MAXUINT64;
  values[1] = 2;
  g_assert_false (rein_tx_get_fee (tx, values, &fee, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION);
  g_clear_error (&error);
  values[0] = REIN_MAX_MONEY;
  values[1] = 1;
  g_assert_false (rein_tx_get_fee (tx, values, &fee, &error));
  g_clear_error (&error);
  rein_tx_get_output (tx, 0)->value = G_MAXUINT64;
  values[0] = 1;
  g_assert_false (rein_tx_get_fee (tx, values, &fee, &error));
}

static void
test_output_scripts (void)
{
  g_autoptr (GError) error = NULL;
  guint8 pub[65], hash[20], got[20];
  gsize len = 0;

  g_assert_true (rein_public_key_parse_hex (KEY_A, pub, &len, &error));
  rein_hash160 (pub, len, hash);
  for (guint net = 0; net < 2; net++)
    {
      ReinNetwork network = net ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
      g_autofree gchar *address = rein_address_from_public_key (pub, len, network);
      g_autoptr (GByteArray) script = rein_script_from_address (address, network, &error);
      g_autoptr (GByteArray) wrong = NULL;
      g_autofree gchar *hex = NULL;

      g_assert_no_error (error);
      g_assert_true (rein_script_is_p2pkh (script->data, script->len, got));
      g_assert_cmpmem (got, 20, hash, 20);
      hex = rein_hex_encode (script->data, script->len);
      g_assert_true (g_str_has_prefix (hex, "76a914"));
      g_assert_true (g_str_has_suffix (hex, "88ac"));

      wrong = rein_script_from_address (address, net ? REIN_NETWORK_MAINNET
                                                     : REIN_NETWORK_TESTNET, &error);
      g_assert_null (wrong);
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS);
      g_clear_error (&error);
    }
  /* a P2SH address gives the P2SH script */
  {
    g_autoptr (ReinEscrow) escrow = rein_escrow_new (
        KEY_A, "029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005",
        "026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc",
        REIN_NETWORK_MAINNET, &error);
    g_autoptr (GByteArray) script = rein_script_from_address (escrow->primary_address,
                                                              REIN_NETWORK_MAINNET, &error);
    gsize redeem_len = 0;
    g_autofree guint8 *redeem = rein_hex_decode (escrow->primary_script_hex, &redeem_len, NULL);
    g_autoptr (GByteArray) expected = rein_script_p2sh_from_redeem (redeem, redeem_len);

    g_assert_no_error (error);
    g_assert_cmpmem (script->data, script->len, expected->data, expected->len);
    g_assert_true (rein_script_is_p2sh (script->data, script->len, NULL));
  }
  g_assert_null (rein_script_from_address ("not an address", REIN_NETWORK_MAINNET, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* outputs to addresses, bounded */
  {
    g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
    g_autofree gchar *address = rein_address_from_public_key (pub, len, REIN_NETWORK_TESTNET);
    ReinTxOut *out = rein_tx_add_output_address (tx, address, REIN_NETWORK_TESTNET, 5000,
                                                 &error);

    g_assert_no_error (error);
    g_assert_cmpuint (out->value, ==, 5000);
    g_assert_true (rein_script_is_p2pkh (out->script_pubkey->data, out->script_pubkey->len,
                                         got));
    g_assert_cmpmem (got, 20, hash, 20);
    g_assert_null (rein_tx_add_output_address (tx, address, REIN_NETWORK_MAINNET, 5000,
                                               &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS);
    g_clear_error (&error);
    g_assert_null (rein_tx_add_output_address (tx, address, REIN_NETWORK_TESTNET,
                                               REIN_MAX_MONEY + 1, &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION);
    g_assert_cmpuint (tx->outputs->len, ==, 1);
  }
}

static void
test_script_sigs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (
      KEY_A, "029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005",
      "026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc",
      REIN_NETWORK_MAINNET, &error);
  gsize primary_len = 0, fee_len = 0;
  g_autofree guint8 *primary = rein_hex_decode (escrow->primary_script_hex, &primary_len, NULL);
  g_autofree guint8 *fee = rein_hex_decode (escrow->mediator_script_hex, &fee_len, NULL);
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GBytes) s1 = g_bytes_new_static ("\x30\x01", 2);
  g_autoptr (GBytes) s2 = g_bytes_new_static ("\x30\x02\x02", 3);
  g_autoptr (GByteArray) multi = NULL;
  g_autoptr (GByteArray) mandatory = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GPtrArray) others = NULL;
  g_autoptr (GBytes) med = NULL;
  g_autofree gchar *hex = NULL;
  guint m = 0;

  /* the escrow scripts are recognized for what they are, and only so */
  g_assert_true (rein_script_parse_multisig (primary, primary_len, &m, &keys));
  g_assert_cmpuint (m, ==, 2);
  g_assert_cmpuint (keys->len, ==, 3);
  g_assert_false (rein_script_parse_multisig (fee, fee_len, NULL, NULL));
  g_assert_true (rein_script_parse_mandatory (fee, fee_len, &med, &others));
  g_assert_cmpuint (others->len, ==, 2);
  g_assert_false (rein_script_parse_mandatory (primary, primary_len, NULL, NULL));

  g_ptr_array_add (sigs, g_bytes_ref (s1));
  g_ptr_array_add (sigs, g_bytes_ref (s2));
  multi = rein_script_sig_multisig (sigs, primary, primary_len);
  hex = rein_hex_encode (multi->data, multi->len);
  /* OP_0 <s1> <s2> OP_PUSHDATA1 105 <redeem> */
  g_assert_true (g_str_has_prefix (hex, "0002300103300202" "4c69"));
  g_assert_true (g_str_has_suffix (hex, escrow->primary_script_hex));
  g_clear_pointer (&hex, g_free);

  mandatory = rein_script_sig_mandatory (s1, s2, fee, fee_len);
  hex = rein_hex_encode (mandatory->data, mandatory->len);
  /* OP_0 <other> <mandatory> <redeem>: the mediator's last */
  g_assert_true (g_str_has_prefix (hex, "0002300103300202" "4c6a"));
  g_assert_true (g_str_has_suffix (hex, escrow->mediator_script_hex));
  g_assert_cmpuint (rein_script_sig_multisig_max_size (2, primary_len), ==,
                    1 + 2 * 74 + 2 + 105);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/tx/round-trip", test_round_trip);
  g_test_add_func ("/bitcoin/tx/malformed", test_malformed);
  g_test_add_func ("/bitcoin/tx/der", test_der);
  g_test_add_func ("/bitcoin/tx/sign-verify", test_sign_verify);
  g_test_add_func ("/bitcoin/tx/sighash", test_sighash);
  g_test_add_func ("/bitcoin/tx/fee", test_fee);
  g_test_add_func ("/bitcoin/tx/output-scripts", test_output_scripts);
  g_test_add_func ("/bitcoin/tx/script-sigs", test_script_sigs);

  return g_test_run ();
}

/* test-psbt-escrow.c: paying out both escrows through PSBTs, every set of
 * signers, checked by python-bitcoinlib's script interpreter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each escrow script and each set of signers among creator, mediator
 * and worker: each signer signs their own copy of the payout PSBT, the
 * copies are combined and finalized. Sets that may spend (any two for the
 * primary escrow; the mediator and one other for the mediator escrow) must
 * give a transaction VerifyScript accepts with SCRIPT_VERIFY_P2SH; sets
 * that may not must be refused by our finalizer, and the scriptSig we then
 * force by hand from their signatures must be refused by VerifyScript.
 */
#include "escrow-test-util.h"

/* The transaction with a scriptSig we make by hand, for the interpreter. */
static ReinTx *
forced_tx (const ReinPsbt *psbt, GByteArray *script_sig)
{
  ReinTx *tx = rein_tx_copy (rein_psbt_get_tx (psbt));

  g_byte_array_append (rein_tx_get_input (tx, 0)->script_sig, script_sig->data, script_sig->len);
  return tx;
}

static void
add_forced_cases (GPtrArray *cases, Job *job, guint e, guint set, ReinPsbt *base,
                  ReinPsbt *copies[3])
{
  const guint8 *redeem = g_bytes_get_data (job->redeem[e], NULL);
  gsize redeem_len = g_bytes_get_size (job->redeem[e]);
  g_autofree gchar *name = set_name (set);
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint p = 0; p < 3; p++)
    if (set & (1 << p))
      g_ptr_array_add (sigs, signature_of (copies[p], job, p));

  if (sigs->len == 1)
    {
      /* one signer's signature twice */
      g_ptr_array_add (sigs, g_bytes_ref (g_ptr_array_index (sigs, 0)));
    }
  if (sigs->len > 2)
    g_ptr_array_set_size (sigs, 2);

  /* in both orders: neither may pass */
  for (guint swap = 0; swap < 2; swap++)
    {
      g_autoptr (GPtrArray) pair = g_ptr_array_new ();
      g_autoptr (GByteArray) script_sig = NULL;
      g_autoptr (ReinTx) tx = NULL;
      g_autofree gchar *label = g_strdup_printf ("escrow %u, %s forced%s", e, name,
                                                 swap ? ", swapped" : "");

      g_ptr_array_add (pair, g_ptr_array_index (sigs, swap));
      g_ptr_array_add (pair, g_ptr_array_index (sigs, 1 - swap));
      script_sig = rein_script_sig_multisig (pair, redeem, redeem_len);
      tx = forced_tx (base, script_sig);
      g_ptr_array_add (cases, case_new (label, tx, job, e, FALSE));
    }
}

/* Signatures in the wrong order for a set that may spend: the order our
 * finalizer uses is the one that works. */
static void
add_wrong_order_case (GPtrArray *cases, Job *job, guint e, const ReinTx *final, ReinPsbt *base)
{
  const ReinTxIn *in = rein_tx_get_input (final, 0);
  g_autoptr (GArray) ops = rein_script_parse (in->script_sig->data, in->script_sig->len, NULL);
  const ReinScriptOp *op = (const ReinScriptOp *) (gpointer) ops->data;
  g_autoptr (GBytes) a = g_bytes_new (op[1].data, op[1].len);
  g_autoptr (GBytes) b = g_bytes_new (op[2].data, op[2].len);
  g_autoptr (GPtrArray) pair = g_ptr_array_new ();
  g_autoptr (GByteArray) script_sig = NULL;
  g_autoptr (ReinTx) tx = NULL;

  g_assert_cmpuint (ops->len, ==, 4);
  g_ptr_array_add (pair, b);
  g_ptr_array_add (pair, a);
  script_sig = rein_script_sig_multisig (pair, g_bytes_get_data (job->redeem[e], NULL),
                                         g_bytes_get_size (job->redeem[e]));
  tx = forced_tx (base, script_sig);
  g_ptr_array_add (cases, case_new (e == 0 ? "primary, signatures out of key order"
                                           : "mediator escrow, mediator's signature first",
                                    tx, job, e, FALSE));
}

static void
run_escrow (GPtrArray *cases, Job *job, guint e)
{
  for (guint set = 1; set < 8; set++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *name = set_name (set);
      ReinPsbt *copies[3] = { NULL, NULL, NULL };
      g_autoptr (ReinPsbt) base = NULL;
      g_autoptr (ReinPsbt) combined = NULL;
      guint64 fee = 0, psbt_fee = 0;
      gsize vsize_estimate = 0;
      guint payee = e == 0 ? WORKER : MEDIATOR;

      base = build_payout (job, e, payee, &fee, &vsize_estimate);
      g_assert_true (rein_psbt_get_fee (base, &psbt_fee, &error));
      g_assert_cmpuint (psbt_fee, ==, fee);

      /* each signer signs a copy received from the builder, through base64 */
      combined = rein_psbt_copy (base);
      for (guint p = 0; p < 3; p++)
        {
          g_autofree gchar *b64 = NULL;

          if (!(set & (1 << p)))
            continue;
          b64 = rein_psbt_to_base64 (base);
          copies[p] = rein_psbt_parse_base64 (b64, &error);
          g_assert_no_error (error);
          g_assert_true (rein_psbt_sign_input (copies[p], 0, job->keys[p], &error));
          g_assert_no_error (error);
          g_assert_true (rein_psbt_combine (combined, copies[p], &error));
          g_assert_no_error (error);
        }

      if (may_spend (e, set))
        {
          g_autoptr (ReinTx) final = NULL;
          g_autofree gchar *label = g_strdup_printf ("escrow %u, %s", e, name);

          g_assert_true (rein_psbt_finalize (combined, &error));
          g_assert_no_error (error);
          final = rein_psbt_extract (combined, &error);
          g_assert_no_error (error);
          /* the estimate used for the fee is an upper bound */
          g_assert_cmpuint (rein_tx_get_vsize (final), <=, vsize_estimate);
          g_assert_cmpuint (rein_tx_get_vsize (final) + 2 * 4, >=, vsize_estimate);
          g_ptr_array_add (cases, case_new (label, final, job, e, TRUE));
          if (__builtin_popcount (set) == 2)
            add_wrong_order_case (cases, job, e, final, base);
        }
      else
        {
          g_assert_false (rein_psbt_finalize (combined, &error));
          g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
          g_test_message ("escrow %u, %s: %s", e, name, error->message);
          if (e == 1 && !(set & (1 << MEDIATOR)))
            g_assert_nonnull (strstr (error->message, "mediator"));
          g_assert_null (rein_psbt_extract (combined, NULL));
          add_forced_cases (cases, job, e, set, base, copies);
        }
      for (guint p = 0; p < 3; p++)
        g_clear_pointer (&copies[p], rein_psbt_free);
    }
}

static void
test_payout_verifyscript (void)
{
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  guint accepted = 0, refused = 0;

  if (!python_test_has_module ("bitcoin.core.scripteval"))
    {
      crosscheck_unavailable ("python3-bitcoinlib is not installed for /usr/bin/python3");
      return;
    }

  /* a few jobs, each with its own random keys */
  for (guint j = 0; j < 4; j++)
    {
      Job job = { { NULL } };

      job_init (&job);
      run_escrow (cases, &job, 0);
      run_escrow (cases, &job, 1);
      job_clear (&job);
    }

  escrow_verify_cases (cases, &accepted, &refused);
  /* per job: primary 4 sets spend, mediator escrow 3 */
  g_assert_cmpuint (accepted, ==, 4 * (4 + 3));
  /* per job: primary 3 single signers forced 2 ways and 3 pairs in the
   * wrong order; mediator escrow 4 sets forced 2 ways and 2 pairs */
  g_assert_cmpuint (refused, ==, 4 * (6 + 3 + 8 + 2));
}

static void
test_payout_signer_checks (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) stranger = rein_private_key_generate (TRUE);
  Job job = { { NULL } };
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (ReinPsbt) no_utxo = NULL;
  guint64 fee;
  gsize vsize;

  job_init (&job);
  psbt = build_payout (&job, 0, WORKER, &fee, &vsize);

  /* a key that is not in the script */
  g_assert_false (rein_psbt_sign_input (psbt, 0, stranger, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
  g_assert_nonnull (strstr (error->message, "not one of the keys"));
  g_clear_error (&error);

  /* a sighash type other than ALL */
  g_assert_true (rein_psbt_set_sighash_type (psbt, 0, 0x83, &error));
  g_assert_false (rein_psbt_sign_input (psbt, 0, job.keys[CREATOR], &error));
  g_assert_nonnull (strstr (error->message, "SIGHASH_ALL"));
  g_clear_error (&error);

  /* a script of another shape, though it holds the key */
  {
    g_autoptr (ReinPsbt) odd = NULL;
    g_autoptr (ReinTx) funding = rein_tx_new (2, 0);
    g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
    g_autoptr (GByteArray) redeem = g_byte_array_new ();
    g_autoptr (GByteArray) spk = NULL;
    static const guint8 txid[32] = { 6 };
    guint8 pub[65], funding_txid[32], op = 0xab; /* OP_CODESEPARATOR */

    rein_private_key_get_public_key (job.keys[CREATOR], pub);
    g_byte_array_append (redeem, &op, 1);
    rein_script_append_push (redeem, pub, 33);
    op = REIN_OP_CHECKSIG;
    g_byte_array_append (redeem, &op, 1);
    spk = rein_script_p2sh_from_redeem (redeem->data, redeem->len);
    rein_tx_add_input (funding, txid, 0, 0xffffffff);
    rein_tx_add_output (funding, 1000, spk->data, spk->len);
    rein_tx_get_txid (funding, funding_txid);
    rein_tx_add_input (tx, funding_txid, 0, 0xffffffff);
    rein_tx_add_output (tx, 500, spk->data, spk->len);
    odd = rein_psbt_new (tx, &error);
    g_assert_true (rein_psbt_set_non_witness_utxo (odd, 0, funding, &error));
    g_assert_true (rein_psbt_set_redeem_script (odd, 0, redeem->data, redeem->len, &error));
    g_assert_no_error (error);
    g_assert_false (rein_psbt_sign_input (odd, 0, job.keys[CREATOR], &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
    g_assert_nonnull (strstr (error->message, "neither"));
    g_clear_error (&error);
  }

  /* no previous transaction: nothing to check the amount against */
  {
    g_autoptr (ReinTx) tx = rein_tx_copy (rein_psbt_get_tx (psbt));

    no_utxo = rein_psbt_new (tx, &error);
    g_assert_false (rein_psbt_sign_input (no_utxo, 0, job.keys[CREATOR], &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
    g_clear_error (&error);
    /* nor a P2SH spend without its redeem script */
    g_assert_true (rein_psbt_set_non_witness_utxo (no_utxo, 0, job.funding, &error));
    g_assert_false (rein_psbt_sign_input (no_utxo, 0, job.keys[CREATOR], &error));
    g_assert_nonnull (strstr (error->message, "no redeem script"));
  }
  job_clear (&job);
}

/* A 15-of-15 of uncompressed keys: finalizing refuses a redeem script too
 * long to push, rather than make a transaction the network refuses. */
static void
test_payout_redeem_too_long (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) redeem = g_byte_array_new ();
  g_autoptr (ReinTx) funding = rein_tx_new (2, 0);
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (GByteArray) spk = NULL;
  ReinPrivateKey *keys[15];
  static const guint8 txid[32] = { 5 };
  guint8 op, funding_txid[32];

  op = REIN_OP_1 + 14;
  g_byte_array_append (redeem, &op, 1);
  for (guint i = 0; i < 15; i++)
    {
      guint8 pub[65];
      gsize len;

      keys[i] = rein_private_key_generate (FALSE);
      len = rein_private_key_get_public_key (keys[i], pub);
      rein_script_append_push (redeem, pub, len);
    }
  g_byte_array_append (redeem, &op, 1);
  op = REIN_OP_CHECKMULTISIG;
  g_byte_array_append (redeem, &op, 1);
  g_assert_cmpuint (redeem->len, >, 520);

  rein_tx_add_input (funding, txid, 0, 0xffffffff);
  spk = rein_script_p2sh_from_redeem (redeem->data, redeem->len);
  rein_tx_add_output (funding, 100000, spk->data, spk->len);
  rein_tx_get_txid (funding, funding_txid);
  rein_tx_add_input (tx, funding_txid, 0, 0xffffffff);
  rein_tx_add_output (tx, 90000, (const guint8 *) "\x51", 1);
  psbt = rein_psbt_new (tx, &error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, funding, &error));
  g_assert_true (rein_psbt_set_redeem_script (psbt, 0, redeem->data, redeem->len, &error));
  /* nobody signs it */
  for (guint i = 0; i < 15; i++)
    {
      g_assert_false (rein_psbt_sign_input (psbt, 0, keys[i], &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN);
      g_clear_error (&error);
    }
  /* signatures made elsewhere are not finalized */
  for (guint i = 0; i < 15; i++)
    {
      g_autoptr (GByteArray) key = g_byte_array_new ();
      static const guint8 sig[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01 };
      guint8 type = REIN_PSBT_IN_PARTIAL_SIG, pub[65];
      gsize len = rein_private_key_get_public_key (keys[i], pub);

      g_byte_array_append (key, &type, 1);
      g_byte_array_append (key, pub, len);
      g_assert_true (rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, 0, key->data, key->len,
                                           sig, sizeof sig, &error));
      rein_private_key_free (keys[i]);
    }
  g_assert_false (rein_psbt_finalize_input (psbt, 0, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT);
  g_assert_nonnull (strstr (error->message, "520"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/psbt-escrow/verifyscript", test_payout_verifyscript);
  g_test_add_func ("/bitcoin/psbt-escrow/signer-checks", test_payout_signer_checks);
  g_test_add_func ("/bitcoin/psbt-escrow/redeem-too-long", test_payout_redeem_too_long);

  return g_test_run ();
}

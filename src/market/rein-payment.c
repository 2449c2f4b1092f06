/* rein-payment.c: what a payment out of a job's escrow must look like
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-payment.h"

#include "rein-document.h"

#include <string.h>

/* Fails with a message made from @...: an expression, for "return refuse
 * (error, ...);". */
#define refuse(error, ...) \
  (g_set_error ((error), REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT, __VA_ARGS__), FALSE)

static gboolean
same_bytes (const guint8 *a, gsize a_len, const guint8 *b, gsize b_len)
{
  return a_len == b_len && memcmp (a, b, a_len) == 0;
}

/* Does @sig (DER and sighash byte) of @key sign input @index of @tx? */
static gboolean
is_signature_of (const ReinTx *tx,
                 guint index,
                 const ReinPaymentRules *rules,
                 const guint8 *key,
                 gsize key_len,
                 const guint8 *sig,
                 gsize sig_len)
{
  guint8 hash[32];

  return rein_tx_sighash_legacy (tx, index, rules->redeem_script, rules->redeem_script_len,
                                 REIN_SIGHASH_ALL, hash, NULL)
         && rein_ecdsa_verify (key, key_len, sig, sig_len, hash, REIN_SIGHASH_ALL, NULL);
}

static gboolean
is_signers_signature (const ReinTx *tx,
                      guint index,
                      const ReinPaymentRules *rules,
                      const guint8 *sig,
                      gsize sig_len)
{
  return is_signature_of (tx, index, rules, rules->signer, rules->signer_len, sig, sig_len);
}

/* Is @key one of the keys the redeem script pushes? */
static gboolean
script_has_key (const ReinPaymentRules *rules, const guint8 *key, gsize key_len)
{
  g_autoptr (GArray) ops = rein_script_parse (rules->redeem_script, rules->redeem_script_len,
                                              NULL);

  for (guint o = 0; ops != NULL && o < ops->len; o++)
    {
      const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, o);

      if (op->data != NULL && same_bytes (op->data, op->len, key, key_len))
        return TRUE;
    }
  return FALSE;
}

/* A scriptSig as older clients and finalizers write it: pushes only, the
 * last the redeem script; one of the others the signer's signature. */
static gboolean
check_script_sig (const ReinTx *tx, guint index, const ReinPaymentRules *rules, GError **error)
{
  const ReinTxIn *in = rein_tx_get_input (tx, index);
  g_autoptr (GArray) ops = NULL;
  const ReinScriptOp *last;
  gboolean signed_by_signer = rules->signer == NULL;

  ops = rein_script_parse (in->script_sig->data, in->script_sig->len, NULL);
  if (ops == NULL || ops->len == 0)
    return refuse (error, "input %u of the %s payment has no scriptSig", index,
                   rules->escrow_name);
  last = &g_array_index (ops, ReinScriptOp, ops->len - 1);
  if (last->data == NULL
      || !same_bytes (last->data, last->len, rules->redeem_script, rules->redeem_script_len))
    return refuse (error, "input %u of the %s payment does not carry the escrow's redeem "
                   "script", index, rules->escrow_name);
  for (guint o = 0; o + 1 < ops->len && !signed_by_signer; o++)
    {
      const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, o);

      if (op->data != NULL && op->len > 0)
        signed_by_signer = is_signers_signature (tx, index, rules, op->data, op->len);
    }
  if (!signed_by_signer)
    return refuse (error, "input %u of the %s payment is not signed by the document's writer",
                   index, rules->escrow_name);
  return TRUE;
}

/* Every output pays one of the payees, each at most once, none below
 * the dust limit. */
static gboolean
check_outputs (const ReinTx *tx, const ReinPaymentRules *rules, GError **error)
{
  g_autofree gboolean *paid = g_new0 (gboolean, rules->n_payees + 1);

  if (tx->outputs->len == 0)
    return refuse (error, "the %s payment pays no one", rules->escrow_name);
  for (guint o = 0; o < tx->outputs->len; o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);
      gboolean known = FALSE;

      for (guint p = 0; p < rules->n_payees && !known; p++)
        {
          const GByteArray *want = rules->payees[p].script;

          if (!same_bytes (want->data, want->len, out->script_pubkey->data,
                           out->script_pubkey->len))
            continue;
          if (paid[p])
            return refuse (error, "the %s payment pays %s twice", rules->escrow_name,
                           rules->payees[p].who);
          paid[p] = known = TRUE;
        }
      if (!known)
        {
          g_autoptr (GString) allowed = g_string_new (NULL);

          for (guint p = 0; p < rules->n_payees; p++)
            g_string_append_printf (allowed, "%s%s", p == 0 ? "" : " and ",
                                    rules->payees[p].who);
          return refuse (error, "output %u of the %s payment pays someone it may not pay "
                         "(only %s)", o, rules->escrow_name, allowed->str);
        }
      if (out->value < REIN_DUST_LIMIT)
        return refuse (error, "output %u of the %s payment is %" G_GUINT64_FORMAT " sat, below "
                       "the dust limit of %d sat", o, rules->escrow_name, out->value,
                       REIN_DUST_LIMIT);
    }
  return TRUE;
}

gboolean
rein_payment_check_psbt (const ReinPsbt *psbt, const ReinPaymentRules *rules, GError **error)
{
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  g_autoptr (GByteArray) escrow_script = NULL;
  g_autoptr (GError) local_error = NULL;
  guint64 fee = 0, total = 0;

  g_return_val_if_fail (psbt != NULL && rules != NULL, FALSE);

  escrow_script = rein_script_p2sh_from_redeem (rules->redeem_script, rules->redeem_script_len);
  if (rein_psbt_get_n_inputs (psbt) == 0)
    return refuse (error, "the %s payment spends nothing", rules->escrow_name);

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      g_autoptr (ReinTx) prev = rein_psbt_get_non_witness_utxo (psbt, i, NULL);
      g_autoptr (GBytes) script = rein_psbt_get_redeem_script (psbt, i);
      g_autoptr (GPtrArray) sigs = NULL;
      const ReinTxOut *spent;
      gboolean signed_by_signer = rules->signer == NULL;

      if (prev == NULL)
        return refuse (error, "input %u of the %s payment has no previous transaction", i,
                       rules->escrow_name);
      spent = in->prev_vout < prev->outputs->len ? rein_tx_get_output (prev, in->prev_vout)
                                                 : NULL;
      if (spent == NULL
          || !same_bytes (spent->script_pubkey->data, spent->script_pubkey->len,
                          escrow_script->data, escrow_script->len))
        return refuse (error, "input %u of the %s payment does not spend the %s escrow", i,
                       rules->escrow_name, rules->escrow_name);
      total += spent->value;

      /* a final input carries its scriptSig; the others their parts */
      if (rein_psbt_input_is_finalized (psbt, i))
        {
          static const guint8 final_key[] = { REIN_PSBT_IN_FINAL_SCRIPTSIG };
          g_autoptr (GBytes) final = rein_psbt_get_record (psbt, REIN_PSBT_MAP_INPUT, i,
                                                            final_key, sizeof final_key);
          g_autoptr (ReinTx) copy = rein_tx_copy (tx);
          ReinTxIn *copy_in = rein_tx_get_input (copy, i);

          if (final == NULL)
            return refuse (error, "input %u of the %s payment is final without a scriptSig", i,
                           rules->escrow_name);
          g_byte_array_set_size (copy_in->script_sig, 0);
          g_byte_array_append (copy_in->script_sig, g_bytes_get_data (final, NULL),
                               g_bytes_get_size (final));
          if (!check_script_sig (copy, i, rules, error))
            return FALSE;
          continue;
        }
      if (script == NULL
          || !same_bytes (g_bytes_get_data (script, NULL), g_bytes_get_size (script),
                          rules->redeem_script, rules->redeem_script_len))
        return refuse (error, "input %u of the %s payment does not carry the escrow's redeem "
                       "script", i, rules->escrow_name);
      sigs = rein_psbt_get_partial_signatures (psbt, i);
      for (guint s = 0; sigs != NULL && s < sigs->len; s++)
        {
          ReinPsbtSignature *sig = g_ptr_array_index (sigs, s);
          gsize key_len = 0, sig_len = 0;
          const guint8 *key = g_bytes_get_data (sig->pubkey, &key_len);
          const guint8 *der = g_bytes_get_data (sig->signature, &sig_len);

          /* a signature that does not verify would make the payment
           * impossible to finalize: the whole payment is refused */
          if (!script_has_key (rules, key, key_len)
              || !is_signature_of (tx, i, rules, key, key_len, der, sig_len))
            return refuse (error, "input %u of the %s payment carries a signature that is not "
                           "a valid one of the escrow's keys", i, rules->escrow_name);
          if (rules->signer != NULL && same_bytes (key, key_len, rules->signer, rules->signer_len))
            signed_by_signer = TRUE;
        }
      if (!signed_by_signer)
        return refuse (error, "input %u of the %s payment is not signed by the document's "
                       "writer", i, rules->escrow_name);
    }

  if (!check_outputs (tx, rules, error))
    return FALSE;

  if (total < rules->min_spent)
    return refuse (error, "the %s payment spends %" G_GUINT64_FORMAT " sat, less than the %"
                   G_GUINT64_FORMAT " sat due in the escrow", rules->escrow_name, total,
                   rules->min_spent);
  if (!rein_psbt_get_fee (psbt, &fee, &local_error))
    return refuse (error, "the %s payment's fee: %s", rules->escrow_name, local_error->message);
  /* without a cap, still never more than half of what is spent: what
   * is not paid out is the fee */
  if (rules->fee_cap == 0 && fee > total / 2)
    return refuse (error, "the %s payment's fee of %" G_GUINT64_FORMAT " sat is more than half "
                   "of the %" G_GUINT64_FORMAT " sat it spends", rules->escrow_name, fee, total);
  if (rules->fee_cap != 0 && fee > rules->fee_cap)
    return refuse (error, "the %s payment's fee of %" G_GUINT64_FORMAT " sat is above the cap "
                   "of %" G_GUINT64_FORMAT " sat", rules->escrow_name, fee, rules->fee_cap);
  return TRUE;
}

static gboolean
is_hex (const gchar *text, gsize len)
{
  return len % 2 == 0 && strspn (text, "0123456789abcdefABCDEF") == len;
}

gboolean
rein_payment_check_text (const gchar *text, const ReinPaymentRules *rules, GError **error)
{
  g_autofree gchar *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  gsize len = strlen (trimmed);
  g_autoptr (GError) local_error = NULL;

  if (len == 0)
    return refuse (error, "the %s payment is empty", rules->escrow_name);
  /* Hex first: hex of a multiple of four digits is valid base64 too, but
   * never decodes to "psbt" 0xff. */
  if (is_hex (trimmed, len))
    {
      g_autoptr (ReinTx) tx = rein_tx_parse_hex (trimmed, &local_error);

      if (tx == NULL)
        return refuse (error, "the %s payment is not a transaction: %s", rules->escrow_name,
                       local_error->message);
      if (tx->inputs->len == 0)
        return refuse (error, "the %s payment spends nothing", rules->escrow_name);
      for (guint i = 0; i < tx->inputs->len; i++)
        if (!check_script_sig (tx, i, rules, error))
          return FALSE;
      return check_outputs (tx, rules, error);
    }
  else
    {
      g_autoptr (ReinPsbt) psbt = rein_psbt_parse_base64 (trimmed, &local_error);

      if (psbt == NULL)
        return refuse (error, "the %s payment is neither a PSBT nor a transaction: %s",
                       rules->escrow_name, local_error->message);
      return rein_payment_check_psbt (psbt, rules, error);
    }
}

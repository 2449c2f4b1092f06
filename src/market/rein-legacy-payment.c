/* rein-legacy-payment.c: the plain payment fields of python-rein 0.3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-legacy-payment.h"

#include <string.h>

/* Fails with a message made from @...: an expression, for "return refuse
 * (error, ...);". */
#define refuse(error, ...) \
  (g_set_error ((error), REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT, __VA_ARGS__), NULL)

void
rein_legacy_payment_free (ReinLegacyPayment *payment)
{
  if (payment == NULL)
    return;
  g_clear_pointer (&payment->tx, rein_tx_free);
  g_clear_pointer (&payment->signatures, g_ptr_array_unref);
  g_clear_pointer (&payment->client_signatures, g_ptr_array_unref);
  g_free (payment->txid);
  g_free (payment);
}

gboolean
rein_legacy_payment_present (ReinDocument *doc, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_DOCUMENT (doc), FALSE);

  return rein_document_get_field (doc, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                               : REIN_LEGACY_LABEL_MEDIATOR_INPUTS) != NULL;
}

/* A field that must be there, trimmed. */
static gchar *
required (ReinDocument *doc, const gchar *label, GError **error)
{
  const gchar *value = rein_document_get_field (doc, label);

  if (value == NULL || *value == '\0')
    return refuse (error, "the python-rein payment has no “%s”", label);
  return g_strstrip (g_strdup (value));
}

/* "txid-vout txid-vout ...": the inputs of a new version 1 transaction. */
static ReinTx *
parse_inputs (ReinDocument *doc, const gchar *label, GError **error)
{
  g_autofree gchar *text = required (doc, label, error);
  g_auto (GStrv) words = NULL;
  g_autoptr (ReinTx) tx = NULL;
  guint n = 0;

  if (text == NULL)
    return NULL;
  tx = rein_tx_new (REIN_LEGACY_TX_VERSION, 0);
  words = g_strsplit_set (text, " \t", -1);
  for (guint w = 0; words[w] != NULL; w++)
    {
      const gchar *dash;
      guint64 vout = 0;

      if (words[w][0] == '\0')
        continue;
      if (++n > REIN_LEGACY_MAX_INPUTS)
        return refuse (error, "“%s” lists more than %d inputs", label, REIN_LEGACY_MAX_INPUTS);
      dash = strchr (words[w], '-');
      if (dash == NULL || dash - words[w] != 64
          || !g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT32, &vout, NULL))
        return refuse (error, "input %u of “%s” is not a txid-vout pair", n, label);
      {
        g_autofree gchar *txid = g_strndup (words[w], 64);

        if (!rein_tx_add_input_hex (tx, txid, (guint32) vout, REIN_LEGACY_SEQUENCE, NULL))
          return refuse (error, "input %u of “%s” is not a txid-vout pair", n, label);
      }
      for (guint i = 0; i + 1 < tx->inputs->len; i++)
        {
          const ReinTxIn *a = rein_tx_get_input (tx, i);
          const ReinTxIn *b = rein_tx_get_input (tx, tx->inputs->len - 1);

          if (a->prev_vout == b->prev_vout && memcmp (a->prev_txid, b->prev_txid, 32) == 0)
            return refuse (error, "“%s” lists input %u twice", label, n);
        }
    }
  if (n == 0)
    return refuse (error, "“%s” lists no input", label);
  return g_steal_pointer (&tx);
}

/* The output script of an address of either network: 0.3's testnet
 * documents may carry mainnet-format addresses. */
static GByteArray *
script_of (const gchar *address, GError **error)
{
  ReinAddressType type;
  guint8 hash[20];

  if (!rein_address_validate (address, NULL, &type, hash, error))
    return NULL;
  return type == REIN_ADDRESS_P2SH ? rein_script_p2sh (hash) : rein_script_p2pkh (hash);
}

static gboolean
add_output (ReinTx *tx, ReinDocument *doc, const gchar *amount_label,
            const gchar *address_label, GError **error)
{
  g_autofree gchar *amount = required (doc, amount_label, error);
  g_autofree gchar *address = NULL;
  g_autoptr (GByteArray) script = NULL;
  g_autoptr (GError) local_error = NULL;
  gint64 satoshis = 0;

  if (amount == NULL || (address = required (doc, address_label, error)) == NULL)
    return FALSE;
  if (!rein_amount_parse_btc (amount, &satoshis, &local_error))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                   "“%s” is not an amount in BTC: %s", amount_label, local_error->message);
      return FALSE;
    }
  if ((script = script_of (address, &local_error)) == NULL)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                   "“%s” is not an address: %s", address_label, local_error->message);
      return FALSE;
    }
  rein_tx_add_output (tx, (guint64) satoshis, script->data, script->len);
  return TRUE;
}

/* One hex signature (DER + sighash byte) per input. */
static GPtrArray *
parse_signatures (const gchar *text, const gchar *label, guint n_inputs, GError **error)
{
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_auto (GStrv) words = g_strsplit_set (text, " \t", -1);

  for (guint w = 0; words[w] != NULL; w++)
    {
      g_autofree guint8 *bytes = NULL;
      gsize len = 0;

      if (words[w][0] == '\0')
        continue;
      if (sigs->len >= n_inputs)
        return refuse (error, "“%s” has more signatures than the %u inputs", label, n_inputs);
      bytes = rein_hex_decode (words[w], &len, NULL);
      if (bytes == NULL || len < 9 || len > REIN_SIGNATURE_MAX_LEN)
        return refuse (error, "signature %u of “%s” is not a hex signature", sigs->len + 1,
                       label);
      if (bytes[len - 1] != REIN_SIGHASH_ALL)
        return refuse (error, "signature %u of “%s” does not sign with SIGHASH_ALL",
                       sigs->len + 1, label);
      g_ptr_array_add (sigs, g_bytes_new (bytes, len));
    }
  if (sigs->len != n_inputs)
    return refuse (error, "“%s” has %u signatures for %u inputs", label, sigs->len, n_inputs);
  return g_steal_pointer (&sigs);
}

static GPtrArray *
optional_signatures (ReinDocument *doc, const gchar *label, guint n_inputs, GError **error)
{
  const gchar *text = rein_document_get_field (doc, label);

  if (text == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return parse_signatures (text, label, n_inputs, error);
}

static gboolean
same_unsigned (const ReinTx *a, const ReinTx *b)
{
  g_autoptr (ReinTx) ca = rein_tx_copy (a);
  g_autoptr (ReinTx) cb = rein_tx_copy (b);
  g_autoptr (GByteArray) sa = NULL;
  g_autoptr (GByteArray) sb = NULL;

  for (guint i = 0; i < ca->inputs->len; i++)
    g_byte_array_set_size (rein_tx_get_input (ca, i)->script_sig, 0);
  for (guint i = 0; i < cb->inputs->len; i++)
    g_byte_array_set_size (rein_tx_get_input (cb, i)->script_sig, 0);
  sa = rein_tx_serialize (ca, FALSE);
  sb = rein_tx_serialize (cb, FALSE);
  return sa->len == sb->len && memcmp (sa->data, sb->data, sa->len) == 0;
}

/* The accept's mediator payment in hex: the described transaction with
 * `OP_0 <creator sig> <redeem>` in each input. The creator's signatures. */
static GPtrArray *
partial_signatures (ReinDocument *doc, const ReinTx *tx, GError **error)
{
  const gchar *label = REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE;
  const gchar *text = rein_document_get_field (doc, label);
  g_autofree gchar *hex = NULL;
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (ReinTx) partial = NULL;
  g_autoptr (GError) local_error = NULL;

  if (text == NULL)
    return g_steal_pointer (&sigs);
  hex = g_strstrip (g_strdup (text));
  partial = rein_tx_parse_hex (hex, &local_error);
  if (partial == NULL)
    return refuse (error, "“%s” is not a transaction: %s", label, local_error->message);
  if (!same_unsigned (partial, tx))
    return refuse (error, "“%s” is not the payment its fields describe", label);
  for (guint i = 0; i < partial->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (partial, i);
      g_autoptr (GArray) ops = rein_script_parse (in->script_sig->data, in->script_sig->len, NULL);
      const ReinScriptOp *sig;

      if (ops == NULL || ops->len != 3 || g_array_index (ops, ReinScriptOp, 0).opcode != REIN_OP_0)
        return refuse (error, "input %u of “%s” is not `OP_0 <signature> <redeem script>`",
                       i, label);
      sig = &g_array_index (ops, ReinScriptOp, 1);
      if (sig->data == NULL || sig->len < 9 || sig->len > REIN_SIGNATURE_MAX_LEN)
        return refuse (error, "input %u of “%s” carries no signature", i, label);
      g_ptr_array_add (sigs, g_bytes_new (sig->data, sig->len));
    }
  return g_steal_pointer (&sigs);
}

ReinLegacyPayment *
rein_legacy_payment_read (ReinDocument *doc, gboolean primary, GError **error)
{
  g_autoptr (ReinLegacyPayment) payment = NULL;
  const gchar *sig_label = primary ? REIN_LEGACY_LABEL_PRIMARY_SIGNATURE
                                   : REIN_LEGACY_LABEL_MEDIATOR_SIGNATURE;
  const gchar *txid;

  g_return_val_if_fail (REIN_IS_DOCUMENT (doc), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rein_legacy_payment_present (doc, primary))
    return NULL;
  payment = g_new0 (ReinLegacyPayment, 1);
  payment->primary = primary;
  payment->tx = parse_inputs (doc, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                           : REIN_LEGACY_LABEL_MEDIATOR_INPUTS, error);
  if (payment->tx == NULL)
    return NULL;

  if (!primary)
    {
      if (!add_output (payment->tx, doc, REIN_LEGACY_LABEL_MEDIATOR_AMOUNT,
                       REIN_LEGACY_LABEL_MEDIATOR_ADDRESS, error))
        return NULL;
    }
  else if (rein_document_get_field (doc, REIN_LEGACY_LABEL_PRIMARY_WORKER_AMOUNT) != NULL)
    {
      /* a resolution: the worker's output first, then the creator's */
      if (!add_output (payment->tx, doc, REIN_LEGACY_LABEL_PRIMARY_WORKER_AMOUNT,
                       REIN_LEGACY_LABEL_PRIMARY_WORKER_ADDRESS, error)
          || !add_output (payment->tx, doc, REIN_LEGACY_LABEL_PRIMARY_CLIENT_AMOUNT,
                          REIN_LEGACY_LABEL_PRIMARY_CLIENT_ADDRESS, error))
        return NULL;
    }
  else if (!add_output (payment->tx, doc, REIN_LEGACY_LABEL_PRIMARY_AMOUNT,
                        REIN_LEGACY_LABEL_PRIMARY_ADDRESS, error))
    return NULL;

  payment->signatures = optional_signatures (doc, sig_label, payment->tx->inputs->len, error);
  if (payment->signatures == NULL)
    return NULL;
  payment->client_signatures = primary
                                 ? optional_signatures (doc,
                                                        REIN_LEGACY_LABEL_PRIMARY_CLIENT_SIGNATURE,
                                                        payment->tx->inputs->len, error)
                                 : partial_signatures (doc, payment->tx, error);
  if (payment->client_signatures == NULL)
    return NULL;

  txid = primary ? rein_document_get_field (doc, REIN_LEGACY_LABEL_PRIMARY_TXID) : NULL;
  if (txid != NULL)
    {
      /* the complete transaction's: its scriptSigs are part of it, so it
       * is only checked to be a txid */
      payment->txid = g_strstrip (g_strdup (txid));
      if (strlen (payment->txid) != 64 || strspn (payment->txid, "0123456789abcdefABCDEF") != 64)
        return refuse (error, "“%s” is not a txid", REIN_LEGACY_LABEL_PRIMARY_TXID);
    }
  return g_steal_pointer (&payment);
}

guint64
rein_legacy_fee_allowance (guint64 due)
{
  return MIN (MAX (REIN_LEGACY_FEE_ALLOWANCE, due / 20), due / 2);
}

gboolean
rein_legacy_check_paid (const ReinTx *tx, guint64 due, const gchar *what, GError **error)
{
  guint64 paid = 0;
  guint64 allowance;

  g_return_val_if_fail (tx != NULL && what != NULL, FALSE);

  for (guint o = 0; o < tx->outputs->len; o++)
    {
      guint64 value = rein_tx_get_output (tx, o)->value;

      if (value > G_MAXUINT64 - paid)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                       "the %s payment's amounts overflow", what);
          return FALSE;
        }
      paid += value;
    }
  allowance = rein_legacy_fee_allowance (due);
  if (paid < due - allowance)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                   "the %s payment pays %" G_GUINT64_FORMAT " sat of the %" G_GUINT64_FORMAT
                   " sat due: its fee would be more than the %" G_GUINT64_FORMAT " sat allowed",
                   what, paid, due, allowance);
      return FALSE;
    }
  return TRUE;
}

gboolean
rein_legacy_payment_check_due (const ReinLegacyPayment *payment,
                               const ReinLegacyPayment *described,
                               guint64 due,
                               const gchar *escrow_name,
                               GError **error)
{
  g_autofree gchar *what = NULL;

  g_return_val_if_fail (payment != NULL && payment->tx != NULL, FALSE);
  g_return_val_if_fail (escrow_name != NULL, FALSE);

  if (described != NULL)
    {
      /* the worker chose the fee and signed for it: nothing else will do */
      if (!same_unsigned (payment->tx, described->tx))
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                       "the python-rein %s payment is not the one the delivery's fields "
                       "describe (its inputs, amount or address differ)", escrow_name);
          return FALSE;
        }
      return TRUE;
    }
  what = g_strdup_printf ("python-rein %s", escrow_name);
  return rein_legacy_check_paid (payment->tx, due, what, error);
}

gchar *
rein_legacy_payment_to_hex (const ReinLegacyPayment *payment,
                            const guint8 *redeem,
                            gsize redeem_len)
{
  g_autoptr (ReinTx) tx = NULL;

  g_return_val_if_fail (payment != NULL && redeem != NULL, NULL);

  tx = rein_tx_copy (payment->tx);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      GByteArray *script = rein_tx_get_input (tx, i)->script_sig;
      guint8 op_0 = REIN_OP_0;

      g_byte_array_append (script, &op_0, 1);
      for (guint s = 0; s < 2; s++)
        {
          GPtrArray *sigs = s == 0 ? payment->signatures : payment->client_signatures;

          if (sigs != NULL && i < sigs->len)
            {
              gsize len = 0;
              const guint8 *data = g_bytes_get_data (g_ptr_array_index (sigs, i), &len);

              rein_script_append_push (script, data, len);
            }
        }
      rein_script_append_push (script, redeem, redeem_len);
    }
  return rein_tx_to_hex (tx);
}

static gboolean
add_partial_signature (ReinPsbt *psbt, guint index, const gchar *key_hex, GBytes *sig,
                       GError **error)
{
  guint8 key[1 + 65];
  gsize key_len = 0;
  gsize sig_len = 0;
  const guint8 *sig_data = g_bytes_get_data (sig, &sig_len);

  if (!rein_public_key_parse_hex (key_hex, key + 1, &key_len, error))
    return FALSE;
  key[0] = REIN_PSBT_IN_PARTIAL_SIG;
  return rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, index, key, 1 + key_len, sig_data,
                               sig_len, error);
}

ReinPsbt *
rein_legacy_payment_to_psbt (const ReinLegacyPayment *payment,
                             GPtrArray *prev_txs,
                             const guint8 *redeem,
                             gsize redeem_len,
                             const gchar *signer_key_hex,
                             const gchar *client_key_hex,
                             GError **error)
{
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (GByteArray) escrow = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (payment != NULL && prev_txs != NULL && redeem != NULL, NULL);

  if (prev_txs->len != payment->tx->inputs->len)
    return refuse (error, "the python-rein payment has %u inputs, %u previous transactions",
                   payment->tx->inputs->len, prev_txs->len);
  psbt = rein_psbt_new (payment->tx, error);
  if (psbt == NULL)
    return NULL;
  escrow = rein_script_p2sh_from_redeem (redeem, redeem_len);
  for (guint i = 0; i < payment->tx->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (payment->tx, i);
      const ReinTx *prev = g_ptr_array_index (prev_txs, i);
      const ReinTxOut *spent = in->prev_vout < prev->outputs->len
                                 ? rein_tx_get_output (prev, in->prev_vout)
                                 : NULL;
      GBytes *sig = payment->signatures != NULL && i < payment->signatures->len
                      ? g_ptr_array_index (payment->signatures, i)
                      : NULL;
      GBytes *client = payment->client_signatures != NULL
                           && i < payment->client_signatures->len
                         ? g_ptr_array_index (payment->client_signatures, i)
                         : NULL;

      if (spent == NULL || spent->script_pubkey->len != escrow->len
          || memcmp (spent->script_pubkey->data, escrow->data, escrow->len) != 0)
        return refuse (error, "input %u of the python-rein payment does not spend the escrow", i);
      if (!rein_psbt_set_non_witness_utxo (psbt, i, g_ptr_array_index (prev_txs, i),
                                           &local_error)
          || !rein_psbt_set_redeem_script (psbt, i, redeem, redeem_len, &local_error)
          || !rein_psbt_set_sighash_type (psbt, i, REIN_SIGHASH_ALL, &local_error))
        return refuse (error, "input %u of the python-rein payment: %s", i,
                       local_error->message);
      if ((sig != NULL && signer_key_hex != NULL
           && !add_partial_signature (psbt, i, signer_key_hex, sig, &local_error))
          || (client != NULL && client_key_hex != NULL
              && !add_partial_signature (psbt, i, client_key_hex, client, &local_error)))
        return refuse (error, "input %u of the python-rein payment carries a malformed "
                       "signature: %s", i, local_error->message);
    }
  return g_steal_pointer (&psbt);
}

/* ---- writing ---- */

gchar *
rein_legacy_format_inputs (const ReinTx *tx)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (tx != NULL, NULL);

  for (guint i = 0; i < tx->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      guint8 reversed[32];
      g_autofree gchar *hex = NULL;

      for (guint b = 0; b < 32; b++)
        reversed[b] = in->prev_txid[31 - b];
      hex = rein_hex_encode (reversed, 32);
      g_string_append_printf (text, "%s%s-%u", i == 0 ? "" : " ", hex, in->prev_vout);
    }
  return g_string_free (text, FALSE);
}

gchar *
rein_legacy_format_amount (guint64 satoshis)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%08" G_GUINT64_FORMAT,
                          satoshis / (guint64) REIN_SATOSHIS_PER_BTC,
                          satoshis % (guint64) REIN_SATOSHIS_PER_BTC);
}

gchar *
rein_legacy_format_address (const GByteArray *script, ReinNetwork network)
{
  guint8 hash[20];

  g_return_val_if_fail (script != NULL, NULL);

  if (rein_script_is_p2pkh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2PKH, network);
  if (rein_script_is_p2sh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, network);
  return NULL;
}

gchar *
rein_legacy_format_signatures (GPtrArray *signatures)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (signatures != NULL, NULL);

  for (guint s = 0; s < signatures->len; s++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (signatures, s), &len);
      g_autofree gchar *hex = rein_hex_encode (data, len);

      g_string_append_printf (text, "%s%s", s == 0 ? "" : " ", hex);
    }
  return g_string_free (text, FALSE);
}

GPtrArray *
rein_legacy_signatures_of (const ReinPsbt *psbt, const guint8 *key, gsize key_len)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (psbt != NULL && key != NULL, NULL);

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, i);
      GBytes *mine = NULL;

      for (guint s = 0; sigs != NULL && s < sigs->len && mine == NULL; s++)
        {
          ReinPsbtSignature *sig = g_ptr_array_index (sigs, s);
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (sig->pubkey, &len);

          if (len == key_len && memcmp (data, key, len) == 0)
            mine = sig->signature;
        }
      if (mine == NULL)
        return NULL;
      g_ptr_array_add (found, g_bytes_ref (mine));
    }
  return g_steal_pointer (&found);
}

ReinTx *
rein_legacy_tx_new (const ReinTx *tx, GPtrArray *outputs)
{
  ReinTx *legacy;

  g_return_val_if_fail (tx != NULL && outputs != NULL, NULL);

  legacy = rein_tx_new (REIN_LEGACY_TX_VERSION, 0);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);

      rein_tx_add_input (legacy, in->prev_txid, in->prev_vout, REIN_LEGACY_SEQUENCE);
    }
  for (guint o = 0; o < outputs->len; o++)
    {
      const ReinTxOut *out = g_ptr_array_index (outputs, o);

      rein_tx_add_output (legacy, out->value, out->script_pubkey->data, out->script_pubkey->len);
    }
  return legacy;
}

GPtrArray *
rein_legacy_sign (const ReinTx *tx,
                  const guint8 *redeem,
                  gsize redeem_len,
                  const ReinPrivateKey *key,
                  GError **error)
{
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (tx != NULL && redeem != NULL && key != NULL, NULL);

  for (guint i = 0; i < tx->inputs->len; i++)
    {
      guint8 hash[32];
      g_autoptr (GByteArray) sig = NULL;
      guint8 sighash = REIN_SIGHASH_ALL;

      if (!rein_tx_sighash_legacy (tx, i, redeem, redeem_len, REIN_SIGHASH_ALL, hash, error)
          || (sig = rein_ecdsa_sign (key, hash, error)) == NULL)
        return NULL;
      g_byte_array_append (sig, &sighash, 1);
      g_ptr_array_add (sigs, g_bytes_new (sig->data, sig->len));
    }
  return g_steal_pointer (&sigs);
}

gchar *
rein_legacy_partial_hex (const ReinTx *tx,
                         GPtrArray *signatures,
                         const guint8 *redeem,
                         gsize redeem_len)
{
  ReinLegacyPayment payment = { 0 };

  g_return_val_if_fail (tx != NULL && signatures != NULL, NULL);
  g_return_val_if_fail (signatures->len == tx->inputs->len, NULL);

  payment.tx = (ReinTx *) tx;
  payment.signatures = signatures;
  return rein_legacy_payment_to_hex (&payment, redeem, redeem_len);
}

void
rein_legacy_add_field (GString *text, const gchar *label, const gchar *value)
{
  g_return_if_fail (text != NULL && label != NULL);

  if (value != NULL)
    g_string_append_printf (text, "\n%s: %s", label, value);
}

/* rein-legacy-delivery.c: a delivery a python-rein 0.3 creator can accept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-client-error.h"
#include "rein-legacy-delivery.h"
#include "rein-legacy-payment.h"
#include "rein-payments.h"

typedef struct
{
  ReinChain *chain;
  ReinJob *job;
  gboolean testnet;
  ReinPrivateKey *key;
  ReinEscrowStatus *status;
  ReinPayees *payees;
  ReinPsbt *psbt[2]; /* primary, mediator */
  gint64 fee_cap;
} Delivery;

static void
delivery_free (Delivery *d)
{
  g_clear_object (&d->chain);
  g_clear_object (&d->job);
  g_clear_pointer (&d->key, rein_private_key_free);
  g_clear_pointer (&d->status, rein_escrow_status_free);
  g_clear_pointer (&d->payees, rein_payees_free);
  for (guint e = 0; e < 2; e++)
    g_clear_pointer (&d->psbt[e], rein_psbt_free);
  g_free (d);
}

/* The fields of one payment; the primary one signed. */
static gboolean
add_payment (GString *text, Delivery *d, gboolean primary, GError **error)
{
  const ReinTx *tx = rein_psbt_get_tx (d->psbt[primary ? 0 : 1]);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr (ReinTx) legacy = NULL;
  g_autofree gchar *inputs = NULL, *amount = NULL, *address = NULL;
  const ReinTxOut *out;

  if (tx->outputs->len != 1)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("the payment would pay more than one output"));
      return FALSE;
    }
  g_ptr_array_add (outputs, rein_tx_get_output (tx, 0));
  legacy = rein_legacy_tx_new (tx, outputs);
  out = rein_tx_get_output (legacy, 0);
  inputs = rein_legacy_format_inputs (legacy);
  amount = rein_legacy_format_amount (out->value);
  address = rein_legacy_format_address (out->script_pubkey, d->testnet ? REIN_NETWORK_TESTNET
                                                                       : REIN_NETWORK_MAINNET);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                       : REIN_LEGACY_LABEL_MEDIATOR_INPUTS, inputs);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_AMOUNT
                                       : REIN_LEGACY_LABEL_MEDIATOR_AMOUNT, amount);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_ADDRESS
                                       : REIN_LEGACY_LABEL_MEDIATOR_ADDRESS, address);
  if (primary)
    {
      g_autofree guint8 *redeem = NULL;
      gsize redeem_len = 0;
      g_autoptr (GPtrArray) sigs = NULL;
      g_autofree gchar *hex = NULL;

      redeem = rein_hex_decode (d->status->primary.redeem_script_hex, &redeem_len, error);
      if (redeem == NULL)
        return FALSE;
      sigs = rein_legacy_sign (legacy, redeem, redeem_len, d->key, error);
      if (sigs == NULL)
        return FALSE;
      hex = rein_legacy_format_signatures (sigs);
      rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE, hex);
    }
  return TRUE;
}

static void
sign_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Delivery *d = task_data;
  g_autoptr (GString) text = g_string_new (NULL);
  GError *error = NULL;

  if (!add_payment (text, d, TRUE, &error) || !add_payment (text, d, FALSE, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* the key is no longer needed */
  g_clear_pointer (&d->key, rein_private_key_free);
  g_task_return_pointer (task, g_string_free (g_steal_pointer (&text), FALSE), g_free);
}

static void prepare_next (GTask *task);

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Delivery *d = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (ReinPayment) payment = rein_payment_prepare_finish (result, &error);

  if (payment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d->psbt[d->psbt[0] == NULL ? 0 : 1] = g_steal_pointer (&payment->psbt);
  prepare_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
prepare_next (GTask *task)
{
  Delivery *d = g_task_get_task_data (task);

  if (d->psbt[1] != NULL)
    {
      g_task_run_in_thread (task, sign_thread);
      g_object_unref (task);
      return;
    }
  /* what the accept pays: the worker out of the primary escrow, the
   * mediator out of the other */
  rein_payment_prepare_async (d->chain, d->status, d->psbt[0] == NULL, d->payees,
                              REIN_PAYOUT_ACCEPT, 100, REIN_PAYMENTS_DEFAULT_FEE_TARGET, 0,
                              d->fee_cap,
                              g_task_get_cancellable (task), prepared_cb, task);
}

static void
looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Delivery *d = g_task_get_task_data (task);
  GError *error = NULL;

  d->status = rein_escrow_status_lookup_finish (result, &error);
  if (d->status == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint e = 0; e < 2; e++)
    {
      const ReinEscrowAccount *account = e == 0 ? &d->status->primary : &d->status->mediator;

      if (account->confirmed + account->unconfirmed < account->due)
        {
          g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNFUNDED, "%s",
                                   e == 0 ? _("the primary escrow is not funded yet")
                                          : _("the mediator escrow is not funded yet"));
          return;
        }
    }
  prepare_next (g_steal_pointer (&task));
}

void
rein_legacy_delivery_fields_async (ReinChain *chain,
                                   ReinJob *job,
                                   gboolean testnet,
                                   const ReinPrivateKey *delegate,
                                   gint64 fee_cap,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Delivery *d;
  GError *error = NULL;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));
  g_return_if_fail (delegate != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_legacy_delivery_fields_async);
  d = g_new0 (Delivery, 1);
  g_task_set_task_data (task, d, (GDestroyNotify) delivery_free);
  d->chain = g_object_ref (chain);
  d->job = g_object_ref (job);
  d->testnet = testnet;
  d->fee_cap = fee_cap;
  d->key = rein_private_key_copy (delegate);
  d->payees = rein_payees_new (job, testnet, &error);
  if (d->payees == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rein_escrow_status_lookup_async (chain, job, testnet, cancellable, looked_up_cb,
                                   g_steal_pointer (&task));
}

gchar *
rein_legacy_delivery_fields_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_legacy_delivery_fields_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* rein-legacy-delivery.c: a delivery a python-rein 0.3 creator can accept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "rein-client-error.h"
#include "rein-legacy-delivery.h"
#include "rein-legacy-payment.h"
#include "rein-payments.h"

struct _ReinLegacyDelivery
{
  gboolean testnet;
  gint64 fee_cap;
  ReinEscrowStatus *status;
  ReinPayees *payees;
  ReinPsbt *psbt[2];  /* primary, mediator: unsigned */
  ReinTx *legacy[2];  /* what 0.3 rebuilds from the fields */
  gchar *fields;      /* without the signature */
};

/* While it is built. */
typedef struct
{
  ReinChain *chain;
  ReinJob *job;
  ReinLegacyDelivery *d;
} Build;

static void
delivery_free (ReinLegacyDelivery *d)
{
  g_clear_pointer (&d->status, rein_escrow_status_free);
  g_clear_pointer (&d->payees, rein_payees_free);
  for (guint e = 0; e < 2; e++)
    {
      g_clear_pointer (&d->psbt[e], rein_psbt_free);
      g_clear_pointer (&d->legacy[e], rein_tx_free);
    }
  g_free (d->fields);
}

ReinLegacyDelivery *
rein_legacy_delivery_ref (ReinLegacyDelivery *delivery)
{
  g_return_val_if_fail (delivery != NULL, NULL);
  return g_atomic_rc_box_acquire (delivery);
}

void
rein_legacy_delivery_unref (ReinLegacyDelivery *delivery)
{
  g_return_if_fail (delivery != NULL);
  g_atomic_rc_box_release_full (delivery, (GDestroyNotify) delivery_free);
}

static void
build_free (Build *b)
{
  g_clear_object (&b->chain);
  g_clear_object (&b->job);
  g_clear_pointer (&b->d, rein_legacy_delivery_unref);
  g_free (b);
}

/* The fields of payment @e, unsigned, and the transaction they describe. */
static gboolean
add_payment (GString *text, ReinLegacyDelivery *d, guint e, GError **error)
{
  const ReinTx *tx = rein_psbt_get_tx (d->psbt[e]);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new ();
  g_autofree gchar *inputs = NULL, *amount = NULL, *address = NULL;
  const ReinTxOut *out;
  gboolean primary = e == 0;

  if (tx->outputs->len != 1)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("the payment would pay more than one output"));
      return FALSE;
    }
  g_ptr_array_add (outputs, rein_tx_get_output (tx, 0));
  d->legacy[e] = rein_legacy_tx_new (tx, outputs);
  out = rein_tx_get_output (d->legacy[e], 0);
  inputs = rein_legacy_format_inputs (d->legacy[e]);
  amount = rein_legacy_format_amount (out->value);
  address = rein_legacy_format_address (out->script_pubkey, d->testnet ? REIN_NETWORK_TESTNET
                                                                       : REIN_NETWORK_MAINNET);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                       : REIN_LEGACY_LABEL_MEDIATOR_INPUTS, inputs);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_AMOUNT
                                       : REIN_LEGACY_LABEL_MEDIATOR_AMOUNT, amount);
  rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_ADDRESS
                                       : REIN_LEGACY_LABEL_MEDIATOR_ADDRESS, address);
  return TRUE;
}

gchar *
rein_legacy_delivery_sign (ReinLegacyDelivery *delivery,
                           const ReinPrivateKey *delegate,
                           GError **error)
{
  g_autofree guint8 *redeem = NULL;
  gsize redeem_len = 0;
  g_autoptr (GPtrArray) sigs = NULL;
  g_autofree gchar *hex = NULL;
  GString *text;

  g_return_val_if_fail (delivery != NULL && delivery->legacy[0] != NULL, NULL);
  g_return_val_if_fail (delegate != NULL, NULL);

  redeem = rein_hex_decode (delivery->status->primary.redeem_script_hex, &redeem_len, error);
  if (redeem == NULL)
    return NULL;
  sigs = rein_legacy_sign (delivery->legacy[0], redeem, redeem_len, delegate, error);
  if (sigs == NULL)
    return NULL;
  hex = rein_legacy_format_signatures (sigs);
  text = g_string_new (NULL);
  rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE, hex);
  return g_string_free (text, FALSE);
}

gsize
rein_legacy_delivery_get_signature_size_max (ReinLegacyDelivery *delivery)
{
  g_return_val_if_fail (delivery != NULL && delivery->legacy[0] != NULL, 0);

  /* the label; per input a DER signature and its sighash byte in hex,
   * and a space; the line's end */
  return strlen (REIN_LEGACY_LABEL_PRIMARY_SIGNATURE) + 2
         + delivery->legacy[0]->inputs->len * (2 * REIN_SIGNATURE_MAX_LEN + 1) + 1;
}

const gchar *
rein_legacy_delivery_get_fields (ReinLegacyDelivery *delivery)
{
  g_return_val_if_fail (delivery != NULL, NULL);
  return delivery->fields;
}

gint64
rein_legacy_delivery_get_fee_cap (ReinLegacyDelivery *delivery)
{
  g_return_val_if_fail (delivery != NULL, 0);
  return delivery->fee_cap;
}

ReinPaymentReview *
rein_legacy_delivery_review (ReinLegacyDelivery *delivery, gboolean primary)
{
  const ReinEscrowAccount *account;
  ReinPaymentReview *review;
  ReinPsbt *psbt;

  g_return_val_if_fail (delivery != NULL, NULL);

  psbt = delivery->psbt[primary ? 0 : 1];
  account = primary ? &delivery->status->primary : &delivery->status->mediator;
  /* the final transaction: each input with two signatures and the
   * redeem script */
  review = rein_payment_review_new (psbt, delivery->testnet ? REIN_NETWORK_TESTNET
                                                            : REIN_NETWORK_MAINNET,
                                    (guint) rein_tx_get_size (delivery->legacy[primary ? 0 : 1])
                                      + rein_psbt_get_n_inputs (psbt)
                                          * (2 * (REIN_SIGNATURE_MAX_LEN + 1) + 3
                                             + (guint) strlen (account->redeem_script_hex) / 2
                                             + 3));
  review->primary = primary;
  review->escrow_address = g_strdup (account->address);
  review->due = account->due;
  for (guint o = 0; o < review->outputs->len; o++)
    {
      ReinReviewOutput *out = g_ptr_array_index (review->outputs, o);

      out->payee = primary ? REIN_ROLE_WORKER : REIN_ROLE_MEDIATOR;
      if (g_strcmp0 (out->address, primary ? delivery->payees->worker
                                           : delivery->payees->mediator) != 0)
        out->payee = REIN_ROLE_NONE; /* never built so: said as it is */
    }
  return review;
}

/* Can a 0.3 creator's accept, and ours, complete these payments? 0.3's
 * fields list at most REIN_LEGACY_MAX_INPUTS coins, and an accept of
 * such a delivery must carry them beside its PSBTs: a delivery whose
 * accept could not would leave the job with no accept at all. */
static gboolean
check_acceptable (Build *b, GError **error)
{
  ReinLegacyDelivery *d = b->d;
  gsize size;

  for (guint e = 0; e < 2; e++)
    {
      guint n = rein_psbt_get_n_inputs (d->psbt[e]);

      if (n > REIN_LEGACY_MAX_INPUTS)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                       e == 0 ? _("the primary escrow holds %u coins, and a python-rein 0.3 "
                                  "payment lists at most %d")
                              : _("the mediator escrow holds %u coins, and a python-rein 0.3 "
                                  "payment lists at most %d"),
                       n, REIN_LEGACY_MAX_INPUTS);
          return FALSE;
        }
    }
  size = rein_payments_estimate_accept_size (d->psbt[0], d->psbt[1], d->status,
                                             rein_job_get_name (b->job), TRUE);
  if (size > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   _("the accept of such a delivery would not fit in a Rein document (about "
                     "%u bytes of the %d it may hold): the escrows’ coins come with large "
                     "funding transactions"),
                   (guint) size, REIN_DOCUMENT_MAX_SIZE);
      return FALSE;
    }
  return TRUE;
}

static void prepare_next (GTask *task);

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Build *b = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (ReinPayment) payment = rein_payment_prepare_finish (result, &error);

  if (payment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  b->d->psbt[b->d->psbt[0] == NULL ? 0 : 1] = g_steal_pointer (&payment->psbt);
  prepare_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
prepare_next (GTask *task)
{
  Build *b = g_task_get_task_data (task);
  ReinLegacyDelivery *d = b->d;

  if (d->psbt[1] != NULL)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      GError *error = NULL;

      if (!check_acceptable (b, &error) || !add_payment (text, d, 0, &error)
          || !add_payment (text, d, 1, &error))
        g_task_return_error (task, error);
      else
        {
          d->fields = g_string_free (g_steal_pointer (&text), FALSE);
          g_task_return_pointer (task, rein_legacy_delivery_ref (d),
                                 (GDestroyNotify) rein_legacy_delivery_unref);
        }
      g_object_unref (task);
      return;
    }
  /* what the accept pays: the worker out of the primary escrow, the
   * mediator out of the other */
  rein_payment_prepare_async (b->chain, d->status, d->psbt[0] == NULL, d->payees,
                              REIN_PAYOUT_ACCEPT, 100, REIN_PAYMENTS_DEFAULT_FEE_TARGET, 0,
                              d->fee_cap, g_task_get_cancellable (task), prepared_cb, task);
}

static void
looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Build *b = g_task_get_task_data (task);
  GError *error = NULL;

  b->d->status = rein_escrow_status_lookup_finish (result, &error);
  if (b->d->status == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint e = 0; e < 2; e++)
    {
      const ReinEscrowAccount *account = e == 0 ? &b->d->status->primary
                                                : &b->d->status->mediator;

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
rein_legacy_delivery_prepare_async (ReinChain *chain,
                                    ReinJob *job,
                                    gboolean testnet,
                                    gint64 fee_cap,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Build *b;
  GError *error = NULL;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_legacy_delivery_prepare_async);
  b = g_new0 (Build, 1);
  g_task_set_task_data (task, b, (GDestroyNotify) build_free);
  b->chain = g_object_ref (chain);
  b->job = g_object_ref (job);
  b->d = g_atomic_rc_box_new0 (ReinLegacyDelivery);
  b->d->testnet = testnet;
  b->d->fee_cap = fee_cap;
  b->d->payees = rein_payees_new (job, testnet, &error);
  if (b->d->payees == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rein_escrow_status_lookup_async (chain, job, testnet, cancellable, looked_up_cb,
                                   g_steal_pointer (&task));
}

ReinLegacyDelivery *
rein_legacy_delivery_prepare_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_legacy_delivery_prepare_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- prepared and signed in one call ---- */

static void
sign_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const ReinPrivateKey *key = task_data;
  ReinLegacyDelivery *d = g_object_get_data (G_OBJECT (task), "delivery");
  GError *error = NULL;
  g_autofree gchar *signature = rein_legacy_delivery_sign (d, key, &error);

  if (signature == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strconcat (d->fields, signature, NULL), g_free);
}

static void
fields_prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  ReinLegacyDelivery *d = rein_legacy_delivery_prepare_finish (result, &error);

  if (d == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "delivery", d,
                          (GDestroyNotify) rein_legacy_delivery_unref);
  g_task_run_in_thread (task, sign_thread);
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
  GTask *task;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));
  g_return_if_fail (delegate != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_legacy_delivery_fields_async);
  /* the copy is wiped when the task goes */
  g_task_set_task_data (task, rein_private_key_copy (delegate),
                        (GDestroyNotify) rein_private_key_free);
  rein_legacy_delivery_prepare_async (chain, job, testnet, fee_cap, cancellable,
                                      fields_prepared_cb, task);
}

gchar *
rein_legacy_delivery_fields_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_legacy_delivery_fields_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

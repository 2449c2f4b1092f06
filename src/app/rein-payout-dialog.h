/* rein-payout-dialog.h: the review before every signature of a payment
 *
 * What wallet users know from Electrum and Sparrow: before anything is
 * signed, every input and output of both payments (the primary escrow's
 * and the mediator escrow's) in BTC and satoshis, who each output pays
 * (the worker, the mediator, the creator, by name and address), the fee,
 * its rate and its share of the amount (a warning above 5%). The writer of
 * an accept or a resolution chooses the fee target or a rate of their own
 * (the payments are rebuilt) and, for a split, the worker's share. Nothing
 * is signed until the user ticks that they checked it and presses Sign;
 * the password is asked when the keys are locked.
 *
 * Co-signing shows the payments a job's accept or resolution carries, each
 * with its state, adds my signature where it completes one, and asks once
 * more before a complete payment is sent.
 *
 * The work (chain, store, signing) is rein-payments.h's, off the UI
 * thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-payments.h"

G_BEGIN_DECLS

#define REIN_TYPE_PAYOUT_DIALOG (rein_payout_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinPayoutDialog, rein_payout_dialog, REIN, PAYOUT_DIALOG, AdwWindow)

/* The writer of an accept (REIN_PAYOUT_ACCEPT) or a resolution (refund,
 * award, split with @worker_percent as the starting share, which the
 * dialog lets the mediator change): builds both payments of @job for the
 * active identity, shows them, and signs them once the user confirmed.
 * The result is the signed payments for the document
 * (rein_payments_get_base64()); record them with
 * rein_payments_record_async() once the document is published. Fails with
 * G_IO_ERROR_CANCELLED when the user cancelled (or @cancellable was). */
void rein_payout_dialog_run_async (GtkWidget *parent,
                                   ReinContext *context,
                                   ReinJob *job,
                                   ReinPayoutKind kind,
                                   guint worker_percent,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
ReinPayments *rein_payout_dialog_run_finish (GAsyncResult *result, GError **error);

/* The co-signer: opens the payments @job's accept or resolution carries,
 * shows them with their states, signs where my signature completes one,
 * asks before sending a complete one, sends it and records what was done.
 * The result is the payments as they are now. G_IO_ERROR_CANCELLED when
 * the user cancelled before signing. */
void rein_payout_dialog_cosign_async (GtkWidget *parent,
                                      ReinContext *context,
                                      ReinJob *job,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
ReinPayments *rein_payout_dialog_cosign_finish (GAsyncResult *result, GError **error);

/* A one-key spend of the active identity's own address (the delegate's
 * P2PKH address payouts go to by default): everything there to
 * @to_address, less the fee, with the same review, tick and password;
 * asks once more before sending. The result is the transaction's ID.
 * G_IO_ERROR_CANCELLED when the user cancelled. */
void rein_payout_dialog_spend_async (GtkWidget *parent,
                                     ReinSession *session,
                                     const gchar *to_address,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gchar *rein_payout_dialog_spend_finish (GAsyncResult *result, GError **error);

/* Where payment @primary of @payments stands, in words ("Paid in TXID,
 * 2 confirmations", "Refused: REASON"). */
gchar *rein_payout_describe_state (ReinPayments *payments, gboolean primary);

/* ---- for tests ---- */

/* "working", "error", "review" */
const gchar *rein_payout_dialog_get_page (ReinPayoutDialog *self);
/* The payments under review (NULL while they are built). */
ReinPayments *rein_payout_dialog_get_payments (ReinPayoutDialog *self);
/* What went wrong, in words, or NULL. */
const gchar *rein_payout_dialog_get_error (ReinPayoutDialog *self);
void rein_payout_dialog_set_password (ReinPayoutDialog *self, const gchar *password);
void rein_payout_dialog_set_confirmed (ReinPayoutDialog *self, gboolean confirmed);
/* sat/vB, 0: the estimate; rebuilds. */
void rein_payout_dialog_set_fee_rate (ReinPayoutDialog *self, gdouble sat_per_vb);
/* A split's worker share; rebuilds. */
void rein_payout_dialog_set_worker_percent (ReinPayoutDialog *self, guint percent);
/* The "payout.sign" action, as the Sign button does it. */
void rein_payout_dialog_sign (ReinPayoutDialog *self);

G_END_DECLS

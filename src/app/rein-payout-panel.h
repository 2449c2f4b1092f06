/* rein-payout-panel.h: where a job's payouts stand, on the job page
 *
 * When the job has an accept or a resolution carrying payments: per
 * escrow, its state (waiting for a signature, yours to sign, complete,
 * sent with its txid and confirmations, paid elsewhere, refused with the
 * reason), "Review and Co-sign" (rein-payout-dialog.h), and the PSBTs to
 * take elsewhere and back: copy as base64, show as a QR code, save and
 * open .psbt files. Confirmations are followed while a payment is not
 * confirmed; "Paid" once both are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-payments.h"

G_BEGIN_DECLS

#define REIN_TYPE_PAYOUT_PANEL (rein_payout_panel_get_type ())
G_DECLARE_FINAL_TYPE (ReinPayoutPanel, rein_payout_panel, REIN, PAYOUT_PANEL, AdwBin)

GtkWidget *rein_payout_panel_new (ReinContext *context);
/* The job to show (NULL: none). The panel hides itself while the job
 * carries no payments. */
void rein_payout_panel_set_job (ReinPayoutPanel *self, ReinMyJob *job);
/* Looks at the chain again (what the panel does by itself while a payment
 * waits for confirmations). */
void rein_payout_panel_refresh (ReinPayoutPanel *self);

/* ---- for tests ---- */

/* "loading" property: a look at the chain is under way. */
gboolean rein_payout_panel_get_loading (ReinPayoutPanel *self);
/* "paid" property: both payments are sent and confirmed. */
gboolean rein_payout_panel_get_paid (ReinPayoutPanel *self);
/* The payments as last opened (NULL before, or when they cannot be). */
ReinPayments *rein_payout_panel_get_payments (ReinPayoutPanel *self);
/* What the panel says of payment @primary, and of both. */
const gchar *rein_payout_panel_get_state_text (ReinPayoutPanel *self, gboolean primary);
const gchar *rein_payout_panel_get_summary (ReinPayoutPanel *self);
/* What the panel says went wrong (NULL: nothing). */
const gchar *rein_payout_panel_get_error (ReinPayoutPanel *self);
/* Takes in a PSBT signed elsewhere for payment @primary, as "Open PSBT"
 * does with a file: FALSE and the reason (also shown) when refused. */
gboolean rein_payout_panel_import (ReinPayoutPanel *self,
                                   gboolean primary,
                                   GBytes *data,
                                   GError **error);


/* What "Save PSBT…" does with the file chosen: writes payment @primary
 * into @file as a binary PSBT (BIP 174). */
void rein_payout_panel_save_psbt_async (ReinPayoutPanel *self,
                                        gboolean primary,
                                        GFile *file,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean rein_payout_panel_save_psbt_finish (ReinPayoutPanel *self,
                                             GAsyncResult *result,
                                             GError **error);
/* What "Open Signed PSBT…" does with the file chosen: reads @file (binary
 * or base64) and takes it in as rein_payout_panel_import() does. */
void rein_payout_panel_open_psbt_async (ReinPayoutPanel *self,
                                        gboolean primary,
                                        GFile *file,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean rein_payout_panel_open_psbt_finish (ReinPayoutPanel *self,
                                             GAsyncResult *result,
                                             GError **error);

G_END_DECLS

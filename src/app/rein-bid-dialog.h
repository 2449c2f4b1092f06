/* rein-bid-dialog.h: bid on a job
 *
 * Reads the job fresh from the servers (validated), asks for the bid's
 * description and amount (BTC, parsed exactly into satoshis), then shows
 * the exact document with the two escrow addresses it commits to, and
 * signs and publishes it only when the user confirms (ReinSignDialog).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-sign-dialog.h"

G_BEGIN_DECLS

#define REIN_TYPE_BID_DIALOG (rein_bid_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinBidDialog, rein_bid_dialog, REIN, BID_DIALOG, ReinSignDialog)

ReinBidDialog *rein_bid_dialog_new (GtkWindow *parent, ReinContext *context,
                                    ReinJobSummary *summary);
/* Fills the form, as a user would type it. */
void rein_bid_dialog_set_bid (ReinBidDialog *self, const gchar *description,
                              const gchar *amount_btc);
/* What the form says below the amount (in satoshis, what is wrong). */
const gchar *rein_bid_dialog_get_amount_hint (ReinBidDialog *self);

G_END_DECLS

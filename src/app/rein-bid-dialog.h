/* rein-bid-dialog.h: bid on a job
 *
 * Reads the job fresh from the servers (validated), asks for the bid's
 * description and amount (BTC, parsed exactly into satoshis), shows the
 * exact document with the two escrow addresses it commits to, and signs
 * and publishes it only when the user confirms. Emits "published" with a
 * sentence for a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"

G_BEGIN_DECLS

#define REIN_TYPE_BID_DIALOG (rein_bid_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinBidDialog, rein_bid_dialog, REIN, BID_DIALOG, AdwWindow)

ReinBidDialog *rein_bid_dialog_new (GtkWindow *parent, ReinContext *context,
                                    ReinJobSummary *summary);

/* For tests: "loading", "error", "form", "review", "publishing". */
const gchar *rein_bid_dialog_get_page (ReinBidDialog *self);
void rein_bid_dialog_set_bid (ReinBidDialog *self, const gchar *description,
                              const gchar *amount_btc);
/* Goes on from the form to the review, or from the review to signing
 * (the "dialog.next" action). */
void rein_bid_dialog_next (ReinBidDialog *self);
void rein_bid_dialog_set_password (ReinBidDialog *self, const gchar *password);
/* The text under review (NULL before). */
const gchar *rein_bid_dialog_get_document (ReinBidDialog *self);
/* What the form says is wrong (NULL when it can go on). */
const gchar *rein_bid_dialog_get_problem (ReinBidDialog *self);

G_END_DECLS

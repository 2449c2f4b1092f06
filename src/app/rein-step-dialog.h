/* rein-step-dialog.h: the next step of a job I take part in
 *
 * Award a bid (creator), deliver (worker), accept (creator), dispute
 * (creator or worker) and resolve (mediator). The dialog reads the job
 * fresh from the servers (validated), refuses a step the job no longer
 * allows with the reason, asks for what the step needs (the deliverables,
 * the dispute's detail, the resolution and how the money goes), then
 * shows the exact document and signs and publishes it only when the user
 * confirms (ReinSignDialog). Accept and resolve carry payments out of the
 * escrows: they are built, reviewed and signed first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-payout.h"
#include "rein-sign-dialog.h"

G_BEGIN_DECLS

#define REIN_TYPE_STEP_DIALOG (rein_step_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinStepDialog, rein_step_dialog, REIN, STEP_DIALOG, ReinSignDialog)

/* @action is one of REIN_ACTION_OFFER (with @bid_hash, the bid to award),
 * REIN_ACTION_DELIVER, REIN_ACTION_ACCEPT, REIN_ACTION_CREATOR_DISPUTE,
 * REIN_ACTION_WORKER_DISPUTE and REIN_ACTION_RESOLVE. */
ReinStepDialog *rein_step_dialog_new (GtkWindow *parent,
                                      ReinContext *context,
                                      const gchar *job_id,
                                      const gchar *creator_key,
                                      ReinActions action,
                                      const gchar *bid_hash);
ReinActions rein_step_dialog_get_action (ReinStepDialog *self);
/* Fills the form's text (deliverables, dispute detail, resolution), as a
 * user would type it. */
void rein_step_dialog_set_text (ReinStepDialog *self, const gchar *text);
/* How a resolution pays: refund, award or split with @worker_percent. */
void rein_step_dialog_set_payout (ReinStepDialog *self, ReinPayoutKind kind, guint worker_percent);

/* A delivery: whether signing a payment a python-rein 0.3 creator can
 * complete is offered (a chain backend is set and both escrows are seen
 * funded), and the user's choice (off by default). */
gboolean rein_step_dialog_get_legacy_offered (ReinStepDialog *self);
void rein_step_dialog_set_legacy_payment (ReinStepDialog *self, gboolean sign);
/* Whether the escrows were looked up for that (for tests). */
gboolean rein_step_dialog_get_escrows_checked (ReinStepDialog *self);

G_END_DECLS

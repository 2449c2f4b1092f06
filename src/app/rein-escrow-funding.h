/* rein-escrow-funding.h: where the money of an awarded job goes, on the
 * job page
 *
 * Two cards, the primary escrow (the bid amount) and the mediator escrow
 * (the mediator's fee): what is due in BTC and satoshis, the address, a
 * QR code of the BIP21 payment request for what is still missing (drawn
 * module by module, dark on a light square in any style), buttons to copy
 * the address and the request and to save the code as a PNG, the redeem
 * script, and whether the address is the one the job's keys make. The
 * funding state of each comes from a ReinEscrowWatch; the creator is told
 * to fund both, the worker whether it is safe to start. The notification
 * that an escrow became funded comes from the context's escrow watches
 * (rein_escrow_funding_notify_all()), page open or not.
 *
 * Actions (parameter "primary" or "mediator"): escrow.copy-address,
 * escrow.copy-uri, escrow.save-qr (a file chooser).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-escrow-watch.h"

G_BEGIN_DECLS

#define REIN_TYPE_ESCROW_FUNDING (rein_escrow_funding_get_type ())
G_DECLARE_FINAL_TYPE (ReinEscrowFunding, rein_escrow_funding, REIN, ESCROW_FUNDING, AdwBin)

GtkWidget *rein_escrow_funding_new (ReinContext *context);
/* NULL: nothing. A job without an escrow yet (not awarded) shows why. */
void rein_escrow_funding_set_job (ReinEscrowFunding *self, ReinMyJob *job);
ReinMyJob *rein_escrow_funding_get_job (ReinEscrowFunding *self);

/* The watch of the job's escrows (NULL without one), for refreshing. */
ReinEscrowWatch *rein_escrow_funding_get_watch (ReinEscrowFunding *self);
/* The payment request the card of @kind shows, NULL when it shows none. */
const gchar *rein_escrow_funding_get_uri (ReinEscrowFunding *self, ReinEscrowKind kind);
/* The card of @kind (its parts are named: "status", "due", "address",
 * "qr", "badge", "script"). */
GtkWidget *rein_escrow_funding_get_card (ReinEscrowFunding *self, ReinEscrowKind kind);
/* What the user is told to do ("Fund both escrows…", "Safe to start…"). */
const gchar *rein_escrow_funding_get_advice (ReinEscrowFunding *self);

/* Writes the QR code of @kind's request as a PNG into @file, in a worker
 * (what escrow.save-qr does with the file chosen). */
void rein_escrow_funding_save_qr_async (ReinEscrowFunding *self,
                                        ReinEscrowKind kind,
                                        GFile *file,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean rein_escrow_funding_save_qr_finish (ReinEscrowFunding *self,
                                             GAsyncResult *result,
                                             GError **error);

/* Says that escrow @kind of @job is funded: a notification of @app
 * (unless the "notifications" setting is off); clicking it opens the
 * job (app.show-job). */
void rein_escrow_funding_notify (GApplication *app, ReinMyJob *job, ReinEscrowKind kind);
/* Turns on @context's escrow watches (all my awarded jobs whose escrows
 * are not funded yet) and notifies through @app what they find funded.
 * Once per context and application. */
void rein_escrow_funding_notify_all (ReinContext *context, GApplication *app);

G_END_DECLS

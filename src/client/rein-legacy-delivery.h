/* rein-legacy-delivery.h: a delivery a python-rein 0.3 creator can accept
 *
 * python-rein 0.3's creator accepts a delivery by completing the payment
 * the worker signed in it ("Primary payment inputs", "... amount", "...
 * address", "... signature") and signing the mediator payment the worker
 * described ("Mediator payment inputs/amount/address"); without these
 * fields it cannot accept at all. Our worker writes them after the
 * delivery's own fields: every coin of the escrow to the worker (its
 * payout address), less a fee from the backend's estimate, as the
 * transaction 0.3 rebuilds (rein-legacy-payment.h), signed with the
 * worker's delegate key in a thread. The app builds them first, for the
 * worker to review, and signs once the password is given, with the
 * document (rein_legacy_delivery_prepare_async(), then
 * rein_legacy_delivery_sign()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-chain.h"
#include "rein-market.h"
#include "rein-payments.h"

G_BEGIN_DECLS

/* The two payments of a delivery for a python-rein 0.3 creator, built and
 * not yet signed: what the worker reviews before signing. Immutable once
 * prepared, so that it can be signed in any thread. */
typedef struct _ReinLegacyDelivery ReinLegacyDelivery;

ReinLegacyDelivery *rein_legacy_delivery_ref (ReinLegacyDelivery *delivery);
void rein_legacy_delivery_unref (ReinLegacyDelivery *delivery);

/* Looks up @job's escrows on @chain and builds the payments 0.3's fields
 * describe: every coin of the escrow to the worker (its payout address)
 * and the mediator, less a fee from the backend's estimate; a fee above
 * @fee_cap satoshis (0: the payout checks' own bound only) is refused.
 * Fails with REIN_CLIENT_ERROR_UNFUNDED when an escrow holds less than is
 * due, REIN_CLIENT_ERROR_REFUSED when the payment cannot be built, or an
 * error of the backend. */
void rein_legacy_delivery_prepare_async (ReinChain *chain,
                                         ReinJob *job,
                                         gboolean testnet,
                                         gint64 fee_cap,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
ReinLegacyDelivery *rein_legacy_delivery_prepare_finish (GAsyncResult *result, GError **error);

/* The fields without the worker's signature ("\nLabel: value" lines):
 * what the document under review carries. */
const gchar *rein_legacy_delivery_get_fields (ReinLegacyDelivery *delivery);
/* At most how many bytes rein_legacy_delivery_sign() adds. */
gsize rein_legacy_delivery_get_signature_size_max (ReinLegacyDelivery *delivery);
/* What payment @primary does, for the review: its output's payee is the
 * worker (primary) or the mediator. */
ReinPaymentReview *rein_legacy_delivery_review (ReinLegacyDelivery *delivery, gboolean primary);
/* The cap the fees were held to, in satoshis (0: half of what is spent). */
gint64 rein_legacy_delivery_get_fee_cap (ReinLegacyDelivery *delivery);

/* The "Primary payment signature" field ("\nLabel: value") of @delegate
 * on the primary payment; goes after rein_legacy_delivery_get_fields().
 * Any thread; @delegate is not kept. */
gchar *rein_legacy_delivery_sign (ReinLegacyDelivery *delivery,
                                  const ReinPrivateKey *delegate,
                                  GError **error);

/* Prepares and signs with @delegate (copied, the copy wiped when the call
 * ends) in one call: the whole fields. */
void rein_legacy_delivery_fields_async (ReinChain *chain,
                                        ReinJob *job,
                                        gboolean testnet,
                                        const ReinPrivateKey *delegate,
                                        gint64 fee_cap,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gchar *rein_legacy_delivery_fields_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinLegacyDelivery, rein_legacy_delivery_unref)

G_END_DECLS

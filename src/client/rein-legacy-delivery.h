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
 * worker's delegate key in a thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-chain.h"
#include "rein-market.h"

G_BEGIN_DECLS

/* Looks up @job's escrows on @chain and gives the plain payment fields of
 * a delivery ("\nLabel: value" lines), signed with @delegate (copied, the
 * copy wiped when the call ends); a fee above @fee_cap satoshis (0: the
 * payout checks' own bound only) is refused. Fails with REIN_CLIENT_ERROR_UNFUNDED
 * when an escrow holds less than is due, REIN_CLIENT_ERROR_REFUSED when
 * the payment cannot be built, or an error of the backend. */
void rein_legacy_delivery_fields_async (ReinChain *chain,
                                        ReinJob *job,
                                        gboolean testnet,
                                        const ReinPrivateKey *delegate,
                                        gint64 fee_cap,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gchar *rein_legacy_delivery_fields_finish (GAsyncResult *result, GError **error);

G_END_DECLS

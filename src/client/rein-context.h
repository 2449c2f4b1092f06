/* rein-context.h: the client services the app and rein-cli share
 *
 * A small object that owns the services and hands them out (getters
 * only, as GNOME Calendar's GcalContext does): the session (identities,
 * the active one and its unlocked key, servers and their health, sync),
 * the publisher (every document a user signs), the market (the local
 * index, refreshed from the servers), my jobs (rein-my-jobs.h) and the
 * funding of their escrows (rein-escrow-watch.h). The market and my jobs
 * follow the session's active identity.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-escrow-watch.h"
#include "rein-market-service.h"
#include "rein-my-jobs.h"
#include "rein-publisher.h"
#include "rein-session.h"
#include "rein-store.h"

G_BEGIN_DECLS

#define REIN_TYPE_CONTEXT (rein_context_get_type ())
G_DECLARE_FINAL_TYPE (ReinContext, rein_context, REIN, CONTEXT, GObject)

ReinContext *rein_context_new (ReinStore *store);

ReinStore *rein_context_get_store (ReinContext *self);
ReinSession *rein_context_get_session (ReinContext *self);
ReinPublisher *rein_context_get_publisher (ReinContext *self);
ReinMarketService *rein_context_get_market (ReinContext *self);
/* The jobs I take part in (My Jobs); follows the active identity too. */
ReinMyJobs *rein_context_get_my_jobs (ReinContext *self);
/* The escrows of my awarded jobs not funded yet (fed from my jobs), for
 * notifications; off until the app enables it. */
ReinEscrowWatches *rein_context_get_escrow_watches (ReinContext *self);

G_END_DECLS

/* rein-escrow-watch.h: the funding of a job's escrows, followed
 *
 * A watch looks up both escrows of an awarded job on the chain backend
 * (rein-escrow-status.h) now and every "interval" seconds after, in the
 * background: the backend and the confirmations an escrow needs are read
 * from the store's settings (rein-chain-settings.h) in a worker before
 * each lookup, so a change in the preferences counts at the next one.
 * What it found is in properties that views bind to; "funded" is emitted
 * when an escrow that a previous lookup found short becomes funded with
 * the confirmations required (not for what was funded already at the
 * first lookup: the owner of the watch has not seen it change; nor while
 * another job shares the addresses, below).
 *
 * Properties: "job" (ReinJob), "testnet", "interval" (seconds, 0: only
 * rein_escrow_watch_refresh()), "looked-up", "refreshing", "error"
 * (the last lookup's failure, NULL when it worked), "tip-height",
 * "confirmations-required", "primary-funding" and "mediator-funding"
 * (ReinFunding), "primary-missing" and "mediator-missing" (satoshis),
 * "primary-confirmations" and "mediator-confirmations", "shared-with"
 * (GStrv: the names of other jobs on the same escrow addresses, set by
 * the owner of the watch), "safe-to-start" (both funded with the
 * confirmations required, and no other job on the same addresses).
 *
 * An escrow address is made of the job's three keys: two jobs between the
 * same creator, mediator and worker have the same escrow addresses, the
 * coins of one cannot be told from the other's, and a payout of either
 * spends them all. So while another of my jobs is there (awarded, in any
 * state since: an accepted job may not be paid out yet), what is there
 * does not make a job safe to start, whatever the amount. When the owner
 * says that nothing shares it any more, the escrows already funded are
 * told as "funded" then.
 *
 * ReinEscrowWatches (below) keeps one watch per job of a list of my jobs
 * whose escrows are not funded yet, for notifications while no page of
 * the job is open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-escrow-status.h"
#include "rein-my-jobs.h"
#include "rein-store.h"

G_BEGIN_DECLS

#define REIN_ESCROW_WATCH_INTERVAL_DEFAULT 60

#define REIN_TYPE_ESCROW_WATCH (rein_escrow_watch_get_type ())
G_DECLARE_FINAL_TYPE (ReinEscrowWatch, rein_escrow_watch, REIN, ESCROW_WATCH, GObject)

/* Watches @job (it must have an offer) for a testnet (@testnet) or
 * mainnet identity of @store. The terms are there at once; the first
 * lookup starts from the main loop. Fails as rein_escrow_status_new(). */
ReinEscrowWatch *rein_escrow_watch_new (ReinStore *store,
                                        ReinJob *job,
                                        gboolean testnet,
                                        GError **error);

ReinJob *rein_escrow_watch_get_job (ReinEscrowWatch *self);
gboolean rein_escrow_watch_get_testnet (ReinEscrowWatch *self);
/* The terms, and after a lookup the coins found (owned by the watch,
 * replaced at each lookup). */
const ReinEscrowStatus *rein_escrow_watch_get_status (ReinEscrowWatch *self);
gboolean rein_escrow_watch_get_looked_up (ReinEscrowWatch *self);
gboolean rein_escrow_watch_get_refreshing (ReinEscrowWatch *self);
const gchar *rein_escrow_watch_get_error (ReinEscrowWatch *self);
guint rein_escrow_watch_get_tip_height (ReinEscrowWatch *self);
guint rein_escrow_watch_get_confirmations_required (ReinEscrowWatch *self);
ReinFunding rein_escrow_watch_get_funding (ReinEscrowWatch *self, ReinEscrowKind kind);
gint64 rein_escrow_watch_get_missing (ReinEscrowWatch *self, ReinEscrowKind kind);
guint rein_escrow_watch_get_confirmations (ReinEscrowWatch *self, ReinEscrowKind kind);
gboolean rein_escrow_watch_get_safe_to_start (ReinEscrowWatch *self);
/* NULL or empty: no other job shares the escrow addresses. */
const gchar *const *rein_escrow_watch_get_shared_with (ReinEscrowWatch *self);
void rein_escrow_watch_set_shared_with (ReinEscrowWatch *self, const gchar *const *names);

/* The names of the jobs of @my_jobs (ReinMyJob) other than @job that are
 * awarded (in any state since) and have the same escrow addresses as @job (the same three keys in the same places): an
 * empty list when none does, or when @job has no escrow. */
GStrv rein_escrow_find_sharing (GListModel *my_jobs, ReinJob *job, gboolean testnet);
/* The same for a job to be, whose primary escrow would be
 * @primary_address (a bid's), leaving out @except_job_id. */
GStrv rein_escrow_find_sharing_address (GListModel *my_jobs,
                                        const gchar *primary_address,
                                        const gchar *except_job_id,
                                        gboolean testnet);

guint rein_escrow_watch_get_interval (ReinEscrowWatch *self);
void rein_escrow_watch_set_interval (ReinEscrowWatch *self, guint seconds);

/* Looks up now (a lookup that runs already is let finish, and another
 * follows it). "refreshed" is emitted after each lookup, failed or not. */
void rein_escrow_watch_refresh (ReinEscrowWatch *self);

/* ---- the watches of all my awarded jobs ---- */

#define REIN_TYPE_ESCROW_WATCHES (rein_escrow_watches_get_type ())
G_DECLARE_FINAL_TYPE (ReinEscrowWatches, rein_escrow_watches, REIN, ESCROW_WATCHES, GObject)

/* Follows @jobs (a GListModel of ReinMyJob, rein_my_jobs_get_jobs()): once
 * enabled, every job in it that is awarded and not paid out gets a watch,
 * until a lookup finds both its escrows funded with the confirmations
 * required; then it is not watched again (while the service lives).
 * "funded" (ReinMyJob *job, ReinEscrowKind kind) is emitted as the
 * watch's "funded" is: once per escrow that a lookup saw short before.
 * Each watch's "shared-with" is kept from the list
 * (rein_escrow_find_sharing()). Nothing is looked up before
 * rein_escrow_watches_set_enabled(). */
ReinEscrowWatches *rein_escrow_watches_new (ReinStore *store, GListModel *jobs);

/* The identity's network: a change starts every watch again. */
void rein_escrow_watches_set_testnet (ReinEscrowWatches *self, gboolean testnet);
gboolean rein_escrow_watches_get_enabled (ReinEscrowWatches *self);
void rein_escrow_watches_set_enabled (ReinEscrowWatches *self, gboolean enabled);
/* Seconds between the lookups of each watch (0: only on refresh). */
void rein_escrow_watches_set_interval (ReinEscrowWatches *self, guint seconds);
/* Looks up every watched job now. */
void rein_escrow_watches_refresh (ReinEscrowWatches *self);
/* The watch of @job_id, NULL when it is not watched (not awarded, paid
 * out, or found funded). */
ReinEscrowWatch *rein_escrow_watches_get_watch (ReinEscrowWatches *self, const gchar *job_id);

G_END_DECLS

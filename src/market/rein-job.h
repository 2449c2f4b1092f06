/* rein-job.h: one job's documents, validated together, and its order state
 *
 * PROTOCOL.md section 3 "complete validation": a document counts only if
 * (a) its signature verifies, (b) its signer is the delegate of a verified
 * enrollment naming that delegate, (c) it is consistent with the job's
 * earlier documents (same Job ID, same keys, escrow scripts and addresses
 * recomputed here, never trusted), and (d) its signer may write that step.
 * What fails is kept, with the reason, for the job's history, and ignored
 * for the state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-document.h"

G_BEGIN_DECLS

/* ---- The enrollments a reader knows ---- */

typedef struct _ReinDirectory ReinDirectory;

ReinDirectory *rein_directory_new (void);
/* A directory is shared by reference: whoever validates later (a
 * publication in flight) keeps it alive. rein_directory_free() drops a
 * reference. Adding and looking up stay on one thread at a time. */
ReinDirectory *rein_directory_ref (ReinDirectory *self);
/* A copy that shares the enrollments (verified documents do not change):
 * what a worker thread validates with while the original stays with the
 * thread that owns it. A directory is not thread-safe; a copy is
 * independent of the original. */
ReinDirectory *rein_directory_copy (ReinDirectory *self);
void rein_directory_free (ReinDirectory *self);
/* Adds @enrollment if it verifies (signature and master rule). Returns
 * FALSE, with the reason, for one that does not. */
gboolean rein_directory_add (ReinDirectory *self, ReinDocument *enrollment, GError **error);
/* The enrollment whose delegate signs with @address (either network's
 * form), or NULL. */
ReinDocument *rein_directory_lookup_delegate (ReinDirectory *self, const gchar *address);
/* The enrollment whose delegate has @public_key_hex, or NULL. */
ReinDocument *rein_directory_lookup_public_key (ReinDirectory *self, const gchar *public_key_hex);
/* The enrollment binding the delegate @key_or_address (its address or its
 * public key) to @master_address; with @master_address NULL, the
 * delegate's only claim (NULL when several masters claim it). */
ReinDocument *rein_directory_lookup_claim (ReinDirectory *self,
                                           const gchar *key_or_address,
                                           const gchar *master_address);
/* TRUE when enrollments of more than one master name the delegate
 * @key_or_address: anyone can sign an enrollment naming someone else's
 * delegate, so such a key says nothing about who is behind it. */
gboolean rein_directory_is_contested (ReinDirectory *self, const gchar *key_or_address);
/* Verified enrollments willing to mediate whose delegate is not contested:
 * the mediators that may be offered (owned by the directory, valid until
 * the next call or addition). */
GPtrArray *rein_directory_get_mediators (ReinDirectory *self);
/* Verified enrollments willing to mediate whose delegate is contested
 * (never offered; listed so that people see why). Free with
 * g_ptr_array_unref(). */
GPtrArray *rein_directory_get_contested_mediators (ReinDirectory *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinDirectory, rein_directory_free)

/* ---- The order state machine (PROTOCOL.md section 4) ---- */

typedef enum
{
  REIN_JOB_STATE_NONE,            /* no valid job posting */
  REIN_JOB_STATE_POSTED,
  REIN_JOB_STATE_BIDS,            /* bid(s) submitted */
  REIN_JOB_STATE_AWARDED,
  REIN_JOB_STATE_DELIVERED,
  REIN_JOB_STATE_CREATOR_DISPUTE,
  REIN_JOB_STATE_WORKER_DISPUTE,
  REIN_JOB_STATE_ACCEPTED,        /* complete, work accepted */
  REIN_JOB_STATE_RESOLVED,        /* complete, dispute resolved */
} ReinJobState;

typedef enum
{
  REIN_ROLE_NONE,
  REIN_ROLE_CREATOR,
  REIN_ROLE_WORKER,      /* the awarded worker, or a bidder before the award */
  REIN_ROLE_MEDIATOR,
} ReinRole;

typedef enum
{
  REIN_ACTION_BID = 1 << 0,
  REIN_ACTION_OFFER = 1 << 1,
  REIN_ACTION_DELIVER = 1 << 2,
  REIN_ACTION_ACCEPT = 1 << 3,
  REIN_ACTION_CREATOR_DISPUTE = 1 << 4,
  REIN_ACTION_WORKER_DISPUTE = 1 << 5,
  REIN_ACTION_RESOLVE = 1 << 6,
} ReinActions;

/* The past tense PROTOCOL.md shows users: "posted", "job awarded"... */
const gchar *rein_job_state_describe (ReinJobState state);
/* "posted", "bids", "awarded", "delivered", "creatordispute",
 * "workerdispute", "accepted", "resolved" (stable names for --json). */
const gchar *rein_job_state_to_name (ReinJobState state);
const gchar *rein_role_to_name (ReinRole role);

/* ---- A job ---- */

#define REIN_TYPE_JOB (rein_job_get_type ())
G_DECLARE_FINAL_TYPE (ReinJob, rein_job, REIN, JOB, GObject)

/* A job is its Job ID together with its creator's key: anyone can post
 * another job under a copied ID, and that must not take the job over.
 *
 * The creator keys of the postings of @job_id in @documents that pass the
 * signature, enrollment and signer checks: normally one. */
GStrv rein_job_find_creators (const gchar *job_id, GPtrArray *documents, ReinDirectory *directory);

/* Validates @documents (of ReinDocument: any order, duplicates allowed)
 * as the documents of the job @job_id posted by @creator_key; documents of
 * other jobs, and those naming another creator key, are not part of it. */
ReinJob *rein_job_new_for_creator (const gchar *job_id,
                                   const gchar *creator_key,
                                   GPtrArray *documents,
                                   ReinDirectory *directory);

/* The same when only the Job ID is known: the job of its one creator. When
 * several creators posted this ID, no posting counts (the job is
 * ambiguous, and each posting says so): use rein_job_find_creators() and
 * rein_job_new_for_creator(). */
ReinJob *rein_job_new (const gchar *job_id, GPtrArray *documents, ReinDirectory *directory);

const gchar *rein_job_get_id (ReinJob *self);
/* From the valid job posting; NULL when there is none. */
const gchar *rein_job_get_name (ReinJob *self);
ReinDocument *rein_job_get_posting (ReinJob *self);
ReinJobState rein_job_get_state (ReinJob *self);
/* Hex public keys; the worker's is known once a bid is awarded. */
const gchar *rein_job_get_creator_key (ReinJob *self);
const gchar *rein_job_get_mediator_key (ReinJob *self);
const gchar *rein_job_get_worker_key (ReinJob *self);
/* The valid bids (of ReinDocument), and the awarded one (or NULL). */
GPtrArray *rein_job_get_bids (ReinJob *self);
ReinDocument *rein_job_get_offer (ReinJob *self);
/* The verified enrollment of the job's mediator that the posting names,
 * or NULL. */
ReinDocument *rein_job_get_mediator_enrollment (ReinJob *self);
/* Where @role is paid on @network: the "Payout address" its document
 * names (the creator's posting, the worker's delivery, the mediator's
 * enrollment), else the P2PKH address of its key. Fails when that address
 * is not valid or not of @network, or the key is not known yet. */
gchar *rein_job_get_payout_address (ReinJob *self,
                                    ReinRole role,
                                    ReinNetwork network,
                                    gboolean *out_chosen,
                                    GError **error);
/* The valid document of @type last in the flow, or NULL. */
ReinDocument *rein_job_get_document (ReinJob *self, ReinDocumentType type);

/* The valid document the next step @action builds on (copies its
 * bracketed fields from): the posting for a bid, the offer for a
 * delivery, the delivery for an accept; for a dispute the accept (the
 * worker's only), else the delivery, else the offer; for a resolution the
 * worker's dispute, else the creator's. NULL when there is none (and for
 * an offer, which copies the bid it awards). */
ReinDocument *rein_job_get_step_base (ReinJob *self, ReinActions action);
/* Every document given, in flow order, with its verdict. */
guint rein_job_get_n_entries (ReinJob *self);
ReinDocument *rein_job_get_entry (ReinJob *self, guint index, gboolean *out_valid,
                                  const gchar **out_reason);

/* The role of the identity whose delegate has @public_key_hex. */
ReinRole rein_job_get_role (ReinJob *self, const gchar *public_key_hex);
/* What that identity may do now. */
ReinActions rein_job_get_actions (ReinJob *self, const gchar *public_key_hex);
/* Whom the job waits for now, and for which steps (@out_actions): the
 * creator to award a bid, the worker to deliver, the creator to accept,
 * the mediator to resolve; bidders (REIN_ROLE_WORKER) while it is open;
 * REIN_ROLE_NONE (no actions) once it is complete or has no posting. */
ReinRole rein_job_get_waiting_for (ReinJob *self, ReinActions *out_actions);
/* Why @action is not allowed to that identity now (NULL when it is). */
gchar *rein_job_explain_refusal (ReinJob *self, const gchar *public_key_hex, ReinActions action);

G_END_DECLS

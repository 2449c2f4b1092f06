/* rein-job-summary.h: one job as the market lists it
 *
 * A row of the local market index (rein-store.h, "Market index"): what a
 * list of jobs shows and searches, taken from a validated ReinJob, so that
 * the market opens from the store without reading or verifying documents.
 * Immutable once made; every value is a read-only GObject property, so a
 * view binds to it ("name", "category", "state", "n-bids", ...).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market.h"

G_BEGIN_DECLS

#define REIN_TYPE_JOB_SUMMARY (rein_job_summary_get_type ())
G_DECLARE_FINAL_TYPE (ReinJobSummary, rein_job_summary, REIN, JOB_SUMMARY, GObject)

/* The summary of @job (it must have a valid posting). The creator and the
 * mediator are people as rein_person_format_party() shows them: the name
 * of the verified enrollment in @directory that binds their key to the
 * master the posting gives, isolated, with the master's fingerprint (a
 * name is not an identity); their contacts are the enrollments' too.
 * @testnet says which market the job belongs to. */
ReinJobSummary *rein_job_summary_new_from_job (ReinJob *job,
                                               ReinDirectory *directory,
                                               gboolean testnet);

/* The row id in the store (0 until stored and read back). */
gint64 rein_job_summary_get_id (ReinJobSummary *self);
const gchar *rein_job_summary_get_job_id (ReinJobSummary *self);
/* The creator's key: with the Job ID, what identifies a job. */
const gchar *rein_job_summary_get_creator_key (ReinJobSummary *self);
gboolean rein_job_summary_get_testnet (ReinJobSummary *self);
const gchar *rein_job_summary_get_name (ReinJobSummary *self);
/* "Category", else python-rein 0.3's "Tags", else "". */
const gchar *rein_job_summary_get_category (ReinJobSummary *self);
const gchar *rein_job_summary_get_description (ReinJobSummary *self);
/* The creator and the mediator as rein-person.h formats them. */
const gchar *rein_job_summary_get_creator (ReinJobSummary *self);
const gchar *rein_job_summary_get_creator_contact (ReinJobSummary *self);
const gchar *rein_job_summary_get_mediator (ReinJobSummary *self);
const gchar *rein_job_summary_get_mediator_contact (ReinJobSummary *self);
const gchar *rein_job_summary_get_mediator_key (ReinJobSummary *self);
/* As the posting says it ("1.5%"), and in hundredths of a percent (150;
 * -1 when it is not a number), for sorting. */
const gchar *rein_job_summary_get_mediator_fee (ReinJobSummary *self);
gint rein_job_summary_get_mediator_fee_basis (ReinJobSummary *self);
ReinJobState rein_job_summary_get_state (ReinJobSummary *self);
/* TRUE while bids are taken (posted, or bids submitted). */
gboolean rein_job_summary_get_open (ReinJobSummary *self);
guint rein_job_summary_get_n_bids (ReinJobSummary *self);
/* TRUE when the delegate with @public_key_hex made one of the valid bids. */
gboolean rein_job_summary_has_bidder (ReinJobSummary *self, const gchar *public_key_hex);
/* The bidders' keys, comma-separated (as stored). */
const gchar *rein_job_summary_get_bidders (ReinJobSummary *self);
/* Seconds since 1970 when this client first saw the job. */
gint64 rein_job_summary_get_first_seen (ReinJobSummary *self);

/* TRUE when @a and @b say the same of the same row (a reload can keep the
 * row shown instead of replacing it). */
gboolean rein_job_summary_equal (ReinJobSummary *a, ReinJobSummary *b);

/* The categories of @summaries (ReinJobSummary), as they show them, most
 * used first (then by name), at most @at_most: what
 * rein_store_list_job_categories() says of a market already read, without
 * reading every row of the index again. */
GStrv rein_job_summaries_list_categories (GPtrArray *summaries, guint at_most);

/* For the store: a summary from its columns (every string may be NULL);
 * for many rows read at once, @texts (NULL: none) keeps the texts rows
 * share across calls. */
typedef struct _ReinJobSummaryTexts ReinJobSummaryTexts;
ReinJobSummaryTexts *_rein_job_summary_texts_new (void);
void _rein_job_summary_texts_free (ReinJobSummaryTexts *texts);
ReinJobSummary *_rein_job_summary_new_read (ReinJobSummaryTexts *texts,
                                            gint64 id,
                                            const gchar *job_id,
                                            const gchar *creator_key,
                                            gboolean testnet,
                                            const gchar *name,
                                            const gchar *category,
                                            const gchar *description,
                                            const gchar *creator,
                                            const gchar *creator_contact,
                                            const gchar *mediator,
                                            const gchar *mediator_contact,
                                            const gchar *mediator_key,
                                            const gchar *mediator_fee,
                                            ReinJobState state,
                                            guint n_bids,
                                            const gchar *bidders,
                                            gint64 first_seen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinJobSummaryTexts, _rein_job_summary_texts_free)

/* For the store's index: rein_job_summary_new_from_job() for many jobs of
 * the same people: @parties (made by _rein_job_summary_new_parties())
 * keeps each party's formatted name across calls. */
GHashTable *_rein_job_summary_new_parties (void);
ReinJobSummary *_rein_job_summary_new_from_job_with (ReinJob *job,
                                                    ReinDirectory *directory,
                                                    gboolean testnet,
                                                    GHashTable *parties);

/* Parses a fee such as "1.5%", "2", "0.25 %" into hundredths of a percent;
 * -1 for anything else. */
gint rein_mediator_fee_parse_basis (const gchar *fee);

G_END_DECLS

/* rein-job-page.h: one job I take part in, and what I may do next
 *
 * The job's name, my role, its state in the words of PROTOCOL.md section
 * 4 and whom it waits for; the steps my role may take now, and only those
 * (each opens a ReinStepDialog: nothing is signed by a single click); the
 * bids side by side while a bid may be awarded; the escrow; and the
 * timeline of every document of the job, oldest first, each with who
 * wrote it, when it was first seen here, and a verified badge or the
 * reason it does not count, its signed text a click away.
 *
 * The page follows its job through My Jobs refreshes (by Job ID).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-escrow-funding.h"
#include "rein-job-timeline.h"
#include "rein-payout-panel.h"

G_BEGIN_DECLS

#define REIN_TYPE_JOB_PAGE (rein_job_page_get_type ())
G_DECLARE_FINAL_TYPE (ReinJobPage, rein_job_page, REIN, JOB_PAGE, AdwBin)

GtkWidget *rein_job_page_new (void);
void rein_job_page_set_context (ReinJobPage *self, ReinContext *context);
/* NULL: no job. */
void rein_job_page_set_job (ReinJobPage *self, ReinMyJob *job);
ReinMyJob *rein_job_page_get_job (ReinJobPage *self);

/* ---- for tests ---- */

/* The escrow's cards (rein-escrow-funding.h) and payments
 * (rein-payout-panel.h) on the page. */
ReinEscrowFunding *rein_job_page_get_funding (ReinJobPage *self);
ReinPayoutPanel *rein_job_page_get_payout_panel (ReinJobPage *self);

/* The steps offered now (REIN_ACTION_OFFER when a bid may be awarded). */
ReinActions rein_job_page_get_offered (ReinJobPage *self);
/* "job awarded — waiting for Walt to deliver" */
const gchar *rein_job_page_get_status (ReinJobPage *self);
/* The timeline as shown (GPtrArray of ReinTimelineEntry; NULL while it
 * loads). */
GPtrArray *rein_job_page_get_timeline (ReinJobPage *self);
/* The bids offered for award, as shown (hashes), NULL-terminated. */
GStrv rein_job_page_dup_bid_hashes (ReinJobPage *self);
/* What the bid's row says of its bidder's ratings: "rated 5.0 by 1", "no
 * ratings"; NULL until they are read. */
const gchar *rein_job_page_get_bid_ratings (ReinJobPage *self, const gchar *bid_hash);

G_END_DECLS

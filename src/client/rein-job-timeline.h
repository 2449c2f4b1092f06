/* rein-job-timeline.h: every document of a job, as a user reads its story
 *
 * The job page's timeline: each document the job has (those that count
 * and those that do not), oldest first (by when this store first saw it,
 * then in the order of the flow), with what it is, who
 * wrote it (the name of the signer's own verified enrollment and the
 * fingerprint of its master key: rein-person.h), when this store first
 * saw it, and its verdict with the reason when it does not count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market.h"
#include "rein-store.h"

G_BEGIN_DECLS

#define REIN_TYPE_TIMELINE_ENTRY (rein_timeline_entry_get_type ())
G_DECLARE_FINAL_TYPE (ReinTimelineEntry, rein_timeline_entry, REIN, TIMELINE_ENTRY, GObject)

ReinDocument *rein_timeline_entry_get_document (ReinTimelineEntry *self);
/* "Job posted", "Bid", "Bid awarded", "Delivery"... */
const gchar *rein_timeline_entry_get_what (ReinTimelineEntry *self);
/* "Alice (Tf746vuNCf)", or "(not enrolled) 1Abc…" */
const gchar *rein_timeline_entry_get_writer (ReinTimelineEntry *self);
/* Unix seconds; 0 when the store does not have it. */
gint64 rein_timeline_entry_get_first_seen (ReinTimelineEntry *self);
gboolean rein_timeline_entry_get_counts (ReinTimelineEntry *self);
/* For a bid that counts: how many other jobs its writer completed, as far
 * as this store knows (rein_store_count_completed_jobs()); else -1. */
gint rein_timeline_entry_get_writer_completed (ReinTimelineEntry *self);
/* Why it does not count (NULL when it does). */
const gchar *rein_timeline_entry_get_reason (ReinTimelineEntry *self);

/* What a document of @type is, in a few words, for people. */
const gchar *rein_document_type_describe (ReinDocumentType type);

/* The timeline of @job (validated with @directory's enrollments; the
 * directory is copied and read in a worker, with the store), as a
 * GPtrArray of ReinTimelineEntry. */
void rein_job_timeline_load_async (ReinStore *store,
                                   ReinDirectory *directory,
                                   ReinJob *job,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
GPtrArray *rein_job_timeline_load_finish (GAsyncResult *result, GError **error);

G_END_DECLS

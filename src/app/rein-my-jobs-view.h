/* rein-my-jobs-view.h: the My Jobs tab
 *
 * The jobs I take part in (rein-my-jobs.h), grouped by my role (posted by
 * me, working on, mediating), each with its state, whose turn it is, and
 * a "Needs you" badge when it is mine. Refreshed by the window after a
 * sync (action my-jobs.refresh), and again when a market refresh ends
 * (it names the jobs I mediate or bid on).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-job-page.h"

G_BEGIN_DECLS

#define REIN_TYPE_MY_JOBS_VIEW (rein_my_jobs_view_get_type ())
G_DECLARE_FINAL_TYPE (ReinMyJobsView, rein_my_jobs_view, REIN, MY_JOBS_VIEW, AdwBin)

void rein_my_jobs_view_set_context (ReinMyJobsView *self, ReinContext *context);
/* "empty", "list" or "error": what the tab shows. */
const gchar *rein_my_jobs_view_get_state (ReinMyJobsView *self);
/* The list of the jobs where I have @role, for tests. */
GtkListBox *rein_my_jobs_view_get_list (ReinMyJobsView *self, ReinRole role);
/* Shows the page of @job_id; when My Jobs does not have it yet, it opens
 * once a refresh brings it (FALSE until then). */
gboolean rein_my_jobs_view_open_job (ReinMyJobsView *self, const gchar *job_id);
ReinJobPage *rein_my_jobs_view_get_job_page (ReinMyJobsView *self);

G_END_DECLS

/* rein-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-market-view.h"
#include "rein-my-jobs-view.h"

G_BEGIN_DECLS

#define REIN_TYPE_WINDOW (rein_window_get_type ())
G_DECLARE_FINAL_TYPE (ReinWindow, rein_window, REIN, WINDOW, AdwApplicationWindow)

ReinWindow *rein_window_new (GtkApplication *application, ReinContext *context);
ReinContext *rein_window_get_context (ReinWindow *self);
ReinSession *rein_window_get_session (ReinWindow *self);
void rein_window_show_toast (ReinWindow *self, const gchar *text);
/* Shows the identity setup (welcome) page, for "Add Identity". */
void rein_window_show_welcome (ReinWindow *self);
/* The Market tab. */
ReinMarketView *rein_window_get_market_view (ReinWindow *self);
ReinMyJobsView *rein_window_get_my_jobs_view (ReinWindow *self);
/* Shows the My Jobs tab (a notification's click). */
void rein_window_show_my_jobs (ReinWindow *self);
/* My Jobs, on the page of @job_id (once My Jobs has it). */
void rein_window_show_job (ReinWindow *self, const gchar *job_id);

G_END_DECLS

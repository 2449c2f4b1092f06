/* rein-job-row.h: one job in the market list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-store.h"

G_BEGIN_DECLS

#define REIN_TYPE_JOB_ROW (rein_job_row_get_type ())
G_DECLARE_FINAL_TYPE (ReinJobRow, rein_job_row, REIN, JOB_ROW, AdwBin)

ReinJobRow *rein_job_row_new (void);
/* The job shown ("summary" property); NULL while the row is unbound. */
void rein_job_row_set_summary (ReinJobRow *self, ReinJobSummary *summary);
ReinJobSummary *rein_job_row_get_summary (ReinJobRow *self);
/* Says again how long ago the job was first seen ("5 minutes ago"). */
void rein_job_row_update_age (ReinJobRow *self);

/* "3 days ago", "just now": how long ago @when (seconds since 1970) was,
 * as of @now. */
gchar *rein_format_age (gint64 when, gint64 now);
/* @text between FSI and PDI: a part of a line (a category, a person) whose
 * direction neither sets the line's nor is reordered by its neighbours. */
gchar *rein_bidi_isolate (const gchar *text);
/* @line (taken) led by the mark of @widget's direction (LRM or RLM), so
 * that the first strong character of an isolated part does not set the
 * line's direction (Pango looks inside isolates for it). */
gchar *rein_bidi_line (GtkWidget *widget, gchar *line);
/* Sets @widget's tooltip when it changes: GTK 4.8 asks the X server where
 * the pointer is at each gtk_widget_set_tooltip_text(), a round trip (a
 * third of a keystroke's search, when the market's state set it anew). */
void rein_widget_set_tooltip (GtkWidget *widget, const gchar *text);
/* Names the buttons at or below @root whose label has a mnemonic after
 * their label's words alone: GTK 4.8 gives a screen reader "_Open Only
 * Open Only" for a button labelled "_Open Only". The name follows the
 * label as it changes. */
void rein_widget_name_mnemonic_buttons (GtkWidget *root);
/* The words PROTOCOL.md uses for @state, capitalized for a badge. */
const gchar *rein_job_state_badge (ReinJobState state);

/* ReinJobList: the jobs a list shows, a GListModel of ReinJobSummary over
 * an array whose summaries it borrows (their owner keeps them while they
 * are shown). */
#define REIN_TYPE_JOB_LIST (rein_job_list_get_type ())
G_DECLARE_FINAL_TYPE (ReinJobList, rein_job_list, REIN, JOB_LIST, GObject)

ReinJobList *rein_job_list_new (void);
/* The summaries shown (owned by the list, not to be changed). */
GPtrArray *rein_job_list_get_items (ReinJobList *self);
/* Shows @items (taken) instead, and says which stretch changed: the rows
 * before and after it are the same summaries. A change that removes rows
 * and adds many comes in two steps (see ROWS_WITH_REMOVAL). */
void rein_job_list_replace (ReinJobList *self, GPtrArray *items);

G_END_DECLS

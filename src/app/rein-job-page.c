/* rein-job-page.c: one job I take part in, and what I may do next
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-escrow-funding.h"
#include "rein-job-page.h"
#include "rein-payout-panel.h"
#include "rein-ratings.h"
#include "rein-step-dialog.h"

struct _ReinJobPage
{
  AdwBin parent_instance;

  ReinContext *context;
  ReinMyJob *job;
  gchar *job_id;            /* followed through refreshes */
  GPtrArray *timeline;      /* ReinTimelineEntry, NULL while loading */
  ReinMyJob *timeline_job;  /* what the timeline was read for */
  GCancellable *cancellable;
  gchar *status;
  ReinActions offered;

  GtkLabel *title_label;
  GtkLabel *role_label;
  GtkLabel *state_badge;
  GtkWidget *needs_you;
  GtkLabel *status_label;
  AdwPreferencesGroup *next_group;
  GtkWidget *buttons[5];
  GtkWidget *bids_group;
  GtkListBox *bids_list;
  /* the bidders' ratings (rein-ratings.h): the context's cache */
  ReinRatingsCache *ratings;
  GHashTable *bid_sins;     /* bid hash -> its bidder's SIN */
  GtkWidget *escrow_box;
  ReinEscrowFunding *funding;
  ReinPayoutPanel *payout;
  GtkListBox *history_list;
  GtkWidget *history_spinner;
};

G_DEFINE_FINAL_TYPE (ReinJobPage, rein_job_page, ADW_TYPE_BIN)

/* The steps with a button of their own (awarding is on each bid). */
static const struct
{
  ReinActions action;
  const gchar *label;
  const gchar *action_name;
} steps[] = {
  { REIN_ACTION_DELIVER, N_("_Deliver…"), "job.deliver" },
  { REIN_ACTION_ACCEPT, N_("_Accept…"), "job.accept" },
  { REIN_ACTION_CREATOR_DISPUTE, N_("D_ispute…"), "job.dispute" },
  { REIN_ACTION_WORKER_DISPUTE, N_("D_ispute…"), "job.dispute" },
  { REIN_ACTION_RESOLVE, N_("_Resolve…"), "job.resolve" },
};

static const gchar *
own_key (ReinJobPage *self)
{
  ReinIdentity *me = self->context != NULL
                       ? rein_market_service_get_identity (rein_context_get_market (self->context))
                       : NULL;

  return me != NULL ? rein_identity_get_delegate_public_key (me) : NULL;
}

/* Empties @list, noting in @expanded (when not NULL) the "hash" of each
 * expander row the user had opened. */
static void
clear_list (GtkListBox *list, GHashTable *expanded)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    {
      if (expanded != NULL && ADW_IS_EXPANDER_ROW (child)
          && adw_expander_row_get_expanded (ADW_EXPANDER_ROW (child))
          && g_object_get_data (G_OBJECT (child), "hash") != NULL)
        g_hash_table_add (expanded, g_strdup (g_object_get_data (G_OBJECT (child), "hash")));
      gtk_list_box_remove (list, child);
    }
}

static void
append_row (GtkListBox *list, GtkWidget *row, const gchar *hash, GHashTable *expanded)
{
  g_object_set_data_full (G_OBJECT (row), "hash", g_strdup (hash), g_free);
  if (g_hash_table_contains (expanded, hash))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  gtk_list_box_append (list, row);
}

static GtkWidget *
badge_new (const gchar *text, const gchar *style)
{
  GtkWidget *badge = gtk_label_new (text);

  gtk_widget_add_css_class (badge, "job-state-badge");
  if (style != NULL)
    gtk_widget_add_css_class (badge, style);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  return badge;
}

static const gchar *
describe_role (ReinJob *job, ReinRole role)
{
  switch (role)
    {
    case REIN_ROLE_CREATOR:
      return _("You posted this job.");
    case REIN_ROLE_MEDIATOR:
      return _("You are this job’s mediator.");
    case REIN_ROLE_WORKER:
      return rein_job_get_worker_key (job) != NULL ? _("You work on this job.")
                                                   : _("You bid on this job.");
    case REIN_ROLE_NONE:
    default:
      return _("You take no part in this job.");
    }
}

/* ---- the timeline ---- */

static gchar *
format_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = NULL;

  if (unix_seconds <= 0)
    return g_strdup (_("not recorded"));
  time = g_date_time_new_from_unix_local (unix_seconds);
  /* Translators: a date and time, see g_date_time_format() */
  return time != NULL ? g_date_time_format (time, _("%-d %b %Y, %H:%M")) : g_strdup ("?");
}

static GtkWidget *
text_row (const gchar *text, const gchar *css_class)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static GtkWidget *
timeline_row (ReinTimelineEntry *entry)
{
  ReinDocument *document = rein_timeline_entry_get_document (entry);
  gboolean counts = rein_timeline_entry_get_counts (entry);
  g_autofree gchar *seen = format_time (rein_timeline_entry_get_first_seen (entry));
  /* Translators: "by Alice (Tf746vuNCf) · first seen 4 Dec 2026, 12:30" */
  g_autofree gchar *subtitle = g_strdup_printf (_("by %s · first seen %s"),
                                                rein_timeline_entry_get_writer (entry), seen);
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  g_autofree gchar *accessible = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rein_timeline_entry_get_what (entry));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  if (!counts)
    {
      GtkWidget *reason = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (reason), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (reason),
                                     _("Why it does not count"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (reason),
                                   rein_timeline_entry_get_reason (entry));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), reason);
    }
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            text_row (rein_document_get_armored (document), "document-text"));
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_set_tooltip_text (copy, _("Copy the signed text"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (copy), "job.copy");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (copy), "s", rein_document_get_hash (document));
  /* actions go in from the right: the copy button stays in line */
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), copy);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                               badge_new (counts ? _("Verified") : _("Does not count"),
                                          counts ? "success" : "error"));
  /* what a screen reader says of the row */
  accessible = g_strdup_printf ("%s, %s, %s", rein_timeline_entry_get_what (entry),
                                counts ? _("verified") : _("does not count"), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  return row;
}

/* ---- the bidders' ratings ---- */

/* "0.05 BTC · 2 other jobs completed · rated 4.5 by 3", once read. */
static void
set_bid_subtitle (ReinJobPage *self, GtkWidget *row)
{
  const gchar *base = g_object_get_data (G_OBJECT (row), "base-subtitle");
  const gchar *sin = g_object_get_data (G_OBJECT (row), "sin");
  const gchar *rated = self->ratings != NULL
                         ? rein_ratings_cache_lookup (self->ratings, sin, FALSE)
                         : NULL;
  g_autofree gchar *subtitle = NULL;

  if (rated == NULL)
    {
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), base);
      return;
    }
  /* Translators: "0.05 BTC · 2 other jobs completed" and "rated 4.5 by 3" */
  subtitle = g_strdup_printf (_("%s · %s"), base, rated);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
}

static void
show_ratings (ReinJobPage *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->bids_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_EXPANDER_ROW (row))
      set_bid_subtitle (self, row);
}

/* ---- the bids ---- */

static gboolean
is_awarded (ReinJob *job, ReinDocument *bid)
{
  ReinDocument *offer = rein_job_get_offer (job);

  return offer != NULL
         && g_strcmp0 (rein_document_lookup (offer, REIN_LABEL_WORKER_PUBLIC_KEY),
                       rein_document_lookup (bid, REIN_LABEL_WORKER_PUBLIC_KEY)) == 0
         && g_strcmp0 (rein_document_lookup (offer, REIN_LABEL_BID_AMOUNT),
                       rein_document_lookup (bid, REIN_LABEL_BID_AMOUNT)) == 0;
}

static GtkWidget *
bid_row (ReinJobPage *self, ReinJob *job, ReinTimelineEntry *entry, gboolean can_award)
{
  ReinDocument *bid = rein_timeline_entry_get_document (entry);
  ReinDirectory *directory = rein_market_service_get_directory (
      rein_context_get_market (self->context));
  g_autofree gchar *worker = rein_person_format_party (
      directory, rein_document_lookup (bid, REIN_LABEL_WORKER_PUBLIC_KEY),
      rein_document_lookup (bid, REIN_LABEL_WORKER_MASTER_ADDRESS),
      rein_document_lookup (bid, REIN_LABEL_WORKER));
  const gchar *amount = rein_document_lookup (bid, REIN_LABEL_BID_AMOUNT);
  gint completed = rein_timeline_entry_get_writer_completed (entry);
  g_autofree gchar *history = NULL;
  g_autofree gchar *subtitle = NULL;
  g_autofree gchar *sin = rein_directory_dup_sin_of_key (
      directory, rein_document_lookup (bid, REIN_LABEL_WORKER_PUBLIC_KEY));
  GtkWidget *row = adw_expander_row_new ();

  if (completed < 0)
    history = g_strdup (_("other jobs not known"));
  else
    history = g_strdup_printf (g_dngettext (NULL, "%d other job completed",
                                            "%d other jobs completed", completed),
                               completed);
  /* Translators: "0.05 BTC · 2 other jobs completed" */
  subtitle = g_strdup_printf (_("%s BTC · %s"), amount != NULL ? amount : "?", history);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), worker);
  g_object_set_data_full (G_OBJECT (row), "base-subtitle", g_strdup (subtitle), g_free);
  if (sin != NULL)
    {
      g_hash_table_replace (self->bid_sins, g_strdup (rein_document_get_hash (bid)),
                            g_strdup (sin));
      g_object_set_data_full (G_OBJECT (row), "sin", g_strdup (sin), g_free);
      /* read for whom the bids are shown (show_timeline()) */
      if (can_award || rein_my_job_get_role (self->job) == REIN_ROLE_CREATOR)
        rein_ratings_cache_want (self->ratings, sin);
    }
  set_bid_subtitle (self, row);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                            text_row (rein_document_lookup (bid, REIN_LABEL_DESCRIPTION), NULL));
  if (is_awarded (job, bid))
    adw_expander_row_add_action (ADW_EXPANDER_ROW (row), badge_new (_("Awarded"), "success"));
  else if (can_award)
    {
      /* open, so that the bids read side by side while one is chosen */
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      GtkWidget *award;
      g_autofree gchar *tip = g_strdup_printf (_("Award the job to %s"), worker);

      award = gtk_button_new_with_mnemonic (_("A_ward…"));
      gtk_widget_set_valign (award, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (award, tip);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (award), "job.award");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (award), "s",
                                        rein_document_get_hash (bid));
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), award);
    }
  return row;
}

static void
show_timeline (ReinJobPage *self)
{
  ReinJob *job = self->job != NULL ? rein_my_job_get_job (self->job) : NULL;
  g_autoptr (GHashTable) expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) bids_expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                NULL);
  guint n_bids = 0;

  /* the same job read again keeps what the user opened */
  clear_list (self->history_list, expanded);
  clear_list (self->bids_list, bids_expanded);
  gtk_widget_set_visible (self->history_spinner, self->timeline == NULL && job != NULL);
  if (self->timeline == NULL || job == NULL)
    {
      gtk_widget_set_visible (self->bids_group, FALSE);
      return;
    }
  for (guint i = 0; i < self->timeline->len; i++)
    {
      ReinTimelineEntry *entry = g_ptr_array_index (self->timeline, i);
      ReinDocument *document = rein_timeline_entry_get_document (entry);

      append_row (self->history_list, timeline_row (entry), rein_document_get_hash (document),
                  expanded);
      if (rein_timeline_entry_get_counts (entry)
          && rein_document_get_document_type (document) == REIN_DOCUMENT_TYPE_BID)
        {
          append_row (self->bids_list,
                      bid_row (self, job, entry, self->offered & REIN_ACTION_OFFER),
                      rein_document_get_hash (document), bids_expanded);
          n_bids++;
        }
    }
  /* the bids matter to the creator choosing one, and until the award */
  gtk_widget_set_visible (self->bids_group,
                          n_bids > 0
                            && (self->offered & REIN_ACTION_OFFER
                                || rein_my_job_get_role (self->job) == REIN_ROLE_CREATOR));
}

static void
timeline_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinJobPage) self = user_data;
  g_autoptr (GError) error = NULL;
  GPtrArray *timeline = rein_job_timeline_load_finish (result, &error);

  if (timeline == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_widget_set_visible (self->history_spinner, FALSE);
          adw_preferences_group_set_description (
              ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (GTK_WIDGET (self->history_list),
                                                              ADW_TYPE_PREFERENCES_GROUP)),
              error->message);
        }
      return;
    }
  g_clear_pointer (&self->timeline, g_ptr_array_unref);
  self->timeline = timeline;
  g_set_object (&self->timeline_job, self->job);
  show_timeline (self);
}

/* ---- the page ---- */

static void
update (ReinJobPage *self)
{
  ReinJob *job = self->job != NULL ? rein_my_job_get_job (self->job) : NULL;
  const gchar *key = own_key (self);
  ReinActions actions = job != NULL && key != NULL ? rein_job_get_actions (job, key) : 0;
  gboolean any = FALSE;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* the same job read again keeps its timeline on screen until the new
   * one is read */
  if (self->job == NULL || self->timeline_job == NULL
      || g_strcmp0 (rein_my_job_get_job_id (self->timeline_job), self->job_id) != 0)
    {
      g_clear_pointer (&self->timeline, g_ptr_array_unref);
      g_clear_object (&self->timeline_job);
    }
  g_clear_pointer (&self->status, g_free);

  /* bidding is the market's business, not a step of my job */
  self->offered = actions & ~REIN_ACTION_BID;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    gtk_widget_set_visible (self->buttons[i], (self->offered & steps[i].action) != 0);
  if (job == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      if (self->funding != NULL)
        rein_escrow_funding_set_job (self->funding, NULL);
      if (self->payout != NULL)
        rein_payout_panel_set_job (self->payout, NULL);
      show_timeline (self);
      return;
    }
  gtk_label_set_text (self->title_label, rein_my_job_get_name (self->job) != NULL
                                           ? rein_my_job_get_name (self->job)
                                           : rein_my_job_get_job_id (self->job));
  gtk_label_set_text (self->role_label, describe_role (job, rein_my_job_get_role (self->job)));
  gtk_label_set_text (self->state_badge, rein_job_state_describe (rein_job_get_state (job)));
  gtk_widget_set_visible (self->needs_you, rein_my_job_get_needs_me (self->job));
  if (g_strcmp0 (rein_my_job_get_waiting_text (self->job),
                 rein_job_state_describe (rein_job_get_state (job))) == 0)
    {
      /* complete: nobody waits */
      self->status = g_strdup (rein_job_state_describe (rein_job_get_state (job)));
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
    }
  else
    {
      self->status = g_strdup_printf ("%s — %s",
                                      rein_job_state_describe (rein_job_get_state (job)),
                                      rein_my_job_get_waiting_text (self->job));
      gtk_label_set_text (self->status_label, rein_my_job_get_waiting_text (self->job));
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    any |= (self->offered & steps[i].action) != 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.deliver",
                                 self->offered & REIN_ACTION_DELIVER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.accept",
                                 self->offered & REIN_ACTION_ACCEPT);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.dispute",
                                 self->offered & (REIN_ACTION_CREATOR_DISPUTE
                                                  | REIN_ACTION_WORKER_DISPUTE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.resolve",
                                 self->offered & REIN_ACTION_RESOLVE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.award",
                                 self->offered & REIN_ACTION_OFFER);
  adw_preferences_group_set_description (
      self->next_group,
      self->offered & REIN_ACTION_OFFER ? _("Choose a bid below and award it.")
      : any                             ? _("Each step shows the exact document before you sign it.")
                                        : _("Nothing for you to do now."));

  /* the escrow exists once a bid is awarded */
  /* the escrow's cards while the money is in it: an accept or a
   * resolution hands over to the payments */
  if (self->funding != NULL)
    rein_escrow_funding_set_job (self->funding,
                                 rein_job_get_offer (job) != NULL
                                     && rein_job_get_document (job, REIN_DOCUMENT_TYPE_ACCEPT)
                                          == NULL
                                     && rein_job_get_document (job, REIN_DOCUMENT_TYPE_RESOLUTION)
                                          == NULL
                                   ? self->job
                                   : NULL);
  if (self->payout != NULL)
    rein_payout_panel_set_job (self->payout, self->job);
  self->cancellable = g_cancellable_new ();
  show_timeline (self);
  rein_job_timeline_load_async (
      rein_context_get_store (self->context),
      rein_market_service_get_directory (rein_context_get_market (self->context)), job,
      self->cancellable, timeline_loaded_cb, g_object_ref (self));
}

void
rein_job_page_set_job (ReinJobPage *self, ReinMyJob *job)
{
  g_return_if_fail (REIN_IS_JOB_PAGE (self));
  g_return_if_fail (job == NULL || REIN_IS_MY_JOB (job));

  if (!g_set_object (&self->job, job))
    return;
  g_free (self->job_id);
  self->job_id = job != NULL ? g_strdup (rein_my_job_get_job_id (job)) : NULL;
  update (self);
}

ReinMyJob *
rein_job_page_get_job (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  return self->job;
}

/* A refresh of My Jobs made new ReinMyJob objects: follow mine. */
static void
jobs_changed_cb (GListModel *model, guint position, guint removed, guint added,
                 gpointer user_data)
{
  ReinJobPage *self = user_data;

  if (self->job_id == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (model, i);

      if (g_strcmp0 (rein_my_job_get_job_id (job), self->job_id) == 0)
        {
          rein_job_page_set_job (self, job);
          return;
        }
    }
}

void
rein_job_page_set_context (ReinJobPage *self, ReinContext *context)
{
  g_return_if_fail (REIN_IS_JOB_PAGE (self));
  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->ratings = g_object_ref (rein_ratings_cache_get (context));
  g_signal_connect_object (self->ratings, "changed", G_CALLBACK (show_ratings), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (rein_my_jobs_get_jobs (rein_context_get_my_jobs (context)),
                           "items-changed", G_CALLBACK (jobs_changed_cb), self, 0);
  /* the escrow: where the money is, and the payments out of it */
  self->funding = REIN_ESCROW_FUNDING (rein_escrow_funding_new (context));
  self->payout = REIN_PAYOUT_PANEL (rein_payout_panel_new (context));
  gtk_box_append (GTK_BOX (self->escrow_box), GTK_WIDGET (self->funding));
  gtk_box_append (GTK_BOX (self->escrow_box), GTK_WIDGET (self->payout));
  update (self);
}

/* ---- actions ---- */

static void
published_cb (GtkWidget *dialog, const gchar *message, gpointer user_data)
{
  ReinJobPage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
  /* the job moved on: read it (and the rest of My Jobs) again */
  gtk_widget_activate_action (GTK_WIDGET (self), "my-jobs.refresh", NULL);
}

static void
open_step (ReinJobPage *self, ReinActions action, const gchar *bid_hash)
{
  ReinJob *job;
  ReinStepDialog *dialog;

  if (self->job == NULL || !(self->offered & action))
    return;
  job = rein_my_job_get_job (self->job);
  dialog = rein_step_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 self->context, rein_job_get_id (job),
                                 rein_job_get_creator_key (job), action, bid_hash);
  g_signal_connect_object (dialog, "published", G_CALLBACK (published_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinJobPage *self = REIN_JOB_PAGE (widget);

  if (g_str_equal (name, "job.award"))
    open_step (self, REIN_ACTION_OFFER, g_variant_get_string (param, NULL));
  else if (g_str_equal (name, "job.deliver"))
    open_step (self, REIN_ACTION_DELIVER, NULL);
  else if (g_str_equal (name, "job.accept"))
    open_step (self, REIN_ACTION_ACCEPT, NULL);
  else if (g_str_equal (name, "job.resolve"))
    open_step (self, REIN_ACTION_RESOLVE, NULL);
  else if (g_str_equal (name, "job.dispute"))
    open_step (self, self->offered & REIN_ACTION_CREATOR_DISPUTE ? REIN_ACTION_CREATOR_DISPUTE
                                                                  : REIN_ACTION_WORKER_DISPUTE,
               NULL);
}

static void
copy_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinJobPage *self = REIN_JOB_PAGE (widget);
  const gchar *hash = g_variant_get_string (param, NULL);

  for (guint i = 0; self->timeline != NULL && i < self->timeline->len; i++)
    {
      ReinDocument *document = rein_timeline_entry_get_document (
          g_ptr_array_index (self->timeline, i));

      if (g_str_equal (rein_document_get_hash (document), hash))
        {
          gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                                  rein_document_get_armored (document));
          gtk_widget_activate_action (widget, "win.toast", "s",
                                      _("The signed text is on the clipboard"));
          return;
        }
    }
}

/* ---- for tests ---- */

ReinEscrowFunding *
rein_job_page_get_funding (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  return self->funding;
}

ReinPayoutPanel *
rein_job_page_get_payout_panel (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  return self->payout;
}

ReinActions
rein_job_page_get_offered (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), 0);
  return self->offered;
}

const gchar *
rein_job_page_get_status (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  return self->status;
}

GPtrArray *
rein_job_page_get_timeline (ReinJobPage *self)
{
  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  return self->timeline_job == self->job ? self->timeline : NULL;
}

GStrv
rein_job_page_dup_bid_hashes (ReinJobPage *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GPtrArray *timeline;

  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);

  timeline = rein_job_page_get_timeline (self);
  for (guint i = 0; timeline != NULL && i < timeline->len; i++)
    {
      ReinTimelineEntry *entry = g_ptr_array_index (timeline, i);
      ReinDocument *document = rein_timeline_entry_get_document (entry);

      if (rein_timeline_entry_get_counts (entry)
          && rein_document_get_document_type (document) == REIN_DOCUMENT_TYPE_BID)
        g_strv_builder_add (builder, rein_document_get_hash (document));
    }
  return g_strv_builder_end (builder);
}

/* ---- the class ---- */

static GtkWidget *
group_with_list (const gchar *title, GtkListBox **out_list)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *list = gtk_list_box_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);
  *out_list = GTK_LIST_BOX (list);
  return group;
}

static void
build_page (ReinJobPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *state = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *history;

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_label_set_wrap_mode (self->title_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_selectable (self->title_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->title_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Job name"), -1);
  self->role_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->role_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->role_label), "dim-label");
  self->state_badge = GTK_LABEL (badge_new ("", NULL));
  self->needs_you = gtk_label_new (_("Needs you"));
  gtk_widget_add_css_class (self->needs_you, "needs-you");
  gtk_widget_set_valign (self->needs_you, GTK_ALIGN_CENTER);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "heading");
  gtk_box_append (GTK_BOX (state), GTK_WIDGET (self->state_badge));
  gtk_box_append (GTK_BOX (state), self->needs_you);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->title_label));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->role_label));
  gtk_box_append (GTK_BOX (header), state);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->status_label));
  gtk_box_append (GTK_BOX (box), header);

  self->next_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->next_group, _("Next Step"));
  gtk_widget_set_halign (buttons, GTK_ALIGN_START);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      self->buttons[i] = gtk_button_new_with_mnemonic (_(steps[i].label));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->buttons[i]), steps[i].action_name);
      gtk_widget_add_css_class (self->buttons[i], "pill");
      if (steps[i].action == REIN_ACTION_DELIVER || steps[i].action == REIN_ACTION_ACCEPT
          || steps[i].action == REIN_ACTION_RESOLVE)
        gtk_widget_add_css_class (self->buttons[i], "suggested-action");
      gtk_box_append (GTK_BOX (buttons), self->buttons[i]);
    }
  adw_preferences_group_add (self->next_group, buttons);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->next_group));

  self->bids_group = group_with_list (_("Bids"), &self->bids_list);
  gtk_box_append (GTK_BOX (box), self->bids_group);

  /* the escrow's cards and payments go here */
  self->escrow_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_box_append (GTK_BOX (box), self->escrow_box);

  history = group_with_list (_("History"), &self->history_list);
  self->history_spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (self->history_spinner));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (history),
                                           self->history_spinner);
  gtk_box_append (GTK_BOX (box), history);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_bin_set_child (ADW_BIN (self), scrolled);
}

static void
rein_job_page_dispose (GObject *object)
{
  ReinJobPage *self = (ReinJobPage *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->ratings != NULL)
    g_signal_handlers_disconnect_by_data (self->ratings, self);
  g_clear_object (&self->ratings);
  /* The context outlives the page: a refresh of My Jobs that ends later
   * (one starts after each publication) must not reach its widgets. */
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (
        rein_my_jobs_get_jobs (rein_context_get_my_jobs (self->context)), self);
  g_clear_object (&self->job);
  g_clear_object (&self->context);
  g_clear_pointer (&self->timeline, g_ptr_array_unref);
  g_clear_object (&self->timeline_job);

  G_OBJECT_CLASS (rein_job_page_parent_class)->dispose (object);
}

static void
rein_job_page_finalize (GObject *object)
{
  ReinJobPage *self = (ReinJobPage *) object;

  g_free (self->job_id);
  g_free (self->status);
  g_hash_table_unref (self->bid_sins);

  G_OBJECT_CLASS (rein_job_page_parent_class)->finalize (object);
}

static void
rein_job_page_class_init (ReinJobPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_job_page_dispose;
  object_class->finalize = rein_job_page_finalize;

  gtk_widget_class_install_action (widget_class, "job.award", "s", step_action);
  gtk_widget_class_install_action (widget_class, "job.deliver", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "job.accept", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "job.dispute", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "job.resolve", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "job.copy", "s", copy_action);
}

static void
rein_job_page_init (ReinJobPage *self)
{
  self->bid_sins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  build_page (self);
  update (self);
}

GtkWidget *
rein_job_page_new (void)
{
  return g_object_new (REIN_TYPE_JOB_PAGE, NULL);
}

const gchar *
rein_job_page_get_bid_ratings (ReinJobPage *self, const gchar *bid_hash)
{
  const gchar *sin;

  g_return_val_if_fail (REIN_IS_JOB_PAGE (self), NULL);
  g_return_val_if_fail (bid_hash != NULL, NULL);

  sin = g_hash_table_lookup (self->bid_sins, bid_hash);
  return sin != NULL && self->ratings != NULL
           ? rein_ratings_cache_lookup (self->ratings, sin, FALSE)
           : NULL;
}

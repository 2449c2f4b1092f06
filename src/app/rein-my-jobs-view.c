/* rein-my-jobs-view.c: the My Jobs tab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-job-page.h"
#include "rein-my-jobs-view.h"

#define N_GROUPS 3

struct _ReinMyJobsView
{
  AdwBin parent_instance;

  AdwLeaflet *leaflet;
  GtkStack *stack;
  ReinJobPage *job_page;
  AdwStatusPage *error_page;
  GtkWidget *offline_label;
  GtkSpinner *list_spinner;
  GtkSpinner *job_spinner;
  GtkWidget *heading[N_GROUPS];
  GtkListBox *list[N_GROUPS];

  ReinContext *context;
  ReinMyJobs *my_jobs;
  GtkFilterListModel *group[N_GROUPS];
  GCancellable *cancellable;
  gchar *error;
  gboolean offline; /* no server answered the last refresh */
  gchar *pending_job_id; /* to open once a refresh brings it */
};

G_DEFINE_FINAL_TYPE (ReinMyJobsView, rein_my_jobs_view, ADW_TYPE_BIN)

static const ReinRole group_roles[N_GROUPS] = {
  REIN_ROLE_CREATOR,
  REIN_ROLE_WORKER,
  REIN_ROLE_MEDIATOR,
};

static gboolean
has_role (gpointer item, gpointer user_data)
{
  return rein_my_job_get_role (item) == (ReinRole) GPOINTER_TO_INT (user_data);
}

/* One row: the job's name; its state and whose turn it is; a badge when
 * it is mine. Its accessible name says all of it. */
static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  ReinMyJob *job = item;
  const gchar *name = rein_my_job_get_name (job);
  g_autofree gchar *subtitle = g_strdup_printf (
      "%s — %s", rein_job_state_describe (rein_my_job_get_state (job)),
      rein_my_job_get_waiting_text (job));
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? name : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_widget_set_tooltip_text (row, rein_my_job_get_job_id (job));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  if (rein_my_job_get_needs_me (job))
    {
      GtkWidget *badge = gtk_label_new (_("Needs you"));

      gtk_widget_add_css_class (badge, "needs-you");
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  if (rein_my_job_get_unsent (job))
    {
      GtkWidget *mark = gtk_label_new (_("Not sent yet"));

      gtk_widget_set_name (mark, "unsent");
      gtk_widget_add_css_class (mark, "unsent");
      gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (mark, _("Something you signed for this job is on no server "
                                           "yet: the next sync sends it."));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
    }
  /* the marks, then where the row leads */
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "job-id", g_strdup (rein_my_job_get_job_id (job)),
                          g_free);
  return row;
}

/* The row of @job_id (a new reference), or NULL. */
static ReinMyJob *
find_job (ReinMyJobsView *self, const gchar *job_id)
{
  GListModel *jobs = self->my_jobs != NULL ? rein_my_jobs_get_jobs (self->my_jobs) : NULL;

  for (guint i = 0; jobs != NULL && i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_my_job_get_job_id (job), job_id) == 0)
        return g_steal_pointer (&job);
    }
  return NULL;
}

gboolean
rein_my_jobs_view_open_job (ReinMyJobsView *self, const gchar *job_id)
{
  g_autoptr (ReinMyJob) job = NULL;

  g_return_val_if_fail (REIN_IS_MY_JOBS_VIEW (self), FALSE);
  g_return_val_if_fail (job_id != NULL, FALSE);

  job = find_job (self, job_id);
  if (job == NULL)
    {
      /* not read yet: open it when a refresh brings it */
      g_free (self->pending_job_id);
      self->pending_job_id = g_strdup (job_id);
      return FALSE;
    }
  g_clear_pointer (&self->pending_job_id, g_free);
  rein_job_page_set_job (self->job_page, job);
  adw_leaflet_set_visible_child_name (self->leaflet, "job");
  return TRUE;
}

ReinJobPage *
rein_my_jobs_view_get_job_page (ReinMyJobsView *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOBS_VIEW (self), NULL);
  return self->job_page;
}

static void
row_activated_cb (GtkListBox *list, GtkListBoxRow *row, gpointer user_data)
{
  const gchar *job_id = g_object_get_data (G_OBJECT (row), "job-id");

  if (job_id != NULL)
    rein_my_jobs_view_open_job (user_data, job_id);
}

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_leaflet_set_visible_child_name (REIN_MY_JOBS_VIEW (widget)->leaflet, "jobs");
}

static void
update_state (ReinMyJobsView *self)
{
  guint total = 0;

  for (guint g = 0; g < N_GROUPS; g++)
    {
      guint n = self->group[g] != NULL
                  ? g_list_model_get_n_items (G_LIST_MODEL (self->group[g]))
                  : 0;

      gtk_widget_set_visible (self->heading[g], n > 0);
      gtk_widget_set_visible (GTK_WIDGET (self->list[g]), n > 0);
      total += n;
    }
  /* rows and an error: what was read before, or the store's offline */
  gtk_widget_set_visible (self->offline_label, total > 0 && self->offline);
  if (total > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else if (self->error != NULL)
    {
      /* offline and nothing stored: the servers' words on the tooltip */
      adw_status_page_set_description (
          self->error_page, self->offline ? _("No server sent your jobs, and this computer has "
                                              "none of them yet. Check your connection, and "
                                              "your servers in Preferences.")
                                          : self->error);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_page),
                                   self->offline ? self->error : NULL);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* The spinners beside the refresh buttons turn while a refresh runs. */
static void
set_refreshing (ReinMyJobsView *self, gboolean refreshing)
{
  gtk_spinner_set_spinning (self->list_spinner, refreshing);
  gtk_spinner_set_spinning (self->job_spinner, refreshing);
}

static void
refreshed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinMyJobsView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rein_my_jobs_refresh_finish (REIN_MY_JOBS (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A refresh that ended its work as the view went: its widgets are gone
   * (dispose cancelled it, but the result was in already). */
  if (self->my_jobs == NULL)
    return;
  set_refreshing (self, FALSE);
  g_clear_pointer (&self->error, g_free);
  if (error != NULL)
    self->error = g_strdup (error->message);
  self->offline = g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  update_state (self);
}

static void
refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReinMyJobsView *self = REIN_MY_JOBS_VIEW (widget);

  if (self->my_jobs == NULL)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_refreshing (self, TRUE);
  rein_my_jobs_refresh_async (self->my_jobs, self->cancellable, refreshed_cb,
                              g_object_ref (self));
}

/* A market refresh names the jobs I mediate or bid on: read them again
 * once it is done. */
static void
market_refreshing_cb (ReinMarketService *market, GParamSpec *pspec, gpointer user_data)
{
  ReinMyJobsView *self = user_data;

  if (!rein_market_service_get_refreshing (market))
    gtk_widget_activate_action (GTK_WIDGET (self), "my-jobs.refresh", NULL);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added,
                  gpointer user_data)
{
  ReinMyJobsView *self = user_data;

  update_state (self);
  if (self->pending_job_id != NULL)
    {
      g_autofree gchar *job_id = g_steal_pointer (&self->pending_job_id);

      /* still not there: it stays pending */
      rein_my_jobs_view_open_job (self, job_id);
    }
}

void
rein_my_jobs_view_set_context (ReinMyJobsView *self, ReinContext *context)
{
  g_return_if_fail (REIN_IS_MY_JOBS_VIEW (self));
  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->my_jobs = g_object_ref (rein_context_get_my_jobs (context));
  g_signal_connect_object (rein_context_get_market (context), "notify::refreshing",
                           G_CALLBACK (market_refreshing_cb), self, 0);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      GtkFilter *filter = GTK_FILTER (gtk_custom_filter_new (
          has_role, GINT_TO_POINTER (group_roles[g]), NULL));

      self->group[g] = gtk_filter_list_model_new (
          g_object_ref (rein_my_jobs_get_jobs (self->my_jobs)), filter);
      gtk_list_box_bind_model (self->list[g], G_LIST_MODEL (self->group[g]), create_row, NULL,
                               NULL);
      g_signal_connect_object (self->group[g], "items-changed", G_CALLBACK (items_changed_cb),
                               self, 0);
    }
  rein_job_page_set_context (self->job_page, context);
  update_state (self);
}

const gchar *
rein_my_jobs_view_get_state (ReinMyJobsView *self)
{
  g_return_val_if_fail (REIN_IS_MY_JOBS_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GtkListBox *
rein_my_jobs_view_get_list (ReinMyJobsView *self, ReinRole role)
{
  g_return_val_if_fail (REIN_IS_MY_JOBS_VIEW (self), NULL);

  for (guint g = 0; g < N_GROUPS; g++)
    if (group_roles[g] == role)
      return self->list[g];
  return NULL;
}

static void
rein_my_jobs_view_dispose (GObject *object)
{
  ReinMyJobsView *self = (ReinMyJobsView *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint g = 0; g < N_GROUPS; g++)
    g_clear_object (&self->group[g]);
  g_clear_object (&self->my_jobs);
  g_clear_object (&self->context);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->pending_job_id, g_free);
  /* The leaflet is AdwBin's child and a template child: let AdwBin let go
   * of it first, or both would unparent it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_MY_JOBS_VIEW);

  G_OBJECT_CLASS (rein_my_jobs_view_parent_class)->dispose (object);
}

static void
rein_my_jobs_view_class_init (ReinMyJobsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_my_jobs_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-my-jobs-view.ui");
  g_type_ensure (REIN_TYPE_JOB_PAGE);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, stack);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, job_page);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, error_page);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, offline_label);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, list_spinner);
  gtk_widget_class_bind_template_child (widget_class, ReinMyJobsView, job_spinner);
  /* for tests */
  gtk_widget_class_bind_template_child_full (widget_class, "refresh_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "creator_heading", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, heading[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "worker_heading", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, heading[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "mediator_heading", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, heading[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "creator_list", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, list[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "worker_list", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, list[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "mediator_list", FALSE,
                                             G_STRUCT_OFFSET (ReinMyJobsView, list[2]));
  gtk_widget_class_install_action (widget_class, "my-jobs.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "my-jobs.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "my-jobs.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "my-jobs.back",
                                       NULL);
}

static void
rein_my_jobs_view_init (ReinMyJobsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint g = 0; g < N_GROUPS; g++)
    g_signal_connect (self->list[g], "row-activated", G_CALLBACK (row_activated_cb), self);
}

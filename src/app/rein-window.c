/* rein-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-escrow-funding.h"
#include "rein-identity-page.h"
#include "rein-job-row.h"
#include "rein-my-jobs-view.h"
#include "rein-settings.h"
#include "rein-unlock-dialog.h"
#include "rein-welcome.h"
#include "rein-window.h"

struct _ReinWindow
{
  AdwApplicationWindow parent_instance;

  ReinContext *context;
  ReinSession *session;
  ReinWelcome *welcome;
  GSettings *settings;
  guint refresh_source;
  guint header_idle;
  int width; /* as last allocated */
  gboolean last_sync_all_failed;
  gboolean manual_sync; /* the user asked: the outcome gets a toast */
  ReinIdentity *named;  /* the identity the header names: its renames follow */

  AdwToastOverlay *toast_overlay;
  GtkMenuButton *identity_button;
  GtkPopover *identity_popover;
  GtkListBox *identity_list;
  GtkLabel *identity_label;
  GtkWidget *identity_icon;
  GtkWidget *switcher_bar;
  AdwHeaderBar *header_bar;
  GtkWidget *narrow_title; /* AdwWindowTitle, owned: the title when narrow */
  GtkWidget *wide_title;   /* a reference on switcher_title, while it is out */
  GtkWidget *testnet_badge;
  GtkWidget *sync_button;
  GtkStack *sync_stack;
  GtkSpinner *sync_spinner;
  GtkProgressBar *sync_progress;
  GtkLabel *sync_label;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkButton *banner_button;
  GtkStack *main_stack;
  GtkWidget *switcher_title;
  AdwBin *welcome_bin;
  AdwViewStack *view_stack;
  ReinMarketView *market_view;
  ReinMyJobsView *my_jobs_view;
};

G_DEFINE_FINAL_TYPE (ReinWindow, rein_window, ADW_TYPE_APPLICATION_WINDOW)

/* Below these widths the header drops the identity's name (the button
 * keeps its icon and says the name in its tooltip) and the last-sync label
 * after it (the title's subtitle says it once the view switcher moves to
 * the bottom). Widths, not the switcher's state: the labels' own size must
 * not decide whether they are shown. */
#define NAME_MIN_WIDTH 480
#define SYNC_LABEL_MIN_WIDTH 720
/* Narrow, the identity's name keeps at least this many letters. */
#define NARROW_NAME_MIN_CHARS 3

ReinContext *
rein_window_get_context (ReinWindow *self)
{
  g_return_val_if_fail (REIN_IS_WINDOW (self), NULL);
  return self->context;
}

void
rein_window_show_my_jobs (ReinWindow *self)
{
  g_return_if_fail (REIN_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, "my-jobs");
}

void
rein_window_show_job (ReinWindow *self, const gchar *job_id)
{
  g_return_if_fail (REIN_IS_WINDOW (self));
  rein_window_show_my_jobs (self);
  rein_my_jobs_view_open_job (self->my_jobs_view, job_id);
}

ReinMyJobsView *
rein_window_get_my_jobs_view (ReinWindow *self)
{
  g_return_val_if_fail (REIN_IS_WINDOW (self), NULL);
  return self->my_jobs_view;
}

ReinMarketView *
rein_window_get_market_view (ReinWindow *self)
{
  g_return_val_if_fail (REIN_IS_WINDOW (self), NULL);
  return self->market_view;
}

ReinSession *
rein_window_get_session (ReinWindow *self)
{
  g_return_val_if_fail (REIN_IS_WINDOW (self), NULL);
  return self->session;
}

void
rein_window_show_toast (ReinWindow *self, const gchar *text)
{
  AdwToast *toast;

  g_return_if_fail (REIN_IS_WINDOW (self));

  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- state shown in the header and banners ---- */

static gboolean
has_identity (ReinWindow *self)
{
  return g_list_model_get_n_items (rein_session_get_identities (self->session)) > 0;
}

static gboolean
has_servers (ReinWindow *self)
{
  return g_list_model_get_n_items (rein_session_get_servers (self->session)) > 0;
}

/* With the window's minimize, maximize and close buttons, a narrow header
 * has no room for both the name and the last sync as the title: the name
 * keeps it, and the last sync stays in the Sync button's tooltip. */
static gboolean
room_for_narrow_subtitle (ReinWindow *self)
{
  g_autofree gchar *layout = NULL;
  g_auto (GStrv) parts = NULL;
  guint buttons = 0;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-decoration-layout", &layout,
                NULL);
  parts = g_strsplit_set (layout ? layout : "", ",:", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (g_strstrip (parts[i]), "minimize")
        || g_str_equal (parts[i], "maximize") || g_str_equal (parts[i], "close"))
      buttons++;
  return buttons <= 1;
}

/* The view switcher and sync belong to the main view, not to the setup. */
static void
update_header (ReinWindow *self)
{
  gboolean main_view = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                  "main") == 0;
  gboolean narrow = self->width > 0 && self->width < NAME_MIN_WIDTH;
  ReinIdentity *identity = rein_session_get_active_identity (self->session);

  gtk_widget_set_visible (self->switcher_title, main_view);
  gtk_widget_set_visible (self->narrow_title, main_view && room_for_narrow_subtitle (self));
  gtk_widget_set_visible (self->sync_button, main_view);
  /* the bottom switcher belongs to the main view too: not under the
   * setup's buttons */
  adw_view_switcher_bar_set_reveal (ADW_VIEW_SWITCHER_BAR (self->switcher_bar),
                                    main_view
                                      && (narrow
                                          || adw_view_switcher_title_get_title_visible (
                                            ADW_VIEW_SWITCHER_TITLE (self->switcher_title))));
  gtk_widget_set_visible (GTK_WIDGET (self->sync_label),
                          main_view && self->width >= SYNC_LABEL_MIN_WIDTH);
  /* Narrow, the name stays (shortened) and the icon before it goes: a
   * "Testnet" badge alone would not say whose the window is. */
  /* The switcher title's natural width (its wide switcher) would squeeze
   * the name out: narrow, a plain title says the last sync, and the
   * switcher is at the bottom. */
  if (narrow != (adw_header_bar_get_title_widget (self->header_bar) == self->narrow_title))
    adw_header_bar_set_title_widget (self->header_bar,
                                     narrow ? self->narrow_title : self->switcher_title);
  gtk_widget_set_visible (self->identity_icon, !narrow);
  gtk_label_set_max_width_chars (self->identity_label, narrow ? 8 : 16);
  /* and at least its first letters, never a lone "…" */
  gtk_label_set_width_chars (self->identity_label,
                             narrow && identity
                               ? (gint) MIN (g_utf8_strlen (rein_identity_get_label (identity), -1),
                                             NARROW_NAME_MIN_CHARS)
                               : -1);
  /* and a testnet identity's name is itself the badge */
  gtk_widget_set_visible (self->testnet_badge,
                          !narrow && identity && rein_identity_get_testnet (identity));
  if (narrow && identity && rein_identity_get_testnet (identity))
    gtk_widget_add_css_class (GTK_WIDGET (self->identity_label), "testnet-badge");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->identity_label), "testnet-badge");
  if (narrow && identity)
    {
      g_autofree gchar *tip = g_strdup_printf (_("%s: Switch or Add Identity"),
                                               rein_identity_get_label (identity));

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->identity_button), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->identity_button),
                                 _("Switch or Add Identity"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync",
                                 main_view && rein_session_get_active_identity (self->session)
                                 && !rein_session_get_syncing (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unlock",
                                 main_view && rein_session_get_active_identity (self->session)
                                 && !rein_session_get_unlocked (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock",
                                 rein_session_get_unlocked (self->session));
}

static void
update_banner (ReinWindow *self)
{
  const gchar *text = NULL, *button = NULL, *action = NULL;
  g_autofree gchar *owned = NULL;
  /* the servers the last sync failed to, as the store keeps them: they
   * stay across a restart and an identity switch (an identity never
   * synced is told to publish first) */
  guint total = 0;
  g_auto (GStrv) failed_servers = rein_session_dup_failed_servers (self->session, &total);
  guint failed = rein_session_get_last_sync (self->session) != 0 ? g_strv_length (failed_servers)
                                                                 : 0;

  if (!has_identity (self)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") == 0)
    ;
  else if (!has_servers (self))
    {
      text = _("No servers yet: add one to publish your documents and see the market.");
      button = _("_Add Server");
      action = "app.preferences";
    }
  else if (self->last_sync_all_failed || (total > 0 && failed >= total))
    {
      text = _("Offline: no server could be reached on the last sync.");
      button = _("_Retry");
      action = "win.sync";
    }
  else if (failed > 0)
    {
      g_autofree gchar *names = g_strjoinv (", ", failed_servers);
      g_autofree gchar *took = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u of %u server took your "
                                                             "documents.",
                                                             "%u of %u servers took your "
                                                             "documents.", total),
                                                total - failed, total);
      g_autofree gchar *which = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Failed: %s",
                                                              "Failed: %s", failed),
                                                 names);

      owned = g_strdup_printf ("%s %s", took, which);
      text = owned;
      button = _("_Details");
      action = "app.preferences";
    }
  else if (rein_session_get_last_sync (self->session) == 0)
    {
      text = _("Not published yet: sync to put your identity on your servers.");
      button = _("_Sync Now");
      action = "win.sync";
    }
  else if (!rein_session_get_unlocked (self->session)
           && rein_session_get_auto_sync_interval (self->session) > 0)
    {
      text = _("Keys are locked: automatic sync only checks the servers until you unlock them.");
      button = _("_Unlock…");
      action = "win.unlock";
    }
  if (text)
    {
      gtk_label_set_text (self->banner_label, text);
      gtk_button_set_label (self->banner_button, button);
      gtk_button_set_use_underline (self->banner_button, TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), action);
    }
  gtk_revealer_set_reveal_child (self->banner_revealer, text != NULL);
  update_header (self);
}

static void update_identity (ReinWindow *self);

/* A rename of the identity the header names shows at once. */
static void
follow_label (ReinWindow *self, ReinIdentity *identity)
{
  if (self->named == identity)
    return;
  if (self->named)
    g_signal_handlers_disconnect_by_func (self->named, update_identity, self);
  g_set_object (&self->named, identity);
  if (identity)
    g_signal_connect_object (identity, "notify::label", G_CALLBACK (update_identity), self,
                             G_CONNECT_SWAPPED);
}

static void
update_identity (ReinWindow *self)
{
  ReinIdentity *identity = rein_session_get_active_identity (self->session);
  g_autofree gchar *a11y = NULL;

  follow_label (self, identity);

  gtk_label_set_text (self->identity_label, identity ? rein_identity_get_label (identity)
                                                     : _("No Identity"));
  a11y = g_strdup_printf (_("Identity: %s"), identity ? rein_identity_get_label (identity)
                                                      : _("none"));
  /* narrow, the badge is only a colour: a screen reader hears it */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->identity_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  identity && rein_identity_get_testnet (identity) ? _("Testnet")
                                                                                   : "",
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->identity_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  /* while another identity is being set up, the header does not name
   * the current one */
  gtk_widget_set_visible (GTK_WIDGET (self->identity_button),
                          identity != NULL
                            && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                          "welcome") != 0);
  update_banner (self);
}

static gboolean refresh_cb (gpointer data);

/* "Synced 5 minutes ago" changes on the minute (counted from the sync):
 * the next refresh is due then. */
static void
schedule_refresh (ReinWindow *self)
{
  gint64 last = rein_session_get_last_sync (self->session);
  gint64 age_us, due_ms;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (last == 0)
    return;
  age_us = MAX (0, g_get_real_time () - last * G_USEC_PER_SEC);
  due_ms = (60 * G_USEC_PER_SEC - age_us % (60 * G_USEC_PER_SEC)) / 1000 + 100;
  self->refresh_source = g_timeout_add ((guint) due_ms, refresh_cb, self);
}

static void
update_sync (ReinWindow *self)
{
  gboolean syncing = rein_session_get_syncing (self->session);
  g_autofree gchar *last = rein_session_describe_last_sync (self->session);
  const gchar *text = syncing ? _("Syncing…") : last;

  gtk_stack_set_visible_child_name (self->sync_stack, syncing ? "busy" : "idle");
  gtk_spinner_set_spinning (self->sync_spinner, syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_progress), syncing);
  gtk_progress_bar_set_fraction (self->sync_progress,
                                 rein_session_get_sync_fraction (self->session));
  rein_widget_set_tooltip (self->sync_button, text);
  gtk_label_set_text (self->sync_label, text);
  adw_view_switcher_title_set_subtitle (ADW_VIEW_SWITCHER_TITLE (self->switcher_title), text);
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->narrow_title), text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-identity", !syncing);
  schedule_refresh (self);
  update_header (self);
}

static gboolean
refresh_cb (gpointer data)
{
  ReinWindow *self = data;

  self->refresh_source = 0;
  update_sync (self);
  return G_SOURCE_REMOVE;
}

static void
show_main_or_welcome (ReinWindow *self)
{
  gboolean any = has_identity (self);

  /* until the store is read, neither */
  if (!rein_session_get_loaded (self->session))
    {
      gtk_stack_set_visible_child_name (self->main_stack, "loading");
      update_identity (self);
      return;
    }

  rein_welcome_set_can_cancel (self->welcome, any);
  gtk_stack_set_visible_child_name (self->main_stack, any ? "main" : "welcome");
  update_identity (self);
}

/* ---- identities ---- */

static GtkWidget *
create_identity_row (gpointer item, gpointer user_data)
{
  ReinIdentity *identity = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree gchar *target = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              rein_identity_get_id (identity));

  /* renamed here: the row follows */
  g_object_bind_property (identity, "label", row, "title", G_BINDING_SYNC_CREATE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               rein_identity_get_testnet (identity) ? _("Testnet")
                                                                    : rein_identity_get_contact (
                                                                        identity));
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  /* the active one has a check mark (update_checks() moves it) */
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Active"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data_full (G_OBJECT (row), "identity", g_object_ref (identity), g_object_unref);
  gtk_widget_set_visible (check, FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.switch-identity");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", target);
  return row;
}

/* The check mark is on the active identity's row. */
static void
update_checks (ReinWindow *self)
{
  ReinIdentity *active = rein_session_get_active_identity (self->session);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->identity_list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      ReinIdentity *identity = g_object_get_data (G_OBJECT (row), "identity");
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      gboolean is_active = identity && active
                           && rein_identity_get_id (identity) == rein_identity_get_id (active);

      if (check == NULL)
        continue;
      gtk_widget_set_visible (check, is_active);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_CHECKED,
                                   is_active ? GTK_ACCESSIBLE_TRISTATE_TRUE
                                             : GTK_ACCESSIBLE_TRISTATE_FALSE,
                                   -1);
    }
}

static void
identity_deleted_cb (ReinWindow *self, const gchar *name)
{
  g_autofree gchar *text = g_strdup_printf (_("Identity “%s” deleted"), name);

  show_main_or_welcome (self);
  rein_window_show_toast (self, text);
}

static void
identity_details_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);
  ReinIdentity *identity = rein_session_get_active_identity (self->session);
  ReinIdentityPage *page;

  gtk_popover_popdown (self->identity_popover);
  if (identity == NULL)
    return;
  page = rein_identity_page_new (GTK_WINDOW (self), self->session, identity);
  g_signal_connect_object (page, "deleted", G_CALLBACK (identity_deleted_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (page));
}

static void
switch_identity_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);
  GListModel *list = rein_session_get_identities (self->session);
  gint64 id = g_ascii_strtoll (g_variant_get_string (param, NULL), NULL, 10);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (ReinIdentity) identity = g_list_model_get_item (list, i);

      if (rein_identity_get_id (identity) == id)
        {
          g_autofree gchar *text = g_strdup_printf (_("Now using %s"),
                                                    rein_identity_get_label (identity));

          rein_session_set_active_identity (self->session, identity);
          rein_window_show_toast (self, text);
        }
    }
  gtk_popover_popdown (self->identity_popover);
}

void
rein_window_show_welcome (ReinWindow *self)
{
  g_return_if_fail (REIN_IS_WINDOW (self));

  rein_welcome_reset (self->welcome);
  rein_welcome_set_can_cancel (self->welcome, has_identity (self));
  gtk_stack_set_visible_child_name (self->main_stack, "welcome");
  update_identity (self);
}

static void
add_identity_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);

  /* an identity being made cannot be abandoned half way */
  if (rein_welcome_get_busy (self->welcome))
    return;

  gtk_popover_popdown (self->identity_popover);
  rein_window_show_welcome (self);
}

static void
identity_added_cb (ReinWindow *self, ReinIdentity *identity)
{
  g_autofree gchar *text = g_strdup_printf (_("Identity “%s” is ready"),
                                            rein_identity_get_label (identity));

  show_main_or_welcome (self);
  rein_window_show_toast (self, text);
}

static void
welcome_cancelled_cb (ReinWindow *self)
{
  show_main_or_welcome (self);
}

/* ---- my jobs ---- */

/* A refresh brought something that needs me: a notification, unless the
 * user turned them off; clicking it shows My Jobs. */
static void
my_job_attention_cb (ReinWindow *self, ReinMyJob *job, gint event)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GSettings) settings = rein_settings_new_if_installed ();
  g_autoptr (GNotification) notification = NULL;
  g_autofree gchar *id = NULL;
  const gchar *name = rein_my_job_get_name (job) != NULL ? rein_my_job_get_name (job) : "";
  const gchar *title;

  if (app == NULL || (settings != NULL && !g_settings_get_boolean (settings, "notifications")))
    return;
  switch ((ReinMyJobEvent) event)
    {
    case REIN_MY_JOB_EVENT_BID:
      title = _("A new bid on your job");
      break;
    case REIN_MY_JOB_EVENT_AWARDED:
      title = _("Your bid was accepted");
      break;
    case REIN_MY_JOB_EVENT_DELIVERED:
      title = _("The work on your job was delivered");
      break;
    case REIN_MY_JOB_EVENT_DISPUTED:
      title = _("A job was disputed");
      break;
    case REIN_MY_JOB_EVENT_RESOLVED:
      title = _("The mediator resolved a dispute");
      break;
    case REIN_MY_JOB_EVENT_ACCEPTED:
      title = _("Your work was accepted");
      break;
    default:
      return;
    }
  notification = g_notification_new (title);
  g_notification_set_body (notification, name);
  g_notification_set_default_action_and_target (notification, "app.show-job", "s",
                                                rein_my_job_get_job_id (job));
  id = g_strdup_printf ("my-job-%s", rein_my_job_get_job_id (job));
  g_application_send_notification (app, id, notification);
}

/* ---- sync ---- */

/* The market view refreshes itself (its "market.refresh" action knows
 * when it may); the window says when: at start, after a sync, after an
 * identity switch. Without servers there is nothing to ask. */
static void
refresh_market (ReinWindow *self)
{
  if (has_servers (self))
    {
      gtk_widget_activate_action (GTK_WIDGET (self->market_view), "market.refresh", NULL);
      gtk_widget_activate_action (GTK_WIDGET (self->my_jobs_view), "my-jobs.refresh", NULL);
    }
}

static void
unlocked_for_sync_cb (ReinWindow *self, gpointer key)
{
  self->manual_sync = TRUE;
  rein_session_sync (self->session, key);
}

/* One dialog from the Sync button and from the banner: it asks how long the
 * keys stay open (and remembers the answer), and a sync runs now. */
static void
present_unlock (ReinWindow *self)
{
  ReinUnlockDialog *dialog = rein_unlock_dialog_new (GTK_WINDOW (self), self->session,
                                                     _("Syncing signs your documents with "
                                                       "your delegate key."));

  g_signal_connect_object (dialog, "unlocked", G_CALLBACK (unlocked_for_sync_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "win.toast" with a sentence: how views inside the window show one. */
static void
toast_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_window_show_toast (REIN_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* "win.refresh-my-jobs": something I signed in the market (a bid, a
 * job) makes or changes one of my jobs. */
static void
refresh_my_jobs_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_widget_activate_action (GTK_WIDGET (REIN_WINDOW (widget)->my_jobs_view), "my-jobs.refresh",
                              NULL);
}

/* Alt+1 and Alt+2: the market and my jobs, as the view switcher shows
 * them (not while setting up an identity, where there are no views). */
static void
show_view_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);
  const gchar *view = g_variant_get_string (param, NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") != 0
      || adw_view_stack_get_child_by_name (self->view_stack, view) == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, view);
}

static void
sync_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);

  if (rein_session_get_syncing (self->session))
    return;
  if (!has_servers (self))
    {
      rein_window_show_toast (self, _("Add a server first, in Preferences"));
      return;
    }
  /* unlocked earlier in this session: no need to ask again */
  if (rein_session_get_unlocked (self->session))
    {
      self->manual_sync = TRUE;
      rein_session_sync_unlocked (self->session);
      return;
    }
  present_unlock (self);
}

/* From the locked-keys banner: the same dialog as Sync's. */
static void
unlock_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);

  if (rein_session_get_unlocked (self->session) || rein_session_get_syncing (self->session))
    return;
  present_unlock (self);
}

static void
lock_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);

  if (!rein_session_get_unlocked (self->session))
    return;
  rein_session_lock (self->session);
  rein_window_show_toast (self, _("Keys locked"));
}

static void
sync_finished_cb (ReinWindow *self, guint failed, const gchar *first_error)
{
  guint total = g_list_model_get_n_items (rein_session_get_servers (self->session));
  g_autofree gchar *text = NULL;

  self->last_sync_all_failed = total > 0 && failed >= total;
  /* Automatic syncs stay quiet: the header and the banners tell. A sync
   * that some servers failed is said once, in the header ("Synced with 1
   * of 2 servers") with the banner naming them: no toast. */
  if (self->manual_sync && (failed == 0 || self->last_sync_all_failed))
    {
      if (failed == 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced with %u server",
                                             "Synced with %u servers", total), total);
      else
        text = g_strdup (total == 1 ? _("Sync failed: the server could not be reached")
                                    : _("Sync failed: no server could be reached"));
      rein_window_show_toast (self, text);
    }
  self->manual_sync = FALSE;
  update_sync (self);
  update_banner (self);
  /* What the servers have may have changed since the last look. */
  refresh_market (self);
}

/* ---- automatic sync ---- */

/* "auto-sync-interval" is in minutes; the session counts seconds. */
static void
interval_changed_cb (ReinWindow *self)
{
  guint minutes = self->settings ? g_settings_get_uint (self->settings, "auto-sync-interval")
                                 : 15;

  rein_session_set_auto_sync_interval (self->session, minutes * 60);
  update_banner (self);
}

/* ---- window state ---- */

static gboolean
rein_window_close_request (GtkWindow *window)
{
  ReinWindow *self = REIN_WINDOW (window);

  if (self->settings)
    {
      int width = 0, height = 0;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }
  rein_session_cancel_sync (self->session);
  /* quitting: the keys do not outlive the window */
  rein_session_lock (self->session);
  return GTK_WINDOW_CLASS (rein_window_parent_class)->close_request (window);
}

static void
rein_window_dispose (GObject *object)
{
  ReinWindow *self = (ReinWindow *) object;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->header_idle, g_source_remove);
  if (self->session)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (rein_session_get_identities (self->session), self);
    }
  /* The context outlives the window: a refresh of My Jobs that ends
   * later must not reach the window's widgets, gone by then. */
  if (self->context)
    g_signal_handlers_disconnect_by_data (rein_context_get_my_jobs (self->context), self);
  /* the settings outlive the window: no header update after this */
  g_signal_handlers_disconnect_by_func (gtk_widget_get_settings (GTK_WIDGET (self)),
                                        update_header, self);
  g_clear_object (&self->session);
  follow_label (self, NULL);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_WINDOW);
  /* whichever title is not in the header is ours */
  g_clear_object (&self->narrow_title);
  g_clear_object (&self->wide_title);

  G_OBJECT_CLASS (rein_window_parent_class)->dispose (object);
}

static gboolean
header_idle_cb (gpointer data)
{
  ReinWindow *self = data;

  self->header_idle = 0;
  update_header (self);
  return G_SOURCE_REMOVE;
}

/* Widgets shown or hidden during an allocation would miss theirs: the
 * change waits for an idle. */
static void
rein_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  ReinWindow *self = REIN_WINDOW (widget);
  gboolean crossed = (width < NAME_MIN_WIDTH) != (self->width < NAME_MIN_WIDTH)
                     || (width < SYNC_LABEL_MIN_WIDTH) != (self->width < SYNC_LABEL_MIN_WIDTH)
                     || self->width == 0;

  GTK_WIDGET_CLASS (rein_window_parent_class)->size_allocate (widget, width, height, baseline);
  self->width = width;
  /* at the default priority: a low idle waits behind every answer of a
   * long read (My Jobs reading hundreds of jobs), and the header would
   * keep its wide layout meanwhile */
  if (crossed && self->header_idle == 0)
    self->header_idle = g_idle_add_full (G_PRIORITY_DEFAULT, header_idle_cb, self, NULL);
}

static void
rein_window_class_init (ReinWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rein_window_dispose;
  window_class->close_request = rein_window_close_request;
  widget_class->size_allocate = rein_window_size_allocate;

  g_type_ensure (REIN_TYPE_WELCOME);
  g_type_ensure (REIN_TYPE_MARKET_VIEW);
  g_type_ensure (REIN_TYPE_MY_JOBS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinWindow, name)
  BIND (toast_overlay);
  BIND (identity_button);
  BIND (identity_popover);
  BIND (identity_list);
  BIND (identity_label);
  BIND (identity_icon);
  BIND (switcher_bar);
  BIND (header_bar);
  BIND (testnet_badge);
  BIND (sync_button);
  BIND (sync_stack);
  BIND (sync_spinner);
  BIND (sync_progress);
  BIND (sync_label);
  BIND (banner_revealer);
  BIND (banner_label);
  BIND (banner_button);
  BIND (main_stack);
  BIND (switcher_title);
  BIND (welcome_bin);
  BIND (view_stack);
  BIND (market_view);
  BIND (my_jobs_view);
#undef BIND

  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-my-jobs", NULL,
                                   refresh_my_jobs_action);
  gtk_widget_class_install_action (widget_class, "win.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "win.add-identity", NULL, add_identity_action);
  gtk_widget_class_install_action (widget_class, "win.identity-details", NULL,
                                   identity_details_action);
  gtk_widget_class_install_action (widget_class, "win.switch-identity", "s",
                                   switch_identity_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-identity", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-view",
                                       "s", "market");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-view",
                                       "s", "my-jobs");
}

static void
title_visible_cb (ReinWindow *self)
{
  update_header (self);
}

/* Our icon and styles, once per display. */
static void
load_theme (GdkDisplay *display)
{
  g_autoptr (GtkCssProvider) css = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "rein-theme-loaded"))
    return;
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    "/org/reinproject/Rein/icons");
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/reinproject/Rein/rein.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data (G_OBJECT (display), "rein-theme-loaded", GINT_TO_POINTER (1));
}

static void
rein_window_init (ReinWindow *self)
{
  load_theme (gdk_display_get_default ());
  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  self->wide_title = g_object_ref (self->switcher_title);
  /* narrow, the title is the last sync alone (the name is beside it) */
  self->narrow_title = g_object_ref_sink (adw_window_title_new ("", NULL));
  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)),
                           "notify::gtk-decoration-layout", G_CALLBACK (update_header), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->switcher_title, "notify::title-visible",
                            G_CALLBACK (title_visible_cb), self);

  /* Run from the build tree without the schema, the window simply does
   * not remember its size. */
  self->settings = rein_settings_new_if_installed ();
  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1000, 700);
}

static void
loaded_cb (ReinWindow *self)
{
  show_main_or_welcome (self);
  rein_session_check_servers (self->session);
  /* The market shows the saved jobs at once; a refresh brings news. */
  refresh_market (self);
}

ReinWindow *
rein_window_new (GtkApplication *application, ReinContext *context)
{
  ReinWindow *self;
  ReinSession *session;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_new (REIN_TYPE_WINDOW, "application", application, NULL);
  self->context = g_object_ref (context);
  session = rein_context_get_session (context);
  self->session = g_object_ref (session);
  rein_market_view_set_context (self->market_view, context);
  rein_my_jobs_view_set_context (self->my_jobs_view, context);
  g_signal_connect_object (rein_context_get_my_jobs (context), "attention",
                           G_CALLBACK (my_job_attention_cb), self, G_CONNECT_SWAPPED);
  /* "escrow funded", whether the job's page is open or not */
  if (application != NULL)
    rein_escrow_funding_notify_all (context, G_APPLICATION (application));
  self->welcome = rein_welcome_new (session);
  adw_bin_set_child (self->welcome_bin, GTK_WIDGET (self->welcome));
  g_signal_connect_object (self->welcome, "identity-added", G_CALLBACK (identity_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->welcome, "cancelled", G_CALLBACK (welcome_cancelled_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_list_box_bind_model (self->identity_list, rein_session_get_identities (session),
                           create_identity_row, NULL, NULL);
  g_signal_connect_object (rein_session_get_identities (session), "items-changed",
                           G_CALLBACK (update_checks), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_swapped (session, "notify::active-identity", G_CALLBACK (update_checks),
                            self);
  g_signal_connect_swapped (session, "notify::active-identity", G_CALLBACK (update_identity),
                            self);
  g_signal_connect_swapped (session, "notify::syncing", G_CALLBACK (update_sync), self);
  g_signal_connect_swapped (session, "notify::sync-fraction", G_CALLBACK (update_sync), self);
  g_signal_connect_swapped (session, "sync-finished", G_CALLBACK (sync_finished_cb), self);
  /* locked keys: the timer only reads, and My Jobs follows it */
  g_signal_connect_swapped (session, "read-due", G_CALLBACK (refresh_market), self);
  g_signal_connect_swapped (session, "notify::last-sync", G_CALLBACK (update_sync), self);
  g_signal_connect_swapped (session, "notify::last-sync", G_CALLBACK (update_banner), self);
  g_signal_connect_swapped (session, "notify::active-identity",
                            G_CALLBACK (update_banner), self);
  g_signal_connect_swapped (session, "notify::unlocked", G_CALLBACK (update_banner), self);
  g_signal_connect_swapped (session, "notify::auto-sync-interval", G_CALLBACK (update_banner),
                            self);
  g_signal_connect_swapped (session, "notify::loaded", G_CALLBACK (loaded_cb), self);
  g_signal_connect_object (rein_session_get_servers (session), "items-changed",
                           G_CALLBACK (update_banner), self, G_CONNECT_SWAPPED);

  show_main_or_welcome (self);
  update_checks (self);
  update_sync (self);
  if (self->settings)
    g_signal_connect_swapped (self->settings, "changed::auto-sync-interval",
                              G_CALLBACK (interval_changed_cb), self);
  interval_changed_cb (self);
  if (rein_session_get_loaded (session))
    {
      rein_session_check_servers (session);
      refresh_market (self);
    }
  /* Another identity sees the market of its own network, with its role. */
  g_signal_connect_swapped (session, "notify::active-identity", G_CALLBACK (refresh_market),
                            self);
  return self;
}

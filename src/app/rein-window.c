/* rein-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-unlock-dialog.h"
#include "rein-welcome.h"
#include "rein-window.h"

struct _ReinWindow
{
  AdwApplicationWindow parent_instance;

  ReinSession *session;
  ReinWelcome *welcome;
  GSettings *settings;
  guint check_source;
  gboolean last_sync_all_failed;

  AdwToastOverlay *toast_overlay;
  GtkMenuButton *identity_button;
  GtkPopover *identity_popover;
  GtkListBox *identity_list;
  GtkLabel *identity_label;
  GtkWidget *testnet_badge;
  GtkWidget *sync_button;
  GtkStack *sync_stack;
  GtkSpinner *sync_spinner;
  GtkProgressBar *sync_progress;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkButton *banner_button;
  GtkStack *main_stack;
  GtkWidget *switcher_title;
  AdwBin *welcome_bin;
  AdwViewStack *view_stack;
};

G_DEFINE_FINAL_TYPE (ReinWindow, rein_window, ADW_TYPE_APPLICATION_WINDOW)

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

/* The view switcher and sync belong to the main view, not to the setup. */
static void
update_header (ReinWindow *self)
{
  gboolean main_view = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                  "main") == 0;

  gtk_widget_set_visible (self->switcher_title, main_view);
  gtk_widget_set_visible (self->sync_button, main_view);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync",
                                 main_view && rein_session_get_active_identity (self->session)
                                 && !rein_session_get_syncing (self->session));
}

static void
update_banner (ReinWindow *self)
{
  const gchar *text = NULL, *button = NULL, *action = NULL;

  if (!has_identity (self)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") == 0)
    ;
  else if (!has_servers (self))
    {
      text = _("No servers yet: add one to publish your documents and see the market.");
      button = _("_Add Server");
      action = "app.preferences";
    }
  else if (self->last_sync_all_failed)
    {
      text = _("Offline: no server could be reached on the last sync.");
      button = _("_Retry");
      action = "win.sync";
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

static void
update_identity (ReinWindow *self)
{
  ReinIdentity *identity = rein_session_get_active_identity (self->session);
  g_autofree gchar *a11y = NULL;

  gtk_label_set_text (self->identity_label, identity ? rein_identity_get_name (identity)
                                                     : _("No Identity"));
  gtk_widget_set_visible (self->testnet_badge, identity && rein_identity_get_testnet (identity));
  a11y = g_strdup_printf (_("Identity: %s"), identity ? rein_identity_get_name (identity)
                                                      : _("none"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->identity_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->identity_button), identity != NULL);
  update_banner (self);
}

static void
update_sync (ReinWindow *self)
{
  gboolean syncing = rein_session_get_syncing (self->session);
  g_autofree gchar *last = rein_session_describe_last_sync (self->session);

  gtk_stack_set_visible_child_name (self->sync_stack, syncing ? "busy" : "idle");
  gtk_spinner_set_spinning (self->sync_spinner, syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_progress), syncing);
  gtk_progress_bar_set_fraction (self->sync_progress,
                                 rein_session_get_sync_fraction (self->session));
  gtk_widget_set_tooltip_text (self->sync_button, syncing ? _("Syncing…") : last);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-identity", !syncing);
  update_header (self);
}

static void
show_main_or_welcome (ReinWindow *self)
{
  gboolean any = has_identity (self);

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

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rein_identity_get_name (identity));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               rein_identity_get_testnet (identity) ? _("Testnet")
                                                                    : rein_identity_get_contact (
                                                                        identity));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.switch-identity");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", target);
  return row;
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
                                                    rein_identity_get_name (identity));

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
  update_banner (self);
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
                                            rein_identity_get_name (identity));

  show_main_or_welcome (self);
  rein_window_show_toast (self, text);
}

static void
welcome_cancelled_cb (ReinWindow *self)
{
  show_main_or_welcome (self);
}

/* ---- sync ---- */

static void
unlocked_for_sync_cb (ReinWindow *self, gpointer key)
{
  rein_session_sync (self->session, key);
}

static void
sync_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWindow *self = REIN_WINDOW (widget);
  ReinUnlockDialog *dialog;

  if (rein_session_get_syncing (self->session))
    return;
  if (!has_servers (self))
    {
      rein_window_show_toast (self, _("Add a server first, in Preferences"));
      return;
    }
  dialog = rein_unlock_dialog_new (GTK_WINDOW (self), self->session,
                                   _("Syncing signs your uploads with your delegate key."));
  g_signal_connect_object (dialog, "unlocked", G_CALLBACK (unlocked_for_sync_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sync_finished_cb (ReinWindow *self, guint failed, const gchar *first_error)
{
  guint total = g_list_model_get_n_items (rein_session_get_servers (self->session));
  g_autofree gchar *text = NULL;

  self->last_sync_all_failed = total > 0 && failed == total;
  if (failed == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced with %u server",
                                         "Synced with %u servers", total), total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u servers failed: %s",
                                         "%u of %u servers failed: %s", total),
                            failed, total, first_error ? first_error : "");
  rein_window_show_toast (self, text);
  update_sync (self);
  update_banner (self);
}

/* ---- automatic checks ---- */

static gboolean
periodic_check_cb (gpointer data)
{
  ReinWindow *self = data;

  rein_session_check_servers (self->session);
  return G_SOURCE_CONTINUE;
}

/* Every "auto-sync-interval" minutes the servers' health is refreshed.
 * Publishing needs the keys, so it waits for the user's Sync (Ctrl+R). */
static void
schedule_checks (ReinWindow *self)
{
  guint minutes = self->settings ? g_settings_get_uint (self->settings, "auto-sync-interval")
                                 : 15;

  g_clear_handle_id (&self->check_source, g_source_remove);
  if (minutes > 0)
    self->check_source = g_timeout_add_seconds (minutes * 60, periodic_check_cb, self);
}

/* ---- window state ---- */

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* Run from the build tree without the schema, the window simply does
   * not remember its size. */
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, "org.reinproject.Rein", TRUE);
  return schema ? g_settings_new ("org.reinproject.Rein") : NULL;
}

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
  return GTK_WINDOW_CLASS (rein_window_parent_class)->close_request (window);
}

static void
rein_window_dispose (GObject *object)
{
  ReinWindow *self = (ReinWindow *) object;

  g_clear_handle_id (&self->check_source, g_source_remove);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_WINDOW);

  G_OBJECT_CLASS (rein_window_parent_class)->dispose (object);
}

static void
rein_window_class_init (ReinWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rein_window_dispose;
  window_class->close_request = rein_window_close_request;

  g_type_ensure (REIN_TYPE_WELCOME);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinWindow, name)
  BIND (toast_overlay);
  BIND (identity_button);
  BIND (identity_popover);
  BIND (identity_list);
  BIND (identity_label);
  BIND (testnet_badge);
  BIND (sync_button);
  BIND (sync_stack);
  BIND (sync_spinner);
  BIND (sync_progress);
  BIND (banner_revealer);
  BIND (banner_label);
  BIND (banner_button);
  BIND (main_stack);
  BIND (switcher_title);
  BIND (welcome_bin);
  BIND (view_stack);
#undef BIND

  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.add-identity", NULL, add_identity_action);
  gtk_widget_class_install_action (widget_class, "win.switch-identity", "s",
                                   switch_identity_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-identity", NULL);
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

  self->settings = settings_if_installed ();
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

ReinWindow *
rein_window_new (GtkApplication *application, ReinSession *session)
{
  ReinWindow *self;

  g_return_val_if_fail (REIN_IS_SESSION (session), NULL);

  self = g_object_new (REIN_TYPE_WINDOW, "application", application, NULL);
  self->session = g_object_ref (session);
  self->welcome = rein_welcome_new (session);
  adw_bin_set_child (self->welcome_bin, GTK_WIDGET (self->welcome));
  g_signal_connect_object (self->welcome, "identity-added", G_CALLBACK (identity_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->welcome, "cancelled", G_CALLBACK (welcome_cancelled_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_list_box_bind_model (self->identity_list, rein_session_get_identities (session),
                           create_identity_row, NULL, NULL);
  g_signal_connect_swapped (session, "notify::active-identity", G_CALLBACK (update_identity),
                            self);
  g_signal_connect_swapped (session, "notify::syncing", G_CALLBACK (update_sync), self);
  g_signal_connect_swapped (session, "notify::sync-fraction", G_CALLBACK (update_sync), self);
  g_signal_connect_swapped (session, "sync-finished", G_CALLBACK (sync_finished_cb), self);
  g_signal_connect_object (rein_session_get_servers (session), "items-changed",
                           G_CALLBACK (update_banner), self, G_CONNECT_SWAPPED);

  show_main_or_welcome (self);
  update_sync (self);
  if (self->settings)
    g_signal_connect_swapped (self->settings, "changed::auto-sync-interval",
                              G_CALLBACK (schedule_checks), self);
  schedule_checks (self);
  rein_session_check_servers (session);
  return self;
}

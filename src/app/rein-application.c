/* rein-application.c: the Rein application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-application.h"
#include "rein-preferences.h"
#include "rein-context.h"
#include "rein-window.h"

struct _ReinApplication
{
  AdwApplication parent_instance;

  gchar *data_dir;
  ReinContext *context;
  /* the first window, while it waits for the session's first read */
  guint window_wait;
};

/* The first window waits for the session's first read of the store (a
 * worker's few milliseconds; at most this long): that read names the
 * identity whose market is read next, and the market's rows (a hundred
 * thousand take most of a second) are then read while the window is
 * built, not after it. */
#define WINDOW_WAIT_MS 250

G_DEFINE_FINAL_TYPE (ReinApplication, rein_application, ADW_TYPE_APPLICATION)

static GtkWindow *
active_window (ReinApplication *self)
{
  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

static void
report_fatal (ReinApplication *self, const gchar *message)
{
  GtkWidget *dialog = adw_message_dialog_new (NULL, _("Rein Cannot Start"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
present_first_window (ReinApplication *self)
{
  ReinWindow *window;

  /* from the timeout (its source is gone) or the session's signal */
  if (self->window_wait == 0)
    return;
  if (g_main_current_source () != NULL
      && g_source_get_id (g_main_current_source ()) == self->window_wait)
    self->window_wait = 0;
  else
    g_clear_handle_id (&self->window_wait, g_source_remove);
  g_signal_handlers_disconnect_by_func (rein_context_get_session (self->context),
                                        present_first_window, self);
  window = rein_window_new (GTK_APPLICATION (self), self->context);
  gtk_window_present (GTK_WINDOW (window));
  g_application_release (G_APPLICATION (self));
}

static void
rein_application_activate (GApplication *app)
{
  ReinApplication *self = REIN_APPLICATION (app);
  g_autoptr (GError) error = NULL;
  ReinSession *session;
  ReinWindow *window;

  if (active_window (self))
    {
      gtk_window_present (active_window (self));
      return;
    }
  if (self->context == NULL)
    {
      g_autofree gchar *dir = self->data_dir ? g_strdup (self->data_dir)
                                             : rein_store_default_dir ();
      g_autoptr (ReinStore) store = rein_store_open (dir, &error);

      if (store == NULL)
        {
          g_autofree gchar *msg = g_strdup_printf (_("The data in %s could not be opened: %s"),
                                                   dir, error->message);

          report_fatal (self, msg);
          return;
        }
      self->context = rein_context_new (store);
      session = rein_context_get_session (self->context);
      if (!rein_session_get_loaded (session))
        {
          g_application_hold (app);
          g_signal_connect_swapped (session, "notify::loaded", G_CALLBACK (present_first_window),
                                    self);
          self->window_wait = g_timeout_add_once (WINDOW_WAIT_MS,
                                                  (GSourceOnceFunc) present_first_window, self);
          return;
        }
    }
  if (self->window_wait != 0)
    return; /* it comes */
  window = rein_window_new (GTK_APPLICATION (app), self->context);
  gtk_window_present (GTK_WINDOW (window));
}

/* Whether @data_dir (NULL: REIN_DATA_DIR, or the usual one) is the
 * usual data folder. */
static gboolean
is_default_dir (const gchar *data_dir)
{
  g_autofree gchar *usual = g_build_filename (g_get_user_data_dir (), "rein", NULL);
  g_autofree gchar *chosen = data_dir != NULL ? g_strdup (data_dir) : rein_store_default_dir ();
  g_autofree gchar *a = g_canonicalize_filename (usual, NULL);
  g_autofree gchar *b = g_canonicalize_filename (chosen, NULL);

  return g_strcmp0 (a, b) == 0;
}

gchar *
rein_application_id_for_dir (const gchar *data_dir)
{
  g_autofree gchar *chosen = data_dir != NULL ? g_strdup (data_dir) : rein_store_default_dir ();
  g_autofree gchar *path = g_canonicalize_filename (chosen, NULL);
  g_autofree gchar *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);

  /* an ID element may not start with a digit */
  return g_strdup_printf ("org.reinproject.Rein.Folder_%.16s", digest);
}

static gint
rein_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  ReinApplication *self = REIN_APPLICATION (app);
  const gchar *dir = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("rein %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &dir))
    self->data_dir = g_strdup (dir);
  /* One app per data folder: another person's (another --data-dir or
   * REIN_DATA_DIR) runs beside the usual one instead of raising its
   * window, and is itself unique: a second start on that folder raises
   * it (two apps on one store would both tell each event), and its
   * notifications come back to it. Its own application ID says so.
   * (Not yet registered: the ID may still change.) */
  if (!is_default_dir (self->data_dir))
    {
      g_autofree gchar *id = rein_application_id_for_dir (self->data_dir);

      g_application_set_application_id (app, id);
    }
  return -1;
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ReinApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the windows runs their close handlers (size saved, sync
   * cancelled) before the app quits. */
  for (GList *l = g_list_copy (windows); l; l = g_list_delete_link (l, l))
    gtk_window_close (l->data);
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ReinApplication *self = user_data;
  ReinPreferences *prefs;

  if (self->context == NULL)
    return;
  prefs = rein_preferences_new (active_window (self), rein_context_get_session (self->context));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ReinApplication *self = user_data;
  static const gchar *const developers[] = {
    "Rein Desktop contributors https://github.com/ReinProject/rein",
    NULL,
  };
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", active_window (self),
                                   "application-name", _("Rein"),
                                   "application-icon", "org.reinproject.Rein",
                                   "developer-name", _("Rein Desktop contributors"),
                                   "version", PACKAGE_VERSION,
                                   "website", "https://reinproject.org",
                                   "issue-url", "https://github.com/ReinProject/rein/issues",
                                   "comments", _("A decentralized market for freelance work "
                                                 "paid in Bitcoin"),
                                   "copyright", _("© 2026 Rein Desktop contributors"),
                                   "license-type", GTK_LICENSE_GPL_3_0,
                                   "developers", developers,
                                   "translator-credits", _("translator-credits"),
                                   NULL);

  gtk_window_present (GTK_WINDOW (about));
}

/* From a notification about one of my jobs: the window, on My Jobs. */
static void
show_my_jobs_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ReinApplication *self = user_data;
  GtkWindow *window = active_window (self);

  if (window == NULL)
    return;
  if (REIN_IS_WINDOW (window))
    rein_window_show_my_jobs (REIN_WINDOW (window));
  gtk_window_present (window);
}

/* From a notification about one of my jobs: the window, on that job. */
static void
show_job_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ReinApplication *self = user_data;
  GtkWindow *window = active_window (self);

  if (window == NULL)
    return;
  if (REIN_IS_WINDOW (window))
    rein_window_show_job (REIN_WINDOW (window), g_variant_get_string (param, NULL));
  gtk_window_present (window);
}

static void
rein_application_startup (GApplication *app)
{
  ReinApplication *self = REIN_APPLICATION (app);
  static const GActionEntry entries[] = {
    { "quit", quit_action },
    { "preferences", preferences_action },
    { "about", about_action },
    { "show-my-jobs", show_my_jobs_action },
    { "show-job", show_job_action, "s" },
  };
  static const gchar *const quit_accels[] = { "<Control>q", NULL };
  static const gchar *const prefs_accels[] = { "<Control>comma", NULL };
  static const gchar *const help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (rein_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
}

static void
rein_application_finalize (GObject *object)
{
  ReinApplication *self = (ReinApplication *) object;

  if (self->window_wait != 0 && self->context != NULL)
    g_signal_handlers_disconnect_by_func (rein_context_get_session (self->context),
                                          present_first_window, self);
  g_clear_handle_id (&self->window_wait, g_source_remove);
  g_clear_object (&self->context);
  g_free (self->data_dir);

  G_OBJECT_CLASS (rein_application_parent_class)->finalize (object);
}

static void
rein_application_class_init (ReinApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = rein_application_finalize;
  app_class->activate = rein_application_activate;
  app_class->startup = rein_application_startup;
  app_class->handle_local_options = rein_application_handle_local_options;
}

static void
rein_application_init (ReinApplication *self)
{
  static const GOptionEntry options[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Keep Rein's data in DIR (also REIN_DATA_DIR)"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

ReinApplication *
rein_application_new (void)
{
  return g_object_new (REIN_TYPE_APPLICATION,
                       "application-id", "org.reinproject.Rein",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/reinproject/Rein",
                       NULL);
}

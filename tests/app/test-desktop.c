/* test-desktop.c: the real application object on a desktop: the About
 * window, the Keyboard Shortcuts window, dark mode, the setup at 360 px
 * wide, and the screenshots the AppStream metainfo shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <adwaita.h>

#include "app-test-util.h"
#include "rein-application.h"
#include "rein-preferences.h"
#include "rein-test-util.h"
#include "rein-welcome.h"
#include "rein-window.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery"

static ReinApplication *app;
static gchar *data_dir;
static gdouble light_luminance = -1;

/* Mean luminance of @texture, 0 (black) to 255 (white). */
static gdouble
luminance (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  gdouble sum = 0;

  /* GDK_MEMORY_DEFAULT: B8G8R8A8 premultiplied on little endian */
  gdk_texture_download (texture, data, stride);
  for (gsize i = 0; i < stride * height; i += 4)
    sum += 0.0722 * data[i] + 0.7152 * data[i + 1] + 0.2126 * data[i + 2];
  return sum / ((gdouble) width * height);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *list = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (list, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static ReinWindow *
app_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (REIN_IS_WINDOW (window));
  return REIN_WINDOW (window);
}

static AdwAboutWindow *
open_about (void)
{
  AdwAboutWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  app_test_iterate (300);
  about = ADW_ABOUT_WINDOW (find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_assert_nonnull (about);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about))
                 == GTK_WINDOW (app_window ()));
  return about;
}

/* ---- About ---- */

static void
test_about (void)
{
  AdwAboutWindow *about = open_about ();
  const gchar *const *developers = adw_about_window_get_developers (about);

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Rein");
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==,
                   g_application_get_application_id (G_APPLICATION (app)));
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, "0.1.0");
  /* GTK_LICENSE_GPL_3_0 is "version 3 or later" (GPL_3_0_ONLY is not) */
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://reinproject.org");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==,
                   "https://github.com/ReinProject/rein/issues");
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "Rein Desktop contributors");
  g_assert_nonnull (strstr (adw_about_window_get_copyright (about), "Rein Desktop contributors"));
  g_assert_nonnull (developers);
  g_assert_nonnull (developers[0]);
  for (guint i = 0; developers[i]; i++)
    g_assert_null (strstr (developers[i], "The Rein Desktop developers"));
  app_test_screenshot (GTK_WIDGET (about), "70-about");
  gtk_window_destroy (GTK_WINDOW (about));
  app_test_iterate (50);
}

/* ---- Keyboard shortcuts ---- */

typedef struct
{
  gchar *title;
  gchar *accelerator;
  gchar *action_name;
} Listed;

static void
listed_free (Listed *l)
{
  g_free (l->title);
  g_free (l->accelerator);
  g_free (l->action_name);
  g_free (l);
}

static void
collect_shortcuts (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      Listed *l = g_new0 (Listed, 1);

      g_object_get (widget, "title", &l->title, "accelerator", &l->accelerator, "action-name",
                    &l->action_name, NULL);
      g_ptr_array_add (out, l);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_shortcuts (c, out);
}

static Listed *
listed_by_title (GPtrArray *listed, const gchar *title)
{
  for (guint i = 0; i < listed->len; i++)
    if (g_strcmp0 (((Listed *) listed->pdata[i])->title, title) == 0)
      return listed->pdata[i];
  g_error ("The shortcuts window does not list “%s”", title);
  return NULL;
}

/* Whether @widget has a shortcut @accel that activates @action. */
static gboolean
widget_binds (GtkWidget *widget, const gchar *accel, const gchar *action)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autofree gchar *want = g_strdup_printf ("action(%s)", action);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (c)); j++)
        {
          g_autoptr (GtkShortcut) s = g_list_model_get_item (G_LIST_MODEL (c), j);
          g_autofree gchar *t = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (s));
          g_autofree gchar *a = gtk_shortcut_action_to_string (gtk_shortcut_get_action (s));

          if (g_strcmp0 (t, accel) == 0 && g_strcmp0 (a, want) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

static void
assert_app_accel (const gchar *action, const gchar *accel)
{
  g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_nonnull (accels);
  g_assert_true (g_strv_contains ((const gchar *const *) accels, accel));
}

static void
test_shortcuts (void)
{
  ReinWindow *window = app_window ();
  GtkShortcutsWindow *overlay;
  g_autoptr (GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  Listed *l;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  app_test_iterate (300);
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW) == GTK_WINDOW (overlay));
  collect_shortcuts (GTK_WIDGET (overlay), listed);
  g_assert_cmpuint (listed->len, >=, 7);

  /* Ctrl+R syncs: listed, and bound on the window */
  l = listed_by_title (listed, "Sync with servers");
  g_assert_cmpstr (l->accelerator, ==, "<Control>r");
  g_assert_true (widget_binds (GTK_WIDGET (window), "<Control>r", "win.sync"));
  l = listed_by_title (listed, "Add an identity");
  g_assert_cmpstr (l->accelerator, ==, "<Control>n");
  g_assert_true (widget_binds (GTK_WIDGET (window), "<Control>n", "win.add-identity"));

  /* the application's accelerators, shown from the actions */
  l = listed_by_title (listed, "Preferences");
  g_assert_cmpstr (l->action_name, ==, "app.preferences");
  assert_app_accel ("app.preferences", "<Control>comma");
  l = listed_by_title (listed, "Quit");
  g_assert_cmpstr (l->action_name, ==, "app.quit");
  assert_app_accel ("app.quit", "<Control>q");
  l = listed_by_title (listed, "Keyboard shortcuts");
  g_assert_cmpstr (l->action_name, ==, "win.show-help-overlay");
  assert_app_accel ("win.show-help-overlay", "<Control>question");

  /* every listed action exists */
  for (guint i = 0; i < listed->len; i++)
    {
      Listed *s = listed->pdata[i];

      g_assert_true (s->accelerator != NULL || s->action_name != NULL);
      if (s->action_name && g_str_has_prefix (s->action_name, "app."))
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), s->action_name + 4));
      else if (s->action_name && g_str_has_prefix (s->action_name, "win."))
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), s->action_name + 4));
    }
  app_test_screenshot (GTK_WIDGET (overlay), "71-shortcuts");
  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  app_test_iterate (50);
}

/* ---- dark mode ---- */

static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  ReinWindow *window = app_window ();
  GtkStack *main_stack = app_test_child (window, "main_stack");
  g_autoptr (GdkTexture) light = NULL;
  g_autoptr (GdkTexture) dark = NULL;
  g_autoptr (GdkTexture) setup = NULL;
  g_autoptr (GdkTexture) about_dark = NULL;
  AdwAboutWindow *about;

  /* follows the system by default */
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  app_test_iterate (200);
  g_assert_false (adw_style_manager_get_dark (style));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "main");
  light = app_test_screenshot_in (GTK_WIDGET (window), "", "72-main-light");
  light_luminance = luminance (light);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  app_test_iterate (200);
  g_assert_true (adw_style_manager_get_dark (style));
  dark = app_test_screenshot_in (GTK_WIDGET (window), "", "73-main-dark");
  /* the window is drawn dark, not just reported so */
  g_test_message ("luminance: light %.0f, dark %.0f", light_luminance, luminance (dark));
  g_assert_cmpfloat (luminance (dark), <, 100);
  g_assert_cmpfloat (luminance (dark) + 100, <, light_luminance);

  /* the setup, from the main view (Ctrl+N) */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-identity", NULL);
  app_test_iterate (300);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "welcome");
  setup = app_test_screenshot_in (GTK_WIDGET (window), "", "74-setup-dark");
  g_assert_cmpfloat (luminance (setup), <, 100);

  about = open_about ();
  about_dark = app_test_screenshot_in (GTK_WIDGET (about), "", "75-about-dark");
  g_assert_cmpfloat (luminance (about_dark), <, 100);
  gtk_window_destroy (GTK_WINDOW (about));

  /* back to the main view and to the system's choice */
  gtk_widget_activate_action (app_test_find_by_type (GTK_WIDGET (window), REIN_TYPE_WELCOME),
                              "welcome.back", NULL);
  app_test_iterate (300);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "main");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  app_test_iterate (100);
}

/* ---- every setup page at 360 px wide ---- */

#define NARROW 360

static void
set_text (gpointer editable, const gchar *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

/* @data: two widgets; the first is mapped and the second not (a squeezer
 * maps both during its transition). */
static gboolean
first_mapped_only (gpointer data)
{
  GtkWidget **pair = data;

  return gtk_widget_get_mapped (pair[0]) && !gtk_widget_get_mapped (pair[1]);
}

static void
set_phrase (gpointer view, const gchar *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static void
next (ReinWelcome *welcome, const gchar *want_page)
{
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.next", NULL);
  app_test_iterate (150);
  g_assert_cmpstr (rein_welcome_get_page (welcome), ==, want_page);
}

/* The page fits: the window kept its width and nothing in the welcome
 * asks for more. */
static void
assert_fits (ReinWindow *window, ReinWelcome *welcome, const gchar *name)
{
  int min = 0;

  gtk_widget_measure (GTK_WIDGET (welcome), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL,
                      NULL);
  g_test_message ("%s: welcome needs %d px", name, min);
  g_assert_cmpint (min, <=, NARROW);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, NARROW);
  app_test_screenshot (GTK_WIDGET (window), name);
}

static void
test_narrow_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-narrow-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinContext) context = rein_context_new (store);
  ReinSession *session = rein_context_get_session (context);
  ReinWindow *window = rein_window_new (NULL, context);
  ReinWelcome *welcome;
  GtkWidget *wide, *narrow;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autofree gchar *master_address = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_MAINNET); /* secure memory */
  GtkLabel *status;

  g_assert_no_error (error);
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 720);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (300);
  welcome = REIN_WELCOME (app_test_find_by_type (GTK_WIDGET (window), REIN_TYPE_WELCOME));
  g_assert_cmpstr (rein_welcome_get_page (welcome), ==, "choose");
  assert_fits (window, welcome, "80-narrow-choose");

  /* create: details, phrase, confirm, password */
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.create", NULL);
  app_test_iterate (150);
  set_text (app_test_child (welcome, "name_row"), "Alice Narrow");
  set_text (app_test_child (welcome, "contact_row"), "alice@example.com");
  assert_fits (window, welcome, "81-narrow-details");
  next (welcome, "phrase");
  assert_fits (window, welcome, "82-narrow-phrase");
  /* two columns here, three where there is room */
  wide = app_test_child (welcome, "phrase_grid");
  narrow = app_test_child (welcome, "phrase_grid_narrow");
  /* both are mapped while the squeezer settles (late under load) */
  app_test_wait_until (first_mapped_only, (GtkWidget *[]){ narrow, wide },
                       "the two-column phrase", 30);
  g_assert_nonnull (gtk_grid_get_child_at (GTK_GRID (narrow), 1, 5));
  g_assert_null (gtk_grid_get_child_at (GTK_GRID (narrow), 2, 0));
  g_assert_cmpint (gtk_widget_get_width (narrow), <=, NARROW - 24);
  /* and three columns again on a wide window */
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 720);
  /* the new size takes a round trip to the X server: slow under load */
  app_test_wait_until (first_mapped_only, (GtkWidget *[]){ wide, narrow },
                       "the three-column phrase", 30);
  g_assert_true (gtk_widget_get_mapped (wide));
  g_assert_false (gtk_widget_get_mapped (narrow));
  g_assert_nonnull (gtk_grid_get_child_at (GTK_GRID (wide), 2, 3));
  app_test_screenshot (GTK_WIDGET (window), "82-wide-phrase");
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 720);
  app_test_wait_until (first_mapped_only, (GtkWidget *[]){ narrow, wide },
                       "the two-column phrase", 30);
  g_assert_true (gtk_widget_get_mapped (narrow));
  next (welcome, "confirm");
  assert_fits (window, welcome, "83-narrow-confirm");
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.back", NULL);
  app_test_iterate (150);
  g_assert_cmpstr (rein_welcome_get_page (welcome), ==, "choose");

  /* restore, with a phrase whose checksum is wrong */
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.restore", NULL);
  app_test_iterate (150);
  set_phrase (app_test_child (welcome, "restore_view"),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
            "abandon abandon");
  status = app_test_child (welcome, "restore_status");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  assert_fits (window, welcome, "84-narrow-restore-error");
  set_phrase (app_test_child (welcome, "restore_view"),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
            "abandon about");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "success"));
  set_text (app_test_child (welcome, "passphrase_row"), "");
  next (welcome, "details");
  set_text (app_test_child (welcome, "name_row"), "Alice Narrow");
  set_text (app_test_child (welcome, "contact_row"), "alice@example.com");
  next (welcome, "password");
  set_text (app_test_child (welcome, "password_row"), "short");
  assert_fits (window, welcome, "85-narrow-password");
  rein_welcome_reset (welcome);
  app_test_iterate (100);

  /* import keys: keys, details, sign */
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.import-keys", NULL);
  app_test_iterate (150);
  set_text (app_test_child (welcome, "master_row"), master_address);
  set_text (app_test_child (welcome, "wif_row"), wif);
  rein_secure_free (wif);
  assert_fits (window, welcome, "86-narrow-keys");
  next (welcome, "details");
  set_text (app_test_child (welcome, "name_row"), "Alice Narrow");
  set_text (app_test_child (welcome, "contact_row"), "alice@example.com");
  next (welcome, "sign");
  assert_fits (window, welcome, "87-narrow-sign");
  rein_welcome_reset (welcome);
  app_test_iterate (100);

  /* a backup file */
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.import-backup", NULL);
  app_test_iterate (150);
  assert_fits (window, welcome, "88-narrow-backup");

  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  g_clear_object (&context);
  g_clear_object (&store);
  rein_test_remove_tree (dir);
}

/* ---- the screenshots in the AppStream metainfo ---- */

static void
got_result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
sync_finished_cb (ReinSession *session, guint failed, const gchar *first_error, gboolean *synced)
{
  g_assert_cmpstr (first_error, ==, NULL);
  g_assert_cmpuint (failed, ==, 0);
  *synced = TRUE;
}

static gboolean
server_healthy (ReinSession *session)
{
  GListModel *servers = rein_session_get_servers (session);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr (ReinServerInfo) s = g_list_model_get_item (servers, i);

      if (rein_server_info_get_health (s) == REIN_SERVER_HEALTH_OK)
        return TRUE;
    }
  return FALSE;
}

static void
test_metainfo_screenshots (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-shots-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinContext) context = rein_context_new (store);
  ReinSession *session = rein_context_get_session (context);
  ReinWindow *window = rein_window_new (NULL, context);
  ReinPreferences *prefs;
  ReinIdentityParams params = { .name = "Alice", .contact = "alice@example.com" };
  gint64 deadline;

  g_assert_no_error (error);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (300);
  g_object_unref (app_test_screenshot_in (GTK_WIDGET (window), "metainfo", "welcome"));
  app_test_destroy_window (GTK_WINDOW (window));
  g_clear_object (&context);

  /* an identity and a healthy server */
  g_object_unref (rein_store_add_identity_from_mnemonic (
      store, &params,
      "legal winner thank year wave sausage worth useful legal winner thank yellow", NULL,
      PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rein_store_add_server (store, server->url, &error), >, 0);
  g_assert_no_error (error);
  context = rein_context_new (store);
  session = rein_context_get_session (context);
  window = rein_window_new (NULL, context);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (500);
  rein_session_check_servers (session);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!server_healthy (session) && g_get_monotonic_time () < deadline)
    app_test_iterate (50);
  g_assert_true (server_healthy (session));

  /* unlocked and synced: the main view as the user sees it at work */
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (ReinPrivateKey) key = NULL;
    gboolean synced = FALSE;
    gulong handler;

    rein_session_unlock_async (session, PASSWORD, TRUE, NULL, got_result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    key = rein_session_unlock_finish (session, result, &error);
    g_assert_no_error (error);
    handler = g_signal_connect (session, "sync-finished", G_CALLBACK (sync_finished_cb), &synced);
    rein_session_sync (session, key);
    deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (!synced && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (synced);
    g_signal_handler_disconnect (session, handler);
  }
  app_test_iterate (500);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (app_test_child (window, "main_stack")), ==,
                   "main");
  /* (The metainfo's market screenshot comes from test-market.) */
  app_test_screenshot (GTK_WIDGET (window), "desktop-synced");

  prefs = rein_preferences_new (GTK_WINDOW (window), session);
  gtk_window_set_default_size (GTK_WINDOW (prefs), 640, 560);
  gtk_window_present (GTK_WINDOW (prefs));
  app_test_iterate (500);
  g_object_unref (app_test_screenshot_in (GTK_WIDGET (prefs), "metainfo", "servers"));
  app_test_destroy_window (GTK_WINDOW (prefs));
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  g_clear_object (&context);
  g_clear_object (&store);
  test_server_stop (server);
  rein_test_remove_tree (dir);
}

/* The real application, on a store that has an identity: the main view. */
static void
start_app (void)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Dora", .contact = "dora@example.com" };

  {
    g_autoptr (ReinStore) store = rein_store_open (data_dir, &error);
    g_autofree gchar *phrase = NULL;

    g_assert_no_error (error);
    phrase = rein_bip39_generate (128);
    g_object_unref (rein_store_add_identity_from_mnemonic (store, &params, phrase, NULL,
                                                           PASSWORD, &error));
    rein_secure_free (g_steal_pointer (&phrase));
    g_assert_no_error (error);
  }
  app = rein_application_new ();
  /* not the desktop's running instance, if there is one */
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  app_test_iterate (500);
  gtk_window_set_default_size (GTK_WINDOW (app_window ()), 900, 640);
  app_test_iterate (200);
}

static void
stop_app (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  app_test_iterate (200);
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_clear_object (&app);
  rein_test_remove_tree (data_dir);
  g_clear_pointer (&data_dir, g_free);
}

int
main (int argc, char *argv[])
{
  int status;

  /* the environment before any thread starts */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  data_dir = g_dir_make_tmp ("rein-desktop-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  g_setenv ("REIN_DATA_DIR", data_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  rein_secret_set_scrypt_cost (10);

  g_test_add_func ("/app/desktop/about", test_about);
  g_test_add_func ("/app/desktop/shortcuts", test_shortcuts);
  g_test_add_func ("/app/desktop/dark", test_dark);
  g_test_add_func ("/app/desktop/narrow-setup", test_narrow_setup);
  g_test_add_func ("/app/desktop/metainfo-screenshots", test_metainfo_screenshots);

  start_app ();
  status = g_test_run ();
  stop_app ();
  return status;
}

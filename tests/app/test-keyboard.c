/* test-keyboard.c: the identity setup done with the keyboard alone
 *
 * Real key events from the X server (xdotool, XTEST) under Xvfb: the test
 * never clicks and never calls an action itself, it only types.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "app-test-util.h"
#include "rein-welcome.h"
#include "rein-window.h"
#include "rein-test-util.h"

#define PASSWORD "keyboard only please"

static void
waited_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* Runs xdotool while the main loop keeps running, so the app sees each
 * event as it comes. */
static void
xdotool (const gchar *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  gboolean done = FALSE;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const gchar *const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (proc, NULL, waited_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  app_test_iterate (80);
}

static void
key (const gchar *keys)
{
  g_auto (GStrv) split = g_strsplit (keys, " ", -1);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) "key");
  g_ptr_array_add (args, (gpointer) "--delay");
  g_ptr_array_add (args, (gpointer) "40");
  for (guint i = 0; split[i]; i++)
    g_ptr_array_add (args, split[i]);
  g_ptr_array_add (args, NULL);
  xdotool ((const gchar *const *) args->pdata);
}

static void
type (const gchar *text)
{
  const gchar *args[] = { "type", "--delay", "15", text, NULL };

  xdotool (args);
}

static gboolean
wait_cb (gpointer data)
{
  g_error ("timed out: %s", (const gchar *) data);
  return G_SOURCE_REMOVE;
}

static void
wait_for_page (ReinWelcome *welcome, const gchar *want)
{
  guint id = g_timeout_add_seconds (20, wait_cb, (gpointer) want);

  while (g_strcmp0 (rein_welcome_get_page (welcome), want) != 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
test_create_with_keyboard (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-kbd-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinContext) context = rein_context_new (store);
  ReinSession *session = rein_context_get_session (context);
  ReinWindow *window = rein_window_new (NULL, context);
  ReinWelcome *welcome;
  GtkGrid *grid;
  g_auto (GStrv) words = g_new0 (gchar *, 13);
  GtkStack *main_stack = app_test_child (window, "main_stack");
  g_autofree gchar *xdotool_path = g_find_program_in_path ("xdotool");
  guint timeout;

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (500);
  welcome = REIN_WELCOME (app_test_find_by_type (GTK_WIDGET (window), REIN_TYPE_WELCOME));
  grid = app_test_child (welcome, "phrase_grid");

  /* The first row is "Create a New Identity": its mnemonic is Alt+C. */
  key ("alt+c");
  wait_for_page (welcome, "details");
  type ("Kim");
  key ("Tab");
  type ("kim@example.com");
  key ("Return");
  wait_for_page (welcome, "phrase");
  for (guint i = 0; i < 12; i++)
    {
      const gchar *text = gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, i % 3,
                                                                                i / 3)));

      words[i] = g_strdup (strrchr (text, ' ') + 1);
    }
  /* Continue has the focus */
  key ("Return");
  wait_for_page (welcome, "confirm");
  {
    const gchar *ids[] = { "confirm_row1", "confirm_row2", "confirm_row3" };

    for (guint i = 0; i < 3; i++)
      {
        const gchar *title = adw_preferences_row_get_title (app_test_child (welcome, ids[i]));
        guint pos = (guint) g_ascii_strtoull (strchr (title, ' ') + 1, NULL, 10) - 1;

        type (words[pos]);
        key (i < 2 ? "Tab" : "Return");
      }
  }
  wait_for_page (welcome, "password");
  type (PASSWORD);
  /* one Tab to the repeat field: the reveal toggle takes no focus */
  key ("Tab");
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

    g_assert_nonnull (focus);
    g_assert_true (GTK_IS_TEXT (focus));
    g_assert_true (gtk_widget_is_ancestor (focus, app_test_child (welcome, "password2_row")));
  }
  type (PASSWORD);
  key ("Return");

  timeout = g_timeout_add_seconds (20, wait_cb, (gpointer) "identity");
  while (g_list_model_get_n_items (rein_session_get_identities (session)) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  app_test_iterate (200);
  g_assert_cmpstr (rein_identity_get_name (rein_session_get_active_identity (session)), ==, "Kim");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "main");

  /* Alt+2 and Alt+1 switch between my jobs and the market */
  {
    AdwViewStack *views = app_test_child (window, "view_stack");

    g_assert_cmpstr (adw_view_stack_get_visible_child_name (views), ==, "market");
    key ("alt+2");
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (views), ==, "my-jobs");
    key ("alt+1");
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (views), ==, "market");
  }

  /* Ctrl+N adds another identity; Escape goes back */
  key ("ctrl+n");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "welcome");
  key ("Escape");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "main");

  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  app_test_iterate (20);
  gtk_window_destroy (GTK_WINDOW (window));
  app_test_iterate (50);
  g_clear_object (&context);
  g_clear_object (&store);
  rein_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  rein_secret_set_scrypt_cost (10);

  g_test_add_func ("/app/keyboard/create-identity", test_create_with_keyboard);

  return g_test_run ();
}

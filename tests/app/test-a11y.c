/* test-a11y.c: every control the user can reach has an accessible name
 *
 * Walks the widget trees of the main window (with and without an
 * identity), every page of the identity setup, the preferences and the
 * unlock dialog, and checks each control: a label of its own (a button's
 * text, a row's title), or an accessible label or labelled-by relation.
 * libadwaita's and GTK's own internals (the inside of an entry row, of a
 * spin button, window controls) are theirs to name and are skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "app-test-util.h"
#include "rein-preferences.h"
#include "rein-unlock-dialog.h"
#include "rein-welcome.h"
#include "rein-window.h"
#include "rein-test-util.h"

static gboolean
is_control (GtkWidget *w)
{
  return GTK_IS_BUTTON (w) || GTK_IS_MENU_BUTTON (w) || GTK_IS_SWITCH (w)
         || GTK_IS_SPIN_BUTTON (w) || GTK_IS_ENTRY (w) || GTK_IS_TEXT_VIEW (w)
         || GTK_IS_LEVEL_BAR (w) || GTK_IS_LIST_BOX (w) || GTK_IS_PROGRESS_BAR (w)
         || ADW_IS_ENTRY_ROW (w) || ADW_IS_ACTION_ROW (w) || GTK_IS_CHECK_BUTTON (w);
}

/* Subtrees whose insides their toolkit names. */
static gboolean
is_opaque (GtkWidget *w)
{
  return GTK_IS_SPIN_BUTTON (w) || ADW_IS_ENTRY_ROW (w) || GTK_IS_WINDOW_CONTROLS (w)
         || GTK_IS_MENU_BUTTON (w) || ADW_IS_VIEW_SWITCHER_TITLE (w)
         || ADW_IS_VIEW_SWITCHER_BAR (w)
         || GTK_IS_POPOVER_MENU (w) || ADW_IS_ACTION_ROW (w);
}

static gboolean
has_text_child (GtkWidget *w)
{
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && *gtk_label_get_text (GTK_LABEL (c)))
        return TRUE;
      if (has_text_child (c))
        return TRUE;
    }
  return FALSE;
}

/* libadwaita's own widgets that are not ours to label, by their id in its
 * templates: the preferences window's (disabled) search results. */
static const gchar *const adwaita_internals[] = { "search_results", NULL };

static gboolean
has_name (GtkWidget *w)
{
  GtkAccessible *a = GTK_ACCESSIBLE (w);
  const gchar *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));

  if (id && g_strv_contains (adwaita_internals, id))
    return TRUE;

  if (gtk_test_accessible_has_property (a, GTK_ACCESSIBLE_PROPERTY_LABEL)
      || gtk_test_accessible_has_relation (a, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (ADW_IS_PREFERENCES_ROW (w))
    return *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)) != '\0';
  if (GTK_IS_MENU_BUTTON (w))
    return gtk_menu_button_get_label (GTK_MENU_BUTTON (w)) != NULL;
  if (GTK_IS_BUTTON (w) || GTK_IS_CHECK_BUTTON (w))
    return has_text_child (w);
  return FALSE;
}

static guint checked;

static void
check_tree (GtkWidget *w, const gchar *where)
{
  if (is_control (w))
    {
      if (!has_name (w))
        g_error ("%s: a %s (%s) has no accessible name", where, G_OBJECT_TYPE_NAME (w),
                 gtk_buildable_get_buildable_id (GTK_BUILDABLE (w))
                   ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (w))
                   : "no id");
      checked++;
    }
  if (is_opaque (w))
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    check_tree (c, where);
}

static void
test_names (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-a11y-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinContext) context = rein_context_new (store);
  ReinSession *session = rein_context_get_session (context);
  ReinWindow *window = rein_window_new (NULL, context);
  ReinIdentityParams params = { .name = "A", .contact = "a@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  GtkWindow *prefs, *unlock;

  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (100);
  /* every page of the setup is in the tree, shown or not */
  check_tree (GTK_WIDGET (window), "welcome");

  g_object_unref (rein_store_add_identity_from_mnemonic (store, &params, phrase, NULL, "password",
                                                         &error));
  rein_secure_free (phrase);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&context);
  context = rein_context_new (store);
  session = rein_context_get_session (context);
  window = rein_window_new (NULL, context);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (100);
  check_tree (GTK_WIDGET (window), "main window");

  prefs = GTK_WINDOW (rein_preferences_new (GTK_WINDOW (window), session));
  gtk_window_present (prefs);
  app_test_iterate (100);
  check_tree (GTK_WIDGET (prefs), "preferences");

  unlock = GTK_WINDOW (rein_unlock_dialog_new (GTK_WINDOW (window), session, "Test"));
  gtk_window_present (unlock);
  app_test_iterate (100);
  check_tree (GTK_WIDGET (unlock), "unlock dialog");

  g_test_message ("%u controls checked", checked);
  g_assert_cmpuint (checked, >, 40);

  gtk_window_destroy (unlock);
  gtk_window_destroy (prefs);
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

  g_test_add_func ("/app/a11y/names", test_names);

  return g_test_run ();
}

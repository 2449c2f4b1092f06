/* test-lang.c: the app in German, from the catalogue built in this tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "app-test-util.h"
#include "rein-test-util.h"
#include "rein-welcome.h"
#include "rein-window.h"

static void
test_german (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-lang-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinContext) context = rein_context_new (store);
  ReinSession *session = rein_context_get_session (context);
  ReinWindow *window = rein_window_new (NULL, context);
  ReinWelcome *welcome;
  AdwStatusPage *status;
  AdwViewStack *stack;
  ReinIdentityParams params = { .name = "Grete", .contact = "g@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  /* the catalogue itself */
  g_assert_cmpstr (_("Welcome to Rein"), ==, "Willkommen bei Rein");

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (150);

  /* the welcome view, from its .ui */
  welcome = REIN_WELCOME (app_test_find_by_type (GTK_WIDGET (window), REIN_TYPE_WELCOME));
  status = ADW_STATUS_PAGE (app_test_find_by_type (GTK_WIDGET (welcome), ADW_TYPE_STATUS_PAGE));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "Willkommen bei Rein");
  {
    GtkWidget *list = app_test_find_by_type (GTK_WIDGET (welcome), GTK_TYPE_LIST_BOX);
    GtkWidget *create = app_test_find_by_type (list, ADW_TYPE_ACTION_ROW);

    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (create)), ==,
                     "welcome.create");
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (create)), ==,
                     "_Neue Identität erstellen");
  }
  app_test_screenshot (GTK_WIDGET (window), "60-german-welcome");

  /* an error from the BIP39 code, in German on the restore page */
  gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.restore", NULL);
  app_test_iterate (100);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (app_test_child (welcome, "restore_view")),
                            "abandon abandon abandon abandon abandon abandon abandon abandon "
                            "abandon abandon abandon abandon", -1);
  g_assert_cmpstr (gtk_label_get_text (app_test_child (welcome, "restore_status")), ==,
                   "Die Prüfsumme der Wiederherstellungsphrase stimmt nicht: Prüfen Sie die "
                   "Wörter");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (app_test_child (welcome, "restore_view")),
                            "abandon abandon abandon abandon abandon abandon abandon abandon "
                            "abandon abandon abandon zzz", -1);
  g_assert_cmpstr (gtk_label_get_text (app_test_child (welcome, "restore_status")), ==,
                   "Wort 12 steht nicht in der englischen BIP39-Wortliste");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (app_test_child (welcome, "restore_view")),
                            "abandon abandon abandon abandon abandon abandon abandon abandon "
                            "abandon abandon about", -1);
  g_assert_cmpstr (gtk_label_get_text (app_test_child (welcome, "restore_status")), ==,
                   "Eine Wiederherstellungsphrase hat 12, 15, 18, 21 oder 24 Wörter, nicht 11");
  app_test_screenshot (GTK_WIDGET (window), "62-german-restore-error");
  rein_welcome_reset (welcome);

  /* the main view, with an identity */
  g_object_unref (rein_store_add_identity_from_mnemonic (store, &params, phrase, NULL,
                                                         "passwort123", &error));
  rein_secure_free (phrase);
  g_assert_no_error (error);
  app_test_destroy_window (GTK_WINDOW (window));
  g_clear_object (&context);
  context = rein_context_new (store);
  session = rein_context_get_session (context);
  window = rein_window_new (NULL, context);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (session);
  app_test_iterate (150);

  stack = app_test_child (window, "view_stack");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (
                       stack, adw_view_stack_get_child_by_name (stack, "market"))), ==, "_Markt");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (
                       stack, adw_view_stack_get_child_by_name (stack, "my-jobs"))), ==,
                   "Meine _Aufträge");
  /* the market, empty, says so in German (a title set from C) */
  g_assert_cmpstr (adw_status_page_get_title (app_test_child (
                       rein_window_get_market_view (window), "empty_page")), ==,
                   "Noch keine Aufträge");
  /* the banner, set from C: shown (no servers yet), and in German */
  g_assert_true (gtk_revealer_get_reveal_child (app_test_child (window, "banner_revealer")));
  g_assert_cmpstr (gtk_label_get_text (app_test_child (window, "banner_label")), !=, "");
  g_assert_cmpstr (gtk_label_get_text (app_test_child (window, "banner_label")), !=,
                   "No servers yet: add one to publish your documents and see the market.");
  app_test_screenshot (GTK_WIDGET (window), "61-german-main");

  /* errors from the store, in German on the backup page: a wrong
   * password, then an identity that is here already */
  {
    g_autoptr (GListModel) ids = rein_store_list_identities (store, &error);
    g_autoptr (ReinIdentity) id = g_list_model_get_item (ids, 0);
    g_autofree gchar *backup = rein_store_export_backup (store, id, "passwort123", &error);
    g_autofree gchar *path = g_build_filename (dir, "backup.json", NULL);
    GtkLabel *backup_error;

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (path, backup, -1, &error));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.add-identity", NULL);
    app_test_iterate (150);
    welcome = REIN_WELCOME (app_test_find_by_type (GTK_WIDGET (window), REIN_TYPE_WELCOME));
    gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.import-backup", NULL);
    gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.set-backup-file", "s", path);
    backup_error = app_test_child (welcome, "backup_error");
    gtk_editable_set_text (GTK_EDITABLE (app_test_child (welcome, "backup_password_row")),
                           "falsch-falsch");
    gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.next", NULL);
    for (gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
         rein_welcome_get_busy (welcome) && g_get_monotonic_time () < end;)
      app_test_iterate (20);
    g_assert_cmpstr (gtk_label_get_text (backup_error), ==,
                     "Das Passwort öffnet diese Sicherung nicht.");
    gtk_editable_set_text (GTK_EDITABLE (app_test_child (welcome, "backup_password_row")),
                           "passwort123");
    gtk_widget_activate_action (GTK_WIDGET (welcome), "welcome.next", NULL);
    for (gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
         rein_welcome_get_busy (welcome) && g_get_monotonic_time () < end;)
      app_test_iterate (20);
    g_assert_cmpstr (gtk_label_get_text (backup_error), ==,
                     "Die Identität aus dieser Sicherung ist bereits vorhanden.");
    app_test_screenshot (GTK_WIDGET (window), "63-german-backup-error");
    rein_welcome_reset (welcome);
  }

  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  g_clear_object (&context);
  g_clear_object (&store);
  rein_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  const gchar *localedir = g_getenv ("REIN_TEST_LOCALEDIR");

  /* German, whatever the machine's locale: C.UTF-8 honours LANGUAGE */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : REIN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  rein_secret_set_scrypt_cost (10);

  g_test_add_func ("/app/lang/german", test_german);

  return g_test_run ();
}

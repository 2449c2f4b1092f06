/* test-my-jobs.c: the My Jobs tab against a real rein-server: the
 * creator, the worker and the mediator of one job each see it under their
 * role, with whose turn it is and a badge when it is theirs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "app-test-util.h"
#include "client-test-util.h"
#include "rein-test-util.h"
#include "rein-job-page.h"
#include "rein-window.h"

typedef struct
{
  TestServer *server;
  Person mia;   /* mediator */
  Person carol; /* creator */
  Person walt;  /* worker */
  gchar *job_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = test_server_start (NULL, NULL);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
  f->job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design", "A round logo.");
  place_bid (&f->walt, f->job_id, "0.05");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  g_free (f->job_id);
  test_server_stop (f->server);
  test_server_free (f->server);
}

static gboolean
listed (gpointer data)
{
  return g_strcmp0 (rein_my_jobs_view_get_state (data), "list") == 0;
}

/* @p's window, on My Jobs, once the jobs are read; checks the one row of
 * @role and returns its subtitle. */
static gchar *
row_of (Person *p, ReinRole role, gboolean needs_me, const gchar *screenshot)
{
  ReinWindow *window;
  ReinMyJobsView *view;
  GtkListBox *list;
  GtkListBoxRow *row;
  gchar *subtitle;
  gboolean badge = FALSE;

  window = rein_window_new (NULL, p->context);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (p->context));
  rein_window_show_my_jobs (window);
  view = rein_window_get_my_jobs_view (window);
  /* the window refreshes My Jobs with the market once the store is read */
  app_test_wait_until (listed, view, "My Jobs", 60);
  app_test_iterate (100);

  for (ReinRole other = REIN_ROLE_CREATOR; other <= REIN_ROLE_MEDIATOR; other++)
    {
      list = rein_my_jobs_view_get_list (view, other);
      g_assert_cmpint (gtk_widget_get_visible (GTK_WIDGET (list)), ==, other == role);
    }
  list = rein_my_jobs_view_get_list (view, role);
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "Logo for a bakery");
  subtitle = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  {
    /* the badge: a label saying so, only when it is my turn */
    GtkWidget *root = GTK_WIDGET (row);
    GPtrArray *stack = g_ptr_array_new ();

    g_ptr_array_add (stack, root);
    while (stack->len > 0)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

        if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "needs-you"))
          badge = TRUE;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
    g_ptr_array_unref (stack);
  }
  g_assert_cmpint (badge, ==, needs_me);
  app_test_screenshot (GTK_WIDGET (window), screenshot);
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  return subtitle;
}

static void
test_three_roles (Fixture *f, gconstpointer data)
{
  g_autofree gchar *carol = NULL, *walt = NULL, *mia = NULL;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  carol = row_of (&f->carol, REIN_ROLE_CREATOR, TRUE, "my-jobs-10-creator");
  g_assert_cmpstr (carol, ==, "bid(s) submitted — waiting for you to award a bid");
  walt = row_of (&f->walt, REIN_ROLE_WORKER, FALSE, "my-jobs-11-worker");
  g_assert_cmpstr (walt, ==, "bid(s) submitted — waiting for Carol to award a bid");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  mia = row_of (&f->mia, REIN_ROLE_MEDIATOR, FALSE, "my-jobs-12-mediator-dark");
  g_assert_cmpstr (mia, ==, "bid(s) submitted — waiting for Carol to award a bid");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
two_worker_rows (gpointer data)
{
  return gtk_list_box_get_row_at_index (rein_my_jobs_view_get_list (data, REIN_ROLE_WORKER), 1)
         != NULL;
}

static void
spun_cb (GtkSpinner *spinner, GParamSpec *pspec, gpointer data)
{
  if (gtk_spinner_get_spinning (spinner))
    *(gboolean *) data = TRUE;
}

static gboolean
page_loaded (gpointer data)
{
  return rein_job_page_get_timeline (data) != NULL;
}

/* Another party acts while my window is open: the refresh button (F5)
 * reads my jobs again, and the new job shows whose turn it is. */
static void
test_refresh (Fixture *f, gconstpointer data)
{
  ReinWindow *window = rein_window_new (NULL, f->walt.context);
  ReinMyJobsView *view;
  GtkListBox *list;
  g_autoptr (ReinJob) job = NULL;
  GtkWidget *button;
  gboolean found = FALSE, spun = FALSE;
  Stall stall = { 0 };
  guint tick;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (f->walt.context));
  rein_window_show_my_jobs (window);
  view = rein_window_get_my_jobs_view (window);
  app_test_wait_until (listed, view, "My Jobs", 60);
  app_test_iterate (100);
  list = rein_my_jobs_view_get_list (view, REIN_ROLE_WORKER);
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));

  /* Carol posts a second job, Walt bids from another device, Carol awards */
  job = award_job (&f->carol, &f->walt, &f->mia, "Menu translation", "0.02");
  app_test_iterate (200);
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));

  button = app_test_child (view, "refresh_button");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* the spinner turns while it reads */
  g_signal_connect (app_test_child (view, "list_spinner"), "notify::spinning",
                    G_CALLBACK (spun_cb), &spun);
  /* the main loop's longest stall while My Jobs is read (a figure, not
   * a limit: every store and crypto call is in a worker) */
  tick = g_timeout_add (1, rein_stall_tick, &stall);
  gtk_widget_activate (button);
  app_test_wait_until (two_worker_rows, view, "the awarded job", 60);
  g_source_remove (tick);
  g_printerr ("# longest main-loop stall while My Jobs is read: %.1f ms\n",
              stall.longest / 1000.0);
  for (guint i = 0; i < 2; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, (gint) i);

      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                     "Menu translation") == 0)
        {
          g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                           "job awarded — waiting for you to deliver");
          found = TRUE;
        }
    }
  g_assert_true (found);
  app_test_iterate (50);
  g_assert_true (spun);
  g_assert_false (gtk_spinner_get_spinning (app_test_child (view, "list_spinner")));
  app_test_screenshot (GTK_WIDGET (window), "my-jobs-13-refreshed");

  /* and while the job's page reads its timeline and escrows, and a
   * refresh runs beside it */
  stall = (Stall) { 0 };
  tick = g_timeout_add (1, rein_stall_tick, &stall);
  g_assert_true (rein_my_jobs_view_open_job (view, rein_job_get_id (job)));
  gtk_widget_activate_action (GTK_WIDGET (view), "my-jobs.refresh", NULL);
  app_test_wait_until (page_loaded, rein_my_jobs_view_get_job_page (view), "the job page", 60);
  /* (and its escrow cards, which ask the chain backend) */
  app_test_iterate (1000);
  g_source_remove (tick);
  g_printerr ("# longest main-loop stall while the job page loads and My Jobs is read: "
              "%.1f ms\n",
              stall.longest / 1000.0);
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
}

/* ---- one app per data folder ---- */

/* An app started by the test ends with it, even when an assertion ends
 * the test first. */
static void
end_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_app (GSubprocessLauncher *launcher, const gchar *data_dir)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *app;

  if (data_dir != NULL)
    app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("REIN_APP"), "--data-dir",
                                       data_dir, NULL);
  else
    app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("REIN_APP"), NULL);
  g_assert_no_error (error);
  return app;
}

static gboolean
has_exited (gpointer data)
{
  return g_subprocess_get_identifier (data) == NULL;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* Runs @app until it has opened @data_dir's store, then a moment more:
 * it must still be running. */
static void
assert_runs (GSubprocess *app, const gchar *store_file)
{
  app_test_wait_until (file_exists, (gpointer) store_file, store_file, 60);
  app_test_iterate (1500);
  g_assert_false (has_exited (app));
}

static void
stop_app (GSubprocess *app)
{
  if (!has_exited (app))
    g_subprocess_force_exit (app);
  g_assert_true (g_subprocess_wait (app, NULL, NULL));
  g_object_unref (app);
}

/* Two people on one computer: "rein --data-dir …/walt" beside a running
 * "rein --data-dir …/carol" runs an app of its own (it used to raise
 * Carol's window and exit); a second "rein" on the usual folder still
 * only raises the first one's window. */
static void
test_one_app_per_data_dir (void)
{
  g_autofree gchar *home = g_dir_make_tmp ("rein-apps-XXXXXX", NULL);
  g_autofree gchar *carol = g_build_filename (home, "carol", NULL);
  g_autofree gchar *walt = g_build_filename (home, "walt", NULL);
  g_autofree gchar *data = g_build_filename (home, "data", NULL);
  g_autofree gchar *carol_db = g_build_filename (carol, "rein.db", NULL);
  g_autofree gchar *walt_db = g_build_filename (walt, "rein.db", NULL);
  g_autofree gchar *usual_db = g_build_filename (data, "rein", "rein.db", NULL);
  /* (silenced: an app left running would hold the test's output open) */
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  GSubprocess *first, *second, *usual, *again, *walt_again;

  g_assert_nonnull (g_getenv ("REIN_APP"));
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "REIN_DATA_DIR");
  g_subprocess_launcher_set_child_setup (launcher, end_with_parent, NULL, NULL);

  first = spawn_app (launcher, carol);
  assert_runs (first, carol_db);
  second = spawn_app (launcher, walt);
  assert_runs (second, walt_db);
  g_assert_false (has_exited (first));
  /* and one app on each: a second start on Walt's folder hands over (two
   * apps on one store would both tell each event) */
  walt_again = spawn_app (launcher, walt);
  app_test_wait_until (has_exited, walt_again, "the second app on Walt's folder to hand over", 60);
  g_assert_true (g_subprocess_get_successful (walt_again));
  g_assert_false (has_exited (second));

  /* the usual folder: one app, whoever starts it next */
  usual = spawn_app (launcher, NULL);
  assert_runs (usual, usual_db);
  again = spawn_app (launcher, NULL);
  app_test_wait_until (has_exited, again, "the second app on the usual folder to hand over", 60);
  g_assert_true (g_subprocess_get_successful (again));
  g_assert_false (has_exited (usual));

  stop_app (walt_again);
  stop_app (again);
  stop_app (usual);
  stop_app (second);
  stop_app (first);
  rein_test_remove_tree (home);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add ("/app/my-jobs/three-roles", Fixture, NULL, fixture_setup, test_three_roles,
              fixture_teardown);
  g_test_add ("/app/my-jobs/refresh", Fixture, NULL, fixture_setup, test_refresh,
              fixture_teardown);
  g_test_add_func ("/app/my-jobs/one-app-per-data-dir", test_one_app_per_data_dir);
  return g_test_run ();
}

/* test-ratings.c: python-rein 0.3's ratings beside the bids
 *
 * In-process under Xvfb, against a real rein-server and the test chain
 * backend (the escrows of the completed job) on loopback. Carol
 * (creator), Walt (worker) and Mia (mediator) complete a job; Carol rates
 * Walt 5 and Eve, who took no part in it, rates him 0. On Carol's next
 * job, Walt and Bob (never rated) bid: the page shows Walt "rated 5.0 by
 * 1" and Bob "no ratings", and Eve's forgery does not count. In the
 * market, Carol sees Walt's and Bob's new jobs with their creators' and
 * Mia's ratings and her trust in them, and Mia's in the mediators list and
 * in the mediator choice of a new job.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "app-test-util.h"
#include "chain-fixture.h"
#include "client-test-util.h"
#include "rein-job-page.h"
#include "rein-market-view.h"
#include "rein-payments.h"
#include "rein-post-dialog.h"
#include "rein-ratings.h"
#include "rein-window.h"

#define NARROW 360

typedef struct
{
  TestServer *server;
  TestChain *chain;
  Person mia;   /* mediator */
  Person carol; /* creator */
  Person walt;  /* worker, rated */
  Person bob;   /* worker, never rated */
  Person eve;   /* took no part in Carol's jobs */
  gchar *done_id;
} Fixture;

static gchar *
sin_of (Person *p)
{
  return rein_sin_from_address (rein_identity_get_master_address (p->identity));
}

static void
step (Person *p, ReinJob *job, gchar *text /* owned */, GError *build_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;

  g_assert_no_error (build_error);
  done = publish (p, job, text, &error);
  g_assert_no_error (error);
  g_free (text);
}

/* Carol's job of @job_id, delivered, accepted with both payments built
 * and signed as the app does (the escrows funded on the test chain). */
static void
accept_job (Fixture *f, const gchar *job_id)
{
  g_autoptr (ReinJob) job = load_job (&f->carol, job_id);
  g_autoptr (ReinEscrowStatus) terms = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (GAsyncResult) prepared = NULL;
  g_autoptr (GAsyncResult) signed_ = NULL;
  g_autofree gchar *primary = NULL;
  g_autofree gchar *mediator = NULL;
  ReinPaymentOptions how = { 0 };
  GError *error = NULL;
  gchar *text;

  terms = rein_escrow_status_new (job, FALSE, &error);
  g_assert_no_error (error);
  g_free (test_chain_fund (f->chain, terms->primary.address, terms->primary.due, 0));
  g_free (test_chain_fund (f->chain, terms->mediator.address, terms->mediator.due, 0));
  test_chain_mine (f->chain, 1);
  g_clear_object (&job);

  job = load_job (&f->walt, job_id);
  text = rein_document_build_delivery (rein_job_get_offer (job), "logo.svg", &error);
  step (&f->walt, job, text, error);
  g_clear_object (&job);

  job = load_job (&f->carol, job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_DELIVERED);
  chain = rein_chain_new (f->chain->url, &error);
  g_assert_no_error (error);
  rein_payments_prepare_async (f->carol.store, f->carol.identity, chain, job,
                               REIN_PAYOUT_ACCEPT, 0, &how, NULL, wait_cb, &prepared);
  wait_for (&prepared);
  payments = rein_payments_prepare_finish (prepared, &error);
  g_assert_no_error (error);
  rein_payments_sign_async (payments, f->carol.key, NULL, wait_cb, &signed_);
  wait_for (&signed_);
  g_assert_true (rein_payments_sign_finish (payments, signed_, &error));
  g_assert_no_error (error);
  primary = rein_payments_get_base64 (payments, TRUE);
  mediator = rein_payments_get_base64 (payments, FALSE);
  text = rein_document_build_accept (rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY),
                                     primary, mediator, &error);
  step (&f->carol, job, text, error);
  g_clear_object (&job);
  job = load_job (&f->carol, job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_ACCEPTED);
}

/* Carol's job done by Walt and accepted; Carol rates Walt 5 on the
 * server, and Eve rates him 0 for the same job. */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinJob) awarded = NULL;
  g_autofree gchar *walt_sin = NULL;
  g_autofree gchar *carol_sin = NULL;
  g_autofree gchar *eve_sin = NULL;
  GError *error = NULL;
  gchar *text;

  f->server = test_server_start (NULL, NULL);
  f->chain = test_chain_start ("mainnet");
  g_setenv ("REIN_CHAIN_URL", f->chain->url, TRUE);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
  person_init (&f->bob, f->server, "Bob", FALSE);
  person_init (&f->eve, f->server, "Eve", FALSE);

  awarded = award_job (&f->carol, &f->walt, &f->mia, "Logo", "0.05");
  f->done_id = g_strdup (rein_job_get_id (awarded));
  accept_job (f, f->done_id);

  walt_sin = sin_of (&f->walt);
  carol_sin = sin_of (&f->carol);
  eve_sin = sin_of (&f->eve);
  text = rein_rating_build (5, walt_sin, f->done_id, carol_sin, "Great logo.", &error);
  g_assert_no_error (error);
  put_unchecked (&f->carol, text);
  g_free (text);
  /* Eve took no part in the job */
  text = rein_rating_build (0, walt_sin, f->done_id, eve_sin, "Never delivered.", &error);
  g_assert_no_error (error);
  put_unchecked (&f->eve, text);
  g_free (text);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  person_clear (&f->bob);
  person_clear (&f->eve);
  g_free (f->done_id);
  test_server_stop (f->server);
  test_server_free (f->server);
  test_chain_stop (f->chain);
  g_unsetenv ("REIN_CHAIN_URL");
}

/* ---- the report, as the job page reads it ---- */

/* @viewer's ratings report of @rated, read by a reader of its own (as
 * the job page's). */
static ReinRatingsReport *
report_of (Person *viewer, Person *rated)
{
  g_auto (GStrv) urls = rein_store_list_servers (viewer->store, NULL, NULL);
  g_autoptr (ReinMarketReader) reader = rein_market_reader_new (
      viewer->store, viewer->identity, (const gchar *const *) urls);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sin = sin_of (rated);
  g_autofree gchar *own_sin = sin_of (viewer);
  ReinRatingsReport *report = NULL;

  /* a second time with the same reader, as the page reads one bidder
   * after another: the same answer */
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&result);
      if (i > 0)
        rein_ratings_report_free (report);
      rein_ratings_load_async (reader, sin, own_sin, NULL, wait_cb, &result);
      wait_for (&result);
      report = rein_ratings_load_finish (reader, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (report->sin, ==, sin);
      g_test_message ("read %u: %u counted", i + 1, report->summary.count);
    }
  return report;
}

/* Walt's ratings as @viewer reads them: Carol's counts, Eve's does not,
 * and says why. */
static void
assert_walt_rated (Fixture *f, Person *viewer)
{
  g_autoptr (ReinRatingsReport) report = report_of (viewer, &f->walt);
  g_autofree gchar *carol_sin = sin_of (&f->carol);
  g_autofree gchar *eve_sin = sin_of (&f->eve);
  gboolean saw_eve = FALSE;

  g_assert_cmpuint (report->ratings->len, ==, 2);
  for (guint i = 0; i < report->ratings->len; i++)
    {
      ReinRating *rating = g_ptr_array_index (report->ratings, i);
      const gchar *reason = g_ptr_array_index (report->reasons, i);

      g_test_message ("%s reads: rating %u by %s: %s", rein_identity_get_name (viewer->identity),
                      rating->rating, rating->rater_sin, reason != NULL ? reason : "counts");
      if (strcmp (rating->rater_sin, eve_sin) == 0)
        {
          saw_eve = TRUE;
          /* Eve is enrolled, and signed it herself: what is wrong is that
           * she had no part in the job (her enrollment, known to none of
           * the jobs read, is looked up on the servers). */
          g_assert_cmpstr (reason, ==, "the rater was not the job's creator, worker or mediator");
        }
      else
        {
          g_assert_cmpstr (rating->rater_sin, ==, carol_sin);
          g_assert_null (reason);
          g_assert_nonnull (g_ptr_array_index (report->jobs, i));
        }
    }
  g_assert_true (saw_eve);
  g_assert_cmpuint (report->summary.count, ==, 1);
  g_assert_cmpfloat_with_epsilon (report->summary.average, 5.0, 1e-9);
}

/* A reader of its own, with a SIN and not a name: the one rating counts,
 * Eve's does not, whoever reads them (Carol who rated, Walt rated, Bob
 * who never saw the job). */
static void
test_report (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinRatingsReport) bob = NULL;

  assert_walt_rated (f, &f->carol);
  assert_walt_rated (f, &f->walt);
  assert_walt_rated (f, &f->bob);
  bob = report_of (&f->carol, &f->bob);
  g_assert_cmpuint (bob->ratings->len, ==, 0);
  g_assert_cmpuint (bob->summary.count, ==, 0);
}

/* ---- the bids on Carol's next job ---- */

typedef struct
{
  ReinJobPage *page;
  gchar *walt_bid;
  gchar *bob_bid;
} Bids;

static gboolean
ratings_read (gpointer data)
{
  Bids *b = data;

  return rein_job_page_get_bid_ratings (b->page, b->walt_bid) != NULL
         && rein_job_page_get_bid_ratings (b->page, b->bob_bid) != NULL;
}

/* The bid of @p among @job's. */
static gchar *
bid_of (ReinJob *job, Person *p)
{
  GPtrArray *bids = rein_job_get_bids (job);

  for (guint i = 0; i < bids->len; i++)
    {
      ReinDocument *bid = g_ptr_array_index (bids, i);

      if (g_strcmp0 (rein_document_lookup (bid, REIN_LABEL_WORKER_PUBLIC_KEY),
                     rein_identity_get_delegate_public_key (p->identity)) == 0)
        return g_strdup (rein_document_get_hash (bid));
    }
  g_error ("no bid of %s", rein_identity_get_name (p->identity));
  return NULL;
}

/* The subtitle of the row of @hash in @page's bids. */
static const gchar *
subtitle_of (ReinJobPage *page, const gchar *hash)
{
  GtkWidget *row = GTK_WIDGET (page);

  /* the rows of the bids carry their hash */
  for (row = gtk_widget_get_first_child (row); row != NULL;)
    {
      if (ADW_IS_EXPANDER_ROW (row)
          && g_strcmp0 (g_object_get_data (G_OBJECT (row), "hash"), hash) == 0
          && gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX) != NULL)
        return adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));
      /* depth first */
      if (gtk_widget_get_first_child (row) != NULL)
        row = gtk_widget_get_first_child (row);
      else
        {
          while (row != NULL && gtk_widget_get_next_sibling (row) == NULL)
            row = (row = gtk_widget_get_parent (row)) == GTK_WIDGET (page) ? NULL : row;
          row = row != NULL ? gtk_widget_get_next_sibling (row) : NULL;
        }
    }
  return NULL;
}

/* Carol's page of a new job: Walt's bid "rated 5.0 by 1" (Eve's 0 does
 * not count), Bob's "no ratings"; wide and narrow. */
static void
test_bids (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Menu card", "Design",
                                       "A menu card for the bakery.");
  g_autoptr (ReinJob) job = NULL;
  ReinWindow *window;
  Bids b = { 0 };
  const gchar *walt_row, *bob_row;

  place_bid (&f->walt, job_id, "0.02");
  place_bid (&f->bob, job_id, "0.03");
  job = load_job (&f->carol, job_id);
  b.walt_bid = bid_of (job, &f->walt);
  b.bob_bid = bid_of (job, &f->bob);

  window = rein_window_new (NULL, f->carol.context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 820);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (f->carol.context));
  rein_window_show_job (window, job_id);
  b.page = rein_my_jobs_view_get_job_page (rein_window_get_my_jobs_view (window));
  app_test_wait_until (ratings_read, &b, "the bidders' ratings", 90);

  g_assert_cmpstr (rein_job_page_get_bid_ratings (b.page, b.walt_bid), ==, "rated 5.0 by 1");
  g_assert_cmpstr (rein_job_page_get_bid_ratings (b.page, b.bob_bid), ==, "no ratings");
  /* as the rows say it */
  walt_row = subtitle_of (b.page, b.walt_bid);
  bob_row = subtitle_of (b.page, b.bob_bid);
  g_assert_nonnull (walt_row);
  g_assert_nonnull (bob_row);
  g_assert_true (g_str_has_prefix (walt_row, "0.02 BTC · "));
  g_assert_true (g_str_has_suffix (walt_row, " · rated 5.0 by 1"));
  g_assert_true (g_str_has_suffix (bob_row, " · no ratings"));

  app_test_iterate (300);
  app_test_screenshot (GTK_WIDGET (window), "ratings-bids-wide");
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 820);
  app_test_iterate (400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, NARROW);
  app_test_screenshot (GTK_WIDGET (window), "ratings-bids-narrow");

  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  g_free (b.walt_bid);
  g_free (b.bob_bid);
}

/* ---- the market: the detail pane, the mediators ---- */

typedef struct
{
  Fixture *f;
  ReinMarketView *view;
  const gchar *job_id; /* the one to wait for, or NULL */
} Market;

static guint
position_of (ReinMarketView *view, const gchar *job_id)
{
  GListModel *shown = rein_market_view_get_shown (view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), job_id))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
job_shown (gpointer data)
{
  Market *m = data;

  return position_of (m->view, m->job_id) != GTK_INVALID_LIST_POSITION;
}

static gboolean
detail_ratings_read (gpointer data)
{
  Market *m = data;

  return rein_market_view_get_creator_ratings (m->view) != NULL
         && rein_market_view_get_mediator_ratings (m->view) != NULL;
}

/* Chooses @job_id in the market and waits for its people's ratings. */
static void
choose_job (Market *m, const gchar *job_id)
{
  m->job_id = job_id;
  app_test_wait_until (job_shown, m, "the job in the market", 90);
  rein_market_view_select (m->view, position_of (m->view, job_id));
  app_test_wait_until (detail_ratings_read, m, "the creator's and mediator's ratings", 90);
  app_test_iterate (100);
}

/* The subtitle of the mediators list's row of @name (the mediator rows
 * carry their enrollment). */
static const gchar *
mediator_row_subtitle (GtkWidget *root, const gchar *name)
{
  if (ADW_IS_ACTION_ROW (root) && g_object_get_data (G_OBJECT (root), "enrollment") != NULL
      && strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), name) != NULL)
    return adw_action_row_get_subtitle (ADW_ACTION_ROW (root));
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      const gchar *found = mediator_row_subtitle (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget *root;
  ReinPostDialog *dialog;
} Shown;

static gboolean
mediator_row_rated (gpointer data)
{
  Shown *shown = data;
  const gchar *subtitle = mediator_row_subtitle (shown->root, "Mia");

  g_test_message ("Mia's row: %s", subtitle != NULL ? subtitle : "(none)");
  return subtitle != NULL && g_str_has_suffix (subtitle, "\nrated 4.0 by 1 · trust 4.0");
}

static gboolean
mediator_choice_rated (gpointer data)
{
  Shown *shown = data;
  g_autofree gchar *choice = rein_post_dialog_describe_mediator (shown->dialog, 0);

  return choice != NULL && g_str_has_suffix (choice, "\nrated 4.0 by 1 · trust 4.0");
}

/* Carol, who rated Walt 5 and Mia 4 after their job, looks at Walt's and
 * Bob's new jobs (Mia mediates both): the detail pane shows each creator's
 * and Mia's ratings with Carol's trust in them (Bob: none), read off the
 * main thread and kept per SIN; Mia's row in the mediators list and in
 * the mediator choice of a new job say the same. Wide and narrow. */
static void
test_market (Fixture *f, gconstpointer data)
{
  g_autofree gchar *mia_sin = sin_of (&f->mia);
  g_autofree gchar *carol_sin = sin_of (&f->carol);
  g_autofree gchar *walt_job = NULL;
  g_autofree gchar *bob_job = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *choice = NULL;
  GError *error = NULL;
  ReinWindow *window;
  ReinPostDialog *dialog;
  Market m = { f };
  Shown shown = { 0 };
  const gchar *posted_by;

  text = rein_rating_build (4, mia_sin, f->done_id, carol_sin, "Fair and quick.", &error);
  g_assert_no_error (error);
  put_unchecked (&f->carol, text);
  walt_job = post_job (&f->walt, &f->mia, "Shop sign", "Design", "A sign for the shop.");
  bob_job = post_job (&f->bob, &f->mia, "Price list", "Design", "A price list to print.");

  window = rein_window_new (NULL, f->carol.context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 820);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (f->carol.context));
  m.view = rein_window_get_market_view (window);

  /* Walt: Carol's 5 counts, Eve's 0 does not; Carol's trust is her own
   * rating. Mia: Carol's 4. */
  choose_job (&m, walt_job);
  g_assert_cmpstr (rein_market_view_get_creator_ratings (m.view), ==,
                   "rated 5.0 by 1 · trust 5.0");
  g_assert_cmpstr (rein_market_view_get_mediator_ratings (m.view), ==,
                   "rated 4.0 by 1 · trust 4.0");
  /* as the pane says it: the person, then their ratings */
  posted_by = app_test_fact_of (GTK_WIDGET (window), "Posted by");
  g_assert_nonnull (posted_by);
  g_assert_true (g_str_has_suffix (posted_by, "\nrated 5.0 by 1 · trust 5.0"));
  g_assert_true (g_str_has_suffix (app_test_fact_of (GTK_WIDGET (window), "Mediator"),
                                   "\nrated 4.0 by 1 · trust 4.0"));
  app_test_iterate (300);
  app_test_screenshot (GTK_WIDGET (window), "ratings-market-wide");
  /* the mediators list, whose ratings are read while it is shown */
  {
    GtkMenuButton *button = GTK_MENU_BUTTON (
        app_test_find_by_type (GTK_WIDGET (m.view), GTK_TYPE_MENU_BUTTON));

    g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (button)), ==, "Mediators");
    gtk_menu_button_popup (button);
    shown.root = GTK_WIDGET (gtk_menu_button_get_popover (button));
    app_test_wait_until (mediator_row_rated, &shown, "Mia's ratings in the mediators list", 90);
    app_test_iterate (300);
    app_test_screenshot (shown.root, "ratings-mediators");
    gtk_menu_button_popdown (button);
  }

  /* Bob, never rated: said so; Mia's, read before, at once (kept per
   * SIN: no second read) */
  rein_market_view_select (m.view, position_of (m.view, bob_job));
  g_assert_cmpstr (rein_market_view_get_mediator_ratings (m.view), ==,
                   "rated 4.0 by 1 · trust 4.0");
  g_assert_null (rein_market_view_get_creator_ratings (m.view));
  choose_job (&m, bob_job);
  g_assert_cmpstr (rein_market_view_get_creator_ratings (m.view), ==,
                   "no ratings · no trust link");
  g_assert_cmpstr (rein_market_view_get_mediator_ratings (m.view), ==,
                   "rated 4.0 by 1 · trust 4.0");
  g_assert_true (g_str_has_suffix (app_test_fact_of (GTK_WIDGET (window), "Posted by"),
                                   "\nno ratings · no trust link"));
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 820);
  app_test_iterate (400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, NARROW);
  /* the job opened, as a tap on it does when narrow */
  g_signal_emit_by_name (app_test_find_by_type (GTK_WIDGET (m.view), GTK_TYPE_GRID_VIEW),
                         "activate", position_of (m.view, bob_job));
  app_test_iterate (400);
  app_test_screenshot (GTK_WIDGET (window), "ratings-market-narrow");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 820);

  /* The mediator choice of a new job */
  dialog = rein_post_dialog_new (GTK_WINDOW (window), f->carol.context);
  shown.dialog = dialog;
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, 800);
  gtk_window_present (GTK_WINDOW (dialog));
  app_test_wait_until (mediator_choice_rated, &shown, "Mia's ratings in the mediator choice", 90);
  choice = rein_post_dialog_describe_mediator (dialog, 0);
  g_assert_nonnull (strstr (choice, "Mia"));
  rein_post_dialog_set_job (dialog, "Menu board", "Design", "A board for the menu.", 0);
  app_test_iterate (300);
  app_test_screenshot (GTK_WIDGET (dialog), "ratings-post-mediator");

  app_test_destroy_window (GTK_WINDOW (dialog));
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add ("/app/ratings/report", Fixture, NULL, fixture_setup, test_report,
              fixture_teardown);
  g_test_add ("/app/ratings/bids", Fixture, NULL, fixture_setup, test_bids, fixture_teardown);
  g_test_add ("/app/ratings/market", Fixture, NULL, fixture_setup, test_market,
              fixture_teardown);
  return g_test_run ();
}

/* test-escrow-watch.c: the funding of an awarded job's escrows, followed
 * (rein-escrow-watch.h) on the test chain server as its data changes,
 * with the confirmations the store's settings require
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "escrow-test-util.h"
#include "rein-chain-settings.h"
#include "rein-client-error.h"
#include "rein-escrow-watch.h"
#include "rein-test-util.h"

typedef struct
{
  EscrowWorld w;
  ReinEscrowWatch *watch;
  guint refreshed;
  GArray *funded; /* ReinEscrowKind, as "funded" said them */
} Fixture;

static void
refreshed_cb (ReinEscrowWatch *watch, Fixture *f)
{
  f->refreshed++;
}

static void
funded_cb (ReinEscrowWatch *watch, ReinEscrowKind kind, Fixture *f)
{
  g_array_append_val (f->funded, kind);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  escrow_world_init (&f->w, 0);
  f->funded = g_array_new (FALSE, FALSE, sizeof (ReinEscrowKind));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->watch != NULL)
    g_assert_finalize_object (f->watch);
  g_array_unref (f->funded);
  escrow_world_clear (&f->w);
}

/* Carol's watch on the job, refreshed only when asked. */
static void
watch_new (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->watch = rein_escrow_watch_new (f->w.carol.store, f->w.job, FALSE, &error);
  g_assert_no_error (error);
  rein_escrow_watch_set_interval (f->watch, 0);
  g_signal_connect (f->watch, "refreshed", G_CALLBACK (refreshed_cb), f);
  g_signal_connect (f->watch, "funded", G_CALLBACK (funded_cb), f);
}

/* Runs the main loop until the watch has looked up once more (the first
 * lookup starts by itself). */
static void
wait_refreshed (Fixture *f)
{
  guint before = f->refreshed;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (f->refreshed == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->refreshed, ==, before + 1);
  g_assert_false (rein_escrow_watch_get_refreshing (f->watch));
}

static void
look_again (Fixture *f)
{
  rein_escrow_watch_refresh (f->watch);
  g_assert_true (rein_escrow_watch_get_refreshing (f->watch));
  wait_refreshed (f);
  g_assert_null (rein_escrow_watch_get_error (f->watch));
}

static void
assert_escrow (Fixture *f, ReinEscrowKind kind, ReinFunding funding, gint64 missing,
               guint confirmations)
{
  ReinFunding bound;
  gint64 bound_missing;
  guint bound_confirmations;
  const gchar *prefix = kind == REIN_ESCROW_PRIMARY ? "primary" : "mediator";
  g_autofree gchar *funding_name = g_strdup_printf ("%s-funding", prefix);
  g_autofree gchar *missing_name = g_strdup_printf ("%s-missing", prefix);
  g_autofree gchar *confirmations_name = g_strdup_printf ("%s-confirmations", prefix);

  g_assert_cmpint (rein_escrow_watch_get_funding (f->watch, kind), ==, funding);
  g_assert_cmpint (rein_escrow_watch_get_missing (f->watch, kind), ==, missing);
  g_assert_cmpuint (rein_escrow_watch_get_confirmations (f->watch, kind), ==, confirmations);
  /* what views bind to says the same */
  g_object_get (f->watch, funding_name, &bound, missing_name, &bound_missing, confirmations_name,
                &bound_confirmations, NULL);
  g_assert_cmpint (bound, ==, funding);
  g_assert_cmpint (bound_missing, ==, missing);
  g_assert_cmpuint (bound_confirmations, ==, confirmations);
}

static const gchar *
address_of (Fixture *f, ReinEscrowKind kind)
{
  const ReinEscrowStatus *status = rein_escrow_watch_get_status (f->watch);

  return kind == REIN_ESCROW_PRIMARY ? status->primary.address : status->mediator.address;
}

static void
fund (Fixture *f, ReinEscrowKind kind, gint64 value, guint confirmations)
{
  g_free (test_chain_fund (f->w.chain, address_of (f, kind), value, confirmations));
}

static void
count_notify_cb (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

/* Unfunded, partly, funded but unconfirmed, confirmed: as the chain
 * server's data changes, with two confirmations required. */
static void
test_funding (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint safe_notified = 0;
  gboolean safe;

  g_assert_true (rein_chain_settings_set_confirmations (f->w.carol.store, 2, &error));
  g_assert_no_error (error);
  watch_new (f);
  g_signal_connect (f->watch, "notify::safe-to-start", G_CALLBACK (count_notify_cb),
                    &safe_notified);
  /* the terms are there before any lookup */
  g_assert_false (rein_escrow_watch_get_looked_up (f->watch));
  g_assert_cmpint (rein_escrow_watch_get_status (f->watch)->primary.due, ==, ESCROW_DUE);
  g_assert_cmpint (rein_escrow_watch_get_status (f->watch)->mediator.due, ==, ESCROW_FEE);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_UNFUNDED, ESCROW_DUE, 0);

  /* the first lookup starts by itself */
  wait_refreshed (f);
  g_assert_true (rein_escrow_watch_get_looked_up (f->watch));
  g_assert_null (rein_escrow_watch_get_error (f->watch));
  g_assert_cmpuint (rein_escrow_watch_get_tip_height (f->watch), ==, 100);
  g_assert_cmpuint (rein_escrow_watch_get_confirmations_required (f->watch), ==, 2);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_UNFUNDED, ESCROW_DUE, 0);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_UNFUNDED, ESCROW_FEE, 0);

  /* partly: 0.004 of 0.01 in the mempool */
  fund (f, REIN_ESCROW_PRIMARY, 400000, 0);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_PARTLY, 600000, 0);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_UNFUNDED, ESCROW_FEE, 0);

  /* the rest: enough, none of it mined */
  fund (f, REIN_ESCROW_PRIMARY, 600000, 0);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_UNCONFIRMED, 0, 0);

  /* one block: one confirmation of the two required */
  test_chain_mine (f->w.chain, 1);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_UNCONFIRMED, 0, 1);
  g_assert_cmpuint (rein_escrow_watch_get_tip_height (f->watch), ==, 101);
  g_assert_cmpuint (f->funded->len, ==, 0);

  /* two: funded, said once */
  test_chain_mine (f->w.chain, 1);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_FUNDED, 0, 2);
  g_assert_cmpuint (f->funded->len, ==, 1);
  g_assert_cmpint (g_array_index (f->funded, ReinEscrowKind, 0), ==, REIN_ESCROW_PRIMARY);
  g_assert_false (rein_escrow_watch_get_safe_to_start (f->watch));
  g_assert_cmpuint (safe_notified, ==, 0);

  /* the mediator's fee, paid in one go and mined deep: the worker may
   * start */
  fund (f, REIN_ESCROW_MEDIATOR, ESCROW_FEE, 6);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_FUNDED, 0, 6);
  g_assert_cmpuint (f->funded->len, ==, 2);
  g_assert_cmpint (g_array_index (f->funded, ReinEscrowKind, 1), ==, REIN_ESCROW_MEDIATOR);
  g_object_get (f->watch, "safe-to-start", &safe, NULL);
  g_assert_true (safe);
  g_assert_cmpuint (safe_notified, ==, 1);

  /* nothing new, nothing said; a coin sent later does not make the money
   * younger */
  fund (f, REIN_ESCROW_PRIMARY, 1000, 0);
  test_chain_mine (f->w.chain, 1);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_FUNDED, 0, 3);
  g_assert_cmpuint (f->funded->len, ==, 2);

  /* the preferences ask for more: the next lookup counts it */
  g_assert_true (rein_chain_settings_set_confirmations (f->w.carol.store, 5, &error));
  g_assert_no_error (error);
  look_again (f);
  g_assert_cmpuint (rein_escrow_watch_get_confirmations_required (f->watch), ==, 5);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_UNCONFIRMED, 0, 3);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_FUNDED, 0, 7);
  g_assert_false (rein_escrow_watch_get_safe_to_start (f->watch));
  g_assert_cmpuint (safe_notified, ==, 2);
  g_assert_cmpuint (f->funded->len, ==, 2);
}

/* What was funded before the first lookup is not news. */
static void
test_funded_before (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) terms = rein_escrow_status_new (f->w.job, FALSE, &error);

  g_assert_no_error (error);
  g_free (test_chain_fund (f->w.chain, terms->primary.address, ESCROW_DUE, 3));
  g_free (test_chain_fund (f->w.chain, terms->mediator.address, ESCROW_FEE, 3));
  watch_new (f);
  wait_refreshed (f);
  g_assert_null (rein_escrow_watch_get_error (f->watch));
  g_assert_cmpuint (rein_escrow_watch_get_confirmations_required (f->watch),
                    ==, REIN_CHAIN_CONFIRMATIONS_DEFAULT);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_FUNDED, 0, 3);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_FUNDED, 0, 3);
  g_assert_true (rein_escrow_watch_get_safe_to_start (f->watch));
  g_assert_cmpuint (f->funded->len, ==, 0);
}

/* No backend set, a backend that answers nonsense, one that lies about
 * amounts: an error that says so, what was known is kept, and the next
 * good answer clears it. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gchar *message;

  g_assert_true (rein_chain_settings_set_url (f->w.carol.store, REIN_CHAIN_NETWORK_MAINNET, NULL,
                                              &error));
  g_assert_no_error (error);
  watch_new (f);
  wait_refreshed (f);
  message = rein_escrow_watch_get_error (f->watch);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "no chain backend is set"));
  g_assert_false (rein_escrow_watch_get_looked_up (f->watch));

  g_assert_true (rein_chain_settings_set_url (f->w.carol.store, REIN_CHAIN_NETWORK_MAINNET,
                                              f->w.chain->url, &error));
  fund (f, REIN_ESCROW_PRIMARY, 400000, 1);
  look_again (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_PARTLY, 600000, 1);

  test_chain_set_mode (f->w.chain, "garbage");
  rein_escrow_watch_refresh (f->watch);
  wait_refreshed (f);
  g_assert_nonnull (rein_escrow_watch_get_error (f->watch));
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_PARTLY, 600000, 1);

  test_chain_set_mode (f->w.chain, "wrong-amounts");
  rein_escrow_watch_refresh (f->watch);
  wait_refreshed (f);
  g_assert_nonnull (rein_escrow_watch_get_error (f->watch));
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_PARTLY, 600000, 1);

  test_chain_set_mode (f->w.chain, "normal");
  look_again (f);
  g_assert_null (rein_escrow_watch_get_error (f->watch));
}

/* With an interval the watch looks again by itself. */
static void
test_interval (Fixture *f, gconstpointer data)
{
  watch_new (f);
  wait_refreshed (f);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_UNFUNDED, ESCROW_FEE, 0);
  fund (f, REIN_ESCROW_MEDIATOR, ESCROW_FEE, 4);
  rein_escrow_watch_set_interval (f->watch, 1);
  wait_refreshed (f);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_FUNDED, 0, 4);
  /* and again */
  wait_refreshed (f);
  rein_escrow_watch_set_interval (f->watch, 0);
}

/* Dropped while a lookup hangs: the lookup is cancelled, and nothing
 * touches the watch after it is gone. */
static void
test_dropped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinEscrowWatch *watch = rein_escrow_watch_new (f->w.carol.store, f->w.job, FALSE, &error);
  gint64 end;

  g_assert_no_error (error);
  test_chain_set_mode (f->w.chain, "hang");
  rein_escrow_watch_refresh (watch);
  /* the backend is being asked */
  end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (rein_escrow_watch_get_refreshing (watch));
  g_assert_finalize_object (watch);
  end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  test_chain_set_mode (f->w.chain, "normal");
}

/* A job without an offer has no escrow to watch. */
static void
test_not_awarded (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->w.carol, &f->w.mia, "Not yet", "Design", "Later.");
  g_autoptr (ReinJob) job = load_job (&f->w.carol, job_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowWatch) watch = rein_escrow_watch_new (f->w.carol.store, job, FALSE, &error);

  g_assert_null (watch);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
}

/* The payment policy kept beside the chain URLs: bounds, defaults, and
 * all of it read and written at once in workers. */
static void
test_settings (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-chain-settings-XXXXXX", &error);
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinChainPrefs) prefs = NULL;
  g_autoptr (ReinChainPrefs) again = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree gchar *url = NULL;

  g_assert_no_error (error);
  store = rein_store_open (dir, &error);
  g_assert_no_error (error);

  /* nothing stored: the defaults */
  g_assert_cmpuint (rein_chain_settings_get_fee_target (store), ==, REIN_CHAIN_FEE_TARGET_DEFAULT);
  g_assert_cmpint (rein_chain_settings_get_fee_cap (store), ==, 0);
  g_assert_cmpuint (rein_chain_settings_get_confirmations (store), ==,
                    REIN_CHAIN_CONFIRMATIONS_DEFAULT);

  /* out of bounds: refused, nothing changes */
  g_assert_false (rein_chain_settings_set_fee_target (store, 0, &error));
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (rein_chain_settings_set_fee_target (store, REIN_CHAIN_FEE_TARGET_MAX + 1, &error));
  g_clear_error (&error);
  g_assert_false (rein_chain_settings_set_fee_cap (store, -1, &error));
  g_clear_error (&error);
  g_assert_false (rein_chain_settings_set_fee_cap (store, REIN_MAX_SATOSHIS + 1, &error));
  g_clear_error (&error);
  g_assert_false (rein_chain_settings_set_confirmations (store, 0, &error));
  g_clear_error (&error);
  g_assert_false (rein_chain_settings_set_confirmations (store, REIN_CHAIN_CONFIRMATIONS_MAX + 1,
                                                         &error));
  g_clear_error (&error);
  g_assert_cmpuint (rein_chain_settings_get_fee_target (store), ==, REIN_CHAIN_FEE_TARGET_DEFAULT);

  /* what no Rein wrote counts as nothing */
  g_assert_true (rein_store_set_setting (store, "fee-target", "12abc", &error));
  g_assert_true (rein_store_set_setting (store, "confirmations", "-3", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_chain_settings_get_fee_target (store), ==, REIN_CHAIN_FEE_TARGET_DEFAULT);
  g_assert_cmpuint (rein_chain_settings_get_confirmations (store), ==,
                    REIN_CHAIN_CONFIRMATIONS_DEFAULT);

  /* all at once */
  rein_chain_settings_load_async (store, NULL, wait_cb, &result);
  wait_for (&result);
  prefs = rein_chain_settings_load_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_null (prefs->urls[REIN_CHAIN_NETWORK_MAINNET]);
  g_assert_cmpint (prefs->test_network, ==, REIN_CHAIN_NETWORK_TESTNET);
  g_assert_cmpuint (prefs->fee_target, ==, REIN_CHAIN_FEE_TARGET_DEFAULT);
  prefs->urls[REIN_CHAIN_NETWORK_MAINNET] = g_strdup ("http://127.0.0.1:1/api");
  prefs->urls[REIN_CHAIN_NETWORK_SIGNET] = g_strdup ("https://example.org/signet/api/");
  prefs->test_network = REIN_CHAIN_NETWORK_SIGNET;
  prefs->fee_target = 2;
  prefs->fee_cap = 20000;
  prefs->confirmations = 6;
  rein_chain_settings_save_async (store, prefs, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_chain_settings_save_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  url = rein_chain_settings_dup_url (store, REIN_CHAIN_NETWORK_MAINNET, NULL);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1/api/");
  g_assert_cmpint (rein_chain_settings_get_network (store, TRUE), ==, REIN_CHAIN_NETWORK_SIGNET);
  g_assert_cmpuint (rein_chain_settings_get_fee_target (store), ==, 2);
  g_assert_cmpint (rein_chain_settings_get_fee_cap (store), ==, 20000);
  g_assert_cmpuint (rein_chain_settings_get_confirmations (store), ==, 6);
  rein_chain_settings_load_async (store, NULL, wait_cb, &result);
  wait_for (&result);
  again = rein_chain_settings_load_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (again->urls[REIN_CHAIN_NETWORK_SIGNET], ==, "https://example.org/signet/api/");
  g_assert_null (again->urls[REIN_CHAIN_NETWORK_TESTNET]);

  /* a URL the backend client refuses fails the save, and says why */
  g_free (again->urls[REIN_CHAIN_NETWORK_TESTNET]);
  again->urls[REIN_CHAIN_NETWORK_TESTNET] = g_strdup ("ftp://example.org/");
  rein_chain_settings_save_async (store, again, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_chain_settings_save_finish (result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ftp://example.org/"));

  g_clear_object (&store);
  rein_test_remove_tree (dir);
}

/* ---- the watches of all my awarded jobs ---- */

/* Carol's My Jobs, refreshed. */
static void
refresh_my_jobs (Fixture *f)
{
  ReinMyJobs *jobs = rein_context_get_my_jobs (f->w.carol.context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  refresh (rein_context_get_market (f->w.carol.context));
  rein_my_jobs_refresh_async (jobs, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_my_jobs_refresh_finish (jobs, result, &error));
  g_assert_no_error (error);
}

static void
watches_funded_cb (ReinEscrowWatches *watches, ReinMyJob *job, ReinEscrowKind kind, Fixture *f)
{
  g_assert_cmpstr (rein_my_job_get_job_id (job), ==, rein_job_get_id (f->w.job));
  g_array_append_val (f->funded, kind);
}

/* Off until enabled; then only the awarded job of My Jobs is watched;
 * an emptied list (another identity) lets every watch go; what a first
 * lookup finds funded is not news, and the job is let go for good. */
static void
test_watches (Fixture *f, gconstpointer data)
{
  ReinEscrowWatches *watches = rein_context_get_escrow_watches (f->w.carol.context);
  ReinMyJobs *my_jobs = rein_context_get_my_jobs (f->w.carol.context);
  g_autofree gchar *posted = post_job (&f->w.carol, &f->w.mia, "Not yet", "Design", "Later.");
  const gchar *job_id = rein_job_get_id (f->w.job);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) terms = rein_escrow_status_new (f->w.job, FALSE, &error);
  gpointer watch;

  g_assert_no_error (error);
  rein_escrow_watches_set_interval (watches, 0);
  g_signal_connect (watches, "funded", G_CALLBACK (watches_funded_cb), f);
  refresh_my_jobs (f);
  g_assert_cmpuint (g_list_model_get_n_items (rein_my_jobs_get_jobs (my_jobs)), ==, 2);
  g_assert_false (rein_escrow_watches_get_enabled (watches));
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));

  rein_escrow_watches_set_enabled (watches, TRUE);
  g_assert_null (rein_escrow_watches_get_watch (watches, posted));
  f->watch = g_object_ref (rein_escrow_watches_get_watch (watches, job_id));
  g_assert_cmpuint (rein_escrow_watch_get_interval (f->watch), ==, 0);
  g_signal_connect (f->watch, "refreshed", G_CALLBACK (refreshed_cb), f);
  wait_refreshed (f);
  g_assert_cmpint (rein_escrow_watch_get_funding (f->watch, REIN_ESCROW_PRIMARY), ==,
                   REIN_FUNDING_UNFUNDED);
  /* no identity: an empty list, nothing is watched */
  rein_my_jobs_set_identity (my_jobs, NULL);
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  g_clear_object (&f->watch);

  /* funded meanwhile, with the confirmations: found so at the first look */
  g_free (test_chain_fund (f->w.chain, terms->primary.address, ESCROW_DUE, 3));
  g_free (test_chain_fund (f->w.chain, terms->mediator.address, ESCROW_FEE, 3));
  rein_my_jobs_set_identity (my_jobs, f->w.carol.identity);
  refresh_my_jobs (f);
  f->watch = g_object_ref (rein_escrow_watches_get_watch (watches, job_id));
  g_signal_connect (f->watch, "refreshed", G_CALLBACK (refreshed_cb), f);
  wait_refreshed (f);
  g_assert_true (rein_escrow_watch_get_safe_to_start (f->watch));
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  g_assert_cmpuint (f->funded->len, ==, 0);
  /* and not watched again */
  refresh_my_jobs (f);
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  /* the service let it go: only the test holds it once the loop ran */
  watch = f->watch;
  g_object_add_weak_pointer (watch, &watch);
  g_clear_object (&f->watch);
  for (guint i = 0; i < 100 && watch != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (watch);
  g_signal_handlers_disconnect_by_data (watches, f);
}

/* A second job between the same three people has the same escrow
 * addresses: the first job's coins make neither safe to start, each watch
 * names the other job, and no "funded" is told of the second; once
 * nothing shares it, it is safe to start. */
static void
test_shared (Fixture *f, gconstpointer data)
{
  ReinEscrowWatches *watches = rein_context_get_escrow_watches (f->w.carol.context);
  ReinMyJobs *my_jobs = rein_context_get_my_jobs (f->w.carol.context);
  g_autoptr (ReinJob) second = award_job (&f->w.carol, &f->w.walt, &f->w.mia, "Menu cards",
                                          ESCROW_BID);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) terms = rein_escrow_status_new (f->w.job, FALSE, &error);
  g_autoptr (ReinEscrowStatus) second_terms = rein_escrow_status_new (second, FALSE, NULL);
  g_auto (GStrv) shared = NULL;
  g_auto (GStrv) bound = NULL;
  ReinEscrowWatch *first_watch;
  guint safe_notified = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (terms->primary.address, ==, second_terms->primary.address);
  refresh_my_jobs (f);
  g_assert_cmpuint (g_list_model_get_n_items (rein_my_jobs_get_jobs (my_jobs)), ==, 2);
  shared = rein_escrow_find_sharing (rein_my_jobs_get_jobs (my_jobs), second, FALSE);
  g_assert_cmpstrv (shared, ((const gchar *const[]) { ESCROW_JOB_NAME, NULL }));
  /* a job not among them shares with both */
  g_clear_pointer (&shared, g_strfreev);
  shared = rein_escrow_find_sharing (rein_my_jobs_get_jobs (my_jobs), f->w.job, FALSE);
  g_assert_cmpstrv (shared, ((const gchar *const[]) { "Menu cards", NULL }));

  /* the first job's coins, enough for either */
  g_free (test_chain_fund (f->w.chain, terms->primary.address, ESCROW_DUE, 3));
  g_free (test_chain_fund (f->w.chain, terms->mediator.address, ESCROW_FEE, 3));
  rein_escrow_watches_set_interval (watches, 0);
  g_signal_connect (watches, "funded", G_CALLBACK (watches_funded_cb), f);
  rein_escrow_watches_set_enabled (watches, TRUE);
  f->watch = g_object_ref (rein_escrow_watches_get_watch (watches, rein_job_get_id (second)));
  first_watch = rein_escrow_watches_get_watch (watches, rein_job_get_id (f->w.job));
  g_assert_nonnull (first_watch);
  g_signal_connect (f->watch, "refreshed", G_CALLBACK (refreshed_cb), f);
  g_signal_connect (f->watch, "funded", G_CALLBACK (funded_cb), f);
  g_signal_connect (f->watch, "notify::safe-to-start", G_CALLBACK (count_notify_cb),
                    &safe_notified);
  g_assert_cmpstrv (rein_escrow_watch_get_shared_with (first_watch),
                    ((const gchar *const[]) { "Menu cards", NULL }));
  wait_refreshed (f);
  assert_escrow (f, REIN_ESCROW_PRIMARY, REIN_FUNDING_FUNDED, 0, 3);
  assert_escrow (f, REIN_ESCROW_MEDIATOR, REIN_FUNDING_FUNDED, 0, 3);
  g_assert_false (rein_escrow_watch_get_safe_to_start (f->watch));
  g_object_get (f->watch, "shared-with", &bound, NULL);
  g_assert_cmpstrv (bound, ((const gchar *const[]) { ESCROW_JOB_NAME, NULL }));
  /* still watched: not found funded */
  g_assert_true (rein_escrow_watches_get_watch (watches, rein_job_get_id (second)) == f->watch);

  /* more coins come (a later block): still not news of this job */
  g_free (test_chain_fund (f->w.chain, terms->primary.address, ESCROW_DUE, 0));
  look_again (f);
  g_assert_cmpuint (f->funded->len, ==, 0);

  /* the owner says nothing shares it any more: the coins count, and what
   * was kept quiet is told now (by the watch; the service's handler here
   * expects the first job only) */
  g_signal_handlers_disconnect_by_data (watches, f);
  g_assert_cmpuint (safe_notified, ==, 0);
  rein_escrow_watch_set_shared_with (f->watch, NULL);
  g_assert_null (rein_escrow_watch_get_shared_with (f->watch));
  g_assert_true (rein_escrow_watch_get_safe_to_start (f->watch));
  g_assert_cmpuint (safe_notified, ==, 1);
  g_assert_cmpuint (f->funded->len, ==, 2);
  g_signal_handlers_disconnect_by_data (f->watch, &safe_notified);
  /* the service lets its watches go (from the main loop) */
  rein_escrow_watches_set_enabled (watches, FALSE);
  for (guint i = 0; i < 100 && G_OBJECT (f->watch)->ref_count > 1; i++)
    g_main_context_iteration (NULL, FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  /* the settings name the backend, not the environment */
  g_unsetenv (REIN_CHAIN_URL_ENV);

  g_test_add_func ("/client/escrow-watch/settings", test_settings);
  g_test_add ("/client/escrow-watch/funding", Fixture, NULL, fixture_setup, test_funding,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/funded-before", Fixture, NULL, fixture_setup,
              test_funded_before, fixture_teardown);
  g_test_add ("/client/escrow-watch/errors", Fixture, NULL, fixture_setup, test_errors,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/interval", Fixture, NULL, fixture_setup, test_interval,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/dropped", Fixture, NULL, fixture_setup, test_dropped,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/watches", Fixture, NULL, fixture_setup, test_watches,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/not-awarded", Fixture, NULL, fixture_setup, test_not_awarded,
              fixture_teardown);
  g_test_add ("/client/escrow-watch/shared", Fixture, NULL, fixture_setup, test_shared,
              fixture_teardown);
  return g_test_run ();
}

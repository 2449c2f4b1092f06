/* test-services.c: the client services (src/client/) against a real
 * rein-server on loopback: a creator, a worker and a mediator, each with a
 * data folder of their own, post and bid through the publisher, and read
 * the market through the market service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "client-test-util.h"
#include "market-data.h"
#include "rein-test-util.h"

typedef struct
{
  TestServer *server;
  Person mia;   /* mediator */
  Person carol; /* creator */
  Person walt;  /* worker */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = test_server_start (NULL, NULL);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  if (f->server != NULL)
    {
      test_server_stop (f->server);
      test_server_free (f->server);
    }
}

static ReinJobSummary *
find_summary (ReinMarketService *market, const gchar *job_id)
{
  GListModel *jobs = rein_market_service_get_jobs (market);

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_job_summary_get_job_id (s), job_id) == 0)
        return g_steal_pointer (&s);
    }
  return NULL;
}

static void
test_post_and_bid (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design",
                                     "A round logo.\nCafé colours, two drafts.");
  ReinMarketService *walts = market_of (&f->walt);
  ReinMarketService *carols = rein_context_get_market (f->carol.context);
  g_autoptr (ReinJobSummary) seen = NULL;
  g_autoptr (ReinJobSummary) with_bid = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (GArray) hits = NULL;
  g_autoptr (ReinPublication) bid = NULL;
  g_autofree gchar *text = NULL;
  gint64 id;
  ReinBidParams params = { 0 };
  ReinJobState state;
  guint n_bids;

  /* Walt's market is empty until it refreshes. */
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (walts)), ==, 0);
  refresh (walts);
  seen = find_summary (walts, job_id);
  g_assert_nonnull (seen);
  g_assert_cmpstr (rein_job_summary_get_name (seen), ==, "Logo for a bakery");
  g_assert_cmpstr (rein_job_summary_get_category (seen), ==, "Design");
  /* people: the enrolled name, isolated, with the master's fingerprint */
  {
    g_autofree gchar *carol = rein_person_format (
        "Carol", rein_identity_get_master_address (f->carol.identity), REIN_PERSON_FLAGS_NONE);
    g_autofree gchar *mia = rein_person_format (
        "Mia", rein_identity_get_master_address (f->mia.identity), REIN_PERSON_FLAGS_NONE);

    g_assert_cmpstr (rein_job_summary_get_creator (seen), ==, carol);
    g_assert_cmpstr (rein_job_summary_get_mediator (seen), ==, mia);
    g_assert_true (g_str_has_prefix (carol, REIN_PERSON_FSI "Carol" REIN_PERSON_PDI " (T"));
  }
  g_assert_cmpint (rein_job_summary_get_mediator_fee_basis (seen), ==, 150);
  g_assert_cmpstr (rein_job_summary_get_description (seen), ==,
                   "A round logo.\nCafé colours, two drafts.");
  g_assert_true (rein_job_summary_get_open (seen));
  g_assert_cmpuint (rein_job_summary_get_n_bids (seen), ==, 0);
  g_assert_true ((const gchar *const *) rein_market_service_get_categories (walts) != NULL);
  g_assert_cmpstr (rein_market_service_get_categories (walts)[0], ==, "Design");
  id = rein_job_summary_get_id (seen);
  g_assert_cmpint (id, >, 0);

  /* Search, in a worker, over the full-text index. */
  rein_market_service_search_ids_async (walts, "caf bak", NULL, wait_cb, &result);
  wait_for (&result);
  hits = rein_market_service_search_ids_finish (walts, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (g_array_index (hits, gint64, 0), ==, id);
  g_clear_object (&result);
  g_clear_pointer (&hits, g_array_unref);
  rein_market_service_search_ids_async (walts, "plumbing", NULL, wait_cb, &result);
  wait_for (&result);
  hits = rein_market_service_search_ids_finish (walts, result, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_object (&result);

  /* Walt bids: the job is read fresh and validated first. */
  rein_market_service_load_job_async (walts, job_id, rein_job_summary_get_creator_key (seen),
                                      NULL, wait_cb, &result);
  wait_for (&result);
  job = rein_market_service_load_job_finish (walts, result, &error);
  g_assert_no_error (error);
  g_assert_true (rein_job_get_actions (job, rein_identity_get_delegate_public_key (
                                                 f->walt.identity))
                 & REIN_ACTION_BID);
  params.worker = "Walt";
  params.worker_contact = "Walt@example.com";
  params.worker_master_address = rein_identity_get_master_address (f->walt.identity);
  params.worker_public_key = rein_identity_get_delegate_public_key (f->walt.identity);
  params.description = "Two drafts by Friday.";
  params.bid_amount = "0.05";
  text = rein_document_build_bid (rein_job_get_posting (job), &params, REIN_NETWORK_MAINNET,
                                  &error);
  g_assert_no_error (error);
  bid = publish (&f->walt, job, text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bid->state, ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpint (bid->role, ==, REIN_ROLE_WORKER);
  g_assert_cmpuint (bid->n_servers_ok, ==, 1);

  /* Carol sees the bid after a refresh. */
  refresh (carols);
  with_bid = find_summary (carols, job_id);
  g_assert_nonnull (with_bid);
  g_object_get (with_bid, "state", &state, "n-bids", &n_bids, NULL);
  g_assert_cmpint (state, ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpuint (n_bids, ==, 1);
  g_assert_true (rein_job_summary_has_bidder (
      with_bid, rein_identity_get_delegate_public_key (f->walt.identity)));
}

/* Several jobs in one read: a result for each ID asked for, in order, the
 * job whose posting is by the key beside it (or by anyone), or NULL; what
 * was found goes into the index. */
static void
test_load_several (Fixture *f, gconstpointer data)
{
  g_autofree gchar *first = post_job (&f->carol, &f->mia, "Fence", "Carpentry", "Pine.");
  g_autofree gchar *second = post_job (&f->carol, &f->mia, "Gate", "Carpentry", "Oak.");
  ReinMarketService *walts = market_of (&f->walt);
  const gchar *carol = rein_identity_get_delegate_public_key (f->carol.identity);
  const gchar *walt = rein_identity_get_delegate_public_key (f->walt.identity);
  const gchar *ids[] = { first, second, "aaaaaaaaaaaaaaaaaaaa", second, first, NULL };
  const gchar *keys[] = { "", carol, "", walt, carol, NULL };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (ReinJobSummary) seen = NULL;

  /* nothing in Walt's index before */
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (walts)), ==, 0);
  rein_market_service_load_jobs_async (walts, ids, keys, NULL, wait_cb, &result);
  wait_for (&result);
  jobs = rein_market_service_load_jobs_finish (walts, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 5);
  g_assert_nonnull (g_ptr_array_index (jobs, 0));
  g_assert_cmpstr (rein_job_get_id (g_ptr_array_index (jobs, 0)), ==, first);
  g_assert_nonnull (g_ptr_array_index (jobs, 1));
  g_assert_cmpstr (rein_job_get_id (g_ptr_array_index (jobs, 1)), ==, second);
  g_assert_null (g_ptr_array_index (jobs, 2)); /* no such job */
  g_assert_null (g_ptr_array_index (jobs, 3)); /* not Walt's posting */
  g_assert_true (g_ptr_array_index (jobs, 4) == g_ptr_array_index (jobs, 0));
  seen = find_summary (walts, second);
  g_assert_nonnull (seen);
  g_assert_cmpstr (rein_job_summary_get_name (seen), ==, "Gate");
  g_clear_object (&result);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* a bad ID refuses the whole read, before anything is asked */
  rein_market_service_load_jobs_async (walts, (const gchar *const[]){ first, "no/id", NULL },
                                       NULL, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_null (rein_market_service_load_jobs_finish (walts, result, &error));
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT);
}

/* rein_market_service_dup_rows() is the list: the same objects, in its
 * order. */
static void
assert_rows_are_list (ReinMarketService *market)
{
  GListModel *jobs = rein_market_service_get_jobs (market);
  g_autoptr (GPtrArray) rows = rein_market_service_dup_rows (market);

  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, g_list_model_get_n_items (jobs));
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr (GObject) row = g_list_model_get_item (jobs, i);

      g_assert_true (row == rows->pdata[i]);
    }
}

/* A refresh that brings one new job reads the whole list again from the
 * index, and puts in only what changed: the rows that stay are the same
 * objects (a selection, a view's rows keep them), in the list and in its
 * array of rows; with nothing new, the array itself stays. */
static void
test_rows_kept (Fixture *f, gconstpointer data)
{
  g_autofree gchar *first = post_job (&f->carol, &f->mia, "Fence", "Carpentry", "Pine.");
  g_autofree gchar *second = NULL;
  ReinMarketService *walts = market_of (&f->walt);
  g_autoptr (ReinJobSummary) fence = NULL;
  g_autoptr (ReinJobSummary) fence_after = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;

  refresh (walts);
  fence = find_summary (walts, first);
  g_assert_nonnull (fence);
  assert_rows_are_list (walts);

  second = post_job (&f->carol, &f->mia, "Gate", "Carpentry", "Oak.");
  refresh (walts);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (walts)), ==, 2);
  fence_after = find_summary (walts, first);
  g_assert_true (fence_after == fence);
  assert_rows_are_list (walts);

  before = rein_market_service_dup_rows (walts);
  refresh (walts);
  after = rein_market_service_dup_rows (walts);
  g_assert_true (after == before);
}

/* Walt posts a job of his own under the ID of Carol's (a copied ID is
 * another creator's job): a read of that ID gives each creator their own
 * job, and Carol's is never taken for Walt's nor hidden by it. */
static void
test_copied_id (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Boat shed", "Carpentry", "Cedar.");
  ReinMarketService *marias = market_of (&f->mia);
  const gchar *carol = rein_identity_get_delegate_public_key (f->carol.identity);
  const gchar *walt = rein_identity_get_delegate_public_key (f->walt.identity);
  g_autofree gchar *copy = g_strdup_printf (
      "Rein Job\nJob name: Boat shed\nJob ID: %s\nCategory: Carpentry\nDescription: Cedar.\n"
      "Mediator: %s\nMediator contact: %s\nMediator fee: 1.5%%\n"
      "Mediator public key: %s\nMediator master address: %s\nJob creator: %s\n"
      "Job creator contact: %s\nJob creator public key: %s\n"
      "Job creator master address: %s",
      job_id, rein_identity_get_name (f->mia.identity), rein_identity_get_contact (f->mia.identity),
      rein_identity_get_delegate_public_key (f->mia.identity),
      rein_identity_get_master_address (f->mia.identity), rein_identity_get_name (f->walt.identity),
      rein_identity_get_contact (f->walt.identity), walt,
      rein_identity_get_master_address (f->walt.identity));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (ReinJob) one = NULL;

  put_unchecked (&f->walt, copy);
  rein_market_service_load_jobs_async (marias, (const gchar *const[]){ job_id, job_id, NULL },
                                       (const gchar *const[]){ carol, walt, NULL }, NULL, wait_cb,
                                       &result);
  wait_for (&result);
  jobs = rein_market_service_load_jobs_finish (marias, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_nonnull (g_ptr_array_index (jobs, 0));
  g_assert_nonnull (g_ptr_array_index (jobs, 1));
  g_assert_true (rein_same_key (rein_job_get_creator_key (g_ptr_array_index (jobs, 0)), carol));
  g_assert_true (rein_same_key (rein_job_get_creator_key (g_ptr_array_index (jobs, 1)), walt));
  g_clear_object (&result);

  /* the single read, by Carol's key */
  rein_market_service_load_job_async (marias, job_id, carol, NULL, wait_cb, &result);
  wait_for (&result);
  one = rein_market_service_load_job_finish (marias, result, &error);
  g_assert_no_error (error);
  g_assert_true (rein_same_key (rein_job_get_creator_key (one), carol));
}

/* A document that would not validate is neither stored nor pushed. */
static void
test_publish_refuses_invalid (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Translate a manual", "Writing", "40 pages.");
  ReinMarketService *walts = market_of (&f->walt);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPublication) bid = NULL;
  g_autofree gchar *text = NULL;
  guint before;
  ReinBidParams params = { 0 };

  rein_market_service_load_job_async (walts, job_id, NULL, NULL, wait_cb, &result);
  wait_for (&result);
  job = rein_market_service_load_job_finish (walts, result, &error);
  g_assert_no_error (error);

  /* Walt's bid with its escrow address swapped for another: every reader
   * recomputes the escrow from the keys, and so does the publisher. */
  params.worker = "Walt";
  params.worker_contact = "Walt@example.com";
  params.worker_master_address = rein_identity_get_master_address (f->walt.identity);
  params.worker_public_key = rein_identity_get_delegate_public_key (f->walt.identity);
  params.description = "Cheap.";
  params.bid_amount = "1";
  text = rein_document_build_bid (rein_job_get_posting (job), &params, REIN_NETWORK_MAINNET,
                                  &error);
  g_assert_no_error (error);
  {
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    const gchar *mediator_escrow = NULL;

    for (guint i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], REIN_LABEL_MEDIATOR_ESCROW_ADDRESS ": "))
        mediator_escrow = lines[i] + strlen (REIN_LABEL_MEDIATOR_ESCROW_ADDRESS ": ");
    g_assert_nonnull (mediator_escrow);
    for (guint i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], REIN_LABEL_PRIMARY_ESCROW_ADDRESS ": "))
        {
          g_free (lines[i]);
          lines[i] = g_strconcat (REIN_LABEL_PRIMARY_ESCROW_ADDRESS ": ", mediator_escrow, NULL);
          break;
        }
    g_free (text);
    text = g_strjoinv ("\n", lines);
  }
  before = rein_store_count_own_documents (f->walt.store, rein_identity_get_id (f->walt.identity));
  bid = publish (&f->walt, job, text, &error);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT);
  g_assert_nonnull (strstr (error->message, "escrow"));
  g_assert_null (bid);
  g_assert_cmpuint (rein_store_count_own_documents (f->walt.store,
                                                    rein_identity_get_id (f->walt.identity)),
                    ==, before);
}
/* The same text signed again is the same document: the job has it, so it
 * has no verdict of its own, and nothing is published twice. */
static void
test_publish_twice (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Once only", "Design", "Once.");
  ReinMarketService *carols = rein_context_get_market (f->carol.context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPublication) again = NULL;

  rein_market_service_load_job_async (carols, job_id, NULL, NULL, wait_cb, &result);
  wait_for (&result);
  job = rein_market_service_load_job_finish (carols, result, &error);
  g_assert_no_error (error);
  again = publish (&f->carol, job, rein_document_get_text (rein_job_get_posting (job)), &error);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT);
  g_assert_null (again);
}

/* Forged documents put on the server directly never reach the market. */
static void
test_forged_never_shown (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Real job", "Design", "Real.");
  ReinMarketService *walts = market_of (&f->walt);
  g_autofree gchar *forged_id = put_forged_posting (f->server, &f->carol, &f->mia, "Forged job");
  g_autoptr (ReinJobSummary) real = NULL;
  g_autoptr (ReinJobSummary) forged = NULL;

  refresh (walts);
  real = find_summary (walts, job_id);
  forged = find_summary (walts, forged_id);
  g_assert_nonnull (real);
  g_assert_null (forged);
}

/* The market opens from the index with every server down. */
static void
test_offline (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Offline job", "Design", "Offline.");
  g_autoptr (ReinContext) again = NULL;
  g_autoptr (ReinJobSummary) found = NULL;
  ReinMarketService *market;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  refresh (market_of (&f->walt));
  test_server_stop (f->server);
  g_clear_pointer (&f->server, test_server_free);

  again = rein_context_new (f->walt.store);
  g_clear_object (&f->walt.context);
  f->walt.context = g_object_ref (again);
  market = market_of (&f->walt);
  found = find_summary (market, job_id);
  g_assert_nonnull (found);

  /* A refresh fails, saying so, and keeps what is there. */
  rein_market_service_refresh_async (market, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_market_service_refresh_finish (market, result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (rein_market_service_get_error (market));
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (market)), ==, 1);
}

/* Walt's app started again on its data folder: a new context. */
static ReinMarketService *
restart (Person *p)
{
  g_autoptr (ReinContext) again = rein_context_new (p->store);

  g_clear_object (&p->context);
  p->context = g_object_ref (again);
  return market_of (p);
}

/* The app started again reads only what is new since the refresh its
 * index holds (the store keeps each server's cursor once the index has
 * what was read), and builds the jobs that changed from the store's
 * documents and the new ones. */
static void
test_resume_after_start (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Kept job", "Design", "Kept.");
  g_autoptr (GHashTable) cursors = NULL;
  g_autoptr (GError) error = NULL;
  ReinMarketService *market = market_of (&f->walt);
  g_autoptr (ReinJobSummary) found = NULL;

  refresh (market);
  g_assert_cmpuint (rein_market_service_get_documents_read (market), >=, 1);
  /* The list shows the index: the reader's jobs (every document of the
   * market, after a first refresh) are let go. */
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (
                        rein_market_service_get_reader (market))), ==, 0);
  found = find_summary (market, job_id);
  g_assert_nonnull (found);
  g_clear_object (&found);
  cursors = rein_store_get_market_cursors (f->walt.store, rein_identity_get_id (f->walt.identity),
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (cursors), ==, 1);

  market = restart (&f->walt);
  refresh (market);
  g_assert_cmpuint (rein_market_service_get_documents_read (market), ==, 0);
  found = find_summary (market, job_id);
  g_assert_nonnull (found);
  g_assert_cmpuint (rein_job_summary_get_n_bids (found), ==, 0);
  g_clear_object (&found);

  place_bid (&f->walt, job_id, "0.01");
  market = restart (&f->walt);
  refresh (market);
  /* The bid: the posting is the store's. */
  g_assert_cmpuint (rein_market_service_get_documents_read (market), ==, 1);
  found = find_summary (market, job_id);
  g_assert_nonnull (found);
  g_assert_cmpuint (rein_job_summary_get_n_bids (found), ==, 1);
  g_assert_cmpint (rein_job_summary_get_state (found), ==, REIN_JOB_STATE_BIDS);
}

/* A cursor the server never gave (its database was replaced since): the
 * refresh that finds out forgets it, and the next reads everything. */
static void
test_resume_replaced_server (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) cursors = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) kept = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job_id = NULL;
  ReinMarketService *market = market_of (&f->walt);
  g_autoptr (ReinJobSummary) found = NULL;
  gint64 walt = rein_identity_get_id (f->walt.identity);

  refresh (market);
  g_hash_table_insert (cursors, f->server->url, "1000000");
  g_assert_true (rein_store_set_market_cursors (f->walt.store, walt, cursors, &error));
  g_assert_no_error (error);
  job_id = post_job (&f->carol, &f->mia, "After the reset", "Design", "New.");

  market = restart (&f->walt);
  refresh (market);
  kept = rein_store_get_market_cursors (f->walt.store, walt, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (kept), ==, 0);
  g_clear_pointer (&kept, g_hash_table_unref);

  refresh (market);
  found = find_summary (market, job_id);
  g_assert_nonnull (found);
  kept = rein_store_get_market_cursors (f->walt.store, walt, &error);
  g_assert_cmpuint (g_hash_table_size (kept), ==, 1);
  g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (kept, f->server->url), NULL, 10), <,
                    1000000);
}

/* Switching identity in the middle of a refresh ends it cleanly. */
static void
test_switch_cancels (Fixture *f, gconstpointer data)
{
  ReinMarketService *market = market_of (&f->walt);
  g_autoptr (GAsyncResult) refreshed = NULL;
  g_autoptr (GAsyncResult) loaded = NULL;
  g_autoptr (GError) error = NULL;

  rein_market_service_refresh_async (market, NULL, wait_cb, &refreshed);
  rein_market_service_load_job_async (market, "aaaaaaaaaaaaaaaaaaaa", NULL, NULL, wait_cb,
                                      &loaded);
  rein_market_service_set_identity (market, NULL);
  wait_for (&refreshed);
  wait_for (&loaded);
  g_assert_false (rein_market_service_refresh_finish (market, refreshed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (rein_market_service_load_job_finish (market, loaded, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (rein_market_service_get_refreshing (market));
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (market)), ==, 0);
  /* Late answers of the old reader must not crash or fill the market. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (market)), ==, 0);
  /* The ended refresh says nothing about the next identity's market. */
  g_assert_null (rein_market_service_get_error (market));
  rein_market_service_set_identity (market, f->walt.identity);
  g_assert_false (rein_market_service_get_refreshing (market));
  refresh (market);
  g_assert_null (rein_market_service_get_error (market));
}

static void
count_changes_cb (GListModel *model, guint position, guint removed, guint added, guint *changes)
{
  (*changes)++;
}

/* What the refresh's worker steps and the main loop did meanwhile. */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint turns;          /* main-loop dispatches of a timer */
  guint steps;          /* worker steps started */
  guint held;           /* steps that waited for the main loop to turn */
  guint on_main_thread; /* steps run by the main loop's thread */
  guint splices;        /* changes of the market's jobs model */
  guint biggest_splice; /* most rows one change added or removed */
  guint first_added;    /* rows the first change added */
  ReinMarketService *market; /* when set: its rows looked at each change */
  GPtrArray *rows;      /* rein_market_service_dup_rows() at the last change */
  guint rows_arrays;    /* different arrays it gave meanwhile */
} Watch;

#define TURNS_PER_STEP 3

/* What "documents-read" told during a refresh. */
typedef struct
{
  guint notifies;
  guint last;         /* its value at the last notify */
  gint64 last_time;   /* when (monotonic µs), 0: before any non-zero value */
  gint64 closest;     /* the shortest time between two notifies of counts */
  gboolean went_down; /* a count smaller than the one before */
} ReadWatch;

static void
documents_read_cb (ReinMarketService *market, GParamSpec *pspec, ReadWatch *r)
{
  guint n = rein_market_service_get_documents_read (market);
  gint64 now = g_get_monotonic_time ();

  r->notifies++;
  if (n < r->last)
    r->went_down = TRUE;
  if (n > 0 && r->last_time != 0)
    r->closest = r->closest == 0 ? now - r->last_time : MIN (r->closest, now - r->last_time);
  if (n > 0)
    r->last_time = now;
  r->last = n;
}

/* Each worker step waits until the main loop has turned a few times: the
 * refresh ends only if the main loop keeps going while its steps run (a
 * step run on the main loop's thread would stall it for good: it is
 * counted instead). */
static void
hold_step_cb (const gchar *step, gpointer data)
{
  Watch *w = data;
  guint until;

  g_mutex_lock (&w->lock);
  w->steps++;
  if (g_main_context_is_owner (g_main_context_default ()))
    {
      w->on_main_thread++;
      g_mutex_unlock (&w->lock);
      return;
    }
  until = w->turns + TURNS_PER_STEP;
  while (w->turns < until)
    g_cond_wait (&w->cond, &w->lock);
  w->held++;
  g_mutex_unlock (&w->lock);
}

static gboolean
turn_cb (gpointer data)
{
  Watch *w = data;

  g_mutex_lock (&w->lock);
  w->turns++;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  return G_SOURCE_CONTINUE;
}

static void
watch_splices_cb (GListModel *model, guint position, guint removed, guint added, Watch *w)
{
  if (removed == 0 && added == 0) /* emptied already */
    return;
  if (w->splices++ == 0)
    w->first_added = added;
  w->biggest_splice = MAX (w->biggest_splice, MAX (removed, added));
  if (w->market != NULL)
    {
      GPtrArray *rows = rein_market_service_dup_rows (w->market);

      if (rows != w->rows)
        w->rows_arrays++;
      g_clear_pointer (&w->rows, g_ptr_array_unref);
      w->rows = rows;
    }
}

/* A refresh of a few thousand documents keeps off the main loop: every
 * worker step (parsing aside, signature checks, validation, the store)
 * runs while the main loop turns, and the market's list grows in bounded
 * steps, not in one change of the whole market. A second refresh, with
 * nothing new, checks no signature again and changes no row. Counts, not
 * times: how long the main loop waits is bench-market's max_stall_ms. */
static void
test_refresh_off_main_loop (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-services-XXXXXX", &error);
  g_autofree gchar *database = g_build_filename (dir, "rein-server.db", NULL);
  /* More jobs than one change of the list takes. */
  const guint n_jobs = 2 * REIN_MARKET_SERVICE_SPLICE_ROWS + 200, bids = 1;
  TestServer *server;
  Person reader = { 0 };
  ReinMarketService *market;
  GListModel *jobs;
  Watch w = { 0 };
  ReadWatch r = { 0 };
  guint timer;
  guint64 checks;
  guint changes = 0;

  g_assert_no_error (error);
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  market_data_write (database, n_jobs, bids, NULL, NULL);
  server = test_server_start (database, NULL);
  person_init (&reader, server, "Reader", FALSE);
  market = market_of (&reader);
  jobs = rein_market_service_get_jobs (market);

  {
    g_autoptr (GAsyncResult) result = NULL;

    checks = rein_document_get_n_signature_checks ();
    rein_market_reader_set_step_hook (hold_step_cb, &w);
    timer = g_timeout_add (1, turn_cb, &w);
    w.market = market;
    g_signal_connect (jobs, "items-changed", G_CALLBACK (watch_splices_cb), &w);
    g_signal_connect (market, "notify::documents-read", G_CALLBACK (documents_read_cb), &r);
    rein_market_service_refresh_async (market, NULL, wait_cb, &result);
    wait_for (&result);
    g_signal_handlers_disconnect_by_func (jobs, watch_splices_cb, &w);
    g_source_remove (timer);
    rein_market_reader_set_step_hook (NULL, NULL);
    g_assert_true (rein_market_service_refresh_finish (market, result, &error));
    g_assert_no_error (error);
  }
  checks = rein_document_get_n_signature_checks () - checks;
  g_test_message ("a refresh of %u documents: %" G_GUINT64_FORMAT " signature checks, %u worker "
                  "steps, %u main-loop turns, %u changes of the list",
                  n_jobs * (1 + bids), checks, w.steps, w.turns, w.splices);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, n_jobs);
  g_assert_cmpuint (checks, >=, n_jobs * (1 + bids));
  /* Pages checked, signers found, jobs validated and stored, mediators. */
  g_assert_cmpuint (w.steps, >=, 4);
  g_assert_cmpuint (w.on_main_thread, ==, 0);
  g_assert_cmpuint (w.held, ==, w.steps);
  g_assert_cmpuint (w.turns, >=, w.steps * TURNS_PER_STEP);

  /* The count a window shows while it runs: every document read once,
   * growing, and told at most every 250 ms (a page is read far more
   * often: each change of it costs the window a layout). A count left
   * for later is told then. */
  g_assert_cmpuint (rein_market_service_get_documents_read (market), >=, n_jobs * (1 + bids));
  while (r.last != rein_market_service_get_documents_read (market))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (market, documents_read_cb, &r);
  g_test_message ("documents-read: %u notifies, the closest %" G_GINT64_FORMAT " µs apart",
                  r.notifies, r.closest);
  g_assert_false (r.went_down);
  g_assert_cmpuint (r.notifies, >=, 2);
  g_assert_true (r.closest == 0 || r.closest >= 249 * 1000);
  g_assert_cmpuint (w.biggest_splice, <=, REIN_MARKET_SERVICE_SPLICE_ROWS);
  g_assert_cmpuint (w.splices, >=, (n_jobs + REIN_MARKET_SERVICE_SPLICE_ROWS - 1)
                                     / REIN_MARKET_SERVICE_SPLICE_ROWS);
  /* From the first of those changes on, the market's rows were the ones
   * the list ended with (a view sorts them once, not at each step): one
   * array, the list's rows in its order, the same once the list is in. */
  g_assert_cmpuint (w.rows_arrays, ==, 1);
  g_assert_nonnull (w.rows);
  g_assert_cmpuint (w.rows->len, ==, g_list_model_get_n_items (jobs));
  for (guint i = 0; i < w.rows->len; i++)
    {
      g_autoptr (GObject) row = g_list_model_get_item (jobs, i);

      g_assert_true (row == w.rows->pdata[i]);
    }
  {
    g_autoptr (GPtrArray) now = rein_market_service_dup_rows (market);

    g_assert_true (now == w.rows);
  }
  g_clear_pointer (&w.rows, g_ptr_array_unref);

  /* Nothing new: no signature checked, no row replaced. */
  checks = rein_document_get_n_signature_checks ();
  g_signal_connect (jobs, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  refresh (market);
  g_signal_handlers_disconnect_by_func (jobs, count_changes_cb, &changes);
  g_assert_cmpuint (rein_document_get_n_signature_checks () - checks, ==, 0);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, n_jobs);

  /* The app starting again on that store: the newest rows first, then
   * all of them, the first ones where they were. */
  {
    g_autoptr (ReinContext) again = rein_context_new (reader.store);
    ReinMarketService *started = rein_context_get_market (again);
    GListModel *rows = rein_market_service_get_jobs (started);
    Watch first = { 0 };
    /* The first context (and its market, @jobs) kept to compare with. */
    g_autoptr (ReinContext) before = g_steal_pointer (&reader.context);

    g_signal_connect (rows, "items-changed", G_CALLBACK (watch_splices_cb), &first);
    reader.context = g_object_ref (again);
    market_of (&reader);
    g_signal_handlers_disconnect_by_func (rows, watch_splices_cb, &first);
    g_test_message ("at start: %u changes of the list, the first added %u rows", first.splices,
                    first.first_added);
    g_assert_cmpuint (first.first_added, ==, REIN_MARKET_SERVICE_FIRST_ROWS);
    g_assert_cmpuint (first.splices, ==, 2);
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_jobs);
    for (guint i = 0; i < REIN_MARKET_SERVICE_FIRST_ROWS; i++)
      {
        g_autoptr (ReinJobSummary) a = g_list_model_get_item (rows, i);
        g_autoptr (ReinJobSummary) b = g_list_model_get_item (jobs, i);

        g_assert_cmpstr (rein_job_summary_get_job_id (a), ==, rein_job_summary_get_job_id (b));
      }
  }

  person_clear (&reader);
  test_server_stop (server);
  test_server_free (server);
  rein_test_remove_tree (dir);
  g_cond_clear (&w.cond);
  g_mutex_clear (&w.lock);
}

static gboolean
switch_away_cb (gpointer data)
{
  rein_market_service_set_identity (data, NULL);
  return G_SOURCE_REMOVE;
}

/* An identity switch at any moment of a refresh (reading, saving,
 * reloading) ends it once, cleanly (the sanitizer build checks the
 * memory). */
static void
test_switch_any_time (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Switch", "Design", "Any time.");
  ReinMarketService *market = market_of (&f->walt);

  for (guint delay = 0; delay <= 120; delay += 8)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;

      rein_market_service_set_identity (market, f->walt.identity);
      rein_market_service_refresh_async (market, NULL, wait_cb, &result);
      g_timeout_add (delay, switch_away_cb, market);
      wait_for (&result);
      if (!rein_market_service_refresh_finish (market, result, &error))
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      /* let the switch happen when the refresh won the race */
      while (rein_market_service_get_identity (market) != NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (rein_market_service_get_refreshing (market));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rein_secret_set_scrypt_cost (10);
  g_test_add ("/client/services/post-and-bid", Fixture, NULL, fixture_setup, test_post_and_bid,
              fixture_teardown);
  g_test_add ("/client/services/load-several", Fixture, NULL, fixture_setup, test_load_several,
              fixture_teardown);
  g_test_add ("/client/services/copied-id", Fixture, NULL, fixture_setup, test_copied_id,
              fixture_teardown);
  g_test_add ("/client/services/rows-kept", Fixture, NULL, fixture_setup, test_rows_kept,
              fixture_teardown);
  g_test_add ("/client/services/publish-refuses-invalid", Fixture, NULL, fixture_setup,
              test_publish_refuses_invalid, fixture_teardown);
  g_test_add ("/client/services/publish-twice", Fixture, NULL, fixture_setup, test_publish_twice,
              fixture_teardown);
  g_test_add ("/client/services/forged-never-shown", Fixture, NULL, fixture_setup,
              test_forged_never_shown, fixture_teardown);
  g_test_add ("/client/services/offline", Fixture, NULL, fixture_setup, test_offline,
              fixture_teardown);
  g_test_add ("/client/services/switch-any-time", Fixture, NULL, fixture_setup,
              test_switch_any_time, fixture_teardown);
  g_test_add ("/client/services/switch-cancels", Fixture, NULL, fixture_setup,
              test_switch_cancels, fixture_teardown);
  g_test_add ("/client/services/resume-after-start", Fixture, NULL, fixture_setup,
              test_resume_after_start, fixture_teardown);
  g_test_add ("/client/services/resume-replaced-server", Fixture, NULL, fixture_setup,
              test_resume_replaced_server, fixture_teardown);
  g_test_add_func ("/client/services/refresh-off-main-loop", test_refresh_off_main_loop);
  return g_test_run ();
}

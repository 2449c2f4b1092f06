/* test-causeway.c: the market reader on servers that answer as the
 * original Causeway does (tests/server/causeway-server.py)
 *
 * The original has no "enrollments" query: the last version answers it
 * with an empty list, earlier ones with an HTML 500 page. The reader must
 * still learn who signed what, with python-rein 0.3's "get_user" and the
 * "mediators" query, without calling the server failed, and must keep
 * using "enrollments" where rein-server answers it. A counting proxy in
 * front of each server shows what the reader asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "causeway-fixture.h"
#include "net-test-util.h"
#include "rein-client.h"
#include "rein-market-reader.h"
#include "rein-test-util.h"

#define JOB_ID "causewayjob000000001"
#define LATER_JOB_ID "causewayjob000000002"

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity; /* the reader */
  TestServer *causeway;
  CountingProxy *proxy;   /* in front of @causeway */
  Identity *creator;
  Identity *worker;
  Identity *mediator;
  gchar *mediator_enrollment;
  guint failed;           /* "server-failed" signals */
  guint warnings;         /* "warning" signals */
} Fixture;

static void
enroll_on (TestServer *server, Identity *who, gboolean mediator)
{
  g_autofree gchar *enrollment = identity_enrollment (who, mediator);

  identity_register (who, server);
  identity_put_ok (who, server, enrollment);
}

/* @creator's posting of @job_id, naming the fixture's mediator. */
static gchar *
signed_posting (Fixture *f, Identity *creator, const gchar *job_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mediator = rein_document_new_from_armored (f->mediator_enrollment,
                                                                      -1, &error);
  g_autofree gchar *text = NULL;
  ReinJobParams params = {
    .job_name = "A logo",
    .job_id = job_id,
    .category = "Design",
    .description = "Round",
    .creator = creator->name,
    .creator_contact = "creator@example.com",
    .creator_public_key = creator->public_key,
    .creator_master_address = creator->master_address,
  };

  g_assert_no_error (error);
  g_assert_true (rein_job_params_set_mediator (&params, mediator, &error));
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  return identity_sign (creator, text);
}

static void
server_failed_cb (ReinMarketReader *reader, const gchar *url, GError *error, Fixture *f)
{
  g_test_message ("server failed: %s: %s", url, error->message);
  f->failed++;
}

static void
warning_cb (ReinMarketReader *reader, GError *error, Fixture *f)
{
  g_test_message ("warning: %s", error->message);
  f->warnings++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *posting = NULL;
  g_autofree gchar *bid = NULL;

  f->store = net_test_reader_store ("rein-causeway-XXXXXX", &f->dir, &f->identity);

  f->causeway = test_causeway_start (GPOINTER_TO_INT (data));
  f->proxy = counting_proxy_new (f->causeway->url);
  rein_store_add_server (f->store, f->proxy->url, &error);
  g_assert_no_error (error);
  test_server_register (f->causeway, rein_identity_get_master_address (f->identity),
                        rein_identity_get_delegate_address (f->identity), "r@example.com");

  f->creator = identity_new ("Carol");
  f->worker = identity_new ("Walt");
  f->mediator = identity_new ("Mia");
  f->mediator_enrollment = identity_enrollment (f->mediator, TRUE);
  enroll_on (f->causeway, f->creator, FALSE);
  enroll_on (f->causeway, f->worker, FALSE);
  identity_register (f->mediator, f->causeway);
  identity_put_ok (f->mediator, f->causeway, f->mediator_enrollment);

  posting = signed_posting (f, f->creator, JOB_ID);
  bid = identity_bid (f->worker, posting, "0.02", "In a week");
  identity_put_ok (f->creator, f->causeway, posting);
  identity_put_ok (f->worker, f->causeway, bid);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->proxy, counting_proxy_free);
  g_clear_pointer (&f->causeway, test_server_free);
  identity_free (f->creator);
  identity_free (f->worker);
  identity_free (f->mediator);
  g_free (f->mediator_enrollment);
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

static ReinMarketReader *
new_reader (Fixture *f, const gchar *const *servers)
{
  ReinMarketReader *reader = rein_market_reader_new (f->store, f->identity, servers);

  g_signal_connect (reader, "server-failed", G_CALLBACK (server_failed_cb), f);
  g_signal_connect (reader, "warning", G_CALLBACK (warning_cb), f);
  return reader;
}

typedef struct
{
  GAsyncResult *result;
  gboolean done;
} Pending;

static void
got_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;

  pending->result = g_object_ref (result);
  pending->done = TRUE;
}

/* Refreshes the jobs, asserting success. */
static void
refresh_jobs (ReinMarketReader *reader)
{
  g_autoptr (GError) error = NULL;
  Pending pending = { 0 };
  gboolean ok;

  rein_market_reader_refresh_async (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, got_result_cb,
                                    &pending);
  net_test_wait (&pending.done);
  g_assert_nonnull (pending.result);
  ok = rein_market_reader_refresh_finish (reader, pending.result, &error);
  g_clear_object (&pending.result);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The queries @proxy passed on whose query is @name. */
static guint
count_queries (CountingProxy *proxy, const gchar *name)
{
  g_autofree gchar *needle = g_strdup_printf ("query=%s&", name);
  g_autofree gchar *last = g_strdup_printf ("query=%s", name);
  guint n = 0;

  for (guint i = 0; i < proxy->requests->len; i++)
    {
      const gchar *line = g_ptr_array_index (proxy->requests, i);

      if (!g_str_has_prefix (line, "GET /query?"))
        continue;
      if (strstr (line, needle) != NULL || g_str_has_suffix (line, last))
        n++;
    }
  return n;
}

/* The only job of @reader: its posting and bid are valid. */
static void
assert_job_valid (ReinMarketReader *reader, const gchar *job_id, guint n_jobs)
{
  GListModel *jobs = rein_market_reader_get_jobs (reader);
  gboolean found = FALSE;

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, n_jobs);
  for (guint i = 0; i < n_jobs; i++)
    {
      g_autoptr (ReinJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_job_get_id (job), job_id) != 0)
        continue;
      g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
      found = TRUE;
    }
  g_assert_true (found);
}

/* On an original Causeway, the reader finds the creator's and the
 * worker's enrollments with "get_user", and the mediator's with
 * "mediators" or "get_user"; the server is not called failed. Signers
 * looked up once are not looked up again. */
static void
test_learn (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = new_reader (f, NULL);

  refresh_jobs (reader);
  assert_job_valid (reader, JOB_ID, 1);
  g_assert_cmpuint (f->failed, ==, 0);
  g_assert_cmpuint (f->warnings, ==, 0);
  g_assert_cmpuint (count_queries (f->proxy, "enrollments"), ==, 1);
  g_assert_cmpuint (count_queries (f->proxy, "mediators"), ==, 1);
  /* The creator, the worker and the mediator (named by the posting). */
  g_assert_cmpuint (count_queries (f->proxy, "get_user"), ==, 3);

  counting_proxy_reset (f->proxy);
  refresh_jobs (reader);
  assert_job_valid (reader, JOB_ID, 1);
  g_assert_cmpuint (count_queries (f->proxy, "get_user"), ==, 0);
  g_assert_cmpuint (f->failed, ==, 0);
}

/* A server that answered "enrollments" with an error lacks it: it is not
 * asked it again, and a new signer is found with "get_user". A server
 * that answered it with documents has it: it is not asked "get_user". */
static void
test_fast_path (Fixture *f, gconstpointer data)
{
  g_autoptr (TestServer) ours = test_server_start (NULL, NULL);
  g_autoptr (CountingProxy) ours_proxy = counting_proxy_new (ours->url);
  g_autoptr (ReinMarketReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) dora = identity_new ("Dora");
  g_autofree gchar *later = NULL;
  g_autofree gchar *dora_enrollment = identity_enrollment (dora, FALSE);

  rein_store_add_server (f->store, ours_proxy->url, &error);
  g_assert_no_error (error);
  test_server_register (ours, rein_identity_get_master_address (f->identity),
                        rein_identity_get_delegate_address (f->identity), "r@example.com");
  /* rein-server holds the worker's enrollment only. */
  enroll_on (ours, f->worker, FALSE);
  reader = new_reader (f, NULL);

  refresh_jobs (reader);
  assert_job_valid (reader, JOB_ID, 1);
  g_assert_cmpuint (f->failed, ==, 0);
  g_assert_cmpuint (f->warnings, ==, 0);
  g_assert_cmpuint (count_queries (f->proxy, "enrollments"), ==, 1);
  g_assert_cmpuint (count_queries (ours_proxy, "enrollments"), ==, 1);
  g_assert_cmpuint (count_queries (ours_proxy, "get_user"), ==, 0);
  g_assert_cmpuint (count_queries (ours_proxy, "mediators"), ==, 0);
  /* All but the worker: the creator and the mediator. */
  g_assert_cmpuint (count_queries (f->proxy, "get_user"), ==, 2);

  /* Dora, new, posts on the Causeway. */
  enroll_on (f->causeway, dora, FALSE);
  later = signed_posting (f, dora, LATER_JOB_ID);
  identity_put_ok (dora, f->causeway, later);
  counting_proxy_reset (f->proxy);
  counting_proxy_reset (ours_proxy);
  refresh_jobs (reader);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_cmpuint (count_queries (f->proxy, "get_user"), ==, 1);
  g_assert_cmpuint (count_queries (ours_proxy, "get_user"), ==, 0);
  g_assert_cmpuint (count_queries (ours_proxy, "enrollments"), ==, 1);
  /* The Causeway that answered "enrollments" with an error is not asked
   * it again; one that answered an empty list may have it. */
  if (GPOINTER_TO_INT (data) & TEST_CAUSEWAY_UNKNOWN_QUERY_ERROR)
    g_assert_cmpuint (count_queries (f->proxy, "enrollments"), ==, 0);
  else
    g_assert_cmpuint (count_queries (f->proxy, "enrollments"), ==, 1);
  g_assert_cmpuint (f->failed, ==, 0);
}

/* The original caps every answer at 100 and ignores paging: the reader
 * takes the 100 it gets, once, and does not ask for more pages. */
static void
test_capped (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = NULL;

  for (guint i = 0; i < 105; i++)
    {
      g_autofree gchar *job_id = g_strdup_printf ("capped%014u", i);
      g_autofree gchar *posting = signed_posting (f, f->creator, job_id);

      identity_put_ok (f->creator, f->causeway, posting);
    }
  reader = new_reader (f, NULL);
  refresh_jobs (reader);
  g_assert_cmpuint (count_queries (f->proxy, "jobs"), ==, 1);
  /* The first 100 postings: JOB_ID's and 99 others. */
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 100);
  g_assert_cmpuint (f->failed, ==, 0);
}

/* A put of @who's (with their delegate key, in @testnet form) through
 * ReinClient; NULL when it was taken. */
static GError *
client_put (TestServer *server, Identity *who, gboolean testnet)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinClient) client = rein_client_new (server->url, &error);
  g_autofree gchar *key = random_key ();
  Pending pending = { 0 };
  const gchar *nonce;

  g_assert_no_error (error);
  g_clear_pointer (&who->nonce, g_free);
  nonce = identity_fetch_nonce (who, server);
  rein_client_put_async (client, key, "Some text", nonce, who->delegate, who->master_address,
                         testnet, NULL, got_result_cb, &pending);
  net_test_wait (&pending.done);
  rein_client_put_finish (client, pending.result, &error);
  g_clear_object (&pending.result);
  g_clear_pointer (&who->nonce, g_free);
  return g_steal_pointer (&error);
}

/* The original Causeway on mainnet refuses a testnet document (signed
 * with a testnet address) with a bare "Incorrect signature": the user is
 * told what it means. In testnet mode it takes it; a mainnet put that
 * really is badly signed keeps the server's words. */
static void
test_testnet_put (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) refused = client_put (f->causeway, f->creator, TRUE);
  g_autoptr (GError) mainnet = client_put (f->causeway, f->creator, FALSE);
  g_autoptr (TestServer) testnet_server = test_causeway_start (TEST_CAUSEWAY_TESTNET);
  g_autoptr (GError) taken = NULL;
  g_autoptr (GError) wrong = NULL;

  g_assert_error (refused, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (refused->message, "this server does not take testnet documents"));
  g_assert_no_error (mainnet);

  identity_register (f->creator, testnet_server);
  taken = client_put (testnet_server, f->creator, TRUE);
  g_assert_no_error (taken);
  wrong = client_put (testnet_server, f->creator, FALSE);
  g_assert_error (wrong, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (wrong->message, "Incorrect signature"));
  g_assert_null (strstr (wrong->message, "testnet"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, flags, fn)                                                                  \
  g_test_add (path, Fixture, GINT_TO_POINTER (flags), fixture_setup, fn, fixture_teardown)
  ADD ("/net/causeway/learn", TEST_CAUSEWAY_MAINNET, test_learn);
  ADD ("/net/causeway/learn-old", TEST_CAUSEWAY_UNKNOWN_QUERY_ERROR, test_learn);
  ADD ("/net/causeway/fast-path", TEST_CAUSEWAY_MAINNET, test_fast_path);
  ADD ("/net/causeway/fast-path-old", TEST_CAUSEWAY_UNKNOWN_QUERY_ERROR, test_fast_path);
  ADD ("/net/causeway/capped", TEST_CAUSEWAY_MAINNET, test_capped);
  ADD ("/net/causeway/testnet-put", TEST_CAUSEWAY_MAINNET, test_testnet_put);
#undef ADD
  return g_test_run ();
}

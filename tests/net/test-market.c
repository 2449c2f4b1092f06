/* test-market.c: ReinMarketReader against real servers on loopback, a dead
 * one, forged documents and cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "net-test-util.h"
#include "rein-background.h"
#include "rein-client.h"
#include "rein-market-reader.h"
#include "rein-sync.h"
#include "server-fixture.h"
#include "rein-test-util.h"

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity; /* the reader */
  TestServer *a;
  TestServer *b;
  gchar *dead;
  gint64 a_id;
  gint64 b_id;
  Identity *creator;
  Identity *mediator;
  gchar *creator_enrollment;
  gchar *mediator_enrollment;

  /* What the signals said */
  GPtrArray *failed;     /* URLs */
  GPtrArray *warnings;   /* messages */
  guint progress_calls;
  guint last_done;
  guint last_total;
  guint items_changed;
} Fixture;

static void
put_as (Identity *who, TestServer *server, const gchar *text)
{
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) put = NULL;

  g_clear_pointer (&who->nonce, g_free);
  put = identity_put (who, server, key, text, FALSE);
  g_assert_cmpuint (put->status, ==, 201);
  g_clear_pointer (&who->nonce, g_free);
}

/* Servers answer queries of their account holders only. */
static void
register_reader (Fixture *f, TestServer *server)
{
  test_server_register (server, rein_identity_get_master_address (f->identity),
                        rein_identity_get_delegate_address (f->identity), "r@example.com");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Reader", .contact = "r@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  f->dir = g_dir_make_tmp ("rein-market-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->identity = rein_store_add_identity_from_mnemonic (f->store, &params, phrase, NULL, "pw",
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);

  f->a = test_server_start (NULL, NULL);
  f->b = test_server_start (NULL, NULL);
  f->dead = net_test_dead_url ();
  f->a_id = rein_store_add_server (f->store, f->a->url, &error);
  g_assert_no_error (error);
  f->b_id = rein_store_add_server (f->store, f->b->url, &error);
  g_assert_no_error (error);
  rein_store_add_server (f->store, f->dead, &error);
  g_assert_no_error (error);

  register_reader (f, f->a);
  register_reader (f, f->b);
  f->creator = identity_new ("Creator");
  f->mediator = identity_new ("Mediator");
  f->creator_enrollment = identity_enrollment (f->creator, FALSE);
  f->mediator_enrollment = identity_enrollment (f->mediator, TRUE);
  /* The enrollments are on server A only: the reader looks them up. */
  identity_register (f->creator, f->a);
  identity_register (f->creator, f->b);
  identity_register (f->mediator, f->a);
  put_as (f->creator, f->a, f->creator_enrollment);
  put_as (f->mediator, f->a, f->mediator_enrollment);

  f->failed = g_ptr_array_new_with_free_func (g_free);
  f->warnings = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_server_stop (f->a);
  test_server_free (f->a);
  test_server_stop (f->b);
  test_server_free (f->b);
  g_free (f->dead);
  identity_free (f->creator);
  identity_free (f->mediator);
  g_free (f->creator_enrollment);
  g_free (f->mediator_enrollment);
  g_ptr_array_unref (f->failed);
  g_ptr_array_unref (f->warnings);
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* A valid job posting by @creator (or a forgery when @signer differs)
 * naming the fixture's mediator. */
static gchar *
posting (Fixture *f, Identity *creator, Identity *signer, const gchar *job_id,
         const gchar *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mediator = rein_document_new_from_armored (f->mediator_enrollment,
                                                                      -1, &error);
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", creator->name);
  g_autofree gchar *text = NULL;
  ReinJobParams params = {
    .job_name = name,
    .job_id = job_id,
    .category = "Test",
    .description = "Something to do",
    .creator = creator->name,
    .creator_contact = contact,
    .creator_public_key = creator->public_key,
    .creator_master_address = creator->master_address,
  };

  g_assert_no_error (error);
  g_assert_true (rein_job_params_set_mediator (&params, mediator, &error));
  g_assert_no_error (error);
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  return identity_sign (signer, text);
}

static void
server_failed_cb (ReinMarketReader *reader, const gchar *url, GError *error, Fixture *f)
{
  g_assert_nonnull (error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_ptr_array_add (f->failed, g_strdup (url));
}

static void
warning_cb (ReinMarketReader *reader, GError *error, Fixture *f)
{
  g_ptr_array_add (f->warnings, g_strdup (error->message));
}

static void
progress_cb (ReinMarketReader *reader, const gchar *url, guint done, guint total, Fixture *f)
{
  g_assert_nonnull (url);
  if (done == 1) /* a new refresh */
    f->last_done = 0;
  g_assert_cmpuint (done, ==, f->last_done + 1);
  g_assert_cmpuint (done, <=, total);
  f->progress_calls++;
  f->last_done = done;
  f->last_total = total;
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Fixture *f)
{
  f->items_changed++;
}

static ReinMarketReader *
reader_new (Fixture *f, const gchar *const *servers)
{
  ReinMarketReader *reader = rein_market_reader_new (f->store, f->identity, servers);

  g_signal_connect (reader, "server-failed", G_CALLBACK (server_failed_cb), f);
  g_signal_connect (reader, "warning", G_CALLBACK (warning_cb), f);
  g_signal_connect (reader, "progress", G_CALLBACK (progress_cb), f);
  g_signal_connect (rein_market_reader_get_jobs (reader), "items-changed",
                    G_CALLBACK (items_changed_cb), f);
  g_signal_connect (rein_market_reader_get_mediators (reader), "items-changed",
                    G_CALLBACK (items_changed_cb), f);
  return reader;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Wait;

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  w->ok = rein_market_reader_refresh_finish (REIN_MARKET_READER (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
refresh (ReinMarketReader *reader,
         ReinMarketRefresh what,
         const gchar *const *job_ids,
         GCancellable *cancellable,
         GError **error)
{
  Wait w = { 0 };

  rein_market_reader_refresh_async (reader, what, job_ids, cancellable, refresh_cb, &w);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  net_test_wait (&w.done);
  if (w.error != NULL)
    g_propagate_error (error, w.error);
  return w.ok;
}

static ReinJob *
job_at (ReinMarketReader *reader, guint i)
{
  ReinJob *job = g_list_model_get_item (rein_market_reader_get_jobs (reader), i);

  g_object_unref (job); /* the model keeps it */
  return job;
}

static const gchar *
hash_of (const gchar *armored)
{
  static gchar hash[65];
  g_autoptr (ReinDocument) doc = rein_document_new_from_armored (armored, -1, NULL);

  g_assert_nonnull (doc);
  g_strlcpy (hash, rein_document_get_hash (doc), sizeof hash);
  return hash;
}

/* Jobs on two servers and a dead one: the model fills in one splice with
 * both, the dead server is reported, and the store knows where each
 * document came from. */
static void
test_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinMarketReader) reader = reader_new (f, NULL);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "aaaaaaaaaaaaaaaaaaaa", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "bbbbbbbbbbbbbbbbbbbb", "Two");
  GListModel *jobs = rein_market_reader_get_jobs (reader);
  gint64 source = -1;
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 2);
  g_assert_cmpuint (f->items_changed, ==, 1);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 0)), ==, "aaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 1)), ==, "bbbbbbbbbbbbbbbbbbbb");
  g_assert_cmpint (rein_job_get_state (job_at (reader, 0)), ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpint (rein_job_get_state (job_at (reader, 1)), ==, REIN_JOB_STATE_POSTED);

  /* The dead server failed, the others answered every query. */
  g_assert_cmpuint (f->failed->len, >=, 1);
  for (guint i = 0; i < f->failed->len; i++)
    g_assert_cmpstr (g_ptr_array_index (f->failed, i), ==, f->dead);
  g_assert_cmpuint (f->progress_calls, >, 0);
  g_assert_cmpuint (f->last_done, ==, f->last_total);

  /* Verdicts and sources are stored. */
  g_assert_true (rein_store_get_verdict (f->store, hash_of (job1), &verification, NULL, &error));
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
  g_assert_true (rein_store_get_document_source (f->store, hash_of (job1), &source, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, f->a_id);
  g_assert_true (rein_store_get_document_source (f->store, hash_of (job2), &source, NULL, &error));
  g_assert_cmpint (source, ==, f->b_id);
  g_assert_true (rein_store_get_document_source (f->store, hash_of (f->mediator_enrollment),
                                                 &source, NULL, &error));
  g_assert_cmpint (source, ==, f->a_id);

  /* The mediators, without a dead server this time. */
  {
    const gchar *alive[] = { f->a->url, f->b->url, NULL };
    g_autoptr (ReinMarketReader) live = reader_new (f, alive);
    g_autoptr (ReinDocument) mediator = NULL;
    GListModel *mediators = rein_market_reader_get_mediators (live);

    g_ptr_array_set_size (f->failed, 0);
    g_assert_true (refresh (live, REIN_MARKET_REFRESH_MEDIATORS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (f->failed->len, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (mediators), ==, 1);
    mediator = g_list_model_get_item (mediators, 0);
    g_assert_cmpstr (rein_document_get_hash (mediator), ==, hash_of (f->mediator_enrollment));
  }
}

/* Jobs by ID come in the order asked, unknown ones left out. */
static void
test_job_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinMarketReader) reader = reader_new (f, NULL);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "aaaaaaaaaaaaaaaaaaaa", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "bbbbbbbbbbbbbbbbbbbb", "Two");
  const gchar *ids[] = { "bbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccc",
                         "aaaaaaaaaaaaaaaaaaaa", NULL };

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOB_IDS, ids, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 0)), ==, "bbbbbbbbbbbbbbbbbbbb");
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 1)), ==, "aaaaaaaaaaaaaaaaaaaa");
}

/* Forged postings stay out of the model; their verdicts say why. */
static void
test_forged (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinMarketReader) reader = reader_new (f, NULL);
  g_autoptr (Identity) forger = identity_new ("Forger");
  g_autofree gchar *good = posting (f, f->creator, f->creator, "aaaaaaaaaaaaaaaaaaaa", "Good");
  /* Claims to be the creator's, signed by a key nobody enrolled. */
  g_autofree gchar *impostor = posting (f, f->creator, forger, "bbbbbbbbbbbbbbbbbbbb", "Fake");
  /* Its own creator, but never enrolled. */
  g_autofree gchar *unknown = posting (f, forger, forger, "cccccccccccccccccccc", "Who");
  g_autofree gchar *reason = NULL;
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;

  identity_register (forger, f->a);
  put_as (f->creator, f->a, good);
  put_as (forger, f->a, impostor);
  put_as (forger, f->a, unknown);

  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 0)), ==, "aaaaaaaaaaaaaaaaaaaa");

  for (const gchar **forged = (const gchar *[]){ impostor, unknown, NULL }; *forged; forged++)
    {
      g_assert_true (rein_store_get_verdict (f->store, hash_of (*forged), &verification, &reason,
                                             &error));
      g_assert_no_error (error);
      g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);
      g_assert_nonnull (reason);
      g_assert_cmpstr (reason, !=, "");
      g_test_message ("forged posting refused: %s", reason);
      g_clear_pointer (&reason, g_free);
    }
}

/* @worker's bid on @posting_text, signed by the worker. */
static gchar *
bid_on (Identity *worker, const gchar *posting_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) job = rein_document_new_from_armored (posting_text, -1, &error);
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", worker->name);
  g_autofree gchar *text = NULL;
  ReinBidParams params = {
    .worker = worker->name,
    .worker_contact = contact,
    .worker_master_address = worker->master_address,
    .worker_public_key = worker->public_key,
    .description = "Done in a week",
    .bid_amount = "0.05",
  };

  g_assert_no_error (error);
  text = rein_document_build_bid (job, &params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return identity_sign (worker, text);
}

/* An offer of @bid_text, signed by @signer (the job's creator, or not). */
static gchar *
offer_of (Identity *signer, const gchar *bid_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) bid = rein_document_new_from_armored (bid_text, -1, &error);
  g_autofree gchar *text = NULL;

  g_assert_no_error (error);
  text = rein_document_build_offer (bid, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return identity_sign (signer, text);
}

/* The "jobs" and "bids" queries see no offer: a jobs refresh must fetch
 * the later documents of the jobs with bids, so an awarded job says so,
 * while an offer signed by someone other than the creator awards
 * nothing. */
static void
test_awarded (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinMarketReader) reader = reader_new (f, NULL);
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "aaaaaaaaaaaaaaaaaaaa", "Awarded");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "bbbbbbbbbbbbbbbbbbbb", "Forged");
  g_autofree gchar *job3 = posting (f, f->creator, f->creator, "cccccccccccccccccccc", "Open");
  g_autofree gchar *bid1 = bid_on (worker, job1);
  g_autofree gchar *bid2 = bid_on (worker, job2);
  g_autofree gchar *offer1 = offer_of (f->creator, bid1);
  /* The worker awards itself the job. */
  g_autofree gchar *forged = offer_of (worker, bid2);
  g_autofree gchar *reason = NULL;
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;

  identity_register (worker, f->a);
  identity_register (worker, f->b);
  put_as (worker, f->a, worker_enrollment);
  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->a, job2);
  put_as (f->creator, f->b, job3);
  put_as (worker, f->a, bid1);
  put_as (worker, f->b, bid2);
  /* On the other server than the postings: the reader merges them. */
  put_as (f->creator, f->b, offer1);
  put_as (worker, f->a, forged);

  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 3);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 0)), ==, "aaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpint (rein_job_get_state (job_at (reader, 0)), ==, REIN_JOB_STATE_AWARDED);
  g_assert_cmpstr (rein_job_get_worker_key (job_at (reader, 0)), ==, worker->public_key);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 1)), ==, "bbbbbbbbbbbbbbbbbbbb");
  g_assert_cmpint (rein_job_get_state (job_at (reader, 1)), ==, REIN_JOB_STATE_BIDS);
  g_assert_null (rein_job_get_offer (job_at (reader, 1)));
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 2)), ==, "cccccccccccccccccccc");
  g_assert_cmpint (rein_job_get_state (job_at (reader, 2)), ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpuint (f->last_done, ==, f->last_total);

  /* The forged offer's verdict says why it does not count. */
  g_assert_true (rein_store_get_verdict (f->store, hash_of (forged), &verification, &reason,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);
  g_assert_nonnull (strstr (reason, "creator"));
  g_test_message ("forged offer refused: %s", reason);
}

/* No server answers: an error, and the model stays as it was. */
static void
test_all_dead (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gchar *dead[] = { f->dead, NULL };
  g_autoptr (ReinMarketReader) reader = reader_new (f, dead);

  g_assert_false (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "no server sent the market"));
  g_assert_cmpuint (f->failed->len, ==, 1);
  g_assert_cmpuint (f->items_changed, ==, 0);
}

/* A cancelled refresh says so and leaves the model alone, and the reader
 * works afterwards. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinMarketReader) reader = reader_new (f, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "aaaaaaaaaaaaaaaaaaaa", "One");

  put_as (f->creator, f->a, job1);
  g_assert_false (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->items_changed, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 0);
  g_clear_error (&error);

  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);
}

typedef struct
{
  gboolean done;
  GPtrArray *docs;
  GPtrArray *results;
  GError *error;
} QueryWait;

static void
query_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QueryWait *w = user_data;

  w->docs = rein_market_reader_query_finish (REIN_MARKET_READER (source), result, &w->error);
  w->done = TRUE;
}

static void
sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QueryWait *w = user_data;

  w->results = rein_sync_run_finish (REIN_SYNC (source), result, &w->error);
  w->done = TRUE;
}

/* A python-rein backup holds no enrollment: the reader finds the
 * identity's own on a server and stores it as the identity's, and the
 * next sync carries it to a server that never saw it. */
static void
test_own_enrollment (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) carol = identity_new ("Carol");
  g_autofree gchar *enrollment = identity_enrollment (carol, FALSE);
  gchar *wif = rein_private_key_to_wif (carol->delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *json = g_strdup_printf (
      "{\"name\": \"Carol\", \"contact\": \"Carol@example.com\", \"maddr\": \"%s\", "
      "\"daddr\": \"%s\", \"dkey\": \"%s\", \"will_mediate\": false, "
      "\"testnet\": false}", carol->master_address, carol->delegate_address, wif);
  g_autoptr (ReinIdentity) imported = NULL;
  g_autoptr (ReinIdentity) reread = NULL;
  g_autoptr (ReinMarketReader) reader = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (GPtrArray) own = NULL;

  rein_secure_free (wif);
  imported = rein_store_import_python_backup (f->store, json, strlen (json), "pw", &error);
  g_assert_no_error (error);
  g_assert_null (rein_identity_get_enrollment (imported));
  identity_register (carol, f->a);
  identity_register (carol, f->b);
  put_as (carol, f->a, enrollment);

  reader = rein_market_reader_new (f->store, imported, NULL);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);

  reread = rein_store_find_identity (f->store, "Carol", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_enrollment (reread), ==, enrollment);
  own = rein_store_list_own_documents (f->store, rein_identity_get_id (reread), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (own, 0), ==, enrollment);

  /* Sync, then server B holds it too. */
  delegate = rein_store_unlock_delegate_key (f->store, reread, "pw", &error);
  g_assert_no_error (error);
  {
    g_autoptr (ReinSync) sync = rein_sync_new (f->store);
    QueryWait w = { 0 };

    rein_sync_set_timeout (sync, 5);
    rein_sync_run_async (sync, reread, delegate, NULL, sync_cb, &w);
    net_test_wait (&w.done);
    g_assert_no_error (w.error);
    g_ptr_array_unref (w.results);
  }
  {
    const gchar *only_b[] = { f->b->url, NULL };
    const gchar *params[] = { "addresses", carol->delegate_address, NULL };
    g_autoptr (ReinMarketReader) on_b = rein_market_reader_new (f->store, reread, only_b);
    QueryWait w = { 0 };

    rein_market_reader_query_async (on_b, "enrollments", params, NULL, query_cb, &w);
    net_test_wait (&w.done);
    g_assert_no_error (w.error);
    g_assert_cmpuint (w.docs->len, ==, 1);
    g_assert_cmpstr (rein_document_get_armored (g_ptr_array_index (w.docs, 0)), ==, enrollment);
    g_ptr_array_unref (w.docs);
  }
}

/* A signature is checked once: the same posting on two servers is one
 * check, a second refresh (by a new reader, with new documents parsed
 * from the same texts) checks none, and a job whose signer was unknown
 * becomes valid when the enrollment turns up, with one check: the
 * enrollment's, the job's signature being known already. */
static void
test_checked_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) late = identity_new ("Late");
  g_autofree gchar *late_enrollment = identity_enrollment (late, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "cccccccccccccccccccc", "One");
  g_autofree gchar *job2 = posting (f, late, late, "dddddddddddddddddddd", "Late's");
  const gchar *alive[] = { f->a->url, f->b->url, NULL };
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;
  guint64 before;
  guint64 first, second, third;

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job1);
  /* Late has an account on B, but no enrollment anywhere yet. */
  identity_register (late, f->b);
  put_as (late, f->b, job2);

  {
    g_autoptr (ReinMarketReader) reader = reader_new (f, alive);

    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    first = rein_document_get_n_signature_checks () - before;
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);
  }
  /* job1 (sent twice), job2, the creator's and the mediator's enrollments,
   * and the reader's own from the store. */
  g_assert_cmpuint (first, ==, 5);
  g_assert_true (rein_store_get_verdict (f->store, hash_of (job2), &verification, NULL, &error));
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);

  {
    g_autoptr (ReinMarketReader) reader = reader_new (f, alive);

    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    second = rein_document_get_n_signature_checks () - before;
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);
  }
  g_test_message ("signature checks: %" G_GUINT64_FORMAT " then %" G_GUINT64_FORMAT, first,
                  second);
  g_assert_cmpuint (second, ==, 0);

  /* The enrollment arrives: the job is valid now, though its signature
   * check was answered from the store. */
  identity_register (late, f->a);
  put_as (late, f->a, late_enrollment);
  {
    g_autoptr (ReinMarketReader) reader = reader_new (f, alive);

    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    third = rein_document_get_n_signature_checks () - before;
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  }
  g_assert_cmpuint (third, ==, 1);
  g_assert_true (rein_store_get_verdict (f->store, hash_of (job2), &verification, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
}

/* The same reader again: what did not change is taken as it was (the very
 * job objects, no signature checked, nothing validated anew); a new bid
 * changes its job only. */
static void
test_unchanged_kept (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autoptr (Identity) late = identity_new ("Late");
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "eeeeeeeeeeeeeeeeeeee", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "ffffffffffffffffffff", "Two");
  g_autofree gchar *job3 = posting (f, late, late, "gggggggggggggggggggg", "Late's");
  g_autofree gchar *bid = bid_on (worker, job1);
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  const gchar *alive[] = { f->a->url, f->b->url, NULL };
  g_autoptr (ReinMarketReader) reader = reader_new (f, alive);
  g_autoptr (ReinJob) one = NULL;
  g_autoptr (ReinJob) two = NULL;
  GPtrArray *changed;
  guint64 before;

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);
  identity_register (late, f->b);
  put_as (late, f->b, job3);

  g_assert_null (rein_market_reader_get_changed_jobs (reader));
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Late's job is not valid yet: Late has no enrollment. */
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 2);
  one = g_object_ref (job_at (reader, 0));
  two = g_object_ref (job_at (reader, 1));
  g_assert_cmpstr (rein_job_get_id (one), ==, "eeeeeeeeeeeeeeeeeeee");

  before = rein_document_get_n_signature_checks ();
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 0);
  g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_true (job_at (reader, 0) == one);

  /* A bid on job 1: job 1 is validated anew, job 2 is kept. */
  identity_register (worker, f->a);
  put_as (worker, f->a, worker_enrollment);
  put_as (worker, f->a, bid);
  before = rein_document_get_n_signature_checks ();
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  changed = rein_market_reader_get_changed_jobs (reader);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpstr (rein_job_get_id (g_ptr_array_index (changed, 0)), ==, "eeeeeeeeeeeeeeeeeeee");
  g_assert_cmpint (rein_job_get_state (g_ptr_array_index (changed, 0)), ==, REIN_JOB_STATE_BIDS);
  g_assert_true (job_at (reader, 1) == two);

  /* Forgotten: everything is validated again. */
  rein_market_reader_forget (reader);
  g_assert_null (rein_market_reader_get_changed_jobs (reader));
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 2);
}

/* The /query requests @proxy passed on whose query is @query. */
static guint
count_queries (CountingProxy *proxy, const gchar *query)
{
  g_autofree gchar *needle = g_strdup_printf ("&query=%s&", query);
  guint n = 0;

  for (guint i = 0; i < proxy->requests->len; i++)
    if (strstr (g_ptr_array_index (proxy->requests, i), needle) != NULL)
      n++;
  return n;
}

/* Servers that answer a `since` cursor are asked, after the first refresh,
 * only for what is new: one request each when nothing is; what is new
 * (a posting, a bid, an offer on another server, a forged posting) comes
 * from that request, validated like anything else. A server from before
 * `since` is read whole every time, and answers the same market. */
static void
test_since (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autoptr (Identity) forger = identity_new ("Forger");
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "hhhhhhhhhhhhhhhhhhhh", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "iiiiiiiiiiiiiiiiiiii", "Two");
  g_autofree gchar *job3 = posting (f, f->creator, f->creator, "jjjjjjjjjjjjjjjjjjjj", "New");
  g_autofree gchar *impostor = posting (f, f->creator, forger, "kkkkkkkkkkkkkkkkkkkk", "Fake");
  g_autofree gchar *bid1 = bid_on (worker, job1);
  g_autofree gchar *offer1 = offer_of (f->creator, bid1);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (f->a->url);
  g_autoptr (CountingProxy) old = counting_proxy_new (f->b->url);
  const gchar *servers[] = { proxy->url, f->b->url, NULL };
  g_autoptr (ReinMarketReader) reader = reader_new (f, servers);
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;
  g_autoptr (ReinJob) first = NULL;
  guint64 before;

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_cmpuint (count_queries (proxy, "jobs"), ==, 1);

  /* Nothing new: one request, nothing checked, nothing changed, and the
   * jobs are those of the last refresh, not built again. */
  first = g_object_ref (job_at (reader, 0));
  counting_proxy_reset (proxy);
  before = rein_document_get_n_signature_checks ();
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (proxy->requests->len, ==, 1);
  g_assert_cmpuint (count_queries (proxy, "job_documents"), ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (proxy->requests, 0), "&since="));
  g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 0);
  g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
  g_assert_true (job_at (reader, 0) == first);

  /* New documents: a bid and an offer (on the other server) award job 1, a
   * new job, and a posting in the creator's name by someone else. */
  identity_register (worker, f->a);
  identity_register (forger, f->a);
  put_as (worker, f->a, worker_enrollment);
  put_as (worker, f->a, bid1);
  put_as (f->creator, f->b, offer1);
  put_as (f->creator, f->a, job3);
  put_as (forger, f->a, impostor);
  counting_proxy_reset (proxy);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_queries (proxy, "job_documents"), ==, 1);
  g_assert_cmpuint (count_queries (proxy, "jobs") + count_queries (proxy, "bids")
                    + count_queries (proxy, "by_job_id"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 3);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 0)), ==, "hhhhhhhhhhhhhhhhhhhh");
  g_assert_cmpint (rein_job_get_state (job_at (reader, 0)), ==, REIN_JOB_STATE_AWARDED);
  g_assert_cmpint (rein_job_get_state (job_at (reader, 1)), ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpstr (rein_job_get_id (job_at (reader, 2)), ==, "jjjjjjjjjjjjjjjjjjjj");
  g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 2);
  g_assert_true (rein_store_get_verdict (f->store, hash_of (impostor), &verification, NULL,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);

  /* B as a server from before `since`: every refresh reads everything,
   * by offset, and the market is the same. */
  {
    const gchar *mixed[] = { proxy->url, old->url, NULL };
    g_autoptr (ReinMarketReader) again = reader_new (f, mixed);

    old->no_cursor = TRUE;
    for (guint round = 0; round < 2; round++)
      {
        counting_proxy_reset (proxy);
        counting_proxy_reset (old);
        g_assert_true (refresh (again, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (count_queries (old, "jobs"), ==, 1);
        g_assert_cmpuint (count_queries (old, "by_job_id"), ==, 1);
        g_assert_cmpuint (count_queries (old, "job_documents"), ==, 0);
        g_assert_cmpuint (count_queries (proxy, "jobs"), ==, 1);
        for (guint i = 0; i < old->requests->len; i++)
          g_assert_null (strstr (g_ptr_array_index (old->requests, i), "since="));
        g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (again)), ==, 3);
        g_assert_cmpint (rein_job_get_state (job_at (again, 0)), ==, REIN_JOB_STATE_AWARDED);
      }
  }
}

/* The jobs the last refresh of @reader changed, by ID and state, in a
 * string such as "a:bids b:posted". */
static gchar *
changed_ids (ReinMarketReader *reader)
{
  GPtrArray *changed = rein_market_reader_get_changed_jobs (reader);
  g_autoptr (GString) out = g_string_new ("");

  g_assert_nonnull (changed);
  for (guint i = 0; i < changed->len; i++)
    {
      ReinJob *job = g_ptr_array_index (changed, i);

      g_string_append_printf (out, "%s%c:%s", out->len > 0 ? " " : "", rein_job_get_id (job)[0],
                              rein_job_state_to_name (rein_job_get_state (job)));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Keeps @reader's cursors in the store, as the market service does once
 * it indexed the changed jobs. */
static void
keep_cursors_in_store (Fixture *f, ReinMarketReader *reader, guint expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) cursors = rein_market_reader_dup_cursors (reader);

  g_assert_nonnull (cursors);
  g_assert_cmpuint (g_hash_table_size (cursors), ==, expected);
  g_assert_true (rein_store_set_market_cursors (f->store, rein_identity_get_id (f->identity),
                                                cursors, &error));
  g_assert_no_error (error);
}

static ReinMarketReader *
resuming_reader (Fixture *f, const gchar *const *servers)
{
  ReinMarketReader *reader = reader_new (f, servers);

  rein_market_reader_set_resume (reader, TRUE);
  return reader;
}

/* The jobs the last refresh of @reader changed are @expected, by ID and
 * state, such as "a:bids b:posted". */
static void
assert_changed (ReinMarketReader *reader, const gchar *expected)
{
  g_autofree gchar *ids = changed_ids (reader);

  g_assert_cmpstr (ids, ==, expected);
}

/* A resuming reader (the app started again) goes on from the cursors the
 * store keeps: nothing new is one request a server, no signature checked,
 * no job built; a new bid builds its job again from the store's posting
 * and the bid; a job whose creator enrolled late becomes valid when a
 * later start finds the enrollment, while a forged posting stays out and
 * changes nothing; forgetting reads everything again. */
static void
test_resume (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autoptr (Identity) late = identity_new ("Late");
  g_autoptr (Identity) forger = identity_new ("Forger");
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  g_autofree gchar *late_enrollment = identity_enrollment (late, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "llllllllllllllllllll", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "mmmmmmmmmmmmmmmmmmmm", "Two");
  g_autofree gchar *job3 = posting (f, f->creator, f->creator, "nnnnnnnnnnnnnnnnnnnn", "New");
  g_autofree gchar *job4 = posting (f, late, late, "oooooooooooooooooooo", "Late's");
  g_autofree gchar *impostor = posting (f, f->creator, forger, "pppppppppppppppppppp", "Fake");
  g_autofree gchar *bid1 = bid_on (worker, job1);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (f->a->url);
  const gchar *servers[] = { proxy->url, f->b->url, NULL };
  guint64 before;

  /* Cursors are kept for the store's servers. */
  rein_store_add_server (f->store, proxy->url, &error);
  g_assert_no_error (error);
  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);

    /* No cursors in the store yet: everything is read. */
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (proxy, "jobs"), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
    assert_changed (reader, "l:posted m:posted");
    keep_cursors_in_store (f, reader, 2);
  }

  /* Started again, nothing new. */
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);

    counting_proxy_reset (proxy);
    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (proxy->requests->len, ==, 1);
    g_assert_cmpuint (count_queries (proxy, "job_documents"), ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (proxy->requests, 0), "&since="));
    g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 0);
    g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 0);

    /* A bid on job 1 (its posting only in the store now), a new job, a
     * job by someone not enrolled yet, a posting in the creator's name by
     * someone else. */
    identity_register (worker, f->a);
    identity_register (late, f->b);
    identity_register (forger, f->a);
    put_as (worker, f->a, worker_enrollment);
    put_as (worker, f->a, bid1);
    put_as (f->creator, f->b, job3);
    put_as (late, f->b, job4);
    put_as (forger, f->a, impostor);
    counting_proxy_reset (proxy);
    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_test_message ("signature checks: %" G_GUINT64_FORMAT,
                    rein_document_get_n_signature_checks () - before);
    /* The bid, the new job, Late's, the impostor and the worker's
     * enrollment: not the posting of job 1, checked before. */
    g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 5);
    g_assert_cmpuint (count_queries (proxy, "jobs") + count_queries (proxy, "bids"), ==, 0);
    assert_changed (reader, "l:bids n:posted");
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 2);
    keep_cursors_in_store (f, reader, 2);
  }

  /* Late enrolls (not a job document: no server has anything new for the
   * cursors). The next start finds it, for the job found invalid. */
  identity_register (late, f->a);
  put_as (late, f->a, late_enrollment);
  {
    g_autoptr (ReinMarketReader) reader = reader_new (f, servers);
    ReinVerification verification = REIN_VERIFICATION_UNCHECKED;

    rein_market_reader_set_resume (reader, TRUE);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    assert_changed (reader, "o:posted");
    g_assert_true (rein_store_get_verdict (f->store, hash_of (job4), &verification, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
    g_assert_true (rein_store_get_verdict (f->store, hash_of (impostor), &verification, NULL,
                                           &error));
    g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);
    /* The app quits before the index has the job: its cursors are not
     * kept, and job 4's posting is valid in the store now. */
  }
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);

    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    assert_changed (reader, "o:posted");
    keep_cursors_in_store (f, reader, 2);
  }
  /* Once more: the impostor, still invalid, changes nothing. */
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);

    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 0);

    /* Forgotten: every job is read and built again. */
    rein_market_reader_forget (reader);
    g_assert_null (rein_market_reader_dup_cursors (reader));
    counting_proxy_reset (proxy);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (proxy, "jobs"), ==, 1);
    assert_changed (reader, "l:bids m:posted n:posted o:posted");
  }

  /* Fewer servers than the cursors': those go on from theirs. */
  {
    const gchar *one[] = { proxy->url, NULL };
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, one);

    counting_proxy_reset (proxy);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (proxy, "jobs"), ==, 0);
    g_assert_cmpuint (count_queries (proxy, "job_documents"), ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (proxy->requests, 0), "&since="));
  }
}

/* The cursor the store keeps for server @url of @f's reader (a copy). */
static gchar *
stored_cursor (Fixture *f, const gchar *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) cursors = rein_store_get_market_cursors (
      f->store, rein_identity_get_id (f->identity), &error);

  g_assert_no_error (error);
  return g_strdup (g_hash_table_lookup (cursors, url));
}

/* Whether @proxy was asked for job documents since a cursor (not from the
 * start) by each such request, and asked at least once. */
static gboolean
asked_since (CountingProxy *proxy)
{
  guint asked = 0;

  for (guint i = 0; i < proxy->requests->len; i++)
    {
      const gchar *request = g_ptr_array_index (proxy->requests, i);
      const gchar *since = strstr (request, "&since=");

      if (strstr (request, "&query=job_documents&") == NULL)
        continue;
      if (since == NULL || g_str_has_prefix (since, "&since=0&"))
        return FALSE;
      asked++;
    }
  return asked > 0;
}

/* A new resuming reader on @servers (the app started again), refreshed,
 * with the requests of @a and @b counted from its start. */
static ReinMarketReader *
restarted_refresh (Fixture *f, const gchar *const *servers, CountingProxy *a, CountingProxy *b)
{
  g_autoptr (GError) error = NULL;
  ReinMarketReader *reader = resuming_reader (f, servers);

  counting_proxy_reset (a);
  counting_proxy_reset (b);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  g_assert_no_error (error);
  return reader;
}

/* A server that is down keeps the cursor it had: the refresh goes on from
 * the others' cursors, and once it is up again it is asked for what it
 * stored since; nobody is read from the start for it. A first refresh
 * with a server down reads the others by cursor all the same. */
static void
test_resume_server_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "rrrrrrrrrrrrrrrrrrrr", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "ssssssssssssssssssss", "Two");
  g_autofree gchar *job3 = posting (f, f->creator, f->creator, "tttttttttttttttttttt", "Three");
  g_autofree gchar *job4 = posting (f, f->creator, f->creator, "uuuuuuuuuuuuuuuuuuuu", "Four");
  g_autofree gchar *job5 = posting (f, f->creator, f->creator, "vvvvvvvvvvvvvvvvvvvv", "Five");
  g_autoptr (CountingProxy) pa = counting_proxy_new (f->a->url);
  g_autoptr (CountingProxy) pb = counting_proxy_new (f->b->url);
  const gchar *servers[] = { pa->url, pb->url, NULL };
  g_autofree gchar *b_cursor = NULL;

  rein_store_add_server (f->store, pa->url, &error);
  g_assert_no_error (error);
  rein_store_add_server (f->store, pb->url, &error);
  g_assert_no_error (error);
  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job2);

  /* The first refresh, B down: A is read by cursor, B has none. */
  counting_proxy_set_upstream (pb, f->dead);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);

    g_assert_true (g_ptr_array_find_with_equal_func (f->failed, pb->url, g_str_equal, NULL));
    g_assert_cmpuint (count_queries (pa, "job_documents"), ==, 1);
    g_assert_cmpuint (count_queries (pa, "bids") + count_queries (pa, "by_job_id"), ==, 0);
    g_assert_cmpuint (count_queries (pb, "job_documents") + count_queries (pb, "bids"), ==, 0);
    assert_changed (reader, "r:posted");
    keep_cursors_in_store (f, reader, 1);
  }

  /* Still down: A goes on from its cursor, and B is asked from the start. */
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);

    g_assert_true (asked_since (pa));
    g_assert_cmpuint (count_queries (pb, "jobs"), ==, 1);
    g_assert_cmpuint (rein_market_reader_get_changed_jobs (reader)->len, ==, 0);
    keep_cursors_in_store (f, reader, 1);
  }

  /* B up: read from the start, by cursor; A still goes on from its own. */
  counting_proxy_set_upstream (pb, f->b->url);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);

    g_assert_true (asked_since (pa));
    g_assert_cmpuint (count_queries (pa, "jobs"), ==, 0);
    g_assert_cmpuint (count_queries (pb, "jobs"), ==, 1);
    g_assert_cmpuint (count_queries (pb, "job_documents"), ==, 1);
    g_assert_cmpuint (count_queries (pb, "bids") + count_queries (pb, "by_job_id"), ==, 0);
    assert_changed (reader, "s:posted");
    keep_cursors_in_store (f, reader, 2);
  }

  /* B down again, a new job on each: the refresh goes on from A's cursor
   * and finds A's; B keeps the cursor it had. */
  b_cursor = stored_cursor (f, pb->url);
  g_assert_nonnull (b_cursor);
  put_as (f->creator, f->a, job3);
  put_as (f->creator, f->b, job4);
  counting_proxy_set_upstream (pb, f->dead);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);
    g_autoptr (GHashTable) cursors = NULL;

    g_assert_true (asked_since (pa));
    g_assert_cmpuint (count_queries (pa, "jobs"), ==, 0);
    assert_changed (reader, "t:posted");
    cursors = rein_market_reader_dup_cursors (reader);
    g_assert_nonnull (cursors);
    g_assert_cmpuint (g_hash_table_size (cursors), ==, 2);
    g_assert_cmpstr (g_hash_table_lookup (cursors, pb->url), ==, b_cursor);
    keep_cursors_in_store (f, reader, 2);
  }

  /* B up again: both asked since their cursors; B's job is found. */
  counting_proxy_set_upstream (pb, f->b->url);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);

    g_assert_true (asked_since (pa));
    g_assert_true (asked_since (pb));
    assert_changed (reader, "u:posted");
    keep_cursors_in_store (f, reader, 2);
  }
  {
    g_autofree gchar *moved = stored_cursor (f, pb->url);

    g_assert_cmpstr (moved, !=, b_cursor);
  }

  /* The servers with a cursor down, one without up: the refresh reads
   * that one from the start, and the others keep their cursors. */
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);
    g_autoptr (GHashTable) only_a = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree gchar *a_cursor = stored_cursor (f, pa->url);
    g_autoptr (GHashTable) cursors = NULL;

    g_hash_table_insert (only_a, pa->url, a_cursor);
    g_assert_true (rein_store_set_market_cursors (f->store, rein_identity_get_id (f->identity),
                                                  only_a, &error));
    g_assert_no_error (error);
    counting_proxy_set_upstream (pa, f->dead);
    counting_proxy_reset (pb);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (pb, "job_documents"), ==, 1);
    cursors = rein_market_reader_dup_cursors (reader);
    g_assert_nonnull (cursors);
    g_assert_cmpuint (g_hash_table_size (cursors), ==, 2);
    g_assert_cmpstr (g_hash_table_lookup (cursors, pa->url), ==, a_cursor);
    counting_proxy_set_upstream (pa, f->a->url);

    /* Both down: that fails. */
    counting_proxy_set_upstream (pa, f->dead);
    counting_proxy_set_upstream (pb, f->dead);
    g_assert_false (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
    g_clear_error (&error);
    counting_proxy_set_upstream (pa, f->a->url);
    counting_proxy_set_upstream (pb, f->b->url);
  }

  /* A reader that keeps its cursors in memory does the same. */
  {
    g_autoptr (ReinMarketReader) reader = reader_new (f, servers);

    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 4);
    counting_proxy_set_upstream (pb, f->dead);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    put_as (f->creator, f->b, job5);
    counting_proxy_set_upstream (pb, f->b->url);
    counting_proxy_reset (pa);
    counting_proxy_reset (pb);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (asked_since (pa));
    g_assert_true (asked_since (pb));
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 5);
  }

  /* A server added that pages by offset (an original Causeway): read as
   * it can be, and no cursor kept, so that the next refresh reads
   * everything, as refreshes of such servers always do. */
  {
    g_autoptr (CountingProxy) pc = counting_proxy_new (f->b->url);
    const gchar *three[] = { pa->url, pb->url, pc->url, NULL };
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, three);
    g_autoptr (ReinMarketReader) next = resuming_reader (f, three);

    pc->no_cursor = TRUE;
    rein_store_add_server (f->store, pc->url, &error);
    g_assert_no_error (error);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (pc, "jobs"), ==, 1);
    g_assert_cmpuint (count_queries (pc, "bids"), ==, 1);
    g_assert_cmpuint (count_queries (pc, "job_documents"), ==, 0);
    g_assert_null (rein_market_reader_dup_cursors (reader));
    g_assert_true (rein_store_set_market_cursors (f->store, rein_identity_get_id (f->identity),
                                                  NULL, &error));
    g_assert_no_error (error);
    counting_proxy_reset (pa);
    counting_proxy_reset (pc);
    g_assert_true (refresh (next, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_queries (pa, "jobs"), ==, 1);
    g_assert_cmpuint (count_queries (pc, "bids"), ==, 1);
  }
}

/* A server stopped by the limits keeps the cursor the refresh went on
 * from, as a server that failed does: what it sent is asked for again
 * next time, and nothing past the limits is skipped for good. */
static void
test_resume_stopped_keeps_cursor (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "kkkkkkkkkkkkkkkkkkkk", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "mmmmmmmmmmmmmmmmmmmm", "Two");
  g_autofree gchar *job3 = posting (f, f->creator, f->creator, "nnnnnnnnnnnnnnnnnnnn", "Three");
  g_autofree gchar *job4 = posting (f, f->creator, f->creator, "oooooooooooooooooooo", "Four");
  g_autoptr (CountingProxy) pa = counting_proxy_new (f->a->url);
  g_autoptr (CountingProxy) pb = counting_proxy_new (f->b->url);
  const gchar *servers[] = { pa->url, pb->url, NULL };
  g_autofree gchar *b_cursor = NULL;

  for (guint i = 0; servers[i] != NULL; i++)
    {
      rein_store_add_server (f->store, servers[i], &error);
      g_assert_no_error (error);
    }
  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->b, job1);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);

    assert_changed (reader, "k:posted");
    keep_cursors_in_store (f, reader, 2);
  }
  b_cursor = stored_cursor (f, pb->url);
  g_assert_nonnull (b_cursor);
  g_assert_cmpstr (b_cursor, !=, "0");

  /* Three new documents on B, one allowed: B is stopped. */
  put_as (f->creator, f->b, job2);
  put_as (f->creator, f->b, job3);
  put_as (f->creator, f->b, job4);
  g_ptr_array_set_size (f->warnings, 0);
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);
    g_autoptr (GHashTable) cursors = NULL;
    ReinMarketReaderLimits limits;

    rein_market_reader_get_limits (reader, &limits);
    limits.max_documents = 1;
    rein_market_reader_set_limits (reader, &limits);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (f->warnings->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (f->warnings, 0), "read no further"));
    cursors = rein_market_reader_dup_cursors (reader);
    g_assert_nonnull (cursors);
    g_assert_cmpstr (g_hash_table_lookup (cursors, pb->url), ==, b_cursor);
    keep_cursors_in_store (f, reader, 2);
  }

  /* No limit: B is asked since that cursor, and its cursor moves on. */
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, servers, pa, pb);
    g_autofree gchar *moved = NULL;

    g_assert_true (asked_since (pb));
    g_assert_cmpuint (count_queries (pb, "job_documents"), >=, 1);
    keep_cursors_in_store (f, reader, 2);
    moved = stored_cursor (f, pb->url);
    g_assert_cmpstr (moved, !=, b_cursor);
  }
  /* Nothing B sent is missing. */
  {
    const gchar *sent[] = { job2, job3, job4 };

    for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
      {
        g_autofree gchar *reason = NULL;
        ReinVerification verification = REIN_VERIFICATION_UNCHECKED;

        g_assert_true (rein_store_get_verdict (f->store, hash_of (sent[i]), &verification,
                                               &reason, &error));
        g_assert_no_error (error);
        g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
      }
  }
}

/* Sends "bids" to a dead server, everything else to @data's B. */
static void
fail_bids_hook (CountingProxy *proxy, const gchar *request, gpointer data)
{
  Fixture *f = data;

  /* not counting_proxy_set_upstream(): other requests are under way */
  g_free (proxy->upstream);
  proxy->upstream = g_strdup (strstr (request, "query=bids") != NULL ? f->dead : f->b->url);
}

/* A server without a cursor that pages by offset (an original Causeway)
 * answers "jobs" but not "bids": the refresh still takes what it and the
 * others sent (a bid found on another server counts), says which server
 * failed, and keeps no cursor, so the next refresh reads everything. */
static void
test_resume_unread_bids_fail (Fixture *f, gconstpointer data)
{
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "wwwwwwwwwwwwwwwwwwww", "Old");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "xxxxxxxxxxxxxxxxxxxx", "New");
  g_autofree gchar *bid = bid_on (worker, job2);
  g_autoptr (CountingProxy) pa = counting_proxy_new (f->a->url);
  g_autoptr (CountingProxy) pb = counting_proxy_new (f->b->url);
  g_autoptr (CountingProxy) pc = counting_proxy_new (f->b->url);
  const gchar *two[] = { pa->url, pb->url, NULL };
  const gchar *three[] = { pa->url, pb->url, pc->url, NULL };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; three[i] != NULL; i++)
    {
      rein_store_add_server (f->store, three[i], &error);
      g_assert_no_error (error);
    }
  identity_register (worker, f->b);
  put_as (worker, f->b, worker_enrollment);
  put_as (f->creator, f->a, job1);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, two, pa, pb);

    assert_changed (reader, "w:posted");
    keep_cursors_in_store (f, reader, 2);
  }

  put_as (f->creator, f->b, job2);
  put_as (worker, f->b, bid);
  pc->no_cursor = TRUE;
  pc->hook = fail_bids_hook;
  pc->hook_data = f;
  g_ptr_array_set_size (f->failed, 0);
  {
    g_autoptr (ReinMarketReader) reader = restarted_refresh (f, three, pa, pb);

    g_assert_true (asked_since (pa));
    g_assert_true (asked_since (pb));
    g_assert_cmpuint (count_queries (pc, "jobs"), ==, 1);
    g_assert_cmpuint (count_queries (pc, "bids"), >=, 1);
    g_assert_cmpuint (f->failed->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (f->failed, 0), ==, pc->url);
    assert_changed (reader, "x:bids");
    g_assert_null (rein_market_reader_dup_cursors (reader));
  }
}

/* Indexes the jobs @reader's last refresh changed, as the market service
 * and rein-cli do, then keeps its cursors. */
static void
index_and_keep (Fixture *f, ReinMarketReader *reader, guint n_cursors)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) indexed = rein_store_index_jobs (
      f->store, rein_market_reader_get_changed_jobs (reader),
      rein_market_reader_get_directory (reader), rein_identity_get_testnet (f->identity), &error);

  g_assert_no_error (error);
  g_assert_nonnull (indexed);
  keep_cursors_in_store (f, reader, n_cursors);
}

/* A resuming reader that lists the whole market (rein-cli jobs): its jobs
 * model holds every job of the index, built from the store's documents,
 * and only what is new is read and reported as changed. */
static void
test_resume_lists_all (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) worker = identity_new ("Worker");
  g_autofree gchar *worker_enrollment = identity_enrollment (worker, FALSE);
  g_autofree gchar *job1 = posting (f, f->creator, f->creator, "wwwwwwwwwwwwwwwwwwww", "One");
  g_autofree gchar *job2 = posting (f, f->creator, f->creator, "xxxxxxxxxxxxxxxxxxxx", "Two");
  g_autofree gchar *bid1 = bid_on (worker, job1);
  const gchar *servers[] = { f->a->url, NULL };
  guint64 before;

  put_as (f->creator, f->a, job1);
  put_as (f->creator, f->a, job2);
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);

    rein_market_reader_set_resume_lists_all (reader, TRUE);
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    assert_changed (reader, "w:posted x:posted");
    index_and_keep (f, reader, 1);
  }

  identity_register (worker, f->a);
  put_as (worker, f->a, worker_enrollment);
  put_as (worker, f->a, bid1);
  {
    g_autoptr (ReinMarketReader) reader = resuming_reader (f, servers);
    g_autoptr (ReinMarketReader) listing = resuming_reader (f, servers);

    /* Without: only the job the bid touched. */
    g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);

    rein_market_reader_set_resume_lists_all (listing, TRUE);
    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (listing, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    /* The bid and the worker's enrollment were checked by the refresh
     * before: nothing is checked again. */
    g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 0);
    assert_changed (listing, "w:bids");
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (listing)), ==, 2);
    g_assert_cmpstr (rein_job_get_id (job_at (listing, 0)), ==, "wwwwwwwwwwwwwwwwwwww");
    g_assert_cmpint (rein_job_get_state (job_at (listing, 0)), ==, REIN_JOB_STATE_BIDS);
    g_assert_cmpstr (rein_job_get_id (job_at (listing, 1)), ==, "xxxxxxxxxxxxxxxxxxxx");
    g_assert_cmpint (rein_job_get_state (job_at (listing, 1)), ==, REIN_JOB_STATE_POSTED);
    index_and_keep (f, listing, 1);

    /* Nothing new: both listed, none changed, nothing checked. */
    before = rein_document_get_n_signature_checks ();
    g_assert_true (refresh (listing, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (rein_document_get_n_signature_checks () - before, ==, 0);
    assert_changed (listing, "");
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (listing)), ==, 2);

    /* Let go of (the index has them), and listed again at the next. */
    rein_market_reader_drop_jobs (listing);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (listing)), ==, 0);
    g_assert_null (rein_market_reader_get_changed_jobs (listing));
    g_assert_true (refresh (listing, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (listing)), ==, 2);
  }
}

/* The nice value of the thread each worker step ran in (the lowest). */
static void
record_nice_cb (const gchar *step, gpointer user_data)
{
  gint *lowest = user_data;
  gint nice;

  errno = 0;
  nice = getpriority (PRIO_PROCESS, (id_t) gettid ());
  g_assert_cmpint (errno, ==, 0);
  g_atomic_int_set (lowest, MIN (g_atomic_int_get (lowest), nice));
}

static void
pool_nice_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_int (task, getpriority (PRIO_PROCESS, (id_t) gettid ()));
}

/* A refresh's workers give way to the main thread: each step runs at a
 * lower priority, and the main thread keeps its own, and so do the
 * threads of GLib's pool (which run a search as you type). */
static void
test_background (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job = posting (f, f->creator, f->creator, "qqqqqqqqqqqqqqqqqqqq", "One");
  const gchar *alive[] = { f->a->url, NULL };
  g_autoptr (ReinMarketReader) reader = reader_new (f, alive);
  gint main_nice = getpriority (PRIO_PROCESS, (id_t) gettid ());
  gint lowest = G_MAXINT;

  put_as (f->creator, f->a, job);
  rein_market_reader_set_step_hook (record_nice_cb, &lowest);
  g_assert_true (refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, &error));
  rein_market_reader_set_step_hook (NULL, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_reader_get_jobs (reader)), ==, 1);
  g_assert_cmpint (lowest, >=, REIN_BACKGROUND_NICE);
  g_assert_cmpint (lowest, <, G_MAXINT);
  g_assert_cmpint (getpriority (PRIO_PROCESS, (id_t) gettid ()), ==, main_nice);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_run_in_thread_sync (task, pool_nice_thread);
      g_assert_cmpint (g_task_propagate_int (task, NULL), ==, main_nice);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/net/market/refresh", test_refresh);
  ADD ("/net/market/job-ids", test_job_ids);
  ADD ("/net/market/forged", test_forged);
  ADD ("/net/market/awarded", test_awarded);
  ADD ("/net/market/all-dead", test_all_dead);
  ADD ("/net/market/cancel", test_cancel);
  ADD ("/net/market/own-enrollment", test_own_enrollment);
  ADD ("/net/market/checked-once", test_checked_once);
  ADD ("/net/market/unchanged-kept", test_unchanged_kept);
  ADD ("/net/market/since", test_since);
  ADD ("/net/market/resume", test_resume);
  ADD ("/net/market/resume-server-down", test_resume_server_down);
  ADD ("/net/market/resume-unread-bids-fail", test_resume_unread_bids_fail);
  ADD ("/net/market/resume-stopped-keeps-cursor", test_resume_stopped_keeps_cursor);
  ADD ("/net/market/resume-lists-all", test_resume_lists_all);
  ADD ("/net/market/background", test_background);
#undef ADD

  return g_test_run ();
}

/* test-sync.c: the sync engine against real servers, a dead one, one that
 * answers garbage and one holding a stale copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "net-test-util.h"
#include "rein-sync.h"
#include "server-fixture.h"
#include "rein-test-util.h"

#define N_JOBS 12
/* The sync's sample of trusted placements for N_JOBS + 1 documents
 * (rein-sync.h): max (8, 5%). */
#define SAMPLE 8

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity;
  ReinPrivateKey *delegate;
  guint progress_calls;
  GHashTable *last_progress; /* url -> done */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Syncer", .contact = "s@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  f->dir = g_dir_make_tmp ("rein-sync-XXXXXX", &error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->identity = rein_store_add_identity_from_mnemonic (f->store, &params, phrase, NULL, "pw",
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
  f->delegate = rein_store_unlock_delegate_key (f->store, f->identity, "pw", &error);
  g_assert_no_error (error);
  f->last_progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* the enrollment is there already; add some jobs */
  for (guint i = 0; i < N_JOBS; i++)
    {
      g_autofree gchar *job_id = rein_job_id_generate ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Job %u\nJob ID: %s\n"
                                                "Category: Test\nDescription: Number %u",
                                                i, job_id, i);
      g_autoptr (ReinDocument) doc = rein_document_sign (text, NULL, f->delegate,
                                                         REIN_NETWORK_MAINNET, &error);

      g_assert_no_error (error);
      g_assert_cmpint (rein_store_add_document (f->store, doc, rein_identity_get_id (f->identity),
                                                0, &error), >, 0);
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  g_clear_pointer (&f->delegate, rein_private_key_free);
  g_clear_pointer (&f->last_progress, g_hash_table_unref);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
progress_cb (ReinSync *sync, const gchar *url, guint done, guint total, Fixture *f)
{
  g_assert_cmpuint (done, <=, total);
  f->progress_calls++;
  g_hash_table_insert (f->last_progress, g_strdup (url), GUINT_TO_POINTER (done));
}

typedef struct
{
  gboolean done;
  GPtrArray *results;
  GError *error;
} SyncWait;

static void
sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncWait *w = user_data;

  w->results = rein_sync_run_finish (REIN_SYNC (source), result, &w->error);
  w->done = TRUE;
}

static GPtrArray *
run_sync (Fixture *f)
{
  g_autoptr (ReinSync) sync = rein_sync_new (f->store);
  SyncWait w = { 0 };

  rein_sync_set_timeout (sync, 5);
  g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), f);
  rein_sync_run_async (sync, f->identity, f->delegate, NULL, sync_cb, &w);
  net_test_wait (&w.done);
  g_assert_no_error (w.error);
  return w.results;
}

static ReinSyncResult *
result_for (GPtrArray *results, const gchar *url)
{
  for (guint i = 0; i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);

      if (g_strcmp0 (r->url, url) == 0)
        return r;
    }
  g_assert_not_reached ();
}

/* Every one of our documents is on @server under its placement key. */
static void
assert_server_has_all (Fixture *f, TestServer *server, gint64 server_id)
{
  g_autoptr (GPtrArray) docs = rein_store_list_own_documents_full (
      f->store, rein_identity_get_id (f->identity), NULL);

  for (guint i = 0; i < docs->len; i++)
    {
      ReinStoredDocument *doc = g_ptr_array_index (docs, i);
      g_autofree gchar *key = NULL;
      g_autofree gchar *path = NULL;
      g_autoptr (Answer) answer = NULL;

      g_assert_true (rein_store_get_placement (f->store, doc->id, server_id, &key, NULL, NULL));
      path = g_strdup_printf ("get?key=%s", key);
      answer = http_get (server, path);
      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "value"), ==,
                       doc->armored);
    }
  g_assert_cmpuint (rein_store_count_placements (f->store, rein_identity_get_id (f->identity),
                                                 server_id), ==, docs->len);
}

static void
test_sync_mixed_servers (Fixture *f, gconstpointer data)
{
  TestServer *good = test_server_start (NULL, NULL);
  g_autoptr (FakeServer) garbage = fake_server_new (200, "this is not a Rein server", FALSE);
  g_autofree gchar *dead = net_test_dead_url ();
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GPtrArray) third = NULL;
  g_autoptr (GError) error = NULL;
  gint64 good_id, dead_id;
  ReinSyncResult *r;
  guint total = N_JOBS + 1;

  good_id = rein_store_add_server (f->store, good->url, &error);
  dead_id = rein_store_add_server (f->store, dead, &error);
  rein_store_add_server (f->store, garbage->url, &error);
  g_assert_no_error (error);

  first = run_sync (f);
  g_assert_cmpuint (first->len, ==, 3);

  r = result_for (first, good->url);
  g_assert_null (r->error);
  g_assert_cmpuint (r->total, ==, total);
  g_assert_cmpuint (r->pushed, ==, total);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->last_progress, good->url)), ==,
                    total);

  r = result_for (first, dead);
  g_assert_nonnull (r->error);
  g_assert_nonnull (strstr (r->error, "unreachable"));
  g_assert_true (g_str_has_prefix (r->error, dead));

  r = result_for (first, garbage->url);
  g_assert_nonnull (r->error);
  g_assert_nonnull (strstr (r->error, "not JSON"));

  assert_server_has_all (f, good, good_id);

  /* nothing to do the second time */
  second = run_sync (f);
  r = result_for (second, good->url);
  g_assert_null (r->error);
  g_assert_cmpuint (r->pushed, ==, 0);
  g_assert_cmpuint (r->unchanged, ==, total);
  g_assert_nonnull (result_for (second, dead)->error);
  g_assert_cmpuint (rein_store_count_placements (f->store, rein_identity_get_id (f->identity),
                                                 dead_id), ==, 0);

  /* The dead server comes to life at its address: the next sync brings it
   * every document, and the others are left as they are. */
  {
    g_autofree gchar *port_arg = g_strdup_printf ("--port=%s",
                                                  strrchr (dead, ':') + 1);
    const gchar *args[] = { NULL, NULL };
    TestServer *revived;

    *strrchr (port_arg, '/') = '\0';
    args[0] = port_arg;
    revived = test_server_start (NULL, args);
    g_assert_cmpstr (revived->url, ==, dead);

    third = run_sync (f);
    g_assert_cmpuint (third->len, ==, 3);
    r = result_for (third, dead);
    g_assert_null (r->error);
    g_assert_cmpuint (r->total, ==, total);
    g_assert_cmpuint (r->pushed, ==, total);
    r = result_for (third, good->url);
    g_assert_null (r->error);
    g_assert_cmpuint (r->pushed, ==, 0);
    g_assert_cmpuint (r->unchanged, ==, total);
    g_assert_nonnull (result_for (third, garbage->url)->error);
    assert_server_has_all (f, revived, dead_id);
    assert_server_has_all (f, good, good_id);

    test_server_stop (revived);
    test_server_free (revived);
  }

  test_server_stop (good);
  test_server_free (good);
}

static void
test_sync_stale_copy (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GPtrArray) docs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  gint64 server_id = rein_store_add_server (f->store, server->url, &error);
  ReinStoredDocument *victim;
  ReinSyncResult *r;

  first = run_sync (f);
  g_assert_null (result_for (first, server->url)->error);

  /* Someone (an older client of ours) replaced one document on the server
   * with another version under the same key. */
  docs = rein_store_list_own_documents_full (f->store, rein_identity_get_id (f->identity), NULL);
  victim = g_ptr_array_index (docs, 3);
  g_assert_true (rein_store_get_placement (f->store, victim->id, server_id, &key, NULL, NULL));
  {
    g_autoptr (ReinDocument) other = rein_document_sign (
        "Rein Job\nJob name: Old version\nJob ID: aaaaaaaaaaaaaaaaaaaa\nCategory: Test\n"
        "Description: stale", NULL, f->delegate, REIN_NETWORK_MAINNET, &error);
    Identity ident = {
      .master = NULL, .delegate = f->delegate,
      .master_address = (gchar *) rein_identity_get_master_address (f->identity),
      .delegate_address = (gchar *) rein_identity_get_delegate_address (f->identity),
    };
    g_autoptr (Answer) put = NULL;

    g_assert_no_error (error);
    put = identity_put (&ident, server, key, rein_document_get_armored (other), FALSE);
    g_assert_cmpuint (put->status, ==, 201);
    g_free (ident.nonce);
  }

  /* Only a sample is checked each sync, the placements checked longest ago
   * first: the stale copy is found within ceil (13 / 8) = 2 syncs, and then
   * every other placement is checked too. */
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&second, g_ptr_array_unref);
      second = run_sync (f);
      r = result_for (second, server->url);
      g_assert_null (r->error);
      if (r->pushed > 0)
        break;
      g_assert_cmpuint (r->checked, ==, SAMPLE);
      g_assert_cmpuint (r->unchanged, ==, N_JOBS + 1);
    }
  g_assert_cmpuint (r->pushed, ==, 1);
  g_assert_cmpuint (r->unchanged, ==, N_JOBS);
  g_assert_cmpuint (r->checked, ==, N_JOBS + 1);
  assert_server_has_all (f, server, server_id);

  test_server_stop (server);
  test_server_free (server);
}

/* Counts what the sync asks of a server, through a proxy: a document never
 * placed is put with no /get; a sync with nothing new asks for the
 * sample's /gets only, and over two of them every placement is checked. */
static void
test_sync_gets (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (server->url);
  g_autoptr (GHashTable) checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GError) error = NULL;
  gint64 server_id = rein_store_add_server (f->store, proxy->url, &error);
  guint total = N_JOBS + 1;

  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) first = run_sync (f);
    ReinSyncResult *r = result_for (first, proxy->url);

    g_assert_null (r->error);
    g_assert_cmpuint (r->pushed, ==, total);
    g_assert_cmpuint (r->checked, ==, 0);
    g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/get"), ==, 0);
    g_assert_cmpuint (counting_proxy_count (proxy, "POST", "/put"), ==, total);
    /* one nonce to put with, one to clear it */
    g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/nonce"), ==, 2);
  }

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr (GPtrArray) again = NULL;
      ReinSyncResult *r;

      counting_proxy_reset (proxy);
      again = run_sync (f);
      r = result_for (again, proxy->url);
      g_assert_null (r->error);
      g_assert_cmpuint (r->pushed, ==, 0);
      g_assert_cmpuint (r->unchanged, ==, total);
      g_assert_cmpuint (r->checked, ==, SAMPLE);
      g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/get"), ==, SAMPLE);
      g_assert_cmpuint (counting_proxy_count (proxy, "POST", "/put"), ==, 0);
      for (guint i = 0; i < proxy->requests->len; i++)
        {
          const gchar *line = g_ptr_array_index (proxy->requests, i);

          if (g_str_has_prefix (line, "GET /get?"))
            g_hash_table_add (checked, g_strdup (line));
        }
    }
  /* the second sample began with the placements the first one left */
  g_assert_cmpuint (g_hash_table_size (checked), ==, total);
  assert_server_has_all (f, server, server_id);

  test_server_stop (server);
  test_server_free (server);
}

/* Stops @server, replaces its database with an empty one and starts it
 * again on that database; returns the new process. */
static TestServer *
restart_empty (TestServer *server)
{
  g_autofree gchar *database = g_strdup (server->database);
  const gchar *suffixes[] = { "", "-wal", "-shm" };

  test_server_stop (server);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *path = g_strconcat (database, suffixes[i], NULL);

      g_assert_true (g_remove (path) == 0 || !g_file_test (path, G_FILE_TEST_EXISTS));
    }
  return test_server_start (database, NULL);
}

/* A server whose database was replaced by an empty one no longer knows us:
 * the next sync registers again and puts every document, without asking
 * for any. */
static void
test_sync_wiped_server (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (server->url);
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64 server_id = rein_store_add_server (f->store, proxy->url, &error);
  TestServer *wiped;
  ReinSyncResult *r;

  first = run_sync (f);
  g_assert_null (result_for (first, proxy->url)->error);

  wiped = restart_empty (server);
  counting_proxy_set_upstream (proxy, wiped->url);
  counting_proxy_reset (proxy);
  second = run_sync (f);
  r = result_for (second, proxy->url);
  g_assert_null (r->error);
  g_assert_cmpuint (r->pushed, ==, N_JOBS + 1);
  g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/request"), ==, 1);
  g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/get"), ==, 0);
  assert_server_has_all (f, wiped, server_id);

  test_server_stop (wiped);
  test_server_free (wiped);
  test_server_free (server);
}

/* A server that still knows us but lost our documents: the sample finds a
 * loss, so every placement is checked in the same sync and every document
 * comes back. */
static void
test_sync_lost_documents (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (server->url);
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64 server_id = rein_store_add_server (f->store, proxy->url, &error);
  TestServer *wiped;
  ReinSyncResult *r;

  first = run_sync (f);
  g_assert_null (result_for (first, proxy->url)->error);

  wiped = restart_empty (server);
  {
    g_autofree gchar *owner = g_uri_escape_string (
        rein_identity_get_master_address (f->identity), NULL, TRUE);
    g_autofree gchar *delegate = g_uri_escape_string (
        rein_identity_get_delegate_address (f->identity), NULL, TRUE);
    g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=s%%40"
                                              "example.com", owner, delegate);
    g_autoptr (Answer) answer = http_get (wiped, path);

    g_assert_cmpuint (answer->status, ==, 200);
  }
  counting_proxy_set_upstream (proxy, wiped->url);
  counting_proxy_reset (proxy);
  second = run_sync (f);
  r = result_for (second, proxy->url);
  g_assert_null (r->error);
  g_assert_cmpuint (r->pushed, ==, N_JOBS + 1);
  g_assert_cmpuint (r->checked, ==, N_JOBS + 1);
  g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/request"), ==, 0);
  g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/get"), ==, N_JOBS + 1);
  g_assert_cmpuint (counting_proxy_count (proxy, "POST", "/put"), ==, N_JOBS + 1);
  assert_server_has_all (f, wiped, server_id);

  test_server_stop (wiped);
  test_server_free (wiped);
  test_server_free (server);
}

static void
test_sync_new_server (Fixture *f, gconstpointer data)
{
  TestServer *a = test_server_start (NULL, NULL);
  TestServer *b = test_server_start (NULL, NULL);
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GError) error = NULL;
  gint64 a_id = rein_store_add_server (f->store, a->url, &error);
  gint64 b_id;

  first = run_sync (f);
  g_assert_cmpuint (first->len, ==, 1);

  /* one sync brings every document to a server added later */
  b_id = rein_store_add_server (f->store, b->url, &error);
  second = run_sync (f);
  g_assert_cmpuint (result_for (second, b->url)->pushed, ==, N_JOBS + 1);
  g_assert_cmpuint (result_for (second, a->url)->pushed, ==, 0);
  assert_server_has_all (f, a, a_id);
  assert_server_has_all (f, b, b_id);

  test_server_stop (a);
  test_server_free (a);
  test_server_stop (b);
  test_server_free (b);
}

/* We remember buckets on a server that does not know us (its database was
 * reset): the sync registers again and goes on. */
static void
test_sync_forgotten_account (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  gint64 server_id = rein_store_add_server (f->store, server->url, &error);

  g_assert_true (rein_store_set_bucket (f->store, server_id, rein_identity_get_id (f->identity),
                                        1, 1048576, "2026-01-01 00:00:00", &error));
  results = run_sync (f);
  g_assert_null (result_for (results, server->url)->error);
  g_assert_cmpuint (result_for (results, server->url)->pushed, ==, N_JOBS + 1);
  assert_server_has_all (f, server, server_id);

  test_server_stop (server);
  test_server_free (server);
}

static void
test_sync_cancel (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (ReinSync) sync = rein_sync_new (f->store);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  SyncWait w = { 0 };

  rein_store_add_server (f->store, server->url, &error);
  rein_sync_run_async (sync, f->identity, f->delegate, cancellable, sync_cb, &w);
  g_cancellable_cancel (cancellable);
  net_test_wait (&w.done);
  g_assert_null (w.results);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);

  test_server_stop (server);
  test_server_free (server);
}

/* Two syncs of one identity at once (the automatic sync and a
 * publication's push, each with its own ReinSync): the second waits for the
 * first, so neither loses its nonce, and a document added in between is
 * pushed by the second, once. */
static void
test_sync_concurrent (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (ReinSync) first = rein_sync_new (f->store);
  g_autoptr (ReinSync) second = rein_sync_new (f->store);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) late = NULL;
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Late\nJob ID: %s\n"
                                            "Category: Test\nDescription: Added while syncing",
                                            job_id);
  SyncWait a = { 0 }, b = { 0 };
  gint64 server_id = rein_store_add_server (f->store, server->url, &error);
  guint docs;

  g_assert_no_error (error);
  rein_sync_run_async (first, f->identity, f->delegate, NULL, sync_cb, &a);
  late = rein_document_sign (text, NULL, f->delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_store_add_document (f->store, late, rein_identity_get_id (f->identity), 0,
                                            &error), >, 0);
  rein_sync_run_async (second, f->identity, f->delegate, NULL, sync_cb, &b);
  net_test_wait (&a.done);
  net_test_wait (&b.done);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_null (((ReinSyncResult *) g_ptr_array_index (a.results, 0))->error);
  g_assert_null (((ReinSyncResult *) g_ptr_array_index (b.results, 0))->error);
  docs = rein_store_count_own_documents (f->store, rein_identity_get_id (f->identity));
  /* Every document placed once, the late one included. */
  g_assert_cmpuint (((ReinSyncResult *) g_ptr_array_index (b.results, 0))->total, ==, docs);
  assert_server_has_all (f, server, server_id);
  /* and nothing twice: the server holds one key per document */
  {
    g_autoptr (Answer) status = http_get (server, "status");
    g_autofree gchar *want = g_strdup_printf ("%u", docs);

    g_assert_cmpstr (json_object_get_string_member (answer_object (status), "stored"), ==, want);
  }
  g_ptr_array_unref (a.results);
  g_ptr_array_unref (b.results);
  test_server_stop (server);
  test_server_free (server);
}

/* Another client of the same owner (a second rein-cli on the same data
 * folder) finishes its sync while ours puts: it clears the nonce they
 * share. The proxy plays that client, clearing the nonce before the first
 * put (or before every put) reaches the server. */
typedef struct
{
  TestServer *server;
  const gchar *owner;
  gboolean every_put;
  guint cleared;
} NonceThief;

static void
clear_nonce_hook (CountingProxy *proxy, const gchar *request, gpointer data)
{
  NonceThief *thief = data;
  g_autofree gchar *path = g_strdup_printf ("nonce?address=%s", thief->owner);
  g_autoptr (Answer) current = NULL;
  g_autoptr (Answer) cleared = NULL;
  g_autofree gchar *clear = NULL;

  if (!g_str_has_prefix (request, "POST /put") || (thief->cleared > 0 && !thief->every_put))
    return;
  current = http_get (thief->server, path);
  clear = g_strdup_printf ("%s&clear=%s", path,
                           json_object_get_string_member (answer_object (current), "nonce"));
  cleared = http_get (thief->server, clear);
  g_assert_cmpstr (json_object_get_string_member (answer_object (cleared), "nonce"), ==, "");
  thief->cleared++;
}

static void
test_sync_nonce_cleared (Fixture *f, gconstpointer data)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (CountingProxy) proxy = counting_proxy_new (server->url);
  NonceThief thief = { server, rein_identity_get_master_address (f->identity), FALSE, 0 };
  g_autoptr (GError) error = NULL;
  gint64 server_id = rein_store_add_server (f->store, proxy->url, &error);

  g_assert_no_error (error);
  proxy->hook = clear_nonce_hook;
  proxy->hook_data = &thief;
  {
    g_autoptr (GPtrArray) results = run_sync (f);
    ReinSyncResult *r = result_for (results, proxy->url);

    /* the puts refused for the cleared nonce were made again with a new one */
    g_assert_cmpuint (thief.cleared, ==, 1);
    g_assert_null (r->error);
    g_assert_cmpuint (r->pushed, ==, N_JOBS + 1);
    g_assert_cmpuint (counting_proxy_count (proxy, "GET", "/nonce"), >=, 3);
    assert_server_has_all (f, server, server_id);
  }

  /* A nonce cleared again and again is not chased: the sync fails, saying
   * why. */
  {
    g_autoptr (ReinDocument) doc = NULL;
    g_autofree gchar *job_id = rein_job_id_generate ();
    g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: One more\nJob ID: %s\n"
                                              "Category: Test\nDescription: More", job_id);
    g_autoptr (GPtrArray) results = NULL;
    ReinSyncResult *r;

    doc = rein_document_sign (text, NULL, f->delegate, REIN_NETWORK_MAINNET, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rein_store_add_document (f->store, doc, rein_identity_get_id (f->identity),
                                              0, &error), >, 0);
    thief.every_put = TRUE;
    thief.cleared = 0;
    counting_proxy_reset (proxy);
    results = run_sync (f);
    r = result_for (results, proxy->url);
    g_assert_nonnull (r->error);
    g_assert_nonnull (strstr (r->error, "Bad nonce"));
    g_assert_cmpuint (thief.cleared, ==, 2);
    g_assert_cmpuint (counting_proxy_count (proxy, "POST", "/put"), ==, 2);
  }
  test_server_stop (server);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rein_secret_set_scrypt_cost (10);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/net/sync/mixed-servers", test_sync_mixed_servers);
  ADD ("/net/sync/stale-copy", test_sync_stale_copy);
  ADD ("/net/sync/new-server", test_sync_new_server);
  ADD ("/net/sync/cancel", test_sync_cancel);
  ADD ("/net/sync/forgotten-account", test_sync_forgotten_account);
  ADD ("/net/sync/gets", test_sync_gets);
  ADD ("/net/sync/wiped-server", test_sync_wiped_server);
  ADD ("/net/sync/lost-documents", test_sync_lost_documents);
  ADD ("/net/sync/concurrent", test_sync_concurrent);
  ADD ("/net/sync/nonce-cleared", test_sync_nonce_cleared);
#undef ADD

  return g_test_run ();
}

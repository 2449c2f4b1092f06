/* test-server-cluster.c: two rein-server processes on one database, with
 * clients spread over both, behave as one server (issue 16)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On PostgreSQL (REIN_TEST_STORE=postgresql) this is what several servers
 * behind one load balancer do; on SQLite it is two processes on one file,
 * which holds as well. Every test starts both servers on a new database.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rein-server-db.h"
#include "server-fixture.h"

#define N_THREADS 8

/* ---- requests in parallel ---- */

typedef struct
{
  TestServer *server;
  gchar *path;
  gchar *body;      /* POST when not NULL */
  Answer *answer;
} Call;

static void
call_free (Call *call)
{
  g_free (call->path);
  g_free (call->body);
  g_clear_pointer (&call->answer, answer_free);
  g_free (call);
}

static Call *
call_new (TestServer *server, gchar *path, gchar *body)
{
  Call *call = g_new0 (Call, 1);

  call->server = server;
  call->path = path;
  call->body = body;
  return call;
}

typedef struct
{
  GPtrArray *calls;
  gint next;
} Calls;

/* A session of the calling thread's own, on @server's address. */
static Answer *
call_run (Call *call)
{
  TestServer client = {
    .url = call->server->url,
    .session = soup_session_new_with_options ("timeout", 30, NULL),
  };
  Answer *answer;

  if (call->body != NULL)
    answer = http_post (&client, call->path, call->body, -1);
  else
    answer = http_get (&client, call->path);
  g_object_unref (client.session);
  return answer;
}

static gpointer
calls_thread (gpointer data)
{
  Calls *calls = data;
  gint i;

  while ((i = g_atomic_int_add (&calls->next, 1)) < (gint) calls->calls->len)
    {
      Call *call = g_ptr_array_index (calls->calls, i);

      call->answer = call_run (call);
    }
  return NULL;
}

/* Runs @calls on @n_threads threads at once; each gets its answer. */
static void
run_calls_on (GPtrArray *calls, guint n_threads)
{
  Calls shared = { .calls = calls, .next = 0 };
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);

  for (guint t = 0; t < n_threads; t++)
    threads[t] = g_thread_new ("call", calls_thread, &shared);
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);
}

static void
run_calls (GPtrArray *calls)
{
  run_calls_on (calls, N_THREADS);
}

/* ---- two servers ---- */

typedef struct
{
  TestServer *a;
  TestServer *b;
} Pair;

static void
pair_start (Pair *pair)
{
  pair->a = test_server_start (NULL, (const gchar *const[]) { "--rate=0", NULL });
  pair->b = test_server_start (pair->a->database, (const gchar *const[]) { "--rate=0", NULL });
}

static void
pair_free (Pair *pair)
{
  /* b first: a owns the database's directory. */
  g_clear_pointer (&pair->b, test_server_free);
  g_clear_pointer (&pair->a, test_server_free);
}

static TestServer *
pair_pick (Pair *pair, guint i)
{
  return i % 2 == 0 ? pair->a : pair->b;
}

static gchar *
job_document (Identity *creator, gsize padding)
{
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *description = g_strnfill (padding, 'x');
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Cluster\nJob ID: %s\n"
                                            "Description: %s\n"
                                            "Job creator public key: %s",
                                            job_id, description, creator->public_key);

  return identity_sign (creator, text);
}

/* Free bytes in @owner's first bucket, as /request answers them (it may
 * grant one more; that one comes last). */
static gint64
bytes_free (TestServer *server, Identity *owner, guint *out_buckets)
{
  g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=x",
                                            owner->master_address, owner->delegate_address);
  g_autoptr (Answer) answer = http_get (server, path);
  JsonArray *buckets;
  gint64 total = 0;

  g_assert_cmpuint (answer->status, ==, 200);
  buckets = json_object_get_array_member (answer_object (answer), "buckets");
  for (guint i = 0; i < MIN (json_array_get_length (buckets), 1); i++)
    total += g_ascii_strtoll (json_object_get_string_member (
                                json_array_get_object_element (buckets, i), "bytes_free"),
                              NULL, 10);
  if (out_buckets != NULL)
    *out_buckets = json_array_get_length (buckets);
  return total;
}

static void
register_buckets (Identity *owner, TestServer *server, guint n)
{
  for (guint i = 0; i < n; i++)
    identity_register (owner, server);
}

static const gchar *
answer_string (Answer *answer, const gchar *member)
{
  return json_object_get_string_member (answer_object (answer), member);
}

/* ---- nonces ---- */

/* Asked on both servers at once, an owner without a nonce gets one nonce,
 * not one per server; once cleared on one server it is refused on both,
 * and the next one is new. */
static void
test_nonces (void)
{
  g_autoptr (Identity) owner = identity_new ("nonces");
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  g_autofree gchar *nonce = NULL;
  g_autofree gchar *document = NULL;
  Pair pair;

  pair_start (&pair);
  identity_register (owner, pair.a);
  for (guint i = 0; i < 4 * N_THREADS; i++)
    g_ptr_array_add (calls, call_new (pair_pick (&pair, i),
                                      g_strdup_printf ("nonce?address=%s",
                                                       owner->master_address),
                                      NULL));
  run_calls (calls);
  for (guint i = 0; i < calls->len; i++)
    {
      Call *call = g_ptr_array_index (calls, i);

      g_assert_cmpuint (call->answer->status, ==, 200);
      if (nonce == NULL)
        nonce = g_strdup (answer_string (call->answer, "nonce"));
      g_assert_cmpuint (strlen (nonce), ==, 32);
      g_assert_cmpstr (answer_string (call->answer, "nonce"), ==, nonce);
    }

  /* Good on either server. */
  document = job_document (owner, 10);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *key = random_key ();
      g_autofree gchar *body = identity_put_body (owner, owner, key, document, nonce, FALSE);
      g_autoptr (Answer) answer = http_post (pair_pick (&pair, i), "put", body, -1);

      g_assert_cmpuint (answer->status, ==, 201);
    }

  /* Cleared on a, refused on both. */
  {
    g_autofree gchar *path = g_strdup_printf ("nonce?address=%s&clear=%s",
                                              owner->master_address, nonce);
    g_autoptr (Answer) answer = http_get (pair.a, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (answer_string (answer, "nonce"), ==, "");
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *key = random_key ();
      g_autofree gchar *body = identity_put_body (owner, owner, key, document, nonce, FALSE);
      g_autoptr (Answer) answer = http_post (pair_pick (&pair, i), "put", body, -1);

      g_assert_cmpuint (answer->status, ==, 401);
      g_assert_cmpstr (answer_string (answer, "error"), ==, "Bad nonce");
    }
  identity_fetch_nonce (owner, pair.b);
  g_assert_cmpstr (owner->nonce, !=, nonce);
  {
    g_autofree gchar *path = g_strdup_printf ("nonce?address=%s", owner->master_address);
    g_autoptr (Answer) answer = http_get (pair.a, path);

    g_assert_cmpstr (answer_string (answer, "nonce"), ==, owner->nonce);
  }
  pair_free (&pair);
}

/* ---- buckets ---- */

/* /request on both servers at once grants four buckets in all, and puts on
 * both at once never fill a bucket past its size. */
static void
test_buckets (void)
{
  g_autoptr (Identity) owner = identity_new ("requests");
  g_autoptr (Identity) filler = identity_new ("filler");
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  g_autoptr (GPtrArray) puts = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 stored = 0;
  guint granted = 0, refused = 0, buckets = 0;
  Pair pair;

  pair_start (&pair);
  for (guint i = 0; i < 3 * N_THREADS; i++)
    g_ptr_array_add (calls, call_new (pair_pick (&pair, i),
                                      g_strdup_printf ("request?owner=%s&delegate=%s&contact=x",
                                                       owner->master_address,
                                                       owner->delegate_address),
                                      NULL));
  run_calls (calls);
  for (guint i = 0; i < calls->len; i++)
    {
      Call *call = g_ptr_array_index (calls, i);

      g_assert_cmpuint (call->answer->status, ==, 200);
      if (g_strcmp0 (answer_string (call->answer, "result"), "success") == 0)
        granted++;
    }
  g_assert_cmpuint (granted, ==, REIN_SERVER_MAX_BUCKETS);
  bytes_free (pair.b, owner, &buckets);
  g_assert_cmpuint (buckets, ==, REIN_SERVER_MAX_BUCKETS);

  /* One bucket, puts of about 7 KiB (documents are 8 KiB at most): 145
   * fit, 180 are sent. */
  identity_register (filler, pair.a);
  identity_fetch_nonce (filler, pair.a);
  for (guint i = 0; i < 180; i++)
    {
      g_autofree gchar *document = job_document (filler, 7000);
      g_autofree gchar *key = random_key ();
      /* The size a put counts: key and value. */
      gint64 size = (gint64) (strlen (key) + strlen (document));

      g_ptr_array_add (puts, call_new (pair_pick (&pair, i), g_strdup ("put"),
                                       identity_put_body (filler, filler, key, document,
                                                          filler->nonce, FALSE)));
      g_array_append_val (sizes, size);
    }
  run_calls (puts);
  for (guint i = 0; i < puts->len; i++)
    {
      Call *call = g_ptr_array_index (puts, i);

      if (call->answer->status == 201)
        stored += g_array_index (sizes, gint64, i);
      else
        {
          g_assert_cmpuint (call->answer->status, ==, 403);
          g_assert_cmpstr (answer_string (call->answer, "error"), ==,
                           "Insufficient storage space.");
          refused++;
        }
    }
  g_test_message ("%u puts refused, %" G_GINT64_FORMAT " bytes stored", refused, stored);
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpint (stored, <=, REIN_SERVER_BUCKET_SIZE);
  g_assert_cmpint (stored, >, REIN_SERVER_BUCKET_SIZE - 8 * 1024);
  /* Both servers count exactly what was stored. */
  g_assert_cmpint (bytes_free (pair.a, filler, NULL), ==, REIN_SERVER_BUCKET_SIZE - stored);
  pair_free (&pair);
}

/* ---- put replaces put ---- */

/* Puts of one key through both servers at once: every one is answered 201,
 * one of them is what both servers then answer, the bucket counts that one
 * only, and the documents it replaced are gone. */
static void
test_replace (void)
{
  g_autoptr (Identity) owner = identity_new ("replace");
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  g_autoptr (GPtrArray) documents = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *path = g_strdup_printf ("get?key=%s", key);
  const gchar *final = NULL;
  Pair pair;

  pair_start (&pair);
  identity_register (owner, pair.a);
  identity_fetch_nonce (owner, pair.b);
  for (guint i = 0; i < 6 * N_THREADS; i++)
    {
      gchar *document = job_document (owner, 100 + 7 * i);

      g_ptr_array_add (documents, document);
      g_ptr_array_add (calls, call_new (pair_pick (&pair, i), g_strdup ("put"),
                                        identity_put_body (owner, owner, key, document,
                                                           owner->nonce, FALSE)));
    }
  run_calls (calls);
  for (guint i = 0; i < calls->len; i++)
    g_assert_cmpuint (((Call *) g_ptr_array_index (calls, i))->answer->status, ==, 201);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (Answer) answer = http_get (pair_pick (&pair, i), path);
      const gchar *value;

      g_assert_cmpuint (answer->status, ==, 200);
      value = answer_string (answer, "value");
      if (final == NULL)
        {
          for (guint d = 0; d < documents->len && final == NULL; d++)
            if (strcmp (value, g_ptr_array_index (documents, d)) == 0)
              final = g_ptr_array_index (documents, d);
          g_assert_nonnull (final);
        }
      g_assert_cmpstr (value, ==, final);
    }
  g_assert_cmpint (bytes_free (pair.a, owner, NULL), ==,
                   REIN_SERVER_BUCKET_SIZE - (gint64) (strlen (key) + strlen (final)));
  rows = test_store_select (pair.a->database, "SELECT count(*) FROM documents", NULL);
  g_assert_cmpstr (g_ptr_array_index (rows, 0), ==, "1");
  pair_free (&pair);
}

/* ---- kill -9 of one server ---- */

typedef struct
{
  TestServer *server;
  GPtrArray *keys;
  GPtrArray *bodies;
  GPtrArray *acked;      /* indexes (GUINT_TO_POINTER) answered 201 */
  gint n_acked;          /* its length, for the main thread to watch */
  gboolean may_die;      /* the server that is killed */
  guint failed;
} Putter;

static gpointer
putter_thread (gpointer data)
{
  Putter *putter = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  TestServer client = { .url = putter->server->url, .session = session };

  for (guint i = 0; i < putter->bodies->len; i++)
    {
      g_autoptr (SoupMessage) msg = NULL;
      g_autoptr (GBytes) reply = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = NULL;
      g_autofree gchar *url = g_strconcat (client.url, "put", NULL);
      const gchar *body = g_ptr_array_index (putter->bodies, i);

      /* Not http_post(): the killed server's puts fail, and that is no
       * assertion. */
      msg = soup_message_new (SOUP_METHOD_POST, url);
      bytes = g_bytes_new_static (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (error != NULL)
        {
          g_assert_true (putter->may_die);
          putter->failed = putter->bodies->len - i;
          break;
        }
      g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
      g_ptr_array_add (putter->acked, GUINT_TO_POINTER (i));
      g_atomic_int_inc (&putter->n_acked);
    }
  return NULL;
}

/* Puts through both servers; one is killed (SIGKILL) in the middle. The
 * other goes on, and every put either acknowledged is there, through the
 * survivor and through the killed one started again. */
static void
test_kill_one (void)
{
  Putter putters[N_THREADS];
  GThread *threads[N_THREADS];
  Identity *owners[N_THREADS];
  TestServer *restarted;
  guint acked_before_kill = 0, total = 0, lost_in_flight = 0;
  Pair pair;

  pair_start (&pair);
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_autofree gchar *name = g_strdup_printf ("kill%u", t);

      owners[t] = identity_new (name);
      register_buckets (owners[t], pair.a, 1);
      identity_fetch_nonce (owners[t], pair.b);
      putters[t] = (Putter) {
        .server = pair_pick (&pair, t),
        .keys = g_ptr_array_new_with_free_func (g_free),
        .bodies = g_ptr_array_new_with_free_func (g_free),
        .acked = g_ptr_array_new (),
        .may_die = pair_pick (&pair, t) == pair.a,
      };
      for (guint i = 0; i < 150; i++)
        {
          g_autofree gchar *document = job_document (owners[t], 64);
          gchar *key = random_key ();

          g_ptr_array_add (putters[t].keys, key);
          g_ptr_array_add (putters[t].bodies, identity_put_body (owners[t], owners[t], key,
                                                                 document, owners[t]->nonce,
                                                                 FALSE));
        }
    }

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("put", putter_thread, &putters[t]);
  /* Kill a once about a quarter of its puts are in. */
  while (acked_before_kill < N_THREADS / 2 * 150 / 4)
    {
      acked_before_kill = 0;
      for (guint t = 0; t < N_THREADS; t += 2)
        acked_before_kill += (guint) g_atomic_int_get (&putters[t].n_acked);
      g_usleep (1000);
    }
  test_server_kill (pair.a);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  restarted = test_server_start (pair.a->database, (const gchar *const[]) { "--rate=0", NULL });
  for (guint t = 0; t < N_THREADS; t++)
    {
      for (guint j = 0; j < putters[t].acked->len; j++)
        {
          guint i = GPOINTER_TO_UINT (g_ptr_array_index (putters[t].acked, j));
          g_autofree gchar *path = g_strdup_printf ("get?key=%s",
                                                    (gchar *) g_ptr_array_index (putters[t].keys,
                                                                                 i));

          for (guint s = 0; s < 2; s++)
            {
              g_autoptr (Answer) answer = http_get (s == 0 ? pair.b : restarted, path);

              g_assert_cmpuint (answer->status, ==, 200);
            }
        }
      total += putters[t].acked->len;
      lost_in_flight += putters[t].failed;
      if (!putters[t].may_die)
        g_assert_cmpuint (putters[t].acked->len, ==, 150);
    }
  g_test_message ("%u puts acknowledged and found on both servers; %u not made on the killed "
                  "one", total, lost_in_flight);
  g_assert_cmpuint (lost_in_flight, >, 0);

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_ptr_array_unref (putters[t].keys);
      g_ptr_array_unref (putters[t].bodies);
      g_ptr_array_unref (putters[t].acked);
      identity_free (owners[t]);
    }
  test_server_free (restarted);
  pair_free (&pair);
}

/* ---- the connection pool ---- */

#define POOL_READERS 32
#define POOL_APPLICATION "rein-pool-test"

typedef struct
{
  GPtrArray *calls;
  gint done;
} Burst;

static gpointer
burst_thread (gpointer data)
{
  Burst *burst = data;

  run_calls_on (burst->calls, POOL_READERS);
  g_atomic_int_set (&burst->done, 1);
  return NULL;
}

/* The connections @database's cluster has open for application_name
 * POOL_APPLICATION (the server's, set in its URI; the one asking here has
 * none). */
static guint
pool_connections (const gchar *database)
{
  g_autoptr (GPtrArray) rows = test_store_select (database,
                                                  "SELECT count(*) FROM pg_stat_activity"
                                                  " WHERE application_name = $1",
                                                  POOL_APPLICATION);

  g_assert_cmpuint (rows->len, ==, 1);
  return (guint) g_ascii_strtoull (g_ptr_array_index (rows, 0), NULL, 10);
}

/* PostgreSQL: --database-connections=2 holds the process to 2 + 2
 * connections (reads, the writer, /status) however many requests come at
 * once: POOL_READERS clients reading together, the connections counted
 * all along from the database's side. */
static void
test_pool_bound (void)
{
  g_autoptr (Identity) owner = identity_new ("pool");
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *database = NULL;
  g_autofree gchar *uri = NULL;
  g_autofree gchar *jobs = NULL;
  Burst burst = { 0 };
  GThread *thread;
  TestServer *server;
  guint most = 0, least = G_MAXUINT, samples = 0;

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("PostgreSQL's connection pool (REIN_TEST_STORE=postgresql)");
      return;
    }
  /* The cluster ignores the directory. */
  database = test_store_new_database (g_get_tmp_dir ());
  uri = g_strconcat (database, "&application_name=" POOL_APPLICATION, NULL);
  server = test_server_start (uri, (const gchar *const[]) { "--rate=0",
                                                            "--database-connections=2", NULL });
  identity_register (owner, server);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree gchar *document = job_document (owner, 2000);
      gchar *key = random_key ();
      g_autoptr (Answer) answer = identity_put (owner, server, key, document, FALSE);

      g_assert_cmpuint (answer->status, ==, 201);
      g_ptr_array_add (keys, key);
    }

  /* Queries of every job (50 kB answers), gets and /status, eight each. */
  jobs = g_strdup_printf ("query?owner=%s&query=jobs&testnet=0", owner->master_address);
  for (guint i = 0; i < 8 * POOL_READERS; i++)
    {
      gchar *path;

      if (i % 4 < 2)
        path = g_strdup (jobs);
      else if (i % 4 == 2)
        path = g_strdup_printf ("get?key=%s", (gchar *) g_ptr_array_index (keys, i % keys->len));
      else
        path = g_strdup ("status");
      g_ptr_array_add (calls, call_new (server, path, NULL));
    }
  burst.calls = calls;
  thread = g_thread_new ("burst", burst_thread, &burst);
  while (!g_atomic_int_get (&burst.done))
    {
      guint n = pool_connections (database);

      most = MAX (most, n);
      least = MIN (least, n);
      samples++;
    }
  g_thread_join (thread);
  most = MAX (most, pool_connections (database));
  g_test_message ("%u samples during %u requests: %u to %u connections", samples, calls->len,
                  least, most);
  for (guint i = 0; i < calls->len; i++)
    {
      Call *call = g_ptr_array_index (calls, i);

      g_assert_cmpuint (call->answer->status, ==, 200);
    }
  g_assert_cmpuint (samples, >, 0);
  g_assert_cmpuint (most, <=, 2 + 2);
  /* Counted where the server's are: reads, the writer and /status. */
  g_assert_cmpuint (most, >=, 3);

  test_server_free (server);
}

/* --database-connections out of its range (1 to 1000) is refused, saying
 * which option and its range. */
static void
test_pool_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *directory = g_dir_make_tmp ("rein-server-pool-XXXXXX", &error);
  g_autofree gchar *database = NULL;
  const gchar *const bad[] = { "--database-connections=0", "--database-connections=1001",
                               "--database-connections=-1" };

  g_assert_no_error (error);
  database = test_store_new_database (directory);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree gchar *out = NULL;
      g_autofree gchar *err = NULL;
      gint status = test_server_run_to_exit (database,
                                             (const gchar *const[]) { bad[i], NULL },
                                             &out, &err);

      g_test_message ("%s: %s", bad[i], err);
      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, "--database-connections must be 1 to 1000"));
      g_assert_null (strstr (out, "listening on"));
    }
  /* Refused before anything was opened: the directory is still empty. */
  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/cluster/nonces", test_nonces);
  g_test_add_func ("/server/cluster/buckets", test_buckets);
  g_test_add_func ("/server/cluster/put-replaces-put", test_replace);
  g_test_add_func ("/server/cluster/kill-9-one", test_kill_one);
  g_test_add_func ("/server/cluster/pool-bound", test_pool_bound);
  g_test_add_func ("/server/cluster/pool-refused", test_pool_refused);

  return g_test_run ();
}

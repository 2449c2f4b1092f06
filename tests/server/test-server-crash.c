/* test-server-crash.c: concurrent puts, kill -9 at a random moment, restart:
 * every acknowledged put is there and the database is intact
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rein-server-db.h"
#include "server-fixture.h"

#define N_THREADS 8
#define N_DOCUMENTS 1600
#define N_KILL_ROUNDS 3      /* at least; more while none cut puts off */
#define MAX_KILL_ROUNDS 8

typedef struct
{
  TestServer *server;
  GPtrArray *keys;      /* of gchar *, all planned */
  GPtrArray *values;
  GPtrArray *bodies;
  guint first, step;    /* this thread's share */
  GMutex *lock;
  GPtrArray *acked;     /* indexes (GUINT_TO_POINTER) answered 201 */
  gint *stopping;       /* set just before the signal is sent */
  gint *attempted;      /* puts begun before that */
  gint *unanswered;     /* of which no answer came (or 503, when stopping) */
  gint *acked_begun;    /* of which 201 came */
  gboolean graceful;    /* SIGTERM: 503 for what comes too late */
  gint *finished;       /* threads that are done */
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);

  for (guint i = worker->first; i < worker->bodies->len; i += worker->step)
    {
      g_autofree gchar *url = g_strconcat (worker->server->url, "put", NULL);
      g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GBytes) reply = NULL;
      g_autoptr (GError) error = NULL;
      const gchar *text = g_ptr_array_index (worker->bodies, i);
      /* Begun while the server was surely alive: in flight if it dies. */
      gboolean before_signal = !g_atomic_int_get (worker->stopping);

      if (before_signal)
        g_atomic_int_inc (worker->attempted);
      body = g_bytes_new_static (text, strlen (text));
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      /* The server is gone, or stopping and taking no more. */
      if (error != NULL || (worker->graceful && soup_message_get_status (msg) == 503))
        {
          if (before_signal)
            g_atomic_int_inc (worker->unanswered);
          break;
        }
      g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
      if (before_signal)
        g_atomic_int_inc (worker->acked_begun);
      g_mutex_lock (worker->lock);
      g_ptr_array_add (worker->acked, GUINT_TO_POINTER (i));
      g_mutex_unlock (worker->lock);
    }
  g_atomic_int_inc (worker->finished);
  return NULL;
}

static guint
count_acked (Worker *worker)
{
  guint n;

  g_mutex_lock (worker->lock);
  n = worker->acked->len;
  g_mutex_unlock (worker->lock);
  return n;
}

/* A round of puts ended by kill -9, or by SIGTERM (@graceful), which must
 * answer what is in flight and exit cleanly. The signal comes once a random
 * share of the puts has been acknowledged (plus a random few ms), so that
 * it lands while puts are going on, however fast the machine is. Returns
 * whether some puts begun before the signal went unanswered: on a busy
 * machine the server may still answer all of them before the signal
 * reaches it. */
static gboolean
run_round (const gchar *database, guint round, gboolean graceful)
{
  g_autoptr (Identity) owner = identity_new ("crash");
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) acked = g_ptr_array_new ();
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  GMutex lock;
  TestServer *server;
  guint target, jitter_us, acked_at_signal;
  gint stopping = 0, attempted = 0, unanswered = 0, acked_begun = 0, finished = 0;
  g_autoptr (GTimer) timer = g_timer_new ();

  g_mutex_init (&lock);
  server = test_server_start (database, (const gchar *const[]) { "--rate=0", NULL });
  for (guint i = 0; i < 4; i++)
    identity_register (owner, server);
  identity_fetch_nonce (owner, server);

  for (guint i = 0; i < N_DOCUMENTS; i++)
    {
      g_autofree gchar *id = random_job_id ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Crash %u.%u\nJob ID: %s\n"
                                                "Job creator public key: %s",
                                                round, i, id, owner->public_key);
      gchar *key = random_key ();
      gchar *value = identity_sign (owner, text);

      g_ptr_array_add (keys, key);
      g_ptr_array_add (values, value);
      g_ptr_array_add (bodies, identity_put_body (owner, owner, key, value, owner->nonce, FALSE));
    }

  for (guint t = 0; t < N_THREADS; t++)
    {
      workers[t] = (Worker) {
        .server = server, .keys = keys, .values = values, .bodies = bodies,
        .first = t, .step = N_THREADS, .lock = &lock, .acked = acked,
        .stopping = &stopping, .attempted = &attempted, .unanswered = &unanswered,
        .acked_begun = &acked_begun, .finished = &finished, .graceful = graceful,
      };
      threads[t] = g_thread_new ("put", worker_thread, &workers[t]);
    }

  target = (guint) g_test_rand_int_range (N_DOCUMENTS / 20, N_DOCUMENTS * 3 / 4);
  jitter_us = (guint) g_test_rand_int_range (0, 3000);
  g_timer_start (timer);
  while (count_acked (&workers[0]) < target && g_atomic_int_get (&finished) < N_THREADS)
    {
      g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 60.0);
      g_usleep (500);
    }
  g_usleep (jitter_us);
  acked_at_signal = count_acked (&workers[0]);
  g_atomic_int_set (&stopping, 1);
  if (graceful)
    test_server_stop (server);
  else
    test_server_kill (server);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  g_test_message ("round %u: %s after %.0f ms and %u acknowledgements: %d puts begun before it, "
                  "%d of them acknowledged, %d without an answer (%u acknowledged in all)",
                  round, graceful ? "SIGTERM" : "SIGKILL", g_timer_elapsed (timer, NULL) * 1000,
                  acked_at_signal, attempted, acked_begun, unanswered, acked->len);
  /* The signal came while puts were going on, not after the last. */
  g_assert_cmpint (attempted, <, N_DOCUMENTS);
  g_assert_cmpint (acked_begun + unanswered, ==, attempted);
  test_server_free (server);

  /* Restart: every acknowledged put is there, byte for byte. */
  server = test_server_start (database, (const gchar *const[]) { "--rate=0", NULL });
  for (guint i = 0; i < acked->len; i++)
    {
      guint index = GPOINTER_TO_UINT (g_ptr_array_index (acked, i));
      g_autofree gchar *path = g_strdup_printf ("get?key=%s",
                                                (gchar *) g_ptr_array_index (keys, index));
      g_autoptr (Answer) answer = http_get (server, path);

      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "value"), ==,
                       g_ptr_array_index (values, index));
    }
  test_server_free (server);

  {
    g_autoptr (GError) error = NULL;
    ReinServerDb *db = rein_server_db_open (database, FALSE, &error);

    g_assert_no_error (error);
    rein_server_db_check_integrity (db, &error);
    g_assert_no_error (error);
    rein_server_db_close (db);
  }
  g_mutex_clear (&lock);
  return acked_begun < attempted;
}

static void
test_kill (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *directory = g_dir_make_tmp ("rein-server-crash-XXXXXX", &error);
  g_autofree gchar *database = NULL;
  const gchar *suffixes[] = { "", "-wal", "-shm" };
  guint round, interrupted = 0;

  g_assert_no_error (error);
  database = test_store_new_database (directory);
  /* kill -9 must have cut puts off in flight at least once: fewer
   * acknowledged than begun when it came. */
  for (round = 0; round < N_KILL_ROUNDS || (interrupted == 0 && round < MAX_KILL_ROUNDS); round++)
    if (run_round (database, round, FALSE))
      interrupted++;
  g_test_message ("%u of %u kill -9 rounds cut puts off", interrupted, round);
  g_assert_cmpuint (interrupted, >, 0);
  run_round (database, round, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *path = g_strconcat (database, suffixes[i], NULL);

      g_remove (path);
    }
  g_rmdir (directory);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/crash/kill-9-and-sigterm", test_kill);

  return g_test_run ();
}

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
#define N_ROUNDS 4

typedef struct
{
  TestServer *server;
  GPtrArray *keys;      /* of gchar *, all planned */
  GPtrArray *values;
  GPtrArray *bodies;
  guint first, step;    /* this thread's share */
  GMutex *lock;
  GPtrArray *acked;     /* indexes (GUINT_TO_POINTER) answered 201 */
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

      body = g_bytes_new_static (text, strlen (text));
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (error != NULL)
        break; /* the server is gone */
      g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
      g_mutex_lock (worker->lock);
      g_ptr_array_add (worker->acked, GUINT_TO_POINTER (i));
      g_mutex_unlock (worker->lock);
    }
  return NULL;
}

/* Rounds before the last end with kill -9; the last with SIGTERM, which
 * must answer what is in flight and exit cleanly. */
static void
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
  guint delay_ms;

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
      };
      threads[t] = g_thread_new ("put", worker_thread, &workers[t]);
    }

  delay_ms = (guint) g_test_rand_int_range (100, 900);
  g_usleep (delay_ms * 1000);
  if (graceful)
    test_server_stop (server);
  else
    test_server_kill (server);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  g_test_message ("round %u: %s after %u ms, %u puts acknowledged",
                  round, graceful ? "SIGTERM" : "SIGKILL", delay_ms, acked->len);
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
}

static void
test_kill (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *directory = g_dir_make_tmp ("rein-server-crash-XXXXXX", &error);
  g_autofree gchar *database = NULL;
  const gchar *suffixes[] = { "", "-wal", "-shm" };

  g_assert_no_error (error);
  database = g_build_filename (directory, "rein-server.db", NULL);
  for (guint round = 0; round < N_ROUNDS; round++)
    run_round (database, round, round == N_ROUNDS - 1);

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

/* test-server-replica.c: rein-server on a replica serves reads only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `--read-only` on the suite's store (SQLite, or PostgreSQL with
 * REIN_TEST_STORE=postgresql): reads answered as the primary answers them,
 * writes refused with a message that says why, nothing written. On
 * PostgreSQL also a real hot standby (pg_basebackup, streaming), which the
 * server finds read-only by itself, and which follows the primary.
 */
#include <string.h>
#include <glib/gstdio.h>

#include "server-fixture.h"

/* Everything a client may ask, on a database where @owner put a job. */
typedef struct
{
  gchar *key;
  gchar *job;
} Stored;

static void
stored_clear (Stored *stored)
{
  g_free (stored->key);
  g_free (stored->job);
}

static void
put_job (TestServer *server, Identity *owner, const gchar *job_id, Stored *out)
{
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Kept\nJob ID: %s", job_id);
  g_autoptr (Answer) answer = NULL;

  out->job = identity_sign (owner, text);
  out->key = random_key ();
  answer = identity_put (owner, server, out->key, out->job, FALSE);
  g_assert_cmpuint (answer->status, ==, 201);
}

static gchar *
count_rows (const gchar *database, const gchar *table)
{
  g_autofree gchar *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr (GPtrArray) rows = test_store_select (database, sql, NULL);

  g_assert_cmpuint (rows->len, ==, 1);
  return g_strdup (rows->pdata[0]);
}

/* The reads of @stored answer on @replica as on @primary; every write is
 * refused, 503, in its call's own error form, naming the replica. */
static void
assert_serves_reads_only (TestServer *primary, TestServer *replica, Identity *owner,
                          Stored *stored)
{
  g_autofree gchar *get = g_strdup_printf ("get?key=%s", stored->key);
  g_autofree gchar *query = g_strdup_printf ("query?owner=%s&query=jobs&testnet=0",
                                             owner->master_address);
  g_autofree gchar *request = g_strdup_printf ("request?owner=%s&delegate=%s&contact=x",
                                               owner->master_address,
                                               owner->delegate_address);
  g_autofree gchar *nonce = g_strdup_printf ("nonce?address=%s", owner->master_address);
  const gchar *reads[] = { get, query, "status", NULL };

  for (guint i = 0; reads[i] != NULL; i++)
    {
      g_autoptr (Answer) on_primary = http_get (primary, reads[i]);
      g_autoptr (Answer) on_replica = http_get (replica, reads[i]);

      g_assert_cmpuint (on_replica->status, ==, 200);
      g_assert_cmpuint (on_replica->status, ==, on_primary->status);
      /* /status differs in uptime only */
      if (i < 2)
        g_assert_cmpstr (on_replica->body, ==, on_primary->body);
    }
  {
    g_autoptr (Answer) answer = http_get (replica, get);

    g_assert_nonnull (strstr (answer->body, "Job name: Kept"));
  }

  /* writes: refused before anything is written */
  {
    g_autoptr (Answer) answer = http_get (replica, request);

    g_assert_cmpuint (answer->status, ==, 503);
    g_assert_true (answer_is_json_error (answer));
    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "result"), ==,
                     "error");
    g_assert_nonnull (strstr (json_object_get_string_member (answer_object (answer), "message"),
                              "read-only replica"));
  }
  {
    g_autoptr (Answer) answer = http_get (replica, nonce);

    g_assert_cmpuint (answer->status, ==, 503);
    g_assert_nonnull (strstr (json_object_get_string_member (answer_object (answer), "error"),
                              "send /nonce to the primary server"));
  }
  {
    g_autofree gchar *key = random_key ();
    g_autofree gchar *body = identity_put_body (owner, owner, key, stored->job,
                                                "00000000000000000000000000000000", FALSE);
    g_autoptr (Answer) answer = http_post (replica, "put", body, -1);

    g_assert_cmpuint (answer->status, ==, 503);
    g_assert_nonnull (strstr (json_object_get_string_member (answer_object (answer), "error"),
                              "send /put to the primary server"));
  }
}

static void
test_read_only_option (void)
{
  g_autoptr (TestServer) primary = test_server_start (NULL, NULL);
  g_autoptr (TestServer) replica = NULL;
  g_autoptr (Identity) owner = identity_new ("Owner");
  g_autofree gchar *owners_before = NULL;
  g_autofree gchar *kv_before = NULL;
  g_autofree gchar *owners_after = NULL;
  g_autofree gchar *kv_after = NULL;
  g_autofree gchar *job_id = random_job_id ();
  Stored stored = { 0 };

  identity_register (owner, primary);
  put_job (primary, owner, job_id, &stored);
  /* an owner that asks the replica for buckets is not written either */
  owners_before = count_rows (primary->database, "owners");
  kv_before = count_rows (primary->database, "kv");

  replica = test_server_start (primary->database, (const gchar *const[]){ "--read-only", NULL });
  assert_serves_reads_only (primary, replica, owner, &stored);
  {
    g_autoptr (Identity) stranger = identity_new ("Stranger");
    g_autofree gchar *request = g_strdup_printf ("request?owner=%s&delegate=%s",
                                                 stranger->master_address,
                                                 stranger->delegate_address);
    g_autoptr (Answer) answer = http_get (replica, request);

    g_assert_cmpuint (answer->status, ==, 503);
  }
  owners_after = count_rows (primary->database, "owners");
  kv_after = count_rows (primary->database, "kv");
  g_assert_cmpstr (owners_after, ==, owners_before);
  g_assert_cmpstr (kv_after, ==, kv_before);

  /* the primary goes on writing, and the replica serves what it wrote */
  {
    g_autofree gchar *second_id = random_job_id ();
    g_autofree gchar *path = NULL;
    g_autoptr (Answer) answer = NULL;
    Stored second = { 0 };

    put_job (primary, owner, second_id, &second);
    path = g_strdup_printf ("get?key=%s", second.key);
    answer = http_get (replica, path);
    g_assert_cmpuint (answer->status, ==, 200);
    stored_clear (&second);
  }
  test_server_stop (replica);
  stored_clear (&stored);
}

/* A replica migrates nothing: on an empty database it does not start, and
 * says why, leaving the database empty. */
static void
test_read_only_empty (void)
{
  g_autofree gchar *directory = g_dir_make_tmp ("rein-replica-XXXXXX", NULL);
  g_autofree gchar *database = test_store_new_database (directory);
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status;

  status = test_server_run_to_exit (database, (const gchar *const[]){ "--read-only", NULL },
                                    &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (strstr (err, "rein-server: ") != NULL);
  if (test_store_is_postgresql ())
    {
      g_autoptr (GPtrArray) tables =
        test_store_select (database, "SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_schema = current_schema()", NULL);

      g_assert_nonnull (strstr (err, "schema version 0"));
      g_assert_cmpstr (tables->pdata[0], ==, "0");
    }
  else
    g_assert_false (g_file_test (database, G_FILE_TEST_EXISTS));
  g_rmdir (directory);
}

/* A PostgreSQL hot standby: found read-only without --read-only, and
 * following the primary. */
static void
test_standby (void)
{
  TestCluster *primary_cluster;
  TestCluster *standby_cluster;
  g_autofree gchar *primary_database = NULL;
  g_autofree gchar *standby_database = NULL;
  g_autoptr (TestServer) primary = NULL;
  g_autoptr (TestServer) replica = NULL;
  g_autoptr (Identity) owner = identity_new ("Owner");
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *log = NULL;
  Stored stored = { 0 };

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("a standby is PostgreSQL's (REIN_TEST_STORE=postgresql)");
      return;
    }
  primary_cluster = test_cluster_start (FALSE);
  primary_database = test_cluster_new_database (primary_cluster);
  primary = test_server_start (primary_database, NULL);
  identity_register (owner, primary);
  put_job (primary, owner, job_id, &stored);

  standby_cluster = test_cluster_start_standby (primary_cluster);
  standby_database = test_cluster_same_database (standby_cluster, primary_database);
  test_cluster_wait_replayed (primary_cluster, standby_cluster);
  replica = test_server_start_full (standby_database, NULL, 0, TRUE);
  assert_serves_reads_only (primary, replica, owner, &stored);
  log = test_server_get_stderr (replica);
  g_assert_nonnull (strstr (log, "only reads (a standby, or a read-only role)"));
  /* no password or socket path beyond the display name in the log */
  g_assert_null (strstr (log, "password"));

  /* what the primary writes next reaches the replica */
  {
    g_autofree gchar *second_id = random_job_id ();
    g_autofree gchar *path = NULL;
    g_autoptr (Answer) answer = NULL;
    Stored second = { 0 };

    put_job (primary, owner, second_id, &second);
    test_cluster_wait_replayed (primary_cluster, standby_cluster);
    path = g_strdup_printf ("get?key=%s", second.key);
    answer = http_get (replica, path);
    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_nonnull (strstr (answer->body, second_id));
    stored_clear (&second);
  }

  test_server_stop (replica);
  test_server_stop (primary);
  g_clear_pointer (&replica, test_server_free);
  g_clear_pointer (&primary, test_server_free);
  test_cluster_stop (standby_cluster);
  test_cluster_stop (primary_cluster);
  stored_clear (&stored);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/replica/read-only-option", test_read_only_option);
  g_test_add_func ("/server/replica/read-only-empty", test_read_only_empty);
  g_test_add_func ("/server/replica/standby", test_standby);

  return g_test_run ();
}

/* store-fixture.c: the store the server suite runs against
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-fixture.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _TestCluster
{
  gchar *directory; /* the data directory's parent, and the socket's */
  GSubprocess *postgres;
  PGconn *admin;
  guint databases;
};

/* Who runs PostgreSQL: the "postgres" user when we are root (initdb and
 * postgres refuse root), ourselves otherwise. */
typedef struct
{
  gboolean drop;
  uid_t uid;
  gid_t gid;
} RunAs;

static RunAs run_as;

/* In the child, before exec: become the postgres user, and die with the
 * test program (SIGQUIT: PostgreSQL's immediate shutdown) even when an
 * assertion aborts it. The parent-death signal is set after the user
 * changes, which clears it. */
static void
child_setup (gpointer user_data)
{
  if (run_as.drop)
    {
      if (setgroups (0, NULL) != 0 || setgid (run_as.gid) != 0 || setuid (run_as.uid) != 0)
        _exit (126);
    }
  prctl (PR_SET_PDEATHSIG, SIGQUIT);
}

static gchar *
pg_binary (const gchar *name)
{
  const gchar *bindir = g_getenv ("REIN_TEST_PG_BINDIR");

  g_assert_nonnull (bindir);
  return g_build_filename (bindir, name, NULL);
}

/* Runs initdb for a data directory at @data, whose parent the postgres
 * user may write. */
static void
run_initdb (GSubprocessLauncher *launcher, const gchar *data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) initdb = NULL;
  g_autofree gchar *initdb_path = pg_binary ("initdb");

  initdb = g_subprocess_launcher_spawn (launcher, &error, initdb_path, "--pgdata", data,
                                        "--auth=trust", "--username=postgres",
                                        "--encoding=UTF8", "--locale=C", "--no-sync",
                                        "--no-instructions", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (initdb, NULL, &error);
  g_assert_no_error (error);
}

static void
run_command (const gchar *const *argv)
{
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

/* A new cluster's data directory at @data. initdb takes seconds on a busy
 * machine; so the first test program of a build makes a template in the
 * build directory (made aside, then renamed: programs running at once
 * race harmlessly) and every cluster is a copy of it. */
static void
make_data_directory (GSubprocessLauncher *launcher, const gchar *data)
{
  const gchar *builddir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree gchar *bindir_hash = NULL;
  g_autofree gchar *template = NULL;
  g_autofree gchar *template_data = NULL;

  if (builddir == NULL)
    {
      run_initdb (launcher, data);
      return;
    }
  bindir_hash = g_strdup_printf ("%08x", g_str_hash (g_getenv ("REIN_TEST_PG_BINDIR")));
  template = g_strconcat (builddir, "/pg-template-", bindir_hash, NULL);
  template_data = g_build_filename (template, "data", NULL);
  if (!g_file_test (template_data, G_FILE_TEST_IS_DIR))
    {
      g_autofree gchar *aside = g_strdup_printf ("%s.%d", template, (gint) getpid ());
      g_autofree gchar *aside_data = g_build_filename (aside, "data", NULL);

      g_assert_cmpint (g_mkdir (aside, 0700), ==, 0);
      if (run_as.drop)
        g_assert_cmpint (chown (aside, run_as.uid, run_as.gid), ==, 0);
      run_initdb (launcher, aside_data);
      if (g_rename (aside, template) != 0)
        run_command ((const gchar *const[]){ "rm", "-rf", aside, NULL });
    }
  run_command ((const gchar *const[]){ "cp", "-a", template_data, data, NULL });
}

/* Clusters of test programs that aborted (an assertion: no atexit) are
 * left behind, their postgres killed with them: removed here, once their
 * directory is a minute old and no live postmaster holds it. */
static void
remove_stale_clusters (void)
{
  g_autoptr (GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *pid_file = NULL;
      g_autofree gchar *contents = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, "rein-pg-"))
        continue;
      path = g_build_filename (g_get_tmp_dir (), name, NULL);
      pid_file = g_build_filename (path, "data", "postmaster.pid", NULL);
      if (g_stat (path, &st) != 0
          || (gint64) st.st_mtime > g_get_real_time () / G_USEC_PER_SEC - 60)
        continue;
      if (g_file_get_contents (pid_file, &contents, NULL, NULL)
          && kill ((pid_t) g_ascii_strtoll (contents, NULL, 10), 0) == 0)
        continue;
      run_command ((const gchar *const[]){ "rm", "-rf", path, NULL });
    }
}

/* Starts postgres on @data, a Unix socket in the cluster's directory and
 * no TCP, and waits until it answers. */
static void
spawn_postgres (TestCluster *cluster, GSubprocessLauncher *launcher, const gchar *data,
                gboolean durable)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *postgres_path = pg_binary ("postgres");
  g_autofree gchar *conninfo = NULL;
  gint64 deadline;

  cluster->postgres = g_subprocess_launcher_spawn (launcher, &error, postgres_path,
                                                   "-D", data,
                                                   "-k", cluster->directory,
                                                   "-c", "listen_addresses=",
                                                   "-c", "max_connections=200",
                                                   "-c", durable ? "fsync=on" : "fsync=off",
                                                   "-c", durable ? "full_page_writes=on"
                                                                 : "full_page_writes=off",
                                                   NULL);
  g_assert_no_error (error);

  conninfo = g_strdup_printf ("host=%s user=postgres dbname=postgres", cluster->directory);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (PQping (conninfo) != PQPING_OK)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_nonnull (g_subprocess_get_identifier (cluster->postgres));
      g_usleep (20 * 1000);
    }
}

/* The cluster's directory, and who runs PostgreSQL: the "postgres" user
 * when we are root (initdb and postgres refuse root). */
static TestCluster *
cluster_new (void)
{
  g_autoptr (GError) error = NULL;
  TestCluster *cluster = g_new0 (TestCluster, 1);

  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      g_assert_nonnull (pw);
      run_as.drop = TRUE;
      run_as.uid = pw->pw_uid;
      run_as.gid = pw->pw_gid;
    }

  remove_stale_clusters ();
  cluster->directory = g_dir_make_tmp ("rein-pg-XXXXXX", &error);
  g_assert_no_error (error);
  if (run_as.drop)
    g_assert_cmpint (chown (cluster->directory, run_as.uid, run_as.gid), ==, 0);
  return cluster;
}

/* A launcher for PostgreSQL's programs on @cluster (as the postgres user,
 * logging to postgres.log there), and where its data directory goes. */
static GSubprocessLauncher *
cluster_launcher (TestCluster *cluster, gchar **out_data)
{
  g_autofree gchar *log = g_build_filename (cluster->directory, "postgres.log", NULL);
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  *out_data = g_build_filename (cluster->directory, "data", NULL);
  return launcher;
}

TestCluster *
test_cluster_start (gboolean durable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree gchar *data = NULL;
  g_autofree gchar *conninfo = NULL;
  TestCluster *cluster = cluster_new ();

  launcher = cluster_launcher (cluster, &data);
  make_data_directory (launcher, data);

  spawn_postgres (cluster, launcher, data, durable);
  conninfo = g_strdup_printf ("host=%s user=postgres dbname=postgres", cluster->directory);
  {
    PGconn *postgres = PQconnectdb (conninfo);
    PGresult *result;

    g_assert_cmpint (PQstatus (postgres), ==, CONNECTION_OK);
    result = PQexec (postgres, "CREATE DATABASE rein");
    g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
    PQclear (result);
    PQfinish (postgres);
  }
  g_free (conninfo);
  conninfo = g_strdup_printf ("host=%s user=postgres dbname=rein", cluster->directory);
  cluster->admin = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (cluster->admin), ==, CONNECTION_OK);
  return cluster;
}

gchar *
test_cluster_new_database (TestCluster *cluster)
{
  g_autofree gchar *sql = NULL;
  PGresult *result;
  guint number = ++cluster->databases;

  /* A schema in the one database: a new database would copy a template
   * (seconds on a busy machine), a schema costs nothing. The name is ours
   * (a counter), never input. */
  sql = g_strdup_printf ("CREATE SCHEMA rein_%u", number);
  result = PQexec (cluster->admin, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  return g_strdup_printf ("postgresql:///rein?host=%s&user=postgres"
                          "&options=-csearch_path%%3Drein_%u", cluster->directory, number);
}

void
test_cluster_stop (TestCluster *cluster)
{
  if (cluster == NULL)
    return;
  g_clear_pointer (&cluster->admin, PQfinish);
  /* Fast shutdown; its files go next. */
  g_subprocess_send_signal (cluster->postgres, SIGINT);
  g_subprocess_wait (cluster->postgres, NULL, NULL);
  g_clear_object (&cluster->postgres);
  run_command ((const gchar *const[]){ "rm", "-rf", cluster->directory, NULL });
  g_free (cluster->directory);
  g_free (cluster);
}

TestCluster *
test_cluster_start_standby (TestCluster *primary)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) backup = NULL;
  g_autofree gchar *basebackup_path = pg_binary ("pg_basebackup");
  g_autofree gchar *data = NULL;
  g_autofree gchar *conninfo = NULL;
  TestCluster *standby = cluster_new ();

  launcher = cluster_launcher (standby, &data);
  /* initdb's trust rules let local replication connections in; -R writes
   * standby.signal and primary_conninfo (the primary's socket). */
  backup = g_subprocess_launcher_spawn (launcher, &error, basebackup_path,
                                        "--host", primary->directory, "--username", "postgres",
                                        "--pgdata", data, "--write-recovery-conf",
                                        "--wal-method=stream", "--checkpoint=fast",
                                        "--no-sync", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (backup, NULL, &error);
  g_assert_no_error (error);
  spawn_postgres (standby, launcher, data, FALSE);

  conninfo = g_strdup_printf ("host=%s user=postgres dbname=rein", standby->directory);
  standby->admin = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (standby->admin), ==, CONNECTION_OK);
  return standby;
}

gchar *
test_cluster_same_database (TestCluster *cluster, const gchar *database)
{
  const gchar *host = strstr (database, "?host=");
  const gchar *rest;

  g_assert_nonnull (host);
  rest = strchr (host, '&');
  g_assert_nonnull (rest);
  return g_strdup_printf ("%.*s?host=%s%s", (gint) (host - database), database,
                          cluster->directory, rest);
}

static gchar *
admin_value (PGconn *conn, const gchar *sql)
{
  PGresult *result = PQexec (conn, sql);
  gchar *value;

  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  return value;
}

void
test_cluster_wait_replayed (TestCluster *primary, TestCluster *standby)
{
  g_autofree gchar *target = admin_value (primary->admin, "SELECT pg_current_wal_lsn()");
  g_autofree gchar *sql = g_strdup_printf ("SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn",
                                           target);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree gchar *done = admin_value (standby->admin, sql);

      if (strcmp (done, "t") == 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* ---- the suite's store ---- */

static TestCluster *suite_cluster;

static void
stop_suite_cluster (void)
{
  g_clear_pointer (&suite_cluster, test_cluster_stop);
}

gboolean
test_store_is_postgresql (void)
{
  return g_strcmp0 (g_getenv ("REIN_TEST_STORE"), "postgresql") == 0;
}

gchar *
test_store_new_database (const gchar *directory)
{
  if (!test_store_is_postgresql ())
    return g_build_filename (directory, "rein-server.db", NULL);

  /* One cluster per test program, about a second to start. */
  if (suite_cluster == NULL)
    {
      suite_cluster = test_cluster_start (FALSE);
      atexit (stop_suite_cluster);
    }
  return test_cluster_new_database (suite_cluster);
}

GPtrArray *
test_store_select (const gchar *database, const gchar *sql, const gchar *param)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  if (g_str_has_prefix (database, "postgresql://"))
    {
      PGconn *conn = PQconnectdb (database);
      PGresult *result;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      result = PQexecParams (conn, sql, param != NULL ? 1 : 0, NULL,
                             (const gchar *const[]){ param }, NULL, NULL, 0);
      if (PQresultStatus (result) != PGRES_TUPLES_OK
          && PQresultStatus (result) != PGRES_COMMAND_OK)
        g_error ("%s: %s", sql, PQresultErrorMessage (result));
      for (gint i = 0; i < PQntuples (result); i++)
        g_ptr_array_add (rows, PQgetisnull (result, i, 0) ? NULL
                                                          : g_strdup (PQgetvalue (result, i, 0)));
      PQclear (result);
      PQfinish (conn);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL), ==,
                       SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      if (param != NULL)
        sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (rows, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  return rows;
}

void
test_store_exec (const gchar *database, const gchar *sql)
{
  if (g_str_has_prefix (database, "postgresql://"))
    {
      g_ptr_array_unref (test_store_select (database, sql, NULL));
      return;
    }
  {
    sqlite3 *db = NULL;
    gchar *message = NULL;

    g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                     SQLITE_OK);
    sqlite3_busy_timeout (db, 10000);
    if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
      g_error ("%s: %s", sql, message);
    sqlite3_close (db);
  }
}

/* test-cli-hardening.c: rein-cli against a hostile server, a read-only data
 * folder, passwords given two ways, and several rein-cli syncing one data
 * folder at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cli-test-util.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery staple"

static gchar *
new_data_dir (void)
{
  static guint n;
  g_autofree gchar *name = g_strdup_printf ("data-%u", n++);

  return g_build_filename (cli_tmp_dir (), name, NULL);
}

static void
setup_identity (const gchar *dir, const gchar *name)
{
  g_autofree gchar *text = g_strdup_printf ("Name: %s\nContact: %s@example.com\n", name, name);
  g_autofree gchar *form = cli_write_tmp ("identity.form", text, -1);
  g_autoptr (CliResult) setup = cli_run_in (dir, "--defaults", form, "setup", NULL);

  cli_assert_status (setup, 0);
}

/* ---- A server whose answers nest a hundred thousand arrays ---- */

/* It runs in a thread of its own: the test waits for rein-cli meanwhile. */
typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  GThread *thread;
  gchar *url;
  gchar *deep;
} DeepServer;

static void
deep_handler (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              GHashTable *query,
              gpointer user_data)
{
  DeepServer *deep = user_data;
  static const gchar buckets[] = "{\"result\": \"success\", \"buckets\": "
                                 "[{\"id\": 1, \"created\": \"2026-01-01\", "
                                 "\"bytes_free\": \"1048576\"}]}";

  /* Storage is granted, so that the identity can use the server at all;
   * everything else it answers is hostile. */
  if (strcmp (path, "/request") == 0)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, buckets,
                                      strlen (buckets));
  else
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, deep->deep,
                                      strlen (deep->deep));
  soup_server_message_set_status (msg, 200, NULL);
}

static gpointer
deep_thread (gpointer data)
{
  DeepServer *deep = data;

  g_main_context_push_thread_default (deep->context);
  g_main_loop_run (deep->loop);
  g_main_context_pop_thread_default (deep->context);
  return NULL;
}

static DeepServer *
deep_server_new (void)
{
  DeepServer *deep = g_new0 (DeepServer, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  deep->deep = g_strnfill (100000, '[');
  deep->context = g_main_context_new ();
  deep->loop = g_main_loop_new (deep->context, FALSE);
  /* the server's sources go to the context its thread runs */
  g_main_context_push_thread_default (deep->context);
  deep->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (deep->server, NULL, deep_handler, deep, NULL);
  soup_server_listen_local (deep->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_main_context_pop_thread_default (deep->context);
  g_assert_no_error (error);
  uris = soup_server_get_uris (deep->server);
  deep->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  deep->thread = g_thread_new ("deep-server", deep_thread, deep);
  return deep;
}

static void
deep_server_free (DeepServer *deep)
{
  g_main_loop_quit (deep->loop);
  g_thread_join (deep->thread);
  g_main_context_push_thread_default (deep->context);
  soup_server_disconnect (deep->server);
  g_clear_object (&deep->server);
  g_main_context_pop_thread_default (deep->context);
  g_main_loop_unref (deep->loop);
  g_main_context_unref (deep->context);
  g_free (deep->url);
  g_free (deep->deep);
  g_free (deep);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeepServer, deep_server_free)

/* Every command that reads from the server ends (no SIGSEGV) and says
 * what was wrong with the answer. */
static void
test_deep_server (void)
{
  g_autoptr (DeepServer) deep = deep_server_new ();
  g_autofree gchar *dir = new_data_dir ();
  g_autoptr (CliResult) request = NULL;
  const gchar *const commands[] = { "jobs", "mediators", "status", "sync" };

  setup_identity (dir, "Dee");
  request = cli_run_in (dir, "request", deep->url, NULL);
  cli_assert_status (request, 0);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr (CliResult) r = cli_run_in (dir, commands[i], NULL);

      g_assert_true (r->exited);
      g_assert_cmpint (r->status, !=, 0);
      /* (sync says it in its report of each server, on stdout) */
      g_assert_true (strstr (r->err, "nests more than") != NULL
                     || strstr (r->out, "nests more than") != NULL);
    }
}

/* ---- REIN_PASSWORD and --password-file ---- */

/* A password ends at the line's end, wherever it comes from: a file
 * written with echo and REIN_PASSWORD=$(cat file) (or a variable set with
 * its newline) open the same identity. */
static void
test_password_newline (void)
{
  g_autofree gchar *saved = g_strdup (g_getenv ("REIN_PASSWORD"));
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *other = new_data_dir ();
  g_autofree gchar *with_newline = cli_write_tmp ("pw-newline", PASSWORD "\n", -1);
  g_autofree gchar *without = cli_write_tmp ("pw-plain", PASSWORD, -1);
  g_autoptr (CliResult) by_env = NULL;
  g_autoptr (CliResult) by_file = NULL;
  g_autoptr (CliResult) crlf = NULL;

  /* sealed under the file's password, opened with the variable's */
  g_unsetenv ("REIN_PASSWORD");
  {
    g_autofree gchar *form = cli_write_tmp ("pw.form", "Name: Pam\nContact: pam@example.com\n",
                                            -1);
    g_autoptr (CliResult) setup = cli_run_in (dir, "--password-file", with_newline, "--defaults",
                                          form, "setup", NULL);

    cli_assert_status (setup, 0);
  }
  g_setenv ("REIN_PASSWORD", PASSWORD "\n", TRUE);
  by_env = cli_run_in (dir, "backup", NULL);
  cli_assert_status (by_env, 0);
  g_setenv ("REIN_PASSWORD", PASSWORD "\r\n", TRUE);
  crlf = cli_run_in (dir, "backup", NULL);
  cli_assert_status (crlf, 0);

  /* sealed under the variable's, opened with a file without a newline */
  g_setenv ("REIN_PASSWORD", PASSWORD "\n", TRUE);
  setup_identity (other, "Pat");
  g_unsetenv ("REIN_PASSWORD");
  by_file = cli_run_in (other, "--password-file", without, "backup", NULL);
  cli_assert_status (by_file, 0);

  g_setenv ("REIN_PASSWORD", saved, TRUE);
}

/* ---- A read-only data folder ---- */

/* As root, permissions bind nobody: rein-cli then runs as "nobody". */
static void
drop_root (gpointer data)
{
  if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
    _exit (127);
}

static void
set_read_only (const gchar *dir, gboolean read_only)
{
  g_autofree gchar *db = g_build_filename (dir, "rein.db", NULL);
  g_autofree gchar *parent = g_path_get_dirname (dir);

  g_assert_cmpint (g_chmod (db, read_only ? 0444 : 0600), ==, 0);
  g_assert_cmpint (g_chmod (dir, read_only ? 0555 : 0700), ==, 0);
  /* nobody has to reach it */
  g_assert_cmpint (g_chmod (parent, 0755), ==, 0);
}

static void
test_read_only (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autoptr (CliResult) identities = NULL;
  g_autoptr (CliResult) backup = NULL;
  g_autoptr (CliResult) change = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *list;

  setup_identity (dir, "Rory");
  set_read_only (dir, TRUE);
  identities = cli_run_in_full (dir, drop_root, "identities", "--json", NULL);
  backup = cli_run_in_full (dir, drop_root, "backup", NULL);
  change = cli_run_in_full (dir, drop_root, "testnet", "true", NULL);
  set_read_only (dir, FALSE);

  cli_assert_status (identities, 0);
  root = cli_result_get_json (identities);
  list = json_object_get_array_member (json_node_get_object (root), "identities");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  cli_assert_status (backup, 0);
  g_assert_nonnull (strstr (backup->out, "rein-desktop-backup-1"));
  /* a change is refused, saying why */
  g_assert_true (change->exited);
  g_assert_cmpint (change->status, !=, 0);
  g_assert_nonnull (strstr (change->err, "read-only"));
}

/* ---- Several rein-cli on one data folder ---- */

#define N_SYNCS 6

typedef struct
{
  const gchar *dir;
  CliResult *result;
} SyncThread;

static gpointer
sync_thread (gpointer data)
{
  SyncThread *t = data;

  t->result = cli_run_in (t->dir, "sync", NULL);
  return NULL;
}

/* They used to share the server's nonce: the first to finish cleared it,
 * and the puts of the others failed with "401 Bad nonce" (and each put the
 * document under a key of its own). Now they take turns: every one
 * succeeds and the server holds the document once. */
static void
test_concurrent_sync (void)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autofree gchar *dir = new_data_dir ();
  g_autoptr (CliResult) request = NULL;
  g_autoptr (Answer) status = NULL;
  SyncThread threads[N_SYNCS];
  GThread *running[N_SYNCS];

  setup_identity (dir, "Connie");
  request = cli_run_in (dir, "request", server->url, NULL);
  cli_assert_status (request, 0);

  for (guint i = 0; i < N_SYNCS; i++)
    {
      threads[i].dir = dir;
      threads[i].result = NULL;
      running[i] = g_thread_new ("sync", sync_thread, &threads[i]);
    }
  for (guint i = 0; i < N_SYNCS; i++)
    g_thread_join (running[i]);
  for (guint i = 0; i < N_SYNCS; i++)
    {
      g_test_message ("sync %u -> %d\n%s%s", i, threads[i].result->status,
                      threads[i].result->out, threads[i].result->err);
      cli_assert_status (threads[i].result, 0);
      cli_result_free (threads[i].result);
    }
  /* the enrollment, once */
  status = http_get (server, "status");
  g_assert_cmpstr (json_object_get_string_member (answer_object (status), "stored"), ==, "1");
  test_server_stop (server);
  test_server_free (server);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("REIN_PASSWORD", PASSWORD, TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add_func ("/cli/hardening/deep-server", test_deep_server);
  g_test_add_func ("/cli/hardening/password-newline", test_password_newline);
  g_test_add_func ("/cli/hardening/read-only", test_read_only);
  g_test_add_func ("/cli/hardening/concurrent-sync", test_concurrent_sync);

  status = g_test_run ();
  cli_test_cleanup ();
  return status;
}

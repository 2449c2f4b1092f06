/* bench-sync.c: syncing to several servers, and reading a large market
 *
 * 1. Sync 500 documents (an enrollment and 499 job postings) from a fresh
 *    store to one local rein-server, then to three at once; prints both
 *    wall times and their ratio (target: under 1.5, the servers being done
 *    in parallel), and the time of a second sync that finds everything in
 *    place (it checks only a sample of the placements, rein-sync.h).
 * 2. Fetch and validate 10,000 jobs, each with a bid, replicated on three
 *    local rein-servers: fetch every page of "jobs" and "bids" from all
 *    three, the signers' enrollments, then validate completely (signatures,
 *    enrollments, escrow, roles). Prints the time of each part and the share
 *    spent in signature checks; then times "rein-cli jobs" doing the same
 *    (and storing every verdict).
 *
 * Servers run with --rate=0 --max-connections=0. Set BENCH_JOBS to change
 * the size of part 2 (default 10000).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "market-data.h"
#include "rein-background.h"
#include "rein-fetch.h"
#include "rein-server-db.h"
#include "rein-sync.h"
#include "server-fixture.h"
#include "rein-test-util.h"

#define SYNC_DOCUMENTS 500
#define SYNC_ROUNDS 3
#define PAGE 1000
#define PASSWORD "bench"

static gchar *directory;
static guint dir_count;

static const gchar *const server_args[] = { "--rate=0", "--max-connections=0", NULL };

static gchar *
new_dir (const gchar *what)
{
  g_autofree gchar *name = g_strdup_printf ("%s-%u", what, dir_count++);
  gchar *path = g_build_filename (directory, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

static void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (gdouble *values, guint n)
{
  qsort (values, n, sizeof (gdouble), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* CPU seconds this process has used, all threads. */
static gdouble
own_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds a server process has used so far. */
static gdouble
server_cpu (TestServer *server)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/stat",
                                            g_subprocess_get_identifier (server->process));
  g_autofree gchar *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const gchar *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
    return 0;
  /* after "pid (comm) ": state is field 3, utime 14 and stime 15 */
  fields = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

/* ---- 1. Sync ---- */

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity;
  ReinPrivateKey *delegate;
} Client;

static Client *
client_new (guint n_documents)
{
  g_autoptr (GError) error = NULL;
  Client *c = g_new0 (Client, 1);
  g_autofree gchar *name = g_strdup_printf ("Syncer %u", dir_count);
  ReinIdentityParams params = { .name = name, .contact = "sync@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  c->dir = new_dir ("client");
  c->store = rein_store_open (c->dir, &error);
  g_assert_no_error (error);
  c->identity = rein_store_add_identity_from_mnemonic (c->store, &params, phrase, NULL, PASSWORD,
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
  c->delegate = rein_store_unlock_delegate_key (c->store, c->identity, PASSWORD, &error);
  g_assert_no_error (error);

  /* the enrollment is the first document */
  for (guint i = 1; i < n_documents; i++)
    {
      g_autofree gchar *job_id = rein_job_id_generate ();
      g_autofree gchar *text = g_strdup_printf (
          "Rein Job\nJob name: Job %u\nJob ID: %s\nCategory: Benchmarks\n"
          "Description: Number %u of a batch of documents for the sync benchmark; a typical "
          "description runs to a few lines of text like this one.",
          i, job_id, i);
      g_autoptr (ReinDocument) doc = rein_document_sign (text, NULL, c->delegate,
                                                         REIN_NETWORK_MAINNET, &error);

      g_assert_no_error (error);
      g_assert_cmpint (rein_store_add_document (c->store, doc, rein_identity_get_id (c->identity),
                                                0, &error), >, 0);
    }
  return c;
}

static void
client_free (Client *c)
{
  g_clear_object (&c->identity);
  g_clear_object (&c->store);
  g_clear_pointer (&c->delegate, rein_private_key_free);
  g_free (c->dir);
  g_free (c);
}

/* Syncs @c to @servers; returns the wall time in seconds, the CPU time of
 * the client and of the servers, and how many documents were compared by a
 * /get. */
static gdouble
timed_sync (Client *c, guint expect_pushed, TestServer **servers, guint n_servers,
            gdouble *out_client_cpu, gdouble *out_server_cpu, guint *out_checked)
{
  gdouble client_before = own_cpu (), servers_before = 0, servers_after = 0;
  g_autoptr (ReinSync) sync = rein_sync_new (c->store);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;
  gdouble seconds;

  for (guint i = 0; i < n_servers; i++)
    servers_before += server_cpu (servers[i]);
  start = g_get_monotonic_time ();
  rein_sync_run_async (sync, c->identity, c->delegate, NULL, store_result_cb, &result);
  wait_for (&result);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *out_client_cpu = own_cpu () - client_before;
  for (guint i = 0; i < n_servers; i++)
    servers_after += server_cpu (servers[i]);
  *out_server_cpu = servers_after - servers_before;
  results = rein_sync_run_finish (sync, result, &error);
  g_assert_no_error (error);
  *out_checked = 0;
  for (guint i = 0; i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);

      if (r->error != NULL)
        g_error ("sync to %s failed: %s", r->url, r->error);
      g_assert_cmpuint (r->total, ==, SYNC_DOCUMENTS);
      g_assert_cmpuint (r->pushed, ==, expect_pushed);
      *out_checked += r->checked;
    }
  return seconds;
}

static void
bench_sync (void)
{
  gdouble one[SYNC_ROUNDS], three[SYNC_ROUNDS], again[SYNC_ROUNDS];
  gdouble cpu[4] = { 0 };

  g_print ("== Sync %d documents: one server, then three at once (%d rounds, fresh servers "
           "and stores each round; %ld processors online)\n", SYNC_DOCUMENTS, SYNC_ROUNDS,
           sysconf (_SC_NPROCESSORS_ONLN));
  for (guint round = 0; round < SYNC_ROUNDS; round++)
    {
      TestServer *servers[4];
      Client *alone = client_new (SYNC_DOCUMENTS);
      Client *many = client_new (SYNC_DOCUMENTS);
      g_autoptr (GError) error = NULL;
      gdouble client1, server1, client3, server3, unused1, unused2;
      guint checked;

      for (guint i = 0; i < 4; i++)
        servers[i] = test_server_start (NULL, server_args);
      g_assert_cmpint (rein_store_add_server (alone->store, servers[0]->url, &error), >, 0);
      for (guint i = 1; i < 4; i++)
        g_assert_cmpint (rein_store_add_server (many->store, servers[i]->url, &error), >, 0);

      one[round] = timed_sync (alone, SYNC_DOCUMENTS, servers, 1, &client1, &server1, &checked);
      three[round] = timed_sync (many, SYNC_DOCUMENTS, servers + 1, 3, &client3, &server3,
                                 &checked);
      again[round] = timed_sync (many, 0, servers + 1, 3, &unused1, &unused2, &checked);
      cpu[0] += client1;
      cpu[1] += server1;
      cpu[2] += client3;
      cpu[3] += server3;
      g_print ("  round %u: 1 server %.3f s, 3 servers %.3f s (%.2fx); again, nothing to put: "
               "%.3f s (%u gets)\n", round + 1, one[round], three[round],
               three[round] / one[round], again[round], checked);

      for (guint i = 0; i < 4; i++)
        test_server_free (servers[i]);
      client_free (alone);
      client_free (many);
    }
  {
    gdouble m1 = median (one, SYNC_ROUNDS), m3 = median (three, SYNC_ROUNDS);

    g_print ("  median: 1 server %.3f s, 3 servers %.3f s: %.2fx (target < 1.5x) %s\n", m1, m3,
             m3 / m1, m3 / m1 < 1.5 ? "OK" : "OVER TARGET");
    g_print ("  median second sync (nothing to put; the sample's gets only): %.3f s\n",
             median (again, SYNC_ROUNDS));
    g_print ("  CPU per round: 1 server: client %.3f s + server %.3f s; 3 servers: client "
             "%.3f s + servers %.3f s\n", cpu[0] / SYNC_ROUNDS, cpu[1] / SYNC_ROUNDS,
             cpu[2] / SYNC_ROUNDS, cpu[3] / SYNC_ROUNDS);
  }
}

/* ---- 2. A large market ---- */

/* A server database holding a market of @n_jobs jobs with a bid each
 * (tests/client/market-data.c, written once and copied for the next
 * servers), and @reader registered. */
static gchar *
market_database (guint n_jobs, const gchar *reader_master, const gchar *reader_delegate,
                 const gchar *first)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = new_dir ("server");
  gchar *path = g_build_filename (dir, "rein-server.db", NULL);

  if (first == NULL)
    market_data_write (path, n_jobs, 1, reader_master, reader_delegate);
  else
    {
      g_autoptr (GFile) from = g_file_new_for_path (first);
      g_autoptr (GFile) to = g_file_new_for_path (path);

      g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  return path;
}

/* Every page of @query from every URL, merged. */
static GPtrArray *
fetch_all (const gchar *const *urls, const gchar *owner, const gchar *query,
           const gchar *param_name, const gchar *param_value, guint *out_requests)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) left = g_strdupv ((gchar **) urls);

  for (guint page = 0; left[0] != NULL; page++)
    {
      g_autofree gchar *offset = g_strdup_printf ("%u", page * PAGE);
      const gchar *params[] = { "limit", G_STRINGIFY (PAGE), "offset", offset,
                                param_name, param_value, NULL };
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GPtrArray) docs = NULL;
      g_autoptr (GPtrArray) reports = NULL;
      g_autoptr (GStrvBuilder) more = g_strv_builder_new ();
      g_autoptr (GError) error = NULL;

      rein_fetch_async ((const gchar *const *) left, owner, query, FALSE, params, NULL,
                        store_result_cb, &result);
      wait_for (&result);
      docs = rein_fetch_finish (result, &reports, &error);
      g_assert_no_error (error);
      *out_requests += reports->len;
      for (guint i = 0; i < reports->len; i++)
        {
          ReinFetchReport *report = g_ptr_array_index (reports, i);

          if (report->error != NULL)
            g_error ("%s: %s", report->url, report->error);
          if (report->received >= PAGE)
            g_strv_builder_add (more, report->url);
        }
      for (guint i = 0; i < docs->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (docs, i);

          if (g_hash_table_add (seen, (gpointer) rein_document_get_hash (doc)))
            g_ptr_array_add (out, g_object_ref (doc));
        }
      g_strfreev (left);
      left = g_strv_builder_end (more);
    }
  return out;
}

static void
bench_market (guint n_jobs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) build_timer = g_timer_new ();
  TestServer *servers[3];
  gchar *databases[3];
  g_autoptr (GStrvBuilder) url_builder = g_strv_builder_new ();
  g_auto (GStrv) urls = NULL;
  g_autofree gchar *cli_dir = new_dir ("cli");
  g_autoptr (ReinStore) cli_store = NULL;
  g_autoptr (ReinIdentity) reader = NULL;
  g_autoptr (GPtrArray) jobs_docs = NULL;
  g_autoptr (GPtrArray) bids_docs = NULL;
  g_autoptr (GPtrArray) enrollments = NULL;
  g_autoptr (GHashTable) groups = NULL;
  g_autoptr (ReinDirectory) dir = rein_directory_new ();
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  guint requests = 0, valid = 0, n_docs;
  gint64 t0, t_fetched, t_enrolled, t_verified, t_validated;
  gdouble fetch_s, enroll_s, verify_s, validate_s, total_s;

  g_print ("\n== Fetch and validate %u jobs with a bid each, on 3 servers\n", n_jobs);

  /* The reader: an identity in a rein-cli data folder. */
  {
    ReinIdentityParams params = { .name = "Reader", .contact = "reader@example.com" };
    gchar *phrase = rein_bip39_generate (128);

    cli_store = rein_store_open (cli_dir, &error);
    g_assert_no_error (error);
    reader = rein_store_add_identity_from_mnemonic (cli_store, &params, phrase, NULL, PASSWORD,
                                                    &error);
    rein_secure_free (phrase);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < 3; i++)
    {
      databases[i] = market_database (n_jobs, rein_identity_get_master_address (reader),
                                      rein_identity_get_delegate_address (reader),
                                      i > 0 ? databases[0] : NULL);
      servers[i] = test_server_start (databases[i], server_args);
      g_strv_builder_add (url_builder, servers[i]->url);
      g_assert_cmpint (rein_store_add_server (cli_store, servers[i]->url, &error), >, 0);
    }
  urls = g_strv_builder_end (url_builder);
  g_print ("  loaded 3 server databases in %.1f s\n", g_timer_elapsed (build_timer, NULL));

  /* Fetch: every page of jobs and bids from all three servers. */
  t0 = g_get_monotonic_time ();
  jobs_docs = fetch_all ((const gchar *const *) urls, rein_identity_get_master_address (reader),
                         "jobs", NULL, NULL, &requests);
  bids_docs = fetch_all ((const gchar *const *) urls, rein_identity_get_master_address (reader),
                         "bids", NULL, NULL, &requests);
  t_fetched = g_get_monotonic_time ();

  /* The signers' enrollments, as rein-cli asks for them. */
  {
    g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GPtrArray) list = g_ptr_array_new ();
    GPtrArray *all[] = { jobs_docs, bids_docs };
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint a = 0; a < G_N_ELEMENTS (all); a++)
      for (guint i = 0; i < all[a]->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (all[a], i);

          if (g_hash_table_add (wanted, (gpointer) rein_document_get_signer (doc)))
            g_ptr_array_add (list, (gpointer) rein_document_get_signer (doc));
        }
    enrollments = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint start = 0; start < list->len; start += 100)
      {
        g_autoptr (GString) addresses = g_string_new (NULL);
        g_autoptr (GPtrArray) found = NULL;

        for (guint i = start; i < list->len && i < start + 100; i++)
          g_string_append_printf (addresses, "%s%s", addresses->len ? "," : "",
                                  (const gchar *) g_ptr_array_index (list, i));
        found = fetch_all ((const gchar *const *) urls, rein_identity_get_master_address (reader),
                           "enrollments", "addresses", addresses->str, &requests);
        for (guint i = 0; i < found->len; i++)
          if (g_hash_table_add (seen, (gpointer) rein_document_get_hash (
                                          g_ptr_array_index (found, i))))
            g_ptr_array_add (enrollments, g_object_ref (g_ptr_array_index (found, i)));
      }
    {
      g_autoptr (GPtrArray) mediators = fetch_all ((const gchar *const *) urls,
                                                   rein_identity_get_master_address (reader),
                                                   "mediators", NULL, NULL, &requests);

      for (guint i = 0; i < mediators->len; i++)
        if (g_hash_table_add (seen, (gpointer) rein_document_get_hash (
                                        g_ptr_array_index (mediators, i))))
          g_ptr_array_add (enrollments, g_object_ref (g_ptr_array_index (mediators, i)));
    }
  }
  t_enrolled = g_get_monotonic_time ();

  /* Signature checks, all of them (cached in each document). */
  n_docs = jobs_docs->len + bids_docs->len + enrollments->len;
  for (guint i = 0; i < enrollments->len; i++)
    rein_document_verify (g_ptr_array_index (enrollments, i), NULL);
  for (guint i = 0; i < jobs_docs->len; i++)
    rein_document_verify (g_ptr_array_index (jobs_docs, i), NULL);
  for (guint i = 0; i < bids_docs->len; i++)
    rein_document_verify (g_ptr_array_index (bids_docs, i), NULL);
  t_verified = g_get_monotonic_time ();

  /* The rest of complete validation: enrollments, consistency, escrow
   * recomputed, roles, state. */
  for (guint i = 0; i < enrollments->len; i++)
    rein_directory_add (dir, g_ptr_array_index (enrollments, i), NULL);
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                  (GDestroyNotify) g_ptr_array_unref);
  {
    GPtrArray *all[] = { jobs_docs, bids_docs };
    GHashTableIter iter;
    gpointer key, value;

    for (guint a = 0; a < G_N_ELEMENTS (all); a++)
      for (guint i = 0; i < all[a]->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (all[a], i);
          const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);
          GPtrArray *group = g_hash_table_lookup (groups, job_id);

          if (group == NULL)
            {
              group = g_ptr_array_new ();
              g_hash_table_insert (groups, (gpointer) job_id, group);
            }
          g_ptr_array_add (group, doc);
        }
    g_hash_table_iter_init (&iter, groups);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        ReinJob *job = rein_job_new (key, value, dir);

        if (rein_job_get_state (job) == REIN_JOB_STATE_BIDS)
          valid++;
        g_ptr_array_add (jobs, job);
      }
  }
  t_validated = g_get_monotonic_time ();

  fetch_s = (t_fetched - t0) / 1e6;
  enroll_s = (t_enrolled - t_fetched) / 1e6;
  verify_s = (t_verified - t_enrolled) / 1e6;
  validate_s = (t_validated - t_verified) / 1e6;
  total_s = (t_validated - t0) / 1e6;
  g_print ("  fetched %u postings and %u bids (3 servers, pages of %d): %.3f s\n",
           jobs_docs->len, bids_docs->len, PAGE, fetch_s);
  g_print ("  fetched %u enrollments: %.3f s (%u requests in all)\n", enrollments->len,
           enroll_s, requests);
  g_print ("  signature checks of %u documents: %.3f s (%.1f us each)\n", n_docs, verify_s,
           verify_s * 1e6 / MAX (n_docs, 1));
  g_print ("  the rest of validation (enrollments, keys, escrow, roles): %.3f s\n", validate_s);
  g_print ("  total %.3f s for %u valid jobs with bids (of %u); signature checks: %.0f%% of "
           "the time\n", total_s, valid, n_jobs, 100 * verify_s / total_s);
  if (valid != n_jobs)
    g_print ("  NOTE: not every job validated; a server without the \"enrollments\" query "
             "leaves signers unknown\n");

  /* The same through rein-cli, which also stores every verdict; then
   * again, nothing new: from the cursors the first run kept. */
  for (guint run = 0; run < 2; run++)
    {
      const gchar *cli = g_getenv ("REIN_CLI");
      g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr (GSubprocess) process = NULL;
      g_autoptr (GBytes) out = NULL;
      g_autoptr (GBytes) err = NULL;
      g_autoptr (JsonParser) parser = json_parser_new ();
      guint listed;
      gint64 start;

      if (cli == NULL)
        {
          g_print ("  (REIN_CLI is not set: rein-cli not timed)\n");
          break;
        }
      g_subprocess_launcher_setenv (launcher, "REIN_DATA_DIR", cli_dir, TRUE);
      start = g_get_monotonic_time ();
      process = g_subprocess_launcher_spawn (launcher, &error, cli, "jobs", "--json", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
        g_error ("rein-cli jobs failed: %.*s", (int) g_bytes_get_size (err),
                 (const gchar *) g_bytes_get_data (err, NULL));
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (out, NULL),
                                                 g_bytes_get_size (out), &error));
      listed = json_array_get_length (json_object_get_array_member (
          json_node_get_object (json_parser_get_root (parser)), "jobs"));
      if (run == 0)
        g_print ("  rein-cli jobs --json: %u jobs listed in %.3f s (fetch, validate, store "
                 "%u verdicts)\n",
                 listed, (g_get_monotonic_time () - start) / 1e6, n_docs);
      else
        g_print ("  rein-cli jobs --json again, nothing new: %u jobs listed in %.3f s (what is "
                 "new since its cursors, the rest built from the store)\n",
                 listed, (g_get_monotonic_time () - start) / 1e6);
    }

  for (guint i = 0; i < 3; i++)
    {
      test_server_free (servers[i]);
      g_free (databases[i]);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const gchar *size = g_getenv ("BENCH_JOBS");
  guint n_jobs = size != NULL ? (guint) g_ascii_strtoull (size, NULL, 10) : 10000;

  /* As the app's and rein-cli's main() do. */
  rein_background_tune_allocator ();
  rein_crypto_init ();
  rein_secret_set_scrypt_cost (10);
  directory = g_dir_make_tmp ("rein-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);

  bench_sync ();
  bench_market (MAX (n_jobs, 1));

  rein_test_remove_tree (directory);
  g_free (directory);
  return 0;
}

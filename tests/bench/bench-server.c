/* bench-server.c: rein-server under load, from 1k to 100k documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds databases of 1,000, 10,000 and 100,000 documents (enrollments,
 * jobs, bids and offers of one owner in ten) through the server's own insert
 * code, then measures a real rein-server with wrk, 16 connections on
 * loopback: /query?query=jobs, /query?query=by_job_id, /get and /put.
 * Prints requests per second and p50/p99 latencies, and how query time grows
 * with the database. Needs wrk (Debian package wrk); set BENCH_SECONDS to
 * change the length of each run (default 3), BENCH_MAX_DOCUMENTS to stop at
 * a smaller database (a quick check: 10000; CI runs 1000 with
 * BENCH_SECONDS=1, about half a minute). The /put bodies prepared ahead
 * scale with the largest database: 10,000 at 100k documents, 1,000 at 1k.
 *
 * The targets are for 2 cores: on a machine with more, rein-server runs
 * pinned to 2 of them (BENCH_SERVER_CPUS to change), and wrk on the rest.
 *
 * Stores (issue 16): when PostgreSQL is installed ($REIN_TEST_PG_BINDIR),
 * the largest database is built on a PostgreSQL cluster of the benchmark's
 * own as well (fsync on, like SQLite's synchronous=FULL), and the same
 * requests run against SQLite, PostgreSQL with one rein-server process and
 * PostgreSQL with two processes on the one database (two wrk, 8 connections
 * each, 16 in all), printed as ratios to SQLite. Without PostgreSQL it
 * says so and prints the rest, unless REIN_REQUIRE_PG=1 (CI): then it
 * fails at once.
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "rein-market.h"
#include "rein-server-db.h"
#include "store-fixture.h"

#define CONNECTIONS 16

typedef struct
{
  ReinPrivateKey *master;
  ReinPrivateKey *delegate;
  gchar *master_address;
  gchar *delegate_address;
  gchar *public_key;
} Owner;

typedef struct
{
  guint size;
  gchar *database;
  gchar *pg_database;  /* the same documents on PostgreSQL, or NULL */
  GPtrArray *keys;     /* stored keys, for /get */
  GPtrArray *job_ids;  /* for by_job_id */
  gchar *owner;        /* an owner with buckets, for /query */
  gdouble seconds;     /* to build */
} Dataset;

typedef struct
{
  gdouble requests_per_second;
  gdouble p50_ms;
  gdouble p99_ms;
  guint64 errors;
} Figures;

static gchar *directory;
/* /put bodies per owner (40 owners): enough for a run at the largest size. */
static guint puts_per_owner = 250;
static const gchar *lorem =
  "We need a careful piece of work done within two weeks; the details are below and "
  "more can be discussed by email. Quality matters more than speed, and clear "
  "communication matters most. Please include examples of earlier work in the bid. ";

static gchar *
random_string (const gchar *alphabet, guint len)
{
  gchar *text = g_new0 (gchar, len + 1);
  gsize n = strlen (alphabet);

  for (guint i = 0; i < len; i++)
    text[i] = alphabet[g_random_int_range (0, (gint32) n)];
  return text;
}

/* Test keys from a fast PRNG: the CSPRNG's key generation costs
 * milliseconds, too slow for 20,000 owners. */
static ReinPrivateKey *
fast_key (void)
{
  guint8 secret[32];
  ReinPrivateKey *key;

  do
    {
      for (guint i = 0; i < sizeof secret; i++)
        secret[i] = (guint8) g_random_int_range (0, 256);
      key = rein_private_key_new_from_bytes (secret, TRUE, NULL);
    }
  while (key == NULL);
  return key;
}

static Owner *
owner_new (void)
{
  Owner *owner = g_new0 (Owner, 1);

  owner->master = fast_key ();
  owner->delegate = fast_key ();
  owner->master_address = rein_private_key_get_address (owner->master, REIN_NETWORK_MAINNET);
  owner->delegate_address = rein_private_key_get_address (owner->delegate,
                                                          REIN_NETWORK_MAINNET);
  owner->public_key = rein_private_key_get_public_key_hex (owner->delegate);
  return owner;
}

/* Keeps the public parts only: secure memory holds a few hundred keys. */
static void
owner_forget_keys (Owner *owner)
{
  g_clear_pointer (&owner->master, rein_private_key_free);
  g_clear_pointer (&owner->delegate, rein_private_key_free);
}

static void
owner_free (Owner *owner)
{
  owner_forget_keys (owner);
  g_free (owner->master_address);
  g_free (owner->delegate_address);
  g_free (owner->public_key);
  g_free (owner);
}

static gchar *
sign_armored (const ReinPrivateKey *key, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *signature = rein_message_sign (key, text, strlen (text), &error);
  g_autofree gchar *address = rein_private_key_get_address (key, REIN_NETWORK_MAINNET);

  g_assert_no_error (error);
  return rein_armor_build (text, address, signature);
}

/* Stores through the server's own code (trusted: signed just above), in
 * @dbs (one or two stores). */
static gchar *
store (ReinServerDb **dbs, Owner *owner, const gchar *armored)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) document = rein_document_new_from_armored (armored, -1, &error);
  g_autoptr (ReinServerEntry) entry = NULL;
  gchar *key = random_string ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

  g_assert_no_error (error);
  entry = rein_server_entry_new_from_document (document, armored, strlen (armored));
  for (guint i = 0; dbs[i] != NULL; i++)
    {
      rein_server_db_store (dbs[i], owner->master_address, key, entry, FALSE, &error);
      g_assert_no_error (error);
    }
  return key;
}

static void
each_db (ReinServerDb **dbs, gboolean (*step) (ReinServerDb *, GError **))
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; dbs[i] != NULL; i++)
    {
      g_assert_true (step (dbs[i], &error));
      g_assert_no_error (error);
    }
}

static gchar *
job_text (Owner *creator, Owner *mediator, const gchar *job_id, guint n)
{
  return g_strdup_printf ("Rein Job\nJob name: Job number %u\nJob ID: %s\nCategory: Software\n"
                          "Description: %s\nMediator: Mediator\nMediator contact: m@example.com\n"
                          "Mediator fee: 1.0%%\nMediator public key: %s\n"
                          "Mediator master address: %s\nJob creator: Creator\n"
                          "Job creator contact: c@example.com\nJob creator public key: %s\n"
                          "Job creator master address: %s",
                          n, job_id, lorem, mediator->public_key, mediator->master_address,
                          creator->public_key, creator->master_address);
}

static gchar *
step_text (const gchar *title, Owner *creator, Owner *worker, Owner *mediator,
           const gchar *job_id)
{
  return g_strdup_printf ("%s\nJob name: A job\nWorker: Worker\nWorker contact: w@example.com\n"
                          "Worker master address: %s\nDescription: %s\nBid amount (BTC): 0.05\n"
                          "Job ID: %s\nJob creator: Creator\nJob creator public key: %s\n"
                          "Mediator public key: %s\nWorker public key: %s",
                          title, worker->master_address, lorem, job_id, creator->public_key,
                          mediator->public_key, worker->public_key);
}

/* One owner in ten documents; of the documents: 10% enrollments, 25% jobs,
 * 40% bids, 25% offers. */
static Dataset *
dataset_build (guint size, const gchar *pg_database)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) owners = g_ptr_array_new_with_free_func ((GDestroyNotify) owner_free);
  g_autoptr (GTimer) timer = g_timer_new ();
  Dataset *data = g_new0 (Dataset, 1);
  g_autofree gchar *name = g_strdup_printf ("bench-%u.db", size);
  ReinServerDb *dbs[3] = { NULL, NULL, NULL };
  guint n_owners = MAX (size / 10, 2);
  guint stored = 0;

  data->size = size;
  data->database = g_build_filename (directory, name, NULL);
  data->keys = g_ptr_array_new_with_free_func (g_free);
  data->job_ids = g_ptr_array_new_with_free_func (g_free);

  data->pg_database = g_strdup (pg_database);
  dbs[0] = rein_server_db_open (data->database, TRUE, &error);
  g_assert_no_error (error);
  if (pg_database != NULL)
    {
      dbs[1] = rein_server_db_open (pg_database, TRUE, &error);
      g_assert_no_error (error);
    }
  each_db (dbs, rein_server_db_begin);

  /* Owner by owner: its enrollment, then its share of the jobs, bids and
   * offers, so that its private keys can be dropped after. */
  for (guint i = 0; i < n_owners; i++)
    {
      Owner *owner = owner_new ();
      g_autofree gchar *text = NULL;
      g_autofree gchar *armored = NULL;
      guint share = (size - n_owners) / n_owners + (i < (size - n_owners) % n_owners ? 1 : 0);
      gboolean granted;

      for (guint b = 0; b < REIN_SERVER_MAX_BUCKETS; b++)
        for (guint d = 0; dbs[d] != NULL; d++)
          g_ptr_array_unref (rein_server_db_request_bucket (dbs[d], owner->master_address,
                                                            owner->delegate_address,
                                                            "o@example.com", &granted, &error));
      g_assert_no_error (error);
      text = g_strdup_printf ("Rein User Enrollment\nUser: Owner %u\nContact: o@example.com\n"
                              "Master signing address: %s\nDelegate signing address: %s\n"
                              "Willing to mediate: %s%s%s",
                              i, owner->master_address, owner->delegate_address,
                              i % 5 == 0 ? "True\nMediator public key: " : "False",
                              i % 5 == 0 ? owner->public_key : "",
                              i % 5 == 0 ? "\nMediator fee: 1.0%" : "");
      armored = sign_armored (owner->master, text);
      g_ptr_array_add (data->keys, store (dbs, owner, armored));
      g_ptr_array_add (owners, owner);
      stored++;

      for (guint d = 0; d < share; d++)
        {
          guint kind = g_random_int_range (0, 90);
          Owner *other = owners->pdata[g_random_int_range (0, (gint32) owners->len)];
          Owner *mediator = owners->pdata[5 * g_random_int_range (0, (gint32) (owners->len + 4) / 5)];
          g_autofree gchar *doc_text = NULL;
          g_autofree gchar *doc = NULL;

          if (kind < 25 || data->job_ids->len == 0)
            {
              gchar *job_id = random_string ("abcdefghijklmnopqrstuvwxyz0123456789", 20);

              doc_text = job_text (owner, mediator, job_id, stored);
              g_ptr_array_add (data->job_ids, job_id);
            }
          else
            {
              const gchar *job_id =
                data->job_ids->pdata[g_random_int_range (0, (gint32) data->job_ids->len)];

              doc_text = step_text (kind < 65 ? "Rein Bid" : "Rein Offer", other, owner,
                                    mediator, job_id);
            }
          doc = sign_armored (owner->delegate, doc_text);
          g_ptr_array_add (data->keys, store (dbs, owner, doc));
          stored++;
          if (stored % 5000 == 0)
            {
              each_db (dbs, rein_server_db_commit);
              each_db (dbs, rein_server_db_begin);
            }
        }
      owner_forget_keys (owner);
    }
  data->owner = g_strdup (((Owner *) owners->pdata[0])->master_address);

  each_db (dbs, rein_server_db_commit);
  for (guint d = 0; dbs[d] != NULL; d++)
    rein_server_db_close (dbs[d]);
  data->seconds = g_timer_elapsed (timer, NULL);
  return data;
}

static void
dataset_free (Dataset *data)
{
  const gchar *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *path = g_strconcat (data->database, suffixes[i], NULL);

      g_remove (path);
    }
  g_free (data->database);
  g_free (data->pg_database);
  g_ptr_array_unref (data->keys);
  g_ptr_array_unref (data->job_ids);
  g_free (data->owner);
  g_free (data);
}

/* Mean microseconds of a query straight on the database (no HTTP). */
static gdouble
time_sql (Dataset *data, ReinServerQuery query, guint rounds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  ReinServerDb *db = rein_server_db_open (data->database, FALSE, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rounds; i++)
    {
      const gchar *ids[] = {
        data->job_ids->pdata[g_random_int_range (0, (gint32) data->job_ids->len)], NULL
      };
      g_autoptr (GPtrArray) values = rein_server_db_query (db, query, FALSE, NULL, ids, 100, 0,
                                                           0, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (values);
    }
  rein_server_db_close (db);
  return g_timer_elapsed (timer, NULL) * 1e6 / rounds;
}

/* The CPUs rein-server may run on, chosen before it starts. */
static cpu_set_t server_cpus;
static guint server_cpu_count;
static guint available_cpu_count;
static gboolean server_pinned;

/* The first BENCH_SERVER_CPUS (default 2) of the CPUs this process may
 * use, when it may use more. */
static void
choose_server_cpus (void)
{
  const gchar *text = g_getenv ("BENCH_SERVER_CPUS");
  guint64 wanted = 2;
  cpu_set_t mine;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, CPU_SETSIZE, &wanted, NULL))
    g_error ("BENCH_SERVER_CPUS: a number of CPUs, at least 1");
  CPU_ZERO (&server_cpus);
  if (sched_getaffinity (0, sizeof mine, &mine) != 0)
    {
      available_cpu_count = server_cpu_count = g_get_num_processors ();
      return;
    }
  available_cpu_count = (guint) CPU_COUNT (&mine);
  server_cpu_count = available_cpu_count;
  if (available_cpu_count <= wanted)
    return;
  server_cpu_count = 0;
  for (gint cpu = 0; cpu < CPU_SETSIZE && server_cpu_count < wanted; cpu++)
    if (CPU_ISSET (cpu, &mine))
      {
        CPU_SET (cpu, &server_cpus);
        server_cpu_count++;
      }
  server_pinned = TRUE;
}

static gchar *
server_cpus_text (void)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (!server_pinned)
    {
      g_string_printf (text, "all %u CPUs", server_cpu_count);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  g_string_printf (text, "%u of %u CPUs (", server_cpu_count, available_cpu_count);
  for (gint cpu = 0, n = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, &server_cpus))
      g_string_append_printf (text, "%s%d", n++ > 0 ? "," : "", cpu);
  g_string_append_c (text, ')');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Runs in the child between fork and exec: system calls only. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (server_pinned)
    sched_setaffinity (0, sizeof server_cpus, &server_cpus);
}

static GSubprocess *
server_start (const gchar *database, gchar **out_url)
{
  const gchar *binary = g_getenv ("REIN_SERVER");
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  GSubprocess *process;

  g_assert_nonnull (binary);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--port=0", "--quiet",
                                         "--rate=0", "--max-connections=0",
                                         "--database", database, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  *out_url = g_strdup (line + strlen ("listening on "));

  /* It runs where it was meant to. */
  if (server_pinned)
  {
    pid_t pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
    cpu_set_t actual;

    g_assert_cmpint (sched_getaffinity (pid, sizeof actual, &actual), ==, 0);
    g_assert_cmpint (CPU_COUNT (&actual), ==, (gint) server_cpu_count);
    g_assert_true (CPU_EQUAL (&actual, &server_cpus));
  }
  return process;
}

static void
server_stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_check (process, NULL, NULL);
  g_object_unref (process);
}

/* wrk's threads share the machine with the server: one by default, so that
 * on two cores the server keeps one to itself (BENCH_WRK_THREADS to change). */
static const gchar *
wrk_threads (void)
{
  const gchar *threads = g_getenv ("BENCH_WRK_THREADS");

  return threads != NULL ? threads : "1";
}

static gdouble
parse_duration_ms (const gchar *text)
{
  gchar *end = NULL;
  gdouble value = g_ascii_strtod (text, &end);

  if (g_str_has_prefix (end, "us"))
    return value / 1000.0;
  if (g_str_has_prefix (end, "ms"))
    return value;
  if (g_str_has_prefix (end, "s"))
    return value * 1000.0;
  if (g_str_has_prefix (end, "m"))
    return value * 60000.0;
  return value;
}

/* Starts wrk with @script over @url; @env_name=@env_value for the script. */
static GSubprocess *
wrk_spawn (const gchar *url, guint connections, const gchar *script, const gchar *env_name,
           const gchar *env_value)
{
  const gchar *seconds = g_getenv ("BENCH_SECONDS");
  g_autofree gchar *duration = g_strdup_printf ("%ss", seconds != NULL ? seconds : "3");
  g_autofree gchar *connection_count = g_strdup_printf ("%u", connections);
  g_autofree gchar *threads = g_strdup_printf ("-t%s", wrk_threads ());
  g_autofree gchar *script_path = g_build_filename (g_getenv ("BENCH_SCRIPTS"), script, NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, env_name, env_value, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, "wrk", threads, "-c",
                                         connection_count, "-d", duration, "--latency", "-s",
                                         script_path, url, NULL);
  g_assert_no_error (error);
  return process;
}

/* Waits for wrk and reads its figures. */
static Figures
wrk_collect (GSubprocess *process)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_auto (GStrv) lines = NULL;
  Figures figures = { 0 };

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (process);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree gchar *line = g_strstrip (g_strdup (lines[i]));

      if (g_str_has_prefix (line, "Requests/sec:"))
        figures.requests_per_second = g_ascii_strtod (line + strlen ("Requests/sec:"), NULL);
      else if (g_str_has_prefix (line, "50%"))
        figures.p50_ms = parse_duration_ms (g_strchug (line + 3));
      else if (g_str_has_prefix (line, "99%"))
        figures.p99_ms = parse_duration_ms (g_strchug (line + 3));
      else if (g_str_has_prefix (line, "Non-2xx or 3xx responses:"))
        figures.errors = g_ascii_strtoull (line + strlen ("Non-2xx or 3xx responses:"), NULL, 10);
      else if (g_str_has_prefix (line, "Socket errors:"))
        g_print ("  (wrk: %s)\n", line);
    }
  if (figures.requests_per_second == 0)
    g_printerr ("wrk said:\n%s\n", out);
  return figures;
}

static Figures
run_wrk (const gchar *url, const gchar *script, const gchar *env_name, const gchar *env_value)
{
  return wrk_collect (wrk_spawn (url, CONNECTIONS, script, env_name, env_value));
}

static gchar *
write_lines (const gchar *name, GPtrArray *lines)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (directory, name, NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "%s\n", (gchar *) lines->pdata[i]);
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
print_figures (const gchar *what, guint size, Figures figures)
{
  g_print ("%-22s %8u %10.0f %9.2f %9.2f %8" G_GUINT64_FORMAT "\n", what, size,
           figures.requests_per_second, figures.p50_ms, figures.p99_ms, figures.errors);
}

/* /put bodies: fresh owners, each with its nonce, job documents under new
 * keys, registered in @database; written to @n_files files (owners dealt
 * out in turn), "puts-N.txt", for as many wrk. Returns the first file. */
static gchar *
prepare_puts (const gchar *database, guint n_owners, guint per_owner, guint n_files)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gchar *first = NULL;
  ReinServerDb *db = rein_server_db_open (database, TRUE, &error);

  g_assert_no_error (error);
  for (guint o = 0; o < n_owners; o++)
    {
      Owner *owner = owner_new ();
      g_autofree gchar *nonce = NULL;
      gboolean granted;

      for (guint b = 0; b < REIN_SERVER_MAX_BUCKETS; b++)
        g_ptr_array_unref (rein_server_db_request_bucket (db, owner->master_address,
                                                          owner->delegate_address, "p@example.com",
                                                          &granted, &error));
      nonce = rein_server_db_nonce (db, owner->master_address, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < per_owner; i++)
        {
          g_autofree gchar *job_id = random_string ("abcdefghijklmnopqrstuvwxyz0123456789", 20);
          g_autofree gchar *text = job_text (owner, owner, job_id, i);
          g_autofree gchar *value = sign_armored (owner->delegate, text);
          g_autofree gchar *key = random_string ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
          g_autofree gchar *message = g_strconcat (key, value, owner->delegate_address, nonce,
                                                   NULL);
          g_autofree gchar *signature = rein_message_sign (owner->delegate, message,
                                                           strlen (message), &error);
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;

          g_assert_no_error (error);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, key);
          json_builder_set_member_name (builder, "value");
          json_builder_add_string_value (builder, value);
          json_builder_set_member_name (builder, "nonce");
          json_builder_add_string_value (builder, nonce);
          json_builder_set_member_name (builder, "signature");
          json_builder_add_string_value (builder, signature);
          json_builder_set_member_name (builder, "signature_address");
          json_builder_add_string_value (builder, owner->delegate_address);
          json_builder_set_member_name (builder, "owner");
          json_builder_add_string_value (builder, owner->master_address);
          json_builder_set_member_name (builder, "testnet");
          json_builder_add_boolean_value (builder, FALSE);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          g_ptr_array_add (bodies, json_to_string (root, FALSE));
        }
      owner_free (owner);
    }
  rein_server_db_close (db);
  for (guint f = 0; f < n_files; f++)
    g_ptr_array_add (parts, g_ptr_array_new ());
  for (guint i = 0; i < bodies->len; i++)
    g_ptr_array_add (g_ptr_array_index (parts, (i / per_owner) % n_files), bodies->pdata[i]);
  for (guint f = 0; f < n_files; f++)
    {
      g_autofree gchar *name = g_strdup_printf ("puts-%u.txt", f);
      gchar *path = write_lines (name, g_ptr_array_index (parts, f));

      if (f == 0)
        first = path;
      else
        g_free (path);
    }
  return first;
}

/* ---- stores: SQLite, PostgreSQL with one process, with two ---- */

typedef struct
{
  Figures figures[4]; /* query jobs, query by_job_id, get, put */
} StoreFigures;

static const gchar *const store_requests[] = {
  "query jobs", "query by_job_id", "get", "put (fsync'd)",
};

/* One wrk per server in @urls, CONNECTIONS shared out, at once; requests
 * per second and errors add up, latencies are the worst of them. */
static Figures
run_wrk_on (GPtrArray *urls, const gchar *script, const gchar *env_name,
            const gchar *const *env_values)
{
  g_autoptr (GPtrArray) runs = g_ptr_array_new ();
  Figures sum = { 0 };

  for (guint i = 0; i < urls->len; i++)
    g_ptr_array_add (runs, wrk_spawn (urls->pdata[i], CONNECTIONS / urls->len, script,
                                      env_name, env_values[i]));
  for (guint i = 0; i < runs->len; i++)
    {
      Figures one = wrk_collect (runs->pdata[i]);

      sum.requests_per_second += one.requests_per_second;
      sum.errors += one.errors;
      sum.p50_ms = MAX (sum.p50_ms, one.p50_ms);
      sum.p99_ms = MAX (sum.p99_ms, one.p99_ms);
    }
  return sum;
}

/* The same requests as above against @processes rein-servers on
 * @database. */
static StoreFigures
measure_store (const gchar *database, guint processes, const gchar *const *paths_files)
{
  g_autoptr (GPtrArray) servers = g_ptr_array_new ();
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) put_files = g_ptr_array_new_with_free_func (g_free);
  StoreFigures result = { 0 };
  g_autofree gchar *first = prepare_puts (database, 40, puts_per_owner, processes);

  g_ptr_array_add (put_files, g_steal_pointer (&first));
  for (guint i = 1; i < processes; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("puts-%u.txt", i);

      g_ptr_array_add (put_files, g_build_filename (directory, name, NULL));
    }
  for (guint i = 0; i < processes; i++)
    {
      gchar *url = NULL;

      g_ptr_array_add (servers, server_start (database, &url));
      g_ptr_array_add (urls, url);
    }
  for (guint r = 0; r < 3; r++)
    {
      const gchar *files[] = { paths_files[r], paths_files[r], paths_files[r] };

      result.figures[r] = run_wrk_on (urls, "bench-server-paths.lua", "BENCH_PATHS", files);
    }
  result.figures[3] = run_wrk_on (urls, "bench-server-put.lua", "BENCH_BODIES",
                                  (const gchar *const *) put_files->pdata);
  for (guint i = 0; i < servers->len; i++)
    server_stop (servers->pdata[i]);
  for (guint i = 0; i < put_files->len; i++)
    g_remove (put_files->pdata[i]);
  return result;
}

static void
bench_stores (Dataset *data)
{
  g_autoptr (GPtrArray) id_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) get_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) jobs_paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *jobs_file = NULL;
  g_autofree gchar *ids_file = NULL;
  g_autofree gchar *gets_file = NULL;
  StoreFigures columns[3];
  const gchar *const names[] = { "SQLite", "PostgreSQL x1", "PostgreSQL x2" };

  g_ptr_array_add (jobs_paths, g_strdup_printf ("/query?owner=%s&query=jobs&testnet=0",
                                                data->owner));
  for (guint j = 0; j < MIN (data->job_ids->len, 5000); j++)
    g_ptr_array_add (id_paths,
                     g_strdup_printf ("/query?owner=%s&query=by_job_id&job_ids=%s&testnet=0",
                                      data->owner, (gchar *) data->job_ids->pdata[j]));
  for (guint j = 0; j < 20000; j++)
    g_ptr_array_add (get_paths,
                     g_strdup_printf ("/get?key=%s",
                                      (gchar *) data->keys->pdata[g_random_int_range (
                                        0, (gint32) data->keys->len)]));
  jobs_file = write_lines ("jobs.txt", jobs_paths);
  ids_file = write_lines ("ids.txt", id_paths);
  gets_file = write_lines ("gets.txt", get_paths);
  {
    const gchar *const files[] = { jobs_file, ids_file, gets_file };

    columns[0] = measure_store (data->database, 1, files);
    columns[1] = measure_store (data->pg_database, 1, files);
    columns[2] = measure_store (data->pg_database, 2, files);
  }

  g_print ("\nStores at %u documents, 16 connections in all (two processes: 8 each); "
           "req/s, ratio to SQLite, p99 ms:\n", data->size);
  g_print ("%-16s", "request");
  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    g_print (" | %-27s", names[c]);
  g_print ("\n");
  for (guint r = 0; r < G_N_ELEMENTS (store_requests); r++)
    {
      gdouble base = columns[0].figures[r].requests_per_second;

      g_print ("%-16s", store_requests[r]);
      for (guint c = 0; c < G_N_ELEMENTS (names); c++)
        {
          Figures f = columns[c].figures[r];

          g_print (" | %7.0f %5.2fx %7.2f ms%s", f.requests_per_second,
                   base > 0 ? f.requests_per_second / base : 0.0, f.p99_ms,
                   f.errors > 0 ? "!" : " ");
        }
      g_print ("\n");
    }
  g_print ("(! : some answers were not 2xx)\n");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  const guint sizes[] = { 1000, 10000, 100000 };
  Dataset *datasets[G_N_ELEMENTS (sizes)];
  const gchar *max_text = g_getenv ("BENCH_MAX_DOCUMENTS");
  guint64 max_documents = G_MAXUINT;
  guint n_sizes = 0;
  g_autofree gchar *cpus = NULL;
  g_autofree gchar *pg_database = NULL;
  TestCluster *cluster = NULL;
  gchar *wrk = g_find_program_in_path ("wrk");

  if (wrk == NULL)
    {
      g_print ("bench-server: wrk is not installed (apt-get install wrk); skipping\n");
      return 77;
    }
  g_free (wrk);
  g_assert_nonnull (g_getenv ("BENCH_SCRIPTS"));
  /* CI (REIN_REQUIRE_PG=1) wants the store comparison: without
   * PostgreSQL, fail at once rather than print figures without it. */
  if (g_getenv ("REIN_TEST_PG_BINDIR") == NULL
      && g_strcmp0 (g_getenv ("REIN_REQUIRE_PG"), "1") == 0)
    {
      g_printerr ("bench-server: PostgreSQL is not installed (apt-get install postgresql, then "
                  "meson setup --reconfigure), and REIN_REQUIRE_PG=1 requires the store "
                  "comparison\n");
      return 1;
    }

  directory = g_dir_make_tmp ("rein-bench-server-XXXXXX", &error);
  g_assert_no_error (error);

  if (max_text != NULL && !g_ascii_string_to_unsigned (max_text, 10, sizes[0], G_MAXUINT,
                                                       &max_documents, NULL))
    g_error ("BENCH_MAX_DOCUMENTS: a number of documents, at least %u", sizes[0]);
  while (n_sizes < G_N_ELEMENTS (sizes) && sizes[n_sizes] <= max_documents)
    n_sizes++;
  puts_per_owner = CLAMP (sizes[n_sizes - 1] / 400, 25, 250);

  choose_server_cpus ();
  cpus = server_cpus_text ();
  g_print ("rein-server benchmark: rein-server on %s; wrk, %s thread(s), %d connections, "
           "loopback; %u CPUs in all\n\n",
           cpus, wrk_threads (), CONNECTIONS, g_get_num_processors ());
  /* The largest database on PostgreSQL as well, when it is installed. */
  if (g_getenv ("REIN_TEST_PG_BINDIR") != NULL)
    {
      cluster = test_cluster_start (TRUE);
      pg_database = test_cluster_new_database (cluster);
    }
  for (guint i = 0; i < n_sizes; i++)
    {
      datasets[i] = dataset_build (sizes[i], i == n_sizes - 1 ? pg_database : NULL);
      g_print ("built %6u documents (%u owners) in %.1f s (%.0f documents/s)\n",
               sizes[i], MAX (sizes[i] / 10, 2), datasets[i]->seconds,
               sizes[i] / datasets[i]->seconds);
    }

  g_print ("\nSQL alone, mean per query (in-process, no HTTP):\n");
  g_print ("%-22s %8s %10s\n", "query", "docs", "us/query");
  for (guint i = 0; i < n_sizes; i++)
    {
      g_print ("%-22s %8u %10.1f\n", "jobs (100 results)", sizes[i],
               time_sql (datasets[i], REIN_SERVER_QUERY_JOBS, 300));
      g_print ("%-22s %8u %10.1f\n", "by_job_id (1 id)", sizes[i],
               time_sql (datasets[i], REIN_SERVER_QUERY_BY_JOB_ID, 3000));
      g_print ("%-22s %8u %10.1f\n", "dispute (1 id)", sizes[i],
               time_sql (datasets[i], REIN_SERVER_QUERY_DISPUTE, 3000));
    }

  g_print ("\nHTTP through rein-server (wrk):\n");
  g_print ("%-22s %8s %10s %9s %9s %8s\n", "request", "docs", "req/s", "p50 ms", "p99 ms",
           "errors");
  for (guint i = 0; i < n_sizes; i++)
    {
      Dataset *data = datasets[i];
      g_autoptr (GPtrArray) jobs_paths = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) id_paths = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) get_paths = g_ptr_array_new_with_free_func (g_free);
      g_autofree gchar *jobs_file = NULL;
      g_autofree gchar *ids_file = NULL;
      g_autofree gchar *gets_file = NULL;
      g_autofree gchar *url = NULL;
      GSubprocess *server;

      g_ptr_array_add (jobs_paths, g_strdup_printf ("/query?owner=%s&query=jobs&testnet=0",
                                                    data->owner));
      for (guint j = 0; j < MIN (data->job_ids->len, 5000); j++)
        g_ptr_array_add (id_paths,
                         g_strdup_printf ("/query?owner=%s&query=by_job_id&job_ids=%s&testnet=0",
                                          data->owner, (gchar *) data->job_ids->pdata[j]));
      for (guint j = 0; j < MIN (data->keys->len, 20000); j++)
        g_ptr_array_add (get_paths,
                         g_strdup_printf ("/get?key=%s",
                                          (gchar *) data->keys->pdata[g_random_int_range (
                                            0, (gint32) data->keys->len)]));
      jobs_file = write_lines ("jobs.txt", jobs_paths);
      ids_file = write_lines ("ids.txt", id_paths);
      gets_file = write_lines ("gets.txt", get_paths);

      server = server_start (data->database, &url);
      print_figures ("query jobs", data->size,
                     run_wrk (url, "bench-server-paths.lua", "BENCH_PATHS", jobs_file));
      print_figures ("query by_job_id", data->size,
                     run_wrk (url, "bench-server-paths.lua", "BENCH_PATHS", ids_file));
      print_figures ("get", data->size,
                     run_wrk (url, "bench-server-paths.lua", "BENCH_PATHS", gets_file));
      server_stop (server);
    }

  {
    Dataset *data = datasets[n_sizes - 1];
    g_autofree gchar *bodies = prepare_puts (data->database, 40, puts_per_owner, 1);
    g_autofree gchar *url = NULL;
    GSubprocess *server = server_start (data->database, &url);

    print_figures ("put (fsync'd)", data->size,
                   run_wrk (url, "bench-server-put.lua", "BENCH_BODIES", bodies));

    /* Reads while puts commit: the writer thread keeps fsync off the
     * thread that answers them. */
    {
      g_autoptr (GPtrArray) get_paths = g_ptr_array_new_with_free_func (g_free);
      g_autofree gchar *gets_file = NULL;
      GSubprocess *puts;
      Figures reads, writes;

      for (guint j = 0; j < 20000; j++)
        g_ptr_array_add (get_paths,
                         g_strdup_printf ("/get?key=%s",
                                          (gchar *) data->keys->pdata[g_random_int_range (
                                            0, (gint32) data->keys->len)]));
      gets_file = write_lines ("gets.txt", get_paths);
      puts = wrk_spawn (url, CONNECTIONS / 2, "bench-server-put.lua", "BENCH_BODIES", bodies);
      reads = wrk_collect (wrk_spawn (url, CONNECTIONS / 2, "bench-server-paths.lua",
                                      "BENCH_PATHS", gets_file));
      writes = wrk_collect (puts);
      print_figures ("get, during puts", data->size, reads);
      print_figures ("put, during gets", data->size, writes);
    }
    server_stop (server);
    g_remove (bodies);
  }

  g_print ("\ntargets: p99 < 20 ms for queries at 100k documents; >= 2000 /get per second\n");

  if (pg_database != NULL)
    bench_stores (datasets[n_sizes - 1]);
  else
    g_print ("\nPostgreSQL is not installed (apt-get install postgresql): no store comparison\n");
  g_clear_pointer (&cluster, test_cluster_stop);

  for (guint i = 0; i < n_sizes; i++)
    dataset_free (datasets[i]);
  {
    const gchar *files[] = { "jobs.txt", "ids.txt", "gets.txt" };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree gchar *path = g_build_filename (directory, files[i], NULL);

        g_remove (path);
      }
  }
  g_rmdir (directory);
  return 0;
}

/* test-cli-market.c: "rein-cli jobs" and "status" against a real rein-server
 *
 * The market is written straight onto the server by three test identities
 * (a creator, a worker, a mediator): an awarded job, a job whose offer is
 * forged, and a python-rein 0.3 posting with Tags instead of Category. A
 * reader made with "rein-cli setup" then lists it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <sqlite3.h>

#include "chain-fixture.h"
#include "cli-test-util.h"
#include "server-fixture.h"
#include "rein-store.h"
#include "rein-test-util.h"

#define PASSWORD "correct horse battery staple"

#define AWARDED_ID "aaaaaaaaaaaaaaaaaaaa"
#define FORGED_ID "bbbbbbbbbbbbbbbbbbbb"
#define TAGS_ID "cccccccccccccccccccc"
#define IMPOSTOR_ID "eeeeeeeeeeeeeeeeeeee"
#define LATER_ID "ffffffffffffffffffff"

typedef struct
{
  TestServer *server;
  gchar *dir; /* the reader's data folder */
  Identity *creator;
  Identity *worker;
  Identity *mediator;
  gchar *mediator_enrollment;
} Fixture;

/* ---- Writing the market ---- */

static void
put_as (Identity *who, TestServer *server, const gchar *armored)
{
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) put = NULL;

  g_clear_pointer (&who->nonce, g_free);
  put = identity_put (who, server, key, armored, FALSE);
  g_assert_cmpuint (put->status, ==, 201);
  g_clear_pointer (&who->nonce, g_free);
}

static void
enroll (Fixture *f, Identity *who, gboolean mediator)
{
  g_autofree gchar *enrollment = identity_enrollment (who, mediator);

  identity_register (who, f->server);
  put_as (who, f->server, enrollment);
  if (mediator)
    f->mediator_enrollment = g_steal_pointer (&enrollment);
}

/* The creator's posting of @job_id (unsigned text), with @category. */
static gchar *
posting_text (Fixture *f, const gchar *job_id, const gchar *name, const gchar *category)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mediator = rein_document_new_from_armored (f->mediator_enrollment,
                                                                      -1, &error);
  gchar *text;
  ReinJobParams params = {
    .job_name = name,
    .job_id = job_id,
    .category = category,
    .description = "A round logo",
    .creator = f->creator->name,
    .creator_contact = "creator@example.com",
    .creator_public_key = f->creator->public_key,
    .creator_master_address = f->creator->master_address,
  };

  g_assert_no_error (error);
  g_assert_true (rein_job_params_set_mediator (&params, mediator, &error));
  g_assert_no_error (error);
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  return text;
}

/* A posting as python-rein 0.3 writes it: "Tags" where we write
 * "Category". */
static gchar *
tags_posting_text (Fixture *f, const gchar *job_id, const gchar *name, const gchar *tags)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ours = posting_text (f, job_id, name, "replaced");
  g_autofree gchar *title = NULL;
  g_autoptr (GPtrArray) fields = NULL;
  gchar *text;
  gboolean replaced = FALSE;

  g_assert_true (rein_document_text_parse (ours, strlen (ours), &title, &fields, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < fields->len; i++)
    {
      ReinField *field = g_ptr_array_index (fields, i);

      if (g_strcmp0 (field->label, REIN_LABEL_CATEGORY) != 0)
        continue;
      rein_field_free (field);
      g_ptr_array_index (fields, i) = rein_field_new ("Tags", tags);
      replaced = TRUE;
    }
  g_assert_true (replaced);
  text = rein_document_text_build (title, fields, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (text, "Category"));
  return text;
}

static gchar *
offer_of (Identity *signer, const gchar *bid_armored)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) bid = rein_document_new_from_armored (bid_armored, -1, &error);
  g_autofree gchar *text = NULL;

  g_assert_no_error (error);
  text = rein_document_build_offer (bid, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return identity_sign (signer, text);
}

/* ---- Running rein-cli as the reader ---- */

static CliResult *
run_valist (const gchar *dir, const gchar *first, va_list ap)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  CliResult *result;

  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (dir));
  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, g_strdup (arg));
  g_ptr_array_add (args, NULL);

  result = cli_runv (NULL, -1, (const gchar *const *) args->pdata);
  g_test_message ("rein-cli %s -> %d\n%s%s", first, result->status, result->out, result->err);
  /* Nothing rein-cli prints may say "(null)". */
  g_assert_null (strstr (result->out, "(null)"));
  g_assert_null (strstr (result->err, "(null)"));
  return result;
}

/* rein-cli on the data folder @dir. */
static CliResult *
run_in (const gchar *dir, const gchar *first, ...)
{
  CliResult *result;
  va_list ap;

  va_start (ap, first);
  result = run_valist (dir, first, ap);
  va_end (ap);
  return result;
}

/* rein-cli as the reader. */
static CliResult *
run_reader (Fixture *f, const gchar *first, ...)
{
  CliResult *result;
  va_list ap;

  va_start (ap, first);
  result = run_valist (f->dir, first, ap);
  va_end (ap);
  return result;
}

/* Whether a line of the listing names @job_id. */
static gboolean
has_line (const gchar *out, const gchar *job_id)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], job_id))
      return TRUE;
  return FALSE;
}

/* The line of the listing that names @job_id, or NULL. */
static gchar *
line_of (const gchar *out, const gchar *job_id)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], job_id))
      return g_strdup (lines[i]);
  return NULL;
}

/* The job of @job_id in a "--json" listing, or NULL. */
static JsonObject *
json_job (JsonNode *root, const gchar *job_id)
{
  JsonArray *jobs = json_object_get_array_member (json_node_get_object (root), "jobs");

  g_assert_nonnull (jobs);
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);

      if (g_strcmp0 (json_object_get_string_member (job, "job_id"), job_id) == 0)
        return job;
    }
  return NULL;
}

/* The fixture's jobs in a "--json" listing of every job: the awarded one
 * awarded to Walt, the one whose only offer is forged still taking bids. */
static void
assert_listed (JsonNode *root)
{
  JsonObject *job = json_job (root, AWARDED_ID);

  g_assert_nonnull (job);
  g_assert_cmpstr (json_object_get_string_member (job, "state"), ==, "awarded");
  g_assert_cmpstr (json_object_get_string_member (job, "worker"), ==, "Walt");
  job = json_job (root, FORGED_ID);
  g_assert_nonnull (job);
  g_assert_cmpstr (json_object_get_string_member (job, "state"), ==, "bids");
}

/* ---- The fixture ---- */

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *form = cli_write_tmp ("reader.txt",
                                          "Name: Rita\nContact: rita@example.com\n", -1);
  g_autofree gchar *awarded = NULL;
  g_autofree gchar *forged = NULL;
  g_autofree gchar *tags = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *awarded_bid = NULL;
  g_autofree gchar *forged_bid = NULL;
  g_autofree gchar *offer = NULL;
  g_autofree gchar *forged_offer = NULL;

  f->server = test_server_start (NULL, NULL);
  f->dir = g_dir_make_tmp ("rein-cli-market-XXXXXX", &error);
  g_assert_no_error (error);

  f->creator = identity_new ("Carol");
  f->worker = identity_new ("Walt");
  f->mediator = identity_new ("Mia");
  enroll (f, f->creator, FALSE);
  enroll (f, f->worker, FALSE);
  enroll (f, f->mediator, TRUE);

  text = posting_text (f, AWARDED_ID, "Awarded logo", "Design");
  awarded = identity_sign (f->creator, text);
  g_clear_pointer (&text, g_free);
  text = posting_text (f, FORGED_ID, "Forged logo", "Design");
  forged = identity_sign (f->creator, text);
  g_clear_pointer (&text, g_free);
  text = tags_posting_text (f, TAGS_ID, "Logo", "logo, design");
  tags = identity_sign (f->creator, text);

  awarded_bid = identity_bid (f->worker, awarded, "0.01", "Two drafts in a week");
  forged_bid = identity_bid (f->worker, forged, "0.01", "Two drafts in a week");
  offer = offer_of (f->creator, awarded_bid);
  /* The worker awards itself the job: that awards nothing. */
  forged_offer = offer_of (f->worker, forged_bid);

  put_as (f->creator, f->server, awarded);
  put_as (f->creator, f->server, forged);
  put_as (f->creator, f->server, tags);
  put_as (f->worker, f->server, awarded_bid);
  put_as (f->worker, f->server, forged_bid);
  put_as (f->creator, f->server, offer);
  put_as (f->worker, f->server, forged_offer);

  /* The reader: an identity of its own, and an account to query with. */
  {
    g_autoptr (CliResult) setup = run_reader (f, "--defaults", form, "setup", "--json", NULL);
    g_autoptr (CliResult) request = NULL;

    cli_assert_status (setup, 0);
    request = run_reader (f, "request", f->server->url, NULL);
    cli_assert_status (request, 0);
  }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->server, test_server_free);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
  identity_free (f->creator);
  identity_free (f->worker);
  identity_free (f->mediator);
  g_free (f->mediator_enrollment);
  cli_test_cleanup ();
}

/* ---- Tests ---- */

/* "jobs" lists the jobs open for bids: not the awarded one, but the one
 * whose only offer is forged. */
static void
test_jobs_open (Fixture *f, gconstpointer data)
{
  g_autoptr (CliResult) r = run_reader (f, "jobs", NULL);
  g_autoptr (CliResult) json = run_reader (f, "jobs", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *forged = NULL;
  JsonObject *job;

  cli_assert_status (r, 0);
  g_assert_null (strstr (r->out, AWARDED_ID));
  forged = line_of (r->out, FORGED_ID);
  g_assert_nonnull (forged);
  g_assert_nonnull (strstr (forged, "1 bid"));
  g_assert_true (has_line (r->out, TAGS_ID));

  cli_assert_status (json, 0);
  root = cli_result_get_json (json);
  g_assert_null (json_job (root, AWARDED_ID));
  job = json_job (root, FORGED_ID);
  g_assert_nonnull (job);
  g_assert_cmpstr (json_object_get_string_member (job, "state"), ==, "bids");
  g_assert_nonnull (json_job (root, TAGS_ID));
}

/* The cursors the reader's store keeps: how many servers it goes on from. */
/* The cursors the store keeps for the reader's identity. */
static GHashTable *
stored_cursors (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = rein_store_open (f->dir, &error);
  g_autoptr (GListModel) identities = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  GHashTable *cursors;

  g_assert_no_error (error);
  identities = rein_store_list_identities (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (identities), ==, 1);
  identity = g_list_model_get_item (identities, 0);
  cursors = rein_store_get_market_cursors (store, rein_identity_get_id (identity), &error);
  g_assert_no_error (error);
  return cursors;
}

static guint
n_cursors (Fixture *f)
{
  g_autoptr (GHashTable) cursors = stored_cursors (f);

  return g_hash_table_size (cursors);
}

static gboolean
cursors_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer url, cursor;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &url, &cursor))
    if (g_strcmp0 (cursor, g_hash_table_lookup (b, url)) != 0)
      return FALSE;
  return TRUE;
}

/* "jobs" run again reads only what the servers stored since the last
 * time (as the app does, from the cursors it keeps), and still lists the
 * whole market, built from the store: the awarded job with its worker. */
static void
test_jobs_resume (Fixture *f, gconstpointer data)
{
  g_autoptr (CliResult) first = run_reader (f, "jobs", "--all", NULL);
  g_autoptr (CliResult) again = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *text = posting_text (f, LATER_ID, "Later logo", "Design");
  g_autofree gchar *later = identity_sign (f->creator, text);
  JsonObject *job;

  cli_assert_status (first, 0);
  g_assert_false (has_line (first->out, LATER_ID));
  g_assert_cmpuint (n_cursors (f), ==, 1);

  put_as (f->creator, f->server, later);
  /* (GLib writes debug messages to standard output.) */
  g_setenv ("G_MESSAGES_DEBUG", "Rein-Net", TRUE);
  again = run_reader (f, "jobs", "--all", NULL);
  g_unsetenv ("G_MESSAGES_DEBUG");
  cli_assert_status (again, 0);
  g_assert_nonnull (strstr (again->out, "only what is new since the store's cursors"));
  g_assert_nonnull (strstr (again->out, "refresh: 1 new documents"));
  g_assert_true (has_line (again->out, LATER_ID));
  g_clear_pointer (&again, cli_result_free);

  /* Nothing new since: the whole market all the same. */
  again = run_reader (f, "jobs", "--all", "--json", NULL);
  cli_assert_status (again, 0);
  root = cli_result_get_json (again);
  job = json_job (root, LATER_ID);
  g_assert_nonnull (job);
  g_assert_cmpstr (json_object_get_string_member (job, "state"), ==, "posted");
  assert_listed (root);
  g_assert_nonnull (json_job (root, TAGS_ID));
  g_assert_cmpuint (n_cursors (f), ==, 1);
}

/* Runs @sql on the store's database in @dir, as another program could. */
static void
store_exec (const gchar *dir, const gchar *sql)
{
  g_autofree gchar *path = g_build_filename (dir, "rein.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* Whether the store's market index lists @job_id. */
static gboolean
indexed (Fixture *f, const gchar *job_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = rein_store_open (f->dir, &error);
  g_autoptr (GPtrArray) summaries = NULL;

  g_assert_no_error (error);
  summaries = rein_store_list_job_summaries (store, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < summaries->len; i++)
    if (g_strcmp0 (rein_job_summary_get_job_id (g_ptr_array_index (summaries, i)), job_id) == 0)
      return TRUE;
  return FALSE;
}

/* "jobs" whose index cannot be saved still lists what it read, says why
 * the index was not saved, and keeps the cursors it went on from: the
 * next run reads the same documents again and indexes their job. */
static void
test_jobs_index_fails (Fixture *f, gconstpointer data)
{
  g_autoptr (CliResult) first = run_reader (f, "jobs", "--all", NULL);
  g_autoptr (CliResult) again = NULL;
  g_autofree gchar *text = posting_text (f, LATER_ID, "Later logo", "Design");
  g_autofree gchar *later = identity_sign (f->creator, text);
  g_autoptr (GHashTable) before = NULL;
  g_autoptr (GHashTable) after = NULL;

  cli_assert_status (first, 0);
  before = stored_cursors (f);
  g_assert_cmpuint (g_hash_table_size (before), ==, 1);

  put_as (f->creator, f->server, later);
  store_exec (f->dir, "CREATE TRIGGER refuse BEFORE INSERT ON job_summaries "
                      "BEGIN SELECT RAISE (ABORT, 'the index is refused'); END;");
  again = run_reader (f, "jobs", "--all", NULL);
  cli_assert_status (again, 0);
  g_assert_true (has_line (again->out, LATER_ID));
  g_assert_nonnull (strstr (again->err, "the index is refused"));
  after = stored_cursors (f);
  g_assert_true (cursors_equal (before, after));
  g_assert_false (indexed (f, LATER_ID));
  g_clear_pointer (&again, cli_result_free);
  g_clear_pointer (&after, g_hash_table_unref);

  store_exec (f->dir, "DROP TRIGGER refuse;");
  again = run_reader (f, "jobs", "--all", NULL);
  cli_assert_status (again, 0);
  g_assert_true (has_line (again->out, LATER_ID));
  g_assert_true (indexed (f, LATER_ID));
  after = stored_cursors (f);
  g_assert_false (cursors_equal (before, after));
}

/* "jobs --all" lists every job, the awarded one as awarded. */
static void
test_jobs_all (Fixture *f, gconstpointer data)
{
  g_autoptr (CliResult) r = run_reader (f, "jobs", "--all", NULL);
  g_autoptr (CliResult) json = run_reader (f, "jobs", "--all", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *awarded = NULL;
  g_autofree gchar *forged = NULL;
  g_autofree gchar *tags = NULL;

  cli_assert_status (r, 0);
  awarded = line_of (r->out, AWARDED_ID);
  forged = line_of (r->out, FORGED_ID);
  tags = line_of (r->out, TAGS_ID);
  g_assert_nonnull (awarded);
  g_assert_nonnull (strstr (awarded, rein_job_state_describe (REIN_JOB_STATE_AWARDED)));
  g_assert_nonnull (forged);
  g_assert_nonnull (strstr (forged, rein_job_state_describe (REIN_JOB_STATE_BIDS)));
  g_assert_nonnull (tags);
  g_assert_nonnull (strstr (tags, rein_job_state_describe (REIN_JOB_STATE_POSTED)));

  cli_assert_status (json, 0);
  root = cli_result_get_json (json);
  assert_listed (root);

  /* rein-cli filled the market index as the app's refresh does: the app
   * opens on the same market, the awarded job awarded. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ReinStore) store = rein_store_open (f->dir, &error);
    g_autoptr (GPtrArray) summaries = NULL;
    guint seen = 0;

    g_assert_no_error (error);
    summaries = rein_store_list_job_summaries (store, FALSE, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < summaries->len; i++)
      {
        ReinJobSummary *s = g_ptr_array_index (summaries, i);
        const gchar *id = rein_job_summary_get_job_id (s);

        if (g_strcmp0 (id, AWARDED_ID) == 0)
          g_assert_cmpint (rein_job_summary_get_state (s), ==, REIN_JOB_STATE_AWARDED);
        else if (g_strcmp0 (id, FORGED_ID) == 0)
          g_assert_cmpint (rein_job_summary_get_state (s), ==, REIN_JOB_STATE_BIDS);
        else
          continue;
        seen++;
      }
    g_assert_cmpuint (seen, ==, 2);
  }
}

/* A python-rein 0.3 posting's Tags stand for its category everywhere. */
static void
test_tags (Fixture *f, gconstpointer data)
{
  g_autoptr (CliResult) r = run_reader (f, "jobs", NULL);
  g_autoptr (CliResult) json = run_reader (f, "jobs", "--json", NULL);
  g_autoptr (CliResult) status = run_reader (f, "status", "--jobid", TAGS_ID, NULL);
  g_autoptr (CliResult) status_json = run_reader (f, "status", "--jobid", TAGS_ID, "--json",
                                                  NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonNode) status_root = NULL;
  g_autofree gchar *line = NULL;
  JsonObject *job;

  cli_assert_status (r, 0);
  line = line_of (r->out, TAGS_ID);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "Logo [logo, design]"));

  cli_assert_status (json, 0);
  root = cli_result_get_json (json);
  job = json_job (root, TAGS_ID);
  g_assert_nonnull (job);
  g_assert_cmpstr (json_object_get_string_member (job, "category"), ==, "logo, design");
  /* A posting with a Category keeps it. */
  job = json_job (root, FORGED_ID);
  g_assert_cmpstr (json_object_get_string_member (job, "category"), ==, "Design");

  cli_assert_status (status, 0);
  g_assert_nonnull (strstr (status->out, "logo, design"));
  cli_assert_status (status_json, 0);
  status_root = cli_result_get_json (status_json);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status_root),
                                                  "category"), ==, "logo, design");
}

/* ---- escrow-status ---- */

static const gchar p2sh_script[] =
  "import sys, bitcoin\n"
  "from bitcoin.core import x\n"
  "from bitcoin.core.script import CScript\n"
  "from bitcoin.wallet import P2SHBitcoinAddress\n"
  "bitcoin.SelectParams('mainnet')\n"
  "print(P2SHBitcoinAddress.from_redeemScript(CScript(x(sys.argv[1]))))\n";

static JsonObject *
account_of (JsonNode *root, const gchar *name)
{
  return json_object_get_object_member (json_node_get_object (root), name);
}

static gchar *
zbar_read_file (const gchar *path)
{
  const gchar *argv[] = { "zbarimg", "--raw", "-q", path, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *err = NULL;
  gchar *out = NULL;
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strchomp (out);
}

/* The escrow of the awarded job: its terms without a backend, then what
 * the test chain says is paid in, and QR codes of both requests. */
static void
test_escrow_status (Fixture *f, gconstpointer data)
{
  g_autoptr (TestChain) chain = test_chain_start ("mainnet");
  g_autofree gchar *terms_qr = g_build_filename (f->dir, "qr-terms", NULL);
  g_autoptr (CliResult) terms = run_reader (f, "escrow-status", "--jobid", AWARDED_ID, "--json",
                                            "--qr", terms_qr, NULL);
  g_autoptr (CliResult) r = NULL;
  g_autoptr (JsonNode) root = cli_result_get_json (terms);
  g_autofree gchar *primary = NULL;
  g_autofree gchar *mediator = NULL;
  g_autofree gchar *qr_dir = g_build_filename (f->dir, "qr", NULL);
  JsonObject *account;

  cli_assert_status (terms, 0);
  g_assert_true (json_object_get_null_member (json_node_get_object (root), "tip_height"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (root),
                                                           "chain_error"),
                            "no chain backend"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "bid_amount_sat"), ==,
                   1000000);
  account = account_of (root, "primary");
  g_assert_cmpint (json_object_get_int_member (account, "due_sat"), ==, 1000000);
  g_assert_true (json_object_get_boolean_member (account, "document_agrees"));
  g_assert_false (json_object_has_member (account, "funding"));
  primary = g_strdup (json_object_get_string_member (account, "address"));
  /* python-bitcoinlib makes the same address of the same script */
  if (cli_have_bitcoinlib ())
    {
      const gchar *args[] = { json_object_get_string_member (account, "redeem_script"), NULL };
      g_autofree gchar *theirs = cli_run_python (p2sh_script, NULL, args);

      g_assert_cmpstr (g_strchomp (theirs), ==, primary);
    }
  account = account_of (root, "mediator");
  /* 1.0% of 0.01 BTC */
  g_assert_cmpint (json_object_get_int_member (account, "due_sat"), ==, 10000);
  mediator = g_strdup (json_object_get_string_member (account, "address"));
  g_assert_cmpstr (primary, !=, mediator);
  g_clear_pointer (&root, json_node_unref);
  /* without a backend, a payment request asks for all that is due */
  {
    g_autofree gchar *path = g_build_filename (terms_qr, "primary-escrow.png", NULL);
    g_autofree gchar *read = zbar_read_file (path);
    g_autofree gchar *expected = g_strdup_printf (
        "bitcoin:%s?amount=0.01&label=Rein%%20escrow%%3A%%20Awarded%%20logo", primary);

    g_assert_cmpstr (read, ==, expected);
  }

  /* a job whose only offer is forged has no escrow */
  r = run_reader (f, "escrow-status", "--jobid", FORGED_ID, NULL);
  cli_assert_status (r, 3);
  g_assert_nonnull (strstr (r->err, "no bid has been awarded"));
  g_clear_pointer (&r, cli_result_free);

  /* the primary escrow paid in full and confirmed twice; the mediator's
   * partly, unconfirmed */
  g_free (test_chain_fund (chain, primary, 1000000, 2));
  g_free (test_chain_fund (chain, mediator, 4000, 0));
  r = run_reader (f, "chain", chain->url, NULL);
  cli_assert_status (r, 0);
  g_clear_pointer (&r, cli_result_free);
  r = run_reader (f, "escrow-status", "--jobid", AWARDED_ID, "--json", "--qr", qr_dir, NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "tip_height"), ==,
                   100);
  account = account_of (root, "primary");
  g_assert_cmpstr (json_object_get_string_member (account, "funding"), ==, "funded");
  g_assert_cmpint (json_object_get_int_member (account, "confirmed_sat"), ==, 1000000);
  g_assert_cmpint (json_object_get_int_member (account, "confirmations"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (account, "coins")), ==,
                    1);
  account = account_of (root, "mediator");
  g_assert_cmpstr (json_object_get_string_member (account, "funding"), ==, "partly funded");
  g_assert_cmpint (json_object_get_int_member (account, "confirmed_sat"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (account, "unconfirmed_sat"), ==, 4000);
  g_clear_pointer (&r, cli_result_free);

  /* the QR codes ask for what is still missing, in BIP21: nothing for the
   * primary escrow, 6,000 sat for the mediator's */
  {
    g_autofree gchar *path = g_build_filename (qr_dir, "primary-escrow.png", NULL);

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree gchar *path = g_build_filename (qr_dir, "mediator-escrow.png", NULL);
    g_autofree gchar *read = zbar_read_file (path);
    g_autofree gchar *expected = g_strdup_printf (
        "bitcoin:%s?amount=0.00006&label=Rein%%20mediator%%20fee%%3A%%20Awarded%%20logo", mediator);

    g_assert_cmpstr (read, ==, expected);
  }

  /* in words, too */
  r = run_reader (f, "escrow-status", "--jobid", AWARDED_ID, NULL);
  cli_assert_status (r, 0);
  g_assert_nonnull (strstr (r->out, "funded, 2 confirmations"));
  g_assert_nonnull (strstr (r->out, "partly funded: 0.00006 BTC (6000 sat) missing"));
  g_clear_pointer (&r, cli_result_free);

  /* a backend that is gone: the terms, a warning, exit status 4 */
  g_setenv ("REIN_CHAIN_URL", "http://127.0.0.1:9/", TRUE);
  r = run_reader (f, "escrow-status", "--jobid", AWARDED_ID, NULL);
  g_unsetenv ("REIN_CHAIN_URL");
  cli_assert_status (r, 4);
  g_assert_nonnull (strstr (r->out, primary));
  g_assert_nonnull (strstr (r->err, "balances unknown"));
}

/* A rein-cli identity of its own in a new data folder, with buckets on the
 * server and its enrollment put there; returns the folder. The "setup
 * --json" answer goes to @out_root. */
static gchar *
cli_identity (Fixture *f, const gchar *form_text, JsonNode **out_root)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-cli-market-XXXXXX", &error);
  g_autofree gchar *form = cli_write_tmp ("identity.txt", form_text, -1);
  g_autoptr (CliResult) setup = NULL;
  g_autoptr (CliResult) request = NULL;
  g_autoptr (CliResult) sync = NULL;

  g_assert_no_error (error);
  setup = run_in (dir, "--defaults", form, "setup", "--json", NULL);
  cli_assert_status (setup, 0);
  *out_root = cli_result_get_json (setup);
  request = run_in (dir, "request", f->server->url, NULL);
  cli_assert_status (request, 0);
  sync = run_in (dir, "sync", NULL);
  cli_assert_status (sync, 0);
  return g_steal_pointer (&dir);
}

static const gchar *
json_member (JsonNode *root, const gchar *name)
{
  return json_object_get_string_member (json_node_get_object (root), name);
}

/* Issue 10, item 9: a bid signed by anyone that names Mia's key both as the
 * job's mediator and as its worker comes back from "review" and from
 * "in-process" with a Job ID seen before; "status" as Mia then read a Job
 * ID freed with the first answer (ASan: heap-use-after-free in
 * my_job_ids). Status must list the job, once. */
static void
test_status_mediator_and_worker (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) mia = NULL;
  g_autofree gchar *dir = cli_identity (f, "User: Mia\nContact: mia@example.com\n"
                                           "Willing to mediate: yes\nMediator fee: 1%\n", &mia);
  g_autofree gchar *job_id = random_job_id ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *posting = NULL;
  g_autofree gchar *bid_text = NULL;
  g_autofree gchar *bid = NULL;
  g_autoptr (ReinDocument) posting_doc = NULL;
  g_autoptr (CliResult) status = NULL;
  g_autoptr (CliResult) json = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *line = NULL;
  const gchar *mia_key = json_member (mia, "delegate_public_key");
  ReinJobParams params = {
    .job_name = "Mediated logo",
    .job_id = job_id,
    .category = "Design",
    .description = "A job Mia mediates",
    .mediator = "Mia",
    .mediator_contact = "mia@example.com",
    .mediator_fee = json_member (mia, "mediator_fee"),
    .mediator_public_key = mia_key,
    .mediator_master_address = json_member (mia, "master_address"),
    .creator = f->creator->name,
    .creator_contact = "Carol@example.com",
    .creator_public_key = f->creator->public_key,
    .creator_master_address = f->creator->master_address,
  };
  ReinBidParams bid_params = {
    .worker = f->worker->name,
    .worker_contact = "Walt@example.com",
    .worker_master_address = f->worker->master_address,
    .worker_public_key = f->worker->public_key,
    .description = "Mia's key as the worker's, signed by Walt",
    .bid_amount = "0.01",
  };

  g_assert_nonnull (mia_key);
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  posting = identity_sign (f->creator, text);
  posting_doc = rein_document_new_from_armored (posting, -1, &error);
  g_assert_no_error (error);
  bid_text = rein_document_build_bid (posting_doc, &bid_params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  /* the builder refuses the mediator as the worker: edit the text */
  {
    g_autofree gchar *walt = g_strconcat ("Worker public key: ", f->worker->public_key, NULL);
    g_autofree gchar *mia_line = g_strconcat ("Worker public key: ", mia_key, NULL);
    g_auto (GStrv) parts = g_strsplit (bid_text, walt, -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    g_free (bid_text);
    bid_text = g_strjoinv (mia_line, parts);
  }
  bid = identity_sign (f->worker, bid_text);
  put_as (f->creator, f->server, posting);
  put_as (f->worker, f->server, bid);

  status = run_in (dir, "status", NULL);
  cli_assert_status (status, 0);
  line = line_of (status->out, job_id);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "mediator"));
  /* once */
  g_assert_null (strstr (strstr (status->out, job_id) + 1, job_id));

  json = run_in (dir, "status", "--json", NULL);
  cli_assert_status (json, 0);
  root = cli_result_get_json (json);
  g_assert_nonnull (json_job (root, job_id));
  rein_test_remove_tree (dir);
}

/* The enrollment Eve signs with her own master, saying she is Mia: Mia's
 * delegate and key, a lower fee, Eve's contact. */
static gchar *
impostor_enrollment (Identity *eve, Identity *mia)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) doc = NULL;
  g_autofree gchar *text = g_strdup_printf ("Rein User Enrollment\nUser: %s\n"
                                            "Contact: eve@example.com\n"
                                            "Master signing address: %s\n"
                                            "Delegate signing address: %s\n"
                                            "Willing to mediate: True\n"
                                            "Mediator public key: %s\nMediator fee: 0.1%%",
                                            mia->name, eve->master_address,
                                            mia->delegate_address, mia->public_key);

  doc = rein_document_sign (text, eve->master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return g_strdup (rein_document_get_armored (doc));
}

/* Whether a line of @out names @name without @mark. */
static gboolean
has_plain_line (const gchar *out, const gchar *name, const gchar *mark)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], name) != NULL && strstr (lines[i], mark) == NULL)
      return TRUE;
  return FALSE;
}

/* Issue 10, item 10: names are not identities. Eve's own enrolled key
 * posts a job as "Job creator: Carol", and Eve's master enrolls Mia's
 * delegate as "Mia". The job is not listed (and says why), every person
 * is shown with the fingerprint of their master, and "mediators" never
 * lists a plain "Mia": both claims on Mia's key are contested. */
static void
test_impostors (Fixture *f, gconstpointer data)
{
  g_autoptr (Identity) eve = identity_new ("Eve");
  g_autofree gchar *eve_enrollment = identity_enrollment (eve, FALSE);
  g_autofree gchar *fake_mia = impostor_enrollment (eve, f->mediator);
  g_autofree gchar *text = NULL;
  g_autofree gchar *posting = NULL;
  g_autofree gchar *carol_fp = rein_person_fingerprint (f->creator->master_address);
  g_autofree gchar *carol = g_strdup_printf (REIN_PERSON_FSI "Carol" REIN_PERSON_PDI " (%s)",
                                             carol_fp);
  g_autofree gchar *line = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CliResult) jobs = NULL;
  g_autoptr (CliResult) jobs_json = NULL;
  g_autoptr (CliResult) mediators = NULL;
  g_autoptr (CliResult) mediators_json = NULL;
  g_autoptr (CliResult) status = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonNode) mroot = NULL;
  JsonArray *listed, *contested;
  ReinJobParams params = {
    .job_name = "Carol's logo, honest",
    .job_id = IMPOSTOR_ID,
    .category = "Design",
    .description = "Pay Eve",
    .creator = "Carol",
    .creator_contact = "eve@example.com",
    .creator_public_key = eve->public_key,
    .creator_master_address = eve->master_address,
  };

  identity_register (eve, f->server);
  put_as (eve, f->server, eve_enrollment);
  put_as (eve, f->server, fake_mia);
  {
    g_autoptr (ReinDocument) mia = rein_document_new_from_armored (f->mediator_enrollment, -1,
                                                                   &error);

    g_assert_no_error (error);
    g_assert_true (rein_job_params_set_mediator (&params, mia, &error));
    text = rein_document_build_job_posting (&params, &error);
    g_assert_no_error (error);
    posting = identity_sign (eve, text);
    put_as (eve, f->server, posting);
  }

  /* jobs: Eve's job is not Carol's, and Carol's shows her fingerprint */
  jobs = run_reader (f, "jobs", "--all", NULL);
  cli_assert_status (jobs, 0);
  g_assert_false (has_line (jobs->out, IMPOSTOR_ID));
  line = line_of (jobs->out, FORGED_ID);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, carol));
  jobs_json = run_reader (f, "jobs", "--all", "--json", NULL);
  cli_assert_status (jobs_json, 0);
  root = cli_result_get_json (jobs_json);
  g_assert_null (json_job (root, IMPOSTOR_ID));
  g_assert_cmpstr (json_object_get_string_member (json_job (root, FORGED_ID),
                                                  "creator_fingerprint"), ==, carol_fp);

  /* status --jobid shows the people the same way */
  {
    g_autoptr (CliResult) carols = run_reader (f, "status", "--jobid", FORGED_ID, NULL);
    g_autofree gchar *creator_line = g_strconcat ("Creator:    ", carol, "\n", NULL);
    g_autofree gchar *mia_fp = rein_person_fingerprint (f->mediator->master_address);
    g_autofree gchar *walt_fp = rein_person_fingerprint (f->worker->master_address);

    cli_assert_status (carols, 0);
    g_assert_nonnull (strstr (carols->out, creator_line));
    g_assert_nonnull (strstr (carols->out, mia_fp));
    g_assert_nonnull (strstr (carols->out, walt_fp)); /* the bid's worker */
  }

  /* status says why Eve's posting does not count */
  status = run_reader (f, "status", "--jobid", IMPOSTOR_ID, NULL);
  cli_assert_status (status, 0);
  g_assert_nonnull (strstr (status->out, "no valid posting"));
  g_assert_nonnull (strstr (status->out, "it calls its job creator “Carol”, but that key’s "
                                         "enrollment says “Eve”"));

  /* mediators: no plain "Mia"; both claims listed as contested */
  mediators = run_reader (f, "mediators", NULL);
  cli_assert_status (mediators, 0);
  g_assert_false (has_plain_line (mediators->out, "Mia", REIN_PERSON_CONTESTED_MARK));
  g_assert_nonnull (strstr (mediators->out, REIN_PERSON_CONTESTED_MARK));
  mediators_json = run_reader (f, "mediators", "--json", NULL);
  cli_assert_status (mediators_json, 0);
  mroot = cli_result_get_json (mediators_json);
  listed = json_object_get_array_member (json_node_get_object (mroot), "mediators");
  contested = json_object_get_array_member (json_node_get_object (mroot), "contested");
  g_assert_cmpuint (json_array_get_length (listed), ==, 0);
  g_assert_cmpuint (json_array_get_length (contested), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *e = json_array_get_object_element (contested, i);

      g_assert_cmpstr (json_object_get_string_member (e, "name"), ==, "Mia");
      g_assert_true (json_object_get_boolean_member (e, "contested"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* rein-cli reads these; a low scrypt cost keeps setup fast. */
  g_setenv ("REIN_PASSWORD", PASSWORD, TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  g_unsetenv ("REIN_DATA_DIR");
  g_unsetenv ("REIN_CHAIN_URL");

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/cli/market/jobs-open", test_jobs_open);
  ADD ("/cli/market/jobs-all", test_jobs_all);
  ADD ("/cli/market/jobs-resume", test_jobs_resume);
  ADD ("/cli/market/jobs-index-fails", test_jobs_index_fails);
  ADD ("/cli/market/tags", test_tags);
  ADD ("/cli/market/escrow-status", test_escrow_status);
  ADD ("/cli/market/status-mediator-and-worker", test_status_mediator_and_worker);
  ADD ("/cli/market/impostors", test_impostors);
#undef ADD

  return g_test_run ();
}

/* test-store-index.c: the market index: summaries, full-text search,
 * categories, and display-safe text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "rein-person.h"
#include "rein-store.h"
#include "rein-test-util.h"

#define CREATOR_ADDRESS "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"

typedef struct
{
  gchar *dir;
  ReinStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("rein-store-index-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* A bidder's key, the same in every summary. */
static const gchar *
bidder_key (void)
{
  static gchar *key;

  if (key == NULL)
    {
      g_autoptr (ReinPrivateKey) k = rein_private_key_generate (TRUE);

      key = rein_private_key_get_public_key_hex (k);
    }
  return key;
}

static ReinJobSummary *
summary (const gchar *job_id, const gchar *name, const gchar *category, const gchar *description,
         const gchar *creator, ReinJobState state, guint n_bids, gint64 first_seen)
{
  return _rein_job_summary_new_read (NULL, 0, job_id, "02aa", FALSE, name, category, description,
                                     creator, "c@example.com", "Mia", "mia@example.com", "03bb",
                                     "1.5%", state, n_bids, n_bids ? bidder_key () : "", first_seen);
}

/* @name as the market shows a person (and stores a job's creator): in
 * direction isolates, then the fingerprint of their address. */
static const gchar *
person (const gchar *name)
{
  static GHashTable *made;
  gchar *formatted;

  if (made == NULL)
    made = g_hash_table_new (g_str_hash, g_str_equal);
  formatted = g_hash_table_lookup (made, name);
  if (formatted == NULL)
    {
      formatted = rein_person_format (name, CREATOR_ADDRESS, REIN_PERSON_FLAGS_NONE);
      g_hash_table_insert (made, g_strdup (name), formatted);
    }
  return formatted;
}

static GPtrArray *
sample (void)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (all, summary ("aaaaaaaaaaaaaaaaaaa1", "Logo for a bakery", "Design",
                                 "A round logo, café colours", person ("Bob"),
                                 REIN_JOB_STATE_POSTED, 0, 100));
  g_ptr_array_add (all, summary ("aaaaaaaaaaaaaaaaaaa2", "Translate a manual", "Writing",
                                 "German to English, 40 pages", person ("Bob"),
                                 REIN_JOB_STATE_BIDS, 2, 200));
  g_ptr_array_add (all, summary ("aaaaaaaaaaaaaaaaaaa3", "Fix my website", "Programming",
                                 "PHP bakery shop", person ("Carol"), REIN_JOB_STATE_AWARDED, 1,
                                 300));
  return all;
}

static guint
search_count (Fixture *f, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) ids = rein_store_search_jobs (f->store, text, &error);
  g_autoptr (GArray) sorted = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  /* the same rows as an array, ascending (what the market view asks) */
  sorted = rein_store_search_job_ids (f->store, text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sorted->len, ==, g_hash_table_size (ids));
  for (guint i = 0; i < sorted->len; i++)
    {
      g_assert_true (g_hash_table_contains (ids, &g_array_index (sorted, gint64, i)));
      if (i > 0)
        g_assert_cmpint (g_array_index (sorted, gint64, i - 1), <,
                         g_array_index (sorted, gint64, i));
    }
  return g_hash_table_size (ids);
}

static void
test_save_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = sample ();
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GPtrArray) testnet = NULL;
  ReinJobSummary *first;

  g_assert_cmpint (rein_store_get_schema_version (f->store), ==, REIN_STORE_SCHEMA_VERSION);
  g_assert_true (rein_store_save_job_summaries (f->store, all, &error));
  g_assert_no_error (error);
  listed = rein_store_list_job_summaries (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  /* Newest first, with row ids and every column back. */
  first = g_ptr_array_index (listed, 0);
  g_assert_cmpstr (rein_job_summary_get_job_id (first), ==, "aaaaaaaaaaaaaaaaaaa3");
  g_assert_cmpint (rein_job_summary_get_id (first), >, 0);
  g_assert_cmpint (rein_job_summary_get_state (first), ==, REIN_JOB_STATE_AWARDED);
  g_assert_false (rein_job_summary_get_open (first));
  g_assert_cmpuint (rein_job_summary_get_n_bids (first), ==, 1);
  {
    g_autofree gchar *upper = g_ascii_strup (bidder_key (), -1);
    g_autoptr (ReinPrivateKey) other = rein_private_key_generate (TRUE);
    g_autofree gchar *other_key = rein_private_key_get_public_key_hex (other);

    /* Keys compare as keys: the case of the hex does not matter. */
    g_assert_true (rein_job_summary_has_bidder (first, upper));
    g_assert_false (rein_job_summary_has_bidder (first, other_key));
    g_assert_false (rein_job_summary_has_bidder (first, NULL));
  }
  g_assert_cmpstr (rein_job_summary_get_mediator_fee (first), ==, "1.5%");
  g_assert_cmpint (rein_job_summary_get_mediator_fee_basis (first), ==, 150);
  g_assert_cmpint (rein_job_summary_get_first_seen (first), ==, 300);
  g_assert_true (rein_job_summary_get_open (g_ptr_array_index (listed, 1)));

  /* A later refresh updates the state and keeps the first-seen time. */
  {
    g_autoptr (GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (update, summary ("aaaaaaaaaaaaaaaaaaa1", "Logo for a bakery", "Design",
                                      "A round logo, café colours", person ("Bob"),
                                      REIN_JOB_STATE_BIDS, 1, 999));
    g_assert_true (rein_store_save_job_summaries (f->store, update, &error));
    g_assert_no_error (error);
  }
  again = rein_store_list_job_summaries (f->store, FALSE, &error);
  g_assert_cmpuint (again->len, ==, 3);
  first = g_ptr_array_index (again, 2);
  g_assert_cmpstr (rein_job_summary_get_job_id (first), ==, "aaaaaaaaaaaaaaaaaaa1");
  g_assert_cmpint (rein_job_summary_get_state (first), ==, REIN_JOB_STATE_BIDS);
  g_assert_cmpint (rein_job_summary_get_first_seen (first), ==, 100);

  /* The other network's market is separate. */
  testnet = rein_store_list_job_summaries (f->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (testnet->len, ==, 0);

  /* It survives reopening. */
  g_clear_object (&f->store);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  g_clear_pointer (&again, g_ptr_array_unref);
  again = rein_store_list_job_summaries (f->store, FALSE, &error);
  g_assert_cmpuint (again->len, ==, 3);
}

/* FTS5's own check of the full-text index against the summaries, and
 * the number of rows it indexes. */
static void
assert_search_intact (Fixture *f, guint n_rows)
{
  g_autofree gchar *path = g_build_filename (f->dir, "rein.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO job_search (job_search, rank) "
                                     "VALUES ('integrity-check', 1)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM job_search_docsize", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, n_rows);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A store of schema 9 indexed "<FSI>bob<PDI>" as the creator's word,
 * which no search for "bob" found: opened again, its index is made anew,
 * and the creator is found by name. */
static void
test_search_upgrade (Fixture *f, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (f->dir, "rein.db", NULL);
  g_autoptr (GPtrArray) all = sample ();
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_true (rein_store_save_job_summaries (f->store, all, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (search_count (f, "bob"), ==, 2);
  g_clear_object (&f->store);

  /* back to schema 9: its index, with the tokenizer it had, which finds
   * no one by name */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TABLE job_search;"
                                 "CREATE VIRTUAL TABLE job_search USING fts5 ("
                                 "  name, description, category, creator,"
                                 "  content = 'job_summaries', content_rowid = 'id',"
                                 "  tokenize = 'unicode61 remove_diacritics 2');"
                                 "INSERT INTO job_search (job_search) VALUES ('rebuild');"
                                 "PRAGMA user_version = 9;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM job_search WHERE job_search "
                                             "MATCH '\"bob\"*'", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);

  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_store_get_schema_version (f->store), ==, REIN_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (search_count (f, "bob"), ==, 2);
  g_assert_cmpuint (search_count (f, "carol"), ==, 1);
  assert_search_intact (f, 3);
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = sample ();
  g_auto (GStrv) categories = NULL;

  g_assert_true (rein_store_save_job_summaries (f->store, all, &error));
  assert_search_intact (f, 3);
  g_assert_cmpuint (search_count (f, "bakery"), ==, 2);    /* name and description */
  g_assert_cmpuint (search_count (f, "BAK"), ==, 2);       /* prefix, any case */
  g_assert_cmpuint (search_count (f, "bakery logo"), ==, 1); /* every word */
  g_assert_cmpuint (search_count (f, "cafe"), ==, 1);      /* accents ignored */
  g_assert_cmpuint (search_count (f, "writing"), ==, 1);   /* category */
  g_assert_cmpuint (search_count (f, "carol"), ==, 1);     /* creator */
  g_assert_cmpuint (search_count (f, "nothing-like-it"), ==, 0);
  g_assert_cmpuint (search_count (f, ""), ==, 0);
  /* FTS5 syntax is taken as words, never as a query. */
  g_assert_cmpuint (search_count (f, "\"bakery\" OR NEAR(x"), ==, 0);
  g_assert_cmpuint (search_count (f, "logo\" OR \"manual"), ==, 0);
  g_assert_cmpuint (search_count (f, "*"), ==, 0);
  g_assert_cmpuint (search_count (f, "bakery)"), ==, 2);
  g_assert_cmpuint (search_count (f, "\xff\xfe"), ==, 0);

  /* After an update the index follows. */
  {
    g_autoptr (GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (update, summary ("aaaaaaaaaaaaaaaaaaa2", "Translate a manual", "Writing",
                                      "German to English, 40 pages", person ("Dora"),
                                      REIN_JOB_STATE_BIDS, 3, 200));
    g_assert_true (rein_store_save_job_summaries (f->store, update, &error));
  }
  g_assert_cmpuint (search_count (f, "dora"), ==, 1);
  g_assert_cmpuint (search_count (f, "bob"), ==, 1);
  assert_search_intact (f, 3);

  categories = rein_store_list_job_categories (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (categories), ==, 3);
  g_assert_true (g_strv_contains ((const gchar *const *) categories, "Design"));
  /* The same from the summaries read, in the same order. */
  {
    g_autoptr (GPtrArray) listed = NULL;
    g_auto (GStrv) read = NULL;
    g_auto (GStrv) two = NULL;

    g_ptr_array_add (all, summary ("aaaaaaaaaaaaaaaaaaa4", "Proofread", "Writing", "", "Eve",
                                   REIN_JOB_STATE_POSTED, 0, 400));
    g_ptr_array_add (all, summary ("aaaaaaaaaaaaaaaaaaa5", "No category", "", "", "Eve",
                                   REIN_JOB_STATE_POSTED, 0, 500));
    g_assert_true (rein_store_save_job_summaries (f->store, all, &error));
    g_clear_pointer (&categories, g_strfreev);
    categories = rein_store_list_job_categories (f->store, FALSE, &error);
    listed = rein_store_list_job_summaries (f->store, FALSE, &error);
    g_assert_no_error (error);
    read = rein_job_summaries_list_categories (listed, 200);
    g_assert_cmpstrv (read, categories);
    g_assert_cmpstr (read[0], ==, "Writing");
    g_assert_cmpuint (g_strv_length (read), ==, 3);
    two = rein_job_summaries_list_categories (listed, 2);
    g_assert_cmpuint (g_strv_length (two), ==, 2);
  }
  assert_search_intact (f, 5);
  /* New rows, a changed one and a job twice in one save: each new row is
   * indexed once, each change replaces its words */
  {
    g_autoptr (GPtrArray) mixed = g_ptr_array_new_with_free_func (g_object_unref);

    g_ptr_array_add (mixed, summary ("aaaaaaaaaaaaaaaaaaa6", "Paint a fence", "Garden", "White",
                                     person ("Fay"), REIN_JOB_STATE_POSTED, 0, 600));
    g_ptr_array_add (mixed, summary ("aaaaaaaaaaaaaaaaaaa1", "Logo for a bakery", "Design",
                                     "A round logo, café colours", person ("Gus"),
                                     REIN_JOB_STATE_BIDS, 1, 100));
    g_ptr_array_add (mixed, summary ("aaaaaaaaaaaaaaaaaaa6", "Paint a fence", "Garden", "White",
                                     person ("Hal"), REIN_JOB_STATE_BIDS, 1, 600));
    g_assert_true (rein_store_save_job_summaries (f->store, mixed, &error));
    g_assert_no_error (error);
  }
  assert_search_intact (f, 6);
  g_assert_cmpuint (search_count (f, "fence"), ==, 1);
  g_assert_cmpuint (search_count (f, "hal"), ==, 1);
  g_assert_cmpuint (search_count (f, "fay"), ==, 0);
  g_assert_cmpuint (search_count (f, "gus"), ==, 1);
  g_assert_cmpuint (search_count (f, "bob"), ==, 1); /* the manual's, saved again above */
}

/* Creator and mediator are people as rein_person_format() shows them: the
 * isolate around the name stays (balanced, one level), every other
 * direction control goes, also in text that was not valid UTF-8. */
static void
test_display_person (void)
{
  g_autofree gchar *bob = rein_person_format ("Bob", "1CptxARjqcfkVwGFSjR82zmPT8YtRMubub",
                                              REIN_PERSON_FLAGS_NONE);
  g_autoptr (ReinJobSummary) s = _rein_job_summary_new_read (NULL, 
      0, "j", "k", FALSE, "n", NULL, NULL, bob, NULL,
      /* an unopened PDI, a nested FSI, an unclosed FSI, an override */
      "\xe2\x81\xa9" "a" "\xe2\x81\xa8" "b" "\xe2\x81\xa8" "c" "\xe2\x80\xae" "d", NULL, NULL,
      NULL, REIN_JOB_STATE_POSTED, 0, NULL, 0);
  g_autoptr (ReinJobSummary) broken = _rein_job_summary_new_read (NULL, 
      0, "j", "k", FALSE, "\xff" "\xe2\x80\xae" "evil", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, REIN_JOB_STATE_POSTED, 0, NULL, 0);

  g_assert_cmpstr (rein_job_summary_get_creator (s), ==, bob);
  g_assert_cmpstr (rein_job_summary_get_mediator (s), ==,
                   "a" "\xe2\x81\xa8" "bcd" "\xe2\x81\xa9");
  g_assert_null (strstr (rein_job_summary_get_name (broken), "\xe2\x80\xae"));
  g_assert_true (g_str_has_suffix (rein_job_summary_get_name (broken), "evil"));
}

static void
test_display_text (void)
{
  g_autofree gchar *long_name = g_strnfill (5000, 'x');
  g_autoptr (ReinJobSummary) s = _rein_job_summary_new_read (NULL, 
      0, "j", "k", FALSE, "Bad\x1b[31mname\r\nsecond", "Cat\tx", "line 1\nline 2\x07",
      "\xe2\x80\xae" "evil" "\xe2\x81\xa6", NULL, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", NULL, NULL, "abc",
      REIN_JOB_STATE_POSTED, 0,
      NULL, 0);
  g_autoptr (ReinJobSummary) l = _rein_job_summary_new_read (NULL, 
      0, "j", "k", FALSE, long_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      REIN_JOB_STATE_POSTED, 0, NULL, 0);

  /* One line, no control characters; free text keeps its lines. */
  g_assert_cmpstr (rein_job_summary_get_name (s), ==, "Bad [31mname  second");
  g_assert_cmpstr (rein_job_summary_get_category (s), ==, "Cat x");
  g_assert_cmpstr (rein_job_summary_get_description (s), ==, "line 1\nline 2 ");
  g_assert_cmpstr (rein_job_summary_get_creator (s), ==, "evil"); /* no overrides */
  g_assert_cmpstr (rein_job_summary_get_mediator (s), ==, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
  g_assert_cmpint (rein_job_summary_get_mediator_fee_basis (s), ==, -1);
  g_assert_cmpuint (g_utf8_strlen (rein_job_summary_get_name (l), -1), ==, 201);
  g_assert_true (g_str_has_suffix (rein_job_summary_get_name (l), "x\xe2\x80\xa6"));

  /* Plain ASCII as it is, up to the limit of a line (in several lines, none). */
  for (guint len = 199; len <= 201; len++)
    {
      g_autofree gchar *name = g_strnfill (len, 'y');
      g_autofree gchar *description = g_strdup_printf ("%s\n\t%s", name, name);
      g_autoptr (ReinJobSummary) a = _rein_job_summary_new_read (NULL, 
          0, "j", "k", FALSE, name, NULL, description, NULL, NULL, NULL, NULL, NULL, NULL,
          REIN_JOB_STATE_POSTED, 0, NULL, 0);

      if (len <= 200)
        g_assert_cmpstr (rein_job_summary_get_name (a), ==, name);
      else
        g_assert_cmpuint (g_utf8_strlen (rein_job_summary_get_name (a), -1), ==, 201);
      g_assert_cmpstr (rein_job_summary_get_description (a), ==, description);
    }

  g_assert_cmpint (rein_mediator_fee_parse_basis ("1.0%"), ==, 100);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("2.5 %"), ==, 250);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("0.25%"), ==, 25);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("3"), ==, 300);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("101%"), ==, -1);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("-1%"), ==, -1);
  g_assert_cmpint (rein_mediator_fee_parse_basis ("1%x"), ==, -1);
  g_assert_cmpint (rein_mediator_fee_parse_basis (NULL), ==, -1);
}

/* The market loads every summary newest first (list_job_summaries() in
 * rein-store-index.c): through the index by first seen, not by sorting
 * every row in a temporary B-tree. */
static void
test_newest_first_plan (Fixture *f, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (f->dir, "rein.db", NULL);
  g_autoptr (GString) plan = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "EXPLAIN QUERY PLAN SELECT id, job_id, name, description "
                                       "FROM job_summaries WHERE testnet = ?1 "
                                       "AND (first_seen, id) < (?3, ?4) "
                                       "ORDER BY first_seen DESC, id DESC LIMIT ?2",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const gchar *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_test_message ("plan: %s", plan->str);
  g_assert_nonnull (strstr (plan->str, "job_summaries_newest"));
  g_assert_null (strstr (plan->str, "TEMP B-TREE"));
}

/* The market reads its summaries in chunks (so that the main thread is
 * not kept from the store for a whole market): many jobs first seen at
 * the same few times come back each once, newest first, the first page
 * the same as the list's start, and the texts rows share formatted once. */
static void
test_list_in_chunks (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const guint n = 5003;

  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *job_id = g_strdup_printf ("job%017u", i);
      g_autofree gchar *name = g_strdup_printf ("Job %u", i);

      /* a control character in the creator's name: formatted, not copied */
      g_ptr_array_add (all, summary (job_id, name, i % 2 ? "Design" : "Writing", "Words",
                                     i % 3 ? "Bob\x01" : "Carol", REIN_JOB_STATE_POSTED, 0,
                                     1000 + i % 3));
    }
  g_assert_true (rein_store_save_job_summaries (f->store, all, &error));
  g_assert_no_error (error);
  listed = rein_store_list_job_summaries (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n);
  for (guint i = 0; i < listed->len; i++)
    {
      ReinJobSummary *s = g_ptr_array_index (listed, i);

      g_assert_true (g_hash_table_add (seen, (gpointer) rein_job_summary_get_job_id (s)));
      if (i > 0)
        {
          ReinJobSummary *before = g_ptr_array_index (listed, i - 1);

          g_assert_cmpint (rein_job_summary_get_first_seen (before), >=,
                           rein_job_summary_get_first_seen (s));
          if (rein_job_summary_get_first_seen (before) == rein_job_summary_get_first_seen (s))
            g_assert_cmpint (rein_job_summary_get_id (before), >, rein_job_summary_get_id (s));
        }
      if (g_str_has_prefix (rein_job_summary_get_name (s), "Job "))
        g_assert_cmpstr (rein_job_summary_get_description (s), ==, "Words");
    }
  g_assert_cmpint (rein_job_summary_get_first_seen (g_ptr_array_index (listed, 0)), ==, 1002);
  /* formatted once for every row that says it */
  for (guint i = 0; i < listed->len; i++)
    {
      ReinJobSummary *s = g_ptr_array_index (listed, i);

      if (g_str_has_prefix (rein_job_summary_get_creator (s), "Bob"))
        {
          g_assert_cmpstr (rein_job_summary_get_creator (s), ==, "Bob ");
          g_assert_true (rein_job_summary_get_creator (s)
                         == rein_job_summary_get_creator (g_ptr_array_index (listed, 1)));
        }
    }
  g_assert_cmpstr (rein_job_summary_get_creator (g_ptr_array_index (listed, 1)), ==, "Bob ");

  first = rein_store_list_job_summaries_first (f->store, FALSE, 200, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 200);
  for (guint i = 0; i < first->len; i++)
    g_assert_true (rein_job_summary_equal (g_ptr_array_index (first, i),
                                           g_ptr_array_index (listed, i)));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/index/save-list", Fixture, NULL, fixture_setup, test_save_list,
              fixture_teardown);
  g_test_add ("/store/index/search", Fixture, NULL, fixture_setup, test_search,
              fixture_teardown);
  g_test_add ("/store/index/newest-first-plan", Fixture, NULL, fixture_setup,
              test_newest_first_plan, fixture_teardown);
  g_test_add ("/store/index/list-in-chunks", Fixture, NULL, fixture_setup, test_list_in_chunks,
              fixture_teardown);
  g_test_add ("/store/index/search-upgrade", Fixture, NULL, fixture_setup, test_search_upgrade,
              fixture_teardown);
  g_test_add_func ("/store/index/display-text", test_display_text);
  g_test_add_func ("/store/index/display-person", test_display_person);
  return g_test_run ();
}

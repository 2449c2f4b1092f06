/* rein-store-index.c: the local market index
 *
 * The market opens from here: one row per validated job, written when a
 * refresh validates the servers' documents, with a full-text index (FTS5,
 * external content, kept in step by triggers; see the 2 -> 3 migration).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-store-private.h"

/* The longest search text taken, and the most words in it. */
#define MAX_SEARCH_CHARS 200
#define MAX_SEARCH_WORDS 12

static void
bind_text (sqlite3_stmt *stmt, int col, const gchar *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

#define SAVE_CHUNK 5000

static gboolean save_summaries (ReinStore *self, GPtrArray *summaries, guint from, guint to,
                                GError **error);

gboolean
rein_store_save_job_summaries (ReinStore *self, GPtrArray *summaries, GError **error)
{
  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (summaries != NULL, FALSE);

  for (guint start = 0; start < summaries->len; start += SAVE_CHUNK)
    {
      g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
      gboolean ok;

      /* The index is made again from the documents whenever needed. */
      if (!_rein_store_set_bulk (self, TRUE, error))
        {
          /* half set: back to FULL before the lock goes */
          _rein_store_set_bulk (self, FALSE, NULL);
          return FALSE;
        }
      ok = save_summaries (self, summaries, start, MIN (summaries->len, start + SAVE_CHUNK),
                           error);
      if (!_rein_store_set_bulk (self, FALSE, ok ? error : NULL) || !ok)
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
rein_store_index_jobs (ReinStore *self,
                       GPtrArray *jobs,
                       ReinDirectory *directory,
                       gboolean testnet,
                       GError **error)
{
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GHashTable) parties = NULL;
  gint64 start = g_get_monotonic_time ();

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (jobs != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  summaries = g_ptr_array_new_full (jobs->len, g_object_unref);
  parties = _rein_job_summary_new_parties ();
  for (guint i = 0; i < jobs->len; i++)
    {
      ReinJob *job = g_ptr_array_index (jobs, i);

      if (rein_job_get_posting (job) != NULL)
        g_ptr_array_add (summaries,
                         _rein_job_summary_new_from_job_with (job, directory, testnet, parties));
    }
  g_debug ("index: %u jobs summarized in %" G_GINT64_FORMAT " ms", summaries->len,
           (g_get_monotonic_time () - start) / 1000);
  start = g_get_monotonic_time ();
  if (!rein_store_save_job_summaries (self, summaries, error))
    return NULL;
  g_debug ("index: %u summaries saved in %" G_GINT64_FORMAT " ms", summaries->len,
           (g_get_monotonic_time () - start) / 1000);
  return g_steal_pointer (&summaries);
}

/* The largest id of a summary (0: none) in *@out_last, by @last_stmt. */
static gboolean
last_row (ReinStore *self, sqlite3_stmt *last_stmt, gint64 *out_last, GError **error)
{
  sqlite3_reset (last_stmt);
  if (sqlite3_step (last_stmt) != SQLITE_ROW)
    return _rein_store_db_error (self, error, "Could not read the market index");
  *out_last = sqlite3_column_int64 (last_stmt, 0);
  return TRUE;
}

/* Puts the summaries above *@indexed into the full-text index, and
 * moves *@indexed up to the last of them. */
static gboolean
index_new_rows (ReinStore *self,
                sqlite3_stmt *search_stmt,
                sqlite3_stmt *last_stmt,
                gint64 *indexed,
                GError **error)
{
  sqlite3_reset (search_stmt);
  sqlite3_bind_int64 (search_stmt, 1, *indexed);
  if (sqlite3_step (search_stmt) != SQLITE_DONE)
    return _rein_store_db_error (self, error, "Could not store the market index");
  return last_row (self, last_stmt, indexed, error);
}

static gboolean
save_summaries (ReinStore *self, GPtrArray *summaries, guint from, guint to, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) last_stmt = NULL;
  g_autoptr (sqlite3_stmt) search_stmt = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 indexed = 0; /* the rows up to this id are in the full-text index */
  /* One transaction, under the lock, a chunk: the main thread waits for
   * one chunk at most, not for a whole market. */
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = _rein_store_prepare (
      self,
      "INSERT INTO job_summaries (job_id, creator_key, testnet, name, category, description,"
      " creator, creator_contact, mediator, mediator_contact, mediator_key, mediator_fee, state,"
      " n_bids, bidders, first_seen, updated)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)"
      " ON CONFLICT (job_id, creator_key) DO UPDATE SET testnet = excluded.testnet,"
      " name = excluded.name, category = excluded.category,"
      " description = excluded.description, creator = excluded.creator,"
      " creator_contact = excluded.creator_contact, mediator = excluded.mediator,"
      " mediator_contact = excluded.mediator_contact, mediator_key = excluded.mediator_key,"
      " mediator_fee = excluded.mediator_fee, state = excluded.state, n_bids = excluded.n_bids,"
      " bidders = excluded.bidders, updated = excluded.updated"
      " WHERE state IS NOT excluded.state OR n_bids IS NOT excluded.n_bids"
      " OR bidders IS NOT excluded.bidders OR name IS NOT excluded.name"
      " OR creator IS NOT excluded.creator OR mediator IS NOT excluded.mediator",
      error);
  if (stmt == NULL)
    return FALSE;
  /* New rows take ids above every other (no AUTOINCREMENT: the largest
   * plus one), and go into the full-text index together, in one
   * statement (see migration 8 -> 9 in rein-store.c); a change to a row
   * already there goes through the update trigger. */
  last_stmt = _rein_store_prepare (self, "SELECT coalesce (max (id), 0) FROM job_summaries",
                                   error);
  search_stmt = _rein_store_prepare (
      self,
      "INSERT INTO job_search (rowid, name, description, category, creator)"
      " SELECT id, name, description, category, creator FROM job_summaries WHERE id > ?1",
      error);
  if (last_stmt == NULL || search_stmt == NULL)
    return FALSE;
  /* The lock is held throughout, so no other statement on the shared
   * connection can land inside this transaction. */
  if (!_rein_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!last_row (self, last_stmt, &indexed, error))
    {
      _rein_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  for (guint i = from; i < to; i++)
    {
      ReinJobSummary *s = g_ptr_array_index (summaries, i);
      g_autofree gchar *key = g_strconcat (rein_job_summary_get_job_id (s), " ",
                                           rein_job_summary_get_creator_key (s), NULL);

      /* A job twice in one chunk: the update trigger takes its first row
       * out of the full-text index, so it must be in it first. */
      if (!g_hash_table_add (seen, g_steal_pointer (&key))
          && !index_new_rows (self, search_stmt, last_stmt, &indexed, error))
        {
          _rein_store_exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      sqlite3_reset (stmt);
      bind_text (stmt, 1, rein_job_summary_get_job_id (s));
      bind_text (stmt, 2, rein_job_summary_get_creator_key (s));
      sqlite3_bind_int (stmt, 3, rein_job_summary_get_testnet (s));
      bind_text (stmt, 4, rein_job_summary_get_name (s));
      bind_text (stmt, 5, rein_job_summary_get_category (s));
      bind_text (stmt, 6, rein_job_summary_get_description (s));
      bind_text (stmt, 7, rein_job_summary_get_creator (s));
      bind_text (stmt, 8, rein_job_summary_get_creator_contact (s));
      bind_text (stmt, 9, rein_job_summary_get_mediator (s));
      bind_text (stmt, 10, rein_job_summary_get_mediator_contact (s));
      bind_text (stmt, 11, rein_job_summary_get_mediator_key (s));
      bind_text (stmt, 12, rein_job_summary_get_mediator_fee (s));
      bind_text (stmt, 13, rein_job_state_to_name (rein_job_summary_get_state (s)));
      sqlite3_bind_int (stmt, 14, rein_job_summary_get_n_bids (s));
      bind_text (stmt, 15, rein_job_summary_get_bidders (s));
      sqlite3_bind_int64 (stmt, 16, rein_job_summary_get_first_seen (s));
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          _rein_store_db_error (self, error, "Could not store the market index");
          _rein_store_exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (!index_new_rows (self, search_stmt, last_stmt, &indexed, error))
    {
      _rein_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!_rein_store_exec (self, "COMMIT", error))
    {
      _rein_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static ReinJobState
state_from_name (const gchar *name)
{
  for (ReinJobState s = REIN_JOB_STATE_POSTED; s <= REIN_JOB_STATE_RESOLVED; s++)
    if (g_strcmp0 (rein_job_state_to_name (s), name) == 0)
      return s;
  return REIN_JOB_STATE_NONE;
}

static const gchar *
column_text (sqlite3_stmt *stmt, int col)
{
  return (const gchar *) sqlite3_column_text (stmt, col);
}

#define SUMMARY_COLUMNS                                                                           \
  "SELECT id, job_id, creator_key, name, category, description, creator, creator_contact,"      \
  " mediator, mediator_contact, mediator_key, mediator_fee, state, n_bids, bidders, first_seen," \
  " testnet FROM job_summaries "

/* A row's columns copied out of SQLite in one block (its texts after the
 * struct), to make its summary after the store's lock is let go. */
typedef struct
{
  gint64 id;
  gint64 first_seen;
  gint n_bids;
  gboolean testnet;
  const gchar *text[17]; /* by column; NULL for the numbers (0, 13, 15, 16) and NULLs */
} RawRow;

#define RAW_TEXT_COLUMNS 17

/* Two calls into SQLite per column (each takes the connection's mutex):
 * its text, then its length. */
static RawRow *
raw_row_copy (sqlite3_stmt *stmt)
{
  const guchar *text[RAW_TEXT_COLUMNS] = { NULL };
  gsize len[RAW_TEXT_COLUMNS] = { 0 };
  gsize size = sizeof (RawRow);
  RawRow *raw;
  gchar *at;

  for (int col = 1; col < RAW_TEXT_COLUMNS; col++)
    if (col != 13 && col != 15 && col != 16
        && (text[col] = sqlite3_column_text (stmt, col)) != NULL)
      {
        len[col] = (gsize) sqlite3_column_bytes (stmt, col);
        size += len[col] + 1;
      }
  raw = g_malloc (size);
  raw->id = sqlite3_column_int64 (stmt, 0);
  raw->first_seen = sqlite3_column_int64 (stmt, 15);
  raw->n_bids = sqlite3_column_int (stmt, 13);
  raw->testnet = sqlite3_column_int (stmt, 16) != 0;
  at = (gchar *) (raw + 1);
  for (int col = 0; col < RAW_TEXT_COLUMNS; col++)
    {
      raw->text[col] = NULL;
      if (text[col] == NULL)
        continue;
      memcpy (at, text[col], len[col]);
      at[len[col]] = '\0';
      raw->text[col] = at;
      at += len[col] + 1;
    }
  return raw;
}

/* @texts: what rows read before formatted (NULL: one row alone). */
static ReinJobSummary *
summary_from_raw (const RawRow *raw, ReinJobSummaryTexts *texts)
{
  const gchar *const *t = raw->text;

  return _rein_job_summary_new_read (texts, raw->id, t[1], t[2], raw->testnet, t[3], t[4], t[5],
                                     t[6], t[7], t[8], t[9], t[10], t[11], state_from_name (t[12]),
                                     (guint) MAX (0, raw->n_bids), t[14], raw->first_seen);
}

static ReinJobSummary *
summary_from_row (sqlite3_stmt *stmt)
{
  g_autofree RawRow *raw = raw_row_copy (stmt);

  return summary_from_raw (raw, NULL);
}

/* The most rows read under the store's lock at once: a hundred thousand
 * rows take most of a second to read, and the main thread must not wait
 * that long for its own short reads and writes (listing the servers when
 * a refresh starts). */
#define READ_CHUNK 2000

/* Copies up to @chunk rows after (@last_seen, @last_id), newest first,
 * into @rows (RawRow). */
static gboolean
read_chunk (ReinStore *self,
            gboolean testnet,
            guint64 chunk,
            gint64 last_seen,
            gint64 last_id,
            GPtrArray *rows,
            GError **error)
{
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rein_store_prepare (self,
                              SUMMARY_COLUMNS "WHERE testnet = ?1 AND (first_seen, id) < (?3, ?4)"
                                              " ORDER BY first_seen DESC, id DESC LIMIT ?2",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, testnet ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, (gint64) chunk);
  sqlite3_bind_int64 (stmt, 3, last_seen);
  sqlite3_bind_int64 (stmt, 4, last_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, raw_row_copy (stmt));
  if (rc != SQLITE_DONE)
    {
      _rein_store_db_error (self, error, "Could not read the market index");
      return FALSE;
    }
  return TRUE;
}

/* @limit < 0: all. Newest first, read in chunks of READ_CHUNK rows, each
 * copied under the lock, after the last row of the one before (first_seen,
 * id), and made into summaries without it. A refresh saving meanwhile
 * changes rows in place or adds newer ones, which the reload that follows
 * it reads. */
static GPtrArray *
list_job_summaries (ReinStore *self, gboolean testnet, gint64 limit, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ReinJobSummaryTexts) texts = _rein_job_summary_texts_new ();
  gint64 last_seen = G_MAXINT64, last_id = G_MAXINT64;
  guint64 wanted = limit < 0 ? G_MAXUINT64 : (guint64) limit;

  while (out->len < wanted)
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
      guint64 chunk = MIN (READ_CHUNK, wanted - out->len);

      if (!read_chunk (self, testnet, chunk, last_seen, last_id, rows, error))
        return NULL;
      /* the summaries made without the lock */
      for (guint i = 0; i < rows->len; i++)
        g_ptr_array_add (out, summary_from_raw (rows->pdata[i], texts));
      if (rows->len > 0)
        {
          const RawRow *last = rows->pdata[rows->len - 1];

          last_seen = last->first_seen;
          last_id = last->id;
        }
      if (rows->len < chunk)
        break;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
rein_store_list_job_summaries (ReinStore *self, gboolean testnet, GError **error)
{
  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  return list_job_summaries (self, testnet, -1, error);
}

GPtrArray *
rein_store_list_job_summaries_first (ReinStore *self,
                                     gboolean testnet,
                                     guint limit,
                                     GError **error)
{
  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  return list_job_summaries (self, testnet, limit, error);
}

ReinJobSummary *
rein_store_get_job_summary (ReinStore *self,
                            const gchar *job_id,
                            const gchar *creator_key,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (job_id != NULL && creator_key != NULL, NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = _rein_store_prepare (self, SUMMARY_COLUMNS "WHERE job_id = ?1 AND creator_key = ?2",
                              error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, job_id);
  bind_text (stmt, 2, creator_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return summary_from_row (stmt);
  if (rc != SQLITE_DONE)
    _rein_store_db_error (self, error, "Could not read the market index");
  return NULL;
}

/* The FTS5 query for what a user typed: each word (letters and digits)
 * quoted, as a prefix, all of them required. Quoting makes every word a
 * plain string: no FTS5 syntax from the user gets through. NULL when there
 * is no word. */
static gchar *
fts_query (const gchar *text)
{
  g_autoptr (GString) query = g_string_new (NULL);
  g_autoptr (GString) word = g_string_new (NULL);
  guint words = 0;
  guint chars = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  for (const gchar *p = text;; p = g_utf8_next_char (p))
    {
      gunichar c = *p ? g_utf8_get_char (p) : 0;

      if (c != 0 && chars++ < MAX_SEARCH_CHARS && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0 && words < MAX_SEARCH_WORDS)
        {
          g_string_append_printf (query, "%s\"%s\"*", words > 0 ? " " : "", word->str);
          words++;
        }
      g_string_truncate (word, 0);
      if (c == 0 || chars > MAX_SEARCH_CHARS)
        break;
    }
  return words > 0 ? g_string_free (g_steal_pointer (&query), FALSE) : NULL;
}

GArray *
rein_store_search_job_ids (ReinStore *self, const gchar *text, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree gchar *query = fts_query (text);
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  if (query == NULL)
    return g_steal_pointer (&ids);
  stmt = _rein_store_prepare (
      self, "SELECT rowid FROM job_search WHERE job_search MATCH ?1 ORDER BY rowid", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      _rein_store_db_error (self, error, "Could not search the market index");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GHashTable *
rein_store_search_jobs (ReinStore *self, const gchar *text, GError **error)
{
  g_autoptr (GArray) found = rein_store_search_job_ids (self, text, error);
  GHashTable *ids;

  if (found == NULL)
    return NULL;
  ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < found->len; i++)
    g_hash_table_add (ids, g_memdup2 (&g_array_index (found, gint64, i), sizeof (gint64)));
  return ids;
}

GStrv
rein_store_list_job_categories (ReinStore *self, gboolean testnet, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = _rein_store_prepare (self,
                              "SELECT category FROM job_summaries WHERE testnet = ?1"
                              " AND category IS NOT NULL AND category != ''"
                              " GROUP BY category ORDER BY count(*) DESC, category LIMIT 200",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, testnet ? 1 : 0);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _rein_store_db_error (self, error, "Could not read the categories");
      return NULL;
    }
  return g_strv_builder_end (builder);
}

/* rein-server-db-sqlite.c: rein-server's SQLite store (the default)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-server-db-private.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-server-json.h"

#define SCHEMA_VERSION 5

typedef struct
{
  ReinServerDb parent;
  sqlite3 *handle;
  GHashTable *statements; /* SQL text -> sqlite3_stmt, prepared once */
} SqliteDb;

#define SQLITE_DB(db) ((SqliteDb *) (db))

static const ReinServerDbOps sqlite_ops;

/* Documents are indexed once, on put; queries below are index lookups. Each
 * index ends (implicitly) with the rowid, so results come in insertion order
 * without a sort and LIMIT stops early. */
static const gchar schema_sql[] =
  "CREATE TABLE owners ("
  "  address TEXT PRIMARY KEY NOT NULL,"
  "  delegate TEXT NOT NULL,"
  "  nonce TEXT NOT NULL DEFAULT '',"
  "  created TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE buckets ("
  "  id INTEGER PRIMARY KEY,"
  "  owner TEXT NOT NULL,"
  "  contact TEXT NOT NULL DEFAULT '',"
  "  created TEXT NOT NULL,"
  "  bytes_used INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX buckets_by_owner ON buckets (owner);"
  "CREATE TABLE documents ("
  "  id INTEGER PRIMARY KEY,"
  "  hash TEXT NOT NULL,"
  "  testnet INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  job_id TEXT,"
  "  creator TEXT,"
  "  worker TEXT,"
  "  mediator TEXT,"
  "  willing INTEGER NOT NULL DEFAULT 0,"
  "  value_json TEXT NOT NULL," /* the document as a JSON string literal */
  "  UNIQUE (hash, testnet)"
  ");"
  "CREATE INDEX documents_by_type ON documents (testnet, type);"
  "CREATE INDEX documents_mediators ON documents (testnet) WHERE willing = 1;"
  "CREATE INDEX documents_by_job ON documents (job_id, testnet, type)"
  "  WHERE job_id IS NOT NULL;"
  "CREATE INDEX documents_by_creator ON documents (creator, testnet, type)"
  "  WHERE creator IS NOT NULL;"
  "CREATE INDEX documents_by_worker ON documents (worker, testnet)"
  "  WHERE worker IS NOT NULL;"
  "CREATE INDEX documents_by_mediator ON documents (mediator, testnet)"
  "  WHERE mediator IS NOT NULL;"
  "CREATE TABLE kv ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  owner TEXT NOT NULL,"
  "  bucket INTEGER NOT NULL,"
  "  document INTEGER NOT NULL,"
  "  size INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX kv_by_document ON kv (document);";

/* Version 2: enrollments indexed by the key hashes of the addresses they
 * name, for the "enrollments" query. */
static const gchar schema_2_sql[] =
  "CREATE TABLE enrollment_keys ("
  "  key_hash TEXT NOT NULL,"
  "  testnet INTEGER NOT NULL,"
  "  document INTEGER NOT NULL,"
  "  PRIMARY KEY (key_hash, testnet, document)"
  ") WITHOUT ROWID;";

/* Version 3: a document's keys go when it goes (its id may be reused). */
static const gchar schema_3_sql[] =
  "CREATE INDEX enrollment_keys_by_document ON enrollment_keys (document);"
  "DELETE FROM enrollment_keys"
  "  WHERE NOT EXISTS (SELECT 1 FROM documents WHERE id = enrollment_keys.document);";

/* Version 4: the highest document id ever given, so that no id is given
 * twice (SQLite gives max(id) + 1, which reuses the id of the newest
 * document once it is dropped): a client's `since` cursor is an id. */
static const gchar schema_4_sql[] =
  "CREATE TABLE document_sequence (last INTEGER NOT NULL);"
  "INSERT INTO document_sequence SELECT coalesce(max(id), 0) FROM documents;";

/* The next document id: above every id given before (document_sequence
 * holds the highest of those dropped since). */
#define NEXT_DOCUMENT_ID                                                                        \
  "max(coalesce((SELECT max(id) FROM documents), 0),"                                           \
  " (SELECT last FROM document_sequence)) + 1"

static gboolean
set_db_error (ReinServerDb *db, GError **error, const gchar *what)
{
  g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
               "%s: %s", what, sqlite3_errmsg (SQLITE_DB (db)->handle));
  return FALSE;
}

static gboolean
exec (ReinServerDb *db, const gchar *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (SQLITE_DB (db)->handle, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "%s", message != NULL ? message : sqlite3_errmsg (SQLITE_DB (db)->handle));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* A cached prepared statement, reset and unbound when returned. */
static sqlite3_stmt *
prepare (ReinServerDb *db, const gchar *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (SQLITE_DB (db)->statements, sql);

  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (SQLITE_DB (db)->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
      != SQLITE_OK)
    {
      set_db_error (db, error, "Preparing a statement");
      return NULL;
    }
  g_hash_table_insert (SQLITE_DB (db)->statements, (gpointer) sql, stmt);
  return stmt;
}

static void
done (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static void
bind_text (sqlite3_stmt *stmt, int index, const gchar *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (ReinServerDb *db, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_db_error (db, error, "Writing");
      done (stmt);
      return FALSE;
    }
  done (stmt);
  return TRUE;
}

static void
statement_free (gpointer data)
{
  sqlite3_finalize (data);
}

/* Version 5: enrollments stored before are indexed by what "get_user"
 * finds them by (their SIN, name and contact). */
static gboolean
index_user_keys (ReinServerDb *db, GError **error)
{
  sqlite3 *handle = SQLITE_DB (db)->handle;
  sqlite3_stmt *select = NULL;
  sqlite3_stmt *insert = NULL;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_prepare_v2 (handle,
                          "SELECT id, testnet, value_json FROM documents"
                          " WHERE type = 'enrollment'",
                          -1, &select, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (handle,
                             "INSERT OR IGNORE INTO enrollment_keys (key_hash, testnet, document)"
                             " VALUES (?1, ?2, ?3)",
                             -1, &insert, NULL) != SQLITE_OK)
    goto out;
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_auto (GStrv) keys = rein_server_db_user_keys_of_stored (
          (const gchar *) sqlite3_column_text (select, 2));

      for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
        {
          sqlite3_bind_text (insert, 1, keys[i], -1, SQLITE_TRANSIENT);
          sqlite3_bind_int (insert, 2, sqlite3_column_int (select, 1));
          sqlite3_bind_int64 (insert, 3, sqlite3_column_int64 (select, 0));
          rc = sqlite3_step (insert);
          sqlite3_reset (insert);
          if (rc != SQLITE_DONE)
            goto out;
        }
    }
  ok = rc == SQLITE_DONE;

out:
  if (!ok)
    set_db_error (db, error, "Indexing the enrollments");
  sqlite3_finalize (select);
  sqlite3_finalize (insert);
  return ok;
}

static gboolean
migrate (ReinServerDb *db, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gint version = 0;

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (sqlite3_prepare_v2 (SQLITE_DB (db)->handle, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    goto fail_db;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "Database schema %d is newer than this server (%d)",
                   version, SCHEMA_VERSION);
      exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  if (version < 1)
    {
      if (!exec (db, schema_sql, error)
          || !exec (db, "PRAGMA user_version = 1", error))
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (version < 2)
    {
      /* Enrollments stored before version 2 are indexed when put again. */
      if (!exec (db, schema_2_sql, error)
          || !exec (db, "PRAGMA user_version = 2", error))
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (version < 3)
    {
      if (!exec (db, schema_3_sql, error)
          || !exec (db, "PRAGMA user_version = 3", error))
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (version < 4)
    {
      if (!exec (db, schema_4_sql, error)
          || !exec (db, "PRAGMA user_version = 4", error))
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (version < 5)
    {
      if (!index_user_keys (db, error) || !exec (db, "PRAGMA user_version = 5", error))
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return exec (db, "COMMIT", error);

fail_db:
  set_db_error (db, error, "Reading the schema version");
  exec (db, "ROLLBACK", NULL);
  return FALSE;
}

static void
sqlite_close (ReinServerDb *db)
{
  g_clear_pointer (&SQLITE_DB (db)->statements, g_hash_table_unref);
  if (SQLITE_DB (db)->handle != NULL)
    sqlite3_close (SQLITE_DB (db)->handle);
  g_free (db);
}

ReinServerDb *
rein_server_db_sqlite_open (const gchar *path, gboolean writable, GError **error)
{
  g_autoptr (GString) pragmas = g_string_new (NULL);
  ReinServerDb *db;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (writable)
    flags |= SQLITE_OPEN_CREATE;

  db = (ReinServerDb *) g_new0 (SqliteDb, 1);
  db->ops = &sqlite_ops;
  SQLITE_DB (db)->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_free);
  if (sqlite3_open_v2 (path, &SQLITE_DB (db)->handle, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "Cannot open %s: %s", path,
                   SQLITE_DB (db)->handle != NULL ? sqlite3_errmsg (SQLITE_DB (db)->handle) : "out of memory");
      sqlite_close (db);
      return NULL;
    }

  sqlite3_busy_timeout (SQLITE_DB (db)->handle, 10000);
  /* synchronous=FULL in WAL mode: a commit is fsync'd before it returns, so
   * a put answered 201 survives a crash. */
  g_string_append (pragmas, "PRAGMA foreign_keys = OFF;"
                            "PRAGMA synchronous = FULL;"
                            "PRAGMA cache_size = -16000;"
                            "PRAGMA temp_store = MEMORY;");
  if (writable)
    g_string_append (pragmas, "PRAGMA journal_mode = WAL;");
  else
    g_string_append (pragmas, "PRAGMA query_only = 1;");
  if (!exec (db, pragmas->str, error)
      || (writable && !migrate (db, error)))
    {
      g_prefix_error (error, "%s: ", path);
      sqlite_close (db);
      return NULL;
    }

  return db;
}

static gboolean
sqlite_transaction (ReinServerDb *db, ReinServerDbStep step, GError **error)
{
  switch (step)
    {
    case REIN_SERVER_DB_BEGIN:
      return exec (db, "BEGIN IMMEDIATE", error);
    case REIN_SERVER_DB_COMMIT:
      return exec (db, "COMMIT", error);
    case REIN_SERVER_DB_ROLLBACK:
      if (!sqlite3_get_autocommit (SQLITE_DB (db)->handle))
        exec (db, "ROLLBACK", NULL);
      return TRUE;
    case REIN_SERVER_DB_SAVEPOINT:
      return exec (db, "SAVEPOINT request", error);
    case REIN_SERVER_DB_ROLL_BACK_TO:
      exec (db, "ROLLBACK TO request", NULL);
      return exec (db, "RELEASE request", error);
    case REIN_SERVER_DB_RELEASE:
    default:
      return exec (db, "RELEASE request", error);
    }
}

/* ---- /request ---- */

static GPtrArray *
sqlite_request_bucket (ReinServerDb *db,
                               const gchar *owner,
                               const gchar *delegate,
                               const gchar *contact,
                               gboolean *out_granted,
                               GError **error)
{
  g_autoptr (GPtrArray) buckets = NULL;
  sqlite3_stmt *stmt;
  gint64 count = 0;

  stmt = prepare (db,
                  "INSERT INTO owners (address, delegate, created)"
                  " VALUES (?1, ?2, strftime('%Y-%m-%d %H:%M:%S', 'now'))"
                  " ON CONFLICT (address) DO NOTHING",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, owner);
  bind_text (stmt, 2, delegate);
  if (!step_done (db, stmt, error))
    return NULL;

  stmt = prepare (db, "SELECT count(*) FROM buckets WHERE owner = ?1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, owner);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  done (stmt);

  *out_granted = count < REIN_SERVER_MAX_BUCKETS;
  if (*out_granted)
    {
      stmt = prepare (db,
                      "INSERT INTO buckets (owner, contact, created)"
                      " VALUES (?1, ?2, strftime('%Y-%m-%d %H:%M:%S', 'now'))",
                      error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, owner);
      bind_text (stmt, 2, contact != NULL ? contact : "");
      if (!step_done (db, stmt, error))
        return NULL;
    }

  stmt = prepare (db,
                  "SELECT id, created, bytes_used FROM buckets WHERE owner = ?1 ORDER BY id",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, owner);
  buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_server_bucket_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (buckets,
                       rein_server_bucket_new (sqlite3_column_int64 (stmt, 0),
                                               (const gchar *) sqlite3_column_text (stmt, 1),
                                               sqlite3_column_int64 (stmt, 2)));
    }
  done (stmt);

  return g_steal_pointer (&buckets);
}

/* ---- /nonce ---- */

static gboolean
sqlite_lookup_owner (ReinServerDb *db,
              const gchar *address,
              gchar **out_delegate,
              gchar **out_nonce,
              GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (db, "SELECT delegate, nonce FROM owners WHERE address = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, address);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_delegate != NULL)
        *out_delegate = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
      if (out_nonce != NULL)
        *out_nonce = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
      done (stmt);
      return TRUE;
    }
  done (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (db, error, "Reading owners");
  g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_USER_NOT_FOUND,
                       "User not found");
  return FALSE;
}

static gboolean
sqlite_set_owner (ReinServerDb *db,
                  const gchar *address,
                  ReinServerDbOwnerField field,
                  const gchar *value,
                  GError **error)
{
  sqlite3_stmt *stmt = prepare (db,
                                field == REIN_SERVER_DB_OWNER_NONCE
                                ? "UPDATE owners SET nonce = ?2 WHERE address = ?1"
                                : "UPDATE owners SET delegate = ?2 WHERE address = ?1",
                                error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, address);
  bind_text (stmt, 2, value);
  return step_done (db, stmt, error);
}


/* Indexes enrollment @document under @key ("enrollments" and "get_user"). */
static gboolean
insert_enrollment_key (ReinServerDb *db, const gchar *key, gboolean testnet, gint64 document,
                       GError **error)
{
  sqlite3_stmt *stmt = prepare (db,
                                "INSERT OR IGNORE INTO enrollment_keys (key_hash, testnet, document)"
                                " VALUES (?1, ?2, ?3)",
                                error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  sqlite3_bind_int (stmt, 2, testnet ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, document);
  return step_done (db, stmt, error);
}

static gint64
document_id (ReinServerDb *db, const ReinServerEntry *entry, gboolean testnet, GError **error)
{
  g_autofree gchar *literal = NULL;
  gsize literal_len = 0;
  sqlite3_stmt *stmt;
  gint64 id = 0;

  stmt = prepare (db, "SELECT id FROM documents WHERE hash = ?1 AND testnet = ?2", error);
  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, entry->hash);
  sqlite3_bind_int (stmt, 2, testnet ? 1 : 0);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  done (stmt);
  if (id != 0)
    return id;

  stmt = prepare (db,
                  "INSERT INTO documents (id, hash, testnet, type, job_id, creator, worker,"
                  " mediator, willing, value_json) VALUES (" NEXT_DOCUMENT_ID ","
                  " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                  error);
  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, entry->hash);
  sqlite3_bind_int (stmt, 2, testnet ? 1 : 0);
  bind_text (stmt, 3, rein_server_db_type_name (entry->type));
  bind_text (stmt, 4, entry->job_id);
  bind_text (stmt, 5, entry->creator);
  bind_text (stmt, 6, entry->worker);
  bind_text (stmt, 7, entry->mediator);
  sqlite3_bind_int (stmt, 8, entry->willing_to_mediate ? 1 : 0);
  /* Escaped once here rather than on every answer that carries it. */
  literal = rein_server_json_string_new (entry->value, &literal_len);
  sqlite3_bind_text (stmt, 9, literal, (int) literal_len, SQLITE_STATIC);
  if (!step_done (db, stmt, error))
    return 0;
  id = sqlite3_last_insert_rowid (SQLITE_DB (db)->handle);

  for (const gchar *const *h = (const gchar *const[]){ entry->master_key_hash,
                                                       entry->delegate_key_hash, NULL };
       entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT && *h != NULL; h++)
    if (!insert_enrollment_key (db, *h, testnet, id, error))
      return 0;
  /* and what "get_user" finds it by */
  for (guint i = 0; entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT && entry->user_keys != NULL
                    && entry->user_keys[i] != NULL; i++)
    if (!insert_enrollment_key (db, entry->user_keys[i], testnet, id, error))
      return 0;
  return id;
}

static gboolean
sqlite_store (ReinServerDb *db,
              const gchar *owner,
              const gchar *key,
              const ReinServerEntry *entry,
              gboolean testnet,
              GError **error)
{
  g_autofree gchar *old_owner = NULL;
  sqlite3_stmt *stmt;
  gint64 size, bucket = 0, old_size = 0, old_document = 0, document;
  gboolean exists = FALSE;

  size = (gint64) strlen (key) + (gint64) entry->value_len;

  stmt = prepare (db, "SELECT owner, bucket, size, document FROM kv WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      exists = TRUE;
      old_owner = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
      bucket = sqlite3_column_int64 (stmt, 1);
      old_size = sqlite3_column_int64 (stmt, 2);
      old_document = sqlite3_column_int64 (stmt, 3);
    }
  done (stmt);

  if (exists && strcmp (old_owner, owner) != 0)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_KEY_TAKEN,
                           "Key is held by another owner");
      return FALSE;
    }

  if (!exists)
    {
      stmt = prepare (db,
                      "SELECT id FROM buckets WHERE owner = ?1 AND bytes_used + ?2 <= ?3"
                      " ORDER BY id LIMIT 1",
                      error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, owner);
      sqlite3_bind_int64 (stmt, 2, size);
      sqlite3_bind_int64 (stmt, 3, REIN_SERVER_BUCKET_SIZE);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        bucket = sqlite3_column_int64 (stmt, 0);
      done (stmt);
      if (bucket == 0)
        {
          g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_NO_SPACE,
                               "Insufficient storage space.");
          return FALSE;
        }
    }

  /* A replacement counts the difference, not the sum. */
  stmt = prepare (db,
                  "UPDATE buckets SET bytes_used = bytes_used + ?2"
                  " WHERE id = ?1 AND bytes_used + ?2 <= ?3",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, bucket);
  sqlite3_bind_int64 (stmt, 2, size - old_size);
  sqlite3_bind_int64 (stmt, 3, REIN_SERVER_BUCKET_SIZE);
  if (!step_done (db, stmt, error))
    return FALSE;
  if (sqlite3_changes (SQLITE_DB (db)->handle) == 0)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_NO_SPACE,
                           "Insufficient storage space.");
      return FALSE;
    }

  document = document_id (db, entry, testnet, error);
  if (document == 0)
    return FALSE;

  if (exists)
    {
      stmt = prepare (db, "UPDATE kv SET document = ?2, size = ?3 WHERE key = ?1", error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, key);
      sqlite3_bind_int64 (stmt, 2, document);
      sqlite3_bind_int64 (stmt, 3, size);
      if (!step_done (db, stmt, error))
        return FALSE;

      if (old_document != document)
        {
          stmt = prepare (db,
                          "DELETE FROM documents WHERE id = ?1"
                          " AND NOT EXISTS (SELECT 1 FROM kv WHERE document = ?1)",
                          error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, old_document);
          if (!step_done (db, stmt, error))
            return FALSE;

          /* The document is gone: drop what points to it, and keep its id
           * from being given again (it may have been the highest). */
          if (sqlite3_changes (SQLITE_DB (db)->handle) > 0)
            {
              stmt = prepare (db, "DELETE FROM enrollment_keys WHERE document = ?1", error);
              if (stmt == NULL)
                return FALSE;
              sqlite3_bind_int64 (stmt, 1, old_document);
              if (!step_done (db, stmt, error))
                return FALSE;
              stmt = prepare (db, "UPDATE document_sequence SET last = max(last, ?1)", error);
              if (stmt == NULL)
                return FALSE;
              sqlite3_bind_int64 (stmt, 1, old_document);
              if (!step_done (db, stmt, error))
                return FALSE;
            }
        }
    }
  else
    {
      stmt = prepare (db,
                      "INSERT INTO kv (key, owner, bucket, document, size)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
                      error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, key);
      bind_text (stmt, 2, owner);
      sqlite3_bind_int64 (stmt, 3, bucket);
      sqlite3_bind_int64 (stmt, 4, document);
      sqlite3_bind_int64 (stmt, 5, size);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* ---- reads ---- */

static gchar *
sqlite_get (ReinServerDb *db, const gchar *key, GError **error)
{
  sqlite3_stmt *stmt;
  gchar *value = NULL;
  int rc;

  stmt = prepare (db,
                  "SELECT d.value_json FROM kv AS k JOIN documents AS d ON d.id = k.document"
                  " WHERE k.key = ?1",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strndup ((const gchar *) sqlite3_column_text (stmt, 0),
                       sqlite3_column_bytes (stmt, 0));
  done (stmt);

  if (value == NULL)
    {
      if (rc != SQLITE_DONE)
        set_db_error (db, error, "Reading");
      else
        g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_NOT_FOUND,
                             "Key not found.");
    }
  return value;
}

static gboolean
sqlite_has_account (ReinServerDb *db, const gchar *owner, GError **error)
{
  sqlite3_stmt *stmt;
  gboolean found;
  int rc;

  stmt = prepare (db, "SELECT 1 FROM buckets WHERE owner = ?1 LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, owner);
  rc = sqlite3_step (stmt);
  found = rc == SQLITE_ROW;
  done (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (db, error, "Reading buckets");
  return found;
}

/* The SQL of @query: ?1 testnet, ?2 limit, ?3 offset, ?4 the parameter,
 * ?5 since (ids above it only). Each answers the id and the document. */
static const gchar *
query_sql (ReinServerQuery query)
{
  switch (query)
    {
    case REIN_SERVER_QUERY_MEDIATORS:
      return "SELECT id, value_json FROM documents WHERE testnet = ?1 AND willing = 1"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_JOBS:
      return "SELECT id, value_json FROM documents WHERE testnet = ?1 AND type = 'job_posting'"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_BIDS:
      return "SELECT id, value_json FROM documents WHERE testnet = ?1 AND type = 'bid'"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_DELIVERIES:
      return "SELECT id, value_json FROM documents WHERE creator = ?4 AND testnet = ?1"
             " AND type = 'delivery' AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_IN_PROCESS:
      return "SELECT id, value_json FROM documents WHERE worker = ?4 AND testnet = ?1"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_REVIEW:
      return "SELECT id, value_json FROM documents WHERE mediator = ?4 AND testnet = ?1"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_BY_JOB_ID:
      /* The ids first (CROSS JOIN keeps that order), each looked up in the
       * job index; without it SQLite may scan a whole type instead. */
      return "SELECT d.id, d.value_json FROM (SELECT DISTINCT value AS id FROM json_each(?4)) AS j"
             " CROSS JOIN documents AS d ON d.job_id = j.id"
             " WHERE d.testnet = ?1 AND d.id > ?5 ORDER BY d.id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_DISPUTE:
      /* Per job: its deliveries, or its offers when it has no delivery. */
      return "SELECT d.id, d.value_json FROM (SELECT DISTINCT value AS id FROM json_each(?4)) AS j"
             " CROSS JOIN documents AS d ON d.job_id = j.id"
             " WHERE d.testnet = ?1 AND +d.id > ?5" /* not a reason to split the OR */
             " AND (d.type = 'delivery' OR (d.type = 'offer' AND NOT EXISTS"
             "  (SELECT 1 FROM documents AS e WHERE e.job_id = d.job_id"
             "   AND e.testnet = d.testnet AND e.type = 'delivery')))"
             " ORDER BY d.id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_ENROLLMENTS:
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM (SELECT DISTINCT value AS h FROM json_each(?4)) AS j"
             "  CROSS JOIN enrollment_keys AS k ON k.key_hash = j.h AND k.testnet = ?1)"
             " AND d.id > ?5 ORDER BY d.id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_RATINGS_OF:
      return "SELECT id, '{\"key\":\"' || hash || '\",\"value\":' || value_json || '}'"
             " FROM documents WHERE worker = ?4 AND testnet = ?1 AND type = 'rating'"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_RATINGS_BY:
      return "SELECT id, '{\"key\":\"' || hash || '\",\"value\":' || value_json || '}'"
             " FROM documents WHERE creator = ?4 AND testnet = ?1 AND type = 'rating'"
             " AND id > ?5 ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_JOB_DOCUMENTS:
      /* A range of the primary key: keyset paging over the whole table
       * (+testnet: not the testnet index, which would read every row of
       * the namespace and sort them for each page). */
      return "SELECT id, value_json FROM documents WHERE id > ?5 AND +testnet = ?1"
             " AND job_id IS NOT NULL ORDER BY id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_USER_NAME:
      /* A range of the key index (its "user:" keys), each searched. */
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM enrollment_keys AS k"
             "  WHERE k.key_hash > 'user:' AND k.key_hash < 'user;' AND k.testnet = ?1"
             "  AND instr (substr (k.key_hash, 6), ?4) > 0)"
             " AND d.id > ?5 ORDER BY d.id LIMIT ?2 OFFSET ?3";
    case REIN_SERVER_QUERY_USER_CONTACT:
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM enrollment_keys AS k"
             "  WHERE k.key_hash > 'contact:' AND k.key_hash < 'contact;' AND k.testnet = ?1"
             "  AND instr (substr (k.key_hash, 9), ?4) > 0)"
             " AND d.id > ?5 ORDER BY d.id LIMIT ?2 OFFSET ?3";
    default:
      g_assert_not_reached ();
    }
}

/* The highest document id given so far (0: none). */
static gboolean
sqlite_latest_id (ReinServerDb *db, gint64 *out_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (db,
                  "SELECT max(coalesce((SELECT max(id) FROM documents), 0),"
                  " (SELECT last FROM document_sequence))",
                  error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *out_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  done (stmt);
  if (rc != SQLITE_ROW)
    return set_db_error (db, error, "Reading the latest document");
  return TRUE;
}

static GPtrArray *
sqlite_query (ReinServerDb *db,
              ReinServerQuery query,
              gboolean testnet,
              const gchar *param,
              const gchar *const *job_ids,
              guint limit,
              guint offset,
              gint64 since,
              gint64 *out_cursor,
              GError **error)
{
  g_autoptr (GPtrArray) values = NULL;
  g_autofree gchar *lowered = NULL;
  g_autofree gchar *ids_json = NULL;
  sqlite3_stmt *stmt;
  gint64 latest, last = since;
  int rc;

  /* Read first: ids grow in commit order, so every document up to it is
   * committed and the query below sees it. */
  if (!sqlite_latest_id (db, &latest, error))
    return NULL;
  stmt = prepare (db, query_sql (query), error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, testnet ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);
  sqlite3_bind_int64 (stmt, 5, since);
  switch (query)
    {
    case REIN_SERVER_QUERY_DELIVERIES:
    case REIN_SERVER_QUERY_IN_PROCESS:
    case REIN_SERVER_QUERY_REVIEW:
    case REIN_SERVER_QUERY_RATINGS_OF:
    case REIN_SERVER_QUERY_RATINGS_BY:
      lowered = g_ascii_strdown (param != NULL ? param : "", -1);
      bind_text (stmt, 4, lowered);
      break;
    case REIN_SERVER_QUERY_BY_JOB_ID:
    case REIN_SERVER_QUERY_DISPUTE:
    case REIN_SERVER_QUERY_ENROLLMENTS:
      {
        g_autoptr (JsonArray) array = json_array_new ();
        g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);

        for (guint i = 0; job_ids != NULL && job_ids[i] != NULL; i++)
          json_array_add_string_element (array, job_ids[i]);
        json_node_set_array (node, array);
        ids_json = json_to_string (node, FALSE);
        bind_text (stmt, 4, ids_json);
      }
      break;
    case REIN_SERVER_QUERY_USER_NAME:
    case REIN_SERVER_QUERY_USER_CONTACT:
      /* lowercased already (rein_server_user_key()), and not only ASCII */
      bind_text (stmt, 4, param != NULL ? param : "");
      break;
    case REIN_SERVER_QUERY_MEDIATORS:
    case REIN_SERVER_QUERY_JOBS:
    case REIN_SERVER_QUERY_BIDS:
    case REIN_SERVER_QUERY_JOB_DOCUMENTS:
    default:
      break;
    }

  values = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      last = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (values, g_strndup ((const gchar *) sqlite3_column_text (stmt, 1),
                                          sqlite3_column_bytes (stmt, 1)));
    }
  done (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (db, error, "Querying");
      return NULL;
    }
  *out_cursor = rein_server_db_next_cursor (values->len, limit, last, latest);
  return g_steal_pointer (&values);
}

static gchar *
sqlite_explain (ReinServerDb *db, ReinServerQuery query, GError **error)
{
  g_autofree gchar *sql = g_strconcat ("EXPLAIN QUERY PLAN ", query_sql (query), NULL);
  g_autoptr (GString) plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (SQLITE_DB (db)->handle, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (db, error, "Explaining");
      return NULL;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const gchar *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static gint64
sqlite_count_keys (ReinServerDb *db, GError **error)
{
  sqlite3_stmt *stmt = prepare (db, "SELECT count(*) FROM kv", error);
  gint64 count = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  else
    set_db_error (db, error, "Counting");
  done (stmt);
  return count;
}

/* Runs PRAGMA @pragma (integrity_check or quick_check): TRUE when it
 * answers "ok"; otherwise its first answers (or SQLite's error) in @error. */
static gboolean
run_check (ReinServerDb *db, const gchar *pragma, GError **error)
{
  g_autofree gchar *sql = g_strdup_printf ("PRAGMA %s(5)", pragma);
  g_autoptr (GString) answer = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (SQLITE_DB (db)->handle, sql, -1, &stmt, NULL) != SQLITE_OK)
    return set_db_error (db, error, pragma);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (answer->len > 0)
        g_string_append (answer, "; ");
      g_string_append (answer, (const gchar *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (db, error, pragma);
  if (strcmp (answer->str, "ok") != 0)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "%s: %s", pragma, answer->len > 0 ? answer->str : "no answer");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_check (ReinServerDb *db, gboolean quick, GError **error)
{
  return run_check (db, quick ? "quick_check" : "integrity_check", error);
}

static const ReinServerDbOps sqlite_ops = {
  .close = sqlite_close,
  .transaction = sqlite_transaction,
  .lookup_owner = sqlite_lookup_owner,
  .set_owner = sqlite_set_owner,
  .request_bucket = sqlite_request_bucket,
  .store = sqlite_store,
  .get = sqlite_get,
  .has_account = sqlite_has_account,
  .query = sqlite_query,
  .explain = sqlite_explain,
  .count_keys = sqlite_count_keys,
  .check = sqlite_check,
};

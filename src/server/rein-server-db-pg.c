/* rein-server-db-pg.c: rein-server's PostgreSQL store (libpq)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same tables as the SQLite store, so the same answers. Several
 * rein-server processes may share one database:
 *
 * - Writes: every write transaction starts by taking one transaction-level
 *   advisory lock (pg_advisory_xact_lock), so writers take turns across
 *   processes exactly as SQLite's BEGIN IMMEDIATE makes them take turns
 *   within one. Each process's writer thread still groups everything
 *   queued into one transaction (one lock, one commit, one WAL flush), so
 *   the lock is taken once per batch, not once per put. This keeps every
 *   rule that spans rows correct without retries: a nonce is read and
 *   cleared by one writer at a time, a bucket's accounting and its
 *   "fewer than four buckets" check see every earlier commit, two puts of
 *   one key (or of two keys sharing a document, which is dropped when no
 *   key points at it any more) cannot interleave, and document ids are
 *   handed out in commit order, so that paging by offset over "oldest
 *   first" never skips a document committed later with a smaller id.
 *   Reads take no lock: each is one statement on its own snapshot.
 * - Statements are sent with PQexecParams (parameters always bound, the
 *   unnamed statement of the extended protocol), never prepared by name and
 *   never with session state, so that pgbouncer in transaction mode works.
 * - A put is answered once COMMIT has returned, that is once PostgreSQL
 *   has flushed its WAL: each write transaction sets synchronous_commit
 *   on for itself (SET LOCAL), whatever the role's or database's default.
 */
#include "rein-server-db-private.h"

#include <libpq-fe.h>
#include <string.h>

#include "rein-server-json.h"

/* The schema's versions; each migration brings the one before it up by
 * one, in one transaction. */
static const gchar *const migrations[] = {
  /* 1: the SQLite store's schema 3. Identity ids grow in commit order
   * (writers take turns, see above). Keys and hashes compare bytewise. */
  "CREATE TABLE owners ("
  "  address text COLLATE \"C\" PRIMARY KEY,"
  "  delegate text NOT NULL,"
  "  nonce text NOT NULL DEFAULT '',"
  "  created text NOT NULL"
  ");"
  "CREATE TABLE buckets ("
  "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  owner text COLLATE \"C\" NOT NULL,"
  "  contact text NOT NULL DEFAULT '',"
  "  created text NOT NULL,"
  "  bytes_used bigint NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX buckets_by_owner ON buckets (owner, id);"
  "CREATE TABLE documents ("
  "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  hash text COLLATE \"C\" NOT NULL,"
  "  testnet integer NOT NULL,"
  "  type text COLLATE \"C\" NOT NULL,"
  "  job_id text COLLATE \"C\","
  "  creator text COLLATE \"C\","
  "  worker text COLLATE \"C\","
  "  mediator text COLLATE \"C\","
  "  willing integer NOT NULL DEFAULT 0,"
  "  value_json text NOT NULL,"
  "  UNIQUE (hash, testnet)"
  ");"
  "CREATE INDEX documents_by_type ON documents (testnet, type, id);"
  "CREATE INDEX documents_mediators ON documents (testnet, id) WHERE willing = 1;"
  "CREATE INDEX documents_by_job ON documents (job_id, testnet, type)"
  "  WHERE job_id IS NOT NULL;"
  "CREATE INDEX documents_by_creator ON documents (creator, testnet, type, id)"
  "  WHERE creator IS NOT NULL;"
  "CREATE INDEX documents_by_worker ON documents (worker, testnet, id)"
  "  WHERE worker IS NOT NULL;"
  "CREATE INDEX documents_by_mediator ON documents (mediator, testnet, id)"
  "  WHERE mediator IS NOT NULL;"
  "CREATE TABLE kv ("
  "  key text COLLATE \"C\" PRIMARY KEY,"
  "  owner text COLLATE \"C\" NOT NULL,"
  "  bucket bigint NOT NULL,"
  "  document bigint NOT NULL,"
  "  size bigint NOT NULL"
  ");"
  "CREATE INDEX kv_by_document ON kv (document);"
  "CREATE TABLE enrollment_keys ("
  "  key_hash text COLLATE \"C\" NOT NULL,"
  "  testnet integer NOT NULL,"
  "  document bigint NOT NULL,"
  "  PRIMARY KEY (key_hash, testnet, document)"
  ");"
  "CREATE INDEX enrollment_keys_by_document ON enrollment_keys (document);",

  /* 2: a put's storage in one round trip instead of seven: the SQLite
   * store's rein_server_db_store() step by step. Returns 0 (stored), 1 (the
   * key is another owner's) or 2 (no room). */
  "CREATE FUNCTION rein_store (p_owner text, p_key text, p_size bigint, p_bucket_size bigint,"
  "  p_hash text, p_testnet integer, p_type text, p_job_id text, p_creator text,"
  "  p_worker text, p_mediator text, p_willing integer, p_value_json text,"
  "  p_master_hash text, p_delegate_hash text) RETURNS integer LANGUAGE plpgsql AS $$"
  "DECLARE"
  "  old kv%ROWTYPE;"
  "  exists boolean;"
  "  v_bucket bigint;"
  "  v_document bigint;"
  "BEGIN"
  "  SELECT * INTO old FROM kv WHERE key = p_key;"
  "  exists := FOUND;"
  "  IF exists THEN"
  "    IF old.owner <> p_owner THEN RETURN 1; END IF;"
  "    v_bucket := old.bucket;"
  "  ELSE"
  "    SELECT id INTO v_bucket FROM buckets"
  "      WHERE owner = p_owner AND bytes_used + p_size <= p_bucket_size ORDER BY id LIMIT 1;"
  "    IF NOT FOUND THEN RETURN 2; END IF;"
  "    old.size := 0;"
  "  END IF;"
  /* A replacement counts the difference, not the sum. */
  "  UPDATE buckets SET bytes_used = bytes_used + (p_size - old.size)"
  "    WHERE id = v_bucket AND bytes_used + (p_size - old.size) <= p_bucket_size;"
  "  IF NOT FOUND THEN RETURN 2; END IF;"
  "  SELECT id INTO v_document FROM documents WHERE hash = p_hash AND testnet = p_testnet;"
  "  IF NOT FOUND THEN"
  "    INSERT INTO documents (hash, testnet, type, job_id, creator, worker, mediator, willing,"
  "      value_json) VALUES (p_hash, p_testnet, p_type, p_job_id, p_creator, p_worker,"
  "      p_mediator, p_willing, p_value_json) RETURNING id INTO v_document;"
  "    INSERT INTO enrollment_keys (key_hash, testnet, document)"
  "      SELECT h, p_testnet, v_document FROM unnest (ARRAY[p_master_hash, p_delegate_hash]) AS h"
  "      WHERE h IS NOT NULL ON CONFLICT DO NOTHING;"
  "  END IF;"
  "  IF NOT exists THEN"
  "    INSERT INTO kv (key, owner, bucket, document, size)"
  "      VALUES (p_key, p_owner, v_bucket, v_document, p_size);"
  "  ELSE"
  "    UPDATE kv SET document = v_document, size = p_size WHERE key = p_key;"
  /* A document no key points at goes, with what points to it. */
  "    IF old.document <> v_document THEN"
  "      DELETE FROM documents WHERE id = old.document"
  "        AND NOT EXISTS (SELECT 1 FROM kv WHERE document = old.document);"
  "      IF FOUND THEN DELETE FROM enrollment_keys WHERE document = old.document; END IF;"
  "    END IF;"
  "  END IF;"
  "  RETURN 0;"
  "END $$;",

  /* 3: enrollment_keys also holds what "get_user" finds enrollments by:
   * "sin:", "user:" and "contact:" keys. Those stored before are indexed
   * by index_user_keys() once this has run. */
  "COMMENT ON TABLE enrollment_keys IS"
  " 'enrollments by key hash of their addresses, and by SIN, name and contact';",
};

/* The migration after which index_user_keys() runs. */
#define USER_KEYS_MIGRATION 3

#define SCHEMA_VERSION ((gint) G_N_ELEMENTS (migrations))

/* pg_advisory_xact_lock keys: "Rein" for writes, "ReiM" for migrations. */
#define WRITE_LOCK "1382377838"
#define MIGRATE_LOCK "1382377805"

/* A stored timestamp, as the SQLite store writes it. */
#define NOW_UTC "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"

typedef struct
{
  ReinServerDb parent;
  PGconn *conn;
  gchar *display_name; /* the URI without its password */
  gboolean in_transaction;
} PgDb;

#define PG_DB(db) ((PgDb *) (db))

static const ReinServerDbOps pg_ops;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static gboolean
set_pg_error (PgDb *db, const PGresult *result, GError **error, const gchar *what)
{
  const gchar *message = result != NULL ? PQresultErrorMessage (result) : "";

  if (message == NULL || *message == '\0')
    message = PQerrorMessage (db->conn);
  g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
               "%s: %s", what, message != NULL && *message != '\0' ? message : "no answer");
  /* libpq's messages end with a newline. */
  if (error != NULL && *error != NULL)
    g_strchomp ((*error)->message);
  return FALSE;
}

/* Runs @sql with @n_params text parameters (NULL is SQL NULL) and returns
 * its result when it succeeded, or NULL with @error. */
static PGresult *
run (PgDb *db,
     const gchar *sql,
     gint n_params,
     const gchar *const *params,
     const gchar *what,
     GError **error)
{
  PGresult *result;
  ExecStatusType status;

  /* A connection lost between transactions (the database restarted, a
   * pooler recycled it, an administrator ended it) is opened again and the
   * statement sent once more: outside a transaction it did nothing. Inside
   * one, the transaction is lost anyway and fails; the next begins anew. */
  if (PQstatus (db->conn) == CONNECTION_BAD && !db->in_transaction)
    PQreset (db->conn);
  result = PQexecParams (db->conn, sql, n_params, NULL, params, NULL, NULL, 0);
  if (PQstatus (db->conn) == CONNECTION_BAD && !db->in_transaction)
    {
      PQclear (result);
      PQreset (db->conn);
      result = PQexecParams (db->conn, sql, n_params, NULL, params, NULL, NULL, 0);
    }
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_pg_error (db, result, error, what);
      PQclear (result);
      return NULL;
    }
  return result;
}

/* Runs a statement whose rows do not matter. */
static gboolean
run_done (PgDb *db, const gchar *sql, gint n_params, const gchar *const *params, GError **error)
{
  g_autoptr (PGresult) result = run (db, sql, n_params, params, "Writing", error);

  return result != NULL;
}

/* The first column of the first row as a number, or 0 when there is none. */
static gint64
first_int (const PGresult *result)
{
  if (PQntuples (result) < 1 || PQgetisnull (result, 0, 0))
    return 0;
  return g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
}

static gint
schema_version (PgDb *db, GError **error)
{
  g_autoptr (PGresult) exists = NULL;
  g_autoptr (PGresult) version = NULL;

  exists = run (db, "SELECT to_regclass('rein_schema') IS NOT NULL", 0, NULL,
                "Reading the schema version", error);
  if (exists == NULL)
    return -1;
  if (strcmp (PQgetvalue (exists, 0, 0), "t") != 0)
    return 0;
  version = run (db, "SELECT max(version) FROM rein_schema", 0, NULL,
                 "Reading the schema version", error);
  if (version == NULL)
    return -1;
  return (gint) first_int (version);
}

static gchar *array_literal (const gchar *const *values);

/* Enrollments stored before migration 3, indexed by what "get_user" finds
 * them by (their SIN, name and contact). */
static gboolean
index_user_keys (PgDb *db, GError **error)
{
  g_autoptr (PGresult) enrollments = run (db,
                                          "SELECT id, testnet, value_json FROM documents"
                                          " WHERE type = 'enrollment'",
                                          0, NULL, "Indexing the enrollments", error);

  if (enrollments == NULL)
    return FALSE;
  for (gint i = 0; i < PQntuples (enrollments); i++)
    {
      g_auto (GStrv) keys = rein_server_db_user_keys_of_stored (PQgetvalue (enrollments, i, 2));
      g_autofree gchar *literal = NULL;
      g_autoptr (PGresult) done = NULL;

      if (keys == NULL || keys[0] == NULL)
        continue;
      literal = array_literal ((const gchar *const *) keys);
      done = run (db,
                  "INSERT INTO enrollment_keys (key_hash, testnet, document)"
                  " SELECT k, $2::integer, $3::bigint FROM unnest ($1::text[]) AS k"
                  " ON CONFLICT DO NOTHING",
                  3,
                  (const gchar *const[]){ literal, PQgetvalue (enrollments, i, 1),
                                          PQgetvalue (enrollments, i, 0) },
                  "Indexing the enrollments", error);
      if (done == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (PgDb *db, GError **error)
{
  gint version;

  /* Processes starting together take turns; the second finds the schema
   * done. */
  if (!run_done (db, "BEGIN", 0, NULL, error)
      || !run_done (db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", 0, NULL, error))
    goto fail;
  if (!run_done (db, "CREATE TABLE IF NOT EXISTS rein_schema (version integer NOT NULL)",
                 0, NULL, error))
    goto fail;
  version = schema_version (db, error);
  if (version < 0)
    goto fail;
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "Database schema %d is newer than this server (%d)",
                   version, SCHEMA_VERSION);
      goto fail;
    }
  for (gint next = version + 1; next <= SCHEMA_VERSION; next++)
    {
      g_autofree gchar *number = g_strdup_printf ("%d", next);
      g_autoptr (PGresult) result = NULL;

      /* Several statements, no parameters: the simple protocol. */
      result = PQexec (db->conn, migrations[next - 1]);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          set_pg_error (db, result, error, "Migrating the schema");
          goto fail;
        }
      if (next == USER_KEYS_MIGRATION && !index_user_keys (db, error))
        goto fail;
      if (!run_done (db, "INSERT INTO rein_schema (version) VALUES ($1)",
                     1, (const gchar *const[]){ number }, error))
        goto fail;
    }
  return run_done (db, "COMMIT", 0, NULL, error);

fail:
  PQclear (PQexec (db->conn, "ROLLBACK"));
  return FALSE;
}

static void
ignore_notice (void *data, const char *message)
{
}

ReinServerDb *
rein_server_db_pg_open (const gchar *uri, gboolean writable, GError **error)
{
  /* The URI's own settings win over the application name; the encoding is
   * always UTF-8 (documents are stored as the JSON literals they are
   * answered with). */
  static const gchar *const keywords[] = {
    "application_name", "connect_timeout", "dbname", "client_encoding", NULL
  };
  const gchar *values[] = { "rein-server", "10", uri, "UTF8", NULL };
  PgDb *db;

  g_return_val_if_fail (uri != NULL, NULL);

  db = g_new0 (PgDb, 1);
  db->parent.ops = &pg_ops;
  db->display_name = rein_server_db_display_name (uri);
  db->conn = PQconnectdbParams (keywords, values, 1);
  if (db->conn == NULL || PQstatus (db->conn) != CONNECTION_OK)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "Cannot connect to %s: %s", db->display_name,
                   db->conn != NULL ? PQerrorMessage (db->conn) : "out of memory");
      g_strchomp ((*error)->message);
      pg_ops.close ((ReinServerDb *) db);
      return NULL;
    }

  /* Notices ("already exists, skipping") are not for the server's log. */
  PQsetNoticeProcessor (db->conn, ignore_notice, NULL);

  if (writable && !migrate (db, error))
    {
      g_prefix_error (error, "%s: ", db->display_name);
      pg_ops.close ((ReinServerDb *) db);
      return NULL;
    }
  return (ReinServerDb *) db;
}

static void
pg_close (ReinServerDb *base)
{
  PgDb *db = PG_DB (base);

  if (db->conn != NULL)
    PQfinish (db->conn);
  g_free (db->display_name);
  g_free (db);
}

static gboolean
pg_transaction (ReinServerDb *base, ReinServerDbStep step, GError **error)
{
  PgDb *db = PG_DB (base);
  gboolean ok;

  switch (step)
    {
    case REIN_SERVER_DB_BEGIN:
      /* See the top of this file: writers take turns across processes. */
      if (!run_done (db, "BEGIN", 0, NULL, error))
        return FALSE;
      db->in_transaction = TRUE;
      /* And a put is answered only once its commit is flushed, whatever
       * the role, the database or a pooler's connection say by default:
       * synchronous_commit on for this transaction only (SET LOCAL, which
       * pgbouncer's transaction mode keeps to the transaction), in the
       * lock's round trip. */
      if (!run_done (db,
                     "SELECT set_config('synchronous_commit', 'on', true),"
                     " pg_advisory_xact_lock(" WRITE_LOCK ")",
                     0, NULL, error))
        {
          pg_transaction (base, REIN_SERVER_DB_ROLLBACK, NULL);
          return FALSE;
        }
      return TRUE;
    case REIN_SERVER_DB_COMMIT:
      ok = run_done (db, "COMMIT", 0, NULL, error);
      db->in_transaction = FALSE;
      return ok;
    case REIN_SERVER_DB_ROLLBACK:
      if (db->in_transaction && PQstatus (db->conn) == CONNECTION_OK)
        PQclear (PQexec (db->conn, "ROLLBACK"));
      db->in_transaction = FALSE;
      return TRUE;
    case REIN_SERVER_DB_SAVEPOINT:
      return run_done (db, "SAVEPOINT request", 0, NULL, error);
    case REIN_SERVER_DB_ROLL_BACK_TO:
      run_done (db, "ROLLBACK TO SAVEPOINT request", 0, NULL, NULL);
      return run_done (db, "RELEASE SAVEPOINT request", 0, NULL, error);
    case REIN_SERVER_DB_RELEASE:
    default:
      return run_done (db, "RELEASE SAVEPOINT request", 0, NULL, error);
    }
}

/* ---- owners and buckets ---- */

static GPtrArray *
pg_request_bucket (ReinServerDb *base,
                   const gchar *owner,
                   const gchar *delegate,
                   const gchar *contact,
                   gboolean *out_granted,
                   GError **error)
{
  PgDb *db = PG_DB (base);
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (PGresult) count = NULL;
  g_autoptr (PGresult) rows = NULL;

  if (!run_done (db,
                 "INSERT INTO owners (address, delegate, created) VALUES ($1, $2, " NOW_UTC ")"
                 " ON CONFLICT (address) DO NOTHING",
                 2, (const gchar *const[]){ owner, delegate }, error))
    return NULL;

  count = run (db, "SELECT count(*) FROM buckets WHERE owner = $1",
               1, (const gchar *const[]){ owner }, "Reading buckets", error);
  if (count == NULL)
    return NULL;
  *out_granted = first_int (count) < REIN_SERVER_MAX_BUCKETS;
  if (*out_granted
      && !run_done (db,
                    "INSERT INTO buckets (owner, contact, created) VALUES ($1, $2, " NOW_UTC ")",
                    2, (const gchar *const[]){ owner, contact != NULL ? contact : "" }, error))
    return NULL;

  rows = run (db, "SELECT id, created, bytes_used FROM buckets WHERE owner = $1 ORDER BY id",
              1, (const gchar *const[]){ owner }, "Reading buckets", error);
  if (rows == NULL)
    return NULL;
  buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_server_bucket_free);
  for (gint i = 0; i < PQntuples (rows); i++)
    g_ptr_array_add (buckets,
                     rein_server_bucket_new (g_ascii_strtoll (PQgetvalue (rows, i, 0), NULL, 10),
                                             PQgetvalue (rows, i, 1),
                                             g_ascii_strtoll (PQgetvalue (rows, i, 2), NULL, 10)));
  return g_steal_pointer (&buckets);
}

static gboolean
pg_lookup_owner (ReinServerDb *base,
                 const gchar *address,
                 gchar **out_delegate,
                 gchar **out_nonce,
                 GError **error)
{
  g_autoptr (PGresult) result = NULL;

  result = run (PG_DB (base), "SELECT delegate, nonce FROM owners WHERE address = $1",
                1, (const gchar *const[]){ address }, "Reading owners", error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) < 1)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_USER_NOT_FOUND,
                           "User not found");
      return FALSE;
    }
  if (out_delegate != NULL)
    *out_delegate = g_strdup (PQgetvalue (result, 0, 0));
  if (out_nonce != NULL)
    *out_nonce = g_strdup (PQgetvalue (result, 0, 1));
  return TRUE;
}

static gboolean
pg_set_owner (ReinServerDb *base,
              const gchar *address,
              ReinServerDbOwnerField field,
              const gchar *value,
              GError **error)
{
  return run_done (PG_DB (base),
                   field == REIN_SERVER_DB_OWNER_NONCE
                   ? "UPDATE owners SET nonce = $2 WHERE address = $1"
                   : "UPDATE owners SET delegate = $2 WHERE address = $1",
                   2, (const gchar *const[]){ address, value }, error);
}

/* ---- /put ---- */

/* What "get_user" finds enrollment @entry by (rein_store() indexes its
 * addresses): a statement of its own, for enrollments only. */
static gboolean
pg_store_user_keys (PgDb *db, const ReinServerEntry *entry, gboolean testnet, GError **error)
{
  g_autofree gchar *keys = array_literal ((const gchar *const *) entry->user_keys);
  g_autoptr (PGresult) result = NULL;

  if (entry->user_keys == NULL || entry->user_keys[0] == NULL)
    return TRUE;
  result = run (db,
                "INSERT INTO enrollment_keys (key_hash, testnet, document)"
                " SELECT k, d.testnet, d.id FROM documents AS d, unnest ($3::text[]) AS k"
                " WHERE d.hash = $1 AND d.testnet = $2::integer ON CONFLICT DO NOTHING",
                3, (const gchar *const[]){ entry->hash, testnet ? "1" : "0", keys },
                "Writing", error);
  return result != NULL;
}

static gboolean
pg_store (ReinServerDb *base,
          const gchar *owner,
          const gchar *key,
          const ReinServerEntry *entry,
          gboolean testnet,
          GError **error)
{
  gboolean enrollment = entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT;
  g_autofree gchar *size = g_strdup_printf ("%" G_GSIZE_FORMAT, strlen (key) + entry->value_len);
  /* Escaped once here rather than on every answer that carries it. */
  g_autofree gchar *literal = rein_server_json_string_new (entry->value, NULL);
  g_autoptr (PGresult) result = NULL;

  result = run (PG_DB (base),
                "SELECT rein_store ($1, $2, $3::bigint, "
                G_STRINGIFY (REIN_SERVER_BUCKET_SIZE) ", $4, $5::integer, $6, $7, $8, $9, $10,"
                " $11::integer, $12, $13, $14)",
                14,
                (const gchar *const[]){ owner, key, size, entry->hash, testnet ? "1" : "0",
                                        rein_server_db_type_name (entry->type), entry->job_id,
                                        entry->creator, entry->worker, entry->mediator,
                                        entry->willing_to_mediate ? "1" : "0", literal,
                                        enrollment ? entry->master_key_hash : NULL,
                                        enrollment ? entry->delegate_key_hash : NULL },
                "Writing", error);
  if (result == NULL)
    return FALSE;
  switch (first_int (result))
    {
    case 0:
      return !enrollment || pg_store_user_keys (PG_DB (base), entry, testnet, error);
    case 1:
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_KEY_TAKEN,
                           "Key is held by another owner");
      return FALSE;
    default:
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_NO_SPACE,
                           "Insufficient storage space.");
      return FALSE;
    }
}

/* ---- reads ---- */

static gchar *
pg_get (ReinServerDb *base, const gchar *key, GError **error)
{
  g_autoptr (PGresult) result = NULL;

  result = run (PG_DB (base),
                "SELECT d.value_json FROM kv AS k JOIN documents AS d ON d.id = k.document"
                " WHERE k.key = $1",
                1, (const gchar *const[]){ key }, "Reading", error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) < 1)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_NOT_FOUND,
                           "Key not found.");
      return NULL;
    }
  return g_strndup (PQgetvalue (result, 0, 0), (gsize) PQgetlength (result, 0, 0));
}

static gboolean
pg_has_account (ReinServerDb *base, const gchar *owner, GError **error)
{
  g_autoptr (PGresult) result = NULL;

  result = run (PG_DB (base), "SELECT 1 FROM buckets WHERE owner = $1 LIMIT 1",
                1, (const gchar *const[]){ owner }, "Reading buckets", error);
  return result != NULL && PQntuples (result) > 0;
}

/* The SQL of @query: $1 testnet, $2 limit, $3 offset, $4 since (ids above
 * it only), $5 the parameter (a public key, or an array of job ids or key
 * hashes). Every one is an index lookup in id order, answering the id and
 * the document. */
static const gchar *
query_sql (ReinServerQuery query, gint *out_n_params)
{
  *out_n_params = 5;
  switch (query)
    {
    case REIN_SERVER_QUERY_MEDIATORS:
      *out_n_params = 4;
      return "SELECT id, value_json FROM documents WHERE testnet = $1 AND willing = 1"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_JOBS:
      *out_n_params = 4;
      return "SELECT id, value_json FROM documents WHERE testnet = $1 AND type = 'job_posting'"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_BIDS:
      *out_n_params = 4;
      return "SELECT id, value_json FROM documents WHERE testnet = $1 AND type = 'bid'"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_DELIVERIES:
      return "SELECT id, value_json FROM documents WHERE creator = $5 AND testnet = $1"
             " AND type = 'delivery' AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_IN_PROCESS:
      return "SELECT id, value_json FROM documents WHERE worker = $5 AND testnet = $1"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_REVIEW:
      return "SELECT id, value_json FROM documents WHERE mediator = $5 AND testnet = $1"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_BY_JOB_ID:
      return "SELECT id, value_json FROM documents WHERE job_id = ANY ($5::text[])"
             " AND testnet = $1 AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_DISPUTE:
      /* Per job: its deliveries, or its offers when it has no delivery. */
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.job_id = ANY ($5::text[])"
             " AND d.testnet = $1 AND d.id > $4"
             " AND (d.type = 'delivery' OR (d.type = 'offer' AND NOT EXISTS"
             "  (SELECT 1 FROM documents AS e WHERE e.job_id = d.job_id"
             "   AND e.testnet = d.testnet AND e.type = 'delivery')))"
             " ORDER BY d.id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_ENROLLMENTS:
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM enrollment_keys AS k"
             "  WHERE k.key_hash = ANY ($5::text[]) AND k.testnet = $1)"
             " AND d.id > $4 ORDER BY d.id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_RATINGS_OF:
      return "SELECT id, '{\"key\":\"' || hash || '\",\"value\":' || value_json || '}'"
             " FROM documents WHERE worker = $5 AND testnet = $1 AND type = 'rating'"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_RATINGS_BY:
      return "SELECT id, '{\"key\":\"' || hash || '\",\"value\":' || value_json || '}'"
             " FROM documents WHERE creator = $5 AND testnet = $1 AND type = 'rating'"
             " AND id > $4 ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_JOB_DOCUMENTS:
      /* A range of the primary key: keyset paging over the whole table. */
      *out_n_params = 4;
      return "SELECT id, value_json FROM documents WHERE id > $4 AND testnet = $1"
             " AND job_id IS NOT NULL ORDER BY id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_USER_NAME:
      /* A range of the key index (its "user:" keys), each searched. */
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM enrollment_keys AS k"
             "  WHERE k.key_hash > 'user:' AND k.key_hash < 'user;' AND k.testnet = $1"
             "  AND strpos (substr (k.key_hash, 6), $5) > 0)"
             " AND d.id > $4 ORDER BY d.id LIMIT $2 OFFSET $3";
    case REIN_SERVER_QUERY_USER_CONTACT:
      return "SELECT d.id, d.value_json FROM documents AS d WHERE d.id IN"
             " (SELECT k.document FROM enrollment_keys AS k"
             "  WHERE k.key_hash > 'contact:' AND k.key_hash < 'contact;' AND k.testnet = $1"
             "  AND strpos (substr (k.key_hash, 9), $5) > 0)"
             " AND d.id > $4 ORDER BY d.id LIMIT $2 OFFSET $3";
    default:
      g_assert_not_reached ();
    }
}

/* A text[] literal: {"a","b"}, each element quoted. */
static gchar *
array_literal (const gchar *const *values)
{
  GString *literal = g_string_new ("{");

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (literal, ',');
      g_string_append_c (literal, '"');
      for (const gchar *c = values[i]; *c != '\0'; c++)
        {
          if (*c == '"' || *c == '\\')
            g_string_append_c (literal, '\\');
          g_string_append_c (literal, *c);
        }
      g_string_append_c (literal, '"');
    }
  g_string_append_c (literal, '}');
  return g_string_free (literal, FALSE);
}

static GPtrArray *
pg_query (ReinServerDb *base,
          ReinServerQuery query,
          gboolean testnet,
          const gchar *param,
          const gchar *const *values,
          guint limit,
          guint offset,
          gint64 since,
          gint64 *out_cursor,
          GError **error)
{
  g_autoptr (PGresult) latest = NULL;
  g_autoptr (PGresult) result = NULL;
  g_autoptr (GPtrArray) answers = NULL;
  g_autofree gchar *limit_text = g_strdup_printf ("%u", limit);
  g_autofree gchar *offset_text = g_strdup_printf ("%u", offset);
  g_autofree gchar *since_text = g_strdup_printf ("%" G_GINT64_FORMAT, since);
  g_autofree gchar *fifth = NULL;
  gint64 last = since;
  const gchar *sql;
  gint n_params;

  sql = query_sql (query, &n_params);
  switch (query)
    {
    case REIN_SERVER_QUERY_BY_JOB_ID:
    case REIN_SERVER_QUERY_DISPUTE:
    case REIN_SERVER_QUERY_ENROLLMENTS:
      fifth = array_literal (values);
      break;
    case REIN_SERVER_QUERY_USER_NAME:
    case REIN_SERVER_QUERY_USER_CONTACT:
      /* lowercased already (rein_server_user_key()), and not only ASCII */
      fifth = g_strdup (param != NULL ? param : "");
      break;
    case REIN_SERVER_QUERY_DELIVERIES:
    case REIN_SERVER_QUERY_IN_PROCESS:
    case REIN_SERVER_QUERY_REVIEW:
    case REIN_SERVER_QUERY_MEDIATORS:
    case REIN_SERVER_QUERY_JOBS:
    case REIN_SERVER_QUERY_BIDS:
    case REIN_SERVER_QUERY_JOB_DOCUMENTS:
    default:
      fifth = g_ascii_strdown (param != NULL ? param : "", -1);
      break;
    }

  /* Read first, in a statement of its own: ids grow in commit order (one
   * writer at a time, under the advisory lock), so every document up to it
   * is committed and the query's later snapshot sees it. */
  latest = run (PG_DB (base), "SELECT coalesce(max(id), 0) FROM documents", 0, NULL,
                "Querying", error);
  if (latest == NULL)
    return NULL;
  result = run (PG_DB (base), sql, n_params,
                (const gchar *const[]){ testnet ? "1" : "0", limit_text, offset_text,
                                        since_text, fifth },
                "Querying", error);
  if (result == NULL)
    return NULL;
  answers = g_ptr_array_new_full ((guint) PQntuples (result), g_free);
  for (gint i = 0; i < PQntuples (result); i++)
    {
      last = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      g_ptr_array_add (answers, g_strndup (PQgetvalue (result, i, 1),
                                           (gsize) PQgetlength (result, i, 1)));
    }
  *out_cursor = rein_server_db_next_cursor (answers->len, limit, last, first_int (latest));
  return g_steal_pointer (&answers);
}

static gchar *
pg_explain (ReinServerDb *base, ReinServerQuery query, GError **error)
{
  g_autoptr (PGresult) result = NULL;
  g_autoptr (GString) plan = g_string_new (NULL);
  g_autofree gchar *sql = NULL;
  gint n_params;

  sql = g_strconcat ("EXPLAIN ", query_sql (query, &n_params), NULL);
  result = run (PG_DB (base), sql, n_params,
                (const gchar *const[]){ "0", "100", "0", "0",
                                        n_params > 4 && query >= REIN_SERVER_QUERY_BY_JOB_ID
                                            && query <= REIN_SERVER_QUERY_ENROLLMENTS
                                        ? "{a}" : "a" },
                "Explaining", error);
  if (result == NULL)
    return NULL;
  for (gint i = 0; i < PQntuples (result); i++)
    g_string_append_printf (plan, "%s\n", PQgetvalue (result, i, 0));
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static gint64
pg_count_keys (ReinServerDb *base, GError **error)
{
  g_autoptr (PGresult) result = run (PG_DB (base), "SELECT count(*) FROM kv", 0, NULL,
                                     "Counting", error);

  return result != NULL ? first_int (result) : -1;
}

/* PostgreSQL checks its own pages (data checksums, amcheck for indexes);
 * what this server checks is that the schema is its own. */
static gboolean
pg_check (ReinServerDb *base, gboolean quick, GError **error)
{
  gint version = schema_version (PG_DB (base), error);

  if (version < 0)
    return FALSE;
  if (version != SCHEMA_VERSION)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_DATABASE,
                   "schema version %d, this server needs %d", version, SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static const ReinServerDbOps pg_ops = {
  .close = pg_close,
  .transaction = pg_transaction,
  .lookup_owner = pg_lookup_owner,
  .set_owner = pg_set_owner,
  .request_bucket = pg_request_bucket,
  .store = pg_store,
  .get = pg_get,
  .has_account = pg_has_account,
  .query = pg_query,
  .explain = pg_explain,
  .count_keys = pg_count_keys,
  .check = pg_check,
};

const ReinServerDbOps *
rein_server_db_pg_ops (void)
{
  return &pg_ops;
}

/* A hot standby is in recovery; a read-only role's transactions are
 * read-only by default. Either refuses every write. */
gboolean
rein_server_db_pg_is_read_only (ReinServerDb *base, GError **error)
{
  g_autoptr (PGresult) result =
    run (PG_DB (base),
         "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'",
         0, NULL, "Asking whether the database is read-only", error);

  return result != NULL && PQntuples (result) == 1 && strcmp (PQgetvalue (result, 0, 0), "t") == 0;
}

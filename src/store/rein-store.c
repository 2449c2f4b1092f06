/* rein-store.c: the user's local database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <gcrypt.h>
#include <sqlite3.h>

#include "rein-json.h"
#include "rein-store-private.h"

G_DEFINE_FINAL_TYPE (ReinStore, rein_store, G_TYPE_OBJECT)

/* Bounds on what a user or a backup file may hand us. */
#define MAX_NAME_LEN 100
#define MAX_CONTACT_LEN 200
#define MAX_BACKUP_LEN (64 * 1024)
#define MAX_URL_LEN 2048

/* U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069 in UTF-8: what
 * rein_person_clean_name() takes out of names. */
#define BIDI_CONTROLS                                                                    \
  "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad" \
  "\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"

/* Each entry migrates the schema from version i to i + 1. */
static const gchar *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE identities ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  contact TEXT NOT NULL,"
  "  master_address TEXT NOT NULL,"
  "  delegate_address TEXT NOT NULL,"
  "  delegate_pubkey TEXT NOT NULL,"
  "  will_mediate INTEGER NOT NULL DEFAULT 0,"
  "  mediator_fee TEXT,"
  "  testnet INTEGER NOT NULL DEFAULT 0,"
  "  sealed_mnemonic BLOB,"
  "  sealed_delegate_key BLOB NOT NULL,"
  "  enrollment TEXT,"
  "  created INTEGER NOT NULL"
  ");"
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE servers ("
  "  id INTEGER PRIMARY KEY,"
  "  url TEXT NOT NULL UNIQUE,"
  "  added INTEGER NOT NULL,"
  "  last_sync INTEGER,"
  "  last_error TEXT"
  ");"
  "CREATE TABLE buckets ("
  "  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
  "  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,"
  "  bucket INTEGER NOT NULL,"
  "  bytes_free INTEGER NOT NULL,"
  "  created TEXT,"
  "  PRIMARY KEY (server_id, identity_id, bucket)"
  ");"
  "CREATE TABLE documents ("
  "  id INTEGER PRIMARY KEY,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  armored TEXT NOT NULL,"
  "  doc_type TEXT NOT NULL,"
  "  job_id TEXT,"
  "  signer TEXT NOT NULL,"
  "  identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL,"
  "  source_server INTEGER REFERENCES servers(id) ON DELETE SET NULL,"
  "  verification INTEGER NOT NULL,"
  "  verification_error TEXT,"
  "  received INTEGER NOT NULL"
  ");"
  "CREATE INDEX documents_job ON documents(job_id);"
  "CREATE INDEX documents_identity ON documents(identity_id);"
  "CREATE TABLE placements ("
  "  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
  "  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
  "  remote_key TEXT NOT NULL,"
  "  verified_hash TEXT,"
  "  updated INTEGER NOT NULL,"
  "  PRIMARY KEY (document_id, server_id)"
  ");"
  "CREATE TABLE orders ("
  "  job_id TEXT NOT NULL,"
  "  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,"
  "  role TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  PRIMARY KEY (job_id, identity_id)"
  ");",
  /* 1 -> 2: a placement's time in milliseconds, so that the sync's sample
   * (rein-sync.h) can tell apart placements checked in the same second */
  "UPDATE placements SET updated = updated * 1000;",
  /* 2 -> 3: the market index (rein-store-index.c): a summary row per job,
   * and a full-text index over it kept in step by triggers. */
  "CREATE TABLE job_summaries ("
  "  id INTEGER PRIMARY KEY,"
  "  job_id TEXT NOT NULL,"
  "  creator_key TEXT NOT NULL,"
  "  testnet INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  category TEXT,"
  "  description TEXT,"
  "  creator TEXT,"
  "  creator_contact TEXT,"
  "  mediator TEXT,"
  "  mediator_contact TEXT,"
  "  mediator_key TEXT,"
  "  mediator_fee TEXT,"
  "  state TEXT NOT NULL,"
  "  n_bids INTEGER NOT NULL,"
  "  bidders TEXT,"
  "  first_seen INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  UNIQUE (job_id, creator_key)"
  ");"
  "CREATE VIRTUAL TABLE job_search USING fts5 ("
  "  name, description, category, creator,"
  "  content = 'job_summaries', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER job_summaries_ai AFTER INSERT ON job_summaries BEGIN"
  "  INSERT INTO job_search (rowid, name, description, category, creator)"
  "  VALUES (new.id, new.name, new.description, new.category, new.creator);"
  "END;"
  "CREATE TRIGGER job_summaries_ad AFTER DELETE ON job_summaries BEGIN"
  "  INSERT INTO job_search (job_search, rowid, name, description, category, creator)"
  "  VALUES ('delete', old.id, old.name, old.description, old.category, old.creator);"
  "END;"
  "CREATE TRIGGER job_summaries_au AFTER UPDATE ON job_summaries BEGIN"
  "  INSERT INTO job_search (job_search, rowid, name, description, category, creator)"
  "  VALUES ('delete', old.id, old.name, old.description, old.category, old.creator);"
  "  INSERT INTO job_search (rowid, name, description, category, creator)"
  "  VALUES (new.id, new.name, new.description, new.category, new.creator);"
  "END;",
  /* 3 -> 4: the signature check of a fetched document (rein_document_verify(),
   * which depends on its text alone), kept apart from its verdict (which
   * depends on the enrollments known then): a refresh checks a signature
   * once. NULL: not checked. */
  "ALTER TABLE documents ADD COLUMN signature INTEGER;"
  "ALTER TABLE documents ADD COLUMN signature_code INTEGER;"
  "ALTER TABLE documents ADD COLUMN signature_error TEXT;",
  /* 4 -> 5: the payouts out of a job's escrows that an identity signed
   * or co-signed, and what became of them (rein_store_set_payout()) */
  "CREATE TABLE payouts ("
  "  job_id TEXT NOT NULL,"
  "  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,"
  "  escrow TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  psbt TEXT NOT NULL,"
  "  signers TEXT,"
  "  txid TEXT,"
  "  confirmations INTEGER NOT NULL DEFAULT -1,"
  "  updated INTEGER NOT NULL,"
  "  PRIMARY KEY (job_id, identity_id, escrow)"
  ");"
  /* ... and the state of each order that My Jobs last told the user
   * about (rein_store_set_order_seen()) */
  "ALTER TABLE orders ADD COLUMN seen_state TEXT;",
  /* 5 -> 6: the market index read newest first without sorting every row
   * (a temporary B-tree of 100,000 summaries, spilled to disk, was half of
   * the market's load at start) */
  "CREATE INDEX job_summaries_newest ON job_summaries(testnet, first_seen);",
  /* 6 -> 7: what this computer calls an identity, when renamed here (the
   * enrolled name is signed and stays) */
  "ALTER TABLE identities ADD COLUMN label TEXT;"
  "CREATE UNIQUE INDEX identities_label ON identities(label);",
  /* 7 -> 8: where an identity's market reader read each server up to (a
   * `since` cursor), every job document before it being stored and
   * indexed, so that the app started again reads only what is new
   * (rein_store_set_market_cursors()); and the documents found invalid,
   * looked at again when enrollments turn up (verification 2 is
   * REIN_VERIFICATION_INVALID) */
  "CREATE TABLE market_cursors ("
  "  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,"
  "  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
  "  cursor TEXT NOT NULL,"
  "  PRIMARY KEY (identity_id, server_id)"
  ");"
  /* jobs a refresh found changed that the index may not have yet */
  "CREATE TABLE market_pending ("
  "  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,"
  "  job_id TEXT NOT NULL,"
  "  PRIMARY KEY (identity_id, job_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX documents_invalid ON documents(job_id) WHERE verification = 2;",
  /* 8 -> 9: new summaries go into the full-text index in one statement a
   * chunk (rein-store-index.c), not one trigger a row: FTS5 writes its
   * pending terms out at every statement's savepoint, and a first refresh
   * spent 6 s of its index save there (1.3 s in one statement). Changes
   * and deletions keep their triggers. */
  "DROP TRIGGER job_summaries_ai;",
  /* 9 -> 10: people are shown as "<FSI>name<PDI> (fingerprint)" (the
   * isolates keep a name from turning the text around it), and the
   * tokenizer took the isolates for letters: the word indexed was
   * "<FSI>bob<PDI>", which no search for "bob" found. The direction
   * marks, embeddings, overrides and isolates are separators now; the
   * index is made again from the summaries. */
  "DROP TABLE job_search;"
  "CREATE VIRTUAL TABLE job_search USING fts5 ("
  "  name, description, category, creator,"
  "  content = 'job_summaries', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2 separators ''" BIDI_CONTROLS "'''"
  ");"
  "INSERT INTO job_search (job_search) VALUES ('rebuild');",
};

/* A refresh writes 400,000 documents with random hashes into the indexes:
 * SQLite's 2 MB default cache makes each a page read. */
#define DEFAULT_CACHE_SIZE "PRAGMA cache_size = -32768"

/* Now, in Unix milliseconds: when a placement was last recorded. */
#define NOW_MS "CAST ((julianday ('now') - 2440587.5) * 86400000 AS INTEGER)"

static void
rein_store_finalize (GObject *object)
{
  ReinStore *self = (ReinStore *) object;

  g_rec_mutex_clear (&self->lock);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (rein_store_parent_class)->finalize (object);
}

static void
rein_store_class_init (ReinStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_store_finalize;
}

static void
rein_store_init (ReinStore *self)
{
  g_rec_mutex_init (&self->lock);
}

static gboolean
set_db_error (ReinStore *self, GError **error, const gchar *what)
{
  if (self->read_only && (sqlite3_errcode (self->db) & 0xff) == SQLITE_READONLY)
    {
      g_autofree gchar *dir = g_path_get_dirname (self->path);

      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_READ_ONLY,
                   "%s: the data folder %s is read-only, so nothing can be changed in it", what,
                   dir);
      return FALSE;
    }
  g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_DATABASE, "%s: %s", what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (ReinStore *self, const gchar *sql, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (self, error, "Database error");
  return TRUE;
}

static sqlite3_stmt *
prepare (ReinStore *self, const gchar *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, "Database error");
      return NULL;
    }
  return stmt;
}

gboolean
_rein_store_db_error (ReinStore *self, GError **error, const gchar *what)
{
  return set_db_error (self, error, what);
}

gboolean
_rein_store_exec (ReinStore *self, const gchar *sql, GError **error)
{
  return exec (self, sql, error);
}

/* Bulk writes (@bulk), or back to normal. What servers sent, and what is
 * made of it, can be fetched and made again: its bulk writes, under the
 * lock, commit without waiting for the disk (synchronous NORMAL: WAL stays
 * consistent, a power cut may lose the last commits), with a cache that
 * holds the pages of a large transaction's random index inserts (the
 * default 32 MB spills them, to be written again), and set FULL and the
 * default cache back before letting the lock go. */
gboolean
_rein_store_set_bulk (ReinStore *self, gboolean bulk, GError **error)
{
  return bulk ? exec (self, "PRAGMA synchronous = NORMAL", error)
                  && exec (self, "PRAGMA cache_size = -131072", error)
              : exec (self, "PRAGMA synchronous = FULL", error)
                  && exec (self, DEFAULT_CACHE_SIZE, error);
}

sqlite3_stmt *
_rein_store_prepare (ReinStore *self, const gchar *sql, GError **error)
{
  return prepare (self, sql, error);
}

static gint
user_version (ReinStore *self)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (self, "PRAGMA user_version", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

static gboolean
migrate (ReinStore *self, GError **error)
{
  gint version = user_version (self);

  if (version < 0)
    return set_db_error (self, error, "Could not read the database version");
  if (version > (gint) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_TOO_NEW,
                   "The database was written by a newer Rein (schema %d, this one knows %d)",
                   version, (gint) G_N_ELEMENTS (migrations));
      return FALSE;
    }
  if (self->read_only && version < (gint) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_READ_ONLY,
                   "The database %s needs an upgrade, but its folder is read-only", self->path);
      return FALSE;
    }
  for (; version < (gint) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree gchar *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      /* Each step and its version bump commit together, or not at all. */
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[version], error) || !exec (self, bump, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

gchar *
rein_store_default_dir (void)
{
  const gchar *env = g_getenv ("REIN_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "rein", NULL);
}

/* Opens the database for reading only. In WAL mode, SQLite reads through
 * the -shm file, which a read-only folder may lack and cannot get: then the
 * file is read as immutable (nobody can be writing it there). */
static gboolean
open_read_only (ReinStore *self, GError **error)
{
  g_autofree gchar *file_uri = NULL;
  g_autofree gchar *uri = NULL;
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX;

  if (sqlite3_open_v2 (self->path, &self->db, flags, NULL) == SQLITE_OK && user_version (self) >= 0)
    return TRUE;
  sqlite3_close (self->db);
  self->db = NULL;
  file_uri = g_filename_to_uri (self->path, NULL, error);
  if (file_uri == NULL)
    return FALSE;
  uri = g_strconcat (file_uri, "?immutable=1", NULL);
  if (sqlite3_open_v2 (uri, &self->db, flags | SQLITE_OPEN_URI, NULL) != SQLITE_OK
      || user_version (self) < 0)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_DATABASE,
                   "Could not open %s (read-only): %s", self->path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }
  return TRUE;
}

ReinStore *
rein_store_open (const gchar *dir, GError **error)
{
  g_autoptr (ReinStore) self = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Could not create the data folder %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (REIN_TYPE_STORE, NULL);
  self->path = g_build_filename (dir, "rein.db", NULL);
  /* A database that is there but cannot be written (a read-only folder or
   * file: a backup copy, a mounted snapshot) is still read. */
  self->read_only = g_file_test (self->path, G_FILE_TEST_EXISTS)
                    && (g_access (dir, W_OK) != 0 || g_access (self->path, W_OK) != 0);
  if (self->read_only)
    {
      if (!open_read_only (self, error))
        return NULL;
      g_debug ("%s is not writable: opened for reading only", self->path);
    }
  else
    {
      if (sqlite3_open_v2 (self->path, &self->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           NULL) != SQLITE_OK)
        {
          g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_DATABASE,
                       "Could not open %s: %s", self->path,
                       self->db ? sqlite3_errmsg (self->db) : "out of memory");
          return NULL;
        }
      g_chmod (self->path, 0600);
    }
  sqlite3_busy_timeout (self->db, 5000);

  /* WAL with full sync: a crash never corrupts the database and a
   * committed change survives a power cut. A new database gets 16 KiB
   * pages (an existing one keeps its own): a refresh writes 400,000
   * documents of a kilobyte or more, first into the WAL and then into
   * the database, and with 4 KiB pages that was four times the writes
   * (46-50 s instead of 52-55 for bench-market's first refresh). */
  if ((!self->read_only
       && (!exec (self, "PRAGMA page_size = 16384", error)
           || !exec (self, "PRAGMA journal_mode = WAL", error)
           || !exec (self, "PRAGMA synchronous = FULL", error)
           || !exec (self, "PRAGMA secure_delete = ON", error)))
      || !exec (self, "PRAGMA foreign_keys = ON", error)
      /* Statement journals (a statement that fires a trigger keeps one,
       * as the market index's inserts do) and other temporary files in
       * memory: none on disk, and no write calls for them. */
      || !exec (self, "PRAGMA temp_store = MEMORY", error)
      || !exec (self, DEFAULT_CACHE_SIZE, error))
    return NULL;

  if (!migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
rein_store_get_read_only (ReinStore *self)
{
  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  return self->read_only;
}

const gchar *
rein_store_get_path (ReinStore *self)
{
  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  return self->path;
}

gint
rein_store_get_schema_version (ReinStore *self)
{
  g_return_val_if_fail (REIN_IS_STORE (self), -1);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  return user_version (self);
}

/* ---- Identities ---- */

static const gchar identity_columns[] =
  "id, name, contact, master_address, delegate_address, delegate_pubkey, will_mediate, "
  "mediator_fee, testnet, sealed_mnemonic IS NOT NULL, enrollment, label";

static ReinIdentity *
identity_from_row (sqlite3_stmt *stmt)
{
  return _rein_identity_new (sqlite3_column_int64 (stmt, 0),
                             (const gchar *) sqlite3_column_text (stmt, 1),
                             (const gchar *) sqlite3_column_text (stmt, 2),
                             (const gchar *) sqlite3_column_text (stmt, 3),
                             (const gchar *) sqlite3_column_text (stmt, 4),
                             (const gchar *) sqlite3_column_text (stmt, 5),
                             sqlite3_column_int (stmt, 6),
                             (const gchar *) sqlite3_column_text (stmt, 7),
                             sqlite3_column_int (stmt, 8),
                             sqlite3_column_int (stmt, 9),
                             (const gchar *) sqlite3_column_text (stmt, 10),
                             (const gchar *) sqlite3_column_text (stmt, 11));
}

static ReinIdentity *
identity_by_id (ReinStore *self, gint64 id, GError **error)
{
  g_autofree gchar *sql = g_strdup_printf ("SELECT %s FROM identities WHERE id = ?",
                                           identity_columns);
  g_autoptr (sqlite3_stmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return identity_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND, "No such identity");
  else
    set_db_error (self, error, "Could not read identities");
  return NULL;
}

static gboolean
is_blank (const gchar *text)
{
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
validate_params (const ReinIdentityParams *params, GError **error)
{
  if (params->name == NULL || is_blank (params->name))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The identity needs a name");
      return FALSE;
    }
  if (params->contact == NULL || *params->contact == '\0')
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The identity needs a contact (an email or BitMessage address)");
      return FALSE;
    }
  if (strlen (params->name) > MAX_NAME_LEN || strlen (params->contact) > MAX_CONTACT_LEN)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The name or contact is too long");
      return FALSE;
    }
  if (!g_utf8_validate (params->name, -1, NULL) || !g_utf8_validate (params->contact, -1, NULL)
      || strchr (params->name, '\n') || strchr (params->contact, '\n'))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The name and contact must be single lines of text");
      return FALSE;
    }
  if (params->will_mediate
      && (params->mediator_fee_percent < 0 || params->mediator_fee_percent > 100))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The mediator fee must be between 0 and 100 percent");
      return FALSE;
    }
  return TRUE;
}

static gchar *
build_enrollment (const ReinIdentityParams *params,
                  const gchar *master_address,
                  const gchar *delegate_address,
                  const gchar *delegate_pubkey,
                  GError **error)
{
  ReinEnrollmentParams ep = {
    .user = params->name,
    .contact = params->contact,
    .master_address = master_address,
    .delegate_address = delegate_address,
    .willing_to_mediate = params->will_mediate,
    .delegate_public_key = delegate_pubkey,
    .mediator_fee_percent = params->mediator_fee_percent,
    .testnet = params->testnet,
  };

  return rein_document_build_enrollment (&ep, error);
}

/* Inserts an identity and, when given, its enrollment document, in one
 * transaction; the first identity becomes the active one. */
static ReinIdentity *
insert_identity (ReinStore *self,
                 const ReinIdentityParams *params,
                 const gchar *master_address,
                 const gchar *delegate_address,
                 const gchar *delegate_pubkey,
                 GBytes *sealed_mnemonic,
                 GBytes *sealed_delegate,
                 ReinDocument *enrollment,
                 GError **error)
{
  /* Only the database part holds the store's lock: the key derivation
   * and sealing before it (scrypt) must not block the UI's calls. */
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree gchar *fee = NULL;
  gint64 id;

  if (params->will_mediate)
    fee = rein_mediator_fee_format (params->mediator_fee_percent);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  /* Each identity is found by one name (rein_store_find_identity()): an
   * enrolled name that another identity was renamed to here is taken. */
  {
    g_autoptr (sqlite3_stmt) taken = prepare (self, "SELECT 1 FROM identities WHERE label = ?1",
                                              error);

    if (taken == NULL)
      goto fail;
    sqlite3_bind_text (taken, 1, params->name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (taken) == SQLITE_ROW)
      {
        g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS,
                     "An identity is called “%s” on this computer already: rename it first",
                     params->name);
        goto fail;
      }
  }

  stmt = prepare (self,
                  "INSERT INTO identities (name, contact, master_address, delegate_address, "
                  "delegate_pubkey, will_mediate, mediator_fee, testnet, sealed_mnemonic, "
                  "sealed_delegate_key, enrollment, created) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now'))",
                  error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, params->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, params->contact, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, master_address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, delegate_address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, delegate_pubkey, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, params->will_mediate);
  sqlite3_bind_text (stmt, 7, fee, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 8, params->testnet);
  if (sealed_mnemonic)
    sqlite3_bind_blob (stmt, 9, g_bytes_get_data (sealed_mnemonic, NULL),
                       g_bytes_get_size (sealed_mnemonic), SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 10, g_bytes_get_data (sealed_delegate, NULL),
                     g_bytes_get_size (sealed_delegate), SQLITE_TRANSIENT);
  if (enrollment)
    sqlite3_bind_text (stmt, 11, rein_document_get_armored (enrollment), -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS,
                     "An identity named “%s” exists already", params->name);
      else
        set_db_error (self, error, "Could not store the identity");
      goto fail;
    }
  id = sqlite3_last_insert_rowid (self->db);

  if (enrollment != NULL && rein_store_add_document (self, enrollment, id, 0, error) == 0)
    goto fail;

  {
    g_autofree gchar *active = rein_store_get_setting (self, "active-identity");
    g_autofree gchar *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

    if (active == NULL && !rein_store_set_setting (self, "active-identity", id_text, error))
      goto fail;
  }

  if (!exec (self, "COMMIT", error))
    goto fail;
  return identity_by_id (self, id, error);

fail:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

static gchar *
context_for (const gchar *master_address, const gchar *what)
{
  return g_strdup_printf ("rein:%s:%s", master_address, what);
}

static GBytes *
seal_delegate (const ReinPrivateKey *key, const gchar *master_address, const gchar *password,
               GError **error)
{
  g_autofree gchar *context = context_for (master_address, "delegate");

  return rein_secret_seal (password, rein_private_key_get_secret (key), 32, context, error);
}

static gboolean
check_password (const gchar *password, GError **error)
{
  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "A password is needed to protect the keys");
      return FALSE;
    }
  return TRUE;
}

ReinIdentity *
rein_store_add_identity_from_mnemonic (ReinStore *self,
                                       const ReinIdentityParams *params,
                                       const gchar *phrase,
                                       const gchar *passphrase,
                                       const gchar *password,
                                       GError **error)
{
  g_autoptr (ReinPrivateKey) master = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (GBytes) sealed_mnemonic = NULL;
  g_autoptr (GBytes) sealed_delegate = NULL;
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autofree gchar *master_address = NULL, *delegate_address = NULL, *pubkey = NULL;
  g_autofree gchar *text = NULL, *context = NULL;
  ReinNetwork network;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (params != NULL && phrase != NULL, NULL);

  if (!validate_params (params, error) || !check_password (password, error))
    return NULL;
  if (!rein_identity_keys_from_mnemonic (phrase, passphrase, &master, &delegate, error))
    return NULL;

  network = params->testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
  master_address = rein_private_key_get_address (master, network);
  delegate_address = rein_private_key_get_address (delegate, network);
  pubkey = rein_private_key_get_public_key_hex (delegate);

  text = build_enrollment (params, master_address, delegate_address, pubkey, error);
  if (text == NULL)
    return NULL;
  enrollment = rein_document_sign (text, master, NULL, network, error);
  if (enrollment == NULL || !rein_document_verify (enrollment, error))
    return NULL;

  /* The phrase and the passphrase are sealed together, NUL-separated. */
  {
    gsize phrase_len = strlen (phrase);
    gsize pass_len = passphrase ? strlen (passphrase) : 0;
    guint8 *buf = gcry_malloc_secure (phrase_len + 1 + pass_len);

    if (buf == NULL)
      g_error ("Out of secure memory");
    memcpy (buf, phrase, phrase_len);
    buf[phrase_len] = '\0';
    if (pass_len)
      memcpy (buf + phrase_len + 1, passphrase, pass_len);
    context = context_for (master_address, "mnemonic");
    sealed_mnemonic = rein_secret_seal (password, buf, phrase_len + 1 + pass_len, context, error);
    rein_secure_free (buf);
    if (sealed_mnemonic == NULL)
      return NULL;
  }
  sealed_delegate = seal_delegate (delegate, master_address, password, error);
  if (sealed_delegate == NULL)
    return NULL;

  return insert_identity (self, params, master_address, delegate_address, pubkey,
                          sealed_mnemonic, sealed_delegate, enrollment, error);
}

/* Checks the imported keys and returns the delegate key and its address. */
static ReinPrivateKey *
parse_imported_keys (const ReinIdentityParams *params,
                     const gchar *master_address,
                     const gchar *delegate_wif,
                     gchar **out_delegate_address,
                     GError **error)
{
  g_autoptr (GError) local_error = NULL;
  ReinNetwork network = params->testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
  ReinNetwork master_network;
  ReinAddressType type;
  ReinPrivateKey *key;

  if (master_address == NULL
      || !rein_address_validate (master_address, &master_network, &type, NULL, &local_error)
      || type != REIN_ADDRESS_P2PKH)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The master address is not a valid P2PKH Bitcoin address%s%s",
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }
  if (master_network != network)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           params->testnet ? "The master address is a mainnet address, but the "
                                             "identity is on testnet"
                                           : "The master address is a testnet address, but the "
                                             "identity is on mainnet");
      return NULL;
    }
  key = rein_private_key_new_from_wif (delegate_wif ? delegate_wif : "", NULL, &local_error);
  if (key == NULL)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The delegate private key is not valid: %s", local_error->message);
      return NULL;
    }
  if (!rein_private_key_get_compressed (key))
    {
      /* Escrow scripts need the compressed public key. */
      ReinPrivateKey *compressed = rein_private_key_new_from_bytes (
          rein_private_key_get_secret (key), TRUE, NULL);

      rein_private_key_free (key);
      key = compressed;
    }
  *out_delegate_address = rein_private_key_get_address (key, network);
  return key;
}

gchar *
rein_store_enrollment_text_for_keys (const ReinIdentityParams *params,
                                     const gchar *master_address,
                                     const gchar *delegate_wif,
                                     GError **error)
{
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autofree gchar *delegate_address = NULL, *pubkey = NULL;

  g_return_val_if_fail (params != NULL, NULL);

  if (!validate_params (params, error))
    return NULL;
  key = parse_imported_keys (params, master_address, delegate_wif, &delegate_address, error);
  if (key == NULL)
    return NULL;
  pubkey = rein_private_key_get_public_key_hex (key);
  return build_enrollment (params, master_address, delegate_address, pubkey, error);
}

ReinIdentity *
rein_store_add_identity_from_keys (ReinStore *self,
                                   const ReinIdentityParams *params,
                                   const gchar *master_address,
                                   const gchar *delegate_wif,
                                   const gchar *signed_enrollment,
                                   const gchar *password,
                                   GError **error)
{
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autoptr (GBytes) sealed_delegate = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree gchar *delegate_address = NULL, *pubkey = NULL, *expected = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (!validate_params (params, error) || !check_password (password, error))
    return NULL;
  key = parse_imported_keys (params, master_address, delegate_wif, &delegate_address, error);
  if (key == NULL)
    return NULL;
  pubkey = rein_private_key_get_public_key_hex (key);
  expected = build_enrollment (params, master_address, delegate_address, pubkey, error);
  if (expected == NULL)
    return NULL;

  enrollment = rein_document_new_from_armored (signed_enrollment ? signed_enrollment : "", -1,
                                               &local_error);
  if (enrollment == NULL)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The pasted text is not a signed message: %s", local_error->message);
      return NULL;
    }
  if (g_strcmp0 (rein_document_get_text (enrollment), expected) != 0)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The signed text differs from the enrollment Rein asked you to sign");
      return NULL;
    }
  if (!rein_same_key (rein_document_get_signer (enrollment), master_address))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The enrollment was signed by %s, not by the master address %s",
                   rein_document_get_signer (enrollment), master_address);
      return NULL;
    }
  if (!rein_document_verify (enrollment, &local_error))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The enrollment's signature is not valid: %s", local_error->message);
      return NULL;
    }

  sealed_delegate = seal_delegate (key, master_address, password, error);
  if (sealed_delegate == NULL)
    return NULL;
  return insert_identity (self, params, master_address, delegate_address, pubkey, NULL,
                          sealed_delegate, enrollment, error);
}

static gboolean
json_get_string (JsonObject *obj, const gchar *member, const gchar **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The backup file has no text field “%s”", member);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

/* python-rein wrote booleans as true/false, 1/0 or "True"/"False". */
static gboolean
json_get_flag (JsonObject *obj, const gchar *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node);
    case G_TYPE_INT64:
      return json_node_get_int (node) != 0;
    case G_TYPE_STRING:
      return g_ascii_strcasecmp (json_node_get_string (node), "true") == 0
             || g_strcmp0 (json_node_get_string (node), "1") == 0;
    default:
      return FALSE;
    }
}

static JsonObject *
parse_backup_json (JsonParser **parser, const gchar *json, gsize len, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  *parser = json != NULL ? rein_json_parse (json, len, MAX_BACKUP_LEN, REIN_JSON_MAX_DEPTH,
                                            &local_error)
                         : NULL;
  if (*parser == NULL)
    {
      if (g_error_matches (local_error, REIN_JSON_ERROR, REIN_JSON_ERROR_TOO_LARGE) || json == NULL)
        g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                             "The backup file is too large to be a Rein backup");
      else
        g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                     "The backup file is not a Rein backup: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (*parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The backup file does not hold a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

/* A string wiped (not freed) when it goes out of scope: for secrets whose
 * memory belongs to someone else, like a JSON parser's copy of a key. */
typedef gchar *ReinWipeOnExit;

static void
wipe_string (gchar *text)
{
  rein_memwipe (text, strlen (text));
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (ReinWipeOnExit, wipe_string, NULL)

ReinIdentity *
rein_store_import_python_backup (ReinStore *self,
                                 const gchar *json,
                                 gsize len,
                                 const gchar *password,
                                 GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autoptr (GBytes) sealed_delegate = NULL;
  g_autofree gchar *delegate_address = NULL, *pubkey = NULL, *maddr_own = NULL;
  const gchar *name, *contact, *maddr, *daddr, *dkey;
  ReinIdentityParams params = { 0 };
  JsonObject *obj;
  JsonNode *fee_node;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);

  if (!check_password (password, error))
    return NULL;
  obj = parse_backup_json (&parser, json, len, error);
  if (obj == NULL)
    return NULL;
  if (!json_get_string (obj, "name", &name, error)
      || !json_get_string (obj, "contact", &contact, error)
      || !json_get_string (obj, "maddr", &maddr, error)
      || !json_get_string (obj, "daddr", &daddr, error)
      || !json_get_string (obj, "dkey", &dkey, error))
    return NULL;
  /* declared after the parser, so wiped before the parser frees it */
  g_auto (ReinWipeOnExit) dkey_text = (gchar *) dkey;

  params.name = name;
  params.contact = contact;
  params.will_mediate = json_get_flag (obj, "will_mediate");
  params.testnet = json_get_flag (obj, "testnet");
  fee_node = json_object_get_member (obj, "mediator_fee");
  if (fee_node != NULL && JSON_NODE_HOLDS_VALUE (fee_node))
    {
      if (json_node_get_value_type (fee_node) == G_TYPE_STRING)
        params.mediator_fee_percent = g_ascii_strtod (json_node_get_string (fee_node), NULL);
      else if (json_node_get_value_type (fee_node) == G_TYPE_DOUBLE
               || json_node_get_value_type (fee_node) == G_TYPE_INT64)
        params.mediator_fee_percent = json_node_get_double (fee_node);
    }
  if (!validate_params (&params, error))
    return NULL;

  /* Old testnet identities used mainnet-format addresses: read either
   * form, keep the identity's own. */
  maddr_own = rein_address_convert (maddr, params.testnet ? REIN_NETWORK_TESTNET
                                                          : REIN_NETWORK_MAINNET, NULL);
  if (maddr_own != NULL)
    maddr = maddr_own;
  key = parse_imported_keys (&params, maddr, dkey, &delegate_address, error);
  if (key == NULL)
    return NULL;
  /* ... and compare the delegate as a key, in either network's form. */
  if (!rein_same_key (daddr, delegate_address))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The backup's delegate key does not match its delegate address");
      return NULL;
    }
  pubkey = rein_private_key_get_public_key_hex (key);
  sealed_delegate = seal_delegate (key, maddr, password, error);
  if (sealed_delegate == NULL)
    return NULL;
  /* python-rein backups hold no enrollment; sync finds it on servers. */
  return insert_identity (self, &params, maddr, delegate_address, pubkey, NULL, sealed_delegate,
                          NULL, error);
}

gboolean
rein_store_set_identity_enrollment (ReinStore *self,
                                    ReinIdentity *identity,
                                    ReinDocument *enrollment,
                                    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (REIN_IS_DOCUMENT (enrollment), FALSE);

  if (rein_document_get_document_type (enrollment) != REIN_DOCUMENT_TYPE_ENROLLMENT)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The document is not an enrollment");
      return FALSE;
    }
  if (!rein_document_verify (enrollment, &local_error))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The enrollment's signature is not valid: %s", local_error->message);
      return FALSE;
    }
  if (!rein_same_key (rein_document_get_signer (enrollment),
                      rein_identity_get_master_address (identity))
      || !rein_same_key (rein_document_get_field (enrollment, REIN_LABEL_MASTER_ADDRESS),
                         rein_identity_get_master_address (identity)))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The enrollment is not signed by the master address %s",
                   rein_identity_get_master_address (identity));
      return FALSE;
    }
  if (!rein_same_key (rein_document_get_field (enrollment, REIN_LABEL_DELEGATE_ADDRESS),
                      rein_identity_get_delegate_address (identity)))
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "The enrollment names another delegate than %s",
                   rein_identity_get_delegate_address (identity));
      return FALSE;
    }

  {
    g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

    if (!exec (self, "BEGIN IMMEDIATE", error))
      return FALSE;
    stmt = prepare (self,
                    "UPDATE identities SET enrollment = ? WHERE id = ? AND enrollment IS NULL",
                    error);
    if (stmt == NULL)
      goto fail;
    sqlite3_bind_text (stmt, 1, rein_document_get_armored (enrollment), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, rein_identity_get_id (identity));
    if (sqlite3_step (stmt) != SQLITE_DONE)
      {
        set_db_error (self, error, "Could not store the enrollment");
        goto fail;
      }
    /* Ours from now on, so that sync pushes it; a fetched copy becomes
     * ours. */
    if (sqlite3_changes (self->db) > 0
        && rein_store_add_document (self, enrollment, rein_identity_get_id (identity), 0, error)
             == 0)
      goto fail;
    if (!exec (self, "COMMIT", error))
      goto fail;
    return TRUE;

  fail:
    exec (self, "ROLLBACK", NULL);
    return FALSE;
  }
}

static GBytes *
column_bytes (sqlite3_stmt *stmt, int col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, col), sqlite3_column_bytes (stmt, col));
}

static gboolean
load_sealed (ReinStore *self,
             ReinIdentity *identity,
             GBytes **out_mnemonic,
             GBytes **out_delegate,
             GError **error)
{
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr (sqlite3_stmt) stmt = prepare (
      self, "SELECT sealed_mnemonic, sealed_delegate_key FROM identities WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rein_identity_get_id (identity));
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                           "The identity is no longer in the store");
      return FALSE;
    }
  if (out_mnemonic)
    *out_mnemonic = column_bytes (stmt, 0);
  if (out_delegate)
    *out_delegate = column_bytes (stmt, 1);
  return TRUE;
}

ReinPrivateKey *
rein_store_unlock_delegate_key (ReinStore *self,
                                ReinIdentity *identity,
                                const gchar *password,
                                GError **error)
{
  g_autoptr (GBytes) sealed = NULL;
  g_autofree gchar *context = NULL;
  ReinPrivateKey *key;
  guint8 *secret;
  gsize len = 0;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (!load_sealed (self, identity, NULL, &sealed, error))
    return NULL;
  context = context_for (rein_identity_get_master_address (identity), "delegate");
  secret = rein_secret_open (password, sealed, context, &len, error);
  if (secret == NULL)
    return NULL;
  key = len == 32 ? rein_private_key_new_from_bytes (secret, TRUE, NULL) : NULL;
  rein_secure_free (secret);
  if (key == NULL)
    g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT,
                         "The stored delegate key is damaged");
  return key;
}

ReinPrivateKey *
rein_store_unlock_master_key (ReinStore *self,
                              ReinIdentity *identity,
                              const gchar *password,
                              GError **error)
{
  g_autoptr (GBytes) sealed = NULL;
  g_autofree gchar *context = NULL;
  ReinPrivateKey *master = NULL;
  gchar *plain;
  gsize len = 0, phrase_len;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (!load_sealed (self, identity, &sealed, NULL, error))
    return NULL;
  if (sealed == NULL)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                           "This identity's master key was never given to Rein: sign with it in "
                           "the wallet that holds it");
      return NULL;
    }
  context = context_for (rein_identity_get_master_address (identity), "mnemonic");
  plain = (gchar *) rein_secret_open (password, sealed, context, &len, error);
  if (plain == NULL)
    return NULL;
  phrase_len = strnlen (plain, len);
  if (!rein_identity_keys_from_mnemonic (plain, phrase_len < len ? plain + phrase_len + 1 : NULL,
                                         &master, NULL, NULL))
    g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT,
                         "The stored recovery phrase is damaged");
  rein_secure_free (plain);
  return master;
}

/* Re-seals one secret under a new password. */
static GBytes *
reseal (GBytes *sealed, const gchar *context, const gchar *old_password,
        const gchar *new_password, GError **error)
{
  guint8 *plain;
  gsize len = 0;
  GBytes *out;

  plain = rein_secret_open (old_password, sealed, context, &len, error);
  if (plain == NULL)
    return NULL;
  out = rein_secret_seal (new_password, plain, len, context, error);
  rein_secure_free (plain);
  return out;
}

gboolean
rein_store_change_password (ReinStore *self,
                            ReinIdentity *identity,
                            const gchar *old_password,
                            const gchar *new_password,
                            GError **error)
{
  g_autoptr (GBytes) mnemonic = NULL;
  g_autoptr (GBytes) delegate = NULL;
  g_autoptr (GBytes) new_mnemonic = NULL;
  g_autoptr (GBytes) new_delegate = NULL;
  g_autoptr (GRecMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree gchar *mctx = NULL, *dctx = NULL;
  const gchar *master;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (old_password != NULL, FALSE);

  if (!check_password (new_password, error))
    return FALSE;
  if (!load_sealed (self, identity, &mnemonic, &delegate, error))
    return FALSE;
  master = rein_identity_get_master_address (identity);
  mctx = context_for (master, "mnemonic");
  dctx = context_for (master, "delegate");
  new_delegate = reseal (delegate, dctx, old_password, new_password, error);
  if (new_delegate == NULL)
    return FALSE;
  if (mnemonic != NULL)
    {
      new_mnemonic = reseal (mnemonic, mctx, old_password, new_password, error);
      if (new_mnemonic == NULL)
        return FALSE;
    }

  locker = g_rec_mutex_locker_new (&self->lock);
  stmt = prepare (self,
                  "UPDATE identities SET sealed_mnemonic = ?, sealed_delegate_key = ? "
                  "WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  if (new_mnemonic)
    sqlite3_bind_blob (stmt, 1, g_bytes_get_data (new_mnemonic, NULL),
                       g_bytes_get_size (new_mnemonic), SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (new_delegate, NULL),
                     g_bytes_get_size (new_delegate), SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, rein_identity_get_id (identity));
  /* One statement updates both secrets: atomic on its own. */
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not store the new password");
  return TRUE;
}

static void
add_base64_member (JsonBuilder *builder, const gchar *name, GBytes *bytes)
{
  g_autofree gchar *b64 = NULL;

  json_builder_set_member_name (builder, name);
  if (bytes == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  json_builder_add_string_value (builder, b64);
}

gchar *
rein_store_export_backup (ReinStore *self,
                          ReinIdentity *identity,
                          const gchar *password,
                          GError **error)
{
  g_autoptr (ReinPrivateKey) check = NULL;
  g_autoptr (GBytes) mnemonic = NULL;
  g_autoptr (GBytes) delegate = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);

  /* Only someone who knows the password may export. */
  check = rein_store_unlock_delegate_key (self, identity, password ? password : "", error);
  if (check == NULL)
    return NULL;
  if (!load_sealed (self, identity, &mnemonic, &delegate, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "rein-desktop-backup-1");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, rein_identity_get_name (identity));
  json_builder_set_member_name (builder, "contact");
  json_builder_add_string_value (builder, rein_identity_get_contact (identity));
  json_builder_set_member_name (builder, "maddr");
  json_builder_add_string_value (builder, rein_identity_get_master_address (identity));
  json_builder_set_member_name (builder, "daddr");
  json_builder_add_string_value (builder, rein_identity_get_delegate_address (identity));
  json_builder_set_member_name (builder, "will_mediate");
  json_builder_add_boolean_value (builder, rein_identity_get_will_mediate (identity));
  json_builder_set_member_name (builder, "mediator_fee");
  json_builder_add_string_value (builder, rein_identity_get_mediator_fee (identity)
                                            ? rein_identity_get_mediator_fee (identity) : "");
  json_builder_set_member_name (builder, "testnet");
  json_builder_add_boolean_value (builder, rein_identity_get_testnet (identity));
  json_builder_set_member_name (builder, "enrollment");
  if (rein_identity_get_enrollment (identity))
    json_builder_add_string_value (builder, rein_identity_get_enrollment (identity));
  else
    json_builder_add_null_value (builder);
  add_base64_member (builder, "sealed_mnemonic", mnemonic);
  add_base64_member (builder, "sealed_delegate_key", delegate);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static GBytes *
decode_sealed_member (JsonObject *obj, const gchar *member, GError **error)
{
  const gchar *b64;
  guchar *raw;
  gsize len = 0;

  if (!json_get_string (obj, member, &b64, error))
    return NULL;
  raw = g_base64_decode (b64, &len);
  return g_bytes_new_take (raw, len);
}

ReinIdentity *
rein_store_import_backup (ReinStore *self,
                          const gchar *json,
                          gsize len,
                          const gchar *password,
                          GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GBytes) mnemonic = NULL;
  g_autoptr (GBytes) delegate = NULL;
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autofree gchar *context = NULL, *delegate_address = NULL, *pubkey = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;
  const gchar *format = NULL, *name, *contact, *maddr, *enrollment_text = NULL;
  ReinIdentityParams params = { 0 };
  ReinNetwork network;
  JsonObject *obj;
  guint8 *secret;
  gsize secret_len = 0;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);

  if (!check_password (password, error))
    return NULL;
  obj = parse_backup_json (&parser, json, len, error);
  if (obj == NULL)
    return NULL;
  if (json_object_has_member (obj, "format"))
    json_get_string (obj, "format", &format, NULL);
  if (g_strcmp0 (format, "rein-desktop-backup-1") != 0)
    /* Not ours: maybe python-rein's plain backup. */
    return rein_store_import_python_backup (self, json, len, password, error);

  if (!json_get_string (obj, "name", &name, error)
      || !json_get_string (obj, "contact", &contact, error)
      || !json_get_string (obj, "maddr", &maddr, error))
    return NULL;
  delegate = decode_sealed_member (obj, "sealed_delegate_key", error);
  if (delegate == NULL)
    return NULL;
  if (json_object_get_member (obj, "sealed_mnemonic") != NULL
      && !json_object_get_null_member (obj, "sealed_mnemonic"))
    {
      mnemonic = decode_sealed_member (obj, "sealed_mnemonic", error);
      if (mnemonic == NULL)
        return NULL;
    }
  params.name = name;
  params.contact = contact;
  params.will_mediate = json_get_flag (obj, "will_mediate");
  params.testnet = json_get_flag (obj, "testnet");
  if (params.will_mediate && json_object_has_member (obj, "mediator_fee"))
    {
      const gchar *fee = NULL;

      if (json_get_string (obj, "mediator_fee", &fee, NULL))
        params.mediator_fee_percent = g_ascii_strtod (fee, NULL);
    }
  if (!validate_params (&params, error))
    return NULL;

  /* The password must open the backup, and the key must be the one the
   * backup names. */
  context = context_for (maddr, "delegate");
  secret = rein_secret_open (password, delegate, context, &secret_len, error);
  if (secret == NULL)
    return NULL;
  key = secret_len == 32 ? rein_private_key_new_from_bytes (secret, TRUE, NULL) : NULL;
  rein_secure_free (secret);
  if (key == NULL)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT,
                           "The backup's delegate key is damaged");
      return NULL;
    }
  network = params.testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
  delegate_address = rein_private_key_get_address (key, network);
  pubkey = rein_private_key_get_public_key_hex (key);

  if (json_object_get_member (obj, "enrollment") != NULL
      && !json_object_get_null_member (obj, "enrollment"))
    {
      g_autoptr (GError) local_error = NULL;

      g_autofree gchar *expected = NULL;

      json_get_string (obj, "enrollment", &enrollment_text, NULL);
      enrollment = rein_document_new_from_armored (enrollment_text ? enrollment_text : "", -1,
                                                   &local_error);
      if (enrollment == NULL || !rein_document_verify (enrollment, &local_error)
          || !rein_same_key (rein_document_get_signer (enrollment), maddr))
        {
          g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                               "The backup's enrollment is not signed by its master address");
          return NULL;
        }
      /* The file's plain fields must be what the enrollment says, or this
       * identity would publish documents nobody can bind to it. */
      expected = build_enrollment (&params, maddr, delegate_address, pubkey, NULL);
      if (g_strcmp0 (expected, rein_document_get_text (enrollment)) != 0)
        {
          g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                               "The backup's details differ from its signed enrollment");
          return NULL;
        }
    }
  return insert_identity (self, &params, maddr, delegate_address, pubkey, mnemonic, delegate,
                          enrollment, error);
}

GListModel *
rein_store_list_identities (ReinStore *self, GError **error)
{
  g_autoptr (GListStore) list = g_list_store_new (REIN_TYPE_IDENTITY);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gchar *sql = g_strdup_printf ("SELECT %s FROM identities ORDER BY id",
                                           identity_columns);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, identity_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read identities");
      return NULL;
    }
  g_list_store_splice (list, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (g_steal_pointer (&list));
}

ReinIdentity *
rein_store_find_identity (ReinStore *self, const gchar *name, GError **error)
{
  /* a label of its own first: rein_store_rename_identity() keeps labels
   * and names apart */
  g_autofree gchar *sql = g_strdup_printf ("SELECT %s FROM identities WHERE label = ?1 "
                                           "UNION ALL "
                                           "SELECT %s FROM identities WHERE name = ?1 "
                                           "AND label IS NULL",
                                           identity_columns, identity_columns);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return identity_from_row (stmt);
  g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
               "There is no identity named “%s”", name);
  return NULL;
}

gboolean
rein_store_rename_identity (ReinStore *self,
                            ReinIdentity *identity,
                            const gchar *label,
                            GError **error)
{
  g_autofree gchar *clean = NULL;
  g_autoptr (sqlite3_stmt) taken = NULL;
  g_autoptr (sqlite3_stmt) update = NULL;
  gboolean enrolled;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (label != NULL, FALSE);

  if (strlen (label) > MAX_NAME_LEN || !g_utf8_validate (label, -1, NULL))
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The name is too long, or not text");
      return FALSE;
    }
  clean = g_strstrip (g_strdup (label));
  if (*clean == '\0')
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The identity needs a name");
      return FALSE;
    }
  for (const gchar *p = clean; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                             "The name must be a single line of text");
        return FALSE;
      }
  /* Each identity is found by one name: no other may be called this,
   * by its label or by its enrolled name; checked and written in one
   * transaction (another process may rename or add at the same time). */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  taken = prepare (self, "SELECT 1 FROM identities WHERE id != ?1 "
                         "AND (label = ?2 OR name = ?2)",
                   error);
  if (taken == NULL)
    goto fail;
  sqlite3_bind_int64 (taken, 1, rein_identity_get_id (identity));
  sqlite3_bind_text (taken, 2, clean, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (taken) == SQLITE_ROW)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS,
                   "Another identity is already called “%s”", clean);
      goto fail;
    }
  /* back to the enrolled name: no label */
  enrolled = g_strcmp0 (clean, rein_identity_get_name (identity)) == 0;
  update = prepare (self, "UPDATE identities SET label = ?2 WHERE id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, rein_identity_get_id (identity));
  if (enrolled)
    sqlite3_bind_null (update, 2);
  else
    sqlite3_bind_text (update, 2, clean, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (update) != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not rename the identity");
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                           "No such identity");
      goto fail;
    }
  g_clear_pointer (&taken, sqlite3_finalize);
  g_clear_pointer (&update, sqlite3_finalize);
  return exec (self, "COMMIT", error);

fail:
  g_clear_pointer (&taken, sqlite3_finalize);
  g_clear_pointer (&update, sqlite3_finalize);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
rein_store_set_active_identity (ReinStore *self, ReinIdentity *identity, GError **error)
{
  g_autofree gchar *id_text = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), FALSE);

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, rein_identity_get_id (identity));
  return rein_store_set_setting (self, "active-identity", id_text, error);
}

ReinIdentity *
rein_store_get_active_identity (ReinStore *self, GError **error)
{
  g_autofree gchar *id_text = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  id_text = rein_store_get_setting (self, "active-identity");
  if (id_text == NULL)
    return NULL;
  return identity_by_id (self, g_ascii_strtoll (id_text, NULL, 10), error);
}

/* Deletes @identity with its sealed keys, buckets and orders (its
 * documents stay, without owner). The active identity, if it was this one,
 * becomes the first one left (or none). */
gboolean
rein_store_delete_identity (ReinStore *self, ReinIdentity *identity, GError **error)
{
  g_autoptr (sqlite3_stmt) del = NULL;
  g_autoptr (sqlite3_stmt) active = NULL;
  gint64 id;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), FALSE);

  id = rein_identity_get_id (identity);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  del = prepare (self, "DELETE FROM identities WHERE id = ?", error);
  if (del == NULL)
    goto fail;
  sqlite3_bind_int64 (del, 1, id);
  if (sqlite3_step (del) != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not delete the identity");
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                           "No such identity");
      goto fail;
    }
  active = prepare (self,
                    "UPDATE settings SET value = (SELECT CAST (MIN (id) AS TEXT) FROM identities) "
                    "WHERE key = 'active-identity' AND value = CAST (?1 AS TEXT) "
                    "AND EXISTS (SELECT 1 FROM identities)",
                    error);
  if (active == NULL)
    goto fail;
  sqlite3_bind_int64 (active, 1, id);
  if (sqlite3_step (active) != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not choose another identity");
      goto fail;
    }
  /* none left: no active one */
  if (!exec (self, "DELETE FROM settings WHERE key = 'active-identity' "
                   "AND NOT EXISTS (SELECT 1 FROM identities)", error))
    goto fail;
  return exec (self, "COMMIT", error);

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* ---- Settings ---- */

gchar *
rein_store_get_setting (ReinStore *self, const gchar *key)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = prepare (self, "SELECT value FROM settings WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
}

gboolean
rein_store_set_setting (ReinStore *self, const gchar *key, const gchar *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  stmt = prepare (self, "INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not save a setting");
  return TRUE;
}

/* ---- Servers ---- */

gint64
rein_store_add_server (ReinStore *self, const gchar *url, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  const gchar *scheme;

  g_return_val_if_fail (REIN_IS_STORE (self), 0);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (url != NULL, 0);

  if (strlen (url) > MAX_URL_LEN)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                           "The server address is too long");
      return 0;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID,
                   "“%s” is not an http:// or https:// server address", url);
      return 0;
    }

  stmt = prepare (self, "INSERT INTO servers (url, added) VALUES (?, strftime('%s','now'))",
                  error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, url, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS,
                     "The server %s is in the list already", url);
      else
        set_db_error (self, error, "Could not add the server");
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
rein_store_remove_server (ReinStore *self, gint64 server_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "DELETE FROM servers WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not remove the server");
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                           "No such server");
      return FALSE;
    }
  return TRUE;
}

GStrv
rein_store_list_servers (ReinStore *self, GArray **out_ids, GError **error)
{
  g_autoptr (GStrvBuilder) urls = g_strv_builder_new ();
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT id, url FROM servers ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      g_strv_builder_add (urls, (const gchar *) sqlite3_column_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read servers");
      return NULL;
    }
  if (out_ids)
    *out_ids = g_steal_pointer (&ids);
  return g_strv_builder_end (urls);
}

gboolean
rein_store_get_server_sync (ReinStore *self,
                            gint64 server_id,
                            gint64 *out_last_sync,
                            gchar **out_last_error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT last_sync, last_error FROM servers WHERE id = ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  if (out_last_sync)
    *out_last_sync = sqlite3_column_int64 (stmt, 0);
  if (out_last_error)
    *out_last_error = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

gboolean
rein_store_record_sync (ReinStore *self, gint64 server_id, const gchar *error_message,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, error_message == NULL
                          ? "UPDATE servers SET last_sync = strftime('%s','now'), last_error = NULL "
                            "WHERE id = ?"
                          : "UPDATE servers SET last_error = ?2 WHERE id = ?1",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (error_message != NULL)
    sqlite3_bind_text (stmt, 2, error_message, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not record the sync");
  return TRUE;
}

/* ---- Documents ---- */

gint64
rein_store_add_document (ReinStore *self,
                         ReinDocument *document,
                         gint64 identity_id,
                         gint64 server_id,
                         GError **error)
{
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autoptr (sqlite3_stmt) lookup = NULL;
  static const gchar *const job_id_labels[] = { "Job ID", NULL };

  g_return_val_if_fail (REIN_IS_STORE (self), 0);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (REIN_IS_DOCUMENT (document), 0);

  insert = prepare (self,
                    "INSERT INTO documents (hash, armored, doc_type, job_id, signer, "
                    "identity_id, source_server, verification, verification_error, received) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now')) "
                    /* a copy fetched earlier becomes ours when we sign the
                     * same text (signatures are deterministic) */
                    "ON CONFLICT (hash) DO UPDATE SET "
                    "identity_id = coalesce (identity_id, excluded.identity_id)",
                    error);
  if (insert == NULL)
    return 0;
  sqlite3_bind_text (insert, 1, rein_document_get_hash (document), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, rein_document_get_armored (document), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3,
                     rein_document_type_to_name (rein_document_get_document_type (document)), -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 4, rein_document_get_field_any (document, job_id_labels), -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 5, rein_document_get_signer (document), -1, SQLITE_TRANSIENT);
  if (identity_id > 0)
    sqlite3_bind_int64 (insert, 6, identity_id);
  if (server_id > 0)
    sqlite3_bind_int64 (insert, 7, server_id);
  sqlite3_bind_int (insert, 8, rein_document_get_verification (document));
  sqlite3_bind_text (insert, 9, rein_document_get_verification_error (document), -1,
                     SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not store the document");
      return 0;
    }

  lookup = prepare (self, "SELECT id FROM documents WHERE hash = ?", error);
  if (lookup == NULL)
    return 0;
  sqlite3_bind_text (lookup, 1, rein_document_get_hash (document), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (lookup) != SQLITE_ROW)
    {
      set_db_error (self, error, "Could not store the document");
      return 0;
    }
  return sqlite3_column_int64 (lookup, 0);
}

GPtrArray *
rein_store_list_own_documents (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT armored FROM documents WHERE identity_id = ? ORDER BY id",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read documents");
      return NULL;
    }
  return g_steal_pointer (&out);
}

guint
rein_store_count_documents (ReinStore *self)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), 0);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT count(*) FROM documents", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

void
rein_stored_document_free (ReinStoredDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->hash);
  g_free (doc->armored);
  g_free (doc);
}

GPtrArray *
rein_store_list_own_documents_full (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rein_stored_document_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT id, hash, armored FROM documents WHERE identity_id = ? "
                        "ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ReinStoredDocument *doc = g_new0 (ReinStoredDocument, 1);

      doc->id = sqlite3_column_int64 (stmt, 0);
      doc->hash = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
      doc->armored = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (out, doc);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read documents");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
rein_store_get_placement (ReinStore *self,
                          gint64 document_id,
                          gint64 server_id,
                          gchar **out_remote_key,
                          gchar **out_verified_hash,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT remote_key, verified_hash FROM placements "
                        "WHERE document_id = ? AND server_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, document_id);
  sqlite3_bind_int64 (stmt, 2, server_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    return set_db_error (self, error, "Could not read placements");
  if (out_remote_key)
    *out_remote_key = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
  if (out_verified_hash)
    *out_verified_hash = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

gboolean
rein_store_set_placement (ReinStore *self,
                          gint64 document_id,
                          gint64 server_id,
                          const gchar *remote_key,
                          const gchar *verified_hash,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (remote_key != NULL, FALSE);

  stmt = prepare (self,
                  "INSERT INTO placements (document_id, server_id, remote_key, verified_hash, "
                  "updated) VALUES (?, ?, ?, ?, " NOW_MS ") "
                  "ON CONFLICT (document_id, server_id) DO UPDATE SET "
                  "remote_key = excluded.remote_key, verified_hash = excluded.verified_hash, "
                  "updated = excluded.updated", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, document_id);
  sqlite3_bind_int64 (stmt, 2, server_id);
  sqlite3_bind_text (stmt, 3, remote_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, verified_hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not record a placement");
  return TRUE;
}

guint
rein_store_count_placements (ReinStore *self, gint64 identity_id, gint64 server_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), 0);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT count(*) FROM placements p JOIN documents d "
                        "ON d.id = p.document_id WHERE d.identity_id = ? AND p.server_id = ? "
                        "AND p.verified_hash = d.hash", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_int64 (stmt, 2, server_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

gboolean
rein_store_has_buckets (ReinStore *self, gint64 server_id, gint64 identity_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT 1 FROM buckets WHERE server_id = ? AND identity_id = ? LIMIT 1",
                  NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, identity_id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
rein_store_set_bucket (ReinStore *self,
                       gint64 server_id,
                       gint64 identity_id,
                       gint64 bucket,
                       gint64 bytes_free,
                       const gchar *created,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "INSERT INTO buckets (server_id, identity_id, bucket, bytes_free, created) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (server_id, identity_id, bucket) "
                  "DO UPDATE SET bytes_free = excluded.bytes_free", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, identity_id);
  sqlite3_bind_int64 (stmt, 3, bucket);
  sqlite3_bind_int64 (stmt, 4, bytes_free);
  sqlite3_bind_text (stmt, 5, created, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not record a bucket");
  return TRUE;
}

/* ---- Market data: fetched documents, verdicts, jobs and orders ---- */

/* Rows a transaction: a first refresh stores 400,000 documents, and each
 * commit rewrites in the WAL every page of the documents' hash index that
 * its rows touched (the hashes are random: about one page a row), so few
 * large transactions write far less than many small ones (400,000 rows
 * copied in SQLite: 31 s in transactions of 20,000 rows with the default
 * cache, 15 s in 100,000 with _rein_store_set_bulk()'s). One of them holds
 * the store's lock for a few seconds, in a worker. */
#define ROWS_PER_COMMIT 100000

static gboolean save_verdict_group (ReinStore *self, const ReinDocumentVerdict *verdicts,
                                    guint n_verdicts, const gint64 *server_ids,
                                    gint64 server_id, GError **error);

/* Turns the foreign keys on again, after a transaction that failed to
 * end is rolled back, and reads them back: they must not stay off. */
static gboolean
foreign_keys_on (ReinStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!sqlite3_get_autocommit (self->db))
    exec (self, "ROLLBACK", NULL);
  if (!exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;
  stmt = prepare (self, "PRAGMA foreign_keys", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int (stmt, 0) != 1)
    {
      g_critical ("the store's foreign keys could not be turned on again");
      g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_DATABASE,
                           "Could not turn the store's foreign keys on again");
      return FALSE;
    }
  return TRUE;
}

/* @server_ids beside @verdicts, or NULL for @server_id for all. */
static gboolean
save_verdicts (ReinStore *self,
               const ReinDocumentVerdict *verdicts,
               const gint64 *server_ids,
               guint n_verdicts,
               gint64 server_id,
               GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (verdicts != NULL || n_verdicts == 0, FALSE);

  for (guint i = 0; i < n_verdicts; i++)
    g_return_val_if_fail (REIN_IS_DOCUMENT (verdicts[i].document), FALSE);

  for (guint group = 0; ok && group < n_verdicts; group += ROWS_PER_COMMIT)
    {
      /* The lock for one transaction: the main thread may go in between. */
      g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

      /* What servers sent can be fetched again (identities and orders
       * keep FULL). The foreign keys are checked by save_verdict_group()
       * itself, once a server rather than once a row (which also made
       * SQLite keep a statement journal for each row: 400,000 rows took
       * 20.4 s with the checks, 7.8 s without, in a mock-up). */
      /* (The pragma does nothing inside a transaction, and says nothing
       * of it: none may be open.) */
      if (!sqlite3_get_autocommit (self->db))
        {
          g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_DATABASE,
                               "Could not store fetched documents: a transaction is open");
          return FALSE;
        }
      if (!_rein_store_set_bulk (self, TRUE, error) || !exec (self, "PRAGMA foreign_keys = OFF", error))
        {
          /* half set: identities and orders must not stay without FULL */
          _rein_store_set_bulk (self, FALSE, NULL);
          foreign_keys_on (self, NULL);
          return FALSE;
        }
      ok = save_verdict_group (self, verdicts + group, MIN (ROWS_PER_COMMIT, n_verdicts - group),
                               server_ids != NULL ? server_ids + group : NULL, server_id, error);
      if (!foreign_keys_on (self, ok ? error : NULL))
        ok = FALSE;
      if (!_rein_store_set_bulk (self, FALSE, ok ? error : NULL) || !ok)
        return FALSE;
    }
  return ok;
}

gboolean
rein_store_save_verdicts (ReinStore *self,
                          const ReinDocumentVerdict *verdicts,
                          guint n_verdicts,
                          gint64 server_id,
                          GError **error)
{
  return save_verdicts (self, verdicts, NULL, n_verdicts, server_id, error);
}

gboolean
rein_store_save_verdicts_from (ReinStore *self,
                               const ReinDocumentVerdict *verdicts,
                               const gint64 *server_ids,
                               guint n_verdicts,
                               GError **error)
{
  g_return_val_if_fail (server_ids != NULL || n_verdicts == 0, FALSE);

  return save_verdicts (self, verdicts, server_ids, n_verdicts, 0, error);
}

/* Saves @n_verdicts in one transaction, with one single-row statement
 * stepped once a row (a statement of 250 rows was twice as slow: 400,000
 * rows took 10.4 s that way and 6.8 s this way, in a mock-up). */
static gboolean
save_verdict_group (ReinStore *self,
                    const ReinDocumentVerdict *verdicts,
                    guint n_verdicts,
                    const gint64 *server_ids,
                    gint64 server_id,
                    GError **error)
{
  static const gchar *const job_id_labels[] = { "Job ID", NULL };
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) server_exists = NULL;
  g_autoptr (GHashTable) servers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                          NULL);
  int rc;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  /* The foreign keys are off (save_verdicts()): a source server that is
   * gone is stored as NULL, as its deletion would have set it. No other
   * connection can delete one before the commit. */
  server_exists = prepare (self, "SELECT 1 FROM servers WHERE id = ?", error);
  if (server_exists == NULL)
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  for (guint i = 0; i < n_verdicts; i++)
    {
      gint64 source = server_ids != NULL ? server_ids[i] : server_id;

      if (source <= 0 || g_hash_table_contains (servers, &source))
        continue;
      sqlite3_reset (server_exists);
      sqlite3_bind_int64 (server_exists, 1, source);
      rc = sqlite3_step (server_exists);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          set_db_error (self, error, "Could not read the servers");
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      g_hash_table_insert (servers, g_memdup2 (&source, sizeof source),
                           GINT_TO_POINTER (rc == SQLITE_ROW));
    }
  sqlite3_reset (server_exists);
  stmt = prepare (self,
                  "INSERT INTO documents (hash, armored, doc_type, job_id, signer, "
                  "source_server, verification, verification_error, signature, "
                  "signature_code, signature_error, received) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now')) "
                  "ON CONFLICT (hash) DO UPDATE SET "
                  "verification = excluded.verification, "
                  "verification_error = excluded.verification_error, "
                  "source_server = coalesce (source_server, excluded.source_server), "
                  "signature_code = CASE WHEN excluded.signature IS NULL "
                  "THEN signature_code ELSE excluded.signature_code END, "
                  "signature_error = CASE WHEN excluded.signature IS NULL "
                  "THEN signature_error ELSE excluded.signature_error END, "
                  "signature = coalesce (excluded.signature, signature)",
                  error);
  if (stmt == NULL)
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  for (guint i = 0; i < n_verdicts; i++)
    {
      const ReinDocumentVerdict *verdict = &verdicts[i];
      ReinDocument *doc = verdict->document;
      ReinVerification signature = rein_document_get_verification (doc);
      gint64 source = server_ids != NULL ? server_ids[i] : server_id;

      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      sqlite3_bind_text (stmt, 1, rein_document_get_hash (doc), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, rein_document_get_armored (doc), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, rein_document_type_to_name (rein_document_get_document_type (doc)),
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, rein_document_get_field_any (doc, job_id_labels), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, rein_document_get_signer (doc), -1, SQLITE_STATIC);
      if (source > 0 && g_hash_table_lookup (servers, &source) != NULL)
        sqlite3_bind_int64 (stmt, 6, source);
      sqlite3_bind_int (stmt, 7, verdict->verification);
      if (verdict->verification == REIN_VERIFICATION_INVALID)
        sqlite3_bind_text (stmt, 8, verdict->reason ? verdict->reason : "invalid", -1,
                           SQLITE_STATIC);
      /* The document's own signature check, when it ran. */
      if (signature != REIN_VERIFICATION_UNCHECKED)
        {
          sqlite3_bind_int (stmt, 9, signature);
          sqlite3_bind_int (stmt, 10, rein_document_get_verification_code (doc));
          sqlite3_bind_text (stmt, 11, rein_document_get_verification_error (doc), -1,
                             SQLITE_STATIC);
        }
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_db_error (self, error, "Could not store fetched documents");
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (!exec (self, "COMMIT", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

void
rein_stored_verdict_free (ReinStoredVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->reason);
  g_free (verdict->signature_error);
  g_free (verdict);
}

GHashTable *
rein_store_lookup_verdicts (ReinStore *self,
                            const gchar *const *hashes,
                            guint n_hashes,
                            GError **error)
{
  const guint chunk = 500;
  g_autoptr (GHashTable) found = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (hashes != NULL || n_hashes == 0, NULL);

  found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) rein_stored_verdict_free);
  for (guint start = 0; start < n_hashes; start += chunk)
    {
      guint n = MIN (chunk, n_hashes - start);
      g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
      g_autoptr (GString) sql = g_string_new ("SELECT hash, verification, verification_error, "
                                              "signature, signature_code, signature_error, "
                                              "coalesce (source_server, 0) "
                                              "FROM documents WHERE hash IN (");
      g_autoptr (sqlite3_stmt) stmt = NULL;
      int rc;

      for (guint i = 0; i < n; i++)
        g_string_append (sql, i ? ", ?" : "?");
      g_string_append_c (sql, ')');
      stmt = prepare (self, sql->str, error);
      if (stmt == NULL)
        return NULL;
      for (guint i = 0; i < n; i++)
        sqlite3_bind_text (stmt, i + 1, hashes[start + i], -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          ReinStoredVerdict *verdict = g_new0 (ReinStoredVerdict, 1);

          verdict->verification = sqlite3_column_int (stmt, 1);
          verdict->reason = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
          verdict->source_server = sqlite3_column_int64 (stmt, 6);
          if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
            {
              verdict->signature = sqlite3_column_int (stmt, 3);
              verdict->signature_code = sqlite3_column_int (stmt, 4);
              verdict->signature_error = g_strdup ((const gchar *) sqlite3_column_text (stmt, 5));
            }
          g_hash_table_replace (found, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)),
                                verdict);
        }
      if (rc != SQLITE_DONE)
        {
          set_db_error (self, error, "Could not read documents");
          return NULL;
        }
    }
  return g_steal_pointer (&found);
}

gboolean
rein_store_get_verdict (ReinStore *self,
                        const gchar *hash,
                        ReinVerification *out_verification,
                        gchar **out_reason,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (hash != NULL, FALSE);

  stmt = prepare (self, "SELECT verification, verification_error FROM documents WHERE hash = ?",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    return set_db_error (self, error, "Could not read documents");
  if (out_verification)
    *out_verification = sqlite3_column_int (stmt, 0);
  if (out_reason)
    *out_reason = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

gboolean
rein_store_get_document_source (ReinStore *self,
                                const gchar *hash,
                                gint64 *out_server_id,
                                gint64 *out_received,
                                GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "SELECT coalesce (source_server, 0), received FROM documents WHERE hash = ?",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    return set_db_error (self, error, "Could not read documents");
  if (out_server_id)
    *out_server_id = sqlite3_column_int64 (stmt, 0);
  if (out_received)
    *out_received = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* The first column of every row of @stmt, as strings. */
static gboolean
append_texts (ReinStore *self, sqlite3_stmt *stmt, GPtrArray *out, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    return set_db_error (self, error, "Could not read documents");
  return TRUE;
}

static GPtrArray *
collect_texts (ReinStore *self, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (!append_texts (self, stmt, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* The texts of @stmt's first column as a NULL-terminated array. */
static GStrv
collect_strv (ReinStore *self, sqlite3_stmt *stmt, GError **error)
{
  GPtrArray *texts = collect_texts (self, stmt, error);

  if (texts == NULL)
    return NULL;
  g_ptr_array_add (texts, NULL);
  return (GStrv) g_ptr_array_free (texts, FALSE);
}

GPtrArray *
rein_store_list_job_documents (ReinStore *self, const gchar *job_id, GError **error)
{
  g_return_val_if_fail (job_id != NULL, NULL);

  return rein_store_list_jobs_documents (self, &job_id, 1, error);
}

/* Job IDs a statement: far below SQLite's variable limit. */
#define JOB_IDS_PER_QUERY 500

GPtrArray *
rein_store_list_jobs_documents (ReinStore *self,
                                const gchar *const *job_ids,
                                guint n_job_ids,
                                GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) full = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_return_val_if_fail (job_ids != NULL || n_job_ids == 0, NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  for (guint start = 0; start < n_job_ids; start += JOB_IDS_PER_QUERY)
    {
      guint n = MIN (JOB_IDS_PER_QUERY, n_job_ids - start);
      g_autoptr (sqlite3_stmt) partial = NULL;
      sqlite3_stmt *stmt;

      if (n == JOB_IDS_PER_QUERY && full != NULL)
        {
          sqlite3_reset (full);
          sqlite3_clear_bindings (full);
          stmt = full;
        }
      else
        {
          g_autoptr (GString) sql = g_string_new ("SELECT armored FROM documents "
                                                  "WHERE job_id IN (?");

          for (guint i = 1; i < n; i++)
            g_string_append (sql, ", ?");
          g_string_append (sql, ") ORDER BY id");
          stmt = prepare (self, sql->str, error);
          if (stmt == NULL)
            return NULL;
          if (n == JOB_IDS_PER_QUERY)
            full = stmt;
          else
            partial = stmt;
        }
      for (guint i = 0; i < n; i++)
        {
          g_return_val_if_fail (job_ids[start + i] != NULL, NULL);
          sqlite3_bind_text (stmt, (int) i + 1, job_ids[start + i], -1, SQLITE_STATIC);
        }
      if (!append_texts (self, stmt, out, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
rein_store_list_invalid_job_documents (ReinStore *self, guint max, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  G_STATIC_ASSERT (REIN_VERIFICATION_INVALID == 2); /* the partial index's */
  stmt = prepare (self,
                  "SELECT armored FROM documents INDEXED BY documents_invalid "
                  "WHERE verification = 2 AND job_id IS NOT NULL ORDER BY id DESC LIMIT ?",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, max);
  return collect_texts (self, stmt, error);
}

static gboolean
clear_market_pending (ReinStore *self, gint64 identity_id)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (self, "DELETE FROM market_pending WHERE identity_id = ?",
                                           NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  return sqlite3_step (stmt) == SQLITE_DONE;
}

gboolean
rein_store_add_market_pending (ReinStore *self,
                               gint64 identity_id,
                               GPtrArray *job_ids,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (job_ids != NULL, FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "INSERT OR IGNORE INTO market_pending (identity_id, job_id) VALUES (?, ?)",
                  error);
  if (stmt == NULL || !exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < job_ids->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, identity_id);
      sqlite3_bind_text (stmt, 2, g_ptr_array_index (job_ids, i), -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_db_error (self, error, "Could not note the jobs to index");
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (exec (self, "COMMIT", error))
    return TRUE;
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

GPtrArray *
rein_store_list_market_pending (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT job_id FROM market_pending WHERE identity_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  return collect_texts (self, stmt, error);
}

GHashTable *
rein_store_get_market_cursors (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (GHashTable) cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "SELECT s.url, c.cursor FROM market_cursors c JOIN servers s ON s.id = c.server_id "
                  "WHERE c.identity_id = ?",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (cursors, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const gchar *) sqlite3_column_text (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read the market's cursors");
      return NULL;
    }
  return g_steal_pointer (&cursors);
}

gboolean
rein_store_set_market_cursors (ReinStore *self,
                               gint64 identity_id,
                               GHashTable *cursors,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) clear = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  GHashTableIter iter;
  gpointer url, cursor;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  clear = prepare (self, "DELETE FROM market_cursors WHERE identity_id = ?", error);
  if (clear == NULL)
    return FALSE;
  insert = prepare (self,
                    "INSERT INTO market_cursors (identity_id, server_id, cursor) "
                    "SELECT ?1, id, ?3 FROM servers WHERE url = ?2",
                    error);
  if (insert == NULL || !exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  sqlite3_bind_int64 (clear, 1, identity_id);
  if (sqlite3_step (clear) != SQLITE_DONE)
    goto failed;
  if (!clear_market_pending (self, identity_id))
    goto failed;
  if (cursors != NULL)
    {
      g_hash_table_iter_init (&iter, cursors);
      while (g_hash_table_iter_next (&iter, &url, &cursor))
        {
          sqlite3_reset (insert);
          sqlite3_bind_int64 (insert, 1, identity_id);
          sqlite3_bind_text (insert, 2, url, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (insert, 3, cursor, -1, SQLITE_TRANSIENT);
          if (sqlite3_step (insert) != SQLITE_DONE)
            goto failed;
        }
    }
  if (exec (self, "COMMIT", error))
    return TRUE;
  exec (self, "ROLLBACK", NULL);
  return FALSE;

failed:
  set_db_error (self, error, "Could not keep the market's cursors");
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gint
rein_store_count_completed_jobs (ReinStore *self,
                                 const gchar *worker_address,
                                 const gchar *except_job_id,
                                 GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree gchar *sql = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), -1);
  g_return_val_if_fail (worker_address != NULL, -1);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  sql = g_strdup_printf ("SELECT count (DISTINCT d.job_id) FROM documents d "
                         "WHERE d.doc_type = 'delivery' AND d.signer = ?1 "
                         "AND d.verification = %d AND d.job_id IS NOT ?2 "
                         "AND EXISTS (SELECT 1 FROM documents a WHERE a.job_id = d.job_id "
                         "AND a.doc_type IN ('accept', 'resolution') AND a.verification = %d)",
                         REIN_VERIFICATION_VALID, REIN_VERIFICATION_VALID);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, worker_address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, except_job_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (self, error, "Could not read documents");
      return -1;
    }
  return sqlite3_column_int (stmt, 0);
}

GPtrArray *
rein_store_list_enrollments (ReinStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree gchar *sql = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  sql = g_strdup_printf ("SELECT armored FROM documents WHERE doc_type = 'enrollment' "
                         "AND verification != %d ORDER BY id", REIN_VERIFICATION_INVALID);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  return collect_texts (self, stmt, error);
}

GStrv
rein_store_list_job_ids (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "SELECT job_id FROM documents WHERE identity_id = ?1 AND job_id IS NOT NULL "
                  "UNION SELECT job_id FROM orders WHERE identity_id = ?1 ORDER BY 1",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  return collect_strv (self, stmt, error);
}

GStrv
rein_store_list_unsent_job_ids (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  /* ours, not fetched from a server, and no server holds them as they
   * are (a placement whose hash was checked) */
  stmt = prepare (self,
                  "SELECT DISTINCT job_id FROM documents d WHERE identity_id = ? "
                  "AND job_id IS NOT NULL AND source_server IS NULL AND NOT EXISTS "
                  "(SELECT 1 FROM placements p WHERE p.document_id = d.id "
                  "AND p.verified_hash = d.hash) ORDER BY 1",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  return collect_strv (self, stmt, error);
}

void
rein_stored_order_free (ReinStoredOrder *order)
{
  if (order == NULL)
    return;
  g_free (order->job_id);
  g_free (order->role);
  g_free (order->state);
  g_free (order->seen_state);
  g_free (order);
}

gboolean
rein_store_set_order (ReinStore *self,
                      const gchar *job_id,
                      gint64 identity_id,
                      const gchar *role,
                      const gchar *state,
                      GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (job_id != NULL && role != NULL && state != NULL, FALSE);

  stmt = prepare (self,
                  "INSERT INTO orders (job_id, identity_id, role, state, updated) "
                  "VALUES (?, ?, ?, ?, strftime('%s','now')) "
                  "ON CONFLICT (job_id, identity_id) DO UPDATE SET role = excluded.role, "
                  "state = excluded.state, updated = excluded.updated "
                  "WHERE role != excluded.role OR state != excluded.state",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, job_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, identity_id);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, state, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        {
          g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               "No such identity");
          return FALSE;
        }
      return set_db_error (self, error, "Could not record the order");
    }
  return TRUE;
}

gboolean
rein_store_set_order_seen (ReinStore *self,
                           const gchar *job_id,
                           gint64 identity_id,
                           const gchar *state,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (job_id != NULL && state != NULL, FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "UPDATE orders SET seen_state = ? WHERE job_id = ? AND identity_id = ?",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, job_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, identity_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Could not record what was seen of the order");
  return TRUE;
}

GPtrArray *
rein_store_list_orders (ReinStore *self, gint64 identity_id, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rein_stored_order_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT job_id, role, state, updated, seen_state FROM orders "
                        "WHERE identity_id = ? ORDER BY job_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ReinStoredOrder *order = g_new0 (ReinStoredOrder, 1);

      order->job_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
      order->role = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
      order->state = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
      order->updated = sqlite3_column_int64 (stmt, 3);
      order->seen_state = g_strdup ((const gchar *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (out, order);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read orders");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- Payouts ---- */

void
rein_stored_payout_free (ReinStoredPayout *payout)
{
  if (payout == NULL)
    return;
  g_free (payout->job_id);
  g_free (payout->escrow);
  g_free (payout->state);
  g_free (payout->psbt);
  g_free (payout->signers);
  g_free (payout->txid);
  g_free (payout);
}

gboolean
rein_store_set_payout (ReinStore *self,
                       gint64 identity_id,
                       const ReinStoredPayout *payout,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_return_val_if_fail (payout != NULL && payout->job_id != NULL && payout->escrow != NULL
                          && payout->state != NULL && payout->psbt != NULL,
                        FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self,
                  "INSERT INTO payouts (job_id, identity_id, escrow, state, psbt, signers, txid, "
                  "confirmations, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now')) "
                  "ON CONFLICT (job_id, identity_id, escrow) DO UPDATE SET state = excluded.state, "
                  "psbt = excluded.psbt, signers = excluded.signers, txid = excluded.txid, "
                  "confirmations = excluded.confirmations, updated = excluded.updated",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, payout->job_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, identity_id);
  sqlite3_bind_text (stmt, 3, payout->escrow, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, payout->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, payout->psbt, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, payout->signers, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, payout->txid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, payout->confirmations);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        {
          g_set_error_literal (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND,
                               "No such identity");
          return FALSE;
        }
      return set_db_error (self, error, "Could not record the payout");
    }
  return TRUE;
}

GPtrArray *
rein_store_list_payouts (ReinStore *self,
                         gint64 identity_id,
                         const gchar *job_id,
                         GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rein_stored_payout_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT job_id, escrow, state, psbt, signers, txid, confirmations, "
                        "updated FROM payouts WHERE identity_id = ? "
                        "AND (?2 IS NULL OR job_id = ?2) ORDER BY job_id, escrow DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_text (stmt, 2, job_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ReinStoredPayout *payout = g_new0 (ReinStoredPayout, 1);

      payout->job_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
      payout->escrow = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
      payout->state = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
      payout->psbt = g_strdup ((const gchar *) sqlite3_column_text (stmt, 3));
      payout->signers = g_strdup ((const gchar *) sqlite3_column_text (stmt, 4));
      payout->txid = g_strdup ((const gchar *) sqlite3_column_text (stmt, 5));
      payout->confirmations = sqlite3_column_int64 (stmt, 6);
      payout->updated = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (out, payout);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read payouts");
      return NULL;
    }
  return g_steal_pointer (&out);
}

GHashTable *
rein_store_list_placements (ReinStore *self, gint64 server_id, GError **error)
{
  g_autoptr (GHashTable) out = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                      (GDestroyNotify) rein_placement_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (REIN_IS_STORE (self), NULL);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT document_id, remote_key, verified_hash, updated "
                        "FROM placements WHERE server_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, server_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ReinPlacement *p = g_new0 (ReinPlacement, 1);

      p->document_id = sqlite3_column_int64 (stmt, 0);
      p->remote_key = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
      p->verified_hash = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
      p->updated = sqlite3_column_int64 (stmt, 3);
      /* the key points into the value */
      g_hash_table_insert (out, &p->document_id, p);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "Could not read placements");
      return NULL;
    }
  return g_steal_pointer (&out);
}

void
rein_placement_free (ReinPlacement *placement)
{
  if (placement == NULL)
    return;
  g_free (placement->remote_key);
  g_free (placement->verified_hash);
  g_free (placement);
}

gboolean
rein_store_set_placements (ReinStore *self,
                           gint64 server_id,
                           GPtrArray *placements,
                           GError **error)
{
  /* Multi-row statements, each atomic on its own: no explicit transaction,
   * so nothing another thread does on the connection can end up inside
   * one. 400 rows of 4 values stay far below SQLite's variable limit. */
  const guint chunk = 400;

  g_return_val_if_fail (REIN_IS_STORE (self), FALSE);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_return_val_if_fail (placements != NULL, FALSE);

  for (guint start = 0; start < placements->len; start += chunk)
    {
      guint n = MIN (chunk, placements->len - start);
      g_autoptr (GString) sql = g_string_new ("INSERT INTO placements (document_id, server_id, "
                                              "remote_key, verified_hash, updated) VALUES ");
      g_autoptr (sqlite3_stmt) stmt = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append (sql, i ? ", (?, ?, ?, ?, " NOW_MS ")" : "(?, ?, ?, ?, " NOW_MS ")");
      g_string_append (sql, " ON CONFLICT (document_id, server_id) DO UPDATE SET "
                            "remote_key = excluded.remote_key, "
                            "verified_hash = excluded.verified_hash, updated = excluded.updated");
      stmt = prepare (self, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          ReinPlacement *p = g_ptr_array_index (placements, start + i);

          sqlite3_bind_int64 (stmt, 4 * i + 1, p->document_id);
          sqlite3_bind_int64 (stmt, 4 * i + 2, server_id);
          sqlite3_bind_text (stmt, 4 * i + 3, p->remote_key, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 4 * i + 4, p->verified_hash, -1, SQLITE_TRANSIENT);
        }
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return set_db_error (self, error, "Could not record placements");
    }
  return TRUE;
}

guint
rein_store_count_own_documents (ReinStore *self, gint64 identity_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (REIN_IS_STORE (self), 0);
  g_autoptr (GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  stmt = prepare (self, "SELECT count(*) FROM documents WHERE identity_id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

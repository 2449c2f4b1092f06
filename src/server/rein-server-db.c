/* rein-server-db.c: what rein-server's stores share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules (a put's checks in protocol order, the nonce's life, which
 * delegate signs) live here once; the stores (rein-server-db-sqlite.c,
 * rein-server-db-pg.c) only read and write.
 */
#include "rein-server-db-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "rein-bitcoin.h"

static const struct
{
  ReinServerQuery query;
  const gchar *name;
} query_names[] = {
  { REIN_SERVER_QUERY_MEDIATORS, "mediators" },
  { REIN_SERVER_QUERY_JOBS, "jobs" },
  { REIN_SERVER_QUERY_BIDS, "bids" },
  { REIN_SERVER_QUERY_DELIVERIES, "deliveries" },
  { REIN_SERVER_QUERY_IN_PROCESS, "in-process" },
  { REIN_SERVER_QUERY_REVIEW, "review" },
  { REIN_SERVER_QUERY_BY_JOB_ID, "by_job_id" },
  { REIN_SERVER_QUERY_DISPUTE, "dispute" },
  { REIN_SERVER_QUERY_ENROLLMENTS, "enrollments" },
  /* "dest" or "source" chooses which (rein-server.c) */
  { REIN_SERVER_QUERY_RATINGS_OF, "get_user_ratings" },
  { REIN_SERVER_QUERY_RATINGS_BY, "get_user_ratings" },
  { REIN_SERVER_QUERY_JOB_DOCUMENTS, "job_documents" },
};

gboolean
rein_server_query_from_name (const gchar *name, ReinServerQuery *out_query)
{
  g_return_val_if_fail (out_query != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (query_names); i++)
    if (strcmp (query_names[i].name, name) == 0)
      {
        *out_query = query_names[i].query;
        return TRUE;
      }
  return FALSE;
}

const gchar *
rein_server_query_to_name (ReinServerQuery query)
{
  for (guint i = 0; i < G_N_ELEMENTS (query_names); i++)
    if (query_names[i].query == query)
      return query_names[i].name;
  return NULL;
}

gchar **
rein_server_db_user_keys_of_stored (const gchar *value_json)
{
  g_autoptr (JsonNode) node = value_json != NULL ? json_from_string (value_json, NULL) : NULL;
  g_autoptr (ReinServerEntry) entry = NULL;
  const gchar *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  entry = rein_server_entry_new (text, strlen (text), NULL);
  if (entry == NULL || entry->type != REIN_DOCUMENT_TYPE_ENROLLMENT)
    return NULL;
  return g_steal_pointer (&entry->user_keys);
}

GPtrArray *
rein_server_db_find_user (ReinServerDb *db,
                          gboolean testnet,
                          const gchar *search,
                          guint limit,
                          GError **error)
{
  static const struct
  {
    ReinServerQuery query;
    const gchar *prefix;
  } by_text[] = {
    { REIN_SERVER_QUERY_USER_NAME, "user:" },
    { REIN_SERVER_QUERY_USER_CONTACT, "contact:" },
  };
  g_autofree gchar *sin_key = rein_server_user_key ("sin:", search);
  g_autofree gchar *address_hash = rein_server_address_key_hash (search);
  const gchar *keys[3] = { NULL };
  guint n_keys = 0;
  GPtrArray *values;
  gint64 cursor;

  g_return_val_if_fail (search != NULL, NULL);

  if (sin_key == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  keys[n_keys++] = sin_key;
  if (address_hash != NULL)
    keys[n_keys++] = address_hash;
  values = rein_server_db_query (db, REIN_SERVER_QUERY_ENROLLMENTS, testnet, "", keys, limit, 0,
                                 0, &cursor, error);
  for (guint i = 0; i < G_N_ELEMENTS (by_text) && values != NULL && values->len == 0; i++)
    {
      g_autofree gchar *key = rein_server_user_key (by_text[i].prefix, search);

      g_ptr_array_unref (values);
      values = rein_server_db_query (db, by_text[i].query, testnet,
                                     key + strlen (by_text[i].prefix), NULL, limit, 0, 0,
                                     &cursor, error);
    }
  return values;
}

/* The type names stored in the database; kept here so that the stored form
 * never depends on another layer's enum. */
const gchar *
rein_server_db_type_name (ReinDocumentType type)
{
  switch (type)
    {
    case REIN_DOCUMENT_TYPE_ENROLLMENT:
      return "enrollment";
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return "job_posting";
    case REIN_DOCUMENT_TYPE_BID:
      return "bid";
    case REIN_DOCUMENT_TYPE_OFFER:
      return "offer";
    case REIN_DOCUMENT_TYPE_DELIVERY:
      return "delivery";
    case REIN_DOCUMENT_TYPE_ACCEPT:
      return "accept";
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      return "creatordispute";
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      return "workerdispute";
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      return "resolution";
    case REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION:
      return "acceptresolution";
    case REIN_DOCUMENT_TYPE_RATING:
      return "rating";
    case REIN_DOCUMENT_TYPE_UNKNOWN:
    default:
      return "unknown";
    }
}

ReinServerBucket *
rein_server_bucket_new (gint64 id, const gchar *created, gint64 bytes_used)
{
  ReinServerBucket *bucket = g_new0 (ReinServerBucket, 1);

  bucket->id = id;
  bucket->created = g_strdup (created != NULL ? created : "");
  bucket->bytes_free = REIN_SERVER_BUCKET_SIZE - bytes_used;
  return bucket;
}

void
rein_server_bucket_free (ReinServerBucket *bucket)
{
  if (bucket == NULL)
    return;
  g_free (bucket->created);
  g_free (bucket);
}

/* ---- which store ---- */

gboolean
rein_server_db_is_uri (const gchar *database)
{
  return database != NULL
         && (g_str_has_prefix (database, "postgresql://")
             || g_str_has_prefix (database, "postgres://"));
}

gchar *
rein_server_db_display_name (const gchar *database)
{
  const gchar *start, *at, *colon;

  g_return_val_if_fail (database != NULL, NULL);

  if (!rein_server_db_is_uri (database))
    return g_strdup (database);

  /* postgresql://user:password@host...: the password never goes into a
   * log or an error. */
  start = strstr (database, "://") + 3;
  at = strchr (start, '@');
  if (at != NULL && strchr (start, '/') != NULL && strchr (start, '/') < at)
    at = NULL;
  colon = at != NULL ? memchr (start, ':', (gsize) (at - start)) : NULL;
  if (colon != NULL)
    return g_strdup_printf ("%.*s:***%s", (int) (colon - database), database, at);
  /* A password may also come as a parameter. */
  if (strchr (database, '?') != NULL && strstr (strchr (database, '?'), "password=") != NULL)
    return g_strdup_printf ("%.*s?***", (int) (strchr (database, '?') - database), database);
  return g_strdup (database);
}

ReinServerDb *
rein_server_db_open (const gchar *database, gboolean writable, GError **error)
{
  g_return_val_if_fail (database != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (rein_server_db_is_uri (database))
    return rein_server_db_pg_open (database, writable, error);
  return rein_server_db_sqlite_open (database, writable, error);
}

void
rein_server_db_close (ReinServerDb *db)
{
  if (db != NULL)
    db->ops->close (db);
}

gboolean
rein_server_db_begin (ReinServerDb *db, GError **error)
{
  return db->ops->transaction (db, REIN_SERVER_DB_BEGIN, error);
}

gboolean
rein_server_db_commit (ReinServerDb *db, GError **error)
{
  return db->ops->transaction (db, REIN_SERVER_DB_COMMIT, error);
}

void
rein_server_db_rollback (ReinServerDb *db)
{
  db->ops->transaction (db, REIN_SERVER_DB_ROLLBACK, NULL);
}

gboolean
rein_server_db_savepoint (ReinServerDb *db, GError **error)
{
  return db->ops->transaction (db, REIN_SERVER_DB_SAVEPOINT, error);
}

void
rein_server_db_release (ReinServerDb *db, gboolean keep)
{
  db->ops->transaction (db, keep ? REIN_SERVER_DB_RELEASE : REIN_SERVER_DB_ROLL_BACK_TO, NULL);
}

/* ---- /request ---- */

GPtrArray *
rein_server_db_request_bucket (ReinServerDb *db,
                               const gchar *owner,
                               const gchar *delegate,
                               const gchar *contact,
                               gboolean *out_granted,
                               GError **error)
{
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (owner != NULL && delegate != NULL, NULL);

  /* The delegate is the one registered first; a later /request cannot
   * replace it, or anyone could take over an owner's storage. */
  return db->ops->request_bucket (db, owner, delegate, contact, out_granted, error);
}

/* ---- /nonce ---- */

gchar *
rein_server_db_nonce (ReinServerDb *db,
                      const gchar *address,
                      const gchar *clear,
                      GError **error)
{
  g_autofree gchar *nonce = NULL;
  guint8 random[16];

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (!db->ops->lookup_owner (db, address, NULL, &nonce, error))
    return NULL;

  if (clear != NULL && *clear != '\0' && strcmp (clear, nonce) == 0)
    {
      if (!db->ops->set_owner (db, address, REIN_SERVER_DB_OWNER_NONCE, "", error))
        return NULL;
      return g_strdup ("");
    }
  if (strlen (nonce) == 32)
    return g_steal_pointer (&nonce);

  rein_random_bytes (random, sizeof random);
  g_clear_pointer (&nonce, g_free);
  nonce = rein_hex_encode (random, sizeof random);
  if (!db->ops->set_owner (db, address, REIN_SERVER_DB_OWNER_NONCE, nonce, error))
    return NULL;
  return g_steal_pointer (&nonce);
}

/* ---- /put ---- */

/* Whether @put carries the owner's enrollment (verified, so signed by the
 * master it names) naming the put's signer as its delegate. */
static gboolean
put_enrolls_signer (const ReinServerPut *put)
{
  g_autofree gchar *owner = rein_server_address_key_hash (put->owner);
  g_autofree gchar *signer = rein_server_address_key_hash (put->signature_address);

  return put->entry != NULL && put->entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT
         && owner != NULL && signer != NULL
         && g_strcmp0 (put->entry->master_key_hash, owner) == 0
         && g_strcmp0 (put->entry->delegate_key_hash, signer) == 0;
}

gboolean
rein_server_db_put (ReinServerDb *db, const ReinServerPut *put, GError **error)
{
  g_autofree gchar *delegate = NULL;
  g_autofree gchar *nonce = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (put != NULL && put->key != NULL && put->owner != NULL, FALSE);

  /* The original server's order of checks, then ours. */
  if (!db->ops->lookup_owner (db, put->owner, &delegate, &nonce, error))
    return FALSE;
  if (*nonce == '\0' || put->nonce == NULL || strcmp (nonce, put->nonce) != 0)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_BAD_NONCE, "Bad nonce");
      return FALSE;
    }
  if (!put->signature_ok)
    {
      g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_BAD_SIGNATURE,
                           "Incorrect signature");
      return FALSE;
    }
  if (!rein_same_key (delegate, put->signature_address))
    {
      /* Whoever called /request first registered the delegate; the owner's
       * master signature outweighs that, so that nobody can squat an
       * owner's buckets by registering first. */
      if (!put_enrolls_signer (put))
        {
          g_set_error_literal (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_WRONG_DELEGATE,
                               "Signature address is not the owner's registered delegate");
          return FALSE;
        }
      if (!db->ops->set_owner (db, put->owner, REIN_SERVER_DB_OWNER_DELEGATE,
                               put->signature_address, error))
        return FALSE;
    }
  if (put->entry == NULL)
    {
      g_set_error (error, REIN_SERVER_ERROR, REIN_SERVER_ERROR_BAD_DOCUMENT,
                   "Value is not a validly signed Rein document: %s",
                   put->entry_error != NULL ? put->entry_error->message : "unknown error");
      return FALSE;
    }

  return rein_server_db_store (db, put->owner, put->key, put->entry, put->testnet, error);
}

gboolean
rein_server_db_store (ReinServerDb *db,
                      const gchar *owner,
                      const gchar *key,
                      const ReinServerEntry *entry,
                      gboolean testnet,
                      GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (owner != NULL && key != NULL && entry != NULL, FALSE);

  return db->ops->store (db, owner, key, entry, testnet, error);
}

/* ---- reads ---- */

gchar *
rein_server_db_get (ReinServerDb *db, const gchar *key, GError **error)
{
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return db->ops->get (db, key, error);
}

gboolean
rein_server_db_has_account (ReinServerDb *db, const gchar *owner, GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  if (owner == NULL)
    return FALSE;
  return db->ops->has_account (db, owner, error);
}

GPtrArray *
rein_server_db_query (ReinServerDb *db,
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
  gint64 cursor = 0;
  GPtrArray *values;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (since >= 0, NULL);

  values = db->ops->query (db, query, testnet, param, job_ids, limit, offset, since, &cursor,
                           error);
  if (out_cursor != NULL)
    *out_cursor = cursor;
  return values;
}

gint64
rein_server_db_next_cursor (guint n_values, guint limit, gint64 last, gint64 latest)
{
  /* A full page: go on after its last document. */
  if (n_values > 0 && n_values >= limit)
    return last;
  /* The end: whatever was stored up to when the query began is answered.
   * A document committed meanwhile may have been answered too (@last
   * above @latest): not again. */
  return n_values > 0 ? MAX (last, latest) : latest;
}

gchar *
rein_server_db_explain (ReinServerDb *db, ReinServerQuery query, GError **error)
{
  g_return_val_if_fail (db != NULL, NULL);

  return db->ops->explain (db, query, error);
}

gint64
rein_server_db_count_keys (ReinServerDb *db, GError **error)
{
  g_return_val_if_fail (db != NULL, -1);

  return db->ops->count_keys (db, error);
}

gboolean
rein_server_db_check_integrity (ReinServerDb *db, GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return db->ops->check (db, FALSE, error);
}

gboolean
rein_server_db_quick_check (ReinServerDb *db, GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return db->ops->check (db, TRUE, error);
}

gboolean
rein_server_db_is_read_only (ReinServerDb *db, GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  /* SQLite: only when asked (rein-server --read-only). */
  if (db->ops != rein_server_db_pg_ops ())
    return FALSE;
  return rein_server_db_pg_is_read_only (db, error);
}

/* rein-server-db-private.h: what a rein-server store implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rein-server-db.c holds what every store shares (the order of a put's
 * checks, the nonce rules, the names of queries and types) and calls the
 * store's operations below for everything that touches the database. A
 * store's handle starts with ReinServerDb.
 */
#pragma once

#include "rein-server-db.h"

G_BEGIN_DECLS

typedef enum
{
  REIN_SERVER_DB_BEGIN,
  REIN_SERVER_DB_COMMIT,
  REIN_SERVER_DB_ROLLBACK,
  REIN_SERVER_DB_SAVEPOINT,
  REIN_SERVER_DB_RELEASE,     /* keeps what the savepoint saw */
  REIN_SERVER_DB_ROLL_BACK_TO /* undoes it, then releases */
} ReinServerDbStep;

typedef enum
{
  REIN_SERVER_DB_OWNER_NONCE,
  REIN_SERVER_DB_OWNER_DELEGATE,
} ReinServerDbOwnerField;

typedef struct
{
  void (*close) (ReinServerDb *db);
  gboolean (*transaction) (ReinServerDb *db, ReinServerDbStep step, GError **error);
  /* The owner's delegate and nonce; REIN_SERVER_ERROR_USER_NOT_FOUND when
   * there is no such owner. Inside a transaction the owner stays as read
   * until it ends (a store shared by several processes locks it). */
  gboolean (*lookup_owner) (ReinServerDb *db,
                            const gchar *address,
                            gchar **out_delegate,
                            gchar **out_nonce,
                            GError **error);
  gboolean (*set_owner) (ReinServerDb *db,
                         const gchar *address,
                         ReinServerDbOwnerField field,
                         const gchar *value,
                         GError **error);
  GPtrArray *(*request_bucket) (ReinServerDb *db,
                                const gchar *owner,
                                const gchar *delegate,
                                const gchar *contact,
                                gboolean *out_granted,
                                GError **error);
  gboolean (*store) (ReinServerDb *db,
                     const gchar *owner,
                     const gchar *key,
                     const ReinServerEntry *entry,
                     gboolean testnet,
                     GError **error);
  gchar *(*get) (ReinServerDb *db, const gchar *key, GError **error);
  gboolean (*has_account) (ReinServerDb *db, const gchar *owner, GError **error);
  GPtrArray *(*query) (ReinServerDb *db,
                       ReinServerQuery query,
                       gboolean testnet,
                       const gchar *param,
                       const gchar *const *values,
                       guint limit,
                       guint offset,
                       gint64 since,
                       gint64 *out_cursor,
                       GError **error);
  gchar *(*explain) (ReinServerDb *db, ReinServerQuery query, GError **error);
  gint64 (*count_keys) (ReinServerDb *db, GError **error);
  gboolean (*check) (ReinServerDb *db, gboolean quick, GError **error);
} ReinServerDbOps;

struct _ReinServerDb
{
  const ReinServerDbOps *ops;
};

/* The stores. */
ReinServerDb *rein_server_db_sqlite_open (const gchar *path, gboolean writable, GError **error);
ReinServerDb *rein_server_db_pg_open (const gchar *uri, gboolean writable, GError **error);

/* PostgreSQL: the store's operations, and whether it only reads. */
const ReinServerDbOps *rein_server_db_pg_ops (void);
gboolean rein_server_db_pg_is_read_only (ReinServerDb *db, GError **error);

/* The type name stored for @type ("job_posting", ...). */
const gchar *rein_server_db_type_name (ReinDocumentType type);

/* A query's cursor (rein_server_db_query()): @n_values answered of @limit,
 * the last with id @last (or the query's since when none), @latest the
 * highest id given when the query began. */
gint64 rein_server_db_next_cursor (guint n_values, guint limit, gint64 last, gint64 latest);

/* Bucket fields as both stores answer them. */
ReinServerBucket *rein_server_bucket_new (gint64 id, const gchar *created, gint64 bytes_used);

/* The "get_user" keys (ReinServerEntry's user_keys) of an enrollment
 * stored before they were indexed, from its stored JSON string literal;
 * NULL when it does not read back as a valid enrollment. For the stores'
 * migrations. */
gchar **rein_server_db_user_keys_of_stored (const gchar *value_json);

G_END_DECLS

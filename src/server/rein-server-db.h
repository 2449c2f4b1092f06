/* rein-server-db.h: rein-server's store: SQLite (a path) or PostgreSQL (a URI)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-server-entry.h"
#include "rein-server-error.h"

G_BEGIN_DECLS

/* Storage granted per bucket, key and value bytes counted. */
#define REIN_SERVER_BUCKET_SIZE (1024 * 1024)
/* Free buckets one owner may request. */
#define REIN_SERVER_MAX_BUCKETS 4

/* One connection to the database. Not thread-safe: a connection belongs to
 * one thread at a time (the server has a writer thread and readers; SQLite's
 * WAL and PostgreSQL's MVCC let them work at the same time). */
typedef struct _ReinServerDb ReinServerDb;

typedef struct
{
  gint64 id;
  gchar *created;   /* "YYYY-MM-DD HH:MM:SS", UTC */
  gint64 bytes_free;
} ReinServerBucket;

void rein_server_bucket_free (ReinServerBucket *bucket);

typedef enum
{
  REIN_SERVER_QUERY_MEDIATORS,
  REIN_SERVER_QUERY_JOBS,
  REIN_SERVER_QUERY_BIDS,
  REIN_SERVER_QUERY_DELIVERIES,
  REIN_SERVER_QUERY_IN_PROCESS,
  REIN_SERVER_QUERY_REVIEW,
  REIN_SERVER_QUERY_BY_JOB_ID,
  REIN_SERVER_QUERY_DISPUTE,
  /* Our extension: enrollments naming any of the given addresses as their
   * master or delegate (the signers a reader must bind to identities). */
  REIN_SERVER_QUERY_ENROLLMENTS,
  /* python-rein 0.3's "get_user_ratings": the ratings of the user whose
   * SIN is the parameter (dest), or by that user (source), each answered
   * as a {"key": HASH, "value": DOCUMENT} object as the original does. */
  REIN_SERVER_QUERY_RATINGS_OF,
  REIN_SERVER_QUERY_RATINGS_BY,
  /* Our extension: every document that names a job (postings, bids,
   * offers, deliveries, ...), meant with `since`: what a market reader
   * asks for to learn what is new. */
  REIN_SERVER_QUERY_JOB_DOCUMENTS,
  /* python-rein 0.3's "get_user" by name or by contact: enrollments
   * whose "User" (or "Contact") holds the parameter, lowercased
   * (rein_server_user_key() without its prefix). See
   * rein_server_db_find_user(). */
  REIN_SERVER_QUERY_USER_NAME,
  REIN_SERVER_QUERY_USER_CONTACT,
} ReinServerQuery;

/* "mediators", "jobs", ..., "by_job_id", "dispute". */
gboolean rein_server_query_from_name (const gchar *name, ReinServerQuery *out_query);
const gchar *rein_server_query_to_name (ReinServerQuery query);

/* What a put carries once its signatures have been checked. */
typedef struct
{
  const gchar *key;
  const gchar *owner;
  const gchar *nonce;
  const gchar *signature_address;
  gboolean signature_ok;          /* signs key + value + signature_address + nonce */
  const ReinServerEntry *entry;   /* NULL when the value failed to verify */
  const GError *entry_error;      /* why, when entry is NULL */
  gboolean testnet;
} ReinServerPut;

/* Whether @database is a PostgreSQL connection URI (postgresql://...,
 * postgres://...) rather than a SQLite file. */
gboolean rein_server_db_is_uri (const gchar *database);
/* @database as it may be shown in logs and errors: a URI without its
 * password. */
gchar *rein_server_db_display_name (const gchar *database);

/* Opens @database: a SQLite file (created when needed, in WAL mode with
 * synchronous=FULL) or a PostgreSQL URI (rein_server_db_is_uri()), and
 * brings its schema up to date when @writable. */
ReinServerDb *rein_server_db_open (const gchar *database, gboolean writable, GError **error);
void rein_server_db_close (ReinServerDb *db);

/* Transactions, for grouping puts into one commit; savepoints isolate each
 * request inside the group. */
gboolean rein_server_db_begin (ReinServerDb *db, GError **error);
gboolean rein_server_db_commit (ReinServerDb *db, GError **error);
void rein_server_db_rollback (ReinServerDb *db);
gboolean rein_server_db_savepoint (ReinServerDb *db, GError **error);
void rein_server_db_release (ReinServerDb *db, gboolean keep);

/* /request: registers @owner with @delegate (first time only) and grants a
 * free bucket while the owner has fewer than REIN_SERVER_MAX_BUCKETS.
 * Returns every bucket of the owner (ReinServerBucket). */
GPtrArray *rein_server_db_request_bucket (ReinServerDb *db,
                                          const gchar *owner,
                                          const gchar *delegate,
                                          const gchar *contact,
                                          gboolean *out_granted,
                                          GError **error);

/* /nonce: the owner's current nonce, a new one when it has none, or "" when
 * @clear equals the current one (which is then cleared). */
gchar *rein_server_db_nonce (ReinServerDb *db,
                             const gchar *address,
                             const gchar *clear,
                             GError **error);

/* /put: every check in protocol order, then store. */
gboolean rein_server_db_put (ReinServerDb *db, const ReinServerPut *put, GError **error);

/* Stores @entry under @key for @owner, with the storage accounting of a put
 * but none of its authentication (for put itself and for loading tools). */
gboolean rein_server_db_store (ReinServerDb *db,
                               const gchar *owner,
                               const gchar *key,
                               const ReinServerEntry *entry,
                               gboolean testnet,
                               GError **error);

/* /get: the value under @key, as a JSON string literal. */
gchar *rein_server_db_get (ReinServerDb *db, const gchar *key, GError **error);

/* Whether @owner holds at least one bucket. */
gboolean rein_server_db_has_account (ReinServerDb *db, const gchar *owner, GError **error);

/* /query: armored documents as JSON string literals (gchar *), oldest first. @param is the public key
 * for deliveries/in-process/review; @job_ids for by_job_id and dispute.
 * Only documents whose sequence (the documents' id: it grows in commit
 * order and is never given twice) is above @since (0: all) are answered:
 * keyset paging, and "what is new since".
 *
 * @out_cursor (may be NULL) is what to pass as @since to go on after this
 * answer: with @limit documents answered (more may follow), the sequence
 * of the last one; otherwise the database's latest sequence when the
 * query began (so a later query with it sees only documents stored
 * after this answer). It is below @since when the database holds no such
 * sequence (a database that was replaced): the caller should start over. */
GPtrArray *rein_server_db_query (ReinServerDb *db,
                                 ReinServerQuery query,
                                 gboolean testnet,
                                 const gchar *param,
                                 const gchar *const *job_ids,
                                 guint limit,
                                 guint offset,
                                 gint64 since,
                                 gint64 *out_cursor,
                                 GError **error);

/* python-rein 0.3's "get_user", as the original Causeway searches: the
 * enrollments whose SIN, master or delegate address is @search; when none,
 * those whose name holds it (case-insensitive); when none, those whose
 * contact does. At most @limit, the oldest first, no paging. */
#define REIN_SERVER_USER_LIMIT 20
GPtrArray *rein_server_db_find_user (ReinServerDb *db,
                                     gboolean testnet,
                                     const gchar *search,
                                     guint limit,
                                     GError **error);

/* The database's plan for @query, one step a line (for tests and benchmarks). */
gchar *rein_server_db_explain (ReinServerDb *db, ReinServerQuery query, GError **error);

/* Number of stored keys. */
gint64 rein_server_db_count_keys (ReinServerDb *db, GError **error);

/* SQLite: PRAGMA integrity_check: TRUE when it answers "ok". PostgreSQL:
 * the schema is there and at this server's version (the database checks
 * its own pages). */
gboolean rein_server_db_check_integrity (ReinServerDb *db, GError **error);
/* PRAGMA quick_check: the same checks but for index contents, in O(N). */
gboolean rein_server_db_quick_check (ReinServerDb *db, GError **error);

/* Whether writes through @db would be refused by the database itself: a
 * PostgreSQL hot standby, or a role whose transactions are read-only
 * (FALSE with @error set when it could not be asked). SQLite: FALSE. */
gboolean rein_server_db_is_read_only (ReinServerDb *db, GError **error);

G_END_DECLS

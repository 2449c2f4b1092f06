/* rein-market-service.h: the market, for the app and rein-cli
 *
 * The market opens from the local index at once (rein_market_service_load_async,
 * offline, no document read or verified) and is refreshed in the
 * background from every server (rein_market_service_refresh_async): the
 * core's ReinMarketReader fetches and validates, and the summaries of the
 * valid jobs go into the index, from which the "jobs" model is read again:
 * the rows that changed are replaced (none when nothing did), in splices of
 * at most REIN_MARKET_SERVICE_SPLICE_ROWS rows, one per main-loop dispatch.
 * The first load, at start, is the newest REIN_MARKET_SERVICE_FIRST_ROWS
 * rows, then one splice of them all. Search runs on the index's
 * full-text table.
 *
 * The service follows one identity (its network and its key): set it with
 * rein_market_service_set_identity(); the context does that when the
 * active identity changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market-reader.h"
#include "rein-store.h"

G_BEGIN_DECLS

/* The most rows one change of the "jobs" model adds or removes after a
 * refresh: a thousand took the main loop 10-20 ms on a busy machine (a
 * GListStore inserts its rows one by one into a tree of 100,000). */
#define REIN_MARKET_SERVICE_SPLICE_ROWS 250
/* At start, the newest rows of the index go into the "jobs" model before
 * the rest is read (a hundred thousand rows take a second). */
#define REIN_MARKET_SERVICE_FIRST_ROWS 200

#define REIN_TYPE_MARKET_SERVICE (rein_market_service_get_type ())
G_DECLARE_FINAL_TYPE (ReinMarketService, rein_market_service, REIN, MARKET_SERVICE, GObject)

ReinMarketService *rein_market_service_new (ReinStore *store);

/* The identity whose market this is (NULL: none, an empty market).
 * Setting it cancels what runs and loads that identity's market. */
void rein_market_service_set_identity (ReinMarketService *self, ReinIdentity *identity);
ReinIdentity *rein_market_service_get_identity (ReinMarketService *self);

/* A GListModel of ReinJobSummary, newest first: every valid job of the
 * identity's network (open or not; a view filters). */
GListModel *rein_market_service_get_jobs (ReinMarketService *self);
/* The rows of rein_market_service_get_jobs() (the same objects, in its
 * order) as an array that nobody changes, which any thread may read (NULL
 * when there is none, as after a row was replaced: then read the model).
 * It is set before the model changes: while a reload puts its rows in the
 * model in steps, the array is the rows the model will hold, so a view
 * that sorts them need not copy the model at each step. */
GPtrArray *rein_market_service_dup_rows (ReinMarketService *self);
/* For tests: the reader the service refreshes with (NULL without an
 * identity). */
ReinMarketReader *rein_market_service_get_reader (ReinMarketService *self);
/* A GListModel of ReinDocument: the valid enrollments of mediators, without
 * the identity's own (filled by a refresh). */
GListModel *rein_market_service_get_mediators (ReinMarketService *self);
/* The categories in use, most used first (after a load). */
const gchar *const *rein_market_service_get_categories (ReinMarketService *self);
/* The enrollments learned so far: what validating a new document needs. */
ReinDirectory *rein_market_service_get_directory (ReinMarketService *self);

/* Properties "loaded" (the index was read once), "refreshing", "error"
 * (the last refresh's failure, or NULL), "warning" (what some servers did
 * wrong in the last refresh, or NULL), "last-refresh" (seconds, 0: not in
 * this run). */
gboolean rein_market_service_get_loaded (ReinMarketService *self);
gboolean rein_market_service_get_refreshing (ReinMarketService *self);
const gchar *rein_market_service_get_error (ReinMarketService *self);
const gchar *rein_market_service_get_warning (ReinMarketService *self);
/* "documents-read": the market's documents read so far by the refresh in
 * flight (0 before its first page; the last refresh's count once it is
 * done), told at most four times a second. */
guint rein_market_service_get_documents_read (ReinMarketService *self);

/* Reads the index (in a worker) into the jobs model. */
void rein_market_service_load_async (ReinMarketService *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean rein_market_service_load_finish (ReinMarketService *self,
                                          GAsyncResult *result,
                                          GError **error);

/* Reads the market and the mediators from every server, validates, saves
 * the summaries (in a worker) and reloads the jobs model. A refresh that
 * fails half way keeps what was saved; the error says what failed. */
void rein_market_service_refresh_async (ReinMarketService *self,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean rein_market_service_refresh_finish (ReinMarketService *self,
                                             GAsyncResult *result,
                                             GError **error);

/* The row ids of the jobs that match @text, as a GArray of gint64 in
 * ascending order (rein_store_search_job_ids()), searched in a worker. */
void rein_market_service_search_ids_async (ReinMarketService *self,
                                           const gchar *text,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
GArray *rein_market_service_search_ids_finish (ReinMarketService *self,
                                               GAsyncResult *result,
                                               GError **error);

/* One job, read fresh from every server (and the store), validated: what
 * bidding or any other step needs. Fails with G_IO_ERROR_NOT_FOUND when no
 * valid posting of @job_id by @creator_key (NULL: its one creator) is
 * found. */
void rein_market_service_load_job_async (ReinMarketService *self,
                                         const gchar *job_id,
                                         const gchar *creator_key,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
ReinJob *rein_market_service_load_job_finish (ReinMarketService *self,
                                              GAsyncResult *result,
                                              GError **error);

/* Several jobs in one read, as rein_market_service_load_job_async() reads
 * one (the servers are asked for a few hundred IDs a query). @creator_keys
 * is NULL (any creator) or holds one key per ID ("" for any). The result
 * holds, for each of @job_ids in its order, the valid job found or NULL;
 * it fails only when the read as a whole does. When no server answers
 * (out of reach, or refusing), the jobs are built from the documents
 * the store holds for them (ours, and those fetched before), checked as
 * any are, and the _full() finish says what the first server said in
 * @out_unreachable (NULL when a server answered). */
void rein_market_service_load_jobs_async (ReinMarketService *self,
                                          const gchar *const *job_ids,
                                          const gchar *const *creator_keys,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
GPtrArray *rein_market_service_load_jobs_finish (ReinMarketService *self,
                                                 GAsyncResult *result,
                                                 GError **error);
GPtrArray *rein_market_service_load_jobs_finish_full (ReinMarketService *self,
                                                      GAsyncResult *result,
                                                      gchar **out_unreachable,
                                                      GError **error);

/* Adds one job to the index now (after we post or bid), so the market
 * shows it without waiting for a refresh; the jobs model is reloaded. */
void rein_market_service_note_job (ReinMarketService *self, ReinJob *job);

G_END_DECLS

/* rein-market-reader.h: reading the market from every server
 *
 * A ReinMarketReader asks every known server at once, page by page, merges
 * the answers, learns the enrollments of the signers (from the store, then
 * from the servers' "enrollments" query), validates each job's documents
 * completely (PROTOCOL.md section 3, see rein-job.h), stores every document
 * with its verdict and the server it came from, and records our role and
 * the state of each job we take part in as an order.
 *
 * What the servers send is untrusted: each page's new documents have their
 * signatures checked (in a worker) as the page comes, and those whose
 * signature does not verify are dropped there, never held or stored;
 * documents that verify but do not validate are stored with the reason,
 * and stay out of the jobs model. What one refresh takes from one server
 * is bounded (rein_market_reader_set_limits()). A server that fails is
 * reported with the "server-failed" signal while the others' documents
 * still arrive; the call fails only when no server answered.
 *
 * A refresh of jobs after another takes the jobs whose documents did not
 * change, and whose signers' and mediator's enrollments did not either,
 * as the refresh before built them (rein_market_reader_get_changed_jobs()
 * says which were validated anew).
 *
 * Threads: the reader is used from the main thread (its models, signals
 * and directory live there). Parsing, signature checks, validation and
 * store writes run in workers, so a refresh never blocks the main loop:
 * each operation validates with its own copy of the directory, and the
 * main thread files the enrollments it learned into the reader's
 * directory when the step is back. The reader's directory is therefore
 * only ever touched on the main thread, and may be read there at any time.
 * Signatures are checked on every core, once per document: the result of
 * a signature check depends on the text alone, so it is stored with the
 * document and given back to the same text (by hash) later; within a
 * refresh, and from one refresh of jobs to the next, a text whose hash the
 * reader took before is not even parsed again (rein_fetch_known_new()). A
 * verdict is not: a document whose signer was unknown is validated again,
 * with its stored signature check, when the enrollment turns up.
 *
 * Pages travel one ahead: the next page (or the next query's first, the
 * queue holding queries of one phase) is asked for while the last is
 * checked, unless a server may pass its limits with the page in hand or
 * sent junk before (it then waits for the check, as every page used to).
 *
 * Servers that answer a `since` cursor (rein-server, src/server/README.md)
 * are paged by it (keyset) rather than by offset. When every server does,
 * a refresh of jobs reads their "job_documents" (every job document, in
 * one query) instead of "jobs", "bids" and "by_job_id", and remembers
 * each server's cursor at the end with the documents it merged: the next
 * refresh of jobs from the same servers asks each only for what it stored
 * since (one request when nothing is new), validates that on top of what
 * was merged, and goes on from the new cursors. A set of servers with one
 * that answers no cursor (an original Causeway) is read whole every time,
 * as before. A server that failed keeps the cursor it had.
 *
 * (Named "reader" because src/market/rein-market.h is the market layer's
 * header.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market.h"
#include "rein-store.h"

G_BEGIN_DECLS

#define REIN_TYPE_MARKET_READER (rein_market_reader_get_type ())
G_DECLARE_FINAL_TYPE (ReinMarketReader, rein_market_reader, REIN, MARKET_READER, GObject)

/* What rein_market_reader_refresh_async() reads. */
typedef enum
{
  /* The market: the "jobs" and "bids" queries, then "by_job_id" for the
   * jobs with a posting and at least one bid (an offer can only follow a
   * bid), 200 job IDs a query: ceil (jobs with bids / 200) more queries to
   * each server, none when no job has a bid. The jobs model then holds
   * every job with a valid posting, by job ID, in its real state (awarded,
   * delivered, ... and not only posted or bids): a view of the jobs open
   * for bids keeps those in REIN_JOB_STATE_POSTED and _BIDS. */
  REIN_MARKET_REFRESH_JOBS,
  /* The jobs of the given IDs ("by_job_id"), with the documents the store
   * holds for them (ours not pushed yet, those fetched earlier). The jobs
   * model then holds the jobs some document was found for, in the order of
   * the IDs, even those without a valid posting (so a view can say why). */
  REIN_MARKET_REFRESH_JOB_IDS,
  /* The mediators' enrollments ("mediators"): the mediators model then
   * holds the valid ones (ReinDocument), without our own. */
  REIN_MARKET_REFRESH_MEDIATORS,
} ReinMarketRefresh;

/* Reads with @identity's view (our role in each job) the servers in
 * @servers, or, when NULL, the servers the store lists when a refresh
 * starts. */
ReinMarketReader *rein_market_reader_new (ReinStore *store,
                                          ReinIdentity *identity,
                                          const gchar *const *servers);

ReinStore *rein_market_reader_get_store (ReinMarketReader *self);
ReinIdentity *rein_market_reader_get_identity (ReinMarketReader *self);
/* The enrollments learned so far (the store's and the servers' valid
 * ones): what validating a new document of ours needs. */
ReinDirectory *rein_market_reader_get_directory (ReinMarketReader *self);

/* A GListModel of ReinJob, replaced in one "items-changed" when a refresh
 * of jobs succeeds (emptied by rein_market_reader_drop_jobs()). */
GListModel *rein_market_reader_get_jobs (ReinMarketReader *self);
/* The jobs of the jobs model that the last refresh of jobs validated anew
 * (ReinJob): the others are the very objects the refresh before gave, with
 * the same documents and verdicts. NULL before a refresh of jobs, or after
 * rein_market_reader_forget() or rein_market_reader_drop_jobs(). */
GPtrArray *rein_market_reader_get_changed_jobs (ReinMarketReader *self);
/* Forgets what the last refresh validated: the next one reads and
 * validates (and reports as changed) every job again. */
void rein_market_reader_forget (ReinMarketReader *self);

/* Resuming (off by default): the reader keeps none of a refresh's
 * documents or jobs in memory; the store stands in for them. A refresh of
 * jobs goes on from the cursors the store keeps for the identity
 * (rein_store_get_market_cursors()), when it holds one for at least one of
 * the servers read (else, or after rein_market_reader_forget(), it reads
 * everything): it asks each of those servers only for what it stored
 * since, and the others for everything; and it builds again, from the
 * store's documents and the new ones, the jobs these touch, and those of
 * documents found invalid before (the newest 10,000) whose signer's or
 * mediator's enrollment just turned up. The jobs model then holds only
 * those jobs, and the changed jobs are those of them validated anew (all
 * but the latter whose verdicts stand).
 * For a caller that keeps an index of the market (the market service,
 * rein-cli): once it indexed the changed jobs of a refresh, it keeps the
 * cursors with rein_store_set_market_cursors (rein_market_reader_dup_cursors()),
 * so that the app started again reads only what is new. */
void rein_market_reader_set_resume (ReinMarketReader *self, gboolean resume);
/* With resume: empties the jobs model, and lets go of the changed jobs,
 * in a worker. For a caller that took what it needs of the last refresh:
 * after a first refresh, the jobs model holds the whole market, every
 * document of it, until the next refresh replaces it. */
void rein_market_reader_drop_jobs (ReinMarketReader *self);
/* With resume, for a listing of the whole market (rein-cli jobs): the
 * jobs model of a refresh that goes on from cursors also holds every
 * other job of the market index, built again from the store's documents
 * (nothing read from the servers for them). Of those, the changed jobs
 * are only the ones whose verdicts changed. Off by default. */
void rein_market_reader_set_resume_lists_all (ReinMarketReader *self, gboolean lists_all);
/* The `since` cursor of each server after the last refresh of jobs (URL
 * -> decimal string), for the next refresh to go on from: where a server
 * was read to the end, every document stored; for a server that failed
 * or sent too much, the cursor that refresh went on from (none if it had
 * none, or if its cursor went back: its database was replaced). NULL when
 * there are none, when a server without a cursor turned out to page by
 * offset, when a verdict could not be stored, or after
 * rein_market_reader_forget(). */
GHashTable *rein_market_reader_dup_cursors (ReinMarketReader *self);

/* For tests: @hook is called in the worker thread at the start of every
 * worker step of every reader (parsing aside: that is rein-fetch's), with
 * the step's name; NULL removes it. Process-wide; set it while no reader
 * works. */
typedef void (*ReinMarketReaderStepHook) (const gchar *step, gpointer user_data);
void rein_market_reader_set_step_hook (ReinMarketReaderStepHook hook, gpointer user_data);

/* A GListModel of ReinDocument (mediators' enrollments), replaced in one
 * "items-changed" when a refresh of mediators succeeds. */
GListModel *rein_market_reader_get_mediators (ReinMarketReader *self);

/* What one refresh takes from one server at most. A server that sends
 * more is read no further in that refresh, with a "warning"; what it sent
 * before counts. Documents whose signature does not verify are dropped as
 * each page comes (never stored, never held): they count as junk. So a
 * refresh holds at most max_documents documents and max_bytes of armored
 * text per server, whatever the servers send. */
typedef struct
{
  guint max_pages;     /* of one query (of PAGE_SIZE documents) */
  guint max_documents; /* new to the refresh */
  guint64 max_bytes;   /* armored bytes of those */
  guint max_junk;      /* documents whose signature does not verify */
} ReinMarketReaderLimits;

void rein_market_reader_set_limits (ReinMarketReader *self, const ReinMarketReaderLimits *limits);
void rein_market_reader_get_limits (ReinMarketReader *self, ReinMarketReaderLimits *out_limits);

/* Reads @what (@job_ids, NULL-terminated, for REIN_MARKET_REFRESH_JOB_IDS).
 * Emits "progress" as servers answer, "server-failed" for each server
 * that does not, "warning" for what else went wrong without stopping the
 * refresh. Fails with REIN_NET_ERROR_UNREACHABLE when no server answered a
 * query whose documents the result needs (but see
 * rein_market_reader_set_stored_when_unreachable()),
 * REIN_NET_ERROR_INVALID when no server is known, G_IO_ERROR_CANCELLED
 * when cancelled (the models are then left as they were). */
void rein_market_reader_refresh_async (ReinMarketReader *self,
                                       ReinMarketRefresh what,
                                       const gchar *const *job_ids,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean rein_market_reader_refresh_finish (ReinMarketReader *self,
                                            GAsyncResult *result,
                                            GError **error);

/* Whether a refresh of job IDs that no server answers (every server out
 * of reach, or refusing) builds the jobs from the documents the store
 * holds for them instead of failing; rein_market_reader_get_unreachable()
 * then says what the first server said, until the next refresh of job
 * IDs. For what the user already has a part in (My Jobs), not for what
 * must be as the servers have it now (a bid). Off by default. */
void rein_market_reader_set_stored_when_unreachable (ReinMarketReader *self, gboolean stored);
const gchar *rein_market_reader_get_unreachable (ReinMarketReader *self);

/* Sends one @query (with @params, NULL-terminated name/value pairs) to
 * every server, page by page, and merges the answers, without validating
 * them: the finish function returns a GPtrArray of ReinDocument. Fails
 * like a refresh. */
void rein_market_reader_query_async (ReinMarketReader *self,
                                     const gchar *query,
                                     const gchar *const *params,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
GPtrArray *rein_market_reader_query_finish (ReinMarketReader *self,
                                            GAsyncResult *result,
                                            GError **error);

G_END_DECLS

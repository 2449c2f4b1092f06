/* rein-fetch.h: one market query sent to every server at once
 *
 * Results are merged and deduplicated by document hash. What a server sends
 * is untrusted: text that does not parse as a Rein document is dropped and
 * counted; the rest is returned parsed but not yet validated (see
 * rein-job.h for that). Answers are parsed in worker threads; a text that
 * several servers sent is parsed once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-client.h"
#include "rein-market.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *url;
  guint received;  /* documents the server sent */
  guint malformed; /* of those, not Rein documents */
  guint64 bytes;   /* the length of those that are */
  gchar *error;    /* NULL when the server answered */
  gchar *cursor;   /* the answer's `since` cursor (src/server/README.md), or NULL */
} ReinFetchReport;

void rein_fetch_report_free (ReinFetchReport *report);

/* Sends @query (with @params, NULL-terminated name/value pairs) to every
 * URL in @urls in parallel. */
void rein_fetch_async (const gchar *const *urls,
                       const gchar *owner,
                       const gchar *query,
                       gboolean testnet,
                       const gchar *const *params,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
/* Before the process ends: waits up to @timeout_ms for the servers' parts
 * of fetches still in the fetch thread (cancel them first), so that no
 * request is being read there while the process's libraries are let go. */
void rein_fetch_shutdown (guint timeout_ms);

/* The merged documents (GPtrArray of ReinDocument, in a stable order: by
 * hash), and one report per server in @out_reports (may be NULL). Fails
 * only when cancelled. */
GPtrArray *rein_fetch_finish (GAsyncResult *result, GPtrArray **out_reports, GError **error);

/* Called when one server's answer is in (or it failed), unless cancelled. */
typedef void (*ReinFetchServerDoneFunc) (const ReinFetchReport *report, gpointer user_data);

/* Documents read before, by hash (of their armored text), shared between
 * threads: a text whose hash is known is not parsed again, the known
 * document stands for it. Lookups fall back to @previous (may be NULL),
 * which is only read. */
typedef struct _ReinFetchKnown ReinFetchKnown;

ReinFetchKnown *rein_fetch_known_new (ReinFetchKnown *previous);
ReinFetchKnown *rein_fetch_known_ref (ReinFetchKnown *known);
void rein_fetch_known_unref (ReinFetchKnown *known);
/* Adds @doc (a reference is taken); a document of the same hash stays. */
void rein_fetch_known_add (ReinFetchKnown *known, ReinDocument *doc);
/* The document of @hash, or NULL (a new reference). */
ReinDocument *rein_fetch_known_lookup (ReinFetchKnown *known, const gchar *hash);
/* Lets go of the previous table (its documents no longer stand in). */
void rein_fetch_known_drop_previous (ReinFetchKnown *known);
guint rein_fetch_known_get_size (ReinFetchKnown *known);

/* rein_fetch_async() that also calls @server_done as each server is done,
 * and takes the documents of @known (may be NULL) for the texts it holds.
 * @url_params (may be NULL): URL -> GStrv of name/value pairs sent to that
 * server only, after @params (a server's own paging cursor, say). */
void rein_fetch_async_full (const gchar *const *urls,
                            const gchar *owner,
                            const gchar *query,
                            gboolean testnet,
                            const gchar *const *params,
                            GHashTable *url_params,
                            ReinFetchKnown *known,
                            ReinFetchServerDoneFunc server_done,
                            gpointer server_done_data,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);

/* Where each merged document came from, for a finished fetch: document
 * hash -> GPtrArray of the URLs of the servers that sent it (in the order
 * their answers arrived). Owned by @result. */
GHashTable *rein_fetch_get_sources (GAsyncResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinFetchReport, rein_fetch_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinFetchKnown, rein_fetch_known_unref)

G_END_DECLS

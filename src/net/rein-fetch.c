/* rein-fetch.c: one market query sent to every server at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-background.h"
#include "rein-fetch.h"

#include "rein-hash.h"

struct _ReinFetchKnown
{
  gint ref_count; /* atomic */
  GMutex lock;
  GHashTable *by_hash;      /* hash -> ReinDocument, under @lock */
  ReinFetchKnown *previous; /* only read; under @lock */
};

ReinFetchKnown *
rein_fetch_known_new (ReinFetchKnown *previous)
{
  ReinFetchKnown *known = g_new0 (ReinFetchKnown, 1);

  known->ref_count = 1;
  g_mutex_init (&known->lock);
  known->by_hash = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  known->previous = previous != NULL ? rein_fetch_known_ref (previous) : NULL;
  return known;
}

ReinFetchKnown *
rein_fetch_known_ref (ReinFetchKnown *known)
{
  g_return_val_if_fail (known != NULL, NULL);
  g_atomic_int_inc (&known->ref_count);
  return known;
}

void
rein_fetch_known_unref (ReinFetchKnown *known)
{
  if (known == NULL || !g_atomic_int_dec_and_test (&known->ref_count))
    return;
  g_clear_pointer (&known->previous, rein_fetch_known_unref);
  g_hash_table_unref (known->by_hash);
  g_mutex_clear (&known->lock);
  g_free (known);
}

void
rein_fetch_known_add (ReinFetchKnown *known, ReinDocument *doc)
{
  g_return_if_fail (known != NULL);
  g_return_if_fail (REIN_IS_DOCUMENT (doc));

  g_mutex_lock (&known->lock);
  /* The key is the document's own hash: it lives as long as the value. */
  if (!g_hash_table_contains (known->by_hash, rein_document_get_hash (doc)))
    g_hash_table_insert (known->by_hash, (gpointer) rein_document_get_hash (doc),
                         g_object_ref (doc));
  g_mutex_unlock (&known->lock);
}

ReinDocument *
rein_fetch_known_lookup (ReinFetchKnown *known, const gchar *hash)
{
  ReinDocument *doc;

  g_return_val_if_fail (known != NULL, NULL);
  g_return_val_if_fail (hash != NULL, NULL);

  g_mutex_lock (&known->lock);
  doc = g_hash_table_lookup (known->by_hash, hash);
  if (doc == NULL && known->previous != NULL)
    doc = rein_fetch_known_lookup (known->previous, hash);
  else if (doc != NULL)
    g_object_ref (doc);
  g_mutex_unlock (&known->lock);
  return doc;
}

void
rein_fetch_known_drop_previous (ReinFetchKnown *known)
{
  ReinFetchKnown *previous;

  g_return_if_fail (known != NULL);
  g_mutex_lock (&known->lock);
  previous = g_steal_pointer (&known->previous);
  g_mutex_unlock (&known->lock);
  rein_fetch_known_unref (previous);
}

guint
rein_fetch_known_get_size (ReinFetchKnown *known)
{
  guint size;

  g_return_val_if_fail (known != NULL, 0);
  g_mutex_lock (&known->lock);
  size = g_hash_table_size (known->by_hash);
  g_mutex_unlock (&known->lock);
  return size;
}

typedef struct
{
  GHashTable *by_hash; /* hash -> ReinDocument */
  GHashTable *sources; /* hash -> GPtrArray of URLs */
  GPtrArray *reports;
  guint pending;
  ReinFetchServerDoneFunc server_done;
  gpointer server_done_data;
  ReinFetchKnown *known; /* may be NULL */

  /* The answers are parsed in workers, one per server: a text several
   * servers sent is parsed once. */
  GMutex lock;
  GHashTable *by_text; /* hash of the armored text -> ReinDocument, under @lock */
} Fetch;

/* One server's part of a fetch. It is asked, read and parsed off the
 * caller's thread (see fetch_context()); only server_done() runs back in
 * the caller's context. */
typedef struct
{
  GTask *task;
  ReinFetchReport *report;
  GPtrArray *texts;
  GPtrArray *docs; /* parsed from @texts, NULL for those that are not documents */

  /* What to ask, read in the fetch thread. */
  gchar *owner;
  gchar *query;
  gboolean testnet;
  GStrv params;
  GCancellable *cancellable; /* the caller's, may be NULL */
  gulong cancelled_id;       /* its handler, forwarding to @own */
  GCancellable *own;         /* the server's request's, cancelled in the fetch thread */
  GMainContext *caller;      /* where server_done() runs: the task's */
} ServerQuery;

void
rein_fetch_report_free (ReinFetchReport *report)
{
  if (report == NULL)
    return;
  g_free (report->url);
  g_free (report->error);
  g_free (report->cursor);
  g_free (report);
}

static void
fetch_free (Fetch *fetch)
{
  /* The sources' keys are the documents' own hashes, and their URLs the
   * reports': gone before them. */
  g_hash_table_unref (fetch->sources);
  g_hash_table_unref (fetch->by_hash);
  g_ptr_array_unref (fetch->reports);
  g_hash_table_unref (fetch->by_text);
  g_clear_pointer (&fetch->known, rein_fetch_known_unref);
  g_mutex_clear (&fetch->lock);
  g_free (fetch);
}

static gint
compare_hash (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (rein_document_get_hash (*(ReinDocument **) a),
                    rein_document_get_hash (*(ReinDocument **) b));
}

static void
server_done (ServerQuery *sq)
{
  GTask *task = sq->task;
  Fetch *fetch = g_task_get_task_data (task);

  if (fetch->server_done != NULL && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    fetch->server_done (sq->report, fetch->server_done_data);
  g_clear_pointer (&sq->texts, g_ptr_array_unref);
  g_clear_pointer (&sq->docs, g_ptr_array_unref);
  g_free (sq->owner);
  g_free (sq->query);
  g_strfreev (sq->params);
  if (sq->cancellable != NULL)
    g_cancellable_disconnect (sq->cancellable, sq->cancelled_id);
  g_clear_object (&sq->cancellable);
  g_clear_object (&sq->own);
  g_main_context_unref (sq->caller);
  g_free (sq);
  if (--fetch->pending == 0 && !g_task_return_error_if_cancelled (task))
    {
      GPtrArray *docs = g_ptr_array_new_with_free_func (g_object_unref);
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, fetch->by_hash);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (docs, g_object_ref (value));
      g_ptr_array_sort (docs, compare_hash);
      g_task_return_pointer (task, docs, (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

/* @doc came from @url: nothing is copied (a page is thousands of
 * documents). @doc is in fetch->by_hash,
 * and @url is its report's. */
static void
add_source (Fetch *fetch, ReinDocument *doc, const gchar *url)
{
  const gchar *hash = rein_document_get_hash (doc);
  GPtrArray *urls = g_hash_table_lookup (fetch->sources, hash);

  if (urls == NULL)
    {
      urls = g_ptr_array_new ();
      g_hash_table_insert (fetch->sources, (gpointer) hash, urls);
    }
  for (guint i = 0; i < urls->len; i++)
    if (g_strcmp0 (g_ptr_array_index (urls, i), url) == 0)
      return;
  g_ptr_array_add (urls, (gpointer) url);
}

static void
unref_document (gpointer doc)
{
  if (doc != NULL)
    g_object_unref (doc);
}

/* In a worker: parses one server's answer. */
static void
parse_thread (GTask *parse, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ServerQuery *sq = task_data;
  Fetch *fetch = g_task_get_task_data (sq->task);

  sq->docs = g_ptr_array_new_full (sq->texts->len, unref_document);
  for (guint i = 0; i < sq->texts->len; i++)
    {
      const gchar *text = g_ptr_array_index (sq->texts, i);
      ReinDocument *doc;
      ReinDocument *known;
      gsize len = strnlen (text, REIN_DOCUMENT_MAX_SIZE + 1);
      g_autofree gchar *hash = NULL;

      /* Longer is no document: rein_document_new_from_armored() says so. */
      if (len > REIN_DOCUMENT_MAX_SIZE)
        {
          g_ptr_array_add (sq->docs, rein_document_new_from_armored (text, -1, NULL));
          continue;
        }
      /* A document is known by the hash of its text: hashing costs a
       * fraction of parsing, and far less than keying a table by the
       * whole text (hashed again, compared and copied). */
      hash = rein_sha256_hex (text, len);
      g_mutex_lock (&fetch->lock);
      known = g_hash_table_lookup (fetch->by_text, hash);
      if (known != NULL)
        g_object_ref (known);
      g_mutex_unlock (&fetch->lock);
      if (known != NULL)
        {
          g_ptr_array_add (sq->docs, known);
          continue;
        }
      /* Read before (by another page, query or refresh). */
      if (fetch->known != NULL)
        {
          doc = rein_fetch_known_lookup (fetch->known, hash);
          if (doc != NULL)
            {
              g_ptr_array_add (sq->docs, doc);
              continue;
            }
        }
      doc = rein_document_new_from_armored (text, len, NULL);
      if (doc != NULL)
        {
          g_mutex_lock (&fetch->lock);
          known = g_hash_table_lookup (fetch->by_text, hash);
          if (known != NULL)
            g_set_object (&doc, known);
          else
            /* The key is the document's own hash: it lives as long as the value. */
            g_hash_table_insert (fetch->by_text, (gpointer) rein_document_get_hash (doc),
                                 g_object_ref (doc));
          g_mutex_unlock (&fetch->lock);
        }
      g_ptr_array_add (sq->docs, doc);
    }
  /* The page's text, here rather than on the caller's main loop. */
  g_clear_pointer (&sq->texts, g_ptr_array_unref);
  g_task_return_boolean (parse, TRUE);
}

/* The thread the servers are asked and read in, with a main context of
 * its own: an answer is megabytes, read in 64 KiB chunks, and reading a
 * market's pages in the caller's main loop kept a window from drawing
 * for tens of milliseconds at a time. It runs as long as the process. */
static gpointer
fetch_thread (gpointer data)
{
  GMainContext *context = data;

  rein_background_thread ();
  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

/* Servers' parts handed to the fetch thread and not yet handed back:
 * rein_fetch_shutdown() waits for them. */
static gint in_flight; /* atomic */

static GMainContext *
fetch_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *made = g_main_context_new ();

      g_thread_unref (g_thread_new ("rein-fetch", fetch_thread, made));
      g_once_init_leave (&context, made);
    }
  return context;
}

/* In the fetch thread: libsoup sees its request cancelled in the thread
 * that made it, not in whichever thread cancelled the caller's
 * cancellable. */
static gboolean
cancel_in_fetch_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
forward_cancel (GCancellable *cancellable, gpointer data)
{
  g_main_context_invoke_full (fetch_context (), G_PRIORITY_DEFAULT, cancel_in_fetch_thread,
                              g_object_ref (data), g_object_unref);
}

/* Back in the caller's context. */
static gboolean
server_done_in_caller (gpointer data)
{
  server_done (data);
  return G_SOURCE_REMOVE;
}

/* In the fetch thread, once a server is done: hands it back. */
static void
return_to_caller (ServerQuery *sq)
{
  g_main_context_invoke (sq->caller, server_done_in_caller, sq);
  g_atomic_int_dec_and_test (&in_flight);
}

void
rein_fetch_shutdown (guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_atomic_int_get (&in_flight) > 0 && g_get_monotonic_time () < end)
    g_usleep (10 * 1000);
}

/* In the fetch thread: merges one server's documents. The fetch's tables
 * are only touched in this thread until the fetch returns. */
static void
parsed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerQuery *sq = user_data;
  Fetch *fetch = g_task_get_task_data (sq->task);

  for (guint i = 0; i < sq->docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (sq->docs, i);

      if (doc == NULL)
        {
          sq->report->malformed++;
          continue;
        }
      sq->report->bytes += strlen (rein_document_get_armored (doc));
      /* Keyed by the document's own hash: it lives as long as the value. */
      if (!g_hash_table_contains (fetch->by_hash, rein_document_get_hash (doc)))
        g_hash_table_insert (fetch->by_hash, (gpointer) rein_document_get_hash (doc),
                             g_object_ref (doc));
      else
        doc = g_hash_table_lookup (fetch->by_hash, rein_document_get_hash (doc));
      add_source (fetch, doc, sq->report->url);
    }
  /* Each is in fetch->by_hash, or another copy of one that is. */
  g_clear_pointer (&sq->docs, g_ptr_array_unref);
  return_to_caller (sq);
}

static void
query_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerQuery *sq = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) texts = rein_client_query_finish_full (REIN_CLIENT (source), result,
                                                               &sq->report->cursor, &error);
  g_autoptr (GTask) parse = NULL;

  if (texts == NULL)
    {
      sq->report->error = g_strdup (error->message);
      return_to_caller (sq);
      return;
    }
  sq->report->received = texts->len;
  sq->texts = g_steal_pointer (&texts);
  parse = g_task_new (NULL, NULL, parsed_cb, sq);
  g_task_set_source_tag (parse, query_cb);
  g_task_set_task_data (parse, sq, NULL);
  rein_background_run (parse, parse_thread);
}

/* In the fetch thread: asks one server. Its client (and libsoup session)
 * is made, used and let go in this thread. */
static gboolean
ask_server (gpointer data)
{
  ServerQuery *sq = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinClient) client = rein_client_new (sq->report->url, &error);

  if (client == NULL)
    {
      sq->report->error = g_strdup (error->message);
      return_to_caller (sq);
      return G_SOURCE_REMOVE;
    }
  rein_client_query_async (client, sq->owner, sq->query, sq->testnet,
                           (const gchar *const *) sq->params, sq->own, query_cb, sq);
  return G_SOURCE_REMOVE;
}

void
rein_fetch_async (const gchar *const *urls,
                  const gchar *owner,
                  const gchar *query,
                  gboolean testnet,
                  const gchar *const *params,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  rein_fetch_async_full (urls, owner, query, testnet, params, NULL, NULL, NULL, NULL,
                         cancellable, callback, user_data);
}

void
rein_fetch_async_full (const gchar *const *urls,
                       const gchar *owner,
                       const gchar *query,
                       gboolean testnet,
                       const gchar *const *params,
                       GHashTable *url_params,
                       ReinFetchKnown *known,
                       ReinFetchServerDoneFunc on_server_done,
                       gpointer on_server_done_data,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Fetch *fetch;
  guint n;

  g_return_if_fail (urls != NULL && owner != NULL && query != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  fetch = g_new0 (Fetch, 1);
  g_task_set_source_tag (task, rein_fetch_async);
  fetch->by_hash = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  fetch->sources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) g_ptr_array_unref);
  fetch->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_fetch_report_free);
  fetch->server_done = on_server_done;
  fetch->server_done_data = on_server_done_data;
  fetch->known = known != NULL ? rein_fetch_known_ref (known) : NULL;
  g_mutex_init (&fetch->lock);
  fetch->by_text = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  n = g_strv_length ((gchar **) urls);
  if (n == 0)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      ReinFetchReport *report = g_new0 (ReinFetchReport, 1);

      report->url = g_strdup (urls[i]);
      g_ptr_array_add (fetch->reports, report);
    }
  fetch->pending = n;
  for (guint i = 0; i < n; i++)
    {
      ServerQuery *sq = g_new0 (ServerQuery, 1);
      const gchar *const *own = url_params != NULL ? g_hash_table_lookup (url_params, urls[i])
                                                   : NULL;
      g_autoptr (GStrvBuilder) all = g_strv_builder_new ();

      sq->task = g_object_ref (task);
      sq->report = g_ptr_array_index (fetch->reports, i);
      sq->owner = g_strdup (owner);
      sq->query = g_strdup (query);
      sq->testnet = testnet;
      if (params != NULL)
        g_strv_builder_addv (all, (const gchar **) params);
      if (own != NULL)
        g_strv_builder_addv (all, (const gchar **) own);
      sq->params = g_strv_builder_end (all);
      sq->own = g_cancellable_new ();
      if (cancellable != NULL)
        {
          sq->cancellable = g_object_ref (cancellable);
          /* Already cancelled: forwarded at once. */
          sq->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel),
                                                    g_object_ref (sq->own), g_object_unref);
        }
      sq->caller = g_main_context_ref (g_task_get_context (task));
      g_atomic_int_inc (&in_flight);
      g_main_context_invoke (fetch_context (), ask_server, sq);
    }
}

GPtrArray *
rein_fetch_finish (GAsyncResult *result, GPtrArray **out_reports, GError **error)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  if (out_reports)
    *out_reports = g_ptr_array_ref (fetch->reports);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GHashTable *
rein_fetch_get_sources (GAsyncResult *result)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  return fetch->sources;
}

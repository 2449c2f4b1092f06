/* rein-market-reader.c: reading the market from every server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gi18n-lib.h>

#include "rein-background.h"
#include "rein-client.h"
#include "rein-enrollment-lookup.h"
#include "rein-fetch.h"
#include "rein-market-reader.h"

/* Documents asked for per page, and job IDs or addresses per query. */
#define PAGE_SIZE 1000
#define IDS_PER_QUERY 200

/* What one refresh takes from one server, at most (see
 * rein_market_reader_set_limits()): pages of one query, documents new to
 * the refresh and their armored bytes, documents whose signature does not
 * verify. A market of 100,000 jobs and 300,000 bids is 400 pages and some
 * 400,000 documents of about 1 KiB. */
#define DEFAULT_MAX_PAGES 1000
#define DEFAULT_MAX_DOCUMENTS 1000000
#define DEFAULT_MAX_BYTES (1024 * 1024 * 1024)
#define DEFAULT_MAX_JUNK PAGE_SIZE

/* The documents found invalid that a refresh going on from the store's
 * cursors looks at again, at most: the newest (see resume_signers()). */
#define MAX_STALE 10000

/* The jobs model: an array replaced whole, so that taking a refresh's
 * 100,000 jobs costs the main loop a pointer swap (a GListStore inserts
 * them one by one), the old array being freed in a worker. */
#define JOB_LIST_TYPE (job_list_get_type ())
G_DECLARE_FINAL_TYPE (JobList, job_list, JOB, LIST, GObject)

struct _JobList
{
  GObject parent_instance;
  GPtrArray *items; /* of ReinJob */
};

static GType
job_list_get_item_type (GListModel *model)
{
  return REIN_TYPE_JOB;
}

static guint
job_list_get_n_items (GListModel *model)
{
  return JOB_LIST (model)->items->len;
}

static gpointer
job_list_get_item (GListModel *model, guint position)
{
  JobList *self = JOB_LIST (model);

  return position < self->items->len ? g_object_ref (g_ptr_array_index (self->items, position))
                                     : NULL;
}

static void
job_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = job_list_get_item_type;
  iface->get_n_items = job_list_get_n_items;
  iface->get_item = job_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (JobList, job_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, job_list_model_init))

static void
job_list_finalize (GObject *object)
{
  g_ptr_array_unref (JOB_LIST (object)->items);
  G_OBJECT_CLASS (job_list_parent_class)->finalize (object);
}

static void
job_list_class_init (JobListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = job_list_finalize;
}

static void
job_list_init (JobList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Takes @items' place in one "items-changed"; returns the array it held. */
static GPtrArray *
job_list_replace (JobList *self, GPtrArray *items)
{
  GPtrArray *old = self->items;

  self->items = g_ptr_array_ref (items);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, items->len);
  return old;
}

struct _ReinMarketReader
{
  GObject parent_instance;

  ReinStore *store;
  ReinIdentity *identity;
  GStrv servers;           /* NULL: the store's */
  ReinDirectory *directory;
  GHashTable *asked;       /* addresses looked up on the servers */
  ReinEnrollmentServers *enrollment_servers; /* which have the "enrollments" query */
  gboolean store_loaded;   /* the store's enrollments are in the directory */
  gboolean own_enrollment; /* the identity's enrollment is stored */
  JobList *jobs;
  GListStore *mediators;
  /* The jobs the last refresh built, by Job ID (BuiltGroup), and the
   * version of the directory they were validated with: a group of the same
   * documents validated with the same enrollments is the same job, so the
   * next refresh takes it as it is, unless an enrollment filed since
   * (@filed_since) concerns one of its signers or its mediator. Never
   * changed once made (a worker reads it while the main thread may swap in
   * the next). */
  GHashTable *built;
  GPtrArray *built_jobs;   /* the jobs model's items when @built was made */
  GPtrArray *filed_since;  /* enrollments filed in @directory since @built was made */
  guint directory_version; /* bumped by every enrollment filed in @directory */
  ReinMarketReaderLimits limits;
  GPtrArray *changed;      /* the jobs the last refresh of jobs validated anew */
  ReinFetchKnown *known;   /* the documents the last refresh of jobs took, by hash */
  /* Servers that page by `since` (src/server/README.md): URL -> the cursor
   * up to which the last refresh of jobs read everything of that server,
   * and what it merged. A refresh of jobs from exactly these servers then
   * asks each only for its "job_documents" since its cursor (see
   * can_continue()). */
  GHashTable *cursors;
  GPtrArray *base;         /* ReinDocument: op->docs of that refresh */
  /* rein_market_reader_set_resume(): the store stands in for @base, and
   * its cursors for @cursors; @whole: the next refresh of jobs reads
   * everything (rein_market_reader_forget()). */
  gboolean resume;
  gboolean lists_all; /* rein_market_reader_set_resume_lists_all() */
  gboolean whole;
  /* rein_market_reader_set_stored_when_unreachable(), and what the last
   * refresh of job IDs that fell back on the store was told */
  gboolean stored_when_unreachable;
  gchar *unreachable;
};

/* What one server gave one operation so far. */
typedef struct
{
  guint documents; /* new to the operation */
  guint64 bytes;   /* of those */
  guint junk;      /* documents whose signature does not verify */
  gboolean stopped;
  /* Every document it sent, as 64 bits of its hash and its query's name
   * (a set: keys only), and whether a page of it brought none it had not
   * sent before (see sort_page()). */
  GHashTable *sent;
  gboolean repeated;
} Tally;

static void
tally_free (Tally *tally)
{
  g_clear_pointer (&tally->sent, g_hash_table_unref);
  g_free (tally);
}

typedef struct
{
  gchar *digest;    /* of the group's document hashes, sorted */
  GPtrArray *jobs;  /* ReinJob built from the group */
  gboolean reused;  /* taken from the previous refresh as it was */
} BuiltGroup;

static void
built_group_free (BuiltGroup *group)
{
  g_free (group->digest);
  g_clear_pointer (&group->jobs, g_ptr_array_unref); /* none when cancelled */
  g_free (group);
}

G_DEFINE_FINAL_TYPE (ReinMarketReader, rein_market_reader, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_SERVER_FAILED,
  SIGNAL_WARNING,
  SIGNAL_READ,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One query sent to every server, page by page. */
typedef struct
{
  gchar *name;
  GStrv params;      /* name/value pairs */
  GStrv urls;        /* the servers to ask; NULL: all */
  gboolean optional; /* servers may not have it: failures are no news */
  gboolean unread;   /* to servers without a cursor, beside a resumed refresh's */
  GHashTable *since;  /* URL -> the `since` of the first page to that server, or NULL */
} Query;

typedef enum
{
  KIND_REFRESH,
  KIND_QUERY, /* rein_market_reader_query_async() */
} OpKind;

typedef struct
{
  OpKind kind;
  ReinMarketRefresh what;
  GStrv job_ids;
  GStrv urls;
  GHashTable *server_ids;  /* URL -> server row id (gint64 in a pointer-sized box) */
  GPtrArray *docs;         /* merged answers of the fetch phase */
  GHashTable *seen;        /* hashes in @docs */
  GHashTable *sources;     /* hash -> URL of the first server that sent it */
  GQueue queries;
  gboolean followed;       /* the later documents of jobs with bids are asked for */
  gboolean learning;       /* the queries look for enrollments: "enrollments" */
  gboolean slow;           /* then "get_user" and "mediators" (rein-enrollment-lookup.h) */
  GPtrArray *asking;       /* the addresses looked for */

  /* The query being sent */
  Query *current;
  GStrv page_urls;
  guint page;
  guint answered;
  gchar *first_error;
  GPtrArray *found;
  GHashTable *found_seen;

  guint done;
  guint n_read;     /* documents in the pages read so far (each once a page) */
  guint total;
  gint64 started; /* monotonic, for the debug log */
  gint64 page_started;

  /* For the worker steps (see "Threads" in rein-market-reader.h): what they
   * need of the reader, copied when the operation starts, and what they
   * hand back to the main thread. */
  ReinDirectory *directory;   /* the operation's copy of the reader's */
  GHashTable *asked;          /* a copy of the reader's */
  gboolean load_store;        /* the store's enrollments are to be read */
  gboolean own_enrollment;
  gchar *own_key;             /* the identity's delegate public key */
  gchar *own_delegate;        /* and address */
  gint64 identity_id;
  ReinNetwork network;
  GPtrArray *learned;         /* valid enrollments for the reader's directory */
  GPtrArray *warnings;        /* GError, emitted when the step is back */
  GPtrArray *enrollment_docs; /* answers of the "enrollments" queries */
  GPtrArray *wanted;          /* signers to ask the servers for */
  GPtrArray *out;             /* the jobs for the model */
  GHashTable *stored;         /* hash -> ReinStoredVerdict, of the documents seen */
  GHashTable *built;          /* the reader's jobs built before */
  GPtrArray *grown;           /* enrollments new to the directory since they were */
  guint directory_version;    /* the reader's directory's, when copied */
  guint filed;                /* enrollments it filed in the reader's directory */
  GHashTable *new_built;      /* Job ID -> BuiltGroup, for the next refresh */
  GHashTable *fresh;          /* the jobs build_jobs() validated anew (a set) */
  GPtrArray *changed;         /* those in @out */

  /* Bounds (see rein_market_reader_set_limits()) */
  ReinMarketReaderLimits limits;
  GHashTable *tallies;        /* URL -> Tally */
  GAsyncResult *page_result; /* the fetch of the page to be checked, and */
  GPtrArray *page_fetched;    /* its documents: sorted out in the checking step */
  guint queries_started;      /* (start_paging()) */
  guint64 page_salt;          /* of the page's query, for Tally's sent */
  GStrv page_full;            /* the servers whose page was full (asked again) */
  GPtrArray *page_docs;       /* the page being checked: documents new to the operation */
  GPtrArray *page_urls_of;    /* the URL each came from first, beside them */
  ReinFetchKnown *known;      /* the documents taken, by hash (see rein_fetch_known_new()) */

  /* Pages are fetched one ahead: the next page travels while the last one
   * is checked. */
  gboolean fetching;          /* a page is on its way */
  gboolean checking;          /* a page is being checked */
  gboolean deferred;          /* the next page is asked for once it is checked */
  GAsyncResult *fetched;      /* the next page, in while the last was checked */
  gboolean ended;             /* the task has returned */

  /* Keyset paging (servers that answer a `since` cursor) */
  GHashTable *page_since;     /* URL -> the `since` of its next page of the current query */
  GHashTable *new_cursors;    /* URL -> cursor for the next refresh of jobs */
  GHashTable *old_cursors;    /* URL -> the cursor this refresh went on from, or NULL */
  GHashTable *went_back;      /* URLs whose cursor fell below the one sent (a set) */
  GHashTable *failed;         /* URLs that failed a request (a set) */
  gboolean incremental;       /* only what is new since the reader's cursors */
  GPtrArray *base;            /* the reader's base, merged in by signers_step() */
  GHashTable *touched;        /* then the Job IDs of the new documents (a set) */
  gboolean nothing_new;       /* no server had anything new: @base was not merged */
  GPtrArray *built_jobs;      /* the reader's, beside @built */
  /* Going on from the store's cursors (rein_market_reader_set_resume()) */
  gboolean resume;
  gboolean lists_all;         /* the jobs model gets every job of the index */
  gboolean testnet;           /* the identity's market */
  gboolean reread_all;        /* a server without a cursor does not page by one: keep none */
  gboolean any_answered;      /* a server answered a query of this refresh of jobs */
  gboolean stored_when_unreachable; /* the reader's, when the operation started */
  gboolean offline;           /* no server answered: the store's documents only */
  GPtrArray *stale;           /* the store's invalid job documents, looked at again */
  GPtrArray *pending;         /* Job IDs the store notes as not indexed yet */
  gboolean store_failed;      /* a verdict could not be stored: no cursor is kept */
} Op;

/* Adds @key to the set @table (which does not own its keys) unless it is
 * there: g_hash_table_add() on a present key would replace the stored
 * pointer with @key, and @key may belong to a document about to be freed. */
static gboolean
add_new_key (GHashTable *table, const gchar *key)
{
  if (g_hash_table_contains (table, key))
    return FALSE;
  return g_hash_table_add (table, (gpointer) key);
}

static void
query_free (Query *query)
{
  g_free (query->name);
  g_strfreev (query->params);
  g_strfreev (query->urls);
  g_clear_pointer (&query->since, g_hash_table_unref);
  g_free (query);
}

static void
op_clear_current (Op *op)
{
  g_clear_pointer (&op->current, query_free);
  g_clear_pointer (&op->page_urls, g_strfreev);
  g_clear_pointer (&op->first_error, g_free);
  g_clear_pointer (&op->found, g_ptr_array_unref);
  g_clear_pointer (&op->found_seen, g_hash_table_unref);
}

static void
op_free (Op *op)
{
  op_clear_current (op);
  g_strfreev (op->job_ids);
  g_strfreev (op->urls);
  g_clear_pointer (&op->server_ids, g_hash_table_unref);
  g_clear_pointer (&op->docs, g_ptr_array_unref);
  g_clear_pointer (&op->seen, g_hash_table_unref);
  g_clear_pointer (&op->sources, g_hash_table_unref);
  g_queue_clear_full (&op->queries, (GDestroyNotify) query_free);
  g_clear_pointer (&op->directory, rein_directory_free);
  g_clear_pointer (&op->asked, g_hash_table_unref);
  g_free (op->own_key);
  g_free (op->own_delegate);
  g_clear_pointer (&op->learned, g_ptr_array_unref);
  g_clear_pointer (&op->warnings, g_ptr_array_unref);
  g_clear_pointer (&op->enrollment_docs, g_ptr_array_unref);
  g_clear_pointer (&op->wanted, g_ptr_array_unref);
  g_clear_pointer (&op->asking, g_ptr_array_unref);
  g_clear_pointer (&op->out, g_ptr_array_unref);
  g_clear_pointer (&op->stored, g_hash_table_unref);
  g_clear_pointer (&op->built, g_hash_table_unref);
  g_clear_pointer (&op->built_jobs, g_ptr_array_unref);
  g_clear_pointer (&op->grown, g_ptr_array_unref);
  g_clear_pointer (&op->new_built, g_hash_table_unref);
  g_clear_pointer (&op->fresh, g_hash_table_unref);
  g_clear_pointer (&op->changed, g_ptr_array_unref);
  g_clear_pointer (&op->tallies, g_hash_table_unref);
  g_clear_object (&op->page_result);
  g_clear_pointer (&op->page_fetched, g_ptr_array_unref);
  g_clear_pointer (&op->page_full, g_strfreev);
  g_clear_pointer (&op->page_docs, g_ptr_array_unref);
  g_clear_pointer (&op->page_urls_of, g_ptr_array_unref);
  g_clear_pointer (&op->known, rein_fetch_known_unref);
  g_clear_object (&op->fetched);
  g_clear_pointer (&op->page_since, g_hash_table_unref);
  g_clear_pointer (&op->new_cursors, g_hash_table_unref);
  g_clear_pointer (&op->old_cursors, g_hash_table_unref);
  g_clear_pointer (&op->went_back, g_hash_table_unref);
  g_clear_pointer (&op->failed, g_hash_table_unref);
  g_clear_pointer (&op->touched, g_hash_table_unref);
  g_clear_pointer (&op->base, g_ptr_array_unref);
  g_clear_pointer (&op->stale, g_ptr_array_unref);
  g_clear_pointer (&op->pending, g_ptr_array_unref);
  g_free (op);
}

static void
rein_market_reader_finalize (GObject *object)
{
  ReinMarketReader *self = REIN_MARKET_READER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_strfreev (self->servers);
  g_clear_pointer (&self->directory, rein_directory_free);
  g_clear_pointer (&self->asked, g_hash_table_unref);
  g_clear_pointer (&self->enrollment_servers, rein_enrollment_servers_free);
  g_clear_object (&self->jobs);
  g_clear_object (&self->mediators);
  g_clear_pointer (&self->built, g_hash_table_unref);
  g_clear_pointer (&self->built_jobs, g_ptr_array_unref);
  g_clear_pointer (&self->filed_since, g_ptr_array_unref);
  g_clear_pointer (&self->changed, g_ptr_array_unref);
  g_clear_pointer (&self->known, rein_fetch_known_unref);
  g_clear_pointer (&self->cursors, g_hash_table_unref);
  g_clear_pointer (&self->base, g_ptr_array_unref);
  g_free (self->unreachable);

  G_OBJECT_CLASS (rein_market_reader_parent_class)->finalize (object);
}

static void
rein_market_reader_class_init (ReinMarketReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rein_market_reader_finalize;

  /**
   * ReinMarketReader::progress:
   * @server: the URL of the server that is done with one request
   * @done: requests done so far in this refresh
   * @total: requests sent so far (it grows when more pages or queries turn
   *   out to be needed)
   */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * ReinMarketReader::server-failed:
   * @server: the URL of the server
   * @error: why (a REIN_NET_ERROR whose message names the server)
   *
   * One server did not answer one request; the others' answers count.
   */
  signals[SIGNAL_SERVER_FAILED] = g_signal_new ("server-failed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  /**
   * ReinMarketReader::warning:
   * @error: what went wrong without stopping the refresh (texts that are
   *   not Rein documents, signers that could not be looked up, the store)
   */
  signals[SIGNAL_WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          G_TYPE_ERROR);
  /**
   * ReinMarketReader::read:
   * @n_documents: documents in the pages read so far by this refresh,
   *   each counted once a page whatever the number of servers that sent
   *   it (a later query may send some again: "by_job_id")
   *
   * Emitted as each page is in: something to show while a refresh runs.
   */
  signals[SIGNAL_READ] = g_signal_new ("read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
rein_market_reader_init (ReinMarketReader *self)
{
  self->directory = rein_directory_new ();
  self->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->enrollment_servers = rein_enrollment_servers_new ();
  self->jobs = g_object_new (JOB_LIST_TYPE, NULL);
  self->mediators = g_list_store_new (REIN_TYPE_DOCUMENT);
  self->filed_since = g_ptr_array_new_with_free_func (g_object_unref);
  self->limits.max_pages = DEFAULT_MAX_PAGES;
  self->limits.max_documents = DEFAULT_MAX_DOCUMENTS;
  self->limits.max_bytes = DEFAULT_MAX_BYTES;
  self->limits.max_junk = DEFAULT_MAX_JUNK;
}

void
rein_market_reader_set_limits (ReinMarketReader *self, const ReinMarketReaderLimits *limits)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_return_if_fail (limits != NULL);

  self->limits = *limits;
  self->limits.max_pages = MAX (1, self->limits.max_pages);
}

void
rein_market_reader_get_limits (ReinMarketReader *self, ReinMarketReaderLimits *out_limits)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_return_if_fail (out_limits != NULL);

  *out_limits = self->limits;
}

ReinMarketReader *
rein_market_reader_new (ReinStore *store, ReinIdentity *identity, const gchar *const *servers)
{
  ReinMarketReader *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);

  self = g_object_new (REIN_TYPE_MARKET_READER, NULL);
  self->store = g_object_ref (store);
  self->identity = g_object_ref (identity);
  self->own_enrollment = rein_identity_get_enrollment (identity) != NULL;
  self->servers = servers != NULL ? g_strdupv ((gchar **) servers) : NULL;
  return self;
}

ReinStore *
rein_market_reader_get_store (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return self->store;
}

ReinIdentity *
rein_market_reader_get_identity (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return self->identity;
}

ReinDirectory *
rein_market_reader_get_directory (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return self->directory;
}

GListModel *
rein_market_reader_get_jobs (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

GPtrArray *
rein_market_reader_get_changed_jobs (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return self->changed;
}

void
rein_market_reader_forget (ReinMarketReader *self)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_clear_pointer (&self->built, g_hash_table_unref);
  g_clear_pointer (&self->built_jobs, g_ptr_array_unref);
  g_clear_pointer (&self->changed, g_ptr_array_unref);
  g_clear_pointer (&self->cursors, g_hash_table_unref);
  g_clear_pointer (&self->base, g_ptr_array_unref);
  self->whole = TRUE;
}

void
rein_market_reader_set_stored_when_unreachable (ReinMarketReader *self, gboolean stored)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  self->stored_when_unreachable = stored;
}

const gchar *
rein_market_reader_get_unreachable (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return self->unreachable;
}

void
rein_market_reader_set_resume (ReinMarketReader *self, gboolean resume)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  self->resume = resume;
}

void
rein_market_reader_set_resume_lists_all (ReinMarketReader *self, gboolean lists_all)
{
  g_return_if_fail (REIN_IS_MARKET_READER (self));
  self->lists_all = lists_all;
}

GHashTable *
rein_market_reader_dup_cursors (ReinMarketReader *self)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer url, cursor;

  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  if (self->cursors == NULL)
    return NULL;
  copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, self->cursors);
  while (g_hash_table_iter_next (&iter, &url, &cursor))
    g_hash_table_insert (copy, g_strdup (url), g_strdup (cursor));
  return copy;
}

GListModel *
rein_market_reader_get_mediators (ReinMarketReader *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_READER (self), NULL);
  return G_LIST_MODEL (self->mediators);
}

static void
emit_warning (ReinMarketReader *self, const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_WARNING], 0, error);
}

static ReinNetwork
identity_network (ReinIdentity *identity)
{
  return rein_identity_get_testnet (identity) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
}

/* A python-rein backup holds no enrollment: when a valid one of the
 * identity's turns up, it becomes the identity's own, so sync pushes it to
 * new servers. */
static void
adopt_own_enrollment (ReinMarketReader *self, ReinDocument *enrollment)
{
  g_autoptr (GError) error = NULL;

  if (self->own_enrollment
      || !rein_same_key (rein_document_get_field (enrollment, REIN_LABEL_DELEGATE_ADDRESS),
                         rein_identity_get_delegate_address (self->identity))
      || !rein_same_key (rein_document_get_signer (enrollment),
                         rein_identity_get_master_address (self->identity)))
    return;
  /* The store checks it all again. */
  if (rein_store_set_identity_enrollment (self->store, self->identity, enrollment, &error))
    self->own_enrollment = TRUE;
  else
    emit_warning (self, error);
}

/* ---- Storing what was read (worker steps) ---- */

static void
op_warn (Op *op, GError *error)
{
  g_ptr_array_add (op->warnings, error);
}

/* Whether the store holds @verdict already, with the same source when it
 * has one and with the document's signature check when it ran. */
static gboolean
verdict_is_stored (Op *op, const ReinDocumentVerdict *verdict, gint64 server_id)
{
  ReinStoredVerdict *stored = g_hash_table_lookup (op->stored,
                                                   rein_document_get_hash (verdict->document));

  return stored != NULL && stored->verification == verdict->verification
         && (verdict->verification != REIN_VERIFICATION_INVALID
             || g_strcmp0 (stored->reason, verdict->reason) == 0)
         && (stored->source_server != 0 || server_id == 0)
         && (stored->signature != REIN_VERIFICATION_UNCHECKED
             || rein_document_get_verification (verdict->document)
                  == REIN_VERIFICATION_UNCHECKED);
}

/* Saves @verdicts with the server each document came from, in their
 * order, without those the store holds already: one batch, whatever the
 * number of servers (a batch per server made a transaction, a commit and
 * a checkpoint each). */
static void
save_verdicts (ReinStore *store, Op *op, GArray *verdicts)
{
  g_autoptr (GArray) kept = g_array_sized_new (FALSE, FALSE, sizeof (ReinDocumentVerdict),
                                               verdicts->len);
  g_autoptr (GArray) sources = g_array_sized_new (FALSE, FALSE, sizeof (gint64), verdicts->len);
  GError *error = NULL;

  for (guint i = 0; i < verdicts->len; i++)
    {
      ReinDocumentVerdict *verdict = &g_array_index (verdicts, ReinDocumentVerdict, i);
      const gchar *url = g_hash_table_lookup (op->sources,
                                              rein_document_get_hash (verdict->document));
      gint64 *id = url != NULL ? g_hash_table_lookup (op->server_ids, url) : NULL;
      gint64 server_id = id != NULL ? *id : 0;

      if (verdict_is_stored (op, verdict, server_id))
        continue;
      g_array_append_val (kept, *verdict);
      g_array_append_val (sources, server_id);
    }
  if (kept->len > 0
      && !rein_store_save_verdicts_from (store, (ReinDocumentVerdict *) kept->data,
                                         (gint64 *) sources->data, kept->len, &error))
    {
      op->store_failed = TRUE;
      op_warn (op, error);
    }
}

/* Looks up what the store knows of @docs (into op->stored), and gives the
 * documents it checked before their signature check back: a signature is
 * checked once, whatever the enrollments (the verdicts are not reused:
 * they depend on what was known then). */
static void
restore_checks (ReinStore *store, Op *op, GPtrArray *docs)
{
  g_autoptr (GPtrArray) hashes = g_ptr_array_new ();
  g_autoptr (GHashTable) found = NULL;
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < docs->len; i++)
    {
      const gchar *hash = rein_document_get_hash (g_ptr_array_index (docs, i));

      if (!g_hash_table_contains (op->stored, hash))
        g_ptr_array_add (hashes, (gpointer) hash);
    }
  found = rein_store_lookup_verdicts (store, (const gchar *const *) hashes->pdata, hashes->len,
                                      &error);
  if (found == NULL)
    {
      op_warn (op, error);
      return;
    }
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (op->stored, key, value);
    }
  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);
      ReinStoredVerdict *stored = g_hash_table_lookup (op->stored, rein_document_get_hash (doc));

      if (stored != NULL && stored->signature != REIN_VERIFICATION_UNCHECKED)
        rein_document_restore_verification (doc, stored->signature, stored->signature_code,
                                            stored->signature_error);
    }
}

typedef struct
{
  GPtrArray *docs;
  GCancellable *cancellable;
  gint next; /* atomic: the next chunk's first index */
} VerifyRun;

#define VERIFY_CHUNK 64

static gpointer
verify_thread (gpointer data)
{
  VerifyRun *run = data;
  gint start;

  rein_background_thread ();
  while ((start = g_atomic_int_add (&run->next, VERIFY_CHUNK)) < (gint) run->docs->len
         && !g_cancellable_is_cancelled (run->cancellable))
    for (guint i = start; i < MIN (run->docs->len, (guint) start + VERIFY_CHUNK); i++)
      rein_document_verify (g_ptr_array_index (run->docs, i), NULL);
  return NULL;
}

/* Checks the signatures of @docs not checked yet on every core: each
 * document by one thread, and none is touched by another thread meanwhile
 * (they belong to the operation). */
static void
verify_all (GPtrArray *docs, GCancellable *cancellable)
{
  g_autoptr (GPtrArray) unchecked = g_ptr_array_new ();
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  VerifyRun run = { 0 };
  guint n_threads;

  for (guint i = 0; i < docs->len; i++)
    if (rein_document_get_verification (g_ptr_array_index (docs, i))
        == REIN_VERIFICATION_UNCHECKED)
      g_ptr_array_add (unchecked, g_ptr_array_index (docs, i));
  run.docs = unchecked;
  run.cancellable = cancellable;
  n_threads = CLAMP (unchecked->len / VERIFY_CHUNK, 1, g_get_num_processors ());
  /* This thread is one of them. */
  for (guint i = 1; i < n_threads; i++)
    g_ptr_array_add (threads, g_thread_new ("rein-verify", verify_thread, &run));
  verify_thread (&run);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
}

static void add_enrollments (ReinStore *store, Op *op, GPtrArray *docs);

/* Whether @directory holds @enrollment already (the same text). */
static gboolean
directory_holds (ReinDirectory *directory, ReinDocument *enrollment)
{
  const gchar *delegate = rein_document_get_field (enrollment, REIN_LABEL_DELEGATE_ADDRESS);
  ReinDocument *known = delegate != NULL ? rein_directory_lookup_delegate (directory, delegate)
                                         : NULL;

  return known != NULL
         && g_strcmp0 (rein_document_get_hash (known), rein_document_get_hash (enrollment)) == 0;
}

/* Adds the enrollments the store holds to the operation's directory, when
 * the reader has not read them yet. Ours, stored without a signature
 * check, get theirs recorded too. */
static void
load_stored_enrollments (ReinStore *store, Op *op)
{
  g_autoptr (GPtrArray) texts = NULL;
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);

  if (!op->load_store)
    return;
  op->load_store = FALSE;
  texts = rein_store_list_enrollments (store, NULL);
  for (guint i = 0; texts != NULL && i < texts->len; i++)
    {
      ReinDocument *doc = rein_document_new_from_armored (g_ptr_array_index (texts, i), -1, NULL);

      if (doc != NULL)
        g_ptr_array_add (docs, doc);
    }
  add_enrollments (store, op, docs);
}

/* Adds the enrollments among @docs to the operation's directory and
 * records their verdicts. */
static void
add_enrollments (ReinStore *store, Op *op, GPtrArray *docs)
{
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) enrollments = g_ptr_array_new ();

  for (guint i = 0; i < docs->len; i++)
    if (rein_document_get_document_type (g_ptr_array_index (docs, i))
        == REIN_DOCUMENT_TYPE_ENROLLMENT)
      g_ptr_array_add (enrollments, g_ptr_array_index (docs, i));
  restore_checks (store, op, enrollments);
  verify_all (enrollments, NULL);
  for (guint i = 0; i < enrollments->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (enrollments, i);
      g_autoptr (GError) add_error = NULL;
      ReinDocumentVerdict verdict = { doc, REIN_VERIFICATION_VALID, NULL };
      gboolean known = directory_holds (op->directory, doc);

      if (!known)
        g_ptr_array_add (op->grown, g_object_ref (doc));
      if (!rein_directory_add (op->directory, doc, &add_error))
        {
          verdict.verification = REIN_VERIFICATION_INVALID;
          verdict.reason = add_error->message;
          g_ptr_array_add (reasons, g_steal_pointer (&add_error));
        }
      else
        g_ptr_array_add (op->learned, g_object_ref (doc));
      g_array_append_val (verdicts, verdict);
    }
  save_verdicts (store, op, verdicts);
}

/* Adds the verdicts of @job's documents to @verdicts, and stores our
 * order in it. */
static void
record_job (ReinStore *store, Op *op, ReinJob *job, GArray *verdicts)
{
  ReinRole role = rein_job_get_role (job, op->own_key);
  GError *error = NULL;

  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      ReinDocumentVerdict verdict = { 0 };
      gboolean valid = FALSE;

      verdict.document = rein_job_get_entry (job, i, &valid, &verdict.reason);
      verdict.verification = valid ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID;
      g_array_append_val (verdicts, verdict);
    }
  if (role != REIN_ROLE_NONE
      && !rein_store_set_order (store, rein_job_get_id (job), op->identity_id,
                                rein_role_to_name (role),
                                rein_job_state_to_name (rein_job_get_state (job)), &error))
    op_warn (op, error);
}

/* ---- Validation ---- */

static void
want_address (Op *op, GHashTable *wanted, const gchar *address)
{
  ReinAddressType type;

  /* Servers refuse a whole query for one bad address: a forged document
   * must not hide the others' signers. */
  if (address == NULL || !rein_address_validate (address, NULL, &type, NULL, NULL)
      || type != REIN_ADDRESS_P2PKH)
    return;
  if (g_hash_table_contains (op->asked, address)
      || rein_directory_lookup_delegate (op->directory, address) != NULL)
    return;
  g_hash_table_add (wanted, g_strdup (address));
}

static void
enqueue_ids (Op *op, const gchar *query, const gchar *param, GPtrArray *ids)
{
  for (guint start = 0; start < ids->len; start += IDS_PER_QUERY)
    {
      g_autoptr (GString) list = g_string_new (NULL);
      Query *q = g_new0 (Query, 1);

      for (guint i = start; i < ids->len && i < start + IDS_PER_QUERY; i++)
        {
          if (list->len > 0)
            g_string_append_c (list, ',');
          g_string_append (list, g_ptr_array_index (ids, i));
        }
      q->name = g_strdup (query);
      q->params = g_new0 (gchar *, 3);
      q->params[0] = g_strdup (param);
      q->params[1] = g_string_free (g_steal_pointer (&list), FALSE);
      g_queue_push_tail (&op->queries, q);
    }
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

/* Learns the enrollments among the fetched documents and finds the
 * signers still unknown, and the mediators their job postings name, for
 * the "enrollments" queries (our extension: servers without it answer
 * nothing, and those signers stay unknown). A worker step. */
static void
find_signers (ReinStore *store, Op *op, GPtrArray *docs)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer address;

  load_stored_enrollments (store, op);
  add_enrollments (store, op, docs);
  /* Our own enrollment, when the identity has none yet. */
  if (!op->own_enrollment)
    want_address (op, wanted, op->own_delegate);

  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);

      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      want_address (op, wanted, rein_document_get_signer (doc));
      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING)
        {
          const gchar *key = rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
          guint8 pub[65];
          gsize len = 0;

          if (key != NULL && rein_directory_lookup_public_key (op->directory, key) == NULL
              && rein_public_key_parse_hex (key, pub, &len, NULL))
            {
              g_autofree gchar *mediator = rein_address_from_public_key (pub, len, op->network);

              want_address (op, wanted, mediator);
            }
        }
    }

  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &address, NULL))
    {
      g_hash_table_iter_steal (&iter);
      g_ptr_array_add (op->wanted, address);
    }
  /* Stable queries, whatever the hash table's order. */
  g_ptr_array_sort (op->wanted, compare_strings);
}

static gint
compare_job_ids (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (rein_job_get_id (*(ReinJob **) a), rein_job_get_id (*(ReinJob **) b));
}

/* The jobs of many Job IDs, validated on every core. Each group of
 * documents is one thread's, the directory is only read, and every
 * signature was checked before (so rein_document_verify() only reads). */
typedef struct
{
  ReinDirectory *directory;
  GPtrArray *ids;    /* Job IDs */
  GPtrArray *groups; /* GPtrArray of ReinDocument, beside each ID */
  GPtrArray *built;  /* BuiltGroup beside each ID: those with jobs are done */
  gint next;         /* atomic */

  /* Chunks are stored as they are built (record_built()), in order. */
  GMutex lock;
  GCond cond;
  guint8 *chunk_done; /* under @lock: each chunk of BUILD_CHUNK IDs built */
} BuildRun;

#define BUILD_CHUNK 32

static gpointer
build_thread (gpointer data)
{
  BuildRun *run = data;
  gint start;

  rein_background_thread ();
  while ((start = g_atomic_int_add (&run->next, BUILD_CHUNK)) < (gint) run->ids->len)
    {
      for (guint i = start; i < MIN (run->ids->len, (guint) start + BUILD_CHUNK); i++)
        {
          const gchar *job_id = g_ptr_array_index (run->ids, i);
          GPtrArray *group = g_ptr_array_index (run->groups, i);
          BuiltGroup *built = g_ptr_array_index (run->built, i);
          g_auto (GStrv) creators = NULL;

          if (built->jobs != NULL)
            continue;
          built->jobs = g_ptr_array_new_with_free_func (g_object_unref);
          /* A job is its ID and its creator: a copied ID is another job. */
          creators = rein_job_find_creators (job_id, group, run->directory);
          if (g_strv_length (creators) <= 1)
            g_ptr_array_add (built->jobs, rein_job_new (job_id, group, run->directory));
          else
            for (guint c = 0; creators[c] != NULL; c++)
              g_ptr_array_add (built->jobs, rein_job_new_for_creator (job_id, creators[c], group,
                                                                      run->directory));
        }
      g_mutex_lock (&run->lock);
      run->chunk_done[start / BUILD_CHUNK] = 1;
      g_cond_signal (&run->cond);
      g_mutex_unlock (&run->lock);
    }
  return NULL;
}

/* Verdicts a transaction of record_built(). */
#define RECORD_BATCH 100000

/* While the jobs are built: stores the verdicts of the jobs built anew
 * and our orders, chunk after chunk as they are done, in their order.
 * The store's writes (one thread) and the building (every core) went one
 * after the other: seconds of a first refresh with a core idle. */
static void
record_built (ReinStore *store, Op *op, BuildRun *run)
{
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  guint n_chunks = (run->ids->len + BUILD_CHUNK - 1) / BUILD_CHUNK;
  guint n_verdicts = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint c = 0; c < n_chunks; c++)
    {
      g_mutex_lock (&run->lock);
      while (!run->chunk_done[c])
        g_cond_wait (&run->cond, &run->lock);
      g_mutex_unlock (&run->lock);
      for (guint i = c * BUILD_CHUNK; i < MIN (run->ids->len, (c + 1) * BUILD_CHUNK); i++)
        {
          BuiltGroup *b = g_ptr_array_index (run->built, i);

          for (guint j = 0; !b->reused && j < b->jobs->len; j++)
            record_job (store, op, g_ptr_array_index (b->jobs, j), verdicts);
        }
      if (verdicts->len >= RECORD_BATCH || (c + 1 == n_chunks && verdicts->len > 0))
        {
          n_verdicts += verdicts->len;
          save_verdicts (store, op, verdicts);
          g_array_set_size (verdicts, 0);
        }
    }
  g_debug ("refresh: %u verdicts saved in %" G_GINT64_FORMAT " ms", n_verdicts,
           (g_get_monotonic_time () - start) / 1000);
}

static gint
compare_hashes (gconstpointer a, gconstpointer b)
{
  return strcmp (rein_document_get_hash (*(ReinDocument **) a),
                 rein_document_get_hash (*(ReinDocument **) b));
}

/* What identifies a group of documents: its hashes, sorted. */
static gchar *
group_digest (GPtrArray *group)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_copy (group, NULL, NULL);
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_ptr_array_sort (sorted, compare_hashes);
  for (guint i = 0; i < sorted->len; i++)
    {
      const gchar *hash = rein_document_get_hash (g_ptr_array_index (sorted, i));

      g_checksum_update (checksum, (const guchar *) hash, strlen (hash) + 1);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* Whether @enrollments (new ones) may change the verdict on @group: they
 * name the delegate that signed one of its documents, or its mediator. */
static gboolean
document_concerns (ReinDocument *doc, ReinDirectory *enrollments)
{
  const gchar *signer = rein_document_get_signer (doc);
  const gchar *mediator = rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);

  return (signer != NULL && rein_directory_lookup_delegate (enrollments, signer) != NULL)
         || (mediator != NULL && rein_directory_lookup_public_key (enrollments, mediator) != NULL);
}

static gboolean
group_concerns (GPtrArray *group, ReinDirectory *enrollments)
{
  for (guint i = 0; i < group->len; i++)
    if (document_concerns (g_ptr_array_index (group, i), enrollments))
      return TRUE;
  return FALSE;
}

/* Groups the fetched documents by Job ID into validated jobs, sorted by
 * job ID, and stores the verdicts. A group the previous refresh validated,
 * with the same documents and the same enrollments, is taken as it was:
 * its signatures are not looked up or checked again, nor its verdicts
 * stored again. The rest have their signatures checked on every core. */
static GPtrArray *
build_jobs (ReinStore *store, Op *op, GCancellable *cancellable)
{
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) group_list = g_ptr_array_new ();
  g_autoptr (GPtrArray) built = g_ptr_array_new ();
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  g_autoptr (GPtrArray) to_check = g_ptr_array_new ();
  g_autoptr (GPtrArray) fresh = g_ptr_array_new ();
  BuildRun run = { op->directory, ids, group_list, built, 0, { 0 }, { 0 }, NULL };
  g_autoptr (ReinDirectory) grown = rein_directory_new ();
  GHashTableIter iter;
  gpointer key, value;
  guint n_threads;

  for (guint i = 0; i < op->docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->docs, i);
      const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);
      GPtrArray *group;

      if (job_id == NULL || rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      group = g_hash_table_lookup (groups, job_id);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (groups, (gpointer) job_id, group);
        }
      g_ptr_array_add (group, doc);
    }

  for (guint i = 0; i < op->grown->len; i++)
    rein_directory_add (grown, g_ptr_array_index (op->grown, i), NULL);
  op->new_built = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) built_group_free);
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *group = value;
      BuiltGroup *b = g_new0 (BuiltGroup, 1);
      BuiltGroup *before = op->built != NULL ? g_hash_table_lookup (op->built, key) : NULL;

      /* Untouched by what is new: the same documents as before. */
      if (before != NULL && op->touched != NULL && !g_hash_table_contains (op->touched, key))
        b->digest = g_strdup (before->digest);
      else
        b->digest = group_digest (group);
      if (before != NULL && g_str_equal (before->digest, b->digest)
          && (op->grown->len == 0 || !group_concerns (group, grown)))
        {
          b->jobs = g_ptr_array_ref (before->jobs);
          b->reused = TRUE;
        }
      else
        g_ptr_array_extend (to_check, group, NULL, NULL);
      g_ptr_array_add (run.ids, key);
      g_ptr_array_add (run.groups, group);
      g_ptr_array_add (run.built, b);
      g_hash_table_insert (op->new_built, g_strdup (key), b);
    }

  g_debug ("refresh: %u jobs, %u documents to check (%u new enrollments)", run.ids->len,
           to_check->len, op->grown->len);
  /* Those fetched were looked up and checked as their page came: only the
   * store's own (rein_store_list_job_documents()) are left. */
  {
    g_autoptr (GPtrArray) unchecked = g_ptr_array_new ();

    for (guint i = 0; i < to_check->len; i++)
      if (rein_document_get_verification (g_ptr_array_index (to_check, i))
          == REIN_VERIFICATION_UNCHECKED)
        g_ptr_array_add (unchecked, g_ptr_array_index (to_check, i));
    restore_checks (store, op, unchecked);
    verify_all (unchecked, cancellable);
  }
  if (g_cancellable_is_cancelled (cancellable))
    {
      /* Half built: nothing for the next refresh. */
      g_clear_pointer (&op->new_built, g_hash_table_unref);
      return jobs;
    }
  n_threads = CLAMP (to_check->len / (4 * BUILD_CHUNK), 1, g_get_num_processors ());
  {
    gint64 start = g_get_monotonic_time ();

    g_mutex_init (&run.lock);
    g_cond_init (&run.cond);
    run.chunk_done = g_new0 (guint8, run.ids->len / BUILD_CHUNK + 1);
    for (guint i = 0; i < n_threads; i++)
      g_ptr_array_add (threads, g_thread_new ("rein-validate", build_thread, &run));
    /* This thread stores what they build. */
    record_built (store, op, &run);
    for (guint i = 0; i < threads->len; i++)
      g_thread_join (g_ptr_array_index (threads, i));
    g_debug ("refresh: jobs built and recorded in %" G_GINT64_FORMAT " ms",
             (g_get_monotonic_time () - start) / 1000);
    g_free (run.chunk_done);
    g_cond_clear (&run.cond);
    g_mutex_clear (&run.lock);
  }
  for (guint i = 0; i < run.built->len; i++)
    {
      BuiltGroup *b = g_ptr_array_index (run.built, i);

      for (guint j = 0; j < b->jobs->len; j++)
        {
          g_ptr_array_add (jobs, g_object_ref (g_ptr_array_index (b->jobs, j)));
          if (!b->reused)
            g_ptr_array_add (fresh, g_ptr_array_index (b->jobs, j));
        }
    }
  g_ptr_array_sort (jobs, compare_job_ids);
  op->fresh = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < fresh->len; i++)
    g_hash_table_add (op->fresh, g_ptr_array_index (fresh, i));
  return jobs;
}

/* Unrefs @array, then gives the memory back: the allocator keeps what
 * was freed for the process (GBs after a first refresh of a large
 * market). For rein_background_free(). */
static void
unref_and_trim (gpointer array)
{
  gint64 start = g_get_monotonic_time ();

  g_ptr_array_unref (array);
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  g_debug ("refresh: the jobs let go in %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
}

/* Replaces the whole model in one splice. The items it held are freed in
 * a worker: a hundred thousand jobs and their documents take the main
 * loop a second to free. */
static void
replace_items (GListStore *store, GPtrArray *items)
{
  GListModel *model = G_LIST_MODEL (store);
  guint n = g_list_model_get_n_items (model);
  GPtrArray *old = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (old, g_list_model_get_item (model, i));
  g_list_store_splice (store, 0, n, items->pdata, items->len);
  rein_background_free (old, (GDestroyNotify) g_ptr_array_unref);
}

typedef struct
{
  gpointer data;
  GDestroyNotify free;
} Dropped;

static void
dropped_free (Dropped *dropped)
{
  dropped->free (dropped->data);
  g_free (dropped);
}

static void
bag_add (GPtrArray *bag, gpointer data, GDestroyNotify free)
{
  Dropped *dropped;

  if (data == NULL)
    return;
  dropped = g_new0 (Dropped, 1);
  dropped->data = data;
  dropped->free = free;
  g_ptr_array_add (bag, dropped);
}

/* Frees what @bag holds (of bag_add()) in a worker. */
static void
drop_later (GPtrArray *bag)
{
  rein_background_free (bag, (GDestroyNotify) g_ptr_array_unref);
}

/* Jobs dropped at once from which on the memory is trimmed after. */
#define TRIM_AFTER_JOBS 10000

void
rein_market_reader_drop_jobs (ReinMarketReader *self)
{
  g_autoptr (GPtrArray) none = NULL;
  GPtrArray *bag;
  GPtrArray *old;
  gboolean trim;

  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_return_if_fail (self->resume);

  none = g_ptr_array_new_with_free_func (g_object_unref);
  bag = g_ptr_array_new_with_free_func ((GDestroyNotify) dropped_free);
  old = job_list_replace (self->jobs, none);
  /* Memory is given back after a market's worth (a first refresh), not
   * after every few jobs: trimming walks every heap. */
  trim = old->len >= TRIM_AFTER_JOBS;
  bag_add (bag, old, (GDestroyNotify) g_ptr_array_unref);
  bag_add (bag, g_steal_pointer (&self->changed), (GDestroyNotify) g_ptr_array_unref);
  rein_background_free (bag, trim ? unref_and_trim : (GDestroyNotify) g_ptr_array_unref);
}

/* ---- The steps of a refresh ---- */

static void run_next (GTask *task);
static void op_return_error (GTask *task, GError *error);
static Tally *tally_of (Op *op, const gchar *url);
static GError *cancelled_error (GTask *task);
static void take_page (GTask *task, GAsyncResult *result);
static void keep_going (ReinMarketReader *self, Op *op);
static gboolean may_look_ahead (Op *op, GHashTable *page_tallies);
static gboolean chain_next_query (Op *op);

static gpointer
copy_object (gconstpointer object, gpointer user_data)
{
  return g_object_ref ((gpointer) object);
}

static void
add_docs (Op *op, GPtrArray *docs)
{
  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);

      if (add_new_key (op->seen, rein_document_get_hash (doc)))
        g_ptr_array_add (op->docs, g_object_ref (doc));
    }
}

/* A job ID a server takes in a "job_ids" list: servers refuse the whole
 * query for one bad ID, so a forged document must not slip one in. */
static gboolean
is_queryable_job_id (const gchar *job_id)
{
  gsize len = 0;

  for (const gchar *p = job_id; *p != '\0'; p++, len++)
    if (!g_ascii_isalnum (*p) || len >= 64)
      return FALSE;
  return len > 0;
}

/* The "jobs" and "bids" queries see postings and bids only: queues
 * "by_job_id" for the jobs with a posting and at least one bid (an offer,
 * and so every later step, follows a bid), IDS_PER_QUERY IDs a query. */
static void
queue_later_documents (Op *op)
{
  g_autoptr (GHashTable) posted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < op->docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->docs, i);
      const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);

      if (job_id != NULL
          && rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING)
        g_hash_table_add (posted, (gpointer) job_id);
    }
  for (guint i = 0; i < op->docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->docs, i);
      const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);

      if (job_id != NULL && rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_BID
          && g_hash_table_contains (posted, job_id) && is_queryable_job_id (job_id)
          && g_hash_table_add (wanted, (gpointer) job_id))
        g_ptr_array_add (ids, (gpointer) job_id);
    }
  enqueue_ids (op, "by_job_id", "job_ids", ids);
}

/* Parses @texts into @docs, but for those whose hash is in @seen (a set,
 * NULL: none), which then holds theirs too. */
static void
parse_stored (GPtrArray *texts, GPtrArray *docs, GHashTable *seen)
{
  for (guint t = 0; texts != NULL && t < texts->len; t++)
    {
      g_autoptr (ReinDocument) doc = rein_document_new_from_armored (g_ptr_array_index (texts, t),
                                                                     -1, NULL);

      if (doc != NULL && (seen == NULL || add_new_key (seen, rein_document_get_hash (doc))))
        g_ptr_array_add (docs, g_steal_pointer (&doc));
    }
}

/* Adds the documents the store holds for the job IDs asked for: our
 * documents not pushed yet, and those fetched earlier from servers we no
 * longer reach. */
static void
add_stored_job_documents (ReinStore *store, Op *op)
{
  g_autoptr (GPtrArray) texts = rein_store_list_jobs_documents (
      store, (const gchar *const *) op->job_ids, g_strv_length (op->job_ids), NULL);

  parse_stored (texts, op->docs, op->seen);
}

/* ---- The worker steps ---- */

typedef void (*StepFunc) (ReinStore *store, Op *op, GCancellable *cancellable);

typedef struct
{
  GTask *task;     /* the operation: our reference, handed on to @then */
  StepFunc func;
  const gchar *name; /* for the debug log */
  void (*then) (GTask *task);
} Step;

/* Runs in a worker: the step may touch @op (nothing else does meanwhile:
 * the operation waits for it), the store (thread-safe), and no other part
 * of the reader. */
static ReinMarketReaderStepHook step_hook;
static gpointer step_hook_data;

void
rein_market_reader_set_step_hook (ReinMarketReaderStepHook hook, gpointer user_data)
{
  step_hook = hook;
  step_hook_data = user_data;
}

static void
step_thread (GTask *step_task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMarketReader *self = source;
  Step *step = task_data;
  gint64 start;

  if (step_hook != NULL)
    step_hook (step->name, step_hook_data);
  start = g_get_monotonic_time ();

  step->func (self->store, g_task_get_task_data (step->task), cancellable);
  g_debug ("refresh: step %s took %" G_GINT64_FORMAT " ms", step->name,
           (g_get_monotonic_time () - start) / 1000);
  g_task_return_boolean (step_task, TRUE);
}

/* Back on the main thread: hands over what the step learned, then goes on. */
static void
step_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketReader *self = REIN_MARKET_READER (source);
  Step *step = g_task_get_task_data (G_TASK (result));
  GTask *task = step->task;
  Op *op = g_task_get_task_data (task);

  if (!op->load_store)
    self->store_loaded = TRUE;
  for (guint i = 0; i < op->learned->len; i++)
    {
      ReinDocument *enrollment = g_ptr_array_index (op->learned, i);
      gboolean known = directory_holds (self->directory, enrollment);

      /* Checked already: this only files it. */
      if (rein_directory_add (self->directory, enrollment, NULL))
        {
          if (!known)
            {
              self->directory_version++;
              op->filed++;
              g_ptr_array_add (self->filed_since, g_object_ref (enrollment));
            }
          adopt_own_enrollment (self, enrollment);
        }
    }
  g_ptr_array_set_size (op->learned, 0);
  for (guint i = 0; i < op->warnings->len; i++)
    emit_warning (self, g_ptr_array_index (op->warnings, i));
  g_ptr_array_set_size (op->warnings, 0);

  if (op->ended || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    op_return_error (task, cancelled_error (task));
  else
    step->then (task);
}

/* Runs @func in a worker, then @then on the main thread. Consumes the
 * caller's reference to @task. */
#define run_step(task, func, then) run_step_named (task, func, #func, then)

static void
run_step_named (GTask *task, StepFunc func, const gchar *name, void (*then) (GTask *task))
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GTask) step_task = g_task_new (self, g_task_get_cancellable (task), step_done_cb,
                                            NULL);
  Step *step = g_new0 (Step, 1);

  /* The operation's copies of what its steps read, taken once. */
  if (op->directory == NULL)
    {
      op->directory = rein_directory_copy (self->directory);
      op->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      {
        GHashTableIter iter;
        gpointer address;

        g_hash_table_iter_init (&iter, self->asked);
        while (g_hash_table_iter_next (&iter, &address, NULL))
          g_hash_table_add (op->asked, g_strdup (address));
      }
      op->load_store = !self->store_loaded;
      op->own_enrollment = self->own_enrollment;
      op->own_key = g_strdup (rein_identity_get_delegate_public_key (self->identity));
      op->own_delegate = g_strdup (rein_identity_get_delegate_address (self->identity));
      op->identity_id = rein_identity_get_id (self->identity);
      op->network = identity_network (self->identity);
      op->testnet = rein_identity_get_testnet (self->identity);
      op->lists_all = self->lists_all;
      op->built = self->built != NULL ? g_hash_table_ref (self->built) : NULL;
      op->built_jobs = self->built_jobs != NULL ? g_ptr_array_ref (self->built_jobs) : NULL;
      op->grown = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_extend (op->grown, self->filed_since, copy_object, NULL);
      op->directory_version = self->directory_version;
    }
  step->task = task;
  step->func = func;
  step->name = name;
  step->then = then;
  g_task_set_source_tag (step_task, run_step_named);
  g_task_set_task_data (step_task, step, g_free);
  rein_background_run (step_task, step_thread);
}

static void
mediators_step (ReinStore *store, Op *op, GCancellable *cancellable)
{
  load_stored_enrollments (store, op);
  add_enrollments (store, op, op->docs);
}

static void
mediators_done (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  const gchar *own_key = rein_identity_get_delegate_public_key (self->identity);
  GPtrArray *mediators = rein_directory_get_mediators (self->directory);

  for (guint i = 0; i < mediators->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (mediators, i);
      const gchar *key = rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);

      /* One cannot mediate one's own jobs. */
      if (rein_same_key (key, own_key))
        continue;
      g_ptr_array_add (out, g_object_ref (doc));
    }
  replace_items (self->mediators, out);
  ((Op *) g_task_get_task_data (task))->ended = TRUE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
follow_step (ReinStore *store, Op *op, GCancellable *cancellable)
{
  queue_later_documents (op);
}

/* Going on from the store's cursors: the servers sent only what is new.
 * The jobs it touches are built again in validate_step() from what the
 * store holds of them and the new documents. The store's invalid job
 * documents are looked at again: their signers and mediators are looked
 * for with the new documents', and their jobs built again when one turns
 * up (without it, a job whose creator's enrollment came late would stay
 * out of the market until a document of it changed). */
static void
resume_signers (ReinStore *store, Op *op)
{
  g_autoptr (GPtrArray) texts = rein_store_list_invalid_job_documents (store, MAX_STALE, NULL);
  g_autoptr (GPtrArray) both = g_ptr_array_copy (op->docs, copy_object, NULL);

  op->stale = g_ptr_array_new_with_free_func (g_object_unref);
  parse_stored (texts, op->stale, NULL);
  op->nothing_new = op->docs->len == 0;
  op->touched = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < op->docs->len; i++)
    {
      const gchar *job_id = rein_document_get_field (g_ptr_array_index (op->docs, i),
                                                     REIN_LABEL_JOB_ID);

      if (job_id != NULL)
        g_hash_table_add (op->touched, (gpointer) job_id);
    }
  /* Jobs a refresh changed that the index may lack: the app quit before
   * the index had them. */
  op->pending = rein_store_list_market_pending (store, op->identity_id, NULL);
  for (guint i = 0; op->pending != NULL && i < op->pending->len; i++)
    g_hash_table_add (op->touched, g_ptr_array_index (op->pending, i));
  g_ptr_array_extend (both, op->stale, copy_object, NULL);
  g_debug ("refresh: %u new documents, %u stored ones found invalid before, %u jobs pending",
           op->docs->len, op->stale->len, op->pending != NULL ? op->pending->len : 0);
  find_signers (store, op, both);
}

static void
signers_step (ReinStore *store, Op *op, GCancellable *cancellable)
{
  g_autoptr (GPtrArray) fresh = NULL;

  if (op->resume)
    {
      resume_signers (store, op);
      return;
    }
  /* Only what is new was asked for: the rest is what the last refresh
   * merged (here, in a worker: a market's worth of documents), whose
   * signers it looked for already, and whose jobs it built: only the jobs
   * of the new documents may have changed. */
  if (op->base != NULL && op->docs->len == 0 && op->what == REIN_MARKET_REFRESH_JOBS)
    {
      /* Nothing new at all: validate_step() takes the last jobs as they
       * are, unless enrollments learned since change them. */
      op->nothing_new = TRUE;
      fresh = g_ptr_array_new ();
    }
  else if (op->base != NULL)
    {
      fresh = g_ptr_array_copy (op->docs, copy_object, NULL);
      op->touched = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < fresh->len; i++)
        {
          const gchar *job_id = rein_document_get_field (g_ptr_array_index (fresh, i),
                                                         REIN_LABEL_JOB_ID);

          if (job_id != NULL)
            g_hash_table_add (op->touched, (gpointer) job_id);
        }
      add_docs (op, op->base);
    }
  if (op->what == REIN_MARKET_REFRESH_JOB_IDS)
    add_stored_job_documents (store, op);
  find_signers (store, op, fresh != NULL ? fresh : op->docs);
}

static void
signers_done (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GPtrArray) list = g_ptr_array_new ();

  /* No server answered: none is asked for enrollments either (nor are
   * the signers counted as asked: they are, once one answers). The
   * store's enrollments are in the directory already. */
  if (op->offline)
    {
      op->asking = g_ptr_array_new_with_free_func (g_free);
      op->learning = TRUE;
      op->slow = TRUE;
      run_next (task);
      return;
    }
  /* Another operation may have asked for some meanwhile. */
  for (guint i = 0; i < op->wanted->len; i++)
    {
      gchar *address = g_ptr_array_index (op->wanted, i);

      if (g_hash_table_add (self->asked, g_strdup (address)))
        g_ptr_array_add (list, address);
    }
  op->asking = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < list->len; i++)
    g_ptr_array_add (op->asking, g_strdup (g_ptr_array_index (list, i)));
  /* The fast path, of the servers not known to lack it. */
  {
    g_auto (GStrv) urls = rein_enrollment_servers_filter (self->enrollment_servers,
                                                          (const gchar *const *) op->urls,
                                                          FALSE);

    if (urls[0] != NULL)
      {
        guint queued = g_queue_get_length (&op->queries);

        enqueue_ids (op, "enrollments", "addresses", list);
        for (GList *l = g_queue_peek_nth_link (&op->queries, queued); l != NULL; l = l->next)
          {
            Query *q = l->data;

            q->urls = g_strdupv (urls);
            q->optional = TRUE;
          }
      }
  }
  op->learning = TRUE;
  run_next (task);
}

/* After the "enrollments" queries: "get_user" for each address no server
 * sent an enrollment for, and "mediators", of the servers that did not
 * show they have "enrollments" (the original Causeway answers both). */
static void
lookup_slowly (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GPtrArray) unfound = rein_enrollment_lookup_unfound (op->asking,
                                                                  op->enrollment_docs);
  g_auto (GStrv) urls = rein_enrollment_servers_filter (self->enrollment_servers,
                                                        (const gchar *const *) op->urls, TRUE);
  Query *q;

  op->slow = TRUE;
  if (unfound->len == 0 || urls[0] == NULL)
    {
      run_next (task);
      return;
    }
  g_debug ("refresh: %u signers unknown: asking %u servers with get_user", unfound->len,
           g_strv_length (urls));
  q = g_new0 (Query, 1);
  q->name = g_strdup ("mediators");
  q->urls = g_strdupv (urls);
  q->optional = TRUE;
  g_queue_push_tail (&op->queries, q);
  for (guint i = 0; i < unfound->len && i < REIN_ENROLLMENT_LOOKUP_MAX_USERS; i++)
    {
      q = g_new0 (Query, 1);
      q->name = g_strdup ("get_user");
      q->params = g_new0 (gchar *, 3);
      q->params[0] = g_strdup ("search_input");
      q->params[1] = g_strdup (g_ptr_array_index (unfound, i));
      q->urls = g_strdupv (urls);
      q->optional = TRUE;
      g_queue_push_tail (&op->queries, q);
    }
  run_next (task);
}

/* Whether the store's verdict on each of @job's documents is the one it
 * was just given (op->stored holds them: build_jobs() looked them up). */
static gboolean
verdicts_stand (Op *op, ReinJob *job)
{
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      gboolean valid = FALSE;
      ReinDocument *doc = rein_job_get_entry (job, i, &valid, NULL);
      ReinStoredVerdict *stored = g_hash_table_lookup (op->stored, rein_document_get_hash (doc));

      if (stored == NULL
          || stored->verification
               != (valid ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID))
        return FALSE;
    }
  return TRUE;
}

/* Stores the documents no job of @built took (a posting under a job ID
 * another key holds, by a signer not known yet) and the store lacks as
 * invalid: the cursors go past them, and they are looked at again with
 * the other invalid documents when an enrollment turns up. A stored one
 * keeps its verdict. */
static void
store_strays (ReinStore *store, Op *op, GPtrArray *built)
{
  g_autoptr (GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));

  for (guint i = 0; i < built->len; i++)
    {
      ReinJob *job = g_ptr_array_index (built, i);

      for (guint e = 0; e < rein_job_get_n_entries (job); e++)
        g_hash_table_add (taken, (gpointer) rein_document_get_hash (
                                     rein_job_get_entry (job, e, NULL, NULL)));
    }
  for (guint i = 0; i < op->docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->docs, i);
      ReinDocumentVerdict verdict = { doc, REIN_VERIFICATION_INVALID,
                                      "It is part of no job that could be built" };

      if (!g_hash_table_contains (taken, rein_document_get_hash (doc))
          && !g_hash_table_contains (op->stored, rein_document_get_hash (doc))
          && rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_ENROLLMENT)
        g_array_append_val (verdicts, verdict);
    }
  if (verdicts->len > 0)
    save_verdicts (store, op, verdicts);
}

/* validate_step() going on from the store's cursors: builds the jobs the
 * new documents touch, and those of invalid documents whose signer or
 * mediator just turned up, from the store's documents and the new ones;
 * the jobs model gets those, all of them changed but for the latter whose
 * verdicts stand. */
static void
resume_validate (ReinStore *store, Op *op, GCancellable *cancellable)
{
  g_autoptr (ReinDirectory) grown = rein_directory_new ();
  g_autoptr (GHashTable) again = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) rest = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) indexed = NULL;
  g_autoptr (GPtrArray) built = NULL;
  g_autoptr (GPtrArray) relisted = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer job_id;

  for (guint i = 0; i < op->grown->len; i++)
    rein_directory_add (grown, g_ptr_array_index (op->grown, i), NULL);
  for (guint i = 0; op->grown->len > 0 && i < op->stale->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->stale, i);
      const gchar *id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);

      if (id != NULL && !g_hash_table_contains (op->touched, id) && document_concerns (doc, grown))
        g_hash_table_add (again, (gpointer) id);
    }
  /* For a listing of the whole market: the index's other jobs too,
   * built from the store's documents alone. */
  if (op->lists_all)
    {
      GError *error = NULL;

      indexed = rein_store_list_job_summaries (store, op->testnet, &error);
      if (indexed == NULL)
        op_warn (op, error);
      for (guint i = 0; indexed != NULL && i < indexed->len; i++)
        {
          const gchar *id = rein_job_summary_get_job_id (g_ptr_array_index (indexed, i));

          if (!g_hash_table_contains (op->touched, id) && !g_hash_table_contains (again, id))
            g_hash_table_add (rest, (gpointer) id);
        }
    }
  g_debug ("refresh: %u jobs touched by new documents, %u by enrollments, %u others listed",
           g_hash_table_size (op->touched), g_hash_table_size (again), g_hash_table_size (rest));
  if (g_hash_table_size (op->touched) + g_hash_table_size (again) + g_hash_table_size (rest)
      == 0)
    {
      op->fresh = g_hash_table_new (NULL, NULL);
      return;
    }
  /* Their new verdicts are stored before the index has them: noted, so
   * that they are built again if the index never gets them. */
  if (g_hash_table_size (again) > 0)
    {
      g_autoptr (GPtrArray) list = g_ptr_array_new ();
      GError *error = NULL;

      g_hash_table_iter_init (&iter, again);
      while (g_hash_table_iter_next (&iter, &job_id, NULL))
        g_ptr_array_add (list, job_id);
      if (!rein_store_add_market_pending (store, op->identity_id, list, &error))
        {
          op->store_failed = TRUE;
          op_warn (op, error);
        }
    }
  /* The sets are apart: @again leaves out the jobs touched, @rest both.
   * Their documents in a few queries: one a job made a listing of 10,000
   * jobs 10,000 queries. */
  {
    GHashTable *sets[] = { op->touched, again, rest };
    g_autoptr (GPtrArray) ids = g_ptr_array_new ();
    g_autoptr (GPtrArray) texts = NULL;
    GError *error = NULL;

    for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
      {
        g_hash_table_iter_init (&iter, sets[s]);
        while (g_hash_table_iter_next (&iter, &job_id, NULL))
          g_ptr_array_add (ids, job_id);
      }
    texts = rein_store_list_jobs_documents (store, (const gchar *const *) ids->pdata, ids->len,
                                            &error);
    if (texts == NULL)
      op_warn (op, error);
    parse_stored (texts, op->docs, op->seen);
  }
  /* Every group is built (op->built is NULL), against its stored verdicts. */
  g_clear_pointer (&op->touched, g_hash_table_unref);
  built = build_jobs (store, op, cancellable);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  store_strays (store, op, built);
  for (guint i = 0; i < built->len; i++)
    {
      ReinJob *job = g_ptr_array_index (built, i);
      gboolean listed = g_hash_table_contains (rest, rein_job_get_id (job));
      gboolean new_documents = !g_hash_table_contains (again, rein_job_get_id (job)) && !listed;

      if (rein_job_get_state (job) == REIN_JOB_STATE_NONE)
        continue;
      g_ptr_array_add (op->out, g_object_ref (job));
      if (new_documents || !verdicts_stand (op, job))
        {
          g_ptr_array_add (op->changed, g_object_ref (job));
          if (listed)
            g_ptr_array_add (relisted, (gpointer) rein_job_get_id (job));
        }
    }
  /* Their new verdicts are stored: noted, as @again's are, in case the
   * index never gets them. */
  if (relisted->len > 0)
    {
      GError *error = NULL;

      if (!rein_store_add_market_pending (store, op->identity_id, relisted, &error))
        {
          op->store_failed = TRUE;
          op_warn (op, error);
        }
    }
}

/* Validates every job: the enrollments learned last, every signature not
 * checked before on every core, then each job on its own. */
static void
validate_step (ReinStore *store, Op *op, GCancellable *cancellable)
{
  g_autoptr (GPtrArray) built = NULL;

  add_enrollments (store, op, op->enrollment_docs);
  if (op->resume)
    {
      resume_validate (store, op, cancellable);
      return;
    }
  if (op->nothing_new)
    {
      if (op->grown->len == 0 && op->built != NULL && op->built_jobs != NULL)
        {
          /* The same documents and enrollments: the same jobs, none of
           * them validated anew (nor their verdicts stored again). */
          g_debug ("refresh: nothing new, %u jobs as they were", op->built_jobs->len);
          g_ptr_array_unref (op->docs);
          op->docs = g_ptr_array_ref (op->base);
          g_ptr_array_extend (op->out, op->built_jobs, copy_object, NULL);
          op->new_built = g_hash_table_ref (op->built);
          op->fresh = g_hash_table_new (NULL, NULL);
          return;
        }
      /* Enrollments learned since: every job again (op->touched is empty,
       * so that groups are compared by digest). */
      add_docs (op, op->base);
      g_clear_pointer (&op->touched, g_hash_table_unref);
    }
  built = build_jobs (store, op, cancellable);
  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (op->what == REIN_MARKET_REFRESH_JOBS)
    {
      /* Forged and broken jobs stay out; their verdicts are stored. */
      for (guint i = 0; i < built->len; i++)
        {
          ReinJob *job = g_ptr_array_index (built, i);

          if (rein_job_get_state (job) == REIN_JOB_STATE_NONE)
            continue;
          g_ptr_array_add (op->out, g_object_ref (job));
          if (g_hash_table_contains (op->fresh, job))
            g_ptr_array_add (op->changed, g_object_ref (job));
        }
    }
  else
    {
      /* Every job built for an ID asked for, in the order asked: an ID
       * copied by another key is that key's job (rein_job_find_creators()),
       * and the caller picks the creator it means. Keeping one job an ID
       * let a copy take the real job's place. */
      g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            (GDestroyNotify) g_ptr_array_unref);

      for (guint i = 0; i < built->len; i++)
        {
          ReinJob *job = g_ptr_array_index (built, i);
          GPtrArray *same = g_hash_table_lookup (by_id, rein_job_get_id (job));

          if (same == NULL)
            {
              same = g_ptr_array_new ();
              g_hash_table_insert (by_id, (gpointer) rein_job_get_id (job), same);
            }
          g_ptr_array_add (same, job);
        }
      for (guint i = 0; op->job_ids[i] != NULL; i++)
        {
          GPtrArray *same = g_hash_table_lookup (by_id, op->job_ids[i]);

          for (guint j = 0; same != NULL && j < same->len; j++)
            g_ptr_array_add (op->out, g_object_ref (g_ptr_array_index (same, j)));
          g_hash_table_remove (by_id, op->job_ids[i]);
        }
    }
}

/* After a refresh of jobs: the cursors for the next refresh to go on
 * from, with the documents merged this time. A server that answered every
 * request and was read to the end goes on from where it ended. One that
 * failed a request or sent too much keeps the cursor this refresh went on
 * from: what it stored since is asked for again next time, and the others
 * are not read again from the start for it (a server that is down would
 * make every refresh a full one); one that keeps refusing keeps it as
 * long, and is asked from there at every refresh. Unless its cursor went
 * back: its database was replaced, and it is read from the start. */
static void
keep_cursors (ReinMarketReader *self, Op *op, GPtrArray *bag)
{
  GHashTable *cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; op->urls[i] != NULL && !op->store_failed && !op->reread_all; i++)
    {
      const gchar *url = op->urls[i];
      const gchar *cursor = NULL;

      if (!g_hash_table_contains (op->failed, url) && !tally_of (op, url)->stopped)
        cursor = g_hash_table_lookup (op->new_cursors, url);
      else if (op->old_cursors != NULL && !g_hash_table_contains (op->went_back, url))
        cursor = g_hash_table_lookup (op->old_cursors, url);
      if (cursor != NULL)
        g_hash_table_insert (cursors, g_strdup (url), g_strdup (cursor));
    }
  g_debug ("refresh: %u of %u servers go on from a cursor next time",
           g_hash_table_size (cursors), g_strv_length (op->urls));
  g_clear_pointer (&self->cursors, g_hash_table_unref);
  if (g_hash_table_size (cursors) == 0)
    {
      g_hash_table_unref (cursors);
      bag_add (bag, g_steal_pointer (&self->base), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  self->cursors = cursors;
  bag_add (bag, g_steal_pointer (&self->base), (GDestroyNotify) g_ptr_array_unref);
  /* The store stands in for what was merged, when the reader resumes. */
  if (!self->resume)
    self->base = g_ptr_array_ref (op->docs);
}

static void
validate_done (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  GPtrArray *bag = g_ptr_array_new_with_free_func ((GDestroyNotify) dropped_free);
  gint64 start = g_get_monotonic_time ();

  bag_add (bag, job_list_replace (self->jobs, op->out), (GDestroyNotify) g_ptr_array_unref);
  g_debug ("refresh: %u jobs replaced in %" G_GINT64_FORMAT " ms (main thread)", op->out->len,
           (g_get_monotonic_time () - start) / 1000);
  /* What the next refresh may take as it is: the jobs validated with the
   * reader's directory as it is now (no other operation filed enrollments
   * meanwhile). */
  if (op->what == REIN_MARKET_REFRESH_JOBS && self->resume && op->fresh != NULL)
    {
      /* Going on from the store next time: nothing of this refresh is
       * kept here but the jobs model, what changed and the cursors. */
      bag_add (bag, g_steal_pointer (&self->built), (GDestroyNotify) g_hash_table_unref);
      bag_add (bag, g_steal_pointer (&self->built_jobs), (GDestroyNotify) g_ptr_array_unref);
      bag_add (bag, g_steal_pointer (&self->known), (GDestroyNotify) rein_fetch_known_unref);
      bag_add (bag, g_steal_pointer (&self->changed), (GDestroyNotify) g_ptr_array_unref);
      self->changed = g_steal_pointer (&op->changed);
      g_ptr_array_set_size (self->filed_since, 0);
      self->whole = FALSE;
      keep_cursors (self, op, bag);
    }
  else if (op->what == REIN_MARKET_REFRESH_JOBS && op->new_built != NULL)
    {
      bag_add (bag, g_steal_pointer (&self->built), (GDestroyNotify) g_hash_table_unref);
      g_ptr_array_set_size (self->filed_since, 0);
      bag_add (bag, g_steal_pointer (&self->changed), (GDestroyNotify) g_ptr_array_unref);
      self->changed = g_steal_pointer (&op->changed);
      bag_add (bag, g_steal_pointer (&self->built_jobs), (GDestroyNotify) g_ptr_array_unref);
      if (self->directory_version == op->directory_version + op->filed)
        {
          self->built = g_steal_pointer (&op->new_built);
          self->built_jobs = g_ptr_array_ref (op->out);
        }
      /* What the servers sent this time stands in for the same texts next
       * time (their signatures checked); what they no longer send goes. */
      bag_add (bag, g_steal_pointer (&self->known), (GDestroyNotify) rein_fetch_known_unref);
      rein_fetch_known_drop_previous (op->known);
      self->known = g_steal_pointer (&op->known);
      keep_cursors (self, op, bag);
    }
  /* A market's documents, and what replaced jobs held, take the main loop
   * long to free. */
  /* Tables that borrow the documents' hashes before the documents. */
  bag_add (bag, g_steal_pointer (&op->sources), (GDestroyNotify) g_hash_table_unref);
  bag_add (bag, g_steal_pointer (&op->seen), (GDestroyNotify) g_hash_table_unref);
  bag_add (bag, g_steal_pointer (&op->docs), (GDestroyNotify) g_ptr_array_unref);
  bag_add (bag, g_steal_pointer (&op->stored), (GDestroyNotify) g_hash_table_unref);
  bag_add (bag, g_steal_pointer (&op->new_built), (GDestroyNotify) g_hash_table_unref);
  bag_add (bag, g_steal_pointer (&op->built), (GDestroyNotify) g_hash_table_unref);
  /* Every document read, by hash, when the reader did not keep it. */
  bag_add (bag, g_steal_pointer (&op->known), (GDestroyNotify) rein_fetch_known_unref);
  bag_add (bag, g_steal_pointer (&op->stale), (GDestroyNotify) g_ptr_array_unref);
  drop_later (bag);
  op->ended = TRUE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Every query is answered: what comes next. Like every step below, it
 * consumes the caller's reference to @task. */
static void
queue_done (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->kind == KIND_QUERY)
    {
      op->ended = TRUE;
      g_task_return_pointer (task, g_ptr_array_ref (op->docs),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
    }
  else if (op->what == REIN_MARKET_REFRESH_MEDIATORS)
    run_step (task, mediators_step, mediators_done);
  else if (op->what == REIN_MARKET_REFRESH_JOBS && !op->followed)
    {
      /* The postings and bids are in: now their offers and what follows. */
      op->followed = TRUE;
      run_step (task, follow_step, run_next);
    }
  else if (!op->learning)
    run_step (task, signers_step, signers_done);
  else if (!op->slow)
    lookup_slowly (task);
  else
    run_step (task, validate_step, validate_done);
}

/* One query is answered (by some server at least). */
static void
query_done (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->learning)
    g_ptr_array_extend (op->enrollment_docs, op->found, copy_object, NULL);
  else
    add_docs (op, op->found);
  op_clear_current (op);
  run_next (task);
}

/* No server answered the query: takes @error. */
static void
query_failed (GTask *task, GError *error)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  /* Servers without the "enrollments" query answer nothing (or an error):
   * those signers stay unknown, and their documents invalid. */
  if (op->learning)
    {
      if (op->current->optional)
        g_debug ("refresh: %s: %s", op->current->name, error->message);
      else
        emit_warning (self, error);
      g_error_free (error);
      /* What the queries before it in the chain found counts. */
      g_ptr_array_extend (op->enrollment_docs, op->found, copy_object, NULL);
      op_clear_current (op);
      run_next (task);
      return;
    }
  op_return_error (task, error);
}

static void send_page (GTask *task);

static Tally *
tally_of (Op *op, const gchar *url)
{
  Tally *tally = g_hash_table_lookup (op->tallies, url);

  if (tally == NULL)
    {
      tally = g_new0 (Tally, 1);
      g_hash_table_insert (op->tallies, g_strdup (url), tally);
    }
  return tally;
}

/* The string of @op->urls equal to @url (NULL when none is). */
static const gchar *
op_url (Op *op, const gchar *url)
{
  for (guint i = 0; op->urls[i] != NULL; i++)
    if (g_str_equal (op->urls[i], url))
      return op->urls[i];
  return NULL;
}

/* Reads no more from the server at @url in this operation, and says why. */
static void
stop_server (ReinMarketReader *self, Op *op, const gchar *url, const gchar *why)
{
  g_autoptr (GError) warning = NULL;
  Tally *tally = tally_of (op, url);

  if (tally->stopped)
    return;
  tally->stopped = TRUE;
  warning = g_error_new (REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER,
                         _("%s sent more than one refresh takes from a server (%s): it was "
                           "read no further"),
                         url, why);
  g_debug ("%s", warning->message);
  emit_warning (self, warning);
}

/* Stops the servers past the limits. */
static void
check_limits (ReinMarketReader *self, Op *op)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr (GPtrArray) over = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);

  g_hash_table_iter_init (&iter, op->tallies);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Tally *tally = value;
      gchar *why = NULL;

      if (tally->stopped)
        continue;
      if (tally->junk > op->limits.max_junk)
        why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u document whose signature does not verify",
                                            "%u documents whose signatures do not verify",
                                            tally->junk),
                               tally->junk);
      else if (tally->documents > op->limits.max_documents)
        why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u document", "%u documents",
                                            tally->documents),
                               tally->documents);
      else if (tally->bytes > op->limits.max_bytes)
        why = g_format_size (tally->bytes);
      else if (tally->repeated)
        why = g_strdup (_("a page of documents it had all sent before"));
      if (why != NULL)
        {
          g_ptr_array_add (over, g_strdup (key));
          g_ptr_array_add (reasons, why);
        }
    }
  for (guint i = 0; i < over->len; i++)
    stop_server (self, op, g_ptr_array_index (over, i), g_ptr_array_index (reasons, i));
}

/* Restores the signature check of @doc from the job the previous refresh
 * built with the same text, if any. */
static gboolean
restore_from_built (Op *op, ReinDocument *doc)
{
  const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);
  BuiltGroup *before = op->built != NULL && job_id != NULL
                         ? g_hash_table_lookup (op->built, job_id)
                         : NULL;

  for (guint j = 0; before != NULL && j < before->jobs->len; j++)
    {
      ReinJob *job = g_ptr_array_index (before->jobs, j);

      for (guint i = 0; i < rein_job_get_n_entries (job); i++)
        {
          ReinDocument *old = rein_job_get_entry (job, i, NULL, NULL);

          if (old != doc && rein_document_get_verification (old) != REIN_VERIFICATION_UNCHECKED
              && g_str_equal (rein_document_get_hash (old), rein_document_get_hash (doc)))
            {
              rein_document_restore_verification (doc, rein_document_get_verification (old),
                                                  rein_document_get_verification_code (old),
                                                  rein_document_get_verification_error (old));
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* Takes the page's documents that verify, within each server's limits,
 * into the operation (the end of a worker step: while it runs, the main
 * thread only keeps the next page for later, see page_cb(), so the
 * operation's tables are this thread's). Done here rather than on the
 * main thread: a market's worth of hashes grows these tables, and each
 * time one doubles it is rebuilt whole, a stall of 50 to 130 ms with
 * 400,000 documents. */
static void
take_checked (Op *op)
{
  for (guint i = 0; i < op->page_docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->page_docs, i);
      const gchar *url = g_ptr_array_index (op->page_urls_of, i);
      Tally *tally = tally_of (op, url != NULL ? url : "");

      if (tally->stopped)
        continue;
      if (rein_document_get_verification (doc) == REIN_VERIFICATION_INVALID)
        {
          tally->junk++;
          continue;
        }
      tally->documents++;
      tally->bytes += strlen (rein_document_get_armored (doc));
      /* Where it came from first, for the store: the key is the
       * document's own hash and the value one of @op->urls, so that
       * nothing is allocated per document here (a market's worth of small
       * strings, freed later in a worker, make the main thread's malloc
       * wait for the worker's frees). */
      if (url != NULL && !g_hash_table_contains (op->sources, rein_document_get_hash (doc)))
        g_hash_table_insert (op->sources, (gpointer) rein_document_get_hash (doc),
                             (gpointer) url);
      /* The market's documents go straight in, a page at a time: no step
       * goes through a whole market at once. */
      rein_fetch_known_add (op->known, doc);
      if (!op->learning)
        {
          if (add_new_key (op->seen, rein_document_get_hash (doc)))
            g_ptr_array_add (op->docs, g_object_ref (doc));
          continue;
        }
      if (add_new_key (op->found_seen, rein_document_get_hash (doc)))
        g_ptr_array_add (op->found, g_object_ref (doc));
    }
}

/* Checks the signatures of the page's documents (a worker step): those
 * seen before by hash are not checked again. Then takes those that
 * verify. */
/* The page's documents new to the operation (op->page_docs), each with
 * the first server that sent it and is still read (op->page_urls_of). */
/* 64 bits of a document's hash (hex), told apart by the query's salt
 * (its name, which changes when it turns into another, and which of the
 * operation's queries it is). */
static guint64
sent_key (const gchar *hash, guint64 salt)
{
  guint64 bits = 0;

  for (guint i = 0; i < 16 && g_ascii_isxdigit (hash[i]); i++)
    bits = bits << 4 | (guint64) g_ascii_xdigit_value (hash[i]);
  return bits ^ salt;
}

/* Marks the servers whose page brought no document they had not sent
 * before in the same query: a server that answers every page with the
 * same documents would otherwise be asked again, a page at a time, up to
 * the page limit (each page waiting for the slowest server), its repeats
 * counted nowhere since only what is new to the operation counts. */
static void
note_repeats (Op *op, GHashTable *sources)
{
  g_autoptr (GHashTable) fresh = g_hash_table_new (g_direct_hash, g_direct_equal);

  /* only a full page leads to another: the last one may repeat a few */
  if (op->page_full == NULL || op->page_full[0] == NULL)
    return;
  for (guint i = 0; i < op->page_fetched->len; i++)
    {
      const gchar *hash = rein_document_get_hash (g_ptr_array_index (op->page_fetched, i));
      GPtrArray *urls = g_hash_table_lookup (sources, hash);
      guint64 key = sent_key (hash, op->page_salt);

      for (guint u = 0; urls != NULL && u < urls->len; u++)
        {
          Tally *tally = tally_of (op, g_ptr_array_index (urls, u));
          gboolean added;

          if (tally->sent == NULL)
            tally->sent = g_hash_table_new (g_direct_hash, g_direct_equal);
          /* (a pointer holds the 64 bits where it has 64; else 32 of
           * them: then two documents in four billion share a key) */
          added = g_hash_table_add (tally->sent, GSIZE_TO_POINTER ((gsize) key));
          if (!g_hash_table_contains (fresh, tally))
            g_hash_table_insert (fresh, tally, GUINT_TO_POINTER (0));
          if (added)
            g_hash_table_insert (fresh, tally, GUINT_TO_POINTER (1));
        }
    }
  {
    GHashTableIter iter;
    gpointer tally, any_new;

    g_hash_table_iter_init (&iter, fresh);
    while (g_hash_table_iter_next (&iter, &tally, &any_new))
      if (!GPOINTER_TO_UINT (any_new))
        for (guint i = 0; op->page_full[i] != NULL; i++)
          if (tally_of (op, op->page_full[i]) == tally)
            ((Tally *) tally)->repeated = TRUE;
  }
}

static void
sort_page (Op *op)
{
  GHashTable *sources = rein_fetch_get_sources (op->page_result);

  note_repeats (op, sources);

  op->page_docs = g_ptr_array_new_with_free_func (g_object_unref);
  op->page_urls_of = g_ptr_array_new ();
  for (guint i = 0; i < op->page_fetched->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->page_fetched, i);
      const gchar *hash = rein_document_get_hash (doc);
      GPtrArray *urls = g_hash_table_lookup (sources, hash);
      const gchar *url = NULL;

      if (g_hash_table_contains (op->seen, hash) || g_hash_table_contains (op->found_seen, hash))
        continue;
      /* The first server that sent it and is still read (a page may come
       * from a server stopped while the page before was checked). */
      for (guint u = 0; urls != NULL && u < urls->len && url == NULL; u++)
        if (!tally_of (op, g_ptr_array_index (urls, u))->stopped)
          url = op_url (op, g_ptr_array_index (urls, u));
      if (urls != NULL && urls->len > 0 && url == NULL)
        continue;
      g_ptr_array_add (op->page_docs, g_object_ref (doc));
      g_ptr_array_add (op->page_urls_of, (gpointer) url);
    }
  /* The fetch's tables go here too, not on the main thread. */
  g_clear_pointer (&op->page_fetched, g_ptr_array_unref);
  g_clear_object (&op->page_result);
}

static void
check_page_step (ReinStore *store, Op *op, GCancellable *cancellable)
{
  g_autoptr (GPtrArray) unknown = g_ptr_array_new ();

  sort_page (op);
  for (guint i = 0; i < op->page_docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (op->page_docs, i);

      if (rein_document_get_verification (doc) == REIN_VERIFICATION_UNCHECKED
          && !restore_from_built (op, doc))
        g_ptr_array_add (unknown, doc);
    }
  restore_checks (store, op, unknown);
  verify_all (unknown, cancellable);
  if (!g_cancellable_is_cancelled (cancellable))
    take_checked (op);
  g_clear_pointer (&op->page_docs, g_ptr_array_unref);
  g_clear_pointer (&op->page_urls_of, g_ptr_array_unref);
}

/* The page's signatures are checked and its documents taken: asks for
 * the next page, within the limits. */
static void
page_checked (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  check_limits (self, op);
  op->checking = FALSE;

  if (op->fetched != NULL)
    {
      g_autoptr (GAsyncResult) fetched = g_steal_pointer (&op->fetched);

      take_page (task, fetched);
    }
  else if (op->fetching)
    /* page_cb() takes it from here. */
    g_object_unref (task);
  else if (op->deferred)
    {
      op->deferred = FALSE;
      keep_going (self, op);
      if (op->page_urls[0] != NULL)
        send_page (task);
      else
        query_done (task);
    }
  else
    query_done (task);
}

/* The servers of @op->page_urls still to be asked for the next page, within
 * the limits. */
static void
keep_going (ReinMarketReader *self, Op *op)
{
  g_autoptr (GStrvBuilder) next = g_strv_builder_new ();

  for (guint i = 0; op->page_urls[i] != NULL; i++)
    {
      if (tally_of (op, op->page_urls[i])->stopped)
        continue;
      if (op->page >= op->limits.max_pages)
        {
          g_autofree gchar *why = g_strdup_printf (
              g_dngettext (GETTEXT_PACKAGE, "%u page of “%s”", "%u pages of “%s”", op->page),
              op->page, op->current->name);

          stop_server (self, op, op->page_urls[i], why);
          continue;
        }
      g_strv_builder_add (next, op->page_urls[i]);
    }
  g_strfreev (op->page_urls);
  op->page_urls = g_strv_builder_end (next);
}

static void
server_done_cb (const ReinFetchReport *report, gpointer user_data)
{
  GTask *task = user_data;
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  op->done++;
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, report->url, op->done, op->total);
}

/* GIO's error for @task's cancellable. */
static GError *
cancelled_error (GTask *task)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  return error;
}

/* Ends the operation with @error, once. Consumes the caller's reference
 * to @task. */
static void
op_return_error (GTask *task, GError *error)
{
  Op *op = g_task_get_task_data (task);

  if (!op->ended)
    {
      op->ended = TRUE;
      g_task_return_error (task, error);
    }
  else
    g_error_free (error);
  g_object_unref (task);
}

static void
page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data; /* our reference, handed on */
  Op *op = g_task_get_task_data (task);

  op->fetching = FALSE;
  if (op->ended)
    {
      g_object_unref (task);
      return;
    }
  if (op->checking)
    {
      /* The last page is still being checked: page_checked() takes it. */
      g_set_object (&op->fetched, result);
      g_object_unref (task);
      return;
    }
  take_page (task, result);
}

/* Whether a refresh may go on when no server answered the current query:
 * a resumed refresh fails only when neither the servers with a cursor nor
 * the others answered (the documents of those that did are the
 * refresh's). */
static gboolean
others_may_answer (Op *op)
{
  Query *next = g_queue_peek_head (&op->queries);

  if (!op->resume)
    return FALSE;
  if (op->current->unread)
    return op->any_answered;
  return next != NULL && next->unread;
}

/* Whether the cursor a server answers at the end of the current query is
 * where the next refresh of jobs may go on from: the end of
 * "job_documents", every job document up to it read. */
static gboolean
current_gives_cursor (Op *op)
{
  return op->kind == KIND_REFRESH && op->what == REIN_MARKET_REFRESH_JOBS
         && g_str_equal (op->current->name, "job_documents");
}

/* After the first page of "jobs" of a full refresh of jobs: when every
 * server that answered gave a cursor (rein-server's `since`), each holds
 * every job document in one query, "job_documents": read from the start
 * instead of the rest of "jobs", "bids" and "by_job_id" (which sends every
 * document of every job with bids again). A server that failed is not
 * asked for job_documents.
 *
 * A refresh that goes on from the store's cursors asks "jobs" only of the
 * servers it has no cursor for, after the others' job_documents
 * (resume_from_store()), and switches them the same way. When one of them
 * does not page by cursor, they are read as a full refresh reads them
 * ("jobs", then "bids", then "by_job_id" of the jobs with bids), and the
 * next refresh reads everything (no cursor is kept). */
static gboolean
switch_to_job_documents (Op *op, GPtrArray *reports)
{
  if (op->kind != KIND_REFRESH || op->what != REIN_MARKET_REFRESH_JOBS
      || (!op->resume && (op->incremental || op->followed)) || op->page != 0
      || !g_str_equal (op->current->name, "jobs")
      || reports->len != g_strv_length (op->page_urls))
    return FALSE;
  for (guint i = 0; i < reports->len; i++)
    {
      ReinFetchReport *report = g_ptr_array_index (reports, i);

      if (report->error == NULL && report->cursor == NULL)
        {
          if (op->resume && !op->reread_all)
            {
              Query *bids = g_new0 (Query, 1);

              bids->name = g_strdup ("bids");
              bids->urls = g_strdupv (op->current->urls);
              bids->unread = TRUE;
              g_queue_push_tail (&op->queries, bids);
              op->reread_all = TRUE;
              op->followed = FALSE;
            }
          return FALSE;
        }
    }
  g_debug ("refresh: every server pages by cursor: job_documents instead of jobs, bids, "
           "by_job_id");
  g_free (op->current->name);
  op->current->name = g_strdup ("job_documents");
  /* (A resumed refresh's unread servers are its last query.) */
  g_queue_clear_full (&op->queries, (GDestroyNotify) query_free);
  op->followed = TRUE;
  g_hash_table_remove_all (op->page_since);
  for (guint i = 0; i < reports->len; i++)
    {
      ReinFetchReport *report = g_ptr_array_index (reports, i);

      if (report->error == NULL)
        g_hash_table_insert (op->page_since, g_strdup (report->url), g_strdup ("0"));
    }
  return TRUE;
}

/* Takes the `since` cursor of a server's answer to the current query: its
 * next page goes on from it (keyset paging), and at the end of the query
 * it may be where the next refresh goes on from. A server that answers
 * none pages by offset, as servers always did. */
static void
take_cursor (Op *op, const ReinFetchReport *report)
{
  const gchar *sent = g_hash_table_lookup (op->page_since, report->url);

  if (report->cursor == NULL)
    {
      g_hash_table_remove (op->page_since, report->url);
      return;
    }
  if (report->received >= PAGE_SIZE)
    {
      g_hash_table_insert (op->page_since, g_strdup (report->url), g_strdup (report->cursor));
      return;
    }
  /* The end. A cursor below the one sent: the server no longer holds what
   * it said (its database was replaced): the next refresh reads it all. */
  if (current_gives_cursor (op))
    {
      if (sent == NULL
          || g_ascii_strtoull (report->cursor, NULL, 10) >= g_ascii_strtoull (sent, NULL, 10))
        g_hash_table_insert (op->new_cursors, g_strdup (report->url), g_strdup (report->cursor));
      else
        {
          g_hash_table_remove (op->new_cursors, report->url);
          g_hash_table_add (op->went_back, g_strdup (report->url));
        }
    }
  g_hash_table_remove (op->page_since, report->url);
}

/* The current query starts: each server's first page from its `since`,
 * if it has one. */
static void
start_paging (Op *op)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_remove_all (op->page_since);
  op->queries_started++;
  if (op->current->since == NULL)
    return;
  g_hash_table_iter_init (&iter, op->current->since);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (op->page_since, g_strdup (key), g_strdup (value));
}

/* A page is in, and no other is being checked: sends for the next one
 * while this one is checked. Consumes the caller's reference to @task. */
static void
take_page (GTask *task, GAsyncResult *result)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GPtrArray) reports = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) docs = rein_fetch_finish (result, &reports, &error);
  g_autoptr (GStrvBuilder) again = g_strv_builder_new ();
  g_autoptr (GHashTable) tallies = NULL;

  g_debug ("refresh: page %u of %s fetched in %" G_GINT64_FORMAT " ms", op->page,
           op->current->name, (g_get_monotonic_time () - op->page_started) / 1000);

  if (docs == NULL)
    {
      op_return_error (task, g_steal_pointer (&error));
      return;
    }
  op->n_read += docs->len;
  g_signal_emit (self, signals[SIGNAL_READ], 0, op->n_read);
  /* The query this page answers, for its check: the next query may start
   * below before the page is checked, or this one turn into another
   * (switch_to_job_documents()) whose pages start over. */
  op->page_salt = (g_str_hash (op->current->name) + ((guint64) op->queries_started << 32))
                  * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  for (guint i = 0; i < reports->len; i++)
    {
      ReinFetchReport *report = g_ptr_array_index (reports, i);

      if (g_str_equal (op->current->name, "enrollments") && op->page == 0)
        rein_enrollment_servers_record (self->enrollment_servers, report->url,
                                        report->error != NULL, report->received);
      if (report->error != NULL && op->current->optional)
        {
          /* Not every server has it (an original Causeway, say). */
          g_debug ("refresh: %s: %s: %s", report->url, op->current->name, report->error);
          if (op->first_error == NULL)
            op->first_error = g_strdup (report->error);
          continue;
        }
      if (report->error != NULL)
        {
          g_autoptr (GError) failure = g_error_new_literal (REIN_NET_ERROR,
                                                            REIN_NET_ERROR_UNREACHABLE,
                                                            report->error);

          if (op->first_error == NULL)
            op->first_error = g_strdup (report->error);
          g_hash_table_add (op->failed, g_strdup (report->url));
          g_signal_emit (self, signals[SIGNAL_SERVER_FAILED], 0, report->url, failure);
          continue;
        }
      if (op->page == 0)
        op->answered++;
      op->any_answered = TRUE;
      take_cursor (op, report);
      if (report->malformed > 0)
        {
          g_autoptr (GError) warning = g_error_new (
              REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER,
              g_dngettext (GETTEXT_PACKAGE, "%s sent %u text that is not a Rein document",
                           "%s sent %u texts that are not Rein documents", report->malformed),
              report->url, report->malformed);

          emit_warning (self, warning);
        }
      /* A full page: there may be more. Servers that ignore paging (the
       * original one caps at 100) never fill a page. */
      if (report->received >= PAGE_SIZE)
        g_strv_builder_add (again, report->url);
    }
  if (op->page == 0 && op->answered == 0 && others_may_answer (op))
    {
      query_done (task);
      return;
    }
  if (op->page == 0 && op->answered == 0 && op->stored_when_unreachable && !op->learning
      && !op->any_answered && op->kind == KIND_REFRESH
      && op->what == REIN_MARKET_REFRESH_JOB_IDS)
    {
      /* No server answered: the jobs as the store has them, said so. The
       * other queries of the IDs would find none either. */
      g_free (self->unreachable);
      self->unreachable = g_strdup (op->first_error ? op->first_error : "?");
      g_debug ("refresh: no server answered %s: the store's documents only",
               op->current->name);
      g_queue_clear_full (&op->queries, (GDestroyNotify) query_free);
      op->offline = TRUE;
      query_done (task);
      return;
    }
  if (op->page == 0 && op->answered == 0)
    {
      query_failed (task, g_error_new (REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE,
                                       /* a refusal ("Account required…") or silence */
                                       _("no server sent the market (%s)"),
                                       op->first_error ? op->first_error : "?"));
      return;
    }
  if (switch_to_job_documents (op, reports))
    {
      /* Every server, from the start of its documents. */
      g_strv_builder_unref (g_steal_pointer (&again));
      again = g_strv_builder_new ();
      for (guint i = 0; i < reports->len; i++)
        {
          ReinFetchReport *report = g_ptr_array_index (reports, i);

          if (report->error == NULL)
            g_strv_builder_add (again, report->url);
        }
    }

  /* The documents new to the operation are sorted out and have their
   * signatures checked in a worker before they are taken (see
   * check_page_step()): a page is thousands of documents, and going
   * through them here cost the main loop about 15 ms a page. Whether
   * the next page may travel meanwhile is told by what each server sent
   * (more than it will be counted for: only documents new to the
   * operation count, each for the first server that sent it). */
  op->page_result = g_object_ref (result);
  op->page_fetched = g_steal_pointer (&docs);
  tallies = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tally_free);
  for (guint i = 0; i < reports->len; i++)
    {
      ReinFetchReport *report = g_ptr_array_index (reports, i);
      Tally *page_tally;

      if (report->error != NULL)
        continue;
      page_tally = g_new0 (Tally, 1);
      page_tally->documents = report->received - report->malformed;
      page_tally->bytes = report->bytes;
      g_hash_table_insert (tallies, report->url, page_tally);
    }

  g_strfreev (op->page_urls);
  op->page_urls = g_strv_builder_end (again);
  g_strfreev (op->page_full);
  op->page_full = g_strdupv (op->page_urls);
  op->page++;
  keep_going (self, op);
  /* The last page of this query: the next query's first page goes out now
   * (the queue holds queries of one phase, which need nothing of each
   * other's answers). */
  if (op->page_urls[0] == NULL)
    chain_next_query (op);
  /* The next page travels while this one is checked, unless a server may
   * be past its limits with this page: then it waits for the check, and a
   * server past them is not asked for more. */
  op->deferred = op->page_urls[0] != NULL && !may_look_ahead (op, tallies);
  if (op->page_urls[0] != NULL && !op->deferred)
    send_page (g_object_ref (task));
  op->checking = TRUE;
  run_step (task, check_page_step, page_checked);
}

/* The servers to ask @query: those it is for, but not those that sent
 * too much already. */
static GStrv
query_urls (Op *op, Query *query)
{
  g_autoptr (GStrvBuilder) urls = g_strv_builder_new ();

  for (guint i = 0; op->urls[i] != NULL; i++)
    if (!tally_of (op, op->urls[i])->stopped
        && (query->urls == NULL || g_strv_contains ((const gchar *const *) query->urls,
                                                    op->urls[i])))
      g_strv_builder_add (urls, op->urls[i]);
  return g_strv_builder_end (urls);
}

/* Makes the next queued query the current one, at its first page, to
 * the servers still read; FALSE when none is queued. */
static gboolean
chain_next_query (Op *op)
{
  Query *next = g_queue_pop_head (&op->queries);

  if (next == NULL)
    return FALSE;
  g_debug ("refresh: query %s follows at %" G_GINT64_FORMAT " ms", next->name,
           (g_get_monotonic_time () - op->started) / 1000);
  g_clear_pointer (&op->current, query_free);
  op->current = next;
  op->page = 0;
  op->answered = 0;
  start_paging (op);
  g_clear_pointer (&op->first_error, g_free);
  g_strfreev (op->page_urls);
  op->page_urls = query_urls (op, next);
  return TRUE;
}

/* Whether every server to be asked for the next page stays within the
 * limits even if all of its documents on the page being checked (counted
 * in @page_tallies, URL -> Tally) are taken, and sent no junk so far. */
static gboolean
may_look_ahead (Op *op, GHashTable *page_tallies)
{
  for (guint i = 0; op->page_urls[i] != NULL; i++)
    {
      Tally *tally = tally_of (op, op->page_urls[i]);
      Tally *page = g_hash_table_lookup (page_tallies, op->page_urls[i]);
      guint documents = tally->documents + (page != NULL ? page->documents : 0);
      guint64 bytes = tally->bytes + (page != NULL ? page->bytes : 0);

      if (tally->junk > 0 || documents > op->limits.max_documents
          || bytes > op->limits.max_bytes)
        return FALSE;
    }
  return TRUE;
}

static void
send_page (GTask *task)
{
  ReinMarketReader *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  g_autofree gchar *limit = g_strdup_printf ("%d", PAGE_SIZE);
  g_autofree gchar *offset = g_strdup_printf ("%u", op->page * PAGE_SIZE);
  g_autoptr (GHashTable) url_params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) g_strfreev);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      op_return_error (task, cancelled_error (task));
      return;
    }
  for (guint i = 0; op->current->params != NULL && op->current->params[i] != NULL
                    && op->current->params[i + 1] != NULL; i += 2)
    {
      g_ptr_array_add (params, op->current->params[i]);
      g_ptr_array_add (params, op->current->params[i + 1]);
    }
  g_ptr_array_add (params, (gpointer) "limit");
  g_ptr_array_add (params, limit);
  g_ptr_array_add (params, NULL);
  /* Servers that page by cursor go on from theirs; the others by offset. */
  for (guint i = 0; op->page_urls[i] != NULL; i++)
    {
      const gchar *since = g_hash_table_lookup (op->page_since, op->page_urls[i]);
      GStrv own = g_new0 (gchar *, 3);

      own[0] = g_strdup (since != NULL ? "since" : "offset");
      own[1] = g_strdup (since != NULL ? since : offset);
      g_hash_table_insert (url_params, op->page_urls[i], own);
    }

  op->total += g_strv_length (op->page_urls);
  op->page_started = g_get_monotonic_time ();
  op->fetching = TRUE;
  rein_fetch_async_full ((const gchar *const *) op->page_urls,
                         rein_identity_get_master_address (self->identity), op->current->name,
                         rein_identity_get_testnet (self->identity),
                         (const gchar *const *) params->pdata, url_params, op->known,
                         server_done_cb, task,
                         g_task_get_cancellable (task), page_cb, task);
}

/* Sends the next query, or goes on when there is none left. Consumes the
 * caller's reference to @task. */
static void
run_next (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      op_return_error (task, cancelled_error (task));
      return;
    }
  op->current = g_queue_pop_head (&op->queries);
  if (op->current == NULL)
    {
      queue_done (task);
      return;
    }
  g_debug ("refresh: query %s starts at %" G_GINT64_FORMAT " ms", op->current->name,
           (g_get_monotonic_time () - op->started) / 1000);
  op->page = 0;
  op->answered = 0;
  start_paging (op);
  op->found = g_ptr_array_new_with_free_func (g_object_unref);
  op->found_seen = g_hash_table_new (g_str_hash, g_str_equal);
  op->page_urls = query_urls (op, op->current);
  if (op->page_urls[0] == NULL)
    query_done (task);
  else
    send_page (task);
}

static GTask *
start_op (ReinMarketReader *self,
          OpKind kind,
          GCancellable *cancellable,
          GAsyncReadyCallback callback,
          gpointer user_data,
          gpointer source_tag,
          Op **out_op)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) stored = rein_store_list_servers (self->store, &ids, &error);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  op->kind = kind;
  op->started = g_get_monotonic_time ();
  op->docs = g_ptr_array_new_with_free_func (g_object_unref);
  op->seen = g_hash_table_new (g_str_hash, g_str_equal);
  op->sources = g_hash_table_new (g_str_hash, g_str_equal);
  op->server_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  op->learned = g_ptr_array_new_with_free_func (g_object_unref);
  op->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  op->enrollment_docs = g_ptr_array_new_with_free_func (g_object_unref);
  op->wanted = g_ptr_array_new_with_free_func (g_free);
  op->out = g_ptr_array_new_with_free_func (g_object_unref);
  op->stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) rein_stored_verdict_free);
  op->limits = self->limits;
  op->changed = g_ptr_array_new_with_free_func (g_object_unref);
  op->tallies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) tally_free);
  op->known = rein_fetch_known_new (self->known);
  op->page_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  op->new_cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  op->went_back = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  op->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&op->queries);
  *out_op = op;

  if (stored == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_clear_object (&task);
      return NULL;
    }
  for (guint i = 0; stored[i] != NULL; i++)
    g_hash_table_insert (op->server_ids, g_strdup (stored[i]),
                         g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)));
  op->urls = self->servers != NULL ? g_strdupv (self->servers) : g_steal_pointer (&stored);
  if (op->urls[0] == NULL)
    {
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                               _("no server is known"));
      g_clear_object (&task);
      return NULL;
    }
  return task;
}

static void
queue_query (Op *op, const gchar *name, const gchar *const *params)
{
  Query *q = g_new0 (Query, 1);

  q->name = g_strdup (name);
  q->params = params != NULL ? g_strdupv ((gchar **) params) : NULL;
  g_queue_push_tail (&op->queries, q);
}

/* Whether a refresh of jobs of @op's servers may ask only for what is new:
 * the last one read every one of exactly these servers to the end, and
 * each gave a cursor. */
static gboolean
can_continue (ReinMarketReader *self, Op *op)
{
  if (self->cursors == NULL || self->base == NULL || self->known == NULL
      || g_hash_table_size (self->cursors) != g_strv_length (op->urls))
    return FALSE;
  for (guint i = 0; op->urls[i] != NULL; i++)
    if (!g_hash_table_contains (self->cursors, op->urls[i]))
      return FALSE;
  return TRUE;
}

/* Whether a refresh of jobs of @op's servers may go on from the cursors
 * the store keeps (rein_market_reader_set_resume()): it holds one for at
 * least one of these servers. If so, asks each of those for what it
 * stored since, and the others (a server added since, or one that never
 * answered) for everything, from the start (switch_to_job_documents()). */
static gboolean
resume_from_store (ReinMarketReader *self, Op *op)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) stored = rein_store_get_market_cursors (
      self->store, rein_identity_get_id (self->identity), &error);
  g_autoptr (GStrvBuilder) known = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) unread = g_strv_builder_new ();
  GHashTable *since;
  guint n_known = 0, n_unread = 0;
  Query *q;

  if (stored == NULL)
    {
      g_debug ("refresh: %s", error->message);
      return FALSE;
    }
  since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; op->urls[i] != NULL; i++)
    {
      const gchar *cursor = g_hash_table_lookup (stored, op->urls[i]);

      if (cursor != NULL)
        g_hash_table_insert (since, g_strdup (op->urls[i]), g_strdup (cursor));
      g_strv_builder_add (cursor != NULL ? known : unread, op->urls[i]);
      *(cursor != NULL ? &n_known : &n_unread) += 1;
    }
  if (n_known == 0)
    {
      g_hash_table_unref (since);
      return FALSE;
    }
  q = g_new0 (Query, 1);
  q->name = g_strdup ("job_documents");
  q->urls = g_strv_builder_end (known);
  op->old_cursors = g_hash_table_ref (since);
  q->since = since;
  g_queue_push_tail (&op->queries, q);
  if (n_unread > 0)
    {
      q = g_new0 (Query, 1);
      q->name = g_strdup ("jobs");
      q->urls = g_strv_builder_end (unread);
      q->unread = TRUE;
      g_queue_push_tail (&op->queries, q);
    }
  op->incremental = TRUE;
  op->followed = TRUE;
  op->resume = TRUE;
  g_debug ("refresh: only what is new since the store's cursors (%u of %u servers read from "
           "the start)", n_unread, n_known + n_unread);
  return TRUE;
}

void
rein_market_reader_refresh_async (ReinMarketReader *self,
                                  ReinMarketRefresh what,
                                  const gchar *const *job_ids,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task;
  Op *op = NULL;

  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_return_if_fail (what != REIN_MARKET_REFRESH_JOB_IDS || job_ids != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = start_op (self, KIND_REFRESH, cancellable, callback, user_data,
                   rein_market_reader_refresh_async, &op);
  if (task == NULL)
    return;
  op->what = what;
  if (what == REIN_MARKET_REFRESH_JOB_IDS)
    {
      op->stored_when_unreachable = self->stored_when_unreachable;
      g_clear_pointer (&self->unreachable, g_free);
    }
  switch (what)
    {
    case REIN_MARKET_REFRESH_JOBS:
      if (self->resume && !self->whole && resume_from_store (self, op))
        break;
      if (can_continue (self, op))
        {
          /* Only what is new: every job document since each server's
           * cursor, on top of what the last refresh merged. */
          Query *q = g_new0 (Query, 1);

          q->name = g_strdup ("job_documents");
          q->since = g_hash_table_ref (self->cursors);
          op->old_cursors = g_hash_table_ref (self->cursors);
          g_queue_push_tail (&op->queries, q);
          op->incremental = TRUE;
          op->followed = TRUE;
          op->base = g_ptr_array_ref (self->base);
          /* The same table of documents by hash goes on growing. */
          g_clear_pointer (&op->known, rein_fetch_known_unref);
          op->known = rein_fetch_known_ref (self->known);
          g_debug ("refresh: only what is new since the last refresh's cursors");
          break;
        }
      queue_query (op, "jobs", NULL);
      queue_query (op, "bids", NULL);
      break;
    case REIN_MARKET_REFRESH_JOB_IDS:
      {
        g_autoptr (GPtrArray) ids = g_ptr_array_new ();

        op->job_ids = g_strdupv ((gchar **) job_ids);
        for (guint i = 0; job_ids[i] != NULL; i++)
          g_ptr_array_add (ids, (gpointer) job_ids[i]);
        enqueue_ids (op, "by_job_id", "job_ids", ids);
      }
      break;
    case REIN_MARKET_REFRESH_MEDIATORS:
      queue_query (op, "mediators", NULL);
      break;
    default:
      g_assert_not_reached ();
    }
  run_next (task);
}

gboolean
rein_market_reader_refresh_finish (ReinMarketReader *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_market_reader_refresh_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rein_market_reader_query_async (ReinMarketReader *self,
                                const gchar *query,
                                const gchar *const *params,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task;
  Op *op = NULL;

  g_return_if_fail (REIN_IS_MARKET_READER (self));
  g_return_if_fail (query != NULL);

  task = start_op (self, KIND_QUERY, cancellable, callback, user_data,
                   rein_market_reader_query_async, &op);
  if (task == NULL)
    return;
  queue_query (op, query, params);
  run_next (task);
}

GPtrArray *
rein_market_reader_query_finish (ReinMarketReader *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_market_reader_query_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

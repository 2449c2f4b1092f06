/* rein-ratings.c: a person's ratings from every server, checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-ratings.h"

#include <glib/gi18n.h>
#include <string.h>

typedef struct
{
  gchar *sin;
  gchar *own_sin;
  GHashTable *seen;     /* hashes of the rating documents taken */
  GPtrArray *about;     /* ReinRating of @sin */
  GPtrArray *mine;      /* ReinRating by @own_sin */
  GPtrArray *jobs;      /* ReinJob, of the job IDs the ratings name */
  GPtrArray *signers;   /* raters' signing addresses the reader knows no enrollment of */
  GPtrArray *enrollments; /* ReinDocument: what "get_user" answered for them */
  ReinDirectory *directory;
  ReinRatingsReport *report;
} Load;

static void
load_free (Load *load)
{
  g_free (load->sin);
  g_free (load->own_sin);
  g_clear_pointer (&load->seen, g_hash_table_unref);
  g_clear_pointer (&load->about, g_ptr_array_unref);
  g_clear_pointer (&load->mine, g_ptr_array_unref);
  g_clear_pointer (&load->jobs, g_ptr_array_unref);
  g_clear_pointer (&load->signers, g_ptr_array_unref);
  g_clear_pointer (&load->enrollments, g_ptr_array_unref);
  g_clear_pointer (&load->directory, rein_directory_free);
  g_clear_pointer (&load->report, rein_ratings_report_free);
  g_free (load);
}

static void
unref_object (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

void
rein_ratings_report_free (ReinRatingsReport *report)
{
  if (report == NULL)
    return;
  g_free (report->sin);
  g_clear_pointer (&report->ratings, g_ptr_array_unref);
  g_clear_pointer (&report->reasons, g_ptr_array_unref);
  g_clear_pointer (&report->jobs, g_ptr_array_unref);
  g_free (report);
}

/* The ratings among @docs whose @field is @sin, new to @load. */
static GPtrArray *
take_ratings (Load *load, GPtrArray *docs, gboolean rated)
{
  GPtrArray *ratings = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_rating_free);
  const gchar *sin = rated ? load->sin : load->own_sin;

  for (guint i = 0; docs != NULL && i < docs->len && ratings->len < REIN_RATINGS_MAX; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);
      ReinRating *rating;

      if (rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_RATING
          || g_hash_table_contains (load->seen, rein_document_get_hash (doc)))
        continue;
      rating = rein_rating_new_from_document (doc, NULL);
      /* A server may answer what was not asked. */
      if (rating == NULL
          || strcmp (rated ? rating->rated_sin : rating->rater_sin, sin) != 0)
        {
          g_clear_pointer (&rating, rein_rating_free);
          continue;
        }
      g_hash_table_add (load->seen, g_strdup (rein_document_get_hash (doc)));
      g_ptr_array_add (ratings, rating);
    }
  return ratings;
}

/* The reader's enrollments (a copy, for the worker), to which the
 * raters' learned on the way are added there. */
static void
copy_directory (Load *load, ReinMarketReader *reader)
{
  load->directory = rein_directory_copy (rein_market_reader_get_directory (reader));
}

/* In the worker: the raters' enrollments, each added only if it verifies
 * (rein_directory_add() checks its signature). */
static void
add_raters (Load *load)
{
  for (guint i = 0; i < load->enrollments->len; i++)
    {
      ReinDocument *enrollment = g_ptr_array_index (load->enrollments, i);

      if (rein_document_get_document_type (enrollment) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        rein_directory_add (load->directory, enrollment, NULL);
    }
}

/* ---- 5. the checks, in a worker ---- */

static void
check_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Load *load = task_data;
  ReinRatingsReport *report = g_new0 (ReinRatingsReport, 1);
  g_autoptr (GPtrArray) counted = g_ptr_array_new ();
  g_autoptr (GPtrArray) all = g_ptr_array_new ();

  add_raters (load);
  report->sin = g_strdup (load->sin);
  report->reasons = g_ptr_array_new_with_free_func (g_free);
  report->jobs = g_ptr_array_new_with_free_func (unref_object);
  g_ptr_array_extend (all, load->about, NULL, NULL);
  g_ptr_array_extend (all, load->mine, NULL, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      ReinRating *rating = g_ptr_array_index (all, i);
      g_autofree gchar *reason = g_strdup ("the job it names was not found");
      ReinJob *named = NULL;

      /* A copied job ID is several jobs: the one it counts on, if any. */
      for (guint j = 0; j < load->jobs->len; j++)
        {
          ReinJob *job = g_ptr_array_index (load->jobs, j);
          g_autoptr (GError) why = NULL;

          if (g_strcmp0 (rein_job_get_id (job), rating->job_id) != 0)
            continue;
          named = job;
          if (rein_rating_check (rating, job, load->directory, &why))
            {
              g_clear_pointer (&reason, g_free);
              break;
            }
          g_free (reason);
          reason = g_strdup (why->message);
        }
      if (reason == NULL)
        g_ptr_array_add (counted, rating);
      if (i < load->about->len)
        {
          g_ptr_array_add (report->reasons, g_steal_pointer (&reason));
          g_ptr_array_add (report->jobs, named != NULL ? g_object_ref (named) : NULL);
        }
    }
  rein_rating_summarize (counted, load->sin, &report->summary);
  report->trust = load->own_sin != NULL
                    ? rein_rating_trust (counted, load->own_sin, load->sin, &report->trust_links)
                    : -1;
  report->ratings = g_steal_pointer (&load->about);
  g_task_return_pointer (task, report, (GDestroyNotify) rein_ratings_report_free);
}

/* ---- 3. the jobs they name ---- */

static void look_up_signers (GTask *task);

static void
jobs_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ReinMarketReader *reader = REIN_MARKET_READER (source);
  Load *load = g_task_get_task_data (task);
  GListModel *model = rein_market_reader_get_jobs (reader);
  GError *error = NULL;

  if (!rein_market_reader_refresh_finish (reader, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (load->jobs, g_list_model_get_item (model, i));
  look_up_signers (task);
}

static void
check_jobs (GTask *task)
{
  ReinMarketReader *reader = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  GPtrArray *lists[] = { load->about, load->mine };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        ReinRating *rating = g_ptr_array_index (lists[l], i);

        if (ids->len < REIN_RATINGS_MAX_JOBS && g_hash_table_add (wanted, rating->job_id))
          g_ptr_array_add (ids, rating->job_id);
      }
  if (ids->len == 0)
    {
      look_up_signers (task);
      return;
    }
  g_ptr_array_add (ids, NULL);
  rein_market_reader_refresh_async (reader, REIN_MARKET_REFRESH_JOB_IDS,
                                    (const gchar *const *) ids->pdata,
                                    g_task_get_cancellable (task), jobs_cb, task);
}

/* ---- 4. the raters' enrollments ---- */

static void look_up_next_signer (GTask *task);

static void
signer_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) docs = rein_market_reader_query_finish (REIN_MARKET_READER (source),
                                                                result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* No answer: that rating is then reported as having no known signer. */
  for (guint i = 0; docs != NULL && i < docs->len && i < REIN_RATINGS_MAX_SIGNER_ENROLLMENTS;
       i++)
    g_ptr_array_add (load->enrollments, g_object_ref (g_ptr_array_index (docs, i)));
  look_up_next_signer (task);
}

/* Asks every server for the enrollment of each rater whose signing
 * address the reader does not know once it has read the jobs (someone who
 * took no part in them), so that a rating is judged on what it says rather than
 * refused for want of its signer: "get_user", which every Causeway
 * answers, one address a query. */
static void
look_up_next_signer (GTask *task)
{
  ReinMarketReader *reader = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autofree gchar *address = NULL;
  const gchar *params[] = { "search_input", NULL, NULL };

  if (load->signers->len == 0)
    {
      copy_directory (load, reader);
      g_task_run_in_thread (task, check_thread);
      g_object_unref (task);
      return;
    }
  address = g_ptr_array_steal_index (load->signers, load->signers->len - 1);
  params[1] = address;
  rein_market_reader_query_async (reader, "get_user", params, g_task_get_cancellable (task),
                                  signer_cb, task);
}

/* Then the checks, in a worker. */
static void
look_up_signers (GTask *task)
{
  ReinMarketReader *reader = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  ReinDirectory *directory = rein_market_reader_get_directory (reader);
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *lists[] = { load->about, load->mine };

  load->signers = g_ptr_array_new_with_free_func (g_free);
  load->enrollments = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len && load->signers->len < REIN_RATINGS_MAX_SIGNERS; i++)
      {
        ReinRating *rating = g_ptr_array_index (lists[l], i);
        const gchar *signer = rein_document_get_signer (rating->document);

        if (signer != NULL && rein_directory_lookup_delegate (directory, signer) == NULL
            && g_hash_table_add (wanted, (gpointer) signer))
          g_ptr_array_add (load->signers, g_strdup (signer));
      }
  look_up_next_signer (task);
}

/* ---- 1. and 2. the ratings of them, and mine ---- */

static void
mine_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GPtrArray) docs = rein_market_reader_query_finish (REIN_MARKET_READER (source),
                                                                result, &error);

  if (docs == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  load->mine = take_ratings (load, docs, FALSE);
  check_jobs (task);
}

static void
about_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GPtrArray) docs = rein_market_reader_query_finish (REIN_MARKET_READER (source),
                                                                result, &error);
  const gchar *params[] = { "source", load->own_sin, NULL };

  if (docs == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  load->about = take_ratings (load, docs, TRUE);
  if (load->own_sin == NULL)
    {
      load->mine = g_ptr_array_new ();
      check_jobs (task);
      return;
    }
  rein_market_reader_query_async (REIN_MARKET_READER (source), "get_user_ratings", params,
                                  g_task_get_cancellable (task), mine_cb, task);
}

void
rein_ratings_load_async (ReinMarketReader *reader,
                         const gchar *sin,
                         const gchar *own_sin,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  GTask *task;
  Load *load;
  const gchar *params[] = { "dest", sin, NULL };

  g_return_if_fail (REIN_IS_MARKET_READER (reader));
  g_return_if_fail (sin != NULL);

  task = g_task_new (reader, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_ratings_load_async);
  load = g_new0 (Load, 1);
  load->sin = g_strdup (sin);
  load->own_sin = g_strdup (own_sin);
  load->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  rein_market_reader_query_async (reader, "get_user_ratings", params, cancellable, about_cb,
                                  task);
}

ReinRatingsReport *
rein_ratings_load_finish (ReinMarketReader *reader, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, reader), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_ratings_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the cache of the views ---- */

struct _ReinRatingsCache
{
  GObject parent_instance;

  ReinContext *context;       /* unowned: the context owns the cache */
  ReinMarketService *market;  /* the context's, whose identity is followed */
  ReinIdentity *identity;     /* whose point of view was read */
  ReinMarketReader *reader;   /* of the cache's own: the ratings replace its jobs */
  GCancellable *cancellable;
  GHashTable *read;           /* SIN -> Read */
  GQueue wanted;              /* SINs to read, owned */
  gchar *loading;             /* the SIN being read */
};

typedef struct
{
  gchar *text;       /* "rated 4.5 by 3" */
  gchar *with_trust; /* "rated 4.5 by 3 · trust 4.2" */
} Read;

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint cache_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ReinRatingsCache, rein_ratings_cache, G_TYPE_OBJECT)

static void
read_free (Read *read)
{
  g_free (read->text);
  g_free (read->with_trust);
  g_free (read);
}

static Read *
read_new (ReinRatingsReport *report)
{
  Read *read = g_new0 (Read, 1);
  g_autofree gchar *trust = NULL;

  if (report == NULL || report->summary.count == 0)
    read->text = g_strdup (_("no ratings"));
  else
    {
      g_autofree gchar *average = g_strdup_printf ("%.1f", report->summary.average);

      /* Translators: "rated 4.5 by 3" (people) */
      read->text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "rated %s by %u",
                                                 "rated %s by %u", report->summary.count),
                                    average, report->summary.count);
    }
  if (report != NULL && report->trust >= 0)
    {
      g_autofree gchar *score = g_strdup_printf ("%.1f", report->trust);

      /* Translators: the trust score from my point of view, 0 to 5 */
      trust = g_strdup_printf (_("trust %s"), score);
    }
  else
    trust = g_strdup (_("no trust link"));
  /* Translators: "rated 4.5 by 3" and "trust 4.2" */
  read->with_trust = g_strdup_printf (_("%s · %s"), read->text, trust);
  return read;
}

/* Another identity became active (or the context went): what was read
 * from the last one's point of view (its trust, its servers) is dropped. */
static void
forget (ReinRatingsCache *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->reader);
  g_clear_object (&self->identity);
  g_clear_pointer (&self->loading, g_free);
  g_queue_clear_full (&self->wanted, g_free);
  g_hash_table_remove_all (self->read);
}

static ReinIdentity *
current_identity (ReinRatingsCache *self)
{
  return self->market != NULL ? rein_market_service_get_identity (self->market) : NULL;
}

static void
identity_changed_cb (ReinRatingsCache *self)
{
  if (current_identity (self) == self->identity)
    return;
  forget (self);
  g_signal_emit (self, cache_signals[SIGNAL_CHANGED], 0);
}

/* The reader of the cache's own, on the session's servers. */
static ReinMarketReader *
cache_reader (ReinRatingsCache *self)
{
  ReinIdentity *identity = current_identity (self);
  GListModel *servers;
  g_autoptr (GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

  if (self->reader != NULL || identity == NULL)
    return self->reader;
  servers = rein_session_get_servers (rein_context_get_session (self->context));
  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr (ReinServerInfo) server = g_list_model_get_item (servers, i);

      g_ptr_array_add (urls, g_strdup (rein_server_info_get_url (server)));
    }
  if (urls->len == 0)
    return NULL;
  g_ptr_array_add (urls, NULL);
  self->reader = rein_market_reader_new (rein_context_get_store (self->context), identity,
                                         (const gchar *const *) urls->pdata);
  return self->reader;
}

static void load_next (ReinRatingsCache *self);

static void
loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinRatingsCache) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinRatingsReport) report = rein_ratings_load_finish (REIN_MARKET_READER (source),
                                                                   result, &error);

  /* cancelled, or read for an identity no longer active */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || source != G_OBJECT (self->reader) || self->loading == NULL)
    return;
  /* no server answered: shown as no ratings, and the next is read */
  if (report == NULL)
    g_debug ("ratings of %s: %s", self->loading, error->message);
  g_hash_table_replace (self->read, g_steal_pointer (&self->loading), read_new (report));
  g_signal_emit (self, cache_signals[SIGNAL_CHANGED], 0);
  load_next (self);
}

static void
load_next (ReinRatingsCache *self)
{
  ReinMarketReader *reader;
  g_autofree gchar *own_sin = NULL;

  if (self->loading != NULL || g_queue_is_empty (&self->wanted)
      || (reader = cache_reader (self)) == NULL)
    return;
  own_sin = rein_sin_from_address (rein_identity_get_master_address (self->identity));
  self->loading = g_queue_pop_head (&self->wanted);
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  rein_ratings_load_async (reader, self->loading, own_sin, self->cancellable, loaded_cb,
                           g_object_ref (self));
}

void
rein_ratings_cache_want (ReinRatingsCache *self, const gchar *sin)
{
  ReinIdentity *identity;

  g_return_if_fail (REIN_IS_RATINGS_CACHE (self));
  g_return_if_fail (sin != NULL);

  identity = current_identity (self);
  if (identity == NULL)
    return;
  if (identity != self->identity)
    {
      forget (self);
      g_set_object (&self->identity, identity);
    }
  if (g_hash_table_contains (self->read, sin) || g_strcmp0 (self->loading, sin) == 0
      || g_queue_get_length (&self->wanted) >= REIN_RATINGS_CACHE_MAX_WANTED
      || g_queue_find_custom (&self->wanted, sin, (GCompareFunc) g_strcmp0) != NULL)
    return;
  g_queue_push_tail (&self->wanted, g_strdup (sin));
  load_next (self);
}

const gchar *
rein_ratings_cache_lookup (ReinRatingsCache *self, const gchar *sin, gboolean with_trust)
{
  Read *read;

  g_return_val_if_fail (REIN_IS_RATINGS_CACHE (self), NULL);

  read = sin != NULL ? g_hash_table_lookup (self->read, sin) : NULL;
  if (read == NULL)
    return NULL;
  return with_trust ? read->with_trust : read->text;
}

/* The context goes: so does what the cache reads with. */
static void
detach (gpointer data)
{
  ReinRatingsCache *self = data;

  if (self->market != NULL)
    g_signal_handlers_disconnect_by_data (self->market, self);
  g_clear_object (&self->market);
  forget (self);
  self->context = NULL;
  g_object_unref (self);
}

ReinRatingsCache *
rein_ratings_cache_get (ReinContext *context)
{
  ReinRatingsCache *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_get_data (G_OBJECT (context), "rein-ratings-cache");
  if (self != NULL)
    return self;
  self = g_object_new (REIN_TYPE_RATINGS_CACHE, NULL);
  self->context = context;
  self->market = g_object_ref (rein_context_get_market (context));
  g_signal_connect_swapped (self->market, "notify::identity",
                            G_CALLBACK (identity_changed_cb), self);
  g_object_set_data_full (G_OBJECT (context), "rein-ratings-cache", self, detach);
  return self;
}

static void
rein_ratings_cache_dispose (GObject *object)
{
  ReinRatingsCache *self = REIN_RATINGS_CACHE (object);

  if (self->market != NULL)
    g_signal_handlers_disconnect_by_data (self->market, self);
  g_clear_object (&self->market);
  forget (self);

  G_OBJECT_CLASS (rein_ratings_cache_parent_class)->dispose (object);
}

static void
rein_ratings_cache_finalize (GObject *object)
{
  g_hash_table_unref (REIN_RATINGS_CACHE (object)->read);

  G_OBJECT_CLASS (rein_ratings_cache_parent_class)->finalize (object);
}

static void
rein_ratings_cache_class_init (ReinRatingsCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rein_ratings_cache_dispose;
  object_class->finalize = rein_ratings_cache_finalize;

  cache_signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
}

static void
rein_ratings_cache_init (ReinRatingsCache *self)
{
  self->read = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) read_free);
  g_queue_init (&self->wanted);
}

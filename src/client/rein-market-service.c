/* rein-market-service.c: the market, for the app and rein-cli
 *
 * One ReinMarketReader per identity reads the servers. Its operations run
 * one at a time, in the order asked (a job looked up for a bid waits for a
 * refresh in flight), because they share its directory and its models.
 * Everything that touches the store runs in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rein-background.h"
#include "rein-client-error.h"
#include "rein-key.h"
#include "rein-market-service.h"

struct _ReinMarketService
{
  GObject parent_instance;

  ReinStore *store;
  ReinIdentity *identity;
  ReinMarketReader *reader;
  GCancellable *cancellable; /* the identity's: cancelled on a switch */
  guint generation;          /* bumped on a switch; late results are dropped */

  GListStore *jobs;
  guint jobs_version; /* bumped by every change of @jobs */
  GPtrArray *rows;    /* rows equal to what @jobs holds, when known; never
                       * changed (replaced), so a worker may read it */
  GListStore *mediators;
  GStrv categories;

  struct _Apply *apply; /* a reload being put in the list, in steps */

  GQueue waiting;    /* GTask of reader operations not started yet */
  GTask *running;    /* the reader operation in flight */
  GString *warnings; /* of the refresh in flight */

  gboolean loaded;
  gboolean refreshing;
  guint n_refreshes; /* in flight */
  gchar *error;
  gchar *warning;

  /* The market's documents read so far by the refresh in flight, told at
   * most every READ_NOTIFY_MS: each change of what a window shows costs
   * it a new layout (and on X11, round trips to the display server). */
  guint documents_read;
  gint64 read_notified; /* monotonic µs of the last notify::documents-read */
  guint read_notify_id; /* a notify left for later, or 0 */
};

#define READ_NOTIFY_MS 250

G_DEFINE_FINAL_TYPE (ReinMarketService, rein_market_service, G_TYPE_OBJECT)

static void set_rows (ReinMarketService *self, GPtrArray *rows);

enum
{
  PROP_0,
  PROP_IDENTITY,
  PROP_LOADED,
  PROP_REFRESHING,
  PROP_ERROR,
  PROP_WARNING,
  PROP_DOCUMENTS_READ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- reader operations, one at a time ---- */

typedef enum
{
  READ_JOBS,
  READ_MEDIATORS,
  READ_JOB,
  READ_JOB_LIST,
} ReadKind;

typedef struct
{
  ReadKind kind;
  guint generation;
  gchar *job_id;
  gchar *creator_key;
  ReinJob *job; /* READ_JOB's result */
  GStrv job_ids;      /* READ_JOB_LIST's: the IDs asked for, */
  GStrv creator_keys; /* their creators' keys ("" for any), */
  GPtrArray *jobs;    /* and its result: a ReinJob or NULL for each; */
  gchar *unreachable; /* what the servers said when none answered (the store's jobs) */
  /* The caller's and the identity's cancellables, forwarded to the task's */
  GCancellable *callers;
  gulong callers_handler;
  GCancellable *identitys;
  gulong identitys_handler;
} Read;

static void
read_free (Read *r)
{
  if (r->callers != NULL)
    g_cancellable_disconnect (r->callers, r->callers_handler);
  if (r->identitys != NULL)
    g_cancellable_disconnect (r->identitys, r->identitys_handler);
  g_clear_object (&r->callers);
  g_clear_object (&r->identitys);
  g_free (r->job_id);
  g_free (r->creator_key);
  g_clear_object (&r->job);
  g_strfreev (r->job_ids);
  g_strfreev (r->creator_keys);
  g_clear_pointer (&r->jobs, g_ptr_array_unref);
  g_free (r->unreachable);
  g_free (r);
}

static void apply_cancel (ReinMarketService *self);

static void
rein_market_service_dispose (GObject *object)
{
  ReinMarketService *self = (ReinMarketService *) object;

  apply_cancel (self);
  g_clear_handle_id (&self->read_notify_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->reader != NULL)
    g_signal_handlers_disconnect_by_data (self->reader, self);
  g_clear_object (&self->reader);

  G_OBJECT_CLASS (rein_market_service_parent_class)->dispose (object);
}

static void
rein_market_service_finalize (GObject *object)
{
  ReinMarketService *self = (ReinMarketService *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->jobs);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->mediators);
  g_strfreev (self->categories);
  g_queue_clear_full (&self->waiting, g_object_unref);
  if (self->warnings != NULL)
    g_string_free (self->warnings, TRUE);
  g_free (self->error);
  g_free (self->warning);

  G_OBJECT_CLASS (rein_market_service_parent_class)->finalize (object);
}

static void
rein_market_service_get_property (GObject *object, guint prop_id, GValue *value,
                                  GParamSpec *pspec)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (object);

  switch (prop_id)
    {
    case PROP_IDENTITY:
      g_value_set_object (value, self->identity);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_WARNING:
      g_value_set_string (value, self->warning);
      break;
    case PROP_DOCUMENTS_READ:
      g_value_set_uint (value, self->documents_read);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_market_service_class_init (ReinMarketServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = rein_market_service_dispose;
  object_class->finalize = rein_market_service_finalize;
  object_class->get_property = rein_market_service_get_property;

  properties[PROP_IDENTITY] =
    g_param_spec_object ("identity", NULL, NULL, REIN_TYPE_IDENTITY, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_REFRESHING] = g_param_spec_boolean ("refreshing", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_WARNING] = g_param_spec_string ("warning", NULL, NULL, NULL, flags);
  properties[PROP_DOCUMENTS_READ] =
    g_param_spec_uint ("documents-read", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rein_market_service_init (ReinMarketService *self)
{
  self->jobs = g_list_store_new (REIN_TYPE_JOB_SUMMARY);
  self->mediators = g_list_store_new (REIN_TYPE_DOCUMENT);
  self->cancellable = g_cancellable_new ();
  self->categories = g_new0 (gchar *, 1);
  g_queue_init (&self->waiting);
}

ReinMarketService *
rein_market_service_new (ReinStore *store)
{
  ReinMarketService *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  self = g_object_new (REIN_TYPE_MARKET_SERVICE, NULL);
  self->store = g_object_ref (store);
  return self;
}

static void
set_boolean (ReinMarketService *self, gboolean *field, gboolean value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_string (ReinMarketService *self, gchar **field, const gchar *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
notify_read (gpointer data)
{
  ReinMarketService *self = data;

  self->read_notify_id = 0;
  /* a new refresh's 0 does not hold back its first count */
  if (self->documents_read > 0)
    self->read_notified = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENTS_READ]);
}

/* Microseconds until a count may be told again (0: now). */
static gint64
read_notify_wait (ReinMarketService *self)
{
  return MAX (0, READ_NOTIFY_MS * 1000 - (g_get_monotonic_time () - self->read_notified));
}

/* A timeout is due from the main loop's time at the start of the
 * iteration that added it, which may be milliseconds before now: it can
 * come early, and then waits again for what is left. */
static void
notify_read_later (gpointer data)
{
  ReinMarketService *self = data;
  gint64 wait = self->documents_read > 0 ? read_notify_wait (self) : 0;

  if (wait > 0)
    self->read_notify_id = g_timeout_add_once ((guint) ((wait + 999) / 1000), notify_read_later,
                                               self);
  else
    notify_read (self);
}

/* Sets "documents-read", told now or, when a count was told less than
 * READ_NOTIFY_MS ago, then (its latest value). 0 is told at once. */
static void
set_documents_read (ReinMarketService *self, guint n)
{
  gint64 wait;

  if (self->documents_read == n)
    return;
  self->documents_read = n;
  wait = read_notify_wait (self);
  if (n == 0 || wait == 0)
    {
      g_clear_handle_id (&self->read_notify_id, g_source_remove);
      notify_read (self);
    }
  else if (self->read_notify_id == 0)
    self->read_notify_id = g_timeout_add_once ((guint) ((wait + 999) / 1000), notify_read_later,
                                               self);
}

static void
server_failed_cb (ReinMarketReader *reader, const gchar *url, const GError *error,
                  gpointer user_data)
{
  ReinMarketService *self = user_data;

  if (self->warnings == NULL)
    return;
  if (self->warnings->len > 0)
    g_string_append_c (self->warnings, '\n');
  g_string_append (self->warnings, error->message);
}

static void
warning_cb (ReinMarketReader *reader, const GError *error, gpointer user_data)
{
  server_failed_cb (reader, NULL, error, user_data);
}

/* The reader read another page: counted when it is the market's jobs of
 * a refresh (a job page's or My Jobs' reads are not what a refresh shows). */
static void
page_read_cb (ReinMarketReader *reader, guint n_documents, gpointer user_data)
{
  ReinMarketService *self = user_data;
  Read *r = self->running != NULL ? g_task_get_task_data (self->running) : NULL;

  if (self->refreshing && r != NULL && r->kind == READ_JOBS)
    set_documents_read (self, n_documents);
}

static void load_start (ReinMarketService *self, GTask *task, gboolean in_steps);

void
rein_market_service_set_identity (ReinMarketService *self, ReinIdentity *identity)
{
  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  g_return_if_fail (identity == NULL || REIN_IS_IDENTITY (identity));

  if (self->identity == identity)
    return;
  /* What runs for the old identity ends (cancelled), and its results are
   * dropped by generation. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  apply_cancel (self);
  if (self->reader != NULL)
    g_signal_handlers_disconnect_by_data (self->reader, self);
  g_clear_object (&self->reader);
  /* The old identity's reads end now; their reader's callbacks, when they
   * come, find no task of theirs. */
  {
    GTask *running = g_steal_pointer (&self->running);
    GTask *waiting;

    if (running != NULL)
      {
        g_task_return_new_error (running, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("The identity changed"));
        g_object_unref (running);
      }
    while ((waiting = g_queue_pop_head (&self->waiting)) != NULL)
      {
        g_task_return_new_error (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("The identity changed"));
        g_object_unref (waiting);
      }
  }
  g_set_object (&self->identity, identity);
  if (identity != NULL)
    {
      self->reader = rein_market_reader_new (self->store, identity, NULL);
      /* The index holds the market: a refresh after a start reads only
       * what is new since the last one indexed. */
      rein_market_reader_set_resume (self->reader, TRUE);
      g_signal_connect (self->reader, "server-failed", G_CALLBACK (server_failed_cb), self);
      g_signal_connect (self->reader, "warning", G_CALLBACK (warning_cb), self);
      g_signal_connect (self->reader, "read", G_CALLBACK (page_read_cb), self);
    }
  set_rows (self, NULL);
  g_list_store_remove_all (self->jobs);
  self->jobs_version++;
  g_list_store_remove_all (self->mediators);
  set_boolean (self, &self->loaded, FALSE, PROP_LOADED);
  /* The old identity's refreshes end with the switch (they see the new
   * generation and keep out of the new market's state). */
  self->n_refreshes = 0;
  set_boolean (self, &self->refreshing, FALSE, PROP_REFRESHING);
  set_documents_read (self, 0);
  if (self->warnings != NULL)
    g_string_truncate (self->warnings, 0);
  set_string (self, &self->error, NULL, PROP_ERROR);
  set_string (self, &self->warning, NULL, PROP_WARNING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);
  if (identity != NULL)
    rein_market_service_load_async (self, NULL, NULL, NULL);
}

guint
rein_market_service_get_documents_read (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), 0);
  return self->documents_read;
}

ReinIdentity *
rein_market_service_get_identity (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return self->identity;
}

GListModel *
rein_market_service_get_jobs (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

ReinMarketReader *
rein_market_service_get_reader (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return self->reader;
}

GListModel *
rein_market_service_get_mediators (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return G_LIST_MODEL (self->mediators);
}

const gchar *const *
rein_market_service_get_categories (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return (const gchar *const *) self->categories;
}

ReinDirectory *
rein_market_service_get_directory (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return self->reader != NULL ? rein_market_reader_get_directory (self->reader) : NULL;
}

gboolean
rein_market_service_get_loaded (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), FALSE);
  return self->loaded;
}

gboolean
rein_market_service_get_refreshing (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), FALSE);
  return self->refreshing;
}

const gchar *
rein_market_service_get_error (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return self->error;
}

const gchar *
rein_market_service_get_warning (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  return self->warning;
}

static gboolean
check_identity (ReinMarketService *self, GTask *task)
{
  if (self->identity != NULL)
    return TRUE;
  g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("No identity is chosen"));
  return FALSE;
}

/* A task that ends when @cancellable or the identity's cancellable fires. */
static GTask *
service_task (ReinMarketService *self, GCancellable *cancellable, GAsyncReadyCallback callback,
              gpointer user_data, gpointer tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  return task;
}

/* ---- loading the index ---- */

typedef struct
{
  gboolean testnet;
  gboolean in_steps;   /* a reload while the list is shown: see Apply */
  gboolean first_page; /* the list is empty: the newest rows go in first */
  guint generation;
  guint version;       /* of the jobs model when the load started */
  GPtrArray *old;      /* its items then */
  GPtrArray *summaries;
  guint prefix;        /* the first rows, the same in both */
  guint suffix;        /* the last ones */
  GStrv categories;
} Load;

static void
load_free (Load *l)
{
  g_clear_pointer (&l->old, g_ptr_array_unref);
  g_clear_pointer (&l->summaries, g_ptr_array_unref);
  g_strfreev (l->categories);
  g_free (l);
}

/* Frees @items in a worker: a hundred thousand rows take the main loop
 * long to free. */
static void
drop_in_worker (GPtrArray *items)
{
  rein_background_free (items, (GDestroyNotify) g_ptr_array_unref);
}

typedef struct
{
  ReinMarketService *self; /* owned */
  GPtrArray *rows;
  guint generation;
  guint version;
} FirstPage;

/* On the main thread: the newest rows, while the list is still empty and
 * the identity the same. The whole load replaces them. */
static gboolean
first_page_cb (gpointer data)
{
  FirstPage *page = data;
  ReinMarketService *self = page->self;

  if (page->generation == self->generation && page->version == self->jobs_version
      && self->apply == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) == 0 && page->rows->len > 0)
    {
      set_rows (self, page->rows);
      g_list_store_splice (self->jobs, 0, 0, page->rows->pdata, page->rows->len);
      self->jobs_version++;
      g_debug ("market: the first %u rows shown", page->rows->len);
    }
  return G_SOURCE_REMOVE;
}

static void
first_page_free (gpointer data)
{
  FirstPage *page = data;

  g_object_unref (page->self);
  g_ptr_array_unref (page->rows);
  g_free (page);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMarketService *self = source;
  Load *l = task_data;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* A hundred thousand rows take a second to read: the newest are shown
   * meanwhile. */
  if (l->first_page)
    {
      FirstPage *page = g_new0 (FirstPage, 1);

      page->rows = rein_store_list_job_summaries_first (self->store, l->testnet,
                                                        REIN_MARKET_SERVICE_FIRST_ROWS, NULL);
      if (page->rows == NULL)
        page->rows = g_ptr_array_new ();
      page->self = g_object_ref (self);
      page->generation = l->generation;
      page->version = l->version;
      g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, first_page_cb,
                                  page, first_page_free);
    }
  l->summaries = rein_store_list_job_summaries (self->store, l->testnet, &error);
  g_debug ("market: %u summaries read in %" G_GINT64_FORMAT " ms",
           l->summaries != NULL ? l->summaries->len : 0, (g_get_monotonic_time () - start) / 1000);
  if (l->summaries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* from the rows read: the index's own query reads every row again */
  l->categories = rein_job_summaries_list_categories (l->summaries, 200);
  /* What changed: after a refresh that found nothing new, nothing. */
  while (l->prefix < l->old->len && l->prefix < l->summaries->len
         && rein_job_summary_equal (g_ptr_array_index (l->old, l->prefix),
                                    g_ptr_array_index (l->summaries, l->prefix)))
    l->prefix++;
  while (l->suffix < l->old->len - l->prefix && l->suffix < l->summaries->len - l->prefix
         && rein_job_summary_equal (
             g_ptr_array_index (l->old, l->old->len - 1 - l->suffix),
             g_ptr_array_index (l->summaries, l->summaries->len - 1 - l->suffix)))
    l->suffix++;
  /* The rows that stay are the list's own objects, not equal copies: the
   * array is then the list as it will be (rein_market_service_dup_rows()),
   * and what matches rows by object (a selection, the view's rows) keeps
   * them. Nothing changed: the list's own array. */
  if (l->prefix == l->old->len && l->prefix == l->summaries->len)
    {
      g_ptr_array_unref (l->summaries);
      l->summaries = g_ptr_array_ref (l->old);
    }
  else
    {
      for (guint i = 0; i < l->prefix; i++)
        {
          g_object_unref (l->summaries->pdata[i]);
          l->summaries->pdata[i] = g_object_ref (l->old->pdata[i]);
        }
      for (guint i = 1; i <= l->suffix; i++)
        {
          g_object_unref (l->summaries->pdata[l->summaries->len - i]);
          l->summaries->pdata[l->summaries->len - i] = g_object_ref (l->old->pdata[l->old->len - i]);
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* A reload that changes many rows is put in the list in steps of at most
 * REIN_MARKET_SERVICE_SPLICE_ROWS rows, one step per main-loop dispatch:
 * the views over the list (filters, sorters, rows) then never take the
 * main loop for a whole market at once. */
typedef struct _Apply
{
  GTask *outer;    /* returned once every row is in */
  GPtrArray *rows; /* the new list */
  guint next;      /* the next of @rows to put in */
  guint end;       /* and the one after the last */
  guint position;  /* where in the list */
  guint to_remove; /* rows of the old list still to take out at @position */
  guint source;
} Apply;

static void
apply_free (Apply *apply)
{
  g_clear_handle_id (&apply->source, g_source_remove);
  g_clear_object (&apply->outer);
  g_clear_pointer (&apply->rows, g_ptr_array_unref);
  g_free (apply);
}

GPtrArray *
rein_market_service_dup_rows (ReinMarketService *self)
{
  g_return_val_if_fail (REIN_IS_MARKET_SERVICE (self), NULL);
  if (self->apply != NULL)
    return g_ptr_array_ref (self->apply->rows);
  return self->rows != NULL ? g_ptr_array_ref (self->rows) : NULL;
}

/* The jobs model holds @rows (NULL: unknown), which nobody changes: set
 * before the model changes, so that what reacts to the change reads the
 * new rows (rein_market_service_dup_rows()). */
static void
set_rows (ReinMarketService *self, GPtrArray *rows)
{
  GPtrArray *old = g_steal_pointer (&self->rows);

  self->rows = rows != NULL ? g_ptr_array_ref (rows) : NULL;
  if (old != NULL)
    drop_in_worker (old);
}

/* Puts the next rows in; returns TRUE when all are. */
static gboolean
apply_step (ReinMarketService *self, Apply *apply, guint at_most)
{
  GListModel *jobs = G_LIST_MODEL (self->jobs);
  guint n_remove = MIN (at_most, apply->to_remove);
  guint n_add = MIN (at_most, apply->end - apply->next);
  GPtrArray *removed = g_ptr_array_new_full (n_remove, g_object_unref);

  for (guint i = 0; i < n_remove; i++)
    g_ptr_array_add (removed, g_list_model_get_item (jobs, apply->position + i));
  g_list_store_splice (self->jobs, apply->position, n_remove, apply->rows->pdata + apply->next,
                       n_add);
  self->jobs_version++;
  drop_in_worker (removed);
  apply->position += n_add;
  apply->next += n_add;
  apply->to_remove -= n_remove;
  return apply->to_remove == 0 && apply->next == apply->end;
}

static void
apply_done (ReinMarketService *self)
{
  Apply *apply = g_steal_pointer (&self->apply);
  GTask *outer = g_steal_pointer (&apply->outer);

  set_rows (self, apply->rows);
  apply_free (apply);
  set_boolean (self, &self->loaded, TRUE, PROP_LOADED);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

static gboolean
apply_cb (gpointer data)
{
  ReinMarketService *self = data;

  if (!apply_step (self, self->apply, REIN_MARKET_SERVICE_SPLICE_ROWS))
    return G_SOURCE_CONTINUE;
  self->apply->source = 0;
  apply_done (self);
  return G_SOURCE_REMOVE;
}

/* Ends a reload in steps at once (the list as the reload left it). */
static void
apply_finish_now (ReinMarketService *self)
{
  if (self->apply == NULL)
    return;
  while (!apply_step (self, self->apply, G_MAXUINT))
    ;
  apply_done (self);
}

/* Drops a reload in steps (an identity switch: the list is emptied). */
static void
apply_cancel (ReinMarketService *self)
{
  Apply *apply = g_steal_pointer (&self->apply);

  if (apply == NULL)
    return;
  /* the list is half put in: its rows are unknown */
  set_rows (self, NULL);
  g_task_return_new_error (apply->outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The identity changed"));
  apply_free (apply);
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (source);
  g_autoptr (GTask) outer = user_data;
  Load *l = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  if (l->generation != self->generation)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The identity changed"));
      return;
    }
  /* The categories first: a view reads them when the list changes. */
  if (l->categories != NULL)
    {
      g_strfreev (self->categories);
      self->categories = g_steal_pointer (&l->categories);
    }
  /* Only the rows that changed are replaced, unless the list changed
   * meanwhile. */
  apply_finish_now (self);
  if (l->version != self->jobs_version)
    l->prefix = l->suffix = 0;
  if (l->in_steps)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
      Apply *apply = g_new0 (Apply, 1);

      apply->rows = g_steal_pointer (&l->summaries);
      apply->next = l->prefix;
      apply->end = apply->rows->len - l->suffix;
      apply->position = l->prefix;
      apply->to_remove = n - l->prefix - l->suffix;
      drop_in_worker (g_steal_pointer (&l->old));
      if (apply->to_remove + (apply->end - apply->next) > REIN_MARKET_SERVICE_SPLICE_ROWS)
        {
          apply->outer = g_steal_pointer (&outer);
          self->apply = apply;
          apply->source = g_idle_add (apply_cb, self);
          return;
        }
      set_rows (self, apply->rows);
      if (apply->to_remove > 0 || apply->next < apply->end)
        apply_step (self, apply, G_MAXUINT);
      apply_free (apply);
      set_boolean (self, &self->loaded, TRUE, PROP_LOADED);
      g_task_return_boolean (outer, TRUE);
      return;
    }
  /* At start: one splice, the list is not shown filled row by row. */
  set_rows (self, l->summaries);
  if (l->prefix + l->suffix < MAX (l->old->len, l->summaries->len))
    {
      gint64 start = g_get_monotonic_time ();

      GPtrArray *removed = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

      for (guint i = l->prefix; i < n - l->suffix; i++)
        g_ptr_array_add (removed, g_list_model_get_item (G_LIST_MODEL (self->jobs), i));
      g_list_store_splice (self->jobs, l->prefix, n - l->prefix - l->suffix,
                           l->summaries->pdata + l->prefix,
                           l->summaries->len - l->prefix - l->suffix);
      self->jobs_version++;
      drop_in_worker (removed);
      g_debug ("market: %u rows spliced in %" G_GINT64_FORMAT " ms (main thread)",
               l->summaries->len - l->prefix - l->suffix,
               (g_get_monotonic_time () - start) / 1000);
    }
  drop_in_worker (g_steal_pointer (&l->old));
  set_boolean (self, &self->loaded, TRUE, PROP_LOADED);
  g_task_return_boolean (outer, TRUE);
}

static void
load_start (ReinMarketService *self, GTask *outer, gboolean in_steps)
{
  g_autoptr (GTask) task = g_task_new (self, g_task_get_cancellable (outer), load_done_cb, outer);
  Load *l = g_new0 (Load, 1);

  l->in_steps = in_steps;
  l->first_page = !in_steps && g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) == 0;
  l->testnet = rein_identity_get_testnet (self->identity);
  l->generation = self->generation;
  l->version = self->jobs_version;
  /* What the list holds, to compare with: without copying 100,000 rows on
   * the main loop when it is known. */
  if (self->rows != NULL && self->apply == NULL)
    l->old = g_ptr_array_ref (self->rows);
  else
    {
      l->old = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)); i++)
        g_ptr_array_add (l->old, g_list_model_get_item (G_LIST_MODEL (self->jobs), i));
    }
  g_task_set_task_data (task, l, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

void
rein_market_service_load_async (ReinMarketService *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  task = service_task (self, cancellable, callback, user_data, rein_market_service_load_async);
  if (!check_identity (self, task))
    {
      g_object_unref (task);
      return;
    }
  load_start (self, task, FALSE); /* takes the reference */
}

gboolean
rein_market_service_load_finish (ReinMarketService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the reader's queue ---- */

static void run_read (ReinMarketService *self, GTask *task);

static void
read_next (ReinMarketService *self)
{
  GTask *next;

  g_clear_object (&self->running);
  next = g_queue_pop_head (&self->waiting);
  if (next != NULL)
    run_read (self, next); /* takes the queue's reference */
}

static void
queue_read (ReinMarketService *self, GTask *task)
{
  if (self->running != NULL)
    g_queue_push_tail (&self->waiting, task);
  else
    run_read (self, task);
}

/* Ends @task (a reader operation) and starts the next one. */
static void
read_return_error (ReinMarketService *self, GTask *task, GError *error)
{
  g_task_return_error (task, error);
  if (self->running == task)
    read_next (self);
  else
    g_object_unref (task);
}

/* ---- refreshing ---- */

typedef struct
{
  ReinMarketService *self;
  GTask *task;
} Step;

/* A few jobs (one we just published or looked up) are read back and put
 * in place; more than this and the whole list is read again. */
#define MERGE_AT_MOST 16

typedef struct
{
  GPtrArray *jobs;          /* of ReinJob */
  ReinDirectory *directory; /* a copy of the reader's */
  gboolean testnet;
  gint64 identity_id;
  gboolean keep_cursors;    /* a refresh of the market: its cursors are kept */
  GHashTable *cursors;      /* the reader's (NULL: none) */
} Save;

static void
save_free (Save *save)
{
  g_ptr_array_unref (save->jobs);
  g_clear_pointer (&save->directory, rein_directory_free);
  g_clear_pointer (&save->cursors, g_hash_table_unref);
  g_free (save);
}

/* Once what a refresh of the market read is in the index: the next start
 * goes on from there (the reader's cursors), or, without cursors, reads
 * everything. Not kept, the next start reads more than it needs: no harm. */
static void
keep_cursors (ReinMarketService *self, Save *save)
{
  g_autoptr (GError) error = NULL;

  if (save->keep_cursors
      && !rein_store_set_market_cursors (self->store, save->identity_id, save->cursors, &error))
    g_warning ("%s", error->message);
}

static void
keep_cursors_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  keep_cursors (source, task_data);
  g_task_return_boolean (task, TRUE);
}

/* Summarizes the jobs with a posting and saves the summaries; for a few,
 * returns them as stored (with their row ids and first-seen times), else
 * NULL. */
static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMarketService *self = source;
  Save *save = task_data;
  g_autoptr (GPtrArray) summaries = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  GError *error = NULL;

  summaries = rein_store_index_jobs (self->store, save->jobs, save->directory, save->testnet,
                                     &error);
  if (summaries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  keep_cursors (self, save);
  if (summaries->len <= MERGE_AT_MOST)
    {
      stored = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < summaries->len; i++)
        {
          ReinJobSummary *s = g_ptr_array_index (summaries, i);
          ReinJobSummary *back = rein_store_get_job_summary (
              self->store, rein_job_summary_get_job_id (s), rein_job_summary_get_creator_key (s),
              NULL);

          if (back != NULL)
            g_ptr_array_add (stored, back);
        }
    }
  g_task_return_pointer (task, g_steal_pointer (&stored), (GDestroyNotify) g_ptr_array_unref);
}

/* Puts @stored (fresh from the index) in place of the same jobs in the
 * list, or first when new: one row changes, not the whole list. */
static void
merge_summaries (ReinMarketService *self, GPtrArray *stored)
{
  GListModel *jobs;
  guint n;

  apply_finish_now (self);
  set_rows (self, NULL);
  jobs = G_LIST_MODEL (self->jobs);
  n = g_list_model_get_n_items (jobs);
  for (guint i = 0; i < stored->len; i++)
    {
      ReinJobSummary *fresh = g_ptr_array_index (stored, i);
      guint position = 0;
      guint removed = 0;

      for (guint p = 0; p < n; p++)
        {
          g_autoptr (ReinJobSummary) old = g_list_model_get_item (jobs, p);

          if (rein_job_summary_get_id (old) == rein_job_summary_get_id (fresh))
            {
              position = p;
              removed = 1;
              break;
            }
        }
      g_list_store_splice (self->jobs, position, removed, (gpointer *) &fresh, 1);
      self->jobs_version++;
      n += 1 - removed;
    }
}

/* A save or a reload finished for @task (our reference): FALSE when the
 * task was ended meanwhile (an identity switch returns the running read at
 * once), and then there is nothing left to do. */
static gboolean
still_running (ReinMarketService *self, GTask *task)
{
  gboolean running = self->running == task;

  /* While it runs, self->running holds it. */
  g_object_unref (task);
  return running;
}

static void
reloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (source);
  GTask *task = user_data; /* the running read: our reference */
  GError *error = NULL;

  if (!still_running (self, task))
    {
      rein_market_service_load_finish (self, result, NULL);
      return;
    }
  /* The list shows the index now. After a first refresh the reader's jobs
   * are the whole market, every document of it, which nothing needs any
   * more (let go once the list is updated: freeing them meanwhile slowed
   * the update down). */
  if (self->reader != NULL)
    rein_market_reader_drop_jobs (self->reader);
  if (!rein_market_service_load_finish (self, result, &error))
    {
      read_return_error (self, task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
  read_next (self);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (source);
  GTask *task = user_data; /* the running read: our reference */
  Read *r;
  GError *error = NULL;
  g_autoptr (GPtrArray) stored = g_task_propagate_pointer (G_TASK (result), &error);

  if (!still_running (self, task))
    {
      g_clear_error (&error);
      return;
    }
  r = g_task_get_task_data (task);
  if (error != NULL)
    {
      /* What the reader validated is not all in the index: the next
       * refresh saves every job again (and its jobs are not kept till
       * then). */
      if (self->reader != NULL)
        {
          rein_market_reader_forget (self->reader);
          rein_market_reader_drop_jobs (self->reader);
        }
      read_return_error (self, task, error);
      return;
    }
  if (r->generation != self->generation)
    {
      read_return_error (self, task,
                         g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The identity changed")));
      return;
    }
  if ((r->kind == READ_JOB || r->kind == READ_JOB_LIST) && stored != NULL)
    {
      merge_summaries (self, stored);
      g_task_return_boolean (task, TRUE);
      read_next (self);
      return;
    }
  load_start (self, g_task_new (self, g_task_get_cancellable (task), reloaded_cb,
                                g_object_ref (task)),
              TRUE);
}

static Save *
save_new (ReinMarketService *self, GPtrArray *jobs, gboolean keep_cursors)
{
  Save *save = g_new0 (Save, 1);

  save->jobs = g_ptr_array_ref (jobs);
  if (jobs->len > 0)
    save->directory = rein_directory_copy (rein_market_reader_get_directory (self->reader));
  save->testnet = rein_identity_get_testnet (self->identity);
  save->identity_id = rein_identity_get_id (self->identity);
  save->keep_cursors = keep_cursors;
  if (keep_cursors)
    save->cursors = rein_market_reader_dup_cursors (self->reader);
  return save;
}

/* Summarizes and saves @jobs (of ReinJob) in a worker, with a copy of the
 * reader's directory: the reader may learn more meanwhile. @keep_cursors:
 * @jobs are the changed jobs of a refresh of the market, saved in the
 * background (rein_background_run()); else a job the user waits for. */
static void
save_jobs (ReinMarketService *self, GTask *task, GPtrArray *jobs, gboolean keep_cursors)
{
  g_autoptr (GTask) save_task = g_task_new (self, g_task_get_cancellable (task), saved_cb,
                                           g_object_ref (task));

  g_task_set_task_data (save_task, save_new (self, jobs, keep_cursors),
                        (GDestroyNotify) save_free);
  if (keep_cursors)
    rein_background_run (save_task, save_thread);
  else
    g_task_run_in_thread (save_task, save_thread);
}

static GPtrArray *
items_of (GListModel *model)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (items, g_list_model_get_item (model, i));
  return items;
}

static void
unref_job (gpointer job)
{
  if (job != NULL)
    g_object_unref (job);
}

/* For each of @job_ids, the job of @jobs with that ID and a posting by
 * the key beside it in @creator_keys ("" for any creator), or NULL. */
static GPtrArray *
find_jobs (GListModel *jobs, const gchar *const *job_ids, const gchar *const *creator_keys)
{
  g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  guint n_ids = g_strv_length ((gchar **) job_ids);
  GPtrArray *out = g_ptr_array_new_full (n_ids, unref_job);

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinJob) job = g_list_model_get_item (jobs, i);
      GPtrArray *same;

      if (rein_job_get_posting (job) == NULL)
        continue;
      same = g_hash_table_lookup (by_id, rein_job_get_id (job));
      if (same == NULL)
        {
          same = g_ptr_array_new ();
          g_hash_table_insert (by_id, (gpointer) rein_job_get_id (job), same);
        }
      g_ptr_array_add (same, job); /* the model holds it */
    }
  for (guint i = 0; i < n_ids; i++)
    {
      GPtrArray *same = g_hash_table_lookup (by_id, job_ids[i]);
      ReinJob *match = NULL;

      for (guint j = 0; same != NULL && match == NULL && j < same->len; j++)
        if (*creator_keys[i] == '\0'
            || rein_same_key (rein_job_get_creator_key (g_ptr_array_index (same, j)),
                              creator_keys[i]))
          match = g_ptr_array_index (same, j);
      g_ptr_array_add (out, match != NULL ? g_object_ref (match) : NULL);
    }
  return out;
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = user_data;
  GTask *task = self->running;
  Read *r;
  GError *error = NULL;

  /* The reader of a previous identity: its task was ended by the switch. */
  if (task == NULL || source != G_OBJECT (self->reader))
    {
      rein_market_reader_refresh_finish (REIN_MARKET_READER (source), result, NULL);
      g_object_unref (self);
      return;
    }
  r = g_task_get_task_data (task);
  if (!rein_market_reader_refresh_finish (self->reader, result, &error))
    {
      read_return_error (self, task, error);
      g_object_unref (self);
      return;
    }
  switch (r->kind)
    {
    case READ_JOBS:
      {
        GPtrArray *changed = rein_market_reader_get_changed_jobs (self->reader);
        g_autoptr (GPtrArray) jobs = NULL;

        /* Only the jobs validated anew: the index has the others as they
         * are. Nothing new, nothing to save or read again. */
        if (changed != NULL && changed->len == 0)
          {
            g_autoptr (GPtrArray) none = g_ptr_array_new ();
            g_autoptr (GTask) keep = g_task_new (self, NULL, NULL, NULL);

            /* The index has it all: only the cursors move on. */
            g_task_set_task_data (keep, save_new (self, none, TRUE), (GDestroyNotify) save_free);
            rein_background_run (keep, keep_cursors_thread);
            g_task_return_boolean (task, TRUE);
            read_next (self);
            break;
          }
        jobs = changed != NULL ? g_ptr_array_ref (changed)
                               : items_of (rein_market_reader_get_jobs (self->reader));
        save_jobs (self, task, jobs, TRUE);
      }
      break;
    case READ_MEDIATORS:
      {
        GListModel *found = rein_market_reader_get_mediators (self->reader);
        g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

        for (guint i = 0; i < g_list_model_get_n_items (found); i++)
          g_ptr_array_add (items, g_list_model_get_item (found, i));
        g_list_store_splice (self->mediators, 0,
                             g_list_model_get_n_items (G_LIST_MODEL (self->mediators)),
                             items->pdata, items->len);
        g_task_return_boolean (task, TRUE);
        read_next (self);
      }
      break;
    case READ_JOB:
      {
        GListModel *jobs = rein_market_reader_get_jobs (self->reader);
        g_autoptr (ReinJob) found = NULL;

        for (guint i = 0; found == NULL && i < g_list_model_get_n_items (jobs); i++)
          {
            g_autoptr (ReinJob) job = g_list_model_get_item (jobs, i);

            if (rein_job_get_posting (job) != NULL
                && (r->creator_key == NULL
                    || rein_same_key (rein_job_get_creator_key (job), r->creator_key)))
              found = g_steal_pointer (&job);
          }
        if (found == NULL)
          {
            read_return_error (self, task,
                               g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                            _("No valid job %s was found on the servers"),
                                            r->job_id));
            break;
          }
        /* What was just validated goes into the index too. */
        {
          g_autoptr (GPtrArray) one = g_ptr_array_new_with_free_func (g_object_unref);

          g_ptr_array_add (one, g_object_ref (found));
          r->job = g_object_ref (found);
          save_jobs (self, task, one, FALSE);
        }
      }
      break;
    case READ_JOB_LIST:
      {
        g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);

        r->unreachable = g_strdup (rein_market_reader_get_unreachable (self->reader));
        r->jobs = find_jobs (rein_market_reader_get_jobs (self->reader),
                             (const gchar *const *) r->job_ids,
                             (const gchar *const *) r->creator_keys);
        for (guint i = 0; i < r->jobs->len; i++)
          if (g_ptr_array_index (r->jobs, i) != NULL
              && !g_ptr_array_find (found, g_ptr_array_index (r->jobs, i), NULL))
            g_ptr_array_add (found, g_object_ref (g_ptr_array_index (r->jobs, i)));
        if (found->len == 0)
          {
            g_task_return_boolean (task, TRUE);
            read_next (self);
            break;
          }
        /* What was just validated goes into the index too. */
        save_jobs (self, task, found, FALSE);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_unref (self);
}

static void
run_read (ReinMarketService *self, GTask *task)
{
  Read *r = g_task_get_task_data (task);

  self->running = task; /* takes the reference */
  if (r->generation != self->generation || self->reader == NULL)
    {
      read_return_error (self, task,
                         g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The identity changed")));
      return;
    }
  /* what I have a part in is shown offline too; a single job (to bid,
   * to act on) only as the servers have it now */
  rein_market_reader_set_stored_when_unreachable (self->reader, r->kind == READ_JOB_LIST);
  switch (r->kind)
    {
    case READ_JOBS:
      /* A refresh queued behind another counts from 0 too. */
      set_documents_read (self, 0);
      rein_market_reader_refresh_async (self->reader, REIN_MARKET_REFRESH_JOBS, NULL,
                                        g_task_get_cancellable (task), read_cb,
                                        g_object_ref (self));
      break;
    case READ_MEDIATORS:
      rein_market_reader_refresh_async (self->reader, REIN_MARKET_REFRESH_MEDIATORS, NULL,
                                        g_task_get_cancellable (task), read_cb,
                                        g_object_ref (self));
      break;
    case READ_JOB:
      rein_market_reader_refresh_async (self->reader, REIN_MARKET_REFRESH_JOB_IDS,
                                        (const gchar *const[]){ r->job_id, NULL },
                                        g_task_get_cancellable (task), read_cb,
                                        g_object_ref (self));
      break;
    case READ_JOB_LIST:
      {
        /* each ID once */
        g_autoptr (GStrvBuilder) unique = g_strv_builder_new ();
        g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
        g_auto (GStrv) ids = NULL;

        for (guint i = 0; r->job_ids[i] != NULL; i++)
          if (g_hash_table_add (seen, r->job_ids[i]))
            g_strv_builder_add (unique, r->job_ids[i]);
        ids = g_strv_builder_end (unique);
        rein_market_reader_refresh_async (self->reader, REIN_MARKET_REFRESH_JOB_IDS,
                                          (const gchar *const *) ids,
                                          g_task_get_cancellable (task), read_cb,
                                          g_object_ref (self));
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A reader operation: cancelled by @cancellable or an identity switch. */
static GTask *
read_task (ReinMarketService *self, ReadKind kind, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GCancellable) both = g_cancellable_new ();
  GTask *task = g_task_new (self, both, callback, user_data);
  Read *r = g_new0 (Read, 1);

  /* One cancellable for the caller's and the identity's. */
  if (cancellable != NULL)
    {
      r->callers = g_object_ref (cancellable);
      r->callers_handler = g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                                                  g_object_ref (both), g_object_unref);
    }
  r->identitys = g_object_ref (self->cancellable);
  r->identitys_handler = g_cancellable_connect (self->cancellable,
                                                G_CALLBACK (g_cancellable_cancel),
                                                g_object_ref (both), g_object_unref);
  r->kind = kind;
  r->generation = self->generation;
  g_task_set_task_data (task, r, (GDestroyNotify) read_free);
  return task;
}

/* A refresh is two reads: the jobs, then the mediators. Takes @outer and
 * @error. */
static void
refresh_end (ReinMarketService *self, GTask *outer, GError *error)
{
  gboolean ok = error == NULL;
  g_autofree gchar *warnings = NULL;

  /* A refresh of an identity that is no longer the service's (ended by
   * the switch): it says nothing about the new one's market. */
  if (GPOINTER_TO_UINT (g_task_get_task_data (outer)) != self->generation)
    {
      if (!ok)
        g_task_return_error (outer, error);
      else
        g_task_return_boolean (outer, TRUE);
      g_object_unref (outer);
      return;
    }
  if (self->warnings != NULL)
    {
      warnings = self->warnings->len > 0 ? g_strdup (self->warnings->str) : NULL;
      g_string_free (self->warnings, TRUE);
      self->warnings = NULL;
    }
  set_string (self, &self->warning, warnings, PROP_WARNING);
  set_string (self, &self->error, ok ? NULL : error->message, PROP_ERROR);
  self->n_refreshes--;
  set_boolean (self, &self->refreshing, self->n_refreshes > 0, PROP_REFRESHING);
  if (!ok)
    g_task_return_error (outer, error);
  else
    g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

static void
refresh_mediators_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  refresh_end (REIN_MARKET_SERVICE (source), user_data, error);
}

static void
refresh_jobs_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (source);
  GTask *outer = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      refresh_end (self, outer, error);
      return;
    }
  queue_read (self, read_task (self, READ_MEDIATORS, g_task_get_cancellable (outer),
                               refresh_mediators_cb, outer));
}

void
rein_market_service_refresh_async (ReinMarketService *self,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  task = service_task (self, cancellable, callback, user_data,
                       rein_market_service_refresh_async);
  if (!check_identity (self, task))
    {
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (self->generation), NULL);
  if (self->warnings == NULL)
    self->warnings = g_string_new (NULL);
  if (self->n_refreshes++ == 0)
    set_documents_read (self, 0);
  set_boolean (self, &self->refreshing, TRUE, PROP_REFRESHING);
  queue_read (self, read_task (self, READ_JOBS, cancellable, refresh_jobs_cb, task));
}

gboolean
rein_market_service_refresh_finish (ReinMarketService *self, GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- one job ---- */

static void
job_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  GTask *inner = G_TASK (result);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, g_object_ref (((Read *) g_task_get_task_data (inner))->job),
                           g_object_unref);
}

void
rein_market_service_load_job_async (ReinMarketService *self,
                                    const gchar *job_id,
                                    const gchar *creator_key,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task;
  GTask *read;
  Read *r;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  g_return_if_fail (job_id != NULL);

  task = service_task (self, cancellable, callback, user_data,
                       rein_market_service_load_job_async);
  if (!check_identity (self, task))
    {
      g_object_unref (task);
      return;
    }
  if (!rein_job_id_is_valid (job_id))
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                               _("“%s” is not a job ID"), job_id);
      g_object_unref (task);
      return;
    }
  read = read_task (self, READ_JOB, cancellable, job_read_cb, task);
  r = g_task_get_task_data (read);
  r->job_id = g_strdup (job_id);
  r->creator_key = g_strdup (creator_key);
  queue_read (self, read);
}

ReinJob *
rein_market_service_load_job_finish (ReinMarketService *self, GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
jobs_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  GTask *inner = G_TASK (result);
  Read *r = g_task_get_task_data (inner);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    g_task_return_error (outer, error);
  else
    {
      g_task_set_task_data (outer, g_strdup (r->unreachable), g_free);
      g_task_return_pointer (outer, g_ptr_array_ref (r->jobs),
                             (GDestroyNotify) g_ptr_array_unref);
    }
}

void
rein_market_service_load_jobs_async (ReinMarketService *self,
                                     const gchar *const *job_ids,
                                     const gchar *const *creator_keys,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GStrvBuilder) keys = g_strv_builder_new ();
  GTask *task;
  GTask *read;
  Read *r;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  g_return_if_fail (job_ids != NULL && job_ids[0] != NULL);

  task = service_task (self, cancellable, callback, user_data,
                       rein_market_service_load_jobs_async);
  if (!check_identity (self, task))
    {
      g_object_unref (task);
      return;
    }
  for (guint i = 0; job_ids[i] != NULL; i++)
    {
      if (!rein_job_id_is_valid (job_ids[i]))
        {
          g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                                   _("“%s” is not a job ID"), job_ids[i]);
          g_object_unref (task);
          return;
        }
      if (creator_keys != NULL && creator_keys[i] == NULL)
        creator_keys = NULL; /* shorter than the IDs: any creator for the rest */
      g_strv_builder_add (keys, creator_keys != NULL ? creator_keys[i] : "");
    }
  read = read_task (self, READ_JOB_LIST, cancellable, jobs_read_cb, task);
  r = g_task_get_task_data (read);
  r->job_ids = g_strdupv ((gchar **) job_ids);
  r->creator_keys = g_strv_builder_end (keys);
  queue_read (self, read);
}

GPtrArray *
rein_market_service_load_jobs_finish (ReinMarketService *self, GAsyncResult *result,
                                      GError **error)
{
  return rein_market_service_load_jobs_finish_full (self, result, NULL, error);
}

GPtrArray *
rein_market_service_load_jobs_finish_full (ReinMarketService *self,
                                           GAsyncResult *result,
                                           gchar **out_unreachable,
                                           GError **error)
{
  GPtrArray *jobs;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  jobs = g_task_propagate_pointer (G_TASK (result), error);
  if (out_unreachable != NULL)
    *out_unreachable = jobs != NULL ? g_strdup (g_task_get_task_data (G_TASK (result))) : NULL;
  return jobs;
}

/* ---- search ---- */

static void
search_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinMarketService *self = source;
  GError *error = NULL;

  GArray *ids = rein_store_search_job_ids (self->store, task_data, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

void
rein_market_service_search_ids_async (ReinMarketService *self,
                                      const gchar *text,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  task = service_task (self, cancellable, callback, user_data,
                       rein_market_service_search_ids_async);
  g_task_set_task_data (task, g_strdup (text != NULL ? text : ""), g_free);
  g_task_run_in_thread (task, search_thread);
}

GArray *
rein_market_service_search_ids_finish (ReinMarketService *self, GAsyncResult *result,
                                       GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- after we publish ---- */

static void
noted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinMarketService *self = REIN_MARKET_SERVICE (source);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stored = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not add a job to the market index: %s", error->message);
  else if (generation == self->generation && stored != NULL)
    merge_summaries (self, stored);
}

void
rein_market_service_note_job (ReinMarketService *self, ReinJob *job)
{
  g_autoptr (GTask) save_task = NULL;
  ReinDirectory *directory;
  Save *save;

  g_return_if_fail (REIN_IS_MARKET_SERVICE (self));
  g_return_if_fail (REIN_IS_JOB (job));

  if (self->identity == NULL || rein_job_get_posting (job) == NULL)
    return;
  directory = rein_market_service_get_directory (self);
  save = g_new0 (Save, 1);
  save->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (save->jobs, g_object_ref (job));
  save->directory = directory != NULL ? rein_directory_copy (directory) : rein_directory_new ();
  save->testnet = rein_identity_get_testnet (self->identity);
  save_task = g_task_new (self, self->cancellable, noted_cb,
                          GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (save_task, save, (GDestroyNotify) save_free);
  g_task_run_in_thread (save_task, save_thread);
}

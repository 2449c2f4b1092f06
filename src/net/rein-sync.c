/* rein-sync.c: pushes an identity's documents to every registered server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <errno.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rein-sync.h"

struct _ReinSync
{
  GObject parent_instance;

  ReinStore *store;
  guint timeout;
};

G_DEFINE_FINAL_TYPE (ReinSync, rein_sync, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The whole run: shared by every server's job. */
typedef struct
{
  ReinIdentity *identity;
  ReinPrivateKey *key;
  GPtrArray *documents; /* of ReinStoredDocument */
  GPtrArray *results;   /* of ReinSyncResult */
  guint pending;
} Run;

/* One server's part of the run. */
typedef struct
{
  GTask *task; /* a reference on the run's task */
  ReinSyncResult *result;
  ReinClient *client;
  gchar *nonce;
  GPtrArray *work;      /* of DocOp: the documents to check or put, in order */
  GPtrArray *unchecked; /* of DocOp: trusted placements left out of the sample */
  guint next;           /* next item of work to start */
  guint in_flight;      /* documents being checked or put now */
  guint done;           /* documents finished */
  GError *error;        /* the first failure; no new document starts after it */
  gboolean requested;   /* /request was sent in this sync */
  GHashTable *known;    /* document id -> ReinPlacement, read at the start */
  GPtrArray *placed;    /* of ReinPlacement, written at the end */
  GPtrArray *buckets;   /* of ReinBucket granted by /request, written at the end */
} ServerJob;

/* Requests in flight per server: enough to keep the server and this side
 * busy at once, few enough to be polite. */
#define IN_FLIGHT 4

/* The sample of trusted placements checked by a /get each sync (see
 * rein-sync.h): at least this many, or this share of them. */
#define SAMPLE_MIN 8
#define SAMPLE_PERCENT 5

/* One document's check or put on one server. */
typedef struct
{
  ServerJob *job;
  ReinStoredDocument *doc; /* the run's */
  gchar *remote_key;
  gboolean check;  /* /get and compare first; otherwise put at once */
  gint64 verified; /* when the placement was last recorded (for the sample) */
  guint32 shuffle; /* breaks ties between placements recorded together */
  gboolean renonced; /* the put was refused for its nonce and tried again */
} DocOp;

void
rein_sync_result_free (ReinSyncResult *result)
{
  if (result == NULL)
    return;
  g_free (result->url);
  g_free (result->error);
  g_free (result);
}

static void
doc_op_free (DocOp *op)
{
  g_free (op->remote_key);
  g_free (op);
}

static DocOp *
doc_op_new (ServerJob *job, ReinStoredDocument *doc, const gchar *remote_key, gboolean check)
{
  DocOp *op = g_new0 (DocOp, 1);

  op->job = job;
  op->doc = doc;
  op->remote_key = remote_key != NULL ? g_strdup (remote_key) : rein_client_new_key ();
  op->check = check;
  return op;
}

static void
run_free (Run *run)
{
  g_clear_object (&run->identity);
  g_clear_pointer (&run->key, rein_private_key_free);
  g_clear_pointer (&run->documents, g_ptr_array_unref);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_free (run);
}

static void
server_job_free (ServerJob *job)
{
  g_clear_object (&job->client);
  g_free (job->nonce);
  g_clear_error (&job->error);
  g_clear_pointer (&job->work, g_ptr_array_unref);
  g_clear_pointer (&job->unchecked, g_ptr_array_unref);
  g_clear_pointer (&job->known, g_hash_table_unref);
  g_clear_pointer (&job->placed, g_ptr_array_unref);
  g_clear_pointer (&job->buckets, g_ptr_array_unref);
  g_free (job);
}

static void
rein_sync_finalize (GObject *object)
{
  ReinSync *self = (ReinSync *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (rein_sync_parent_class)->finalize (object);
}

static void
rein_sync_class_init (ReinSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_sync_finalize;

  /**
   * ReinSync::progress:
   * @url: the server
   * @done: documents checked on it so far
   * @total: documents to check on it
   */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
}

static void
rein_sync_init (ReinSync *self)
{
  self->timeout = 20;
}

ReinSync *
rein_sync_new (ReinStore *store)
{
  ReinSync *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);

  self = g_object_new (REIN_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  return self;
}

void
rein_sync_set_timeout (ReinSync *self, guint seconds)
{
  g_return_if_fail (REIN_IS_SYNC (self));
  self->timeout = seconds;
}

/* ---- one server ---- */

static void job_pump (ServerJob *job);
static void job_check_all (ServerJob *job);

/* The store's writes for one server (its placements, in one statement,
 * and the sync record) run in a worker thread: each is an fsync, which
 * must not stall the UI. */
static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ServerJob *job = task_data;
  ReinSync *self = g_task_get_source_object (job->task);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; job->buckets != NULL && i < job->buckets->len; i++)
    {
      ReinBucket *b = g_ptr_array_index (job->buckets, i);
      Run *run = g_task_get_task_data (job->task);

      rein_store_set_bucket (self->store, job->result->server_id,
                             rein_identity_get_id (run->identity), b->id, b->bytes_free,
                             b->created, NULL);
    }
  /* If the placements cannot be kept, the sync did not really succeed:
   * the next one would not find them and would put everything again. */
  if (job->placed != NULL
      && !rein_store_set_placements (self->store, job->result->server_id, job->placed, &error)
      && job->result->error == NULL)
    job->result->error = g_strdup_printf ("%s: synced, but not recorded here: %s",
                                          job->result->url, error->message);
  rein_store_record_sync (self->store, job->result->server_id, job->result->error, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerJob *job = user_data;
  GTask *task = job->task;
  Run *run = g_task_get_task_data (task);

  server_job_free (job);
  /* Each job holds a reference on the run's task; the last one returns. */
  if (--run->pending == 0 && !g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_ptr_array_ref (run->results),
                           (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
job_done (ServerJob *job, const GError *error)
{
  g_autoptr (GTask) save = NULL;

  if (error != NULL && job->result->error == NULL)
    {
      job->result->error = g_strdup (error->message);
      job->result->unreachable = g_error_matches (error, REIN_NET_ERROR,
                                                  REIN_NET_ERROR_UNREACHABLE);
    }
  save = g_task_new (g_task_get_source_object (job->task), NULL, saved_cb, job);
  g_task_set_task_data (save, job, NULL);
  g_task_run_in_thread (save, save_thread);
}

static void
record_placement (DocOp *op)
{
  ReinPlacement *p = g_new0 (ReinPlacement, 1);

  p->document_id = op->doc->id;
  p->remote_key = g_strdup (op->remote_key);
  p->verified_hash = g_strdup (op->doc->hash);
  g_ptr_array_add (op->job->placed, p);
}

static void
nonce_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerJob *job = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *empty = rein_client_nonce_finish (REIN_CLIENT (source), result, &error);

  /* A nonce left behind is harmless: the next sync uses it. */
  job_done (job, NULL);
}

static void
job_finish_documents (ServerJob *job)
{
  Run *run = g_task_get_task_data (job->task);

  rein_client_nonce_async (job->client, rein_identity_get_master_address (run->identity),
                           job->nonce, g_task_get_cancellable (job->task), nonce_cleared_cb, job);
}

static void
report_progress (ServerJob *job)
{
  ReinSync *self = g_task_get_source_object (job->task);

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, job->result->url, job->done,
                 job->result->total);
}

/* A document is finished, one way or the other; start the next ones. */
static void
op_finished (DocOp *op, const GError *error, gboolean pushed)
{
  ServerJob *job = op->job;

  job->in_flight--;
  if (error != NULL)
    {
      if (job->error == NULL)
        job->error = g_error_copy (error);
    }
  else
    {
      record_placement (op);
      if (pushed)
        job->result->pushed++;
      else
        job->result->unchanged++;
      job->done++;
      report_progress (job);
    }
  job_pump (job);
}

static void put_document (DocOp *op);

static void
renonce_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DocOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *nonce = rein_client_nonce_finish (REIN_CLIENT (source), result, &error);

  if (nonce != NULL && *nonce == '\0')
    error = g_error_new (REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER, "%s: gave an empty nonce",
                         op->job->result->url);
  if (error != NULL)
    {
      op_finished (op, error, TRUE);
      return;
    }
  g_free (op->job->nonce);
  op->job->nonce = g_steal_pointer (&nonce);
  put_document (op);
}

static void
put_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DocOp *op = user_data;
  g_autoptr (GError) error = NULL;

  rein_client_put_finish (REIN_CLIENT (source), result, &error);
  if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_NONCE) && !op->renonced)
    {
      Run *run = g_task_get_task_data (op->job->task);

      /* Another client of this owner (a second rein-cli on the same data,
       * the app on another machine) finished its sync and cleared the
       * nonce we shared: take the server's new one and put again, once. */
      g_debug ("%s: nonce cleared by another client; putting again", op->job->result->url);
      op->renonced = TRUE;
      rein_client_nonce_async (op->job->client, rein_identity_get_master_address (run->identity),
                               NULL, g_task_get_cancellable (op->job->task), renonce_cb, op);
      return;
    }
  op_finished (op, error, TRUE);
}

static void
put_document (DocOp *op)
{
  ServerJob *job = op->job;
  Run *run = g_task_get_task_data (job->task);

  rein_client_put_async (job->client, op->remote_key, op->doc->armored, job->nonce, run->key,
                         rein_identity_get_master_address (run->identity),
                         rein_identity_get_testnet (run->identity),
                         g_task_get_cancellable (job->task), put_cb, op);
}

static void
get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DocOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *value = rein_client_get_finish (REIN_CLIENT (source), result, &error);
  g_autofree gchar *hash = NULL;

  if (value == NULL && !g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_NOT_FOUND))
    {
      op_finished (op, error, FALSE);
      return;
    }
  op->job->result->checked++;
  if (value != NULL)
    {
      hash = rein_sha256_hex (value, strlen (value));
      if (g_strcmp0 (hash, op->doc->hash) == 0)
        {
          op_finished (op, NULL, FALSE);
          return;
        }
    }
  /* Missing, or a different (stale or damaged) version: the server lost or
   * changed what it had from us, so it may have done the same to others;
   * stop trusting the rest in this sync. */
  job_check_all (op->job);
  /* Put ours under the same key, which replaces it. */
  put_document (op);
}

static void
start_document (DocOp *op)
{
  ServerJob *job = op->job;

  job->in_flight++;
  if (op->check)
    rein_client_get_async (job->client, op->remote_key, g_task_get_cancellable (job->task),
                           get_cb, op);
  else
    put_document (op);
}

/* Keeps up to IN_FLIGHT documents going; when all are done (or one failed
 * and the others came back), clears the nonce or reports the failure. */
static void
job_pump (ServerJob *job)
{
  Run *run = g_task_get_task_data (job->task);

  if (job->error == NULL && g_cancellable_is_cancelled (g_task_get_cancellable (job->task)))
    job->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Sync cancelled");

  while (job->error == NULL && job->in_flight < IN_FLIGHT && job->next < job->work->len)
    start_document (g_ptr_array_index (job->work, job->next++));

  if (job->in_flight > 0)
    return;
  if (job->error != NULL)
    {
      job_done (job, job->error);
      return;
    }
  /* Every check came back clean: the placements left out of the sample are
   * trusted as they are. */
  job->result->unchanged += job->unchecked->len;
  job->done += job->unchecked->len;
  g_assert (job->done == run->documents->len);
  if (job->unchecked->len > 0)
    report_progress (job);
  job_finish_documents (job);
}

/* The sample starts with the placements checked longest ago. */
static gint
compare_for_sample (gconstpointer a, gconstpointer b)
{
  const DocOp *x = *(DocOp *const *) a, *y = *(DocOp *const *) b;

  if (x->verified != y->verified)
    return x->verified < y->verified ? -1 : 1;
  return x->shuffle < y->shuffle ? -1 : x->shuffle > y->shuffle;
}

/* Sorts the documents into work: the sample of trusted placements to check
 * first, then the puts; the other trusted placements wait in
 * job->unchecked. */
static void
job_plan (ServerJob *job)
{
  Run *run = g_task_get_task_data (job->task);
  g_autoptr (GPtrArray) trusted = g_ptr_array_new (); /* each moves to work or unchecked */
  g_autoptr (GPtrArray) puts = g_ptr_array_new_with_free_func ((GDestroyNotify) doc_op_free);
  guint sample;

  job->work = g_ptr_array_new_with_free_func ((GDestroyNotify) doc_op_free);
  job->unchecked = g_ptr_array_new_with_free_func ((GDestroyNotify) doc_op_free);
  for (guint i = 0; i < run->documents->len; i++)
    {
      ReinStoredDocument *doc = g_ptr_array_index (run->documents, i);
      ReinPlacement *p = g_hash_table_lookup (job->known, &doc->id);

      /* A server that had to register us again holds nothing of ours we
       * can trust; a placement of another version of the document is
       * replaced at once; a document never placed there gets a new key.
       * None of them needs a /get. */
      if (p == NULL || job->requested || g_strcmp0 (p->verified_hash, doc->hash) != 0)
        g_ptr_array_add (puts, doc_op_new (job, doc, p ? p->remote_key : NULL, FALSE));
      else
        {
          DocOp *op = doc_op_new (job, doc, p->remote_key, TRUE);

          op->verified = p->updated;
          op->shuffle = g_random_int ();
          g_ptr_array_add (trusted, op);
        }
    }

  sample = MIN (trusted->len, MAX (SAMPLE_MIN, (trusted->len * SAMPLE_PERCENT + 99) / 100));
  g_ptr_array_sort (trusted, compare_for_sample);
  for (guint i = 0; i < trusted->len; i++)
    g_ptr_array_add (i < sample ? job->work : job->unchecked, g_ptr_array_index (trusted, i));
  g_ptr_array_extend_and_steal (job->work, g_steal_pointer (&puts));
  g_debug ("%s: %u to put, %u of %u placements checked", job->result->url,
           job->work->len - sample, sample, trusted->len);
}

/* Checks every trusted placement in this sync after all. */
static void
job_check_all (ServerJob *job)
{
  if (job->unchecked->len == 0)
    return;
  g_debug ("%s: lost or changed a document; checking all %u others", job->result->url,
           job->unchecked->len);
  g_ptr_array_extend_and_steal (job->work, g_steal_pointer (&job->unchecked));
  job->unchecked = g_ptr_array_new_with_free_func ((GDestroyNotify) doc_op_free);
}

static void request_buckets (ServerJob *job);

static void
nonce_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerJob *job = user_data;
  g_autoptr (GError) error = NULL;

  job->nonce = rein_client_nonce_finish (REIN_CLIENT (source), result, &error);
  if (job->nonce == NULL && !job->requested
      && g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED))
    {
      /* The server no longer knows us (its data was reset, say), though we
       * remember buckets there: register again, once. */
      request_buckets (job);
      return;
    }
  if (job->nonce == NULL)
    {
      job_done (job, error);
      return;
    }
  if (*job->nonce == '\0')
    {
      g_autoptr (GError) bad = g_error_new (REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER,
                                            "%s: gave an empty nonce", job->result->url);
      job_done (job, bad);
      return;
    }
  job_plan (job);
  report_progress (job);
  job_pump (job);
}

static void
job_take_nonce (ServerJob *job)
{
  Run *run = g_task_get_task_data (job->task);

  rein_client_nonce_async (job->client, rein_identity_get_master_address (run->identity), NULL,
                           g_task_get_cancellable (job->task), nonce_cb, job);
}

static void
buckets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServerJob *job = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) buckets = rein_client_request_buckets_finish (REIN_CLIENT (source),
                                                                       result, &error);

  if (buckets == NULL)
    {
      job_done (job, error);
      return;
    }
  /* written with the placements, off this thread */
  job->buckets = g_steal_pointer (&buckets);
  job_take_nonce (job);
}

static void
job_start (ServerJob *job)
{
  ReinSync *self = g_task_get_source_object (job->task);
  Run *run = g_task_get_task_data (job->task);
  g_autoptr (GError) error = NULL;

  job->placed = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_placement_free);
  job->known = rein_store_list_placements (self->store, job->result->server_id, &error);
  if (job->known == NULL)
    {
      /* Going on would put every document again under new keys, leaving
       * the old copies behind on the server. */
      job_done (job, error);
      return;
    }

  if (rein_store_has_buckets (self->store, job->result->server_id,
                              rein_identity_get_id (run->identity)))
    {
      job_take_nonce (job);
      return;
    }
  request_buckets (job);
}

static void
request_buckets (ServerJob *job)
{
  Run *run = g_task_get_task_data (job->task);

  job->requested = TRUE;
  rein_client_request_buckets_async (job->client,
                                     rein_identity_get_master_address (run->identity),
                                     rein_identity_get_delegate_address (run->identity),
                                     rein_identity_get_contact (run->identity),
                                     g_task_get_cancellable (job->task), buckets_cb, job);
}

/* ---- one sync per identity at a time ----
 *
 * Two syncs of one identity would share the server's nonce (the first to
 * finish clears it, and the other's puts fail with "Bad nonce") and could
 * put a new document twice under two keys. The app's automatic sync and a
 * publication's push can meet: a second run waits for the first, then
 * lists the documents itself, so it pushes what was added meanwhile.
 * Other processes on the same data folder (two rein-cli, the app and
 * rein-cli) wait the same way, on a lock file beside the database; a
 * client elsewhere that clears the nonce is met by putting again with a
 * fresh one (put_cb). */

typedef struct
{
  ReinSync *self;
  ReinIdentity *identity;
  ReinPrivateKey *key;
  GCancellable *cancellable;
  gchar *slot;
  gchar *lock_path;
  int lock_fd; /* held (flock) during the run; -1 when none */
} Waiting;

static GMutex busy_lock;
static GHashTable *busy; /* slot -> GQueue of Waiting, present while a run is on */

static void run_now_async (ReinSync *self,
                           ReinIdentity *identity,
                           const ReinPrivateKey *delegate_key,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);

static void
waiting_free (Waiting *w)
{
  g_clear_object (&w->self);
  g_clear_object (&w->identity);
  g_clear_pointer (&w->key, rein_private_key_free);
  g_clear_object (&w->cancellable);
  g_free (w->slot);
  g_free (w->lock_path);
  if (w->lock_fd >= 0)
    close (w->lock_fd);
  g_free (w);
}

static void start_waiting (GTask *outer);

/* The run of @outer is over: hands its result on and lets the next run of
 * the same identity start. */
static void
ran_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data;
  Waiting *w = g_task_get_task_data (outer);
  GError *error = NULL;
  GPtrArray *results = g_task_propagate_pointer (G_TASK (result), &error);
  GTask *next = NULL;

  if (w->lock_fd >= 0)
    {
      close (w->lock_fd); /* lets another process's sync go on */
      w->lock_fd = -1;
    }
  g_mutex_lock (&busy_lock);
  {
    GQueue *queue = g_hash_table_lookup (busy, w->slot);

    next = g_queue_pop_head (queue);
    if (next == NULL)
      g_hash_table_remove (busy, w->slot);
  }
  g_mutex_unlock (&busy_lock);

  if (results == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, results, (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (outer);
  if (next != NULL)
    start_waiting (next);
}

/* Waits (in a worker) for the lock of this identity's syncs in this data
 * folder, polling so that a cancellation is seen. No lock file (a
 * read-only folder): no waiting. */
static void
lock_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Waiting *w = task_data;
  int fd = g_open (w->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_debug ("No sync lock %s: %s", w->lock_path, g_strerror (errno));
      g_task_return_int (task, -1);
      return;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        {
          close (fd);
          g_task_return_int (task, -1);
          return;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          close (fd);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Sync cancelled");
          return;
        }
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
  g_task_return_int (task, fd);
}

static void
locked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data;
  Waiting *w = g_task_get_task_data (outer);
  GError *error = NULL;
  int fd = (int) g_task_propagate_int (G_TASK (result), &error);

  if (error != NULL)
    {
      /* as if the run had failed: the next one in this process goes on */
      g_autoptr (GTask) failed = g_task_new (w->self, NULL, NULL, NULL);

      g_task_set_source_tag (failed, run_now_async);
      g_task_return_error (failed, error);
      ran_cb (G_OBJECT (w->self), G_ASYNC_RESULT (failed), outer);
      return;
    }
  w->lock_fd = fd;
  /* The key is copied again by the run; this one is wiped now. */
  run_now_async (w->self, w->identity, w->key, w->cancellable, ran_cb, outer);
  g_clear_pointer (&w->key, rein_private_key_free);
}

static void
start_waiting (GTask *outer)
{
  Waiting *w = g_task_get_task_data (outer);
  g_autoptr (GTask) lock = g_task_new (NULL, w->cancellable, locked_cb, outer);

  g_task_set_source_tag (lock, start_waiting);
  g_task_set_task_data (lock, w, NULL);
  g_task_set_return_on_cancel (lock, FALSE);
  g_task_run_in_thread (lock, lock_thread);
}

void
rein_sync_run_async (ReinSync *self,
                     ReinIdentity *identity,
                     const ReinPrivateKey *delegate_key,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  GTask *outer;
  Waiting *w;
  gboolean wait;

  g_return_if_fail (REIN_IS_SYNC (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (delegate_key != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, rein_sync_run_async);
  w = g_new0 (Waiting, 1);
  w->self = g_object_ref (self);
  w->identity = g_object_ref (identity);
  w->key = rein_private_key_copy (delegate_key);
  w->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  /* The same identity row in the same database. */
  w->slot = g_strdup_printf ("%s#%" G_GINT64_FORMAT, rein_store_get_path (self->store),
                             rein_identity_get_id (identity));
  w->lock_path = g_strdup_printf ("%s.sync-%" G_GINT64_FORMAT ".lock",
                                  rein_store_get_path (self->store),
                                  rein_identity_get_id (identity));
  w->lock_fd = -1;
  g_task_set_task_data (outer, w, (GDestroyNotify) waiting_free);

  g_mutex_lock (&busy_lock);
  if (busy == NULL)
    busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify) g_queue_free);
  wait = g_hash_table_contains (busy, w->slot);
  if (wait)
    g_queue_push_tail (g_hash_table_lookup (busy, w->slot), outer);
  else
    g_hash_table_insert (busy, g_strdup (w->slot), g_queue_new ());
  g_mutex_unlock (&busy_lock);
  if (!wait)
    start_waiting (outer);
}

static void
run_now_async (ReinSync *self,
               ReinIdentity *identity,
               const ReinPrivateKey *delegate_key,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = NULL;
  g_auto (GStrv) urls = NULL;
  Run *run;

  g_return_if_fail (REIN_IS_SYNC (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (delegate_key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, run_now_async);

  run = g_new0 (Run, 1);
  run->identity = g_object_ref (identity);
  run->key = rein_private_key_copy (delegate_key);
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_sync_result_free);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  run->documents = rein_store_list_own_documents_full (self->store,
                                                       rein_identity_get_id (identity), &error);
  if (run->documents != NULL)
    urls = rein_store_list_servers (self->store, &ids, &error);
  if (urls == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (urls[0] == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_ref (run->results),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  for (guint i = 0; urls[i]; i++)
    {
      ReinSyncResult *r = g_new0 (ReinSyncResult, 1);

      r->server_id = g_array_index (ids, gint64, i);
      r->url = g_strdup (urls[i]);
      r->total = run->documents->len;
      g_ptr_array_add (run->results, r);
    }

  run->pending = run->results->len;
  for (guint i = 0; i < run->results->len; i++)
    {
      ServerJob *job = g_new0 (ServerJob, 1);
      g_autoptr (GError) client_error = NULL;

      job->task = g_object_ref (task);
      job->result = g_ptr_array_index (run->results, i);
      job->client = rein_client_new (job->result->url, &client_error);
      if (job->client == NULL)
        {
          job_done (job, client_error);
          continue;
        }
      rein_client_set_timeout (job->client, self->timeout);
      job_start (job);
    }
}

GPtrArray *
rein_sync_run_finish (ReinSync *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_sync_run_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

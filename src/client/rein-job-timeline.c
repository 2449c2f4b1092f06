/* rein-job-timeline.c: every document of a job, as a user reads its story
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-job-timeline.h"
#include "rein-person.h"

struct _ReinTimelineEntry
{
  GObject parent_instance;

  ReinDocument *document;
  gchar *writer;
  gint64 first_seen;
  gboolean counts;
  gchar *reason;
  gint completed;
  guint flow_index;   /* its place in the flow, among equals in time */
};

G_DEFINE_FINAL_TYPE (ReinTimelineEntry, rein_timeline_entry, G_TYPE_OBJECT)

static void
rein_timeline_entry_finalize (GObject *object)
{
  ReinTimelineEntry *self = (ReinTimelineEntry *) object;

  g_clear_object (&self->document);
  g_free (self->writer);
  g_free (self->reason);

  G_OBJECT_CLASS (rein_timeline_entry_parent_class)->finalize (object);
}

static void
rein_timeline_entry_class_init (ReinTimelineEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_timeline_entry_finalize;
}

static void
rein_timeline_entry_init (ReinTimelineEntry *self)
{
  self->completed = -1;
}

ReinDocument *
rein_timeline_entry_get_document (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), NULL);
  return self->document;
}

const gchar *
rein_timeline_entry_get_what (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), NULL);
  return rein_document_type_describe (rein_document_get_document_type (self->document));
}

const gchar *
rein_timeline_entry_get_writer (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), NULL);
  return self->writer;
}

gint64
rein_timeline_entry_get_first_seen (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), 0);
  return self->first_seen;
}

gint
rein_timeline_entry_get_writer_completed (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), -1);
  return self->completed;
}

gboolean
rein_timeline_entry_get_counts (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), FALSE);
  return self->counts;
}

const gchar *
rein_timeline_entry_get_reason (ReinTimelineEntry *self)
{
  g_return_val_if_fail (REIN_IS_TIMELINE_ENTRY (self), NULL);
  return self->reason;
}

const gchar *
rein_document_type_describe (ReinDocumentType type)
{
  switch (type)
    {
    case REIN_DOCUMENT_TYPE_ENROLLMENT:
      return _("Enrollment");
    case REIN_DOCUMENT_TYPE_JOB_POSTING:
      return _("Job posted");
    case REIN_DOCUMENT_TYPE_BID:
      return _("Bid");
    case REIN_DOCUMENT_TYPE_OFFER:
      return _("Bid awarded");
    case REIN_DOCUMENT_TYPE_DELIVERY:
      return _("Work delivered");
    case REIN_DOCUMENT_TYPE_ACCEPT:
      return _("Delivery accepted");
    case REIN_DOCUMENT_TYPE_CREATOR_DISPUTE:
      return _("Dispute by the job creator");
    case REIN_DOCUMENT_TYPE_WORKER_DISPUTE:
      return _("Dispute by the worker");
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      return _("Dispute resolved");
    case REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION:
      return _("Resolution accepted");
    case REIN_DOCUMENT_TYPE_RATING:
      return _("Rating");
    case REIN_DOCUMENT_TYPE_UNKNOWN:
    default:
      return _("Signed message");
    }
}

/* ---- loading ---- */

typedef struct
{
  ReinStore *store;
  ReinDirectory *directory; /* the worker's own copy */
  ReinJob *job;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->store);
  g_clear_pointer (&load->directory, rein_directory_free);
  g_clear_object (&load->job);
  g_free (load);
}

/* Who signed @document: the name of the signer's own enrollment, else the
 * address with a warning that nobody is enrolled with it. */
static gchar *
format_writer (ReinDirectory *directory, ReinDocument *document)
{
  const gchar *signer = rein_document_get_signer (document);
  ReinDocument *enrollment;

  if (rein_document_get_document_type (document) == REIN_DOCUMENT_TYPE_ENROLLMENT)
    return rein_person_format_enrollment (document, directory);
  enrollment = signer != NULL ? rein_directory_lookup_delegate (directory, signer) : NULL;
  if (enrollment != NULL)
    return rein_person_format_enrollment (enrollment, directory);
  /* Translators: the document's signer has no enrollment; %s is its address */
  return g_strdup_printf (_("(not enrolled) %s"), signer != NULL ? signer : "?");
}

/* Oldest first: by when they were first seen here (seconds), then in the
 * order of the flow. */
static gint
compare_entries (gconstpointer a, gconstpointer b)
{
  const ReinTimelineEntry *x = *(ReinTimelineEntry *const *) a;
  const ReinTimelineEntry *y = *(ReinTimelineEntry *const *) b;

  if (x->first_seen != y->first_seen)
    return x->first_seen < y->first_seen ? -1 : 1;
  return x->flow_index < y->flow_index ? -1 : x->flow_index > y->flow_index;
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = rein_job_get_n_entries (load->job);

  for (guint i = 0; i < n; i++)
    {
      gboolean valid = FALSE;
      const gchar *reason = NULL;
      ReinDocument *document = rein_job_get_entry (load->job, i, &valid, &reason);
      ReinTimelineEntry *entry;
      g_autoptr (GError) error = NULL;

      if (g_task_return_error_if_cancelled (task))
        return;
      /* the same text from several servers is one document */
      if (!g_hash_table_add (seen, (gpointer) rein_document_get_hash (document)))
        continue;
      entry = g_object_new (REIN_TYPE_TIMELINE_ENTRY, NULL);
      entry->flow_index = i;
      entry->document = g_object_ref (document);
      entry->counts = valid;
      entry->reason = valid ? NULL : g_strdup (reason != NULL ? reason : _("It does not count."));
      entry->writer = format_writer (load->directory, document);
      if (!rein_store_get_document_source (load->store, rein_document_get_hash (document), NULL,
                                           &entry->first_seen, &error))
        entry->first_seen = 0;
      if (valid && rein_document_get_document_type (document) == REIN_DOCUMENT_TYPE_BID
          && rein_document_get_signer (document) != NULL)
        entry->completed = rein_store_count_completed_jobs (
            load->store, rein_document_get_signer (document), rein_job_get_id (load->job), NULL);
      g_ptr_array_add (entries, entry);
    }
  g_ptr_array_sort (entries, compare_entries);
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

void
rein_job_timeline_load_async (ReinStore *store,
                              ReinDirectory *directory,
                              ReinJob *job,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Load *load;

  g_return_if_fail (REIN_IS_STORE (store));
  g_return_if_fail (directory != NULL);
  g_return_if_fail (REIN_IS_JOB (job));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_job_timeline_load_async);
  load = g_new0 (Load, 1);
  load->store = g_object_ref (store);
  load->directory = rein_directory_copy (directory);
  load->job = g_object_ref (job);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

GPtrArray *
rein_job_timeline_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

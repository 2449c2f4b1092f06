/* rein-publisher.c: every document a user signs goes through here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rein-publisher.h"

G_DEFINE_QUARK (rein-client-error-quark, rein_client_error)

struct _ReinPublisher
{
  GObject parent_instance;

  ReinStore *store;
};

G_DEFINE_FINAL_TYPE (ReinPublisher, rein_publisher, G_TYPE_OBJECT)

typedef struct
{
  ReinIdentity *identity;
  ReinPrivateKey *delegate;
  ReinJob *job;
  ReinDirectory *directory; /* a reference: the caller's, used on its thread only */
  gchar *text;
  gboolean push;
  ReinPublication *publication;
  ReinSync *sync;
} Publish;

static void
publish_free (Publish *p)
{
  g_clear_object (&p->identity);
  g_clear_pointer (&p->delegate, rein_private_key_free);
  g_clear_object (&p->job);
  g_clear_pointer (&p->directory, rein_directory_free);
  g_free (p->text);
  g_clear_pointer (&p->publication, rein_publication_free);
  g_clear_object (&p->sync);
  g_free (p);
}

void
rein_publication_free (ReinPublication *publication)
{
  if (publication == NULL)
    return;
  g_clear_object (&publication->document);
  g_free (publication->job_id);
  g_free (publication->sync_error);
  g_clear_pointer (&publication->sync_results, g_ptr_array_unref);
  g_free (publication);
}

static void
rein_publisher_finalize (GObject *object)
{
  ReinPublisher *self = (ReinPublisher *) object;

  g_clear_object (&self->store);
  G_OBJECT_CLASS (rein_publisher_parent_class)->finalize (object);
}

static void
rein_publisher_class_init (ReinPublisherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_publisher_finalize;
}

static void
rein_publisher_init (ReinPublisher *self)
{
}

ReinPublisher *
rein_publisher_new (ReinStore *store)
{
  ReinPublisher *self;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  self = g_object_new (REIN_TYPE_PUBLISHER, NULL);
  self->store = g_object_ref (store);
  return self;
}

static ReinNetwork
identity_network (ReinIdentity *identity)
{
  return rein_identity_get_testnet (identity) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
}

/* ---- 4. the push, and the end ---- */

static void
synced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Publish *p = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GPtrArray *results = rein_sync_run_finish (REIN_SYNC (source), result, &error);

  g_clear_pointer (&p->delegate, rein_private_key_free);
  if (results == NULL)
    {
      /* The document is stored, even when the push was cancelled: say so,
       * since nothing is lost (the next sync sends it). */
      results = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_sync_result_free);
      p->publication->sync_error =
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          ? g_strdup (_("the push was cancelled; the next sync sends it"))
          : g_strdup (error->message);
    }
  p->publication->sync_results = results;
  for (guint i = 0; i < results->len; i++)
    if (((ReinSyncResult *) g_ptr_array_index (results, i))->error == NULL)
      p->publication->n_servers_ok++;
  g_task_return_pointer (task, g_steal_pointer (&p->publication),
                         (GDestroyNotify) rein_publication_free);
}

/* ---- 3. the store, in a worker ---- */

static void
store_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinPublisher *self = source;
  Publish *p = task_data;
  ReinPublication *pub = p->publication;
  ReinDocumentVerdict verdict = { pub->document, REIN_VERIFICATION_VALID, NULL };
  g_autoptr (GError) error = NULL;

  /* Cancelled before anything is stored: nothing is. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (rein_store_add_document (self->store, pub->document, rein_identity_get_id (p->identity), 0,
                               &error) == 0
      || !rein_store_save_verdicts (self->store, &verdict, 1, 0, &error)
      || (pub->job_id != NULL
          && !rein_store_set_order (self->store, pub->job_id, rein_identity_get_id (p->identity),
                                    rein_role_to_name (pub->role),
                                    rein_job_state_to_name (pub->state), &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data; /* our reference */
  ReinPublisher *self = g_task_get_source_object (outer);
  Publish *p = g_task_get_task_data (outer);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  /* Stored: from here on the caller learns what happened, cancelled or
   * not. */
  g_task_set_check_cancellable (outer, FALSE);
  if (!p->push)
    {
      g_clear_pointer (&p->delegate, rein_private_key_free);
      g_task_return_pointer (outer, g_steal_pointer (&p->publication),
                             (GDestroyNotify) rein_publication_free);
      g_object_unref (outer);
      return;
    }
  p->publication->pushed = TRUE;
  p->sync = rein_sync_new (self->store);
  rein_sync_run_async (p->sync, p->identity, p->delegate, g_task_get_cancellable (outer),
                       synced_cb, outer);
  /* The sync keeps its own copy until it ends. */
  g_clear_pointer (&p->delegate, rein_private_key_free);
}

/* ---- 2. validation, on the caller's thread ---- */

/* A rating (python-rein 0.3) is no step of its job: it counts when its
 * job completed with both the rater and the one rated in it. */
static gboolean
validate_rating (Publish *p, ReinDocument *doc, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ReinRating) rating = rein_rating_new_from_document (doc, &local_error);

  if (rating == NULL || !rein_rating_check (rating, p->job, p->directory, &local_error))
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                   _("The new document would not be valid: %s"), local_error->message);
      return FALSE;
    }
  p->publication->job_id = g_strdup (rating->job_id);
  p->publication->state = rein_job_get_state (p->job);
  p->publication->role = rein_job_get_role (p->job,
                                            rein_identity_get_delegate_public_key (p->identity));
  return TRUE;
}

static gboolean
validate (Publish *p, ReinDocument *doc, GError **error)
{
  g_autoptr (GPtrArray) docs = g_ptr_array_new ();
  g_autoptr (ReinJob) check = NULL;
  const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);
  const gchar *reason = NULL;
  gboolean valid = FALSE;
  gboolean found = FALSE;
  const gchar *own_key = rein_identity_get_delegate_public_key (p->identity);

  if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_RATING)
    return validate_rating (p, doc, error);
  if (job_id == NULL)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                           _("The document names no job"));
      return FALSE;
    }
  /* Every reader validates it with the job's other documents: so do we,
   * before anyone sees it. */
  for (guint i = 0; p->job != NULL && i < rein_job_get_n_entries (p->job); i++)
    g_ptr_array_add (docs, rein_job_get_entry (p->job, i, NULL, NULL));
  g_ptr_array_add (docs, doc);
  check = p->job != NULL && rein_job_get_creator_key (p->job) != NULL
            ? rein_job_new_for_creator (job_id, rein_job_get_creator_key (p->job), docs,
                                        p->directory)
            : rein_job_new (job_id, docs, p->directory);
  /* The verdict of the new document itself. A job leaves out what is not
   * its own (another creator's posting) and what it has already (the same
   * text signed again is the same document): then there is no verdict. */
  for (guint i = 0; !found && i < rein_job_get_n_entries (check); i++)
    {
      gboolean entry_valid = FALSE;
      const gchar *entry_reason = NULL;

      if (rein_job_get_entry (check, i, &entry_valid, &entry_reason) == doc)
        {
          found = TRUE;
          valid = entry_valid;
          reason = entry_reason;
        }
    }
  if (!found)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                           _("The new document would not be part of the job (it may be there "
                             "already)"));
      return FALSE;
    }
  if (!valid)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                   _("The new document would not be valid: %s"),
                   reason != NULL ? reason : _("unknown reason"));
      return FALSE;
    }
  p->publication->job_id = g_strdup (job_id);
  p->publication->state = rein_job_get_state (check);
  p->publication->role = rein_job_get_role (check, own_key);
  return TRUE;
}

/* ---- 1. signing, in a worker ---- */

static void
sign_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Publish *p = task_data;
  GError *error = NULL;
  ReinDocument *doc = rein_document_sign (p->text, NULL, p->delegate,
                                          identity_network (p->identity), &error);

  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, g_object_unref);
}

static void
signed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data; /* our reference */
  Publish *p = g_task_get_task_data (outer);
  g_autoptr (GTask) store_task = NULL;
  GError *error = NULL;
  g_autoptr (ReinDocument) doc = g_task_propagate_pointer (G_TASK (result), &error);

  if (doc == NULL || !validate (p, doc, &error))
    {
      g_clear_pointer (&p->delegate, rein_private_key_free);
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  p->publication->document = g_steal_pointer (&doc);
  store_task = g_task_new (g_task_get_source_object (outer), g_task_get_cancellable (outer),
                           stored_cb, outer);
  /* The thread looks at the cancellable before it writes; once written,
   * its result stands. */
  g_task_set_check_cancellable (store_task, FALSE);
  g_task_set_task_data (store_task, p, NULL);
  g_task_run_in_thread (store_task, store_thread);
}

void
rein_publisher_publish_async (ReinPublisher *self,
                              ReinIdentity *identity,
                              const ReinPrivateKey *delegate,
                              ReinJob *job,
                              ReinDirectory *directory,
                              const gchar *text,
                              gboolean push,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task;
  g_autoptr (GTask) sign_task = NULL;
  Publish *p;

  g_return_if_fail (REIN_IS_PUBLISHER (self));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (delegate != NULL);
  g_return_if_fail (job == NULL || REIN_IS_JOB (job));
  g_return_if_fail (directory != NULL);
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_publisher_publish_async);
  p = g_new0 (Publish, 1);
  p->identity = g_object_ref (identity);
  p->delegate = rein_private_key_copy (delegate);
  p->job = job != NULL ? g_object_ref (job) : NULL;
  p->directory = rein_directory_ref (directory);
  p->text = g_strdup (text);
  p->push = push;
  p->publication = g_new0 (ReinPublication, 1);
  g_task_set_task_data (task, p, (GDestroyNotify) publish_free);

  sign_task = g_task_new (self, cancellable, signed_cb, task);
  g_task_set_task_data (sign_task, p, NULL);
  g_task_run_in_thread (sign_task, sign_thread);
}

ReinPublication *
rein_publisher_publish_finish (ReinPublisher *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == rein_publisher_publish_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

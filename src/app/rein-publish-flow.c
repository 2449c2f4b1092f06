/* rein-publish-flow.c: sign and publish from a dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-publish-flow.h"

typedef struct
{
  ReinContext *context;
  ReinIdentity *identity; /* who the text was written for */
  ReinJob *job;
  gchar *text;
  ReinPublishFlowCompleteFunc complete;
  gpointer complete_data;
  GDestroyNotify complete_destroy;
  ReinPrivateKey *key; /* while @complete runs */
} Flow;

static void
flow_free (Flow *f)
{
  g_clear_object (&f->context);
  g_clear_object (&f->identity);
  g_clear_object (&f->job);
  g_free (f->text);
  if (f->complete_destroy != NULL)
    f->complete_destroy (f->complete_data);
  g_clear_pointer (&f->key, rein_private_key_free);
  g_free (f);
}

gboolean
rein_publish_flow_needs_password (ReinContext *context)
{
  g_return_val_if_fail (REIN_IS_CONTEXT (context), TRUE);
  return !rein_session_get_unlocked (rein_context_get_session (context));
}

/* The market shows what we just published without waiting for a
 * refresh: the job, with the new document, goes into the index. */
static void
note_in_market (Flow *f, ReinPublication *publication)
{
  ReinMarketService *market = rein_context_get_market (f->context);
  ReinDirectory *directory = rein_market_service_get_directory (market);
  g_autoptr (GPtrArray) docs = g_ptr_array_new ();
  g_autoptr (ReinJob) job = NULL;

  if (directory == NULL || publication->job_id == NULL)
    return;
  for (guint i = 0; f->job != NULL && i < rein_job_get_n_entries (f->job); i++)
    g_ptr_array_add (docs, rein_job_get_entry (f->job, i, NULL, NULL));
  g_ptr_array_add (docs, publication->document);
  job = f->job != NULL && rein_job_get_creator_key (f->job) != NULL
          ? rein_job_new_for_creator (publication->job_id, rein_job_get_creator_key (f->job), docs,
                                      directory)
          : rein_job_new (publication->job_id, docs, directory);
  rein_market_service_note_job (market, job);
}

static void
published_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  ReinPublication *publication = rein_publisher_publish_finish (REIN_PUBLISHER (source), result,
                                                                &error);

  if (publication == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  note_in_market (g_task_get_task_data (task), publication);
  g_task_return_pointer (task, publication, (GDestroyNotify) rein_publication_free);
}

/* The text names the identity it was reviewed for: another one (a switch
 * while the password was checked) must not sign it. */
static gboolean
still_signer (Flow *f)
{
  ReinSession *session = rein_context_get_session (f->context);
  ReinMarketService *market = rein_context_get_market (f->context);
  ReinIdentity *identity = rein_session_get_active_identity (session);

  return identity != NULL && rein_market_service_get_directory (market) != NULL
         && identity == f->identity && rein_market_service_get_identity (market) == identity;
}

/* Takes @task. */
static void
publish_text (GTask *task, const ReinPrivateKey *key)
{
  Flow *f = g_task_get_task_data (task);
  ReinMarketService *market = rein_context_get_market (f->context);

  if (!still_signer (f))
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               _("The identity changed: nothing was signed"));
      g_object_unref (task);
      return;
    }
  rein_publisher_publish_async (rein_context_get_publisher (f->context), f->identity, key,
                                f->job, rein_market_service_get_directory (market), f->text,
                                TRUE, g_task_get_cancellable (task), published_cb, task);
}

static void
complete_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Flow *f = task_data;
  GError *error = NULL;
  gchar *text = f->complete (f->text, f->key, f->complete_data, &error);

  if (text != NULL && !g_str_has_prefix (text, f->text))
    {
      g_clear_pointer (&text, g_free);
      g_set_error_literal (&error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("The document changed after its review: nothing was signed"));
    }
  if (text == NULL && error == NULL)
    g_set_error_literal (&error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                         _("What is signed with the document could not be made: nothing was "
                           "signed"));
  if (text == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

static void
completed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Flow *f = g_task_get_task_data (task);
  GError *error = NULL;
  gchar *text = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (ReinPrivateKey) key = g_steal_pointer (&f->key);

  if (text == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_free (f->text);
  f->text = text;
  publish_text (task, key); /* the publisher copies the key; ours is wiped here */
}

/* Takes @task. */
static void
publish_with (GTask *task, ReinPrivateKey *key)
{
  Flow *f = g_task_get_task_data (task);
  g_autoptr (GTask) completing = NULL;

  if (f->complete == NULL || !still_signer (f))
    {
      publish_text (task, key);
      return;
    }
  /* what needs the key besides the document's signature, in a thread of
   * its own; then the document */
  f->key = rein_private_key_copy (key);
  completing = g_task_new (NULL, g_task_get_cancellable (task), completed_cb, task);
  g_task_set_source_tag (completing, publish_with);
  g_task_set_check_cancellable (completing, FALSE);
  g_task_set_task_data (completing, f, NULL);
  g_task_run_in_thread (completing, complete_thread);
}

static void
unlocked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr (ReinPrivateKey) key = rein_session_unlock_finish (REIN_SESSION (source), result,
                                                               &error);

  if (key == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  publish_with (task, key); /* the publisher copies the key; ours is wiped here */
}

void
rein_publish_flow_async (ReinContext *context,
                         ReinIdentity *identity,
                         const gchar *password,
                         ReinJob *job,
                         const gchar *text,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  rein_publish_flow_complete_async (context, identity, password, job, text, NULL, NULL, NULL,
                                    cancellable, callback, user_data);
}

void
rein_publish_flow_complete_async (ReinContext *context,
                                  ReinIdentity *identity,
                                  const gchar *password,
                                  ReinJob *job,
                                  const gchar *text,
                                  ReinPublishFlowCompleteFunc complete,
                                  gpointer complete_data,
                                  GDestroyNotify destroy,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task;
  Flow *f;
  ReinSession *session;

  g_return_if_fail (REIN_IS_CONTEXT (context));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (text != NULL);

  task = g_task_new (context, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_publish_flow_async);
  /* The publisher says whether it stored the document; a cancel after that
   * must not hide it. */
  g_task_set_check_cancellable (task, FALSE);
  f = g_new0 (Flow, 1);
  f->context = g_object_ref (context);
  f->identity = g_object_ref (identity);
  f->job = job != NULL ? g_object_ref (job) : NULL;
  f->text = g_strdup (text);
  f->complete = complete;
  f->complete_data = complete_data;
  f->complete_destroy = destroy;
  g_task_set_task_data (task, f, (GDestroyNotify) flow_free);

  session = rein_context_get_session (context);
  if (rein_session_get_active_identity (session) != identity)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               _("The identity changed: nothing was signed"));
      g_object_unref (task);
      return;
    }
  if (rein_session_get_unlocked (session))
    {
      g_autoptr (ReinPrivateKey) key = rein_session_dup_unlocked_key (session);

      publish_with (task, key);
      return;
    }
  if (password == NULL || *password == '\0')
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                               _("Enter your password to sign"));
      g_object_unref (task);
      return;
    }
  /* For this signature only: the session stays locked. */
  rein_session_unlock_async (session, password, FALSE, cancellable, unlocked_cb, task);
}

ReinPublication *
rein_publish_flow_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_publish_flow_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gchar *
rein_publish_flow_describe (ReinPublication *publication, const gchar *what)
{
  guint total = publication->sync_results ? publication->sync_results->len : 0;

  if (publication->sync_error != NULL)
    return g_strdup_printf (_("%s is saved here but was not sent: %s"), what,
                            publication->sync_error);
  if (total == 0)
    return g_strdup_printf (_("%s is saved here; add a server to publish it"), what);
  if (publication->n_servers_ok == 0)
    return g_strdup_printf (_("%s is saved here; no server took it, the next sync tries again"),
                            what);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s published on %u of %u server",
                                       "%s published on %u of %u servers", total),
                          what, publication->n_servers_ok, total);
}

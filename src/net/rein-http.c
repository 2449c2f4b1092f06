/* rein-http.c: one bounded HTTP exchange with an untrusted server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-http.h"

#include "rein-client.h"

#define CHUNK_SIZE (64 * 1024)

typedef struct
{
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  gsize max_answer;

  /* Every step runs under this one: the caller's cancellable and the
   * deadline both cancel it. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *deadline_source;
  guint deadline;
  gboolean timed_out;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  if (ex->caller_handler != 0)
    g_cancellable_disconnect (ex->caller_cancellable, ex->caller_handler);
  g_clear_object (&ex->caller_cancellable);
  if (ex->deadline_source != NULL)
    {
      g_source_destroy (ex->deadline_source);
      g_source_unref (ex->deadline_source);
    }
  g_clear_object (&ex->cancellable);
  g_clear_object (&ex->stream);
  g_clear_object (&ex->msg);
  g_clear_pointer (&ex->body, g_byte_array_unref);
  g_free (ex);
}

void
rein_http_answer_free (ReinHttpAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->content_type);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_free (answer);
}

gchar *
rein_http_answer_dup_text (const ReinHttpAnswer *answer)
{
  gsize len = 0;
  const gchar *data = g_bytes_get_data (answer->body, &len);

  if (len > 0 && (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL)))
    return NULL;
  return g_strndup (data != NULL ? data : "", len);
}

/* A failure of the exchange; a cancellation by the deadline is a timeout,
 * one by the caller stays a cancellation. */
static void
return_failure (GTask *task, GError *error)
{
  Exchange *ex = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && ex->timed_out)
    {
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE,
                               "no complete answer after %u s", ex->deadline);
      g_error_free (error);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE,
                               "unreachable: %s", error->message);
      g_error_free (error);
    }
}

static void
return_too_large (GTask *task)
{
  Exchange *ex = g_task_get_task_data (task);

  g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER,
                           "the answer is larger than %" G_GSIZE_FORMAT " bytes", ex->max_answer);
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next (GTask *task)
{
  Exchange *ex = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (ex->stream, CHUNK_SIZE, G_PRIORITY_DEFAULT, ex->cancellable,
                                   read_cb, task);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) chunk = NULL;
  ReinHttpAnswer *answer;
  const gchar *type;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      return_failure (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (g_bytes_get_size (chunk) > 0)
    {
      if (g_bytes_get_size (chunk) > ex->max_answer - ex->body->len)
        {
          return_too_large (task);
          g_object_unref (task);
          return;
        }
      g_byte_array_append (ex->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      read_next (task);
      return;
    }

  answer = g_new0 (ReinHttpAnswer, 1);
  answer->status = soup_message_get_status (ex->msg);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (ex->msg), NULL);
  answer->content_type = g_strdup (type);
  answer->body = g_byte_array_free_to_bytes (g_steal_pointer (&ex->body));
  g_task_return_pointer (task, answer, (GDestroyNotify) rein_http_answer_free);
  g_object_unref (task);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  goffset declared;

  ex->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (ex->stream == NULL)
    {
      return_failure (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  declared = soup_message_headers_get_content_length (soup_message_get_response_headers (ex->msg));
  if (declared > 0 && (guint64) declared > ex->max_answer)
    {
      return_too_large (task);
      g_object_unref (task);
      return;
    }
  read_next (task);
}

static gboolean
deadline_cb (gpointer data)
{
  Exchange *ex = data;

  ex->timed_out = TRUE;
  g_cancellable_cancel (ex->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

void
rein_http_send_async (SoupSession *session,
                      const gchar *method,
                      const gchar *url,
                      GBytes *body,
                      const gchar *content_type,
                      gsize max_answer,
                      guint deadline,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  GTask *task;
  Exchange *ex;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (method != NULL && url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_http_send_async);
  ex = g_new0 (Exchange, 1);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);
  ex->body = g_byte_array_new ();
  ex->max_answer = max_answer;
  ex->deadline = deadline;

  ex->msg = soup_message_new (method, url);
  if (ex->msg == NULL)
    {
      g_task_return_new_error (task, REIN_NET_ERROR, REIN_NET_ERROR_INVALID,
                               "cannot make a request to this address");
      g_object_unref (task);
      return;
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (ex->msg, content_type, body);

  ex->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      ex->caller_cancellable = g_object_ref (cancellable);
      /* runs at once when already cancelled */
      ex->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                  g_object_ref (ex->cancellable), g_object_unref);
    }
  if (deadline > 0)
    {
      /* milliseconds, for accuracy; a day at most */
      ex->deadline_source = g_timeout_source_new (MIN (deadline, 86400u) * 1000u);
      g_source_set_callback (ex->deadline_source, deadline_cb, ex, NULL);
      g_source_set_static_name (ex->deadline_source, "[rein] http deadline");
      g_source_attach (ex->deadline_source, g_task_get_context (task));
    }
  soup_session_send_async (session, ex->msg, G_PRIORITY_DEFAULT, ex->cancellable, sent_cb, task);
}

ReinHttpAnswer *
rein_http_send_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_http_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

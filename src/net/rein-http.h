/* rein-http.h: one bounded HTTP exchange with an untrusted server
 *
 * The answer is read in chunks up to a size limit, the whole exchange is
 * bounded in time (however slowly the server trickles), and the caller's
 * cancellable stops it. Only transport failures are errors: any HTTP status
 * is returned with its body for the caller to judge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  guint status;
  gchar *content_type; /* may be NULL */
  GBytes *body;        /* never NULL */
} ReinHttpAnswer;

void rein_http_answer_free (ReinHttpAnswer *answer);

/* Sends @method to @url with @body (may be NULL) of @content_type. The
 * answer may hold at most @max_answer bytes; the exchange may take at
 * most @deadline seconds (0 for no limit). Fails with REIN_NET_ERROR
 * (UNREACHABLE for connection failures and the deadline, BAD_ANSWER for
 * an answer over the limit, INVALID for a URL libsoup refuses), or
 * G_IO_ERROR_CANCELLED. Error messages do not name the server: the caller
 * says which one it asked. */
void rein_http_send_async (SoupSession *session,
                           const gchar *method,
                           const gchar *url,
                           GBytes *body,
                           const gchar *content_type,
                           gsize max_answer,
                           guint deadline,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
ReinHttpAnswer *rein_http_send_finish (GAsyncResult *result, GError **error);

/* The answer's body as a NUL-terminated string, or NULL when it holds a
 * NUL byte or is not UTF-8. */
gchar *rein_http_answer_dup_text (const ReinHttpAnswer *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinHttpAnswer, rein_http_answer_free)

G_END_DECLS

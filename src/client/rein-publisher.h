/* rein-publisher.h: every document a user signs goes through here
 *
 * Publishing is one workflow for the app and rein-cli alike: sign the text
 * with the delegate key, check that the job with the new document still
 * validates (PROTOCOL.md section 3, exactly as every reader will check
 * it), store it as ours with its verdict, record our order (role and
 * state), and push it to every server. Signing and the store run in
 * worker threads; validation runs on the caller's thread, because the
 * directory of enrollments belongs to it.
 *
 * A document that would not validate is never stored or pushed. A push
 * that reaches no server still keeps the document: the next sync retries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-client-error.h"
#include "rein-store.h"
#include "rein-sync.h"

G_BEGIN_DECLS

/* What a publication did. */
typedef struct
{
  ReinDocument *document;   /* signed, valid, stored */
  gchar *job_id;
  ReinJobState state;       /* of the job with the new document */
  ReinRole role;            /* ours in that job */
  gboolean pushed;          /* a push was asked for */
  GPtrArray *sync_results;  /* of ReinSyncResult when pushed, else NULL */
  guint n_servers_ok;       /* servers that synced fully */
  gchar *sync_error;        /* why the sync could not run at all, or NULL */
} ReinPublication;

void rein_publication_free (ReinPublication *publication);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPublication, rein_publication_free)

#define REIN_TYPE_PUBLISHER (rein_publisher_get_type ())
G_DECLARE_FINAL_TYPE (ReinPublisher, rein_publisher, REIN, PUBLISHER, GObject)

ReinPublisher *rein_publisher_new (ReinStore *store);

/* Signs @text as @identity with @delegate (copied; the copy is wiped when
 * the call ends), validates it together with @job's documents (NULL for a
 * new job posting) using @directory's enrollments (a reference is kept
 * until the call ends; it is used on the caller's thread), stores it and, with
 * @push, syncs @identity with every server. Fails with
 * REIN_CLIENT_ERROR_INVALID_DOCUMENT when the document would not count, a
 * store error, or G_IO_ERROR_CANCELLED when cancelled before the document
 * is stored (then nothing is). Once it is stored the call succeeds: a push
 * that was cancelled, failed or that no server took is said by the
 * publication's sync_error, n_servers_ok and sync_results. */
void rein_publisher_publish_async (ReinPublisher *self,
                                   ReinIdentity *identity,
                                   const ReinPrivateKey *delegate,
                                   ReinJob *job,
                                   ReinDirectory *directory,
                                   const gchar *text,
                                   gboolean push,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
ReinPublication *rein_publisher_publish_finish (ReinPublisher *self,
                                                GAsyncResult *result,
                                                GError **error);

G_END_DECLS

/* rein-publish-flow.h: sign and publish from a dialog
 *
 * What every signing dialog of the app does once the user has reviewed
 * the exact document: get the delegate key (the one kept since an
 * "unlock for automatic sync", else opened with the password the dialog
 * asked for, for this one signature) and hand the text to the context's
 * publisher. The key is wiped when the call ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-context.h"

G_BEGIN_DECLS

/* TRUE when signing needs a password now (the keys are locked). */
gboolean rein_publish_flow_needs_password (ReinContext *context);

/* Signs as @identity, which must still be the active one (the text was
 * written for it). @password may be NULL when the keys are unlocked. @job
 * is the job the document belongs to (NULL for a new posting). */
void rein_publish_flow_async (ReinContext *context,
                              ReinIdentity *identity,
                              const gchar *password,
                              ReinJob *job,
                              const gchar *text,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
/* What the reviewed @text still needs from the delegate @key before it is
 * signed (the signature of a payment it carries): called in a worker
 * thread, returns the text to sign, which must start with @text. */
typedef gchar *(*ReinPublishFlowCompleteFunc) (const gchar *text,
                                               const ReinPrivateKey *key,
                                               gpointer user_data,
                                               GError **error);

/* rein_publish_flow_async() with @complete run on the text with the key
 * first (in a thread, the key's copy wiped after); nothing is signed or
 * published when it fails. @complete_data is freed with @destroy. */
void rein_publish_flow_complete_async (ReinContext *context,
                                       ReinIdentity *identity,
                                       const gchar *password,
                                       ReinJob *job,
                                       const gchar *text,
                                       ReinPublishFlowCompleteFunc complete,
                                       gpointer complete_data,
                                       GDestroyNotify destroy,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
/* Of either call. */
ReinPublication *rein_publish_flow_finish (GAsyncResult *result, GError **error);

/* "Published on 2 of 3 servers", or why it was only kept here. */
gchar *rein_publish_flow_describe (ReinPublication *publication, const gchar *what);

G_END_DECLS

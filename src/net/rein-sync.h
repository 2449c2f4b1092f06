/* rein-sync.h: pushes an identity's documents to every registered server
 *
 * All servers are synced in parallel; each one in turn registers the
 * identity when needed, takes a nonce, checks every document (a /get of its
 * placement key, compared by hash), puts what is missing or different, and
 * clears the nonce. A server that fails is reported and the others go on;
 * the next sync retries it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-client.h"
#include "rein-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 server_id;
  gchar *url;
  guint total;      /* documents to check */
  guint pushed;     /* put because missing or different */
  guint unchanged;  /* already there, same hash */
  gchar *error;     /* NULL when the server synced fully */
} ReinSyncResult;

void rein_sync_result_free (ReinSyncResult *result);

#define REIN_TYPE_SYNC (rein_sync_get_type ())
G_DECLARE_FINAL_TYPE (ReinSync, rein_sync, REIN, SYNC, GObject)

ReinSync *rein_sync_new (ReinStore *store);

/* Seconds each server call may take (default 20). */
void rein_sync_set_timeout (ReinSync *self, guint seconds);

/* @delegate_key is copied; the copy is wiped when the sync ends. Emits
 * "progress" (url, done, total) as documents are checked. The result is a
 * GPtrArray of ReinSyncResult, one per server, in the store's order. */
void rein_sync_run_async (ReinSync *self,
                          ReinIdentity *identity,
                          const ReinPrivateKey *delegate_key,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
GPtrArray *rein_sync_run_finish (ReinSync *self, GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinSyncResult, rein_sync_result_free)

G_END_DECLS

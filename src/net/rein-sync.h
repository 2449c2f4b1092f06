/* rein-sync.h: pushes an identity's documents to every registered server
 *
 * All servers are synced in parallel; each one in turn registers the
 * identity when needed, takes a nonce, puts what it lacks or holds
 * differently, and clears the nonce. A server that fails is reported and
 * the others go on; the next sync retries it.
 *
 * What a server lacks is known from the placements (which key holds which
 * document there, and the hash last seen under it), not asked document by
 * document:
 * - a document never placed there is put at once under a new random key;
 * - a placement of another version of the document is replaced at once;
 * - a placement whose verified hash is the document's is trusted, except for
 *   a sample checked by a /get of its key and compared by hash: the
 *   max (8, 5%) placements checked (or put) longest ago, ties broken at
 *   random. A checked placement is recorded again, which sends it to the
 *   back of the line, so every placement is checked at least once every
 *   20 syncs (every ceil (n / 8) syncs for n < 160);
 * - when the sample finds a document lost or changed, the server may have
 *   lost others: every placement on it is checked in the same sync, and
 *   what is missing or different is put under its key again;
 * - a server that has to register the identity again (its data was reset)
 *   gets every document put, with no /get.
 * So a server that lost everything has it back after the next sync, and one
 * that lost a single document after at most those 20 syncs; a sync with
 * nothing to put costs the sample's /gets.
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
  guint unchanged;  /* already there, same hash (checked, or trusted) */
  guint checked;    /* compared by a /get in this sync */
  gchar *error;     /* NULL when the server synced fully */
  gboolean unreachable; /* the error was no answer at all (no connection, timeout) */
} ReinSyncResult;

void rein_sync_result_free (ReinSyncResult *result);

#define REIN_TYPE_SYNC (rein_sync_get_type ())
G_DECLARE_FINAL_TYPE (ReinSync, rein_sync, REIN, SYNC, GObject)

ReinSync *rein_sync_new (ReinStore *store);

/* Seconds each server call may take (default 20). */
void rein_sync_set_timeout (ReinSync *self, guint seconds);

/* @delegate_key is copied; the copy is wiped when the sync ends. Syncs of
 * one identity (in one database) run one at a time, in the order asked,
 * across every ReinSync of the process: a second one waits, then lists
 * the documents when it starts. Emits
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

/* rein-store-private.h: what the files of the store share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "rein-store.h"

G_BEGIN_DECLS

struct _ReinStore
{
  GObject parent_instance;

  sqlite3 *db;
  gchar *path;
  gboolean read_only; /* opened for reading: the data folder is not writable */
  /* The connection is shared by the UI thread and workers. SQLite's own
   * mutex serializes single calls only; a transaction, or a statement and
   * the last-insert-rowid or error it leaves behind, belongs to the whole
   * connection. Every public function holds this lock (recursive: they
   * call each other) for its whole duration. */
  GRecMutex lock;
};

gboolean _rein_store_db_error (ReinStore *self, GError **error, const gchar *what);
gboolean _rein_store_exec (ReinStore *self, const gchar *sql, GError **error);
sqlite3_stmt *_rein_store_prepare (ReinStore *self, const gchar *sql, GError **error);
gboolean _rein_store_set_bulk (ReinStore *self, gboolean bulk, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS

/* rein-tx-private.h: the bounded byte reader and the writer that the
 * transaction and PSBT code share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A cursor over untrusted bytes: every read checks what is left. */
typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} ReinReader;

static inline gsize
_rein_reader_left (const ReinReader *r)
{
  return r->len - r->pos;
}

gboolean _rein_reader_bytes (ReinReader *r, gsize n, const guint8 **out);
gboolean _rein_reader_u32 (ReinReader *r, guint32 *out);
gboolean _rein_reader_u64 (ReinReader *r, guint64 *out);
/* Compact size, minimally encoded, as Bitcoin Core reads it. */
gboolean _rein_reader_compact (ReinReader *r, guint64 *out);
/* A witness stack (count, then items) appended to @witness as #GBytes. */
gboolean _rein_reader_witness (ReinReader *r, GPtrArray *witness);

void _rein_append_u32 (GByteArray *out, guint32 v);
void _rein_append_u64 (GByteArray *out, guint64 v);
void _rein_append_compact (GByteArray *out, guint64 v);
gsize _rein_compact_size (guint64 v);

G_END_DECLS

/* rein-encoding.h: hex, base58 and base58check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *rein_hex_encode (const guint8 *data, gsize len);
/* Decodes an even-length hex string (either case). Returns NULL and sets
 * @error on anything else. */
guint8 *rein_hex_decode (const gchar *hex, gsize *out_len, GError **error);
/* Decodes exactly @len bytes into @out. */
gboolean rein_hex_decode_fixed (const gchar *hex, guint8 *out, gsize len, GError **error);

gchar *rein_base58_encode (const guint8 *data, gsize len);
guint8 *rein_base58_decode (const gchar *str, gsize *out_len, GError **error);

/* Encodes @data followed by its 4-byte double-SHA256 checksum. */
gchar *rein_base58check_encode (const guint8 *data, gsize len);
/* Returns the payload without the checksum. */
guint8 *rein_base58check_decode (const gchar *str, gsize *out_len, GError **error);

/* At most @max_chars characters of @text for a message: valid UTF-8
 * (invalid bytes replaced), control characters as U+FFFD, and "…" when
 * it was cut, never inside a character. */
gchar *rein_text_excerpt (const gchar *text, gsize max_chars);

G_END_DECLS

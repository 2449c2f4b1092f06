/* rein-market-private.h: internals shared by the market sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-document.h"

G_BEGIN_DECLS

/* The pieces of an armored document. */
typedef struct
{
  gchar *text;     /* the signed text, "\r\n" turned into "\n" */
  gsize text_len;
  gchar *address;
  gchar *signature; /* canonical base64 */
  guint8 sig[REIN_COMPACT_SIGNATURE_LEN];
} ReinArmorParts;

gboolean _rein_armor_split (const gchar *armored,
                            gsize len,
                            ReinArmorParts *parts,
                            GError **error);
void _rein_armor_parts_clear (ReinArmorParts *parts);

/* Checks that @len bytes are valid UTF-8 without NUL or control characters
 * (tab and line feed allowed; carriage return only before a line feed). */
gboolean _rein_text_check (const gchar *text, gsize len, GError **error);

/* rein_document_text_parse(), skipping the character checks when @checked
 * says that _rein_text_check() passed already. */
gboolean _rein_document_text_parse (const gchar *text,
                                    gsize len,
                                    gboolean checked,
                                    gchar **out_title,
                                    GPtrArray **out_fields,
                                    GError **error);

/* TRUE when @str (NUL-terminated) is a one-line value: valid UTF-8, no
 * newline and no control character but tab. */
gboolean _rein_is_one_line (const gchar *str);

G_END_DECLS

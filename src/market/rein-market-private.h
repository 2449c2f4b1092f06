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
  gssize text_offset; /* where @text is in the armored text, byte for byte;
                       * -1 when it is not (it had "\r\n") */
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

/* The lenient reading of a signed text without a Rein title: every line
 * that is a "Label: value" line (outside [@skip_start, @skip_end), where a
 * wrapped message sits) becomes a field, other lines are only text. The
 * first line is the title when it is not a label line. @text passed
 * _rein_text_check() and holds at most REIN_DOCUMENT_MAX_SIZE bytes. */
void _rein_document_text_parse_any (const gchar *text,
                                    gsize len,
                                    gsize skip_start,
                                    gsize skip_end,
                                    gchar **out_title,
                                    GPtrArray **out_fields);

/* Finds a dash-escaped armored message in a signed text: the first escaped
 * header line, RFC 4880 style ("- -----BEGIN ...") or the old Rein style
 * ("- ----BEGIN ...", the first dash turned into "- "), up to its footer.
 * Returns the unescaped armored message and the byte range of its lines in
 * @text; FALSE when there is none. The result is never longer than @text. */
gboolean _rein_wrapped_find (const gchar *text,
                             gsize len,
                             gsize *out_start,
                             gsize *out_end,
                             gchar **out_armored,
                             gsize *out_armored_len);

/* TRUE when @str (NUL-terminated) is a one-line value: valid UTF-8, no
 * newline and no control character but tab. */
gboolean _rein_is_one_line (const gchar *str);

/* The bytes @doc's signature signs (*@out_len of them, no NUL after them
 * necessarily), without the copy rein_document_get_text() makes. */
const gchar *_rein_document_get_signed_text (ReinDocument *doc, gsize *out_len);

G_END_DECLS

/* rein-qr.c: QR codes of payment requests, and PNG files of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "rein-amount.h"
#include "rein-bitcoin-error.h"

#define QUIET_ZONE 4
#define MAX_SCALE 32

ReinQr *
rein_qr_encode (const gchar *text, GError **error)
{
  QRcode *code;
  ReinQr *qr;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  len = strlen (text);
  if (len == 0 || len > REIN_QR_MAX_TEXT)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "a QR code holds 1 to %d bytes of text, not %" G_GSIZE_FORMAT,
                   REIN_QR_MAX_TEXT, len);
      return NULL;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                           "the text of a QR code must be UTF-8");
      return NULL;
    }
  code = QRcode_encodeData ((int) len, (const unsigned char *) text, 0, QR_ECLEVEL_M);
  if (code == NULL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED,
                   "could not make a QR code: %s",
                   errno == ERANGE ? "the text is too long" : g_strerror (errno));
      return NULL;
    }
  qr = g_new0 (ReinQr, 1);
  qr->size = (guint) code->width;
  qr->modules = g_malloc ((gsize) qr->size * qr->size);
  /* libqrencode's bit 0 is the module's colour; the others say what it
   * belongs to */
  for (gsize i = 0; i < (gsize) qr->size * qr->size; i++)
    qr->modules[i] = code->data[i] & 1;
  QRcode_free (code);
  return qr;
}

void
rein_qr_free (ReinQr *qr)
{
  if (qr == NULL)
    return;
  g_free (qr->modules);
  g_free (qr);
}

gboolean
rein_qr_is_dark (const ReinQr *qr, guint x, guint y)
{
  g_return_val_if_fail (qr != NULL, FALSE);

  if (x >= qr->size || y >= qr->size)
    return FALSE;
  return qr->modules[(gsize) y * qr->size + x] != 0;
}

/* ---- PNG ---- */

static guint32
crc32_update (guint32 crc, const guint8 *data, gsize len)
{
  static guint32 table[256];
  static gsize table_ready = 0;

  if (g_once_init_enter (&table_ready))
    {
      for (guint32 n = 0; n < 256; n++)
        {
          guint32 c = n;

          for (guint k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
          table[n] = c;
        }
      g_once_init_leave (&table_ready, 1);
    }
  crc ^= 0xffffffffu;
  for (gsize i = 0; i < len; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

static void
append_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (out, b, 4);
}

/* A PNG chunk: length, type, data, CRC of type and data. */
static void
append_chunk (GByteArray *out, const gchar type[4], const guint8 *data, gsize len)
{
  guint32 crc;

  append_be32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len);
  append_be32 (out, crc);
}

static GBytes *
zlib_compress (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) stream = NULL;

  stream = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  if (!g_output_stream_write_all (stream, data, len, NULL, NULL, error)
      || !g_output_stream_close (stream, NULL, error))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

GBytes *
rein_qr_to_png (const ReinQr *qr, guint scale, GError **error)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr (GByteArray) raw = NULL;
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GBytes) idat = NULL;
  guint8 header[13];
  guint side, row_bytes;

  g_return_val_if_fail (qr != NULL, NULL);

  if (scale < 1 || scale > MAX_SCALE)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED,
                   "a QR code is drawn at 1 to %d pixels a module, not %u", MAX_SCALE, scale);
      return NULL;
    }
  side = (qr->size + 2 * QUIET_ZONE) * scale;
  row_bytes = (side + 7) / 8;

  /* one bit a pixel, 1 white: every row starts with filter type 0 */
  raw = g_byte_array_sized_new ((1 + row_bytes) * side);
  for (guint y = 0; y < side; y++)
    {
      guint8 filter = 0;
      guint my = y / scale;

      g_byte_array_append (raw, &filter, 1);
      for (guint byte = 0; byte < row_bytes; byte++)
        {
          guint8 bits = 0;

          for (guint bit = 0; bit < 8; bit++)
            {
              guint x = byte * 8 + bit;
              guint mx = x / scale;
              gboolean dark = x < side && my >= QUIET_ZONE && mx >= QUIET_ZONE
                              && rein_qr_is_dark (qr, mx - QUIET_ZONE, my - QUIET_ZONE);

              if (!dark)
                bits |= 0x80 >> bit;
            }
          g_byte_array_append (raw, &bits, 1);
        }
    }
  idat = zlib_compress (raw->data, raw->len, error);
  if (idat == NULL)
    return NULL;

  png = g_byte_array_new ();
  g_byte_array_append (png, signature, sizeof signature);
  header[0] = side >> 24;
  header[1] = (side >> 16) & 0xff;
  header[2] = (side >> 8) & 0xff;
  header[3] = side & 0xff;
  memcpy (header + 4, header, 4); /* as high as wide */
  header[8] = 1;   /* bit depth */
  header[9] = 0;   /* greyscale */
  header[10] = 0;  /* deflate */
  header[11] = 0;  /* adaptive filtering */
  header[12] = 0;  /* no interlace */
  append_chunk (png, "IHDR", header, sizeof header);
  append_chunk (png, "IDAT", g_bytes_get_data (idat, NULL), g_bytes_get_size (idat));
  append_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* ---- BIP21 ---- */

gchar *
rein_bip21_uri (const gchar *address, gint64 amount, const gchar *label, const gchar *message)
{
  GString *uri;
  gchar sep = '?';

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (amount >= 0, NULL);

  uri = g_string_new ("bitcoin:");
  g_string_append (uri, address);
  if (amount > 0)
    {
      g_autofree gchar *btc = rein_amount_format_btc (amount);

      g_string_append_printf (uri, "%camount=%s", sep, btc);
      sep = '&';
    }
  if (label != NULL && *label != '\0')
    {
      g_autofree gchar *escaped = g_uri_escape_string (label, NULL, FALSE);

      g_string_append_printf (uri, "%clabel=%s", sep, escaped);
      sep = '&';
    }
  if (message != NULL && *message != '\0')
    {
      g_autofree gchar *escaped = g_uri_escape_string (message, NULL, FALSE);

      g_string_append_printf (uri, "%cmessage=%s", sep, escaped);
    }
  return g_string_free (uri, FALSE);
}

/* rein-encoding.c: hex, base58 and base58check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-bitcoin-error.h"
#include "rein-encoding.h"
#include "rein-hash.h"

/* Inputs longer than this are not Bitcoin data; refusing them keeps the
 * quadratic base58 conversion cheap on hostile input. */
#define BASE58_MAX_INPUT 1024

static const gchar hex_digits[] = "0123456789abcdef";
static const gchar b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

gchar *
rein_hex_encode (const guint8 *data, gsize len)
{
  gchar *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = hex_digits[data[i] >> 4];
      out[2 * i + 1] = hex_digits[data[i] & 0x0f];
    }
  out[len * 2] = '\0';
  return out;
}

static gboolean
decode_hex_into (const gchar *hex, gsize hex_len, guint8 *out, GError **error)
{
  for (gsize i = 0; i < hex_len; i += 2)
    {
      gint hi = g_ascii_xdigit_value (hex[i]);
      gint lo = g_ascii_xdigit_value (hex[i + 1]);

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                       "Invalid hex digit at position %" G_GSIZE_FORMAT, hi < 0 ? i : i + 1);
          return FALSE;
        }
      out[i / 2] = (guint8) ((hi << 4) | lo);
    }
  return TRUE;
}

guint8 *
rein_hex_decode (const gchar *hex, gsize *out_len, GError **error)
{
  g_autofree guint8 *out = NULL;
  gsize hex_len;

  g_return_val_if_fail (hex != NULL, NULL);

  hex_len = strlen (hex);
  if (hex_len % 2 != 0)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                           "Hex string has an odd number of digits");
      return NULL;
    }
  out = g_malloc (hex_len / 2 + 1);
  if (!decode_hex_into (hex, hex_len, out, error))
    return NULL;
  if (out_len)
    *out_len = hex_len / 2;
  return g_steal_pointer (&out);
}

gboolean
rein_hex_decode_fixed (const gchar *hex, guint8 *out, gsize len, GError **error)
{
  g_return_val_if_fail (hex != NULL, FALSE);

  if (strlen (hex) != len * 2)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "Expected %" G_GSIZE_FORMAT " hex digits, got %" G_GSIZE_FORMAT,
                   len * 2, strlen (hex));
      return FALSE;
    }
  return decode_hex_into (hex, len * 2, out, error);
}

gchar *
rein_base58_encode (const guint8 *data, gsize len)
{
  g_autofree guint8 *digits = NULL;
  gsize zeros = 0, size, high, out_len = 0;
  gchar *out;

  while (zeros < len && data[zeros] == 0)
    zeros++;

  /* log(256) / log(58) < 1.38 */
  size = (len - zeros) * 138 / 100 + 1;
  digits = g_malloc0 (size);
  high = size;
  for (gsize i = zeros; i < len; i++)
    {
      guint carry = data[i];
      gsize j = size;

      while (j > 0 && (j > high || carry != 0))
        {
          j--;
          carry += 256u * digits[j];
          digits[j] = carry % 58;
          carry /= 58;
        }
      high = j;
    }

  {
    gsize skip = 0;

    while (skip < size && digits[skip] == 0)
      skip++;
    out = g_malloc (zeros + (size - skip) + 1);
    for (gsize i = 0; i < zeros; i++)
      out[out_len++] = '1';
    for (gsize i = skip; i < size; i++)
      out[out_len++] = b58_alphabet[digits[i]];
    out[out_len] = '\0';
  }
  rein_memwipe (digits, size);
  return out;
}

static gint
b58_value (gchar c)
{
  const gchar *p;

  if (c == '\0')
    return -1;
  p = strchr (b58_alphabet, c);
  return p ? (gint) (p - b58_alphabet) : -1;
}

guint8 *
rein_base58_decode (const gchar *str, gsize *out_len, GError **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize len, zeros = 0, size, skip = 0;
  guint8 *out;

  g_return_val_if_fail (str != NULL, NULL);

  len = strlen (str);
  if (len > BASE58_MAX_INPUT)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                           "Base58 string is too long");
      return NULL;
    }
  while (zeros < len && str[zeros] == '1')
    zeros++;

  /* log(58) / log(256) < 0.733 */
  size = (len - zeros) * 733 / 1000 + 1;
  bytes = g_malloc0 (size);
  for (gsize i = zeros; i < len; i++)
    {
      gint value = b58_value (str[i]);
      guint carry;

      if (value < 0)
        {
          g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                       "Invalid base58 character at position %" G_GSIZE_FORMAT, i);
          return NULL;
        }
      carry = (guint) value;
      for (gsize j = size; j > 0; j--)
        {
          carry += 58u * bytes[j - 1];
          bytes[j - 1] = carry & 0xff;
          carry >>= 8;
        }
      g_assert (carry == 0);
    }

  while (skip < size && bytes[skip] == 0)
    skip++;
  out = g_malloc (zeros + (size - skip) + 1);
  memset (out, 0, zeros);
  memcpy (out + zeros, bytes + skip, size - skip);
  rein_memwipe (bytes, size);
  if (out_len)
    *out_len = zeros + (size - skip);
  return out;
}

gchar *
rein_base58check_encode (const guint8 *data, gsize len)
{
  g_autofree guint8 *buf = g_malloc (len + 4);
  guint8 check[REIN_SHA256_LEN];
  gchar *out;

  memcpy (buf, data, len);
  rein_sha256d (data, len, check);
  memcpy (buf + len, check, 4);
  out = rein_base58_encode (buf, len + 4);
  rein_memwipe (buf, len + 4);
  return out;
}

guint8 *
rein_base58check_decode (const gchar *str, gsize *out_len, GError **error)
{
  g_autofree guint8 *raw = NULL;
  guint8 check[REIN_SHA256_LEN];
  gsize raw_len = 0;

  raw = rein_base58_decode (str, &raw_len, error);
  if (raw == NULL)
    return NULL;
  if (raw_len < 5)
    {
      rein_memwipe (raw, raw_len);
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                           "Base58check string is too short");
      return NULL;
    }
  rein_sha256d (raw, raw_len - 4, check);
  if (memcmp (check, raw + raw_len - 4, 4) != 0)
    {
      rein_memwipe (raw, raw_len);
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_BAD_CHECKSUM,
                           "Base58check checksum does not match");
      return NULL;
    }
  rein_memwipe (raw + raw_len - 4, 4);
  if (out_len)
    *out_len = raw_len - 4;
  return g_steal_pointer (&raw);
}

gchar *
rein_text_excerpt (const gchar *text, gsize max_chars)
{
  g_autofree gchar *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  gsize n = 0;

  for (const gchar *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c))
        c = 0xfffd;
      g_string_append_unichar (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* rein-amount.c: Bitcoin amounts, exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "rein-amount.h"
#include "rein-bitcoin-error.h"
#include "rein-encoding.h"

#define MAX_QUOTED 40

typedef enum
{
  WRONG_FORM,     /* not digits with at most one point */
  WRONG_DECIMALS, /* more than 8 */
  WRONG_ZERO,
  WRONG_NEGATIVE,
  WRONG_TOO_MUCH, /* more than there will ever be */
} Wrong;

static gboolean
amount_error (const gchar *text, Wrong wrong, GError **error)
{
  g_autofree gchar *quoted = NULL;
  g_autofree gchar *cut = NULL;

  if (text == NULL)
    text = "";
  /* Cut on a character boundary; never quote megabytes back. */
  if (g_utf8_validate (text, -1, NULL) && g_utf8_strlen (text, -1) > MAX_QUOTED)
    {
      cut = g_utf8_substring (text, 0, MAX_QUOTED);
      quoted = g_strconcat (cut, "…", NULL);
    }
  else if (!g_utf8_validate (text, -1, NULL))
    quoted = g_strdup ("?");
  else
    quoted = g_strdup (text);
  switch (wrong)
    {
    case WRONG_DECIMALS:
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "“%s” has more than 8 decimals: the smallest amount is 0.00000001 BTC "
                   "(1 satoshi)",
                   quoted);
      break;
    case WRONG_ZERO:
    case WRONG_NEGATIVE:
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "“%s” is not more than zero: an amount is at least 0.00000001 BTC", quoted);
      break;
    case WRONG_TOO_MUCH:
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "“%s” is more than 21000000 BTC, all the bitcoin there will ever be",
                   quoted);
      break;
    case WRONG_FORM:
    default:
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "“%s” is not an amount in BTC (digits with at most 8 decimals, e.g. 0.05)",
                   quoted);
      break;
    }
  return FALSE;
}

gboolean
rein_amount_parse_btc (const gchar *text, gint64 *out_satoshis, GError **error)
{
  const gchar *p = text;
  const gchar *end;
  gint64 whole = 0;
  gint64 fraction = 0;
  guint whole_digits = 0;
  gboolean any_digit = FALSE;
  guint decimals = 0;
  gint64 total;

  g_return_val_if_fail (out_satoshis != NULL, FALSE);

  if (text == NULL)
    return amount_error (text, WRONG_FORM, error);
  while (*p == ' ' || *p == '\t')
    p++;
  end = p + strlen (p);
  while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  /* said apart, but refused all the same */
  if (p < end && *p == '-' && p + 1 < end && g_ascii_isdigit (p[1]))
    return amount_error (text, WRONG_NEGATIVE, error);

  for (; p < end && g_ascii_isdigit (*p); p++)
    {
      /* 21 million fits in 8 digits; leading zeros do not count. */
      if (whole_digits > 0 || *p != '0')
        whole_digits++;
      /* (more is too much, if the rest is an amount at all: said below) */
      if (whole_digits <= 8)
        whole = whole * 10 + (*p - '0');
      any_digit = TRUE;
    }
  /* At least one digit before the point: ".5" and "" are refused. */
  if (!any_digit)
    return amount_error (text, WRONG_FORM, error);
  if (p < end)
    {
      if (*p != '.')
        return amount_error (text, WRONG_FORM, error);
      p++;
      for (; p < end && g_ascii_isdigit (*p); p++)
        {
          if (++decimals > 8)
            {
              /* digits to the end: too precise, not malformed */
              while (p < end && g_ascii_isdigit (*p))
                p++;
              return amount_error (text, p == end ? WRONG_DECIMALS : WRONG_FORM, error);
            }
          fraction = fraction * 10 + (*p - '0');
        }
      if (p != end || decimals == 0)
        return amount_error (text, WRONG_FORM, error);
      for (guint i = decimals; i < 8; i++)
        fraction *= 10;
    }

  if (whole_digits > 8)
    return amount_error (text, WRONG_TOO_MUCH, error);
  total = whole * REIN_SATOSHIS_PER_BTC + fraction;
  if (total <= 0)
    return amount_error (text, WRONG_ZERO, error);
  if (total > REIN_MAX_SATOSHIS)
    return amount_error (text, WRONG_TOO_MUCH, error);
  *out_satoshis = total;
  return TRUE;
}

gboolean
rein_amount_parse_btc_typed (const gchar *text, gint64 *out_satoshis, GError **error)
{
  g_autoptr (GString) exact = NULL;
  const gchar *point;

  g_return_val_if_fail (out_satoshis != NULL, FALSE);

  if (text == NULL)
    return rein_amount_parse_btc (text, out_satoshis, error);
  exact = g_string_new (text);
  /* the same spaces as rein_amount_parse_btc() */
  while (exact->len > 0 && (exact->str[exact->len - 1] == ' ' || exact->str[exact->len - 1] == '\t'))
    g_string_truncate (exact, exact->len - 1);
  while (exact->len > 0 && (exact->str[0] == ' ' || exact->str[0] == '\t'))
    g_string_erase (exact, 0, 1);
  if (exact->len > 0 && exact->str[0] == '.')
    g_string_prepend_c (exact, '0');
  if (exact->len > 0 && exact->str[exact->len - 1] == '.')
    g_string_truncate (exact, exact->len - 1);
  point = strchr (exact->str, '.');
  if (point != NULL)
    {
      gsize decimals_at = point - exact->str + 1;

      while (exact->len > decimals_at + 8 && exact->str[exact->len - 1] == '0')
        g_string_truncate (exact, exact->len - 1);
    }
  if (rein_amount_parse_btc (exact->str, out_satoshis, NULL))
    return TRUE;
  /* what is wrong, said of what was typed */
  return rein_amount_parse_btc (text, out_satoshis, error);
}

gchar *
rein_amount_format_btc (gint64 satoshis)
{
  gboolean negative = satoshis < 0;
  guint64 magnitude = negative ? (guint64) 0 - (guint64) satoshis : (guint64) satoshis;
  guint64 whole = magnitude / (guint64) REIN_SATOSHIS_PER_BTC;
  guint64 fraction = magnitude % (guint64) REIN_SATOSHIS_PER_BTC;
  gchar digits[9];
  gint len = 8;

  if (fraction == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, negative ? "-" : "", whole);
  g_snprintf (digits, sizeof digits, "%08" G_GUINT64_FORMAT, fraction);
  while (len > 1 && digits[len - 1] == '0')
    len--;
  digits[len] = '\0';
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%s", negative ? "-" : "", whole, digits);
}

#ifndef __SIZEOF_INT128__
#error "rein_amount_percent_of needs a 128-bit integer type (GCC or Clang on a 64-bit target)"
#endif

gboolean
rein_amount_percent_of (gint64 amount, const gchar *percent, gint64 *out_share, GError **error)
{
  const gchar *p = percent;
  guint64 scaled = 0; /* the percentage times 10^8 */
  guint whole_digits = 0, decimals = 0;
  unsigned __int128 product;

  g_return_val_if_fail (amount >= 0 && amount <= REIN_MAX_SATOSHIS, FALSE);
  g_return_val_if_fail (out_share != NULL, FALSE);

  if (p == NULL)
    p = "";
  while (*p == ' ')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (++whole_digits > 3)
        break;
      scaled = scaled * 10 + (guint64) (*p - '0');
    }
  if (whole_digits > 0 && whole_digits <= 3 && *p == '.')
    for (p++; g_ascii_isdigit (*p) && decimals < 9; p++)
      {
        decimals++;
        scaled = scaled * 10 + (guint64) (*p - '0');
      }
  for (guint i = decimals; i < 8; i++)
    scaled *= 10;
  while (*p == ' ')
    p++;
  if (*p == '%')
    p++;
  while (*p == ' ')
    p++;
  if (whole_digits == 0 || whole_digits > 3 || decimals > 8 || *p != '\0'
      || scaled > G_GUINT64_CONSTANT (10000000000))
    {
      g_autofree gchar *shown = rein_text_excerpt (percent, 40);

      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                   "“%s” is not a percentage from 0 to 100 (e.g. 1.5%%)", shown);
      return FALSE;
    }
  /* amount × percent / 100, to the nearest satoshi, halves rounded up */
  product = (unsigned __int128) amount * scaled + G_GUINT64_CONSTANT (5000000000);
  *out_share = (gint64) (product / G_GUINT64_CONSTANT (10000000000));
  return TRUE;
}

/* test-amount.c: BTC amounts parsed and formatted exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-bitcoin.h"

static void
test_parse_good (void)
{
  const struct
  {
    const gchar *text;
    gint64 satoshis;
  } cases[] = {
    { "0.05", 5000000 },
    { "1", 100000000 },
    { "0.1", 10000000 },   /* not 9999999.99... */
    { "0.3", 30000000 },
    { "1.00000001", 100000001 },
    { "0.00000001", 1 },
    { " 2.5 ", 250000000 },
    { "0021", G_GINT64_CONSTANT (2100000000) },
    { "21000000", G_GINT64_CONSTANT (2100000000000000) },
    { "20999999.99999999", G_GINT64_CONSTANT (2099999999999999) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 sats = -1;

      g_assert_true (rein_amount_parse_btc (cases[i].text, &sats, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sats, ==, cases[i].satoshis);
    }
}

static void
test_parse_bad (void)
{
  const gchar *bad[] = {
    "", " ", "0", "0.0", "0.00000000", ".5", "1.", "-1", "+1", "1e3", "1,5", "0.000000001",
    "21000000.00000001", "100000000", "abc", "1.2.3", "0x10", "1 000", "١", "1.5btc",
    "99999999999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 sats = -7;

      g_assert_false (rein_amount_parse_btc (bad[i], &sats, &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
      g_assert_cmpint (sats, ==, -7);
      g_assert_nonnull (strstr (error->message, "BTC"));
    }
  {
    g_autoptr (GError) error = NULL;
    gint64 sats;
    g_autofree gchar *longer = g_strnfill (5000, '9');

    g_assert_false (rein_amount_parse_btc (NULL, &sats, &error));
    g_clear_error (&error);
    /* A long text is not quoted back whole. */
    g_assert_false (rein_amount_parse_btc (longer, &sats, &error));
    g_assert_cmpuint (strlen (error->message), <, 200);
  }
  /* what is wrong, said: too precise, zero or less, too much, or no amount */
  {
    const struct
    {
      const gchar *text;
      const gchar *says;
    } why[] = {
      { "0.000000001", "has more than 8 decimals" },
      { "1.123456789", "has more than 8 decimals" },
      { "0", "is not more than zero" },
      { "0.00000000", "is not more than zero" },
      { "-0.5", "is not more than zero" },
      { "21000000.00000001", "is more than 21000000 BTC" },
      { "21000001", "is more than 21000000 BTC" },
      { "100000000", "is more than 21000000 BTC" },
      { "1.2.3", "is not an amount in BTC" },
      { "1.123456789x", "is not an amount in BTC" },
      { "-", "is not an amount in BTC" },
      { "1e-3", "is not an amount in BTC" },
      { "123456789abc", "is not an amount in BTC" },
      { "123456789.5", "is more than 21000000 BTC" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (why); i++)
      {
        g_autoptr (GError) error = NULL;
        gint64 sats;

        g_assert_false (rein_amount_parse_btc (why[i].text, &sats, &error));
        g_test_message ("%s: %s", why[i].text, error->message);
        g_assert_nonnull (strstr (error->message, why[i].says));
      }
  }
}

/* What a person types: the strict forms, and the exact ones documents do
 * not use; never an amount that is not exactly what was typed. */
static void
test_parse_typed (void)
{
  const struct
  {
    const gchar *text;
    gint64 satoshis; /* -1: refused */
  } cases[] = {
    { "0.05", 5000000 },
    { ".5", 50000000 },
    { " .01 ", 1000000 },
    { "1.", 100000000 },
    { "21000000.", G_GINT64_CONSTANT (2100000000000000) },
    { "0.010000000", 1000000 },
    { "0.01000000000000000000", 1000000 },
    { "1.000000010", 100000001 },
    { ".", -1 },
    { "0.", -1 },
    { ".0", -1 },
    { "0.000000000", -1 },
    { "0.0000000010", -1 }, /* a ninth decimal that is not zero */
    { "0.000000001", -1 },
    { "1..", -1 },
    { "..5", -1 },
    { "-.5", -1 },
    { "1,5", -1 },
    { "1e-3", -1 },
    { "", -1 },
    { "21000000.00000001", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 sats = -7;
      gboolean ok = rein_amount_parse_btc_typed (cases[i].text, &sats, &error);

      g_test_message ("“%s”", cases[i].text);
      if (cases[i].satoshis >= 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (sats, ==, cases[i].satoshis);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
          g_assert_cmpint (sats, ==, -7);
          /* said of what was typed */
          g_assert_nonnull (strstr (error->message, cases[i].text));
        }
    }
}

static void
test_format (void)
{
  const struct
  {
    gint64 satoshis;
    const gchar *text;
  } cases[] = {
    { 5000000, "0.05" }, { 100000000, "1" }, { 1, "0.00000001" }, { 0, "0" },
    { 123456789, "1.23456789" }, { 250000000, "2.5" }, { -150000000, "-1.5" },
    { REIN_MAX_SATOSHIS, "21000000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *text = rein_amount_format_btc (cases[i].satoshis);
      gint64 back = 0;

      g_assert_cmpstr (text, ==, cases[i].text);
      if (cases[i].satoshis > 0)
        {
          g_assert_true (rein_amount_parse_btc (text, &back, NULL));
          g_assert_cmpint (back, ==, cases[i].satoshis);
        }
    }
}

static void
test_percent_of (void)
{
  struct
  {
    gint64 amount;
    const gchar *percent;
    gint64 share;
  } good[] = {
    { 10000000, "1.0%", 100000 },
    { 10000000, "1", 100000 },
    { 10000000, " 2.5 % ", 250000 },
    { 333, "10%", 33 },                /* 33.3 */
    { 335, "10%", 34 },                /* 33.5: halves up */
    { 1, "49.99999999%", 0 },
    { 1, "50%", 1 },
    { 12345678, "0.00000001%", 0 },
    { REIN_MAX_SATOSHIS, "100%", REIN_MAX_SATOSHIS },
    { REIN_MAX_SATOSHIS, "99.99999999%", 2099999999790000 }, /* minus 2.1e15 × 1e-10 */
    { 0, "5%", 0 },
  };
  const gchar *bad[] = { "", "%", "-1%", "100.00000001%", "101", "1.5%%", "1,5%", ".5%",
                         "1.123456789%", "1e2", "0x10", "1000%", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 share = -1;

      g_assert_true (rein_amount_percent_of (good[i].amount, good[i].percent, &share, &error));
      g_assert_no_error (error);
      g_assert_cmpint (share, ==, good[i].share);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 share = -1;

      g_assert_false (rein_amount_percent_of (100, bad[i], &share, &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
      g_assert_cmpint (share, ==, -1);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bitcoin/amount/parse-good", test_parse_good);
  g_test_add_func ("/bitcoin/amount/parse-bad", test_parse_bad);
  g_test_add_func ("/bitcoin/amount/parse-typed", test_parse_typed);
  g_test_add_func ("/bitcoin/amount/format", test_format);
  g_test_add_func ("/bitcoin/amount/percent-of", test_percent_of);
  return g_test_run ();
}

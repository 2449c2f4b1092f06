/* test-qr.c: QR codes and BIP21 URIs, read back by an independent reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rein-bitcoin.h"

/* What zbarimg (zbar-tools) reads in @png. */
static gchar *
zbar_read (GBytes *png)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-qr-XXXXXX", &error);
  g_autofree gchar *path = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;
  const gchar *argv[] = { "zbarimg", "--raw", "-q", NULL, NULL };

  g_assert_no_error (error);
  path = g_build_filename (dir, "code.png", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), &error));
  argv[3] = path;
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("zbarimg could not read the code: %s", err);
  /* one line a code */
  g_assert_true (g_str_has_suffix (out, "\n"));
  out[strlen (out) - 1] = '\0';
  return g_steal_pointer (&out);
}

static void
test_qr_roundtrip (void)
{
  g_autofree gchar *uri = rein_bip21_uri ("2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm", 1000000,
                                          "Rein escrow: Logo for Bob & Co", NULL);
  g_autofree gchar *long_text = NULL;
  g_autofree gchar *zbarimg = NULL;
  const gchar *texts[4];

  zbarimg = g_find_program_in_path ("zbarimg");
  if (zbarimg == NULL)
    g_error ("zbarimg is needed: build-aux/install-deps.sh installs zbar-tools");

  long_text = g_strnfill (1200, 'x');
  memcpy (long_text, "bitcoin:", 8);
  texts[0] = uri;
  texts[1] = "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
  texts[2] = long_text;
  texts[3] = "0";
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    for (guint scale = 1; scale <= 8; scale += 7)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (ReinQr) qr = rein_qr_encode (texts[i], &error);
        g_autoptr (GBytes) png = NULL;
        g_autofree gchar *read = NULL;
        const guint8 *data;

        g_assert_no_error (error);
        g_assert_cmpuint (qr->size, >=, 21);
        g_assert_cmpuint ((qr->size - 17) % 4, ==, 0); /* versions: 21, 25, ... 177 */
        png = rein_qr_to_png (qr, scale, &error);
        g_assert_no_error (error);
        data = g_bytes_get_data (png, NULL);
        g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
        /* IHDR: width and height with the 4-module quiet zone */
        g_assert_cmpuint ((guint) data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19], ==,
                          (qr->size + 8) * scale);
        if (scale == 1)
          continue; /* one pixel a module is a file for scaling up, not for a camera */
        read = zbar_read (png);
        g_assert_cmpstr (read, ==, texts[i]);
      }
}

static void
test_qr_limits (void)
{
  g_autofree gchar *too_long = g_strnfill (REIN_QR_MAX_TEXT + 1, 'a');
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinQr) qr = rein_qr_encode (too_long, &error);
  g_autoptr (ReinQr) small = NULL;
  g_autoptr (GBytes) png = NULL;

  g_assert_null (qr);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);
  qr = rein_qr_encode ("", &error);
  g_assert_null (qr);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);
  qr = rein_qr_encode ("\xff\xfe", &error);
  g_assert_null (qr);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);

  small = rein_qr_encode ("bitcoin:x", &error);
  g_assert_no_error (error);
  png = rein_qr_to_png (small, 0, &error);
  g_assert_null (png);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED);
  g_clear_error (&error);
  png = rein_qr_to_png (small, 33, &error);
  g_assert_null (png);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED);
  /* finder pattern corners are dark, outside is light */
  g_assert_true (rein_qr_is_dark (small, 0, 0));
  g_assert_true (rein_qr_is_dark (small, small->size - 1, 0));
  g_assert_false (rein_qr_is_dark (small, small->size, 0));
}

static void
test_bip21 (void)
{
  struct
  {
    const gchar *address;
    gint64 amount;
    const gchar *label, *message, *expected;
  } cases[] = {
    { "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", 0, NULL, NULL,
      "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT" },
    { "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", 1000000, NULL, NULL,
      "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?amount=0.01" },
    /* BIP21's own example, with the 20.3 BTC and the label */
    { "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", 2030000000, "Luke-Jr", NULL,
      "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=20.3&label=Luke-Jr" },
    { "2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm", 1, "Logo & co=1?", "für Bob",
      "bitcoin:2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm?amount=0.00000001&label=Logo%20%26%20co%3D1%3F"
      "&message=f%C3%BCr%20Bob" },
    { "2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm", 0, "", "x",
      "bitcoin:2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm?message=x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *uri = rein_bip21_uri (cases[i].address, cases[i].amount, cases[i].label,
                                              cases[i].message);

      g_assert_cmpstr (uri, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qr/roundtrip", test_qr_roundtrip);
  g_test_add_func ("/qr/limits", test_qr_limits);
  g_test_add_func ("/qr/bip21", test_bip21);
  return g_test_run ();
}

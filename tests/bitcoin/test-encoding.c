/* test-encoding.c: hashes, hex, base58 and base58check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-bitcoin.h"

static gchar *
hex_of (const guint8 *data, gsize len)
{
  return rein_hex_encode (data, len);
}

static void
test_hashes (void)
{
  guint8 out[64];
  g_autofree gchar *sha = NULL, *sha_d = NULL, *rmd = NULL, *h160 = NULL, *hmac = NULL;
  g_autofree gchar *sha_hex = NULL;
  guint8 pub[33];

  rein_sha256 ("abc", 3, out);
  sha = hex_of (out, 32);
  g_assert_cmpstr (sha, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  sha_hex = rein_sha256_hex ("abc", 3);
  g_assert_cmpstr (sha_hex, ==, sha);

  rein_sha256d ("hello", 5, out);
  sha_d = hex_of (out, 32);
  g_assert_cmpstr (sha_d, ==, "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");

  rein_ripemd160 ("abc", 3, out);
  rmd = hex_of (out, 20);
  g_assert_cmpstr (rmd, ==, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");

  g_assert_true (rein_hex_decode_fixed (
      "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", pub, 33, NULL));
  rein_hash160 (pub, 33, out);
  h160 = hex_of (out, 20);
  g_assert_cmpstr (h160, ==, "751e76e8199196d454941c45d1b3a323f1433bd6");

  /* RFC 4231 test case 2 */
  rein_hmac_sha512 ("Jefe", 4, "what do ya want for nothing?", 28, out);
  hmac = hex_of (out, 64);
  g_assert_cmpstr (hmac, ==,
                   "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                   "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

static void
test_hex (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree gchar *back = NULL;
  guint8 fixed[2];
  gsize len = 0;

  bytes = rein_hex_decode ("00ffA0", &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpuint (bytes[2], ==, 0xa0);
  back = rein_hex_encode (bytes, len);
  g_assert_cmpstr (back, ==, "00ffa0");

  g_assert_null (rein_hex_decode ("abc", &len, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);
  g_assert_null (rein_hex_decode ("zz", &len, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);
  g_assert_false (rein_hex_decode_fixed ("0011", fixed, 1, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
  g_clear_error (&error);
  g_assert_false (rein_hex_decode_fixed ("0g", fixed, 1, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
}

static void
test_base58 (void)
{
  /* Bitcoin Core's base58 vectors. */
  static const struct
  {
    const gchar *hex, *b58;
  } vectors[] = {
    { "", "" },
    { "61", "2g" },
    { "626262", "a3gV" },
    { "636363", "aPEr" },
    { "73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2" },
    { "00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L" },
    { "516b6fcd0f", "ABnLTmg" },
    { "bf4f89001e670274dd", "3SEo3LWLoPntC" },
    { "572e4794", "3EFU7m" },
    { "ecac89cad93923c02321", "EJDM8drfXA6uyA" },
    { "10c8511e", "Rt5zm" },
    { "00000000000000000000", "1111111111" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *raw = NULL;
      g_autofree gchar *encoded = NULL;
      g_autofree guint8 *decoded = NULL;
      g_autofree gchar *decoded_hex = NULL;
      gsize raw_len = 0, decoded_len = 0;

      raw = rein_hex_decode (vectors[i].hex, &raw_len, NULL);
      encoded = rein_base58_encode (raw, raw_len);
      g_assert_cmpstr (encoded, ==, vectors[i].b58);
      decoded = rein_base58_decode (vectors[i].b58, &decoded_len, &error);
      g_assert_no_error (error);
      decoded_hex = rein_hex_encode (decoded, decoded_len);
      g_assert_cmpstr (decoded_hex, ==, vectors[i].hex);
    }
}

static void
test_base58_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *long_input = g_strnfill (5000, '2');
  gsize len;

  /* 0, O, I and l are not in the alphabet */
  for (const gchar *const *bad = (const gchar *const[]){ "0abc", "abO", "I", "l1", "a b", NULL };
       *bad; bad++)
    {
      g_assert_null (rein_base58_decode (*bad, &len, &error));
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
      g_clear_error (&error);
    }
  g_assert_null (rein_base58_decode (long_input, &len, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
}

static void
test_base58check (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *addr = NULL;
  g_autofree guint8 *payload = NULL;
  g_autofree gchar *payload_hex = NULL;
  guint8 data[21] = { 0 };
  gsize len = 0;

  g_assert_true (rein_hex_decode_fixed ("751e76e8199196d454941c45d1b3a323f1433bd6", data + 1, 20, NULL));
  addr = rein_base58check_encode (data, sizeof data);
  g_assert_cmpstr (addr, ==, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");

  payload = rein_base58check_decode (addr, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 21);
  payload_hex = rein_hex_encode (payload, len);
  g_assert_cmpstr (payload_hex, ==, "00751e76e8199196d454941c45d1b3a323f1433bd6");

  /* One changed character breaks the checksum. */
  g_assert_null (rein_base58check_decode ("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ", &len, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_BAD_CHECKSUM);
  g_clear_error (&error);
  g_assert_null (rein_base58check_decode ("1111", &len, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING);
}

static void
test_random_roundtrip (void)
{
  for (guint n = 0; n < 500; n++)
    {
      guint8 buf[40];
      gsize len = g_test_rand_int_range (0, sizeof buf);
      g_autofree gchar *enc = NULL;
      g_autofree guint8 *dec = NULL;
      gsize dec_len = 0;

      rein_random_bytes (buf, len);
      /* leading zeros are the tricky part */
      if (len > 2 && n % 3 == 0)
        buf[0] = buf[1] = 0;
      enc = rein_base58check_encode (buf, len);
      dec = rein_base58check_decode (enc, &dec_len, NULL);
      if (len == 0)
        {
          /* four checksum bytes alone are too short to be data */
          g_assert_null (dec);
          continue;
        }
      g_assert_nonnull (dec);
      g_assert_cmpmem (dec, dec_len, buf, len);
    }
}

static void
test_consttime_and_wipe (void)
{
  guint8 a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  guint8 b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  g_assert_true (rein_memeq_consttime (a, b, sizeof a));
  b[7] ^= 1;
  g_assert_false (rein_memeq_consttime (a, b, sizeof a));
  rein_memwipe (a, sizeof a);
  for (gsize i = 0; i < sizeof a; i++)
    g_assert_cmpuint (a[i], ==, 0);
}

/* Excerpts for messages: cut between characters, never inside one,
 * valid UTF-8 whatever came in, no control characters. */
static void
test_text_excerpt (void)
{
  g_autofree gchar *short_text = rein_text_excerpt ("abc", 5);
  g_autofree gchar *cut = rein_text_excerpt ("ééééé", 3);
  g_autofree gchar *bad = rein_text_excerpt ("a\xff\xfe" "b", 10);
  g_autofree gchar *controls = rein_text_excerpt ("a\nb\x1b[31m", 10);
  g_autofree gchar *none = rein_text_excerpt (NULL, 3);

  g_assert_cmpstr (short_text, ==, "abc");
  g_assert_cmpstr (cut, ==, "ééé…");
  g_assert_true (g_utf8_validate (bad, -1, NULL));
  g_assert_true (g_str_has_prefix (bad, "a"));
  g_assert_true (g_str_has_suffix (bad, "b"));
  g_assert_cmpstr (controls, ==, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "[31m");
  g_assert_cmpstr (none, ==, "");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/hash/vectors", test_hashes);
  g_test_add_func ("/bitcoin/encoding/hex", test_hex);
  g_test_add_func ("/bitcoin/encoding/base58", test_base58);
  g_test_add_func ("/bitcoin/encoding/base58-errors", test_base58_errors);
  g_test_add_func ("/bitcoin/encoding/base58check", test_base58check);
  g_test_add_func ("/bitcoin/encoding/base58check-roundtrip", test_random_roundtrip);
  g_test_add_func ("/bitcoin/hash/consttime-and-wipe", test_consttime_and_wipe);
  g_test_add_func ("/bitcoin/encoding/text-excerpt", test_text_excerpt);

  return g_test_run ();
}

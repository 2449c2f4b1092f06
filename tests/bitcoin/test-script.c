/* test-script.c: escrow scripts, their checkers and the disassembler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-bitcoin.h"

#define KEY_A "02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519"
#define KEY_B "029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005"
#define KEY_C "026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc"
#define KEY_D "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

/* PROTOCOL.md section 5 */
#define VECTOR_2OF3 \
  "5221" KEY_A "21" KEY_B "21" KEY_C "53ae"
#define VECTOR_MANDATORY \
  "21" KEY_A "ad5121" KEY_B "21" KEY_C "52ae"

static guint8 a[33], b[33], c[33], d[33];

static void
load_keys (void)
{
  g_assert_true (rein_hex_decode_fixed (KEY_A, a, 33, NULL));
  g_assert_true (rein_hex_decode_fixed (KEY_B, b, 33, NULL));
  g_assert_true (rein_hex_decode_fixed (KEY_C, c, 33, NULL));
  g_assert_true (rein_hex_decode_fixed (KEY_D, d, 33, NULL));
}

static void
test_vectors (void)
{
  g_autoptr (GByteArray) multi = NULL;
  g_autoptr (GByteArray) mandatory = NULL;
  g_autofree gchar *multi_hex = NULL, *mandatory_hex = NULL;

  load_keys ();
  multi = rein_script_multisig_2of3 (a, b, c);
  mandatory = rein_script_mandatory_multisig (a, b, c);
  multi_hex = rein_hex_encode (multi->data, multi->len);
  mandatory_hex = rein_hex_encode (mandatory->data, mandatory->len);
  g_assert_cmpstr (multi_hex, ==, VECTOR_2OF3);
  g_assert_cmpstr (mandatory_hex, ==, VECTOR_MANDATORY);
}

static void
test_escrow (void)
{
  g_autoptr (GError) error = NULL;
  /* creator A, mediator B, worker C: the primary is 2-of-3 (A, B, C) and
   * the mediator escrow has B mandatory with (A, C). */
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (KEY_A, KEY_B, KEY_C, REIN_NETWORK_MAINNET,
                                                   &error);
  g_autoptr (ReinEscrow) testnet = rein_escrow_new (KEY_A, KEY_B, KEY_C, REIN_NETWORK_TESTNET,
                                                    &error);
  g_autofree guint8 *script = NULL;
  g_autofree gchar *p2sh = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (escrow->primary_script_hex, ==, VECTOR_2OF3);
  g_assert_cmpstr (escrow->mediator_script_hex, ==,
                   "21" KEY_B "ad5121" KEY_A "21" KEY_C "52ae");
  g_assert_true (g_str_has_prefix (escrow->primary_address, "3"));
  g_assert_true (g_str_has_prefix (escrow->mediator_address, "3"));
  g_assert_true (g_str_has_prefix (testnet->primary_address, "2"));

  script = rein_hex_decode (escrow->primary_script_hex, &len, NULL);
  p2sh = rein_address_p2sh_from_script (script, len, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (p2sh, ==, escrow->primary_address);

  /* bad keys */
  g_assert_null (rein_escrow_new ("02abcd", KEY_B, KEY_C, REIN_NETWORK_MAINNET, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_assert_null (rein_escrow_new (KEY_A, NULL, KEY_C, REIN_NETWORK_MAINNET, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_assert_null (rein_escrow_new (KEY_A, KEY_B, "zz" KEY_C, REIN_NETWORK_MAINNET, &error));
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY);
}

static gboolean
check_2of3_hex (const gchar *hex)
{
  g_autofree guint8 *script = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  gboolean ok;

  script = rein_hex_decode (hex, &len, NULL);
  g_assert_nonnull (script);
  ok = rein_script_check_2of3 (script, len, a, b, c, &error);
  if (!ok)
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT);
  return ok;
}

static gboolean
check_mandatory_hex (const gchar *hex)
{
  g_autofree guint8 *script = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  gboolean ok;

  script = rein_hex_decode (hex, &len, NULL);
  g_assert_nonnull (script);
  ok = rein_script_check_mandatory (script, len, a, b, c, &error);
  if (!ok)
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT);
  return ok;
}

static void
test_checkers (void)
{
  load_keys ();

  g_assert_true (check_2of3_hex (VECTOR_2OF3));
  /* swapped keys */
  g_assert_false (check_2of3_hex ("5221" KEY_B "21" KEY_A "21" KEY_C "53ae"));
  g_assert_false (check_2of3_hex ("5221" KEY_A "21" KEY_C "21" KEY_B "53ae"));
  /* a foreign key */
  g_assert_false (check_2of3_hex ("5221" KEY_A "21" KEY_B "21" KEY_D "53ae"));
  /* missing key */
  g_assert_false (check_2of3_hex ("5221" KEY_A "21" KEY_B "52ae"));
  /* extra key */
  g_assert_false (check_2of3_hex ("5221" KEY_A "21" KEY_B "21" KEY_C "21" KEY_D "54ae"));
  /* 1-of-3 and 3-of-3 */
  g_assert_false (check_2of3_hex ("5121" KEY_A "21" KEY_B "21" KEY_C "53ae"));
  g_assert_false (check_2of3_hex ("5321" KEY_A "21" KEY_B "21" KEY_C "53ae"));
  /* trailing opcode */
  g_assert_false (check_2of3_hex (VECTOR_2OF3 "75"));
  /* truncated push */
  g_assert_false (check_2of3_hex ("5221" KEY_A "21" KEY_B "21"));

  g_assert_true (check_mandatory_hex (VECTOR_MANDATORY));
  /* mandatory key swapped with one of the 1-of-2 part */
  g_assert_false (check_mandatory_hex ("21" KEY_B "ad5121" KEY_A "21" KEY_C "52ae"));
  g_assert_false (check_mandatory_hex ("21" KEY_C "ad5121" KEY_B "21" KEY_A "52ae"));
  /* 1-of-2 keys reordered */
  g_assert_false (check_mandatory_hex ("21" KEY_A "ad5121" KEY_C "21" KEY_B "52ae"));
  /* missing, extra */
  g_assert_false (check_mandatory_hex ("21" KEY_A "ad5121" KEY_B "51ae"));
  g_assert_false (check_mandatory_hex ("21" KEY_A "ad5121" KEY_B "21" KEY_C "21" KEY_D "53ae"));
  /* CHECKSIG instead of CHECKSIGVERIFY, 2-of-2 instead of 1-of-2 */
  g_assert_false (check_mandatory_hex ("21" KEY_A "ac5121" KEY_B "21" KEY_C "52ae"));
  g_assert_false (check_mandatory_hex ("21" KEY_A "ad5221" KEY_B "21" KEY_C "52ae"));
  /* the 2-of-3 is not a mandatory script */
  g_assert_false (check_mandatory_hex (VECTOR_2OF3));
}

static void
test_disassemble (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *script = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *text2 = NULL;
  gsize len = 0;
  static const guint8 pushdata[] = { 0x4c, 0x02, 0xab, 0xcd, 0x4d, 0x01, 0x00, 0xee, 0x00, 0xff };
  static const guint8 truncated[][4] = {
    { 0x4c }, { 0x4d, 0x05 }, { 0x05, 0x01, 0x02 }, { 0x4e, 0xff, 0xff, 0xff },
  };
  static const gsize truncated_len[] = { 1, 2, 3, 4 };

  script = rein_hex_decode (VECTOR_MANDATORY, &len, NULL);
  text = rein_script_disassemble (script, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, KEY_A " OP_CHECKSIGVERIFY OP_1 " KEY_B " " KEY_C
                             " OP_2 OP_CHECKMULTISIG");

  text2 = rein_script_disassemble (pushdata, sizeof pushdata, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text2, ==, "abcd ee OP_0 OP_UNKNOWN_0xff");

  for (gsize i = 0; i < G_N_ELEMENTS (truncated); i++)
    {
      g_autoptr (GArray) ops = rein_script_parse (truncated[i], truncated_len[i], &error);

      g_assert_null (ops);
      g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT);
      g_clear_error (&error);
    }
}

static void
test_parse_random (void)
{
  /* Random bytes either parse or fail cleanly; never read past the end
   * (AddressSanitizer watches this). */
  for (guint n = 0; n < 2000; n++)
    {
      gsize len = g_test_rand_int_range (0, 64);
      g_autofree guint8 *buf = g_malloc (len + 1);
      g_autoptr (GError) error = NULL;
      g_autofree gchar *text = NULL;

      rein_random_bytes (buf, len);
      text = rein_script_disassemble (buf, len, &error);
      g_assert_true ((text != NULL) != (error != NULL));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/script/vectors", test_vectors);
  g_test_add_func ("/bitcoin/script/escrow", test_escrow);
  g_test_add_func ("/bitcoin/script/checkers", test_checkers);
  g_test_add_func ("/bitcoin/script/disassemble", test_disassemble);
  g_test_add_func ("/bitcoin/script/parse-random", test_parse_random);

  return g_test_run ();
}

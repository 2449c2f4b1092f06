/* test-cli-crosscheck.c: rein-cli against python3-bitcoinlib, an
 * independent implementation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cli-test-util.h"

#define N_KEYS 12
#define N_ESCROWS 6

#define PHRASE \
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

/* Prints "wif address message-hex signature" for random keys: compressed and
 * not, mainnet and testnet, messages of any length with line breaks and
 * non-ASCII text. */
static const gchar keys_script[] =
  "import os, random, sys, bitcoin\n"
  "from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress\n"
  "from bitcoin.signmessage import BitcoinMessage, SignMessage\n"
  "alphabet = 'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789:.,\\n\\u00e9\\u20ac\\u0414'\n"
  "for i in range(int(sys.argv[1])):\n"
  "  bitcoin.SelectParams('testnet' if i % 3 == 2 else 'mainnet')\n"
  "  key = CBitcoinSecret.from_secret_bytes(os.urandom(32), i % 4 != 1)\n"
  "  address = P2PKHBitcoinAddress.from_pubkey(key.pub)\n"
  "  n = 0 if i == 0 else random.randint(1, 400)\n"
  "  message = ''.join(random.choice(alphabet) for _ in range(n))\n"
  "  signature = SignMessage(key, BitcoinMessage(message)).decode()\n"
  "  print(key, address, message.encode().hex(), signature)\n";

/* Reads "address message-hex signature" lines; prints ok or fail for each. */
static const gchar verify_script[] =
  "import sys, bitcoin\n"
  "from bitcoin.signmessage import BitcoinMessage, VerifyMessage\n"
  "for line in sys.stdin:\n"
  "  address, message, signature = line.rstrip('\\n').split(' ')\n"
  "  bitcoin.SelectParams('testnet' if address[0] in 'mn2' else 'mainnet')\n"
  "  message = BitcoinMessage(bytes.fromhex(message).decode())\n"
  "  print('ok' if VerifyMessage(address, message, signature) else 'fail')\n";

/* Prints "creator mediator worker primary-script primary-address
 * mediator-script mediator-address network" for random key triples. */
static const gchar escrow_script[] =
  "import os, sys, bitcoin\n"
  "from bitcoin.core.script import CScript, OP_1, OP_2, OP_3, OP_CHECKMULTISIG, "
  "OP_CHECKSIGVERIFY\n"
  "from bitcoin.wallet import CBitcoinSecret, P2SHBitcoinAddress\n"
  "for i in range(int(sys.argv[1])):\n"
  "  network = 'testnet' if i % 2 else 'mainnet'\n"
  "  bitcoin.SelectParams(network)\n"
  "  c, m, w = (CBitcoinSecret.from_secret_bytes(os.urandom(32), True).pub for _ in range(3))\n"
  "  primary = CScript([OP_2, c, m, w, OP_3, OP_CHECKMULTISIG])\n"
  "  mediator = CScript([m, OP_CHECKSIGVERIFY, OP_1, c, w, OP_2, OP_CHECKMULTISIG])\n"
  "  print(c.hex(), m.hex(), w.hex(), primary.hex(), "
  "P2SHBitcoinAddress.from_redeemScript(primary), mediator.hex(), "
  "P2SHBitcoinAddress.from_redeemScript(mediator), network)\n";

/* Signs documents the way any Bitcoin wallet would, armors them; prints
 * each armored document followed by a line "%%". argv[1]: the enrollment's
 * master address is the signer's ("good") or another one ("wrong"). */
static const gchar document_script[] =
  "import os, sys\n"
  "from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress\n"
  "from bitcoin.signmessage import BitcoinMessage, SignMessage\n"
  "master = CBitcoinSecret.from_secret_bytes(os.urandom(32), True)\n"
  "delegate = CBitcoinSecret.from_secret_bytes(os.urandom(32), True)\n"
  "m = str(P2PKHBitcoinAddress.from_pubkey(master.pub))\n"
  "d = str(P2PKHBitcoinAddress.from_pubkey(delegate.pub))\n"
  "named = m if sys.argv[1] == 'good' else d\n"
  "docs = [(master, m, 'Rein User Enrollment\\nUser: Py\\nContact: py@example.com\\n'\n"
  "         'Master signing address: ' + named + '\\nDelegate signing address: ' + d +\n"
  "         '\\nWilling to mediate: False'),\n"
  "        (delegate, d, 'Rein Job\\nJob name: From Python\\nJob ID: py0123456789abcdefgh\\n'\n"
  "         'Category: Testing\\nDescription: caf\\u00e9 \\u20ac5')]\n"
  "for key, address, text in docs:\n"
  "  signature = SignMessage(key, BitcoinMessage(text)).decode()\n"
  "  print('-----BEGIN BITCOIN SIGNED MESSAGE-----\\n' + text + '\\n-----BEGIN SIGNATURE-----\\n'\n"
  "        + address + '\\n' + signature + '\\n-----END BITCOIN SIGNED MESSAGE-----')\n"
  "  print('%%')\n";

/* The address of each WIF on stdin (one per line). */
static const gchar wif_script[] =
  "import sys, bitcoin\n"
  "from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress\n"
  "for line in sys.stdin:\n"
  "  wif = line.strip()\n"
  "  bitcoin.SelectParams('testnet' if wif[0] in 'c9' else 'mainnet')\n"
  "  print(P2PKHBitcoinAddress.from_pubkey(CBitcoinSecret(wif).pub))\n";

static gboolean
skip_without_bitcoinlib (void)
{
  if (cli_have_bitcoinlib ())
    return FALSE;

  g_test_skip ("/usr/bin/python3 with python3-bitcoinlib is not available");
  return TRUE;
}

static gchar *
hex_decode (const gchar *hex, gsize *out_len)
{
  gsize len = strlen (hex) / 2;
  gchar *bytes = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    bytes[i] = (gchar) ((g_ascii_xdigit_value (hex[2 * i]) << 4)
                        | g_ascii_xdigit_value (hex[2 * i + 1]));
  bytes[len] = '\0';
  *out_len = len;
  return bytes;
}

static const gchar *
json_string (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("JSON member “%s” is missing or not a string", name);
  return json_node_get_string (node);
}

static void
test_crosscheck_messages (void)
{
  g_autofree gchar *count = g_strdup_printf ("%d", N_KEYS);
  const gchar *args[] = { count, NULL };
  g_autofree gchar *keys = NULL;
  g_autofree gchar *verdicts = NULL;
  g_autoptr (GString) to_verify = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) results = NULL;
  guint n = 0;

  if (skip_without_bitcoinlib ())
    return;

  keys = cli_run_python (keys_script, NULL, args);
  g_assert_nonnull (keys);
  lines = g_strsplit (keys, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) parts = g_strsplit (lines[i], " ", -1);
      g_autofree gchar *message = NULL;
      g_autofree gchar *key_path = NULL;
      g_autofree gchar *message_path = NULL;
      g_autofree gchar *signature = NULL;
      g_autoptr (CliResult) theirs = NULL;
      g_autoptr (CliResult) signed_result = NULL;
      g_autoptr (CliResult) ours = NULL;
      const gchar *wif, *address, *their_signature;
      gsize message_len;

      g_assert_cmpuint (g_strv_length (parts), ==, 4);
      wif = parts[0];
      address = parts[1];
      their_signature = parts[3];
      message = hex_decode (parts[2], &message_len);

      key_path = cli_write_tmp ("crosscheck-key", wif, -1);
      message_path = cli_write_tmp ("crosscheck-message", message, message_len);

      /* Python signed, we verify. */
      theirs = cli_run (NULL, "verify-message", address, their_signature, message_path, NULL);
      cli_assert_status (theirs, 0);

      /* We sign, we verify, and Python verifies below. */
      signed_result = cli_run (NULL, "sign-message", "--key-file", key_path, message_path, NULL);
      cli_assert_status (signed_result, 0);
      g_assert_null (strstr (signed_result->out, wif));
      g_assert_null (strstr (signed_result->err, wif));
      signature = g_strchomp (g_strdup (signed_result->out));

      ours = cli_run (NULL, "verify-message", address, signature, message_path, NULL);
      cli_assert_status (ours, 0);

      /* The other key's signature does not pass for this address. */
      if (i > 0)
        {
          g_auto (GStrv) previous = g_strsplit (lines[i - 1], " ", -1);
          g_autoptr (CliResult) wrong = cli_run (NULL, "verify-message", previous[1],
                                                 signature, message_path, NULL);

          cli_assert_status (wrong, 1);
        }

      g_string_append_printf (to_verify, "%s %s %s\n", address, parts[2], signature);
      n++;
    }
  g_assert_cmpuint (n, ==, N_KEYS);

  verdicts = cli_run_python (verify_script, to_verify->str, NULL);
  g_assert_nonnull (verdicts);
  results = g_strsplit (g_strchomp (verdicts), "\n", -1);
  g_assert_cmpuint (g_strv_length (results), ==, N_KEYS);
  for (guint i = 0; results[i] != NULL; i++)
    g_assert_cmpstr (results[i], ==, "ok");
}

static void
test_crosscheck_escrow (void)
{
  g_autofree gchar *count = g_strdup_printf ("%d", N_ESCROWS);
  const gchar *args[] = { count, NULL };
  g_autofree gchar *triples = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  if (skip_without_bitcoinlib ())
    return;

  triples = cli_run_python (escrow_script, NULL, args);
  g_assert_nonnull (triples);
  lines = g_strsplit (triples, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) parts = g_strsplit (lines[i], " ", -1);
      gboolean testnet;
      g_autoptr (CliResult) result = NULL;
      g_autoptr (JsonNode) root = NULL;
      JsonObject *primary, *mediator;

      g_assert_cmpuint (g_strv_length (parts), ==, 8);
      testnet = g_strcmp0 (parts[7], "testnet") == 0;
      if (testnet)
        result = cli_run (NULL, "escrow", "--testnet", parts[0], parts[1], parts[2], NULL);
      else
        result = cli_run (NULL, "escrow", parts[0], parts[1], parts[2], NULL);
      cli_assert_status (result, 0);

      root = cli_result_get_json (result);
      primary = json_object_get_object_member (json_node_get_object (root), "primary");
      mediator = json_object_get_object_member (json_node_get_object (root), "mediator");
      g_assert_nonnull (primary);
      g_assert_nonnull (mediator);
      g_assert_cmpstr (json_string (primary, "redeem_script"), ==, parts[3]);
      g_assert_cmpstr (json_string (primary, "address"), ==, parts[4]);
      g_assert_cmpstr (json_string (mediator, "redeem_script"), ==, parts[5]);
      g_assert_cmpstr (json_string (mediator, "address"), ==, parts[6]);
      n++;
    }
  g_assert_cmpuint (n, ==, N_ESCROWS);
}

static void
check_python_documents (const gchar *mode, gint enrollment_status)
{
  const gchar *args[] = { mode, NULL };
  g_autofree gchar *out = NULL;
  g_auto (GStrv) documents = NULL;
  guint n = 0;

  out = cli_run_python (document_script, NULL, args);
  g_assert_nonnull (out);
  documents = g_strsplit (out, "%%\n", -1);

  for (guint i = 0; documents[i] != NULL && documents[i][0] != '\0'; i++)
    {
      g_autoptr (CliResult) result = cli_run (documents[i], "verify", NULL);
      g_autoptr (JsonNode) root = NULL;
      JsonObject *object;

      /* The enrollment comes first; the job is always valid. */
      cli_assert_status (result, i == 0 ? enrollment_status : 0);
      root = cli_result_get_json (result);
      object = json_node_get_object (root);
      g_assert_cmpstr (json_string (object, "type"), ==, i == 0 ? "enrollment" : "job_posting");
      if (enrollment_status != 0 && i == 0)
        g_assert_cmpstr (json_string (object, "error"), !=, "");
      n++;
    }
  g_assert_cmpuint (n, ==, 2);
}

static void
test_crosscheck_documents (void)
{
  if (skip_without_bitcoinlib ())
    return;

  /* Signed elsewhere, verified here. */
  check_python_documents ("good", 0);
  /* A good signature, but not by the enrollment's master address. */
  check_python_documents ("wrong", 1);
}

static void
test_crosscheck_derived_keys (void)
{
  g_autoptr (GString) wifs = g_string_new (NULL);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree gchar *addresses = NULL;
  const gchar *networks[] = { NULL, "--testnet" };

  if (skip_without_bitcoinlib ())
    return;

  for (guint n = 0; n < G_N_ELEMENTS (networks); n++)
    {
      const gchar *args[] = { "derive", "--show-private", networks[n], NULL };
      g_autoptr (CliResult) result = cli_runv (PHRASE, -1, args);
      g_autoptr (JsonNode) root = NULL;
      JsonObject *object;

      cli_assert_status (result, 0);
      root = cli_result_get_json (result);
      object = json_node_get_object (root);
      g_string_append_printf (wifs, "%s\n%s\n", json_string (object, "master_private_key"),
                              json_string (object, "delegate_private_key"));
      g_string_append_printf (expected, "%s\n%s\n", json_string (object, "master_address"),
                              json_string (object, "delegate_address"));
    }

  /* The WIFs are the keys of the addresses, as Python reads them. */
  addresses = cli_run_python (wif_script, wifs->str, NULL);
  g_assert_cmpstr (addresses, ==, expected->str);
  g_assert_cmpstr (expected->str, ==,
                   "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5\n1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv\n"
                   "misbqvzDqKJaLfdPU3SmJKixvUrjNeYgL8\nmt2iwSAKffSZrGSvB7pftnfP4geWb1znHy\n");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/crosscheck/messages", test_crosscheck_messages);
  g_test_add_func ("/cli/crosscheck/escrow", test_crosscheck_escrow);
  g_test_add_func ("/cli/crosscheck/documents", test_crosscheck_documents);
  g_test_add_func ("/cli/crosscheck/derived-keys", test_crosscheck_derived_keys);

  status = g_test_run ();
  cli_test_cleanup ();
  return status;
}

/* test-cli-escrow.c: rein-cli chain and qr
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "chain-fixture.h"
#include "cli-test-util.h"
#include "rein-bitcoin.h"
#include "../bitcoin/bip174-vectors.h"

static guint n_dirs;

static gchar *
new_data_dir (void)
{
  gchar *dir = g_strdup_printf ("%s/data-%u", cli_tmp_dir (), n_dirs++);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static const gchar *
member (JsonNode *root, const gchar *name)
{
  JsonObject *obj = json_node_get_object (root);

  if (!json_object_has_member (obj, name) || json_object_get_null_member (obj, name))
    return NULL;
  return json_object_get_string_member (obj, name);
}

static void
test_qr (void)
{
  const gchar *uri = "bitcoin:2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm?amount=0.01&label=Escrow%20A";
  g_autofree gchar *png = g_build_filename (cli_tmp_dir (), "pay.png", NULL);
  g_autofree gchar *too_long = g_strnfill (3000, 'x');
  g_autofree gchar *read = NULL;
  g_autofree gchar *zbar_err = NULL;
  g_autoptr (CliResult) r = cli_run (NULL, "qr", uri, "-o", png, NULL);
  g_autoptr (CliResult) terminal = NULL;
  g_autoptr (CliResult) refused = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;
  const gchar *argv[] = { "zbarimg", "--raw", "-q", png, NULL };

  cli_assert_status (r, 0);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &read, &zbar_err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (g_strchomp (read), ==, uri);

  /* without -o it is drawn in the terminal, a square of half blocks */
  terminal = cli_run (NULL, "qr", uri, NULL);
  cli_assert_status (terminal, 0);
  g_assert_nonnull (strstr (terminal->out, "█"));
  g_assert_nonnull (strstr (terminal->out, "▄"));

  refused = cli_run (NULL, "qr", too_long, "-o", png, NULL);
  cli_assert_error (refused);
  g_assert_nonnull (strstr (refused->err, "QR code"));
  g_clear_pointer (&refused, cli_result_free);
  refused = cli_run (NULL, "qr", uri, "-o", png, "--scale", "99", NULL);
  cli_assert_error (refused);
}

static void
test_chain (void)
{
  g_autoptr (TestChain) backend = test_chain_start ("testnet");
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("ann.form", "Name: Ann\nContact: ann@example.com\n",
                                          -1);
  g_autoptr (CliResult) setup = cli_run_in (dir, "--defaults", form, "setup", "--testnet", NULL);
  g_autoptr (CliResult) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *dead = NULL;

  cli_assert_status (setup, 0);

  /* no default: nothing is set, and nothing is asked of anyone */
  r = cli_run_in (dir, "chain", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "network"), ==, "testnet");
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* a server that does not answer is not kept */
  dead = g_strdup ("http://127.0.0.1:9/");
  r = cli_run_in (dir, "chain", dead, NULL);
  cli_assert_status (r, 4);
  g_assert_nonnull (strstr (r->err, "does not answer"));
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--json", NULL);
  root = cli_result_get_json (r);
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* one that answers is kept, normalized, for this network */
  {
    g_autofree gchar *bare = g_strndup (backend->url, strlen (backend->url) - 1);

    r = cli_run_in (dir, "chain", bare, "--json", NULL);
  }
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "url"), ==, backend->url);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "tip_height"), ==, 100);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* a backend of another network is not kept: its first block says which */
  {
    g_autoptr (TestChain) mainnet = test_chain_start ("mainnet");
    g_autoptr (TestChain) regtest = test_chain_start ("regtest");

    r = cli_run_in (dir, "chain", mainnet->url, NULL);
    cli_assert_status (r, 2);
    g_assert_nonnull (strstr (r->err, "is not a testnet backend: it follows mainnet, not "
                                      "testnet"));
    g_assert_nonnull (strstr (r->err, "Nothing was changed"));
    g_clear_pointer (&r, cli_result_free);
    r = cli_run_in (dir, "chain", regtest->url, NULL);
    cli_assert_status (r, 2);
    g_assert_nonnull (strstr (r->err, "it follows regtest, not testnet"));
    g_clear_pointer (&r, cli_result_free);
    r = cli_run_in (dir, "chain", "--json", NULL);
    root = cli_result_get_json (r);
    g_assert_cmpstr (member (root, "url"), ==, backend->url);
    g_clear_pointer (&root, json_node_unref);
    g_clear_pointer (&r, cli_result_free);
    /* regtest, said so: kept for regtest */
    r = cli_run_in (dir, "chain", "--network", "regtest", regtest->url, "--json", NULL);
    cli_assert_status (r, 0);
    root = cli_result_get_json (r);
    g_assert_cmpstr (member (root, "network"), ==, "regtest");
    g_assert_cmpstr (member (root, "url"), ==, regtest->url);
    g_clear_pointer (&root, json_node_unref);
    g_clear_pointer (&r, cli_result_free);
  }

  /* signet is another network, with its own URL */
  r = cli_run_in (dir, "chain", "--network", "signet", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "network"), ==, "signet");
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "mainnet", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "moon", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "testnet", NULL);
  cli_assert_status (r, 0);
  g_assert_nonnull (strstr (r->out, backend->url));
  g_clear_pointer (&r, cli_result_free);

  /* REIN_CHAIN_URL overrides, and says so */
  g_setenv ("REIN_CHAIN_URL", "http://127.0.0.1:7/", TRUE);
  r = cli_run_in (dir, "chain", "--json", NULL);
  g_unsetenv ("REIN_CHAIN_URL");
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "url"), ==, "http://127.0.0.1:7/");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "from_environment"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* not a URL; then forgotten */
  r = cli_run_in (dir, "chain", "ftp://example.org/", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--forget", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_null (member (root, "url"));
}

/* A BIP174 vector (hex) as a file: binary, or base64 when @base64. */
static gchar *
vector_file (const gchar *name, const gchar *hex, gboolean base64)
{
  gsize len = strlen (hex) / 2;
  g_autofree guint8 *bytes = g_malloc (len);
  g_autofree gchar *text = NULL;

  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4
                         | g_ascii_xdigit_value (hex[2 * i + 1]));
  if (!base64)
    return cli_write_tmp (name, (const gchar *) bytes, (gssize) len);
  text = g_base64_encode (bytes, len);
  return cli_write_tmp (name, text, -1);
}

static gchar *
vector_base64 (const gchar *hex)
{
  gsize len = strlen (hex) / 2;
  g_autofree guint8 *bytes = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4
                         | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_base64_encode (bytes, len);
}

/* rein-cli psbt on BIP174's own vectors: the combiner, finalizer and
 * extractor give exactly the bytes the BIP gives. */
static void
test_psbt (void)
{
  g_autofree gchar *one = vector_file ("signer1.psbt", BIP174_SIGNER_1, FALSE);
  g_autofree gchar *two = vector_file ("signer2.psbt", BIP174_SIGNER_2, TRUE);
  g_autofree gchar *combined = vector_file ("combined.psbt", BIP174_COMBINED, TRUE);
  g_autofree gchar *expected_combined = vector_base64 (BIP174_COMBINED);
  g_autofree gchar *expected_final = vector_base64 (BIP174_FINALIZED);
  g_autofree gchar *garbage = cli_write_tmp ("garbage.psbt", "cHNidP8BAAoCAAAAAA==", -1);
  g_autoptr (CliResult) r = cli_run (NULL, "psbt", "combine", one, two, NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonArray *outputs;

  cli_assert_status (r, 0);
  g_assert_cmpstr (g_strchomp (r->out), ==, expected_combined);
  g_clear_pointer (&r, cli_result_free);

  /* input 1 of the BIP's vector is segwit, which Rein does not sign or
   * finalize: said, not skipped */
  r = cli_run (NULL, "psbt", "finalize", combined, NULL);
  cli_assert_error (r);
  g_assert_nonnull (strstr (r->err, "input 1"));
  g_clear_pointer (&r, cli_result_free);
  (void) expected_final;

  r = cli_run (NULL, "psbt", "show", combined, NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (root), "inputs")), ==, 2);
  outputs = json_object_get_array_member (json_node_get_object (root), "outputs");
  g_assert_cmpuint (json_array_get_length (outputs), ==, 2);
  /* the vector's outputs: 1.49990000 and 1.00000000 BTC */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (outputs, 0),
                                               "value_sat"), ==, 149990000);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (outputs, 1),
                                               "value_sat"), ==, 100000000);
  g_clear_pointer (&r, cli_result_free);

  /* one signer's copy alone cannot be extracted; nonsense is refused */
  r = cli_run (NULL, "psbt", "extract", one, NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run (NULL, "psbt", "show", garbage, NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run (NULL, "psbt", "combine", one, NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run (NULL, "psbt", "sing", one, NULL);
  cli_assert_error (r);
}

/* A legacy payment made and signed here, finalized and extracted by
 * rein-cli: the same bytes as the library's own roles give. */
static void
test_psbt_legacy (void)
{
  g_autoptr (ReinPrivateKey) key = rein_private_key_generate (TRUE);
  g_autofree gchar *address = rein_private_key_get_address (key, REIN_NETWORK_TESTNET);
  g_autoptr (ReinTx) prev = rein_tx_new (2, 0);
  g_autoptr (ReinTx) spend = rein_tx_new (2, 0);
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (ReinPsbt) final = NULL;
  g_autoptr (ReinTx) extracted = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CliResult) r = NULL;
  g_autofree gchar *prev_txid = NULL;
  g_autofree gchar *signed64 = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *final64 = NULL;
  g_autofree gchar *hex = NULL;
  guint8 nothing[32] = { 0 };

  rein_tx_add_input (prev, nothing, 0, 0xffffffff);
  g_assert_nonnull (rein_tx_add_output_address (prev, address, REIN_NETWORK_TESTNET, 50000,
                                                &error));
  prev_txid = rein_tx_get_txid_hex (prev);
  g_assert_true (rein_tx_add_input_hex (spend, prev_txid, 0, 0xffffffff, &error));
  g_assert_nonnull (rein_tx_add_output_address (spend, address, REIN_NETWORK_TESTNET, 49000,
                                                &error));
  psbt = rein_psbt_new (spend, &error);
  g_assert_no_error (error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, prev, &error));
  g_assert_true (rein_psbt_sign_input (psbt, 0, key, &error));
  g_assert_no_error (error);
  signed64 = rein_psbt_to_base64 (psbt);
  path = cli_write_tmp ("legacy.psbt", signed64, -1);

  final = rein_psbt_copy (psbt);
  g_assert_true (rein_psbt_finalize (final, &error));
  final64 = rein_psbt_to_base64 (final);
  extracted = rein_psbt_extract (final, &error);
  g_assert_no_error (error);
  hex = rein_tx_to_hex (extracted);

  r = cli_run (NULL, "psbt", "finalize", path, NULL);
  cli_assert_status (r, 0);
  g_assert_cmpstr (g_strchomp (r->out), ==, final64);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run (NULL, "psbt", "extract", path, NULL);
  cli_assert_status (r, 0);
  g_assert_cmpstr (g_strchomp (r->out), ==, hex);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run (NULL, "psbt", "show", path, "--testnet", NULL);
  cli_assert_status (r, 0);
  g_assert_nonnull (strstr (r->out, address));
  g_assert_nonnull (strstr (r->out, "\"fee_sat\" : 1000"));
}

/* A PSBT spending a 2-of-3 escrow of @key_a, @key_b and @key_c (hex). */
static gchar *
escrow_psbt_file (const gchar *name, const gchar *key_a, const gchar *key_b, const gchar *key_c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = rein_escrow_new (key_a, key_b, key_c, REIN_NETWORK_TESTNET,
                                                   &error);
  g_autofree guint8 *redeem = NULL;
  g_autoptr (GByteArray) p2sh = NULL;
  g_autoptr (ReinTx) prev = rein_tx_new (2, 0);
  g_autoptr (ReinTx) spend = rein_tx_new (2, 0);
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autofree gchar *prev_txid = NULL;
  g_autofree gchar *base64 = NULL;
  guint8 nothing[32] = { 0 };
  gsize len = 0;

  g_assert_no_error (error);
  redeem = rein_hex_decode (escrow->primary_script_hex, &len, &error);
  p2sh = rein_script_p2sh_from_redeem (redeem, len);
  rein_tx_add_input (prev, nothing, 0, 0xffffffff);
  rein_tx_add_output (prev, 80000, p2sh->data, p2sh->len);
  prev_txid = rein_tx_get_txid_hex (prev);
  g_assert_true (rein_tx_add_input_hex (spend, prev_txid, 0, 0xffffffff, &error));
  g_assert_nonnull (rein_tx_add_output_address (spend, escrow->primary_address,
                                                REIN_NETWORK_TESTNET, 79000, &error));
  psbt = rein_psbt_new (spend, &error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, prev, &error));
  g_assert_true (rein_psbt_set_redeem_script (psbt, 0, redeem, len, &error));
  g_assert_no_error (error);
  base64 = rein_psbt_to_base64 (psbt);
  return cli_write_tmp (name, base64, -1);
}

/* rein-cli psbt sign: shown, asked, then signed by the active
 * identity's delegate key, only where its key belongs. */
static void
test_psbt_sign (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("sam.form", "Name: Sam\nContact: sam@example.com\n",
                                          -1);
  g_autoptr (CliResult) setup = cli_run_in (dir, "--defaults", form, "setup", "--testnet",
                                            "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (ReinPrivateKey) other = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) third = rein_private_key_generate (TRUE);
  g_autofree gchar *other_key = rein_private_key_get_public_key_hex (other);
  g_autofree gchar *third_key = rein_private_key_get_public_key_hex (third);
  g_autofree gchar *mine = NULL, *foreign = NULL;
  g_autoptr (CliResult) r = NULL;
  g_autoptr (ReinPsbt) signed_psbt = NULL;
  g_autoptr (GPtrArray) sigs = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *own_key;

  cli_assert_status (setup, 0);
  root = cli_result_get_json (setup);
  own_key = member (root, "delegate_public_key");
  mine = escrow_psbt_file ("mine.psbt", other_key, own_key, third_key);
  foreign = escrow_psbt_file ("foreign.psbt", other_key, third_key, other_key);

  /* not asked, not signed: shown on stderr, nothing on stdout */
  r = cli_run_in (dir, "psbt", "sign", mine, NULL);
  cli_assert_status (r, 2);
  g_assert_cmpuint (r->out_len, ==, 0);
  g_assert_nonnull (strstr (r->err, "0.0008 BTC (80000 sat), 0 signatures"));
  g_assert_nonnull (strstr (r->err, "fee      0.00001 BTC (1000 sat)"));
  g_assert_nonnull (strstr (r->err, "--yes"));
  g_clear_pointer (&r, cli_result_free);

  r = cli_run_in (dir, "psbt", "sign", mine, "--yes", NULL);
  cli_assert_status (r, 0);
  signed_psbt = rein_psbt_parse_base64 (g_strstrip (r->out), &error);
  g_assert_no_error (error);
  sigs = rein_psbt_get_partial_signatures (signed_psbt, 0);
  g_assert_cmpuint (sigs->len, ==, 1);
  {
    ReinPsbtSignature *sig = g_ptr_array_index (sigs, 0);
    gsize len = 0;
    const guint8 *key = g_bytes_get_data (sig->pubkey, &len);
    g_autofree gchar *hex = rein_hex_encode (key, len);

    g_assert_cmpstr (hex, ==, own_key);
  }
  /* a good signature: with a second one, it finalizes */
  g_assert_true (rein_psbt_sign_input (signed_psbt, 0, other, &error));
  g_assert_true (rein_psbt_finalize (signed_psbt, &error));
  g_assert_no_error (error);
  g_clear_pointer (&r, cli_result_free);

  /* a PSBT my key has no part in */
  r = cli_run_in (dir, "psbt", "sign", foreign, "--yes", NULL);
  cli_assert_status (r, 3);
  g_assert_nonnull (strstr (r->err, "signs none of its inputs"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  rein_crypto_init ();
  g_setenv ("REIN_PASSWORD", "correct horse battery", TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  g_unsetenv ("REIN_DATA_DIR");
  g_unsetenv ("REIN_CHAIN_URL");

  g_test_add_func ("/cli/escrow/qr", test_qr);
  g_test_add_func ("/cli/escrow/chain", test_chain);
  g_test_add_func ("/cli/escrow/psbt", test_psbt);
  g_test_add_func ("/cli/escrow/psbt-legacy", test_psbt_legacy);
  g_test_add_func ("/cli/escrow/psbt-sign", test_psbt_sign);
  status = g_test_run ();
  cli_test_cleanup ();
  return status;
}

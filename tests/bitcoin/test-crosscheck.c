/* test-crosscheck.c: our keys, addresses, scripts and signatures checked
 * against python-bitcoinlib, an independent implementation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rein-bitcoin.h"
#include "python-test-util.h"

#define KEYS_PER_NETWORK 120

typedef struct
{
  gchar *address;
  gchar *pubkey;
  gchar *message;
  ReinEscrow *escrow;
} Expected;

static void
expected_clear (Expected *e)
{
  g_free (e->address);
  g_free (e->pubkey);
  g_free (e->message);
  rein_escrow_free (e->escrow);
}

static void
test_crosscheck (void)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GBytes) stdin_bytes = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *request = NULL;
  Expected expected[2][KEYS_PER_NETWORK];
  static const gchar *const network_names[] = { "mainnet", "testnet" };
  guint checked = 0;

  if (!python_test_has_module ("bitcoin.signmessage"))
    {
      crosscheck_unavailable ("python3-bitcoinlib is not installed for /usr/bin/python3");
      return;
    }

  json_builder_begin_object (builder);
  for (guint net = 0; net < 2; net++)
    {
      ReinNetwork network = net ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;

      json_builder_set_member_name (builder, network_names[net]);
      json_builder_begin_array (builder);
      for (guint i = 0; i < KEYS_PER_NETWORK; i++)
        {
          /* one key in eight uncompressed, as old wallets made them */
          g_autoptr (ReinPrivateKey) key = rein_private_key_generate (i % 8 != 0);
          g_autoptr (ReinPrivateKey) mediator = rein_private_key_generate (TRUE);
          g_autoptr (ReinPrivateKey) worker = rein_private_key_generate (TRUE);
          g_autoptr (ReinPrivateKey) compressed = NULL;
          g_autofree gchar *signature = NULL;
          g_autofree gchar *mediator_pk = rein_private_key_get_public_key_hex (mediator);
          g_autofree gchar *worker_pk = rein_private_key_get_public_key_hex (worker);
          g_autofree gchar *creator_pk = NULL;
          Expected *e = &expected[net][i];
          gchar *wif;

          e->address = rein_private_key_get_address (key, network);
          e->pubkey = rein_private_key_get_public_key_hex (key);
          e->message = g_strdup_printf ("Rein cross-check %u/%u: %08x", net, i,
                                        g_test_rand_int ());
          signature = rein_message_sign (key, e->message, strlen (e->message), &error);
          g_assert_no_error (error);
          /* escrow scripts take compressed keys */
          compressed = rein_private_key_new_from_bytes (rein_private_key_get_secret (key), TRUE,
                                                        NULL);
          creator_pk = rein_private_key_get_public_key_hex (compressed);
          e->escrow = rein_escrow_new (creator_pk, mediator_pk, worker_pk, network, &error);
          g_assert_no_error (error);

          wif = rein_private_key_to_wif (compressed, network);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "wif");
          /* Python builds the scripts from the compressed form and checks
           * the address and signatures with the original form. */
          json_builder_add_string_value (builder, wif);
          rein_secure_free (wif);
          wif = rein_private_key_to_wif (key, network);
          json_builder_set_member_name (builder, "wif_original");
          json_builder_add_string_value (builder, wif);
          rein_secure_free (wif);
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, e->address);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, e->message);
          json_builder_set_member_name (builder, "signature");
          json_builder_add_string_value (builder, signature);
          json_builder_set_member_name (builder, "peers");
          json_builder_begin_array (builder);
          json_builder_add_string_value (builder, mediator_pk);
          json_builder_add_string_value (builder, worker_pk);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  {
    gsize request_len = 0;

    request = json_generator_to_data (generator, &request_len);
    stdin_bytes = g_bytes_new_take (g_steal_pointer (&request), request_len);
  }

  stdout_bytes = python_test_run ("crosscheck.py", stdin_bytes);

  json_parser_load_from_data (parser, g_bytes_get_data (stdout_bytes, NULL),
                              g_bytes_get_size (stdout_bytes), &error);
  g_assert_no_error (error);

  for (guint net = 0; net < 2; net++)
    {
      JsonArray *results = json_object_get_array_member (
          json_node_get_object (json_parser_get_root (parser)), network_names[net]);

      g_assert_cmpuint (json_array_get_length (results), ==, KEYS_PER_NETWORK);
      for (guint i = 0; i < KEYS_PER_NETWORK; i++)
        {
          JsonObject *r = json_array_get_object_element (results, i);
          Expected *e = &expected[net][i];
          const gchar *their_message = json_object_get_string_member (r, "their_message");
          const gchar *their_sig = json_object_get_string_member (r, "their_signature");

          g_assert_true (json_object_get_boolean_member (r, "our_signature_ok"));
          g_assert_cmpstr (json_object_get_string_member (r, "primary_script"), ==,
                           e->escrow->primary_script_hex);
          g_assert_cmpstr (json_object_get_string_member (r, "primary_address"), ==,
                           e->escrow->primary_address);
          g_assert_cmpstr (json_object_get_string_member (r, "mediator_script"), ==,
                           e->escrow->mediator_script_hex);
          g_assert_cmpstr (json_object_get_string_member (r, "mediator_address"), ==,
                           e->escrow->mediator_address);
          g_assert_cmpstr (json_object_get_string_member (r, "address"), ==, e->address);
          g_assert_cmpstr (json_object_get_string_member (r, "pubkey"), ==, e->pubkey);
          g_assert_cmpint (json_object_get_boolean_member (r, "compressed"), ==, i % 8 != 0);
          /* python's signature, made with the same key, verifies here */
          {
            g_autofree gchar *recovered = rein_message_recover_address (
                their_sig, their_message, strlen (their_message),
                net ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET, &error);
            g_assert_no_error (error);
            g_assert_cmpstr (recovered, ==, e->address);
            g_assert_true (rein_message_verify (recovered, their_sig, their_message,
                                                strlen (their_message), &error));
            g_assert_no_error (error);
          }
          checked++;
          expected_clear (e);
        }
    }
  g_assert_cmpuint (checked, ==, 2 * KEYS_PER_NETWORK);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bitcoin/crosscheck/python-bitcoinlib", test_crosscheck);

  return g_test_run ();
}

/* legacy-payment-util.h: asking tests/client/legacy-payment.py, the
 * python-rein 0.3 side (python3-bitcoinlib), from the client and app
 * suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <string.h>

#include "bitcoin/python-test-util.h"
#include "rein-bitcoin.h"
#include "rein-market.h"

G_BEGIN_DECLS

static inline gboolean
have_bitcoinlib (void)
{
  if (python_test_has_module ("bitcoin"))
    return TRUE;
  crosscheck_unavailable ("python3-bitcoinlib is not installed");
  return FALSE;
}

/* Runs legacy-payment.py on the request @builder holds (an open object). */
static inline JsonObject *
run_legacy (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GBytes) output = NULL;
  g_autoptr (GError) error = NULL;
  gchar *text;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  input = g_bytes_new_take (text, strlen (text));
  output = crosscheck_run (rein_test_python (), "../client/legacy-payment.py", input);
  json_parser_load_from_data (parser, g_bytes_get_data (output, NULL),
                              (gssize) g_bytes_get_size (output), &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static inline void
add_string (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* @name: a WIF key, for python-bitcoinlib; the copy in secure memory is
 * wiped at once (the request itself is the test's throwaway key). */
static inline void
add_wif (JsonBuilder *builder, const gchar *name, const ReinPrivateKey *key)
{
  gchar *wif = rein_private_key_to_wif (key, REIN_NETWORK_MAINNET);

  add_string (builder, name, wif);
  rein_secure_free (wif);
}

/* The fields of @doc as the JSON pairs legacy-payment.py reads. */
static inline void
add_document (JsonBuilder *builder, const gchar *name, ReinDocument *doc)
{
  GPtrArray *fields = rein_document_get_fields (doc);

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < fields->len; i++)
    {
      ReinField *field = g_ptr_array_index (fields, i);

      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, field->label);
      json_builder_add_string_value (builder, field->value);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

G_END_DECLS

/* fuzz-answer.c: libFuzzer target for what a server answers (JSON)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the call (request, nonce, put, get, query, status),
 * the second the HTTP status; the rest is the answer's body, read as
 * ReinClient reads it. The body is also parsed by rein_json_parse() alone:
 * whatever it accepts must nest no deeper than the limit it was given, and
 * the depth scan must refuse what json-glib would nest deeper. What the
 * fast reader of query pages (rein_json_scan_list_answer()) takes,
 * json-glib must read to the same strings.
 */
#include <stdint.h>
#include <string.h>

#include "rein-client-private.h"
#include "rein-json.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_DEPTH 8

static ReinClient *client;

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  client = rein_client_new ("http://127.0.0.1/", NULL);
  g_assert (client != NULL);
  return 0;
}

static guint
node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        deepest = MAX (deepest, node_depth (json_array_get_element (array, i)));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        deepest = MAX (deepest, node_depth (member));
      return deepest + 1;
    }
  return 0;
}

/* The fast reader agrees with json-glib (@parser, NULL when it refused)
 * on what it takes: the "jobs" list and the string members. */
static void
check_fast_reader (const gchar *data, gsize size, JsonParser *parser)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GHashTable) strings = NULL;
  GHashTableIter iter;
  gpointer name, value;
  JsonObject *obj;
  JsonArray *array;

  if (!rein_json_scan_list_answer (data, size, FUZZ_DEPTH, "jobs", &list, &strings))
    return;
  g_assert_nonnull (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  obj = json_node_get_object (json_parser_get_root (parser));
  array = json_object_get_array_member (obj, "jobs");
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, list->len);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, g_ptr_array_index (list, i));
  g_hash_table_iter_init (&iter, strings);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_assert_cmpstr (json_object_get_string_member (obj, name), ==, value);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  static const guint statuses[] = { 200, 201, 400, 401, 404, 413, 500, 503 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  ReinClientCallKind kind;
  guint status;

  if (size < 2)
    return 0;
  kind = data[0] % REIN_CLIENT_N_CALLS;
  status = statuses[data[1] % G_N_ELEMENTS (statuses)];
  data += 2;
  size -= 2;

  if (!rein_client_read_answer (client, kind, status, data, size, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  g_clear_error (&error);

  parser = rein_json_parse ((const gchar *) data, size, G_MAXSIZE, FUZZ_DEPTH, &error);
  if (parser != NULL)
    {
      JsonNode *root = json_parser_get_root (parser);

      g_assert_no_error (error);
      g_assert_true (root == NULL || node_depth (root) <= FUZZ_DEPTH);
    }
  else
    g_assert_nonnull (error);
  check_fast_reader ((const gchar *) data, size, parser);
  return 0;
}

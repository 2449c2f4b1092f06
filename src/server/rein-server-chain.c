/* rein-server-chain.c: the chain tip, for the "block_info" of query answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-server-chain.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define MAX_ANSWER (64 * 1024)
#define TIMEOUT 10
/* Timestamps from the genesis block until the year 2500. */
#define MIN_TIME G_GINT64_CONSTANT (1231006505)
#define MAX_TIME G_GINT64_CONSTANT (16725225600)

struct _ReinServerChain
{
  gchar *url; /* ends in "/" */
  guint interval;
  SoupSession *session;
  GCancellable *cancellable;
  guint timeout_id;
  gboolean asking;
  gchar *block_info;
};

/* One request: the message, and its answer read into a bounded buffer. */
typedef struct
{
  ReinServerChain *chain;  /* not to be touched once @cancellable is cancelled */
  GCancellable *cancellable;
  SoupMessage *msg;
  GOutputStream *out;
  gboolean tip; /* asking blocks/tip/hash, else block/HASH */
  gchar *hash;
} Ask;

static void
ask_free (Ask *ask)
{
  g_clear_object (&ask->cancellable);
  g_clear_object (&ask->msg);
  g_clear_object (&ask->out);
  g_free (ask->hash);
  g_free (ask);
}

static void ask_url (ReinServerChain *chain, const gchar *path, gboolean tip, const gchar *hash);

static gboolean
is_hash (const gchar *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* The block's answer: its id, height and timestamp, checked. */
static gchar *
block_info_from (const gchar *hash, const gchar *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *block;
  JsonNode *id, *height, *time;

  if (!json_parser_load_from_data (parser, text, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  block = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_member (block, "id");
  height = json_object_get_member (block, "height");
  time = json_object_get_member (block, "timestamp");
  if (id == NULL || height == NULL || time == NULL
      || json_node_get_value_type (id) != G_TYPE_STRING
      || json_node_get_value_type (height) != G_TYPE_INT64
      || json_node_get_value_type (time) != G_TYPE_INT64
      || g_strcmp0 (json_node_get_string (id), hash) != 0
      || json_node_get_int (height) < 0 || json_node_get_int (height) > G_MAXINT32
      || json_node_get_int (time) < MIN_TIME || json_node_get_int (time) > MAX_TIME)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "hash");
  json_builder_add_string_value (builder, hash);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, json_node_get_int (height));
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, json_node_get_int (time));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
ask_ended (ReinServerChain *chain)
{
  chain->asking = FALSE;
}

static void
spliced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ask *ask = user_data;
  ReinServerChain *chain = ask->chain;
  g_autoptr (GError) error = NULL;
  gssize len = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error);
  const gchar *data;
  g_autofree gchar *text = NULL;

  /* The chain may be gone. */
  if (g_cancellable_is_cancelled (ask->cancellable))
    {
      ask_free (ask);
      return;
    }
  if (len < 0 || soup_message_get_status (ask->msg) != SOUP_STATUS_OK)
    {
      g_debug ("chain backend %s: %s", chain->url,
               error != NULL ? error->message : soup_message_get_reason_phrase (ask->msg));
      ask_ended (chain);
      ask_free (ask);
      return;
    }
  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (ask->out));
  text = g_strndup (data, (gsize) len);
  if (ask->tip)
    {
      g_autofree gchar *path = NULL;

      g_strstrip (text);
      if (!is_hash (text))
        {
          g_debug ("chain backend %s: the tip's hash is not one", chain->url);
          ask_ended (chain);
          ask_free (ask);
          return;
        }
      path = g_strconcat ("block/", text, NULL);
      ask_free (ask);
      ask_url (chain, path, FALSE, text);
      return;
    }
  {
    gchar *info = block_info_from (ask->hash, text, strlen (text));

    if (info != NULL)
      {
        g_free (chain->block_info);
        chain->block_info = info;
      }
    else
      g_debug ("chain backend %s: the block's answer is not one", chain->url);
  }
  ask_ended (chain);
  ask_free (ask);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ask *ask = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) in = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  /* The chain may be gone. */
  if (g_cancellable_is_cancelled (ask->cancellable))
    {
      ask_free (ask);
      return;
    }
  if (in == NULL)
    {
      g_debug ("chain backend %s: %s", ask->chain->url, error->message);
      ask_ended (ask->chain);
      ask_free (ask);
      return;
    }
  /* A fixed buffer: an answer larger than it fails the splice. */
  ask->out = g_memory_output_stream_new (g_malloc (MAX_ANSWER), MAX_ANSWER, NULL, g_free);
  g_output_stream_splice_async (ask->out, in,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                                  | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, ask->cancellable, spliced_cb, ask);
}

static void
ask_url (ReinServerChain *chain, const gchar *path, gboolean tip, const gchar *hash)
{
  g_autofree gchar *url = g_strconcat (chain->url, path, NULL);
  Ask *ask = g_new0 (Ask, 1);

  ask->chain = chain;
  ask->cancellable = g_object_ref (chain->cancellable);
  ask->tip = tip;
  ask->hash = g_strdup (hash);
  ask->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (ask->msg == NULL)
    {
      ask_ended (chain);
      ask_free (ask);
      return;
    }
  soup_session_send_async (chain->session, ask->msg, G_PRIORITY_DEFAULT, chain->cancellable,
                           sent_cb, ask);
}

static gboolean
tick_cb (gpointer user_data)
{
  ReinServerChain *chain = user_data;

  /* One ask at a time: a slow backend is not asked again meanwhile. */
  if (!chain->asking)
    {
      chain->asking = TRUE;
      ask_url (chain, "blocks/tip/hash", TRUE, NULL);
    }
  return G_SOURCE_CONTINUE;
}

ReinServerChain *
rein_server_chain_new (const gchar *url, guint interval, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  ReinServerChain *chain;
  const gchar *scheme;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The chain backend must be an http:// or https:// URL (an Esplora API), "
                   "without a query: %s", url);
      return NULL;
    }
  chain = g_new0 (ReinServerChain, 1);
  chain->url = g_str_has_suffix (url, "/") ? g_strdup (url) : g_strconcat (url, "/", NULL);
  chain->interval = MAX (interval, 1);
  chain->session = soup_session_new_with_options ("timeout", TIMEOUT, "idle-timeout", TIMEOUT,
                                                  "user-agent", "rein-server ", NULL);
  chain->cancellable = g_cancellable_new ();
  tick_cb (chain);
  chain->timeout_id = g_timeout_add_seconds (chain->interval, tick_cb, chain);
  return chain;
}

void
rein_server_chain_free (ReinServerChain *chain)
{
  if (chain == NULL)
    return;
  g_cancellable_cancel (chain->cancellable);
  g_clear_handle_id (&chain->timeout_id, g_source_remove);
  /* Cancelled asks end later, in the main loop: they must not touch the
   * chain then. */
  soup_session_abort (chain->session);
  g_clear_object (&chain->session);
  g_clear_object (&chain->cancellable);
  g_free (chain->url);
  g_free (chain->block_info);
  g_free (chain);
}

const gchar *
rein_server_chain_get_block_info (ReinServerChain *chain)
{
  g_return_val_if_fail (chain != NULL, NULL);
  return chain->block_info;
}

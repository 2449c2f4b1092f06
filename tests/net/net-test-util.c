/* net-test-util.c: helpers for the network suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <gio/gio.h>

#include "net-test-util.h"

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for an asynchronous call");
  return G_SOURCE_REMOVE;
}

void
net_test_wait (gboolean *flag)
{
  guint id = g_timeout_add_seconds (30, timeout_cb, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

typedef struct
{
  guint status;
  gchar *body;
  gboolean json;
} FakeAnswer;

static void
fake_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  FakeAnswer *answer = user_data;

  soup_server_message_set_status (msg, answer->status, NULL);
  soup_server_message_set_response (msg, answer->json ? "application/json" : "text/plain",
                                    SOUP_MEMORY_COPY, answer->body, strlen (answer->body));
}

static void
fake_answer_free (gpointer data)
{
  FakeAnswer *answer = data;

  g_free (answer->body);
  g_free (answer);
}

FakeServer *
fake_server_new (guint status, const gchar *body, gboolean json)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  FakeAnswer *answer = g_new0 (FakeAnswer, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  answer->status = status;
  answer->body = g_strdup (body);
  answer->json = json;
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_handler, answer, fake_answer_free);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

void
fake_server_free (FakeServer *fake)
{
  if (fake == NULL)
    return;
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_free (fake);
}

ReinStore *
net_test_reader_store (const gchar *template, gchar **out_dir, ReinIdentity **out_identity)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Reader", .contact = "r@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  ReinStore *store;

  *out_dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  store = rein_store_open (*out_dir, &error);
  g_assert_no_error (error);
  *out_identity = rein_store_add_identity_from_mnemonic (store, &params, phrase, NULL, "pw",
                                                         &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
  return store;
}

gchar *
net_test_dead_url (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  guint port;

  /* Bind a port, note it and close it: nothing listens there now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u/", port);
}

/* ---- counting proxy ---- */

typedef struct
{
  SoupServerMessage *msg;
  SoupMessage *out;
  gboolean no_cursor;
} Forward;

/* rein-server writes `"cursor":"N",` right after "result": without it, the
 * answer is one of a server from before `since`. */
static gchar *
strip_cursor (const gchar *data, gsize len)
{
  g_autofree gchar *text = g_strndup (data, len);
  gchar *start = strstr (text, "\"cursor\":\"");
  gchar *end = start != NULL ? strstr (start + 10, "\",") : NULL;

  if (end != NULL)
    memmove (start, end + 2, strlen (end + 2) + 1);
  return g_steal_pointer (&text);
}

static void
forwarded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Forward *fwd = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);

  if (body == NULL)
    soup_server_message_set_status (fwd->msg, SOUP_STATUS_BAD_GATEWAY, NULL);
  else
    {
      const gchar *type = soup_message_headers_get_content_type (
          soup_message_get_response_headers (fwd->out), NULL);
      gsize len = 0;
      const gchar *data = g_bytes_get_data (body, &len);
      g_autofree gchar *stripped = fwd->no_cursor ? strip_cursor (data, len) : NULL;

      soup_server_message_set_status (fwd->msg, soup_message_get_status (fwd->out), NULL);
      soup_server_message_set_response (fwd->msg, type != NULL ? type : "text/plain",
                                        SOUP_MEMORY_COPY, stripped != NULL ? stripped : data,
                                        stripped != NULL ? strlen (stripped) : len);
    }
  soup_server_message_unpause (fwd->msg);
  g_object_unref (fwd->msg);
  g_object_unref (fwd->out);
  g_free (fwd);
}

static void
proxy_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer user_data)
{
  CountingProxy *proxy = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  const gchar *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autofree gchar *target = NULL;
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  Forward *fwd = g_new0 (Forward, 1);

  g_ptr_array_add (proxy->requests, g_strdup_printf ("%s %s%s%s", method, path,
                                                     raw_query ? "?" : "",
                                                     raw_query ? raw_query : ""));
  if (proxy->hook != NULL)
    proxy->hook (proxy, g_ptr_array_index (proxy->requests, proxy->requests->len - 1),
                 proxy->hook_data);
  /* path starts with "/", the upstream URL ends with one */
  target = g_strdup_printf ("%s%s%s%s", proxy->upstream, path + 1, raw_query ? "?" : "",
                            raw_query ? raw_query : "");
  fwd->msg = g_object_ref (msg);
  fwd->no_cursor = proxy->no_cursor;
  fwd->out = soup_message_new (method, target);
  g_assert_nonnull (fwd->out);
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (
        fwd->out,
        soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                               NULL),
        body);
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy->session, fwd->out, G_PRIORITY_DEFAULT, NULL,
                                    forwarded_cb, fwd);
}

CountingProxy *
counting_proxy_new (const gchar *upstream)
{
  CountingProxy *proxy = g_new0 (CountingProxy, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  proxy->upstream = g_strdup (upstream);
  proxy->requests = g_ptr_array_new_with_free_func (g_free);
  proxy->session = soup_session_new_with_options ("timeout", 30, "max-conns-per-host", 8, NULL);
  proxy->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (proxy->server, NULL, proxy_handler, proxy, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return proxy;
}

void
counting_proxy_set_upstream (CountingProxy *proxy, const gchar *upstream)
{
  g_free (proxy->upstream);
  proxy->upstream = g_strdup (upstream);
  /* no kept-alive connection to the old one */
  g_clear_object (&proxy->session);
  proxy->session = soup_session_new_with_options ("timeout", 30, "max-conns-per-host", 8, NULL);
}

guint
counting_proxy_count (CountingProxy *proxy, const gchar *method, const gchar *path)
{
  g_autofree gchar *prefix = g_strdup_printf ("%s %s", method, path);
  gsize len = strlen (prefix);
  guint n = 0;

  for (guint i = 0; i < proxy->requests->len; i++)
    {
      const gchar *line = g_ptr_array_index (proxy->requests, i);

      if (strncmp (line, prefix, len) == 0 && (line[len] == '\0' || line[len] == '?'))
        n++;
    }
  return n;
}

void
counting_proxy_reset (CountingProxy *proxy)
{
  g_ptr_array_set_size (proxy->requests, 0);
}

void
counting_proxy_free (CountingProxy *proxy)
{
  if (proxy == NULL)
    return;
  soup_server_disconnect (proxy->server);
  g_object_unref (proxy->server);
  g_object_unref (proxy->session);
  g_ptr_array_unref (proxy->requests);
  g_free (proxy->upstream);
  g_free (proxy->url);
  g_free (proxy);
}

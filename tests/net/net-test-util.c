/* net-test-util.c: helpers for the network suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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

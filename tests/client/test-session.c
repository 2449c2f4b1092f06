/* test-session.c: the session service (rein-session.h) used the way
 * rein-cli uses it, one call waited for after another, against a real
 * rein-server on loopback and a port where nothing listens: adding an
 * identity from a recovery phrase, adding servers, syncing, and each
 * server's health as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "client-test-util.h"
#include "rein-test-util.h"

#define PASSWORD "pw"

typedef struct
{
  TestServer *server;
  GSocket *dead_socket; /* bound, never listening: connections are refused */
  gchar *dead_url;
  gchar *dir;
  ReinStore *store;
  ReinSession *session;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  /* The port stays bound for the test, so that no other server (tests run
   * in parallel) can take it. */
  f->dead_socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (f->dead_socket, any, FALSE, &error));
  bound = g_socket_get_local_address (f->dead_socket, &error);
  g_assert_no_error (error);
  f->dead_url = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (
                                                            G_INET_SOCKET_ADDRESS (bound)));
  f->server = test_server_start (NULL, NULL);
  f->dir = g_dir_make_tmp ("rein-session-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  /* as rein_cli_open_session() does */
  f->session = rein_session_new (f->store);
  while (!rein_session_get_loaded (f->session))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_false (rein_session_get_saving (f->session));
  /* a worker thread may drop its reference just after its result came */
  g_object_add_weak_pointer (G_OBJECT (f->session), (gpointer *) &f->session);
  g_object_unref (f->session);
  for (guint i = 0; f->session != NULL && i < 5000; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (f->session);
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->dead_url);
  g_socket_close (f->dead_socket, NULL);
  g_clear_object (&f->dead_socket);
  test_server_stop (f->server);
  test_server_free (f->server);
}

/* An identity from a new phrase, as "rein-cli setup" makes it. */
static ReinIdentity *
add_identity (Fixture *f, const gchar *name, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  ReinIdentityParams params = { .name = name, .contact = "me@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  ReinIdentity *identity;

  rein_session_add_identity_from_mnemonic_async (f->session, &params, phrase, NULL, PASSWORD,
                                                 NULL, wait_cb, &result);
  rein_secure_free (phrase);
  wait_for (&result);
  identity = rein_session_add_identity_finish (f->session, result, error);
  while (rein_session_get_saving (f->session))
    g_main_context_iteration (NULL, TRUE);
  return identity;
}

static GPtrArray *
add_server (Fixture *f, const gchar *url, ReinAddServerFlags flags, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_session_add_server_async (f->session, url, flags, NULL, wait_cb, &result);
  wait_for (&result);
  return rein_session_add_server_finish (f->session, result, error);
}

static ReinServerInfo *
find_server (Fixture *f, const gchar *url)
{
  GListModel *servers = rein_session_get_servers (f->session);

  for (guint i = 0; i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr (ReinServerInfo) s = g_list_model_get_item (servers, i);

      if (g_strcmp0 (rein_server_info_get_url (s), url) == 0)
        return s;
    }
  return NULL;
}

static guint
n_stored_servers (Fixture *f)
{
  g_auto (GStrv) urls = rein_store_list_servers (f->store, NULL, NULL);

  return urls ? g_strv_length (urls) : 0;
}

static ReinPrivateKey *
unlock (Fixture *f)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  ReinPrivateKey *key;

  rein_session_unlock_async (f->session, PASSWORD, FALSE, NULL, wait_cb, &result);
  wait_for (&result);
  key = rein_session_unlock_finish (f->session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  /* for one operation: the session does not keep it */
  g_assert_false (rein_session_get_unlocked (f->session));
  return key;
}

static void
test_add_identity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) first = NULL;
  g_autoptr (ReinIdentity) second = NULL;
  g_autoptr (ReinIdentity) stored = NULL;
  g_autoptr (ReinIdentity) bad = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  ReinIdentityParams params = { .name = "Bad", .contact = "bad@example.com" };

  first = add_identity (f, "First", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_identity_get_id (rein_session_get_active_identity (f->session)), ==,
                   rein_identity_get_id (first));
  second = add_identity (f, "Second", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_session_get_identities (f->session)), ==, 2);

  /* the newest is the active one, in the session and in the store */
  g_assert_cmpint (rein_identity_get_id (rein_session_get_active_identity (f->session)), ==,
                   rein_identity_get_id (second));
  stored = rein_store_get_active_identity (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_name (stored), ==, "Second");
  g_assert_nonnull (rein_identity_get_enrollment (stored));

  /* a phrase whose checksum fails adds nothing */
  rein_session_add_identity_from_mnemonic_async (
    f->session, &params,
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon", NULL, PASSWORD, NULL, wait_cb, &result);
  wait_for (&result);
  bad = rein_session_add_identity_finish (f->session, result, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_session_get_identities (f->session)), ==, 2);
  g_assert_cmpint (rein_identity_get_id (rein_session_get_active_identity (f->session)), ==,
                   rein_identity_get_id (second));
}

static void
test_add_server (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autofree gchar *typed = NULL;
  g_autofree gchar *summary = NULL;

  /* no identity: nothing to ask storage for */
  none = add_server (f, f->server->url, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_null (none);
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (n_stored_servers (f), ==, 0);

  identity = add_identity (f, "Requester", &error);
  g_assert_no_error (error);

  /* one spelling per server, as a user may type it */
  g_assert_true (g_str_has_suffix (f->server->url, "/"));
  typed = g_strdup_printf ("  %.*s \n", (int) strlen (f->server->url) - 1, f->server->url);
  {
    g_autofree gchar *clean = rein_server_url_normalize (typed);

    g_assert_cmpstr (clean, ==, f->server->url);
  }

  /* a server that answers grants buckets, which are stored */
  buckets = add_server (f, typed, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buckets->len, >, 0);
  g_assert_cmpint (((ReinBucket *) g_ptr_array_index (buckets, 0))->bytes_free, >, 0);
  summary = rein_buckets_describe (buckets);
  g_assert_true (strstr (summary, "free") != NULL);
  g_assert_nonnull (find_server (f, f->server->url));
  g_assert_cmpuint (n_stored_servers (f), ==, 1);

  /* asked again (rein-cli's "request" twice): the same server, buckets again */
  again = add_server (f, f->server->url, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rein_session_get_servers (f->session)), ==, 1);
  g_assert_cmpuint (n_stored_servers (f), ==, 1);

  /* not an address: nothing stored */
  none = add_server (f, "ftp://example.com/", REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_null (none);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (n_stored_servers (f), ==, 1);

  /* a server that does not answer: rein-cli forgets it... */
  none = add_server (f, f->dead_url, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_null (none);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_null (find_server (f, f->dead_url));
  g_assert_cmpuint (n_stored_servers (f), ==, 1);

  /* ...the app keeps it listed, with its error */
  none = add_server (f, f->dead_url, REIN_ADD_SERVER_NONE, &error);
  g_assert_null (none);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_nonnull (find_server (f, f->dead_url));
  g_assert_cmpuint (n_stored_servers (f), ==, 2);
}

static void
sync_finished_cb (ReinSession *session, guint failed, const gchar *first_error, gpointer data)
{
  *(gint *) data = (gint) failed;
}

static GPtrArray *
sync_all (Fixture *f, const ReinPrivateKey *key, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_session_sync_async (f->session, key, NULL, wait_cb, &result);
  g_assert_true (rein_session_get_syncing (f->session));
  wait_for (&result);
  g_assert_false (rein_session_get_syncing (f->session));
  return rein_session_sync_finish (f->session, result, error);
}

static void
test_sync (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autoptr (GAsyncResult) busy = NULL;
  g_autoptr (GAsyncResult) refused = NULL;
  ReinServerInfo *live, *dead;
  gint failed = -1;

  identity = add_identity (f, "Syncer", &error);
  g_assert_no_error (error);
  buckets = add_server (f, f->server->url, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_no_error (error);
  g_clear_pointer (&buckets, g_ptr_array_unref);
  buckets = add_server (f, f->dead_url, REIN_ADD_SERVER_NONE, &error);
  g_assert_null (buckets);
  g_clear_error (&error);
  key = unlock (f);
  g_signal_connect (f->session, "sync-finished", G_CALLBACK (sync_finished_cb), &failed);

  first = sync_all (f, key, &error);
  g_assert_no_error (error);
  g_assert_cmpint (failed, ==, 1);
  g_assert_cmpuint (first->len, ==, 2);
  for (guint i = 0; i < first->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (first, i);

      if (g_strcmp0 (r->url, f->server->url) == 0)
        {
          g_assert_null (r->error);
          /* the enrollment, at least */
          g_assert_cmpuint (r->total, >=, 1);
          g_assert_cmpuint (r->pushed, ==, r->total);
        }
      else
        {
          g_assert_cmpstr (r->url, ==, f->dead_url);
          g_assert_nonnull (r->error);
          g_assert_true (r->unreachable);
        }
    }

  /* the servers' health, from that sync */
  live = find_server (f, f->server->url);
  dead = find_server (f, f->dead_url);
  g_assert_cmpint (rein_server_info_get_health (live), ==, REIN_SERVER_HEALTH_OK);
  g_assert_cmpint (rein_server_info_get_documents_held (live), >=, 1);
  g_assert_cmpint (rein_server_info_get_documents_held (live), ==,
                   rein_server_info_get_documents_total (live));
  g_assert_cmpint (rein_server_info_get_last_sync (live), >, 0);
  g_assert_null (rein_server_info_get_last_error (live));
  g_assert_false (rein_server_info_get_syncing (live));
  g_assert_cmpint (rein_server_info_get_health (dead), ==, REIN_SERVER_HEALTH_UNREACHABLE);
  g_assert_nonnull (rein_server_info_get_last_error (dead));
  g_assert_cmpint (rein_server_info_get_last_sync (dead), ==, 0);
  g_assert_cmpint (rein_session_get_last_sync (f->session), >, 0);

  /* one sync at a time */
  rein_session_sync_async (f->session, key, NULL, wait_cb, &busy);
  rein_session_sync_async (f->session, key, NULL, wait_cb, &refused);
  wait_for (&refused);
  g_assert_null (rein_session_sync_finish (f->session, refused, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  wait_for (&busy);

  /* the second time, all is there already */
  second = rein_session_sync_finish (f->session, busy, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < second->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (second, i);

      if (g_strcmp0 (r->url, f->server->url) == 0)
        {
          g_assert_null (r->error);
          g_assert_cmpuint (r->pushed, ==, 0);
          g_assert_cmpuint (r->unchanged, ==, r->total);
        }
    }
  g_signal_handlers_disconnect_by_func (f->session, sync_finished_cb, &failed);
}

static void
count_notify_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

static gboolean
both_checked (Fixture *f)
{
  return rein_server_info_get_health (find_server (f, f->server->url))
           != REIN_SERVER_HEALTH_UNKNOWN
         && rein_server_info_get_health (find_server (f, f->dead_url))
              != REIN_SERVER_HEALTH_UNKNOWN;
}

static void
test_health (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (GPtrArray) buckets = NULL;
  g_autofree gchar *live_line = NULL;
  g_autofree gchar *dead_line = NULL;
  ReinServerInfo *live, *dead;
  GEnumClass *health_class;
  guint notified = 0;

  identity = add_identity (f, "Checker", &error);
  g_assert_no_error (error);
  buckets = add_server (f, f->server->url, REIN_ADD_SERVER_FORGET_UNANSWERED, &error);
  g_assert_no_error (error);
  g_clear_pointer (&buckets, g_ptr_array_unref);
  buckets = add_server (f, f->dead_url, REIN_ADD_SERVER_NONE, &error);
  g_assert_null (buckets);
  g_clear_error (&error);

  live = find_server (f, f->server->url);
  dead = find_server (f, f->dead_url);
  /* nothing heard yet in this session */
  g_assert_cmpint (rein_server_info_get_health (live), ==, REIN_SERVER_HEALTH_UNKNOWN);
  g_assert_cmpint (rein_server_info_get_latency (live), ==, -1);
  g_assert_cmpint (rein_server_info_get_documents_held (live), ==, -1);
  g_signal_connect (live, "notify::health", G_CALLBACK (count_notify_cb), &notified);

  rein_session_check_servers (f->session);
  while (!both_checked (f))
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (rein_server_info_get_health (live), ==, REIN_SERVER_HEALTH_OK);
  g_assert_cmpint (rein_server_info_get_latency (live), >=, 0);
  g_assert_cmpint (rein_server_info_get_latency (live), <, 10000);
  /* the enrollment is ours, but nothing was synced yet */
  g_assert_cmpint (rein_server_info_get_documents_total (live), ==, 1);
  g_assert_cmpint (rein_server_info_get_documents_held (live), ==, 0);
  g_assert_cmpint (rein_server_info_get_last_sync (live), ==, 0);
  g_assert_null (rein_server_info_get_last_error (live));

  g_assert_cmpint (rein_server_info_get_health (dead), ==, REIN_SERVER_HEALTH_UNREACHABLE);
  g_assert_cmpint (rein_server_info_get_latency (dead), ==, -1);
  g_assert_nonnull (rein_server_info_get_last_error (dead));

  /* the same data as properties, for a view to bind */
  {
    ReinServerHealth health;
    gint latency;
    g_autofree gchar *last_error = NULL;

    g_object_get (dead, "health", &health, "latency", &latency, "last-error", &last_error,
                  NULL);
    g_assert_cmpint (health, ==, REIN_SERVER_HEALTH_UNREACHABLE);
    g_assert_cmpint (latency, ==, -1);
    g_assert_cmpstr (last_error, ==, rein_server_info_get_last_error (dead));
  }
  health_class = g_type_class_ref (REIN_TYPE_SERVER_HEALTH);
  g_assert_cmpstr (g_enum_get_value (health_class, REIN_SERVER_HEALTH_UNREACHABLE)->value_nick,
                   ==, "unreachable");
  g_type_class_unref (health_class);

  /* and one line for a person, made of it */
  live_line = rein_server_info_describe (live);
  dead_line = rein_server_info_describe (dead);
  g_assert_true (g_str_has_prefix (live_line, "Reachable · "));
  g_assert_nonnull (strstr (live_line, "holds 0 of our 1 document"));
  /* in plain words, not the connection error's */
  g_assert_true (g_str_has_prefix (dead_line, "Did not answer"));
  g_assert_null (strstr (dead_line, rein_server_info_get_last_error (dead)));

  g_signal_handlers_disconnect_by_func (live, count_notify_cb, &notified);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rein_secret_set_scrypt_cost (10);
  g_test_add ("/client/session/add-identity", Fixture, NULL, fixture_setup, test_add_identity,
              fixture_teardown);
  g_test_add ("/client/session/add-server", Fixture, NULL, fixture_setup, test_add_server,
              fixture_teardown);
  g_test_add ("/client/session/sync", Fixture, NULL, fixture_setup, test_sync, fixture_teardown);
  g_test_add ("/client/session/health", Fixture, NULL, fixture_setup, test_health,
              fixture_teardown);
  return g_test_run ();
}

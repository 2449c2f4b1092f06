/* server-fixture.c: a real rein-server process and an HTTP client for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "server-fixture.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

/* The server dies with the test, even when an assertion aborts it; its
 * open-file limit is *user_data when that is not 0. */
static void
child_setup (gpointer user_data)
{
  const guint *nofile = user_data;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (nofile != NULL && *nofile > 0)
    {
      struct rlimit limit = { .rlim_cur = *nofile, .rlim_max = *nofile };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags, const gchar *data_home, const guint *nofile)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  if (data_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, (gpointer) nofile, NULL);
  return launcher;
}

static GPtrArray *
server_argv (const gchar *database, const gchar *const *extra_args)
{
  const gchar *binary = g_getenv ("REIN_SERVER");
  GPtrArray *argv = g_ptr_array_new ();

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  g_ptr_array_add (argv, (gpointer) "--port=0");
  g_ptr_array_add (argv, (gpointer) "--quiet");
  if (database != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--database");
      g_ptr_array_add (argv, (gpointer) database);
    }
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Spawns the server with @database (NULL: no --database, the server's
 * default) and XDG_DATA_HOME set to @data_home when not NULL. */
static void
server_spawn (TestServer *server,
              const gchar *database,
              const gchar *data_home,
              const gchar *const *extra_args)
{
  g_autoptr (GPtrArray) argv = server_argv (database, extra_args);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, data_home, &server->nofile);
  if (server->stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, server->stderr_path);
  server->process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  test_server_wait_listening (server);
}

void
test_server_wait_listening (TestServer *server)
{
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  const gchar *prefix = "listening on http://127.0.0.1:";

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  server->port = (guint) g_ascii_strtoull (line + strlen (prefix), NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
  server->url = g_strdup_printf ("http://127.0.0.1:%u/", server->port);
  g_assert_cmpstr (line + strlen ("listening on "), ==, server->url);

  /* libsoup opens a new connection for each POST and keeps the old ones
   * idle up to its per-host maximum: keep that under the server's limit. */
  server->session = soup_session_new_with_options ("timeout", 30, "max-conns", 16,
                                                   "max-conns-per-host", 8, NULL);
}

TestServer *
test_server_start (const gchar *database, const gchar *const *extra_args)
{
  g_autoptr (GError) error = NULL;
  TestServer *server = g_new0 (TestServer, 1);

  if (database == NULL)
    {
      server->directory = g_dir_make_tmp ("rein-server-test-XXXXXX", &error);
      g_assert_no_error (error);
      server->owns_directory = TRUE;
      server->database = test_store_new_database (server->directory);
    }
  else
    server->database = g_strdup (database);
  server_spawn (server, server->database, NULL, extra_args);
  return server;
}

TestServer *
test_server_start_full (const gchar *database,
                        const gchar *const *extra_args,
                        guint nofile,
                        gboolean capture_stderr)
{
  g_autoptr (GError) error = NULL;
  TestServer *server = g_new0 (TestServer, 1);

  server->directory = g_dir_make_tmp ("rein-server-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->owns_directory = TRUE;
  server->database = database != NULL ? g_strdup (database)
                                      : test_store_new_database (server->directory);
  server->nofile = nofile;
  if (capture_stderr)
    server->stderr_path = g_build_filename (server->directory, "stderr.txt", NULL);
  server_spawn (server, server->database, NULL, extra_args);
  return server;
}

gchar *
test_server_get_stderr (TestServer *server)
{
  gchar *text = NULL;

  g_assert_nonnull (server->stderr_path);
  if (!g_file_get_contents (server->stderr_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

gint
test_server_run_to_exit (const gchar *database,
                         const gchar *const *extra_args,
                         gchar **out_stdout,
                         gchar **out_stderr)
{
  g_autoptr (GPtrArray) argv = server_argv (database, extra_args);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  /* A server that starts after all is stopped (status 124) rather than
   * waited for forever. */
  g_ptr_array_insert (argv, 0, (gpointer) "60");
  g_ptr_array_insert (argv, 0, (gpointer) "timeout");
  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

TestServer *
test_server_start_in_data_home (const gchar *data_home, const gchar *const *extra_args)
{
  TestServer *server = g_new0 (TestServer, 1);

  /* Where the server should put it: asserted by the caller. */
  server->database = g_build_filename (data_home, "rein-server", "rein-server.db", NULL);
  server_spawn (server, NULL, data_home, extra_args);
  return server;
}

void
test_server_stop (TestServer *server)
{
  test_server_stop_with_signal (server, SIGTERM);
}

void
test_server_stop_with_signal (TestServer *server, gint signum)
{
  g_autoptr (GError) error = NULL;

  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, signum);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
test_server_kill (TestServer *server)
{
  if (server->process == NULL)
    return;
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

static void
remove_directory (const gchar *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

void
test_server_free (TestServer *server)
{
  if (server == NULL)
    return;
  test_server_stop (server);
  g_clear_object (&server->session);
  if (server->owns_directory)
    remove_directory (server->directory);
  g_free (server->directory);
  g_free (server->database);
  g_free (server->url);
  g_free (server->stderr_path);
  g_free (server);
}

void
answer_free (Answer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->content_type);
  g_free (answer->body);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

static Answer *
answer_new (guint status, const gchar *content_type, const gchar *body, gsize len)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->status = status;
  answer->content_type = g_strdup (content_type);
  answer->body = g_strndup (body, len);
  answer->json = json_from_string (answer->body, NULL);
  return answer;
}

static Answer *
send_message (TestServer *server, SoupMessage *msg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize len = 0;
  const gchar *data;

  bytes = soup_session_send_and_read (server->session, msg, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  return answer_new (soup_message_get_status (msg),
                     soup_message_headers_get_content_type (
                       soup_message_get_response_headers (msg), NULL),
                     data != NULL ? data : "", len);
}

Answer *
http_get (TestServer *server, const gchar *path_and_query)
{
  g_autofree gchar *url = g_strconcat (server->url, path_and_query, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  g_assert_nonnull (msg);
  return send_message (server, msg);
}

Answer *
http_post (TestServer *server, const gchar *path, const gchar *body, gssize len)
{
  g_autofree gchar *url = g_strconcat (server->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) bytes = NULL;

  if (len < 0)
    len = (gssize) strlen (body);
  bytes = g_bytes_new (body, (gsize) len);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return send_message (server, msg);
}

Answer *
http_raw (TestServer *server, const gchar *request, gsize len)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GByteArray) received = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  GOutputStream *out;
  GInputStream *in;
  gchar buffer[4096];
  gssize n;
  const gchar *head_end;
  g_autofree gchar *text = NULL;
  guint status = 0;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", server->port, NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  /* The server may answer and stop reading early; a failed write is fine. */
  g_output_stream_write_all (out, request, len, NULL, NULL, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (connection), FALSE, TRUE, NULL);
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (received, (const guint8 *) buffer, (guint) n);

  g_byte_array_append (received, (const guint8 *) "", 1);
  text = g_strdup ((const gchar *) received->data);
  if (g_str_has_prefix (text, "HTTP/1.1 ") || g_str_has_prefix (text, "HTTP/1.0 "))
    status = (guint) g_ascii_strtoull (text + 9, NULL, 10);
  head_end = strstr (text, "\r\n\r\n");
  if (head_end == NULL)
    return answer_new (status, NULL, "", 0);
  {
    g_autofree gchar *head = g_strndup (text, head_end - text);
    g_autofree gchar *lower = g_ascii_strdown (head, -1);
    const gchar *content_type = strstr (lower, "content-type: application/json") != NULL
                                ? "application/json" : NULL;

    return answer_new (status, content_type, head_end + 4, strlen (head_end + 4));
  }
}

JsonObject *
answer_object (Answer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

gboolean
answer_is_json_error (Answer *answer)
{
  JsonObject *object;

  if (g_strcmp0 (answer->content_type, "application/json") != 0
      || answer->json == NULL || !JSON_NODE_HOLDS_OBJECT (answer->json))
    return FALSE;
  object = json_node_get_object (answer->json);
  if (json_object_has_member (object, "error"))
    return TRUE;
  return g_strcmp0 (json_object_get_string_member_with_default (object, "result", ""),
                    "error") == 0
         && json_object_has_member (object, "message");
}

Identity *
identity_new (const gchar *name)
{
  Identity *identity = g_new0 (Identity, 1);

  identity->master = rein_private_key_generate (TRUE);
  identity->delegate = rein_private_key_generate (TRUE);
  identity->master_address = rein_private_key_get_address (identity->master,
                                                           REIN_NETWORK_MAINNET);
  identity->delegate_address = rein_private_key_get_address (identity->delegate,
                                                             REIN_NETWORK_MAINNET);
  identity->public_key = rein_private_key_get_public_key_hex (identity->delegate);
  identity->name = g_strdup (name);
  return identity;
}

void
identity_free (Identity *identity)
{
  if (identity == NULL)
    return;
  rein_private_key_free (identity->master);
  rein_private_key_free (identity->delegate);
  g_free (identity->master_address);
  g_free (identity->delegate_address);
  g_free (identity->public_key);
  g_free (identity->name);
  g_free (identity->nonce);
  g_free (identity);
}

static gchar *
sign_with (const ReinPrivateKey *key, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) document = rein_document_new_signed (text, key,
                                                                REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return g_strdup (rein_document_get_armored (document));
}

gchar *
identity_enrollment (Identity *identity, gboolean mediator)
{
  g_autoptr (GString) text = g_string_new ("Rein User Enrollment\n");

  g_string_append_printf (text, "User: %s\nContact: %s@example.com\n",
                          identity->name, identity->name);
  g_string_append_printf (text, "Master signing address: %s\n", identity->master_address);
  g_string_append_printf (text, "Delegate signing address: %s\n", identity->delegate_address);
  g_string_append_printf (text, "Willing to mediate: %s", mediator ? "True" : "False");
  if (mediator)
    g_string_append_printf (text, "\nMediator public key: %s\nMediator fee: 1.0%%",
                            identity->public_key);
  return sign_with (identity->master, text->str);
}

gchar *
identity_sign (Identity *identity, const gchar *text)
{
  return sign_with (identity->delegate, text);
}

void
identity_register (Identity *identity, TestServer *server)
{
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", identity->name);

  test_server_register (server, identity->master_address, identity->delegate_address, contact);
}

void
test_server_register (TestServer *server,
                      const gchar *owner,
                      const gchar *delegate,
                      const gchar *contact)
{
  g_autofree gchar *o = g_uri_escape_string (owner, NULL, FALSE);
  g_autofree gchar *d = g_uri_escape_string (delegate, NULL, FALSE);
  g_autofree gchar *c = g_uri_escape_string (contact, NULL, FALSE);
  g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=%s", o, d, c);
  g_autoptr (Answer) answer = http_get (server, path);

  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "result"), ==,
                   "success");
}

const gchar *
identity_fetch_nonce (Identity *identity, TestServer *server)
{
  g_autofree gchar *path = g_strdup_printf ("nonce?address=%s", identity->master_address);
  g_autoptr (Answer) answer = http_get (server, path);
  const gchar *nonce;

  g_assert_cmpuint (answer->status, ==, 200);
  nonce = json_object_get_string_member (answer_object (answer), "nonce");
  g_assert_cmpuint (strlen (nonce), ==, 32);
  g_free (identity->nonce);
  identity->nonce = g_strdup (nonce);
  return identity->nonce;
}

gchar *
identity_put_body (Identity *identity,
                   Identity *signer,
                   const gchar *key,
                   const gchar *value,
                   const gchar *nonce,
                   gboolean testnet)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *message = g_strconcat (key, value, signer->delegate_address, nonce, NULL);
  g_autofree gchar *signature = rein_message_sign (signer->delegate, message, strlen (message),
                                                   &error);

  g_assert_no_error (error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, value);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_string_value (builder, nonce);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature);
  json_builder_set_member_name (builder, "signature_address");
  json_builder_add_string_value (builder, signer->delegate_address);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, identity->master_address);
  json_builder_set_member_name (builder, "testnet");
  json_builder_add_boolean_value (builder, testnet);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

Answer *
identity_put (Identity *identity,
              TestServer *server,
              const gchar *key,
              const gchar *value,
              gboolean testnet)
{
  g_autofree gchar *body = NULL;

  if (identity->nonce == NULL || *identity->nonce == '\0')
    identity_fetch_nonce (identity, server);
  body = identity_put_body (identity, identity, key, value, identity->nonce, testnet);
  return http_post (server, "put", body, -1);
}

static gchar *
random_string (const gchar *alphabet, guint len)
{
  gchar *text = g_new0 (gchar, len + 1);
  gsize n = strlen (alphabet);

  for (guint i = 0; i < len; i++)
    text[i] = alphabet[g_random_int_range (0, (gint32) n)];
  return text;
}

void
identity_put_ok (Identity *identity, TestServer *server, const gchar *value)
{
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) answer = NULL;

  g_clear_pointer (&identity->nonce, g_free);
  answer = identity_put (identity, server, key, value, FALSE);
  if (answer->status != 201)
    g_error ("the put was refused (HTTP %u): %s", answer->status, answer->body);
  g_clear_pointer (&identity->nonce, g_free);
}

gchar *
identity_bid (Identity *worker, const gchar *posting, const gchar *amount,
              const gchar *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) job = rein_document_new_from_armored (posting, -1, &error);
  g_autofree gchar *contact = g_ascii_strdown (worker->name, -1);
  g_autofree gchar *email = g_strconcat (contact, "@example.com", NULL);
  g_autofree gchar *text = NULL;
  ReinBidParams params = {
    .worker = worker->name,
    .worker_contact = email,
    .worker_master_address = worker->master_address,
    .worker_public_key = worker->public_key,
    .description = description,
    .bid_amount = amount,
  };

  g_assert_no_error (error);
  text = rein_document_build_bid (job, &params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return identity_sign (worker, text);
}

gchar *
random_key (void)
{
  return random_string ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
}

gchar *
random_job_id (void)
{
  return random_string ("abcdefghijklmnopqrstuvwxyz0123456789", 20);
}

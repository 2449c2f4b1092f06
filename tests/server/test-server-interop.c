/* test-server-interop.c: a client built on python3-bitcoinlib, an
 * implementation independent of ours, talks to rein-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "server-fixture.h"

static void
test_python_client (void)
{
  const gchar *python = g_getenv ("PYTHON3");
  const gchar *script = g_getenv ("REIN_PUT_CLIENT");
  g_autoptr (TestServer) server = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (JsonNode) result = NULL;
  g_autofree gchar *path = NULL;
  JsonObject *object;
  JsonArray *keys;
  const gchar *owner, *job_id;

  if (python == NULL || !g_file_test (python, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /usr/bin/python3");
      return;
    }
  {
    const gchar *check[] = { python, "-c", "import bitcoin.signmessage", NULL };
    g_autoptr (GSubprocess) probe = g_subprocess_newv (check, G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                       NULL);

    if (probe == NULL || !g_subprocess_wait_check (probe, NULL, NULL))
      {
        g_test_skip ("python3-bitcoinlib is not installed");
        return;
      }
  }

  server = test_server_start (NULL, NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, python, script, server->url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("python client failed:\n%s\n%s", out, err);

  result = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (result);
  owner = json_object_get_string_member (object, "owner");
  job_id = json_object_get_string_member (object, "job_id");
  keys = json_object_get_array_member (object, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);

  /* What python put is indexed like our own documents. */
  path = g_strdup_printf ("query?owner=%s&query=by_job_id&job_ids=%s&testnet=False",
                          owner, job_id);
  {
    g_autoptr (Answer) answer = http_get (server, path);
    JsonArray *found;
    g_autoptr (ReinDocument) document = NULL;

    g_assert_cmpuint (answer->status, ==, 200);
    found = json_object_get_array_member (answer_object (answer), "by_job_id");
    g_assert_cmpuint (json_array_get_length (found), ==, 1);
    document = rein_document_new_from_armored (json_array_get_string_element (found, 0), -1,
                                               &error);
    g_assert_no_error (error);
    g_assert_true (rein_document_verify (document, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (rein_document_get_field (document, "Description"), "caf\xc3\xa9"));
  }
  g_free (path);
  path = g_strdup_printf ("query?owner=%s&query=deliveries&job_creator=%s", owner,
                          json_object_get_string_member (object, "creator"));
  {
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (answer_object (answer), "deliveries")),
                      ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/interop/python-bitcoinlib", test_python_client);

  return g_test_run ();
}

/* chain-fixture.c: the test suite's Esplora-compatible chain backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "chain-fixture.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TestChain *
test_chain_start (const gchar *network)
{
  const gchar *python = g_getenv ("PYTHON3");
  const gchar *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree gchar *script = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  const gchar *prefix = "listening on ";
  TestChain *chain = g_new0 (TestChain, 1);

  g_assert_nonnull (srcdir);
  script = g_build_filename (srcdir, "net", "esplora-server.py", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  chain->process = g_subprocess_launcher_spawn (launcher, &error,
                                                python != NULL ? python : "/usr/bin/python3",
                                                script, "--network", network, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (chain->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  chain->url = g_strdup (line + strlen (prefix));
  g_assert_true (g_str_has_prefix (chain->url, "http://127.0.0.1:"));
  chain->session = soup_session_new ();
  return chain;
}

void
test_chain_stop (TestChain *chain)
{
  if (chain == NULL)
    return;
  g_subprocess_force_exit (chain->process);
  g_subprocess_wait (chain->process, NULL, NULL);
  g_object_unref (chain->process);
  g_object_unref (chain->session);
  g_free (chain->url);
  g_free (chain);
}

/* A control request; returns the answer's text, asserting a 200. */
static gchar *
control (TestChain *chain, const gchar *method, const gchar *path, const gchar *json)
{
  g_autofree gchar *url = g_strconcat (chain->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;

  if (json != NULL)
    {
      g_autoptr (GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  answer = soup_session_send_and_read (chain->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

static gchar *
fund (TestChain *chain, const gchar *address, gint64 value, guint confirmations, gboolean segwit)
{
  g_autofree gchar *json = g_strdup_printf (
      "{\"address\": \"%s\", \"value\": %" G_GINT64_FORMAT ", \"confirmations\": %u, "
      "\"segwit\": %s}",
      address, value, confirmations, segwit ? "true" : "false");

  return control (chain, "POST", "_test/fund", json);
}

gchar *
test_chain_fund (TestChain *chain, const gchar *address, gint64 value, guint confirmations)
{
  return fund (chain, address, value, confirmations, FALSE);
}

gchar *
test_chain_fund_segwit (TestChain *chain,
                        const gchar *address,
                        gint64 value,
                        guint confirmations)
{
  return fund (chain, address, value, confirmations, TRUE);
}

void
test_chain_mine (TestChain *chain, guint blocks)
{
  g_autofree gchar *json = g_strdup_printf ("{\"blocks\": %u}", blocks);

  g_free (control (chain, "POST", "_test/mine", json));
}

void
test_chain_set_mode (TestChain *chain, const gchar *mode)
{
  g_autofree gchar *json = g_strdup_printf ("{\"mode\": \"%s\"}", mode);

  g_free (control (chain, "POST", "_test/mode", json));
}

void
test_chain_set_fees (TestChain *chain, const gchar *json)
{
  g_free (control (chain, "POST", "_test/fees", json));
}

gchar *
test_chain_dup_broadcasts (TestChain *chain)
{
  return control (chain, "GET", "_test/broadcasts", NULL);
}

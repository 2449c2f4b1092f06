/* causeway-fixture.c: a server that answers as the original Causeway does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "causeway-fixture.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TestServer *
test_causeway_start (TestCausewayFlags flags)
{
  const gchar *python = g_getenv ("PYTHON3");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  TestServer *server = g_new0 (TestServer, 1);

  g_ptr_array_add (argv, (gpointer) (python != NULL ? python : "/usr/bin/python3"));
  g_ptr_array_add (argv, (gpointer) CAUSEWAY_SERVER_PY);
  if (flags & TEST_CAUSEWAY_TESTNET)
    g_ptr_array_add (argv, (gpointer) "--testnet");
  if (flags & TEST_CAUSEWAY_UNKNOWN_QUERY_ERROR)
    g_ptr_array_add (argv, (gpointer) "--unknown-query=error");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher,
                                                  (const gchar *const *) argv->pdata, &error);
  g_assert_no_error (error);
  test_server_wait_listening (server);
  return server;
}

/* python-test-util.h: running the python-bitcoinlib side of a cross-check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-test-util.h"

/* Whether the Debian python3 has python3-bitcoinlib (module @module). */
static inline gboolean
python_test_has_module (const gchar *module)
{
  g_autofree gchar *code = g_strdup_printf ("import %s", module);
  const gchar *argv[] = { rein_test_python (), "-c", code, NULL };
  gint status = -1;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

/* Runs tests/bitcoin/@script with @input on its stdin; returns its stdout,
 * failing the test with its stderr if it fails. */
static inline GBytes *
python_test_run (const gchar *script, GBytes *input)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "bitcoin", script, NULL);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autoptr (GError) error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                           | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           rein_test_python (), path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, input, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("%s failed: %.*s", script, (int) g_bytes_get_size (stderr_bytes),
             (const gchar *) g_bytes_get_data (stderr_bytes, NULL));
  return g_steal_pointer (&stdout_bytes);
}

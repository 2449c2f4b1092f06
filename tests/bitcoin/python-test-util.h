/* python-test-util.h: running the independent side of a cross-check
 * (python-bitcoinlib, Electrum, bitcoinjs-lib on Node.js)
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

/* A cross-check whose independent implementation is missing: skipped,
 * saying @why, unless REIN_REQUIRE_CROSSCHECK=1 (as build-aux/test.sh and
 * so CI set it), where it fails. */
static inline void
crosscheck_unavailable (const gchar *why)
{
  if (g_strcmp0 (g_getenv ("REIN_REQUIRE_CROSSCHECK"), "1") == 0)
    g_test_fail_printf ("%s, and REIN_REQUIRE_CROSSCHECK=1 asks for every cross-check", why);
  else
    g_test_skip (why);
}

/* Runs tests/bitcoin/@script with @interpreter, @input on its stdin;
 * returns its stdout, failing the test with its stderr if it fails. */
static inline GBytes *
crosscheck_run (const gchar *interpreter, const gchar *script, GBytes *input)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "bitcoin", script, NULL);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autoptr (GError) error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                           | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           interpreter, path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, input, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("%s failed: %.*s", script, (int) g_bytes_get_size (stderr_bytes),
             (const gchar *) g_bytes_get_data (stderr_bytes, NULL));
  return g_steal_pointer (&stdout_bytes);
}

/* crosscheck_run() with the Debian python3. */
static inline GBytes *
python_test_run (const gchar *script, GBytes *input)
{
  return crosscheck_run (rein_test_python (), script, input);
}

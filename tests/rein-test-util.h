/* rein-test-util.h: small helpers shared by the test suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Path of a file under ../shared/ (REIN_SHARED_DIR), or NULL after marking
 * the test skipped, with the reason, when the folder is absent. */
static inline gchar *
rein_test_shared_path (const gchar *relative)
{
  const gchar *dir = g_getenv ("REIN_SHARED_DIR");
  g_autofree gchar *path = NULL;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared/ is not beside the project (REIN_SHARED_DIR unset or missing); "
                   "shared vectors are not available");
      return NULL;
    }
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *msg = g_strdup_printf ("%s is missing from ../shared/", relative);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* The Debian python3 with python3-bitcoinlib (not a pyenv on PATH). */
static inline const gchar *
rein_test_python (void)
{
  const gchar *python = g_getenv ("PYTHON3");

  return python ? python : "/usr/bin/python3";
}

/* The main loop's longest gap between two calls of rein_stall_tick()
 * (added as an idle or a timeout with the Stall as its data), in µs. */
typedef struct
{
  gint64 last;
  gint64 longest;
} Stall;

static inline gboolean
rein_stall_tick (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    stall->longest = MAX (stall->longest, now - stall->last);
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

/* Removes @dir and everything below it (test data only). */
static inline void
rein_test_remove_tree (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        rein_test_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

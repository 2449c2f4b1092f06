/* test-secret-core.c: unlocked secrets stay out of core dumps
 *
 * What this shows, and what it does not: a secret opened by
 * rein_secret_open() lies in memory the kernel leaves out of cores (the
 * "dd" flag of /proc/self/smaps), and while a private key is unlocked the
 * process is not dumpable at all (prctl PR_GET_DUMPABLE). Where the system lets this test write a
 * core (core_pattern a plain file name; not under ASan, which turns cores
 * off), it also crashes a child holding a secret and searches the core:
 * a marker in ordinary memory must be there (so the search can fail), the
 * secret must not. Copies a caller makes outside secure memory (a password
 * typed into a widget, REIN_PASSWORD in the environment) are not covered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "rein-bitcoin.h"
#include "rein-secret.h"
#include "rein-test-util.h"

#define CONTEXT "test-secret-core"
#define MARKER "rein-core-test-ordinary-memory-marker"

/* The VmFlags of the mapping holding @address, from /proc/self/smaps. */
static gchar *
vm_flags_of (gconstpointer address)
{
  g_autofree gchar *smaps = NULL;
  g_auto (GStrv) lines = NULL;
  guintptr a = (guintptr) address;
  gboolean inside = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;
      gchar *dash;

      /* a mapping's first line: "start-end perms ..." */
      dash = strchr (lines[i], '-');
      if (dash != NULL && g_ascii_isxdigit (lines[i][0]) && strchr (lines[i], ' ') > dash)
        {
          start = g_ascii_strtoull (lines[i], NULL, 16);
          end = g_ascii_strtoull (dash + 1, NULL, 16);
          inside = a >= start && a < end;
        }
      else if (inside && g_str_has_prefix (lines[i], "VmFlags:"))
        return g_strconcat (lines[i] + strlen ("VmFlags:"), " ", NULL);
    }
  return NULL;
}

/* (/proc/self/status does not show it) */
static gint
dumpable (void)
{
  return prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
}

static GBytes *
seal_test_secret (guint8 secret[32])
{
  g_autoptr (GError) error = NULL;
  GBytes *sealed;

  rein_random_bytes (secret, 32);
  sealed = rein_secret_seal ("pw", secret, 32, CONTEXT, &error);
  g_assert_no_error (error);
  return sealed;
}

/* A secret opened into secure memory is in a mapping excluded from cores;
 * ordinary memory is not. */
static void
test_pool_excluded (void)
{
  guint8 secret[32];
  g_autoptr (GBytes) sealed = seal_test_secret (secret);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ordinary = g_strdup (MARKER);
  g_autofree gchar *secret_flags = NULL;
  g_autofree gchar *ordinary_flags = NULL;
  gsize len = 0;
  guint8 *plain = rein_secret_open ("pw", sealed, CONTEXT, &len, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (plain, len, secret, sizeof secret);
  secret_flags = vm_flags_of (plain);
  ordinary_flags = vm_flags_of (ordinary);
  g_test_message ("secret's mapping: %s; ordinary: %s", secret_flags, ordinary_flags);
  g_assert_nonnull (secret_flags);
  g_assert_nonnull (ordinary_flags);
  g_assert_nonnull (strstr (secret_flags, " dd "));
  g_assert_null (strstr (ordinary_flags, " dd "));
  rein_secure_free (plain);
  rein_memwipe (secret, sizeof secret);
}

/* While a private key is unlocked the process is not dumpable; when the
 * last one is freed, it is again. */
static void
test_not_dumpable_while_held (void)
{
  guint8 bytes[32];
  ReinPrivateKey *first, *second;

  if (dumpable () != 1)
    {
      g_test_skip ("the test runs in a process that is not dumpable to begin with");
      return;
    }
  memset (bytes, 0x42, sizeof bytes);
  first = rein_private_key_new_from_bytes (bytes, TRUE, NULL);
  g_assert_cmpint (dumpable (), ==, 0);
  second = rein_private_key_copy (first);
  rein_private_key_free (first);
  g_assert_cmpint (dumpable (), ==, 0);
  rein_private_key_free (second);
  g_assert_cmpint (dumpable (), ==, 1);
}

/* ---- A real core ---- */

static void
crash_here (const gchar *dir)
{
  struct rlimit limit = { 256 * 1024 * 1024, 256 * 1024 * 1024 };

  g_assert_cmpint (g_chdir (dir), ==, 0);
  setrlimit (RLIMIT_CORE, &limit);
  /* no handler of the test framework may catch it first */
  signal (SIGABRT, SIG_DFL);
  abort ();
}

/* The core written in @dir by the child, or NULL when there is none. */
static GBytes *
find_core (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "core"))
      {
        g_autofree gchar *path = g_build_filename (dir, name, NULL);
        gchar *data = NULL;
        gsize len = 0;

        g_assert_true (g_file_get_contents (path, &data, &len, NULL));
        g_unlink (path);
        return g_bytes_new_take (data, len);
      }
  return NULL;
}

static gboolean
core_holds (GBytes *core, const void *needle, gsize len)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (core, &size);

  return memmem (data, size, needle, len) != NULL;
}

/* The child: a fresh process (GLib's test subprocesses may not dump
 * core), which opens the sealed secret in @sealed_path, keeps a marker in
 * ordinary memory, unlocks a private key too when @hold, and aborts in
 * @dir. */
static int
core_child (const gchar *dir, const gchar *sealed_path, gboolean hold)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) sealed = NULL;
  gchar *contents = NULL;
  gsize len = 0;
  gchar *ordinary;
  guint8 *plain;

  if (!g_file_get_contents (sealed_path, &contents, &len, NULL))
    return 3;
  sealed = g_bytes_new_take (contents, len);
  plain = rein_secret_open ("pw", sealed, CONTEXT, NULL, &error);
  if (plain == NULL)
    return 4;
  ordinary = g_strdup (MARKER);
  if (hold)
    {
      guint8 bytes[32];

      memset (bytes, 0x42, sizeof bytes);
      if (rein_private_key_new_from_bytes (bytes, TRUE, NULL) == NULL)
        return 5;
    }
  crash_here (dir);
  g_free (ordinary);
  return 6;
}

static const gchar *self_path;

static GBytes *
run_core_child (const gchar *dir, const gchar *sealed_path, gboolean hold)
{
  const gchar *argv[] = { self_path, "--core-child", dir, sealed_path, hold ? "1" : "0", NULL };
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  /* it died of SIGABRT, with or without a core */
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGABRT);
  return find_core (dir);
}

static void
test_core_dump (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *tmp = g_dir_make_tmp ("rein-core-XXXXXX", &error);
  g_autofree gchar *sealed_file = g_build_filename (tmp, "sealed", NULL);
  guint8 secret[32];
  g_autoptr (GBytes) sealed = seal_test_secret (secret);
  g_autoptr (GBytes) core = NULL;
  g_autoptr (GBytes) held_core = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (sealed_file, g_bytes_get_data (sealed, NULL),
                                      g_bytes_get_size (sealed), NULL));
  core = run_core_child (tmp, sealed_file, FALSE);
  held_core = run_core_child (tmp, sealed_file, TRUE);
  rein_test_remove_tree (tmp);

  if (core == NULL)
    {
      rein_memwipe (secret, sizeof secret);
      g_test_skip ("no core was written here (a sanitizer build, or cores go elsewhere)");
      return;
    }
  g_test_message ("core of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (core));
  g_assert_true (core_holds (core, MARKER, strlen (MARKER)));
  g_assert_false (core_holds (core, secret, sizeof secret));
  /* with a private key unlocked there is no core at all */
  g_assert_null (held_core);
  rein_memwipe (secret, sizeof secret);
}

int
main (int argc, char *argv[])
{
  if (argc == 5 && strcmp (argv[1], "--core-child") == 0)
    return core_child (argv[2], argv[3], strcmp (argv[4], "1") == 0);
  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  rein_secret_set_scrypt_cost (10);

  g_test_add_func ("/store/secret-core/pool-excluded", test_pool_excluded);
  g_test_add_func ("/store/secret-core/not-dumpable-while-held", test_not_dumpable_while_held);
  g_test_add_func ("/store/secret-core/core-dump", test_core_dump);
  return g_test_run ();
}

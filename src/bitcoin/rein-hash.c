/* rein-hash.c: the hashes Bitcoin uses, through libgcrypt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <gcrypt.h>
#ifdef __linux__
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#endif

#include "rein-bitcoin-error.h"
#include "rein-encoding.h"
#include "rein-hash.h"

G_DEFINE_QUARK (rein-bitcoin-error-quark, rein_bitcoin_error)

#define SECMEM_POOL (256 * 1024)

/* libgcrypt locks its secure memory pool in RAM but leaves it in core
 * dumps, and does not say where it is. A secure allocation made at once
 * lies in it: the anonymous mapping that holds it is the pool (or, when
 * the kernel merged it with a neighbour, holds the pool), and is marked
 * MADV_DONTDUMP. Returns FALSE when that could not be done. */
static gboolean
exclude_secure_pool_from_core (void)
{
#ifdef __linux__
  g_autofree gchar *maps = NULL;
  gchar **lines;
  guintptr probe, page = (guintptr) sysconf (_SC_PAGESIZE);
  gboolean done = FALSE;
  void *p = gcry_malloc_secure (1);

  if (p == NULL)
    return FALSE;
  probe = (guintptr) p;
  gcry_free (p);
  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL && !done; i++)
    {
      unsigned long start, end, inode;
      char path[2] = { 0 };

      /* start-end perms offset dev inode [path] */
      if (sscanf (lines[i], "%lx-%lx %*s %*s %*s %lu %1s", &start, &end, &inode, path) < 3
          || probe < start || probe >= end)
        continue;
      if (inode != 0 || path[0] != '\0')
        break; /* not anonymous memory: not a pool libgcrypt mapped */
      if (end - start > 4 * SECMEM_POOL)
        {
          /* merged with other memory: only the pool's part */
          start = MAX (start, (probe & ~(page - 1)) - SECMEM_POOL);
          end = MIN (end, (probe & ~(page - 1)) + 2 * SECMEM_POOL);
        }
      done = madvise ((void *) start, end - start, MADV_DONTDUMP) == 0;
    }
  g_strfreev (lines);
  return done;
#else
  return FALSE;
#endif
}

void
rein_crypto_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      if (!gcry_control (GCRYCTL_INITIALIZATION_FINISHED_P))
        {
          if (!gcry_check_version ("1.10.0"))
            g_error ("libgcrypt 1.10 or newer is required");
          /* Secure memory for keys and phrases; no warnings about it, since
           * unprivileged processes may not lock pages. */
          gcry_control (GCRYCTL_SUSPEND_SECMEM_WARN);
          gcry_control (GCRYCTL_INIT_SECMEM, SECMEM_POOL, 0);
          gcry_control (GCRYCTL_RESUME_SECMEM_WARN);
          gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
          /* Keys and phrases live in the pool: never in a core dump. */
          if (!exclude_secure_pool_from_core ())
            g_debug ("Could not exclude secure memory from core dumps");
        }
      g_once_init_leave (&initialized, 1);
    }
}

static void
hash_buffer (int algo, const void *data, gsize len, guint8 *out)
{
  rein_crypto_init ();
  gcry_md_hash_buffer (algo, out, data, len);
}

void
rein_sha256 (const void *data, gsize len, guint8 out[REIN_SHA256_LEN])
{
  hash_buffer (GCRY_MD_SHA256, data, len, out);
}

void
rein_sha256d (const void *data, gsize len, guint8 out[REIN_SHA256_LEN])
{
  guint8 first[REIN_SHA256_LEN];

  hash_buffer (GCRY_MD_SHA256, data, len, first);
  hash_buffer (GCRY_MD_SHA256, first, sizeof first, out);
}

void
rein_ripemd160 (const void *data, gsize len, guint8 out[REIN_HASH160_LEN])
{
  hash_buffer (GCRY_MD_RMD160, data, len, out);
}

void
rein_hash160 (const void *data, gsize len, guint8 out[REIN_HASH160_LEN])
{
  guint8 sha[REIN_SHA256_LEN];

  hash_buffer (GCRY_MD_SHA256, data, len, sha);
  hash_buffer (GCRY_MD_RMD160, sha, sizeof sha, out);
}

void
rein_hmac_sha512 (const void *key,
                  gsize key_len,
                  const void *data,
                  gsize data_len,
                  guint8 out[REIN_SHA512_LEN])
{
  gcry_md_hd_t hd = NULL;
  gcry_error_t err;

  rein_crypto_init ();
  err = gcry_md_open (&hd, GCRY_MD_SHA512, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE);
  g_assert (err == 0);
  err = gcry_md_setkey (hd, key, key_len);
  g_assert (err == 0);
  gcry_md_write (hd, data, data_len);
  memcpy (out, gcry_md_read (hd, GCRY_MD_SHA512), REIN_SHA512_LEN);
  gcry_md_close (hd);
}

gboolean
rein_pbkdf2_sha512 (const void *password,
                    gsize password_len,
                    const void *salt,
                    gsize salt_len,
                    gulong iterations,
                    guint8 *out,
                    gsize out_len)
{
  rein_crypto_init ();
  return gcry_kdf_derive (password, password_len, GCRY_KDF_PBKDF2, GCRY_MD_SHA512,
                          salt, salt_len, iterations, out_len, out) == 0;
}

gchar *
rein_sha256_hex (const void *data, gsize len)
{
  guint8 digest[REIN_SHA256_LEN];

  rein_sha256 (data, len, digest);
  return rein_hex_encode (digest, sizeof digest);
}

void
rein_random_bytes (void *buf, gsize len)
{
  rein_crypto_init ();
  gcry_randomize (buf, len, GCRY_STRONG_RANDOM);
}

/* ---- Keys held: no core dump at all ---- */

static GMutex hold_lock;
static guint holds;
static int dumpable_before = -1;

void
rein_secure_hold (void)
{
  g_mutex_lock (&hold_lock);
#ifdef __linux__
  if (holds++ == 0)
    {
      dumpable_before = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
      if (dumpable_before > 0 && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        g_debug ("Could not make the process non-dumpable");
    }
#else
  holds++;
#endif
  g_mutex_unlock (&hold_lock);
}

void
rein_secure_release (void)
{
  g_mutex_lock (&hold_lock);
  if (holds == 0)
    {
      g_mutex_unlock (&hold_lock);
      g_return_if_reached ();
    }
#ifdef __linux__
  if (--holds == 0 && dumpable_before > 0)
    prctl (PR_SET_DUMPABLE, dumpable_before, 0, 0, 0);
#else
  holds--;
#endif
  g_mutex_unlock (&hold_lock);
}

void
rein_memwipe (void *buf, gsize len)
{
  volatile guint8 *p = buf;

  if (buf == NULL)
    return;
  while (len--)
    *p++ = 0;
}

gboolean
rein_memeq_consttime (const void *a, const void *b, gsize len)
{
  const guint8 *pa = a;
  const guint8 *pb = b;
  guint8 acc = 0;

  for (gsize i = 0; i < len; i++)
    acc |= pa[i] ^ pb[i];
  return acc == 0;
}

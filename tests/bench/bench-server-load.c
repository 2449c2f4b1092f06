/* bench-server-load.c: rein-server under hostile load (issue 10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two figures, printed:
 * - slow readers: 300 clients ask for query=jobs&limit=1000 (answers of
 *   about 8 MB) and never read them: the server's RSS over 15 s;
 * - trickle: 6,000 connections from 100 loopback addresses, each sending a
 *   byte of an endless request head every 10 s (reopened when the server
 *   closes them), while a normal client asks for /status every 20 ms: that
 *   client's latency (p50, p95, max, failures) and the server's RSS.
 *
 * Extra server options come from $BENCH_SERVER_ARGS (space-separated), so
 * that an older rein-server without them can be measured too.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server-fixture.h"

#define SLOW_READERS 300
#define SLOW_SECONDS 15
#define DOCUMENTS 1000
#define TRICKLE_CONNECTIONS 6000
#define TRICKLE_ADDRESSES 100
#define TRICKLE_OPEN_PER_SECOND 600
#define TRICKLE_INTERVAL_US (10 * G_USEC_PER_SEC)
#define TRICKLE_SECONDS (g_getenv ("BENCH_SECONDS") != NULL ? atoi (g_getenv ("BENCH_SECONDS")) : 45)
#define PROBE_INTERVAL_US (20 * 1000)

static guint64
server_rss_kib (TestServer *server)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/status",
                                            g_subprocess_get_identifier (server->process));
  g_autofree gchar *text = NULL;
  const gchar *line;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (line = strstr (text, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static TestServer *
server_start (void)
{
  const gchar *extra = g_getenv ("BENCH_SERVER_ARGS");
  g_auto (GStrv) args = g_strsplit (extra != NULL ? extra : "", " ", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;

  for (guint i = 0; args[i] != NULL; i++)
    if (*args[i] != '\0')
      g_strv_builder_add (builder, args[i]);
  argv = g_strv_builder_end (builder);
  return test_server_start (NULL, (const gchar *const *) argv);
}

/* A non-blocking TCP connection to @port from @source (host order), or -1. */
static gint
open_from (guint32 source, guint port, gint rcvbuf)
{
  struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (source) };
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons ((guint16) port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  if (rcvbuf > 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind (fd, (struct sockaddr *) &from, sizeof from) != 0
      || (connect (fd, (struct sockaddr *) &to, sizeof to) != 0 && errno != EINPROGRESS))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* ---- slow readers ---- */

static gchar *
job_document (Identity *creator, guint n)
{
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *description = g_strnfill (7000, 'a' + n % 26);
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Load %u\nJob ID: %s\n"
                                            "Description: %s\nJob creator public key: %s",
                                            n, job_id, description, creator->public_key);

  return identity_sign (creator, text);
}

static void
slow_readers (void)
{
  g_autoptr (TestServer) server = server_start ();
  g_autoptr (GPtrArray) owners = g_ptr_array_new_with_free_func ((GDestroyNotify) identity_free);
  g_autofree gchar *request = NULL;
  g_autofree gint *fds = g_new0 (gint, SLOW_READERS);
  guint64 before, peak = 0, end;
  guint ok = 0, busy = 0, other = 0;
  gint64 start;

  for (guint i = 0; i < DOCUMENTS; i++)
    {
      g_autofree gchar *key = random_key ();
      g_autofree gchar *value = NULL;
      g_autoptr (Answer) answer = NULL;
      Identity *owner;

      if (i % 300 == 0)
        {
          owner = identity_new ("load");
          for (guint b = 0; b < 3; b++)
            identity_register (owner, server);
          g_ptr_array_add (owners, owner);
        }
      owner = g_ptr_array_index (owners, owners->len - 1);
      value = job_document (owner, i);
      answer = identity_put (owner, server, key, value, FALSE);
      g_assert_cmpuint (answer->status, ==, 201);
    }
  request = g_strdup_printf ("GET /query?owner=%s&query=jobs&limit=1000 HTTP/1.1\r\n"
                             "Host: x\r\n\r\n",
                             ((Identity *) g_ptr_array_index (owners, 0))->master_address);
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=jobs&limit=1000",
                                              ((Identity *) g_ptr_array_index (owners, 0))
                                                ->master_address);
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_print ("slow readers: %u clients, answers of %.1f MB\n", SLOW_READERS,
             strlen (answer->body) / 1e6);
  }

  before = server_rss_kib (server);
  /* 64 per address at most by default: spread them. */
  for (guint i = 0; i < SLOW_READERS; i++)
    {
      fds[i] = open_from (0x7f000200 + i / 50 + 1, server->port, 4096);
      g_assert_cmpint (fds[i], >=, 0);
    }
  g_usleep (200 * 1000);
  for (guint i = 0; i < SLOW_READERS; i++)
    g_assert_cmpint (send (fds[i], request, strlen (request), MSG_NOSIGNAL), ==,
                     (gssize) strlen (request));

  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < SLOW_SECONDS * G_USEC_PER_SEC)
    {
      peak = MAX (peak, server_rss_kib (server));
      g_usleep (100 * 1000);
    }
  end = server_rss_kib (server);
  /* What they were answered: the first bytes only. */
  for (guint i = 0; i < SLOW_READERS; i++)
    {
      gchar head[13] = "";

      if (recv (fds[i], head, 12, MSG_DONTWAIT) == 12 && g_str_has_prefix (head, "HTTP/1.1 200"))
        ok++;
      else if (g_str_has_prefix (head, "HTTP/1.1 503"))
        busy++;
      else
        other++;
      close (fds[i]);
    }
  g_print ("slow readers: server RSS %.1f MB before, peak %.1f MB, %.1f MB after %d s; "
           "answered 200: %u, 503: %u, nothing or other: %u\n",
           before / 1024.0, peak / 1024.0, end / 1024.0, SLOW_SECONDS, ok, busy, other);
}

/* ---- trickle ---- */

typedef struct
{
  guint port;
  volatile gint stop;
  guint64 opened;
  guint64 closed_by_server;
} Trickle;

typedef struct
{
  gint fd;
  gint64 next_us;
  gsize sent;
} Slow;

static gpointer
trickle_thread (gpointer user_data)
{
  Trickle *trickle = user_data;
  static const gchar head[] = "GET /status?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  g_autofree Slow *slow = g_new0 (Slow, TRICKLE_CONNECTIONS);
  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < TRICKLE_CONNECTIONS; i++)
    slow[i].fd = -1;
  while (!g_atomic_int_get (&trickle->stop))
    {
      gint64 now = g_get_monotonic_time ();
      /* Opened at a steady rate until all are there, then kept. */
      guint wanted = (guint) MIN ((guint64) TRICKLE_CONNECTIONS,
                                  (guint64) (now - started) * TRICKLE_OPEN_PER_SECOND
                                  / G_USEC_PER_SEC);

      for (guint i = 0; i < wanted; i++)
        {
          Slow *s = &slow[i];

          if (s->fd < 0)
            {
              s->fd = open_from (0x7f000100 + i % TRICKLE_ADDRESSES + 1, trickle->port, 0);
              s->sent = 0;
              /* The first byte once connected. */
              s->next_us = now + 10 * 1000;
              trickle->opened++;
              continue;
            }
          if (now < s->next_us)
            continue;
          if (send (s->fd, head + s->sent % (sizeof head - 1), 1, MSG_NOSIGNAL | MSG_DONTWAIT)
              == 1)
            {
              s->sent++;
              s->next_us = now + TRICKLE_INTERVAL_US;
            }
          else if (errno == EAGAIN || errno == ENOTCONN)
            s->next_us = now + 100 * 1000;
          else
            {
              close (s->fd);
              s->fd = -1;
              trickle->closed_by_server++;
            }
        }
      g_usleep (10 * 1000);
    }
  for (guint i = 0; i < TRICKLE_CONNECTIONS; i++)
    if (slow[i].fd >= 0)
      close (slow[i].fd);
  return NULL;
}

/* One normal request: its latency in microseconds, or -1 on failure. */
static gint64
probe (guint port)
{
  static const gchar request[] = "GET /status HTTP/1.1\r\nHost: x\r\n\r\n";
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons ((guint16) port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct timeval timeout = { .tv_sec = 5 };
  gint64 start = g_get_monotonic_time ();
  gchar buffer[4096];
  GString *answer = g_string_new (NULL);
  gboolean ok;
  gssize n;
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ok = connect (fd, (struct sockaddr *) &to, sizeof to) == 0;
  if (!ok && g_getenv ("BENCH_DEBUG") != NULL)
    g_printerr ("probe: connect after %.1f ms: %s\n",
                (g_get_monotonic_time () - start) / 1000.0, g_strerror (errno));
  ok = ok && send (fd, request, sizeof request - 1, MSG_NOSIGNAL) == sizeof request - 1;
  while (ok && (n = recv (fd, buffer, sizeof buffer, 0)) > 0)
    g_string_append_len (answer, buffer, n);
  if (g_getenv ("BENCH_DEBUG") != NULL && !g_str_has_prefix (answer->str, "HTTP/1.1 200"))
    g_printerr ("probe: after %.1f ms: %.40s (%s)\n", (g_get_monotonic_time () - start) / 1000.0,
                answer->len > 0 ? answer->str : "no answer", g_strerror (errno));
  ok = ok && g_str_has_prefix (answer->str, "HTTP/1.1 200");
  close (fd);
  g_string_free (answer, TRUE);
  return ok ? g_get_monotonic_time () - start : -1;
}

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
trickle (void)
{
  g_autoptr (TestServer) server = server_start ();
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  Trickle state = { .port = server->port };
  GThread *thread;
  guint64 before, peak = 0, end;
  guint failures = 0;
  gint64 start, next;

  before = server_rss_kib (server);
  thread = g_thread_new ("trickle", trickle_thread, &state);
  start = next = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < TRICKLE_SECONDS * G_USEC_PER_SEC)
    {
      gint64 latency = probe (server->port);

      if (latency < 0)
        failures++;
      else
        g_array_append_val (latencies, latency);
      peak = MAX (peak, server_rss_kib (server));
      next += PROBE_INTERVAL_US;
      if (next > g_get_monotonic_time ())
        g_usleep ((gulong) (next - g_get_monotonic_time ()));
    }
  end = server_rss_kib (server);
  g_atomic_int_set (&state.stop, 1);
  g_thread_join (thread);

  g_array_sort (latencies, compare_gint64);
  g_print ("trickle: %d connections from %d addresses (%" G_GUINT64_FORMAT " opened, %"
           G_GUINT64_FORMAT " found closed by the server) over %d s\n",
           TRICKLE_CONNECTIONS, TRICKLE_ADDRESSES, state.opened, state.closed_by_server,
           TRICKLE_SECONDS);
  if (latencies->len > 0)
    g_print ("trickle: normal client %u answered, %u failed; latency p50 %.1f ms, "
             "p95 %.1f ms, max %.1f ms\n",
             latencies->len, failures,
             g_array_index (latencies, gint64, latencies->len / 2) / 1000.0,
             g_array_index (latencies, gint64, latencies->len * 95 / 100) / 1000.0,
             g_array_index (latencies, gint64, latencies->len - 1) / 1000.0);
  else
    g_print ("trickle: normal client 0 answered, %u failed\n", failures);
  g_print ("trickle: server RSS %.1f MB before, peak %.1f MB, %.1f MB at the end\n",
           before / 1024.0, peak / 1024.0, end / 1024.0);
}

int
main (int argc, char *argv[])
{
  struct rlimit limit;

  g_test_init (&argc, &argv, NULL);
  /* This process holds the 6,000 connections itself. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      if (limit.rlim_cur < TRICKLE_CONNECTIONS + SLOW_READERS + 100)
        g_print ("open-file limit %lu: too low for this benchmark\n",
                 (unsigned long) limit.rlim_cur);
    }
  if (g_getenv ("BENCH_ONLY") == NULL || g_strcmp0 (g_getenv ("BENCH_ONLY"), "slow") == 0)
    slow_readers ();
  if (g_getenv ("BENCH_ONLY") == NULL || g_strcmp0 (g_getenv ("BENCH_ONLY"), "trickle") == 0)
    trickle ();
  return 0;
}

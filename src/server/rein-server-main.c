/* rein-server-main.c: the rein-server program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "rein-server-chain.h"
#include "rein-server-db.h"
#include "rein-server.h"
#include "rein-server-door.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Connections are files: as many as the system lets us have. */
static void
raise_open_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static gchar *
default_database_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "rein-server", "rein-server.db", NULL);
}

int
main (int argc, char *argv[])
{
  g_autofree gchar *listen = NULL;
  g_autofree gchar *database = NULL;
  g_autofree gchar *directory = NULL;
  g_autofree gchar *uri = NULL;
  gint port = 2016;
  gint rate = REIN_SERVER_DEFAULT_RATE;
  gint max_connections = REIN_SERVER_DEFAULT_MAX_CONNECTIONS;
  gint max_total = REIN_SERVER_DOOR_DEFAULT_MAX_TOTAL;
  gint request_timeout = REIN_SERVER_DOOR_DEFAULT_REQUEST_TIMEOUT;
  gint idle_timeout = REIN_SERVER_DOOR_DEFAULT_IDLE_TIMEOUT;
  gint max_answer_memory = REIN_SERVER_DEFAULT_MAX_ANSWER_MEMORY / (1024 * 1024);
  gint database_connections = REIN_SERVER_DEFAULT_DATABASE_CONNECTIONS;
  gboolean skip_check = FALSE;
  g_autofree gchar *chain_url = NULL;
  gint chain_interval = REIN_SERVER_CHAIN_DEFAULT_INTERVAL;
  gboolean read_only = FALSE;
  gboolean quiet = FALSE;
  gboolean version = FALSE;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "IP address to listen on (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "Port to listen on (default 2016; 0 picks a free one)", "N" },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      "SQLite database file (default $XDG_DATA_HOME/rein-server/rein-server.db), or a "
      "PostgreSQL connection URI (postgresql://USER@HOST/DATABASE)", "PATH|URI" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate,
      "Requests per second per client address before answering 429 (default 200; 0: no limit)",
      "N" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      "Concurrent connections per client address (default 64; 0: no limit)", "N" },
    { "max-total-connections", 0, 0, G_OPTION_ARG_INT, &max_total,
      "Concurrent connections in all (default 1024, and always below the open-file limit; "
      "0: that limit only). When full, the oldest unfinished request is dropped", "N" },
    { "request-timeout", 0, 0, G_OPTION_ARG_INT, &request_timeout,
      "Seconds a request (head and body) may take to arrive (default 30)", "SECONDS" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Seconds a connection may make no progress reading or writing, for example a client "
      "that does not read its answer (default 30; 0: no limit)", "SECONDS" },
    { "max-answer-memory", 0, 0, G_OPTION_ARG_INT, &max_answer_memory,
      "MiB of large answers that may wait for their readers; more is answered 503 "
      "(default 64)", "MIB" },
    { "database-connections", 0, 0, G_OPTION_ARG_INT, &database_connections,
      "PostgreSQL: connections for reads, each with its thread (default 4); the server holds "
      "two more, for writes and /status", "N" },
    { "chain-url", 0, 0, G_OPTION_ARG_STRING, &chain_url,
      "A chain backend (an Esplora HTTP API) whose tip query answers give as \"block_info\" "
      "(python-rein 0.3's post needs it; default: none, null)", "URL" },
    { "chain-interval", 0, 0, G_OPTION_ARG_INT, &chain_interval,
      "Seconds between asking the chain backend for its tip (default 60)", "SECONDS" },
    { "skip-integrity-check", 0, 0, G_OPTION_ARG_NONE, &skip_check,
      "Start without checking the database first (PRAGMA quick_check reads all of it)", NULL },
    { "read-only", 0, 0, G_OPTION_ARG_NONE, &read_only,
      "Serve a replica: answer /get, /query and /status, refuse /put, /nonce and /request "
      "(503), write nothing, migrate nothing (a PostgreSQL standby is found read-only "
      "without it)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not log requests", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
#ifdef __GLIBC__
  /* Answers of 100 kB and more come and go all the time: keep the heap
   * instead of mapping and unmapping (or trimming) it for each. */
  mallopt (M_MMAP_THRESHOLD, 8 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
  /* A client hanging up mid-answer must not kill the server. */
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- Causeway-compatible microhosting server for Rein");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("rein-server: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("rein-server %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (port < 0 || port > 65535 || rate < 0 || max_connections < 0 || max_total < 0
      || request_timeout < 1 || idle_timeout < 0 || max_answer_memory < 1
      || max_answer_memory > 1024 * 1024)
    {
      g_printerr ("rein-server: --port, --rate, --max-connections, --max-total-connections, "
                  "--request-timeout, --idle-timeout and --max-answer-memory "
                  "take numbers in range\n");
      return 2;
    }
  /* The pool's bound: a process holds at most this many + 2 connections. */
  if (database_connections < 1 || database_connections > REIN_SERVER_MAX_DATABASE_CONNECTIONS)
    {
      g_printerr ("rein-server: --database-connections must be 1 to %d: the PostgreSQL "
                  "connections for reads (the server holds two more, for writes and /status)\n",
                  REIN_SERVER_MAX_DATABASE_CONNECTIONS);
      return 2;
    }

  if (listen == NULL)
    listen = g_strdup ("127.0.0.1");
  if (database == NULL)
    database = default_database_path ();
  directory = g_path_get_dirname (database);
  if (!read_only && !rein_server_db_is_uri (database)
      && g_mkdir_with_parents (directory, 0700) != 0)
    {
      g_printerr ("rein-server: cannot create %s\n", directory);
      return 1;
    }

  /* Before anyone can learn where we listen: whoever reads that line may
   * stop us at once. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  raise_open_file_limit ();
  server = rein_server_open (database,
                             (skip_check ? REIN_SERVER_OPEN_NONE
                                         : REIN_SERVER_OPEN_CHECK_INTEGRITY)
                             | (read_only ? REIN_SERVER_OPEN_READ_ONLY : REIN_SERVER_OPEN_NONE),
                             &error);
  if (server == NULL)
    {
      g_printerr ("rein-server: %s\n", error->message);
      if (strstr (error->message, " is damaged: ") != NULL && !rein_server_db_is_uri (database))
        g_printerr ("rein-server: not starting on a damaged database. Stop here and keep a "
                    "copy of it (with its -wal file); then recover what can be read with\n"
                    "  sqlite3 %s .recover | sqlite3 recovered.db\n"
                    "and start with --database recovered.db (or restore a backup). "
                    "--skip-integrity-check starts without this check.\n", database);
      return 1;
    }
  if (!rein_server_set_database_connections (server, (guint) database_connections, &error))
    {
      g_printerr ("rein-server: %s\n", error->message);
      return 1;
    }
  rein_server_set_rate_limit (server, (guint) rate);
  rein_server_set_max_connections (server, (guint) max_connections);
  rein_server_set_max_total_connections (server, (guint) max_total);
  rein_server_set_timeouts (server, (guint) request_timeout, (guint) idle_timeout);
  rein_server_set_max_answer_memory (server, (gsize) max_answer_memory * 1024 * 1024);
  rein_server_set_log_requests (server, !quiet);
  if (chain_interval < 1 || chain_interval > 86400)
    {
      g_printerr ("rein-server: --chain-interval must be 1 to 86400 seconds\n");
      return 1;
    }
  if (!rein_server_set_chain_url (server, chain_url, (guint) chain_interval, &error))
    {
      g_printerr ("rein-server: %s\n", error->message);
      return 1;
    }
  if (!rein_server_listen (server, listen, (guint) port, &error))
    {
      g_printerr ("rein-server: cannot listen on %s port %d: %s\n", listen, port, error->message);
      return 1;
    }

  uri = rein_server_get_uri (server);
  if (rein_server_get_read_only (server) && !quiet)
    g_message ("Read-only: /put, /nonce and /request are answered 503");
  g_print ("listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (!quiet)
    g_message ("Shutting down");
  rein_server_shutdown (server);
  return 0;
}

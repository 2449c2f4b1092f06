/* rein-server-door.c: where rein-server's connections come in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-server-door.h"

#include <errno.h>
#include <gio/gnetworking.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>

#include "rein-rate-limiter.h"
#include "rein-server-error.h"
#include "rein-server-json.h"

/* A head still partial after this goes to libsoup, which waits for the rest
 * without polling (the request deadline still applies). */
#define HEAD_WAIT_US (250 * 1000)
#define DRAIN_MAX (32 * 1024 * 1024)
#define DRAIN_WAIT_US (10 * G_USEC_PER_SEC)
/* Connections accepted in one go before the main loop runs again. */
#define ACCEPT_BATCH 64
/* How long accepting pauses when the process is out of file descriptors. */
#define ACCEPT_PAUSE_MIN_MS 50
#define ACCEPT_PAUSE_MAX_MS 1000
/* The kernel's send buffer per connection (Linux doubles it): what a client
 * that does not read can make the system hold beyond the answer itself. */
#define SEND_BUFFER (256 * 1024)
/* How often request deadlines are looked at. */
#define DEADLINE_TICK_MS 250

struct _ReinServerDoor
{
  GObject parent_instance;

  SoupServer *soup;        /* owned until closed */
  GMainContext *context;
  GPtrArray *listeners;    /* GSocket, listening */
  GPtrArray *accepting;    /* GSource per listener while accepting */
  GSource *accept_pause;   /* while out of file descriptors */
  guint accept_pause_ms;
  gboolean closed;
  guint max_connections;
  guint max_total;         /* configured; the effective cap is max_total_effective */
  guint max_total_effective;
  guint total;             /* connections alive */
  guint request_timeout;   /* seconds */
  guint idle_timeout;      /* seconds */
  GSource *deadline_tick;
  ReinRateLimiter *limiter; /* or NULL */
  GHashTable *connections; /* client address -> count (GUINT_TO_POINTER) */
  GHashTable *counted;     /* Counted, of connections alive */
  GHashTable *peers;       /* "address port" -> Counted */
  GQueue unread;           /* Counted whose request is not read yet, oldest first */

  /* Conditions logged once when they begin and once when they end. */
  gboolean at_capacity;
  guint64 evicted;
  gboolean out_of_files;
  guint64 accept_failures;
};

G_DEFINE_FINAL_TYPE (ReinServerDoor, rein_server_door, G_TYPE_OBJECT)

/* A connection on its way in, or on its way out after a rejection. */
typedef struct
{
  ReinServerDoor *door;            /* owned */
  GSocketConnection *connection;   /* owned, or NULL */
  GIOStream *stolen;               /* owned: taken back from libsoup, or NULL */
  GSocketAddress *local;           /* owned */
  GSocketAddress *remote;          /* owned */
  GSource *source;
  gint64 deadline_us;
  guint delay_ms;
  gsize drained;
  gpointer counted;                /* Counted, while the door holds the connection */
} Incoming;

/* A connection counted against its client until it is finalized. */
typedef struct
{
  ReinServerDoor *door;  /* not owned: finalize forgets every Counted */
  GObject *connection;   /* weak */
  gchar *client;         /* address */
  gchar *peer;           /* address and port */
  gint64 accepted_us;
  GList *unread_link;    /* in door->unread until its request is read */
  Incoming *incoming;    /* while the door holds the connection */
} Counted;

static void
counted_free (gpointer data)
{
  Counted *counted = data;

  g_free (counted->client);
  g_free (counted->peer);
  g_free (counted);
}

static void
incoming_free (Incoming *incoming)
{
  if (incoming->counted != NULL)
    ((Counted *) incoming->counted)->incoming = NULL;
  if (incoming->source != NULL)
    {
      g_source_destroy (incoming->source);
      g_source_unref (incoming->source);
    }
  g_clear_object (&incoming->connection);
  g_clear_object (&incoming->stolen);
  g_clear_object (&incoming->local);
  g_clear_object (&incoming->remote);
  g_clear_object (&incoming->door);
  g_free (incoming);
}

static void
connection_gone_cb (gpointer user_data, GObject *where_the_object_was)
{
  Counted *counted = user_data;
  ReinServerDoor *self = counted->door;
  guint count;

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->connections, counted->client));
  if (count <= 1)
    g_hash_table_remove (self->connections, counted->client);
  else
    g_hash_table_insert (self->connections, g_strdup (counted->client),
                         GUINT_TO_POINTER (count - 1));
  if (g_hash_table_lookup (self->peers, counted->peer) == counted)
    g_hash_table_remove (self->peers, counted->peer);
  if (counted->unread_link != NULL)
    g_queue_delete_link (&self->unread, counted->unread_link);
  g_assert (self->total > 0);
  self->total--;
  g_hash_table_remove (self->counted, counted);

  /* Well below the cap again: the condition is over. */
  if (self->at_capacity && self->total < self->max_total_effective - self->max_total_effective / 8)
    {
      g_message ("Back under the connection limit (%u); %" G_GUINT64_FORMAT
                 " unfinished requests were dropped meanwhile",
                 self->max_total_effective, self->evicted);
      self->at_capacity = FALSE;
      self->evicted = 0;
    }
}

/* Closes a connection whose request is not read yet: the oldest when the
 * door is full, or one past its deadline. */
static void
counted_drop (Counted *counted)
{
  ReinServerDoor *self = counted->door;

  if (counted->unread_link != NULL)
    {
      g_queue_delete_link (&self->unread, counted->unread_link);
      counted->unread_link = NULL;
    }
  if (counted->incoming != NULL)
    {
      Incoming *incoming = counted->incoming;

      /* Frees @counted too, when it drops the last reference. */
      g_socket_close (g_socket_connection_get_socket (incoming->connection), NULL);
      incoming_free (incoming);
      return;
    }
  /* libsoup holds it: it sees the end of the stream and lets it go. */
  g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (counted->connection)),
                     TRUE, TRUE, NULL);
}

static gchar *
address_to_string (GSocketAddress *address, gboolean with_port)
{
  g_autofree gchar *host = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("");
  host = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  if (!with_port)
    return g_steal_pointer (&host);
  return g_strdup_printf ("%s %u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* ---- rejections ---- */

static gchar *
reject_answer (guint status, const gchar *message)
{
  g_autofree gchar *literal = rein_server_json_string_new (message, NULL);
  g_autofree gchar *body = g_strdup_printf ("{\"error\":%s}", literal);

  return g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Connection: close\r\n"
                          "\r\n%s",
                          status, rein_server_status_phrase (status), strlen (body), body);
}

static gboolean
drain_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  Incoming *incoming = user_data;
  g_autoptr (GError) error = NULL;
  gchar scratch[16384];
  gssize n;

  do
    {
      g_clear_error (&error);
      n = g_socket_receive (socket, scratch, sizeof scratch, NULL, &error);
    }
  while (n > 0 && (incoming->drained += (gsize) n) < DRAIN_MAX);

  /* Done at the end of the stream, on errors (the socket's timeout among
   * them), and past the bounds. */
  if (n == 0 || incoming->drained >= DRAIN_MAX
      || g_get_monotonic_time () > incoming->deadline_us
      || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
    {
      g_socket_close (socket, NULL);
      g_source_unref (g_steal_pointer (&incoming->source));
      incoming_free (incoming);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* After the answer: stop writing, then read and drop what the client still
 * sends, so that it reads the answer rather than a reset. */
static void
start_drain (Incoming *incoming, GSocket *socket)
{
  g_socket_set_blocking (socket, FALSE);
  if (!g_socket_shutdown (socket, FALSE, TRUE, NULL))
    {
      g_socket_close (socket, NULL);
      incoming_free (incoming);
      return;
    }
  incoming->deadline_us = g_get_monotonic_time () + DRAIN_WAIT_US;
  /* A client that neither sends nor closes is dropped after this. */
  g_socket_set_timeout (socket, DRAIN_WAIT_US / G_USEC_PER_SEC);
  incoming->source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (incoming->source, G_SOURCE_FUNC (drain_cb), incoming, NULL);
  g_source_attach (incoming->source, incoming->door->context);
}

/* Answers @status with a JSON error on a connection libsoup never saw. */
static void
incoming_reject (Incoming *incoming, guint status, const gchar *message)
{
  GSocket *socket = g_socket_connection_get_socket (incoming->connection);
  g_autofree gchar *answer = reject_answer (status, message);
  gsize len = strlen (answer);

  g_socket_set_blocking (socket, FALSE);
  if (g_socket_send (socket, answer, len, NULL, NULL) != (gssize) len)
    {
      g_socket_close (socket, NULL);
      incoming_free (incoming);
      return;
    }
  start_drain (incoming, socket);
}

void
rein_server_door_reject_message (ReinServerDoor *self,
                                 SoupServerMessage *msg,
                                 guint status,
                                 const gchar *message)
{
  g_autofree gchar *answer = reject_answer (status, message);
  g_autofree gchar *peer = NULL;
  g_autoptr (GIOStream) stream = NULL;
  GSocketConnection *connection = NULL;
  GOutputStream *out;
  Incoming *incoming;
  Counted *counted;

  g_return_if_fail (REIN_IS_SERVER_DOOR (self));
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  /* libsoup does not say which connection a message came on: its peer's
   * address and port do. */
  peer = address_to_string (soup_server_message_get_remote_address (msg), TRUE);
  counted = g_hash_table_lookup (self->peers, peer);
  if (counted != NULL)
    connection = G_SOCKET_CONNECTION (counted->connection);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;

  out = g_io_stream_get_output_stream (stream);
  if (!g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL)
      || !g_output_stream_flush (out, NULL, NULL) || connection == NULL)
    {
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  incoming = g_new0 (Incoming, 1);
  incoming->door = g_object_ref (self);
  incoming->stolen = g_object_ref (stream);
  start_drain (incoming, g_socket_connection_get_socket (connection));
}

/* ---- arrivals ---- */

static void incoming_wait (Incoming *incoming, gboolean partial);

static void
incoming_hand_over (Incoming *incoming)
{
  g_autoptr (GError) error = NULL;

  if (incoming->door->soup == NULL)
    {
      incoming_reject (incoming, 503, "Server is shutting down");
      return;
    }
  if (!soup_server_accept_iostream (incoming->door->soup, G_IO_STREAM (incoming->connection),
                                    incoming->local, incoming->remote, &error))
    g_debug ("Dropping a connection: %s", error->message);
  incoming_free (incoming);
}

/* Looks at what has arrived of the request head, without consuming it. */
static void
incoming_peek (Incoming *incoming)
{
  GSocket *socket = g_socket_connection_get_socket (incoming->connection);
  /* Connections are looked at one at a time, on the main context. */
  static gchar head[REIN_SERVER_DOOR_MAX_HEAD + 1];
  gssize n;

  /* recv() itself: GSocket would need two fcntl() calls around a
   * non-blocking peek, and system calls are most of what a request costs. */
  do
    n = recv (g_socket_get_fd (socket), head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    {
      incoming_wait (incoming, FALSE);
      return;
    }
  if (n <= 0)
    {
      /* Closed before saying anything. */
      g_socket_close (socket, NULL);
      incoming_free (incoming);
      return;
    }
  if (memmem (head, (gsize) n, "\r\n\r\n", 4) != NULL
      || memmem (head, (gsize) n, "\n\n", 2) != NULL
      || g_get_monotonic_time () > incoming->deadline_us)
    {
      incoming_hand_over (incoming);
      return;
    }
  if (n > REIN_SERVER_DOOR_MAX_HEAD)
    {
      incoming_reject (incoming, 414, "Request head too large");
      return;
    }
  /* A partial head stays readable, so a client that gave up shows only as
   * a half-closed connection. */
  {
    struct pollfd fd = { .fd = g_socket_get_fd (socket), .events = POLLRDHUP };

    if (poll (&fd, 1, 0) > 0 && (fd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
      {
        g_socket_close (socket, NULL);
        incoming_free (incoming);
        return;
      }
  }
  incoming_wait (incoming, TRUE);
}

static gboolean
incoming_ready_cb (gpointer user_data)
{
  Incoming *incoming = user_data;

  g_source_unref (g_steal_pointer (&incoming->source));
  incoming_peek (incoming);
  return G_SOURCE_REMOVE;
}

static gboolean
incoming_socket_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  return incoming_ready_cb (user_data);
}

/* Waits for (more of) the head: for the socket to become readable, or, when
 * part of the head is there already (the socket stays readable), a while. */
static void
incoming_wait (Incoming *incoming, gboolean partial)
{
  if (partial)
    {
      incoming->delay_ms = CLAMP (incoming->delay_ms * 2, 1, 50);
      incoming->source = g_timeout_source_new (incoming->delay_ms);
      g_source_set_callback (incoming->source, incoming_ready_cb, incoming, NULL);
    }
  else
    {
      GSocket *socket = g_socket_connection_get_socket (incoming->connection);

      incoming->source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (incoming->source, G_SOURCE_FUNC (incoming_socket_cb), incoming,
                             NULL);
    }
  g_source_attach (incoming->source, incoming->door->context);
}

static Counted *
counted_find (ReinServerDoor *self, SoupServerMessage *msg)
{
  g_autofree gchar *peer = address_to_string (soup_server_message_get_remote_address (msg), TRUE);

  return g_hash_table_lookup (self->peers, peer);
}

void
rein_server_door_request_read (ReinServerDoor *self, SoupServerMessage *msg)
{
  Counted *counted;

  g_return_if_fail (REIN_IS_SERVER_DOOR (self));

  counted = counted_find (self, msg);
  if (counted != NULL && counted->unread_link != NULL)
    {
      g_queue_delete_link (&self->unread, counted->unread_link);
      counted->unread_link = NULL;
    }
}

/* Drops the requests not read within the request timeout. */
static gboolean
deadline_tick_cb (gpointer user_data)
{
  ReinServerDoor *self = user_data;
  gint64 limit = g_get_monotonic_time () - (gint64) self->request_timeout * G_USEC_PER_SEC;
  Counted *oldest;

  while ((oldest = g_queue_peek_head (&self->unread)) != NULL && oldest->accepted_us < limit)
    counted_drop (oldest);
  return G_SOURCE_CONTINUE;
}

/* The cap on connections: the configured one, kept below the open-file
 * limit with room for the database, the log and the listeners. */
static guint
effective_max_total (guint configured)
{
  struct rlimit limit;
  guint64 room = G_MAXUINT;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      guint64 reserve = CLAMP (limit.rlim_cur / 4, 32, 256);

      room = limit.rlim_cur > reserve + 16 ? limit.rlim_cur - reserve : 16;
    }
  if (configured == 0)
    return (guint) MIN (room, G_MAXUINT);
  return (guint) MIN ((guint64) configured, room);
}

static void
incoming_accepted (ReinServerDoor *self, GSocketConnection *connection)
{
  Incoming *incoming;
  Counted *counted;
  GSocket *socket = g_socket_connection_get_socket (connection);
  guint count;

  incoming = g_new0 (Incoming, 1);
  incoming->door = g_object_ref (self);
  incoming->connection = g_object_ref (connection);
  incoming->deadline_us = g_get_monotonic_time () + HEAD_WAIT_US;
  incoming->local = g_socket_connection_get_local_address (connection, NULL);
  incoming->remote = g_socket_connection_get_remote_address (connection, NULL);
  /* Small answers go out at once (libsoup's own listener does the same). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, SEND_BUFFER, NULL);
  /* No progress reading or writing for this long ends the connection: a
   * client that does not read its answer, say. */
  g_socket_set_timeout (socket, self->idle_timeout);

  counted = g_new0 (Counted, 1);
  counted->door = self;
  counted->connection = G_OBJECT (connection);
  counted->client = address_to_string (incoming->remote, FALSE);
  counted->peer = address_to_string (incoming->remote, TRUE);
  counted->accepted_us = g_get_monotonic_time ();
  counted->incoming = incoming;
  incoming->counted = counted;
  g_hash_table_insert (self->peers, g_strdup (counted->peer), counted);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->connections, counted->client));
  g_hash_table_insert (self->connections, g_strdup (counted->client),
                       GUINT_TO_POINTER (count + 1));
  g_hash_table_add (self->counted, counted);
  g_object_weak_ref (G_OBJECT (connection), connection_gone_cb, counted);
  self->total++;

  /* Full: the oldest request still not read makes room. Normal requests
   * are read within milliseconds; those that trickle in are the oldest. */
  if (self->total > self->max_total_effective)
    {
      Counted *oldest = g_queue_peek_head (&self->unread);

      if (!self->at_capacity)
        {
          g_message ("Connection limit (%u) reached: dropping the oldest unfinished requests",
                     self->max_total_effective);
          self->at_capacity = TRUE;
        }
      if (oldest != NULL)
        {
          self->evicted++;
          counted_drop (oldest);
        }
      else
        {
          incoming_reject (incoming, 503, "Server is busy");
          return;
        }
    }
  counted->unread_link = g_list_alloc ();
  counted->unread_link->data = counted;
  g_queue_push_tail_link (&self->unread, counted->unread_link);

  if (self->closed)
    incoming_reject (incoming, 503, "Server is shutting down");
  else if (self->max_connections > 0 && count >= self->max_connections)
    incoming_reject (incoming, 429, "Too many connections");
  else if (self->limiter != NULL
           && !rein_rate_limiter_take (self->limiter, counted->client, g_get_monotonic_time ()))
    incoming_reject (incoming, 429, "Too many requests");
  else
    incoming_peek (incoming);
}

/* ---- accepting ---- */

static void accept_start (ReinServerDoor *self);

static gboolean
accept_resume_cb (gpointer user_data)
{
  ReinServerDoor *self = user_data;

  g_clear_pointer (&self->accept_pause, g_source_unref);
  accept_start (self);
  return G_SOURCE_REMOVE;
}

static void
accept_stop (ReinServerDoor *self)
{
  for (guint i = 0; self->accepting != NULL && i < self->accepting->len; i++)
    g_source_destroy (g_ptr_array_index (self->accepting, i));
  if (self->accepting != NULL)
    g_ptr_array_set_size (self->accepting, 0);
}

/* Out of file descriptors: stop accepting for a while (the connections
 * wait in the listen backlog) instead of spinning on accept(). */
static void
accept_pause (ReinServerDoor *self, const GError *error)
{
  Counted *oldest = g_queue_peek_head (&self->unread);

  self->accept_failures++;
  if (!self->out_of_files)
    {
      g_message ("Cannot accept connections (%s): pausing accepts and dropping the oldest "
                 "unfinished requests", error->message);
      self->out_of_files = TRUE;
    }
  if (oldest != NULL)
    counted_drop (oldest);
  accept_stop (self);
  self->accept_pause_ms = CLAMP (self->accept_pause_ms * 2, ACCEPT_PAUSE_MIN_MS,
                                 ACCEPT_PAUSE_MAX_MS);
  self->accept_pause = g_timeout_source_new (self->accept_pause_ms);
  g_source_set_callback (self->accept_pause, accept_resume_cb, self, NULL);
  g_source_attach (self->accept_pause, self->context);
}

static gboolean
accept_cb (GSocket *listener, GIOCondition condition, gpointer user_data)
{
  ReinServerDoor *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH && !self->closed; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, &error);
      g_autoptr (GSocketConnection) connection = NULL;

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          /* EMFILE, ENFILE; ENOBUFS, ENOMEM */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES)
              || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            {
              accept_pause (self, error);
              return G_SOURCE_REMOVE;
            }
          /* A connection reset before it was accepted, say. */
          continue;
        }
      if (self->out_of_files)
        {
          g_message ("Accepting connections again (%" G_GUINT64_FORMAT " pauses)",
                     self->accept_failures);
          self->out_of_files = FALSE;
          self->accept_failures = 0;
        }
      self->accept_pause_ms = 0;
      connection = g_socket_connection_factory_create_connection (socket);
      incoming_accepted (self, connection);
    }
  return G_SOURCE_CONTINUE;
}

static void
accept_start (ReinServerDoor *self)
{
  accept_stop (self);
  if (self->closed)
    return;
  for (guint i = 0; i < self->listeners->len; i++)
    {
      GSource *source = g_socket_create_source (g_ptr_array_index (self->listeners, i),
                                                G_IO_IN, NULL);

      g_source_set_callback (source, G_SOURCE_FUNC (accept_cb), self, NULL);
      g_source_attach (source, self->context);
      g_ptr_array_add (self->accepting, source);
    }
}

/* ---- object ---- */

static void
rein_server_door_finalize (GObject *object)
{
  ReinServerDoor *self = REIN_SERVER_DOOR (object);
  GHashTableIter iter;
  gpointer key;

  rein_server_door_close (self);

  /* Connections that outlive the door no longer count anywhere. */
  g_hash_table_iter_init (&iter, self->counted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_object_weak_unref (((Counted *) key)->connection, connection_gone_cb, key);
  g_queue_clear (&self->unread);
  g_clear_pointer (&self->counted, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->accepting, g_ptr_array_unref);
  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->limiter, rein_rate_limiter_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (rein_server_door_parent_class)->finalize (object);
}

static void
rein_server_door_class_init (ReinServerDoorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_server_door_finalize;
}

static void
rein_server_door_init (ReinServerDoor *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->counted = g_hash_table_new_full (g_direct_hash, g_direct_equal, counted_free, NULL);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  self->accepting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->request_timeout = REIN_SERVER_DOOR_DEFAULT_REQUEST_TIMEOUT;
  self->idle_timeout = REIN_SERVER_DOOR_DEFAULT_IDLE_TIMEOUT;
  self->max_total = REIN_SERVER_DOOR_DEFAULT_MAX_TOTAL;
  self->max_total_effective = effective_max_total (self->max_total);
  g_queue_init (&self->unread);
}

ReinServerDoor *
rein_server_door_new (SoupServer *soup)
{
  ReinServerDoor *self;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);

  self = g_object_new (REIN_TYPE_SERVER_DOOR, NULL);
  self->soup = g_object_ref (soup);
  return self;
}

void
rein_server_door_set_max_connections (ReinServerDoor *self, guint max_connections)
{
  g_return_if_fail (REIN_IS_SERVER_DOOR (self));
  self->max_connections = max_connections;
}

void
rein_server_door_set_max_total (ReinServerDoor *self, guint max_total)
{
  g_return_if_fail (REIN_IS_SERVER_DOOR (self));
  self->max_total = max_total;
  self->max_total_effective = effective_max_total (max_total);
}

guint
rein_server_door_get_max_total (ReinServerDoor *self)
{
  g_return_val_if_fail (REIN_IS_SERVER_DOOR (self), 0);
  return self->max_total_effective;
}

void
rein_server_door_set_timeouts (ReinServerDoor *self, guint request_timeout, guint idle_timeout)
{
  g_return_if_fail (REIN_IS_SERVER_DOOR (self));
  g_return_if_fail (request_timeout > 0);

  self->request_timeout = request_timeout;
  self->idle_timeout = idle_timeout;
}

void
rein_server_door_set_rate_limit (ReinServerDoor *self, guint connections_per_second)
{
  g_return_if_fail (REIN_IS_SERVER_DOOR (self));

  g_clear_pointer (&self->limiter, rein_rate_limiter_free);
  if (connections_per_second > 0)
    self->limiter = rein_rate_limiter_new (connections_per_second, connections_per_second);
}

gboolean
rein_server_door_listen (ReinServerDoor *self,
                         GInetAddress *address,
                         guint port,
                         guint *out_port,
                         GError **error)
{
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GSocket) socket = NULL;

  g_return_val_if_fail (REIN_IS_SERVER_DOOR (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  socket_address = g_inet_socket_address_new (address, port);
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, 1024);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
#ifdef TCP_DEFER_ACCEPT
  /* Wake up for a connection only once its request has arrived: the first
   * look at the head then finds it, without another trip through poll(). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5, NULL);
#endif
  effective = g_socket_get_local_address (socket, error);
  if (effective == NULL)
    return FALSE;

  g_socket_set_blocking (socket, FALSE);
  g_ptr_array_add (self->listeners, g_object_ref (socket));
  accept_start (self);
  if (self->deadline_tick == NULL)
    {
      self->deadline_tick = g_timeout_source_new (DEADLINE_TICK_MS);
      g_source_set_callback (self->deadline_tick, deadline_tick_cb, self, NULL);
      g_source_attach (self->deadline_tick, self->context);
    }

  if (out_port != NULL)
    *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return TRUE;
}

void
rein_server_door_close (ReinServerDoor *self)
{
  g_return_if_fail (REIN_IS_SERVER_DOOR (self));

  self->closed = TRUE;
  g_clear_object (&self->soup);
  accept_stop (self);
  if (self->accept_pause != NULL)
    {
      g_source_destroy (self->accept_pause);
      g_clear_pointer (&self->accept_pause, g_source_unref);
    }
  if (self->deadline_tick != NULL)
    {
      g_source_destroy (self->deadline_tick);
      g_clear_pointer (&self->deadline_tick, g_source_unref);
    }
  for (guint i = 0; self->listeners != NULL && i < self->listeners->len; i++)
    g_socket_close (g_ptr_array_index (self->listeners, i), NULL);
  if (self->listeners != NULL)
    g_ptr_array_set_size (self->listeners, 0);
}

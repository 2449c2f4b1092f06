/* rein-server-door.h: where rein-server's connections come in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Longest request head (request line and headers) handed to libsoup. */
#define REIN_SERVER_DOOR_MAX_HEAD (60 * 1024)

/* Accepts connections for a SoupServer, so that a client's connection count
 * is known at accept time and a request head that libsoup would drop
 * without an answer (it closes past 64 KiB) gets a JSON 414. A head is
 * peeked, never consumed: libsoup reads the connection from its first byte.
 * Lives on the thread-default main context of its creation. */
#define REIN_TYPE_SERVER_DOOR (rein_server_door_get_type ())
G_DECLARE_FINAL_TYPE (ReinServerDoor, rein_server_door, REIN, SERVER_DOOR, GObject)

ReinServerDoor *rein_server_door_new (SoupServer *soup);

/* Concurrent connections per client address; 0: no limit. */
void rein_server_door_set_max_connections (ReinServerDoor *self, guint max_connections);

/* Connections in all, whatever their address; 0: only the open-file limit.
 * The cap is kept below the process's open-file limit (RLIMIT_NOFILE, read
 * now). When it is reached, the connection whose request has waited
 * longest to be read is closed to make room. */
#define REIN_SERVER_DOOR_DEFAULT_MAX_TOTAL 1024
void rein_server_door_set_max_total (ReinServerDoor *self, guint max_total);
/* The cap in effect. */
guint rein_server_door_get_max_total (ReinServerDoor *self);

/* Seconds from accept until the request (head and body) has been read, and
 * seconds without any progress reading or writing (0: none) before a
 * connection is closed. */
#define REIN_SERVER_DOOR_DEFAULT_REQUEST_TIMEOUT 30
#define REIN_SERVER_DOOR_DEFAULT_IDLE_TIMEOUT 30
void rein_server_door_set_timeouts (ReinServerDoor *self,
                                    guint request_timeout,
                                    guint idle_timeout);

/* To be called from SoupServer::request-read: @msg's request is in, its
 * request deadline no longer applies. */
void rein_server_door_request_read (ReinServerDoor *self, SoupServerMessage *msg);

/* New connections per second per client address (bursts of as many); 0:
 * no limit. Each connection carries one request, so this bounds both. */
void rein_server_door_set_rate_limit (ReinServerDoor *self, guint connections_per_second);

/* Listens on @address and @port (0: a free one), written to @out_port. */
gboolean rein_server_door_listen (ReinServerDoor *self,
                                  GInetAddress *address,
                                  guint port,
                                  guint *out_port,
                                  GError **error);

/* Stops listening; connections still arriving are answered 503. */
void rein_server_door_close (ReinServerDoor *self);

/* Takes @msg's connection back from libsoup and answers @status with a JSON
 * error at once, then reads and drops what the client still sends. */
void rein_server_door_reject_message (ReinServerDoor *self,
                                      SoupServerMessage *msg,
                                      guint status,
                                      const gchar *message);

G_END_DECLS

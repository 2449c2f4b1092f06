/* net-test-util.h: helpers for the network suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Runs the default main context until *@flag is set (or 30 s pass). */
void net_test_wait (gboolean *flag);

/* An in-process HTTP server on 127.0.0.1 that answers every request with
 * @status and @body (content type text/plain unless @json). */
typedef struct
{
  SoupServer *server;
  gchar *url;
} FakeServer;

FakeServer *fake_server_new (guint status, const gchar *body, gboolean json);
void fake_server_free (FakeServer *fake);

/* A URL on 127.0.0.1 where nothing listens. */
gchar *net_test_dead_url (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

G_END_DECLS

/* net-test-util.h: helpers for the network suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rein-store.h"

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

/* A store in a new temporary folder (*@out_dir: remove it with
 * rein_test_remove_tree()) holding one identity, "Reader" (password "pw",
 * from a new recovery phrase). @template is g_dir_make_tmp()'s. */
ReinStore *net_test_reader_store (const gchar *template,
                                  gchar **out_dir,
                                  ReinIdentity **out_identity);

/* A URL on 127.0.0.1 where nothing listens. */
gchar *net_test_dead_url (void);

/* An in-process HTTP proxy on 127.0.0.1 that passes every request on to
 * @upstream (a server URL ending in "/") and notes it: it shows what a
 * client really asks of a server. */
typedef struct _CountingProxy CountingProxy;

/* Called before a request is passed on, with its "METHOD /path?query". */
typedef void (*CountingProxyHook) (CountingProxy *proxy, const gchar *request, gpointer data);

struct _CountingProxy
{
  SoupServer *server;
  SoupSession *session;
  gchar *url;
  gchar *upstream;
  GPtrArray *requests; /* "GET /get?key=...", in the order they came */
  CountingProxyHook hook;
  gpointer hook_data;
  gboolean no_cursor; /* answers lose rein-server's "cursor": a server from before `since` */
};

CountingProxy *counting_proxy_new (const gchar *upstream);
void counting_proxy_set_upstream (CountingProxy *proxy, const gchar *upstream);
/* Requests noted so far with @method on @path ("/get"). */
guint counting_proxy_count (CountingProxy *proxy, const gchar *method, const gchar *path);
void counting_proxy_reset (CountingProxy *proxy);
void counting_proxy_free (CountingProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CountingProxy, counting_proxy_free)

G_END_DECLS

/* rein-server-chain.h: the chain tip, for the "block_info" of query answers
 *
 * python-rein 0.3's "post" needs a block from at least one server (its
 * height, hash and time): the original Causeway asks its Bitcoin Core.
 * rein-server, given a chain backend (--chain-url, any Esplora HTTP API),
 * asks it for the tip now and then (GET blocks/tip/hash, then
 * block/HASH) and answers queries with what it last learned, never
 * waiting for the backend; without a backend, or before the backend
 * first answered, "block_info" stays null. What the backend sends is
 * checked (a 64-hex hash that is the block's own id, a height and a time
 * in range) and bounded (answers of 64 KiB at most, 10 s per request).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_SERVER_CHAIN_DEFAULT_INTERVAL 60 /* seconds between asks */

typedef struct _ReinServerChain ReinServerChain;

/* Starts asking @url (http or https, ending in "/" or not) for the tip at
 * once, then every @interval seconds. NULL, with @error, when @url is not
 * such a URL. */
ReinServerChain *rein_server_chain_new (const gchar *url, guint interval, GError **error);
void rein_server_chain_free (ReinServerChain *chain);

/* The block_info object as JSON text ({"hash":"...","height":N,"time":T}),
 * or NULL when the backend has not answered yet. */
const gchar *rein_server_chain_get_block_info (ReinServerChain *chain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinServerChain, rein_server_chain_free)

G_END_DECLS

/* rein-chain-settings.h: which chain backend a data directory uses
 *
 * A mainnet identity talks to the mainnet backend; a testnet identity to
 * the testnet, signet or regtest one (they share address formats), as
 * chosen. Each network has its own Esplora URL, kept in the store's
 * settings. $REIN_CHAIN_URL overrides the URL for every network. There is
 * no default: nothing is asked of any server until the user names one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-chain.h"
#include "rein-store.h"

G_BEGIN_DECLS

/* Overrides the URL of every network (tests, one-off runs). */
#define REIN_CHAIN_URL_ENV "REIN_CHAIN_URL"

/* The network a testnet (@testnet) or mainnet identity uses. */
ReinChainNetwork rein_chain_settings_get_network (ReinStore *store, gboolean testnet);
/* Chooses testnet, signet or regtest for testnet identities; refuses
 * mainnet (a mainnet identity always uses mainnet). */
gboolean rein_chain_settings_set_network (ReinStore *store,
                                          ReinChainNetwork network,
                                          GError **error);

/* The URL for @network: $REIN_CHAIN_URL, else the setting, else NULL.
 * @out_from_env (may be NULL) says whether the environment gave it. */
gchar *rein_chain_settings_dup_url (ReinStore *store,
                                    ReinChainNetwork network,
                                    gboolean *out_from_env);
/* Checks @url (rein_chain_new's rules), normalizes it and keeps it for
 * @network; NULL or "" forgets it. */
gboolean rein_chain_settings_set_url (ReinStore *store,
                                      ReinChainNetwork network,
                                      const gchar *url,
                                      GError **error);

/* The backend for a testnet (@testnet) or mainnet identity, or an error
 * that says none is set and how to set one. */
ReinChain *rein_chain_settings_open (ReinStore *store, gboolean testnet, GError **error);

G_END_DECLS

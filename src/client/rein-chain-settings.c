/* rein-chain-settings.c: which chain backend a data directory uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-chain-settings.h"

#include "rein-client-error.h"

#define NETWORK_KEY "chain-network"

static gchar *
url_key (ReinChainNetwork network)
{
  return g_strconcat ("chain-url-", rein_chain_network_to_string (network), NULL);
}

ReinChainNetwork
rein_chain_settings_get_network (ReinStore *store, gboolean testnet)
{
  g_autofree gchar *value = NULL;
  ReinChainNetwork network;

  if (!testnet)
    return REIN_CHAIN_NETWORK_MAINNET;
  value = rein_store_get_setting (store, NETWORK_KEY);
  if (value != NULL && rein_chain_network_from_string (value, &network)
      && rein_chain_network_is_testnet (network))
    return network;
  return REIN_CHAIN_NETWORK_TESTNET;
}

gboolean
rein_chain_settings_set_network (ReinStore *store, ReinChainNetwork network, GError **error)
{
  if (!rein_chain_network_is_testnet (network))
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                           "mainnet identities always use mainnet; testnet identities can use "
                           "testnet, signet or regtest");
      return FALSE;
    }
  return rein_store_set_setting (store, NETWORK_KEY, rein_chain_network_to_string (network),
                                 error);
}

gchar *
rein_chain_settings_dup_url (ReinStore *store, ReinChainNetwork network, gboolean *out_from_env)
{
  const gchar *env = g_getenv (REIN_CHAIN_URL_ENV);
  g_autofree gchar *key = url_key (network);
  g_autofree gchar *value = NULL;

  if (out_from_env != NULL)
    *out_from_env = env != NULL && *env != '\0';
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  value = rein_store_get_setting (store, key);
  if (value == NULL || *value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

gboolean
rein_chain_settings_set_url (ReinStore *store,
                             ReinChainNetwork network,
                             const gchar *url,
                             GError **error)
{
  g_autofree gchar *key = url_key (network);
  g_autoptr (ReinChain) chain = NULL;

  if (url == NULL || *url == '\0')
    return rein_store_set_setting (store, key, "", error);
  chain = rein_chain_new (url, error);
  if (chain == NULL)
    return FALSE;
  return rein_store_set_setting (store, key, rein_chain_get_url (chain), error);
}

ReinChain *
rein_chain_settings_open (ReinStore *store, gboolean testnet, GError **error)
{
  ReinChainNetwork network = rein_chain_settings_get_network (store, testnet);
  g_autofree gchar *url = rein_chain_settings_dup_url (store, network, NULL);

  if (url == NULL)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                   "no chain backend is set for %s: name an Esplora server (for example %s)",
                   rein_chain_network_to_string (network),
                   network == REIN_CHAIN_NETWORK_MAINNET ? "https://blockstream.info/api/"
                   : network == REIN_CHAIN_NETWORK_TESTNET
                     ? "https://blockstream.info/testnet/api/"
                     : network == REIN_CHAIN_NETWORK_SIGNET ? "https://mempool.space/signet/api/"
                                                            : "your own electrs on regtest");
      return NULL;
    }
  return rein_chain_new (url, error);
}

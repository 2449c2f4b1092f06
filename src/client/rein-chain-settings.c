/* rein-chain-settings.c: which chain backend a data directory uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-chain-settings.h"

#include "rein-bitcoin.h"
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

/* ---- payment policy ---- */

#define FEE_TARGET_KEY "fee-target"
#define FEE_CAP_KEY "fee-cap"
#define CONFIRMATIONS_KEY "confirmations"

/* The setting @key as a whole number from @min to @max, else @fallback
 * (nothing stored, or something no version of Rein wrote). */
static gint64
get_number (ReinStore *store, const gchar *key, gint64 min, gint64 max, gint64 fallback)
{
  g_autofree gchar *value = rein_store_get_setting (store, key);
  gint64 number;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, min, max, &number, NULL))
    return fallback;
  return number;
}

static gboolean
set_number (ReinStore *store, const gchar *key, gint64 number, gint64 min, gint64 max,
            const gchar *what, GError **error)
{
  g_autofree gchar *text = NULL;

  if (number < min || number > max)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                   "%s is from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                   what, min, max, number);
      return FALSE;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  return rein_store_set_setting (store, key, text, error);
}

guint
rein_chain_settings_get_fee_target (ReinStore *store)
{
  return (guint) get_number (store, FEE_TARGET_KEY, 1, REIN_CHAIN_FEE_TARGET_MAX,
                             REIN_CHAIN_FEE_TARGET_DEFAULT);
}

gboolean
rein_chain_settings_set_fee_target (ReinStore *store, guint blocks, GError **error)
{
  return set_number (store, FEE_TARGET_KEY, blocks, 1, REIN_CHAIN_FEE_TARGET_MAX,
                     "the fee target (blocks)", error);
}

gint64
rein_chain_settings_get_fee_cap (ReinStore *store)
{
  return get_number (store, FEE_CAP_KEY, 0, REIN_MAX_SATOSHIS, 0);
}

gboolean
rein_chain_settings_set_fee_cap (ReinStore *store, gint64 satoshis, GError **error)
{
  return set_number (store, FEE_CAP_KEY, satoshis, 0, REIN_MAX_SATOSHIS,
                     "the fee cap (satoshis)", error);
}

guint
rein_chain_settings_get_confirmations (ReinStore *store)
{
  return (guint) get_number (store, CONFIRMATIONS_KEY, 1, REIN_CHAIN_CONFIRMATIONS_MAX,
                             REIN_CHAIN_CONFIRMATIONS_DEFAULT);
}

gboolean
rein_chain_settings_set_confirmations (ReinStore *store, guint confirmations, GError **error)
{
  return set_number (store, CONFIRMATIONS_KEY, confirmations, 1, REIN_CHAIN_CONFIRMATIONS_MAX,
                     "the confirmations required", error);
}

/* ---- all at once ---- */

ReinChainPrefs *
rein_chain_prefs_copy (const ReinChainPrefs *prefs)
{
  ReinChainPrefs *copy = g_memdup2 (prefs, sizeof *prefs);

  for (guint i = 0; i < G_N_ELEMENTS (copy->urls); i++)
    copy->urls[i] = g_strdup (prefs->urls[i]);
  return copy;
}

void
rein_chain_prefs_free (ReinChainPrefs *prefs)
{
  if (prefs == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (prefs->urls); i++)
    g_free (prefs->urls[i]);
  g_free (prefs);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinStore *store = task_data;
  g_autoptr (ReinChainPrefs) prefs = g_new0 (ReinChainPrefs, 1);
  const gchar *env = g_getenv (REIN_CHAIN_URL_ENV);

  for (guint i = 0; i < G_N_ELEMENTS (prefs->urls); i++)
    {
      g_autofree gchar *key = url_key ((ReinChainNetwork) i);
      g_autofree gchar *value = rein_store_get_setting (store, key);

      if (value != NULL && *value != '\0')
        prefs->urls[i] = g_steal_pointer (&value);
    }
  prefs->url_from_env = env != NULL && *env != '\0';
  prefs->test_network = rein_chain_settings_get_network (store, TRUE);
  prefs->fee_target = rein_chain_settings_get_fee_target (store);
  prefs->fee_cap = rein_chain_settings_get_fee_cap (store);
  prefs->confirmations = rein_chain_settings_get_confirmations (store);
  g_task_return_pointer (task, g_steal_pointer (&prefs), (GDestroyNotify) rein_chain_prefs_free);
}

void
rein_chain_settings_load_async (ReinStore *store,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (REIN_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_chain_settings_load_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

ReinChainPrefs *
rein_chain_settings_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_chain_settings_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  ReinStore *store;
  ReinChainPrefs *prefs;
} Save;

static void
save_free (Save *save)
{
  g_object_unref (save->store);
  rein_chain_prefs_free (save->prefs);
  g_free (save);
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Save *save = task_data;
  ReinChainPrefs *prefs = save->prefs;
  GError *error = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < G_N_ELEMENTS (prefs->urls); i++)
    ok = rein_chain_settings_set_url (save->store, (ReinChainNetwork) i, prefs->urls[i], &error);
  ok = ok && rein_chain_settings_set_network (save->store, prefs->test_network, &error)
       && rein_chain_settings_set_fee_target (save->store, prefs->fee_target, &error)
       && rein_chain_settings_set_fee_cap (save->store, prefs->fee_cap, &error)
       && rein_chain_settings_set_confirmations (save->store, prefs->confirmations, &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
rein_chain_settings_save_async (ReinStore *store,
                                const ReinChainPrefs *prefs,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Save *save;

  g_return_if_fail (REIN_IS_STORE (store));
  g_return_if_fail (prefs != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_chain_settings_save_async);
  save = g_new0 (Save, 1);
  save->store = g_object_ref (store);
  save->prefs = rein_chain_prefs_copy (prefs);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
rein_chain_settings_save_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_chain_settings_save_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

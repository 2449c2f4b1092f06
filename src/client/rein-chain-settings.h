/* rein-chain-settings.h: which chain backend a data directory uses
 *
 * A mainnet identity talks to the mainnet backend; a testnet identity to
 * the testnet, signet or regtest one (they share address formats), as
 * chosen. Each network has its own Esplora URL, kept in the store's
 * settings. $REIN_CHAIN_URL overrides the URL for every network. There is
 * no default: nothing is asked of any server until the user names one.
 *
 * The payment policy is kept beside it, for every identity of the data
 * directory: the fee target (confirmation within so many blocks), the fee
 * cap (satoshis a payout's fee may not exceed) and how many confirmations
 * an escrow needs before the worker is told it is safe to start. The app's
 * preferences and rein-cli read and write them here only.
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

/* ---- payment policy ---- */

#define REIN_CHAIN_FEE_TARGET_DEFAULT 6 /* blocks: about an hour */
#define REIN_CHAIN_FEE_TARGET_MAX 1008  /* a week: what Esplora estimates for */
#define REIN_CHAIN_CONFIRMATIONS_DEFAULT 3
#define REIN_CHAIN_CONFIRMATIONS_MAX 100

/* Confirmation within this many blocks (1 to REIN_CHAIN_FEE_TARGET_MAX). */
guint rein_chain_settings_get_fee_target (ReinStore *store);
gboolean rein_chain_settings_set_fee_target (ReinStore *store, guint blocks, GError **error);
/* Satoshis a payout's fee may not exceed; 0: no cap of the user's (the
 * payment rules' own limit still holds). */
gint64 rein_chain_settings_get_fee_cap (ReinStore *store);
gboolean rein_chain_settings_set_fee_cap (ReinStore *store, gint64 satoshis, GError **error);
/* Confirmations an escrow needs to count as funded (1 to
 * REIN_CHAIN_CONFIRMATIONS_MAX). */
guint rein_chain_settings_get_confirmations (ReinStore *store);
gboolean rein_chain_settings_set_confirmations (ReinStore *store, guint confirmations,
                                                GError **error);

/* ---- all of them at once, off the main thread (the app) ---- */

typedef struct
{
  gchar *urls[REIN_CHAIN_NETWORK_REGTEST + 1]; /* by ReinChainNetwork; NULL: none set */
  gboolean url_from_env;                       /* $REIN_CHAIN_URL overrides them all */
  ReinChainNetwork test_network;               /* what testnet identities use */
  guint fee_target;
  gint64 fee_cap;
  guint confirmations;
} ReinChainPrefs;

ReinChainPrefs *rein_chain_prefs_copy (const ReinChainPrefs *prefs);
void rein_chain_prefs_free (ReinChainPrefs *prefs);

/* Reads every setting above in a worker (the URLs as stored, without
 * $REIN_CHAIN_URL; url_from_env says whether it is set). */
void rein_chain_settings_load_async (ReinStore *store,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
ReinChainPrefs *rein_chain_settings_load_finish (GAsyncResult *result, GError **error);

/* Checks and writes every setting of @prefs in a worker; the first that
 * is refused fails it (those before it are written). */
void rein_chain_settings_save_async (ReinStore *store,
                                     const ReinChainPrefs *prefs,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean rein_chain_settings_save_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinChainPrefs, rein_chain_prefs_free)

G_END_DECLS
